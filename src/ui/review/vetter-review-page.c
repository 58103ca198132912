/* vetter-review-page.c: the ads waiting for a person, one at a time
 *
 * Built for a moderator who decides hundreds of ads an hour from the
 * keyboard. Where the moderator is (the queue, the position, the ads read
 * ahead, undo) is a VetterReviewCursor; the pictures of the ads around
 * the position are made ahead, at the size they are drawn, by a
 * VetterPictureCache; what each key does, and the keys typed ahead of the
 * screen, are VetterReviewKeys. This page draws what they hold: the image
 * with the defects boxed, the ad's side panel (a VetterItemDetailView,
 * one per ad read ahead, filled before it is shown), the
 * filters and counters, the reason bar, a word on each decision beside
 * Undo, and the variants in a viewer of their own.
 *
 * A decision swaps the ad on screen in the same turn of the main loop
 * when the next ad is ready, which it is unless the moderator outpaces
 * the reading ahead; then the last ad stays, dimmed, under a word saying
 * that keys typed now go to the next one, and they do.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-review-page"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "vetter-batch-object.h"
#include "vetter-claim-keeper.h"
#include "vetter-config.h"
#include "vetter-duplicate-view.h"
#include "vetter-item-detail-view.h"
#include "vetter-labels.h"
#include "vetter-panel-deck.h"
#include "vetter-picture-cache.h"
#include "vetter-reasons.h"
#include "vetter-resources.h"
#include "vetter-review-cursor.h"
#include "vetter-review-keys.h"
#include "vetter-review-page.h"
#include "vetter-variant-viewer.h"

/* Ads read ahead, their pictures made before they are needed: enough for
 * a burst of decisions while the next few are decoded. */
#define READ_AHEAD 3
/* Side panels kept made: the ads read ahead, the one on screen, the one
 * before it. */
#define N_PANELS (READ_AHEAD + 2)
/* The status filter's "All decided" entry. */
#define FILTER_ALL_DECIDED 3

struct _VetterReviewPage
{
  GtkWidget           parent_instance;

  VetterEngine       *engine;
  GListModel         *batches;
  GSettings          *settings;
  GtkWidget          *approve_button;
  GtkWidget          *reject_button;
  GCancellable       *cancellable;
  VetterReviewCursor *cursor;
  VetterPictureCache *pictures;
  VetterReviewKeys   *keys;
  VetterClaimKeeper  *claim;          /* on the ad on screen */
  gint64              shown;          /* the ad on screen that keys act on, 0 for none */
  guint               image_index;    /* which of its images */
  gboolean            full_size;      /* zoomed in: its picture at full size is wanted */
  gboolean            viewing;        /* the variants, or a duplicate's comparison, are open */
  VetterItemDetail   *drawn;          /* what the panels show now, to skip redrawing it */
  GdkTexture         *drawn_texture;
  guint               drawn_index;
  GArray             *batch_ids;      /* batch filter's entries; 0: all */
  GPtrArray          *defect_kinds;   /* defect filter's entries after "any" */
  gboolean            choosing_reason;
  guint               confirmation_source;   /* clears the last decision's word */

  GtkDropDown        *batch_filter;
  GtkDropDown        *status_filter;
  GtkDropDown        *defect_filter;
  GtkDropDown        *auto_filter;
  GtkLabel           *position_label;
  GtkLabel           *left_label;
  GtkLabel           *last_decision_label;
  GtkStack           *review_stack;
  AdwStatusPage      *error_page;
  GtkButton          *skip_button;
  GtkButton          *show_decided_button;
  GtkWidget          *paned;
  GtkLabel           *stale_label;
  VetterImageView    *image_view;
  GtkBox             *image_switcher;
  GtkScrolledWindow  *panel_scroller;
  VetterPanelDeck    *panel_deck;
  VetterItemDetailView *panels[N_PANELS];
  VetterItemDetailView *detail_view;   /* the panel on screen */
  guint               panels_source;
  guint               fill_source;    /* fills the panel of the ad on screen */
  VetterVariantViewer *variant_viewer;
  VetterDuplicateView *duplicate_view;
  GtkRevealer        *reason_revealer;
  GtkFlowBox         *reason_box;
  GtkEntry           *note_entry;
  GtkSpinner         *loading_spinner;
  GPtrArray          *preloaded;   /* GtkIconPaintable: see on_realize() */
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

static const char * const page_actions[] = {
  "review.approve", "review.reject", "review.reason", "review.cancel-reason", "review.next", "review.previous",
  "review.undo", "review.keep-theirs", "review.keep-mine", "review.zoom", "review.reveal", "review.show-decided",
};

static void show_current (VetterReviewPage *self);

/* ---- Helpers -------------------------------------------------------------- */

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
    gtk_box_remove (GTK_BOX (container), child);
}

static VetterImageInfo *
image_of (VetterItemDetail *item,
          guint             index)
{
  return item && index < item->images->len ? g_ptr_array_index (item->images, index) : NULL;
}

/* The ad keys act on: the one on screen, if it is the cursor's. */
static VetterItemDetail *
acting_item (VetterReviewPage *self)
{
  VetterItemDetail *item = vetter_review_cursor_get_current (self->cursor);

  return item && item->id == self->shown ? item : NULL;
}

/* The actions that change what was decided. */
static gboolean
is_decision (const char *action)
{
  const char * const decisions[] = { "review.approve", "review.reject", "review.reason", "review.undo",
                                     "review.keep-theirs", "review.keep-mine", NULL };

  return g_strv_contains (decisions, action);
}

