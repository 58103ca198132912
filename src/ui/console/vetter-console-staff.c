/* vetter-console-staff.c: the desktop's staff, managed from the console
 *
 * On the Staff list an admin adds a person (as a moderator or an admin),
 * makes the selected member an admin or a moderator, takes them off the
 * staff (they may then only look) or puts them back. Each change is one
 * audited transaction on the database thread; the last active admin
 * cannot be taken away. Others see the list and may not change it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-console"

#include "config.h"

#include <glib/gi18n.h>

#include "vetter-console-page-private.h"

gboolean
vetter_console_page_acts_on_staff (VetterConsolePage *self)
{
  return self->table && g_str_equal (self->table->name, "staff");
}

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
  char              *done;
} StaffCall;

static void
on_staff_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  StaffCall *call = user_data;
  g_autoptr(VetterConsolePage) self = call->page;
  g_autofree char *done = call->done;
  gpointer changed = vetter_console_page_action_answer (self, result, _("Not changed"));

  g_free (call);
  if (changed)
    gtk_label_set_label (self->result_label, done);
}

static void
run_staff_job (VetterConsolePage *self,
               StaffJob          *job,
               char              *done)
{
  StaffCall *call = g_new0 (StaffCall, 1);

  call->page = g_object_ref (self);
  call->done = done;
  job->actor = g_strdup (vetter_engine_get_person (self->engine));
  self->acting = TRUE;
  vetter_database_run_async (self->database, store_staff, job, staff_job_free, NULL, NULL, on_staff_done, call);
}

/* The one member acted on, or 0 with the person told why. */
static gint64
one_member (VetterConsolePage *self)
{
  g_autoptr(GArray) keys = NULL;

  if (!vetter_console_page_acts_on_staff (self) || self->acting)
    return 0;
  if (!vetter_role_may_administer (vetter_engine_get_role (self->engine)))
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      gtk_label_set_label (self->result_label, _("Managing the staff needs the admin role"));
      return 0;
    }
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

void
vetter_console_page_change_staff (VetterConsolePage *self,
                                  const char        *role,
                                  int                active)
{
  gint64 id = one_member (self);
  StaffJob *job;

  if (id == 0)
    return;
  job = g_new0 (StaffJob, 1);
  job->staff_id = id;
  job->role = g_strdup (role);
  job->active = active;
  run_staff_job (self, job, g_strdup (role ? _("Role changed") : active ? _("Back on the staff")
                                                                        : _("Taken off the staff: they may only look")));
}

void
vetter_console_page_add_staff (VetterConsolePage *self,
                               const char        *username,
                               const char        *role)
{
  StaffJob *job;

  if (!vetter_console_page_acts_on_staff (self) || self->acting)
    return;
  if (!vetter_role_may_administer (vetter_engine_get_role (self->engine)))
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      gtk_label_set_label (self->result_label, _("Managing the staff needs the admin role"));
      return;
    }
  job = g_new0 (StaffJob, 1);
  job->username = g_strdup (username);
  job->role = g_strdup (role);
  job->active = 1;
  run_staff_job (self, job, g_strdup_printf (_("%s is on the staff"), username));
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

  if (g_str_equal (response, "add"))
    vetter_console_page_add_staff (self, gtk_editable_get_text (entry),
                                   gtk_drop_down_get_selected (roles) == 1 ? "admin" : "moderator");
}

static void
staff_add_action (GtkWidget  *widget,
                  const char *name,
                  GVariant   *parameter)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  const char *choices[] = { _("Moderator"), _("Admin"), NULL };
  GtkWidget *dialog, *box, *entry, *roles;

  if (!vetter_console_page_acts_on_staff (self))
    return;
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, _("Add a Person"),
                                   _("Their account's name on this computer, and what they may do."));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  entry = gtk_entry_new ();
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("User"), -1);
  roles = gtk_drop_down_new_from_strings (choices);
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
