/* test-store.c: migrations, the queue's claims, recording and resume
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sys/mman.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "vetter-crash-mark.h"
#include "vetter-error.h"
#include "vetter-store-schema.h"
#include "vetter-store.h"
#include "vetter-test-util.h"
#include "vetter-whole-file.h"

typedef struct
{
  char        *dir;
  char        *path;
  VetterStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = test_tmpdir ();
  f->path = g_build_filename (f->dir, "sub", "vetter.db", NULL);
  f->store = vetter_store_open (f->path, &error);
  g_assert_no_error (error);
}

static int query_int (const char *path,
                      const char *sql);

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_finalize_object (f->store);
  /* Whatever the test did to items, each batch's counts by status (kept
   * by triggers) are what counting the items says. */
  if (g_file_test (f->path, G_FILE_TEST_EXISTS) &&
      query_int (f->path, "SELECT count(*) FROM sqlite_master WHERE name = 'batch_status'") == 1)
    g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM (SELECT batch_id, status, count(*) AS n FROM item"
                                         " GROUP BY batch_id, status EXCEPT SELECT batch_id, status, n FROM batch_status"
                                         " UNION ALL SELECT batch_id, status, n FROM batch_status WHERE n <> 0"
                                         " EXCEPT SELECT batch_id, status, count(*) FROM item GROUP BY batch_id, status)"),
                     ==, 0);
  test_remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static int
query_int (const char *path,
           const char *sql)
{
  sqlite3 *db;
  sqlite3_stmt *stmt;
  int value = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static VetterIntakeBatch *
products_batch (const char *csv)
{
  g_autoptr(GError) error = NULL;
  VetterIntakeBatch *batch = vetter_intake_parse_csv ("p.csv", csv, strlen (csv), &error);

  g_assert_no_error (error);
  batch->key = g_strdup (csv);
  batch->source = g_strdup ("/data/p.csv");
  batch->stem = g_strdup ("p");
  batch->base_dir = g_strdup ("/data");
  return batch;
}

static void
test_migrations (Fixture       *f,
                 gconstpointer  data)
{
  const char *tables[] = { "batch", "item", "image", "variant", "tag", "defect", "step", "staff", "audit_log", "outbox" };

  g_assert_cmpint (vetter_store_get_schema_version (f->store), ==, VETTER_STORE_SCHEMA_VERSION);
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '%s'", tables[i]);
      g_assert_cmpint (query_int (f->path, sql), ==, 1);
    }
  {
    sqlite3 *db;
    sqlite3_stmt *stmt;

    sqlite3_open_v2 (f->path, &db, SQLITE_OPEN_READONLY, NULL);
    sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
    sqlite3_finalize (stmt);
    sqlite3_close (db);
  }
  /* Indexes the queue, the review list and the console's counts depend on. */
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM sqlite_master WHERE name IN ('item_queue', 'item_created',"
                                       " 'item_batch', 'item_facets')"), ==, 4);

  /* Opening again is a no-op, not a second migration. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(VetterStore) again = NULL;

    g_clear_object (&f->store);
    again = vetter_store_open (f->path, &error);
    g_assert_no_error (error);
    g_assert_cmpint (vetter_store_get_schema_version (again), ==, VETTER_STORE_SCHEMA_VERSION);
    f->store = g_steal_pointer (&again);
  }
}

static void
test_newer_schema_refused (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "future.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterStore) store = NULL;
  sqlite3 *db;

  sqlite3_open (path, &db);
  sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL);
  sqlite3_close (db);
  store = vetter_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, VETTER_ERROR, VETTER_ERROR_STORE);
  g_assert_nonnull (strstr (error->message, "newer Vetter"));
  test_remove_tree (dir);
}

static void
test_failed_migration_rolls_back (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "clash.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterStore) store = NULL;
  sqlite3 *db;

  /* A table in the way makes the first migration fail half-way. */
  sqlite3_open (path, &db);
  sqlite3_exec (db, "CREATE TABLE staff (x)", NULL, NULL, NULL);
  sqlite3_close (db);
  store = vetter_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, VETTER_ERROR, VETTER_ERROR_STORE);
  g_assert_cmpint (query_int (path, "PRAGMA user_version"), ==, 0);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM sqlite_master WHERE name = 'batch'"), ==, 0);
  test_remove_tree (dir);
}

static void
test_one_process_at_a_time (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterStore) second = vetter_store_open (f->path, &error);

  g_assert_null (second);
  g_assert_error (error, VETTER_ERROR, VETTER_ERROR_STORE);
  g_assert_nonnull (strstr (error->message, "in use by another Vetter"));
}

static VetterImageResult *
fake_result (const VetterImageJob *job,
             guint64               phash,
             gboolean              ok,
             int                   error_code)
{
  VetterImageResult *result = g_new0 (VetterImageResult, 1);
  VetterStepRecord *step = g_new0 (VetterStepRecord, 1);

  result->image_id = job->image_id;
  result->position = job->position;
  result->ok = ok;
  result->variants = g_ptr_array_new_with_free_func (g_free);
  result->steps = g_ptr_array_new ();
  step->name = g_strdup ("fetch");
  step->ok = ok;
  step->duration = 1234;
  g_ptr_array_add (result->steps, step);
  g_ptr_array_set_free_func (result->steps, NULL);
  if (!ok)
    {
      result->error = g_strdup ("nope");
      result->error_code = error_code;
      return result;
    }
  result->width = 100;
  result->height = 80;
  result->sha256 = g_strdup ("00");
  result->analysis = g_new0 (VetterAnalysis, 1);
  result->analysis->phash = phash;
  result->analysis->colours = g_ptr_array_new ();
  result->analysis->defects = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_defect_free);
  return result;
}

static void
free_fake_result (VetterImageResult *result)
{
  for (guint i = 0; i < result->steps->len; i++)
    {
      VetterStepRecord *step = g_ptr_array_index (result->steps, i);
      g_free (step->name);
      g_free (step);
    }
  vetter_image_result_free (result);
}

