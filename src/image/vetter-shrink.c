/* vetter-shrink.c: an image shrunk as its rows arrive
 *
 * Each input pixel covers one unit of the input; each output pixel the
 * area of the input it maps onto. An input pixel (and an input row) falls
 * into at most two outputs, split by the fraction of it on each side of
 * the boundary, in 1/256ths. Each input row is first shrunk across into
 * sums, and those sums are added, weighted, into the one or two output
 * rows they fall in; an output row is divided by the weight it gathered
 * and written out when no later input row can reach it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "vetter-pixel-loop.h"
#include "vetter-shrink.h"

#ifdef VETTER_HAVE_AVX2_PATH
#include <immintrin.h>
#endif

typedef struct
{
  int      first;   /* the output it falls in first */
  guint32  weight;  /* of 256: the rest goes to first + 1 */
} Split;

struct _VetterShrinker
{
  int           in_w, in_h, out_w, out_h;
  int          *span_start;  /* per output column: its first input column */
  int          *span_count;  /* and how many it reads */
  guint16      *span_weight; /* their weights, span_count of them per output */
  Split        *rows;        /* per input row */
  float        *column_norm; /* per output column and channel: 1 / its horizontal weight */
  float        *row_norm;    /* per output row: 1 / its vertical weight */
  guint32      *across;      /* one input row, shrunk across: out_w * 3 sums, and one spare */
  /* The AVX2 path: each output column's weights padded with zeros to
   * tap_stride (an even number), and the input row widened to 16 bits and
   * four lanes a pixel (the fourth zero), with tap_stride pixels of slack. */
  gboolean      avx2;
  int           tap_stride;
  gint16       *tap_weight;
  gint16       *wide;
  guint32      *acc[2];      /* the output row being gathered, and the next */
  int           acc_row;     /* the output row acc[0] gathers */
  int           next_in;     /* input rows pushed */
  VetterPixels *out;
};

/* The input columns each output column reads, with their weights: the
 * splits turned around, so that an output's sum is one short run. */
static void
spans_new (VetterShrinker *shrinker,
           const Split    *columns)
{
  int n_out = shrinker->out_w, n_in = shrinker->in_w;
  GArray *weights = g_array_new (FALSE, FALSE, sizeof (guint16));
  int i = 0;

  shrinker->span_start = g_new (int, n_out);
  shrinker->span_count = g_new (int, n_out);
  for (int o = 0; o < n_out; o++)
    {
      /* The input split with the output before starts it, then those
       * whose first output it is. */
      int start = i > 0 && columns[i - 1].first == o - 1 && columns[i - 1].weight < 256 ? i - 1 : i;

      shrinker->span_start[o] = start;
      shrinker->span_count[o] = 0;
      if (start < i)
        {
          guint16 w = (guint16) (256 - columns[start].weight);

          g_array_append_val (weights, w);
          shrinker->span_count[o]++;
        }
      while (i < n_in && columns[i].first == o)
        {
          guint16 w = (guint16) columns[i].weight;

          g_array_append_val (weights, w);
          shrinker->span_count[o]++;
          i++;
        }
    }
  shrinker->span_weight = (guint16 *) g_array_free (weights, FALSE);
}

/* How input units 0..@n_in split into @n_out outputs; the weight each
 * output gathers goes to @norm as its reciprocal. */
static Split *
splits_new (int     n_in,
            int     n_out,
            float **norm)
{
  Split *splits = g_new (Split, n_in);
  double ratio = (double) n_in / n_out;
  double *sums = g_new0 (double, n_out);

  for (int i = 0; i < n_in; i++)
    {
      int first = MIN ((int) (i / ratio), n_out - 1);
      double inside = MIN (1.0, (first + 1) * ratio - i);
      guint32 weight = (guint32) CLAMP ((int) (inside * 256 + 0.5), 0, 256);

      if (first + 1 >= n_out)
        weight = 256;
      splits[i].first = first;
      splits[i].weight = weight;
      sums[first] += weight;
      if (weight < 256)
        sums[first + 1] += 256 - weight;
    }
  *norm = g_new (float, n_out);
  for (int o = 0; o < n_out; o++)
    (*norm)[o] = sums[o] > 0 ? (float) (1.0 / sums[o]) : 0.0f;
  g_free (sums);
  return splits;
}

#ifdef VETTER_HAVE_AVX2_PATH
static void
taps_new (VetterShrinker *shrinker)
{
  const guint16 *weight = shrinker->span_weight;
  int most = 0;

  for (int o = 0; o < shrinker->out_w; o++)
    most = MAX (most, shrinker->span_count[o]);
  shrinker->tap_stride = (most + 1) & ~1;
  shrinker->tap_weight = g_new0 (gint16, (gsize) shrinker->out_w * shrinker->tap_stride);
  for (int o = 0; o < shrinker->out_w; o++)
    for (int t = 0; t < shrinker->span_count[o]; t++)
      shrinker->tap_weight[(gsize) o * shrinker->tap_stride + t] = (gint16) *weight++;
  shrinker->wide = g_new0 (gint16, ((gsize) shrinker->in_w + shrinker->tap_stride) * 4);
}

