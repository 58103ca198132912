/* vetter-store-couch.c: the local side of the shared database
 *
 * Documents have ids every desktop computes alike: "ad:<uid>",
 * "decision:<uid>", "batch:<key hash>", "claim:<uid>". The store keeps the
 * server revision each document had when this desktop last saw it, builds
 * the documents it pushes from its own rows, and takes in what other
 * desktops wrote, in one transaction with the feed position it came from.
 *
 * The rule for two decisions on one ad: the first to reach the database
 * stands. A later one written against a revision it did not know is not
 * written over it; unless the two say the same, or one of them is only
 * the rules' and the other a person's (a person's wins), the item keeps
 * both and waits for a moderator to keep one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-store"

#include "config.h"

#include <string.h>

#include "vetter-enum-types.h"
#include "vetter-error.h"
#include "vetter-json.h"
#include "vetter-store-private.h"

/* ---- Ids ------------------------------------------------------------------ */

char *
vetter_store_make_uid (const char *batch_key,
                       guint       row)
{
  g_autofree char *text = g_strdup_printf ("%s#%u", batch_key, row);
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);

  return g_strndup (digest, 32);
}

static char *
batch_doc_id (const char *batch_key)
{
  g_autofree char *digest = NULL;

  /* A pulled batch keeps the id it came with. */
  if (g_str_has_prefix (batch_key, "couch:"))
    return g_strdup (batch_key + strlen ("couch:"));
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, batch_key, -1);
  return g_strdup_printf ("batch:%.32s", digest);
}

static char *
state_get (VetterStore *self,
           const char  *name)
{
  return vetter_store_lookup_text (self, "SELECT value FROM sync_state WHERE name = ?", name);
}

static gboolean
state_set (VetterStore  *self,
           const char   *name,
           const char   *value,
           GError      **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "INSERT INTO sync_state (name, value) VALUES (?1, ?2)"
                                             " ON CONFLICT (name) DO UPDATE SET value = excluded.value", error);

  if (stmt == NULL)
    return FALSE;
  vetter_store_bind_text (stmt, 1, name);
  vetter_store_bind_text (stmt, 2, value);
  return vetter_store_step_done (self, stmt, error);
}

/* This database's own name among the desktops, made once. */
char *
vetter_store_desktop_id (VetterStore  *self,
                         GError      **error)
{
  char *id = state_get (self, "desktop");

  if (id == NULL)
    {
      id = g_uuid_string_random ();
      if (!state_set (self, "desktop", id, error))
        g_clear_pointer (&id, g_free);
    }
  return id;
}

/* Where the last pull ended, as the server wrote it (JSON), or NULL. */
char *
vetter_store_couch_since (VetterStore *self)
{
  return state_get (self, "couch_since");
}

static char *
known_rev (VetterStore *self,
           const char  *doc_id)
{
  return vetter_store_lookup_text (self, "SELECT rev FROM couch_doc WHERE id = ?", doc_id);
}

/* @body may be NULL to keep the one stored. */
static gboolean
remember_doc (VetterStore  *self,
              const char   *doc_id,
              const char   *rev,
              const char   *body,
              GError      **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "INSERT INTO couch_doc (id, rev, body, updated) VALUES (?1, ?2, ?3, ?4)"
                                             " ON CONFLICT (id) DO UPDATE SET rev = excluded.rev,"
                                             " body = coalesce (excluded.body, body), updated = excluded.updated", error);

  if (stmt == NULL)
    return FALSE;
  vetter_store_bind_text (stmt, 1, doc_id);
  vetter_store_bind_text (stmt, 2, rev);
  vetter_store_bind_text (stmt, 3, body);
  sqlite3_bind_int64 (stmt, 4, vetter_store_now ());
  return vetter_store_step_done (self, stmt, error);
}

gboolean
vetter_store_couch_remember (VetterStore  *self,
                             const char   *doc_id,
                             const char   *rev,
                             const char   *body,
                             GError      **error)
{
  return remember_doc (self, doc_id, rev, body, error);
}

static char *
object_to_string (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, object);
  return json_to_string (node, FALSE);
}

static JsonObject *
object_from_string (const char *text)
{
  g_autoptr(JsonNode) node = text ? json_from_string (text, NULL) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_object_ref (json_node_get_object (node));
}

static gboolean push_waiting (VetterStore *self,
                              const char  *doc_id);

/* ---- What goes to the outbox ---------------------------------------------- */

static gboolean
add_couch_row (VetterStore  *self,
               const char   *doc_id,
               JsonObject   *extra,
               gboolean      only_once,
               gint64        batch_id,
               GError      **error)
{
  g_autoptr(JsonObject) payload = extra ? json_object_ref (extra) : json_object_new ();
  g_autofree char *dedupe = g_strconcat ("couch:", doc_id, NULL);
  g_autofree char *text = NULL;

  if (only_once)
    {
      g_autofree char *state = vetter_store_lookup_text (self, "SELECT state FROM outbox WHERE dedupe_key = ?", dedupe);

      if (state)
        return TRUE;
    }
  json_object_set_string_member (payload, "doc", doc_id);
  text = object_to_string (payload);
  return vetter_store_outbox_add (self, VETTER_OUTBOX_COUCH, dedupe, text, batch_id, 0, error);
}

typedef struct
{
  char         *uid;
  gint64        batch_id;
  char         *batch_key;
  char         *batch_kind;
  VetterStatus  status;
  gint64        decided_at;
} ItemKeys;

static void
item_keys_clear (ItemKeys *keys)
{
  g_free (keys->uid);
  g_free (keys->batch_key);
  g_free (keys->batch_kind);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ItemKeys, item_keys_clear)

