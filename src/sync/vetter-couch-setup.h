/* vetter-couch-setup.h: getting the shared database ready
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vetter-couch-client.h"

G_BEGIN_DECLS

#define VETTER_TYPE_COUCH_SETUP (vetter_couch_setup_get_type ())

G_DECLARE_FINAL_TYPE (VetterCouchSetup, vetter_couch_setup, VETTER, COUCH_SETUP, GObject)

/* Starts checking the database at once, from the caller's main context;
 * "ready" and "problem" say how it went. */
VetterCouchSetup *vetter_couch_setup_new         (VetterCouchClient *client);
gboolean          vetter_couch_setup_get_ready   (VetterCouchSetup  *self);
/* The user's Vetter role, as the database told it once ready (a viewer
 * until then). */
VetterRole        vetter_couch_setup_get_role    (VetterCouchSetup  *self);
/* What keeps it from being ready, for a person; NULL when nothing does. */
const char       *vetter_couch_setup_get_problem (VetterCouchSetup  *self);
/* The database refused what it took before: not ready, because of
 * @problem, and checked again soon. */
void              vetter_couch_setup_refused     (VetterCouchSetup  *self,
                                                  const char        *problem);
void              vetter_couch_setup_stop        (VetterCouchSetup  *self);

/* Whether a _session answer says its user has @role. */
gboolean          vetter_couch_session_has_role  (JsonObject        *session,
                                                  const char        *role);

G_END_DECLS
