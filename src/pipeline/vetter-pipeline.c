/* vetter-pipeline.c: everything done to one image, on a worker thread
 *
 * fetch → decode once → analyse a small copy → cut and encode the variants.
 * Each step is timed and recorded, and a failure stops the image with the
 * step's name and reason; the pipeline never touches the database or the
 * UI, it only returns what it found.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-pipeline"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "vetter-crop.h"
#include "vetter-decode.h"
#include "vetter-digest.h"
#include "vetter-encode.h"
#include "vetter-fetch.h"
#include "vetter-imagga.h"
#include "vetter-pipeline.h"
#include "vetter-resample.h"
#include "vetter-whole-file.h"

void
vetter_image_job_free (VetterImageJob *job)
{
  if (job == NULL)
    return;
  g_free (job->location);
  g_free (job->output_dir);
  g_free (job);
}

static void
step_record_free (VetterStepRecord *step)
{
  g_free (step->name);
  g_free (step->error);
  g_free (step);
}

static void
variant_record_free (VetterVariantRecord *variant)
{
  g_free (variant->path);
  g_free (variant);
}

void
vetter_image_result_free (VetterImageResult *result)
{
  if (result == NULL)
    return;
  g_free (result->error);
  g_free (result->sha256);
  g_free (result->format);
  vetter_analysis_free (result->analysis);
  g_clear_pointer (&result->variants, g_ptr_array_unref);
  g_clear_pointer (&result->steps, g_ptr_array_unref);
  g_clear_pointer (&result->tags, g_ptr_array_unref);
  g_free (result);
}

char *
vetter_variant_path (const char        *output_dir,
                     gint64             item_id,
                     int                position,
                     VetterVariantKind  kind)
{
  g_autofree char *item_dir = g_strdup_printf ("%" G_GINT64_FORMAT, item_id);
  g_autofree char *name = g_strdup_printf ("%d-%s.jpg", position, vetter_variant_kind_to_string (kind));

  return g_build_filename (output_dir, item_dir, name, NULL);
}

typedef struct
{
  VetterImageResult *result;
  VetterStepRecord  *current;
  gint64             started_mono;
} Steps;

static void
step_begin (Steps                *steps,
            const VetterImageJob *job,
            const char           *name,
            VetterStepFunc        on_step,
            gpointer              user_data)
{
  VetterStepRecord *step = g_new0 (VetterStepRecord, 1);

  step->name = g_strdup (name);
  step->started = g_get_real_time ();
  steps->started_mono = g_get_monotonic_time ();
  steps->current = step;
  g_ptr_array_add (steps->result->steps, step);
  if (on_step)
    on_step (job, name, user_data);
}

/* A failed step fails the image, unless it is @optional: then only the
 * step's record says what went wrong. */
static void
step_end_full (Steps        *steps,
               const GError *error,
               gboolean      optional)
{
  VetterStepRecord *step = steps->current;

  step->duration = g_get_monotonic_time () - steps->started_mono;
  step->ok = error == NULL;
  if (error && optional)
    step->error = g_strdup (error->message);
  else if (error)
    {
      step->error = g_strdup (error->message);
      steps->result->ok = FALSE;
      steps->result->error = g_strdup (error->message);
      steps->result->error_code = error->domain == VETTER_ERROR ? error->code : VETTER_ERROR_FAILED;
    }
}

static void
step_end (Steps        *steps,
          const GError *error)
{
  step_end_full (steps, error, FALSE);
}

/* The decoded image at full, half and quarter size, the smaller ones
 * averaged from the larger when first needed: the quarter straight from
 * the first level when the half is not made (a large photograph's
 * analysis and thumbnail need only the quarter). Each output is cut from
 * the smallest level that still has at least the output's resolution, so
 * the general filter never reads more pixels than it must. Regions are
 * given in the source's pixels: the first level is the source itself, or
 * (a large JPEG decoded a row at a time) the source already shrunk as far
 * as every output allows. */
#define PYRAMID_LEVELS 3

