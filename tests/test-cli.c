/* test-cli.c: the command line contract of `vetter`, without a display
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/wait.h>

#include "vetter-csv.h"
#include "vetter-store.h"
#include "vetter-test-util.h"

#define PHOTOS "/usr/share/backgrounds/mate/nature"

static void
run_vetter (const char * const *args,
            char              **out,
            char              **err,
            int                *status)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  g_ptr_array_add (argv, (char *) g_getenv ("VETTER_BINARY"));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  /* No display at all: batch mode must not need one. */
  envp = g_environ_unsetenv (envp, "DISPLAY");
  envp = g_environ_unsetenv (envp, "WAYLAND_DISPLAY");

  g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                out, err, &wait_status, &error);
  g_assert_no_error (error);
  *status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : 128 + WTERMSIG (wait_status);
}

static void
test_batch_help_without_display (void)
{
  const char *args[] = { "batch", "--help", NULL };
  const char *options[] = { "--output-dir", "-o,", "--jobs", "-j,", "--quality", "--db", "--json", "--sync", "--callback", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  run_vetter (args, &out, &err, &status);
  g_assert_cmpint (status, ==, 0);
  for (guint i = 0; options[i]; i++)
    {
      if (strstr (out, options[i]) == NULL)
        g_error ("'%s' is missing from `vetter batch --help`:\n%s", options[i], out);
    }
  g_assert_nonnull (strstr (out, "INPUT"));
}

static void
test_batch_unknown_option (void)
{
  const char *args[] = { "batch", "--no-such-option", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  run_vetter (args, &out, &err, &status);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "--no-such-option"));
}

/* ---- vetter list ----------------------------------------------------------- */

/* `vetter list` reads a store a batch made, while another Vetter has it
 * open: CSV with a header, JSON lines typed as the columns are, filters,
 * search, sort and counts as the console has them; what it cannot do is
 * refused with exit status 2 and a message. */
