/* vetter-analysis.c: what an image looks like and what is wrong with it
 *
 * Everything here runs on a copy whose long side is at most
 * VETTER_ANALYSIS_SIZE pixels: a defect a moderator cannot see at that size
 * does not matter on a listing page, and it keeps analysis to a few
 * milliseconds. Defects with a place are found on a grid of tiles and boxed
 * around the largest connected group of bad tiles, in source pixels.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-analysis"

#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vetter-analysis.h"
#include "vetter-pixel-loop.h"
#include "vetter-resample.h"

#define GRID 12

VetterDefect *
vetter_defect_new (const char       *kind,
                   VetterSeverity    severity,
                   int               confidence,
                   const VetterRect *box,
                   const char       *format,
                   ...)
{
  VetterDefect *defect = g_new0 (VetterDefect, 1);
  va_list args;

  defect->kind = g_strdup (kind);
  defect->severity = severity;
  defect->confidence = CLAMP (confidence, 0, 100);
  if (box)
    {
      defect->has_box = TRUE;
      defect->box = *box;
    }
  va_start (args, format);
  defect->message = g_strdup_vprintf (format, args);
  va_end (args);
  return defect;
}

void
vetter_defect_free (VetterDefect *defect)
{
  if (defect == NULL)
    return;
  g_free (defect->kind);
  g_free (defect->message);
  g_free (defect);
}

static void
colour_free (VetterColour *colour)
{
  g_free (colour->label);
  g_free (colour);
}

void
vetter_analysis_free (VetterAnalysis *analysis)
{
  if (analysis == NULL)
    return;
  g_clear_pointer (&analysis->colours, g_ptr_array_unref);
  g_clear_pointer (&analysis->defects, g_ptr_array_unref);
  g_free (analysis->saliency);
  g_free (analysis);
}

/* ---- Tiles ---------------------------------------------------------------- */

typedef struct
{
  double mean;
  double std;
  double laplacian;   /* root mean square of the Laplacian */
  double clipped;     /* share of pixels blown to white */
  double dark;        /* share of pixels crushed to black */
} Tile;

/* Exact sums over some pixels: of luma and its square, and of the
 * Laplacian and its square where it is defined (not on the image's edge). */
typedef struct
{
  gint64 n, sum, sum2;
  gint64 n_lap, lap_sum, lap_sum2;
  gint64 clipped, dark;
} Sums;

typedef struct
{
  const VetterPixels *small;
  guint8             *luma;
  Tile                tiles[GRID * GRID];
  Sums                whole;             /* every tile's sums added */
  int                 tile_x[GRID + 1];  /* tile edges on the small copy */
  int                 tile_y[GRID + 1];
  int                 source_width;
  int                 source_height;
} Context;

/* Sums of a span of a row of luma (in integers, so in any order the same,
 * and in one vector instruction for many pixels). Spans are at most
 * SPAN_MAX pixels, which keeps the sums of squares within 32 bits. */
#define SPAN_MAX 2048

PIXEL_LOOP static void
add_luma_span (const guint8 *restrict luma,
               int                    n,
               Sums                  *sums)
{
  guint32 sum = 0, sum2 = 0, dark = 0;

  for (int i = 0; i < n; i++)
    {
      guint32 v = luma[i];

      sum += v;
      sum2 += v * v;
      dark += v <= 20;
    }
  sums->n += n;
  sums->sum += sum;
  sums->sum2 += sum2;
  sums->dark += dark;
}

/* The Laplacian (four times a pixel less its four neighbours) of a span
 * of a row that has a row above and below. */
PIXEL_LOOP static void
add_laplacian_span (const guint8 *restrict row,
               const guint8 *restrict above,
               const guint8 *restrict below,
               int                    n,
               Sums                  *sums)
{
  gint32 sum = 0;
  guint32 sum2 = 0;

  for (int i = 0; i < n; i++)
    {
      gint32 lap = 4 * row[i] - row[i - 1] - row[i + 1] - above[i] - below[i];

      sum += lap;
      sum2 += (guint32) (lap * lap);
    }
  sums->n_lap += n;
  sums->lap_sum += sum;
  sums->lap_sum2 += sum2;
}

static void
add_luma (const guint8 *luma,
          int           n,
          Sums         *sums)
{
  for (int i = 0; i < n; i += SPAN_MAX)
    add_luma_span (luma + i, MIN (n - i, SPAN_MAX), sums);
}

static void
add_laplacian (const guint8 *row,
               const guint8 *above,
               const guint8 *below,
               int           n,
               Sums         *sums)
{
  for (int i = 0; i < n; i += SPAN_MAX)
    add_laplacian_span (row + i, above + i, below + i, MIN (n - i, SPAN_MAX), sums);
}

