/* vetter-couch-work.c: taking the team's work from the shared database
 *
 * Each ad to process has a `work:<uid>` document; a machine takes it by
 * writing its lease over the revision it read (the first writer wins, the
 * others get 409 and move on), renews the lease at a third of its length
 * while the ad is processed here, and the results go out as the same
 * document, done, through the outbox once the variants' uploads have named
 * their URLs (vetter-store-work.c). A lease whose expiry has passed by the
 * server's clock (estimated from the Date of its answers) is taken over:
 * the machine that held it has stopped or lost the database. Each lease is
 * an attempt; the third failed one fails the ad for a person to see.
 *
 * A cluster may accept two leases written on the same revision at once and
 * keep one as a conflict: after taking, the taker reads the document with
 * its conflicts and, when its own revision lost, deletes it and lets go.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-couch"

#include "config.h"

#include "vetter-couch-work.h"
#include "vetter-error.h"
#include "vetter-json.h"
#include "vetter-pipeline-settings.h"
#include "vetter-store.h"

#define LOOK_MS          1000     /* between looks for work, when there was none */
#define FIND_LIMIT       64
/* Leases held beyond the slots: the next ad is read and queued while one
 * is processed, so the slots do not wait on the database's round trips. */
#define AHEAD            1

typedef struct
{
  char    *uid;
  char    *rev;        /* the lease's revision, as last written */
  JsonObject *doc;     /* the document as last written */
  gint64   item_id;
  gboolean finished;   /* processed: its results are on their way */
} Lease;

struct _VetterCouchWork
{
  GObject            parent_instance;

  VetterEngine      *engine;
  VetterCouchClient *client;
  VetterCouchSetup  *setup;
  GCancellable      *cancellable;
  char              *name;
  char              *desktop;        /* this machine's id, as the store knows it */
  guint              slots;
  guint              lease_seconds;
  VetterClock        clock;
  gint64             offset;         /* the server's clock less this one's */
  GHashTable        *held;           /* uid → Lease */
  GPtrArray         *candidates;     /* JsonObject: work to try, from the last look */
  gboolean           started;
  gboolean           stopping;
  gboolean           busy;           /* a look or a lease is on its way */
  guint              look_source;
  guint              renew_source;
  char              *settings_rev;   /* the team's settings taken, as last read */
  char              *hash;           /* of the settings results are made under here */
};

G_DEFINE_FINAL_TYPE (VetterCouchWork, vetter_couch_work, G_TYPE_OBJECT)

