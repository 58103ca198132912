/* vetter-store-batches.c: batches and the queue of items to process
 *
 * A batch is one dropped CSV, one drop of images, or the ads pulled from
 * the shared database; adding the same input again finds its batch. An
 * item is claimed for a worker by setting it processing, and one left
 * processing when the last run stopped is queued again on the next.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-store"

#include "config.h"

#include <string.h>

#include "vetter-enum-types.h"
#include "vetter-error.h"
#include "vetter-store-private.h"

gint64
vetter_store_find_batch (VetterStore *self,
                         const char  *key)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT id FROM batch WHERE key = ?", NULL);
  gint64 id = 0;

  if (stmt == NULL)
    return 0;
  vetter_store_bind_text (stmt, 1, key);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return id;
}

char *
vetter_store_strv_to_json (const char * const *strv)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; strv && strv[i]; i++)
    json_builder_add_string_value (builder, strv[i]);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

GStrv
vetter_store_strv_from_json (const char *text)
{
  g_autoptr(JsonNode) node = text ? json_from_string (text, NULL) : NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return g_strv_builder_end (builder);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_strv_builder_add (builder, json_array_get_string_element (array, i));
  return g_strv_builder_end (builder);
}

/* Items @from to @to (not included) of @batch, inside the caller's
 * transaction: read from its input now, when it is read in parts. Returns
 * where they ended (sooner when the input did), or -1. */
