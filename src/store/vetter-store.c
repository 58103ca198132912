/* vetter-store.c: everything Vetter knows, in SQLite
 *
 * One connection, used by one thread (the database thread): it asserts so
 * on every statement. WAL so that readers elsewhere never block it;
 * foreign keys on; statements prepared once and cached. Whatever a worker
 * produced for an item is recorded in one transaction together with the
 * item's new status, so a crash leaves each item either untouched (and
 * redone) or complete.
 *
 * Every row any transaction changes is noted (SQLite's update hook) and,
 * once the transaction commits, handed to whoever takes the changes: the
 * database thread, which tells the rest of the program. Nobody who writes
 * has to remember to say so.
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
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vetter-error.h"
#include "vetter-store-private.h"
#include "vetter-store-schema.h"
#include "vetter-store.h"

/* Statements built at run time are kept up to this many; then the cache
 * starts afresh, so queries a person composes cannot grow it without end. */
#define MAX_DYNAMIC_STATEMENTS 64

G_DEFINE_FINAL_TYPE (VetterStore, vetter_store, G_TYPE_OBJECT)

#define ASSERT_OWNER(self) g_assert ((self)->owner == g_thread_self ())

/* ---- Statements and transactions ------------------------------------------ */

gboolean
vetter_store_fail (VetterStore  *self,
                   GError      **error,
                   const char   *what)
{
  g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE, "%s: %s (%s)",
               what, sqlite3_errmsg (self->db), self->path);
  return FALSE;
}

static sqlite3_stmt *
prepare_in (VetterStore  *self,
            GHashTable   *cache,
            const char   *sql,
            GError      **error)
{
  sqlite3_stmt *stmt;

  ASSERT_OWNER (self);
  stmt = g_hash_table_lookup (cache, sql);
  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }
  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      vetter_store_fail (self, error, "cannot prepare a query");
      return NULL;
    }
  /* The key is a copy: SQL built at run time is freed by its builder. */
  g_hash_table_insert (cache, g_strdup (sql), stmt);
  return stmt;
}

sqlite3_stmt *
vetter_store_prepare (VetterStore  *self,
                      const char   *sql,
                      GError      **error)
{
  return prepare_in (self, self->statements, sql, error);
}

sqlite3_stmt *
vetter_store_prepare_dynamic (VetterStore  *self,
                              const char   *sql,
                              GError      **error)
{
  if (!g_hash_table_contains (self->dynamic, sql) && g_hash_table_size (self->dynamic) >= MAX_DYNAMIC_STATEMENTS)
    g_hash_table_remove_all (self->dynamic);
  return prepare_in (self, self->dynamic, sql, error);
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

void
vetter_store_json_set_text (JsonObject *object,
                            const char *name,
                            const char *value)
{
  if (value)
    json_object_set_string_member (object, name, value);
  else
    json_object_set_null_member (object, name);
}

gboolean
vetter_store_step_done (VetterStore  *self,
                        sqlite3_stmt *stmt,
                        GError      **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return vetter_store_fail (self, error, "cannot write to the database");
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

/* Inside a group, each transaction is a savepoint of the group's: it
 * stands or falls alone, and the group commits them all at once. */
gboolean
vetter_store_begin (VetterStore  *self,
                    GError      **error)
{
  if (self->group_open)
    {
      if (!vetter_store_exec (self, "SAVEPOINT part", error))
        return FALSE;
      self->group_depth++;
      return TRUE;
    }
  return vetter_store_exec (self, "BEGIN IMMEDIATE", error);
}

gboolean
vetter_store_commit (VetterStore  *self,
                     GError      **error)
{
  if (self->group_open && self->group_depth > 0)
    {
      if (!vetter_store_exec (self, "RELEASE part", error))
        return FALSE;
      self->group_depth--;
      return TRUE;
    }
  return vetter_store_exec (self, "COMMIT", error);
}

void
vetter_store_rollback (VetterStore *self)
{
  if (self->group_open)
    {
      if (self->group_depth > 0)
        {
          vetter_store_exec (self, "ROLLBACK TO part", NULL);
          vetter_store_exec (self, "RELEASE part", NULL);
          self->group_depth--;
        }
      return;
    }
  if (!sqlite3_get_autocommit (self->db))
    vetter_store_exec (self, "ROLLBACK", NULL);
}

gboolean
vetter_store_group_begin (VetterStore *self)
{
  ASSERT_OWNER (self);
  if (self->group_open || !sqlite3_get_autocommit (self->db))
    return self->group_open;
  if (!vetter_store_exec (self, "BEGIN IMMEDIATE", NULL))
    return FALSE;
  self->group_open = TRUE;
  self->group_depth = 0;
  return TRUE;
}

gboolean
vetter_store_group_end (VetterStore  *self,
                        GError      **error)
{
  ASSERT_OWNER (self);
  if (!self->group_open)
    return TRUE;
  self->group_open = FALSE;
  while (self->group_depth > 0)
    {
      /* A transaction left open inside the group: it cannot be whole. */
      vetter_store_exec (self, "ROLLBACK TO part", NULL);
      vetter_store_exec (self, "RELEASE part", NULL);
      self->group_depth--;
    }
  if (vetter_store_exec (self, "COMMIT", error))
    return TRUE;
  vetter_store_exec (self, "ROLLBACK", NULL);
  return FALSE;
}

gint64
vetter_store_now (void)
{
  return g_get_real_time ();
}

char *
vetter_store_lookup_text (VetterStore *self,
                          const char  *sql,
                          const char  *key)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, sql, NULL);
  char *value = NULL;

  if (stmt == NULL)
    return NULL;
  vetter_store_bind_text (stmt, 1, key);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup (vetter_store_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return value;
}

/* ---- Change tracking ------------------------------------------------------ */

static void
on_row_changed (void          *user_data,
                int            operation,
                const char    *database,
                const char    *table,
                sqlite3_int64  rowid)
{
  VetterStore *self = user_data;
  const char *name = g_intern_string (table);
  GArray *ids = g_hash_table_lookup (self->pending, name);
  gint64 id = rowid;

  if (ids == NULL)
    {
      ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (self->pending, (gpointer) name, ids);
    }
  g_array_append_val (ids, id);
}

static int
on_commit (void *user_data)
{
  VetterStore *self = user_data;
  GHashTableIter iter;
  gpointer table, ids;

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, &table, &ids))
    {
      GArray *committed = g_hash_table_lookup (self->committed, table);

      if (committed)
        g_array_append_vals (committed, ((GArray *) ids)->data, ((GArray *) ids)->len);
      else
        g_hash_table_insert (self->committed, table, g_array_ref (ids));
    }
  g_hash_table_remove_all (self->pending);
  return 0;
}

