/* vetter-context.c: what the windows work with
 *
 * The database, the engine over it, the settings and the services with
 * the sender made from them, in one object that the application makes
 * once and every window receives when it is made. Settings take effect as
 * they change: the services when they are read again, the rest for every
 * item started from then on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-context"

#include "config.h"

#include "vetter-config.h"
#include "vetter-context.h"
#include "vetter-store.h"
#include "vetter-keyring.h"

/* A moderator's decision waits this long before its mail goes, so that
 * Z can take it back unseen (VETTER_MAIL_DELAY overrides it). */
#define MAIL_DELAY_SECONDS 60
/* How often the window asks the shared database what changed. */
#define COUCH_POLL_MS 2000

struct _VetterContext
{
  GObject         parent_instance;

  VetterDatabase *database;
  VetterEngine   *engine;
  GSettings      *settings;
  VetterServices *services;
  VetterSync     *sync;       /* NULL when no service is configured */
  guint           services_generation;
  GCancellable   *cancellable;
  gboolean        shut_down;
};

G_DEFINE_FINAL_TYPE (VetterContext, vetter_context, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SYNC,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *service_keys[] = {
  "s3-endpoint", "s3-region", "s3-bucket", "s3-access-key", "couchdb-url", "couchdb-db", "couchdb-user",
  "mailgun-url", "mailgun-domain", "mail-from", NULL,
};

/* What every configuration of the window's engine shares. */
static void
apply_services (VetterContext *self,
                VetterConfig  *config)
{
  const char *delay = g_getenv ("VETTER_MAIL_DELAY");

  config->yield_to_ui = TRUE;
  if (self->services)
    {
      config->sync_uploads = vetter_services_has_s3 (self->services);
      config->sync_mail = vetter_services_has_mail (self->services);
      config->sync_couch = vetter_services_has_couch (self->services);
      vetter_services_apply_tagger (self->services, config);
    }
  config->mail_delay = delay ? (guint) g_ascii_strtoull (delay, NULL, 10) : MAIL_DELAY_SECONDS;
}

static VetterConfig *
make_config (VetterContext *self)
{
  VetterConfig *config = vetter_config_new ();

  if (self->settings)
    vetter_config_load_settings (config, self->settings);
  apply_services (self, config);
  return config;
}

static void
reload_config (VetterContext *self)
{
  g_autoptr(VetterConfig) config = make_config (self);

  vetter_engine_set_config (self->engine, config);
}

typedef struct
{
  VetterContext  *self;
  VetterServices *services;
  guint           generation;
} ServicesLoad;

/* ---- The desktop's own staff, without a shared database ---------------- */

/* A shared database is set up, whether or not someone is signed in to it:
 * then its login, and nobody else, is the person. */
static gboolean
uses_shared_database (VetterContext *self)
{
  return self->services && self->services->couch_url && *self->services->couch_url;
}


static gpointer
store_sign_in (VetterStore  *store,
               gpointer      data,
               GError      **error)
{
  VetterRole role = vetter_store_staff_sign_in (store, data, error);

  return g_memdup2 (&role, sizeof role);
}

static void
on_signed_in (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(VetterContext) self = user_data;
  g_autofree VetterRole *role = vetter_database_run_finish (VETTER_DATABASE (source), result, NULL);

  /* A shared database configured meanwhile says the role instead. */
  if (role && !uses_shared_database (self))
    vetter_engine_set_role (self->engine, *role);
}

/* The person as this desktop's staff knows them: the first one its admin. */
static void
sign_in_here (VetterContext *self)
{
  vetter_database_run_async (self->database, store_sign_in, g_strdup (vetter_engine_get_person (self->engine)), g_free,
                             g_free, self->cancellable, on_signed_in, g_object_ref (self));
}

/* The staff changed (an admin made someone else an admin, or themselves a
 * moderator): what the person may do follows, without a shared database. */
static void
on_staff_changed (VetterContext  *self,
                  const char     *table,
                  GArray         *ids,
                  VetterDatabase *database)
{
  if (!uses_shared_database (self))
    sign_in_here (self);
}

static void
on_couch_ready (VetterContext *self)
{
  VetterCouchSetup *setup = self->sync ? vetter_sync_get_couch_setup (self->sync) : NULL;

  if (setup == NULL)
    return;
  /* Until the database says (offline, say), a moderator's: work goes on,
   * and the server refuses what the role does not allow when it is sent. */
  vetter_engine_set_role (self->engine, vetter_couch_setup_get_ready (setup) ? vetter_couch_setup_get_role (setup)
                                                                             : VETTER_ROLE_MODERATOR);
}

static void
on_secrets_filled (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ServicesLoad *load = user_data;
  g_autoptr(VetterContext) self = load->self;
  g_autoptr(VetterServices) services = load->services;
  gboolean current = load->generation == self->services_generation;

  vetter_keyring_fill_finish (result, NULL);
  g_free (load);
  /* A newer reload overtook this one, or the application is going. */
  if (!current || self->shut_down)
    return;
  vetter_services_free (self->services);
  self->services = g_steal_pointer (&services);
  /* With a shared database, the person is its login: what the server
   * knows them by, and checks every decision and claim against. */
  vetter_engine_set_person (self->engine, vetter_services_has_couch (self->services) ? self->services->couch_user : NULL);
  if (self->sync)
    vetter_sync_stop (self->sync);
  g_clear_object (&self->sync);
  if (vetter_services_has_s3 (self->services) || vetter_services_has_mail (self->services) ||
      vetter_services_has_couch (self->services) || self->services->webhook_secret)
    self->sync = vetter_sync_new (self->engine, self->services);
  /* The window follows what other desktops add and decide. */
  if (self->sync && vetter_sync_get_couch_feed (self->sync))
    vetter_couch_feed_start_pull (vetter_sync_get_couch_feed (self->sync), COUCH_POLL_MS);
  /* Alone, the desktop's person may do everything; with a shared database,
   * what its role allows. */
  if (self->sync && vetter_sync_get_couch_setup (self->sync))
    {
      VetterCouchSetup *setup = vetter_sync_get_couch_setup (self->sync);

      g_signal_connect_object (setup, "notify::ready", G_CALLBACK (on_couch_ready), self, G_CONNECT_SWAPPED);
      on_couch_ready (self);
    }
  else if (uses_shared_database (self))
    /* Signed out of it: one may look, and decides once signed in. */
    vetter_engine_set_role (self->engine, VETTER_ROLE_VIEWER);
  else
    sign_in_here (self);
  reload_config (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC]);
}

