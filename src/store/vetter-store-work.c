/* vetter-store-work.c: the team's work, as this desktop sees it
 *
 * With a shared database and a bucket, each ad is processed once, by the
 * machine that takes it: its `work:<uid>` document carries the lease while
 * it is processed and then the results (images with their measures, tags,
 * colours, defects with boxes, variants with their URLs, steps with their
 * durations, the rules' verdict). Here that document is built from the
 * rows of an ad processed on this machine, and one processed elsewhere is
 * taken in from it, without fetching or decoding the original.
 *
 * An ad another machine will process waits in the local queue with the
 * step "team": the workers of this machine take only what it leased.
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

/* After this many attempts an ad fails for good, for a person to see. */
#define MAX_ATTEMPTS 3

/* ---- The document of an ad processed here ---------------------------------- */

static JsonArray *
image_tags (VetterStore *self,
            gint64       image_id)
{
  JsonArray *tags = json_array_new ();
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT label, confidence, source, rgb FROM tag WHERE image_id = ?"
                                                   " ORDER BY id", NULL);

  sqlite3_bind_int64 (stmt, 1, image_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonObject *tag = json_object_new ();

      json_object_set_string_member (tag, "label", vetter_store_column_text (stmt, 0));
      json_object_set_int_member (tag, "confidence", sqlite3_column_int (stmt, 1));
      json_object_set_string_member (tag, "source", vetter_store_column_text (stmt, 2));
      if (vetter_store_column_text (stmt, 3))
        json_object_set_string_member (tag, "rgb", vetter_store_column_text (stmt, 3));
      json_array_add_object_element (tags, tag);
    }
  sqlite3_reset (stmt);
  return tags;
}

static JsonArray *
image_defects (VetterStore *self,
               gint64       image_id)
{
  JsonArray *defects = json_array_new ();
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT kind, severity, confidence, x, y, w, h, message FROM defect"
                                                   " WHERE image_id = ? ORDER BY id", NULL);

  sqlite3_bind_int64 (stmt, 1, image_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonObject *defect = json_object_new ();

      json_object_set_string_member (defect, "kind", vetter_store_column_text (stmt, 0));
      json_object_set_string_member (defect, "severity", vetter_store_column_text (stmt, 1));
      json_object_set_int_member (defect, "confidence", sqlite3_column_int (stmt, 2));
      if (sqlite3_column_type (stmt, 3) != SQLITE_NULL)
        {
          JsonArray *box = json_array_new ();

          for (int c = 3; c <= 6; c++)
            json_array_add_int_element (box, sqlite3_column_int (stmt, c));
          json_object_set_array_member (defect, "box", box);
        }
      vetter_store_json_set_text (defect, "message", vetter_store_column_text (stmt, 7));
      json_array_add_object_element (defects, defect);
    }
  sqlite3_reset (stmt);
  return defects;
}

/* FALSE when a variant's upload has not named its URL yet. */
static gboolean
image_variants (VetterStore *self,
                gint64       image_id,
                JsonArray   *variants)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT kind, remote_url, width, height, bytes, quality FROM variant"
                                                   " WHERE image_id = ? ORDER BY id", NULL);
  gboolean complete = TRUE;

  sqlite3_bind_int64 (stmt, 1, image_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonObject *variant = json_object_new ();

      if (vetter_store_column_text (stmt, 1) == NULL)
        complete = FALSE;
      json_object_set_string_member (variant, "kind", vetter_store_column_text (stmt, 0));
      vetter_store_json_set_text (variant, "url", vetter_store_column_text (stmt, 1));
      json_object_set_int_member (variant, "width", sqlite3_column_int (stmt, 2));
      json_object_set_int_member (variant, "height", sqlite3_column_int (stmt, 3));
      json_object_set_int_member (variant, "bytes", sqlite3_column_int64 (stmt, 4));
      json_object_set_int_member (variant, "quality", sqlite3_column_int (stmt, 5));
      json_array_add_object_element (variants, variant);
    }
  sqlite3_reset (stmt);
  return complete;
}

