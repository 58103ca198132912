/* vetter-window.c: the main window: intake and the live queue
 *
 * Files come in three ways (a drop anywhere, the Add button, `vetter
 * FILE…`) and all take vetter_window_add_files(). Reading them happens off
 * the UI thread; the queue below follows the engine's signals. The Review
 * tab is a VetterReviewPage of its own.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "vetter-application.h"
#include "vetter-batch-object.h"
#include "vetter-batch-row.h"
#include "vetter-item-list.h"
#include "vetter-item-object.h"
#include "vetter-labels.h"
#include "vetter-resources.h"
#include "vetter-review-page.h"
#include "vetter-console-page.h"
#include "vetter-window.h"

struct _VetterWindow
{
  AdwApplicationWindow parent_instance;

  VetterContext   *context;
  gboolean         closing_confirmed;
  VetterEngine    *engine;
  VetterSync      *sync;       /* the context's, when services are configured */
  GListStore      *batches;    /* VetterBatchObject, newest first */
  GHashTable      *by_id;      /* batch id → VetterBatchObject (borrowed) */
  GCancellable    *cancellable;
  gboolean         listing;    /* the store's batches are being listed */
  gboolean         listed;     /* ... and have been, once */

  AdwToastOverlay *toast_overlay;
  AdwViewStack    *view_stack;
  AdwViewStackPage *review_stack_page;
  VetterReviewPage *review_page;
  VetterConsolePage *console_page;
  GtkStack        *main_stack;
  GtkListBox      *batch_list;
  GtkListView     *item_view;
  GtkLabel        *items_title;
  GtkMenuButton   *sync_button;
  GtkMenuButton   *person_button;
  GtkLabel        *person_label;
  GtkLabel        *sync_status;
  GtkListBox      *parked_list;
  GtkWidget       *retry_button;
  GtkWidget       *drop_highlight;
};

G_DEFINE_FINAL_TYPE (VetterWindow, vetter_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  BATCH_ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Longer than this, a toast shows the start and a Details button. */
#define TOAST_LENGTH 90

static void
toast (VetterWindow *self,
       const char   *message)
{
  g_autofree char *first_line = g_strndup (message, strcspn (message, "\n"));
  AdwToast *t;

  if (g_utf8_strlen (first_line, -1) > TOAST_LENGTH || strchr (message, '\n'))
    {
      g_autofree char *shortened = g_utf8_substring (first_line, 0, MIN (g_utf8_strlen (first_line, -1), TOAST_LENGTH));
      g_autofree char *title = g_strdup_printf ("%s…", shortened);

      t = adw_toast_new (title);
      adw_toast_set_button_label (t, _("_Details"));
      adw_toast_set_action_name (t, "win.show-details");
      adw_toast_set_action_target (t, "s", message);
    }
  else
    t = adw_toast_new (message);
  adw_toast_set_timeout (t, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

/* A message too long for a toast, whole, to be read and copied. */
static void
show_details_action (GtkWidget  *widget,
                     const char *name,
                     GVariant   *parameter)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (widget), _("Details"), NULL);
  GtkWidget *label = gtk_label_new (g_variant_get_string (parameter, NULL));

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 60);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), label);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* What would stop if the window closed now: ads not processed, results
 * not sent. */
static void
work_in_flight (VetterWindow *self,
                gint64       *ads,
                gint64       *results)
{
  VetterSync *sync = vetter_context_get_sync (self->context);

  *ads = 0;
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->batches)); i++)
    {
      g_autoptr(VetterBatchObject) batch = g_list_model_get_item (G_LIST_MODEL (self->batches), i);

      if (vetter_batch_object_get_state (batch) == VETTER_BATCH_RUNNING)
        *ads += vetter_batch_object_get_waiting (batch);
    }
  *results = sync ? vetter_sync_get_counts (sync)->pending : 0;
}