enum {
  TAKEN,
  FINISHED,
  IDLE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void look (VetterCouchWork *self);
static void find_work_left (VetterCouchWork *self);
static void try_next (VetterCouchWork *self);

static void
lease_free (Lease *lease)
{
  g_free (lease->uid);
  g_free (lease->rev);
  g_clear_pointer (&lease->doc, json_object_unref);
  g_free (lease);
}

static gint64
server_now (VetterCouchWork *self)
{
  return self->clock () + self->offset;
}

static void
note_server_time (VetterCouchWork         *self,
                  const VetterCouchAnswer *answer)
{
  if (answer && answer->date > 0)
    self->offset = answer->date - self->clock ();
}

static void
schedule_look (VetterCouchWork *self,
               guint            delay_ms)
{
  if (self->stopping || !self->started)
    return;
  g_clear_handle_id (&self->look_source, g_source_remove);
  self->look_source = g_timeout_add_once (delay_ms, (GSourceOnceFunc) look, self);
}

/* ---- Taking a lease --------------------------------------------------------- */

typedef struct
{
  VetterCouchWork *self;
  char            *uid;
  JsonObject      *doc;       /* as leased, with our revision */
  JsonObject      *ad;
} Taking;

static void
taking_free (Taking *taking)
{
  g_clear_object (&taking->self);
  g_free (taking->uid);
  g_clear_pointer (&taking->doc, json_object_unref);
  g_clear_pointer (&taking->ad, json_object_unref);
  g_free (taking);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Taking, taking_free)

/* Database thread: the ad joins the local queue, leased. */
static gpointer
store_lease (VetterStore  *store,
             gpointer      data,
             GError      **error)
{
  Taking *taking = data;
  gint64 item_id = 0;
  gint64 batch_id = vetter_store_work_leased (store, taking->uid, taking->ad, taking->doc, &item_id, error);
  gint64 *ids;

  if (batch_id == 0)
    return NULL;
  ids = g_new (gint64, 2);
  ids[0] = batch_id;
  ids[1] = item_id;
  return ids;
}

static void give_back (VetterCouchWork *self, const char *uid, JsonObject *doc, gboolean failed_attempt,
                       const char *why);

static void
on_leased_here (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(Taking) taking = user_data;
  VetterCouchWork *self = taking->self;
  g_autoptr(GError) error = NULL;
  g_autofree gint64 *ids = vetter_database_run_finish (VETTER_DATABASE (source), result, &error);
  Lease *lease;

  self->busy = FALSE;
  if (ids == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Another machine may be able to: the attempt counts. */
      give_back (self, taking->uid, taking->doc, TRUE, error->message);
      try_next (self);
      return;
    }
  lease = g_new0 (Lease, 1);
  lease->uid = g_strdup (taking->uid);
  lease->rev = g_strdup (vetter_json_string (taking->doc, "_rev"));
  lease->doc = json_object_ref (taking->doc);
  lease->item_id = ids[1];
  g_hash_table_replace (self->held, lease->uid, lease);
  g_signal_emit (self, signals[TAKEN], 0, taking->uid);
  vetter_engine_resume_batch (self->engine, ids[0]);
  try_next (self);
}

static void
on_ad_read (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Taking *taking = user_data;
  VetterCouchWork *self = taking->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterCouchAnswer) answer = vetter_couch_client_request_finish (VETTER_COUCH_CLIENT (source), result, &error);

  if (answer == NULL || answer->status != 200 || answer->body == NULL)
    {
      g_autofree char *why = answer ? vetter_couch_answer_describe (answer) : g_strdup (error->message);
      g_autofree char *text = g_strdup_printf ("its ad could not be read: %s", why);

      self->busy = FALSE;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          taking_free (taking);
          return;
        }
      give_back (self, taking->uid, taking->doc, answer && answer->status == 404, text);
      taking_free (taking);
      try_next (self);
      return;
    }
  taking->ad = json_object_ref (answer->body);
  vetter_database_run_async (vetter_engine_get_database (self->engine), store_lease, taking, NULL, g_free,
                             self->cancellable, on_leased_here, taking);
}

static void
read_ad (Taking *taking)
{
  g_autofree char *ad_id = g_strconcat ("ad:", taking->uid, NULL);

  vetter_couch_client_request_async (taking->self->client, "GET", ad_id, NULL, NULL, FALSE,
                                     taking->self->cancellable, on_ad_read, taking);
}

static void
on_loser_deleted (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(VetterCouchAnswer) answer = vetter_couch_client_request_finish (VETTER_COUCH_CLIENT (source), result, NULL);
}

