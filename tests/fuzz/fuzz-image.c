/* fuzz-image.c: an image as a worker takes it, from bytes to variants
 *
 * The bytes are written to a file and go through the whole pipeline:
 * decode (JPEG with its EXIF orientation, and every format GdkPixbuf
 * reads), analysis, the crops that follow the content, the variants. A
 * second decode asks for a DCT-scaled copy, as a small preview would.
 * Beyond not crashing: an image either fails with a message or comes out
 * whole, with every box and every crop inside the picture.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "fuzz-support.h"
#include "vetter-decode.h"
#include "vetter-pipeline.h"

/* Big enough for every format's corners, small enough for many runs a
 * second: the limit is checked from the header, before any pixel memory. */
#define MAX_PIXELS (2 * 1000 * 1000)

static VetterConfig *config;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_support_init ();
  config = vetter_config_new ();
  config->max_image_pixels = MAX_PIXELS;
  return 0;
}

static void
assert_inside (const VetterRect *rect,
               int               width,
               int               height)
{
  g_assert_cmpint (rect->x, >=, 0);
  g_assert_cmpint (rect->y, >=, 0);
  g_assert_cmpint (rect->width, >, 0);
  g_assert_cmpint (rect->height, >, 0);
  g_assert_cmpint (rect->x + rect->width, <=, width);
  g_assert_cmpint (rect->y + rect->height, <=, height);
}

static void
check_result (const VetterImageResult *result)
{
  if (!result->ok)
    {
      g_assert_nonnull (result->error);
      g_assert_true (fuzz_support_is_text (result->error));
      return;
    }
  g_assert_cmpint (result->width, >, 0);
  g_assert_cmpint (result->height, >, 0);
  g_assert_cmpint ((gint64) result->width * result->height, <=, MAX_PIXELS);
  g_assert_nonnull (result->format);
  g_assert_nonnull (result->analysis);
  assert_inside (&result->analysis->content, result->width, result->height);
  for (guint i = 0; i < result->analysis->defects->len; i++)
    {
      const VetterDefect *defect = g_ptr_array_index (result->analysis->defects, i);

      g_assert_true (fuzz_support_is_text (defect->message));
      if (defect->has_box)
        assert_inside (&defect->box, result->width, result->height);
    }
  g_assert_cmpuint (result->variants->len, ==, VETTER_N_VARIANTS);
  for (guint i = 0; i < result->variants->len; i++)
    {
      const VetterVariantRecord *variant = g_ptr_array_index (result->variants, i);

      g_assert_cmpint (variant->width, >, 0);
      g_assert_cmpint (variant->height, >, 0);
      g_assert_cmpint (variant->bytes, >, 0);
      g_assert_true (g_file_test (variant->path, G_FILE_TEST_IS_REGULAR));
      g_unlink (variant->path);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterDecoded) scaled = NULL;
  g_autoptr(VetterImageResult) result = NULL;
  g_autofree char *path = g_build_filename (fuzz_support_scratch_dir (), "input", NULL);
  VetterImageJob job = { 1, 1, 0, path, (char *) fuzz_support_scratch_dir () };

  scaled = vetter_decode (data, size, MAX_PIXELS, 64, &error);
  if (scaled)
    {
      g_assert_no_error (error);
      g_assert_cmpint (scaled->pixels->width, >, 0);
      g_assert_cmpint (scaled->pixels->height, >, 0);
      g_assert_cmpint (scaled->pixels->width, <=, scaled->width);
      g_assert_cmpint (scaled->pixels->height, <=, scaled->height);
      g_assert_cmpint (scaled->orientation, >=, 1);
      g_assert_cmpint (scaled->orientation, <=, 8);
    }
  else
    g_assert_true (error != NULL && fuzz_support_is_text (error->message));

  if (!g_file_set_contents (path, (const char *) data, (gssize) size, NULL))
    g_error ("cannot write %s", path);
  result = vetter_pipeline_run (&job, config, NULL, NULL, NULL);
  check_result (result);
  g_unlink (path);
  return 0;
}
