/* vetter-context.h: what the windows work with
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "vetter-engine.h"
#include "vetter-services.h"
#include "vetter-sync.h"

G_BEGIN_DECLS

#define VETTER_TYPE_CONTEXT (vetter_context_get_type ())

G_DECLARE_FINAL_TYPE (VetterContext, vetter_context, VETTER, CONTEXT, GObject)

/* The database at @db_path (NULL: $VETTER_DB, else the default), its
 * engine, and the settings; started with vetter_context_start(). */
VetterContext        *vetter_context_new             (const char    *db_path);
/* Opens the database, goes on with what a previous session left, reads
 * the services and starts sending. */
void                  vetter_context_start           (VetterContext *self);
/* Stops sending and the workers; what is in flight is redone next time. */
void                  vetter_context_shutdown        (VetterContext *self);

/* Returns: (transfer none). */
VetterDatabase       *vetter_context_get_database    (VetterContext *self);
/* Returns: (transfer none). */
VetterEngine         *vetter_context_get_engine      (VetterContext *self);
/* Returns: (transfer none) (nullable): the sender, NULL while no service
 * is configured; "notify::sync" says when it is made anew. */
VetterSync           *vetter_context_get_sync        (VetterContext *self);
/* Returns: (transfer none) (nullable): what the sender uses now (the
 * environment, preferences and keyring together). */
const VetterServices *vetter_context_get_services    (VetterContext *self);
/* Returns: (transfer none) (nullable): NULL where the schema is not installed. */
GSettings            *vetter_context_get_settings    (VetterContext *self);
/* Reads the services again: the environment first, then the preferences,
 * then the keyring for the secrets; the sender is made anew from them. */
void                  vetter_context_reload_services (VetterContext *self);
/* Whether a shared database is set up and nobody is signed in to it: the
 * desktop then only shows. */
gboolean              vetter_context_is_signed_out   (VetterContext *self);
/* Forgets the shared database's login and password (not the database):
 * nobody decides here until someone signs in. */
void                  vetter_context_sign_out        (VetterContext *self);

G_END_DECLS