/* A cluster kept two leases: ours goes on only when it is the winner. */
static void
on_conflicts_read (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Taking *taking = user_data;
  VetterCouchWork *self = taking->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterCouchAnswer) answer = vetter_couch_client_request_finish (VETTER_COUCH_CLIENT (source), result, &error);
  const char *ours = vetter_json_string (taking->doc, "_rev");
  JsonArray *conflicts;

  if (answer == NULL || answer->status != 200)
    {
      /* Not known to have lost: go on, as a single server promises. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          taking_free (taking);
          return;
        }
      read_ad (taking);
      return;
    }
  conflicts = vetter_json_array (answer->body, "_conflicts");
  if (conflicts && json_array_get_length (conflicts) > 0 &&
      g_strcmp0 (vetter_json_string (answer->body, "_rev"), ours) != 0)
    {
      g_autofree char *doc_id = g_strconcat ("work:", taking->uid, NULL);
      g_autofree char *query = g_strdup_printf ("rev=%s", ours);

      g_message ("%s: another machine's lease won; this one yields", taking->uid);
      vetter_couch_client_request_async (self->client, "DELETE", doc_id, query, NULL, FALSE, NULL, on_loser_deleted,
                                         NULL);
      self->busy = FALSE;
      taking_free (taking);
      try_next (self);
      return;
    }
  read_ad (taking);
}

static void
on_lease_written (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Taking *taking = user_data;
  VetterCouchWork *self = taking->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterCouchAnswer) answer = vetter_couch_client_request_finish (VETTER_COUCH_CLIENT (source), result, &error);
  g_autofree char *doc_id = g_strconcat ("work:", taking->uid, NULL);

  note_server_time (self, answer);
  if (answer == NULL || (answer->status != 201 && answer->status != 202))
    {
      /* 409: another machine was first. Anything else: not now. */
      if (answer == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          taking_free (taking);
          return;
        }
      self->busy = FALSE;
      if (answer == NULL || answer->status != 409)
        {
          g_autofree char *why = answer ? vetter_couch_answer_describe (answer) : g_strdup (error->message);

          /* Not another machine's win: the server refuses or is away.
           * Asking again at once would only hammer it. */
          g_warning ("Cannot lease %s: %s", taking->uid, why);
          taking_free (taking);
          g_ptr_array_set_size (self->candidates, 0);
          schedule_look (self, LOOK_MS * 5);
          return;
        }
      taking_free (taking);
      try_next (self);
      return;
    }
  json_object_set_string_member (taking->doc, "_rev", vetter_json_string (answer->body, "rev"));
  vetter_couch_client_request_async (self->client, "GET", doc_id, "conflicts=true", NULL, FALSE, self->cancellable,
                                     on_conflicts_read, taking);
}

static gboolean
takeable (VetterCouchWork *self,
          JsonObject      *doc)
{
  const char *state = vetter_json_string (doc, "state");
  const char *uid = vetter_json_string (doc, "ad");
  Lease *held = uid ? g_hash_table_lookup (self->held, uid) : NULL;

  /* Held here and in the workers; one finished here (its result given
   * back for another try) may be taken again, here too. */
  if (uid == NULL || (held && !held->finished))
    return FALSE;
  if (g_strcmp0 (state, "queued") == 0)
    return TRUE;
  /* Made under other settings than the team's now: made again. */
  if (g_strcmp0 (state, "done") == 0)
    return g_strcmp0 (vetter_json_string (doc, "config"), self->hash) != 0;
  /* A lease nobody renewed: its machine stopped, or lost the database. */
  return g_strcmp0 (state, "leased") == 0 && vetter_json_int (doc, "expires", 0) < server_now (self);
}

static void
try_next (VetterCouchWork *self)
{
  JsonObject *doc;
  Taking *taking;
  g_autofree char *doc_id = NULL;
  gint64 now;

  if (self->stopping || self->busy)
    return;
  if (vetter_couch_work_get_held (self) >= self->slots + AHEAD)
    return;   /* a slot frees when an ad is finished */
  while (self->candidates->len > 0)
    {
      doc = g_ptr_array_steal_index (self->candidates, 0);
      if (takeable (self, doc))
        break;
      json_object_unref (doc);
      doc = NULL;
    }
  if (self->candidates->len == 0 && doc == NULL)
    {
      schedule_look (self, 0);
      return;
    }

  now = server_now (self);
  taking = g_new0 (Taking, 1);
  taking->self = g_object_ref (self);
  taking->uid = g_strdup (vetter_json_string (doc, "ad"));
  taking->doc = doc;
  /* Done before, under older settings: a new job. */
  if (g_strcmp0 (vetter_json_string (doc, "state"), "done") == 0)
    json_object_set_int_member (doc, "attempt", 0);
  json_object_set_int_member (doc, "attempt", vetter_json_int (doc, "attempt", 0) + 1);
  json_object_set_string_member (doc, "state", "leased");
  json_object_set_string_member (doc, "holder", self->desktop);
  json_object_set_string_member (doc, "holder_name", self->name);
  json_object_set_string_member (doc, "holder_user", vetter_couch_client_get_services (self->client)->couch_user);
  json_object_set_int_member (doc, "leased_at", now);
  json_object_set_int_member (doc, "expires", now + (gint64) self->lease_seconds * G_USEC_PER_SEC);
  self->busy = TRUE;
  doc_id = g_strconcat ("work:", taking->uid, NULL);
  vetter_couch_client_request_async (self->client, "PUT", doc_id, NULL, doc, FALSE, self->cancellable,
                                     on_lease_written, taking);
}