static gboolean
can_act (VetterReviewPage *self,
         const char       *action)
{
  VetterItemDetail *item = acting_item (self);
  gboolean settling = vetter_review_cursor_get_settling (self->cursor);
  gboolean conflict = vetter_item_detail_in_conflict (item);
  guint position = vetter_review_cursor_get_position (self->cursor);

  /* The variant viewer takes the keys while it is open. */
  if (self->viewing)
    return FALSE;
  /* A viewer looks, and decides nothing. */
  if (is_decision (action) && self->engine && !vetter_role_may_decide (vetter_engine_get_role (self->engine)))
    return FALSE;
  if (g_str_equal (action, "review.approve") || g_str_equal (action, "review.reject"))
    return item && vetter_status_is_decidable (item->status) && !conflict && !settling;
  if (g_str_equal (action, "review.reason"))
    return self->choosing_reason;
  if (g_str_equal (action, "review.keep-theirs") || g_str_equal (action, "review.keep-mine"))
    return conflict && !settling;
  if (g_str_equal (action, "review.previous"))
    return position > 0;
  if (g_str_equal (action, "review.next"))
    return position < vetter_review_cursor_get_n_items (self->cursor);
  if (g_str_equal (action, "review.undo"))
    return vetter_review_cursor_get_can_undo (self->cursor);
  if (g_str_equal (action, "review.zoom"))
    return item != NULL;
  /* Escape with nothing to cancel does nothing, without a bell. */
  return TRUE;
}

static gboolean
keys_can_act (GtkWidget  *page,
              const char *action)
{
  return can_act (VETTER_REVIEW_PAGE (page), action);
}

static void
update_actions (VetterReviewPage *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (page_actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), page_actions[i], can_act (self, page_actions[i]));
}

/* What the person's role allows: a viewer's decision buttons say why
 * they do nothing. */
static void
show_role (VetterReviewPage *self)
{
  gboolean may = vetter_role_may_decide (vetter_engine_get_role (self->engine));

  gtk_widget_set_tooltip_text (self->approve_button, may ? _("Approve (A)") : _("Approving needs the moderator role"));
  gtk_widget_set_tooltip_text (self->reject_button, may ? _("Reject (R)") : _("Rejecting needs the moderator role"));
  update_actions (self);
}

static void
update_counters (VetterReviewPage *self)
{
  g_autofree char *position_text = NULL;
  g_autofree char *left_text = NULL;
  guint len = vetter_review_cursor_get_n_items (self->cursor);
  guint position = vetter_review_cursor_get_position (self->cursor);
  guint left = vetter_review_cursor_get_n_left (self->cursor);

  if (len == 0)
    position_text = g_strdup ("");
  else if (position >= len)
    position_text = g_strdup_printf (ngettext ("End of %u ad", "End of %u ads", len), len);
  else
    /* Translators: the ad on screen, of how many match the filters */
    position_text = g_strdup_printf (_("Ad %u of %u"), position + 1, len);
  /* Translators: ads of the queue still waiting for a decision */
  left_text = len ? g_strdup_printf (ngettext ("%u left", "%u left", left), left) : g_strdup ("");
  gtk_label_set_label (self->position_label, position_text);
  gtk_label_set_label (self->left_label, left_text);
}

static void
set_shown (VetterReviewPage *self,
           gint64            item_id)
{
  if (item_id == 0)
    {
      g_clear_pointer (&self->drawn, vetter_item_detail_unref);
      g_clear_object (&self->drawn_texture);
    }
  if (self->shown == item_id)
    return;
  self->shown = item_id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_ITEM]);
}

/* Where keys go when nothing else holds them: the image, or the button of
 * the page on show. A focus left on a hidden widget would swallow them. */
static void
focus_home (VetterReviewPage *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->review_stack);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;

  if (self->choosing_reason || self->viewing || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  /* A control the moderator went to (a filter, a defect) keeps it. */
  if (focus && gtk_widget_is_ancestor (focus, GTK_WIDGET (self)) && gtk_widget_is_drawable (focus) &&
      !gtk_widget_is_ancestor (focus, GTK_WIDGET (self->reason_revealer)))
    return;
  if (g_strcmp0 (page, "empty") == 0)
    gtk_widget_grab_focus (GTK_WIDGET (self->show_decided_button));
  else if (g_strcmp0 (page, "error") == 0)
    gtk_widget_grab_focus (GTK_WIDGET (self->skip_button));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->image_view));
}

/* ---- Pictures ------------------------------------------------------------- */

/* The pictures of the ads around the position, made for the view as it
 * is now; the others are let go. */
static void
prepare_pictures (VetterReviewPage *self)
{
  gint64 keep[READ_AHEAD + 3];
  guint n = 0;
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self->image_view));
  int width = gtk_widget_get_width (GTK_WIDGET (self->image_view));
  int height = gtk_widget_get_height (GTK_WIDGET (self->image_view));

  /* Before the picture's place has a size (the first ad), the page's,
   * less the side panel, is close enough. */
  if (width <= 0 || height <= 0)
    {
      width = gtk_widget_get_width (GTK_WIDGET (self)) - gtk_widget_get_width (GTK_WIDGET (self->panel_scroller));
      height = gtk_widget_get_height (GTK_WIDGET (self->review_stack));
      if (width > 0 && gtk_widget_get_width (GTK_WIDGET (self->panel_scroller)) == 0)
        width -= 400;
    }
  vetter_picture_cache_set_fit (self->pictures, width * scale, height * scale);
  for (int offset = -1; offset <= READ_AHEAD; offset++)
    {
      VetterItemDetail *item = vetter_review_cursor_peek (self->cursor, offset);

      if (item == NULL)
        continue;
      vetter_picture_cache_prepare (self->pictures, item, offset == 0 ? self->image_index : 0, FALSE);
      if (offset == 0 && self->full_size)
        vetter_picture_cache_prepare (self->pictures, item, self->image_index, TRUE);
      keep[n++] = item->id;
    }
  if (self->drawn)
    keep[n++] = self->drawn->id;
  vetter_picture_cache_keep (self->pictures, keep, n);
}

static void
on_picture_ready (VetterReviewPage *self,
                  gint64            item_id,
                  guint             index,
                  gboolean          full)
{
  if (item_id != vetter_review_cursor_get_current_item (self->cursor) || index != self->image_index)
    return;
  if (full)
    {
      GdkTexture *texture = NULL;

      vetter_picture_cache_lookup (self->pictures, item_id, index, TRUE, &texture, NULL);
      if (texture && item_id == self->shown)
        {
          vetter_image_view_set_sharper (self->image_view, texture);
          g_set_object (&self->drawn_texture, texture);
        }
      return;
    }
  show_current (self);
}