static void
test_claim_record_and_resume (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(VetterIntakeBatch) batch =
    products_batch ("S. No.,Product Name,Input Image Urls\n"
                    "1,A,\"a1.jpg,a2.jpg\"\n"
                    "2,B,b1.jpg\n"
                    "3,C,\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) jobs = NULL;
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) free_fake_result);
  g_autoptr(VetterConfig) config = vetter_config_new ();
  VetterBatchCounts counts;
  VetterItemOutcome outcome;
  gint64 batch_id, item_id, claimed_batch;

  batch_id = vetter_store_add_batch (f->store, batch, "/out", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (batch_id, >, 0);
  g_assert_cmpint (vetter_store_find_batch (f->store, batch->key), ==, batch_id);

  /* The row with no URL failed at intake; two wait. */
  g_assert_true (vetter_store_batch_counts (f->store, batch_id, &counts, &error));
  g_assert_cmpint (counts.total, ==, 3);
  g_assert_cmpint (counts.queued, ==, 2);
  g_assert_cmpint (counts.failed, ==, 1);

  g_assert_true (vetter_store_claim_item (f->store, &item_id, &claimed_batch, &jobs, &error));
  g_assert_cmpint (claimed_batch, ==, batch_id);
  g_assert_cmpuint (jobs->len, ==, 2);
  g_assert_cmpstr (((VetterImageJob *) jobs->pdata[1])->location, ==, "/data/a2.jpg");
  g_assert_cmpstr (((VetterImageJob *) jobs->pdata[1])->output_dir, ==, "/out");

  /* A crash now: the claimed item goes back to the queue on restart. */
  g_assert_cmpuint (vetter_store_requeue_interrupted (f->store, &error), ==, 1);
  g_clear_pointer (&jobs, g_ptr_array_unref);
  g_assert_true (vetter_store_claim_item (f->store, &item_id, &claimed_batch, &jobs, &error));

  g_ptr_array_add (results, fake_result (jobs->pdata[0], 0x1111, TRUE, 0));
  g_ptr_array_add (results, fake_result (jobs->pdata[1], 0x2222, TRUE, 0));
  g_assert_true (vetter_store_record_item (f->store, item_id, results, config, &outcome, &error));
  g_assert_no_error (error);
  g_assert_cmpint (outcome.status, ==, VETTER_STATUS_NEEDS_REVIEW);
  g_assert_cmpint (outcome.batch_id, ==, batch_id);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM step"), ==, 2);

  /* Recording the same item again replaces, never duplicates. */
  g_assert_true (vetter_store_record_item (f->store, item_id, results, config, &outcome, &error));
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM step"), ==, 2);

  /* The second item's image is a near-duplicate of the first item's. */
  g_clear_pointer (&jobs, g_ptr_array_unref);
  g_ptr_array_set_size (results, 0);
  g_assert_true (vetter_store_claim_item (f->store, &item_id, &claimed_batch, &jobs, &error));
  g_ptr_array_add (results, fake_result (jobs->pdata[0], 0x1113, TRUE, 0));
  g_assert_true (vetter_store_record_item (f->store, item_id, results, config, &outcome, &error));
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM defect WHERE kind = 'duplicate' AND related_image_id = 1"), ==, 1);

  g_clear_pointer (&jobs, g_ptr_array_unref);
  g_assert_false (vetter_store_claim_item (f->store, &item_id, &claimed_batch, &jobs, &error));
  g_assert_no_error (error);
  g_assert_true (vetter_store_batch_counts (f->store, batch_id, &counts, &error));
  g_assert_cmpint (counts.needs_review, ==, 2);
  g_assert_cmpint (counts.queued + counts.processing, ==, 0);
}

static void
test_fetch_failure_fails_item (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(VetterIntakeBatch) batch = products_batch ("S. No.,Product Name,Input Image Urls\n1,A,\"a1.jpg,a2.jpg\"\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) jobs = NULL;
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) free_fake_result);
  g_autoptr(VetterConfig) config = vetter_config_new ();
  VetterItemOutcome outcome;
  gint64 batch_id, item_id, claimed;

  batch_id = vetter_store_add_batch (f->store, batch, "/out", NULL, &error);
  g_assert_true (vetter_store_claim_item (f->store, &item_id, &claimed, &jobs, &error));
  g_ptr_array_add (results, fake_result (jobs->pdata[0], 0x1, TRUE, 0));
  g_ptr_array_add (results, fake_result (jobs->pdata[1], 0, FALSE, VETTER_ERROR_FETCH));
  g_assert_true (vetter_store_record_item (f->store, item_id, results, config, &outcome, &error));
  g_assert_cmpint (outcome.status, ==, VETTER_STATUS_FAILED);
  g_assert_cmpstr (outcome.error, ==, "image 2: nope");
  g_free (outcome.error);

  /* Retry puts it back in the queue. */
  g_assert_cmpuint (vetter_store_retry_failed (f->store, batch_id, &error), ==, 1);
  g_clear_pointer (&jobs, g_ptr_array_unref);
  g_assert_true (vetter_store_claim_item (f->store, &item_id, &claimed, &jobs, &error));

  /* A decoding failure rejects instead. */
  g_ptr_array_set_size (results, 0);
  g_ptr_array_add (results, fake_result (jobs->pdata[0], 0x1, TRUE, 0));
  g_ptr_array_add (results, fake_result (jobs->pdata[1], 0, FALSE, VETTER_ERROR_DECODE));
  g_assert_true (vetter_store_record_item (f->store, item_id, results, config, &outcome, &error));
  g_assert_cmpint (outcome.status, ==, VETTER_STATUS_REJECTED);
}

static void
test_paused_batch_is_not_claimed (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(VetterIntakeBatch) batch = products_batch ("S. No.,Product Name,Input Image Urls\n1,A,a.jpg\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) jobs = NULL;
  gint64 batch_id, item_id, claimed;

  batch_id = vetter_store_add_batch (f->store, batch, "/out", NULL, &error);
  g_assert_true (vetter_store_set_batch_state (f->store, batch_id, VETTER_BATCH_PAUSED, &error));
  g_assert_cmpstr (vetter_batch_state_to_string (vetter_store_get_batch_state (f->store, batch_id)), ==, "paused");
  g_assert_false (vetter_store_claim_item (f->store, &item_id, &claimed, &jobs, &error));
  g_assert_true (vetter_store_set_batch_state (f->store, batch_id, VETTER_BATCH_RUNNING, &error));
  g_assert_true (vetter_store_claim_item (f->store, &item_id, &claimed, &jobs, &error));
}

static void
test_output_csv (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(VetterIntakeBatch) batch =
    products_batch ("S. No.,Product Name,Input Image Urls\n1,\"Shoe, red\",\"x/a1.jpg, x/a2.jpg\"\n2,B,b1.jpg\n");
  g_autoptr(GError) error = NULL;
  g_autofree char *out_dir = g_build_filename (f->dir, "out", NULL);
  g_autofree char *csv_path = NULL;
  g_autofree char *contents = NULL;
  gint64 batch_id;

  batch_id = vetter_store_add_batch (f->store, batch, out_dir, NULL, &error);
  g_assert_no_error (error);
  csv_path = vetter_store_write_output_csv (f->store, batch_id, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (csv_path, "/out/p-output.csv"));
  g_assert_true (g_file_get_contents (csv_path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==,
                   "S. No.,Product Name,Input Image Urls,Output Image Urls\r\n"
                   "1,\"Shoe, red\",\"x/a1.jpg, x/a2.jpg\",\r\n"
                   "2,B,b1.jpg,\r\n");
}

/* A database left by the first release: the rules' verdicts of its items
 * are carried into the columns that keep them beside a person's. */
static void
test_migration_keeps_auto_decisions (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "old.db", NULL);
  g_autoptr(VetterStore) store = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, vetter_store_migrations[0], NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "INSERT INTO batch (key, source, kind, created) VALUES ('k', 's', 'images', 1);"
                                 "INSERT INTO item (batch_id, row, status, reason, rule, auto, created, updated)"
                                 " VALUES (1, 1, 'approved', 'a car', 'approve-tags', 1, 1, 1);"
                                 "INSERT INTO item (batch_id, row, status, created, updated) VALUES (1, 2, 'queued', 1, 1);"
                                 "PRAGMA user_version = 1;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = vetter_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (vetter_store_get_schema_version (store), ==, VETTER_STORE_SCHEMA_VERSION);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM item WHERE auto_status = 'approved' AND auto_rule = 'approve-tags'"), ==, 1);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM item WHERE auto_status IS NULL"), ==, 1);
  /* 2 → 3: every earlier item gets its own id for the shared database. */
  g_assert_cmpint (query_int (path, "SELECT count(DISTINCT uid) FROM item WHERE length (uid) = 32"), ==, 2);
  g_clear_object (&store);
  test_remove_tree (dir);
}

