/* vetter-couch-setup.c: getting the shared database ready
 *
 * An admin's desktop creates the database, its _security (the four roles
 * are members), the design document whose validate_doc_update refuses
 * malformed documents and what a writer's role does not allow, and makes
 * the admin role an admin of the server's _users database, so that the
 * team's admins manage its accounts from the console.
 * Anyone else's desktop only checks they are there, and says who must act
 * when they are not. Until the check passes, nothing is sent or pulled;
 * a problem is said in words and the check runs again later.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-couch"

#include "config.h"

#include "vetter-couch-setup.h"
#include "vetter-error.h"
#include "vetter-json.h"

#define RETRY_SECONDS    5
#define REFUSED_SECONDS  30

typedef enum
{
  STEP_SESSION,
  STEP_CREATE_DB,
  STEP_CHECK_DB,
  STEP_READ_SECURITY,
  STEP_WRITE_SECURITY,
  STEP_READ_USERS_SECURITY,
  STEP_WRITE_USERS_SECURITY,
  STEP_READ_DESIGN,
  STEP_WRITE_DESIGN,
} Step;

struct _VetterCouchSetup
{
  GObject            parent_instance;

  VetterCouchClient *client;
  GCancellable      *cancellable;
  gboolean           is_admin;
  VetterRole         role;          /* the user's, as the session says */
  gboolean           ready;
  char              *problem;
  guint              retry_source;
  char              *design_rev;    /* the design document's revision as read, to replace it */
  JsonObject        *users_security; /* _users' _security as read, to add to it */
};

