/* vetter-store-query.c: running a VetterQuery against the store
 *
 * The SQL is built from the table's description (strings in the binary)
 * and every value is bound. A progress handler stops a query that runs
 * past the time limit, so that a search over a million rows cannot hold
 * the database thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-store"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include "vetter-error.h"
#include "vetter-store-private.h"
#include "vetter-store-query.h"
#include "vetter-whole-file.h"
#include "vetter-xlsx-writer.h"

void
vetter_facet_value_free (VetterFacetValue *value)
{
  if (value == NULL)
    return;
  g_free (value->value);
  g_free (value);
}

void
vetter_store_set_query_time_limit (VetterStore *self,
                                   guint        milliseconds)
{
  self->query_time_limit = milliseconds;
}

static int
past_deadline (void *data)
{
  VetterStore *self = data;

  return g_get_monotonic_time () > self->query_deadline;
}

/* Runs every SQLite step of the query under the time limit. */
static void
limit_begin (VetterStore *self)
{
  if (self->query_time_limit == 0)
    return;
  self->query_deadline = g_get_monotonic_time () + (gint64) self->query_time_limit * 1000;
  /* About every 0.1 ms of work. */
  sqlite3_progress_handler (self->db, 1000, past_deadline, self);
}

static void
limit_end (VetterStore *self)
{
  sqlite3_progress_handler (self->db, 0, NULL, NULL);
}

static void
set_step_error (VetterStore  *self,
                int           rc,
                GError      **error)
{
  if (rc == SQLITE_INTERRUPT)
    g_set_error (error, VETTER_ERROR, VETTER_ERROR_TIME_LIMIT,
                 "the query took longer than %u ms; narrow it with a filter or a search", self->query_time_limit);
  else
    vetter_store_fail (self, error, "cannot run the query");
}

static void
bind_all (sqlite3_stmt *stmt,
          GPtrArray    *binds,
          int           first)
{
  for (guint i = 0; i < binds->len; i++)
    {
      GVariant *value = g_ptr_array_index (binds, i);

      if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
        sqlite3_bind_int64 (stmt, first + (int) i, g_variant_get_int64 (value));
      else if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
        sqlite3_bind_double (stmt, first + (int) i, g_variant_get_double (value));
      else
        sqlite3_bind_text (stmt, first + (int) i, g_variant_get_string (value, NULL), -1, SQLITE_TRANSIENT);
    }
}

/* Steps @stmt to its end under the time limit, calling @row for each row;
 * the statement is reset whatever happens. */
static gboolean
run (VetterStore   *self,
     sqlite3_stmt  *stmt,
     gboolean     (*row) (sqlite3_stmt *stmt, gpointer data),
     gpointer       data,
     GError       **error)
{
  gboolean ok = TRUE;
  int rc;

  limit_begin (self);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if (!row (stmt, data))
      break;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_step_error (self, rc, error);
      ok = FALSE;
    }
  limit_end (self);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return ok;
}

static gboolean
append_key (sqlite3_stmt *stmt,
            gpointer      data)
{
  gint64 key = sqlite3_column_int64 (stmt, 0);

  g_array_append_val ((GArray *) data, key);
  return TRUE;
}

gboolean
vetter_store_query_keys (VetterStore        *self,
                         const VetterQuery  *query,
                         gint64              limit,
                         GArray             *keys,
                         GError            **error)
{
  const VetterTable *table = vetter_query_get_table (query);
  g_autoptr(GPtrArray) binds = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  g_autofree char *search_keys = vetter_query_build_search_keys (query, binds);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;

  /* A phrase found in 140,000 of a million ads: its first page in 1 ms
   * from the index, against 60 ms to find every one and sort them. */
  if (search_keys)
    sql = g_strdup_printf ("%s LIMIT ?", search_keys);
  else
    {
      g_autofree char *where = vetter_query_build_where (query, NULL, binds);
      g_autofree char *order = vetter_query_build_order (query);

      sql = g_strdup_printf ("SELECT %s FROM %s WHERE %s ORDER BY %s LIMIT ?", table->key, table->from, where, order);
    }
  stmt = vetter_store_prepare_dynamic (self, sql, error);
  if (stmt == NULL)
    return FALSE;
  bind_all (stmt, binds, 1);
  sqlite3_bind_int64 (stmt, (int) binds->len + 1, limit > 0 ? limit : -1);
  return run (self, stmt, append_key, keys, error);
}

static gboolean
take_count (sqlite3_stmt *stmt,
            gpointer      data)
{
  *(gint64 *) data = sqlite3_column_int64 (stmt, 0);
  return FALSE;
}