/* ---- Looking for work ------------------------------------------------------- */

static void
shuffle (GPtrArray *array)
{
  /* Machines that look at once try different ads first. */
  for (guint i = array->len; i > 1; i--)
    {
      guint j = (guint) g_random_int_range (0, (gint32) i);
      gpointer t = array->pdata[i - 1];

      array->pdata[i - 1] = array->pdata[j];
      array->pdata[j] = t;
    }
}

static void
on_found (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(VetterCouchWork) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterCouchAnswer) answer = vetter_couch_client_request_finish (VETTER_COUCH_CLIENT (source), result, &error);
  JsonArray *docs;
  guint takeable_now = 0;

  self->busy = FALSE;
  if (answer == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  note_server_time (self, answer);
  if (answer == NULL || answer->status != 200)
    {
      g_autofree char *why = answer ? vetter_couch_answer_describe (answer) : g_strdup (error->message);

      /* The server may be restarting: looked for again in a moment. */
      g_message ("Cannot look for work: %s", why);
      schedule_look (self, LOOK_MS * 5);
      return;
    }
  docs = vetter_json_array (answer->body, "docs");
  g_ptr_array_set_size (self->candidates, 0);
  for (guint i = 0; docs && i < json_array_get_length (docs); i++)
    {
      JsonObject *doc = vetter_json_element_object (docs, i);

      if (doc && takeable (self, doc))
        {
          g_ptr_array_add (self->candidates, json_object_ref (doc));
          takeable_now++;
        }
    }
  shuffle (self->candidates);
  if (takeable_now == 0)
    {
      /* Idle once no machine holds any either and none waits: a lease
       * whose machine died is taken over when it expires. */
      if (vetter_couch_work_get_held (self) == 0)
        {
          find_work_left (self);
          return;
        }
      schedule_look (self, LOOK_MS);
      return;
    }
  try_next (self);
}

static void
on_work_left (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(VetterCouchWork) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterCouchAnswer) answer = vetter_couch_client_request_finish (VETTER_COUCH_CLIENT (source), result, &error);
  JsonArray *docs = answer && answer->status == 200 ? vetter_json_array (answer->body, "docs") : NULL;

  self->busy = FALSE;
  if (answer == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (docs && json_array_get_length (docs) == 0 && vetter_couch_work_get_held (self) == 0)
    g_signal_emit (self, signals[IDLE], 0);
  schedule_look (self, LOOK_MS);
}

/* Whether another machine holds a lease still, or work waits: nothing is
 * left only when neither. Work queued counts: an ad given back for another
 * try (by this machine, its write landing after the look that found it
 * still leased) is queued by the time this asks. */
static void
find_work_left (VetterCouchWork *self)
{
  g_autoptr(JsonObject) body = json_object_new ();
  JsonObject *selector = json_object_new ();
  JsonObject *state = json_object_new ();
  JsonArray *states = json_array_new ();

  json_array_add_string_element (states, "leased");
  json_array_add_string_element (states, "queued");
  json_object_set_array_member (state, "$in", states);
  json_object_set_string_member (selector, "type", "work");
  json_object_set_object_member (selector, "state", state);
  json_object_set_object_member (body, "selector", selector);
  json_object_set_int_member (body, "limit", 1);
  self->busy = TRUE;
  vetter_couch_client_request_async (self->client, "POST", "_find", NULL, body, FALSE, self->cancellable,
                                     on_work_left, g_object_ref (self));
}

