/* vetter-store-decisions.c: the one writer of an item's decision
 *
 * Whoever decides (the rules on processing, a moderator, an undo, another
 * desktop through the shared database, a moderator settling a conflict),
 * the decision reaches the item here: its columns written, the change
 * audited field by field as {field: [before, after]}, and what follows it
 * queued by the one policy in vetter-store-effects.c. A moderator's
 * decision hands back what it replaced, so that undo is the same
 * operation in the other direction and is logged like any decision.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-store"

#include "config.h"

#include "vetter-error.h"
#include "vetter-store-private.h"

VetterItemDecision *
vetter_store_read_decision (VetterStore  *self,
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
  decision->status = vetter_status_from_string (vetter_store_column_text (stmt, 0));
  decision->reason_code = g_strdup (vetter_store_column_text (stmt, 1));
  decision->reason = g_strdup (vetter_store_column_text (stmt, 2));
  decision->note = g_strdup (vetter_store_column_text (stmt, 3));
  decision->rule = g_strdup (vetter_store_column_text (stmt, 4));
  decision->is_auto = sqlite3_column_int (stmt, 5) != 0;
  decision->decided_by = g_strdup (vetter_store_column_text (stmt, 6));
  decision->decided_at = sqlite3_column_int64 (stmt, 7);
  if (batch_id)
    *batch_id = sqlite3_column_int64 (stmt, 8);
  sqlite3_reset (stmt);
  return decision;
}

/* Whether @before may be replaced by a decision from @origin: a person
 * is told why not; another desktop's decision waits for the result here. */
static gboolean
may_decide (gint64                    item_id,
            const VetterItemDecision *before,
            VetterOrigin              origin,
            gboolean                 *skip,
            GError                  **error)
{
  *skip = FALSE;
  if (origin == VETTER_ORIGIN_RULES || vetter_status_is_decidable (before->status))
    return TRUE;
  if (origin == VETTER_ORIGIN_ELSEWHERE)
    {
      *skip = TRUE;
      return TRUE;
    }
  g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE,
               before->status == VETTER_STATUS_FAILED
                 ? "item %" G_GINT64_FORMAT " failed and has nothing to decide on; retry it first"
                 : "item %" G_GINT64_FORMAT " is still being processed",
               item_id);
  return FALSE;
}

#define DECIDE "UPDATE item SET status = ?1, reason_code = ?2, reason = ?3, rule = ?5, auto = ?6," \
               " decided_by = ?7, decided_at = ?8, updated = ?9, step = NULL"

/* The statement that writes a decision, setting only what it changes:
 * SQLite rewrites the index entries of every column an UPDATE sets, and
 * keeps a journal of the statement when it sets the note (which the
 * search index's trigger follows). A person's decision leaves the rules'
 * verdict and the error alone, and mostly the note: a third of a bulk
 * decision's time. The rules' verdict is kept beside whatever a person
 * decides later; another desktop's decision settles any conflict. */
static const char *
decision_update (gboolean rules,
                 gboolean note,
                 gboolean settles_conflict)
{
  static const char * const by_person[2][2] = {
    { DECIDE " WHERE id = ?12", DECIDE ", conflict = NULL WHERE id = ?12" },
    { DECIDE ", note = ?4 WHERE id = ?12", DECIDE ", note = ?4, conflict = NULL WHERE id = ?12" },
  };

  if (rules)
    return "UPDATE item SET status = ?1, reason_code = ?2, reason = ?3, note = ?4, rule = ?5, auto = ?6,"
           " decided_by = ?7, decided_at = ?8, updated = ?9, auto_status = ?1, auto_reason = ?3, auto_rule = ?5,"
           " error = NULL, step = NULL, conflict = CASE WHEN ?11 THEN NULL ELSE conflict END"
           " WHERE id = ?12";
  return by_person[note ? 1 : 0][settles_conflict ? 1 : 0];
}

