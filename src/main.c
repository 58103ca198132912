/* main.c: the entry point, which picks the window or the headless runner
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <malloc.h>
#include <string.h>

#include "vetter-application.h"
#include "vetter-batch.h"
#include "vetter-list.h"
#include "vetter-worker.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(VetterApplication) app = NULL;

  /* An image's buffers (megabytes each) are mapped and given back to the
   * system when freed. By default the C library raises this threshold to
   * the largest buffer freed so far (up to 32 MB), after which buffers
   * come from its heaps and stay with the process: two workers on large
   * photographs kept tens of megabytes more than they were using. */
  mallopt (M_MMAP_THRESHOLD, 1024 * 1024);

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Batch mode must never touch GTK, so it is dispatched before the
   * application (and with it the display) exists. */
  if (argc > 1 && strcmp (argv[1], "batch") == 0)
    return vetter_batch_main (argc - 1, argv + 1);
  if (argc > 1 && strcmp (argv[1], "list") == 0)
    return vetter_list_main (argc - 1, argv + 1);
  if (argc > 1 && strcmp (argv[1], "worker") == 0)
    return vetter_worker_main (argc - 1, argv + 1);

  /* Before any thread starts: the environment is not thread-safe. */
  vetter_application_choose_renderer ();
  app = vetter_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