G_DEFINE_FINAL_TYPE (VetterCouchSetup, vetter_couch_setup, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_READY,
  PROP_PROBLEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void run_step (VetterCouchSetup *self, Step step);

/* The Vetter role a _session answer gives its user: the most it may do. */
static VetterRole
role_of_session (JsonObject *session)
{
  if (vetter_couch_session_has_role (session, "_admin") || vetter_couch_session_has_role (session, VETTER_COUCH_ADMIN_ROLE))
    return VETTER_ROLE_ADMIN;
  if (vetter_couch_session_has_role (session, VETTER_COUCH_ROLE))
    return VETTER_ROLE_MODERATOR;
  if (vetter_couch_session_has_role (session, VETTER_COUCH_WORKER_ROLE))
    return VETTER_ROLE_WORKER;
  return VETTER_ROLE_VIEWER;
}

/* Bumped whenever the validation below changes, so that an admin's
 * desktop replaces an older one. */
#define DESIGN_VERSION 3

/* Runs in the database on every write, whatever wrote it. A viewer (or a
 * user without a Vetter role, a deactivated one among them) writes
 * nothing; a moderator decides and claims in their own name only; a
 * worker writes processing results (the rules' decisions, ads, batches
 * and the work documents it leases in its own name, whose revisions it may
 * delete when a cluster kept another's); only an admin changes the team's settings and staff, or
 * deletes (but a moderator lets go of their own claim). Documents must
 * have the shape Vetter reads. */
static const char validate_doc_update[] =
  "function (newDoc, oldDoc, userCtx, secObj) {\n"
  "  var roles = userCtx.roles || [];\n"
  "  var admin = roles.indexOf('_admin') >= 0 || roles.indexOf('" VETTER_COUCH_ADMIN_ROLE "') >= 0;\n"
  "  var moderator = admin || roles.indexOf('" VETTER_COUCH_ROLE "') >= 0;\n"
  "  var worker = roles.indexOf('" VETTER_COUCH_WORKER_ROLE "') >= 0;\n"
  "  var me = userCtx.name;\n"
  "  if (!moderator && !worker)\n"
  "    throw ({ forbidden: 'only users with the " VETTER_COUCH_ROLE ", " VETTER_COUCH_ADMIN_ROLE " or "
  VETTER_COUCH_WORKER_ROLE " role may write here; ' + (me || 'this user') + ' may only read' });\n"
  "  var id = newDoc._id;\n"
  "  function need (ok, what) { if (!ok) throw ({ forbidden: id + ': ' + what }); }\n"
  "  function text (v) { return typeof v === 'string' && v.length > 0; }\n"
  "  if (id.indexOf('config:') === 0 || id.indexOf('staff:') === 0)\n"
  "    need (admin, 'only an admin may change the team\\'s settings and staff');\n"
  "  if (newDoc._deleted) {\n"
  "    if (id.indexOf('claim:') === 0 && oldDoc && oldDoc.moderator === me)\n"
  "      return;\n"
  "    if (id.indexOf('work:') === 0 && oldDoc && oldDoc.holder_user === me)\n"
  "      return;\n"
  "    need (admin, 'only an admin may delete');\n"
  "    return;\n"
  "  }\n"
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
  "    if (!newDoc.auto)\n"
  "      need (admin || (moderator && newDoc.decided_by === me),\n"
  "            'a person decides in their own name: ' + me + ' may not write a decision by ' + newDoc.decided_by);\n"
  "  } else if (id.indexOf('ad:') === 0) {\n"
  "    need (newDoc.type === 'ad', 'type must be \"ad\"');\n"
  "    need (Array.isArray (newDoc.images) && newDoc.images.length > 0, 'images must list the image URLs');\n"
  "  } else if (id.indexOf('claim:') === 0) {\n"
  "    need (moderator, 'only a moderator reviews, and claims');\n"
  "    need (newDoc.type === 'claim', 'type must be \"claim\"');\n"
  "    need (text (newDoc.holder), 'holder must name the desktop');\n"
  "    need (typeof newDoc.expires === 'number', 'expires must be a time');\n"
  "    need (admin || newDoc.moderator === me,\n"
  "          'a moderator claims in their own name: ' + me + ' may not claim for ' + newDoc.moderator);\n"
  "  } else if (id.indexOf('work:') === 0) {\n"
  "    need (newDoc.type === 'work', 'type must be \"work\"');\n"
  "    need (newDoc.ad === id.substring (5), 'ad must be the id after \"work:\"');\n"
  "    need (['queued', 'leased', 'done', 'failed'].indexOf (newDoc.state) >= 0,\n"
  "          'state must be queued, leased, done or failed');\n"
  "    if (newDoc.state === 'leased') {\n"
  "      need (typeof newDoc.expires === 'number', 'a lease must say when it expires');\n"
  "      need (admin || newDoc.holder_user === me,\n"
  "            'a machine leases in its own user\\'s name: ' + me + ' may not lease for ' + newDoc.holder_user);\n"
  "    }\n"
  "  } else if (id.indexOf('batch:') === 0) {\n"
  "    need (newDoc.type === 'batch', 'type must be \"batch\"');\n"
  "  }\n"
  "}\n";

static JsonObject *
design_doc (void)
{
  JsonObject *doc = json_object_new ();

  json_object_set_string_member (doc, "_id", "_design/vetter");
  json_object_set_int_member (doc, "vetter_version", DESIGN_VERSION);
  json_object_set_string_member (doc, "language", "javascript");
  json_object_set_string_member (doc, "validate_doc_update", validate_doc_update);
  return doc;
}

/* Members (viewers, who only read, moderators, admins and workers); a
 * database without it is open to anyone on pouchdb-server. */
static JsonObject *
security_doc (void)
{
  JsonObject *doc = json_object_new ();
  JsonObject *admins = json_object_new ();
  JsonObject *members = json_object_new ();
  JsonArray *roles = json_array_new ();

  json_object_set_array_member (admins, "names", json_array_new ());
  json_object_set_array_member (admins, "roles", json_array_new ());
  json_array_add_string_element (roles, VETTER_COUCH_ROLE);
  json_array_add_string_element (roles, VETTER_COUCH_VIEWER_ROLE);
  json_array_add_string_element (roles, VETTER_COUCH_ADMIN_ROLE);
  json_array_add_string_element (roles, VETTER_COUCH_WORKER_ROLE);
  json_object_set_array_member (members, "names", json_array_new ());
  json_object_set_array_member (members, "roles", roles);
  json_object_set_object_member (doc, "admins", admins);
  json_object_set_object_member (doc, "members", members);
  return doc;
}

/* The server's accounts' _security as read, with the admin role among
 * its admins: the team's admins manage the accounts (read and write any
 * user's document, though never give a system role). All else in it is
 * kept as the server's administrator set it. */
static JsonObject *
users_security_doc (JsonObject *read)
{
  JsonObject *doc = read ? json_object_ref (read) : json_object_new ();
  JsonObject *admins = vetter_json_object (doc, "admins");
  JsonArray *roles;

  if (admins == NULL)
    {
      admins = json_object_new ();
      json_object_set_object_member (doc, "admins", admins);
    }
  roles = vetter_json_array (admins, "roles");
  if (roles == NULL)
    {
      roles = json_array_new ();
      json_object_set_array_member (admins, "roles", roles);
    }
  if (!vetter_couch_roles_hold (roles, VETTER_COUCH_ADMIN_ROLE))
    json_array_add_string_element (roles, VETTER_COUCH_ADMIN_ROLE);
  return doc;
}

/* ---- State ---------------------------------------------------------------- */

static gboolean
on_retry (gpointer user_data)
{
  VetterCouchSetup *self = user_data;

  self->retry_source = 0;
  run_step (self, STEP_SESSION);
  return G_SOURCE_REMOVE;
}

/* Not ready, because of @problem; the whole check runs again later. */
static void
set_problem (VetterCouchSetup *self,
             const char       *problem,
             guint             retry_seconds)
{
  gboolean was_ready = self->ready;
  gboolean new_problem = g_strcmp0 (self->problem, problem) != 0;

  self->ready = FALSE;
  g_free (self->problem);
  self->problem = g_strdup (problem);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  self->retry_source = g_timeout_add_seconds (retry_seconds, on_retry, self);
  if (new_problem)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
  if (was_ready)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READY]);
}

