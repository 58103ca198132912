/* vetter-store.h: everything Vetter knows, in SQLite
 *
 * A store belongs to the thread that opened it (the database thread, see
 * vetter-database.h); every function here runs there and asserts so. What
 * a function returns is the caller's (transfer full) unless it says
 * otherwise.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "vetter-config.h"
#include "vetter-intake.h"
#include "vetter-pipeline.h"
#include "vetter-records.h"

G_BEGIN_DECLS

#define VETTER_STORE_SCHEMA_VERSION 10

#define VETTER_TYPE_STORE (vetter_store_get_type ())

G_DECLARE_FINAL_TYPE (VetterStore, vetter_store, VETTER, STORE, GObject)

/* What processing an item came to. */
typedef struct
{
  gint64        item_id;
  gint64        batch_id;
  VetterStatus  status;
  char         *error;       /* failed items: why */
} VetterItemOutcome;

/**
 * vetter_store_open:
 * Returns: (transfer full) (nullable): the store, owned by the calling
 *   thread, or %NULL with @error set
 */
VetterStore *vetter_store_open                (const char         *path,
                                               GError            **error);
/* For reading only, beside whoever has it open for writing (no lock, no
 * migration: a database of another version is refused, saying so). */
VetterStore *vetter_store_open_for_reading    (const char         *path,
                                               GError            **error);
/* How much of the database SQLite keeps in memory (64 MB when opened:
 * what the console's bulk actions over a million ads want). */
void         vetter_store_set_cache_size      (VetterStore        *self,
                                               int                 kib);
/* Copies the write-ahead log into the database and empties it, as far as
 * that can be done without waiting for a reader. Outside a transaction. */
void         vetter_store_checkpoint          (VetterStore        *self);
/* Whether the last run on this database ended without closing it: a
 * crash, or a stop from outside (kill -9, a power cut). */
gboolean     vetter_store_stopped_uncleanly   (VetterStore        *self);
int          vetter_store_get_schema_version  (VetterStore        *self);
const char  *vetter_store_get_path            (VetterStore        *self);
/**
 * vetter_store_take_changes:
 * The rows committed since the last call, whoever wrote them.
 * Returns: (transfer full) (nullable) (element-type utf8 GArray): table
 *   name → sorted #GArray of row ids, or %NULL when nothing changed
 */
GHashTable  *vetter_store_take_changes        (VetterStore        *self);

/* Removes what runs killed while writing a file left in the batches'
 * output folders ("name-output.csv.XXXXXX"). Returns how many. */
guint        vetter_store_clean_leftovers     (VetterStore        *self);

/* A group of transactions committed as one, for a run of small writes
 * that would each pay for a commit of its own (a worker's result, the
 * next item taken): begun when none is open and the database is not in a
 * transaction; each transaction inside is a savepoint that stands or
 * falls alone. Ending commits the group; FALSE with @error if it could
 * not, and then it is rolled back whole. */
gboolean     vetter_store_group_begin         (VetterStore        *self);
gboolean     vetter_store_group_end           (VetterStore        *self,
                                               GError            **error);

/* ---- Batches (vetter-store-batches.c) ---- */

gint64       vetter_store_find_batch          (VetterStore        *self,
                                               const char         *key);
gint64       vetter_store_add_batch           (VetterStore        *self,
                                               VetterIntakeBatch  *batch,
                                               const char         *output_dir,
                                               const char         *callback_url,
                                               GError            **error);
/* The batch with its first @n_rows items only, in one transaction: it is
 * "filling", and never finished, until vetter_store_fill_batch() has
 * added the rest. */
gint64       vetter_store_add_batch_part      (VetterStore        *self,
                                               VetterIntakeBatch  *batch,
                                               const char         *output_dir,
                                               const char         *callback_url,
                                               guint               n_rows,
                                               GError            **error);
/* Up to @n_rows more of @batch's items, after those already there (after
 * a crash too), in one transaction. Returns how many are left to add (0:
 * the batch is whole), or -1 with @error. */
