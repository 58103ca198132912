/* test-sync.c: the outbox against real servers: s3rver, and Mailgun's API
 *
 * s3rver (npm, started here on a loopback port) stands for S3. Mailgun is
 * a paid API, so a loopback SoupServer answers for it as its documentation
 * says: Basic auth api:KEY or 401, the form fields it requires or 400,
 * and, once, 429 with Retry-After. The same server receives the batch
 * callbacks and checks their Standard Webhooks signatures. `vetter batch`
 * runs as the real binary.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sqlite3.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "vetter-engine.h"
#include "vetter-s3.h"
#include "vetter-store.h"
#include "vetter-sync.h"
#include "vetter-test-util.h"

#define PHOTOS "/usr/share/backgrounds/mate/nature"
#define MAIL_KEY "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"
#define S3_SECRET "S3RVER"
#define WEBHOOK_KEY "c2VjcmV0LWtleS1mb3ItdmV0dGVyLXRlc3Rz"

typedef struct
{
  char        *dir;
  char        *s3_dir;
  int          s3_port;
  GSubprocess *s3rver;
  SoupServer  *api;
  int          api_port;
  GPtrArray   *mail_ids;       /* Message-Id of every accepted mail request */
  GPtrArray   *mail_bodies;    /* the text field of each */
  GPtrArray   *webhook_ids;
  guint        mail_requests;
  gboolean     answer_429_once;
  gboolean     drop_after_429;  /* close the connection the 429 kept alive, at the next mail */
  gboolean     drop_next_mail;
  guint        mail_dropped;
  GPtrArray   *webhook_errors;
  guint        imagga_requests;
  void       (*during_run) (gpointer f);   /* called often while `vetter batch` runs */
  gint64       stopped_at;                 /* when during_run stopped s3rver; 0: not yet */
  gboolean     restarted;
  gboolean     imagga_429_once;
  const char  *imagga_key;     /* what `vetter batch` is given; NULL: no tagger */
  int          proxy_port;     /* when set, `vetter batch` talks to S3 through it */
  GSubprocess *running;        /* the `vetter batch` of run_batch, while it runs */
  gint64       kill_at;        /* when during_run kills it (monotonic µs); 0: never */
  const char  *kill_on;        /* "mail", "callback", "upload": kill as that arrives */
} Fixture;

/* ---- The loopback API ----------------------------------------------------- */

static void
answer_json (SoupServerMessage *msg,
             guint              status,
             const char        *json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json, strlen (json));
}

static void
handle_mail (Fixture           *f,
             SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *auth = soup_message_headers_get_one (headers, "Authorization");
  g_autofree char *expected = NULL;
  g_autofree char *credentials = g_base64_encode ((const guchar *) "api:" MAIL_KEY, strlen ("api:" MAIL_KEY));
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(SoupMultipart) form = NULL;
  g_autoptr(GHashTable) fields = NULL;
  const char *required[] = { "from", "to", "subject", "text", "h:Message-Id", NULL };

  f->mail_requests++;
  if (f->drop_next_mail)
    {
      /* As a server closing an idle kept-alive connection just as the
       * request arrives. */
      GIOStream *stream = soup_server_message_steal_connection (msg);

      f->drop_next_mail = FALSE;
      f->mail_dropped++;
      g_io_stream_close (stream, NULL, NULL);
      g_object_unref (stream);
      return;
    }
  expected = g_strconcat ("Basic ", credentials, NULL);
  if (g_strcmp0 (auth, expected) != 0)
    {
      answer_json (msg, 401, "Forbidden");
      return;
    }
  form = soup_multipart_new_from_message (headers, bytes);
  if (form == NULL)
    {
      answer_json (msg, 400, "{\"message\": \"not a form\"}");
      return;
    }
  fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (int i = 0; i < soup_multipart_get_length (form); i++)
    {
      SoupMessageHeaders *part_headers;
      GBytes *part;
      g_autoptr(GHashTable) params = NULL;
      char *disposition = NULL;

      soup_multipart_get_part (form, i, &part_headers, &part);
      if (soup_message_headers_get_content_disposition (part_headers, &disposition, &params))
        g_hash_table_insert (fields, g_strdup (g_hash_table_lookup (params, "name")),
                             g_strndup (g_bytes_get_data (part, NULL), g_bytes_get_size (part)));
      g_free (disposition);
    }
  for (guint i = 0; required[i]; i++)
    if (!g_hash_table_contains (fields, required[i]))
      {
        g_autofree char *answer = g_strdup_printf ("{\"message\": \"'%s' parameter is missing\"}", required[i]);
        answer_json (msg, 400, answer);
        return;
      }
  if (f->answer_429_once)
    {
      f->answer_429_once = FALSE;
      f->drop_next_mail = f->drop_after_429;
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "1");
      answer_json (msg, 429, "{\"message\": \"Too many requests\"}");
      return;
    }
  if (g_strcmp0 (f->kill_on, "mail") == 0)
    f->kill_at = g_get_monotonic_time ();
  g_ptr_array_add (f->mail_ids, g_strdup (g_hash_table_lookup (fields, "h:Message-Id")));
  g_ptr_array_add (f->mail_bodies, g_strdup_printf ("%s|%s|%s", (char *) g_hash_table_lookup (fields, "to"),
                                                    (char *) g_hash_table_lookup (fields, "subject"),
                                                    (char *) g_hash_table_lookup (fields, "text")));
  answer_json (msg, 200, "{\"id\": \"<20261121.1@example.org>\", \"message\": \"Queued. Thank you.\"}");
}

