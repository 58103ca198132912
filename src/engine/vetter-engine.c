/* vetter-engine.c: the queue and the workers, over the database
 *
 * Three kinds of thread, each with one job:
 *  - the caller's (the UI thread, or the batch runner's main loop) only
 *    sends requests and receives signals; it never waits on disk, network
 *    or pixels;
 *  - the database thread (vetter-database.c) owns the store: there the
 *    engine claims items, hands them to the pool, records what comes back
 *    and sees batches finish;
 *  - the workers (a GThreadPool, one per core by default) run the image
 *    pipeline, one item each, and touch neither the store nor any widget.
 *
 * What the window shows of items and batches comes from the database's
 * "rows-changed": whoever changed an item (a worker's result, a decision
 * here or on another desktop), the engine reads its status and its
 * batch's counts again and says so, a few times a second at most.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-engine"

#include "config.h"

#include <malloc.h>

#include "vetter-crash-mark.h"
#include "vetter-engine.h"
#include "vetter-enum-types.h"
#include "vetter-error.h"
#include "vetter-ordered-call.h"
#include "vetter-pipeline-settings.h"
#include "vetter-pipeline.h"
#include "vetter-store.h"
#include "vetter-thread-priority.h"
#include "vetter-variant-fetch.h"

struct _VetterEngine
{
  GObject         parent_instance;

  VetterDatabase *database;
  gboolean        owns_database;
  char           *person;         /* who acts here; NULL: the system account */
  VetterRole      role;           /* what they may do */
  GMainContext   *main_context;   /* where signals are emitted */
  GThreadPool    *pool;
  GCancellable   *cancellable;    /* cancelled on close: stops downloads */
  VetterVariantFetch *variant_fetch; /* variants made elsewhere */

  /* Database thread only. */
  VetterConfig   *config;         /* what new items start with */
  guint           in_flight;
  gboolean        queue_dry;      /* nothing was left to claim at the last try */
  GHashTable     *active_batches; /* batch id → batch id, not yet finished */

  /* Main thread only. */
  VetterConfig   *main_config;    /* a copy, for vetter_engine_get_config() */
  GHashTable     *progress;       /* batch id → ProgressEntry* */
  GArray         *changed_items;  /* ids the database said changed, not yet read */
  GArray         *changed_batches;
  guint           refresh_source;
  gboolean        refreshing;
  gint64          last_refresh;   /* monotonic */
  gboolean        closed;
  gint            closing;        /* atomic: set before the pool is stopped */
};

G_DEFINE_FINAL_TYPE (VetterEngine, vetter_engine, G_TYPE_OBJECT)

enum {
  BATCH_PROGRESS,
  BATCH_FINISHED,
  ITEM_CHANGED,
  ITEM_STEP,
  ROLE_CHANGED,
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
/* Changed items are read again at most this often. */
#define REFRESH_INTERVAL_MS 50

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
  g_free (entry);
}

/* ---- Posting between threads ---------------------------------------------- */

typedef void (*EngineCall) (VetterEngine *self,
                            VetterStore  *store,
                            gpointer      data);

typedef struct
{
  VetterEngine   *engine;
  EngineCall      func;
  gpointer        data;
  GDestroyNotify  destroy;
} Call;

static void
call_free (Call *call)
{
  if (call->destroy && call->data)
    call->destroy (call->data);
  g_object_unref (call->engine);
  g_free (call);
}

static void
run_call (VetterStore *store,
          gpointer     data)
{
  Call *call = data;

  call->func (call->engine, store, call->data);
}

/* Runs @func on the database thread, in order with everything sent there. */
static void
on_database (VetterEngine   *self,
             EngineCall      func,
             gpointer        data,
             GDestroyNotify  destroy)
{
  Call *call = g_new0 (Call, 1);

  call->engine = g_object_ref (self);
  call->func = func;
  call->data = data;
  call->destroy = destroy;
  vetter_database_post (self->database, run_call, call, (GDestroyNotify) call_free);
}

typedef void (*MainCall) (VetterEngine *self,
                          gpointer      data);

typedef struct
{
  VetterEngine   *engine;
  MainCall        func;
  gpointer        data;
  GDestroyNotify  destroy;
} MainMessage;

static gboolean
deliver_main (gpointer user_data)
{
  MainMessage *message = user_data;

  message->func (message->engine, message->data);
  return G_SOURCE_REMOVE;
}

static void
main_message_free (MainMessage *message)
{
  if (message->destroy && message->data)
    message->destroy (message->data);
  g_object_unref (message->engine);
  g_free (message);
}

/* Runs @func on the main context, in order with what else is sent there. */
static void
on_main (VetterEngine   *self,
         MainCall        func,
         gpointer        data,
         GDestroyNotify  destroy)
{
  MainMessage *message = g_new0 (MainMessage, 1);

  message->engine = g_object_ref (self);
  message->func = func;
  message->data = data;
  message->destroy = destroy;
  vetter_call_in_order (self->main_context, G_PRIORITY_DEFAULT, deliver_main, message,
                        (GDestroyNotify) main_message_free);
}

/* ---- Main thread: progress and signals ------------------------------------ */

typedef struct
{
  gint64            batch_id;
  VetterBatchCounts counts;
  VetterBatchState  state;
  gboolean          finished;
} ProgressReport;

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
      entry = g_new0 (ProgressEntry, 1);
      entry->started = g_get_monotonic_time ();
      entry->done_at_start = done;
      g_hash_table_insert (self->progress, g_memdup2 (&report->batch_id, sizeof (gint64)), entry);
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
  p->state = report->state;

  elapsed = (g_get_monotonic_time () - entry->started) / (double) G_USEC_PER_SEC;
  p->throughput = elapsed > 0.05 ? (done - entry->done_at_start) / elapsed : 0;
  p->eta = p->throughput > 0 ? p->waiting / p->throughput : -1;

  /* The last report of a batch goes out at once; the rest at most every
   * PROGRESS_INTERVAL_MS. */
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
  char   *step;
} StepReport;