static void
sums_add (Sums       *to,
          const Sums *from)
{
  to->n += from->n;
  to->sum += from->sum;
  to->sum2 += from->sum2;
  to->n_lap += from->n_lap;
  to->lap_sum += from->lap_sum;
  to->lap_sum2 += from->lap_sum2;
  to->clipped += from->clipped;
  to->dark += from->dark;
}

static void
measure_tiles (Context *ctx)
{
  int w = ctx->small->width;
  int h = ctx->small->height;

  for (int i = 0; i <= GRID; i++)
    {
      ctx->tile_x[i] = w * i / GRID;
      ctx->tile_y[i] = h * i / GRID;
    }

  memset (&ctx->whole, 0, sizeof ctx->whole);
  for (int ty = 0; ty < GRID; ty++)
    for (int tx = 0; tx < GRID; tx++)
      {
        Tile *t = &ctx->tiles[ty * GRID + tx];
        int x0 = ctx->tile_x[tx], x1 = ctx->tile_x[tx + 1];
        /* The Laplacian's span: not the image's first or last column. */
        int lx0 = MAX (x0, 1), lx1 = MIN (x1, w - 1);
        Sums sums = { 0 };

        for (int y = ctx->tile_y[ty]; y < ctx->tile_y[ty + 1]; y++)
          {
            const guint8 *row = ctx->luma + (gsize) y * w;
            const guint8 *rgb = vetter_pixels_row (ctx->small, y);

            add_luma (row + x0, x1 - x0, &sums);
            /* Without branches: whether a pixel is clipped is hard to guess. */
            for (int x = x0; x < x1; x++)
              sums.clipped += (rgb[x * 3] >= 250) & (rgb[x * 3 + 1] >= 250) & (rgb[x * 3 + 2] >= 250);
            if (y > 0 && y < h - 1 && lx1 > lx0)
              add_laplacian (row + lx0, row + lx0 - w, row + lx0 + w, lx1 - lx0, &sums);
          }
        sums_add (&ctx->whole, &sums);
        if (sums.n == 0)
          continue;
        t->mean = (double) sums.sum / sums.n;
        t->std = sqrt (MAX (0.0, (double) sums.sum2 / sums.n - t->mean * t->mean));
        t->laplacian = sums.n_lap ? sqrt ((double) sums.lap_sum2 / sums.n_lap) : 0;
        t->clipped = (double) sums.clipped / sums.n;
        t->dark = (double) sums.dark / sums.n;
      }
}

/* The bounding box, in source pixels, of the largest 4-connected group of
 * marked tiles. Returns the number of tiles in that group. */
static int
largest_group_box (Context        *ctx,
                   const gboolean  marked[GRID * GRID],
                   VetterRect     *box)
{
  int label[GRID * GRID];
  int stack[GRID * GRID];
  int best = 0;

  memset (label, 0, sizeof label);
  for (int start = 0; start < GRID * GRID; start++)
    {
      int top = 0, count = 0;
      int x0 = GRID, y0 = GRID, x1 = -1, y1 = -1;

      if (!marked[start] || label[start])
        continue;
      label[start] = 1;
      stack[top++] = start;
      while (top > 0)
        {
          int i = stack[--top];
          int tx = i % GRID, ty = i / GRID;
          int neighbours[4] = { tx > 0 ? i - 1 : -1, tx < GRID - 1 ? i + 1 : -1,
                                ty > 0 ? i - GRID : -1, ty < GRID - 1 ? i + GRID : -1 };

          count++;
          x0 = MIN (x0, tx); x1 = MAX (x1, tx);
          y0 = MIN (y0, ty); y1 = MAX (y1, ty);
          for (int k = 0; k < 4; k++)
            if (neighbours[k] >= 0 && marked[neighbours[k]] && !label[neighbours[k]])
              {
                label[neighbours[k]] = 1;
                stack[top++] = neighbours[k];
              }
        }
      if (count > best)
        {
          double sx = (double) ctx->source_width / ctx->small->width;
          double sy = (double) ctx->source_height / ctx->small->height;

          best = count;
          box->x = (int) floor (ctx->tile_x[x0] * sx);
          box->y = (int) floor (ctx->tile_y[y0] * sy);
          box->width = MIN (ctx->source_width, (int) ceil (ctx->tile_x[x1 + 1] * sx)) - box->x;
          box->height = MIN (ctx->source_height, (int) ceil (ctx->tile_y[y1 + 1] * sy)) - box->y;
        }
    }
  return best;
}

/* ---- Defects -------------------------------------------------------------- */

