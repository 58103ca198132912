/* vetter-sync.c: the outbox's sender
 *
 * Runs on the caller's main context and never blocks it: rows are read and
 * reported through the engine's store thread, files are opened on a worker
 * thread, and HTTP goes through one SoupSession. At most MAX_IN_FLIGHT
 * requests at once. A transport error, 408, 409, 429 or 5xx is tried again
 * after a capped exponential back-off with jitter, or after the server's
 * Retry-After; any other 4xx, or too many attempts, parks the row for a
 * person. Effects are idempotent by construction (fixed S3 keys, a fixed
 * Message-Id per mail, a fixed webhook id), so a retry after a lost answer
 * repeats the same effect rather than making a second one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-sync"

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "vetter-couch-feed.h"
#include "vetter-couch.h"
#include "vetter-error.h"
#include "vetter-http.h"
#include "vetter-mail.h"
#include "vetter-s3.h"
#include "vetter-sync.h"
#include "vetter-webhook.h"

#define MAX_IN_FLIGHT   4
#define MAX_ATTEMPTS    10
#define MAX_DELAY_S     300
#define POLL_MS         250

struct _VetterSync
{
  GObject         parent_instance;

  VetterEngine   *engine;
  VetterServices *services;
  VetterS3       *s3;
  VetterCouchFeed *couch;        /* when a shared database is configured */
  SoupSession    *session;
  GCancellable   *cancellable;
  GArray         *busy;          /* ids of rows in flight */
  gboolean        fetching;
  guint           poll_source;
  guint           base_delay_ms;
  GPtrArray      *drains;        /* GTask* waiting for an empty outbox */
  VetterOutboxCounts counts;     /* as last read, for the window's indicator */
  gboolean        offline;       /* the last attempt reached no server */
};

