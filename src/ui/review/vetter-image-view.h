/* vetter-image-view.h: an image, zoomable and pannable, with boxes drawn over it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define VETTER_TYPE_IMAGE_VIEW (vetter_image_view_get_type ())

G_DECLARE_FINAL_TYPE (VetterImageView, vetter_image_view, VETTER, IMAGE_VIEW, GtkWidget)

typedef enum
{
  VETTER_BOX_LOW,
  VETTER_BOX_MEDIUM,
  VETTER_BOX_HIGH,
} VetterBoxLevel;

GtkWidget  *vetter_image_view_new             (void);

/* @source_width and @source_height are the size the boxes are measured
 * in; the texture may be a smaller copy of that image. */
void        vetter_image_view_set_image       (VetterImageView *self,
                                               GdkTexture      *texture,
                                               int              source_width,
                                               int              source_height);
/* The same image, sharper (a larger copy): the zoom, the position and the
 * boxes stay as they are. */
void        vetter_image_view_set_sharper     (VetterImageView *self,
                                               GdkTexture      *texture);
GdkTexture *vetter_image_view_get_texture     (VetterImageView *self);
void        vetter_image_view_clear_boxes     (VetterImageView *self);
void        vetter_image_view_add_box         (VetterImageView *self,
                                               int              x,
                                               int              y,
                                               int              width,
                                               int              height,
                                               const char      *label,
                                               VetterBoxLevel   level);
guint       vetter_image_view_get_n_boxes     (VetterImageView *self);
/* -1 for none */
void        vetter_image_view_set_highlighted (VetterImageView *self,
                                               int              index);
int         vetter_image_view_get_highlighted (VetterImageView *self);
/* Where the last frame drew the @index-th label (in drawing order, the
 * highlighted box's first), in widget pixels. */
gboolean    vetter_image_view_get_label_area  (VetterImageView *self,
                                               guint            index,
                                               graphene_rect_t *area);

/* Between fitting the window and one image pixel per screen pixel. */
void        vetter_image_view_toggle_zoom     (VetterImageView *self);
double      vetter_image_view_get_zoom        (VetterImageView *self);
gboolean    vetter_image_view_get_fit         (VetterImageView *self);

G_END_DECLS
