/* vetter-batch-row.h: a batch in the queue, with its controls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "vetter-batch-object.h"
#include "vetter-engine.h"

G_BEGIN_DECLS

#define VETTER_TYPE_BATCH_ROW (vetter_batch_row_get_type ())

G_DECLARE_FINAL_TYPE (VetterBatchRow, vetter_batch_row, VETTER, BATCH_ROW, GtkListBoxRow)

GtkWidget *vetter_batch_row_new (VetterBatchObject *batch,
                                 VetterEngine      *engine);

G_END_DECLS
