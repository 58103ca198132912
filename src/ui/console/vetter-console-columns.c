/* vetter-console-columns.c: which of the console's columns show, and which sorts
 *
 * Every column's header menu lists the table's columns to show or hide;
 * which show, their order (dragged by their headers) and their widths are
 * remembered per table in the settings.
 *
 * GTK 4.8 does not say which column the user sorted by (its column view
 * sorter is private until 4.10), so each sortable column carries a sorter
 * that the page asks: with two probe objects, the view's sorter calls the
 * column sorters in sort order and turns a descending column's answer
 * around, which tells the first column and its direction. The rows are
 * then sorted in SQL.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-console"

#include "config.h"

#include <glib/gi18n.h>

#include "vetter-console-cells.h"
#include "vetter-console-page-private.h"

static int
probe_compare (gconstpointer a,
               gconstpointer b,
               gpointer      data)
{
  const char *field = data;
  VetterConsolePage *self = g_object_get_data (G_OBJECT (a), "vetter-page");

  if (self->probe_answer == NULL)
    {
      g_ptr_array_add (self->probe_order, (gpointer) field);
      return GTK_ORDERING_EQUAL;
    }
  return g_str_equal (field, self->probe_answer) ? GTK_ORDERING_SMALLER : GTK_ORDERING_EQUAL;
}

static void
on_sort_changed (GtkSorter         *sorter,
                 GtkSorterChange    change,
                 VetterConsolePage *self)
{
  GtkOrdering order;

  g_ptr_array_set_size (self->probe_order, 0);
  self->probe_answer = NULL;
  gtk_sorter_compare (sorter, self->probe_a, self->probe_b);
  g_clear_pointer (&self->sort, g_free);
  if (self->probe_order->len > 0)
    {
      self->probe_answer = g_ptr_array_index (self->probe_order, 0);
      order = gtk_sorter_compare (sorter, self->probe_a, self->probe_b);
      self->sort = g_strconcat (order == GTK_ORDERING_LARGER ? "-" : "", self->probe_answer, NULL);
      self->probe_answer = NULL;
    }
  vetter_console_page_run_query (self);
}

static void
remove_columns (VetterConsolePage *self)
{
  GListModel *columns = gtk_column_view_get_columns (self->column_view);

  while (g_list_model_get_n_items (columns) > 0)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, 0);

      gtk_column_view_remove_column (self->column_view, column);
    }
}

/* Wide enough for what the column usually holds. */
static int
column_width (const VetterTableColumn *column)
{
  if (column->flags & VETTER_COLUMN_PICTURE)
    return 64;
  switch (column->type)
    {
    case VETTER_COLUMN_INTEGER:
    case VETTER_COLUMN_REAL:
      return 80;
    case VETTER_COLUMN_TIME:
      return 140;
    case VETTER_COLUMN_TEXT:
    default:
      return column->flags & VETTER_COLUMN_SEARCHED ? 220 : 130;
    }
}

/* ---- Which columns show ----------------------------------------------------- */

static gboolean
column_shown (VetterConsolePage       *self,
              const VetterTableColumn *column)
{
  g_autoptr(GVariant) chosen = self->settings ? g_settings_get_value (self->settings, "console-columns") : NULL;
  g_autofree char *key = g_strconcat (self->table->name, ".", column->name, NULL);
  gboolean shown;

  if (chosen && g_variant_lookup (chosen, key, "b", &shown))
    return shown;
  return !(column->flags & VETTER_COLUMN_HIDDEN);
}

static void
remember_shown (VetterConsolePage       *self,
                const VetterTableColumn *column,
                gboolean                 shown)
{
  g_autoptr(GVariant) chosen = NULL;
  g_autofree char *key = g_strconcat (self->table->name, ".", column->name, NULL);
  GVariantBuilder builder;
  GVariantIter iter;
  const char *name;
  gboolean value;

  if (self->settings == NULL)
    return;
  chosen = g_settings_get_value (self->settings, "console-columns");
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sb}"));
  g_variant_iter_init (&iter, chosen);
  while (g_variant_iter_next (&iter, "{&sb}", &name, &value))
    if (!g_str_equal (name, key))
      g_variant_builder_add (&builder, "{sb}", name, value);
  g_variant_builder_add (&builder, "{sb}", key, shown);
  g_settings_set_value (self->settings, "console-columns", g_variant_builder_end (&builder));
}

GtkColumnViewColumn *
vetter_console_page_column_for (VetterConsolePage *self,
                                const char        *field)
{
  GListModel *columns = gtk_column_view_get_columns (self->column_view);

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (g_strcmp0 (g_object_get_data (G_OBJECT (column), "vetter-field"), field) == 0)
        return column;
    }
  return NULL;
}

