/* test-decode.c: every input format and its traps, made in the test
 *
 * The reference picture is red on the left half and blue on the right, so
 * that a wrong orientation, a channel swap or a colour-space mistake shows
 * as the wrong colour in the wrong corner.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>

#include "vetter-decode.h"
#include "vetter-digest.h"
#include "vetter-error.h"
#include "vetter-png.h"

#define W 64
#define H 48

typedef struct { guint8 r, g, b; } Rgb;

static Rgb
reference_pixel (int x,
                 int y)
{
  return x < W / 2 ? (Rgb) { 255, 0, 0 } : (Rgb) { 0, 0, 255 };
}

static void
assert_colour_at (const VetterPixels *p,
                  int                 x,
                  int                 y,
                  Rgb                 want,
                  int                 tolerance)
{
  const guint8 *px = vetter_pixels_row (p, y) + x * 3;

  if (ABS (px[0] - want.r) > tolerance || ABS (px[1] - want.g) > tolerance || ABS (px[2] - want.b) > tolerance)
    g_error ("pixel %d,%d is %d,%d,%d; expected %d,%d,%d", x, y, px[0], px[1], px[2], want.r, want.g, want.b);
}

/* ---- JPEG made with libjpeg, with the options under test ------------------ */

typedef struct
{
  J_COLOR_SPACE  space;
  gboolean       progressive;
  int            orientation;   /* 0: no EXIF */
  int            quality;
} JpegOptions;

static GBytes *
make_jpeg (const JpegOptions *options)
{
  struct jpeg_compress_struct cinfo;
  struct jpeg_error_mgr jerr;
  unsigned char *buffer = NULL;
  unsigned long size = 0;
  int components = options->space == JCS_CMYK ? 4 : options->space == JCS_GRAYSCALE ? 1 : 3;
  g_autofree guint8 *row = g_malloc (W * components);
  GBytes *bytes;

  cinfo.err = jpeg_std_error (&jerr);
  jpeg_create_compress (&cinfo);
  jpeg_mem_dest (&cinfo, &buffer, &size);
  cinfo.image_width = W;
  cinfo.image_height = H;
  cinfo.input_components = components;
  cinfo.in_color_space = options->space;
  jpeg_set_defaults (&cinfo);
  jpeg_set_quality (&cinfo, options->quality ? options->quality : 95, TRUE);
  if (options->progressive)
    jpeg_simple_progression (&cinfo);
  jpeg_start_compress (&cinfo, TRUE);

  if (options->orientation)
    {
      /* Exif, big-endian TIFF, one IFD entry: Orientation (0x0112), SHORT. */
      guint8 exif[] = { 'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0, 42, 0, 0, 0, 8,
                        0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (guint8) options->orientation, 0, 0,
                        0, 0, 0, 0 };
      jpeg_write_marker (&cinfo, JPEG_APP0 + 1, exif, sizeof exif);
    }

  while (cinfo.next_scanline < H)
    {
      for (int x = 0; x < W; x++)
        {
          Rgb c = reference_pixel (x, (int) cinfo.next_scanline);

          if (options->space == JCS_GRAYSCALE)
            row[x] = (guint8) ((c.r * 77 + c.g * 150 + c.b * 29) >> 8);
          else if (options->space == JCS_CMYK)
            {
              /* Adobe's inverted CMYK, which libjpeg marks as such. */
              row[x * 4] = c.r;
              row[x * 4 + 1] = c.g;
              row[x * 4 + 2] = c.b;
              row[x * 4 + 3] = 255;
            }
          else
            {
              row[x * 3] = c.r;
              row[x * 3 + 1] = c.g;
              row[x * 3 + 2] = c.b;
            }
        }
      jpeg_write_scanlines (&cinfo, (JSAMPROW[]) { row }, 1);
    }
  jpeg_finish_compress (&cinfo);
  jpeg_destroy_compress (&cinfo);
  bytes = g_bytes_new (buffer, size);
  free (buffer);
  return bytes;
}

static VetterDecoded *
decode_ok (GBytes *bytes)
{
  g_autoptr(GError) error = NULL;
  gsize n;
  const guint8 *data = g_bytes_get_data (bytes, &n);
  VetterDecoded *decoded = vetter_decode (data, n, 100000000, 0, &error);

  g_assert_no_error (error);
  g_assert_nonnull (decoded);
  return decoded;
}