static gboolean
read_item_keys (VetterStore  *self,
                gint64        item_id,
                ItemKeys     *keys,
                GError      **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "SELECT item.uid, batch.key, batch.kind, item.status, item.decided_at,"
                                             " batch.id"
                                             " FROM item JOIN batch ON batch.id = item.batch_id WHERE item.id = ?", error);

  memset (keys, 0, sizeof *keys);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, item_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE, "there is no item %" G_GINT64_FORMAT, item_id);
      return FALSE;
    }
  keys->uid = g_strdup (vetter_store_column_text (stmt, 0));
  keys->batch_key = g_strdup (vetter_store_column_text (stmt, 1));
  keys->batch_kind = g_strdup (vetter_store_column_text (stmt, 2));
  keys->status = vetter_status_from_string (vetter_store_column_text (stmt, 3));
  keys->decided_at = sqlite3_column_int64 (stmt, 4);
  keys->batch_id = sqlite3_column_int64 (stmt, 5);
  sqlite3_reset (stmt);
  return TRUE;
}

/* A decision's document; the advertiser's mail waits until the database
 * has taken it, so only the desktop whose decision stands writes to them. */
gboolean
vetter_store_couch_push_decision (VetterStore         *self,
                                  gint64               item_id,
                                  const VetterConfig  *config,
                                  guint                mail_delay,
                                  GError             **error)
{
  g_auto(ItemKeys) keys = { 0 };
  g_autoptr(JsonObject) payload = json_object_new ();
  g_autofree char *doc_id = NULL;

  if (!read_item_keys (self, item_id, &keys, error))
    return FALSE;
  doc_id = g_strconcat ("decision:", keys.uid, NULL);
  json_object_set_int_member (payload, "item_id", item_id);
  json_object_set_int_member (payload, "decided_at", keys.decided_at);
  if (config->sync_mail && vetter_status_is_final (keys.status))
    json_object_set_int_member (payload, "mail_after", keys.decided_at + (gint64) mail_delay * G_USEC_PER_SEC);
  return add_couch_row (self, doc_id, payload, FALSE, keys.batch_id, error);
}

VetterItemDecision *
vetter_store_couch_waiting_decision (VetterStore *self,
                                     const char  *uid)
{
  g_autofree char *doc_id = g_strconcat ("decision:", uid, NULL);
  g_autofree char *text = vetter_store_lookup_text (self, "SELECT body FROM couch_doc WHERE id = ?", doc_id);
  g_autoptr(JsonObject) body = object_from_string (text);
  VetterItemDecision *decision = body ? vetter_store_decision_from_doc (body) : NULL;

  /* One only for review leaves the rules' verdict here as it is. */
  if (decision && !vetter_status_is_final (decision->status))
    g_clear_pointer (&decision, vetter_item_decision_free);
  return decision;
}

/* A processed item's ad (when it started here) and its batch. */
gboolean
vetter_store_couch_push_item (VetterStore  *self,
                              gint64        item_id,
                              GError      **error)
{
  g_auto(ItemKeys) keys = { 0 };
  g_autoptr(JsonObject) payload = json_object_new ();
  g_autofree char *ad_id = NULL;
  g_autofree char *batch_id = NULL;

  if (!read_item_keys (self, item_id, &keys, error))
    return FALSE;
  if (g_strcmp0 (keys.batch_kind, "remote") == 0)
    return TRUE;
  ad_id = g_strconcat ("ad:", keys.uid, NULL);
  batch_id = batch_doc_id (keys.batch_key);
  json_object_set_int_member (payload, "item_id", item_id);
  return add_couch_row (self, batch_id, NULL, TRUE, keys.batch_id, error) &&
         add_couch_row (self, ad_id, payload, FALSE, keys.batch_id, error);
}

/* The results of an item processed here, for the team. */
gboolean
vetter_store_couch_push_work (VetterStore  *self,
                              gint64        item_id,
                              GError      **error)
{
  g_auto(ItemKeys) keys = { 0 };
  g_autofree char *work_id = NULL;

  if (!read_item_keys (self, item_id, &keys, error))
    return FALSE;
  work_id = g_strconcat ("work:", keys.uid, NULL);
  return add_couch_row (self, work_id, NULL, FALSE, keys.batch_id, error);
}

gboolean
vetter_store_couch_push_shared (VetterStore  *self,
                                gint64        item_id,
                                GError      **error)
{
  g_auto(ItemKeys) keys = { 0 };
  g_autoptr(JsonObject) payload = json_object_new ();
  g_autofree char *ad_id = NULL;
  g_autofree char *work_id = NULL;
  g_autofree char *batch_id = NULL;

  if (!read_item_keys (self, item_id, &keys, error))
    return FALSE;
  ad_id = g_strconcat ("ad:", keys.uid, NULL);
  work_id = g_strconcat ("work:", keys.uid, NULL);
  batch_id = batch_doc_id (keys.batch_key);
  json_object_set_int_member (payload, "item_id", item_id);
  return add_couch_row (self, batch_id, NULL, TRUE, keys.batch_id, error) &&
         add_couch_row (self, ad_id, payload, FALSE, keys.batch_id, error) &&
         add_couch_row (self, work_id, NULL, TRUE, keys.batch_id, error);
}

gboolean
vetter_store_couch_pushed (VetterStore *self,
                           const char  *doc_id)
{
  return !push_waiting (self, doc_id);
}

