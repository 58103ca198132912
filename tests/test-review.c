/* test-review.c: deciding items in the review view, in a real X server
 *
 * A CSV of ads goes in through the window's own intake, the engine runs it,
 * and the moderator's actions (the same ones the keys and buttons trigger)
 * change the store, which is read back through the engine.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "vetter-application.h"
#include "vetter-batch-object.h"
#include "vetter-duplicate-view.h"
#include "vetter-item-detail-view.h"
#include "vetter-test-keys.h"
#include "vetter-test-util.h"
#include "vetter-variant-viewer.h"
#include "vetter-window.h"

static VetterApplication *app;

/* Six ads; the first one's photo sits between black bars, so it has
 * defects with boxes. @seed makes other photos and other sellers. */
static char *
write_ads (const char *dir,
           guint       seed)
{
  g_autoptr(GString) csv = g_string_new ("email,image,title\n");
  g_autofree char *path = g_build_filename (dir, "ads.csv", NULL);

  for (guint i = 0; i < 6; i++)
    {
      g_autoptr(VetterPixels) pixels = test_textured (800, 600, seed + i + 1);
      g_autofree char *name = g_strdup_printf ("ad-%u.jpg", i);
      g_autofree char *image = NULL;

      if (i == 0)
        {
          test_fill (pixels, 0, 0, 800, 90, 0, 0, 0);
          test_fill (pixels, 0, 510, 800, 90, 0, 0, 0);
        }
      image = test_write_jpeg (pixels, dir, name, 90);
      g_string_append_printf (csv, "seller%u@example.com,%s,Car number %u\n", seed + i, name, seed + i);
    }
  g_assert_true (g_file_set_contents (path, csv->str, -1, NULL));
  return g_steal_pointer (&path);
}

typedef struct
{
  VetterItemDetail *item;
  GError           *error;
  gboolean          done;
} DetailResult;

static void
on_detail (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  DetailResult *r = user_data;

  r->item = vetter_engine_item_detail_finish (VETTER_ENGINE (source), result, &r->error);
  r->done = TRUE;
}

static gboolean
detail_done (gpointer data)
{
  return ((DetailResult *) data)->done;
}

/* What the store says of an item, read through the engine's own thread. */
static VetterItemDetail *
read_item (VetterEngine *engine,
           gint64        item_id)
{
  DetailResult r = { 0 };

  vetter_engine_item_detail_async (engine, item_id, NULL, on_detail, &r);
  test_wait_until (detail_done, &r);
  g_assert_no_error (r.error);
  return r.item;
}

typedef struct
{
  VetterEngine *engine;
  gint64        item_id;
  const char   *status;
} StatusWait;

static gboolean
has_status (gpointer data)
{
  StatusWait *wait = data;
  g_autoptr(VetterItemDetail) item = read_item (wait->engine, wait->item_id);

  return g_strcmp0 (vetter_status_to_string (item->status), wait->status) == 0;
}

static void
wait_for_status (VetterEngine *engine,
                 gint64        item_id,
                 const char   *status)
{
  StatusWait wait = { engine, item_id, status };

  test_wait_until (has_status, &wait);
}


typedef struct
{
  VetterReviewPage *page;
  gint64            batch;
} BatchShown;

static gboolean
batch_shown (gpointer data)
{
  BatchShown *wait = data;
  VetterReviewCursor *cursor = vetter_review_page_get_cursor (wait->page);
  VetterItemDetail *item = vetter_review_cursor_get_current (cursor);

  return test_item_shown (wait->page) && item && item->batch_id == wait->batch &&
         vetter_review_cursor_get_filter (cursor)->batch_id == wait->batch;
}

static gboolean
next_prepared (gpointer page)
{
  return vetter_review_page_is_prepared (page, 1);
}

typedef struct
{
  VetterReviewPage *page;
  gint64            item;
} ItemWait;

/* @item is on screen, its side panel too. */
static gboolean
item_on_screen (gpointer data)
{
  ItemWait *wait = data;

  return test_item_shown (wait->page) && vetter_review_page_get_current_item (wait->page) == wait->item;
}

