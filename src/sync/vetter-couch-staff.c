/* vetter-couch-staff.c: the shared database's accounts, as its staff
 *
 * A person of the team is a user of the server (`_users`,
 * org.couchdb.user:NAME) whose roles hold a Vetter role; that role is what
 * the design document's validation allows them. Deactivating takes the
 * Vetter role away (CouchDB has no disabled accounts: the user may still
 * sign in, and can neither read the database nor write to it), keeping
 * it in `vetter_role` to give back; the user's other roles, from other
 * applications of the same server, are never touched. Documents are read
 * with _find, which works for the admins of `_users` on CouchDB and on
 * pouchdb-server alike.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-couch"

#include "config.h"

#include <string.h>
#include <sys/random.h>

#include "vetter-couch-staff.h"
#include "vetter-error.h"
#include "vetter-json.h"

#define USER_PREFIX "org.couchdb.user:"

/* The strongest first: a user with several is what the most allows. */
static const char * const vetter_roles[] = {
  VETTER_COUCH_ADMIN_ROLE, VETTER_COUCH_ROLE, VETTER_COUCH_WORKER_ROLE, VETTER_COUCH_VIEWER_ROLE,
};

static gboolean
is_vetter_role (const char *role)
{
  for (guint i = 0; i < G_N_ELEMENTS (vetter_roles); i++)
    if (g_strcmp0 (role, vetter_roles[i]) == 0)
      return TRUE;
  return FALSE;
}

/* The account a user document describes, or NULL for a user who has
 * never had a Vetter role. */
static VetterStaffAccount *
account_of (JsonObject *doc)
{
  const char *name = vetter_json_string (doc, "name");
  JsonArray *roles = vetter_json_array (doc, "roles");
  const char *kept = vetter_json_string (doc, "vetter_role");

  if (name == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (vetter_roles); i++)
    if (vetter_couch_roles_hold (roles, vetter_roles[i]))
      return vetter_staff_account_new (name, vetter_roles[i], TRUE);
  if (is_vetter_role (kept))
    return vetter_staff_account_new (name, kept, FALSE);
  return NULL;
}

static char *
user_path (const char *username)
{
  g_autofree char *id = g_strconcat (USER_PREFIX, username, NULL);
  g_autofree char *escaped = g_uri_escape_string (id, NULL, FALSE);

  return g_strconcat ("_users/", escaped, NULL);
}

/* What went wrong, in words: refusals say who may manage accounts. */
static GError *
refusal (VetterCouchClient       *client,
         const VetterCouchAnswer *answer,
         const char              *what)
{
  g_autofree char *why = vetter_couch_answer_describe (answer);

  if (answer->status == 401 || answer->status == 403)
    return g_error_new (VETTER_ERROR, VETTER_ERROR_SYNC,
                        "the shared database does not let %s %s: accounts are managed by the server's "
                        "administrators and the admins of its _users database (%s)",
                        vetter_couch_client_get_services (client)->couch_user, what, why);
  return g_error_new (VETTER_ERROR, VETTER_ERROR_SYNC, "the shared database did not %s: %s", what, why);
}

static gboolean
check_name (const char  *username,
            GError     **error)
{
  if (username == NULL || *username == '\0' || !g_utf8_validate (username, -1, NULL) ||
      g_utf8_strlen (username, -1) > 64)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT, "a user name is 1 to 64 characters");
      return FALSE;
    }
  if (username[0] == '_' || strchr (username, ':') || g_str_has_prefix (username, " ") || g_str_has_suffix (username, " "))
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT,
                   "“%s” cannot be a user name: it may not begin with “_”, hold a “:” or begin or end with a space",
                   username);
      return FALSE;
    }
  for (const char *p = username; *p; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      {
        g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT, "a user name may not hold control characters");
        return FALSE;
      }
  return TRUE;
}

static gboolean
check_role (const char  *role,
            GError     **error)
{
  if (is_vetter_role (role))
    return TRUE;
  g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT,
               "a role is viewer, moderator, admin or worker, not “%s”", role ? role : "");
  return FALSE;
}

/* ---- Listing -------------------------------------------------------------- */

