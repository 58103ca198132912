/* vetter-couch-claims.h: which desktop reviews an ad
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vetter-couch-client.h"
#include "vetter-couch-setup.h"
#include "vetter-database.h"

G_BEGIN_DECLS

#define VETTER_TYPE_COUCH_CLAIMS (vetter_couch_claims_get_type ())

G_DECLARE_FINAL_TYPE (VetterCouchClaims, vetter_couch_claims, VETTER, COUCH_CLAIMS, GObject)

/* A clock: microseconds since 1970. */
typedef gint64 (*VetterClock) (void);

typedef enum
{
  VETTER_CLAIM_TAKEN,      /* this desktop reviews the ad */
  VETTER_CLAIM_HELD,       /* another desktop does */
  VETTER_CLAIM_UNKNOWN,    /* the database cannot be asked now: review on, its revisions will tell */
} VetterClaimResult;

VetterCouchClaims *vetter_couch_claims_new          (VetterDatabase      *database,
                                                     VetterCouchClient   *client,
                                                     VetterCouchSetup    *setup);
void               vetter_couch_claims_claim_async  (VetterCouchClaims   *self,
                                                     const char          *uid,
                                                     const char          *moderator,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
/* @holder: (out) (optional) (transfer full): the other moderator's name when HELD. */
VetterClaimResult  vetter_couch_claims_claim_finish (VetterCouchClaims   *self,
                                                     GAsyncResult        *result,
                                                     char               **holder);
/* Gives up a claim this desktop holds; nothing waits for the answer. */
void               vetter_couch_claims_release      (VetterCouchClaims   *self,
                                                     const char          *uid);

/* This desktop's clock (the system's unless set; a test makes it fast);
 * claims are judged by the server's, estimated from it. */
void               vetter_couch_claims_set_clock    (VetterCouchClaims   *self,
                                                     VetterClock          clock);

G_END_DECLS
