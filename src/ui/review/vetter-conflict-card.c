/* vetter-conflict-card.c: two desktops' decisions on one ad, side by side
 *
 * The shared database refused this desktop's decision because another
 * desktop had decided the same ad differently, and neither rule settled
 * it (see vetter-store-couch.c). A person chooses: the card says who
 * decided what and when, and its buttons (T and M from the keyboard)
 * trigger the review page's keep-theirs and keep-mine actions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-review-page"

#include "config.h"

#include <glib/gi18n.h>

#include "vetter-conflict-card.h"
#include "vetter-labels.h"

struct _VetterConflictCard
{
  GtkWidget  parent_instance;

  GtkLabel  *theirs_label;
  GtkLabel  *ours_label;
};

G_DEFINE_FINAL_TYPE (VetterConflictCard, vetter_conflict_card, GTK_TYPE_WIDGET)

/* "Rejected by ben: Duplicate, 14:02 — “seen on Monday”" */
static char *
describe (const VetterItemDecision *decision)
{
  const char *by = decision->decided_by;
  const char *reason_code = decision->reason_code;
  const char *note = decision->note;
  gint64 when = decision->decided_at;
  GString *text = g_string_new (vetter_label_for_status (decision->status));

  if (by)
    /* Translators: follows a decision, "Rejected" → "Rejected by ben" */
    g_string_append_printf (text, _(" by %s"), by);
  if (reason_code)
    g_string_append_printf (text, ": %s", vetter_label_for_reason (reason_code));
  if (when > 0)
    {
      g_autofree char *time = vetter_label_for_time (when);

      g_string_append_printf (text, ", %s", time);
    }
  if (note && *note)
    g_string_append_printf (text, " — “%s”", note);
  return g_string_free (text, FALSE);
}

gboolean
vetter_conflict_card_show (VetterConflictCard     *self,
                           const VetterItemDetail *item)
{
  g_autofree char *theirs_text = NULL;
  g_autofree char *ours_text = NULL;
  g_autofree char *theirs_line = NULL;
  g_autofree char *ours_line = NULL;

  g_return_val_if_fail (VETTER_IS_CONFLICT_CARD (self), FALSE);

  gtk_widget_set_visible (GTK_WIDGET (self), vetter_item_detail_in_conflict (item));
  if (!vetter_item_detail_in_conflict (item) || item->decision == NULL)
    return FALSE;
  theirs_text = describe (item->conflict);
  ours_text = describe (item->decision);
  /* Translators: the other desktop's decision, as "Rejected by ben: Duplicate, 14:02" */
  theirs_line = g_strdup_printf (_("Theirs: %s"), theirs_text);
  /* Translators: this desktop's decision, as "Approved by ana, 14:05" */
  ours_line = g_strdup_printf (_("Yours: %s"), ours_text);
  gtk_label_set_label (self->theirs_label, theirs_line);
  gtk_label_set_label (self->ours_label, ours_line);
  return TRUE;
}

static GtkWidget *
line_label (void)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  return label;
}

static GtkWidget *
action_button (const char *label,
               const char *tooltip,
               const char *action)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_set_hexpand (button, TRUE);
  return button;
}

static void
vetter_conflict_card_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))))
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (vetter_conflict_card_parent_class)->dispose (object);
}

static void
vetter_conflict_card_class_init (VetterConflictCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vetter_conflict_card_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "vetter-conflict-card");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
vetter_conflict_card_init (VetterConflictCard *self)
{
  GtkWidget *heading = gtk_label_new (_("Another desktop decided differently"));
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 6);
  gtk_widget_add_css_class (GTK_WIDGET (self), "card");
  gtk_widget_add_css_class (GTK_WIDGET (self), "decision-card");
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);

  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_label_set_wrap (GTK_LABEL (heading), TRUE);
  gtk_widget_add_css_class (heading, "heading");
  gtk_widget_add_css_class (heading, "warning");
  gtk_widget_set_parent (heading, GTK_WIDGET (self));

  self->theirs_label = GTK_LABEL (line_label ());
  gtk_widget_set_parent (GTK_WIDGET (self->theirs_label), GTK_WIDGET (self));
  self->ours_label = GTK_LABEL (line_label ());
  gtk_widget_set_parent (GTK_WIDGET (self->ours_label), GTK_WIDGET (self));

  gtk_box_append (GTK_BOX (buttons), action_button (_("Keep _Theirs"), _("Keep the other desktop's decision (T)"),
                                                    "review.keep-theirs"));
  gtk_box_append (GTK_BOX (buttons), action_button (_("Keep _Mine"), _("Write your decision over theirs (M)"),
                                                    "review.keep-mine"));
  gtk_widget_set_parent (buttons, GTK_WIDGET (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Another desktop decided differently"), -1);
}
