/* vetter-store-review.c: what moderators see
 *
 * The items to review under a filter, an item in full as a typed record
 * (its row, decisions, images with what was found in them, its history),
 * and a batch's items a page at a time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-store"

#include "config.h"

#include "vetter-error.h"
#include "vetter-store-private.h"

/* ---- The review queue ----------------------------------------------------- */

GArray *
vetter_store_review_queue (VetterStore               *self,
                           const VetterReviewFilter  *filter,
                           GError                   **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  int rc;

  stmt = vetter_store_prepare (self,
                               "SELECT id FROM item"
                               " WHERE (?1 = 0 OR batch_id = ?1)"
                               "   AND ((?2 = 0 AND (status = 'needs_review' OR conflict IS NOT NULL))"
                               "        OR (?2 = 1 AND status = 'approved')"
                               "        OR (?2 = 2 AND status = 'rejected')"
                               "        OR (?2 = 3 AND status IN ('needs_review', 'approved', 'rejected'))"
                               "        OR (?2 = 4 AND conflict IS NOT NULL))"
                               "   AND (?3 IS NULL OR EXISTS (SELECT 1 FROM image JOIN defect ON defect.image_id = image.id"
                               "                              WHERE image.item_id = item.id AND defect.kind = ?3))"
                               "   AND (?4 IS NULL OR auto_status = ?4)"
                               /* An ad another desktop is reviewing is not offered here. */
                               "   AND NOT EXISTS (SELECT 1 FROM remote_claim WHERE remote_claim.uid = item.uid"
                               "                   AND remote_claim.expires > ?5)"
                               " ORDER BY created, id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, filter->batch_id);
  sqlite3_bind_int (stmt, 2, (int) filter->scope);
  vetter_store_bind_text (stmt, 3, filter->defect_kind);
  vetter_store_bind_text (stmt, 4, filter->has_auto_status ? vetter_status_to_string (filter->auto_status) : NULL);
  sqlite3_bind_int64 (stmt, 5, vetter_store_now ());
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      vetter_store_fail (self, error, "cannot list the items to review");
      return NULL;
    }
  return g_steal_pointer (&ids);
}

GPtrArray *
vetter_store_defect_kinds (VetterStore  *self,
                           GError      **error)
{
  GPtrArray *kinds;
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT DISTINCT kind FROM defect ORDER BY kind", error);

  if (stmt == NULL)
    return NULL;
  kinds = g_ptr_array_new_with_free_func (g_free);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (kinds, g_strdup (vetter_store_column_text (stmt, 0)));
  sqlite3_reset (stmt);
  return kinds;
}

/* ---- Images in full ------------------------------------------------------- */

static void
read_tags (VetterStore     *self,
           VetterImageInfo *image)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "SELECT label, confidence, source, rgb FROM tag WHERE image_id = ?"
                                             " ORDER BY confidence DESC, id", NULL);

  sqlite3_bind_int64 (stmt, 1, image->id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      VetterTagInfo *tag = g_new0 (VetterTagInfo, 1);

      tag->label = g_strdup (vetter_store_column_text (stmt, 0));
      tag->confidence = sqlite3_column_int (stmt, 1);
      tag->source = g_strdup (vetter_store_column_text (stmt, 2));
      tag->rgb = g_strdup (vetter_store_column_text (stmt, 3));
      g_ptr_array_add (image->tags, tag);
    }
  sqlite3_reset (stmt);
}

static void
read_defects (VetterStore     *self,
              VetterImageInfo *image)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "SELECT d.kind, d.severity, d.confidence, d.x, d.y, d.w, d.h, d.message,"
                                             " related.item_id, related.position FROM defect d"
                                             " LEFT JOIN image related ON related.id = d.related_image_id"
                                             " WHERE d.image_id = ? ORDER BY d.id", NULL);

  sqlite3_bind_int64 (stmt, 1, image->id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      VetterDefectInfo *defect = g_new0 (VetterDefectInfo, 1);

      defect->kind = g_strdup (vetter_store_column_text (stmt, 0));
      defect->severity = vetter_severity_from_string (vetter_store_column_text (stmt, 1));
      defect->confidence = sqlite3_column_int (stmt, 2);
      defect->has_box = sqlite3_column_type (stmt, 3) != SQLITE_NULL;
      defect->x = sqlite3_column_int (stmt, 3);
      defect->y = sqlite3_column_int (stmt, 4);
      defect->width = sqlite3_column_int (stmt, 5);
      defect->height = sqlite3_column_int (stmt, 6);
      defect->message = g_strdup (vetter_store_column_text (stmt, 7));
      defect->related_item = sqlite3_column_int64 (stmt, 8);
      defect->related_position = sqlite3_column_int (stmt, 9);
      g_ptr_array_add (image->defects, defect);
    }
  sqlite3_reset (stmt);
}

