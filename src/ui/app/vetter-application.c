/* vetter-application.c: the application, its actions and its windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-application"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "vetter-application.h"
#include "vetter-preferences-window.h"
#include "vetter-resources.h"
#include "vetter-window.h"

struct _VetterApplication
{
  AdwApplication  parent_instance;

  VetterContext  *context;
};

G_DEFINE_FINAL_TYPE (VetterApplication, vetter_application, ADW_TYPE_APPLICATION)

static VetterWindow *
get_or_create_window (VetterApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (vetter_window_new (GTK_APPLICATION (self)));

  return VETTER_WINDOW (window);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  VetterApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  static const char *developers[] = { "The Vetter developers", NULL };
  AdwAboutWindow *about;

  about = ADW_ABOUT_WINDOW (adw_about_window_new ());
  g_object_set (about,
                "transient-for", parent,
                "modal", TRUE,
                "application-name", _("Vetter"),
                "application-icon", APP_ID,
                "developer-name", _("The Vetter developers"),
                "version", PACKAGE_VERSION,
                "comments", _("Review the images of ads and products before they go live"),
                "website", "https://github.com/vetterapp/vetter",
                "issue-url", "https://github.com/vetterapp/vetter/issues",
                "license-type", GTK_LICENSE_GPL_3_0,
                "developers", developers,
                /* Translators: put your names here, one per line */
                "translator-credits", _("translator-credits"),
                NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  VetterApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *preferences = vetter_preferences_window_new (parent, self->context);

  gtk_window_present (GTK_WINDOW (preferences));
}

/* The person in the header: signing in as someone else is the shared
 * database's user and password, on the Services page. */
static void
switch_user_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  VetterApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *preferences = vetter_preferences_window_new (parent, self->context);

  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (preferences), "services");
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
on_sign_out_answered (AdwMessageDialog  *dialog,
                      const char        *response,
                      VetterApplication *self)
{
  if (g_str_equal (response, "sign-out"))
    vetter_context_sign_out (self->context);
}

/* Signing out forgets the login. What the outbox still holds goes in the
 * person's name, which the database takes from them alone: asked first. */
static void
sign_out_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  VetterApplication *self = user_data;
  VetterSync *sync = vetter_context_get_sync (self->context);
  gint64 pending = sync ? vetter_sync_get_counts (sync)->pending : 0;
  VetterEngine *engine = vetter_context_get_engine (self->context);
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (pending == 0)
    {
      vetter_context_sign_out (self->context);
      return;
    }
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%" PRId64 " change made as %s is not sent yet. The shared database "
                                       "takes it from %s alone: while someone else is signed in it is refused and "
                                       "kept in the outbox, to send again once %s is back.",
                                       "%" PRId64 " changes made as %s are not sent yet. The shared database "
                                       "takes them from %s alone: while someone else is signed in they are refused "
                                       "and kept in the outbox, to send again once %s is back.", (gulong) pending),
                          pending, vetter_engine_get_person (engine), vetter_engine_get_person (engine),
                          vetter_engine_get_person (engine));
  dialog = adw_message_dialog_new (gtk_application_get_active_window (GTK_APPLICATION (self)),
                                   _("Sign Out Before Everything Is Sent?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Stay Signed In"),
                                    "sign-out", _("Sign _Out"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "sign-out", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_sign_out_answered), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Ctrl+Q closes the windows the way their close buttons do, so that one
 * with work in flight asks first; the application ends with the last. */
static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (user_data)));

  if (windows == NULL)
    g_application_quit (G_APPLICATION (user_data));
  for (GList *l = windows; l; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
  g_list_free (windows);
}

static const GActionEntry app_actions[] = {
  { .name = "about", .activate = about_action },
  { .name = "preferences", .activate = preferences_action },
  { .name = "switch-user", .activate = switch_user_action },
  { .name = "sign-out", .activate = sign_out_action },
  { .name = "quit", .activate = quit_action },
};

