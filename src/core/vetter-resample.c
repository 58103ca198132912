/* vetter-resample.c: area-correct downscaling of a region
 *
 * A separable triangle filter whose support widens with the reduction, so
 * that every source pixel contributes (no aliasing when shrinking 20 MP to a
 * thumbnail) at the cost of a plain bilinear filter when the scale is near 1.
 * Weights are 14-bit fixed point; the vertical pass walks whole rows so the
 * compiler can vectorise its inner loop.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "vetter-resample.h"

#define WEIGHT_BITS 14
#define WEIGHT_ONE (1 << WEIGHT_BITS)

typedef struct
{
  int     *start;   /* first source index of each output sample */
  int     *count;   /* how many source samples it takes */
  gint16  *weights; /* count[i] weights for sample i, at offset i * stride */
  int      stride;
} Contributions;

static void
contributions_clear (Contributions *c)
{
  g_free (c->start);
  g_free (c->count);
  g_free (c->weights);
}

/* Output sample i covers [offset + i / scale, offset + (i + 1) / scale) of
 * the source; its neighbours outside the region but inside the image are
 * used too, which keeps crop edges as sharp as the middle. */
static void
contributions_init (Contributions *c,
                    int            src_size,
                    double         offset,
                    double         length,
                    int            dst_size)
{
  double scale = dst_size / length;
  double support = scale < 1.0 ? 1.0 / scale : 1.0;

  c->stride = (int) ceil (support * 2.0) + 2;
  c->start = g_new (int, dst_size);
  c->count = g_new (int, dst_size);
  c->weights = g_new0 (gint16, (gsize) dst_size * c->stride);

  for (int i = 0; i < dst_size; i++)
    {
      double center = offset + (i + 0.5) / scale;
      int left = (int) floor (center - support);
      int right = (int) ceil (center + support);
      double weights[c->stride];
      double total = 0;
      int n = 0;
      int sum = 0;
      int largest = 0;
      gint16 *out = c->weights + (gsize) i * c->stride;

      left = MAX (left, 0);
      right = MIN (right, src_size - 1);
      for (int x = left; x <= right && n < c->stride; x++)
        {
          double w = 1.0 - fabs ((x + 0.5) - center) / support;

          weights[n] = w > 0 ? w : 0;
          total += weights[n];
          n++;
        }
      if (total <= 0)
        {
          /* Degenerate: take the nearest pixel. */
          left = CLAMP ((int) center, 0, src_size - 1);
          n = 1;
          weights[0] = total = 1;
        }
      for (int k = 0; k < n; k++)
        {
          out[k] = (gint16) lround (weights[k] / total * WEIGHT_ONE);
          sum += out[k];
          if (out[k] > out[largest])
            largest = k;
        }
      out[largest] += (gint16) (WEIGHT_ONE - sum);
      c->start[i] = left;
      c->count[i] = n;
    }
}

static inline guint8
clamp_u8 (int v)
{
  return (guint8) (v < 0 ? 0 : v > 255 ? 255 : v);
}

VetterPixels *
vetter_resample (const VetterPixels *src,
                 const VetterRect   *region,
                 int                 width,
                 int                 height)
{
  VetterRect whole = { 0, 0, src->width, src->height };
  Contributions cx, cy;
  VetterPixels *dst;
  guint8 *tmp;
  int first_row, last_row, tmp_stride;
  int *acc;

  g_return_val_if_fail (width > 0 && height > 0, NULL);

  if (region == NULL)
    region = &whole;

  contributions_init (&cx, src->width, region->x, region->width, width);
  contributions_init (&cy, src->height, region->y, region->height, height);

  first_row = cy.start[0];
  last_row = cy.start[height - 1] + cy.count[height - 1] - 1;
  tmp_stride = width * 3;
  tmp = g_malloc ((gsize) tmp_stride * (last_row - first_row + 1));

  /* Horizontal pass over just the rows the vertical pass will read. */
  for (int y = first_row; y <= last_row; y++)
    {
      const guint8 *in = vetter_pixels_row (src, y);
      guint8 *out = tmp + (gsize) (y - first_row) * tmp_stride;

      for (int x = 0; x < width; x++)
        {
          const gint16 *w = cx.weights + (gsize) x * cx.stride;
          const guint8 *p = in + cx.start[x] * 3;
          int r = 0, g = 0, b = 0;

          for (int k = 0; k < cx.count[x]; k++, p += 3)
            {
              r += p[0] * w[k];
              g += p[1] * w[k];
              b += p[2] * w[k];
            }
          out[x * 3] = clamp_u8 ((r + WEIGHT_ONE / 2) >> WEIGHT_BITS);
          out[x * 3 + 1] = clamp_u8 ((g + WEIGHT_ONE / 2) >> WEIGHT_BITS);
          out[x * 3 + 2] = clamp_u8 ((b + WEIGHT_ONE / 2) >> WEIGHT_BITS);
        }
    }

  dst = vetter_pixels_new (width, height);
  acc = g_new (int, tmp_stride);

  for (int y = 0; y < height; y++)
    {
      const gint16 *w = cy.weights + (gsize) y * cy.stride;
      guint8 *out = vetter_pixels_row (dst, y);

      memset (acc, 0, sizeof (int) * tmp_stride);
      for (int k = 0; k < cy.count[y]; k++)
        {
          const guint8 *in = tmp + (gsize) (cy.start[y] + k - first_row) * tmp_stride;
          int wk = w[k];

          for (int i = 0; i < tmp_stride; i++)
            acc[i] += in[i] * wk;
        }
      for (int i = 0; i < tmp_stride; i++)
        out[i] = clamp_u8 ((acc[i] + WEIGHT_ONE / 2) >> WEIGHT_BITS);
    }

  g_free (acc);
  g_free (tmp);
  contributions_clear (&cx);
  contributions_clear (&cy);
  return dst;
}
