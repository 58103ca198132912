/* vetter-decode.c: bytes to pixels, once per image
 *
 * JPEG goes straight to libjpeg-turbo: GdkPixbuf's incremental loader runs a
 * full decode per scan of a progressive file, and cannot use DCT scaling.
 * Everything else goes through GdkPixbuf, after its dimensions have been
 * read from the header where we know the format, so that a file declaring
 * a giant canvas is refused before anything is allocated for it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-decode"

#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

#include "vetter-decode.h"
#include "vetter-png.h"
#include "vetter-shrink.h"
#include "vetter-error.h"

void
vetter_decoded_free (VetterDecoded *decoded)
{
  if (decoded == NULL)
    return;
  vetter_pixels_free (decoded->pixels);
  g_free (decoded->format);
  g_free (decoded);
}

static gboolean
check_pixel_limit (gint64   width,
                   gint64   height,
                   gint64   max_pixels,
                   GError **error)
{
  if (width <= 0 || height <= 0)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_DECODE,
                   "the image declares an empty size (%" G_GINT64_FORMAT "×%" G_GINT64_FORMAT ")",
                   width, height);
      return FALSE;
    }
  /* Divided, not multiplied: two declared sides of 2³² overflow 64 bits. */
  if (max_pixels > 0 && width > max_pixels / height)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_TOO_LARGE,
                   "the image declares %" G_GINT64_FORMAT "×%" G_GINT64_FORMAT " pixels, "
                   "more than the limit of %" G_GINT64_FORMAT " megapixels",
                   width, height, max_pixels / 1000000);
      return FALSE;
    }
  return TRUE;
}

/* ---- EXIF orientation ---------------------------------------------------- */

static guint
read_u16 (const guint8 *p,
          gboolean      big_endian)
{
  return big_endian ? (guint) (p[0] << 8 | p[1]) : (guint) (p[1] << 8 | p[0]);
}

static guint32
read_u32 (const guint8 *p,
          gboolean      big_endian)
{
  return big_endian ? ((guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3])
                    : ((guint32) p[3] << 24 | (guint32) p[2] << 16 | (guint32) p[1] << 8 | p[0]);
}

/* @exif is the payload of an APP1 marker, starting with "Exif\0\0". */
int
vetter_jpeg_orientation (const guint8 *exif,
                         gsize         length)
{
  const guint8 *tiff;
  gsize tiff_length;
  gboolean big_endian;
  guint32 ifd;
  guint entries;

  if (length < 14 || memcmp (exif, "Exif\0\0", 6) != 0)
    return 1;
  tiff = exif + 6;
  tiff_length = length - 6;
  if (memcmp (tiff, "MM", 2) == 0)
    big_endian = TRUE;
  else if (memcmp (tiff, "II", 2) == 0)
    big_endian = FALSE;
  else
    return 1;

  /* Offsets come from the file: compared by subtraction, so that a huge
   * one (0xFFFFFFFE) cannot wrap around past the end. */
  ifd = read_u32 (tiff + 4, big_endian);
  if (tiff_length < 2 || ifd > tiff_length - 2)
    return 1;
  entries = read_u16 (tiff + ifd, big_endian);
  for (guint i = 0; i < entries; i++)
    {
      gsize entry = (gsize) ifd + 2 + (gsize) i * 12;
      guint value;

      if (entry > tiff_length || tiff_length - entry < 12)
        return 1;
      if (read_u16 (tiff + entry, big_endian) != 0x0112)
        continue;
      value = read_u16 (tiff + entry + 8, big_endian);
      return value >= 1 && value <= 8 ? (int) value : 1;
    }
  return 1;
}

/* ---- JPEG through libjpeg-turbo ------------------------------------------ */

typedef struct
{
  struct jpeg_error_mgr pub;
  jmp_buf               escape;
  char                  message[JMSG_LENGTH_MAX];
  gboolean              truncated;
} JpegErrorManager;

static void
jpeg_error_exit (j_common_ptr cinfo)
{
  JpegErrorManager *err = (JpegErrorManager *) cinfo->err;

  cinfo->err->format_message (cinfo, err->message);
  longjmp (err->escape, 1);
}

/* Warnings are how libjpeg reports truncated data: it pads the rest of the
 * image with grey and goes on. An ad with a grey half is not an ad we want
 * to approve, so a premature end is an error here. */
