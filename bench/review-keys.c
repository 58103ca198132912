/* review-keys.c: the review loop at the speed of a moderator's hand
 *
 * Opens the real window, drops a CSV of ads on it, waits until they are
 * processed, and decides them in the Review page with real key presses
 * (XTest, through the X server). Two measures:
 *
 *   latency   one decision at a time, the moderator looking at each ad
 *             for a moment first: the time from the decision's last key
 *             to the end of the frame that draws the next ad.
 *   pace:MS   a key every MS milliseconds whatever is on screen; then
 *             every ad's decision, reason and note is read back from the
 *             store and compared with what was typed on it.
 *
 * The decisions follow one pattern of ten: mostly approvals, rejections
 * with reasons 2 and 4, one "Other" (reason 6) with a typed note.
 * Prints one JSON object.
 *
 * usage: review-keys CSV latency|pace:MS [DECISIONS]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench-window.h"
#include "vetter-engine.h"
#include "vetter-review-cursor.h"
#include "vetter-review-page.h"
#include "vetter-test-keys.h"

#define LOOK_MS 300

typedef struct
{
  VetterStatus  status;
  const char   *reason;
  const char   *keys;      /* as GDK names them */
  gboolean      noted;     /* then a note typed, and Return */
} Plan;

/* Ten decisions as a moderator makes them: mostly approvals, a few
 * rejections with a reason, one with a note. */
static const Plan pattern[] = {
  { VETTER_STATUS_APPROVED, NULL, "a", FALSE },
  { VETTER_STATUS_REJECTED, "irrelevant", "r 2", FALSE },
  { VETTER_STATUS_APPROVED, NULL, "a", FALSE },
  { VETTER_STATUS_APPROVED, NULL, "a", FALSE },
  { VETTER_STATUS_APPROVED, NULL, "a", FALSE },
  { VETTER_STATUS_REJECTED, "other", "r 6", TRUE },
  { VETTER_STATUS_APPROVED, NULL, "a", FALSE },
  { VETTER_STATUS_APPROVED, NULL, "a", FALSE },
  { VETTER_STATUS_REJECTED, "duplicate", "r 4", FALSE },
  { VETTER_STATUS_APPROVED, NULL, "a", FALSE },
};
#define PATTERN G_N_ELEMENTS (pattern)

typedef struct
{
  VetterWindow     *window;
  VetterReviewPage *page;
  gint64            painted_item;   /* the item on screen at the last frame */
  gint64            painted_at;
} Run;

static void
on_after_paint (GdkFrameClock *clock,
                Run           *run)
{
  gint64 shown = vetter_review_page_get_current_item (run->page);

  if (g_getenv ("REVIEW_KEYS_TRACE"))
    g_printerr ("TIMING paint at %.2f shown %ld\n", g_get_monotonic_time () / 1000.0, (long) shown);
  if (shown != run->painted_item)
    {
      run->painted_item = shown;
      run->painted_at = g_get_monotonic_time ();
    }
}

static void
on_phase (GdkFrameClock *clock,
          const char    *phase)
{
  g_printerr ("TIMING %s at %.2f\n", phase, g_get_monotonic_time () / 1000.0);
}

static char *
note_for (guint index)
{
  return g_strdup_printf ("logo %u", index % 10);
}

/* The keys that decide ad @index, as GDK names them; the note as text. */
static char *
keys_for (guint   index,
          char  **text)
{
  const Plan *plan = &pattern[index % PATTERN];

  *text = plan->noted ? note_for (index) : NULL;
  return g_strdup (plan->keys);
}

static gboolean
batch_done (gpointer window)
{
  return bench_window_batch_done (window);
}

static gboolean
first_ad_drawn (gpointer data)
{
  Run *run = data;

  return run->painted_item != 0;
}

static void
spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (500);
}