/* A tile has detail worth judging when its contrast is above the noise of
 * a flat wall or sky; there, sharp edges make the Laplacian large relative
 * to the contrast, and blur makes it small. */
#define DETAIL_STD 12.0
#define BLURRY_RATIO 0.22
#define SHARP_RATIO 0.45

static void
find_blur (Context   *ctx,
           GPtrArray *defects)
{
  gboolean blurry[GRID * GRID] = { FALSE };
  int n_detail = 0, n_blurry = 0, n_sharp = 0;
  VetterRect box;
  int group;

  for (int i = 0; i < GRID * GRID; i++)
    {
      const Tile *t = &ctx->tiles[i];
      double ratio;

      if (t->std < DETAIL_STD)
        continue;
      n_detail++;
      ratio = t->laplacian / t->std;
      if (ratio < BLURRY_RATIO)
        {
          blurry[i] = TRUE;
          n_blurry++;
        }
      else if (ratio > SHARP_RATIO)
        n_sharp++;
    }

  if (n_detail < 4 || n_blurry == 0)
    return;

  if (n_sharp * 25 <= n_detail)
    {
      /* Nothing in the picture is sharp: the whole image is out of focus. */
      if (n_blurry * 2 >= n_detail)
        g_ptr_array_add (defects,
                         vetter_defect_new ("blurry", VETTER_SEVERITY_HIGH,
                                            50 + 50 * n_blurry / n_detail, NULL,
                                            "The whole image is out of focus"));
      return;
    }

  group = largest_group_box (ctx, blurry, &box);
  if (group * 100 >= n_detail * 15 && group >= 3)
    g_ptr_array_add (defects,
                     vetter_defect_new ("blurry", VETTER_SEVERITY_MEDIUM,
                                        MIN (95, 40 + 100 * group / n_detail), &box,
                                        "Part of the image is out of focus"));
}

static void
find_exposure (Context   *ctx,
               double     brightness,
               GPtrArray *defects)
{
  gboolean marked[GRID * GRID];
  double clipped = 0, dark = 0;
  VetterRect box;
  int group;

  for (int i = 0; i < GRID * GRID; i++)
    {
      clipped += ctx->tiles[i].clipped;
      dark += ctx->tiles[i].dark;
    }
  clipped /= GRID * GRID;
  dark /= GRID * GRID;

  if (clipped >= 0.05)
    {
      VetterSeverity severity = clipped >= 0.30 ? VETTER_SEVERITY_HIGH
                              : clipped >= 0.12 ? VETTER_SEVERITY_MEDIUM : VETTER_SEVERITY_LOW;

      for (int i = 0; i < GRID * GRID; i++)
        marked[i] = ctx->tiles[i].clipped >= 0.5;
      group = largest_group_box (ctx, marked, &box);
      g_ptr_array_add (defects,
                       vetter_defect_new ("overexposed", severity, (int) MIN (99, 50 + clipped * 150),
                                          group > 0 && group < GRID * GRID * 9 / 10 ? &box : NULL,
                                          "%d%% of the image is blown out to white",
                                          (int) round (clipped * 100)));
    }

  if (brightness < 45 && dark >= 0.45)
    {
      VetterSeverity severity = brightness < 25 ? VETTER_SEVERITY_HIGH
                              : brightness < 35 ? VETTER_SEVERITY_MEDIUM : VETTER_SEVERITY_LOW;

      for (int i = 0; i < GRID * GRID; i++)
        marked[i] = ctx->tiles[i].dark >= 0.6;
      group = largest_group_box (ctx, marked, &box);
      g_ptr_array_add (defects,
                       vetter_defect_new ("underexposed", severity, (int) MIN (99, 50 + dark * 50),
                                          group > 0 && group < GRID * GRID * 9 / 10 ? &box : NULL,
                                          "The image is too dark (%d%% of it is near black)",
                                          (int) round (dark * 100)));
    }
}

typedef struct
{
  int    size;      /* rows or columns, on the small copy */
  double rgb[3];    /* the bar's colour */
} Border;

/* The mean colour of one row (@along_rows) or column, and the standard
 * deviation of its luma. */
static void
line_stats (const VetterPixels *p,
            gboolean            along_rows,
            int                 line,
            double              mean[3],
            double             *luma_std)
{
  int length = along_rows ? p->width : p->height;
  double sum[3] = { 0, 0, 0 }, sum_luma = 0, sum2 = 0, mean_luma;

  for (int k = 0; k < length; k++)
    {
      const guint8 *px = along_rows ? vetter_pixels_row (p, line) + k * 3
                                    : vetter_pixels_row (p, k) + line * 3;
      double luma = 0.299 * px[0] + 0.587 * px[1] + 0.114 * px[2];

      sum[0] += px[0]; sum[1] += px[1]; sum[2] += px[2];
      sum_luma += luma;
      sum2 += luma * luma;
    }
  for (int c = 0; c < 3; c++)
    mean[c] = sum[c] / length;
  mean_luma = sum_luma / length;
  *luma_std = sqrt (MAX (0.0, sum2 / length - mean_luma * mean_luma));
}

