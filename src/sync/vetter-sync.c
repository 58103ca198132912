/* vetter-sync.c: the outbox's scheduler
 *
 * Runs on the caller's main context and never blocks it: rows are read and
 * reported through the database thread, and HTTP goes through one
 * SoupSession. It wakes when the database says the outbox changed, and
 * when the next row put off for later is due; nothing polls. At most
 * MAX_IN_FLIGHT rows at once, each handed to the sender of its kind
 * (vetter-sender-*.c). A transport error, 408, 409, 429 or 5xx is tried
 * again after a capped exponential back-off with jitter, or after the
 * server's Retry-After; any other 4xx, or too many attempts, parks the row
 * for a person. Effects are idempotent by construction (fixed S3 keys, a
 * fixed Message-Id per mail, a fixed webhook id, document ids and
 * revisions), so a retry after a lost answer repeats the same effect
 * rather than making a second one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-sync"

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "vetter-error.h"
#include "vetter-store.h"
#include "vetter-sync-private.h"

#define MAX_IN_FLIGHT   4
#define MAX_ATTEMPTS    10
#define MAX_DELAY_S     300

G_DEFINE_FINAL_TYPE (VetterSync, vetter_sync, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PENDING,
  PROP_PARKED,
  PROP_OFFLINE,
  PROP_COUCH_PROBLEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const VetterSender senders[VETTER_N_OUTBOX_KINDS] = {
  [VETTER_OUTBOX_S3_PUT] = vetter_sender_upload,
  [VETTER_OUTBOX_MAIL] = vetter_sender_mail,
  [VETTER_OUTBOX_WEBHOOK] = vetter_sender_webhook,
  [VETTER_OUTBOX_COUCH] = vetter_sender_couch,
  [VETTER_OUTBOX_REMOVE] = vetter_sender_remove,
};

static void pump (VetterSync *self);
static void refresh_counts (VetterSync *self);

/* ---- On the database thread ----------------------------------------------- */

typedef struct
{
  guint   limit;
  GArray *busy;
} DueRequest;

typedef struct
{
  GPtrArray *rows;
  gint64     next_due;
} Due;

static void
due_request_free (DueRequest *request)
{
  g_array_unref (request->busy);
  g_free (request);
}

static void
due_free (Due *due)
{
  g_clear_pointer (&due->rows, g_ptr_array_unref);
  g_free (due);
}

static gpointer
store_due (VetterStore  *store,
           gpointer      data,
           GError      **error)
{
  DueRequest *request = data;
  Due *due = g_new0 (Due, 1);

  due->rows = vetter_store_outbox_due (store, g_get_real_time (), request->limit, request->busy, &due->next_due, error);
  if (due->rows == NULL)
    {
      due_free (due);
      return NULL;
    }
  return due;
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

  if (!vetter_store_outbox_report (store, report->id, report->seen, report->result, report->next_attempt, report->text,
                                   error))
    return NULL;
  if (report->remote_url && !vetter_store_upload_done (store, report->local_path, report->remote_url, error))
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

/* ---- How jobs end --------------------------------------------------------- */

static void
job_free (VetterSyncJob *job)
{
  g_object_unref (job->sync);
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

static void
set_offline (VetterSync *self,
             gboolean    offline)
{
  if (self->offline == offline)
    return;
  self->offline = offline;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OFFLINE]);
}

void
vetter_sync_job_abandon (VetterSyncJob *job)
{
  forget_busy (job->sync, job->row->id);
  job_free (job);
}

