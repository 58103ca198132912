/* test-console.c: the console in the main window, in a real X server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "vetter-application.h"
#include "vetter-config.h"
#include "vetter-context.h"
#include "vetter-console-page.h"
#include "vetter-item-detail-view.h"
#include "vetter-review-page.h"
#include "vetter-store.h"
#include "vetter-test-util.h"
#include "vetter-window.h"

static VetterApplication *app;

/* The database the tests' window opens, filled with twelve ads. */
static const char *test_db;

static GtkWidget *
child (VetterConsolePage *page,
       const char        *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), VETTER_TYPE_CONSOLE_PAGE, name));
}

typedef struct
{
  VetterConsolePage *page;
  guint              rows;
} RowsWait;

static gboolean
shows_rows (gpointer data)
{
  RowsWait *wait = data;
  VetterTableModel *model = vetter_console_page_get_model (wait->page);

  return model && vetter_table_model_is_ready (model) &&
         g_list_model_get_n_items (G_LIST_MODEL (model)) == wait->rows;
}

static void
wait_for_rows (VetterConsolePage *page,
               guint              rows)
{
  test_wait_until (shows_rows, &(RowsWait) { page, rows });
}

/* The check button of @field's facet whose label begins with @words. */
static GtkCheckButton *
facet_button (VetterConsolePage *page,
              const char        *words)
{
  for (GtkWidget *group = gtk_widget_get_first_child (child (page, "facet_box")); group;
       group = gtk_widget_get_next_sibling (group))
    for (GtkWidget *button = gtk_widget_get_first_child (group); button; button = gtk_widget_get_next_sibling (button))
      if (GTK_IS_CHECK_BUTTON (button) &&
          g_str_has_prefix (gtk_check_button_get_label (GTK_CHECK_BUTTON (button)), words))
        return GTK_CHECK_BUTTON (button);
  return NULL;
}

typedef struct
{
  VetterConsolePage *page;
  const char        *words;
} ValueWait;

static gboolean
has_value (gpointer data)
{
  ValueWait *wait = data;

  return facet_button (wait->page, wait->words) != NULL;
}

static gboolean
no_values_offered (gpointer data)
{
  for (GtkWidget *group = gtk_widget_get_first_child (child (data, "facet_box")); group;
       group = gtk_widget_get_next_sibling (group))
    for (GtkWidget *b = gtk_widget_get_first_child (group); b; b = gtk_widget_get_next_sibling (b))
      if (GTK_IS_CHECK_BUTTON (b))
        return FALSE;
  return TRUE;
}

static gboolean
focus_in_page (gpointer data)
{
  GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (data));

  return focus && gtk_widget_is_ancestor (focus, data);
}

static GtkColumnViewColumn *
column_titled (GtkColumnView *view,
               const char    *title)
{
  GListModel *columns = gtk_column_view_get_columns (view);

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (g_strcmp0 (gtk_column_view_column_get_title (column), title) == 0)
        return column;
    }
  return NULL;
}

static gint64
first_key (VetterConsolePage *page)
{
  g_autoptr(VetterRecord) record = g_list_model_get_item (G_LIST_MODEL (vetter_console_page_get_model (page)), 0);

  return vetter_record_get_key (record);
}

typedef struct
{
  VetterConsolePage *page;
  gint64             key;
} FirstWait;

static gboolean
first_is (gpointer data)
{
  FirstWait *wait = data;
  VetterTableModel *model = vetter_console_page_get_model (wait->page);

  return vetter_table_model_is_ready (model) && g_list_model_get_n_items (G_LIST_MODEL (model)) > 0 &&
         first_key (wait->page) == wait->key;
}

static gboolean
label_is (gpointer data)
{
  const char **pair = data;

  return g_strcmp0 (gtk_label_get_label (GTK_LABEL (pair[0])), pair[1]) == 0;
}

/* Through the real widgets: the console lists the ads; the search, a
 * facet's values (two of one field: either) and a click on a column
 * header each change the rows, asked of the database; the count says how
 * many; another record type shows its own columns. */
static void
test_console_lists (void)
{
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  VetterConsolePage *page = vetter_window_get_console_page (window);
  GtkColumnView *view = GTK_COLUMN_VIEW (child (page, "column_view"));
  GtkCheckButton *approved, *rejected;
  GtkColumnViewColumn *title;

  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "console");
  wait_for_rows (page, 12);
  /* The console's keys work from the moment it shows: the focus is in it. */
  test_wait_until (focus_in_page, page);
  /* Newest first, as the table says. */
  g_assert_cmpint (first_key (page), ==, 12);
  test_wait_until (label_is, (const char *[]) { (const char *) child (page, "count_label"), "12 rows" });

  /* The search: literal text, SQL words and all. */
  gtk_editable_set_text (GTK_EDITABLE (child (page, "search_entry")), "scooter");
  wait_for_rows (page, 2);
  gtk_editable_set_text (GTK_EDITABLE (child (page, "search_entry")), "'; DROP TABLE item; --");
  wait_for_rows (page, 1);
  g_assert_cmpint (first_key (page), ==, 7);
  /* Nothing found: no value to offer either. */
  gtk_editable_set_text (GTK_EDITABLE (child (page, "search_entry")), "no such ad anywhere");
  wait_for_rows (page, 0);
  test_wait_until (no_values_offered, page);
  gtk_editable_set_text (GTK_EDITABLE (child (page, "search_entry")), "");
  wait_for_rows (page, 12);

  /* Facets: approved, then rejected too. */
  test_wait_until (has_value, &(ValueWait) { page, "Approved (4)" });
  approved = facet_button (page, "Approved (4)");
  gtk_check_button_set_active (approved, TRUE);
  wait_for_rows (page, 4);
  rejected = facet_button (page, "Rejected (4)");
  g_assert_nonnull (rejected);
  gtk_check_button_set_active (rejected, TRUE);
  wait_for_rows (page, 8);

  /* A click on Title's header sorts by title, in SQL, both ways. */
  title = column_titled (view, "Title");
  g_assert_nonnull (title);
  gtk_column_view_sort_by_column (view, title, GTK_SORT_ASCENDING);
  test_wait_until (first_is, &(FirstWait) { page, 7 });
  gtk_column_view_sort_by_column (view, title, GTK_SORT_DESCENDING);
  test_wait_until (first_is, &(FirstWait) { page, 4 });

  /* The eight rows the filters keep, exported and read back. */
  {
    g_autofree char *dir = test_tmpdir ();
    g_autofree char *path = g_build_filename (dir, "ads.csv", NULL);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    vetter_console_page_export (page, "csv", path);
    test_wait_until (label_is, (const char *[]) { (const char *) child (page, "result_label"), "Exported 8 rows" });
    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    lines = g_strsplit (text, "\r\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, 10);
    g_assert_true (g_str_has_prefix (lines[0], "id,title,email,status,"));
    g_assert_true (g_str_has_prefix (lines[1], "4,tyres_50,"));

    /* As a spreadsheet: a zip that begins like one, the same rows. */
    g_clear_pointer (&path, g_free);
    g_clear_pointer (&text, g_free);
    path = g_build_filename (dir, "ads.xlsx", NULL);
    gtk_label_set_label (GTK_LABEL (child (page, "result_label")), "");
    vetter_console_page_export (page, "xlsx", path);
    test_wait_until (label_is, (const char *[]) { (const char *) child (page, "result_label"), "Exported 8 rows" });
    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    g_assert_cmpmem (text, 4, "PK\x03\x04", 4);
    test_remove_tree (dir);
  }

  /* Another record type: its own columns, its own rows. */
  vetter_console_page_show_table (page, "batches");
  wait_for_rows (page, 2);
  g_assert_nonnull (column_titled (view, "Source"));
  g_assert_null (column_titled (view, "Title"));
  vetter_console_page_show_table (page, "advertisers");
  wait_for_rows (page, 2);

  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct
{
  VetterConsolePage *page;
  gint64             key;
  guint              index;   /* among the table's value columns; 3: an ad's status */
  const char        *value;
} ValueOfRow;

/* The row of @key shows @value (the list is read again after a change). */
static gboolean
row_value_is (gpointer data)
{
  ValueOfRow *wait = data;
  GListModel *model = G_LIST_MODEL (vetter_console_page_get_model (wait->page));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(VetterRecord) record = g_list_model_get_item (model, i);

      if (vetter_record_get_key (record) == wait->key)
        return g_strcmp0 (vetter_record_get_value (record, wait->index), wait->value) == 0;
    }
  return FALSE;
}

