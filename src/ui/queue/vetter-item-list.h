/* vetter-item-list.h: a batch's items as a list model, read a page at a time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "vetter-engine.h"

G_BEGIN_DECLS

#define VETTER_TYPE_ITEM_LIST (vetter_item_list_get_type ())

G_DECLARE_FINAL_TYPE (VetterItemList, vetter_item_list, VETTER, ITEM_LIST, GObject)

VetterItemList *vetter_item_list_new          (VetterEngine   *engine,
                                               gint64          batch_id,
                                               guint           n_items);
gint64          vetter_item_list_get_batch_id (VetterItemList *self);
/* How many pages have been read from the store: a list that is only
 * looked at near its top reads only its top. */
guint           vetter_item_list_get_pages_read (VetterItemList *self);

G_END_DECLS
