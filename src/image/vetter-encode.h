/* vetter-encode.h: pixels to JPEG files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vetter-pixels.h"

G_BEGIN_DECLS

gboolean vetter_encode_jpeg_file (const VetterPixels  *pixels,
                                  int                  quality,
                                  const char          *path,
                                  gint64              *bytes_written,
                                  GError             **error);

G_END_DECLS
