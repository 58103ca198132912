/* test-query.c: the console's queries, on a store made here
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>

#include <sqlite3.h>
#include <string.h>

#include "vetter-csv.h"
#include "vetter-database.h"
#include "vetter-error.h"
#include "vetter-store-query.h"
#include "vetter-xlsx-writer.h"
#include "vetter-table-model.h"
#include "vetter-test-util.h"

typedef struct
{
  char        *dir;
  char        *path;
  VetterStore *store;
} Fixture;

static void
exec (Fixture    *f,
      const char *sql)
{
  test_exec_sql (f->path, sql);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = test_tmpdir ();
  f->path = g_build_filename (f->dir, "vetter.db", NULL);
  f->store = vetter_store_open (f->path, &error);
  g_assert_no_error (error);
  test_fill_twelve_ads (f->path);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_finalize_object (f->store);
  test_remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static VetterQuery *
query (const char         *table,
       const char * const *filters,
       const char         *search,
       const char         *sort)
{
  VetterQuery *q = vetter_query_new (vetter_table_lookup (table));
  g_autoptr(GError) error = NULL;

  for (guint i = 0; filters && filters[i]; i++)
    {
      vetter_query_parse_filter (q, filters[i], &error);
      g_assert_no_error (error);
    }
  vetter_query_set_search (q, search);
  if (sort)
    {
      vetter_query_set_sort (q, sort, &error);
      g_assert_no_error (error);
    }
  return q;
}

/* The keys as "1,4,7". */
static char *
keys_of (Fixture           *f,
         const VetterQuery *q)
{
  g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  GString *text = g_string_new (NULL);

  g_assert_true (vetter_store_query_keys (f->store, q, 0, keys, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < keys->len; i++)
    g_string_append_printf (text, "%s%" G_GINT64_FORMAT, i ? "," : "", g_array_index (keys, gint64, i));
  return g_string_free (text, FALSE);
}

static char *
keys_for (Fixture            *f,
          const char         *table,
          const char * const *filters,
          const char         *search,
          const char         *sort)
{
  g_autoptr(VetterQuery) q = query (table, filters, search, sort);

  return keys_of (f, q);
}

static void
assert_keys (Fixture            *f,
             const char * const *filters,
             const char         *search,
             const char         *sort,
             const char         *expected)
{
  g_autofree char *keys = keys_for (f, "ads", filters, search, sort);

  g_assert_cmpstr (keys, ==, expected);
}

/* Every sortable column of every table sorts both ways, the key breaking
 * ties; titles sort as SQLite compares them. */
static void
test_sorts (Fixture       *f,
            gconstpointer  data)
{
  const VetterTable * const *tables = vetter_tables ();

  assert_keys (f, NULL, NULL, NULL, "12,11,10,9,8,7,6,5,4,3,2,1");
  assert_keys (f, NULL, NULL, "id", "1,2,3,4,5,6,7,8,9,10,11,12");
  assert_keys (f, NULL, NULL, "title", "6,7,3,8,10,5,9,1,12,11,2,4");
  assert_keys (f, NULL, NULL, "-title", "4,2,11,12,1,9,5,10,8,3,7,6");
  /* Equal statuses: by key, in the same direction. */
  assert_keys (f, NULL, NULL, "status", "1,4,7,10,3,6,9,12,2,5,8,11");
  assert_keys (f, NULL, NULL, "-status", "11,8,5,2,12,9,6,3,10,7,4,1");

  for (guint t = 0; tables[t]; t++)
    for (guint c = 0; c < tables[t]->n_columns; c++)
      {
        const VetterTableColumn *column = &tables[t]->columns[c];
        g_autofree char *down = g_strconcat ("-", column->name, NULL);
        g_autoptr(GError) error = NULL;
        g_autoptr(VetterQuery) up_q = vetter_query_new (tables[t]);
        g_autoptr(VetterQuery) down_q = vetter_query_new (tables[t]);
        g_autoptr(GArray) up_keys = g_array_new (FALSE, FALSE, sizeof (gint64));
        g_autoptr(GArray) down_keys = g_array_new (FALSE, FALSE, sizeof (gint64));

        if (!(column->flags & VETTER_COLUMN_SORTABLE))
          {
            g_assert_false (vetter_query_set_sort (up_q, column->name, &error));
            g_assert_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT);
            continue;
          }
        g_assert_true (vetter_query_set_sort (up_q, column->name, &error));
        g_assert_true (vetter_query_set_sort (down_q, down, &error));
        g_assert_true (vetter_store_query_keys (f->store, up_q, 0, up_keys, &error));
        g_assert_true (vetter_store_query_keys (f->store, down_q, 0, down_keys, &error));
        g_assert_no_error (error);
        /* Descending is ascending backwards: every tie is broken by the key. */
        g_assert_cmpuint (up_keys->len, ==, down_keys->len);
        for (guint i = 0; i < up_keys->len; i++)
          g_assert_cmpint (g_array_index (up_keys, gint64, i), ==,
                           g_array_index (down_keys, gint64, down_keys->len - 1 - i));
      }
}

