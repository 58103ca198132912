/* vetter-xlsx-writer.h: rows streamed into a spreadsheet (.xlsx)
 *
 * A workbook written front to back in one pass, in constant memory: the
 * sheet is compressed as its rows come, and the zip's sizes and checksums
 * follow each part instead of preceding it, so nothing is ever rewritten.
 * Text goes in as text (never as a formula), numbers as numbers. A sheet
 * holds at most the 1,048,575 rows under its header that spreadsheets
 * read; more rows continue on another sheet, with the header again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <stdio.h>

#include <glib.h>

G_BEGIN_DECLS

typedef struct _VetterXlsxWriter VetterXlsxWriter;

/* Starts a workbook on @file (left open: the caller closes it) whose
 * sheets, named @title (then "@title 2", …), have the @n_columns @names as
 * their header; @numeric tells which columns hold numbers. */
VetterXlsxWriter *vetter_xlsx_writer_new      (FILE               *file,
                                               const char         *title,
                                               const char * const *names,
                                               const gboolean     *numeric,
                                               guint               n_columns);
/* Rows per sheet under its header (SHEET_ROWS, what spreadsheets read, by
 * default); for tests, before the first row. */
void              vetter_xlsx_writer_set_sheet_rows (VetterXlsxWriter *self,
                                                     guint             rows);
/* Adds a row of @n_columns values (NULL: an empty cell). FALSE once
 * writing failed, with @error. */
gboolean          vetter_xlsx_writer_add_row  (VetterXlsxWriter   *self,
                                               const char * const *values,
                                               GError            **error);
/* Writes what ends the workbook. FALSE with @error if anything failed. */
gboolean          vetter_xlsx_writer_finish   (VetterXlsxWriter   *self,
                                               GError            **error);
void              vetter_xlsx_writer_free     (VetterXlsxWriter   *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterXlsxWriter, vetter_xlsx_writer_free)

G_END_DECLS
