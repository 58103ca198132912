/* vetter-store.c: everything Vetter knows, in SQLite
 *
 * One connection, used by one thread (the engine's store thread); WAL so
 * that readers elsewhere never block it; foreign keys on; every statement
 * prepared once and cached. Whatever a worker produced for an item is
 * recorded in one transaction together with the item's new status, so a
 * crash leaves each item either untouched (and redone) or complete.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "vetter-csv.h"
#include "vetter-error.h"
#include "vetter-store-private.h"
#include "vetter-store-schema.h"
#include "vetter-store.h"

G_DEFINE_FINAL_TYPE (VetterStore, vetter_store, G_TYPE_OBJECT)

/* ---- Helpers -------------------------------------------------------------- */

static gboolean
set_sqlite_error (VetterStore  *self,
                  GError      **error,
                  const char   *what)
{
  g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE, "%s: %s (%s)",
               what, sqlite3_errmsg (self->db), self->path);
  return FALSE;
}

/* A cached, reset statement for @sql. */
sqlite3_stmt *
vetter_store_prepare (VetterStore  *self,
         const char   *sql,
         GError      **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }
  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error, "cannot prepare a query");
      return NULL;
    }
  g_hash_table_insert (self->statements, (gpointer) sql, stmt);
  return stmt;
}

void
vetter_store_bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  if (text)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

const char *
vetter_store_column_text (sqlite3_stmt *stmt,
             int           index)
{
  return (const char *) sqlite3_column_text (stmt, index);
}

gboolean
vetter_store_step_done (VetterStore  *self,
           sqlite3_stmt *stmt,
           GError      **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return set_sqlite_error (self, error, "cannot write to the database");
  return TRUE;
}

gboolean
vetter_store_exec (VetterStore  *self,
      const char   *sql,
      GError      **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, sql, error);

  return stmt != NULL && vetter_store_step_done (self, stmt, error);
}

gboolean
vetter_store_begin (VetterStore  *self,
       GError      **error)
{
  return vetter_store_exec (self, "BEGIN IMMEDIATE", error);
}

gboolean
vetter_store_commit (VetterStore  *self,
        GError      **error)
{
  return vetter_store_exec (self, "COMMIT", error);
}

void
vetter_store_rollback (VetterStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    vetter_store_exec (self, "ROLLBACK", NULL);
}

gint64
vetter_store_now (void)
{
  return g_get_real_time ();
}

/* ---- Opening and migrations ----------------------------------------------- */

static int
read_user_version (VetterStore *self)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "PRAGMA user_version", NULL);
  int version = -1;

  if (stmt && sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  if (stmt)
    sqlite3_reset (stmt);
  return version;
}

static gboolean
migrate (VetterStore  *self,
         GError      **error)
{
  int version = read_user_version (self);

  if (version < 0)
    return set_sqlite_error (self, error, "cannot read the database version");
  if (version > (int) G_N_ELEMENTS (vetter_store_migrations))
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE,
                   "%s was written by a newer Vetter (schema %d; this one knows up to %d)",
                   self->path, version, (int) G_N_ELEMENTS (vetter_store_migrations));
      return FALSE;
    }

  for (int v = version; v < (int) G_N_ELEMENTS (vetter_store_migrations); v++)
    {
      g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %d", v + 1);
      char *message = NULL;

      if (!vetter_store_begin (self, error))
        return FALSE;
      /* Migrations are fixed text in the binary, never user input. */
      if (sqlite3_exec (self->db, vetter_store_migrations[v], NULL, NULL, &message) != SQLITE_OK ||
          sqlite3_exec (self->db, set_version, NULL, NULL, &message) != SQLITE_OK)
        {
          g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE,
                       "cannot upgrade %s to schema %d: %s", self->path, v + 1, message);
          sqlite3_free (message);
          vetter_store_rollback (self);
          return FALSE;
        }
      if (!vetter_store_commit (self, error))
        return FALSE;
    }
  return TRUE;
}

static void
vetter_store_finalize (GObject *object)
{
  VetterStore *self = VETTER_STORE (object);

  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db)
    sqlite3_close_v2 (self->db);
  g_clear_pointer (&self->phashes, g_array_unref);
  if (self->lock_fd >= 0)
    close (self->lock_fd);
  g_free (self->path);

  G_OBJECT_CLASS (vetter_store_parent_class)->finalize (object);
}

static void
vetter_store_class_init (VetterStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vetter_store_finalize;
}

static void
vetter_store_init (VetterStore *self)
{
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                            (GDestroyNotify) sqlite3_finalize);
  self->phashes = g_array_new (FALSE, FALSE, sizeof (PhashEntry));
  self->lock_fd = -1;
}

/* One process at a time: two engines on one database would each take the
 * other's work in flight for interrupted work and redo it. The lock goes
 * with the process, however it ends. */
static gboolean
take_lock (VetterStore  *self,
           GError      **error)
{
  g_autofree char *lock_path = g_strconcat (self->path, ".lock", NULL);

  self->lock_fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (self->lock_fd < 0)
    {
      int saved = errno;
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE, "cannot open %s: %s", lock_path, g_strerror (saved));
      return FALSE;
    }
  if (flock (self->lock_fd, LOCK_EX | LOCK_NB) != 0)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE,
                   "%s is in use by another Vetter (the window, or another batch); "
                   "wait for it to finish, or give this run its own database with --db", self->path);
      return FALSE;
    }
  return TRUE;
}

VetterStore *
vetter_store_open (const char  *path,
                   GError     **error)
{
  g_autoptr(VetterStore) self = g_object_new (VETTER_TYPE_STORE, NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  self->path = g_strdup (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE, "cannot create %s: %s", dir, g_strerror (saved));
      return NULL;
    }
  if (!take_lock (self, error))
    return NULL;
  if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error, "cannot open the database");
      return NULL;
    }
  sqlite3_busy_timeout (self->db, 5000);
  if (sqlite3_exec (self->db,
                    "PRAGMA journal_mode = WAL;"
                    "PRAGMA synchronous = NORMAL;"
                    "PRAGMA foreign_keys = ON;",
                    NULL, NULL, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error, "cannot set up the database");
      return NULL;
    }
  if (!migrate (self, error))
    return NULL;
  return g_steal_pointer (&self);
}


