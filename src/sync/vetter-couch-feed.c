/* vetter-couch-feed.c: the shared database's side that is not the outbox
 *
 * Three jobs, all on the caller's main context and never blocking it:
 *
 * - Getting the database ready. An admin's desktop creates it, its
 *   _security (moderators and viewers are members) and the design
 *   document whose validate_doc_update refuses malformed documents and
 *   writers without the moderator role. Anyone else's desktop only checks
 *   they are there, and says who must act when they are not.
 * - Pulling. The _changes feed is read a page at a time from the position
 *   stored with the last page taken in, so a restart neither misses nor
 *   repeats a change. Pages are polled: pouchdb-server's longpoll ignores
 *   its timeout, and a poll is what a desktop behind any proxy can do.
 * - Claims. "claim:<uid>" says which desktop reviews an ad, until it is
 *   released or expires. Creating it without a revision is atomic in
 *   CouchDB: of two desktops, one gets 201 and the other 409.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-couch"

#include "config.h"

#include "vetter-couch-feed.h"
#include "vetter-couch.h"
#include "vetter-error.h"

#define PAGE_SIZE        200
#define RETRY_SECONDS    5
#define REFUSED_SECONDS  30
#define MAX_CLAIM_PUTS   4

typedef enum
{
  STEP_SESSION,
  STEP_CREATE_DB,
  STEP_CHECK_DB,
  STEP_READ_SECURITY,
  STEP_WRITE_SECURITY,
  STEP_READ_DESIGN,
  STEP_WRITE_DESIGN,
} Step;

struct _VetterCouchFeed
{
  GObject         parent_instance;

  VetterEngine   *engine;
  VetterServices *services;
  SoupSession    *session;
  GCancellable   *cancellable;
  char           *desktop;       /* this database's id among the desktops */
  gboolean        is_admin;
  gboolean        ready;
  char           *problem;
  guint           retry_source;
  gboolean        pulling;
  guint           interval_ms;
  guint           poll_source;
  gboolean        polling;       /* a page is on its way or being taken in */
  char           *since;         /* JSON, as the server wrote it; NULL: from the start */
  char           *design_rev;    /* the design document's revision as read, to replace it */
  GHashTable     *claims;        /* uid → revision of the claims this desktop holds */
};

G_DEFINE_FINAL_TYPE (VetterCouchFeed, vetter_couch_feed, G_TYPE_OBJECT)

