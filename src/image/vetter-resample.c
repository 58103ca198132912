/* vetter-resample.c: area-correct downscaling of a region
 *
 * A separable triangle filter whose support widens with the reduction, so
 * that every source pixel contributes (no aliasing when shrinking 20 MP to a
 * thumbnail) at the cost of a plain bilinear filter when the scale is near 1.
 *
 * The vertical pass runs first: it is the heavy one when shrinking (it
 * reads every source row the output needs) and it walks whole rows of
 * bytes with one weight per row, which vectorises well. Its result keeps 7
 * extra bits of precision for the horizontal pass, which then works on
 * rows already reduced to the output's height. Where the CPU has AVX2,
 * both passes use a hand-written version that computes the same integers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include "vetter-pixel-loop.h"

#ifdef VETTER_HAVE_AVX2_PATH
#include <immintrin.h>
#endif
#include "vetter-resample.h"

#define WEIGHT_BITS 14
#define WEIGHT_ONE (1 << WEIGHT_BITS)
/* The intermediate keeps 7 bits below the byte: 255 << 7 still fits a
 * signed 16-bit lane, which the horizontal pass's multiply-add needs. */
#define EXTRA_BITS (WEIGHT_BITS - 7)

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
 * the source; neighbours outside the region but inside the image are used
 * too, which keeps crop edges as sharp as the middle. */
