/* vetter-batch.c: `vetter batch`, the headless runner
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-batch"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "vetter-batch.h"

int
vetter_batch_main (int    argc,
                   char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *output_dir = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *callback_url = NULL;
  g_auto(GStrv) inputs = NULL;
  int jobs = 0;
  int quality = 50;
  gboolean json = FALSE;
  gboolean sync = FALSE;
  const GOptionEntry entries[] = {
    { "output-dir", 'o', 0, G_OPTION_ARG_FILENAME, &output_dir, N_("Where the variants and output CSVs go (default: ./vetter-output)"), N_("DIR") },
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, N_("Worker threads (default: one per core)"), N_("N") },
    { "quality", 0, 0, G_OPTION_ARG_INT, &quality, N_("JPEG quality of the compressed variant (default: 50)"), N_("Q") },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("The SQLite database (default: in the user data directory)"), N_("PATH") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a machine-readable summary on standard output"), NULL },
    { "sync", 0, 0, G_OPTION_ARG_NONE, &sync, N_("Push results to the configured services and wait for the outbox"), NULL },
    { "callback", 0, 0, G_OPTION_ARG_STRING, &callback_url, N_("When the batch completes, POST its result to this URL (signed)"), N_("URL") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &inputs, NULL, N_("INPUT…") },
    { NULL }
  };

  context = g_option_context_new (_("INPUT… — process images and CSV files without a display"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Each INPUT is an image, a folder of images, or a CSV file of products or ads."));
  g_option_context_set_description (context,
                                    _("Exit status: 0 when every item was processed, 1 when some items failed,\n"
                                      "2 on a usage error, an unreadable input or an unrecognised CSV."));

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("vetter batch: %s\n", error->message);
      return 2;
    }

  g_printerr ("vetter batch: processing is not built yet\n");
  return 2;
}