static void
jpeg_emit_message (j_common_ptr cinfo,
                   int          level)
{
  JpegErrorManager *err = (JpegErrorManager *) cinfo->err;

  if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF)
    err->truncated = TRUE;
}

static const unsigned int std_luminance_quant[DCTSIZE2] = {
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
  14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
  18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
  49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99
};

/* Inverts libjpeg's quality scaling on the luminance table. Encoders with
 * other base tables give a rough figure, which is all heavy-compression
 * detection needs. */
static int
estimate_jpeg_quality (j_decompress_ptr cinfo)
{
  JQUANT_TBL *table = cinfo->quant_tbl_ptrs[0];
  double sum = 0, std_sum = 0, scale;

  if (table == NULL)
    return -1;
  for (int i = 0; i < DCTSIZE2; i++)
    {
      sum += table->quantval[i];
      std_sum += std_luminance_quant[i];
    }
  scale = 100.0 * sum / std_sum;
  if (scale <= 1.0)
    return 100;
  if (scale <= 100.0)
    return (int) CLAMP ((200.0 - scale) / 2.0 + 0.5, 1, 100);
  return (int) CLAMP (5000.0 / scale + 0.5, 1, 100);
}

static void
cmyk_to_rgb (guint8  *row,
             int      width,
             gboolean inverted)
{
  /* In place, front to back: the RGB triple never overtakes its CMYK source. */
  for (int x = 0; x < width; x++)
    {
      int c = row[x * 4], m = row[x * 4 + 1], y = row[x * 4 + 2], k = row[x * 4 + 3];

      if (!inverted)
        {
          c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k;
        }
      row[x * 3] = (guint8) ((c * k + 127) / 255);
      row[x * 3 + 1] = (guint8) ((m * k + 127) / 255);
      row[x * 3 + 2] = (guint8) ((y * k + 127) / 255);
    }
}

/* A decompressor that reports through @err, not yet created. */
static void
jpeg_errors_init (struct jpeg_decompress_struct *cinfo,
                  JpegErrorManager              *err)
{
  memset (cinfo, 0, sizeof *cinfo);
  cinfo->err = jpeg_std_error (&err->pub);
  err->pub.error_exit = jpeg_error_exit;
  err->pub.emit_message = jpeg_emit_message;
  err->truncated = FALSE;
}

/* What went wrong in libjpeg, in words: a file cut short, or corrupt. */
static void
set_jpeg_error (GError                 **error,
                const JpegErrorManager  *err,
                gsize                    length)
{
  if (err->truncated)
    g_set_error (error, VETTER_ERROR, VETTER_ERROR_DECODE,
                 "the JPEG data ends early: the file is truncated (%" G_GSIZE_FORMAT " bytes)", length);
  else
    g_set_error (error, VETTER_ERROR, VETTER_ERROR_DECODE, "the JPEG data is corrupt (%s)", err->message);
}

