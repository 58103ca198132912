/* vetter-s3.c: signed S3 requests over libsoup
 *
 * Path-style (http://endpoint/bucket/key) or virtual-hosted
 * (http://bucket.endpoint/key) addressing; every request signed with
 * SigV4 at the moment it is made. Bodies are declared UNSIGNED-PAYLOAD,
 * which S3 accepts for any request: a 200 MB upload is streamed from its
 * file without being read twice to hash it first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "vetter-error.h"
#include "vetter-s3.h"
#include "vetter-sigv4.h"

struct _VetterS3
{
  char     *scheme;
  char     *host;        /* with its port, as the Host header has it */
  char     *base_path;   /* the endpoint's own path, if any, without a trailing slash */
  char     *bucket;
  char     *region;
  char     *access_key;
  char     *secret_key;
  gboolean  path_style;
};

VetterS3 *
vetter_s3_new (const VetterServices *services)
{
  g_autoptr(GUri) uri = NULL;
  VetterS3 *s3;
  int port;

  if (!vetter_services_has_s3 (services) ||
      (uri = g_uri_parse (services->s3_endpoint, G_URI_FLAGS_NONE, NULL)) == NULL)
    return NULL;
  s3 = g_new0 (VetterS3, 1);
  port = g_uri_get_port (uri);
  s3->scheme = g_strdup (g_uri_get_scheme (uri));
  s3->host = port > 0 && !((port == 80 && g_str_equal (s3->scheme, "http")) || (port == 443 && g_str_equal (s3->scheme, "https")))
             ? g_strdup_printf ("%s:%d", g_uri_get_host (uri), port) : g_strdup (g_uri_get_host (uri));
  s3->base_path = g_strdup (g_uri_get_path (uri));
  if (g_str_has_suffix (s3->base_path, "/"))
    s3->base_path[strlen (s3->base_path) - 1] = '\0';
  s3->bucket = g_strdup (services->s3_bucket);
  s3->region = g_strdup (services->s3_region);
  s3->access_key = g_strdup (services->s3_access_key);
  s3->secret_key = g_strdup (services->s3_secret_key);
  s3->path_style = services->s3_path_style;
  return s3;
}

void
vetter_s3_free (VetterS3 *s3)
{
  if (s3 == NULL)
    return;
  g_free (s3->scheme);
  g_free (s3->host);
  g_free (s3->base_path);
  g_free (s3->bucket);
  g_free (s3->region);
  g_free (s3->access_key);
  g_free (s3->secret_key);
  g_free (s3);
}

static char *
request_host (VetterS3 *s3)
{
  return s3->path_style ? g_strdup (s3->host) : g_strdup_printf ("%s.%s", s3->bucket, s3->host);
}

/* The path as signed: unencoded, the bucket first when path-style. */
static char *
request_path (VetterS3   *s3,
              const char *key)
{
  if (s3->path_style)
    return g_strdup_printf ("%s/%s%s%s", s3->base_path, s3->bucket, key ? "/" : "", key ? key : "");
  return g_strdup_printf ("%s/%s", s3->base_path, key ? key : "");
}

char *
vetter_s3_object_url (VetterS3   *s3,
                      const char *key)
{
  g_autofree char *host = request_host (s3);
  g_autofree char *path = request_path (s3, key);
  g_autofree char *encoded = vetter_sigv4_encode_path (path);

  return g_strdup_printf ("%s://%s%s", s3->scheme, host, encoded);
}

