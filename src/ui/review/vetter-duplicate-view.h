/* vetter-duplicate-view.h: an ad and the earlier ad its picture repeats,
 * side by side
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "vetter-records.h"

G_BEGIN_DECLS

#define VETTER_TYPE_DUPLICATE_VIEW (vetter_duplicate_view_get_type ())

G_DECLARE_FINAL_TYPE (VetterDuplicateView, vetter_duplicate_view, VETTER, DUPLICATE_VIEW, GtkWidget)

GtkWidget  *vetter_duplicate_view_new         (void);
/* Shows image @image of @ad beside image @earlier_image of @earlier,
 * whose picture it repeats (both ads kept while shown). */
void        vetter_duplicate_view_show        (VetterDuplicateView *self,
                                               VetterItemDetail    *ad,
                                               guint                image,
                                               VetterItemDetail    *earlier,
                                               guint                earlier_image);
/* Returns: (transfer none) (nullable): the earlier ad shown. */
VetterItemDetail *vetter_duplicate_view_get_earlier (VetterDuplicateView *self);

G_END_DECLS
