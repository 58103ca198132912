/* test-outbox-window.c: decisions become mail, uploads name the output
 *
 * The application reads a Mailgun configuration pointing at a loopback
 * SoupServer that first refuses the key (401) and later accepts it, and an
 * S3 configuration pointing at s3rver. A moderator approves two ads and
 * takes the second decision back at once: the first mail is parked with
 * its reason, shown in the header's indicator and its popover; "Try Again
 * Now" sends it; the second never goes. A CSV of products dropped on the
 * window ends with an output CSV naming the uploaded copies.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "vetter-application.h"
#include "vetter-batch-object.h"
#include "vetter-test-util.h"
#include "vetter-window.h"

static SoupServer *api;
static int s3_port;
static gboolean accepting;
static GPtrArray *delivered;   /* "to" of every accepted mail */
static guint refused;

static void
handle (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(SoupMultipart) form = soup_multipart_new_from_message (headers, body);

  if (!accepting || form == NULL)
    {
      refused++;
      soup_server_message_set_status (msg, 401, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "Forbidden", 9);
      return;
    }
  for (int i = 0; i < soup_multipart_get_length (form); i++)
    {
      SoupMessageHeaders *part_headers;
      GBytes *part;
      g_autoptr(GHashTable) params = NULL;
      g_autofree char *disposition = NULL;

      soup_multipart_get_part (form, i, &part_headers, &part);
      if (soup_message_headers_get_content_disposition (part_headers, &disposition, &params) &&
          g_strcmp0 (g_hash_table_lookup (params, "name"), "to") == 0)
        g_ptr_array_add (delivered, g_strndup (g_bytes_get_data (part, NULL), g_bytes_get_size (part)));
    }
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                    "{\"message\": \"Queued. Thank you.\"}", 33);
}

static gboolean
one_parked (gpointer data)
{
  const VetterOutboxCounts *counts = vetter_sync_get_counts (data);

  return counts->parked == 1 && counts->pending == 0;
}

static gboolean
all_sent (gpointer data)
{
  const VetterOutboxCounts *counts = vetter_sync_get_counts (data);

  return counts->parked == 0 && counts->pending == 0 && delivered->len == 1;
}

static gboolean
parked_listed (gpointer data)
{
  return gtk_list_box_get_row_at_index (data, 0) != NULL;
}

static gboolean
has_sync (gpointer data)
{
  return vetter_context_get_sync (vetter_application_get_context (data)) != NULL;
}

static void
test_decisions_become_mail (VetterApplication *app)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *csv = g_build_filename (dir, "ads.csv", NULL);
  g_autoptr(GString) text = g_string_new ("email,image,title\n");
  g_autoptr(GFile) file = NULL;
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
  VetterReviewPage *page = vetter_window_get_review_page (window);
  VetterSync *sync;
  GtkMenuButton *button = GTK_MENU_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (window), VETTER_TYPE_WINDOW, "sync_button"));
  GtkListBox *parked = GTK_LIST_BOX (gtk_widget_get_template_child (GTK_WIDGET (window), VETTER_TYPE_WINDOW, "parked_list"));
  gint64 first;

  /* The services are read (the keyring asynchronously) after start-up. */
  test_wait_until (has_sync, app);
  sync = vetter_context_get_sync (vetter_application_get_context (app));
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(VetterPixels) pixels = test_textured (640, 480, i + 11);
      g_autofree char *name = g_strdup_printf ("ad-%u.jpg", i);
      g_autofree char *path = test_write_jpeg (pixels, dir, name, 90);

      g_string_append_printf (text, "seller%u@example.com,%s,Car %u\n", i, name, i);
    }
  g_assert_true (g_file_set_contents (csv, text->str, -1, NULL));
  file = g_file_new_for_path (csv);

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (button)));
  test_add_and_finish (window, file);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "review");
  test_wait_until (test_item_shown, page);
  first = vetter_review_page_get_current_item (page);

  /* Approve both; take the second back before its mail is due. */
  test_spin (300);
  gtk_widget_activate_action (GTK_WIDGET (page), "review.approve", NULL);
  g_assert_cmpint (vetter_review_page_get_current_item (page), !=, first);
  test_spin (300);
  gtk_widget_activate_action (GTK_WIDGET (page), "review.approve", NULL);
  test_spin (300);
  gtk_widget_activate_action (GTK_WIDGET (page), "review.undo", NULL);

  /* The first mail is refused and parked; the indicator says so. */
  test_wait_until (one_parked, sync);
  g_assert_cmpstr (gtk_menu_button_get_icon_name (button), ==, "dialog-warning-symbolic");
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (GTK_WIDGET (button)), "could not be sent"));
  gtk_menu_button_popup (button);
  test_wait_until (parked_listed, parked);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (gtk_list_box_get_row_at_index (parked, 0))),
                           "HTTP 401"));
  g_assert_cmpuint (refused, ==, 1);

  /* Fixed on the server's side, tried again by hand: sent, once. */
  accepting = TRUE;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.retry-sync", NULL));
  test_wait_until (all_sent, sync);
  g_assert_cmpstr (delivered->pdata[0], ==, "seller0@example.com");
  g_assert_cmpstr (gtk_menu_button_get_icon_name (button), ==, "emblem-ok-symbolic");

  /* The undone decision's mail never went, even after its time. */
  test_spin (2500);
  g_assert_cmpuint (delivered->len, ==, 1);
  g_assert_cmpuint (refused, ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
  test_remove_tree (dir);
}

