/* vetter-store-delete.c: ads deleted, with everything that goes with them
 *
 * An ad goes with its images, their findings, variants and steps (the
 * schema's cascades), the variant files on this disk (removed by the
 * caller once the deletion is committed), and what other machines hold of
 * it: its variants in the bucket and its documents in the shared
 * database, queued in the outbox for removal. Uploads and mails of it not
 * sent yet are dropped. Each ad's deletion is audited with what it was.
 * An ad that a person on another desktop is reviewing (a live claim) is
 * not deleted, and neither is anything else asked for with it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-store"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "vetter-error.h"
#include "vetter-store-private.h"

void
vetter_delete_plan_free (VetterDeletePlan *plan)
{
  g_clear_pointer (&plan->held, g_ptr_array_unref);
  g_free (plan);
}

/* "ad 12 (Ben, on another desktop)" for each ad of @item_ids a live claim
 * of another desktop holds. */
static GPtrArray *
held_elsewhere (VetterStore   *self,
                const gint64  *item_ids,
                guint          n_items,
                GError       **error)
{
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *desktop = vetter_store_desktop_id (self, error);

  if (desktop == NULL)
    return NULL;
  for (guint i = 0; i < n_items; i++)
    {
      sqlite3_stmt *stmt = vetter_store_prepare (self,
                                                 "SELECT remote_claim.moderator FROM item JOIN remote_claim"
                                                 " ON remote_claim.uid = item.uid WHERE item.id = ?"
                                                 " AND remote_claim.holder <> ? AND remote_claim.expires > ?",
                                                 error);

      if (stmt == NULL)
        return NULL;
      sqlite3_bind_int64 (stmt, 1, item_ids[i]);
      vetter_store_bind_text (stmt, 2, desktop);
      sqlite3_bind_int64 (stmt, 3, vetter_store_now ());
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          const char *who = vetter_store_column_text (stmt, 0);

          g_ptr_array_add (held, g_strdup_printf ("ad %" G_GINT64_FORMAT " (%s, on another desktop)", item_ids[i],
                                                  who && *who ? who : "someone"));
        }
      sqlite3_reset (stmt);
    }
  return g_steal_pointer (&held);
}

static gint64
count_of (VetterStore  *self,
          const char   *sql,
          gint64        item_id)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, sql, NULL);
  gint64 count = 0;

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, item_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    count = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return count;
}

VetterDeletePlan *
vetter_store_plan_delete (VetterStore   *self,
                          const gint64  *item_ids,
                          guint          n_items,
                          GError       **error)
{
  g_autoptr(VetterDeletePlan) plan = g_new0 (VetterDeletePlan, 1);

  plan->held = held_elsewhere (self, item_ids, n_items, error);
  if (plan->held == NULL)
    return NULL;
  for (guint i = 0; i < n_items; i++)
    {
      if (count_of (self, "SELECT count(*) FROM item WHERE id = ?", item_ids[i]) == 0)
        continue;
      plan->ads++;
      plan->images += count_of (self, "SELECT count(*) FROM image WHERE item_id = ?", item_ids[i]);
      plan->variants += count_of (self, "SELECT count(*) FROM variant JOIN image ON image.id = variant.image_id"
                                        " WHERE image.item_id = ?", item_ids[i]);
      plan->remote_objects += count_of (self, "SELECT count(*) FROM variant JOIN image ON image.id = variant.image_id"
                                              " WHERE image.item_id = ? AND variant.remote_url IS NOT NULL",
                                        item_ids[i]);
      plan->shared_documents += count_of (self, "SELECT count(*) FROM couch_doc, item WHERE item.id = ?"
                                                " AND couch_doc.id IN ('ad:' || item.uid, 'decision:' || item.uid)",
                                          item_ids[i]);
    }
  return g_steal_pointer (&plan);
}

static gboolean
queue_removal (VetterStore  *self,
               const char   *member,
               const char   *value,
               gint64        batch_id,
               GError      **error)
{
  g_autoptr(JsonObject) payload = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *dedupe = g_strdup_printf ("remove:%s:%s", member, value);
  g_autofree char *text = NULL;

  json_object_set_string_member (payload, member, value);
  json_node_set_object (node, payload);
  text = json_to_string (node, FALSE);
  return vetter_store_outbox_add (self, VETTER_OUTBOX_REMOVE, dedupe, text, batch_id, 0, error);
}

