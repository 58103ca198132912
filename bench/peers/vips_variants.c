/* The same outputs as Vetter's default job, made with libvips at its best:
 * each image decoded once into memory, one worker thread per core, each
 * image processed by one thread (libvips' own threading off, which was
 * faster for every peer measured on two cores).
 *
 * usage: vips-variants OUTPUT_DIR IMAGE...
 */
#include <vips/vips.h>
#include <stdio.h>

#include "peer-workers.h"

static const struct { const char *kind; int w, h, q; } crops[] = {
  { "square", 1080, 1080, 85 }, { "portrait", 1080, 1920, 85 }, { "landscape", 1920, 1080, 85 },
};

static char **paths;
static const char *out_dir;

static int
gcd (int a, int b)
{
  while (b) { int t = a % b; a = b; b = t; }
  return a;
}

static void
save (VipsImage *image, int index, const char *kind, int q)
{
  char path[4096];

  snprintf (path, sizeof path, "%s/%05d-%s.jpg", out_dir, index, kind);
  if (vips_jpegsave (image, path, "Q", q, NULL))
    vips_error_exit ("%s", path);
}

static void
process (int index)
{
  VipsImage *loaded, *image, *rotated;

  if (!(loaded = vips_image_new_from_file (paths[index], "access", VIPS_ACCESS_RANDOM, NULL)))
    vips_error_exit ("%s", paths[index]);
  if (vips_autorot (loaded, &rotated, NULL))
    vips_error_exit ("autorot");
  image = vips_image_copy_memory (rotated);
  g_object_unref (rotated);
  g_object_unref (loaded);

  save (image, index, "compressed", 50);
  for (unsigned i = 0; i < G_N_ELEMENTS (crops); i++)
    {
      int g = gcd (crops[i].w, crops[i].h), p = crops[i].w / g, q = crops[i].h / g;
      int k = MIN (image->Xsize / p, image->Ysize / q), cw = k * p, ch = k * q;
      VipsImage *cut, *out;
      double scale = cw >= crops[i].w ? (double) crops[i].w / cw : 1.0;

      vips_extract_area (image, &cut, (image->Xsize - cw) / 2, (image->Ysize - ch) / 2, cw, ch, NULL);
      vips_resize (cut, &out, scale, "kernel", VIPS_KERNEL_LINEAR, NULL);
      save (out, index, crops[i].kind, crops[i].q);
      g_object_unref (out);
      g_object_unref (cut);
    }
  {
    VipsImage *thumb;
    double scale = 320.0 / MAX (image->Xsize, image->Ysize);

    vips_resize (image, &thumb, MIN (1.0, scale), "kernel", VIPS_KERNEL_LINEAR, NULL);
    save (thumb, index, "thumb", 80);
    g_object_unref (thumb);
  }
  g_object_unref (image);
}

int
main (int argc, char **argv)
{

  if (VIPS_INIT (argv[0]) || argc < 3)
    vips_error_exit ("usage: vips-variants OUTPUT_DIR IMAGE...");
  vips_concurrency_set (1);
  vips_cache_set_max (0);
  out_dir = argv[1];
  g_mkdir_with_parents (out_dir, 0755);
  paths = argv + 2;
  peer_run_workers (argc - 2, process);
  vips_shutdown ();
  return 0;
}
