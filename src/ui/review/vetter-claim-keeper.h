/* vetter-claim-keeper.h: the shared database's claim on the ad on screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vetter-couch-claims.h"

G_BEGIN_DECLS

#define VETTER_TYPE_CLAIM_KEEPER (vetter_claim_keeper_get_type ())

G_DECLARE_FINAL_TYPE (VetterClaimKeeper, vetter_claim_keeper, VETTER, CLAIM_KEEPER, GObject)

VetterClaimKeeper *vetter_claim_keeper_new      (void);
/* The database to claim in; NULL when there is none. Lets go of a held claim. */
void               vetter_claim_keeper_set_claims (VetterClaimKeeper *self,
                                                   VetterCouchClaims *claims);
/* Claims ad @uid, shown as item @item_id, for @person, letting go of the
 * one before. "held-elsewhere" (item id, the other moderator) says
 * another desktop has it, if it is still the one this keeper is asked to
 * hold. */
void               vetter_claim_keeper_hold     (VetterClaimKeeper *self,
                                                 gint64             item_id,
                                                 const char        *uid,
                                                 const char        *person);
void               vetter_claim_keeper_release  (VetterClaimKeeper *self);

G_END_DECLS