static void
handle_webhook (Fixture           *f,
                SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *id = soup_message_headers_get_one (headers, "webhook-id");
  const char *timestamp = soup_message_headers_get_one (headers, "webhook-timestamp");
  const char *signature = soup_message_headers_get_one (headers, "webhook-signature");
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autofree guchar *key = NULL;
  g_autofree char *to_sign = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *encoded = NULL;
  g_autoptr(GHmac) mac = NULL;
  guint8 digest[32];
  gsize key_len, digest_len = sizeof digest;

  /* Checked independently of Vetter's own signer, as a receiver would. */
  key = g_base64_decode (WEBHOOK_KEY, &key_len);
  to_sign = g_strdup_printf ("%s.%s.%.*s", id ? id : "", timestamp ? timestamp : "",
                             (int) g_bytes_get_size (body), (const char *) g_bytes_get_data (body, NULL));
  mac = g_hmac_new (G_CHECKSUM_SHA256, key, key_len);
  g_hmac_update (mac, (const guchar *) to_sign, -1);
  g_hmac_get_digest (mac, digest, &digest_len);
  encoded = g_base64_encode (digest, digest_len);
  expected = g_strconcat ("v1,", encoded, NULL);
  if (g_strcmp0 (signature, expected) != 0)
    {
      g_ptr_array_add (f->webhook_errors, g_strdup_printf ("bad signature %s", signature));
      answer_json (msg, 401, "{}");
      return;
    }
  if (strstr (g_bytes_get_data (body, NULL), "\"batch.completed\"") == NULL)
    g_ptr_array_add (f->webhook_errors, g_strdup ("not a batch.completed event"));
  if (g_strcmp0 (f->kill_on, "callback") == 0)
    f->kill_at = g_get_monotonic_time ();
  g_ptr_array_add (f->webhook_ids, g_strdup (id));
  answer_json (msg, 204, "");
}

#define IMAGGA_KEY "acc_0f3b2c"
#define IMAGGA_SECRET "imagga-secret-77a1"

/* As Imagga's /v2/tags answers: Basic key:secret, an uploaded image, tags
 * with confidences from 0 to 100; once, 429 with Retry-After. */
static void
handle_imagga (Fixture           *f,
               SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autofree char *credentials = g_base64_encode ((const guchar *) IMAGGA_KEY ":" IMAGGA_SECRET,
                                                  strlen (IMAGGA_KEY ":" IMAGGA_SECRET));
  g_autofree char *expected = g_strconcat ("Basic ", credentials, NULL);
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(SoupMultipart) form = soup_multipart_new_from_message (headers, body);
  SoupMessageHeaders *part_headers;
  GBytes *part = NULL;

  f->imagga_requests++;
  if (g_strcmp0 (soup_message_headers_get_one (headers, "Authorization"), expected) != 0)
    {
      answer_json (msg, 401, "{\"status\": {\"text\": \"Invalid credentials\", \"type\": \"error\"}}");
      return;
    }
  if (form == NULL || soup_multipart_get_length (form) != 1 || !soup_multipart_get_part (form, 0, &part_headers, &part) ||
      g_bytes_get_size (part) < 2 || memcmp (g_bytes_get_data (part, NULL), "\xff\xd8", 2) != 0)
    {
      answer_json (msg, 400, "{\"status\": {\"text\": \"No image given\", \"type\": \"error\"}}");
      return;
    }
  if (f->imagga_429_once)
    {
      f->imagga_429_once = FALSE;
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "1");
      answer_json (msg, 429, "{\"status\": {\"text\": \"Too many requests\", \"type\": \"error\"}}");
      return;
    }
  answer_json (msg, 200, "{\"result\": {\"tags\": [{\"confidence\": 87.3, \"tag\": {\"en\": \"car\"}},"
                         " {\"confidence\": 41.0, \"tag\": {\"en\": \"vehicle\"}},"
                         " {\"confidence\": 2.5, \"tag\": {\"en\": \"noise\"}}]},"
                         " \"status\": {\"text\": \"\", \"type\": \"success\"}}");
}

static void
handle (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  Fixture *f = user_data;

  if (g_str_equal (path, "/v3/mg.example.org/messages") && g_str_equal (soup_server_message_get_method (msg), "POST"))
    handle_mail (f, msg);
  else if (g_str_equal (path, "/hook"))
    handle_webhook (f, msg);
  else if (g_str_equal (path, "/v2/tags") && g_str_equal (soup_server_message_get_method (msg), "POST"))
    handle_imagga (f, msg);
  else
    answer_json (msg, 404, "{\"message\": \"not found\"}");
}

/* ---- s3rver --------------------------------------------------------------- */

static void
start_s3rver (Fixture *f)
{
  f->s3rver = test_start_s3rver (f->s3_dir, f->s3_port);
}

static void
stop_s3rver (Fixture *f)
{
  if (f->s3rver == NULL)
    return;
  g_subprocess_force_exit (f->s3rver);
  g_subprocess_wait (f->s3rver, NULL, NULL);
  g_clear_object (&f->s3rver);
}

static VetterServices *
services (Fixture *f)
{
  VetterServices *s = g_new0 (VetterServices, 1);

  s->s3_endpoint = g_strdup_printf ("http://127.0.0.1:%d", f->s3_port);
  s->s3_region = g_strdup ("us-east-1");
  s->s3_bucket = g_strdup ("vetter");
  s->s3_access_key = g_strdup ("S3RVER");
  s->s3_secret_key = g_strdup (S3_SECRET);
  s->s3_path_style = TRUE;
  return s;
}

/* Every key in the bucket, read with Vetter's own ListObjectsV2, a page of
 * 7 at a time so that continuation is exercised. */
static GPtrArray *
list_bucket (Fixture *f)
{
  g_autoptr(VetterServices) s = services (f);
  g_autoptr(VetterS3) s3 = vetter_s3_new (s);
  g_autoptr(SoupSession) session = soup_session_new ();
  GPtrArray *all = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *token = NULL;

  do
    {
      const char *query[] = { "list-type", "2", "max-keys", "7", token ? "continuation-token" : NULL, token, NULL };
      g_autoptr(SoupMessage) message = vetter_s3_message (s3, "GET", NULL, query, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) body = soup_session_send_and_read (session, message, NULL, &error);
      g_autoptr(GPtrArray) keys = NULL;
      char *next = NULL;

      g_assert_no_error (error);
      g_assert_cmpuint (soup_message_get_status (message), ==, 200);
      keys = vetter_s3_parse_listing (body, &next, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < keys->len; i++)
        g_ptr_array_add (all, g_strdup (keys->pdata[i]));
      g_free (token);
      token = next;
    }
  while (token != NULL);
  return all;
}

/* ---- Running the binary --------------------------------------------------- */