static void
on_close_answered (AdwMessageDialog *dialog,
                   const char       *response,
                   VetterWindow     *self)
{
  if (g_str_equal (response, "close"))
    {
      self->closing_confirmed = TRUE;
      gtk_window_close (GTK_WINDOW (self));
    }
  g_object_unref (self);
}

/* Closing with work in flight says what happens to it: it goes on the
 * next time Vetter starts, nothing is lost; the moderator chooses. */
static gboolean
vetter_window_close_request (GtkWindow *window)
{
  VetterWindow *self = VETTER_WINDOW (window);
  g_autofree char *body = NULL;
  g_autofree char *ads_text = NULL;
  g_autofree char *results_text = NULL;
  GtkWidget *dialog;
  gint64 ads, results;

  if (self->closing_confirmed || self->context == NULL)
    return GTK_WINDOW_CLASS (vetter_window_parent_class)->close_request (window);
  work_in_flight (self, &ads, &results);
  if (ads == 0 && results == 0)
    return GTK_WINDOW_CLASS (vetter_window_parent_class)->close_request (window);

  ads_text = g_strdup_printf ("%" G_GINT64_FORMAT, ads);
  results_text = g_strdup_printf ("%" G_GINT64_FORMAT, results);
  if (ads > 0 && results > 0)
    /* Translators: both numbers are counts */
    body = g_strdup_printf (_("%s ads are still to be processed and %s results to be sent. Nothing is lost: "
                              "the work goes on the next time Vetter starts."), ads_text, results_text);
  else if (ads > 0)
    body = g_strdup_printf (ngettext ("%s ad is still to be processed. Nothing is lost: the work goes on the "
                                      "next time Vetter starts.",
                                      "%s ads are still to be processed. Nothing is lost: the work goes on the "
                                      "next time Vetter starts.", (gulong) ads), ads_text);
  else
    body = g_strdup_printf (ngettext ("%s result is still to be sent. Nothing is lost: it goes the next time "
                                      "Vetter starts.",
                                      "%s results are still to be sent. Nothing is lost: they go the next time "
                                      "Vetter starts.", (gulong) results), results_text);
  dialog = adw_message_dialog_new (window, _("Close While Working?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "keep", _("_Keep Working"), "close", _("_Close"),
                                    NULL);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_signal_connect (dialog, "response", G_CALLBACK (on_close_answered), g_object_ref (self));
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

static void
update_page (VetterWindow *self)
{
  if (gtk_list_view_get_model (self->item_view) != NULL)
    return;
  gtk_stack_set_visible_child_name (self->main_stack,
                                    g_list_model_get_n_items (G_LIST_MODEL (self->batches)) > 0 ? "queue" : "empty");
}

/* What a batch is called in the queue: the file's name, not its path. */
static char *
batch_title (const char *source)
{
  if (source != NULL && g_path_is_absolute (source))
    return g_path_get_basename (source);
  return g_strdup (source ? source : _("Batch"));
}

static VetterBatchObject *
ensure_batch (VetterWindow *self,
              gint64        id,
              const char   *source,
              gboolean      at_top)
{
  VetterBatchObject *batch = g_hash_table_lookup (self->by_id, &id);
  g_autofree char *title = NULL;
  gint64 *key;

  if (batch)
    return batch;

  title = batch_title (source);
  batch = vetter_batch_object_new (id, title);
  key = g_new (gint64, 1);
  *key = id;
  g_hash_table_insert (self->by_id, key, batch);
  if (at_top)
    g_list_store_insert (self->batches, 0, batch);
  else
    g_list_store_append (self->batches, batch);
  g_object_unref (batch);

  {
    const VetterBatchProgress *progress = vetter_engine_get_progress (self->engine, id);
    if (progress)
      vetter_batch_object_update (batch, progress);
  }
  update_page (self);
  return batch;
}

/* ---- Engine signals ------------------------------------------------------- */

/* The Review tab's badge: how many items wait for a person. */
static void
update_review_badge (VetterWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->batches));
  gint64 waiting = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VetterBatchObject) batch = g_list_model_get_item (G_LIST_MODEL (self->batches), i);
      const VetterBatchProgress *progress = vetter_engine_get_progress (self->engine, vetter_batch_object_get_id (batch));

      if (progress)
        waiting += progress->needs_review;
    }
  adw_view_stack_page_set_badge_number (self->review_stack_page, (guint) MIN (waiting, G_MAXUINT));
  adw_view_stack_page_set_needs_attention (self->review_stack_page, waiting > 0);
}