static void
read_variants (VetterStore     *self,
               VetterImageInfo *image)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "SELECT kind, path, width, height, bytes, remote_url FROM variant"
                                             " WHERE image_id = ?"
                                             " ORDER BY CASE kind WHEN 'compressed' THEN 0 WHEN 'square' THEN 1"
                                             " WHEN 'portrait' THEN 2 WHEN 'landscape' THEN 3 ELSE 4 END", NULL);

  sqlite3_bind_int64 (stmt, 1, image->id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      VetterVariantInfo *variant = g_new0 (VetterVariantInfo, 1);

      vetter_variant_kind_from_string (vetter_store_column_text (stmt, 0), &variant->kind);
      variant->path = g_strdup (vetter_store_column_text (stmt, 1));
      variant->width = sqlite3_column_int (stmt, 2);
      variant->height = sqlite3_column_int (stmt, 3);
      variant->bytes = sqlite3_column_int64 (stmt, 4);
      variant->remote_url = g_strdup (vetter_store_column_text (stmt, 5));
      g_ptr_array_add (image->variants, variant);
    }
  sqlite3_reset (stmt);
}

static void
read_steps (VetterStore     *self,
            VetterImageInfo *image)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "SELECT name, status, started, duration, error FROM step"
                                             " WHERE image_id = ? ORDER BY id", NULL);

  sqlite3_bind_int64 (stmt, 1, image->id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      VetterStepInfo *step = g_new0 (VetterStepInfo, 1);

      step->name = g_strdup (vetter_store_column_text (stmt, 0));
      step->ok = g_strcmp0 (vetter_store_column_text (stmt, 1), "done") == 0;
      step->started = sqlite3_column_int64 (stmt, 2);
      step->duration = sqlite3_column_int64 (stmt, 3);
      step->error = g_strdup (vetter_store_column_text (stmt, 4));
      g_ptr_array_add (image->steps, step);
    }
  sqlite3_reset (stmt);
}

GPtrArray *
vetter_store_read_images (VetterStore  *self,
                          gint64        item_id,
                          GError      **error)
{
  g_autoptr(GPtrArray) images = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_image_info_free);
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "SELECT id, position, source, location, status, error, width, height, phash"
                                             " FROM image WHERE item_id = ? ORDER BY position", error);

  if (stmt == NULL)
    return NULL;
  /* Rows first, lists after: the lists' queries must not interleave with
   * this one's cursor. */
  sqlite3_bind_int64 (stmt, 1, item_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      VetterImageInfo *image = vetter_image_info_new ();
      const char *status = vetter_store_column_text (stmt, 4);

      image->id = sqlite3_column_int64 (stmt, 0);
      image->position = sqlite3_column_int (stmt, 1);
      image->source = g_strdup (vetter_store_column_text (stmt, 2));
      image->location = g_strdup (vetter_store_column_text (stmt, 3));
      image->status = g_strdup (g_strcmp0 (status, "queued") == 0 ? "pending" : status);
      image->error = g_strdup (vetter_store_column_text (stmt, 5));
      image->width = sqlite3_column_int (stmt, 6);
      image->height = sqlite3_column_int (stmt, 7);
      image->phash = g_strdup (vetter_store_column_text (stmt, 8));
      g_ptr_array_add (images, image);
    }
  sqlite3_reset (stmt);

  for (guint i = 0; i < images->len; i++)
    {
      VetterImageInfo *image = g_ptr_array_index (images, i);

      read_tags (self, image);
      read_defects (self, image);
      read_variants (self, image);
      read_steps (self, image);
    }
  return g_steal_pointer (&images);
}