static gint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (gint64) st.st_size : -1;
}

/* A checkpoint folds the write-ahead log into the database and empties
 * it; with a reader in the middle of a read it does what it can at once
 * instead of waiting out the busy timeout (seconds), and the log is
 * folded at the next one. */
static void
test_checkpoint (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(VetterIntakeBatch) batch = products_batch ("S. No.,Product Name,Input Image Urls\n1,Red car,a.jpg\n");
  g_autoptr(GError) error = NULL;
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  sqlite3 *reader;
  sqlite3_stmt *stmt;
  gint64 started;

  g_assert_cmpint (vetter_store_add_batch (f->store, batch, "/out", NULL, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (file_size (wal), >, 0);
  vetter_store_checkpoint (f->store);
  g_assert_cmpint (file_size (wal), ==, 0);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM item"), ==, 1);

  /* A reader holds its snapshot while more is written. */
  g_assert_cmpint (sqlite3_open_v2 (f->path, &reader, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (reader, "SELECT id FROM item", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_clear_pointer (&batch, vetter_intake_batch_free);
  batch = products_batch ("S. No.,Product Name,Input Image Urls\n1,Blue car,b.jpg\n");
  g_assert_cmpint (vetter_store_add_batch (f->store, batch, "/out", NULL, &error), >, 0);
  g_assert_cmpint (file_size (wal), >, 0);
  started = g_get_monotonic_time ();
  vetter_store_checkpoint (f->store);
  g_assert_cmpint (g_get_monotonic_time () - started, <, G_USEC_PER_SEC);
  g_assert_cmpint (file_size (wal), >, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (reader);

  vetter_store_checkpoint (f->store);
  g_assert_cmpint (file_size (wal), ==, 0);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM item"), ==, 2);
}

/* Names in @dir other than @except. */
static guint
count_entries (const char *dir,
               const char *except)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (listing && (name = g_dir_read_name (listing)))
    n += g_strcmp0 (name, except) != 0;
  return n;
}

/* A whole file is under its name only once complete, readable by all;
 * until then it is beside it, and an abandoned one leaves nothing. */
static void
test_whole_file (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "out.csv", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  VetterWholeFile *file;
  GStatBuf st;

  file = vetter_whole_file_open (path, &error);
  g_assert_no_error (error);
  fputs ("a,b\n", vetter_whole_file_get_stream (file));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_entries (dir, NULL), ==, 1);
  g_assert_true (vetter_whole_file_commit (file, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "a,b\n");
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0644);
  g_assert_cmpuint (count_entries (dir, "out.csv"), ==, 0);

  /* Abandoned: the one under the name stays as it was. */
  file = vetter_whole_file_open (path, &error);
  fputs ("half", vetter_whole_file_get_stream (file));
  vetter_whole_file_abort (file);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "a,b\n");
  g_assert_cmpuint (count_entries (dir, "out.csv"), ==, 0);

  /* The name taken by a folder: the rename fails, nothing is left. */
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  {
    g_autofree char *inside = g_build_filename (path, "inside", NULL);

    g_assert_cmpint (g_mkdir (inside, 0700), ==, 0);
  }
  file = vetter_whole_file_open (path, &error);
  g_assert_no_error (error);
  g_assert_false (vetter_whole_file_commit (file, FALSE, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR);
  g_assert_true (strstr (error->message, path) != NULL);
  g_assert_cmpuint (count_entries (dir, "out.csv"), ==, 0);
  g_clear_error (&error);

  /* No folder to write beside in. */
  g_clear_pointer (&path, g_free);
  path = g_build_filename (dir, "missing", "out.csv", NULL);
  g_assert_null (vetter_whole_file_open (path, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  test_remove_tree (dir);
}

/* Three rows: one with a blurry image, one clean, one whose fetch fails. */
static gint64
add_reviewable_batch (Fixture *f)
{
  g_autoptr(VetterIntakeBatch) batch =
    products_batch ("S. No.,Product Name,Input Image Urls\n"
                    "1,Red car,a.jpg\n"
                    "2,Blue car,b.jpg\n"
                    "3,Lost car,c.jpg\n");
  g_autoptr(VetterConfig) config = vetter_config_new ();
  g_autoptr(GError) error = NULL;
  gint64 batch_id;

  batch_id = vetter_store_add_batch (f->store, batch, "/out", NULL, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 3; i++)
    {
      g_autoptr(GPtrArray) jobs = NULL;
      g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) free_fake_result);
      VetterImageResult *result;
      VetterItemOutcome outcome;
      gint64 item_id, claimed;

      g_assert_true (vetter_store_claim_item (f->store, &item_id, &claimed, &jobs, &error));
      result = fake_result (jobs->pdata[0], i == 0 ? 0x5555555555555555 : 0xAAAAAAAAAAAAAAAA, i != 2, VETTER_ERROR_FETCH);
      if (i == 0)
        {
          VetterRect box = { 10, 20, 30, 40 };
          g_ptr_array_add (result->analysis->defects,
                           vetter_defect_new ("blurry", VETTER_SEVERITY_HIGH, 90, &box, "soft"));
        }
      g_ptr_array_add (results, result);
      g_assert_true (vetter_store_record_item (f->store, item_id, results, config, &outcome, &error));
      g_assert_no_error (error);
      g_free (outcome.error);
    }
  return batch_id;
}

static const char *
change_after (const VetterHistoryEntry *entry,
              const char               *field)
{
  const VetterFieldChange *change = vetter_history_entry_change (entry, field);

  return change ? change->after : NULL;
}

/* Audit rows written before one format was kept for every writer: another
 * desktop's decision as {field: value}, a conflict as {theirs, by}. After
 * the upgrade every row is {field: [before, after]}, and the history reads
 * them alike. */
static void
test_migration_rewrites_audit (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "old.db", NULL);
  g_autoptr(VetterStore) store = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GError) error = NULL;
  const VetterHistoryEntry *entry;
  const VetterFieldChange *change;
  sqlite3 *db;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  for (int v = 0; v < 3; v++)
    g_assert_cmpint (sqlite3_exec (db, vetter_store_migrations[v], NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "INSERT INTO batch (key, source, kind, created) VALUES ('k', 's', 'images', 1);"
                                 "INSERT INTO item (batch_id, row, status, created, updated) VALUES (1, 1, 'approved', 1, 1);"
                                 "INSERT INTO audit_log (actor, time, object_type, object_id, action, changes) VALUES"
                                 " ('mia', 1, 'item', 1, 'decide', '{\"status\":[\"needs_review\",\"rejected\"]}'),"
                                 " ('ben', 2, 'item', 1, 'remote', '{\"status\":\"approved\",\"reason_code\":\"x\"}'),"
                                 " ('vetter', 3, 'item', 1, 'conflict', '{\"theirs\":\"rejected\",\"by\":\"ben\"}'),"
                                 " ('mia', 4, 'item', 1, 'keep-mine', NULL);"
                                 "PRAGMA user_version = 3;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = vetter_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM audit_log, json_each (audit_log.changes)"
                                    " WHERE json_each.type <> 'array'"), ==, 0);
  history = vetter_store_history (store, "item", 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 4);

  entry = history->pdata[0];
  change = vetter_history_entry_change (entry, "status");
  g_assert_cmpstr (change->before, ==, "needs_review");
  g_assert_cmpstr (change->after, ==, "rejected");

  entry = history->pdata[1];
  g_assert_cmpstr (entry->actor, ==, "ben");
  change = vetter_history_entry_change (entry, "status");
  g_assert_null (change->before);
  g_assert_cmpstr (change->after, ==, "approved");
  g_assert_cmpstr (change_after (entry, "reason_code"), ==, "x");

  entry = history->pdata[2];
  g_assert_cmpstr (change_after (entry, "conflict.status"), ==, "rejected");
  g_assert_cmpstr (change_after (entry, "conflict.decided_by"), ==, "ben");

  entry = history->pdata[3];
  g_assert_cmpuint (entry->changes->len, ==, 0);
  g_clear_object (&store);
  test_remove_tree (dir);
}

/* Ads made before the search index existed are found by it once the store
 * is opened (schema 6), by title and by an image's source; a title changed
 * later is found by its new words only. The facets' index follows (7). */
static void
test_migration_indexes_search (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "old.db", NULL);
  g_autoptr(VetterStore) store = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  for (int v = 0; v < 5; v++)
    g_assert_cmpint (sqlite3_exec (db, vetter_store_migrations[v], NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "INSERT INTO batch (key, source, kind, created) VALUES ('k', 's', 'ads', 1);"
                                 "INSERT INTO item (batch_id, row, title, status, created, updated, uid)"
                                 " VALUES (1, 1, 'Vintage Corolla', 'approved', 1, 1, 'a');"
                                 "INSERT INTO image (item_id, position, source, location)"
                                 " VALUES (1, 1, 'https://cdn.example.com/x/corolla-front.jpg', '/tmp/1.jpg');"
                                 "PRAGMA user_version = 5;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = vetter_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM item_search WHERE item_search MATCH '\"tage cor\"'"), ==, 1);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM item_search WHERE item_search MATCH '\"a-fro\"'"), ==, 1);
  {
    sqlite3 *writer;

    g_assert_cmpint (sqlite3_open (path, &writer), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (writer, "UPDATE item SET title = 'Blue van' WHERE id = 1", NULL, NULL, NULL), ==,
                     SQLITE_OK);
    sqlite3_close (writer);
  }
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM item_search WHERE item_search MATCH '\"tage cor\"'"), ==, 0);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM item_search WHERE item_search MATCH '\"ue va\"'"), ==, 1);
  /* Schema 7: the facets' index in place of the rules facet's. */
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM sqlite_master WHERE name = 'item_facets'"), ==, 1);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM sqlite_master WHERE name = 'item_status_rules'"), ==, 0);
  g_clear_object (&store);
  test_remove_tree (dir);
}