gint64       vetter_store_fill_batch          (VetterStore        *self,
                                               gint64              batch_id,
                                               VetterIntakeBatch  *batch,
                                               guint               n_rows,
                                               GError            **error);
gboolean     vetter_store_batch_filling       (VetterStore        *self,
                                               gint64              batch_id);
gboolean     vetter_store_update_batch_output (VetterStore        *self,
                                               gint64              batch_id,
                                               const char         *output_dir,
                                               GError            **error);
gboolean     vetter_store_update_batch_callback (VetterStore      *self,
                                                 gint64            batch_id,
                                                 const char       *url,
                                                 char            **previous,
                                                 GError          **error);
guint        vetter_store_put_back_in_flight  (VetterStore        *self,
                                               GError            **error);
guint        vetter_store_requeue_interrupted (VetterStore        *self,
                                               GError            **error);
/* @jobs: (out) (transfer full) (element-type VetterImageJob). FALSE with
 * no error when nothing is queued. */
gboolean     vetter_store_claim_item          (VetterStore        *self,
                                               gint64             *item_id,
                                               gint64             *batch_id,
                                               GPtrArray         **jobs,
                                               GError            **error);
/* An item's status now (FALSE with an error if there is no such item),
 * and its batch. */
gboolean     vetter_store_item_status         (VetterStore        *self,
                                               gint64              item_id,
                                               VetterStatus       *status,
                                               gint64             *batch_id,
                                               GError            **error);
gboolean     vetter_store_batch_counts        (VetterStore        *self,
                                               gint64              batch_id,
                                               VetterBatchCounts  *counts,
                                               GError            **error);
gboolean     vetter_store_set_batch_state     (VetterStore        *self,
                                               gint64              batch_id,
                                               VetterBatchState    state,
                                               GError            **error);
VetterBatchState vetter_store_get_batch_state (VetterStore        *self,
                                               gint64              batch_id);
guint        vetter_store_retry_failed        (VetterStore        *self,
                                               gint64              batch_id,
                                               GError            **error);
/* The batch with its counts, output CSV and callback's outcome. */
VetterBatchDetail *vetter_store_batch_detail  (VetterStore        *self,
                                               gint64              batch_id,
                                               GError            **error);
/* Returns: (transfer full) (element-type VetterBatchInfo): newest first. */
GPtrArray   *vetter_store_list_batches        (VetterStore        *self,
                                               guint               limit,
                                               GError            **error);
/* Returns: (transfer full) (element-type gint64). */
GArray      *vetter_store_unfinished_batches  (VetterStore        *self,
                                               GError            **error);

/* ---- Processing results (vetter-store-results.c) ---- */

/* Everything the workers found for the item, its rules' decision and the
 * effects they call for, in one transaction. @results: (element-type
 * VetterImageResult). */
gboolean     vetter_store_record_item         (VetterStore        *self,
                                               gint64              item_id,
                                               GPtrArray          *results,
                                               const VetterConfig *config,
                                               VetterItemOutcome  *outcome,
                                               GError            **error);

/* ---- Decisions (vetter-store-decisions.c) ---- */

/* A moderator's @decision on the item, logged as @action ("decide",
 * "undo") by @actor, with what follows it under @config (NULL: nothing
 * is sent). @previous: (out) (transfer full) (optional): what it replaced,
 * which an undo gives back. */
gboolean     vetter_store_decide              (VetterStore        *self,
                                               gint64              item_id,
                                               const VetterItemDecision *decision,
                                               const char         *action,
                                               const char         *actor,
                                               const VetterConfig *config,
                                               VetterItemDecision **previous,
                                               gint64             *batch_id,
                                               GError            **error);
/* @decision on every ad of @item_ids in one transaction, each through the
 * one decision path (audited, its effects queued under @config), and one
 * audit row for the whole. Ads with nothing to decide yet (waiting, being
 * processed, failed) are left alone, and counted. Returns:
 * (transfer full): what to give back for an undo; NULL with @error. */