gint64
vetter_store_query_count (VetterStore        *self,
                          const VetterQuery  *query,
                          gint64              cap,
                          gboolean           *capped,
                          GError            **error)
{
  const VetterTable *table = vetter_query_get_table (query);
  g_autoptr(GPtrArray) binds = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  g_autofree char *where = vetter_query_build_where (query, NULL, binds);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  gint64 count = -1;

  /* Capped, the count stops at the first row past the cap. */
  if (cap > 0)
    sql = g_strdup_printf ("SELECT count (*) FROM (SELECT 1 FROM %s WHERE %s LIMIT ?)", table->from, where);
  else
    sql = g_strdup_printf ("SELECT count (*) FROM %s WHERE %s", table->from, where);
  stmt = vetter_store_prepare_dynamic (self, sql, error);
  if (stmt == NULL)
    return -1;
  bind_all (stmt, binds, 1);
  if (cap > 0)
    sqlite3_bind_int64 (stmt, (int) binds->len + 1, cap + 1);
  if (!run (self, stmt, take_count, &count, error))
    return -1;
  if (capped)
    *capped = cap > 0 && count > cap;
  return cap > 0 ? MIN (count, cap) : count;
}

/* The SELECT list of the table's value columns, times as ISO 8601 text. */
static char *
value_columns (const VetterTable *table,
               guint             *n_values)
{
  GString *list = g_string_new (NULL);

  *n_values = 0;
  for (guint i = 0; i < table->n_columns; i++)
    {
      const VetterTableColumn *column = &table->columns[i];

      if (column->sql == NULL)
        continue;
      if ((*n_values)++)
        g_string_append (list, ", ");
      if (column->type == VETTER_COLUMN_TIME)
        g_string_append_printf (list, "strftime ('%%Y-%%m-%%dT%%H:%%M:%%fZ', %s / 1000000.0, 'unixepoch')", column->sql);
      else
        g_string_append (list, column->sql);
    }
  return g_string_free (list, FALSE);
}

typedef struct
{
  guint          n_values;
  const char   **values;
  VetterRowFunc  func;
  gpointer       user_data;
} RowCall;

static gboolean
call_row (sqlite3_stmt *stmt,
          gpointer      data)
{
  RowCall *call = data;

  for (guint i = 0; i < call->n_values; i++)
    call->values[i] = (const char *) sqlite3_column_text (stmt, (int) i);
  return call->func (call->values, call->n_values, call->user_data);
}

gboolean
vetter_store_query_rows (VetterStore        *self,
                         const VetterQuery  *query,
                         gint64              offset,
                         gint64              limit,
                         VetterRowFunc       func,
                         gpointer            user_data,
                         GError            **error)
{
  const VetterTable *table = vetter_query_get_table (query);
  g_autoptr(GPtrArray) binds = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  g_autofree char *where = vetter_query_build_where (query, NULL, binds);
  g_autofree char *order = vetter_query_build_order (query);
  g_autofree char *columns = NULL;
  g_autofree char *sql = NULL;
  g_autofree const char **values = NULL;
  RowCall call = { 0 };
  sqlite3_stmt *stmt;

  columns = value_columns (table, &call.n_values);
  sql = g_strdup_printf ("SELECT %s FROM %s WHERE %s ORDER BY %s LIMIT ? OFFSET ?", columns, table->from, where, order);
  stmt = vetter_store_prepare_dynamic (self, sql, error);
  if (stmt == NULL)
    return FALSE;
  bind_all (stmt, binds, 1);
  sqlite3_bind_int64 (stmt, (int) binds->len + 1, limit > 0 ? limit : -1);
  sqlite3_bind_int64 (stmt, (int) binds->len + 2, MAX (offset, 0));
  values = g_new0 (const char *, call.n_values + 1);
  call.values = values;
  call.func = func;
  call.user_data = user_data;
  return run (self, stmt, call_row, &call, error);
}

typedef struct
{
  guint       n_values;
  GHashTable *rows;     /* key → GStrv of n_values (entries may be NULL) */
} KeyedRows;

static gboolean
keep_keyed_row (sqlite3_stmt *stmt,
                gpointer      data)
{
  KeyedRows *keyed = data;
  gint64 *key = g_new (gint64, 1);
  char **values = g_new0 (char *, keyed->n_values + 1);

  *key = sqlite3_column_int64 (stmt, 0);
  for (guint i = 0; i < keyed->n_values; i++)
    values[i] = g_strdup ((const char *) sqlite3_column_text (stmt, (int) i + 1));
  g_hash_table_replace (keyed->rows, key, values);
  return TRUE;
}

