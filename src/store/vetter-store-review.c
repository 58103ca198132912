/* vetter-store-review.c: what moderators see and decide
 *
 * A decision changes the item and appends to the audit log in one
 * transaction, and hands back what it replaced, so that undo is the same
 * operation in the other direction and is logged like any decision.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-store"

#include "config.h"

#include "vetter-error.h"
#include "vetter-reasons.h"
#include "vetter-store-private.h"

/* ---- Filters and decisions ------------------------------------------------ */

VetterReviewFilter *
vetter_review_filter_new (void)
{
  VetterReviewFilter *filter = g_new0 (VetterReviewFilter, 1);

  filter->status = g_strdup ("needs_review");
  return filter;
}

VetterReviewFilter *
vetter_review_filter_copy (const VetterReviewFilter *filter)
{
  VetterReviewFilter *copy = g_new0 (VetterReviewFilter, 1);

  copy->batch_id = filter->batch_id;
  copy->status = g_strdup (filter->status);
  copy->defect_kind = g_strdup (filter->defect_kind);
  copy->auto_status = g_strdup (filter->auto_status);
  return copy;
}

void
vetter_review_filter_free (VetterReviewFilter *filter)
{
  if (filter == NULL)
    return;
  g_free (filter->status);
  g_free (filter->defect_kind);
  g_free (filter->auto_status);
  g_free (filter);
}

VetterItemDecision *
vetter_item_decision_new_manual (const char *status,
                                 const char *reason_code,
                                 const char *note,
                                 const char *actor)
{
  VetterItemDecision *decision = g_new0 (VetterItemDecision, 1);
  const VetterReason *reason = vetter_reason_lookup (reason_code);

  decision->status = g_strdup (status);
  decision->reason_code = g_strdup (reason_code);
  /* Stored in English words: the log and the sync are read by the whole
   * team; each window translates the code for its own moderator. */
  decision->reason = g_strdup (reason ? reason->label : NULL);
  decision->note = note && *note ? g_strdup (note) : NULL;
  decision->rule = g_strdup ("manual");
  decision->is_auto = FALSE;
  decision->decided_by = g_strdup (actor);
  decision->decided_at = vetter_store_now ();
  return decision;
}

VetterItemDecision *
vetter_item_decision_copy (const VetterItemDecision *decision)
{
  VetterItemDecision *copy = g_new0 (VetterItemDecision, 1);

  copy->status = g_strdup (decision->status);
  copy->reason_code = g_strdup (decision->reason_code);
  copy->reason = g_strdup (decision->reason);
  copy->note = g_strdup (decision->note);
  copy->rule = g_strdup (decision->rule);
  copy->is_auto = decision->is_auto;
  copy->decided_by = g_strdup (decision->decided_by);
  copy->decided_at = decision->decided_at;
  return copy;
}

void
vetter_item_decision_free (VetterItemDecision *decision)
{
  if (decision == NULL)
    return;
  g_free (decision->status);
  g_free (decision->reason_code);
  g_free (decision->reason);
  g_free (decision->note);
  g_free (decision->rule);
  g_free (decision->decided_by);
  g_free (decision);
}

void
vetter_item_row_free (VetterItemRow *row)
{
  if (row == NULL)
    return;
  g_free (row->title);
  g_free (row->status);
  g_free (row->error);
  g_free (row->thumb);
  g_free (row);
}

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
                               "   AND ((status = ?2 AND ?2 <> 'conflict')"
                               "        OR (?2 = 'any' AND status IN ('needs_review', 'approved', 'rejected'))"
                               "        OR (?2 IN ('needs_review', 'conflict') AND conflict IS NOT NULL))"
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
  vetter_store_bind_text (stmt, 2, filter->status ? filter->status : "needs_review");
  vetter_store_bind_text (stmt, 3, filter->defect_kind);
  vetter_store_bind_text (stmt, 4, filter->auto_status);
  sqlite3_bind_int64 (stmt, 5, vetter_store_now ());
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE, "cannot list the items to review (%s)", self->path);
      return NULL;
    }
  return g_steal_pointer (&ids);
}

GPtrArray *
vetter_store_defect_kinds (VetterStore  *self,
                           GError      **error)
{
  GPtrArray *kinds = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT DISTINCT kind FROM defect ORDER BY kind", error);

  if (stmt == NULL)
    {
      g_ptr_array_unref (kinds);
      return NULL;
    }
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (kinds, g_strdup (vetter_store_column_text (stmt, 0)));
  sqlite3_reset (stmt);
  return kinds;
}

/* ---- One item in full ----------------------------------------------------- */

