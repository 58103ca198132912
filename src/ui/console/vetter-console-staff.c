/* vetter-console-staff.c: the desktop's staff, managed from the console
 *
 * On the Staff list an admin adds a person, changes the selected member's
 * role, takes them off the staff (they may then only look) or puts them
 * back. The desktop's own staff changes in one audited transaction on the
 * database thread (its last active admin cannot be taken away); a shared
 * database's account changes on its server first (a new one with a first
 * password shown once), then is audited here with its diff. An admin's
 * Staff list reads the server's accounts each time it shows. Others see
 * the list and may not change it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-console"

#include "config.h"

#include <glib/gi18n.h>

#include "vetter-console-page-private.h"
#include "vetter-couch-staff.h"
#include "vetter-error.h"

gboolean
vetter_console_page_acts_on_staff (VetterConsolePage *self)
{
  return self->table && g_str_equal (self->table->name, "staff");
}

/* ---- The desktop's own staff ----------------------------------------------- */

typedef struct
{
  gint64  staff_id;   /* 0: a person to add */
  char   *username;
  char   *role;       /* NULL: kept */
  int     active;     /* -1: kept */
  char   *actor;
} StaffJob;

static void
staff_job_free (gpointer data)
{
  StaffJob *job = data;

  g_free (job->username);
  g_free (job->role);
  g_free (job->actor);
  g_free (job);
}

