/* vetter-console-export.c: the console's rows written to a file
 *
 * Every row the list's query keeps, with its columns, as CSV, JSON lines
 * or a spreadsheet, written on the database thread a row at a time (memory stays
 * flat at a million rows) while the page counts the rows written.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-console"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "vetter-console-page-private.h"

typedef struct
{
  VetterQuery     *query;
  VetterRowFormat  format;
  char            *path;
  GWeakRef         page;
} ExportJob;

typedef struct
{
  GWeakRef page;
  gint64   written;
} ExportProgress;

static void
export_job_free (gpointer data)
{
  ExportJob *job = data;

  vetter_query_free (job->query);
  g_free (job->path);
  g_weak_ref_clear (&job->page);
  g_free (job);
}

static gboolean
show_export_progress (gpointer data)
{
  ExportProgress *progress = data;
  g_autoptr(VetterConsolePage) self = g_weak_ref_get (&progress->page);

  if (self && self->exporting)
    {
      g_autofree char *text = self->export_total > 0
                                ? g_strdup_printf (_("Exporting… %" PRId64 " of %" PRId64 " rows"),
                                                   progress->written, self->export_total)
                                : g_strdup_printf (_("Exporting… %" PRId64 " rows"), progress->written);

      gtk_label_set_label (self->result_label, text);
      if (self->export_total > 0)
        gtk_progress_bar_set_fraction (self->export_progress,
                                       MIN (1.0, (double) progress->written / self->export_total));
      else
        gtk_progress_bar_pulse (self->export_progress);
    }
  g_weak_ref_clear (&progress->page);
  g_free (progress);
  return G_SOURCE_REMOVE;
}

/* On the database thread: told to the main thread. */
static void
on_export_progress (gint64   written,
                    gpointer data)
{
  ExportJob *job = data;
  ExportProgress *progress = g_new0 (ExportProgress, 1);
  g_autoptr(GObject) page = g_weak_ref_get (&job->page);

  g_weak_ref_init (&progress->page, page);
  progress->written = written;
  g_idle_add (show_export_progress, progress);
}

static gpointer
store_export (VetterStore  *store,
              gpointer      data,
              GError      **error)
{
  ExportJob *job = data;
  gint64 written = vetter_store_export_query (store, job->query, job->format, job->path, on_export_progress, job, error);

  return written < 0 ? NULL : g_memdup2 (&written, sizeof written);
}

static void
on_exported (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree gint64 *written = vetter_database_run_finish (VETTER_DATABASE (source), result, &error);
  g_autofree char *text = NULL;

  self->exporting = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->export_progress), FALSE);
  if (written == NULL)
    text = g_strdup_printf (_("Not exported: %s"), error->message);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Exported %" PRId64 " row",
                                         "Exported %" PRId64 " rows", (gulong) *written), *written);
  gtk_label_set_label (self->result_label, text);
  gtk_action_bar_set_revealed (self->action_bar, TRUE);
}

void
vetter_console_page_export (VetterConsolePage *self,
                            const char        *format,
                            const char        *path)
{
  ExportJob *job;
  VetterRowFormat row_format;

  g_return_if_fail (vetter_row_format_from_string (format, &row_format));
  if (self->table == NULL || self->exporting)
    return;
  job = g_new0 (ExportJob, 1);
  job->format = row_format;
  job->query = vetter_console_page_build_query (self);
  job->path = g_strdup (path);
  g_weak_ref_init (&job->page, self);
  self->exporting = TRUE;
  /* The list's count, when every key is in: the bar shows how far. */
  self->export_total = self->model && vetter_table_model_is_ready (self->model) && !self->partial
                         ? g_list_model_get_n_items (G_LIST_MODEL (self->model)) : 0;
  gtk_progress_bar_set_fraction (self->export_progress, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->export_progress), TRUE);
  gtk_action_bar_set_revealed (self->action_bar, TRUE);
  gtk_label_set_label (self->result_label, _("Exporting…"));
  vetter_database_run_async (self->database, store_export, job, export_job_free, g_free, NULL, on_exported,
                             g_object_ref (self));
}

static void
on_export_chosen (GtkNativeDialog   *dialog,
                  int                response,
                  VetterConsolePage *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      const char *format = g_object_get_data (G_OBJECT (dialog), "vetter-format");

      if (path)
        vetter_console_page_export (self, format, path);
    }
  g_object_unref (dialog);
}

static void
export_action (GtkWidget  *widget,
               const char *name,
               GVariant   *parameter)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (widget);
  const char *format = g_variant_get_string (parameter, NULL);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *dialog;
  g_autofree char *suggested = NULL;

  if (self->table == NULL)
    return;
  dialog = gtk_file_chooser_native_new (_("Export"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  suggested = g_strdup_printf ("%s.%s", self->table->name, g_str_equal (format, "json") ? "jsonl" : format);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), suggested);
  g_object_set_data_full (G_OBJECT (dialog), "vetter-format", g_strdup (format), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static GMenuModel *
export_menu (void)
{
  GMenu *menu = g_menu_new ();

  g_menu_append (menu, _("CSV…"), "console.export::csv");
  g_menu_append (menu, _("JSON Lines…"), "console.export::json");
  g_menu_append (menu, _("Spreadsheet (.xlsx)…"), "console.export::xlsx");
  return G_MENU_MODEL (menu);
}


void
vetter_console_export_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "console.export", "s", export_action);
}

void
vetter_console_export_init (VetterConsolePage *self)
{
  g_autoptr(GMenuModel) exports = export_menu ();

  gtk_menu_button_set_menu_model (self->export_button, exports);
}
