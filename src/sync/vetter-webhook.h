/* vetter-webhook.h: Standard Webhooks signatures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "v1,<base64 HMAC-SHA256 of id.timestamp.body>"; a secret written
 * whsec_<base64> is the base64-decoded key, any other is used as it is. */
char *vetter_webhook_signature (const char *secret,
                                const char *id,
                                gint64      timestamp,
                                const char *body);

G_END_DECLS