/* Zoomed in by key, scroll or double click: the picture at full size. */
static void
on_fit_changed (VetterReviewPage *self)
{
  VetterItemDetail *item = acting_item (self);

  if (vetter_image_view_get_fit (self->image_view) || item == NULL || self->full_size)
    return;
  self->full_size = TRUE;
  vetter_picture_cache_prepare (self->pictures, item, self->image_index, TRUE);
  on_picture_ready (self, item->id, self->image_index, TRUE);
}

/* ---- Side panels ---------------------------------------------------------- */

static gboolean
is_near (VetterReviewPage *self,
         gint64            item_id)
{
  for (int offset = -1; offset <= READ_AHEAD; offset++)
    {
      VetterItemDetail *item = vetter_review_cursor_peek (self->cursor, offset);

      if (item && item->id == item_id)
        return TRUE;
    }
  return FALSE;
}

/* The panel showing @item, filled now if none is: one that showed it
 * before (an older record of it), else one no ad near the position needs. */
static VetterItemDetailView *
panel_for (VetterReviewPage *self,
           VetterItemDetail *item,
           guint             image_index)
{
  VetterItemDetailView *chosen = NULL;

  for (guint i = 0; i < N_PANELS && chosen == NULL; i++)
    {
      VetterItemDetail *held = vetter_item_detail_view_get_item (self->panels[i]);

      if (held && held->id == item->id)
        chosen = self->panels[i];
    }
  for (guint i = 0; i < N_PANELS && chosen == NULL; i++)
    {
      VetterItemDetail *held = vetter_item_detail_view_get_item (self->panels[i]);

      if (self->panels[i] != self->detail_view && (held == NULL || !is_near (self, held->id)))
        chosen = self->panels[i];
    }
  if (chosen == NULL)
    chosen = self->panels[0] != self->detail_view ? self->panels[0] : self->panels[1];
  vetter_item_detail_view_set_item (chosen, item, image_index);
  return chosen;
}

/* Whether a panel shows this very record of @item. */
static gboolean
has_panel (VetterReviewPage *self,
           VetterItemDetail *item)
{
  for (guint i = 0; i < N_PANELS; i++)
    if (vetter_item_detail_view_get_item (self->panels[i]) == item)
      return TRUE;
  return FALSE;
}

/* Fills the panels of the ads read ahead while the moderator looks at
 * this one, so that a decision only swaps which panel is shown: the deck
 * lays them out in the background (vetter-panel-deck.c). */
static gboolean
prepare_panels (gpointer user_data)
{
  VetterReviewPage *self = user_data;

  /* One panel a turn: filling one costs a few milliseconds, all of them
   * at once would be a frame lost while the moderator looks. */
  for (int offset = 1; offset <= READ_AHEAD + 1; offset++)
    {
      /* The ads ahead first, the one behind last. */
      VetterItemDetail *item = vetter_review_cursor_peek (self->cursor, offset <= READ_AHEAD ? offset : -1);

      if (item && !has_panel (self, item))
        {
          panel_for (self, item, 0);
          return G_SOURCE_CONTINUE;
        }
    }
  self->panels_source = 0;
  return G_SOURCE_REMOVE;
}

/* After the frame that shows the ad on screen, not before it. */
static void
schedule_panels (VetterReviewPage *self)
{
  if (self->panels_source == 0)
    self->panels_source = g_timeout_add_full (G_PRIORITY_LOW, 20, prepare_panels, self, NULL);
}

static void
show_panel (VetterReviewPage     *self,
            VetterItemDetailView *panel)
{
  if (self->detail_view == panel)
    return;
  self->detail_view = panel;
  vetter_panel_deck_show (self->panel_deck, GTK_WIDGET (panel));
  /* A new ad's panel is read from its top. */
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->panel_scroller), 0);
}

static gboolean
fill_shown_panel (gpointer user_data)
{
  VetterReviewPage *self = user_data;
  VetterItemDetail *item = acting_item (self);

  self->fill_source = 0;
  if (item && self->detail_view == NULL)
    show_panel (self, panel_for (self, item, self->image_index));
  return G_SOURCE_REMOVE;
}

/* The panel of @item, when one is made (filled again for another of its
 * images). When none is, the ad is drawn at once without it and its panel
 * filled on the next turn: making one costs most of a frame, which the
 * picture does not wait for. */
static VetterItemDetailView *
ready_panel (VetterReviewPage *self,
             VetterItemDetail *item)
{
  for (guint i = 0; i < N_PANELS; i++)
    {
      VetterItemDetail *held = vetter_item_detail_view_get_item (self->panels[i]);

      if (held && held->id == item->id)
        {
          vetter_item_detail_view_set_item (self->panels[i], item, self->image_index);
          return self->panels[i];
        }
    }
  if (self->fill_source == 0)
    self->fill_source = g_idle_add_full (G_PRIORITY_LOW, fill_shown_panel, self, NULL);
  return NULL;
}

/* ---- Showing the ad ------------------------------------------------------- */

static VetterBoxLevel
box_level (VetterSeverity severity)
{
  return severity == VETTER_SEVERITY_HIGH ? VETTER_BOX_HIGH
       : severity == VETTER_SEVERITY_MEDIUM ? VETTER_BOX_MEDIUM : VETTER_BOX_LOW;
}

/* A box's label: what the defect is, and for a bar, which one. */
static char *
box_label (const VetterDefectInfo *defect,
           const VetterImageInfo  *image)
{
  const char *side = NULL;

  if (g_strcmp0 (defect->kind, "letterbox") == 0 && image)
    {
      if (defect->width >= image->width && defect->y == 0)
        side = _("top");
      else if (defect->width >= image->width)
        side = _("bottom");
      else if (defect->x == 0)
        side = _("left");
      else
        side = _("right");
    }
  if (side == NULL)
    return g_strdup (vetter_label_for_defect (defect->kind));
  /* Translators: a letterbox bar and the edge it is on: "Letterbox borders (top)" */
  return g_strdup_printf (_("%s (%s)"), vetter_label_for_defect (defect->kind), side);
}