static double
colour_difference (const double a[3],
                   const double b[3])
{
  return fabs (a[0] - b[0]) + fabs (a[1] - b[1]) + fabs (a[2] - b[2]);
}

/* Counts the uniform lines at one edge. @along_rows: top/bottom bars. */
static Border
measure_border (const VetterPixels *p,
                gboolean            along_rows,
                gboolean            from_end)
{
  int lines = along_rows ? p->height : p->width;
  Border border = { 0, { 0, 0, 0 } };
  double mean[3], std;

  for (int l = 0; l < lines / 2; l++)
    {
      line_stats (p, along_rows, from_end ? lines - 1 - l : l, mean, &std);
      if (std > 4.0)
        break;
      if (l == 0)
        memcpy (border.rgb, mean, sizeof mean);
      else if (colour_difference (mean, border.rgb) > 10)
        break;
      border.size = l + 1;
    }

  /* A bar ends abruptly where the picture starts; a sky or a gradient
   * fades. Without a hard edge there is no bar. The line just past the
   * bar may blend both (the copy analysed is shrunk): the one after it
   * is the picture's. */
  if (border.size > 0 && border.size < lines / 2)
    {
      int past = MIN (border.size + 1, lines / 2);

      line_stats (p, along_rows, from_end ? lines - 1 - past : past, mean, &std);
      if (colour_difference (mean, border.rgb) < 40 && std < 15)
        border.size = 0;
    }
  return border;
}

static gboolean
same_colour (const Border *a,
             const Border *b)
{
  return colour_difference (a->rgb, b->rgb) <= 24;
}
static gboolean
is_dark (const Border *b)
{
  return 0.299 * b->rgb[0] + 0.587 * b->rgb[1] + 0.114 * b->rgb[2] <= 40;
}

/* The share of a line's pixels, between @from and @to, whose colour is
 * far from @rgb: where a bar gives way to a picture, nearly all of them. */
static double
share_unlike (const VetterPixels *p,
              gboolean            along_rows,
              int                 line,
              int                 from,
              int                 to,
              const double        rgb[3])
{
  int unlike = 0;

  if (to <= from)
    return 0;
  for (int k = from; k < to; k++)
    {
      const guint8 *px = along_rows ? vetter_pixels_row (p, line) + k * 3 : vetter_pixels_row (p, k) + line * 3;

      unlike += fabs (px[0] - rgb[0]) + fabs (px[1] - rgb[1]) + fabs (px[2] - rgb[2]) > 40;
    }
  return (double) unlike / (to - from);
}

/* Bars on two opposite sides (or dark bars anywhere) with content between
 * them, or dark bars on all four sides around a picture that fills the
 * rectangle between them (a photo placed on black). A product shot on
 * white is not letterboxed, nor is a dark picture whose edges are dark.
 * The rectangle between the bars found is what the crops may use. */
