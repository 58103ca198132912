/* vetter-application.c: the application, its actions and its windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-application"

#include "config.h"

#include <glib/gi18n.h>

#include "vetter-application.h"
#include "vetter-config.h"
#include "vetter-keyring.h"
#include "vetter-preferences-window.h"
#include "vetter-resources.h"
#include "vetter-services.h"
#include "vetter-window.h"

struct _VetterApplication
{
  AdwApplication  parent_instance;

  VetterEngine   *engine;
  GSettings      *settings;
  VetterServices *services;
  VetterSync     *sync;       /* NULL when no service is configured */
  guint           services_generation;
  GCancellable   *cancellable;
};

/* A moderator's decision waits this long before its mail goes, so that
 * Z can take it back unseen (VETTER_MAIL_DELAY overrides it). */
#define MAIL_DELAY_SECONDS 60
/* How often the window asks the shared database what changed. */
#define COUCH_POLL_MS 2000

G_DEFINE_FINAL_TYPE (VetterApplication, vetter_application, ADW_TYPE_APPLICATION)

enum {
  SYNC_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *service_keys[] = {
  "s3-endpoint", "s3-region", "s3-bucket", "s3-access-key", "couchdb-url", "couchdb-db", "couchdb-user",
  "mailgun-url", "mailgun-domain", "mail-from", NULL,
};

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
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (user_data));
  GtkWidget *preferences = vetter_preferences_window_new (parent);

  gtk_window_present (GTK_WINDOW (preferences));
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { .name = "about", .activate = about_action },
  { .name = "preferences", .activate = preferences_action },
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
on_engine_open (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!vetter_engine_open_finish (VETTER_ENGINE (source), result, &error))
    {
      g_warning ("Cannot open the database: %s", error->message);
      return;
    }
  /* Batches a previous session left running go on by themselves. */
  vetter_engine_resume_unfinished (VETTER_ENGINE (source));
}

static void
apply_color_scheme (VetterApplication *self)
{
  static const AdwColorScheme schemes[] = {
    ADW_COLOR_SCHEME_DEFAULT, ADW_COLOR_SCHEME_FORCE_LIGHT, ADW_COLOR_SCHEME_FORCE_DARK,
  };
  guint scheme = (guint) g_settings_get_enum (self->settings, "color-scheme");

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      schemes[scheme < G_N_ELEMENTS (schemes) ? scheme : 0]);
}

/* What every configuration of the window's engine shares. */
static void
apply_services (VetterApplication *self,
                VetterConfig      *config)
{
  config->yield_to_ui = TRUE;
  config->sync_uploads = vetter_services_has_s3 (self->services);
  config->sync_mail = vetter_services_has_mail (self->services);
  config->sync_couch = vetter_services_has_couch (self->services);
  vetter_services_apply_tagger (self->services, config);
  config->mail_delay = g_getenv ("VETTER_MAIL_DELAY") ? (guint) g_ascii_strtoull (g_getenv ("VETTER_MAIL_DELAY"), NULL, 10)
                                                    : MAIL_DELAY_SECONDS;
}

static void
reload_config (VetterApplication *self)
{
  g_autoptr(VetterConfig) config = vetter_config_new ();

  if (self->engine == NULL)
    return;
  if (self->settings)
    vetter_config_load_settings (config, self->settings);
  apply_services (self, config);
  vetter_engine_set_config (self->engine, config);
}

typedef struct
{
  VetterApplication *self;
  VetterServices    *services;
  guint              generation;
} ServicesLoad;

static void
on_secrets_filled (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ServicesLoad *load = user_data;
  g_autoptr(VetterApplication) self = load->self;
  g_autoptr(VetterServices) services = load->services;
  gboolean current = load->generation == self->services_generation;

  vetter_keyring_fill_finish (result, NULL);
  g_free (load);
  /* A newer reload overtook this one, or the application is going. */
  if (!current || self->engine == NULL)
    return;
  vetter_services_free (self->services);
  self->services = g_steal_pointer (&services);
  if (self->sync)
    vetter_sync_stop (self->sync);
  g_clear_object (&self->sync);
  if (vetter_services_has_s3 (self->services) || vetter_services_has_mail (self->services) ||
      vetter_services_has_couch (self->services) || self->services->webhook_secret)
    self->sync = vetter_sync_new (self->engine, self->services);
  /* The window follows what other desktops add and decide. */
  if (self->sync && vetter_sync_get_couch (self->sync))
    vetter_couch_feed_start_pull (vetter_sync_get_couch (self->sync), COUCH_POLL_MS);
  reload_config (self);
  g_signal_emit (self, signals[SYNC_CHANGED], 0);
}