static void
vetter_application_activate (GApplication *app)
{
  gtk_window_present (GTK_WINDOW (get_or_create_window (VETTER_APPLICATION (app))));
}

static void
vetter_application_open (GApplication  *app,
                         GFile        **files,
                         int            n_files,
                         const char    *hint)
{
  VetterWindow *window = get_or_create_window (VETTER_APPLICATION (app));

  gtk_window_present (GTK_WINDOW (window));
  vetter_window_add_files (window, files, (guint) n_files);
}

static void
apply_color_scheme (VetterApplication *self)
{
  static const AdwColorScheme schemes[] = {
    ADW_COLOR_SCHEME_DEFAULT, ADW_COLOR_SCHEME_FORCE_LIGHT, ADW_COLOR_SCHEME_FORCE_DARK,
  };
  guint scheme = (guint) g_settings_get_enum (vetter_context_get_settings (self->context), "color-scheme");

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      schemes[scheme < G_N_ELEMENTS (schemes) ? scheme : 0]);
}

static void
on_color_scheme_changed (GSettings         *settings,
                         const char        *key,
                         VetterApplication *self)
{
  apply_color_scheme (self);
}

static void
vetter_application_startup (GApplication *app)
{
  VetterApplication *self = VETTER_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  GSettings *settings;

  G_APPLICATION_CLASS (vetter_application_parent_class)->startup (app);

  self->context = vetter_context_new (NULL);
  settings = vetter_context_get_settings (self->context);
  if (settings)
    {
      apply_color_scheme (self);
      g_signal_connect (settings, "changed::color-scheme", G_CALLBACK (on_color_scheme_changed), self);
    }
  vetter_context_start (self->context);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "window.close", close_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", preferences_accels);
}

static void
vetter_application_shutdown (GApplication *app)
{
  VetterApplication *self = VETTER_APPLICATION (app);

  /* Work in flight is left in the store, to be redone next time; so is
   * whatever the outbox has not sent. */
  if (self->context)
    vetter_context_shutdown (self->context);
  G_APPLICATION_CLASS (vetter_application_parent_class)->shutdown (app);
}

static void
vetter_application_dispose (GObject *object)
{
  VetterApplication *self = VETTER_APPLICATION (object);

  if (self->context && vetter_context_get_settings (self->context))
    g_signal_handlers_disconnect_by_func (vetter_context_get_settings (self->context), on_color_scheme_changed, self);
  g_clear_object (&self->context);
  G_OBJECT_CLASS (vetter_application_parent_class)->dispose (object);
}

static void
vetter_application_class_init (VetterApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vetter_application_dispose;
  app_class->shutdown = vetter_application_shutdown;

  app_class->activate = vetter_application_activate;
  app_class->open = vetter_application_open;
  app_class->startup = vetter_application_startup;

  vetter_ensure_resources ();
}

static void
vetter_application_init (VetterApplication *self)
{
}

VetterApplication *
vetter_application_new (void)
{
  return g_object_new (VETTER_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", RESOURCE_PREFIX,
                       NULL);
}

VetterContext *
vetter_application_get_context (VetterApplication *self)
{
  g_return_val_if_fail (VETTER_IS_APPLICATION (self), NULL);
  return self->context;
}

/* Without a GPU, GTK's GL renderer runs on a software rasteriser (Mesa's
 * llvmpipe) that redraws the whole window every frame, several times
 * slower than GTK's own software renderer, which redraws what changed:
 * virtual desktops and remote sessions are where moderators often work.
 * A GPU shows up as a DRM render node. GSK_RENDERER, when set, decides. */
void
vetter_application_choose_renderer (void)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (g_getenv ("GSK_RENDERER"))
    return;
  dir = g_dir_open ("/dev/dri", 0, NULL);
  while (dir && (name = g_dir_read_name (dir)))
    if (g_str_has_prefix (name, "renderD"))
      return;
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
}