static gint64
insert_items (VetterStore        *self,
              gint64              batch_id,
              VetterIntakeBatch  *batch,
              guint               from,
              guint               to,
              gint64              t,
              GError            **error)
{
  sqlite3_stmt *stmt;

  if (!vetter_intake_batch_load (batch, from, to, error))
    return -1;
  to = MIN (to, batch->first + batch->items->len);
  for (guint i = from; i < to; i++)
    {
      const VetterIntakeItem *item = g_ptr_array_index (batch->items, i - batch->first);
      g_autofree char *cells = item->cells ? vetter_store_strv_to_json ((const char * const *) item->cells) : NULL;
      gint64 item_id;

      g_autofree char *uid = item->uid ? g_strdup (item->uid) : vetter_store_make_uid (batch->key, item->row);

      stmt = vetter_store_prepare (self,
                      "INSERT INTO item (batch_id, row, line, serial, title, email, description, category,"
                      " cells, status, error, created, updated, uid, step)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      error);
      if (stmt == NULL)
        return -1;
      sqlite3_bind_int64 (stmt, 1, batch_id);
      sqlite3_bind_int (stmt, 2, (int) item->row);
      sqlite3_bind_int (stmt, 3, (int) item->line);
      vetter_store_bind_text (stmt, 4, item->serial);
      vetter_store_bind_text (stmt, 5, item->title);
      vetter_store_bind_text (stmt, 6, item->email);
      vetter_store_bind_text (stmt, 7, item->description);
      vetter_store_bind_text (stmt, 8, item->category);
      vetter_store_bind_text (stmt, 9, cells);
      vetter_store_bind_text (stmt, 10, item->error ? "failed" : "queued");
      vetter_store_bind_text (stmt, 11, item->error);
      sqlite3_bind_int64 (stmt, 12, t);
      sqlite3_bind_int64 (stmt, 13, t);
      vetter_store_bind_text (stmt, 14, uid);
      vetter_store_bind_text (stmt, 15, batch->shared && item->error == NULL ? VETTER_STORE_TEAM_STEP : NULL);
      if (!vetter_store_step_done (self, stmt, error))
        return -1;
      item_id = sqlite3_last_insert_rowid (self->db);

      for (guint k = 0; k < item->sources->len; k++)
        {
          const char *source = g_ptr_array_index (item->sources, k);
          g_autofree char *location = vetter_intake_resolve (batch->base_dir, source);

          stmt = vetter_store_prepare (self, "INSERT INTO image (item_id, position, source, location) VALUES (?, ?, ?, ?)", error);
          if (stmt == NULL)
            return -1;
          sqlite3_bind_int64 (stmt, 1, item_id);
          sqlite3_bind_int (stmt, 2, (int) k + 1);
          vetter_store_bind_text (stmt, 3, source);
          vetter_store_bind_text (stmt, 4, location);
          if (!vetter_store_step_done (self, stmt, error))
            return -1;
        }
      /* The team's to process: its ad and work go to the shared database,
       * its local images to the bucket first, for any machine to fetch. */
      if (batch->shared && item->error == NULL && !vetter_store_work_share_item (self, item_id, error))
        return -1;
    }

  return to;
}

/* Records where a batch's items now end: still filling, or whole (with
 * its total, which an input cut short since it was counted lowers). */
static gboolean
set_filled_to (VetterStore              *self,
               gint64                    batch_id,
               const VetterIntakeBatch  *batch,
               gint64                    to,
               GError                  **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "UPDATE batch SET filling = ?, total = ? WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, to < batch->total);
  sqlite3_bind_int64 (stmt, 2, to < batch->total ? batch->total : to);
  sqlite3_bind_int64 (stmt, 3, batch_id);
  return vetter_store_step_done (self, stmt, error);
}

gint64
vetter_store_add_batch_part (VetterStore         *self,
                             VetterIntakeBatch   *batch,
                             const char          *output_dir,
                             const char          *callback_url,
                             guint                n_rows,
                             GError             **error)
{
  g_autofree char *header = batch->header ? vetter_store_strv_to_json ((const char * const *) batch->header) : NULL;
  sqlite3_stmt *stmt;
  gint64 batch_id;
  gint64 t = vetter_store_now ();
  gint64 to;

  if (!vetter_store_begin (self, error))
    return 0;

  stmt = vetter_store_prepare (self,
                  "INSERT INTO batch (key, source, kind, created, total, stem, base_dir, header, output_dir, callback_url,"
                  " filling) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)", error);
  if (stmt == NULL)
    goto fail;
  vetter_store_bind_text (stmt, 1, batch->key);
  vetter_store_bind_text (stmt, 2, batch->source);
  vetter_store_bind_text (stmt, 3, vetter_batch_kind_to_string (batch->kind));
  sqlite3_bind_int64 (stmt, 4, t);
  sqlite3_bind_int64 (stmt, 5, batch->total);
  vetter_store_bind_text (stmt, 6, batch->stem);
  vetter_store_bind_text (stmt, 7, batch->base_dir);
  vetter_store_bind_text (stmt, 8, header);
  vetter_store_bind_text (stmt, 9, output_dir);
  vetter_store_bind_text (stmt, 10, callback_url);
  if (!vetter_store_step_done (self, stmt, error))
    goto fail;
  batch_id = sqlite3_last_insert_rowid (self->db);
  to = insert_items (self, batch_id, batch, 0, MIN (n_rows, batch->total), t, error);
  if (to < 0 || !set_filled_to (self, batch_id, batch, to, error) || !vetter_store_commit (self, error))
    goto fail;
  return batch_id;

fail:
  vetter_store_rollback (self);
  return 0;
}

gint64
vetter_store_add_batch (VetterStore         *self,
                        VetterIntakeBatch   *batch,
                        const char          *output_dir,
                        const char          *callback_url,
                        GError             **error)
{
  return vetter_store_add_batch_part (self, batch, output_dir, callback_url, G_MAXUINT, error);
}

gint64
vetter_store_fill_batch (VetterStore         *self,
                         gint64               batch_id,
                         VetterIntakeBatch   *batch,
                         guint                n_rows,
                         GError             **error)
{
  g_autoptr(GError) local_error = NULL;
  sqlite3_stmt *stmt;
  gint64 from = 0;
  gint64 to;

  if (!vetter_store_begin (self, error))
    return -1;
  /* Parts are whole transactions: what is there is the first rows. */
  stmt = vetter_store_prepare (self, "SELECT count(*) FROM item WHERE batch_id = ?", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, batch_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    from = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  from = MIN (from, (gint64) batch->total);
  to = insert_items (self, batch_id, batch, (guint) from, (guint) MIN ((guint64) from + n_rows, batch->total),
                     vetter_store_now (), &local_error);
  if (to < 0 || !set_filled_to (self, batch_id, batch, to, &local_error) || !vetter_store_commit (self, &local_error))
    goto fail;
  return batch->total - to;

fail:
  vetter_store_rollback (self);
  if (local_error == NULL || !g_error_matches (local_error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT))
    {
      if (local_error)
        g_propagate_error (error, g_steal_pointer (&local_error));
      return -1;
    }
  /* Rows that cannot be read are not waited for: the batch is what went
   * in, and @error says where the input stopped. */
  g_propagate_error (error, g_steal_pointer (&local_error));
  batch->total = (guint) from;
  if (vetter_store_begin (self, NULL))
    {
      if (set_filled_to (self, batch_id, batch, from, NULL))
        vetter_store_commit (self, NULL);
      else
        vetter_store_rollback (self);
    }
  return -1;
}

gboolean
vetter_store_batch_filling (VetterStore *self,
                            gint64       batch_id)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT filling FROM batch WHERE id = ?", NULL);
  gboolean filling = FALSE;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, batch_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    filling = sqlite3_column_int (stmt, 0) != 0;
  sqlite3_reset (stmt);
  return filling;
}

gboolean
vetter_store_update_batch_output (VetterStore  *self,
                                  gint64        batch_id,
                                  const char   *output_dir,
                                  GError      **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "UPDATE batch SET output_dir = ? WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  vetter_store_bind_text (stmt, 1, output_dir);
  sqlite3_bind_int64 (stmt, 2, batch_id);
  return vetter_store_step_done (self, stmt, error);
}

/* A rerun's --callback: the batch's callback goes to @url from now on. When
 * the batch is done already, its callback is due again, to the new
 * address (the outbox sends a done one again only if it changed). Returns
 * whether it changed; @previous: (out) (transfer full) (nullable): the
 * address before. */
gboolean
vetter_store_update_batch_callback (VetterStore  *self,
                                    gint64        batch_id,
                                    const char   *url,
                                    char        **previous,
                                    GError      **error)
{
  g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT, batch_id);
  g_autofree char *before = vetter_store_lookup_text (self, "SELECT callback_url FROM batch WHERE id = CAST (? AS INTEGER)",
                                                      key);
  sqlite3_stmt *stmt;

  *previous = NULL;
  if (url == NULL || g_strcmp0 (before, url) == 0)
    return FALSE;
  stmt = vetter_store_prepare (self, "UPDATE batch SET callback_url = ? WHERE id = ?", error);
  if (stmt == NULL || !vetter_store_begin (self, error))
    return FALSE;
  vetter_store_bind_text (stmt, 1, url);
  sqlite3_bind_int64 (stmt, 2, batch_id);
  if (!vetter_store_step_done (self, stmt, error) ||
      (vetter_store_get_batch_state (self, batch_id) == VETTER_BATCH_DONE &&
       !vetter_store_effects_webhook (self, batch_id, error)) ||
      !vetter_store_commit (self, error))
    {
      vetter_store_rollback (self);
      return FALSE;
    }
  *previous = g_steal_pointer (&before);
  return TRUE;
}

