/* vetter-sync.h: the outbox's sender
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vetter-couch-feed.h"
#include "vetter-engine.h"
#include "vetter-services.h"

G_BEGIN_DECLS

#define VETTER_TYPE_SYNC (vetter_sync_get_type ())

G_DECLARE_FINAL_TYPE (VetterSync, vetter_sync, VETTER, SYNC, GObject)

/* Takes a copy of @services. Starts sending at once, from the caller's
 * main context, until disposed. */
VetterSync *vetter_sync_new          (VetterEngine         *engine,
                                      const VetterServices *services);
void        vetter_sync_stop         (VetterSync           *self);
VetterCouchFeed *vetter_sync_get_couch (VetterSync         *self);
/* The first retry waits this long, doubling up to a cap (tests shorten it). */
void        vetter_sync_set_base_delay (VetterSync         *self,
                                        guint               milliseconds);

/* What the outbox holds, as last read; "changed" says when it moves. */
const VetterOutboxCounts *vetter_sync_get_counts (VetterSync *self);
/* The last attempt reached no server at all. */
gboolean    vetter_sync_get_offline  (VetterSync           *self);

/* The parked rows (GPtrArray of VetterOutboxRow), newest first. The
 * result's source is the engine: finish with the sync itself. */
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