static void
on_rollback (void *user_data)
{
  VetterStore *self = user_data;

  g_hash_table_remove_all (self->pending);
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static GHashTable *
new_change_table (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_array_unref);
}

GHashTable *
vetter_store_take_changes (VetterStore *self)
{
  GHashTable *changes;
  GHashTableIter iter;
  gpointer ids;

  ASSERT_OWNER (self);
  if (g_hash_table_size (self->committed) == 0)
    return NULL;
  changes = g_steal_pointer (&self->committed);
  self->committed = new_change_table ();

  /* Each row once, in order, however often it was written. */
  g_hash_table_iter_init (&iter, changes);
  while (g_hash_table_iter_next (&iter, NULL, &ids))
    {
      GArray *array = ids;
      guint kept = 0;

      g_array_sort (array, compare_ids);
      for (guint i = 0; i < array->len; i++)
        if (kept == 0 || g_array_index (array, gint64, i) != g_array_index (array, gint64, kept - 1))
          g_array_index (array, gint64, kept++) = g_array_index (array, gint64, i);
      g_array_set_size (array, kept);
    }
  return changes;
}

/* ---- Opening and migrations ----------------------------------------------- */

/* How long a statement waits for another connection's lock. */
#define BUSY_TIMEOUT_MS 5000

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
    return vetter_store_fail (self, error, "cannot read the database version");
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
  /* What the migrations rewrote is nobody's news. */
  g_hash_table_remove_all (self->committed);
  return TRUE;
}

static void
vetter_store_finalize (GObject *object)
{
  VetterStore *self = VETTER_STORE (object);

  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_pointer (&self->dynamic, g_hash_table_unref);
  if (self->db)
    sqlite3_close_v2 (self->db);
  g_clear_pointer (&self->phashes, g_array_unref);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->committed, g_hash_table_unref);
  g_clear_pointer (&self->crash_mark, vetter_crash_mark_disarm);
  g_clear_pointer (&self->crashed_items, g_array_unref);
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
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) sqlite3_finalize);
  self->dynamic = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) sqlite3_finalize);
  self->phashes = g_array_new (FALSE, FALSE, sizeof (PhashEntry));
  self->pending = new_change_table ();
  self->committed = new_change_table ();
  self->lock_fd = -1;
  self->owner = g_thread_self ();
}

/* One process at a time: two engines on one database would each take the
 * other's work in flight for interrupted work and redo it, and SQLite
 * keeps its journal beside the name the file was opened by. So the lock
 * is on the file itself, whatever name reaches it (a symbolic link is
 * followed to the real name first), and a file with several names (hard
 * links) is refused: each name would have a journal of its own. The lock
 * goes with the process, however it ends. */
static gboolean
take_lock (VetterStore  *self,
           GError      **error)
{
  struct stat st;

  self->lock_fd = g_open (self->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (self->lock_fd < 0)
    {
      int saved = errno;
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE, "cannot open %s: %s", self->path, g_strerror (saved));
      return FALSE;
    }
  if (fstat (self->lock_fd, &st) == 0 && st.st_nlink > 1)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE,
                   "%s has %u names (hard links); a database is used by one name only, or two runs would "
                   "each keep half of its journal: copy it, or remove the other names",
                   self->path, (guint) st.st_nlink);
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