int
vetter_store_get_schema_version (VetterStore *self)
{
  return read_user_version (self);
}

/* ---- Batches -------------------------------------------------------------- */

gint64
vetter_store_find_batch (VetterStore *self,
                         const char  *key)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT id FROM batch WHERE key = ?", NULL);
  gint64 id = 0;

  if (stmt == NULL)
    return 0;
  vetter_store_bind_text (stmt, 1, key);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return id;
}

static char *
strv_to_json (const char * const *strv)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; strv && strv[i]; i++)
    json_builder_add_string_value (builder, strv[i]);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static GStrv
json_to_strv (const char *text)
{
  g_autoptr(JsonNode) node = text ? json_from_string (text, NULL) : NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return g_strv_builder_end (builder);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_strv_builder_add (builder, json_array_get_string_element (array, i));
  return g_strv_builder_end (builder);
}

gint64
vetter_store_add_batch (VetterStore              *self,
                        const VetterIntakeBatch  *batch,
                        const char               *output_dir,
                        const char               *callback_url,
                        GError                  **error)
{
  g_autofree char *header = batch->header ? strv_to_json ((const char * const *) batch->header) : NULL;
  sqlite3_stmt *stmt;
  gint64 batch_id;
  gint64 t = vetter_store_now ();

  if (!vetter_store_begin (self, error))
    return 0;

  stmt = vetter_store_prepare (self,
                  "INSERT INTO batch (key, source, kind, created, total, stem, base_dir, header, output_dir, callback_url)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    goto fail;
  vetter_store_bind_text (stmt, 1, batch->key);
  vetter_store_bind_text (stmt, 2, batch->source);
  vetter_store_bind_text (stmt, 3, vetter_batch_kind_to_string (batch->kind));
  sqlite3_bind_int64 (stmt, 4, t);
  sqlite3_bind_int64 (stmt, 5, batch->items->len);
  vetter_store_bind_text (stmt, 6, batch->stem);
  vetter_store_bind_text (stmt, 7, batch->base_dir);
  vetter_store_bind_text (stmt, 8, header);
  vetter_store_bind_text (stmt, 9, output_dir);
  vetter_store_bind_text (stmt, 10, callback_url);
  if (!vetter_store_step_done (self, stmt, error))
    goto fail;
  batch_id = sqlite3_last_insert_rowid (self->db);

  for (guint i = 0; i < batch->items->len; i++)
    {
      const VetterIntakeItem *item = g_ptr_array_index (batch->items, i);
      g_autofree char *cells = item->cells ? strv_to_json ((const char * const *) item->cells) : NULL;
      gint64 item_id;

      g_autofree char *uid = item->uid ? g_strdup (item->uid) : vetter_store_make_uid (batch->key, item->row);

      stmt = vetter_store_prepare (self,
                      "INSERT INTO item (batch_id, row, line, serial, title, email, description, category,"
                      " cells, status, error, created, updated, uid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, batch_id);
      sqlite3_bind_int (stmt, 2, (int) item->row);
      sqlite3_bind_int (stmt, 3, (int) item->line);
      vetter_store_bind_text (stmt, 4, item->serial);
      vetter_store_bind_text (stmt, 5, item->title);
      vetter_store_bind_text (stmt, 6, item->email);
      vetter_store_bind_text (stmt, 7, item->description);
      vetter_store_bind_text (stmt, 8, item->category);
      vetter_store_bind_text (stmt, 9, cells);
      vetter_store_bind_text (stmt, 10, item->error ? "failed" : "queued");
      vetter_store_bind_text (stmt, 11, item->error);
      sqlite3_bind_int64 (stmt, 12, t);
      sqlite3_bind_int64 (stmt, 13, t);
      vetter_store_bind_text (stmt, 14, uid);
      if (!vetter_store_step_done (self, stmt, error))
        goto fail;
      item_id = sqlite3_last_insert_rowid (self->db);

      for (guint k = 0; k < item->sources->len; k++)
        {
          const char *source = g_ptr_array_index (item->sources, k);
          g_autofree char *location = vetter_intake_resolve (batch->base_dir, source);

          stmt = vetter_store_prepare (self, "INSERT INTO image (item_id, position, source, location) VALUES (?, ?, ?, ?)", error);
          if (stmt == NULL)
            goto fail;
          sqlite3_bind_int64 (stmt, 1, item_id);
          sqlite3_bind_int (stmt, 2, (int) k + 1);
          vetter_store_bind_text (stmt, 3, source);
          vetter_store_bind_text (stmt, 4, location);
          if (!vetter_store_step_done (self, stmt, error))
            goto fail;
        }
    }

  if (!vetter_store_commit (self, error))
    goto fail;
  return batch_id;

fail:
  vetter_store_rollback (self);
  return 0;
}

gboolean
vetter_store_update_batch_output (VetterStore  *self,
                                  gint64        batch_id,
                                  const char   *output_dir,
                                  GError      **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "UPDATE batch SET output_dir = ? WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  vetter_store_bind_text (stmt, 1, output_dir);
  sqlite3_bind_int64 (stmt, 2, batch_id);
  return vetter_store_step_done (self, stmt, error);
}

/* Work that was in flight when the last run stopped is redone. */
guint
vetter_store_requeue_interrupted (VetterStore  *self,
                                  GError      **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "UPDATE item SET status = 'queued', step = NULL WHERE status = 'processing'", error);

  if (stmt == NULL || !vetter_store_step_done (self, stmt, error))
    return 0;
  return (guint) sqlite3_changes (self->db);
}

gboolean
vetter_store_claim_item (VetterStore  *self,
                         gint64       *item_id,
                         gint64       *batch_id,
                         GPtrArray   **jobs,
                         GError      **error)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_image_job_free);
  g_autofree char *output_dir = NULL;
  sqlite3_stmt *stmt;

  *jobs = NULL;
  stmt = vetter_store_prepare (self,
                  "SELECT item.id, item.batch_id, batch.output_dir FROM item JOIN batch ON batch.id = item.batch_id"
                  " WHERE item.status = 'queued' AND batch.state = 'running' ORDER BY item.id LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      return FALSE;
    }
  *item_id = sqlite3_column_int64 (stmt, 0);
  *batch_id = sqlite3_column_int64 (stmt, 1);
  output_dir = g_strdup (vetter_store_column_text (stmt, 2));
  sqlite3_reset (stmt);

  stmt = vetter_store_prepare (self, "UPDATE item SET status = 'processing', updated = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, vetter_store_now ());
  sqlite3_bind_int64 (stmt, 2, *item_id);
  if (!vetter_store_step_done (self, stmt, error))
    return FALSE;

  stmt = vetter_store_prepare (self, "SELECT id, position, location FROM image WHERE item_id = ? ORDER BY position", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, *item_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      VetterImageJob *job = g_new0 (VetterImageJob, 1);

      job->image_id = sqlite3_column_int64 (stmt, 0);
      job->item_id = *item_id;
      job->position = sqlite3_column_int (stmt, 1);
      job->location = g_strdup (vetter_store_column_text (stmt, 2));
      job->output_dir = g_strdup (output_dir);
      g_ptr_array_add (found, job);
    }
  sqlite3_reset (stmt);
  *jobs = g_steal_pointer (&found);
  return TRUE;
}