/* Work that was in flight when the last run ended without putting it back
 * (a clean stop does, see vetter_store_put_back_in_flight) is redone. If
 * that run crashed, what its workers had begun (the crash mark names the
 * items) is suspect, and an item that was in a worker at two crashes
 * fails, alone, and the batch goes on: an image that crashes Vetter would
 * crash every rerun. A stop from outside (kill -9, a power cut) casts no
 * suspicion. Returns how many items are redone. */
guint
vetter_store_requeue_interrupted (VetterStore  *self,
                                  GError      **error)
{
  sqlite3_stmt *count = vetter_store_prepare (self,
                                              "UPDATE item SET interruptions = interruptions + 1"
                                              " WHERE id = ? AND status = 'processing'", error);
  sqlite3_stmt *set_aside = vetter_store_prepare (self,
                                                  "UPDATE item SET status = 'failed', step = NULL,"
                                                  " error = 'processing this image crashed Vetter twice; it is set aside'"
                                                  " WHERE status = 'processing' AND interruptions >= 2", error);
  g_autoptr(GError) local_error = NULL;
  guint requeued;

  if (count == NULL || set_aside == NULL || !vetter_store_begin (self, error))
    return 0;
  for (guint i = 0; self->crashed_before && self->crashed_items && i < self->crashed_items->len; i++)
    {
      sqlite3_bind_int64 (count, 1, g_array_index (self->crashed_items, gint64, i));
      if (!vetter_store_step_done (self, count, error))
        {
          vetter_store_rollback (self);
          return 0;
        }
    }
  if (!vetter_store_step_done (self, set_aside, error))
    {
      vetter_store_rollback (self);
      return 0;
    }
  requeued = vetter_store_put_back_in_flight (self, &local_error);
  if (local_error || !vetter_store_commit (self, error))
    {
      if (local_error)
        g_propagate_error (error, g_steal_pointer (&local_error));
      vetter_store_rollback (self);
      return 0;
    }
  self->crashed_before = FALSE;
  g_clear_pointer (&self->crashed_items, g_array_unref);
  return requeued;
}

