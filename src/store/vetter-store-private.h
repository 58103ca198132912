/* vetter-store-private.h: what the store's source files share
 *
 * The store spans vetter-store.c (opening, the queue, recording, the
 * summary) and vetter-store-review.c (what moderators see and decide).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

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
  GHashTable *statements;   /* SQL text → sqlite3_stmt* */
  GArray     *phashes;      /* PhashEntry, loaded on first use */
  gboolean    phashes_loaded;
  int         lock_fd;      /* holds an exclusive lock on "<path>.lock" */
};

/* A cached, reset statement for @sql, which must be a string constant. */
sqlite3_stmt *vetter_store_prepare             (VetterStore   *self,
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
void          vetter_store_bind_text           (sqlite3_stmt  *stmt,
                                                int            index,
                                                const char    *text);
const char   *vetter_store_column_text         (sqlite3_stmt  *stmt,
                                                int            index);
gint64        vetter_store_now                 (void);
void          vetter_store_set_nullable_string (JsonObject    *object,
                                                const char    *name,
                                                const char    *value);
void          vetter_store_set_nullable_int    (JsonObject    *object,
                                                const char    *name,
                                                sqlite3_stmt  *stmt,
                                                int            column);
/* The images of an item as the JSON summary has them; with @detail, also
 * each image's id, its colours' RGB and its steps, for the review view. */
JsonArray    *vetter_store_item_images         (VetterStore   *self,
                                                gint64         item_id,
                                                gboolean       detail);

/* vetter-store-couch.c, inside the caller's transaction */
char         *vetter_store_make_uid            (const char    *batch_key,
                                                guint          row);
gboolean      vetter_store_couch_item_done     (VetterStore   *self,
                                                gint64         item_id,
                                                const VetterConfig *config,
                                                GError       **error);
gboolean      vetter_store_outbox_add_couch_decision (VetterStore        *self,
                                                      gint64              item_id,
                                                      const VetterConfig *config,
                                                      guint               mail_delay,
                                                      GError            **error);

G_END_DECLS
