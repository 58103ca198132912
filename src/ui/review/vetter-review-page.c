/* vetter-review-page.c: the items waiting for a person, one at a time
 *
 * Built for a moderator who decides hundreds of ads an hour from the
 * keyboard: the next item is read from the store and its image decoded
 * while the current one is on screen, so a decision moves on at once; the
 * decision is written in the background, and Z takes it back.
 *
 * The queue is a snapshot of item ids taken when the filters change, to
 * which new arrivals are appended: decided items stay in it, so going back
 * shows what was decided rather than skipping over it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-review-page"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "vetter-batch-object.h"
#include "vetter-claim-keeper.h"
#include "vetter-config.h"
#include "vetter-conflict-card.h"
#include "vetter-labels.h"
#include "vetter-reasons.h"
#include "vetter-resources.h"
#include "vetter-review-page.h"
#include "vetter-texture-loader.h"

/* Long side of the copy shown: sharper than any screen the window fills,
 * and a 24-megapixel photograph still decodes in a fraction of a second. */
#define DISPLAY_SIZE 2560
#define VARIANT_PREVIEW_SIZE 256
/* New items reaching needs_review are added to the queue this often. */
#define REFRESH_DELAY_MS 700

typedef struct
{
  gint64        item_id;
  JsonObject   *detail;
  GdkTexture   *texture;
  GError       *error;
  gboolean      ready;
  GCancellable *cancellable;
} Loaded;

typedef struct
{
  gint64              item_id;
  VetterItemDecision *previous;   /* NULL until the store has answered */
} UndoEntry;

struct _VetterReviewPage
{
  GtkWidget           parent_instance;

  VetterEngine       *engine;
  GListModel         *batches;
  GSettings          *settings;
  GCancellable       *cancellable;

  VetterReviewFilter *filter;
  GArray             *queue;          /* gint64 item ids */
  guint               position;
  Loaded             *current;        /* on screen, or being loaded for it */
  Loaded             *next;           /* the item after it, preloaded */
  guint               image_index;    /* which of the item's images */
  GQueue             *undo;           /* UndoEntry*, newest first */
  GArray             *batch_ids;      /* batch filter's entries; 0: all */
  GPtrArray          *defect_kinds;   /* defect filter's entries after "any" */
  guint               refresh_source;
  gboolean            choosing_reason;
  VetterClaimKeeper  *claim;          /* on the ad on screen */

  GtkDropDown        *batch_filter;
  GtkDropDown        *status_filter;
  GtkDropDown        *defect_filter;
  GtkDropDown        *auto_filter;
  GtkLabel           *position_label;
  GtkStack           *review_stack;
  AdwStatusPage      *error_page;
  VetterImageView    *image_view;
  GtkBox             *image_switcher;
  GtkLabel           *title_label;
  GtkLabel           *subtitle_label;
  GtkLabel           *decision_label;
  GtkLabel           *rule_label;
  VetterConflictCard *conflict_card;
  GtkListBox         *defect_list;
  GtkWidget          *defects_heading;
  GtkBox             *tag_box;
  GtkBox             *colour_box;
  GtkFlowBox         *variant_box;
  GtkListBox         *field_list;
  GtkListBox         *history_list;
  GtkRevealer        *reason_revealer;
  GtkFlowBox         *reason_box;
  GtkEntry           *note_entry;
};

G_DEFINE_FINAL_TYPE (VetterReviewPage, vetter_review_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CURRENT_ITEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  MESSAGE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void show_position (VetterReviewPage *self);
static void claim_current (VetterReviewPage *self);
static void load_item     (VetterReviewPage *self,
                           Loaded           *loaded,
                           guint             image_index);

/* ---- Helpers -------------------------------------------------------------- */

static void
loaded_free (Loaded *loaded)
{
  if (loaded == NULL)
    return;
  g_cancellable_cancel (loaded->cancellable);
  g_clear_object (&loaded->cancellable);
  g_clear_pointer (&loaded->detail, json_object_unref);
  g_clear_object (&loaded->texture);
  g_clear_error (&loaded->error);
  g_free (loaded);
}

static Loaded *
loaded_new (gint64 item_id)
{
  Loaded *loaded = g_new0 (Loaded, 1);

  loaded->item_id = item_id;
  loaded->cancellable = g_cancellable_new ();
  return loaded;
}

static void
undo_entry_free (UndoEntry *entry)
{
  vetter_item_decision_free (entry->previous);
  g_free (entry);
}

static void
say (VetterReviewPage *self,
     const char       *message)
{
  g_signal_emit (self, signals[MESSAGE], 0, message);
}

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

static const char *
json_string (JsonObject *object,
             const char *member)
{
  if (object == NULL || !json_object_has_member (object, member) || json_object_get_null_member (object, member))
    return NULL;
  return json_object_get_string_member (object, member);
}

static JsonObject *
current_image (VetterReviewPage *self)
{
  JsonArray *images;

  if (self->current == NULL || self->current->detail == NULL)
    return NULL;
  images = json_object_get_array_member (self->current->detail, "images");
  if (self->image_index >= json_array_get_length (images))
    return NULL;
  return json_array_get_object_element (images, self->image_index);
}

static gboolean
is_decidable (const char *status)
{
  return g_strcmp0 (status, "needs_review") == 0 || g_strcmp0 (status, "approved") == 0 ||
         g_strcmp0 (status, "rejected") == 0;
}

/* Another desktop's decision disagrees with this one's: a person keeps
 * one before anything else is decided. */
static gboolean
in_conflict (JsonObject *item)
{
  JsonNode *node = item && json_object_has_member (item, "conflict") ? json_object_get_member (item, "conflict") : NULL;

  return node && JSON_NODE_HOLDS_OBJECT (node);
}

static void
update_actions (VetterReviewPage *self)
{
  JsonObject *item = self->current ? self->current->detail : NULL;
  const char *status = json_string (item, "status");
  gboolean shown = self->current && self->current->ready && item;
  gboolean decidable = shown && is_decidable (status) && !in_conflict (item);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.approve", decidable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.reject", decidable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.keep-theirs", shown && in_conflict (item));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.keep-mine", shown && in_conflict (item));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.reason", self->choosing_reason);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.cancel-reason", self->choosing_reason);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.previous", self->position > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.next",
                                 self->queue && self->position < self->queue->len);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.undo", !g_queue_is_empty (self->undo));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.zoom", shown);
}

static void
update_position_label (VetterReviewPage *self)
{
  g_autofree char *text = NULL;
  guint len = self->queue ? self->queue->len : 0;

  if (len == 0)
    text = g_strdup ("");
  else if (self->position >= len)
    text = g_strdup_printf (ngettext ("End of %u item", "End of %u items", len), len);
  else
    /* Translators: the item on screen, of how many match the filters */
    text = g_strdup_printf (_("%u of %u"), self->position + 1, len);
  gtk_label_set_label (self->position_label, text);
}

/* ---- Filling the panels --------------------------------------------------- */

static VetterBoxLevel
severity_level (const char *severity)
{
  if (g_strcmp0 (severity, "high") == 0)
    return VETTER_BOX_HIGH;
  if (g_strcmp0 (severity, "medium") == 0)
    return VETTER_BOX_MEDIUM;
  return VETTER_BOX_LOW;
}