typedef struct
{
  VetterPixels *levels[PYRAMID_LEVELS];   /* [0] is borrowed: the decoded image; NULL: not made */
  int           width;       /* the source's */
  int           height;
  double        sx, sy;      /* level 0's pixels per source pixel */
} Pyramid;

static void
pyramid_init (Pyramid      *pyramid,
              VetterPixels *first,
              int           source_width,
              int           source_height)
{
  memset (pyramid, 0, sizeof *pyramid);
  pyramid->levels[0] = first;
  pyramid->width = source_width;
  pyramid->height = source_height;
  pyramid->sx = (double) first->width / source_width;
  pyramid->sy = (double) first->height / source_height;
}

static void
pyramid_clear (Pyramid *pyramid)
{
  for (int i = 1; i < PYRAMID_LEVELS; i++)
    g_clear_pointer (&pyramid->levels[i], vetter_pixels_free);
}

/* Whether level 0 has the resolution an output of @out_width from
 * @region_width source pixels needs. */
static gboolean
pyramid_sharp_enough (const Pyramid *pyramid,
                      int            out_width,
                      double         region_width)
{
  return out_width <= region_width * pyramid->sx * 1.01;
}

static const VetterPixels *
pyramid_make (Pyramid *pyramid,
              int      level)
{
  if (pyramid->levels[level] == NULL)
    {
      if (level == 1)
        pyramid->levels[1] = vetter_pixels_halve (pyramid->levels[0]);
      else if (pyramid->levels[1] != NULL)
        pyramid->levels[2] = vetter_pixels_halve (pyramid->levels[1]);
      else
        pyramid->levels[2] = vetter_pixels_quarter (pyramid->levels[0]);
    }
  return pyramid->levels[level];
}

/* @needed: output size over level 0's size of the same region, at most 1.
 * A level is used only if the one above it is at least 4 pixels a side,
 * so a smaller one is a true average. */
static const VetterPixels *
pyramid_level (Pyramid *pyramid,
               double   needed,
               double  *scale)
{
  const VetterPixels *first = pyramid->levels[0];
  const VetterPixels *chosen;
  int level = 0;

  while (level + 1 < PYRAMID_LEVELS && needed <= 0.5 / (1 << level) &&
         first->width >> level >= 4 && first->height >> level >= 4)
    level++;
  chosen = level == 0 ? first : pyramid_make (pyramid, level);
  *scale = (double) chosen->width / first->width;
  return chosen;
}

/* Where an output of @region (in source pixels) at @out_w × @out_h comes
 * from: the smallest pyramid level that has its resolution, the region in
 * that level's pixels, and whether the level holds it at the output's own
 * size (within a pixel over its whole width and height: a crop that set
 * how far a large JPEG was shrunk, or an exact halving). Such a region is
 * taken as it is: filtering it would only blur it by a fraction of a
 * pixel, at the cost of the most expensive pass there is. */
typedef struct
{
  const VetterPixels *level;
  double              x, y, w, h;
  gboolean            as_is;
  VetterRect          view;
} Placed;

static void
place_region (Pyramid          *pyramid,
              const VetterRect *region,
              int               out_w,
              int               out_h,
              Placed           *placed)
{
  double scale;

  placed->w = region->width * pyramid->sx;
  placed->h = region->height * pyramid->sy;
  placed->level = pyramid_level (pyramid, MIN (1.0, out_w / placed->w), &scale);
  placed->x = region->x * pyramid->sx * scale;
  placed->y = region->y * pyramid->sy * scale;
  placed->w *= scale;
  placed->h *= scale;
  placed->as_is = fabs (placed->w - out_w) < 1.0 && fabs (placed->h - out_h) < 1.0 &&
                  out_w <= placed->level->width && out_h <= placed->level->height;
  if (placed->as_is)
    {
      placed->view.x = CLAMP ((int) lround (placed->x), 0, placed->level->width - out_w);
      placed->view.y = CLAMP ((int) lround (placed->y), 0, placed->level->height - out_h);
      placed->view.width = out_w;
      placed->view.height = out_h;
    }
}

