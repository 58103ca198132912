/* vetter-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "vetter-context.h"

G_BEGIN_DECLS

#define VETTER_TYPE_APPLICATION (vetter_application_get_type ())

G_DECLARE_FINAL_TYPE (VetterApplication, vetter_application, VETTER, APPLICATION, AdwApplication)

VetterApplication *vetter_application_new         (void);
/* Returns: (transfer none) (nullable): what the windows work with, from
 * start-up on. */
VetterContext     *vetter_application_get_context (VetterApplication *self);

/* Picks GTK's renderer for this machine unless GSK_RENDERER says; call
 * before any thread starts and before the first window. */
void               vetter_application_choose_renderer (void);

G_END_DECLS