/* Every matching row approved at once, then taken back; one selected row
 * rejected with a reason; a failed ad is left alone, and the page says so. */
static void
test_console_bulk_actions (void)
{
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  VetterConsolePage *page = vetter_window_get_console_page (window);
  GtkSelectionModel *selection;

  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "console");
  vetter_console_page_show_table (page, "ads");
  gtk_editable_set_text (GTK_EDITABLE (child (page, "search_entry")), "scooter");
  wait_for_rows (page, 2);
  g_assert_true (gtk_action_bar_get_revealed (GTK_ACTION_BAR (child (page, "action_bar"))));

  /* Nothing selected: nothing done, and a word why. */
  gtk_widget_activate_action (GTK_WIDGET (page), "console.decide", "s", "approved");
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (child (page, "result_label"))), "Select rows first"));

  gtk_check_button_set_active (GTK_CHECK_BUTTON (child (page, "all_matching")), TRUE);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (page, "selection_label"))), ==, "All 2 matching rows");
  gtk_widget_activate_action (GTK_WIDGET (page), "console.decide", "s", "approved");
  test_wait_until (label_is, (const char *[]) { (const char *) child (page, "result_label"), "2 ads decided" });
  test_wait_until (row_value_is, &(ValueOfRow) { page, 8, 3, "approved" });
  test_wait_until (row_value_is, &(ValueOfRow) { page, 9, 3, "approved" });

  gtk_widget_activate_action (GTK_WIDGET (page), "console.undo", NULL);
  test_wait_until (row_value_is, &(ValueOfRow) { page, 8, 3, "rejected" });
  test_wait_until (row_value_is, &(ValueOfRow) { page, 9, 3, "needs_review" });
  g_assert_false (gtk_widget_get_visible (child (page, "undo_button")));

  /* One selected row, rejected with a reason. */
  gtk_check_button_set_active (GTK_CHECK_BUTTON (child (page, "all_matching")), FALSE);
  selection = gtk_column_view_get_model (GTK_COLUMN_VIEW (child (page, "column_view")));
  gtk_selection_model_select_item (selection, 0, TRUE);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (page, "selection_label"))), ==, "1 selected");
  gtk_widget_activate_action (GTK_WIDGET (page), "console.reject", "s", "prohibited");
  test_wait_until (row_value_is, &(ValueOfRow) { page, 9, 3, "rejected" });

  gtk_editable_set_text (GTK_EDITABLE (child (page, "search_entry")), "");
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A column hidden from its header's menu stays hidden in the next window;
 * one the list hides itself can be shown; columns moved and resized stay
 * where and as wide as they were left. */
static void
test_console_columns_remembered (void)
{
  for (guint round = 0; round < 2; round++)
    {
      VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
      VetterConsolePage *page = vetter_window_get_console_page (window);
      GtkColumnView *view = GTK_COLUMN_VIEW (child (page, "column_view"));

      gtk_window_present (GTK_WINDOW (window));
      vetter_console_page_show_table (page, "ads");
      wait_for_rows (page, 12);
      if (round == 0)
        {
          g_assert_true (gtk_column_view_column_get_visible (column_titled (view, "E-mail")));
          g_assert_false (gtk_column_view_column_get_visible (column_titled (view, "Category")));
          gtk_widget_activate_action (GTK_WIDGET (page), "columns.email", NULL);
          gtk_widget_activate_action (GTK_WIDGET (page), "columns.category", NULL);
          /* Dragged first, and widened, as by their headers. */
          gtk_column_view_insert_column (view, 0, column_titled (view, "Status"));
          gtk_column_view_column_set_fixed_width (column_titled (view, "Title"), 333);
          /* Kept once the drag is over. */
          test_spin (700);
        }
      g_assert_false (gtk_column_view_column_get_visible (column_titled (view, "E-mail")));
      g_assert_true (gtk_column_view_column_get_visible (column_titled (view, "Category")));
      {
        g_autoptr(GtkColumnViewColumn) first = g_list_model_get_item (gtk_column_view_get_columns (view), 0);

        g_assert_cmpstr (gtk_column_view_column_get_title (first), ==, "Status");
      }
      g_assert_cmpint (gtk_column_view_column_get_fixed_width (column_titled (view, "Title")), ==, 333);
      if (round == 1)
        {
          /* The next tests see the lists' own order and widths. */
          g_autoptr(GSettings) settings = vetter_config_get_settings ();

          g_settings_reset (settings, "console-column-order");
          g_settings_reset (settings, "console-column-widths");
        }
      gtk_window_destroy (GTK_WINDOW (window));
    }
}

