/* responsiveness.c: does the window stay smooth while a batch runs?
 *
 * Opens the real window, drops a CSV of many ads on it, and once the new
 * batch is on screen, measures how late a 4 ms timer on the UI thread
 * fires until the batch is done: any
 * lateness over one frame at 60 Hz (16.7 ms) is a stall a moderator would
 * see. With --review, the Review page is on screen meanwhile, its queue
 * growing as the rules leave ads for a person. Prints one JSON object.
 *
 * usage: responsiveness [--review] CSV
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <stdio.h>

#include "bench-window.h"

#define TICK_MS 4

typedef struct
{
  GArray       *lateness;   /* double, ms */
  gint64        last;
  gint64        started;
} Probe;

static gboolean
tick (gpointer data)
{
  Probe *probe = data;
  gint64 now = g_get_monotonic_time ();
  double late = (now - probe->last) / 1000.0 - TICK_MS;

  if (probe->last > 0)
    g_array_append_val (probe->lateness, late);
  /* Where the stall began on the monotonic clock: a profile recorded
   * with `perf record -k CLOCK_MONOTONIC` has it at that time. */
  if (probe->last > 0 && late > 1000.0 / 60 && g_getenv ("RESPONSIVENESS_TRACE"))
    g_printerr ("stall of %.1f ms at %.2f s (monotonic %.6f)\n", late, (now - probe->started) / 1e6, probe->last / 1e6);
  probe->last = now;
  return G_SOURCE_CONTINUE;
}

static gboolean
batch_done (gpointer window)
{
  return bench_window_batch_done (window);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(VetterApplication) app = NULL;
  Probe probe = { 0 };
  VetterWindow *window;
  gboolean review = argc == 3 && g_str_equal (argv[1], "--review");
  guint stalls = 0;
  guint n;

  if (argc != 2 && !review)
    g_error ("usage: responsiveness [--review] CSV");

  window = bench_window_open (&app);
  if (review)
    {
      gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "review");
      bench_window_settle (window);
    }
  /* Measured while the workers process: from the frame that shows the new
   * batch (the first one lays out the Queue page once per session). */
  bench_window_drop_and_show (window, argv[argc - 1]);
  probe.lateness = g_array_new (FALSE, FALSE, sizeof (double));
  probe.started = g_get_monotonic_time ();
  g_timeout_add (TICK_MS, tick, &probe);
  bench_wait_until (batch_done, window);

  n = probe.lateness->len;
  for (guint i = 0; i < n; i++)
    stalls += g_array_index (probe.lateness, double, i) > 1000.0 / 60;
  printf ("{\"seconds\": %.1f, \"ticks\": %u, \"p50_ms\": %.2f, \"p99_ms\": %.2f, \"max_ms\": %.2f, \"over_one_frame\": %u}\n",
          (g_get_monotonic_time () - probe.started) / 1e6, n, bench_percentile (probe.lateness, 0.5),
          bench_percentile (probe.lateness, 0.99), bench_percentile (probe.lateness, 1.0), stalls);
  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
