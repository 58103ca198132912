/* vetter-preferences-window.c: the settings, bound to GSettings
 *
 * Every control writes its key as it changes; the application applies
 * the keys (vetter-application.c), so a setting changed elsewhere (another
 * window, dconf) shows here too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-preferences"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "vetter-config.h"
#include "vetter-context.h"
#include "vetter-couch-client.h"
#include "vetter-http.h"
#include "vetter-keyring.h"
#include "vetter-preferences-window.h"
#include "vetter-resources.h"
#include "vetter-s3.h"

struct _VetterPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  VetterContext  *context;
  GSettings      *settings;
  SoupSession    *session;       /* for "Test" */
  GCancellable   *cancellable;

  AdwComboRow    *style_row;
  GtkSwitch      *blur_switch;
  GtkSpinButton  *workers_spin;
  GtkSpinButton  *compressed_quality_spin;
  GtkSpinButton  *square_width;
  GtkSpinButton  *square_height;
  GtkSpinButton  *portrait_width;
  GtkSpinButton  *portrait_height;
  GtkSpinButton  *landscape_width;
  GtkSpinButton  *landscape_height;
  GtkSpinButton  *crop_quality_spin;
  GtkSpinButton  *thumb_size_spin;
  GtkSpinButton  *thumb_quality_spin;
  AdwEntryRow    *approve_tags_row;
  GtkSpinButton  *confidence_spin;
  GtkSwitch      *block_low_switch;
  GtkSwitch      *block_medium_switch;
  GtkSwitch      *block_high_switch;
  AdwActionRow   *s3_test_row;
  GtkWidget      *s3_test_button;
  AdwActionRow   *mail_test_row;
  GtkWidget      *mail_test_button;
  AdwActionRow   *couch_test_row;
  GtkWidget      *couch_test_button;
  AdwActionRow   *imagga_test_row;
  AdwPreferencesGroup *approval_group;
  GtkWidget      *imagga_test_button;
};

/* The Services page's rows: settings keys for the plain ones, keyring
 * names for the secrets. */
typedef struct
{
  const char *row;
  const char *name;
} ServiceField;

static const ServiceField text_fields[] = {
  { "s3_endpoint_row", "s3-endpoint" }, { "s3_region_row", "s3-region" }, { "s3_bucket_row", "s3-bucket" },
  { "s3_access_row", "s3-access-key" }, { "mailgun_url_row", "mailgun-url" },
  { "mailgun_domain_row", "mailgun-domain" }, { "mail_from_row", "mail-from" },
  { "imagga_url_row", "imagga-url" }, { "imagga_key_row", "imagga-key" },
  { "couch_url_row", "couchdb-url" }, { "couch_db_row", "couchdb-db" }, { "couch_user_row", "couchdb-user" },
};

static const ServiceField secret_fields[] = {
  { "s3_secret_row", VETTER_SECRET_S3 }, { "mailgun_key_row", VETTER_SECRET_MAILGUN },
  { "webhook_secret_row", VETTER_SECRET_WEBHOOK }, { "imagga_secret_row", VETTER_SECRET_IMAGGA },
  { "couch_password_row", VETTER_SECRET_COUCHDB },
};

