/* vetter-engine.c: the queue, the workers and the store, behind one object
 *
 * Three kinds of thread, each with one job:
 *  - the caller's (the UI thread, or the batch runner's main loop) only
 *    sends requests and receives signals; it never waits on disk, network
 *    or pixels;
 *  - the store thread owns the SQLite connection: it claims items, hands
 *    them to the pool, records what comes back and reports progress;
 *  - the workers (a GThreadPool, one per core by default) run the image
 *    pipeline, one item each, and touch neither the store nor any widget.
 * Messages between them are closures posted to each thread's main context.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-engine"

#include "config.h"

#include <malloc.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vetter-engine.h"
#include "vetter-error.h"
#include "vetter-pipeline.h"
#include "vetter-store.h"

struct _VetterEngine
{
  GObject       parent_instance;

  char         *db_path;
  VetterConfig *config;

  GMainContext *main_context;   /* where signals are emitted */
  GMainContext *store_context;  /* the store thread's */
  GMainLoop    *store_loop;
  GThread      *store_thread;
  GThreadPool  *pool;
  GCancellable *cancellable;    /* cancelled on close: stops downloads */

  /* Store thread only. */
  VetterStore  *store;
  gboolean      stopped;        /* no more work goes to the pool */
  guint         in_flight;
  GHashTable   *active_batches; /* batch id → GINT_TO_POINTER (1), not yet finished */

  /* Main thread only. */
  GHashTable   *progress;       /* batch id → ProgressEntry* */
  gboolean      closed;
  gint          closing;        /* atomic: set before the pool is stopped */
};

G_DEFINE_FINAL_TYPE (VetterEngine, vetter_engine, G_TYPE_OBJECT)

enum {
  BATCH_PROGRESS,
  BATCH_FINISHED,
  ITEM_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  VetterBatchProgress public;
  gint64              started;       /* monotonic, when this session first saw the batch */
  gint64              done_at_start;
  gint64              last_emitted;  /* monotonic */
  guint               pending_emit;  /* a timeout that will emit the latest */
} ProgressEntry;

/* Progress reaches the UI at most this often per batch: a fast batch
 * changes its counts hundreds of times a second, more than anyone reads. */
#define PROGRESS_INTERVAL_MS 100

typedef struct
{
  VetterEngine *engine;
  gint64        item_id;
  gint64        batch_id;
  VetterConfig *config;    /* the settings when the item was claimed */
  GPtrArray    *jobs;      /* VetterImageJob* */
  GPtrArray    *results;   /* VetterImageResult*, filled by the worker */
} WorkUnit;

static void
work_unit_free (WorkUnit *unit)
{
  g_clear_pointer (&unit->jobs, g_ptr_array_unref);
  g_clear_pointer (&unit->results, g_ptr_array_unref);
  g_clear_pointer (&unit->config, vetter_config_free);
  g_free (unit);
}

static void
progress_entry_free (ProgressEntry *entry)
{
  g_clear_handle_id (&entry->pending_emit, g_source_remove);
  g_free (entry->public.state);
  g_free (entry);
}

static gint64
batch_key (gint64 id)
{
  return id;
}

/* ---- Posting between threads ---------------------------------------------- */

typedef void (*EngineFunc) (VetterEngine *self,
                            gpointer      data);

typedef struct
{
  VetterEngine   *engine;
  EngineFunc      func;
  gpointer        data;
  GDestroyNotify  destroy;
} Message;

static gboolean
deliver (gpointer user_data)
{
  Message *message = user_data;

  message->func (message->engine, message->data);
  return G_SOURCE_REMOVE;
}

static void
message_free (gpointer user_data)
{
  Message *message = user_data;

  if (message->destroy && message->data)
    message->destroy (message->data);
  g_object_unref (message->engine);
  g_free (message);
}

static void
post (VetterEngine   *self,
      GMainContext   *context,
      EngineFunc      func,
      gpointer        data,
      GDestroyNotify  destroy)
{
  Message *message = g_new0 (Message, 1);
  GSource *source = g_idle_source_new ();

  message->engine = g_object_ref (self);
  message->func = func;
  message->data = data;
  message->destroy = destroy;
  /* A fresh idle source rather than g_main_context_invoke: this keeps
   * messages in the order they were sent even when the sender is the
   * owner of the context. */
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, deliver, message, message_free);
  g_source_attach (source, context);
  g_source_unref (source);
}

/* ---- Main thread: progress and signals ------------------------------------ */

typedef struct
{
  gint64            batch_id;
  VetterBatchCounts counts;
  char             *state;
  gboolean          finished;
} ProgressReport;

static void
progress_report_free (ProgressReport *report)
{
  g_free (report->state);
  g_free (report);
}

typedef struct
{
  VetterEngine *engine;   /* borrowed: the progress table, which owns the timeout, dies with it */
  gint64        batch_id;
} DelayedProgress;