/* The review queue narrowed to one batch, its first ad on screen. */
static void
show_batch (VetterWindow *window,
            gint64        batch)
{
  BatchShown wait = { vetter_window_get_review_page (window), batch };

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "review"));
  vetter_review_page_show_batch (wait.page, wait.batch);
  test_wait_until (batch_shown, &wait);
}

static gpointer
template_child (gpointer    widget,
                GType       type,
                const char *name)
{
  return gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);
}

/* Whether @trigger is a shortcut of the page for @action with @target. */
static gboolean
has_trigger (GtkWidget  *widget,
             const char *action,
             GVariant   *target,
             const char *trigger)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  g_autoptr(GVariant) owned = target ? g_variant_ref_sink (target) : NULL;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutAction *a = gtk_shortcut_get_action (shortcut);
          GVariant *args = gtk_shortcut_get_arguments (shortcut);
          g_autofree char *text = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));

          if (GTK_IS_NAMED_ACTION (a) && g_str_equal (gtk_named_action_get_action_name (GTK_NAMED_ACTION (a)), action) &&
              ((owned == NULL && args == NULL) || (owned && args && g_variant_equal (owned, args))) &&
              g_str_equal (text, trigger))
            return TRUE;
        }
    }
  return FALSE;
}

static void
test_keyboard_shortcuts (void)
{
  GtkWidget *page = vetter_review_page_new ();

  g_object_ref_sink (page);
  g_assert_true (has_trigger (page, "review.approve", NULL, "a"));
  g_assert_true (has_trigger (page, "review.reject", NULL, "r"));
  g_assert_true (has_trigger (page, "review.next", NULL, "j"));
  g_assert_true (has_trigger (page, "review.next", NULL, "Right"));
  g_assert_true (has_trigger (page, "review.previous", NULL, "k"));
  g_assert_true (has_trigger (page, "review.previous", NULL, "Left"));
  g_assert_true (has_trigger (page, "review.undo", NULL, "z"));
  g_assert_true (has_trigger (page, "review.zoom", NULL, "space"));
  g_assert_true (has_trigger (page, "review.cancel-reason", NULL, "Escape"));
  g_assert_true (has_trigger (page, "win.show-help-overlay", NULL, "question"));
  g_assert_true (has_trigger (page, "review.reason", g_variant_new_int32 (0), "1"));
  g_assert_true (has_trigger (page, "review.reason", g_variant_new_int32 (5), "6"));
  g_assert_finalize_object (page);
}

