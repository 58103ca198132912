/* The floor: what no pixel pipeline can beat. libjpeg-turbo (libpng's
 * simplified reader for a PNG) decodes each image once at full size; every
 * output is then sampled nearest-neighbour (no filtering at all) and
 * encoded with the same settings as Vetter's.
 *
 * usage: floor-variants OUTPUT_DIR IMAGE...
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

#include <jpeglib.h>
#include <png.h>
#include <string.h>

#include "peer-workers.h"

static char **paths;
static const char *out_dir;

static void
encode (const unsigned char *pixels, int w, int h, int quality, int index, const char *kind)
{
  struct jpeg_compress_struct c;
  struct jpeg_error_mgr e;
  char path[4096];
  FILE *fp;

  snprintf (path, sizeof path, "%s/%05d-%s.jpg", out_dir, index, kind);
  fp = fopen (path, "wb");
  c.err = jpeg_std_error (&e);
  jpeg_create_compress (&c);
  jpeg_stdio_dest (&c, fp);
  c.image_width = w;
  c.image_height = h;
  c.input_components = 3;
  c.in_color_space = JCS_RGB;
  jpeg_set_defaults (&c);
  jpeg_set_quality (&c, quality, TRUE);
  jpeg_start_compress (&c, TRUE);
  while (c.next_scanline < c.image_height)
    {
      JSAMPROW row = (JSAMPROW) pixels + (size_t) c.next_scanline * w * 3;
      jpeg_write_scanlines (&c, &row, 1);
    }
  jpeg_finish_compress (&c);
  jpeg_destroy_compress (&c);
  fclose (fp);
}

static unsigned char *
nearest (const unsigned char *src, int sw, int x0, int y0, int cw, int ch, int w, int h)
{
  unsigned char *out = malloc ((size_t) w * h * 3);

  for (int y = 0; y < h; y++)
    {
      const unsigned char *row = src + (size_t) (y0 + (int) ((y + 0.5) * ch / h)) * sw * 3;
      for (int x = 0; x < w; x++)
        {
          const unsigned char *p = row + (size_t) (x0 + (int) ((x + 0.5) * cw / w)) * 3;
          out[((size_t) y * w + x) * 3] = p[0];
          out[((size_t) y * w + x) * 3 + 1] = p[1];
          out[((size_t) y * w + x) * 3 + 2] = p[2];
        }
    }
  return out;
}

static int
gcd (int a, int b)
{
  while (b) { int t = a % b; a = b; b = t; }
  return a;
}

/* A PNG in one call, to 8-bit RGB over white. */
static unsigned char *
decode_png (const gchar *data, gsize length, int *w, int *h)
{
  png_image image;
  png_color white = { 255, 255, 255 };
  unsigned char *pixels;

  memset (&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory (&image, data, length))
    return NULL;
  image.format = PNG_FORMAT_RGB;
  pixels = malloc (PNG_IMAGE_SIZE (image));
  if (!png_image_finish_read (&image, &white, pixels, 0, NULL))
    {
      free (pixels);
      return NULL;
    }
  *w = (int) image.width;
  *h = (int) image.height;
  return pixels;
}

static void
process (int index)
{
  static const struct { const char *kind; int w, h; } crops[] = {
    { "square", 1080, 1080 }, { "portrait", 1080, 1920 }, { "landscape", 1920, 1080 },
  };
  struct jpeg_decompress_struct d;
  struct jpeg_error_mgr e;
  gchar *data;
  gsize length;
  unsigned char *pixels;
  int w, h;

  g_file_get_contents (paths[index], &data, &length, NULL);
  if (length > 8 && memcmp (data, "\x89PNG", 4) == 0)
    {
      pixels = decode_png (data, length, &w, &h);
      g_free (data);
      if (pixels == NULL)
        return;
      goto decoded;
    }
  d.err = jpeg_std_error (&e);
  jpeg_create_decompress (&d);
  jpeg_mem_src (&d, (unsigned char *) data, length);
  jpeg_read_header (&d, TRUE);
  d.out_color_space = JCS_RGB;
  jpeg_start_decompress (&d);
  w = d.output_width;
  h = d.output_height;
  pixels = malloc ((size_t) w * h * 3);
  while (d.output_scanline < d.output_height)
    {
      JSAMPROW row = pixels + (size_t) d.output_scanline * w * 3;
      jpeg_read_scanlines (&d, &row, 1);
    }
  jpeg_finish_decompress (&d);
  jpeg_destroy_decompress (&d);
  g_free (data);

decoded:
  encode (pixels, w, h, 50, index, "compressed");
  for (unsigned i = 0; i < G_N_ELEMENTS (crops); i++)
    {
      int g = gcd (crops[i].w, crops[i].h), p = crops[i].w / g, q = crops[i].h / g;
      int k = MIN (w / p, h / q), cw = k * p, ch = k * q;
      int ow = cw >= crops[i].w ? crops[i].w : cw, oh = cw >= crops[i].w ? crops[i].h : ch;
      unsigned char *out = nearest (pixels, w, (w - cw) / 2, (h - ch) / 2, cw, ch, ow, oh);

      encode (out, ow, oh, 85, index, crops[i].kind);
      free (out);
    }
  {
    int tw = w >= h ? 320 : w * 320 / h, th = w >= h ? h * 320 / w : 320;
    unsigned char *out = nearest (pixels, w, 0, 0, w, h, tw, th);

    encode (out, tw, th, 80, index, "thumb");
    free (out);
  }
  free (pixels);
}

int
main (int argc, char **argv)
{

  if (argc < 3)
    return 2;
  out_dir = argv[1];
  g_mkdir_with_parents (out_dir, 0755);
  paths = argv + 2;
  peer_run_workers (argc - 2, process);
  return 0;
}
