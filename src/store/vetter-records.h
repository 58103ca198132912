/* vetter-records.h: what the store hands out, as typed records
 *
 * Plain structs the store fills on its thread and gives away whole: the
 * receiver owns what it is given (each has a free function, and the ones
 * the window keeps are reference-counted boxed types). Nothing here
 * includes the pipeline or SQLite, so the window can see a batch's counts
 * or an item in full without either.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "vetter-types.h"

G_BEGIN_DECLS

/* ---- Batches ------------------------------------------------------------ */

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
  gint64           id;
  char            *source;
  VetterBatchKind  kind;
  VetterBatchState state;
  gint64           created;   /* microseconds since the epoch */
} VetterBatchInfo;

void vetter_batch_info_free (VetterBatchInfo *info);

/* A batch in full, for its page in the console. */
typedef struct
{
  VetterBatchInfo    info;
  gint64             finished;        /* 0: not yet */
  VetterBatchCounts  counts;
  char              *output_csv;      /* NULL: none written */
  char              *callback_url;    /* NULL: none asked for */
  char              *callback_state;  /* its outbox row's: "pending", "parked", "done"; NULL: not queued */
  int                callback_attempts;
  char              *callback_error;  /* the last refusal, if any */
} VetterBatchDetail;

void vetter_batch_detail_free (VetterBatchDetail *detail);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterBatchDetail, vetter_batch_detail_free)

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
  GPtrArray         *failures;    /* VetterFailure*, in row order: the first VETTER_SUMMARY_FAILURES */
  gint64             more_failures; /* failed items past those */
  GPtrArray         *output_csv;  /* char*: the output CSVs written */
} VetterSummary;

/* A summary names this many failed items at most: a million rows that
 * all fail are not a million lines on a terminal (nor in memory). */
#define VETTER_SUMMARY_FAILURES 1000

void vetter_summary_free (VetterSummary *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterSummary, vetter_summary_free)

/* One row of a batch's item list. */
typedef struct
{
  gint64        id;
  int           row;
  char         *title;
  VetterStatus  status;
  char         *error;
  char         *thumb;     /* path of the first image's thumbnail, when made */
  gboolean      by_team;   /* waits for another machine of the team to process it */
} VetterItemRow;

void vetter_item_row_free (VetterItemRow *row);

/* ---- Review ------------------------------------------------------------- */

/* Which items the review view walks through. */
typedef enum
{
  VETTER_REVIEW_NEEDS_REVIEW,   /* waiting for a person, conflicts included */
  VETTER_REVIEW_APPROVED,
  VETTER_REVIEW_REJECTED,
  VETTER_REVIEW_DECIDED,        /* any of the three */
  VETTER_REVIEW_CONFLICT,       /* another desktop's decision disagrees */
} VetterReviewScope;

typedef struct
{
  gint64             batch_id;      /* 0: every batch */
  VetterReviewScope  scope;
  char              *defect_kind;   /* NULL: with or without defects */
  gboolean           has_auto_status;
  VetterStatus       auto_status;   /* what the rules said, when has_auto_status */
} VetterReviewFilter;

VetterReviewFilter *vetter_review_filter_new   (void);
VetterReviewFilter *vetter_review_filter_copy  (const VetterReviewFilter *filter);
gboolean            vetter_review_filter_equal (const VetterReviewFilter *a,
                                                const VetterReviewFilter *b);
void                vetter_review_filter_free  (VetterReviewFilter       *filter);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterReviewFilter, vetter_review_filter_free)

/* An item's decision: the rules', a person's, or another desktop's. */
typedef struct
{
  VetterStatus  status;       /* needs_review, approved or rejected */
  char         *reason_code;
  char         *reason;       /* in words, English: the team reads it */
  char         *note;         /* the moderator's own words */
  char         *rule;         /* the rule that decided; "manual" for a person */
  gboolean      is_auto;
  char         *decided_by;
  gint64        decided_at;   /* microseconds since the epoch */
} VetterItemDecision;

#define VETTER_TYPE_ITEM_DECISION (vetter_item_decision_get_type ())

GType               vetter_item_decision_get_type   (void) G_GNUC_CONST;
/* A person's decision, now. */
VetterItemDecision *vetter_item_decision_new_manual (VetterStatus               status,
                                                     const char                *reason_code,
                                                     const char                *note,
                                                     const char                *actor);
VetterItemDecision *vetter_item_decision_copy       (const VetterItemDecision  *decision);
void                vetter_item_decision_free       (VetterItemDecision        *decision);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterItemDecision, vetter_item_decision_free)

/* A named search, filters and sort of one list, with the columns shown. */
typedef struct
{
  char  *name;
  char  *query;     /* vetter_query_to_json() */
  GStrv  columns;   /* the fields shown, in order; NULL: the list's own */
} VetterSavedView;

void                vetter_saved_view_free          (VetterSavedView           *view);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterSavedView, vetter_saved_view_free)

/* What a bulk edit of one field replaced, to give it back. */
typedef struct
{
  char      *field;      /* "title" or "category" */
  GArray    *item_ids;   /* gint64 */
  GPtrArray *previous;   /* char*, NULL for none: each ad's value before */
} VetterEditUndo;

void                vetter_edit_undo_free           (VetterEditUndo            *undo);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterEditUndo, vetter_edit_undo_free)