static void
test_review_flow (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *csv = write_ads (dir, 0);
  g_autoptr(GFile) file = g_file_new_for_path (csv);
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  VetterEngine *engine = vetter_window_get_engine (window);
  VetterReviewPage *page = vetter_window_get_review_page (window);
  VetterImageView *view = vetter_review_page_get_image_view (page);
  g_autoptr(VetterItemDetail) item = NULL;
  VetterItemDetailView *detail_view;
  gint64 first, second, third, fourth;
  GtkListBox *defects;

  gtk_window_present (GTK_WINDOW (window));
  test_add_and_finish (window, file);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "review"));
  test_wait_until (test_item_shown, page);
  g_assert_cmpuint (vetter_review_page_get_queue_length (page), ==, 6);
  g_assert_cmpstr (vetter_review_page_get_state (page), ==, "item");
  first = vetter_review_page_get_current_item (page);

  /* The first ad's bars are drawn as boxes; picking a defect in the side
   * panel highlights its box. */
  g_assert_cmpuint (vetter_image_view_get_n_boxes (view), >=, 2);
  g_assert_nonnull (vetter_image_view_get_texture (view));
  detail_view = vetter_review_page_get_detail_view (page);
  defects = template_child (detail_view, VETTER_TYPE_ITEM_DETAIL_VIEW, "defect_list");
  for (int i = 0; gtk_list_box_get_row_at_index (defects, i); i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (defects, i);
      int box = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "box"));

      gtk_list_box_select_row (defects, row);
      g_assert_cmpint (vetter_image_view_get_highlighted (view), ==, box);
    }
  g_assert_cmpstr (gtk_label_get_label (template_child (detail_view, VETTER_TYPE_ITEM_DETAIL_VIEW, "title_label")), ==,
                   "Car number 0");

  /* Zoom toggles between fitting and a closer look. */
  g_assert_true (vetter_image_view_get_fit (view));
  gtk_widget_activate_action (GTK_WIDGET (page), "review.zoom", NULL);
  g_assert_false (vetter_image_view_get_fit (view));
  gtk_widget_activate_action (GTK_WIDGET (page), "review.zoom", NULL);
  g_assert_true (vetter_image_view_get_fit (view));

  /* Once the next item is preloaded, approving shows it at once: no turn
   * of the main loop between the key and the next item on screen. */
  test_wait_until (next_prepared, page);
  gtk_widget_activate_action (GTK_WIDGET (page), "review.approve", NULL);
  second = vetter_review_page_get_current_item (page);
  g_assert_cmpint (second, !=, 0);
  g_assert_cmpint (second, !=, first);
  g_assert_cmpuint (vetter_review_page_get_position (page), ==, 1);
  wait_for_status (engine, first, "approved");
  item = read_item (engine, first);
  g_assert_cmpstr (item->decision->decided_by, ==, g_get_user_name ());
  g_assert_false (item->decision->is_auto);
  g_assert_cmpuint (item->history->len, ==, 1);
  g_clear_pointer (&item, vetter_item_detail_unref);

  /* Reject asks why; a number picks the reason. */
  test_spin (300);
  gtk_widget_activate_action (GTK_WIDGET (page), "review.reject", NULL);
  g_assert_true (vetter_review_page_get_choosing_reason (page));
  g_assert_cmpint (vetter_review_page_get_current_item (page), ==, second);
  gtk_widget_activate_action (GTK_WIDGET (page), "review.reason", "i", 3);
  g_assert_false (vetter_review_page_get_choosing_reason (page));
  wait_for_status (engine, second, "rejected");
  item = read_item (engine, second);
  g_assert_cmpstr (item->decision->reason_code, ==, "duplicate");
  g_clear_pointer (&item, vetter_item_detail_unref);

  /* "Other" needs a note: without one the choice stays open. */
  test_wait_until (test_item_shown, page);
  third = vetter_review_page_get_current_item (page);
  gtk_widget_activate_action (GTK_WIDGET (page), "review.reject", NULL);
  gtk_widget_activate_action (GTK_WIDGET (page), "review.reason", "i", 5);
  g_assert_true (vetter_review_page_get_choosing_reason (page));
  {
    GtkEntry *note = template_child (page, VETTER_TYPE_REVIEW_PAGE, "note_entry");

    g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (note), "error"));
    gtk_editable_set_text (GTK_EDITABLE (note), "Phone number painted on the door");
    g_signal_emit_by_name (note, "activate");
  }
  g_assert_false (vetter_review_page_get_choosing_reason (page));
  wait_for_status (engine, third, "rejected");
  item = read_item (engine, third);
  g_assert_cmpstr (item->decision->reason_code, ==, "other");
  g_assert_cmpstr (item->decision->note, ==, "Phone number painted on the door");
  g_clear_pointer (&item, vetter_item_detail_unref);

  /* Escape leaves the choice without deciding. */
  test_wait_until (test_item_shown, page);
  fourth = vetter_review_page_get_current_item (page);
  gtk_widget_activate_action (GTK_WIDGET (page), "review.reject", NULL);
  gtk_widget_activate_action (GTK_WIDGET (page), "review.cancel-reason", NULL);
  g_assert_false (vetter_review_page_get_choosing_reason (page));
  g_assert_cmpint (vetter_review_page_get_current_item (page), ==, fourth);

  /* Z takes back the last decision and shows that item again. */
  gtk_widget_activate_action (GTK_WIDGET (page), "review.undo", NULL);
  wait_for_status (engine, third, "needs_review");
  while (vetter_review_page_get_current_item (page) != third)
    g_main_context_iteration (NULL, TRUE);
  item = read_item (engine, third);
  g_assert_null (item->decision->reason_code);
  g_assert_cmpuint (item->history->len, ==, 2);
  g_clear_pointer (&item, vetter_item_detail_unref);

  /* J and K move without deciding. */
  gtk_widget_activate_action (GTK_WIDGET (page), "review.next", NULL);
  test_wait_until (test_item_shown, page);
  g_assert_cmpint (vetter_review_page_get_current_item (page), ==, fourth);
  gtk_widget_activate_action (GTK_WIDGET (page), "review.previous", NULL);
  test_wait_until (test_item_shown, page);
  g_assert_cmpint (vetter_review_page_get_current_item (page), ==, third);
  wait_for_status (engine, fourth, "needs_review");

  /* A filter on status shows the decided ones. */
  gtk_drop_down_set_selected (template_child (page, VETTER_TYPE_REVIEW_PAGE, "status_filter"), 2);
  while (vetter_review_page_get_queue_length (page) != 1 || vetter_review_page_get_current_item (page) != second)
    g_main_context_iteration (NULL, TRUE);

  /* Nothing left to decide: the empty state, not a blank screen. */
  gtk_drop_down_set_selected (template_child (page, VETTER_TYPE_REVIEW_PAGE, "status_filter"), 0);
  gtk_drop_down_set_selected (template_child (page, VETTER_TYPE_REVIEW_PAGE, "auto_filter"), 2);
  while (g_strcmp0 (vetter_review_page_get_state (page), "empty") != 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (vetter_review_page_get_queue_length (page), ==, 0);

  /* The window and everything it started go away with it. */
  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  test_spin (200);
  g_assert_finalize_object (window);
  test_remove_tree (dir);
}

