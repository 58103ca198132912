/* vetter-labels.h: the words the window uses for stored codes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "vetter-records.h"
#include "vetter-types.h"

G_BEGIN_DECLS

const char *vetter_label_for_status      (VetterStatus      status);
const char *vetter_label_for_defect      (const char       *kind);
const char *vetter_label_for_severity    (VetterSeverity    severity);
const char *vetter_label_for_variant     (VetterVariantKind kind);
const char *vetter_label_for_reason      (const char       *code);
const char *vetter_label_for_outbox_kind (VetterOutboxKind  kind);
const char *vetter_label_for_batch_state (VetterBatchState  state);
/* An item's decision in words: "Rejected by mia: Duplicate — “note”". */
char       *vetter_label_for_decision    (const VetterItemDetail *item);
/* "2 minutes ago", or a date for anything older than a day. */
char       *vetter_label_for_time        (gint64      microseconds);

G_END_DECLS