static void
on_reported (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (vetter_database_run_finish (VETTER_DATABASE (source), result, &error) == NULL &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Cannot record the outcome of a sync: %s", error->message);
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

void
vetter_sync_job_finish (VetterSyncJob      *job,
                        VetterOutboxResult  outcome,
                        gint64              retry_after_us,
                        const char         *text)
{
  VetterSync *self = job->sync;
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
  vetter_database_run_async (self->database, store_report, report, (GDestroyNotify) report_free, NULL,
                             self->cancellable, on_reported, NULL);
  job_free (job);
  pump (self);
}

void
vetter_sync_job_fail_transport (VetterSyncJob *job,
                                GError        *error)
{
  g_autofree char *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      vetter_sync_job_abandon (job);
      return;
    }
  text = g_strdup_printf ("cannot reach the server: %s", error->message);
  set_offline (job->sync, TRUE);
  vetter_sync_job_finish (job, VETTER_OUTBOX_RETRY, -1, text);
}

void
vetter_sync_job_fail_status (VetterSyncJob *job,
                             guint          status,
                             const char    *text,
                             gint64         retry_after_us)
{
  gboolean transient = status == 408 || status == 409 || status == 429 || status >= 500;

  vetter_sync_job_finish (job, transient ? VETTER_OUTBOX_RETRY : VETTER_OUTBOX_PARK, transient ? retry_after_us : -1,
                          text);
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

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  VetterSyncJob *job = user_data;
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  guint status;

  if (body == NULL)
    {
      vetter_sync_job_fail_transport (job, error);
      return;
    }
  set_offline (job->sync, FALSE);
  status = soup_message_get_status (message);
  if (status >= 200 && status < 300)
    vetter_sync_job_finish (job, VETTER_OUTBOX_DONE, -1, NULL);
  else
    {
      gsize len;
      const char *data = g_bytes_get_data (body, &len);
      g_autofree char *excerpt = g_utf8_make_valid (data ? data : "", (gssize) MIN (len, 300));
      g_autofree char *text = g_strdup_printf ("HTTP %u %s: %s", status, soup_message_get_reason_phrase (message),
                                               g_strstrip (excerpt));

      vetter_sync_job_fail_status (job, status, text, retry_after (message));
    }
}

void
vetter_sync_job_send (VetterSyncJob *job,
                      SoupMessage   *message)
{
  soup_session_send_and_read_async (job->sync->session, message, G_PRIORITY_DEFAULT, job->sync->cancellable,
                                    on_sent, job);
  g_object_unref (message);
}

/* ---- The pump ------------------------------------------------------------- */

static void
dispatch (VetterSync      *self,
          VetterOutboxRow *row)
{
  g_autoptr(JsonNode) node = json_from_string (row->payload, NULL);
  VetterSyncJob *job = g_new0 (VetterSyncJob, 1);

  job->sync = g_object_ref (self);
  job->row = row;
  g_array_append_val (self->busy, row->id);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      vetter_sync_job_finish (job, VETTER_OUTBOX_PARK, -1, "the outbox row is not JSON");
      return;
    }
  job->payload = json_object_ref (json_node_get_object (node));
  senders[row->kind] (job);
}