/* On a clean stop: the items taken but not finished go back to the queue,
 * as if never taken. Returns how many. */
guint
vetter_store_put_back_in_flight (VetterStore  *self,
                                 GError      **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "UPDATE item SET status = 'queued', step = NULL WHERE status = 'processing'", error);

  if (stmt == NULL || !vetter_store_step_done (self, stmt, error))
    return 0;
  return (guint) sqlite3_changes (self->db);
}

gboolean
vetter_store_claim_item (VetterStore  *self,
                         gint64       *item_id,
                         gint64       *batch_id,
                         GPtrArray   **jobs,
                         GError      **error)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_image_job_free);
  g_autofree char *output_dir = NULL;
  sqlite3_stmt *stmt;

  *jobs = NULL;
  /* Items that were in a worker when Vetter crashed are taken after all
   * the others: if one of them crashes it again, everything else is done. */
  stmt = vetter_store_prepare (self,
                  "SELECT item.id, item.batch_id, batch.output_dir FROM item JOIN batch ON batch.id = item.batch_id"
                  " WHERE item.status = 'queued' AND batch.state = 'running' AND (item.interruptions > 0) = ?"
                  " AND item.step IS NOT '" VETTER_STORE_TEAM_STEP "'"
                  " ORDER BY item.id LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  for (int suspects = 0;; suspects++)
    {
      sqlite3_bind_int (stmt, 1, suspects);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        break;
      sqlite3_reset (stmt);
      if (suspects == 1)
        return FALSE;
    }
  *item_id = sqlite3_column_int64 (stmt, 0);
  *batch_id = sqlite3_column_int64 (stmt, 1);
  output_dir = g_strdup (vetter_store_column_text (stmt, 2));
  sqlite3_reset (stmt);

  stmt = vetter_store_prepare (self, "UPDATE item SET status = 'processing', updated = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, vetter_store_now ());
  sqlite3_bind_int64 (stmt, 2, *item_id);
  if (!vetter_store_step_done (self, stmt, error))
    return FALSE;

  stmt = vetter_store_prepare (self, "SELECT id, position, location FROM image WHERE item_id = ? ORDER BY position", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, *item_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      VetterImageJob *job = g_new0 (VetterImageJob, 1);

      job->image_id = sqlite3_column_int64 (stmt, 0);
      job->item_id = *item_id;
      job->position = sqlite3_column_int (stmt, 1);
      job->location = g_strdup (vetter_store_column_text (stmt, 2));
      job->output_dir = g_strdup (output_dir);
      g_ptr_array_add (found, job);
    }
  sqlite3_reset (stmt);
  *jobs = g_steal_pointer (&found);
  return TRUE;
}

/* ---- Items and batches as they are --------------------------------------- */

gboolean
vetter_store_item_status (VetterStore   *self,
                          gint64         item_id,
                          VetterStatus  *status,
                          gint64        *batch_id,
                          GError       **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT status, batch_id FROM item WHERE id = ?", error);
  gboolean found;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, item_id);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  if (found)
    {
      *status = vetter_status_from_string (vetter_store_column_text (stmt, 0));
      if (batch_id)
        *batch_id = sqlite3_column_int64 (stmt, 1);
    }
  else
    g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE, "there is no item %" G_GINT64_FORMAT, item_id);
  sqlite3_reset (stmt);
  return found;
}

gint64
vetter_store_item_batch (VetterStore *self,
                         gint64       item_id)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT batch_id FROM item WHERE id = ?", NULL);
  gint64 batch_id = 0;

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, item_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    batch_id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return batch_id;
}

/* ---- Batch state ---------------------------------------------------------- */

