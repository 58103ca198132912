/* test-database.c: the one door to the store, and what it announces
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "vetter-database.h"
#include "vetter-store-private.h"
#include "vetter-test-util.h"

typedef struct
{
  char           *dir;
  VetterDatabase *database;
  GHashTable     *seen;    /* table → GArray of the ids announced */
  guint           emissions;
} Fixture;

static void
on_rows_changed (VetterDatabase *database,
                 const char     *table,
                 GArray         *ids,
                 Fixture        *f)
{
  GArray *all = g_hash_table_lookup (f->seen, table);

  /* Announced on the thread that made the database, never the store's. */
  g_assert_false (vetter_database_is_current (database));
  if (all == NULL)
    {
      all = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (f->seen, g_strdup (table), all);
    }
  g_array_append_vals (all, ids->data, ids->len);
  f->emissions++;
}

static void
on_open (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vetter_database_open_finish (VETTER_DATABASE (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *path = NULL;
  gboolean open = FALSE;

  f->dir = test_tmpdir ();
  path = g_build_filename (f->dir, "door.db", NULL);
  f->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_array_unref);
  f->database = vetter_database_new (path);
  g_signal_connect (f->database, "rows-changed", G_CALLBACK (on_rows_changed), f);
  vetter_database_open_async (f->database, NULL, on_open, &open);
  test_wait_until (test_flag_set, &open);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  vetter_database_close (f->database);
  g_assert_finalize_object (f->database);
  g_hash_table_unref (f->seen);
  test_remove_tree (f->dir);
  g_free (f->dir);
}

static gint64
seen_count (Fixture    *f,
            const char *table)
{
  GArray *ids = g_hash_table_lookup (f->seen, table);

  return ids ? ids->len : 0;
}

/* Three outbox rows in one transaction, and a fourth that is rolled back. */
static gpointer
store_write (VetterStore  *store,
             gpointer      data,
             GError      **error)
{
  g_assert_true (vetter_store_begin (store, error));
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *key = g_strdup_printf ("test:%d", i);

      g_assert_true (vetter_store_outbox_add (store, VETTER_OUTBOX_WEBHOOK, key, "{}", 0, 0, error));
    }
  /* The same row written twice in a transaction is announced once. */
  g_assert_true (vetter_store_outbox_add (store, VETTER_OUTBOX_WEBHOOK, "test:0", "{\"again\":1}", 0, 0, error));
  g_assert_true (vetter_store_commit (store, error));

  g_assert_true (vetter_store_begin (store, error));
  g_assert_true (vetter_store_outbox_add (store, VETTER_OUTBOX_WEBHOOK, "test:gone", "{}", 0, 0, error));
  vetter_store_rollback (store);
  return GINT_TO_POINTER (1);
}

static gboolean
outbox_seen (gpointer data)
{
  return seen_count (data, "outbox") > 0;
}

static void
test_rows_changed (Fixture       *f,
                   gconstpointer  data)
{
  GArray *ids;

  g_assert_nonnull (test_run_in_database (f->database, store_write, NULL));
  test_wait_until (outbox_seen, f);
  test_spin (100);
  ids = g_hash_table_lookup (f->seen, "outbox");
  g_assert_cmpuint (ids->len, ==, 3);
  for (guint i = 0; i < ids->len; i++)
    g_assert_cmpint (g_array_index (ids, gint64, i), ==, (gint64) i + 1);
  g_assert_cmpint (seen_count (f, "item"), ==, 0);
}

static void
store_post (VetterStore *store,
            gpointer     data)
{
  g_assert_true (vetter_store_outbox_add (store, VETTER_OUTBOX_MAIL, data, "{}", 0, 0, NULL));
}

/* Work posted without an answer announces its changes too, and a burst
 * of it reaches the main context in fewer signals than it had writes. */
static void
test_posts_are_announced_together (Fixture       *f,
                                   gconstpointer  data)
{
  for (int i = 0; i < 50; i++)
    vetter_database_post (f->database, store_post, g_strdup_printf ("mail:%d", i), g_free);
  vetter_database_barrier (f->database);
  test_spin (100);
  g_assert_cmpint (seen_count (f, "outbox"), ==, 50);
  g_assert_cmpuint (f->emissions, <, 50);
}

/* A posted transaction that fails among others, inside a run. */
static void
store_post_and_fail (VetterStore *store,
                     gpointer     data)
{
  g_assert_true (vetter_store_begin (store, NULL));
  g_assert_true (vetter_store_outbox_add (store, VETTER_OUTBOX_MAIL, data, "{}", 0, 0, NULL));
  vetter_store_rollback (store);
}

/* Commits in the write-ahead log so far: frames that end a transaction
 * carry the database's size after it. */