gboolean
vetter_store_couch_set_sharing (VetterStore  *self,
                                gboolean      share_work,
                                const char   *pipeline_config,
                                const char   *pipeline_settings,
                                GError      **error)
{
  return state_set (self, "share_work", share_work ? "1" : "0", error) &&
         state_set (self, "pipeline_config", pipeline_config, error) &&
         state_set (self, "pipeline_settings", pipeline_settings, error);
}

gboolean
vetter_store_couch_push_settings (VetterStore  *self,
                                  GError      **error)
{
  return add_couch_row (self, "config:pipeline", NULL, FALSE, 0, error);
}

/* The team's settings, as this admin's desktop has them. */
static JsonObject *
build_settings (VetterStore  *self,
                GError      **error)
{
  g_autofree char *text = state_get (self, "pipeline_settings");
  g_autofree char *hash = state_get (self, "pipeline_config");
  JsonObject *doc = object_from_string (text);

  if (doc == NULL)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_SYNC, "no settings to share yet");
      return NULL;
    }
  json_object_set_string_member (doc, "type", "config");
  json_object_set_string_member (doc, "hash", hash);
  return doc;
}

/* ---- Documents as pushed -------------------------------------------------- */

/* The images other desktops can fetch: a URL the input gave, else the
 * compressed copy's public URL once uploaded. FALSE when an upload that
 * would name one is still waiting. */
static gboolean
ad_images (VetterStore *self,
           gint64       item_id,
           JsonArray   *images)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "SELECT image.source, coalesce (image.remote_url,"
                                             " (SELECT remote_url FROM variant WHERE variant.image_id = image.id"
                                             " AND kind = 'compressed')),"
                                             " EXISTS (SELECT 1 FROM variant JOIN outbox ON outbox.dedupe_key = 's3:' ||"
                                             "   'ads/' || item.uid || '/' || image.position || '-compressed.jpg'"
                                             "   WHERE variant.image_id = image.id AND variant.kind = 'compressed'"
                                             "   AND outbox.state = 'pending')"
                                             " OR EXISTS (SELECT 1 FROM outbox WHERE outbox.dedupe_key = 's3:originals/'"
                                             "   || item.uid || '/' || image.position AND outbox.state = 'pending')"
                                             " FROM image JOIN item ON item.id = image.item_id"
                                             " WHERE image.item_id = ? ORDER BY image.position", NULL);
  gboolean ready = TRUE;

  sqlite3_bind_int64 (stmt, 1, item_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *source = vetter_store_column_text (stmt, 0);
      const char *remote = vetter_store_column_text (stmt, 1);
      gboolean is_url = g_str_has_prefix (source, "http://") || g_str_has_prefix (source, "https://");

      if (!is_url && remote == NULL && sqlite3_column_int (stmt, 2))
        ready = FALSE;
      if (is_url)
        json_array_add_string_element (images, source);
      else if (remote)
        json_array_add_string_element (images, remote);
      else
        json_array_add_null_element (images);
    }
  sqlite3_reset (stmt);
  return ready;
}

static JsonObject *
build_ad (VetterStore  *self,
          const char   *uid,
          gboolean     *wait,
          GError      **error)
{
  g_autoptr(JsonObject) doc = json_object_new ();
  JsonArray *images = json_array_new ();
  g_autofree char *batch = NULL;
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "SELECT item.id, batch.key, item.row, item.title, item.email, item.description,"
                                             " item.category, item.created, batch.source"
                                             " FROM item JOIN batch ON batch.id = item.batch_id"
                                             " WHERE item.uid = ?", error);
  gint64 item_id;

  json_object_set_array_member (doc, "images", images);
  if (stmt == NULL)
    return NULL;
  vetter_store_bind_text (stmt, 1, uid);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE, "no item is ad %s", uid);
      return NULL;
    }
  item_id = sqlite3_column_int64 (stmt, 0);
  batch = batch_doc_id (vetter_store_column_text (stmt, 1));
  json_object_set_string_member (doc, "type", "ad");
  json_object_set_string_member (doc, "batch", batch);
  json_object_set_int_member (doc, "row", sqlite3_column_int (stmt, 2));
  vetter_store_json_set_text (doc, "title", vetter_store_column_text (stmt, 3));
  vetter_store_json_set_text (doc, "email", vetter_store_column_text (stmt, 4));
  vetter_store_json_set_text (doc, "description", vetter_store_column_text (stmt, 5));
  vetter_store_json_set_text (doc, "category", vetter_store_column_text (stmt, 6));
  json_object_set_int_member (doc, "created", sqlite3_column_int64 (stmt, 7));
  /* Named with the ad itself: the batch's document may come later. */
  if (vetter_store_column_text (stmt, 8))
    {
      g_autofree char *name = g_path_get_basename (vetter_store_column_text (stmt, 8));

      json_object_set_string_member (doc, "batch_name", name);
    }
  sqlite3_reset (stmt);
  /* Its results come as its work document: others need not process it. */
  {
    g_autofree char *shares = state_get (self, "share_work");

    if (g_strcmp0 (shares, "1") == 0)
      json_object_set_boolean_member (doc, "shared_work", TRUE);
  }
  *wait = !ad_images (self, item_id, images);
  return g_steal_pointer (&doc);
}