static void
step_report_free (StepReport *report)
{
  g_free (report->step);
  g_free (report);
}

static void
on_step_report (VetterEngine *self,
                gpointer      data)
{
  StepReport *report = data;

  g_signal_emit (self, signals[ITEM_STEP], 0, report->item_id, report->batch_id, report->step);
}

/* ---- Main thread: what the database says changed -------------------------- */

typedef struct
{
  GArray    *items;      /* gint64 */
  GArray    *batches;    /* gint64 */
  gboolean   want_items;
} Refresh;

typedef struct
{
  GArray    *states;     /* ItemState */
  GPtrArray *reports;    /* ProgressReport* */
} Refreshed;

typedef struct
{
  gint64       item_id;
  gint64       batch_id;
  VetterStatus status;
} ItemState;

static void
refresh_free (Refresh *refresh)
{
  g_clear_pointer (&refresh->items, g_array_unref);
  g_clear_pointer (&refresh->batches, g_array_unref);
  g_free (refresh);
}

static void
refreshed_free (Refreshed *refreshed)
{
  g_clear_pointer (&refreshed->states, g_array_unref);
  g_clear_pointer (&refreshed->reports, g_ptr_array_unref);
  g_free (refreshed);
}

static void
add_unique (GArray *ids,
            gint64  id)
{
  for (guint i = 0; i < ids->len; i++)
    if (g_array_index (ids, gint64, i) == id)
      return;
  g_array_append_val (ids, id);
}

static ProgressReport *
count_batch (VetterStore *store,
             gint64       batch_id)
{
  g_autoptr(GError) error = NULL;
  ProgressReport *report = g_new0 (ProgressReport, 1);

  report->batch_id = batch_id;
  if (!vetter_store_batch_counts (store, batch_id, &report->counts, &error))
    g_warning ("Cannot count the items of batch %" G_GINT64_FORMAT ": %s", batch_id, error->message);
  report->state = vetter_store_get_batch_state (store, batch_id);
  return report;
}

/* On the database thread. */
static gpointer
store_refresh (VetterStore  *store,
               gpointer      data,
               GError      **error)
{
  Refresh *refresh = data;
  Refreshed *refreshed = g_new0 (Refreshed, 1);

  refreshed->states = g_array_new (FALSE, FALSE, sizeof (ItemState));
  refreshed->reports = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < refresh->items->len; i++)
    {
      ItemState state = { g_array_index (refresh->items, gint64, i), 0, 0 };

      /* An item deleted since is no news. */
      if (!vetter_store_item_status (store, state.item_id, &state.status, &state.batch_id, NULL))
        continue;
      if (refresh->want_items)
        g_array_append_val (refreshed->states, state);
      add_unique (refresh->batches, state.batch_id);
    }
  for (guint i = 0; i < refresh->batches->len; i++)
    g_ptr_array_add (refreshed->reports, count_batch (store, g_array_index (refresh->batches, gint64, i)));
  return refreshed;
}

static void schedule_refresh (VetterEngine *self);
static void store_check_finished (VetterEngine *self,
                                  VetterStore  *store,
                                  gpointer      data);

static void
on_refreshed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(VetterEngine) self = user_data;
  Refreshed *refreshed = vetter_database_run_finish (VETTER_DATABASE (source), result, NULL);

  self->refreshing = FALSE;
  if (refreshed == NULL || self->closed)
    {
      g_clear_pointer (&refreshed, refreshed_free);
      return;
    }
  for (guint i = 0; i < refreshed->states->len; i++)
    {
      ItemState *state = &g_array_index (refreshed->states, ItemState, i);

      g_signal_emit (self, signals[ITEM_CHANGED], 0, state->item_id, state->batch_id, state->status);
    }
  for (guint i = 0; i < refreshed->reports->len; i++)
    {
      ProgressReport *report = g_ptr_array_index (refreshed->reports, i);

      /* Its last items decided elsewhere (the team processed them): it
       * may be finished without a worker here having said so. */
      if (report->counts.queued == 0 && report->counts.processing == 0)
        on_database (self, store_check_finished, g_memdup2 (&report->batch_id, sizeof report->batch_id), g_free);
      on_progress_report (self, report);
    }
  refreshed_free (refreshed);
  if (self->changed_items->len > 0 || self->changed_batches->len > 0)
    schedule_refresh (self);
}