static void
on_image_chosen (GtkToggleButton  *button,
                 VetterReviewPage *self)
{
  if (!gtk_toggle_button_get_active (button) || acting_item (self) == NULL)
    return;
  self->image_index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "index"));
  self->full_size = FALSE;
  show_current (self);
}

static void
fill_image_switcher (VetterReviewPage *self,
                     VetterItemDetail *item)
{
  guint n = item->images->len;
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

/* Draws @item with @texture (NULL: its image cannot be shown; the panel
 * says what is known, and the rules will have said why). */
static void
display (VetterReviewPage *self,
         VetterItemDetail *item,
         GdkTexture       *texture)
{
  VetterImageInfo *image = image_of (item, self->image_index);
  g_autofree char *image_name = NULL;

  /* The queue grows and the counters move while a batch runs; the ad
   * itself, a record read once, is drawn again only when it changed. */
  if (item == self->drawn && texture == self->drawn_texture && self->image_index == self->drawn_index &&
      item->id == self->shown)
    return;
  g_clear_pointer (&self->drawn, vetter_item_detail_unref);
  self->drawn = vetter_item_detail_ref (item);
  g_set_object (&self->drawn_texture, texture);
  self->drawn_index = self->image_index;

  image_name = g_strdup_printf (_("Image of %s"), item->title ? item->title : _("the ad"));
  vetter_image_view_set_image (self->image_view, texture, image ? image->width : 0, image ? image->height : 0);
  vetter_image_view_clear_boxes (self->image_view);
  for (guint i = 0; image && i < image->defects->len; i++)
    {
      const VetterDefectInfo *defect = g_ptr_array_index (image->defects, i);

      if (defect->has_box)
        {
          g_autofree char *label = box_label (defect, image);

          vetter_image_view_add_box (self->image_view, defect->x, defect->y, defect->width, defect->height, label,
                                     box_level (defect->severity));
        }
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->image_view), GTK_ACCESSIBLE_PROPERTY_LABEL, image_name, -1);
  gtk_widget_remove_css_class (GTK_WIDGET (self), "revealed");
  show_panel (self, ready_panel (self, item));
  fill_image_switcher (self, item);
  if (vetter_status_is_decidable (item->status))
    vetter_claim_keeper_hold (self->claim, item->id, item->uid, vetter_engine_get_person (self->engine));
  set_shown (self, item->id);
}

/* The last ad stays in sight, dimmed, while the next one is made: keys
 * typed meanwhile are kept for the next one, and the word says so. */
static void
show_waiting (VetterReviewPage *self)
{
  if (self->drawn)
    {
      gtk_widget_add_css_class (self->paned, "stale");
      gtk_widget_set_visible (GTK_WIDGET (self->stale_label), TRUE);
      gtk_stack_set_visible_child_name (self->review_stack, "item");
    }
  else
    gtk_stack_set_visible_child_name (self->review_stack, "loading");
  if (self->shown)
    {
      vetter_claim_keeper_release (self->claim);
      self->shown = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_ITEM]);
    }
}

/* Draws what the cursor holds, and says whether keys can act on it. */
static void
show_current (VetterReviewPage *self)
{
  VetterReviewState state = vetter_review_cursor_get_state (self->cursor);
  VetterItemDetail *item = vetter_review_cursor_get_current (self->cursor);
  gboolean ready = FALSE;

  if (item && item->id != self->shown && (self->drawn == NULL || item->id != self->drawn->id))
    {
      self->image_index = 0;
      self->full_size = FALSE;
    }
  prepare_pictures (self);

  /* Off screen (the Queue tab in front), the pictures are made ahead but
   * nothing is drawn or filled: that waits until the page is shown. */
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      update_counters (self);
      update_actions (self);
      vetter_review_keys_set_ready (self->keys, FALSE);
      return;
    }

  if (state == VETTER_REVIEW_ITEM && item)
    {
      GdkTexture *texture = NULL;

      if (vetter_picture_cache_lookup (self->pictures, item->id, self->image_index, FALSE, &texture, NULL))
        {
          GdkTexture *full = NULL;

          if (self->full_size)
            vetter_picture_cache_lookup (self->pictures, item->id, self->image_index, TRUE, &full, NULL);
          display (self, item, full ? full : texture);
          gtk_widget_remove_css_class (self->paned, "stale");
          gtk_widget_set_visible (GTK_WIDGET (self->stale_label), FALSE);
          if (!self->viewing)
            gtk_stack_set_visible_child_name (self->review_stack, "item");
          ready = TRUE;
        }
      else
        show_waiting (self);
    }
  else if (state == VETTER_REVIEW_EMPTY)
    {
      self->viewing = FALSE;
      vetter_claim_keeper_release (self->claim);
      gtk_stack_set_visible_child_name (self->review_stack, "empty");
      set_shown (self, 0);
      ready = TRUE;
    }
  else if (state == VETTER_REVIEW_ERROR)
    {
      vetter_claim_keeper_release (self->claim);
      adw_status_page_set_description (self->error_page, vetter_review_cursor_get_error (self->cursor)->message);
      gtk_stack_set_visible_child_name (self->review_stack, "error");
      set_shown (self, 0);
      ready = TRUE;
    }
  else
    show_waiting (self);

  /* The ad whose variants were open is gone (decided elsewhere). */
  if (self->viewing && self->shown == 0)
    self->viewing = FALSE;
  vetter_review_keys_set_enabled (self->keys, !self->viewing);
  schedule_panels (self);
  update_counters (self);
  update_actions (self);
  focus_home (self);
  /* An ad taken back is shown at once; it takes keys once written. */
  vetter_review_keys_set_ready (self->keys, ready && !vetter_review_cursor_get_settling (self->cursor));
}

static void
on_item_loaded (VetterReviewPage *self,
                VetterItemDetail *item)
{
  show_current (self);
}

static void
on_box_highlighted (VetterItemDetailView *panel,
                    int                   index,
                    VetterReviewPage     *self)
{
  if (panel == self->detail_view)
    vetter_image_view_set_highlighted (self->image_view, index);
}

/* ---- The variant viewer --------------------------------------------------- */

