/* vetter-console-page.c: the team's console, every record type in a list
 *
 * The record types on the left; on the right a search, the values of the
 * few-valued fields with how many rows have each, and the rows in a column
 * view. Everything is asked of the database thread: the list holds the
 * rows' keys, and a row's values come when it is drawn. This file shows a
 * table and runs its query; the page's other jobs have their own files
 * (see vetter-console-page-private.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-console"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "vetter-console-cells.h"
#include "vetter-console-page-private.h"
#include "vetter-resources.h"

/* Clicks on the filters that come in quick succession make one query. */
#define FILTER_DELAY_MS 300

G_DEFINE_FINAL_TYPE (VetterConsolePage, vetter_console_page, GTK_TYPE_WIDGET)

VetterQuery *
vetter_console_page_build_query (VetterConsolePage *self)
{
  VetterQuery *query = self->base ? vetter_query_copy (self->base) : vetter_query_new (self->table);
  GHashTableIter iter;
  gpointer field, values;

  g_hash_table_iter_init (&iter, self->chosen);
  while (g_hash_table_iter_next (&iter, &field, &values))
    for (guint i = 0; i < ((GPtrArray *) values)->len; i++)
      vetter_query_add_filter (query, field, VETTER_FILTER_EQUAL, g_ptr_array_index ((GPtrArray *) values, i), NULL);
  vetter_console_page_add_periods (self, query);
  vetter_query_set_search (query, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  if (self->sort)
    vetter_query_set_sort (query, self->sort, NULL);
  return query;
}

/* Counts stay cheap: a count that stops past 10,000 answers at once, while
 * every key is read; it stands in when reading them runs out of time. */
#define QUICK_COUNT_CAP 10000

static void
show_count (VetterConsolePage *self,
            gint64             count,
            gboolean           capped)
{
  g_autofree char *text = NULL;

  if (capped)
    text = g_strdup_printf (_("more than %d rows"), QUICK_COUNT_CAP);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRId64 " row", "%" PRId64 " rows",
                                         (gulong) count), count);
  gtk_label_set_label (self->count_label, text);
}

typedef struct
{
  gint64   count;
  gboolean capped;
} QuickCount;

static gpointer
store_quick_count (VetterStore  *store,
                   gpointer      data,
                   GError      **error)
{
  QuickCount *result = g_new0 (QuickCount, 1);

  vetter_store_set_query_time_limit (store, 200);
  result->count = vetter_store_query_count (store, data, QUICK_COUNT_CAP, &result->capped, error);
  vetter_store_set_query_time_limit (store, 0);
  if (result->count < 0)
    g_clear_pointer (&result, g_free);
  return result;
}

static void
on_quick_count (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  g_autofree QuickCount *count = vetter_database_run_finish (VETTER_DATABASE (source), result, NULL);

  if (count == NULL)
    return;
  self->quick_count = count->count;
  self->quick_capped = count->capped;
  /* Shown while the keys are read, or in place of them when reading them
   * was cut short. */
  if (self->model && (!vetter_table_model_is_ready (self->model) || self->partial))
    show_count (self, count->count, count->capped);
  if (self->partial)
    gtk_widget_set_visible (self->count_all_button, count->capped);
}

/* ---- Count all ---------------------------------------------------------------- */

static gpointer
store_count_all (VetterStore  *store,
                 gpointer      data,
                 GError      **error)
{
  gint64 count = vetter_store_query_count (store, data, 0, NULL, error);

  return count < 0 ? NULL : g_memdup2 (&count, sizeof count);
}

static void
on_counted_all (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree gint64 *count = vetter_database_run_finish (VETTER_DATABASE (source), result, &error);

  if (count == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_label_set_label (self->count_label, _("Not counted"));
      return;
    }
  show_count (self, *count, FALSE);
}

/* Counts every matching row, however long it takes (in the background,
 * cancelled by the next query). */
static void
count_all_action (GtkWidget  *widget,
                  const char *name,
                  GVariant   *parameter)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (widget);

  if (self->model == NULL)
    return;
  gtk_widget_set_visible (self->count_all_button, FALSE);
  gtk_label_set_label (self->count_label, _("Counting all…"));
  vetter_database_run_async (self->database, store_count_all, vetter_console_page_build_query (self),
                             (GDestroyNotify) vetter_query_free, g_free, self->count_cancellable, on_counted_all,
                             g_object_ref (self));
}