static VetterDecoded *
decode_jpeg (const guint8  *data,
             gsize          length,
             gint64         max_pixels,
             int            min_short_side,
             GError       **error)
{
  struct jpeg_decompress_struct cinfo;
  JpegErrorManager err;
  VetterPixels * volatile pixels = NULL;
  guint8 * volatile cmyk_row = NULL;
  VetterDecoded *decoded;
  gboolean is_cmyk;
  volatile int orientation = 1;
  volatile int denom = 1;
  int quality;
  gboolean progressive;

  jpeg_errors_init (&cinfo, &err);

  if (setjmp (err.escape))
    {
      set_jpeg_error (error, &err, length);
      jpeg_destroy_decompress (&cinfo);
      vetter_pixels_free (pixels);
      g_free (cmyk_row);
      return NULL;
    }

  jpeg_create_decompress (&cinfo);
  jpeg_mem_src (&cinfo, data, (unsigned long) length);
  jpeg_save_markers (&cinfo, JPEG_APP0 + 1, 0xffff);
  jpeg_read_header (&cinfo, TRUE);

  if (!check_pixel_limit (cinfo.image_width, cinfo.image_height, max_pixels, error))
    {
      jpeg_destroy_decompress (&cinfo);
      return NULL;
    }

  for (jpeg_saved_marker_ptr m = cinfo.marker_list; m; m = m->next)
    if (m->marker == JPEG_APP0 + 1)
      {
        orientation = vetter_jpeg_orientation (m->data, m->data_length);
        break;
      }

  if (min_short_side > 0)
    {
      unsigned int short_side = MIN (cinfo.image_width, cinfo.image_height);

      while (denom < 8 && short_side / (unsigned int) (denom * 2) >= (unsigned int) min_short_side)
        denom *= 2;
    }
  cinfo.scale_num = 1;
  cinfo.scale_denom = (unsigned int) denom;
  cinfo.dct_method = JDCT_ISLOW;
  /* Merged (non-smoothing) chroma upsampling: every output is either
   * shrunk or re-encoded at 4:2:0, which discards the difference, and it
   * makes the decode markedly faster. */
  cinfo.do_fancy_upsampling = FALSE;

  is_cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
  cinfo.out_color_space = is_cmyk ? JCS_CMYK : JCS_RGB;

  jpeg_start_decompress (&cinfo);

  pixels = vetter_pixels_try_new ((int) cinfo.output_width, (int) cinfo.output_height);
  if (pixels == NULL)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_TOO_LARGE,
                   "not enough memory to decode %u×%u pixels", cinfo.output_width, cinfo.output_height);
      jpeg_destroy_decompress (&cinfo);
      return NULL;
    }
  if (is_cmyk)
    cmyk_row = g_malloc ((gsize) cinfo.output_width * 4);

  while (cinfo.output_scanline < cinfo.output_height)
    {
      guint8 *row = vetter_pixels_row (pixels, (int) cinfo.output_scanline);

      if (is_cmyk)
        {
          JSAMPROW rows[1] = { cmyk_row };

          jpeg_read_scanlines (&cinfo, rows, 1);
          cmyk_to_rgb (cmyk_row, (int) cinfo.output_width, cinfo.saw_Adobe_marker);
          memcpy (row, cmyk_row, (gsize) cinfo.output_width * 3);
        }
      else
        {
          JSAMPROW rows[1] = { row };

          jpeg_read_scanlines (&cinfo, rows, 1);
        }
      if (err.truncated)
        break;
    }

  if (err.truncated)
    {
      set_jpeg_error (error, &err, length);
      jpeg_destroy_decompress (&cinfo);
      vetter_pixels_free (pixels);
      g_free (cmyk_row);
      return NULL;
    }

  quality = estimate_jpeg_quality (&cinfo);
  progressive = jpeg_has_multiple_scans (&cinfo);
  /* Finished before anything else is allocated: finishing can fail too,
   * and the error path frees only what it knows of. */
  jpeg_finish_decompress (&cinfo);

  decoded = g_new0 (VetterDecoded, 1);
  decoded->format = g_strdup ("jpeg");
  decoded->jpeg_quality = quality;
  decoded->progressive = progressive;
  decoded->orientation = orientation;
  decoded->width = orientation >= 5 ? (int) cinfo.image_height : (int) cinfo.image_width;
  decoded->height = orientation >= 5 ? (int) cinfo.image_width : (int) cinfo.image_height;
  jpeg_destroy_decompress (&cinfo);
  g_free (cmyk_row);

  decoded->pixels = vetter_pixels_orient (pixels, orientation);
  return decoded;
}

/* ---- A large JPEG a row at a time ----------------------------------------- */

gboolean
vetter_jpeg_peek (const guint8 *data,
                  gsize         length,
                  int          *width,
                  int          *height,
                  gboolean     *rows_as_stored)
{
  struct jpeg_decompress_struct cinfo;
  JpegErrorManager err;
  volatile int orientation = 1;

  if (length < 3 || data[0] != 0xFF || data[1] != 0xD8 || data[2] != 0xFF)
    return FALSE;
  jpeg_errors_init (&cinfo, &err);
  if (setjmp (err.escape))
    {
      jpeg_destroy_decompress (&cinfo);
      return FALSE;
    }
  jpeg_create_decompress (&cinfo);
  jpeg_mem_src (&cinfo, data, (unsigned long) length);
  jpeg_save_markers (&cinfo, JPEG_APP0 + 1, 0xffff);
  jpeg_read_header (&cinfo, TRUE);
  for (jpeg_saved_marker_ptr m = cinfo.marker_list; m; m = m->next)
    if (m->marker == JPEG_APP0 + 1)
      {
        orientation = vetter_jpeg_orientation (m->data, m->data_length);
        break;
      }
  *width = (int) cinfo.image_width;
  *height = (int) cinfo.image_height;
  *rows_as_stored = orientation == 1 &&
                    cinfo.jpeg_color_space != JCS_CMYK && cinfo.jpeg_color_space != JCS_YCCK;
  jpeg_destroy_decompress (&cinfo);
  return TRUE;
}