static GError *
decode_error (const guint8 *data,
              gsize         n,
              gint64        max_pixels)
{
  GError *error = NULL;
  VetterDecoded *decoded = vetter_decode (data, n, max_pixels, 0, &error);

  g_assert_null (decoded);
  g_assert_nonnull (error);
  return error;
}

static void
test_jpeg_baseline (void)
{
  g_autoptr(GBytes) bytes = make_jpeg (&(JpegOptions) { JCS_RGB, FALSE, 0, 95 });
  g_autoptr(VetterDecoded) d = decode_ok (bytes);

  g_assert_cmpstr (d->format, ==, "jpeg");
  g_assert_false (d->progressive);
  g_assert_cmpint (d->width, ==, W);
  g_assert_cmpint (d->height, ==, H);
  g_assert_cmpint (ABS (d->jpeg_quality - 95), <=, 2);
  assert_colour_at (d->pixels, 5, 5, (Rgb) { 255, 0, 0 }, 12);
  assert_colour_at (d->pixels, W - 5, H - 5, (Rgb) { 0, 0, 255 }, 12);
}

static void
test_jpeg_progressive (void)
{
  g_autoptr(GBytes) bytes = make_jpeg (&(JpegOptions) { JCS_RGB, TRUE, 0, 80 });
  g_autoptr(VetterDecoded) d = decode_ok (bytes);

  g_assert_true (d->progressive);
  g_assert_cmpint (ABS (d->jpeg_quality - 80), <=, 2);
  assert_colour_at (d->pixels, 5, 5, (Rgb) { 255, 0, 0 }, 12);
}

static void
test_jpeg_greyscale (void)
{
  g_autoptr(GBytes) bytes = make_jpeg (&(JpegOptions) { JCS_GRAYSCALE, FALSE, 0, 95 });
  g_autoptr(VetterDecoded) d = decode_ok (bytes);

  assert_colour_at (d->pixels, 5, 5, (Rgb) { 77, 77, 77 }, 4);
  assert_colour_at (d->pixels, W - 5, 5, (Rgb) { 29, 29, 29 }, 4);
}

static void
test_jpeg_cmyk (void)
{
  g_autoptr(GBytes) bytes = make_jpeg (&(JpegOptions) { JCS_CMYK, FALSE, 0, 95 });
  g_autoptr(VetterDecoded) d = decode_ok (bytes);

  assert_colour_at (d->pixels, 5, 5, (Rgb) { 255, 0, 0 }, 12);
  assert_colour_at (d->pixels, W - 5, 5, (Rgb) { 0, 0, 255 }, 12);
}

static void
test_jpeg_orientation (void)
{
  /* 6: stored turned anticlockwise, shown turned clockwise: the red left
   * half ends up on top. */
  g_autoptr(GBytes) six = make_jpeg (&(JpegOptions) { JCS_RGB, FALSE, 6, 95 });
  g_autoptr(GBytes) three = make_jpeg (&(JpegOptions) { JCS_RGB, FALSE, 3, 95 });
  g_autoptr(GBytes) eight = make_jpeg (&(JpegOptions) { JCS_RGB, FALSE, 8, 95 });
  g_autoptr(VetterDecoded) d6 = decode_ok (six);
  g_autoptr(VetterDecoded) d3 = decode_ok (three);
  g_autoptr(VetterDecoded) d8 = decode_ok (eight);

  g_assert_cmpint (d6->orientation, ==, 6);
  g_assert_cmpint (d6->width, ==, H);
  g_assert_cmpint (d6->height, ==, W);
  g_assert_cmpint (d6->pixels->width, ==, H);
  assert_colour_at (d6->pixels, 5, 5, (Rgb) { 255, 0, 0 }, 12);
  assert_colour_at (d6->pixels, 5, W - 5, (Rgb) { 0, 0, 255 }, 12);

  g_assert_cmpint (d3->width, ==, W);
  assert_colour_at (d3->pixels, 5, 5, (Rgb) { 0, 0, 255 }, 12);

  /* 8: shown turned anticlockwise: red at the bottom. */
  assert_colour_at (d8->pixels, 5, W - 5, (Rgb) { 255, 0, 0 }, 12);
  assert_colour_at (d8->pixels, 5, 5, (Rgb) { 0, 0, 255 }, 12);
}