/* Preferences take effect as they are changed: the style at once, the
 * services when they are read again, the rest for every item started
 * from now on. */
static void
on_settings_changed (GSettings         *settings,
                     const char        *key,
                     VetterApplication *self)
{
  if (g_str_equal (key, "color-scheme"))
    apply_color_scheme (self);
  else if (g_strv_contains (service_keys, key))
    vetter_application_reload_services (self);
  else if (!g_str_has_prefix (key, "window-"))
    reload_config (self);
}

static void
vetter_application_startup (GApplication *app)
{
  VetterApplication *self = VETTER_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  g_autoptr(VetterConfig) config = vetter_config_new ();

  G_APPLICATION_CLASS (vetter_application_parent_class)->startup (app);

  self->settings = vetter_config_get_settings ();
  if (self->settings)
    {
      vetter_config_load_settings (config, self->settings);
      apply_color_scheme (self);
      g_signal_connect (self->settings, "changed", G_CALLBACK (on_settings_changed), self);
    }
  self->services = vetter_services_from_env ();
  apply_services (self, config);
  self->engine = vetter_engine_new (g_getenv ("VETTER_DB"), config);
  vetter_engine_open_async (self->engine, NULL, on_engine_open, self);
  /* The sender's first queries queue behind the opening on the store
   * thread, so it starts on an open database. */
  vetter_application_reload_services (self);

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
  g_cancellable_cancel (self->cancellable);
  if (self->sync)
    vetter_sync_stop (self->sync);
  g_clear_object (&self->sync);
  if (self->engine)
    vetter_engine_close (self->engine);
  G_APPLICATION_CLASS (vetter_application_parent_class)->shutdown (app);
}

static void
vetter_application_dispose (GObject *object)
{
  VetterApplication *self = VETTER_APPLICATION (object);

  if (self->settings)
    g_signal_handlers_disconnect_by_func (self->settings, on_settings_changed, self);
  g_clear_object (&self->settings);
  g_clear_object (&self->sync);
  g_clear_pointer (&self->services, vetter_services_free);
  g_clear_object (&self->engine);
  g_clear_object (&self->cancellable);
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

  /* The outbox's sender was made anew (or went): windows show the new one. */
  signals[SYNC_CHANGED] = g_signal_new ("sync-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 0);

  vetter_ensure_resources ();
}

static void
vetter_application_init (VetterApplication *self)
{
  self->cancellable = g_cancellable_new ();
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

VetterEngine *
vetter_application_get_engine (VetterApplication *self)
{
  g_return_val_if_fail (VETTER_IS_APPLICATION (self), NULL);
  return self->engine;
}

VetterSync *
vetter_application_get_sync (VetterApplication *self)
{
  g_return_val_if_fail (VETTER_IS_APPLICATION (self), NULL);
  return self->sync;
}

/* Reads the services again: the environment first, then the preferences,
 * then the keyring for the secrets; the sender is made anew from them. */
void
vetter_application_reload_services (VetterApplication *self)
{
  ServicesLoad *load;

  g_return_if_fail (VETTER_IS_APPLICATION (self));
  load = g_new0 (ServicesLoad, 1);
  load->self = g_object_ref (self);
  load->services = vetter_services_from_env ();
  if (self->settings)
    vetter_services_fill_from_settings (load->services, self->settings);
  load->generation = ++self->services_generation;
  vetter_keyring_fill_async (load->services, self->cancellable, on_secrets_filled, load);
}

/* What the sender is using now (the environment, preferences and keyring
 * together); NULL before start-up. */
const VetterServices *
vetter_application_get_services (VetterApplication *self)
{
  g_return_val_if_fail (VETTER_IS_APPLICATION (self), NULL);
  return self->services;
}
