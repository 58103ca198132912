/* vetter-store-views.c: the console's saved views
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-store"

#include "config.h"

#include "vetter-error.h"
#include "vetter-store-private.h"

#define NAME_MAX_CHARS 80

gboolean
vetter_store_save_view (VetterStore        *self,
                        const char         *table_name,
                        const char         *name,
                        const char         *query_json,
                        const char * const *columns,
                        const char         *actor,
                        GError            **error)
{
  g_autofree char *clean = g_strstrip (g_strdup (name ? name : ""));
  g_autofree char *columns_json = columns ? vetter_store_strv_to_json (columns) : NULL;
  g_autoptr(VetterChanges) changes = vetter_changes_new ();
  sqlite3_stmt *stmt;
  gint64 id;

  if (*clean == '\0' || g_utf8_strlen (clean, -1) > NAME_MAX_CHARS)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT, "a view's name has 1 to %d characters",
                   NAME_MAX_CHARS);
      return FALSE;
    }
  if (!vetter_store_begin (self, error))
    return FALSE;
  stmt = vetter_store_prepare (self,
                               "INSERT INTO saved_view (table_name, name, query, columns, created_by, updated)"
                               " VALUES (?, ?, ?, ?, ?, ?)"
                               " ON CONFLICT (table_name, name) DO UPDATE SET query = excluded.query,"
                               " columns = excluded.columns, updated = excluded.updated"
                               " RETURNING id", error);
  if (stmt == NULL)
    goto fail;
  vetter_store_bind_text (stmt, 1, table_name);
  vetter_store_bind_text (stmt, 2, clean);
  vetter_store_bind_text (stmt, 3, query_json);
  vetter_store_bind_text (stmt, 4, columns_json);
  vetter_store_bind_text (stmt, 5, actor);
  sqlite3_bind_int64 (stmt, 6, vetter_store_now ());
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      vetter_store_fail (self, error, "cannot save the view");
      sqlite3_reset (stmt);
      goto fail;
    }
  id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  vetter_changes_add_text (changes, "name", NULL, clean);
  vetter_changes_add_text (changes, "query", NULL, query_json);
  if (!vetter_store_audit (self, actor, "view", id, "save", changes, error) || !vetter_store_commit (self, error))
    goto fail;
  return TRUE;

fail:
  vetter_store_rollback (self);
  return FALSE;
}

GPtrArray *
vetter_store_list_views (VetterStore  *self,
                         const char   *table_name,
                         GError      **error)
{
  GPtrArray *views = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_saved_view_free);
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "SELECT name, query, columns FROM saved_view WHERE table_name = ?"
                                             " ORDER BY name COLLATE NOCASE", error);

  if (stmt == NULL)
    {
      g_ptr_array_unref (views);
      return NULL;
    }
  vetter_store_bind_text (stmt, 1, table_name);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      VetterSavedView *view = g_new0 (VetterSavedView, 1);
      const char *columns = vetter_store_column_text (stmt, 2);

      view->name = g_strdup (vetter_store_column_text (stmt, 0));
      view->query = g_strdup (vetter_store_column_text (stmt, 1));
      view->columns = columns ? vetter_store_strv_from_json (columns) : NULL;
      g_ptr_array_add (views, view);
    }
  sqlite3_reset (stmt);
  return views;
}

gboolean
vetter_store_delete_view (VetterStore  *self,
                          const char   *table_name,
                          const char   *name,
                          const char   *actor,
                          GError      **error)
{
  g_autoptr(VetterChanges) changes = vetter_changes_new ();
  sqlite3_stmt *stmt;
  gint64 id;

  if (!vetter_store_begin (self, error))
    return FALSE;
  stmt = vetter_store_prepare (self, "DELETE FROM saved_view WHERE table_name = ? AND name = ? RETURNING id", error);
  if (stmt == NULL)
    goto fail;
  vetter_store_bind_text (stmt, 1, table_name);
  vetter_store_bind_text (stmt, 2, name);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT, "%s has no view “%s”", table_name, name);
      goto fail;
    }
  id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  vetter_changes_add_text (changes, "name", name, NULL);
  if (!vetter_store_audit (self, actor, "view", id, "delete", changes, error) || !vetter_store_commit (self, error))
    goto fail;
  return TRUE;

fail:
  vetter_store_rollback (self);
  return FALSE;
}