static void
find_letterbox (Context        *ctx,
                VetterAnalysis *analysis)
{
  const VetterPixels *p = ctx->small;
  Border bars[4] = {
    measure_border (p, TRUE, FALSE), measure_border (p, TRUE, TRUE),
    measure_border (p, FALSE, FALSE), measure_border (p, FALSE, TRUE),
  };
  static const char * const side_names[4] = { "top", "bottom", "left", "right" };
  int min_rows = MAX (2, p->height * 3 / 100);
  int min_cols = MAX (2, p->width * 3 / 100);
  gboolean has[4];
  gboolean present[4];
  double sx = (double) ctx->source_width / p->width;
  double sy = (double) ctx->source_height / p->height;
  VetterRect boxes[4];
  VetterRect content;
  gboolean letterbox, pillarbox, framed = TRUE;
  double share = 0;

  for (int i = 0; i < 4; i++)
    has[i] = bars[i].size >= (i < 2 ? min_rows : min_cols);

  boxes[0] = (VetterRect) { 0, 0, ctx->source_width, (int) ceil (bars[0].size * sy) };
  boxes[1] = (VetterRect) { 0, ctx->source_height - (int) ceil (bars[1].size * sy), ctx->source_width,
                            (int) ceil (bars[1].size * sy) };
  boxes[2] = (VetterRect) { 0, 0, (int) ceil (bars[2].size * sx), ctx->source_height };
  boxes[3] = (VetterRect) { ctx->source_width - (int) ceil (bars[3].size * sx), 0, (int) ceil (bars[3].size * sx),
                            ctx->source_height };

  letterbox = has[0] && has[1] && same_colour (&bars[0], &bars[1]) && !(has[2] && has[3]);
  pillarbox = has[2] && has[3] && same_colour (&bars[2], &bars[3]) && !(has[0] && has[1]);
  for (int i = 0; i < 4; i++)
    present[i] = has[i] && ((i < 2 && letterbox) || (i >= 2 && pillarbox) || is_dark (&bars[i]));

  /* Four dark sides: a frame only if a picture fills the rectangle they
   * leave, edge to edge, rather than a dark picture fading into them. */
  if (present[0] && present[1] && present[2] && present[3] && !letterbox && !pillarbox)
    {
      int top = bars[0].size, bottom = p->height - 1 - bars[1].size;
      int left = bars[2].size, right = p->width - 1 - bars[3].size;

      framed = share_unlike (p, TRUE, top, left, right + 1, bars[0].rgb) > 0.6 &&
               share_unlike (p, TRUE, bottom, left, right + 1, bars[1].rgb) > 0.6 &&
               share_unlike (p, FALSE, left, top, bottom + 1, bars[2].rgb) > 0.6 &&
               share_unlike (p, FALSE, right, top, bottom + 1, bars[3].rgb) > 0.6;
      if (!framed)
        return;
    }

  for (int i = 0; i < 4; i++)
    if (present[i])
      share += (double) boxes[i].width * boxes[i].height / ((double) ctx->source_width * ctx->source_height);

  /* The crops are cut from between the bars found, and past the line of
   * the copy analysed that blends bar and picture. */
  content.x = present[2] ? (int) ceil ((bars[2].size + 1) * sx) : 0;
  content.y = present[0] ? (int) ceil ((bars[0].size + 1) * sy) : 0;
  content.width = ctx->source_width - content.x - (present[3] ? (int) ceil ((bars[3].size + 1) * sx) : 0);
  content.height = ctx->source_height - content.y - (present[1] ? (int) ceil ((bars[1].size + 1) * sy) : 0);
  if ((double) content.width * content.height >= 0.1 * ctx->source_width * ctx->source_height)
    analysis->content = content;

  for (int i = 0; i < 4; i++)
    if (present[i])
      g_ptr_array_add (analysis->defects,
                       vetter_defect_new ("letterbox", share > 0.25 ? VETTER_SEVERITY_HIGH : VETTER_SEVERITY_MEDIUM,
                                          90, &boxes[i], "A %d-pixel bar of one colour along the %s edge",
                                          i < 2 ? boxes[i].height : boxes[i].width, side_names[i]));
}

static void
find_shape_defects (Context   *ctx,
                    int        jpeg_quality,
                    GPtrArray *defects)
{
  int short_side = MIN (ctx->source_width, ctx->source_height);
  int long_side = MAX (ctx->source_width, ctx->source_height);
  double aspect = (double) long_side / MAX (1, short_side);

  if (short_side < 600)
    g_ptr_array_add (defects,
                     vetter_defect_new ("low_resolution",
                                        short_side < 300 ? VETTER_SEVERITY_HIGH : VETTER_SEVERITY_MEDIUM,
                                        95, NULL,
                                        "%d×%d pixels; ads need at least 600 on the short side",
                                        ctx->source_width, ctx->source_height));

  if (aspect > 2.5)
    g_ptr_array_add (defects,
                     vetter_defect_new ("extreme_aspect",
                                        aspect > 4.0 ? VETTER_SEVERITY_HIGH : VETTER_SEVERITY_MEDIUM,
                                        95, NULL,
                                        "The image is %.1f times as %s as it is %s",
                                        aspect, ctx->source_width > ctx->source_height ? "wide" : "tall",
                                        ctx->source_width > ctx->source_height ? "tall" : "wide"));

  if (jpeg_quality >= 0 && jpeg_quality < 30)
    g_ptr_array_add (defects,
                     vetter_defect_new ("heavy_compression",
                                        jpeg_quality < 15 ? VETTER_SEVERITY_HIGH : VETTER_SEVERITY_MEDIUM,
                                        80, NULL,
                                        "Saved at JPEG quality of about %d; expect blocks and smearing",
                                        jpeg_quality));
}

/* ---- Colours -------------------------------------------------------------- */

typedef struct
{
  const char *name;
  int         r, g, b;
} NamedColour;

