/* vetter-batch-object.c: one batch as the queue view shows it
 *
 * Holds the last progress the engine reported and turns it into the words
 * of the row; notifies only what changed, so rows redraw only then.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-batch-object"

#include "config.h"

#include <glib/gi18n.h>

#include "vetter-batch-object.h"
#include "vetter-enum-types.h"

struct _VetterBatchObject
{
  GObject  parent_instance;

  gint64   id;
  char    *title;
  char    *subtitle;
  VetterBatchState state;
  double   fraction;
  gint64   failed;
  gint64   waiting;
};

G_DEFINE_FINAL_TYPE (VetterBatchObject, vetter_batch_object, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_TITLE,
  PROP_SUBTITLE,
  PROP_STATE,
  PROP_FRACTION,
  PROP_FAILED,
  PROP_WAITING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
append_part (GString *text,
             char    *part)
{
  g_string_append (text, " · ");
  g_string_append (text, part);
  g_free (part);
}

/* A batch in one line: how far, what came of it (approved and rejected
 * by the rules or a person, left for review, failed), and what it is
 * doing now, in words. */
static char *
describe (const VetterBatchProgress *p)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *done = g_strdup_printf ("%" G_GINT64_FORMAT, p->done);
  g_autofree char *total = g_strdup_printf ("%" G_GINT64_FORMAT, p->total);
  g_autofree char *waiting = g_strdup_printf ("%" G_GINT64_FORMAT, p->waiting);
  g_autofree char *approved = g_strdup_printf ("%" G_GINT64_FORMAT, p->approved);
  g_autofree char *rejected = g_strdup_printf ("%" G_GINT64_FORMAT, p->rejected);
  g_autofree char *to_review = g_strdup_printf ("%" G_GINT64_FORMAT, p->needs_review);
  g_autofree char *failed = g_strdup_printf ("%" G_GINT64_FORMAT, p->failed);

  /* Translators: progress of a batch, e.g. "120 of 300 done" */
  g_string_append_printf (text, _("%s of %s done"), done, total);
  /* Numbers go in as text: gettext knows no 64-bit format. */
  if (p->approved > 0)
    /* Translators: ads of a batch approved, by the rules or a person */
    append_part (text, g_strdup_printf (ngettext ("%s approved", "%s approved", (gulong) p->approved), approved));
  if (p->rejected > 0)
    append_part (text, g_strdup_printf (ngettext ("%s rejected", "%s rejected", (gulong) p->rejected), rejected));
  if (p->needs_review > 0)
    /* Translators: ads waiting for a person's decision */
    append_part (text, g_strdup_printf (ngettext ("%s to review", "%s to review", (gulong) p->needs_review),
                                        to_review));
  if (p->failed > 0)
    append_part (text, g_strdup_printf (ngettext ("%s failed", "%s failed", (gulong) p->failed), failed));

  g_string_append (text, " · ");
  if (p->state == VETTER_BATCH_PAUSED)
    g_string_append (text, _("Paused; Resume goes on where it stopped"));
  else if (p->state == VETTER_BATCH_CANCELLED && p->waiting > 0)
    /* Translators: a cancelled batch, and how many of its ads were never processed */
    g_string_append_printf (text, ngettext ("Cancelled; %s ad was not processed",
                                            "Cancelled; %s ads were not processed", (gulong) p->waiting), waiting);
  else if (p->state == VETTER_BATCH_CANCELLED)
    g_string_append (text, _("Cancelled"));
  else if (p->waiting > 0 && p->throughput > 0)
    {
      int eta = (int) (p->eta + 0.5);

      g_string_append_printf (text, _("%.1f a second"), p->throughput);
      g_string_append (text, " · ");
      if (eta >= 60)
        g_string_append_printf (text, _("about %d min left"), (eta + 59) / 60);
      else
        g_string_append_printf (text, _("about %d s left"), MAX (1, eta));
    }
  else if (p->waiting > 0)
    g_string_append (text, _("Starting"));
  else
    g_string_append (text, _("Finished"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
vetter_batch_object_finalize (GObject *object)
{
  VetterBatchObject *self = VETTER_BATCH_OBJECT (object);

  g_free (self->title);
  g_free (self->subtitle);

  G_OBJECT_CLASS (vetter_batch_object_parent_class)->finalize (object);
}

static void
vetter_batch_object_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  VetterBatchObject *self = VETTER_BATCH_OBJECT (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_int64 (value, self->id); break;
    case PROP_TITLE: g_value_set_string (value, self->title); break;
    case PROP_SUBTITLE: g_value_set_string (value, self->subtitle); break;
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_FRACTION: g_value_set_double (value, self->fraction); break;
    case PROP_FAILED: g_value_set_int64 (value, self->failed); break;
    case PROP_WAITING: g_value_set_int64 (value, self->waiting); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vetter_batch_object_class_init (VetterBatchObjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = vetter_batch_object_finalize;
  object_class->get_property = vetter_batch_object_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, flags);
  properties[PROP_SUBTITLE] = g_param_spec_string ("subtitle", NULL, NULL, NULL, flags);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, VETTER_TYPE_BATCH_STATE, VETTER_BATCH_RUNNING, flags);
  properties[PROP_FRACTION] = g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0, flags);
  properties[PROP_FAILED] = g_param_spec_int64 ("failed", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_WAITING] = g_param_spec_int64 ("waiting", NULL, NULL, 0, G_MAXINT64, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vetter_batch_object_init (VetterBatchObject *self)
{
}

VetterBatchObject *
vetter_batch_object_new (gint64      id,
                         const char *title)
{
  VetterBatchObject *self = g_object_new (VETTER_TYPE_BATCH_OBJECT, NULL);

  self->id = id;
  self->title = g_strdup (title);
  self->subtitle = g_strdup (_("Waiting to start"));
  self->state = VETTER_BATCH_RUNNING;
  return self;
}

gint64
vetter_batch_object_get_id (VetterBatchObject *self)
{
  return self->id;
}

const char *
vetter_batch_object_get_title (VetterBatchObject *self)
{
  return self->title;
}

const char *
vetter_batch_object_get_subtitle (VetterBatchObject *self)
{
  return self->subtitle;
}

VetterBatchState
vetter_batch_object_get_state (VetterBatchObject *self)
{
  return self->state;
}

double
vetter_batch_object_get_fraction (VetterBatchObject *self)
{
  return self->fraction;
}

gint64
vetter_batch_object_get_failed (VetterBatchObject *self)
{
  return self->failed;
}

gint64
vetter_batch_object_get_waiting (VetterBatchObject *self)
{
  return self->waiting;
}

static void
set_string (VetterBatchObject *self,
            char             **field,
            char              *value,
            int                prop)
{
  if (g_strcmp0 (*field, value) == 0)
    {
      g_free (value);
      return;
    }
  g_free (*field);
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
vetter_batch_object_update (VetterBatchObject         *self,
                            const VetterBatchProgress *progress)
{
  g_return_if_fail (VETTER_IS_BATCH_OBJECT (self));

  g_object_freeze_notify (G_OBJECT (self));
  set_string (self, &self->subtitle, describe (progress), PROP_SUBTITLE);
  if (self->state != progress->state)
    {
      self->state = progress->state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  if (self->fraction != progress->fraction)
    {
      self->fraction = progress->fraction;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
    }
  if (self->failed != progress->failed)
    {
      self->failed = progress->failed;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILED]);
    }
  if (self->waiting != progress->waiting)
    {
      self->waiting = progress->waiting;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WAITING]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}
