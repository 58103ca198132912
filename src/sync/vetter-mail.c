/* vetter-mail.c: the advertiser's message about a decision
 *
 * Plain text and HTML with the same words, translatable; a rejection says
 * why in a sentence written for someone who did not see the review, and
 * passes on the moderator's note.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "vetter-mail.h"
#include "vetter-reasons.h"

VetterMail *
vetter_mail_compose (const VetterItemDetail *item)
{
  const VetterItemDecision *decision = item->decision;
  const char *title = item->title ? item->title : _("your ad");
  const VetterReason *reason = vetter_reason_lookup (decision ? decision->reason_code : NULL);
  const char *note = decision ? decision->note : NULL;
  gboolean approved = item->status == VETTER_STATUS_APPROVED;
  g_autofree char *lead = NULL;
  g_autofree char *why = NULL;
  VetterMail *mail;

  if (item->email == NULL || *item->email == '\0' || !vetter_status_is_final (item->status))
    return NULL;

  mail = g_new0 (VetterMail, 1);
  mail->to = g_strdup (item->email);
  if (approved)
    {
      /* Translators: the subject of the mail to an advertiser */
      mail->subject = g_strdup_printf (_("Your ad “%s” is live"), title);
      lead = g_strdup_printf (_("Good news: your ad “%s” has been checked and approved. It is now visible to buyers."), title);
    }
  else
    {
      mail->subject = g_strdup_printf (_("Your ad “%s” was not approved"), title);
      lead = g_strdup_printf (_("Your ad “%s” has been checked and was not approved."), title);
      why = g_strdup_printf ("%s%s%s", reason ? _(reason->sentence) : _("The ad does not meet the marketplace's rules."),
                             note ? "\n\n" : "", note ? note : "");
    }
  mail->text = g_strdup_printf ("%s\n\n%s%s%s\n", lead, why ? why : "", why ? "\n\n" : "",
                                approved ? _("Thank you for advertising with us.")
                                         : _("You can change the ad and submit it again."));
  {
    g_autofree char *lead_html = g_markup_escape_text (lead, -1);
    g_autofree char *why_html = why ? g_markup_escape_text (why, -1) : NULL;
    g_autofree char *end_html = g_markup_escape_text (approved ? _("Thank you for advertising with us.")
                                                                 : _("You can change the ad and submit it again."), -1);

    mail->html = g_strdup_printf ("<!DOCTYPE html><html><body><p>%s</p>%s%s%s<p>%s</p></body></html>",
                                  lead_html, why_html ? "<p>" : "", why_html ? why_html : "", why_html ? "</p>" : "",
                                  end_html);
  }
  return mail;
}

void
vetter_mail_free (VetterMail *mail)
{
  if (mail == NULL)
    return;
  g_free (mail->to);
  g_free (mail->subject);
  g_free (mail->text);
  g_free (mail->html);
  g_free (mail);
}
