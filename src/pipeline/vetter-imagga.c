/* vetter-imagga.c: object tags from the Imagga /v2/tags API
 *
 * Called from the workers with libsoup's blocking API, a session per
 * thread. Requests are capped at MAX_CONCURRENT across all workers (the
 * API's plans limit requests per second); a 429 is waited out once, as
 * its Retry-After says, within the step's budget. Auth and quota refusals
 * come back as errors that name the cause, so the step's record says why
 * an ad has no object tags.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-imagga"

#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "vetter-error.h"
#include "vetter-http.h"
#include "vetter-json.h"
#include "vetter-imagga.h"
#include "vetter-rules.h"
#include "vetter-services.h"

#define MAX_CONCURRENT 2
#define MAX_RETRY_WAIT_S 10
/* Below this the API's tags are noise for moderation. */
#define MIN_CONFIDENCE 5

static GMutex slots_lock;
static GCond slots_free;
static int slots_used;

static GPrivate thread_session = G_PRIVATE_INIT (g_object_unref);

static SoupSession *
session_for_thread (const VetterConfig *config)
{
  SoupSession *session = g_private_get (&thread_session);

  if (session == NULL)
    {
      session = soup_session_new_with_options ("timeout", config->io_timeout, "user-agent", "Vetter/" PACKAGE_VERSION,
                                               NULL);
      g_private_replace (&thread_session, session);
    }
  return session;
}

static void
take_slot (void)
{
  g_mutex_lock (&slots_lock);
  while (slots_used >= MAX_CONCURRENT)
    g_cond_wait (&slots_free, &slots_lock);
  slots_used++;
  g_mutex_unlock (&slots_lock);
}

static void
give_slot (void)
{
  g_mutex_lock (&slots_lock);
  slots_used--;
  g_cond_signal (&slots_free);
  g_mutex_unlock (&slots_lock);
}

static GPtrArray *
parse_tags (GBytes  *body,
            GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  GPtrArray *tags;
  JsonArray *list;

  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body), NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)) ||
      (list = vetter_json_array (vetter_json_object (json_node_get_object (json_parser_get_root (parser)), "result"),
                                 "tags")) == NULL)
    {
      g_set_error_literal (error, VETTER_ERROR, VETTER_ERROR_SYNC, "Imagga answered something that is not a tag list");
      return NULL;
    }
  tags = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_tag_free);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *entry = vetter_json_element_object (list, i);
      double confidence = vetter_json_double (entry, "confidence", 0);
      const char *label = vetter_json_string (vetter_json_object (entry, "tag"), "en");

      if (label && confidence >= MIN_CONFIDENCE)
        g_ptr_array_add (tags, vetter_tag_new (label, (int) CLAMP (confidence + 0.5, 0, 100), "imagga"));
    }
  return tags;
}

/* What the API's error body says, if it says anything. */
static char *
api_message (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (body && json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body), NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return g_strdup (vetter_json_string (vetter_json_object (json_node_get_object (json_parser_get_root (parser)),
                                                             "status"), "text"));
  return NULL;
}

GPtrArray *
vetter_imagga_tag (const VetterConfig  *config,
                   GBytes              *jpeg,
                   GCancellable        *cancellable,
                   GError             **error)
{
  g_autofree char *url = g_strdup_printf ("%s/v2/tags", config->imagga_url);
  SoupSession *session = session_for_thread (config);

  for (int attempt = 0; attempt < 2; attempt++)
    {
      g_autoptr(SoupMultipart) form = soup_multipart_new (SOUP_FORM_MIME_TYPE_MULTIPART);
      g_autoptr(SoupMessage) message = NULL;
      g_autoptr(GBytes) body = NULL;
      g_autofree char *said = NULL;
      const char *retry_after;
      guint status;

      soup_multipart_append_form_file (form, "image", "image.jpg", "image/jpeg", jpeg);
      message = soup_message_new_from_multipart (url, form);
      if (message == NULL)
        {
          g_set_error (error, VETTER_ERROR, VETTER_ERROR_SYNC, "the Imagga URL %s is not valid", config->imagga_url);
          return NULL;
        }
      vetter_http_set_basic_auth (message, config->imagga_key, config->imagga_secret);

      take_slot ();
      body = soup_session_send_and_read (session, message, cancellable, error);
      give_slot ();
      if (body == NULL)
        return NULL;

      status = soup_message_get_status (message);
      if (status == 200)
        return parse_tags (body, error);

      said = api_message (body);
      retry_after = soup_message_headers_get_one (soup_message_get_response_headers (message), "Retry-After");
      if (status == 429 && attempt == 0)
        {
          guint64 wait = retry_after ? g_ascii_strtoull (retry_after, NULL, 10) : 1;

          g_usleep (MIN (wait, MAX_RETRY_WAIT_S) * G_USEC_PER_SEC);
          continue;
        }
      if (status == 401)
        g_set_error (error, VETTER_ERROR, VETTER_ERROR_SYNC, "Imagga refused the API key (HTTP 401)%s%s",
                     said ? ": " : "", said ? said : "");
      else if (status == 403)
        g_set_error (error, VETTER_ERROR, VETTER_ERROR_SYNC, "Imagga refused the request, quota or plan (HTTP 403)%s%s",
                     said ? ": " : "", said ? said : "");
      else
        g_set_error (error, VETTER_ERROR, VETTER_ERROR_SYNC, "Imagga answered HTTP %u%s%s", status,
                     said ? ": " : "", said ? said : "");
      return NULL;
    }
  g_set_error_literal (error, VETTER_ERROR, VETTER_ERROR_SYNC, "Imagga is still limiting requests (HTTP 429)");
  return NULL;
}