static JsonArray *
image_steps (VetterStore *self,
             gint64       image_id)
{
  JsonArray *steps = json_array_new ();
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT name, status, duration, error FROM step WHERE image_id = ?"
                                                   " ORDER BY id", NULL);

  sqlite3_bind_int64 (stmt, 1, image_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonObject *step = json_object_new ();

      json_object_set_string_member (step, "name", vetter_store_column_text (stmt, 0));
      json_object_set_string_member (step, "status", vetter_store_column_text (stmt, 1));
      json_object_set_int_member (step, "us", sqlite3_column_int64 (stmt, 2));
      if (vetter_store_column_text (stmt, 3))
        json_object_set_string_member (step, "error", vetter_store_column_text (stmt, 3));
      json_array_add_object_element (steps, step);
    }
  sqlite3_reset (stmt);
  return steps;
}

static void
set_optional_double (JsonObject   *object,
                     const char   *name,
                     sqlite3_stmt *stmt,
                     int           column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    json_object_set_null_member (object, name);
  else
    json_object_set_double_member (object, name, sqlite3_column_double (stmt, column));
}

/* The images of item @item_id with all that was found. FALSE with *@wait
 * set while an upload has not named a variant's URL. */
static JsonArray *
item_images (VetterStore *self,
             gint64       item_id,
             gboolean    *wait)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  JsonArray *images = json_array_new ();
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "SELECT id, position, source, sha256, width, height, format, bytes, phash,"
                                             " brightness, contrast, sharpness, status, error FROM image"
                                             " WHERE item_id = ? ORDER BY position", NULL);
  GPtrArray *objects = g_ptr_array_new ();

  /* Rows first: the nested reads reuse other statements, not this one,
   * but stay clear of its cursor all the same. */
  sqlite3_bind_int64 (stmt, 1, item_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonObject *image = json_object_new ();
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
      json_object_set_int_member (image, "position", sqlite3_column_int (stmt, 1));
      json_object_set_string_member (image, "source", vetter_store_column_text (stmt, 2));
      vetter_store_json_set_text (image, "sha256", vetter_store_column_text (stmt, 3));
      json_object_set_int_member (image, "width", sqlite3_column_int (stmt, 4));
      json_object_set_int_member (image, "height", sqlite3_column_int (stmt, 5));
      vetter_store_json_set_text (image, "format", vetter_store_column_text (stmt, 6));
      json_object_set_int_member (image, "bytes", sqlite3_column_int64 (stmt, 7));
      vetter_store_json_set_text (image, "phash", vetter_store_column_text (stmt, 8));
      set_optional_double (image, "brightness", stmt, 9);
      set_optional_double (image, "contrast", stmt, 10);
      set_optional_double (image, "sharpness", stmt, 11);
      json_object_set_string_member (image, "status", vetter_store_column_text (stmt, 12));
      vetter_store_json_set_text (image, "error", vetter_store_column_text (stmt, 13));
      g_ptr_array_add (objects, image);
    }
  sqlite3_reset (stmt);
  for (guint i = 0; i < objects->len; i++)
    {
      JsonObject *image = g_ptr_array_index (objects, i);
      gint64 id = g_array_index (ids, gint64, i);
      JsonArray *variants = json_array_new ();

      if (!image_variants (self, id, variants))
        *wait = TRUE;
      json_object_set_array_member (image, "variants", variants);
      json_object_set_array_member (image, "tags", image_tags (self, id));
      json_object_set_array_member (image, "defects", image_defects (self, id));
      json_object_set_array_member (image, "steps", image_steps (self, id));
      json_array_add_object_element (images, image);
    }
  g_ptr_array_unref (objects);
  return images;
}

static JsonObject *
known_body (VetterStore *self,
            const char  *doc_id)
{
  g_autofree char *text = vetter_store_lookup_text (self, "SELECT body FROM couch_doc WHERE id = ?", doc_id);
  g_autoptr(JsonNode) node = text ? json_from_string (text, NULL) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_object_ref (json_node_get_object (node));
}

static gboolean
waits_for_team (VetterStore *self,
                const char  *uid)
{
  g_autofree char *step = vetter_store_lookup_text (self, "SELECT step FROM item WHERE uid = ? AND status = 'queued'",
                                                    uid);

  return g_strcmp0 (step, VETTER_STORE_TEAM_STEP) == 0;
}