/* Effects of the ad not sent yet have nothing left to send: the one whose
 * key is @key, or with @prefix_only every one whose key begins with it
 * (@key then ends where a key's part does, "/" or ":", so that ad u5's
 * are not ad u50's). */
static gboolean
drop_unsent (VetterStore  *self,
             const char   *key,
             gboolean      prefix_only,
             GError      **error)
{
  /* The keys with the prefix are those from it up to, not including, the
   * prefix with its last character one higher: a range of the keys'
   * index, not a reading of the whole outbox. */
  g_autofree char *past = g_strdup (key);
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "DELETE FROM outbox WHERE dedupe_key >= ?1 AND dedupe_key < ?2"
                                             " AND state <> 'done' AND kind <> 'remove'", error);

  if (stmt == NULL)
    return FALSE;
  if (prefix_only && *past)
    past[strlen (past) - 1]++;
  else
    {
      g_free (past);
      past = g_strconcat (key, "\x01", NULL);   /* just past the key itself */
    }
  vetter_store_bind_text (stmt, 1, key);
  vetter_store_bind_text (stmt, 2, past);
  return vetter_store_step_done (self, stmt, error);
}

/* The variants of @item_id: their files added to @files, their objects
 * in the bucket queued for removal. */
static gboolean
remove_variants (VetterStore  *self,
                 gint64        item_id,
                 const char   *uid,
                 gint64        batch_id,
                 GPtrArray    *files,
                 GError      **error)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "SELECT variant.path, variant.remote_url IS NOT NULL, image.position,"
                                             " variant.kind FROM variant JOIN image ON image.id = variant.image_id"
                                             " WHERE image.item_id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, item_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      VetterVariantKind kind;

      g_ptr_array_add (files, g_strdup (vetter_store_column_text (stmt, 0)));
      if (sqlite3_column_int (stmt, 1) && uid &&
          vetter_variant_kind_from_string (vetter_store_column_text (stmt, 3), &kind))
        g_ptr_array_add (keys, vetter_store_variant_key (uid, sqlite3_column_int (stmt, 2), kind));
    }
  sqlite3_reset (stmt);
  for (guint i = 0; i < keys->len; i++)
    if (!queue_removal (self, "s3", keys->pdata[i], batch_id, error))
      return FALSE;
  return TRUE;
}

/* The ad's documents in the shared database, as this desktop knows them:
 * forgotten, and when @here, queued for removal; those never sent are
 * simply not sent. */