/* @path with its symbolic links resolved, the file itself perhaps not
 * there yet. */
static char *
real_name (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  char *resolved = realpath (path, NULL);
  char *resolved_dir;

  if (resolved)
    {
      char *copy = g_strdup (resolved);

      free (resolved);
      return copy;
    }
  resolved_dir = realpath (dir, NULL);
  if (resolved_dir == NULL)
    return g_strdup (path);
  {
    char *joined = g_build_filename (resolved_dir, base, NULL);

    free (resolved_dir);
    return joined;
  }
}

VetterStore *
vetter_store_open (const char  *path,
                   GError     **error)
{
  g_autoptr(VetterStore) self = g_object_new (VETTER_TYPE_STORE, NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE, "cannot create %s: %s", dir, g_strerror (saved));
      return NULL;
    }
  self->path = real_name (path);
  if (!take_lock (self, error))
    return NULL;
  self->stopped_uncleanly = vetter_crash_mark_left_armed (self->path);
  self->crash_mark = vetter_crash_mark_arm (self->path, &self->crashed_before, &self->crashed_items);
  if (sqlite3_open_v2 (self->path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    {
      vetter_store_fail (self, error, "cannot open the database");
      return NULL;
    }
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);
  if (sqlite3_exec (self->db,
                    "PRAGMA journal_mode = WAL;"
                    "PRAGMA synchronous = NORMAL;"
                    "PRAGMA foreign_keys = ON;"
                    /* A million ads' indexes do not fit SQLite's default 2 MB of
                     * cache: a bulk decision would read them from disk again and
                     * again. Pages are allocated as used. */
                    "PRAGMA cache_size = -65536;"
                    /* A decision's UPDATE fires the search index's trigger,
                     * so SQLite keeps a journal of each statement to undo it
                     * alone; in a file, a bulk decision of 100,000 ads spent
                     * two thirds of its time writing and reading it. */
                    "PRAGMA temp_store = MEMORY;"
                    /* A big input's part writes tens of megabytes to the
                     * write-ahead log; once copied into the database the
                     * log is cut back to this, not left at its largest. */
                    "PRAGMA journal_size_limit = 67108864;",
                    NULL, NULL, NULL) != SQLITE_OK)
    {
      vetter_store_fail (self, error, "cannot set up the database");
      return NULL;
    }
  sqlite3_update_hook (self->db, on_row_changed, self);
  sqlite3_commit_hook (self->db, on_commit, self);
  sqlite3_rollback_hook (self->db, on_rollback, self);
  if (!migrate (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

VetterStore *
vetter_store_open_for_reading (const char  *path,
                               GError     **error)
{
  g_autoptr(VetterStore) self = g_object_new (VETTER_TYPE_STORE, NULL);
  int version;

  self->path = real_name (path);
  if (!g_file_test (self->path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE, "%s: no such database", path);
      return NULL;
    }
  if (sqlite3_open_v2 (self->path, &self->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    {
      vetter_store_fail (self, error, "cannot open the database");
      return NULL;
    }
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);
  sqlite3_exec (self->db, "PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;", NULL, NULL, NULL);
  version = read_user_version (self);
  if (version != (int) G_N_ELEMENTS (vetter_store_migrations))
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE,
                   "%s is at version %d of the schema and this Vetter reads version %d: %s", self->path, version,
                   (int) G_N_ELEMENTS (vetter_store_migrations),
                   version < (int) G_N_ELEMENTS (vetter_store_migrations)
                     ? "open it once with `vetter batch` or the window to bring it up to date"
                     : "it was made by a newer Vetter");
      return NULL;
    }
  return g_steal_pointer (&self);
}

void
vetter_store_set_cache_size (VetterStore *self,
                             int          kib)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA cache_size = -%d;", MAX (kib, 1));

  g_return_if_fail (VETTER_IS_STORE (self));
  sqlite3_exec (self->db, sql, NULL, NULL, NULL);
}

void
vetter_store_checkpoint (VetterStore *self)
{
  g_return_if_fail (VETTER_IS_STORE (self));
  ASSERT_OWNER (self);

  /* A reader elsewhere (another window's console) would have it wait for
   * the busy timeout: without one, SQLite copies what no reader needs
   * and leaves the rest for later. */
  sqlite3_busy_timeout (self->db, 0);
  sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);
}

gboolean
vetter_store_stopped_uncleanly (VetterStore *self)
{
  g_return_val_if_fail (VETTER_IS_STORE (self), FALSE);
  return self->stopped_uncleanly;
}

int
vetter_store_get_schema_version (VetterStore *self)
{
  return read_user_version (self);
}

const char *
vetter_store_get_path (VetterStore *self)
{
  return self->path;
}
