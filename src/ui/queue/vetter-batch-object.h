/* vetter-batch-object.h: one batch as the queue view shows it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "vetter-engine.h"

G_BEGIN_DECLS

#define VETTER_TYPE_BATCH_OBJECT (vetter_batch_object_get_type ())

G_DECLARE_FINAL_TYPE (VetterBatchObject, vetter_batch_object, VETTER, BATCH_OBJECT, GObject)

VetterBatchObject *vetter_batch_object_new          (gint64                     id,
                                                     const char                *title);
gint64             vetter_batch_object_get_id       (VetterBatchObject         *self);
const char        *vetter_batch_object_get_title    (VetterBatchObject         *self);
const char        *vetter_batch_object_get_subtitle (VetterBatchObject         *self);
VetterBatchState   vetter_batch_object_get_state    (VetterBatchObject         *self);
double             vetter_batch_object_get_fraction (VetterBatchObject         *self);
gint64             vetter_batch_object_get_failed   (VetterBatchObject         *self);
gint64             vetter_batch_object_get_waiting  (VetterBatchObject         *self);
void               vetter_batch_object_update       (VetterBatchObject         *self,
                                                     const VetterBatchProgress *progress);

G_END_DECLS