/* Another desktop's decision taken in from the shared database is audited
 * as any decision is: under its author, field by field, before and after. */
static void
test_remote_decision_history (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterItemDetail) item = NULL;
  g_autoptr(JsonArray) results = json_array_new ();
  g_autoptr(GArray) batches = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *change_json = NULL;
  const VetterHistoryEntry *entry;
  const VetterFieldChange *change;

  add_reviewable_batch (f);
  item = vetter_store_item_detail (f->store, 1, &error);
  change_json = g_strdup_printf ("{\"id\":\"decision:%s\",\"doc\":{\"_id\":\"decision:%s\",\"_rev\":\"1-a\","
                                 "\"type\":\"decision\",\"ad\":\"%s\",\"status\":\"rejected\","
                                 "\"reason_code\":\"duplicate\",\"note\":\"seen it\",\"decided_by\":\"ben\","
                                 "\"decided_at\":5,\"auto\":false,\"desktop\":\"elsewhere\"}}",
                                 item->uid, item->uid, item->uid);
  node = json_from_string (change_json, &error);
  g_assert_no_error (error);
  json_array_add_element (results, g_steal_pointer (&node));
  g_assert_true (vetter_store_couch_take_changes (f->store, results, "1", batches, &error));
  g_assert_no_error (error);
  g_clear_pointer (&item, vetter_item_detail_unref);

  item = vetter_store_item_detail (f->store, 1, &error);
  g_assert_cmpstr (vetter_status_to_string (item->status), ==, "rejected");
  g_assert_cmpuint (item->history->len, ==, 1);
  entry = g_ptr_array_index (item->history, 0);
  g_assert_cmpstr (entry->actor, ==, "ben");
  g_assert_cmpstr (entry->action, ==, "remote");
  change = vetter_history_entry_change (entry, "status");
  g_assert_cmpstr (change->before, ==, "needs_review");
  g_assert_cmpstr (change->after, ==, "rejected");
  g_assert_cmpstr (change_after (entry, "reason_code"), ==, "duplicate");
  g_assert_cmpstr (change_after (entry, "note"), ==, "seen it");
  g_assert_cmpstr (change_after (entry, "decided_by"), ==, "ben");
}

static void
test_review_queue_filters (Fixture       *f,
                           gconstpointer  data)
{
  gint64 batch_id = add_reviewable_batch (f);
  g_autoptr(VetterReviewFilter) filter = vetter_review_filter_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) kinds = NULL;

  ids = vetter_store_review_queue (f->store, filter, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 2);
  g_assert_cmpint (g_array_index (ids, gint64, 0), <, g_array_index (ids, gint64, 1));
  g_clear_pointer (&ids, g_array_unref);

  filter->defect_kind = g_strdup ("blurry");
  ids = vetter_store_review_queue (f->store, filter, &error);
  g_assert_cmpuint (ids->len, ==, 1);
  g_clear_pointer (&ids, g_array_unref);

  filter->batch_id = batch_id + 1;
  ids = vetter_store_review_queue (f->store, filter, &error);
  g_assert_cmpuint (ids->len, ==, 0);
  g_clear_pointer (&ids, g_array_unref);

  g_clear_pointer (&filter->defect_kind, g_free);
  filter->batch_id = batch_id;
  filter->has_auto_status = TRUE;
  filter->auto_status = VETTER_STATUS_APPROVED;
  ids = vetter_store_review_queue (f->store, filter, &error);
  g_assert_cmpuint (ids->len, ==, 0);
  g_clear_pointer (&ids, g_array_unref);

  kinds = vetter_store_defect_kinds (f->store, &error);
  g_assert_cmpuint (kinds->len, ==, 1);
  g_assert_cmpstr (kinds->pdata[0], ==, "blurry");
}

