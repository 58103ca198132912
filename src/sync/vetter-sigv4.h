/* vetter-sigv4.h: AWS Signature Version 4, for S3 and every store that speaks it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char  *method;        /* GET, PUT, … */
  const char  *path;          /* the path as sent, not yet percent-encoded: "/bucket/ads/1/1-thumb.jpg" */
  const char **query;         /* NULL-terminated name, value, name, value, …; not encoded; may be NULL */
  const char **headers;       /* NULL-terminated name, value, …; must include host and x-amz-date */
  const char  *payload_hash;  /* hex SHA-256 of the body, or "UNSIGNED-PAYLOAD" */
} VetterSigV4Request;

typedef struct
{
  const char *access_key;
  const char *secret_key;
  const char *region;
  const char *service;       /* "s3" */
} VetterSigV4Credentials;

/* The path as it goes on the wire: each segment percent-encoded, "/" kept. */
char *vetter_sigv4_encode_path       (const char                   *path);
/* "a=1&b=2", sorted and encoded as the signature needs it (and as it
 * must then be sent). */
char *vetter_sigv4_canonical_query   (const char                  **query);
char *vetter_sigv4_canonical_request (const VetterSigV4Request     *request,
                                      char                        **signed_headers);
/* The Authorization header's value. @amz_date is the request's x-amz-date
 * (YYYYMMDD'T'HHMMSS'Z'). With @canonical, also the canonical request. */
char *vetter_sigv4_authorization     (const VetterSigV4Request     *request,
                                      const VetterSigV4Credentials *credentials,
                                      const char                   *amz_date,
                                      char                        **canonical);
/* YYYYMMDD'T'HHMMSS'Z' for @time, in UTC. */
char *vetter_sigv4_format_date       (GDateTime                    *time);

G_END_DECLS