static void
test_jpeg_dct_scaling (void)
{
  g_autoptr(GBytes) bytes = make_jpeg (&(JpegOptions) { JCS_RGB, FALSE, 0, 95 });
  g_autoptr(GError) error = NULL;
  gsize n;
  const guint8 *data = g_bytes_get_data (bytes, &n);
  g_autoptr(VetterDecoded) d = vetter_decode (data, n, 0, 12, &error);

  g_assert_no_error (error);
  /* 48 / 4 = 12 is the smallest short side that still reaches 12. */
  g_assert_cmpint (d->pixels->width, ==, W / 4);
  g_assert_cmpint (d->pixels->height, ==, H / 4);
  g_assert_cmpint (d->width, ==, W);
}

static void
test_jpeg_truncated (void)
{
  g_autoptr(GBytes) bytes = make_jpeg (&(JpegOptions) { JCS_RGB, FALSE, 0, 95 });
  gsize n;
  const guint8 *data = g_bytes_get_data (bytes, &n);
  g_autoptr(GError) error = decode_error (data, n / 2, 0);

  g_assert_error (error, VETTER_ERROR, VETTER_ERROR_DECODE);
  if (strstr (error->message, "truncated") == NULL)
    g_error ("%s", error->message);
}

static void
test_not_an_image (void)
{
  const char *text = "this is a text file, named photo.jpg by mistake\n";
  g_autoptr(GError) text_error = decode_error ((const guint8 *) text, strlen (text), 0);
  g_autoptr(GError) empty_error = decode_error ((const guint8 *) "", 0, 0);

  g_assert_error (text_error, VETTER_ERROR, VETTER_ERROR_DECODE);
  g_assert_nonnull (strstr (text_error->message, "not an image"));
  g_assert_error (empty_error, VETTER_ERROR, VETTER_ERROR_DECODE);
  g_assert_nonnull (strstr (empty_error->message, "empty"));
}

/* ---- PNG made by hand, for what GdkPixbuf cannot write -------------------- */

static guint32
crc32_of (const guint8 *data,
          gsize         n,
          guint32       crc)
{
  crc = ~crc;
  for (gsize i = 0; i < n; i++)
    {
      crc ^= data[i];
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
    }
  return ~crc;
}

static void
put_u32 (GByteArray *out,
         guint32     v)
{
  guint8 b[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff };
  g_byte_array_append (out, b, 4);
}

static void
put_chunk (GByteArray   *out,
           const char   *type,
           const guint8 *data,
           gsize         n)
{
  guint32 crc = crc32_of ((const guint8 *) type, 4, 0);

  crc = crc32_of (data, n, crc);
  put_u32 (out, (guint32) n);
  g_byte_array_append (out, (const guint8 *) type, 4);
  g_byte_array_append (out, data, (guint) n);
  put_u32 (out, crc);
}

static GBytes *
zlib_compress (const guint8 *data,
               gsize         n)
{
  g_autoptr(GConverter) compressor = G_CONVERTER (g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB, 6));
  g_autoptr(GOutputStream) mem = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) stream = g_converter_output_stream_new (mem, compressor);

  g_output_stream_write_all (stream, data, n, NULL, NULL, NULL);
  g_output_stream_close (stream, NULL, NULL);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (mem));
}

/* colour_type 2 (RGB) at 8 or 16 bits, or 3 (palette) at 8 bits. */
static GBytes *
make_png (guint32 width,
          guint32 height,
          int     depth,
          int     colour_type,
          gboolean with_pixels)
{
  GByteArray *out = g_byte_array_new ();
  guint8 ihdr[13] = { 0 };
  g_autoptr(GByteArray) raw = g_byte_array_new ();

  g_byte_array_append (out, (const guint8 *) "\x89PNG\r\n\x1a\n", 8);
  for (int i = 0; i < 4; i++)
    {
      ihdr[i] = (width >> (24 - 8 * i)) & 0xff;
      ihdr[4 + i] = (height >> (24 - 8 * i)) & 0xff;
    }
  ihdr[8] = (guint8) depth;
  ihdr[9] = (guint8) colour_type;
  put_chunk (out, "IHDR", ihdr, 13);

  if (colour_type == 3)
    {
      const guint8 palette[] = { 255, 0, 0, 0, 0, 255 };
      put_chunk (out, "PLTE", palette, sizeof palette);
    }

  if (with_pixels)
    {
      g_autoptr(GBytes) compressed = NULL;

      for (guint32 y = 0; y < height; y++)
        {
          guint8 filter = 0;

          g_byte_array_append (raw, &filter, 1);
          for (guint32 x = 0; x < width; x++)
            {
              Rgb c = reference_pixel ((int) x, (int) y);

              if (colour_type == 3)
                {
                  guint8 index = x < W / 2 ? 0 : 1;
                  g_byte_array_append (raw, &index, 1);
                }
              else if (depth == 16)
                {
                  guint8 px[6] = { c.r, c.r, c.g, c.g, c.b, c.b };
                  g_byte_array_append (raw, px, 6);
                }
              else
                g_byte_array_append (raw, (guint8[]) { c.r, c.g, c.b }, 3);
            }
        }
      compressed = zlib_compress (raw->data, raw->len);
      put_chunk (out, "IDAT", g_bytes_get_data (compressed, NULL), g_bytes_get_size (compressed));
    }
  put_chunk (out, "IEND", NULL, 0);
  return g_byte_array_free_to_bytes (out);
}