static void
measure_latency (Run   *run,
                 guint  decisions)
{
  g_autoptr(GArray) latency = g_array_new (FALSE, FALSE, sizeof (double));
  double over_frame = 0;

  for (guint i = 0; i < decisions; i++)
    {
      g_autofree char *text = NULL;
      g_autofree char *keys = keys_for (i, &text);
      gint64 before = run->painted_item;
      gint64 pressed;
      double ms;

      spin (LOOK_MS);
      if (text)
        {
          /* The note is typed before the clock starts: Return decides. */
          test_keys_names (GTK_WINDOW (run->window), keys);
          spin (100);
          test_keys_text (GTK_WINDOW (run->window), text);
          spin (100);
          g_free (keys);
          keys = g_strdup ("Return");
        }
      else if (g_str_has_prefix (keys, "r "))
        {
          /* R opens the reasons; the clock starts at the reason's key. */
          char *reason = g_strdup (keys + 2);

          test_keys_names (GTK_WINDOW (run->window), "r");
          spin (100);
          g_free (keys);
          keys = reason;
        }
      pressed = g_get_monotonic_time ();
      if (g_getenv ("REVIEW_KEYS_TRACE"))
        g_printerr ("TIMING press at %.2f\n", pressed / 1000.0);
      test_keys_names (GTK_WINDOW (run->window), keys);
      while (run->painted_item == before && g_get_monotonic_time () - pressed < 5 * G_USEC_PER_SEC)
        g_main_context_iteration (NULL, TRUE);
      if (run->painted_item == before)
        break;
      ms = (run->painted_at - pressed) / 1000.0;
      if (g_getenv ("REVIEW_KEYS_TRACE"))
        g_printerr ("LATENCY %u %s %.1f\n", i, keys, ms);
      over_frame += ms > 1000.0 / 60;
      g_array_append_val (latency, ms);
    }
  printf ("{\"mode\": \"latency\", \"decisions\": %u, \"p50_ms\": %.1f, \"p90_ms\": %.1f, \"max_ms\": %.1f, "
          "\"over_one_frame\": %.0f}\n",
          latency->len, bench_percentile (latency, 0.5), bench_percentile (latency, 0.9),
          bench_percentile (latency, 1.0), over_frame);
}

typedef struct
{
  VetterItemDetail *item;
  gboolean          done;
} Read;

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Read *read = data;

  read->item = vetter_engine_item_detail_finish (VETTER_ENGINE (source), result, NULL);
  read->done = TRUE;
}

static gboolean
read_done (gpointer data)
{
  return ((Read *) data)->done;
}

