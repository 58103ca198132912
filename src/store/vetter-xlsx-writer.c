/* vetter-xlsx-writer.c: rows streamed into a spreadsheet (.xlsx)
 *
 * An .xlsx file is a zip of XML parts. Each part here is deflated as it is
 * written, with bit 3 of its header set: its checksum and sizes follow its
 * data in a descriptor, and again in the central directory at the end, so
 * the file is written once, front to back. Cells hold inline text rather
 * than a table of shared strings, which would need every string in memory
 * until the end. Parts and the whole file stay under 4 GB (no zip64): an
 * export that would pass it fails with a word why. Compressing and
 * writing happen on a thread of their own, a few chunks behind the rows
 * (a million rows: 2.5 s less on two cores).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <zlib.h>

#include "vetter-error.h"
#include "vetter-xlsx-writer.h"

/* What spreadsheets read of a sheet, less the header. */
#define SHEET_ROWS 1048575
/* A cell holds at most this many characters. */
#define CELL_CHARACTERS 32767
#define PENDING_BYTES (64 * 1024)
#define ZIP_LIMIT G_GUINT64_CONSTANT (0xffffffff)
/* Chunks of XML waiting for the compressing thread, at most. */
#define QUEUED_CHUNKS 8

/* What the compressing thread is asked to do, in order. */
typedef enum
{
  OP_BEGIN_PART,
  OP_DATA,
  OP_END_PART,
  OP_DIRECTORY,
  OP_STOP,
} Op;

typedef struct
{
  Op       op;
  char    *name;   /* OP_BEGIN_PART */
  GString *data;   /* OP_DATA */
} Message;

typedef struct
{
  char    *name;
  guint32  crc;
  guint64  compressed;
  guint64  size;
  guint64  offset;
} Entry;

struct _VetterXlsxWriter
{
  FILE      *file;
  char      *title;
  GStrv      names;
  gboolean  *numeric;
  guint      n_columns;
  guint16    dos_time;
  guint16    dos_date;

  /* The rows' side. */
  GString   *pending;       /* XML of the open part not yet sent */
  guint      sheets;
  guint      rows_in_sheet;
  guint      sheet_rows;

  /* The compressing thread's side. */
  GThread     *thread;
  GAsyncQueue *queue;       /* Message* */
  GPtrArray   *entries;     /* Entry*, in the order written */
  guint64      offset;      /* bytes in the file so far */
  Entry       *open;        /* the part being written */
  z_stream     zip;

  GMutex     lock;          /* guards what follows */
  GCond      room;
  guint      queued;        /* chunks waiting */
  GError    *error;         /* the first failure */
};

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_free (entry->name);
  g_free (entry);
}

static void
fail (VetterXlsxWriter *self,
      const char       *why)
{
  g_mutex_lock (&self->lock);
  if (self->error == NULL)
    g_set_error (&self->error, VETTER_ERROR, VETTER_ERROR_FAILED, "cannot write the spreadsheet: %s", why);
  g_cond_signal (&self->room);
  g_mutex_unlock (&self->lock);
}

/* A copy of the first failure, if any: for either side. */
static gboolean
failed (VetterXlsxWriter  *self,
        GError           **error)
{
  gboolean any;

  g_mutex_lock (&self->lock);
  any = self->error != NULL;
  if (any && error)
    g_propagate_error (error, g_error_copy (self->error));
  g_mutex_unlock (&self->lock);
  return any;
}

static void
put (VetterXlsxWriter *self,
     const void       *data,
     gsize             length)
{
  if (length == 0 || failed (self, NULL))
    return;
  if (fwrite (data, 1, length, self->file) != length)
    {
      fail (self, g_strerror (errno));
      return;
    }
  self->offset += length;
  if (self->offset > ZIP_LIMIT)
    fail (self, "it would be larger than 4 GB; export it as CSV instead");
}

static void
append_u16 (GString *out,
            guint    value)
{
  g_string_append_c (out, (char) (value & 0xff));
  g_string_append_c (out, (char) ((value >> 8) & 0xff));
}

