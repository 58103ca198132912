/* vetter-sender-couch.c: a document to the shared database
 *
 * The document goes as this desktop has it now, over the revision it last
 * saw. Taken: the store notes the new revision (and, for a decision, lets
 * its mail go). Refused for a revision it did not know: theirs is read,
 * and the store settles what that means by the rule in
 * vetter-store-couch.c: nothing more, theirs adopted, ours again over
 * theirs, or a conflict for a person.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-sync"

#include "config.h"

#include "vetter-json.h"
#include "vetter-store.h"
#include "vetter-sync-private.h"

/* Sends of one document within one attempt before it counts as a 409. */
#define MAX_SENDS 3

typedef struct
{
  JsonObject *doc;
  gboolean    wait;
} BuiltDoc;

static void
built_doc_free (BuiltDoc *built)
{
  g_clear_pointer (&built->doc, json_object_unref);
  g_free (built);
}

static gpointer
store_couch_doc (VetterStore  *store,
                 gpointer      data,
                 GError      **error)
{
  BuiltDoc *built = g_new0 (BuiltDoc, 1);

  built->doc = vetter_store_couch_doc (store, data, &built->wait, error);
  if (built->doc == NULL && !built->wait)
    {
      built_doc_free (built);
      return NULL;
    }
  return built;
}

typedef struct
{
  char       *doc_id;
  char       *rev;
  JsonObject *ours;
  JsonObject *theirs;
  JsonObject *payload;
} CouchAnswer;

static void
couch_answer_free (CouchAnswer *answer)
{
  g_free (answer->doc_id);
  g_free (answer->rev);
  g_clear_pointer (&answer->ours, json_object_unref);
  g_clear_pointer (&answer->theirs, json_object_unref);
  g_clear_pointer (&answer->payload, json_object_unref);
  g_free (answer);
}

static CouchAnswer *
couch_answer_new (VetterSyncJob *job)
{
  CouchAnswer *answer = g_new0 (CouchAnswer, 1);

  answer->doc_id = g_strdup (json_object_get_string_member (job->payload, "doc"));
  answer->ours = json_object_ref (job->doc);
  answer->payload = json_object_ref (job->payload);
  return answer;
}

static gpointer
store_couch_accepted (VetterStore  *store,
                      gpointer      data,
                      GError      **error)
{
  CouchAnswer *answer = data;

  if (!vetter_store_couch_accepted (store, answer->doc_id, answer->rev, answer->payload, error))
    return NULL;
  return GINT_TO_POINTER (VETTER_COUCH_ACCEPTED);
}

static gpointer
store_couch_refused (VetterStore  *store,
                     gpointer      data,
                     GError      **error)
{
  CouchAnswer *answer = data;
  VetterCouchOutcome outcome = vetter_store_couch_refused (store, answer->ours, answer->theirs, answer->payload, error);

  return outcome == VETTER_COUCH_FAILED ? NULL : GINT_TO_POINTER (outcome);
}

static void send_doc (VetterSyncJob *job);

