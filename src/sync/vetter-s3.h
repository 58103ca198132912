/* vetter-s3.h: signed S3 requests over libsoup
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "vetter-services.h"

G_BEGIN_DECLS

typedef struct _VetterS3 VetterS3;

VetterS3    *vetter_s3_new           (const VetterServices *services);
void         vetter_s3_free          (VetterS3             *s3);
/* Where @key can be fetched from once uploaded. */
char        *vetter_s3_object_url    (VetterS3             *s3,
                                      const char           *key);
/* A signed request for @key (NULL: the bucket itself), @query as name,
 * value pairs. A body, when there is one, is the caller's to set, of the
 * length and type given here: S3 wants a length, and both are signed. */
SoupMessage *vetter_s3_message       (VetterS3             *s3,
                                      const char           *method,
                                      const char           *key,
                                      const char          **query,
                                      const char           *content_type);
/* The keys of a ListObjectsV2 answer, and its continuation token. */
GPtrArray   *vetter_s3_parse_listing (GBytes               *body,
                                      char                **next_token,
                                      GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterS3, vetter_s3_free)

G_END_DECLS