static void
on_defect_enter (GtkEventControllerMotion *controller,
                 double                    x,
                 double                    y,
                 VetterReviewPage         *self)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));

  vetter_image_view_set_highlighted (self->image_view, GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "box")));
}

static void
on_defect_leave (GtkEventControllerMotion *controller,
                 VetterReviewPage         *self)
{
  GtkListBoxRow *selected = gtk_list_box_get_selected_row (self->defect_list);

  vetter_image_view_set_highlighted (self->image_view,
                                     selected ? GPOINTER_TO_INT (g_object_get_data (G_OBJECT (selected), "box")) : -1);
}

static void
on_defect_selected (GtkListBox       *list,
                    GtkListBoxRow    *row,
                    VetterReviewPage *self)
{
  vetter_image_view_set_highlighted (self->image_view,
                                     row ? GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "box")) : -1);
}

static void
fill_defects (VetterReviewPage *self,
              JsonObject       *image)
{
  JsonArray *defects = json_object_get_array_member (image, "defects");
  guint n = json_array_get_length (defects);

  clear_children (GTK_WIDGET (self->defect_list));
  vetter_image_view_clear_boxes (self->image_view);
  if (n == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No defects found"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
      gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), FALSE);
      gtk_list_box_append (self->defect_list, row);
      return;
    }

  for (guint i = 0; i < n; i++)
    {
      JsonObject *defect = json_array_get_object_element (defects, i);
      const char *kind = json_string (defect, "kind");
      const char *severity = json_string (defect, "severity");
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *pill = gtk_label_new (vetter_label_for_severity (severity));
      GtkEventController *motion;
      g_autofree char *css = g_strdup_printf ("severity-%s", severity);
      int box_index = -1;

      if (!json_object_get_null_member (defect, "box"))
        {
          JsonObject *box = json_object_get_object_member (defect, "box");

          box_index = (int) vetter_image_view_get_n_boxes (self->image_view);
          vetter_image_view_add_box (self->image_view,
                                     (int) json_object_get_int_member (box, "x"),
                                     (int) json_object_get_int_member (box, "y"),
                                     (int) json_object_get_int_member (box, "w"),
                                     (int) json_object_get_int_member (box, "h"),
                                     vetter_label_for_defect (kind), severity_level (severity));
        }

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), vetter_label_for_defect (kind));
      if (json_string (defect, "message"))
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), json_string (defect, "message"));
      gtk_widget_add_css_class (pill, "severity");
      gtk_widget_add_css_class (pill, css);
      gtk_widget_set_valign (pill, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), pill);
      if (box_index < 0)
        gtk_widget_set_tooltip_text (row, _("This defect concerns the whole image"));
      g_object_set_data (G_OBJECT (row), "box", GINT_TO_POINTER (box_index));

      motion = gtk_event_controller_motion_new ();
      g_signal_connect (motion, "enter", G_CALLBACK (on_defect_enter), self);
      g_signal_connect (motion, "leave", G_CALLBACK (on_defect_leave), self);
      gtk_widget_add_controller (row, motion);
      gtk_list_box_append (self->defect_list, row);
    }
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
colour_swatch (JsonObject *tag)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *area = gtk_drawing_area_new ();
  GtkWidget *label;
  GdkRGBA *color = g_new0 (GdkRGBA, 1);
  g_autofree char *text = NULL;

  if (!gdk_rgba_parse (color, json_string (tag, "rgb") ? json_string (tag, "rgb") : "#888888"))
    gdk_rgba_parse (color, "#888888");
  g_object_set_data_full (G_OBJECT (area), "rgba", color, g_free);
  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (area), 48);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (area), 32);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw_swatch, NULL, NULL);
  gtk_widget_add_css_class (area, "swatch");
  gtk_box_append (GTK_BOX (box), area);

  text = g_strdup_printf ("%s\n%d %%", json_string (tag, "label"), (int) json_object_get_int_member (tag, "confidence"));
  label = gtk_label_new (text);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (label, "caption");
  gtk_box_append (GTK_BOX (box), label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  return box;
}

static GtkWidget *
tag_row (JsonObject *tag)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *name = gtk_label_new (json_string (tag, "label"));
  GtkWidget *bar = gtk_level_bar_new_for_interval (0, 100);
  g_autofree char *percent = g_strdup_printf ("%d %%", (int) json_object_get_int_member (tag, "confidence"));
  GtkWidget *value = gtk_label_new (percent);
  GtkWidget *source = gtk_label_new (json_string (tag, "source"));

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_level_bar_set_value (GTK_LEVEL_BAR (bar), (double) json_object_get_int_member (tag, "confidence"));
  gtk_widget_set_size_request (bar, 96, -1);
  gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_LABEL, json_string (tag, "label"), -1);
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
fill_tags (VetterReviewPage *self,
           JsonObject       *image)
{
  JsonArray *tags = json_object_get_array_member (image, "tags");
  guint n_tags = 0;

  clear_children (GTK_WIDGET (self->tag_box));
  clear_children (GTK_WIDGET (self->colour_box));
  for (guint i = 0; i < json_array_get_length (tags); i++)
    {
      JsonObject *tag = json_array_get_object_element (tags, i);

      if (g_strcmp0 (json_string (tag, "source"), "colour") == 0)
        gtk_box_append (self->colour_box, colour_swatch (tag));
      else
        {
          gtk_box_append (self->tag_box, tag_row (tag));
          n_tags++;
        }
    }
  if (n_tags == 0)
    {
      GtkWidget *none = gtk_label_new (_("No object tags: no tagger is configured, or it found nothing."));

      gtk_label_set_wrap (GTK_LABEL (none), TRUE);
      gtk_label_set_xalign (GTK_LABEL (none), 0);
      gtk_widget_add_css_class (none, "dim-label");
      gtk_box_append (self->tag_box, none);
    }
}

/* A variant opened full size, in a window of its own. */
static void
on_full_variant_loaded (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(VetterImageView) view = user_data;
  g_autoptr(GdkTexture) texture = vetter_texture_load_finish (result, NULL);

  if (texture)
    vetter_image_view_set_image (view, texture, 0, 0);
}