static void
set_ready (VetterCouchSetup *self)
{
  gboolean had_problem = self->problem != NULL;

  g_clear_pointer (&self->problem, g_free);
  if (had_problem)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
  if (!self->ready)
    {
      self->ready = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READY]);
    }
}

/* ---- The check, a step at a time ------------------------------------------ */

typedef struct
{
  VetterCouchSetup *self;
  Step              step;
} StepRequest;

gboolean
vetter_couch_session_has_role (JsonObject *session,
                               const char *role)
{
  return vetter_couch_roles_hold (vetter_json_array (vetter_json_object (session, "userCtx"), "roles"), role);
}

static void
on_step_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autofree StepRequest *request = user_data;
  g_autoptr(VetterCouchSetup) self = request->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterCouchAnswer) answer = vetter_couch_client_request_finish (VETTER_COUCH_CLIENT (source), result, &error);
  const VetterServices *services = vetter_couch_client_get_services (self->client);
  JsonObject *body;
  g_autofree char *problem = NULL;

  if (answer == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      problem = g_strdup_printf ("cannot reach the database: %s", error->message);
      set_problem (self, problem, RETRY_SECONDS);
      return;
    }
  body = answer->body;

  if (answer->status == 401 || answer->status == 403)
    {
      g_autofree char *why = vetter_couch_answer_describe (answer);

      problem = g_strdup_printf ("the database refuses %s: %s", services->couch_user, why);
      set_problem (self, problem, REFUSED_SECONDS);
      return;
    }

  switch (request->step)
    {
    case STEP_SESSION:
      if (answer->status != 200 || body == NULL)
        break;
      self->is_admin = vetter_couch_session_has_role (body, "_admin");
      self->role = role_of_session (body);
      run_step (self, self->is_admin ? STEP_CREATE_DB : STEP_CHECK_DB);
      return;

    case STEP_CREATE_DB:
      /* 412: it was there already. */
      if (answer->status != 201 && answer->status != 202 && answer->status != 412)
        break;
      run_step (self, STEP_READ_SECURITY);
      return;

    case STEP_CHECK_DB:
      if (answer->status == 404)
        {
          problem = g_strdup_printf ("the database “%s” does not exist yet: an administrator must connect to it "
                                     "from Vetter once to create it", services->couch_db);
          set_problem (self, problem, REFUSED_SECONDS);
          return;
        }
      if (answer->status != 200)
        break;
      run_step (self, STEP_READ_DESIGN);
      return;

    case STEP_READ_SECURITY:
      {
        JsonObject *members = vetter_json_object (body, "members");

        if (answer->status != 200)
          break;
        /* One an admin already set is theirs to keep. */
        run_step (self, members && json_object_get_size (members) > 0 ? STEP_READ_USERS_SECURITY : STEP_WRITE_SECURITY);
        return;
      }

    case STEP_WRITE_SECURITY:
      /* 409: another admin's desktop wrote it meanwhile; theirs stands. */
      if (answer->status != 200 && answer->status != 201 && answer->status != 409)
        break;
      run_step (self, STEP_READ_USERS_SECURITY);
      return;

    case STEP_READ_USERS_SECURITY:
      if (answer->status != 200)
        break;
      g_clear_pointer (&self->users_security, json_object_unref);
      if (body && vetter_couch_roles_hold (vetter_json_array (vetter_json_object (body, "admins"), "roles"),
                                           VETTER_COUCH_ADMIN_ROLE))
        run_step (self, STEP_READ_DESIGN);
      else
        {
          self->users_security = body ? json_object_ref (body) : NULL;
          run_step (self, STEP_WRITE_USERS_SECURITY);
        }
      return;

    case STEP_WRITE_USERS_SECURITY:
      if (answer->status == 409)
        {
          /* Another admin's desktop was quicker: look again. */
          run_step (self, STEP_READ_USERS_SECURITY);
          return;
        }
      if (answer->status != 200 && answer->status != 201)
        break;
      run_step (self, STEP_READ_DESIGN);
      return;

    case STEP_READ_DESIGN:
      {
        g_autoptr(JsonObject) wanted = design_doc ();
        gint64 have = answer->status == 200 ? vetter_json_int (body, "vetter_version", 0) : 0;

        if (answer->status != 200 && answer->status != 404)
          break;
        g_clear_pointer (&self->design_rev, g_free);
        if (answer->status == 200 && body)
          self->design_rev = g_strdup (vetter_json_string (body, "_rev"));
        if (have >= json_object_get_int_member (wanted, "vetter_version"))
          {
            set_ready (self);
            return;
          }
        if (!self->is_admin)
          {
            problem = g_strdup_printf ("the database “%s” has no validation from this version of Vetter yet: "
                                       "an administrator must connect to it from Vetter once",
                                       services->couch_db);
            set_problem (self, problem, REFUSED_SECONDS);
            return;
          }
        run_step (self, STEP_WRITE_DESIGN);
        return;
      }

    case STEP_WRITE_DESIGN:
      if (answer->status == 409)
        {
          /* Another admin's desktop was quicker: read theirs. */
          run_step (self, STEP_READ_DESIGN);
          return;
        }
      if (answer->status != 201 && answer->status != 202)
        break;
      set_ready (self);
      return;

    default:
      g_assert_not_reached ();
    }

  {
    g_autofree char *why = vetter_couch_answer_describe (answer);

    problem = g_strdup_printf ("the database answered %s", why);
    set_problem (self, problem, answer->status >= 500 ? RETRY_SECONDS : REFUSED_SECONDS);
  }
}

