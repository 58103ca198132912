/* vetter-texture-loader.h: images from disk to textures, off the UI thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Loads the first of @paths that is a readable image, upright (EXIF
 * orientation applied), shrunk to fit within @fit_width × @fit_height
 * pixels and never enlarged; 0 × 0 keeps its full size. A texture the
 * size it is drawn at costs the renderer a copy, not a resampling, on
 * every frame. */
void        vetter_texture_load_async  (const char * const  *paths,
                                        int                  fit_width,
                                        int                  fit_height,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
/* Returns: (transfer full): the texture, or %NULL with @error set. */
GdkTexture *vetter_texture_load_finish (GAsyncResult        *result,
                                        GError             **error);

G_END_DECLS