static void
on_variant_clicked (GtkButton        *button,
                    VetterReviewPage *self)
{
  const char *path = g_object_get_data (G_OBJECT (button), "path");
  const char *title = g_object_get_data (G_OBJECT (button), "title");
  const char *paths[] = { path, NULL };
  GtkWidget *window = gtk_window_new ();
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *view = vetter_image_view_new ();

  gtk_window_set_title (GTK_WINDOW (window), title);
  gtk_window_set_titlebar (GTK_WINDOW (window), header);
  gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))));
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 700);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  gtk_window_set_child (GTK_WINDOW (window), view);
  vetter_texture_load_async (paths, 8192, NULL, on_full_variant_loaded, g_object_ref (view));
  gtk_window_present (GTK_WINDOW (window));
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
fill_variants (VetterReviewPage *self,
               JsonObject       *image)
{
  JsonArray *variants = json_object_get_array_member (image, "variants");

  clear_children (GTK_WIDGET (self->variant_box));
  for (guint i = 0; i < json_array_get_length (variants); i++)
    {
      JsonObject *variant = json_array_get_object_element (variants, i);
      const char *kind = json_string (variant, "kind");
      const char *path = json_string (variant, "path");
      int w = (int) json_object_get_int_member (variant, "width");
      int h = (int) json_object_get_int_member (variant, "height");
      const char *paths[] = { path, NULL };
      GtkWidget *button = gtk_button_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
      GtkWidget *picture = gtk_picture_new ();
      g_autofree char *caption = g_strdup_printf ("%s\n%d × %d", vetter_label_for_variant (kind), w, h);
      g_autofree char *title = g_strdup_printf ("%s — %d × %d", vetter_label_for_variant (kind), w, h);
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
      gtk_widget_set_tooltip_text (button, _("Open full size"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
      g_object_set_data_full (G_OBJECT (button), "path", g_strdup (path), g_free);
      g_object_set_data_full (G_OBJECT (button), "title", g_steal_pointer (&title), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (on_variant_clicked), self);
      gtk_flow_box_append (self->variant_box, button);
      vetter_texture_load_async (paths, VARIANT_PREVIEW_SIZE, self->current->cancellable,
                                 on_variant_preview_loaded, g_object_ref (picture));
    }
  if (json_array_get_length (variants) == 0)
    {
      GtkWidget *none = gtk_label_new (json_string (image, "error") ? json_string (image, "error")
                                                                   : _("No variants were made"));
      gtk_label_set_wrap (GTK_LABEL (none), TRUE);
      gtk_widget_add_css_class (none, "dim-label");
      gtk_flow_box_append (self->variant_box, none);
    }
}

static GtkWidget *
text_row (const char *title,
          const char *value)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (title);
  GtkWidget *text = gtk_label_new (value && *value ? value : "—");

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_widget_add_css_class (name, "caption");
  gtk_widget_add_css_class (name, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (text), 0);
  gtk_label_set_wrap (GTK_LABEL (text), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (text), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (text), TRUE);
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), text);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  return row;
}

static void
fill_fields (VetterReviewPage *self,
             JsonObject       *item)
{
  JsonArray *fields = json_object_get_array_member (item, "fields");
  JsonArray *images = json_object_get_array_member (item, "images");

  clear_children (GTK_WIDGET (self->field_list));
  for (guint i = 0; i < json_array_get_length (fields); i++)
    {
      JsonObject *field = json_array_get_object_element (fields, i);

      gtk_list_box_append (self->field_list, text_row (json_string (field, "name"), json_string (field, "value")));
    }
  /* A drop of images has no CSV row: its sources are its data. */
  if (json_array_get_length (fields) == 0)
    for (guint i = 0; i < json_array_get_length (images); i++)
      gtk_list_box_append (self->field_list,
                           text_row (_("Source"), json_string (json_array_get_object_element (images, i), "source")));
}

static char *
describe_history_entry (JsonObject *entry)
{
  const char *actor = json_string (entry, "actor");
  const char *action = json_string (entry, "action");
  JsonObject *changes = json_object_get_null_member (entry, "changes") ? NULL : json_object_get_object_member (entry, "changes");
  const char *status = NULL;

  if (changes && json_object_has_member (changes, "status"))
    status = json_array_get_string_element (json_object_get_array_member (changes, "status"), 1);
  if (g_strcmp0 (action, "undo") == 0)
    /* Translators: "mia took back a decision: now Needs review" */
    return g_strdup_printf (_("%s took back a decision: now %s"), actor,
                            status ? vetter_label_for_status (status) : _("unchanged"));
  /* Translators: "mia: Rejected" */
  return g_strdup_printf (_("%s: %s"), actor, status ? vetter_label_for_status (status) : _("decision changed"));
}

static void
fill_history (VetterReviewPage *self,
              JsonObject       *item)
{
  JsonArray *history = json_object_get_array_member (item, "history");
  JsonObject *auto_decision = json_object_get_object_member (item, "auto_decision");
  g_autofree char *when = vetter_label_for_time (json_object_get_int_member (item, "created"));
  g_autofree char *first = NULL;

  clear_children (GTK_WIDGET (self->history_list));
  first = g_strdup_printf (_("Checked by the rules: %s"),
                           json_string (auto_decision, "status") ? vetter_label_for_status (json_string (auto_decision, "status"))
                                                                 : vetter_label_for_status (json_string (item, "status")));
  gtk_list_box_append (self->history_list, text_row (when, first));
  for (guint i = 0; i < json_array_get_length (history); i++)
    {
      JsonObject *entry = json_array_get_object_element (history, i);
      g_autofree char *time = vetter_label_for_time (json_object_get_int_member (entry, "time"));
      g_autofree char *text = describe_history_entry (entry);

      gtk_list_box_append (self->history_list, text_row (time, text));
    }
}

static void
fill_decision (VetterReviewPage *self,
               JsonObject       *item)
{
  JsonObject *decision = json_object_get_object_member (item, "decision");
  JsonObject *auto_decision = json_object_get_object_member (item, "auto_decision");
  const char *status = json_string (item, "status");
  g_autofree char *headline = NULL;
  g_autofree char *rule = NULL;

  if (json_object_get_boolean_member (decision, "auto") || json_string (decision, "by") == NULL)
    headline = g_strdup (vetter_label_for_status (status));
  else if (json_string (decision, "reason_code"))
    /* Translators: "Rejected by mia: Duplicate" */
    headline = g_strdup_printf (_("%s by %s: %s"), vetter_label_for_status (status), json_string (decision, "by"),
                                vetter_label_for_reason (json_string (decision, "reason_code")));
  else
    /* Translators: "Approved by mia" */
    headline = g_strdup_printf (_("%s by %s"), vetter_label_for_status (status), json_string (decision, "by"));
  if (json_string (decision, "note"))
    {
      g_autofree char *with_note = g_strdup_printf ("%s — “%s”", headline, json_string (decision, "note"));
      g_free (headline);
      headline = g_steal_pointer (&with_note);
    }
  gtk_label_set_label (self->decision_label, headline);

  if (json_string (auto_decision, "status"))
    /* Translators: "The rules said Needs review: no approving tag (rule approve-tags)" */
    rule = g_strdup_printf (_("The rules said %s: %s (rule %s)"),
                            vetter_label_for_status (json_string (auto_decision, "status")),
                            json_string (auto_decision, "reason") ? json_string (auto_decision, "reason") : "—",
                            json_string (auto_decision, "rule") ? json_string (auto_decision, "rule") : "—");
  else
    rule = g_strdup (json_string (item, "error") ? json_string (item, "error") : "");
  gtk_label_set_label (self->rule_label, rule);

  gtk_widget_remove_css_class (GTK_WIDGET (self->decision_label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->decision_label), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->decision_label), "warning");
  gtk_widget_add_css_class (GTK_WIDGET (self->decision_label),
                            g_strcmp0 (status, "approved") == 0 ? "success"
                            : g_strcmp0 (status, "rejected") == 0 ? "error" : "warning");
}

static void
on_image_chosen (GtkToggleButton  *button,
                 VetterReviewPage *self)
{
  if (!gtk_toggle_button_get_active (button) || self->current == NULL)
    return;
  self->image_index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "index"));
  load_item (self, self->current, self->image_index);
}