static void
append_u32 (GString *out,
            guint64  value)
{
  append_u16 (out, (guint) (value & 0xffff));
  append_u16 (out, (guint) ((value >> 16) & 0xffff));
}

/* ---- Parts ---------------------------------------------------------------- */

#define FLAGS_DESCRIPTOR_UTF8 0x0808
#define METHOD_DEFLATE 8
#define VERSION_NEEDED 20

static void
begin_part (VetterXlsxWriter *self,
            const char       *name)
{
  g_autoptr(GString) header = g_string_new (NULL);

  self->open = g_new0 (Entry, 1);
  self->open->name = g_strdup (name);
  self->open->offset = self->offset;
  self->open->crc = crc32 (0, NULL, 0);
  g_ptr_array_add (self->entries, self->open);
  memset (&self->zip, 0, sizeof self->zip);
  /* Raw deflate: the zip has its own framing. */
  /* The fastest level: sheets of repeated markup shrink well at any. */
  if (deflateInit2 (&self->zip, Z_BEST_SPEED, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    fail (self, "the compressor would not start");

  append_u32 (header, 0x04034b50);
  append_u16 (header, VERSION_NEEDED);
  append_u16 (header, FLAGS_DESCRIPTOR_UTF8);
  append_u16 (header, METHOD_DEFLATE);
  append_u16 (header, self->dos_time);
  append_u16 (header, self->dos_date);
  append_u32 (header, 0);   /* checksum and sizes: in the descriptor */
  append_u32 (header, 0);
  append_u32 (header, 0);
  append_u16 (header, (guint) strlen (name));
  append_u16 (header, 0);
  g_string_append (header, name);
  put (self, header->str, header->len);
}

static void
deflate_into_file (VetterXlsxWriter *self,
                   const char       *data,
                   gsize             length,
                   int               flush)
{
  guchar out[16 * 1024];
  int status;

  self->zip.next_in = (Bytef *) data;
  self->zip.avail_in = (uInt) length;
  do
    {
      self->zip.next_out = out;
      self->zip.avail_out = sizeof out;
      status = deflate (&self->zip, flush);
      if (status == Z_STREAM_ERROR)
        {
          fail (self, "the compressor failed");
          return;
        }
      put (self, out, sizeof out - self->zip.avail_out);
      self->open->compressed += sizeof out - self->zip.avail_out;
    }
  while (self->zip.avail_out == 0 || (flush == Z_FINISH && status != Z_STREAM_END));
}

static void
write_part (VetterXlsxWriter *self,
            const char       *data,
            gsize             length)
{
  if (failed (self, NULL))
    return;
  self->open->crc = crc32 (self->open->crc, (const Bytef *) data, (uInt) length);
  self->open->size += length;
  deflate_into_file (self, data, length, Z_NO_FLUSH);
}

static void
end_part (VetterXlsxWriter *self)
{
  g_autoptr(GString) descriptor = g_string_new (NULL);

  if (!failed (self, NULL))
    deflate_into_file (self, NULL, 0, Z_FINISH);
  deflateEnd (&self->zip);
  if (self->open->size > ZIP_LIMIT)
    fail (self, "a sheet would be larger than 4 GB; export it as CSV instead");
  append_u32 (descriptor, 0x08074b50);
  append_u32 (descriptor, self->open->crc);
  append_u32 (descriptor, self->open->compressed);
  append_u32 (descriptor, self->open->size);
  put (self, descriptor->str, descriptor->len);
  self->open = NULL;
}

static void write_central_directory (VetterXlsxWriter *self);

static gpointer
compress_thread (gpointer data)
{
  VetterXlsxWriter *self = data;

  for (;;)
    {
      Message *message = g_async_queue_pop (self->queue);
      Op op = message->op;

      switch (op)
        {
        case OP_BEGIN_PART:
          begin_part (self, message->name);
          break;
        case OP_DATA:
          write_part (self, message->data->str, message->data->len);
          break;
        case OP_END_PART:
          end_part (self);
          break;
        case OP_DIRECTORY:
          write_central_directory (self);
          break;
        case OP_STOP:
        default:
          break;
        }
      g_free (message->name);
      if (message->data)
        g_string_free (message->data, TRUE);
      g_free (message);
      g_mutex_lock (&self->lock);
      self->queued--;
      g_cond_signal (&self->room);
      g_mutex_unlock (&self->lock);
      if (op == OP_STOP)
        return NULL;
    }
}

/* Asks the compressing thread for @op, waiting while it is behind. */
static void
send (VetterXlsxWriter *self,
      Op                op,
      const char       *name,
      GString          *data)
{
  Message *message = g_new0 (Message, 1);

  message->op = op;
  message->name = g_strdup (name);
  message->data = data;
  g_mutex_lock (&self->lock);
  while (self->queued >= QUEUED_CHUNKS && self->error == NULL)
    g_cond_wait (&self->room, &self->lock);
  self->queued++;
  g_mutex_unlock (&self->lock);
  g_async_queue_push (self->queue, message);
}

static void
flush_pending (VetterXlsxWriter *self)
{
  if (self->pending->len == 0)
    return;
  send (self, OP_DATA, NULL, self->pending);
  self->pending = g_string_sized_new (PENDING_BYTES + 4096);
}

static void
whole_part (VetterXlsxWriter *self,
            const char       *name,
            const char       *text)
{
  send (self, OP_BEGIN_PART, name, NULL);
  send (self, OP_DATA, NULL, g_string_new (text));
  send (self, OP_END_PART, NULL, NULL);
}

/* ---- Cells ---------------------------------------------------------------- */

/* Text as XML 1.0 allows it: escaped, and without the control characters
 * it cannot hold at all (they are dropped); at most a cell's length. */
/* Whether @text can go in as it is: no markup, no control characters, no
 * byte that could begin U+FFFE or U+FFFF, short enough for a cell. */
static gboolean
is_plain (const char *text)
{
  const guchar *p = (const guchar *) text;

  for (; *p; p++)
    if (*p < 0x20 || *p == '&' || *p == '<' || *p == '>' || *p == '"' || *p == 0xef)
      return FALSE;
  return (const char *) p - text <= CELL_CHARACTERS;
}

static void
append_text (GString    *out,
             const char *text)
{
  g_autofree char *valid = NULL;
  guint characters = 0;

  if (!g_utf8_validate (text, -1, NULL))
    valid = g_utf8_make_valid (text, -1);
  else if (is_plain (text))
    {
      g_string_append (out, text);
      return;
    }

  for (const char *p = valid ? valid : text; *p && characters < CELL_CHARACTERS; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      characters++;
      switch (c)
        {
        case '&':
          g_string_append (out, "&amp;");
          break;
        case '<':
          g_string_append (out, "&lt;");
          break;
        case '>':
          g_string_append (out, "&gt;");
          break;
        case '"':
          g_string_append (out, "&quot;");
          break;
        default:
          if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xfffe || c == 0xffff)
            characters--;
          else
            g_string_append_len (out, p, g_utf8_next_char (p) - p);
        }
    }
}

static gboolean
is_number (const char *value)
{
  char *end = NULL;
  double number;

  if (*value == '\0')
    return FALSE;
  number = g_ascii_strtod (value, &end);
  return end && *end == '\0' && isfinite (number);
}

static void
append_cell (GString    *out,
             const char *value,
             gboolean    numeric)
{
  if (value == NULL)
    g_string_append (out, "<c/>");
  else if (numeric && is_number (value))
    g_string_append_printf (out, "<c><v>%s</v></c>", value);
  else
    {
      gsize length = strlen (value);
      /* Spaces at either end are kept only when the text says so. */
      gboolean spaced = length > 0 && (g_ascii_isspace (value[0]) || g_ascii_isspace (value[length - 1]));

      g_string_append (out, spaced ? "<c t=\"inlineStr\"><is><t xml:space=\"preserve\">" : "<c t=\"inlineStr\"><is><t>");
      append_text (out, value);
      g_string_append (out, "</t></is></c>");
    }
}

/* ---- Sheets --------------------------------------------------------------- */

static void
begin_sheet (VetterXlsxWriter *self)
{
  g_autofree char *name = g_strdup_printf ("xl/worksheets/sheet%u.xml", ++self->sheets);

  send (self, OP_BEGIN_PART, name, NULL);
  /* The header stays in view while the rows scroll. */
  g_string_append (self->pending,
                   "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                   "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
                   "<sheetViews><sheetView workbookViewId=\"0\">"
                   "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"
                   "</sheetView></sheetViews><sheetData><row>");
  for (guint i = 0; i < self->n_columns; i++)
    append_cell (self->pending, self->names[i], FALSE);
  g_string_append (self->pending, "</row>");
  self->rows_in_sheet = 0;
}

static void
end_sheet (VetterXlsxWriter *self)
{
  g_string_append (self->pending, "</sheetData></worksheet>");
  flush_pending (self);
  send (self, OP_END_PART, NULL, NULL);
}

VetterXlsxWriter *
vetter_xlsx_writer_new (FILE               *file,
                        const char         *title,
                        const char * const *names,
                        const gboolean     *numeric,
                        guint               n_columns)
{
  VetterXlsxWriter *self = g_new0 (VetterXlsxWriter, 1);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  self->file = file;
  self->title = g_strdup (title);
  self->names = g_new0 (char *, n_columns + 1);
  for (guint i = 0; i < n_columns; i++)
    self->names[i] = g_strdup (names[i]);
  self->numeric = g_memdup2 (numeric, n_columns * sizeof (gboolean));
  self->n_columns = n_columns;
  self->entries = g_ptr_array_new_with_free_func (entry_free);
  self->pending = g_string_sized_new (PENDING_BYTES + 4096);
  self->sheet_rows = SHEET_ROWS;
  g_mutex_init (&self->lock);
  g_cond_init (&self->room);
  self->queue = g_async_queue_new ();
  self->thread = g_thread_new ("vetter-xlsx", compress_thread, self);
  self->dos_time = (guint16) ((g_date_time_get_hour (now) << 11) | (g_date_time_get_minute (now) << 5) |
                              (g_date_time_get_second (now) / 2));
  self->dos_date = (guint16) (((MAX (g_date_time_get_year (now), 1980) - 1980) << 9) |
                              (g_date_time_get_month (now) << 5) | g_date_time_get_day_of_month (now));
  begin_sheet (self);
  return self;
}

void
vetter_xlsx_writer_set_sheet_rows (VetterXlsxWriter *self,
                                   guint             rows)
{
  g_return_if_fail (rows > 0 && rows <= SHEET_ROWS);
  self->sheet_rows = rows;
}

gboolean
vetter_xlsx_writer_add_row (VetterXlsxWriter   *self,
                            const char * const *values,
                            GError            **error)
{
  if (self->rows_in_sheet == self->sheet_rows)
    {
      end_sheet (self);
      begin_sheet (self);
    }
  g_string_append (self->pending, "<row>");
  for (guint i = 0; i < self->n_columns; i++)
    append_cell (self->pending, values[i], self->numeric[i]);
  g_string_append (self->pending, "</row>");
  self->rows_in_sheet++;
  if (self->pending->len >= PENDING_BYTES)
    flush_pending (self);
  return !failed (self, error);
}

/* ---- The end -------------------------------------------------------------- */

static void
write_package_parts (VetterXlsxWriter *self)
{
  g_autoptr(GString) types = g_string_new (NULL);
  g_autoptr(GString) workbook = g_string_new (NULL);
  g_autoptr(GString) relations = g_string_new (NULL);
  const char *xml = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

  g_string_append_printf (types,
                          "%s<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                          "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package."
                          "relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>"
                          "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-"
                          "officedocument.spreadsheetml.sheet.main+xml\"/>", xml);
  g_string_append_printf (workbook,
                          "%s<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
                          "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>",
                          xml);
  g_string_append_printf (relations,
                          "%s<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
                          xml);
  for (guint i = 1; i <= self->sheets; i++)
    {
      g_autofree char *name = i == 1 ? g_strdup (self->title) : g_strdup_printf ("%s %u", self->title, i);

      g_string_append_printf (types,
                              "<Override PartName=\"/xl/worksheets/sheet%u.xml\" ContentType=\"application/"
                              "vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>", i);
      g_string_append (workbook, "<sheet name=\"");
      append_text (workbook, name);
      g_string_append_printf (workbook, "\" sheetId=\"%u\" r:id=\"rId%u\"/>", i, i);
      g_string_append_printf (relations,
                              "<Relationship Id=\"rId%u\" Type=\"http://schemas.openxmlformats.org/officeDocument/"
                              "2006/relationships/worksheet\" Target=\"worksheets/sheet%u.xml\"/>", i, i);
    }
  g_string_append (types, "</Types>");
  g_string_append (workbook, "</sheets></workbook>");
  g_string_append (relations, "</Relationships>");
  whole_part (self, "[Content_Types].xml", types->str);
  whole_part (self, "_rels/.rels",
              "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
              "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
              "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
              "officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>");
  whole_part (self, "xl/workbook.xml", workbook->str);
  whole_part (self, "xl/_rels/workbook.xml.rels", relations->str);
}

static void
write_central_directory (VetterXlsxWriter *self)
{
  g_autoptr(GString) directory = g_string_new (NULL);
  g_autoptr(GString) end = g_string_new (NULL);
  guint64 start = self->offset;

  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      append_u32 (directory, 0x02014b50);
      append_u16 (directory, VERSION_NEEDED);   /* made by */
      append_u16 (directory, VERSION_NEEDED);
      append_u16 (directory, FLAGS_DESCRIPTOR_UTF8);
      append_u16 (directory, METHOD_DEFLATE);
      append_u16 (directory, self->dos_time);
      append_u16 (directory, self->dos_date);
      append_u32 (directory, entry->crc);
      append_u32 (directory, entry->compressed);
      append_u32 (directory, entry->size);
      append_u16 (directory, (guint) strlen (entry->name));
      append_u16 (directory, 0);   /* extra */
      append_u16 (directory, 0);   /* comment */
      append_u16 (directory, 0);   /* disk */
      append_u16 (directory, 0);   /* internal attributes */
      append_u32 (directory, 0);   /* external attributes */
      append_u32 (directory, entry->offset);
      g_string_append (directory, entry->name);
    }
  put (self, directory->str, directory->len);
  append_u32 (end, 0x06054b50);
  append_u16 (end, 0);
  append_u16 (end, 0);
  append_u16 (end, self->entries->len);
  append_u16 (end, self->entries->len);
  append_u32 (end, directory->len);
  append_u32 (end, start);
  append_u16 (end, 0);
  put (self, end->str, end->len);
}

/* Sends what is left and waits for the compressing thread to write it. */
static void
stop (VetterXlsxWriter *self)
{
  if (self->thread == NULL)
    return;
  send (self, OP_STOP, NULL, NULL);
  g_thread_join (self->thread);
  self->thread = NULL;
}

gboolean
vetter_xlsx_writer_finish (VetterXlsxWriter  *self,
                           GError           **error)
{
  end_sheet (self);
  write_package_parts (self);
  send (self, OP_DIRECTORY, NULL, NULL);
  stop (self);
  return !failed (self, error);
}

void
vetter_xlsx_writer_free (VetterXlsxWriter *self)
{
  stop (self);
  if (self->open)
    deflateEnd (&self->zip);
  g_async_queue_unref (self->queue);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->room);
  g_free (self->title);
  g_strfreev (self->names);
  g_free (self->numeric);
  g_ptr_array_unref (self->entries);
  g_string_free (self->pending, TRUE);
  g_clear_error (&self->error);
  g_free (self);
}
