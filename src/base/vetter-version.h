/* vetter-version.h: what the engine reports about itself
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *vetter_user_agent     (void);

G_END_DECLS