static void
answer_drains (VetterSync               *self,
               const VetterOutboxCounts *counts)
{
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
  g_autofree VetterOutboxCounts *counts = vetter_database_run_finish (VETTER_DATABASE (source), result, NULL);
  gboolean pending_changed, parked_changed;

  self->counting = FALSE;
  if (counts == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;
  pending_changed = counts->pending != self->counts.pending;
  parked_changed = counts->parked != self->counts.parked;
  self->counts = *counts;
  if (pending_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
  if (parked_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PARKED]);
  if (counts->pending == 0 && self->busy->len == 0 && !self->fetching)
    answer_drains (self, counts);
  if (self->count_again)
    refresh_counts (self);
}

static void
refresh_counts (VetterSync *self)
{
  if (self->counting)
    {
      self->count_again = TRUE;
      return;
    }
  self->counting = TRUE;
  self->count_again = FALSE;
  vetter_database_run_async (self->database, store_counts, NULL, NULL, g_free, self->cancellable, on_counts_read,
                             g_object_ref (self));
}

static gboolean
on_wake (gpointer user_data)
{
  VetterSync *self = user_data;

  self->wake_source = 0;
  pump (self);
  return G_SOURCE_REMOVE;
}

/* Wakes when the next row put off for later is due. */
static void
wake_at (VetterSync *self,
         gint64      when)
{
  gint64 wait_ms = (when - g_get_real_time () + 999) / 1000;

  g_clear_handle_id (&self->wake_source, g_source_remove);
  self->wake_source = g_timeout_add ((guint) CLAMP (wait_ms, 0, MAX_DELAY_S * 1000), on_wake, self);
}

static void
on_due (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(VetterSync) self = user_data;
  g_autoptr(GError) error = NULL;
  Due *due = vetter_database_run_finish (VETTER_DATABASE (source), result, &error);

  self->fetching = FALSE;
  if (due == NULL)
    return;
  if (due->next_due > 0)
    wake_at (self, due->next_due);
  while (due->rows->len > 0)
    dispatch (self, g_ptr_array_steal_index (due->rows, 0));
  due_free (due);
  if (self->fetch_again)
    pump (self);
  else if (self->drains->len > 0 && self->busy->len == 0)
    refresh_counts (self);
}

static void
pump (VetterSync *self)
{
  DueRequest *request;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (self->fetching)
    {
      self->fetch_again = TRUE;
      return;
    }
  if (self->busy->len >= MAX_IN_FLIGHT)
    return;
  self->fetching = TRUE;
  self->fetch_again = FALSE;
  request = g_new0 (DueRequest, 1);
  request->limit = MAX_IN_FLIGHT - self->busy->len;
  request->busy = g_array_copy (self->busy);
  vetter_database_run_async (self->database, store_due, request, (GDestroyNotify) due_request_free,
                             (GDestroyNotify) due_free, self->cancellable, on_due, g_object_ref (self));
}

/* Something new to send, or something sent: whoever wrote the outbox. */
static void
on_outbox_changed (VetterDatabase *database,
                   const char     *table,
                   GArray         *ids,
                   VetterSync     *self)
{
  pump (self);
  refresh_counts (self);
}

static void
on_couch_ready_changed (VetterSync *self)
{
  if (vetter_couch_setup_get_ready (self->couch_setup))
    pump (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUCH_PROBLEM]);
}

/* ---- GObject -------------------------------------------------------------- */