/* ---- One item in full ----------------------------------------------------- */

/* The CSV's own columns and this row's cells, side by side. */
static void
read_fields (const char *header_json,
             const char *cells_json,
             GPtrArray  *fields)
{
  g_auto(GStrv) header = vetter_store_strv_from_json (header_json);
  g_auto(GStrv) cells = vetter_store_strv_from_json (cells_json);
  guint n_cells = g_strv_length (cells);

  if (cells_json == NULL)
    return;
  for (guint i = 0; header[i]; i++)
    {
      VetterField *field = g_new0 (VetterField, 1);

      field->name = g_strdup (header[i]);
      field->value = g_strdup (i < n_cells ? cells[i] : "");
      g_ptr_array_add (fields, field);
    }
}

/* A decision kept in a document of the shared database. */
static VetterItemDecision *
conflict_from_text (const char *text)
{
  g_autoptr(JsonNode) node = text ? json_from_string (text, NULL) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return vetter_store_decision_from_doc (json_node_get_object (node));
}

VetterItemDetail *
vetter_store_item_detail (VetterStore  *self,
                          gint64        item_id,
                          GError      **error)
{
  g_autoptr(VetterItemDetail) item = NULL;
  g_autofree char *header = NULL;
  g_autofree char *cells = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GPtrArray) history = NULL;
  sqlite3_stmt *stmt;

  stmt = vetter_store_prepare (self,
                               "SELECT item.id, item.batch_id, batch.source, item.row, item.line, item.serial,"
                               " item.title, item.email, item.description, item.category, item.status, item.error,"
                               " item.reason_code, item.reason, item.note, item.rule, item.auto, item.decided_by,"
                               " item.decided_at, item.auto_status, item.auto_reason, item.auto_rule,"
                               " batch.header, item.cells, item.created, item.uid, item.conflict,"
                               " (SELECT moderator FROM remote_claim WHERE remote_claim.uid = item.uid"
                               "  AND remote_claim.expires > ?2)"
                               " FROM item JOIN batch ON batch.id = item.batch_id WHERE item.id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, item_id);
  sqlite3_bind_int64 (stmt, 2, vetter_store_now ());
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE, "there is no item %" G_GINT64_FORMAT, item_id);
      return NULL;
    }

  item = vetter_item_detail_new ();
  item->id = sqlite3_column_int64 (stmt, 0);
  item->batch_id = sqlite3_column_int64 (stmt, 1);
  item->batch_source = g_strdup (vetter_store_column_text (stmt, 2));
  item->row = sqlite3_column_int (stmt, 3);
  item->line = sqlite3_column_int (stmt, 4);
  item->serial = g_strdup (vetter_store_column_text (stmt, 5));
  item->title = g_strdup (vetter_store_column_text (stmt, 6));
  item->email = g_strdup (vetter_store_column_text (stmt, 7));
  item->description = g_strdup (vetter_store_column_text (stmt, 8));
  item->category = g_strdup (vetter_store_column_text (stmt, 9));
  item->status = vetter_status_from_string (vetter_store_column_text (stmt, 10));
  item->error = g_strdup (vetter_store_column_text (stmt, 11));
  if (vetter_status_is_decidable (item->status))
    {
      item->decision = g_new0 (VetterItemDecision, 1);
      item->decision->status = item->status;
      item->decision->reason_code = g_strdup (vetter_store_column_text (stmt, 12));
      item->decision->reason = g_strdup (vetter_store_column_text (stmt, 13));
      item->decision->note = g_strdup (vetter_store_column_text (stmt, 14));
      item->decision->rule = g_strdup (vetter_store_column_text (stmt, 15));
      item->decision->is_auto = sqlite3_column_int (stmt, 16) != 0;
      item->decision->decided_by = g_strdup (vetter_store_column_text (stmt, 17));
      item->decision->decided_at = sqlite3_column_int64 (stmt, 18);
    }
  if (vetter_store_column_text (stmt, 19))
    {
      item->auto_decision = g_new0 (VetterItemDecision, 1);
      item->auto_decision->status = vetter_status_from_string (vetter_store_column_text (stmt, 19));
      item->auto_decision->reason = g_strdup (vetter_store_column_text (stmt, 20));
      item->auto_decision->rule = g_strdup (vetter_store_column_text (stmt, 21));
      item->auto_decision->is_auto = TRUE;
      item->auto_decision->decided_by = g_strdup ("vetter");
    }
  header = g_strdup (vetter_store_column_text (stmt, 22));
  cells = g_strdup (vetter_store_column_text (stmt, 23));
  item->created = sqlite3_column_int64 (stmt, 24);
  item->uid = g_strdup (vetter_store_column_text (stmt, 25));
  /* Another desktop's decision this one's met in the shared database. */
  item->conflict = conflict_from_text (vetter_store_column_text (stmt, 26));
  item->claimed_by = g_strdup (vetter_store_column_text (stmt, 27));
  sqlite3_reset (stmt);

  read_fields (header, cells, item->fields);
  images = vetter_store_read_images (self, item_id, error);
  history = vetter_store_history (self, "item", item_id, error);
  if (images == NULL || history == NULL)
    return NULL;
  g_ptr_array_extend_and_steal (item->images, g_steal_pointer (&images));
  g_ptr_array_extend_and_steal (item->history, g_steal_pointer (&history));
  return g_steal_pointer (&item);
}