static gboolean
shows_detail (gpointer data)
{
  VetterConsolePage *page = data;

  return g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (child (page, "stack"))), "detail") == 0;
}

/* Enter on an ad opens it in full (its findings, variants and history);
 * Escape goes back to the list where it was. */
static void
test_console_detail (void)
{
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  VetterConsolePage *page = vetter_window_get_console_page (window);
  VetterItemDetail *item;

  gtk_window_present (GTK_WINDOW (window));
  vetter_console_page_show_table (page, "ads");
  wait_for_rows (page, 12);
  g_signal_emit_by_name (child (page, "column_view"), "activate", 2);
  test_wait_until (shows_detail, page);
  item = vetter_item_detail_view_get_item (VETTER_ITEM_DETAIL_VIEW (child (page, "detail_view")));
  g_assert_cmpint (item->id, ==, 10);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (page, "detail_title"))), ==, "Ad 10: Honda Civic");
  gtk_widget_activate_action (GTK_WIDGET (page), "console.back", NULL);
  g_assert_false (shows_detail (page));
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
views_button_has_menu (gpointer data)
{
  VetterConsolePage *page = data;
  GMenuModel *menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (child (page, "views_button")));
  GMenuModel *saved = menu ? g_menu_model_get_item_link (menu, 0, G_MENU_LINK_SECTION) : NULL;
  gboolean has = saved && g_menu_model_get_n_items (saved) > 0;

  g_clear_object (&saved);
  return has;
}

/* A view saved in one window (a search, a sort, a hidden column) is one
 * click away in the next, and shows the same rows the same way. */
static void
test_console_saved_views (void)
{
  for (guint round = 0; round < 2; round++)
    {
      VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
      VetterConsolePage *page = vetter_window_get_console_page (window);
      GtkColumnView *view = GTK_COLUMN_VIEW (child (page, "column_view"));

      gtk_window_present (GTK_WINDOW (window));
      vetter_console_page_show_table (page, "ads");
      wait_for_rows (page, 12);
      if (round == 0)
        {
          gtk_editable_set_text (GTK_EDITABLE (child (page, "search_entry")), "civic");
          wait_for_rows (page, 2);
          gtk_column_view_sort_by_column (view, column_titled (view, "Title"), GTK_SORT_ASCENDING);
          test_wait_until (first_is, &(FirstWait) { page, 10 });
          gtk_column_view_column_set_visible (column_titled (view, "Decided by"), FALSE);
          vetter_console_page_save_view (page, "Civics by title");
          test_wait_until (views_button_has_menu, page);
        }
      else
        {
          test_wait_until (views_button_has_menu, page);
          g_assert_true (gtk_column_view_column_get_visible (column_titled (view, "Decided by")));
          gtk_widget_activate_action (GTK_WIDGET (page), "console.apply-view", "s", "Civics by title");
          wait_for_rows (page, 2);
          test_wait_until (first_is, &(FirstWait) { page, 10 });
          g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (page, "search_entry"))), ==, "civic");
          g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (page, "view_label"))), ==, "Civics by title");
          g_assert_false (gtk_column_view_column_get_visible (column_titled (view, "Decided by")));
        }
      gtk_window_destroy (GTK_WINDOW (window));
    }
}

/* The outbox list: the refused rows, kept by their facet, sent again with
 * Try Again; they leave the list of refused ones. */
static void
test_console_outbox_try_again (void)
{
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  VetterConsolePage *page = vetter_window_get_console_page (window);
  GtkCheckButton *parked;

  gtk_window_present (GTK_WINDOW (window));
  vetter_console_page_show_table (page, "outbox");
  wait_for_rows (page, 4);
  g_assert_true (gtk_widget_get_visible (child (page, "try_again_button")));
  g_assert_false (gtk_widget_get_visible (child (page, "approve_button")));
  test_wait_until (has_value, &(ValueWait) { page, "parked (2)" });
  parked = facet_button (page, "parked (2)");
  gtk_check_button_set_active (parked, TRUE);
  wait_for_rows (page, 2);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (child (page, "all_matching")), TRUE);
  gtk_widget_activate_action (GTK_WIDGET (page), "console.try-again", NULL);
  test_wait_until (label_is, (const char *[]) { (const char *) child (page, "result_label"), "2 rows are due again now" });
  wait_for_rows (page, 0);
  gtk_window_destroy (GTK_WINDOW (window));
}

static GtkDropDown *
period_dropdown (VetterConsolePage *page,
                 const char        *field)
{
  for (GtkWidget *group = gtk_widget_get_first_child (child (page, "facet_box")); group;
       group = gtk_widget_get_next_sibling (group))
    for (GtkWidget *widget = gtk_widget_get_first_child (group); widget; widget = gtk_widget_get_next_sibling (widget))
      if (GTK_IS_DROP_DOWN (widget) && g_strcmp0 (g_object_get_data (G_OBJECT (widget), "vetter-field"), field) == 0)
        return GTK_DROP_DOWN (widget);
  return NULL;
}

static gboolean
has_period (gpointer data)
{
  return period_dropdown (data, "created") != NULL;
}

/* "Today" and "Last 7 days" keep the ads added since the start of the day
 * (local time), and since six days before it. */