typedef struct
{
  gboolean done;
  int      status;
} Exit;

static void
on_exited (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Exit *exit = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  /* -1: killed. */
  exit->status = g_subprocess_get_if_exited (G_SUBPROCESS (source)) ? g_subprocess_get_exit_status (G_SUBPROCESS (source)) : -1;
  exit->done = TRUE;
}

static gboolean
exited (gpointer data)
{
  return ((Exit *) data)->done;
}

static gboolean
keep_ticking (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs `vetter batch --db DIR/vetter.db -o DIR/out ARGS…` with the
 * services' environment, the loopback API serving meanwhile. */
static int
run_batch (Fixture             *f,
           const char          *mail_key,
           const char          *access_key,
           guint                wait,
           const char * const  *args,
           char               **err_text)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *err_path = g_build_filename (f->dir, "stderr.txt", NULL);
  g_autofree char *out_path = g_build_filename (f->dir, "stdout.json", NULL);
  g_autofree char *endpoint = g_strdup_printf ("http://127.0.0.1:%d", f->proxy_port ? f->proxy_port : f->s3_port);
  g_autofree char *api = g_strdup_printf ("http://127.0.0.1:%d", f->api_port);
  g_autofree char *wait_text = g_strdup_printf ("%u", wait);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  Exit exit = { 0 };

  g_ptr_array_add (argv, g_strdup (g_getenv ("VETTER_BINARY")));
  g_ptr_array_add (argv, g_strdup ("batch"));
  g_ptr_array_add (argv, g_strdup ("--db"));
  g_ptr_array_add (argv, g_build_filename (f->dir, "vetter.db", NULL));
  g_ptr_array_add (argv, g_strdup ("-o"));
  g_ptr_array_add (argv, g_build_filename (f->dir, "out", NULL));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_setenv (launcher, "VETTER_S3_ENDPOINT", endpoint, TRUE);
  g_subprocess_launcher_setenv (launcher, "VETTER_S3_BUCKET", "vetter", TRUE);
  g_subprocess_launcher_setenv (launcher, "VETTER_S3_ACCESS_KEY", access_key, TRUE);
  g_subprocess_launcher_setenv (launcher, "VETTER_S3_SECRET_KEY", S3_SECRET, TRUE);
  g_subprocess_launcher_setenv (launcher, "VETTER_MAILGUN_URL", api, TRUE);
  g_subprocess_launcher_setenv (launcher, "VETTER_MAILGUN_DOMAIN", "mg.example.org", TRUE);
  g_subprocess_launcher_setenv (launcher, "VETTER_MAILGUN_KEY", mail_key, TRUE);
  g_subprocess_launcher_setenv (launcher, "VETTER_MAIL_FROM", "Ads team <ads@example.org>", TRUE);
  g_subprocess_launcher_setenv (launcher, "VETTER_WEBHOOK_SECRET", "whsec_" WEBHOOK_KEY, TRUE);
  g_subprocess_launcher_setenv (launcher, "VETTER_SYNC_RETRY_MS", "100", TRUE);
  g_subprocess_launcher_setenv (launcher, "VETTER_SYNC_WAIT", wait_text, TRUE);
  if (f->imagga_key)
    {
      g_subprocess_launcher_setenv (launcher, "VETTER_IMAGGA_URL", api, TRUE);
      g_subprocess_launcher_setenv (launcher, "VETTER_IMAGGA_KEY", f->imagga_key, TRUE);
      g_subprocess_launcher_setenv (launcher, "VETTER_IMAGGA_SECRET", IMAGGA_SECRET, TRUE);
    }
  g_subprocess_launcher_set_stdout_file_path (launcher, out_path);
  g_subprocess_launcher_set_stderr_file_path (launcher, err_path);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  f->running = process;
  g_subprocess_wait_async (process, NULL, on_exited, &exit);
  if (f->during_run)
    {
      /* Wakes the loop often enough to watch the run. */
      guint tick = g_timeout_add (20, keep_ticking, NULL);

      while (!exited (&exit))
        {
          g_main_context_iteration (NULL, TRUE);
          f->during_run (f);
        }
      g_source_remove (tick);
    }
  else
    test_wait_until (exited, &exit);
  f->running = NULL;
  g_assert_true (g_file_get_contents (err_path, err_text, NULL, NULL));
  return exit.status;
}

static char *
write_inputs (Fixture *f)
{
  g_autofree char *products = g_build_filename (f->dir, "cars.csv", NULL);
  g_autofree char *ads = g_build_filename (f->dir, "ads.csv", NULL);
  g_autofree char *broken = g_build_filename (f->dir, "broken.jpg", NULL);
  g_autofree char *text = NULL;

  g_assert_true (g_file_set_contents (broken, "this is no JPEG", -1, NULL));
  text = g_strdup_printf ("S. No.,Product Name,Input Image Urls\n"
                          "1,Meadow,\"%s/GreenMeadow.jpg, %s/Storm.jpg\"\n", PHOTOS, PHOTOS);
  g_assert_true (g_file_set_contents (products, text, -1, NULL));
  g_free (text);
  text = g_strdup_printf ("email,image,title\nseller0@example.com,%s/Dune.jpg,Dune buggy\n"
                          "seller1@example.com,%s,Broken bike\n", PHOTOS, broken);
  g_assert_true (g_file_set_contents (ads, text, -1, NULL));
  return g_steal_pointer (&products);
}

