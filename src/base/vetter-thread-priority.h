/* vetter-thread-priority.h: background threads that yield to the UI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Lowers the calling thread's priority (nice 10), once per thread: with as
 * many busy threads as cores, a thread at normal priority makes the UI
 * thread wait for a time slice on every frame. */
void vetter_thread_lower_priority (void);

G_END_DECLS
