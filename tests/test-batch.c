/* test-batch.c: `vetter batch` end to end, against a loopback HTTP server
 *
 * The server serves real photographs (Debian's mate-backgrounds, shrunk
 * once at start-up so the suite stays quick) and every kind of bad answer:
 * 404, a redirect loop, silence, text posing as a JPEG, a truncated JPEG.
 * The runner is the real binary, run as a user would, with no display.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>

#include "vetter-decode.h"
#include "vetter-encode.h"
#include "vetter-resample.h"
#include "vetter-test-util.h"

#define PHOTO_DIR "/usr/share/backgrounds/mate/nature"

typedef struct
{
  SoupServer *server;
  char       *base;       /* http://127.0.0.1:PORT */
  GPtrArray  *photos;     /* GBytes*: JPEGs to serve */
  GPtrArray  *sizes;      /* "WxH" of each */
  GBytes     *truncated;
  GSList     *hanging;    /* messages never answered */
  char       *dir;        /* a scratch directory */
  char       *photo_dir;  /* the photos as local files */
} Server;

static Server server;

/* ---- The server ----------------------------------------------------------- */

static void
handle (SoupServer        *soup_server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  guint index;

  if (g_str_has_prefix (path, "/photo/") && sscanf (path, "/photo/%u.jpg", &index) == 1 && index < server.photos->len)
    {
      GBytes *bytes = g_ptr_array_index (server.photos, index);

      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "image/jpeg", SOUP_MEMORY_COPY,
                                        g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    }
  else if (g_str_equal (path, "/moved.jpg"))
    {
      soup_server_message_set_redirect (msg, 302, "/photo/0.jpg");
    }
  else if (g_str_equal (path, "/loop.jpg"))
    {
      soup_server_message_set_redirect (msg, 302, "/loop.jpg");
    }
  else if (g_str_equal (path, "/to-ftp.jpg"))
    {
      soup_server_message_set_redirect (msg, 302, "ftp://127.0.0.1/x.jpg");
    }
  else if (g_str_equal (path, "/hang.jpg"))
    {
      /* Accept, then never answer. */
      soup_server_message_pause (msg);
      server.hanging = g_slist_prepend (server.hanging, g_object_ref (msg));
    }
  else if (g_str_equal (path, "/text.jpg"))
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "image/jpeg", SOUP_MEMORY_STATIC, "this is not a picture", 21);
    }
  else if (g_str_equal (path, "/truncated.jpg"))
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "image/jpeg", SOUP_MEMORY_COPY,
                                        g_bytes_get_data (server.truncated, NULL), g_bytes_get_size (server.truncated));
    }
  else
    {
      soup_server_message_set_status (msg, 404, NULL);
      soup_message_headers_set_content_type (headers, "text/html", NULL);
      soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, "<h1>Not Found</h1>", 18);
    }
}

/* Shrinks the packaged photos so the suite stays fast, keeping them real. */
static void
load_photos (void)
{
  g_autoptr(GDir) dir = g_dir_open (PHOTO_DIR, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    g_error ("%s is missing: install Debian's mate-backgrounds (build-aux/install-deps.sh does)", PHOTO_DIR);
  while ((name = g_dir_read_name (dir)))
    if (g_str_has_suffix (name, ".jpg"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_assert_cmpuint (names->len, >=, 8);

  server.photo_dir = g_build_filename (server.dir, "photos", NULL);
  g_mkdir_with_parents (server.photo_dir, 0755);

  for (guint i = 0; i < 8; i++)
    {
      g_autofree char *path = g_build_filename (PHOTO_DIR, names->pdata[i], NULL);
      g_autofree char *data = NULL;
      g_autofree char *out_name = g_strdup_printf ("%u.jpg", i);
      g_autofree char *out_path = NULL;
      g_autofree char *shrunk = NULL;
      g_autoptr(VetterDecoded) decoded = NULL;
      g_autoptr(VetterPixels) small = NULL;
      g_autoptr(GError) error = NULL;
      gsize length;
      int w, h;

      g_assert_true (g_file_get_contents (path, &data, &length, NULL));
      decoded = vetter_decode ((const guint8 *) data, length, 0, 0, &error);
      g_assert_no_error (error);
      /* 1280 on the long side: big enough for every variant to be cut. */
      w = decoded->width >= decoded->height ? 1280 : decoded->width * 1280 / decoded->height;
      h = decoded->width >= decoded->height ? decoded->height * 1280 / decoded->width : 1280;
      small = vetter_resample (decoded->pixels, NULL, w, h);
      out_path = test_write_jpeg (small, server.photo_dir, out_name, 90);
      g_assert_true (g_file_get_contents (out_path, &shrunk, &length, NULL));
      g_ptr_array_add (server.photos, g_bytes_new (shrunk, length));
      g_ptr_array_add (server.sizes, g_strdup_printf ("%dx%d", w, h));
    }

  server.truncated = g_bytes_new_from_bytes (server.photos->pdata[0], 0, g_bytes_get_size (server.photos->pdata[0]) / 3);
}

static void
start_server (void)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  server.dir = test_tmpdir ();
  server.photos = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  server.sizes = g_ptr_array_new_with_free_func (g_free);
  load_photos ();

  server.server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server.server, NULL, handle, NULL, NULL);
  soup_server_listen_local (server.server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server.server);
  server.base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

/* ---- Running the binary --------------------------------------------------- */

typedef struct
{
  int       status;
  char     *out;
  char     *err;
  gboolean  done;
} Result;

static void
result_clear (Result *r)
{
  g_free (r->out);
  g_free (r->err);
}

static void
on_exited (GObject      *source,
           GAsyncResult *res,
           gpointer      user_data)
{
  Result *r = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), res, NULL);
  r->done = TRUE;
}