static void on_batches_listed (GObject *source, GAsyncResult *result, gpointer user_data);

static void
on_batch_progress (VetterWindow *self,
                   gint64        batch_id,
                   VetterEngine *engine)
{
  VetterBatchObject *batch = g_hash_table_lookup (self->by_id, &batch_id);

  if (batch)
    vetter_batch_object_update (batch, vetter_engine_get_progress (engine, batch_id));
  else if (!self->listing)
    {
      /* A batch this window did not add: ads another desktop shared. */
      self->listing = TRUE;
      vetter_engine_list_batches_async (self->engine, 200, self->cancellable, on_batches_listed, g_object_ref (self));
    }
  update_review_badge (self);
}

static void
on_review_message (VetterWindow *self,
                   const char   *message)
{
  toast (self, message);
}

/* Keys go where the moderator is looking: into the review page when it
 * is shown, so A, R, J and K work without a click first. */
static void
on_visible_page_changed (VetterWindow *self)
{
  /* The console's keys work from the moment it shows. */
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "console") == 0)
    {
      vetter_console_page_focus (self->console_page);
      return;
    }
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "review") != 0)
    return;
  if (g_strcmp0 (vetter_review_page_get_state (self->review_page), "empty") == 0)
    vetter_review_page_reload (self->review_page);
  gtk_widget_grab_focus (GTK_WIDGET (vetter_review_page_get_image_view (self->review_page)));
}

static void
show_page_action (GtkWidget  *widget,
                  const char *name,
                  GVariant   *parameter)
{
  VetterWindow *self = VETTER_WINDOW (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, g_variant_get_string (parameter, NULL));
}

static void
on_batches_listed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(VetterWindow) self = user_data;
  g_autoptr(GPtrArray) batches = NULL;
  g_autoptr(GError) error = NULL;

  batches = vetter_engine_list_batches_finish (VETTER_ENGINE (source), result, &error);
  self->listing = FALSE;
  if (batches == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, error->message);
      return;
    }
  /* Newest first. The first listing fills the list in that order; a
   * batch found later is newer than all shown, so each new one goes on
   * top, oldest first. */
  for (guint i = 0; i < batches->len; i++)
    {
      VetterBatchInfo *info = g_ptr_array_index (batches, self->listed ? batches->len - 1 - i : i);

      ensure_batch (self, info->id, info->source, self->listed);
    }
  self->listed = TRUE;
}

/* ---- The outbox ----------------------------------------------------------- */

