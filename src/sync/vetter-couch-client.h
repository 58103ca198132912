/* vetter-couch-client.h: requests to the shared CouchDB database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "vetter-services.h"

G_BEGIN_DECLS

/* The Vetter roles of the database's users (CouchDB `_users` roles). A
 * moderator decides and claims in their own name; an admin also changes
 * team settings and staff and deletes; a worker writes processing
 * results; a viewer reads. */
#define VETTER_COUCH_ROLE "moderator"
#define VETTER_COUCH_ADMIN_ROLE "admin"
#define VETTER_COUCH_WORKER_ROLE "worker"
#define VETTER_COUCH_VIEWER_ROLE "viewer"
/* How long a claim on an ad holds when nobody releases it. */
#define VETTER_COUCH_CLAIM_SECONDS (10 * 60)

#define VETTER_TYPE_COUCH_CLIENT (vetter_couch_client_get_type ())

G_DECLARE_FINAL_TYPE (VetterCouchClient, vetter_couch_client, VETTER, COUCH_CLIENT, GObject)

/* What the server answered. */
typedef struct
{
  guint       status;      /* the HTTP status */
  char       *reason;      /* its reason phrase */
  JsonObject *body;        /* the answer, when it is a JSON object */
  gint64      date;        /* the server's time when it answered (its Date,
                            * to the second), µs since 1970; 0: not said */
} VetterCouchAnswer;

void         vetter_couch_answer_free    (VetterCouchAnswer    *answer);
/* "HTTP 403 Forbidden: <the server's reason>", for a person to read.
 * Returns: (transfer full). */
char        *vetter_couch_answer_describe (const VetterCouchAnswer *answer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterCouchAnswer, vetter_couch_answer_free)

/* Whether the roles @roles (of a user, a _session or a _security) hold @role. */
gboolean     vetter_couch_roles_hold     (JsonArray            *roles,
                                          const char           *role);

/* Takes a copy of @services; requests go through @session. */
VetterCouchClient *vetter_couch_client_new     (const VetterServices *services,
                                                SoupSession          *session);
/* Returns: (transfer none). */
const VetterServices *vetter_couch_client_get_services (VetterCouchClient *self);

/* A request for @doc (a document id, "_changes", "_security",
 * "_design/…", or NULL for the database itself) in the configured
 * database; with @server set, @doc is a path of the server ("_session"),
 * already escaped, and @query is not used.
 * @body, when given, is sent as JSON. */
void         vetter_couch_client_request_async  (VetterCouchClient   *self,
                                                 const char          *method,
                                                 const char          *doc,
                                                 const char          *query,
                                                 JsonObject          *body,
                                                 gboolean             server,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
/* Returns: (transfer full) (nullable): the answer, whatever its status;
 * NULL with @error set when none came (no connection, cancelled). */
VetterCouchAnswer *vetter_couch_client_request_finish (VetterCouchClient *self,
                                                       GAsyncResult      *result,
                                                       GError           **error);

/* The same request as a message, to send elsewhere (the preferences' test).
 * Returns: (transfer full) (nullable): NULL for an invalid URL. */
SoupMessage *vetter_couch_message        (const VetterServices *services,
                                          const char           *method,
                                          const char           *doc,
                                          const char           *query,
                                          JsonObject           *body);
/* The answer's JSON object, or NULL with an error. Returns: (transfer full). */
JsonObject  *vetter_couch_parse          (GBytes               *body,
                                          GError              **error);

G_END_DECLS