/* ---- A batch's items, a page at a time ------------------------------------ */

static VetterItemRow *
read_item_row (sqlite3_stmt *stmt)
{
  VetterItemRow *row = g_new0 (VetterItemRow, 1);

  row->id = sqlite3_column_int64 (stmt, 0);
  row->row = sqlite3_column_int (stmt, 1);
  row->title = g_strdup (vetter_store_column_text (stmt, 2));
  row->status = vetter_status_from_string (vetter_store_column_text (stmt, 3));
  row->error = g_strdup (vetter_store_column_text (stmt, 4));
  row->thumb = g_strdup (vetter_store_column_text (stmt, 5));
  row->by_team = sqlite3_column_int (stmt, 6) != 0;
  return row;
}

/* A thumbnail made elsewhere and not fetched yet has no file: none. */
#define ITEM_ROW_COLUMNS \
  "item.id, item.row, coalesce (item.title, item.serial, image.source), item.status, item.error," \
  " nullif ((SELECT path FROM variant WHERE variant.image_id = image.id AND kind = 'thumb'), '')," \
  " item.step IS '" VETTER_STORE_TEAM_STEP "'" \
  " FROM item LEFT JOIN image ON image.item_id = item.id AND image.position = 1"

GPtrArray *
vetter_store_list_items (VetterStore  *self,
                         gint64        batch_id,
                         guint         offset,
                         guint         limit,
                         GError      **error)
{
  GPtrArray *rows;
  sqlite3_stmt *stmt;

  /* OFFSET walks the (batch_id, row) index: a page deep into a batch of a
   * hundred thousand items still costs well under a millisecond. */
  stmt = vetter_store_prepare (self,
                               "SELECT " ITEM_ROW_COLUMNS
                               " WHERE item.batch_id = ? ORDER BY item.row LIMIT ? OFFSET ?", error);
  if (stmt == NULL)
    return NULL;
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_item_row_free);
  sqlite3_bind_int64 (stmt, 1, batch_id);
  sqlite3_bind_int (stmt, 2, (int) limit);
  sqlite3_bind_int (stmt, 3, (int) offset);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (rows, read_item_row (stmt));
  sqlite3_reset (stmt);
  return rows;
}

GPtrArray *
vetter_store_item_rows (VetterStore  *self,
                        GArray       *item_ids,
                        GError      **error)
{
  GPtrArray *rows;
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT " ITEM_ROW_COLUMNS " WHERE item.id = ?", error);

  if (stmt == NULL)
    return NULL;
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_item_row_free);
  for (guint i = 0; i < item_ids->len; i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, g_array_index (item_ids, gint64, i));
      if (sqlite3_step (stmt) == SQLITE_ROW)
        g_ptr_array_add (rows, read_item_row (stmt));
    }
  sqlite3_reset (stmt);
  return rows;
}
