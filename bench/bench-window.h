/* bench-window.h: the real window, opened and fed as a moderator would
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vetter-application.h"
#include "vetter-window.h"

G_BEGIN_DECLS

/* The application, registered, and its window on screen: mapped and
 * drawn once (styles, fonts, the first layout belong to opening the
 * window, not to what is measured after). */
VetterWindow *bench_window_open        (VetterApplication **app);
/* Runs the main loop until the window has drawn a frame and nothing else
 * is pending: what was just shown is on screen. */
void          bench_window_settle      (VetterWindow       *window);
/* Drops @path on the window, as a file dragged onto it. */
void          bench_window_drop        (VetterWindow       *window,
                                        const char         *path);
/* Drops @path and returns once the batch it becomes is on screen. */
void          bench_window_drop_and_show (VetterWindow     *window,
                                          const char       *path);
/* Whether the newest batch is done. */
gboolean      bench_window_batch_done  (VetterWindow       *window);
/* Runs the main loop until @done (@data) says so. */
void          bench_wait_until         (gboolean          (*done) (gpointer data),
                                        gpointer             data);
/* The value at @fraction (0–1) of @values, sorted in place (doubles). */
double        bench_percentile         (GArray             *values,
                                        double              fraction);

G_END_DECLS
