/* vetter-labels.c: the words the window uses for stored codes
 *
 * The store keeps stable codes (they are synced and read by other
 * programs); each window shows them in its moderator's language.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "vetter-labels.h"
#include "vetter-reasons.h"

typedef struct
{
  const char *code;
  const char *label;
} Label;

static const char *
lookup (const Label *labels,
        guint        n_labels,
        const char  *code)
{
  for (guint i = 0; code && i < n_labels; i++)
    if (g_str_equal (labels[i].code, code))
      return _(labels[i].label);
  return code;
}

const char *
vetter_label_for_status (VetterStatus status)
{
  static const char * const labels[] = {
    [VETTER_STATUS_QUEUED] = N_("Waiting"),
    [VETTER_STATUS_PROCESSING] = N_("Processing"),
    [VETTER_STATUS_NEEDS_REVIEW] = N_("Needs review"),
    [VETTER_STATUS_APPROVED] = N_("Approved"),
    [VETTER_STATUS_REJECTED] = N_("Rejected"),
    [VETTER_STATUS_FAILED] = N_("Failed"),
  };
  return (guint) status < G_N_ELEMENTS (labels) ? _(labels[status]) : "";
}

const char *
vetter_label_for_defect (const char *kind)
{
  static const Label labels[] = {
    { "blurry", N_("Blurry") },
    { "overexposed", N_("Overexposed") },
    { "underexposed", N_("Underexposed") },
    { "low_resolution", N_("Low resolution") },
    { "heavy_compression", N_("Heavy compression") },
    { "letterbox", N_("Letterbox borders") },
    { "extreme_aspect", N_("Extreme aspect ratio") },
    { "duplicate", N_("Duplicate") },
  };
  return lookup (labels, G_N_ELEMENTS (labels), kind);
}

const char *
vetter_label_for_severity (VetterSeverity severity)
{
  static const char * const labels[] = {
    [VETTER_SEVERITY_LOW] = N_("Low"),
    [VETTER_SEVERITY_MEDIUM] = N_("Medium"),
    [VETTER_SEVERITY_HIGH] = N_("High"),
  };
  return (guint) severity < G_N_ELEMENTS (labels) ? _(labels[severity]) : "";
}

const char *
vetter_label_for_variant (VetterVariantKind kind)
{
  static const char * const labels[] = {
    [VETTER_VARIANT_COMPRESSED] = N_("Compressed"),
    [VETTER_VARIANT_SQUARE] = N_("Square"),
    [VETTER_VARIANT_PORTRAIT] = N_("Portrait"),
    [VETTER_VARIANT_LANDSCAPE] = N_("Landscape"),
    [VETTER_VARIANT_THUMB] = N_("Thumbnail"),
  };
  return (guint) kind < G_N_ELEMENTS (labels) ? _(labels[kind]) : "";
}

const char *
vetter_label_for_reason (const char *code)
{
  const VetterReason *reason = vetter_reason_lookup (code);

  return reason ? _(reason->label) : code;
}

const char *
vetter_label_for_outbox_kind (VetterOutboxKind kind)
{
  static const char * const labels[] = {
    [VETTER_OUTBOX_S3_PUT] = N_("Upload to S3"),
    [VETTER_OUTBOX_MAIL] = N_("Mail to the advertiser"),
    [VETTER_OUTBOX_WEBHOOK] = N_("Batch callback"),
    [VETTER_OUTBOX_COUCH] = N_("Shared database"),
    [VETTER_OUTBOX_REMOVE] = N_("Removal of a deleted ad"),
  };
  return (guint) kind < G_N_ELEMENTS (labels) ? _(labels[kind]) : "";
}

const char *
vetter_label_for_batch_state (VetterBatchState state)
{
  static const char * const labels[] = {
    [VETTER_BATCH_RUNNING] = N_("Running"),
    [VETTER_BATCH_PAUSED] = N_("Paused"),
    [VETTER_BATCH_CANCELLED] = N_("Cancelled"),
    [VETTER_BATCH_DONE] = N_("Done"),
  };
  return (guint) state < G_N_ELEMENTS (labels) ? _(labels[state]) : "";
}

char *
vetter_label_for_time (gint64 microseconds)
{
  g_autoptr(GDateTime) then = g_date_time_new_from_unix_local (microseconds / G_USEC_PER_SEC);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  GTimeSpan ago = g_date_time_difference (now, then);

  if (then == NULL)
    return g_strdup ("");
  if (ago < G_TIME_SPAN_MINUTE)
    return g_strdup (_("just now"));
  if (ago < G_TIME_SPAN_HOUR)
    return g_strdup_printf (ngettext ("%d minute ago", "%d minutes ago", (int) (ago / G_TIME_SPAN_MINUTE)),
                            (int) (ago / G_TIME_SPAN_MINUTE));
  if (ago < G_TIME_SPAN_DAY)
    return g_strdup_printf (ngettext ("%d hour ago", "%d hours ago", (int) (ago / G_TIME_SPAN_HOUR)),
                            (int) (ago / G_TIME_SPAN_HOUR));
  /* Translators: a date and time, see g_date_time_format() */
  return g_date_time_format (then, _("%e %b %Y, %H:%M"));
}

char *
vetter_label_for_decision (const VetterItemDetail *item)
{
  const VetterItemDecision *decision = item->decision;
  char *headline;

  if (decision == NULL || decision->is_auto || decision->decided_by == NULL)
    headline = g_strdup (vetter_label_for_status (item->status));
  else if (decision->reason_code)
    /* Translators: "Rejected by mia: Duplicate" */
    headline = g_strdup_printf (_("%s by %s: %s"), vetter_label_for_status (item->status), decision->decided_by,
                                vetter_label_for_reason (decision->reason_code));
  else
    /* Translators: "Approved by mia" */
    headline = g_strdup_printf (_("%s by %s"), vetter_label_for_status (item->status), decision->decided_by);
  if (decision && decision->note)
    {
      char *with_note = g_strdup_printf ("%s — “%s”", headline, decision->note);

      g_free (headline);
      headline = with_note;
    }
  return headline;
}
