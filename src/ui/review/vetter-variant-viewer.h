/* vetter-variant-viewer.h: the variants made of an image, one at a time,
 * inside the review page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "vetter-records.h"

G_BEGIN_DECLS

#define VETTER_TYPE_VARIANT_VIEWER (vetter_variant_viewer_get_type ())

G_DECLARE_FINAL_TYPE (VetterVariantViewer, vetter_variant_viewer, VETTER, VARIANT_VIEWER, GtkWidget)

GtkWidget *vetter_variant_viewer_new         (void);
/* Shows variant @variant of image @image of @item (kept while shown). */
void       vetter_variant_viewer_show        (VetterVariantViewer *self,
                                              VetterItemDetail    *item,
                                              guint                image,
                                              guint                variant);
/* Which variant is shown; its title, as the header says it. */
guint      vetter_variant_viewer_get_variant (VetterVariantViewer *self);
const char *vetter_variant_viewer_get_title  (VetterVariantViewer *self);

G_END_DECLS
