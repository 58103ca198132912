/* vetter-review-page.c: the items waiting for a person, one at a time
 *
 * Built for a moderator who decides hundreds of ads an hour from the
 * keyboard. Where the moderator is (the queue, the position, the items
 * read ahead, undo) is a VetterReviewCursor; this page draws it: the image
 * with the defects boxed, the item's panels (VetterItemDetailView), the
 * filters and the keys. Each item the cursor reads ahead has its image
 * decoded here at once, so a decision moves on to a picture already made.
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
#include "vetter-item-detail-view.h"
#include "vetter-labels.h"
#include "vetter-reasons.h"
#include "vetter-resources.h"
#include "vetter-review-cursor.h"
#include "vetter-review-page.h"
#include "vetter-texture-loader.h"

/* Long side of the copy shown: sharper than any screen the window fills,
 * and a 24-megapixel photograph still decodes in a fraction of a second. */
#define DISPLAY_SIZE 2560
/* Items read ahead, their images decoded before they are needed. */
#define READ_AHEAD 2

/* An item's first image, decoded for the screen. */
typedef struct
{
  GdkTexture   *texture;   /* NULL when it cannot be shown */
  gboolean      done;
  GCancellable *cancellable;
} Picture;

struct _VetterReviewPage
{
  GtkWidget           parent_instance;

  VetterEngine       *engine;
  GListModel         *batches;
  GSettings          *settings;
  GCancellable       *cancellable;
  VetterReviewCursor *cursor;
  GHashTable         *pictures;       /* item id → Picture*, for the items read */
  gint64              shown;          /* the item on screen, 0 for none */
  guint               image_index;    /* which of its images */
  GdkTexture         *other_image;    /* an image other than the first, when picked */
  VetterItemDetail   *drawn;          /* what the panels show now, to skip redrawing it */
  GdkTexture         *drawn_texture;
  guint               drawn_index;
  GArray             *batch_ids;      /* batch filter's entries; 0: all */
  GPtrArray          *defect_kinds;   /* defect filter's entries after "any" */
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
  VetterItemDetailView *detail_view;
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

static void show_current (VetterReviewPage *self);

/* ---- Helpers -------------------------------------------------------------- */

static void
picture_free (Picture *picture)
{
  g_cancellable_cancel (picture->cancellable);
  g_clear_object (&picture->cancellable);
  g_clear_object (&picture->texture);
  g_free (picture);
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
    gtk_box_remove (GTK_BOX (container), child);
}

static VetterImageInfo *
image_of (VetterItemDetail *item,
          guint             index)
{
  return item && index < item->images->len ? g_ptr_array_index (item->images, index) : NULL;
}

/* The files that show the image: the advertiser's own when it is on this
 * machine, else the compressed variant (same size, orientation applied). */
static GPtrArray *
image_paths (VetterImageInfo *image)
{
  GPtrArray *paths = g_ptr_array_new ();

  if (image && image->location && strstr (image->location, "://") == NULL)
    g_ptr_array_add (paths, image->location);
  for (guint i = 0; image && i < image->variants->len; i++)
    {
      VetterVariantInfo *variant = g_ptr_array_index (image->variants, i);

      if (variant->kind == VETTER_VARIANT_COMPRESSED)
        g_ptr_array_add (paths, variant->path);
    }
  g_ptr_array_add (paths, NULL);
  return paths;
}

static void
update_actions (VetterReviewPage *self)
{
  VetterItemDetail *item = self->shown ? vetter_review_cursor_get_current (self->cursor) : NULL;
  gboolean conflict = vetter_item_detail_in_conflict (item);
  gboolean decidable = item && vetter_status_is_decidable (item->status) && !conflict;
  guint position = vetter_review_cursor_get_position (self->cursor);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.approve", decidable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.reject", decidable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.keep-theirs", conflict);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.keep-mine", conflict);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.reason", self->choosing_reason);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.cancel-reason", self->choosing_reason);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.previous", position > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.next",
                                 position < vetter_review_cursor_get_n_items (self->cursor));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.undo", vetter_review_cursor_get_can_undo (self->cursor));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.zoom", item != NULL);
}

