/* test-review-cursor.c: the review loop without a display
 *
 * Eight photographs go through the real engine and all wait for review
 * (no tagger approves them); the cursor walks, reads ahead, decides,
 * takes back and drops, and the store is read back through the engine.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "vetter-review-cursor.h"
#include "vetter-test-util.h"

#define N_ITEMS 8

typedef struct
{
  char               *dir;
  VetterEngine       *engine;
  VetterReviewCursor *cursor;
  gboolean            finished;
  GPtrArray          *messages;
} Fixture;

static void
on_finished (VetterEngine *engine,
             gint64        batch_id,
             Fixture      *f)
{
  f->finished = TRUE;
}

static void
on_added (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (vetter_engine_add_batch_finish (VETTER_ENGINE (source), result, NULL, NULL, &error), >, 0);
  g_assert_no_error (error);
}

static void
on_message (VetterReviewCursor *cursor,
            const char         *message,
            Fixture            *f)
{
  g_ptr_array_add (f->messages, g_strdup (message));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *db = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(VetterConfig) config = vetter_config_new ();
  g_autoptr(GError) error = NULL;
  VetterIntakeBatch *batch;

  f->dir = test_tmpdir ();
  f->messages = g_ptr_array_new_with_free_func (g_free);
  db = g_build_filename (f->dir, "cursor.db", NULL);
  out = g_build_filename (f->dir, "out", NULL);
  for (guint i = 0; i < N_ITEMS; i++)
    {
      g_autoptr(VetterPixels) pixels = test_textured (640, 480, i + 40);
      g_autofree char *name = g_strdup_printf ("%02u.jpg", i);

      g_ptr_array_add (paths, test_write_jpeg (pixels, f->dir, name, 90));
    }
  config->workers = 2;
  f->engine = test_open_engine (db, config);
  g_signal_connect (f->engine, "batch-finished", G_CALLBACK (on_finished), f);
  batch = vetter_intake_from_images ((const char * const *) paths->pdata, paths->len, &error);
  g_assert_no_error (error);
  vetter_engine_add_batch_async (f->engine, batch, out, NULL, NULL, on_added, NULL);
  test_wait_until (test_flag_set, &f->finished);

  f->cursor = vetter_review_cursor_new (f->engine);
  g_signal_connect (f->cursor, "message", G_CALLBACK (on_message), f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  /* Reads still on their way hold it until their (cancelled) answers come. */
  g_object_run_dispose (G_OBJECT (f->cursor));
  test_spin (200);
  g_assert_finalize_object (f->cursor);
  vetter_engine_close (f->engine);
  g_assert_finalize_object (f->engine);
  test_remove_tree (f->dir);
  g_ptr_array_unref (f->messages);
  g_free (f->dir);
}

static gboolean
showing_item (gpointer data)
{
  return vetter_review_cursor_get_state (data) == VETTER_REVIEW_ITEM;
}

static gboolean
read_ahead (gpointer data)
{
  return vetter_review_cursor_peek (data, 1) != NULL && vetter_review_cursor_peek (data, 2) != NULL;
}

typedef struct
{
  VetterEngine *engine;
  gint64        item_id;
  VetterStatus  status;
  gboolean      done;
  gboolean      matches;
} StatusCheck;

static void
on_detail (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  StatusCheck *check = user_data;
  g_autoptr(VetterItemDetail) item = vetter_engine_item_detail_finish (VETTER_ENGINE (source), result, NULL);

  check->matches = item && item->status == check->status;
  check->done = TRUE;
}

/* For test_wait_until: the store says the item has the status. */
static gboolean
has_status (gpointer data)
{
  StatusCheck *check = data;

  check->done = FALSE;
  vetter_engine_item_detail_async (check->engine, check->item_id, NULL, on_detail, check);
  test_wait_until (test_flag_set, &check->done);
  return check->matches;
}

static void
wait_for_status (Fixture      *f,
                 gint64        item_id,
                 VetterStatus  status)
{
  StatusCheck check = { f->engine, item_id, status, FALSE, FALSE };

  test_wait_until (has_status, &check);
}

static void
start (Fixture *f)
{
  vetter_review_cursor_set_filter (f->cursor, vetter_review_cursor_get_filter (f->cursor));
  test_wait_until (showing_item, f->cursor);
  g_assert_cmpuint (vetter_review_cursor_get_n_items (f->cursor), ==, N_ITEMS);
}

/* Moving through the snapshot, and past its end. */
static void
test_paging (Fixture       *f,
             gconstpointer  data)
{
  gint64 first, second;

  start (f);
  g_assert_cmpuint (vetter_review_cursor_get_position (f->cursor), ==, 0);
  g_assert_cmpuint (vetter_review_cursor_get_n_left (f->cursor), ==, N_ITEMS);
  g_assert_false (vetter_review_cursor_previous (f->cursor));
  first = vetter_review_cursor_get_current_item (f->cursor);
  g_assert_cmpint (first, >, 0);

  g_assert_true (vetter_review_cursor_next (f->cursor));
  g_assert_cmpuint (vetter_review_cursor_get_position (f->cursor), ==, 1);
  test_wait_until (showing_item, f->cursor);
  second = vetter_review_cursor_get_current_item (f->cursor);
  g_assert_cmpint (second, !=, first);
  g_assert_true (vetter_review_cursor_previous (f->cursor));
  test_wait_until (showing_item, f->cursor);
  g_assert_cmpint (vetter_review_cursor_get_current_item (f->cursor), ==, first);

  for (guint i = 0; i < N_ITEMS; i++)
    g_assert_true (vetter_review_cursor_next (f->cursor));
  g_assert_false (vetter_review_cursor_next (f->cursor));
  g_assert_cmpint (vetter_review_cursor_get_state (f->cursor), ==, VETTER_REVIEW_EMPTY);
  g_assert_cmpint (vetter_review_cursor_get_current_item (f->cursor), ==, 0);
  g_assert_null (vetter_review_cursor_get_current (f->cursor));
  /* Moving never decided anything. */
  g_assert_cmpuint (vetter_review_cursor_get_n_left (f->cursor), ==, N_ITEMS);
}