static void
fill_image_switcher (VetterReviewPage *self,
                     JsonObject       *item)
{
  JsonArray *images = json_object_get_array_member (item, "images");
  guint n = json_array_get_length (images);
  GtkToggleButton *group = NULL;

  clear_children (GTK_WIDGET (self->image_switcher));
  gtk_widget_set_visible (GTK_WIDGET (self->image_switcher), n > 1);
  for (guint i = 0; n > 1 && i < n; i++)
    {
      g_autofree char *label = g_strdup_printf ("%u", i + 1);
      g_autofree char *name = g_strdup_printf (_("Image %u of %u"), i + 1, n);
      GtkWidget *button = gtk_toggle_button_new_with_label (label);

      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
      g_object_set_data (G_OBJECT (button), "index", GUINT_TO_POINTER (i));
      if (group)
        gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (button), group);
      else
        group = GTK_TOGGLE_BUTTON (button);
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), i == self->image_index);
      g_signal_connect (button, "toggled", G_CALLBACK (on_image_chosen), self);
      gtk_box_append (self->image_switcher, button);
    }
}

static void
display (VetterReviewPage *self)
{
  JsonObject *item = self->current->detail;
  JsonObject *image = current_image (self);
  g_autofree char *subtitle = NULL;
  g_autofree char *batch = g_path_get_basename (json_string (item, "batch_source") ? json_string (item, "batch_source") : "");
  g_autofree char *image_name = NULL;
  const char *title = json_string (item, "title");
  const char *email = json_string (item, "email");

  if (title == NULL && image)
    title = json_string (image, "source");
  gtk_label_set_label (self->title_label, title ? title : _("Untitled"));
  /* Translators: "Row 12 of cars.csv" */
  subtitle = g_strdup_printf (_("Row %d of %s"), (int) json_object_get_int_member (item, "row"), batch);
  if (email)
    {
      g_autofree char *with_email = g_strdup_printf ("%s · %s", subtitle, email);
      g_free (subtitle);
      subtitle = g_steal_pointer (&with_email);
    }
  gtk_label_set_label (self->subtitle_label, subtitle);

  vetter_image_view_set_image (self->image_view, self->current->texture,
                               image ? (int) json_object_get_int_member (image, "width") : 0,
                               image ? (int) json_object_get_int_member (image, "height") : 0);
  image_name = g_strdup_printf (_("Image of %s"), title ? title : _("the item"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->image_view), GTK_ACCESSIBLE_PROPERTY_LABEL, image_name, -1);
  gtk_widget_remove_css_class (GTK_WIDGET (self), "revealed");

  fill_decision (self, item);
  vetter_conflict_card_show (self->conflict_card, item);
  if (image)
    {
      fill_defects (self, image);
      fill_tags (self, image);
      fill_variants (self, image);
    }
  fill_image_switcher (self, item);
  fill_fields (self, item);
  fill_history (self, item);

  gtk_stack_set_visible_child_name (self->review_stack, "item");
  update_position_label (self);
  update_actions (self);
  claim_current (self);
  if (!gtk_widget_has_focus (GTK_WIDGET (self->note_entry)))
    gtk_widget_grab_focus (GTK_WIDGET (self->image_view));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_ITEM]);
}

static void
display_error (VetterReviewPage *self,
               const GError     *error)
{
  adw_status_page_set_description (self->error_page, error->message);
  gtk_stack_set_visible_child_name (self->review_stack, "error");
  update_position_label (self);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_ITEM]);
}

/* ---- Loading items -------------------------------------------------------- */

typedef struct
{
  VetterReviewPage *self;
  Loaded           *loaded;   /* borrowed: alive while its cancellable is not cancelled */
  guint             image_index;
} LoadContext;

static void
load_context_free (LoadContext *ctx)
{
  g_object_unref (ctx->self);
  g_free (ctx);
}

static void
loaded_ready (LoadContext *ctx)
{
  VetterReviewPage *self = ctx->self;

  ctx->loaded->ready = TRUE;
  if (ctx->loaded != self->current)
    return;
  if (ctx->loaded->detail)
    display (self);
  else
    display_error (self, ctx->loaded->error);
}

static void
on_texture_loaded (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  LoadContext *ctx = user_data;
  g_autoptr(GError) error = NULL;
  GdkTexture *texture = vetter_texture_load_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      load_context_free (ctx);
      return;
    }
  /* An item whose image cannot be shown is still decided: the panel says
   * what is known, and the rules will have said why. */
  g_set_object (&ctx->loaded->texture, texture);
  g_clear_object (&texture);
  loaded_ready (ctx);
  load_context_free (ctx);
}

static void
load_texture (LoadContext *ctx)
{
  JsonArray *images = json_object_get_array_member (ctx->loaded->detail, "images");
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();
  JsonObject *image;
  JsonArray *variants;

  if (ctx->image_index >= json_array_get_length (images))
    {
      loaded_ready (ctx);
      load_context_free (ctx);
      return;
    }
  image = json_array_get_object_element (images, ctx->image_index);
  /* The advertiser's own file when it is on this machine; the compressed
   * variant (same size, orientation applied) for a download. */
  if (json_string (image, "location") && strstr (json_string (image, "location"), "://") == NULL)
    g_ptr_array_add (paths, (gpointer) json_string (image, "location"));
  variants = json_object_get_array_member (image, "variants");
  for (guint i = 0; i < json_array_get_length (variants); i++)
    {
      JsonObject *variant = json_array_get_object_element (variants, i);

      if (g_strcmp0 (json_string (variant, "kind"), "compressed") == 0)
        g_ptr_array_add (paths, (gpointer) json_string (variant, "path"));
    }
  g_ptr_array_add (paths, NULL);
  vetter_texture_load_async ((const char * const *) paths->pdata, DISPLAY_SIZE, ctx->loaded->cancellable,
                             on_texture_loaded, ctx);
}

