/* vetter-store-outbox.c: side effects waiting to be sent
 *
 * One row per effect (an upload, a mail, a webhook), keyed by what makes it
 * unique, so writing it twice is writing it once. Rows are added in the
 * transaction of their cause by the other store files; the sender takes
 * due rows and reports back: done, again later, or parked for a person.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-store"

#include "config.h"

#include <string.h>

#include "vetter-error.h"
#include "vetter-store-private.h"

void
vetter_outbox_row_free (VetterOutboxRow *row)
{
  if (row == NULL)
    return;
  g_free (row->kind);
  g_free (row->dedupe_key);
  g_free (row->payload);
  g_free (row->state);
  g_free (row->last_error);
  g_free (row);
}

/* A new effect, or the same one again (made anew by a retried item):
 * then it is due again, from scratch. */
gboolean
vetter_store_outbox_add (VetterStore  *self,
                         const char   *kind,
                         const char   *dedupe_key,
                         const char   *payload,
                         gint64        not_before,
                         GError      **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "INSERT INTO outbox (kind, dedupe_key, payload, next_attempt, created, updated)"
                                             " VALUES (?1, ?2, ?3, ?4, ?5, ?5)"
                                             " ON CONFLICT (dedupe_key) DO UPDATE SET payload = excluded.payload,"
                                             " state = 'pending', attempts = 0, last_error = NULL,"
                                             " next_attempt = excluded.next_attempt,"
                                             " updated = max (excluded.updated, outbox.updated + 1)", error);

  if (stmt == NULL)
    return FALSE;
  vetter_store_bind_text (stmt, 1, kind);
  vetter_store_bind_text (stmt, 2, dedupe_key);
  vetter_store_bind_text (stmt, 3, payload);
  sqlite3_bind_int64 (stmt, 4, not_before);
  sqlite3_bind_int64 (stmt, 5, vetter_store_now ());
  return vetter_store_step_done (self, stmt, error);
}

static VetterOutboxRow *
read_row (sqlite3_stmt *stmt)
{
  VetterOutboxRow *row = g_new0 (VetterOutboxRow, 1);

  row->id = sqlite3_column_int64 (stmt, 0);
  row->kind = g_strdup (vetter_store_column_text (stmt, 1));
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

/* Pending rows due by @now, oldest first, skipping @busy (ids in flight). */
GPtrArray *
vetter_store_outbox_due (VetterStore  *self,
                         gint64        now,
                         guint         limit,
                         GArray       *busy,
                         GError      **error)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_outbox_row_free);
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "SELECT " ROW_COLUMNS " FROM outbox"
                                             " WHERE state = 'pending' AND next_attempt <= ? ORDER BY next_attempt, id LIMIT ?",
                                             error);

  if (stmt == NULL)
    {
      g_ptr_array_unref (rows);
      return NULL;
    }
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_int (stmt, 2, (int) (limit + (busy ? busy->len : 0)));
  while (sqlite3_step (stmt) == SQLITE_ROW && rows->len < limit)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      gboolean in_flight = FALSE;

      for (guint i = 0; busy && i < busy->len && !in_flight; i++)
        in_flight = g_array_index (busy, gint64, i) == id;
      if (!in_flight)
        g_ptr_array_add (rows, read_row (stmt));
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

/* What an upload made public, recorded beside the file it came from. */
gboolean
vetter_store_set_remote_url (VetterStore  *self,
                             const char   *path,
                             const char   *url,
                             GError      **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "UPDATE variant SET remote_url = ? WHERE path = ?", error);

  if (stmt == NULL)
    return FALSE;
  vetter_store_bind_text (stmt, 1, url);
  vetter_store_bind_text (stmt, 2, path);
  return vetter_store_step_done (self, stmt, error);
}

static char *
payload_to_string (JsonBuilder *builder)
{
  g_autoptr(JsonNode) node = json_builder_get_root (builder);

  return json_to_string (node, FALSE);
}

