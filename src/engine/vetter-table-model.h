/* vetter-table-model.h: a console list, as a GListModel over the database
 *
 * Only the rows' keys are held (8 bytes a row); a row's values are read
 * when the row is asked for, a page at a time, on the database thread.
 * The query runs there too (sorted, filtered and searched in SQL), and
 * again when the rows it shows change, whoever changed them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "vetter-database.h"
#include "vetter-query.h"

G_BEGIN_DECLS

#define VETTER_TYPE_RECORD (vetter_record_get_type ())

G_DECLARE_FINAL_TYPE (VetterRecord, vetter_record, VETTER, RECORD, GObject)

gint64       vetter_record_get_key    (VetterRecord *self);
/* FALSE until the row's values are read ("notify::loaded" then). */
gboolean     vetter_record_get_loaded (VetterRecord *self);
/* The text of value column @index (the table's columns with SQL, in
 * order), NULL for none or while not loaded. */
const char  *vetter_record_get_value  (VetterRecord *self,
                                       guint         index);

#define VETTER_TYPE_TABLE_MODEL (vetter_table_model_get_type ())

G_DECLARE_FINAL_TYPE (VetterTableModel, vetter_table_model, VETTER, TABLE_MODEL, GObject)

VetterTableModel  *vetter_table_model_new       (VetterDatabase    *database,
                                                 const VetterTable *table);
const VetterTable *vetter_table_model_get_table (VetterTableModel  *self);
/* Runs @query (a copy is kept); the list changes once its keys are in,
 * and "loaded" is emitted with the error, if any (a time limit hit). */
void               vetter_table_model_set_query (VetterTableModel  *self,
                                                 const VetterQuery *query);
const VetterQuery *vetter_table_model_get_query (VetterTableModel  *self);
/* The key of the row at @position, without reading the row. */
gint64             vetter_table_model_get_key   (VetterTableModel  *self,
                                                 guint              position);
/* Returns: (transfer full): every row's key, in order. */
GArray            *vetter_table_model_dup_keys  (VetterTableModel  *self);
/* A list not on screen (@live FALSE) only notes that its table changed,
 * and runs its query again when it is live again. Live at first. */
void               vetter_table_model_set_live  (VetterTableModel  *self,
                                                 gboolean           live);
/* Stops every query and page read still to run, and following changes:
 * for a list no longer shown. */
void               vetter_table_model_stop      (VetterTableModel  *self);
/* FALSE while a query runs. */
gboolean           vetter_table_model_is_ready  (VetterTableModel  *self);

/* How long reading the keys may take before the list keeps its first page
 * and says it was cut short (2 s; a test makes it shorter). */
void               vetter_table_model_set_time_limit (VetterTableModel *self,
                                                      guint             milliseconds);

G_END_DECLS