G_DEFINE_FINAL_TYPE (VetterPreferencesWindow, vetter_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* ---- Mappings between keys and controls ------------------------------------ */

static const char *color_schemes[] = { "default", "light", "dark" };

static gboolean
get_color_scheme (GValue   *value,
                  GVariant *variant,
                  gpointer  user_data)
{
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (color_schemes); i++)
    if (g_str_equal (nick, color_schemes[i]))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
set_color_scheme (const GValue       *value,
                  const GVariantType *type,
                  gpointer            user_data)
{
  guint index = g_value_get_uint (value);

  return index < G_N_ELEMENTS (color_schemes) ? g_variant_new_string (color_schemes[index]) : NULL;
}

/* One number of a (width, height) key, the other kept as it is. */
typedef struct
{
  GSettings *settings;
  char      *key;
  guint      index;
} PairPart;

static void
pair_part_free (gpointer data)
{
  PairPart *part = data;

  g_free (part->key);
  g_free (part);
}

static gboolean
get_pair_part (GValue   *value,
               GVariant *variant,
               gpointer  user_data)
{
  PairPart *part = user_data;
  int w, h;

  g_variant_get (variant, "(ii)", &w, &h);
  g_value_set_double (value, part->index == 0 ? w : h);
  return TRUE;
}

static GVariant *
set_pair_part (const GValue       *value,
               const GVariantType *type,
               gpointer            user_data)
{
  PairPart *part = user_data;
  int w, h;

  g_settings_get (part->settings, part->key, "(ii)", &w, &h);
  if (part->index == 0)
    w = (int) g_value_get_double (value);
  else
    h = (int) g_value_get_double (value);
  return g_variant_new ("(ii)", w, h);
}

static void
bind_pair (VetterPreferencesWindow *self,
           const char              *key,
           GtkSpinButton           *width,
           GtkSpinButton           *height)
{
  GtkSpinButton *spins[2] = { width, height };

  for (guint i = 0; i < 2; i++)
    {
      PairPart *part = g_new0 (PairPart, 1);

      part->settings = self->settings;
      part->key = g_strdup (key);
      part->index = i;
      g_settings_bind_with_mapping (self->settings, key, gtk_spin_button_get_adjustment (spins[i]), "value",
                                    G_SETTINGS_BIND_DEFAULT, get_pair_part, set_pair_part, part, pair_part_free);
    }
}

/* A switch per severity, each adding or removing its name in one list. */
typedef struct
{
  GSettings  *settings;
  const char *severity;
} SeverityPart;

static gboolean
get_severity (GValue   *value,
              GVariant *variant,
              gpointer  user_data)
{
  SeverityPart *part = user_data;
  g_autofree const char **severities = g_variant_get_strv (variant, NULL);

  g_value_set_boolean (value, g_strv_contains (severities, part->severity));
  return TRUE;
}

static GVariant *
set_severity (const GValue       *value,
              const GVariantType *type,
              gpointer            user_data)
{
  static const char *order[] = { "low", "medium", "high" };
  SeverityPart *part = user_data;
  g_auto(GStrv) current = g_settings_get_strv (part->settings, "blocking-severities");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) result = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      gboolean on = g_str_equal (order[i], part->severity)
                    ? g_value_get_boolean (value)
                    : g_strv_contains ((const char * const *) current, order[i]);
      if (on)
        g_strv_builder_add (builder, order[i]);
    }
  result = g_strv_builder_end (builder);
  return g_variant_new_strv ((const char * const *) result, -1);
}

static void
bind_severity (VetterPreferencesWindow *self,
               GtkSwitch               *toggle,
               const char              *severity)
{
  SeverityPart *part = g_new0 (SeverityPart, 1);

  part->settings = self->settings;
  part->severity = severity;
  g_settings_bind_with_mapping (self->settings, "blocking-severities", toggle, "active",
                                G_SETTINGS_BIND_DEFAULT, get_severity, set_severity, part, g_free);
}

static void
bind_spin (VetterPreferencesWindow *self,
           const char              *key,
           GtkSpinButton           *spin)
{
  g_settings_bind (self->settings, key, gtk_spin_button_get_adjustment (spin), "value", G_SETTINGS_BIND_DEFAULT);
}

/* The tags are written when applied, not at each key press: a half-typed
 * list would otherwise approve ads by a tag nobody meant. */
static void
show_approve_tags (VetterPreferencesWindow *self)
{
  g_auto(GStrv) tags = g_settings_get_strv (self->settings, "approve-tags");
  g_autofree char *text = g_strjoinv (", ", tags);

  gtk_editable_set_text (GTK_EDITABLE (self->approve_tags_row), text);
}

static void
on_approve_tags_apply (VetterPreferencesWindow *self)
{
  g_auto(GStrv) parts = g_strsplit (gtk_editable_get_text (GTK_EDITABLE (self->approve_tags_row)), ",", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) tags = NULL;

  for (guint i = 0; parts[i]; i++)
    {
      g_autofree char *tag = g_utf8_strdown (g_strstrip (parts[i]), -1);

      if (*tag != '\0')
        g_strv_builder_add (builder, tag);
    }
  tags = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "approve-tags", (const char * const *) tags);
}

static void
on_approve_tags_changed (GSettings               *settings,
                         const char              *key,
                         VetterPreferencesWindow *self)
{
  show_approve_tags (self);
}

/* ---- Services -------------------------------------------------------------- */

static GtkEditable *
service_row (VetterPreferencesWindow *self,
             const char              *name)
{
  return GTK_EDITABLE (gtk_widget_get_template_child (GTK_WIDGET (self), VETTER_TYPE_PREFERENCES_WINDOW, name));
}

/* A secret's row stays empty (the keyring does not give secrets back to
 * be shown), so its title says whether one is kept. */
