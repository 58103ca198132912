/* vetter-couch.c: requests to the shared CouchDB database
 *
 * Written for CouchDB 3 and for pouchdb-server alike: every request asks
 * for JSON (pouchdb-server answers text/plain otherwise), sequences are
 * kept as the JSON the server sent, and 401 and 403 mean the same.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-couch"

#include "config.h"

#include <string.h>

#include "vetter-couch.h"
#include "vetter-error.h"
#include "vetter-http.h"

/* Bumped whenever the validation below changes, so that an admin's
 * desktop replaces an older one. */
#define DESIGN_VERSION 1

/* Runs in the database on every write. Writers need the moderator role
 * (or to be an admin); documents must have the shape Vetter reads. */
static const char validate_doc_update[] =
  "function (newDoc, oldDoc, userCtx, secObj) {\n"
  "  var roles = userCtx.roles || [];\n"
  "  if (roles.indexOf('_admin') < 0 && roles.indexOf('" VETTER_COUCH_ROLE "') < 0)\n"
  "    throw ({ forbidden: 'only users with the " VETTER_COUCH_ROLE " role may write here' });\n"
  "  if (newDoc._deleted)\n"
  "    return;\n"
  "  var id = newDoc._id;\n"
  "  function need (ok, what) { if (!ok) throw ({ forbidden: id + ': ' + what }); }\n"
  "  function text (v) { return typeof v === 'string' && v.length > 0; }\n"
  "  if (id.indexOf('decision:') === 0) {\n"
  "    need (newDoc.type === 'decision', 'type must be \"decision\"');\n"
  "    need (newDoc.ad === id.substring (9), 'ad must be the id after \"decision:\"');\n"
  "    need (['approved', 'rejected', 'needs_review'].indexOf (newDoc.status) >= 0,\n"
  "          'status must be approved, rejected or needs_review');\n"
  "    need (text (newDoc.decided_by), 'decided_by must name who decided');\n"
  "    need (typeof newDoc.decided_at === 'number' && newDoc.decided_at > 0,\n"
  "          'decided_at must be a time (microseconds since 1970)');\n"
  "    need (typeof newDoc.auto === 'boolean', 'auto must say whether rules decided');\n"
  "    if (newDoc.status === 'rejected')\n"
  "      need (text (newDoc.reason_code), 'a rejection needs a reason_code');\n"
  "  } else if (id.indexOf('ad:') === 0) {\n"
  "    need (newDoc.type === 'ad', 'type must be \"ad\"');\n"
  "    need (Array.isArray (newDoc.images) && newDoc.images.length > 0, 'images must list the image URLs');\n"
  "  } else if (id.indexOf('claim:') === 0) {\n"
  "    need (newDoc.type === 'claim', 'type must be \"claim\"');\n"
  "    need (text (newDoc.holder), 'holder must name the desktop');\n"
  "    need (typeof newDoc.expires === 'number', 'expires must be a time');\n"
  "  } else if (id.indexOf('batch:') === 0) {\n"
  "    need (newDoc.type === 'batch', 'type must be \"batch\"');\n"
  "  }\n"
  "}\n";

static char *
escape_doc (const char *doc)
{
  /* A design document's slash is part of its path; any other is not. */
  if (g_str_has_prefix (doc, "_design/"))
    {
      g_autofree char *name = g_uri_escape_string (doc + strlen ("_design/"), NULL, FALSE);

      return g_strconcat ("_design/", name, NULL);
    }
  return g_uri_escape_string (doc, NULL, FALSE);
}

static SoupMessage *
new_message (const VetterServices *services,
             const char           *method,
             const char           *url,
             JsonObject           *body)
{
  SoupMessage *message = soup_message_new (method, url);
  SoupMessageHeaders *headers;

  if (message == NULL)
    return NULL;
  headers = soup_message_get_request_headers (message);
  soup_message_headers_replace (headers, "Accept", "application/json");
  vetter_http_set_basic_auth (message, services->couch_user, services->couch_password);
  if (body)
    {
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
      g_autoptr(GBytes) bytes = NULL;
      char *text;

      json_node_set_object (node, body);
      text = json_to_string (node, FALSE);
      bytes = g_bytes_new_take (text, strlen (text));
      /* Set again if libsoup sends it again by itself. */
      vetter_http_set_body (message, "application/json", bytes);
    }
  return message;
}

SoupMessage *
vetter_couch_message (const VetterServices *services,
                      const char           *method,
                      const char           *doc,
                      const char           *query,
                      JsonObject           *body)
{
  g_autofree char *db = g_uri_escape_string (services->couch_db, NULL, FALSE);
  g_autofree char *path = doc ? escape_doc (doc) : NULL;
  g_autofree char *url = g_strdup_printf ("%s/%s%s%s%s%s", services->couch_url, db, path ? "/" : "", path ? path : "",
                                          query ? "?" : "", query ? query : "");

  return new_message (services, method, url, body);
}

SoupMessage *
vetter_couch_server_message (const VetterServices *services,
                             const char           *method,
                             const char           *path)
{
  g_autofree char *url = g_strdup_printf ("%s/%s", services->couch_url, path);

  return new_message (services, method, url, NULL);
}

JsonObject *
vetter_couch_parse (GBytes  *body,
                    GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len = 0;
  const char *data = body ? g_bytes_get_data (body, &len) : NULL;
  JsonNode *root;

  if (data == NULL || !json_parser_load_from_data (parser, data, (gssize) len, error))
    {
      if (error && *error == NULL)
        g_set_error (error, VETTER_ERROR, VETTER_ERROR_SYNC, "the database sent no answer");
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_SYNC, "the database's answer is not a JSON object");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

char *
vetter_couch_describe (SoupMessage *message,
                       GBytes      *body)
{
  g_autoptr(JsonObject) answer = vetter_couch_parse (body, NULL);
  const char *reason = answer ? json_object_get_string_member_with_default (answer, "reason", NULL) : NULL;
  const char *what = answer ? json_object_get_string_member_with_default (answer, "error", NULL) : NULL;
  guint status = soup_message_get_status (message);

  if ((status == 401 || status == 403) && reason == NULL)
    reason = "the user or password is not accepted";
  return g_strdup_printf ("HTTP %u %s: %s", status, soup_message_get_reason_phrase (message),
                          reason ? reason : what ? what : "no reason given");
}

JsonObject *
vetter_couch_design_doc (void)
{
  JsonObject *doc = json_object_new ();

  json_object_set_string_member (doc, "_id", "_design/vetter");
  json_object_set_int_member (doc, "vetter_version", DESIGN_VERSION);
  json_object_set_string_member (doc, "language", "javascript");
  json_object_set_string_member (doc, "validate_doc_update", validate_doc_update);
  return doc;
}

/* Members (moderators, and "viewer"s who may only read) and admins; a
 * database without it is open to anyone on pouchdb-server. */
JsonObject *
vetter_couch_security_doc (void)
{
  JsonObject *doc = json_object_new ();
  JsonObject *admins = json_object_new ();
  JsonObject *members = json_object_new ();
  JsonArray *roles = json_array_new ();

  json_object_set_array_member (admins, "names", json_array_new ());
  json_object_set_array_member (admins, "roles", json_array_new ());
  json_array_add_string_element (roles, VETTER_COUCH_ROLE);
  json_array_add_string_element (roles, "viewer");
  json_object_set_array_member (members, "names", json_array_new ());
  json_object_set_array_member (members, "roles", roles);
  json_object_set_object_member (doc, "admins", admins);
  json_object_set_object_member (doc, "members", members);
  return doc;
}