/* While the moderator looks at an item, a batch dropped meanwhile makes
 * the queue grow: the item on screen stays as it is (what was picked in
 * its panels, the focus), only the count moves. */
static void
test_queue_grows_under_the_item (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *more_dir = g_build_filename (dir, "more", NULL);
  g_autofree char *csv = write_ads (dir, 200);
  g_autofree char *more_csv = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (csv);
  g_autoptr(GFile) more = NULL;
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  VetterReviewPage *page = vetter_window_get_review_page (window);
  GtkListBox *defects = NULL;
  GtkListBoxRow *picked;
  VetterItemDetail *shown;
  guint queued;
  gint64 first;

  g_assert_cmpint (g_mkdir (more_dir, 0700), ==, 0);
  more_csv = write_ads (more_dir, 100);
  more = g_file_new_for_path (more_csv);
  gtk_window_present (GTK_WINDOW (window));
  test_add_and_finish (window, file);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "review"));
  test_wait_until (test_item_shown, page);
  /* Earlier tests left items in the queue: move on to this batch's ad
   * between bars, which has defects to pick. */
  for (;;)
    {
      defects = template_child (vetter_review_page_get_detail_view (page), VETTER_TYPE_ITEM_DETAIL_VIEW, "defect_list");
      if (gtk_list_box_get_row_at_index (defects, 1))
        break;
      gtk_widget_activate_action (GTK_WIDGET (page), "review.next", NULL);
      test_wait_until (test_item_shown, page);
    }
  queued = vetter_review_page_get_queue_length (page);
  first = vetter_review_page_get_current_item (page);
  shown = vetter_item_detail_view_get_item (vetter_review_page_get_detail_view (page));
  picked = gtk_list_box_get_row_at_index (defects, 1);
  gtk_list_box_select_row (defects, picked);

  vetter_window_add_files (window, &more, 1);
  while (vetter_review_page_get_queue_length (page) < queued + 6)
    g_main_context_iteration (NULL, TRUE);
  test_spin (300);

  g_assert_cmpint (vetter_review_page_get_current_item (page), ==, first);
  g_assert_true (vetter_item_detail_view_get_item (vetter_review_page_get_detail_view (page)) == shown);
  g_assert_true (gtk_list_box_get_selected_row (defects) == picked);

  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  test_spin (200);
  g_assert_finalize_object (window);
  test_remove_tree (dir);
}