VetterBulkUndo *vetter_store_decide_many  (VetterStore              *self,
                                           const gint64             *item_ids,
                                           guint                     n_items,
                                           const VetterItemDecision *decision,
                                           const char               *actor,
                                           const VetterConfig       *config,
                                           GError                  **error);
/* Gives every ad of @undo its decision back, in one transaction. */
gboolean        vetter_store_undo_many    (VetterStore              *self,
                                           const VetterBulkUndo     *undo,
                                           const char               *actor,
                                           const VetterConfig       *config,
                                           GError                  **error);

/* Saves @query_json (and @columns, NULL for the list's own) under @name
 * for the list @table_name, over a view of that name; audited. A name that
 * is empty or longer than 80 characters is refused. */
gboolean     vetter_store_save_view          (VetterStore        *self,
                                              const char         *table_name,
                                              const char         *name,
                                              const char         *query_json,
                                              const char * const *columns,
                                              const char         *actor,
                                              GError            **error);
/* The list's views, by name. Returns: (transfer full) (element-type VetterSavedView). */
GPtrArray   *vetter_store_list_views         (VetterStore        *self,
                                              const char         *table_name,
                                              GError            **error);
gboolean     vetter_store_delete_view        (VetterStore        *self,
                                              const char         *table_name,
                                              const char         *name,
                                              const char         *actor,
                                              GError            **error);

/* Sets @field ("title" or "category") to @value on every ad of @item_ids,
 * in one transaction, each audited with its before and after, and one
 * audit row for the whole. @value is checked as a person's text: trimmed,
 * no control characters, a title neither empty nor over 200 characters, a
 * category at most 100 (empty: none); refused whole otherwise, saying why.
 * Returns: (transfer full): what to give back for an undo. */
VetterEditUndo *vetter_store_edit_many    (VetterStore        *self,
                                           const gint64       *item_ids,
                                           guint               n_items,
                                           const char         *field,
                                           const char         *value,
                                           const char         *actor,
                                           GError            **error);
gboolean        vetter_store_undo_edit    (VetterStore        *self,
                                           const VetterEditUndo *undo,
                                           const char         *actor,
                                           GError            **error);

/* Takes an ad back to what it was before the change the audit row
 * @audit_id records (a decision, a title, a category), as a new change
 * by @actor, audited "revert", with what follows a decision under @config.
 * Refused, saying why, for a row that is not an ad's or has nothing to go
 * back to. Returns the ad's id, or 0. */
gint64       vetter_store_revert              (VetterStore        *self,
                                               gint64              audit_id,
                                               const char         *actor,
                                               const VetterConfig *config,
                                               GError            **error);

/* The failed ads of @item_ids that have an image to try are queued again,
 * their errors and crash counts cleared; with @decided_too, the ads
 * already decided or waiting for a person as well (analysed again, the
 * rules decide anew). Each is audited in @actor's name. Returns: (transfer
 * full): the batches they belong to (gint64, each once), to be run again;
 * NULL with @error. @retried: how many ads. */
GArray      *vetter_store_retry_items         (VetterStore        *self,
                                               const gint64       *item_ids,
                                               guint               n_items,
                                               gboolean            decided_too,
                                               const char         *actor,
                                               guint              *retried,
                                               GError            **error);

/* A person's "try again" on outbox rows: those of @ids that were parked
 * are due now, their count of attempts reset. Returns how many, or -1. */
gint64       vetter_store_outbox_try_again   (VetterStore        *self,
                                              const gint64       *ids,
                                              guint               n_ids,
                                              GError            **error);

/* A moderator keeps one of two desktops' decisions on the item. */
gboolean     vetter_store_resolve_conflict    (VetterStore        *self,
                                               gint64              item_id,
                                               gboolean            keep_theirs,
                                               const char         *actor,
                                               const VetterConfig *config,
                                               GError            **error);

/* ---- Review (vetter-store-review.c) ---- */

/* Returns: (transfer full) (element-type gint64): oldest first. */
GArray      *vetter_store_review_queue        (VetterStore        *self,
                                               const VetterReviewFilter *filter,
                                               GError            **error);