/* ---- Recording results ---------------------------------------------------- */

static gboolean
load_phashes (VetterStore  *self,
              GError      **error)
{
  sqlite3_stmt *stmt;

  if (self->phashes_loaded)
    return TRUE;
  stmt = vetter_store_prepare (self, "SELECT id, item_id, phash FROM image WHERE phash IS NOT NULL ORDER BY id", error);
  if (stmt == NULL)
    return FALSE;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      PhashEntry entry = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1), 0 };

      if (vetter_phash_parse (vetter_store_column_text (stmt, 2), &entry.phash))
        g_array_append_val (self->phashes, entry);
    }
  sqlite3_reset (stmt);
  self->phashes_loaded = TRUE;
  return TRUE;
}

/* The earliest image of another item within @distance bits, or NULL. */
static const PhashEntry *
find_duplicate (VetterStore *self,
                gint64       item_id,
                guint64      phash,
                int          distance)
{
  for (guint i = 0; i < self->phashes->len; i++)
    {
      const PhashEntry *entry = &g_array_index (self->phashes, PhashEntry, i);

      if (entry->item_id != item_id && vetter_phash_distance (entry->phash, phash) <= distance)
        return entry;
    }
  return NULL;
}

static gboolean
describe_image (VetterStore  *self,
                gint64        image_id,
                char        **description,
                gboolean     *item_rejected,
                GError      **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                "SELECT image.item_id, image.position, image.source, item.status FROM image"
                                " JOIN item ON item.id = image.item_id WHERE image.id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, image_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      *description = g_strdup_printf ("image %d of item %" G_GINT64_FORMAT " (%s)",
                                      sqlite3_column_int (stmt, 1), (gint64) sqlite3_column_int64 (stmt, 0),
                                      vetter_store_column_text (stmt, 2));
      *item_rejected = g_strcmp0 (vetter_store_column_text (stmt, 3), "rejected") == 0;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

static gboolean
insert_defect (VetterStore        *self,
               gint64              image_id,
               const VetterDefect *defect,
               gint64              related_image_id,
               GError            **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                "INSERT INTO defect (image_id, kind, severity, confidence, x, y, w, h, message, related_image_id)"
                                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, image_id);
  vetter_store_bind_text (stmt, 2, defect->kind);
  vetter_store_bind_text (stmt, 3, vetter_severity_to_string (defect->severity));
  sqlite3_bind_int (stmt, 4, defect->confidence);
  if (defect->has_box)
    {
      sqlite3_bind_int (stmt, 5, defect->box.x);
      sqlite3_bind_int (stmt, 6, defect->box.y);
      sqlite3_bind_int (stmt, 7, defect->box.width);
      sqlite3_bind_int (stmt, 8, defect->box.height);
    }
  vetter_store_bind_text (stmt, 9, defect->message);
  if (related_image_id > 0)
    sqlite3_bind_int64 (stmt, 10, related_image_id);
  return vetter_store_step_done (self, stmt, error);
}