/* @region (in source pixels) resampled to @out_w × @out_h: a new image, or
 * a view of a pyramid level, valid while the pyramid is. */
static VetterPixels *
resample_region (Pyramid          *pyramid,
                 const VetterRect *region,
                 int               out_w,
                 int               out_h)
{
  Placed placed;

  place_region (pyramid, region, out_w, out_h, &placed);
  if (placed.as_is)
    return vetter_pixels_view (placed.level, &placed.view);
  return vetter_resample_area (placed.level, placed.x, placed.y, placed.w, placed.h, out_w, out_h);
}

/* The same, handed to @row_func a row at a time: never held whole. */
static gboolean
resample_region_rows (Pyramid             *pyramid,
                      const VetterRect    *region,
                      int                  out_w,
                      int                  out_h,
                      VetterPixelRowFunc   row_func,
                      gpointer             user_data,
                      GError             **error)
{
  Placed placed;

  place_region (pyramid, region, out_w, out_h, &placed);
  if (!placed.as_is)
    return vetter_resample_area_rows (placed.level, placed.x, placed.y, placed.w, placed.h, out_w, out_h,
                                      row_func, user_data, error);
  for (int y = 0; y < out_h; y++)
    {
      const guint8 *row = vetter_pixels_row (placed.level, placed.view.y + y) + placed.view.x * 3;

      if (!row_func (row, out_w, user_data, error))
        return FALSE;
    }
  return TRUE;
}

/* The size of the whole image shrunk so its long side is at most
 * @long_side. */
static void
fit_size (const Pyramid *pyramid,
          int            long_side,
          int           *out_w,
          int           *out_h)
{
  int w = pyramid->width, h = pyramid->height;

  if (MAX (w, h) <= long_side)
    {
      *out_w = w;
      *out_h = h;
    }
  else
    {
      *out_w = w >= h ? long_side : MAX (1, (int) ((gint64) w * long_side / h));
      *out_h = w >= h ? MAX (1, (int) ((gint64) h * long_side / w)) : long_side;
    }
}

/* The whole image shrunk so its long side is at most @long_side. */
static VetterPixels *
fit_within (Pyramid *pyramid,
            int      long_side)
{
  VetterRect whole = { 0, 0, pyramid->width, pyramid->height };
  int out_w, out_h;

  fit_size (pyramid, long_side, &out_w, &out_h);
  return resample_region (pyramid, &whole, out_w, out_h);
}

/* Takes @path. */
static void
add_variant (VetterImageResult *result,
             VetterVariantKind  kind,
             char              *path,
             int                width,
             int                height,
             gint64             bytes,
             int                quality)
{
  VetterVariantRecord *record = g_new0 (VetterVariantRecord, 1);

  record->kind = kind;
  record->path = path;
  record->width = width;
  record->height = height;
  record->bytes = bytes;
  record->quality = quality;
  g_ptr_array_add (result->variants, record);
}

static gboolean
write_encoder_row (const guint8 *rgb,
                   int           width,
                   gpointer      user_data,
                   GError      **error)
{
  return vetter_jpeg_writer_write_row (user_data, rgb, error);
}

/* @region (in source pixels) written as @kind's file at @out_w × @out_h,
 * each row encoded as it is made: the output is never held whole. */
static gboolean
write_region (VetterImageResult    *result,
              const VetterImageJob *job,
              VetterVariantKind     kind,
              Pyramid              *pyramid,
              const VetterRect     *region,
              int                   out_w,
              int                   out_h,
              int                   quality,
              GError              **error)
{
  g_autofree char *path = vetter_variant_path (job->output_dir, job->item_id, job->position, kind);
  VetterJpegWriter *writer = vetter_jpeg_writer_new (path, out_w, out_h, quality, error);
  gint64 bytes = 0;

  if (writer == NULL)
    return FALSE;
  if (!resample_region_rows (pyramid, region, out_w, out_h, write_encoder_row, writer, error))
    {
      vetter_jpeg_writer_abort (writer);
      return FALSE;
    }
  if (!vetter_jpeg_writer_finish (writer, &bytes, error))
    return FALSE;
  add_variant (result, kind, g_steal_pointer (&path), out_w, out_h, bytes, quality);
  return TRUE;
}

