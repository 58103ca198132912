/* test-window.c: the application and its main window, in a real X server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "vetter-application.h"
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

int
main (int   argc,
      char *argv[])
{
  int status;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  start_application ();

  g_test_add_func ("/window/actions-and-accels", test_actions_and_accels);
  g_test_add_func ("/window/empty-state", test_empty_state);
  g_test_add_func ("/window/about", test_about_window);
  g_test_add_func ("/window/finalizes", test_window_finalizes);

  status = g_test_run ();
  g_clear_object (&app);
  return status;
}