static void
run_step (VetterCouchSetup *self,
          Step              step)
{
  static const struct { const char *method; const char *doc; gboolean server; } requests[] = {
    [STEP_SESSION] = { "GET", "_session", TRUE },
    [STEP_CREATE_DB] = { "PUT", NULL, FALSE },
    [STEP_CHECK_DB] = { "GET", NULL, FALSE },
    [STEP_READ_SECURITY] = { "GET", "_security", FALSE },
    [STEP_WRITE_SECURITY] = { "PUT", "_security", FALSE },
    [STEP_READ_USERS_SECURITY] = { "GET", "_users/_security", TRUE },
    [STEP_WRITE_USERS_SECURITY] = { "PUT", "_users/_security", TRUE },
    [STEP_READ_DESIGN] = { "GET", "_design/vetter", FALSE },
    [STEP_WRITE_DESIGN] = { "PUT", "_design/vetter", FALSE },
  };
  g_autoptr(JsonObject) body = NULL;
  StepRequest *request;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (step == STEP_WRITE_SECURITY)
    body = security_doc ();
  else if (step == STEP_WRITE_USERS_SECURITY)
    body = users_security_doc (self->users_security);
  else if (step == STEP_WRITE_DESIGN)
    {
      body = design_doc ();
      if (self->design_rev)
        json_object_set_string_member (body, "_rev", self->design_rev);
    }
  request = g_new0 (StepRequest, 1);
  request->self = g_object_ref (self);
  request->step = step;
  vetter_couch_client_request_async (self->client, requests[step].method, requests[step].doc, NULL, body,
                                     requests[step].server, self->cancellable, on_step_done, request);
}