G_DEFINE_FINAL_TYPE (VetterSync, vetter_sync, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void refresh_counts (VetterSync *self);

static void pump (VetterSync *self);

/* ---- On the store thread -------------------------------------------------- */

typedef struct
{
  guint   limit;
  GArray *busy;
} DueRequest;

static void
due_request_free (DueRequest *request)
{
  g_array_unref (request->busy);
  g_free (request);
}

static gpointer
store_due (VetterStore  *store,
           gpointer      data,
           GError      **error)
{
  DueRequest *request = data;

  return vetter_store_outbox_due (store, g_get_real_time (), request->limit, request->busy, error);
}

typedef struct
{
  gint64              id;
  gint64              seen;
  VetterOutboxResult  result;
  gint64              next_attempt;
  char               *text;
  char               *local_path;   /* an upload's file, to note its remote URL */
  char               *remote_url;
} Report;

static void
report_free (Report *report)
{
  g_free (report->text);
  g_free (report->local_path);
  g_free (report->remote_url);
  g_free (report);
}

static gpointer
store_report (VetterStore  *store,
              gpointer      data,
              GError      **error)
{
  Report *report = data;

  if (report->remote_url && !vetter_store_set_remote_url (store, report->local_path, report->remote_url, error))
    return NULL;
  if (!vetter_store_outbox_report (store, report->id, report->seen, report->result, report->next_attempt, report->text,
                                   error))
    return NULL;
  return GINT_TO_POINTER (1);
}

static gpointer
store_counts (VetterStore  *store,
              gpointer      data,
              GError      **error)
{
  VetterOutboxCounts *counts = g_new0 (VetterOutboxCounts, 1);

  if (!vetter_store_outbox_counts (store, counts, error))
    {
      g_free (counts);
      return NULL;
    }
  return counts;
}

static gpointer
store_item (VetterStore  *store,
            gpointer      data,
            GError      **error)
{
  return vetter_store_item_detail (store, *(gint64 *) data, error);
}

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

/* ---- Reporting back ------------------------------------------------------- */

typedef struct
{
  VetterSync      *self;
  VetterOutboxRow *row;
  JsonObject      *payload;
  JsonObject      *doc;          /* a database document as sent */
  guint            sends;        /* of it, within this attempt */
  char            *local_path;
  char            *remote_url;
} Job;

static void
job_free (Job *job)
{
  g_object_unref (job->self);
  vetter_outbox_row_free (job->row);
  g_clear_pointer (&job->payload, json_object_unref);
  g_clear_pointer (&job->doc, json_object_unref);
  g_free (job->local_path);
  g_free (job->remote_url);
  g_free (job);
}

static void
forget_busy (VetterSync *self,
             gint64      id)
{
  for (guint i = 0; i < self->busy->len; i++)
    if (g_array_index (self->busy, gint64, i) == id)
      {
        g_array_remove_index_fast (self->busy, i);
        return;
      }
}

/* The sender is stopping: the row stays pending for the next one. */
static void
abandon (Job *job)
{
  forget_busy (job->self, job->row->id);
  job_free (job);
}

static void
on_reported (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(VetterSync) self = user_data;
  g_autoptr(GError) error = NULL;

  if (vetter_engine_run_in_store_finish (VETTER_ENGINE (source), result, &error) == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot record the outcome of a sync: %s", error->message);
      return;
    }
  refresh_counts (self);
}

/* Capped exponential back-off with jitter: half to all of base × 2ⁿ. */
static gint64
retry_delay_us (VetterSync *self,
                int         attempts)
{
  double delay_ms = self->base_delay_ms * (double) (1u << MIN (attempts, 20));

  delay_ms = MIN (delay_ms, MAX_DELAY_S * 1000.0);
  return (gint64) (delay_ms * g_random_double_range (0.5, 1.0) * 1000);
}

static void
finish (Job                *job,
        VetterOutboxResult  outcome,
        gint64              retry_after_us,
        const char         *text)
{
  VetterSync *self = job->self;
  Report *report = g_new0 (Report, 1);

  report->id = job->row->id;
  report->seen = job->row->updated;
  report->result = outcome;
  report->text = g_strdup (text);
  if (outcome == VETTER_OUTBOX_DEFER)
    report->next_attempt = g_get_real_time () + retry_after_us;
  if (outcome == VETTER_OUTBOX_RETRY)
    {
      if (job->row->attempts + 1 >= MAX_ATTEMPTS)
        {
          report->result = VETTER_OUTBOX_PARK;
          g_free (report->text);
          report->text = g_strdup_printf ("gave up after %d attempts: %s", MAX_ATTEMPTS, text);
        }
      else
        report->next_attempt = g_get_real_time () +
                               (retry_after_us >= 0 ? retry_after_us : retry_delay_us (self, job->row->attempts));
    }
  if (outcome == VETTER_OUTBOX_DONE && job->remote_url)
    {
      report->local_path = g_strdup (job->local_path);
      report->remote_url = g_strdup (job->remote_url);
    }
  forget_busy (self, job->row->id);
  vetter_engine_run_in_store_async (self->engine, store_report, report, (GDestroyNotify) report_free, NULL,
                                    self->cancellable, on_reported, g_object_ref (self));
  job_free (job);
  pump (self);
}

/* Retry-After in seconds or as an HTTP date; -1 when absent. */
static gint64
retry_after (SoupMessage *message)
{
  const char *value = soup_message_headers_get_one (soup_message_get_response_headers (message), "Retry-After");
  g_autoptr(GDateTime) when = NULL;
  char *end;
  gint64 seconds;

  if (value == NULL)
    return -1;
  seconds = g_ascii_strtoll (value, &end, 10);
  if (end != value && *end == '\0' && seconds >= 0)
    return MIN (seconds, MAX_DELAY_S) * G_USEC_PER_SEC;
  when = soup_date_time_new_from_http_string (value);
  if (when == NULL)
    return -1;
  return CLAMP (g_date_time_to_unix (when) * G_USEC_PER_SEC - g_get_real_time (), 0, MAX_DELAY_S * G_USEC_PER_SEC);
}

/* The request reached no server: again later, unless we are stopping. */
static void
fail_transport (Job    *job,
                GError *error)
{
  g_autofree char *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      abandon (job);
      return;
    }
  text = g_strdup_printf ("cannot reach the server: %s", error->message);
  job->self->offline = TRUE;
  finish (job, VETTER_OUTBOX_RETRY, -1, text);
}