static void
on_open_variant (VetterReviewPage *self,
                 guint             image,
                 guint             variant)
{
  VetterItemDetail *item = acting_item (self);

  if (item == NULL)
    return;
  self->viewing = TRUE;
  vetter_review_keys_set_enabled (self->keys, FALSE);
  gtk_stack_set_visible_child_name (self->review_stack, "variant");
  vetter_variant_viewer_show (self->variant_viewer, item, image, variant);
  update_actions (self);
}

typedef struct
{
  VetterReviewPage *self;
  VetterItemDetail *ad;
  guint             image;
  guint             earlier_image;
} Comparison;

static void
on_earlier_read (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Comparison *comparison = user_data;
  g_autoptr(VetterReviewPage) self = comparison->self;
  g_autoptr(VetterItemDetail) ad = comparison->ad;
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterItemDetail) earlier = vetter_engine_item_detail_finish (VETTER_ENGINE (source), result, &error);
  guint earlier_image = comparison->earlier_image;
  guint image = comparison->image;

  g_free (comparison);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (earlier == NULL)
    {
      say (self, error->message);
      return;
    }
  /* The moderator moved on meanwhile. */
  if (acting_item (self) == NULL || acting_item (self)->id != ad->id)
    return;
  self->viewing = TRUE;
  vetter_review_keys_set_enabled (self->keys, FALSE);
  gtk_stack_set_visible_child_name (self->review_stack, "compare");
  vetter_duplicate_view_show (self->duplicate_view, ad, image, earlier, earlier_image);
  update_actions (self);
}

/* A duplicate's "Compare": the earlier ad is read, then both are shown. */
static void
on_compare (VetterReviewPage *self,
            gint64            earlier,
            guint             earlier_image)
{
  VetterItemDetail *item = acting_item (self);
  Comparison *comparison;

  if (item == NULL)
    return;
  comparison = g_new0 (Comparison, 1);
  comparison->self = g_object_ref (self);
  comparison->ad = vetter_item_detail_ref (item);
  comparison->image = self->image_index;
  comparison->earlier_image = earlier_image;
  vetter_engine_item_detail_async (self->engine, earlier, self->cancellable, on_earlier_read, comparison);
}

static void
on_viewer_closed (VetterReviewPage *self)
{
  self->viewing = FALSE;
  vetter_review_keys_set_enabled (self->keys, TRUE);
  show_current (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->image_view));
}

/* ---- Claims --------------------------------------------------------------- */

/* With a shared database, the ad on screen is claimed (vetter-claim-keeper.c);
 * one another desktop holds leaves this queue, with a word saying who has it. */
static void
on_held_elsewhere (VetterReviewPage *self,
                   gint64            item_id,
                   const char       *holder)
{
  g_autofree char *message = NULL;

  if (vetter_review_cursor_get_current_item (self->cursor) != item_id)
    return;
  message = g_strdup_printf (_("%s is reviewing this ad on another desktop; it is left to them"),
                             holder && *holder ? holder : _("Someone"));
  say (self, message);
  /* The ad after it is read ahead and moves up in its place. */
  vetter_review_cursor_drop (self->cursor, item_id);
}

/* ---- Filters -------------------------------------------------------------- */

static void
read_filters (VetterReviewPage   *self,
              VetterReviewFilter *filter)
{
  static const VetterReviewScope scopes[] = {
    VETTER_REVIEW_NEEDS_REVIEW, VETTER_REVIEW_APPROVED, VETTER_REVIEW_REJECTED, VETTER_REVIEW_DECIDED,
    VETTER_REVIEW_CONFLICT,
  };
  static const VetterStatus autos[] = { 0, VETTER_STATUS_NEEDS_REVIEW, VETTER_STATUS_APPROVED, VETTER_STATUS_REJECTED };
  guint batch = gtk_drop_down_get_selected (self->batch_filter);
  guint scope = gtk_drop_down_get_selected (self->status_filter);
  guint defect = gtk_drop_down_get_selected (self->defect_filter);
  guint auto_status = gtk_drop_down_get_selected (self->auto_filter);

  filter->batch_id = batch < self->batch_ids->len ? g_array_index (self->batch_ids, gint64, batch) : 0;
  filter->scope = scope < G_N_ELEMENTS (scopes) ? scopes[scope] : VETTER_REVIEW_NEEDS_REVIEW;
  g_free (filter->defect_kind);
  filter->defect_kind = defect > 0 && defect <= self->defect_kinds->len
                        ? g_strdup (self->defect_kinds->pdata[defect - 1]) : NULL;
  filter->has_auto_status = auto_status > 0 && auto_status < G_N_ELEMENTS (autos);
  filter->auto_status = filter->has_auto_status ? autos[auto_status] : 0;
}

static void
on_filter_changed (VetterReviewPage *self)
{
  g_autoptr(VetterReviewFilter) filter = vetter_review_filter_new ();

  read_filters (self, filter);
  /* Rebuilding a filter's list re-selects what it had: no new query. */
  if (vetter_review_filter_equal (filter, vetter_review_cursor_get_filter (self->cursor)))
    return;
  /* Keys typed for the old queue are not for the new one. */
  vetter_review_keys_forget (self->keys);
  vetter_review_cursor_set_filter (self->cursor, filter);
}

static void
rebuild_batch_filter (VetterReviewPage *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  gint64 selected = vetter_review_cursor_get_filter (self->cursor)->batch_id;
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
  const char *selected = vetter_review_cursor_get_filter (self->cursor)->defect_kind;
  g_autoptr(GtkStringList) names = NULL;
  guint select_index = 0;

  if (kinds == NULL)
    return;
  names = gtk_string_list_new (NULL);
  gtk_string_list_append (names, _("Any defect"));
  for (guint i = 0; i < kinds->len; i++)
    {
      gtk_string_list_append (names, vetter_label_for_defect (kinds->pdata[i]));
      if (g_strcmp0 (kinds->pdata[i], selected) == 0)
        select_index = i + 1;
    }
  g_ptr_array_unref (self->defect_kinds);
  self->defect_kinds = g_steal_pointer (&kinds);
  g_signal_handlers_block_by_func (self->defect_filter, on_filter_changed, self);
  gtk_drop_down_set_model (self->defect_filter, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->defect_filter, select_index);
  g_signal_handlers_unblock_by_func (self->defect_filter, on_filter_changed, self);
}

