/* test-window.c: the application and its main window, in a real X server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "vetter-application.h"
#include "vetter-batch-object.h"
#include "vetter-item-list.h"
#include "vetter-item-object.h"
#include "vetter-test-util.h"
#include "vetter-window.h"

/* One application for the whole program, as in a real session: it can be
 * registered on the bus only once. */
static VetterApplication *app;

static void
start_application (void)
{
  g_autoptr(GError) error = NULL;

  app = vetter_application_new ();

  /* Registering runs startup, which installs the actions and accelerators. */
  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
}

static void
close_all_windows (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  while (g_list_model_get_n_items (toplevels) > 0)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, 0);
      gtk_window_destroy (window);
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
test_actions_and_accels (void)
{
  g_auto(GStrv) quit_accels = NULL;

  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "about"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "quit"));

  quit_accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.quit");
  g_assert_cmpuint (g_strv_length (quit_accels), ==, 1);
  g_assert_cmpstr (quit_accels[0], ==, "<Control>q");

}

static void
test_empty_state (void)
{
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  GtkWidget *stack;
  GtkWidget *page;

  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Vetter");
  /* One engine, the application's, for all its windows: two would fight
   * over the same database. */
  g_assert_true (vetter_window_get_engine (window) == vetter_context_get_engine (vetter_application_get_context (app)));

  stack = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), VETTER_TYPE_WINDOW, "main_stack"));
  g_assert_true (GTK_IS_STACK (stack));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "empty");
  page = gtk_stack_get_visible_child (GTK_STACK (stack));
  g_assert_true (ADW_IS_STATUS_PAGE (page));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (page)), ==, "Nothing to Review");
  g_assert_true (gtk_widget_get_mapped (page));

  /* The shortcuts window comes from the resource bundle through GtkApplication. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL));
  g_assert_nonnull (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));

  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  close_all_windows ();
  g_assert_null (window);
}

static void
test_about_window (void)
{
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  GListModel *toplevels = gtk_window_get_toplevels ();
  gboolean found = FALSE;

  gtk_window_present (GTK_WINDOW (window));
  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_ABOUT_WINDOW (toplevel))
        {
          found = TRUE;
          g_assert_cmpstr (adw_about_window_get_application_name (ADW_ABOUT_WINDOW (toplevel)), ==, "Vetter");
          g_assert_true (gtk_window_get_transient_for (toplevel) == GTK_WINDOW (window));
        }
    }
  g_assert_true (found);

  close_all_windows ();
}

static GtkDropTarget *
find_drop_target (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        return GTK_DROP_TARGET (controller);
    }
  return NULL;
}

static gboolean
has_batch (gpointer data)
{
  return g_list_model_get_n_items (vetter_window_get_batches (data)) > 0;
}

static gboolean
first_batch_done (gpointer data)
{
  g_autoptr(VetterBatchObject) batch = g_list_model_get_item (vetter_window_get_batches (data), 0);

  return batch && vetter_batch_object_get_fraction (batch) >= 1.0 &&
         vetter_batch_object_get_state (batch) == VETTER_BATCH_DONE;
}

static gboolean
batch_paused (gpointer data)
{
  return vetter_batch_object_get_state (data) == VETTER_BATCH_PAUSED;
}

/* A drop goes through the window's own drop target, as a real one does,
 * and the queue follows the batch to its end. */
