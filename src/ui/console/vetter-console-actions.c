/* vetter-console-actions.c: acting on the console's rows
 *
 * On the selected rows, or on every row the query keeps: ads approved,
 * rejected with a reason, sent back to review, edited, processed again
 * when they failed; outbox rows tried again; a change of the audit log
 * reverted. Each action is one transaction on the database thread
 * through the store's one decision path, every ad audited; the last
 * decision or edit on many rows can be undone.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-console"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "vetter-console-page-private.h"
#include "vetter-reasons.h"

gboolean
vetter_console_page_acts_on_ads (VetterConsolePage *self)
{
  return self->table && (g_str_equal (self->table->name, "ads") || g_str_equal (self->table->name, "conflicts"));
}

static gboolean
acts_on_outbox (VetterConsolePage *self)
{
  return self->table && g_str_equal (self->table->name, "outbox");
}

static gboolean
acts_on_audit (VetterConsolePage *self)
{
  return self->table && g_str_equal (self->table->name, "audit");
}

void
vetter_console_page_update_selection_label (VetterConsolePage *self)
{
  g_autofree char *text = NULL;

  if (self->model == NULL || self->selection == NULL)
    return;
  if (gtk_check_button_get_active (self->all_matching))
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->model));

      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "All %u matching row", "All %u matching rows", n), n);
    }
  else
    {
      g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
      guint64 n = gtk_bitset_get_size (selected);

      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRIu64 " selected",
                                           "%" PRIu64 " selected", (gulong) n), n);
    }
  gtk_label_set_label (self->selection_label, text);
}

/* The keys the next action is for: every matching row, or the selected. */
static GArray *
target_keys (VetterConsolePage *self)
{
  g_autoptr(GtkBitset) selected = NULL;
  GtkBitsetIter iter;
  GArray *keys;
  guint position;

  if (gtk_check_button_get_active (self->all_matching))
    return vetter_table_model_dup_keys (self->model);
  keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  for (gboolean more = gtk_bitset_iter_init_first (&iter, selected, &position); more;
       more = gtk_bitset_iter_next (&iter, &position))
    {
      gint64 key = vetter_table_model_get_key (self->model, position);

      g_array_append_val (keys, key);
    }
  return keys;
}

GArray *
vetter_console_page_acted_on (VetterConsolePage *self)
{
  GArray *keys = target_keys (self);

  if (keys->len > 0)
    return keys;
  g_array_unref (keys);
  gtk_widget_error_bell (GTK_WIDGET (self));
  gtk_label_set_label (self->result_label, _("Select rows first, or tick “Every Matching Row”"));
  return NULL;
}


/* Whether the person may change anything (a viewer may not); a key
 * pressed for an action the role does not allow says so. */
static gboolean
may_change (VetterConsolePage *self)
{
  if (vetter_role_may_decide (vetter_engine_get_role (self->engine)))
    return TRUE;
  gtk_widget_error_bell (GTK_WIDGET (self));
  gtk_label_set_label (self->result_label, _("Needs the moderator role: you may look at everything here, not change it"));
  return FALSE;
}

GArray *
vetter_console_page_start_on_ads (VetterConsolePage *self)
{
  GArray *keys;

  if (!vetter_console_page_acts_on_ads (self) || self->acting || !may_change (self))
    return NULL;
  keys = vetter_console_page_acted_on (self);
  if (keys)
    self->acting = TRUE;
  return keys;
}

gpointer
vetter_console_page_action_answer (VetterConsolePage *self,
                                   GAsyncResult      *result,
                                   const char        *failed)
{
  g_autoptr(GError) error = NULL;
  gpointer answer = vetter_database_run_finish (self->database, result, &error);

  self->acting = FALSE;
  if (answer == NULL)
    {
      g_autofree char *text = failed ? g_strdup_printf ("%s: %s", failed, error->message) : g_strdup (error->message);

      gtk_label_set_label (self->result_label, text);
    }
  return answer;
}

