/* vetter-item-detail-view.c: everything known of one item, as panels
 *
 * The side of the review page, and of any page that shows one item: its
 * title and where it came from, its decision and the rules' verdict, a
 * conflict with another desktop, the defects (hovering or picking one
 * highlights its box on the image: "box-highlighted"), tags and colours,
 * the variants made (opening one: "open-variant"), the input's own row
 * and the item's history, each change in words.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-item-detail-view"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "vetter-conflict-card.h"
#include "vetter-item-detail-view.h"
#include "vetter-labels.h"
#include "vetter-resources.h"
#include "vetter-texture-loader.h"

#define VARIANT_PREVIEW_SIZE 256

struct _VetterItemDetailView
{
  GtkWidget           parent_instance;

  VetterItemDetail   *item;
  guint               image_index;
  GCancellable       *cancellable;   /* the variants' previews of the item shown */

  GtkLabel           *title_label;
  GtkLabel           *subtitle_label;
  GtkLabel           *decision_label;
  GtkLabel           *rule_label;
  VetterConflictCard *conflict_card;
  GtkListBox         *defect_list;
  GtkBox             *tag_box;
  GtkBox             *colour_box;
  GtkFlowBox         *variant_box;
  GtkListBox         *field_list;
  GtkListBox         *history_list;
};

G_DEFINE_FINAL_TYPE (VetterItemDetailView, vetter_item_detail_view, GTK_TYPE_WIDGET)

enum {
  BOX_HIGHLIGHTED,
  OPEN_VARIANT,
  COMPARE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- Helpers -------------------------------------------------------------- */

static void
clear_children (GtkWidget *container)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (container)))
    {
      if (GTK_IS_FLOW_BOX (container))
        gtk_flow_box_remove (GTK_FLOW_BOX (container), child);
      else if (GTK_IS_LIST_BOX (container))
        gtk_list_box_remove (GTK_LIST_BOX (container), child);
      else
        gtk_box_remove (GTK_BOX (container), child);
    }
}

static VetterImageInfo *
shown_image (VetterItemDetailView *self)
{
  if (self->item == NULL || self->image_index >= self->item->images->len)
    return NULL;
  return g_ptr_array_index (self->item->images, self->image_index);
}

static GtkWidget *
dim_note (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "dim-label");
  return label;
}

/* A name above a value, in a list: the input's row, the history. */
static GtkWidget *
text_row (const char *title,
          const char *value)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (title);
  GtkWidget *text = gtk_label_new (value && *value ? value : "—");

  gtk_widget_add_css_class (box, "text-row");
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_widget_add_css_class (name, "caption");
  gtk_widget_add_css_class (name, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (text), 0);
  gtk_label_set_wrap (GTK_LABEL (text), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (text), PANGO_WRAP_WORD_CHAR);
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), text);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  /* Text to read, not a control: out of the Tab order. */
  gtk_widget_set_focusable (row, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, value ? value : "", -1);
  return row;
}

/* ---- Defects -------------------------------------------------------------- */

static void
highlight (VetterItemDetailView *self,
           GtkWidget            *row)
{
  g_signal_emit (self, signals[BOX_HIGHLIGHTED], 0, row ? GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "box")) : -1);
}

static void
on_defect_enter (GtkEventControllerMotion *controller,
                 double                    x,
                 double                    y,
                 VetterItemDetailView     *self)
{
  highlight (self, gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller)));
}

static void
on_defect_leave (GtkEventControllerMotion *controller,
                 VetterItemDetailView     *self)
{
  highlight (self, GTK_WIDGET (gtk_list_box_get_selected_row (self->defect_list)));
}

static void
on_defect_selected (GtkListBox           *list,
                    GtkListBoxRow        *row,
                    VetterItemDetailView *self)
{
  highlight (self, GTK_WIDGET (row));
}

static void
on_compare_clicked (GtkButton            *button,
                    VetterItemDetailView *self)
{
  const gint64 *item = g_object_get_data (G_OBJECT (button), "item");
  guint image = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "image"));

  g_signal_emit (self, signals[COMPARE], 0, *item, image);
}