static void
test_png_16bit_and_palette (void)
{
  g_autoptr(GBytes) deep = make_png (W, H, 16, 2, TRUE);
  g_autoptr(GBytes) palette = make_png (W, H, 8, 3, TRUE);
  g_autoptr(VetterDecoded) d16 = decode_ok (deep);
  g_autoptr(VetterDecoded) dpal = decode_ok (palette);

  g_assert_cmpstr (d16->format, ==, "png");
  g_assert_cmpint (d16->jpeg_quality, ==, -1);
  assert_colour_at (d16->pixels, 5, 5, (Rgb) { 255, 0, 0 }, 1);
  assert_colour_at (d16->pixels, W - 5, 5, (Rgb) { 0, 0, 255 }, 1);
  assert_colour_at (dpal->pixels, 5, 5, (Rgb) { 255, 0, 0 }, 0);
  assert_colour_at (dpal->pixels, W - 5, 5, (Rgb) { 0, 0, 255 }, 0);
}

static guint8
test_paeth (int a,
            int b,
            int c)
{
  int p = a + b - c, pa = ABS (p - a), pb = ABS (p - b), pc = ABS (p - c);

  return (guint8) (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
}

/* An 8-bit RGB PNG of a textured picture, each row with the next of the
 * five filters, its data in IDAT chunks of @chunk bytes. */
static GBytes *
make_filtered_png (guint32 width,
                   guint32 height,
                   gsize   chunk)
{
  GByteArray *out = g_byte_array_new ();
  g_autoptr(GByteArray) raw = g_byte_array_new ();
  g_autofree guint8 *image = g_new (guint8, (gsize) width * height * 3);
  g_autoptr(GBytes) compressed = NULL;
  guint8 ihdr[13] = { 0 };
  gsize row = (gsize) width * 3, size;
  const guint8 *z;

  for (guint32 y = 0; y < height; y++)
    for (gsize i = 0; i < row; i++)
      image[y * row + i] = (guint8) ((i * 7 + y * 13 + (i * y) % 29 + g_str_hash (&(char[2]) { (char) (i ^ y), 0 })) & 0xff);
  for (guint32 y = 0; y < height; y++)
    {
      guint8 filter = (guint8) (y % 5);
      const guint8 *cur = image + y * row, *up = y ? cur - row : NULL;

      g_byte_array_append (raw, &filter, 1);
      for (gsize i = 0; i < row; i++)
        {
          int a = i >= 3 ? cur[i - 3] : 0, b = up ? up[i] : 0, c = up && i >= 3 ? up[i - 3] : 0;
          guint8 v = filter == 0 ? cur[i] : filter == 1 ? (guint8) (cur[i] - a) : filter == 2 ? (guint8) (cur[i] - b)
                   : filter == 3 ? (guint8) (cur[i] - ((a + b) >> 1)) : (guint8) (cur[i] - test_paeth (a, b, c));

          g_byte_array_append (raw, &v, 1);
        }
    }
  g_byte_array_append (out, (const guint8 *) "\x89PNG\r\n\x1a\n", 8);
  for (int i = 0; i < 4; i++)
    {
      ihdr[i] = (width >> (24 - 8 * i)) & 0xff;
      ihdr[4 + i] = (height >> (24 - 8 * i)) & 0xff;
    }
  ihdr[8] = 8;
  ihdr[9] = 2;
  put_chunk (out, "IHDR", ihdr, 13);
  put_chunk (out, "tEXt", (const guint8 *) "Comment\0made for a test", 23);
  compressed = zlib_compress (raw->data, raw->len);
  z = g_bytes_get_data (compressed, &size);
  for (gsize at = 0; at < size; at += chunk)
    put_chunk (out, "IDAT", z + at, (guint32) MIN (chunk, size - at));
  put_chunk (out, "IEND", NULL, 0);
  return g_byte_array_free_to_bytes (out);
}

/* libpng's reading of @bytes, for comparison. */
static VetterPixels *
read_with_libpng (GBytes *bytes)
{
  png_image image = { 0 };
  VetterPixels *pixels;
  gsize n;
  const guint8 *data = g_bytes_get_data (bytes, &n);

  image.version = PNG_IMAGE_VERSION;
  g_assert_true (png_image_begin_read_from_memory (&image, data, n));
  image.format = PNG_FORMAT_RGB;
  pixels = vetter_pixels_new ((int) image.width, (int) image.height);
  g_assert_true (png_image_finish_read (&image, NULL, pixels->data, pixels->stride, NULL));
  png_image_free (&image);
  return pixels;
}

/* The fast reader of a photograph's PNG gives libpng's pixels, whatever
 * the rows' filters and however the data is cut into chunks; a damaged
 * chunk (its CRC wrong) or data that inflates short is left to libpng,
 * which says what is wrong; the file is let go of once read. */
static void
test_png_fast_path (void)
{
  gsize chunks[] = { 8192, 1, 1000000 };

  for (guint k = 0; k < G_N_ELEMENTS (chunks); k++)
    {
      g_autoptr(GBytes) png = make_filtered_png (301, 77, chunks[k]);
      g_autoptr(VetterPixels) expected = read_with_libpng (png);
      GBytes *file = g_bytes_ref (png);
      g_autoptr(VetterPixels) fast = vetter_png_read_rgb8 (&file, 0);

      g_assert_nonnull (fast);
      g_assert_null (file);
      for (int y = 0; y < expected->height; y++)
        g_assert_cmpmem (vetter_pixels_row (fast, y), fast->width * 3, vetter_pixels_row (expected, y), expected->width * 3);
    }

  {
    g_autoptr(GBytes) png = make_filtered_png (64, 40, 100);
    gsize n = g_bytes_get_size (png);
    g_autofree guint8 *broken = g_memdup2 (g_bytes_get_data (png, NULL), n);
    g_autoptr(GBytes) damaged = NULL;
    g_autoptr(GBytes) short_one = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(VetterDecoded) decoded = NULL;
    GBytes *file;
    gsize idat = 8;

    /* A byte of the image data changed: its CRC no longer matches. */
    while (memcmp (broken + idat + 4, "IDAT", 4) != 0)
      idat += 12 + ((gsize) broken[idat] << 24 | (gsize) broken[idat + 1] << 16 | (gsize) broken[idat + 2] << 8 | broken[idat + 3]);
    broken[idat + 10] ^= 0x55;
    damaged = g_bytes_new (broken, n);
    file = g_bytes_ref (damaged);
    g_assert_null (vetter_png_read_rgb8 (&file, 0));
    g_assert_true (file == damaged);
    decoded = vetter_decode_bytes (&file, 0, &error);
    g_assert_null (file);
    g_assert_error (error, VETTER_ERROR, VETTER_ERROR_DECODE);
    g_clear_error (&error);

    /* The header claims one row more than the data holds. */
    memcpy (broken, g_bytes_get_data (png, NULL), n);
    broken[23] = 41;
    {
      guint32 crc = crc32_of (broken + 12, 17, 0);

      broken[29] = crc >> 24, broken[30] = (crc >> 16) & 0xff, broken[31] = (crc >> 8) & 0xff, broken[32] = crc & 0xff;
    }
    short_one = g_bytes_new (broken, n);
    file = g_bytes_ref (short_one);
    decoded = vetter_decode_bytes (&file, 0, &error);
    g_assert_null (decoded);
    g_assert_error (error, VETTER_ERROR, VETTER_ERROR_DECODE);
  }
}

static void
test_png_bomb_refused (void)
{
  g_autoptr(GBytes) bomb = make_png (100000, 100000, 8, 2, FALSE);
  gsize n;
  const guint8 *data = g_bytes_get_data (bomb, &n);
  g_autoptr(GError) error = decode_error (data, n, 150000000);

  g_assert_error (error, VETTER_ERROR, VETTER_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "100000×100000"));
}