/* ---- One field on many ads ------------------------------------------------ */

typedef struct
{
  GArray *item_ids;
  char   *field;
  char   *value;
  VetterEditUndo *undo;   /* borrowed, for an undo */
  char   *person;         /* in whose name */
} EditJob;

static void
edit_job_free (gpointer data)
{
  EditJob *job = data;

  g_clear_pointer (&job->item_ids, g_array_unref);
  g_free (job->field);
  g_free (job->value);
  g_free (job->person);
  g_free (job);
}

static gpointer
store_edit (VetterStore  *store,
            gpointer      data,
            GError      **error)
{
  EditJob *job = data;

  return vetter_store_edit_many (store, (const gint64 *) (gpointer) job->item_ids->data, job->item_ids->len, job->field,
                                 job->value, job->person, error);
}

static gpointer
store_undo_edit (VetterStore  *store,
                 gpointer      data,
                 GError      **error)
{
  EditJob *job = data;

  return vetter_store_undo_edit (store, job->undo, job->person, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

static void
on_edited (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  VetterEditUndo *undo = vetter_console_page_action_answer (self, result, _("Nothing changed"));
  g_autofree char *text = NULL;

  if (undo == NULL)
    return;
  g_clear_pointer (&self->last_undo, vetter_bulk_undo_free);
  g_clear_pointer (&self->last_edit, vetter_edit_undo_free);
  self->last_edit = undo;
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u ad edited", "%u ads edited", undo->item_ids->len),
                          undo->item_ids->len);
  gtk_label_set_label (self->result_label, text);
  gtk_widget_set_visible (self->undo_button, undo->item_ids->len > 0);
}

void
vetter_console_page_edit (VetterConsolePage *self,
                          const char        *field,
                          const char        *value)
{
  EditJob *job;
  GArray *keys = vetter_console_page_start_on_ads (self);

  if (keys == NULL)
    return;
  job = g_new0 (EditJob, 1);
  job->item_ids = keys;
  job->field = g_strdup (field);
  job->value = g_strdup (value);
  job->person = g_strdup (vetter_engine_get_person (self->engine));
  vetter_database_run_async (self->database, store_edit, job, edit_job_free, (GDestroyNotify) vetter_edit_undo_free,
                             NULL, on_edited, g_object_ref (self));
}

static void
on_edit_answered (AdwMessageDialog  *dialog,
                  const char        *response,
                  VetterConsolePage *self)
{
  GtkDropDown *fields = g_object_get_data (G_OBJECT (dialog), "vetter-fields");
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "vetter-entry");

  if (g_str_equal (response, "edit"))
    vetter_console_page_edit (self, gtk_drop_down_get_selected (fields) == 0 ? "title" : "category",
                              gtk_editable_get_text (entry));
}

static void
edit_action (GtkWidget  *widget,
             const char *name,
             GVariant   *parameter)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  const char *choices[] = { _("Title"), _("Category"), NULL };
  GtkWidget *dialog, *box, *fields, *entry;

  if (!vetter_console_page_acts_on_ads (self))
    return;
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, _("Edit Ads"),
                                   gtk_label_get_label (self->selection_label));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  fields = gtk_drop_down_new_from_strings (choices);
  gtk_accessible_update_property (GTK_ACCESSIBLE (fields), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Field"), -1);
  entry = gtk_entry_new ();
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("New value"), -1);
  gtk_box_append (GTK_BOX (box), fields);
  gtk_box_append (GTK_BOX (box), entry);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "edit", _("_Set"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "edit", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "edit");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "vetter-fields", fields);
  g_object_set_data (G_OBJECT (dialog), "vetter-entry", entry);
  g_signal_connect (dialog, "response", G_CALLBACK (on_edit_answered), self);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static void
