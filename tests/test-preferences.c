/* test-preferences.c: the preferences window, its keys, and their effect
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "couch-fixture.h"
#include "vetter-application.h"
#include "vetter-batch-object.h"
#include "vetter-config.h"
#include "vetter-preferences-window.h"
#include "vetter-test-util.h"
#include "vetter-window.h"

static VetterApplication *app;

static gpointer
child (gpointer    widget,
       const char *name)
{
  return gtk_widget_get_template_child (GTK_WIDGET (widget), VETTER_TYPE_PREFERENCES_WINDOW, name);
}

static void
test_controls_follow_keys (void)
{
  g_autoptr(GSettings) settings = vetter_config_get_settings ();
  GtkWidget *window = vetter_preferences_window_new (NULL, vetter_application_get_context (app));
  g_auto(GStrv) severities = NULL;
  g_auto(GStrv) tags = NULL;
  g_autofree char *scheme = NULL;
  int w, h;

  g_object_ref (window);
  gtk_window_present (GTK_WINDOW (window));

  /* Control to key. */
  gtk_spin_button_set_value (child (window, "workers_spin"), 3);
  g_assert_cmpint (g_settings_get_int (settings, "workers"), ==, 3);
  gtk_spin_button_set_value (child (window, "square_width"), 800);
  g_settings_get (settings, "square-size", "(ii)", &w, &h);
  g_assert_cmpint (w, ==, 800);
  g_assert_cmpint (h, ==, 1080);
  gtk_switch_set_active (child (window, "blur_switch"), TRUE);
  g_assert_true (g_settings_get_boolean (settings, "blur-images"));
  gtk_switch_set_active (child (window, "block_medium_switch"), TRUE);
  severities = g_settings_get_strv (settings, "blocking-severities");
  g_assert_cmpstrv (severities, ((const char *[]) { "medium", "high", NULL }));

  /* Tags are kept when applied, tidied. */
  gtk_editable_set_text (GTK_EDITABLE (child (window, "approve_tags_row")), " Car , Van,,");
  g_assert_cmpstrv ((tags = g_settings_get_strv (settings, "approve-tags")),
                    ((const char *[]) { "car", "motorcycle", "vehicle", NULL }));
  g_clear_pointer (&tags, g_strfreev);
  g_signal_emit_by_name (child (window, "approve_tags_row"), "apply");
  tags = g_settings_get_strv (settings, "approve-tags");
  g_assert_cmpstrv (tags, ((const char *[]) { "car", "van", NULL }));

  /* The style applies to the whole application at once. */
  adw_combo_row_set_selected (child (window, "style_row"), 2);
  scheme = g_settings_get_string (settings, "color-scheme");
  g_assert_cmpstr (scheme, ==, "dark");
  g_assert_cmpint (adw_style_manager_get_color_scheme (adw_style_manager_get_default ()), ==, ADW_COLOR_SCHEME_FORCE_DARK);

  /* Key to control. */
  g_settings_set_int (settings, "thumb-quality", 61);
  g_assert_cmpint ((int) gtk_spin_button_get_value (child (window, "thumb_quality_spin")), ==, 61);
  g_settings_set (settings, "landscape-size", "(ii)", 1280, 720);
  g_assert_cmpint ((int) gtk_spin_button_get_value (child (window, "landscape_height")), ==, 720);
  g_settings_set_strv (settings, "approve-tags", (const char *[]) { "truck", NULL });
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (window, "approve_tags_row"))), ==, "truck");

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);

  g_settings_reset (settings, "color-scheme");
  g_settings_reset (settings, "workers");
  g_settings_reset (settings, "square-size");
  g_settings_reset (settings, "landscape-size");
  g_settings_reset (settings, "thumb-quality");
  g_settings_reset (settings, "blur-images");
  g_settings_reset (settings, "blocking-severities");
  g_settings_reset (settings, "approve-tags");
}

