/* vetter-resample.h: area-correct downscaling of a region
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vetter-pixels.h"

G_BEGIN_DECLS

VetterPixels *vetter_resample (const VetterPixels *src,
                               const VetterRect   *region,
                               int                 width,
                               int                 height);

G_END_DECLS