static void
on_settled (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  VetterSyncJob *job = user_data;
  g_autoptr(GError) error = NULL;
  VetterCouchOutcome outcome = GPOINTER_TO_INT (vetter_database_run_finish (VETTER_DATABASE (source), result, &error));

  switch (outcome)
    {
    case VETTER_COUCH_FAILED:
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        vetter_sync_job_abandon (job);
      else
        vetter_sync_job_finish (job, VETTER_OUTBOX_RETRY, -1, error->message);
      break;
    case VETTER_COUCH_ACCEPTED:
    case VETTER_COUCH_ADOPTED:
    case VETTER_COUCH_CONFLICT:
      /* Sent as far as it can be; a conflict now waits for a person. */
      vetter_sync_job_finish (job, VETTER_OUTBOX_DONE, -1, NULL);
      break;
    case VETTER_COUCH_AGAIN:
      /* Theirs is known now: ours goes again with its revision, unless
       * it keeps changing under us (then later, like any 409). */
      if (job->sends < MAX_SENDS)
        send_doc (job);
      else
        vetter_sync_job_finish (job, VETTER_OUTBOX_RETRY, -1, "the document kept changing on the server");
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Refusals of who may write are parked with the server's reason; the rest
 * as any server's answer. */
static void
fail_answer (VetterSyncJob           *job,
             const VetterCouchAnswer *answer)
{
  g_autofree char *why = vetter_couch_answer_describe (answer);

  if (answer->status == 401 || answer->status == 403)
    vetter_sync_job_finish (job, VETTER_OUTBOX_PARK, -1, why);
  else
    vetter_sync_job_fail_status (job, answer->status, why, -1);
}

static void
on_theirs (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  VetterSyncJob *job = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterCouchAnswer) answer = vetter_couch_client_request_finish (VETTER_COUCH_CLIENT (source), result, &error);
  CouchAnswer *refused;

  if (answer == NULL)
    {
      vetter_sync_job_fail_transport (job, error);
      return;
    }
  if (answer->status != 200 || answer->body == NULL)
    {
      fail_answer (job, answer);
      return;
    }
  refused = couch_answer_new (job);
  refused->theirs = json_object_ref (answer->body);
  vetter_database_run_async (job->sync->database, store_couch_refused, refused, (GDestroyNotify) couch_answer_free,
                             NULL, job->sync->cancellable, on_settled, job);
}

static void
on_put (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  VetterSyncJob *job = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterCouchAnswer) answer = vetter_couch_client_request_finish (VETTER_COUCH_CLIENT (source), result, &error);
  const char *doc_id = json_object_get_string_member (job->payload, "doc");

  if (answer == NULL)
    {
      vetter_sync_job_fail_transport (job, error);
      return;
    }
  if ((answer->status == 201 || answer->status == 202) && vetter_json_string (answer->body, "rev"))
    {
      CouchAnswer *accepted = couch_answer_new (job);

      accepted->rev = g_strdup (vetter_json_string (answer->body, "rev"));
      vetter_database_run_async (job->sync->database, store_couch_accepted, accepted,
                                 (GDestroyNotify) couch_answer_free, NULL, job->sync->cancellable, on_settled, job);
      return;
    }
  if (answer->status == 409)
    {
      /* Someone wrote it since the revision we knew: read theirs. */
      vetter_couch_client_request_async (job->sync->couch_client, "GET", doc_id, NULL, NULL, FALSE,
                                         job->sync->cancellable, on_theirs, job);
      return;
    }
  fail_answer (job, answer);
}

static void
on_doc_built (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  VetterSyncJob *job = user_data;
  g_autoptr(GError) error = NULL;
  BuiltDoc *built = vetter_database_run_finish (VETTER_DATABASE (source), result, &error);

  if (built == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        vetter_sync_job_abandon (job);
      else
        vetter_sync_job_finish (job, VETTER_OUTBOX_PARK, -1, error->message);
      return;
    }
  if (built->wait)
    {
      /* An ad goes once its image has a URL other desktops can fetch. */
      built_doc_free (built);
      vetter_sync_job_finish (job, VETTER_OUTBOX_DEFER, G_USEC_PER_SEC, "waiting for its images' upload");
      return;
    }
  g_clear_pointer (&job->doc, json_object_unref);
  job->doc = g_steal_pointer (&built->doc);
  built_doc_free (built);
  job->sends++;
  vetter_couch_client_request_async (job->sync->couch_client, "PUT", json_object_get_string_member (job->payload, "doc"),
                                     NULL, job->doc, FALSE, job->sync->cancellable, on_put, job);
}

static void
send_doc (VetterSyncJob *job)
{
  vetter_database_run_async (job->sync->database, store_couch_doc,
                             g_strdup (json_object_get_string_member (job->payload, "doc")), g_free,
                             (GDestroyNotify) built_doc_free, job->sync->cancellable, on_doc_built, job);
}

void
vetter_sender_couch (VetterSyncJob *job)
{
  VetterSync *sync = job->sync;

  if (sync->couch_setup == NULL)
    {
      vetter_sync_job_finish (job, VETTER_OUTBOX_PARK, -1, "no shared database is configured");
      return;
    }
  if (!vetter_couch_setup_get_ready (sync->couch_setup))
    {
      vetter_sync_job_finish (job, VETTER_OUTBOX_DEFER, 2 * G_USEC_PER_SEC,
                              vetter_couch_setup_get_problem (sync->couch_setup));
      return;
    }
  send_doc (job);
}
