/* test-analysis.c: defects, colours, hashes and crops on synthetic images
 *
 * Every image is made here, with a known defect in a known place, so that
 * each assertion says exactly what the analysis must find.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "vetter-analysis.h"
#include "vetter-crop.h"
#include "vetter-decode.h"
#include "vetter-encode.h"
#include "vetter-pipeline.h"
#include "vetter-resample.h"
#include "vetter-shrink.h"
#include "vetter-test-util.h"
#include "vetter-whole-file.h"

static VetterAnalysis *
analyse (const VetterPixels *pixels,
         int                 jpeg_quality)
{
  int w = pixels->width, h = pixels->height;
  int long_side = MAX (w, h);

  if (long_side > VETTER_ANALYSIS_SIZE)
    {
      g_autoptr(VetterPixels) small = vetter_resample (pixels, NULL,
                                                       MAX (1, w * VETTER_ANALYSIS_SIZE / long_side),
                                                       MAX (1, h * VETTER_ANALYSIS_SIZE / long_side));
      return vetter_analyse (small, w, h, jpeg_quality);
    }
  return vetter_analyse (pixels, w, h, jpeg_quality);
}

static const VetterDefect *
find_defect (const VetterAnalysis *analysis,
             const char           *kind)
{
  for (guint i = 0; i < analysis->defects->len; i++)
    {
      const VetterDefect *defect = g_ptr_array_index (analysis->defects, i);

      if (strcmp (defect->kind, kind) == 0)
        return defect;
    }
  return NULL;
}

static guint
count_defects (const VetterAnalysis *analysis,
               const char           *kind)
{
  guint n = 0;

  for (guint i = 0; i < analysis->defects->len; i++)
    n += strcmp (((VetterDefect *) g_ptr_array_index (analysis->defects, i))->kind, kind) == 0;
  return n;
}

static void
test_clean_image (void)
{
  g_autoptr(VetterPixels) pixels = test_textured (1600, 1200, 1);
  g_autoptr(VetterAnalysis) analysis = analyse (pixels, 90);

  if (analysis->defects->len > 0)
    g_error ("a sharp, well exposed image has a defect: %s", ((VetterDefect *) analysis->defects->pdata[0])->message);
  g_assert_cmpfloat (analysis->sharpness, >, 100);
  g_assert_cmpfloat (analysis->brightness, >, 90);
  g_assert_cmpfloat (analysis->brightness, <, 160);
}

/* The whole image's brightness, contrast and sharpness (the variance of
 * the Laplacian inside the edge), computed plainly, agree to the bit with
 * the analysis's, which adds them up tile by tile: sizes that do not
 * divide into the grid, and images too small to have an inside. */
static void
test_whole_image_measures (void)
{
  int sizes[][2] = { { 512, 341 }, { 37, 23 }, { 13, 2 }, { 1, 1 } };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(VetterPixels) pixels = test_textured (sizes[i][0], sizes[i][1], 40 + i);
      g_autoptr(VetterAnalysis) analysis = vetter_analyse (pixels, sizes[i][0], sizes[i][1], 90);
      g_autofree guint8 *luma = vetter_pixels_to_luma (pixels);
      int w = pixels->width, h = pixels->height;
      double sum = 0, sum2 = 0, lap_sum = 0, lap_sum2 = 0, brightness;
      double n = (double) w * h, n_lap = 0;

      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
          {
            const guint8 *p = luma + y * w + x;

            sum += *p;
            sum2 += (double) *p * *p;
            if (x > 0 && y > 0 && x < w - 1 && y < h - 1)
              {
                double lap = 4.0 * p[0] - p[-1] - p[1] - p[-w] - p[w];

                lap_sum += lap;
                lap_sum2 += lap * lap;
                n_lap++;
              }
          }
      brightness = sum / n;
      g_assert_cmpfloat (analysis->brightness, ==, brightness);
      g_assert_cmpfloat (analysis->contrast, ==, sqrt (MAX (0.0, sum2 / n - brightness * brightness)));
      g_assert_cmpfloat (analysis->sharpness, ==, n_lap ? lap_sum2 / n_lap - (lap_sum / n_lap) * (lap_sum / n_lap) : 0);
    }
}

static void
test_blurred_half (void)
{
  g_autoptr(VetterPixels) pixels = test_textured (1600, 1200, 2);
  g_autoptr(VetterAnalysis) analysis = NULL;
  const VetterDefect *blurry;

  test_box_blur (pixels, 0, 0, 800, 1200, 9);
  analysis = analyse (pixels, 90);
  blurry = find_defect (analysis, "blurry");
  g_assert_nonnull (blurry);
  g_assert_cmpint (blurry->severity, ==, VETTER_SEVERITY_MEDIUM);
  g_assert_true (blurry->has_box);
  /* The box covers the left half, in source pixels. */
  g_assert_cmpfloat (test_box_overlap (blurry->box.x, blurry->box.y, blurry->box.width, blurry->box.height,
                                       0, 0, 800, 1200), >, 0.7);
}

static void
test_blurred_whole (void)
{
  g_autoptr(VetterPixels) pixels = test_textured (1600, 1200, 3);
  g_autoptr(VetterAnalysis) analysis = NULL;
  const VetterDefect *blurry;

  test_box_blur (pixels, 0, 0, 1600, 1200, 9);
  analysis = analyse (pixels, 90);
  blurry = find_defect (analysis, "blurry");
  g_assert_nonnull (blurry);
  g_assert_cmpint (blurry->severity, ==, VETTER_SEVERITY_HIGH);
  g_assert_false (blurry->has_box);
}

