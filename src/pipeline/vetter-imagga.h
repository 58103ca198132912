/* vetter-imagga.h: object tags from the Imagga /v2/tags API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vetter-config.h"

G_BEGIN_DECLS

/* Blocking: for worker threads. Sends @jpeg (a small copy of the image)
 * and returns VetterTag* with source "imagga", most confident first. */
GPtrArray *vetter_imagga_tag (const VetterConfig  *config,
                              GBytes              *jpeg,
                              GCancellable        *cancellable,
                              GError             **error);

G_END_DECLS