typedef struct
{
  VetterStatus  status;
  const char   *reason;
  const char   *note;
} Meant;

/* A moderator who knows the queue types faster than ads are shown: a
 * burst of real key presses, all sent before the window reads the first.
 * Every ad gets the decision typed on it, in order; the note takes only
 * what was typed for it; Z takes back the last decision and the next key
 * decides that ad again. */
static void
test_burst_of_keys (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *csv = write_ads (dir, 300);
  g_autoptr(GFile) file = g_file_new_for_path (csv);
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  VetterEngine *engine = vetter_window_get_engine (window);
  VetterReviewPage *page = vetter_window_get_review_page (window);
  VetterReviewCursor *cursor;
  static const Meant meant[] = {
    { VETTER_STATUS_APPROVED, NULL, NULL },
    { VETTER_STATUS_REJECTED, "irrelevant", NULL },
    { VETTER_STATUS_APPROVED, NULL, NULL },
    { VETTER_STATUS_REJECTED, "other", "seller logo" },
    { VETTER_STATUS_REJECTED, "duplicate", NULL },
  };
  gint64 ids[G_N_ELEMENTS (meant)];
  guint first;

  gtk_window_present (GTK_WINDOW (window));
  /* Only this batch's ads: earlier tests left others. */
  show_batch (window, test_add_and_finish (window, file));
  cursor = vetter_review_page_get_cursor (page);
  g_assert_cmpuint (vetter_review_cursor_get_n_items (cursor), ==, 6);
  first = vetter_review_cursor_get_position (cursor);
  for (guint i = 0; i < G_N_ELEMENTS (meant); i++)
    ids[i] = vetter_review_cursor_get_item_id (cursor, first + i);

  test_keys_focus (GTK_WINDOW (window));
  /* A; R 2; A (then Z takes it back, and A again); R 6 with a note; R 4. */
  test_keys_names (GTK_WINDOW (window), "a r 2 a z a r 6");
  test_keys_text (GTK_WINDOW (window), "seller logo");
  test_keys_names (GTK_WINDOW (window), "Return r 4");

  for (guint i = 0; i < G_N_ELEMENTS (meant); i++)
    {
      g_autofree char *status = g_strdup (vetter_status_to_string (meant[i].status));
      g_autoptr(VetterItemDetail) item = NULL;

      wait_for_status (engine, ids[i], status);
      item = read_item (engine, ids[i]);
      g_assert_cmpstr (item->decision->reason_code, ==, meant[i].reason);
      g_assert_cmpstr (item->decision->note, ==, meant[i].note);
    }
  /* The sixth ad is on screen, undecided. */
  test_wait_until (test_item_shown, page);
  g_assert_cmpint (vetter_review_page_get_current_item (page), ==,
                   vetter_review_cursor_get_item_id (cursor, first + G_N_ELEMENTS (meant)));
  g_assert_cmpuint (vetter_review_page_get_keys_waiting (page), ==, 0);

  /* Back on the ad rejected with a note: its history says who rejected
   * it, why in words, and the note. */
  test_keys_names (GTK_WINDOW (window), "k k");
  {
    ItemWait back = { page, ids[3] };

    test_wait_until (item_on_screen, &back);
  }
  {
    g_autofree char *expected = g_strdup_printf ("%s: Rejected — Other — “seller logo”", g_get_user_name ());
    g_autofree char *history = test_widget_text (template_child (vetter_review_page_get_detail_view (page),
                                                                 VETTER_TYPE_ITEM_DETAIL_VIEW, "history_list"));

    g_assert_nonnull (strstr (history, expected));
  }

  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  test_spin (200);
  g_assert_finalize_object (window);
  test_remove_tree (dir);
}

static gboolean
viewer_open (gpointer data)
{
  return g_strcmp0 (vetter_review_page_get_state (data), "variant") == 0;
}

static gboolean
viewer_closed (gpointer data)
{
  return g_strcmp0 (vetter_review_page_get_state (data), "item") == 0;
}