/* The header's indicator: offline, sending N, N parked, or all sent. */
static void
update_sync_indicator (VetterWindow *self)
{
  const VetterOutboxCounts *counts = vetter_sync_get_counts (self->sync);
  g_autofree char *status = NULL;
  const char *icon;

  /* Counts shown as int: an outbox of two billion rows is not a case. */
  int parked = (int) MIN (counts->parked, G_MAXINT), pending = (int) MIN (counts->pending, G_MAXINT);

  const char *problem = vetter_sync_get_couch_problem (self->sync);

  if (parked > 0)
    {
      icon = "dialog-warning-symbolic";
      status = g_strdup_printf (ngettext ("%d result could not be sent; %d waiting",
                                          "%d results could not be sent; %d waiting", parked), parked, pending);
    }
  else if (problem)
    {
      icon = "dialog-warning-symbolic";
      /* Translators: the shared database is not usable, and why */
      status = g_strdup_printf (_("Shared database: %s"), problem);
    }
  else if (pending > 0 && vetter_sync_get_offline (self->sync))
    {
      icon = "network-offline-symbolic";
      status = g_strdup_printf (ngettext ("Offline: %d result waits to be sent",
                                          "Offline: %d results wait to be sent", pending), pending);
    }
  else if (pending > 0)
    {
      icon = "emblem-synchronizing-symbolic";
      status = g_strdup_printf (ngettext ("Sending %d result", "Sending %d results", pending), pending);
    }
  else
    {
      icon = "emblem-ok-symbolic";
      status = g_strdup (_("Everything is sent"));
    }
  /* Sharing the database without the bucket: the team's results cannot be
   * fetched here, so this desktop processes what it pulls itself. */
  {
    const VetterServices *services = vetter_context_get_services (self->context);

    if (services && vetter_services_has_couch (services) && !vetter_services_has_s3 (services))
      {
        g_autofree char *alone = g_strdup_printf (_("%s. Without the team's S3 bucket, this desktop processes the "
                                                    "shared ads itself instead of taking the team's results"), status);

        g_free (status);
        status = g_steal_pointer (&alone);
      }
  }
  gtk_menu_button_set_icon_name (self->sync_button, icon);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->sync_button), status);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->sync_button), GTK_ACCESSIBLE_PROPERTY_LABEL, status, -1);
  gtk_label_set_label (self->sync_status, status);
  gtk_widget_set_visible (self->retry_button, counts->parked > 0);
}

static void
on_parked_listed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(VetterWindow) self = user_data;
  g_autoptr(GPtrArray) rows = self->sync ? vetter_sync_list_parked_finish (self->sync, result, NULL) : NULL;
  GtkWidget *child;

  if (rows == NULL || self->parked_list == NULL)
    return;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->parked_list))))
    gtk_list_box_remove (self->parked_list, child);
  gtk_widget_set_visible (GTK_WIDGET (self->parked_list), rows->len > 0);
  for (guint i = 0; i < rows->len; i++)
    {
      VetterOutboxRow *row = g_ptr_array_index (rows, i);
      GtkWidget *entry = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (entry), vetter_label_for_outbox_kind (row->kind));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (entry), row->last_error ? row->last_error : "");
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (entry), 3);
      gtk_list_box_append (self->parked_list, entry);
    }
}

static void
on_sync_popover_shown (VetterWindow *self)
{
  vetter_sync_list_parked_async (self->sync, self->cancellable, on_parked_listed, g_object_ref (self));
}

static void
retry_sync_action (GtkWidget  *widget,
                   const char *name,
                   GVariant   *parameter)
{
  VetterWindow *self = VETTER_WINDOW (widget);

  if (self->sync)
    vetter_sync_retry_parked (self->sync);
  gtk_menu_button_popdown (self->sync_button);
}

/* The indicator follows the context's sender; with none, no service is
 * set up and it hides. */
static void
on_sync_changed (VetterWindow *self)
{
  VetterSync *sync = vetter_context_get_sync (self->context);

  if (self->sync)
    g_signal_handlers_disconnect_by_func (self->sync, update_sync_indicator, self);
  g_set_object (&self->sync, sync);
  gtk_widget_set_visible (GTK_WIDGET (self->sync_button), sync != NULL);
  vetter_review_page_set_claims (self->review_page, sync ? vetter_sync_get_couch_claims (sync) : NULL);
  vetter_console_page_set_couch (self->console_page, sync ? vetter_sync_get_couch_client (sync) : NULL);
  if (sync == NULL)
    return;
  g_signal_connect_object (sync, "notify", G_CALLBACK (update_sync_indicator), self, G_CONNECT_SWAPPED);
  update_sync_indicator (self);
}

/* ---- A batch's items ------------------------------------------------------ */

