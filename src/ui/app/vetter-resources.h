/* vetter-resources.h: the compiled-in UI files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void vetter_ensure_resources (void);

G_END_DECLS
