/* vetter-list.c: `vetter list`, the console's lists from a terminal
 *
 * The same tables, filters, search and sort as the console (one query
 * code, vetter-query.c), read beside a running Vetter (the database is
 * opened for reading only) and streamed row by row, as CSV or as one JSON
 * object per line.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-list"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "vetter-database.h"
#include "vetter-list.h"
#include "vetter-row-writer.h"
#include "vetter-store-query.h"

typedef struct
{
  const VetterTable *table;
  VetterRowFormat    format;
  GString           *line;
  gboolean           failed;   /* stdout refused a write */
} Output;

static char *
table_names (void)
{
  const VetterTable * const *tables = vetter_tables ();
  GString *names = g_string_new (NULL);

  for (guint i = 0; tables[i]; i++)
    g_string_append_printf (names, "%s%s", i ? ", " : "", tables[i]->name);
  return g_string_free (names, FALSE);
}

static gboolean
write_line (Output *out)
{
  if (fwrite (out->line->str, 1, out->line->len, stdout) != out->line->len)
    {
      out->failed = TRUE;
      return FALSE;
    }
  g_string_truncate (out->line, 0);
  return TRUE;
}

static gboolean
print_row (const char * const *values,
           guint               n_values,
           gpointer            user_data)
{
  Output *out = user_data;

  vetter_row_writer_row (out->table, out->format, values, out->line);
  return write_line (out);
}

int
vetter_list_main (int    argc,
                  char **argv)
{
  g_autofree char *db_path = NULL;
  g_auto(GStrv) filters = NULL;
  g_autofree char *search = NULL;
  g_autofree char *sort = NULL;
  g_autofree char *format = NULL;
  g_autofree char *view_name = NULL;
  gint64 limit = 0;
  gboolean count_only = FALSE;
  g_autofree char *names = table_names ();
  g_autofree char *summary = g_strdup_printf ("TABLE is one of: %s.\n\n"
                                              "FIELD=VALUE keeps rows whose field is VALUE (several of one field: any\n"
                                              "of them); also !=, <, <=, >, >= and ~ (contains). Dates are written\n"
                                              "2026-12-01 or 2026-12-01T09:30:00Z.", names);
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("The SQLite database (default: in the user data directory)"), N_("PATH") },
    { "view", 0, 0, G_OPTION_ARG_STRING, &view_name, N_("Start from the view saved under NAME in the console"), N_("NAME") },
    { "filter", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &filters, N_("Keep only the rows that match (repeatable)"), N_("FIELD=VALUE") },
    { "search", 's', 0, G_OPTION_ARG_STRING, &search, N_("Keep only the rows that contain TEXT"), N_("TEXT") },
    { "sort", 0, 0, G_OPTION_ARG_STRING, &sort, N_("Sort by FIELD (-FIELD: descending)"), N_("[-]FIELD") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, N_("csv (default) or json (one object per line)"), N_("FORMAT") },
    { "limit", 'n', 0, G_OPTION_ARG_INT64, &limit, N_("At most N rows"), N_("N") },
    { "count", 0, 0, G_OPTION_ARG_NONE, &count_only, N_("Print how many rows match, nothing else"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("TABLE — the console's lists, as CSV or JSON lines"));
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterStore) store = NULL;
  g_autoptr(VetterQuery) query = NULL;
  const VetterTable *table;
  Output out = { 0 };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("vetter list: %s\n", error->message);
      return 2;
    }
  if (argc != 2)
    {
      g_printerr ("vetter list: name one table (%s)\n", names);
      return 2;
    }
  table = vetter_table_lookup (argv[1]);
  if (table == NULL)
    {
      g_printerr ("vetter list: there is no table “%s” (there are %s)\n", argv[1], names);
      return 2;
    }
  if (!vetter_row_format_from_string (format ? format : "csv", &out.format) ||
      out.format == VETTER_ROW_FORMAT_XLSX)
    {
      g_printerr ("vetter list: --format is csv or json, not “%s”\n", format);
      return 2;
    }

  if (db_path == NULL)
    db_path = vetter_database_default_path ();
  store = vetter_store_open_for_reading (db_path, &error);
  if (store == NULL)
    {
      g_printerr ("vetter list: %s\n", error->message);
      return 2;
    }

  if (view_name)
    {
      g_autoptr(GPtrArray) views = vetter_store_list_views (store, table->name, &error);

      for (guint i = 0; views && i < views->len && query == NULL; i++)
        {
          VetterSavedView *view = views->pdata[i];

          if (g_str_equal (view->name, view_name))
            query = vetter_query_from_json (table, view->query, &error);
        }
      if (query == NULL)
        {
          if (error)
            g_printerr ("vetter list: the view “%s”: %s\n", view_name, error->message);
          else
            g_printerr ("vetter list: %s has no saved view “%s”\n", table->name, view_name);
          return 2;
        }
    }
  else
    query = vetter_query_new (table);
  for (guint i = 0; filters && filters[i]; i++)
    if (!vetter_query_parse_filter (query, filters[i], &error))
      {
        g_printerr ("vetter list: %s\n", error->message);
        return 2;
      }
  if (sort && !vetter_query_set_sort (query, sort, &error))
    {
      g_printerr ("vetter list: %s\n", error->message);
      return 2;
    }
  if (search)
    vetter_query_set_search (query, search);

  if (count_only)
    {
      gint64 count = vetter_store_query_count (store, query, 0, NULL, &error);

      if (count < 0)
        {
          g_printerr ("vetter list: %s\n", error->message);
          return 1;
        }
      g_print ("%" G_GINT64_FORMAT "\n", count);
      return 0;
    }

  out.table = table;
  out.line = g_string_new (NULL);
  vetter_row_writer_header (table, out.format, out.line);
  write_line (&out);
  if (!vetter_store_query_rows (store, query, 0, limit, print_row, &out, &error))
    {
      g_printerr ("vetter list: %s\n", error->message);
      g_string_free (out.line, TRUE);
      return 1;
    }
  g_string_free (out.line, TRUE);
  if (out.failed || fflush (stdout) != 0)
    {
      g_printerr ("vetter list: the output could not be written\n");
      return 1;
    }
  return 0;
}