static void
on_batch_row_activated (GtkListBox    *list,
                        GtkListBoxRow *row,
                        VetterWindow  *self)
{
  int index = gtk_list_box_row_get_index (row);
  g_autoptr(VetterBatchObject) batch = g_list_model_get_item (G_LIST_MODEL (self->batches), (guint) index);

  if (batch)
    vetter_window_show_items (self, vetter_batch_object_get_id (batch));
}

static void
show_batches_action (GtkWidget  *widget,
                     const char *name,
                     GVariant   *parameter)
{
  VetterWindow *self = VETTER_WINDOW (widget);

  gtk_list_view_set_model (self->item_view, NULL);
  update_page (self);
}

/* ---- Adding files --------------------------------------------------------- */

typedef struct
{
  VetterWindow *self;
  char         *source;
  guint         items;
} AddContext;

static void
add_context_free (AddContext *ctx)
{
  g_object_unref (ctx->self);
  g_free (ctx->source);
  g_free (ctx);
}

static void
on_batch_added (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  AddContext *ctx = user_data;
  VetterWindow *self = ctx->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = batch_title (ctx->source);
  gboolean resumed = FALSE;
  gint64 id;

  id = vetter_engine_add_batch_finish (VETTER_ENGINE (source), result, &resumed, NULL, &error);
  if (id == 0)
    {
      g_autofree char *message = g_strdup_printf (_("%s could not be added: %s"), title, error->message);
      toast (self, message);
    }
  else
    {
      g_autofree char *message = NULL;

      ensure_batch (self, id, ctx->source, TRUE);
      g_signal_emit (self, signals[BATCH_ADDED], 0, id, resumed);
      if (resumed)
        message = g_strdup_printf (_("%s is already in the queue; its finished work is kept"), title);
      else
        message = g_strdup_printf (ngettext ("%s: %u item added", "%s: %u items added", ctx->items), title, ctx->items);
      toast (self, message);
    }
  add_context_free (ctx);
}

static char *
output_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "vetter", "output", NULL);
}

static void
on_files_read (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(VetterWindow) self = user_data;
  g_autoptr(GPtrArray) batches = NULL;
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = output_dir ();

  batches = vetter_intake_files_finish (result, &errors, &error);
  if (batches == NULL)
    {
      toast (self, error->message);
      return;
    }

  /* What cannot be taken is said, file by file; the rest goes in. */
  for (guint i = 0; i < errors->len; i++)
    toast (self, g_ptr_array_index (errors, i));

  while (batches->len > 0)
    {
      VetterIntakeBatch *batch = g_ptr_array_steal_index (batches, 0);
      AddContext *ctx = g_new0 (AddContext, 1);

      if (batch->encoding)
        {
          g_autofree char *title = batch_title (batch->source);
          g_autofree char *message = g_strdup_printf (_("%s was read as %s text; saved as “CSV UTF-8”, every letter "
                                                        "is sure"), title, batch->encoding);

          toast (self, message);
        }
      ctx->self = g_object_ref (self);
      ctx->source = g_strdup (batch->source);
      ctx->items = batch->total;
      vetter_engine_add_batch_async (self->engine, batch, out, NULL, self->cancellable, on_batch_added, ctx);
    }
}

/* ---- Drop and the file chooser -------------------------------------------- */

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         VetterWindow  *self)
{
  GSList *list;
  g_autoptr(GPtrArray) files = g_ptr_array_new ();

  gtk_widget_set_visible (self->drop_highlight, FALSE);
  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  list = gdk_file_list_get_files (g_value_get_boxed (value));
  for (GSList *l = list; l; l = l->next)
    g_ptr_array_add (files, l->data);
  g_slist_free (list);
  if (files->len == 0)
    return FALSE;
  vetter_window_add_files (self, (GFile **) files->pdata, files->len);
  return TRUE;
}

