/* vetter-couch-feed.h: the shared database's side that is not the outbox
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "vetter-engine.h"
#include "vetter-services.h"

G_BEGIN_DECLS

#define VETTER_TYPE_COUCH_FEED (vetter_couch_feed_get_type ())

G_DECLARE_FINAL_TYPE (VetterCouchFeed, vetter_couch_feed, VETTER, COUCH_FEED, GObject)

typedef enum
{
  VETTER_CLAIM_TAKEN,      /* this desktop reviews the ad */
  VETTER_CLAIM_HELD,       /* another desktop does */
  VETTER_CLAIM_UNKNOWN,    /* the database cannot be asked now: review on, its revisions will tell */
} VetterClaimResult;

/* Checks the database (creating it, its security and its validation
 * when the user is an admin) from the caller's main context; "changed"
 * says when it is ready or has a problem. */
VetterCouchFeed *vetter_couch_feed_new          (VetterEngine         *engine,
                                                 const VetterServices *services,
                                                 SoupSession          *session);
void             vetter_couch_feed_stop         (VetterCouchFeed      *self);
/* Follows the changes feed into the local queue from now on. */
void             vetter_couch_feed_start_pull   (VetterCouchFeed      *self,
                                                 guint                 interval_ms);
gboolean         vetter_couch_feed_is_ready     (VetterCouchFeed      *self);
/* What keeps it from being ready, for a person; NULL when nothing does. */
const char      *vetter_couch_feed_get_problem  (VetterCouchFeed      *self);

void             vetter_couch_feed_claim_async  (VetterCouchFeed      *self,
                                                 const char           *uid,
                                                 const char           *moderator,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
/* @holder receives the other moderator's name when HELD. */
VetterClaimResult vetter_couch_feed_claim_finish (VetterCouchFeed     *self,
                                                  GAsyncResult        *result,
                                                  char               **holder);
/* Gives up a claim this desktop holds; nothing waits for the answer. */
void             vetter_couch_feed_release      (VetterCouchFeed      *self,
                                                 const char           *uid);

G_END_DECLS
