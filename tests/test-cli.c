/* test-cli.c: the command line contract of `vetter`, without a display
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <string.h>
#include <sys/wait.h>

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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/batch-help-without-display", test_batch_help_without_display);
  g_test_add_func ("/cli/batch-unknown-option", test_batch_unknown_option);

  return g_test_run ();
}