static void
test_console_periods (void)
{
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  VetterConsolePage *page = vetter_window_get_console_page (window);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) midnight = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                                                         g_date_time_get_day_of_month (now), 0, 0, 0);
  g_autoptr(GDateTime) week = g_date_time_add_days (midnight, -6);
  guint today = 0, last_week = 0;

  /* The fixture's ads: at noon UTC on 2026-12-01, -02, -03 in turn. */
  for (guint i = 0; i < 12; i++)
    {
      gint64 created = 1796126400 + 86400 * (i % 3);

      today += created >= g_date_time_to_unix (midnight);
      last_week += created >= g_date_time_to_unix (week);
    }
  gtk_window_present (GTK_WINDOW (window));
  vetter_console_page_show_table (page, "ads");
  wait_for_rows (page, 12);
  test_wait_until (has_period, page);
  gtk_drop_down_set_selected (period_dropdown (page, "created"), 1);
  wait_for_rows (page, today);
  test_wait_until (has_period, page);
  g_assert_cmpuint (gtk_drop_down_get_selected (period_dropdown (page, "created")), ==, 1);
  gtk_drop_down_set_selected (period_dropdown (page, "created"), 2);
  wait_for_rows (page, last_week);
  gtk_drop_down_set_selected (period_dropdown (page, "created"), 0);
  wait_for_rows (page, 12);

  /* A custom range of days: chosen, its two dates appear; whole days,
   * either end open; a date that is none or a range backwards refused
   * with a word why, the list as it was. (The tests run in UTC.) */
  test_wait_until (has_period, page);
  gtk_drop_down_set_selected (period_dropdown (page, "created"), 4);
  g_assert_true (gtk_widget_get_visible (g_object_get_data (G_OBJECT (period_dropdown (page, "created")),
                                                            "vetter-range")));
  {
    g_autoptr(GError) error = NULL;

    g_assert_true (vetter_console_page_set_range (page, "created", "2026-12-02", "2026-12-02", &error));
    wait_for_rows (page, 4);
    g_assert_true (vetter_console_page_set_range (page, "created", "2026-12-02", "", &error));
    wait_for_rows (page, 8);
    g_assert_false (vetter_console_page_set_range (page, "created", "2026-12-03", "2026-12-01", &error));
    g_assert_cmpstr (error->message, ==, "The range ends (2026-12-01) before it starts (2026-12-03)");
    g_clear_error (&error);
    g_assert_false (vetter_console_page_set_range (page, "created", "2026-13-01", "", &error));
    g_assert_nonnull (strstr (error->message, "is not a date"));
    test_spin (400);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (vetter_console_page_get_model (page))), ==, 8);
  }
  gtk_drop_down_set_selected (period_dropdown (page, "created"), 0);
  wait_for_rows (page, 12);
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
picture_drawn (GtkWidget *widget)
{
  if (GTK_IS_PICTURE (widget) && gtk_picture_get_paintable (GTK_PICTURE (widget)) != NULL)
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    if (picture_drawn (c))
      return TRUE;
  return FALSE;
}

static gboolean
list_shows_picture (gpointer data)
{
  return picture_drawn (data);
}

/* An ad's thumbnail is drawn in its row, first. */
static void
test_console_pictures (void)
{
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  VetterConsolePage *page = vetter_window_get_console_page (window);
  GtkColumnView *view = GTK_COLUMN_VIEW (child (page, "column_view"));
  g_autoptr(GtkColumnViewColumn) first = NULL;

  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "console");
  vetter_console_page_show_table (page, "ads");
  wait_for_rows (page, 12);
  first = g_list_model_get_item (gtk_column_view_get_columns (view), 0);
  g_assert_cmpstr (gtk_column_view_column_get_title (first), ==, "Picture");
  test_wait_until (list_shows_picture, view);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A category set on every matching ad, then taken back; a title that
 * breaks the rules changes nothing, and the page says why. */
static void
test_console_bulk_edit (void)
{
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  VetterConsolePage *page = vetter_window_get_console_page (window);
  const guint category = 9;   /* the ads' value columns: id, title, email, status, rules, reason, by, at, batch, category */

  gtk_window_present (GTK_WINDOW (window));
  vetter_console_page_show_table (page, "ads");
  gtk_editable_set_text (GTK_EDITABLE (child (page, "search_entry")), "tyres");
  wait_for_rows (page, 2);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (child (page, "all_matching")), TRUE);
  vetter_console_page_edit (page, "category", " Tyres & wheels ");
  test_wait_until (label_is, (const char *[]) { (const char *) child (page, "result_label"), "2 ads edited" });
  test_wait_until (row_value_is, &(ValueOfRow) { page, 3, category, "Tyres & wheels" });
  test_wait_until (row_value_is, &(ValueOfRow) { page, 4, category, "Tyres & wheels" });

  vetter_console_page_edit (page, "title", "   ");
  test_wait_until (label_is, (const char *[]) { (const char *) child (page, "result_label"),
                                                "Nothing changed: title: an ad needs one" });
  gtk_widget_activate_action (GTK_WIDGET (page), "console.undo", NULL);
  test_wait_until (row_value_is, &(ValueOfRow) { page, 3, category, NULL });
  test_wait_until (row_value_is, &(ValueOfRow) { page, 4, category, NULL });
  gtk_editable_set_text (GTK_EDITABLE (child (page, "search_entry")), "");
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The audit list, kept to ads' changes, shows ad 12's newest first. */
static gboolean
first_is_object (gpointer data)
{
  VetterConsolePage *page = data;
  VetterTableModel *model = vetter_console_page_get_model (page);
  g_autoptr(VetterRecord) record = NULL;

  if (!vetter_table_model_is_ready (model) || g_list_model_get_n_items (G_LIST_MODEL (model)) == 0)
    return FALSE;
  record = g_list_model_get_item (G_LIST_MODEL (model), 0);
  return vetter_record_get_loaded (record) && g_strcmp0 (vetter_record_get_value (record, 3), "item") == 0 &&
         g_strcmp0 (vetter_record_get_value (record, 4), "12") == 0;
}

static gboolean
has_value_prefix (gpointer data)
{
  ValueWait *wait = data;

  return facet_button (wait->page, wait->words) != NULL;
}

/* A decision taken in the console, then undone from the audit log: the
 * newest change of an ad, selected, reverted as a new change. */
