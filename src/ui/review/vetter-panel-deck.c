/* vetter-panel-deck.c: panels kept laid out, one of them shown
 *
 * Like a stack, but the panels not shown stay laid out at the deck's
 * width: showing another one changes what is drawn and what takes the
 * pointer, the keys and a screen reader's attention, without laying out
 * its text again on the frame that shows it. (A stack hides its pages
 * from layout, and shows one by measuring it anew.) The deck is as tall
 * as the panel shown.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-panel-deck"

#include "config.h"

#include "vetter-panel-deck.h"

struct _VetterPanelDeck
{
  GtkWidget  parent_instance;

  GtkWidget *shown;
};

G_DEFINE_FINAL_TYPE (VetterPanelDeck, vetter_panel_deck, GTK_TYPE_WIDGET)

static void
set_hidden (GtkWidget *panel,
            gboolean   hidden)
{
  gtk_widget_set_can_target (panel, !hidden);
  gtk_widget_set_can_focus (panel, !hidden);
  gtk_accessible_update_state (GTK_ACCESSIBLE (panel), GTK_ACCESSIBLE_STATE_HIDDEN, hidden, -1);
}

static void
vetter_panel_deck_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  VetterPanelDeck *self = VETTER_PANEL_DECK (widget);

  *minimum = *natural = 0;
  if (self->shown)
    gtk_widget_measure (self->shown, orientation, for_size, minimum, natural, NULL, NULL);
}

static GtkSizeRequestMode
vetter_panel_deck_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
vetter_panel_deck_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  VetterPanelDeck *self = VETTER_PANEL_DECK (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      int child_height = height;

      if (self->shown == NULL)
        child_height = 0;

      /* The others at the height they want for this width, as they will
       * be when shown. */
      if (child != self->shown)
        gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, width, NULL, &child_height, NULL, NULL);
      gtk_widget_size_allocate (child, &(GtkAllocation) { 0, 0, width, child_height }, -1);
    }
}

static void
vetter_panel_deck_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  VetterPanelDeck *self = VETTER_PANEL_DECK (widget);

  if (self->shown)
    gtk_widget_snapshot_child (widget, self->shown, snapshot);
}

static void
vetter_panel_deck_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))))
    gtk_widget_unparent (child);
  VETTER_PANEL_DECK (object)->shown = NULL;

  G_OBJECT_CLASS (vetter_panel_deck_parent_class)->dispose (object);
}

static void
vetter_panel_deck_class_init (VetterPanelDeckClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vetter_panel_deck_dispose;
  widget_class->measure = vetter_panel_deck_measure;
  widget_class->get_request_mode = vetter_panel_deck_get_request_mode;
  widget_class->size_allocate = vetter_panel_deck_size_allocate;
  widget_class->snapshot = vetter_panel_deck_snapshot;
}

static void
vetter_panel_deck_init (VetterPanelDeck *self)
{
}

GtkWidget *
vetter_panel_deck_new (void)
{
  return g_object_new (VETTER_TYPE_PANEL_DECK, NULL);
}

void
vetter_panel_deck_add (VetterPanelDeck *self,
                       GtkWidget       *panel)
{
  g_return_if_fail (VETTER_IS_PANEL_DECK (self));
  g_return_if_fail (GTK_IS_WIDGET (panel));

  gtk_widget_set_parent (panel, GTK_WIDGET (self));
  if (self->shown == NULL)
    self->shown = panel;
  else
    set_hidden (panel, TRUE);
}

void
vetter_panel_deck_show (VetterPanelDeck *self,
                        GtkWidget       *panel)
{
  g_return_if_fail (VETTER_IS_PANEL_DECK (self));
  g_return_if_fail (panel == NULL || gtk_widget_get_parent (panel) == GTK_WIDGET (self));

  if (self->shown == panel)
    return;
  if (self->shown)
    set_hidden (self->shown, TRUE);
  self->shown = panel;
  if (panel)
    set_hidden (panel, FALSE);
  /* The deck takes the new panel's height; the panels keep their layout. */
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

GtkWidget *
vetter_panel_deck_get_shown (VetterPanelDeck *self)
{
  g_return_val_if_fail (VETTER_IS_PANEL_DECK (self), NULL);
  return self->shown;
}
