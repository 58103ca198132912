/* vetter-digest.h: SHA-256 of image bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *vetter_sha256_hex (const guint8 *data,
                         gsize         length);

G_END_DECLS