static void
test_flat_image_is_not_blurry (void)
{
  g_autoptr(VetterPixels) pixels = test_flat (1200, 900, 120, 140, 160);
  g_autoptr(VetterAnalysis) analysis = analyse (pixels, 90);

  g_assert_null (find_defect (analysis, "blurry"));
}

static void
test_clipped_region (void)
{
  g_autoptr(VetterPixels) pixels = test_textured (1600, 1200, 4);
  g_autoptr(VetterAnalysis) analysis = NULL;
  const VetterDefect *over;

  test_fill (pixels, 1000, 200, 500, 600, 255, 255, 255);
  analysis = analyse (pixels, 90);
  over = find_defect (analysis, "overexposed");
  g_assert_nonnull (over);
  g_assert_true (over->has_box);
  g_assert_cmpfloat (test_box_overlap (over->box.x, over->box.y, over->box.width, over->box.height,
                                       1000, 200, 500, 600), >, 0.6);
  g_assert_null (find_defect (analysis, "underexposed"));
}

static void
test_underexposed (void)
{
  g_autoptr(VetterPixels) pixels = test_textured (1200, 900, 5);
  g_autoptr(VetterAnalysis) analysis = NULL;
  const VetterDefect *under;

  /* Darken to a tenth. */
  for (int y = 0; y < pixels->height; y++)
    for (int x = 0; x < pixels->width * 3; x++)
      vetter_pixels_row (pixels, y)[x] /= 12;
  analysis = analyse (pixels, 90);
  under = find_defect (analysis, "underexposed");
  g_assert_nonnull (under);
  g_assert_cmpint (under->severity, ==, VETTER_SEVERITY_HIGH);
}

static void
test_letterbox (void)
{
  g_autoptr(VetterPixels) pixels = test_textured (1600, 1200, 6);
  g_autoptr(VetterAnalysis) analysis = NULL;
  gboolean top = FALSE, bottom = FALSE;

  test_fill (pixels, 0, 0, 1600, 150, 0, 0, 0);
  test_fill (pixels, 0, 1050, 1600, 150, 0, 0, 0);
  analysis = analyse (pixels, 90);
  g_assert_cmpuint (count_defects (analysis, "letterbox"), ==, 2);
  for (guint i = 0; i < analysis->defects->len; i++)
    {
      const VetterDefect *d = g_ptr_array_index (analysis->defects, i);

      if (strcmp (d->kind, "letterbox") != 0)
        continue;
      g_assert_true (d->has_box);
      g_assert_cmpint (d->box.width, ==, 1600);
      g_assert_cmpint (ABS (d->box.height - 150), <=, 6);
      top |= d->box.y == 0;
      bottom |= ABS (d->box.y + d->box.height - 1200) <= 1;
    }
  g_assert_true (top && bottom);
}

/* A photo placed on black, bars on all four sides: each bar is found,
 * where it is. */
static void
test_bars_on_four_sides (void)
{
  g_autoptr(VetterPixels) pixels = test_flat (1600, 1200, 0, 0, 0);
  g_autoptr(VetterAnalysis) analysis = NULL;
  gboolean seen[4] = { FALSE, FALSE, FALSE, FALSE };

  test_paste_texture (pixels, 200, 120, 1200, 960, 8);
  analysis = analyse (pixels, 90);
  g_assert_cmpuint (count_defects (analysis, "letterbox"), ==, 4);
  for (guint i = 0; i < analysis->defects->len; i++)
    {
      const VetterDefect *d = g_ptr_array_index (analysis->defects, i);

      if (strcmp (d->kind, "letterbox") != 0)
        continue;
      g_assert_true (d->has_box);
      if (d->box.y == 0 && d->box.width == 1600)
        seen[0] = ABS (d->box.height - 120) <= 6;
      else if (d->box.y + d->box.height == 1200 && d->box.width == 1600)
        seen[1] = ABS (d->box.height - 120) <= 6;
      else if (d->box.x == 0)
        seen[2] = ABS (d->box.width - 200) <= 6;
      else if (d->box.x + d->box.width == 1600)
        seen[3] = ABS (d->box.width - 200) <= 6;
    }
  g_assert_true (seen[0] && seen[1] && seen[2] && seen[3]);
  /* What the crops may use: the photo, not the bars. */
  g_assert_cmpint (ABS (analysis->content.x - 200), <=, 6);
  g_assert_cmpint (ABS (analysis->content.y - 120), <=, 6);
  g_assert_cmpint (ABS (analysis->content.width - 1200), <=, 12);
  g_assert_cmpint (ABS (analysis->content.height - 960), <=, 12);
}

static void
test_product_on_white_is_not_letterboxed (void)
{
  g_autoptr(VetterPixels) pixels = test_flat (1200, 1200, 255, 255, 255);
  g_autoptr(VetterAnalysis) analysis = NULL;

  test_paste_texture (pixels, 300, 300, 600, 600, 7);
  analysis = analyse (pixels, 90);
  g_assert_null (find_defect (analysis, "letterbox"));
}

static void
test_gradient_is_not_letterboxed (void)
{
  g_autoptr(VetterPixels) pixels = vetter_pixels_new (1200, 900);
  g_autoptr(VetterAnalysis) analysis = NULL;

  for (int y = 0; y < 900; y++)
    test_fill (pixels, 0, y, 1200, 1, (guint8) (y * 255 / 899), (guint8) (y * 255 / 899), 255);
  analysis = analyse (pixels, 90);
  g_assert_null (find_defect (analysis, "letterbox"));
}

