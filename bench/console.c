/* console.c: the console's queries at a million ads, beside the sqlite3
 * shell running the same SQL (the floor)
 *
 * usage: console DB [N_ADS [bulk]]
 *
 * Makes DB (N_ADS ads, 1,000,000 by default, if it is not there yet: a mix
 * of statuses, rules' outcomes, reasons, 50,000 advertisers, a tag on a
 * third and a defect on a fifth of the ads, an audit row per decided ad),
 * then times what the console does through the store, and the same SQL
 * through `sqlite3`, and prints a Markdown section for the report.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "vetter-store-query.h"

static void
make_store (const char *path,
            gint64      n_ads)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterStore) store = vetter_store_open (path, &error);
  g_autofree char *sql = NULL;
  sqlite3 *db;
  char *message = NULL;

  if (store == NULL)
    g_error ("%s", error->message);
  g_clear_object (&store);
  sql = g_strdup_printf (
    "BEGIN;"
    "WITH RECURSIVE b (value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM b WHERE value < 100)"
    " INSERT INTO batch (id, key, source, kind, created, total) SELECT value, 'k' || value, 'feed-' || value || '.csv',"
    " 'ads', 1796126400000000 + value * 60000000, %" G_GINT64_FORMAT " / 100 FROM b;"
    "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %" G_GINT64_FORMAT ")"
    " INSERT INTO item (id, batch_id, row, title, email, category, status, auto_status, reason_code, decided_by,"
    "                   decided_at, created, updated, uid)"
    " SELECT i, 1 + i %% 100, i,"
    "  (CASE i %% 7 WHEN 0 THEN 'Toyota Corolla ' WHEN 1 THEN 'Honda Civic ' WHEN 2 THEN 'Yamaha scooter '"
    "   WHEN 3 THEN 'Ford Transit van ' WHEN 4 THEN 'Trek mountain bike ' WHEN 5 THEN 'BMW R1200 ' ELSE 'Vespa ' END)"
    "   || (1990 + i %% 34) || ' ' || hex (randomblob (3)),"
    "  'seller' || (i %% 50000) || '@example.com',"
    "  CASE i %% 5 WHEN 0 THEN 'cars' WHEN 1 THEN 'bikes' WHEN 2 THEN 'vans' WHEN 3 THEN 'scooters' ELSE 'parts' END,"
    "  CASE WHEN i %% 10 < 4 THEN 'needs_review' WHEN i %% 10 < 7 THEN 'approved' WHEN i %% 10 < 9 THEN 'rejected'"
    "   ELSE 'failed' END,"
    "  CASE WHEN i %% 10 < 9 THEN (CASE i %% 3 WHEN 0 THEN 'approved' WHEN 1 THEN 'needs_review' ELSE 'rejected' END) END,"
    "  CASE WHEN i %% 10 BETWEEN 7 AND 8 THEN (CASE i %% 4 WHEN 0 THEN 'blurry' WHEN 1 THEN 'prohibited'"
    "   WHEN 2 THEN 'duplicate' ELSE 'other' END) END,"
    "  CASE WHEN i %% 10 BETWEEN 4 AND 8 THEN 'moderator' || (i %% 12) END,"
    "  CASE WHEN i %% 10 BETWEEN 4 AND 8 THEN 1796126400000000 + i * 7000000 END,"
    "  1796126400000000 + i * 6000000, 1796126400000000 + i * 7000000, lower (hex (randomblob (16)))"
    " FROM n;"
    "INSERT INTO image (id, item_id, position, source, location, status)"
    " SELECT id, id, 1, 'https://cdn.example.com/ads/' || id || '/front.jpg', '/srv/' || id || '.jpg', 'done' FROM item;"
    "INSERT INTO tag (image_id, label, confidence, source)"
    " SELECT id, CASE id %% 4 WHEN 0 THEN 'car' WHEN 1 THEN 'motorcycle' WHEN 2 THEN 'vehicle' ELSE 'person' END,"
    "  50 + id %% 50, 'imagga' FROM image WHERE id %% 3 = 0;"
    "INSERT INTO defect (image_id, kind, severity, confidence)"
    " SELECT id, CASE id %% 3 WHEN 0 THEN 'blur' WHEN 1 THEN 'dark' ELSE 'letterbox' END,"
    "  CASE id %% 3 WHEN 0 THEN 'high' WHEN 1 THEN 'medium' ELSE 'low' END, 70 FROM image WHERE id %% 5 = 0;"
    "INSERT INTO audit_log (actor, time, object_type, object_id, action, changes)"
    " SELECT decided_by, decided_at, 'item', id, 'decide', json_object ('status', json_array ('needs_review', status))"
    " FROM item WHERE decided_by IS NOT NULL;"
    "COMMIT; ANALYZE;", n_ads, n_ads);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s", message);
  sqlite3_close (db);
}

/* ---- Measuring ------------------------------------------------------------ */

