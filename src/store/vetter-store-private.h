/* vetter-store-private.h: what the store's source files share
 *
 * The store is one object spread over files by concern:
 *   vetter-store.c            opening, the lock, migrations, statements, change tracking
 *   vetter-store-batches.c    batches and the queue
 *   vetter-store-results.c    what the workers found
 *   vetter-store-decisions.c  the one writer of an item's decision
 *   vetter-store-effects.c    what follows a decision or a result: the outbox rows
 *   vetter-store-audit.c      the audit log, written and read
 *   vetter-store-review.c     what moderators see
 *   vetter-store-export.c     output CSVs and the JSON summary
 *   vetter-store-outbox.c     side effects waiting to be sent
 *   vetter-store-couch.c      the local side of the shared database
 *   vetter-store-work.c       the team's work: results published and taken in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "vetter-crash-mark.h"
#include "vetter-store.h"

G_BEGIN_DECLS

typedef struct
{
  gint64  image_id;
  gint64  item_id;
  guint64 phash;
} PhashEntry;

struct _VetterStore
{
  GObject     parent_instance;

  char       *path;
  sqlite3    *db;
  GThread    *owner;        /* the thread that opened it, the only one to use it */
  GHashTable *statements;   /* SQL text (owned) → sqlite3_stmt*, for the SQL in the binary */
  GHashTable *dynamic;      /* the same for SQL built at run time, bounded */
  GArray     *phashes;      /* PhashEntry, loaded on first use */
  gboolean    phashes_loaded;
  int         lock_fd;      /* the database file itself, locked for this process alone */
  VetterCrashMark *crash_mark;   /* written if this process crashes */
  gboolean    crashed_before;    /* the last run on this database crashed */
  gboolean    stopped_uncleanly; /* it crashed or was stopped from outside */
  GArray     *crashed_items;     /* gint64: what was in its workers then */
  guint       query_time_limit;  /* ms a console query may run; 0: no limit */
  gint64      query_deadline;    /* monotonic µs, while a query runs */
  GHashTable *pending;      /* table → GArray of row ids changed in the open transaction */
  GHashTable *committed;    /* the same, for transactions committed since the last take */
  gboolean    group_open;   /* transactions are savepoints of one that commits them all */
  guint       group_depth;  /* savepoints open inside it */
};

/* Who a decision comes from, which decides what follows it. */
typedef enum
{
  VETTER_ORIGIN_RULES,      /* the rules, when an item is processed here */
  VETTER_ORIGIN_PERSON,     /* a moderator on this desktop */
  VETTER_ORIGIN_UNDO,       /* a moderator taking a decision back */
  VETTER_ORIGIN_ELSEWHERE,  /* another desktop, through the shared database */
  VETTER_ORIGIN_KEEP_MINE,  /* this desktop's, kept over another's in a conflict */
} VetterOrigin;

/* ---- vetter-store.c: statements and transactions ---- */

/* A cached, reset statement for @sql, a string in the binary. */
sqlite3_stmt *vetter_store_prepare             (VetterStore   *self,
                                                const char    *sql,
                                                GError       **error);
/* The same for SQL built at run time (from identifiers in the binary;
 * values are always bound): cached too, in a cache of bounded size. */
sqlite3_stmt *vetter_store_prepare_dynamic     (VetterStore   *self,
                                                const char    *sql,
                                                GError       **error);
gboolean      vetter_store_exec                (VetterStore   *self,
                                                const char    *sql,
                                                GError       **error);
gboolean      vetter_store_step_done           (VetterStore   *self,
                                                sqlite3_stmt  *stmt,
                                                GError       **error);
gboolean      vetter_store_begin               (VetterStore   *self,
                                                GError       **error);
gboolean      vetter_store_commit              (VetterStore   *self,
                                                GError       **error);
void          vetter_store_rollback            (VetterStore   *self);
gboolean      vetter_store_fail                (VetterStore   *self,
                                                GError       **error,
                                                const char    *what);
void          vetter_store_bind_text           (sqlite3_stmt  *stmt,
                                                int            index,
                                                const char    *text);
const char   *vetter_store_column_text         (sqlite3_stmt  *stmt,
                                                int            index);
/* Sets @name to @value, or to null when there is none (JSON written out
 * keeps every member, so that readers see what is missing). */