/* Work queued or whose lease lapsed, and work done under other settings. */
static void
find (VetterCouchWork *self)
{
  g_autoptr(JsonObject) body = json_object_new ();
  JsonObject *selector = json_object_new ();
  JsonObject *open_work = json_object_new ();
  JsonObject *lapsed = json_object_new ();
  JsonObject *lapsed_before = json_object_new ();
  JsonArray *either = json_array_new ();
  const char *sides[] = { "$lt", "$gt" };

  /* Queued, or leased and lapsed by the server's clock: live leases
   * would fill the page and hide the work behind them. */
  json_object_set_string_member (open_work, "state", "queued");
  json_array_add_object_element (either, open_work);
  json_object_set_int_member (lapsed_before, "$lt", server_now (self));
  json_object_set_string_member (lapsed, "state", "leased");
  json_object_set_object_member (lapsed, "expires", lapsed_before);
  json_array_add_object_element (either, lapsed);
  /* "Not these settings" as below or above them: pouchdb-server's $ne
   * fails inside an $or. */
  for (guint i = 0; i < G_N_ELEMENTS (sides); i++)
    {
      JsonObject *outdated = json_object_new ();
      JsonObject *other = json_object_new ();

      json_object_set_string_member (other, sides[i], self->hash);
      json_object_set_string_member (outdated, "state", "done");
      json_object_set_object_member (outdated, "config", other);
      json_array_add_object_element (either, outdated);
    }
  json_object_set_string_member (selector, "type", "work");
  json_object_set_array_member (selector, "$or", either);
  json_object_set_object_member (body, "selector", selector);
  json_object_set_int_member (body, "limit", FIND_LIMIT);
  vetter_couch_client_request_async (self->client, "POST", "_find", NULL, body, FALSE, self->cancellable, on_found,
                                     g_object_ref (self));
}

/* The team's settings, read before each look: results are made under
 * them, and those made under others again. */
static void
on_settings_read (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(VetterCouchWork) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterCouchAnswer) answer = vetter_couch_client_request_finish (VETTER_COUCH_CLIENT (source), result, &error);
  const char *rev = answer && answer->status == 200 ? vetter_json_string (answer->body, "_rev") : NULL;

  if (answer == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (rev && g_strcmp0 (rev, self->settings_rev) != 0)
    {
      g_autoptr(VetterConfig) config = vetter_config_copy (vetter_engine_get_config (self->engine));

      if (vetter_pipeline_settings_from_json (config, answer->body))
        {
          vetter_engine_set_config (self->engine, config);
          g_free (self->hash);
          self->hash = vetter_pipeline_settings_hash (config);
          g_message ("The team's settings are taken (%s): results made under others are made again", self->hash);
        }
      g_free (self->settings_rev);
      self->settings_rev = g_strdup (rev);
    }
  if (self->hash == NULL)
    self->hash = vetter_pipeline_settings_hash (vetter_engine_get_config (self->engine));
  find (self);
}

static void
look (VetterCouchWork *self)
{
  self->look_source = 0;
  if (self->stopping || self->busy || !vetter_couch_setup_get_ready (self->setup))
    {
      schedule_look (self, LOOK_MS);
      return;
    }
  if (vetter_couch_work_get_held (self) >= self->slots + AHEAD)
    return;
  self->busy = TRUE;
  vetter_couch_client_request_async (self->client, "GET", "config:pipeline", NULL, NULL, FALSE, self->cancellable,
                                     on_settings_read, g_object_ref (self));
}

/* ---- Holding: renewals, and the end of a lease ------------------------------ */

/* A renewal is a write of the lease, as taking one is. */
typedef Taking Renewal;

static gpointer
store_renewed (VetterStore  *store,
               gpointer      data,
               GError      **error)
{
  Renewal *renewal = data;

  return vetter_store_work_renewed (store, renewal->uid, vetter_json_string (renewal->doc, "_rev"), error)
         ? GINT_TO_POINTER (TRUE) : NULL;
}