/* Returns: (transfer full): the item with its images, decisions and history. */
VetterItemDetail *vetter_store_item_detail    (VetterStore        *self,
                                               gint64              item_id,
                                               GError            **error);
/* Returns: (transfer full) (element-type VetterItemRow): in row order. */
GPtrArray   *vetter_store_list_items          (VetterStore        *self,
                                               gint64              batch_id,
                                               guint               offset,
                                               guint               limit,
                                               GError            **error);
/* The listed items as they are now. @item_ids: (element-type gint64).
 * Returns: (transfer full) (element-type VetterItemRow). */
GPtrArray   *vetter_store_item_rows           (VetterStore        *self,
                                               GArray             *item_ids,
                                               GError            **error);
/* Returns: (transfer full) (element-type utf8): the defect kinds found. */
GPtrArray   *vetter_store_defect_kinds        (VetterStore        *self,
                                               GError            **error);

/* ---- History (vetter-store-audit.c) ---- */

/* Returns: (transfer full) (element-type VetterHistoryEntry): oldest first. */
GPtrArray   *vetter_store_history             (VetterStore        *self,
                                               const char         *object_type,
                                               gint64              object_id,
                                               GError            **error);

/* ---- Output files (vetter-store-export.c) ---- */

/* Returns: (transfer full) (nullable): the CSV's path, NULL for a batch
 * that has none (loose images) or with @error set. */
char        *vetter_store_write_output_csv    (VetterStore        *self,
                                               gint64              batch_id,
                                               GError            **error);
/* Counts, failures and output files; with @json, the design's summary
 * written to it item by item. */
VetterSummary *vetter_store_write_summary     (VetterStore        *self,
                                               const gint64       *batch_ids,
                                               guint               n_batch_ids,
                                               GOutputStream      *json,
                                               GError            **error);

/* ---- Deleting ads (vetter-store-delete.c) ---- */

/* What deleting some ads takes with it, for a person to confirm. */
typedef struct
{
  guint      ads;
  guint      images;
  guint      variants;            /* files on this disk */
  guint      remote_objects;      /* variants in the bucket */
  guint      shared_documents;    /* in the shared database */
  GPtrArray *held;                /* char*: ads another desktop is reviewing */
} VetterDeletePlan;

void              vetter_delete_plan_free      (VetterDeletePlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterDeletePlan, vetter_delete_plan_free)
VetterDeletePlan *vetter_store_plan_delete     (VetterStore        *self,
                                                const gint64       *item_ids,
                                                guint               n_items,
                                                GError            **error);
/* Deletes the ads of @item_ids, in one transaction, each audited in
 * @actor's name; what other machines hold of them is queued for removal.
 * Refused whole when another desktop is reviewing one of them. Returns:
 * (transfer full): the files to remove once this returns (see
 * vetter_store_remove_files()); NULL with @error, nothing deleted. */
GPtrArray        *vetter_store_delete_items    (VetterStore        *self,
                                                const gint64       *item_ids,
                                                guint               n_items,
                                                const char         *actor,
                                                GError            **error);
/* Another desktop deleted the ad @uid: this desktop's copy goes too, its
 * files added to @files. Within the caller's transaction. */
gboolean          vetter_store_delete_from_elsewhere (VetterStore  *self,
                                                      const char   *uid,
                                                      GPtrArray    *files,
                                                      GError      **error);
/* Removes @files (and their folders, once empty). */
void              vetter_store_remove_files    (GPtrArray          *files);

/* ---- Staff (vetter-store-staff.c) ---- */

/* @username opens the desktop: their role, on the staff from now on (the
 * first person the admin, anyone after a moderator); an inactive member
 * may only look (viewer). */
VetterRole        vetter_store_staff_sign_in   (VetterStore        *self,
                                                const char         *username,
                                                GError            **error);
/* Adds @username as @role ("admin" or "moderator"), audited in @actor's
 * name. Returns their id, or 0 with @error (a name already there, empty
 * or too long, a role that is none). */