/* A run killed while encoding leaves "<name>.jpg.XXXXXX" behind (see
 * vetter-whole-file.h); the item is redone, so its leftovers go. */
static void
remove_partial_files (const char *item_dir)
{
  g_autoptr(GDir) dir = g_dir_open (item_dir, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)))
    {
      const char *dot = strstr (name, ".jpg.");

      if (dot != NULL && strlen (dot) == strlen (".jpg" VETTER_WHOLE_FILE_SUFFIX))
        {
          g_autofree char *path = g_build_filename (item_dir, name, NULL);
          g_unlink (path);
        }
    }
}

/* A large JPEG is decoded a row at a time (see decode_streamed) when
 * every output allows: the whole image is never held, and the compressed
 * original is encoded from the rows as they come. */
typedef struct
{
  GBytes        *source;      /* the file, should a crop need the whole image after all */
  gint64         max_pixels;
  VetterDecoded *again;       /* the whole image, decoded then */
  gboolean       compressed_written;
} Streamed;

static gboolean
prepare_item_dir (const VetterImageJob  *job,
                  GError               **error)
{
  g_autofree char *item_name = g_strdup_printf ("%" G_GINT64_FORMAT, job->item_id);
  g_autofree char *item_dir = g_build_filename (job->output_dir, item_name, NULL);

  if (g_mkdir_with_parents (item_dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "cannot create %s: %s", item_dir, g_strerror (saved));
      return FALSE;
    }
  remove_partial_files (item_dir);
  return TRUE;
}

static gboolean
make_variants (VetterImageResult    *result,
               const VetterImageJob *job,
               const VetterConfig   *config,
               Pyramid              *pyramid,
               Streamed             *streamed,
               GError              **error)
{
  const VetterAnalysis *analysis = result->analysis;

  for (guint k = 0; k < VETTER_N_VARIANTS; k++)
    {
      const VetterVariantSpec *spec = &config->variants[k];
      VetterRect region = { 0, 0, pyramid->width, pyramid->height };
      int out_w, out_h;

      if (!spec->enabled)
        continue;

      switch ((VetterVariantKind) k)
        {
        case VETTER_VARIANT_COMPRESSED:
          /* Its own size: level 0 as it is, unless the decode wrote it. */
          if (streamed->compressed_written)
            continue;
          out_w = pyramid->width;
          out_h = pyramid->height;
          break;

        case VETTER_VARIANT_THUMB:
          fit_size (pyramid, spec->width, &out_w, &out_h);
          break;

        case VETTER_VARIANT_SQUARE:
        case VETTER_VARIANT_PORTRAIT:
        case VETTER_VARIANT_LANDSCAPE:
        default:
          {
            int crop_w, crop_h;

            vetter_crop_largest (spec->width, spec->height, analysis->content.width, analysis->content.height,
                                 &crop_w, &crop_h);
            region = vetter_crop_place (analysis->saliency, analysis->saliency_width, analysis->saliency_height,
                                        pyramid->width, pyramid->height, &analysis->content, crop_w, crop_h);
            vetter_crop_output_size (crop_w, crop_h, spec->width, spec->height, &out_w, &out_h);
            /* The content found is smaller than the image (a border): the
             * crop needs more than the shrunk image holds. */
            if (!pyramid_sharp_enough (pyramid, out_w, region.width) && streamed->source && !streamed->again)
              {
                gsize length;
                const guint8 *data = g_bytes_get_data (streamed->source, &length);

                streamed->again = vetter_decode (data, length, streamed->max_pixels, 0, error);
                if (streamed->again == NULL)
                  return FALSE;
                pyramid_clear (pyramid);
                pyramid_init (pyramid, streamed->again->pixels, pyramid->width, pyramid->height);
              }
          }
          break;
        }

      if (!write_region (result, job, k, pyramid, &region, out_w, out_h, spec->quality, error))
        return FALSE;
    }
  return TRUE;
}

