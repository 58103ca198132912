/* vetter-tables.c: the record types the console and `vetter list` show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "vetter-tables.h"

#define S VETTER_COLUMN_SORTABLE
#define Q VETTER_COLUMN_SEARCHED
#define F VETTER_COLUMN_FACET
#define H VETTER_COLUMN_HIDDEN
#define P VETTER_COLUMN_PERIOD
#define X VETTER_COLUMN_IN_FACETS_INDEX
#define PIC VETTER_COLUMN_PICTURE
#define TEXT VETTER_COLUMN_TEXT
#define INT VETTER_COLUMN_INTEGER
#define REAL VETTER_COLUMN_REAL
#define TIME VETTER_COLUMN_TIME

static const VetterTableColumn ad_columns[] = {
  { "id", N_("ID"), "item.id", NULL, INT, S },
  { "title", N_("Title"), "item.title", NULL, TEXT, S | Q },
  { "email", N_("E-mail"), "item.email", NULL, TEXT, S | Q },
  { "status", N_("Status"), "item.status", NULL, TEXT, S | F | X, VETTER_WORDS_STATUS },
  { "rules", N_("Rules said"), "item.auto_status", NULL, TEXT, S | F | X, VETTER_WORDS_STATUS },
  { "reason", N_("Reason"), "item.reason_code", NULL, TEXT, S | F | X, VETTER_WORDS_REASON },
  { "decided_by", N_("Decided by"), "item.decided_by", NULL, TEXT, S | F | X },
  { "decided_at", N_("Decided"), "item.decided_at", NULL, TIME, S | P },
  { "batch", N_("Batch"), "item.batch_id", NULL, INT, S | F | X },
  { "category", N_("Category"), "item.category", NULL, TEXT, S | F | H | X },
  { "serial", N_("S. No."), "item.serial", NULL, TEXT, S | H },
  { "note", N_("Note"), "item.note", NULL, TEXT, Q | H },
  { "error", N_("Error"), "item.error", NULL, TEXT, H },
  { "created", N_("Added"), "item.created", NULL, TIME, S | P },
  { "updated", N_("Changed"), "item.updated", NULL, TIME, S | H },
  { "uid", N_("Shared ID"), "item.uid", NULL, TEXT, H },
  { "tag", N_("Tag"), NULL,
    "EXISTS (SELECT 1 FROM image JOIN tag ON tag.image_id = image.id WHERE image.item_id = item.id AND tag.label = ?)",
    TEXT, F, VETTER_WORDS_AS_IS,
    "JOIN image AS facet_image ON facet_image.item_id = item.id JOIN tag ON tag.image_id = facet_image.id", "tag.label" },
  { "defect", N_("Defect"), NULL,
    "EXISTS (SELECT 1 FROM image JOIN defect ON defect.image_id = image.id"
    " WHERE image.item_id = item.id AND defect.kind = ?)", TEXT, F, VETTER_WORDS_DEFECT,
    "JOIN image AS facet_image ON facet_image.item_id = item.id JOIN defect ON defect.image_id = facet_image.id",
    "defect.kind" },
  { "severity", N_("Defect severity"), NULL,
    "EXISTS (SELECT 1 FROM image JOIN defect ON defect.image_id = image.id"
    " WHERE image.item_id = item.id AND defect.severity = ?)", TEXT, F, VETTER_WORDS_SEVERITY,
    "JOIN image AS facet_image ON facet_image.item_id = item.id JOIN defect ON defect.image_id = facet_image.id",
    "defect.severity" },
  /* Last, so that the fields before it keep their place in exports. */
  { "thumbnail", N_("Picture"),
    "(SELECT variant.path FROM image JOIN variant ON variant.image_id = image.id"
    " WHERE image.item_id = item.id AND variant.kind = 'thumb' ORDER BY image.position LIMIT 1)", NULL, TEXT, PIC },
};

static const VetterTableColumn image_columns[] = {
  { "id", N_("ID"), "image.id", NULL, INT, S },
  { "ad", N_("Ad"), "image.item_id", NULL, INT, S },
  { "position", N_("Position"), "image.position", NULL, INT, S | H },
  { "source", N_("Source"), "image.source", NULL, TEXT, S | Q },
  { "status", N_("Status"), "image.status", NULL, TEXT, S | F },
  { "format", N_("Format"), "image.format", NULL, TEXT, S | F },
  { "width", N_("Width"), "image.width", NULL, INT, S },
  { "height", N_("Height"), "image.height", NULL, INT, S },
  { "bytes", N_("Bytes"), "image.bytes", NULL, INT, S },
  { "sharpness", N_("Sharpness"), "image.sharpness", NULL, REAL, S | H },
  { "brightness", N_("Brightness"), "image.brightness", NULL, REAL, S | H },
  { "sha256", N_("SHA-256"), "image.sha256", NULL, TEXT, H },
  { "error", N_("Error"), "image.error", NULL, TEXT, H },
  { "remote_url", N_("Uploaded to"), "image.remote_url", NULL, TEXT, H },
  { "thumbnail", N_("Picture"), "(SELECT path FROM variant WHERE variant.image_id = image.id AND kind = 'thumb')",
    NULL, TEXT, PIC },
};