gint64            vetter_store_staff_add       (VetterStore        *self,
                                                const char         *username,
                                                const char         *role,
                                                const char         *actor,
                                                GError            **error);
/* Sets a member's @role (NULL: kept) and @active (-1: kept), audited;
 * refused whole when no active admin would be left. */
gboolean          vetter_store_staff_change    (VetterStore        *self,
                                                gint64              staff_id,
                                                const char         *role,
                                                int                 active,
                                                const char         *actor,
                                                GError            **error);

/* The shared database's accounts (#VetterStaffAccount) as an admin's
 * desktop listed them: the staff's shared rows become these, not audited
 * (it is what the server says). */
gboolean          vetter_store_staff_mirror    (VetterStore        *self,
                                                GPtrArray          *accounts,
                                                GError            **error);
/* An account of the shared database as @actor just changed it from
 * @before (NULL: added), audited with the difference. */
gboolean          vetter_store_staff_record    (VetterStore               *self,
                                                const VetterStaffAccount  *before,
                                                const VetterStaffAccount  *after,
                                                const char                *actor,
                                                GError                   **error);
/* Staff row @staff_id, and whether it is a shared database's account.
 * Returns: (transfer full) (nullable): NULL with @error when none is. */
VetterStaffAccount *vetter_store_staff_get     (VetterStore        *self,
                                                gint64              staff_id,
                                                gboolean           *shared,
                                                GError            **error);

/* ---- The team's work (vetter-store-work.c) ---- */

/* The results of item @item_id, processed here, go to the team (its work
 * document, once its variants' uploads have named their URLs). */
gboolean          vetter_store_couch_push_work (VetterStore        *self,
                                                gint64              item_id,
                                                GError            **error);
/* Whether this machine shares its results and takes in others' (a shared
 * database and a bucket), and under which pipeline settings (@pipeline_config,
 * their hash, recorded with each result; @pipeline_settings, their JSON). */
gboolean          vetter_store_couch_set_sharing (VetterStore      *self,
                                                  gboolean          share_work,
                                                  const char       *pipeline_config,
                                                  const char       *pipeline_settings,
                                                  GError          **error);
/* This admin's pipeline settings become the team's (its config:pipeline
 * document), as they are when it is sent. */
gboolean          vetter_store_couch_push_settings (VetterStore    *self,
                                                    GError        **error);

/* This machine leased ad @uid (@work: the document as leased, with its
 * _rev; @ad: the ad's document, for an ad new here): it is processed here
 * from the start. Returns its batch, to resume, and its item in
 * @leased_item; 0 with @error when the ad cannot be taken in. */
gint64            vetter_store_work_leased     (VetterStore        *self,
                                                const char         *uid,
                                                JsonObject         *ad,
                                                JsonObject         *work,
                                                gint64             *leased_item,
                                                GError            **error);
/* The lease on @uid was renewed: the work document is at @rev. */
gboolean          vetter_store_work_renewed    (VetterStore        *self,
                                                const char         *uid,
                                                const char         *rev,
                                                GError            **error);
/* Ad @uid waits for another machine again (its lease lost or given back);
 * with @uid NULL, every ad of the team's not finished here (after a stop
 * or a crash, only a new lease has it processed here). */
gboolean          vetter_store_work_wait_for_team (VetterStore     *self,
                                                   const char      *uid,
                                                   GError         **error);
/* A variant another machine made, not here yet: where to fetch it and
 * where it goes. */
typedef struct
{
  gint64  variant_id;
  gint64  item_id;
  char   *url;
  char   *path;
} VetterMissingVariant;

void              vetter_missing_variant_free  (VetterMissingVariant *variant);
/* Up to @limit such variants, thumbnails first, of item @item_id (0: of
 * any), only thumbnails when @thumbs_only.
 * Returns: (transfer full) (element-type VetterMissingVariant). */
GPtrArray        *vetter_store_missing_variants (VetterStore       *self,
                                                 gint64             item_id,
                                                 gboolean           thumbs_only,
                                                 guint              limit,
                                                 GError           **error);