static gboolean
contains_bytes (const char *data,
                gsize       len,
                const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; data && i + n <= len; i++)
    if (memcmp (data + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

static void
assert_no_secret (Fixture    *f,
                  const char *err_text)
{
  g_autofree char *db_path = g_build_filename (f->dir, "vetter.db", NULL);
  g_autofree char *db = NULL;
  g_autofree char *wal_path = g_strconcat (db_path, "-wal", NULL);
  g_autofree char *wal = NULL;
  gsize db_len = 0, wal_len = 0;
  const char *secrets[] = { MAIL_KEY, WEBHOOK_KEY, "whsec_", NULL };

  g_assert_true (g_file_get_contents (db_path, &db, &db_len, NULL));
  g_file_get_contents (wal_path, &wal, &wal_len, NULL);
  for (guint i = 0; secrets[i]; i++)
    {
      g_assert_null (g_strstr_len (err_text, -1, secrets[i]));
      g_assert_false (contains_bytes (db, db_len, secrets[i]));
      g_assert_false (contains_bytes (wal, wal_len, secrets[i]));
    }
}

/* ---- Fixture -------------------------------------------------------------- */

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  f->dir = test_tmpdir ();
  f->s3_dir = g_build_filename (f->dir, "s3", NULL);
  g_mkdir_with_parents (f->s3_dir, 0700);
  f->s3_port = test_free_port ();
  f->mail_ids = g_ptr_array_new_with_free_func (g_free);
  f->mail_bodies = g_ptr_array_new_with_free_func (g_free);
  f->webhook_ids = g_ptr_array_new_with_free_func (g_free);
  f->webhook_errors = g_ptr_array_new_with_free_func (g_free);
  f->api = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->api, NULL, handle, f, NULL);
  g_assert_true (soup_server_listen_local (f->api, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  uris = soup_server_get_uris (f->api);
  f->api_port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  stop_s3rver (f);
  soup_server_disconnect (f->api);
  g_clear_object (&f->api);
  g_ptr_array_unref (f->mail_ids);
  g_ptr_array_unref (f->mail_bodies);
  g_ptr_array_unref (f->webhook_ids);
  g_ptr_array_unref (f->webhook_errors);
  test_remove_tree (f->dir);
  g_free (f->s3_dir);
  g_free (f->dir);
}

/* ---- Tests ---------------------------------------------------------------- */

static void
test_batch_syncs_everything (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *products = write_inputs (f);
  g_autofree char *ads = g_build_filename (f->dir, "ads.csv", NULL);
  g_autofree char *hook = g_strdup_printf ("http://127.0.0.1:%d/hook", f->api_port);
  const char *args[] = { "--sync", "--callback", hook, products, ads, NULL };
  g_autofree char *err_text = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *csv_path = g_build_filename (f->dir, "out", "cars-output.csv", NULL);
  g_autoptr(GPtrArray) keys = NULL;
  g_autofree char *uid = NULL;
  g_autofree char *url = NULL;
  g_autofree char *portrait = NULL;

  start_s3rver (f);
  f->answer_429_once = TRUE;
  f->drop_after_429 = TRUE;
  g_assert_cmpint (run_batch (f, MAIL_KEY, "S3RVER", 120, args, &err_text), ==, 0);
  g_assert_nonnull (strstr (err_text, "everything was sent"));

  /* Three decodable images, five variants each, each under its own key:
   * the ad's id, which every desktop sharing the bucket agrees on. */
  {
    g_autofree char *db_path = g_build_filename (f->dir, "vetter.db", NULL);
    sqlite3 *db;
    sqlite3_stmt *stmt;

    g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT uid FROM item WHERE id = 1", -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    uid = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    sqlite3_finalize (stmt);
    sqlite3_close (db);
  }
  g_assert_cmpuint (strlen (uid), ==, 32);
  url = g_strdup_printf ("http://127.0.0.1:%d/vetter/ads/%s/1-compressed.jpg", f->s3_port, uid);
  portrait = g_strdup_printf ("ads/%s/2-portrait.jpg", uid);
  keys = list_bucket (f);
  g_assert_cmpuint (keys->len, ==, 15);
  g_assert_true (g_ptr_array_find_with_equal_func (keys, portrait, g_str_equal, NULL));

  /* The output CSV names the uploaded copies, in the input's order. */
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  g_assert_nonnull (strstr (csv, url));

  /* What is in the bucket is the file that was made. */
  {
    g_autoptr(SoupSession) session = soup_session_new ();
    g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
    g_autoptr(GBytes) remote = soup_session_send_and_read (session, message, NULL, NULL);
    g_autofree char *local_path = g_build_filename (f->dir, "out", "1", "1-compressed.jpg", NULL);
    g_autofree char *local = NULL;
    gsize local_len;

    g_assert_true (g_file_get_contents (local_path, &local, &local_len, NULL));
    g_assert_cmpuint (g_bytes_get_size (remote), ==, local_len);
    g_assert_cmpmem (g_bytes_get_data (remote, NULL), local_len, local, local_len);
  }

  /* One mail, for the one final decision (the broken image is rejected),
   * sent again after the 429, its kept-alive connection closed under it
   * once (sent again whole: an empty body would be refused and parked),
   * and accepted once. */
  g_assert_cmpuint (f->mail_dropped, ==, 1);
  g_assert_cmpuint (f->mail_requests, ==, 3);
  g_assert_cmpuint (f->mail_ids->len, ==, 1);
  g_assert_true (g_str_has_prefix (f->mail_bodies->pdata[0], "seller1@example.com|Your ad “Broken bike” was not approved|"));
  /* The advertiser reads why, in a sentence, not a code. */
  g_assert_nonnull (strstr (f->mail_bodies->pdata[0], "The photo is too blurry, too dark, too bright or too small"));
  g_assert_null (strstr (f->mail_bodies->pdata[0], "poor_quality"));

  /* A signed callback for each of the two batches. */
  g_assert_cmpuint (f->webhook_errors->len, ==, 0);
  g_assert_cmpuint (f->webhook_ids->len, ==, 2);
  g_assert_cmpstr (f->webhook_ids->pdata[0], !=, f->webhook_ids->pdata[1]);

  assert_no_secret (f, err_text);
}

/* A rerun with a corrected --callback: the callback goes to the new
 * address, and stderr says so (the first address refused it). */
static void
test_corrected_callback (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *products = write_inputs (f);
  g_autofree char *wrong = g_strdup_printf ("http://127.0.0.1:%d/no-such-hook", f->api_port);
  g_autofree char *hook = g_strdup_printf ("http://127.0.0.1:%d/hook", f->api_port);
  const char *first_args[] = { "--sync", "--callback", wrong, products, NULL };
  const char *second_args[] = { "--sync", "--callback", hook, products, NULL };
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  start_s3rver (f);
  g_assert_cmpint (run_batch (f, MAIL_KEY, "S3RVER", 30, first_args, &first), ==, 1);
  g_assert_cmpuint (f->webhook_ids->len, ==, 0);

  g_assert_cmpint (run_batch (f, MAIL_KEY, "S3RVER", 60, second_args, &second), ==, 0);
  g_assert_nonnull (strstr (second, "the callback now goes to"));
  g_assert_nonnull (strstr (second, hook));
  g_assert_cmpuint (f->webhook_errors->len, ==, 0);
  g_assert_cmpuint (f->webhook_ids->len, ==, 1);
}

/* No server for the whole batch: everything waits in the outbox, and goes
 * when the server is back, each object once. */
static void
test_offline_then_online (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *products = write_inputs (f);
  const char *args[] = { "--sync", products, NULL };
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autoptr(GPtrArray) keys = NULL;

  g_assert_cmpint (run_batch (f, MAIL_KEY, "S3RVER", 2, args, &first), ==, 1);
  g_assert_nonnull (strstr (first, "10 still waiting to be sent"));

  start_s3rver (f);
  g_assert_cmpint (run_batch (f, MAIL_KEY, "S3RVER", 120, args, &second), ==, 0);
  g_assert_nonnull (strstr (second, "resuming the batch"));
  g_assert_nonnull (strstr (second, "everything was sent"));
  keys = list_bucket (f);
  g_assert_cmpuint (keys->len, ==, 10);
}

/* Once the first object has arrived, s3rver goes away for a second and a
 * half and comes back on the same port with the same data. */
static void
interrupt_s3rver (gpointer data)
{
  Fixture *f = data;
  g_autofree char *first = g_build_filename (f->s3_dir, "vetter", "ads", NULL);

  if (f->stopped_at == 0 && g_file_test (first, G_FILE_TEST_IS_DIR))
    {
      stop_s3rver (f);
      f->stopped_at = g_get_monotonic_time ();
    }
  else if (f->stopped_at != 0 && !f->restarted && g_get_monotonic_time () - f->stopped_at > 1500 * 1000)
    {
      start_s3rver (f);
      f->restarted = TRUE;
    }
}

/* The server stops in the middle of a sync and starts again: everything
 * arrives, each object under its one key. */
static void
test_server_stops_midway (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *products = write_inputs (f);
  g_autofree char *ads = g_build_filename (f->dir, "ads.csv", NULL);
  const char *args[] = { "--sync", products, ads, NULL };
  g_autofree char *err_text = NULL;
  g_autoptr(GPtrArray) keys = NULL;

  start_s3rver (f);
  f->during_run = interrupt_s3rver;
  g_assert_cmpint (run_batch (f, MAIL_KEY, "S3RVER", 120, args, &err_text), ==, 0);
  g_assert_cmpint (f->stopped_at, !=, 0);
  g_assert_true (f->restarted);
  g_assert_nonnull (strstr (err_text, "everything was sent"));
  keys = list_bucket (f);
  g_assert_cmpuint (keys->len, ==, 15);

  /* Some uploads did meet the stopped server, and were sent again. */
  {
    g_autofree char *db_path = g_build_filename (f->dir, "vetter.db", NULL);
    sqlite3 *db;
    sqlite3_stmt *stmt;

    g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM outbox WHERE kind = 's3_put' AND state = 'done' AND attempts > 1",
                                         -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), >, 0);
    sqlite3_finalize (stmt);
    sqlite3_close (db);
  }
}