static void
show_secret_states (VetterPreferencesWindow *self)
{
  const VetterServices *services = vetter_context_get_services (self->context);
  const char *values[G_N_ELEMENTS (secret_fields)] = {
    services ? services->s3_secret_key : NULL, services ? services->mailgun_key : NULL,
    services ? services->webhook_secret : NULL, services ? services->imagga_secret : NULL,
    services ? services->couch_password : NULL,
  };
  const char *titles[G_N_ELEMENTS (secret_fields)] = { N_("Secret Key"), N_("API Key"), N_("Signing Secret"), N_("API Secret"),
                                                       N_("Password") };

  for (guint i = 0; i < G_N_ELEMENTS (secret_fields); i++)
    {
      g_autofree char *title = values[i] ? g_strdup_printf (_("%s (kept in the keyring)"), _(titles[i])) : g_strdup (_(titles[i]));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (service_row (self, secret_fields[i].row)), title);
    }
}

/* What the approving rule needs, said here once rather than on every ad. */
static void
show_tagger_state (VetterPreferencesWindow *self)
{
  const VetterServices *services = vetter_context_get_services (self->context);

  if (services && vetter_services_has_tagger (services))
    adw_preferences_group_set_description (self->approval_group,
                                           _("An ad is approved when one of these tags is found with enough "
                                             "confidence and no defect blocks it"));
  else
    adw_preferences_group_set_description (self->approval_group,
                                           _("No tagger is set up (Services ▸ Object Tags), so only a colour "
                                             "named here can approve an ad; every other ad waits for a person"));
}

static void
show_service_states (VetterPreferencesWindow *self)
{
  show_secret_states (self);
  show_tagger_state (self);
}

static void
reload_services (VetterPreferencesWindow *self)
{
  vetter_context_reload_services (self->context);
}

typedef struct
{
  VetterPreferencesWindow *self;
  GtkEditable             *row;
} SecretSave;

static void
on_secret_stored (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  SecretSave *save = user_data;
  g_autoptr(VetterPreferencesWindow) self = save->self;
  g_autoptr(GError) error = NULL;
  gboolean stored = vetter_keyring_store_finish (result, &error);

  g_free (save);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (stored ? _("Kept in the keyring") : error->message));
  if (stored)
    reload_services (self);
}

/* Plain values go to the settings (the application reads them again
 * itself); secrets go to the keyring and leave the row at once. */
static void
on_service_apply (VetterPreferencesWindow *self,
                  GtkEditable             *row)
{
  for (guint i = 0; i < G_N_ELEMENTS (text_fields); i++)
    if (service_row (self, text_fields[i].row) == row)
      {
        g_autofree char *value = g_strstrip (g_strdup (gtk_editable_get_text (row)));

        g_settings_set_string (self->settings, text_fields[i].name, value);
        return;
      }
  for (guint i = 0; i < G_N_ELEMENTS (secret_fields); i++)
    if (service_row (self, secret_fields[i].row) == row)
      {
        SecretSave *save = g_new0 (SecretSave, 1);
        g_autofree char *value = g_strdup (gtk_editable_get_text (row));

        gtk_editable_set_text (row, "");
        save->self = g_object_ref (self);
        save->row = row;
        vetter_keyring_store_async (secret_fields[i].name, value, self->cancellable, on_secret_stored, save);
        return;
      }
}

typedef struct
{
  VetterPreferencesWindow *self;
  AdwActionRow            *row;
  GtkWidget               *button;
  const char              *success;
  char                    *not_found;   /* what a 404 means, when it means more than that */
} ConnectionTest;

static void
connection_test_free (ConnectionTest *test)
{
  g_free (test->not_found);
  g_free (test);
}

static void
on_tested (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  ConnectionTest *test = user_data;
  g_autoptr(VetterPreferencesWindow) self = test->self;
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_autofree char *text = NULL;
  guint status;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      connection_test_free (test);
      return;
    }
  gtk_widget_set_sensitive (test->button, TRUE);
  status = body ? soup_message_get_status (message) : 0;
  if (body == NULL)
    text = g_strdup_printf (_("Cannot reach the server: %s"), error->message);
  else if (status >= 200 && status < 300)
    text = g_strdup (test->success);
  else if (status == 404 && test->not_found)
    text = g_strdup (test->not_found);
  else
    /* Translators: "The server answered 403 Forbidden" */
    text = g_strdup_printf (_("The server answered %u %s"), status, soup_message_get_reason_phrase (message));
  adw_action_row_set_subtitle (test->row, text);
  connection_test_free (test);
}

