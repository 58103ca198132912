/* vetter-row-writer.c: a table's rows as CSV or as JSON lines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>

#include "vetter-csv.h"
#include "vetter-row-writer.h"

gboolean
vetter_row_format_from_string (const char      *name,
                               VetterRowFormat *format)
{
  if (g_strcmp0 (name, "csv") == 0)
    *format = VETTER_ROW_FORMAT_CSV;
  else if (g_strcmp0 (name, "json") == 0)
    *format = VETTER_ROW_FORMAT_JSON_LINES;
  else if (g_strcmp0 (name, "xlsx") == 0)
    *format = VETTER_ROW_FORMAT_XLSX;
  else
    return FALSE;
  return TRUE;
}

void
vetter_row_writer_header (const VetterTable *table,
                          VetterRowFormat    format,
                          GString           *out)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  if (format != VETTER_ROW_FORMAT_CSV)
    return;
  for (guint i = 0; i < table->n_columns; i++)
    if (table->columns[i].sql)
      g_ptr_array_add (names, (gpointer) table->columns[i].name);
  vetter_csv_append_row (out, (const char * const *) names->pdata, names->len);
}

static void
append_json_value (GString                 *out,
                   const VetterTableColumn *column,
                   const char              *value)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  if (value == NULL)
    node = json_node_init_null (json_node_alloc ());
  else if (column->type == VETTER_COLUMN_INTEGER)
    node = json_node_init_int (json_node_alloc (), g_ascii_strtoll (value, NULL, 10));
  else if (column->type == VETTER_COLUMN_REAL)
    node = json_node_init_double (json_node_alloc (), g_ascii_strtod (value, NULL));
  else
    node = json_node_init_string (json_node_alloc (), value);
  text = json_to_string (node, FALSE);
  g_string_append (out, text);
}

void
vetter_row_writer_row (const VetterTable  *table,
                       VetterRowFormat     format,
                       const char * const *values,
                       GString            *out)
{
  guint v = 0;

  g_return_if_fail (format != VETTER_ROW_FORMAT_XLSX);
  if (format == VETTER_ROW_FORMAT_JSON_LINES)
    {
      g_string_append_c (out, '{');
      for (guint i = 0; i < table->n_columns; i++)
        {
          const VetterTableColumn *column = &table->columns[i];

          if (column->sql == NULL)
            continue;
          g_string_append_printf (out, "%s\"%s\":", v ? "," : "", column->name);
          append_json_value (out, column, values[v++]);
        }
      g_string_append (out, "}\n");
    }
  else
    {
      g_autoptr(GPtrArray) cells = g_ptr_array_new ();

      for (guint i = 0; i < table->n_columns; i++)
        if (table->columns[i].sql)
          {
            g_ptr_array_add (cells, (gpointer) (values[v] ? values[v] : ""));
            v++;
          }
      vetter_csv_append_row (out, (const char * const *) cells->pdata, cells->len);
    }
}