gboolean
vetter_store_batch_counts (VetterStore        *self,
                           gint64              batch_id,
                           VetterBatchCounts  *counts,
                           GError            **error)
{
  /* Kept by triggers as items change (schema 9): as cheap at any size. */
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT status, n FROM batch_status WHERE batch_id = ?", error);

  memset (counts, 0, sizeof *counts);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, batch_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 n = sqlite3_column_int64 (stmt, 1);

      switch (vetter_status_from_string (vetter_store_column_text (stmt, 0)))
        {
        case VETTER_STATUS_QUEUED: counts->queued = n; break;
        case VETTER_STATUS_PROCESSING: counts->processing = n; break;
        case VETTER_STATUS_NEEDS_REVIEW: counts->needs_review = n; break;
        case VETTER_STATUS_APPROVED: counts->approved = n; break;
        case VETTER_STATUS_REJECTED: counts->rejected = n; break;
        case VETTER_STATUS_FAILED: counts->failed = n; break;
        default: break;
        }
      counts->total += n;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

VetterBatchDetail *
vetter_store_batch_detail (VetterStore  *self,
                           gint64        batch_id,
                           GError      **error)
{
  g_autoptr(VetterBatchDetail) detail = g_new0 (VetterBatchDetail, 1);
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "SELECT source, kind, state, created, coalesce (finished, 0), output_csv,"
                                             " callback_url FROM batch WHERE id = ?", error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, batch_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE, "there is no batch %" G_GINT64_FORMAT, batch_id);
      return NULL;
    }
  detail->info.id = batch_id;
  detail->info.source = g_strdup (vetter_store_column_text (stmt, 0));
  vetter_enum_from_string (VETTER_TYPE_BATCH_KIND, vetter_store_column_text (stmt, 1), (int *) &detail->info.kind);
  detail->info.state = vetter_batch_state_from_string (vetter_store_column_text (stmt, 2));
  detail->info.created = sqlite3_column_int64 (stmt, 3);
  detail->finished = sqlite3_column_int64 (stmt, 4);
  detail->output_csv = g_strdup (vetter_store_column_text (stmt, 5));
  detail->callback_url = g_strdup (vetter_store_column_text (stmt, 6));
  sqlite3_reset (stmt);
  if (!vetter_store_batch_counts (self, batch_id, &detail->counts, error))
    return NULL;
  stmt = vetter_store_prepare (self,
                               "SELECT state, attempts, last_error FROM outbox WHERE batch_id = ? AND kind = 'webhook'"
                               " ORDER BY id DESC LIMIT 1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, batch_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      detail->callback_state = g_strdup (vetter_store_column_text (stmt, 0));
      detail->callback_attempts = sqlite3_column_int (stmt, 1);
      detail->callback_error = g_strdup (vetter_store_column_text (stmt, 2));
    }
  sqlite3_reset (stmt);
  return g_steal_pointer (&detail);
}

gboolean
vetter_store_set_batch_state (VetterStore       *self,
                              gint64             batch_id,
                              VetterBatchState   state,
                              GError           **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                "UPDATE batch SET state = ?,"
                                " finished = CASE WHEN ? = 'done' THEN ? ELSE NULL END WHERE id = ?", error);

  if (stmt == NULL || !vetter_store_begin (self, error))
    return FALSE;
  vetter_store_bind_text (stmt, 1, vetter_batch_state_to_string (state));
  vetter_store_bind_text (stmt, 2, vetter_batch_state_to_string (state));
  sqlite3_bind_int64 (stmt, 3, vetter_store_now ());
  sqlite3_bind_int64 (stmt, 4, batch_id);
  /* A finished batch's callback is due in the same breath. */
  if (!vetter_store_step_done (self, stmt, error) ||
      (state == VETTER_BATCH_DONE && !vetter_store_effects_webhook (self, batch_id, error)) ||
      !vetter_store_commit (self, error))
    {
      vetter_store_rollback (self);
      return FALSE;
    }
  return TRUE;
}

guint
vetter_store_retry_failed (VetterStore  *self,
                           gint64        batch_id,
                           GError      **error)
{
  /* A row that could not be read will not read better the second time. */
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                "UPDATE item SET status = 'queued', error = NULL, interruptions = 0, updated = ?"
                                " WHERE batch_id = ? AND status = 'failed'"
                                " AND EXISTS (SELECT 1 FROM image WHERE image.item_id = item.id)", error);

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, vetter_store_now ());
  sqlite3_bind_int64 (stmt, 2, batch_id);
  if (!vetter_store_step_done (self, stmt, error))
    return 0;
  return (guint) sqlite3_changes (self->db);
}

