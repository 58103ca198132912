/* vetter-store-results.c: what the workers found, recorded
 *
 * An item's images, their steps, variants, colours, tags and defects, the
 * rules' decision and the effects that follow, in one transaction with the
 * item's new status. Duplicates are found here, against every image
 * recorded before, through an index of perceptual hashes kept in memory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-store"

#include "config.h"

#include <string.h>

#include "vetter-error.h"
#include "vetter-rules.h"
#include "vetter-store-private.h"

static gboolean
load_phashes (VetterStore  *self,
              GError      **error)
{
  sqlite3_stmt *stmt;

  if (self->phashes_loaded)
    return TRUE;
  stmt = vetter_store_prepare (self, "SELECT id, item_id, phash FROM image WHERE phash IS NOT NULL ORDER BY id", error);
  if (stmt == NULL)
    return FALSE;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      PhashEntry entry = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1), 0 };

      if (vetter_phash_parse (vetter_store_column_text (stmt, 2), &entry.phash))
        g_array_append_val (self->phashes, entry);
    }
  sqlite3_reset (stmt);
  self->phashes_loaded = TRUE;
  return TRUE;
}

/* The earliest image of another item within @distance bits, or NULL. */
static const PhashEntry *
find_duplicate (VetterStore *self,
                gint64       item_id,
                guint64      phash,
                int          distance)
{
  for (guint i = 0; i < self->phashes->len; i++)
    {
      const PhashEntry *entry = &g_array_index (self->phashes, PhashEntry, i);

      if (entry->item_id != item_id && vetter_phash_distance (entry->phash, phash) <= distance)
        return entry;
    }
  return NULL;
}

static gboolean
describe_image (VetterStore  *self,
                gint64        image_id,
                char        **description,
                gboolean     *item_rejected,
                GError      **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                "SELECT image.item_id, image.position, item.title, item.status FROM image"
                                " JOIN item ON item.id = image.item_id WHERE image.id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, image_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *title = vetter_store_column_text (stmt, 2);

      /* In the moderator's words: the ad by its title, not a file path
       * (the review view shows the two side by side). */
      if (title && *title)
        *description = g_strdup_printf ("image %d of the ad “%s”", sqlite3_column_int (stmt, 1), title);
      else
        *description = g_strdup_printf ("image %d of ad %" G_GINT64_FORMAT, sqlite3_column_int (stmt, 1),
                                        (gint64) sqlite3_column_int64 (stmt, 0));
      *item_rejected = g_strcmp0 (vetter_store_column_text (stmt, 3), "rejected") == 0;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

static gboolean
insert_defect (VetterStore        *self,
               gint64              image_id,
               const VetterDefect *defect,
               gint64              related_image_id,
               GError            **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                "INSERT INTO defect (image_id, kind, severity, confidence, x, y, w, h, message, related_image_id)"
                                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, image_id);
  vetter_store_bind_text (stmt, 2, defect->kind);
  vetter_store_bind_text (stmt, 3, vetter_severity_to_string (defect->severity));
  sqlite3_bind_int (stmt, 4, defect->confidence);
  if (defect->has_box)
    {
      sqlite3_bind_int (stmt, 5, defect->box.x);
      sqlite3_bind_int (stmt, 6, defect->box.y);
      sqlite3_bind_int (stmt, 7, defect->box.width);
      sqlite3_bind_int (stmt, 8, defect->box.height);
    }
  vetter_store_bind_text (stmt, 9, defect->message);
  if (related_image_id > 0)
    sqlite3_bind_int64 (stmt, 10, related_image_id);
  return vetter_store_step_done (self, stmt, error);
}

