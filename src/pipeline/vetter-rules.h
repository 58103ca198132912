/* vetter-rules.h: from what was found to approve, reject or review
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vetter-analysis.h"
#include "vetter-config.h"
#include "vetter-types.h"

G_BEGIN_DECLS

typedef struct
{
  char *label;
  int   confidence;
  char *source;   /* "colour", "imagga", … */
} VetterTag;

/* What the rules see of one image. */
typedef struct
{
  int        position;
  gboolean   undecodable;       /* the bytes arrived but are no usable image */
  char      *error;
  GPtrArray *tags;              /* VetterTag* */
  GPtrArray *defects;           /* VetterDefect* */
  gboolean   duplicate_of_rejected;
  char      *duplicate_of;      /* describes the earlier image, when duplicate */
} VetterRuleImage;

typedef struct
{
  VetterStatus status;
  char        *reason_code;     /* poor_quality, irrelevant, prohibited, duplicate, contact_details, other */
  char        *reason;          /* in words */
  char        *rule;            /* the rule that decided */
} VetterDecision;

VetterTag      *vetter_tag_new          (const char *label,
                                         int         confidence,
                                         const char *source);
void            vetter_tag_free         (VetterTag  *tag);
VetterRuleImage *vetter_rule_image_new  (int         position);
void            vetter_rule_image_free  (VetterRuleImage *image);
void            vetter_decision_free    (VetterDecision  *decision);

VetterDecision *vetter_rules_decide     (const VetterConfig *config,
                                         GPtrArray          *images);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterDecision, vetter_decision_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterRuleImage, vetter_rule_image_free)

G_END_DECLS
