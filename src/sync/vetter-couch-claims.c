/* vetter-couch-claims.c: which desktop reviews an ad
 *
 * "claim:<uid>" names the desktop and the moderator reviewing an ad,
 * until it is released or expires. Creating it without a revision is
 * atomic in CouchDB: of two desktops, one gets 201 and the other 409; a
 * claim found lapsed, or this desktop's own from before, is taken over
 * with its revision. One found held is noted in the store, so that the
 * review queue here leaves the ad out while someone else looks at it.
 * Claims expire by the server's clock, estimated from the Date of its
 * answers: a desktop whose clock is fast does not take a claim another
 * moderator still holds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-couch"

#include "config.h"

#include <string.h>

#include "vetter-couch-claims.h"
#include "vetter-error.h"
#include "vetter-json.h"
#include "vetter-store.h"

#define MAX_CLAIM_PUTS 4

struct _VetterCouchClaims
{
  GObject            parent_instance;

  VetterDatabase    *database;
  VetterCouchClient *client;
  VetterCouchSetup  *setup;
  GCancellable      *cancellable;
  char              *desktop;     /* this database's id among the desktops */
  GHashTable        *held;        /* uid → revision of the claims this desktop holds */
  VetterClock        clock;       /* this desktop's; tests set one */
  gint64             offset;      /* the server's clock less this one's, as last seen */
};

G_DEFINE_FINAL_TYPE (VetterCouchClaims, vetter_couch_claims, G_TYPE_OBJECT)

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

/* The server's time now, as far as its answers tell. */
static gint64
server_now (VetterCouchClaims *self)
{
  return self->clock () + self->offset;
}

static void
note_server_time (VetterCouchClaims       *self,
                  const VetterCouchAnswer *answer)
{
  if (answer && answer->date > 0)
    self->offset = answer->date - self->clock ();
}

static char *
claim_id (const char *uid)
{
  return g_strconcat ("claim:", uid, NULL);
}

static void
store_note_claim (VetterStore *store,
                  gpointer     data)
{
  JsonObject *doc = data;
  const char *id = vetter_json_string (doc, "_id");
  g_autoptr(GError) error = NULL;

  if (id == NULL || !g_str_has_prefix (id, "claim:"))
    return;
  if (!vetter_store_couch_note_claim (store, id + strlen ("claim:"), vetter_json_string (doc, "holder"),
                                      vetter_json_string (doc, "moderator"), vetter_json_int (doc, "expires", 0),
                                      &error))
    g_warning ("Cannot note another desktop's claim: %s", error->message);
}

static void
on_claim_read (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VetterCouchClaims *self = g_task_get_source_object (task);
  Claim *claim = g_task_get_task_data (task);
  g_autoptr(VetterCouchAnswer) answer = vetter_couch_client_request_finish (VETTER_COUCH_CLIENT (source), result, NULL);
  JsonObject *doc = answer && answer->status == 200 ? answer->body : NULL;
  const char *holder;

  note_server_time (self, answer);
  if (answer && answer->status == 404 && claim->puts < MAX_CLAIM_PUTS)
    {
      /* Released in between: try again from scratch. */
      claim_put (g_steal_pointer (&task), NULL);
      return;
    }
  if (doc == NULL)
    {
      g_task_return_int (task, VETTER_CLAIM_UNKNOWN);
      return;
    }
  holder = vetter_json_string (doc, "holder");
  if (claim->puts < MAX_CLAIM_PUTS &&
      (g_strcmp0 (holder, self->desktop) == 0 ||
       vetter_json_int (doc, "expires", 0) < server_now (self)))
    {
      /* Ours from before, or lapsed: take it over with its revision. */
      claim_put (g_steal_pointer (&task), vetter_json_string (doc, "_rev"));
      return;
    }
  claim->holder_name = g_strdup (vetter_json_string (doc, "moderator") ? vetter_json_string (doc, "moderator") : holder);
  {
    /* Noted by this desktop's clock, which the store's review queue uses. */
    JsonNode *copy = json_node_init_object (json_node_alloc (), doc);
    g_autoptr(JsonNode) noted = json_node_copy (copy);

    json_node_unref (copy);
    json_object_set_int_member (json_node_get_object (noted), "expires",
                                vetter_json_int (doc, "expires", 0) - self->offset);
    vetter_database_post (self->database, store_note_claim, json_object_ref (json_node_get_object (noted)),
                          (GDestroyNotify) json_object_unref);
  }
  g_task_return_int (task, VETTER_CLAIM_HELD);
}

static void
on_claim_put (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VetterCouchClaims *self = g_task_get_source_object (task);
  Claim *claim = g_task_get_task_data (task);
  g_autoptr(VetterCouchAnswer) answer = vetter_couch_client_request_finish (VETTER_COUCH_CLIENT (source), result, NULL);
  g_autofree char *id = claim_id (claim->uid);

  note_server_time (self, answer);
  if (answer == NULL)
    {
      g_task_return_int (task, VETTER_CLAIM_UNKNOWN);
      return;
    }
  if (answer->status == 201 || answer->status == 202)
    {
      if (vetter_json_string (answer->body, "rev"))
        g_hash_table_replace (self->held, g_strdup (claim->uid), g_strdup (vetter_json_string (answer->body, "rev")));
      g_task_return_int (task, VETTER_CLAIM_TAKEN);
      return;
    }
  if (answer->status == 409)
    {
      GCancellable *cancellable = g_task_get_cancellable (task);

      vetter_couch_client_request_async (self->client, "GET", id, NULL, NULL, FALSE, cancellable, on_claim_read,
                                         g_steal_pointer (&task));
      return;
    }
  g_task_return_int (task, VETTER_CLAIM_UNKNOWN);
}