static const NamedColour named_colours[] = {
  { "black", 15, 15, 15 }, { "dark gray", 70, 70, 70 }, { "gray", 128, 128, 128 },
  { "silver", 192, 192, 192 }, { "white", 245, 245, 245 }, { "red", 200, 30, 35 },
  { "maroon", 120, 20, 25 }, { "orange", 240, 130, 30 }, { "yellow", 240, 215, 50 },
  { "olive", 120, 120, 30 }, { "green", 50, 160, 60 }, { "dark green", 20, 80, 35 },
  { "teal", 0, 128, 128 }, { "cyan", 70, 200, 220 }, { "sky blue", 135, 190, 235 },
  { "blue", 40, 80, 200 }, { "navy", 20, 30, 90 }, { "purple", 120, 50, 160 },
  { "magenta", 200, 40, 160 }, { "pink", 240, 150, 185 }, { "brown", 115, 70, 35 },
  { "tan", 200, 160, 110 }, { "beige", 230, 215, 180 },
};

/* The "redmean" approximation of perceptual distance. */
static double
colour_distance (double r1, double g1, double b1,
                 double r2, double g2, double b2)
{
  double rmean = (r1 + r2) / 2, dr = r1 - r2, dg = g1 - g2, db = b1 - b2;

  return sqrt ((2 + rmean / 256) * dr * dr + 4 * dg * dg + (2 + (255 - rmean) / 256) * db * db);
}

static const char *
name_colour (double r, double g, double b)
{
  const char *best = named_colours[0].name;
  double best_d = G_MAXDOUBLE;

  for (guint i = 0; i < G_N_ELEMENTS (named_colours); i++)
    {
      double d = colour_distance (r, g, b, named_colours[i].r, named_colours[i].g, named_colours[i].b);

      if (d < best_d)
        {
          best_d = d;
          best = named_colours[i].name;
        }
    }
  return best;
}

typedef struct
{
  double sum[3];
  gint64 count;
} Bin;

static int
compare_bins (const void *a,
              const void *b)
{
  gint64 ca = ((const Bin *) a)->count, cb = ((const Bin *) b)->count;

  return ca < cb ? 1 : ca > cb ? -1 : 0;
}

static int
compare_colours (gconstpointer a,
                 gconstpointer b)
{
  const VetterColour *ca = *(VetterColour * const *) a, *cb = *(VetterColour * const *) b;

  return cb->confidence - ca->confidence;
}

static GPtrArray *
dominant_colours (const VetterPixels *p)
{
  enum { LEVELS = 16, MAX_CLUSTERS = 12 };
  g_autofree Bin *bins = g_new0 (Bin, LEVELS * LEVELS * LEVELS);
  Bin clusters[MAX_CLUSTERS];
  GPtrArray *colours = g_ptr_array_new_with_free_func ((GDestroyNotify) colour_free);
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  int n_clusters = 0;
  gint64 total = (gint64) p->width * p->height;

  for (int y = 0; y < p->height; y++)
    {
      const guint8 *row = vetter_pixels_row (p, y);

      for (int x = 0; x < p->width; x++)
        {
          const guint8 *px = row + x * 3;
          Bin *bin = &bins[(px[0] >> 4) * LEVELS * LEVELS + (px[1] >> 4) * LEVELS + (px[2] >> 4)];

          bin->sum[0] += px[0];
          bin->sum[1] += px[1];
          bin->sum[2] += px[2];
          bin->count++;
        }
    }

  qsort (bins, LEVELS * LEVELS * LEVELS, sizeof (Bin), compare_bins);

  /* Greedy: the busiest bins found clusters, the rest join the nearest. */
  for (int i = 0; i < LEVELS * LEVELS * LEVELS && bins[i].count > 0; i++)
    {
      double r = bins[i].sum[0] / bins[i].count, g = bins[i].sum[1] / bins[i].count, b = bins[i].sum[2] / bins[i].count;
      int nearest = -1;
      double nearest_d = G_MAXDOUBLE;

      for (int c = 0; c < n_clusters; c++)
        {
          double d = colour_distance (r, g, b, clusters[c].sum[0] / clusters[c].count,
                                      clusters[c].sum[1] / clusters[c].count,
                                      clusters[c].sum[2] / clusters[c].count);
          if (d < nearest_d)
            {
              nearest_d = d;
              nearest = c;
            }
        }
      if ((nearest < 0 || nearest_d > 120) && n_clusters < MAX_CLUSTERS)
        {
          clusters[n_clusters++] = bins[i];
          continue;
        }
      for (int k = 0; k < 3; k++)
        clusters[nearest].sum[k] += bins[i].sum[k];
      clusters[nearest].count += bins[i].count;
    }

  for (int c = 0; c < n_clusters; c++)
    {
      double r = clusters[c].sum[0] / clusters[c].count;
      double g = clusters[c].sum[1] / clusters[c].count;
      double b = clusters[c].sum[2] / clusters[c].count;
      const char *name = name_colour (r, g, b);
      int share = (int) round (100.0 * clusters[c].count / total);
      VetterColour *colour = g_hash_table_lookup (by_name, name);

      if (colour == NULL)
        {
          colour = g_new0 (VetterColour, 1);
          colour->label = g_strdup (name);
          colour->rgb = (guint32) lround (r) << 16 | (guint32) lround (g) << 8 | (guint32) lround (b);
          g_hash_table_insert (by_name, colour->label, colour);
          g_ptr_array_add (colours, colour);
        }
      colour->confidence += share;
    }

  g_ptr_array_sort (colours, compare_colours);
  /* Colours that cover little of the image say little about it. */
  while (colours->len > 0 &&
         (colours->len > 5 || ((VetterColour *) g_ptr_array_index (colours, colours->len - 1))->confidence < 5))
    g_ptr_array_remove_index (colours, colours->len - 1);
  return colours;
}

