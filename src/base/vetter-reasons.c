/* vetter-reasons.c: why a moderator rejects an ad
 *
 * The codes are the ones an ads marketplace reports on; the sentences are
 * written for the advertiser, who did not see the review.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "vetter-reasons.h"

static const VetterReason reasons[] = {
  { "poor_quality", N_("Poor quality photo"),
    N_("The photo is too blurry, too dark, too bright or too small to show what is offered.") },
  { "irrelevant", N_("No vehicle / irrelevant"),
    N_("The photo does not show what the ad offers.") },
  { "prohibited", N_("Prohibited content"),
    N_("The photo shows content that the marketplace does not allow.") },
  { "duplicate", N_("Duplicate"),
    N_("The photo has already been used in another ad.") },
  { "contact_details", N_("Contact details in image"),
    N_("The photo shows a phone number, address or other contact details; put them in the ad's text instead.") },
  { "other", N_("Other"),
    N_("The ad does not meet the marketplace's rules.") },
};

const VetterReason *
vetter_reasons (guint *n_reasons)
{
  *n_reasons = G_N_ELEMENTS (reasons);
  return reasons;
}

const VetterReason *
vetter_reason_lookup (const char *code)
{
  for (guint i = 0; code && i < G_N_ELEMENTS (reasons); i++)
    if (g_str_equal (reasons[i].code, code))
      return &reasons[i];
  return NULL;
}