static void
on_detail_loaded (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  LoadContext *ctx = user_data;
  g_autoptr(GError) error = NULL;
  JsonObject *detail = vetter_engine_item_detail_finish (VETTER_ENGINE (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      load_context_free (ctx);
      return;
    }
  if (detail == NULL)
    {
      ctx->loaded->error = g_steal_pointer (&error);
      loaded_ready (ctx);
      load_context_free (ctx);
      return;
    }
  g_clear_pointer (&ctx->loaded->detail, json_object_unref);
  ctx->loaded->detail = detail;
  load_texture (ctx);
}

static void
load_item (VetterReviewPage *self,
           Loaded           *loaded,
           guint             image_index)
{
  LoadContext *ctx = g_new0 (LoadContext, 1);

  ctx->self = g_object_ref (self);
  ctx->loaded = loaded;
  ctx->image_index = image_index;
  loaded->ready = FALSE;
  if (loaded->detail && image_index > 0)
    load_texture (ctx);
  else
    vetter_engine_item_detail_async (self->engine, loaded->item_id, loaded->cancellable, on_detail_loaded, ctx);
}

static void
preload_next (VetterReviewPage *self)
{
  gint64 id;

  if (self->position + 1 >= self->queue->len)
    return;
  id = g_array_index (self->queue, gint64, self->position + 1);
  if (self->next && self->next->item_id == id)
    return;
  g_clear_pointer (&self->next, loaded_free);
  self->next = loaded_new (id);
  load_item (self, self->next, 0);
}

static void
show_position (VetterReviewPage *self)
{
  gint64 id;

  self->image_index = 0;
  if (self->queue == NULL || self->position >= self->queue->len)
    {
      vetter_claim_keeper_release (self->claim);
      g_clear_pointer (&self->current, loaded_free);
      gtk_stack_set_visible_child_name (self->review_stack, "empty");
      update_position_label (self);
      update_actions (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_ITEM]);
      return;
    }

  id = g_array_index (self->queue, gint64, self->position);
  if (self->current == NULL || self->current->item_id != id)
    vetter_claim_keeper_release (self->claim);
  g_clear_pointer (&self->current, loaded_free);
  if (self->next && self->next->item_id == id)
    {
      self->current = g_steal_pointer (&self->next);
      if (self->current->ready)
        {
          if (self->current->detail)
            display (self);
          else
            display_error (self, self->current->error);
        }
    }
  else
    {
      self->current = loaded_new (id);
      /* Keep the last item on screen while this one loads: a spinner for
       * the few milliseconds a read takes would only flicker. */
      if (g_strcmp0 (gtk_stack_get_visible_child_name (self->review_stack), "item") != 0)
        gtk_stack_set_visible_child_name (self->review_stack, "loading");
      load_item (self, self->current, 0);
    }
  update_position_label (self);
  update_actions (self);
  preload_next (self);
}

/* ---- Claims --------------------------------------------------------------- */

/* With a shared database, the ad on screen is claimed (vetter-claim-keeper.c);
 * one another desktop holds leaves this queue, with a word saying who has it. */

static void
claim_current (VetterReviewPage *self)
{
  JsonObject *item = self->current ? self->current->detail : NULL;

  if (is_decidable (json_string (item, "status")))
    vetter_claim_keeper_hold (self->claim, self->current->item_id, json_string (item, "uid"));
}

static void
on_held_elsewhere (VetterReviewPage *self,
                   gint64            item_id,
                   const char       *holder)
{
  g_autofree char *message = NULL;

  if (self->queue == NULL || self->position >= self->queue->len ||
      g_array_index (self->queue, gint64, self->position) != item_id)
    return;
  message = g_strdup_printf (_("%s is reviewing this ad on another desktop; it is left to them"),
                             holder && *holder ? holder : _("Someone"));
  say (self, message);
  /* The item after it is preloaded as "next" and moves up in its place. */
  g_array_remove_index (self->queue, self->position);
  show_position (self);
}

/* ---- The queue ------------------------------------------------------------ */

typedef struct
{
  VetterReviewPage *self;
  gboolean          append;   /* keep the queue, add what is new */
} QueueContext;

static void
on_queue_loaded (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  QueueContext *ctx = user_data;
  g_autoptr(VetterReviewPage) self = ctx->self;
  gboolean append = ctx->append;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = vetter_engine_review_queue_finish (VETTER_ENGINE (source), result, &error);

  g_free (ctx);
  if (ids == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          say (self, error->message);
          if (!append)
            display_error (self, error);
        }
      return;
    }

  if (append && self->queue)
    {
      g_autoptr(GHashTable) known = g_hash_table_new (g_int64_hash, g_int64_equal);
      gboolean was_at_end = self->position >= self->queue->len;
      guint before = self->queue->len;

      for (guint i = 0; i < self->queue->len; i++)
        g_hash_table_add (known, &g_array_index (self->queue, gint64, i));
      for (guint i = 0; i < ids->len; i++)
        if (!g_hash_table_contains (known, &g_array_index (ids, gint64, i)))
          g_array_append_val (self->queue, g_array_index (ids, gint64, i));
      if (self->queue->len == before)
        return;
      /* A moderator waiting at the end sees the new arrival at once. */
      if (was_at_end)
        show_position (self);
      else
        {
          update_position_label (self);
          update_actions (self);
          preload_next (self);
        }
      return;
    }

  g_clear_pointer (&self->queue, g_array_unref);
  g_clear_pointer (&self->next, loaded_free);
  self->queue = g_steal_pointer (&ids);
  self->position = 0;
  show_position (self);
}

static void
query_queue (VetterReviewPage *self,
             gboolean          append)
{
  QueueContext *ctx = g_new0 (QueueContext, 1);

  if (self->engine == NULL)
    {
      g_free (ctx);
      return;
    }
  ctx->self = g_object_ref (self);
  ctx->append = append;
  vetter_engine_review_queue_async (self->engine, self->filter, self->cancellable, on_queue_loaded, ctx);
}

static gboolean
refresh_timeout (gpointer user_data)
{
  VetterReviewPage *self = user_data;

  self->refresh_source = 0;
  query_queue (self, TRUE);
  return G_SOURCE_REMOVE;
}

static void
on_item_changed (VetterReviewPage *self,
                 gint64            item_id,
                 gint64            batch_id,
                 const char       *status,
                 const char       *step,
                 VetterEngine     *engine)
{
  /* Only the rules' verdicts bring new items; a moderator's decision does
   * not change what is in the queue, only what it says. */
  if (g_strcmp0 (status, "processing") == 0 || self->refresh_source != 0)
    return;
  self->refresh_source = g_timeout_add (REFRESH_DELAY_MS, refresh_timeout, self);
}

/* ---- Filters -------------------------------------------------------------- */

static void
read_filters (VetterReviewPage *self)
{
  static const char *statuses[] = { "needs_review", "approved", "rejected", "any", "conflict" };
  static const char *autos[] = { NULL, "needs_review", "approved", "rejected" };
  guint batch = gtk_drop_down_get_selected (self->batch_filter);
  guint status = gtk_drop_down_get_selected (self->status_filter);
  guint defect = gtk_drop_down_get_selected (self->defect_filter);
  guint auto_status = gtk_drop_down_get_selected (self->auto_filter);

  self->filter->batch_id = batch < self->batch_ids->len ? g_array_index (self->batch_ids, gint64, batch) : 0;
  g_free (self->filter->status);
  self->filter->status = g_strdup (status < G_N_ELEMENTS (statuses) ? statuses[status] : "needs_review");
  g_free (self->filter->defect_kind);
  self->filter->defect_kind = defect > 0 && defect <= self->defect_kinds->len
                              ? g_strdup (self->defect_kinds->pdata[defect - 1]) : NULL;
  g_free (self->filter->auto_status);
  self->filter->auto_status = g_strdup (auto_status < G_N_ELEMENTS (autos) ? autos[auto_status] : NULL);
}

static void
on_filter_changed (VetterReviewPage *self)
{
  gint64 before_batch = self->filter->batch_id;
  g_autofree char *before_status = g_strdup (self->filter->status);
  g_autofree char *before_defect = g_strdup (self->filter->defect_kind);
  g_autofree char *before_auto = g_strdup (self->filter->auto_status);

  read_filters (self);
  /* Rebuilding a filter's list re-selects what it had: no new query. */
  if (before_batch == self->filter->batch_id && g_strcmp0 (before_status, self->filter->status) == 0 &&
      g_strcmp0 (before_defect, self->filter->defect_kind) == 0 &&
      g_strcmp0 (before_auto, self->filter->auto_status) == 0)
    return;
  query_queue (self, FALSE);
}