static JsonObject *
build_decision (VetterStore  *self,
                const char   *uid,
                GError      **error)
{
  g_autoptr(JsonObject) doc = json_object_new ();
  g_autofree char *desktop = vetter_store_desktop_id (self, error);
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "SELECT status, reason_code, reason, note, rule, auto, decided_by, decided_at"
                                             " FROM item WHERE uid = ?", error);

  if (stmt == NULL || desktop == NULL)
    return NULL;
  vetter_store_bind_text (stmt, 1, uid);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE, "no item is ad %s", uid);
      return NULL;
    }
  json_object_set_string_member (doc, "type", "decision");
  json_object_set_string_member (doc, "ad", uid);
  json_object_set_string_member (doc, "status", vetter_store_column_text (stmt, 0));
  vetter_store_json_set_text (doc, "reason_code", vetter_store_column_text (stmt, 1));
  vetter_store_json_set_text (doc, "reason", vetter_store_column_text (stmt, 2));
  vetter_store_json_set_text (doc, "note", vetter_store_column_text (stmt, 3));
  vetter_store_json_set_text (doc, "rule", vetter_store_column_text (stmt, 4));
  json_object_set_boolean_member (doc, "auto", sqlite3_column_int (stmt, 5) != 0);
  json_object_set_string_member (doc, "decided_by",
                                 vetter_store_column_text (stmt, 6) ? vetter_store_column_text (stmt, 6) : "vetter");
  json_object_set_int_member (doc, "decided_at", sqlite3_column_int64 (stmt, 7));
  json_object_set_string_member (doc, "desktop", desktop);
  sqlite3_reset (stmt);
  return g_steal_pointer (&doc);
}

static JsonObject *
build_batch (VetterStore  *self,
             const char   *doc_id,
             GError      **error)
{
  g_autoptr(JsonObject) doc = NULL;
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT key, source, kind, created, total FROM batch", error);

  if (stmt == NULL)
    return NULL;
  /* Batches are few; their document id is a hash of the key. */
  while (doc == NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autofree char *id = batch_doc_id (vetter_store_column_text (stmt, 0));
      g_autofree char *name = NULL;

      if (!g_str_equal (id, doc_id))
        continue;
      name = g_path_get_basename (vetter_store_column_text (stmt, 1));
      doc = json_object_new ();
      json_object_set_string_member (doc, "type", "batch");
      json_object_set_string_member (doc, "name", name);
      json_object_set_string_member (doc, "kind", vetter_store_column_text (stmt, 2));
      json_object_set_int_member (doc, "created", sqlite3_column_int64 (stmt, 3));
      json_object_set_int_member (doc, "total", sqlite3_column_int64 (stmt, 4));
    }
  sqlite3_reset (stmt);
  if (doc == NULL)
    g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE, "no batch is %s", doc_id);
  return g_steal_pointer (&doc);
}

/* The document @doc_id as this desktop has it now, with "_id" and, when
 * known, the "_rev" it replaces. NULL with *@wait set: not yet (an ad
 * whose image is still being uploaded). */
JsonObject *
vetter_store_couch_doc (VetterStore  *self,
                        const char   *doc_id,
                        gboolean     *wait,
                        GError      **error)
{
  g_autoptr(JsonObject) doc = NULL;
  g_autofree char *rev = NULL;

  *wait = FALSE;
  if (g_str_has_prefix (doc_id, "ad:"))
    doc = build_ad (self, doc_id + 3, wait, error);
  else if (g_str_has_prefix (doc_id, "decision:"))
    doc = build_decision (self, doc_id + 9, error);
  else if (g_str_has_prefix (doc_id, "batch:"))
    doc = build_batch (self, doc_id, error);
  else if (g_str_has_prefix (doc_id, "work:"))
    doc = vetter_store_work_build (self, doc_id + 5, wait, error);
  else if (g_str_equal (doc_id, "config:pipeline"))
    doc = build_settings (self, error);
  else
    g_set_error (error, VETTER_ERROR, VETTER_ERROR_SYNC, "no document is called %s", doc_id);
  if (doc == NULL || *wait)
    return NULL;
  json_object_set_string_member (doc, "_id", doc_id);
  rev = known_rev (self, doc_id);
  if (rev)
    json_object_set_string_member (doc, "_rev", rev);
  return g_steal_pointer (&doc);
}

/* ---- What the server answered --------------------------------------------- */

static gint64
item_by_uid (VetterStore *self,
             const char  *uid)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT id FROM item WHERE uid = ?", NULL);
  gint64 id = 0;

  vetter_store_bind_text (stmt, 1, uid);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return id;
}

/* The database took a decision: the advertiser hears it now, unless it
 * has been changed here since (the newer one is on its way). */
static gboolean
queue_mail (VetterStore  *self,
            JsonObject   *payload,
            GError      **error)
{
  gint64 item_id = vetter_json_int (payload, "item_id", 0);
  gint64 decided_at = vetter_json_int (payload, "decided_at", 0);
  gint64 mail_after = vetter_json_int (payload, "mail_after", -1);
  g_auto(ItemKeys) keys = { 0 };
  gint64 wait;

  if (mail_after < 0 || !read_item_keys (self, item_id, &keys, NULL))
    return TRUE;
  if (keys.decided_at != decided_at || !vetter_status_is_final (keys.status))
    return TRUE;
  wait = MAX (0, mail_after - vetter_store_now ());
  return vetter_store_effects_mail (self, item_id, decided_at, (guint) ((wait + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC),
                                       error);
}

gboolean
vetter_store_couch_accepted (VetterStore  *self,
                             const char   *doc_id,
                             const char   *rev,
                             JsonObject   *payload,
                             GError      **error)
{
  if (!vetter_store_begin (self, error))
    return FALSE;
  if (!remember_doc (self, doc_id, rev, NULL, error) ||
      (g_str_has_prefix (doc_id, "decision:") && !queue_mail (self, payload, error)) ||
      !vetter_store_commit (self, error))
    {
      vetter_store_rollback (self);
      return FALSE;
    }
  return TRUE;
}

static gboolean
same_document (JsonObject *ours,
               JsonObject *theirs)
{
  g_autoptr(JsonNode) a = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonNode) b = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) x = json_object_new ();
  g_autoptr(JsonObject) y = json_object_new ();
  GList *members;

  /* Compared without their revisions. */
  members = json_object_get_members (ours);
  for (GList *l = members; l; l = l->next)
    if (!g_str_equal (l->data, "_rev"))
      json_object_set_member (x, l->data, json_node_copy (json_object_get_member (ours, l->data)));
  g_list_free (members);
  members = json_object_get_members (theirs);
  for (GList *l = members; l; l = l->next)
    if (!g_str_equal (l->data, "_rev"))
      json_object_set_member (y, l->data, json_node_copy (json_object_get_member (theirs, l->data)));
  g_list_free (members);
  json_node_set_object (a, x);
  json_node_set_object (b, y);
  return json_node_equal (a, b);
}