void
vetter_console_page_run_query (VetterConsolePage *self)
{
  g_autoptr(VetterQuery) query = NULL;

  if (self->model == NULL)
    return;
  g_clear_handle_id (&self->filter_id, g_source_remove);
  query = vetter_console_page_build_query (self);
  /* The rows stay in their places while their keys change (see
   * vetter-table-model.c): what was selected is not what will be there. */
  if (self->selection)
    gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
  gtk_label_set_label (self->count_label, _("Counting…"));
  gtk_widget_set_visible (self->count_all_button, FALSE);
  self->partial = FALSE;
  g_cancellable_cancel (self->count_cancellable);
  g_clear_object (&self->count_cancellable);
  self->count_cancellable = g_cancellable_new ();
  self->quick_count = -1;
  vetter_database_run_async (self->database, store_quick_count, vetter_query_copy (query),
                             (GDestroyNotify) vetter_query_free, g_free, self->count_cancellable, on_quick_count,
                             g_object_ref (self));
  vetter_table_model_set_query (self->model, query);
}

static gboolean
run_query_later (gpointer data)
{
  VetterConsolePage *self = data;

  self->filter_id = 0;
  vetter_console_page_run_query (self);
  return G_SOURCE_REMOVE;
}

static void
on_model_loaded (VetterConsolePage *self,
                 GError            *error)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->model));

  gtk_widget_set_visible (GTK_WIDGET (self->message_label), error != NULL);
  if (error)
    {
      /* The first rows are there; the count is the quick one, if any, and
       * when it says only "more than", the person may count them all. */
      self->partial = TRUE;
      gtk_label_set_label (self->message_label, error->message);
      if (self->quick_count >= 0)
        show_count (self, self->quick_count, self->quick_capped);
      else
        gtk_label_set_label (self->count_label, _("Not counted"));
      gtk_widget_set_visible (self->count_all_button, self->quick_count < 0 || self->quick_capped);
    }
  else
    show_count (self, n, FALSE);
  vetter_console_page_refresh_facets (self);
  if (self->batch_id != 0)
    vetter_console_page_refresh_batch (self);
}

void
vetter_console_page_run_query_soon (VetterConsolePage *self)
{
  g_clear_handle_id (&self->filter_id, g_source_remove);
  self->filter_id = g_timeout_add (FILTER_DELAY_MS, run_query_later, self);
}

static void
show_table (VetterConsolePage *self,
            const VetterTable *table)
{
  g_autoptr(GtkMultiSelection) selection = NULL;

  gtk_stack_set_visible_child_name (self->stack, "list");
  if (self->table == table)
    return;
  /* The last list's columns as they were left. */
  vetter_console_page_flush_layout (self);
  self->selection = NULL;
  if (self->facets_cancellable)
    g_cancellable_cancel (self->facets_cancellable);
  self->table = table;
  g_hash_table_remove_all (self->chosen);
  g_hash_table_remove_all (self->periods);
  g_hash_table_remove_all (self->ranges);
  g_clear_pointer (&self->base, vetter_query_free);
  g_clear_pointer (&self->views, g_ptr_array_unref);
  /* Each list starts whole: a search for ads means nothing in the outbox. */
  vetter_console_page_set_search_text (self, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->view_label), FALSE);
  self->batch_id = 0;
  gtk_widget_set_visible (self->batch_box, FALSE);
  g_clear_pointer (&self->sort, g_free);
  if (self->model)
    {
      /* What the list no longer shown still had to read is not read. */
      vetter_table_model_stop (self->model);
      g_signal_handlers_disconnect_by_data (self->model, self);
    }
  g_clear_object (&self->model);
  gtk_column_view_set_model (self->column_view, NULL);
  vetter_console_page_replace_columns (self);

  self->model = vetter_table_model_new (self->database, table);
  g_signal_connect_swapped (self->model, "loaded", G_CALLBACK (on_model_loaded), self);
  selection = gtk_multi_selection_new (G_LIST_MODEL (g_object_ref (self->model)));
  g_signal_connect_swapped (selection, "selection-changed", G_CALLBACK (vetter_console_page_update_selection_label), self);
  g_signal_connect_swapped (selection, "items-changed", G_CALLBACK (vetter_console_page_update_selection_label), self);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
  self->selection = selection;
  vetter_console_page_reset_actions (self);
  vetter_console_page_refresh_views (self);
  vetter_console_page_run_query (self);
  vetter_console_page_read_accounts (self);
}

void
vetter_console_page_show_table (VetterConsolePage *self,
                                const char        *table_name)
{
  const VetterTable * const *tables = vetter_tables ();

  for (guint i = 0; tables[i]; i++)
    if (g_str_equal (tables[i]->name, table_name))
      gtk_list_box_select_row (self->table_list, gtk_list_box_get_row_at_index (self->table_list, (int) i));
}