/* A duplicate's row offers the two ads side by side. */
static void
add_compare_button (VetterItemDetailView   *self,
                    GtkWidget              *row,
                    const VetterDefectInfo *defect)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Compare"));

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, _("Show this ad and the earlier one side by side"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Compare with the earlier ad"), -1);
  g_object_set_data_full (G_OBJECT (button), "item", g_memdup2 (&defect->related_item, sizeof (gint64)), g_free);
  g_object_set_data (G_OBJECT (button), "image", GUINT_TO_POINTER (MAX (0, defect->related_position - 1)));
  g_signal_connect (button, "clicked", G_CALLBACK (on_compare_clicked), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
}

static void
fill_defects (VetterItemDetailView *self,
              VetterImageInfo      *image)
{
  int n_boxes = 0;

  clear_children (GTK_WIDGET (self->defect_list));
  if (image == NULL || image->defects->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No defects found"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
      gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), FALSE);
      gtk_widget_set_focusable (row, FALSE);
      gtk_list_box_append (self->defect_list, row);
      return;
    }

  for (guint i = 0; i < image->defects->len; i++)
    {
      const VetterDefectInfo *defect = g_ptr_array_index (image->defects, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *pill = gtk_label_new (vetter_label_for_severity (defect->severity));
      GtkEventController *motion;
      g_autofree char *css = g_strdup_printf ("severity-%s", vetter_severity_to_string (defect->severity));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), vetter_label_for_defect (defect->kind));
      if (defect->message)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), defect->message);
      gtk_widget_add_css_class (pill, "severity");
      gtk_widget_add_css_class (pill, css);
      gtk_widget_set_valign (pill, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), pill);
      if (defect->related_item > 0)
        add_compare_button (self, row, defect);
      if (!defect->has_box)
        gtk_widget_set_tooltip_text (row, _("This defect concerns the whole image"));
      g_object_set_data (G_OBJECT (row), "box", GINT_TO_POINTER (defect->has_box ? n_boxes++ : -1));

      motion = gtk_event_controller_motion_new ();
      g_signal_connect (motion, "enter", G_CALLBACK (on_defect_enter), self);
      g_signal_connect (motion, "leave", G_CALLBACK (on_defect_leave), self);
      gtk_widget_add_controller (row, motion);
      gtk_list_box_append (self->defect_list, row);
    }
}

/* ---- Tags and colours ----------------------------------------------------- */

/* Whether the tagger looked at the image (its step ran). */
static gboolean
was_tagged (VetterImageInfo *image)
{
  for (guint i = 0; image && i < image->steps->len; i++)
    if (g_strcmp0 (((VetterStepInfo *) g_ptr_array_index (image->steps, i))->name, "tag") == 0)
      return TRUE;
  return FALSE;
}

static void
draw_swatch (GtkDrawingArea *area,
             cairo_t        *cr,
             int             width,
             int             height,
             gpointer        user_data)
{
  GdkRGBA *color = g_object_get_data (G_OBJECT (area), "rgba");

  gdk_cairo_set_source_rgba (cr, color);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);
}

static GtkWidget *
colour_swatch (const VetterTagInfo *tag)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *area = gtk_drawing_area_new ();
  GtkWidget *label;
  GdkRGBA *color = g_new0 (GdkRGBA, 1);
  g_autofree char *text = NULL;

  if (!gdk_rgba_parse (color, tag->rgb ? tag->rgb : "#888888"))
    gdk_rgba_parse (color, "#888888");
  g_object_set_data_full (G_OBJECT (area), "rgba", color, g_free);
  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (area), 48);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (area), 32);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw_swatch, NULL, NULL);
  gtk_widget_add_css_class (area, "swatch");
  gtk_box_append (GTK_BOX (box), area);

  text = g_strdup_printf ("%s\n%d %%", tag->label, tag->confidence);
  label = gtk_label_new (text);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (label, "caption");
  gtk_box_append (GTK_BOX (box), label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  return box;
}

static GtkWidget *
tag_row (const VetterTagInfo *tag)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *name = gtk_label_new (tag->label);
  GtkWidget *bar = gtk_level_bar_new_for_interval (0, 100);
  g_autofree char *percent = g_strdup_printf ("%d %%", tag->confidence);
  GtkWidget *value = gtk_label_new (percent);
  GtkWidget *source = gtk_label_new (tag->source);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_level_bar_set_value (GTK_LEVEL_BAR (bar), tag->confidence);
  gtk_widget_set_size_request (bar, 96, -1);
  gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_LABEL, tag->label, -1);
  gtk_widget_add_css_class (value, "numeric");
  gtk_widget_set_size_request (value, 44, -1);
  gtk_label_set_xalign (GTK_LABEL (value), 1);
  gtk_widget_add_css_class (source, "dim-label");
  gtk_widget_add_css_class (source, "caption");
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), source);
  gtk_box_append (GTK_BOX (box), bar);
  gtk_box_append (GTK_BOX (box), value);
  return box;
}

