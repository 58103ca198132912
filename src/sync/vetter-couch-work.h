/* vetter-couch-work.h: taking the team's work from the shared database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vetter-couch-claims.h"
#include "vetter-couch-client.h"
#include "vetter-couch-setup.h"
#include "vetter-engine.h"

G_BEGIN_DECLS

/* How long a lease holds unless renewed (a third of it between renewals). */
#define VETTER_COUCH_LEASE_SECONDS (5 * 60)

#define VETTER_TYPE_COUCH_WORK (vetter_couch_work_get_type ())

G_DECLARE_FINAL_TYPE (VetterCouchWork, vetter_couch_work, VETTER, COUCH_WORK, GObject)

/* Takes `work:` documents that are queued, or leased and expired by the
 * server's clock, up to @slots at a time, each processed by @engine and
 * published with its results; "taken" (uid) and "finished" (uid, status
 * nick, error or NULL) as each goes; "idle" when a look found no work
 * queued or leased anywhere, and nothing is held here. @name names this machine in the leases. */
VetterCouchWork *vetter_couch_work_new       (VetterEngine      *engine,
                                              VetterCouchClient *client,
                                              VetterCouchSetup  *setup,
                                              const char        *name,
                                              guint              slots,
                                              guint              lease_seconds);
void             vetter_couch_work_start     (VetterCouchWork   *self);
/* This machine's clock (a test makes it fast). */
void             vetter_couch_work_set_clock (VetterCouchWork   *self,
                                              VetterClock        clock);
/* How many leases it holds now. */
guint            vetter_couch_work_get_held  (VetterCouchWork   *self);
/* Stops taking, and gives back the leases of ads not finished (a clean
 * stop is not an attempt); resolves when the server has them. */
void             vetter_couch_work_stop_async  (VetterCouchWork     *self,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean         vetter_couch_work_stop_finish (VetterCouchWork     *self,
                                                GAsyncResult        *result,
                                                GError             **error);

G_END_DECLS