/* The CSV's own columns and this row's cells, side by side. */
static JsonArray *
item_fields (const char *header_json,
             const char *cells_json)
{
  g_autoptr(JsonNode) header = header_json ? json_from_string (header_json, NULL) : NULL;
  g_autoptr(JsonNode) cells = cells_json ? json_from_string (cells_json, NULL) : NULL;
  JsonArray *fields = json_array_new ();
  JsonArray *h, *c;

  if (header == NULL || cells == NULL || !JSON_NODE_HOLDS_ARRAY (header) || !JSON_NODE_HOLDS_ARRAY (cells))
    return fields;
  h = json_node_get_array (header);
  c = json_node_get_array (cells);
  for (guint i = 0; i < json_array_get_length (h); i++)
    {
      JsonObject *field = json_object_new ();

      json_object_set_string_member (field, "name", json_array_get_string_element (h, i));
      json_object_set_string_member (field, "value",
                                     i < json_array_get_length (c) ? json_array_get_string_element (c, i) : "");
      json_array_add_object_element (fields, field);
    }
  return fields;
}

static JsonArray *
item_history (VetterStore *self,
              gint64       item_id)
{
  JsonArray *history = json_array_new ();
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "SELECT actor, time, action, changes FROM audit_log"
                                             " WHERE object_type = 'item' AND object_id = ? ORDER BY time, id", NULL);

  sqlite3_bind_int64 (stmt, 1, item_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonObject *entry = json_object_new ();
      const char *changes = vetter_store_column_text (stmt, 3);
      JsonNode *node = changes ? json_from_string (changes, NULL) : NULL;

      json_object_set_string_member (entry, "actor", vetter_store_column_text (stmt, 0));
      json_object_set_int_member (entry, "time", sqlite3_column_int64 (stmt, 1));
      json_object_set_string_member (entry, "action", vetter_store_column_text (stmt, 2));
      if (node)
        json_object_set_member (entry, "changes", node);
      else
        json_object_set_null_member (entry, "changes");
      json_array_add_object_element (history, entry);
    }
  sqlite3_reset (stmt);
  return history;
}

JsonObject *
vetter_store_item_detail (VetterStore  *self,
                          gint64        item_id,
                          GError      **error)
{
  g_autoptr(JsonObject) item = NULL;
  g_autofree char *header = NULL;
  g_autofree char *cells = NULL;
  JsonObject *decision, *auto_decision;
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

  item = json_object_new ();
  json_object_set_int_member (item, "id", sqlite3_column_int64 (stmt, 0));
  json_object_set_int_member (item, "batch_id", sqlite3_column_int64 (stmt, 1));
  json_object_set_string_member (item, "batch_source", vetter_store_column_text (stmt, 2));
  json_object_set_int_member (item, "row", sqlite3_column_int (stmt, 3));
  json_object_set_int_member (item, "line", sqlite3_column_int (stmt, 4));
  vetter_store_set_nullable_string (item, "serial", vetter_store_column_text (stmt, 5));
  vetter_store_set_nullable_string (item, "title", vetter_store_column_text (stmt, 6));
  vetter_store_set_nullable_string (item, "email", vetter_store_column_text (stmt, 7));
  vetter_store_set_nullable_string (item, "description", vetter_store_column_text (stmt, 8));
  vetter_store_set_nullable_string (item, "category", vetter_store_column_text (stmt, 9));
  json_object_set_string_member (item, "status", vetter_store_column_text (stmt, 10));
  vetter_store_set_nullable_string (item, "error", vetter_store_column_text (stmt, 11));
  json_object_set_int_member (item, "created", sqlite3_column_int64 (stmt, 24));
  vetter_store_set_nullable_string (item, "uid", vetter_store_column_text (stmt, 25));
  /* Another desktop's decision this one's met in the shared database. */
  {
    const char *conflict = vetter_store_column_text (stmt, 26);
    JsonNode *node = conflict ? json_from_string (conflict, NULL) : NULL;

    if (node)
      json_object_set_member (item, "conflict", node);
    else
      json_object_set_null_member (item, "conflict");
  }
  vetter_store_set_nullable_string (item, "claimed_by", vetter_store_column_text (stmt, 27));

  decision = json_object_new ();
  vetter_store_set_nullable_string (decision, "reason_code", vetter_store_column_text (stmt, 12));
  vetter_store_set_nullable_string (decision, "reason", vetter_store_column_text (stmt, 13));
  vetter_store_set_nullable_string (decision, "note", vetter_store_column_text (stmt, 14));
  vetter_store_set_nullable_string (decision, "rule", vetter_store_column_text (stmt, 15));
  json_object_set_boolean_member (decision, "auto", sqlite3_column_int (stmt, 16) != 0);
  vetter_store_set_nullable_string (decision, "by", vetter_store_column_text (stmt, 17));
  vetter_store_set_nullable_int (decision, "at", stmt, 18);
  json_object_set_object_member (item, "decision", decision);

  auto_decision = json_object_new ();
  vetter_store_set_nullable_string (auto_decision, "status", vetter_store_column_text (stmt, 19));
  vetter_store_set_nullable_string (auto_decision, "reason", vetter_store_column_text (stmt, 20));
  vetter_store_set_nullable_string (auto_decision, "rule", vetter_store_column_text (stmt, 21));
  json_object_set_object_member (item, "auto_decision", auto_decision);

  header = g_strdup (vetter_store_column_text (stmt, 22));
  cells = g_strdup (vetter_store_column_text (stmt, 23));
  sqlite3_reset (stmt);

  json_object_set_array_member (item, "fields", item_fields (header, cells));
  json_object_set_array_member (item, "images", vetter_store_item_images (self, item_id, TRUE));
  json_object_set_array_member (item, "history", item_history (self, item_id));
  return g_steal_pointer (&item);
}

