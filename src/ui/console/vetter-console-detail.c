/* vetter-console-detail.c: what Enter opens in the console
 *
 * An ad opens in full (its images' findings, variants and history, as the
 * review shows them); an advertiser opens as the list of their ads, and a
 * batch as its ads under its progress, output CSV and callback's outcome,
 * read again whenever its ads change. Escape goes back to the list.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-console"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "vetter-console-page-private.h"
#include "vetter-labels.h"

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
  title = g_strdup_printf (_("Ad %" PRId64 ": %s"), item->id, item->title ? item->title : "");
  gtk_label_set_label (self->detail_title, title);
  vetter_item_detail_view_set_item (self->detail_view, item, 0);
  gtk_stack_set_visible_child_name (self->stack, "detail");
  /* Processed elsewhere: its pictures are fetched now it is shown. */
  if (vetter_item_detail_lacks_files (item))
    vetter_engine_fetch_variants (self->engine, item->id);
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
      /* A batch's page: its progress, output and callback above its ads. */
      if (batch)
        {
          self->batch_id = vetter_record_get_key (record);
          vetter_console_page_refresh_batch (self);
        }
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


/* ---- A batch's page ------------------------------------------------------- */

static gpointer
store_batch_detail (VetterStore  *store,
                    gpointer      data,
                    GError      **error)
{
  return vetter_store_batch_detail (store, *(gint64 *) data, error);
}

static char *
describe_callback (const VetterBatchDetail *batch)
{
  if (batch->callback_url == NULL)
    return g_strdup (_("No callback was asked for."));
  if (batch->callback_state == NULL)
    return g_strdup_printf (_("Callback to %s: once every ad is decided."), batch->callback_url);
  if (g_str_equal (batch->callback_state, "done"))
    return g_strdup_printf (_("Callback to %s: received."), batch->callback_url);
  if (g_str_equal (batch->callback_state, "parked"))
    return g_strdup_printf (_("Callback to %s: refused, %s. Try it again from the outbox."), batch->callback_url,
                            batch->callback_error ? batch->callback_error : _("no reason given"));
  if (batch->callback_attempts > 0)
    return g_strdup_printf (_("Callback to %s: not received yet (%d attempts; the last: %s)."), batch->callback_url,
                            batch->callback_attempts, batch->callback_error ? batch->callback_error : "");
  return g_strdup_printf (_("Callback to %s: being sent."), batch->callback_url);
}

static void
show_batch (VetterConsolePage       *self,
            const VetterBatchDetail *batch)
{
  const VetterBatchCounts *counts = &batch->counts;
  gint64 processed = counts->total - counts->queued - counts->processing;
  g_autofree char *created = vetter_label_for_time (batch->info.created);
  g_autofree char *heading = g_strdup_printf (_("Batch %" PRId64 ": %s, started %s · %s"), batch->info.id,
                                              batch->info.source ? batch->info.source : "",
                                              created, vetter_label_for_batch_state (batch->info.state));
  g_autofree char *text = g_strdup_printf (_("%" PRId64 " of %" PRId64 " processed: %"
                                             PRId64 " approved, %" PRId64 " rejected, %"
                                             PRId64 " to review, %" PRId64 " failed"),
                                           processed, counts->total, counts->approved, counts->rejected,
                                           counts->needs_review, counts->failed);
  g_autofree char *callback = describe_callback (batch);

  gtk_label_set_label (self->batch_heading, heading);
  gtk_progress_bar_set_fraction (self->batch_progress, counts->total > 0 ? (double) processed / counts->total : 0);
  gtk_label_set_label (self->batch_counts, text);
  gtk_label_set_label (self->batch_output, batch->output_csv ? batch->output_csv : _("No output CSV yet"));
  gtk_widget_set_sensitive (self->batch_open_button, batch->output_csv != NULL);
  gtk_label_set_label (self->batch_callback, callback);
  g_free (self->output_csv);
  self->output_csv = g_strdup (batch->output_csv);
  gtk_widget_set_visible (self->batch_box, TRUE);
}

static void
on_batch_detail (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterBatchDetail) batch = vetter_database_run_finish (VETTER_DATABASE (source), result, &error);

  if (batch == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_label_set_label (self->result_label, error->message);
      return;
    }
  /* Read for a batch no longer shown. */
  if (batch->info.id == self->batch_id)
    show_batch (self, batch);
}

void
vetter_console_page_refresh_batch (VetterConsolePage *self)
{
  if (self->batch_cancellable)
    g_cancellable_cancel (self->batch_cancellable);
  g_clear_object (&self->batch_cancellable);
  self->batch_cancellable = g_cancellable_new ();
  vetter_database_run_async (self->database, store_batch_detail, g_memdup2 (&self->batch_id, sizeof (gint64)), g_free,
                             (GDestroyNotify) vetter_batch_detail_free, self->batch_cancellable, on_batch_detail,
                             g_object_ref (self));
}

static void
open_output_action (GtkWidget  *widget,
                    const char *name,
                    GVariant   *parameter)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GFile) file = NULL;
  g_autofree char *uri = NULL;

  if (self->output_csv == NULL || self->batch_id == 0)
    return;
  file = g_file_new_for_path (self->output_csv);
  uri = g_file_get_uri (file);
  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri, GDK_CURRENT_TIME);
}

void
vetter_console_detail_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "console.open-output", NULL, open_output_action);
  gtk_widget_class_install_action (widget_class, "console.back", NULL, back_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "console.back", NULL);
}

void
vetter_console_detail_init (VetterConsolePage *self)
{
  g_signal_connect (self->column_view, "activate", G_CALLBACK (on_row_activated), self);
}