static void
test_list (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "vetter.db", NULL);
  g_autofree char *out_dir = g_build_filename (dir, "out", NULL);
  g_autofree char *csv_path = g_build_filename (dir, "ads.csv", NULL);
  g_autofree char *csv = g_strdup_printf ("email,image,title\n"
                                          "a@example.com,%s/GreenMeadow.jpg,Meadow \"green\"\n"
                                          "b@example.com,%s/Storm.jpg,\"Storm, at sea\"\n"
                                          "b@example.com,%s/no-such-file.jpg,Missing\n", PHOTOS, PHOTOS, PHOTOS);
  g_autoptr(VetterStore) holder = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  g_assert_true (g_file_set_contents (csv_path, csv, -1, NULL));
  {
    const char *args[] = { "batch", "-j", "2", "--db", db, "-o", out_dir, csv_path, NULL };

    run_vetter (args, &out, &err, &status);
    g_assert_cmpint (status, ==, 1);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  /* Another Vetter holds the database. */
  holder = vetter_store_open (db, &error);
  g_assert_no_error (error);

  {
    const char *args[] = { "list", "ads", "--db", db, "--sort", "id", NULL };
    g_autoptr(VetterCsvReader) reader = NULL;
    g_autoptr(GPtrArray) fields = NULL;
    guint line, rows = 0;

    run_vetter (args, &out, &err, &status);
    g_assert_cmpint (status, ==, 0);
    reader = vetter_csv_reader_new (out, strlen (out));
    g_assert_true (vetter_csv_reader_next (reader, &fields, &line, &error));
    g_assert_cmpstr (fields->pdata[0], ==, "id");
    g_assert_cmpstr (fields->pdata[1], ==, "title");
    g_assert_cmpstr (fields->pdata[3], ==, "status");
    g_clear_pointer (&fields, g_ptr_array_unref);
    while (vetter_csv_reader_next (reader, &fields, &line, &error))
      {
        rows++;
        if (rows == 2)
          g_assert_cmpstr (fields->pdata[1], ==, "Storm, at sea");
        if (rows == 3)
          g_assert_cmpstr (fields->pdata[3], ==, "failed");
        g_clear_pointer (&fields, g_ptr_array_unref);
      }
    g_assert_no_error (error);
    g_assert_cmpuint (rows, ==, 3);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    const char *args[] = { "list", "ads", "--db", db, "--format", "json", "--search", "\"green\"", NULL };
    g_auto(GStrv) lines = NULL;
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *row;

    run_vetter (args, &out, &err, &status);
    g_assert_cmpint (status, ==, 0);
    lines = g_strsplit (out, "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, 2);
    g_assert_true (json_parser_load_from_data (parser, lines[0], -1, &error));
    row = json_node_get_object (json_parser_get_root (parser));
    g_assert_cmpint (json_object_get_int_member (row, "id"), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (row, "title"), ==, "Meadow \"green\"");
    g_assert_true (json_object_get_null_member (row, "note"));
    g_assert_true (g_str_has_suffix (json_object_get_string_member (row, "created"), "Z"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    const char *args[] = { "list", "advertisers", "--db", db, "--filter", "ads>=2", "--count", NULL };

    run_vetter (args, &out, &err, &status);
    g_assert_cmpint (status, ==, 0);
    g_assert_cmpstr (out, ==, "1\n");
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  /* A view saved in the console, taken up from the terminal, a filter on top. */
  g_assert_true (vetter_store_save_view (holder, "ads", "From b", "{\"filters\":[\"email=b@example.com\"],\"sort\":\"-id\"}",
                                         NULL, "ana", &error));
  {
    const char *args[] = { "list", "ads", "--db", db, "--view", "From b", "-f", "status=failed", "--format", "json", NULL };

    run_vetter (args, &out, &err, &status);
    g_assert_cmpint (status, ==, 0);
    g_assert_true (g_str_has_prefix (out, "{\"id\":3,\"title\":\"Missing\""));
    g_assert_cmpuint (strlen (out), ==, strcspn (out, "\n") + 1);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    struct { const char *args[8]; const char *message; } bad[] = {
      { { "list", "ads", "--db", db, "--view", "Nope", NULL }, "ads has no saved view “Nope”" },
      { { "list", "nope", "--db", db, NULL }, "there is no table “nope” (there are ads, images, batches" },
      { { "list", "ads", "--db", db, "-f", "id=x", NULL }, "id: “x” is not a whole number" },
      { { "list", "ads", "--db", db, "--sort", "-colour", NULL }, "ads has no field “colour”" },
      { { "list", "ads", "--db", db, "--format", "xml", NULL }, "--format is csv or json" },
      { { "list", "ads", "--db", "/nonexistent/vetter.db", NULL }, "/nonexistent/vetter.db: no such database" },
      { { "list", "--db", db, NULL }, "name one table" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        run_vetter (bad[i].args, &out, &err, &status);
        g_assert_cmpint (status, ==, 2);
        if (strstr (err, bad[i].message) == NULL)
          g_error ("%s: “%s” lacks “%s”", bad[i].args[1], err, bad[i].message);
        g_clear_pointer (&out, g_free);
        g_clear_pointer (&err, g_free);
      }
  }
  g_clear_object (&holder);
  test_remove_tree (dir);
}

/* ---- vetter worker ----------------------------------------------------------- */

/* The worker says what it needs, and the systemd unit shipped for servers
 * starts it with options it takes: with no shared database configured,
 * its command line fails only for that. */
static void
test_worker_needs_services_and_unit_starts_it (void)
{
  g_autofree char *unit = g_build_filename (g_getenv ("VETTER_TEST_BUILDDIR"), "..", "data", "vetter-worker@.service",
                                            NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) words = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;
  const char *help[] = { "worker", "--help", NULL };
  const char *s3_missing[] = { "worker", "--once", NULL };

  run_vetter (help, &out, &err, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "--once"));
  g_assert_nonnull (strstr (out, "--jobs"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_true (g_file_get_contents (unit, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], "ExecStart="))
      words = g_strsplit (lines[i] + strlen ("ExecStart="), " ", -1);
  g_assert_nonnull (words);
  g_assert_true (g_str_has_suffix (words[0], "/vetter"));
  for (guint i = 1; words[i]; i++)
    {
      /* As systemd would expand them for instance 1. */
      g_autofree char *word = g_strdup (words[i]);

      if (strstr (word, "${STATE_DIRECTORY}"))
        {
          g_free (word);
          word = g_build_filename (dir, "1.db", NULL);
        }
      g_ptr_array_add (args, g_steal_pointer (&word));
    }
  g_ptr_array_add (args, NULL);
  g_unsetenv ("VETTER_COUCHDB_URL");
  run_vetter ((const char * const *) args->pdata, &out, &err, &status);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "no shared database: set VETTER_COUCHDB_URL"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A database, and no bucket: said as clearly. */
  g_setenv ("VETTER_COUCHDB_URL", "http://127.0.0.1:9", TRUE);
  g_setenv ("VETTER_COUCHDB_USER", "w", TRUE);
  g_setenv ("VETTER_COUCHDB_PASSWORD", "p", TRUE);
  run_vetter (s3_missing, &out, &err, &status);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "no S3 bucket for the results"));
  g_unsetenv ("VETTER_COUCHDB_URL");
  g_unsetenv ("VETTER_COUCHDB_USER");
  g_unsetenv ("VETTER_COUCHDB_PASSWORD");
  test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/batch-help-without-display", test_batch_help_without_display);
  g_test_add_func ("/cli/batch-unknown-option", test_batch_unknown_option);
  g_test_add_func ("/cli/list", test_list);
  g_test_add_func ("/cli/worker-needs-services-and-unit-starts-it", test_worker_needs_services_and_unit_starts_it);

  return g_test_run ();
}