static void
show_decided_action (GtkWidget  *widget,
                     const char *name,
                     GVariant   *parameter)
{
  VetterReviewPage *self = VETTER_REVIEW_PAGE (widget);

  gtk_drop_down_set_selected (self->status_filter, FILTER_ALL_DECIDED);
}

/* ---- Deciding ------------------------------------------------------------- */

static gboolean
clear_confirmation (gpointer user_data)
{
  VetterReviewPage *self = user_data;

  self->confirmation_source = 0;
  gtk_label_set_label (self->last_decision_label, "");
  return G_SOURCE_REMOVE;
}

/* A word for each decision, beside the Undo button: it changes in place,
 * without an animation to wait for, and fades out of the way after a
 * while by going blank. */
static void
confirm (VetterReviewPage *self,
         const char       *text)
{
  gtk_label_set_label (self->last_decision_label, text);
  g_clear_handle_id (&self->confirmation_source, g_source_remove);
  self->confirmation_source = g_timeout_add_seconds (8, clear_confirmation, self);
}

static const char *
title_of (VetterItemDetail *item)
{
  return item->title && *item->title ? item->title : _("the ad");
}

static void
decide (VetterReviewPage *self,
        VetterStatus      status,
        const char       *code,
        const char       *note)
{
  g_autoptr(VetterItemDetail) item = acting_item (self) ? vetter_item_detail_ref (acting_item (self)) : NULL;
  g_autofree char *text = NULL;

  if (item == NULL || !vetter_review_cursor_decide (self->cursor, status, code, note, vetter_engine_get_person (self->engine)))
    return;
  if (status == VETTER_STATUS_APPROVED)
    text = g_strdup_printf (_("Approved “%s”"), title_of (item));
  else
    /* Translators: an ad's title, then why it was rejected */
    text = g_strdup_printf (_("Rejected “%s”: %s"), title_of (item), vetter_label_for_reason (code));
  confirm (self, text);
}

static void
close_reason_bar (VetterReviewPage *self)
{
  self->choosing_reason = FALSE;
  gtk_revealer_set_reveal_child (self->reason_revealer, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->note_entry), "");
  gtk_widget_remove_css_class (GTK_WIDGET (self->note_entry), "error");
  update_actions (self);
  focus_home (self);
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
  kept_note = note && *note ? g_strdup (note) : NULL;
  close_reason_bar (self);
  decide (self, VETTER_STATUS_REJECTED, code, kept_note);
}

static void
approve_action (GtkWidget  *widget,
                const char *name,
                GVariant   *parameter)
{
  VetterReviewPage *self = VETTER_REVIEW_PAGE (widget);

  if (self->choosing_reason)
    close_reason_bar (self);
  decide (self, VETTER_STATUS_APPROVED, NULL, NULL);
}

static void
reject_action (GtkWidget  *widget,
               const char *name,
               GVariant   *parameter)
{
  VetterReviewPage *self = VETTER_REVIEW_PAGE (widget);

  /* The keys stay where they were: digits pick the reason from there
   * (a focused reason button would swallow them). */
  if (self->choosing_reason)
    return;
  self->choosing_reason = TRUE;
  /* What was typed before R is not the note. */
  gtk_editable_set_text (GTK_EDITABLE (self->note_entry), "");
  gtk_revealer_set_reveal_child (self->reason_revealer, TRUE);
  update_actions (self);
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
  VetterReviewPage *self = VETTER_REVIEW_PAGE (widget);

  if (self->choosing_reason)
    close_reason_bar (self);
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
  gboolean moved;

  if (self->choosing_reason)
    close_reason_bar (self);
  if (g_str_equal (name, "review.next"))
    moved = vetter_review_cursor_next (self->cursor);
  else
    moved = vetter_review_cursor_previous (self->cursor);
  if (!moved)
    gtk_widget_error_bell (widget);
}

static void
undo_action (GtkWidget  *widget,
             const char *name,
             GVariant   *parameter)
{
  VetterReviewPage *self = VETTER_REVIEW_PAGE (widget);
  VetterItemDetail *item;
  g_autofree char *text = NULL;

  if (self->choosing_reason)
    close_reason_bar (self);
  if (!vetter_review_cursor_undo (self->cursor, vetter_engine_get_person (self->engine)))
    return;
  item = vetter_review_cursor_get_current (self->cursor);
  text = item ? g_strdup_printf (_("Took back the decision on “%s”"), title_of (item))
              : g_strdup (_("Took back the last decision"));
  confirm (self, text);
}