static void
test_console_revert (void)
{
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  VetterConsolePage *page = vetter_window_get_console_page (window);
  GtkSelectionModel *selection;

  gtk_window_present (GTK_WINDOW (window));
  vetter_console_page_show_table (page, "ads");
  gtk_editable_set_text (GTK_EDITABLE (child (page, "search_entry")), "Trailer");
  wait_for_rows (page, 1);
  test_wait_until (row_value_is, &(ValueOfRow) { page, 12, 3, "needs_review" });
  selection = gtk_column_view_get_model (GTK_COLUMN_VIEW (child (page, "column_view")));
  gtk_selection_model_select_item (selection, 0, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (page), "console.decide", "s", "approved");
  test_wait_until (row_value_is, &(ValueOfRow) { page, 12, 3, "approved" });

  vetter_console_page_show_table (page, "audit");
  g_assert_true (gtk_widget_get_visible (child (page, "revert_button")));
  test_wait_until (has_value_prefix, &(ValueWait) { page, "item (" });
  gtk_check_button_set_active (facet_button (page, "item ("), TRUE);
  test_wait_until (first_is_object, page);
  selection = gtk_column_view_get_model (GTK_COLUMN_VIEW (child (page, "column_view")));
  gtk_selection_model_select_item (selection, 0, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (page), "console.revert", NULL);
  test_wait_until (label_is, (const char *[]) { (const char *) child (page, "result_label"),
                                                "Ad 12 is back as it was before that change" });

  vetter_console_page_show_table (page, "ads");
  gtk_editable_set_text (GTK_EDITABLE (child (page, "search_entry")), "Trailer");
  test_wait_until (row_value_is, &(ValueOfRow) { page, 12, 3, "needs_review" });
  gtk_editable_set_text (GTK_EDITABLE (child (page, "search_entry")), "");
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Enter on a batch, or on an advertiser, lists their ads. */
static void
test_console_drill_down (void)
{
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  VetterConsolePage *page = vetter_window_get_console_page (window);

  test_exec_sql (test_db, "UPDATE batch SET output_csv = '/tmp/two-output.csv', callback_url = 'https://example.com/hook'"
                          " WHERE id = 2;"
                          "INSERT INTO outbox (kind, dedupe_key, payload, state, attempts, last_error, created, updated,"
                          " batch_id) VALUES ('webhook', 'webhook:2', '{}', 'parked', 3, 'HTTP 500 Internal Server Error',"
                          " 0, 0, 2)");
  gtk_window_present (GTK_WINDOW (window));
  vetter_console_page_show_table (page, "batches");
  wait_for_rows (page, 2);
  test_wait_until (first_is, &(FirstWait) { page, 2 });
  g_signal_emit_by_name (child (page, "column_view"), "activate", 0);
  wait_for_rows (page, 4);
  test_wait_until (first_is, &(FirstWait) { page, 12 });
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (page, "view_label"))), ==, "Batch 2");

  /* The batch's page: its progress, its output and its callback's fate. */
  test_wait_until ((gboolean (*) (gpointer)) gtk_widget_get_visible, child (page, "batch_box"));
  g_assert_true (g_str_has_prefix (gtk_label_get_label (GTK_LABEL (child (page, "batch_heading"))),
                                   "Batch 2: two.csv, started"));
  g_assert_true (g_str_has_prefix (gtk_label_get_label (GTK_LABEL (child (page, "batch_counts"))), "4 of 4 processed"));
  g_assert_cmpfloat (gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (child (page, "batch_progress"))), ==, 1.0);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (page, "batch_output"))), ==, "/tmp/two-output.csv");
  g_assert_true (gtk_widget_get_sensitive (child (page, "batch_open_button")));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (page, "batch_callback"))), ==,
                   "Callback to https://example.com/hook: refused, HTTP 500 Internal Server Error. "
                   "Try it again from the outbox.");
  test_exec_sql (test_db, "DELETE FROM outbox WHERE kind = 'webhook'");

  vetter_console_page_show_table (page, "advertisers");
  wait_for_rows (page, 2);
  gtk_column_view_sort_by_column (GTK_COLUMN_VIEW (child (page, "column_view")),
                                  column_titled (GTK_COLUMN_VIEW (child (page, "column_view")), "E-mail"),
                                  GTK_SORT_ASCENDING);
  test_wait_until (first_is, &(FirstWait) { page, 1 });
  {
    g_autoptr(VetterRecord) first = g_list_model_get_item (G_LIST_MODEL (vetter_console_page_get_model (page)), 0);

    /* As on screen: the row's values are in. */
    test_wait_until ((gboolean (*) (gpointer)) vetter_record_get_loaded, first);
  }
  g_signal_emit_by_name (child (page, "column_view"), "activate", 0);
  wait_for_rows (page, 6);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (page, "view_label"))), ==, "a@example.com");
  g_assert_false (gtk_widget_get_visible (child (page, "batch_box")));
  gtk_window_destroy (GTK_WINDOW (window));
}


static gboolean
failed_afresh (gpointer data)
{
  GListModel *model = G_LIST_MODEL (vetter_console_page_get_model (data));
  g_autoptr(VetterRecord) record = g_list_model_get_n_items (model) ? g_list_model_get_item (model, 0) : NULL;
  const char *error = record ? vetter_record_get_value (record, 12) : NULL;

  return record && vetter_record_get_key (record) == 12 &&
         g_strcmp0 (vetter_record_get_value (record, 3), "failed") == 0 &&
         error && g_strcmp0 (error, "an old error") != 0;
}

/* A failed ad, selected, processed again: the page says so and the
 * engine takes it (its picture is not there, so it fails again, afresh). */
static void
test_console_retry (void)
{
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  VetterConsolePage *page = vetter_window_get_console_page (window);

  test_exec_sql (test_db, "UPDATE item SET status = 'failed', error = 'an old error' WHERE id = 12");
  gtk_window_present (GTK_WINDOW (window));
  vetter_console_page_show_table (page, "ads");
  gtk_editable_set_text (GTK_EDITABLE (child (page, "search_entry")), "Trailer");
  wait_for_rows (page, 1);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (child (page, "all_matching")), TRUE);
  gtk_widget_activate_action (GTK_WIDGET (page), "console.retry", NULL);
  test_wait_until (label_is, (const char *[]) { (const char *) child (page, "result_label"),
                                                "1 failed ad is processed again" });
  /* Processed again: failed with today's error, not the old one. */
  test_wait_until (failed_afresh, page);
  gtk_widget_activate_action (GTK_WIDGET (page), "console.retry", NULL);
  test_wait_until (label_is, (const char *[]) { (const char *) child (page, "result_label"),
                                                "1 failed ad is processed again" });

  /* Decided ads are processed again only after a confirmation; each is
   * audited with the decision it had. */
  gtk_editable_set_text (GTK_EDITABLE (child (page, "search_entry")), "scooter");
  wait_for_rows (page, 2);
  gtk_widget_activate_action (GTK_WIDGET (page), "console.retry", NULL);
  test_wait_until (label_is, (const char *[]) { (const char *) child (page, "result_label"),
                                                "None of them had failed" });
  gtk_widget_activate_action (GTK_WIDGET (page), "console.process-again", NULL);
  test_wait_until (test_dialog_shown, NULL);
  test_answer_dialog ("cancel");
  gtk_widget_activate_action (GTK_WIDGET (page), "console.process-again", NULL);
  test_wait_until (test_dialog_shown, NULL);
  test_answer_dialog ("process");
  test_wait_until (label_is, (const char *[]) { (const char *) child (page, "result_label"),
                                                "2 ads are processed again" });
  g_assert_cmpint (test_count_sql (test_db, "SELECT count(*) FROM audit_log WHERE action = 'process again'"
                                            " AND object_id IN (8, 9)"), ==, 2);
  g_assert_cmpint (test_count_sql (test_db, "SELECT count(*) FROM audit_log WHERE action = 'process again'"), ==, 2);
  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct
{
  VetterConsolePage *page;
  guint              position;
} FocusWait;

