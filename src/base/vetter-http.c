/* vetter-http.c: what every request Vetter makes needs, whoever makes it
 *
 * Used while processing (the tagger) and by the outbox (S3, the shared
 * database, Mailgun, callbacks) alike.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "vetter-http.h"

typedef struct
{
  char   *type;
  GBytes *body;
} KeptBody;

static void
kept_body_free (gpointer data,
                GClosure *closure)
{
  KeptBody *kept = data;

  g_free (kept->type);
  g_bytes_unref (kept->body);
  g_free (kept);
}

static void
on_restarted (SoupMessage *message,
              KeptBody    *kept)
{
  soup_message_set_request_body_from_bytes (message, kept->type, kept->body);
}

void
vetter_http_set_body (SoupMessage *message,
                      const char  *type,
                      GBytes      *body)
{
  KeptBody *kept = g_new0 (KeptBody, 1);

  kept->type = g_strdup (type);
  kept->body = g_bytes_ref (body);
  soup_message_set_request_body_from_bytes (message, type, body);
  g_signal_connect_data (message, "restarted", G_CALLBACK (on_restarted), kept, kept_body_free, 0);
}

void
vetter_http_set_basic_auth (SoupMessage *message,
                            const char  *user,
                            const char  *password)
{
  g_autofree char *credentials = g_strdup_printf ("%s:%s", user, password ? password : "");
  g_autofree char *encoded = g_base64_encode ((const guchar *) credentials, strlen (credentials));
  g_autofree char *basic = g_strconcat ("Basic ", encoded, NULL);

  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization", basic);
}
