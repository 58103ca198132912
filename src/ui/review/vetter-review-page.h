/* vetter-review-page.h: the items waiting for a person, one at a time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "vetter-couch-claims.h"
#include "vetter-engine.h"
#include "vetter-image-view.h"
#include "vetter-item-detail-view.h"
#include "vetter-review-cursor.h"

G_BEGIN_DECLS

#define VETTER_TYPE_REVIEW_PAGE (vetter_review_page_get_type ())

G_DECLARE_FINAL_TYPE (VetterReviewPage, vetter_review_page, VETTER, REVIEW_PAGE, GtkWidget)

GtkWidget       *vetter_review_page_new              (void);
/* @batches: the window's VetterBatchObject list, for the batch filter. */
void             vetter_review_page_setup            (VetterReviewPage *self,
                                                      VetterEngine     *engine,
                                                      GListModel       *batches);
/* Reads the queue again from the store, from its first item. */
void             vetter_review_page_reload           (VetterReviewPage *self);
/* Claims the ad on screen in @claims (NULL: no shared database). */
void             vetter_review_page_set_claims       (VetterReviewPage  *self,
                                                      VetterCouchClaims *claims);

/* Narrows the queue to one batch's ads (0: every batch's). */
void             vetter_review_page_show_batch       (VetterReviewPage *self,
                                                      gint64            batch_id);

/* The item on screen (0 for none) and where it is in the queue. */
gint64           vetter_review_page_get_current_item (VetterReviewPage *self);
guint            vetter_review_page_get_position     (VetterReviewPage *self);
guint            vetter_review_page_get_queue_length (VetterReviewPage *self);
const char      *vetter_review_page_get_state        (VetterReviewPage *self);
VetterImageView *vetter_review_page_get_image_view   (VetterReviewPage *self);
gboolean         vetter_review_page_get_choosing_reason (VetterReviewPage *self);
/* Returns: (transfer none): where the moderator is in the queue. */
VetterReviewCursor *vetter_review_page_get_cursor    (VetterReviewPage *self);
/* Whether the ad @offset places from the one on screen is made ahead: its
 * record read, its picture and its side panel made. */
gboolean         vetter_review_page_is_prepared      (VetterReviewPage *self,
                                                      int               offset);
/* Returns: (transfer none) (nullable): the side panel on screen. */
VetterItemDetailView *vetter_review_page_get_detail_view (VetterReviewPage *self);
/* Keys typed ahead of the screen, not yet played. */
guint            vetter_review_page_get_keys_waiting (VetterReviewPage *self);

G_END_DECLS