static GdkDragAction
on_drop_enter (GtkDropTarget *target,
               double         x,
               double         y,
               VetterWindow  *self)
{
  gtk_widget_set_visible (self->drop_highlight, TRUE);
  return GDK_ACTION_COPY;
}

static void
on_drop_leave (GtkDropTarget *target,
               VetterWindow  *self)
{
  gtk_widget_set_visible (self->drop_highlight, FALSE);
}

static void
on_chooser_response (GtkNativeDialog *dialog,
                     int              response,
                     VetterWindow    *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) chosen = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < g_list_model_get_n_items (chosen); i++)
        g_ptr_array_add (files, g_list_model_get_item (chosen, i));
      vetter_window_add_files (self, (GFile **) files->pdata, files->len);
    }
  g_object_unref (dialog);
}

static void
add_files_action (GtkWidget  *widget,
                  const char *name,
                  GVariant   *parameter)
{
  VetterWindow *self = VETTER_WINDOW (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Add Images or CSV Files"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Add"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_file_filter_set_name (filter, _("Images and CSV files"));
  gtk_file_filter_add_mime_type (filter, "image/*");
  gtk_file_filter_add_mime_type (filter, "text/csv");
  gtk_file_filter_add_suffix (filter, "csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- GObject -------------------------------------------------------------- */

static GtkWidget *
create_batch_row (gpointer item,
                  gpointer user_data)
{
  VetterWindow *self = user_data;

  return vetter_batch_row_new (item, self->engine);
}

/* Who acts here, and what they may do: every decision records the name.
 * Its menu signs in as someone else or out (with a shared database). */
static void
show_person (VetterWindow *self)
{
  const char *person = vetter_engine_get_person (self->engine);
  VetterRole role = vetter_engine_get_role (self->engine);
  const VetterServices *services = vetter_context_get_services (self->context);
  const char *roles[] = { N_("a viewer"), N_("a moderator"), N_("an admin"), N_("a worker") };
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autofree char *tooltip = NULL;

  if (vetter_context_is_signed_out (self->context))
    {
      person = _("Signed Out");
      tooltip = g_strdup (_("Nobody is signed in to the shared database: you may look, not decide. "
                            "Sign in to decide in your name."));
      g_menu_append (menu, _("Sign In…"), "app.switch-user");
    }
  else if (services && vetter_services_has_couch (services))
    {
      tooltip = g_strdup_printf (_("Signed in to the shared database as %s, %s: decisions are recorded in this name."),
                                 person, _(roles[role]));
      g_menu_append (menu, _("Sign In as Someone Else…"), "app.switch-user");
      g_menu_append (menu, _("Sign Out"), "app.sign-out");
    }
  else
    {
      tooltip = g_strdup_printf (_("%s, this computer's account, %s: decisions are recorded in this name."),
                                 person, _(roles[role]));
      g_menu_append (menu, _("Use a Shared Database…"), "app.switch-user");
    }
  gtk_label_set_label (self->person_label, person);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->person_button), tooltip);
  gtk_menu_button_set_menu_model (self->person_button, G_MENU_MODEL (menu));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->person_button), GTK_ACCESSIBLE_PROPERTY_LABEL, person,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip, -1);
}

static void
vetter_window_constructed (GObject *object)
{
  VetterWindow *self = VETTER_WINDOW (object);

  G_OBJECT_CLASS (vetter_window_parent_class)->constructed (object);

  self->engine = g_object_ref (vetter_context_get_engine (self->context));
  g_signal_connect_object (self->engine, "batch-progress", G_CALLBACK (on_batch_progress), self, G_CONNECT_SWAPPED);
  gtk_list_box_bind_model (self->batch_list, G_LIST_MODEL (self->batches), create_batch_row, self, NULL);
  vetter_review_page_setup (self->review_page, self->engine, G_LIST_MODEL (self->batches));
  vetter_console_page_setup (self->console_page, self->engine);
  g_signal_connect_object (self->context, "notify::sync", G_CALLBACK (on_sync_changed), self, G_CONNECT_SWAPPED);
  on_sync_changed (self);
  /* The person is set with the services, just before the sync changes. */
  g_signal_connect_object (self->context, "notify::sync", G_CALLBACK (show_person), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->engine, "role-changed", G_CALLBACK (show_person), self, G_CONNECT_SWAPPED);
  show_person (self);
  self->listing = TRUE;
  vetter_engine_list_batches_async (self->engine, 200, self->cancellable, on_batches_listed, g_object_ref (self));
}

