/* vetter-test-keys.h: keys pressed as a person presses them
 *
 * Through the X server (XTest), so that they reach the window as real key
 * events, queued in the order typed, whatever the window is busy with.
 * Used by the window tests and by the review benchmark.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Gives @window the keyboard (there is no window manager under Xvfb). */
void     test_keys_focus  (GtkWindow  *window);
/* Presses and releases one key (a GDK keyval), with Shift where the
 * keyboard needs it. Returns at once: the window sees it when it next
 * reads its events. */
void     test_keys_press  (GtkWindow  *window,
                           guint       keyval);
/* Presses keys named as GDK names them, separated by spaces:
 * "a r 2 Return Escape". */
void     test_keys_names  (GtkWindow  *window,
                           const char *names);
/* Types @text, a character at a time. */
void     test_keys_text   (GtkWindow  *window,
                           const char *text);

G_END_DECLS