VetterItemDecision *
vetter_store_decision_from_doc (JsonObject *doc)
{
  const char *status = vetter_json_string (doc, "status");
  VetterItemDecision *decision;
  int value;

  if (!vetter_enum_from_string (VETTER_TYPE_STATUS, status, &value) || !vetter_status_is_decidable (value))
    return NULL;
  decision = g_new0 (VetterItemDecision, 1);
  decision->status = value;
  decision->reason_code = g_strdup (vetter_json_string (doc, "reason_code"));
  decision->reason = g_strdup (vetter_json_string (doc, "reason"));
  decision->note = g_strdup (vetter_json_string (doc, "note"));
  decision->rule = g_strdup (vetter_json_string (doc, "rule"));
  decision->is_auto = vetter_json_boolean (doc, "auto", FALSE);
  decision->decided_by = g_strdup (vetter_json_string (doc, "decided_by") ? vetter_json_string (doc, "decided_by")
                                                                        : "vetter");
  decision->decided_at = vetter_json_int (doc, "decided_at", 0);
  return decision;
}

/* Another desktop's decision becomes this item's, logged as @action under
 * @actor (its author, unless a moderator here chose it). */
static gboolean
apply_remote_decision (VetterStore  *self,
                       gint64        item_id,
                       JsonObject   *doc,
                       const char   *action,
                       GError      **error)
{
  g_autoptr(VetterItemDecision) decision = vetter_store_decision_from_doc (doc);

  if (decision == NULL)
    return TRUE;
  return vetter_store_write_decision (self, item_id, decision, VETTER_ORIGIN_ELSEWHERE, action, decision->decided_by,
                                      NULL, NULL, error);
}

/* Two decisions on one ad: the item keeps theirs beside its own. */
static gboolean
note_conflict (VetterStore  *self,
               gint64        item_id,
               JsonObject   *theirs,
               const char   *theirs_text,
               GError      **error)
{
  g_autoptr(VetterChanges) changes = vetter_changes_new ();
  g_autoptr(VetterItemDecision) decision = vetter_store_decision_from_doc (theirs);

  vetter_changes_add_decision (changes, "conflict.", NULL, decision);
  return vetter_store_set_conflict (self, item_id, theirs_text, error) &&
         vetter_store_audit (self, "vetter", "item", item_id, "conflict", changes, error);
}

/* The server refused @ours for a revision it did not know, and holds
 * @theirs: the rule in this file's head decides what happens. */
VetterCouchOutcome
vetter_store_couch_refused (VetterStore  *self,
                            JsonObject   *ours,
                            JsonObject   *theirs,
                            JsonObject   *payload,
                            GError      **error)
{
  const char *doc_id = vetter_json_string (ours, "_id");
  const char *rev = vetter_json_string (theirs, "_rev");
  g_autofree char *theirs_text = object_to_string (theirs);
  VetterCouchOutcome outcome;
  gint64 item_id = 0;

  if (!vetter_store_begin (self, error))
    return VETTER_COUCH_FAILED;
  if (same_document (ours, theirs))
    {
      /* Ours, already there: an answer that was lost on the way back. */
      outcome = VETTER_COUCH_ACCEPTED;
      if (!remember_doc (self, doc_id, rev, NULL, error) ||
          (g_str_has_prefix (doc_id, "decision:") && !queue_mail (self, payload, error)))
        goto fail;
    }
  else if (g_str_has_prefix (doc_id, "work:"))
    {
      g_autofree char *desktop = vetter_store_desktop_id (self, error);

      if (desktop == NULL)
        goto fail;
      if (g_strcmp0 (vetter_json_string (theirs, "holder"), desktop) == 0 &&
          g_strcmp0 (vetter_json_string (theirs, "state"), "leased") == 0)
        {
          /* Our own lease renewed meanwhile: ours goes over it. */
          outcome = VETTER_COUCH_AGAIN;
          if (!remember_doc (self, doc_id, rev, NULL, error))
            goto fail;
        }
      else
        {
          /* The lease was lost: another machine's results stand, and are
           * taken in here as any other's. */
          outcome = VETTER_COUCH_ADOPTED;
          if (!remember_doc (self, doc_id, rev, theirs_text, error) ||
              !vetter_store_work_wait_for_team (self, doc_id + strlen ("work:"), error) ||
              !vetter_store_work_take (self, doc_id + strlen ("work:"), theirs, FALSE, error))
            goto fail;
        }
    }
  else if (!g_str_has_prefix (doc_id, "decision:"))
    {
      /* Ads and batches have one author: ours replaces what was there. */
      outcome = VETTER_COUCH_AGAIN;
      if (!remember_doc (self, doc_id, rev, NULL, error))
        goto fail;
    }
  else
    {
      gboolean ours_auto = vetter_json_boolean (ours, "auto", FALSE);
      gboolean theirs_auto = vetter_json_boolean (theirs, "auto", FALSE);

      item_id = item_by_uid (self, doc_id + strlen ("decision:"));
      if (g_strcmp0 (vetter_json_string (ours, "status"), vetter_json_string (theirs, "status")) == 0 &&
          g_strcmp0 (vetter_json_string (ours, "reason_code"), vetter_json_string (theirs, "reason_code")) == 0)
        {
          /* The same verdict reached twice: theirs stands and was mailed. */
          outcome = VETTER_COUCH_ADOPTED;
          if (!remember_doc (self, doc_id, rev, theirs_text, error))
            goto fail;
        }
      else if (ours_auto && !theirs_auto)
        {
          outcome = VETTER_COUCH_ADOPTED;
          if (!remember_doc (self, doc_id, rev, theirs_text, error) ||
              !apply_remote_decision (self, item_id, theirs, "remote", error))
            goto fail;
        }
      else if (!ours_auto && theirs_auto)
        {
          /* A person's decision overrules the rules' of another desktop. */
          outcome = VETTER_COUCH_AGAIN;
          if (!remember_doc (self, doc_id, rev, theirs_text, error))
            goto fail;
        }
      else
        {
          outcome = VETTER_COUCH_CONFLICT;
          if (!note_conflict (self, item_id, theirs, theirs_text, error))
            goto fail;
        }
    }
  if (!vetter_store_commit (self, error))
    goto fail;
  return outcome;

fail:
  vetter_store_rollback (self);
  return VETTER_COUCH_FAILED;
}