/* ---- Deciding ------------------------------------------------------------- */

static gboolean
is_decidable (const char *status)
{
  return g_strcmp0 (status, "needs_review") == 0 ||
         g_strcmp0 (status, "approved") == 0 ||
         g_strcmp0 (status, "rejected") == 0;
}

static void
add_change (JsonObject *changes,
            const char *field,
            const char *before,
            const char *after)
{
  JsonArray *pair;

  if (g_strcmp0 (before, after) == 0)
    return;
  pair = json_array_new ();
  if (before)
    json_array_add_string_element (pair, before);
  else
    json_array_add_null_element (pair);
  if (after)
    json_array_add_string_element (pair, after);
  else
    json_array_add_null_element (pair);
  json_object_set_array_member (changes, field, pair);
}

static char *
describe_changes (const VetterItemDecision *before,
                  const VetterItemDecision *after)
{
  g_autoptr(JsonObject) changes = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  add_change (changes, "status", before->status, after->status);
  add_change (changes, "reason_code", before->reason_code, after->reason_code);
  add_change (changes, "note", before->note, after->note);
  add_change (changes, "rule", before->rule, after->rule);
  add_change (changes, "decided_by", before->decided_by, after->decided_by);
  json_node_set_object (node, changes);
  return json_to_string (node, FALSE);
}

static VetterItemDecision *
read_decision (VetterStore  *self,
               gint64        item_id,
               gint64       *batch_id,
               GError      **error)
{
  VetterItemDecision *decision;
  sqlite3_stmt *stmt;

  stmt = vetter_store_prepare (self,
                               "SELECT status, reason_code, reason, note, rule, auto, decided_by, decided_at, batch_id"
                               " FROM item WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, item_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE, "there is no item %" G_GINT64_FORMAT, item_id);
      return NULL;
    }
  decision = g_new0 (VetterItemDecision, 1);
  decision->status = g_strdup (vetter_store_column_text (stmt, 0));
  decision->reason_code = g_strdup (vetter_store_column_text (stmt, 1));
  decision->reason = g_strdup (vetter_store_column_text (stmt, 2));
  decision->note = g_strdup (vetter_store_column_text (stmt, 3));
  decision->rule = g_strdup (vetter_store_column_text (stmt, 4));
  decision->is_auto = sqlite3_column_int (stmt, 5) != 0;
  decision->decided_by = g_strdup (vetter_store_column_text (stmt, 6));
  decision->decided_at = sqlite3_column_int64 (stmt, 7);
  *batch_id = sqlite3_column_int64 (stmt, 8);
  sqlite3_reset (stmt);
  return decision;
}

/* Sets @decision on the item and logs it as @action ("decide", "undo")
 * by @actor; *@previous receives what it replaced. With @config set to
 * sync mail, a final decision queues the advertiser's mail (after the
 * configured delay) and an undo takes back one not yet sent. */