static gboolean
emit_delayed_progress (gpointer data)
{
  DelayedProgress *delayed = data;
  ProgressEntry *entry = g_hash_table_lookup (delayed->engine->progress, &delayed->batch_id);

  entry->pending_emit = 0;
  entry->last_emitted = g_get_monotonic_time ();
  g_signal_emit (delayed->engine, signals[BATCH_PROGRESS], 0, delayed->batch_id);
  return G_SOURCE_REMOVE;
}

static void
on_progress_report (VetterEngine *self,
                    gpointer      data)
{
  ProgressReport *report = data;
  ProgressEntry *entry = g_hash_table_lookup (self->progress, &report->batch_id);
  VetterBatchProgress *p;
  gint64 done = report->counts.total - report->counts.queued - report->counts.processing;
  double elapsed;

  if (entry == NULL)
    {
      gint64 *key = g_new (gint64, 1);

      *key = batch_key (report->batch_id);
      entry = g_new0 (ProgressEntry, 1);
      entry->started = g_get_monotonic_time ();
      entry->done_at_start = done;
      g_hash_table_insert (self->progress, key, entry);
    }

  p = &entry->public;
  p->batch_id = report->batch_id;
  p->total = report->counts.total;
  p->done = done;
  p->failed = report->counts.failed;
  p->approved = report->counts.approved;
  p->rejected = report->counts.rejected;
  p->needs_review = report->counts.needs_review;
  p->waiting = report->counts.queued + report->counts.processing;
  p->fraction = p->total > 0 ? (double) p->done / p->total : 1.0;
  g_free (p->state);
  p->state = g_strdup (report->state);

  elapsed = (g_get_monotonic_time () - entry->started) / (double) G_USEC_PER_SEC;
  p->throughput = elapsed > 0.05 ? (done - entry->done_at_start) / elapsed : 0;
  p->eta = p->throughput > 0 ? p->waiting / p->throughput : -1;

  /* The last report of a batch, and any after a pause, go out at once;
   * the rest at most every PROGRESS_INTERVAL_MS. */
  if (report->finished || g_get_monotonic_time () - entry->last_emitted >= PROGRESS_INTERVAL_MS * 1000)
    {
      g_clear_handle_id (&entry->pending_emit, g_source_remove);
      entry->last_emitted = g_get_monotonic_time ();
      g_signal_emit (self, signals[BATCH_PROGRESS], 0, report->batch_id);
    }
  else if (entry->pending_emit == 0)
    {
      DelayedProgress *delayed = g_new0 (DelayedProgress, 1);

      delayed->engine = self;
      delayed->batch_id = report->batch_id;
      entry->pending_emit = g_timeout_add_full (G_PRIORITY_DEFAULT, PROGRESS_INTERVAL_MS,
                                                emit_delayed_progress, delayed, g_free);
    }
  if (report->finished)
    g_signal_emit (self, signals[BATCH_FINISHED], 0, report->batch_id);
}

typedef struct
{
  gint64  item_id;
  gint64  batch_id;
  char   *status;
  char   *step;
} ItemReport;

static void
item_report_free (ItemReport *report)
{
  g_free (report->status);
  g_free (report->step);
  g_free (report);
}

static void
on_item_report (VetterEngine *self,
                gpointer      data)
{
  ItemReport *report = data;

  g_signal_emit (self, signals[ITEM_CHANGED], 0, report->item_id, report->batch_id, report->status, report->step);
}

static void
report_item (VetterEngine *self,
             gint64        item_id,
             gint64        batch_id,
             const char   *status,
             const char   *step)
{
  ItemReport *report = g_new0 (ItemReport, 1);

  report->item_id = item_id;
  report->batch_id = batch_id;
  report->status = g_strdup (status);
  report->step = g_strdup (step);
  post (self, self->main_context, on_item_report, report, (GDestroyNotify) item_report_free);
}

/* ---- Workers -------------------------------------------------------------- */

typedef struct
{
  VetterEngine *engine;
  gint64        batch_id;
} StepContext;

static void
on_step (const VetterImageJob *job,
         const char           *step,
         gpointer              user_data)
{
  StepContext *ctx = user_data;

  report_item (ctx->engine, job->item_id, ctx->batch_id, "processing", step);
}

static void store_on_item_done (VetterEngine *self, gpointer data);

/* In the window, workers yield to everything else on the desktop, the UI
 * thread first: with as many workers as cores, a worker at normal priority
 * makes the UI thread wait for a time slice on every frame. A headless
 * batch keeps normal priority: there, throughput is the point. */
static void
lower_worker_priority (void)
{
#if defined(__linux__) && defined(SYS_gettid)
  static GPrivate lowered;

  if (g_private_get (&lowered) == NULL)
    {
      setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), 10);
      g_private_set (&lowered, GINT_TO_POINTER (1));
    }
#endif
}