/* Object tags for the rules, from the thumbnail just written (small, and
 * enough for a tagger). A tagger that fails leaves the image without
 * object tags, its step saying why; the image itself is fine. */
static void
tag (VetterImageResult    *result,
     const VetterImageJob *job,
     const VetterConfig   *config,
     Steps                *steps,
     VetterStepFunc        on_step,
     gpointer              user_data,
     GCancellable         *cancellable)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) jpeg = NULL;
  const char *thumb = NULL;

  for (guint i = 0; i < result->variants->len; i++)
    {
      const VetterVariantRecord *variant = g_ptr_array_index (result->variants, i);

      if (variant->kind == VETTER_VARIANT_THUMB)
        thumb = variant->path;
    }

  step_begin (steps, job, "tag", on_step, user_data);
  if (thumb == NULL)
    g_set_error_literal (&error, VETTER_ERROR, VETTER_ERROR_SYNC, "tagging sends the thumbnail, which is turned off");
  else
    {
      g_autoptr(GMappedFile) file = g_mapped_file_new (thumb, FALSE, &error);

      if (file)
        jpeg = g_mapped_file_get_bytes (file);
    }
  if (jpeg)
    result->tags = vetter_imagga_tag (config, jpeg, cancellable, &error);
  step_end_full (steps, error, TRUE);
}

/* How far a @width × @height image can be shrunk before anything is cut
 * from it: the largest scale any output needs (the crops, assuming the
 * content fills the image, the thumbnail and the analysis' copy). */
static double
scale_needed (const VetterConfig *config,
              int                 width,
              int                 height)
{
  double needed = (double) VETTER_ANALYSIS_SIZE / MAX (width, height);

  for (guint k = 0; k < VETTER_N_VARIANTS; k++)
    {
      const VetterVariantSpec *spec = &config->variants[k];
      int crop_w, crop_h, out_w, out_h;

      if (!spec->enabled || k == VETTER_VARIANT_COMPRESSED)
        continue;
      if (k == VETTER_VARIANT_THUMB)
        {
          needed = MAX (needed, (double) spec->width / MAX (width, height));
          continue;
        }
      vetter_crop_largest (spec->width, spec->height, width, height, &crop_w, &crop_h);
      vetter_crop_output_size (crop_w, crop_h, spec->width, spec->height, &out_w, &out_h);
      needed = MAX (needed, MAX ((double) out_w / crop_w, (double) out_h / crop_h));
    }
  return MIN (needed, 1.0);
}

/* Only what saves much: shrunk to at most this scale, and large; and not
 * below the shrinker's least scale. */
#define STREAM_MAX_SCALE 0.8
#define STREAM_MIN_SCALE 0.13
#define STREAM_MIN_PIXELS (4 * 1000 * 1000)

/* A large JPEG decoded a row at a time, the compressed original written
 * from its rows: NULL, without @error, when this image is not one for it
 * (small, turned by EXIF, CMYK, or an output needs nearly every pixel). */
