/* test-rules.c: every rule, and the order in which they apply
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "vetter-rules.h"

static GPtrArray *
images_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_rule_image_free);
}

static VetterRuleImage *
add_image (GPtrArray *images)
{
  VetterRuleImage *image = vetter_rule_image_new ((int) images->len + 1);

  g_ptr_array_add (images, image);
  return image;
}

static void
test_approve_on_tag (void)
{
  g_autoptr(VetterConfig) config = vetter_config_new ();
  g_autoptr(GPtrArray) images = images_new ();
  g_autoptr(VetterDecision) decision = NULL;
  VetterRuleImage *image = add_image (images);

  g_ptr_array_add (image->tags, vetter_tag_new ("red", 80, "colour"));
  g_ptr_array_add (image->tags, vetter_tag_new ("car", 45, "imagga"));
  g_ptr_array_add (image->defects, vetter_defect_new ("blurry", VETTER_SEVERITY_MEDIUM, 70, NULL, "soft"));
  decision = vetter_rules_decide (config, images);
  g_assert_cmpint (decision->status, ==, VETTER_STATUS_APPROVED);
  g_assert_cmpstr (decision->rule, ==, "required-tag");
  g_assert_nonnull (strstr (decision->reason, "car"));
}

static void
test_low_confidence_needs_review (void)
{
  g_autoptr(VetterConfig) config = vetter_config_new ();
  g_autoptr(GPtrArray) images = images_new ();
  g_autoptr(VetterDecision) decision = NULL;

  g_ptr_array_add (add_image (images)->tags, vetter_tag_new ("car", 29, "imagga"));
  config->imagga_url = g_strdup ("https://api.imagga.com");
  config->imagga_key = g_strdup ("key");
  config->imagga_secret = g_strdup ("secret");
  decision = vetter_rules_decide (config, images);
  g_assert_cmpint (decision->status, ==, VETTER_STATUS_NEEDS_REVIEW);
  g_assert_cmpstr (decision->rule, ==, "needs-review");
  g_assert_nonnull (strstr (decision->reason, "tagger found none of car"));
  g_assert_nonnull (strstr (decision->reason, "confidence 30"));
}

/* Without a tagger the approving rule cannot see objects: every verdict
 * saying so would be noise; the preferences say it once. */
static void
test_no_tagger_no_tag_talk (void)
{
  g_autoptr(VetterConfig) config = vetter_config_new ();
  g_autoptr(GPtrArray) images = images_new ();
  g_autoptr(VetterDecision) decision = NULL;

  g_ptr_array_add (add_image (images)->tags, vetter_tag_new ("green", 60, "colour"));
  g_assert_false (vetter_config_has_tagger (config));
  decision = vetter_rules_decide (config, images);
  g_assert_cmpint (decision->status, ==, VETTER_STATUS_NEEDS_REVIEW);
  g_assert_null (strstr (decision->reason, "car"));
  g_assert_null (strstr (decision->reason, "tag"));
}

static void
test_blocking_defect_needs_review (void)
{
  g_autoptr(VetterConfig) config = vetter_config_new ();
  g_autoptr(GPtrArray) images = images_new ();
  g_autoptr(VetterDecision) decision = NULL;
  VetterRuleImage *first = add_image (images);
  VetterRuleImage *second = add_image (images);

  g_ptr_array_add (first->tags, vetter_tag_new ("motorcycle", 90, "imagga"));
  g_ptr_array_add (second->defects, vetter_defect_new ("underexposed", VETTER_SEVERITY_HIGH, 90, NULL, "dark"));
  decision = vetter_rules_decide (config, images);
  g_assert_cmpint (decision->status, ==, VETTER_STATUS_NEEDS_REVIEW);
  g_assert_nonnull (strstr (decision->reason, "underexposed (high) in image 2"));

  /* With medium severities blocking too, a medium defect holds it back. */
  config->blocking_severity[VETTER_SEVERITY_HIGH] = FALSE;
  g_clear_pointer (&decision, vetter_decision_free);
  decision = vetter_rules_decide (config, images);
  g_assert_cmpint (decision->status, ==, VETTER_STATUS_APPROVED);
}