static void
test_drop_fills_queue (void)
{
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *bogus = g_build_filename (dir, "notes.txt", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autoptr(GFile) text = NULL;
  GdkFileList *list;
  g_autoptr(VetterBatchObject) batch = NULL;
  GtkDropTarget *target = find_drop_target (GTK_WIDGET (window));
  GtkWidget *stack = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), VETTER_TYPE_WINDOW, "main_stack"));
  GValue value = G_VALUE_INIT;
  GSList *files = NULL;
  gboolean accepted = FALSE;

  for (guint i = 0; i < 6; i++)
    {
      g_autoptr(VetterPixels) pixels = test_textured (700, 500, i);
      g_autofree char *name = g_strdup_printf ("ad-%u.jpg", i);
      g_autofree char *path = test_write_jpeg (pixels, dir, name, 90);
    }
  g_assert_true (g_file_set_contents (bogus, "hello", -1, NULL));
  text = g_file_new_for_path (bogus);

  gtk_window_present (GTK_WINDOW (window));
  g_assert_nonnull (target);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "empty");

  files = g_slist_append (files, folder);
  files = g_slist_append (files, text);
  list = gdk_file_list_new_from_list (files);
  g_slist_free (files);
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, list);
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &accepted);
  g_value_unset (&value);
  g_assert_true (accepted);

  test_wait_until (has_batch, window);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "queue");
  batch = g_list_model_get_item (vetter_window_get_batches (window), 0);
  g_assert_cmpstr (vetter_batch_object_get_title (batch), ==, g_path_get_basename (dir));

  /* The row's own buttons pause and resume the batch. */
  {
    GtkListBox *batch_list = GTK_LIST_BOX (gtk_widget_get_template_child (GTK_WIDGET (window), VETTER_TYPE_WINDOW, "batch_list"));
    GtkWidget *row = GTK_WIDGET (gtk_list_box_get_row_at_index (batch_list, 0));

    g_assert_nonnull (row);
    g_assert_true (gtk_widget_activate_action (row, "batch.pause", NULL));
    test_wait_until (batch_paused, batch);
    g_assert_nonnull (strstr (vetter_batch_object_get_subtitle (batch), "Paused"));
    g_assert_true (gtk_widget_activate_action (row, "batch.resume", NULL));
  }
  test_wait_until (first_batch_done, window);
  g_assert_cmpint (vetter_batch_object_get_failed (batch), ==, 0);
  g_assert_nonnull (strstr (vetter_batch_object_get_subtitle (batch), "6 of 6 done"));

  /* Activating the batch shows its items, read from the store as rows ask
   * for them, each with its status and thumbnail. */
  {
    GtkListBox *batch_list = GTK_LIST_BOX (gtk_widget_get_template_child (GTK_WIDGET (window), VETTER_TYPE_WINDOW, "batch_list"));
    GListModel *items;
    g_autoptr(VetterItemObject) item = NULL;
    GdkTexture *thumbnail = NULL;

    g_signal_emit_by_name (batch_list, "row-activated", gtk_list_box_get_row_at_index (batch_list, 0));
    g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "items");
    items = vetter_window_get_items (window);
    g_assert_nonnull (items);
    g_assert_cmpuint (g_list_model_get_n_items (items), ==, 6);
    item = g_list_model_get_item (items, 5);
    test_wait_until ((gboolean (*) (gpointer)) vetter_item_object_get_loaded, item);
    g_assert_cmpstr (vetter_status_to_string (vetter_item_object_get_status (item)), ==, "needs_review");
    g_assert_true (g_str_has_suffix (vetter_item_object_get_title (item), ".jpg"));
    g_assert_cmpuint (vetter_item_list_get_pages_read (VETTER_ITEM_LIST (items)), ==, 1);
    /* Asking for the thumbnail, as a row's binding does, loads it. */
    g_object_get (item, "thumbnail", &thumbnail, NULL);
    g_assert_null (thumbnail);
    test_wait_until ((gboolean (*) (gpointer)) vetter_item_object_get_thumbnail, item);

    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-batches", NULL);
    g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "queue");
    g_assert_null (vetter_window_get_items (window));
  }

  close_all_windows ();
  test_remove_tree (dir);
}

static void
test_window_finalizes (void)
{
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));

  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

typedef struct
{
  VetterWindow *window;
  gint64        batch;
  VetterBatchState state;
} StateWait;

static VetterBatchObject *
batch_of (VetterWindow *window,
          gint64        id)
{
  GListModel *batches = vetter_window_get_batches (window);

  for (guint i = 0; i < g_list_model_get_n_items (batches); i++)
    {
      VetterBatchObject *batch = g_list_model_get_item (batches, i);

      if (vetter_batch_object_get_id (batch) == id)
        return batch;
      g_object_unref (batch);
    }
  return NULL;
}

static gboolean
batch_in_state (gpointer data)
{
  StateWait *wait = data;
  g_autoptr(VetterBatchObject) batch = batch_of (wait->window, wait->batch);

  return batch && vetter_batch_object_get_state (batch) == wait->state;
}

static void
on_added (VetterWindow *window,
          gint64        batch,
          gboolean      resumed,
          gint64       *id)
{
  *id = batch;
}

static gboolean
id_known (gpointer data)
{
  return *(gint64 *) data != 0;
}

/* Work is never thrown away without asking: closing the window with ads
 * still to process asks first and says they go on at the next start;
 * cancelling a running batch asks first and says how many ads it leaves;
 * a cancelled batch says so, with the count, in words. */
