/* vetter-store-outbox.c: side effects waiting to be sent
 *
 * One row per effect (an upload, a mail, a webhook, a document), keyed by
 * what makes it unique, so writing it twice is writing it once. Rows are
 * added in the transaction of their cause (vetter-store-effects.c); the
 * sender takes due rows and reports back: done, again later, or parked
 * for a person.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-store"

#include "config.h"

#include <string.h>

#include "vetter-error.h"
#include "vetter-store-private.h"

/* A new effect, or the same one again (made anew by a retried item, a
 * rerun, a changed decision): then it is due again, from scratch. What
 * reaches a person is not repeated once done: a mail never (its key names
 * the one decision it tells of), a callback only when what it says has
 * changed. Uploads and documents always go again: their payload names
 * what to send, read when it is sent, and sending it twice is harmless. */
gboolean
vetter_store_outbox_add (VetterStore       *self,
                         VetterOutboxKind   kind,
                         const char        *dedupe_key,
                         const char        *payload,
                         gint64             batch_id,
                         gint64             not_before,
                         GError           **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "INSERT INTO outbox (kind, dedupe_key, payload, next_attempt, created, updated,"
                                             " batch_id) VALUES (?1, ?2, ?3, ?4, ?5, ?5, nullif (?6, 0))"
                                             " ON CONFLICT (dedupe_key) DO UPDATE SET payload = excluded.payload,"
                                             " state = 'pending', attempts = 0, last_error = NULL,"
                                             " next_attempt = excluded.next_attempt,"
                                             " updated = max (excluded.updated, outbox.updated + 1)"
                                             " WHERE outbox.state <> 'done'"
                                             "    OR outbox.kind NOT IN ('mail', 'webhook')"
                                             "    OR (outbox.kind = 'webhook' AND outbox.payload IS NOT excluded.payload)",
                                             error);

  if (stmt == NULL)
    return FALSE;
  vetter_store_bind_text (stmt, 1, vetter_outbox_kind_to_string (kind));
  vetter_store_bind_text (stmt, 2, dedupe_key);
  vetter_store_bind_text (stmt, 3, payload);
  sqlite3_bind_int64 (stmt, 4, not_before);
  sqlite3_bind_int64 (stmt, 5, vetter_store_now ());
  sqlite3_bind_int64 (stmt, 6, batch_id);
  return vetter_store_step_done (self, stmt, error);
}

static VetterOutboxRow *
read_row (sqlite3_stmt *stmt)
{
  VetterOutboxRow *row = g_new0 (VetterOutboxRow, 1);

  row->id = sqlite3_column_int64 (stmt, 0);
  vetter_outbox_kind_from_string (vetter_store_column_text (stmt, 1), &row->kind);
  row->dedupe_key = g_strdup (vetter_store_column_text (stmt, 2));
  row->payload = g_strdup (vetter_store_column_text (stmt, 3));
  row->state = g_strdup (vetter_store_column_text (stmt, 4));
  row->attempts = sqlite3_column_int (stmt, 5);
  row->next_attempt = sqlite3_column_int64 (stmt, 6);
  row->last_error = g_strdup (vetter_store_column_text (stmt, 7));
  row->updated = sqlite3_column_int64 (stmt, 8);
  return row;
}

#define ROW_COLUMNS "id, kind, dedupe_key, payload, state, attempts, next_attempt, last_error, updated"

GPtrArray *
vetter_store_outbox_due (VetterStore  *self,
                         gint64        now,
                         guint         limit,
                         GArray       *busy,
                         gint64       *next_due,
                         GError      **error)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_outbox_row_free);
  guint n_busy = busy ? busy->len : 0;
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "SELECT " ROW_COLUMNS " FROM outbox"
                                             " WHERE state = 'pending' ORDER BY next_attempt, id LIMIT ?",
                                             error);

  if (next_due)
    *next_due = 0;
  if (stmt == NULL)
    {
      g_ptr_array_unref (rows);
      return NULL;
    }
  /* Enough to skip every row in flight and still see the next one due
   * after those taken. */
  sqlite3_bind_int (stmt, 1, (int) (limit + n_busy + 1));
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      gint64 when = sqlite3_column_int64 (stmt, 6);
      gboolean in_flight = FALSE;

      for (guint i = 0; i < n_busy && !in_flight; i++)
        in_flight = g_array_index (busy, gint64, i) == id;
      if (in_flight)
        continue;
      if (when <= now && rows->len < limit)
        g_ptr_array_add (rows, read_row (stmt));
      else
        {
          /* The first row not taken: when to look again. */
          if (next_due)
            *next_due = MAX (when, now + 1);
          break;
        }
    }
  sqlite3_reset (stmt);
  return rows;
}

GPtrArray *
vetter_store_outbox_list (VetterStore  *self,
                          const char   *state,
                          guint         limit,
                          GError      **error)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_outbox_row_free);
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "SELECT " ROW_COLUMNS " FROM outbox WHERE state = ? ORDER BY updated DESC, id DESC LIMIT ?",
                                             error);

  if (stmt == NULL)
    {
      g_ptr_array_unref (rows);
      return NULL;
    }
  vetter_store_bind_text (stmt, 1, state);
  sqlite3_bind_int (stmt, 2, (int) limit);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (rows, read_row (stmt));
  sqlite3_reset (stmt);
  return rows;
}

/* Done, another attempt at @next_attempt, parked, or (a person's retry
 * of a parked row) due again with its count of attempts started afresh.
 * @seen is the row's "updated" when it was taken: a row written anew
 * since (a decision changed while the old one was on its way) keeps its
 * new due state, and the stale attempt's outcome is dropped. */
