/* vetter-claim-keeper.c: the shared database's claim on the ad on screen
 *
 * With a shared database, the ad a moderator looks at is claimed, so
 * that another desktop's moderator does not review it at the same time.
 * A claim lasts VETTER_COUCH_CLAIM_SECONDS unless renewed, so one held
 * while the moderator stays on the ad is renewed at half that. Answers
 * come back in any order: one for an ad the moderator has already left
 * lets that claim go again, and only the ad still held is reported as
 * held elsewhere.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-review-page"

#include "config.h"

#include "vetter-claim-keeper.h"
#include "vetter-couch-client.h"

struct _VetterClaimKeeper
{
  GObject          parent_instance;

  VetterCouchClaims *claims;
  GCancellable    *cancellable;
  gint64           item_id;    /* the item held, and its ad */
  char            *uid;
  char            *person;     /* in whose name */
  guint            renewal;
};

G_DEFINE_FINAL_TYPE (VetterClaimKeeper, vetter_claim_keeper, G_TYPE_OBJECT)

enum {
  HELD_ELSEWHERE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  VetterClaimKeeper *self;
  gint64             item_id;
  char              *uid;
} Request;

static void
request_free (Request *request)
{
  g_object_unref (request->self);
  g_free (request->uid);
  g_free (request);
}

static void
on_claimed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Request *request = user_data;
  VetterClaimKeeper *self = request->self;
  g_autofree char *holder = NULL;
  VetterClaimResult claim = vetter_couch_claims_claim_finish (VETTER_COUCH_CLAIMS (source), result, &holder);
  gboolean still_held = g_strcmp0 (self->uid, request->uid) == 0 && self->item_id == request->item_id;

  if (claim == VETTER_CLAIM_HELD && still_held)
    {
      /* Not ours: nothing to renew or let go. */
      g_clear_handle_id (&self->renewal, g_source_remove);
      g_clear_pointer (&self->uid, g_free);
      self->item_id = 0;
      g_signal_emit (self, signals[HELD_ELSEWHERE], 0, request->item_id, holder);
    }
  else if (claim == VETTER_CLAIM_TAKEN && !still_held)
    vetter_couch_claims_release (VETTER_COUCH_CLAIMS (source), request->uid);
  request_free (request);
}

static void
send_claim (VetterClaimKeeper *self)
{
  Request *request = g_new0 (Request, 1);

  request->self = g_object_ref (self);
  request->item_id = self->item_id;
  request->uid = g_strdup (self->uid);
  vetter_couch_claims_claim_async (self->claims, request->uid, self->person, self->cancellable, on_claimed, request);
}

static gboolean
on_renewal (gpointer user_data)
{
  send_claim (user_data);
  return G_SOURCE_CONTINUE;
}

void
vetter_claim_keeper_release (VetterClaimKeeper *self)
{
  g_return_if_fail (VETTER_IS_CLAIM_KEEPER (self));

  g_clear_handle_id (&self->renewal, g_source_remove);
  if (self->uid && self->claims)
    vetter_couch_claims_release (self->claims, self->uid);
  g_clear_pointer (&self->uid, g_free);
  self->item_id = 0;
}

void
vetter_claim_keeper_hold (VetterClaimKeeper *self,
                          gint64             item_id,
                          const char        *uid,
                          const char        *person)
{
  g_return_if_fail (VETTER_IS_CLAIM_KEEPER (self));

  if (self->claims == NULL || uid == NULL || (self->item_id == item_id && g_strcmp0 (self->uid, uid) == 0))
    return;
  vetter_claim_keeper_release (self);
  self->item_id = item_id;
  self->uid = g_strdup (uid);
  g_free (self->person);
  self->person = g_strdup (person);
  send_claim (self);
  self->renewal = g_timeout_add_seconds (VETTER_COUCH_CLAIM_SECONDS / 2, on_renewal, self);
}

void
vetter_claim_keeper_set_claims (VetterClaimKeeper *self,
                                VetterCouchClaims *claims)
{
  g_return_if_fail (VETTER_IS_CLAIM_KEEPER (self));

  if (self->claims == claims)
    return;
  vetter_claim_keeper_release (self);
  g_set_object (&self->claims, claims);
}

static void
vetter_claim_keeper_dispose (GObject *object)
{
  VetterClaimKeeper *self = VETTER_CLAIM_KEEPER (object);

  vetter_claim_keeper_release (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->claims);
  G_OBJECT_CLASS (vetter_claim_keeper_parent_class)->dispose (object);
}

static void
vetter_claim_keeper_finalize (GObject *object)
{
  VetterClaimKeeper *self = VETTER_CLAIM_KEEPER (object);

  g_clear_object (&self->cancellable);
  g_free (self->person);
  G_OBJECT_CLASS (vetter_claim_keeper_parent_class)->finalize (object);
}

static void
vetter_claim_keeper_class_init (VetterClaimKeeperClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vetter_claim_keeper_dispose;
  object_class->finalize = vetter_claim_keeper_finalize;

  signals[HELD_ELSEWHERE] = g_signal_new ("held-elsewhere", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                          NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_STRING);
}

static void
vetter_claim_keeper_init (VetterClaimKeeper *self)
{
  self->cancellable = g_cancellable_new ();
}

VetterClaimKeeper *
vetter_claim_keeper_new (void)
{
  return g_object_new (VETTER_TYPE_CLAIM_KEEPER, NULL);
}