/* Work for the team, not started: sent once its ad is in the database
 * (a machine that takes it reads the ad first). */
static JsonObject *
queued_work (VetterStore *self,
             const char  *uid,
             const char  *config,
             gboolean    *wait)
{
  g_autofree char *ad_id = g_strconcat ("ad:", uid, NULL);
  JsonObject *doc;

  if (!vetter_store_couch_pushed (self, ad_id))
    {
      *wait = TRUE;
      return NULL;
    }
  doc = json_object_new ();
  json_object_set_string_member (doc, "type", "work");
  json_object_set_string_member (doc, "ad", uid);
  json_object_set_string_member (doc, "state", "queued");
  json_object_set_int_member (doc, "attempt", 0);
  vetter_store_json_set_text (doc, "config", config);
  return doc;
}

gboolean
vetter_store_work_share_item (VetterStore  *self,
                              gint64        item_id,
                              GError      **error)
{
  g_autoptr(GPtrArray) locals = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) positions = g_array_new (FALSE, FALSE, sizeof (int));
  g_autofree char *uid = NULL;
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT image.position, image.location, item.uid, item.batch_id"
                                                   " FROM image JOIN item ON item.id = image.item_id"
                                                   " WHERE image.item_id = ? ORDER BY image.position", error);
  gint64 batch_id = 0;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, item_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *location = vetter_store_column_text (stmt, 1);
      int position = sqlite3_column_int (stmt, 0);

      g_free (uid);
      uid = g_strdup (vetter_store_column_text (stmt, 2));
      batch_id = sqlite3_column_int64 (stmt, 3);
      if (g_str_has_prefix (location, "http://") || g_str_has_prefix (location, "https://"))
        continue;
      g_ptr_array_add (locals, g_strdup (location));
      g_array_append_val (positions, position);
    }
  sqlite3_reset (stmt);
  for (guint i = 0; i < locals->len; i++)
    {
      const char *path = g_ptr_array_index (locals, i);
      g_autofree char *key = g_strdup_printf ("originals/%s/%d", uid, g_array_index (positions, int, i));
      g_autofree char *dedupe = g_strconcat ("s3:", key, NULL);
      g_autofree char *guessed = g_content_type_guess (path, NULL, 0, NULL);
      g_autofree char *type = g_content_type_get_mime_type (guessed);
      g_autoptr(JsonObject) payload = json_object_new ();
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
      g_autofree char *text = NULL;

      json_object_set_string_member (payload, "key", key);
      json_object_set_string_member (payload, "path", path);
      json_object_set_string_member (payload, "content_type", type ? type : "application/octet-stream");
      json_node_set_object (node, payload);
      text = json_to_string (node, FALSE);
      if (!vetter_store_outbox_add (self, VETTER_OUTBOX_S3_PUT, dedupe, text, batch_id, 0, error))
        return FALSE;
    }
  return vetter_store_couch_push_shared (self, item_id, error);
}