static void
test_filters (Fixture       *f,
              gconstpointer  data)
{
  assert_keys (f, (const char *[]) { "status=approved", NULL }, NULL, "id", "1,4,7,10");
  /* Several values of one field: any of them; fields together: all. */
  assert_keys (f, (const char *[]) { "status=approved", "status=rejected", NULL }, NULL, "id", "1,2,4,5,7,8,10,11");
  assert_keys (f, (const char *[]) { "status=approved", "status=rejected", "batch=2", NULL }, NULL, "id", "10,11");
  assert_keys (f, (const char *[]) { "status!=needs_review", "email=b@example.com", NULL }, NULL, "id", "2,4,8,10");
  assert_keys (f, (const char *[]) { "decided_by=ana", NULL }, NULL, "id", "2,4,8,10");
  assert_keys (f, (const char *[]) { "title~scooter", NULL }, NULL, "id", "8,9");
  assert_keys (f, (const char *[]) { "title~%", NULL }, NULL, "id", "3");
  assert_keys (f, (const char *[]) { "title~_", NULL }, NULL, "id", "4");
  assert_keys (f, (const char *[]) { "id>=3", "id<5", NULL }, NULL, "id", "3,4");
  /* Dates: a day alone as the end of a range takes that whole day. */
  assert_keys (f, (const char *[]) { "created>=2026-12-02", "created<=2026-12-02", NULL }, NULL, "id", "2,5,8,11");
  assert_keys (f, (const char *[]) { "created>2026-12-02", NULL }, NULL, "id", "3,6,9,12");
  assert_keys (f, (const char *[]) { "created<2026-12-01T12:00:01Z", NULL }, NULL, "id", "1,4,7,10");
  /* Through the images: tags and defects. */
  assert_keys (f, (const char *[]) { "tag=car", NULL }, NULL, "id", "1,2");
  assert_keys (f, (const char *[]) { "tag=car", "tag=scooter", NULL }, NULL, "id", "1,2,8");
  assert_keys (f, (const char *[]) { "defect=blur", "severity=high", NULL }, NULL, "id", "1");
  assert_keys (f, (const char *[]) { "defect=dark", NULL }, NULL, "id", "3");
}

/* What cannot be asked is refused, saying what and why; nothing is kept
 * of it. */
static void
test_bad_filters (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(VetterQuery) q = vetter_query_new (vetter_table_lookup ("ads"));
  struct { const char *expression; const char *message; } bad[] = {
    { "colour=red", "ads has no field “colour” (it has id, title," },
    { "id=seven", "id: “seven” is not a whole number" },
    { "created>=yesterday", "created: “yesterday” is not a date" },
    { "tag~ca", "tag can only be matched exactly (tag=VALUE)" },
    { "status", "“status” is no filter: write FIELD=VALUE" },
    { "created<=2026-12-01", "created: the range ends (2026-12-01) before it starts (2026-12-03)" },
  };
  g_autoptr(GError) sort_error = NULL;

  g_assert_true (vetter_query_parse_filter (q, "created>=2026-12-03", NULL));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (vetter_query_parse_filter (q, bad[i].expression, &error));
      g_assert_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT);
      if (!g_str_has_prefix (error->message, bad[i].message))
        g_error ("%s: “%s”, expected “%s…”", bad[i].expression, error->message, bad[i].message);
    }
  /* The refused range left the first half alone. */
  {
    g_autofree char *keys = keys_of (f, q);

    g_assert_cmpstr (keys, ==, "12,9,6,3");
  }
  g_assert_false (vetter_query_set_sort (q, "-colour", &sort_error));
  g_assert_error (sort_error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT);
}

/* The search is data, never SQL or a LIKE pattern: quotes, percent signs,
 * underscores and SQL words find the rows that hold them, literally. It
 * looks in the title, the e-mail, the note and the images' sources,
 * through the trigram index from three characters on. */
static void
test_search (Fixture       *f,
             gconstpointer  data)
{
  assert_keys (f, NULL, "corolla", "id", "1,2");
  assert_keys (f, NULL, "COROLLA", "id", "1,2");
  assert_keys (f, NULL, "50%", "id", "3");
  assert_keys (f, NULL, "s_5", "id", "4");
  assert_keys (f, NULL, "O'Brien", "id", "5");
  assert_keys (f, NULL, "\"Quoted\"", "id", "6");
  assert_keys (f, NULL, "'; DROP TABLE item; --", "id", "7");
  assert_keys (f, NULL, "b@example", "id", "2,4,6,8,10,12");
  assert_keys (f, NULL, "ads/11.jpg", "id", "11");
  assert_keys (f, NULL, "no such thing", "id", "");
  /* Under three characters the index cannot look: the rows are read. */
  assert_keys (f, NULL, "%", "id", "3");
  assert_keys (f, NULL, "_", "id", "4");
  assert_keys (f, NULL, "'", "id", "5,7");
  /* A search alone comes straight from the index in key order, either
   * way, a page stopping early: the same keys as through the rows. */
  assert_keys (f, NULL, "b@example", NULL, "12,10,8,6,4,2");
  assert_keys (f, (const char *[]) { "id>=1", NULL }, "b@example", NULL, "12,10,8,6,4,2");
  {
    g_autoptr(VetterQuery) q = query ("ads", NULL, "b@example", "id");
    g_autoptr(GArray) page = g_array_new (FALSE, FALSE, sizeof (gint64));
    g_autoptr(GError) error = NULL;

    g_assert_true (vetter_store_query_keys (f->store, q, 2, page, &error));
    g_assert_cmpuint (page->len, ==, 2);
    g_assert_cmpint (g_array_index (page, gint64, 0), ==, 2);
    g_assert_cmpint (g_array_index (page, gint64, 1), ==, 4);
  }
  /* Search and filters together. */
  assert_keys (f, (const char *[]) { "status=approved", NULL }, "civic", "id", "10");
  g_assert_cmpint (sqlite3_libversion_number (), >=, 3034000);
  {
    g_autofree char *all = keys_for (f, "ads", NULL, NULL, "id");

    g_assert_cmpstr (all, ==, "1,2,3,4,5,6,7,8,9,10,11,12");
  }
}

static void
test_counts_capped (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(VetterQuery) all = query ("ads", NULL, NULL, NULL);
  g_autoptr(VetterQuery) some = query ("ads", (const char *[]) { "status=rejected", NULL }, NULL, NULL);
  g_autoptr(GError) error = NULL;
  gboolean capped = TRUE;

  g_assert_cmpint (vetter_store_query_count (f->store, all, 0, &capped, &error), ==, 12);
  g_assert_false (capped);
  g_assert_cmpint (vetter_store_query_count (f->store, all, 5, &capped, &error), ==, 5);
  g_assert_true (capped);
  g_assert_cmpint (vetter_store_query_count (f->store, all, 12, &capped, &error), ==, 12);
  g_assert_false (capped);
  g_assert_cmpint (vetter_store_query_count (f->store, some, 10, &capped, &error), ==, 4);
  g_assert_false (capped);
  g_assert_no_error (error);
}

