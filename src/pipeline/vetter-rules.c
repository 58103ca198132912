/* vetter-rules.c: from what was found to approve, reject or review
 *
 * In order, the first that applies decides:
 *   undecodable-image      an image arrived but cannot be decoded → rejected
 *   duplicate-of-rejected  an image repeats one of a rejected ad → rejected
 *   required-tag           an approving tag with enough confidence and no
 *                          blocking defect → approved
 *   needs-review           anything else → left for a person, saying why
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "vetter-rules.h"

VetterTag *
vetter_tag_new (const char *label,
                int         confidence,
                const char *source)
{
  VetterTag *tag = g_new0 (VetterTag, 1);

  tag->label = g_strdup (label);
  tag->confidence = CLAMP (confidence, 0, 100);
  tag->source = g_strdup (source);
  return tag;
}

void
vetter_tag_free (VetterTag *tag)
{
  if (tag == NULL)
    return;
  g_free (tag->label);
  g_free (tag->source);
  g_free (tag);
}

VetterRuleImage *
vetter_rule_image_new (int position)
{
  VetterRuleImage *image = g_new0 (VetterRuleImage, 1);

  image->position = position;
  image->tags = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_tag_free);
  image->defects = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_defect_free);
  return image;
}

void
vetter_rule_image_free (VetterRuleImage *image)
{
  if (image == NULL)
    return;
  g_free (image->error);
  g_free (image->duplicate_of);
  g_clear_pointer (&image->tags, g_ptr_array_unref);
  g_clear_pointer (&image->defects, g_ptr_array_unref);
  g_free (image);
}

void
vetter_decision_free (VetterDecision *decision)
{
  if (decision == NULL)
    return;
  g_free (decision->reason_code);
  g_free (decision->reason);
  g_free (decision->rule);
  g_free (decision);
}

static VetterDecision *
decision_new (VetterStatus  status,
              const char   *rule,
              const char   *reason_code,
              char         *reason)
{
  VetterDecision *decision = g_new0 (VetterDecision, 1);

  decision->status = status;
  decision->rule = g_strdup (rule);
  decision->reason_code = g_strdup (reason_code);
  decision->reason = reason;
  return decision;
}

VetterDecision *
vetter_rules_decide (const VetterConfig *config,
                     GPtrArray          *images)
{
  g_autoptr(GString) blocking = g_string_new (NULL);
  const VetterTag *approving = NULL;

  for (guint i = 0; i < images->len; i++)
    {
      const VetterRuleImage *image = g_ptr_array_index (images, i);

      if (image->undecodable)
        return decision_new (VETTER_STATUS_REJECTED, "undecodable-image", "poor_quality",
                             g_strdup_printf ("Image %d cannot be used: %s", image->position,
                                              image->error ? image->error : "it cannot be decoded"));
    }

  for (guint i = 0; i < images->len; i++)
    {
      const VetterRuleImage *image = g_ptr_array_index (images, i);

      if (image->duplicate_of_rejected)
        return decision_new (VETTER_STATUS_REJECTED, "duplicate-of-rejected", "duplicate",
                             g_strdup_printf ("Image %d repeats %s, which was rejected",
                                              image->position, image->duplicate_of));
    }

  for (guint i = 0; i < images->len; i++)
    {
      const VetterRuleImage *image = g_ptr_array_index (images, i);

      for (guint t = 0; t < image->tags->len; t++)
        {
          const VetterTag *tag = g_ptr_array_index (image->tags, t);

          if (tag->confidence >= config->approve_confidence &&
              g_strv_contains ((const char * const *) config->approve_tags, tag->label) &&
              (approving == NULL || tag->confidence > approving->confidence))
            approving = tag;
        }
      for (guint d = 0; d < image->defects->len; d++)
        {
          const VetterDefect *defect = g_ptr_array_index (image->defects, d);

          if (config->blocking_severity[defect->severity])
            g_string_append_printf (blocking, "%s%s (%s) in image %d", blocking->len ? ", " : "",
                                    defect->kind, vetter_severity_to_string (defect->severity),
                                    image->position);
        }
    }

  if (approving && blocking->len == 0)
    return decision_new (VETTER_STATUS_APPROVED, "required-tag", NULL,
                         g_strdup_printf ("Shows “%s” (confidence %d) and has no blocking defect",
                                          approving->label, approving->confidence));

  if (blocking->len > 0)
    return decision_new (VETTER_STATUS_NEEDS_REVIEW, "needs-review", NULL,
                         g_strdup_printf ("Defects that block approval: %s", blocking->str));

  /* Without a tagger, the approving tags can only be colours: what the
   * rules need is said once, in the preferences, not on every ad. */
  if (!vetter_config_has_tagger (config))
    return decision_new (VETTER_STATUS_NEEDS_REVIEW, "needs-review", NULL,
                         g_strdup ("Nothing blocks it; nothing approves it without a person"));
  {
    g_autofree char *wanted = g_strjoinv (", ", config->approve_tags);

    return decision_new (VETTER_STATUS_NEEDS_REVIEW, "needs-review", NULL,
                         g_strdup_printf ("The tagger found none of %s with confidence %d or more",
                                          wanted, config->approve_confidence));
  }
}