enum {
  CHANGED,
  PULLED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void run_step (VetterCouchFeed *self, Step step);
static void schedule_poll (VetterCouchFeed *self, guint delay_ms);

/* ---- State ---------------------------------------------------------------- */

static gboolean
on_retry (gpointer user_data)
{
  VetterCouchFeed *self = user_data;

  self->retry_source = 0;
  run_step (self, STEP_SESSION);
  return G_SOURCE_REMOVE;
}

/* Not ready, because of @problem; the whole check runs again later. */
static void
set_problem (VetterCouchFeed *self,
             const char      *problem,
             guint            retry_seconds)
{
  gboolean changed = self->ready || g_strcmp0 (self->problem, problem) != 0;

  self->ready = FALSE;
  g_free (self->problem);
  self->problem = g_strdup (problem);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  self->retry_source = g_timeout_add_seconds (retry_seconds, on_retry, self);
  if (changed)
    g_signal_emit (self, signals[CHANGED], 0);
}

static void
set_ready (VetterCouchFeed *self)
{
  gboolean changed = !self->ready || self->problem != NULL;

  self->ready = TRUE;
  g_clear_pointer (&self->problem, g_free);
  if (changed)
    g_signal_emit (self, signals[CHANGED], 0);
  if (self->pulling)
    schedule_poll (self, 0);
}

/* ---- Getting the database ready ------------------------------------------- */

typedef struct
{
  VetterCouchFeed *self;
  Step             step;
} StepRequest;

static gboolean
roles_include (JsonObject *session,
               const char *role)
{
  JsonNode *ctx = json_object_get_member (session, "userCtx");
  JsonNode *roles = ctx && JSON_NODE_HOLDS_OBJECT (ctx) ? json_object_get_member (json_node_get_object (ctx), "roles")
                                                        : NULL;
  JsonArray *list = roles && JSON_NODE_HOLDS_ARRAY (roles) ? json_node_get_array (roles) : NULL;

  for (guint i = 0; list && i < json_array_get_length (list); i++)
    {
      JsonNode *node = json_array_get_element (list, i);

      if (json_node_get_value_type (node) == G_TYPE_STRING && g_strcmp0 (json_node_get_string (node), role) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
on_step_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autofree StepRequest *request = user_data;
  g_autoptr(VetterCouchFeed) self = request->self;
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *problem = NULL;
  guint status;

  if (body == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      problem = g_strdup_printf ("cannot reach the database: %s", error->message);
      set_problem (self, problem, RETRY_SECONDS);
      return;
    }
  status = soup_message_get_status (message);
  answer = vetter_couch_parse (body, NULL);

  if (status == 401 || status == 403)
    {
      g_autofree char *why = vetter_couch_describe (message, body);

      problem = g_strdup_printf ("the database refuses %s: %s", self->services->couch_user, why);
      set_problem (self, problem, REFUSED_SECONDS);
      return;
    }

  switch (request->step)
    {
    case STEP_SESSION:
      if (status != 200 || answer == NULL)
        break;
      self->is_admin = roles_include (answer, "_admin");
      run_step (self, self->is_admin ? STEP_CREATE_DB : STEP_CHECK_DB);
      return;

    case STEP_CREATE_DB:
      /* 412: it was there already. */
      if (status != 201 && status != 202 && status != 412)
        break;
      run_step (self, STEP_READ_SECURITY);
      return;

    case STEP_CHECK_DB:
      if (status == 404)
        {
          problem = g_strdup_printf ("the database “%s” does not exist yet: an administrator must connect to it "
                                     "from Vetter once to create it", self->services->couch_db);
          set_problem (self, problem, REFUSED_SECONDS);
          return;
        }
      if (status != 200)
        break;
      run_step (self, STEP_READ_DESIGN);
      return;

    case STEP_READ_SECURITY:
      {
        JsonNode *members = answer ? json_object_get_member (answer, "members") : NULL;

        if (status != 200)
          break;
        /* One an admin already set is theirs to keep. */
        run_step (self, members && JSON_NODE_HOLDS_OBJECT (members) && json_object_get_size (json_node_get_object (members)) > 0
                        ? STEP_READ_DESIGN : STEP_WRITE_SECURITY);
        return;
      }

    case STEP_WRITE_SECURITY:
      if (status != 200 && status != 201)
        break;
      run_step (self, STEP_READ_DESIGN);
      return;

    case STEP_READ_DESIGN:
      {
        g_autoptr(JsonObject) wanted = vetter_couch_design_doc ();
        gint64 have = status == 200 && answer ? json_object_get_int_member_with_default (answer, "vetter_version", 0) : 0;

        if (status != 200 && status != 404)
          break;
        g_clear_pointer (&self->design_rev, g_free);
        if (status == 200)
          self->design_rev = g_strdup (json_object_get_string_member_with_default (answer, "_rev", NULL));
        if (have >= json_object_get_int_member (wanted, "vetter_version"))
          {
            set_ready (self);
            return;
          }
        if (!self->is_admin)
          {
            problem = g_strdup_printf ("the database “%s” has no validation from this version of Vetter yet: "
                                       "an administrator must connect to it from Vetter once",
                                       self->services->couch_db);
            set_problem (self, problem, REFUSED_SECONDS);
            return;
          }
        run_step (self, STEP_WRITE_DESIGN);
        return;
      }

    case STEP_WRITE_DESIGN:
      if (status == 409)
        {
          /* Another admin's desktop was quicker: read theirs. */
          run_step (self, STEP_READ_DESIGN);
          return;
        }
      if (status != 201 && status != 202)
        break;
      set_ready (self);
      return;

    default:
      g_assert_not_reached ();
    }

  {
    g_autofree char *why = vetter_couch_describe (message, body);

    problem = g_strdup_printf ("the database answered %s", why);
    set_problem (self, problem, status >= 500 ? RETRY_SECONDS : REFUSED_SECONDS);
  }
}

static void
run_step (VetterCouchFeed *self,
          Step             step)
{
  SoupMessage *message = NULL;
  StepRequest *request;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  switch (step)
    {
    case STEP_SESSION:
      message = vetter_couch_server_message (self->services, "GET", "_session");
      break;
    case STEP_CREATE_DB:
      message = vetter_couch_message (self->services, "PUT", NULL, NULL, NULL);
      break;
    case STEP_CHECK_DB:
      message = vetter_couch_message (self->services, "GET", NULL, NULL, NULL);
      break;
    case STEP_READ_SECURITY:
      message = vetter_couch_message (self->services, "GET", "_security", NULL, NULL);
      break;
    case STEP_WRITE_SECURITY:
      {
        g_autoptr(JsonObject) security = vetter_couch_security_doc ();

        message = vetter_couch_message (self->services, "PUT", "_security", NULL, security);
        break;
      }
    case STEP_READ_DESIGN:
      message = vetter_couch_message (self->services, "GET", "_design/vetter", NULL, NULL);
      break;
    case STEP_WRITE_DESIGN:
      {
        g_autoptr(JsonObject) design = vetter_couch_design_doc ();

        if (self->design_rev)
          json_object_set_string_member (design, "_rev", self->design_rev);
        message = vetter_couch_message (self->services, "PUT", "_design/vetter", NULL, design);
        break;
      }
    default:
      g_assert_not_reached ();
    }
  if (message == NULL)
    {
      set_problem (self, "the database URL is not valid", REFUSED_SECONDS);
      return;
    }
  request = g_new0 (StepRequest, 1);
  request->self = g_object_ref (self);
  request->step = step;
  soup_session_send_and_read_async (self->session, message, G_PRIORITY_DEFAULT, self->cancellable,
                                    on_step_done, request);
  g_object_unref (message);
}

/* ---- Pulling -------------------------------------------------------------- */

/* Shared by the store thread, which fills it, and the answer, which
 * acts on what it found. */
typedef struct
{
  JsonArray *results;
  char      *last_seq;
  GArray    *batches;   /* with new ads to process */
  GArray    *decided;   /* items another desktop decided */
} Page;

static void
page_clear (Page *page)
{
  g_clear_pointer (&page->results, json_array_unref);
  g_free (page->last_seq);
  g_clear_pointer (&page->batches, g_array_unref);
  g_clear_pointer (&page->decided, g_array_unref);
}

static void
page_release (Page *page)
{
  g_rc_box_release_full (page, (GDestroyNotify) page_clear);
}

static gpointer
store_take_page (VetterStore  *store,
                 gpointer      data,
                 GError      **error)
{
  Page *page = data;

  if (!vetter_store_couch_take_changes (store, page->results, page->last_seq, page->batches, page->decided, error))
    return NULL;
  return g_rc_box_acquire (page);
}

typedef struct
{
  VetterCouchFeed *self;
  char            *last_seq;
  gboolean         full;
} PageTaken;

static void
on_page_taken (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  PageTaken *taken = user_data;
  g_autoptr(VetterCouchFeed) self = taken->self;
  g_autofree char *last_seq = taken->last_seq;
  gboolean full = taken->full;
  g_autoptr(GError) error = NULL;
  Page *page = vetter_engine_run_in_store_finish (VETTER_ENGINE (source), result, &error);

  g_free (taken);
  self->polling = FALSE;
  if (page == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_warning ("Cannot take in the shared database's changes: %s", error->message);
          schedule_poll (self, RETRY_SECONDS * 1000);
        }
      return;
    }
  g_free (self->since);
  self->since = g_steal_pointer (&last_seq);
  /* New ads are processed here like any batch's; decided ones show as
   * decided in the window's counts. */
  for (guint i = 0; i < page->batches->len; i++)
    vetter_engine_resume_batch (self->engine, g_array_index (page->batches, gint64, i));
  vetter_engine_announce_items (self->engine, page->decided);
  page_release (page);
  g_signal_emit (self, signals[PULLED], 0);
  schedule_poll (self, full ? 0 : self->interval_ms);
}

static void
on_page (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(VetterCouchFeed) self = user_data;
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_autoptr(JsonObject) answer = NULL;
  JsonNode *last_seq;
  PageTaken *taken;
  Page *page;

  if (body == NULL || soup_message_get_status (message) != 200 ||
      (answer = vetter_couch_parse (body, &error)) == NULL ||
      !json_object_has_member (answer, "results") || !json_object_has_member (answer, "last_seq"))
    {
      self->polling = FALSE;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Offline or refused: the next poll tries again; a refusal also
       * sends the readiness check round again, to say why. */
      if (body && (soup_message_get_status (message) == 401 || soup_message_get_status (message) == 403 ||
                   soup_message_get_status (message) == 404))
        {
          g_autofree char *why = vetter_couch_describe (message, body);
          g_autofree char *problem = g_strdup_printf ("the database refused its changes feed (%s); checking it again",
                                                      why);

          set_problem (self, problem, RETRY_SECONDS);
        }
      schedule_poll (self, MAX (self->interval_ms, RETRY_SECONDS * 1000));
      return;
    }

  page = g_rc_box_new0 (Page);
  page->results = json_array_ref (json_object_get_array_member (answer, "results"));
  last_seq = json_object_get_member (answer, "last_seq");
  page->last_seq = json_to_string (last_seq, FALSE);
  page->batches = g_array_new (FALSE, FALSE, sizeof (gint64));
  page->decided = g_array_new (FALSE, FALSE, sizeof (gint64));
  taken = g_new0 (PageTaken, 1);
  taken->self = g_object_ref (self);
  taken->last_seq = g_strdup (page->last_seq);
  taken->full = json_array_get_length (page->results) >= PAGE_SIZE;
  vetter_engine_run_in_store_async (self->engine, store_take_page, page, (GDestroyNotify) page_release,
                                    (GDestroyNotify) page_release, self->cancellable, on_page_taken, taken);
}

/* "since" as a query value: a number as it is, a string's own text. */
static char *
since_param (const char *since)
{
  g_autoptr(JsonNode) node = since ? json_from_string (since, NULL) : NULL;

  if (node == NULL)
    return g_strdup ("0");
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_uri_escape_string (json_node_get_string (node), NULL, FALSE);
  return g_strdup (since);
}

static gboolean
on_poll (gpointer user_data)
{
  VetterCouchFeed *self = user_data;
  g_autofree char *since = since_param (self->since);
  g_autofree char *query = g_strdup_printf ("since=%s&include_docs=true&limit=%d", since, PAGE_SIZE);
  SoupMessage *message;

  self->poll_source = 0;
  if (!self->ready || self->polling || g_cancellable_is_cancelled (self->cancellable))
    return G_SOURCE_REMOVE;
  message = vetter_couch_message (self->services, "GET", "_changes", query, NULL);
  if (message == NULL)
    return G_SOURCE_REMOVE;
  self->polling = TRUE;
  soup_session_send_and_read_async (self->session, message, G_PRIORITY_DEFAULT, self->cancellable,
                                    on_page, g_object_ref (self));
  g_object_unref (message);
  return G_SOURCE_REMOVE;
}

static void
schedule_poll (VetterCouchFeed *self,
               guint            delay_ms)
{
  if (!self->pulling || g_cancellable_is_cancelled (self->cancellable))
    return;
  g_clear_handle_id (&self->poll_source, g_source_remove);
  self->poll_source = g_timeout_add (delay_ms, on_poll, self);
}

/* ---- Claims --------------------------------------------------------------- */

typedef struct
{
  char    *uid;
  char    *moderator;
  char    *holder_name;   /* the other moderator, when held */
  guint    puts;          /* PUTs tried: a release racing a claim can need a few */
} Claim;

static void
claim_free (Claim *claim)
{
  g_free (claim->uid);
  g_free (claim->moderator);
  g_free (claim->holder_name);
  g_free (claim);
}

static void claim_put (GTask *task, const char *rev);

static char *
claim_id (const char *uid)
{
  return g_strconcat ("claim:", uid, NULL);
}

static gpointer
store_note_claim (VetterStore  *store,
                  gpointer      data,
                  GError      **error)
{
  JsonObject *doc = data;
  const char *id = json_object_get_string_member (doc, "_id");

  if (!vetter_store_couch_note_claim (store, id + strlen ("claim:"), json_object_get_string_member (doc, "holder"),
                                      json_object_get_string_member_with_default (doc, "moderator", NULL),
                                      json_object_get_int_member_with_default (doc, "expires", 0), error))
    return NULL;
  return GINT_TO_POINTER (1);
}

static void
on_claim_noted (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  vetter_engine_run_in_store_finish (VETTER_ENGINE (source), result, NULL);
}

static void
on_claim_read (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VetterCouchFeed *self = g_task_get_source_object (task);
  Claim *claim = g_task_get_task_data (task);
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  g_autoptr(JsonObject) doc = NULL;
  const char *holder;

  if (body == NULL)
    {
      g_task_return_int (task, VETTER_CLAIM_UNKNOWN);
      return;
    }
  if (soup_message_get_status (message) == 404 && claim->puts < MAX_CLAIM_PUTS)
    {
      /* Released in between: try again from scratch. */
      claim_put (g_steal_pointer (&task), NULL);
      return;
    }
  doc = soup_message_get_status (message) == 200 ? vetter_couch_parse (body, NULL) : NULL;
  if (doc == NULL)
    {
      g_task_return_int (task, VETTER_CLAIM_UNKNOWN);
      return;
    }
  holder = json_object_get_string_member_with_default (doc, "holder", NULL);
  if (claim->puts < MAX_CLAIM_PUTS &&
      (g_strcmp0 (holder, self->desktop) == 0 ||
       json_object_get_int_member_with_default (doc, "expires", 0) < g_get_real_time ()))
    {
      /* Ours from before, or lapsed: take it over with its revision. */
      claim_put (g_steal_pointer (&task), json_object_get_string_member_with_default (doc, "_rev", NULL));
      return;
    }
  claim->holder_name = g_strdup (json_object_get_string_member_with_default (doc, "moderator", holder));
  /* The queue here leaves it out until the claim goes. */
  vetter_engine_run_in_store_async (self->engine, store_note_claim, json_object_ref (doc),
                                    (GDestroyNotify) json_object_unref, NULL, NULL, on_claim_noted, NULL);
  g_task_return_int (task, VETTER_CLAIM_HELD);
}

static void
on_claim_put (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VetterCouchFeed *self = g_task_get_source_object (task);
  Claim *claim = g_task_get_task_data (task);
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *id = claim_id (claim->uid);
  guint status;

  if (body == NULL)
    {
      g_task_return_int (task, VETTER_CLAIM_UNKNOWN);
      return;
    }
  status = soup_message_get_status (message);
  if (status == 201 || status == 202)
    {
      answer = vetter_couch_parse (body, NULL);
      if (answer && json_object_has_member (answer, "rev"))
        g_hash_table_replace (self->claims, g_strdup (claim->uid),
                              g_strdup (json_object_get_string_member (answer, "rev")));
      g_task_return_int (task, VETTER_CLAIM_TAKEN);
      return;
    }
  if (status == 409)
    {
      SoupMessage *read = vetter_couch_message (self->services, "GET", id, NULL, NULL);
      GCancellable *cancellable = g_task_get_cancellable (task);

      soup_session_send_and_read_async (self->session, read, G_PRIORITY_DEFAULT, cancellable,
                                        on_claim_read, g_steal_pointer (&task));
      g_object_unref (read);
      return;
    }
  g_task_return_int (task, VETTER_CLAIM_UNKNOWN);
}

static void
claim_put (GTask      *task,
           const char *rev)
{
  VetterCouchFeed *self = g_task_get_source_object (task);
  Claim *claim = g_task_get_task_data (task);
  g_autoptr(JsonObject) doc = json_object_new ();
  g_autofree char *id = claim_id (claim->uid);
  SoupMessage *message;

  claim->puts++;
  json_object_set_string_member (doc, "type", "claim");
  json_object_set_string_member (doc, "holder", self->desktop);
  json_object_set_string_member (doc, "moderator", claim->moderator);
  json_object_set_int_member (doc, "expires", g_get_real_time () + (gint64) VETTER_COUCH_CLAIM_SECONDS * G_USEC_PER_SEC);
  if (rev)
    json_object_set_string_member (doc, "_rev", rev);
  message = vetter_couch_message (self->services, "PUT", id, NULL, doc);
  soup_session_send_and_read_async (self->session, message, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                    on_claim_put, task);
  g_object_unref (message);
}

void
vetter_couch_feed_claim_async (VetterCouchFeed     *self,
                               const char          *uid,
                               const char          *moderator,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;
  Claim *claim;

  g_return_if_fail (VETTER_IS_COUCH_FEED (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vetter_couch_feed_claim_async);
  if (!self->ready || self->desktop == NULL || uid == NULL)
    {
      g_task_return_int (task, VETTER_CLAIM_UNKNOWN);
      g_object_unref (task);
      return;
    }
  claim = g_new0 (Claim, 1);
  claim->uid = g_strdup (uid);
  claim->moderator = g_strdup (moderator);
  g_task_set_task_data (task, claim, (GDestroyNotify) claim_free);
  /* Ours already: renewed with the revision we hold. */
  claim_put (task, g_hash_table_lookup (self->claims, uid));
}

VetterClaimResult
vetter_couch_feed_claim_finish (VetterCouchFeed  *self,
                                GAsyncResult     *result,
                                char            **holder)
{
  Claim *claim = g_task_get_task_data (G_TASK (result));
  gssize value = g_task_propagate_int (G_TASK (result), NULL);

  if (value < 0)
    return VETTER_CLAIM_UNKNOWN;
  if (holder)
    *holder = value == VETTER_CLAIM_HELD && claim ? g_strdup (claim->holder_name) : NULL;
  return (VetterClaimResult) value;
}

static void
on_released (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
}

void
vetter_couch_feed_release (VetterCouchFeed *self,
                           const char      *uid)
{
  g_autofree char *rev = NULL;
  g_autofree char *id = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *query = NULL;
  SoupMessage *message;

  g_return_if_fail (VETTER_IS_COUCH_FEED (self));
  if (uid == NULL || !g_hash_table_steal_extended (self->claims, uid, NULL, (gpointer *) &rev))
    return;
  id = claim_id (uid);
  escaped = g_uri_escape_string (rev, NULL, FALSE);
  query = g_strconcat ("rev=", escaped, NULL);
  /* A release that does not arrive is an expiry later. */
  message = vetter_couch_message (self->services, "DELETE", id, query, NULL);
  soup_session_send_and_read_async (self->session, message, G_PRIORITY_DEFAULT, self->cancellable, on_released, NULL);
  g_object_unref (message);
}

/* ---- GObject -------------------------------------------------------------- */

static void
vetter_couch_feed_dispose (GObject *object)
{
  VetterCouchFeed *self = VETTER_COUCH_FEED (object);

  vetter_couch_feed_stop (self);
  g_clear_object (&self->session);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (vetter_couch_feed_parent_class)->dispose (object);
}

static void
vetter_couch_feed_finalize (GObject *object)
{
  VetterCouchFeed *self = VETTER_COUCH_FEED (object);

  g_clear_pointer (&self->services, vetter_services_free);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->claims, g_hash_table_unref);
  g_free (self->desktop);
  g_free (self->problem);
  g_free (self->since);
  g_free (self->design_rev);

  G_OBJECT_CLASS (vetter_couch_feed_parent_class)->finalize (object);
}

static void
vetter_couch_feed_class_init (VetterCouchFeedClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vetter_couch_feed_dispose;
  object_class->finalize = vetter_couch_feed_finalize;

  /* Ready, or a new problem. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* A page of other desktops' changes was taken in. */
  signals[PULLED] = g_signal_new ("pulled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
vetter_couch_feed_init (VetterCouchFeed *self)
{
  self->cancellable = g_cancellable_new ();
  self->claims = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->interval_ms = 2000;
}

typedef struct
{
  char *desktop;
  char *since;
} LocalState;

static void
local_state_free (LocalState *state)
{
  g_free (state->desktop);
  g_free (state->since);
  g_free (state);
}

static gpointer
store_local_state (VetterStore  *store,
                   gpointer      data,
                   GError      **error)
{
  LocalState *state = g_new0 (LocalState, 1);

  state->desktop = vetter_store_desktop_id (store, error);
  if (state->desktop == NULL)
    {
      local_state_free (state);
      return NULL;
    }
  state->since = vetter_store_couch_since (store);
  return state;
}

static void
on_local_state (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(VetterCouchFeed) self = user_data;
  g_autoptr(GError) error = NULL;
  LocalState *state = vetter_engine_run_in_store_finish (VETTER_ENGINE (source), result, &error);

  if (state == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_problem (self, error->message, REFUSED_SECONDS);
      return;
    }
  self->desktop = g_steal_pointer (&state->desktop);
  self->since = g_steal_pointer (&state->since);
  local_state_free (state);
  run_step (self, STEP_SESSION);
}

VetterCouchFeed *
vetter_couch_feed_new (VetterEngine         *engine,
                       const VetterServices *services,
                       SoupSession          *session)
{
  VetterCouchFeed *self = g_object_new (VETTER_TYPE_COUCH_FEED, NULL);

  self->engine = g_object_ref (engine);
  self->services = vetter_services_copy (services);
  self->session = g_object_ref (session);
  self->problem = g_strdup ("connecting to the database");
  vetter_engine_run_in_store_async (engine, store_local_state, NULL, NULL, (GDestroyNotify) local_state_free,
                                    self->cancellable, on_local_state, g_object_ref (self));
  return self;
}

void
vetter_couch_feed_start_pull (VetterCouchFeed *self,
                              guint            interval_ms)
{
  g_return_if_fail (VETTER_IS_COUCH_FEED (self));
  self->pulling = TRUE;
  self->interval_ms = MAX (interval_ms, 50);
  if (self->ready)
    schedule_poll (self, 0);
}

gboolean
vetter_couch_feed_is_ready (VetterCouchFeed *self)
{
  g_return_val_if_fail (VETTER_IS_COUCH_FEED (self), FALSE);
  return self->ready;
}

const char *
vetter_couch_feed_get_problem (VetterCouchFeed *self)
{
  g_return_val_if_fail (VETTER_IS_COUCH_FEED (self), NULL);
  return self->problem;
}

void
vetter_couch_feed_stop (VetterCouchFeed *self)
{
  g_return_if_fail (VETTER_IS_COUCH_FEED (self));
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_clear_handle_id (&self->poll_source, g_source_remove);
}
