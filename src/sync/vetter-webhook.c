/* vetter-webhook.c: Standard Webhooks signatures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "vetter-webhook.h"

char *
vetter_webhook_signature (const char *secret,
                          const char *id,
                          gint64      timestamp,
                          const char *body)
{
  g_autofree guchar *key = NULL;
  g_autofree char *signed_text = g_strdup_printf ("%s.%" G_GINT64_FORMAT ".%s", id, timestamp, body);
  g_autoptr(GHmac) mac = NULL;
  g_autofree char *encoded = NULL;
  guint8 digest[32];
  gsize key_len, digest_len = sizeof digest;

  if (g_str_has_prefix (secret, "whsec_"))
    key = g_base64_decode (secret + strlen ("whsec_"), &key_len);
  else
    {
      key = (guchar *) g_strdup (secret);
      key_len = strlen (secret);
    }
  mac = g_hmac_new (G_CHECKSUM_SHA256, key, key_len);
  g_hmac_update (mac, (const guchar *) signed_text, -1);
  g_hmac_get_digest (mac, digest, &digest_len);
  encoded = g_base64_encode (digest, digest_len);
  return g_strconcat ("v1,", encoded, NULL);
}