static void
worker_run (gpointer data,
            gpointer user_data)
{
  WorkUnit *unit = data;
  VetterEngine *self = unit->engine;
  StepContext ctx = { self, unit->batch_id };

  if (unit->config->yield_to_ui)
    lower_worker_priority ();

  unit->results = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_image_result_free);
  for (guint i = 0; i < unit->jobs->len && !g_atomic_int_get (&self->closing); i++)
    g_ptr_array_add (unit->results,
                     vetter_pipeline_run (g_ptr_array_index (unit->jobs, i), unit->config,
                                          on_step, &ctx, self->cancellable));

  post (self, self->store_context, store_on_item_done, unit, (GDestroyNotify) work_unit_free);
}

/* ---- Store thread --------------------------------------------------------- */

/* A batch the store thread follows until it finishes. */
static void
mark_active (VetterEngine *self,
             gint64        batch_id)
{
  gint64 *key = g_new (gint64, 1);

  *key = batch_id;
  g_hash_table_add (self->active_batches, key);
}

static void
store_report_batch (VetterEngine *self,
                    gint64        batch_id)
{
  g_autoptr(GError) error = NULL;
  ProgressReport *report = g_new0 (ProgressReport, 1);

  report->batch_id = batch_id;
  if (!vetter_store_batch_counts (self->store, batch_id, &report->counts, &error))
    g_warning ("Cannot count the items of batch %" G_GINT64_FORMAT ": %s", batch_id, error->message);
  report->state = vetter_store_get_batch_state (self->store, batch_id);

  /* A batch is finished when nothing of it waits any more; a paused or
   * cancelled batch with work left is not finished, only stopped. */
  if (report->counts.queued == 0 && report->counts.processing == 0 &&
      g_hash_table_contains (self->active_batches, &batch_id))
    {
      g_autofree char *csv = NULL;

      g_hash_table_remove (self->active_batches, &batch_id);
      /* Written again on every finish: a resumed batch may have a new
       * output directory, or its old file may have been removed. */
      csv = vetter_store_write_output_csv (self->store, batch_id, &error);
      if (error)
        g_warning ("Batch %" G_GINT64_FORMAT ": %s", batch_id, error->message);
      g_clear_error (&error);
      if (g_strcmp0 (report->state, "done") != 0 &&
          !vetter_store_set_batch_state (self->store, batch_id, "done", &error))
        g_warning ("Batch %" G_GINT64_FORMAT ": %s", batch_id, error->message);
      g_free (report->state);
      report->state = g_strdup ("done");
      report->finished = TRUE;
    }
  else if (g_strcmp0 (report->state, "cancelled") == 0 && report->counts.processing == 0 &&
           g_hash_table_contains (self->active_batches, &batch_id))
    {
      g_hash_table_remove (self->active_batches, &batch_id);
      report->finished = TRUE;
    }

  post (self, self->main_context, on_progress_report, report, (GDestroyNotify) progress_report_free);
}

/* Keeps every worker busy and one item waiting, so no worker idles while
 * the store thread records. */
static void
store_pump (VetterEngine *self)
{
  guint limit = (guint) vetter_config_worker_count (self->config) + 1;

  while (self->in_flight < limit && !self->stopped)
    {
      g_autoptr(GError) error = NULL;
      GPtrArray *jobs = NULL;
      gint64 item_id, batch_id;
      WorkUnit *unit;

      if (!vetter_store_claim_item (self->store, &item_id, &batch_id, &jobs, &error))
        {
          if (error)
            g_warning ("Cannot take the next item: %s", error->message);
          return;
        }

      unit = g_new0 (WorkUnit, 1);
      unit->engine = self;
      unit->item_id = item_id;
      unit->batch_id = batch_id;
      /* Each item keeps the settings it was started with, so new ones can
       * arrive while workers run without pulling them from under them. */
      unit->config = vetter_config_copy (self->config);
      unit->jobs = jobs;
      self->in_flight++;
      report_item (self, item_id, batch_id, "processing", NULL);
      g_thread_pool_push (self->pool, unit, NULL);
    }
}

static void
store_on_item_done (VetterEngine *self,
                    gpointer      data)
{
  WorkUnit *unit = data;
  g_autoptr(GError) error = NULL;
  VetterItemOutcome outcome;

  self->in_flight--;

  /* Results made while closing may be errors of the shutdown itself (a
   * cancelled download); the item stays in processing and is redone. */
  if (g_atomic_int_get (&self->closing))
    return;

  if (!vetter_store_record_item (self->store, unit->item_id, unit->results, unit->config, &outcome, &error))
    {
      g_warning ("Cannot record item %" G_GINT64_FORMAT ": %s", unit->item_id, error->message);
      return;
    }
  report_item (self, unit->item_id, unit->batch_id, vetter_status_to_string (outcome.status), NULL);
  g_free (outcome.error);

  store_report_batch (self, unit->batch_id);
  store_pump (self);
}

