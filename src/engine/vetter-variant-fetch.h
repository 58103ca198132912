/* vetter-variant-fetch.h: variants another machine made, fetched here
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vetter-engine.h"

G_BEGIN_DECLS

#define VETTER_TYPE_VARIANT_FETCH (vetter_variant_fetch_get_type ())

G_DECLARE_FINAL_TYPE (VetterVariantFetch, vetter_variant_fetch, VETTER, VARIANT_FETCH, GObject)

/* For @engine, which owns it (and is not referenced). */
VetterVariantFetch *vetter_variant_fetch_new        (VetterEngine       *engine);
/* Every variant of item @item_id not here yet. */
void                vetter_variant_fetch_item       (VetterVariantFetch *self,
                                                     gint64              item_id);
/* Every thumbnail not here yet, one after another. */
void                vetter_variant_fetch_thumbnails (VetterVariantFetch *self);
void                vetter_variant_fetch_stop       (VetterVariantFetch *self);

G_END_DECLS
