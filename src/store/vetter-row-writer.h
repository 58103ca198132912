/* vetter-row-writer.h: a table's rows as CSV or as JSON lines
 *
 * One format for `vetter list` and the console's export: CSV with a header
 * of the fields' names, or one JSON object per line (numbers as numbers,
 * no value as null, times in ISO 8601, UTC).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "vetter-tables.h"

G_BEGIN_DECLS

typedef enum
{
  VETTER_ROW_FORMAT_CSV,
  VETTER_ROW_FORMAT_JSON_LINES,
  VETTER_ROW_FORMAT_XLSX,       /* a file, not lines: vetter-xlsx-writer.h */
} VetterRowFormat;

/* "csv", "json" or "xlsx"; FALSE for anything else. */
gboolean vetter_row_format_from_string (const char         *name,
                                        VetterRowFormat    *format);
/* Appends the header line (CSV only; nothing for JSON lines). */
void     vetter_row_writer_header      (const VetterTable  *table,
                                        VetterRowFormat     format,
                                        GString            *out);
/* Appends one row, @values as the store gives them (one per value column);
 * CSV or JSON lines only. */
void     vetter_row_writer_row         (const VetterTable  *table,
                                        VetterRowFormat     format,
                                        const char * const *values,
                                        GString            *out);

G_END_DECLS
