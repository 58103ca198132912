/* vetter-picture-cache.h: the images of the ads around the one on screen,
 * decoded and sized for the view before they are needed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "vetter-records.h"

G_BEGIN_DECLS

#define VETTER_TYPE_PICTURE_CACHE (vetter_picture_cache_get_type ())

G_DECLARE_FINAL_TYPE (VetterPictureCache, vetter_picture_cache, VETTER, PICTURE_CACHE, GObject)

VetterPictureCache *vetter_picture_cache_new     (void);

/* The size pictures are made for, in device pixels: the view's. Pictures
 * made for a smaller view are made again. */
void                vetter_picture_cache_set_fit (VetterPictureCache *self,
                                                  int                 width,
                                                  int                 height);
/* Starts making image @index of @item (its first is 0) for the view, or
 * at full size when @full, unless it is made or on its way. */
void                vetter_picture_cache_prepare (VetterPictureCache *self,
                                                  VetterItemDetail   *item,
                                                  guint               index,
                                                  gboolean            full);
/* Whether that picture is made; @texture: (out) (transfer none)
 * (nullable): it, or %NULL when the image cannot be shown (@error says
 * why). */
gboolean            vetter_picture_cache_lookup  (VetterPictureCache *self,
                                                  gint64              item_id,
                                                  guint               index,
                                                  gboolean            full,
                                                  GdkTexture        **texture,
                                                  const GError      **error);
/* Lets go of every picture of items not in @item_ids. */
void                vetter_picture_cache_keep    (VetterPictureCache *self,
                                                  const gint64       *item_ids,
                                                  guint               n_ids);

/* The files that show @image, NULL-terminated: the advertiser's own when
 * it is on this machine, else its compressed variant (the same size,
 * orientation applied, which is what defect boxes are measured in).
 * Returns: (transfer container): the paths are @image's. */
GPtrArray          *vetter_image_display_paths   (VetterImageInfo    *image);

G_END_DECLS
