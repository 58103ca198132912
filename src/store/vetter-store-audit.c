/* vetter-store-audit.c: the audit log, written and read
 *
 * One row per action on any kind of object (an item's decision, a
 * conflict settled, later a batch, a member of staff), naming who did it
 * and when, with the fields it changed in one format:
 * {"field": [before, after], …}, null where there was no value.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-store"

#include "config.h"

#include "vetter-error.h"
#include "vetter-store-private.h"

struct _VetterChanges
{
  JsonObject *fields;
};

VetterChanges *
vetter_changes_new (void)
{
  VetterChanges *changes = g_new0 (VetterChanges, 1);

  changes->fields = json_object_new ();
  return changes;
}

void
vetter_changes_free (VetterChanges *changes)
{
  if (changes == NULL)
    return;
  json_object_unref (changes->fields);
  g_free (changes);
}

void
vetter_changes_add_text (VetterChanges *changes,
                         const char    *field,
                         const char    *before,
                         const char    *after)
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
  json_object_set_array_member (changes->fields, field, pair);
}

/* The fields of a decision a person reads in its history, each as
 * "@prefix<field>"; NULL for no decision on that side. */
void
vetter_changes_add_decision (VetterChanges            *changes,
                             const char               *prefix,
                             const VetterItemDecision *before,
                             const VetterItemDecision *after)
{
  static const char *fields[] = { "status", "reason_code", "note", "rule", "decided_by" };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      const VetterItemDecision *sides[2] = { before, after };
      const char *values[2] = { NULL, NULL };
      g_autofree char *name = g_strconcat (prefix ? prefix : "", fields[i], NULL);

      for (guint s = 0; s < 2; s++)
        {
          const VetterItemDecision *d = sides[s];

          if (d == NULL)
            continue;
          values[s] = i == 0 ? vetter_status_to_string (d->status)
                    : i == 1 ? d->reason_code
                    : i == 2 ? d->note
                    : i == 3 ? d->rule
                    : d->decided_by;
        }
      vetter_changes_add_text (changes, name, values[0], values[1]);
    }
}

gboolean
vetter_store_audit (VetterStore    *self,
                    const char     *actor,
                    const char     *object_type,
                    gint64          object_id,
                    const char     *action,
                    VetterChanges  *changes,
                    GError        **error)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "INSERT INTO audit_log (actor, time, object_type, object_id, action, changes)"
                                             " VALUES (?, ?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  json_node_set_object (node, changes->fields);
  text = json_to_string (node, FALSE);
  vetter_store_bind_text (stmt, 1, actor ? actor : "vetter");
  sqlite3_bind_int64 (stmt, 2, vetter_store_now ());
  vetter_store_bind_text (stmt, 3, object_type);
  sqlite3_bind_int64 (stmt, 4, object_id);
  vetter_store_bind_text (stmt, 5, action);
  vetter_store_bind_text (stmt, 6, text);
  return vetter_store_step_done (self, stmt, error);
}

/* ---- Reading ------------------------------------------------------------- */

static char *
value_text (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node))
    {
      GType type = json_node_get_value_type (node);

      if (type == G_TYPE_STRING)
        return g_strdup (json_node_get_string (node));
      if (type == G_TYPE_BOOLEAN)
        return g_strdup (json_node_get_boolean (node) ? "true" : "false");
      if (type == G_TYPE_INT64)
        return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      if (type == G_TYPE_DOUBLE)
        return g_strdup_printf ("%g", json_node_get_double (node));
    }
  return json_to_string (node, FALSE);
}

/* Each member of a stored change set; one that is not a [before, after]
 * pair (which no writer makes) reads as a value without a before. */
static void
read_changes (const char *text,
              GPtrArray  *into)
{
  g_autoptr(JsonNode) root = text ? json_from_string (text, NULL) : NULL;
  JsonObject *object;
  g_autoptr(GList) members = NULL;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  object = json_node_get_object (root);
  members = json_object_get_members (object);
  for (GList *l = members; l; l = l->next)
    {
      JsonNode *value = json_object_get_member (object, l->data);
      VetterFieldChange *change = g_new0 (VetterFieldChange, 1);

      change->field = g_strdup (l->data);
      if (JSON_NODE_HOLDS_ARRAY (value) && json_array_get_length (json_node_get_array (value)) == 2)
        {
          change->before = value_text (json_array_get_element (json_node_get_array (value), 0));
          change->after = value_text (json_array_get_element (json_node_get_array (value), 1));
        }
      else
        change->after = value_text (value);
      g_ptr_array_add (into, change);
    }
}

GPtrArray *
vetter_store_history (VetterStore  *self,
                      const char   *object_type,
                      gint64        object_id,
                      GError      **error)
{
  g_autoptr(GPtrArray) history = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_history_entry_free);
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "SELECT id, actor, time, action, changes FROM audit_log"
                                             " WHERE object_type = ? AND object_id = ? ORDER BY time, id", error);

  if (stmt == NULL)
    return NULL;
  vetter_store_bind_text (stmt, 1, object_type);
  sqlite3_bind_int64 (stmt, 2, object_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      VetterHistoryEntry *entry = vetter_history_entry_new ();

      entry->actor = g_strdup (vetter_store_column_text (stmt, 1));
      entry->time = sqlite3_column_int64 (stmt, 2);
      entry->action = g_strdup (vetter_store_column_text (stmt, 3));
      read_changes (vetter_store_column_text (stmt, 4), entry->changes);
      g_ptr_array_add (history, entry);
    }
  sqlite3_reset (stmt);
  return g_steal_pointer (&history);
}