static void
test_shape_defects (void)
{
  g_autoptr(VetterPixels) small = test_textured (400, 250, 8);
  g_autoptr(VetterPixels) banner = test_textured (2000, 400, 9);
  g_autoptr(VetterAnalysis) a = analyse (small, 90);
  g_autoptr(VetterAnalysis) b = analyse (banner, 90);
  g_autoptr(VetterAnalysis) c = analyse (small, 12);

  g_assert_nonnull (find_defect (a, "low_resolution"));
  g_assert_cmpint (find_defect (a, "low_resolution")->severity, ==, VETTER_SEVERITY_HIGH);
  g_assert_null (find_defect (a, "heavy_compression"));
  g_assert_nonnull (find_defect (b, "extreme_aspect"));
  g_assert_cmpint (find_defect (b, "extreme_aspect")->severity, ==, VETTER_SEVERITY_HIGH);
  g_assert_nonnull (find_defect (c, "heavy_compression"));
  g_assert_cmpint (find_defect (c, "heavy_compression")->severity, ==, VETTER_SEVERITY_HIGH);
}

static void
test_colours (void)
{
  g_autoptr(VetterPixels) pixels = test_flat (800, 600, 200, 30, 35);
  g_autoptr(VetterAnalysis) analysis = NULL;
  const VetterColour *first, *second;

  test_fill (pixels, 0, 0, 800, 200, 40, 80, 200);
  analysis = analyse (pixels, 90);
  g_assert_cmpuint (analysis->colours->len, ==, 2);
  first = g_ptr_array_index (analysis->colours, 0);
  second = g_ptr_array_index (analysis->colours, 1);
  g_assert_cmpstr (first->label, ==, "red");
  g_assert_cmpint (ABS (first->confidence - 67), <=, 2);
  g_assert_cmpstr (second->label, ==, "blue");
  g_assert_cmpint (ABS (second->confidence - 33), <=, 2);
  g_assert_cmphex (first->rgb, ==, 0xc81e23);
}

static void
test_phash_near_duplicate (void)
{
  g_autoptr(VetterPixels) original = test_textured (1200, 900, 10);
  g_autoptr(VetterPixels) smaller = vetter_resample (original, NULL, 800, 600);
  g_autoptr(VetterPixels) other = test_textured (1200, 900, 11);
  g_autoptr(VetterPixels) brighter = vetter_pixels_copy (original);
  guint64 h_original, h_smaller, h_other, h_brighter;

  test_box_blur (original, 0, 0, 1200, 900, 4);
  test_box_blur (other, 0, 0, 1200, 900, 4);
  g_clear_pointer (&smaller, vetter_pixels_free);
  smaller = vetter_resample (original, NULL, 800, 600);
  g_clear_pointer (&brighter, vetter_pixels_free);
  brighter = vetter_pixels_copy (original);
  for (int y = 0; y < 900; y++)
    for (int x = 0; x < 1200 * 3; x++)
      {
        guint8 *p = vetter_pixels_row (brighter, y) + x;
        *p = (guint8) MIN (255, *p + 15);
      }

  h_original = vetter_phash (original);
  h_smaller = vetter_phash (smaller);
  h_other = vetter_phash (other);
  h_brighter = vetter_phash (brighter);

  g_assert_cmpint (vetter_phash_distance (h_original, h_smaller), <=, 4);
  g_assert_cmpint (vetter_phash_distance (h_original, h_brighter), <=, 4);
  g_assert_cmpint (vetter_phash_distance (h_original, h_other), >=, 16);
}

static void
test_phash_string (void)
{
  g_autofree char *text = vetter_phash_to_string (G_GUINT64_CONSTANT (0x00ff00ff12345678));
  guint64 back = 0;

  g_assert_cmpstr (text, ==, "00ff00ff12345678");
  g_assert_true (vetter_phash_parse (text, &back));
  g_assert_cmphex (back, ==, G_GUINT64_CONSTANT (0x00ff00ff12345678));
  g_assert_false (vetter_phash_parse ("xyz", &back));
}

/* ---- Crops ---------------------------------------------------------------- */

