/* vetter-store.h: everything Vetter knows, in SQLite
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "vetter-config.h"
#include "vetter-intake.h"
#include "vetter-pipeline.h"
#include "vetter-rules.h"

G_BEGIN_DECLS

#define VETTER_STORE_SCHEMA_VERSION 3

#define VETTER_TYPE_STORE (vetter_store_get_type ())

G_DECLARE_FINAL_TYPE (VetterStore, vetter_store, VETTER, STORE, GObject)

typedef struct
{
  gint64 total;
  gint64 queued;
  gint64 processing;
  gint64 needs_review;
  gint64 approved;
  gint64 rejected;
  gint64 failed;
} VetterBatchCounts;

typedef struct
{
  gint64        item_id;
  gint64        batch_id;
  VetterStatus  status;
  char         *error;       /* failed items: why */
} VetterItemOutcome;

typedef struct
{
  gint64  id;
  char   *source;
  char   *kind;
  char   *state;
  gint64  created;   /* microseconds since the epoch */
} VetterBatchInfo;

void         vetter_batch_info_free           (VetterBatchInfo    *info);

typedef struct
{
  gint64  item_id;
  int     row;
  int     line;
  char   *error;
} VetterFailure;

typedef struct
{
  VetterBatchCounts  totals;      /* queued counts processing items too */
  GPtrArray         *failures;    /* VetterFailure*, in row order */
  GPtrArray         *output_csv;  /* char*: the output CSVs written */
} VetterSummary;

void         vetter_summary_free              (VetterSummary      *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterSummary, vetter_summary_free)

/* Which items the review view walks through. */
typedef struct
{
  gint64  batch_id;      /* 0: every batch */
  char   *status;        /* needs_review, approved, rejected, or "any" of those three */
  char   *defect_kind;   /* NULL: with or without defects */
  char   *auto_status;   /* what the rules said; NULL: anything */
} VetterReviewFilter;

VetterReviewFilter *vetter_review_filter_new  (void);
VetterReviewFilter *vetter_review_filter_copy (const VetterReviewFilter *filter);
void                vetter_review_filter_free (VetterReviewFilter       *filter);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterReviewFilter, vetter_review_filter_free)

/* An item's decision, as stored: the rules' or a person's. */
typedef struct
{
  char     *status;       /* needs_review, approved or rejected */
  char     *reason_code;
  char     *reason;       /* in words */
  char     *note;         /* the moderator's own words */
  char     *rule;         /* the rule that decided; "manual" for a person */
  gboolean  is_auto;
  char     *decided_by;
  gint64    decided_at;   /* microseconds since the epoch */
} VetterItemDecision;

VetterItemDecision *vetter_item_decision_new_manual (const char *status,
                                                     const char *reason_code,
                                                     const char *note,
                                                     const char *actor);
VetterItemDecision *vetter_item_decision_copy (const VetterItemDecision *decision);
void                vetter_item_decision_free (VetterItemDecision       *decision);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterItemDecision, vetter_item_decision_free)

/* One row of a batch's item list. */
typedef struct
{
  gint64  id;
  int     row;
  char   *title;
  char   *status;
  char   *error;
  char   *thumb;     /* path of the first image's thumbnail, when made */
} VetterItemRow;

void         vetter_item_row_free             (VetterItemRow      *row);

/* One side effect waiting in the outbox. */
typedef struct
{
  gint64  id;
  char   *kind;         /* s3_put, mail, webhook, … */
  char   *dedupe_key;
  char   *payload;      /* JSON, as the sender of its kind reads it */
  char   *state;        /* pending, parked, done */
  int     attempts;
  gint64  next_attempt; /* microseconds since the epoch */
  char   *last_error;
  gint64  updated;
} VetterOutboxRow;

void         vetter_outbox_row_free           (VetterOutboxRow    *row);

typedef enum
{
  VETTER_OUTBOX_DONE,
  VETTER_OUTBOX_RETRY,
  VETTER_OUTBOX_PARK,
  VETTER_OUTBOX_UNPARK,
  VETTER_OUTBOX_DEFER,     /* not yet, through nobody's failure: the attempt is not counted */
} VetterOutboxResult;

typedef struct
{
  gint64 pending;
  gint64 parked;
  gint64 done;
  gint64 next_due;      /* the earliest pending row's time, when pending > 0 */
} VetterOutboxCounts;

/* What became of a document the database refused for its revision. */
typedef enum
{
  VETTER_COUCH_FAILED,     /* the store could not say (error set) */
  VETTER_COUCH_ACCEPTED,   /* it was ours already: done */
  VETTER_COUCH_ADOPTED,    /* theirs stands, here too: done */
  VETTER_COUCH_AGAIN,      /* ours replaces theirs: send again with their revision */
  VETTER_COUCH_CONFLICT,   /* two decisions: the item waits for a person */
} VetterCouchOutcome;

/* Not thread-safe: a store belongs to the thread that opened it. */
VetterStore *vetter_store_open                (const char         *path,
                                               GError            **error);
int          vetter_store_get_schema_version  (VetterStore        *self);

gint64       vetter_store_find_batch          (VetterStore        *self,
                                               const char         *key);
gint64       vetter_store_add_batch           (VetterStore        *self,
                                               const VetterIntakeBatch *batch,
                                               const char         *output_dir,
                                               const char         *callback_url,
                                               GError            **error);
gboolean     vetter_store_update_batch_output (VetterStore        *self,
                                               gint64              batch_id,
                                               const char         *output_dir,
                                               GError            **error);
guint        vetter_store_requeue_interrupted (VetterStore        *self,
                                               GError            **error);