static gpointer
store_staff (VetterStore  *store,
             gpointer      data,
             GError      **error)
{
  StaffJob *job = data;

  /* What the acting person may do after it (they may have changed
   * themselves) is the application's to say: it follows the staff. */
  if (job->staff_id == 0 ? vetter_store_staff_add (store, job->username, job->role, job->actor, error) == 0
                         : !vetter_store_staff_change (store, job->staff_id, job->role, job->active, job->actor, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

typedef struct
{
  VetterConsolePage *page;
  char              *done;       /* what to say once it is done */
  char              *password;   /* a new account's, to show once */
  char              *username;
  char              *role;       /* a new account's */
} StaffCall;

static void
staff_call_free (StaffCall *call)
{
  g_clear_object (&call->page);
  g_free (call->done);
  g_free (call->password);
  g_free (call->username);
  g_free (call->role);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StaffCall, staff_call_free)

static StaffCall *
staff_call_new (VetterConsolePage *self,
                char              *done)
{
  StaffCall *call = g_new0 (StaffCall, 1);

  call->page = g_object_ref (self);
  call->done = done;
  return call;
}

static void show_password (VetterConsolePage *self,
                           const char        *username,
                           const char        *password);

static void
on_staff_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(StaffCall) call = user_data;
  VetterConsolePage *self = call->page;
  gpointer changed = vetter_console_page_action_answer (self, result, _("Not changed"));

  if (!changed)
    return;
  gtk_label_set_label (self->result_label, call->done);
  if (call->password)
    show_password (self, call->username, call->password);
}

static void
run_staff_job (VetterConsolePage *self,
               StaffJob          *job,
               char              *done)
{
  job->actor = g_strdup (vetter_engine_get_person (self->engine));
  self->acting = TRUE;
  vetter_database_run_async (self->database, store_staff, job, staff_job_free, NULL, NULL, on_staff_done,
                             staff_call_new (self, done));
}

/* ---- The shared database's accounts --------------------------------------- */

/* The server changed an account: the change is audited here, and the
 * staff's shared row follows. */
typedef struct
{
  VetterStaffAccount *before;   /* NULL: added */
  VetterStaffAccount *after;
  char               *actor;
} RecordJob;

static void
record_job_free (gpointer data)
{
  RecordJob *job = data;

  vetter_staff_account_free (job->before);
  vetter_staff_account_free (job->after);
  g_free (job->actor);
  g_free (job);
}

static gpointer
store_record (VetterStore  *store,
              gpointer      data,
              GError      **error)
{
  RecordJob *job = data;

  return vetter_store_staff_record (store, job->before, job->after, job->actor, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

static void
record (StaffCall          *call,
        VetterStaffAccount *before,
        VetterStaffAccount *after)
{
  VetterConsolePage *self = call->page;
  RecordJob *job = g_new0 (RecordJob, 1);

  job->before = before;
  job->after = after;
  job->actor = g_strdup (vetter_engine_get_person (self->engine));
  vetter_database_run_async (self->database, store_record, job, record_job_free, NULL, NULL, on_staff_done, call);
}

/* The server refused or could not be reached: nothing changed anywhere. */
static void
shared_failed (StaffCall *call,
               GError    *error)
{
  g_autofree char *text = g_strdup_printf (_("Not changed: %s"), error->message);

  call->page->acting = FALSE;
  gtk_widget_error_bell (GTK_WIDGET (call->page));
  gtk_label_set_label (call->page->result_label, text);
  staff_call_free (call);
}

static void
on_account_changed (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  StaffCall *call = user_data;
  g_autoptr(GError) error = NULL;
  VetterStaffAccount *before = NULL;
  VetterStaffAccount *after = vetter_couch_staff_change_finish (VETTER_COUCH_CLIENT (source), result, &before, &error);

  if (after == NULL)
    shared_failed (call, error);
  else
    record (call, before, after);
}

static void
on_account_added (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  StaffCall *call = user_data;
  VetterCouchClient *client = VETTER_COUCH_CLIENT (source);
  g_autoptr(GError) error = NULL;

  if (!vetter_couch_staff_add_finish (client, result, &error))
    shared_failed (call, error);
  else
    record (call, NULL, vetter_staff_account_new (call->username, call->role, TRUE));
}

/* ---- Reading the accounts -------------------------------------------------- */

static gpointer
store_mirror (VetterStore  *store,
              gpointer      data,
              GError      **error)
{
  return vetter_store_staff_mirror (store, data, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

static void
on_mirrored (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!vetter_database_run_finish (VETTER_DATABASE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    gtk_label_set_label (self->result_label, error->message);
}

static void
on_accounts_listed (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *accounts = vetter_couch_staff_list_finish (VETTER_COUCH_CLIENT (source), result, &error);

  if (accounts == NULL)
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = g_strdup_printf (_("The shared database's accounts were not read: %s"), error->message);
      gtk_label_set_label (self->result_label, text);
      return;
    }
  vetter_database_run_async (self->database, store_mirror, accounts, (GDestroyNotify) g_ptr_array_unref, NULL,
                             self->staff_cancellable, on_mirrored, g_object_ref (self));
}

void
vetter_console_page_read_accounts (VetterConsolePage *self)
{
  if (self->couch == NULL || !vetter_console_page_acts_on_staff (self) ||
      !vetter_role_may_administer (vetter_engine_get_role (self->engine)))
    return;
  if (self->staff_cancellable)
    g_cancellable_cancel (self->staff_cancellable);
  g_clear_object (&self->staff_cancellable);
  self->staff_cancellable = g_cancellable_new ();
  vetter_couch_staff_list_async (self->couch, self->staff_cancellable, on_accounts_listed, g_object_ref (self));
}

/* ---- Acting on a member ----------------------------------------------------- */

static gboolean
may_manage (VetterConsolePage *self)
{
  if (!vetter_console_page_acts_on_staff (self) || self->acting)
    return FALSE;
  if (vetter_role_may_administer (vetter_engine_get_role (self->engine)))
    return TRUE;
  gtk_widget_error_bell (GTK_WIDGET (self));
  gtk_label_set_label (self->result_label, _("Managing the staff needs the admin role"));
  return FALSE;
}

/* The one member acted on, or 0 with the person told why. */
static gint64
one_member (VetterConsolePage *self)
{
  g_autoptr(GArray) keys = NULL;

  if (!may_manage (self))
    return 0;
  keys = vetter_console_page_acted_on (self);
  if (keys == NULL)
    return 0;
  if (keys->len != 1)
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      gtk_label_set_label (self->result_label, _("Select the one member to change"));
      return 0;
    }
  return g_array_index (keys, gint64, 0);
}

typedef struct
{
  gint64  staff_id;
  char   *role;
  int     active;
} MemberChange;

static void
member_change_free (gpointer data)
{
  MemberChange *change = data;

  g_free (change->role);
  g_free (change);
}

typedef struct
{
  VetterStaffAccount *account;
  gboolean            shared;
} Member;

static void
member_free (gpointer data)
{
  Member *member = data;

  vetter_staff_account_free (member->account);
  g_free (member);
}

static gpointer
store_read_member (VetterStore  *store,
                   gpointer      data,
                   GError      **error)
{
  MemberChange *change = data;
  Member *member = g_new0 (Member, 1);

  member->account = vetter_store_staff_get (store, change->staff_id, &member->shared, error);
  if (member->account == NULL)
    g_clear_pointer (&member, g_free);
  return member;
}

static char *
change_done (const char *role,
             int         active)
{
  return g_strdup (role ? _("Role changed") : active ? _("Back on the staff") : _("Taken off the staff: they may only look"));
}

/* A shared database's account changes on its server; this desktop's own
 * staff, here. */
static void
on_member_read (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VetterConsolePage *self = g_task_get_source_object (task);
  MemberChange *change = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  Member *member = vetter_database_run_finish (VETTER_DATABASE (source), result, &error);
  StaffJob *job;

  if (member == NULL)
    {
      shared_failed (staff_call_new (self, NULL), error);
      return;
    }
  if (member->shared)
    {
      /* An admin never locks themselves out: another admin does it. */
      if (g_strcmp0 (member->account->username, vetter_engine_get_person (self->engine)) == 0 &&
          (change->active == 0 || (change->role && g_strcmp0 (change->role, "admin") != 0)))
        {
          g_autoptr(GError) own = g_error_new_literal (VETTER_ERROR, VETTER_ERROR_INVALID_INPUT,
                                                       "you cannot take your own admin role away: "
                                                       "another admin can");

          member_free (member);
          shared_failed (staff_call_new (self, NULL), own);
          return;
        }
      if (self->couch == NULL)
        {
          g_autoptr(GError) offline = g_error_new (VETTER_ERROR, VETTER_ERROR_SYNC,
                                                   "%s is an account of a shared database this desktop no longer uses",
                                                   member->account->username);

          member_free (member);
          shared_failed (staff_call_new (self, NULL), offline);
          return;
        }
      vetter_couch_staff_change_async (self->couch, member->account->username, change->role, change->active, NULL,
                                       on_account_changed, staff_call_new (self, change_done (change->role, change->active)));
      member_free (member);
      return;
    }
  member_free (member);
  job = g_new0 (StaffJob, 1);
  job->staff_id = change->staff_id;
  job->role = g_strdup (change->role);
  job->active = change->active;
  run_staff_job (self, job, change_done (change->role, change->active));
}

void
vetter_console_page_change_staff (VetterConsolePage *self,
                                  const char        *role,
                                  int                active)
{
  gint64 id = one_member (self);
  MemberChange *change;
  GTask *task;

  if (id == 0)
    return;
  change = g_new0 (MemberChange, 1);
  change->staff_id = id;
  change->role = g_strdup (role);
  change->active = active;
  task = g_task_new (self, NULL, NULL, NULL);
  g_task_set_task_data (task, change, member_change_free);
  self->acting = TRUE;
  vetter_database_run_async (self->database, store_read_member, change, NULL, NULL, NULL, on_member_read, task);
}

void
vetter_console_page_add_staff (VetterConsolePage *self,
                               const char        *username,
                               const char        *role)
{
  StaffJob *job;

  if (!may_manage (self))
    return;
  if (self->couch)
    {
      /* An account on the server, with a first password shown once. */
      StaffCall *call = staff_call_new (self, g_strdup_printf (_("%s has an account"), username));

      call->username = g_strdup (username);
      call->password = vetter_couch_staff_new_password ();
      call->role = g_strdup (role);
      self->acting = TRUE;
      vetter_couch_staff_add_async (self->couch, username, role, call->password, NULL, on_account_added, call);
      return;
    }
  job = g_new0 (StaffJob, 1);
  job->username = g_strdup (username);
  job->role = g_strdup (role);
  job->active = 1;
  run_staff_job (self, job, g_strdup_printf (_("%s is on the staff"), username));
}

/* ---- Dialogs ----------------------------------------------------------------- */

static void
on_password_answered (AdwMessageDialog *dialog,
                      const char       *response,
                      gpointer          user_data)
{
  const char *password = g_object_get_data (G_OBJECT (dialog), "vetter-password");

  if (g_str_equal (response, "copy"))
    gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (dialog)), password);
}

/* The new account's first password, shown this once: it is kept nowhere. */
static void
show_password (VetterConsolePage *self,
               const char        *username,
               const char        *password)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *heading = g_strdup_printf (_("%s's First Password"), username);
  GtkWidget *dialog, *label;

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading,
                                   _("Give it to them yourself: it is shown only this once and kept nowhere. "
                                     "They sign in with it under Preferences, Services."));
  label = gtk_label_new (password);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "monospace");
  gtk_widget_add_css_class (label, "title-2");
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), label);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "copy", _("_Copy"), "close", _("_Done"), NULL);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  g_object_set_data_full (G_OBJECT (dialog), "vetter-password", g_strdup (password), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_password_answered), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
staff_role_action (GtkWidget  *widget,
                   const char *name,
                   GVariant   *parameter)
{
  vetter_console_page_change_staff (VETTER_CONSOLE_PAGE (widget), g_variant_get_string (parameter, NULL), -1);
}