static void
test_crop_exact_ratios (void)
{
  struct { int rw, rh, sw, sh, cw, ch; } cases[] = {
    { 1080, 1080, 4000, 3000, 3000, 3000 },
    { 1080, 1920, 4000, 3000, 1683, 2992 },
    { 1920, 1080, 4000, 3000, 4000, 2250 },
    { 1920, 1080, 1000, 3000, 992, 558 },
    { 1080, 1920, 333, 333, 180, 320 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      int cw, ch;

      vetter_crop_largest (cases[i].rw, cases[i].rh, cases[i].sw, cases[i].sh, &cw, &ch);
      g_assert_cmpint (cw, ==, cases[i].cw);
      g_assert_cmpint (ch, ==, cases[i].ch);
      /* Exactly the ratio, in integers. */
      g_assert_cmpint ((gint64) cw * cases[i].rh, ==, (gint64) ch * cases[i].rw);
      g_assert_cmpint (cw, <=, cases[i].sw);
      g_assert_cmpint (ch, <=, cases[i].sh);
    }
}

static void
test_crop_never_upscales (void)
{
  int w, h;

  vetter_crop_output_size (3000, 3000, 1080, 1080, &w, &h);
  g_assert_cmpint (w, ==, 1080);
  g_assert_cmpint (h, ==, 1080);
  vetter_crop_output_size (600, 600, 1080, 1080, &w, &h);
  g_assert_cmpint (w, ==, 600);
  g_assert_cmpint (h, ==, 600);
  vetter_crop_output_size (180, 320, 1080, 1920, &w, &h);
  g_assert_cmpint (w, ==, 180);
  g_assert_cmpint (h, ==, 320);
}

/* A busy subject on a plain background, away from the centre: each crop
 * must keep it whole. */
static void
check_crop_follows (int subject_x,
                    int subject_y,
                    int ratio_w,
                    int ratio_h)
{
  g_autoptr(VetterPixels) pixels = test_flat (2400, 1600, 210, 215, 220);
  g_autoptr(VetterAnalysis) analysis = NULL;
  VetterRect rect;
  int cw, ch;

  test_paste_texture (pixels, subject_x, subject_y, 300, 300, 12);
  analysis = analyse (pixels, 90);
  vetter_crop_largest (ratio_w, ratio_h, 2400, 1600, &cw, &ch);
  rect = vetter_crop_place (analysis->saliency, analysis->saliency_width, analysis->saliency_height,
                            2400, 1600, NULL, cw, ch);
  g_assert_cmpint (rect.width, ==, cw);
  g_assert_cmpint (rect.height, ==, ch);
  g_assert_cmpint (rect.x, >=, 0);
  g_assert_cmpint (rect.y, >=, 0);
  g_assert_cmpint (rect.x + rect.width, <=, 2400);
  g_assert_cmpint (rect.y + rect.height, <=, 1600);
  if (!(rect.x <= subject_x && rect.x + rect.width >= subject_x + 300 &&
        rect.y <= subject_y && rect.y + rect.height >= subject_y + 300))
    g_error ("%d:%d crop %d,%d %dx%d misses the subject at %d,%d", ratio_w, ratio_h,
             rect.x, rect.y, rect.width, rect.height, subject_x, subject_y);
}

static void
test_crop_follows_content (void)
{
  check_crop_follows (100, 650, 1, 1);      /* far left */
  check_crop_follows (2000, 650, 1, 1);     /* far right */
  check_crop_follows (1900, 100, 9, 16);    /* top right, tall crop */
  check_crop_follows (50, 1250, 9, 16);     /* bottom left */
}

static void
test_crop_centres_without_subject (void)
{
  g_autoptr(VetterPixels) pixels = test_textured (2400, 1600, 13);
  g_autoptr(VetterAnalysis) analysis = analyse (pixels, 90);
  VetterRect rect = vetter_crop_place (analysis->saliency, analysis->saliency_width, analysis->saliency_height,
                                       2400, 1600, NULL, 1600, 1600);

  g_assert_cmpint (ABS (rect.x - 400), <=, 60);
}


/* The first and last rows of a crop are picture, not a black bar. */
static void
assert_edges_are_picture (const VetterPixels *pixels)
{
  for (int edge = 0; edge < 2; edge++)
    {
      const guint8 *row = vetter_pixels_row (pixels, edge ? pixels->height - 1 : 0);
      double sum = 0;

      for (int x = 0; x < pixels->width * 3; x++)
        sum += row[x];
      g_assert_cmpfloat (sum / (pixels->width * 3), >, 30);
    }
}

/* A letterboxed photo's crops are cut from the photo: not one row of
 * them is bar, whatever the ratio, all the way through the pipeline. */
static void
test_crops_leave_the_bars_out (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autoptr(VetterPixels) pixels = test_textured (1600, 1200, 21);
  g_autoptr(VetterConfig) config = vetter_config_new ();
  g_autoptr(VetterImageResult) result = NULL;
  g_autofree char *source = NULL;
  VetterImageJob job = { 1, 1, 1, NULL, dir };
  guint crops = 0;

  test_fill (pixels, 0, 0, 1600, 150, 0, 0, 0);
  test_fill (pixels, 0, 1050, 1600, 150, 0, 0, 0);
  source = test_write_jpeg (pixels, dir, "letterboxed.jpg", 92);
  job.location = source;
  result = vetter_pipeline_run (&job, config, NULL, NULL, NULL);
  g_assert_true (result->ok);
  g_assert_cmpint (result->analysis->content.y, >=, 144);
  g_assert_cmpint (result->analysis->content.y + result->analysis->content.height, <=, 1056);

  for (guint i = 0; i < result->variants->len; i++)
    {
      const VetterVariantRecord *variant = g_ptr_array_index (result->variants, i);
      g_autofree char *data = NULL;
      gsize length;
      g_autoptr(VetterDecoded) decoded = NULL;

      if (variant->kind != VETTER_VARIANT_SQUARE && variant->kind != VETTER_VARIANT_PORTRAIT &&
          variant->kind != VETTER_VARIANT_LANDSCAPE)
        continue;
      crops++;
      g_assert_true (g_file_get_contents (variant->path, &data, &length, NULL));
      decoded = vetter_decode ((const guint8 *) data, length, G_MAXINT64, 0, NULL);
      g_assert_nonnull (decoded);
      assert_edges_are_picture (decoded->pixels);
    }
  g_assert_cmpuint (crops, ==, 3);
  test_remove_tree (dir);
}

static void
test_resample_keeps_colour (void)
{
  g_autoptr(VetterPixels) pixels = test_flat (1000, 700, 12, 200, 99);
  g_autoptr(VetterPixels) small = vetter_resample (pixels, NULL, 97, 61);
  VetterRect region = { 100, 100, 300, 300 };
  g_autoptr(VetterPixels) crop = vetter_resample (pixels, &region, 300, 300);

  for (int y = 0; y < small->height; y++)
    for (int x = 0; x < small->width; x++)
      {
        const guint8 *p = vetter_pixels_row (small, y) + x * 3;
        g_assert_cmpint (p[0], ==, 12);
        g_assert_cmpint (p[1], ==, 200);
        g_assert_cmpint (p[2], ==, 99);
      }
  g_assert_cmpint (crop->width, ==, 300);
  g_assert_cmpint (vetter_pixels_row (crop, 150)[150 * 3 + 1], ==, 200);
}

static void
test_resample_is_area_correct (void)
{
  /* A one-pixel checkerboard shrunk 8 times must be flat grey, not a
   * moiré of black and white. */
  g_autoptr(VetterPixels) pixels = vetter_pixels_new (800, 800);
  g_autoptr(VetterPixels) small = NULL;

  for (int y = 0; y < 800; y++)
    for (int x = 0; x < 800; x++)
      {
        guint8 v = ((x + y) & 1) ? 255 : 0;
        guint8 *p = vetter_pixels_row (pixels, y) + x * 3;
        p[0] = p[1] = p[2] = v;
      }
  small = vetter_resample (pixels, NULL, 100, 100);
  for (int y = 0; y < 100; y++)
    for (int x = 0; x < 100; x++)
      g_assert_cmpint (ABS (vetter_pixels_row (small, y)[x * 3] - 128), <=, 3);
}

/* The wide-vector path and the portable one compute the same integers:
 * widths that leave every remainder of the vector loops (four pixels a
 * step, then two, then one), and reductions of one to many groups of four
 * taps. */
static void
test_resample_paths_agree (void)
{
  g_autoptr(VetterPixels) pixels = test_textured (1301, 977, 21);
  VetterRect region = { 117, 31, 1003, 901 };
  int sizes[][2] = { { 640, 575 }, { 1003, 901 }, { 502, 450 }, { 333, 299 }, { 17, 15 }, { 7, 6 }, { 6, 5 },
                     { 2, 2 }, { 1, 1 } };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(VetterPixels) wide = NULL;
      g_autoptr(VetterPixels) narrow = NULL;

      g_unsetenv ("VETTER_NO_AVX2");
      wide = vetter_resample (pixels, &region, sizes[i][0], sizes[i][1]);
      g_setenv ("VETTER_NO_AVX2", "1", TRUE);
      narrow = vetter_resample (pixels, &region, sizes[i][0], sizes[i][1]);
      g_unsetenv ("VETTER_NO_AVX2");
      for (int y = 0; y < wide->height; y++)
        g_assert_cmpmem (vetter_pixels_row (wide, y), wide->width * 3, vetter_pixels_row (narrow, y), narrow->width * 3);
    }
}