/* The server said no: again later if it may say yes then, else parked. */
static void
fail_status (Job         *job,
             SoupMessage *message,
             GBytes      *body)
{
  guint status = soup_message_get_status (message);
  gsize len;
  const char *data = g_bytes_get_data (body, &len);
  g_autofree char *excerpt = g_utf8_make_valid (data ? data : "", (gssize) MIN (len, 300));
  g_autofree char *text = g_strdup_printf ("HTTP %u %s: %s", status,
                                           soup_message_get_reason_phrase (message), g_strstrip (excerpt));
  gboolean transient = status == 408 || status == 409 || status == 429 || status >= 500;

  finish (job, transient ? VETTER_OUTBOX_RETRY : VETTER_OUTBOX_PARK, transient ? retry_after (message) : -1, text);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Job *job = user_data;
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  guint status;

  if (body == NULL)
    {
      fail_transport (job, error);
      return;
    }
  job->self->offline = FALSE;
  status = soup_message_get_status (message);
  if (status >= 200 && status < 300)
    finish (job, VETTER_OUTBOX_DONE, -1, NULL);
  else
    fail_status (job, message, body);
}

static void
send (Job         *job,
      SoupMessage *message)
{
  soup_session_send_and_read_async (job->self->session, message, G_PRIORITY_DEFAULT, job->self->cancellable,
                                    on_sent, job);
  g_object_unref (message);
}

/* ---- S3 uploads ----------------------------------------------------------- */

typedef struct
{
  GInputStream *stream;
  goffset       size;
} OpenedFile;

static void
opened_file_free (OpenedFile *file)
{
  g_clear_object (&file->stream);
  g_free (file);
}

static void
open_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  g_autoptr(GFile) file = g_file_new_for_path (task_data);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GFileInfo) info = NULL;
  GError *error = NULL;
  OpenedFile *opened;

  if ((stream = g_file_read (file, cancellable, &error)) == NULL ||
      (info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE, cancellable, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  opened = g_new0 (OpenedFile, 1);
  opened->stream = G_INPUT_STREAM (g_steal_pointer (&stream));
  opened->size = g_file_info_get_size (info);
  g_task_return_pointer (task, opened, (GDestroyNotify) opened_file_free);
}

static void
on_upload_restarted (SoupMessage  *message,
                     GInputStream *stream)
{
  SoupMessageHeaders *headers = soup_message_get_request_headers (message);
  goffset size = soup_message_headers_get_content_length (headers);
  /* A copy: setting the body replaces the header it points into. */
  g_autofree char *type = g_strdup (soup_message_headers_get_content_type (headers, NULL));

  if (G_IS_SEEKABLE (stream) && g_seekable_seek (G_SEEKABLE (stream), 0, G_SEEK_SET, NULL, NULL))
    soup_message_set_request_body (message, type, stream, size);
}

static void
on_file_opened (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(GError) error = NULL;
  OpenedFile *file = g_task_propagate_pointer (G_TASK (result), &error);
  const char *key = json_object_get_string_member (job->payload, "key");
  const char *type = json_object_get_string_member (job->payload, "content_type");
  SoupMessage *message;

  if (file == NULL)
    {
      g_autofree char *text = g_strdup_printf ("cannot read %s: %s", job->local_path, error->message);

      /* The file is gone: no retry will find it. */
      finish (job, VETTER_OUTBOX_PARK, -1, text);
      return;
    }
  message = vetter_s3_message (job->self->s3, "PUT", key, NULL, type);
  soup_message_set_request_body (message, type, file->stream, file->size);
  /* Sent again by libsoup itself after a dropped kept-alive connection:
   * from the file's start, not from where the first attempt stopped. */
  g_signal_connect_data (message, "restarted", G_CALLBACK (on_upload_restarted), g_object_ref (file->stream),
                         (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  job->remote_url = vetter_s3_object_url (job->self->s3, key);
  opened_file_free (file);
  send (job, message);
}

static void
send_upload (Job *job)
{
  g_autoptr(GTask) task = NULL;

  if (job->self->s3 == NULL)
    {
      finish (job, VETTER_OUTBOX_PARK, -1, "S3 is not configured");
      return;
    }
  job->local_path = g_strdup (json_object_get_string_member (job->payload, "path"));
  task = g_task_new (NULL, job->self->cancellable, on_file_opened, job);
  g_task_set_task_data (task, g_strdup (job->local_path), g_free);
  g_task_run_in_thread (task, open_in_thread);
}

/* ---- Mail ----------------------------------------------------------------- */

static void
on_mail_item (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Job *job = user_data;
  VetterServices *services = job->self->services;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) item = vetter_engine_run_in_store_finish (VETTER_ENGINE (source), result, &error);
  g_autoptr(VetterMail) mail = NULL;
  g_autoptr(SoupMultipart) form = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *url = NULL;
  SoupMessage *message;

  if (item == NULL)
    {
      finish (job, VETTER_OUTBOX_PARK, -1, error->message);
      return;
    }
  mail = vetter_mail_compose (item);
  if (mail == NULL)
    {
      /* Decided again since, to nothing final: there is nothing to say. */
      finish (job, VETTER_OUTBOX_DONE, -1, NULL);
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
      finish (job, VETTER_OUTBOX_PARK, -1, "the Mailgun URL is not valid");
      return;
    }
  soup_multipart_to_message (form, soup_message_get_request_headers (message), &body);
  vetter_http_set_body (message, NULL, body);
  vetter_http_set_basic_auth (message, "api", services->mailgun_key);
  send (job, message);
}

static void
send_mail (Job *job)
{
  gint64 item_id = json_object_get_int_member (job->payload, "item_id");

  if (!vetter_services_has_mail (job->self->services))
    {
      finish (job, VETTER_OUTBOX_PARK, -1, "Mailgun is not configured");
      return;
    }
  vetter_engine_run_in_store_async (job->self->engine, store_item, g_memdup2 (&item_id, sizeof item_id), g_free,
                                    (GDestroyNotify) json_object_unref, job->self->cancellable, on_mail_item, job);
}

/* ---- Webhooks ------------------------------------------------------------- */

static void
on_webhook_summary (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = vetter_engine_run_in_store_finish (VETTER_ENGINE (source), result, &error);
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
      finish (job, VETTER_OUTBOX_PARK, -1, error->message);
      return;
    }
  message = soup_message_new ("POST", json_object_get_string_member (job->payload, "url"));
  if (message == NULL)
    {
      finish (job, VETTER_OUTBOX_PARK, -1, "the callback URL is not valid");
      return;
    }
  body = g_strdup_printf ("{\"type\":\"batch.completed\",\"timestamp\":\"%s\",\"data\":{\"batch_id\":%" G_GINT64_FORMAT
                          ",\"summary\":%s}}", iso, json_object_get_int_member (job->payload, "batch_id"), summary);
  timestamp = g_strdup_printf ("%" G_GINT64_FORMAT, g_date_time_to_unix (now));
  signature = vetter_webhook_signature (job->self->services->webhook_secret, id, g_date_time_to_unix (now), body);
  headers = soup_message_get_request_headers (message);
  soup_message_headers_replace (headers, "webhook-id", id);
  soup_message_headers_replace (headers, "webhook-timestamp", timestamp);
  soup_message_headers_replace (headers, "webhook-signature", signature);
  {
    gsize body_len = strlen (body);
    g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&body), body_len);

    vetter_http_set_body (message, "application/json", bytes);
  }
  send (job, message);
}