static gboolean
clear_image_results (VetterStore  *self,
                     gint64        image_id,
                     GError      **error)
{
  static const char * const tables[] = {
    "DELETE FROM variant WHERE image_id = ?",
    "DELETE FROM tag WHERE image_id = ?",
    "DELETE FROM defect WHERE image_id = ?",
    "DELETE FROM step WHERE image_id = ?",
  };

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      sqlite3_stmt *stmt = vetter_store_prepare (self, tables[i], error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, image_id);
      if (!vetter_store_step_done (self, stmt, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
record_image (VetterStore             *self,
              gint64                   item_id,
              const VetterImageResult *result,
              const VetterConfig      *config,
              VetterRuleImage         *rule_image,
              GError                 **error)
{
  const VetterAnalysis *analysis = result->analysis;
  g_autofree char *phash = analysis ? vetter_phash_to_string (analysis->phash) : NULL;
  sqlite3_stmt *stmt;

  if (!clear_image_results (self, result->image_id, error))
    return FALSE;

  stmt = vetter_store_prepare (self,
                  "UPDATE image SET sha256 = ?, width = ?, height = ?, format = ?, bytes = ?, phash = ?,"
                  " brightness = ?, contrast = ?, sharpness = ?, status = ?, error = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  vetter_store_bind_text (stmt, 1, result->sha256);
  if (result->width > 0)
    {
      sqlite3_bind_int (stmt, 2, result->width);
      sqlite3_bind_int (stmt, 3, result->height);
    }
  vetter_store_bind_text (stmt, 4, result->format);
  if (result->sha256)
    sqlite3_bind_int64 (stmt, 5, result->bytes);
  vetter_store_bind_text (stmt, 6, phash);
  if (analysis)
    {
      sqlite3_bind_double (stmt, 7, analysis->brightness);
      sqlite3_bind_double (stmt, 8, analysis->contrast);
      sqlite3_bind_double (stmt, 9, analysis->sharpness);
    }
  vetter_store_bind_text (stmt, 10, result->ok ? "done" : "failed");
  vetter_store_bind_text (stmt, 11, result->error);
  sqlite3_bind_int64 (stmt, 12, result->image_id);
  if (!vetter_store_step_done (self, stmt, error))
    return FALSE;

  for (guint i = 0; i < result->steps->len; i++)
    {
      const VetterStepRecord *step = g_ptr_array_index (result->steps, i);

      stmt = vetter_store_prepare (self, "INSERT INTO step (image_id, name, status, started, duration, error) VALUES (?, ?, ?, ?, ?, ?)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, result->image_id);
      vetter_store_bind_text (stmt, 2, step->name);
      vetter_store_bind_text (stmt, 3, step->ok ? "done" : "failed");
      sqlite3_bind_int64 (stmt, 4, step->started);
      sqlite3_bind_int64 (stmt, 5, step->duration);
      vetter_store_bind_text (stmt, 6, step->error);
      if (!vetter_store_step_done (self, stmt, error))
        return FALSE;
    }

  for (guint i = 0; i < result->variants->len; i++)
    {
      const VetterVariantRecord *variant = g_ptr_array_index (result->variants, i);

      stmt = vetter_store_prepare (self, "INSERT INTO variant (image_id, kind, path, width, height, bytes, quality) VALUES (?, ?, ?, ?, ?, ?, ?)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, result->image_id);
      vetter_store_bind_text (stmt, 2, vetter_variant_kind_to_string (variant->kind));
      vetter_store_bind_text (stmt, 3, variant->path);
      sqlite3_bind_int (stmt, 4, variant->width);
      sqlite3_bind_int (stmt, 5, variant->height);
      sqlite3_bind_int64 (stmt, 6, variant->bytes);
      sqlite3_bind_int (stmt, 7, variant->quality);
      if (!vetter_store_step_done (self, stmt, error))
        return FALSE;
      if (config->sync_uploads &&
          !vetter_store_outbox_add_upload (self, item_id, result->position,
                                           vetter_variant_kind_to_string (variant->kind), variant->path, error))
        return FALSE;
    }

  if (analysis == NULL)
    return TRUE;

  for (guint i = 0; i < analysis->colours->len; i++)
    {
      const VetterColour *colour = g_ptr_array_index (analysis->colours, i);
      g_autofree char *rgb = g_strdup_printf ("#%06x", colour->rgb);

      stmt = vetter_store_prepare (self, "INSERT INTO tag (image_id, label, confidence, source, rgb) VALUES (?, ?, ?, 'colour', ?)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, result->image_id);
      vetter_store_bind_text (stmt, 2, colour->label);
      sqlite3_bind_int (stmt, 3, colour->confidence);
      vetter_store_bind_text (stmt, 4, rgb);
      if (!vetter_store_step_done (self, stmt, error))
        return FALSE;
      g_ptr_array_add (rule_image->tags, vetter_tag_new (colour->label, colour->confidence, "colour"));
    }

  /* Object tags from the tagger: what the approving rule looks for. */
  for (guint i = 0; result->tags && i < result->tags->len; i++)
    {
      const VetterTag *tag = g_ptr_array_index (result->tags, i);

      stmt = vetter_store_prepare (self, "INSERT OR IGNORE INTO tag (image_id, label, confidence, source) VALUES (?, ?, ?, ?)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, result->image_id);
      vetter_store_bind_text (stmt, 2, tag->label);
      sqlite3_bind_int (stmt, 3, tag->confidence);
      vetter_store_bind_text (stmt, 4, tag->source);
      if (!vetter_store_step_done (self, stmt, error))
        return FALSE;
      g_ptr_array_add (rule_image->tags, vetter_tag_new (tag->label, tag->confidence, tag->source));
    }

  for (guint i = 0; i < analysis->defects->len; i++)
    {
      const VetterDefect *defect = g_ptr_array_index (analysis->defects, i);

      if (!insert_defect (self, result->image_id, defect, 0, error))
        return FALSE;
      g_ptr_array_add (rule_image->defects,
                       vetter_defect_new (defect->kind, defect->severity, defect->confidence,
                                          defect->has_box ? &defect->box : NULL, "%s", defect->message));
    }

  /* Duplicates are a property of the whole collection, so they are found
   * here, where the earlier images are known. */
  if (!load_phashes (self, error))
    return FALSE;
  {
    const PhashEntry *match = find_duplicate (self, item_id, analysis->phash, config->duplicate_distance);
    PhashEntry entry = { result->image_id, item_id, analysis->phash };

    if (match)
      {
        g_autofree char *description = NULL;
        gboolean rejected = FALSE;
        g_autoptr(VetterDefect) defect = NULL;
        int distance = vetter_phash_distance (match->phash, analysis->phash);

        if (!describe_image (self, match->image_id, &description, &rejected, error))
          return FALSE;
        defect = vetter_defect_new ("duplicate", VETTER_SEVERITY_HIGH, 100 - distance * 5, NULL,
                                    "Repeats %s", description ? description : "an earlier image");
        if (!insert_defect (self, result->image_id, defect, match->image_id, error))
          return FALSE;
        rule_image->duplicate_of = g_steal_pointer (&description);
        rule_image->duplicate_of_rejected = rejected;
        g_ptr_array_add (rule_image->defects, g_steal_pointer (&defect));
      }
    g_array_append_val (self->phashes, entry);
  }
  return TRUE;
}

static gboolean
is_undecodable (int error_code)
{
  return error_code == VETTER_ERROR_DECODE || error_code == VETTER_ERROR_TOO_LARGE;
}

gboolean
vetter_store_record_item (VetterStore        *self,
                          gint64              item_id,
                          GPtrArray          *results,
                          const VetterConfig *config,
                          VetterItemOutcome  *outcome,
                          GError            **error)
{
  g_autoptr(GPtrArray) rule_images = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_rule_image_free);
  g_autoptr(VetterDecision) decision = NULL;
  g_autofree char *failure = NULL;
  guint n_phashes = self->phashes->len;
  sqlite3_stmt *stmt;

  memset (outcome, 0, sizeof *outcome);
  outcome->item_id = item_id;

  if (!vetter_store_begin (self, error))
    return FALSE;

  for (guint i = 0; i < results->len; i++)
    {
      const VetterImageResult *result = g_ptr_array_index (results, i);
      VetterRuleImage *rule_image = vetter_rule_image_new (result->position);

      g_ptr_array_add (rule_images, rule_image);
      if (!record_image (self, item_id, result, config, rule_image, error))
        goto fail;
      if (!result->ok)
        {
          rule_image->undecodable = is_undecodable (result->error_code);
          rule_image->error = g_strdup (result->error);
          if (!rule_image->undecodable && failure == NULL)
            failure = g_strdup_printf ("image %d: %s", result->position, result->error);
        }
    }

  if (results->len == 0)
    failure = g_strdup ("the item names no image");

  if (failure)
    {
      stmt = vetter_store_prepare (self,
                      "UPDATE item SET status = 'failed', error = ?, step = NULL, decided_by = NULL,"
                      " decided_at = NULL, reason_code = NULL, reason = NULL, auto = NULL, rule = NULL,"
                      " auto_status = NULL, auto_reason = NULL, auto_rule = NULL,"
                      " updated = ? WHERE id = ?", error);
      if (stmt == NULL)
        goto fail;
      vetter_store_bind_text (stmt, 1, failure);
      sqlite3_bind_int64 (stmt, 2, vetter_store_now ());
      sqlite3_bind_int64 (stmt, 3, item_id);
      outcome->status = VETTER_STATUS_FAILED;
      outcome->error = g_steal_pointer (&failure);
    }
  else
    {
      decision = vetter_rules_decide (config, rule_images);
      stmt = vetter_store_prepare (self,
                      "UPDATE item SET status = ?1, error = NULL, step = NULL, decided_by = 'vetter',"
                      " decided_at = ?2, reason_code = ?3, reason = ?4, auto = 1, rule = ?5, updated = ?6,"
                      " auto_status = ?1, auto_reason = ?4, auto_rule = ?5"
                      " WHERE id = ?7", error);
      if (stmt == NULL)
        goto fail;
      vetter_store_bind_text (stmt, 1, vetter_status_to_string (decision->status));
      sqlite3_bind_int64 (stmt, 2, vetter_store_now ());
      vetter_store_bind_text (stmt, 3, decision->reason_code);
      vetter_store_bind_text (stmt, 4, decision->reason);
      vetter_store_bind_text (stmt, 5, decision->rule);
      sqlite3_bind_int64 (stmt, 6, vetter_store_now ());
      sqlite3_bind_int64 (stmt, 7, item_id);
      outcome->status = decision->status;
    }
  if (!vetter_store_step_done (self, stmt, error))
    goto fail;
  if (config->sync_couch)
    {
      if (!vetter_store_couch_item_done (self, item_id, config, error))
        goto fail;
    }
  else if (config->sync_mail &&
           (outcome->status == VETTER_STATUS_APPROVED || outcome->status == VETTER_STATUS_REJECTED) &&
           !vetter_store_outbox_add_mail (self, item_id, vetter_store_now (), 0, error))
    goto fail;

  stmt = vetter_store_prepare (self, "SELECT batch_id FROM item WHERE id = ?", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, item_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    outcome->batch_id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);

  if (!vetter_store_commit (self, error))
    goto fail;
  return TRUE;

fail:
  vetter_store_rollback (self);
  /* What this transaction added to the duplicate index is gone with it. */
  g_array_set_size (self->phashes, n_phashes);
  g_clear_pointer (&outcome->error, g_free);
  return FALSE;
}

char *
vetter_store_item_status (VetterStore  *self,
                          gint64        item_id,
                          gint64       *batch_id,
                          GError      **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT status, batch_id FROM item WHERE id = ?", error);
  char *status = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, item_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      status = g_strdup (vetter_store_column_text (stmt, 0));
      *batch_id = sqlite3_column_int64 (stmt, 1);
    }
  else
    g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE, "there is no item %" G_GINT64_FORMAT, item_id);
  sqlite3_reset (stmt);
  return status;
}

/* ---- Batch state ---------------------------------------------------------- */

gboolean
vetter_store_batch_counts (VetterStore        *self,
                           gint64              batch_id,
                           VetterBatchCounts  *counts,
                           GError            **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT status, count(*) FROM item WHERE batch_id = ? GROUP BY status", error);

  memset (counts, 0, sizeof *counts);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, batch_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 n = sqlite3_column_int64 (stmt, 1);

      switch (vetter_status_from_string (vetter_store_column_text (stmt, 0)))
        {
        case VETTER_STATUS_QUEUED: counts->queued = n; break;
        case VETTER_STATUS_PROCESSING: counts->processing = n; break;
        case VETTER_STATUS_NEEDS_REVIEW: counts->needs_review = n; break;
        case VETTER_STATUS_APPROVED: counts->approved = n; break;
        case VETTER_STATUS_REJECTED: counts->rejected = n; break;
        case VETTER_STATUS_FAILED: counts->failed = n; break;
        default: break;
        }
      counts->total += n;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

gboolean
vetter_store_set_batch_state (VetterStore  *self,
                              gint64        batch_id,
                              const char   *state,
                              GError      **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                "UPDATE batch SET state = ?,"
                                " finished = CASE WHEN ? = 'done' THEN ? ELSE NULL END WHERE id = ?", error);

  if (stmt == NULL || !vetter_store_begin (self, error))
    return FALSE;
  vetter_store_bind_text (stmt, 1, state);
  vetter_store_bind_text (stmt, 2, state);
  sqlite3_bind_int64 (stmt, 3, vetter_store_now ());
  sqlite3_bind_int64 (stmt, 4, batch_id);
  /* A finished batch's callback is due in the same breath. */
  if (!vetter_store_step_done (self, stmt, error) ||
      (g_strcmp0 (state, "done") == 0 && !vetter_store_outbox_add_webhook (self, batch_id, error)) ||
      !vetter_store_commit (self, error))
    {
      vetter_store_rollback (self);
      return FALSE;
    }
  return TRUE;
}

guint
vetter_store_retry_failed (VetterStore  *self,
                           gint64        batch_id,
                           GError      **error)
{
  /* A row that could not be read will not read better the second time. */
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                "UPDATE item SET status = 'queued', error = NULL, updated = ?"
                                " WHERE batch_id = ? AND status = 'failed'"
                                " AND EXISTS (SELECT 1 FROM image WHERE image.item_id = item.id)", error);

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, vetter_store_now ());
  sqlite3_bind_int64 (stmt, 2, batch_id);
  if (!vetter_store_step_done (self, stmt, error))
    return 0;
  return (guint) sqlite3_changes (self->db);
}

void
vetter_batch_info_free (VetterBatchInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->source);
  g_free (info->kind);
  g_free (info->state);
  g_free (info);
}

/* The newest @limit batches, newest first. */
GPtrArray *
vetter_store_list_batches (VetterStore  *self,
                           guint         limit,
                           GError      **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT id, source, kind, state, created FROM batch ORDER BY id DESC LIMIT ?", error);
  GPtrArray *batches;

  if (stmt == NULL)
    return NULL;
  batches = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_batch_info_free);
  sqlite3_bind_int (stmt, 1, (int) limit);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      VetterBatchInfo *info = g_new0 (VetterBatchInfo, 1);

      info->id = sqlite3_column_int64 (stmt, 0);
      info->source = g_strdup (vetter_store_column_text (stmt, 1));
      info->kind = g_strdup (vetter_store_column_text (stmt, 2));
      info->state = g_strdup (vetter_store_column_text (stmt, 3));
      info->created = sqlite3_column_int64 (stmt, 4);
      g_ptr_array_add (batches, info);
    }
  sqlite3_reset (stmt);
  return batches;
}