/* Mean and largest difference of two images of one size, per channel. */
static void
compare_pixels (const VetterPixels *a,
                const VetterPixels *b,
                double             *mean,
                int                *largest)
{
  double sum = 0;

  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpint (a->height, ==, b->height);
  *largest = 0;
  for (int y = 0; y < a->height; y++)
    for (int x = 0; x < a->width * 3; x++)
      {
        int d = ABS (vetter_pixels_row (a, y)[x] - vetter_pixels_row (b, y)[x]);

        sum += d;
        *largest = MAX (*largest, d);
      }
  *mean = sum / ((double) a->width * a->height * 3);
}

static VetterPixels *
shrink_by_rows (const VetterPixels *pixels,
                int                 width,
                int                 height)
{
  VetterShrinker *shrinker = vetter_shrinker_new (pixels->width, pixels->height, width, height);

  for (int y = 0; y < pixels->height; y++)
    vetter_shrinker_push_row (shrinker, vetter_pixels_row (pixels, y));
  return vetter_shrinker_finish (shrinker);
}

/* The box (area) filter, computed plainly: each output pixel the mean of
 * the input area it covers, edge pixels by the fraction covered. */
static VetterPixels *
box_reference (const VetterPixels *src,
               int                 width,
               int                 height)
{
  VetterPixels *out = vetter_pixels_new (width, height);
  double rx = (double) src->width / width, ry = (double) src->height / height;

  for (int oy = 0; oy < height; oy++)
    for (int ox = 0; ox < width; ox++)
      {
        double sum[3] = { 0, 0, 0 }, total = 0;

        for (int y = (int) (oy * ry); y < MIN (src->height, (int) ceil ((oy + 1) * ry)); y++)
          {
            double wy = MIN (y + 1.0, (oy + 1) * ry) - MAX ((double) y, oy * ry);

            for (int x = (int) (ox * rx); x < MIN (src->width, (int) ceil ((ox + 1) * rx)); x++)
              {
                double w = wy * (MIN (x + 1.0, (ox + 1) * rx) - MAX ((double) x, ox * rx));
                const guint8 *p = vetter_pixels_row (src, y) + x * 3;

                if (w <= 0)
                  continue;
                for (int c = 0; c < 3; c++)
                  sum[c] += p[c] * w;
                total += w;
              }
          }
        for (int c = 0; c < 3; c++)
          vetter_pixels_row (out, oy)[ox * 3 + c] = (guint8) (sum[c] / total + 0.5);
      }
  return out;
}

/* Shrinking rows as they come is the area filter of the whole image: a
 * flat colour stays exactly itself, a texture within rounding, at scales
 * from nearly one to an eighth; at one half, the pyramid's halving. */
static void
test_shrinker_is_the_area_filter (void)
{
  g_autoptr(VetterPixels) texture = test_textured (601, 443, 7);
  g_autoptr(VetterPixels) flat = test_flat (601, 443, 200, 90, 13);
  g_autoptr(VetterPixels) even = test_textured (640, 480, 9);
  g_autoptr(VetterPixels) halved = vetter_pixels_halve (even);
  g_autoptr(VetterPixels) half_rows = NULL;
  int sizes[][2] = { { 600, 442 }, { 385, 277 }, { 300, 221 }, { 76, 56 } };
  double mean;
  int largest;

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(VetterPixels) rows = shrink_by_rows (texture, sizes[i][0], sizes[i][1]);
      g_autoptr(VetterPixels) box = box_reference (texture, sizes[i][0], sizes[i][1]);
      g_autoptr(VetterPixels) flat_rows = shrink_by_rows (flat, sizes[i][0], sizes[i][1]);

      compare_pixels (rows, box, &mean, &largest);
      g_test_message ("%d×%d: mean difference %.3f, largest %d", sizes[i][0], sizes[i][1], mean, largest);
      g_assert_cmpfloat (mean, <, 0.3);
      g_assert_cmpint (largest, <=, 2);
      for (int y = 0; y < flat_rows->height; y++)
        for (int x = 0; x < flat_rows->width; x++)
          {
            const guint8 *p = vetter_pixels_row (flat_rows, y) + x * 3;

            g_assert_cmpint (p[0], ==, 200);
            g_assert_cmpint (p[1], ==, 90);
            g_assert_cmpint (p[2], ==, 13);
          }
    }
  half_rows = shrink_by_rows (even, 320, 240);
  compare_pixels (half_rows, halved, &mean, &largest);
  g_assert_cmpint (largest, <=, 1);
}