static void
send_webhook (Job *job)
{
  gint64 batch_id = json_object_get_int_member (job->payload, "batch_id");

  if (job->self->services->webhook_secret == NULL)
    {
      finish (job, VETTER_OUTBOX_PARK, -1, "no webhook secret is configured to sign the callback");
      return;
    }
  vetter_engine_run_in_store_async (job->self->engine, store_batch_summary, g_memdup2 (&batch_id, sizeof batch_id),
                                    g_free, g_free, job->self->cancellable, on_webhook_summary, job);
}

/* ---- The shared database ------------------------------------------------- */

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

/* How the store took the database's answer. */
typedef struct
{
  VetterCouchOutcome outcome;
  gint64             changed_item;   /* whose decision or conflict changed, or 0 */
} Settled;

static gpointer
store_couch_accepted (VetterStore  *store,
                      gpointer      data,
                      GError      **error)
{
  CouchAnswer *answer = data;
  Settled *settled;

  if (!vetter_store_couch_accepted (store, answer->doc_id, answer->rev, answer->payload, error))
    return NULL;
  settled = g_new0 (Settled, 1);
  settled->outcome = VETTER_COUCH_ACCEPTED;
  return settled;
}

static gpointer
store_couch_refused (VetterStore  *store,
                     gpointer      data,
                     GError      **error)
{
  CouchAnswer *answer = data;
  Settled *settled = g_new0 (Settled, 1);

  settled->outcome = vetter_store_couch_refused (store, answer->ours, answer->theirs, answer->payload,
                                                 &settled->changed_item, error);
  if (settled->outcome == VETTER_COUCH_FAILED)
    g_clear_pointer (&settled, g_free);
  return settled;
}