static GSubprocess *
spawn_vetter (const char * const *args,
              const char         *tag)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out_path = g_strdup_printf ("%s/%s.out", server.dir, tag);
  g_autofree char *err_path = g_strdup_printf ("%s/%s.err", server.dir, tag);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_ptr_array_add (argv, (char *) g_getenv ("VETTER_BINARY"));
  g_ptr_array_add (argv, "batch");
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  g_subprocess_launcher_set_cwd (launcher, server.dir);
  g_subprocess_launcher_set_stdout_file_path (launcher, out_path);
  g_subprocess_launcher_set_stderr_file_path (launcher, err_path);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

/* Runs `vetter batch ARGS` while this process keeps serving HTTP. */
static void
run_vetter (const char * const *args,
            Result             *r)
{
  static guint counter;
  g_autofree char *tag = g_strdup_printf ("run%u", counter++);
  g_autoptr(GSubprocess) process = spawn_vetter (args, tag);
  g_autofree char *out_path = g_strdup_printf ("%s/%s.out", server.dir, tag);
  g_autofree char *err_path = g_strdup_printf ("%s/%s.err", server.dir, tag);

  memset (r, 0, sizeof *r);
  g_subprocess_wait_async (process, NULL, on_exited, r);
  while (!r->done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_subprocess_get_if_exited (process));
  r->status = g_subprocess_get_exit_status (process);
  g_file_get_contents (out_path, &r->out, NULL, NULL);
  g_file_get_contents (err_path, &r->err, NULL, NULL);
}

static char *
write_file (const char *name,
            const char *contents)
{
  char *path = g_build_filename (server.dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

static JsonObject *
parse_summary (const Result *r,
               JsonParser   *parser)
{
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_data (parser, r->out, -1, &error))
    g_error ("the summary is not JSON (%s):\n%s\nstderr:\n%s", error->message, r->out, r->err);
  return json_node_get_object (json_parser_get_root (parser));
}

static JsonObject *
item_by_row (JsonObject *summary,
             gint64      row)
{
  JsonArray *items = json_object_get_array_member (summary, "items");

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);

      if (json_object_get_int_member (item, "row") == row)
        return item;
    }
  g_error ("no item for row %" G_GINT64_FORMAT, row);
  return NULL;
}

static void
assert_contains (const char *haystack,
                 const char *needle)
{
  if (haystack == NULL || strstr (haystack, needle) == NULL)
    g_error ("expected “%s” in:\n%s", needle, haystack ? haystack : "(null)");
}

static const char *
item_error (JsonObject *item)
{
  return json_object_get_string_member_with_default (item, "error", NULL);
}

static const char *
first_image_error (JsonObject *item)
{
  JsonArray *images = json_object_get_array_member (item, "images");

  return json_object_get_string_member_with_default (json_array_get_object_element (images, 0), "error", NULL);
}

static int
query_int (const char *db_path,
           const char *sql)
{
  sqlite3 *db;
  sqlite3_stmt *stmt;
  int value = -1;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 2000);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* ---- The products CSV, a few hundred rows over HTTP ----------------------- */

#define N_GOOD_ROWS 240

typedef struct
{
  const char *cell;     /* the URL cell; %s is the server's base */
  const char *status;   /* the item status expected */
  const char *message;  /* a part of the item's or image's error */
} BadRow;

static const BadRow bad_rows[] = {
  { "%s/missing.jpg", "failed", "HTTP 404" },
  { "%s/loop.jpg", "failed", "too many redirects" },
  { "%s/hang.jpg", "failed", "timed out" },
  { "ftp://127.0.0.1/x.jpg", "failed", "scheme “ftp” is not supported" },
  { "data:image/jpeg;base64,AAAA", "failed", "data: URLs are not taken" },
  { "%s/to-ftp.jpg", "failed", "not an http or https URL" },
  { "%s/text.jpg", "rejected", "not an image" },
  { "%s/truncated.jpg", "rejected", "truncated" },
  { "http://127.0.0.1:1/refused.jpg", "failed", "refused the connection" },
  { "photos", "failed", "not a regular file (a folder)" },
  { "", "failed", "“Input Image Urls” is empty" },
};

static char *
products_csv (void)
{
  g_autoptr(GString) csv = g_string_new ("S. No.,Product Name,Input Image Urls\r\n");
  guint row = 0;

  for (guint i = 0; i < N_GOOD_ROWS; i++)
    {
      /* One to three images a row, from the server, by redirect, or a local file. */
      guint n = 1 + i % 3;
      g_autoptr(GString) cell = g_string_new (NULL);

      for (guint k = 0; k < n; k++)
        {
          guint photo = (i + k) % server.photos->len;

          if (k > 0)
            g_string_append (cell, ", ");
          if (i % 50 == 7 && k == 0)
            g_string_append_printf (cell, "%s/moved.jpg", server.base);
          else if (i % 40 == 3 && k == 0)
            g_string_append_printf (cell, "photos/%u.jpg", photo);
          else
            g_string_append_printf (cell, "%s/photo/%u.jpg", server.base, photo);
        }
      g_string_append_printf (csv, "%u,\"Product %u, model %c\",\"%s\"\r\n", ++row, i, 'A' + i % 26, cell->str);

      if (i % 20 == 10 && i / 20 < G_N_ELEMENTS (bad_rows))
        {
          g_auto(GStrv) parts = g_strsplit (bad_rows[i / 20].cell, "%s", -1);
          g_autofree char *bad = g_strjoinv (server.base, parts);
          g_string_append_printf (csv, "%u,Broken %u,\"%s\"\r\n", ++row, i / 20, bad);
        }
    }
  return g_string_free (g_steal_pointer (&csv), FALSE);
}

