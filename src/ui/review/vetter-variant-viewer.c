/* vetter-variant-viewer.c: the variants made of an image, one at a time
 *
 * Opened from the side panel of the review page, in place of the ad's
 * picture: the arrow keys step through the variants (the compressed
 * original, the crops, the thumbnail), Escape goes back to the ad
 * ("closed"). It lives inside the window, so that closing it gives the
 * keys back to the page and nothing stays on top.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-variant-viewer"

#include "config.h"

#include <glib/gi18n.h>

#include "vetter-image-view.h"
#include "vetter-labels.h"
#include "vetter-resources.h"
#include "vetter-texture-loader.h"
#include "vetter-variant-viewer.h"

struct _VetterVariantViewer
{
  GtkWidget         parent_instance;

  VetterItemDetail *item;
  guint             image;
  guint             variant;
  char             *title;
  GCancellable     *cancellable;

  GtkLabel         *title_label;
  VetterImageView  *image_view;
};

G_DEFINE_FINAL_TYPE (VetterVariantViewer, vetter_variant_viewer, GTK_TYPE_WIDGET)

enum {
  CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GPtrArray *
variants (VetterVariantViewer *self)
{
  VetterImageInfo *image;

  if (self->item == NULL || self->image >= self->item->images->len)
    return NULL;
  image = g_ptr_array_index (self->item->images, self->image);
  return image->variants;
}

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(VetterVariantViewer) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = vetter_texture_load_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (texture)
    vetter_image_view_set_image (self->image_view, texture, gdk_texture_get_width (texture),
                                 gdk_texture_get_height (texture));
  else
    gtk_label_set_label (self->title_label, error->message);
}

static void
update (VetterVariantViewer *self)
{
  GPtrArray *all = variants (self);
  const VetterVariantInfo *variant = all && self->variant < all->len ? g_ptr_array_index (all, self->variant) : NULL;
  const char *paths[] = { variant ? variant->path : NULL, NULL };

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  vetter_image_view_set_image (self->image_view, NULL, 0, 0);
  g_clear_pointer (&self->title, g_free);
  if (variant == NULL)
    return;

  /* Translators: a variant's kind and size, then which of how many it is */
  self->title = g_strdup_printf (_("%s, %d × %d (%u of %u)"), vetter_label_for_variant (variant->kind),
                                 variant->width, variant->height, self->variant + 1, all->len);
  gtk_label_set_label (self->title_label, self->title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->image_view), GTK_ACCESSIBLE_PROPERTY_LABEL, self->title, -1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "viewer.previous", self->variant > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "viewer.next", self->variant + 1 < all->len);
  self->cancellable = g_cancellable_new ();
  /* Variants are published at their own size: shown at it, zoomable. */
  vetter_texture_load_async (paths, 0, 0, self->cancellable, on_loaded, g_object_ref (self));
}

static void
step_action (GtkWidget  *widget,
             const char *name,
             GVariant   *parameter)
{
  VetterVariantViewer *self = VETTER_VARIANT_VIEWER (widget);
  GPtrArray *all = variants (self);

  if (all == NULL)
    return;
  if (g_str_equal (name, "viewer.next") && self->variant + 1 < all->len)
    self->variant++;
  else if (g_str_equal (name, "viewer.previous") && self->variant > 0)
    self->variant--;
  else
    return;
  update (self);
}

static void
close_action (GtkWidget  *widget,
              const char *name,
              GVariant   *parameter)
{
  VetterVariantViewer *self = VETTER_VARIANT_VIEWER (widget);

  g_cancellable_cancel (self->cancellable);
  g_signal_emit (self, signals[CLOSED], 0);
}

static void
zoom_action (GtkWidget  *widget,
             const char *name,
             GVariant   *parameter)
{
  vetter_image_view_toggle_zoom (VETTER_VARIANT_VIEWER (widget)->image_view);
}

static void
vetter_variant_viewer_dispose (GObject *object)
{
  VetterVariantViewer *self = VETTER_VARIANT_VIEWER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->item, vetter_item_detail_unref);
  g_clear_pointer (&self->title, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), VETTER_TYPE_VARIANT_VIEWER);
  {
    GtkWidget *child;

    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
      gtk_widget_unparent (child);
  }

  G_OBJECT_CLASS (vetter_variant_viewer_parent_class)->dispose (object);
}

static void
vetter_variant_viewer_class_init (VetterVariantViewerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vetter_variant_viewer_dispose;

  /**
   * VetterVariantViewer::closed:
   * The moderator is done with the variants (Escape, or Close).
   */
  signals[CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 0);

  g_type_ensure (VETTER_TYPE_IMAGE_VIEW);
  vetter_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/vetter-variant-viewer.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, VetterVariantViewer, title_label);
  gtk_widget_class_bind_template_child (widget_class, VetterVariantViewer, image_view);

  gtk_widget_class_install_action (widget_class, "viewer.previous", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "viewer.next", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "viewer.close", NULL, close_action);
  gtk_widget_class_install_action (widget_class, "viewer.zoom", NULL, zoom_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "viewer.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "viewer.previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, 0, "viewer.previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "viewer.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_j, 0, "viewer.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_space, 0, "viewer.zoom", NULL);
}

static void
vetter_variant_viewer_init (VetterVariantViewer *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
vetter_variant_viewer_new (void)
{
  return g_object_new (VETTER_TYPE_VARIANT_VIEWER, NULL);
}

void
vetter_variant_viewer_show (VetterVariantViewer *self,
                            VetterItemDetail    *item,
                            guint                image,
                            guint                variant)
{
  g_return_if_fail (VETTER_IS_VARIANT_VIEWER (self));
  g_return_if_fail (item != NULL);

  if (self->item != item)
    {
      g_clear_pointer (&self->item, vetter_item_detail_unref);
      self->item = vetter_item_detail_ref (item);
    }
  self->image = image;
  self->variant = variant;
  update (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->image_view));
}

guint
vetter_variant_viewer_get_variant (VetterVariantViewer *self)
{
  g_return_val_if_fail (VETTER_IS_VARIANT_VIEWER (self), 0);
  return self->variant;
}

const char *
vetter_variant_viewer_get_title (VetterVariantViewer *self)
{
  g_return_val_if_fail (VETTER_IS_VARIANT_VIEWER (self), NULL);
  return self->title;
}
