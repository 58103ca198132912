/* test-engine.c: the engine's API as the window uses it: signals, pause,
 * resume, cancel, retry, and a close in the middle of a batch
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sched.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vetter-engine.h"
#include "vetter-thread-priority.h"
#include "vetter-test-util.h"

typedef struct
{
  char         *dir;
  char         *db;
  char         *out;
  GPtrArray    *paths;
  VetterEngine *engine;
  GHashTable   *steps_seen;
  guint         finished;
  guint         progress_signals;
  gint64        last_done;
  gboolean      done_went_down;
  gint64        batch_id;
} Fixture;

static void
on_item_step (VetterEngine *engine,
              gint64        item_id,
              gint64        batch_id,
              const char   *step,
              Fixture      *f)
{
  if (step)
    g_hash_table_add (f->steps_seen, g_strdup (step));
}

static void
on_progress (VetterEngine *engine,
             gint64        batch_id,
             Fixture      *f)
{
  const VetterBatchProgress *p = vetter_engine_get_progress (engine, batch_id);

  g_assert_nonnull (p);
  f->progress_signals++;
  if (p->done < f->last_done)
    f->done_went_down = TRUE;
  f->last_done = p->done;
}

static void
on_finished (VetterEngine *engine,
             gint64        batch_id,
             Fixture      *f)
{
  f->finished++;
}

static void
start_engine (Fixture *f)
{
  g_autoptr(VetterConfig) config = vetter_config_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  config->workers = 2;
  f->engine = vetter_engine_new (f->db, config);
  g_signal_connect (f->engine, "item-step", G_CALLBACK (on_item_step), f);
  g_signal_connect (f->engine, "batch-progress", G_CALLBACK (on_progress), f);
  g_signal_connect (f->engine, "batch-finished", G_CALLBACK (on_finished), f);
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
open_engine (Fixture *f)
{
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;

  vetter_engine_open_async (f->engine, NULL, store_result, &result);
  g_assert_true (vetter_engine_open_finish (f->engine, wait_for_result (&result), &error));
  g_assert_no_error (error);
  g_object_unref (result);
}

static gint64
add_batch (Fixture  *f,
           gboolean *resumed)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  VetterIntakeBatch *batch = vetter_intake_from_images ((const char * const *) f->paths->pdata, f->paths->len, &error);
  gint64 id;

  g_assert_no_error (error);
  vetter_engine_add_batch_async (f->engine, batch, f->out, NULL, NULL, store_result, &result);
  id = vetter_engine_add_batch_finish (f->engine, wait_for_result (&result), resumed, NULL, &error);
  g_assert_no_error (error);
  g_object_unref (result);
  return id;
}

static void
wait_until_finished (Fixture *f,
                     guint    count)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (f->finished < count)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = test_tmpdir ();
  f->db = g_build_filename (f->dir, "engine.db", NULL);
  f->out = g_build_filename (f->dir, "out", NULL);
  f->paths = g_ptr_array_new_with_free_func (g_free);
  f->steps_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < 16; i++)
    {
      g_autoptr(VetterPixels) pixels = test_textured (900, 700, i);
      g_autofree char *name = g_strdup_printf ("%02u.jpg", i);

      g_ptr_array_add (f->paths, test_write_jpeg (pixels, f->dir, name, 90));
    }
  start_engine (f);
  open_engine (f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->engine)
    {
      vetter_engine_close (f->engine);
      g_assert_finalize_object (f->engine);
    }
  test_remove_tree (f->dir);
  g_ptr_array_unref (f->paths);
  g_hash_table_unref (f->steps_seen);
  g_free (f->dir);
  g_free (f->db);
  g_free (f->out);
}

static void
test_progress_and_summary (Fixture       *f,
                           gconstpointer  data)
{
  const VetterBatchProgress *p;
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterSummary) summary = NULL;
  g_autoptr(GOutputStream) json = g_memory_output_stream_new_resizable ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  gboolean resumed = TRUE;
  gint64 id = add_batch (f, &resumed);

  g_assert_false (resumed);
  wait_until_finished (f, 1);
  test_spin (100);
  g_assert_cmpuint (f->finished, ==, 1);
  g_assert_false (f->done_went_down);
  g_assert_cmpuint (f->progress_signals, >=, 2);

  p = vetter_engine_get_progress (f->engine, id);
  g_assert_cmpint (p->total, ==, 16);
  g_assert_cmpint (p->done, ==, 16);
  g_assert_cmpint (p->waiting, ==, 0);
  g_assert_cmpfloat (p->fraction, ==, 1.0);
  g_assert_cmpfloat (p->throughput, >, 0);
  g_assert_cmpstr (vetter_batch_state_to_string (p->state), ==, "done");
  g_assert_cmpint (p->needs_review, ==, 16);

  /* The UI is told which step each item is on. */
  g_assert_true (g_hash_table_contains (f->steps_seen, "fetch"));
  g_assert_true (g_hash_table_contains (f->steps_seen, "decode"));
  g_assert_true (g_hash_table_contains (f->steps_seen, "analyse"));
  g_assert_true (g_hash_table_contains (f->steps_seen, "variants"));

  vetter_engine_summary_async (f->engine, &id, 1, json, NULL, store_result, &result);
  summary = vetter_engine_summary_finish (f->engine, wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_object_unref (result);
  g_assert_cmpint (summary->totals.total, ==, 16);
  g_assert_cmpint (summary->totals.needs_review, ==, 16);
  g_assert_cmpuint (summary->failures->len, ==, 0);

  /* The JSON written item by item is one well-formed document. */
  g_output_stream_close (json, NULL, NULL);
  json_parser_load_from_data (parser, g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (json)),
                              (gssize) g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (json)), &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "items")), ==, 16);
}