static char *
facet_text (GPtrArray *values)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < values->len; i++)
    {
      VetterFacetValue *value = g_ptr_array_index (values, i);

      g_string_append_printf (text, "%s%s:%" G_GINT64_FORMAT, i ? " " : "", value->value ? value->value : "(none)",
                              value->count);
    }
  return g_string_free (text, FALSE);
}

/* A facet counts its values among the rows the other filters keep: its
 * own filter does not hide the other values. */
static void
test_facets_follow_each_other (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(VetterQuery) q = query ("ads", (const char *[]) { "status=approved", "batch=1", NULL }, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) statuses = vetter_store_query_facet (f->store, q, "status", 30, &error);
  g_autoptr(GPtrArray) batches = vetter_store_query_facet (f->store, q, "batch", 30, &error);
  g_autoptr(GPtrArray) one = NULL;
  g_autofree char *status_text = NULL;
  g_autofree char *batch_text = NULL;

  g_assert_no_error (error);
  status_text = facet_text (statuses);
  batch_text = facet_text (batches);
  g_assert_cmpstr (status_text, ==, "approved:3 rejected:3 needs_review:2");
  g_assert_cmpstr (batch_text, ==, "1:3 2:1");
  one = vetter_store_query_facet (f->store, q, "status", 1, &error);
  g_assert_cmpuint (one->len, ==, 1);
  /* Through the images: each ad counted once. */
  {
    g_autoptr(VetterQuery) all = query ("ads", (const char *[]) { "defect=blur", NULL }, NULL, NULL);
    g_autoptr(GPtrArray) tags = vetter_store_query_facet (f->store, all, "tag", 30, &error);
    g_autoptr(GPtrArray) kinds = vetter_store_query_facet (f->store, all, "defect", 30, &error);
    g_autofree char *tag_text = NULL;
    g_autofree char *kind_text = NULL;

    g_assert_no_error (error);
    tag_text = facet_text (tags);
    kind_text = facet_text (kinds);
    /* Blurred: ads 1 (car) and 3 (no tag). */
    g_assert_cmpstr (tag_text, ==, "car:1");
    g_assert_cmpstr (kind_text, ==, "blur:2 dark:1");
  }
  g_assert_null (vetter_store_query_facet (f->store, q, "colour", 30, &error));
  g_assert_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT);
}

static gboolean
collect_row (const char * const *values,
             guint               n_values,
             gpointer            data)
{
  GString *row = g_string_new (NULL);

  for (guint i = 0; i < n_values; i++)
    g_string_append_printf (row, "%s%s", i ? "|" : "", values[i] ? values[i] : "");
  g_ptr_array_add (data, g_string_free (row, FALSE));
  return TRUE;
}

static gboolean
collect_keyed_row (gint64              key,
                   const char * const *values,
                   guint               n_values,
                   gpointer            data)
{
  g_assert_cmpint (key, ==, g_ascii_strtoll (values[0], NULL, 10));
  return collect_row (values, n_values, data);
}

/* Rows come in the query's order with times in ISO 8601; a page by keys
 * keeps the keys' order. */