gboolean
vetter_store_outbox_report (VetterStore        *self,
                            gint64              id,
                            gint64              seen,
                            VetterOutboxResult  result,
                            gint64              next_attempt,
                            const char         *error_text,
                            GError            **error)
{
  static const char *states[] = { "done", "pending", "parked", "pending", "pending" };
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "UPDATE outbox SET state = ?1,"
                                             " attempts = CASE ?2 WHEN 1 THEN 0 WHEN 2 THEN attempts ELSE attempts + 1 END,"
                                             " next_attempt = ?3, last_error = ?4, updated = ?5 WHERE id = ?6 AND updated = ?7",
                                             error);

  if (stmt == NULL)
    return FALSE;
  vetter_store_bind_text (stmt, 1, states[result]);
  sqlite3_bind_int (stmt, 2, result == VETTER_OUTBOX_UNPARK ? 1 : result == VETTER_OUTBOX_DEFER ? 2 : 0);
  sqlite3_bind_int64 (stmt, 3, next_attempt);
  vetter_store_bind_text (stmt, 4, result == VETTER_OUTBOX_DONE || result == VETTER_OUTBOX_UNPARK ? NULL : error_text);
  /* Never the same "updated" twice in a row's life, so @seen stays exact. */
  sqlite3_bind_int64 (stmt, 5, MAX (vetter_store_now (), seen + 1));
  sqlite3_bind_int64 (stmt, 6, id);
  sqlite3_bind_int64 (stmt, 7, seen);
  return vetter_store_step_done (self, stmt, error);
}

gboolean
vetter_store_outbox_counts (VetterStore        *self,
                            VetterOutboxCounts *counts,
                            GError            **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "SELECT state, count(*), min(CASE WHEN state = 'pending' THEN next_attempt END)"
                                             " FROM outbox GROUP BY state", error);

  memset (counts, 0, sizeof *counts);
  if (stmt == NULL)
    return FALSE;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *state = vetter_store_column_text (stmt, 0);
      gint64 n = sqlite3_column_int64 (stmt, 1);

      if (g_strcmp0 (state, "pending") == 0)
        {
          counts->pending = n;
          counts->next_due = sqlite3_column_int64 (stmt, 2);
        }
      else if (g_strcmp0 (state, "parked") == 0)
        counts->parked = n;
      else
        counts->done = n;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

/* The batch of the variant at @path, when its last upload is in and it has
 * finished: its output CSV is written again, naming the uploaded copies. */
static gboolean
rewrite_csv_when_uploaded (VetterStore  *self,
                           const char   *path,
                           GError      **error)
{
  g_autofree char *output = NULL;
  g_autoptr(GError) local_error = NULL;
  gint64 batch_id = 0;
  gboolean ready = FALSE;
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "SELECT batch.id, batch.state = 'done' AND NOT EXISTS (SELECT 1 FROM outbox"
                                             "   WHERE outbox.batch_id = batch.id AND outbox.kind = 's3_put'"
                                             "   AND outbox.state = 'pending')"
                                             " FROM variant JOIN image ON image.id = variant.image_id"
                                             " JOIN item ON item.id = image.item_id JOIN batch ON batch.id = item.batch_id"
                                             " WHERE variant.path = ?", error);

  if (stmt == NULL)
    return FALSE;
  vetter_store_bind_text (stmt, 1, path);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      batch_id = sqlite3_column_int64 (stmt, 0);
      ready = sqlite3_column_int (stmt, 1) != 0;
    }
  sqlite3_reset (stmt);
  if (!ready)
    return TRUE;
  output = vetter_store_write_output_csv (self, batch_id, &local_error);
  if (local_error)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

gboolean
vetter_store_upload_done (VetterStore  *self,
                          const char   *path,
                          const char   *url,
                          GError      **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "UPDATE variant SET remote_url = ? WHERE path = ?", error);

  if (stmt == NULL)
    return FALSE;
  vetter_store_bind_text (stmt, 1, url);
  vetter_store_bind_text (stmt, 2, path);
  if (!vetter_store_step_done (self, stmt, error))
    return FALSE;
  /* An original uploaded for the team: any machine fetches it there. */
  stmt = vetter_store_prepare (self, "UPDATE image SET remote_url = ? WHERE location = ? AND item_id IN"
                                     " (SELECT id FROM item WHERE step = '" VETTER_STORE_TEAM_STEP "')", error);
  if (stmt == NULL)
    return FALSE;
  vetter_store_bind_text (stmt, 1, url);
  vetter_store_bind_text (stmt, 2, path);
  return vetter_store_step_done (self, stmt, error) && rewrite_csv_when_uploaded (self, path, error);
}

gint64
vetter_store_outbox_try_again (VetterStore   *self,
                               const gint64  *ids,
                               guint          n_ids,
                               GError       **error)
{
  sqlite3_stmt *stmt;
  gint64 now = vetter_store_now ();
  gint64 changed = 0;

  if (!vetter_store_begin (self, error))
    return -1;
  stmt = vetter_store_prepare (self,
                               "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt = ?1,"
                               " updated = max (?1, updated + 1) WHERE id = ?2 AND state = 'parked'", error);
  if (stmt == NULL)
    goto fail;
  for (guint i = 0; i < n_ids; i++)
    {
      sqlite3_bind_int64 (stmt, 1, now);
      sqlite3_bind_int64 (stmt, 2, ids[i]);
      if (!vetter_store_step_done (self, stmt, error))
        goto fail;
      changed += sqlite3_changes (self->db);
    }
  if (!vetter_store_commit (self, error))
    goto fail;
  return changed;

fail:
  vetter_store_rollback (self);
  return -1;
}
