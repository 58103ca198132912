/* vetter-pixels.c: an 8-bit RGB image in memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "vetter-pixels.h"

VetterPixels *
vetter_pixels_try_new (int width,
                       int height)
{
  VetterPixels *pixels;
  guint8 *data;
  int stride = (width * 3 + 15) & ~15;
  gsize needed;

  g_return_val_if_fail (width > 0 && height > 0, NULL);

  /* 16 bytes of slack: vector code may store a few bytes past the last pixel. */
  needed = (gsize) stride * (gsize) height + 16;
  data = g_try_malloc (needed);
  if (data == NULL)
    return NULL;
  pixels = g_new (VetterPixels, 1);
  pixels->owns_data = TRUE;
  pixels->width = width;
  pixels->height = height;
  pixels->stride = stride;
  pixels->data = data;
  return pixels;
}

VetterPixels *
vetter_pixels_new (int width,
                   int height)
{
  VetterPixels *pixels = vetter_pixels_try_new (width, height);

  if (pixels == NULL)
    g_error ("Out of memory for a %d×%d image", width, height);
  return pixels;
}

void
vetter_pixels_free (VetterPixels *pixels)
{
  if (pixels == NULL)
    return;
  if (pixels->owns_data)
    g_free (pixels->data);
  g_free (pixels);
}

VetterPixels *
vetter_pixels_copy (const VetterPixels *pixels)
{
  VetterPixels *copy = vetter_pixels_new (pixels->width, pixels->height);

  for (int y = 0; y < pixels->height; y++)
    memcpy (vetter_pixels_row (copy, y), vetter_pixels_row (pixels, y), (gsize) pixels->width * 3);
  return copy;
}

/* A window onto @region of @pixels, sharing its memory: valid as long as
 * @pixels is. */
VetterPixels *
vetter_pixels_view (const VetterPixels *pixels,
                    const VetterRect   *region)
{
  VetterPixels *view = g_new (VetterPixels, 1);

  view->width = region->width;
  view->height = region->height;
  view->stride = pixels->stride;
  view->data = vetter_pixels_row (pixels, region->y) + region->x * 3;
  view->owns_data = FALSE;
  return view;
}

/* Applies an EXIF orientation (1–8) so that the image stands as it was
 * photographed. Takes ownership of @pixels; returns the turned image. */
VetterPixels *
vetter_pixels_orient (VetterPixels *pixels,
                      int           orientation)
{
  VetterPixels *out;
  gboolean transpose;
  int w = pixels->width;
  int h = pixels->height;

  if (orientation <= 1 || orientation > 8)
    return pixels;

  transpose = orientation >= 5;
  out = transpose ? vetter_pixels_new (h, w) : vetter_pixels_new (w, h);

  for (int y = 0; y < h; y++)
    {
      const guint8 *src = vetter_pixels_row (pixels, y);

      for (int x = 0; x < w; x++)
        {
          int dx, dy;
          guint8 *dst;

          switch (orientation)
            {
            case 2: dx = w - 1 - x; dy = y; break;              /* mirrored */
            case 3: dx = w - 1 - x; dy = h - 1 - y; break;      /* upside down */
            case 4: dx = x; dy = h - 1 - y; break;              /* flipped */
            case 5: dx = y; dy = x; break;                      /* transposed */
            case 6: dx = h - 1 - y; dy = x; break;              /* turned clockwise */
            case 7: dx = h - 1 - y; dy = w - 1 - x; break;      /* transversed */
            default: dx = y; dy = w - 1 - x; break;             /* 8: turned anticlockwise */
            }
          dst = vetter_pixels_row (out, dy) + dx * 3;
          dst[0] = src[x * 3];
          dst[1] = src[x * 3 + 1];
          dst[2] = src[x * 3 + 2];
        }
    }

  vetter_pixels_free (pixels);
  return out;
}

/* Rec. 601 luma, in one tightly packed plane of width × height bytes. */
guint8 *
vetter_pixels_to_luma (const VetterPixels *pixels)
{
  guint8 *luma = g_malloc ((gsize) pixels->width * pixels->height);

  for (int y = 0; y < pixels->height; y++)
    {
      const guint8 *row = vetter_pixels_row (pixels, y);
      guint8 *out = luma + (gsize) y * pixels->width;

      for (int x = 0; x < pixels->width; x++)
        out[x] = (guint8) ((row[x * 3] * 77 + row[x * 3 + 1] * 150 + row[x * 3 + 2] * 29 + 128) >> 8);
    }
  return luma;
}