/* Halving averages each 2×2 block (rows first, rounding half up; then the
 * two pixels, rounding down), drops an odd last row or column, and keeps a
 * one-pixel-wide or one-pixel-high image whole along that side. */
static void
test_halve_averages_blocks (void)
{
  int sizes[][2] = { { 640, 480 }, { 601, 443 }, { 7, 5 }, { 2, 2 }, { 1, 9 }, { 9, 1 }, { 1, 1 } };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(VetterPixels) pixels = test_textured (sizes[i][0], sizes[i][1], 3 + i);
      g_autoptr(VetterPixels) half = vetter_pixels_halve (pixels);

      g_assert_cmpint (half->width, ==, MAX (1, sizes[i][0] / 2));
      g_assert_cmpint (half->height, ==, MAX (1, sizes[i][1] / 2));
      for (int y = 0; y < half->height; y++)
        for (int x = 0; x < half->width; x++)
          for (int c = 0; c < 3; c++)
            {
              int y0 = MIN (2 * y, pixels->height - 1), y1 = MIN (2 * y + 1, pixels->height - 1);
              int x0 = MIN (2 * x, pixels->width - 1), x1 = MIN (2 * x + 1, pixels->width - 1);
              int left = (vetter_pixels_row (pixels, y0)[x0 * 3 + c] + vetter_pixels_row (pixels, y1)[x0 * 3 + c] + 1) >> 1;
              int right = (vetter_pixels_row (pixels, y0)[x1 * 3 + c] + vetter_pixels_row (pixels, y1)[x1 * 3 + c] + 1) >> 1;

              g_assert_cmpint (vetter_pixels_row (half, y)[x * 3 + c], ==, (left + right) >> 1);
            }
    }
}

/* A quarter-size level is the rounded mean of each 4×4 block, the last
 * rows and columns that make no whole block dropped; an image too small
 * for one block is halved twice. */
static void
test_quarter_averages_blocks (void)
{
  int sizes[][2] = { { 640, 480 }, { 603, 445 }, { 13, 9 }, { 4, 4 }, { 7, 3 }, { 2, 9 }, { 1, 1 } };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(VetterPixels) pixels = test_textured (sizes[i][0], sizes[i][1], 11 + i);
      g_autoptr(VetterPixels) quarter = vetter_pixels_quarter (pixels);

      if (sizes[i][0] < 4 || sizes[i][1] < 4)
        {
          g_autoptr(VetterPixels) half = vetter_pixels_halve (pixels);
          g_autoptr(VetterPixels) twice = vetter_pixels_halve (half);

          g_assert_cmpint (quarter->width, ==, twice->width);
          g_assert_cmpint (quarter->height, ==, twice->height);
          for (int y = 0; y < twice->height; y++)
            g_assert_cmpmem (vetter_pixels_row (quarter, y), quarter->width * 3, vetter_pixels_row (twice, y),
                             twice->width * 3);
          continue;
        }
      g_assert_cmpint (quarter->width, ==, sizes[i][0] / 4);
      g_assert_cmpint (quarter->height, ==, sizes[i][1] / 4);
      for (int y = 0; y < quarter->height; y++)
        for (int x = 0; x < quarter->width; x++)
          for (int c = 0; c < 3; c++)
            {
              int sum = 0;

              for (int dy = 0; dy < 4; dy++)
                for (int dx = 0; dx < 4; dx++)
                  sum += vetter_pixels_row (pixels, 4 * y + dy)[(4 * x + dx) * 3 + c];
              g_assert_cmpint (vetter_pixels_row (quarter, y)[x * 3 + c], ==, (sum + 8) / 16);
            }
    }
}

/* The shrinker's wide-vector path and its portable one compute the same
 * integers, narrow rows (shorter than a vector load) included. */
static void
test_shrinker_paths_agree (void)
{
  int sizes[][4] = { { 601, 443, 600, 442 }, { 601, 443, 385, 277 }, { 601, 443, 76, 56 },
                     { 1301, 977, 1003, 901 }, { 5, 7, 3, 4 }, { 9, 2, 2, 1 }, { 2, 2, 1, 1 } };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(VetterPixels) pixels = test_textured (sizes[i][0], sizes[i][1], 5 + i);
      g_autoptr(VetterPixels) wide = NULL;
      g_autoptr(VetterPixels) narrow = NULL;

      g_unsetenv ("VETTER_NO_AVX2");
      wide = shrink_by_rows (pixels, sizes[i][2], sizes[i][3]);
      g_setenv ("VETTER_NO_AVX2", "1", TRUE);
      narrow = shrink_by_rows (pixels, sizes[i][2], sizes[i][3]);
      g_unsetenv ("VETTER_NO_AVX2");
      for (int y = 0; y < wide->height; y++)
        g_assert_cmpmem (vetter_pixels_row (wide, y), wide->width * 3, vetter_pixels_row (narrow, y), narrow->width * 3);
    }
}

