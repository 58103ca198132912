/* vetter-review-keys.h: what each key does in the review page, and the
 * keys a moderator types ahead of the screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define VETTER_TYPE_REVIEW_KEYS (vetter_review_keys_get_type ())

G_DECLARE_FINAL_TYPE (VetterReviewKeys, vetter_review_keys, VETTER, REVIEW_KEYS, GObject)

/* Binds every key of the review page to its action ("review.approve", …)
 * on the page's class. */
void              vetter_review_keys_bind_class (GtkWidgetClass   *widget_class);

/* Whether @action ("review.approve", …) can act on what is on screen. */
typedef gboolean (*VetterReviewKeysCanAct) (GtkWidget  *page,
                                            const char *action);

/* Watches the keys pressed in @page, whose note field is @note. Both are
 * borrowed: the page owns this object. */
VetterReviewKeys *vetter_review_keys_new        (GtkWidget              *page,
                                                 GtkEditable            *note,
                                                 VetterReviewKeysCanAct  can_act);
/* Whether the ad the keys act on is on screen. While it is not, keys are
 * kept in the order typed; once it is, they are played on it, and on the
 * ads after it, as if typed then. */
void              vetter_review_keys_set_ready  (VetterReviewKeys *self,
                                                 gboolean          ready);
/* While disabled (a viewer open over the page takes the keys), keys pass
 * by untouched. */
void              vetter_review_keys_set_enabled (VetterReviewKeys *self,
                                                  gboolean          enabled);
/* Keys kept, not yet played. */
guint             vetter_review_keys_get_n_waiting (VetterReviewKeys *self);
/* Forgets the keys kept (the moderator went elsewhere). */
void              vetter_review_keys_forget     (VetterReviewKeys *self);

G_END_DECLS