static void
update_position_label (VetterReviewPage *self)
{
  g_autofree char *text = NULL;
  guint len = vetter_review_cursor_get_n_items (self->cursor);
  guint position = vetter_review_cursor_get_position (self->cursor);

  if (len == 0)
    text = g_strdup ("");
  else if (position >= len)
    text = g_strdup_printf (ngettext ("End of %u item", "End of %u items", len), len);
  else
    /* Translators: the item on screen, of how many match the filters */
    text = g_strdup_printf (_("%u of %u"), position + 1, len);
  gtk_label_set_label (self->position_label, text);
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

/* ---- Pictures ------------------------------------------------------------- */

typedef struct
{
  VetterReviewPage *self;
  gint64            item_id;
  Picture          *picture;   /* borrowed: alive while its cancellable is not cancelled */
} PictureLoad;

static void
on_picture_loaded (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  PictureLoad *load = user_data;
  g_autoptr(VetterReviewPage) self = load->self;
  g_autoptr(GError) error = NULL;
  GdkTexture *texture = vetter_texture_load_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_free (load);
      return;
    }
  /* An item whose image cannot be shown is still decided: the panel says
   * what is known, and the rules will have said why. */
  load->picture->texture = texture;
  load->picture->done = TRUE;
  if (load->item_id == vetter_review_cursor_get_current_item (self->cursor))
    show_current (self);
  g_free (load);
}

static void
load_picture (VetterReviewPage *self,
              VetterItemDetail *item)
{
  g_autoptr(GPtrArray) paths = NULL;
  PictureLoad *load;
  Picture *picture;

  if (g_hash_table_contains (self->pictures, &item->id))
    return;
  picture = g_new0 (Picture, 1);
  picture->cancellable = g_cancellable_new ();
  g_hash_table_insert (self->pictures, g_memdup2 (&item->id, sizeof item->id), picture);
  load = g_new0 (PictureLoad, 1);
  load->self = g_object_ref (self);
  load->item_id = item->id;
  load->picture = picture;
  paths = image_paths (image_of (item, 0));
  vetter_texture_load_async ((const char * const *) paths->pdata, DISPLAY_SIZE, picture->cancellable,
                             on_picture_loaded, load);
}

/* Pictures are kept for the item on screen and those read ahead of it. */
static void
forget_pictures (VetterReviewPage *self)
{
  g_autoptr(GHashTable) wanted = g_hash_table_new (g_int64_hash, g_int64_equal);
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i <= READ_AHEAD; i++)
    {
      VetterItemDetail *item = vetter_review_cursor_peek (self->cursor, i);

      if (item)
        g_hash_table_add (wanted, &item->id);
    }
  if (self->shown)
    g_hash_table_add (wanted, &self->shown);
  g_hash_table_iter_init (&iter, self->pictures);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (wanted, key))
      g_hash_table_iter_remove (&iter);
}

static void
on_item_loaded (VetterReviewPage *self,
                VetterItemDetail *item)
{
  load_picture (self, item);
  if (item->id == vetter_review_cursor_get_current_item (self->cursor))
    show_current (self);
}

/* ---- Showing the item ------------------------------------------------------ */

static VetterBoxLevel
box_level (VetterSeverity severity)
{
  return severity == VETTER_SEVERITY_HIGH ? VETTER_BOX_HIGH
       : severity == VETTER_SEVERITY_MEDIUM ? VETTER_BOX_MEDIUM : VETTER_BOX_LOW;
}

static void
on_image_chosen (GtkToggleButton  *button,
                 VetterReviewPage *self);

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

