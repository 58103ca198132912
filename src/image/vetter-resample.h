/* vetter-resample.h: area-correct downscaling of a region
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vetter-pixels.h"

G_BEGIN_DECLS

VetterPixels *vetter_resample      (const VetterPixels *src,
                                    const VetterRect   *region,
                                    int                 width,
                                    int                 height);
VetterPixels *vetter_resample_area (const VetterPixels *src,
                                    double              region_x,
                                    double              region_y,
                                    double              region_width,
                                    double              region_height,
                                    int                 width,
                                    int                 height);
/* The same rows handed to @row_func one at a time, never held whole. */
gboolean      vetter_resample_area_rows (const VetterPixels *src,
                                         double              region_x,
                                         double              region_y,
                                         double              region_width,
                                         double              region_height,
                                         int                 width,
                                         int                 height,
                                         VetterPixelRowFunc  row_func,
                                         gpointer            user_data,
                                         GError            **error);
VetterPixels *vetter_pixels_halve  (const VetterPixels *src);
VetterPixels *vetter_pixels_quarter (const VetterPixels *src);

G_END_DECLS
