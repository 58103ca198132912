/* vetter-store-staff.c: who works here, and what they may do
 *
 * Without a shared database the desktop's own staff (its rows not
 * shared) tells its people apart: the first person to open it is its
 * admin, anyone after a moderator until an admin says otherwise, and a
 * person taken off the staff (inactive) may only look. Every change is
 * audited with its diff; the last active admin cannot be taken away.
 *
 * With one, the shared rows mirror the database's accounts (its users
 * with a Vetter role, or deactivated): replaced whole as an admin's
 * desktop lists them, and each change an admin makes audited here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-store"

#include "config.h"

#include "vetter-error.h"
#include "vetter-store-private.h"

static VetterRole
role_of (const char *role,
         gboolean    active)
{
  if (!active)
    return VETTER_ROLE_VIEWER;
  if (g_strcmp0 (role, "admin") == 0)
    return VETTER_ROLE_ADMIN;
  return g_strcmp0 (role, "viewer") == 0 ? VETTER_ROLE_VIEWER : VETTER_ROLE_MODERATOR;
}

/* A desktop alone has no workers: they share a database's work. */
static gboolean
is_own_role (const char *role)
{
  return g_strcmp0 (role, "admin") == 0 || g_strcmp0 (role, "moderator") == 0 || g_strcmp0 (role, "viewer") == 0;
}

static gint64
count_admins (VetterStore *self)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT count(*) FROM staff WHERE role = 'admin' AND active AND NOT shared", NULL);
  gint64 count = 0;

  if (stmt == NULL)
    return 0;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    count = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return count;
}

static gboolean
insert_member (VetterStore  *self,
               const char   *username,
               const char   *role,
               const char   *actor,
               gint64       *id,
               GError      **error)
{
  g_autoptr(VetterChanges) changes = vetter_changes_new ();
  sqlite3_stmt *stmt = vetter_store_prepare (self, "INSERT INTO staff (username, role, active, created) VALUES (?, ?, 1, ?)",
                                             error);

  if (stmt == NULL)
    return FALSE;
  vetter_store_bind_text (stmt, 1, username);
  vetter_store_bind_text (stmt, 2, role);
  sqlite3_bind_int64 (stmt, 3, vetter_store_now ());
  if (!vetter_store_step_done (self, stmt, error))
    return FALSE;
  *id = sqlite3_last_insert_rowid (self->db);
  vetter_changes_add_text (changes, "username", NULL, username);
  vetter_changes_add_text (changes, "role", NULL, role);
  vetter_changes_add_text (changes, "active", NULL, "true");
  return vetter_store_audit (self, actor, "staff", *id, "add", changes, error);
}

VetterRole
vetter_store_staff_sign_in (VetterStore  *self,
                            const char   *username,
                            GError      **error)
{
  g_autofree char *role = NULL;
  gboolean active = TRUE;
  gboolean known = FALSE;
  sqlite3_stmt *stmt;
  gint64 id;

  if (!vetter_store_begin (self, error))
    return VETTER_ROLE_VIEWER;
  stmt = vetter_store_prepare (self, "SELECT role, active FROM staff WHERE username = ? AND NOT shared", error);
  if (stmt == NULL)
    goto fail;
  vetter_store_bind_text (stmt, 1, username);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      known = TRUE;
      role = g_strdup (vetter_store_column_text (stmt, 0));
      active = sqlite3_column_int (stmt, 1) != 0;
    }
  sqlite3_reset (stmt);
  if (!known)
    {
      /* The first person here runs the desktop; anyone after decides. */
      role = g_strdup (count_admins (self) == 0 ? "admin" : "moderator");
      if (!insert_member (self, username, role, username, &id, error))
        goto fail;
    }
  if (!vetter_store_commit (self, error))
    goto fail;
  return role_of (role, active);

fail:
  vetter_store_rollback (self);
  return VETTER_ROLE_VIEWER;
}