/* Batches that were running, with work left, when the last session ended. */
GArray *
vetter_store_unfinished_batches (VetterStore  *self,
                                 GError      **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                "SELECT id FROM batch WHERE state = 'running' AND EXISTS"
                                " (SELECT 1 FROM item WHERE item.batch_id = batch.id AND item.status IN ('queued', 'processing'))",
                                error);
  GArray *ids;

  if (stmt == NULL)
    return NULL;
  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  sqlite3_reset (stmt);
  return ids;
}

char *
vetter_store_get_batch_state (VetterStore *self,
                              gint64       batch_id)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT state FROM batch WHERE id = ?", NULL);
  char *state = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, batch_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    state = g_strdup (vetter_store_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return state;
}

/* ---- Output CSV ----------------------------------------------------------- */

char *
vetter_store_write_output_csv (VetterStore  *self,
                               gint64        batch_id,
                               GError      **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_auto(GStrv) header = NULL;
  g_autofree char *stem = NULL;
  g_autofree char *output_dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GPtrArray) row = NULL;
  g_autoptr(GError) local_error = NULL;
  sqlite3_stmt *stmt;
  guint n_columns;

  stmt = vetter_store_prepare (self, "SELECT header, stem, output_dir FROM batch WHERE id = ? AND kind IN ('products', 'ads')", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, batch_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      return NULL;
    }
  header = json_to_strv (vetter_store_column_text (stmt, 0));
  stem = g_strdup (vetter_store_column_text (stmt, 1));
  output_dir = g_strdup (vetter_store_column_text (stmt, 2));
  sqlite3_reset (stmt);

  n_columns = g_strv_length (header);
  row = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < n_columns; i++)
    g_ptr_array_add (row, g_strdup (header[i]));
  g_ptr_array_add (row, g_strdup ("Output Image Urls"));
  vetter_csv_append_row (out, (const char * const *) row->pdata, row->len);

  /* One line per row of the input, in its order; each cell of output URLs
   * follows the order of the input URLs. */
  stmt = vetter_store_prepare (self,
                  "SELECT item.id, item.cells,"
                  " (SELECT group_concat(url, ',') FROM (SELECT coalesce(variant.remote_url, variant.path) AS url"
                  "   FROM image JOIN variant ON variant.image_id = image.id AND variant.kind = 'compressed'"
                  "   WHERE image.item_id = item.id ORDER BY image.position))"
                  " FROM item WHERE item.batch_id = ? ORDER BY item.row", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, batch_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_auto(GStrv) cells = json_to_strv (vetter_store_column_text (stmt, 1));
      const char *urls = vetter_store_column_text (stmt, 2);

      g_ptr_array_set_size (row, 0);
      for (guint i = 0; i < n_columns; i++)
        g_ptr_array_add (row, g_strdup (cells && i < g_strv_length (cells) ? cells[i] : ""));
      g_ptr_array_add (row, g_strdup (urls ? urls : ""));
      vetter_csv_append_row (out, (const char * const *) row->pdata, row->len);
    }
  sqlite3_reset (stmt);

  if (g_mkdir_with_parents (output_dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_FAILED, "cannot create %s: %s", output_dir, g_strerror (saved));
      return NULL;
    }
  name = g_strdup_printf ("%s-output.csv", stem);
  path = g_build_filename (output_dir, name, NULL);
  if (!g_file_set_contents_full (path, out->str, (gssize) out->len, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &local_error))
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_FAILED, "cannot write %s: %s", path, local_error->message);
      return NULL;
    }

  stmt = vetter_store_prepare (self, "UPDATE batch SET output_csv = ? WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  vetter_store_bind_text (stmt, 1, path);
  sqlite3_bind_int64 (stmt, 2, batch_id);
  if (!vetter_store_step_done (self, stmt, error))
    return NULL;
  return g_steal_pointer (&path);
}