SoupMessage *
vetter_s3_message (VetterS3    *s3,
                   const char  *method,
                   const char  *key,
                   const char **query,
                   const char  *content_type)
{
  g_autofree char *host = request_host (s3);
  g_autofree char *path = request_path (s3, key);
  g_autofree char *encoded = vetter_sigv4_encode_path (path);
  g_autofree char *canonical_query = vetter_sigv4_canonical_query (query);
  g_autofree char *url = NULL;
  g_autofree char *authorization = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *amz_date = vetter_sigv4_format_date (now);
  const char *headers[9] = { "host", host, "x-amz-date", amz_date, "x-amz-content-sha256", "UNSIGNED-PAYLOAD", NULL };
  VetterSigV4Request request = { method, path, query, headers, "UNSIGNED-PAYLOAD" };
  VetterSigV4Credentials credentials = { s3->access_key, s3->secret_key, s3->region, "s3" };
  SoupMessage *message;
  SoupMessageHeaders *request_headers;

  if (content_type)
    {
      headers[6] = "content-type";
      headers[7] = content_type;
    }
  /* The query goes on the wire exactly as it was signed. */
  url = g_strdup_printf ("%s://%s%s%s%s", s3->scheme, host, encoded, *canonical_query ? "?" : "", canonical_query);
  message = soup_message_new (method, url);
  if (message == NULL)
    return NULL;
  authorization = vetter_sigv4_authorization (&request, &credentials, amz_date, NULL);
  request_headers = soup_message_get_request_headers (message);
  soup_message_headers_replace (request_headers, "x-amz-date", amz_date);
  soup_message_headers_replace (request_headers, "x-amz-content-sha256", "UNSIGNED-PAYLOAD");
  soup_message_headers_replace (request_headers, "Authorization", authorization);
  if (content_type)
    soup_message_headers_replace (request_headers, "Content-Type", content_type);
  /* A redirect would carry the signature somewhere it does not fit. */
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  return message;
}

/* ---- ListObjectsV2 -------------------------------------------------------- */

typedef struct
{
  GPtrArray *keys;
  char      *token;
  GString   *text;
  gboolean   in_key;
  gboolean   in_token;
} Listing;

static void
listing_start (GMarkupParseContext  *context,
               const char           *element,
               const char          **names,
               const char          **values,
               gpointer              user_data,
               GError              **error)
{
  Listing *listing = user_data;

  listing->in_key = g_str_equal (element, "Key");
  listing->in_token = g_str_equal (element, "NextContinuationToken");
  g_string_truncate (listing->text, 0);
}

static void
listing_end (GMarkupParseContext  *context,
             const char           *element,
             gpointer              user_data,
             GError              **error)
{
  Listing *listing = user_data;

  if (listing->in_key)
    g_ptr_array_add (listing->keys, g_strdup (listing->text->str));
  else if (listing->in_token)
    {
      g_free (listing->token);
      listing->token = g_strdup (listing->text->str);
    }
  listing->in_key = listing->in_token = FALSE;
}

static void
listing_text (GMarkupParseContext  *context,
              const char           *text,
              gsize                 len,
              gpointer              user_data,
              GError              **error)
{
  Listing *listing = user_data;

  if (listing->in_key || listing->in_token)
    g_string_append_len (listing->text, text, (gssize) len);
}

GPtrArray *
vetter_s3_parse_listing (GBytes  *body,
                         char   **next_token,
                         GError **error)
{
  static const GMarkupParser parser = { listing_start, listing_end, listing_text, NULL, NULL };
  Listing listing = { g_ptr_array_new_with_free_func (g_free), NULL, g_string_new (NULL), FALSE, FALSE };
  g_autoptr(GMarkupParseContext) context = g_markup_parse_context_new (&parser, 0, &listing, NULL);
  g_autoptr(GError) local_error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (body, &len);
  const char *start = data ? memchr (data, '<', len) : NULL;

  /* GMarkup wants no XML declaration: start at the first element after it. */
  if (start && len - (gsize) (start - data) > 5 && strncmp (start, "<?xml", 5) == 0)
    start = memchr (start + 1, '<', len - (gsize) (start + 1 - data));
  if (start == NULL ||
      !g_markup_parse_context_parse (context, start, (gssize) (len - (gsize) (start - data)), &local_error) ||
      !g_markup_parse_context_end_parse (context, &local_error))
    {
      /* GMarkup quotes the bytes it stumbled on, which need not be text. */
      g_autofree char *why = local_error ? g_utf8_make_valid (local_error->message, -1) : NULL;

      g_string_free (listing.text, TRUE);
      g_free (listing.token);
      g_ptr_array_unref (listing.keys);
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_SYNC, "the bucket listing is not XML%s%s",
                   why ? ": " : "", why ? why : "");
      return NULL;
    }
  g_string_free (listing.text, TRUE);
  if (next_token)
    *next_token = listing.token;
  else
    g_free (listing.token);
  return listing.keys;
}