/* @quality: the JPEG quality the file must have been written at, or -1. */
static void
check_variant_file (JsonObject *variant,
                    int         want_w,
                    int         want_h,
                    int         quality)
{
  const char *path = json_object_get_string_member (variant, "path");
  g_autofree char *data = NULL;
  g_autoptr(VetterDecoded) decoded = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  g_assert_cmpint (json_object_get_int_member (variant, "width"), ==, want_w);
  g_assert_cmpint (json_object_get_int_member (variant, "height"), ==, want_h);
  g_assert_true (g_file_get_contents (path, &data, &length, NULL));
  g_assert_cmpint (json_object_get_int_member (variant, "bytes"), ==, (gint64) length);
  decoded = vetter_decode ((const guint8 *) data, length, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (decoded->width, ==, want_w);
  g_assert_cmpint (decoded->height, ==, want_h);
  if (quality > 0)
    g_assert_cmpint (ABS (decoded->jpeg_quality - quality), <=, 2);
}

static void
test_products_over_http (void)
{
  g_autofree char *csv = products_csv ();
  g_autofree char *csv_path = write_file ("products.csv", csv);
  g_autofree char *db = g_build_filename (server.dir, "products.db", NULL);
  g_autofree char *out = g_build_filename (server.dir, "out", NULL);
  const char *args[] = { "--json", "--timeout", "2", "-j", "2", "-o", out, "--db", db, csv_path, NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *output_csv = NULL;
  g_autofree char *expected_csv_path = g_build_filename (out, "products-output.csv", NULL);
  JsonObject *summary, *totals;
  Result r;
  guint n_rows = N_GOOD_ROWS + G_N_ELEMENTS (bad_rows);
  guint bad_seen = 0;

  run_vetter (args, &r);
  g_assert_cmpint (r.status, ==, 1);
  summary = parse_summary (&r, parser);
  totals = json_object_get_object_member (summary, "totals");
  g_assert_cmpint (json_object_get_int_member (totals, "items"), ==, n_rows);
  g_assert_cmpint (json_object_get_int_member (totals, "failed"), ==, 9);
  g_assert_cmpint (json_object_get_int_member (totals, "rejected"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (totals, "pending"), ==, 0);

  /* Each bad row failed alone, saying why. */
  for (guint row = 1; row <= n_rows; row++)
    {
      JsonObject *item = item_by_row (summary, row);
      const char *status = json_object_get_string_member (item, "status");
      JsonArray *images = json_object_get_array_member (item, "images");

      if (g_str_has_prefix (json_object_get_string_member (item, "title"), "Broken "))
        {
          const BadRow *bad = &bad_rows[atoi (json_object_get_string_member (item, "title") + 7)];
          g_autofree char *messages = g_strdup_printf ("%s | %s", item_error (item) ? item_error (item) : "",
                                                       json_array_get_length (images) ? first_image_error (item) : "");

          g_assert_cmpstr (status, ==, bad->status);
          assert_contains (messages, bad->message);
          if (g_str_equal (bad->status, "rejected"))
            g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (item, "decision"), "rule"),
                             ==, "undecodable-image");
          bad_seen++;
          continue;
        }

      /* Every good row: decided, its images analysed, five variants each. */
      g_assert_cmpstr (status, ==, "needs_review");
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (item, "decision"), "rule"),
                       ==, "needs-review");
      for (guint k = 0; k < json_array_get_length (images); k++)
        {
          JsonObject *image = json_array_get_object_element (images, k);
          JsonArray *variants = json_object_get_array_member (image, "variants");
          int w = (int) json_object_get_int_member (image, "width");
          int h = (int) json_object_get_int_member (image, "height");
          g_autofree char *size = g_strdup_printf ("%dx%d", w, h);
          g_autofree char *expected_path = g_strdup_printf ("%s/%" G_GINT64_FORMAT "/%u-compressed.jpg", out,
                                                            json_object_get_int_member (item, "id"), k + 1);
          int short_side = MIN (w, h);

          g_assert_cmpstr (json_object_get_string_member (image, "status"), ==, "done");
          g_assert_true (g_ptr_array_find_with_equal_func (server.sizes, size, g_str_equal, NULL));
          g_assert_cmpuint (strlen (json_object_get_string_member (image, "phash")), ==, 16);
          g_assert_cmpuint (json_array_get_length (json_object_get_array_member (image, "tags")), >=, 1);
          g_assert_cmpuint (json_array_get_length (variants), ==, 5);

          /* Checked on the files themselves for a sample, to keep the suite quick. */
          if (row % 25 != 1)
            continue;
          g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (variants, 0), "path"),
                           ==, expected_path);
          check_variant_file (json_array_get_object_element (variants, 0), w, h, 50);
          check_variant_file (json_array_get_object_element (variants, 1), MIN (1080, short_side), MIN (1080, short_side), 85);
          {
            int k9 = MIN (w / 9, h / 16), k16 = MIN (w / 16, h / 9);
            int pw = 9 * k9 >= 1080 ? 1080 : 9 * k9, ph = 9 * k9 >= 1080 ? 1920 : 16 * k9;
            int lw = 16 * k16 >= 1920 ? 1920 : 16 * k16, lh = 16 * k16 >= 1920 ? 1080 : 9 * k16;

            check_variant_file (json_array_get_object_element (variants, 2), pw, ph, 85);
            check_variant_file (json_array_get_object_element (variants, 3), lw, lh, 85);
          }
          check_variant_file (json_array_get_object_element (variants, 4),
                              w >= h ? 320 : w * 320 / h, w >= h ? h * 320 / w : 320, 80);
        }
    }
  g_assert_cmpuint (bad_seen, ==, G_N_ELEMENTS (bad_rows));

  /* The output CSV: the same columns and rows, plus the compressed files in input order. */
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (summary, "output_csv"), 0),
                   ==, expected_csv_path);
  g_assert_true (g_file_get_contents (expected_csv_path, &output_csv, NULL, NULL));
  {
    g_auto(GStrv) lines = g_strsplit (output_csv, "\r\n", -1);
    JsonObject *item = item_by_row (summary, 3);
    g_autofree char *expected = g_strdup_printf ("3,\"Product 2, model C\",\"%s/photo/2.jpg, %s/photo/3.jpg, %s/photo/4.jpg\","
                                                 "\"%s/%" G_GINT64_FORMAT "/1-compressed.jpg,%s/%" G_GINT64_FORMAT "/2-compressed.jpg,"
                                                 "%s/%" G_GINT64_FORMAT "/3-compressed.jpg\"",
                                                 server.base, server.base, server.base,
                                                 out, json_object_get_int_member (item, "id"),
                                                 out, json_object_get_int_member (item, "id"),
                                                 out, json_object_get_int_member (item, "id"));

    g_assert_cmpstr (lines[0], ==, "S. No.,Product Name,Input Image Urls,Output Image Urls");
    g_assert_cmpuint (g_strv_length (lines), ==, n_rows + 2);
    g_assert_cmpstr (lines[3], ==, expected);
  }

  /* Progress went to stderr as plain lines, and each failure was named. */
  assert_contains (r.err, "vetter: ");
  assert_contains (r.err, "HTTP 404");
  assert_contains (r.err, "line ");

  /* The same input again resumes: nothing is redone, nothing duplicated. */
  {
    const char *again[] = { "--json", "-o", out, "--db", db, csv_path, NULL };
    g_autoptr(JsonParser) parser2 = json_parser_new ();
    Result r2;
    JsonObject *summary2;

    g_assert_cmpint (query_int (db, "SELECT count(*) FROM step"), >, 0);
    {
      int steps = query_int (db, "SELECT count(*) FROM step");

      run_vetter (again, &r2);
      g_assert_cmpint (r2.status, ==, 1);
      summary2 = parse_summary (&r2, parser2);
      g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (summary2, "totals"), "items"), ==, n_rows);
      g_assert_cmpint (query_int (db, "SELECT count(*) FROM item"), ==, n_rows);
      g_assert_cmpint (query_int (db, "SELECT count(*) FROM batch"), ==, 1);
      g_assert_cmpint (query_int (db, "SELECT count(*) FROM step"), ==, steps);
      assert_contains (r2.err, "resuming");
      result_clear (&r2);
    }
  }
  result_clear (&r);
}

