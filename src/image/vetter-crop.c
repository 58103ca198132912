/* vetter-crop.c: where the aspect variants are cut from
 *
 * A variant of ratio p:q is cut as the largest box of exactly k·p × k·q
 * source pixels that fits between the letterbox bars, if any (a crop
 * follows the content, never the border), slid along the one free axis to
 * where the saliency is densest, then shrunk to the target size if it is
 * larger. It is never enlarged: a small source gives a small, exact-ratio
 * variant.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "vetter-crop.h"

static int
gcd (int a,
     int b)
{
  while (b)
    {
      int t = a % b;
      a = b;
      b = t;
    }
  return a;
}

void
vetter_crop_largest (int  ratio_width,
                     int  ratio_height,
                     int  source_width,
                     int  source_height,
                     int *crop_width,
                     int *crop_height)
{
  int g = gcd (ratio_width, ratio_height);
  int p = ratio_width / g, q = ratio_height / g;
  int k = MIN (source_width / p, source_height / q);

  if (k >= 1)
    {
      *crop_width = k * p;
      *crop_height = k * q;
      return;
    }
  /* A source smaller than the reduced ratio itself (a 5-pixel sliver): the
   * nearest box that fits. */
  if ((double) source_width / source_height > (double) p / q)
    {
      *crop_height = source_height;
      *crop_width = MAX (1, MIN (source_width, (int) lround ((double) source_height * p / q)));
    }
  else
    {
      *crop_width = source_width;
      *crop_height = MAX (1, MIN (source_height, (int) lround ((double) source_width * q / p)));
    }
}

void
vetter_crop_output_size (int  crop_width,
                         int  crop_height,
                         int  target_width,
                         int  target_height,
                         int *width,
                         int *height)
{
  if (crop_width >= target_width && crop_height >= target_height)
    {
      *width = target_width;
      *height = target_height;
    }
  else
    {
      *width = crop_width;
      *height = crop_height;
    }
}

VetterRect
vetter_crop_place (const float      *saliency,
                   int               saliency_width,
                   int               saliency_height,
                   int               source_width,
                   int               source_height,
                   const VetterRect *bounds,
                   int               crop_width,
                   int               crop_height)
{
  VetterRect all = { 0, 0, source_width, source_height };
  const VetterRect *b = bounds ? bounds : &all;
  VetterRect rect = { b->x + (b->width - crop_width) / 2, b->y + (b->height - crop_height) / 2, crop_width,
                      crop_height };
  gboolean horizontal = crop_width < b->width;
  int lines = horizontal ? saliency_width : saliency_height;
  double scale = (double) lines / (horizontal ? source_width : source_height);
  int first, last, window;
  g_autofree double *prefix = NULL;
  double best = -1, centre_score;
  int best_start, centre_start;

  if (saliency == NULL || (crop_width >= b->width && crop_height >= b->height))
    return rect;

  /* The lines of the saliency map inside the bounds, along the free axis. */
  first = CLAMP ((int) ceil ((horizontal ? b->x : b->y) * scale), 0, lines - 1);
  last = CLAMP ((int) floor ((horizontal ? b->x + b->width : b->y + b->height) * scale), first + 1, lines);
  window = CLAMP ((int) lround ((horizontal ? crop_width : crop_height) * scale), 1, last - first);
  /* Each line's sum of squares (so that one strong subject outweighs a
   * spread of weak texture), then their running total. The map is read row
   * by row either way: a column at a time would read it a row apart. */
  prefix = g_new0 (double, lines + 1);
  for (int y = 0; y < saliency_height; y++)
    for (int x = 0; x < saliency_width; x++)
      {
        double v = saliency[(gsize) y * saliency_width + x];

        prefix[(horizontal ? x : y) + 1] += v * v;
      }
  for (int l = 0; l < lines; l++)
    prefix[l + 1] += prefix[l];

  best_start = first;
  for (int start = first; start + window <= last; start++)
    {
      double score = prefix[start + window] - prefix[start];

      if (score > best)
        {
          best = score;
          best_start = start;
        }
    }

  /* Where the content is spread evenly, stay in the middle rather than
   * follow noise to one side. */
  centre_start = first + (last - first - window) / 2;
  centre_score = prefix[centre_start + window] - prefix[centre_start];
  if (best <= centre_score * 1.03)
    best_start = centre_start;

  if (horizontal)
    rect.x = CLAMP ((int) lround (best_start / scale), b->x, b->x + b->width - crop_width);
  else
    rect.y = CLAMP ((int) lround (best_start / scale), b->y, b->y + b->height - crop_height);
  return rect;
}