typedef struct
{
  GString *report;
  char    *db_path;
  VetterStore *store;
} Bench;

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* The same statement through the sqlite3 shell, best of three, in ms (the
 * shell's own start is measured with an empty statement and taken off). */
static double
floor_ms (Bench      *bench,
          const char *sql)
{
  double best = G_MAXDOUBLE;

  for (int run = 0; run < 3; run++)
    {
      g_autofree char *script = g_strdup_printf (".output /dev/null\n%s;\n", sql);
      const char *argv[] = { "sqlite3", "-readonly", bench->db_path, NULL };
      g_autoptr(GSubprocess) shell = NULL;
      g_autoptr(GBytes) input = g_bytes_new (script, strlen (script));
      g_autoptr(GError) error = NULL;
      double start = now_ms ();

      shell = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
      g_assert_no_error (error);
      g_subprocess_communicate (shell, input, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      best = MIN (best, now_ms () - start);
    }
  return best;
}

/* A copy of the store at @to, on disk before anything is timed: its
 * writing is not the action's. */
static void
copy_for_writing (const char *from,
                  const char *to)
{
  g_autoptr(GFile) source = g_file_new_for_path (from);
  g_autoptr(GFile) target = g_file_new_for_path (to);
  g_autoptr(GError) error = NULL;
  int fd;

  g_file_copy (source, target, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  fd = open (to, O_RDONLY);
  g_assert_cmpint (fd, >=, 0);
  fsync (fd);
  close (fd);
}

/* The same for SQL that writes, run once on the database at @path. */
static double
floor_write_ms (const char *path,
                const char *sql)
{
  g_autofree char *script = g_strdup_printf (".output /dev/null\n%s\n", sql);
  const char *argv[] = { "sqlite3", "-bail", path, NULL };
  g_autoptr(GSubprocess) shell = NULL;
  g_autoptr(GBytes) input = g_bytes_new (script, strlen (script));
  g_autoptr(GError) error = NULL;
  double start = now_ms ();

  shell = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate (shell, input, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (shell));
  return now_ms () - start;
}

static double
shell_start_ms (Bench *bench)
{
  static double start = -1;

  if (start < 0)
    start = floor_ms (bench, "SELECT 1");
  return start;
}

static void
row (Bench      *bench,
     const char *what,
     double      ms,
     double      floor,
     double      target)
{
  double shell = shell_start_ms (bench);
  double net_floor = MAX (floor - shell, 0.01);

  g_string_append_printf (bench->report, "| %s | %.1f | %.1f | %.2f× | %s |\n", what, ms, net_floor, ms / net_floor,
                          target <= 0 ? "" : ms <= target ? "✓" : "✗");
  g_printerr ("%s: %.1f ms (floor %.1f)\n", what, ms, net_floor);
}

static gboolean
ignore_keyed_row (gint64              key,
                  const char * const *values,
                  guint               n_values,
                  gpointer            data)
{
  return TRUE;
}

/* The literal SQL the store runs for @query's keys, values inlined, for
 * the shell. */
static char *
literal_sql (const VetterQuery *query,
             const char        *select,
             const char        *tail,
             const char        *skip_field)
{
  const VetterTable *table = vetter_query_get_table (query);
  g_autoptr(GPtrArray) binds = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  g_autofree char *search_keys = select || tail ? NULL : vetter_query_build_search_keys (query, binds);
  g_autofree char *where = search_keys ? NULL : vetter_query_build_where (query, skip_field, binds);
  g_autofree char *order = vetter_query_build_order (query);
  GString *sql = g_string_new (NULL);
  guint b = 0;

  /* The store's own SQL, its values written in. */
  if (search_keys == NULL)
    g_string_append_printf (sql, "SELECT %s FROM %s WHERE ", select ? select : table->key, table->from);
  for (const char *p = search_keys ? search_keys : where; *p; p++)
    {
      if (*p != '?')
        {
          g_string_append_c (sql, *p);
          continue;
        }
      {
        GVariant *value = g_ptr_array_index (binds, b++);

        if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
          g_string_append_printf (sql, "%" G_GINT64_FORMAT, g_variant_get_int64 (value));
        else
          {
            char *quoted = sqlite3_mprintf ("%Q", g_variant_get_string (value, NULL));

            g_string_append (sql, quoted);
            sqlite3_free (quoted);
          }
      }
    }
  if (tail)
    g_string_append_printf (sql, " %s", tail);
  else if (search_keys)
    g_string_append (sql, " LIMIT 200");
  else
    g_string_append_printf (sql, " ORDER BY %s LIMIT 200", order);
  return g_string_free (sql, FALSE);
}

static VetterQuery *
ads_query (const char *filter,
           const char *search,
           const char *sort)
{
  VetterQuery *query = vetter_query_new (vetter_table_lookup ("ads"));

  if (filter)
    g_assert_true (vetter_query_parse_filter (query, filter, NULL));
  vetter_query_set_search (query, search);
  if (sort)
    g_assert_true (vetter_query_set_sort (query, sort, NULL));
  return query;
}

/* What the screen needs first: the first page's keys and 30 rows. */
static double
first_page (Bench       *bench,
            VetterQuery *query)
{
  double best = G_MAXDOUBLE;

  for (int run = 0; run < 3; run++)
    {
      g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_autoptr(GError) error = NULL;
      double start = now_ms ();

      if (!vetter_store_query_keys (bench->store, query, 200, keys, &error))
        g_error ("%s", error->message);
      vetter_store_query_rows_by_keys (bench->store, vetter_query_get_table (query), (gint64 *) keys->data,
                                       MIN (keys->len, 30), ignore_keyed_row, NULL, &error);
      best = MIN (best, now_ms () - start);
    }
  return best;
}

static long
peak_rss_kb (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

int
main (int   argc,
      char *argv[])
{
  Bench bench = { g_string_new (NULL) };
  g_autoptr(GError) error = NULL;
  gint64 n_ads = argc > 2 ? g_ascii_strtoll (argv[2], NULL, 10) : 1000000;
  const char *sorts[] = { "title", "-created", "email", "status", "decided_by", "-decided_at", "batch" };
  const char *facets[] = { "status", "rules", "reason", "decided_by", "batch", "category" };
  const char *searches[] = { "van", "Civic", "seller4242@", "Corolla 2003" };

  if (argc < 2)
    {
      g_printerr ("usage: console DB [N_ADS [bulk]]\n");
      return 2;
    }
  bench.db_path = argv[1];
  if (!g_file_test (bench.db_path, G_FILE_TEST_EXISTS))
    {
      double start = now_ms ();

      make_store (bench.db_path, n_ads);
      g_printerr ("made %" G_GINT64_FORMAT " ads in %.0f s\n", n_ads, (now_ms () - start) / 1000);
    }
  /* A store made by an older Vetter is brought up to date first. */
  {
    g_autoptr(VetterStore) writer = vetter_store_open (bench.db_path, &error);

    if (writer == NULL)
      g_error ("%s", error->message);
  }
  bench.store = vetter_store_open_for_reading (bench.db_path, &error);
  if (bench.store == NULL)
    g_error ("%s", error->message);

  g_string_append_printf (bench.report, "## The console at %" G_GINT64_FORMAT " ads\n\n", n_ads);
  g_string_append (bench.report,
                   "The store's queries as the console runs them, beside the same SQL in the `sqlite3` shell (best of "
                   "three, the shell's start taken off). The first page is the first 200 keys and 30 rows' values.\n\n"
                   "| what | Vetter ms | floor ms | ratio | target |\n|---|---|---|---|---|\n");

  /* "console DB N bulk" measures only the bulk approval; "export", only
   * the exports. */
  if (argc > 3 && g_str_equal (argv[3], "bulk"))
    goto bulk;
  if (argc > 3 && g_str_equal (argv[3], "export"))
    goto export;

  /* First page, plain, then the jump to the middle. */
  {
    g_autoptr(VetterQuery) query = ads_query (NULL, NULL, NULL);
    g_autofree char *sql = literal_sql (query, NULL, NULL, NULL);
    g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (gint64));
    double start;
    long before = peak_rss_kb ();

    row (&bench, "first page", first_page (&bench, query), floor_ms (&bench, sql), 50);
    start = now_ms ();
    vetter_store_query_keys (bench.store, query, 0, keys, &error);
    row (&bench, "every key (in the background, after the first page)", now_ms () - start,
         floor_ms (&bench, "SELECT id FROM item ORDER BY id DESC"), 0);
    g_string_append_printf (bench.report, "| memory per listed row: %.1f bytes (keys only; peak grew %ld kB for %u keys) "
                            "| | | | %s |\n", (double) keys->len * sizeof (gint64) / keys->len,
                            peak_rss_kb () - before, keys->len, sizeof (gint64) <= 16 ? "✓" : "✗");
    {
      double best = G_MAXDOUBLE;
      gint64 middle = g_array_index (keys, gint64, keys->len / 2);
      g_autofree char *middle_sql = g_strdup_printf ("SELECT * FROM item WHERE id BETWEEN %" G_GINT64_FORMAT " AND %"
                                              G_GINT64_FORMAT, middle - 29, middle);

      for (int run = 0; run < 3; run++)
        {
          start = now_ms ();
          vetter_store_query_rows_by_keys (bench.store, vetter_query_get_table (query),
                                           &g_array_index (keys, gint64, keys->len / 2), 30, ignore_keyed_row, NULL, &error);
          best = MIN (best, now_ms () - start);
        }
      row (&bench, "jump to the middle (30 rows by key)", best, floor_ms (&bench, middle_sql), 50);
    }
  }
  for (guint i = 0; i < G_N_ELEMENTS (sorts); i++)
    {
      g_autoptr(VetterQuery) query = ads_query (NULL, NULL, sorts[i]);
      g_autofree char *sql = literal_sql (query, NULL, NULL, NULL);
      g_autofree char *what = g_strdup_printf ("sort by %s, first page", sorts[i]);

      row (&bench, what, first_page (&bench, query), floor_ms (&bench, sql), 200);
    }
  for (guint i = 0; i < G_N_ELEMENTS (facets); i++)
    {
      g_autoptr(VetterQuery) query = ads_query ("status=approved", NULL, NULL);
      g_autofree char *what = g_strdup_printf ("facet %s (with status=approved on)", facets[i]);
      const VetterTableColumn *column = vetter_table_find_column (vetter_table_lookup ("ads"), facets[i]);
      /* As the store writes it: a field of the facets' index grouped as an
       * expression under a filter. */
      g_autoptr(GPtrArray) unused = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
      g_autofree char *where = vetter_query_build_where (query, facets[i], unused);
      g_autofree char *select = g_strdup_printf ("%s%s AS value, count (*) AS n",
                                                 (column->flags & VETTER_COLUMN_IN_FACETS_INDEX) &&
                                                 !g_str_equal (where, "1") ? "+" : "",
                                                 column->sql);
      g_autofree char *sql = literal_sql (query, select, "GROUP BY value ORDER BY n DESC, value LIMIT 30", facets[i]);
      double best = G_MAXDOUBLE;

      for (int run = 0; run < 3; run++)
        {
          double start = now_ms ();
          g_autoptr(GPtrArray) values = vetter_store_query_facet (bench.store, query, facets[i], 30, &error);

          best = MIN (best, now_ms () - start);
        }
      row (&bench, what, best, floor_ms (&bench, sql), 200);
    }
  {
    g_autoptr(VetterQuery) query = ads_query ("status=approved", NULL, NULL);
    g_autofree char *inner = literal_sql (query, "1", "LIMIT 10001", NULL);
    g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM (%s)", inner);
    gboolean capped;
    double best = G_MAXDOUBLE;

    for (int run = 0; run < 3; run++)
      {
        double start = now_ms ();

        vetter_store_query_count (bench.store, query, 10000, &capped, &error);
        best = MIN (best, now_ms () - start);
      }
    row (&bench, "count, capped at 10,000", best, floor_ms (&bench, sql), 200);
  }
  for (guint i = 0; i < G_N_ELEMENTS (searches); i++)
    {
      g_autoptr(VetterQuery) query = ads_query (NULL, searches[i], NULL);
      g_autofree char *sql = literal_sql (query, NULL, NULL, NULL);
      g_autofree char *what = g_strdup_printf ("search “%s” (%ld characters), first page", searches[i],
                                               (long) g_utf8_strlen (searches[i], -1));

      row (&bench, what, first_page (&bench, query), floor_ms (&bench, sql), 50);
    }
export:
  /* Export of every ad, as CSV and as a spreadsheet; the floor is the
   * shell writing the same rows as CSV. */
  for (guint f = 0; f < 2; f++)
    {
      VetterRowFormat format = f == 0 ? VETTER_ROW_FORMAT_CSV : VETTER_ROW_FORMAT_XLSX;
      g_autoptr(VetterQuery) query = ads_query (NULL, NULL, NULL);
      g_autofree char *out = g_strconcat (bench.db_path, f == 0 ? "-export.csv" : "-export.xlsx", NULL);
      long before = peak_rss_kb ();
      double start = now_ms ();
      gint64 written = vetter_store_export_query (bench.store, query, format, out, NULL, NULL, &error);
      double ms = now_ms () - start;
      g_autofree char *floor_sql = g_strdup_printf (".mode csv\n.headers on\n.output %s-floor.csv\nSELECT * FROM item ORDER BY id DESC", bench.db_path);
      GStatBuf info = { 0 };

      g_stat (out, &info);
      row (&bench, f == 0 ? "export every ad as CSV" : "export every ad as a spreadsheet (.xlsx)", ms,
           floor_ms (&bench, floor_sql), 5000);
      g_string_append_printf (bench.report, "| export: %" G_GINT64_FORMAT " rows, %.0f MB; peak memory grew %ld kB "
                              "| | | | |\n", written, info.st_size / 1e6, peak_rss_kb () - before);
      g_unlink (out);
    }
bulk:
  g_clear_object (&bench.store);

  /* Bulk approval of 100,000 matching ads, through the decision path;
   * the floor makes the same changes in the shell as three statements
   * (the audit rows, the mails, the update), on a copy of its own. */
  {
    g_autofree char *copy = g_strconcat (bench.db_path, "-bulk.db", NULL);
    g_autoptr(VetterStore) store = NULL;
    g_autoptr(VetterQuery) query = ads_query ("status=needs_review", NULL, NULL);
    g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (gint64));
    g_autoptr(VetterItemDecision) approve = vetter_item_decision_new_manual (VETTER_STATUS_APPROVED, NULL, NULL, "bench");
    g_autoptr(VetterBulkUndo) undo = NULL;
    /* As a desktop set up to mail advertisers decides: each approval
     * queues its mail in the outbox. */
    g_autoptr(VetterConfig) config = vetter_config_new ();
    double start, ms, floor;

    config->sync_mail = TRUE;
    copy_for_writing (bench.db_path, copy);
    floor = floor_write_ms (copy,
                            "PRAGMA temp_store = MEMORY;"
                            "CREATE TEMP TABLE k AS SELECT id FROM item WHERE status = 'needs_review'"
                            " ORDER BY id DESC LIMIT 100000;"
                            "BEGIN;"
                            "INSERT INTO audit_log (actor, time, object_type, object_id, action, changes)"
                            " SELECT 'bench', 1, 'item', item.id, 'decide', json_object ('status',"
                            " json_array (item.status, 'approved'), 'decided_by', json_array (item.decided_by, 'bench'))"
                            " FROM item JOIN k USING (id);"
                            "INSERT INTO outbox (kind, dedupe_key, payload, next_attempt, created, updated, batch_id)"
                            " SELECT 'mail', 'mail:' || item.id || ':1', json_object ('item_id', item.id), 1, 1, 1,"
                            " item.batch_id FROM item JOIN k USING (id) WHERE item.email <> '';"
                            "UPDATE item SET status = 'approved', reason_code = NULL, reason = NULL, rule = NULL,"
                            " auto = 0, decided_by = 'bench', decided_at = 1, updated = 2, step = NULL"
                            " WHERE id IN (SELECT id FROM k);"
                            "COMMIT;");
    copy_for_writing (bench.db_path, copy);
    store = vetter_store_open (copy, &error);
    g_assert_no_error (error);
    vetter_store_query_keys (store, query, 100000, keys, &error);
    start = now_ms ();
    undo = vetter_store_decide_many (store, (gint64 *) keys->data, keys->len, approve, "bench", config, &error);
    g_assert_no_error (error);
    ms = now_ms () - start;
    row (&bench, "bulk approve 100,000 matching ads (one transaction, each audited, each mail queued)", ms,
         floor + shell_start_ms (&bench), 2000);
    g_clear_object (&store);
    g_unlink (copy);
  }
  /* Deleting 10,000 matching ads: the plan the confirmation shows, then
   * the deletion, each ad audited (no floor: the cascades and triggers
   * are the schema's). */
  {
    g_autofree char *copy = g_strconcat (bench.db_path, "-delete.db", NULL);
    g_autoptr(VetterStore) store = NULL;
    g_autoptr(VetterQuery) query = ads_query ("status=rejected", NULL, NULL);
    g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (gint64));
    g_autoptr(VetterDeletePlan) plan = NULL;
    g_autoptr(GPtrArray) files = NULL;
    double start;

    copy_for_writing (bench.db_path, copy);
    store = vetter_store_open (copy, &error);
    g_assert_no_error (error);
    vetter_store_query_keys (store, query, 10000, keys, &error);
    start = now_ms ();
    plan = vetter_store_plan_delete (store, (gint64 *) keys->data, keys->len, &error);
    g_assert_no_error (error);
    row (&bench, "plan the deletion of 10,000 ads (what goes with them)", now_ms () - start,
         shell_start_ms (&bench), 0);
    start = now_ms ();
    files = vetter_store_delete_items (store, (gint64 *) keys->data, keys->len, "bench", &error);
    g_assert_no_error (error);
    row (&bench, "delete 10,000 ads (one transaction, each audited)", now_ms () - start, shell_start_ms (&bench), 0);
    g_clear_object (&store);
    g_unlink (copy);
  }
  g_string_append (bench.report, "\nThe bulk approval's floor is the same changes made by the shell in three "
                   "statements (audit rows, mails, the update) on a copy of the store, with its start. The "
                   "deletion has none: its cost is the schema's cascades and the search index's triggers.\n");
  fputs (bench.report->str, stdout);
  g_string_free (bench.report, TRUE);
  return 0;
}