on_decided_many (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  g_autoptr(GError) error = NULL;
  VetterBulkUndo *undo = vetter_engine_decide_many_finish (VETTER_ENGINE (source), result, &error);
  g_autofree char *text = NULL;

  self->acting = FALSE;
  if (undo == NULL)
    {
      gtk_label_set_label (self->result_label, error->message);
      return;
    }
  g_clear_pointer (&self->last_undo, vetter_bulk_undo_free);
  g_clear_pointer (&self->last_edit, vetter_edit_undo_free);
  self->last_undo = undo;
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u ad decided", "%u ads decided", undo->item_ids->len),
                          undo->item_ids->len);
  if (undo->skipped > 0)
    {
      g_autofree char *left = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%u left alone (not processed yet, or failed)",
                                                            "%u left alone (not processed yet, or failed)",
                                                            undo->skipped), undo->skipped);
      g_autofree char *both = g_strconcat (text, " · ", left, NULL);

      g_free (text);
      text = g_steal_pointer (&both);
    }
  gtk_label_set_label (self->result_label, text);
  gtk_widget_set_visible (self->undo_button, undo->item_ids->len > 0);
}

static void
decide_many (VetterConsolePage *self,
             VetterStatus       status,
             const char        *reason_code)
{
  g_autoptr(GArray) keys = vetter_console_page_start_on_ads (self);
  g_autoptr(VetterItemDecision) decision = NULL;

  if (keys == NULL)
    return;
  decision = vetter_item_decision_new_manual (status, reason_code, NULL, vetter_engine_get_person (self->engine));
  vetter_engine_decide_many_async (self->engine, keys, decision, vetter_engine_get_person (self->engine), NULL,
                                   on_decided_many,
                                   g_object_ref (self));
}

static void
decide_action (GtkWidget  *widget,
               const char *name,
               GVariant   *parameter)
{
  decide_many (VETTER_CONSOLE_PAGE (widget), vetter_status_from_string (g_variant_get_string (parameter, NULL)), NULL);
}

static void
reject_action (GtkWidget  *widget,
               const char *name,
               GVariant   *parameter)
{
  decide_many (VETTER_CONSOLE_PAGE (widget), VETTER_STATUS_REJECTED, g_variant_get_string (parameter, NULL));
}

static void
pick_reason_action (GtkWidget  *widget,
                    const char *name,
                    GVariant   *parameter)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (widget);

  if (vetter_console_page_acts_on_ads (self))
    gtk_menu_button_popup (self->reject_button);
}

static void
on_undone_many (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  g_autoptr(GError) error = NULL;

  self->acting = FALSE;
  if (!vetter_engine_undo_many_finish (VETTER_ENGINE (source), result, &error))
    {
      gtk_label_set_label (self->result_label, error->message);
      return;
    }
  g_clear_pointer (&self->last_undo, vetter_bulk_undo_free);
  gtk_widget_set_visible (self->undo_button, FALSE);
  gtk_label_set_label (self->result_label, _("Undone: every ad has its decision back"));
}

static void
on_undone_edit (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;

  if (vetter_console_page_action_answer (self, result, NULL) == NULL)
    return;
  g_clear_pointer (&self->last_edit, vetter_edit_undo_free);
  gtk_widget_set_visible (self->undo_button, FALSE);
  gtk_label_set_label (self->result_label, _("Undone: every ad has its value back"));
}

static void
undo_action (GtkWidget  *widget,
             const char *name,
             GVariant   *parameter)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (widget);

  if (!may_change (self))
    return;
  if ((self->last_undo == NULL && self->last_edit == NULL) || self->acting)
    {
      gtk_widget_error_bell (widget);
      return;
    }
  self->acting = TRUE;
  if (self->last_edit)
    {
      EditJob *job = g_new0 (EditJob, 1);

      job->undo = self->last_edit;
      job->person = g_strdup (vetter_engine_get_person (self->engine));
      vetter_database_run_async (self->database, store_undo_edit, job, edit_job_free, NULL, NULL, on_undone_edit,
                                 g_object_ref (self));
      return;
    }
  vetter_engine_undo_many_async (self->engine, self->last_undo, vetter_engine_get_person (self->engine), NULL,
                                 on_undone_many,
                                 g_object_ref (self));
}