static void
on_settings_changed (GSettings     *settings,
                     const char    *key,
                     VetterContext *self)
{
  if (g_strv_contains (service_keys, key))
    vetter_context_reload_services (self);
  else if (!g_str_has_prefix (key, "window-") && !g_str_equal (key, "color-scheme"))
    {
      reload_config (self);
      /* An admin's processing settings are the team's: the machines that
       * share the work make results under them, and redo older ones. */
      if (self->sync && vetter_sync_get_couch_setup (self->sync) &&
          vetter_role_may_administer (vetter_engine_get_role (self->engine)))
        vetter_engine_share_settings (self->engine);
    }
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

/* ---- GObject -------------------------------------------------------------- */

static void
vetter_context_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  VetterContext *self = VETTER_CONTEXT (object);

  switch (prop_id)
    {
    case PROP_SYNC:
      g_value_set_object (value, self->sync);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vetter_context_dispose (GObject *object)
{
  VetterContext *self = VETTER_CONTEXT (object);

  vetter_context_shutdown (self);
  if (self->settings)
    g_signal_handlers_disconnect_by_func (self->settings, on_settings_changed, self);
  g_clear_object (&self->settings);
  g_clear_object (&self->sync);
  g_clear_object (&self->engine);
  g_clear_object (&self->database);
  G_OBJECT_CLASS (vetter_context_parent_class)->dispose (object);
}

static void
vetter_context_finalize (GObject *object)
{
  VetterContext *self = VETTER_CONTEXT (object);

  g_clear_pointer (&self->services, vetter_services_free);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (vetter_context_parent_class)->finalize (object);
}

static void
vetter_context_class_init (VetterContextClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = vetter_context_get_property;
  object_class->dispose = vetter_context_dispose;
  object_class->finalize = vetter_context_finalize;

  properties[PROP_SYNC] = g_param_spec_object ("sync", NULL, NULL, VETTER_TYPE_SYNC,
                                               G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vetter_context_init (VetterContext *self)
{
  self->cancellable = g_cancellable_new ();
}

/* ---- Public API ----------------------------------------------------------- */

VetterContext *
vetter_context_new (const char *db_path)
{
  VetterContext *self = g_object_new (VETTER_TYPE_CONTEXT, NULL);
  g_autoptr(VetterConfig) config = NULL;

  self->settings = vetter_config_get_settings ();
  if (self->settings)
    g_signal_connect (self->settings, "changed", G_CALLBACK (on_settings_changed), self);
  self->services = vetter_services_from_env ();
  self->database = vetter_database_new (db_path ? db_path : g_getenv ("VETTER_DB"));
  g_signal_connect_object (self->database, "rows-changed::staff", G_CALLBACK (on_staff_changed), self,
                           G_CONNECT_SWAPPED);
  config = make_config (self);
  self->engine = vetter_engine_new_for_database (self->database, config);
  return self;
}

void
vetter_context_start (VetterContext *self)
{
  g_return_if_fail (VETTER_IS_CONTEXT (self));
  vetter_engine_open_async (self->engine, NULL, on_engine_open, NULL);
  /* The sender's first queries queue behind the opening on the database
   * thread, so it starts on an open database. */
  vetter_context_reload_services (self);
}

void
vetter_context_shutdown (VetterContext *self)
{
  g_return_if_fail (VETTER_IS_CONTEXT (self));
  if (self->shut_down)
    return;
  self->shut_down = TRUE;
  g_cancellable_cancel (self->cancellable);
  if (self->sync)
    vetter_sync_stop (self->sync);
  if (self->engine)
    vetter_engine_close (self->engine);
  if (self->database)
    vetter_database_close (self->database);
}

VetterDatabase *
vetter_context_get_database (VetterContext *self)
{
  g_return_val_if_fail (VETTER_IS_CONTEXT (self), NULL);
  return self->database;
}

VetterEngine *
vetter_context_get_engine (VetterContext *self)
{
  g_return_val_if_fail (VETTER_IS_CONTEXT (self), NULL);
  return self->engine;
}

VetterSync *
vetter_context_get_sync (VetterContext *self)
{
  g_return_val_if_fail (VETTER_IS_CONTEXT (self), NULL);
  return self->sync;
}

const VetterServices *
vetter_context_get_services (VetterContext *self)
{
  g_return_val_if_fail (VETTER_IS_CONTEXT (self), NULL);
  return self->services;
}

GSettings *
vetter_context_get_settings (VetterContext *self)
{
  g_return_val_if_fail (VETTER_IS_CONTEXT (self), NULL);
  return self->settings;
}

void
vetter_context_reload_services (VetterContext *self)
{
  ServicesLoad *load;

  g_return_if_fail (VETTER_IS_CONTEXT (self));
  load = g_new0 (ServicesLoad, 1);
  load->self = g_object_ref (self);
  load->services = vetter_services_from_env ();
  if (self->settings)
    vetter_services_fill_from_settings (load->services, self->settings);
  load->generation = ++self->services_generation;
  vetter_keyring_fill_async (load->services, self->cancellable, on_secrets_filled, load);
}

gboolean
vetter_context_is_signed_out (VetterContext *self)
{
  g_return_val_if_fail (VETTER_IS_CONTEXT (self), FALSE);
  return uses_shared_database (self) && !vetter_services_has_couch (self->services);
}

static void
on_password_forgotten (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(VetterContext) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!vetter_keyring_store_finish (result, &error))
    g_warning ("The shared database's password was not forgotten: %s", error->message);
  /* The login goes too, the database stays: the next person signs in. */
  if (self->settings)
    g_settings_set_string (self->settings, "couchdb-user", "");
  vetter_context_reload_services (self);
}

void
vetter_context_sign_out (VetterContext *self)
{
  g_return_if_fail (VETTER_IS_CONTEXT (self));
  vetter_keyring_store_async (VETTER_SECRET_COUCHDB, "", self->cancellable, on_password_forgotten, g_object_ref (self));
}