static void
test_rows (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(VetterQuery) q = query ("ads", (const char *[]) { "tag=car", NULL }, NULL, "-id");
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  const gint64 keys[] = { 9, 3, 4000, 1 };

  g_assert_true (vetter_store_query_rows (f->store, q, 0, 0, collect_row, rows, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_true (g_str_has_prefix (rows->pdata[0], "2|corolla wagon|b@example.com|rejected|"));
  g_assert_nonnull (strstr (rows->pdata[1], "|2026-12-01T12:00:00.000Z|"));

  g_assert_true (vetter_store_query_rows_by_keys (f->store, vetter_table_lookup ("ads"), keys, G_N_ELEMENTS (keys),
                                                  collect_keyed_row, page, &error));
  g_assert_cmpuint (page->len, ==, 3);
  g_assert_true (g_str_has_prefix (page->pdata[0], "9|Red scooter|"));
  g_assert_true (g_str_has_prefix (page->pdata[1], "3|50% off tyres|"));
  g_assert_true (g_str_has_prefix (page->pdata[2], "1|Toyota Corolla 2010|"));
}

/* A query past the time limit stops, saying so, and the store goes on. */
static void
test_time_limit (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(VetterQuery) q = query ("advertisers", NULL, "nobody", NULL);
  g_autoptr(VetterQuery) quick = query ("ads", NULL, NULL, NULL);
  g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;

  /* 300,000 more ads, for a search that has to look at every one. */
  exec (f, "WITH RECURSIVE n (i) AS (SELECT 100 UNION ALL SELECT i + 1 FROM n WHERE i < 300099)"
           " INSERT INTO item (id, batch_id, row, title, email, status, created, updated, uid)"
           " SELECT i, 1, i, 'ad ' || i, 'seller' || (i % 5000) || '@example.com', 'queued', 0, 0, 'x' || i FROM n;");
  vetter_store_set_query_time_limit (f->store, 5);
  g_assert_false (vetter_store_query_keys (f->store, q, 0, keys, &error));
  g_assert_error (error, VETTER_ERROR, VETTER_ERROR_TIME_LIMIT);
  g_assert_nonnull (strstr (error->message, "took longer than 5 ms"));
  g_clear_error (&error);

  g_array_set_size (keys, 0);
  vetter_store_set_query_time_limit (f->store, 0);
  g_assert_true (vetter_store_query_keys (f->store, quick, 0, keys, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 300012);
}

/* The advertisers: one row per address, with their ads counted. */
static void
test_advertisers (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(VetterQuery) q = query ("advertisers", NULL, NULL, "email");
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  g_assert_true (vetter_store_query_rows (f->store, q, 0, 0, collect_row, rows, &error));
  g_assert_cmpuint (rows->len, ==, 2);
  /* email|ads|approved|rejected|pending|last seen */
  g_assert_true (g_str_has_prefix (rows->pdata[0], "a@example.com|6|2|2|2|"));
  g_assert_true (g_str_has_prefix (rows->pdata[1], "b@example.com|6|2|2|2|"));
}

static int
count_where (Fixture    *f,
             const char *sql)
{
  sqlite3 *db;
  sqlite3_stmt *stmt;
  int value = -1;

  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* A bulk approval of every ad a filter keeps: each through the decision
 * path (its own audit row), one row for the whole; a failed ad is left
 * alone and counted; the undo gives each its own decision back. */
static void
test_bulk_decision_and_undo (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(VetterQuery) q = query ("ads", (const char *[]) { "batch=1", "status!=approved", NULL }, NULL, "id");
  g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(VetterItemDecision) approve = vetter_item_decision_new_manual (VETTER_STATUS_APPROVED, NULL, NULL, "ana");
  g_autoptr(VetterBulkUndo) undo = NULL;
  g_autoptr(GError) error = NULL;

  exec (f, "UPDATE item SET status = 'failed', error = 'no image' WHERE id = 8");
  g_assert_true (vetter_store_query_keys (f->store, q, 0, keys, &error));
  /* 2, 3, 5, 6, 8 (failed). */
  g_assert_cmpuint (keys->len, ==, 5);
  undo = vetter_store_decide_many (f->store, (gint64 *) keys->data, keys->len, approve, "ana", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (undo);
  g_assert_cmpuint (undo->skipped, ==, 1);
  g_assert_cmpuint (undo->item_ids->len, ==, 4);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM item WHERE batch_id = 1 AND status = 'approved'"), ==, 7);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM item WHERE id = 8 AND status = 'failed'"), ==, 1);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM audit_log WHERE object_type = 'item' AND actor = 'ana'"), ==, 4);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM audit_log WHERE object_type = 'bulk' AND action = 'bulk approved'"
                                   " AND json_extract (changes, '$.ads[1]') = '4'"), ==, 1);

  g_assert_true (vetter_store_undo_many (f->store, undo, "ana", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM item WHERE id IN (2, 5) AND status = 'rejected'"), ==, 2);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM item WHERE id IN (3, 6) AND status = 'needs_review'"), ==, 2);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM audit_log WHERE action = 'undo bulk approved'"), ==, 1);
}

/* One field across many ads: checked as a person's text, refused whole
 * when it cannot be; each ad audited; the undo gives each its own back. */
static void
test_bulk_edit_and_undo (Fixture       *f,
                         gconstpointer  data)
{
  const gint64 ids[] = { 1, 2, 3 };
  g_autoptr(VetterEditUndo) undo = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *long_title = g_strnfill (201, 'x');
  struct { const char *field; const char *value; const char *message; } bad[] = {
    { "title", "   ", "title: an ad needs one" },
    { "title", "two\nlines", "title: a line break or a control character has no place in it" },
    { "title", long_title, "title: at most 200 characters (this has 201)" },
    { "status", "approved", "status cannot be edited across many ads" },
  };

  exec (f, "UPDATE item SET category = 'vans' WHERE id = 2");
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_null (vetter_store_edit_many (f->store, ids, G_N_ELEMENTS (ids), bad[i].field, bad[i].value, "ana",
                                             &error));
      g_assert_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT);
      g_assert_cmpstr (error->message, ==, bad[i].message);
      g_clear_error (&error);
    }
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM audit_log"), ==, 0);

  undo = vetter_store_edit_many (f->store, ids, G_N_ELEMENTS (ids), "category", "  cars ", "ana", &error);
  g_assert_no_error (error);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM item WHERE id IN (1, 2, 3) AND category = 'cars'"), ==, 3);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM audit_log WHERE object_id = 2 AND action = 'edit'"
                                   " AND json_extract (changes, '$.category[0]') = 'vans'"), ==, 1);
  g_assert_true (vetter_store_undo_edit (f->store, undo, "ana", &error));
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM item WHERE id = 2 AND category = 'vans'"), ==, 1);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM item WHERE id IN (1, 3) AND category IS NULL"), ==, 2);
}

static gint64
audit_id (Fixture    *f,
          const char *where)
{
  g_autofree char *sql = g_strdup_printf ("SELECT id FROM audit_log WHERE %s ORDER BY id DESC LIMIT 1", where);

  return count_where (f, sql);
}

/* Any change of an ad taken back from the audit log as a new change: a
 * decision (its reason and note with it), a title; what has nothing to go
 * back to is refused, saying why. */
static void
test_revert (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(VetterItemDecision) reject = vetter_item_decision_new_manual (VETTER_STATUS_REJECTED, "prohibited", "seen it",
                                                                          "ana");
  g_autoptr(VetterItemDecision) approve = vetter_item_decision_new_manual (VETTER_STATUS_APPROVED, NULL, NULL, "ben");
  const gint64 one[] = { 3 };
  g_autoptr(VetterEditUndo) edit = NULL;
  g_autoptr(GError) error = NULL;

  /* Ad 3 (to review): rejected by ana, then approved by ben. */
  g_assert_true (vetter_store_decide (f->store, 3, reject, "decide", "ana", NULL, NULL, NULL, &error));
  g_assert_true (vetter_store_decide (f->store, 3, approve, "decide", "ben", NULL, NULL, NULL, &error));
  /* Back to before ben's: rejected, for ana's reason, with her note. */
  g_assert_cmpint (vetter_store_revert (f->store, audit_id (f, "actor = 'ben'"), "mia", NULL, &error), ==, 3);
  g_assert_no_error (error);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM item WHERE id = 3 AND status = 'rejected'"
                                   " AND reason_code = 'prohibited' AND note = 'seen it' AND decided_by = 'mia'"), ==, 1);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM audit_log WHERE action = 'revert' AND actor = 'mia'"), ==, 1);
  /* Before ana's, it was waiting for a person: that is where it goes. */
  g_assert_cmpint (vetter_store_revert (f->store, audit_id (f, "actor = 'ana'"), "mia", NULL, &error), ==, 3);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM item WHERE id = 3 AND status = 'needs_review'"), ==, 1);

  edit = vetter_store_edit_many (f->store, one, 1, "title", "A new title", "ana", &error);
  g_assert_cmpint (vetter_store_revert (f->store, audit_id (f, "action = 'edit'"), "mia", NULL, &error), ==, 3);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM item WHERE id = 3 AND title = '50% off tyres'"), ==, 1);

  g_assert_cmpint (vetter_store_revert (f->store, audit_id (f, "object_type = 'bulk'"), "mia", NULL, &error), ==, 0);
  g_assert_nonnull (strstr (error->message, "is not an ad's change"));
  g_clear_error (&error);
  g_assert_cmpint (vetter_store_revert (f->store, 999999, "mia", NULL, &error), ==, 0);
  g_assert_nonnull (strstr (error->message, "there is no audit row 999999"));
}