static void
start_test (VetterPreferencesWindow *self,
            AdwActionRow            *row,
            GtkWidget               *button,
            SoupMessage             *message,
            const char              *success,
            char                    *not_found)
{
  ConnectionTest *test = g_new0 (ConnectionTest, 1);

  test->self = g_object_ref (self);
  test->row = row;
  test->button = button;
  test->success = success;
  test->not_found = not_found;
  gtk_widget_set_sensitive (button, FALSE);
  adw_action_row_set_subtitle (row, _("Testing…"));
  soup_session_send_and_read_async (self->session, message, G_PRIORITY_DEFAULT, self->cancellable, on_tested, test);
  g_object_unref (message);
}

/* A signed HEAD of the bucket. */
static void
test_s3 (VetterPreferencesWindow *self,
         const VetterServices    *services)
{
  g_autoptr(VetterS3) s3 = services ? vetter_s3_new (services) : NULL;

  if (s3 == NULL)
    adw_action_row_set_subtitle (self->s3_test_row, _("Fill in the endpoint, bucket, access key and secret key first"));
  else
    start_test (self, self->s3_test_row, self->s3_test_button, vetter_s3_message (s3, "HEAD", NULL, NULL, NULL),
                _("Connected: the bucket answers"), NULL);
}

/* Mailgun's record of the sending domain. */
static void
test_mail (VetterPreferencesWindow *self,
           const VetterServices    *services)
{
  g_autofree char *url = NULL;
  SoupMessage *message;

  if (services == NULL || !vetter_services_has_mail (services))
    {
      adw_action_row_set_subtitle (self->mail_test_row, _("Fill in the domain, sender and API key first"));
      return;
    }
  url = g_strdup_printf ("%s/v3/domains/%s", services->mailgun_url, services->mailgun_domain);
  message = soup_message_new ("GET", url);
  if (message == NULL)
    {
      adw_action_row_set_subtitle (self->mail_test_row, _("The Mailgun API URL is not valid"));
      return;
    }
  vetter_http_set_basic_auth (message, "api", services->mailgun_key);
  start_test (self, self->mail_test_row, self->mail_test_button, message,
              _("Connected: Mailgun knows the sending domain"), NULL);
}

/* The database itself, as this user: its members may read it. */
static void
test_couch (VetterPreferencesWindow *self,
            const VetterServices    *services)
{
  SoupMessage *message;

  if (services == NULL || !vetter_services_has_couch (services))
    {
      adw_action_row_set_subtitle (self->couch_test_row, _("Fill in the URL, user and password first"));
      return;
    }
  message = vetter_couch_message (services, "GET", NULL, NULL, NULL);
  if (message == NULL)
    {
      adw_action_row_set_subtitle (self->couch_test_row, _("The CouchDB URL is not valid"));
      return;
    }
  start_test (self, self->couch_test_row, self->couch_test_button, message, _("Connected: the database answers"),
              /* Translators: %s is the database's name */
              g_strdup_printf (_("Connected, but there is no database “%s” yet: an administrator's desktop creates it "
                                 "on first use"), services->couch_db));
}

/* Imagga's usage record: authenticated, and costs no tagging quota. */
static void
test_imagga (VetterPreferencesWindow *self,
             const VetterServices    *services)
{
  g_autofree char *url = NULL;
  SoupMessage *message;

  if (services == NULL || services->imagga_url == NULL || services->imagga_key == NULL ||
      services->imagga_secret == NULL)
    {
      adw_action_row_set_subtitle (self->imagga_test_row, _("Fill in the API key and secret first"));
      return;
    }
  url = g_strdup_printf ("%s/v2/usage", services->imagga_url);
  message = soup_message_new ("GET", url);
  if (message == NULL)
    {
      adw_action_row_set_subtitle (self->imagga_test_row, _("The Imagga API URL is not valid"));
      return;
    }
  vetter_http_set_basic_auth (message, services->imagga_key, services->imagga_secret);
  start_test (self, self->imagga_test_row, self->imagga_test_button, message,
              _("Connected: Imagga accepts the key"), NULL);
}

static void
on_test_clicked (VetterPreferencesWindow *self,
                 GtkButton               *button)
{
  const VetterServices *services = vetter_context_get_services (self->context);

  if (GTK_WIDGET (button) == self->s3_test_button)
    test_s3 (self, services);
  else if (GTK_WIDGET (button) == self->mail_test_button)
    test_mail (self, services);
  else if (GTK_WIDGET (button) == self->couch_test_button)
    test_couch (self, services);
  else
    test_imagga (self, services);
}

