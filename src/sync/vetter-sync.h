/* vetter-sync.h: the outbox's sender, and the shared database around it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vetter-couch-claims.h"
#include "vetter-couch-feed.h"
#include "vetter-couch-setup.h"
#include "vetter-engine.h"
#include "vetter-services.h"

G_BEGIN_DECLS

#define VETTER_TYPE_SYNC (vetter_sync_get_type ())

G_DECLARE_FINAL_TYPE (VetterSync, vetter_sync, VETTER, SYNC, GObject)

/* Takes a copy of @services. Starts sending at once, from the caller's
 * main context, until stopped or disposed; with a shared database, checks
 * it and keeps its feed and claims (pulling only once started). */
VetterSync *vetter_sync_new          (VetterEngine         *engine,
                                      const VetterServices *services);
void        vetter_sync_stop         (VetterSync           *self);
/* The first retry waits this long, doubling up to a cap (tests shorten it). */
void        vetter_sync_set_base_delay (VetterSync         *self,
                                        guint               milliseconds);

/* What the outbox holds, as last read; the "pending" and "parked"
 * properties notify when it moves. Returns: (transfer none). */
const VetterOutboxCounts *vetter_sync_get_counts (VetterSync *self);
/* The last attempt reached no server at all ("offline"). */
gboolean    vetter_sync_get_offline  (VetterSync           *self);
/* Why the shared database is not usable, or NULL ("couch-problem"). */
const char *vetter_sync_get_couch_problem (VetterSync      *self);

/* The shared database's parts, or NULL without one. Returns: (transfer none). */
VetterCouchSetup  *vetter_sync_get_couch_setup  (VetterSync *self);
VetterCouchFeed   *vetter_sync_get_couch_feed   (VetterSync *self);
VetterCouchClaims *vetter_sync_get_couch_claims (VetterSync *self);
VetterCouchClient *vetter_sync_get_couch_client (VetterSync *self);

/* The parked rows, newest first.
 * Returns: (transfer full) (element-type VetterOutboxRow). */
void        vetter_sync_list_parked_async  (VetterSync          *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GPtrArray  *vetter_sync_list_parked_finish (VetterSync          *self,
                                            GAsyncResult        *result,
                                            GError             **error);
void        vetter_sync_retry_parked (VetterSync           *self);

/* Resolves when nothing is pending any more (parked rows stay for a
 * person), or after @timeout seconds; the counts say what is left. */
void        vetter_sync_drain_async  (VetterSync           *self,
                                      guint                 timeout,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
gboolean    vetter_sync_drain_finish (VetterSync           *self,
                                      GAsyncResult         *result,
                                      VetterOutboxCounts   *left,
                                      GError              **error);

G_END_DECLS
