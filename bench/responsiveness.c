/* responsiveness.c: does the window stay smooth while a batch runs?
 *
 * Opens the real window, drops a CSV of many ads on it, and measures how
 * late a 4 ms timer on the UI thread fires until the batch is done: any
 * lateness over one frame at 60 Hz (16.7 ms) is a stall a moderator would
 * see. Prints one JSON object.
 *
 * usage: responsiveness CSV
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <stdio.h>

#include "vetter-application.h"
#include "vetter-batch-object.h"
#include "vetter-window.h"

#define TICK_MS 4

typedef struct
{
  GArray       *lateness;   /* double, ms */
  gint64        last;
  gint64        started;
  VetterWindow *window;
  gboolean      done;
} Probe;

static gboolean
tick (gpointer data)
{
  Probe *probe = data;
  gint64 now = g_get_monotonic_time ();
  double late = (now - probe->last) / 1000.0 - TICK_MS;

  if (probe->last > 0)
    g_array_append_val (probe->lateness, late);
  if (probe->last > 0 && late > 1000.0 / 60 && g_getenv ("RESPONSIVENESS_TRACE"))
    g_printerr ("stall of %.1f ms at %.2f s\n", late, (now - probe->started) / 1e6);
  probe->last = now;
  return G_SOURCE_CONTINUE;
}

static void
on_painted (GdkFrameClock *clock,
            gboolean      *painted)
{
  *painted = TRUE;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(VetterApplication) app = NULL;
  g_autoptr(GFile) csv = NULL;
  g_autoptr(GError) error = NULL;
  Probe probe = { 0 };
  gint64 started;
  guint stalls = 0;
  double *values;
  guint n;

  gtk_init ();
  adw_init ();
  if (argc != 2)
    g_error ("usage: responsiveness CSV");

  app = vetter_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("%s", error->message);

  probe.lateness = g_array_new (FALSE, FALSE, sizeof (double));
  probe.window = vetter_window_new (GTK_APPLICATION (app));
  gtk_window_present (GTK_WINDOW (probe.window));
  /* A moderator drops files on a window already drawn: its first frame
   * (styles, fonts, the first layout) is the window opening, not a batch
   * running, and is left out. */
  {
    gboolean painted = FALSE;
    GdkFrameClock *clock;

    while (!gtk_widget_get_mapped (GTK_WIDGET (probe.window)))
      g_main_context_iteration (NULL, TRUE);
    clock = gtk_widget_get_frame_clock (GTK_WIDGET (probe.window));
    g_signal_connect (clock, "after-paint", G_CALLBACK (on_painted), &painted);
    gtk_widget_queue_draw (GTK_WIDGET (probe.window));
    while (!painted)
      g_main_context_iteration (NULL, TRUE);
    g_signal_handlers_disconnect_by_func (clock, on_painted, &painted);
    while (g_main_context_iteration (NULL, FALSE))
      ;
  }

  csv = g_file_new_for_commandline_arg (argv[1]);
  started = probe.started = g_get_monotonic_time ();
  vetter_window_add_files (probe.window, &csv, 1);
  g_timeout_add (TICK_MS, tick, &probe);

  for (;;)
    {
      GListModel *batches = vetter_window_get_batches (probe.window);
      g_autoptr(VetterBatchObject) batch = g_list_model_get_n_items (batches) ? g_list_model_get_item (batches, 0) : NULL;

      if (batch && vetter_batch_object_get_fraction (batch) >= 1.0)
        break;
      g_main_context_iteration (NULL, TRUE);
    }

  values = (double *) probe.lateness->data;
  n = probe.lateness->len;
  for (guint i = 0; i < n; i++)
    stalls += values[i] > 1000.0 / 60;
  g_array_sort (probe.lateness, compare_doubles);
  printf ("{\"seconds\": %.1f, \"ticks\": %u, \"p50_ms\": %.2f, \"p99_ms\": %.2f, \"max_ms\": %.2f, \"over_one_frame\": %u}\n",
          (g_get_monotonic_time () - started) / 1e6, n,
          n ? values[n / 2] : 0, n ? values[(guint) (n * 0.99)] : 0, n ? values[n - 1] : 0, stalls);
  gtk_window_destroy (GTK_WINDOW (probe.window));
  return 0;
}
