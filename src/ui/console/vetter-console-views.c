/* vetter-console-views.c: saved views of the console's lists
 *
 * A view is a name for a table's filters, search, sort and shown columns,
 * kept in the database (audited), one click away for everyone on it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-console"

#include "config.h"

#include <glib/gi18n.h>

#include "vetter-console-page-private.h"
#include "vetter-json.h"

typedef struct
{
  char  *table_name;
  char  *name;
  char  *query;
  GStrv  columns;
  char  *person;
} SaveJob;

static void
save_job_free (gpointer data)
{
  SaveJob *job = data;

  g_free (job->table_name);
  g_free (job->name);
  g_free (job->query);
  g_strfreev (job->columns);
  g_free (job->person);
  g_free (job);
}

static gpointer
store_save_view (VetterStore  *store,
                 gpointer      data,
                 GError      **error)
{
  SaveJob *job = data;

  if (!vetter_store_save_view (store, job->table_name, job->name, job->query, (const char * const *) job->columns,
                               job->person, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static void
on_view_saved (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (vetter_database_run_finish (VETTER_DATABASE (source), result, &error) == NULL)
    {
      gtk_label_set_label (self->result_label, error->message);
      gtk_action_bar_set_revealed (self->action_bar, TRUE);
      return;
    }
  vetter_console_page_refresh_views (self);
}

void
vetter_console_page_save_view (VetterConsolePage *self,
                               const char        *name)
{
  g_autoptr(VetterQuery) query = vetter_console_page_build_query (self);
  GListModel *columns = gtk_column_view_get_columns (self->column_view);
  g_autoptr(GStrvBuilder) shown = g_strv_builder_new ();
  SaveJob *job = g_new0 (SaveJob, 1);

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (gtk_column_view_column_get_visible (column))
        g_strv_builder_add (shown, g_object_get_data (G_OBJECT (column), "vetter-field"));
    }
  job->table_name = g_strdup (self->table->name);
  job->name = g_strdup (name);
  job->query = vetter_query_to_json (query);
  job->columns = g_strv_builder_end (shown);
  job->person = g_strdup (vetter_engine_get_person (self->engine));
  vetter_database_run_async (self->database, store_save_view, job, save_job_free, NULL, NULL, on_view_saved,
                             g_object_ref (self));
}

void
vetter_console_page_apply_view (VetterConsolePage *self,
                                const char        *name)
{
  VetterSavedView *view = NULL;
  g_autoptr(VetterQuery) query = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *search, *sort;

  for (guint i = 0; self->views && i < self->views->len && view == NULL; i++)
    if (g_str_equal (((VetterSavedView *) self->views->pdata[i])->name, name))
      view = self->views->pdata[i];
  if (view == NULL)
    return;
  query = vetter_query_from_json (self->table, view->query, &error);
  if (query == NULL)
    {
      gtk_label_set_label (self->result_label, error->message);
      gtk_action_bar_set_revealed (self->action_bar, TRUE);
      return;
    }
  /* The view's search and sort go to their own controls; its filters
   * stay under the facets. */
  root = json_from_string (view->query, NULL);
  search = vetter_json_string (json_node_get_object (root), "search");
  sort = vetter_json_string (json_node_get_object (root), "sort");
  vetter_query_set_search (query, NULL);
  g_clear_pointer (&self->base, vetter_query_free);
  self->base = g_steal_pointer (&query);
  g_hash_table_remove_all (self->chosen);
  g_hash_table_remove_all (self->periods);
  g_hash_table_remove_all (self->ranges);
  g_free (self->sort);
  self->sort = g_strdup (sort);
  vetter_console_page_show_sort (self, sort);
  if (view->columns)
    {
      GListModel *columns = gtk_column_view_get_columns (self->column_view);

      for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
        {
          g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

          gtk_column_view_column_set_visible (column, g_strv_contains ((const char * const *) view->columns,
                                                                      g_object_get_data (G_OBJECT (column),
                                                                                         "vetter-field")));
        }
    }
  /* A view is not a batch's page. */
  self->batch_id = 0;
  gtk_widget_set_visible (self->batch_box, FALSE);
  gtk_label_set_label (self->view_label, view->name);
  gtk_widget_set_visible (GTK_WIDGET (self->view_label), TRUE);
  vetter_console_page_set_search_text (self, search);
  vetter_console_page_run_query (self);
}

static void
apply_view_action (GtkWidget  *widget,
                   const char *name,
                   GVariant   *parameter)
{
  vetter_console_page_apply_view (VETTER_CONSOLE_PAGE (widget), g_variant_get_string (parameter, NULL));
}

static void
on_save_answered (AdwMessageDialog  *dialog,
                  const char        *response,
                  VetterConsolePage *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "vetter-entry");

  if (g_str_equal (response, "save"))
    vetter_console_page_save_view (self, gtk_editable_get_text (entry));
}

static void
save_view_action (GtkWidget  *widget,
                  const char *name,
                  GVariant   *parameter)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;

  /* A viewer's console changes nothing. */
  if (!vetter_role_may_decide (vetter_engine_get_role (self->engine)))
    {
      gtk_widget_error_bell (widget);
      gtk_label_set_label (self->result_label, _("Saving a view needs the moderator role"));
      gtk_action_bar_set_revealed (self->action_bar, TRUE);
      return;
    }
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, _("Save View"),
                                   _("The search, the filters, the sort and the columns shown, under a name, one "
                                     "click away for everyone on this database."));
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Name of the view"), -1);
  if (gtk_widget_get_visible (GTK_WIDGET (self->view_label)))
    gtk_editable_set_text (GTK_EDITABLE (entry), gtk_label_get_label (self->view_label));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "save", _("_Save"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "vetter-entry", entry);
  g_signal_connect (dialog, "response", G_CALLBACK (on_save_answered), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static gpointer
store_list_views (VetterStore  *store,
                  gpointer      data,
                  GError      **error)
{
  return vetter_store_list_views (store, data, error);
}

static void
on_views (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  g_autoptr(GPtrArray) views = vetter_database_run_finish (VETTER_DATABASE (source), result, NULL);
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) saved = g_menu_new ();

  if (views == NULL)
    return;
  for (guint i = 0; i < views->len; i++)
    {
      VetterSavedView *view = views->pdata[i];
      g_autoptr(GMenuItem) item = g_menu_item_new (view->name, NULL);

      g_menu_item_set_action_and_target_value (item, "console.apply-view", g_variant_new_string (view->name));
      g_menu_append_item (saved, item);
    }
  g_menu_append_section (menu, NULL, G_MENU_MODEL (saved));
  g_menu_append (menu, _("Save View…"), "console.save-view");
  gtk_menu_button_set_menu_model (self->views_button, G_MENU_MODEL (menu));
  g_clear_pointer (&self->views, g_ptr_array_unref);
  self->views = g_steal_pointer (&views);
}

void
vetter_console_page_refresh_views (VetterConsolePage *self)
{
  vetter_database_run_async (self->database, store_list_views, g_strdup (self->table->name), g_free,
                             (GDestroyNotify) g_ptr_array_unref, NULL, on_views, g_object_ref (self));
}


void
vetter_console_views_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "console.apply-view", "s", apply_view_action);
  gtk_widget_class_install_action (widget_class, "console.save-view", NULL, save_view_action);
}
