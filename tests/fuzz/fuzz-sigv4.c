/* fuzz-sigv4.c: the SigV4 canonicaliser, given any path, query and headers
 *
 * The input's first byte says how many query pairs follow; the rest is
 * NUL-separated text: method, path, payload hash, the query's names and
 * values, then header names and values. Object keys come from file names
 * and CSV cells, so a path can be anything.
 *
 * Beyond not crashing: an encoded path or query holds only unreserved
 * characters, "%XX" (and "/" in a path) and decodes back to what it
 * encoded; the query is sorted; the canonical request has one line per
 * header and signs the headers it lists; signing twice gives the same.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "fuzz-support.h"
#include "vetter-sigv4.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_support_init ();
  return 0;
}

static void
assert_encoded (const char *encoded,
                gboolean    slash)
{
  for (const char *p = encoded; *p; p++)
    {
      if (g_ascii_isalnum (*p) || strchr ("-._~", *p) || (slash && *p == '/'))
        continue;
      g_assert_cmpint (*p, ==, '%');
      g_assert_true (g_ascii_isxdigit (p[1]) && g_ascii_isxdigit (p[2]));
      g_assert_false (g_ascii_islower (p[1]) || g_ascii_islower (p[2]));
      p += 2;
    }
}

static void
assert_decodes_to (const char *encoded,
                   const char *original)
{
  g_autofree char *decoded = g_uri_unescape_string (encoded, NULL);

  g_assert_cmpstr (decoded, ==, original);
}

static void
check_path (const char *path)
{
  g_autofree char *encoded = vetter_sigv4_encode_path (path);

  assert_encoded (encoded, TRUE);
  assert_decodes_to (encoded, *path ? path : "/");
}

static void
check_query (const char **query,
             guint        n_pairs)
{
  g_autofree char *canonical = vetter_sigv4_canonical_query (query);
  g_auto(GStrv) parts = g_strsplit (canonical, "&", -1);
  guint n_parts = *canonical ? g_strv_length (parts) : 0;

  g_assert_cmpuint (n_parts, ==, n_pairs);
  for (guint i = 0; i < n_parts; i++)
    {
      g_auto(GStrv) name_value = g_strsplit (parts[i], "=", 2);
      gboolean found = FALSE;

      g_assert_cmpuint (g_strv_length (name_value), ==, 2);
      assert_encoded (name_value[0], FALSE);
      assert_encoded (name_value[1], FALSE);
      /* Sorted by encoded name, then by value (not as "name=value": "a-b"
       * comes after "a", though "a-b=" sorts before "a="). */
      if (i > 0)
        {
          g_auto(GStrv) before = g_strsplit (parts[i - 1], "=", 2);
          int by_name = strcmp (before[0], name_value[0]);

          g_assert_cmpint (by_name, <=, 0);
          if (by_name == 0)
            g_assert_cmpint (strcmp (before[1], name_value[1]), <=, 0);
        }
      for (guint j = 0; j < n_pairs && !found; j++)
        {
          g_autofree char *name = g_uri_unescape_string (name_value[0], NULL);
          g_autofree char *value = g_uri_unescape_string (name_value[1], NULL);

          found = g_strcmp0 (name, query[j * 2]) == 0 && g_strcmp0 (value, query[j * 2 + 1]) == 0;
        }
      g_assert_true (found);
    }
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
check_request (const VetterSigV4Request *request,
               guint                     n_headers)
{
  static const VetterSigV4Credentials credentials = { "AKIDEXAMPLE", "secret", "us-east-1", "s3" };
  g_autofree char *signed_headers = NULL;
  g_autofree char *canonical = vetter_sigv4_canonical_request (request, &signed_headers);
  g_autofree char *again = vetter_sigv4_canonical_request (request, NULL);
  g_autofree char *authorization = vetter_sigv4_authorization (request, &credentials, "20261201T120000Z", NULL);
  g_autofree char *authorization_again = vetter_sigv4_authorization (request, &credentials, "20261201T120000Z", NULL);
  gboolean one_line_each = strchr (request->method, '\n') == NULL && strchr (request->payload_hash, '\n') == NULL;

  g_assert_cmpstr (canonical, ==, again);
  g_assert_cmpstr (authorization, ==, authorization_again);
  g_assert_true (g_str_has_prefix (authorization, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261201/us-east-1/s3/"));
  for (guint i = 0; i < n_headers * 2; i++)
    one_line_each = one_line_each && strchr (request->headers[i], '\n') == NULL;
  if (one_line_each)
    {
      g_auto(GStrv) lines = g_strsplit (canonical, "\n", -1);
      guint n = g_strv_length (lines);

      /* method, path, query, the headers, a blank line, the names, the hash */
      g_assert_cmpuint (n, ==, 3 + n_headers + 3);
      g_assert_cmpstr (lines[n - 3], ==, "");
      g_assert_cmpstr (lines[n - 2], ==, signed_headers);
      g_assert_cmpstr (lines[n - 1], ==, request->payload_hash);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *joined = NULL;

      /* Named in lower case, in the order of their names. */
      for (guint i = 0; i < n_headers; i++)
        g_ptr_array_add (names, g_ascii_strdown (request->headers[i * 2], -1));
      g_ptr_array_sort (names, compare_names);
      for (guint i = 0; i < n_headers; i++)
        {
          g_autofree char *prefix = g_strconcat (g_ptr_array_index (names, i), ":", NULL);

          g_assert_true (g_str_has_prefix (lines[3 + i], prefix));
        }
      g_ptr_array_add (names, NULL);
      joined = g_strjoinv (";", (char **) names->pdata);
      g_assert_cmpstr (signed_headers, ==, joined);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) query = g_ptr_array_new ();
  g_autoptr(GPtrArray) headers = g_ptr_array_new ();
  VetterSigV4Request request;
  guint n_pairs, next;
  gsize start = 1;

  if (size < 1)
    return 0;
  for (gsize i = 1; i <= size; i++)
    if (i == size || data[i] == '\0')
      {
        g_ptr_array_add (fields, g_strndup ((const char *) data + start, i - start));
        start = i + 1;
      }
  while (fields->len < 3)
    g_ptr_array_add (fields, g_strdup (""));

  n_pairs = MIN (data[0] % 8, (fields->len - 3) / 2);
  for (next = 3; next < 3 + n_pairs * 2; next++)
    g_ptr_array_add (query, g_ptr_array_index (fields, next));
  g_ptr_array_add (query, NULL);
  for (; next + 1 < fields->len; next += 2)
    {
      g_ptr_array_add (headers, g_ptr_array_index (fields, next));
      g_ptr_array_add (headers, g_ptr_array_index (fields, next + 1));
    }
  g_ptr_array_add (headers, NULL);

  check_path (g_ptr_array_index (fields, 1));
  check_query ((const char **) query->pdata, n_pairs);
  request = (VetterSigV4Request) {
    g_ptr_array_index (fields, 0), g_ptr_array_index (fields, 1), (const char **) query->pdata,
    (const char **) headers->pdata, g_ptr_array_index (fields, 2),
  };
  check_request (&request, (headers->len - 1) / 2);
  return 0;
}