static void
test_item_detail (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterItemDetail) item = NULL;
  VetterImageInfo *image;
  VetterDefectInfo *defect;
  VetterField *field;

  add_reviewable_batch (f);
  item = vetter_store_item_detail (f->store, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (item->title, ==, "Red car");
  g_assert_cmpstr (vetter_status_to_string (item->status), ==, "needs_review");
  g_assert_cmpstr (item->batch_source, ==, "/data/p.csv");
  g_assert_cmpuint (item->fields->len, ==, 3);
  field = g_ptr_array_index (item->fields, 1);
  g_assert_cmpstr (field->name, ==, "Product Name");
  g_assert_cmpstr (field->value, ==, "Red car");
  g_assert_cmpstr (vetter_status_to_string (item->auto_decision->status), ==, "needs_review");
  g_assert_nonnull (item->auto_decision->rule);

  image = g_ptr_array_index (item->images, 0);
  g_assert_cmpint (image->id, ==, 1);
  g_assert_cmpuint (image->steps->len, ==, 1);
  defect = g_ptr_array_index (image->defects, 0);
  g_assert_cmpstr (defect->kind, ==, "blurry");
  g_assert_cmpstr (defect->message, ==, "soft");
  g_assert_true (defect->has_box);
  g_assert_cmpint (defect->width, ==, 30);
  g_assert_cmpuint (item->history->len, ==, 0);

  g_assert_null (vetter_store_item_detail (f->store, 999, &error));
  g_assert_error (error, VETTER_ERROR, VETTER_ERROR_STORE);
}

static void
test_decide_and_undo (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterItemDecision) reject = vetter_item_decision_new_manual (VETTER_STATUS_REJECTED, "poor_quality", "too soft",
                                                                                       "mia");
  g_autoptr(VetterItemDecision) previous = NULL;
  g_autoptr(VetterItemDecision) undone = NULL;
  g_autoptr(VetterReviewFilter) filter = vetter_review_filter_new ();
  g_autoptr(GArray) ids = NULL;
  g_autoptr(VetterItemDetail) item = NULL;
  gint64 batch_id = 0;

  add_reviewable_batch (f);
  g_assert_true (vetter_store_decide (f->store, 1, reject, "decide", "mia", NULL, &previous, &batch_id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (batch_id, ==, 1);
  g_assert_cmpstr (vetter_status_to_string (previous->status), ==, "needs_review");
  g_assert_true (previous->is_auto);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM item WHERE id = 1 AND status = 'rejected'"
                                       " AND reason_code = 'poor_quality' AND note = 'too soft' AND decided_by = 'mia'"
                                       " AND auto = 0 AND rule = 'manual' AND auto_status = 'needs_review'"), ==, 1);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM audit_log WHERE actor = 'mia' AND action = 'decide'"
                                       " AND object_type = 'item' AND object_id = 1"
                                       " AND json_extract (changes, '$.status[1]') = 'rejected'"), ==, 1);

  ids = vetter_store_review_queue (f->store, filter, &error);
  g_assert_cmpuint (ids->len, ==, 1);

  /* Undo is the same operation, back to what was there, and logged. */
  g_assert_true (vetter_store_decide (f->store, 1, previous, "undo", "mia", NULL, &undone, NULL, &error));
  g_assert_cmpstr (vetter_status_to_string (undone->status), ==, "rejected");
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM item WHERE id = 1 AND status = 'needs_review'"
                                       " AND reason_code IS NULL AND note IS NULL AND auto = 1"), ==, 1);
  item = vetter_store_item_detail (f->store, 1, &error);
  g_assert_cmpuint (item->history->len, ==, 2);
  g_assert_cmpstr (((VetterHistoryEntry *) g_ptr_array_index (item->history, 1))->action, ==, "undo");

  /* A failed item has nothing to decide on: refused, nothing logged. */
  g_assert_false (vetter_store_decide (f->store, 3, reject, "decide", "mia", NULL, NULL, NULL, &error));
  g_assert_error (error, VETTER_ERROR, VETTER_ERROR_STORE);
  g_assert_nonnull (strstr (error->message, "retry it first"));
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM audit_log"), ==, 2);
}

static void
test_list_items (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = NULL;
  gint64 batch_id = add_reviewable_batch (f);
  VetterItemRow *row;

  page = vetter_store_list_items (f->store, batch_id, 1, 5, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 2);
  row = page->pdata[0];
  g_assert_cmpint (row->row, ==, 2);
  g_assert_cmpstr (row->title, ==, "Blue car");
  g_assert_cmpstr (vetter_status_to_string (row->status), ==, "needs_review");
  row = page->pdata[1];
  g_assert_cmpstr (vetter_status_to_string (row->status), ==, "failed");
  g_assert_cmpstr (row->error, ==, "image 1: nope");
}

/* A row written anew while its old version was being sent (a decision
 * changed, then undone) keeps the new version due: the old attempt's
 * answer does not mark it done. */
static void
test_outbox_stale_report (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) taken = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GPtrArray) left = NULL;
  VetterOutboxRow *old, *current;
  VetterOutboxCounts counts;

  g_assert_true (vetter_store_outbox_add (f->store, VETTER_OUTBOX_COUCH, "couch:decision:x", "{\"v\":1}", 0, 0, &error));
  taken = vetter_store_outbox_due (f->store, G_MAXINT64, 10, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (taken->len, ==, 1);
  old = taken->pdata[0];

  g_assert_true (vetter_store_outbox_add (f->store, VETTER_OUTBOX_COUCH, "couch:decision:x", "{\"v\":2}", 0, 0, &error));
  g_assert_true (vetter_store_outbox_report (f->store, old->id, old->updated, VETTER_OUTBOX_DONE, 0, NULL, &error));
  g_assert_no_error (error);

  again = vetter_store_outbox_due (f->store, G_MAXINT64, 10, NULL, NULL, &error);
  g_assert_cmpuint (again->len, ==, 1);
  current = again->pdata[0];
  g_assert_cmpstr (current->payload, ==, "{\"v\":2}");
  g_assert_cmpint (current->updated, >, old->updated);

  /* The new version's own answer counts. */
  g_assert_true (vetter_store_outbox_report (f->store, current->id, current->updated, VETTER_OUTBOX_DONE, 0, NULL, &error));
  g_assert_true (vetter_store_outbox_counts (f->store, &counts, &error));
  g_assert_cmpint (counts.pending, ==, 0);
  g_assert_cmpint (counts.done, ==, 1);
  left = vetter_store_outbox_due (f->store, G_MAXINT64, 10, NULL, NULL, &error);
  g_assert_cmpuint (left->len, ==, 0);
}

/* The lock is the file's, not its name's: through a symbolic link the
 * second opener is told at once that the database is in use; a database
 * with a second name (a hard link) is refused, since each name would keep
 * a journal of its own. */