/* ---- Ads, images, folders ------------------------------------------------- */

static void
test_ads_csv (void)
{
  g_autofree char *csv = g_strdup_printf ("\xEF\xBB\xBF" "email,image,title,description,category\n"
                                          "ann@example.com,photos/1.jpg,Red car,\"Fast, \"\"clean\"\"\",cars\n"
                                          "not an address,photos/2.jpg,Blue car,,cars\n"
                                          "bob@example.org,%s/photo/3.jpg,Bike,,motorcycles\n", server.base);
  g_autofree char *csv_path = write_file ("ads.csv", csv);
  g_autofree char *db = g_build_filename (server.dir, "ads.db", NULL);
  const char *args[] = { "--json", "-o", "ads-out", "--db", db, csv_path, NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *summary;
  Result r;

  run_vetter (args, &r);
  g_assert_cmpint (r.status, ==, 1);
  summary = parse_summary (&r, parser);
  g_assert_cmpstr (json_object_get_string_member (item_by_row (summary, 1), "status"), ==, "needs_review");
  g_assert_cmpstr (json_object_get_string_member (item_by_row (summary, 1), "email"), ==, "ann@example.com");
  g_assert_cmpstr (json_object_get_string_member (item_by_row (summary, 2), "status"), ==, "failed");
  assert_contains (item_error (item_by_row (summary, 2)), "line 3: “not an address” is not a valid email address");
  g_assert_cmpstr (json_object_get_string_member (item_by_row (summary, 3), "status"), ==, "needs_review");
  /* Sources are reported exactly as the input gave them. */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                     json_object_get_array_member (item_by_row (summary, 1), "images"), 0), "source"), ==, "photos/1.jpg");
  assert_contains (r.err, "not a valid email address");
  result_clear (&r);
}

static void
test_images_and_folders (void)
{
  g_autofree char *db = g_build_filename (server.dir, "images.db", NULL);
  g_autofree char *stray = g_build_filename (server.photo_dir, "notes.txt", NULL);
  const char *args[] = { "--json", "-j", "1", "-o", "img-out", "--db", db, "photos", NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *summary;
  JsonArray *items;
  Result r;

  g_assert_true (g_file_set_contents (stray, "not an image", -1, NULL));
  run_vetter (args, &r);
  g_assert_cmpint (r.status, ==, 0);
  summary = parse_summary (&r, parser);
  items = json_object_get_array_member (summary, "items");
  /* Image files only, in name order; the text file is not an image. */
  g_assert_cmpuint (json_array_get_length (items), ==, server.photos->len);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                     json_object_get_array_member (item_by_row (summary, 1), "images"), 0), "source"), ==, "photos/0.jpg");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (summary, "output_csv")), ==, 0);
  g_unlink (stray);
  result_clear (&r);
}