static GBytes *
save_pixbuf (GdkPixbuf  *pixbuf,
             const char *type)
{
  g_autoptr(GError) error = NULL;
  gchar *buffer = NULL;
  gsize size = 0;

  gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, type, &error, NULL);
  g_assert_no_error (error);
  return g_bytes_new_take (buffer, size);
}

static GdkPixbuf *
reference_pixbuf (gboolean alpha)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, alpha, 8, W, H);
  int channels = alpha ? 4 : 3;
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);

  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        guint8 *p = pixels + y * gdk_pixbuf_get_rowstride (pixbuf) + x * channels;
        Rgb c = reference_pixel (x, y);

        p[0] = c.r;
        p[1] = c.g;
        p[2] = c.b;
        if (alpha)
          p[3] = y < H / 2 ? 255 : 0;   /* the bottom half transparent */
      }
  return pixbuf;
}

static void
test_png_alpha_on_white (void)
{
  g_autoptr(GdkPixbuf) pixbuf = reference_pixbuf (TRUE);
  g_autoptr(GBytes) bytes = save_pixbuf (pixbuf, "png");
  g_autoptr(VetterDecoded) d = decode_ok (bytes);

  assert_colour_at (d->pixels, 5, 5, (Rgb) { 255, 0, 0 }, 0);
  assert_colour_at (d->pixels, 5, H - 5, (Rgb) { 255, 255, 255 }, 0);
}