static void
contributions_init (Contributions *c,
                    int            src_size,
                    double         offset,
                    double         length,
                    int            dst_size)
{
  double scale = dst_size / length;
  double support = scale < 1.0 ? 1.0 / scale : 1.0;
  g_autofree double *weights = NULL;

  /* One slot more than the widest filter: the slot after the last tap is
   * always a zero weight, which the two-taps-a-step loops rely on. */
  c->stride = (int) ceil (support * 2.0) + 3;
  c->start = g_new (int, dst_size);
  c->count = g_new (int, dst_size);
  c->weights = g_new0 (gint16, (gsize) dst_size * c->stride);
  weights = g_new (double, c->stride);

  for (int i = 0; i < dst_size; i++)
    {
      double center = offset + (i + 0.5) / scale;
      int left = MAX ((int) floor (center - support), 0);
      int right = MIN ((int) ceil (center + support), src_size - 1);
      double total = 0;
      int n = 0, sum = 0, largest = 0;
      gint16 *out = c->weights + (gsize) i * c->stride;

      for (int x = left; x <= right && n < c->stride - 1; x++)
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
      /* Leading zero weights would only cost time. */
      while (n > 1 && weights[0] / total * WEIGHT_ONE < 0.5)
        {
          memmove (weights, weights + 1, sizeof (double) * (n - 1));
          left++;
          n--;
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

/* One output row of the vertical pass: a weighted sum of source rows over
 * the columns [x0, x0 + span / 3). Kept separate and simple so that it
 * vectorises. */

PIXEL_LOOP static void
vertical_row (const VetterPixels *src,
              const Contributions *cy,
              int                  y,
              int                  x0,
              int                  span,
              gint32              *restrict acc,
              gint16              *restrict out)
{
  const gint16 *w = cy->weights + (gsize) y * cy->stride;

  /* The first row sets the sums, the others add to them: no clearing pass. */
  {
    const guint8 *restrict in = vetter_pixels_row (src, cy->start[y]) + x0 * 3;
    gint32 w0 = w[0];

    for (int i = 0; i < span; i++)
      acc[i] = in[i] * w0;
  }
  for (int k = 1; k < cy->count[y]; k++)
    {
      const guint8 *restrict in = vetter_pixels_row (src, cy->start[y] + k) + x0 * 3;
      gint32 wk = w[k];

      for (int i = 0; i < span; i++)
        acc[i] += in[i] * wk;
    }
  for (int i = 0; i < span; i++)
    out[i] = (gint16) ((acc[i] + (1 << (EXTRA_BITS - 1))) >> EXTRA_BITS);
}

#ifdef VETTER_HAVE_AVX2_PATH
/* Taps the vector vertical pass takes; a wider filter (a reduction beyond
 * about a sixth after the pyramid's halvings) goes to the plain loop. */
#define VERTICAL_AVX2_MAX_TAPS 16

/* The vertical pass two source rows at a time: their bytes interleaved and
 * widened to 16 bits, each pair multiplied by the two rows' weights and
 * added in one instruction (the plain loop widens every byte to 32 bits
 * and multiplies it alone). The sums are the same to the bit. */
__attribute__ ((target ("avx2"))) static void
vertical_row_avx2 (const VetterPixels *src,
                   const Contributions *cy,
                   int                  y,
                   int                  x0,
                   int                  span,
                   gint16              *restrict out)
{
  const __m256i round = _mm256_set1_epi32 (1 << (EXTRA_BITS - 1));
  const gint16 *w = cy->weights + (gsize) y * cy->stride;
  const guint8 *first[VERTICAL_AVX2_MAX_TAPS / 2], *second[VERTICAL_AVX2_MAX_TAPS / 2];
  __m256i weights[VERTICAL_AVX2_MAX_TAPS / 2];
  int n = cy->count[y], pairs = 0;
  int i = 0;

  for (int k = 0; k < n; k += 2, pairs++)
    {
      /* An odd last row is paired with itself at weight zero. */
      gboolean odd = k + 1 == n;

      first[pairs] = vetter_pixels_row (src, cy->start[y] + k) + x0 * 3;
      second[pairs] = vetter_pixels_row (src, cy->start[y] + k + !odd) + x0 * 3;
      weights[pairs] = _mm256_set1_epi32 ((gint32) ((guint32) (guint16) (odd ? 0 : w[k + 1]) << 16 | (guint16) w[k]));
    }
  for (; i + 16 <= span; i += 16)
    {
      __m256i lo = _mm256_setzero_si256 (), hi = _mm256_setzero_si256 ();

      for (int p = 0; p < pairs; p++)
        {
          __m128i a = _mm_loadu_si128 ((const __m128i *) (first[p] + i));
          __m128i b = _mm_loadu_si128 ((const __m128i *) (second[p] + i));

          lo = _mm256_add_epi32 (lo, _mm256_madd_epi16 (_mm256_cvtepu8_epi16 (_mm_unpacklo_epi8 (a, b)), weights[p]));
          hi = _mm256_add_epi32 (hi, _mm256_madd_epi16 (_mm256_cvtepu8_epi16 (_mm_unpackhi_epi8 (a, b)), weights[p]));
        }
      /* Rounded and narrowed to 16 bits; the pack works within each
       * 128-bit half, the permute puts the halves back in order. */
      lo = _mm256_srai_epi32 (_mm256_add_epi32 (lo, round), EXTRA_BITS);
      hi = _mm256_srai_epi32 (_mm256_add_epi32 (hi, round), EXTRA_BITS);
      _mm256_storeu_si256 ((__m256i *) (out + i), _mm256_permute4x64_epi64 (_mm256_packs_epi32 (lo, hi), 0xd8));
    }
  for (; i < span; i++)
    {
      gint32 sum = 0;

      for (int k = 0; k < n; k++)
        sum += vetter_pixels_row (src, cy->start[y] + k)[x0 * 3 + i] * w[k];
      out[i] = (gint16) ((sum + (1 << (EXTRA_BITS - 1))) >> EXTRA_BITS);
    }
}
#endif

/* One output row of the horizontal pass, from the vertical pass's row of
 * 16-bit channels. The vector code multiplies two neighbouring pixels'
 * channels, paired by interleaving two loads a pixel apart, with two
 * weights at once; a fourth lane (the next pixel's red) is computed too,
 * and its byte stored and then overwritten. */
static void
horizontal_row (const gint16        *restrict row,
                const Contributions *cx,
                int                  x0,
                int                  width,
                guint8              *restrict out,
                int                  first)
{
  const int shift = WEIGHT_BITS + 7;
  const gint32 round = 1 << (shift - 1);

  for (int x = first; x < width; x++)
    {
      const gint16 *w = cx->weights + (gsize) x * cx->stride;
      const gint16 *p = row + (cx->start[x] - x0) * 3;
      int n = cx->count[x];
#if defined(__SSE2__)
      __m128i acc = _mm_setzero_si128 ();
      int k = 0;

      for (; k + 1 < n; k += 2)
        {
          __m128i pairs = _mm_unpacklo_epi16 (_mm_loadl_epi64 ((const __m128i *) (p + k * 3)),
                                              _mm_loadl_epi64 ((const __m128i *) (p + k * 3 + 3)));
          __m128i weights = _mm_set1_epi32 (weight_pair (w + k));

          acc = _mm_add_epi32 (acc, _mm_madd_epi16 (pairs, weights));
        }
      if (k < n)
        {
          __m128i one = _mm_loadl_epi64 ((const __m128i *) (p + k * 3));
          __m128i pairs = _mm_unpacklo_epi16 (one, _mm_setzero_si128 ());

          acc = _mm_add_epi32 (acc, _mm_madd_epi16 (pairs, _mm_set1_epi32 ((guint16) w[k])));
        }
      {
        /* Round, shift, clamp to bytes and store the pixel in one go; the
         * fourth byte lands on the next pixel, written after, or on the
         * slack every image has past its last row. */
        __m128i v = _mm_srai_epi32 (_mm_add_epi32 (acc, _mm_set1_epi32 (round)), shift);

        v = _mm_packs_epi32 (v, v);
        v = _mm_packus_epi16 (v, v);
        {
          guint32 packed = (guint32) _mm_cvtsi128_si32 (v);
          memcpy (out + x * 3, &packed, 4);
        }
      }
#else
      gint32 r = 0, g = 0, b = 0;

      for (int k = 0; k < n; k++)
        {
          r += p[k * 3] * w[k];
          g += p[k * 3 + 1] * w[k];
          b += p[k * 3 + 2] * w[k];
        }
      out[x * 3] = clamp_u8 ((r + round) >> shift);
      out[x * 3 + 1] = clamp_u8 ((g + round) >> shift);
      out[x * 3 + 2] = clamp_u8 ((b + round) >> shift);
#endif
    }
}

#ifdef VETTER_HAVE_AVX2_PATH
/* The horizontal pass's plan for its vector code: where each output
 * pixel's taps start in the intermediate row, and its weights four taps at
 * a time, each group one 256-bit vector holding the pair (tap 0, tap 1) in
 * every 32-bit lane of its low half and (tap 2, tap 3) in every lane of
 * its high half. Every pixel has as many groups as the widest one, taps
 * past its count weighing zero, so the loops run a fixed count. Made once
 * a resample, read for every row. */
typedef struct
{
  int    *offset;         /* a pixel's first tap, in 16-bit values from the row's start */
  gint32 *groups;         /* n_groups vectors of 8 lanes a pixel */
  int     n_groups;
} HorizontalPlan;

static void
horizontal_plan_init (HorizontalPlan      *plan,
                      const Contributions *cx,
                      int                  x0,
                      int                  width)
{
  int widest = 1;

  g_assert (width > 0);
  for (int x = 0; x < width; x++)
    widest = MAX (widest, cx->count[x]);
  plan->n_groups = (widest + 3) / 4;
  plan->offset = g_new (int, (gsize) width);
  plan->groups = g_new (gint32, (gsize) width * (gsize) plan->n_groups * 8);
  for (int x = 0; x < width; x++)
    {
      const gint16 *w = cx->weights + (gsize) x * cx->stride;

      plan->offset[x] = (cx->start[x] - x0) * 3;
      for (int g = 0; g < plan->n_groups; g++)
        {
          gint32 *lanes = plan->groups + ((gsize) x * plan->n_groups + g) * 8;
          gint16 taps[4];

          for (int t = 0; t < 4; t++)
            taps[t] = 4 * g + t < cx->count[x] ? w[4 * g + t] : 0;
          for (int lane = 0; lane < 4; lane++)
            {
              lanes[lane] = weight_pair (taps);
              lanes[lane + 4] = weight_pair (taps + 2);
            }
        }
    }
}

static void
horizontal_plan_clear (HorizontalPlan *plan)
{
  g_free (plan->offset);
  g_free (plan->groups);
}

/* One pixel's sums, four taps a step: taps 0–2 of a group are loaded into
 * the low half, taps 2–4 into the high half, and a byte shuffle in each
 * half puts each channel of two neighbouring taps side by side ([r0 r1 g0
 * g1 b0 b1 0 0]) for one multiply-add with the pair of weights. The low
 * half sums taps 0 and 1 of every group, the high half taps 2 and 3. */
__attribute__ ((target ("avx2"), always_inline)) static inline __m256i
horizontal_sums_avx2 (const gint16 *p,
                      const gint32 *weights,
                      int           n_groups)
{
  const __m256i pairs = _mm256_setr_epi8 (0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11, -1, -1, -1, -1,
                                          0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11, -1, -1, -1, -1);
  __m256i acc = _mm256_setzero_si256 ();

  for (int g = 0; g < n_groups; g++, p += 12, weights += 8)
    {
      __m256i taps = _mm256_inserti128_si256 (_mm256_castsi128_si256 (_mm_loadu_si128 ((const __m128i *) p)),
                                              _mm_loadu_si128 ((const __m128i *) (p + 6)), 1);

      acc = _mm256_add_epi32 (acc, _mm256_madd_epi16 (_mm256_shuffle_epi8 (taps, pairs),
                                                      _mm256_loadu_si256 ((const __m256i *) weights)));
    }
  return acc;
}

/* Two pixels' sums as one register, the first's in the low half: each
 * pixel's two halves added. Rounded and scaled to bytes' range. */
__attribute__ ((target ("avx2"), always_inline)) static inline __m256i
horizontal_pair_avx2 (__m256i a,
                      __m256i b)
{
  const int shift = WEIGHT_BITS + 7;
  __m256i both = _mm256_add_epi32 (_mm256_permute2x128_si256 (a, b, 0x20), _mm256_permute2x128_si256 (a, b, 0x31));

  return _mm256_srai_epi32 (_mm256_add_epi32 (both, _mm256_set1_epi32 (1 << (shift - 1))), shift);
}

/* The horizontal pass four output pixels a step, their twelve bytes
 * gathered and stored at once (sixteen written: the four after are the
 * next step's), then the last pixels two at a time, each pixel's fourth
 * byte landing on the next pixel, written after, or on the row's byte of
 * slack. */
__attribute__ ((target ("avx2"), always_inline)) static inline void
horizontal_row_avx2_groups (const gint16         *restrict row,
                            const HorizontalPlan *plan,
                            int                   n_groups,
                            int                   width,
                            guint8               *restrict out)
{
  const __m256i dwords = _mm256_setr_epi32 (0, 4, 1, 5, 2, 6, 3, 7);
  const __m128i twelve = _mm_setr_epi8 (0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1);
  const gint32 *w = plan->groups;
  const int step = n_groups * 8;
  int x = 0;

  for (; x + 6 <= width; x += 4, w += 4 * step)
    {
      __m256i ab = horizontal_pair_avx2 (horizontal_sums_avx2 (row + plan->offset[x], w, n_groups),
                                         horizontal_sums_avx2 (row + plan->offset[x + 1], w + step, n_groups));
      __m256i cd = horizontal_pair_avx2 (horizontal_sums_avx2 (row + plan->offset[x + 2], w + 2 * step, n_groups),
                                         horizontal_sums_avx2 (row + plan->offset[x + 3], w + 3 * step, n_groups));
      /* Bytes [a c a c | b d b d] (four a pixel), put in order, then
       * each pixel's fourth byte dropped. */
      __m256i packed = _mm256_packus_epi16 (_mm256_packs_epi32 (ab, cd), _mm256_setzero_si256 ());
      __m128i abcd = _mm256_castsi256_si128 (_mm256_permutevar8x32_epi32 (packed, dwords));

      _mm_storeu_si128 ((__m128i *) (out + x * 3), _mm_shuffle_epi8 (abcd, twelve));
    }
  for (; x + 1 < width; x += 2, w += 2 * step)
    {
      __m256i both = horizontal_pair_avx2 (horizontal_sums_avx2 (row + plan->offset[x], w, n_groups),
                                           horizontal_sums_avx2 (row + plan->offset[x + 1], w + step, n_groups));
      guint32 first, second;

      both = _mm256_packus_epi16 (_mm256_packs_epi32 (both, both), _mm256_setzero_si256 ());
      first = (guint32) _mm_cvtsi128_si32 (_mm256_castsi256_si128 (both));
      second = (guint32) _mm_cvtsi128_si32 (_mm256_extracti128_si256 (both, 1));
      memcpy (out + x * 3, &first, 4);
      memcpy (out + (x + 1) * 3, &second, 4);
    }
}

/* The common reductions (by at most half, after the pyramid's halvings)
 * take at most four taps: one group, its loop gone. */
__attribute__ ((target ("avx2"))) static void
horizontal_row_avx2 (const gint16         *restrict row,
                     const Contributions  *cx,
                     const HorizontalPlan *plan,
                     int                   x0,
                     int                   width,
                     guint8               *restrict out)
{
  if (plan->n_groups == 1)
    horizontal_row_avx2_groups (row, plan, 1, width, out);
  else
    horizontal_row_avx2_groups (row, plan, plan->n_groups, width, out);
  if (width % 2)
    horizontal_row (row, cx, x0, width, out, width - 1);
}

gboolean
vetter_cpu_has_avx2 (void)
{
  static gsize checked = 0;
  static gboolean avx2;

  if (g_once_init_enter (&checked))
    {
      __builtin_cpu_init ();
      avx2 = __builtin_cpu_supports ("avx2");
      g_once_init_leave (&checked, 1);
    }
  return avx2 && g_getenv ("VETTER_NO_AVX2") == NULL;
}
#endif

/* Each output row into @dst, or, without it, into one row's memory handed
 * to @row_func. */
static gboolean
resample (const VetterPixels *src,
          double              region_x,
          double              region_y,
          double              region_width,
          double              region_height,
          int                 width,
          int                 height,
          VetterPixels       *dst,
          VetterPixelRowFunc  row_func,
          gpointer            user_data,
          GError            **error)
{
  Contributions cx, cy;
  g_autofree gint32 *acc = NULL;
  g_autofree gint16 *row = NULL;
  g_autofree guint8 *scratch = NULL;
  gboolean ok = TRUE;
  int x0, x1, span;
#ifdef VETTER_HAVE_AVX2_PATH
  gboolean avx2 = vetter_cpu_has_avx2 ();
  HorizontalPlan plan = { NULL, NULL, 0 };
#endif

  contributions_init (&cx, src->width, region_x, region_width, width);
  contributions_init (&cy, src->height, region_y, region_height, height);

  x0 = cx.start[0];
  x1 = 0;
  for (int x = 0; x < width; x++)
    x1 = MAX (x1, cx.start[x] + cx.count[x]);
  span = (x1 - x0) * 3;
  acc = g_new (gint32, span);
#ifdef VETTER_HAVE_AVX2_PATH
  if (avx2)
    horizontal_plan_init (&plan, &cx, x0, width);
#endif
  /* A filter's width more, and a vector load: loads of the last pixels'
   * zero-weight taps (up to three past a pixel's count) stay inside. */
  row = g_new0 (gint16, (span / 3 + cx.stride + 2) * 4);
  /* The horizontal pass stores four bytes a pixel: one byte of slack. */
  if (dst == NULL)
    scratch = g_malloc ((gsize) width * 3 + 1);

  for (int y = 0; y < height && ok; y++)
    {
      guint8 *out = dst ? vetter_pixels_row (dst, y) : scratch;

#ifdef VETTER_HAVE_AVX2_PATH
      if (avx2 && cy.count[y] <= VERTICAL_AVX2_MAX_TAPS)
        {
          vertical_row_avx2 (src, &cy, y, x0, span, row);
          horizontal_row_avx2 (row, &cx, &plan, x0, width, out);
        }
      else
#endif
        {
          vertical_row (src, &cy, y, x0, span, acc, row);
          horizontal_row (row, &cx, x0, width, out, 0);
        }
      if (dst == NULL)
        ok = row_func (out, width, user_data, error);
    }

  contributions_clear (&cx);
  contributions_clear (&cy);
#ifdef VETTER_HAVE_AVX2_PATH
  horizontal_plan_clear (&plan);
#endif
  return ok;
}

VetterPixels *
vetter_resample_area (const VetterPixels *src,
                      double              region_x,
                      double              region_y,
                      double              region_width,
                      double              region_height,
                      int                 width,
                      int                 height)
{
  VetterPixels *dst;

  g_return_val_if_fail (width > 0 && height > 0, NULL);

  dst = vetter_pixels_new (width, height);
  resample (src, region_x, region_y, region_width, region_height, width, height, dst, NULL, NULL, NULL);
  return dst;
}

gboolean
vetter_resample_area_rows (const VetterPixels *src,
                           double              region_x,
                           double              region_y,
                           double              region_width,
                           double              region_height,
                           int                 width,
                           int                 height,
                           VetterPixelRowFunc  row_func,
                           gpointer            user_data,
                           GError            **error)
{
  g_return_val_if_fail (width > 0 && height > 0 && row_func != NULL, FALSE);

  return resample (src, region_x, region_y, region_width, region_height, width, height, NULL,
                   row_func, user_data, error);
}

VetterPixels *
vetter_resample (const VetterPixels *src,
                 const VetterRect   *region,
                 int                 width,
                 int                 height)
{
  if (region == NULL)
    return vetter_resample_area (src, 0, 0, src->width, src->height, width, height);
  return vetter_resample_area (src, region->x, region->y, region->width, region->height, width, height);
}

/* Averages each 2×2 block: an area filter for a reduction by two, at a
 * fraction of the general filter's cost. Rows are averaged first, then
 * each byte with the same channel of the next pixel, byte by byte (one
 * vector instruction for many pixels); every other pixel of that is the
 * output. An odd last row or column is dropped. */
PIXEL_LOOP static void
average_rows (const guint8 *restrict a,
              const guint8 *restrict b,
              guint8       *restrict out,
              int                    n)
{
  for (int i = 0; i < n; i++)
    out[i] = (guint8) ((a[i] + b[i] + 1) >> 1);
}

PIXEL_LOOP static void
average_neighbours (const guint8 *restrict row,
                    guint8       *restrict out,
                    int                    n)
{
  for (int i = 0; i < n; i++)
    out[i] = (guint8) ((row[i] + row[i + 3]) >> 1);
}

VetterPixels *
vetter_pixels_halve (const VetterPixels *src)
{
  int w = MAX (1, src->width / 2), h = MAX (1, src->height / 2);
  VetterPixels *dst = vetter_pixels_new (w, h);
  int n = MIN (src->width, 2 * w) * 3;
  g_autofree guint8 *row = g_malloc (n + 3);
  g_autofree guint8 *pairs = g_malloc (n + 1);

  for (int y = 0; y < h; y++)
    {
      const guint8 *a = vetter_pixels_row (src, MIN (2 * y, src->height - 1));
      const guint8 *b = vetter_pixels_row (src, MIN (2 * y + 1, src->height - 1));
      guint8 *restrict out = vetter_pixels_row (dst, y);

      average_rows (a, b, row, n);
      if (n < 6)
        memcpy (row + 3, row, 3);   /* a one-pixel-wide source */
      average_neighbours (row, pairs, MAX (n - 3, 3));
      /* Four bytes a pixel, the fourth overwritten by the next pixel's
       * first; three for the last. */
      for (int x = 0; x < w - 1; x++)
        memcpy (out + x * 3, pairs + x * 6, 4);
      memcpy (out + (w - 1) * 3, pairs + (w - 1) * 6, 3);
    }
  return dst;
}

/* The mean of each 4×4 block, in one pass over the source: what halving
 * twice approximates, without making (and writing out) the half-size image
 * between. Four rows are summed byte by byte, then each byte with the same
 * channel of the next three pixels (16-bit sums, one vector instruction
 * for many pixels); every fourth pixel of that is the output. The last one
 * to three rows or columns are dropped. */
PIXEL_LOOP static void
sum_four_rows (const guint8 *restrict a,
               const guint8 *restrict b,
               const guint8 *restrict c,
               const guint8 *restrict d,
               guint16      *restrict out,
               int                    n)
{
  for (int i = 0; i < n; i++)
    out[i] = (guint16) (a[i] + b[i] + c[i] + d[i]);
}

PIXEL_LOOP static void
mean_of_four_neighbours (const guint16 *restrict sums,
                         guint8        *restrict out,
                         int                     n)
{
  for (int i = 0; i < n; i++)
    out[i] = (guint8) ((sums[i] + sums[i + 3] + sums[i + 6] + sums[i + 9] + 8) >> 4);
}

VetterPixels *
vetter_pixels_quarter (const VetterPixels *src)
{
  VetterPixels *dst;
  int w, h, n;
  g_autofree guint16 *sums = NULL;
  g_autofree guint8 *means = NULL;

  if (src->width < 4 || src->height < 4)
    {
      /* Too small for whole blocks: halving clamps at the edges. */
      g_autoptr(VetterPixels) half = vetter_pixels_halve (src);

      return vetter_pixels_halve (half);
    }
  w = src->width / 4;
  h = src->height / 4;
  n = w * 12;
  dst = vetter_pixels_new (w, h);
  sums = g_new (guint16, n);
  /* Means for every byte but the last three pixels' (which would read
   * past the sums); the copies below read up to four bytes after the
   * last output pixel's first. */
  means = g_malloc ((gsize) w * 12);
  for (int y = 0; y < h; y++)
    {
      guint8 *restrict out = vetter_pixels_row (dst, y);

      sum_four_rows (vetter_pixels_row (src, 4 * y), vetter_pixels_row (src, 4 * y + 1),
                     vetter_pixels_row (src, 4 * y + 2), vetter_pixels_row (src, 4 * y + 3), sums, n);
      mean_of_four_neighbours (sums, means, n - 9);
      /* Four bytes a pixel, the fourth overwritten by the next pixel's
       * first; three for the last. */
      for (int x = 0; x < w - 1; x++)
        memcpy (out + x * 3, means + x * 12, 4);
      memcpy (out + (w - 1) * 3, means + (w - 1) * 12, 3);
    }
  return dst;
}
