/* vetter-console-delete.c: deleting ads from the console
 *
 * Delete asks the database what would go with the ads acted on (images,
 * variant files, objects in the bucket, shared documents) and says it in
 * a confirmation; an ad another desktop is reviewing is named, and then
 * nothing can be deleted. Once confirmed, the ads go in one transaction
 * and their files after it, on the database thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-console"

#include "config.h"

#include <glib/gi18n.h>

#include "vetter-console-page-private.h"

typedef struct
{
  GArray           *item_ids;
  VetterDeletePlan *plan;      /* the answer of the first step */
  guint             deleted;   /* ... and of the second */
  char             *person;    /* in whose name */
} DeleteJob;

static void
delete_job_free (gpointer data)
{
  DeleteJob *job = data;

  g_clear_pointer (&job->item_ids, g_array_unref);
  g_clear_pointer (&job->plan, vetter_delete_plan_free);
  g_free (job->person);
  g_free (job);
}

static gpointer
store_plan (VetterStore  *store,
            gpointer      data,
            GError      **error)
{
  DeleteJob *job = data;

  job->plan = vetter_store_plan_delete (store, (const gint64 *) (gpointer) job->item_ids->data, job->item_ids->len,
                                        error);
  if (job->plan == NULL)
    g_clear_pointer (&job, delete_job_free);
  return job;
}

static gpointer
store_delete (VetterStore  *store,
              gpointer      data,
              GError      **error)
{
  DeleteJob *job = data;
  g_autoptr(GPtrArray) files = vetter_store_delete_items (store, (const gint64 *) (gpointer) job->item_ids->data,
                                                          job->item_ids->len, job->person, error);

  if (files == NULL)
    {
      delete_job_free (job);
      return NULL;
    }
  vetter_store_remove_files (files);
  job->deleted = job->plan->ads;
  return job;
}

static void
on_deleted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  DeleteJob *job = vetter_console_page_action_answer (self, result, _("Not deleted"));
  g_autofree char *text = NULL;

  if (job == NULL)
    return;
  /* What was deleted cannot be taken back, nor what came before it. */
  g_clear_pointer (&self->last_undo, vetter_bulk_undo_free);
  g_clear_pointer (&self->last_edit, vetter_edit_undo_free);
  gtk_widget_set_visible (self->undo_button, FALSE);
  gtk_check_button_set_active (self->all_matching, FALSE);
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u ad deleted", "%u ads deleted", job->deleted), job->deleted);
  gtk_label_set_label (self->result_label, text);
  delete_job_free (job);
}

static void
on_confirmed (AdwMessageDialog  *dialog,
              const char        *response,
              VetterConsolePage *self)
{
  DeleteJob *job = g_object_steal_data (G_OBJECT (dialog), "vetter-job");

  /* A dialog answers once; another answer finds its job taken. */
  if (job == NULL)
    return;
  if (!g_str_equal (response, "delete") || self->database == NULL)
    {
      self->acting = FALSE;
      delete_job_free (job);
      return;
    }
  vetter_database_run_async (self->database, store_delete, job, NULL, delete_job_free, NULL, on_deleted,
                             g_object_ref (self));
}

/* "With them go 3 images, …": what the plan says goes too. */
static char *
describe_plan (const VetterDeletePlan *plan)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *list = NULL;

  g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u image with its findings",
                                                        "%u images with their findings", plan->images), plan->images));
  g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u variant file on this computer",
                                                        "%u variant files on this computer", plan->variants),
                                           plan->variants));
  if (plan->remote_objects > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u object in the S3 bucket",
                                                          "%u objects in the S3 bucket", plan->remote_objects),
                                             plan->remote_objects));
  if (plan->shared_documents > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u document of the shared database",
                                                          "%u documents of the shared database",
                                                          plan->shared_documents), plan->shared_documents));
  g_ptr_array_add (parts, NULL);
  list = g_strjoinv ("; ", (char **) parts->pdata);
  return g_strdup_printf (_("With them go %s. What other machines hold is removed as soon as they can be reached. "
                            "Their history stays in the audit log. This cannot be undone."), list);
}

static void
on_planned (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  DeleteJob *job = vetter_console_page_action_answer (self, result, NULL);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (job == NULL)
    return;
  /* Still acting until the person answers. */
  self->acting = TRUE;
  if (job->plan->held->len > 0)
    {
      g_ptr_array_add (job->plan->held, NULL);
      body = g_strjoinv ("\n", (char **) job->plan->held->pdata);
      heading = g_strdup (_("Being Reviewed Elsewhere"));
      dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, NULL);
      adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                      _("Nothing can be deleted while another desktop reviews some of these ads:\n%s"),
                                      body);
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      g_object_set_data_full (G_OBJECT (dialog), "vetter-job", job, delete_job_free);
      g_signal_connect (dialog, "response", G_CALLBACK (on_confirmed), self);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Delete %u Ad?", "Delete %u Ads?", job->plan->ads),
                             job->plan->ads);
  body = describe_plan (job->plan);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "delete", _("_Delete"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "vetter-job", job, delete_job_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_confirmed), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
delete_action (GtkWidget  *widget,
               const char *name,
               GVariant   *parameter)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (widget);
  DeleteJob *job;
  GArray *keys;

  if (!vetter_role_may_administer (vetter_engine_get_role (self->engine)))
    {
      gtk_widget_error_bell (widget);
      gtk_label_set_label (self->result_label, _("Deleting needs the admin role"));
      return;
    }
  keys = vetter_console_page_start_on_ads (self);
  if (keys == NULL)
    return;
  job = g_new0 (DeleteJob, 1);
  job->item_ids = keys;
  job->person = g_strdup (vetter_engine_get_person (self->engine));
  vetter_database_run_async (self->database, store_plan, job, NULL, delete_job_free, NULL, on_planned,
                             g_object_ref (self));
}

void
vetter_console_delete_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "console.delete", NULL, delete_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "console.delete", NULL);
}