static void
display (VetterReviewPage *self,
         VetterItemDetail *item,
         GdkTexture       *texture)
{
  VetterImageInfo *image = image_of (item, self->image_index);
  g_autofree char *image_name = NULL;

  /* The queue grows and the position label moves while a batch runs; the
   * item itself, a record read once, is redrawn only when it is new. */
  if (item == self->drawn && texture == self->drawn_texture && self->image_index == self->drawn_index &&
      item->id == self->shown)
    return;
  g_clear_pointer (&self->drawn, vetter_item_detail_unref);
  self->drawn = vetter_item_detail_ref (item);
  g_set_object (&self->drawn_texture, texture);
  self->drawn_index = self->image_index;
  image_name = g_strdup_printf (_("Image of %s"), item->title ? item->title : _("the item"));
  vetter_image_view_set_image (self->image_view, texture, image ? image->width : 0, image ? image->height : 0);
  vetter_image_view_clear_boxes (self->image_view);
  for (guint i = 0; image && i < image->defects->len; i++)
    {
      const VetterDefectInfo *defect = g_ptr_array_index (image->defects, i);

      if (defect->has_box)
        vetter_image_view_add_box (self->image_view, defect->x, defect->y, defect->width, defect->height,
                                   vetter_label_for_defect (defect->kind), box_level (defect->severity));
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->image_view), GTK_ACCESSIBLE_PROPERTY_LABEL, image_name, -1);
  gtk_widget_remove_css_class (GTK_WIDGET (self), "revealed");
  vetter_item_detail_view_set_item (self->detail_view, item, self->image_index);
  fill_image_switcher (self, item);
  gtk_stack_set_visible_child_name (self->review_stack, "item");
  if (vetter_status_is_decidable (item->status))
    vetter_claim_keeper_hold (self->claim, item->id, item->uid);
  set_shown (self, item->id);
  if (!gtk_widget_has_focus (GTK_WIDGET (self->note_entry)))
    gtk_widget_grab_focus (GTK_WIDGET (self->image_view));
}

/* Draws what the cursor holds; an item whose picture is still being
 * decoded leaves the last one on screen for the few milliseconds it takes
 * rather than flicker through a spinner. */
static void
show_current (VetterReviewPage *self)
{
  VetterReviewState state = vetter_review_cursor_get_state (self->cursor);
  VetterItemDetail *item = vetter_review_cursor_get_current (self->cursor);

  if (state == VETTER_REVIEW_ITEM && item == NULL)
    state = VETTER_REVIEW_LOADING;
  switch (state)
    {
    case VETTER_REVIEW_ITEM:
      {
        Picture *picture = g_hash_table_lookup (self->pictures, &item->id);

        if (item->id != self->shown)
          {
            self->image_index = 0;
            g_clear_object (&self->other_image);
          }
        if (self->image_index > 0 && self->other_image)
          display (self, item, self->other_image);
        else if (self->image_index == 0 && picture && picture->done)
          display (self, item, picture->texture);
        else if (self->image_index == 0 && picture == NULL)
          load_picture (self, item);
        break;
      }
    case VETTER_REVIEW_EMPTY:
      vetter_claim_keeper_release (self->claim);
      vetter_item_detail_view_set_item (self->detail_view, NULL, 0);
      gtk_stack_set_visible_child_name (self->review_stack, "empty");
      set_shown (self, 0);
      break;
    case VETTER_REVIEW_ERROR:
      adw_status_page_set_description (self->error_page, vetter_review_cursor_get_error (self->cursor)->message);
      gtk_stack_set_visible_child_name (self->review_stack, "error");
      set_shown (self, 0);
      break;
    case VETTER_REVIEW_LOADING:
    default:
      if (g_strcmp0 (gtk_stack_get_visible_child_name (self->review_stack), "item") != 0)
        gtk_stack_set_visible_child_name (self->review_stack, "loading");
      break;
    }
  if (self->shown && self->shown != vetter_review_cursor_get_current_item (self->cursor))
    {
      /* The last item stays visible but is no longer what keys act on. */
      vetter_claim_keeper_release (self->claim);
      set_shown (self, 0);
    }
  forget_pictures (self);
  update_position_label (self);
  update_actions (self);
}

static void
on_cursor_changed (VetterReviewPage *self)
{
  show_current (self);
}

static void
on_other_image_loaded (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(VetterReviewPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = vetter_texture_load_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_set_object (&self->other_image, texture);
  show_current (self);
}

static void
on_image_chosen (GtkToggleButton  *button,
                 VetterReviewPage *self)
{
  VetterItemDetail *item = vetter_review_cursor_get_current (self->cursor);
  g_autoptr(GPtrArray) paths = NULL;

  if (!gtk_toggle_button_get_active (button) || item == NULL)
    return;
  self->image_index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "index"));
  g_clear_object (&self->other_image);
  if (self->image_index == 0)
    {
      show_current (self);
      return;
    }
  paths = image_paths (image_of (item, self->image_index));
  vetter_texture_load_async ((const char * const *) paths->pdata, DISPLAY_SIZE, self->cancellable,
                             on_other_image_loaded, g_object_ref (self));
}