static void
on_table_selected (GtkListBox        *list,
                   GtkListBoxRow     *row,
                   VetterConsolePage *self)
{
  if (row && self->database)
    show_table (self, vetter_tables ()[gtk_list_box_row_get_index (row)]);
}

static void
on_search_changed (VetterConsolePage *self)
{
  vetter_console_page_run_query (self);
}

void
vetter_console_page_set_search_text (VetterConsolePage *self,
                                     const char        *text)
{
  g_signal_handlers_block_by_func (self->search_entry, on_search_changed, self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text ? text : "");
  g_signal_handlers_unblock_by_func (self->search_entry, on_search_changed, self);
}

static void
focus_search_action (GtkWidget  *widget,
                     const char *name,
                     GVariant   *parameter)
{
  gtk_widget_grab_focus (GTK_WIDGET (VETTER_CONSOLE_PAGE (widget)->search_entry));
}

/* ---- Keys on the list ----------------------------------------------------- */

/* GTK 4.8 has no call to move a list's keyboard focus, but its list view
 * moves it one row, scrolling, when asked to take the focus in a direction
 * (as the arrow keys do); J and K ask it. */
static GtkWidget *
list_view (VetterConsolePage *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view)); child;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      return child;
  return NULL;
}

guint
vetter_console_page_focused_position (VetterConsolePage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;
  GtkListItem *item;

  if (focus == NULL || !gtk_widget_is_ancestor (focus, GTK_WIDGET (self->column_view)))
    return GTK_INVALID_LIST_POSITION;
  item = vetter_console_cell_find_item (focus);
  return item ? gtk_list_item_get_position (item) : GTK_INVALID_LIST_POSITION;
}

static void
move_action (GtkWidget  *widget,
             const char *name,
             GVariant   *parameter)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (widget);
  GtkWidget *list = list_view (self);

  if (list == NULL || g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "list") != 0)
    return;
  /* From elsewhere on the page, the first key goes to the list. */
  if (vetter_console_page_focused_position (self) == GTK_INVALID_LIST_POSITION)
    gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
  else if (!gtk_widget_child_focus (list, g_variant_get_int32 (parameter) > 0 ? GTK_DIR_DOWN : GTK_DIR_UP))
    gtk_widget_error_bell (widget);
}

/* X: the row with the focus joins the selection, or leaves it. */
static void
toggle_selected_action (GtkWidget  *widget,
                        const char *name,
                        GVariant   *parameter)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (widget);
  GtkSelectionModel *selection = GTK_SELECTION_MODEL (self->selection);
  guint position = vetter_console_page_focused_position (self);

  if (selection == NULL || position == GTK_INVALID_LIST_POSITION)
    {
      gtk_widget_error_bell (widget);
      return;
    }
  if (gtk_selection_model_is_selected (selection, position))
    gtk_selection_model_unselect_item (selection, position);
  else
    gtk_selection_model_select_item (selection, position, FALSE);
}

/* ---- GObject -------------------------------------------------------------- */

/* The console works only while it is on screen: behind the Review page it
 * would read lists and count facets on the database thread for nobody. */
static void
on_map (VetterConsolePage *self)
{
  if (self->database == NULL)
    return;
  if (gtk_list_box_get_selected_row (self->table_list) == NULL)
    gtk_list_box_select_row (self->table_list, gtk_list_box_get_row_at_index (self->table_list, 0));
  else if (self->model)
    vetter_table_model_set_live (self->model, TRUE);
}

static void
on_unmap (VetterConsolePage *self)
{
  /* The window closing or another page shown: the layout is kept now. */
  vetter_console_page_flush_layout (self);
  if (self->model)
    vetter_table_model_set_live (self->model, FALSE);
}

void
vetter_console_page_setup (VetterConsolePage *self,
                           VetterEngine      *engine)
{
  g_set_object (&self->engine, engine);
  g_signal_connect_object (engine, "role-changed", G_CALLBACK (vetter_console_page_show_role), self,
                           G_CONNECT_SWAPPED);
  /* One becomes an admin once the shared database says so. */
  g_signal_connect_object (engine, "role-changed", G_CALLBACK (vetter_console_page_read_accounts), self,
                           G_CONNECT_SWAPPED);
  if (self->settings == NULL)
    self->settings = vetter_config_get_settings ();
  g_set_object (&self->database, vetter_engine_get_database (engine));
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    on_map (self);
}

void
vetter_console_page_focus (VetterConsolePage *self)
{
  if (!gtk_widget_grab_focus (GTK_WIDGET (self->column_view)))
    gtk_widget_grab_focus (GTK_WIDGET (self->table_list));
}