static gboolean
focus_is_on (gpointer data)
{
  FocusWait *wait = data;

  return vetter_console_page_focused_position (wait->page) == wait->position;
}

/* J and K move the keyboard focus down and up the rows; X adds the row
 * with the focus to the selection, and takes it out again. */
static void
test_console_keys (void)
{
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  VetterConsolePage *page = vetter_window_get_console_page (window);
  GtkSelectionModel *selection;

  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "console");
  vetter_console_page_show_table (page, "ads");
  wait_for_rows (page, 12);
  selection = gtk_column_view_get_model (GTK_COLUMN_VIEW (child (page, "column_view")));

  /* From the search entry, the first J goes to the list. */
  gtk_widget_grab_focus (child (page, "search_entry"));
  g_assert_cmpuint (vetter_console_page_focused_position (page), ==, GTK_INVALID_LIST_POSITION);
  gtk_widget_activate_action (GTK_WIDGET (page), "console.move", "i", 1);
  test_wait_until (focus_is_on, &(FocusWait) { page, 0 });
  gtk_widget_activate_action (GTK_WIDGET (page), "console.move", "i", 1);
  gtk_widget_activate_action (GTK_WIDGET (page), "console.move", "i", 1);
  test_wait_until (focus_is_on, &(FocusWait) { page, 2 });
  gtk_widget_activate_action (GTK_WIDGET (page), "console.move", "i", -1);
  test_wait_until (focus_is_on, &(FocusWait) { page, 1 });

  gtk_widget_activate_action (GTK_WIDGET (page), "console.toggle-selected", NULL);
  g_assert_true (gtk_selection_model_is_selected (selection, 1));
  gtk_widget_activate_action (GTK_WIDGET (page), "console.move", "i", 1);
  test_wait_until (focus_is_on, &(FocusWait) { page, 2 });
  gtk_widget_activate_action (GTK_WIDGET (page), "console.toggle-selected", NULL);
  g_assert_true (gtk_selection_model_is_selected (selection, 1));
  g_assert_true (gtk_selection_model_is_selected (selection, 2));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (page, "selection_label"))), ==, "2 selected");
  gtk_widget_activate_action (GTK_WIDGET (page), "console.toggle-selected", NULL);
  g_assert_false (gtk_selection_model_is_selected (selection, 2));

  /* Past the last row, K past the first: the focus stays. */
  for (guint i = 0; i < 15; i++)
    gtk_widget_activate_action (GTK_WIDGET (page), "console.move", "i", 1);
  test_wait_until (focus_is_on, &(FocusWait) { page, 11 });
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
dialog_heading_is (gpointer data)
{
  AdwMessageDialog *dialog = test_find_dialog ();

  return dialog && g_strcmp0 (adw_message_dialog_get_heading (dialog), data) == 0;
}

/* Delete asks first, saying what goes with the ads; the ad goes from the
 * list and the database, audited. An ad another desktop is reviewing is
 * named instead, and nothing is deleted. (Last: it takes an ad away.) */
static void
test_console_delete (void)
{
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  VetterConsolePage *page = vetter_window_get_console_page (window);
  GtkSelectionModel *selection;
  gint64 first;

  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "console");
  vetter_console_page_show_table (page, "ads");
  gtk_editable_set_text (GTK_EDITABLE (child (page, "search_entry")), "scooter");
  wait_for_rows (page, 2);
  g_assert_true (gtk_widget_get_visible (child (page, "delete_button")));
  selection = gtk_column_view_get_model (GTK_COLUMN_VIEW (child (page, "column_view")));
  gtk_selection_model_select_item (selection, 0, TRUE);
  first = first_key (page);

  gtk_widget_activate_action (GTK_WIDGET (page), "console.delete", NULL);
  test_wait_until (dialog_heading_is, (gpointer) "Delete 1 Ad?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (test_find_dialog ()), "1 image with its findings"));
  test_answer_dialog ("cancel");
  g_assert_cmpint (test_count_sql (test_db, "SELECT count(*) FROM item WHERE title LIKE '%scooter%'"), ==, 2);

  gtk_widget_activate_action (GTK_WIDGET (page), "console.delete", NULL);
  test_wait_until (dialog_heading_is, (gpointer) "Delete 1 Ad?");
  test_answer_dialog ("delete");
  test_wait_until (label_is, (const char *[]) { (const char *) child (page, "result_label"), "1 ad deleted" });
  wait_for_rows (page, 1);
  g_assert_cmpint (first_key (page), !=, first);
  g_assert_cmpint (test_count_sql (test_db, "SELECT count(*) FROM item WHERE title LIKE '%scooter%'"), ==, 1);
  {
    g_autofree char *audited = g_strdup_printf ("SELECT count(*) FROM audit_log WHERE action = 'delete'"
                                                " AND object_id = %" G_GINT64_FORMAT, first);

    g_assert_cmpint (test_count_sql (test_db, audited), ==, 1);
  }

  /* Held by a moderator elsewhere: named, nothing deleted. */
  test_exec_sql (test_db, "INSERT INTO remote_claim (uid, holder, moderator, expires)"
                          " SELECT uid, 'another-desktop', 'ben', 9000000000000000 FROM item WHERE title LIKE '%scooter%'");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (child (page, "all_matching")), TRUE);
  gtk_widget_activate_action (GTK_WIDGET (page), "console.delete", NULL);
  test_wait_until (dialog_heading_is, (gpointer) "Being Reviewed Elsewhere");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (test_find_dialog ()), "(ben, on another desktop)"));
  test_answer_dialog ("close");
  g_assert_cmpint (test_count_sql (test_db, "SELECT count(*) FROM item WHERE title LIKE '%scooter%'"), ==, 1);
  gtk_editable_set_text (GTK_EDITABLE (child (page, "search_entry")), "");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
note_fraction (double         *furthest,
               GParamSpec     *pspec,
               GtkProgressBar *bar)
{
  *furthest = MAX (*furthest, gtk_progress_bar_get_fraction (bar));
}

static gboolean
label_starts (gpointer data)
{
  const char **pair = data;

  return g_str_has_prefix (gtk_label_get_label (GTK_LABEL (pair[0])), pair[1]);
}

static gboolean
more_than_20000 (gpointer data)
{
  VetterTableModel *model = vetter_console_page_get_model (data);

  return model && vetter_table_model_is_ready (model) && g_list_model_get_n_items (G_LIST_MODEL (model)) > 20000;
}

static gboolean
widget_shown (gpointer data)
{
  return gtk_widget_get_visible (data);
}