/* Keep Theirs (T) or Keep Mine (M) on an ad in conflict, then on. */
static void
resolve_action (GtkWidget  *widget,
                const char *name,
                GVariant   *parameter)
{
  VetterReviewPage *self = VETTER_REVIEW_PAGE (widget);

  vetter_review_cursor_resolve (self->cursor, g_str_equal (name, "review.keep-theirs"), vetter_engine_get_person (self->engine));
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

/* A key that could not act: the bell has rung; the word says why. */
static void
on_key_refused (VetterReviewPage *self,
                const char       *action)
{
  VetterItemDetail *item = acting_item (self);
  const char *why = NULL;

  if (action == NULL)
    why = _("Too many keys ahead of the screen: wait for the next ad");
  else if (is_decision (action) && !vetter_role_may_decide (vetter_engine_get_role (self->engine)))
    why = _("Deciding needs the moderator role: you may look at everything here, not change it");
  else if (g_str_equal (action, "review.approve") || g_str_equal (action, "review.reject"))
    why = item == NULL ? _("There is no ad on screen to decide")
        : vetter_item_detail_in_conflict (item) ? _("This ad is in conflict: T keeps theirs, M keeps yours")
        : _("This ad is already decided; Z takes back your last decision");
  else if (g_str_equal (action, "review.reason"))
    why = _("Press R to reject first, then the reason’s number");
  else if (g_str_equal (action, "review.previous"))
    why = _("This is the first ad");
  else if (g_str_equal (action, "review.next"))
    why = _("There is no ad after this one");
  else if (g_str_equal (action, "review.undo"))
    why = _("There is no decision to take back");
  else if (g_str_equal (action, "review.keep-theirs") || g_str_equal (action, "review.keep-mine"))
    why = _("This ad is not in conflict");
  if (why)
    say (self, why);
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

static void
on_cursor_message (VetterReviewPage *self,
                   const char       *message)
{
  say (self, message);
}

/* What the page needs the first time an ad arrives, made ready as the
 * window opens so that it costs no frame then: the spinner's icon (the
 * first SVG drawn loads the SVG loader and librsvg, some 20 ms, which
 * GTK's preload does on a thread) and the local time zone (read from
 * /etc/localtime when "just now" is first written). */
static void
on_realize (VetterReviewPage *self)
{
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (self)));
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  const int sizes[] = { 16, 32 };

  g_ptr_array_set_size (self->preloaded, 0);
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      GtkIconPaintable *icon = gtk_icon_theme_lookup_icon (theme, "process-working-symbolic", NULL, sizes[i], scale,
                                                           GTK_TEXT_DIR_NONE, GTK_ICON_LOOKUP_PRELOAD);

      /* The theme keeps what it loaded for a while; the page keeps it
       * for as long as it lives. */
      g_ptr_array_add (self->preloaded, icon);
    }
  g_time_zone_unref (g_time_zone_new_local ());
}

/* A spinning spinner keeps the window redrawing every frame even where it
 * is not shown: it spins only while on screen. */
static void
on_spinner_mapped (GtkWidget *spinner)
{
  gtk_spinner_set_spinning (GTK_SPINNER (spinner), gtk_widget_get_mapped (spinner));
}

static void
on_map (VetterReviewPage *self)
{
  if (self->cursor)
    show_current (self);
  focus_home (self);
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
      /* Tab goes to the button, not to an unnamed wrapper around it. */
      gtk_widget_set_focusable (gtk_widget_get_parent (button), FALSE);
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
      g_value_set_int64 (value, self->shown);
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
  g_clear_handle_id (&self->panels_source, g_source_remove);
  g_clear_handle_id (&self->fill_source, g_source_remove);
  g_clear_handle_id (&self->confirmation_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  if (self->cursor)
    g_signal_handlers_disconnect_by_data (self->cursor, self);
  g_clear_object (&self->cursor);
  if (self->pictures)
    g_signal_handlers_disconnect_by_data (self->pictures, self);
  g_clear_object (&self->pictures);
  g_clear_pointer (&self->preloaded, g_ptr_array_unref);
  if (self->keys)
    g_signal_handlers_disconnect_by_data (self->keys, self);
  g_clear_object (&self->keys);
  g_clear_pointer (&self->drawn, vetter_item_detail_unref);
  g_clear_object (&self->drawn_texture);
  if (self->batches)
    g_signal_handlers_disconnect_by_func (self->batches, on_batches_changed, self);
  g_clear_object (&self->batches);
  g_clear_object (&self->engine);
  g_clear_object (&self->settings);
  /* The panels let go of a picked defect as they go, which would reach
   * for an image view already gone. */
  for (guint i = 0; i < N_PANELS; i++)
    if (self->panels[i])
      g_signal_handlers_disconnect_by_data (self->panels[i], self);
  if (self->image_view)
    g_signal_handlers_disconnect_by_data (self->image_view, self);
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
  g_clear_pointer (&self->batch_ids, g_array_unref);
  g_clear_pointer (&self->defect_kinds, g_ptr_array_unref);

  G_OBJECT_CLASS (vetter_review_page_parent_class)->finalize (object);
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
                                                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                      G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Something the moderator should read: the window shows it as a toast. */
  signals[MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (VETTER_TYPE_IMAGE_VIEW);
  g_type_ensure (VETTER_TYPE_ITEM_DETAIL_VIEW);
  g_type_ensure (VETTER_TYPE_VARIANT_VIEWER);
  g_type_ensure (VETTER_TYPE_PANEL_DECK);
  g_type_ensure (VETTER_TYPE_DUPLICATE_VIEW);
  vetter_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/vetter-review-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "vetter-review-page");
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, approve_button);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, reject_button);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, batch_filter);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, status_filter);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, defect_filter);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, auto_filter);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, position_label);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, left_label);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, last_decision_label);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, review_stack);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, skip_button);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, show_decided_button);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, paned);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, stale_label);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, image_view);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, image_switcher);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, panel_scroller);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, panel_deck);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, variant_viewer);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, duplicate_view);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, reason_revealer);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, reason_box);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, note_entry);
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, loading_spinner);
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
  gtk_widget_class_install_action (widget_class, "review.show-decided", NULL, show_decided_action);
  vetter_review_keys_bind_class (widget_class);
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
  self->batch_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->defect_kinds = g_ptr_array_new_with_free_func (g_free);
  self->pictures = vetter_picture_cache_new ();
  g_signal_connect_swapped (self->pictures, "ready", G_CALLBACK (on_picture_ready), self);
  self->claim = vetter_claim_keeper_new ();
  g_signal_connect_swapped (self->claim, "held-elsewhere", G_CALLBACK (on_held_elsewhere), self);

  gtk_widget_init_template (GTK_WIDGET (self));
  self->keys = vetter_review_keys_new (GTK_WIDGET (self), GTK_EDITABLE (self->note_entry), keys_can_act);
  g_signal_connect_swapped (self->keys, "refused", G_CALLBACK (on_key_refused), self);
  add_reason_buttons (self);
  g_signal_connect (self->loading_spinner, "map", G_CALLBACK (on_spinner_mapped), NULL);
  g_signal_connect (self->loading_spinner, "unmap", G_CALLBACK (on_spinner_mapped), NULL);
  name_drop_down_button (self->batch_filter);
  name_drop_down_button (self->status_filter);
  name_drop_down_button (self->defect_filter);
  name_drop_down_button (self->auto_filter);

  g_signal_connect_swapped (self->batch_filter, "notify::selected", G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->status_filter, "notify::selected", G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->defect_filter, "notify::selected", G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->auto_filter, "notify::selected", G_CALLBACK (on_filter_changed), self);
  for (guint i = 0; i < N_PANELS; i++)
    {
      self->panels[i] = VETTER_ITEM_DETAIL_VIEW (vetter_item_detail_view_new ());
      g_object_set (self->panels[i], "margin-start", 18, "margin-end", 18, "margin-top", 18, "margin-bottom", 18,
                    NULL);
      g_signal_connect (self->panels[i], "box-highlighted", G_CALLBACK (on_box_highlighted), self);
      g_signal_connect_swapped (self->panels[i], "open-variant", G_CALLBACK (on_open_variant), self);
      g_signal_connect_swapped (self->panels[i], "compare", G_CALLBACK (on_compare), self);
      vetter_panel_deck_add (self->panel_deck, GTK_WIDGET (self->panels[i]));
    }
  self->detail_view = self->panels[0];
  g_signal_connect_swapped (self->image_view, "notify::fit", G_CALLBACK (on_fit_changed), self);
  g_signal_connect_swapped (self->variant_viewer, "closed", G_CALLBACK (on_viewer_closed), self);
  g_signal_connect_swapped (self->duplicate_view, "closed", G_CALLBACK (on_viewer_closed), self);
  g_signal_connect (self, "map", G_CALLBACK (on_map), NULL);
  self->preloaded = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (self, "realize", G_CALLBACK (on_realize), NULL);

  self->settings = vetter_config_get_settings ();
  if (self->settings)
    {
      g_signal_connect (self->settings, "changed::blur-images", G_CALLBACK (on_blur_changed), self);
      on_blur_changed (self->settings, "blur-images", self);
    }
  gtk_stack_set_visible_child_name (self->review_stack, "loading");
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
  self->cursor = vetter_review_cursor_new (engine);
  vetter_review_cursor_set_preload (self->cursor, READ_AHEAD);
  g_signal_connect_swapped (self->cursor, "loaded", G_CALLBACK (on_item_loaded), self);
  g_signal_connect_object (engine, "role-changed", G_CALLBACK (show_role), self, G_CONNECT_SWAPPED);
  show_role (self);
  g_signal_connect_swapped (self->cursor, "message", G_CALLBACK (on_cursor_message), self);
  g_signal_connect_swapped (self->cursor, "notify::state", G_CALLBACK (show_current), self);
  g_signal_connect_swapped (self->cursor, "notify::current-item", G_CALLBACK (show_current), self);
  g_signal_connect_swapped (self->cursor, "notify::position", G_CALLBACK (show_current), self);
  g_signal_connect_swapped (self->cursor, "notify::n-items", G_CALLBACK (show_current), self);
  g_signal_connect_swapped (self->cursor, "notify::settling", G_CALLBACK (show_current), self);
  g_signal_connect_swapped (self->cursor, "notify::n-left", G_CALLBACK (update_counters), self);
  g_signal_connect_swapped (self->cursor, "notify::can-undo", G_CALLBACK (update_actions), self);
  g_signal_connect (batches, "items-changed", G_CALLBACK (on_batches_changed), self);
  update_actions (self);
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
  vetter_review_cursor_reload (self->cursor);
}