/* What a bulk decision replaced, to give it back. */
typedef struct
{
  GArray    *item_ids;   /* gint64: the ads it decided */
  GPtrArray *previous;   /* VetterItemDecision*: what each had before */
  char      *action;     /* "bulk approved", … */
  guint      skipped;    /* ads left alone: nothing to decide yet */
} VetterBulkUndo;

void                vetter_bulk_undo_free           (VetterBulkUndo            *undo);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterBulkUndo, vetter_bulk_undo_free)

/* ---- One item in full ----------------------------------------------------- */

typedef struct
{
  char *label;
  int   confidence;   /* 0–100 */
  char *source;       /* "colour", "imagga", … */
  char *rgb;          /* "#rrggbb" for colours, else NULL */
} VetterTagInfo;

typedef struct
{
  char           *kind;
  VetterSeverity  severity;
  int             confidence;
  gboolean        has_box;
  int             x, y, width, height;   /* in source pixels */
  char           *message;
  gint64          related_item;          /* a duplicate's earlier ad, else 0 */
  int             related_position;      /* and which of its images (from 1) */
} VetterDefectInfo;

typedef struct
{
  VetterVariantKind  kind;
  char              *path;
  int                width;
  int                height;
  gint64             bytes;
  char              *remote_url;   /* once uploaded */
} VetterVariantInfo;

typedef struct
{
  char     *name;
  gboolean  ok;
  gint64    started;    /* microseconds since the epoch */
  gint64    duration;   /* microseconds */
  char     *error;
} VetterStepInfo;

typedef struct
{
  gint64     id;
  int        position;
  char      *source;     /* as the input named it */
  char      *location;   /* the path or URL it was read from */
  char      *status;     /* pending, done or failed */
  char      *error;
  int        width;      /* 0 while unknown */
  int        height;
  char      *phash;
  GPtrArray *tags;       /* VetterTagInfo*, most confident first */
  GPtrArray *defects;    /* VetterDefectInfo* */
  GPtrArray *variants;   /* VetterVariantInfo*, compressed first */
  GPtrArray *steps;      /* VetterStepInfo*, in the order they ran */
} VetterImageInfo;

void vetter_image_info_free (VetterImageInfo *image);

/* A column of the input and this row's cell in it. */
typedef struct
{
  char *name;
  char *value;
} VetterField;

/* One field of one change: its value before and after, as text (NULL for
 * none). */
typedef struct
{
  char *field;
  char *before;
  char *after;
} VetterFieldChange;

/* One row of a record's history: who did what when, field by field. */
typedef struct
{
  char      *actor;
  gint64     time;      /* microseconds since the epoch */
  char      *action;    /* decide, undo, remote, conflict, keep-theirs, keep-mine, … */
  GPtrArray *changes;   /* VetterFieldChange* */
} VetterHistoryEntry;

void                     vetter_history_entry_free   (VetterHistoryEntry *entry);
/* The change of @field in @entry, or NULL when it did not change. */
const VetterFieldChange *vetter_history_entry_change (const VetterHistoryEntry *entry,
                                                      const char               *field);

typedef struct
{
  gint64              id;
  gint64              batch_id;
  char               *batch_source;
  int                 row;
  int                 line;
  char               *uid;            /* the ad's id on every desktop */
  char               *serial;
  char               *title;
  char               *email;
  char               *description;
  char               *category;
  VetterStatus        status;
  char               *error;
  gint64              created;
  VetterItemDecision *decision;       /* NULL until decided */
  VetterItemDecision *auto_decision;  /* what the rules said, NULL before they did */
  VetterItemDecision *conflict;       /* another desktop's disagreeing decision, or NULL */
  char               *claimed_by;     /* a moderator reviewing it on another desktop */
  GPtrArray          *fields;         /* VetterField*: the input's row */
  GPtrArray          *images;         /* VetterImageInfo*, in position order */
  GPtrArray          *history;        /* VetterHistoryEntry*, oldest first */
} VetterItemDetail;

/* Whether a variant of the item was made elsewhere and is not here yet. */
gboolean vetter_item_detail_lacks_files (const VetterItemDetail *detail);

#define VETTER_TYPE_ITEM_DETAIL (vetter_item_detail_get_type ())

GType             vetter_item_detail_get_type (void) G_GNUC_CONST;
/* An empty record, for the store to fill. */
VetterItemDetail *vetter_item_detail_new      (void);
VetterItemDetail *vetter_item_detail_ref      (VetterItemDetail *detail);
void              vetter_item_detail_unref    (VetterItemDetail *detail);
/* Whether another desktop's decision waits for a person to choose. */
gboolean          vetter_item_detail_in_conflict (const VetterItemDetail *detail);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterItemDetail, vetter_item_detail_unref)

/* ---- The outbox ---------------------------------------------------------- */

/* One side effect waiting in the outbox. */
typedef struct
{
  gint64            id;
  VetterOutboxKind  kind;
  char             *dedupe_key;
  char             *payload;      /* JSON, as the sender of its kind reads it */
  char             *state;        /* pending, parked, done */
  int               attempts;
  gint64            next_attempt; /* microseconds since the epoch */
  char             *last_error;
  gint64            updated;
} VetterOutboxRow;

void vetter_outbox_row_free (VetterOutboxRow *row);

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

G_END_DECLS