void          vetter_store_json_set_text       (JsonObject    *object,
                                                const char    *name,
                                                const char    *value);
gint64        vetter_store_now                 (void);
/* vetter-store-effects.c: the fixed key of a variant in the bucket. */
char         *vetter_store_variant_key         (const char        *uid,
                                                int                position,
                                                VetterVariantKind  kind);
/* The text @sql selects for the text @key, or NULL. */
char         *vetter_store_lookup_text         (VetterStore   *self,
                                                const char    *sql,
                                                const char    *key);

/* ---- vetter-records.c: empty records for the store to fill ---- */

VetterImageInfo    *vetter_image_info_new      (void);
VetterHistoryEntry *vetter_history_entry_new   (void);
GPtrArray          *vetter_failures_new        (void);

/* ---- vetter-store-results.c ---- */

/* Takes away what was found in image @image_id: its variants, tags,
 * defects and steps, before new results. */
gboolean      vetter_store_clear_image_results (VetterStore   *self,
                                                gint64         image_id,
                                                GError       **error);

/* ---- vetter-store-couch.c, for vetter-store-work.c ---- */

/* The step of an ad that waits for another machine to process it. */
#define VETTER_STORE_TEAM_STEP "team"

/* Document @doc_id is at @rev here; @body, when given, is kept with it. */
gboolean      vetter_store_couch_remember      (VetterStore   *self,
                                                const char    *doc_id,
                                                const char    *rev,
                                                const char    *body,
                                                GError       **error);

/* Ad @uid from the shared database joins the queue here (or waits for
 * the team's results); @batches receives its batch when it is to be
 * processed here. */
gboolean      vetter_store_couch_take_ad       (VetterStore   *self,
                                                const char    *uid,
                                                JsonObject    *doc,
                                                GArray        *batches,
                                                GError       **error);

/* The ad, its batch and its queued work, for the team to process. */
gboolean      vetter_store_couch_push_shared   (VetterStore   *self,
                                                gint64         item_id,
                                                GError       **error);
/* Whether this desktop has nothing waiting to send of @doc_id. */
gboolean      vetter_store_couch_pushed        (VetterStore   *self,
                                                const char    *doc_id);

/* ---- vetter-store-work.c ---- */

/* The work document of ad @uid as processed here (its results, or given
 * back after a failure); NULL with *@wait set while a variant's upload has
 * not named its URL yet. */
JsonObject   *vetter_store_work_build          (VetterStore   *self,
                                                const char    *uid,
                                                gboolean      *wait,
                                                GError       **error);
/* Item @item_id is the team's to process: its local images are uploaded,
 * then its ad and its work, queued, go to the shared database. */
gboolean      vetter_store_work_share_item     (VetterStore   *self,
                                                gint64         item_id,
                                                GError       **error);
/* Another machine's work document on ad @uid: its results taken in when
 * the ad waits for them here, or when @redone (made again under the
 * team's new settings) over those taken in before. */
gboolean      vetter_store_work_take           (VetterStore   *self,
                                                const char    *uid,
                                                JsonObject    *doc,
                                                gboolean       redone,
                                                GError       **error);

/* ---- vetter-store-decisions.c ---- */

/* Sets @decision on the item, audits what changed as @action by @actor
 * (the rules' own decisions are not audited: the item keeps them beside
 * its decision) and queues what follows under @config; inside the
 * caller's transaction. @previous: (out) (optional) (transfer full). */
gboolean      vetter_store_write_decision      (VetterStore              *self,
                                                gint64                    item_id,
                                                const VetterItemDecision *decision,
                                                VetterOrigin              origin,
                                                const char               *action,
                                                const char               *actor,
                                                const VetterConfig       *config,
                                                VetterItemDecision      **previous,
                                                GError                  **error);
/* The item's decision as stored now; NULL with an error for no such item. */
VetterItemDecision *vetter_store_read_decision (VetterStore   *self,
                                                gint64         item_id,
                                                gint64        *batch_id,
                                                GError       **error);
/* The other desktop's decision (its document, JSON) the item's disagrees
 * with, or NULL when none does any more. */
gboolean      vetter_store_set_conflict        (VetterStore   *self,
                                                gint64         item_id,
                                                const char    *theirs,
                                                GError       **error);

/* ---- vetter-store-effects.c ---- */