gboolean
vetter_store_query_rows_by_keys (VetterStore        *self,
                                 const VetterTable  *table,
                                 const gint64       *keys,
                                 guint               n_keys,
                                 VetterKeyedRowFunc  func,
                                 gpointer            user_data,
                                 GError            **error)
{
  g_autofree char *columns = NULL;
  g_autoptr(GString) sql = g_string_new (NULL);
  KeyedRows keyed = { 0 };
  sqlite3_stmt *stmt;
  gboolean ok;

  if (n_keys == 0)
    return TRUE;
  columns = value_columns (table, &keyed.n_values);
  /* One statement for the page: a table that is itself a query (the
   * advertisers) is worked out once, not once per row. */
  g_string_append_printf (sql, "SELECT %s, %s FROM %s WHERE %s IN (", table->key, columns, table->from, table->key);
  for (guint i = 0; i < n_keys; i++)
    g_string_append (sql, i ? ", ?" : "?");
  g_string_append_c (sql, ')');
  stmt = vetter_store_prepare_dynamic (self, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < n_keys; i++)
    sqlite3_bind_int64 (stmt, (int) i + 1, keys[i]);
  keyed.rows = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  ok = run (self, stmt, keep_keyed_row, &keyed, error);
  /* In the keys' order; a key with no row is left out. */
  for (guint i = 0; ok && i < n_keys; i++)
    {
      char **values = g_hash_table_lookup (keyed.rows, &keys[i]);

      if (values && !func (keys[i], (const char * const *) values, keyed.n_values, user_data))
        break;
    }
  {
    GHashTableIter iter;
    gpointer values;

    g_hash_table_iter_init (&iter, keyed.rows);
    while (g_hash_table_iter_next (&iter, NULL, &values))
      {
        for (guint i = 0; i < keyed.n_values; i++)
          g_free (((char **) values)[i]);
        g_free (values);
      }
  }
  g_hash_table_unref (keyed.rows);
  return ok;
}

typedef struct
{
  GPtrArray *values;
} FacetCall;

static gboolean
add_facet_value (sqlite3_stmt *stmt,
                 gpointer      data)
{
  VetterFacetValue *value = g_new0 (VetterFacetValue, 1);

  value->value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  value->count = sqlite3_column_int64 (stmt, 1);
  g_ptr_array_add (((FacetCall *) data)->values, value);
  return TRUE;
}

GPtrArray *
vetter_store_query_facet (VetterStore        *self,
                          const VetterQuery  *query,
                          const char         *field,
                          guint               max_values,
                          GError            **error)
{
  const VetterTable *table = vetter_query_get_table (query);
  const VetterTableColumn *column = vetter_table_find_column (table, field);
  g_autoptr(GPtrArray) binds = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  g_autofree char *where = NULL;
  g_autofree char *sql = NULL;
  FacetCall call = { g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_facet_value_free) };
  sqlite3_stmt *stmt;

  if (column == NULL || (column->sql == NULL && column->facet_value == NULL))
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT, "%s cannot count the values of “%s”", table->name,
                   field);
      g_ptr_array_unref (call.values);
      return NULL;
    }
  where = vetter_query_build_where (query, field, binds);
  /* Under other filters, a field the facets' index holds is grouped as an
   * expression ("+"): SQLite would otherwise walk the field's own index in
   * order and read every row to test the filters, where the facets' index
   * (status, then the few-valued fields) answers from itself: 1 s against
   * 0.1 s at a million ads. */
  if (column->sql)
    sql = g_strdup_printf ("SELECT %s%s AS value, count (*) AS n FROM %s WHERE %s GROUP BY value"
                           " ORDER BY n DESC, value LIMIT ?",
                           (column->flags & VETTER_COLUMN_IN_FACETS_INDEX) && !g_str_equal (where, "1") ? "+" : "",
                           column->sql, table->from, where);
  else
    /* Rows with the value, each once however many images have it. */
    sql = g_strdup_printf ("SELECT %s AS value, count (DISTINCT %s) AS n FROM %s %s WHERE %s"
                           " GROUP BY value ORDER BY n DESC, value LIMIT ?",
                           column->facet_value, table->key, table->from, column->facet_join, where);
  stmt = vetter_store_prepare_dynamic (self, sql, error);
  if (stmt == NULL)
    {
      g_ptr_array_unref (call.values);
      return NULL;
    }
  bind_all (stmt, binds, 1);
  sqlite3_bind_int64 (stmt, (int) binds->len + 1, max_values);
  if (!run (self, stmt, add_facet_value, &call, error))
    {
      g_ptr_array_unref (call.values);
      return NULL;
    }
  return call.values;
}