/* Once the last item is taken, the log is folded into the database while
 * the last ones finish: the database file alone (copied without its
 * log) already holds the results of all but those still in the workers
 * then (two workers and one waiting), before anything is closed. */
static void
test_log_folded_when_queue_runs_dry (Fixture       *f,
                                     gconstpointer  data)
{
  g_autofree char *copy = g_build_filename (f->dir, "file-alone.db", NULL);
  g_autofree char *contents = NULL;
  gsize length;
  sqlite3 *db;
  sqlite3_stmt *stmt;

  add_batch (f, NULL);
  wait_until_finished (f, 1);
  g_assert_true (g_file_get_contents (f->db, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (copy, contents, (gssize) length, NULL));
  g_assert_cmpint (sqlite3_open_v2 (copy, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM item WHERE status = 'needs_review'", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), >=, 16 - 3);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
test_pause_resume_cancel (Fixture       *f,
                          gconstpointer  data)
{
  gint64 id = add_batch (f, NULL);
  const VetterBatchProgress *p;
  gint64 done_when_paused;

  vetter_engine_pause_batch (f->engine, id);
  test_spin (600);
  p = vetter_engine_get_progress (f->engine, id);
  done_when_paused = p->done;
  g_assert_cmpstr (vetter_batch_state_to_string (p->state), ==, "paused");
  /* At most what was already handed to the workers finished. */
  g_assert_cmpint (done_when_paused, <=, 3);
  test_spin (400);
  g_assert_cmpint (vetter_engine_get_progress (f->engine, id)->done, ==, done_when_paused);
  g_assert_cmpuint (f->finished, ==, 0);

  vetter_engine_cancel_batch (f->engine, id);
  wait_until_finished (f, 1);
  p = vetter_engine_get_progress (f->engine, id);
  g_assert_cmpstr (vetter_batch_state_to_string (p->state), ==, "cancelled");
  g_assert_cmpint (p->waiting, >, 0);

  /* Adding the same input again takes up where it stopped. */
  {
    gboolean resumed = FALSE;

    g_assert_cmpint (add_batch (f, &resumed), ==, id);
    g_assert_true (resumed);
  }
  wait_until_finished (f, 2);
  p = vetter_engine_get_progress (f->engine, id);
  g_assert_cmpint (p->done, ==, 16);
  g_assert_cmpstr (vetter_batch_state_to_string (p->state), ==, "done");
}

static void
test_retry_failed (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *hidden = g_strconcat (f->paths->pdata[3], ".away", NULL);
  const VetterBatchProgress *p;
  gint64 id;

  g_assert_cmpint (g_rename (f->paths->pdata[3], hidden), ==, 0);
  g_ptr_array_add (f->paths, g_strdup (f->paths->pdata[3]));
  g_assert_cmpint (g_rename (hidden, f->paths->pdata[3]), ==, 0);

  /* Gone after intake, before its turn: that item fails, saying so. */
  id = add_batch (f, NULL);
  vetter_engine_pause_batch (f->engine, id);
  test_spin (300);
  g_assert_cmpint (g_rename (f->paths->pdata[3], hidden), ==, 0);
  vetter_engine_resume_batch (f->engine, id);
  wait_until_finished (f, 1);
  p = vetter_engine_get_progress (f->engine, id);
  g_assert_cmpint (p->failed, >=, 1);

  g_assert_cmpint (g_rename (hidden, f->paths->pdata[3]), ==, 0);
  vetter_engine_retry_failed (f->engine, id);
  wait_until_finished (f, 2);
  p = vetter_engine_get_progress (f->engine, id);
  g_assert_cmpint (p->failed, ==, 0);
  g_assert_cmpint (p->done, ==, p->total);
}

static void
test_close_midway_and_reopen (Fixture       *f,
                              gconstpointer  data)
{
  gint64 id = add_batch (f, NULL);

  while (f->last_done < 2)
    g_main_context_iteration (NULL, TRUE);
  vetter_engine_close (f->engine);
  g_assert_finalize_object (f->engine);
  f->engine = NULL;
  f->finished = 0;

  start_engine (f);
  open_engine (f);
  g_assert_cmpint (add_batch (f, NULL), ==, id);
  wait_until_finished (f, 1);
  g_assert_cmpint (vetter_engine_get_progress (f->engine, id)->done, ==, 16);
}

/* The lowered thread's nice value, and its policy. */
typedef struct
{
  int nice;
  int policy;
} Lowered;

static gpointer
lower_and_report (gpointer data)
{
  Lowered *lowered = data;

  vetter_thread_lower_priority ();
  vetter_thread_lower_priority ();   /* once is enough; twice changes nothing */
  lowered->nice = getpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid));
  lowered->policy = sched_getscheduler (0);
  return NULL;
}

/* A worker in the window gives way to the UI thread at nice 10, under the
 * normal policy (not the idle one: a worker holding a lock the UI thread
 * waits for would then wait behind everything on the machine); the thread
 * that asked alone. */
static void
test_worker_threads_yield (void)
{
  Lowered lowered = { 0, -1 };

  g_thread_join (g_thread_new ("lowered", lower_and_report, &lowered));
  g_assert_cmpint (lowered.nice, ==, 10);
  g_assert_cmpint (lowered.policy, ==, SCHED_OTHER);
  g_assert_cmpint (sched_getscheduler (0), ==, SCHED_OTHER);
  g_assert_cmpint (getpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid)), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/engine/progress-and-summary", Fixture, NULL, fixture_set_up, test_progress_and_summary, fixture_tear_down);
  g_test_add ("/engine/log-folded-when-queue-runs-dry", Fixture, NULL, fixture_set_up,
              test_log_folded_when_queue_runs_dry, fixture_tear_down);
  g_test_add ("/engine/pause-resume-cancel", Fixture, NULL, fixture_set_up, test_pause_resume_cancel, fixture_tear_down);
  g_test_add ("/engine/retry-failed", Fixture, NULL, fixture_set_up, test_retry_failed, fixture_tear_down);
  g_test_add ("/engine/close-midway-and-reopen", Fixture, NULL, fixture_set_up, test_close_midway_and_reopen, fixture_tear_down);
  g_test_add_func ("/engine/worker-threads-yield", test_worker_threads_yield);

  return g_test_run ();
}