/* The revision of the item's decision document, as another desktop left
 * it: the next write of ours goes over it knowingly. */
gboolean
vetter_store_couch_remember_rev (VetterStore  *self,
                                 gint64        item_id,
                                 const char   *rev,
                                 GError      **error)
{
  g_auto(ItemKeys) keys = { 0 };
  g_autofree char *doc_id = NULL;

  if (!read_item_keys (self, item_id, &keys, error))
    return FALSE;
  doc_id = g_strconcat ("decision:", keys.uid, NULL);
  return remember_doc (self, doc_id, rev, NULL, error);
}

/* ---- What other desktops wrote -------------------------------------------- */

static gint64
remote_batch (VetterStore  *self,
              const char   *batch_doc,
              const char   *name,
              GError      **error)
{
  g_autofree char *key = g_strconcat ("couch:", batch_doc ? batch_doc : "batch:shared", NULL);
  g_autofree char *dir = NULL;
  g_autofree char *output_dir = NULL;
  gint64 id = vetter_store_find_batch (self, key);
  sqlite3_stmt *stmt;

  if (id > 0)
    {
      /* New work for a finished batch opens it again. */
      stmt = vetter_store_prepare (self, "UPDATE batch SET state = 'running', finished = NULL, total = total + 1"
                                         " WHERE id = ?", error);
      if (stmt == NULL)
        return 0;
      sqlite3_bind_int64 (stmt, 1, id);
      return vetter_store_step_done (self, stmt, error) ? id : 0;
    }
  stmt = vetter_store_prepare (self, "INSERT INTO batch (key, source, kind, created, total, output_dir)"
                                     " VALUES (?, ?, 'remote', ?, 1, ?)", error);
  if (stmt == NULL)
    return 0;
  /* Their variants are made beside the database, as the window's are;
   * machines whose databases share a folder each have their own. */
  dir = g_path_get_dirname (self->path);
  {
    g_autofree char *base = g_path_get_basename (self->path);
    char *dot = strrchr (base, '.');

    if (dot)
      *dot = '\0';
    output_dir = g_str_equal (base, "vetter") ? g_build_filename (dir, "output", NULL)
                                              : g_strdup_printf ("%s/%s-output", dir, base);
  }
  vetter_store_bind_text (stmt, 1, key);
  vetter_store_bind_text (stmt, 2, name ? name : "Shared database");
  sqlite3_bind_int64 (stmt, 3, vetter_store_now ());
  vetter_store_bind_text (stmt, 4, output_dir);
  if (!vetter_store_step_done (self, stmt, error))
    return 0;
  return sqlite3_last_insert_rowid (self->db);
}

/* An ad from the database joins the local queue, with its images to
 * download; one that names none it can fetch fails alone, saying so. */