static void
test_blur_softens_review (void)
{
  g_autoptr(GSettings) settings = vetter_config_get_settings ();
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  GtkWidget *page = GTK_WIDGET (vetter_window_get_review_page (window));

  g_assert_false (gtk_widget_has_css_class (page, "softened"));
  g_settings_set_boolean (settings, "blur-images", TRUE);
  g_assert_true (gtk_widget_has_css_class (page, "softened"));
  /* V reveals the current image without turning the option off. */
  gtk_widget_activate_action (page, "review.reveal", NULL);
  g_assert_true (gtk_widget_has_css_class (page, "revealed"));
  g_settings_set_boolean (settings, "blur-images", FALSE);
  g_assert_false (gtk_widget_has_css_class (page, "softened"));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A rule changed in the preferences decides the next batch: an approving
 * tag set to the colour of a plain green picture approves it. */
static void
test_rules_apply_to_new_work (void)
{
  g_autoptr(GSettings) settings = vetter_config_get_settings ();
  g_autofree char *dir = test_tmpdir ();
  g_autoptr(VetterPixels) pixels = test_flat (640, 480, 40, 170, 40);
  g_autofree char *path = test_write_jpeg (pixels, dir, "green.jpg", 90);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  const VetterBatchProgress *progress;

  g_settings_set_strv (settings, "approve-tags", (const char *[]) { "green", NULL });
  g_settings_set_strv (settings, "blocking-severities", (const char *[]) { NULL });
  g_settings_set_int (settings, "approve-confidence", 10);
  progress = vetter_engine_get_progress (vetter_window_get_engine (window), test_add_and_finish (window, file));
  g_assert_cmpint (progress->approved, ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
  g_settings_reset (settings, "approve-tags");
  g_settings_reset (settings, "blocking-severities");
  g_settings_reset (settings, "approve-confidence");
  test_remove_tree (dir);
}

static GtkEditable *
service_row (GtkWidget  *window,
             const char *name)
{
  return GTK_EDITABLE (child (window, name));
}

static void
apply (GtkWidget  *window,
       const char *name,
       const char *text)
{
  gtk_editable_set_text (service_row (window, name), text);
  g_signal_emit_by_name (service_row (window, name), "apply");
}

static gboolean
sync_has_secret (gpointer data)
{
  const VetterServices *services = vetter_context_get_services (vetter_application_get_context (data));
  return services->s3_secret_key && g_str_equal (services->s3_secret_key, "s3-secret-9f8e7d") &&
         vetter_context_get_sync (vetter_application_get_context (data)) != NULL;
}

static gboolean
tagger_has_secret (gpointer data)
{
  const VetterServices *services = vetter_context_get_services (vetter_application_get_context (data));

  return services->imagga_key && g_str_equal (services->imagga_key, "acc_0f3b2c") &&
         services->imagga_secret && g_str_equal (services->imagga_secret, "imagga-secret-77a1");
}

static gboolean
tagger_has_secret_text (gpointer data)
{
  const VetterServices *services = vetter_context_get_services (vetter_application_get_context (app));

  return services->imagga_secret && g_str_equal (services->imagga_secret, data);
}

static gboolean
subtitle_settled (gpointer data)
{
  const char *subtitle = adw_action_row_get_subtitle (data);

  return subtitle && !g_str_equal (subtitle, "Testing…") && !g_str_equal (subtitle, "Not tested yet");
}

/* The Services page: plain values to the settings, the secret to the
 * keyring only, the sender made from them, and a real test of the bucket. */
static void
test_services (void)
{
  g_autoptr(GSettings) settings = vetter_config_get_settings ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *endpoint = NULL;
  g_autoptr(GSubprocess) s3rver = NULL;
  g_auto(GStrv) keys = NULL;
  GtkWidget *window = vetter_preferences_window_new (NULL, vetter_application_get_context (app));
  AdwActionRow *s3_row = child (window, "s3_test_row");
  AdwActionRow *mail_row = child (window, "mail_test_row");
  int port = test_free_port ();

  s3rver = test_start_s3rver (dir, port);
  endpoint = g_strdup_printf ("http://127.0.0.1:%d/", port);
  gtk_window_present (GTK_WINDOW (window));

  apply (window, "s3_endpoint_row", endpoint);
  apply (window, "s3_bucket_row", " vetter ");
  apply (window, "s3_access_row", "S3RVER");
  apply (window, "s3_secret_row", "s3-secret-9f8e7d");
  g_assert_cmpstr (gtk_editable_get_text (service_row (window, "s3_secret_row")), ==, "");
  test_wait_until (sync_has_secret, app);
  /* The row stays empty, its title says a secret is kept. */
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child (window, "s3_secret_row"))), ==,
                   "Secret Key (kept in the keyring)");
  apply (window, "imagga_key_row", "acc_0f3b2c");
  apply (window, "imagga_secret_row", "imagga-secret-77a1");
  test_wait_until (tagger_has_secret, app);
  {
    g_autofree char *bucket = g_settings_get_string (settings, "s3-bucket");
    g_assert_cmpstr (bucket, ==, "vetter");
  }

  /* The secret is in no setting. */
  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i]; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_value (settings, keys[i]);
      g_autofree char *text = g_variant_print (value, FALSE);

      g_assert_null (strstr (text, "s3-secret-9f8e7d"));
      g_assert_null (strstr (text, "imagga-secret-77a1"));
    }

  /* A real request to a real S3 server, signed with what was kept. */
  g_signal_emit_by_name (child (window, "s3_test_button"), "clicked");
  test_wait_until (subtitle_settled, s3_row);
  g_assert_cmpstr (adw_action_row_get_subtitle (s3_row), ==, "Connected: the bucket answers");

  g_signal_emit_by_name (child (window, "mail_test_button"), "clicked");
  g_assert_cmpstr (adw_action_row_get_subtitle (mail_row), ==, "Fill in the domain, sender and API key first");

  gtk_window_destroy (GTK_WINDOW (window));
  g_subprocess_force_exit (s3rver);
  g_subprocess_wait (s3rver, NULL, NULL);
  test_remove_tree (dir);
}

