/* vetter-test-util.c: synthetic images and helpers shared by the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sqlite3.h>

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>

#include "vetter-batch-object.h"
#include "vetter-encode.h"
#include "vetter-test-util.h"
#include "vetter-window.h"

/* Blocks of random colour at three scales with fine noise on top: hard
 * edges everywhere and structure at every size, like foliage or a busy
 * street, so that a blurred copy keeps its shapes but loses its edges. */
void
test_paste_texture (VetterPixels *pixels,
                    int           x0,
                    int           y0,
                    int           width,
                    int           height,
                    guint32       seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  static const int scales[] = { 96, 24, 6 };
  g_autofree gint16 *acc = g_new0 (gint16, (gsize) width * height * 3);

  for (guint s = 0; s < G_N_ELEMENTS (scales); s++)
    {
      int block = scales[s];

      for (int by = 0; by < height; by += block)
        for (int bx = 0; bx < width; bx += block)
          {
            int c[3] = { g_rand_int_range (rand, -60, 61), g_rand_int_range (rand, -60, 61), g_rand_int_range (rand, -60, 61) };

            for (int y = by; y < MIN (by + block, height); y++)
              for (int x = bx; x < MIN (bx + block, width); x++)
                for (int k = 0; k < 3; k++)
                  acc[((gsize) y * width + x) * 3 + k] += (gint16) c[k];
          }
    }

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *p = vetter_pixels_row (pixels, y0 + y) + (x0 + x) * 3;
        int n = g_rand_int_range (rand, -8, 9);

        for (int k = 0; k < 3; k++)
          p[k] = (guint8) CLAMP (128 + acc[((gsize) y * width + x) * 3 + k] + n, 0, 255);
      }
}

VetterPixels *
test_textured (int     width,
               int     height,
               guint32 seed)
{
  VetterPixels *pixels = vetter_pixels_new (width, height);

  test_paste_texture (pixels, 0, 0, width, height, seed);
  return pixels;
}

void
test_fill (VetterPixels *pixels,
           int           x0,
           int           y0,
           int           width,
           int           height,
           guint8        r,
           guint8        g,
           guint8        b)
{
  for (int y = y0; y < y0 + height; y++)
    for (int x = x0; x < x0 + width; x++)
      {
        guint8 *p = vetter_pixels_row (pixels, y) + x * 3;

        p[0] = r;
        p[1] = g;
        p[2] = b;
      }
}

VetterPixels *
test_flat (int    width,
           int    height,
           guint8 r,
           guint8 g,
           guint8 b)
{
  VetterPixels *pixels = vetter_pixels_new (width, height);

  test_fill (pixels, 0, 0, width, height, r, g, b);
  return pixels;
}

/* A separable box blur of one region, applied three times: close to a
 * Gaussian, like a lens out of focus. */
void
test_box_blur (VetterPixels *pixels,
               int           x0,
               int           y0,
               int           width,
               int           height,
               int           radius)
{
  g_autofree int *line = g_new (int, MAX (width, height) * 3);

  for (int pass = 0; pass < 3; pass++)
    {
      for (int y = y0; y < y0 + height; y++)
        {
          guint8 *row = vetter_pixels_row (pixels, y);

          for (int x = 0; x < width; x++)
            for (int c = 0; c < 3; c++)
              {
                int sum = 0, n = 0;

                for (int k = -radius; k <= radius; k++)
                  {
                    int xx = CLAMP (x0 + x + k, x0, x0 + width - 1);
                    sum += row[xx * 3 + c];
                    n++;
                  }
                line[x * 3 + c] = sum / n;
              }
          for (int x = 0; x < width * 3; x++)
            row[x0 * 3 + x] = (guint8) line[x];
        }
      for (int x = x0; x < x0 + width; x++)
        {
          for (int y = 0; y < height; y++)
            for (int c = 0; c < 3; c++)
              {
                int sum = 0, n = 0;

                for (int k = -radius; k <= radius; k++)
                  {
                    int yy = CLAMP (y0 + y + k, y0, y0 + height - 1);
                    sum += vetter_pixels_row (pixels, yy)[x * 3 + c];
                    n++;
                  }
                line[y * 3 + c] = sum / n;
              }
          for (int y = 0; y < height; y++)
            for (int c = 0; c < 3; c++)
              vetter_pixels_row (pixels, y0 + y)[x * 3 + c] = (guint8) line[y * 3 + c];
        }
    }
}