static gpointer
store_thread_main (gpointer data)
{
  VetterEngine *self = data;

  g_main_context_push_thread_default (self->store_context);
  g_main_loop_run (self->store_loop);
  g_clear_object (&self->store);
  g_main_context_pop_thread_default (self->store_context);
  return NULL;
}

/* ---- Requests, run on the store thread ------------------------------------ */

static void
store_open (VetterEngine *self,
            gpointer      data)
{
  GTask *task = data;
  g_autoptr(GError) error = NULL;
  guint requeued;

  self->store = vetter_store_open (self->db_path, &error);
  if (self->store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  requeued = vetter_store_requeue_interrupted (self->store, &error);
  if (error)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (requeued > 0)
    g_debug ("%u items were interrupted last time and will be redone", requeued);
  g_task_return_boolean (task, TRUE);
}

typedef struct
{
  VetterIntakeBatch *batch;
  char              *output_dir;
  char              *callback_url;
  gboolean           resumed;
} AddBatch;

static void
add_batch_free (AddBatch *add)
{
  vetter_intake_batch_free (add->batch);
  g_free (add->output_dir);
  g_free (add->callback_url);
  g_free (add);
}

static void
store_add_batch (VetterEngine *self,
                 gpointer      data)
{
  GTask *task = data;
  AddBatch *add = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gint64 batch_id;

  if (self->store == NULL)
    {
      g_task_return_new_error (task, VETTER_ERROR, VETTER_ERROR_STORE, "the store is not open");
      return;
    }

  batch_id = vetter_store_find_batch (self->store, add->batch->key);
  if (batch_id > 0)
    {
      g_autofree char *state = vetter_store_get_batch_state (self->store, batch_id);

      add->resumed = TRUE;
      if (!vetter_store_update_batch_output (self->store, batch_id, add->output_dir, &error) ||
          (g_strcmp0 (state, "done") != 0 && !vetter_store_set_batch_state (self->store, batch_id, "running", &error)))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  else
    {
      batch_id = vetter_store_add_batch (self->store, add->batch, add->output_dir, add->callback_url, &error);
      if (batch_id == 0)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }

  mark_active (self, batch_id);
  g_task_return_int (task, batch_id);
  store_report_batch (self, batch_id);
  store_pump (self);
}

typedef struct
{
  gint64 batch_id;
  char  *state;   /* for state changes; NULL for retry */
} BatchCommand;

static void
batch_command_free (BatchCommand *command)
{
  g_free (command->state);
  g_free (command);
}

static void
store_batch_command (VetterEngine *self,
                     gpointer      data)
{
  BatchCommand *command = data;
  g_autoptr(GError) error = NULL;

  if (self->store == NULL)
    return;
  if (command->state)
    vetter_store_set_batch_state (self->store, command->batch_id, command->state, &error);
  else if (vetter_store_retry_failed (self->store, command->batch_id, &error) > 0 || error == NULL)
    vetter_store_set_batch_state (self->store, command->batch_id, "running", &error);
  if (error)
    {
      g_warning ("Batch %" G_GINT64_FORMAT ": %s", command->batch_id, error->message);
      return;
    }

  if (g_strcmp0 (command->state, "paused") != 0 && g_strcmp0 (command->state, "cancelled") != 0)
    mark_active (self, command->batch_id);
  store_report_batch (self, command->batch_id);
  store_pump (self);
}

/* ---- Store thread: queries ---------------------------------------------- */

/* A read or a decision run on the store thread for a GTask: @run gets the
 * store and the task's data and returns the result (NULL with an error). */
typedef gpointer (*StoreQueryFunc) (VetterEngine *self,
                                    gpointer      data,
                                    GError      **error);

typedef struct
{
  StoreQueryFunc  run;
  gpointer        data;
  GDestroyNotify  data_free;
  GDestroyNotify  result_free;
} StoreQuery;

static void
store_query_free (StoreQuery *query)
{
  if (query->data_free)
    query->data_free (query->data);
  g_free (query);
}

static void
store_run_query (VetterEngine *self,
                 gpointer      data)
{
  GTask *task = data;
  StoreQuery *query = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gpointer result;

  if (self->store == NULL)
    {
      g_task_return_new_error (task, VETTER_ERROR, VETTER_ERROR_STORE, "the store is not open");
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  result = query->run (self, query->data, &error);
  if (result == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, result, query->result_free);
}

static void
send_query (VetterEngine        *self,
            gpointer             source_tag,
            StoreQueryFunc       run,
            gpointer             data,
            GDestroyNotify       data_free,
            GDestroyNotify       result_free,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  StoreQuery *query = g_new0 (StoreQuery, 1);

  query->run = run;
  query->data = data;
  query->data_free = data_free;
  query->result_free = result_free;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, query, (GDestroyNotify) store_query_free);
  post (self, self->store_context, store_run_query, task, g_object_unref);
}

typedef struct
{
  GArray        *batch_ids;
  GOutputStream *json;
} SummaryRequest;

static void
summary_request_free (SummaryRequest *request)
{
  g_array_unref (request->batch_ids);
  g_clear_object (&request->json);
  g_free (request);
}

static gpointer
query_summary (VetterEngine *self,
               gpointer      data,
               GError      **error)
{
  SummaryRequest *request = data;

  return vetter_store_write_summary (self->store, (const gint64 *) request->batch_ids->data,
                                     request->batch_ids->len, request->json, error);
}

/* Acknowledged through @data, a GAsyncQueue, so the caller knows no push
 * to the pool can follow. */
static void
store_stop (VetterEngine *self,
            gpointer      data)
{
  self->stopped = TRUE;
  g_async_queue_push (data, GINT_TO_POINTER (1));
}

/* Their progress follows, as for batches this session started. */
static gpointer
query_list_batches (VetterEngine *self,
                    gpointer      data,
                    GError      **error)
{
  GPtrArray *batches = vetter_store_list_batches (self->store, GPOINTER_TO_UINT (data), error);

  for (guint i = 0; batches && i < batches->len; i++)
    store_report_batch (self, ((VetterBatchInfo *) batches->pdata[i])->id);
  return batches;
}

static void
store_resume_unfinished (VetterEngine *self,
                         gpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;

  if (self->store == NULL || (ids = vetter_store_unfinished_batches (self->store, &error)) == NULL)
    return;
  for (guint i = 0; i < ids->len; i++)
    {
      mark_active (self, g_array_index (ids, gint64, i));
      store_report_batch (self, g_array_index (ids, gint64, i));
    }
  store_pump (self);
}

static void
store_set_config (VetterEngine *self,
                  gpointer      data)
{
  g_autoptr(GError) error = NULL;

  vetter_config_free (self->config);
  self->config = vetter_config_copy (data);
  if (!g_thread_pool_set_max_threads (self->pool, vetter_config_worker_count (self->config), &error))
    g_warning ("Cannot change the number of workers: %s", error->message);
  store_pump (self);
}

static void
store_quit (VetterEngine *self,
            gpointer      data)
{
  g_main_loop_quit (self->store_loop);
}

/* ---- GObject -------------------------------------------------------------- */

/* ---- Store thread: queries for the review view ---------------------------- */

static gpointer
query_review_queue (VetterEngine *self,
                    gpointer      data,
                    GError      **error)
{
  return vetter_store_review_queue (self->store, data, error);
}

static gpointer
query_item_detail (VetterEngine *self,
                   gpointer      data,
                   GError      **error)
{
  return vetter_store_item_detail (self->store, *(gint64 *) data, error);
}

static gpointer
query_defect_kinds (VetterEngine *self,
                    gpointer      data,
                    GError      **error)
{
  return vetter_store_defect_kinds (self->store, error);
}

typedef struct
{
  gint64 batch_id;
  guint  offset;
  guint  limit;
} ItemPage;

static gpointer
query_list_items (VetterEngine *self,
                  gpointer      data,
                  GError      **error)
{
  ItemPage *page = data;

  return vetter_store_list_items (self->store, page->batch_id, page->offset, page->limit, error);
}

typedef struct
{
  gint64              item_id;
  VetterItemDecision *decision;
  char               *action;
  char               *actor;
} DecideRequest;

static void
decide_request_free (DecideRequest *request)
{
  vetter_item_decision_free (request->decision);
  g_free (request->action);
  g_free (request->actor);
  g_free (request);
}

typedef struct
{
  VetterStoreFunc func;
  gpointer        data;
  GDestroyNotify  data_free;
} RunInStore;

static void
run_in_store_free (RunInStore *run)
{
  if (run->data_free && run->data)
    run->data_free (run->data);
  g_free (run);
}

static gpointer
query_run_in_store (VetterEngine *self,
                    gpointer      data,
                    GError      **error)
{
  RunInStore *run = data;

  return run->func (self->store, run->data, error);
}

/* Besides the store, a decision moves its batch's counts and the item's
 * status: both are announced as if a worker had finished the item. */
static gpointer
query_decide (VetterEngine *self,
              gpointer      data,
              GError      **error)
{
  DecideRequest *request = data;
  VetterItemDecision *previous = NULL;
  gint64 batch_id = 0;

  if (!vetter_store_decide (self->store, request->item_id, request->decision, request->action,
                            request->actor, self->config, &previous, &batch_id, error))
    return NULL;
  report_item (self, request->item_id, batch_id, request->decision->status, NULL);
  store_report_batch (self, batch_id);
  return previous;
}

typedef struct
{
  gint64    item_id;
  gboolean  keep_theirs;
  char     *actor;
} ResolveRequest;

static void
resolve_request_free (ResolveRequest *request)
{
  g_free (request->actor);
  g_free (request);
}

/* Reports an item as it now is in the store, and its batch's counts. */
static void
store_report_item (VetterEngine *self,
                   gint64        item_id)
{
  g_autoptr(GError) error = NULL;
  gint64 batch_id = 0;
  g_autofree char *status = vetter_store_item_status (self->store, item_id, &batch_id, &error);

  if (status == NULL)
    {
      g_warning ("Cannot read item %" G_GINT64_FORMAT ": %s", item_id, error->message);
      return;
    }
  report_item (self, item_id, batch_id, status, NULL);
  store_report_batch (self, batch_id);
}

static gpointer
query_resolve_conflict (VetterEngine *self,
                        gpointer      data,
                        GError      **error)
{
  ResolveRequest *request = data;

  if (!vetter_store_resolve_conflict (self->store, request->item_id, request->keep_theirs, request->actor,
                                      self->config, error))
    return NULL;
  store_report_item (self, request->item_id);
  return GINT_TO_POINTER (TRUE);
}

static gpointer
query_announce_items (VetterEngine *self,
                      gpointer      data,
                      GError      **error)
{
  GArray *item_ids = data;

  for (guint i = 0; i < item_ids->len; i++)
    store_report_item (self, g_array_index (item_ids, gint64, i));
  return GINT_TO_POINTER (TRUE);
}

static void
vetter_engine_dispose (GObject *object)
{
  vetter_engine_close (VETTER_ENGINE (object));
  G_OBJECT_CLASS (vetter_engine_parent_class)->dispose (object);
}

static void
vetter_engine_finalize (GObject *object)
{
  VetterEngine *self = VETTER_ENGINE (object);

  g_clear_pointer (&self->progress, g_hash_table_unref);
  g_clear_pointer (&self->active_batches, g_hash_table_unref);
  g_clear_pointer (&self->store_loop, g_main_loop_unref);
  g_clear_pointer (&self->store_context, g_main_context_unref);
  g_clear_pointer (&self->main_context, g_main_context_unref);
  g_clear_object (&self->cancellable);
  vetter_config_free (self->config);
  g_free (self->db_path);

  G_OBJECT_CLASS (vetter_engine_parent_class)->finalize (object);
}

static void
vetter_engine_class_init (VetterEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vetter_engine_dispose;
  object_class->finalize = vetter_engine_finalize;

  /**
   * VetterEngine::batch-progress:
   * @batch_id: the batch
   *
   * The counts of a batch changed; vetter_engine_get_progress() has them.
   */
  signals[BATCH_PROGRESS] = g_signal_new ("batch-progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  /**
   * VetterEngine::batch-finished:
   * @batch_id: the batch
   *
   * Nothing of the batch waits any more: every item was processed, or the
   * batch was cancelled.
   */
  signals[BATCH_FINISHED] = g_signal_new ("batch-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  /**
   * VetterEngine::item-changed:
   * @item_id: the item
   * @batch_id: its batch
   * @status: its status
   * @step: the step a worker is on, or %NULL
   */
  signals[ITEM_CHANGED] = g_signal_new ("item-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                                        G_TYPE_INT64, G_TYPE_INT64, G_TYPE_STRING, G_TYPE_STRING);
}

static void
vetter_engine_init (VetterEngine *self)
{
  self->progress = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) progress_entry_free);
  self->active_batches = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
}

/* ---- Public API ----------------------------------------------------------- */

char *
vetter_engine_default_db_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "vetter", "vetter.db", NULL);
}

VetterEngine *
vetter_engine_new (const char         *db_path,
                   const VetterConfig *config)
{
  VetterEngine *self = g_object_new (VETTER_TYPE_ENGINE, NULL);
  g_autoptr(GError) error = NULL;

#ifdef M_MMAP_THRESHOLD
  /* Pixel buffers of many megabytes come and go with every image. By
   * default glibc maps each one afresh and gives it back on free, and the
   * page faults cost as much as the filtering; kept in the heap, they are
   * reused, and memory stays at the workers' peak instead. */
  mallopt (M_MMAP_THRESHOLD, 256 * 1024 * 1024);
  mallopt (M_TRIM_THRESHOLD, 512 * 1024 * 1024);
#endif

  self->db_path = db_path ? g_strdup (db_path) : vetter_engine_default_db_path ();
  self->config = config ? vetter_config_copy (config) : vetter_config_new ();
  self->main_context = g_main_context_ref_thread_default ();
  self->store_context = g_main_context_new ();
  self->store_loop = g_main_loop_new (self->store_context, FALSE);
  self->store_thread = g_thread_new ("vetter-store", store_thread_main, self);
  self->pool = g_thread_pool_new_full (worker_run, self, (GDestroyNotify) work_unit_free,
                                       vetter_config_worker_count (self->config), TRUE, &error);
  if (self->pool == NULL)
    g_error ("Cannot start the worker threads: %s", error->message);
  return self;
}


void
vetter_engine_open_async (VetterEngine        *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, vetter_engine_open_async);
  post (self, self->store_context, store_open, task, g_object_unref);
}