/* shrink_across two output columns at a time, one in each half of a
 * 256-bit register, two input pixels a multiply-add (the plain loop
 * takes a pixel and a channel at a time). The sums are the same to the
 * bit. */
__attribute__ ((target ("avx2"))) static void
shrink_across_avx2 (const VetterShrinker *shrinker,
                    const guint8         *restrict rgb,
                    guint32              *restrict across)
{
  const __m128i spread = _mm_setr_epi8 (0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11, -1);
  gint16 *restrict wide = shrinker->wide;
  int stride = shrinker->tap_stride;
  int x = 0, o = 0;

  /* Four pixels a step from a 16-byte load, which must stay in the row. */
  for (; x + 6 <= shrinker->in_w; x += 4)
    {
      __m128i four = _mm_shuffle_epi8 (_mm_loadu_si128 ((const __m128i *) (rgb + x * 3)), spread);

      _mm256_storeu_si256 ((__m256i *) (wide + x * 4), _mm256_cvtepu8_epi16 (four));
    }
  for (; x < shrinker->in_w; x++)
    for (int c = 0; c < 3; c++)
      wide[x * 4 + c] = rgb[x * 3 + c];

  for (; o + 1 < shrinker->out_w; o += 2)
    {
      const gint16 *w0 = shrinker->tap_weight + (gsize) o * stride;
      const gint16 *w1 = w0 + stride;
      const gint16 *p0 = wide + shrinker->span_start[o] * 4;
      const gint16 *p1 = wide + shrinker->span_start[o + 1] * 4;
      int n = MAX (shrinker->span_count[o], shrinker->span_count[o + 1]);
      __m256i sum = _mm256_setzero_si256 ();

      for (int k = 0; k < n; k += 2)
        {
          __m256i two = _mm256_inserti128_si256 (_mm256_castsi128_si256 (_mm_loadu_si128 ((const __m128i *) (p0 + k * 4))),
                                                 _mm_loadu_si128 ((const __m128i *) (p1 + k * 4)), 1);
          __m256i pairs = _mm256_unpacklo_epi16 (two, _mm256_srli_si256 (two, 8));
          __m256i weights = _mm256_inserti128_si256 (_mm256_castsi128_si256 (_mm_set1_epi32 (weight_pair (w0 + k))),
                                                     _mm_set1_epi32 (weight_pair (w1 + k)), 1);

          sum = _mm256_add_epi32 (sum, _mm256_madd_epi16 (pairs, weights));
        }
      /* Four lanes stored a column: the fourth lands on the next column's
       * first, written after (or on the spare one past the end). */
      _mm_storeu_si128 ((__m128i *) (across + o * 3), _mm256_castsi256_si128 (sum));
      _mm_storeu_si128 ((__m128i *) (across + o * 3 + 3), _mm256_extracti128_si256 (sum, 1));
    }
  for (; o < shrinker->out_w; o++)
    {
      const gint16 *w = shrinker->tap_weight + (gsize) o * stride;
      const guint8 *p = rgb + (gsize) shrinker->span_start[o] * 3;
      guint32 r = 0, g = 0, b = 0;

      for (int t = 0; t < shrinker->span_count[o]; t++, p += 3)
        {
          r += p[0] * (guint32) w[t];
          g += p[1] * (guint32) w[t];
          b += p[2] * (guint32) w[t];
        }
      across[o * 3] = r;
      across[o * 3 + 1] = g;
      across[o * 3 + 2] = b;
    }
}
#endif

VetterShrinker *
vetter_shrinker_new (int in_width,
                     int in_height,
                     int out_width,
                     int out_height)
{
  VetterShrinker *shrinker;

  g_return_val_if_fail (out_width > 0 && out_height > 0, NULL);
  g_return_val_if_fail (out_width <= in_width && out_height <= in_height, NULL);
  /* Beyond that, the 32-bit sums could overflow. */
  g_return_val_if_fail (in_width <= out_width * 8 && in_height <= out_height * 8, NULL);

  shrinker = g_new0 (VetterShrinker, 1);
  shrinker->out = vetter_pixels_try_new (out_width, out_height);
  if (shrinker->out == NULL)
    {
      g_free (shrinker);
      return NULL;
    }
  shrinker->in_w = in_width;
  shrinker->in_h = in_height;
  shrinker->out_w = out_width;
  shrinker->out_h = out_height;
  {
    g_autofree float *norm = NULL;
    g_autofree Split *columns = splits_new (in_width, out_width, &norm);

    spans_new (shrinker, columns);
    /* One a channel, so that a row divides in one run. */
    shrinker->column_norm = g_new (float, (gsize) out_width * 3);
    for (int o = 0; o < out_width * 3; o++)
      shrinker->column_norm[o] = norm[o / 3];
  }
  shrinker->rows = splits_new (in_height, out_height, &shrinker->row_norm);
  shrinker->across = g_new (guint32, (gsize) out_width * 3 + 1);
#ifdef VETTER_HAVE_AVX2_PATH
  shrinker->avx2 = vetter_cpu_has_avx2 ();
  if (shrinker->avx2)
    taps_new (shrinker);
#endif
  shrinker->acc[0] = g_new0 (guint32, (gsize) out_width * 3);
  shrinker->acc[1] = g_new0 (guint32, (gsize) out_width * 3);
  return shrinker;
}

