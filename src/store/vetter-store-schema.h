/* vetter-store-schema.h: the migrations, in order
 *
 * Each entry brings the database from version i to i + 1, inside one
 * transaction. Never edit a released entry; append a new one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

static const char * const vetter_store_migrations[] = {
  /* 0 → 1: the first schema */
  "CREATE TABLE batch ("
  "  id INTEGER PRIMARY KEY,"
  "  key TEXT NOT NULL UNIQUE,"
  "  source TEXT NOT NULL,"
  "  kind TEXT NOT NULL CHECK (kind IN ('products', 'ads', 'images', 'remote')),"
  "  state TEXT NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'paused', 'cancelled', 'done')),"
  "  created INTEGER NOT NULL,"
  "  finished INTEGER,"
  "  total INTEGER NOT NULL DEFAULT 0,"
  "  stem TEXT,"
  "  base_dir TEXT,"
  "  header TEXT,"
  "  output_dir TEXT,"
  "  output_csv TEXT,"
  "  callback_url TEXT"
  ");"
  "CREATE TABLE item ("
  "  id INTEGER PRIMARY KEY,"
  "  batch_id INTEGER NOT NULL REFERENCES batch (id) ON DELETE CASCADE,"
  "  row INTEGER NOT NULL,"
  "  line INTEGER NOT NULL DEFAULT 0,"
  "  serial TEXT,"
  "  title TEXT,"
  "  email TEXT,"
  "  description TEXT,"
  "  category TEXT,"
  "  cells TEXT,"
  "  status TEXT NOT NULL DEFAULT 'queued'"
  "    CHECK (status IN ('queued', 'processing', 'needs_review', 'approved', 'rejected', 'failed')),"
  "  step TEXT,"
  "  error TEXT,"
  "  decided_by TEXT,"
  "  decided_at INTEGER,"
  "  reason_code TEXT,"
  "  reason TEXT,"
  "  note TEXT,"
  "  auto INTEGER,"
  "  rule TEXT,"
  "  created INTEGER NOT NULL,"
  "  updated INTEGER NOT NULL,"
  "  UNIQUE (batch_id, row)"
  ");"
  "CREATE INDEX item_queue ON item (status, id);"
  "CREATE INDEX item_batch ON item (batch_id, status);"
  "CREATE INDEX item_review ON item (status, created);"
  "CREATE INDEX item_email ON item (email);"
  "CREATE TABLE image ("
  "  id INTEGER PRIMARY KEY,"
  "  item_id INTEGER NOT NULL REFERENCES item (id) ON DELETE CASCADE,"
  "  position INTEGER NOT NULL,"
  "  source TEXT NOT NULL,"
  "  location TEXT NOT NULL,"
  "  sha256 TEXT,"
  "  width INTEGER,"
  "  height INTEGER,"
  "  format TEXT,"
  "  bytes INTEGER,"
  "  phash TEXT,"
  "  brightness REAL,"
  "  contrast REAL,"
  "  sharpness REAL,"
  "  status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'done', 'failed')),"
  "  error TEXT,"
  "  remote_url TEXT,"
  "  UNIQUE (item_id, position)"
  ");"
  "CREATE INDEX image_phash ON image (phash) WHERE phash IS NOT NULL;"
  "CREATE INDEX image_sha256 ON image (sha256) WHERE sha256 IS NOT NULL;"
  "CREATE TABLE variant ("
  "  id INTEGER PRIMARY KEY,"
  "  image_id INTEGER NOT NULL REFERENCES image (id) ON DELETE CASCADE,"
  "  kind TEXT NOT NULL CHECK (kind IN ('compressed', 'square', 'portrait', 'landscape', 'thumb')),"
  "  path TEXT NOT NULL,"
  "  width INTEGER NOT NULL,"
  "  height INTEGER NOT NULL,"
  "  bytes INTEGER NOT NULL,"
  "  quality INTEGER NOT NULL,"
  "  remote_url TEXT,"
  "  UNIQUE (image_id, kind)"
  ");"
  "CREATE TABLE tag ("
  "  id INTEGER PRIMARY KEY,"
  "  image_id INTEGER NOT NULL REFERENCES image (id) ON DELETE CASCADE,"
  "  label TEXT NOT NULL,"
  "  confidence INTEGER NOT NULL CHECK (confidence BETWEEN 0 AND 100),"
  "  source TEXT NOT NULL,"
  "  rgb TEXT,"
  "  UNIQUE (image_id, source, label)"
  ");"
  "CREATE INDEX tag_label ON tag (label, confidence);"
  "CREATE TABLE defect ("
  "  id INTEGER PRIMARY KEY,"
  "  image_id INTEGER NOT NULL REFERENCES image (id) ON DELETE CASCADE,"
  "  kind TEXT NOT NULL,"
  "  severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high')),"
  "  confidence INTEGER NOT NULL CHECK (confidence BETWEEN 0 AND 100),"
  "  x INTEGER, y INTEGER, w INTEGER, h INTEGER,"
  "  message TEXT,"
  "  related_image_id INTEGER REFERENCES image (id) ON DELETE SET NULL"
  ");"
  "CREATE INDEX defect_image ON defect (image_id);"
  "CREATE INDEX defect_kind ON defect (kind, severity);"
  "CREATE TABLE step ("
  "  id INTEGER PRIMARY KEY,"
  "  image_id INTEGER NOT NULL REFERENCES image (id) ON DELETE CASCADE,"
  "  name TEXT NOT NULL,"
  "  status TEXT NOT NULL CHECK (status IN ('done', 'failed')),"
  "  started INTEGER NOT NULL,"
  "  duration INTEGER NOT NULL,"
  "  error TEXT"
  ");"
  "CREATE INDEX step_image ON step (image_id);"
  "CREATE TABLE staff ("
  "  id INTEGER PRIMARY KEY,"
  "  username TEXT NOT NULL UNIQUE,"
  "  role TEXT NOT NULL CHECK (role IN ('moderator', 'admin')),"
  "  active INTEGER NOT NULL DEFAULT 1,"
  "  created INTEGER NOT NULL"
  ");"
  "CREATE TABLE audit_log ("
  "  id INTEGER PRIMARY KEY,"
  "  actor TEXT NOT NULL,"
  "  time INTEGER NOT NULL,"
  "  object_type TEXT NOT NULL,"
  "  object_id INTEGER NOT NULL,"
  "  action TEXT NOT NULL,"
  "  changes TEXT"
  ");"
  "CREATE INDEX audit_object ON audit_log (object_type, object_id, time);"
  "CREATE INDEX audit_time ON audit_log (time);"
  "CREATE TABLE outbox ("
  "  id INTEGER PRIMARY KEY,"
  "  kind TEXT NOT NULL,"
  "  dedupe_key TEXT NOT NULL UNIQUE,"
  "  payload TEXT NOT NULL,"
  "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'parked', 'done')),"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  next_attempt INTEGER NOT NULL DEFAULT 0,"
  "  last_error TEXT,"
  "  created INTEGER NOT NULL,"
  "  updated INTEGER NOT NULL"
  ");"
  "CREATE INDEX outbox_due ON outbox (state, next_attempt);",

  /* 1 → 2: what the rules decided stays beside what a person decided */
  "ALTER TABLE item ADD COLUMN auto_status TEXT"
  "  CHECK (auto_status IN ('needs_review', 'approved', 'rejected'));"
  "ALTER TABLE item ADD COLUMN auto_reason TEXT;"
  "ALTER TABLE item ADD COLUMN auto_rule TEXT;"
  "UPDATE item SET auto_status = status, auto_reason = reason, auto_rule = rule WHERE auto = 1;"
  "CREATE INDEX item_auto ON item (auto_status, created);",

  /* 2 → 3: the shared database. Items get an id that means the same ad on
   * every desktop (earlier ones a random one, once); what each document's
   * server revision was when last seen; other desktops' claims; a
   * decision that lost a race waits beside the item for a person. */
  "ALTER TABLE item ADD COLUMN uid TEXT;"
  "UPDATE item SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL;"
  "CREATE UNIQUE INDEX item_uid ON item (uid);"
  "ALTER TABLE item ADD COLUMN conflict TEXT;"
  "CREATE INDEX item_conflict ON item (id) WHERE conflict IS NOT NULL;"
  "CREATE TABLE couch_doc ("
  "  id TEXT PRIMARY KEY,"
  "  rev TEXT,"
  "  body TEXT,"
  "  updated INTEGER NOT NULL"
  ");"
  "CREATE TABLE remote_claim ("
  "  uid TEXT PRIMARY KEY,"
  "  holder TEXT NOT NULL,"
  "  moderator TEXT,"
  "  expires INTEGER NOT NULL"
  ");"
  "CREATE TABLE sync_state ("
  "  name TEXT PRIMARY KEY,"
  "  value TEXT NOT NULL"
  ");",

  /* 3 → 4: one format for every audit row, {field: [before, after]}: the
   * rows another desktop's decisions wrote as {field: value} get a before
   * they did not record (null), and a conflict's {theirs, by} become the
   * fields of the other decision. Outbox rows say which batch they belong
   * to, so a batch knows when its last upload is in. */
  "UPDATE audit_log SET changes = ("
  "  SELECT json_group_object ("
  "    CASE WHEN audit_log.action = 'conflict' AND key = 'theirs' THEN 'conflict.status'"
  "         WHEN audit_log.action = 'conflict' AND key = 'by' THEN 'conflict.decided_by'"
  "         ELSE key END,"
  "    CASE WHEN type = 'array' THEN json (value) ELSE json_array (NULL, value) END)"
  "  FROM json_each (audit_log.changes))"
  " WHERE changes IS NOT NULL AND json_valid (changes)"
  "   AND EXISTS (SELECT 1 FROM json_each (audit_log.changes) WHERE type <> 'array');"
  "ALTER TABLE outbox ADD COLUMN batch_id INTEGER;"
  "UPDATE outbox SET batch_id = (SELECT item.batch_id FROM item"
  "  WHERE item.uid = substr (outbox.dedupe_key, 8, instr (substr (outbox.dedupe_key, 8), '/') - 1))"
  " WHERE kind = 's3_put';"
  "UPDATE outbox SET batch_id = json_extract (payload, '$.batch_id') WHERE kind = 'webhook';"
  "CREATE INDEX outbox_batch ON outbox (batch_id, kind, state) WHERE batch_id IS NOT NULL;",

  /* 4 → 5: how many times an item was in a worker when Vetter crashed,
   * so that an image that crashes it is set aside instead of crashing
   * every rerun. */
  "ALTER TABLE item ADD COLUMN interruptions INTEGER NOT NULL DEFAULT 0;",

  /* 5 → 6: the console. Its search: every three characters of an ad's
   * title, e-mail, note and images' sources, so that a substring is found
   * without reading every row, kept by triggers whoever writes; indexes
   * for its sorts. */
  "CREATE VIRTUAL TABLE item_search USING fts5 (title, email, note, sources, tokenize = 'trigram');"
  "INSERT INTO item_search (rowid, title, email, note, sources)"
  "  SELECT id, title, email, note, (SELECT group_concat (source, ' ') FROM image WHERE image.item_id = item.id)"
  "  FROM item;"
  "CREATE TRIGGER item_search_insert AFTER INSERT ON item BEGIN"
  "  INSERT INTO item_search (rowid, title, email, note, sources) VALUES (new.id, new.title, new.email, new.note, NULL);"
  " END;"
  "CREATE TRIGGER item_search_update AFTER UPDATE OF title, email, note ON item"
  "  WHEN old.title IS NOT new.title OR old.email IS NOT new.email OR old.note IS NOT new.note BEGIN"
  "  UPDATE item_search SET title = new.title, email = new.email, note = new.note WHERE rowid = new.id;"
  " END;"
  "CREATE TRIGGER item_search_delete AFTER DELETE ON item BEGIN"
  "  DELETE FROM item_search WHERE rowid = old.id;"
  " END;"
  "CREATE TRIGGER item_search_image AFTER INSERT ON image BEGIN"
  "  UPDATE item_search SET sources = coalesce (sources || ' ', '') || new.source WHERE rowid = new.item_id;"
  " END;"
  /* The console's sorts and its rules facet, a page at a time. */
  "CREATE INDEX item_title ON item (title, id);"
  "CREATE INDEX item_created ON item (created, id);"
  "CREATE INDEX item_decided ON item (decided_at, id);"
  "CREATE INDEX item_decided_by ON item (decided_by, id);"
  "CREATE INDEX item_status_rules ON item (status, auto_status);"
  /* A named search, filters, sort and columns of one list, one click away. */
  "CREATE TABLE saved_view ("
  "  id INTEGER PRIMARY KEY,"
  "  table_name TEXT NOT NULL,"
  "  name TEXT NOT NULL,"
  "  query TEXT NOT NULL,"
  "  columns TEXT,"
  "  created_by TEXT NOT NULL,"
  "  updated INTEGER NOT NULL,"
  "  UNIQUE (table_name, name)"
  ");",
  /* 7: one index answers the counts of the few-valued fields under a
   * status filter from itself (replacing the rules facet's own). The
   * review's index by status and time goes: the review reads in time
   * order through item_created, and every decision paid for it. */
  "DROP INDEX item_status_rules;"
  "DROP INDEX item_review;"
  /* Deleting an image sets the defects that point at it (a duplicate's
   * original) to NULL: without this, each image deleted read every defect
   * (an ad a quarter of a second, at a million). */
  "CREATE INDEX defect_related ON defect (related_image_id) WHERE related_image_id IS NOT NULL;"
  "CREATE INDEX item_facets ON item (status, auto_status, reason_code, decided_by, category, batch_id);",
  /* 8: the staff holds the shared database's accounts beside the
   * desktop's own (the same name may be both), with all four roles; the
   * console tells each person's last decision and how many this week. */
  "CREATE TABLE staff_new ("
  "  id INTEGER PRIMARY KEY,"
  "  username TEXT NOT NULL,"
  "  role TEXT NOT NULL CHECK (role IN ('viewer', 'moderator', 'admin', 'worker')),"
  "  active INTEGER NOT NULL DEFAULT 1,"
  "  shared INTEGER NOT NULL DEFAULT 0,"
  "  created INTEGER NOT NULL,"
  "  UNIQUE (username, shared)"
  ");"
  "INSERT INTO staff_new (id, username, role, active, shared, created)"
  "  SELECT id, username, role, active, 0, created FROM staff;"
  "DROP TABLE staff;"
  "ALTER TABLE staff_new RENAME TO staff;"
  "CREATE INDEX item_person ON item (decided_by, decided_at) WHERE auto = 0;",
  /* 9: each batch's items counted by status as they change, so that a
   * batch's progress costs the same at a million items as at a thousand
   * (counting them took as long as the batch was big, after every item). */
  "CREATE TABLE batch_status ("
  "  batch_id INTEGER NOT NULL,"
  "  status TEXT NOT NULL,"
  "  n INTEGER NOT NULL,"
  "  PRIMARY KEY (batch_id, status)"
  ") WITHOUT ROWID;"
  "INSERT INTO batch_status (batch_id, status, n) SELECT batch_id, status, count(*) FROM item GROUP BY batch_id, status;"
  "CREATE TRIGGER batch_status_insert AFTER INSERT ON item BEGIN"
  "  INSERT INTO batch_status (batch_id, status, n) VALUES (new.batch_id, new.status, 1)"
  "    ON CONFLICT (batch_id, status) DO UPDATE SET n = n + 1;"
  " END;"
  "CREATE TRIGGER batch_status_update AFTER UPDATE OF status, batch_id ON item"
  "  WHEN old.status IS NOT new.status OR old.batch_id IS NOT new.batch_id BEGIN"
  "  UPDATE batch_status SET n = n - 1 WHERE batch_id = old.batch_id AND status = old.status;"
  "  INSERT INTO batch_status (batch_id, status, n) VALUES (new.batch_id, new.status, 1)"
  "    ON CONFLICT (batch_id, status) DO UPDATE SET n = n + 1;"
  " END;"
  "CREATE TRIGGER batch_status_delete AFTER DELETE ON item BEGIN"
  "  UPDATE batch_status SET n = n - 1 WHERE batch_id = old.batch_id AND status = old.status;"
  " END;"
  "CREATE TRIGGER batch_status_batch_delete AFTER DELETE ON batch BEGIN"
  "  DELETE FROM batch_status WHERE batch_id = old.id;"
  " END;",
  /* 10: a big input's items go in a part at a time, processing starting
   * after the first; a batch still being filled is not finished. */
  "ALTER TABLE batch ADD COLUMN filling INTEGER NOT NULL DEFAULT 0;",
};
