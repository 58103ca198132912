/* vetter-table-model.c: a console list, as a GListModel over the database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-console"

#include "config.h"

#include "vetter-store-query.h"
#include "vetter-table-model.h"

#define PAGE_SIZE 100
/* Rows shown before every key is in. */
#define FIRST_PAGE 200
#define QUERY_TIME_LIMIT_MS 2000
/* Changes that come in bursts (a batch being processed) are taken in
 * together. */
#define REQUERY_DELAY_MS 250
/* GTK 4.8 makes a row's widgets when the row appears, and keeps about 200
 * rows made: a list growing from nothing shows a few more rows each frame
 * until that many, then all the rest at once (its rows are not made). */
#define ROWS_PER_FRAME 25
#define ROWS_MADE 200
#define FRAME_MS 16

/* ---- VetterRecord --------------------------------------------------------- */

struct _VetterRecord
{
  GObject  parent_instance;
  gint64   key;
  GStrv    values;     /* NULL until loaded; entries may be NULL: n_values long */
  guint    n_values;
};

G_DEFINE_FINAL_TYPE (VetterRecord, vetter_record, G_TYPE_OBJECT)

enum { RECORD_PROP_0, RECORD_PROP_LOADED, N_RECORD_PROPS };
static GParamSpec *record_props[N_RECORD_PROPS];

static void
vetter_record_finalize (GObject *object)
{
  VetterRecord *self = VETTER_RECORD (object);

  for (guint i = 0; self->values && i < self->n_values; i++)
    g_free (self->values[i]);
  g_free (self->values);
  G_OBJECT_CLASS (vetter_record_parent_class)->finalize (object);
}

static void
vetter_record_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  if (prop_id == RECORD_PROP_LOADED)
    g_value_set_boolean (value, VETTER_RECORD (object)->values != NULL);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