gboolean
vetter_store_clear_image_results (VetterStore  *self,
                                  gint64        image_id,
                                  GError      **error)
{
  static const char * const tables[] = {
    "DELETE FROM variant WHERE image_id = ?",
    "DELETE FROM tag WHERE image_id = ?",
    "DELETE FROM defect WHERE image_id = ?",
    "DELETE FROM step WHERE image_id = ?",
  };

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      sqlite3_stmt *stmt = vetter_store_prepare (self, tables[i], error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, image_id);
      if (!vetter_store_step_done (self, stmt, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
record_image (VetterStore             *self,
              gint64                   item_id,
              const VetterImageResult *result,
              const VetterConfig      *config,
              VetterRuleImage         *rule_image,
              GError                 **error)
{
  const VetterAnalysis *analysis = result->analysis;
  g_autofree char *phash = analysis ? vetter_phash_to_string (analysis->phash) : NULL;
  sqlite3_stmt *stmt;

  if (!vetter_store_clear_image_results (self, result->image_id, error))
    return FALSE;

  stmt = vetter_store_prepare (self,
                  "UPDATE image SET sha256 = ?, width = ?, height = ?, format = ?, bytes = ?, phash = ?,"
                  " brightness = ?, contrast = ?, sharpness = ?, status = ?, error = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  vetter_store_bind_text (stmt, 1, result->sha256);
  if (result->width > 0)
    {
      sqlite3_bind_int (stmt, 2, result->width);
      sqlite3_bind_int (stmt, 3, result->height);
    }
  vetter_store_bind_text (stmt, 4, result->format);
  if (result->sha256)
    sqlite3_bind_int64 (stmt, 5, result->bytes);
  vetter_store_bind_text (stmt, 6, phash);
  if (analysis)
    {
      sqlite3_bind_double (stmt, 7, analysis->brightness);
      sqlite3_bind_double (stmt, 8, analysis->contrast);
      sqlite3_bind_double (stmt, 9, analysis->sharpness);
    }
  vetter_store_bind_text (stmt, 10, result->ok ? "done" : "failed");
  vetter_store_bind_text (stmt, 11, result->error);
  sqlite3_bind_int64 (stmt, 12, result->image_id);
  if (!vetter_store_step_done (self, stmt, error))
    return FALSE;

  for (guint i = 0; i < result->steps->len; i++)
    {
      const VetterStepRecord *step = g_ptr_array_index (result->steps, i);

      stmt = vetter_store_prepare (self, "INSERT INTO step (image_id, name, status, started, duration, error) VALUES (?, ?, ?, ?, ?, ?)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, result->image_id);
      vetter_store_bind_text (stmt, 2, step->name);
      vetter_store_bind_text (stmt, 3, step->ok ? "done" : "failed");
      sqlite3_bind_int64 (stmt, 4, step->started);
      sqlite3_bind_int64 (stmt, 5, step->duration);
      vetter_store_bind_text (stmt, 6, step->error);
      if (!vetter_store_step_done (self, stmt, error))
        return FALSE;
    }

  for (guint i = 0; i < result->variants->len; i++)
    {
      const VetterVariantRecord *variant = g_ptr_array_index (result->variants, i);

      stmt = vetter_store_prepare (self, "INSERT INTO variant (image_id, kind, path, width, height, bytes, quality) VALUES (?, ?, ?, ?, ?, ?, ?)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, result->image_id);
      vetter_store_bind_text (stmt, 2, vetter_variant_kind_to_string (variant->kind));
      vetter_store_bind_text (stmt, 3, variant->path);
      sqlite3_bind_int (stmt, 4, variant->width);
      sqlite3_bind_int (stmt, 5, variant->height);
      sqlite3_bind_int64 (stmt, 6, variant->bytes);
      sqlite3_bind_int (stmt, 7, variant->quality);
      if (!vetter_store_step_done (self, stmt, error))
        return FALSE;
    }

  if (analysis == NULL)
    return TRUE;

  for (guint i = 0; i < analysis->colours->len; i++)
    {
      const VetterColour *colour = g_ptr_array_index (analysis->colours, i);
      g_autofree char *rgb = g_strdup_printf ("#%06x", colour->rgb);

      stmt = vetter_store_prepare (self, "INSERT INTO tag (image_id, label, confidence, source, rgb) VALUES (?, ?, ?, 'colour', ?)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, result->image_id);
      vetter_store_bind_text (stmt, 2, colour->label);
      sqlite3_bind_int (stmt, 3, colour->confidence);
      vetter_store_bind_text (stmt, 4, rgb);
      if (!vetter_store_step_done (self, stmt, error))
        return FALSE;
      g_ptr_array_add (rule_image->tags, vetter_tag_new (colour->label, colour->confidence, "colour"));
    }

  /* Object tags from the tagger: what the approving rule looks for. */
  for (guint i = 0; result->tags && i < result->tags->len; i++)
    {
      const VetterTag *tag = g_ptr_array_index (result->tags, i);

      stmt = vetter_store_prepare (self, "INSERT OR IGNORE INTO tag (image_id, label, confidence, source) VALUES (?, ?, ?, ?)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, result->image_id);
      vetter_store_bind_text (stmt, 2, tag->label);
      sqlite3_bind_int (stmt, 3, tag->confidence);
      vetter_store_bind_text (stmt, 4, tag->source);
      if (!vetter_store_step_done (self, stmt, error))
        return FALSE;
      g_ptr_array_add (rule_image->tags, vetter_tag_new (tag->label, tag->confidence, tag->source));
    }

  for (guint i = 0; i < analysis->defects->len; i++)
    {
      const VetterDefect *defect = g_ptr_array_index (analysis->defects, i);

      if (!insert_defect (self, result->image_id, defect, 0, error))
        return FALSE;
      g_ptr_array_add (rule_image->defects,
                       vetter_defect_new (defect->kind, defect->severity, defect->confidence,
                                          defect->has_box ? &defect->box : NULL, "%s", defect->message));
    }

  /* Duplicates are a property of the whole collection, so they are found
   * here, where the earlier images are known. */
  if (!load_phashes (self, error))
    return FALSE;
  {
    const PhashEntry *match = find_duplicate (self, item_id, analysis->phash, config->duplicate_distance);
    PhashEntry entry = { result->image_id, item_id, analysis->phash };

    if (match)
      {
        g_autofree char *description = NULL;
        gboolean rejected = FALSE;
        g_autoptr(VetterDefect) defect = NULL;
        int distance = vetter_phash_distance (match->phash, analysis->phash);

        if (!describe_image (self, match->image_id, &description, &rejected, error))
          return FALSE;
        defect = vetter_defect_new ("duplicate", VETTER_SEVERITY_HIGH, 100 - distance * 5, NULL,
                                    "Repeats %s", description ? description : "an earlier image");
        if (!insert_defect (self, result->image_id, defect, match->image_id, error))
          return FALSE;
        rule_image->duplicate_of = g_steal_pointer (&description);
        rule_image->duplicate_of_rejected = rejected;
        g_ptr_array_add (rule_image->defects, g_steal_pointer (&defect));
      }
    g_array_append_val (self->phashes, entry);
  }
  return TRUE;
}

/* The rules' verdict on a processed item, and what follows it. Another
 * desktop's decision on the same ad that arrived before it was processed
 * here stands over the rules'. */
static gboolean
record_rules_decision (VetterStore        *self,
                       gint64              item_id,
                       const VetterConfig *config,
                       GPtrArray          *rule_images,
                       VetterItemOutcome  *outcome,
                       GError            **error)
{
  g_autoptr(VetterDecision) verdict = vetter_rules_decide (config, rule_images);
  g_autoptr(VetterItemDecision) decision = g_new0 (VetterItemDecision, 1);
  g_autoptr(VetterItemDecision) waiting = NULL;

  decision->status = verdict->status;
  decision->reason_code = g_strdup (verdict->reason_code);
  decision->reason = g_strdup (verdict->reason);
  decision->rule = g_strdup (verdict->rule);
  decision->is_auto = TRUE;
  decision->decided_by = g_strdup ("vetter");
  decision->decided_at = vetter_store_now ();
  outcome->status = verdict->status;

  /* The ad's documents go before its decision's. */
  if (!vetter_store_write_decision (self, item_id, decision, VETTER_ORIGIN_RULES, "rules", "vetter", NULL, NULL, error) ||
      !vetter_store_effects_after_results (self, item_id, config, error))
    return FALSE;
  if (config->sync_couch)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, item_id);
      g_autofree char *uid = vetter_store_lookup_text (self, "SELECT uid FROM item WHERE id = CAST (? AS INTEGER)", id);

      waiting = vetter_store_couch_waiting_decision (self, uid);
    }
  if (waiting)
    {
      outcome->status = waiting->status;
      return vetter_store_write_decision (self, item_id, waiting, VETTER_ORIGIN_ELSEWHERE, "remote",
                                          waiting->decided_by, config, NULL, error);
    }
  return vetter_store_effects_after_decision (self, item_id, VETTER_ORIGIN_RULES, config, error);
}

static gboolean
is_undecodable (int error_code)
{
  return error_code == VETTER_ERROR_DECODE || error_code == VETTER_ERROR_TOO_LARGE;
}

gboolean
vetter_store_record_item (VetterStore        *self,
                          gint64              item_id,
                          GPtrArray          *results,
                          const VetterConfig *config,
                          VetterItemOutcome  *outcome,
                          GError            **error)
{
  g_autoptr(GPtrArray) rule_images = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_rule_image_free);
  g_autofree char *failure = NULL;
  guint n_phashes = self->phashes->len;
  sqlite3_stmt *stmt;

  memset (outcome, 0, sizeof *outcome);
  outcome->item_id = item_id;

  if (!vetter_store_begin (self, error))
    return FALSE;

  for (guint i = 0; i < results->len; i++)
    {
      const VetterImageResult *result = g_ptr_array_index (results, i);
      VetterRuleImage *rule_image = vetter_rule_image_new (result->position);

      g_ptr_array_add (rule_images, rule_image);
      if (!record_image (self, item_id, result, config, rule_image, error))
        goto fail;
      if (!result->ok)
        {
          rule_image->undecodable = is_undecodable (result->error_code);
          rule_image->error = g_strdup (result->error);
          if (!rule_image->undecodable && failure == NULL)
            failure = g_strdup_printf ("image %d: %s", result->position, result->error);
        }
    }

  if (results->len == 0)
    failure = g_strdup ("the item names no image");

  if (failure)
    {
      stmt = vetter_store_prepare (self,
                      "UPDATE item SET status = 'failed', error = ?, step = NULL, decided_by = NULL,"
                      " decided_at = NULL, reason_code = NULL, reason = NULL, auto = NULL, rule = NULL,"
                      " auto_status = NULL, auto_reason = NULL, auto_rule = NULL,"
                      " updated = ? WHERE id = ?", error);
      if (stmt == NULL)
        goto fail;
      vetter_store_bind_text (stmt, 1, failure);
      sqlite3_bind_int64 (stmt, 2, vetter_store_now ());
      sqlite3_bind_int64 (stmt, 3, item_id);
      if (!vetter_store_step_done (self, stmt, error))
        goto fail;
      outcome->status = VETTER_STATUS_FAILED;
      outcome->error = g_steal_pointer (&failure);
      /* Of a failed item, what could be made is sent all the same. */
      if (!vetter_store_effects_after_results (self, item_id, config, error))
        goto fail;
    }
  else if (!record_rules_decision (self, item_id, config, rule_images, outcome, error))
    goto fail;

  outcome->batch_id = vetter_store_item_batch (self, item_id);
  if (!vetter_store_commit (self, error))
    goto fail;
  return TRUE;

fail:
  vetter_store_rollback (self);
  /* What this transaction added to the duplicate index is gone with it. */
  g_array_set_size (self->phashes, n_phashes);
  g_clear_pointer (&outcome->error, g_free);
  return FALSE;
}
