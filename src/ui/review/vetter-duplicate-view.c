/* vetter-duplicate-view.c: an ad and the earlier ad its picture repeats
 *
 * A duplicate is judged by looking at both: the ad on screen and the one
 * it repeats, each with its title and what was decided on it, side by
 * side in place of the ad's picture. Escape goes back ("closed").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-duplicate-view"

#include "config.h"

#include <glib/gi18n.h>

#include "vetter-duplicate-view.h"
#include "vetter-image-view.h"
#include "vetter-labels.h"
#include "vetter-picture-cache.h"
#include "vetter-resources.h"
#include "vetter-texture-loader.h"

/* Each half's picture is made for about this much of the screen. */
#define HALF_SIZE 1200

struct _VetterDuplicateView
{
  GtkWidget         parent_instance;

  VetterItemDetail *ad;
  VetterItemDetail *earlier;
  GCancellable     *cancellable;

  GtkLabel         *this_title;
  GtkLabel         *this_status;
  VetterImageView  *this_image;
  GtkLabel         *other_title;
  GtkLabel         *other_status;
  VetterImageView  *other_image;
};

G_DEFINE_FINAL_TYPE (VetterDuplicateView, vetter_duplicate_view, GTK_TYPE_WIDGET)

enum {
  CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  VetterImageView *view;
  int              width;    /* the source's, which boxes would be measured in */
  int              height;
} Half;

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Half *half = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = vetter_texture_load_finish (result, &error);

  if (texture)
    vetter_image_view_set_image (half->view, texture, half->width, half->height);
  g_object_unref (half->view);
  g_free (half);
}

static void
show_half (VetterDuplicateView *self,
           VetterItemDetail    *item,
           guint                index,
           GtkLabel            *title,
           GtkLabel            *status,
           VetterImageView     *view)
{
  VetterImageInfo *image = index < item->images->len ? g_ptr_array_index (item->images, index) : NULL;
  g_autoptr(GPtrArray) paths = vetter_image_display_paths (image);
  g_autofree char *decision = vetter_label_for_decision (item);
  g_autofree char *name = g_strdup_printf (_("Image of %s"), item->title ? item->title : _("the ad"));
  Half *half = g_new0 (Half, 1);

  gtk_label_set_label (title, item->title && *item->title ? item->title : _("Untitled ad"));
  gtk_label_set_label (status, decision);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  vetter_image_view_set_image (view, NULL, 0, 0);
  half->view = g_object_ref (view);
  half->width = image ? image->width : 0;
  half->height = image ? image->height : 0;
  vetter_texture_load_async ((const char * const *) paths->pdata, HALF_SIZE, HALF_SIZE, self->cancellable,
                             on_loaded, half);
}

static void
close_action (GtkWidget  *widget,
              const char *name,
              GVariant   *parameter)
{
  VetterDuplicateView *self = VETTER_DUPLICATE_VIEW (widget);

  g_cancellable_cancel (self->cancellable);
  g_signal_emit (self, signals[CLOSED], 0);
}

static void
vetter_duplicate_view_dispose (GObject *object)
{
  VetterDuplicateView *self = VETTER_DUPLICATE_VIEW (object);
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->ad, vetter_item_detail_unref);
  g_clear_pointer (&self->earlier, vetter_item_detail_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), VETTER_TYPE_DUPLICATE_VIEW);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (vetter_duplicate_view_parent_class)->dispose (object);
}

static void
vetter_duplicate_view_class_init (VetterDuplicateViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vetter_duplicate_view_dispose;

  /**
   * VetterDuplicateView::closed:
   * The moderator is done comparing (Escape, or Close).
   */
  signals[CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 0);

  g_type_ensure (VETTER_TYPE_IMAGE_VIEW);
  vetter_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/vetter-duplicate-view.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, VetterDuplicateView, this_title);
  gtk_widget_class_bind_template_child (widget_class, VetterDuplicateView, this_status);
  gtk_widget_class_bind_template_child (widget_class, VetterDuplicateView, this_image);
  gtk_widget_class_bind_template_child (widget_class, VetterDuplicateView, other_title);
  gtk_widget_class_bind_template_child (widget_class, VetterDuplicateView, other_status);
  gtk_widget_class_bind_template_child (widget_class, VetterDuplicateView, other_image);

  gtk_widget_class_install_action (widget_class, "compare.close", NULL, close_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "compare.close", NULL);
}

static void
vetter_duplicate_view_init (VetterDuplicateView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
vetter_duplicate_view_new (void)
{
  return g_object_new (VETTER_TYPE_DUPLICATE_VIEW, NULL);
}

void
vetter_duplicate_view_show (VetterDuplicateView *self,
                            VetterItemDetail    *ad,
                            guint                image,
                            VetterItemDetail    *earlier,
                            guint                earlier_image)
{
  g_return_if_fail (VETTER_IS_DUPLICATE_VIEW (self));
  g_return_if_fail (ad != NULL && earlier != NULL);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  vetter_item_detail_ref (ad);
  vetter_item_detail_ref (earlier);
  g_clear_pointer (&self->ad, vetter_item_detail_unref);
  g_clear_pointer (&self->earlier, vetter_item_detail_unref);
  self->ad = ad;
  self->earlier = earlier;
  show_half (self, ad, image, self->this_title, self->this_status, self->this_image);
  show_half (self, earlier, earlier_image, self->other_title, self->other_status, self->other_image);
  gtk_widget_grab_focus (GTK_WIDGET (self->this_image));
}

VetterItemDetail *
vetter_duplicate_view_get_earlier (VetterDuplicateView *self)
{
  g_return_val_if_fail (VETTER_IS_DUPLICATE_VIEW (self), NULL);
  return self->earlier;
}
