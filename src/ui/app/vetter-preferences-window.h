/* vetter-preferences-window.h: the settings, bound to GSettings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "vetter-context.h"

G_BEGIN_DECLS

#define VETTER_TYPE_PREFERENCES_WINDOW (vetter_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (VetterPreferencesWindow, vetter_preferences_window, VETTER, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* @parent: (nullable). */
GtkWidget *vetter_preferences_window_new (GtkWindow     *parent,
                                          VetterContext *context);

G_END_DECLS
