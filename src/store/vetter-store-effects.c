/* vetter-store-effects.c: what follows a decision or a result
 *
 * The one place that turns what happened into outbox rows, inside the
 * transaction of its cause:
 *
 *   an item's results   each variant's upload (with S3); the ad and its
 *                       batch (with a shared database)
 *   the rules decide    with a shared database, the decision's document,
 *                       whose mail waits until the database has it;
 *                       otherwise the advertiser's mail, at once
 *   a person decides    the same, the mail after a delay an undo can beat
 *   an undo             the mail not yet sent does not go; the document
 *                       says what the item is now
 *   another desktop     nothing: its author's desktop sends
 *   keep mine           the document, over theirs
 *   a batch finishes    its callback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-store"

#include "config.h"

#include "vetter-error.h"
#include "vetter-store-private.h"

/* The fixed key of a variant in the bucket: the same on every desktop. */
char *
vetter_store_variant_key (const char        *uid,
                          int                position,
                          VetterVariantKind  kind)
{
  return g_strdup_printf ("ads/%s/%d-%s.jpg", uid, position, vetter_variant_kind_to_string (kind));
}

static char *
payload_to_string (JsonBuilder *builder)
{
  g_autoptr(JsonNode) node = json_builder_get_root (builder);

  return json_to_string (node, FALSE);
}

/* The upload of one variant to its deterministic key, under the ad's id,
 * which every desktop sharing the bucket agrees on. */
gboolean
vetter_store_effects_upload (VetterStore        *self,
                             gint64              item_id,
                             int                 position,
                             VetterVariantKind   kind,
                             const char         *path,
                             GError            **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *uid = NULL;
  g_autofree char *key = NULL;
  g_autofree char *dedupe = NULL;
  g_autofree char *payload = NULL;
  gint64 batch_id = 0;
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT uid, batch_id FROM item WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, item_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      uid = g_strdup (vetter_store_column_text (stmt, 0));
      batch_id = sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_reset (stmt);
  key = vetter_store_variant_key (uid, position, kind);
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
  return vetter_store_outbox_add (self, VETTER_OUTBOX_S3_PUT, dedupe, payload, batch_id, 0, error);
}

/* The advertiser's mail for a final decision. Its id is fixed by the
 * decision, so a resend after a lost answer is recognisably the same. */
gboolean
vetter_store_effects_mail (VetterStore  *self,
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
  gint64 batch_id = 0;
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT email IS NOT NULL AND email <> '', batch_id FROM item WHERE id = ?",
                                             error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, item_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      has_email = sqlite3_column_int (stmt, 0) != 0;
      batch_id = sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_reset (stmt);
  /* Products have nobody to write to. */
  if (!has_email)
    return TRUE;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "item_id");
  json_builder_add_int_value (builder, item_id);
  json_builder_set_member_name (builder, "message_id");
  json_builder_add_string_value (builder, message_id);
  json_builder_end_object (builder);
  payload = payload_to_string (builder);
  return vetter_store_outbox_add (self, VETTER_OUTBOX_MAIL, dedupe, payload, batch_id,
                                  vetter_store_now () + (gint64) delay * G_USEC_PER_SEC, error);
}

/* An undone decision's mail, if it has not gone yet, does not go. */
static gboolean
cancel_mail (VetterStore  *self,
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

gboolean
vetter_store_effects_webhook (VetterStore  *self,
                              gint64        batch_id,
                              GError      **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *dedupe = g_strdup_printf ("webhook:%" G_GINT64_FORMAT, batch_id);
  g_autofree char *id = g_strdup_printf ("msg_vetter_batch_%" G_GINT64_FORMAT, batch_id);
  g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT, batch_id);
  g_autofree char *url = vetter_store_lookup_text (self, "SELECT callback_url FROM batch WHERE id = CAST (? AS INTEGER)",
                                                   key);
  g_autofree char *payload = NULL;

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
  return vetter_store_outbox_add (self, VETTER_OUTBOX_WEBHOOK, dedupe, payload, batch_id, 0, error);
}

typedef struct
{
  int                position;
  VetterVariantKind  kind;
  char              *path;
} Made;

static void
made_free (Made *made)
{
  g_free (made->path);
  g_free (made);
}

gboolean
vetter_store_effects_after_results (VetterStore         *self,
                                    gint64               item_id,
                                    const VetterConfig  *config,
                                    GError             **error)
{
  if (config->sync_uploads)
    {
      g_autoptr(GPtrArray) made = g_ptr_array_new_with_free_func ((GDestroyNotify) made_free);
      sqlite3_stmt *stmt = vetter_store_prepare (self,
                                                 "SELECT image.position, variant.kind, variant.path FROM image"
                                                 " JOIN variant ON variant.image_id = image.id"
                                                 " WHERE image.item_id = ? ORDER BY image.position, variant.id", error);

      if (stmt == NULL)
        return FALSE;
      /* Rows first, writes after: the outbox's inserts must not
       * interleave with this cursor. */
      sqlite3_bind_int64 (stmt, 1, item_id);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          Made *m = g_new0 (Made, 1);

          m->position = sqlite3_column_int (stmt, 0);
          vetter_variant_kind_from_string (vetter_store_column_text (stmt, 1), &m->kind);
          m->path = g_strdup (vetter_store_column_text (stmt, 2));
          g_ptr_array_add (made, m);
        }
      sqlite3_reset (stmt);
      for (guint i = 0; i < made->len; i++)
        {
          Made *m = g_ptr_array_index (made, i);

          if (!vetter_store_effects_upload (self, item_id, m->position, m->kind, m->path, error))
            return FALSE;
        }
    }
  if (config->sync_couch && !vetter_store_couch_push_item (self, item_id, error))
    return FALSE;
  /* Processed once for the team: its results go with their URLs. */
  if (config->sync_couch && config->sync_uploads && !vetter_store_couch_push_work (self, item_id, error))
    return FALSE;
  return TRUE;
}

gboolean
vetter_store_effects_after_decision (VetterStore         *self,
                                     gint64               item_id,
                                     VetterOrigin         origin,
                                     const VetterConfig  *config,
                                     GError             **error)
{
  g_autoptr(VetterItemDecision) now = NULL;
  guint delay = 0;

  if (origin == VETTER_ORIGIN_ELSEWHERE)
    return TRUE;
  now = vetter_store_read_decision (self, item_id, NULL, error);
  if (now == NULL)
    return FALSE;
  if (origin == VETTER_ORIGIN_PERSON || origin == VETTER_ORIGIN_UNDO)
    delay = config->mail_delay;
  if (origin == VETTER_ORIGIN_UNDO && !cancel_mail (self, item_id, error))
    return FALSE;

  /* With a shared database the mail waits until it takes the decision,
   * so that only the desktop whose decision stands writes to them. */
  if (config->sync_couch)
    {
      if (origin == VETTER_ORIGIN_RULES && !vetter_status_is_final (now->status))
        return TRUE;
      return vetter_store_couch_push_decision (self, item_id, config, delay, error);
    }
  if (config->sync_mail && origin != VETTER_ORIGIN_UNDO && origin != VETTER_ORIGIN_KEEP_MINE &&
      vetter_status_is_final (now->status))
    return vetter_store_effects_mail (self, item_id, now->decided_at, delay, error);
  return TRUE;
}