static void
fill_tags (VetterItemDetailView *self,
           VetterImageInfo      *image)
{
  guint n_tags = 0;

  clear_children (GTK_WIDGET (self->tag_box));
  clear_children (GTK_WIDGET (self->colour_box));
  for (guint i = 0; image && i < image->tags->len; i++)
    {
      const VetterTagInfo *tag = g_ptr_array_index (image->tags, i);

      if (g_strcmp0 (tag->source, "colour") == 0)
        gtk_box_append (self->colour_box, colour_swatch (tag));
      else
        {
          gtk_box_append (self->tag_box, tag_row (tag));
          n_tags++;
        }
    }
  if (n_tags == 0)
    gtk_box_append (self->tag_box, dim_note (was_tagged (image) ? _("The tagger found no object in this image.")
                                                                : _("No object tags: no tagger is set up "
                                                                    "(Preferences ▸ Services ▸ Object Tags).")));
}

/* ---- Variants ------------------------------------------------------------- */

static void
on_variant_clicked (GtkButton            *button,
                    VetterItemDetailView *self)
{
  g_signal_emit (self, signals[OPEN_VARIANT], 0, self->image_index,
                 GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "variant")));
}

static void
on_variant_preview_loaded (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GtkPicture) picture = user_data;
  g_autoptr(GdkTexture) texture = vetter_texture_load_finish (result, NULL);

  if (texture)
    gtk_picture_set_paintable (picture, GDK_PAINTABLE (texture));
}