static VetterDecoded *
decode_streamed (VetterImageResult    *result,
                 const VetterImageJob *job,
                 const VetterConfig   *config,
                 const guint8         *data,
                 gsize                 length,
                 Streamed             *streamed,
                 GError              **error)
{
  const VetterVariantSpec *compressed = &config->variants[VETTER_VARIANT_COMPRESSED];
  g_autofree char *path = NULL;
  VetterJpegWriter *writer = NULL;   /* the compressed original's, if it is made */
  VetterDecoded *decoded;
  gboolean rows_as_stored;
  int width, height;
  double scale;
  gint64 bytes = 0;

  if (!vetter_jpeg_peek (data, length, &width, &height, &rows_as_stored) || !rows_as_stored ||
      (gint64) width * height < STREAM_MIN_PIXELS ||
      (config->max_image_pixels > 0 && (gint64) width * height > config->max_image_pixels))
    return NULL;
  scale = scale_needed (config, width, height);
  if (scale > STREAM_MAX_SCALE || scale < STREAM_MIN_SCALE || !prepare_item_dir (job, NULL))
    return NULL;

  if (compressed->enabled)
    {
      path = vetter_variant_path (job->output_dir, job->item_id, job->position, VETTER_VARIANT_COMPRESSED);
      writer = vetter_jpeg_writer_new (path, width, height, compressed->quality, error);
      if (writer == NULL)
        return NULL;
    }
  decoded = vetter_decode_jpeg_rows (data, length, config->max_image_pixels,
                                     MAX (1, (int) ceil (width * scale)), MAX (1, (int) ceil (height * scale)),
                                     writer ? write_encoder_row : NULL, writer, error);
  if (decoded == NULL)
    {
      vetter_jpeg_writer_abort (writer);
      return NULL;
    }
  if (writer)
    {
      if (!vetter_jpeg_writer_finish (writer, &bytes, error))
        {
          vetter_decoded_free (decoded);
          return NULL;
        }
      add_variant (result, VETTER_VARIANT_COMPRESSED, g_steal_pointer (&path), width, height, bytes,
                   compressed->quality);
      streamed->compressed_written = TRUE;
    }
  return decoded;
}

VetterImageResult *
vetter_pipeline_run (const VetterImageJob *job,
                     const VetterConfig   *config,
                     VetterStepFunc        on_step,
                     gpointer              user_data,
                     GCancellable         *cancellable)
{
  VetterImageResult *result = g_new0 (VetterImageResult, 1);
  Steps steps = { result, NULL, 0 };
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(VetterDecoded) decoded = NULL;
  g_autoptr(VetterPixels) small = NULL;
  g_autoptr(GError) error = NULL;
  Streamed streamed = { NULL, config->max_image_pixels, NULL, FALSE };
  Pyramid pyramid;
  gsize length = 0;
  const guint8 *data;

  result->image_id = job->image_id;
  result->position = job->position;
  result->ok = TRUE;
  result->variants = g_ptr_array_new_with_free_func ((GDestroyNotify) variant_record_free);
  result->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) step_record_free);

  step_begin (&steps, job, "fetch", on_step, user_data);
  bytes = vetter_fetch (job->location, config, cancellable, &error);
  step_end (&steps, error);
  if (bytes == NULL)
    return result;
  data = g_bytes_get_data (bytes, &length);
  result->bytes = (gint64) length;
  result->sha256 = vetter_sha256_hex (data, length);

  step_begin (&steps, job, "decode", on_step, user_data);
  decoded = decode_streamed (result, job, config, data, length, &streamed, &error);
  if (decoded)
    streamed.source = g_bytes_ref (bytes);
  else if (error == NULL)
    decoded = vetter_decode_bytes (&bytes, config->max_image_pixels, &error);
  step_end (&steps, error);
  if (decoded == NULL)
    return result;
  result->width = decoded->width;
  result->height = decoded->height;
  result->format = g_strdup (decoded->format);
  g_clear_pointer (&bytes, g_bytes_unref);

  pyramid_init (&pyramid, decoded->pixels, decoded->width, decoded->height);

  step_begin (&steps, job, "analyse", on_step, user_data);
  small = fit_within (&pyramid, VETTER_ANALYSIS_SIZE);
  result->analysis = vetter_analyse (small, decoded->width, decoded->height, decoded->jpeg_quality);
  step_end (&steps, NULL);

  step_begin (&steps, job, "variants", on_step, user_data);
  if (prepare_item_dir (job, &error))
    make_variants (result, job, config, &pyramid, &streamed, &error);
  step_end (&steps, error);
  pyramid_clear (&pyramid);
  g_clear_pointer (&streamed.again, vetter_decoded_free);
  g_clear_pointer (&streamed.source, g_bytes_unref);

  if (result->ok && vetter_config_has_tagger (config))
    tag (result, job, config, &steps, on_step, user_data, cancellable);

  /* The saliency map served the crops; nothing downstream wants it. */
  g_clear_pointer (&result->analysis->saliency, g_free);
  return result;
}