VetterDecoded *
vetter_decode_jpeg_rows (const guint8       *data,
                         gsize               length,
                         gint64              max_pixels,
                         int                 keep_width,
                         int                 keep_height,
                         VetterPixelRowFunc  row_func,
                         gpointer            user_data,
                         GError            **error)
{
  struct jpeg_decompress_struct cinfo;
  JpegErrorManager err;
  VetterShrinker * volatile shrinker = NULL;
  guint8 * volatile row = NULL;
  VetterDecoded *decoded;
  int quality;
  gboolean progressive;

  jpeg_errors_init (&cinfo, &err);

  if (setjmp (err.escape))
    {
      set_jpeg_error (error, &err, length);
      goto fail;
    }

  jpeg_create_decompress (&cinfo);
  jpeg_mem_src (&cinfo, data, (unsigned long) length);
  jpeg_read_header (&cinfo, TRUE);
  if (!check_pixel_limit (cinfo.image_width, cinfo.image_height, max_pixels, error))
    goto fail;
  cinfo.dct_method = JDCT_ISLOW;
  cinfo.do_fancy_upsampling = FALSE;
  cinfo.out_color_space = JCS_RGB;
  jpeg_start_decompress (&cinfo);

  shrinker = vetter_shrinker_new ((int) cinfo.output_width, (int) cinfo.output_height,
                                  MIN (keep_width, (int) cinfo.output_width),
                                  MIN (keep_height, (int) cinfo.output_height));
  if (shrinker == NULL)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_TOO_LARGE,
                   "not enough memory to decode %u×%u pixels", cinfo.output_width, cinfo.output_height);
      goto fail;
    }
  row = g_malloc ((gsize) cinfo.output_width * 3);
  while (cinfo.output_scanline < cinfo.output_height)
    {
      JSAMPROW rows[1] = { row };

      jpeg_read_scanlines (&cinfo, rows, 1);
      if (err.truncated)
        {
          set_jpeg_error (error, &err, length);
          goto fail;
        }
      if (row_func && !row_func (row, (int) cinfo.output_width, user_data, error))
        goto fail;
      vetter_shrinker_push_row (shrinker, row);
    }

  quality = estimate_jpeg_quality (&cinfo);
  progressive = jpeg_has_multiple_scans (&cinfo);
  jpeg_finish_decompress (&cinfo);

  decoded = g_new0 (VetterDecoded, 1);
  decoded->format = g_strdup ("jpeg");
  decoded->jpeg_quality = quality;
  decoded->progressive = progressive;
  decoded->orientation = 1;
  decoded->width = (int) cinfo.image_width;
  decoded->height = (int) cinfo.image_height;
  jpeg_destroy_decompress (&cinfo);
  g_free (row);
  decoded->pixels = vetter_shrinker_finish (shrinker);
  return decoded;

fail:
  jpeg_destroy_decompress (&cinfo);
  vetter_shrinker_free (shrinker);
  g_free (row);
  return NULL;
}

/* ---- Everything else through GdkPixbuf ----------------------------------- */

/* Reads the declared size from the header of the formats that ads come in,
 * so that the limit is checked before a loader allocates. */