/* ---- Killed while sending ------------------------------------------------- */

static void
kill_when_due (gpointer data)
{
  Fixture *f = data;
  g_autofree char *uploads = g_build_filename (f->s3_dir, "vetter", "ads", NULL);

  if (g_strcmp0 (f->kill_on, "upload") == 0 && f->kill_at == 0 && g_file_test (uploads, G_FILE_TEST_IS_DIR))
    f->kill_at = g_get_monotonic_time () + g_test_rand_int_range (0, 100) * 1000;
  if (f->kill_at != 0 && g_get_monotonic_time () >= f->kill_at && f->running)
    {
      g_subprocess_send_signal (f->running, SIGKILL);
      f->kill_at = 0;
      f->kill_on = NULL;
    }
}

static guint
distinct (GPtrArray *values)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < values->len; i++)
    g_hash_table_add (seen, values->pdata[i]);
  return g_hash_table_size (seen);
}

/* `vetter batch --sync` killed (kill -9) four times: at a moment drawn from
 * the test's random seed (--seed replays it) while it starts and
 * processes, a moment after its first upload lands, the moment its mail
 * is delivered and the moment a callback is (before it can record either);
 * then a run to the end, and one more. Every object is in the bucket
 * under its one key; the one mail and the two callbacks each arrived, and
 * at most once more per kill (what an outbox that sends at least once
 * allows: a kill between delivery and record); the run after the end
 * sends nothing at all. */