static void
rebuild_batch_filter (VetterReviewPage *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  gint64 selected = self->filter->batch_id;
  guint select_index = 0;
  guint n = self->batches ? g_list_model_get_n_items (self->batches) : 0;

  g_array_set_size (self->batch_ids, 0);
  gtk_string_list_append (names, _("All batches"));
  g_array_append_val (self->batch_ids, (gint64) { 0 });
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VetterBatchObject) batch = g_list_model_get_item (self->batches, i);
      gint64 id = vetter_batch_object_get_id (batch);

      gtk_string_list_append (names, vetter_batch_object_get_title (batch));
      g_array_append_val (self->batch_ids, id);
      if (id == selected)
        select_index = i + 1;
    }
  g_signal_handlers_block_by_func (self->batch_filter, on_filter_changed, self);
  gtk_drop_down_set_model (self->batch_filter, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->batch_filter, select_index);
  g_signal_handlers_unblock_by_func (self->batch_filter, on_filter_changed, self);
  on_filter_changed (self);
}

static void
on_batches_changed (GListModel       *model,
                    guint             position,
                    guint             removed,
                    guint             added,
                    VetterReviewPage *self)
{
  rebuild_batch_filter (self);
}

static void
on_defect_kinds_loaded (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(VetterReviewPage) self = user_data;
  g_autoptr(GPtrArray) kinds = vetter_engine_defect_kinds_finish (VETTER_ENGINE (source), result, NULL);
  g_autoptr(GtkStringList) names = NULL;
  guint select_index = 0;

  if (kinds == NULL)
    return;
  names = gtk_string_list_new (NULL);
  gtk_string_list_append (names, _("Any defect"));
  for (guint i = 0; i < kinds->len; i++)
    {
      gtk_string_list_append (names, vetter_label_for_defect (kinds->pdata[i]));
      if (g_strcmp0 (kinds->pdata[i], self->filter->defect_kind) == 0)
        select_index = i + 1;
    }
  g_ptr_array_unref (self->defect_kinds);
  self->defect_kinds = g_steal_pointer (&kinds);
  g_signal_handlers_block_by_func (self->defect_filter, on_filter_changed, self);
  gtk_drop_down_set_model (self->defect_filter, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->defect_filter, select_index);
  g_signal_handlers_unblock_by_func (self->defect_filter, on_filter_changed, self);
}

/* ---- Deciding ------------------------------------------------------------- */

typedef struct
{
  VetterReviewPage *self;
  UndoEntry        *entry;   /* NULL for an undo */
  gint64            item_id;
} DecideContext;

static void
on_decided (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  DecideContext *ctx = user_data;
  g_autoptr(VetterReviewPage) self = ctx->self;
  g_autoptr(GError) error = NULL;
  VetterItemDecision *previous = vetter_engine_decide_finish (VETTER_ENGINE (source), result, &error);

  if (previous == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The decision was not saved: %s"), error->message);

      if (ctx->entry)
        {
          g_queue_remove (self->undo, ctx->entry);
          undo_entry_free (ctx->entry);
        }
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        say (self, message);
    }
  else if (ctx->entry)
    ctx->entry->previous = previous;
  else
    {
      /* An undo: show the item again, as it now is. */
      vetter_item_decision_free (previous);
      for (guint i = 0; self->queue && i < self->queue->len; i++)
        if (g_array_index (self->queue, gint64, i) == ctx->item_id)
          {
            g_clear_pointer (&self->next, loaded_free);
            self->position = i;
            show_position (self);
            break;
          }
    }
  update_actions (self);
  g_free (ctx);
}

static void
decide (VetterReviewPage *self,
        const char       *status,
        const char       *reason_code,
        const char       *note)
{
  g_autoptr(VetterItemDecision) decision = NULL;
  DecideContext *ctx;
  UndoEntry *entry;

  if (self->current == NULL || self->current->detail == NULL ||
      !is_decidable (json_string (self->current->detail, "status")))
    return;

  decision = vetter_item_decision_new_manual (status, reason_code, note, g_get_user_name ());
  entry = g_new0 (UndoEntry, 1);
  entry->item_id = self->current->item_id;
  g_queue_push_head (self->undo, entry);

  ctx = g_new0 (DecideContext, 1);
  ctx->self = g_object_ref (self);
  ctx->entry = entry;
  ctx->item_id = entry->item_id;
  vetter_engine_decide_async (self->engine, entry->item_id, decision, "decide", g_get_user_name (),
                              self->cancellable, on_decided, ctx);

  /* On to the next at once: it is already loaded. */
  self->position++;
  show_position (self);
}

static void
close_reason_bar (VetterReviewPage *self)
{
  self->choosing_reason = FALSE;
  gtk_revealer_set_reveal_child (self->reason_revealer, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->note_entry), "");
  gtk_widget_remove_css_class (GTK_WIDGET (self->note_entry), "error");
  update_actions (self);
  if (gtk_stack_get_visible_child (self->review_stack) != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->image_view));
}

static void
reject_with (VetterReviewPage *self,
             const char       *code)
{
  const char *note = gtk_editable_get_text (GTK_EDITABLE (self->note_entry));
  g_autofree char *kept_note = NULL;

  if (g_strcmp0 (code, "other") == 0 && (note == NULL || *note == '\0'))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->note_entry), "error");
      gtk_widget_grab_focus (GTK_WIDGET (self->note_entry));
      say (self, _("Write a note saying why, then press Enter"));
      return;
    }
  kept_note = g_strdup (note);
  close_reason_bar (self);
  decide (self, "rejected", code, kept_note);
}

static void
approve_action (GtkWidget  *widget,
                const char *name,
                GVariant   *parameter)
{
  VetterReviewPage *self = VETTER_REVIEW_PAGE (widget);

  if (self->choosing_reason)
    close_reason_bar (self);
  decide (self, "approved", NULL, NULL);
}

static void
reject_action (GtkWidget  *widget,
               const char *name,
               GVariant   *parameter)
{
  VetterReviewPage *self = VETTER_REVIEW_PAGE (widget);
  GtkFlowBoxChild *first;

  if (self->choosing_reason)
    return;
  self->choosing_reason = TRUE;
  gtk_revealer_set_reveal_child (self->reason_revealer, TRUE);
  update_actions (self);
  first = gtk_flow_box_get_child_at_index (self->reason_box, 0);
  if (first)
    gtk_widget_grab_focus (gtk_flow_box_child_get_child (first));
}

static void
reason_action (GtkWidget  *widget,
               const char *name,
               GVariant   *parameter)
{
  VetterReviewPage *self = VETTER_REVIEW_PAGE (widget);
  guint n_reasons;
  const VetterReason *reasons = vetter_reasons (&n_reasons);
  int index = g_variant_get_int32 (parameter);

  if (!self->choosing_reason || index < 0 || (guint) index >= n_reasons)
    return;
  reject_with (self, reasons[index].code);
}

static void
cancel_reason_action (GtkWidget  *widget,
                      const char *name,
                      GVariant   *parameter)
{
  close_reason_bar (VETTER_REVIEW_PAGE (widget));
}

