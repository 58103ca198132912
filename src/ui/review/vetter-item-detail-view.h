/* vetter-item-detail-view.h: everything known of one item, as panels
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "vetter-records.h"

G_BEGIN_DECLS

#define VETTER_TYPE_ITEM_DETAIL_VIEW (vetter_item_detail_view_get_type ())

G_DECLARE_FINAL_TYPE (VetterItemDetailView, vetter_item_detail_view, VETTER, ITEM_DETAIL_VIEW, GtkWidget)

GtkWidget        *vetter_item_detail_view_new      (void);
/* Shows @item, with what was found in its image @image_index; NULL
 * empties the view. Defects with a place are numbered in their order,
 * as "box-highlighted" names them. */
void              vetter_item_detail_view_set_item (VetterItemDetailView *self,
                                                    VetterItemDetail     *item,
                                                    guint                 image_index);
/* Returns: (transfer none) (nullable). */
VetterItemDetail *vetter_item_detail_view_get_item (VetterItemDetailView *self);

G_END_DECLS
