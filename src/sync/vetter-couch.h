/* vetter-couch.h: requests to the shared CouchDB database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "vetter-services.h"

G_BEGIN_DECLS

/* The role the database's validation lets write; others may only read. */
#define VETTER_COUCH_ROLE "moderator"
/* How long a claim on an ad holds when nobody releases it. */
#define VETTER_COUCH_CLAIM_SECONDS (10 * 60)

/* A request for @doc (a document id, "_changes", "_security", or NULL
 * for the database itself) in the configured database, authenticated,
 * asking for JSON; @body, when given, is sent as JSON. */
SoupMessage *vetter_couch_message        (const VetterServices *services,
                                          const char           *method,
                                          const char           *doc,
                                          const char           *query,
                                          JsonObject           *body);
/* A request for a server path such as "_session". */
SoupMessage *vetter_couch_server_message (const VetterServices *services,
                                          const char           *method,
                                          const char           *path);
/* The answer's JSON object, or NULL with an error. */
JsonObject  *vetter_couch_parse          (GBytes               *body,
                                          GError              **error);
/* "HTTP 403 Forbidden: <the server's reason>", for a person to read. */
char        *vetter_couch_describe       (SoupMessage          *message,
                                          GBytes               *body);
/* What the database needs before anyone uses it. */
JsonObject  *vetter_couch_design_doc     (void);
JsonObject  *vetter_couch_security_doc   (void);

G_END_DECLS
