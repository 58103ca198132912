/* vetter-crash-mark.h: whether the last run on a database crashed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A file beside the database (its name with "-crashed") that a crashing
 * Vetter writes to from its signal handler, so that the next run can tell a
 * crash (a fault, an abort) from a stop from outside (kill -9, a power cut,
 * a closed laptop). Work in flight at a crash is suspect; at a stop from
 * outside it is not. */
typedef struct _VetterCrashMark VetterCrashMark;

/* Whether the last run on @db_path ended without disarming its mark: it
 * crashed, or was stopped from outside. Before vetter_crash_mark_arm(). */
gboolean         vetter_crash_mark_left_armed   (const char      *db_path);
/* Reads whether the last run on @db_path crashed, then arms the mark for
 * this one. Returns NULL when the mark cannot be written (a read-only
 * folder): then no crash is ever reported. */
/* @crashed_items: (out) (optional): the items that were in a worker when
 * the last run crashed, as its mark names them. */
VetterCrashMark *vetter_crash_mark_arm          (const char      *db_path,
                                                 gboolean        *crashed_before,
                                                 GArray         **crashed_items);
/* A worker begins @item_id, and is done with it: what a crash mark then
 * names (of every database this process has open). Thread-safe, without
 * a lock or the database. Returns the place to leave, -1 if none. */
int              vetter_crash_mark_enter_worker (gint64           item_id);
void             vetter_crash_mark_leave_worker (int              place);
/* A clean end: the mark is removed. */
void             vetter_crash_mark_disarm       (VetterCrashMark *mark);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterCrashMark, vetter_crash_mark_disarm)

G_END_DECLS