static void
test_other_formats (void)
{
  g_autoptr(GdkPixbuf) pixbuf = reference_pixbuf (FALSE);
  const char *types[] = { "tiff", "bmp", "webp" };
  g_autofree char *gif_path = g_build_filename (g_getenv ("VETTER_TEST_SRCDIR"), "fixtures", "animated.gif", NULL);
  g_autofree char *gif = NULL;
  gsize gif_length = 0;

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autoptr(GBytes) bytes = save_pixbuf (pixbuf, types[i]);
      g_autoptr(VetterDecoded) d = decode_ok (bytes);

      g_assert_cmpstr (d->format, ==, types[i]);
      g_assert_cmpint (d->width, ==, W);
      assert_colour_at (d->pixels, 5, 5, (Rgb) { 255, 0, 0 }, 16);
      assert_colour_at (d->pixels, W - 5, 5, (Rgb) { 0, 0, 255 }, 16);
    }

  /* An animation: its first frame, red and blue, not the green second. */
  g_assert_true (g_file_get_contents (gif_path, &gif, &gif_length, NULL));
  {
    g_autoptr(GBytes) bytes = g_bytes_new (gif, gif_length);
    g_autoptr(VetterDecoded) d = decode_ok (bytes);

    g_assert_cmpstr (d->format, ==, "gif");
    assert_colour_at (d->pixels, 5, 5, (Rgb) { 255, 0, 0 }, 0);
    assert_colour_at (d->pixels, W - 5, 5, (Rgb) { 0, 0, 255 }, 0);
  }
}