/* ---- Perceptual hash ------------------------------------------------------ */

/* The classic DCT hash: 32×32 grey, keep the lowest 8×8 frequencies, one bit
 * each for above or below their median. Survives rescaling, recompression
 * and small colour changes; a few bits differ between near-duplicates. */
guint64
vetter_phash (const VetterPixels *pixels)
{
  g_autoptr(VetterPixels) tiny = vetter_resample (pixels, NULL, 32, 32);
  double grey[32][32], coef[8][8], row_dct[32][8];
  double values[63], median;
  guint64 hash = 0;
  int n = 0;

  for (int y = 0; y < 32; y++)
    {
      const guint8 *row = vetter_pixels_row (tiny, y);

      for (int x = 0; x < 32; x++)
        grey[y][x] = 0.299 * row[x * 3] + 0.587 * row[x * 3 + 1] + 0.114 * row[x * 3 + 2];
    }
  for (int y = 0; y < 32; y++)
    for (int u = 0; u < 8; u++)
      {
        double s = 0;
        for (int x = 0; x < 32; x++)
          s += grey[y][x] * cos ((2 * x + 1) * u * G_PI / 64);
        row_dct[y][u] = s;
      }
  for (int v = 0; v < 8; v++)
    for (int u = 0; u < 8; u++)
      {
        double s = 0;
        for (int y = 0; y < 32; y++)
          s += row_dct[y][u] * cos ((2 * y + 1) * v * G_PI / 64);
        coef[v][u] = s;
      }

  for (int v = 0; v < 8; v++)
    for (int u = 0; u < 8; u++)
      if (u || v)
        values[n++] = coef[v][u];
  /* Median by partial selection sort: 63 values, cheap enough. */
  for (int i = 0; i <= 31; i++)
    for (int j = i + 1; j < 63; j++)
      if (values[j] < values[i])
        {
          double t = values[i];
          values[i] = values[j];
          values[j] = t;
        }
  median = values[31];

  for (int v = 0; v < 8; v++)
    for (int u = 0; u < 8; u++)
      hash = (hash << 1) | (coef[v][u] > median ? 1 : 0);
  return hash;
}

int
vetter_phash_distance (guint64 a,
                       guint64 b)
{
  return __builtin_popcountll (a ^ b);
}

char *
vetter_phash_to_string (guint64 hash)
{
  return g_strdup_printf ("%016" G_GINT64_MODIFIER "x", hash);
}

gboolean
vetter_phash_parse (const char *str,
                    guint64    *hash)
{
  char *end = NULL;

  if (str == NULL || strlen (str) != 16)
    return FALSE;
  *hash = g_ascii_strtoull (str, &end, 16);
  return end != NULL && *end == '\0';
}

/* ---- Saliency ------------------------------------------------------------- */

/* The box blur across, on BLUR_ROWS rows at once: a row's running sum is
 * a chain of additions, each waiting for the one before; several rows'
 * chains side by side keep the processor busy. Each row's sums are the
 * same as alone. */
#define BLUR_ROWS 4