static void
test_configured_tags (void)
{
  g_autoptr(VetterConfig) config = vetter_config_new ();
  g_autoptr(GPtrArray) images = images_new ();
  g_autoptr(VetterDecision) decision = NULL;
  const char *tags[] = { "sofa", NULL };

  g_strfreev (config->approve_tags);
  config->approve_tags = g_strdupv ((char **) tags);
  config->approve_confidence = 50;
  g_ptr_array_add (add_image (images)->tags, vetter_tag_new ("sofa", 55, "imagga"));
  decision = vetter_rules_decide (config, images);
  g_assert_cmpint (decision->status, ==, VETTER_STATUS_APPROVED);
}

static void
test_undecodable_rejects_first (void)
{
  g_autoptr(VetterConfig) config = vetter_config_new ();
  g_autoptr(GPtrArray) images = images_new ();
  g_autoptr(VetterDecision) decision = NULL;
  VetterRuleImage *good = add_image (images);
  VetterRuleImage *bad = add_image (images);

  g_ptr_array_add (good->tags, vetter_tag_new ("car", 99, "imagga"));
  bad->undecodable = TRUE;
  bad->error = g_strdup ("the JPEG data ends early");
  decision = vetter_rules_decide (config, images);
  g_assert_cmpint (decision->status, ==, VETTER_STATUS_REJECTED);
  g_assert_cmpstr (decision->rule, ==, "undecodable-image");
  g_assert_cmpstr (decision->reason_code, ==, "poor_quality");
  g_assert_cmpstr (decision->reason, ==, "Image 2 cannot be used: the JPEG data ends early");
}

static void
test_duplicate_of_rejected (void)
{
  g_autoptr(VetterConfig) config = vetter_config_new ();
  g_autoptr(GPtrArray) images = images_new ();
  g_autoptr(VetterDecision) decision = NULL;
  VetterRuleImage *image = add_image (images);

  g_ptr_array_add (image->tags, vetter_tag_new ("car", 99, "imagga"));
  image->duplicate_of = g_strdup ("image 1 of item 7 (a.jpg)");
  decision = vetter_rules_decide (config, images);
  /* A duplicate of an ad not rejected is for a person to judge. */
  g_assert_cmpint (decision->status, !=, VETTER_STATUS_REJECTED);

  image->duplicate_of_rejected = TRUE;
  g_clear_pointer (&decision, vetter_decision_free);
  decision = vetter_rules_decide (config, images);
  g_assert_cmpint (decision->status, ==, VETTER_STATUS_REJECTED);
  g_assert_cmpstr (decision->rule, ==, "duplicate-of-rejected");
  g_assert_cmpstr (decision->reason_code, ==, "duplicate");
  g_assert_nonnull (strstr (decision->reason, "item 7"));
}

static void
test_status_names (void)
{
  for (int s = VETTER_STATUS_QUEUED; s <= VETTER_STATUS_FAILED; s++)
    g_assert_cmpint (vetter_status_from_string (vetter_status_to_string (s)), ==, s);
  g_assert_cmpstr (vetter_status_to_string (VETTER_STATUS_NEEDS_REVIEW), ==, "needs_review");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rules/approve-on-tag", test_approve_on_tag);
  g_test_add_func ("/rules/low-confidence-needs-review", test_low_confidence_needs_review);
  g_test_add_func ("/rules/no-tagger-no-tag-talk", test_no_tagger_no_tag_talk);
  g_test_add_func ("/rules/blocking-defect-needs-review", test_blocking_defect_needs_review);
  g_test_add_func ("/rules/configured-tags", test_configured_tags);
  g_test_add_func ("/rules/undecodable-rejects-first", test_undecodable_rejects_first);
  g_test_add_func ("/rules/duplicate-of-rejected", test_duplicate_of_rejected);
  g_test_add_func ("/rules/status-names", test_status_names);

  return g_test_run ();
}