static gboolean
collect_row (const guint8 *rgb,
             int           width,
             gpointer      user_data,
             GError      **error)
{
  VetterJpegWriter *writer = user_data;

  return vetter_jpeg_writer_write_row (writer, rgb, error);
}

/* A JPEG decoded a row at a time: each row goes out as the whole decode
 * has it (a JPEG written from them is byte for byte the one written from
 * the whole image), and what is kept is the whole image shrunk. */
static void
test_jpeg_rows_are_the_whole_decode (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autoptr(VetterPixels) pixels = test_textured (1500, 1100, 3);
  g_autofree char *source = test_write_jpeg (pixels, dir, "source.jpg", 90);
  g_autofree char *from_rows = g_build_filename (dir, "rows.jpg", NULL);
  g_autofree char *from_whole = g_build_filename (dir, "whole.jpg", NULL);
  g_autofree char *data = NULL, *a = NULL, *b = NULL;
  gsize length, a_length, b_length;
  g_autoptr(VetterDecoded) whole = NULL;
  g_autoptr(VetterDecoded) streamed = NULL;
  g_autoptr(VetterPixels) shrunk = NULL;
  g_autoptr(GError) error = NULL;
  VetterJpegWriter *writer;
  gboolean as_stored;
  int width, height, largest;
  double mean;

  g_assert_true (g_file_get_contents (source, &data, &length, NULL));
  g_assert_true (vetter_jpeg_peek ((const guint8 *) data, length, &width, &height, &as_stored));
  g_assert_cmpint (width, ==, 1500);
  g_assert_cmpint (height, ==, 1100);
  g_assert_true (as_stored);

  writer = vetter_jpeg_writer_new (from_rows, width, height, 50, &error);
  g_assert_no_error (error);
  streamed = vetter_decode_jpeg_rows ((const guint8 *) data, length, G_MAXINT64, 900, 660, collect_row, writer, &error);
  g_assert_no_error (error);
  g_assert_true (vetter_jpeg_writer_finish (writer, NULL, &error));
  g_assert_cmpint (streamed->width, ==, 1500);
  g_assert_cmpint (streamed->pixels->width, ==, 900);
  g_assert_cmpint (streamed->pixels->height, ==, 660);
  g_assert_cmpint (streamed->jpeg_quality, >=, 85);

  whole = vetter_decode ((const guint8 *) data, length, G_MAXINT64, 0, &error);
  g_assert_no_error (error);
  g_assert_true (vetter_encode_jpeg_file (whole->pixels, 50, from_whole, NULL, &error));
  g_assert_true (g_file_get_contents (from_rows, &a, &a_length, NULL));
  g_assert_true (g_file_get_contents (from_whole, &b, &b_length, NULL));
  g_assert_cmpmem (a, a_length, b, b_length);

  shrunk = box_reference (whole->pixels, 900, 660);
  compare_pixels (streamed->pixels, shrunk, &mean, &largest);
  g_assert_cmpfloat (mean, <, 0.3);

  /* A file cut short fails as the whole decode does, leaving no file. */
  writer = vetter_jpeg_writer_new (from_rows, width, height, 50, &error);
  g_assert_null (vetter_decode_jpeg_rows ((const guint8 *) data, length / 2, G_MAXINT64, 900, 660, collect_row,
                                          writer, &error));
  g_assert_error (error, VETTER_ERROR, VETTER_ERROR_DECODE);
  vetter_jpeg_writer_abort (writer);
  test_remove_tree (dir);
}

/* A large photograph goes through the pipeline a row at a time (shrunk
 * as far as its crops allow): its compressed original is the one the
 * whole image makes, its thumbnail and crops are those of the whole image
 * within rounding. With bars above and below (the content smaller than
 * the image), the crops still come out sharp and bar-free. */
/* An item redone after a run was killed while encoding: what that run
 * left half-written in the item's folder goes, anything else stays, and
 * the variants are whole. */