/* ---- GObject -------------------------------------------------------------- */

static void
vetter_preferences_window_dispose (GObject *object)
{
  VetterPreferencesWindow *self = VETTER_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->session)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);
  if (self->settings)
    g_signal_handlers_disconnect_by_func (self->settings, on_approve_tags_changed, self);
  g_clear_object (&self->settings);
  g_clear_object (&self->context);
  gtk_widget_dispose_template (GTK_WIDGET (self), VETTER_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (vetter_preferences_window_parent_class)->dispose (object);
}

static void
vetter_preferences_window_class_init (VetterPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vetter_preferences_window_dispose;

  vetter_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/vetter-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, style_row);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, blur_switch);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, workers_spin);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, compressed_quality_spin);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, square_width);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, square_height);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, portrait_width);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, portrait_height);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, landscape_width);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, landscape_height);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, crop_quality_spin);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, thumb_size_spin);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, thumb_quality_spin);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, approve_tags_row);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, confidence_spin);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, block_low_switch);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, block_medium_switch);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, block_high_switch);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, s3_test_row);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, s3_test_button);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, mail_test_row);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, mail_test_button);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, couch_test_row);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, couch_test_button);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, imagga_test_row);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, approval_group);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, imagga_test_button);
  /* Found by name (service_row ()), not kept in the struct. */
  for (guint i = 0; i < G_N_ELEMENTS (text_fields); i++)
    gtk_widget_class_bind_template_child_full (widget_class, text_fields[i].row, FALSE, 0);
  for (guint i = 0; i < G_N_ELEMENTS (secret_fields); i++)
    gtk_widget_class_bind_template_child_full (widget_class, secret_fields[i].row, FALSE, 0);
  gtk_widget_class_bind_template_callback (widget_class, on_approve_tags_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_service_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_test_clicked);
}

static void
vetter_preferences_window_init (VetterPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->session = g_object_new (SOUP_TYPE_SESSION, "timeout", 20, NULL);

  self->settings = vetter_config_get_settings ();
  if (self->settings == NULL)
    {
      /* Without the schema nothing could be kept: say so instead of
       * showing controls that silently do nothing. */
      gtk_widget_set_sensitive (GTK_WIDGET (self), FALSE);
      g_warning ("The settings schema %s is not installed", APP_ID);
      return;
    }

  g_settings_bind_with_mapping (self->settings, "color-scheme", self->style_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, get_color_scheme, set_color_scheme, NULL, NULL);
  g_settings_bind (self->settings, "blur-images", self->blur_switch, "active", G_SETTINGS_BIND_DEFAULT);
  bind_spin (self, "workers", self->workers_spin);
  bind_spin (self, "compressed-quality", self->compressed_quality_spin);
  bind_pair (self, "square-size", self->square_width, self->square_height);
  bind_pair (self, "portrait-size", self->portrait_width, self->portrait_height);
  bind_pair (self, "landscape-size", self->landscape_width, self->landscape_height);
  bind_spin (self, "crop-quality", self->crop_quality_spin);
  bind_spin (self, "thumb-size", self->thumb_size_spin);
  bind_spin (self, "thumb-quality", self->thumb_quality_spin);
  bind_spin (self, "approve-confidence", self->confidence_spin);
  bind_severity (self, self->block_low_switch, "low");
  bind_severity (self, self->block_medium_switch, "medium");
  bind_severity (self, self->block_high_switch, "high");
  show_approve_tags (self);
  g_signal_connect (self->settings, "changed::approve-tags", G_CALLBACK (on_approve_tags_changed), self);
  for (guint i = 0; i < G_N_ELEMENTS (text_fields); i++)
    {
      g_autofree char *value = g_settings_get_string (self->settings, text_fields[i].name);

      gtk_editable_set_text (service_row (self, text_fields[i].row), value);
    }
}

GtkWidget *
vetter_preferences_window_new (GtkWindow     *parent,
                               VetterContext *context)
{
  VetterPreferencesWindow *self;

  g_return_val_if_fail (VETTER_IS_CONTEXT (context), NULL);
  self = g_object_new (VETTER_TYPE_PREFERENCES_WINDOW, "transient-for", parent, "modal", parent != NULL, NULL);
  self->context = g_object_ref (context);
  if (self->settings)
    {
      show_service_states (self);
      /* The services read again (after a secret is kept or removed): the
       * titles follow. */
      g_signal_connect_object (context, "notify::sync", G_CALLBACK (show_service_states), self, G_CONNECT_SWAPPED);
    }
  return GTK_WIDGET (self);
}
