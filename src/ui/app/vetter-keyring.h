/* vetter-keyring.h: the services' secrets, in the user's keyring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vetter-services.h"

G_BEGIN_DECLS

/* The secrets Vetter keeps, by name. */
#define VETTER_SECRET_S3         "s3-secret-key"
#define VETTER_SECRET_MAILGUN    "mailgun-key"
#define VETTER_SECRET_WEBHOOK    "webhook-secret"
#define VETTER_SECRET_IMAGGA     "imagga-secret"
#define VETTER_SECRET_COUCHDB    "couchdb-password"

/* Fills the secrets @services lacks from the keyring, then calls back. */
void     vetter_keyring_fill_async  (VetterServices      *services,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
gboolean vetter_keyring_fill_finish (GAsyncResult        *result,
                                     GError             **error);

/* Keeps @value under @name; an empty one removes it. */
void     vetter_keyring_store_async  (const char          *name,
                                      const char          *value,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
gboolean vetter_keyring_store_finish (GAsyncResult        *result,
                                      GError             **error);

G_END_DECLS