static void send_couch (Job *job);

static void
on_couch_settled (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree Settled *settled = vetter_engine_run_in_store_finish (VETTER_ENGINE (source), result, &error);
  VetterCouchOutcome outcome = settled ? settled->outcome : VETTER_COUCH_FAILED;

  /* A conflict, or theirs adopted: the window shows the item as it is now. */
  if (settled && settled->changed_item > 0)
    {
      g_autoptr(GArray) changed = g_array_new (FALSE, FALSE, sizeof (gint64));

      g_array_append_val (changed, settled->changed_item);
      vetter_engine_announce_items (job->self->engine, changed);
    }
  switch (outcome)
    {
    case VETTER_COUCH_FAILED:
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        abandon (job);
      else
        finish (job, VETTER_OUTBOX_RETRY, -1, error->message);
      break;
    case VETTER_COUCH_ACCEPTED:
    case VETTER_COUCH_ADOPTED:
      finish (job, VETTER_OUTBOX_DONE, -1, NULL);
      break;
    case VETTER_COUCH_CONFLICT:
      /* Sent as far as it can be: the item now waits for a person. */
      finish (job, VETTER_OUTBOX_DONE, -1, NULL);
      break;
    case VETTER_COUCH_AGAIN:
      /* Theirs is known now: ours goes again with its revision, unless
       * it keeps changing under us (then later, like any 409). */
      if (job->sends < 3)
        send_couch (job);
      else
        finish (job, VETTER_OUTBOX_RETRY, -1, "the document kept changing on the server");
      break;
    default:
      g_assert_not_reached ();
    }
}

static CouchAnswer *
couch_answer_new (Job *job)
{
  CouchAnswer *answer = g_new0 (CouchAnswer, 1);

  answer->doc_id = g_strdup (json_object_get_string_member (job->payload, "doc"));
  answer->ours = json_object_ref (job->doc);
  answer->payload = json_object_ref (job->payload);
  return answer;
}

static void
on_couch_theirs (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Job *job = user_data;
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_autoptr(JsonObject) theirs = NULL;
  CouchAnswer *answer;

  if (body == NULL)
    {
      fail_transport (job, error);
      return;
    }
  if (soup_message_get_status (message) != 200 || (theirs = vetter_couch_parse (body, NULL)) == NULL)
    {
      fail_status (job, message, body);
      return;
    }
  answer = couch_answer_new (job);
  answer->theirs = g_steal_pointer (&theirs);
  vetter_engine_run_in_store_async (job->self->engine, store_couch_refused, answer, (GDestroyNotify) couch_answer_free,
                                    g_free, job->self->cancellable, on_couch_settled, job);
}

static void
on_couch_put (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Job *job = user_data;
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_autoptr(JsonObject) answer = NULL;
  const char *doc_id = json_object_get_string_member (job->payload, "doc");
  guint status;

  if (body == NULL)
    {
      fail_transport (job, error);
      return;
    }
  job->self->offline = FALSE;
  status = soup_message_get_status (message);
  if ((status == 201 || status == 202) && (answer = vetter_couch_parse (body, NULL)) &&
      json_object_has_member (answer, "rev"))
    {
      CouchAnswer *accepted = couch_answer_new (job);

      accepted->rev = g_strdup (json_object_get_string_member (answer, "rev"));
      vetter_engine_run_in_store_async (job->self->engine, store_couch_accepted, accepted,
                                        (GDestroyNotify) couch_answer_free, g_free, job->self->cancellable,
                                        on_couch_settled, job);
      return;
    }
  if (status == 409)
    {
      /* Someone wrote it since the revision we knew: read theirs. */
      SoupMessage *read = vetter_couch_message (job->self->services, "GET", doc_id, NULL, NULL);

      soup_session_send_and_read_async (job->self->session, read, G_PRIORITY_DEFAULT, job->self->cancellable,
                                        on_couch_theirs, job);
      g_object_unref (read);
      return;
    }
  if (status == 401 || status == 403)
    {
      g_autofree char *why = vetter_couch_describe (message, body);

      finish (job, VETTER_OUTBOX_PARK, -1, why);
      return;
    }
  fail_status (job, message, body);
}