gboolean
vetter_store_decide (VetterStore               *self,
                     gint64                     item_id,
                     const VetterItemDecision  *decision,
                     const char                *action,
                     const char                *actor,
                     const VetterConfig        *config,
                     VetterItemDecision       **previous,
                     gint64                    *batch_id,
                     GError                   **error)
{
  g_autoptr(VetterItemDecision) before = NULL;
  g_autofree char *changes = NULL;
  gint64 batch = 0;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (decision != NULL && is_decidable (decision->status), FALSE);

  if (!vetter_store_begin (self, error))
    return FALSE;
  before = read_decision (self, item_id, &batch, error);
  if (before == NULL)
    goto fail;
  if (!is_decidable (before->status))
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE,
                   g_strcmp0 (before->status, "failed") == 0
                     ? "item %" G_GINT64_FORMAT " failed and has nothing to decide on; retry it first"
                     : "item %" G_GINT64_FORMAT " is still being processed",
                   item_id);
      goto fail;
    }

  stmt = vetter_store_prepare (self,
                               "UPDATE item SET status = ?, reason_code = ?, reason = ?, note = ?, rule = ?, auto = ?,"
                               " decided_by = ?, decided_at = ?, updated = ? WHERE id = ?", error);
  if (stmt == NULL)
    goto fail;
  vetter_store_bind_text (stmt, 1, decision->status);
  vetter_store_bind_text (stmt, 2, decision->reason_code);
  vetter_store_bind_text (stmt, 3, decision->reason);
  vetter_store_bind_text (stmt, 4, decision->note);
  vetter_store_bind_text (stmt, 5, decision->rule);
  sqlite3_bind_int (stmt, 6, decision->is_auto ? 1 : 0);
  vetter_store_bind_text (stmt, 7, decision->decided_by);
  sqlite3_bind_int64 (stmt, 8, decision->decided_at);
  sqlite3_bind_int64 (stmt, 9, vetter_store_now ());
  sqlite3_bind_int64 (stmt, 10, item_id);
  if (!vetter_store_step_done (self, stmt, error))
    goto fail;

  changes = describe_changes (before, decision);
  stmt = vetter_store_prepare (self,
                               "INSERT INTO audit_log (actor, time, object_type, object_id, action, changes)"
                               " VALUES (?, ?, 'item', ?, ?, ?)", error);
  if (stmt == NULL)
    goto fail;
  vetter_store_bind_text (stmt, 1, actor);
  sqlite3_bind_int64 (stmt, 2, vetter_store_now ());
  sqlite3_bind_int64 (stmt, 3, item_id);
  vetter_store_bind_text (stmt, 4, action);
  vetter_store_bind_text (stmt, 5, changes);
  if (!vetter_store_step_done (self, stmt, error))
    goto fail;

  if (g_strcmp0 (action, "undo") == 0 && !vetter_store_outbox_cancel_mail (self, item_id, error))
    goto fail;
  /* With a shared database, the mail waits until it takes the decision. */
  if (config && config->sync_couch &&
      !vetter_store_outbox_add_couch_decision (self, item_id, config, config->mail_delay, error))
    goto fail;
  if (g_strcmp0 (action, "undo") != 0 && config && config->sync_mail && !config->sync_couch &&
      (g_strcmp0 (decision->status, "approved") == 0 || g_strcmp0 (decision->status, "rejected") == 0) &&
      !vetter_store_outbox_add_mail (self, item_id, decision->decided_at, config->mail_delay, error))
    goto fail;
  if (!vetter_store_commit (self, error))
    goto fail;

  if (previous)
    *previous = g_steal_pointer (&before);
  if (batch_id)
    *batch_id = batch;
  return TRUE;

fail:
  vetter_store_rollback (self);
  return FALSE;
}

/* ---- A batch's items, a page at a time ------------------------------------ */

GPtrArray *
vetter_store_list_items (VetterStore  *self,
                         gint64        batch_id,
                         guint         offset,
                         guint         limit,
                         GError      **error)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_item_row_free);
  sqlite3_stmt *stmt;

  /* OFFSET walks the (batch_id, row) index: a page deep into a batch of a
   * hundred thousand items still costs well under a millisecond. */
  stmt = vetter_store_prepare (self,
                               "SELECT item.id, item.row, coalesce (item.title, item.serial, image.source),"
                               " item.status, item.error,"
                               " (SELECT path FROM variant WHERE variant.image_id = image.id AND kind = 'thumb')"
                               " FROM item LEFT JOIN image ON image.item_id = item.id AND image.position = 1"
                               " WHERE item.batch_id = ? ORDER BY item.row LIMIT ? OFFSET ?", error);
  if (stmt == NULL)
    {
      g_ptr_array_unref (rows);
      return NULL;
    }
  sqlite3_bind_int64 (stmt, 1, batch_id);
  sqlite3_bind_int (stmt, 2, (int) limit);
  sqlite3_bind_int (stmt, 3, (int) offset);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      VetterItemRow *row = g_new0 (VetterItemRow, 1);

      row->id = sqlite3_column_int64 (stmt, 0);
      row->row = sqlite3_column_int (stmt, 1);
      row->title = g_strdup (vetter_store_column_text (stmt, 2));
      row->status = g_strdup (vetter_store_column_text (stmt, 3));
      row->error = g_strdup (vetter_store_column_text (stmt, 4));
      row->thumb = g_strdup (vetter_store_column_text (stmt, 5));
      g_ptr_array_add (rows, row);
    }
  sqlite3_reset (stmt);
  return rows;
}