/* Failed ads among many are queued again; the others are left alone; the
 * batches to run again are named once each. */
static void
test_retry_items (Fixture       *f,
                  gconstpointer  data)
{
  const gint64 ids[] = { 5, 6, 8, 11 };
  g_autoptr(GArray) batches = NULL;
  g_autoptr(GError) error = NULL;
  guint retried;

  exec (f, "UPDATE item SET status = 'failed', error = 'could not fetch', interruptions = 2 WHERE id IN (5, 8, 11);"
           "UPDATE batch SET state = 'done';");
  batches = vetter_store_retry_items (f->store, ids, G_N_ELEMENTS (ids), FALSE, "ana", &retried, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (retried, ==, 3);
  g_assert_cmpuint (batches->len, ==, 2);
  g_assert_cmpint (g_array_index (batches, gint64, 0), ==, 1);
  g_assert_cmpint (g_array_index (batches, gint64, 1), ==, 2);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM item WHERE id IN (5, 8, 11) AND status = 'queued'"
                                   " AND error IS NULL AND interruptions = 0"), ==, 3);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM item WHERE id = 6 AND status = 'needs_review'"), ==, 1);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM audit_log WHERE actor = 'ana' AND action = 'retry'"
                                   " AND changes = '{\"status\":[\"failed\",\"queued\"]}'"), ==, 3);
}

/* "Process again" takes decided ads and those waiting for a person too,
 * each audited with the status it had; ads on their way are left alone. */
static void
test_process_again (Fixture       *f,
                    gconstpointer  data)
{
  const gint64 ids[] = { 5, 6, 7, 8 };
  g_autoptr(GArray) batches = NULL;
  g_autoptr(GError) error = NULL;
  guint retried;

  exec (f, "UPDATE item SET status = 'approved', decided_by = 'ben' WHERE id = 5;"
           "UPDATE item SET status = 'processing' WHERE id = 7;"
           "UPDATE batch SET state = 'done';");
  batches = vetter_store_retry_items (f->store, ids, G_N_ELEMENTS (ids), TRUE, "ana", &retried, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (retried, ==, 3);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM item WHERE id IN (5, 6, 8) AND status = 'queued'"), ==, 3);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM item WHERE id = 7 AND status = 'processing'"), ==, 1);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM audit_log WHERE object_id = 5 AND action = 'process again'"
                                   " AND changes = '{\"status\":[\"approved\",\"queued\"]}'"), ==, 1);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM audit_log WHERE action = 'process again'"), ==, 3);
}

/* The sheets of the spreadsheet at @path as an independent reader sees
 * them: one JSON object per sheet ({"name", "rows"}). */
static GPtrArray *
read_spreadsheet (const char *path)
{
  g_autofree char *script = g_build_filename (g_getenv ("VETTER_TEST_SRCDIR"), "read-xlsx.py", NULL);
  const char *argv[] = { "/usr/bin/python3", script, path, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *sheets = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("the spreadsheet did not read back: %s", err);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] && *lines[i]; i++)
    {
      JsonNode *sheet = json_from_string (lines[i], &error);

      g_assert_no_error (error);
      g_ptr_array_add (sheets, sheet);
    }
  return sheets;
}

static JsonArray *
sheet_row (GPtrArray *sheets,
           guint      sheet,
           guint      row)
{
  JsonObject *object = json_node_get_object (g_ptr_array_index (sheets, sheet));

  return json_array_get_array_element (json_object_get_array_member (object, "rows"), row);
}

/* A spreadsheet of the query's rows reads back in any spreadsheet reader:
 * the fields' names as its header, numbers as numbers, text as text (a
 * formula-looking title stays text), characters XML cannot hold dropped
 * and markup escaped; nothing half-written is left beside it. */
static void
test_export_spreadsheet (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(VetterQuery) q = query ("ads", NULL, NULL, "id");
  g_autofree char *path = g_build_filename (f->dir, "ads.xlsx", NULL);
  g_autoptr(GPtrArray) sheets = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *header, *first, *second, *third;

  exec (f, "UPDATE item SET title = '=HYPERLINK(\"x\") <b>&amp; \x01' || char (1) || 'bell' WHERE id = 2;"
           "UPDATE item SET title = NULL WHERE id = 3;");
  g_assert_cmpint (vetter_store_export_query (f->store, q, VETTER_ROW_FORMAT_XLSX, path, NULL, NULL, &error), ==, 12);
  g_assert_no_error (error);
  sheets = read_spreadsheet (path);
  g_assert_cmpuint (sheets->len, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (sheets->pdata[0]), "name"), ==, "ads");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (sheets->pdata[0]),
                                                                         "rows")), ==, 13);
  header = sheet_row (sheets, 0, 0);
  g_assert_cmpstr (json_array_get_string_element (header, 0), ==, "id");
  g_assert_cmpstr (json_array_get_string_element (header, 1), ==, "title");
  first = sheet_row (sheets, 0, 1);
  g_assert_cmpfloat (json_array_get_double_element (first, 0), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (first, 1), ==, "Toyota Corolla 2010");
  second = sheet_row (sheets, 0, 2);
  g_assert_cmpstr (json_array_get_string_element (second, 1), ==, "=HYPERLINK(\"x\") <b>&amp; bell");
  third = sheet_row (sheets, 0, 3);
  g_assert_true (json_array_get_null_element (third, 1));
  {
    g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (dir)))
      g_assert_null (strstr (name, ".xlsx."));
  }
}