static gpointer
store_try_again (VetterStore  *store,
                 gpointer      data,
                 GError      **error)
{
  GArray *ids = data;
  gint64 changed = vetter_store_outbox_try_again (store, (const gint64 *) (gpointer) ids->data, ids->len, error);

  return changed < 0 ? NULL : g_memdup2 (&changed, sizeof changed);
}

static void
on_tried_again (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  g_autofree gint64 *changed = vetter_console_page_action_answer (self, result, NULL);
  g_autofree char *text = NULL;

  if (changed == NULL)
    return;
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRId64 " row is due again now",
                                       "%" PRId64 " rows are due again now", (gulong) *changed), *changed);
  gtk_label_set_label (self->result_label, text);
}

static void
try_again_action (GtkWidget  *widget,
                  const char *name,
                  GVariant   *parameter)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (widget);
  GArray *keys;

  if (!acts_on_outbox (self) || self->acting || !may_change (self))
    return;
  keys = vetter_console_page_acted_on (self);
  if (keys == NULL)
    return;
  self->acting = TRUE;
  vetter_database_run_async (self->database, store_try_again, keys, (GDestroyNotify) g_array_unref, g_free, NULL,
                             on_tried_again, g_object_ref (self));
}

static void
on_reverted (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 item_id = vetter_engine_revert_finish (VETTER_ENGINE (source), result, &error);
  g_autofree char *text = NULL;

  self->acting = FALSE;
  if (item_id == 0)
    text = g_strdup_printf (_("Not reverted: %s"), error->message);
  else
    text = g_strdup_printf (_("Ad %" PRId64 " is back as it was before that change"), item_id);
  gtk_label_set_label (self->result_label, text);
}

static void
revert_action (GtkWidget  *widget,
               const char *name,
               GVariant   *parameter)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (widget);
  g_autoptr(GArray) keys = NULL;

  if (!acts_on_audit (self) || self->acting || !may_change (self))
    return;
  gtk_check_button_set_active (self->all_matching, FALSE);
  keys = target_keys (self);
  if (keys->len != 1)
    {
      gtk_widget_error_bell (widget);
      gtk_label_set_label (self->result_label, _("Select the one change to go back before"));
      return;
    }
  self->acting = TRUE;
  vetter_engine_revert_async (self->engine, g_array_index (keys, gint64, 0), vetter_engine_get_person (self->engine),
                              NULL, on_reverted,
                              g_object_ref (self));
}

/* ---- Ads processed again --------------------------------------------------- */

typedef struct
{
  GArray   *item_ids;
  gboolean  decided_too;
  GArray   *batches;   /* the answer: to run again */
  guint     retried;
  char     *person;
} RetryJob;

static void
retry_job_free (gpointer data)
{
  RetryJob *job = data;

  g_clear_pointer (&job->item_ids, g_array_unref);
  g_clear_pointer (&job->batches, g_array_unref);
  g_free (job->person);
  g_free (job);
}

static gpointer
store_retry (VetterStore  *store,
             gpointer      data,
             GError      **error)
{
  RetryJob *job = data;

  job->batches = vetter_store_retry_items (store, (const gint64 *) (gpointer) job->item_ids->data,
                                           job->item_ids->len, job->decided_too, job->person, &job->retried,
                                           error);
  if (job->batches == NULL)
    g_clear_pointer (&job, retry_job_free);
  return job;
}