static gboolean
sniff_size (const guint8 *d,
            gsize         n,
            gint64       *width,
            gint64       *height)
{
  if (n >= 24 && memcmp (d, "\x89PNG\r\n\x1a\n", 8) == 0 && memcmp (d + 12, "IHDR", 4) == 0)
    {
      *width = read_u32 (d + 16, TRUE);
      *height = read_u32 (d + 20, TRUE);
      return TRUE;
    }
  if (n >= 10 && (memcmp (d, "GIF87a", 6) == 0 || memcmp (d, "GIF89a", 6) == 0))
    {
      *width = read_u16 (d + 6, FALSE);
      *height = read_u16 (d + 8, FALSE);
      return TRUE;
    }
  if (n >= 30 && memcmp (d, "RIFF", 4) == 0 && memcmp (d + 8, "WEBP", 4) == 0)
    {
      if (memcmp (d + 12, "VP8X", 4) == 0)
        {
          *width = 1 + (d[24] | d[25] << 8 | d[26] << 16);
          *height = 1 + (d[27] | d[28] << 8 | d[29] << 16);
          return TRUE;
        }
      if (memcmp (d + 12, "VP8L", 4) == 0 && n >= 25)
        {
          guint32 bits = read_u32 (d + 21, FALSE);

          *width = 1 + (bits & 0x3fff);
          *height = 1 + ((bits >> 14) & 0x3fff);
          return TRUE;
        }
      if (memcmp (d + 12, "VP8 ", 4) == 0)
        {
          *width = read_u16 (d + 26, FALSE) & 0x3fff;
          *height = read_u16 (d + 28, FALSE) & 0x3fff;
          return TRUE;
        }
    }
  if (n >= 26 && d[0] == 'B' && d[1] == 'M')
    {
      /* A negative height means rows from the top; as 64 bits, so that
       * the most negative one has a size too. */
      *width = (gint32) read_u32 (d + 18, FALSE);
      *height = ABS ((gint64) (gint32) read_u32 (d + 22, FALSE));
      return TRUE;
    }
  return FALSE;
}

/* Walks a GIF's blocks to its frames: GdkPixbuf's loader raises
 * criticals on a frame without width or height instead of refusing it.
 * A stream cut short is left for the loader to report. */
static gboolean
check_gif_frames (const guint8  *d,
                  gsize          n,
                  GError       **error)
{
  gsize at = 13;
  guint frame = 0;

  if (n < 13 || (memcmp (d, "GIF87a", 6) != 0 && memcmp (d, "GIF89a", 6) != 0))
    return TRUE;
  if (d[10] & 0x80)
    at += 3 * ((gsize) 2 << (d[10] & 7));
  while (at < n && d[at] != 0x3B)
    {
      if (d[at] == 0x21)
        at += 2;
      else if (d[at] == 0x2C)
        {
          if (at + 10 > n)
            return TRUE;
          frame++;
          if (read_u16 (d + at + 5, FALSE) == 0 || read_u16 (d + at + 7, FALSE) == 0)
            {
              g_set_error (error, VETTER_ERROR, VETTER_ERROR_DECODE,
                           "the gif data is corrupt (frame %u has no width or no height)", frame);
              return FALSE;
            }
          if (d[at + 9] & 0x80)
            at += 3 * ((gsize) 2 << (d[at + 9] & 7));
          at += 11;
        }
      else
        {
          /* GdkPixbuf skips a byte that starts no block; so does this. */
          at++;
          continue;
        }
      /* Data sub-blocks, each led by its length, up to an empty one. */
      while (at < n && d[at] != 0)
        at += (gsize) d[at] + 1;
      at++;
    }
  return TRUE;
}

/* GdkPixbuf's BMP loader allocates what the header says its two headers
 * take before it reads them: a header claiming gigabytes is refused here. */
static gboolean
check_bmp_header (const guint8  *d,
                  gsize          n,
                  GError       **error)
{
  guint32 pixels_at, info_size;

  if (n < 18 || d[0] != 'B' || d[1] != 'M')
    return TRUE;
  pixels_at = read_u32 (d + 10, FALSE);
  info_size = read_u32 (d + 14, FALSE);
  if (info_size < 12 || info_size > 124)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_DECODE,
                   "the bmp data is corrupt (its header says it is %u bytes long)", info_size);
      return FALSE;
    }
  if (pixels_at > n)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_DECODE,
                   "the bmp data is corrupt (its pixels would start at byte %u of %" G_GSIZE_FORMAT ")", pixels_at, n);
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  gint64   max_pixels;
  gboolean over_limit;
  int      width;
  int      height;
} SizeCheck;

static void
on_size_prepared (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  gpointer         user_data)
{
  SizeCheck *check = user_data;

  check->width = width;
  check->height = height;
  if (check->max_pixels > 0 && (width <= 0 || height <= 0 || width > check->max_pixels / height))
    check->over_limit = TRUE;
}