gint64
vetter_store_staff_add (VetterStore  *self,
                        const char   *username,
                        const char   *role,
                        const char   *actor,
                        GError      **error)
{
  g_autofree char *name = g_strstrip (g_strdup (username ? username : ""));
  g_autofree char *known = NULL;
  gint64 id = 0;

  if (*name == '\0' || g_utf8_strlen (name, -1) > 64 || !g_utf8_validate (name, -1, NULL))
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT, "a user name is 1 to 64 characters");
      return 0;
    }
  if (!is_own_role (role))
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT, "a role here is admin, moderator or viewer, not “%s”",
                   role ? role : "");
      return 0;
    }
  known = vetter_store_lookup_text (self, "SELECT username FROM staff WHERE username = ? AND NOT shared", name);
  if (known)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT, "%s is on the staff already", name);
      return 0;
    }
  if (!vetter_store_begin (self, error))
    return 0;
  if (!insert_member (self, name, role, actor, &id, error) || !vetter_store_commit (self, error))
    {
      vetter_store_rollback (self);
      return 0;
    }
  return id;
}

gboolean
vetter_store_staff_change (VetterStore  *self,
                           gint64        staff_id,
                           const char   *role,
                           int           active,
                           const char   *actor,
                           GError      **error)
{
  g_autoptr(VetterChanges) changes = vetter_changes_new ();
  g_autofree char *before_role = NULL;
  gboolean before_active;
  sqlite3_stmt *stmt;

  if (role && !is_own_role (role))
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT, "a role here is admin, moderator or viewer, not “%s”",
                   role);
      return FALSE;
    }
  if (!vetter_store_begin (self, error))
    return FALSE;
  stmt = vetter_store_prepare (self, "SELECT role, active FROM staff WHERE id = ? AND NOT shared", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, staff_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE, "there is no member of this desktop's staff %" G_GINT64_FORMAT,
                   staff_id);
      goto fail;
    }
  before_role = g_strdup (vetter_store_column_text (stmt, 0));
  before_active = sqlite3_column_int (stmt, 1) != 0;
  sqlite3_reset (stmt);
  stmt = vetter_store_prepare (self, "UPDATE staff SET role = coalesce (?, role), active = CASE WHEN ? < 0 THEN active"
                                     " ELSE ? END WHERE id = ?", error);
  if (stmt == NULL)
    goto fail;
  vetter_store_bind_text (stmt, 1, role);
  sqlite3_bind_int (stmt, 2, active);
  sqlite3_bind_int (stmt, 3, active > 0 ? 1 : 0);
  sqlite3_bind_int64 (stmt, 4, staff_id);
  if (!vetter_store_step_done (self, stmt, error))
    goto fail;
  /* Someone must still be able to manage the staff. */
  if (count_admins (self) == 0)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT,
                   "nothing changed: the desktop would have no active admin left");
      goto fail;
    }
  vetter_changes_add_text (changes, "role", before_role, role ? role : before_role);
  if (active >= 0)
    vetter_changes_add_text (changes, "active", before_active ? "true" : "false", active ? "true" : "false");
  if (!vetter_store_audit (self, actor, "staff", staff_id, "change", changes, error) ||
      !vetter_store_commit (self, error))
    goto fail;
  return TRUE;

fail:
  vetter_store_rollback (self);
  return FALSE;
}

/* ---- The shared database's accounts --------------------------------------- */

static gboolean
upsert_account (VetterStore               *self,
                const VetterStaffAccount  *account,
                gint64                    *id,
                GError                   **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "INSERT INTO staff (username, role, active, shared, created)"
                                                   " VALUES (?, ?, ?, 1, ?) ON CONFLICT (username, shared) DO UPDATE"
                                                   " SET role = excluded.role, active = excluded.active"
                                                   " WHERE role IS NOT excluded.role OR active IS NOT excluded.active",
                                             error);

  if (stmt == NULL)
    return FALSE;
  vetter_store_bind_text (stmt, 1, account->username);
  vetter_store_bind_text (stmt, 2, account->role);
  sqlite3_bind_int (stmt, 3, account->active ? 1 : 0);
  sqlite3_bind_int64 (stmt, 4, vetter_store_now ());
  if (!vetter_store_step_done (self, stmt, error))
    return FALSE;
  if (id)
    {
      g_autofree char *text = vetter_store_lookup_text (self, "SELECT id FROM staff WHERE shared AND username = ?",
                                                        account->username);

      *id = text ? g_ascii_strtoll (text, NULL, 10) : 0;
    }
  return TRUE;
}