/* A list whose keys take too long to read keeps its first rows and says
 * "more than 10,000"; Count All counts them every one. A long export
 * shows how far it has come. */
static void
test_console_count_all (void)
{
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  VetterConsolePage *page = vetter_window_get_console_page (window);

  test_exec_sql (test_db, "WITH RECURSIVE n (i) AS (SELECT 1001 UNION ALL SELECT i + 1 FROM n WHERE i < 21000)"
                          " INSERT INTO item (id, batch_id, row, title, status, created, updated, uid)"
                          " SELECT i, 2, i, 'Lot number ' || i, 'needs_review', 0, 0, 'lot' || i FROM n;");
  gtk_window_present (GTK_WINDOW (window));
  vetter_console_page_show_table (page, "ads");
  test_wait_until (more_than_20000, page);
  /* Reading the keys runs out of its time at once. */
  vetter_table_model_set_time_limit (vetter_console_page_get_model (page), 1);
  gtk_editable_set_text (GTK_EDITABLE (child (page, "search_entry")), "number");
  test_wait_until (widget_shown, child (page, "count_all_button"));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (page, "count_label"))), ==, "more than 10000 rows");
  g_assert_true (gtk_widget_get_visible (child (page, "message_label")));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (vetter_console_page_get_model (page))), >, 0);

  gtk_widget_activate_action (GTK_WIDGET (page), "console.count-all", NULL);
  test_wait_until (label_is, (const char *[]) { (const char *) child (page, "count_label"), "20000 rows" });
  g_assert_false (gtk_widget_get_visible (child (page, "count_all_button")));

  /* Exported whole, the bar shows how far it has come, then goes. */
  vetter_table_model_set_time_limit (vetter_console_page_get_model (page), 2000);
  gtk_editable_set_text (GTK_EDITABLE (child (page, "search_entry")), "");
  test_wait_until (more_than_20000, page);
  {
    g_autofree char *dir = test_tmpdir ();
    g_autofree char *path = g_build_filename (dir, "lots.csv", NULL);
    double furthest = 0;

    g_signal_connect_swapped (child (page, "export_progress"), "notify::fraction", G_CALLBACK (note_fraction),
                              &furthest);
    vetter_console_page_export (page, "csv", path);
    g_assert_true (gtk_widget_get_visible (child (page, "export_progress")));
    test_wait_until (label_starts, (const char *[]) { (const char *) child (page, "result_label"), "Exported 200" });
    g_assert_false (gtk_widget_get_visible (child (page, "export_progress")));
    g_assert_cmpfloat (furthest, >, 0.2);
    g_signal_handlers_disconnect_by_func (child (page, "export_progress"), note_fraction, &furthest);
    test_remove_tree (dir);
  }
  gtk_window_destroy (GTK_WINDOW (window));
  test_exec_sql (test_db, "DELETE FROM item WHERE id > 1000");
}

static gboolean
on_the_staff (gpointer data)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM staff WHERE username = '%s' AND role = 'admin'",
                                          g_get_user_name ());

  return test_count_sql (test_db, sql) == 1;
}

static gboolean
list_ready (gpointer data)
{
  VetterTableModel *model = vetter_console_page_get_model (data);

  return model && vetter_table_model_is_ready (model) && g_list_model_get_n_items (G_LIST_MODEL (model)) > 0;
}

/* The window shows what the role allows: a viewer's decisions are
 * insensitive and say which role they need, in the console and in the
 * review; a moderator's Delete says it needs an admin. */
static void
test_console_roles (void)
{
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  VetterConsolePage *page = vetter_window_get_console_page (window);
  VetterEngine *engine = vetter_context_get_engine (vetter_application_get_context (VETTER_APPLICATION (app)));
  GtkWidget *review = GTK_WIDGET (vetter_window_get_review_page (window));
  GtkWidget *approve = child (page, "approve_button");
  gint64 since = g_get_real_time ();

  gtk_window_present (GTK_WINDOW (window));
  vetter_console_page_show_table (page, "ads");
  test_wait_until (list_ready, page);
  g_assert_true (gtk_widget_get_sensitive (approve));
  /* Without a shared database, the first person to open the desktop is on
   * its staff as its admin. */
  test_wait_until (on_the_staff, NULL);
  g_assert_cmpint (vetter_engine_get_role (engine), ==, VETTER_ROLE_ADMIN);

  vetter_engine_set_role (engine, VETTER_ROLE_VIEWER);
  g_assert_false (gtk_widget_get_sensitive (approve));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (approve), ==, "Needs the moderator role");
  g_assert_false (gtk_widget_get_sensitive (child (page, "delete_button")));
  /* Nor does a viewer save a view. */
  gtk_widget_activate_action (GTK_WIDGET (page), "console.save-view", NULL);
  g_assert_null (test_find_dialog ());
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (gtk_widget_get_template_child (review,
                                                VETTER_TYPE_REVIEW_PAGE, "approve_button"))), ==,
                   "Approving needs the moderator role");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (child (page, "all_matching")), TRUE);
  gtk_widget_activate_action (GTK_WIDGET (page), "console.decide", "s", "approved");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (page, "result_label"))), !=, "11 ads decided");
  test_spin (300);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM audit_log WHERE action = 'bulk approved'"
                                            " AND time >= %" G_GINT64_FORMAT, since);

    g_assert_cmpint (test_count_sql (test_db, sql), ==, 0);
  }

  vetter_engine_set_role (engine, VETTER_ROLE_MODERATOR);
  g_assert_true (gtk_widget_get_sensitive (approve));
  g_assert_false (gtk_widget_get_sensitive (child (page, "delete_button")));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (child (page, "delete_button")), ==, "Deleting needs the admin role");

  vetter_engine_set_role (engine, VETTER_ROLE_ADMIN);
  g_assert_true (gtk_widget_get_sensitive (child (page, "delete_button")));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (child (page, "all_matching")), FALSE);
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
role_is_moderator (gpointer data)
{
  return vetter_engine_get_role (data) == VETTER_ROLE_MODERATOR;
}

static guint
position_of (VetterConsolePage *page,
             gint64             key)
{
  VetterTableModel *model = vetter_console_page_get_model (page);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (model)); i++)
    if (vetter_table_model_get_key (model, i) == key)
      return i;
  g_assert_not_reached ();
}

/* An admin manages the desktop's staff from its list: adds a person,
 * takes them off the staff and puts them back, each audited; making
 * themselves a moderator, the last admin, is refused with a word why,
 * and once another admin is there holds, their role following at once;
 * someone who is not an admin cannot. */