/* Past a sheet's rows, the rows go on in another sheet under the header
 * again, named after the first; a value that is not a number stays text
 * even in a column of numbers. */
static void
test_spreadsheet_sheets (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "sheets.xlsx", NULL);
  const char *names[] = { "n", "word" };
  const gboolean numeric[] = { TRUE, FALSE };
  FILE *file = fopen (path, "w");
  g_autoptr(VetterXlsxWriter) writer = vetter_xlsx_writer_new (file, "rows", names, numeric, 2);
  g_autoptr(GPtrArray) sheets = NULL;
  g_autoptr(GError) error = NULL;

  vetter_xlsx_writer_set_sheet_rows (writer, 2);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *n = i == 4 ? g_strdup ("not a number") : g_strdup_printf ("%u.5", i);
      const char *values[] = { n, i % 2 ? "odd" : NULL };

      g_assert_true (vetter_xlsx_writer_add_row (writer, values, &error));
    }
  g_assert_true (vetter_xlsx_writer_finish (writer, &error));
  g_assert_no_error (error);
  g_assert_cmpint (fclose (file), ==, 0);
  sheets = read_spreadsheet (path);
  g_assert_cmpuint (sheets->len, ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (sheets->pdata[2]), "name"), ==, "rows 3");
  g_assert_cmpstr (json_array_get_string_element (sheet_row (sheets, 2, 0), 0), ==, "n");
  g_assert_cmpfloat (json_array_get_double_element (sheet_row (sheets, 1, 1), 0), ==, 2.5);
  g_assert_cmpstr (json_array_get_string_element (sheet_row (sheets, 1, 2), 1), ==, "odd");
  g_assert_true (json_array_get_null_element (sheet_row (sheets, 1, 1), 1));
  g_assert_cmpstr (json_array_get_string_element (sheet_row (sheets, 2, 1), 0), ==, "not a number");
}

/* Deleting ads: the plan counts what goes with them; an ad another
 * desktop is reviewing stops the whole deletion; otherwise each ad goes
 * with its images, findings and variants, audited with what it was, its
 * files handed back to remove, and its objects in the bucket and its
 * shared document queued for removal while its unsent upload is dropped. */
static void
test_delete (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *variant_dir = g_build_filename (f->dir, "u5", NULL);
  g_autofree char *thumb = g_build_filename (variant_dir, "1-thumb.jpg", NULL);
  g_autofree char *sql = NULL;
  const gint64 both[] = { 5, 6 };
  const gint64 one[] = { 5 };
  g_autoptr(VetterDeletePlan) plan = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (variant_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (thumb, "jpeg", -1, NULL));
  sql = g_strdup_printf ("INSERT INTO variant (image_id, kind, path, width, height, bytes, quality, remote_url)"
                         " VALUES (5, 'thumb', '%s', 10, 10, 4, 80, 'http://s3/ads/u5/1-thumb.jpg'),"
                         " (5, 'square', '%s/1-square.jpg', 10, 10, 4, 80, NULL);"
                         "INSERT INTO couch_doc (id, rev, body, updated) VALUES ('ad:u5', '1-a', '{}', 0);"
                         "INSERT INTO outbox (kind, dedupe_key, payload, created, updated)"
                         " VALUES ('s3_put', 's3:ads/u5/1-square.jpg', '{}', 0, 0),"
                         " ('s3_put', 's3:ads/u50/1-square.jpg', '{}', 0, 0),"
                         " ('couch', 'couch:ad:u5', '{}', 0, 0), ('couch', 'couch:ad:u50', '{}', 0, 0);"
                         "INSERT INTO remote_claim (uid, holder, moderator, expires) VALUES ('u6', 'other-desktop',"
                         " 'ben', 9000000000000000);", thumb, variant_dir);
  exec (f, sql);

  plan = vetter_store_plan_delete (f->store, both, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (plan->ads, ==, 2);
  g_assert_cmpuint (plan->images, ==, 2);
  g_assert_cmpuint (plan->variants, ==, 2);
  g_assert_cmpuint (plan->remote_objects, ==, 1);
  g_assert_cmpuint (plan->shared_documents, ==, 1);
  g_assert_cmpuint (plan->held->len, ==, 1);
  g_assert_cmpstr (plan->held->pdata[0], ==, "ad 6 (ben, on another desktop)");

  /* Held elsewhere: nothing at all is deleted. */
  g_assert_null (vetter_store_delete_items (f->store, both, 2, "ana", &error));
  g_assert_error (error, VETTER_ERROR, VETTER_ERROR_STORE);
  g_assert_nonnull (strstr (error->message, "ad 6 (ben, on another desktop) is being reviewed"));
  g_clear_error (&error);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM item WHERE id IN (5, 6)"), ==, 2);

  files = vetter_store_delete_items (f->store, one, 1, "ana", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (files->len, ==, 2);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM item WHERE id = 5"), ==, 0);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM image WHERE item_id = 5"), ==, 0);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM variant"), ==, 0);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM couch_doc WHERE id = 'ad:u5'"), ==, 0);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM audit_log WHERE object_id = 5 AND action = 'delete'"
                                   " AND actor = 'ana' AND changes LIKE '%\"title\":[\"O''Brien''s van\",null]%'"), ==, 1);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM outbox WHERE kind = 'remove'"
                                   " AND payload = '{\"s3\":\"ads/u5/1-thumb.jpg\"}'"), ==, 1);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM outbox WHERE kind = 'remove'"
                                   " AND payload = '{\"doc\":\"ad:u5\"}'"), ==, 1);
  /* Ad 5's unsent upload and document go; those of an ad whose id merely
   * begins like it stay. */
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM outbox WHERE kind = 's3_put'"), ==, 1);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM outbox WHERE dedupe_key = 'couch:ad:u50'"), ==, 1);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM outbox WHERE dedupe_key = 'couch:ad:u5'"), ==, 0);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM item_search WHERE item_search MATCH 'Brien'"), ==, 0);
  g_assert_true (g_file_test (thumb, G_FILE_TEST_EXISTS));
  vetter_store_remove_files (files);
  g_assert_false (g_file_test (thumb, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (variant_dir, G_FILE_TEST_EXISTS));
}