static gboolean
nothing_pending (gpointer data)
{
  const VetterOutboxCounts *counts = vetter_sync_get_counts (data);

  return counts->pending == 0 && counts->done > 0;
}

/* For test_wait_until: the output CSV's first row names uploaded copies. */
static gboolean
csv_names_uploads (gpointer data)
{
  g_autofree char *text = NULL;

  guint named = 0;

  /* Both rows: the file is written again as the last uploads come in. */
  if (!g_file_get_contents (data, &text, NULL, NULL))
    return FALSE;
  for (const char *p = strstr (text, "/vetter/ads/"); p; p = strstr (p + 1, "/vetter/ads/"))
    named++;
  return named >= 2;
}

/* A window's batch, like a headless one, ends with an output CSV that
 * names the uploaded copies once the last of them is in. */
static void
test_output_csv_names_uploads (VetterApplication *app)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *csv = g_build_filename (dir, "shoes.csv", NULL);
  g_autofree char *output = g_build_filename (g_get_user_data_dir (), "vetter", "output", "shoes-output.csv", NULL);
  g_autofree char *prefix = g_strdup_printf ("http://127.0.0.1:%d/vetter/ads/", s3_port);
  g_autoptr(GString) text = g_string_new ("S. No.,Product Name,Input Image Urls\n");
  g_autoptr(GFile) file = NULL;
  g_autofree char *written = NULL;
  g_auto(GStrv) lines = NULL;
  VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));

  test_wait_until (has_sync, app);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(VetterPixels) pixels = test_textured (640, 480, i + 21);
      g_autofree char *name = g_strdup_printf ("shoe-%u.jpg", i);
      g_autofree char *path = test_write_jpeg (pixels, dir, name, 90);

      g_string_append_printf (text, "%u,Shoe %u,%s\n", i + 1, i + 1, name);
    }
  g_assert_true (g_file_set_contents (csv, text->str, -1, NULL));
  file = g_file_new_for_path (csv);
  g_unlink (output);

  gtk_window_present (GTK_WINDOW (window));
  test_add_and_finish (window, file);
  test_wait_until (nothing_pending, vetter_context_get_sync (vetter_application_get_context (app)));
  test_wait_until (csv_names_uploads, output);

  g_assert_true (g_file_get_contents (output, &written, NULL, NULL));
  lines = g_strsplit (written, "\r\n", -1);
  g_assert_cmpstr (lines[0], ==, "S. No.,Product Name,Input Image Urls,Output Image Urls");
  for (guint i = 1; i <= 2; i++)
    {
      g_auto(GStrv) cells = g_strsplit (lines[i], ",", -1);

      g_assert_cmpuint (g_strv_length (cells), ==, 4);
      g_assert_true (g_str_has_prefix (cells[3], prefix));
      g_assert_true (g_str_has_suffix (cells[3], "-compressed.jpg"));
    }
  gtk_window_destroy (GTK_WINDOW (window));
  test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *db_dir = NULL;
  g_autofree char *base = NULL;
  g_autoptr(VetterApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *s3_dir = test_tmpdir ();
  g_autofree char *s3_endpoint = NULL;
  g_autoptr(GSubprocess) s3rver = NULL;
  GSList *uris;
  int status;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  delivered = g_ptr_array_new_with_free_func (g_free);
  api = soup_server_new (NULL, NULL);
  soup_server_add_handler (api, "/v3/mg.example.org/messages", handle, NULL, NULL);
  g_assert_true (soup_server_listen_local (api, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  uris = soup_server_get_uris (api);
  base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  /* As a headless run would have them; read once, at start-up. */
  g_setenv ("VETTER_MAILGUN_URL", base, TRUE);
  g_setenv ("VETTER_MAILGUN_DOMAIN", "mg.example.org", TRUE);
  g_setenv ("VETTER_MAILGUN_KEY", "key-not-yet-valid", TRUE);
  g_setenv ("VETTER_MAIL_FROM", "Ads team <ads@example.org>", TRUE);
  g_setenv ("VETTER_MAIL_DELAY", "2", TRUE);
  s3_port = test_free_port ();
  s3rver = test_start_s3rver (s3_dir, s3_port);
  s3_endpoint = g_strdup_printf ("http://127.0.0.1:%d", s3_port);
  g_setenv ("VETTER_S3_ENDPOINT", s3_endpoint, TRUE);
  g_setenv ("VETTER_S3_REGION", "us-east-1", TRUE);
  g_setenv ("VETTER_S3_BUCKET", "vetter", TRUE);
  g_setenv ("VETTER_S3_ACCESS_KEY", "S3RVER", TRUE);
  g_setenv ("VETTER_S3_SECRET_KEY", "S3RVER", TRUE);
  app = test_start_application (&db_dir);

  g_test_add_data_func ("/outbox-window/decisions-become-mail", app, (GTestDataFunc) test_decisions_become_mail);
  g_test_add_data_func ("/outbox-window/output-csv-names-uploads", app, (GTestDataFunc) test_output_csv_names_uploads);
  status = g_test_run ();
  g_subprocess_force_exit (s3rver);
  g_subprocess_wait (s3rver, NULL, NULL);
  test_remove_tree (s3_dir);
  g_clear_object (&app);
  g_clear_object (&api);
  g_ptr_array_unref (delivered);
  test_remove_tree (db_dir);
  return status;
}
