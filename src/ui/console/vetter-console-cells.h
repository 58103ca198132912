/* vetter-console-cells.h: how the console draws a cell
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "vetter-tables.h"

G_BEGIN_DECLS

/* A stored value of @column in the words the rest of the window uses for
 * it (a status's label, a reason's, …); @value itself when it has none. */
const char         *vetter_console_value_words      (const VetterTableColumn *column,
                                                     const char              *value);
/* Draws @column, the @index-th of its table's value columns, from the
 * VetterRecord rows of a VetterTableModel. */
GtkListItemFactory *vetter_console_cell_factory_new (const VetterTableColumn *column,
                                                     guint                    index);

/* The list item of the first cell in @widget or below it (a row of the
 * column view holds one per column); NULL if there is none. */
GtkListItem        *vetter_console_cell_find_item   (GtkWidget               *widget);

G_END_DECLS