static void
test_killed_while_sending (Fixture       *f,
                           gconstpointer  data)
{
  static const char * const moments[] = { "time", "upload", "mail", "callback" };
  g_autofree char *products = write_inputs (f);
  g_autofree char *ads = g_build_filename (f->dir, "ads.csv", NULL);
  g_autofree char *hook = g_strdup_printf ("http://127.0.0.1:%d/hook", f->api_port);
  const char *args[] = { "--sync", "--callback", hook, products, ads, NULL };
  g_autoptr(GPtrArray) keys = NULL;
  guint mails, callbacks, killed = 0;

  start_s3rver (f);
  f->during_run = kill_when_due;
  for (guint round = 0; round < G_N_ELEMENTS (moments); round++)
    {
      g_autofree char *err_text = NULL;
      gint64 start = g_get_monotonic_time ();
      int status;

      f->kill_on = moments[round];
      f->kill_at = g_str_equal (moments[round], "time") ? start + g_test_rand_int_range (0, 200) * 1000 : 0;
      status = run_batch (f, MAIL_KEY, "S3RVER", 120, args, &err_text);
      killed += status == -1;
      g_test_message ("round %u, kill at %s: %s after %" G_GINT64_FORMAT " ms; %u mails, %u callbacks so far",
                      round, moments[round], status == -1 ? "killed" : "finished first",
                      (g_get_monotonic_time () - start) / 1000, f->mail_ids->len, f->webhook_ids->len);
    }
  f->during_run = NULL;
  f->kill_on = NULL;
  {
    g_autofree char *err_text = NULL;

    int status = run_batch (f, MAIL_KEY, "S3RVER", 120, args, &err_text);

    if (status != 0)
      g_test_message ("%s", err_text);
    g_assert_cmpint (status, ==, 0);
    g_assert_nonnull (strstr (err_text, "everything was sent"));
  }

  /* The first kill comes before three photos can be processed. */
  g_assert_cmpuint (killed, >=, 1);
  keys = list_bucket (f);
  g_assert_cmpuint (keys->len, ==, 15);
  g_assert_cmpuint (distinct (f->mail_ids), ==, 1);
  g_assert_cmpuint (f->mail_ids->len, <=, 1 + killed);
  g_assert_true (g_str_has_prefix (f->mail_bodies->pdata[0], "seller1@example.com|"));
  g_assert_cmpuint (f->webhook_errors->len, ==, 0);
  g_assert_cmpuint (distinct (f->webhook_ids), ==, 2);
  g_assert_cmpuint (f->webhook_ids->len, <=, 2 + killed);

  /* Done is done: another run sends nothing. */
  mails = f->mail_requests;
  callbacks = f->webhook_ids->len;
  {
    g_autofree char *err_text = NULL;

    g_assert_cmpint (run_batch (f, MAIL_KEY, "S3RVER", 120, args, &err_text), ==, 0);
  }
  g_assert_cmpuint (f->mail_requests, ==, mails);
  g_assert_cmpuint (f->webhook_ids->len, ==, callbacks);
}

/* ---- A proxy that loses an answer ----------------------------------------- */

typedef struct
{
  Fixture           *f;
  SoupServerMessage *msg;
} Forward;

static SoupSession *proxy_session;
static guint proxy_puts;
static guint proxy_lost;

static void
on_forwarded (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Forward *forward = user_data;
  SoupMessage *upstream = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  if (g_str_equal (soup_server_message_get_method (forward->msg), "PUT") && ++proxy_puts == 1)
    {
      /* The object is stored upstream; the answer never reaches the client. */
      GIOStream *stream = soup_server_message_steal_connection (forward->msg);

      proxy_lost++;
      g_io_stream_close (stream, NULL, NULL);
      g_object_unref (stream);
      g_free (forward);
      return;
    }
  soup_server_message_set_status (forward->msg, body ? soup_message_get_status (upstream) : 502, NULL);
  if (body)
    soup_server_message_set_response (forward->msg, "application/xml", SOUP_MEMORY_COPY,
                                      g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  soup_server_message_unpause (forward->msg);
  g_free (forward);
}

static void
copy_header (const char *name,
             const char *value,
             gpointer    user_data)
{
  soup_message_headers_append (user_data, name, value);
}

/* Forwards every request to s3rver as it came (s3rver checks no
 * signature, so the changed host does not matter). */
static void
handle_proxy (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  Fixture *f = user_data;
  GUri *uri = soup_server_message_get_uri (msg);
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%d%s%s%s", f->s3_port, g_uri_get_path (uri),
                                          g_uri_get_query (uri) ? "?" : "", g_uri_get_query (uri) ? g_uri_get_query (uri) : "");
  SoupMessage *upstream = soup_message_new (soup_server_message_get_method (msg), url);
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  Forward *forward = g_new0 (Forward, 1);

  soup_message_headers_foreach (soup_server_message_get_request_headers (msg), copy_header,
                                soup_message_get_request_headers (upstream));
  soup_message_headers_remove (soup_message_get_request_headers (upstream), "Host");
  soup_message_set_request_body_from_bytes (upstream, soup_message_headers_get_content_type (
                                              soup_server_message_get_request_headers (msg), NULL), body);
  forward->f = f;
  forward->msg = msg;
  soup_server_message_pause (msg);
  soup_session_send_and_read_async (proxy_session, upstream, G_PRIORITY_DEFAULT, NULL, on_forwarded, forward);
  g_object_unref (upstream);
}

/* The server stores an upload and its answer is lost: the retry puts the
 * same object under the same key, and there is still one of each. */