static const VetterTableColumn batch_columns[] = {
  { "id", N_("ID"), "batch.id", NULL, INT, S },
  { "source", N_("Source"), "batch.source", NULL, TEXT, S | Q },
  { "kind", N_("Kind"), "batch.kind", NULL, TEXT, S | F },
  { "state", N_("State"), "batch.state", NULL, TEXT, S | F },
  { "total", N_("Ads"), "batch.total", NULL, INT, S },
  { "created", N_("Started"), "batch.created", NULL, TIME, S | P },
  { "finished", N_("Finished"), "batch.finished", NULL, TIME, S },
  { "output_csv", N_("Output CSV"), "batch.output_csv", NULL, TEXT, H },
  { "callback_url", N_("Callback"), "batch.callback_url", NULL, TEXT, H },
};

/* One row per e-mail address. */
static const VetterTableColumn advertiser_columns[] = {
  { "email", N_("E-mail"), "advertiser.email", NULL, TEXT, S | Q },
  { "ads", N_("Ads"), "advertiser.ads", NULL, INT, S },
  { "approved", N_("Approved"), "advertiser.approved", NULL, INT, S },
  { "rejected", N_("Rejected"), "advertiser.rejected", NULL, INT, S },
  { "pending", N_("Pending"), "advertiser.pending", NULL, INT, S },
  { "last_seen", N_("Last seen"), "advertiser.last_seen", NULL, TIME, S },
};

static const VetterTableColumn staff_columns[] = {
  { "id", N_("ID"), "staff.id", NULL, INT, S },
  { "username", N_("User"), "staff.username", NULL, TEXT, S | Q },
  { "role", N_("Role"), "staff.role", NULL, TEXT, S | F },
  { "active", N_("Active"), "CASE WHEN staff.active THEN 'yes' ELSE 'no: may only look' END", NULL, TEXT, S | F },
  { "account", N_("Account"), "CASE WHEN staff.shared THEN 'shared database' ELSE 'this desktop' END", NULL, TEXT, S | F },
  { "last_decision", N_("Last decision"),
    "(SELECT max (decided_at) FROM item WHERE decided_by = staff.username AND auto = 0)", NULL, TIME, S },
  { "decisions_week", N_("Decisions this week"),
    "(SELECT count (*) FROM item WHERE decided_by = staff.username AND auto = 0"
    " AND decided_at >= unixepoch ('now', 'localtime', '-6 days', 'weekday 1', 'start of day', 'utc') * 1000000)",
    NULL, INT, S },
  { "created", N_("Added"), "staff.created", NULL, TIME, S },
};

static const VetterTableColumn audit_columns[] = {
  { "id", N_("ID"), "audit_log.id", NULL, INT, S },
  { "time", N_("When"), "audit_log.time", NULL, TIME, S | P },
  { "actor", N_("Who"), "audit_log.actor", NULL, TEXT, S | F | Q },
  { "object_type", N_("Record"), "audit_log.object_type", NULL, TEXT, S | F },
  { "object_id", N_("Record ID"), "audit_log.object_id", NULL, INT, S },
  { "action", N_("Action"), "audit_log.action", NULL, TEXT, S | F | Q },
  { "changes", N_("Changes"), "audit_log.changes", NULL, TEXT, 0 },
};

static const VetterTableColumn outbox_columns[] = {
  { "id", N_("ID"), "outbox.id", NULL, INT, S },
  { "kind", N_("Kind"), "outbox.kind", NULL, TEXT, S | F, VETTER_WORDS_OUTBOX_KIND },
  { "state", N_("State"), "outbox.state", NULL, TEXT, S | F },
  { "attempts", N_("Attempts"), "outbox.attempts", NULL, INT, S },
  { "last_error", N_("Last error"), "outbox.last_error", NULL, TEXT, Q },
  { "batch", N_("Batch"), "outbox.batch_id", NULL, INT, S | F | H },
  { "key", N_("Key"), "outbox.dedupe_key", NULL, TEXT, S | Q | H },
  { "next_attempt", N_("Next attempt"), "outbox.next_attempt", NULL, TIME, S | H },
  { "created", N_("Added"), "outbox.created", NULL, TIME, S | P },
  { "updated", N_("Changed"), "outbox.updated", NULL, TIME, S },
};