static void
test_one_process_whatever_the_name (Fixture       *f,
                                    gconstpointer  data)
{
  g_autofree char *symbolic = g_build_filename (f->dir, "linked.db", NULL);
  g_autofree char *hard = g_build_filename (f->dir, "second-name.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterStore) through_link = NULL;
  g_autoptr(VetterStore) through_hard_link = NULL;

  g_assert_cmpint (symlink (f->path, symbolic), ==, 0);
  through_link = vetter_store_open (symbolic, &error);
  g_assert_null (through_link);
  g_assert_nonnull (strstr (error->message, "in use by another Vetter"));
  g_clear_error (&error);

  g_clear_object (&f->store);
  g_assert_cmpint (link (f->path, hard), ==, 0);
  through_hard_link = vetter_store_open (hard, &error);
  g_assert_null (through_hard_link);
  g_assert_nonnull (strstr (error->message, "hard links"));
  g_clear_error (&error);
  /* Nor by its first name, while the second exists. */
  f->store = vetter_store_open (f->path, &error);
  g_assert_null (f->store);
  g_assert_nonnull (strstr (error->message, "hard links"));
  g_clear_error (&error);
  /* One name again: it opens. */
  g_assert_cmpint (unlink (hard), ==, 0);
  f->store = vetter_store_open (f->path, &error);
  g_assert_no_error (error);
}

static guint
pending_rows (VetterStore *store)
{
  g_autoptr(GError) error = NULL;
  VetterOutboxCounts counts;

  g_assert_true (vetter_store_outbox_counts (store, &counts, &error));
  return (guint) counts.pending;
}

static void
send_all (VetterStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) due = vetter_store_outbox_due (store, G_MAXINT64, 100, NULL, NULL, &error);

  for (guint i = 0; i < due->len; i++)
    {
      const VetterOutboxRow *row = g_ptr_array_index (due, i);

      g_assert_true (vetter_store_outbox_report (store, row->id, row->updated, VETTER_OUTBOX_DONE, 0, NULL, &error));
    }
}

/* What the outbox recorded as done is not sent again when the same effect
 * is made again (a rerun, an item done over): a mail never, a callback
 * only if what it says has changed (a corrected address). A document's
 * payload only names it (what it says is read when it is sent), so it
 * always goes again: a conflict settled by keeping ours writes it anew. */
static void
test_outbox_done_stays_done (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vetter_store_outbox_add (f->store, VETTER_OUTBOX_MAIL, "mail:7:100", "{\"to\":\"a@b.co\"}", 0, 0,
                                          &error));
  g_assert_true (vetter_store_outbox_add (f->store, VETTER_OUTBOX_WEBHOOK, "webhook:3", "{\"url\":\"http://old\"}",
                                          0, 0, &error));
  send_all (f->store);
  g_assert_cmpuint (pending_rows (f->store), ==, 0);

  /* The same again: nothing to send. */
  g_assert_true (vetter_store_outbox_add (f->store, VETTER_OUTBOX_MAIL, "mail:7:100", "{\"to\":\"a@b.co\"}", 0, 0,
                                          &error));
  g_assert_true (vetter_store_outbox_add (f->store, VETTER_OUTBOX_WEBHOOK, "webhook:3", "{\"url\":\"http://old\"}",
                                          0, 0, &error));
  g_assert_cmpuint (pending_rows (f->store), ==, 0);
  /* A mail made anew, even with other words, is still the one sent. */
  g_assert_true (vetter_store_outbox_add (f->store, VETTER_OUTBOX_MAIL, "mail:7:100", "{\"to\":\"c@d.co\"}", 0, 0,
                                          &error));
  g_assert_cmpuint (pending_rows (f->store), ==, 0);
  /* A callback to a corrected address goes there. */
  g_assert_true (vetter_store_outbox_add (f->store, VETTER_OUTBOX_WEBHOOK, "webhook:3", "{\"url\":\"http://new\"}",
                                          0, 0, &error));
  g_assert_cmpuint (pending_rows (f->store), ==, 1);
  send_all (f->store);

  g_assert_true (vetter_store_outbox_add (f->store, VETTER_OUTBOX_COUCH, "couch:decision:a1", "{\"doc\":\"decision:a1\"}",
                                          0, 0, &error));
  send_all (f->store);
  g_assert_true (vetter_store_outbox_add (f->store, VETTER_OUTBOX_COUCH, "couch:decision:a1", "{\"doc\":\"decision:a1\"}",
                                          0, 0, &error));
  g_assert_cmpuint (pending_rows (f->store), ==, 1);
}

/* The store closed and opened again, as after a run that ended without
 * putting its work back: stopped from outside, or crashed (its crash mark
 * written, as the signal handler does). */
static void
reopen_after (Fixture  *f,
              gboolean  crashed,
              gint64    in_worker)
{
  g_autofree char *mark = g_strconcat (f->path, "-crashed", NULL);
  g_autofree char *text = g_strdup_printf ("crashed\nitem %" G_GINT64_FORMAT "\n", in_worker);
  g_autoptr(GError) error = NULL;

  g_assert_finalize_object (f->store);
  g_assert_false (g_file_test (mark, G_FILE_TEST_EXISTS));
  if (crashed)
    g_assert_true (g_file_set_contents (mark, text, -1, NULL));
  f->store = vetter_store_open (f->path, &error);
  g_assert_no_error (error);
}

/* An item a worker had begun when Vetter was stopped from outside is taken
 * again first, as if nothing happened. One it had begun when Vetter
 * crashed is taken after every other one; crashing on it a second time
 * sets it aside, failed, saying why. */
static void
test_suspect_taken_last (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(VetterIntakeBatch) batch = products_batch ("S. No.,Product Name,Input Image Urls\n"
                                                       "1,A,a.jpg\n2,B,b.jpg\n3,C,c.jpg\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) jobs = NULL;
  gint64 first, item_id, batch_id;

  g_assert_cmpint (vetter_store_add_batch (f->store, batch, "/out", NULL, &error), >, 0);
  g_assert_true (vetter_store_claim_item (f->store, &first, &batch_id, &jobs, &error));

  /* Killed from outside, twice: no suspicion. */
  for (guint kill = 0; kill < 2; kill++)
    {
      reopen_after (f, FALSE, 0);
      g_assert_cmpuint (vetter_store_requeue_interrupted (f->store, &error), ==, 1);
      g_clear_pointer (&jobs, g_ptr_array_unref);
      g_assert_true (vetter_store_claim_item (f->store, &item_id, &batch_id, &jobs, &error));
      g_assert_cmpint (item_id, ==, first);
    }

  /* A crash with the item in a worker (the other taken items were not):
   * the others first. */
  {
    gint64 second;

    g_clear_pointer (&jobs, g_ptr_array_unref);
    g_assert_true (vetter_store_claim_item (f->store, &second, &batch_id, &jobs, &error));
    g_assert_cmpint (second, !=, first);
  }
  reopen_after (f, TRUE, first);
  g_assert_cmpuint (vetter_store_requeue_interrupted (f->store, &error), ==, 2);
  for (guint i = 0; i < 3; i++)
    {
      g_clear_pointer (&jobs, g_ptr_array_unref);
      g_assert_true (vetter_store_claim_item (f->store, &item_id, &batch_id, &jobs, &error));
      if (i < 2)
        g_assert_cmpint (item_id, !=, first);
      else
        g_assert_cmpint (item_id, ==, first);
    }
  reopen_after (f, TRUE, first);
  vetter_store_requeue_interrupted (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM item WHERE id = 1 AND status = 'failed'"
                              " AND error = 'processing this image crashed Vetter twice; it is set aside'"), ==, 1);
}

