/* vetter-png.h: the common PNG of a photograph, read fast
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vetter-pixels.h"

G_BEGIN_DECLS

/* An 8-bit RGB, non-interlaced PNG (what a photograph saved as PNG
 * nearly always is), decoded into an image in one buffer. NULL, with
 * @file untouched, for any other kind, for one over @max_pixels (0: no
 * limit), and for one this reader finds damaged: the general reader then
 * decides, and says what is wrong. Once the image data is read and the
 * image's memory had, @file is let go of and set to NULL, so the whole
 * file and the whole image are not held at once: NULL after that means
 * the image data itself is damaged. */
VetterPixels *vetter_png_read_rgb8 (GBytes **file,
                                    gint64   max_pixels);

G_END_DECLS