/* Imagga's documented usage endpoint, as a loopback stand-in: Basic
 * authentication with the key and secret, 401 otherwise. */
static void
handle_imagga (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");
  g_autofree char *expected = NULL;
  g_autofree char *pair = g_base64_encode ((const guchar *) "acc_0f3b2c:imagga-secret-77a1", 29);

  expected = g_strconcat ("Basic ", pair, NULL);
  if (g_strcmp0 (path, "/v2/usage") != 0 || g_strcmp0 (soup_server_message_get_method (msg), "GET") != 0)
    {
      soup_server_message_set_status (msg, 404, NULL);
      return;
    }
  if (g_strcmp0 (auth, expected) != 0)
    {
      soup_server_message_set_status (msg, 401, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        "{\"status\":{\"type\":\"error\",\"text\":\"Unauthorized\"}}", 50);
      return;
    }
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                    "{\"result\":{\"monthly_limit\":1000}}", 33);
}

static gboolean
couch_password_is (gpointer data)
{
  const VetterServices *services = vetter_context_get_services (vetter_application_get_context (app));

  return services->couch_password && g_str_equal (services->couch_password, data);
}

static const char *
run_test (GtkWidget  *window,
          const char *button,
          const char *row)
{
  g_signal_emit_by_name (child (window, button), "clicked");
  test_wait_until (subtitle_settled, child (window, row));
  return adw_action_row_get_subtitle (child (window, row));
}

/* The shared database's Test, as a moderator meets it: a wrong password,
 * a database not created yet, then one that answers; Imagga's Test with
 * its key and secret. */
static void
test_database_and_tagger (void)
{
  g_autofree char *couch_url = NULL;
  g_autofree char *imagga_url = NULL;
  g_autoptr(SoupServer) imagga = soup_server_new (NULL, NULL);
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = vetter_config_get_settings ();
  GtkWidget *window = vetter_preferences_window_new (NULL, vetter_application_get_context (app));
  Fixture f = { 0 };
  GSList *uris;

  fixture_set_up (&f, NULL);
  soup_server_add_handler (imagga, NULL, handle_imagga, NULL, NULL);
  g_assert_true (soup_server_listen_local (imagga, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  uris = soup_server_get_uris (imagga);
  imagga_url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  gtk_window_present (GTK_WINDOW (window));

  g_assert_cmpstr (run_test (window, "couch_test_button", "couch_test_row"), ==,
                   "Fill in the URL, user and password first");
  couch_url = g_strdup_printf ("http://127.0.0.1:%d", f.couch_port);
  apply (window, "couch_url_row", couch_url);
  apply (window, "couch_user_row", "ana");
  apply (window, "couch_password_row", "not-her-password");
  test_wait_until (couch_password_is, (gpointer) "not-her-password");
  g_assert_nonnull (strstr (run_test (window, "couch_test_button", "couch_test_row"), "The server answered 401"));

  apply (window, "couch_password_row", ANA_PASSWORD);
  test_wait_until (couch_password_is, (gpointer) ANA_PASSWORD);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child (window, "couch_password_row"))), ==,
                   "Password (kept in the keyring)");
  g_assert_cmpstr (run_test (window, "couch_test_button", "couch_test_row"), ==,
                   "Connected, but there is no database “vetter” yet: an administrator's desktop creates it on "
                   "first use");
  created = as_admin (&f, "PUT", "vetter", NULL, 201);
  g_assert_cmpstr (run_test (window, "couch_test_button", "couch_test_row"), ==, "Connected: the database answers");

  apply (window, "imagga_url_row", imagga_url);
  apply (window, "imagga_key_row", "acc_0f3b2c");
  apply (window, "imagga_secret_row", "wrong-secret");
  test_wait_until (tagger_has_secret_text, (gpointer) "wrong-secret");
  g_assert_nonnull (strstr (run_test (window, "imagga_test_button", "imagga_test_row"), "The server answered 401"));
  apply (window, "imagga_secret_row", "imagga-secret-77a1");
  test_wait_until (tagger_has_secret_text, (gpointer) "imagga-secret-77a1");
  g_assert_cmpstr (run_test (window, "imagga_test_button", "imagga_test_row"), ==, "Connected: Imagga accepts the key");

  gtk_window_destroy (GTK_WINDOW (window));
  soup_server_disconnect (imagga);
  /* The application's feed was pointed at this database: leave it be. */
  g_settings_reset (settings, "couchdb-url");
  fixture_tear_down (&f, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *db_dir = NULL;
  int status;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  app = test_start_application (&db_dir);

  g_test_add_func ("/preferences/controls-follow-keys", test_controls_follow_keys);
  g_test_add_func ("/preferences/blur-softens-review", test_blur_softens_review);
  g_test_add_func ("/preferences/rules-apply-to-new-work", test_rules_apply_to_new_work);
  g_test_add_func ("/preferences/services", test_services);
  g_test_add_func ("/preferences/database-and-tagger", test_database_and_tagger);

  status = g_test_run ();
  g_clear_object (&app);
  test_remove_tree (db_dir);
  return status;
}