static void
on_note_activate (GtkEntry         *entry,
                  VetterReviewPage *self)
{
  reject_with (self, "other");
}

static void
move_action (GtkWidget  *widget,
             const char *name,
             GVariant   *parameter)
{
  VetterReviewPage *self = VETTER_REVIEW_PAGE (widget);

  if (self->queue == NULL)
    return;
  if (g_str_equal (name, "review.next") && self->position < self->queue->len)
    self->position++;
  else if (g_str_equal (name, "review.previous") && self->position > 0)
    {
      /* Going back re-reads the item: it may have been decided since. */
      self->position--;
      g_clear_pointer (&self->next, loaded_free);
    }
  else
    return;
  if (self->choosing_reason)
    close_reason_bar (self);
  show_position (self);
}

static void
undo_action (GtkWidget  *widget,
             const char *name,
             GVariant   *parameter)
{
  VetterReviewPage *self = VETTER_REVIEW_PAGE (widget);
  UndoEntry *entry = g_queue_peek_head (self->undo);
  DecideContext *ctx;

  if (entry == NULL)
    return;
  if (entry->previous == NULL)
    {
      say (self, _("The last decision is still being saved; try again in a moment"));
      return;
    }
  g_queue_pop_head (self->undo);
  ctx = g_new0 (DecideContext, 1);
  ctx->self = g_object_ref (self);
  ctx->item_id = entry->item_id;
  vetter_engine_decide_async (self->engine, entry->item_id, entry->previous, "undo", g_get_user_name (),
                              self->cancellable, on_decided, ctx);
  undo_entry_free (entry);
  update_actions (self);
}

typedef struct
{
  VetterReviewPage *self;
  gboolean          keep_theirs;
} ResolveContext;

static void
on_resolved (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  ResolveContext *ctx = user_data;
  g_autoptr(VetterReviewPage) self = ctx->self;
  g_autoptr(GError) error = NULL;

  if (!vetter_engine_resolve_conflict_finish (VETTER_ENGINE (source), result, &error))
    {
      g_autofree char *message = g_strdup_printf (_("The conflict is not settled: %s"), error->message);

      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        say (self, message);
    }
  else
    say (self, ctx->keep_theirs ? _("Their decision is kept")
                                : _("Your decision is kept and goes to the shared database"));
  g_free (ctx);
}

/* Keep Theirs (T) or Keep Mine (M) on an item in conflict, then on. */
static void
resolve_action (GtkWidget  *widget,
                const char *name,
                GVariant   *parameter)
{
  VetterReviewPage *self = VETTER_REVIEW_PAGE (widget);
  ResolveContext *ctx;

  if (self->current == NULL || !in_conflict (self->current->detail))
    return;
  ctx = g_new0 (ResolveContext, 1);
  ctx->self = g_object_ref (self);
  ctx->keep_theirs = g_str_equal (name, "review.keep-theirs");
  vetter_engine_resolve_conflict_async (self->engine, self->current->item_id, ctx->keep_theirs, g_get_user_name (),
                                        self->cancellable, on_resolved, ctx);
  self->position++;
  show_position (self);
}

static void
zoom_action (GtkWidget  *widget,
             const char *name,
             GVariant   *parameter)
{
  vetter_image_view_toggle_zoom (VETTER_REVIEW_PAGE (widget)->image_view);
}

static void
reveal_action (GtkWidget  *widget,
               const char *name,
               GVariant   *parameter)
{
  if (gtk_widget_has_css_class (widget, "revealed"))
    gtk_widget_remove_css_class (widget, "revealed");
  else
    gtk_widget_add_css_class (widget, "revealed");
}

static void
on_blur_changed (GSettings        *settings,
                 const char       *key,
                 VetterReviewPage *self)
{
  if (g_settings_get_boolean (settings, "blur-images"))
    gtk_widget_add_css_class (GTK_WIDGET (self), "softened");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "softened");
}

/* ---- GObject -------------------------------------------------------------- */

static void
add_reason_buttons (VetterReviewPage *self)
{
  guint n_reasons;
  const VetterReason *reasons = vetter_reasons (&n_reasons);

  for (guint i = 0; i < n_reasons; i++)
    {
      g_autofree char *label = g_strdup_printf ("%u  %s", i + 1, _(reasons[i].label));
      GtkWidget *button = gtk_button_new_with_label (label);

      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "review.reason");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "i", (gint32) i);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, _(reasons[i].label), -1);
      gtk_flow_box_append (self->reason_box, button);
    }
}

static void
vetter_review_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  VetterReviewPage *self = VETTER_REVIEW_PAGE (object);

  switch (prop_id)
    {
    case PROP_CURRENT_ITEM:
      g_value_set_int64 (value, vetter_review_page_get_current_item (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vetter_review_page_dispose (GObject *object)
{
  VetterReviewPage *self = VETTER_REVIEW_PAGE (object);

  if (self->claim)
    {
      g_signal_handlers_disconnect_by_func (self->claim, on_held_elsewhere, self);
      /* Now, not when the last answer on its way lets the keeper go. */
      vetter_claim_keeper_release (self->claim);
    }
  g_clear_object (&self->claim);
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  g_clear_pointer (&self->current, loaded_free);
  g_clear_pointer (&self->next, loaded_free);
  if (self->batches)
    g_signal_handlers_disconnect_by_func (self->batches, on_batches_changed, self);
  g_clear_object (&self->batches);
  if (self->engine)
    g_signal_handlers_disconnect_by_func (self->engine, on_item_changed, self);
  g_clear_object (&self->engine);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), VETTER_TYPE_REVIEW_PAGE);
  {
    GtkWidget *child;

    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
      gtk_widget_unparent (child);
  }

  G_OBJECT_CLASS (vetter_review_page_parent_class)->dispose (object);
}

static void
vetter_review_page_finalize (GObject *object)
{
  VetterReviewPage *self = VETTER_REVIEW_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->filter, vetter_review_filter_free);
  g_clear_pointer (&self->queue, g_array_unref);
  g_clear_pointer (&self->batch_ids, g_array_unref);
  g_clear_pointer (&self->defect_kinds, g_ptr_array_unref);
  g_queue_free_full (self->undo, (GDestroyNotify) undo_entry_free);

  G_OBJECT_CLASS (vetter_review_page_parent_class)->finalize (object);
}

static void
add_key (GtkWidgetClass  *widget_class,
         guint            key,
         GdkModifierType  modifiers,
         const char      *action)
{
  gtk_widget_class_add_binding_action (widget_class, key, modifiers, action, NULL);
}