static int
by_username (gconstpointer a,
             gconstpointer b)
{
  const VetterStaffAccount *x = *(VetterStaffAccount * const *) a;
  const VetterStaffAccount *y = *(VetterStaffAccount * const *) b;

  return g_utf8_collate (x->username, y->username);
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VetterCouchClient *client = VETTER_COUCH_CLIENT (source);
  GError *error = NULL;
  g_autoptr(VetterCouchAnswer) answer = vetter_couch_client_request_finish (client, result, &error);
  g_autoptr(GPtrArray) accounts = NULL;
  JsonArray *docs;

  if (answer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (answer->status != 200)
    {
      g_task_return_error (task, refusal (client, answer, "list the accounts"));
      return;
    }
  docs = vetter_json_array (answer->body, "docs");
  accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_staff_account_free);
  for (guint i = 0; docs && i < json_array_get_length (docs); i++)
    {
      VetterStaffAccount *account = account_of (vetter_json_element_object (docs, i));

      if (account)
        g_ptr_array_add (accounts, account);
    }
  g_ptr_array_sort (accounts, by_username);
  g_task_return_pointer (task, g_steal_pointer (&accounts), (GDestroyNotify) g_ptr_array_unref);
}

void
vetter_couch_staff_list_async (VetterCouchClient   *client,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task = g_task_new (client, cancellable, callback, user_data);
  g_autoptr(JsonObject) body = json_object_new ();
  JsonObject *selector = json_object_new ();
  JsonArray *fields = json_array_new ();

  g_task_set_source_tag (task, vetter_couch_staff_list_async);
  json_object_set_string_member (selector, "type", "user");
  json_array_add_string_element (fields, "name");
  json_array_add_string_element (fields, "roles");
  json_array_add_string_element (fields, "vetter_role");
  json_object_set_object_member (body, "selector", selector);
  json_object_set_array_member (body, "fields", fields);
  /* _find answers 25 documents unless told otherwise. */
  json_object_set_int_member (body, "limit", 100000);
  vetter_couch_client_request_async (client, "POST", "_users/_find", NULL, body, TRUE, cancellable, on_listed, task);
}