static void
fill_variants (VetterItemDetailView *self,
               VetterImageInfo      *image)
{
  clear_children (GTK_WIDGET (self->variant_box));
  for (guint i = 0; image && i < image->variants->len; i++)
    {
      const VetterVariantInfo *variant = g_ptr_array_index (image->variants, i);
      int w = variant->width, h = variant->height;
      const char *paths[] = { variant->path, NULL };
      GtkWidget *button = gtk_button_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
      GtkWidget *picture = gtk_picture_new ();
      g_autofree char *caption = g_strdup_printf ("%s\n%d × %d", vetter_label_for_variant (variant->kind), w, h);
      g_autofree char *title = g_strdup_printf ("%s — %d × %d", vetter_label_for_variant (variant->kind), w, h);
      GtkWidget *label = gtk_label_new (caption);
      /* At their true aspect ratios, in a frame 72 pixels tall. */
      int frame_h = 72, frame_w = h > 0 ? MAX (24, MIN (128, frame_h * w / h)) : frame_h;

      if (h > 0 && frame_h * w / h > 128)
        frame_h = MAX (24, 128 * h / w);
      gtk_widget_set_size_request (picture, frame_w, frame_h);
      gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
      gtk_widget_add_css_class (picture, "variant-picture");
      gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
      gtk_widget_add_css_class (label, "caption");
      gtk_box_append (GTK_BOX (box), picture);
      gtk_box_append (GTK_BOX (box), label);
      gtk_button_set_child (GTK_BUTTON (button), box);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_tooltip_text (button, _("Open full size (the arrow keys step through the variants)"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
      g_object_set_data (G_OBJECT (button), "variant", GUINT_TO_POINTER (i));
      g_signal_connect (button, "clicked", G_CALLBACK (on_variant_clicked), self);
      gtk_flow_box_append (self->variant_box, button);
      /* Tab goes to the button, not to an unnamed wrapper around it. */
      gtk_widget_set_focusable (gtk_widget_get_parent (button), FALSE);
      vetter_texture_load_async (paths, VARIANT_PREVIEW_SIZE, VARIANT_PREVIEW_SIZE, self->cancellable, on_variant_preview_loaded,
                                 g_object_ref (picture));
    }
  if (image == NULL || image->variants->len == 0)
    {
      GtkWidget *none = dim_note (image && image->error ? image->error : _("No variants were made"));

      gtk_flow_box_append (self->variant_box, none);
      gtk_widget_set_focusable (gtk_widget_get_parent (none), FALSE);
    }
}

/* ---- The item's own data and history -------------------------------------- */

static void
fill_fields (VetterItemDetailView *self)
{
  clear_children (GTK_WIDGET (self->field_list));
  for (guint i = 0; i < self->item->fields->len; i++)
    {
      const VetterField *field = g_ptr_array_index (self->item->fields, i);

      gtk_list_box_append (self->field_list, text_row (field->name, field->value));
    }
  /* A drop of images has no CSV row: its sources are its data. */
  if (self->item->fields->len == 0)
    for (guint i = 0; i < self->item->images->len; i++)
      gtk_list_box_append (self->field_list,
                           text_row (_("Source"), ((VetterImageInfo *) g_ptr_array_index (self->item->images, i))->source));
}

static const char *
after (const VetterHistoryEntry *entry,
       const char               *field)
{
  const VetterFieldChange *change = vetter_history_entry_change (entry, field);

  return change ? change->after : NULL;
}

/* "ben: Rejected — Duplicate — “seller logo”": the decision, why, and the
 * moderator's words, as the change recorded them. */
static char *
describe_decision (const VetterHistoryEntry *entry,
                   const char               *prefix)
{
  g_autofree char *status_field = g_strconcat (prefix, "status", NULL);
  g_autofree char *reason_field = g_strconcat (prefix, "reason_code", NULL);
  g_autofree char *note_field = g_strconcat (prefix, "note", NULL);
  const char *status = after (entry, status_field);
  const char *reason = after (entry, reason_field);
  const char *note = after (entry, note_field);
  GString *text = g_string_new (status ? vetter_label_for_status (vetter_status_from_string (status))
                                       : _("decision changed"));

  if (reason)
    g_string_append_printf (text, " — %s", vetter_label_for_reason (reason));
  if (note)
    g_string_append_printf (text, " — “%s”", note);
  return g_string_free (text, FALSE);
}

static char *
describe_history_entry (const VetterHistoryEntry *entry)
{
  g_autofree char *decision = NULL;

  if (g_strcmp0 (entry->action, "conflict") == 0)
    {
      decision = describe_decision (entry, "conflict.");
      /* Translators: "Another desktop's decision disagrees: ben, Rejected — Duplicate" */
      return g_strdup_printf (_("Another desktop's decision disagrees: %s, %s"),
                              after (entry, "conflict.decided_by") ? after (entry, "conflict.decided_by") : "?",
                              decision);
    }
  if (g_strcmp0 (entry->action, "keep-mine") == 0)
    /* Translators: "mia kept her decision over another desktop's" */
    return g_strdup_printf (_("%s kept this desktop's decision over another desktop's"), entry->actor);
  decision = describe_decision (entry, "");
  if (g_strcmp0 (entry->action, "undo") == 0)
    /* Translators: "mia took back a decision: now Needs review" */
    return g_strdup_printf (_("%s took back a decision: now %s"), entry->actor, decision);
  if (g_strcmp0 (entry->action, "keep-theirs") == 0)
    /* Translators: "mia kept another desktop's decision: Rejected — Duplicate" */
    return g_strdup_printf (_("%s kept another desktop's decision: %s"), entry->actor, decision);
  /* Translators: "mia: Rejected — Duplicate" */
  return g_strdup_printf (_("%s: %s"), entry->actor, decision);
}

static void
fill_history (VetterItemDetailView *self)
{
  g_autofree char *when = vetter_label_for_time (self->item->created);
  g_autofree char *first = NULL;
  VetterStatus rules = self->item->auto_decision ? self->item->auto_decision->status : self->item->status;

  clear_children (GTK_WIDGET (self->history_list));
  first = g_strdup_printf (_("Checked by the rules: %s"), vetter_label_for_status (rules));
  gtk_list_box_append (self->history_list, text_row (when, first));
  for (guint i = 0; i < self->item->history->len; i++)
    {
      const VetterHistoryEntry *entry = g_ptr_array_index (self->item->history, i);
      g_autofree char *time = vetter_label_for_time (entry->time);
      g_autofree char *text = describe_history_entry (entry);

      gtk_list_box_append (self->history_list, text_row (time, text));
    }
}

static void
fill_decision (VetterItemDetailView *self)
{
  const VetterItemDecision *rules = self->item->auto_decision;
  VetterStatus status = self->item->status;
  g_autofree char *headline = vetter_label_for_decision (self->item);
  g_autofree char *rule = NULL;

  gtk_label_set_label (self->decision_label, headline);

  if (rules)
    /* Translators: "The rules said Needs review: no approving tag (rule approve-tags)" */
    rule = g_strdup_printf (_("The rules said %s: %s (rule %s)"), vetter_label_for_status (rules->status),
                            rules->reason ? rules->reason : "—", rules->rule ? rules->rule : "—");
  else
    rule = g_strdup (self->item->error ? self->item->error : "");
  gtk_label_set_label (self->rule_label, rule);

  gtk_widget_remove_css_class (GTK_WIDGET (self->decision_label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->decision_label), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->decision_label), "warning");
  gtk_widget_add_css_class (GTK_WIDGET (self->decision_label),
                            status == VETTER_STATUS_APPROVED ? "success"
                            : status == VETTER_STATUS_REJECTED ? "error" : "warning");
}

static void
fill_heading (VetterItemDetailView *self)
{
  VetterImageInfo *image = shown_image (self);
  g_autofree char *batch = g_path_get_basename (self->item->batch_source ? self->item->batch_source : "");
  g_autofree char *subtitle = NULL;
  const char *title = self->item->title;

  if (title == NULL && image)
    title = image->source;
  gtk_label_set_label (self->title_label, title ? title : _("Untitled"));
  /* Translators: "Row 12 of cars.csv" */
  subtitle = g_strdup_printf (_("Row %d of %s"), self->item->row, batch);
  if (self->item->email)
    {
      g_autofree char *with_email = g_strdup_printf ("%s · %s", subtitle, self->item->email);

      g_free (subtitle);
      subtitle = g_steal_pointer (&with_email);
    }
  gtk_label_set_label (self->subtitle_label, subtitle);
}

/* ---- GObject -------------------------------------------------------------- */

static void
vetter_item_detail_view_dispose (GObject *object)
{
  VetterItemDetailView *self = VETTER_ITEM_DETAIL_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->item, vetter_item_detail_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), VETTER_TYPE_ITEM_DETAIL_VIEW);
  {
    GtkWidget *child;

    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
      gtk_widget_unparent (child);
  }
  G_OBJECT_CLASS (vetter_item_detail_view_parent_class)->dispose (object);
}