static VetterPixels *
pixbuf_to_rgb (GdkPixbuf *pixbuf)
{
  int width = gdk_pixbuf_get_width (pixbuf);
  int height = gdk_pixbuf_get_height (pixbuf);
  int channels = gdk_pixbuf_get_n_channels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  gboolean alpha = gdk_pixbuf_get_has_alpha (pixbuf);
  const guint8 *src = gdk_pixbuf_read_pixels (pixbuf);
  VetterPixels *pixels = vetter_pixels_new (width, height);

  for (int y = 0; y < height; y++)
    {
      const guint8 *in = src + (gsize) y * stride;
      guint8 *out = vetter_pixels_row (pixels, y);

      for (int x = 0; x < width; x++, in += channels, out += 3)
        {
          if (alpha)
            {
              /* Transparent areas show as white, as on the marketplace's pages. */
              int a = in[3];

              out[0] = (guint8) ((in[0] * a + 255 * (255 - a) + 127) / 255);
              out[1] = (guint8) ((in[1] * a + 255 * (255 - a) + 127) / 255);
              out[2] = (guint8) ((in[2] * a + 255 * (255 - a) + 127) / 255);
            }
          else
            {
              out[0] = in[0];
              out[1] = in[1];
              out[2] = in[2];
            }
        }
    }
  return pixels;
}

static VetterDecoded *
decode_with_pixbuf (const guint8  *data,
                    gsize          length,
                    gint64         max_pixels,
                    GError       **error)
{
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GdkPixbuf) oriented = NULL;
  SizeCheck check = { max_pixels, FALSE, 0, 0 };
  GdkPixbufFormat *format;
  GdkPixbuf *pixbuf;
  VetterDecoded *decoded;
  const char *orientation;
  gint64 width, height;
  gsize offset = 0;
  gboolean ok = TRUE;

  if (sniff_size (data, length, &width, &height) &&
      !check_pixel_limit (width, height, max_pixels, error))
    return NULL;
  if (!check_gif_frames (data, length, error) || !check_bmp_header (data, length, error))
    return NULL;

  /* From here on every path closes the loader, as GdkPixbuf requires. */
  loader = gdk_pixbuf_loader_new ();
  g_signal_connect (loader, "size-prepared", G_CALLBACK (on_size_prepared), &check);

  /* Small first chunks, so that the size is known before the bulk arrives. */
  while (ok && offset < length && !check.over_limit)
    {
      gsize chunk = MIN (length - offset, offset == 0 ? (gsize) 4096 : (gsize) 1 << 20);

      ok = gdk_pixbuf_loader_write (loader, data + offset, chunk, &local_error);
      offset += chunk;
    }
  if (!gdk_pixbuf_loader_close (loader, ok ? &local_error : NULL))
    ok = FALSE;

  if (check.over_limit)
    {
      check_pixel_limit (check.width, check.height, max_pixels, error);
      return NULL;
    }
  if (!ok || (pixbuf = gdk_pixbuf_loader_get_pixbuf (loader)) == NULL)
    {
      /* The format's name is a copy, the caller's to free. */
      g_autofree char *name = NULL;

      format = gdk_pixbuf_loader_get_format (loader);
      name = format ? gdk_pixbuf_format_get_name (format) : NULL;
      if (name == NULL)
        g_set_error (error, VETTER_ERROR, VETTER_ERROR_DECODE,
                     "not an image: the data is in no format Vetter can read");
      else
        g_set_error (error, VETTER_ERROR, VETTER_ERROR_DECODE, "the %s data is corrupt (%s)", name,
                     local_error ? local_error->message : "no image in it");
      return NULL;
    }

  format = gdk_pixbuf_loader_get_format (loader);
  orientation = gdk_pixbuf_get_option (pixbuf, "orientation");
  oriented = gdk_pixbuf_apply_embedded_orientation (pixbuf);

  decoded = g_new0 (VetterDecoded, 1);
  decoded->format = format ? gdk_pixbuf_format_get_name (format) : NULL;
  if (decoded->format == NULL)
    decoded->format = g_strdup ("unknown");
  decoded->jpeg_quality = -1;
  decoded->orientation = orientation ? (int) g_ascii_strtoll (orientation, NULL, 10) : 1;
  decoded->pixels = pixbuf_to_rgb (oriented);
  decoded->width = decoded->pixels->width;
  decoded->height = decoded->pixels->height;
  return decoded;
}

