/* vetter-store-bulk.c: one decision on many ads, and taking it back
 *
 * Every ad goes through the one decision path (audited, its effects in
 * the outbox), all in one transaction: a thousand ads decided are a
 * thousand decisions or none. One more audit row says what the person
 * did as a whole.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-store"

#include "config.h"

#include "vetter-error.h"
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