JsonObject *
vetter_store_work_build (VetterStore  *self,
                         const char   *uid,
                         gboolean     *wait,
                         GError      **error)
{
  g_autofree char *doc_id = g_strconcat ("work:", uid, NULL);
  g_autoptr(JsonObject) leased = known_body (self, doc_id);
  g_autofree char *desktop = vetter_store_desktop_id (self, error);
  g_autofree char *config = vetter_store_lookup_text (self, "SELECT value FROM sync_state WHERE name = ?",
                                                      "pipeline_config");
  g_autoptr(JsonObject) doc = json_object_new ();
  JsonObject *result;
  JsonObject *rules;
  sqlite3_stmt *stmt;
  gint64 item_id, attempt;
  g_autofree char *status = NULL;
  g_autofree char *failure = NULL;

  if (desktop == NULL)
    return NULL;
  if (waits_for_team (self, uid))
    return queued_work (self, uid, config, wait);
  stmt = vetter_store_prepare (self, "SELECT id, status, error, auto_status, auto_reason, auto_rule, updated,"
                                     " CASE WHEN auto THEN reason_code END FROM item WHERE uid = ?", error);
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
  status = g_strdup (vetter_store_column_text (stmt, 1));
  failure = g_strdup (vetter_store_column_text (stmt, 2));
  result = json_object_new ();
  rules = json_object_new ();
  vetter_store_json_set_text (rules, "status", vetter_store_column_text (stmt, 3));
  vetter_store_json_set_text (rules, "reason", vetter_store_column_text (stmt, 4));
  vetter_store_json_set_text (rules, "rule", vetter_store_column_text (stmt, 5));
  vetter_store_json_set_text (rules, "reason_code", vetter_store_column_text (stmt, 7));
  json_object_set_int_member (result, "processed_at", sqlite3_column_int64 (stmt, 6));
  sqlite3_reset (stmt);
  json_object_set_object_member (result, "rules", rules);
  json_object_set_array_member (result, "images", item_images (self, item_id, wait));
  json_object_set_object_member (doc, "result", result);
  if (*wait)
    return NULL;

  /* Each lease is an attempt; a machine that processed its own ad
   * without one made the first. */
  attempt = leased ? vetter_json_int (leased, "attempt", 1) : 1;
  json_object_set_string_member (doc, "type", "work");
  json_object_set_string_member (doc, "ad", uid);
  json_object_set_int_member (doc, "attempt", attempt);
  vetter_store_json_set_text (doc, "config", config);
  if (g_strcmp0 (status, "failed") == 0)
    {
      /* Given back for another machine to try, until the last attempt. */
      json_object_set_string_member (doc, "state", attempt >= MAX_ATTEMPTS ? "failed" : "queued");
      json_object_set_string_member (doc, "error", failure ? failure : "failed");
      json_object_set_null_member (doc, "holder");
    }
  else
    {
      json_object_set_string_member (doc, "state", "done");
      json_object_set_string_member (doc, "holder", desktop);
    }
  if (leased && vetter_json_string (leased, "holder_name"))
    json_object_set_string_member (doc, "holder_name", vetter_json_string (leased, "holder_name"));
  return g_steal_pointer (&doc);
}

/* ---- Taking in what another machine processed ------------------------------ */

static gint64
image_at (VetterStore *self,
          gint64       item_id,
          gint64       position)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT id FROM image WHERE item_id = ? AND position = ?", NULL);
  gint64 id = 0;

  sqlite3_bind_int64 (stmt, 1, item_id);
  sqlite3_bind_int64 (stmt, 2, position);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return id;
}

static void
bind_optional_double (sqlite3_stmt *stmt,
                      int           index,
                      JsonObject   *object,
                      const char   *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node && JSON_NODE_HOLDS_VALUE (node))
    sqlite3_bind_double (stmt, index, json_node_get_double (node));
  else
    sqlite3_bind_null (stmt, index);
}