/* ---- The JSON summary ----------------------------------------------------- */

void
vetter_store_set_nullable_string (JsonObject *object,
                     const char *name,
                     const char *value)
{
  if (value)
    json_object_set_string_member (object, name, value);
  else
    json_object_set_null_member (object, name);
}

void
vetter_store_set_nullable_int (JsonObject   *object,
                  const char   *name,
                  sqlite3_stmt *stmt,
                  int           column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    json_object_set_null_member (object, name);
  else
    json_object_set_int_member (object, name, sqlite3_column_int64 (stmt, column));
}

static JsonArray *
image_tags (VetterStore *self,
            gint64       image_id,
            gboolean     detail)
{
  JsonArray *tags = json_array_new ();
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT label, confidence, source, rgb FROM tag WHERE image_id = ? ORDER BY confidence DESC, id", NULL);

  sqlite3_bind_int64 (stmt, 1, image_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonObject *tag = json_object_new ();

      json_object_set_string_member (tag, "label", vetter_store_column_text (stmt, 0));
      json_object_set_int_member (tag, "confidence", sqlite3_column_int (stmt, 1));
      json_object_set_string_member (tag, "source", vetter_store_column_text (stmt, 2));
      if (detail)
        vetter_store_set_nullable_string (tag, "rgb", vetter_store_column_text (stmt, 3));
      json_array_add_object_element (tags, tag);
    }
  sqlite3_reset (stmt);
  return tags;
}