static void
test_usage_errors (void)
{
  g_autofree char *unknown = write_file ("prices.csv", "name,price\nshoe,10\n");
  g_autofree char *empty = write_file ("empty.csv", "");
  g_autofree char *missing_column = write_file ("partial.csv", "S. No.,Product Name\n1,x\n");
  struct { const char *args[6]; const char *message; } cases[] = {
    { { unknown, NULL }, "the header is not one Vetter recognises" },
    { { empty, NULL }, "the file is empty" },
    { { missing_column, NULL }, "the column “Input Image Urls” is missing" },
    { { "no-such-file.jpg", NULL }, "no-such-file.jpg: no such file or folder" },
    { { "-j", "0", unknown, NULL }, "--jobs must be between 1 and 256" },
    { { "--quality", "101", unknown, NULL }, "--quality must be between 1 and 100" },
    { { NULL }, "no INPUT given" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Result r;

      run_vetter (cases[i].args, &r);
      g_assert_cmpint (r.status, ==, 2);
      assert_contains (r.err, cases[i].message);
      result_clear (&r);
    }
}

static void
test_variant_options (void)
{
  g_autofree char *db = g_build_filename (server.dir, "variants.db", NULL);
  g_autofree char *image = g_build_filename (server.photo_dir, "0.jpg", NULL);
  const char *args[] = { "--json", "--quality", "30", "--variant", "square=off", "--variant", "thumb=200@70",
                         "--variant", "landscape=640x360", "-o", "variant-out", "--db", db, image, NULL };
  const char *bad[] = { "--variant", "square=12x", image, NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *image_object;
  JsonArray *variants;
  Result r;

  run_vetter (args, &r);
  g_assert_cmpint (r.status, ==, 0);
  image_object = json_array_get_object_element (json_object_get_array_member (item_by_row (parse_summary (&r, parser), 1), "images"), 0);
  variants = json_object_get_array_member (image_object, "variants");
  g_assert_cmpuint (json_array_get_length (variants), ==, 4);
  check_variant_file (json_array_get_object_element (variants, 0),
                      (int) json_object_get_int_member (image_object, "width"),
                      (int) json_object_get_int_member (image_object, "height"), 30);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (variants, 2), "kind"), ==, "landscape");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (variants, 2), "width"), ==, 640);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (variants, 3), "width"), ==, 200);
  result_clear (&r);

  run_vetter (bad, &r);
  g_assert_cmpint (r.status, ==, 2);
  assert_contains (r.err, "KIND=WIDTHxHEIGHT[@QUALITY]");
  result_clear (&r);
}

/* On a terminal, progress is one line redrawn in place with a bar. */
static void
test_progress_bar_on_a_terminal (void)
{
  g_autofree char *db = g_build_filename (server.dir, "tty.db", NULL);
  g_autofree char *log = g_build_filename (server.dir, "tty.log", NULL);
  g_autofree char *command = g_strdup_printf ("%s batch --db %s -o tty-out photos", g_getenv ("VETTER_BINARY"), db);
  g_autofree char *out = NULL;
  const char *argv[] = { "script", "-q", "-e", "-c", command, log, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (g_find_program_in_path ("script") == NULL)
    g_error ("script(1) from util-linux is needed to give the runner a terminal");
  g_spawn_sync (server.dir, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (g_file_get_contents (log, &out, NULL, NULL));
  assert_contains (out, "\r[");
  assert_contains (out, "##############################] 100%");
  assert_contains (out, "items/s");
  /* No plain progress lines: those are for logs. */
  g_assert_null (strstr (out, "items (100%)"));
}

/* ---- Killed midway, resumed ----------------------------------------------- */

static void
test_kill_and_resume (void)
{
  g_autoptr(GString) csv = g_string_new ("S. No.,Product Name,Input Image Urls\n");
  g_autofree char *csv_path = NULL;
  g_autofree char *db = g_build_filename (server.dir, "kill.db", NULL);
  g_autofree char *out = g_build_filename (server.dir, "kill-out", NULL);
  const char *args[] = { "-j", "2", "-o", out, "--db", db, NULL, NULL };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  const guint n = 60;
  gint64 deadline;
  int done = 0;
  Result r;

  for (guint i = 0; i < n; i++)
    g_string_append_printf (csv, "%u,Item %u,\"photos/%u.jpg,photos/%u.jpg\"\n", i + 1, i, i % 8, (i + 3) % 8);
  csv_path = write_file ("kill.csv", csv->str);
  args[6] = csv_path;

  process = spawn_vetter (args, "killed");
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      g_usleep (20000);
      if (g_file_test (db, G_FILE_TEST_EXISTS) &&
          (done = query_int (db, "SELECT count(*) FROM item WHERE status NOT IN ('queued', 'processing')")) >= 5)
        break;
    }
  g_assert_cmpint (done, >=, 5);
  g_assert_cmpint (done, <, (int) n);
  g_subprocess_send_signal (process, SIGKILL);
  g_subprocess_wait (process, NULL, NULL);

  {
    const char *again[] = { "--json", "-j", "2", "-o", out, "--db", db, csv_path, NULL };
    JsonObject *summary;

    run_vetter (again, &r);
    g_assert_cmpint (r.status, ==, 0);
    summary = parse_summary (&r, parser);
    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (summary, "totals"), "items"), ==, n);
    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (summary, "totals"), "needs_review"), ==, n);
  }

  /* Every item exactly once, every image's results once, nothing half-written. */
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM item"), ==, n);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM image"), ==, 2 * n);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM variant"), ==, 2 * n * 5);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM (SELECT image_id, name FROM step GROUP BY image_id, name HAVING count(*) > 1)"), ==, 0);
  g_assert_cmpint (query_int (db, "SELECT count(DISTINCT image_id) FROM step"), ==, 2 * n);
  {
    g_autoptr(GDir) top = g_dir_open (out, 0, NULL);
    const char *name;
    guint files = 0;

    while ((name = g_dir_read_name (top)))
      {
        g_autofree char *sub = g_build_filename (out, name, NULL);
        g_autoptr(GDir) dir = g_dir_open (sub, 0, NULL);
        const char *file;

        if (dir == NULL)
          continue;
        while ((file = g_dir_read_name (dir)))
          {
            g_assert_true (g_str_has_suffix (file, ".jpg"));
            files++;
          }
      }
    g_assert_cmpuint (files, ==, 2 * n * 5);
  }
  result_clear (&r);
}

