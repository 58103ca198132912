/* vetter-engine.h: the queue and the workers, over the database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "vetter-config.h"
#include "vetter-database.h"
#include "vetter-intake.h"
#include "vetter-records.h"

G_BEGIN_DECLS

#define VETTER_TYPE_ENGINE (vetter_engine_get_type ())

G_DECLARE_FINAL_TYPE (VetterEngine, vetter_engine, VETTER, ENGINE, GObject)

typedef struct
{
  gint64           batch_id;
  gint64           total;
  gint64           done;          /* decided or failed */
  gint64           failed;
  gint64           approved;
  gint64           rejected;
  gint64           needs_review;
  gint64           waiting;       /* queued or in a worker */
  double           fraction;      /* done / total, 0–1 */
  double           throughput;    /* items a second, in this session */
  double           eta;           /* seconds, or -1 when unknown */
  VetterBatchState state;
} VetterBatchProgress;

/* An engine with a database of its own at @db_path (NULL: the default),
 * closed with the engine. */
VetterEngine   *vetter_engine_new              (const char           *db_path,
                                                const VetterConfig   *config);
/* An engine over @database, which others may use too and which stays open
 * after the engine closes. */
VetterEngine   *vetter_engine_new_for_database (VetterDatabase       *database,
                                                const VetterConfig   *config);
/* Returns: (transfer none): the database the engine works on. */
/* The person who acts on this desktop, as every decision, claim, note and
 * audit row records them: with a shared database its login (the server
 * checks it), otherwise the system account. */
const char     *vetter_engine_get_person      (VetterEngine         *self);
/* What the person may do ("role-changed" when it changes): an admin on a
 * desktop alone; the shared database's role otherwise. */
VetterRole      vetter_engine_get_role        (VetterEngine         *self);
void            vetter_engine_set_role        (VetterEngine         *self,
                                               VetterRole            role);
void            vetter_engine_set_person      (VetterEngine         *self,
                                               const char           *person);
VetterDatabase *vetter_engine_get_database     (VetterEngine         *self);

/* Opens the database if it is not yet, and queues again the work a
 * previous run left in flight. */
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
/* @resumed: (out) (optional): the same input was added before and goes on;
 * @previous_callback: (out) (optional) (transfer full) (nullable): then,
 * the callback address this one's replaced. */
gint64        vetter_engine_add_batch_finish (VetterEngine         *self,
                                              GAsyncResult         *result,
                                              gboolean             *resumed,
                                              char                **previous_callback,
                                              GError              **error);

/* Newest first; their progress follows as batch-progress signals.
 * Returns: (transfer full) (element-type VetterBatchInfo). */
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
/* The settings that make results (variants, limits, rules), as they are
 * now (after any vetter_engine_set_config() before it), become the
 * team's: an admin's, sent to the shared database. */
void          vetter_engine_share_settings    (VetterEngine        *self);
/* Fetches the variants of item @item_id that another machine made and
 * are not here yet (when it is shown); thumbnails, all of them, one after
 * another (as ads processed elsewhere arrive). */
void          vetter_engine_fetch_variants    (VetterEngine        *self,
                                               gint64               item_id);
void          vetter_engine_fetch_thumbnails  (VetterEngine        *self);
/* Returns: (transfer none): the settings items start with now. */
const VetterConfig *vetter_engine_get_config  (VetterEngine        *self);

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
/* Returns: (transfer full). */
VetterSummary *vetter_engine_summary_finish  (VetterEngine         *self,
                                              GAsyncResult         *result,
                                              GError              **error);

void          vetter_engine_pause_batch      (VetterEngine         *self,
                                              gint64                batch_id);
/* Also: new work arrived in the batch (ads another desktop shared). */
void          vetter_engine_resume_batch     (VetterEngine         *self,
                                              gint64                batch_id);
void          vetter_engine_cancel_batch     (VetterEngine         *self,
                                              gint64                batch_id);
void          vetter_engine_retry_failed     (VetterEngine         *self,
                                              gint64                batch_id);

/* Returns: (transfer none) (nullable): as last counted, or NULL for a
 * batch not seen yet. */
const VetterBatchProgress *vetter_engine_get_progress (VetterEngine *self,
                                                       gint64        batch_id);

/* Item ids to review under @filter, oldest first.
 * Returns: (transfer full) (element-type gint64). */
void          vetter_engine_review_queue_async  (VetterEngine             *self,
                                                 const VetterReviewFilter *filter,
                                                 GCancellable             *cancellable,
                                                 GAsyncReadyCallback       callback,
                                                 gpointer                  user_data);
GArray       *vetter_engine_review_queue_finish (VetterEngine             *self,
                                                 GAsyncResult             *result,
                                                 GError                  **error);

/* Everything known of one item. Returns: (transfer full). */
void          vetter_engine_item_detail_async   (VetterEngine        *self,
                                                 gint64               item_id,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
VetterItemDetail *vetter_engine_item_detail_finish (VetterEngine     *self,
                                                    GAsyncResult     *result,
                                                    GError          **error);

/* Records @decision as @action ("decide" or "undo") by @actor, with what
 * follows it under the engine's settings. Returns: (transfer full): the
 * decision it replaced, which undo gives back. */
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

/* @decision on every ad of @item_ids at once (see vetter_store_decide_many),
 * with what follows under the engine's settings. Returns: (transfer full):
 * what an undo gives back. */
void            vetter_engine_decide_many_async  (VetterEngine             *self,
                                                  GArray                   *item_ids,
                                                  const VetterItemDecision *decision,
                                                  const char               *actor,
                                                  GCancellable             *cancellable,
                                                  GAsyncReadyCallback       callback,
                                                  gpointer                  user_data);
VetterBulkUndo *vetter_engine_decide_many_finish (VetterEngine             *self,
                                                  GAsyncResult             *result,
                                                  GError                  **error);
void            vetter_engine_undo_many_async    (VetterEngine             *self,
                                                  VetterBulkUndo           *undo,
                                                  const char               *actor,
                                                  GCancellable             *cancellable,
                                                  GAsyncReadyCallback       callback,
                                                  gpointer                  user_data);
gboolean        vetter_engine_undo_many_finish   (VetterEngine             *self,
                                                  GAsyncResult             *result,
                                                  GError                  **error);

/* Takes an ad back to before the change the audit row @audit_id records
 * (see vetter_store_revert). Returns the ad's id, 0 with @error. */
void            vetter_engine_revert_async       (VetterEngine             *self,
                                                  gint64                    audit_id,
                                                  const char               *actor,
                                                  GCancellable             *cancellable,
                                                  GAsyncReadyCallback       callback,
                                                  gpointer                  user_data);
gint64          vetter_engine_revert_finish      (VetterEngine             *self,
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

/* A page of a batch's items in row order.
 * Returns: (transfer full) (element-type VetterItemRow). */
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

/* The defect kinds found so far, for filters.
 * Returns: (transfer full) (element-type utf8). */
void          vetter_engine_defect_kinds_async  (VetterEngine        *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
GPtrArray    *vetter_engine_defect_kinds_finish (VetterEngine        *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* Stops the workers (work in flight is left to be redone next time) and,
 * for an engine with a database of its own, closes it. Blocks until they
 * have stopped. */
void          vetter_engine_close            (VetterEngine         *self);

G_END_DECLS
