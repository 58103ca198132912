/* vetter-couch-client.c: requests to the shared CouchDB database
 *
 * Written for CouchDB 3 and for pouchdb-server alike: every request asks
 * for JSON (pouchdb-server answers text/plain otherwise), sequences are
 * kept as the JSON the server sent, and 401 and 403 mean the same. One
 * request, one answer: the status, the reason and the JSON, read in one
 * place for the setup, the feed, the claims and the outbox's sender.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-couch"

#include "config.h"

#include <string.h>

#include "vetter-couch-client.h"
#include "vetter-error.h"
#include "vetter-http.h"
#include "vetter-json.h"

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

struct _VetterCouchClient
{
  GObject         parent_instance;

  VetterServices *services;
  SoupSession    *session;
};

G_DEFINE_FINAL_TYPE (VetterCouchClient, vetter_couch_client, G_TYPE_OBJECT)

void
vetter_couch_answer_free (VetterCouchAnswer *answer)
{
  if (answer == NULL)
    return;
  g_free (answer->reason);
  g_clear_pointer (&answer->body, json_object_unref);
  g_free (answer);
}

gboolean
vetter_couch_roles_hold (JsonArray  *roles,
                         const char *role)
{
  for (guint i = 0; roles && i < json_array_get_length (roles); i++)
    if (g_strcmp0 (vetter_json_element_string (roles, i), role) == 0)
      return TRUE;
  return FALSE;
}

char *
vetter_couch_answer_describe (const VetterCouchAnswer *answer)
{
  const char *reason = vetter_json_string (answer->body, "reason");
  const char *what = vetter_json_string (answer->body, "error");

  if ((answer->status == 401 || answer->status == 403) && reason == NULL)
    reason = "the user or password is not accepted";
  return g_strdup_printf ("HTTP %u %s: %s", answer->status, answer->reason ? answer->reason : "",
                          reason ? reason : what ? what : "no reason given");
}

static void
on_answer (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  GError *error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  VetterCouchAnswer *answer;

  if (body == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  answer = g_new0 (VetterCouchAnswer, 1);
  answer->status = soup_message_get_status (message);
  answer->reason = g_strdup (soup_message_get_reason_phrase (message));
  answer->body = vetter_couch_parse (body, NULL);
  {
    const char *date = soup_message_headers_get_one (soup_message_get_response_headers (message), "Date");
    g_autoptr(GDateTime) when = date ? soup_date_time_new_from_http_string (date) : NULL;

    answer->date = when ? g_date_time_to_unix (when) * G_USEC_PER_SEC : 0;
  }
  g_task_return_pointer (task, answer, (GDestroyNotify) vetter_couch_answer_free);
}

void
vetter_couch_client_request_async (VetterCouchClient   *self,
                                   const char          *method,
                                   const char          *doc,
                                   const char          *query,
                                   JsonObject          *body,
                                   gboolean             server,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;
  SoupMessage *message;

  g_return_if_fail (VETTER_IS_COUCH_CLIENT (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vetter_couch_client_request_async);
  if (server)
    {
      g_autofree char *url = g_strdup_printf ("%s/%s", self->services->couch_url, doc);

      message = new_message (self->services, method, url, body);
    }
  else
    message = vetter_couch_message (self->services, method, doc, query, body);
  if (message == NULL)
    {
      g_task_return_new_error (task, VETTER_ERROR, VETTER_ERROR_SYNC, "the database URL “%s” is not valid",
                               self->services->couch_url ? self->services->couch_url : "");
      g_object_unref (task);
      return;
    }
  soup_session_send_and_read_async (self->session, message, G_PRIORITY_DEFAULT, cancellable, on_answer, task);
  g_object_unref (message);
}

VetterCouchAnswer *
vetter_couch_client_request_finish (VetterCouchClient  *self,
                                    GAsyncResult       *result,
                                    GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

const VetterServices *
vetter_couch_client_get_services (VetterCouchClient *self)
{
  g_return_val_if_fail (VETTER_IS_COUCH_CLIENT (self), NULL);
  return self->services;
}

static void
vetter_couch_client_finalize (GObject *object)
{
  VetterCouchClient *self = VETTER_COUCH_CLIENT (object);

  g_clear_pointer (&self->services, vetter_services_free);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (vetter_couch_client_parent_class)->finalize (object);
}

static void
vetter_couch_client_class_init (VetterCouchClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vetter_couch_client_finalize;
}

static void
vetter_couch_client_init (VetterCouchClient *self)
{
}

VetterCouchClient *
vetter_couch_client_new (const VetterServices *services,
                         SoupSession          *session)
{
  VetterCouchClient *self = g_object_new (VETTER_TYPE_COUCH_CLIENT, NULL);

  self->services = vetter_services_copy (services);
  self->session = g_object_ref (session);
  return self;
}