static gboolean
take_image (VetterStore  *self,
            gint64        image_id,
            JsonObject   *image,
            GError      **error)
{
  JsonArray *list;
  sqlite3_stmt *stmt;

  if (!vetter_store_clear_image_results (self, image_id, error))
    return FALSE;
  stmt = vetter_store_prepare (self, "UPDATE image SET sha256 = ?, width = ?, height = ?, format = ?, bytes = ?,"
                                     " phash = ?, brightness = ?, contrast = ?, sharpness = ?, status = ?, error = ?"
                                     " WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  vetter_store_bind_text (stmt, 1, vetter_json_string (image, "sha256"));
  sqlite3_bind_int64 (stmt, 2, vetter_json_int (image, "width", 0));
  sqlite3_bind_int64 (stmt, 3, vetter_json_int (image, "height", 0));
  vetter_store_bind_text (stmt, 4, vetter_json_string (image, "format"));
  sqlite3_bind_int64 (stmt, 5, vetter_json_int (image, "bytes", 0));
  vetter_store_bind_text (stmt, 6, vetter_json_string (image, "phash"));
  bind_optional_double (stmt, 7, image, "brightness");
  bind_optional_double (stmt, 8, image, "contrast");
  bind_optional_double (stmt, 9, image, "sharpness");
  vetter_store_bind_text (stmt, 10, g_strcmp0 (vetter_json_string (image, "status"), "failed") == 0 ? "failed" : "done");
  vetter_store_bind_text (stmt, 11, vetter_json_string (image, "error"));
  sqlite3_bind_int64 (stmt, 12, image_id);
  if (!vetter_store_step_done (self, stmt, error))
    return FALSE;

  list = vetter_json_array (image, "variants");
  for (guint i = 0; list && i < json_array_get_length (list); i++)
    {
      JsonObject *variant = vetter_json_element_object (list, i);
      VetterVariantKind kind;

      if (!vetter_variant_kind_from_string (vetter_json_string (variant, "kind"), &kind))
        continue;
      /* Not downloaded: the file comes when it is shown. */
      stmt = vetter_store_prepare (self, "INSERT INTO variant (image_id, kind, path, width, height, bytes, quality,"
                                         " remote_url) VALUES (?, ?, '', ?, ?, ?, ?, ?)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, image_id);
      vetter_store_bind_text (stmt, 2, vetter_variant_kind_to_string (kind));
      sqlite3_bind_int64 (stmt, 3, vetter_json_int (variant, "width", 0));
      sqlite3_bind_int64 (stmt, 4, vetter_json_int (variant, "height", 0));
      sqlite3_bind_int64 (stmt, 5, vetter_json_int (variant, "bytes", 0));
      sqlite3_bind_int64 (stmt, 6, vetter_json_int (variant, "quality", 0));
      vetter_store_bind_text (stmt, 7, vetter_json_string (variant, "url"));
      if (!vetter_store_step_done (self, stmt, error))
        return FALSE;
    }

  list = vetter_json_array (image, "tags");
  for (guint i = 0; list && i < json_array_get_length (list); i++)
    {
      JsonObject *tag = vetter_json_element_object (list, i);

      if (vetter_json_string (tag, "label") == NULL || vetter_json_string (tag, "source") == NULL)
        continue;
      stmt = vetter_store_prepare (self, "INSERT OR IGNORE INTO tag (image_id, label, confidence, source, rgb)"
                                         " VALUES (?, ?, ?, ?, ?)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, image_id);
      vetter_store_bind_text (stmt, 2, vetter_json_string (tag, "label"));
      sqlite3_bind_int64 (stmt, 3, CLAMP (vetter_json_int (tag, "confidence", 0), 0, 100));
      vetter_store_bind_text (stmt, 4, vetter_json_string (tag, "source"));
      vetter_store_bind_text (stmt, 5, vetter_json_string (tag, "rgb"));
      if (!vetter_store_step_done (self, stmt, error))
        return FALSE;
    }

  list = vetter_json_array (image, "defects");
  for (guint i = 0; list && i < json_array_get_length (list); i++)
    {
      JsonObject *defect = vetter_json_element_object (list, i);
      JsonArray *box = vetter_json_array (defect, "box");
      const char *severity = vetter_json_string (defect, "severity");

      if (vetter_json_string (defect, "kind") == NULL ||
          (g_strcmp0 (severity, "low") != 0 && g_strcmp0 (severity, "medium") != 0 && g_strcmp0 (severity, "high") != 0))
        continue;
      stmt = vetter_store_prepare (self, "INSERT INTO defect (image_id, kind, severity, confidence, x, y, w, h, message)"
                                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, image_id);
      vetter_store_bind_text (stmt, 2, vetter_json_string (defect, "kind"));
      vetter_store_bind_text (stmt, 3, severity);
      sqlite3_bind_int64 (stmt, 4, CLAMP (vetter_json_int (defect, "confidence", 0), 0, 100));
      if (box && json_array_get_length (box) == 4)
        for (guint c = 0; c < 4; c++)
          sqlite3_bind_int64 (stmt, 5 + (int) c, json_array_get_int_element (box, c));
      vetter_store_bind_text (stmt, 9, vetter_json_string (defect, "message"));
      if (!vetter_store_step_done (self, stmt, error))
        return FALSE;
    }
  return TRUE;
}

/* The rules' verdict a result carries, or NULL when it carries none. */
static VetterItemDecision *
rules_verdict (JsonObject *result)
{
  JsonObject *rules = vetter_json_object (result, "rules");
  VetterItemDecision *verdict;
  int status;

  if (!vetter_enum_from_string (VETTER_TYPE_STATUS, vetter_json_string (rules, "status"), &status) ||
      !vetter_status_is_decidable (status))
    return NULL;
  verdict = g_new0 (VetterItemDecision, 1);
  verdict->status = status;
  verdict->reason = g_strdup (vetter_json_string (rules, "reason"));
  verdict->reason_code = g_strdup (vetter_json_string (rules, "reason_code"));
  verdict->rule = g_strdup (vetter_json_string (rules, "rule"));
  verdict->is_auto = TRUE;
  verdict->decided_by = g_strdup ("vetter");
  verdict->decided_at = vetter_json_int (result, "processed_at", vetter_store_now ());
  return verdict;
}

static gboolean
fail_item (VetterStore  *self,
           gint64        item_id,
           const char   *failure,
           GError      **error)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "UPDATE item SET status = 'failed', error = ?, step = NULL,"
                                                   " updated = ? WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  vetter_store_bind_text (stmt, 1, failure);
  sqlite3_bind_int64 (stmt, 2, vetter_store_now ());
  sqlite3_bind_int64 (stmt, 3, item_id);
  return vetter_store_step_done (self, stmt, error);
}

/* The results of @doc (done) become item @item_id's, as if processed
 * here, and the rules' verdict its decision; a person's decision that
 * came first stands over it. */
static gboolean
take_results (VetterStore  *self,
              gint64        item_id,
              const char   *uid,
              JsonObject   *doc,
              GError      **error)
{
  JsonObject *result = vetter_json_object (doc, "result");
  JsonArray *images = vetter_json_array (result, "images");
  g_autoptr(VetterItemDecision) verdict = NULL;
  g_autoptr(VetterItemDecision) waiting = NULL;

  for (guint i = 0; images && i < json_array_get_length (images); i++)
    {
      JsonObject *image = vetter_json_element_object (images, i);
      gint64 image_id = image_at (self, item_id, vetter_json_int (image, "position", 0));

      if (image_id != 0 && !take_image (self, image_id, image, error))
        return FALSE;
    }
  verdict = rules_verdict (result);
  if (verdict == NULL)
    return fail_item (self, item_id, "the machine that processed it sent no verdict", error);
  if (!vetter_store_write_decision (self, item_id, verdict, VETTER_ORIGIN_RULES, "rules", "vetter", NULL,
                                    NULL, error))
    return FALSE;
  waiting = vetter_store_couch_waiting_decision (self, uid);
  if (waiting)
    return vetter_store_write_decision (self, item_id, waiting, VETTER_ORIGIN_ELSEWHERE, "remote", waiting->decided_by,
                                        NULL, NULL, error);
  return TRUE;
}

/* Made again under new settings: the findings and variants are the new
 * ones; the verdict too, unless a person decided since. */
static gboolean
take_again (VetterStore  *self,
            gint64        item_id,
            JsonObject   *doc,
            GError      **error)
{
  JsonObject *result = vetter_json_object (doc, "result");
  JsonArray *images = vetter_json_array (result, "images");
  g_autoptr(VetterItemDecision) now = vetter_store_read_decision (self, item_id, NULL, error);
  g_autoptr(VetterItemDecision) verdict = NULL;

  if (now == NULL)
    return FALSE;
  for (guint i = 0; images && i < json_array_get_length (images); i++)
    {
      JsonObject *image = vetter_json_element_object (images, i);
      gint64 image_id = image_at (self, item_id, vetter_json_int (image, "position", 0));

      if (image_id != 0 && !take_image (self, image_id, image, error))
        return FALSE;
    }
  verdict = now->is_auto ? rules_verdict (result) : NULL;
  if (verdict)
    return vetter_store_write_decision (self, item_id, verdict, VETTER_ORIGIN_RULES, "rules", "vetter", NULL, NULL,
                                        error);
  return TRUE;
}

gboolean
vetter_store_work_take (VetterStore  *self,
                        const char   *uid,
                        JsonObject   *doc,
                        gboolean      redone,
                        GError      **error)
{
  const char *state = vetter_json_string (doc, "state");
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT id, step FROM item WHERE uid = ?", error);
  gint64 item_id = 0;
  gboolean waiting = FALSE;

  if (stmt == NULL)
    return FALSE;
  vetter_store_bind_text (stmt, 1, uid);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      item_id = sqlite3_column_int64 (stmt, 0);
      waiting = g_strcmp0 (vetter_store_column_text (stmt, 1), VETTER_STORE_TEAM_STEP) == 0;
    }
  sqlite3_reset (stmt);
  if (item_id != 0 && !waiting && redone)
    return take_again (self, item_id, doc, error);
  /* Only what waits for the team here: an ad processed here keeps its
   * own results, and one not here yet takes these when it comes. */
  if (item_id == 0 || !waiting)
    return TRUE;
  if (g_strcmp0 (state, "failed") == 0)
    {
      g_autofree char *failure = g_strdup_printf ("failed on every machine that tried it: %s",
                                                  vetter_json_string (doc, "error") ? vetter_json_string (doc, "error")
                                                                                    : "no reason given");

      return fail_item (self, item_id, failure, error);
    }
  if (g_strcmp0 (state, "done") != 0)
    return TRUE;
  return take_results (self, item_id, uid, doc, error);
}

/* ---- Leases taken and given back by this machine --------------------------- */

gint64
vetter_store_work_leased (VetterStore  *self,
                          const char   *uid,
                          JsonObject   *ad,
                          JsonObject   *work,
                          gint64       *leased_item,
                          GError      **error)
{
  g_autoptr(GArray) batches = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *doc_id = g_strconcat ("work:", uid, NULL);
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *body = NULL;
  sqlite3_stmt *stmt;
  gint64 item_id = 0, batch_id = 0;

  json_node_set_object (node, work);
  body = json_to_string (node, FALSE);
  if (!vetter_store_begin (self, error))
    return 0;
  if (!vetter_store_couch_remember (self, doc_id, vetter_json_string (work, "_rev"), body, error))
    goto fail;
  for (int pass = 0; pass < 2 && item_id == 0; pass++)
    {
      stmt = vetter_store_prepare (self, "SELECT id, batch_id FROM item WHERE uid = ?", error);
      if (stmt == NULL)
        goto fail;
      vetter_store_bind_text (stmt, 1, uid);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          item_id = sqlite3_column_int64 (stmt, 0);
          batch_id = sqlite3_column_int64 (stmt, 1);
        }
      sqlite3_reset (stmt);
      /* New here: the ad as its document describes it. */
      if (item_id == 0 && (pass == 1 || !vetter_store_couch_take_ad (self, uid, ad, batches, error)))
        {
          if (pass == 1)
            g_set_error (error, VETTER_ERROR, VETTER_ERROR_STORE, "ad %s could not be taken in", uid);
          goto fail;
        }
    }
  *leased_item = item_id;
  /* Processed again from the start, here. */
  stmt = vetter_store_prepare (self, "UPDATE item SET status = 'queued', step = NULL, error = NULL, interruptions = 0,"
                                     " updated = ? WHERE id = ?", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, vetter_store_now ());
  sqlite3_bind_int64 (stmt, 2, item_id);
  if (!vetter_store_step_done (self, stmt, error) || !vetter_store_commit (self, error))
    goto fail;
  return batch_id;

fail:
  vetter_store_rollback (self);
  return 0;
}

