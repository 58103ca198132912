/* vetter-pixels.h: an 8-bit RGB image in memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  int     width;
  int     height;
  int     stride;   /* bytes from one row to the next, at least width * 3 */
  guint8 *data;
  gboolean owns_data; /* FALSE for a view into another image */
} VetterPixels;

typedef struct
{
  int x;
  int y;
  int width;
  int height;
} VetterRect;

/* A row of RGB handed on as it is made (by a decoder, a filter), valid
 * only during the call; FALSE with @error stops the maker. */
typedef gboolean (*VetterPixelRowFunc) (const guint8 *rgb,
                                        int           width,
                                        gpointer      user_data,
                                        GError      **error);

VetterPixels *vetter_pixels_new        (int                 width,
                                        int                 height);
VetterPixels *vetter_pixels_try_new    (int                 width,
                                        int                 height);
void          vetter_pixels_free       (VetterPixels       *pixels);
VetterPixels *vetter_pixels_copy       (const VetterPixels *pixels);
/* Returns: (transfer full): a window onto @region of @pixels that shares
 * its memory, valid only as long as @pixels is. */
VetterPixels *vetter_pixels_view       (const VetterPixels *pixels,
                                        const VetterRect   *region);
/* @pixels: (transfer full): consumed.
 * Returns: (transfer full): the image turned upright. */
VetterPixels *vetter_pixels_orient     (VetterPixels       *pixels,
                                        int                 exif_orientation);
guint8       *vetter_pixels_to_luma    (const VetterPixels *pixels);

static inline guint8 *
vetter_pixels_row (const VetterPixels *pixels,
                   int                 y)
{
  return pixels->data + (gsize) y * (gsize) pixels->stride;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterPixels, vetter_pixels_free)

G_END_DECLS
