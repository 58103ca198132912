/* fuzz-csv.c: a dropped CSV file, read into a batch
 *
 * Beyond not crashing: whatever the bytes, a batch or a clear error comes
 * out; every text in the batch is UTF-8 (it goes to SQLite, to JSON and to
 * GTK labels); rows are numbered in order; a row with no error names at
 * least one image; and the output CSV written from the rows reads back
 * into the same cells.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fuzz-support.h"
#include "vetter-csv.h"
#include "vetter-intake.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_support_init ();
  return 0;
}

static void
check_item (const VetterIntakeItem *item,
            guint                   index)
{
  g_assert_cmpuint (item->row, ==, index + 1);
  g_assert_true (fuzz_support_is_text (item->error));
  if (item->error)
    return;
  g_assert_true (fuzz_support_is_text (item->serial));
  g_assert_true (fuzz_support_is_text (item->title));
  g_assert_true (fuzz_support_is_text (item->email));
  g_assert_true (fuzz_support_is_text (item->description));
  g_assert_true (fuzz_support_is_text (item->category));
  g_assert_cmpuint (item->sources->len, >, 0);
  for (guint i = 0; i < item->sources->len; i++)
    {
      const char *source = g_ptr_array_index (item->sources, i);

      g_assert_true (fuzz_support_is_text (source));
      g_assert_cmpstr (source, !=, "");
    }
  for (guint i = 0; item->cells && item->cells[i]; i++)
    g_assert_true (fuzz_support_is_text (item->cells[i]));
}

/* The rows as the output CSV writes them: the input's columns, padded or
 * cut to the header's, and one more. */
static GPtrArray *
output_row (const char * const *cells,
            guint               n_columns,
            const char         *extra)
{
  GPtrArray *row = g_ptr_array_new_with_free_func (g_free);
  guint n_cells = cells ? g_strv_length ((char **) cells) : 0;

  for (guint i = 0; i < n_columns; i++)
    g_ptr_array_add (row, g_strdup (i < n_cells ? cells[i] : ""));
  g_ptr_array_add (row, g_strdup (extra));
  return row;
}

static void
check_output_reads_back (const VetterIntakeBatch *batch)
{
  guint n_columns = g_strv_length (batch->header);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(VetterCsvReader) reader = NULL;
  guint line, n_read = 0;

  g_ptr_array_add (rows, output_row ((const char * const *) batch->header, n_columns, "Output Image Urls"));
  for (guint i = 0; i < batch->items->len; i++)
    {
      const VetterIntakeItem *item = g_ptr_array_index (batch->items, i);

      g_ptr_array_add (rows, output_row ((const char * const *) item->cells, n_columns, "out/1.jpg,out/2.jpg"));
    }
  for (guint i = 0; i < rows->len; i++)
    {
      GPtrArray *row = g_ptr_array_index (rows, i);

      vetter_csv_append_row (out, (const char * const *) row->pdata, row->len);
    }

  reader = vetter_csv_reader_new (out->str, out->len);
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) read = NULL;
      GPtrArray *written;

      if (!vetter_csv_reader_next (reader, &read, &line, &error))
        break;
      g_assert_no_error (error);
      g_assert_cmpuint (n_read, <, rows->len);
      written = g_ptr_array_index (rows, n_read);
      g_assert_cmpuint (read->len, ==, written->len);
      for (guint i = 0; i < read->len; i++)
        g_assert_cmpstr (g_ptr_array_index (read, i), ==, g_ptr_array_index (written, i));
      n_read++;
    }
  g_assert_cmpuint (n_read, ==, rows->len);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterIntakeBatch) batch = vetter_intake_parse_csv ("fuzz.csv", (const char *) data, size, &error);

  if (batch == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (fuzz_support_is_text (error->message));
      return 0;
    }
  g_assert_no_error (error);
  g_assert_nonnull (batch->header);
  for (guint i = 0; batch->header[i]; i++)
    g_assert_true (fuzz_support_is_text (batch->header[i]));
  for (guint i = 0; i < batch->items->len; i++)
    check_item (g_ptr_array_index (batch->items, i), i);
  check_output_reads_back (batch);
  return 0;
}