gboolean
vetter_store_work_renewed (VetterStore  *self,
                           const char   *uid,
                           const char   *rev,
                           GError      **error)
{
  g_autofree char *doc_id = g_strconcat ("work:", uid, NULL);

  return vetter_store_couch_remember (self, doc_id, rev, NULL, error);
}

gboolean
vetter_store_work_wait_for_team (VetterStore  *self,
                                 const char   *uid,
                                 GError      **error)
{
  sqlite3_stmt *stmt;

  /* Not leased here (any more): another machine processes it. */
  stmt = vetter_store_prepare (self, "UPDATE item SET status = 'queued', step = '" VETTER_STORE_TEAM_STEP "',"
                                     " updated = ? WHERE (?2 IS NULL AND step IS NOT '" VETTER_STORE_TEAM_STEP "'"
                                     " AND status IN ('queued', 'processing') AND batch_id IN (SELECT id FROM batch"
                                     " WHERE kind = 'remote')) OR uid = ?2", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, vetter_store_now ());
  vetter_store_bind_text (stmt, 2, uid);
  return vetter_store_step_done (self, stmt, error);
}

gint64
vetter_store_work_waiting (VetterStore *self)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT count(*) FROM item WHERE status IN ('queued', 'processing')"
                                                   " AND step IS NOT '" VETTER_STORE_TEAM_STEP "'", NULL);
  gint64 count = 0;

  if (stmt && sqlite3_step (stmt) == SQLITE_ROW)
    count = sqlite3_column_int64 (stmt, 0);
  if (stmt)
    sqlite3_reset (stmt);
  return count;
}