static void
on_box_highlighted (VetterReviewPage *self,
                    int               index)
{
  vetter_image_view_set_highlighted (self->image_view, index);
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
on_open_variant (VetterReviewPage *self,
                 const char       *path,
                 const char       *title)
{
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
  /* The item after it is read ahead and moves up in its place. */
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

/* ---- Deciding ------------------------------------------------------------- */

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
  vetter_review_cursor_decide (self->cursor, VETTER_STATUS_REJECTED, code, kept_note, g_get_user_name ());
}

static void
approve_action (GtkWidget  *widget,
                const char *name,
                GVariant   *parameter)
{
  VetterReviewPage *self = VETTER_REVIEW_PAGE (widget);

  if (self->choosing_reason)
    close_reason_bar (self);
  vetter_review_cursor_decide (self->cursor, VETTER_STATUS_APPROVED, NULL, NULL, g_get_user_name ());
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
  gboolean moved;

  if (g_str_equal (name, "review.next"))
    moved = vetter_review_cursor_next (self->cursor);
  else
    moved = vetter_review_cursor_previous (self->cursor);
  if (moved && self->choosing_reason)
    close_reason_bar (self);
}

static void
undo_action (GtkWidget  *widget,
             const char *name,
             GVariant   *parameter)
{
  vetter_review_cursor_undo (VETTER_REVIEW_PAGE (widget)->cursor, g_get_user_name ());
}

/* Keep Theirs (T) or Keep Mine (M) on an item in conflict, then on. */
static void
resolve_action (GtkWidget  *widget,
                const char *name,
                GVariant   *parameter)
{
  VetterReviewPage *self = VETTER_REVIEW_PAGE (widget);

  vetter_review_cursor_resolve (self->cursor, g_str_equal (name, "review.keep-theirs"), g_get_user_name ());
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

static void
on_cursor_message (VetterReviewPage *self,
                   const char       *message)
{
  say (self, message);
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
  g_cancellable_cancel (self->cancellable);
  if (self->cursor)
    g_signal_handlers_disconnect_by_data (self->cursor, self);
  g_clear_object (&self->cursor);
  g_clear_pointer (&self->pictures, g_hash_table_unref);
  g_clear_object (&self->other_image);
  g_clear_pointer (&self->drawn, vetter_item_detail_unref);
  g_clear_object (&self->drawn_texture);
  if (self->batches)
    g_signal_handlers_disconnect_by_func (self->batches, on_batches_changed, self);
  g_clear_object (&self->batches);
  g_clear_object (&self->engine);
  g_clear_object (&self->settings);
  /* The panels let go of a picked defect as they go, which would reach
   * for an image view already gone. */
  if (self->detail_view)
    g_signal_handlers_disconnect_by_data (self->detail_view, self);
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
                                                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                      G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Something the moderator should read: the window shows it as a toast. */
  signals[MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (VETTER_TYPE_IMAGE_VIEW);
  g_type_ensure (VETTER_TYPE_ITEM_DETAIL_VIEW);
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
  gtk_widget_class_bind_template_child (widget_class, VetterReviewPage, detail_view);
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
  self->batch_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->defect_kinds = g_ptr_array_new_with_free_func (g_free);
  self->pictures = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) picture_free);
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
  g_signal_connect_swapped (self->detail_view, "box-highlighted", G_CALLBACK (on_box_highlighted), self);
  g_signal_connect_swapped (self->detail_view, "open-variant", G_CALLBACK (on_open_variant), self);

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
  g_signal_connect_swapped (self->cursor, "message", G_CALLBACK (on_cursor_message), self);
  g_signal_connect_swapped (self->cursor, "notify::state", G_CALLBACK (on_cursor_changed), self);
  g_signal_connect_swapped (self->cursor, "notify::current-item", G_CALLBACK (on_cursor_changed), self);
  g_signal_connect_swapped (self->cursor, "notify::position", G_CALLBACK (on_cursor_changed), self);
  g_signal_connect_swapped (self->cursor, "notify::n-items", G_CALLBACK (on_cursor_changed), self);
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
  item = self->shown ? vetter_review_cursor_get_current (self->cursor) : NULL;
  if (item && vetter_status_is_decidable (item->status))
    vetter_claim_keeper_hold (self->claim, item->id, item->uid);
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