GArray *
vetter_store_retry_items (VetterStore   *self,
                          const gint64  *item_ids,
                          guint          n_items,
                          gboolean       decided_too,
                          const char    *actor,
                          guint         *retried,
                          GError       **error)
{
  g_autoptr(GArray) batches = g_array_new (FALSE, FALSE, sizeof (gint64));
  const char *action = decided_too ? "process again" : "retry";
  sqlite3_stmt *stmt;

  *retried = 0;
  if (!vetter_store_begin (self, error))
    return NULL;
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(VetterChanges) changes = vetter_changes_new ();
      g_autofree char *status = NULL;
      gint64 batch_id = 0;
      gboolean known = FALSE;

      /* As for a batch's retry: a row that could not be read has no image.
       * Ads still queued or being processed are already on their way.
       * (Statements are taken from the store's cache each time: holding
       * one across other calls could see it evicted.) */
      stmt = vetter_store_prepare (self,
                                   "SELECT status, batch_id FROM item WHERE id = ?"
                                   " AND status IN ('failed', 'needs_review', 'approved', 'rejected')"
                                   " AND EXISTS (SELECT 1 FROM image WHERE image.item_id = item.id)", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, item_ids[i]);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          status = g_strdup (vetter_store_column_text (stmt, 0));
          batch_id = sqlite3_column_int64 (stmt, 1);
        }
      sqlite3_reset (stmt);
      if (status == NULL || (!decided_too && !g_str_equal (status, "failed")))
        continue;
      stmt = vetter_store_prepare (self,
                                   "UPDATE item SET status = 'queued', error = NULL, interruptions = 0, updated = ?"
                                   " WHERE id = ?", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, vetter_store_now ());
      sqlite3_bind_int64 (stmt, 2, item_ids[i]);
      vetter_changes_add_text (changes, "status", status, "queued");
      if (!vetter_store_step_done (self, stmt, error) ||
          !vetter_store_audit (self, actor, "item", item_ids[i], action, changes, error))
        goto fail;
      for (guint b = 0; b < batches->len && !known; b++)
        known = g_array_index (batches, gint64, b) == batch_id;
      if (!known)
        g_array_append_val (batches, batch_id);
      (*retried)++;
    }
  if (!vetter_store_commit (self, error))
    goto fail;
  return g_steal_pointer (&batches);

fail:
  vetter_store_rollback (self);
  *retried = 0;
  return NULL;
}

/* The newest @limit batches, newest first. */
GPtrArray *
vetter_store_list_batches (VetterStore  *self,
                           guint         limit,
                           GError      **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT id, source, kind, state, created FROM batch ORDER BY id DESC LIMIT ?", error);
  GPtrArray *batches;

  if (stmt == NULL)
    return NULL;
  batches = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_batch_info_free);
  sqlite3_bind_int (stmt, 1, (int) limit);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      VetterBatchInfo *info = g_new0 (VetterBatchInfo, 1);

      info->id = sqlite3_column_int64 (stmt, 0);
      info->source = g_strdup (vetter_store_column_text (stmt, 1));
      vetter_enum_from_string (VETTER_TYPE_BATCH_KIND, vetter_store_column_text (stmt, 2), (int *) &info->kind);
      info->state = vetter_batch_state_from_string (vetter_store_column_text (stmt, 3));
      info->created = sqlite3_column_int64 (stmt, 4);
      g_ptr_array_add (batches, info);
    }
  sqlite3_reset (stmt);
  return batches;
}

/* Batches that were running, with work left, when the last session ended. */
GArray *
vetter_store_unfinished_batches (VetterStore  *self,
                                 GError      **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                "SELECT id FROM batch WHERE state = 'running' AND EXISTS"
                                " (SELECT 1 FROM item WHERE item.batch_id = batch.id AND item.status IN ('queued', 'processing'))",
                                error);
  GArray *ids;

  if (stmt == NULL)
    return NULL;
  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  sqlite3_reset (stmt);
  return ids;
}

VetterBatchState
vetter_store_get_batch_state (VetterStore *self,
                              gint64       batch_id)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, batch_id);
  g_autofree char *state = vetter_store_lookup_text (self, "SELECT state FROM batch WHERE id = CAST (? AS INTEGER)", id);

  return vetter_batch_state_from_string (state);
}