void
vetter_shrinker_free (VetterShrinker *shrinker)
{
  if (shrinker == NULL)
    return;
  g_free (shrinker->span_start);
  g_free (shrinker->span_count);
  g_free (shrinker->span_weight);
  g_free (shrinker->rows);
  g_free (shrinker->column_norm);
  g_free (shrinker->row_norm);
  g_free (shrinker->across);
  g_free (shrinker->tap_weight);
  g_free (shrinker->wide);
  g_free (shrinker->acc[0]);
  g_free (shrinker->acc[1]);
  vetter_pixels_free (shrinker->out);
  g_free (shrinker);
}


PIXEL_LOOP static void
divide_row (guint8        *restrict dst,
            const guint32 *restrict acc,
            const float   *restrict column_norm,
            float                   row_norm,
            int                     n)
{
  /* A weighted mean: never above 255. */
  for (int k = 0; k < n; k++)
    dst[k] = (guint8) ((float) acc[k] * (column_norm[k] * row_norm) + 0.5f);
}

/* Output row acc_row is complete: divided by its weights, written, and
 * the next one's sums move up. */
static void
emit_row (VetterShrinker *shrinker)
{
  guint32 *done = shrinker->acc[0];

  divide_row (vetter_pixels_row (shrinker->out, shrinker->acc_row), done, shrinker->column_norm,
              shrinker->row_norm[shrinker->acc_row], shrinker->out_w * 3);
  memset (done, 0, sizeof (guint32) * (gsize) shrinker->out_w * 3);
  shrinker->acc[0] = shrinker->acc[1];
  shrinker->acc[1] = done;
  shrinker->acc_row++;
}

PIXEL_LOOP static void
shrink_across (const VetterShrinker *shrinker,
               const guint8         *restrict rgb,
               guint32              *restrict across)
{
  const guint16 *weight = shrinker->span_weight;

  for (int o = 0; o < shrinker->out_w; o++)
    {
      const guint8 *p = rgb + (gsize) shrinker->span_start[o] * 3;
      guint32 r = 0, g = 0, b = 0;

      for (int t = 0; t < shrinker->span_count[o]; t++, p += 3)
        {
          guint32 w = *weight++;

          r += p[0] * w;
          g += p[1] * w;
          b += p[2] * w;
        }
      across[o * 3] = r;
      across[o * 3 + 1] = g;
      across[o * 3 + 2] = b;
    }
}

PIXEL_LOOP static void
add_weighted (guint32       *restrict acc,
              const guint32 *restrict across,
              guint32                 weight,
              int                     n)
{
  for (int k = 0; k < n; k++)
    acc[k] += across[k] * weight;
}

void
vetter_shrinker_push_row (VetterShrinker *shrinker,
                          const guint8   *rgb)
{
  const Split *row;

  if (shrinker->next_in >= shrinker->in_h)
    return;
  row = &shrinker->rows[shrinker->next_in++];

  /* Rows before this one's first output are complete. */
  while (shrinker->acc_row < row->first)
    emit_row (shrinker);

  /* Sums fit 32 bits: at most 8 input pixels an output each way, each at
   * most 255 × 256 × 256. */
#ifdef VETTER_HAVE_AVX2_PATH
  if (shrinker->avx2)
    shrink_across_avx2 (shrinker, rgb, shrinker->across);
  else
#endif
    shrink_across (shrinker, rgb, shrinker->across);
  add_weighted (shrinker->acc[0], shrinker->across, row->weight, shrinker->out_w * 3);
  if (row->weight < 256)
    add_weighted (shrinker->acc[1], shrinker->across, 256 - row->weight, shrinker->out_w * 3);
}

VetterPixels *
vetter_shrinker_finish (VetterShrinker *shrinker)
{
  VetterPixels *out;

  while (shrinker->acc_row < shrinker->out_h)
    emit_row (shrinker);
  out = g_steal_pointer (&shrinker->out);
  vetter_shrinker_free (shrinker);
  return out;
}