VetterTableModel *
vetter_console_page_get_model (VetterConsolePage *self)
{
  return self->model;
}

static void
vetter_console_page_dispose (GObject *object)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (object);

  g_clear_handle_id (&self->filter_id, g_source_remove);
  vetter_console_page_flush_layout (self);
  if (self->count_cancellable)
    g_cancellable_cancel (self->count_cancellable);
  g_clear_object (&self->count_cancellable);
  if (self->detail_cancellable)
    g_cancellable_cancel (self->detail_cancellable);
  g_clear_object (&self->detail_cancellable);
  if (self->batch_cancellable)
    g_cancellable_cancel (self->batch_cancellable);
  g_clear_object (&self->batch_cancellable);
  if (self->facets_cancellable)
    g_cancellable_cancel (self->facets_cancellable);
  g_clear_object (&self->facets_cancellable);
  if (self->staff_cancellable)
    g_cancellable_cancel (self->staff_cancellable);
  g_clear_object (&self->staff_cancellable);
  g_clear_object (&self->couch);
  if (self->model)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  g_clear_object (&self->database);
  g_clear_object (&self->engine);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->last_undo, vetter_bulk_undo_free);
  g_clear_pointer (&self->last_edit, vetter_edit_undo_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), VETTER_TYPE_CONSOLE_PAGE);
  G_OBJECT_CLASS (vetter_console_page_parent_class)->dispose (object);
}

static void
vetter_console_page_finalize (GObject *object)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (object);

  g_hash_table_unref (self->chosen);
  g_hash_table_unref (self->periods);
  g_hash_table_unref (self->ranges);
  g_clear_pointer (&self->base, vetter_query_free);
  g_clear_pointer (&self->views, g_ptr_array_unref);
  g_free (self->sort);
  g_free (self->output_csv);
  g_ptr_array_unref (self->probe_order);
  g_object_unref (self->probe_a);
  g_object_unref (self->probe_b);
  G_OBJECT_CLASS (vetter_console_page_parent_class)->finalize (object);
}

static void
vetter_console_page_class_init (VetterConsolePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vetter_console_page_dispose;
  object_class->finalize = vetter_console_page_finalize;

  g_type_ensure (VETTER_TYPE_ITEM_DETAIL_VIEW);
  vetter_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/vetter-console-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, paned);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, table_list);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, count_label);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, count_all_button);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, message_label);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, facet_box);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, column_view);

  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, action_bar);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, selection_label);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, all_matching);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, result_label);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, undo_button);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, reject_button);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, approve_button);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, review_button);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, edit_button);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, retry_button);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, delete_button);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, staff_button);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, try_again_button);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, revert_button);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, export_button);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, export_progress);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, views_button);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, view_label);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, stack);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, detail_title);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, batch_box);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, batch_heading);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, batch_progress);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, batch_counts);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, batch_output);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, batch_open_button);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, batch_callback);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, detail_view);

  vetter_console_actions_class_init (widget_class);
  vetter_console_delete_class_init (widget_class);
  vetter_console_staff_class_init (widget_class);
  vetter_console_export_class_init (widget_class);
  vetter_console_views_class_init (widget_class);
  vetter_console_detail_class_init (widget_class);
  gtk_widget_class_install_action (widget_class, "console.count-all", NULL, count_all_action);
  gtk_widget_class_install_action (widget_class, "console.move", "i", move_action);
  gtk_widget_class_install_action (widget_class, "console.toggle-selected", NULL, toggle_selected_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_j, 0, "console.move", "i", 1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, 0, "console.move", "i", -1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_x, 0, "console.toggle-selected", NULL);
  gtk_widget_class_install_action (widget_class, "console.search", NULL, focus_search_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_slash, 0, "console.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "console.search", NULL);
}

static void
vetter_console_page_init (VetterConsolePage *self)
{
  const VetterTable * const *tables = vetter_tables ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->chosen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  self->periods = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->ranges = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_strfreev);
  vetter_console_page_columns_init (self);

  for (guint i = 0; tables[i]; i++)
    {
      GtkWidget *label = gtk_label_new (_(tables[i]->label));

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_list_box_append (self->table_list, label);
    }
  vetter_console_actions_init (self);
  vetter_console_staff_init (self);
  vetter_console_export_init (self);
  vetter_console_detail_init (self);
  g_signal_connect (self->table_list, "row-selected", G_CALLBACK (on_table_selected), self);
  g_signal_connect (self, "map", G_CALLBACK (on_map), NULL);
  g_signal_connect (self, "unmap", G_CALLBACK (on_unmap), NULL);
  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (on_search_changed), self);
}