static const VetterTableColumn claim_columns[] = {
  { "id", N_("Ad"), "item.id", NULL, INT, S },
  { "title", N_("Title"), "item.title", NULL, TEXT, S | Q },
  { "moderator", N_("Moderator"), "remote_claim.moderator", NULL, TEXT, S | F },
  { "desktop", N_("Desktop"), "remote_claim.holder", NULL, TEXT, S | F | H },
  { "expires", N_("Expires"), "remote_claim.expires", NULL, TIME, S },
};

static const VetterTableColumn conflict_columns[] = {
  { "id", N_("Ad"), "item.id", NULL, INT, S },
  { "title", N_("Title"), "item.title", NULL, TEXT, S | Q },
  { "ours", N_("Ours"), "item.status", NULL, TEXT, S | F, VETTER_WORDS_STATUS },
  { "decided_by", N_("Our moderator"), "item.decided_by", NULL, TEXT, S | F },
  { "theirs", N_("Theirs"), "json_extract (item.conflict, '$.status')", NULL, TEXT, S | F, VETTER_WORDS_STATUS },
  { "their_moderator", N_("Their moderator"), "json_extract (item.conflict, '$.decided_by')", NULL, TEXT, S | F },
  { "updated", N_("Changed"), "item.updated", NULL, TIME, S },
};

#define TABLE(name, label, from, where, key, watches, extra, sort, desc, columns) \
  { name, label, from, where, key, watches, extra, NULL, NULL, sort, desc, columns, G_N_ELEMENTS (columns) }

#define AD_SEARCH_KEYS "SELECT rowid FROM item_search WHERE item_search MATCH ?"

static const VetterTable tables[] = {
  { "ads", N_("Ads"), "item", NULL, "item.id", "item",
    "EXISTS (SELECT 1 FROM image WHERE image.item_id = item.id AND image.source LIKE ? ESCAPE '\\')",
    "item.id IN (" AD_SEARCH_KEYS ")", AD_SEARCH_KEYS,
    "id", TRUE, ad_columns, G_N_ELEMENTS (ad_columns) },
  TABLE ("images", N_("Images"), "image", NULL, "image.id", "image", NULL, "id", TRUE, image_columns),
  TABLE ("batches", N_("Batches"), "batch", NULL, "batch.id", "batch", NULL, "id", TRUE, batch_columns),
  TABLE ("advertisers", N_("Advertisers"),
         "(SELECT min (id) AS id, email, count (*) AS ads, sum (status = 'approved') AS approved,"
         " sum (status = 'rejected') AS rejected,"
         " sum (status IN ('queued', 'processing', 'needs_review')) AS pending, max (updated) AS last_seen"
         " FROM item WHERE email IS NOT NULL AND email <> '' GROUP BY email) AS advertiser",
         NULL, "advertiser.id", "item", NULL, "last_seen", TRUE, advertiser_columns),
  TABLE ("staff", N_("Staff"), "staff", NULL, "staff.id", "staff", NULL, "username", FALSE, staff_columns),
  TABLE ("audit", N_("Audit log"), "audit_log", NULL, "audit_log.id", "audit_log", NULL, "id", TRUE, audit_columns),
  TABLE ("outbox", N_("Outbox"), "outbox", NULL, "outbox.id", "outbox", NULL, "id", TRUE, outbox_columns),
  TABLE ("claims", N_("Claims"), "remote_claim JOIN item ON item.uid = remote_claim.uid", NULL, "item.id", "remote_claim", NULL,
         "expires", FALSE, claim_columns),
  TABLE ("conflicts", N_("Conflicts"), "item", "item.conflict IS NOT NULL", "item.id", "item", NULL, "updated", TRUE,
         conflict_columns),
};

const VetterTable * const *
vetter_tables (void)
{
  static const VetterTable * const all[] = {
    &tables[0], &tables[1], &tables[2], &tables[3], &tables[4], &tables[5], &tables[6], &tables[7], &tables[8], NULL,
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (all) == G_N_ELEMENTS (tables) + 1);
  return all;
}

const VetterTable *
vetter_table_lookup (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    if (g_strcmp0 (tables[i].name, name) == 0)
      return &tables[i];
  return NULL;
}

const VetterTableColumn *
vetter_table_find_column (const VetterTable *table,
                          const char        *name)
{
  for (guint i = 0; i < table->n_columns; i++)
    if (g_strcmp0 (table->columns[i].name, name) == 0)
      return &table->columns[i];
  return NULL;
}
