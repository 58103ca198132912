/* vetter-sigv4.c: AWS Signature Version 4, for S3 and every store that speaks it
 *
 * Follows AWS's description step by step: canonical request, string to
 * sign, a signing key chained through date, region and service, and the
 * HMAC of the one with the other. S3's variant: paths are encoded once
 * (never normalised or encoded twice), and the payload's hash is a header.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "vetter-sigv4.h"

typedef struct
{
  char *name;
  char *value;
} Pair;

static void
pair_clear (gpointer data)
{
  Pair *pair = data;

  g_free (pair->name);
  g_free (pair->value);
}

static int
compare_pairs (gconstpointer a,
               gconstpointer b)
{
  const Pair *pa = a, *pb = b;
  int by_name = strcmp (pa->name, pb->name);

  return by_name != 0 ? by_name : strcmp (pa->value, pb->value);
}

/* RFC 3986's unreserved characters stay; everything else is %XX. */
static char *
encode (const char *text,
        gboolean    keep_slash)
{
  return g_uri_escape_string (text, keep_slash ? "/" : NULL, FALSE);
}

char *
vetter_sigv4_encode_path (const char *path)
{
  return encode (path && *path ? path : "/", TRUE);
}

char *
vetter_sigv4_canonical_query (const char **query)
{
  g_autoptr(GArray) pairs = g_array_new (FALSE, FALSE, sizeof (Pair));
  GString *out = g_string_new (NULL);

  g_array_set_clear_func (pairs, pair_clear);
  for (guint i = 0; query && query[i] && query[i + 1]; i += 2)
    {
      Pair pair = { encode (query[i], FALSE), encode (query[i + 1], FALSE) };
      g_array_append_val (pairs, pair);
    }
  g_array_sort (pairs, compare_pairs);
  for (guint i = 0; i < pairs->len; i++)
    {
      Pair *pair = &g_array_index (pairs, Pair, i);

      g_string_append_printf (out, "%s%s=%s", i ? "&" : "", pair->name, pair->value);
    }
  return g_string_free (out, FALSE);
}

/* Values are trimmed and runs of spaces become one, as AWS specifies. */
static char *
canonical_header_value (const char *value)
{
  GString *out = g_string_new (NULL);
  gboolean space = FALSE;

  while (*value == ' ' || *value == '\t')
    value++;
  for (const char *p = value; *p; p++)
    {
      if (*p == ' ' || *p == '\t')
        space = TRUE;
      else
        {
          if (space && out->len > 0)
            g_string_append_c (out, ' ');
          space = FALSE;
          g_string_append_c (out, *p);
        }
    }
  return g_string_free (out, FALSE);
}

char *
vetter_sigv4_canonical_request (const VetterSigV4Request  *request,
                                char                     **signed_headers)
{
  g_autoptr(GArray) headers = g_array_new (FALSE, FALSE, sizeof (Pair));
  g_autofree char *path = vetter_sigv4_encode_path (request->path);
  g_autofree char *query = vetter_sigv4_canonical_query (request->query);
  GString *canonical = g_string_new (NULL);
  GString *names = g_string_new (NULL);

  g_array_set_clear_func (headers, pair_clear);
  for (guint i = 0; request->headers[i] && request->headers[i + 1]; i += 2)
    {
      Pair pair = { g_ascii_strdown (request->headers[i], -1), canonical_header_value (request->headers[i + 1]) };
      g_array_append_val (headers, pair);
    }
  g_array_sort (headers, compare_pairs);

  g_string_append_printf (canonical, "%s\n%s\n%s\n", request->method, path, query);
  for (guint i = 0; i < headers->len; i++)
    {
      Pair *pair = &g_array_index (headers, Pair, i);

      g_string_append_printf (canonical, "%s:%s\n", pair->name, pair->value);
      g_string_append_printf (names, "%s%s", i ? ";" : "", pair->name);
    }
  g_string_append_printf (canonical, "\n%s\n%s", names->str, request->payload_hash);

  if (signed_headers)
    *signed_headers = g_string_free (names, FALSE);
  else
    g_string_free (names, TRUE);
  return g_string_free (canonical, FALSE);
}

static void
hmac (const guint8 *key,
      gsize         key_len,
      const char   *data,
      guint8        out[32])
{
  g_autoptr(GHmac) mac = g_hmac_new (G_CHECKSUM_SHA256, key, key_len);
  gsize len = 32;

  g_hmac_update (mac, (const guchar *) data, -1);
  g_hmac_get_digest (mac, out, &len);
}

char *
vetter_sigv4_authorization (const VetterSigV4Request     *request,
                            const VetterSigV4Credentials *credentials,
                            const char                   *amz_date,
                            char                        **canonical_out)
{
  g_autofree char *signed_headers = NULL;
  g_autofree char *canonical = vetter_sigv4_canonical_request (request, &signed_headers);
  g_autofree char *canonical_hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, canonical, -1);
  g_autofree char *date = g_strndup (amz_date, 8);
  g_autofree char *scope = g_strdup_printf ("%s/%s/%s/aws4_request", date, credentials->region, credentials->service);
  g_autofree char *to_sign = g_strdup_printf ("AWS4-HMAC-SHA256\n%s\n%s\n%s", amz_date, scope, canonical_hash);
  g_autofree char *first_key = g_strconcat ("AWS4", credentials->secret_key, NULL);
  guint8 key[32], signature[32];
  char hex[65];

  hmac ((const guint8 *) first_key, strlen (first_key), date, key);
  hmac (key, sizeof key, credentials->region, key);
  hmac (key, sizeof key, credentials->service, key);
  hmac (key, sizeof key, "aws4_request", key);
  hmac (key, sizeof key, to_sign, signature);
  for (guint i = 0; i < 32; i++)
    g_snprintf (hex + i * 2, 3, "%02x", signature[i]);

  if (canonical_out)
    *canonical_out = g_steal_pointer (&canonical);
  return g_strdup_printf ("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s",
                          credentials->access_key, scope, signed_headers, hex);
}

char *
vetter_sigv4_format_date (GDateTime *time)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (time);

  return g_date_time_format (utc, "%Y%m%dT%H%M%SZ");
}