gboolean
vetter_store_write_decision (VetterStore               *self,
                             gint64                     item_id,
                             const VetterItemDecision  *decision,
                             VetterOrigin               origin,
                             const char                *action,
                             const char                *actor,
                             const VetterConfig        *config,
                             VetterItemDecision       **previous,
                             GError                   **error)
{
  g_autoptr(VetterItemDecision) before = NULL;
  gboolean rules = origin == VETTER_ORIGIN_RULES;
  gboolean skip;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (decision != NULL && vetter_status_is_decidable (decision->status), FALSE);

  before = vetter_store_read_decision (self, item_id, NULL, error);
  if (before == NULL || !may_decide (item_id, before, origin, &skip, error))
    return FALSE;
  if (skip)
    return TRUE;

  stmt = vetter_store_prepare (self, decision_update (rules, g_strcmp0 (before->note, decision->note) != 0,
                                                      origin == VETTER_ORIGIN_ELSEWHERE), error);
  if (stmt == NULL)
    return FALSE;
  vetter_store_bind_text (stmt, 1, vetter_status_to_string (decision->status));
  vetter_store_bind_text (stmt, 2, decision->reason_code);
  vetter_store_bind_text (stmt, 3, decision->reason);
  vetter_store_bind_text (stmt, 4, decision->note);
  vetter_store_bind_text (stmt, 5, decision->rule);
  sqlite3_bind_int (stmt, 6, decision->is_auto ? 1 : 0);
  vetter_store_bind_text (stmt, 7, decision->decided_by);
  sqlite3_bind_int64 (stmt, 8, decision->decided_at);
  sqlite3_bind_int64 (stmt, 9, vetter_store_now ());
  sqlite3_bind_int (stmt, 10, rules);
  sqlite3_bind_int (stmt, 11, origin == VETTER_ORIGIN_ELSEWHERE);
  sqlite3_bind_int64 (stmt, 12, item_id);
  if (!vetter_store_step_done (self, stmt, error))
    return FALSE;

  /* The rules' own verdict is not logged: the item keeps it beside its
   * decision, and a batch of a million would log a million rows. */
  if (!rules)
    {
      g_autoptr(VetterChanges) changes = vetter_changes_new ();

      vetter_changes_add_decision (changes, NULL, before, decision);
      if (!vetter_store_audit (self, actor, "item", item_id, action, changes, error))
        return FALSE;
    }
  if (config && !vetter_store_effects_after_decision (self, item_id, origin, config, error))
    return FALSE;
  if (previous)
    *previous = g_steal_pointer (&before);
  return TRUE;
}

gboolean
vetter_store_set_conflict (VetterStore  *self,
                           gint64        item_id,
                           const char   *theirs,
                           GError      **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "UPDATE item SET conflict = ?, updated = ? WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  vetter_store_bind_text (stmt, 1, theirs);
  sqlite3_bind_int64 (stmt, 2, vetter_store_now ());
  sqlite3_bind_int64 (stmt, 3, item_id);
  return vetter_store_step_done (self, stmt, error);
}

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
  VetterOrigin origin = g_strcmp0 (action, "undo") == 0 ? VETTER_ORIGIN_UNDO : VETTER_ORIGIN_PERSON;

  g_return_val_if_fail (decision != NULL && vetter_status_is_decidable (decision->status), FALSE);

  if (!vetter_store_begin (self, error))
    return FALSE;
  if (!vetter_store_write_decision (self, item_id, decision, origin, action, actor, config, previous, error) ||
      !vetter_store_commit (self, error))
    {
      vetter_store_rollback (self);
      if (previous)
        g_clear_pointer (previous, vetter_item_decision_free);
      return FALSE;
    }
  if (batch_id)
    *batch_id = vetter_store_item_batch (self, item_id);
  return TRUE;
}

/* A moderator keeps one of two decisions: theirs becomes this item's, or
 * ours is written over theirs, now that it is known. */
gboolean
vetter_store_resolve_conflict (VetterStore         *self,
                               gint64               item_id,
                               gboolean             keep_theirs,
                               const char          *actor,
                               const VetterConfig  *config,
                               GError             **error)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(VetterItemDecision) theirs = NULL;
  g_autofree char *text = NULL;
  sqlite3_stmt *stmt;

  if (!vetter_store_begin (self, error))
    return FALSE;
  stmt = vetter_store_prepare (self, "SELECT conflict FROM item WHERE id = ?", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, item_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    text = g_strdup (vetter_store_column_text (stmt, 0));
  sqlite3_reset (stmt);
  node = text ? json_from_string (text, NULL) : NULL;
  if (node && JSON_NODE_HOLDS_OBJECT (node))
    theirs = vetter_store_decision_from_doc (json_node_get_object (node));
  if (theirs == NULL)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE, "item %" G_GINT64_FORMAT " has no conflict to resolve", item_id);
      goto fail;
    }
  if (!vetter_store_couch_remember_rev (self, item_id, json_object_get_string_member_with_default (
                                          json_node_get_object (node), "_rev", NULL), error))
    goto fail;
  if (keep_theirs)
    {
      if (!vetter_store_write_decision (self, item_id, theirs, VETTER_ORIGIN_ELSEWHERE, "keep-theirs", actor, config,
                                        NULL, error))
        goto fail;
    }
  else
    {
      g_autoptr(VetterChanges) changes = vetter_changes_new ();

      vetter_changes_add_decision (changes, "conflict.", theirs, NULL);
      if (!vetter_store_set_conflict (self, item_id, NULL, error) ||
          !vetter_store_audit (self, actor, "item", item_id, "keep-mine", changes, error) ||
          !vetter_store_effects_after_decision (self, item_id, VETTER_ORIGIN_KEEP_MINE, config, error))
        goto fail;
    }
  if (vetter_store_commit (self, error))
    return TRUE;

fail:
  vetter_store_rollback (self);
  return FALSE;
}
