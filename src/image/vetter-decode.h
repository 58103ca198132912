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

/* The same, letting go of @bytes (set to NULL) as soon as it is no longer
 * needed: a large PNG's file is gone before its image is made. */
VetterDecoded *vetter_decode_bytes    (GBytes       **bytes,
                                       gint64         max_pixels,
                                       GError       **error);

int            vetter_jpeg_orientation (const guint8 *exif,
                                        gsize         length);

/* A JPEG's size from its header alone, and whether its rows come out as
 * they are shown (no EXIF turn, no CMYK to convert): FALSE if not a JPEG. */
gboolean       vetter_jpeg_peek       (const guint8  *data,
                                       gsize          length,
                                       int           *width,
                                       int           *height,
                                       gboolean      *rows_as_stored);

/* Decodes a JPEG whose rows are as stored (see vetter_jpeg_peek) a row at
 * a time: each full-size row goes to @row_func (when not NULL), and only
 * the image shrunk to @keep_width × @keep_height is kept (in the result's
 * pixels; its width and height are the source's). The whole image is
 * never held: a large photograph costs the decoder's own buffers and the
 * shrunk copy. */
VetterDecoded *vetter_decode_jpeg_rows (const guint8       *data,
                                        gsize               length,
                                        gint64              max_pixels,
                                        int                 keep_width,
                                        int                 keep_height,
                                        VetterPixelRowFunc  row_func,
                                        gpointer            user_data,
                                        GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterDecoded, vetter_decoded_free)

G_END_DECLS