static void
on_renewal_noted (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!vetter_database_run_finish (VETTER_DATABASE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Cannot note a renewed lease: %s", error->message);
}

static void
on_renewed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Renewal *renewal = user_data;
  VetterCouchWork *self = renewal->self;
  g_autoptr(VetterCouchAnswer) answer = vetter_couch_client_request_finish (VETTER_COUCH_CLIENT (source), result, NULL);
  Lease *lease = g_hash_table_lookup (self->held, renewal->uid);

  note_server_time (self, answer);
  if (lease && answer && (answer->status == 201 || answer->status == 202))
    {
      g_free (lease->rev);
      lease->rev = g_strdup (vetter_json_string (answer->body, "rev"));
      json_object_set_string_member (renewal->doc, "_rev", lease->rev);
      g_clear_pointer (&lease->doc, json_object_unref);
      lease->doc = json_object_ref (renewal->doc);
      vetter_database_run_async (vetter_engine_get_database (self->engine), store_renewed, renewal,
                                 (GDestroyNotify) taking_free, NULL, self->cancellable, on_renewal_noted, NULL);
      return;
    }
  if (lease && answer && answer->status == 409)
    {
      /* Its results went out (they changed the revision), or another
       * machine took it over: either way this lease is over. */
      if (!lease->finished)
        g_message ("%s: the lease was lost to another machine", renewal->uid);
      g_hash_table_remove (self->held, renewal->uid);
      try_next (self);
    }
  taking_free (renewal);
}

static gboolean
on_renew (gpointer user_data)
{
  VetterCouchWork *self = user_data;
  GHashTableIter iter;
  Lease *lease;

  if (!vetter_couch_setup_get_ready (self->setup))
    return G_SOURCE_CONTINUE;
  g_hash_table_iter_init (&iter, self->held);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &lease))
    {
      Renewal *renewal = g_new0 (Renewal, 1);
      g_autofree char *doc_id = g_strconcat ("work:", lease->uid, NULL);

      renewal->self = g_object_ref (self);
      renewal->uid = g_strdup (lease->uid);
      renewal->doc = vetter_json_object_copy (lease->doc);
      json_object_set_string_member (renewal->doc, "_rev", lease->rev);
      json_object_set_int_member (renewal->doc, "expires", server_now (self) + (gint64) self->lease_seconds * G_USEC_PER_SEC);
      vetter_couch_client_request_async (self->client, "PUT", doc_id, NULL, renewal->doc, FALSE, self->cancellable,
                                         on_renewed, renewal);
    }
  return G_SOURCE_CONTINUE;
}

/* Database thread: the error an item failed with, for the log. */
static gpointer
store_item_error (VetterStore  *store,
                  gpointer      data,
                  GError      **error)
{
  char *text = vetter_store_item_error (store, *(gint64 *) data);

  return text ? text : g_strdup ("");
}

typedef struct
{
  VetterCouchWork *self;
  char            *uid;
  VetterStatus     status;
} Finish;

static void
on_item_error_read (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Finish *finish = user_data;
  g_autofree char *text = vetter_database_run_finish (VETTER_DATABASE (source), result, NULL);

  g_signal_emit (finish->self, signals[FINISHED], 0, finish->uid, vetter_status_to_string (finish->status),
                 text && *text ? text : NULL);
  g_object_unref (finish->self);
  g_free (finish->uid);
  g_free (finish);
}

/* An ad leased here was processed: its results (or its failure) go out
 * through the outbox, whose write ends the lease; renewals go on until
 * then, and the slot is free for the next ad. */
static void
on_item_changed (VetterCouchWork *self,
                 gint64           item_id,
                 gint64           batch_id,
                 VetterStatus     status,
                 VetterEngine    *engine)
{
  GHashTableIter iter;
  Lease *lease;

  if (status == VETTER_STATUS_QUEUED || status == VETTER_STATUS_PROCESSING)
    return;
  g_hash_table_iter_init (&iter, self->held);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &lease))
    if (lease->item_id == item_id && !lease->finished)
      {
        Finish *finish = g_new0 (Finish, 1);

        lease->finished = TRUE;
        finish->self = g_object_ref (self);
        finish->uid = g_strdup (lease->uid);
        finish->status = status;
        vetter_database_run_async (vetter_engine_get_database (self->engine), store_item_error,
                                   g_memdup2 (&item_id, sizeof item_id), g_free, g_free, NULL, on_item_error_read,
                                   finish);
        try_next (self);
        break;
      }
}

