/* vetter-csv.c: an RFC 4180 reader and writer
 *
 * The reader works on the whole file in memory (a CSV of a million rows is
 * a few hundred megabytes at most) and reports the line each record starts
 * on, so that errors can point at it. Quoted fields may hold commas, quotes
 * written twice and line breaks; CRLF and LF both end records; a UTF-8 byte
 * order mark is skipped. A NUL byte is no text: a record holding one is an
 * error of its own (a C string would end there, cutting the cell short).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-csv"

#include "config.h"

#include <string.h>

#include "vetter-csv.h"
#include "vetter-error.h"

struct _VetterCsvReader
{
  const char *data;
  gsize       length;
  gsize       pos;
  guint       line;
  guint       nul_field;   /* the record's first field holding a NUL byte, from 1 */
};

VetterCsvReader *
vetter_csv_reader_new (const char *data,
                       gsize       length)
{
  VetterCsvReader *reader = g_new0 (VetterCsvReader, 1);

  reader->data = data;
  reader->length = length;
  reader->line = 1;
  if (length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    reader->pos = 3;
  return reader;
}

void
vetter_csv_reader_free (VetterCsvReader *reader)
{
  g_free (reader);
}

static gboolean
at_record_end (VetterCsvReader *reader)
{
  return reader->pos >= reader->length ||
         reader->data[reader->pos] == '\n' ||
         reader->data[reader->pos] == '\r';
}

static void
skip_record_end (VetterCsvReader *reader)
{
  if (reader->pos < reader->length && reader->data[reader->pos] == '\r')
    reader->pos++;
  if (reader->pos < reader->length && reader->data[reader->pos] == '\n')
    reader->pos++;
  reader->line++;
}

static void
take_char (VetterCsvReader *reader,
           GString         *field,
           guint            n_fields,
           char             c)
{
  if (c == '\0' && reader->nul_field == 0)
    reader->nul_field = n_fields + 1;
  g_string_append_c (field, c);
}

/* Returns FALSE at the end of the data. A record that is nothing but a line
 * break is skipped: blank lines between rows are common in hand-made files. */
gboolean
vetter_csv_reader_next (VetterCsvReader  *reader,
                        GPtrArray       **fields,
                        guint            *line,
                        GError          **error)
{
  g_autoptr(GPtrArray) record = NULL;
  g_autoptr(GString) field = NULL;

  *fields = NULL;

  while (reader->pos < reader->length && at_record_end (reader))
    skip_record_end (reader);
  if (reader->pos >= reader->length)
    return FALSE;

  *line = reader->line;
  reader->nul_field = 0;
  record = g_ptr_array_new_with_free_func (g_free);
  field = g_string_new (NULL);

  for (;;)
    {
      if (reader->pos < reader->length && reader->data[reader->pos] == '"')
        {
          guint start_line = reader->line;

          reader->pos++;
          for (;;)
            {
              char c;

              if (reader->pos >= reader->length)
                {
                  g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT,
                               "line %u: a quoted field is never closed", start_line);
                  /* Nothing after an unclosed quote can be trusted. */
                  reader->pos = reader->length;
                  return TRUE;
                }
              c = reader->data[reader->pos];
              if (c == '"')
                {
                  if (reader->pos + 1 < reader->length && reader->data[reader->pos + 1] == '"')
                    {
                      g_string_append_c (field, '"');
                      reader->pos += 2;
                      continue;
                    }
                  reader->pos++;
                  break;
                }
              if (c == '\n')
                reader->line++;
              take_char (reader, field, record->len, c);
              reader->pos++;
            }
          /* Text after the closing quote is kept, as most readers do. */
          while (reader->pos < reader->length &&
                 reader->data[reader->pos] != ',' && !at_record_end (reader))
            take_char (reader, field, record->len, reader->data[reader->pos++]);
        }
      else
        {
          while (reader->pos < reader->length &&
                 reader->data[reader->pos] != ',' && !at_record_end (reader))
            take_char (reader, field, record->len, reader->data[reader->pos++]);
        }

      g_ptr_array_add (record, g_string_free (g_steal_pointer (&field), FALSE));
      field = g_string_new (NULL);

      if (reader->pos < reader->length && reader->data[reader->pos] == ',')
        {
          reader->pos++;
          continue;
        }
      skip_record_end (reader);
      break;
    }

  if (reader->nul_field > 0)
    g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT,
                 "line %u: field %u holds a NUL byte, which is no text (is the file damaged, or not a CSV?)",
                 *line, reader->nul_field);
  *fields = g_steal_pointer (&record);
  return TRUE;
}

char *
vetter_csv_quote (const char *field)
{
  GString *out;

  if (field == NULL)
    return g_strdup ("");
  /* A field that begins with a byte order mark is quoted: first in a
   * file, it would read as the file's mark and vanish. */
  if (strpbrk (field, ",\"\r\n") == NULL && field[0] != ' ' && field[0] != '\0' &&
      !g_str_has_prefix (field, "\xEF\xBB\xBF"))
    return g_strdup (field);
  if (field[0] == '\0')
    return g_strdup ("");

  out = g_string_new ("\"");
  for (const char *p = field; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}

void
vetter_csv_append_row (GString            *out,
                       const char * const *fields,
                       guint               n_fields)
{
  for (guint i = 0; i < n_fields; i++)
    {
      g_autofree char *quoted = vetter_csv_quote (fields[i]);

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, quoted);
    }
  g_string_append (out, "\r\n");
}