static gboolean
start_refresh (gpointer user_data)
{
  VetterEngine *self = user_data;
  Refresh *refresh = g_new0 (Refresh, 1);

  self->refresh_source = 0;
  self->refreshing = TRUE;
  self->last_refresh = g_get_monotonic_time ();
  refresh->items = g_steal_pointer (&self->changed_items);
  refresh->batches = g_steal_pointer (&self->changed_batches);
  self->changed_items = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->changed_batches = g_array_new (FALSE, FALSE, sizeof (gint64));
  /* Every item's status is read only for someone who listens. */
  refresh->want_items = g_signal_has_handler_pending (self, signals[ITEM_CHANGED], 0, FALSE);
  vetter_database_run_async (self->database, store_refresh, refresh, (GDestroyNotify) refresh_free,
                             (GDestroyNotify) refreshed_free, self->cancellable, on_refreshed, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

static void
schedule_refresh (VetterEngine *self)
{
  gint64 since;

  if (self->refresh_source != 0 || self->refreshing || self->closed)
    return;
  since = (g_get_monotonic_time () - self->last_refresh) / 1000;
  self->refresh_source = g_timeout_add (since >= REFRESH_INTERVAL_MS ? 0 : (guint) (REFRESH_INTERVAL_MS - since),
                                        start_refresh, self);
}

static void
on_rows_changed (VetterDatabase *database,
                 const char     *table,
                 GArray         *ids,
                 VetterEngine   *self)
{
  GArray *into = g_str_equal (table, "item") ? self->changed_items
               : g_str_equal (table, "batch") ? self->changed_batches
               : NULL;

  if (into == NULL)
    return;
  g_array_append_vals (into, ids->data, ids->len);
  schedule_refresh (self);
}

/* ---- Workers -------------------------------------------------------------- */

static void
on_step (const VetterImageJob *job,
         const char           *step,
         gpointer              user_data)
{
  WorkUnit *unit = user_data;
  StepReport *report = g_new0 (StepReport, 1);

  report->item_id = job->item_id;
  report->batch_id = unit->batch_id;
  report->step = g_strdup (step);
  on_main (unit->engine, on_step_report, report, (GDestroyNotify) step_report_free);
}

static void store_on_item_done (VetterEngine *self, VetterStore *store, gpointer data);

static void
worker_run (gpointer data,
            gpointer user_data)
{
  WorkUnit *unit = data;
  VetterEngine *self = unit->engine;
  int place;

  /* In the window, workers yield to the UI thread; a headless batch keeps
   * normal priority: there, throughput is the point. */
  if (unit->config->yield_to_ui)
    vetter_thread_lower_priority ();

  /* Named by the crash mark while here: dying now counts against it. */
  place = vetter_crash_mark_enter_worker (unit->item_id);
  unit->results = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_image_result_free);
  for (guint i = 0; i < unit->jobs->len && !g_atomic_int_get (&self->closing); i++)
    g_ptr_array_add (unit->results,
                     vetter_pipeline_run (g_ptr_array_index (unit->jobs, i), unit->config,
                                          on_step, unit, self->cancellable));
  vetter_crash_mark_leave_worker (place);

  on_database (self, store_on_item_done, unit, (GDestroyNotify) work_unit_free);
}

/* ---- Database thread: the queue ------------------------------------------- */

/* A batch the database thread follows until it finishes. */
static void
mark_active (VetterEngine *self,
             gint64        batch_id)
{
  g_hash_table_add (self->active_batches, g_memdup2 (&batch_id, sizeof batch_id));
}

static void
report_progress (VetterEngine *self,
                 VetterStore  *store,
                 gint64        batch_id)
{
  on_main (self, on_progress_report, count_batch (store, batch_id), g_free);
}

/* A batch this session follows is finished when nothing of it waits any
 * more (a cancelled one, when nothing of it is in a worker): its output
 * CSV is written, it is marked done, and the window hears it at once. */
static void
check_finished (VetterEngine *self,
                VetterStore  *store,
                gint64        batch_id)
{
  g_autoptr(GError) error = NULL;
  ProgressReport *report;

  if (!g_hash_table_contains (self->active_batches, &batch_id))
    return;
  /* Its last items are still being added. */
  if (vetter_store_batch_filling (store, batch_id))
    return;
  report = count_batch (store, batch_id);
  if (report->counts.queued == 0 && report->counts.processing == 0)
    {
      g_autofree char *csv = NULL;

      /* Written again on every finish: a resumed batch may have a new
       * output directory, or its old file may have been removed. */
      csv = vetter_store_write_output_csv (store, batch_id, &error);
      if (error)
        g_warning ("Batch %" G_GINT64_FORMAT ": %s", batch_id, error->message);
      g_clear_error (&error);
      if (report->state != VETTER_BATCH_DONE &&
          !vetter_store_set_batch_state (store, batch_id, VETTER_BATCH_DONE, &error))
        g_warning ("Batch %" G_GINT64_FORMAT ": %s", batch_id, error->message);
      report->state = VETTER_BATCH_DONE;
      report->finished = TRUE;
    }
  else if (report->state == VETTER_BATCH_CANCELLED && report->counts.processing == 0)
    report->finished = TRUE;
  if (!report->finished)
    {
      g_free (report);
      return;
    }
  g_hash_table_remove (self->active_batches, &batch_id);
  on_main (self, on_progress_report, report, g_free);
}

static void
store_check_finished (VetterEngine *self,
                      VetterStore  *store,
                      gpointer      data)
{
  check_finished (self, store, *(gint64 *) data);
}

/* Keeps every worker busy and one item waiting, so no worker idles while
 * the database thread records. */
static void
pump (VetterEngine *self,
      VetterStore  *store)
{
  guint limit = (guint) vetter_config_worker_count (self->config) + 1;

  while (self->in_flight < limit && !g_atomic_int_get (&self->closing))
    {
      g_autoptr(GError) error = NULL;
      GPtrArray *jobs = NULL;
      gint64 item_id, batch_id;
      WorkUnit *unit;

      if (!vetter_store_claim_item (store, &item_id, &batch_id, &jobs, &error))
        {
          if (error)
            g_warning ("Cannot take the next item: %s", error->message);
          /* The last items are in the workers: while they finish, the
           * log is folded into the database, so that closing it (a batch
           * that ends) has little left to copy and sync. */
          else if (!self->queue_dry)
            vetter_database_checkpoint_soon (self->database);
          self->queue_dry = error == NULL;
          return;
        }
      self->queue_dry = FALSE;

      unit = g_new0 (WorkUnit, 1);
      unit->engine = self;
      unit->item_id = item_id;
      unit->batch_id = batch_id;
      /* Each item keeps the settings it was started with, so new ones can
       * arrive while workers run without pulling them from under them. */
      unit->config = vetter_config_copy (self->config);
      unit->jobs = jobs;
      self->in_flight++;
      g_thread_pool_push (self->pool, unit, NULL);
    }
}

static void
store_on_item_done (VetterEngine *self,
                    VetterStore  *store,
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

  if (!vetter_store_record_item (store, unit->item_id, unit->results, unit->config, &outcome, &error))
    {
      g_warning ("Cannot record item %" G_GINT64_FORMAT ": %s", unit->item_id, error->message);
      return;
    }
  g_free (outcome.error);
  check_finished (self, store, unit->batch_id);
  pump (self, store);
}

/* ---- Database thread: requests -------------------------------------------- */

static void
store_put_back (VetterStore *store,
                gpointer     data)
{
  g_autoptr(GError) error = NULL;

  if (vetter_store_put_back_in_flight (store, &error) == 0 && error)
    g_warning ("The items in flight could not be put back: %s", error->message);
}

/* Whether results are shared with the team, and made under which
 * settings: what the work documents pushed from here say. */
static void
note_sharing (VetterEngine *self,
              VetterStore  *store)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = vetter_pipeline_settings_hash (self->config);
  g_autoptr(JsonObject) settings = vetter_pipeline_settings_to_json (self->config);
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;

  json_node_set_object (node, settings);
  text = json_to_string (node, FALSE);
  if (!vetter_store_couch_set_sharing (store, self->config->sync_couch && self->config->sync_uploads, hash, text,
                                       &error))
    g_warning ("Cannot note how results are shared: %s", error->message);
}

