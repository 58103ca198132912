/* vetter-mail.h: the advertiser's message about a decision
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct
{
  char *to;
  char *subject;
  char *text;
  char *html;
} VetterMail;

/* From an item as vetter_store_item_detail() gives it; NULL when the
 * item has no address or no final decision. */
VetterMail *vetter_mail_compose (JsonObject *item);
void        vetter_mail_free    (VetterMail *mail);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterMail, vetter_mail_free)

G_END_DECLS
