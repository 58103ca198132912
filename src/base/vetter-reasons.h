/* vetter-reasons.h: why a moderator rejects an ad
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *code;      /* stored, synced and sent: never translated */
  const char *label;     /* what the moderator picks, untranslated (N_) */
  const char *sentence;  /* what the advertiser is told, untranslated (N_) */
} VetterReason;

/* In the order moderators pick them by number key, "other" last. */
const VetterReason *vetter_reasons        (guint      *n_reasons);
const VetterReason *vetter_reason_lookup  (const char *code);

G_END_DECLS