static void
test_pipeline_removes_half_written_variants (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autoptr(VetterConfig) config = vetter_config_new ();
  g_autoptr(VetterPixels) pixels = test_textured (800, 600, 3);
  g_autofree char *source = test_write_jpeg (pixels, dir, "ad.jpg", 90);
  g_autofree char *item_dir = g_build_filename (dir, "7", NULL);
  g_autofree char *half = g_build_filename (item_dir, "square.jpg" VETTER_WHOLE_FILE_SUFFIX, NULL);
  g_autofree char *other = g_build_filename (item_dir, "notes.jpg.txt", NULL);
  g_autoptr(VetterImageResult) result = NULL;
  VetterImageJob job = { 1, 7, 1, source, dir };

  g_assert_cmpint (g_mkdir_with_parents (item_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (half, "half", -1, NULL));
  g_assert_true (g_file_set_contents (other, "kept", -1, NULL));
  result = vetter_pipeline_run (&job, config, NULL, NULL, NULL);
  g_assert_true (result->ok);
  g_assert_false (g_file_test (half, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS));
  for (guint i = 0; i < result->variants->len; i++)
    g_assert_true (g_file_test (((VetterVariantRecord *) g_ptr_array_index (result->variants, i))->path,
                                G_FILE_TEST_IS_REGULAR));
  test_remove_tree (dir);
}

static void
test_large_jpeg_through_the_pipeline (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autoptr(VetterConfig) config = vetter_config_new ();

  for (guint bars = 0; bars < 2; bars++)
    {
      g_autoptr(VetterPixels) pixels = test_textured (3600, 2400, 5 + bars);
      g_autofree char *name = g_strdup_printf ("large-%u.jpg", bars);
      g_autofree char *source = NULL;
      g_autofree char *data = NULL;
      g_autoptr(VetterImageResult) result = NULL;
      g_autoptr(VetterDecoded) whole = NULL;
      VetterImageJob job = { bars + 1, 1, 1, NULL, dir };
      gsize length;

      if (bars)
        {
          test_fill (pixels, 0, 0, 3600, 300, 0, 0, 0);
          test_fill (pixels, 0, 2100, 3600, 300, 0, 0, 0);
        }
      source = test_write_jpeg (pixels, dir, name, 90);
      g_assert_true (g_file_get_contents (source, &data, &length, NULL));
      whole = vetter_decode ((const guint8 *) data, length, G_MAXINT64, 0, NULL);
      job.location = source;
      result = vetter_pipeline_run (&job, config, NULL, NULL, NULL);
      g_assert_true (result->ok);
      g_assert_cmpint (result->width, ==, 3600);
      g_assert_cmpint (result->height, ==, 2400);

      for (guint i = 0; i < result->variants->len; i++)
        {
          const VetterVariantRecord *variant = g_ptr_array_index (result->variants, i);
          g_autofree char *out = NULL;
          gsize out_length;
          g_autoptr(VetterDecoded) decoded = NULL;

          g_assert_true (g_file_get_contents (variant->path, &out, &out_length, NULL));
          decoded = vetter_decode ((const guint8 *) out, out_length, G_MAXINT64, 0, NULL);
          g_assert_cmpint (decoded->width, ==, variant->width);
          if (variant->kind == VETTER_VARIANT_COMPRESSED)
            {
              g_autofree char *again = g_build_filename (dir, "again.jpg", NULL);
              g_autofree char *expected = NULL;
              gsize expected_length;

              g_assert_true (vetter_encode_jpeg_file (whole->pixels, variant->quality, again, NULL, NULL));
              g_assert_true (g_file_get_contents (again, &expected, &expected_length, NULL));
              g_assert_cmpmem (out, out_length, expected, expected_length);
            }
          else if (variant->kind == VETTER_VARIANT_THUMB)
            {
              /* Filters differ in how they shrink a fine texture: the
               * picture at a coarse scale is the same, not shifted. */
              VetterRect all = { 0, 0, 3600, 2400 };
              VetterRect thumb = { 0, 0, decoded->width, decoded->height };
              g_autoptr(VetterPixels) reference = vetter_resample (whole->pixels, &all, 60, 40);
              g_autoptr(VetterPixels) coarse = vetter_resample (decoded->pixels, &thumb, 60, 40);
              double mean;
              int largest;

              compare_pixels (coarse, reference, &mean, &largest);
              g_test_message ("thumbnail at 60×40: mean difference %.2f", mean);
              g_assert_cmpfloat (mean, <, 3.0);
            }
          else if (bars)
            assert_edges_are_picture (decoded->pixels);
          if (variant->kind == VETTER_VARIANT_PORTRAIT && bars)
            {
              /* Cut at its full size (the content is 1,800 high, less the
               * bars' edges), from the whole image decoded again. */
              g_assert_cmpint (variant->width, >=, 1000);
              g_assert_cmpint (variant->width, <=, 1012);
            }
        }
    }
  test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/analysis/clean-image", test_clean_image);
  g_test_add_func ("/analysis/blurred-half", test_blurred_half);
  g_test_add_func ("/analysis/blurred-whole", test_blurred_whole);
  g_test_add_func ("/analysis/flat-image-is-not-blurry", test_flat_image_is_not_blurry);
  g_test_add_func ("/analysis/clipped-region", test_clipped_region);
  g_test_add_func ("/analysis/underexposed", test_underexposed);
  g_test_add_func ("/analysis/letterbox", test_letterbox);
  g_test_add_func ("/analysis/bars-on-four-sides", test_bars_on_four_sides);
  g_test_add_func ("/analysis/product-on-white-is-not-letterboxed", test_product_on_white_is_not_letterboxed);
  g_test_add_func ("/analysis/gradient-is-not-letterboxed", test_gradient_is_not_letterboxed);
  g_test_add_func ("/analysis/shape-defects", test_shape_defects);
  g_test_add_func ("/analysis/colours", test_colours);
  g_test_add_func ("/analysis/phash-near-duplicate", test_phash_near_duplicate);
  g_test_add_func ("/analysis/phash-string", test_phash_string);
  g_test_add_func ("/crop/exact-ratios", test_crop_exact_ratios);
  g_test_add_func ("/crop/never-upscales", test_crop_never_upscales);
  g_test_add_func ("/crop/follows-content", test_crop_follows_content);
  g_test_add_func ("/crop/centres-without-subject", test_crop_centres_without_subject);
  g_test_add_func ("/crop/leaves-the-bars-out", test_crops_leave_the_bars_out);
  g_test_add_func ("/resample/keeps-colour", test_resample_keeps_colour);
  g_test_add_func ("/resample/area-correct", test_resample_is_area_correct);
  g_test_add_func ("/analysis/whole-image-measures", test_whole_image_measures);
  g_test_add_func ("/resample/paths-agree", test_resample_paths_agree);
  g_test_add_func ("/resample/shrinker-is-the-area-filter", test_shrinker_is_the_area_filter);
  g_test_add_func ("/resample/shrinker-paths-agree", test_shrinker_paths_agree);
  g_test_add_func ("/resample/halve-averages-blocks", test_halve_averages_blocks);
  g_test_add_func ("/resample/quarter-averages-blocks", test_quarter_averages_blocks);
  g_test_add_func ("/pipeline/jpeg-rows-are-the-whole-decode", test_jpeg_rows_are_the_whole_decode);
  g_test_add_func ("/pipeline/large-jpeg-through-the-pipeline", test_large_jpeg_through_the_pipeline);
  g_test_add_func ("/pipeline/removes-half-written-variants", test_pipeline_removes_half_written_variants);

  return g_test_run ();
}