vetter_record_class_init (VetterRecordClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vetter_record_finalize;
  G_OBJECT_CLASS (klass)->get_property = vetter_record_get_property;
  record_props[RECORD_PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                                                           G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (G_OBJECT_CLASS (klass), N_RECORD_PROPS, record_props);
}

static void
vetter_record_init (VetterRecord *self)
{
}

gint64
vetter_record_get_key (VetterRecord *self)
{
  return self->key;
}

gboolean
vetter_record_get_loaded (VetterRecord *self)
{
  return self->values != NULL;
}

const char *
vetter_record_get_value (VetterRecord *self,
                         guint         index)
{
  return self->values && index < self->n_values ? self->values[index] : NULL;
}

/* Takes @values (n_values long). */
static void
record_fill (VetterRecord *self,
             GStrv         values,
             guint         n_values)
{
  for (guint i = 0; self->values && i < self->n_values; i++)
    g_free (self->values[i]);
  g_free (self->values);
  self->values = values;
  self->n_values = n_values;
  g_object_notify_by_pspec (G_OBJECT (self), record_props[RECORD_PROP_LOADED]);
}

/* The record stands for another row now (@key): its values are to be read. */
static void
record_reset (VetterRecord *self,
              gint64        key)
{
  gboolean was_loaded = self->values != NULL;

  for (guint i = 0; self->values && i < self->n_values; i++)
    g_free (self->values[i]);
  g_clear_pointer (&self->values, g_free);
  self->n_values = 0;
  self->key = key;
  if (was_loaded)
    g_object_notify_by_pspec (G_OBJECT (self), record_props[RECORD_PROP_LOADED]);
}

/* ---- Database thread ------------------------------------------------------ */

typedef struct
{
  VetterQuery *query;
  gint64       limit;   /* 0: all */
  guint        time_limit_ms;
} KeysJob;

static void
keys_job_free (gpointer data)
{
  KeysJob *job = data;

  vetter_query_free (job->query);
  g_free (job);
}

static gpointer
store_query_keys (VetterStore  *store,
                  gpointer      data,
                  GError      **error)
{
  KeysJob *job = data;
  GArray *keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  gboolean ok;

  vetter_store_set_query_time_limit (store, job->time_limit_ms);
  ok = vetter_store_query_keys (store, job->query, job->limit, keys, error);
  vetter_store_set_query_time_limit (store, 0);
  if (!ok)
    {
      g_array_unref (keys);
      return NULL;
    }
  return keys;
}

typedef struct
{
  const VetterTable *table;
  guint              start;     /* the position of its first key */
  GArray            *keys;      /* the page's */
} PageJob;

typedef struct
{
  gint64  key;
  GStrv   values;
  guint   n_values;
} PageRow;

static void
page_job_free (gpointer data)
{
  PageJob *job = data;

  g_array_unref (job->keys);
  g_free (job);
}

static void
page_row_free (gpointer data)
{
  PageRow *row = data;

  for (guint i = 0; row->values && i < row->n_values; i++)
    g_free (row->values[i]);
  g_free (row->values);
  g_free (row);
}

static gboolean
collect_page_row (gint64              key,
                  const char * const *values,
                  guint               n_values,
                  gpointer            data)
{
  PageRow *row = g_new0 (PageRow, 1);

  row->key = key;
  row->n_values = n_values;
  row->values = g_new0 (char *, n_values + 1);
  for (guint i = 0; i < n_values; i++)
    row->values[i] = g_strdup (values[i]);
  g_ptr_array_add (data, row);
  return TRUE;
}

/* What a page read gives back: its rows, by key, and the keys it was for
 * from where in the list. */
typedef struct
{
  guint      start;
  GArray    *keys;
  GPtrArray *rows;   /* PageRow* */
} PageResult;

static void
page_result_free (gpointer data)
{
  PageResult *result = data;

  g_array_unref (result->keys);
  g_ptr_array_unref (result->rows);
  g_free (result);
}

static gpointer
store_read_page (VetterStore  *store,
                 gpointer      data,
                 GError      **error)
{
  PageJob *job = data;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (page_row_free);
  PageResult *result;

  if (!vetter_store_query_rows_by_keys (store, job->table, (const gint64 *) (gpointer) job->keys->data, job->keys->len,
                                        collect_page_row, rows, error))
    return NULL;
  result = g_new0 (PageResult, 1);
  result->start = job->start;
  result->keys = g_array_ref (job->keys);
  result->rows = g_steal_pointer (&rows);
  return result;
}

/* ---- VetterTableModel ----------------------------------------------------- */

struct _VetterTableModel
{
  GObject            parent_instance;
  VetterDatabase    *database;
  const VetterTable *table;
  VetterQuery       *query;
  GArray            *keys;        /* gint64, in the list's order */
  guint              shown;       /* the first keys the list has: GTK's rows */
  guint              grow_id;     /* shows more of them, a frame at a time */
  gboolean           all_keys;    /* every key of the query is in */
  guint              time_limit_ms;
  GHashTable        *records;     /* position → VetterRecord, the rows asked for */
  GHashTable        *pages;       /* page numbers asked for since the last query */
  GCancellable      *cancellable; /* the running query's and its pages' */
  gboolean           ready;
  gboolean           first_page;  /* this run's first page is not in yet */
  gboolean           hidden;      /* not on screen: changes are only noted */
  gboolean           stale;       /* its table changed while it was hidden */
  guint              requery_id;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VetterTableModel, vetter_table_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum { LOADED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
on_page_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(VetterTableModel) self = user_data;
  g_autoptr(GError) error = NULL;
  PageResult *page = vetter_database_run_finish (VETTER_DATABASE (source), result, &error);

  if (page == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("A page of %s could not be read: %s", self->table->name, error->message);
      return;
    }
  for (guint i = 0; i < page->rows->len; i++)
    {
      PageRow *row = g_ptr_array_index (page->rows, i);

      /* Rows come by key; a record takes them only while it still stands
       * for that key (a list that changed meanwhile reads them again). */
      for (guint k = 0; k < page->keys->len; k++)
        {
          VetterRecord *record;

          if (g_array_index (page->keys, gint64, k) != row->key)
            continue;
          record = g_hash_table_lookup (self->records, GUINT_TO_POINTER (page->start + k));
          if (record && record->key == row->key)
            {
              record_fill (record, g_steal_pointer (&row->values), row->n_values);
              row->n_values = 0;
            }
          break;
        }
    }
  page_result_free (page);
}

static void
request_page (VetterTableModel *self,
              guint             page)
{
  PageJob *job;
  guint start = page * PAGE_SIZE;
  guint end = MIN (start + PAGE_SIZE, self->keys->len);

  if (g_hash_table_contains (self->pages, GUINT_TO_POINTER (page + 1)))
    return;
  g_hash_table_add (self->pages, GUINT_TO_POINTER (page + 1));
  job = g_new0 (PageJob, 1);
  job->table = self->table;
  job->start = start;
  job->keys = g_array_sized_new (FALSE, FALSE, sizeof (gint64), end - start);
  g_array_append_vals (job->keys, &g_array_index (self->keys, gint64, start), end - start);
  vetter_database_run_async (self->database, store_read_page, job, page_job_free, page_result_free,
                             self->cancellable, on_page_read, g_object_ref (self));
}

static GType
get_item_type (GListModel *model)
{
  return VETTER_TYPE_RECORD;
}

static guint
get_n_items (GListModel *model)
{
  return VETTER_TABLE_MODEL (model)->shown;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  VetterTableModel *self = VETTER_TABLE_MODEL (model);
  VetterRecord *record;
  gint64 key;

  if (position >= self->shown)
    return NULL;
  key = g_array_index (self->keys, gint64, position);
  record = g_hash_table_lookup (self->records, GUINT_TO_POINTER (position));
  if (record == NULL)
    {
      record = g_object_new (VETTER_TYPE_RECORD, NULL);
      record->key = key;
      g_hash_table_insert (self->records, GUINT_TO_POINTER (position), record);
    }
  if (!record->values)
    request_page (self, position / PAGE_SIZE);
  return g_object_ref (record);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

/* GTK 4.8 destroys the widgets of rows removed from a list and makes new
 * ones for rows added: 100 ms for a screenful of a wide list, a frozen
 * window at each search. So a list whose keys change keeps its rows: the
 * row at each place takes the key now there and, when it is another's or
 * @keep_values is FALSE (values may have changed), reads its values
 * again; only the tail grows or shrinks. */
static void
finish_if_whole (VetterTableModel *self,
                 const GError     *error)
{
  if (!self->all_keys || self->shown < self->keys->len || self->ready)
    return;
  self->ready = TRUE;
  g_signal_emit (self, signals[LOADED], 0, error);
}

/* How many of the keys to show after @shown, now. */
static guint
rows_to_show (VetterTableModel *self,
              guint             shown)
{
  if (shown >= ROWS_MADE)
    return self->keys->len;
  return MIN (self->keys->len, shown + ROWS_PER_FRAME);
}

static gboolean
grow (gpointer data)
{
  VetterTableModel *self = data;
  guint before = self->shown;

  self->shown = rows_to_show (self, before);
  if (self->shown > before)
    g_list_model_items_changed (G_LIST_MODEL (self), before, 0, self->shown - before);
  if (self->shown < self->keys->len)
    return G_SOURCE_CONTINUE;
  self->grow_id = 0;
  finish_if_whole (self, NULL);
  return G_SOURCE_REMOVE;
}

static void
take_keys (VetterTableModel *self,
           GArray           *keys,
           gboolean          keep_values)
{
  guint before = self->shown;
  guint after;
  guint shared;
  g_autoptr(GArray) reread = g_array_new (FALSE, FALSE, sizeof (guint));
  GHashTableIter iter;
  gpointer position, value;

  g_array_unref (self->keys);
  self->keys = keys;
  /* Rows there stay; fewer go at once; more come a few a frame. */
  after = keys->len <= before ? keys->len : MAX (before, rows_to_show (self, before));
  shared = MIN (before, after);
  g_hash_table_iter_init (&iter, self->records);
  while (g_hash_table_iter_next (&iter, &position, &value))
    {
      VetterRecord *record = value;
      guint at = GPOINTER_TO_UINT (position);
      gint64 key;

      if (at >= after)
        {
          g_hash_table_iter_remove (&iter);
          continue;
        }
      key = g_array_index (keys, gint64, at);
      if (key == record->key && keep_values)
        continue;
      /* The same row keeps showing its values until the new ones are in. */
      if (key != record->key)
        record_reset (record, key);
      g_array_append_val (reread, at);
    }
  if (!keep_values)
    g_hash_table_remove_all (self->pages);
  for (guint i = 0; i < reread->len; i++)
    {
      guint page = g_array_index (reread, guint, i) / PAGE_SIZE;

      /* A page read for the keys that were there is read again. */
      if (keep_values)
        g_hash_table_remove (self->pages, GUINT_TO_POINTER (page + 1));
    }
  for (guint i = 0; i < reread->len; i++)
    request_page (self, g_array_index (reread, guint, i) / PAGE_SIZE);
  self->shown = after;
  if (before != after)
    g_list_model_items_changed (G_LIST_MODEL (self), shared, before - shared, after - shared);
  if (self->shown < self->keys->len && self->grow_id == 0)
    self->grow_id = g_timeout_add (FRAME_MS, grow, self);
}

static void
on_keys (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(VetterTableModel) self = user_data;
  g_autoptr(GError) error = NULL;
  GArray *keys = vetter_database_run_finish (VETTER_DATABASE (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (keys)
    take_keys (self, keys, !self->first_page);
  self->first_page = FALSE;
  self->all_keys = TRUE;
  /* Whole once shown: now, or when the last rows have come. Without every
   * key (the time limit), the first page still comes in, said at once. */
  if (keys == NULL || self->shown == self->keys->len)
    {
      self->ready = TRUE;
      g_signal_emit (self, signals[LOADED], 0, error);
    }
}

static void
on_first_keys (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(VetterTableModel) self = user_data;
  g_autoptr(GError) error = NULL;
  GArray *keys = vetter_database_run_finish (VETTER_DATABASE (source), result, &error);

  if (keys == NULL || !self->first_page)
    {
      g_clear_pointer (&keys, g_array_unref);
      return;
    }
  /* Every key follows, read while the first page is drawn. */
  take_keys (self, keys, FALSE);
  self->first_page = FALSE;
}

static void
run_query (VetterTableModel *self)
{
  KeysJob *first = g_new0 (KeysJob, 1);
  KeysJob *job = g_new0 (KeysJob, 1);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->ready = FALSE;
  self->all_keys = FALSE;
  self->first_page = TRUE;
  /* A first page, on screen at once, then every key. */
  first->query = vetter_query_copy (self->query);
  first->limit = FIRST_PAGE;
  first->time_limit_ms = self->time_limit_ms;
  vetter_database_run_async (self->database, store_query_keys, first, keys_job_free, (GDestroyNotify) g_array_unref,
                             self->cancellable, on_first_keys, g_object_ref (self));
  job->query = vetter_query_copy (self->query);
  job->time_limit_ms = self->time_limit_ms;
  vetter_database_run_async (self->database, store_query_keys, job, keys_job_free, (GDestroyNotify) g_array_unref,
                             self->cancellable, on_keys, g_object_ref (self));
}

static gboolean
requery (gpointer data)
{
  VetterTableModel *self = data;

  self->requery_id = 0;
  run_query (self);
  return G_SOURCE_REMOVE;
}

static void
on_rows_changed (VetterTableModel *self,
                 const char       *table,
                 GArray           *ids)
{
  if (self->hidden)
    {
      self->stale = TRUE;
      return;
    }
  if (self->requery_id == 0)
    self->requery_id = g_timeout_add (REQUERY_DELAY_MS, requery, self);
}

static void
vetter_table_model_dispose (GObject *object)
{
  VetterTableModel *self = VETTER_TABLE_MODEL (object);

  g_clear_handle_id (&self->requery_id, g_source_remove);
  g_clear_handle_id (&self->grow_id, g_source_remove);
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->database)
    g_signal_handlers_disconnect_by_data (self->database, self);
  g_clear_object (&self->database);
  G_OBJECT_CLASS (vetter_table_model_parent_class)->dispose (object);
}

static void
vetter_table_model_finalize (GObject *object)
{
  VetterTableModel *self = VETTER_TABLE_MODEL (object);

  g_clear_pointer (&self->query, vetter_query_free);
  g_array_unref (self->keys);
  g_hash_table_unref (self->records);
  g_hash_table_unref (self->pages);
  G_OBJECT_CLASS (vetter_table_model_parent_class)->finalize (object);
}

static void
vetter_table_model_class_init (VetterTableModelClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = vetter_table_model_dispose;
  G_OBJECT_CLASS (klass)->finalize = vetter_table_model_finalize;

  /**
   * VetterTableModel::loaded:
   * @error: (nullable): why the query gave no rows (a time limit hit)
   */
  signals[LOADED] = g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
vetter_table_model_init (VetterTableModel *self)
{
  self->keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->records = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  self->time_limit_ms = QUERY_TIME_LIMIT_MS;
  self->pages = g_hash_table_new (NULL, NULL);
}

VetterTableModel *
vetter_table_model_new (VetterDatabase    *database,
                        const VetterTable *table)
{
  VetterTableModel *self = g_object_new (VETTER_TYPE_TABLE_MODEL, NULL);
  g_autofree char *detailed = g_strconcat ("rows-changed::", table->watches, NULL);

  self->database = g_object_ref (database);
  self->table = table;
  self->query = vetter_query_new (table);
  g_signal_connect_swapped (database, detailed, G_CALLBACK (on_rows_changed), self);
  return self;
}

const VetterTable *
vetter_table_model_get_table (VetterTableModel *self)
{
  return self->table;
}

void
vetter_table_model_set_query (VetterTableModel  *self,
                              const VetterQuery *query)
{
  g_clear_pointer (&self->query, vetter_query_free);
  self->query = vetter_query_copy (query);
  g_clear_handle_id (&self->requery_id, g_source_remove);
  run_query (self);
}

const VetterQuery *
vetter_table_model_get_query (VetterTableModel *self)
{
  return self->query;
}

void
vetter_table_model_set_time_limit (VetterTableModel *self,
                                   guint             milliseconds)
{
  self->time_limit_ms = milliseconds;
}

gboolean
vetter_table_model_is_ready (VetterTableModel *self)
{
  return self->ready;
}

gint64
vetter_table_model_get_key (VetterTableModel *self,
                            guint             position)
{
  g_return_val_if_fail (position < self->shown, 0);
  return g_array_index (self->keys, gint64, position);
}

GArray *
vetter_table_model_dup_keys (VetterTableModel *self)
{
  GArray *keys = g_array_sized_new (FALSE, FALSE, sizeof (gint64), self->keys->len);

  g_array_append_vals (keys, self->keys->data, self->keys->len);
  return keys;
}

void
vetter_table_model_stop (VetterTableModel *self)
{
  g_clear_handle_id (&self->requery_id, g_source_remove);
  g_clear_handle_id (&self->grow_id, g_source_remove);
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  if (self->database)
    g_signal_handlers_disconnect_by_data (self->database, self);
}

void
vetter_table_model_set_live (VetterTableModel *self,
                             gboolean          live)
{
  self->hidden = !live;
  if (live && self->stale)
    {
      self->stale = FALSE;
      g_clear_handle_id (&self->requery_id, g_source_remove);
      run_query (self);
    }
}