/* Variant @variant_id was fetched to @path. */
gboolean          vetter_store_variant_fetched (VetterStore        *self,
                                                gint64              variant_id,
                                                gint64              item_id,
                                                const char         *path,
                                                GError            **error);
/* Why item @item_id failed, or NULL. Returns: (transfer full). */
char             *vetter_store_item_error      (VetterStore        *self,
                                                gint64              item_id);
/* How many ads wait here for this machine's own workers. */
gint64            vetter_store_work_waiting    (VetterStore        *self);

/* ---- Outbox (vetter-store-outbox.c) ---- */

/* A new effect, or the same one again (its @dedupe_key): due again, from
 * scratch. @batch_id: the batch it belongs to, or 0. */
gboolean     vetter_store_outbox_add          (VetterStore        *self,
                                               VetterOutboxKind    kind,
                                               const char         *dedupe_key,
                                               const char         *payload,
                                               gint64              batch_id,
                                               gint64              not_before,
                                               GError            **error);
/* Pending rows due by @now, oldest first, skipping @busy (ids in flight).
 * @next_due: (out) (optional): when the next row not taken is due, or 0.
 * Returns: (transfer full) (element-type VetterOutboxRow). */
GPtrArray   *vetter_store_outbox_due          (VetterStore        *self,
                                               gint64              now,
                                               guint               limit,
                                               GArray             *busy,
                                               gint64             *next_due,
                                               GError            **error);
/* Returns: (transfer full) (element-type VetterOutboxRow): newest first. */
GPtrArray   *vetter_store_outbox_list         (VetterStore        *self,
                                               const char         *state,
                                               guint               limit,
                                               GError            **error);
gboolean     vetter_store_outbox_report       (VetterStore        *self,
                                               gint64              id,
                                               gint64              seen,
                                               VetterOutboxResult  result,
                                               gint64              next_attempt,
                                               const char         *error_text,
                                               GError            **error);
gboolean     vetter_store_outbox_counts       (VetterStore        *self,
                                               VetterOutboxCounts *counts,
                                               GError            **error);
/* An upload reached its server: the variant at @path has @url, and once
 * its batch's last upload is in, the batch's output CSV names them. */
gboolean     vetter_store_upload_done         (VetterStore        *self,
                                               const char         *path,
                                               const char         *url,
                                               GError            **error);

/* ---- The shared database (vetter-store-couch.c) ---- */

char        *vetter_store_desktop_id          (VetterStore        *self,
                                               GError            **error);
char        *vetter_store_couch_since         (VetterStore        *self);
/* The document @doc_id as this desktop has it now, with "_id" and, when
 * known, the "_rev" it replaces. NULL with *@wait set: not yet (an ad
 * whose image is still being uploaded). */
JsonObject  *vetter_store_couch_doc           (VetterStore        *self,
                                               const char         *doc_id,
                                               gboolean           *wait,
                                               GError            **error);
gboolean     vetter_store_couch_accepted      (VetterStore        *self,
                                               const char         *doc_id,
                                               const char         *rev,
                                               JsonObject         *payload,
                                               GError            **error);
/* The server refused @ours for a revision it did not know and holds
 * @theirs: the rule in vetter-store-couch.c decides what happens. */
VetterCouchOutcome vetter_store_couch_refused (VetterStore        *self,
                                               JsonObject         *ours,
                                               JsonObject         *theirs,
                                               JsonObject         *payload,
                                               GError            **error);
/* One page of the changes feed (its "results", with documents) and the
 * position after it, taken in together. @batches: (element-type gint64)
 * receives the batches that gained items to process. */
gboolean     vetter_store_couch_take_changes  (VetterStore        *self,
                                               JsonArray          *results,
                                               const char         *last_seq,
                                               GArray             *batches,
                                               GError            **error);
gboolean     vetter_store_couch_note_claim    (VetterStore        *self,
                                               const char         *uid,
                                               const char         *holder,
                                               const char         *moderator,
                                               gint64              expires,
                                               GError            **error);

G_END_DECLS