/* A big input goes in a part at a time, the first items processed while
 * the rest are added; killed while it is still being filled, the same
 * input given again adds the rest, after what was there: every row once,
 * each processed once, and the batch finished only when whole. */
static void
test_kill_while_filling (void)
{
  g_autoptr(GString) csv = g_string_new ("S. No.,Product Name,Input Image Urls\n");
  g_autofree char *csv_path = NULL;
  g_autofree char *db = g_build_filename (server.dir, "filling.db", NULL);
  g_autofree char *out = g_build_filename (server.dir, "filling-out", NULL);
  const char *args[] = { "-j", "2", "-o", out, "--db", db, NULL, NULL };
  g_autoptr(GSubprocess) process = NULL;
  const guint n = 40000;
  gint64 deadline;
  int filling = 0, done = 0;
  Result r;

  /* Rows whose image is not there fail at once: the queue alone. */
  for (guint i = 0; i < n; i++)
    g_string_append_printf (csv, "%u,Item %u,/nonexistent/%u.jpg\n", i + 1, i, i);
  csv_path = write_file ("filling.csv", csv->str);
  args[6] = csv_path;

  process = spawn_vetter (args, "filling");
  deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      g_usleep (20000);
      if (!g_file_test (db, G_FILE_TEST_EXISTS) ||
          query_int (db, "SELECT count(*) FROM sqlite_master WHERE name = 'batch'") == 0)
        continue;
      filling = query_int (db, "SELECT coalesce (max (filling), 0) FROM batch");
      done = query_int (db, "SELECT count(*) FROM item WHERE status = 'failed'");
      if (filling && done > 0)
        break;
    }
  /* Items were done before the last rows were in. */
  g_assert_cmpint (filling, ==, 1);
  g_assert_cmpint (done, >, 0);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM item"), <, (int) n);
  g_subprocess_send_signal (process, SIGKILL);
  g_subprocess_wait (process, NULL, NULL);

  {
    const char *again[] = { "-j", "2", "-o", out, "--db", db, csv_path, NULL };

    run_vetter (again, &r);
    g_assert_cmpint (r.status, ==, 1);   /* every row failed, as it should */
  }
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM item"), ==, n);
  g_assert_cmpint (query_int (db, "SELECT count(DISTINCT row) FROM item"), ==, n);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM item WHERE status = 'failed'"), ==, n);
  g_assert_cmpint (query_int (db, "SELECT filling FROM batch"), ==, 0);
  g_assert_cmpint (query_int (db, "SELECT state = 'done' FROM batch"), ==, 1);
  result_clear (&r);
}

/* ---- Resumed beside a finished batch ------------------------------------- */

/* A batch killed midway, given again with one that finished before: the
 * run waits for the unfinished one (the finished one saying again that it
 * is finished once ended the wait, with the other's items still queued). */
static void
test_resume_beside_finished_batch (void)
{
  g_autoptr(GString) text = g_string_new ("S. No.,Product Name,Input Image Urls\n");
  g_autofree char *db = g_build_filename (server.dir, "beside.db", NULL);
  g_autofree char *out = g_build_filename (server.dir, "beside-out", NULL);
  g_autofree char *finished_path = write_file ("finished.csv",
                                               "S. No.,Product Name,Input Image Urls\n1,Done,photos/1.jpg\n");
  g_autofree char *resumed_path = NULL;
  gint64 deadline;
  Result r;

  for (guint i = 0; i < 30; i++)
    g_string_append_printf (text, "%u,Item %u,photos/%u.jpg\n", i + 1, i, i % 8);
  resumed_path = write_file ("resumed.csv", text->str);
  {
    const char *args[] = { "-o", out, "--db", db, finished_path, NULL };

    run_vetter (args, &r);
    g_assert_cmpint (r.status, ==, 0);
    result_clear (&r);
  }
  {
    const char *args[] = { "-o", out, "--db", db, resumed_path, NULL };
    g_autoptr(GSubprocess) process = spawn_vetter (args, "beside");

    deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
    while (query_int (db, "SELECT count(*) FROM item") < 31)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_usleep (2000);
      }
    g_subprocess_send_signal (process, SIGKILL);
    g_subprocess_wait (process, NULL, NULL);
  }
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM item WHERE status = 'queued'"), >, 0);

  {
    const char *args[] = { "-o", out, "--db", db, resumed_path, finished_path, NULL };

    run_vetter (args, &r);
    g_assert_cmpint (r.status, ==, 0);
    assert_contains (r.err, "31 items:");
    result_clear (&r);
  }
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM item WHERE status = 'needs_review'"), ==, 31);
}