static void
on_show_column (GSimpleAction     *action,
                GVariant          *state,
                VetterConsolePage *self)
{
  const char *field = g_action_get_name (G_ACTION (action));
  const VetterTableColumn *column = vetter_table_find_column (self->table, field);
  GtkColumnViewColumn *view_column = vetter_console_page_column_for (self, field);

  g_simple_action_set_state (action, state);
  if (column == NULL || view_column == NULL)
    return;
  gtk_column_view_column_set_visible (view_column, g_variant_get_boolean (state));
  remember_shown (self, column, g_variant_get_boolean (state));
}

/* Every column's header menu lists the table's columns to show or hide. */
static GMenuModel *
columns_menu (VetterConsolePage *self)
{
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  GMenu *menu = g_menu_new ();

  for (guint i = 0; i < self->table->n_columns; i++)
    {
      const VetterTableColumn *column = &self->table->columns[i];
      g_autoptr(GSimpleAction) action = NULL;
      g_autofree char *detailed = NULL;

      if (column->sql == NULL)
        continue;
      action = g_simple_action_new_stateful (column->name, NULL, g_variant_new_boolean (column_shown (self, column)));
      g_signal_connect (action, "change-state", G_CALLBACK (on_show_column), self);
      g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (action));
      detailed = g_strconcat ("columns.", column->name, NULL);
      g_menu_append (menu, _(column->label), detailed);
    }
  gtk_widget_insert_action_group (GTK_WIDGET (self), "columns", G_ACTION_GROUP (group));
  return G_MENU_MODEL (menu);
}

/* ---- Widths and order, remembered ------------------------------------------- */

#define SAVE_DELAY_MS 500

static int
remembered_width (VetterConsolePage       *self,
                  const VetterTableColumn *column)
{
  g_autoptr(GVariant) widths = self->settings ? g_settings_get_value (self->settings, "console-column-widths") : NULL;
  g_autofree char *key = g_strconcat (self->table->name, ".", column->name, NULL);
  int width;

  if (widths && g_variant_lookup (widths, key, "i", &width) && width > 0)
    return width;
  return column_width (column);
}

/* The table's columns, in the order the person left them. */
static void
restore_order (VetterConsolePage *self)
{
  g_autoptr(GVariant) orders = self->settings ? g_settings_get_value (self->settings, "console-column-order") : NULL;
  g_autofree const char **order = NULL;
  guint position = 0;

  if (orders == NULL || !g_variant_lookup (orders, self->table->name, "^a&s", &order))
    return;
  for (guint i = 0; order[i]; i++)
    {
      GtkColumnViewColumn *column = vetter_console_page_column_for (self, order[i]);

      /* Inserting a column the view has moves it. */
      if (column)
        gtk_column_view_insert_column (self->column_view, position++, column);
    }
}

static gboolean
save_layout (gpointer data)
{
  VetterConsolePage *self = data;
  GListModel *columns = gtk_column_view_get_columns (self->column_view);
  g_autoptr(GVariant) widths = g_settings_get_value (self->settings, "console-column-widths");
  g_autoptr(GVariant) orders = g_settings_get_value (self->settings, "console-column-order");
  g_autoptr(GStrvBuilder) order = g_strv_builder_new ();
  g_auto(GStrv) names = NULL;
  GVariantBuilder new_widths, new_orders;
  GVariantIter iter;
  const char *key;
  GVariant *value;
  g_autofree char *prefix = g_strconcat (self->table->name, ".", NULL);

  self->save_layout_id = 0;
  g_variant_builder_init (&new_widths, G_VARIANT_TYPE ("a{si}"));
  g_variant_iter_init (&iter, widths);
  while (g_variant_iter_next (&iter, "{&s@i}", &key, &value))
    {
      if (!g_str_has_prefix (key, prefix))
        g_variant_builder_add (&new_widths, "{s@i}", key, value);
      g_variant_unref (value);
    }
  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);
      const char *field = g_object_get_data (G_OBJECT (column), "vetter-field");
      g_autofree char *width_key = g_strconcat (prefix, field, NULL);

      g_strv_builder_add (order, field);
      g_variant_builder_add (&new_widths, "{si}", width_key, gtk_column_view_column_get_fixed_width (column));
    }
  names = g_strv_builder_end (order);
  g_variant_builder_init (&new_orders, G_VARIANT_TYPE ("a{sas}"));
  g_variant_iter_init (&iter, orders);
  while (g_variant_iter_next (&iter, "{&s@as}", &key, &value))
    {
      if (!g_str_equal (key, self->table->name))
        g_variant_builder_add (&new_orders, "{s@as}", key, value);
      g_variant_unref (value);
    }
  g_variant_builder_add (&new_orders, "{s^as}", self->table->name, names);
  g_settings_set_value (self->settings, "console-column-widths", g_variant_builder_end (&new_widths));
  g_settings_set_value (self->settings, "console-column-order", g_variant_builder_end (&new_orders));
  return G_SOURCE_REMOVE;
}