static void
test_console_staff (void)
{
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  VetterConsolePage *page = vetter_window_get_console_page (window);
  VetterEngine *engine = vetter_context_get_engine (vetter_application_get_context (VETTER_APPLICATION (app)));
  GtkSelectionModel *selection;
  g_autofree char *me = g_strdup_printf ("SELECT id FROM staff WHERE username = '%s'", g_get_user_name ());
  gint64 cleo;

  gtk_window_present (GTK_WINDOW (window));
  test_wait_until (on_the_staff, NULL);
  vetter_console_page_show_table (page, "staff");
  wait_for_rows (page, 1);
  g_assert_true (gtk_widget_get_visible (child (page, "staff_button")));
  vetter_engine_set_role (engine, VETTER_ROLE_ADMIN);

  vetter_console_page_add_staff (page, "cleo", "moderator");
  test_wait_until (label_is, (const char *[]) { (const char *) child (page, "result_label"), "cleo is on the staff" });
  wait_for_rows (page, 2);
  cleo = test_count_sql (test_db, "SELECT id FROM staff WHERE username = 'cleo' AND role = 'moderator'");
  g_assert_cmpint (cleo, >, 0);

  selection = gtk_column_view_get_model (GTK_COLUMN_VIEW (child (page, "column_view")));
  gtk_selection_model_select_item (selection, position_of (page, cleo), TRUE);
  vetter_console_page_change_staff (page, NULL, 0);
  test_wait_until (label_is, (const char *[]) { (const char *) child (page, "result_label"),
                                                "Taken off the staff: they may only look" });
  g_assert_cmpint (test_count_sql (test_db, "SELECT count(*) FROM staff WHERE username = 'cleo' AND active = 0"), ==, 1);
  g_assert_cmpint (test_count_sql (test_db, "SELECT count(*) FROM audit_log WHERE object_type = 'staff'"
                                            " AND changes = '{\"active\":[\"true\",\"false\"]}'"), ==, 1);

  /* The last admin cannot make themselves a moderator. */
  gtk_selection_model_select_item (selection, position_of (page, test_count_sql (test_db, me)), TRUE);
  vetter_console_page_change_staff (page, "moderator", -1);
  test_wait_until (label_starts, (const char *[]) { (const char *) child (page, "result_label"), "Not changed: " });
  g_assert_cmpint (vetter_engine_get_role (engine), ==, VETTER_ROLE_ADMIN);

  /* With Cleo back as an admin, making oneself a moderator holds, and
   * what one may do follows at once. */
  gtk_selection_model_select_item (selection, position_of (page, cleo), TRUE);
  vetter_console_page_change_staff (page, NULL, 1);
  test_wait_until (label_is, (const char *[]) { (const char *) child (page, "result_label"), "Back on the staff" });
  vetter_console_page_change_staff (page, "admin", -1);
  test_wait_until (label_is, (const char *[]) { (const char *) child (page, "result_label"), "Role changed" });
  gtk_selection_model_select_item (selection, position_of (page, test_count_sql (test_db, me)), TRUE);
  vetter_console_page_change_staff (page, "moderator", -1);
  test_wait_until (role_is_moderator, engine);
  test_exec_sql (test_db, "UPDATE staff SET role = 'admin' WHERE username <> 'cleo'");

  /* A moderator sees the staff, and may not change it. */
  vetter_engine_set_role (engine, VETTER_ROLE_MODERATOR);
  g_assert_false (gtk_widget_get_sensitive (child (page, "staff_button")));
  vetter_console_page_add_staff (page, "dee", "moderator");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (page, "result_label"))), ==,
                   "Managing the staff needs the admin role");
  vetter_engine_set_role (engine, VETTER_ROLE_ADMIN);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *db_dir = NULL;
  g_autofree char *db = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  db_dir = test_tmpdir ();
  db = g_build_filename (db_dir, "vetter.db", NULL);
  {
    g_autoptr(VetterStore) store = vetter_store_open (db, &error);

    g_assert_no_error (error);
    test_fill_twelve_ads (db);
    /* Two refused mails waiting for a person, one due, one sent. */
    g_assert_true (vetter_store_outbox_add (store, VETTER_OUTBOX_MAIL, "mail:1", "{}", 0, 0, &error));
    g_assert_true (vetter_store_outbox_add (store, VETTER_OUTBOX_MAIL, "mail:2", "{}", 0, 0, &error));
    g_assert_true (vetter_store_outbox_add (store, VETTER_OUTBOX_MAIL, "mail:3", "{}", 0, 0, &error));
    g_assert_true (vetter_store_outbox_add (store, VETTER_OUTBOX_MAIL, "mail:4", "{}", 0, 0, &error));
    test_exec_sql (db, "UPDATE outbox SET state = 'parked', last_error = 'HTTP 400: bad address' WHERE id IN (1, 2);"
                       "UPDATE outbox SET state = 'done' WHERE id = 4;"
                       /* The newest ad's thumbnail: a real photograph. */
                       "INSERT INTO variant (image_id, kind, path, width, height, bytes, quality) VALUES"
                       " (12, 'thumb', '/usr/share/backgrounds/mate/nature/Storm.jpg', 320, 200, 1000, 80);");
  }
  g_setenv ("VETTER_DB", db, TRUE);
  test_db = db;
  app = vetter_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/console/lists", test_console_lists);
  g_test_add_func ("/console/bulk-actions", test_console_bulk_actions);
  g_test_add_func ("/console/columns-remembered", test_console_columns_remembered);
  g_test_add_func ("/console/detail", test_console_detail);
  g_test_add_func ("/console/saved-views", test_console_saved_views);
  g_test_add_func ("/console/outbox-try-again", test_console_outbox_try_again);
  g_test_add_func ("/console/periods", test_console_periods);
  g_test_add_func ("/console/pictures", test_console_pictures);
  g_test_add_func ("/console/bulk-edit", test_console_bulk_edit);
  g_test_add_func ("/console/revert", test_console_revert);
  g_test_add_func ("/console/drill-down", test_console_drill_down);
  /* Last: the engine processes the ad, which ends failed. */
  g_test_add_func ("/console/retry", test_console_retry);
  g_test_add_func ("/console/keys", test_console_keys);
  g_test_add_func ("/console/delete", test_console_delete);
  g_test_add_func ("/console/count-all", test_console_count_all);
  g_test_add_func ("/console/roles", test_console_roles);
  g_test_add_func ("/console/staff", test_console_staff);

  status = g_test_run ();
  g_clear_object (&app);
  test_remove_tree (db_dir);
  return status;
}
