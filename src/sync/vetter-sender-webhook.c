/* vetter-sender-webhook.c: a finished batch's callback
 *
 * The body is the batch's summary as `vetter batch --json` writes it,
 * signed the Standard Webhooks way under a fixed webhook-id, so that the
 * receiver can tell a resend from a second callback.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-sync"

#include "config.h"

#include <string.h>

#include "vetter-http.h"
#include "vetter-store.h"
#include "vetter-sync-private.h"
#include "vetter-webhook.h"

/* The batch's summary, as `vetter batch --json` writes it. */
static gpointer
store_batch_summary (VetterStore  *store,
                     gpointer      data,
                     GError      **error)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(VetterSummary) summary = NULL;

  summary = vetter_store_write_summary (store, data, 1, out, error);
  if (summary == NULL || !g_output_stream_close (out, NULL, error))
    return NULL;
  return g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)));
}

static void
on_webhook_summary (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  VetterSyncJob *job = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = vetter_database_run_finish (VETTER_DATABASE (source), result, &error);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *iso = g_date_time_format_iso8601 (now);
  g_autofree char *body = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *timestamp = NULL;
  const char *id = json_object_get_string_member (job->payload, "webhook_id");
  SoupMessageHeaders *headers;
  SoupMessage *message;

  if (summary == NULL)
    {
      vetter_sync_job_finish (job, VETTER_OUTBOX_PARK, -1, error->message);
      return;
    }
  message = soup_message_new ("POST", json_object_get_string_member (job->payload, "url"));
  if (message == NULL)
    {
      vetter_sync_job_finish (job, VETTER_OUTBOX_PARK, -1, "the callback URL is not valid");
      return;
    }
  body = g_strdup_printf ("{\"type\":\"batch.completed\",\"timestamp\":\"%s\",\"data\":{\"batch_id\":%" G_GINT64_FORMAT
                          ",\"summary\":%s}}", iso, json_object_get_int_member (job->payload, "batch_id"), summary);
  timestamp = g_strdup_printf ("%" G_GINT64_FORMAT, g_date_time_to_unix (now));
  signature = vetter_webhook_signature (job->sync->services->webhook_secret, id, g_date_time_to_unix (now), body);
  headers = soup_message_get_request_headers (message);
  soup_message_headers_replace (headers, "webhook-id", id);
  soup_message_headers_replace (headers, "webhook-timestamp", timestamp);
  soup_message_headers_replace (headers, "webhook-signature", signature);
  {
    gsize body_len = strlen (body);
    g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&body), body_len);

    vetter_http_set_body (message, "application/json", bytes);
  }
  vetter_sync_job_send (job, message);
}

void
vetter_sender_webhook (VetterSyncJob *job)
{
  gint64 batch_id = json_object_get_int_member (job->payload, "batch_id");

  if (job->sync->services->webhook_secret == NULL)
    {
      vetter_sync_job_finish (job, VETTER_OUTBOX_PARK, -1, "no webhook secret is configured to sign the callback");
      return;
    }
  vetter_database_run_async (job->sync->database, store_batch_summary, g_memdup2 (&batch_id, sizeof batch_id), g_free,
                             g_free, job->sync->cancellable, on_webhook_summary, job);
}