typedef struct
{
  VetterVariantViewer *viewer;
  guint                variant;
} VariantWait;

static gboolean
variant_shown (gpointer data)
{
  VariantWait *wait = data;

  return vetter_variant_viewer_get_variant (wait->viewer) == wait->variant;
}

/* A variant opens inside the window, in place of the ad's picture; the
 * arrow keys step through the variants, Escape goes back to the ad, and
 * the ad's keys work again at once. */
static void
test_variants_in_window (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *csv = write_ads (dir, 400);
  g_autoptr(GFile) file = g_file_new_for_path (csv);
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  VetterEngine *engine = vetter_window_get_engine (window);
  VetterReviewPage *page = vetter_window_get_review_page (window);
  VetterVariantViewer *viewer = template_child (page, VETTER_TYPE_REVIEW_PAGE, "variant_viewer");
  GtkWidget *variants;
  GtkWidget *first_button = NULL;
  VariantWait second = { viewer, 1 };
  gint64 ad;

  gtk_window_present (GTK_WINDOW (window));
  show_batch (window, test_add_and_finish (window, file));
  ad = vetter_review_page_get_current_item (page);

  /* The side panel's first variant, clicked. */
  variants = template_child (vetter_review_page_get_detail_view (page), VETTER_TYPE_ITEM_DETAIL_VIEW, "variant_box");
  for (GtkWidget *child = gtk_widget_get_first_child (variants); child && first_button == NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_BUTTON (gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child))))
      first_button = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));
  g_assert_nonnull (first_button);
  g_signal_emit_by_name (first_button, "clicked");
  test_wait_until (viewer_open, page);
  g_assert_cmpuint (vetter_variant_viewer_get_variant (viewer), ==, 0);
  g_assert_nonnull (strstr (vetter_variant_viewer_get_title (viewer), "1 of"));

  /* Real keys: → steps, A decides nothing while the variants are open,
   * Escape closes them. */
  test_keys_focus (GTK_WINDOW (window));
  test_keys_names (GTK_WINDOW (window), "Right");
  test_wait_until (variant_shown, &second);
  test_keys_names (GTK_WINDOW (window), "a Escape");
  test_wait_until (viewer_closed, page);
  g_assert_cmpint (vetter_review_page_get_current_item (page), ==, ad);
  {
    g_autoptr(VetterItemDetail) item = read_item (engine, ad);

    g_assert_cmpint (item->status, ==, VETTER_STATUS_NEEDS_REVIEW);
  }

  /* The page has the keys back. */
  test_keys_names (GTK_WINDOW (window), "a");
  wait_for_status (engine, ad, "approved");

  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  test_spin (200);
  g_assert_finalize_object (window);
  test_remove_tree (dir);
}

/* Looks for a button whose label is @label under @widget. */
static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found)
        return found;
    }
  return NULL;
}

static gboolean
comparing (gpointer data)
{
  return g_strcmp0 (vetter_review_page_get_state (data), "compare") == 0;
}

/* An ad whose picture repeats an earlier ad's: its duplicate defect
 * offers both ads side by side, and Escape comes back to it. */