static void
test_lost_answer (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *products = write_inputs (f);
  const char *args[] = { "--sync", products, NULL };
  g_autofree char *err_text = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(SoupServer) proxy = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  GSList *uris;
  int real_port = f->s3_port;

  start_s3rver (f);
  proxy_session = soup_session_new ();
  soup_server_add_handler (proxy, NULL, handle_proxy, f, NULL);
  g_assert_true (soup_server_listen_local (proxy, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  uris = soup_server_get_uris (proxy);
  /* `vetter batch` is pointed at the proxy; the proxy at s3rver. */
  f->proxy_port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_assert_cmpint (run_batch (f, MAIL_KEY, "S3RVER", 120, args, &err_text), ==, 0);
  g_assert_cmpuint (proxy_lost, ==, 1);
  g_assert_nonnull (strstr (err_text, "everything was sent"));
  f->proxy_port = 0;
  f->s3_port = real_port;
  keys = list_bucket (f);
  g_assert_cmpuint (keys->len, ==, 10);
  soup_server_disconnect (proxy);
  g_clear_object (&proxy_session);
}

/* A refusal that no retry will change is parked for a person, saying why,
 * and without the secret that was refused. */
static void
test_refusals_are_parked (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *ads = NULL;
  g_autofree char *err_text = NULL;
  g_autofree char *db_path = g_build_filename (f->dir, "vetter.db", NULL);
  const char *args[] = { "--sync", NULL, NULL };
  sqlite3 *db;
  sqlite3_stmt *stmt;
  int parked = 0;

  g_free (write_inputs (f));
  ads = g_build_filename (f->dir, "ads.csv", NULL);
  args[1] = ads;
  start_s3rver (f);
  g_assert_cmpint (run_batch (f, "wrong-key", "NOBODY", 60, args, &err_text), ==, 1);
  g_assert_nonnull (strstr (err_text, "parked after errors"));
  g_assert_cmpuint (f->mail_ids->len, ==, 0);

  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT kind, last_error FROM outbox WHERE state = 'parked'", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *kind = (const char *) sqlite3_column_text (stmt, 0);
      const char *error = (const char *) sqlite3_column_text (stmt, 1);

      parked++;
      g_assert_nonnull (strstr (error, g_str_equal (kind, "mail") ? "HTTP 401" : "HTTP 403"));
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpint (parked, ==, 6);   /* five uploads and the mail */
  assert_no_secret (f, err_text);
}

/* The tagger's object tags reach the rules: a car is approved. A key it
 * refuses leaves the ad for a person, and the step says why. */
static void
test_tagger (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *ads = NULL;
  g_autofree char *err_text = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json_path = g_build_filename (f->dir, "stdout.json", NULL);
  g_autofree char *db_path = g_build_filename (f->dir, "vetter.db", NULL);
  const char *args[] = { "--json", NULL, NULL };
  g_autoptr(JsonNode) root = NULL;
  JsonObject *item;
  JsonArray *tags;
  gboolean car = FALSE, noise = FALSE;

  g_free (write_inputs (f));
  ads = g_build_filename (f->dir, "ads.csv", NULL);
  args[1] = ads;
  f->imagga_key = IMAGGA_KEY;
  f->imagga_429_once = TRUE;
  g_assert_cmpint (run_batch (f, MAIL_KEY, "S3RVER", 60, args, &err_text), ==, 0);
  g_assert_cmpuint (f->imagga_requests, ==, 2);
  g_assert_true (g_file_get_contents (json_path, &json, NULL, NULL));
  root = json_from_string (json, NULL);
  item = json_array_get_object_element (json_object_get_array_member (json_node_get_object (root), "items"), 0);
  g_assert_cmpstr (json_object_get_string_member (item, "status"), ==, "approved");
  tags = json_object_get_array_member (json_array_get_object_element (json_object_get_array_member (item, "images"), 0), "tags");
  for (guint i = 0; i < json_array_get_length (tags); i++)
    {
      JsonObject *tag = json_array_get_object_element (tags, i);

      if (g_str_equal (json_object_get_string_member (tag, "label"), "car"))
        {
          car = TRUE;
          g_assert_cmpstr (json_object_get_string_member (tag, "source"), ==, "imagga");
          g_assert_cmpint (json_object_get_int_member (tag, "confidence"), ==, 87);
        }
      noise |= g_str_equal (json_object_get_string_member (tag, "label"), "noise");
    }
  g_assert_true (car);
  g_assert_false (noise);

  /* A refused key: the ad waits for a person; the step tells why. */
  g_unlink (db_path);
  {
    g_autofree char *wal = g_strconcat (db_path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db_path, "-shm", NULL);
    g_unlink (wal);
    g_unlink (shm);
  }
  f->imagga_key = "acc_wrong";
  g_clear_pointer (&err_text, g_free);
  g_assert_cmpint (run_batch (f, MAIL_KEY, "S3RVER", 60, args, &err_text), ==, 0);
  {
    sqlite3 *db;
    sqlite3_stmt *stmt;

    g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT step.error, item.status FROM step JOIN image ON image.id = step.image_id"
                                             " JOIN item ON item.id = image.item_id WHERE step.name = 'tag'", -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_nonnull (strstr ((const char *) sqlite3_column_text (stmt, 0), "refused the API key (HTTP 401): Invalid credentials"));
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, "needs_review");
    sqlite3_finalize (stmt);
    sqlite3_close (db);
  }
  g_assert_null (strstr (err_text, IMAGGA_SECRET));
}

/* ---- A 200 MB upload, streamed ------------------------------------------- */

static gsize
peak_rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "VmRSS:");
  return line ? (gsize) g_ascii_strtoull (line + 6, NULL, 10) : 0;
}

static gpointer
store_add_big (VetterStore  *store,
               gpointer      data,
               GError      **error)
{
  g_autofree char *payload = g_strdup_printf ("{\"key\":\"big/blob.bin\",\"path\":\"%s\",\"content_type\":\"application/octet-stream\"}",
                                              (const char *) data);

  return vetter_store_outbox_add (store, VETTER_OUTBOX_S3_PUT, "s3:big/blob.bin", payload, 0, 0, error) ? GINT_TO_POINTER (1) : NULL;
}

typedef struct
{
  gboolean           done;
  VetterOutboxCounts left;
  gsize              peak;
} Drain;

static void
on_drained (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Drain *drain = user_data;

  g_assert_true (vetter_sync_drain_finish (VETTER_SYNC (source), result, &drain->left, NULL));
  drain->done = TRUE;
}

static gboolean
drained (gpointer data)
{
  Drain *drain = data;

  drain->peak = MAX (drain->peak, peak_rss_kib ());
  return drain->done;
}

static void
test_large_upload_streams (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "blob.bin", NULL);
  g_autofree char *db = g_build_filename (f->dir, "sync.db", NULL);
  g_autoptr(VetterServices) s = services (f);
  g_autoptr(VetterEngine) engine = NULL;
  g_autoptr(VetterSync) sync = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  Drain drain = { 0 };
  gsize before;

  {
    /* 200 MB of incompressible bytes, written a megabyte at a time. */
    FILE *out = fopen (path, "wb");
    g_autoptr(GRand) rand = g_rand_new_with_seed (7);
    g_autofree guint32 *chunk = g_new (guint32, 262144);

    g_assert_nonnull (out);
    for (int i = 0; i < 200; i++)
      {
        for (int j = 0; j < 262144; j++)
          chunk[j] = g_rand_int (rand);
        g_assert_cmpuint (fwrite (chunk, 4, 262144, out), ==, 262144);
      }
    fclose (out);
  }
  start_s3rver (f);
  engine = test_open_engine (db, NULL);
  test_run_in_store (engine, store_add_big, path);

  before = peak_rss_kib ();
  sync = vetter_sync_new (engine, s);
  vetter_sync_drain_async (sync, 300, NULL, on_drained, &drain);
  test_wait_until (drained, &drain);
  g_assert_cmpint (drain.left.pending, ==, 0);
  g_assert_cmpint (drain.left.parked, ==, 0);
  g_assert_cmpint (drain.left.done, ==, 1);
  /* Streamed: the process grew by far less than the file. */
  g_test_message ("resident before %zu KiB, at most %zu KiB while uploading 200 MB", before, drain.peak);
  g_assert_cmpuint (drain.peak, <, before + 48 * 1024);

  keys = list_bucket (f);
  g_assert_cmpuint (keys->len, ==, 1);
  g_clear_object (&sync);
  vetter_engine_close (engine);
}

