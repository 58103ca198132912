/* vetter-batch-row.c: a batch in the queue, with its controls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-batch-row"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "vetter-batch-row.h"
#include "vetter-resources.h"

struct _VetterBatchRow
{
  GtkListBoxRow      parent_instance;

  VetterBatchObject *batch;
  VetterEngine      *engine;

  GtkLabel          *title_label;
  GtkLabel          *subtitle_label;
  GtkProgressBar    *progress_bar;
  GtkWidget         *pause_button;
  GtkWidget         *resume_button;
  GtkWidget         *retry_button;
  GtkWidget         *cancel_button;
};

G_DEFINE_FINAL_TYPE (VetterBatchRow, vetter_batch_row, GTK_TYPE_LIST_BOX_ROW)

static void
sync_from_batch (VetterBatchRow *self)
{
  VetterBatchState state = vetter_batch_object_get_state (self->batch);
  gboolean waiting = vetter_batch_object_get_waiting (self->batch) > 0;
  gboolean running = state == VETTER_BATCH_RUNNING;
  gboolean stopped = state == VETTER_BATCH_PAUSED || state == VETTER_BATCH_CANCELLED;

  gtk_label_set_label (self->subtitle_label, vetter_batch_object_get_subtitle (self->batch));
  gtk_progress_bar_set_fraction (self->progress_bar, vetter_batch_object_get_fraction (self->batch));
  gtk_widget_set_visible (self->pause_button, running && waiting);
  gtk_widget_set_visible (self->resume_button, stopped && waiting);
  gtk_widget_set_visible (self->cancel_button, waiting && state != VETTER_BATCH_CANCELLED);
  gtk_widget_set_visible (self->retry_button, !waiting && vetter_batch_object_get_failed (self->batch) > 0);
}

static void
on_batch_notify (VetterBatchRow *self)
{
  sync_from_batch (self);
}

static void
pause_action (GtkWidget  *widget,
              const char *name,
              GVariant   *parameter)
{
  VetterBatchRow *self = VETTER_BATCH_ROW (widget);

  vetter_engine_pause_batch (self->engine, vetter_batch_object_get_id (self->batch));
}

static void
resume_action (GtkWidget  *widget,
               const char *name,
               GVariant   *parameter)
{
  VetterBatchRow *self = VETTER_BATCH_ROW (widget);

  vetter_engine_resume_batch (self->engine, vetter_batch_object_get_id (self->batch));
}

static void
on_cancel_answered (AdwMessageDialog *dialog,
                    const char       *response,
                    VetterBatchRow   *self)
{
  if (g_str_equal (response, "cancel-batch") && self->engine && self->batch)
    vetter_engine_cancel_batch (self->engine, vetter_batch_object_get_id (self->batch));
  g_object_unref (self);
}

/* Cancelling throws away the work not done yet: asked first, saying how
 * much, and that what is done is kept. */
static void
cancel_action (GtkWidget  *widget,
               const char *name,
               GVariant   *parameter)
{
  VetterBatchRow *self = VETTER_BATCH_ROW (widget);
  gint64 waiting = vetter_batch_object_get_waiting (self->batch);
  g_autofree char *heading = g_strdup_printf (_("Cancel “%s”?"), vetter_batch_object_get_title (self->batch));
  g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, waiting);
  g_autofree char *body = g_strdup_printf (ngettext ("%s ad not processed yet will not be. The ads already "
                                                     "processed, and their decisions, are kept.",
                                                     "%s ads not processed yet will not be. The ads already "
                                                     "processed, and their decisions, are kept.", (gulong) waiting),
                                           count);
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), heading, body);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "keep", _("_Keep Going"),
                                    "cancel-batch", _("_Cancel Batch"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "cancel-batch",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_signal_connect (dialog, "response", G_CALLBACK (on_cancel_answered), g_object_ref (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
retry_action (GtkWidget  *widget,
              const char *name,
              GVariant   *parameter)
{
  VetterBatchRow *self = VETTER_BATCH_ROW (widget);

  vetter_engine_retry_failed (self->engine, vetter_batch_object_get_id (self->batch));
}

static void
vetter_batch_row_dispose (GObject *object)
{
  VetterBatchRow *self = VETTER_BATCH_ROW (object);

  if (self->batch)
    g_signal_handlers_disconnect_by_data (self->batch, self);
  g_clear_object (&self->batch);
  g_clear_object (&self->engine);
  gtk_widget_dispose_template (GTK_WIDGET (self), VETTER_TYPE_BATCH_ROW);

  G_OBJECT_CLASS (vetter_batch_row_parent_class)->dispose (object);
}

static void
vetter_batch_row_class_init (VetterBatchRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vetter_batch_row_dispose;

  vetter_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/vetter-batch-row.ui");
  gtk_widget_class_bind_template_child (widget_class, VetterBatchRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, VetterBatchRow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, VetterBatchRow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, VetterBatchRow, pause_button);
  gtk_widget_class_bind_template_child (widget_class, VetterBatchRow, resume_button);
  gtk_widget_class_bind_template_child (widget_class, VetterBatchRow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, VetterBatchRow, cancel_button);

  gtk_widget_class_install_action (widget_class, "batch.pause", NULL, pause_action);
  gtk_widget_class_install_action (widget_class, "batch.resume", NULL, resume_action);
  gtk_widget_class_install_action (widget_class, "batch.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "batch.retry", NULL, retry_action);
}

static void
vetter_batch_row_init (VetterBatchRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
vetter_batch_row_new (VetterBatchObject *batch,
                      VetterEngine      *engine)
{
  VetterBatchRow *self = g_object_new (VETTER_TYPE_BATCH_ROW, NULL);

  self->batch = g_object_ref (batch);
  self->engine = g_object_ref (engine);
  gtk_label_set_label (self->title_label, vetter_batch_object_get_title (batch));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label), vetter_batch_object_get_title (batch));
  g_signal_connect_swapped (batch, "notify", G_CALLBACK (on_batch_notify), self);
  sync_from_batch (self);
  return GTK_WIDGET (self);
}