gboolean
vetter_store_couch_take_ad (VetterStore  *self,
                const char   *uid,
                JsonObject   *doc,
                GArray       *batches,
                GError      **error)
{
  JsonArray *images = vetter_json_array (doc, "images");
  g_autofree char *failure = NULL;
  g_autofree char *shares = state_get (self, "share_work");
  /* Processed once, elsewhere, when its results will come and this
   * desktop can fetch what they name. */
  gboolean team = vetter_json_boolean (doc, "shared_work", FALSE) && g_strcmp0 (shares, "1") == 0;
  gint64 batch_id, item_id, now = vetter_store_now ();
  guint n_images = images ? json_array_get_length (images) : 0;
  sqlite3_stmt *stmt;
  guint row = 0;

  batch_id = remote_batch (self, vetter_json_string (doc, "batch"), vetter_json_string (doc, "batch_name"), error);
  if (batch_id == 0)
    return FALSE;
  stmt = vetter_store_prepare (self, "SELECT coalesce (max (row), 0) + 1 FROM item WHERE batch_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, batch_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    row = (guint) sqlite3_column_int (stmt, 0);
  sqlite3_reset (stmt);

  for (guint i = 0; i < n_images && failure == NULL; i++)
    if (vetter_json_element_string (images, i) == NULL)
      failure = g_strdup_printf ("image %u of this ad names no URL to fetch (it may be only on the desktop that "
                                 "added it)", i + 1);
  if (n_images == 0)
    failure = g_strdup ("the ad names no image");

  stmt = vetter_store_prepare (self,
                               "INSERT INTO item (batch_id, row, title, email, description, category, status, error,"
                               " created, updated, uid, step) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, batch_id);
  sqlite3_bind_int (stmt, 2, (int) row);
  vetter_store_bind_text (stmt, 3, vetter_json_string (doc, "title"));
  vetter_store_bind_text (stmt, 4, vetter_json_string (doc, "email"));
  vetter_store_bind_text (stmt, 5, vetter_json_string (doc, "description"));
  vetter_store_bind_text (stmt, 6, vetter_json_string (doc, "category"));
  vetter_store_bind_text (stmt, 7, failure ? "failed" : "queued");
  vetter_store_bind_text (stmt, 8, failure);
  vetter_store_bind_text (stmt, 12, team && failure == NULL ? VETTER_STORE_TEAM_STEP : NULL);
  sqlite3_bind_int64 (stmt, 9, now);
  sqlite3_bind_int64 (stmt, 10, now);
  vetter_store_bind_text (stmt, 11, uid);
  if (!vetter_store_step_done (self, stmt, error))
    return FALSE;
  item_id = sqlite3_last_insert_rowid (self->db);

  for (guint i = 0; i < n_images; i++)
    {
      const char *url = vetter_json_element_string (images, i);

      stmt = vetter_store_prepare (self, "INSERT INTO image (item_id, position, source, location) VALUES (?, ?, ?, ?)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, item_id);
      sqlite3_bind_int (stmt, 2, (int) i + 1);
      vetter_store_bind_text (stmt, 3, url ? url : "");
      vetter_store_bind_text (stmt, 4, url ? url : "");
      if (!vetter_store_step_done (self, stmt, error))
        return FALSE;
    }
  if (team)
    {
      /* Its results may have come first. */
      g_autofree char *work_id = g_strconcat ("work:", uid, NULL);
      g_autofree char *text = vetter_store_lookup_text (self, "SELECT body FROM couch_doc WHERE id = ?", work_id);
      g_autoptr(JsonObject) work = object_from_string (text);

      return work == NULL || vetter_store_work_take (self, uid, work, FALSE, error);
    }
  for (guint i = 0; i < batches->len; i++)
    if (g_array_index (batches, gint64, i) == batch_id)
      return TRUE;
  g_array_append_val (batches, batch_id);
  return TRUE;
}

static gboolean
push_waiting (VetterStore *self,
              const char  *doc_id)
{
  g_autofree char *dedupe = g_strconcat ("couch:", doc_id, NULL);
  g_autofree char *state = vetter_store_lookup_text (self, "SELECT state FROM outbox WHERE dedupe_key = ?", dedupe);

  return state && !g_str_equal (state, "done");
}

static gboolean
in_conflict (VetterStore *self,
             gint64       item_id)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT conflict IS NOT NULL FROM item WHERE id = ?", NULL);
  gboolean conflict = FALSE;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, item_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    conflict = sqlite3_column_int (stmt, 0) != 0;
  sqlite3_reset (stmt);
  return conflict;
}

static gboolean
take_remote_decision (VetterStore  *self,
                      const char   *doc_id,
                      JsonObject   *doc,
                      const char   *desktop,
                      GError      **error)
{
  const char *rev = vetter_json_string (doc, "_rev");
  g_autofree char *text = object_to_string (doc);
  gint64 item_id = item_by_uid (self, doc_id + strlen ("decision:"));
  VetterStatus status;

  /* Our own write coming back: only its revision is news. */
  if (g_strcmp0 (vetter_json_string (doc, "desktop"), desktop) == 0)
    return remember_doc (self, doc_id, rev, text, error);
  /* Ours still on its way: its answer (taken, or refused for this very
   * revision) settles it; remembering the revision here would let ours
   * overwrite theirs unseen. */
  if (push_waiting (self, doc_id))
    return TRUE;
  if (!remember_doc (self, doc_id, rev, text, error))
    return FALSE;
  if (item_id == 0)
    return TRUE;
  if (!vetter_store_item_status (self, item_id, &status, NULL, error))
    return FALSE;
  /* Still being processed here: the result will meet it then. */
  if (status == VETTER_STATUS_QUEUED || status == VETTER_STATUS_PROCESSING)
    return TRUE;
  /* In conflict: a person chooses. Theirs, as it now is, is what they
   * choose between; it does not become the item's by arriving. */
  if (in_conflict (self, item_id))
    return vetter_store_set_conflict (self, item_id, text, error);
  return apply_remote_decision (self, item_id, doc, "remote", error);
}

static gboolean
take_claim (VetterStore  *self,
            const char   *doc_id,
            JsonObject   *doc,
            gboolean      deleted,
            const char   *desktop,
            GError      **error)
{
  const char *uid = doc_id + strlen ("claim:");
  sqlite3_stmt *stmt;

  if (deleted || g_strcmp0 (vetter_json_string (doc, "holder"), desktop) == 0)
    {
      stmt = vetter_store_prepare (self, "DELETE FROM remote_claim WHERE uid = ?", error);
      if (stmt == NULL)
        return FALSE;
      vetter_store_bind_text (stmt, 1, uid);
      return vetter_store_step_done (self, stmt, error);
    }
  stmt = vetter_store_prepare (self,
                               "INSERT INTO remote_claim (uid, holder, moderator, expires) VALUES (?1, ?2, ?3, ?4)"
                               " ON CONFLICT (uid) DO UPDATE SET holder = excluded.holder, moderator = excluded.moderator,"
                               " expires = excluded.expires", error);
  if (stmt == NULL)
    return FALSE;
  vetter_store_bind_text (stmt, 1, uid);
  vetter_store_bind_text (stmt, 2, vetter_json_string (doc, "holder"));
  vetter_store_bind_text (stmt, 3, vetter_json_string (doc, "moderator"));
  sqlite3_bind_int64 (stmt, 4, vetter_json_int (doc, "expires", 0));
  return vetter_store_step_done (self, stmt, error);
}

/* The team's work on an ad: another machine's results are taken in; the
 * lease or results of this one only bring their revision. */
static gboolean
take_work (VetterStore  *self,
           const char   *doc_id,
           JsonObject   *doc,
           const char   *desktop,
           GError      **error)
{
  g_autofree char *text = NULL;

  if (g_strcmp0 (vetter_json_string (doc, "holder"), desktop) == 0 && push_waiting (self, doc_id))
    return TRUE;
  if (g_strcmp0 (vetter_json_string (doc, "holder"), desktop) == 0)
    return remember_doc (self, doc_id, vetter_json_string (doc, "_rev"), NULL, error);
  /* Results made again under the team's new settings replace those
   * taken in before. */
  {
    g_autofree char *before_text = vetter_store_lookup_text (self, "SELECT body FROM couch_doc WHERE id = ?", doc_id);
    g_autoptr(JsonObject) before = object_from_string (before_text);
    gboolean redone = before && g_strcmp0 (vetter_json_string (before, "state"), "done") == 0 &&
                      g_strcmp0 (vetter_json_string (doc, "state"), "done") == 0 &&
                      g_strcmp0 (vetter_json_string (before, "config"), vetter_json_string (doc, "config")) != 0;

    /* The results last taken in are kept while it is leased again. */
    if (g_strcmp0 (vetter_json_string (doc, "state"), "done") != 0 &&
        g_strcmp0 (vetter_json_string (doc, "state"), "failed") != 0)
      return remember_doc (self, doc_id, vetter_json_string (doc, "_rev"), NULL, error);
    text = object_to_string (doc);
    return remember_doc (self, doc_id, vetter_json_string (doc, "_rev"), text, error) &&
           vetter_store_work_take (self, doc_id + strlen ("work:"), doc, redone, error);
  }
}

gboolean
vetter_store_couch_take_changes (VetterStore  *self,
                                 JsonArray    *results,
                                 const char   *last_seq,
                                 GArray       *batches,
                                 GError      **error)
{
  g_autofree char *desktop = vetter_store_desktop_id (self, error);
  g_autoptr(GPtrArray) deleted_files = g_ptr_array_new_with_free_func (g_free);

  if (desktop == NULL || !vetter_store_begin (self, error))
    return FALSE;
  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonObject *change = vetter_json_element_object (results, i);
      JsonObject *doc = vetter_json_object (change, "doc");
      const char *id = change ? vetter_json_string (change, "id") : NULL;
      gboolean deleted = change && vetter_json_boolean (change, "deleted", FALSE);
      gboolean ok = TRUE;

      if (id == NULL)
        continue;
      if (g_str_has_prefix (id, "claim:"))
        ok = take_claim (self, id, doc, deleted, desktop, error);
      else if (deleted && g_str_has_prefix (id, "ad:"))
        ok = vetter_store_delete_from_elsewhere (self, id + 3, deleted_files, error);
      else if (doc == NULL || deleted)
        continue;
      else if (g_str_has_prefix (id, "ad:") && strlen (id) > 3)
        {
          if (item_by_uid (self, id + 3) == 0)
            ok = vetter_store_couch_take_ad (self, id + 3, doc, batches, error);
          if (ok)
            ok = remember_doc (self, id, vetter_json_string (doc, "_rev"), NULL, error);
        }
      else if (g_str_has_prefix (id, "decision:"))
        ok = take_remote_decision (self, id, doc, desktop, error);
      else if (g_str_has_prefix (id, "batch:"))
        ok = remember_doc (self, id, vetter_json_string (doc, "_rev"), NULL, error);
      else if (g_str_has_prefix (id, "work:"))
        ok = take_work (self, id, doc, desktop, error);
      if (!ok)
        {
          g_prefix_error (error, "document %s: ", id);
          vetter_store_rollback (self);
          return FALSE;
        }
    }
  if (!state_set (self, "couch_since", last_seq, error) || !vetter_store_commit (self, error))
    {
      vetter_store_rollback (self);
      return FALSE;
    }
  /* The files of ads deleted elsewhere, now that they are gone here. */
  vetter_store_remove_files (deleted_files);
  return TRUE;
}

/* Someone on this desktop holds the claim on @uid, or no longer does. */
gboolean
vetter_store_couch_note_claim (VetterStore  *self,
                               const char   *uid,
                               const char   *holder,
                               const char   *moderator,
                               gint64        expires,
                               GError      **error)
{
  g_autoptr(JsonObject) doc = json_object_new ();
  g_autofree char *doc_id = g_strconcat ("claim:", uid, NULL);
  g_autofree char *desktop = vetter_store_desktop_id (self, error);

  if (desktop == NULL)
    return FALSE;
  json_object_set_string_member (doc, "holder", holder);
  json_object_set_string_member (doc, "moderator", moderator ? moderator : "");
  json_object_set_int_member (doc, "expires", expires);
  return take_claim (self, doc_id, doc, FALSE, desktop, error);
}