static gboolean
remove_shared_documents (VetterStore  *self,
                         const char   *uid,
                         gboolean      here,
                         gint64        batch_id,
                         GError      **error)
{
  const char *prefixes[] = { "ad:", "decision:" };

  for (guint i = 0; uid && i < G_N_ELEMENTS (prefixes); i++)
    {
      g_autofree char *doc_id = g_strconcat (prefixes[i], uid, NULL);
      g_autofree char *known = vetter_store_lookup_text (self, "SELECT id FROM couch_doc WHERE id = ?", doc_id);
      g_autofree char *unsent = g_strconcat ("couch:", doc_id, NULL);

      sqlite3_stmt *stmt;

      if (!drop_unsent (self, unsent, FALSE, error))
        return FALSE;
      if (known == NULL)
        continue;
      if (here && !queue_removal (self, "doc", doc_id, batch_id, error))
        return FALSE;
      stmt = vetter_store_prepare (self, "DELETE FROM couch_doc WHERE id = ?", error);
      if (stmt == NULL)
        return FALSE;
      vetter_store_bind_text (stmt, 1, doc_id);
      if (!vetter_store_step_done (self, stmt, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
delete_one (VetterStore  *self,
            gint64        item_id,
            const char   *actor,
            const char   *action,
            gboolean      here,
            GPtrArray    *files,
            GError      **error)
{
  g_autoptr(VetterChanges) changes = vetter_changes_new ();
  g_autofree char *uid = NULL;
  g_autofree char *title = NULL;
  g_autofree char *email = NULL;
  g_autofree char *status = NULL;
  g_autofree char *mails = g_strdup_printf ("mail:%" G_GINT64_FORMAT ":", item_id);
  gint64 batch_id;
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT uid, title, email, status, batch_id FROM item WHERE id = ?",
                                             error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, item_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      /* Already gone: nothing to do. */
      sqlite3_reset (stmt);
      return TRUE;
    }
  uid = g_strdup (vetter_store_column_text (stmt, 0));
  title = g_strdup (vetter_store_column_text (stmt, 1));
  email = g_strdup (vetter_store_column_text (stmt, 2));
  status = g_strdup (vetter_store_column_text (stmt, 3));
  batch_id = sqlite3_column_int64 (stmt, 4);
  sqlite3_reset (stmt);

  /* Only the desktop that deletes removes what other machines hold; one
   * told by them removes its own copy. */
  if (uid)
    {
      g_autofree char *uploads = g_strdup_printf ("s3:ads/%s/", uid);

      if (!drop_unsent (self, uploads, TRUE, error) || !remove_shared_documents (self, uid, here, batch_id, error))
        return FALSE;
    }
  if (!remove_variants (self, item_id, here ? uid : NULL, batch_id, files, error) || !drop_unsent (self, mails, TRUE, error))
    return FALSE;

  vetter_changes_add_text (changes, "title", title, NULL);
  vetter_changes_add_text (changes, "email", email, NULL);
  vetter_changes_add_text (changes, "status", status, NULL);
  if (!vetter_store_audit (self, actor, "item", item_id, action, changes, error))
    return FALSE;
  stmt = vetter_store_prepare (self, "DELETE FROM item WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, item_id);
  if (!vetter_store_step_done (self, stmt, error))
    return FALSE;
  /* The batch counts what it still has. */
  stmt = vetter_store_prepare (self, "UPDATE batch SET total = max (total - 1, 0) WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, batch_id);
  return vetter_store_step_done (self, stmt, error);
}

GPtrArray *
vetter_store_delete_items (VetterStore   *self,
                           const gint64  *item_ids,
                           guint          n_items,
                           const char    *actor,
                           GError       **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) held = NULL;

  if (!vetter_store_begin (self, error))
    return NULL;
  held = held_elsewhere (self, item_ids, n_items, error);
  if (held == NULL)
    goto fail;
  if (held->len > 0)
    {
      g_autofree char *who = NULL;
      guint n_held = held->len;

      g_ptr_array_add (held, NULL);
      who = g_strjoinv (", ", (char **) held->pdata);
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE, "nothing was deleted: %s %s being reviewed", who,
                   n_held > 1 ? "are" : "is");
      goto fail;
    }
  for (guint i = 0; i < n_items; i++)
    if (!delete_one (self, item_ids[i], actor, "delete", TRUE, files, error))
      goto fail;
  if (!vetter_store_commit (self, error))
    goto fail;
  return g_steal_pointer (&files);

fail:
  vetter_store_rollback (self);
  return NULL;
}

gboolean
vetter_store_delete_from_elsewhere (VetterStore  *self,
                                    const char   *uid,
                                    GPtrArray    *files,
                                    GError      **error)
{
  g_autofree char *id = vetter_store_lookup_text (self, "SELECT id FROM item WHERE uid = ?", uid);

  if (id == NULL)
    return TRUE;
  return delete_one (self, g_ascii_strtoll (id, NULL, 10), "elsewhere", "deleted elsewhere", FALSE, files, error);
}

void
vetter_store_remove_files (GPtrArray *files)
{
  for (guint i = 0; files && i < files->len; i++)
    {
      const char *path = files->pdata[i];
      g_autofree char *dir = g_path_get_dirname (path);

      if (g_unlink (path) != 0 && errno != ENOENT)
        g_warning ("cannot remove %s: %s", path, g_strerror (errno));
      /* The ad's own folder goes once empty; a shared one stays. */
      g_rmdir (dir);
    }
}