/* The one policy of what follows a decision from @origin: the shared
 * database's document, the advertiser's mail, or taking one back. */
gboolean      vetter_store_effects_after_decision (VetterStore        *self,
                                                   gint64              item_id,
                                                   VetterOrigin        origin,
                                                   const VetterConfig *config,
                                                   GError            **error);
/* What follows an item's results: each variant's upload; with a shared
 * database, the ad and its batch. */
gboolean      vetter_store_effects_after_results  (VetterStore        *self,
                                                   gint64              item_id,
                                                   const VetterConfig *config,
                                                   GError            **error);
gboolean      vetter_store_effects_upload         (VetterStore        *self,
                                                   gint64              item_id,
                                                   int                 position,
                                                   VetterVariantKind   kind,
                                                   const char         *path,
                                                   GError            **error);
/* The advertiser's mail, after @delay seconds. */
gboolean      vetter_store_effects_mail           (VetterStore        *self,
                                                   gint64              item_id,
                                                   gint64              decided_at,
                                                   guint               delay,
                                                   GError            **error);
/* The batch's callback, when it has one, once it has finished. */
gboolean      vetter_store_effects_webhook        (VetterStore        *self,
                                                   gint64              batch_id,
                                                   GError            **error);

/* ---- vetter-store-audit.c ---- */

/* A set of field changes, each {field: [before, after]}: the one format
 * of the audit log, whatever the object. */
typedef struct _VetterChanges VetterChanges;

VetterChanges *vetter_changes_new              (void);
void           vetter_changes_free             (VetterChanges *changes);
/* Adds @field unless @before and @after are equal (NULL: no value). */
void           vetter_changes_add_text         (VetterChanges *changes,
                                                const char    *field,
                                                const char    *before,
                                                const char    *after);
void           vetter_changes_add_decision     (VetterChanges            *changes,
                                                const char               *prefix,
                                                const VetterItemDecision *before,
                                                const VetterItemDecision *after);
gboolean       vetter_store_audit              (VetterStore   *self,
                                                const char    *actor,
                                                const char    *object_type,
                                                gint64         object_id,
                                                const char    *action,
                                                VetterChanges *changes,
                                                GError       **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterChanges, vetter_changes_free)

/* ---- vetter-store-review.c ---- */

/* The images of an item, read whole (tags, defects, variants, steps).
 * Returns: (transfer full) (element-type VetterImageInfo). */
GPtrArray    *vetter_store_read_images         (VetterStore   *self,
                                                gint64         item_id,
                                                GError       **error);

/* ---- vetter-store-couch.c, inside the caller's transaction ---- */

char         *vetter_store_make_uid            (const char    *batch_key,
                                                guint          row);
/* The ad and batch documents of a processed item, to push. */
gboolean      vetter_store_couch_push_item     (VetterStore   *self,
                                                gint64         item_id,
                                                GError       **error);
/* A decision's document, to push; its mail waits until the database has
 * it (@mail_delay after the decision, when final and @config mails). */
gboolean      vetter_store_couch_push_decision (VetterStore        *self,
                                                gint64              item_id,
                                                const VetterConfig *config,
                                                guint               mail_delay,
                                                GError            **error);
/* Another desktop's decision on ad @uid that arrived before the ad was
 * processed here, or NULL. Returns: (transfer full) (nullable). */
VetterItemDecision *vetter_store_couch_waiting_decision (VetterStore *self,
                                                         const char  *uid);
/* A decision document of the shared database, as a decision; NULL for
 * one that decides nothing. Returns: (transfer full) (nullable). */
VetterItemDecision *vetter_store_decision_from_doc      (JsonObject  *doc);
/* The revision of the item's decision document, as another desktop left it. */
gboolean      vetter_store_couch_remember_rev  (VetterStore   *self,
                                                gint64         item_id,
                                                const char    *rev,
                                                GError       **error);

/* ---- vetter-store-batches.c ---- */

/* The item's batch, 0 for none. */
gint64        vetter_store_item_batch          (VetterStore   *self,
                                                gint64         item_id);
/* A list of texts (a CSV's header, a row's cells) as stored: a JSON array. */
char         *vetter_store_strv_to_json        (const char * const *strv);
GStrv         vetter_store_strv_from_json      (const char    *text);

G_END_DECLS