char *
vetter_store_item_error (VetterStore *self,
                         gint64       item_id)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, item_id);

  return vetter_store_lookup_text (self, "SELECT error FROM item WHERE id = CAST (? AS INTEGER)", id);
}

/* ---- Variants made elsewhere, fetched when shown ---------------------------- */

void
vetter_missing_variant_free (VetterMissingVariant *variant)
{
  if (variant == NULL)
    return;
  g_free (variant->url);
  g_free (variant->path);
  g_free (variant);
}

GPtrArray *
vetter_store_missing_variants (VetterStore  *self,
                               gint64        item_id,
                               gboolean      thumbs_only,
                               guint         limit,
                               GError      **error)
{
  g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_missing_variant_free);
  g_autofree char *dir = g_path_get_dirname (self->path);
  sqlite3_stmt *stmt = vetter_store_prepare (self,
                                             "SELECT variant.id, variant.remote_url, variant.kind, image.position,"
                                             " image.item_id, batch.output_dir FROM variant"
                                             " JOIN image ON image.id = variant.image_id"
                                             " JOIN item ON item.id = image.item_id JOIN batch ON batch.id = item.batch_id"
                                             " WHERE variant.path = '' AND variant.remote_url IS NOT NULL"
                                             " AND (?1 = 0 OR image.item_id = ?1) AND (NOT ?2 OR variant.kind = 'thumb')"
                                             " ORDER BY variant.kind <> 'thumb', variant.id LIMIT ?3", error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, item_id);
  sqlite3_bind_int (stmt, 2, thumbs_only);
  sqlite3_bind_int (stmt, 3, (int) MIN (limit, G_MAXINT));
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      VetterMissingVariant *variant = g_new0 (VetterMissingVariant, 1);
      const char *output_dir = vetter_store_column_text (stmt, 5);
      g_autofree char *fallback = g_build_filename (dir, "output", NULL);
      g_autofree char *name = g_strdup_printf ("%d-%s.jpg", sqlite3_column_int (stmt, 3),
                                               vetter_store_column_text (stmt, 2));
      g_autofree char *item = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, 4));

      variant->variant_id = sqlite3_column_int64 (stmt, 0);
      variant->item_id = sqlite3_column_int64 (stmt, 4);
      variant->url = g_strdup (vetter_store_column_text (stmt, 1));
      variant->path = g_build_filename (output_dir ? output_dir : fallback, item, name, NULL);
      g_ptr_array_add (missing, variant);
    }
  sqlite3_reset (stmt);
  return g_steal_pointer (&missing);
}

gboolean
vetter_store_variant_fetched (VetterStore  *self,
                              gint64        variant_id,
                              gint64        item_id,
                              const char   *path,
                              GError      **error)
{
  sqlite3_stmt *stmt;

  if (!vetter_store_begin (self, error))
    return FALSE;
  stmt = vetter_store_prepare (self, "UPDATE variant SET path = ? WHERE id = ? AND path = ''", error);
  if (stmt == NULL)
    goto fail;
  vetter_store_bind_text (stmt, 1, path);
  sqlite3_bind_int64 (stmt, 2, variant_id);
  if (!vetter_store_step_done (self, stmt, error))
    goto fail;
  /* Its item changed as the window sees it: the picture is here now. */
  stmt = vetter_store_prepare (self, "UPDATE item SET updated = ? WHERE id = ?", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, vetter_store_now ());
  sqlite3_bind_int64 (stmt, 2, item_id);
  if (!vetter_store_step_done (self, stmt, error) || !vetter_store_commit (self, error))
    goto fail;
  return TRUE;

fail:
  vetter_store_rollback (self);
  return FALSE;
}
