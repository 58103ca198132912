/* vetter-fetch.c: the bytes of an image, from a file or over HTTP
 *
 * Runs on worker threads with libsoup's blocking API, one session per
 * thread so connections are reused across a worker's images. Redirects are
 * followed by hand, so that every hop is checked against the schemes we
 * take and counted against our own limit. Every error names the URL or
 * path and says what happened in words a moderator can act on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-fetch"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>
#include <sys/stat.h>

#include "vetter-error.h"
#include "vetter-fetch.h"
#include "vetter-version.h"

static GPrivate thread_session = G_PRIVATE_INIT (g_object_unref);

static SoupSession *
get_session (const VetterConfig *config)
{
  SoupSession *session = g_private_get (&thread_session);

  if (session == NULL || soup_session_get_timeout (session) != config->io_timeout)
    {
      session = soup_session_new_with_options ("timeout", config->io_timeout,
                                               "idle-timeout", 60,
                                               "user-agent", vetter_user_agent (),
                                               NULL);
      g_private_replace (&thread_session, session);
    }
  return session;
}

static GBytes *
fetch_file (const char         *path,
            const VetterConfig *config,
            GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      int saved = errno;
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_FETCH, "%s: %s", path, g_strerror (saved));
      return NULL;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_FETCH, "%s: not a regular file (%s)", path,
                   S_ISDIR (st.st_mode) ? "a folder" : S_ISFIFO (st.st_mode) ? "a pipe"
                   : S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode) ? "a device" : "a special file");
      return NULL;
    }
  if (config->max_image_bytes > 0 && st.st_size > config->max_image_bytes)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_TOO_LARGE,
                   "%s: the file is too large (%" G_GINT64_FORMAT " bytes; the limit is %" G_GINT64_FORMAT ")",
                   path, (gint64) st.st_size, config->max_image_bytes);
      return NULL;
    }
  if (st.st_size == 0)
    return g_bytes_new (NULL, 0);

  mapped = g_mapped_file_new (path, FALSE, &local_error);
  if (mapped == NULL)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_FETCH, "%s: cannot be read: %s", path, local_error->message);
      return NULL;
    }
  return g_mapped_file_get_bytes (mapped);
}

static char *
describe_network_error (const GError *error,
                        const GUri   *uri,
                        guint         timeout)
{
  const char *host = g_uri_get_host ((GUri *) uri);

  if (error->domain == G_RESOLVER_ERROR)
    return g_strdup_printf ("the host name %s could not be resolved (DNS)", host);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_strdup_printf ("%s refused the connection", host);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_strdup_printf ("timed out: no answer for %u seconds", timeout);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE))
    return g_strdup_printf ("%s cannot be reached (is the network down?)", host);
  if (error->domain == G_TLS_ERROR)
    return g_strdup_printf ("the secure connection failed: %s", error->message);
  return g_strdup (error->message);
}

static gboolean
is_web_scheme (const char *scheme)
{
  return g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "https") == 0;
}

static GBytes *
read_body (GInputStream       *stream,
           SoupMessage        *msg,
           const char         *url,
           const VetterConfig *config,
           gint64              deadline,
           GCancellable       *cancellable,
           GError            **error)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autoptr(GError) local_error = NULL;
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);
  goffset declared = soup_message_headers_get_content_length (headers);
  guint8 buffer[65536];

  if (config->max_image_bytes > 0 && declared > config->max_image_bytes)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_TOO_LARGE,
                   "%s: the image is too large (%" G_GINT64_FORMAT " bytes; the limit is %" G_GINT64_FORMAT ")",
                   url, (gint64) declared, config->max_image_bytes);
      return NULL;
    }

  for (;;)
    {
      gssize n = g_input_stream_read (stream, buffer, sizeof buffer, cancellable, &local_error);

      if (n < 0)
        {
          g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
          g_autofree char *why = describe_network_error (local_error, uri, config->io_timeout);

          g_set_error (error, VETTER_ERROR, VETTER_ERROR_FETCH, "%s: the download broke off: %s", url, why);
          return NULL;
        }
      if (n == 0)
        break;
      g_byte_array_append (body, buffer, (guint) n);
      if (config->max_image_bytes > 0 && (gint64) body->len > config->max_image_bytes)
        {
          g_set_error (error, VETTER_ERROR, VETTER_ERROR_TOO_LARGE,
                       "%s: the image is too large (more than %" G_GINT64_FORMAT " bytes)",
                       url, config->max_image_bytes);
          return NULL;
        }
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, VETTER_ERROR, VETTER_ERROR_FETCH,
                       "%s: timed out: the download took longer than %u seconds", url, config->total_timeout);
          return NULL;
        }
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&body));
}

static GBytes *
fetch_http (const char         *location,
            const VetterConfig *config,
            GCancellable       *cancellable,
            GError            **error)
{
  SoupSession *session = get_session (config);
  g_autoptr(GUri) uri = NULL;
  gint64 deadline = g_get_monotonic_time () + (gint64) config->total_timeout * G_USEC_PER_SEC;
  g_autoptr(GError) local_error = NULL;

  uri = g_uri_parse (location, SOUP_HTTP_URI_FLAGS, &local_error);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_FETCH, "%s: not a valid URL%s%s", location,
                   local_error ? ": " : "", local_error ? local_error->message : "");
      return NULL;
    }

  for (guint hops = 0;; hops++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new_from_uri (SOUP_METHOD_GET, uri);
      g_autoptr(GInputStream) stream = NULL;
      g_autofree char *url = g_uri_to_string (uri);
      guint status;

      soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
      soup_message_headers_append (soup_message_get_request_headers (msg), "Accept",
                                   "image/jpeg, image/png, image/webp, image/*;q=0.8, */*;q=0.5");

      stream = soup_session_send (session, msg, cancellable, &local_error);
      if (stream == NULL)
        {
          g_autofree char *why = describe_network_error (local_error, uri, config->io_timeout);

          g_set_error (error, VETTER_ERROR, VETTER_ERROR_FETCH, "%s: %s", location, why);
          return NULL;
        }

      status = soup_message_get_status (msg);
      if (SOUP_STATUS_IS_REDIRECTION (status))
        {
          const char *target = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location");
          g_autoptr(GUri) next = NULL;

          g_input_stream_close (stream, NULL, NULL);
          if (target == NULL)
            {
              g_set_error (error, VETTER_ERROR, VETTER_ERROR_FETCH,
                           "%s: the server redirected (HTTP %u) without saying where", location, status);
              return NULL;
            }
          if (hops >= config->max_redirects)
            {
              g_set_error (error, VETTER_ERROR, VETTER_ERROR_FETCH,
                           "%s: too many redirects (more than %u; is it a redirect loop?)",
                           location, config->max_redirects);
              return NULL;
            }
          next = g_uri_parse_relative (uri, target, SOUP_HTTP_URI_FLAGS, NULL);
          if (next == NULL || !is_web_scheme (g_uri_get_scheme (next)))
            {
              g_set_error (error, VETTER_ERROR, VETTER_ERROR_UNSUPPORTED,
                           "%s: the server redirected to “%s”, which is not an http or https URL",
                           location, target);
              return NULL;
            }
          g_uri_unref (uri);
          uri = g_steal_pointer (&next);
          continue;
        }

      if (status != SOUP_STATUS_OK)
        {
          g_set_error (error, VETTER_ERROR, VETTER_ERROR_FETCH, "%s: the server answered HTTP %u %s",
                       location, status, soup_message_get_reason_phrase (msg));
          return NULL;
        }

      {
        const char *type = soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL);

        if (type != NULL && (g_str_has_prefix (type, "text/") || strcmp (type, "application/json") == 0))
          {
            g_set_error (error, VETTER_ERROR, VETTER_ERROR_DECODE,
                         "%s: not an image: the server sent %s", location, type);
            return NULL;
          }
      }

      return read_body (stream, msg, location, config, deadline, cancellable, error);
    }
}

GBytes *
vetter_fetch (const char         *location,
              const VetterConfig *config,
              GCancellable       *cancellable,
              GError            **error)
{
  g_autofree char *scheme = g_uri_parse_scheme (location);

  if (g_str_has_prefix (location, "data:"))
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_UNSUPPORTED,
                   "%.40s…: data: URLs are not taken; give an http or https URL or a file", location);
      return NULL;
    }
  if (scheme != NULL && strlen (scheme) > 1)
    {
      if (!is_web_scheme (scheme))
        {
          g_set_error (error, VETTER_ERROR, VETTER_ERROR_UNSUPPORTED,
                       "%s: the scheme “%s” is not supported (only http, https and files are)",
                       location, scheme);
          return NULL;
        }
      return fetch_http (location, config, cancellable, error);
    }
  return fetch_file (location, config, error);
}