/* A genuine fault (not a signal sent from outside) leaves the crash mark
 * beside the database, and the process still dies of it; a clean end
 * removes the mark. */
static void
test_crash_mark (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "vetter.db", NULL);
  g_autofree char *mark_path = g_strconcat (db, "-crashed", NULL);
  g_autofree char *text = NULL;
  gboolean crashed = TRUE;

  if (g_test_subprocess ())
    {
      /* A page that may only be read: writing it faults, as a bad pointer
       * in a decoder would (and no sanitizer objects before it does). */
      volatile char *page = mmap (NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      VetterCrashMark *mark = vetter_crash_mark_arm (g_getenv ("VETTER_TEST_CRASH_DB"), &crashed, NULL);

      g_assert_nonnull (mark);
      g_assert_true (page != MAP_FAILED);
      vetter_crash_mark_enter_worker (7);
      vetter_crash_mark_leave_worker (vetter_crash_mark_enter_worker (99));
      vetter_crash_mark_enter_worker (G_GINT64_CONSTANT (12345678901));
      page[0] = 1;
      return;
    }
  {
    VetterCrashMark *mark = vetter_crash_mark_arm (db, &crashed, NULL);

    g_assert_false (crashed);
    vetter_crash_mark_disarm (mark);
    g_assert_false (g_file_test (mark_path, G_FILE_TEST_EXISTS));
  }
  g_setenv ("VETTER_TEST_CRASH_DB", db, TRUE);
  /* As a build without AddressSanitizer: the fault comes to Vetter's
   * handler first (with it, the sanitizer's own handler takes faults). */
  g_setenv ("ASAN_OPTIONS", "handle_segv=0:allow_user_segv_handler=1:detect_leaks=0", TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_assert_true (g_file_get_contents (mark_path, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "crashed"));
  {
    g_autoptr(GArray) items = NULL;
    VetterCrashMark *mark = vetter_crash_mark_arm (db, &crashed, &items);

    g_assert_true (crashed);
    /* The items the workers held, by their ids. */
    g_assert_cmpuint (items->len, ==, 2);
    g_assert_cmpint (g_array_index (items, gint64, 0), ==, 7);
    g_assert_cmpint (g_array_index (items, gint64, 1), ==, G_GINT64_CONSTANT (12345678901));
    vetter_crash_mark_disarm (mark);
  }
  test_remove_tree (dir);
}

/* A store closed cleanly says so at its next opening; one whose process
 * never closed it (its crash mark left behind) says it was stopped
 * uncleanly, which is when the output folders are swept. */
static void
test_stopped_uncleanly (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "vetter.db", NULL);
  g_autofree char *mark = g_strconcat (path, "-crashed", NULL);
  g_autoptr(GError) error = NULL;
  VetterStore *store;

  store = vetter_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_false (vetter_store_stopped_uncleanly (store));
  g_assert_true (g_file_test (mark, G_FILE_TEST_EXISTS));
  g_assert_finalize_object (store);
  g_assert_false (g_file_test (mark, G_FILE_TEST_EXISTS));

  store = vetter_store_open (path, &error);
  g_assert_false (vetter_store_stopped_uncleanly (store));
  g_assert_finalize_object (store);

  /* What a process killed with the store open leaves: its armed mark. */
  g_assert_true (g_file_set_contents (mark, "", 0, NULL));
  store = vetter_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (vetter_store_stopped_uncleanly (store));
  g_assert_finalize_object (store);
  test_remove_tree (dir);
}

/* A run killed while an output CSV was written leaves its temporary copy;
 * the next start removes it, and nothing else. */
static void
test_leftovers_cleaned (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(VetterIntakeBatch) batch = products_batch ("S. No.,Product Name,Input Image Urls\n1,A,a.jpg\n");
  g_autofree char *out = g_build_filename (f->dir, "out", NULL);
  const char *stale[] = { "shoes-output.csv.Zx81Qa", "summary.json.K2p0Lm" };
  const char *kept[] = { "shoes-output.csv", "notes.txt", "photo.jpg.readme" };
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (out, 0700), ==, 0);
  g_assert_cmpint (vetter_store_add_batch (f->store, batch, out, NULL, &error), >, 0);
  for (guint i = 0; i < G_N_ELEMENTS (stale); i++)
    {
      g_autofree char *path = g_build_filename (out, stale[i], NULL);
      g_assert_true (g_file_set_contents (path, "half", -1, NULL));
    }
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    {
      g_autofree char *path = g_build_filename (out, kept[i], NULL);
      g_assert_true (g_file_set_contents (path, "whole", -1, NULL));
    }

  g_assert_cmpuint (vetter_store_clean_leftovers (f->store), ==, 2);
  for (guint i = 0; i < G_N_ELEMENTS (stale); i++)
    {
      g_autofree char *path = g_build_filename (out, stale[i], NULL);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    }
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    {
      g_autofree char *path = g_build_filename (out, kept[i], NULL);
      g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
    }
}

/* Without a shared database the desktop's staff tells its people apart:
 * the first to open it is its admin, the next a moderator; an admin makes
 * another admin and takes a moderator off the staff (who may then only
 * look); the last admin cannot be taken away; a name already there is
 * refused; each change audited with its diff. */
static void
test_staff_roles (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 cleo, ana_id;

  g_assert_cmpint (vetter_store_staff_sign_in (f->store, "ana", &error), ==, VETTER_ROLE_ADMIN);
  g_assert_cmpint (vetter_store_staff_sign_in (f->store, "ben", &error), ==, VETTER_ROLE_MODERATOR);
  g_assert_cmpint (vetter_store_staff_sign_in (f->store, "ana", &error), ==, VETTER_ROLE_ADMIN);
  g_assert_no_error (error);

  cleo = vetter_store_staff_add (f->store, "  cleo ", "moderator", "ana", &error);
  g_assert_no_error (error);
  g_assert_cmpint (cleo, >, 0);
  g_assert_cmpint (vetter_store_staff_add (f->store, "cleo", "admin", "ana", &error), ==, 0);
  g_assert_nonnull (strstr (error->message, "cleo is on the staff already"));
  g_clear_error (&error);
  g_assert_cmpint (vetter_store_staff_add (f->store, "dee", "owner", "ana", &error), ==, 0);
  g_assert_nonnull (strstr (error->message, "admin, moderator or viewer"));
  g_clear_error (&error);

  g_assert_true (vetter_store_staff_change (f->store, cleo, "admin", -1, "ana", &error));
  g_assert_no_error (error);
  g_assert_cmpint (vetter_store_staff_sign_in (f->store, "cleo", &error), ==, VETTER_ROLE_ADMIN);
  g_assert_true (vetter_store_staff_change (f->store, cleo, NULL, 0, "ana", &error));
  g_assert_cmpint (vetter_store_staff_sign_in (f->store, "cleo", &error), ==, VETTER_ROLE_VIEWER);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM audit_log WHERE object_type = 'staff' AND actor = 'ana'"
                                       " AND changes = '{\"active\":[\"true\",\"false\"]}'"), ==, 1);

  /* Ana is the one active admin left: she cannot be made a moderator. */
  ana_id = query_int (f->path, "SELECT id FROM staff WHERE username = 'ana'");
  g_assert_false (vetter_store_staff_change (f->store, ana_id, "moderator", -1, "ana", &error));
  g_assert_nonnull (strstr (error->message, "no active admin left"));
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM staff WHERE username = 'ana' AND role = 'admin'"), ==, 1);
  /* A viewer looks, here too. */
  g_assert_true (vetter_store_staff_change (f->store, cleo, "viewer", 1, "ana", &error));
  g_assert_cmpint (vetter_store_staff_sign_in (f->store, "cleo", &error), ==, VETTER_ROLE_VIEWER);
}