static void
store_open (VetterEngine *self,
            VetterStore  *store,
            gpointer      data)
{
  GTask *task = data;
  g_autoptr(GError) error = NULL;
  guint requeued;

  requeued = vetter_store_requeue_interrupted (store, &error);
  if (error)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (requeued > 0)
    g_debug ("%u items were interrupted last time and will be redone", requeued);
  /* A run closed cleanly leaves no half-written file: the output folders
   * (an entry an ad in each) are read only after one that was not. */
  if (vetter_store_stopped_uncleanly (store))
    vetter_store_clean_leftovers (store);
  note_sharing (self, store);
  g_task_return_boolean (task, TRUE);
}

static void
on_database_open (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  VetterEngine *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!vetter_database_open_finish (VETTER_DATABASE (source), result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  on_database (self, store_open, task, g_object_unref);
}

typedef struct
{
  VetterIntakeBatch *batch;
  char              *output_dir;
  char              *callback_url;
  char              *previous_callback;   /* a rerun's: the address it replaced */
  gboolean           resumed;
} AddBatch;

static void
add_batch_free (AddBatch *add)
{
  vetter_intake_batch_free (add->batch);
  g_free (add->output_dir);
  g_free (add->callback_url);
  g_free (add->previous_callback);
  g_free (add);
}

/* Items the first part of a big input holds, so that work starts at once
 * (a thousand rows go in within a tenth of a second), and the most a part
 * holds: each twice the last, one transaction each, read from the input
 * as it goes in (memory stays that of one part), few of them (the
 * workers' results wait while one goes in). */
#define FIRST_FILL_ROWS 1000
#define FILL_ROWS 20000

typedef struct
{
  gint64             batch_id;
  VetterIntakeBatch *batch;
  guint              rows;    /* in the next part: doubling up to FILL_ROWS */
} Fill;

static void
fill_free (Fill *fill)
{
  vetter_intake_batch_free (fill->batch);
  g_free (fill);
}

static void
store_fill_batch (VetterEngine *self,
                  VetterStore  *store,
                  gpointer      data)
{
  Fill *fill = data;
  g_autoptr(GError) error = NULL;
  gint64 left;

  /* Closing: the rest goes in when the same input is added again. */
  if (g_atomic_int_get (&self->closing))
    return;
  /* A part is a big transaction of its own, not a savepoint in a group. */
  vetter_database_commit (self->database);
  left = vetter_store_fill_batch (store, fill->batch_id, fill->batch, fill->rows, &error);
  if (left < 0)
    g_warning ("Batch %" G_GINT64_FORMAT ": its items could not all be added: %s", fill->batch_id, error->message);
  report_progress (self, store, fill->batch_id);
  pump (self, store);
  if (left > 0)
    {
      /* After what the workers wait to record: one part at a time. */
      Fill *next = g_new0 (Fill, 1);

      next->batch_id = fill->batch_id;
      next->batch = g_steal_pointer (&fill->batch);
      next->rows = MIN (fill->rows * 2, FILL_ROWS);
      on_database (self, store_fill_batch, next, (GDestroyNotify) fill_free);
      return;
    }
  check_finished (self, store, fill->batch_id);
}

static void
store_add_batch (VetterEngine *self,
                 VetterStore  *store,
                 gpointer      data)
{
  GTask *task = data;
  AddBatch *add = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gint64 batch_id;

  batch_id = vetter_store_find_batch (store, add->batch->key);
  if (batch_id > 0)
    {
      add->resumed = TRUE;
      if (!vetter_store_update_batch_output (store, batch_id, add->output_dir, &error) ||
          (vetter_store_update_batch_callback (store, batch_id, add->callback_url, &add->previous_callback, &error),
           error != NULL) ||
          (vetter_store_get_batch_state (store, batch_id) != VETTER_BATCH_DONE &&
           !vetter_store_set_batch_state (store, batch_id, VETTER_BATCH_RUNNING, &error)))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  else
    {
      batch_id = vetter_store_add_batch_part (store, add->batch, add->output_dir, add->callback_url, FIRST_FILL_ROWS,
                                              &error);
      if (batch_id == 0)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }

  mark_active (self, batch_id);
  report_progress (self, store, batch_id);
  g_task_return_int (task, batch_id);
  /* The rest of a big input goes in a part at a time, the workers busy
   * with the first meanwhile (after a crash, from where it stopped). */
  if (vetter_store_batch_filling (store, batch_id))
    {
      Fill *fill = g_new0 (Fill, 1);

      fill->batch_id = batch_id;
      fill->batch = g_steal_pointer (&add->batch);
      fill->rows = FIRST_FILL_ROWS;
      on_database (self, store_fill_batch, fill, (GDestroyNotify) fill_free);
    }
  check_finished (self, store, batch_id);
  pump (self, store);
}

typedef struct
{
  gint64            batch_id;
  gboolean          retry;   /* retry its failed items, rather than set @state */
  VetterBatchState  state;
} BatchCommand;

static void
store_batch_command (VetterEngine *self,
                     VetterStore  *store,
                     gpointer      data)
{
  BatchCommand *command = data;
  g_autoptr(GError) error = NULL;

  if (!command->retry)
    vetter_store_set_batch_state (store, command->batch_id, command->state, &error);
  else if (vetter_store_retry_failed (store, command->batch_id, &error) > 0 || error == NULL)
    vetter_store_set_batch_state (store, command->batch_id, VETTER_BATCH_RUNNING, &error);
  if (error)
    {
      g_warning ("Batch %" G_GINT64_FORMAT ": %s", command->batch_id, error->message);
      return;
    }

  if (command->retry || command->state == VETTER_BATCH_RUNNING)
    mark_active (self, command->batch_id);
  check_finished (self, store, command->batch_id);
  pump (self, store);
}

static void
store_resume_unfinished (VetterEngine *self,
                         VetterStore  *store,
                         gpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = vetter_store_unfinished_batches (store, &error);

  if (ids == NULL)
    return;
  for (guint i = 0; i < ids->len; i++)
    {
      mark_active (self, g_array_index (ids, gint64, i));
      report_progress (self, store, g_array_index (ids, gint64, i));
    }
  pump (self, store);
}

static void
store_set_config (VetterEngine *self,
                  VetterStore  *store,
                  gpointer      data)
{
  g_autoptr(GError) error = NULL;

  vetter_config_free (self->config);
  self->config = vetter_config_copy (data);
  note_sharing (self, store);
  if (!g_thread_pool_set_max_threads (self->pool, vetter_config_worker_count (self->config), &error))
    g_warning ("Cannot change the number of workers: %s", error->message);
  pump (self, store);
}

/* ---- Queries --------------------------------------------------------------- */

/* Their progress follows, as for batches this session started. */
static void
store_list_batches (VetterEngine *self,
                    VetterStore  *store,
                    gpointer      data)
{
  GTask *task = data;
  guint limit = GPOINTER_TO_UINT (g_task_get_task_data (task));
  GError *error = NULL;
  GPtrArray *batches = vetter_store_list_batches (store, limit, &error);

  if (batches == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < batches->len; i++)
    report_progress (self, store, ((VetterBatchInfo *) batches->pdata[i])->id);
  g_task_return_pointer (task, batches, (GDestroyNotify) g_ptr_array_unref);
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
query_summary (VetterStore  *store,
               gpointer      data,
               GError      **error)
{
  SummaryRequest *request = data;

  return vetter_store_write_summary (store, (const gint64 *) request->batch_ids->data,
                                     request->batch_ids->len, request->json, error);
}

static gpointer
query_review_queue (VetterStore  *store,
                    gpointer      data,
                    GError      **error)
{
  return vetter_store_review_queue (store, data, error);
}

static gpointer
query_item_detail (VetterStore  *store,
                   gpointer      data,
                   GError      **error)
{
  return vetter_store_item_detail (store, *(gint64 *) data, error);
}

static gpointer
query_defect_kinds (VetterStore  *store,
                    gpointer      data,
                    GError      **error)
{
  return vetter_store_defect_kinds (store, error);
}

typedef struct
{
  gint64 batch_id;
  guint  offset;
  guint  limit;
} ItemPage;

static gpointer
query_list_items (VetterStore  *store,
                  gpointer      data,
                  GError      **error)
{
  ItemPage *page = data;

  return vetter_store_list_items (store, page->batch_id, page->offset, page->limit, error);
}

typedef struct
{
  gint64              item_id;
  VetterItemDecision *decision;
  char               *action;
  char               *actor;
  gboolean            keep_theirs;
  VetterConfig       *config;
} DecideRequest;

static void
decide_request_free (DecideRequest *request)
{
  vetter_item_decision_free (request->decision);
  g_free (request->action);
  g_free (request->actor);
  vetter_config_free (request->config);
  g_free (request);
}

static gpointer
query_decide (VetterStore  *store,
              gpointer      data,
              GError      **error)
{
  DecideRequest *request = data;
  VetterItemDecision *previous = NULL;

  if (!vetter_store_decide (store, request->item_id, request->decision, request->action, request->actor,
                            request->config, &previous, NULL, error))
    return NULL;
  return previous;
}

static gpointer
query_resolve_conflict (VetterStore  *store,
                        gpointer      data,
                        GError      **error)
{
  DecideRequest *request = data;

  if (!vetter_store_resolve_conflict (store, request->item_id, request->keep_theirs, request->actor,
                                      request->config, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

typedef struct
{
  GDestroyNotify result_free;
} Query;

static void
on_query_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Query *query = g_task_get_task_data (task);
  GError *error = NULL;
  gpointer value = vetter_database_run_finish (VETTER_DATABASE (source), result, &error);

  if (value == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, value, query->result_free);
}

/* A query of the store, answered as the engine's own task. */
static void
run_query (VetterEngine        *self,
           gpointer             source_tag,
           VetterDatabaseFunc   func,
           gpointer             data,
           GDestroyNotify       data_free,
           GDestroyNotify       result_free,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Query *query = g_new0 (Query, 1);

  query->result_free = result_free;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, query, g_free);
  vetter_database_run_async (self->database, func, data, data_free, result_free, cancellable, on_query_done, task);
}

static gpointer
query_finish (VetterEngine  *self,
              GAsyncResult  *result,
              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- GObject -------------------------------------------------------------- */

static void
vetter_engine_dispose (GObject *object)
{
  VetterEngine *self = VETTER_ENGINE (object);

  vetter_engine_close (self);
  if (self->database)
    g_signal_handlers_disconnect_by_func (self->database, on_rows_changed, self);
  g_clear_object (&self->database);
  G_OBJECT_CLASS (vetter_engine_parent_class)->dispose (object);
}

static void
vetter_engine_finalize (GObject *object)
{
  VetterEngine *self = VETTER_ENGINE (object);

  g_free (self->person);
  g_clear_pointer (&self->progress, g_hash_table_unref);
  g_clear_pointer (&self->active_batches, g_hash_table_unref);
  g_clear_pointer (&self->changed_items, g_array_unref);
  g_clear_pointer (&self->changed_batches, g_array_unref);
  g_clear_pointer (&self->main_context, g_main_context_unref);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->variant_fetch);
  vetter_config_free (self->config);
  vetter_config_free (self->main_config);

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
   * VetterEngine::role-changed:
   *
   * What the person may do changed (the shared database told their role).
   */
  signals[ROLE_CHANGED] = g_signal_new ("role-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * VetterEngine::item-changed:
   * @item_id: the item
   * @batch_id: its batch
   * @status: (type VetterStatus): its status now
   *
   * The item changed in the database, whoever changed it.
   */
  signals[ITEM_CHANGED] = g_signal_new ("item-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                        G_TYPE_INT64, G_TYPE_INT64, VETTER_TYPE_STATUS);
  /**
   * VetterEngine::item-step:
   * @item_id: the item
   * @batch_id: its batch
   * @step: the step a worker began: fetch, decode, …
   */
  signals[ITEM_STEP] = g_signal_new ("item-step", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                     G_TYPE_INT64, G_TYPE_INT64, G_TYPE_STRING);
}

static void
vetter_engine_init (VetterEngine *self)
{
  /* A desktop alone is its own admin; a shared database says otherwise. */
  self->role = VETTER_ROLE_ADMIN;
  self->progress = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) progress_entry_free);
  self->active_batches = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->changed_items = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->changed_batches = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->cancellable = g_cancellable_new ();
  self->variant_fetch = vetter_variant_fetch_new (self);
}

/* ---- Public API ----------------------------------------------------------- */

VetterEngine *
vetter_engine_new_for_database (VetterDatabase     *database,
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

  self->database = g_object_ref (database);
  self->config = config ? vetter_config_copy (config) : vetter_config_new ();
  self->main_config = vetter_config_copy (self->config);
  self->main_context = g_main_context_ref_thread_default ();
  self->pool = g_thread_pool_new_full (worker_run, self, (GDestroyNotify) work_unit_free,
                                       vetter_config_worker_count (self->config), TRUE, &error);
  if (self->pool == NULL)
    g_error ("Cannot start the worker threads: %s", error->message);
  g_signal_connect (database, "rows-changed", G_CALLBACK (on_rows_changed), self);
  return self;
}

VetterEngine *
vetter_engine_new (const char         *db_path,
                   const VetterConfig *config)
{
  g_autoptr(VetterDatabase) database = vetter_database_new (db_path);
  VetterEngine *self = vetter_engine_new_for_database (database, config);

  self->owns_database = TRUE;
  return self;
}

VetterRole
vetter_engine_get_role (VetterEngine *self)
{
  g_return_val_if_fail (VETTER_IS_ENGINE (self), VETTER_ROLE_VIEWER);
  return self->role;
}

void
vetter_engine_set_role (VetterEngine *self,
                        VetterRole    role)
{
  g_return_if_fail (VETTER_IS_ENGINE (self));
  if (self->role == role)
    return;
  self->role = role;
  g_signal_emit (self, signals[ROLE_CHANGED], 0);
}

const char *
vetter_engine_get_person (VetterEngine *self)
{
  g_return_val_if_fail (VETTER_IS_ENGINE (self), NULL);
  return self->person ? self->person : g_get_user_name ();
}

void
vetter_engine_set_person (VetterEngine *self,
                          const char   *person)
{
  g_return_if_fail (VETTER_IS_ENGINE (self));
  g_free (self->person);
  self->person = person && *person ? g_strdup (person) : NULL;
}

VetterDatabase *
vetter_engine_get_database (VetterEngine *self)
{
  g_return_val_if_fail (VETTER_IS_ENGINE (self), NULL);
  return self->database;
}

void
vetter_engine_open_async (VetterEngine        *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, vetter_engine_open_async);
  vetter_database_open_async (self->database, cancellable, on_database_open, task);
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
  on_database (self, store_add_batch, task, g_object_unref);
}

gint64
vetter_engine_add_batch_finish (VetterEngine  *self,
                                GAsyncResult  *result,
                                gboolean      *resumed,
                                char         **previous_callback,
                                GError       **error)
{
  AddBatch *add;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  add = g_task_get_task_data (G_TASK (result));
  if (resumed)
    *resumed = add->resumed;
  if (previous_callback)
    *previous_callback = g_strdup (add->previous_callback);
  return g_task_propagate_int (G_TASK (result), error);
}

void
vetter_engine_list_batches_async (VetterEngine        *self,
                                  guint                limit,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, vetter_engine_list_batches_async);
  g_task_set_task_data (task, GUINT_TO_POINTER (limit), NULL);
  on_database (self, store_list_batches, task, g_object_unref);
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
  vetter_config_free (self->main_config);
  self->main_config = vetter_config_copy (config);
  on_database (self, store_set_config, vetter_config_copy (config), (GDestroyNotify) vetter_config_free);
}

static void
store_share_settings (VetterEngine *self,
                      VetterStore  *store,
                      gpointer      data)
{
  g_autoptr(GError) error = NULL;

  if (!vetter_store_couch_push_settings (store, &error))
    g_warning ("Cannot share the settings with the team: %s", error->message);
}

void
vetter_engine_share_settings (VetterEngine *self)
{
  g_return_if_fail (VETTER_IS_ENGINE (self));
  on_database (self, store_share_settings, NULL, NULL);
}

void
vetter_engine_fetch_variants (VetterEngine *self,
                              gint64        item_id)
{
  g_return_if_fail (VETTER_IS_ENGINE (self));
  if (!self->closed)
    vetter_variant_fetch_item (self->variant_fetch, item_id);
}

void
vetter_engine_fetch_thumbnails (VetterEngine *self)
{
  g_return_if_fail (VETTER_IS_ENGINE (self));
  if (!self->closed)
    vetter_variant_fetch_thumbnails (self->variant_fetch);
}

const VetterConfig *
vetter_engine_get_config (VetterEngine *self)
{
  g_return_val_if_fail (VETTER_IS_ENGINE (self), NULL);
  return self->main_config;
}

void
vetter_engine_resume_unfinished (VetterEngine *self)
{
  g_return_if_fail (VETTER_IS_ENGINE (self));
  on_database (self, store_resume_unfinished, NULL, NULL);
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
  run_query (self, vetter_engine_summary_async, query_summary, request, (GDestroyNotify) summary_request_free,
             (GDestroyNotify) vetter_summary_free, cancellable, callback, user_data);
}

VetterSummary *
vetter_engine_summary_finish (VetterEngine  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return query_finish (self, result, error);
}

static void
send_batch_command (VetterEngine     *self,
                    gint64            batch_id,
                    gboolean          retry,
                    VetterBatchState  state)
{
  BatchCommand *command = g_new0 (BatchCommand, 1);

  command->batch_id = batch_id;
  command->retry = retry;
  command->state = state;
  on_database (self, store_batch_command, command, g_free);
}

void
vetter_engine_pause_batch (VetterEngine *self,
                           gint64        batch_id)
{
  send_batch_command (self, batch_id, FALSE, VETTER_BATCH_PAUSED);
}

void
vetter_engine_resume_batch (VetterEngine *self,
                            gint64        batch_id)
{
  send_batch_command (self, batch_id, FALSE, VETTER_BATCH_RUNNING);
}

void
vetter_engine_cancel_batch (VetterEngine *self,
                            gint64        batch_id)
{
  send_batch_command (self, batch_id, FALSE, VETTER_BATCH_CANCELLED);
}

void
vetter_engine_retry_failed (VetterEngine *self,
                            gint64        batch_id)
{
  send_batch_command (self, batch_id, TRUE, VETTER_BATCH_RUNNING);
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
  vetter_variant_fetch_stop (self->variant_fetch);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  /* Whatever the database thread was doing is done once this returns; any
   * later pump sees "closing" and pushes nothing to the pool. */
  vetter_database_barrier (self->database);
  /* Items waiting in the pool are dropped; running ones finish their
   * image, and their results are written before the dropped ones go back
   * to the queue: a clean stop leaves nothing looking interrupted (that
   * is what a crash leaves, and what sets aside an image that crashes). */
  g_thread_pool_free (self->pool, TRUE, TRUE);
  self->pool = NULL;
  vetter_database_post (self->database, store_put_back, NULL, NULL);
  vetter_database_barrier (self->database);
  if (self->owns_database)
    vetter_database_close (self->database);

  /* Drop what the database thread posted here after the last dispatch. */
  if (g_main_context_acquire (self->main_context))
    {
      while (g_main_context_pending (self->main_context))
        g_main_context_iteration (self->main_context, FALSE);
      g_main_context_release (self->main_context);
    }
}

/* ---- Queries for the window ----------------------------------------------- */

void
vetter_engine_review_queue_async (VetterEngine             *self,
                                  const VetterReviewFilter *filter,
                                  GCancellable             *cancellable,
                                  GAsyncReadyCallback       callback,
                                  gpointer                  user_data)
{
  g_return_if_fail (VETTER_IS_ENGINE (self));
  run_query (self, vetter_engine_review_queue_async, query_review_queue, vetter_review_filter_copy (filter),
             (GDestroyNotify) vetter_review_filter_free, (GDestroyNotify) g_array_unref, cancellable, callback,
             user_data);
}

GArray *
vetter_engine_review_queue_finish (VetterEngine  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return query_finish (self, result, error);
}

void
vetter_engine_item_detail_async (VetterEngine        *self,
                                 gint64               item_id,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (VETTER_IS_ENGINE (self));
  run_query (self, vetter_engine_item_detail_async, query_item_detail, g_memdup2 (&item_id, sizeof item_id), g_free,
             (GDestroyNotify) vetter_item_detail_unref, cancellable, callback, user_data);
}

VetterItemDetail *
vetter_engine_item_detail_finish (VetterEngine  *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return query_finish (self, result, error);
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
  DecideRequest *request;

  g_return_if_fail (VETTER_IS_ENGINE (self));
  request = g_new0 (DecideRequest, 1);
  request->item_id = item_id;
  request->decision = vetter_item_decision_copy (decision);
  request->action = g_strdup (action);
  request->actor = g_strdup (actor);
  request->config = vetter_config_copy (self->main_config);
  run_query (self, vetter_engine_decide_async, query_decide, request, (GDestroyNotify) decide_request_free,
             (GDestroyNotify) vetter_item_decision_free, cancellable, callback, user_data);
}

VetterItemDecision *
vetter_engine_decide_finish (VetterEngine  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return query_finish (self, result, error);
}

typedef struct
{
  GArray             *item_ids;
  VetterItemDecision *decision;
  VetterBulkUndo     *undo;     /* borrowed, for an undo */
  char               *actor;
  VetterConfig       *config;
} BulkRequest;

static void
bulk_request_free (BulkRequest *request)
{
  g_clear_pointer (&request->item_ids, g_array_unref);
  g_clear_pointer (&request->decision, vetter_item_decision_free);
  g_free (request->actor);
  vetter_config_free (request->config);
  g_free (request);
}

static gpointer
query_decide_many (VetterStore  *store,
                   gpointer      data,
                   GError      **error)
{
  BulkRequest *request = data;

  return vetter_store_decide_many (store, (const gint64 *) request->item_ids->data, request->item_ids->len,
                                   request->decision, request->actor, request->config, error);
}

static gpointer
query_undo_many (VetterStore  *store,
                 gpointer      data,
                 GError      **error)
{
  BulkRequest *request = data;

  if (!vetter_store_undo_many (store, request->undo, request->actor, request->config, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

void
vetter_engine_decide_many_async (VetterEngine             *self,
                                 GArray                   *item_ids,
                                 const VetterItemDecision *decision,
                                 const char               *actor,
                                 GCancellable             *cancellable,
                                 GAsyncReadyCallback       callback,
                                 gpointer                  user_data)
{
  BulkRequest *request;

  g_return_if_fail (VETTER_IS_ENGINE (self));
  request = g_new0 (BulkRequest, 1);
  request->item_ids = g_array_ref (item_ids);
  request->decision = vetter_item_decision_copy (decision);
  request->actor = g_strdup (actor);
  request->config = vetter_config_copy (self->main_config);
  run_query (self, vetter_engine_decide_many_async, query_decide_many, request, (GDestroyNotify) bulk_request_free,
             (GDestroyNotify) vetter_bulk_undo_free, cancellable, callback, user_data);
}

VetterBulkUndo *
vetter_engine_decide_many_finish (VetterEngine  *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return query_finish (self, result, error);
}

/* @undo must live until the callback. */
void
vetter_engine_undo_many_async (VetterEngine        *self,
                               VetterBulkUndo      *undo,
                               const char          *actor,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  BulkRequest *request;

  g_return_if_fail (VETTER_IS_ENGINE (self));
  request = g_new0 (BulkRequest, 1);
  request->undo = undo;
  request->actor = g_strdup (actor);
  request->config = vetter_config_copy (self->main_config);
  run_query (self, vetter_engine_undo_many_async, query_undo_many, request, (GDestroyNotify) bulk_request_free,
             NULL, cancellable, callback, user_data);
}

gboolean
vetter_engine_undo_many_finish (VetterEngine  *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return query_finish (self, result, error) != NULL;
}

static gpointer
query_revert (VetterStore  *store,
              gpointer      data,
              GError      **error)
{
  DecideRequest *request = data;
  gint64 item_id = vetter_store_revert (store, request->item_id, request->actor, request->config, error);

  return item_id ? g_memdup2 (&item_id, sizeof item_id) : NULL;
}

void
vetter_engine_revert_async (VetterEngine        *self,
                            gint64               audit_id,
                            const char          *actor,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  DecideRequest *request;

  g_return_if_fail (VETTER_IS_ENGINE (self));
  request = g_new0 (DecideRequest, 1);
  /* The request's item is the audit row here. */
  request->item_id = audit_id;
  request->actor = g_strdup (actor);
  request->config = vetter_config_copy (self->main_config);
  run_query (self, vetter_engine_revert_async, query_revert, request, (GDestroyNotify) decide_request_free, g_free,
             cancellable, callback, user_data);
}

gint64
vetter_engine_revert_finish (VetterEngine  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_autofree gint64 *item_id = query_finish (self, result, error);

  return item_id ? *item_id : 0;
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
  DecideRequest *request;

  g_return_if_fail (VETTER_IS_ENGINE (self));
  request = g_new0 (DecideRequest, 1);
  request->item_id = item_id;
  request->keep_theirs = keep_theirs;
  request->actor = g_strdup (actor);
  request->config = vetter_config_copy (self->main_config);
  run_query (self, vetter_engine_resolve_conflict_async, query_resolve_conflict, request,
             (GDestroyNotify) decide_request_free, NULL, cancellable, callback, user_data);
}

gboolean
vetter_engine_resolve_conflict_finish (VetterEngine  *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  return query_finish (self, result, error) != NULL;
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
  ItemPage *page;

  g_return_if_fail (VETTER_IS_ENGINE (self));
  page = g_new0 (ItemPage, 1);
  page->batch_id = batch_id;
  page->offset = offset;
  page->limit = limit;
  run_query (self, vetter_engine_list_items_async, query_list_items, page, g_free, (GDestroyNotify) g_ptr_array_unref,
             cancellable, callback, user_data);
}

GPtrArray *
vetter_engine_list_items_finish (VetterEngine  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return query_finish (self, result, error);
}

void
vetter_engine_defect_kinds_async (VetterEngine        *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (VETTER_IS_ENGINE (self));
  run_query (self, vetter_engine_defect_kinds_async, query_defect_kinds, NULL, NULL, (GDestroyNotify) g_ptr_array_unref,
             cancellable, callback, user_data);
}

GPtrArray *
vetter_engine_defect_kinds_finish (VetterEngine  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return query_finish (self, result, error);
}