static JsonArray *
image_defects (VetterStore *self,
               gint64       image_id)
{
  JsonArray *defects = json_array_new ();
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT kind, severity, confidence, x, y, w, h, message FROM defect WHERE image_id = ? ORDER BY id", NULL);

  sqlite3_bind_int64 (stmt, 1, image_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonObject *defect = json_object_new ();

      json_object_set_string_member (defect, "kind", vetter_store_column_text (stmt, 0));
      json_object_set_string_member (defect, "severity", vetter_store_column_text (stmt, 1));
      json_object_set_int_member (defect, "confidence", sqlite3_column_int (stmt, 2));
      if (sqlite3_column_type (stmt, 3) == SQLITE_NULL)
        json_object_set_null_member (defect, "box");
      else
        {
          JsonObject *box = json_object_new ();

          json_object_set_int_member (box, "x", sqlite3_column_int (stmt, 3));
          json_object_set_int_member (box, "y", sqlite3_column_int (stmt, 4));
          json_object_set_int_member (box, "w", sqlite3_column_int (stmt, 5));
          json_object_set_int_member (box, "h", sqlite3_column_int (stmt, 6));
          json_object_set_object_member (defect, "box", box);
        }
      vetter_store_set_nullable_string (defect, "message", vetter_store_column_text (stmt, 7));
      json_array_add_object_element (defects, defect);
    }
  sqlite3_reset (stmt);
  return defects;
}

static JsonArray *
image_variants (VetterStore *self,
                gint64       image_id)
{
  JsonArray *variants = json_array_new ();
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                "SELECT kind, path, width, height, bytes FROM variant WHERE image_id = ?"
                                " ORDER BY CASE kind WHEN 'compressed' THEN 0 WHEN 'square' THEN 1"
                                " WHEN 'portrait' THEN 2 WHEN 'landscape' THEN 3 ELSE 4 END", NULL);

  sqlite3_bind_int64 (stmt, 1, image_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonObject *variant = json_object_new ();

      json_object_set_string_member (variant, "kind", vetter_store_column_text (stmt, 0));
      json_object_set_string_member (variant, "path", vetter_store_column_text (stmt, 1));
      json_object_set_int_member (variant, "width", sqlite3_column_int (stmt, 2));
      json_object_set_int_member (variant, "height", sqlite3_column_int (stmt, 3));
      json_object_set_int_member (variant, "bytes", sqlite3_column_int64 (stmt, 4));
      json_array_add_object_element (variants, variant);
    }
  sqlite3_reset (stmt);
  return variants;
}

static JsonArray *
image_steps (VetterStore *self,
             gint64       image_id)
{
  JsonArray *steps = json_array_new ();
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT name, status, started, duration, error FROM step WHERE image_id = ? ORDER BY id", NULL);

  sqlite3_bind_int64 (stmt, 1, image_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonObject *step = json_object_new ();

      json_object_set_string_member (step, "name", vetter_store_column_text (stmt, 0));
      json_object_set_string_member (step, "status", vetter_store_column_text (stmt, 1));
      json_object_set_int_member (step, "started", sqlite3_column_int64 (stmt, 2));
      json_object_set_int_member (step, "duration", sqlite3_column_int64 (stmt, 3));
      vetter_store_set_nullable_string (step, "error", vetter_store_column_text (stmt, 4));
      json_array_add_object_element (steps, step);
    }
  sqlite3_reset (stmt);
  return steps;
}

JsonArray *
vetter_store_item_images (VetterStore *self,
                          gint64       item_id,
                          gboolean     detail)
{
  g_autoptr(GPtrArray) objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  JsonArray *images = json_array_new ();
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                "SELECT id, source, status, error, width, height, phash, location FROM image"
                                " WHERE item_id = ? ORDER BY position", NULL);

  /* Rows first, lists after: the lists' queries must not interleave with
   * this one's cursor. */
  sqlite3_bind_int64 (stmt, 1, item_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonObject *image = json_object_new ();
      gint64 id = sqlite3_column_int64 (stmt, 0);
      const char *status = vetter_store_column_text (stmt, 2);

      json_object_set_string_member (image, "source", vetter_store_column_text (stmt, 1));
      json_object_set_string_member (image, "status", g_strcmp0 (status, "queued") == 0 ? "pending" : status);
      vetter_store_set_nullable_string (image, "error", vetter_store_column_text (stmt, 3));
      vetter_store_set_nullable_int (image, "width", stmt, 4);
      vetter_store_set_nullable_int (image, "height", stmt, 5);
      vetter_store_set_nullable_string (image, "phash", vetter_store_column_text (stmt, 6));
      if (detail)
        json_object_set_string_member (image, "location", vetter_store_column_text (stmt, 7));
      g_ptr_array_add (objects, image);
      g_array_append_val (ids, id);
    }
  sqlite3_reset (stmt);

  for (guint i = 0; i < objects->len; i++)
    {
      JsonObject *image = g_ptr_array_index (objects, i);
      gint64 id = g_array_index (ids, gint64, i);

      if (detail)
        {
          json_object_set_int_member (image, "id", id);
          json_object_set_array_member (image, "steps", image_steps (self, id));
        }
      json_object_set_array_member (image, "tags", image_tags (self, id, detail));
      json_object_set_array_member (image, "defects", image_defects (self, id));
      json_object_set_array_member (image, "variants", image_variants (self, id));
      json_array_add_object_element (images, json_object_ref (image));
    }
  return images;
}

void
vetter_summary_free (VetterSummary *summary)
{
  if (summary == NULL)
    return;
  g_clear_pointer (&summary->failures, g_ptr_array_unref);
  g_clear_pointer (&summary->output_csv, g_ptr_array_unref);
  g_free (summary);
}

static void
failure_free (VetterFailure *failure)
{
  g_free (failure->error);
  g_free (failure);
}

static gboolean
write_text (GOutputStream  *out,
            const char     *text,
            GError        **error)
{
  return g_output_stream_write_all (out, text, strlen (text), NULL, NULL, error);
}

