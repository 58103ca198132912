/* console-window.c: does the window stay smooth while the console works a
 * million rows?
 *
 * Opens the real window on the database named by $VETTER_DB (made by
 * bench/console), shows the Console, and while a 4 ms timer on the UI
 * thread measures how late it fires, does what a moderator does: the ads
 * list, a search, a sort by title, the list of advertisers, the audit log,
 * back to the ads. Prints one JSON object: the time until each list was
 * whole, and the worst lateness of the timer.
 *
 * usage: console-window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <stdio.h>

#include "bench-window.h"
#include "vetter-console-page.h"

#define TICK_MS 4

typedef struct
{
  GArray     *lateness;   /* double, ms */
  gint64      last;
  const char *step;       /* what is being done */
  double      worst;      /* the worst lateness during it */
} Probe;

static gboolean
tick (gpointer data)
{
  Probe *probe = data;
  gint64 now = g_get_monotonic_time ();

  if (probe->last > 0)
    {
      double late = (now - probe->last) / 1000.0 - TICK_MS;

      g_array_append_val (probe->lateness, late);
      probe->worst = MAX (probe->worst, late);
      if (late > 1000.0 / 60 && g_getenv ("RESPONSIVENESS_TRACE"))
        g_printerr ("stall of %.1f ms during %s at %.3f\n", late, probe->step, now / 1e6);
    }
  probe->last = now;
  return G_SOURCE_CONTINUE;
}

static gboolean
list_whole (gpointer data)
{
  VetterTableModel *model = vetter_console_page_get_model (data);

  return model && vetter_table_model_is_ready (model);
}

static gboolean
list_asked (gpointer data)
{
  return !list_whole (data);
}

/* Runs @step and returns the milliseconds until its list is whole; notes
 * the worst lateness of the timer meanwhile. */
static double
timed (VetterConsolePage *page,
       Probe             *probe,
       GString           *steps,
       GString           *worst,
       const char        *what)
{
  gint64 start = g_get_monotonic_time ();
  double ms;

  /* The query starts when asked (a search after the entry's pause); its
   * end is when every key is in. */
  probe->worst = 0;
  bench_wait_until (list_asked, page);
  bench_wait_until (list_whole, page);
  ms = (g_get_monotonic_time () - start) / 1000.0;
  g_string_append_printf (steps, "%s\"%s\": %.0f", steps->len ? ", " : "", what, ms);
  g_string_append_printf (worst, "%s\"%s\": %.1f", worst->len ? ", " : "", what, probe->worst);
  return ms;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(VetterApplication) app = NULL;
  g_autoptr(GString) steps = g_string_new (NULL);
  g_autoptr(GString) worst = g_string_new (NULL);
  Probe probe = { g_array_new (FALSE, FALSE, sizeof (double)), 0, "opening", 0 };
  VetterWindow *window = bench_window_open (&app);
  VetterConsolePage *page = vetter_window_get_console_page (window);
  GtkColumnView *view = GTK_COLUMN_VIEW (gtk_widget_get_template_child (GTK_WIDGET (page), VETTER_TYPE_CONSOLE_PAGE,
                                                                        "column_view"));
  GtkEditable *search = GTK_EDITABLE (gtk_widget_get_template_child (GTK_WIDGET (page), VETTER_TYPE_CONSOLE_PAGE,
                                                                     "search_entry"));
  guint stalls = 0;

  g_timeout_add (TICK_MS, tick, &probe);
  probe.step = "ads";
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "console");
  timed (page, &probe, steps, worst, "ads");
  probe.step = "search";
  gtk_editable_set_text (search, "Civic");
  timed (page, &probe, steps, worst, "search");
  probe.step = "search cleared";
  gtk_editable_set_text (search, "");
  timed (page, &probe, steps, worst, "search cleared");
  probe.step = "sort";
  {
    GListModel *columns = gtk_column_view_get_columns (view);

    for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
      {
        g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

        if (g_strcmp0 (gtk_column_view_column_get_title (column), "Title") == 0)
          gtk_column_view_sort_by_column (view, column, GTK_SORT_ASCENDING);
      }
  }
  timed (page, &probe, steps, worst, "sort by title");
  probe.step = "advertisers";
  vetter_console_page_show_table (page, "advertisers");
  timed (page, &probe, steps, worst, "advertisers");
  probe.step = "audit";
  vetter_console_page_show_table (page, "audit");
  timed (page, &probe, steps, worst, "audit");
  probe.step = "ads again";
  vetter_console_page_show_table (page, "ads");
  timed (page, &probe, steps, worst, "ads again");
  bench_window_settle (window);

  for (guint i = 0; i < probe.lateness->len; i++)
    stalls += g_array_index (probe.lateness, double, i) > 1000.0 / 60;
  printf ("{\"ms_until_whole\": {%s}, \"worst_ms\": {%s}, \"ticks\": %u, \"p99_ms\": %.2f, \"max_ms\": %.2f, "
          "\"over_one_frame\": %u}\n",
          steps->str, worst->str, probe.lateness->len, bench_percentile (probe.lateness, 0.99),
          bench_percentile (probe.lateness, 1.0), stalls);
  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
