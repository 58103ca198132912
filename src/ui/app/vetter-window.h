/* vetter-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "vetter-engine.h"
#include "vetter-console-page.h"
#include "vetter-review-page.h"

G_BEGIN_DECLS

#define VETTER_TYPE_WINDOW (vetter_window_get_type ())

G_DECLARE_FINAL_TYPE (VetterWindow, vetter_window, VETTER, WINDOW, AdwApplicationWindow)

VetterWindow *vetter_window_new       (GtkApplication *application);
void          vetter_window_add_files   (VetterWindow   *self,
                                         GFile         **files,
                                         guint           n_files);
GListModel   *vetter_window_get_batches (VetterWindow   *self);
VetterEngine *vetter_window_get_engine  (VetterWindow   *self);
VetterReviewPage *vetter_window_get_review_page (VetterWindow *self);
VetterConsolePage *vetter_window_get_console_page (VetterWindow *self);
void          vetter_window_show_items  (VetterWindow   *self,
                                         gint64          batch_id);
/* The list of VetterItemObject on screen, or NULL when none is shown. */
GListModel   *vetter_window_get_items   (VetterWindow   *self);

G_END_DECLS