static void
test_duplicate_side_by_side (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "ads.csv", NULL);
  g_autoptr(VetterPixels) pixels = test_textured (800, 600, 555);
  g_autofree char *image = test_write_jpeg (pixels, dir, "same.jpg", 90);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  VetterReviewPage *page = vetter_window_get_review_page (window);
  VetterDuplicateView *compare = template_child (page, VETTER_TYPE_REVIEW_PAGE, "duplicate_view");
  GtkWidget *button = NULL;
  gint64 repeating;

  g_assert_true (g_file_set_contents (path,
                                      "email,image,title\n"
                                      "first@example.com,same.jpg,The first ad\n"
                                      "second@example.com,same.jpg,The second ad\n", -1, NULL));
  gtk_window_present (GTK_WINDOW (window));
  show_batch (window, test_add_and_finish (window, file));
  for (guint i = 0; i < 2 && button == NULL; i++)
    {
      button = find_button (template_child (vetter_review_page_get_detail_view (page), VETTER_TYPE_ITEM_DETAIL_VIEW,
                                            "defect_list"), "_Compare");
      if (button == NULL)
        {
          gtk_widget_activate_action (GTK_WIDGET (page), "review.next", NULL);
          test_wait_until (test_item_shown, page);
        }
    }
  g_assert_nonnull (button);
  repeating = vetter_review_page_get_current_item (page);

  g_signal_emit_by_name (button, "clicked");
  test_wait_until (comparing, page);
  g_assert_nonnull (vetter_duplicate_view_get_earlier (compare));
  g_assert_cmpint (vetter_duplicate_view_get_earlier (compare)->id, !=, repeating);
  /* Whichever was processed second repeats the other. */
  g_assert_cmpstr (vetter_duplicate_view_get_earlier (compare)->title, !=,
                   vetter_review_cursor_get_current (vetter_review_page_get_cursor (page))->title);
  {
    g_autofree char *text = test_widget_text (GTK_WIDGET (compare));

    g_assert_nonnull (strstr (text, "The second ad"));
    g_assert_nonnull (strstr (text, "The first ad"));
  }

  test_keys_focus (GTK_WINDOW (window));
  test_keys_names (GTK_WINDOW (window), "Escape");
  test_wait_until (viewer_closed, page);
  g_assert_cmpint (vetter_review_page_get_current_item (page), ==, repeating);

  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  test_spin (200);
  g_assert_finalize_object (window);
  test_remove_tree (dir);
}

/* A photo on black, bars on all four sides: four boxes on screen, each
 * with its own label where it can be read, none under another. */
static void
test_frame_bars_labelled (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "ads.csv", NULL);
  g_autoptr(VetterPixels) pixels = test_flat (1600, 1200, 0, 0, 0);
  g_autofree char *image = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  VetterReviewPage *page = vetter_window_get_review_page (window);
  VetterImageView *view = vetter_review_page_get_image_view (page);
  graphene_rect_t areas[4];

  test_paste_texture (pixels, 200, 120, 1200, 960, 31);
  image = test_write_jpeg (pixels, dir, "framed.jpg", 92);
  g_assert_true (g_file_set_contents (path, "email,image,title\nframe@example.com,framed.jpg,Framed\n", -1, NULL));
  gtk_window_present (GTK_WINDOW (window));
  show_batch (window, test_add_and_finish (window, file));
  g_assert_cmpuint (vetter_image_view_get_n_boxes (view), ==, 4);
  test_spin (300);

  for (guint i = 0; i < 4; i++)
    {
      g_assert_true (vetter_image_view_get_label_area (view, i, &areas[i]));
      g_assert_cmpfloat (areas[i].origin.x, >=, 0);
      g_assert_cmpfloat (areas[i].origin.y, >=, 0);
      g_assert_cmpfloat (areas[i].origin.x + areas[i].size.width, <=, gtk_widget_get_width (GTK_WIDGET (view)));
      g_assert_cmpfloat (areas[i].origin.y + areas[i].size.height, <=, gtk_widget_get_height (GTK_WIDGET (view)));
      for (guint j = 0; j < i; j++)
        g_assert_false (graphene_rect_intersection (&areas[i], &areas[j], NULL));
    }

  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  test_spin (200);
  g_assert_finalize_object (window);
  test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *db_dir = NULL;
  int status;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  app = test_start_application (&db_dir);

  g_test_add_func ("/review/keyboard-shortcuts", test_keyboard_shortcuts);
  g_test_add_func ("/review/flow", test_review_flow);
  g_test_add_func ("/review/queue-grows-under-the-item", test_queue_grows_under_the_item);
  g_test_add_func ("/review/burst-of-keys", test_burst_of_keys);
  g_test_add_func ("/review/variants-in-window", test_variants_in_window);
  g_test_add_func ("/review/duplicate-side-by-side", test_duplicate_side_by_side);
  g_test_add_func ("/review/frame-bars-labelled", test_frame_bars_labelled);

  status = g_test_run ();
  g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  test_remove_tree (db_dir);
  return status;
}
