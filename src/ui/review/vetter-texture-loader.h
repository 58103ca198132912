/* vetter-texture-loader.h: images from disk to textures, off the UI thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Loads the first of @paths that is a readable image, EXIF orientation
 * applied, shrunk to at most @max_size pixels on its long side. */
void        vetter_texture_load_async  (const char * const  *paths,
                                        int                  max_size,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
GdkTexture *vetter_texture_load_finish (GAsyncResult        *result,
                                        GError             **error);

G_END_DECLS
