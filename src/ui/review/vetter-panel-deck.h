/* vetter-panel-deck.h: panels kept laid out, one of them shown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define VETTER_TYPE_PANEL_DECK (vetter_panel_deck_get_type ())

G_DECLARE_FINAL_TYPE (VetterPanelDeck, vetter_panel_deck, VETTER, PANEL_DECK, GtkWidget)

GtkWidget *vetter_panel_deck_new        (void);
void       vetter_panel_deck_add        (VetterPanelDeck *self,
                                         GtkWidget       *panel);
/* Shows @panel (one added), hiding the one shown before; NULL shows none. */
void       vetter_panel_deck_show       (VetterPanelDeck *self,
                                         GtkWidget       *panel);
/* Returns: (transfer none) (nullable): the panel shown. */
GtkWidget *vetter_panel_deck_get_shown  (VetterPanelDeck *self);

G_END_DECLS
