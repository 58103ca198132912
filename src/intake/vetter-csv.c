/* vetter-csv.c: an RFC 4180 reader and writer
 *
 * The reader works on text in memory or on a stream read a buffer at a
 * time (a CSV of a million rows is read in constant memory), and reports
 * the line each record starts on, so that errors can point at it. Quoted
 * fields may hold commas, quotes written twice and line breaks; CRLF and
 * LF both end records; a UTF-8 byte order mark is skipped. A NUL byte is
 * no text: a record holding one is an error of its own (a C string would
 * end there, cutting the cell short). The counter finds how many records
 * the reader will give, in one fast pass without keeping any.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-csv"

#include "config.h"

#include <string.h>

#include "vetter-csv.h"
#include "vetter-error.h"

#define UTF8_BOM "\xEF\xBB\xBF"

struct _VetterCsvReader
{
  const char   *data;        /* the text, or the stream's buffer */
  gsize         length;
  gsize         pos;
  guint         line;
  guint         nul_field;   /* the record's first field holding a NUL byte, from 1 */
  GInputStream *stream;      /* NULL: all the text is in @data */
  char         *buffer;
  gsize         capacity;
  GError       *read_error;  /* the stream failed: it reads as ended */
};

VetterCsvReader *
vetter_csv_reader_new (const char *data,
                       gsize       length)
{
  VetterCsvReader *reader = g_new0 (VetterCsvReader, 1);

  reader->data = data;
  reader->length = length;
  reader->line = 1;
  if (length >= 3 && memcmp (data, UTF8_BOM, 3) == 0)
    reader->pos = 3;
  return reader;
}

static gboolean refill (VetterCsvReader *reader, gsize n);

VetterCsvReader *
vetter_csv_reader_new_for_stream (GInputStream *stream,
                                  gsize         buffer_size)
{
  VetterCsvReader *reader = g_new0 (VetterCsvReader, 1);

  reader->stream = g_object_ref (stream);
  /* Two bytes at least: a quote is told from a doubled one by the next. */
  reader->capacity = MAX (buffer_size, 4);
  reader->buffer = g_malloc (reader->capacity);
  reader->data = reader->buffer;
  reader->line = 1;
  if (refill (reader, 3) && memcmp (reader->data, UTF8_BOM, 3) == 0)
    reader->pos = 3;
  return reader;
}

void
vetter_csv_reader_free (VetterCsvReader *reader)
{
  if (reader == NULL)
    return;
  g_clear_object (&reader->stream);
  g_free (reader->buffer);
  g_clear_error (&reader->read_error);
  g_free (reader);
}

const GError *
vetter_csv_reader_get_read_error (VetterCsvReader *reader)
{
  return reader->read_error;
}

/* Makes @n bytes from the current position available, reading on when
 * the buffer holds fewer; FALSE at the end of the text. */
static gboolean
refill (VetterCsvReader *reader,
        gsize            n)
{
  if (reader->stream == NULL || reader->read_error)
    return FALSE;
  memmove (reader->buffer, reader->buffer + reader->pos, reader->length - reader->pos);
  reader->length -= reader->pos;
  reader->pos = 0;
  while (reader->length < n)
    {
      gssize got = g_input_stream_read (reader->stream, reader->buffer + reader->length,
                                        reader->capacity - reader->length, NULL, &reader->read_error);

      if (got <= 0)
        return FALSE;
      reader->length += (gsize) got;
    }
  return TRUE;
}

static inline gboolean
have (VetterCsvReader *reader,
      gsize            n)
{
  return reader->pos + n <= reader->length || refill (reader, n);
}

static gboolean
at_record_end (VetterCsvReader *reader)
{
  return !have (reader, 1) ||
         reader->data[reader->pos] == '\n' ||
         reader->data[reader->pos] == '\r';
}