static void
on_couch_doc (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(GError) error = NULL;
  BuiltDoc *built = vetter_engine_run_in_store_finish (VETTER_ENGINE (source), result, &error);
  SoupMessage *message;

  if (built == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        abandon (job);
      else
        finish (job, VETTER_OUTBOX_PARK, -1, error->message);
      return;
    }
  if (built->wait)
    {
      /* An ad goes once its image has a URL other desktops can fetch. */
      built_doc_free (built);
      finish (job, VETTER_OUTBOX_DEFER, G_USEC_PER_SEC, "waiting for its images' upload");
      return;
    }
  g_clear_pointer (&job->doc, json_object_unref);
  job->doc = g_steal_pointer (&built->doc);
  built_doc_free (built);
  job->sends++;
  message = vetter_couch_message (job->self->services, "PUT", json_object_get_string_member (job->payload, "doc"),
                                  NULL, job->doc);
  if (message == NULL)
    {
      finish (job, VETTER_OUTBOX_PARK, -1, "the database URL is not valid");
      return;
    }
  soup_session_send_and_read_async (job->self->session, message, G_PRIORITY_DEFAULT, job->self->cancellable,
                                    on_couch_put, job);
  g_object_unref (message);
}

/* A document goes as this desktop has it now, over the revision it
 * last saw; the store settles what a refusal means. */
static void
send_couch (Job *job)
{
  VetterSync *self = job->self;

  if (self->couch == NULL)
    {
      finish (job, VETTER_OUTBOX_PARK, -1, "no shared database is configured");
      return;
    }
  if (!vetter_couch_feed_is_ready (self->couch))
    {
      finish (job, VETTER_OUTBOX_DEFER, 2 * G_USEC_PER_SEC, vetter_couch_feed_get_problem (self->couch));
      return;
    }
  vetter_engine_run_in_store_async (self->engine, store_couch_doc,
                                    g_strdup (json_object_get_string_member (job->payload, "doc")), g_free,
                                    (GDestroyNotify) built_doc_free, self->cancellable, on_couch_doc, job);
}

/* ---- The pump ------------------------------------------------------------- */

static void
dispatch (VetterSync      *self,
          VetterOutboxRow *row)
{
  g_autoptr(JsonNode) node = json_from_string (row->payload, NULL);
  Job *job = g_new0 (Job, 1);

  job->self = g_object_ref (self);
  job->row = row;
  g_array_append_val (self->busy, row->id);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      finish (job, VETTER_OUTBOX_PARK, -1, "the outbox row is not JSON");
      return;
    }
  job->payload = json_object_ref (json_node_get_object (node));
  if (g_str_equal (row->kind, "s3_put"))
    send_upload (job);
  else if (g_str_equal (row->kind, "mail"))
    send_mail (job);
  else if (g_str_equal (row->kind, "webhook"))
    send_webhook (job);
  else if (g_str_equal (row->kind, "couch"))
    send_couch (job);
  else
    finish (job, VETTER_OUTBOX_PARK, -1, "no sender knows this kind of row");
}

static void
on_counts (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(VetterSync) self = user_data;
  g_autofree VetterOutboxCounts *counts = vetter_engine_run_in_store_finish (VETTER_ENGINE (source), result, NULL);

  if (counts == NULL || counts->pending > 0 || self->busy->len > 0)
    return;
  while (self->drains->len > 0)
    {
      g_autoptr(GTask) task = g_ptr_array_steal_index (self->drains, 0);

      g_task_return_pointer (task, g_memdup2 (counts, sizeof *counts), g_free);
    }
}