static guint
commits_in_log (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->dir, "door.db-wal", NULL);
  g_autofree guint8 *wal = NULL;
  gsize length = 0;
  guint commits = 0;
  guint32 page;

  if (!g_file_get_contents (path, (char **) &wal, &length, NULL) || length < 32)
    return 0;
  page = (guint32) wal[8] << 24 | (guint32) wal[9] << 16 | (guint32) wal[10] << 8 | wal[11];
  /* Frames of the log's current generation only (their salts are the
   * header's): a log begun again after a checkpoint leaves old ones. */
  for (gsize at = 32; at + 24 + page <= length && memcmp (wal + at + 8, wal + 16, 8) == 0; at += 24 + page)
    commits += (wal[at + 4] | wal[at + 5] | wal[at + 6] | wal[at + 7]) != 0;
  return commits;
}

static gint64
outbox_rows_on_disk (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->dir, "door.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'run:%'", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* Posted work is committed in runs: a burst of two hundred writes takes
 * far fewer commits; one that fails among them stands alone (the others
 * are kept); and once the barrier returns, another reader of the file
 * sees all of them. */
static void
test_posts_are_committed_in_runs (Fixture       *f,
                                  gconstpointer  data)
{
  guint before = commits_in_log (f), commits;

  for (int i = 0; i < 200; i++)
    {
      char *key = g_strdup_printf ("run:%d", i);

      if (i % 50 == 7)
        vetter_database_post (f->database, store_post_and_fail, key, g_free);
      else
        vetter_database_post (f->database, store_post, key, g_free);
    }
  vetter_database_barrier (f->database);
  g_assert_cmpint (outbox_rows_on_disk (f), ==, 196);
  commits = commits_in_log (f) - before;
  g_test_message ("200 posted writes, %u commits", commits);
  g_assert_cmpuint (commits, >=, 1);
  g_assert_cmpuint (commits, <, 50);
  /* The announcements reach the main context before the database goes. */
  test_spin (100);
  g_assert_cmpint (seen_count (f, "outbox"), >=, 196);
}

/* SQL built at run time is cached in a cache of bounded size, and a key
 * freed by its builder is never looked up again. */
static gpointer
store_dynamic (VetterStore  *store,
               gpointer      data,
               GError      **error)
{
  for (int i = 0; i < 200; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT %d + ?", i);
      sqlite3_stmt *stmt = vetter_store_prepare_dynamic (store, sql, error);

      g_assert_nonnull (stmt);
      sqlite3_bind_int (stmt, 1, 1);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, i + 1);
      sqlite3_reset (stmt);
    }
  g_assert_cmpuint (g_hash_table_size (store->dynamic), <=, 64);
  return GINT_TO_POINTER (1);
}

static void
test_dynamic_statements (Fixture       *f,
                         gconstpointer  data)
{
  g_assert_nonnull (test_run_in_database (f->database, store_dynamic, NULL));
}

/* The page cache a store opens with, or the one asked for before. */
static gpointer
store_cache_size (VetterStore  *store,
                  gpointer      data,
                  GError      **error)
{
  sqlite3_stmt *stmt = NULL;
  int kib = 0;

  g_assert_cmpint (sqlite3_prepare_v2 (store->db, "PRAGMA cache_size", -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    kib = -sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return GINT_TO_POINTER (kib);
}

/* The desktop's store keeps 64 MB of pages (the console's bulk actions);
 * a headless one (`vetter batch`, `vetter worker`) what it is given, so a
 * long batch does not grow by the cache. */
static void
test_cache_size (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "headless.db", NULL);
  g_autoptr(VetterDatabase) headless = vetter_database_new (path);
  gboolean open = FALSE;

  g_assert_cmpint (GPOINTER_TO_INT (test_run_in_database (f->database, store_cache_size, NULL)), ==, 65536);
  vetter_database_set_cache_size (headless, VETTER_DATABASE_HEADLESS_CACHE_KIB);
  vetter_database_open_async (headless, NULL, on_open, &open);
  test_wait_until (test_flag_set, &open);
  g_assert_cmpint (GPOINTER_TO_INT (test_run_in_database (headless, store_cache_size, NULL)), ==,
                   VETTER_DATABASE_HEADLESS_CACHE_KIB);
  vetter_database_close (headless);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/database/rows-changed", Fixture, NULL, fixture_set_up, test_rows_changed, fixture_tear_down);
  g_test_add ("/database/posts-are-announced-together", Fixture, NULL, fixture_set_up,
              test_posts_are_announced_together, fixture_tear_down);
  g_test_add ("/database/posts-are-committed-in-runs", Fixture, NULL, fixture_set_up, test_posts_are_committed_in_runs,
              fixture_tear_down);
  g_test_add ("/database/dynamic-statements", Fixture, NULL, fixture_set_up, test_dynamic_statements,
              fixture_tear_down);
  g_test_add ("/database/cache-size", Fixture, NULL, fixture_set_up, test_cache_size, fixture_tear_down);
  return g_test_run ();
}