GPtrArray *
vetter_couch_staff_list_finish (VetterCouchClient  *client,
                                GAsyncResult       *result,
                                GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Adding --------------------------------------------------------------- */

static void
on_added (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VetterCouchClient *client = VETTER_COUCH_CLIENT (source);
  GError *error = NULL;
  g_autoptr(VetterCouchAnswer) answer = vetter_couch_client_request_finish (client, result, &error);

  if (answer == NULL)
    g_task_return_error (task, error);
  else if (answer->status == 201 || answer->status == 202)
    g_task_return_boolean (task, TRUE);
  else if (answer->status == 409)
    g_task_return_new_error (task, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT,
                             "%s has an account on the shared database's server already",
                             (const char *) g_task_get_task_data (task));
  else
    g_task_return_error (task, refusal (client, answer, "add accounts"));
}

void
vetter_couch_staff_add_async (VetterCouchClient   *client,
                              const char          *username,
                              const char          *role,
                              const char          *password,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task = g_task_new (client, cancellable, callback, user_data);
  g_autoptr(JsonObject) doc = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  JsonArray *roles;
  GError *error = NULL;

  g_task_set_source_tag (task, vetter_couch_staff_add_async);
  g_task_set_task_data (task, g_strdup (username), g_free);
  if (!check_name (username, &error) || !check_role (role, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (password == NULL || strlen (password) < 8)
    {
      g_task_return_new_error (task, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT, "a password is 8 characters or more");
      g_object_unref (task);
      return;
    }
  id = g_strconcat (USER_PREFIX, username, NULL);
  path = user_path (username);
  doc = json_object_new ();
  roles = json_array_new ();
  json_array_add_string_element (roles, role);
  json_object_set_string_member (doc, "_id", id);
  json_object_set_string_member (doc, "name", username);
  json_object_set_string_member (doc, "type", "user");
  json_object_set_string_member (doc, "password", password);
  json_object_set_array_member (doc, "roles", roles);
  json_object_set_string_member (doc, "vetter_role", role);
  vetter_couch_client_request_async (client, "PUT", path, NULL, doc, TRUE, cancellable, on_added, task);
}

gboolean
vetter_couch_staff_add_finish (VetterCouchClient  *client,
                               GAsyncResult       *result,
                               GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Changing ------------------------------------------------------------- */

typedef struct
{
  char               *username;
  char               *role;
  int                 active;
  VetterStaffAccount *before;
  VetterStaffAccount *after;
} Change;

static void
change_free (gpointer data)
{
  Change *change = data;

  g_free (change->username);
  g_free (change->role);
  vetter_staff_account_free (change->before);
  vetter_staff_account_free (change->after);
  g_free (change);
}

static void
on_changed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Change *change = g_task_get_task_data (task);
  VetterCouchClient *client = VETTER_COUCH_CLIENT (source);
  GError *error = NULL;
  g_autoptr(VetterCouchAnswer) answer = vetter_couch_client_request_finish (client, result, &error);

  if (answer == NULL)
    g_task_return_error (task, error);
  else if (answer->status == 201 || answer->status == 202)
    g_task_return_pointer (task, g_steal_pointer (&change->after), (GDestroyNotify) vetter_staff_account_free);
  else if (answer->status == 409)
    g_task_return_new_error (task, VETTER_ERROR, VETTER_ERROR_SYNC,
                             "%s's account changed on the server meanwhile: nothing changed, try again",
                             change->username);
  else
    g_task_return_error (task, refusal (client, answer, "change accounts"));
}

static void
on_user_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Change *change = g_task_get_task_data (task);
  VetterCouchClient *client = VETTER_COUCH_CLIENT (source);
  GError *error = NULL;
  g_autoptr(VetterCouchAnswer) answer = vetter_couch_client_request_finish (client, result, &error);
  g_autofree char *path = NULL;
  JsonObject *doc;
  JsonArray *roles, *kept;
  const char *role;
  gboolean active;

  if (answer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (answer->status != 200)
    {
      g_task_return_error (task, refusal (client, answer, "read accounts"));
      return;
    }
  doc = vetter_json_element_object (vetter_json_array (answer->body, "docs"), 0);
  change->before = doc ? account_of (doc) : NULL;
  if (change->before == NULL)
    {
      g_task_return_new_error (task, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT,
                               "%s has no account with a Vetter role on the shared database's server",
                               change->username);
      return;
    }
  role = change->role ? change->role : change->before->role;
  active = change->active < 0 ? change->before->active : change->active != 0;
  change->after = vetter_staff_account_new (change->username, role, active);

  /* Their other roles stay as they are; the Vetter one is this, or none. */
  roles = vetter_json_array (doc, "roles");
  kept = json_array_new ();
  for (guint i = 0; roles && i < json_array_get_length (roles); i++)
    {
      const char *other = vetter_json_element_string (roles, i);

      if (other && !is_vetter_role (other))
        json_array_add_string_element (kept, other);
    }
  if (active)
    json_array_add_string_element (kept, role);
  json_object_set_array_member (doc, "roles", kept);
  json_object_set_string_member (doc, "vetter_role", role);
  path = user_path (change->username);
  vetter_couch_client_request_async (client, "PUT", path, NULL, doc, TRUE, g_task_get_cancellable (task), on_changed,
                                     g_object_ref (task));
}

void
vetter_couch_staff_change_async (VetterCouchClient   *client,
                                 const char          *username,
                                 const char          *role,
                                 int                  active,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task = g_task_new (client, cancellable, callback, user_data);
  Change *change = g_new0 (Change, 1);
  g_autoptr(JsonObject) body = json_object_new ();
  g_autofree char *id = g_strconcat (USER_PREFIX, username, NULL);
  JsonObject *selector = json_object_new ();
  GError *error = NULL;

  g_task_set_source_tag (task, vetter_couch_staff_change_async);
  change->username = g_strdup (username);
  change->role = g_strdup (role);
  change->active = active;
  g_task_set_task_data (task, change, change_free);
  json_object_set_string_member (selector, "_id", id);
  json_object_set_object_member (body, "selector", selector);
  if (role && !check_role (role, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  vetter_couch_client_request_async (client, "POST", "_users/_find", NULL, body, TRUE, cancellable, on_user_read, task);
}

VetterStaffAccount *
vetter_couch_staff_change_finish (VetterCouchClient   *client,
                                  GAsyncResult        *result,
                                  VetterStaffAccount **before,
                                  GError             **error)
{
  Change *change;
  VetterStaffAccount *after;

  g_return_val_if_fail (g_task_is_valid (result, client), NULL);
  after = g_task_propagate_pointer (G_TASK (result), error);
  change = g_task_get_task_data (G_TASK (result));
  if (after && before)
    *before = g_steal_pointer (&change->before);
  return after;
}

/* ---- A first password ------------------------------------------------------ */

char *
vetter_couch_staff_new_password (void)
{
  /* No 0/o, 1/l/i: read aloud or typed from a note without doubt. */
  static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
  const guint n = sizeof alphabet - 1;
  GString *password = g_string_new (NULL);

  while (password->len < 23)
    {
      guint8 bytes[32];
      ssize_t got = getrandom (bytes, sizeof bytes, 0);

      for (ssize_t i = 0; i < got && password->len < 23; i++)
        {
          /* Only bytes below a multiple of the alphabet: no letter likelier. */
          if (bytes[i] >= 256 / n * n)
            continue;
          if (password->len % 6 == 5)
            g_string_append_c (password, '-');
          g_string_append_c (password, alphabet[bytes[i] % n]);
        }
    }
  return g_string_free (password, FALSE);
}