static void
on_counts_read (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(VetterSync) self = user_data;
  g_autofree VetterOutboxCounts *counts = vetter_engine_run_in_store_finish (VETTER_ENGINE (source), result, NULL);

  if (counts == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;
  self->counts = *counts;
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
refresh_counts (VetterSync *self)
{
  vetter_engine_run_in_store_async (self->engine, store_counts, NULL, NULL, g_free, self->cancellable,
                                    on_counts_read, g_object_ref (self));
}

static void
on_due (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(VetterSync) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = vetter_engine_run_in_store_finish (VETTER_ENGINE (source), result, &error);

  self->fetching = FALSE;
  if (rows == NULL)
    return;
  while (rows->len > 0)
    dispatch (self, g_ptr_array_steal_index (rows, 0));
  if (self->drains->len > 0 && self->busy->len == 0)
    vetter_engine_run_in_store_async (self->engine, store_counts, NULL, NULL, g_free, self->cancellable,
                                      on_counts, g_object_ref (self));
}

static void
pump (VetterSync *self)
{
  DueRequest *request;

  if (self->fetching || self->busy->len >= MAX_IN_FLIGHT || g_cancellable_is_cancelled (self->cancellable))
    return;
  self->fetching = TRUE;
  request = g_new0 (DueRequest, 1);
  request->limit = MAX_IN_FLIGHT - self->busy->len;
  request->busy = g_array_copy (self->busy);
  vetter_engine_run_in_store_async (self->engine, store_due, request, (GDestroyNotify) due_request_free,
                                    (GDestroyNotify) g_ptr_array_unref, self->cancellable, on_due, g_object_ref (self));
}

static gboolean
on_poll (gpointer user_data)
{
  pump (user_data);
  return G_SOURCE_CONTINUE;
}

/* ---- GObject -------------------------------------------------------------- */

static void
vetter_sync_dispose (GObject *object)
{
  VetterSync *self = VETTER_SYNC (object);

  vetter_sync_stop (self);
  while (self->drains && self->drains->len > 0)
    {
      g_autoptr(GTask) task = g_ptr_array_steal_index (self->drains, 0);

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "the sender stopped");
    }
  g_clear_object (&self->couch);
  g_clear_object (&self->session);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (vetter_sync_parent_class)->dispose (object);
}

static void
vetter_sync_finalize (GObject *object)
{
  VetterSync *self = VETTER_SYNC (object);

  g_clear_pointer (&self->services, vetter_services_free);
  g_clear_pointer (&self->s3, vetter_s3_free);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->busy, g_array_unref);
  g_clear_pointer (&self->drains, g_ptr_array_unref);

  G_OBJECT_CLASS (vetter_sync_parent_class)->finalize (object);
}

static void
vetter_sync_class_init (VetterSyncClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vetter_sync_dispose;
  object_class->finalize = vetter_sync_finalize;

  /* The counts or the connection changed: vetter_sync_get_state() tells. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
vetter_sync_init (VetterSync *self)
{
  self->cancellable = g_cancellable_new ();
  self->busy = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->drains = g_ptr_array_new ();
  self->base_delay_ms = 2000;
}

static void
on_couch_changed (VetterSync *self)
{
  if (vetter_couch_feed_is_ready (self->couch))
    pump (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

VetterSync *
vetter_sync_new (VetterEngine         *engine,
                 const VetterServices *services)
{
  VetterSync *self = g_object_new (VETTER_TYPE_SYNC, NULL);
  g_autofree char *agent = g_strdup_printf ("Vetter/%s", PACKAGE_VERSION);

  self->engine = g_object_ref (engine);
  self->services = vetter_services_copy (services);
  self->s3 = vetter_s3_new (services);
  /* Enough connections for MAX_IN_FLIGHT uploads to one host; an I/O
   * timeout so a server that stops answering frees its slot. */
  self->session = g_object_new (SOUP_TYPE_SESSION, "max-conns", 16, "max-conns-per-host", MAX_IN_FLIGHT + 2,
                                "timeout", 60, "user-agent", agent, NULL);
  if (vetter_services_has_couch (services))
    {
      self->couch = vetter_couch_feed_new (engine, services, self->session);
      g_signal_connect_object (self->couch, "changed", G_CALLBACK (on_couch_changed), self, G_CONNECT_SWAPPED);
    }
  self->poll_source = g_timeout_add (POLL_MS, on_poll, self);
  pump (self);
  refresh_counts (self);
  return self;
}

const VetterOutboxCounts *
vetter_sync_get_counts (VetterSync *self)
{
  g_return_val_if_fail (VETTER_IS_SYNC (self), NULL);
  return &self->counts;
}

gboolean
vetter_sync_get_offline (VetterSync *self)
{
  g_return_val_if_fail (VETTER_IS_SYNC (self), FALSE);
  return self->offline;
}

static gpointer
store_list_parked (VetterStore  *store,
                   gpointer      data,
                   GError      **error)
{
  return vetter_store_outbox_list (store, "parked", 200, error);
}

void
vetter_sync_list_parked_async (VetterSync          *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (VETTER_IS_SYNC (self));
  vetter_engine_run_in_store_async (self->engine, store_list_parked, NULL, NULL, (GDestroyNotify) g_ptr_array_unref,
                                    cancellable, callback, user_data);
}