/* PNG straight into the pipeline's buffer, with libpng's simplified
 * reader: one pass, whatever the PNG holds (a palette, grey, 16 bits,
 * interlacing, transparency), to 8-bit RGB over white as the
 * marketplace's pages show transparent areas. GdkPixbuf decoded to RGBA,
 * then the pipeline converted: two passes and twice the memory. */
static VetterDecoded *
png_decoded (VetterPixels *pixels)
{
  VetterDecoded *decoded = g_new0 (VetterDecoded, 1);

  decoded->format = g_strdup ("png");
  decoded->jpeg_quality = -1;
  decoded->orientation = 1;
  decoded->pixels = pixels;
  decoded->width = pixels->width;
  decoded->height = pixels->height;
  return decoded;
}

static VetterDecoded *
decode_png (const guint8  *data,
            gsize          length,
            gint64         max_pixels,
            GError       **error)
{
  png_image image = { 0 };
  png_color background = { 255, 255, 255 };
  VetterPixels *pixels;
  gint64 width, height;

  /* Its header says its size: a bomb is refused before libpng reads on. */
  if (sniff_size (data, length, &width, &height) && !check_pixel_limit (width, height, max_pixels, error))
    return NULL;
  /* A photograph's PNG, the common case, read fast. */
  {
    GBytes *file = g_bytes_new_static (data, length);

    pixels = vetter_png_read_rgb8 (&file, max_pixels);
    g_clear_pointer (&file, g_bytes_unref);
    if (pixels)
      return png_decoded (pixels);
  }

  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory (&image, data, length))
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_DECODE, "the png data is corrupt (%s)", image.message);
      png_image_free (&image);
      return NULL;
    }
  /* Nothing is allocated for a bomb. */
  if (!check_pixel_limit (image.width, image.height, max_pixels, error))
    {
      png_image_free (&image);
      return NULL;
    }
  image.format = PNG_FORMAT_RGB;
  pixels = vetter_pixels_try_new ((int) image.width, (int) image.height);
  if (pixels == NULL)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_TOO_LARGE, "not enough memory for a %u × %u image",
                   image.width, image.height);
      png_image_free (&image);
      return NULL;
    }
  if (!png_image_finish_read (&image, &background, pixels->data, pixels->stride, NULL))
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_DECODE, "the png data is corrupt (%s)", image.message);
      png_image_free (&image);
      vetter_pixels_free (pixels);
      return NULL;
    }
  png_image_free (&image);
  return png_decoded (pixels);
}

VetterDecoded *
vetter_decode_bytes (GBytes  **bytes,
                     gint64    max_pixels,
                     GError  **error)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (*bytes, &length);
  VetterDecoded *decoded;

  /* A photograph's PNG, the common case, read fast. */
  if (length >= 8 && memcmp (data, "\x89PNG\r\n\x1a\n", 8) == 0)
    {
      VetterPixels *pixels = vetter_png_read_rgb8 (bytes, max_pixels);

      if (pixels)
        return png_decoded (pixels);
      if (*bytes == NULL)
        {
          g_set_error (error, VETTER_ERROR, VETTER_ERROR_DECODE, "the png data is corrupt (its image data does not inflate "
                       "to the image's size, or a row names no filter)");
          return NULL;
        }
    }
  decoded = vetter_decode (data, length, max_pixels, 0, error);
  g_clear_pointer (bytes, g_bytes_unref);
  return decoded;
}

VetterDecoded *
vetter_decode (const guint8  *data,
               gsize          length,
               gint64         max_pixels,
               int            min_short_side,
               GError       **error)
{
  if (length == 0)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_DECODE, "the file is empty (0 bytes)");
      return NULL;
    }
  if (length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
    return decode_jpeg (data, length, max_pixels, min_short_side, error);
  if (length >= 8 && memcmp (data, "\x89PNG\r\n\x1a\n", 8) == 0)
    return decode_png (data, length, max_pixels, error);
  return decode_with_pixbuf (data, length, max_pixels, error);
}
