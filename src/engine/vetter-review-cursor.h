/* vetter-review-cursor.h: where a moderator is in the review queue
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vetter-engine.h"

G_BEGIN_DECLS

#define VETTER_TYPE_REVIEW_STATE (vetter_review_state_get_type ())

typedef enum
{
  VETTER_REVIEW_LOADING,   /* the item at the position is being read */
  VETTER_REVIEW_ITEM,      /* it is here */
  VETTER_REVIEW_ERROR,     /* it cannot be read */
  VETTER_REVIEW_EMPTY,     /* past the last item, or none matches */
} VetterReviewState;

GType vetter_review_state_get_type (void) G_GNUC_CONST;

#define VETTER_TYPE_REVIEW_CURSOR (vetter_review_cursor_get_type ())

G_DECLARE_FINAL_TYPE (VetterReviewCursor, vetter_review_cursor, VETTER, REVIEW_CURSOR, GObject)

VetterReviewCursor *vetter_review_cursor_new          (VetterEngine             *engine);

/* A new snapshot of the queue under @filter, from its first item. */
void                vetter_review_cursor_set_filter   (VetterReviewCursor       *self,
                                                       const VetterReviewFilter *filter);
/* Returns: (transfer none). */
const VetterReviewFilter *vetter_review_cursor_get_filter (VetterReviewCursor   *self);
/* The snapshot again, under the same filter. */
void                vetter_review_cursor_reload       (VetterReviewCursor       *self);
/* How many items after the current one are read ahead (default 2). */
void                vetter_review_cursor_set_preload  (VetterReviewCursor       *self,
                                                       guint                     ahead);

guint               vetter_review_cursor_get_position (VetterReviewCursor       *self);
guint               vetter_review_cursor_get_n_items  (VetterReviewCursor       *self);
/* Items of the snapshot still waiting for a decision. */
guint               vetter_review_cursor_get_n_left   (VetterReviewCursor       *self);
VetterReviewState   vetter_review_cursor_get_state    (VetterReviewCursor       *self);
gboolean            vetter_review_cursor_get_can_undo (VetterReviewCursor       *self);
/* Whether the item at the position is one taken back whose undo is still
 * being written: shown as it was, it cannot be decided until then. */
gboolean            vetter_review_cursor_get_settling (VetterReviewCursor       *self);
/* The item at the position once it is read, else 0. */
gint64              vetter_review_cursor_get_current_item (VetterReviewCursor   *self);
/* Returns: (transfer none) (nullable): the item at the position, once read. */
VetterItemDetail   *vetter_review_cursor_get_current  (VetterReviewCursor       *self);
/* Returns: (transfer none) (nullable): the error reading it, in the error state. */
const GError       *vetter_review_cursor_get_error    (VetterReviewCursor       *self);
/* Returns: (transfer none) (nullable): the item @offset places after the
 * position (before it, when negative), when it has been read. */
VetterItemDetail   *vetter_review_cursor_peek         (VetterReviewCursor       *self,
                                                       int                       offset);
/* The id of the item at @position of the snapshot, 0 past its end. */
gint64              vetter_review_cursor_get_item_id  (VetterReviewCursor       *self,
                                                       guint                     position);

gboolean            vetter_review_cursor_next         (VetterReviewCursor       *self);
gboolean            vetter_review_cursor_previous     (VetterReviewCursor       *self);
/* Decides the item on screen now (the one read at the position) and moves
 * on at once; the decision is written in the background. FALSE, doing
 * nothing, when there is no such item or it cannot be decided. */
gboolean            vetter_review_cursor_decide       (VetterReviewCursor       *self,
                                                       VetterStatus              status,
                                                       const char               *reason_code,
                                                       const char               *note,
                                                       const char               *actor);
/* Takes back the last decision made here and shows its item again at
 * once, as it was; the undo is written in the background (after the
 * decision, when that is still being written). */
gboolean            vetter_review_cursor_undo         (VetterReviewCursor       *self,
                                                       const char               *actor);
/* Keeps their decision or mine on the item in conflict at the position,
 * and moves on. */
gboolean            vetter_review_cursor_resolve      (VetterReviewCursor       *self,
                                                       gboolean                  keep_theirs,
                                                       const char               *actor);
/* Takes @item_id out of the snapshot (someone else reviews it). */
void                vetter_review_cursor_drop         (VetterReviewCursor       *self,
                                                       gint64                    item_id);

G_END_DECLS