/* ---- A kill campaign ------------------------------------------------------ */

static char *
query_text (const char *db_path,
            const char *sql)
{
  sqlite3 *db;
  sqlite3_stmt *stmt;
  char *value = NULL;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 2000);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static int
items_done (const char *db)
{
  if (!g_file_test (db, G_FILE_TEST_EXISTS))
    return 0;
  return query_int (db, "SELECT count(*) FROM item WHERE status NOT IN ('queued', 'processing')");
}

/* Waits until @process has exited, or until @ms have passed since @start,
 * or, with @items_target, until that many items are done. */
static void
wait_for_moment (GSubprocess *process,
                 const char  *db,
                 gint64       start,
                 gint64       ms,
                 int          items_target)
{
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  while (g_subprocess_get_identifier (process) != NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      if (items_target > 0 ? items_done (db) >= items_target : g_get_monotonic_time () - start >= ms * 1000)
        return;
      g_usleep (5000);
    }
}

/* `vetter batch` killed (kill -9) again and again, each time at a moment
 * drawn from the test's random seed (run with --seed to replay a
 * campaign): while it starts, midway through the items (three times, the
 * batch further on each time), while it starts again over half-done work,
 * and twice once every item is done, while the output CSV and the summary
 * are written. Then a run to the end. Every row is there once, with its
 * images' results and files once each, the output CSV whole, no temporary
 * file left, and the database sound after every kill. A kill from outside
 * is no crash: no item is set aside for it. */
static void
test_kill_campaign (void)
{
  static const char * const moments[] = { "while starting", "midway", "midway", "midway", "while starting",
                                          "at the end", "at the end" };
  const guint n = 80;
  g_autoptr(GString) csv = g_string_new ("S. No.,Product Name,Input Image Urls\n");
  g_autofree char *csv_path = NULL;
  g_autofree char *db = g_build_filename (server.dir, "campaign.db", NULL);
  g_autofree char *out = g_build_filename (server.dir, "campaign-out", NULL);
  g_autofree char *output_csv = NULL;
  const char *args[] = { "--json", "-j", "2", "-o", out, "--db", db, NULL, NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *totals;
  Result r;

  for (guint i = 0; i < n; i++)
    g_string_append_printf (csv, "%u,Item %u,photos/%u.jpg\n", i + 1, i, i % 8);
  csv_path = write_file ("campaign.csv", csv->str);
  args[7] = csv_path;

  for (guint round = 0; round < G_N_ELEMENTS (moments); round++)
    {
      g_autofree char *tag = g_strdup_printf ("campaign-%u", round);
      int done = items_done (db);
      g_autoptr(GSubprocess) process = spawn_vetter (args, tag);
      gint64 start = g_get_monotonic_time ();

      if (g_str_equal (moments[round], "while starting"))
        wait_for_moment (process, db, start, g_test_rand_int_range (0, 400), 0);
      else if (g_str_equal (moments[round], "midway"))
        wait_for_moment (process, db, start, 0, done + g_test_rand_int_range (1, MAX (2, ((int) n - done) / 3)));
      else
        {
          wait_for_moment (process, db, start, 0, (int) n);
          g_usleep ((gulong) g_test_rand_int_range (0, 40000));
        }
      g_test_message ("round %u: killed %s, after %" G_GINT64_FORMAT " ms, %d items done", round, moments[round],
                      (g_get_monotonic_time () - start) / 1000, items_done (db));
      g_subprocess_send_signal (process, SIGKILL);
      g_subprocess_wait (process, NULL, NULL);
      if (g_file_test (db, G_FILE_TEST_EXISTS))
        {
          g_autofree char *check = query_text (db, "PRAGMA integrity_check");

          g_assert_cmpstr (check, ==, "ok");
        }
    }

  run_vetter (args, &r);
  g_assert_cmpint (r.status, ==, 0);
  totals = json_object_get_object_member (parse_summary (&r, parser), "totals");
  g_assert_cmpint (json_object_get_int_member (totals, "items"), ==, n);
  g_assert_cmpint (json_object_get_int_member (totals, "needs_review"), ==, (int) n);

  g_assert_cmpint (query_int (db, "SELECT count(*) FROM item"), ==, n);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM item WHERE status = 'needs_review'"), ==, (int) n);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM image"), ==, n);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM variant"), ==, (int) n * 5);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM (SELECT image_id, name FROM step GROUP BY image_id, name HAVING count(*) > 1)"), ==, 0);
  {
    g_autofree char *check = query_text (db, "PRAGMA integrity_check");

    g_assert_cmpstr (check, ==, "ok");
  }

  /* The files: five variants per processed image, nothing half-written. */
  {
    g_autoptr(GDir) top = g_dir_open (out, 0, NULL);
    const char *name;
    int files = 0;

    while ((name = g_dir_read_name (top)))
      {
        g_autofree char *sub = g_build_filename (out, name, NULL);
        g_autoptr(GDir) dir = g_dir_open (sub, 0, NULL);
        const char *file;

        if (dir == NULL)
          {
            g_assert_true (g_str_equal (name, "campaign-output.csv") || g_str_equal (name, "summary.json"));
            continue;
          }
        while ((file = g_dir_read_name (dir)))
          {
            g_assert_true (g_str_has_suffix (file, ".jpg"));
            files++;
          }
      }
    g_assert_cmpint (files, ==, (int) n * 5);
  }

  /* The output CSV: the header and every row once, in the input's order. */
  {
    g_autofree char *path = g_build_filename (out, "campaign-output.csv", NULL);
    g_auto(GStrv) lines = NULL;

    g_assert_true (g_file_get_contents (path, &output_csv, NULL, NULL));
    lines = g_strsplit (output_csv, "\r\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, n + 2);
    g_assert_cmpstr (lines[n + 1], ==, "");
    for (guint i = 0; i < n; i++)
      {
        g_autofree char *start = g_strdup_printf ("%u,Item %u,", i + 1, i);

        g_assert_true (g_str_has_prefix (lines[i + 1], start));
      }
  }
  result_clear (&r);
}

