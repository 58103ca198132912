/* vetter-decode.h: bytes to pixels, once per image
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vetter-pixels.h"

G_BEGIN_DECLS

typedef struct
{
  VetterPixels *pixels;       /* oriented, RGB; maybe DCT-scaled below the source size */
  int           width;        /* the source's size, after orientation */
  int           height;
  char         *format;       /* "jpeg", "png", "webp", "gif", "tiff", … */
  int           jpeg_quality; /* estimated from the quantisation tables; -1 if not JPEG */
  gboolean      progressive;
  int           orientation;  /* the EXIF orientation that was applied, 1 if none */
} VetterDecoded;

void           vetter_decoded_free    (VetterDecoded *decoded);

/* Decodes @data. @max_pixels refuses larger images before any pixel memory
 * is allocated. @min_short_side lets a JPEG be decoded at 1/2, 1/4 or 1/8
 * scale as long as its short side stays at least that long; 0 decodes at
 * full size. */
VetterDecoded *vetter_decode          (const guint8  *data,
                                       gsize          length,
                                       gint64         max_pixels,
                                       int            min_short_side,
                                       GError       **error);

int            vetter_jpeg_orientation (const guint8 *exif,
                                        gsize         length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterDecoded, vetter_decoded_free)

G_END_DECLS