static void
vetter_window_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  VetterWindow *self = VETTER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      self->context = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vetter_window_dispose (GObject *object)
{
  VetterWindow *self = VETTER_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->batch_list)
    gtk_list_box_bind_model (self->batch_list, NULL, NULL, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), VETTER_TYPE_WINDOW);
  g_clear_object (&self->sync);
  g_clear_object (&self->engine);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (vetter_window_parent_class)->dispose (object);
}

static void
vetter_window_finalize (GObject *object)
{
  VetterWindow *self = VETTER_WINDOW (object);

  g_clear_object (&self->batches);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (vetter_window_parent_class)->finalize (object);
}

static void
vetter_window_class_init (VetterWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = vetter_window_constructed;
  object_class->set_property = vetter_window_set_property;
  object_class->dispose = vetter_window_dispose;
  object_class->finalize = vetter_window_finalize;
  GTK_WINDOW_CLASS (klass)->close_request = vetter_window_close_request;

  properties[PROP_CONTEXT] = g_param_spec_object ("context", NULL, NULL, VETTER_TYPE_CONTEXT,
                                                  G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * VetterWindow::batch-added:
   * @batch_id: the batch a dropped file became
   * @resumed: it was there already, and goes on where it stopped
   */
  signals[BATCH_ADDED] = g_signal_new ("batch-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                       NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_BOOLEAN);

  vetter_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/vetter-window.ui");
  gtk_widget_class_bind_template_child (widget_class, VetterWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, VetterWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, VetterWindow, review_stack_page);
  gtk_widget_class_bind_template_child (widget_class, VetterWindow, review_page);
  gtk_widget_class_bind_template_child (widget_class, VetterWindow, console_page);
  gtk_widget_class_bind_template_child (widget_class, VetterWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, VetterWindow, batch_list);
  gtk_widget_class_bind_template_child (widget_class, VetterWindow, item_view);
  gtk_widget_class_bind_template_child (widget_class, VetterWindow, items_title);
  gtk_widget_class_bind_template_child (widget_class, VetterWindow, sync_button);
  gtk_widget_class_bind_template_child (widget_class, VetterWindow, person_button);
  gtk_widget_class_bind_template_child (widget_class, VetterWindow, person_label);
  gtk_widget_class_bind_template_child (widget_class, VetterWindow, sync_status);
  gtk_widget_class_bind_template_child (widget_class, VetterWindow, parked_list);
  gtk_widget_class_bind_template_child (widget_class, VetterWindow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, VetterWindow, drop_highlight);

  gtk_widget_class_install_action (widget_class, "win.add-files", NULL, add_files_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.add-files", NULL);
  gtk_widget_class_install_action (widget_class, "win.show-page", "s", show_page_action);
  gtk_widget_class_install_action (widget_class, "win.show-details", "s", show_details_action);
  gtk_widget_class_install_action (widget_class, "win.show-batches", NULL, show_batches_action);
  gtk_widget_class_install_action (widget_class, "win.retry-sync", NULL, retry_sync_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "win.show-page", "s", "queue");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "win.show-page", "s", "review");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_ALT_MASK, "win.show-page", "s", "console");
}

static void
vetter_window_init (VetterWindow *self)
{
  GtkDropTarget *target;

  self->batches = g_list_store_new (VETTER_TYPE_BATCH_OBJECT);
  self->by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();

  g_type_ensure (VETTER_TYPE_REVIEW_PAGE);
  g_type_ensure (VETTER_TYPE_CONSOLE_PAGE);
  g_type_ensure (VETTER_TYPE_ITEM_OBJECT);
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_swapped (self->review_page, "message", G_CALLBACK (on_review_message), self);
  g_signal_connect (self->batch_list, "row-activated", G_CALLBACK (on_batch_row_activated), self);
  g_signal_connect_swapped (gtk_menu_button_get_popover (self->sync_button), "show",
                            G_CALLBACK (on_sync_popover_shown), self);
  g_signal_connect_swapped (self->view_stack, "notify::visible-child", G_CALLBACK (on_visible_page_changed), self);

  target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (target, "drop", G_CALLBACK (on_drop), self);
  g_signal_connect (target, "enter", G_CALLBACK (on_drop_enter), self);
  g_signal_connect (target, "leave", G_CALLBACK (on_drop_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}

VetterWindow *
vetter_window_new (GtkApplication *application)
{
  g_return_val_if_fail (VETTER_IS_APPLICATION (application), NULL);
  return g_object_new (VETTER_TYPE_WINDOW, "application", application,
                       "context", vetter_application_get_context (VETTER_APPLICATION (application)), NULL);
}

/* The one way in for files, whether dropped, chosen or given on the
 * command line. Returns at once; the queue shows them as they are read. */
void
vetter_window_add_files (VetterWindow  *self,
                         GFile        **files,
                         guint          n_files)
{
  g_return_if_fail (VETTER_IS_WINDOW (self));

  vetter_intake_files_async (files, n_files, self->cancellable, on_files_read, g_object_ref (self));
}

GListModel *
vetter_window_get_batches (VetterWindow *self)
{
  g_return_val_if_fail (VETTER_IS_WINDOW (self), NULL);
  return G_LIST_MODEL (self->batches);
}

/* Shows the items of @batch_id, read from the store as they scroll by. */
void
vetter_window_show_items (VetterWindow *self,
                          gint64        batch_id)
{
  VetterBatchObject *batch;
  const VetterBatchProgress *progress;
  g_autoptr(VetterItemList) items = NULL;
  g_autoptr(GtkNoSelection) selection = NULL;

  g_return_if_fail (VETTER_IS_WINDOW (self));

  batch = g_hash_table_lookup (self->by_id, &batch_id);
  progress = vetter_engine_get_progress (self->engine, batch_id);
  if (batch == NULL || progress == NULL)
    return;
  items = vetter_item_list_new (self->engine, batch_id, (guint) progress->total);
  selection = gtk_no_selection_new (G_LIST_MODEL (g_steal_pointer (&items)));
  gtk_list_view_set_model (self->item_view, GTK_SELECTION_MODEL (selection));
  gtk_label_set_label (self->items_title, vetter_batch_object_get_title (batch));
  gtk_stack_set_visible_child_name (self->main_stack, "items");
}

GListModel *
vetter_window_get_items (VetterWindow *self)
{
  GtkSelectionModel *model;

  g_return_val_if_fail (VETTER_IS_WINDOW (self), NULL);
  model = gtk_list_view_get_model (self->item_view);
  return model ? gtk_no_selection_get_model (GTK_NO_SELECTION (model)) : NULL;
}

VetterReviewPage *
vetter_window_get_review_page (VetterWindow *self)
{
  g_return_val_if_fail (VETTER_IS_WINDOW (self), NULL);
  return self->review_page;
}

VetterConsolePage *
vetter_window_get_console_page (VetterWindow *self)
{
  g_return_val_if_fail (VETTER_IS_WINDOW (self), NULL);
  return self->console_page;
}

VetterEngine *
vetter_window_get_engine (VetterWindow *self)
{
  g_return_val_if_fail (VETTER_IS_WINDOW (self), NULL);
  return self->engine;
}