/* ---- An image that kills Vetter ------------------------------------------- */

/* Vetter crashes twice while one item is in a worker: the third run sets
 * that item aside, failed with a word saying why, and finishes the rest,
 * instead of crashing on it forever. The item here hangs on a server that
 * never answers, which is when the crash is brought about (SIGSEGV, as a
 * fault in a decoder raises). */
static void
test_poisoned_item_set_aside (void)
{
  g_autofree char *db = g_build_filename (server.dir, "poison.db", NULL);
  g_autofree char *out = g_build_filename (server.dir, "poison-out", NULL);
  g_autofree char *text = g_strdup_printf ("S. No.,Product Name,Input Image Urls\n"
                                           "1,Deadly,%s/hang.jpg\n"
                                           "2,Fine,photos/1.jpg\n"
                                           "3,Also fine,photos/2.jpg\n", server.base);
  g_autofree char *csv_path = write_file ("poison.csv", text);
  const char *args[] = { "--json", "-j", "1", "-o", out, "--db", db, csv_path, NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *summary;
  JsonArray *items;
  Result r;

  for (guint death = 0; death < 2; death++)
    {
      guint hanging = g_slist_length (server.hanging);
      g_autoptr(GSubprocess) process = spawn_vetter (args, death == 0 ? "poison-1" : "poison-2");
      gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

      /* Crashed while the item waits in its worker (a moment after its
       * request arrives, by when the store knows a worker has it). */
      while (g_slist_length (server.hanging) == hanging)
        {
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_main_context_iteration (NULL, FALSE);
          g_usleep (5000);
        }
      g_usleep (300000);
      g_subprocess_send_signal (process, SIGSEGV);
      g_subprocess_wait (process, NULL, NULL);
      g_assert_false (g_subprocess_get_if_exited (process));
    }

  run_vetter (args, &r);
  g_assert_cmpint (r.status, ==, 1);
  summary = parse_summary (&r, parser);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (summary, "totals"), "failed"), ==, 1);
  items = json_object_get_array_member (summary, "items");
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);

      if (g_str_equal (json_object_get_string_member (item, "status"), "failed"))
        {
          g_assert_cmpstr (json_object_get_string_member (item, "title"), ==, "Deadly");
          g_assert_cmpstr (json_object_get_string_member (item, "error"), ==,
                           "processing this image crashed Vetter twice; it is set aside");
        }
    }
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM item WHERE status = 'needs_review'"), ==, 2);
  result_clear (&r);
}

/* A big input whose rows all fail: the run names the first thousand, then
 * says how many more, and where to see them all; the JSON summary still
 * has every item. */
static void
test_many_failures_summarised (void)
{
  g_autoptr(GString) text = g_string_new ("S. No.,Product Name,Input Image Urls\n");
  g_autofree char *csv_path = NULL;
  g_autofree char *db = g_build_filename (server.dir, "many.db", NULL);
  g_autofree char *out = g_build_filename (server.dir, "many-out", NULL);
  const char *args[] = { "--json", "-j", "2", "-o", out, "--db", db, NULL, NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *summary;
  Result r;
  guint named = 0;

  for (guint i = 1; i <= 1003; i++)
    g_string_append_printf (text, "%u,Item %u,/nonexistent/%u.jpg\n", i, i, i);
  csv_path = write_file ("many.csv", text->str);
  args[7] = csv_path;
  run_vetter (args, &r);
  g_assert_cmpint (r.status, ==, 1);
  for (const char *p = r.err; (p = strstr (p, "vetter: item ")) != NULL; p++)
    named++;
  g_assert_cmpuint (named, ==, 1000);
  g_assert_nonnull (strstr (r.err, "vetter: and 3 more failed items (`vetter list ads -f status=failed` lists them all)"));
  summary = parse_summary (&r, parser);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (summary, "items")), ==, 1003);
  result_clear (&r);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  start_server ();

  g_test_add_func ("/batch/products-over-http", test_products_over_http);
  g_test_add_func ("/batch/ads-csv", test_ads_csv);
  g_test_add_func ("/batch/images-and-folders", test_images_and_folders);
  g_test_add_func ("/batch/usage-errors", test_usage_errors);
  g_test_add_func ("/batch/variant-options", test_variant_options);
  g_test_add_func ("/batch/progress-bar-on-a-terminal", test_progress_bar_on_a_terminal);
  g_test_add_func ("/batch/kill-and-resume", test_kill_and_resume);
  g_test_add_func ("/batch/kill-while-filling", test_kill_while_filling);
  g_test_add_func ("/batch/kill-campaign", test_kill_campaign);
  g_test_add_func ("/batch/resume-beside-finished-batch", test_resume_beside_finished_batch);
  g_test_add_func ("/batch/poisoned-item-set-aside", test_poisoned_item_set_aside);
  g_test_add_func ("/batch/many-failures-summarised", test_many_failures_summarised);

  status = g_test_run ();
  if (status == 0)
    test_remove_tree (server.dir);
  g_slist_free_full (server.hanging, g_object_unref);
  g_clear_object (&server.server);
  return status;
}