/* The upload of one variant to its deterministic key. */
gboolean
vetter_store_outbox_add_upload (VetterStore  *self,
                                gint64        item_id,
                                int           position,
                                const char   *kind,
                                const char   *path,
                                GError      **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *uid = NULL;
  g_autofree char *key = NULL;
  g_autofree char *dedupe = NULL;
  g_autofree char *payload = NULL;
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT uid FROM item WHERE id = ?", error);

  /* Under the ad's id, which every desktop sharing the bucket agrees on. */
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, item_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    uid = g_strdup (vetter_store_column_text (stmt, 0));
  sqlite3_reset (stmt);
  key = g_strdup_printf ("ads/%s/%d-%s.jpg", uid, position, kind);
  dedupe = g_strconcat ("s3:", key, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "key");
  json_builder_add_string_value (builder, key);
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, path);
  json_builder_set_member_name (builder, "content_type");
  json_builder_add_string_value (builder, "image/jpeg");
  json_builder_end_object (builder);
  payload = payload_to_string (builder);
  return vetter_store_outbox_add (self, "s3_put", dedupe, payload, 0, error);
}

/* The advertiser's mail for a final decision. Its id is fixed by the
 * decision, so a resend after a lost answer is recognisably the same. */
gboolean
vetter_store_outbox_add_mail (VetterStore  *self,
                              gint64        item_id,
                              gint64        decided_at,
                              guint         delay,
                              GError      **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *dedupe = g_strdup_printf ("mail:%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT, item_id, decided_at);
  g_autofree char *message_id = g_strdup_printf ("<vetter-%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "@vetter.invalid>",
                                                 item_id, decided_at);
  g_autofree char *payload = NULL;
  gboolean has_email = FALSE;
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT email IS NOT NULL AND email <> '' FROM item WHERE id = ?", error);

  /* Products have nobody to write to. */
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, item_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    has_email = sqlite3_column_int (stmt, 0) != 0;
  sqlite3_reset (stmt);
  if (!has_email)
    return TRUE;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "item_id");
  json_builder_add_int_value (builder, item_id);
  json_builder_set_member_name (builder, "message_id");
  json_builder_add_string_value (builder, message_id);
  json_builder_end_object (builder);
  payload = payload_to_string (builder);
  return vetter_store_outbox_add (self, "mail", dedupe, payload,
                                  vetter_store_now () + (gint64) delay * G_USEC_PER_SEC, error);
}

/* An undone decision's mail, if it has not gone yet, does not go. */
gboolean
vetter_store_outbox_cancel_mail (VetterStore  *self,
                                 gint64        item_id,
                                 GError      **error)
{
  g_autofree char *pattern = g_strdup_printf ("mail:%" G_GINT64_FORMAT ":%%", item_id);
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "DELETE FROM outbox WHERE kind = 'mail' AND state <> 'done' AND dedupe_key LIKE ?",
                                             error);

  if (stmt == NULL)
    return FALSE;
  vetter_store_bind_text (stmt, 1, pattern);
  return vetter_store_step_done (self, stmt, error);
}

/* The batch's callback, when it has one, once it has finished. */
gboolean
vetter_store_outbox_add_webhook (VetterStore  *self,
                                 gint64        batch_id,
                                 GError      **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *dedupe = g_strdup_printf ("webhook:%" G_GINT64_FORMAT, batch_id);
  g_autofree char *id = g_strdup_printf ("msg_vetter_batch_%" G_GINT64_FORMAT, batch_id);
  g_autofree char *payload = NULL;
  g_autofree char *url = NULL;
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT callback_url FROM batch WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, batch_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    url = g_strdup (vetter_store_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (url == NULL)
    return TRUE;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "batch_id");
  json_builder_add_int_value (builder, batch_id);
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, url);
  json_builder_set_member_name (builder, "webhook_id");
  json_builder_add_string_value (builder, id);
  json_builder_end_object (builder);
  payload = payload_to_string (builder);
  return vetter_store_outbox_add (self, "webhook", dedupe, payload, 0, error);
}