char *
test_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("vetter-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)))
      {
        g_autofree char *child = g_build_filename (path, name, NULL);
        test_remove_tree (child);
      }
  g_remove (path);
}

char *
test_write_jpeg (const VetterPixels *pixels,
                 const char         *dir,
                 const char         *name,
                 int                 quality)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  vetter_encode_jpeg_file (pixels, quality, path, NULL, &error);
  g_assert_no_error (error);
  return path;
}

/* Intersection over union of two boxes. */
double
test_box_overlap (int ax, int ay, int aw, int ah,
                  int bx, int by, int bw, int bh)
{
  int ix = MAX (0, MIN (ax + aw, bx + bw) - MAX (ax, bx));
  int iy = MAX (0, MIN (ay + ah, by + bh) - MAX (ay, by));
  double inter = (double) ix * iy;

  return inter / ((double) aw * ah + (double) bw * bh - inter);
}

static gboolean
keep_awake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until @done says so; fails the test after a minute.
 * A tick wakes the loop now and then, so that a condition nothing
 * announces is looked at again, and the deadline is met even when
 * nothing happens at all. */
void
test_wait_until (gboolean (*done) (gpointer),
                 gpointer   data)
{
  test_wait_until_within (done, data, 60);
}

void
test_wait_until_within (gboolean (*done) (gpointer),
                        gpointer   data,
                        guint      seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  guint tick = g_timeout_add (100, keep_awake, NULL);

  while (!done (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
}

/* Runs the main loop for @ms milliseconds, whatever happens. */
void
test_spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < until)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
}

/* The application as a session has it, registered (so its startup has
 * run), on a database of its own in the new directory *@db_dir. */
VetterApplication *
test_start_application (char **db_dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;
  VetterApplication *app;

  *db_dir = test_tmpdir ();
  db = g_build_filename (*db_dir, "vetter.db", NULL);
  g_setenv ("VETTER_DB", db, TRUE);
  app = vetter_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  /* As g_application_run () would: the preferences find it this way. */
  g_application_set_default (G_APPLICATION (app));
  return app;
}

/* A loopback TCP port nobody listens on, for a server to start on. */
int
test_free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, address, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static gboolean
port_open (int port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = g_socket_client_connect_to_host (client, "127.0.0.1", (guint16) port, NULL, NULL);

  return connection != NULL;
}

/* The server goes when the test does, even when the test fails. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* s3rver (npm, pinned in tests/servers) on @port, keeping its objects in
 * @dir, with the bucket "vetter"; returns once it accepts connections. */
