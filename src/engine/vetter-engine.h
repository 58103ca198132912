/* vetter-engine.h: the queue, the workers and the store, behind one object
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "vetter-config.h"
#include "vetter-intake.h"
#include "vetter-store.h"

G_BEGIN_DECLS

#define VETTER_TYPE_ENGINE (vetter_engine_get_type ())

G_DECLARE_FINAL_TYPE (VetterEngine, vetter_engine, VETTER, ENGINE, GObject)

typedef struct
{
  gint64   batch_id;
  gint64   total;
  gint64   done;          /* decided or failed */
  gint64   failed;
  gint64   approved;
  gint64   rejected;
  gint64   needs_review;
  gint64   waiting;       /* queued or in a worker */
  double   fraction;      /* done / total, 0–1 */
  double   throughput;    /* items a second, in this session */
  double   eta;           /* seconds, or -1 when unknown */
  char    *state;         /* running, paused, cancelled, done */
} VetterBatchProgress;

char         *vetter_engine_default_db_path  (void);

VetterEngine *vetter_engine_new              (const char           *db_path,
                                              const VetterConfig   *config);

void          vetter_engine_open_async       (VetterEngine         *self,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean      vetter_engine_open_finish      (VetterEngine         *self,
                                              GAsyncResult         *result,
                                              GError              **error);

/* Takes ownership of @batch. The same input added again resumes its batch. */
void          vetter_engine_add_batch_async  (VetterEngine         *self,
                                              VetterIntakeBatch    *batch,
                                              const char           *output_dir,
                                              const char           *callback_url,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gint64        vetter_engine_add_batch_finish (VetterEngine         *self,
                                              GAsyncResult         *result,
                                              gboolean             *resumed,
                                              GError              **error);

/* Newest first: GPtrArray of VetterBatchInfo (see vetter-store.h). Their
 * progress follows as batch-progress signals. */
void          vetter_engine_list_batches_async  (VetterEngine       *self,
                                                 guint               limit,
                                                 GCancellable       *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer            user_data);
GPtrArray    *vetter_engine_list_batches_finish (VetterEngine       *self,
                                                 GAsyncResult       *result,
                                                 GError            **error);

/* New settings (a copy is taken): items started from now on use them, and
 * the pool grows or shrinks to the new worker count. */
void          vetter_engine_set_config        (VetterEngine        *self,
                                               const VetterConfig  *config);

/* Goes on with the batches a previous session left running. */
void          vetter_engine_resume_unfinished (VetterEngine        *self);

/* Counts, failures and output files of the batches; with @json, also
 * the design's JSON summary, written to it item by item. */
void          vetter_engine_summary_async    (VetterEngine         *self,
                                              const gint64         *batch_ids,
                                              guint                 n_batch_ids,
                                              GOutputStream        *json,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
VetterSummary *vetter_engine_summary_finish  (VetterEngine         *self,
                                              GAsyncResult         *result,
                                              GError              **error);

void          vetter_engine_pause_batch      (VetterEngine         *self,
                                              gint64                batch_id);
void          vetter_engine_resume_batch     (VetterEngine         *self,
                                              gint64                batch_id);
void          vetter_engine_cancel_batch     (VetterEngine         *self,
                                              gint64                batch_id);
void          vetter_engine_retry_failed     (VetterEngine         *self,
                                              gint64                batch_id);

const VetterBatchProgress *vetter_engine_get_progress (VetterEngine *self,
                                                       gint64        batch_id);

/* Item ids to review under @filter, oldest first (a GArray of gint64). */
void          vetter_engine_review_queue_async  (VetterEngine             *self,
                                                 const VetterReviewFilter *filter,
                                                 GCancellable             *cancellable,
                                                 GAsyncReadyCallback       callback,
                                                 gpointer                  user_data);
GArray       *vetter_engine_review_queue_finish (VetterEngine             *self,
                                                 GAsyncResult             *result,
                                                 GError                  **error);

/* Everything known of one item: its data, decision, the rules' decision,
 * images with tags, defects, variants and steps, and its history. */
void          vetter_engine_item_detail_async   (VetterEngine        *self,
                                                 gint64               item_id,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
JsonObject   *vetter_engine_item_detail_finish  (VetterEngine        *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* Records @decision as @action ("decide" or "undo") by @actor; the result is the
 * decision it replaced, which undo gives back. item-changed and
 * batch-progress follow. */
void          vetter_engine_decide_async        (VetterEngine             *self,
                                                 gint64                    item_id,
                                                 const VetterItemDecision *decision,
                                                 const char               *action,
                                                 const char               *actor,
                                                 GCancellable             *cancellable,
                                                 GAsyncReadyCallback       callback,
                                                 gpointer                  user_data);
VetterItemDecision *vetter_engine_decide_finish (VetterEngine             *self,
                                                 GAsyncResult             *result,
                                                 GError                  **error);

/* A conflict with another desktop's decision ends: theirs becomes the
 * item's, or the item's own is written over it. */
void          vetter_engine_resolve_conflict_async  (VetterEngine        *self,
                                                     gint64               item_id,
                                                     gboolean             keep_theirs,
                                                     const char          *actor,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean      vetter_engine_resolve_conflict_finish (VetterEngine        *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

/* Items the store changed for someone else (another desktop's
 * decisions): announced as item-changed and batch-progress, as a
 * decision made here would be. */
void          vetter_engine_announce_items   (VetterEngine         *self,
                                              GArray               *item_ids);

/* A page of a batch's items in row order (GPtrArray of VetterItemRow). */
void          vetter_engine_list_items_async    (VetterEngine        *self,
                                                 gint64               batch_id,
                                                 guint                offset,
                                                 guint                limit,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
GPtrArray    *vetter_engine_list_items_finish   (VetterEngine        *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* The defect kinds found so far (GPtrArray of char*), for filters. */
void          vetter_engine_defect_kinds_async  (VetterEngine        *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
GPtrArray    *vetter_engine_defect_kinds_finish (VetterEngine        *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* Runs @func on the store thread with @data; its result (NULL with an
 * error) comes back to the caller's thread. For the outbox's sender and
 * other readers that need no signals. */
typedef gpointer (*VetterStoreFunc) (VetterStore  *store,
                                     gpointer      data,
                                     GError      **error);

void          vetter_engine_run_in_store_async  (VetterEngine        *self,
                                                 VetterStoreFunc      func,
                                                 gpointer             data,
                                                 GDestroyNotify       data_free,
                                                 GDestroyNotify       result_free,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gpointer      vetter_engine_run_in_store_finish (VetterEngine        *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* Stops the workers (work in flight is left to be redone next time) and
 * closes the store. Blocks until they have stopped. */
void          vetter_engine_close            (VetterEngine         *self);

G_END_DECLS
