/* vetter-item-object.h: one item of a batch, as its list shows it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "vetter-records.h"

G_BEGIN_DECLS

#define VETTER_TYPE_ITEM_OBJECT (vetter_item_object_get_type ())

G_DECLARE_FINAL_TYPE (VetterItemObject, vetter_item_object, VETTER, ITEM_OBJECT, GObject)

/* Not yet read from the store: only its place in the list is known. */
VetterItemObject *vetter_item_object_new_placeholder (guint                position);
void              vetter_item_object_fill            (VetterItemObject    *self,
                                                      const VetterItemRow *row);
void              vetter_item_object_set_status      (VetterItemObject    *self,
                                                      VetterStatus         status);
/* A worker began @step on it. */
void              vetter_item_object_set_step        (VetterItemObject    *self,
                                                      const char          *step);
/* Starts loading the thumbnail, once, when a row shows the item. */
void              vetter_item_object_want_thumbnail  (VetterItemObject    *self);

gint64            vetter_item_object_get_id          (VetterItemObject    *self);
gboolean          vetter_item_object_get_loaded      (VetterItemObject    *self);
const char       *vetter_item_object_get_title       (VetterItemObject    *self);
VetterStatus      vetter_item_object_get_status      (VetterItemObject    *self);
/* The status and step, or the error, in words. */
char             *vetter_item_object_describe        (VetterItemObject    *self);
GdkTexture       *vetter_item_object_get_thumbnail   (VetterItemObject    *self);

G_END_DECLS