guint
vetter_couch_work_get_held (VetterCouchWork *self)
{
  GHashTableIter iter;
  Lease *lease;
  guint n = 0;

  g_return_val_if_fail (VETTER_IS_COUCH_WORK (self), 0);
  g_hash_table_iter_init (&iter, self->held);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &lease))
    if (!lease->finished)
      n++;
  return n;
}

/* ---- Giving back ------------------------------------------------------------- */

static void
on_given_back (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterCouchAnswer) answer = vetter_couch_client_request_finish (VETTER_COUCH_CLIENT (source), result, &error);
  guint *left = task ? g_task_get_task_data (task) : NULL;

  if (answer && answer->status != 201 && answer->status != 202 && answer->status != 409)
    {
      g_autofree char *why = vetter_couch_answer_describe (answer);

      g_warning ("A lease was not given back: %s", why);
    }
  if (task && --(*left) == 0)
    g_task_return_boolean (task, TRUE);
  if (task)
    g_object_unref (task);
}

/* The lease on @uid ends without results: queued for another machine, or
 * failed for good when @failed_attempt was its last. */
static void
give_back_with (VetterCouchWork *self,
                const char      *uid,
                JsonObject      *doc,
                gboolean         failed_attempt,
                const char      *why,
                GTask           *task)
{
  g_autoptr(JsonObject) copy = vetter_json_object_copy (doc);
  g_autofree char *doc_id = g_strconcat ("work:", uid, NULL);
  gint64 attempt = vetter_json_int (doc, "attempt", 1);

  /* A clean stop is not an attempt. */
  if (!failed_attempt)
    attempt = MAX (0, attempt - 1);
  json_object_set_int_member (copy, "attempt", attempt);
  json_object_set_string_member (copy, "state", failed_attempt && attempt >= 3 ? "failed" : "queued");
  json_object_set_null_member (copy, "holder");
  json_object_remove_member (copy, "expires");
  if (why)
    json_object_set_string_member (copy, "error", why);
  vetter_couch_client_request_async (self->client, "PUT", doc_id, NULL, copy, FALSE, NULL, on_given_back,
                                     task ? g_object_ref (task) : NULL);
}

static void
give_back (VetterCouchWork *self,
           const char      *uid,
           JsonObject      *doc,
           gboolean         failed_attempt,
           const char      *why)
{
  g_warning ("%s: given back: %s", uid, why);
  give_back_with (self, uid, doc, failed_attempt, why, NULL);
}