static void
measure_pace (Run    *run,
              guint   pace_ms,
              guint   decisions,
              GArray *ids)
{
  VetterEngine *engine = vetter_window_get_engine (run->window);
  VetterReviewCursor *cursor = vetter_review_page_get_cursor (run->page);
  g_autoptr(GPtrArray) presses = g_ptr_array_new_with_free_func (g_free);
  guint right = 0, lost = 0, wrong = 0;
  gint64 started, finished;

  /* Every key, in order, one every @pace_ms. */
  for (guint i = 0; i < decisions; i++)
    {
      g_autofree char *text = NULL;
      g_autofree char *keys = keys_for (i, &text);
      g_auto(GStrv) names = g_strsplit (keys, " ", -1);

      for (guint k = 0; names[k]; k++)
        g_ptr_array_add (presses, g_strdup (names[k]));
      for (const char *p = text; p && *p; p = g_utf8_next_char (p))
        g_ptr_array_add (presses, g_strdup_printf ("%s", gdk_keyval_name (gdk_unicode_to_keyval (g_utf8_get_char (p)))));
      if (text)
        g_ptr_array_add (presses, g_strdup ("Return"));
    }

  started = g_get_monotonic_time ();
  for (guint k = 0; k < presses->len; k++)
    {
      gint64 due = started + (gint64) k * pace_ms * 1000;

      while (g_get_monotonic_time () < due)
        if (!g_main_context_iteration (NULL, FALSE))
          g_usleep (200);
      test_keys_names (GTK_WINDOW (run->window), presses->pdata[k]);
    }
  /* The last decision is on its way once the cursor has moved past it. */
  while (vetter_review_cursor_get_position (cursor) < decisions &&
         g_get_monotonic_time () - started < (gint64) presses->len * pace_ms * 1000 + 10 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  finished = g_get_monotonic_time ();
  spin (2000);

  for (guint i = 0; i < decisions && i < ids->len; i++)
    {
      const Plan *plan = &pattern[i % PATTERN];
      g_autofree char *note = plan->noted ? note_for (i) : NULL;
      Read read = { 0 };

      vetter_engine_item_detail_async (engine, g_array_index (ids, gint64, i), NULL, on_read, &read);
      bench_wait_until (read_done, &read);
      if (read.item == NULL || !vetter_status_is_final (read.item->status))
        lost++;
      else if (read.item->status == plan->status && g_strcmp0 (read.item->decision->reason_code, plan->reason) == 0 &&
               g_strcmp0 (read.item->decision->note, note) == 0)
        right++;
      else
        {
          wrong++;
          if (g_getenv ("REVIEW_KEYS_TRACE"))
            g_printerr ("ad %u (%s): meant %s %s “%s”, store says %s %s “%s”\n", i, read.item->title,
                        vetter_status_to_string (plan->status), plan->reason, note,
                        vetter_status_to_string (read.item->status), read.item->decision->reason_code,
                        read.item->decision->note);
        }
      g_clear_pointer (&read.item, vetter_item_detail_unref);
    }
  printf ("{\"mode\": \"pace\", \"pace_ms\": %u, \"decisions\": %u, \"right\": %u, \"lost\": %u, \"wrong\": %u, "
          "\"per_second\": %.2f}\n",
          pace_ms, decisions, right, lost, wrong, right / ((finished - started) / 1e6));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(VetterApplication) app = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  VetterReviewCursor *cursor;
  guint decisions;
  Run run = { 0 };

  if (argc < 3)
    g_error ("usage: review-keys CSV latency|pace:MS [DECISIONS]");
  decisions = argc > 3 ? (guint) atoi (argv[3]) : 100;

  run.window = bench_window_open (&app);
  run.page = vetter_window_get_review_page (run.window);
  bench_window_drop (run.window, argv[1]);
  bench_wait_until (batch_done, run.window);

  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (run.window)), "after-paint",
                    G_CALLBACK (on_after_paint), &run);
  if (g_getenv ("REVIEW_KEYS_TRACE"))
    {
      GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (run.window));

      g_signal_connect (clock, "before-paint", G_CALLBACK (on_phase), (gpointer) "before-paint");
      g_signal_connect (clock, "layout", G_CALLBACK (on_phase), (gpointer) "layout");
      g_signal_connect (clock, "paint", G_CALLBACK (on_phase), (gpointer) "paint");
    }
  gtk_widget_activate_action (GTK_WIDGET (run.window), "win.show-page", "s", "review");
  test_keys_focus (GTK_WINDOW (run.window));
  bench_wait_until (first_ad_drawn, &run);
  spin (500);

  cursor = vetter_review_page_get_cursor (run.page);
  decisions = MIN (decisions, vetter_review_cursor_get_n_items (cursor));
  for (guint i = 0; i < decisions; i++)
    {
      gint64 id = vetter_review_cursor_get_item_id (cursor, i);

      g_array_append_val (ids, id);
    }

  if (g_str_equal (argv[2], "latency"))
    measure_latency (&run, decisions);
  else if (g_str_has_prefix (argv[2], "pace:"))
    measure_pace (&run, (guint) atoi (argv[2] + 5), decisions, ids);
  else
    g_error ("unknown measure %s", argv[2]);
  gtk_window_destroy (GTK_WINDOW (run.window));
  return 0;
}