static void
count_progress (gint64   written,
                gpointer data)
{
  *(gint64 *) data = written;
}

/* An export holds what the query shows, in its order, read back whole;
 * nothing is left beside the file. */
static void
test_export (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(VetterQuery) q = query ("ads", (const char *[]) { "status=approved", NULL }, NULL, "title");
  g_autofree char *csv_path = g_build_filename (f->dir, "approved.csv", NULL);
  g_autofree char *json_path = g_build_filename (f->dir, "approved.jsonl", NULL);
  g_autofree char *text = NULL;
  g_autoptr(VetterCsvReader) reader = NULL;
  g_autoptr(GPtrArray) fields = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  gint64 progress = 0;
  guint line, rows = 0;

  g_assert_cmpint (vetter_store_export_query (f->store, q, VETTER_ROW_FORMAT_CSV, csv_path, count_progress, &progress,
                                              &error), ==, 4);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (csv_path, &text, NULL, NULL));
  reader = vetter_csv_reader_new (text, strlen (text));
  g_assert_true (vetter_csv_reader_next (reader, &fields, &line, &error));
  g_assert_cmpstr (fields->pdata[1], ==, "title");
  g_clear_pointer (&fields, g_ptr_array_unref);
  while (vetter_csv_reader_next (reader, &fields, &line, &error))
    {
      if (rows++ == 0)
        g_assert_cmpstr (fields->pdata[1], ==, "'; DROP TABLE item; --");
      g_clear_pointer (&fields, g_ptr_array_unref);
    }
  g_assert_cmpuint (rows, ==, 4);

  g_assert_cmpint (vetter_store_export_query (f->store, q, VETTER_ROW_FORMAT_JSON_LINES, json_path, NULL, NULL, &error),
                   ==, 4);
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (json_path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 5);
  g_assert_true (g_str_has_prefix (lines[2], "{\"id\":1,\"title\":\"Toyota Corolla 2010\""));
  {
    g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (dir)))
      g_assert_null (strstr (name, ".csv.") ? name : strstr (name, ".jsonl.") ? name : NULL);
  }
  /* Where nothing can be written: an error naming the place. */
  g_assert_cmpint (vetter_store_export_query (f->store, q, VETTER_ROW_FORMAT_CSV, "/nonexistent/dir/x.csv", NULL, NULL,
                                              &error), ==, -1);
  g_assert_nonnull (strstr (error->message, "/nonexistent/dir/x.csv"));
}

/* A view is the query in words: saved, listed, read back into the same
 * rows, saved again over its name, deleted; each audited. */
static void
test_saved_views (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(VetterQuery) q = query ("ads", (const char *[]) { "status=approved", "status=rejected", "created>=2026-12-02",
                                                              NULL }, "o", "-title");
  g_autofree char *json = vetter_query_to_json (q);
  const char *columns[] = { "id", "title", "status", NULL };
  g_autoptr(GPtrArray) views = NULL;
  g_autoptr(VetterQuery) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *want = keys_of (f, q);
  g_autofree char *got = NULL;
  VetterSavedView *view;

  g_assert_cmpstr (want, ==, "2,11,5,8");
  g_assert_true (vetter_store_save_view (f->store, "ads", "  Decided lately ", json, columns, "ana", &error));
  g_assert_no_error (error);
  views = vetter_store_list_views (f->store, "ads", &error);
  g_assert_cmpuint (views->len, ==, 1);
  view = views->pdata[0];
  g_assert_cmpstr (view->name, ==, "Decided lately");
  g_assert_cmpstr (view->columns[1], ==, "title");
  back = vetter_query_from_json (vetter_table_lookup ("ads"), view->query, &error);
  g_assert_no_error (error);
  got = keys_of (f, back);
  g_assert_cmpstr (got, ==, want);

  /* Saved again under its name: one view, the new query. */
  g_assert_true (vetter_store_save_view (f->store, "ads", "Decided lately", "{\"filters\":[],\"sort\":\"id\"}", NULL,
                                         "ana", &error));
  g_clear_pointer (&views, g_ptr_array_unref);
  views = vetter_store_list_views (f->store, "ads", &error);
  g_assert_cmpuint (views->len, ==, 1);
  g_assert_null (((VetterSavedView *) views->pdata[0])->columns);
  g_assert_cmpint (count_where (f, "SELECT count(*) FROM audit_log WHERE object_type = 'view' AND action = 'save'"),
                   ==, 2);

  /* What cannot be saved or read. */
  g_assert_false (vetter_store_save_view (f->store, "ads", "   ", json, NULL, "ana", &error));
  g_assert_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_null (vetter_query_from_json (vetter_table_lookup ("ads"), "{\"filters\":[\"colour=red\"]}", &error));
  g_assert_nonnull (strstr (error->message, "no field “colour”"));
  g_clear_error (&error);
  g_assert_null (vetter_query_from_json (vetter_table_lookup ("ads"), "[1,2]", &error));
  g_clear_error (&error);

  g_assert_true (vetter_store_delete_view (f->store, "ads", "Decided lately", "ana", &error));
  g_assert_false (vetter_store_delete_view (f->store, "ads", "Decided lately", "ana", &error));
  g_assert_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT);
  g_clear_pointer (&views, g_ptr_array_unref);
  views = vetter_store_list_views (f->store, "ads", NULL);
  g_assert_cmpuint (views->len, ==, 0);
}