/* The next items are read before they are needed: a decision puts the
 * next one in place at once, without waiting for the store. */
static void
test_read_ahead_and_decide (Fixture       *f,
                            gconstpointer  data)
{
  VetterItemDetail *next;
  gint64 first, next_id;

  start (f);
  vetter_review_cursor_set_preload (f->cursor, 2);
  test_wait_until (read_ahead, f->cursor);
  g_assert_null (vetter_review_cursor_peek (f->cursor, 3));
  first = vetter_review_cursor_get_current_item (f->cursor);
  next = vetter_review_cursor_peek (f->cursor, 1);
  next_id = next->id;

  g_assert_true (vetter_review_cursor_decide (f->cursor, VETTER_STATUS_REJECTED, "duplicate", "seen twice", "mia"));
  /* No turn of the main loop: the next item is already there. */
  g_assert_cmpint (vetter_review_cursor_get_state (f->cursor), ==, VETTER_REVIEW_ITEM);
  g_assert_cmpint (vetter_review_cursor_get_current_item (f->cursor), ==, next_id);
  g_assert_cmpuint (vetter_review_cursor_get_position (f->cursor), ==, 1);
  g_assert_cmpuint (vetter_review_cursor_get_n_left (f->cursor), ==, N_ITEMS - 1);
  g_assert_true (vetter_review_cursor_get_can_undo (f->cursor));
  wait_for_status (f, first, VETTER_STATUS_REJECTED);

  /* An item that is not on screen yet cannot be decided blind. */
  for (guint i = 1; i < N_ITEMS; i++)
    vetter_review_cursor_next (f->cursor);
  g_assert_false (vetter_review_cursor_decide (f->cursor, VETTER_STATUS_APPROVED, NULL, NULL, "mia"));
}

/* Undo takes back the last decision, shows its item again and counts it
 * as left; one asked for before the store has answered waits for it. */
static void
test_undo (Fixture       *f,
           gconstpointer  data)
{
  gint64 first, second;

  start (f);
  test_wait_until (read_ahead, f->cursor);
  first = vetter_review_cursor_get_current_item (f->cursor);
  g_assert_true (vetter_review_cursor_decide (f->cursor, VETTER_STATUS_APPROVED, NULL, NULL, "mia"));
  second = vetter_review_cursor_get_current_item (f->cursor);
  wait_for_status (f, first, VETTER_STATUS_APPROVED);

  g_assert_true (vetter_review_cursor_undo (f->cursor, "mia"));
  wait_for_status (f, first, VETTER_STATUS_NEEDS_REVIEW);
  test_wait_until (showing_item, f->cursor);
  g_assert_cmpint (vetter_review_cursor_get_current_item (f->cursor), ==, first);
  g_assert_cmpuint (vetter_review_cursor_get_position (f->cursor), ==, 0);
  g_assert_cmpuint (vetter_review_cursor_get_n_left (f->cursor), ==, N_ITEMS);
  g_assert_false (vetter_review_cursor_get_can_undo (f->cursor));
  g_assert_false (vetter_review_cursor_undo (f->cursor, "mia"));

  /* Decided and taken back in one breath. */
  test_wait_until (read_ahead, f->cursor);
  g_assert_true (vetter_review_cursor_decide (f->cursor, VETTER_STATUS_REJECTED, "other", "logo", "mia"));
  g_assert_cmpint (vetter_review_cursor_get_current_item (f->cursor), ==, second);
  g_assert_true (vetter_review_cursor_undo (f->cursor, "mia"));
  test_spin (300);
  wait_for_status (f, first, VETTER_STATUS_NEEDS_REVIEW);
  test_wait_until (showing_item, f->cursor);
  g_assert_cmpint (vetter_review_cursor_get_current_item (f->cursor), ==, first);
  g_assert_cmpuint (f->messages->len, ==, 0);
}

/* An item someone else reviews leaves the snapshot; the next moves up. */
static void
test_drop (Fixture       *f,
           gconstpointer  data)
{
  gint64 first, second;

  start (f);
  test_wait_until (read_ahead, f->cursor);
  first = vetter_review_cursor_get_current_item (f->cursor);
  second = vetter_review_cursor_peek (f->cursor, 1)->id;
  vetter_review_cursor_drop (f->cursor, first);
  g_assert_cmpuint (vetter_review_cursor_get_n_items (f->cursor), ==, N_ITEMS - 1);
  g_assert_cmpuint (vetter_review_cursor_get_position (f->cursor), ==, 0);
  g_assert_cmpint (vetter_review_cursor_get_current_item (f->cursor), ==, second);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/review-cursor/paging", Fixture, NULL, fixture_set_up, test_paging, fixture_tear_down);
  g_test_add ("/review-cursor/read-ahead-and-decide", Fixture, NULL, fixture_set_up, test_read_ahead_and_decide,
              fixture_tear_down);
  g_test_add ("/review-cursor/undo", Fixture, NULL, fixture_set_up, test_undo, fixture_tear_down);
  g_test_add ("/review-cursor/drop", Fixture, NULL, fixture_set_up, test_drop, fixture_tear_down);
  return g_test_run ();
}