gboolean     vetter_store_claim_item          (VetterStore        *self,
                                               gint64             *item_id,
                                               gint64             *batch_id,
                                               GPtrArray         **jobs,
                                               GError            **error);
gboolean     vetter_store_record_item         (VetterStore        *self,
                                               gint64              item_id,
                                               GPtrArray          *results,
                                               const VetterConfig *config,
                                               VetterItemOutcome  *outcome,
                                               GError            **error);
/* An item's status now (NULL with an error if there is no such item),
 * and its batch. */
char        *vetter_store_item_status         (VetterStore        *self,
                                               gint64              item_id,
                                               gint64             *batch_id,
                                               GError            **error);
gboolean     vetter_store_batch_counts        (VetterStore        *self,
                                               gint64              batch_id,
                                               VetterBatchCounts  *counts,
                                               GError            **error);
gboolean     vetter_store_set_batch_state     (VetterStore        *self,
                                               gint64              batch_id,
                                               const char         *state,
                                               GError            **error);
guint        vetter_store_retry_failed        (VetterStore        *self,
                                               gint64              batch_id,
                                               GError            **error);
GPtrArray   *vetter_store_list_batches        (VetterStore        *self,
                                               guint               limit,
                                               GError            **error);
GArray      *vetter_store_unfinished_batches  (VetterStore        *self,
                                               GError            **error);
char        *vetter_store_get_batch_state     (VetterStore        *self,
                                               gint64              batch_id);
char        *vetter_store_write_output_csv    (VetterStore        *self,
                                               gint64              batch_id,
                                               GError            **error);
VetterSummary *vetter_store_write_summary     (VetterStore        *self,
                                               const gint64       *batch_ids,
                                               guint               n_batch_ids,
                                               GOutputStream      *json,
                                               GError            **error);

/* ---- Outbox (vetter-store-outbox.c) ---- */

gboolean     vetter_store_outbox_add          (VetterStore        *self,
                                               const char         *kind,
                                               const char         *dedupe_key,
                                               const char         *payload,
                                               gint64              not_before,
                                               GError            **error);
GPtrArray   *vetter_store_outbox_due          (VetterStore        *self,
                                               gint64              now,
                                               guint               limit,
                                               GArray             *busy,
                                               GError            **error);
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
gboolean     vetter_store_outbox_add_upload   (VetterStore        *self,
                                               gint64              item_id,
                                               int                 position,
                                               const char         *kind,
                                               const char         *path,
                                               GError            **error);
gboolean     vetter_store_outbox_add_mail     (VetterStore        *self,
                                               gint64              item_id,
                                               gint64              decided_at,
                                               guint               delay,
                                               GError            **error);
gboolean     vetter_store_outbox_cancel_mail  (VetterStore        *self,
                                               gint64              item_id,
                                               GError            **error);
gboolean     vetter_store_outbox_add_webhook  (VetterStore        *self,
                                               gint64              batch_id,
                                               GError            **error);
gboolean     vetter_store_set_remote_url      (VetterStore        *self,
                                               const char         *path,
                                               const char         *url,
                                               GError            **error);

/* ---- The shared database (vetter-store-couch.c) ---- */

char        *vetter_store_desktop_id          (VetterStore        *self,
                                               GError            **error);
char        *vetter_store_couch_since         (VetterStore        *self);
JsonObject  *vetter_store_couch_doc           (VetterStore        *self,
                                               const char         *doc_id,
                                               gboolean           *wait,
                                               GError            **error);
gboolean     vetter_store_couch_accepted      (VetterStore        *self,
                                               const char         *doc_id,
                                               const char         *rev,
                                               JsonObject         *payload,
                                               GError            **error);
/* @changed_item: the item whose decision or conflict this changed, or 0. */
VetterCouchOutcome vetter_store_couch_refused (VetterStore        *self,
                                               JsonObject         *ours,
                                               JsonObject         *theirs,
                                               JsonObject         *payload,
                                               gint64             *changed_item,
                                               GError            **error);
gboolean     vetter_store_couch_take_changes  (VetterStore        *self,
                                               JsonArray          *results,
                                               const char         *last_seq,
                                               GArray             *batches,
                                               GArray             *decided,
                                               GError            **error);
gboolean     vetter_store_couch_note_claim    (VetterStore        *self,
                                               const char         *uid,
                                               const char         *holder,
                                               const char         *moderator,
                                               gint64              expires,
                                               GError            **error);
gboolean     vetter_store_resolve_conflict    (VetterStore        *self,
                                               gint64              item_id,
                                               gboolean            keep_theirs,
                                               const char         *actor,
                                               const VetterConfig *config,
                                               GError            **error);

/* ---- Review (vetter-store-review.c) ---- */

GArray      *vetter_store_review_queue        (VetterStore        *self,
                                               const VetterReviewFilter *filter,
                                               GError            **error);
JsonObject  *vetter_store_item_detail         (VetterStore        *self,
                                               gint64              item_id,
                                               GError            **error);
gboolean     vetter_store_decide              (VetterStore        *self,
                                               gint64              item_id,
                                               const VetterItemDecision *decision,
                                               const char         *action,
                                               const char         *actor,
                                               const VetterConfig *config,
                                               VetterItemDecision **previous,
                                               gint64             *batch_id,
                                               GError            **error);
GPtrArray   *vetter_store_list_items          (VetterStore        *self,
                                               gint64              batch_id,
                                               guint               offset,
                                               guint               limit,
                                               GError            **error);
GPtrArray   *vetter_store_defect_kinds        (VetterStore        *self,
                                               GError            **error);

G_END_DECLS
