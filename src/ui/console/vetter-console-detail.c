/* vetter-console-detail.c: what Enter opens in the console
 *
 * An ad opens in full (its images' findings, variants and history, as the
 * review shows them); a batch or an advertiser opens as the list of their
 * ads. Escape goes back to the list.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-console"

#include "config.h"

#include <glib/gi18n.h>

#include "vetter-console-page-private.h"

static void
on_detail (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterItemDetail) item = vetter_engine_item_detail_finish (VETTER_ENGINE (source), result, &error);
  g_autofree char *title = NULL;

  if (item == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_label_set_label (self->result_label, error->message);
      return;
    }
  title = g_strdup_printf (_("Ad %" G_GINT64_FORMAT ": %s"), item->id, item->title ? item->title : "");
  gtk_label_set_label (self->detail_title, title);
  vetter_item_detail_view_set_item (self->detail_view, item, 0);
  gtk_stack_set_visible_child_name (self->stack, "detail");
}

/* Enter or a double click on a row of ads: the ad in full, with its
 * images' findings, variants and history. */
static void
on_row_activated (GtkColumnView     *view,
                  guint              position,
                  VetterConsolePage *self)
{
  if (self->model == NULL || position >= g_list_model_get_n_items (G_LIST_MODEL (self->model)))
    return;
  /* A batch or an advertiser opens as the list of their ads. */
  if (g_str_equal (self->table->name, "batches") || g_str_equal (self->table->name, "advertisers"))
    {
      g_autoptr(VetterRecord) record = g_list_model_get_item (G_LIST_MODEL (self->model), position);
      gboolean batch = g_str_equal (self->table->name, "batches");
      g_autofree char *value = batch ? g_strdup_printf ("%" G_GINT64_FORMAT, vetter_record_get_key (record))
                                     : g_strdup (vetter_record_get_value (record, 0));
      g_autofree char *title = batch ? g_strdup_printf (_("Batch %s"), value) : g_strdup (value);

      /* An advertiser's row not drawn yet has no address to go by. */
      if (value == NULL)
        {
          gtk_widget_error_bell (GTK_WIDGET (self));
          return;
        }
      vetter_console_page_show_table (self, "ads");
      self->base = vetter_query_new (self->table);
      vetter_query_add_filter (self->base, batch ? "batch" : "email", VETTER_FILTER_EQUAL, value, NULL);
      gtk_label_set_label (self->view_label, title);
      gtk_widget_set_visible (GTK_WIDGET (self->view_label), TRUE);
      vetter_console_page_run_query (self);
      return;
    }
  if (!vetter_console_page_acts_on_ads (self))
    return;
  g_cancellable_cancel (self->detail_cancellable);
  g_clear_object (&self->detail_cancellable);
  self->detail_cancellable = g_cancellable_new ();
  vetter_engine_item_detail_async (self->engine, vetter_table_model_get_key (self->model, position),
                                   self->detail_cancellable, on_detail, g_object_ref (self));
}

static void
back_action (GtkWidget  *widget,
             const char *name,
             GVariant   *parameter)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (widget);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "detail") != 0)
    return;
  gtk_stack_set_visible_child_name (self->stack, "list");
  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}


void
vetter_console_detail_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "console.back", NULL, back_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "console.back", NULL);
}

void
vetter_console_detail_init (VetterConsolePage *self)
{
  g_signal_connect (self->column_view, "activate", G_CALLBACK (on_row_activated), self);
}