static void
test_asks_before_work_is_left (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "many.csv", NULL);
  g_autoptr(VetterPixels) pixels = test_textured (1600, 1200, 3);
  g_autofree char *image = test_write_jpeg (pixels, dir, "ad.jpg", 90);
  g_autoptr(GString) csv = g_string_new ("email,image,title\n");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(VetterBatchObject) batch = NULL;
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  StateWait cancelled = { window, 0, VETTER_BATCH_CANCELLED };
  GtkWidget *row;
  gint64 id = 0;

  for (guint i = 0; i < 600; i++)
    g_string_append_printf (csv, "seller%u@example.com,ad.jpg,Ad %u\n", i, i);
  g_assert_true (g_file_set_contents (path, csv->str, -1, NULL));
  g_object_ref (window);
  gtk_window_present (GTK_WINDOW (window));
  g_signal_connect (window, "batch-added", G_CALLBACK (on_added), &id);
  vetter_window_add_files (window, &file, 1);
  test_wait_until (id_known, &id);
  cancelled.batch = id;

  /* Closing now asks; keeping on keeps the window. */
  gtk_window_close (GTK_WINDOW (window));
  test_wait_until (test_dialog_shown, NULL);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (test_find_dialog ()), "next time Vetter starts"));
  test_answer_dialog ("keep");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));

  /* Cancel asks too; the answer "keep going" leaves the batch running. */
  row = GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (gtk_widget_get_template_child (
          GTK_WIDGET (window), VETTER_TYPE_WINDOW, "batch_list")), 0));
  g_assert_true (gtk_widget_activate_action (row, "batch.cancel", NULL));
  test_wait_until (test_dialog_shown, NULL);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (test_find_dialog ()), "already processed"));
  test_answer_dialog ("keep");
  batch = batch_of (window, id);
  g_assert_cmpint (vetter_batch_object_get_state (batch), ==, VETTER_BATCH_RUNNING);
  g_assert_true (gtk_widget_activate_action (row, "batch.cancel", NULL));
  test_wait_until (test_dialog_shown, NULL);
  test_answer_dialog ("cancel-batch");
  test_wait_until (batch_in_state, &cancelled);
  g_assert_nonnull (strstr (vetter_batch_object_get_subtitle (batch), "were not processed"));

  /* Nothing in flight: the window closes at once. */
  gtk_window_close (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (test_find_dialog ());
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_object_unref (window);
  test_remove_tree (dir);
}

/* A message too long for a toast is read whole in a dialog. */
static void
test_long_message_details (void)
{
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  g_autoptr(GString) text = g_string_new ("rows.csv could not be added:");
  g_autofree char *shown = NULL;

  for (guint i = 0; i < 40; i++)
    g_string_append_printf (text, " line %u has an unterminated quote;", i);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-details", "s", text->str));
  test_wait_until (test_dialog_shown, NULL);
  shown = test_widget_text (adw_message_dialog_get_extra_child (test_find_dialog ()));
  g_assert_nonnull (strstr (shown, "line 39 has an unterminated quote"));
  test_answer_dialog ("close");
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The person in the header: who acts, in a word; its menu opens the
 * Services page, where one signs in to a shared database as someone. */
static void
test_person_in_header (void)
{
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  GtkWidget *button = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), VETTER_TYPE_WINDOW,
                                                                 "person_button"));
  GtkWidget *label = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), VETTER_TYPE_WINDOW,
                                                                "person_label"));
  GListModel *toplevels = gtk_window_get_toplevels ();
  gboolean found = FALSE;

  gtk_window_present (GTK_WINDOW (window));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (label)), ==, g_get_user_name ());
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (button), "this computer's account"));
  {
    GMenuModel *menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (button));
    g_autofree char *action = NULL;

    /* Alone, its one item leads to a shared database. */
    g_assert_cmpint (g_menu_model_get_n_items (menu), ==, 1);
    g_menu_model_get_item_attribute (menu, 0, G_MENU_ATTRIBUTE_ACTION, "s", &action);
    g_assert_cmpstr (action, ==, "app.switch-user");
  }
  g_action_group_activate_action (G_ACTION_GROUP (app), "switch-user", NULL);
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_PREFERENCES_WINDOW (toplevel))
        {
          found = TRUE;
          g_assert_cmpstr (adw_preferences_window_get_visible_page_name (ADW_PREFERENCES_WINDOW (toplevel)), ==,
                           "services");
        }
    }
  g_assert_true (found);
  close_all_windows ();
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_autofree char *db_dir = NULL;
  g_autofree char *db = NULL;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* A database of its own, so earlier runs do not show in the queue. */
  db_dir = test_tmpdir ();
  db = g_build_filename (db_dir, "vetter.db", NULL);
  g_setenv ("VETTER_DB", db, TRUE);
  start_application ();

  g_test_add_func ("/window/actions-and-accels", test_actions_and_accels);
  g_test_add_func ("/window/empty-state", test_empty_state);
  g_test_add_func ("/window/about", test_about_window);
  g_test_add_func ("/window/person-in-header", test_person_in_header);
  g_test_add_func ("/window/finalizes", test_window_finalizes);
  g_test_add_func ("/window/drop-fills-queue", test_drop_fills_queue);
  g_test_add_func ("/window/asks-before-work-is-left", test_asks_before_work_is_left);
  g_test_add_func ("/window/long-message-details", test_long_message_details);

  status = g_test_run ();
  g_clear_object (&app);
  test_remove_tree (db_dir);
  return status;
}
