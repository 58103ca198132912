/* vetter-mail.h: the advertiser's message about a decision
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vetter-records.h"

G_BEGIN_DECLS

typedef struct
{
  char *to;
  char *subject;
  char *text;
  char *html;
} VetterMail;

/* NULL when the item has no address or no final decision. */
VetterMail *vetter_mail_compose (const VetterItemDetail *item);
void        vetter_mail_free    (VetterMail *mail);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterMail, vetter_mail_free)

G_END_DECLS