static void
on_rows_changed (VetterDatabase *database,
                 const char     *table,
                 GArray         *ids,
                 GPtrArray      *seen)
{
  for (guint i = 0; i < ids->len; i++)
    g_ptr_array_add (seen, g_strdup_printf ("%s %" G_GINT64_FORMAT, table, g_array_index (ids, gint64, i)));
}

static gboolean
has_change (GPtrArray  *seen,
            const char *change)
{
  return g_ptr_array_find_with_equal_func (seen, change, g_str_equal, NULL);
}

/* What the sender writes (the row it sent, now done) is announced by the
 * database like any other change: nobody has to say it by hand. */
static void
test_sender_changes_announced (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "small.bin", NULL);
  g_autofree char *db = g_build_filename (f->dir, "sync.db", NULL);
  g_autoptr(VetterServices) s = services (f);
  g_autoptr(VetterEngine) engine = NULL;
  g_autoptr(VetterSync) sync = NULL;
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  Drain drain = { 0 };

  g_assert_true (g_file_set_contents (path, "forty-two bytes of an object to upload..", -1, NULL));
  start_s3rver (f);
  engine = test_open_engine (db, NULL);
  test_run_in_store (engine, store_add_big, path);
  test_spin (100);
  g_signal_connect (vetter_engine_get_database (engine), "rows-changed", G_CALLBACK (on_rows_changed), seen);

  sync = vetter_sync_new (engine, s);
  vetter_sync_drain_async (sync, 60, NULL, on_drained, &drain);
  test_wait_until (drained, &drain);
  g_assert_cmpint (drain.left.done, ==, 1);
  test_spin (100);
  g_assert_true (has_change (seen, "outbox 1"));
  /* The count the window's indicator shows followed it. */
  g_assert_cmpint (vetter_sync_get_counts (sync)->done, ==, 1);
  g_assert_cmpint (vetter_sync_get_counts (sync)->pending, ==, 0);
  g_signal_handlers_disconnect_by_func (vetter_engine_get_database (engine), on_rows_changed, seen);
  g_clear_object (&sync);
  vetter_engine_close (engine);
}

static gpointer
store_remove_big (VetterStore  *store,
                  gpointer      data,
                  GError      **error)
{
  return vetter_store_outbox_add (store, VETTER_OUTBOX_REMOVE, "remove:s3:big/blob.bin", "{\"s3\":\"big/blob.bin\"}",
                                  0, 0, error) ? GINT_TO_POINTER (1) : NULL;
}

/* A deleted ad's object in the bucket is removed through the outbox; a
 * removal sent again after the object is gone is done too. */
static void
test_removal (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "small.bin", NULL);
  g_autofree char *db = g_build_filename (f->dir, "sync.db", NULL);
  g_autoptr(VetterServices) s = services (f);
  g_autoptr(VetterEngine) engine = NULL;
  g_autoptr(VetterSync) sync = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  Drain drain = { 0 };

  g_assert_true (g_file_set_contents (path, "an object to remove", -1, NULL));
  start_s3rver (f);
  engine = test_open_engine (db, NULL);
  test_run_in_store (engine, store_add_big, path);
  sync = vetter_sync_new (engine, s);
  vetter_sync_drain_async (sync, 60, NULL, on_drained, &drain);
  test_wait_until (drained, &drain);
  keys = list_bucket (f);
  g_assert_cmpuint (keys->len, ==, 1);
  g_clear_pointer (&keys, g_ptr_array_unref);

  for (guint round = 0; round < 2; round++)
    {
      drain = (Drain) { 0 };
      test_run_in_store (engine, store_remove_big, NULL);
      vetter_sync_drain_async (sync, 60, NULL, on_drained, &drain);
      test_wait_until (drained, &drain);
      g_assert_cmpint (drain.left.parked, ==, 0);
      g_assert_cmpint (drain.left.pending, ==, 0);
      keys = list_bucket (f);
      g_assert_cmpuint (keys->len, ==, 0);
      g_clear_pointer (&keys, g_ptr_array_unref);
    }
  g_clear_object (&sync);
  vetter_engine_close (engine);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/sync/removal", Fixture, NULL, fixture_set_up, test_removal, fixture_tear_down);
  g_test_add ("/sync/batch-syncs-everything", Fixture, NULL, fixture_set_up, test_batch_syncs_everything, fixture_tear_down);
  g_test_add ("/sync/offline-then-online", Fixture, NULL, fixture_set_up, test_offline_then_online, fixture_tear_down);
  g_test_add ("/sync/corrected-callback", Fixture, NULL, fixture_set_up, test_corrected_callback, fixture_tear_down);
  g_test_add ("/sync/server-stops-midway", Fixture, NULL, fixture_set_up, test_server_stops_midway, fixture_tear_down);
  g_test_add ("/sync/killed-while-sending", Fixture, NULL, fixture_set_up, test_killed_while_sending, fixture_tear_down);
  g_test_add ("/sync/lost-answer", Fixture, NULL, fixture_set_up, test_lost_answer, fixture_tear_down);
  g_test_add ("/sync/refusals-are-parked", Fixture, NULL, fixture_set_up, test_refusals_are_parked, fixture_tear_down);
  g_test_add ("/sync/tagger", Fixture, NULL, fixture_set_up, test_tagger, fixture_tear_down);
  g_test_add ("/sync/sender-changes-announced", Fixture, NULL, fixture_set_up, test_sender_changes_announced,
              fixture_tear_down);
  g_test_add ("/sync/large-upload-streams", Fixture, NULL, fixture_set_up, test_large_upload_streams, fixture_tear_down);
  return g_test_run ();
}
