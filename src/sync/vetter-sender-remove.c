/* vetter-sender-remove.c: what another machine holds of a deleted ad, removed
 *
 * A variant's object in the bucket is deleted by its key (S3 answers the
 * same whether it was there or not). A document of the shared database is
 * read for its current revision and deleted at that revision; one already
 * gone is done, and one changed between the two is read again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-sync"

#include "config.h"

#include "vetter-json.h"
#include "vetter-sync-private.h"

/* Reads and deletes of one document within one attempt. */
#define MAX_TRIES 3

static void read_document (VetterSyncJob *job);

static void
fail_answer (VetterSyncJob     *job,
             VetterCouchAnswer *answer)
{
  g_autofree char *text = vetter_couch_answer_describe (answer);

  vetter_sync_job_fail_status (job, answer->status, text, -1);
}

static void
on_deleted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  VetterSyncJob *job = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterCouchAnswer) answer = vetter_couch_client_request_finish (VETTER_COUCH_CLIENT (source), result, &error);

  if (answer == NULL)
    vetter_sync_job_fail_transport (job, error);
  else if (answer->status == 200 || answer->status == 202 || answer->status == 404)
    vetter_sync_job_finish (job, VETTER_OUTBOX_DONE, -1, NULL);
  else if (answer->status == 409 && job->sends < MAX_TRIES)
    read_document (job);   /* written again meanwhile */
  else
    fail_answer (job, answer);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  VetterSyncJob *job = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterCouchAnswer) answer = vetter_couch_client_request_finish (VETTER_COUCH_CLIENT (source), result, &error);
  g_autofree char *query = NULL;
  const char *rev;

  if (answer == NULL)
    {
      vetter_sync_job_fail_transport (job, error);
      return;
    }
  if (answer->status == 404)
    {
      vetter_sync_job_finish (job, VETTER_OUTBOX_DONE, -1, NULL);
      return;
    }
  rev = answer->status == 200 ? vetter_json_string (answer->body, "_rev") : NULL;
  if (rev == NULL)
    {
      fail_answer (job, answer);
      return;
    }
  query = g_strconcat ("rev=", rev, NULL);
  vetter_couch_client_request_async (job->sync->couch_client, "DELETE", json_object_get_string_member (job->payload, "doc"),
                                     query, NULL, FALSE, job->sync->cancellable, on_deleted, job);
}

static void
read_document (VetterSyncJob *job)
{
  job->sends++;
  vetter_couch_client_request_async (job->sync->couch_client, "GET", json_object_get_string_member (job->payload, "doc"),
                                     NULL, NULL, FALSE, job->sync->cancellable, on_read, job);
}

void
vetter_sender_remove (VetterSyncJob *job)
{
  VetterSync *sync = job->sync;
  const char *key = vetter_json_string (job->payload, "s3");

  if (key)
    {
      if (sync->s3 == NULL)
        vetter_sync_job_finish (job, VETTER_OUTBOX_PARK, -1, "S3 is not configured");
      else
        vetter_sync_job_send (job, vetter_s3_message (sync->s3, "DELETE", key, NULL, NULL));
      return;
    }
  if (vetter_json_string (job->payload, "doc") == NULL)
    vetter_sync_job_finish (job, VETTER_OUTBOX_PARK, -1, "the removal names nothing to remove");
  else if (sync->couch_setup == NULL)
    vetter_sync_job_finish (job, VETTER_OUTBOX_PARK, -1, "no shared database is configured");
  else if (!vetter_couch_setup_get_ready (sync->couch_setup))
    vetter_sync_job_finish (job, VETTER_OUTBOX_DEFER, 2 * G_USEC_PER_SEC,
                            vetter_couch_setup_get_problem (sync->couch_setup));
  else
    read_document (job);
}