static void
staff_active_action (GtkWidget  *widget,
                     const char *name,
                     GVariant   *parameter)
{
  vetter_console_page_change_staff (VETTER_CONSOLE_PAGE (widget), NULL, g_variant_get_boolean (parameter) ? 1 : 0);
}

static void
on_add_answered (AdwMessageDialog  *dialog,
                 const char        *response,
                 VetterConsolePage *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "vetter-entry");
  GtkDropDown *roles = g_object_get_data (G_OBJECT (dialog), "vetter-roles");

  const char * const *names = g_object_get_data (G_OBJECT (dialog), "vetter-role-names");

  if (g_str_equal (response, "add"))
    vetter_console_page_add_staff (self, gtk_editable_get_text (entry), names[gtk_drop_down_get_selected (roles)]);
}

static void
staff_add_action (GtkWidget  *widget,
                  const char *name,
                  GVariant   *parameter)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  /* A shared database's account may have any role; the desktop's own
   * staff, the two that decide. */
  static const char * const shared_names[] = { "moderator", "admin", "viewer", "worker", NULL };
  static const char * const own_names[] = { "moderator", "admin", NULL };
  const char *shared_choices[] = { _("Moderator"), _("Admin"), _("Viewer"), _("Worker"), NULL };
  const char *own_choices[] = { _("Moderator"), _("Admin"), NULL };
  GtkWidget *dialog, *box, *entry, *roles;

  if (!vetter_console_page_acts_on_staff (self))
    return;
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, _("Add a Person"),
                                   self->couch ? _("An account on the shared database, with a first password "
                                                   "shown once, and what they may do.")
                                               : _("Their account's name on this computer, and what they may do."));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  entry = gtk_entry_new ();
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("User"), -1);
  roles = gtk_drop_down_new_from_strings (self->couch ? shared_choices : own_choices);
  gtk_accessible_update_property (GTK_ACCESSIBLE (roles), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Role"), -1);
  gtk_box_append (GTK_BOX (box), entry);
  gtk_box_append (GTK_BOX (box), roles);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "add", _("_Add"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "add", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "add");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "vetter-entry", entry);
  g_object_set_data (G_OBJECT (dialog), "vetter-roles", roles);
  g_object_set_data (G_OBJECT (dialog), "vetter-role-names", (gpointer) (self->couch ? shared_names : own_names));
  g_signal_connect (dialog, "response", G_CALLBACK (on_add_answered), self);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static GMenuModel *