static JsonObject *
item_object (sqlite3_stmt *stmt)
{
  JsonObject *item = json_object_new ();
  const char *status = vetter_store_column_text (stmt, 3);

  json_object_set_int_member (item, "id", sqlite3_column_int64 (stmt, 0));
  json_object_set_int_member (item, "row", sqlite3_column_int (stmt, 1));
  json_object_set_int_member (item, "line", sqlite3_column_int (stmt, 2));
  vetter_store_set_nullable_string (item, "title", vetter_store_column_text (stmt, 8));
  vetter_store_set_nullable_string (item, "email", vetter_store_column_text (stmt, 9));
  json_object_set_string_member (item, "status", status);
  vetter_store_set_nullable_string (item, "error", vetter_store_column_text (stmt, 4));
  if (sqlite3_column_type (stmt, 6) == SQLITE_NULL)
    json_object_set_null_member (item, "decision");
  else
    {
      JsonObject *decision = json_object_new ();

      json_object_set_string_member (decision, "status", status);
      vetter_store_set_nullable_string (decision, "reason", vetter_store_column_text (stmt, 5));
      json_object_set_string_member (decision, "rule", vetter_store_column_text (stmt, 6));
      json_object_set_boolean_member (decision, "auto", sqlite3_column_int (stmt, 7) != 0);
      json_object_set_object_member (item, "decision", decision);
    }
  return item;
}

/* Items a page at a time, each written out and freed before the next: a
 * summary of a million items costs no more memory than one of a hundred. */
#define SUMMARY_PAGE 256

static gboolean
write_batch_items (VetterStore    *self,
                   gint64          batch_id,
                   GOutputStream  *json,
                   gboolean       *first,
                   VetterSummary  *summary,
                   GError        **error)
{
  int after_row = -1;

  for (;;)
    {
      g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
      guint n_rows = 0;
      sqlite3_stmt *stmt = vetter_store_prepare (self,
                                    "SELECT id, row, line, status, error, reason, rule, auto, title, email FROM item"
                                    " WHERE batch_id = ? AND row > ? ORDER BY row LIMIT ?", error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, batch_id);
      sqlite3_bind_int (stmt, 2, after_row);
      sqlite3_bind_int (stmt, 3, SUMMARY_PAGE);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          n_rows++;
          after_row = sqlite3_column_int (stmt, 1);
          if (g_strcmp0 (vetter_store_column_text (stmt, 3), "failed") == 0)
            {
              VetterFailure *failure = g_new0 (VetterFailure, 1);

              failure->item_id = sqlite3_column_int64 (stmt, 0);
              failure->row = sqlite3_column_int (stmt, 1);
              failure->line = sqlite3_column_int (stmt, 2);
              failure->error = g_strdup (vetter_store_column_text (stmt, 4));
              g_ptr_array_add (summary->failures, failure);
            }
          if (json)
            g_ptr_array_add (page, item_object (stmt));
        }
      sqlite3_reset (stmt);
      if (n_rows == 0)
        return TRUE;

      /* The images' queries run after the page's cursor is done with. */
      for (guint i = 0; i < page->len; i++)
        {
          JsonObject *item = g_ptr_array_index (page, i);
          g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
          g_autofree char *text = NULL;

          json_object_set_array_member (item, "images", vetter_store_item_images (self, json_object_get_int_member (item, "id"), FALSE));
          json_node_set_object (node, item);
          text = json_to_string (node, FALSE);
          if (!write_text (json, *first ? "\n" : ",\n", error) || !write_text (json, text, error))
            return FALSE;
          *first = FALSE;
        }
    }
}

VetterSummary *
vetter_store_write_summary (VetterStore    *self,
                            const gint64   *batch_ids,
                            guint           n_batch_ids,
                            GOutputStream  *json,
                            GError        **error)
{
  g_autoptr(VetterSummary) summary = g_new0 (VetterSummary, 1);
  g_autoptr(JsonObject) totals = json_object_new ();
  g_autoptr(JsonArray) output_csv = json_array_new ();
  gboolean first = TRUE;

  summary->failures = g_ptr_array_new_with_free_func ((GDestroyNotify) failure_free);
  summary->output_csv = g_ptr_array_new_with_free_func (g_free);

  if (json && !write_text (json, "{\"items\":[", error))
    return NULL;

  for (guint b = 0; b < n_batch_ids; b++)
    {
      VetterBatchCounts counts;
      sqlite3_stmt *stmt;

      if (!write_batch_items (self, batch_ids[b], json, &first, summary, error) ||
          !vetter_store_batch_counts (self, batch_ids[b], &counts, error))
        return NULL;
      summary->totals.total += counts.total;
      summary->totals.queued += counts.queued + counts.processing;
      summary->totals.needs_review += counts.needs_review;
      summary->totals.approved += counts.approved;
      summary->totals.rejected += counts.rejected;
      summary->totals.failed += counts.failed;

      stmt = vetter_store_prepare (self, "SELECT output_csv FROM batch WHERE id = ? AND output_csv IS NOT NULL", error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_int64 (stmt, 1, batch_ids[b]);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          g_ptr_array_add (summary->output_csv, g_strdup (vetter_store_column_text (stmt, 0)));
          json_array_add_string_element (output_csv, vetter_store_column_text (stmt, 0));
        }
      sqlite3_reset (stmt);
    }

  if (json)
    {
      g_autoptr(JsonNode) totals_node = json_node_new (JSON_NODE_OBJECT);
      g_autoptr(JsonNode) csv_node = json_node_new (JSON_NODE_ARRAY);
      g_autofree char *totals_text = NULL;
      g_autofree char *csv_text = NULL;
      const VetterBatchCounts *t = &summary->totals;

      json_object_set_int_member (totals, "items", t->total);
      json_object_set_int_member (totals, "processed", t->total - t->queued);
      json_object_set_int_member (totals, "approved", t->approved);
      json_object_set_int_member (totals, "rejected", t->rejected);
      json_object_set_int_member (totals, "needs_review", t->needs_review);
      json_object_set_int_member (totals, "failed", t->failed);
      json_object_set_int_member (totals, "pending", t->queued);
      json_node_set_object (totals_node, totals);
      json_node_set_array (csv_node, output_csv);
      totals_text = json_to_string (totals_node, FALSE);
      csv_text = json_to_string (csv_node, FALSE);
      if (!write_text (json, "\n],\n\"totals\":", error) || !write_text (json, totals_text, error) ||
          !write_text (json, ",\n\"output_csv\":", error) || !write_text (json, csv_text, error) ||
          !write_text (json, "}\n", error) || !g_output_stream_flush (json, NULL, error))
        return NULL;
    }
  return g_steal_pointer (&summary);
}
