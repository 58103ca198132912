/* vetter-store-bulk.c: one decision on many ads, and taking it back
 *
 * Every ad goes through the one decision path (audited, its effects in
 * the outbox), all in one transaction: a thousand ads decided are a
 * thousand decisions or none. One more audit row says what the person
 * did as a whole. A field edited across many ads goes the same way.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-store"

#include "config.h"

#include "vetter-error.h"
#include "vetter-json.h"
#include "vetter-store-private.h"

static gboolean
audit_bulk (VetterStore  *self,
            const char   *actor,
            const char   *action,
            guint         count,
            GError      **error)
{
  g_autoptr(VetterChanges) changes = vetter_changes_new ();
  g_autofree char *text = g_strdup_printf ("%u", count);

  vetter_changes_add_text (changes, "ads", NULL, text);
  return vetter_store_audit (self, actor, "bulk", 0, action, changes, error);
}

VetterBulkUndo *
vetter_store_decide_many (VetterStore               *self,
                          const gint64              *item_ids,
                          guint                      n_items,
                          const VetterItemDecision  *decision,
                          const char                *actor,
                          const VetterConfig        *config,
                          GError                   **error)
{
  g_autoptr(VetterBulkUndo) undo = g_new0 (VetterBulkUndo, 1);
  g_autofree char *action = g_strdup_printf ("bulk %s", vetter_status_to_string (decision->status));

  g_return_val_if_fail (decision != NULL && vetter_status_is_decidable (decision->status), NULL);

  undo->item_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  undo->previous = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_item_decision_free);
  undo->action = g_strdup (action);
  if (!vetter_store_begin (self, error))
    return NULL;
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(VetterItemDecision) now = vetter_store_read_decision (self, item_ids[i], NULL, NULL);
      VetterItemDecision *previous = NULL;

      /* Still being processed, or failed: there is nothing to decide yet. */
      if (now == NULL || !vetter_status_is_decidable (now->status))
        {
          undo->skipped++;
          continue;
        }
      if (!vetter_store_write_decision (self, item_ids[i], decision, VETTER_ORIGIN_PERSON, "decide", actor, config,
                                        &previous, error))
        goto fail;
      g_array_append_val (undo->item_ids, item_ids[i]);
      g_ptr_array_add (undo->previous, previous);
    }
  if (!audit_bulk (self, actor, action, undo->item_ids->len, error) || !vetter_store_commit (self, error))
    goto fail;
  return g_steal_pointer (&undo);

fail:
  vetter_store_rollback (self);
  return NULL;
}

gboolean
vetter_store_undo_many (VetterStore          *self,
                        const VetterBulkUndo *undo,
                        const char           *actor,
                        const VetterConfig   *config,
                        GError              **error)
{
  g_autofree char *action = g_strdup_printf ("undo %s", undo->action);

  if (!vetter_store_begin (self, error))
    return FALSE;
  for (guint i = 0; i < undo->item_ids->len; i++)
    {
      const VetterItemDecision *previous = g_ptr_array_index (undo->previous, i);

      if (!vetter_store_write_decision (self, g_array_index (undo->item_ids, gint64, i), previous, VETTER_ORIGIN_UNDO,
                                        "undo", actor, config, NULL, error))
        goto fail;
    }
  if (!audit_bulk (self, actor, action, undo->item_ids->len, error) || !vetter_store_commit (self, error))
    goto fail;
  return TRUE;

fail:
  vetter_store_rollback (self);
  return FALSE;
}

/* ---- One field on many ads ------------------------------------------------ */

static gboolean
check_value (const char  *field,
             const char  *value,
             GError     **error)
{
  gboolean title = g_str_equal (field, "title");
  glong length = g_utf8_strlen (value, -1);

  for (const char *p = value; *p; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      {
        g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT,
                     "%s: a line break or a control character has no place in it", field);
        return FALSE;
      }
  if (title && length == 0)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT, "title: an ad needs one");
      return FALSE;
    }
  if (length > (title ? 200 : 100))
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT, "%s: at most %d characters (this has %ld)", field,
                   title ? 200 : 100, length);
      return FALSE;
    }
  return TRUE;
}

/* Writes @value (NULL: none) into @field of the ad, audited; @before
 * (out): what it held. */
static gboolean
write_field (VetterStore  *self,
             gint64        item_id,
             const char   *field,
             const char   *value,
             const char   *action,
             const char   *actor,
             char        **before,
             GError      **error)
{
  g_autoptr(VetterChanges) changes = vetter_changes_new ();
  /* @field is one of two names checked by the caller, never a person's text. */
  g_autofree char *read_sql = g_strdup_printf ("SELECT %s FROM item WHERE id = ?", field);
  g_autofree char *write_sql = g_strdup_printf ("UPDATE item SET %s = ?, updated = ? WHERE id = ?", field);
  sqlite3_stmt *stmt = vetter_store_prepare_dynamic (self, read_sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, item_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE, "no ad %" G_GINT64_FORMAT, item_id);
      return FALSE;
    }
  *before = g_strdup (vetter_store_column_text (stmt, 0));
  sqlite3_reset (stmt);
  stmt = vetter_store_prepare_dynamic (self, write_sql, error);
  if (stmt == NULL)
    return FALSE;
  vetter_store_bind_text (stmt, 1, value);
  sqlite3_bind_int64 (stmt, 2, vetter_store_now ());
  sqlite3_bind_int64 (stmt, 3, item_id);
  if (!vetter_store_step_done (self, stmt, error))
    return FALSE;
  vetter_changes_add_text (changes, field, *before, value);
  return vetter_store_audit (self, actor, "item", item_id, action, changes, error);
}