void
vetter_review_page_set_claims (VetterReviewPage  *self,
                               VetterCouchClaims *claims)
{
  VetterItemDetail *item;

  g_return_if_fail (VETTER_IS_REVIEW_PAGE (self));

  vetter_claim_keeper_set_claims (self->claim, claims);
  item = acting_item (self);
  if (item && vetter_status_is_decidable (item->status))
    vetter_claim_keeper_hold (self->claim, item->id, item->uid, vetter_engine_get_person (self->engine));
}

gint64
vetter_review_page_get_current_item (VetterReviewPage *self)
{
  g_return_val_if_fail (VETTER_IS_REVIEW_PAGE (self), 0);
  return self->shown;
}

guint
vetter_review_page_get_position (VetterReviewPage *self)
{
  g_return_val_if_fail (VETTER_IS_REVIEW_PAGE (self), 0);
  return self->cursor ? vetter_review_cursor_get_position (self->cursor) : 0;
}

guint
vetter_review_page_get_queue_length (VetterReviewPage *self)
{
  g_return_val_if_fail (VETTER_IS_REVIEW_PAGE (self), 0);
  return self->cursor ? vetter_review_cursor_get_n_items (self->cursor) : 0;
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

VetterReviewCursor *
vetter_review_page_get_cursor (VetterReviewPage *self)
{
  g_return_val_if_fail (VETTER_IS_REVIEW_PAGE (self), NULL);
  return self->cursor;
}

void
vetter_review_page_show_batch (VetterReviewPage *self,
                               gint64            batch_id)
{
  g_return_if_fail (VETTER_IS_REVIEW_PAGE (self));

  for (guint i = 0; i < self->batch_ids->len; i++)
    if (g_array_index (self->batch_ids, gint64, i) == batch_id)
      {
        gtk_drop_down_set_selected (self->batch_filter, i);
        return;
      }
}

gboolean
vetter_review_page_is_prepared (VetterReviewPage *self,
                                int               offset)
{
  VetterItemDetail *item;

  g_return_val_if_fail (VETTER_IS_REVIEW_PAGE (self), FALSE);
  item = self->cursor ? vetter_review_cursor_peek (self->cursor, offset) : NULL;
  return item && vetter_picture_cache_lookup (self->pictures, item->id, 0, FALSE, NULL, NULL) && has_panel (self, item);
}

VetterItemDetailView *
vetter_review_page_get_detail_view (VetterReviewPage *self)
{
  g_return_val_if_fail (VETTER_IS_REVIEW_PAGE (self), NULL);
  return self->detail_view;
}

guint
vetter_review_page_get_keys_waiting (VetterReviewPage *self)
{
  g_return_val_if_fail (VETTER_IS_REVIEW_PAGE (self), 0);
  return vetter_review_keys_get_n_waiting (self->keys);
}