GSubprocess *
test_start_s3rver (const char *dir,
                   int         port)
{
  g_autofree char *binary = g_build_filename (g_getenv ("VETTER_TEST_SRCDIR"), "servers", "node_modules", ".bin", "s3rver", NULL);
  g_autofree char *port_text = g_strdup_printf ("%d", port);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  GSubprocess *process;

  if (!g_file_test (binary, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("%s is missing: run npm ci in tests/servers (the test command does)", binary);
  /* s3rver makes continuation tokens with a cipher that current Node
   * keeps behind its legacy provider. */
  g_subprocess_launcher_setenv (launcher, "NODE_OPTIONS", "--openssl-legacy-provider", TRUE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawn (launcher, &error, binary, "--directory", dir, "--port", port_text,
                                         "--address", "127.0.0.1", "--configure-bucket", "vetter", "--silent", NULL);
  g_assert_no_error (error);
  while (!port_open (port))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50000);
    }
  return process;
}

/* pouchdb-server (npm, pinned in tests/servers) on @port, in memory,
 * working in @dir; returns once it answers. It starts in "admin party":
 * the caller configures an admin first. */
GSubprocess *
test_start_pouchdb (const char *dir,
                    int         port)
{
  g_autofree char *binary = g_build_filename (g_getenv ("VETTER_TEST_SRCDIR"), "servers", "node_modules", ".bin",
                                              "pouchdb-server", NULL);
  g_autofree char *port_text = g_strdup_printf ("%d", port);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  GSubprocess *process;

  if (!g_file_test (binary, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("%s is missing: run npm ci in tests/servers (the test command does)", binary);
  g_subprocess_launcher_set_cwd (launcher, dir);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawn (launcher, &error, binary, "--in-memory", "--no-color", "--host", "127.0.0.1",
                                         "--port", port_text, NULL);
  g_assert_no_error (error);
  while (!port_open (port))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50000);
    }
  return process;
}

gboolean
test_flag_set (gpointer data)
{
  return *(gboolean *) data;
}

static void
on_engine_open (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vetter_engine_open_finish (VETTER_ENGINE (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

/* An engine on @db_path, open. */
VetterEngine *
test_open_engine (const char         *db_path,
                  const VetterConfig *config)
{
  VetterEngine *engine = vetter_engine_new (db_path, config);
  gboolean open = FALSE;

  vetter_engine_open_async (engine, NULL, on_engine_open, &open);
  test_wait_until (test_flag_set, &open);
  return engine;
}

typedef struct
{
  gboolean  done;
  gpointer  result;
  GError   *error;
} InStore;

static void
on_in_store (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  InStore *wait = user_data;

  wait->result = vetter_database_run_finish (VETTER_DATABASE (source), result, &wait->error);
  wait->done = TRUE;
}

/* Runs @func on the database thread, waits, and asserts it did not fail;
 * its result is the caller's. */
gpointer
test_run_in_database (VetterDatabase  *database,
                      gpointer       (*func) (VetterStore *, gpointer, GError **),
                      gpointer         data)
{
  InStore wait = { 0 };

  vetter_database_run_async (database, func, data, NULL, NULL, NULL, on_in_store, &wait);
  test_wait_until (test_flag_set, &wait.done);
  g_assert_no_error (wait.error);
  g_assert_nonnull (wait.result);
  return wait.result;
}

/* The same on the engine's database. */
gpointer
test_run_in_store (VetterEngine  *engine,
                   gpointer     (*func) (VetterStore *, gpointer, GError **),
                   gpointer       data)
{
  return test_run_in_database (vetter_engine_get_database (engine), func, data);
}

/* For test_wait_until: the newest batch of @window has finished. */
gboolean
test_batch_done (gpointer window)
{
  GListModel *batches = vetter_window_get_batches (window);
  g_autoptr(VetterBatchObject) batch = g_list_model_get_n_items (batches) ? g_list_model_get_item (batches, 0) : NULL;

  return batch && vetter_batch_object_get_state (batch) == VETTER_BATCH_DONE;
}

typedef struct
{
  VetterWindow *window;
  gint64        batch;
} Added;

static void
on_batch_added (VetterWindow *window,
                gint64        batch,
                gboolean      resumed,
                Added        *added)
{
  added->batch = batch;
}

static gboolean
added_batch_done (gpointer data)
{
  Added *added = data;
  GListModel *batches = vetter_window_get_batches (added->window);

  for (guint i = 0; added->batch && i < g_list_model_get_n_items (batches); i++)
    {
      g_autoptr(VetterBatchObject) batch = g_list_model_get_item (batches, i);

      if (vetter_batch_object_get_id (batch) == added->batch)
        return vetter_batch_object_get_state (batch) == VETTER_BATCH_DONE;
    }
  return FALSE;
}

/* Drops @file on @window and runs the main loop until the batch it
 * becomes is done. Returns: the batch's id. */
gint64
test_add_and_finish (VetterWindow *window,
                     GFile        *file)
{
  Added added = { window, 0 };
  gulong handler = g_signal_connect (window, "batch-added", G_CALLBACK (on_batch_added), &added);

  vetter_window_add_files (window, &file, 1);
  test_wait_until (added_batch_done, &added);
  g_signal_handler_disconnect (window, handler);
  return added.batch;
}

/* For test_wait_until: the review page has an item on screen, panel and all. */
gboolean
test_item_shown (gpointer review_page)
{
  gint64 shown = vetter_review_page_get_current_item (review_page);
  VetterItemDetailView *panel = vetter_review_page_get_detail_view (review_page);
  VetterItemDetail *item = panel ? vetter_item_detail_view_get_item (panel) : NULL;

  /* Its picture, and its side panel (filled a turn later when it was not
   * made ahead). */
  return shown != 0 && item && item->id == shown;
}

/* Every label's text under @widget, a line each, in order. */
char *
test_widget_text (GtkWidget *widget)
{
  GString *text = g_string_new ("");
  GtkWidget *stack[64];
  int depth = 0;

  stack[depth++] = widget;
  while (depth > 0)
    {
      GtkWidget *node = stack[--depth];

      if (GTK_IS_LABEL (node))
        g_string_append_printf (text, "%s\n", gtk_label_get_label (GTK_LABEL (node)));
      for (GtkWidget *child = gtk_widget_get_last_child (node); child && depth < 64;
           child = gtk_widget_get_prev_sibling (child))
        stack[depth++] = child;
    }
  return g_string_free (text, FALSE);
}

void
test_fill_twelve_ads (const char *db_path)
{
  static const char *titles[] = {
    "Toyota Corolla 2010", "corolla wagon", "50% off tyres", "tyres_50", "O'Brien's van",
    "\"Quoted\" bike", "'; DROP TABLE item; --", "Blue scooter", "Red scooter", "Honda Civic",
    "civic type r", "Trailer",
  };
  static const char *statuses[] = { "approved", "rejected", "needs_review" };
  g_autoptr(GString) sql = g_string_new ("BEGIN;"
                                         "INSERT INTO batch (id, key, source, kind, created) VALUES"
                                         " (1, 'k1', 'one.csv', 'ads', 0), (2, 'k2', 'two.csv', 'ads', 0);");

  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    {
      char *quoted = sqlite3_mprintf ("%Q", titles[i]);

      /* At noon, UTC: 1796126400 is 2026-12-01T12:00:00Z. */
      g_string_append_printf (sql,
                              "INSERT INTO item (id, batch_id, row, title, email, status, decided_by, created, updated, uid)"
                              " VALUES (%u, %u, %u, %s, '%s', '%s', '%s', %" G_GINT64_FORMAT ", 0, 'u%u');"
                              "INSERT INTO image (id, item_id, position, source, location) VALUES (%u, %u, 1,"
                              " 'https://cdn.example.com/ads/%u.jpg', '/tmp/%u.jpg');",
                              i + 1, i < 8 ? 1 : 2, i + 1, quoted, i % 2 ? "b@example.com" : "a@example.com",
                              statuses[i % 3], i % 3 == 2 ? "" : (i % 2 ? "ana" : "ben"),
                              (gint64) (1796126400 + 86400 * (i % 3)) * G_USEC_PER_SEC, i + 1, i + 1, i + 1, i + 1, i + 1);
      sqlite3_free (quoted);
    }
  g_string_append (sql, "INSERT INTO tag (image_id, label, confidence, source) VALUES"
                        " (1, 'car', 90, 'imagga'), (2, 'car', 80, 'imagga'), (8, 'scooter', 70, 'imagga');"
                        "INSERT INTO defect (image_id, kind, severity, confidence) VALUES (1, 'blur', 'high', 90),"
                        " (3, 'blur', 'low', 60), (3, 'dark', 'medium', 70);"
                        "COMMIT;");
  test_exec_sql (db_path, sql->str);
}

void
test_exec_sql (const char *db_path,
               const char *sql)
{
  sqlite3 *db;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

gint64
test_count_sql (const char *db_path,
                const char *sql)
{
  sqlite3 *db;
  sqlite3_stmt *stmt;
  gint64 count;

  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK || sqlite3_step (stmt) != SQLITE_ROW)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  count = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return count;
}

AdwMessageDialog *
test_find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

gboolean
test_dialog_shown (gpointer data)
{
  return test_find_dialog () != NULL;
}

void
test_answer_dialog (const char *response)
{
  AdwMessageDialog *dialog = test_find_dialog ();

  g_assert_nonnull (dialog);
  /* Responding does not close the dialog: its buttons do both. */
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
  while (g_main_context_iteration (NULL, FALSE))
    ;
}