/* ---- GObject -------------------------------------------------------------- */

static void
vetter_couch_setup_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  VetterCouchSetup *self = VETTER_COUCH_SETUP (object);

  switch (prop_id)
    {
    case PROP_READY:
      g_value_set_boolean (value, self->ready);
      break;
    case PROP_PROBLEM:
      g_value_set_string (value, self->problem);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vetter_couch_setup_dispose (GObject *object)
{
  VetterCouchSetup *self = VETTER_COUCH_SETUP (object);

  vetter_couch_setup_stop (self);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (vetter_couch_setup_parent_class)->dispose (object);
}

static void
vetter_couch_setup_finalize (GObject *object)
{
  VetterCouchSetup *self = VETTER_COUCH_SETUP (object);

  g_clear_object (&self->cancellable);
  g_free (self->problem);
  g_free (self->design_rev);
  g_clear_pointer (&self->users_security, json_object_unref);
  G_OBJECT_CLASS (vetter_couch_setup_parent_class)->finalize (object);
}

static void
vetter_couch_setup_class_init (VetterCouchSetupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = vetter_couch_setup_get_property;
  object_class->dispose = vetter_couch_setup_dispose;
  object_class->finalize = vetter_couch_setup_finalize;

  properties[PROP_READY] = g_param_spec_boolean ("ready", NULL, NULL, FALSE,
                                                 G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROBLEM] = g_param_spec_string ("problem", NULL, NULL, NULL,
                                                  G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vetter_couch_setup_init (VetterCouchSetup *self)
{
  self->cancellable = g_cancellable_new ();
  self->problem = g_strdup ("connecting to the database");
}

VetterCouchSetup *
vetter_couch_setup_new (VetterCouchClient *client)
{
  VetterCouchSetup *self = g_object_new (VETTER_TYPE_COUCH_SETUP, NULL);

  self->client = g_object_ref (client);
  run_step (self, STEP_SESSION);
  return self;
}

VetterRole
vetter_couch_setup_get_role (VetterCouchSetup *self)
{
  return self->role;
}

gboolean
vetter_couch_setup_get_ready (VetterCouchSetup *self)
{
  g_return_val_if_fail (VETTER_IS_COUCH_SETUP (self), FALSE);
  return self->ready;
}

const char *
vetter_couch_setup_get_problem (VetterCouchSetup *self)
{
  g_return_val_if_fail (VETTER_IS_COUCH_SETUP (self), NULL);
  return self->problem;
}

void
vetter_couch_setup_refused (VetterCouchSetup *self,
                            const char       *problem)
{
  g_return_if_fail (VETTER_IS_COUCH_SETUP (self));
  set_problem (self, problem, RETRY_SECONDS);
}

void
vetter_couch_setup_stop (VetterCouchSetup *self)
{
  g_return_if_fail (VETTER_IS_COUCH_SETUP (self));
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->retry_source, g_source_remove);
}