static void
claim_put (GTask      *task,
           const char *rev)
{
  VetterCouchClaims *self = g_task_get_source_object (task);
  Claim *claim = g_task_get_task_data (task);
  g_autoptr(JsonObject) doc = json_object_new ();
  g_autofree char *id = claim_id (claim->uid);

  claim->puts++;
  json_object_set_string_member (doc, "type", "claim");
  json_object_set_string_member (doc, "holder", self->desktop);
  json_object_set_string_member (doc, "moderator", claim->moderator);
  json_object_set_int_member (doc, "expires", server_now (self) + (gint64) VETTER_COUCH_CLAIM_SECONDS * G_USEC_PER_SEC);
  if (rev)
    json_object_set_string_member (doc, "_rev", rev);
  vetter_couch_client_request_async (self->client, "PUT", id, NULL, doc, FALSE, g_task_get_cancellable (task),
                                     on_claim_put, task);
}

static gpointer
store_desktop_id (VetterStore  *store,
                  gpointer      data,
                  GError      **error)
{
  return vetter_store_desktop_id (store, error);
}

static void
on_desktop_id (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(VetterCouchClaims) self = user_data;
  g_autoptr(GError) error = NULL;
  char *desktop = vetter_database_run_finish (VETTER_DATABASE (source), result, &error);

  if (desktop == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Cannot read this desktop's id: %s", error->message);
  self->desktop = desktop;
}

/* ---- GObject -------------------------------------------------------------- */

static void
vetter_couch_claims_dispose (GObject *object)
{
  VetterCouchClaims *self = VETTER_COUCH_CLAIMS (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->setup);
  g_clear_object (&self->client);
  g_clear_object (&self->database);
  G_OBJECT_CLASS (vetter_couch_claims_parent_class)->dispose (object);
}

static void
vetter_couch_claims_finalize (GObject *object)
{
  VetterCouchClaims *self = VETTER_COUCH_CLAIMS (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->held, g_hash_table_unref);
  g_free (self->desktop);
  G_OBJECT_CLASS (vetter_couch_claims_parent_class)->finalize (object);
}

static void
vetter_couch_claims_class_init (VetterCouchClaimsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vetter_couch_claims_dispose;
  object_class->finalize = vetter_couch_claims_finalize;
}

static void
vetter_couch_claims_init (VetterCouchClaims *self)
{
  self->cancellable = g_cancellable_new ();
  self->held = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->clock = g_get_real_time;
}

void
vetter_couch_claims_set_clock (VetterCouchClaims *self,
                               VetterClock        clock)
{
  self->clock = clock ? clock : g_get_real_time;
}

VetterCouchClaims *
vetter_couch_claims_new (VetterDatabase    *database,
                         VetterCouchClient *client,
                         VetterCouchSetup  *setup)
{
  VetterCouchClaims *self = g_object_new (VETTER_TYPE_COUCH_CLAIMS, NULL);

  self->database = g_object_ref (database);
  self->client = g_object_ref (client);
  self->setup = g_object_ref (setup);
  vetter_database_run_async (database, store_desktop_id, NULL, NULL, g_free, self->cancellable, on_desktop_id,
                             g_object_ref (self));
  return self;
}

void
vetter_couch_claims_claim_async (VetterCouchClaims   *self,
                                 const char          *uid,
                                 const char          *moderator,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;
  Claim *claim;

  g_return_if_fail (VETTER_IS_COUCH_CLAIMS (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vetter_couch_claims_claim_async);
  if (!vetter_couch_setup_get_ready (self->setup) || self->desktop == NULL || uid == NULL)
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
  claim_put (task, g_hash_table_lookup (self->held, uid));
}

VetterClaimResult
vetter_couch_claims_claim_finish (VetterCouchClaims  *self,
                                  GAsyncResult       *result,
                                  char              **holder)
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
  g_autoptr(VetterCouchAnswer) answer = vetter_couch_client_request_finish (VETTER_COUCH_CLIENT (source), result, NULL);
}

void
vetter_couch_claims_release (VetterCouchClaims *self,
                             const char        *uid)
{
  g_autofree char *rev = NULL;
  g_autofree char *id = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *query = NULL;

  g_return_if_fail (VETTER_IS_COUCH_CLAIMS (self));
  if (uid == NULL || !g_hash_table_steal_extended (self->held, uid, NULL, (gpointer *) &rev))
    return;
  id = claim_id (uid);
  escaped = g_uri_escape_string (rev, NULL, FALSE);
  query = g_strconcat ("rev=", escaped, NULL);
  /* A release that does not arrive is an expiry later. */
  vetter_couch_client_request_async (self->client, "DELETE", id, query, NULL, FALSE, self->cancellable, on_released,
                                     NULL);
}
