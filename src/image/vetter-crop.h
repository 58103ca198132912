/* vetter-crop.h: where the aspect variants are cut from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vetter-pixels.h"

G_BEGIN_DECLS

void       vetter_crop_largest     (int          ratio_width,
                                    int          ratio_height,
                                    int          source_width,
                                    int          source_height,
                                    int         *crop_width,
                                    int         *crop_height);
void       vetter_crop_output_size (int          crop_width,
                                    int          crop_height,
                                    int          target_width,
                                    int          target_height,
                                    int         *width,
                                    int         *height);
/* Where a @crop_width × @crop_height crop goes, inside @bounds (the whole
 * source when NULL), following @saliency (a map of the whole source). */
VetterRect vetter_crop_place       (const float      *saliency,
                                    int               saliency_width,
                                    int               saliency_height,
                                    int               source_width,
                                    int               source_height,
                                    const VetterRect *bounds,
                                    int               crop_width,
                                    int               crop_height);

G_END_DECLS
