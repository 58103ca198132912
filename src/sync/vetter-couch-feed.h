/* vetter-couch-feed.h: other desktops' work, pulled into the local queue
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vetter-couch-client.h"
#include "vetter-couch-setup.h"
#include "vetter-engine.h"

G_BEGIN_DECLS

#define VETTER_TYPE_COUCH_FEED (vetter_couch_feed_get_type ())

G_DECLARE_FINAL_TYPE (VetterCouchFeed, vetter_couch_feed, VETTER, COUCH_FEED, GObject)

/* Pulls nothing until started; then only while @setup is ready. New ads
 * join @engine's queue. */
VetterCouchFeed *vetter_couch_feed_new        (VetterEngine      *engine,
                                               VetterCouchClient *client,
                                               VetterCouchSetup  *setup);
/* Follows the changes feed into the local queue from now on, every
 * @interval_ms, from where the last run left it. */
void             vetter_couch_feed_start_pull (VetterCouchFeed   *self,
                                               guint              interval_ms);
void             vetter_couch_feed_stop       (VetterCouchFeed   *self);

/* A page of the changes feed as the server sent it: its results and the
 * position after them (as JSON text, to send back as "since"). FALSE when
 * @body is no such page. */
gboolean         vetter_couch_feed_read_page  (JsonObject        *body,
                                               JsonArray        **results,
                                               char             **last_seq);

G_END_DECLS