void
vetter_console_page_flush_layout (VetterConsolePage *self)
{
  if (self->save_layout_id == 0)
    return;
  g_clear_handle_id (&self->save_layout_id, g_source_remove);
  save_layout (self);
}

/* A column moved or resized: remembered once the drag is over. */
static void
on_layout_changed (VetterConsolePage *self)
{
  if (self->settings == NULL || self->placing_columns)
    return;
  g_clear_handle_id (&self->save_layout_id, g_source_remove);
  self->save_layout_id = g_timeout_add (SAVE_DELAY_MS, save_layout, self);
}

static void
add_columns (VetterConsolePage *self)
{
  g_autoptr(GMenuModel) menu = columns_menu (self);
  guint index = 0;

  for (guint i = 0; i < self->table->n_columns; i++)
    {
      const VetterTableColumn *column = &self->table->columns[i];
      GtkColumnViewColumn *view_column;

      if (column->sql == NULL)
        continue;
      /* The column takes the factory. */
      view_column = gtk_column_view_column_new (_(column->label), vetter_console_cell_factory_new (column, index++));
      gtk_column_view_column_set_resizable (view_column, TRUE);
      gtk_column_view_column_set_visible (view_column, column_shown (self, column));
      gtk_column_view_column_set_header_menu (view_column, menu);
      gtk_column_view_column_set_expand (view_column, column->flags & VETTER_COLUMN_SEARCHED);
      gtk_column_view_column_set_fixed_width (view_column, remembered_width (self, column));
      g_signal_connect_object (view_column, "notify::fixed-width", G_CALLBACK (on_layout_changed), self,
                               G_CONNECT_SWAPPED);
      g_object_set_data (G_OBJECT (view_column), "vetter-field", (gpointer) column->name);
      if (column->flags & VETTER_COLUMN_SORTABLE)
        {
          g_autoptr(GtkSorter) sorter = GTK_SORTER (gtk_custom_sorter_new (probe_compare, (gpointer) column->name, NULL));

          gtk_column_view_column_set_sorter (view_column, sorter);
        }
      /* A picture first, where the eye starts. */
      if (column->flags & VETTER_COLUMN_PICTURE)
        gtk_column_view_insert_column (self->column_view, 0, view_column);
      else
        gtk_column_view_append_column (self->column_view, view_column);
      g_object_unref (view_column);
    }
}

void
vetter_console_page_show_sort (VetterConsolePage *self,
                               const char        *sort)
{
  gboolean descending = sort && sort[0] == '-';
  GtkColumnViewColumn *column = sort ? vetter_console_page_column_for (self, sort + (descending ? 1 : 0)) : NULL;
  GtkSorter *view_sorter = gtk_column_view_get_sorter (self->column_view);

  g_signal_handlers_block_by_func (view_sorter, on_sort_changed, self);
  gtk_column_view_sort_by_column (self->column_view, column, descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
  g_signal_handlers_unblock_by_func (view_sorter, on_sort_changed, self);
}


void
vetter_console_page_replace_columns (VetterConsolePage *self)
{
  GtkSorter *view_sorter = gtk_column_view_get_sorter (self->column_view);
  GListModel *columns = gtk_column_view_get_columns (self->column_view);

  g_signal_handlers_block_by_func (view_sorter, on_sort_changed, self);
  self->placing_columns = TRUE;
  remove_columns (self);
  add_columns (self);
  restore_order (self);
  self->placing_columns = FALSE;
  /* The header shows the table's own order. */
  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (g_strcmp0 (g_object_get_data (G_OBJECT (column), "vetter-field"), self->table->default_sort) == 0)
        gtk_column_view_sort_by_column (self->column_view, column,
                                        self->table->default_descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
    }
  g_signal_handlers_unblock_by_func (view_sorter, on_sort_changed, self);
}

void
vetter_console_page_columns_init (VetterConsolePage *self)
{
  self->probe_order = g_ptr_array_new ();
  self->probe_a = g_object_new (G_TYPE_OBJECT, NULL);
  self->probe_b = g_object_new (G_TYPE_OBJECT, NULL);
  g_object_set_data (self->probe_a, "vetter-page", self);
  g_object_set_data (self->probe_b, "vetter-page", self);
  g_signal_connect (gtk_column_view_get_sorter (self->column_view), "changed", G_CALLBACK (on_sort_changed), self);
  g_signal_connect_swapped (gtk_column_view_get_columns (self->column_view), "items-changed",
                            G_CALLBACK (on_layout_changed), self);
}