GPtrArray *
vetter_sync_list_parked_finish (VetterSync    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return vetter_engine_run_in_store_finish (self->engine, result, error);
}

static gpointer
store_unpark_all (VetterStore  *store,
                  gpointer      data,
                  GError      **error)
{
  g_autoptr(GPtrArray) parked = vetter_store_outbox_list (store, "parked", G_MAXINT, error);

  if (parked == NULL)
    return NULL;
  for (guint i = 0; i < parked->len; i++)
    if (!vetter_store_outbox_report (store, ((VetterOutboxRow *) parked->pdata[i])->id,
                                     ((VetterOutboxRow *) parked->pdata[i])->updated, VETTER_OUTBOX_UNPARK,
                                     0, NULL, error))
      return NULL;
  return GINT_TO_POINTER (1);
}

static void
on_unparked (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(VetterSync) self = user_data;

  vetter_engine_run_in_store_finish (VETTER_ENGINE (source), result, NULL);
  refresh_counts (self);
  pump (self);
}

/* A person's "try again": every parked row is due now, its count reset. */
void
vetter_sync_retry_parked (VetterSync *self)
{
  g_return_if_fail (VETTER_IS_SYNC (self));
  vetter_engine_run_in_store_async (self->engine, store_unpark_all, NULL, NULL, NULL, self->cancellable,
                                    on_unparked, g_object_ref (self));
}

void
vetter_sync_set_base_delay (VetterSync *self,
                            guint       milliseconds)
{
  g_return_if_fail (VETTER_IS_SYNC (self));
  self->base_delay_ms = MAX (milliseconds, 1);
}

static void
on_timeout_counts (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  VetterOutboxCounts *counts = vetter_engine_run_in_store_finish (VETTER_ENGINE (source), result, &error);

  if (counts == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, counts, g_free);
}

typedef struct
{
  VetterSync *self;
  GTask      *task;   /* not dereferenced unless still waiting in self->drains */
} DrainTimeout;

static void
drain_timeout_free (DrainTimeout *timeout)
{
  g_object_unref (timeout->self);
  g_free (timeout);
}

/* Time is up: the caller learns what is left rather than an error. */
static gboolean
on_drain_timeout (gpointer user_data)
{
  DrainTimeout *timeout = user_data;

  if (timeout->self->engine && g_ptr_array_remove (timeout->self->drains, timeout->task))
    vetter_engine_run_in_store_async (timeout->self->engine, store_counts, NULL, NULL, g_free, NULL,
                                      on_timeout_counts, timeout->task);
  return G_SOURCE_REMOVE;
}

void
vetter_sync_drain_async (VetterSync          *self,
                         guint                timeout,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  GSource *source = g_timeout_source_new_seconds (timeout);
  DrainTimeout *closure = g_new0 (DrainTimeout, 1);

  g_task_set_source_tag (task, vetter_sync_drain_async);
  g_ptr_array_add (self->drains, task);
  /* The task lives in self->drains until an empty outbox or the timeout
   * takes it out, whichever comes first. */
  closure->self = g_object_ref (self);
  closure->task = task;
  g_source_set_callback (source, on_drain_timeout, closure, (GDestroyNotify) drain_timeout_free);
  g_source_attach (source, g_main_context_get_thread_default ());
  g_source_unref (source);
  pump (self);
}

gboolean
vetter_sync_drain_finish (VetterSync          *self,
                          GAsyncResult        *result,
                          VetterOutboxCounts  *left,
                          GError             **error)
{
  g_autofree VetterOutboxCounts *counts = g_task_propagate_pointer (G_TASK (result), error);

  if (counts == NULL)
    return FALSE;
  if (left)
    *left = *counts;
  return TRUE;
}

/* Sends nothing more, at once, even while callbacks still hold it: a
 * sender being replaced must not race its successor over the outbox.
 * Requests in flight are abandoned; their rows stay pending. */
void
vetter_sync_stop (VetterSync *self)
{
  g_return_if_fail (VETTER_IS_SYNC (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->poll_source, g_source_remove);
  if (self->couch)
    vetter_couch_feed_stop (self->couch);
  if (self->session)
    soup_session_abort (self->session);
}

/* The shared database's feed and claims, when one is configured. */
VetterCouchFeed *
vetter_sync_get_couch (VetterSync *self)
{
  g_return_val_if_fail (VETTER_IS_SYNC (self), NULL);
  return self->couch;
}