static void
vetter_review_page_class_init (VetterReviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = vetter_review_page_get_property;
  object_class->dispose = vetter_review_page_dispose;
  object_class->finalize = vetter_review_page_finalize;

  properties[PROP_CURRENT_ITEM] = g_param_spec_int64 ("current-item", NULL, NULL, 0, G_MAXINT64, 0,
                                                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Something the moderator should read: the window shows it as a toast. */
  signals[MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (VETTER_TYPE_IMAGE_VIEW);
  g_type_ensure (VETTER_TYPE_CONFLICT_CARD);
  vetter_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/vetter-review-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "vetter-review-page");
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, batch_filter);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, status_filter);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, defect_filter);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, auto_filter);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, position_label);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, review_stack);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, image_view);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, image_switcher);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, decision_label);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, rule_label);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, conflict_card);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, defect_list);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, defects_heading);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, tag_box);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, colour_box);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, variant_box);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, field_list);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, history_list);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, reason_revealer);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, reason_box);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, note_entry);
  gtk_widget_class_bind_template_callback (widget_class, on_note_activate);

  gtk_widget_class_install_action (widget_class, "review.approve", NULL, approve_action);
  gtk_widget_class_install_action (widget_class, "review.reject", NULL, reject_action);
  gtk_widget_class_install_action (widget_class, "review.reason", "i", reason_action);
  gtk_widget_class_install_action (widget_class, "review.cancel-reason", NULL, cancel_reason_action);
  gtk_widget_class_install_action (widget_class, "review.next", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "review.previous", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "review.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "review.keep-theirs", NULL, resolve_action);
  gtk_widget_class_install_action (widget_class, "review.keep-mine", NULL, resolve_action);
  gtk_widget_class_install_action (widget_class, "review.zoom", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "review.reveal", NULL, reveal_action);

  add_key (widget_class, GDK_KEY_a, 0, "review.approve");
  add_key (widget_class, GDK_KEY_r, 0, "review.reject");
  add_key (widget_class, GDK_KEY_j, 0, "review.next");
  add_key (widget_class, GDK_KEY_Right, 0, "review.next");
  add_key (widget_class, GDK_KEY_Down, 0, "review.next");
  add_key (widget_class, GDK_KEY_k, 0, "review.previous");
  add_key (widget_class, GDK_KEY_Left, 0, "review.previous");
  add_key (widget_class, GDK_KEY_Up, 0, "review.previous");
  add_key (widget_class, GDK_KEY_z, 0, "review.undo");
  add_key (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "review.undo");
  add_key (widget_class, GDK_KEY_space, 0, "review.zoom");
  add_key (widget_class, GDK_KEY_v, 0, "review.reveal");
  add_key (widget_class, GDK_KEY_t, 0, "review.keep-theirs");
  add_key (widget_class, GDK_KEY_m, 0, "review.keep-mine");
  add_key (widget_class, GDK_KEY_Escape, 0, "review.cancel-reason");
  add_key (widget_class, GDK_KEY_question, 0, "win.show-help-overlay");
  for (guint i = 0; i < 9; i++)
    {
      gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, 0, "review.reason", "i", (gint32) i);
      gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_1 + i, 0, "review.reason", "i", (gint32) i);
    }
}

/* A drop-down's label is not passed on to the button inside it, which is
 * what a screen reader lands on; name that button after it. */
static void
name_drop_down_button (GtkDropDown *drop_down)
{
  const char *name = gtk_widget_get_tooltip_text (GTK_WIDGET (drop_down));

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (drop_down)); child;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_TOGGLE_BUTTON (child))
      gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
}

static void
vetter_review_page_init (VetterReviewPage *self)
{
  self->cancellable = g_cancellable_new ();
  self->filter = vetter_review_filter_new ();
  self->undo = g_queue_new ();
  self->batch_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->defect_kinds = g_ptr_array_new_with_free_func (g_free);
  self->claim = vetter_claim_keeper_new ();
  g_signal_connect_swapped (self->claim, "held-elsewhere", G_CALLBACK (on_held_elsewhere), self);

  gtk_widget_init_template (GTK_WIDGET (self));
  add_reason_buttons (self);
  name_drop_down_button (self->batch_filter);
  name_drop_down_button (self->status_filter);
  name_drop_down_button (self->defect_filter);
  name_drop_down_button (self->auto_filter);

  g_signal_connect_swapped (self->batch_filter, "notify::selected", G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->status_filter, "notify::selected", G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->defect_filter, "notify::selected", G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->auto_filter, "notify::selected", G_CALLBACK (on_filter_changed), self);
  g_signal_connect (self->defect_list, "row-selected", G_CALLBACK (on_defect_selected), self);

  self->settings = vetter_config_get_settings ();
  if (self->settings)
    {
      g_signal_connect (self->settings, "changed::blur-images", G_CALLBACK (on_blur_changed), self);
      on_blur_changed (self->settings, "blur-images", self);
    }
  gtk_stack_set_visible_child_name (self->review_stack, "loading");
  update_actions (self);
}

GtkWidget *
vetter_review_page_new (void)
{
  return g_object_new (VETTER_TYPE_REVIEW_PAGE, NULL);
}

void
vetter_review_page_setup (VetterReviewPage *self,
                          VetterEngine     *engine,
                          GListModel       *batches)
{
  g_return_if_fail (VETTER_IS_REVIEW_PAGE (self));
  g_return_if_fail (self->engine == NULL);

  self->engine = g_object_ref (engine);
  self->batches = g_object_ref (batches);
  g_signal_connect_object (engine, "item-changed", G_CALLBACK (on_item_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect (batches, "items-changed", G_CALLBACK (on_batches_changed), self);
  rebuild_batch_filter (self);
  vetter_review_page_reload (self);
}

void
vetter_review_page_reload (VetterReviewPage *self)
{
  g_return_if_fail (VETTER_IS_REVIEW_PAGE (self));

  if (self->engine == NULL)
    return;
  vetter_engine_defect_kinds_async (self->engine, self->cancellable, on_defect_kinds_loaded, g_object_ref (self));
  query_queue (self, FALSE);
}

/* Claims the ad on screen in @claims (NULL: no shared database). */
void
vetter_review_page_set_claims (VetterReviewPage *self,
                               VetterCouchFeed  *claims)
{
  g_return_if_fail (VETTER_IS_REVIEW_PAGE (self));

  vetter_claim_keeper_set_feed (self->claim, claims);
  if (self->current && self->current->ready && self->current->detail)
    claim_current (self);
}

gint64
vetter_review_page_get_current_item (VetterReviewPage *self)
{
  g_return_val_if_fail (VETTER_IS_REVIEW_PAGE (self), 0);
  return self->current && self->current->ready ? self->current->item_id : 0;
}

guint
vetter_review_page_get_position (VetterReviewPage *self)
{
  g_return_val_if_fail (VETTER_IS_REVIEW_PAGE (self), 0);
  return self->position;
}

guint
vetter_review_page_get_queue_length (VetterReviewPage *self)
{
  g_return_val_if_fail (VETTER_IS_REVIEW_PAGE (self), 0);
  return self->queue ? self->queue->len : 0;
}

const char *
vetter_review_page_get_state (VetterReviewPage *self)
{
  g_return_val_if_fail (VETTER_IS_REVIEW_PAGE (self), NULL);
  return gtk_stack_get_visible_child_name (self->review_stack);
}

VetterImageView *
vetter_review_page_get_image_view (VetterReviewPage *self)
{
  g_return_val_if_fail (VETTER_IS_REVIEW_PAGE (self), NULL);
  return self->image_view;
}

gboolean
vetter_review_page_get_choosing_reason (VetterReviewPage *self)
{
  g_return_val_if_fail (VETTER_IS_REVIEW_PAGE (self), FALSE);
  return self->choosing_reason;
}