static void
vetter_item_detail_view_class_init (VetterItemDetailViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vetter_item_detail_view_dispose;

  /**
   * VetterItemDetailView::box-highlighted:
   * @index: the defect box to highlight on the image, in the order of the
   *   image's defects that have one; -1 for none
   */
  signals[BOX_HIGHLIGHTED] = g_signal_new ("box-highlighted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                           NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
  /**
   * VetterItemDetailView::open-variant:
   * @image: which of the item's images
   * @variant: which of that image's variants
   */
  signals[OPEN_VARIANT] = g_signal_new ("open-variant", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
  /**
   * VetterItemDetailView::compare:
   * @item: the earlier ad a duplicate repeats
   * @image: which of its images (from 0)
   */
  signals[COMPARE] = g_signal_new ("compare", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_UINT);

  g_type_ensure (VETTER_TYPE_CONFLICT_CARD);
  vetter_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/vetter-item-detail-view.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "vetter-item-detail-view");
  gtk_widget_class_bind_template_child (widget_class, VetterItemDetailView, title_label);
  gtk_widget_class_bind_template_child (widget_class, VetterItemDetailView, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, VetterItemDetailView, decision_label);
  gtk_widget_class_bind_template_child (widget_class, VetterItemDetailView, rule_label);
  gtk_widget_class_bind_template_child (widget_class, VetterItemDetailView, conflict_card);
  gtk_widget_class_bind_template_child (widget_class, VetterItemDetailView, defect_list);
  gtk_widget_class_bind_template_child (widget_class, VetterItemDetailView, tag_box);
  gtk_widget_class_bind_template_child (widget_class, VetterItemDetailView, colour_box);
  gtk_widget_class_bind_template_child (widget_class, VetterItemDetailView, variant_box);
  gtk_widget_class_bind_template_child (widget_class, VetterItemDetailView, field_list);
  gtk_widget_class_bind_template_child (widget_class, VetterItemDetailView, history_list);
  gtk_widget_class_bind_template_callback (widget_class, on_defect_selected);
}

static void
vetter_item_detail_view_init (VetterItemDetailView *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
vetter_item_detail_view_new (void)
{
  return g_object_new (VETTER_TYPE_ITEM_DETAIL_VIEW, NULL);
}

void
vetter_item_detail_view_set_item (VetterItemDetailView *self,
                                  VetterItemDetail     *item,
                                  guint                 image_index)
{
  VetterImageInfo *image;

  g_return_if_fail (VETTER_IS_ITEM_DETAIL_VIEW (self));

  /* A record is read whole and never changes: the same one is drawn. */
  if (item && item == self->item && image_index == self->image_index)
    return;
  if (item)
    vetter_item_detail_ref (item);
  g_clear_pointer (&self->item, vetter_item_detail_unref);
  self->item = item;
  self->image_index = image_index;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  if (item == NULL)
    return;

  image = shown_image (self);
  fill_heading (self);
  fill_decision (self);
  vetter_conflict_card_show (self->conflict_card, item);
  fill_defects (self, image);
  fill_tags (self, image);
  fill_variants (self, image);
  fill_fields (self);
  fill_history (self);
}

VetterItemDetail *
vetter_item_detail_view_get_item (VetterItemDetailView *self)
{
  g_return_val_if_fail (VETTER_IS_ITEM_DETAIL_VIEW (self), NULL);
  return self->item;
}
