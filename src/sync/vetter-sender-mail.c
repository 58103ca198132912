/* vetter-sender-mail.c: the advertiser's mail, through Mailgun
 *
 * The item is read as it is when the mail goes, not when it was queued:
 * a decision changed since to nothing final has nothing to say. The
 * message carries a fixed Message-Id, so a resend after a lost answer is
 * recognisably the same mail.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-sync"

#include "config.h"

#include "vetter-http.h"
#include "vetter-mail.h"
#include "vetter-store.h"
#include "vetter-sync-private.h"

static gpointer
store_item (VetterStore  *store,
            gpointer      data,
            GError      **error)
{
  return vetter_store_item_detail (store, *(gint64 *) data, error);
}

static void
on_mail_item (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  VetterSyncJob *job = user_data;
  VetterServices *services = job->sync->services;
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterItemDetail) item = vetter_database_run_finish (VETTER_DATABASE (source), result, &error);
  g_autoptr(VetterMail) mail = NULL;
  g_autoptr(SoupMultipart) form = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *url = NULL;
  SoupMessage *message;

  if (item == NULL)
    {
      vetter_sync_job_finish (job, VETTER_OUTBOX_PARK, -1, error->message);
      return;
    }
  mail = vetter_mail_compose (item);
  if (mail == NULL)
    {
      /* Decided again since, to nothing final: there is nothing to say. */
      vetter_sync_job_finish (job, VETTER_OUTBOX_DONE, -1, NULL);
      return;
    }
  form = soup_multipart_new (SOUP_FORM_MIME_TYPE_MULTIPART);
  soup_multipart_append_form_string (form, "from", services->mail_from);
  soup_multipart_append_form_string (form, "to", mail->to);
  soup_multipart_append_form_string (form, "subject", mail->subject);
  soup_multipart_append_form_string (form, "text", mail->text);
  soup_multipart_append_form_string (form, "html", mail->html);
  soup_multipart_append_form_string (form, "h:Message-Id", json_object_get_string_member (job->payload, "message_id"));
  soup_multipart_append_form_string (form, "v:vetter-item", json_object_get_string_member (job->payload, "message_id"));

  url = g_strdup_printf ("%s/v3/%s/messages", services->mailgun_url, services->mailgun_domain);
  message = soup_message_new ("POST", url);
  if (message == NULL)
    {
      vetter_sync_job_finish (job, VETTER_OUTBOX_PARK, -1, "the Mailgun URL is not valid");
      return;
    }
  soup_multipart_to_message (form, soup_message_get_request_headers (message), &body);
  vetter_http_set_body (message, NULL, body);
  vetter_http_set_basic_auth (message, "api", services->mailgun_key);
  vetter_sync_job_send (job, message);
}

void
vetter_sender_mail (VetterSyncJob *job)
{
  gint64 item_id = json_object_get_int_member (job->payload, "item_id");

  if (!vetter_services_has_mail (job->sync->services))
    {
      vetter_sync_job_finish (job, VETTER_OUTBOX_PARK, -1, "Mailgun is not configured");
      return;
    }
  vetter_database_run_async (job->sync->database, store_item, g_memdup2 (&item_id, sizeof item_id), g_free,
                             (GDestroyNotify) vetter_item_detail_unref, job->sync->cancellable, on_mail_item, job);
}
