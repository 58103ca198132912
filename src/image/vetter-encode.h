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

/* A JPEG written a row at a time, as rows come (from a decoder, say),
 * under its name only once finished. Finishing or aborting frees it; a
 * failed row leaves it to be aborted. */
typedef struct _VetterJpegWriter VetterJpegWriter;

VetterJpegWriter *vetter_jpeg_writer_new       (const char        *path,
                                                int                width,
                                                int                height,
                                                int                quality,
                                                GError           **error);
gboolean          vetter_jpeg_writer_write_row (VetterJpegWriter  *writer,
                                                const guint8      *rgb,
                                                GError           **error);
gboolean          vetter_jpeg_writer_finish    (VetterJpegWriter  *writer,
                                                gint64            *bytes_written,
                                                GError           **error);
void              vetter_jpeg_writer_abort     (VetterJpegWriter  *writer);

G_END_DECLS
