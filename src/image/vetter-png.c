/* vetter-png.c: the common PNG of a photograph, read fast
 *
 * libpng inflates with zlib and undoes the row filters in a pass of its
 * own, into rows it then copies out. For the one layout photographs use
 * (8-bit RGB, no interlacing) this reads the chunks itself, inflates all
 * the image data at once with libdeflate (two to three times zlib's speed)
 * into the image's own buffer, and undoes each row's filter in place, the
 * rows closing up as they go: the filtered data and the image are never
 * both held. Every chunk's CRC is checked and the data must inflate to
 * exactly the image's size; anything else is left to libpng.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>

#include "vetter-png.h"

static guint32
be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* The chunk at @pos: its length and type, whether it fits and its CRC is
 * right. */
static gboolean
read_chunk (const guint8 *data,
            gsize         length,
            gsize         pos,
            guint32      *chunk_length,
            const guint8 **type)
{
  guint32 n;

  if (length - pos < 12)
    return FALSE;
  n = be32 (data + pos);
  if (n > length - pos - 12)
    return FALSE;
  *chunk_length = n;
  *type = data + pos + 4;
  return libdeflate_crc32 (0, data + pos + 4, (gsize) n + 4) == be32 (data + pos + 8 + n);
}

static inline guint8
paeth (int a,
       int b,
       int c)
{
  int pa = abs (b - c), pb = abs (a - c), pc = abs (a + b - 2 * c);

  return (guint8) (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
}

/* Undoes one row's filter from @src into @dst; @prev is the row above,
 * already undone, or NULL for the first. */
static gboolean
unfilter_row (guint8        filter,
              const guint8 *restrict src,
              const guint8 *restrict prev,
              guint8       *restrict dst,
              gsize         n)
{
  switch (filter)
    {
    case 0:
      memcpy (dst, src, n);
      return TRUE;
    case 1:
      memcpy (dst, src, MIN (n, 3));
      for (gsize i = 3; i < n; i++)
        dst[i] = (guint8) (src[i] + dst[i - 3]);
      return TRUE;
    case 2:
      if (prev == NULL)
        memcpy (dst, src, n);
      else
        for (gsize i = 0; i < n; i++)
          dst[i] = (guint8) (src[i] + prev[i]);
      return TRUE;
    case 3:
      for (gsize i = 0; i < n; i++)
        {
          int a = i >= 3 ? dst[i - 3] : 0, b = prev ? prev[i] : 0;

          dst[i] = (guint8) (src[i] + ((a + b) >> 1));
        }
      return TRUE;
    case 4:
      if (prev == NULL)
        return unfilter_row (1, src, NULL, dst, n);
      for (gsize i = 0; i < MIN (n, 3); i++)
        dst[i] = (guint8) (src[i] + prev[i]);
      for (gsize i = 3; i < n; i++)
        dst[i] = (guint8) (src[i] + paeth (dst[i - 3], prev[i], prev[i - 3]));
      return TRUE;
    default:
      return FALSE;
    }
}

VetterPixels *
vetter_png_read_rgb8 (GBytes **file,
                      gint64   max_pixels)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (*file, &length);
  g_autofree guint8 *idat = NULL;
  g_autofree guint8 *row = NULL;
  struct libdeflate_decompressor *inflater;
  enum libdeflate_result inflated;
  guint8 *image = NULL;
  VetterPixels *pixels;
  gsize pos, idat_length = 0, filled = 0, actual = 0, row_bytes, expected;
  guint32 n, width, height;
  const guint8 *type;

  if (length < 8 + 25 || memcmp (data, "\x89PNG\r\n\x1a\n", 8) != 0 ||
      !read_chunk (data, length, 8, &n, &type) || memcmp (type, "IHDR", 4) != 0 || n != 13)
    return NULL;
  width = be32 (data + 16);
  height = be32 (data + 20);
  /* 8-bit RGB, deflate, the standard filters, not interlaced. */
  if (data[24] != 8 || data[25] != 2 || data[26] != 0 || data[27] != 0 || data[28] != 0 ||
      width == 0 || height == 0 || width > G_MAXINT / 3 || height > G_MAXINT ||
      (max_pixels > 0 && (gint64) width * height > max_pixels))
    return NULL;

  /* The image data's chunks, in order, up to the end. */
  for (int pass = 0; pass < 2; pass++)
    {
      for (pos = 8 + 25;; pos += (gsize) n + 12)
        {
          if (!read_chunk (data, length, pos, &n, &type))
            return NULL;
          if (memcmp (type, "IEND", 4) == 0)
            break;
          if (memcmp (type, "IDAT", 4) == 0)
            {
              if (pass == 0)
                idat_length += n;
              else
                {
                  memcpy (idat + filled, data + pos + 8, n);
                  filled += n;
                }
            }
          /* A critical chunk of another kind (a palette is only a hint
           * here): not a file for this reader. */
          else if (!(type[0] & 0x20) && memcmp (type, "PLTE", 4) != 0)
            return NULL;
        }
      if (pass == 0)
        {
          if (idat_length == 0)
            return NULL;
          idat = g_try_malloc (idat_length);
          if (idat == NULL)
            return NULL;
        }
    }
  row_bytes = (gsize) width * 3;
  expected = (row_bytes + 1) * height;
  /* 16 bytes of slack, as every image has, for vector code. */
  image = g_try_malloc (expected + 16);
  row = g_try_malloc (row_bytes);
  if (image == NULL || row == NULL)
    goto fail;
  /* Nothing else of the file is needed: it goes before the image is
   * written (its pages are only taken then). Past here, a failure is the
   * data's own, and the caller says so without the file. */
  g_clear_pointer (file, g_bytes_unref);
  inflater = libdeflate_alloc_decompressor ();
  inflated = inflater ? libdeflate_zlib_decompress (inflater, idat, idat_length, image, expected, &actual)
                      : LIBDEFLATE_INSUFFICIENT_SPACE;
  libdeflate_free_decompressor (inflater);
  if (inflated != LIBDEFLATE_SUCCESS || actual != expected)
    goto fail;
  g_clear_pointer (&idat, g_free);

  /* Row y's filtered bytes start at y * (row_bytes + 1) + 1, after its
   * filter byte; undone, they go to y * row_bytes, which is never past
   * where they were read from: each row is copied aside first, then
   * undone into place against the row above, already in place. */
  for (gsize y = 0; y < height; y++)
    {
      const guint8 *filtered = image + y * (row_bytes + 1);
      guint8 *dst = image + y * row_bytes;

      memcpy (row, filtered + 1, row_bytes);
      if (!unfilter_row (filtered[0], row, y > 0 ? dst - row_bytes : NULL, dst, row_bytes))
        goto fail;
    }

  pixels = g_new (VetterPixels, 1);
  pixels->width = (int) width;
  pixels->height = (int) height;
  pixels->stride = (int) row_bytes;
  pixels->data = image;
  pixels->owns_data = TRUE;
  return pixels;

fail:
  g_free (image);
  return NULL;
}