static gpointer
store_wait_for_team (VetterStore  *store,
                     gpointer      data,
                     GError      **error)
{
  return vetter_store_work_wait_for_team (store, NULL, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

static void
on_parked (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  VetterCouchWork *self = g_task_get_source_object (task);
  guint *left = g_task_get_task_data (task);
  g_autoptr(GPtrArray) unfinished = g_ptr_array_new ();
  GHashTableIter iter;
  Lease *lease;

  vetter_database_run_finish (VETTER_DATABASE (source), result, NULL);
  g_hash_table_iter_init (&iter, self->held);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &lease))
    if (!lease->finished)
      g_ptr_array_add (unfinished, lease);
  *left = unfinished->len + 1;
  for (guint i = 0; i < unfinished->len; i++)
    {
      lease = g_ptr_array_index (unfinished, i);
      json_object_set_string_member (lease->doc, "_rev", lease->rev);
      give_back_with (self, lease->uid, lease->doc, FALSE, NULL, task);
    }
  if (--(*left) == 0)
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

void
vetter_couch_work_stop_async (VetterCouchWork     *self,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (VETTER_IS_COUCH_WORK (self));
  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_task_data (task, g_new0 (guint, 1), g_free);
  self->stopping = TRUE;
  g_clear_handle_id (&self->look_source, g_source_remove);
  /* What is in the workers now is not published: it waits for a lease. */
  vetter_database_run_async (vetter_engine_get_database (self->engine), store_wait_for_team, NULL, NULL, NULL, NULL,
                             on_parked, task);
}

gboolean
vetter_couch_work_stop_finish (VetterCouchWork  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- GObject ------------------------------------------------------------------ */

static void
vetter_couch_work_dispose (GObject *object)
{
  VetterCouchWork *self = VETTER_COUCH_WORK (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->look_source, g_source_remove);
  g_clear_handle_id (&self->renew_source, g_source_remove);
  if (self->engine)
    g_signal_handlers_disconnect_by_data (self->engine, self);
  g_clear_object (&self->engine);
  g_clear_object (&self->client);
  g_clear_object (&self->setup);
  G_OBJECT_CLASS (vetter_couch_work_parent_class)->dispose (object);
}

static void
vetter_couch_work_finalize (GObject *object)
{
  VetterCouchWork *self = VETTER_COUCH_WORK (object);

  g_clear_object (&self->cancellable);
  g_hash_table_unref (self->held);
  g_ptr_array_unref (self->candidates);
  g_free (self->name);
  g_free (self->desktop);
  g_free (self->settings_rev);
  g_free (self->hash);
  G_OBJECT_CLASS (vetter_couch_work_parent_class)->finalize (object);
}

static void
vetter_couch_work_class_init (VetterCouchWorkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vetter_couch_work_dispose;
  object_class->finalize = vetter_couch_work_finalize;

  signals[TAKEN] = g_signal_new ("taken", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                 G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
  signals[IDLE] = g_signal_new ("idle", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                G_TYPE_NONE, 0);
}

static void
vetter_couch_work_init (VetterCouchWork *self)
{
  self->cancellable = g_cancellable_new ();
  self->clock = g_get_real_time;
  self->held = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) lease_free);
  self->candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
}

VetterCouchWork *
vetter_couch_work_new (VetterEngine      *engine,
                       VetterCouchClient *client,
                       VetterCouchSetup  *setup,
                       const char        *name,
                       guint              slots,
                       guint              lease_seconds)
{
  VetterCouchWork *self = g_object_new (VETTER_TYPE_COUCH_WORK, NULL);

  self->engine = g_object_ref (engine);
  self->client = g_object_ref (client);
  self->setup = g_object_ref (setup);
  self->name = g_strdup (name);
  self->slots = MAX (slots, 1);
  self->lease_seconds = MAX (lease_seconds, 3);
  g_signal_connect_swapped (engine, "item-changed", G_CALLBACK (on_item_changed), self);
  return self;
}

void
vetter_couch_work_set_clock (VetterCouchWork *self,
                             VetterClock      clock)
{
  g_return_if_fail (VETTER_IS_COUCH_WORK (self));
  self->clock = clock ? clock : g_get_real_time;
}

static gpointer
store_prepare (VetterStore  *store,
               gpointer      data,
               GError      **error)
{
  /* Whatever a previous run left unfinished waits for a lease again. */
  if (!vetter_store_work_wait_for_team (store, NULL, error))
    return NULL;
  return vetter_store_desktop_id (store, error);
}

static void
on_prepared (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(VetterCouchWork) self = user_data;
  g_autoptr(GError) error = NULL;
  char *desktop = vetter_database_run_finish (VETTER_DATABASE (source), result, &error);

  if (desktop == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot take the team's work: %s", error->message);
      return;
    }
  self->desktop = desktop;
  self->started = TRUE;
  self->renew_source = g_timeout_add_seconds (MAX (1, self->lease_seconds / 3), on_renew, self);
  schedule_look (self, 0);
}

void
vetter_couch_work_start (VetterCouchWork *self)
{
  g_return_if_fail (VETTER_IS_COUCH_WORK (self));
  vetter_database_run_async (vetter_engine_get_database (self->engine), store_prepare, NULL, NULL, g_free,
                             self->cancellable, on_prepared, g_object_ref (self));
}
