/* fuzz-csv.c: a dropped CSV file, read into a batch
 *
 * Beyond not crashing: whatever the bytes, a batch or a clear error comes
 * out; every text in the batch is UTF-8 (it goes to SQLite, to JSON and to
 * GTK labels); rows are numbered in order; a row with no error names at
 * least one image; the output CSV written from the rows reads back
 * into the same cells; and the bytes read as a stream through a small
 * buffer give the same records, errors and lines as read in memory, as
 * many as the counter finds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

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

/* One record as a line of text: its line, fields or error. */
static char *
describe_record (VetterCsvReader *reader,
                 gboolean        *more)
{
  g_autoptr(GPtrArray) fields = NULL;
  g_autoptr(GError) error = NULL;
  GString *out = g_string_new (NULL);
  guint line = 0;

  *more = vetter_csv_reader_next (reader, &fields, &line, &error);
  if (!*more)
    return g_string_free (out, FALSE);
  g_string_append_printf (out, "%u:", line);
  if (error)
    g_string_append (out, error->message);
  for (guint i = 0; fields && i < fields->len; i++)
    {
      g_string_append_len (out, g_ptr_array_index (fields, i), strlen (g_ptr_array_index (fields, i)));
      g_string_append_c (out, '|');
    }
  return g_string_free (out, FALSE);
}

static void
check_stream_reads_alike (const char *data,
                          gsize       size)
{
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (data, (gssize) size, NULL);
  g_autoptr(VetterCsvReader) memory = vetter_csv_reader_new (data, size);
  g_autoptr(VetterCsvReader) streamed = vetter_csv_reader_new_for_stream (stream, 4 + size % 9);
  VetterCsvCounter counter = { 0 };
  gsize piece = 1 + size % 5;
  guint64 records = 0;

  for (;;)
    {
      gboolean more_memory, more_streamed;
      g_autofree char *a = describe_record (memory, &more_memory);
      g_autofree char *b = describe_record (streamed, &more_streamed);

      g_assert_cmpint (more_memory, ==, more_streamed);
      if (!more_memory)
        break;
      g_assert_cmpstr (a, ==, b);
      records++;
    }
  for (gsize at = 0; at < size; at += piece)
    vetter_csv_counter_feed (&counter, data + at, MIN (piece, size - at));
  g_assert_cmpuint (vetter_csv_counter_finish (&counter), ==, records);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterIntakeBatch) batch = vetter_intake_parse_csv ("fuzz.csv", (const char *) data, size, &error);

  check_stream_reads_alike ((const char *) data, size);
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