VetterEditUndo *
vetter_store_edit_many (VetterStore   *self,
                        const gint64  *item_ids,
                        guint          n_items,
                        const char    *field,
                        const char    *value,
                        const char    *actor,
                        GError       **error)
{
  g_autoptr(VetterEditUndo) undo = NULL;
  g_autofree char *clean = g_strstrip (g_strdup (value ? value : ""));
  g_autofree char *action = NULL;

  if (!g_str_equal (field, "title") && !g_str_equal (field, "category"))
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT, "%s cannot be edited across many ads", field);
      return NULL;
    }
  if (!check_value (field, clean, error))
    return NULL;
  undo = g_new0 (VetterEditUndo, 1);
  undo->field = g_strdup (field);
  undo->item_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  undo->previous = g_ptr_array_new_with_free_func (g_free);
  action = g_strdup_printf ("bulk edit %s", field);
  if (!vetter_store_begin (self, error))
    return NULL;
  for (guint i = 0; i < n_items; i++)
    {
      char *before = NULL;

      if (!write_field (self, item_ids[i], field, *clean ? clean : NULL, "edit", actor, &before, error))
        goto fail;
      g_array_append_val (undo->item_ids, item_ids[i]);
      g_ptr_array_add (undo->previous, before);
    }
  if (!audit_bulk (self, actor, action, n_items, error) || !vetter_store_commit (self, error))
    goto fail;
  return g_steal_pointer (&undo);

fail:
  vetter_store_rollback (self);
  return NULL;
}

gboolean
vetter_store_undo_edit (VetterStore           *self,
                        const VetterEditUndo  *undo,
                        const char            *actor,
                        GError               **error)
{
  g_autofree char *action = g_strdup_printf ("undo bulk edit %s", undo->field);

  if (!vetter_store_begin (self, error))
    return FALSE;
  for (guint i = 0; i < undo->item_ids->len; i++)
    {
      g_autofree char *now = NULL;

      if (!write_field (self, g_array_index (undo->item_ids, gint64, i), undo->field,
                        g_ptr_array_index (undo->previous, i), "undo", actor, &now, error))
        goto fail;
    }
  if (!audit_bulk (self, actor, action, undo->item_ids->len, error) || !vetter_store_commit (self, error))
    goto fail;
  return TRUE;

fail:
  vetter_store_rollback (self);
  return FALSE;
}

/* ---- Going back ------------------------------------------------------------- */

/* The "before" of @field in @changes ({field: [before, after]}); @listed
 * says whether the change touched it. */
static const char *
before_of (JsonObject *changes,
           const char *field,
           gboolean   *listed)
{
  JsonArray *pair = vetter_json_array (changes, field);

  *listed = pair != NULL;
  return vetter_json_element_string (pair, 0);
}

gint64
vetter_store_revert (VetterStore         *self,
                     gint64               audit_id,
                     const char          *actor,
                     const VetterConfig  *config,
                     GError             **error)
{
  g_autofree char *object_type = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *changes;
  gint64 item_id = 0;
  gboolean listed, went_back;
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT object_type, object_id, changes FROM audit_log WHERE id = ?",
                                             error);

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, audit_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      object_type = g_strdup (vetter_store_column_text (stmt, 0));
      item_id = sqlite3_column_int64 (stmt, 1);
      text = g_strdup (vetter_store_column_text (stmt, 2));
    }
  sqlite3_reset (stmt);
  if (g_strcmp0 (object_type, "item") != 0)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT,
                   object_type ? "audit row %" G_GINT64_FORMAT " is not an ad's change; only those can be reverted"
                               : "there is no audit row %" G_GINT64_FORMAT, audit_id);
      return 0;
    }
  node = text ? json_from_string (text, NULL) : NULL;
  changes = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

  if (!vetter_store_begin (self, error))
    return 0;
  before_of (changes, "status", &listed);
  went_back = listed;
  if (listed)
    {
      g_autoptr(VetterItemDecision) now = vetter_store_read_decision (self, item_id, NULL, error);
      g_autoptr(VetterItemDecision) back = NULL;
      const char *status = before_of (changes, "status", &listed);
      const char *reason = before_of (changes, "reason_code", &listed);
      const char *note;

      if (now == NULL)
        goto fail;
      if (!listed)
        reason = now->reason_code;
      note = before_of (changes, "note", &listed);
      if (!listed)
        note = now->note;
      if (status == NULL || !vetter_status_is_decidable (vetter_status_from_string (status)))
        {
          g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT,
                       "ad %" G_GINT64_FORMAT " was not decided before this change (it was %s): there is no decision "
                       "to go back to", item_id, status ? status : "new");
          goto fail;
        }
      back = vetter_item_decision_new_manual (vetter_status_from_string (status),
                                              vetter_status_from_string (status) == VETTER_STATUS_REJECTED ? reason : NULL,
                                              note, actor);
      if (!vetter_store_write_decision (self, item_id, back, VETTER_ORIGIN_PERSON, "revert", actor, config, NULL, error))
        goto fail;
    }
  for (guint i = 0; i < 2; i++)
    {
      const char *field = i == 0 ? "title" : "category";
      const char *before = before_of (changes, field, &listed);
      g_autofree char *now = NULL;

      if (listed && !write_field (self, item_id, field, before, "revert", actor, &now, error))
        goto fail;
      went_back |= listed;
    }
  if (!went_back)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT,
                   "audit row %" G_GINT64_FORMAT " records no decision, title or category to go back to", audit_id);
      goto fail;
    }
  if (!vetter_store_commit (self, error))
    goto fail;
  return item_id;

fail:
  vetter_store_rollback (self);
  return 0;
}