static void
on_opened (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vetter_database_open_finish (VETTER_DATABASE (source), result, &error));
  *(gboolean *) data = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static gboolean
model_ready (gpointer data)
{
  return vetter_table_model_is_ready (data);
}

static gboolean
record_loaded (gpointer data)
{
  return vetter_record_get_loaded (data);
}

static void
note_change (GListModel *model,
             guint       position,
             guint       removed,
             guint       added,
             GArray     *changes)
{
  g_array_append_val (changes, position);
  g_array_append_val (changes, removed);
  g_array_append_val (changes, added);
}

/* The console's list model: the query runs on the database thread, the
 * list holds keys, and a row's values come when the row is asked for; a
 * long list shows its first page before every key is in. */
static void
test_table_model (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(VetterDatabase) database = NULL;
  g_autoptr(VetterTableModel) model = NULL;
  g_autoptr(VetterQuery) approved = query ("ads", (const char *[]) { "status=approved", NULL }, NULL, "title");
  g_autoptr(VetterQuery) searched = query ("ads", NULL, "scooter", "-id");
  g_autoptr(VetterRecord) first = NULL;
  g_autoptr(VetterRecord) second = NULL;
  gboolean opened = FALSE;

  /* 488 more ads, waiting, for a list longer than its first page. */
  exec (f, "WITH RECURSIVE n (i) AS (SELECT 13 UNION ALL SELECT i + 1 FROM n WHERE i < 500)"
           " INSERT INTO item (id, batch_id, row, title, status, created, updated, uid)"
           " SELECT i, 2, i, 'waiting ' || i, 'queued', 0, 0, 'w' || i FROM n;");
  /* The store is the database thread's now. */
  g_clear_object (&f->store);
  database = vetter_database_new (f->path);
  vetter_database_open_async (database, NULL, on_opened, &opened);
  test_wait_until (is_true, &opened);

  model = vetter_table_model_new (database, vetter_table_lookup ("ads"));
  vetter_table_model_set_query (model, approved);
  g_assert_false (vetter_table_model_is_ready (model));
  test_wait_until (model_ready, model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 4);
  first = g_list_model_get_item (G_LIST_MODEL (model), 0);
  g_assert_cmpint (vetter_record_get_key (first), ==, 7);
  test_wait_until (record_loaded, first);
  g_assert_cmpstr (vetter_record_get_value (first, 1), ==, "'; DROP TABLE item; --");
  g_assert_cmpstr (vetter_record_get_value (first, 3), ==, "approved");

  vetter_table_model_set_query (model, searched);
  test_wait_until (model_ready, model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
  second = g_list_model_get_item (G_LIST_MODEL (model), 1);
  test_wait_until (record_loaded, second);
  g_assert_cmpstr (vetter_record_get_value (second, 1), ==, "Blue scooter");

  /* Every ad: the first page at once, then the rest after it. */
  {
    g_autoptr(VetterQuery) all = query ("ads", NULL, NULL, NULL);
    g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (guint));

    g_signal_connect (model, "items-changed", G_CALLBACK (note_change), changes);
    vetter_table_model_set_query (model, all);
    test_wait_until (model_ready, model);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 500);
    /* (position, removed, added): the two rows there stay and the list
     * only grows at its end, by at most 40 rows a step (GTK makes each
     * row's widgets) until 200 rows, then by all the rest at once. */
    {
      guint end = 2;

      g_assert_cmpuint (changes->len % 3, ==, 0);
      for (guint i = 0; i < changes->len; i += 3)
        {
          guint at = g_array_index (changes, guint, i);
          guint removed = g_array_index (changes, guint, i + 1);
          guint added = g_array_index (changes, guint, i + 2);

          g_assert_cmpuint (at, ==, end);
          g_assert_cmpuint (removed, ==, 0);
          if (at < 200)
            g_assert_cmpuint (added, <=, 40);
          end += added;
        }
      g_assert_cmpuint (end, ==, 500);
      g_assert_cmpuint (changes->len / 3, >=, 6);
    }
    g_signal_handlers_disconnect_by_func (model, note_change, changes);
    /* The second row is the same object, standing for the ad now there,
     * with its values. */
    {
      g_autoptr(VetterRecord) again = g_list_model_get_item (G_LIST_MODEL (model), 1);

      g_assert_true (again == second);
      g_assert_cmpint (vetter_record_get_key (again), ==, 499);
      test_wait_until (record_loaded, again);
      g_assert_cmpstr (vetter_record_get_value (again, 1), ==, "waiting 499");
    }
  }

  g_clear_object (&model);
  vetter_database_close (database);
  /* The fixture's tear-down finalizes a store of its own. */
  f->store = vetter_store_open (f->path, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/query/sorts", test_sorts);
  ADD ("/query/filters", test_filters);
  ADD ("/query/bad-filters", test_bad_filters);
  ADD ("/query/search", test_search);
  ADD ("/query/counts-capped", test_counts_capped);
  ADD ("/query/facets-follow-each-other", test_facets_follow_each_other);
  ADD ("/query/rows", test_rows);
  ADD ("/query/time-limit", test_time_limit);
  ADD ("/query/advertisers", test_advertisers);
  ADD ("/query/table-model", test_table_model);
  ADD ("/query/bulk-decision-and-undo", test_bulk_decision_and_undo);
  ADD ("/query/export", test_export);
  ADD ("/query/bulk-edit-and-undo", test_bulk_edit_and_undo);
  ADD ("/query/revert", test_revert);
  ADD ("/query/retry-items", test_retry_items);
  ADD ("/query/process-again", test_process_again);
  ADD ("/query/export-spreadsheet", test_export_spreadsheet);
  ADD ("/query/spreadsheet-sheets", test_spreadsheet_sheets);
  ADD ("/query/delete", test_delete);
  ADD ("/query/saved-views", test_saved_views);
#undef ADD

  return g_test_run ();
}
