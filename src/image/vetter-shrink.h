/* vetter-shrink.h: an image shrunk as its rows arrive
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vetter-pixels.h"

G_BEGIN_DECLS

typedef struct _VetterShrinker VetterShrinker;

/* Averages each output pixel over the area of the input it covers (the
 * same box filter as vetter_resample_area), from rows given in order, so
 * that a large image never needs to be held whole. @out_width and
 * @out_height are at most the input's, and at least an eighth of it. NULL
 * when the output cannot be allocated. */
VetterShrinker *vetter_shrinker_new      (int             in_width,
                                          int             in_height,
                                          int             out_width,
                                          int             out_height);
void            vetter_shrinker_push_row (VetterShrinker *shrinker,
                                          const guint8   *rgb);
/* Returns: (transfer full): the shrunk image, once every input row was
 * pushed (rows not given count as black). Frees @shrinker. */
VetterPixels   *vetter_shrinker_finish   (VetterShrinker *shrinker);
void            vetter_shrinker_free     (VetterShrinker *shrinker);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterShrinker, vetter_shrinker_free)

G_END_DECLS