static VetterStaffAccount *
account (const char *name,
         const char *role,
         gboolean    active)
{
  return vetter_staff_account_new (name, role, active);
}

/* With a shared database the staff mirrors its accounts beside the
 * desktop's own (the same name may be both): replaced whole as listed,
 * not audited; a change an admin makes is audited with its diff, and the
 * desktop's own sign-in never reads a shared row. */
static void
test_staff_shared (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) listed = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_staff_account_free);
  g_autoptr(VetterStaffAccount) before = account ("vic", "viewer", TRUE);
  g_autoptr(VetterStaffAccount) after = account ("vic", "moderator", FALSE);
  g_autoptr(VetterStaffAccount) added = account ("eve", "worker", TRUE);
  g_autoptr(VetterStaffAccount) got = NULL;
  gboolean shared = FALSE;

  g_assert_cmpint (vetter_store_staff_sign_in (f->store, "ana", &error), ==, VETTER_ROLE_ADMIN);
  g_ptr_array_add (listed, account ("ana", "moderator", TRUE));
  g_ptr_array_add (listed, account ("vic", "viewer", TRUE));
  g_ptr_array_add (listed, account ("zed", "admin", FALSE));
  g_ptr_array_add (listed, account ("odd", "owner", TRUE));   /* not a role: left out */
  g_assert_true (vetter_store_staff_mirror (f->store, listed, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM staff WHERE shared"), ==, 3);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM staff WHERE username = 'ana'"), ==, 2);
  g_assert_cmpint (vetter_store_staff_sign_in (f->store, "ana", &error), ==, VETTER_ROLE_ADMIN);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM audit_log WHERE object_type = 'staff'"), ==, 1);

  /* Listed again without zed: zed's row goes. */
  g_ptr_array_remove_index (listed, 2);
  g_assert_true (vetter_store_staff_mirror (f->store, listed, &error));
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM staff WHERE shared"), ==, 2);

  g_assert_true (vetter_store_staff_record (f->store, before, after, "boss", &error));
  g_assert_true (vetter_store_staff_record (f->store, NULL, added, "boss", &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM audit_log WHERE object_type = 'staff' AND actor = 'boss'"
                                       " AND action = 'change' AND changes = "
                                       "'{\"role\":[\"viewer\",\"moderator\"],\"active\":[\"true\",\"false\"]}'"), ==, 1);
  g_assert_cmpint (query_int (f->path, "SELECT count(*) FROM audit_log WHERE object_type = 'staff' AND actor = 'boss'"
                                       " AND action = 'add'"), ==, 1);
  got = vetter_store_staff_get (f->store, query_int (f->path, "SELECT id FROM staff WHERE username = 'eve'"), &shared,
                                &error);
  g_assert_nonnull (got);
  g_assert_true (shared);
  g_assert_cmpstr (got->role, ==, "worker");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/store/migrations", Fixture, NULL, fixture_set_up, test_migrations, fixture_tear_down);
  g_test_add ("/store/staff-roles", Fixture, NULL, fixture_set_up, test_staff_roles, fixture_tear_down);
  g_test_add ("/store/staff-shared", Fixture, NULL, fixture_set_up, test_staff_shared, fixture_tear_down);
  g_test_add_func ("/store/newer-schema-refused", test_newer_schema_refused);
  g_test_add_func ("/store/failed-migration-rolls-back", test_failed_migration_rolls_back);
  g_test_add_func ("/store/migration-indexes-search", test_migration_indexes_search);
  g_test_add_func ("/store/whole-file", test_whole_file);
  g_test_add ("/store/checkpoint", Fixture, NULL, fixture_set_up, test_checkpoint, fixture_tear_down);
  g_test_add ("/store/claim-record-and-resume", Fixture, NULL, fixture_set_up, test_claim_record_and_resume, fixture_tear_down);
  g_test_add ("/store/suspect-taken-last", Fixture, NULL, fixture_set_up, test_suspect_taken_last, fixture_tear_down);
  g_test_add_func ("/store/crash-mark", test_crash_mark);
  g_test_add ("/store/fetch-failure-fails-item", Fixture, NULL, fixture_set_up, test_fetch_failure_fails_item, fixture_tear_down);
  g_test_add ("/store/paused-batch-is-not-claimed", Fixture, NULL, fixture_set_up, test_paused_batch_is_not_claimed, fixture_tear_down);
  g_test_add ("/store/one-process-at-a-time", Fixture, NULL, fixture_set_up, test_one_process_at_a_time, fixture_tear_down);
  g_test_add ("/store/one-process-whatever-the-name", Fixture, NULL, fixture_set_up,
              test_one_process_whatever_the_name, fixture_tear_down);
  g_test_add ("/store/output-csv", Fixture, NULL, fixture_set_up, test_output_csv, fixture_tear_down);
  g_test_add_func ("/store/migration-keeps-auto-decisions", test_migration_keeps_auto_decisions);
  g_test_add ("/store/review-queue-filters", Fixture, NULL, fixture_set_up, test_review_queue_filters, fixture_tear_down);
  g_test_add ("/store/item-detail", Fixture, NULL, fixture_set_up, test_item_detail, fixture_tear_down);
  g_test_add ("/store/decide-and-undo", Fixture, NULL, fixture_set_up, test_decide_and_undo, fixture_tear_down);
  g_test_add_func ("/store/migration-rewrites-audit", test_migration_rewrites_audit);
  g_test_add ("/store/remote-decision-history", Fixture, NULL, fixture_set_up, test_remote_decision_history,
              fixture_tear_down);
  g_test_add ("/store/outbox-stale-report", Fixture, NULL, fixture_set_up, test_outbox_stale_report, fixture_tear_down);
  g_test_add_func ("/store/stopped-uncleanly", test_stopped_uncleanly);
  g_test_add ("/store/leftovers-cleaned", Fixture, NULL, fixture_set_up, test_leftovers_cleaned, fixture_tear_down);
  g_test_add ("/store/outbox-done-stays-done", Fixture, NULL, fixture_set_up, test_outbox_done_stays_done,
              fixture_tear_down);
  g_test_add ("/store/list-items", Fixture, NULL, fixture_set_up, test_list_items, fixture_tear_down);

  return g_test_run ();
}
