/* vetter-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "vetter-engine.h"
#include "vetter-sync.h"

G_BEGIN_DECLS

#define VETTER_TYPE_APPLICATION (vetter_application_get_type ())

G_DECLARE_FINAL_TYPE (VetterApplication, vetter_application, VETTER, APPLICATION, AdwApplication)

VetterApplication *vetter_application_new        (void);
VetterEngine      *vetter_application_get_engine (VetterApplication *self);
/* The outbox's sender, or NULL when no service is configured. */
VetterSync        *vetter_application_get_sync   (VetterApplication *self);
void               vetter_application_reload_services (VetterApplication *self);
const VetterServices *vetter_application_get_services (VetterApplication *self);

G_END_DECLS