static void
blur_rows_across (const float *raw,
                  float       *out,
                  int          w,
                  int          y0,
                  int          rows,
                  int          radius)
{
  float acc[BLUR_ROWS] = { 0 };
  int count = 0;

  for (int x = -radius; x < w; x++)
    {
      if (x + radius < w)
        {
          for (int r = 0; r < rows; r++)
            acc[r] += raw[(gsize) (y0 + r) * w + x + radius];
          count++;
        }
      if (x - radius - 1 >= 0)
        {
          for (int r = 0; r < rows; r++)
            acc[r] -= raw[(gsize) (y0 + r) * w + x - radius - 1];
          count--;
        }
      if (x >= 0)
        for (int r = 0; r < rows; r++)
          out[(gsize) (y0 + r) * w + x] = acc[r] / count;
    }
}

/* Edges, saturation and skin tones, smoothed: where people look in an ad
 * photo, in the manner of an attention crop. */
static float *
saliency_map (Context *ctx)
{
  const VetterPixels *p = ctx->small;
  int w = p->width, h = p->height;
  float *raw = g_new0 (float, (gsize) w * h);
  float *out = g_new0 (float, (gsize) w * h);
  float *tmp = g_new0 (float, (gsize) w * h);
  int radius = MAX (2, MAX (w, h) / 64);

  for (int y = 1; y < h - 1; y++)
    {
      const guint8 *luma = ctx->luma + (gsize) y * w;
      const guint8 *rgb = vetter_pixels_row (p, y);

      for (int x = 1; x < w - 1; x++)
        {
          int gx = luma[x + 1] - luma[x - 1];
          int gy = luma[x + w] - luma[x - w];
          int r = rgb[x * 3], g = rgb[x * 3 + 1], b = rgb[x * 3 + 2];
          int saturation = MAX (r, MAX (g, b)) - MIN (r, MIN (g, b));
          gboolean skin = r > 95 && g > 40 && b > 20 && r > g && r > b && r - MIN (g, b) > 15 && abs (r - g) > 15;

          raw[(gsize) y * w + x] = (float) (abs (gx) + abs (gy)) + 0.35f * saturation + (skin ? 40.0f : 0.0f);
        }
    }

  /* Box blur, horizontal then vertical. */
  for (int y = 0; y < h; y += BLUR_ROWS)
    blur_rows_across (raw, tmp, w, y, MIN (BLUR_ROWS, h - y), radius);
  /* The vertical pass a row at a time, every column's sum moving down at
   * once: walking down each column in turn reads memory a row's width
   * apart, and a column's sums can only be added one after the other. */
  {
    g_autofree float *acc = g_new0 (float, w);
    int count = 0;

    for (int y = -radius; y < h; y++)
      {
        if (y + radius < h)
          {
            const float *in = tmp + (gsize) (y + radius) * w;

            for (int x = 0; x < w; x++)
              acc[x] += in[x];
            count++;
          }
        if (y - radius - 1 >= 0)
          {
            const float *in = tmp + (gsize) (y - radius - 1) * w;

            for (int x = 0; x < w; x++)
              acc[x] -= in[x];
            count--;
          }
        if (y >= 0)
          for (int x = 0; x < w; x++)
            out[(gsize) y * w + x] = acc[x] / count;
      }
  }

  g_free (raw);
  g_free (tmp);
  return out;
}

/* ---- The whole analysis --------------------------------------------------- */

VetterAnalysis *
vetter_analyse (const VetterPixels *small,
                int                 source_width,
                int                 source_height,
                int                 jpeg_quality)
{
  VetterAnalysis *analysis = g_new0 (VetterAnalysis, 1);
  g_autofree Context *ctx = g_new0 (Context, 1);
  const Sums *whole = &ctx->whole;

  ctx->small = small;
  ctx->luma = vetter_pixels_to_luma (small);
  ctx->source_width = source_width;
  ctx->source_height = source_height;

  /* The tiles cover the image: their sums are the whole image's. */
  measure_tiles (ctx);
  analysis->brightness = (double) whole->sum / whole->n;
  analysis->contrast = sqrt (MAX (0.0, (double) whole->sum2 / whole->n - analysis->brightness * analysis->brightness));
  if (whole->n_lap)
    {
      double mean = (double) whole->lap_sum / whole->n_lap;

      analysis->sharpness = (double) whole->lap_sum2 / whole->n_lap - mean * mean;
    }
  analysis->phash = vetter_phash (small);
  analysis->colours = dominant_colours (small);
  analysis->defects = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_defect_free);

  find_blur (ctx, analysis->defects);
  find_exposure (ctx, analysis->brightness, analysis->defects);
  analysis->content = (VetterRect) { 0, 0, source_width, source_height };
  find_letterbox (ctx, analysis);
  find_shape_defects (ctx, jpeg_quality, analysis->defects);

  analysis->saliency = saliency_map (ctx);
  analysis->saliency_width = small->width;
  analysis->saliency_height = small->height;

  g_free (ctx->luma);
  return analysis;
}