gboolean
vetter_store_staff_mirror (VetterStore  *self,
                           GPtrArray    *accounts,
                           GError      **error)
{
  g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;

  if (!vetter_store_begin (self, error))
    return FALSE;
  for (guint i = 0; i < accounts->len; i++)
    {
      const VetterStaffAccount *account = g_ptr_array_index (accounts, i);

      if (!vetter_role_name_is_valid (account->role))
        continue;
      if (!upsert_account (self, account, NULL, error))
        goto fail;
      g_hash_table_add (listed, account->username);
    }
  stmt = vetter_store_prepare (self, "SELECT username FROM staff WHERE shared", error);
  if (stmt == NULL)
    goto fail;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    if (!g_hash_table_contains (listed, vetter_store_column_text (stmt, 0)))
      g_ptr_array_add (gone, g_strdup (vetter_store_column_text (stmt, 0)));
  sqlite3_reset (stmt);
  for (guint i = 0; i < gone->len; i++)
    {
      stmt = vetter_store_prepare (self, "DELETE FROM staff WHERE shared AND username = ?", error);
      if (stmt == NULL)
        goto fail;
      vetter_store_bind_text (stmt, 1, g_ptr_array_index (gone, i));
      if (!vetter_store_step_done (self, stmt, error))
        goto fail;
    }
  if (!vetter_store_commit (self, error))
    goto fail;
  return TRUE;

fail:
  vetter_store_rollback (self);
  return FALSE;
}

gboolean
vetter_store_staff_record (VetterStore               *self,
                           const VetterStaffAccount  *before,
                           const VetterStaffAccount  *after,
                           const char                *actor,
                           GError                   **error)
{
  g_autoptr(VetterChanges) changes = vetter_changes_new ();
  gint64 id = 0;

  if (!vetter_role_name_is_valid (after->role))
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT, "“%s” is not a role", after->role);
      return FALSE;
    }
  if (before == NULL)
    vetter_changes_add_text (changes, "username", NULL, after->username);
  if (before == NULL || g_strcmp0 (before->role, after->role) != 0)
    vetter_changes_add_text (changes, "role", before ? before->role : NULL, after->role);
  if (before == NULL || before->active != after->active)
    vetter_changes_add_text (changes, "active", before ? (before->active ? "true" : "false") : NULL,
                             after->active ? "true" : "false");
  if (!vetter_store_begin (self, error))
    return FALSE;
  if (!upsert_account (self, after, &id, error) ||
      !vetter_store_audit (self, actor, "staff", id, before ? "change" : "add", changes, error) ||
      !vetter_store_commit (self, error))
    {
      vetter_store_rollback (self);
      return FALSE;
    }
  return TRUE;
}

VetterStaffAccount *
vetter_store_staff_get (VetterStore  *self,
                        gint64        staff_id,
                        gboolean     *shared,
                        GError      **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT username, role, active, shared FROM staff WHERE id = ?", error);
  VetterStaffAccount *account = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, staff_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      account = vetter_staff_account_new (vetter_store_column_text (stmt, 0), vetter_store_column_text (stmt, 1),
                                          sqlite3_column_int (stmt, 2) != 0);
      *shared = sqlite3_column_int (stmt, 3) != 0;
    }
  sqlite3_reset (stmt);
  if (account == NULL)
    g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE, "there is no member of staff %" G_GINT64_FORMAT, staff_id);
  return account;
}