static void
vetter_sync_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  VetterSync *self = VETTER_SYNC (object);

  switch (prop_id)
    {
    case PROP_PENDING:
      g_value_set_int64 (value, self->counts.pending);
      break;
    case PROP_PARKED:
      g_value_set_int64 (value, self->counts.parked);
      break;
    case PROP_OFFLINE:
      g_value_set_boolean (value, self->offline);
      break;
    case PROP_COUCH_PROBLEM:
      g_value_set_string (value, vetter_sync_get_couch_problem (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

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
  if (self->database)
    g_signal_handlers_disconnect_by_func (self->database, on_outbox_changed, self);
  if (self->couch_setup)
    g_signal_handlers_disconnect_by_func (self->couch_setup, on_couch_ready_changed, self);
  g_clear_object (&self->couch_claims);
  g_clear_object (&self->couch_feed);
  g_clear_object (&self->couch_setup);
  g_clear_object (&self->couch_client);
  g_clear_object (&self->session);
  g_clear_object (&self->database);
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

  object_class->get_property = vetter_sync_get_property;
  object_class->dispose = vetter_sync_dispose;
  object_class->finalize = vetter_sync_finalize;

  properties[PROP_PENDING] = g_param_spec_int64 ("pending", NULL, NULL, 0, G_MAXINT64, 0,
                                                 G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PARKED] = g_param_spec_int64 ("parked", NULL, NULL, 0, G_MAXINT64, 0,
                                                G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OFFLINE] = g_param_spec_boolean ("offline", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COUCH_PROBLEM] = g_param_spec_string ("couch-problem", NULL, NULL, NULL,
                                                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                        G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vetter_sync_init (VetterSync *self)
{
  self->cancellable = g_cancellable_new ();
  self->busy = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->drains = g_ptr_array_new ();
  self->base_delay_ms = 2000;
}

VetterSync *
vetter_sync_new (VetterEngine         *engine,
                 const VetterServices *services)
{
  VetterSync *self = g_object_new (VETTER_TYPE_SYNC, NULL);
  g_autofree char *agent = g_strdup_printf ("Vetter/%s", PACKAGE_VERSION);

  self->engine = g_object_ref (engine);
  self->database = g_object_ref (vetter_engine_get_database (engine));
  self->services = vetter_services_copy (services);
  self->s3 = vetter_s3_new (services);
  /* Enough connections for MAX_IN_FLIGHT uploads to one host; an I/O
   * timeout so a server that stops answering frees its slot. */
  self->session = g_object_new (SOUP_TYPE_SESSION, "max-conns", 16, "max-conns-per-host", MAX_IN_FLIGHT + 2,
                                "timeout", 60, "user-agent", agent, NULL);
  if (vetter_services_has_couch (services))
    {
      self->couch_client = vetter_couch_client_new (services, self->session);
      self->couch_setup = vetter_couch_setup_new (self->couch_client);
      self->couch_feed = vetter_couch_feed_new (engine, self->couch_client, self->couch_setup);
      self->couch_claims = vetter_couch_claims_new (self->database, self->couch_client, self->couch_setup);
      g_signal_connect_swapped (self->couch_setup, "notify::ready", G_CALLBACK (on_couch_ready_changed), self);
      g_signal_connect_swapped (self->couch_setup, "notify::problem", G_CALLBACK (on_couch_ready_changed), self);
    }
  g_signal_connect (self->database, "rows-changed::outbox", G_CALLBACK (on_outbox_changed), self);
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

const char *
vetter_sync_get_couch_problem (VetterSync *self)
{
  g_return_val_if_fail (VETTER_IS_SYNC (self), NULL);
  return self->couch_setup ? vetter_couch_setup_get_problem (self->couch_setup) : NULL;
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
  vetter_database_run_async (self->database, store_list_parked, NULL, NULL, (GDestroyNotify) g_ptr_array_unref,
                             cancellable, callback, user_data);
}

GPtrArray *
vetter_sync_list_parked_finish (VetterSync    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return vetter_database_run_finish (self->database, result, error);
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

/* A person's "try again": every parked row is due now, its count reset. */
void
vetter_sync_retry_parked (VetterSync *self)
{
  g_return_if_fail (VETTER_IS_SYNC (self));
  vetter_database_run_async (self->database, store_unpark_all, NULL, NULL, NULL, self->cancellable, on_reported, NULL);
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
  VetterOutboxCounts *counts = vetter_database_run_finish (VETTER_DATABASE (source), result, &error);

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

  if (timeout->self->database && g_ptr_array_remove (timeout->self->drains, timeout->task))
    vetter_database_run_async (timeout->self->database, store_counts, NULL, NULL, g_free, NULL,
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
  refresh_counts (self);
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
  g_clear_handle_id (&self->wake_source, g_source_remove);
  if (self->couch_setup)
    vetter_couch_setup_stop (self->couch_setup);
  if (self->couch_feed)
    vetter_couch_feed_stop (self->couch_feed);
  if (self->session)
    soup_session_abort (self->session);
}

VetterCouchFeed *
vetter_sync_get_couch_feed (VetterSync *self)
{
  g_return_val_if_fail (VETTER_IS_SYNC (self), NULL);
  return self->couch_feed;
}

VetterCouchClient *
vetter_sync_get_couch_client (VetterSync *self)
{
  g_return_val_if_fail (VETTER_IS_SYNC (self), NULL);
  return self->couch_client;
}

VetterCouchClaims *
vetter_sync_get_couch_claims (VetterSync *self)
{
  g_return_val_if_fail (VETTER_IS_SYNC (self), NULL);
  return self->couch_claims;
}

VetterCouchSetup *
vetter_sync_get_couch_setup (VetterSync *self)
{
  g_return_val_if_fail (VETTER_IS_SYNC (self), NULL);
  return self->couch_setup;
}