static void
on_retried (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  RetryJob *job = vetter_console_page_action_answer (self, result, NULL);
  g_autofree char *text = NULL;

  if (job == NULL)
    return;
  /* Their batches run again, here. */
  for (guint i = 0; i < job->batches->len; i++)
    vetter_engine_resume_batch (self->engine, g_array_index (job->batches, gint64, i));
  if (job->retried == 0)
    text = g_strdup (job->decided_too ? _("None of them could be processed again (still on their way, or no image)")
                                      : _("None of them had failed"));
  else if (job->decided_too)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u ad is processed again", "%u ads are processed again",
                                         job->retried), job->retried);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u failed ad is processed again",
                                         "%u failed ads are processed again", job->retried), job->retried);
  gtk_label_set_label (self->result_label, text);
  retry_job_free (job);
}

void
vetter_console_page_retry (VetterConsolePage *self,
                           gboolean           decided_too)
{
  RetryJob *job;
  GArray *keys = vetter_console_page_start_on_ads (self);

  if (keys == NULL)
    return;
  job = g_new0 (RetryJob, 1);
  job->item_ids = keys;
  job->decided_too = decided_too;
  job->person = g_strdup (vetter_engine_get_person (self->engine));
  /* The job is its own answer: given back to on_retried, or freed by
   * store_retry when it fails. */
  vetter_database_run_async (self->database, store_retry, job, NULL, retry_job_free, NULL, on_retried,
                             g_object_ref (self));
}

static void
retry_action (GtkWidget  *widget,
              const char *name,
              GVariant   *parameter)
{
  vetter_console_page_retry (VETTER_CONSOLE_PAGE (widget), FALSE);
}

static void
on_process_again_answered (AdwMessageDialog  *dialog,
                           const char        *response,
                           VetterConsolePage *self)
{
  if (g_str_equal (response, "process"))
    vetter_console_page_retry (self, TRUE);
}

/* Processing decided ads again replaces what people decided: asked first. */
static void
process_again_action (GtkWidget  *widget,
                      const char *name,
                      GVariant   *parameter)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;
  g_autofree char *heading = NULL;

  if (!vetter_console_page_acts_on_ads (self) || self->acting)
    return;
  heading = g_strdup_printf (_("Process Again: %s?"), gtk_label_get_label (self->selection_label));
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading,
                                   _("Their images are fetched and analysed again and the rules decide anew, "
                                     "replacing any decision a person made. Ads still being processed are left "
                                     "alone. Each ad's history keeps what it had."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "process",
                                    _("_Process Again"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "process", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_process_again_answered), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static GMenuModel *
reasons_menu (void)
{
  GMenu *menu = g_menu_new ();
  guint n;
  const VetterReason *reasons = vetter_reasons (&n);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (_(reasons[i].label), NULL);

      g_menu_item_set_action_and_target_value (item, "console.reject", g_variant_new_string (reasons[i].code));
      g_menu_append_item (menu, item);
    }
  return G_MENU_MODEL (menu);
}


/* A button the role does not allow is insensitive and says which role it
 * needs; otherwise it says what it does. */
static void
allow (GtkWidget  *button,
       gboolean    allowed,
       const char *does,
       const char *needs)
{
  gtk_widget_set_sensitive (button, allowed);
  gtk_widget_set_tooltip_text (button, allowed ? does : needs);
}

