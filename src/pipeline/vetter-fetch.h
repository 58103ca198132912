/* vetter-fetch.h: the bytes of an image, from a file or over HTTP
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "vetter-config.h"

G_BEGIN_DECLS

/* Blocking: called on worker threads only. */
GBytes *vetter_fetch (const char         *location,
                      const VetterConfig *config,
                      GCancellable       *cancellable,
                      GError            **error);

G_END_DECLS