static void
test_exif_parser_bounds (void)
{
  const guint8 short_exif[] = { 'E', 'x', 'i', 'f', 0, 0, 'I', 'I', 42, 0 };
  const guint8 bad_offset[] = { 'E', 'x', 'i', 'f', 0, 0, 'I', 'I', 42, 0, 0xff, 0xff, 0, 0 };

  /* An offset that wraps around in 32 bits: 0xFFFFFFFE + 2 is 0. */
  const guint8 wrapping[] = { 'E', 'x', 'i', 'f', 0, 0, 'I', 'I', 42, 0, 0xfe, 0xff, 0xff, 0xff, 0, 0 };
  const guint8 wrapping_be[] = { 'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0, 42, 0xff, 0xff, 0xff, 0xfe, 0, 0 };

  g_assert_cmpint (vetter_jpeg_orientation (short_exif, sizeof short_exif), ==, 1);
  g_assert_cmpint (vetter_jpeg_orientation (bad_offset, sizeof bad_offset), ==, 1);
  g_assert_cmpint (vetter_jpeg_orientation (wrapping, sizeof wrapping), ==, 1);
  g_assert_cmpint (vetter_jpeg_orientation (wrapping_be, sizeof wrapping_be), ==, 1);
}

/* The same offset inside a whole JPEG: the image decodes, upright. */
static void
test_exif_wrapping_offset_decodes (void)
{
  g_autoptr(GBytes) plain = make_jpeg (&(JpegOptions) { JCS_RGB, FALSE, 0, 90 });
  const guint8 app1[] = { 0xff, 0xe1, 0, 18, 'E', 'x', 'i', 'f', 0, 0, 'I', 'I', 42, 0, 0xfe, 0xff, 0xff, 0xff, 0, 0 };
  gsize n;
  const guint8 *data = g_bytes_get_data (plain, &n);
  g_autoptr(GByteArray) poisoned = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterDecoded) decoded = NULL;

  /* SOI, the EXIF segment, then the rest of the file. */
  g_byte_array_append (poisoned, data, 2);
  g_byte_array_append (poisoned, app1, sizeof app1);
  g_byte_array_append (poisoned, data + 2, n - 2);
  decoded = vetter_decode (poisoned->data, poisoned->len, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (decoded);
}

/* Sizes from a hostile header are compared without overflow: a PNG of
 * 0xFFFFFFFF × 0xFFFFFFFF and a BMP whose height is the most negative
 * 32-bit number are refused by the limit (UndefinedBehaviorSanitizer
 * watches the arithmetic). */
static void
test_hostile_sizes (void)
{
  g_autoptr(GBytes) png = make_png (0xffffffffu, 0xffffffffu, 8, 2, FALSE);
  guint8 bmp[54] = { 'B', 'M' };
  gsize n;
  const guint8 *data = g_bytes_get_data (png, &n);
  g_autoptr(GError) png_error = decode_error (data, n, 150000000);
  g_autoptr(GError) bmp_error = NULL;

  g_assert_error (png_error, VETTER_ERROR, VETTER_ERROR_TOO_LARGE);
  bmp[18] = 16;                                     /* width 16 */
  bmp[22] = 0; bmp[23] = 0; bmp[24] = 0; bmp[25] = 0x80;   /* height INT32_MIN */
  bmp_error = decode_error (bmp, sizeof bmp, 150000000);
  g_assert_error (bmp_error, VETTER_ERROR, VETTER_ERROR_TOO_LARGE);
}

/* A GIF frame with no width: refused with the frame named (GdkPixbuf's
 * loader would raise criticals over it); one with a local colour table
 * and an extension before it is walked past to the broken second frame. */
static void
test_gif_frame_without_width (void)
{
  const guint8 first_broken[] = {
    'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0x80, 0, 0, 0xff, 0, 0, 0, 0, 0,
    0x2c, 0xff, 0xff, 0xff, 0x12, 0, 0, 0, 0, 0, 2, 2, 0x44, 1, 0, 0x3b };
  const guint8 second_broken[] = {
    'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0, 0, 0,
    0x21, 0xf9, 4, 0, 0, 0, 0, 0,
    0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0x80, 0, 0, 0, 0xff, 0xff, 0xff, 2, 2, 0x44, 1, 0,
    0x2c, 0, 0, 0, 0, 1, 0, 0, 0, 0, 2, 2, 0x44, 1, 0, 0x3b };
  g_autoptr(GError) first = decode_error (first_broken, sizeof first_broken, 0);
  g_autoptr(GError) second = decode_error (second_broken, sizeof second_broken, 0);

  g_assert_error (first, VETTER_ERROR, VETTER_ERROR_DECODE);
  g_assert_nonnull (strstr (first->message, "frame 1 has no width or no height"));
  g_assert_error (second, VETTER_ERROR, VETTER_ERROR_DECODE);
  g_assert_nonnull (strstr (second->message, "frame 2 has no width or no height"));
}

/* A BMP whose header claims gigabytes (GdkPixbuf's loader would allocate
 * them) or whose pixels start past its end is refused, saying which. */
static void
test_bmp_header_claims_gigabytes (void)
{
  guint8 bmp[74] = { 'B', 'M', 0x4a, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0, 40, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 24 };
  g_autoptr(GError) huge_header = NULL;
  g_autoptr(GError) far_pixels = NULL;

  bmp[17] = 0xff;                                   /* a header of 0xFF000028 bytes */
  huge_header = decode_error (bmp, sizeof bmp, 0);
  g_assert_error (huge_header, VETTER_ERROR, VETTER_ERROR_DECODE);
  g_assert_nonnull (strstr (huge_header->message, "its header says it is 4278190120 bytes long"));

  bmp[17] = 0;
  bmp[12] = 0xf9; bmp[13] = 0xff;                   /* pixels at 0xFFF90036 */
  far_pixels = decode_error (bmp, sizeof bmp, 0);
  g_assert_error (far_pixels, VETTER_ERROR, VETTER_ERROR_DECODE);
  g_assert_nonnull (strstr (far_pixels->message, "its pixels would start at byte 4294508598 of 74"));
}

/* A JPEG whose end fails (a second frame header where the end marker
 * should be): an error, and nothing leaked (this test runs with
 * LeakSanitizer); a PNG decoded leaks nothing either. */
static void
test_failing_end_leaks_nothing (void)
{
  g_autoptr(GBytes) plain = make_jpeg (&(JpegOptions) { JCS_RGB, FALSE, 0, 90 });
  g_autoptr(GBytes) png = make_png (W, H, 8, 3, TRUE);
  gsize n;
  const guint8 *data = g_bytes_get_data (plain, &n);
  g_autofree guint8 *broken = g_memdup2 (data, n);
  g_autoptr(GError) error = NULL;

  /* The last marker, EOI (FF D9), becomes SOF0 with a short body. */
  g_assert_cmpuint (broken[n - 2], ==, 0xff);
  g_assert_cmpuint (broken[n - 1], ==, 0xd9);
  broken[n - 1] = 0xc0;
  g_assert_null (vetter_decode (broken, n, 0, 0, &error));
  g_assert_nonnull (error);

  for (int i = 0; i < 3; i++)
    {
      gsize png_length;
      const guint8 *png_data = g_bytes_get_data (png, &png_length);
      g_autoptr(VetterDecoded) decoded = vetter_decode (png_data, png_length, 0, 0, NULL);

      g_assert_nonnull (decoded);
      g_assert_cmpstr (decoded->format, ==, "png");
    }
}

static void
test_sha256 (void)
{
  g_autoptr(GBytes) bytes = make_jpeg (&(JpegOptions) { JCS_RGB, TRUE, 0, 80 });
  gsize n;
  const guint8 *data = g_bytes_get_data (bytes, &n);
  g_autofree char *ours = vetter_sha256_hex (data, n);
  g_autofree char *glib = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, n);
  g_autofree char *empty = vetter_sha256_hex ((const guint8 *) "", 0);

  g_assert_cmpstr (ours, ==, glib);
  g_assert_cmpstr (empty, ==, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/decode/jpeg-baseline", test_jpeg_baseline);
  g_test_add_func ("/decode/jpeg-progressive", test_jpeg_progressive);
  g_test_add_func ("/decode/jpeg-greyscale", test_jpeg_greyscale);
  g_test_add_func ("/decode/jpeg-cmyk", test_jpeg_cmyk);
  g_test_add_func ("/decode/jpeg-orientation", test_jpeg_orientation);
  g_test_add_func ("/decode/jpeg-dct-scaling", test_jpeg_dct_scaling);
  g_test_add_func ("/decode/jpeg-truncated", test_jpeg_truncated);
  g_test_add_func ("/decode/not-an-image", test_not_an_image);
  g_test_add_func ("/decode/png-16bit-and-palette", test_png_16bit_and_palette);
  g_test_add_func ("/decode/png-bomb-refused", test_png_bomb_refused);
  g_test_add_func ("/decode/png-fast-path", test_png_fast_path);
  g_test_add_func ("/decode/png-alpha-on-white", test_png_alpha_on_white);
  g_test_add_func ("/decode/other-formats", test_other_formats);
  g_test_add_func ("/decode/exif-parser-bounds", test_exif_parser_bounds);
  g_test_add_func ("/decode/exif-wrapping-offset-decodes", test_exif_wrapping_offset_decodes);
  g_test_add_func ("/decode/hostile-sizes", test_hostile_sizes);
  g_test_add_func ("/decode/gif-frame-without-width", test_gif_frame_without_width);
  g_test_add_func ("/decode/bmp-header-claims-gigabytes", test_bmp_header_claims_gigabytes);
  g_test_add_func ("/decode/failing-end-leaks-nothing", test_failing_end_leaks_nothing);
  g_test_add_func ("/digest/sha256", test_sha256);

  return g_test_run ();
}
