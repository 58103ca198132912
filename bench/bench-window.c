/* bench-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "bench-window.h"
#include "vetter-batch-object.h"

static void
on_painted (GdkFrameClock *clock,
            gboolean      *painted)
{
  *painted = TRUE;
}

VetterWindow *
bench_window_open (VetterApplication **app)
{
  g_autoptr(GError) error = NULL;
  VetterWindow *window;

  vetter_application_choose_renderer ();
  gtk_init ();
  adw_init ();
  *app = vetter_application_new ();
  g_application_set_flags (G_APPLICATION (*app), G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (*app), NULL, &error))
    g_error ("%s", error->message);

  window = vetter_window_new (GTK_APPLICATION (*app));
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (GTK_WIDGET (window)))
    g_main_context_iteration (NULL, TRUE);
  bench_window_settle (window);
  return window;
}

void
bench_window_settle (VetterWindow *window)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  gboolean painted = FALSE;

  g_signal_connect (clock, "after-paint", G_CALLBACK (on_painted), &painted);
  gtk_widget_queue_draw (GTK_WIDGET (window));
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handlers_disconnect_by_func (clock, on_painted, &painted);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
on_batch_added (VetterWindow *window,
                gint64        batch,
                gboolean      resumed,
                gint64       *added)
{
  *added = batch;
}

static gboolean
keep_awake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

void
bench_window_drop_and_show (VetterWindow *window,
                            const char   *path)
{
  gint64 added = 0;
  gulong handler = g_signal_connect (window, "batch-added", G_CALLBACK (on_batch_added), &added);
  guint tick = g_timeout_add (50, keep_awake, NULL);

  bench_window_drop (window, path);
  while (added == 0)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  g_signal_handler_disconnect (window, handler);
  bench_window_settle (window);
}

void
bench_window_drop (VetterWindow *window,
                   const char   *path)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);

  vetter_window_add_files (window, &file, 1);
}

gboolean
bench_window_batch_done (VetterWindow *window)
{
  GListModel *batches = vetter_window_get_batches (window);
  g_autoptr(VetterBatchObject) batch = g_list_model_get_n_items (batches) ? g_list_model_get_item (batches, 0) : NULL;

  return batch && vetter_batch_object_get_fraction (batch) >= 1.0;
}

void
bench_wait_until (gboolean (*done) (gpointer data),
                  gpointer   data)
{
  /* A tick looks at the condition again when nothing else wakes the loop. */
  guint tick = g_timeout_add (50, keep_awake, NULL);

  while (!done (data))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

double
bench_percentile (GArray *values,
                  double  fraction)
{
  guint index;

  if (values->len == 0)
    return 0;
  g_array_sort (values, compare_doubles);
  index = (guint) (fraction * (values->len - 1) + 0.5);
  return g_array_index (values, double, MIN (index, values->len - 1));
}
