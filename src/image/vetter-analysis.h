/* vetter-analysis.h: what an image looks like and what is wrong with it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vetter-pixels.h"
#include "vetter-types.h"

G_BEGIN_DECLS

typedef struct
{
  char           *kind;        /* blurry, overexposed, underexposed, low_resolution,
                                  heavy_compression, letterbox, extreme_aspect, duplicate */
  VetterSeverity  severity;
  int             confidence;  /* 0–100 */
  gboolean        has_box;
  VetterRect      box;         /* in source pixels, after orientation */
  char           *message;
} VetterDefect;

typedef struct
{
  char   *label;       /* a colour name */
  int     confidence;  /* the share of the image, 0–100 */
  guint32 rgb;         /* 0xRRGGBB, for swatches */
} VetterColour;

typedef struct
{
  double     brightness;   /* mean luma, 0–255 */
  double     contrast;     /* standard deviation of luma */
  double     sharpness;    /* variance of the Laplacian of luma */
  guint64    phash;
  GPtrArray *colours;      /* VetterColour* */
  GPtrArray *defects;      /* VetterDefect* */
  /* Inside letterbox bars and flat margins, in source pixels: where the
   * crops may be cut from. */
  VetterRect content;
  /* Where the content is, on the analysis copy: for the crops. */
  float     *saliency;
  int        saliency_width;
  int        saliency_height;
} VetterAnalysis;

#define VETTER_ANALYSIS_SIZE 512

VetterDefect   *vetter_defect_new      (const char      *kind,
                                        VetterSeverity   severity,
                                        int              confidence,
                                        const VetterRect *box,
                                        const char      *format,
                                        ...) G_GNUC_PRINTF (5, 6);
void            vetter_defect_free     (VetterDefect    *defect);
void            vetter_analysis_free   (VetterAnalysis  *analysis);

/* @small is a copy of the image whose long side is at most
 * VETTER_ANALYSIS_SIZE; @source_width and @source_height are the real size,
 * which boxes are given in. @jpeg_quality is -1 when unknown. */
VetterAnalysis *vetter_analyse         (const VetterPixels *small,
                                        int                 source_width,
                                        int                 source_height,
                                        int                 jpeg_quality);

guint64         vetter_phash           (const VetterPixels *pixels);
int             vetter_phash_distance  (guint64          a,
                                        guint64          b);
char           *vetter_phash_to_string (guint64          hash);
gboolean        vetter_phash_parse     (const char      *str,
                                        guint64         *hash);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterAnalysis, vetter_analysis_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterDefect, vetter_defect_free)

G_END_DECLS