staff_menu (void)
{
  GMenu *menu = g_menu_new ();

  g_menu_append (menu, _("Add a Person…"), "console.staff-add");
  g_menu_append (menu, _("Make Admin"), "console.staff-role::admin");
  g_menu_append (menu, _("Make Moderator"), "console.staff-role::moderator");
  g_menu_append (menu, _("Make Viewer"), "console.staff-role::viewer");
  g_menu_append (menu, _("Take Off the Staff"), "console.staff-active(false)");
  g_menu_append (menu, _("Put Back on the Staff"), "console.staff-active(true)");
  return G_MENU_MODEL (menu);
}

void
vetter_console_staff_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "console.staff-add", NULL, staff_add_action);
  gtk_widget_class_install_action (widget_class, "console.staff-role", "s", staff_role_action);
  gtk_widget_class_install_action (widget_class, "console.staff-active", "b", staff_active_action);
}

void
vetter_console_staff_init (VetterConsolePage *self)
{
  g_autoptr(GMenuModel) menu = staff_menu ();

  gtk_menu_button_set_menu_model (self->staff_button, menu);
}

void
vetter_console_page_set_couch (VetterConsolePage *self,
                               VetterCouchClient *couch)
{
  g_return_if_fail (VETTER_IS_CONSOLE_PAGE (self));
  if (self->staff_cancellable)
    g_cancellable_cancel (self->staff_cancellable);
  g_set_object (&self->couch, couch);
  vetter_console_page_read_accounts (self);
}
