/* vetter-conflict-card.h: two desktops' decisions on one ad, side by side
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "vetter-records.h"

G_BEGIN_DECLS

#define VETTER_TYPE_CONFLICT_CARD (vetter_conflict_card_get_type ())

G_DECLARE_FINAL_TYPE (VetterConflictCard, vetter_conflict_card, VETTER, CONFLICT_CARD, GtkWidget)

/* Shows @item's conflict (the other desktop's decision) beside the item's
 * own decision; hides itself when there is none. Returns whether there is
 * one. @item: (nullable). */
gboolean vetter_conflict_card_show (VetterConflictCard     *self,
                                    const VetterItemDetail *item);

G_END_DECLS