void
vetter_console_page_show_role (VetterConsolePage *self)
{
  VetterRole role = self->engine ? vetter_engine_get_role (self->engine) : VETTER_ROLE_ADMIN;
  gboolean ads = vetter_console_page_acts_on_ads (self);
  gboolean decide = vetter_role_may_decide (role);
  gboolean administer = vetter_role_may_administer (role);
  const char *moderator = _("Needs the moderator role");

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console.try-again", acts_on_outbox (self) && decide);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console.decide", ads && decide);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console.reject", ads && decide);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console.pick-reason", ads && decide);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console.edit", ads && decide);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console.undo", decide);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console.retry", ads && decide);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console.process-again", ads && decide);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console.revert", acts_on_audit (self) && decide);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console.delete", ads && administer);
  /* A viewer's console changes nothing, saved views included. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console.save-view", decide);
  allow (self->approve_button, decide, _("Approve the ads acted on (A)"), moderator);
  allow (GTK_WIDGET (self->reject_button), ads && decide, _("Reject them, saying why (R)"), moderator);
  allow (self->review_button, decide, _("Send them back to review (B)"), moderator);
  allow (self->edit_button, decide, _("Set the title or the category of every ad acted on (E)"), moderator);
  allow (self->retry_button, decide, _("Process the failed ones among them again"), moderator);
  allow (self->try_again_button, decide, _("Send the refused rows again now (T)"), moderator);
  allow (self->revert_button, decide, _("Take the ad back to before the selected change, as a new change"), moderator);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console.staff-add", vetter_console_page_acts_on_staff (self) &&
                                 administer);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console.staff-role", vetter_console_page_acts_on_staff (self) &&
                                 administer);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console.staff-active", vetter_console_page_acts_on_staff (self) &&
                                 administer);
  allow (GTK_WIDGET (self->staff_button), administer, _("Add a person, change a role, take someone off the staff"),
         _("Managing the staff needs the admin role"));
  allow (self->delete_button, administer,
         _("Delete them with their images and variants, here and on the servers (Delete)"),
         _("Deleting needs the admin role"));
}

void
vetter_console_page_reset_actions (VetterConsolePage *self)
{
  gboolean ads = vetter_console_page_acts_on_ads (self);
  gboolean outbox = acts_on_outbox (self);
  gboolean audit = acts_on_audit (self);
  gboolean staff = vetter_console_page_acts_on_staff (self);

  gtk_check_button_set_active (self->all_matching, FALSE);
  gtk_label_set_label (self->result_label, "");
  gtk_widget_set_visible (self->undo_button, FALSE);
  g_clear_pointer (&self->last_undo, vetter_bulk_undo_free);
  g_clear_pointer (&self->last_edit, vetter_edit_undo_free);
  gtk_action_bar_set_revealed (self->action_bar, ads || outbox || audit || staff);
  gtk_widget_set_visible (self->revert_button, audit);
  gtk_widget_set_visible (self->approve_button, ads);
  gtk_widget_set_visible (GTK_WIDGET (self->reject_button), ads);
  gtk_widget_set_visible (self->review_button, ads);
  gtk_widget_set_visible (self->edit_button, ads);
  gtk_widget_set_visible (self->retry_button, ads);
  gtk_widget_set_visible (self->delete_button, ads);
  gtk_widget_set_visible (self->try_again_button, outbox);
  gtk_widget_set_visible (GTK_WIDGET (self->staff_button), staff);
  gtk_widget_set_visible (GTK_WIDGET (self->all_matching), !audit && !staff);
  vetter_console_page_show_role (self);
  vetter_console_page_update_selection_label (self);
}

void
vetter_console_actions_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "console.decide", "s", decide_action);
  gtk_widget_class_install_action (widget_class, "console.reject", "s", reject_action);
  gtk_widget_class_install_action (widget_class, "console.pick-reason", NULL, pick_reason_action);
  gtk_widget_class_install_action (widget_class, "console.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "console.try-again", NULL, try_again_action);
  gtk_widget_class_install_action (widget_class, "console.edit", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "console.retry", NULL, retry_action);
  gtk_widget_class_install_action (widget_class, "console.process-again", NULL, process_again_action);
  gtk_widget_class_install_action (widget_class, "console.revert", NULL, revert_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, 0, "console.decide", "s", "approved");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_b, 0, "console.decide", "s", "needs_review");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, 0, "console.pick-reason", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, 0, "console.edit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, 0, "console.try-again", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_SHIFT_MASK, "console.process-again", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "console.undo", NULL);
}

void
vetter_console_actions_init (VetterConsolePage *self)
{
  g_autoptr(GMenuModel) menu = reasons_menu ();

  gtk_menu_button_set_menu_model (self->reject_button, menu);
  g_signal_connect_swapped (self->all_matching, "toggled", G_CALLBACK (vetter_console_page_update_selection_label),
                            self);
}
