/* vetter-ordered-call.h: running a function on another thread's main context
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Runs @func (@data) once on @context, after everything sent there before
 * at the same @priority; @destroy frees @data afterwards (or if it never
 * runs). A fresh idle source per call rather than g_main_context_invoke(),
 * which runs at once when the caller owns @context and so could overtake
 * what was sent earlier. */
void vetter_call_in_order (GMainContext   *context,
                           int             priority,
                           GSourceFunc     func,
                           gpointer        data,
                           GDestroyNotify  destroy);

G_END_DECLS