/* ---- Export --------------------------------------------------------------- */

#define EXPORT_BUFFER (64 * 1024)
#define EXPORT_PROGRESS_ROWS 5000

typedef struct
{
  const VetterTable    *table;
  VetterRowFormat       format;
  FILE                 *file;
  GString              *buffer;
  gint64                written;
  gboolean              failed;
  int                   failed_errno;   /* why the write failed */
  VetterExportProgress  progress;
  gpointer              user_data;
  VetterXlsxWriter     *xlsx;        /* for a spreadsheet; else text in buffer */
  GError               *xlsx_error;
} Export;

static gboolean
flush_export (Export *export)
{
  if (export->buffer->len > 0 &&
      fwrite (export->buffer->str, 1, export->buffer->len, export->file) != export->buffer->len)
    {
      export->failed = TRUE;
      export->failed_errno = errno ? errno : EIO;
    }
  g_string_truncate (export->buffer, 0);
  return !export->failed;
}

static gboolean
export_row (const char * const *values,
            guint               n_values,
            gpointer            data)
{
  Export *export = data;

  if (export->xlsx)
    {
      export->written++;
      if (export->progress && export->written % EXPORT_PROGRESS_ROWS == 0)
        export->progress (export->written, export->user_data);
      return vetter_xlsx_writer_add_row (export->xlsx, values, &export->xlsx_error);
    }
  vetter_row_writer_row (export->table, export->format, values, export->buffer);
  export->written++;
  if (export->progress && export->written % EXPORT_PROGRESS_ROWS == 0)
    export->progress (export->written, export->user_data);
  return export->buffer->len < EXPORT_BUFFER || flush_export (export);
}

/* The sheet's header is the fields' names, as in CSV. */
static VetterXlsxWriter *
start_spreadsheet (const VetterTable *table,
                   FILE              *file)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GArray) numeric = g_array_new (FALSE, FALSE, sizeof (gboolean));

  for (guint i = 0; i < table->n_columns; i++)
    if (table->columns[i].sql)
      {
        gboolean number = table->columns[i].type == VETTER_COLUMN_INTEGER ||
                          table->columns[i].type == VETTER_COLUMN_REAL;

        g_ptr_array_add (names, (gpointer) table->columns[i].name);
        g_array_append_val (numeric, number);
      }
  return vetter_xlsx_writer_new (file, table->name, (const char * const *) names->pdata,
                                 (const gboolean *) (gpointer) numeric->data, names->len);
}

gint64
vetter_store_export_query (VetterStore          *self,
                           const VetterQuery    *query,
                           VetterRowFormat       format,
                           const char           *path,
                           VetterExportProgress  progress,
                           gpointer              user_data,
                           GError              **error)
{
  Export export = { vetter_query_get_table (query), format, NULL, g_string_new (NULL), 0, FALSE, 0, progress, user_data };
  VetterWholeFile *file = vetter_whole_file_open (path, error);
  gboolean ok;

  if (file == NULL)
    {
      g_string_free (export.buffer, TRUE);
      return -1;
    }
  export.file = vetter_whole_file_get_stream (file);
  if (format == VETTER_ROW_FORMAT_XLSX)
    export.xlsx = start_spreadsheet (export.table, export.file);
  else
    vetter_row_writer_header (export.table, format, export.buffer);
  ok = vetter_store_query_rows (self, query, 0, 0, export_row, &export, error) && flush_export (&export);
  if (export.xlsx)
    {
      /* A write that failed stopped the rows: its reason is the one to tell. */
      if (export.xlsx_error)
        {
          g_clear_error (error);
          g_propagate_error (error, g_steal_pointer (&export.xlsx_error));
          ok = FALSE;
        }
      else if (ok)
        ok = vetter_xlsx_writer_finish (export.xlsx, error);
      g_clear_pointer (&export.xlsx, vetter_xlsx_writer_free);
    }
  g_string_free (export.buffer, TRUE);
  /* A write that failed stops the rows without a word: this is it. */
  if (!ok && export.failed && (error == NULL || *error == NULL))
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (export.failed_errno), "cannot write %s: %s", path,
                 g_strerror (export.failed_errno));
  if (!ok)
    {
      vetter_whole_file_abort (file);
      return -1;
    }
  if (!vetter_whole_file_commit (file, FALSE, error))
    return -1;
  return export.written;
}