gboolean
vetter_engine_open_finish (VetterEngine  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
vetter_engine_add_batch_async (VetterEngine        *self,
                               VetterIntakeBatch   *batch,
                               const char          *output_dir,
                               const char          *callback_url,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  AddBatch *add = g_new0 (AddBatch, 1);

  add->batch = batch;
  add->output_dir = g_strdup (output_dir);
  add->callback_url = g_strdup (callback_url);
  g_task_set_source_tag (task, vetter_engine_add_batch_async);
  g_task_set_task_data (task, add, (GDestroyNotify) add_batch_free);
  post (self, self->store_context, store_add_batch, task, g_object_unref);
}

gint64
vetter_engine_add_batch_finish (VetterEngine  *self,
                                GAsyncResult  *result,
                                gboolean      *resumed,
                                GError       **error)
{
  AddBatch *add;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  add = g_task_get_task_data (G_TASK (result));
  if (resumed)
    *resumed = add->resumed;
  return g_task_propagate_int (G_TASK (result), error);
}

void
vetter_engine_list_batches_async (VetterEngine        *self,
                                  guint                limit,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  send_query (self, vetter_engine_list_batches_async, query_list_batches, GUINT_TO_POINTER (limit), NULL,
              (GDestroyNotify) g_ptr_array_unref, cancellable, callback, user_data);
}

GPtrArray *
vetter_engine_list_batches_finish (VetterEngine  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
vetter_engine_set_config (VetterEngine       *self,
                          const VetterConfig *config)
{
  g_return_if_fail (VETTER_IS_ENGINE (self));
  post (self, self->store_context, store_set_config, vetter_config_copy (config),
        (GDestroyNotify) vetter_config_free);
}

void
vetter_engine_resume_unfinished (VetterEngine *self)
{
  g_return_if_fail (VETTER_IS_ENGINE (self));
  post (self, self->store_context, store_resume_unfinished, NULL, NULL);
}

void
vetter_engine_summary_async (VetterEngine        *self,
                             const gint64        *batch_ids,
                             guint                n_batch_ids,
                             GOutputStream       *json,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  SummaryRequest *request = g_new0 (SummaryRequest, 1);

  request->batch_ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_batch_ids);
  g_array_append_vals (request->batch_ids, batch_ids, n_batch_ids);
  request->json = json ? g_object_ref (json) : NULL;
  send_query (self, vetter_engine_summary_async, query_summary, request, (GDestroyNotify) summary_request_free,
              (GDestroyNotify) vetter_summary_free, cancellable, callback, user_data);
}

VetterSummary *
vetter_engine_summary_finish (VetterEngine  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
send_batch_command (VetterEngine *self,
                    gint64        batch_id,
                    const char   *state)
{
  BatchCommand *command = g_new0 (BatchCommand, 1);

  command->batch_id = batch_id;
  command->state = g_strdup (state);
  post (self, self->store_context, store_batch_command, command, (GDestroyNotify) batch_command_free);
}

void
vetter_engine_pause_batch (VetterEngine *self,
                           gint64        batch_id)
{
  send_batch_command (self, batch_id, "paused");
}

void
vetter_engine_resume_batch (VetterEngine *self,
                            gint64        batch_id)
{
  send_batch_command (self, batch_id, "running");
}

void
vetter_engine_cancel_batch (VetterEngine *self,
                            gint64        batch_id)
{
  send_batch_command (self, batch_id, "cancelled");
}

void
vetter_engine_retry_failed (VetterEngine *self,
                            gint64        batch_id)
{
  send_batch_command (self, batch_id, NULL);
}

const VetterBatchProgress *
vetter_engine_get_progress (VetterEngine *self,
                            gint64        batch_id)
{
  ProgressEntry *entry;

  g_return_val_if_fail (VETTER_IS_ENGINE (self), NULL);
  entry = g_hash_table_lookup (self->progress, &batch_id);
  return entry ? &entry->public : NULL;
}

void
vetter_engine_close (VetterEngine *self)
{
  g_return_if_fail (VETTER_IS_ENGINE (self));

  if (self->closed)
    return;
  self->closed = TRUE;

  g_atomic_int_set (&self->closing, 1);
  g_cancellable_cancel (self->cancellable);
  {
    GAsyncQueue *ack = g_async_queue_new ();

    post (self, self->store_context, store_stop, ack, NULL);
    g_async_queue_pop (ack);
    g_async_queue_unref (ack);
  }
  /* Items waiting in the pool are dropped (they stay "processing" in the
   * store and are redone next time); running ones finish their image. */
  g_thread_pool_free (self->pool, TRUE, TRUE);
  self->pool = NULL;

  post (self, self->store_context, store_quit, NULL, NULL);
  g_thread_join (self->store_thread);
  self->store_thread = NULL;

  /* Drop what the store thread posted here after the last dispatch. */
  if (g_main_context_acquire (self->main_context))
    {
      while (g_main_context_pending (self->main_context))
        g_main_context_iteration (self->main_context, FALSE);
      g_main_context_release (self->main_context);
    }
}

/* ---- Review --------------------------------------------------------------- */

void
vetter_engine_review_queue_async (VetterEngine             *self,
                                  const VetterReviewFilter *filter,
                                  GCancellable             *cancellable,
                                  GAsyncReadyCallback       callback,
                                  gpointer                  user_data)
{
  g_return_if_fail (VETTER_IS_ENGINE (self));
  send_query (self, vetter_engine_review_queue_async, query_review_queue,
              vetter_review_filter_copy (filter), (GDestroyNotify) vetter_review_filter_free,
              (GDestroyNotify) g_array_unref, cancellable, callback, user_data);
}

GArray *
vetter_engine_review_queue_finish (VetterEngine  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
vetter_engine_item_detail_async (VetterEngine        *self,
                                 gint64               item_id,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (VETTER_IS_ENGINE (self));
  send_query (self, vetter_engine_item_detail_async, query_item_detail,
              g_memdup2 (&item_id, sizeof item_id), g_free,
              (GDestroyNotify) json_object_unref, cancellable, callback, user_data);
}

JsonObject *
vetter_engine_item_detail_finish (VetterEngine  *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
vetter_engine_decide_async (VetterEngine             *self,
                            gint64                    item_id,
                            const VetterItemDecision *decision,
                            const char               *action,
                            const char               *actor,
                            GCancellable             *cancellable,
                            GAsyncReadyCallback       callback,
                            gpointer                  user_data)
{
  DecideRequest *request = g_new0 (DecideRequest, 1);

  g_return_if_fail (VETTER_IS_ENGINE (self));
  request->item_id = item_id;
  request->decision = vetter_item_decision_copy (decision);
  request->action = g_strdup (action);
  request->actor = g_strdup (actor);
  send_query (self, vetter_engine_decide_async, query_decide, request, (GDestroyNotify) decide_request_free,
              (GDestroyNotify) vetter_item_decision_free, cancellable, callback, user_data);
}

VetterItemDecision *
vetter_engine_decide_finish (VetterEngine  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
vetter_engine_resolve_conflict_async (VetterEngine        *self,
                                      gint64               item_id,
                                      gboolean             keep_theirs,
                                      const char          *actor,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  ResolveRequest *request = g_new0 (ResolveRequest, 1);

  g_return_if_fail (VETTER_IS_ENGINE (self));
  request->item_id = item_id;
  request->keep_theirs = keep_theirs;
  request->actor = g_strdup (actor);
  send_query (self, vetter_engine_resolve_conflict_async, query_resolve_conflict, request,
              (GDestroyNotify) resolve_request_free, NULL, cancellable, callback, user_data);
}

gboolean
vetter_engine_resolve_conflict_finish (VetterEngine  *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_pointer (G_TASK (result), error) != NULL;
}

void
vetter_engine_announce_items (VetterEngine *self,
                              GArray       *item_ids)
{
  g_return_if_fail (VETTER_IS_ENGINE (self));
  if (item_ids == NULL || item_ids->len == 0)
    return;
  send_query (self, vetter_engine_announce_items, query_announce_items, g_array_ref (item_ids),
              (GDestroyNotify) g_array_unref, NULL, NULL, NULL, NULL);
}

void
vetter_engine_list_items_async (VetterEngine        *self,
                                gint64               batch_id,
                                guint                offset,
                                guint                limit,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  ItemPage *page = g_new0 (ItemPage, 1);

  g_return_if_fail (VETTER_IS_ENGINE (self));
  page->batch_id = batch_id;
  page->offset = offset;
  page->limit = limit;
  send_query (self, vetter_engine_list_items_async, query_list_items, page, g_free,
              (GDestroyNotify) g_ptr_array_unref, cancellable, callback, user_data);
}

GPtrArray *
vetter_engine_list_items_finish (VetterEngine  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
vetter_engine_defect_kinds_async (VetterEngine        *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (VETTER_IS_ENGINE (self));
  send_query (self, vetter_engine_defect_kinds_async, query_defect_kinds, NULL, NULL,
              (GDestroyNotify) g_ptr_array_unref, cancellable, callback, user_data);
}

GPtrArray *
vetter_engine_defect_kinds_finish (VetterEngine  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Anything else the store can do --------------------------------------- */

void
vetter_engine_run_in_store_async (VetterEngine        *self,
                                  VetterStoreFunc      func,
                                  gpointer             data,
                                  GDestroyNotify       data_free,
                                  GDestroyNotify       result_free,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  RunInStore *run = g_new0 (RunInStore, 1);

  g_return_if_fail (VETTER_IS_ENGINE (self));
  run->func = func;
  run->data = data;
  run->data_free = data_free;
  send_query (self, vetter_engine_run_in_store_async, query_run_in_store, run, (GDestroyNotify) run_in_store_free,
              result_free, cancellable, callback, user_data);
}

gpointer
vetter_engine_run_in_store_finish (VetterEngine  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