static void
skip_record_end (VetterCsvReader *reader)
{
  if (have (reader, 1) && reader->data[reader->pos] == '\r')
    reader->pos++;
  if (have (reader, 1) && reader->data[reader->pos] == '\n')
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

  while (have (reader, 1) && at_record_end (reader))
    skip_record_end (reader);
  if (!have (reader, 1))
    return FALSE;

  *line = reader->line;
  reader->nul_field = 0;
  record = g_ptr_array_new_with_free_func (g_free);
  field = g_string_new (NULL);

  for (;;)
    {
      if (have (reader, 1) && reader->data[reader->pos] == '"')
        {
          guint start_line = reader->line;

          reader->pos++;
          for (;;)
            {
              char c;

              if (!have (reader, 1))
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
                  if (have (reader, 2) && reader->data[reader->pos + 1] == '"')
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
          while (have (reader, 1) &&
                 reader->data[reader->pos] != ',' && !at_record_end (reader))
            take_char (reader, field, record->len, reader->data[reader->pos++]);
        }
      else
        {
          while (have (reader, 1) &&
                 reader->data[reader->pos] != ',' && !at_record_end (reader))
            take_char (reader, field, record->len, reader->data[reader->pos++]);
        }

      g_ptr_array_add (record, g_string_free (g_steal_pointer (&field), FALSE));
      field = g_string_new (NULL);

      if (have (reader, 1) && reader->data[reader->pos] == ',')
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

/* The counter follows the reader's rules byte by byte: a record starts at
 * any byte but a line break found where a record may start; a field that
 * starts with a quote runs to the closing one, quotes written twice aside;
 * any other field, and the text after a closing quote, to a comma or a
 * line break. */
enum
{
  AT_RECORD_START,
  AT_FIELD_START,
  IN_FIELD,          /* unquoted, or after its closing quote */
  IN_QUOTES,
  AT_QUOTE_IN_QUOTES /* a quote inside quotes: doubled, or the closing one */
};

static void
count_byte (VetterCsvCounter *counter,
            char              c)
{
  switch (counter->state)
    {
    case AT_RECORD_START:
      if (c == '\r' || c == '\n')
        return;
      counter->records++;
      G_GNUC_FALLTHROUGH;
    case AT_FIELD_START:
      if (c == '"')
        counter->state = IN_QUOTES;
      else if (c == '\r' || c == '\n')
        counter->state = AT_RECORD_START;
      else if (c != ',')
        counter->state = IN_FIELD;
      else
        counter->state = AT_FIELD_START;
      return;
    case IN_QUOTES:
      if (c == '"')
        counter->state = AT_QUOTE_IN_QUOTES;
      return;
    case AT_QUOTE_IN_QUOTES:
      if (c == '"')
        {
          counter->state = IN_QUOTES;
          return;
        }
      G_GNUC_FALLTHROUGH;
    case IN_FIELD:
    default:
      if (c == ',')
        counter->state = AT_FIELD_START;
      else if (c == '\r' || c == '\n')
        counter->state = AT_RECORD_START;
      else
        counter->state = IN_FIELD;
      return;
    }
}

void
vetter_csv_counter_feed (VetterCsvCounter *counter,
                         const char       *data,
                         gsize             length)
{
  const char *end = data + length;

  /* The first three bytes wait until it is known whether they are the
   * byte order mark, which the reader skips. */
  while (counter->seen < 3 && data < end)
    {
      counter->head[counter->seen++] = *data++;
      if (counter->seen == 3 && memcmp (counter->head, UTF8_BOM, 3) != 0)
        for (guint i = 0; i < 3; i++)
          count_byte (counter, counter->head[i]);
    }
  while (data < end)
    {
      /* Inside quotes only a quote matters: skip to it. */
      if (counter->state == IN_QUOTES)
        {
          const char *quote = memchr (data, '"', (gsize) (end - data));

          if (quote == NULL)
            return;
          data = quote;
        }
      count_byte (counter, *data++);
    }
}

guint64
vetter_csv_counter_finish (VetterCsvCounter *counter)
{
  if (counter->seen < 3)
    {
      guint seen = counter->seen;

      counter->seen = 3;
      for (guint i = 0; i < seen; i++)
        count_byte (counter, counter->head[i]);
    }
  return counter->records;
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
