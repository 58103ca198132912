/* vetter-intake.c: turning dropped files into batches of items
 *
 * A CSV is recognised by its header alone, with case, spacing and
 * punctuation ignored, so "S. No." and "s_no" are the same column. A row
 * that cannot be used becomes an item that fails with the row's line and
 * the reason; only a file we cannot recognise at all is refused whole.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-intake"

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "vetter-csv.h"
#include "vetter-error.h"
#include "vetter-intake.h"

void
vetter_intake_item_free (VetterIntakeItem *item)
{
  if (item == NULL)
    return;
  g_free (item->serial);
  g_free (item->title);
  g_free (item->email);
  g_free (item->description);
  g_free (item->category);
  g_strfreev (item->cells);
  g_clear_pointer (&item->sources, g_ptr_array_unref);
  g_free (item->error);
  g_free (item->uid);
  g_free (item);
}

static void rows_free (VetterIntakeRows *rows);

void
vetter_intake_batch_free (VetterIntakeBatch *batch)
{
  if (batch == NULL)
    return;
  g_free (batch->source);
  g_free (batch->key);
  g_free (batch->stem);
  g_free (batch->base_dir);
  g_strfreev (batch->header);
  g_free (batch->encoding);
  g_clear_pointer (&batch->items, g_ptr_array_unref);
  g_clear_pointer (&batch->rest, rows_free);
  g_free (batch);
}

static VetterIntakeBatch *
batch_new (VetterBatchKind kind)
{
  VetterIntakeBatch *batch = g_new0 (VetterIntakeBatch, 1);

  batch->kind = kind;
  batch->items = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_intake_item_free);
  return batch;
}

static VetterIntakeItem *
item_new (void)
{
  VetterIntakeItem *item = g_new0 (VetterIntakeItem, 1);

  item->sources = g_ptr_array_new_with_free_func (g_free);
  return item;
}

/* Where an image named in the input really is: URLs stay as they are,
 * file:// URIs become paths, relative paths are taken from @base_dir. */
char *
vetter_intake_resolve (const char *base_dir,
                       const char *source)
{
  g_autofree char *scheme = g_uri_parse_scheme (source);

  if (scheme != NULL && g_ascii_strcasecmp (scheme, "file") == 0)
    {
      g_autofree char *path = g_filename_from_uri (source, NULL, NULL);

      return path ? g_steal_pointer (&path) : g_strdup (source);
    }
  if (scheme != NULL && strlen (scheme) > 1)   /* "C:" is a drive, not a scheme */
    return g_strdup (source);
  if (g_path_is_absolute (source) || base_dir == NULL)
    return g_strdup (source);
  return g_build_filename (base_dir, source, NULL);
}

char *
vetter_intake_normalise_header (const char *cell)
{
  GString *out = g_string_new (NULL);

  for (const char *p = cell; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isalnum (c))
        g_string_append_unichar (out, g_unichar_tolower (c));
    }
  return g_string_free (out, FALSE);
}

static gboolean
has_suffix_ci (const char *path,
               const char * const *suffixes)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  for (guint i = 0; suffixes[i]; i++)
    if (g_str_has_suffix (lower, suffixes[i]))
      return TRUE;
  return FALSE;
}

gboolean
vetter_intake_is_csv_path (const char *path)
{
  static const char * const suffixes[] = { ".csv", NULL };

  return has_suffix_ci (path, suffixes);
}

gboolean
vetter_intake_is_image_path (const char *path)
{
  static const char * const suffixes[] = {
    ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".webp", ".gif", ".tif", ".tiff", ".bmp", NULL
  };

  return has_suffix_ci (path, suffixes);
}

/* Deliberately simple: one @, a non-empty local part, a dotted domain, no
 * spaces. Anything stricter refuses addresses that real mail accepts. */
gboolean
vetter_intake_is_valid_email (const char *email)
{
  const char *at;
  const char *dot;

  if (email == NULL || *email == '\0' || strpbrk (email, " \t\r\n,;<>\"") != NULL)
    return FALSE;
  at = strchr (email, '@');
  if (at == NULL || at == email || strchr (at + 1, '@') != NULL)
    return FALSE;
  dot = strrchr (at + 1, '.');
  return dot != NULL && dot > at + 1 && dot[1] != '\0';
}

typedef enum
{
  COL_SERIAL,
  COL_PRODUCT_NAME,
  COL_IMAGE_URLS,
  COL_EMAIL,
  COL_IMAGE,
  COL_TITLE,
  COL_DESCRIPTION,
  COL_CATEGORY,
  N_COLUMNS
} Column;

/* The rows of a CSV not yet read: a big input is read a part at a time,
 * never held whole. */
struct _VetterIntakeRows
{
  VetterCsvReader *reader;
  char            *text;      /* a text converted to UTF-8 the reader works on, or NULL */
  char            *name;      /* the file, for errors */
  int              index[N_COLUMNS];
  guint            n_header;
  guint            read;      /* rows read so far */
};

static void
rows_free (VetterIntakeRows *rows)
{
  vetter_csv_reader_free (rows->reader);
  g_free (rows->text);
  g_free (rows->name);
  g_free (rows);
}

typedef struct
{
  Column      column;
  const char *normalised;
} ColumnName;

/* Every spelling we take for each column, already normalised. */
static const ColumnName column_names[] = {
  { COL_SERIAL, "sno" }, { COL_SERIAL, "serialnumber" }, { COL_SERIAL, "serialno" },
  { COL_PRODUCT_NAME, "productname" },
  { COL_IMAGE_URLS, "inputimageurls" }, { COL_IMAGE_URLS, "inputimageurl" },
  { COL_EMAIL, "email" }, { COL_EMAIL, "emailaddress" },
  { COL_IMAGE, "image" }, { COL_IMAGE, "imageurl" }, { COL_IMAGE, "imagepath" },
  { COL_TITLE, "title" },
  { COL_DESCRIPTION, "description" },
  { COL_CATEGORY, "category" },
};

#define EXPECTED_COLUMNS \
  "a products CSV has the columns “S. No.”, “Product Name” and “Input Image Urls”; " \
  "an ads CSV has “email” and “image”, and may have “title”, “description” and “category”"

static char *
describe_found (GPtrArray *header)
{
  g_autoptr(GString) found = g_string_new (NULL);

  for (guint i = 0; i < header->len; i++)
    g_string_append_printf (found, "%s“%s”", i ? ", " : "", (const char *) g_ptr_array_index (header, i));
  return g_string_free (g_steal_pointer (&found), FALSE);
}

static gboolean
map_columns (const char  *display_name,
             GPtrArray   *header,
             int          index[N_COLUMNS],
             VetterBatchKind *kind,
             GError     **error)
{
  gboolean product_like;
  gboolean ad_like;
  g_autofree char *found = NULL;

  for (guint c = 0; c < N_COLUMNS; c++)
    index[c] = -1;

  for (guint i = 0; i < header->len; i++)
    {
      g_autofree char *norm = vetter_intake_normalise_header (g_ptr_array_index (header, i));

      for (guint k = 0; k < G_N_ELEMENTS (column_names); k++)
        if (strcmp (norm, column_names[k].normalised) == 0 && index[column_names[k].column] < 0)
          index[column_names[k].column] = (int) i;
    }

  product_like = index[COL_PRODUCT_NAME] >= 0 || index[COL_IMAGE_URLS] >= 0;
  ad_like = index[COL_EMAIL] >= 0 || index[COL_IMAGE] >= 0;
  found = describe_found (header);

  if (product_like)
    {
      const char *missing = NULL;

      if (index[COL_SERIAL] < 0)
        missing = "S. No.";
      else if (index[COL_PRODUCT_NAME] < 0)
        missing = "Product Name";
      else if (index[COL_IMAGE_URLS] < 0)
        missing = "Input Image Urls";
      if (missing)
        {
          g_set_error (error, VETTER_ERROR, VETTER_ERROR_UNRECOGNISED,
                       "%s: the column “%s” is missing (%s; found %s)",
                       display_name, missing, EXPECTED_COLUMNS, found);
          return FALSE;
        }
      *kind = VETTER_BATCH_KIND_PRODUCTS;
      return TRUE;
    }

  if (ad_like)
    {
      if (index[COL_EMAIL] < 0 || index[COL_IMAGE] < 0)
        {
          g_set_error (error, VETTER_ERROR, VETTER_ERROR_UNRECOGNISED,
                       "%s: the column “%s” is missing (%s; found %s)",
                       display_name, index[COL_EMAIL] < 0 ? "email" : "image", EXPECTED_COLUMNS, found);
          return FALSE;
        }
      *kind = VETTER_BATCH_KIND_ADS;
      return TRUE;
    }

  g_set_error (error, VETTER_ERROR, VETTER_ERROR_UNRECOGNISED,
               "%s: the header is not one Vetter recognises (%s; found %s)",
               display_name, EXPECTED_COLUMNS, found);
  return FALSE;
}

static const char *
cell (GPtrArray *fields,
      int        index)
{
  if (index < 0 || (guint) index >= fields->len)
    return "";
  return g_ptr_array_index (fields, index);
}

static char *
trimmed (const char *s)
{
  return g_strstrip (g_strdup (s));
}

/* "a, b ,c" → [a, b, c]; newlines separate too, as spreadsheets sometimes write them. */
static void
split_urls (const char *text,
            GPtrArray  *out)
{
  g_auto(GStrv) parts = g_strsplit_set (text, ",\r\n", -1);

  for (guint i = 0; parts[i]; i++)
    {
      char *url = trimmed (parts[i]);

      if (*url)
        g_ptr_array_add (out, url);
      else
        g_free (url);
    }
}

static GStrv
fields_to_strv (GPtrArray *fields)
{
  GStrv strv = g_new0 (char *, fields->len + 1);

  for (guint i = 0; i < fields->len; i++)
    strv[i] = g_strdup (g_ptr_array_index (fields, i));
  return strv;
}

static char *
first_invalid_utf8 (GPtrArray *fields)
{
  for (guint i = 0; i < fields->len; i++)
    {
      const char *text = g_ptr_array_index (fields, i);
      const char *end;

      if (!g_utf8_validate (text, -1, &end))
        return g_strdup_printf ("field %u is not UTF-8 text (byte 0x%02X at position %u); "
                                "save the file as UTF-8",
                                i + 1, (guchar) *end, (guint) (end - text) + 1);
    }
  return NULL;
}

static void
fill_item (VetterIntakeItem *item,
           VetterBatchKind   kind,
           GPtrArray        *fields,
           guint             n_header,
           const int         index[N_COLUMNS])
{
  g_autofree char *bad_text = first_invalid_utf8 (fields);

  if (bad_text)
    {
      item->error = g_strdup_printf ("line %u: %s", item->line, bad_text);
      return;
    }

  item->cells = fields_to_strv (fields);

  if (kind == VETTER_BATCH_KIND_PRODUCTS)
    {
      item->serial = trimmed (cell (fields, index[COL_SERIAL]));
      item->title = trimmed (cell (fields, index[COL_PRODUCT_NAME]));
      split_urls (cell (fields, index[COL_IMAGE_URLS]), item->sources);
      if (item->sources->len == 0)
        item->error = g_strdup_printf ("line %u: “Input Image Urls” is empty", item->line);
    }
  else
    {
      g_autofree char *image = trimmed (cell (fields, index[COL_IMAGE]));

      item->email = trimmed (cell (fields, index[COL_EMAIL]));
      item->title = trimmed (cell (fields, index[COL_TITLE]));
      item->description = g_strdup (cell (fields, index[COL_DESCRIPTION]));
      item->category = trimmed (cell (fields, index[COL_CATEGORY]));
      if (*image)
        g_ptr_array_add (item->sources, g_steal_pointer (&image));

      if (!vetter_intake_is_valid_email (item->email))
        item->error = *item->email
          ? g_strdup_printf ("line %u: “%s” is not a valid email address", item->line, item->email)
          : g_strdup_printf ("line %u: the email address is empty", item->line);
      else if (item->sources->len == 0)
        item->error = g_strdup_printf ("line %u: “image” is empty", item->line);
    }

  /* Checked last so the item still shows what the row seemed to say. */
  if (fields->len > n_header)
    {
      g_free (item->error);
      item->error = g_strdup_printf ("line %u: %u fields where the header has %u "
                                     "(is a field with commas missing its quotes?)",
                                     item->line, fields->len, n_header);
    }
}

static char *
sha256_of (const char *data,
           gsize       length)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, length);
}

/* UTF-8, NUL bytes aside: those are reported row by row, not taken for
 * another encoding. */
static gboolean
is_utf8 (const char *data,
         gsize       length)
{
  gsize start = 0;

  while (start < length)
    {
      const char *nul = memchr (data + start, '\0', length - start);
      gsize end = nul ? (gsize) (nul - data) : length;

      if (!g_utf8_validate_len (data + start, end - start, NULL))
        return FALSE;
      start = end + 1;
    }
  return TRUE;
}

/* UTF-16 without a byte order mark: one byte of each pair zero, in text
 * that is mostly ASCII (a header always is). Returns the encoding, or NULL. */
static const char *
sniff_utf16 (const char *data,
             gsize       length)
{
  gsize n = MIN (length, 512) & ~(gsize) 1;
  guint zero_even = 0, zero_odd = 0;

  if (n < 8)
    return NULL;
  for (gsize i = 0; i < n; i += 2)
    {
      zero_even += data[i] == '\0';
      zero_odd += data[i + 1] == '\0';
    }
  if (zero_odd * 10 >= n / 2 * 8 && zero_even == 0)
    return "UTF-16LE";
  if (zero_even * 10 >= n / 2 * 8 && zero_odd == 0)
    return "UTF-16BE";
  return NULL;
}

/* The file as UTF-8 text: UTF-8 itself (with or without a byte order
 * mark), UTF-16 (what spreadsheets call "Unicode text"), or, failing both,
 * the 8-bit encoding spreadsheets on Windows still write (Windows-1252,
 * else ISO-8859-1, which reads any byte). @encoding: (out): the encoding
 * read, NULL for UTF-8. */
static char *
text_of (const char  *display_name,
         const char  *data,
         gsize        length,
         gsize       *text_length,
         const char **encoding,
         GError     **error)
{
  static const char * const eight_bit[] = { "WINDOWS-1252", "ISO-8859-1" };
  g_autoptr(GError) local_error = NULL;
  const char *utf16 = NULL;
  gsize skip = 0;
  char *text;

  *encoding = NULL;
  if (length >= 2 && (guchar) data[0] == 0xFF && (guchar) data[1] == 0xFE)
    utf16 = "UTF-16LE", skip = 2;
  else if (length >= 2 && (guchar) data[0] == 0xFE && (guchar) data[1] == 0xFF)
    utf16 = "UTF-16BE", skip = 2;
  else if (!is_utf8 (data, length))
    utf16 = sniff_utf16 (data, length);

  if (utf16)
    {
      text = g_convert (data + skip, (gssize) (length - skip), "UTF-8", utf16, NULL, text_length, &local_error);
      if (text == NULL)
        {
          g_set_error (error, VETTER_ERROR, VETTER_ERROR_UNRECOGNISED,
                       "%s: the file looks like UTF-16 text but cannot be read as such (%s); "
                       "save it as \"CSV UTF-8\"", display_name, local_error->message);
          return NULL;
        }
      *encoding = "UTF-16";
      return text;
    }
  if (is_utf8 (data, length))
    {
      /* @data need not end in a NUL: the copy does. */
      text = g_malloc (length + 1);
      memcpy (text, data, length);
      text[length] = '\0';
      *text_length = length;
      return text;
    }
  for (guint i = 0; i < G_N_ELEMENTS (eight_bit); i++)
    {
      text = g_convert (data, (gssize) length, "UTF-8", eight_bit[i], NULL, text_length, NULL);
      if (text)
        {
          *encoding = i == 0 ? "Windows-1252" : "ISO-8859-1";
          return text;
        }
    }
  g_set_error (error, VETTER_ERROR, VETTER_ERROR_UNRECOGNISED,
               "%s: the file is in no text encoding Vetter knows; save it as \"CSV UTF-8\"", display_name);
  return NULL;
}

/* The next row of @batch's CSV as an item, or NULL at the end. */
static VetterIntakeItem *
next_row (VetterIntakeBatch *batch)
{
  VetterIntakeRows *rows = batch->rest;
  g_autoptr(GPtrArray) fields = NULL;
  g_autoptr(GError) local_error = NULL;
  VetterIntakeItem *item;
  guint line = 0;

  if (!vetter_csv_reader_next (rows->reader, &fields, &line, &local_error))
    return NULL;
  item = item_new ();
  item->row = ++rows->read;
  item->line = line;
  if (local_error)
    item->error = g_strdup (local_error->message);
  else
    fill_item (item, batch->kind, fields, rows->n_header, rows->index);
  return item;
}

/* A batch of the CSV @reader reads, its header read and recognised; its
 * rows are read by vetter_intake_batch_load(). Takes @reader and @text. */
static VetterIntakeBatch *
start_csv (const char       *display_name,
           VetterCsvReader  *reader,
           char             *text,
           const char       *encoding,
           GError          **error)
{
  g_autoptr(VetterIntakeBatch) batch = NULL;
  g_autoptr(GPtrArray) header = NULL;
  g_autoptr(GError) local_error = NULL;
  VetterIntakeRows *rows = g_new0 (VetterIntakeRows, 1);
  VetterBatchKind kind;
  guint line = 0;

  rows->reader = reader;
  rows->text = text;
  rows->name = g_strdup (display_name);
  if (!vetter_csv_reader_next (reader, &header, &line, &local_error) || header == NULL)
    {
      if (local_error)
        g_set_error (error, VETTER_ERROR, VETTER_ERROR_UNRECOGNISED,
                     "%s: %s", display_name, local_error->message);
      else if (vetter_csv_reader_get_read_error (reader))
        g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT, "%s: cannot be read: %s", display_name,
                     vetter_csv_reader_get_read_error (reader)->message);
      else
        g_set_error (error, VETTER_ERROR, VETTER_ERROR_UNRECOGNISED,
                     "%s: the file is empty (%s)", display_name, EXPECTED_COLUMNS);
      rows_free (rows);
      return NULL;
    }

  for (guint i = 0; i < header->len; i++)
    if (!g_utf8_validate (g_ptr_array_index (header, i), -1, NULL))
      {
        g_set_error (error, VETTER_ERROR, VETTER_ERROR_UNRECOGNISED,
                     "%s: the header is not UTF-8 text; save the file as UTF-8", display_name);
        rows_free (rows);
        return NULL;
      }

  if (!map_columns (display_name, header, rows->index, &kind, error))
    {
      rows_free (rows);
      return NULL;
    }
  rows->n_header = header->len;

  batch = batch_new (kind);
  batch->header = fields_to_strv (header);
  batch->encoding = g_strdup (encoding);
  batch->rest = rows;
  return g_steal_pointer (&batch);
}

gboolean
vetter_intake_batch_load (VetterIntakeBatch  *batch,
                          guint               from,
                          guint               to,
                          GError            **error)
{
  VetterIntakeRows *rows = batch->rest;
  const GError *read_error;
  VetterIntakeItem *item = NULL;

  if (rows == NULL)
    return TRUE;
  if (from < rows->read)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_FAILED,
                   "%s: rows from %u asked for again, after %u were read", rows->name, from + 1, rows->read);
      return FALSE;
    }
  g_ptr_array_set_size (batch->items, 0);
  /* Rows a run before this one added (it stopped while adding). */
  while (rows->read < from && (item = next_row (batch)) != NULL)
    vetter_intake_item_free (item);
  batch->first = rows->read;
  while (rows->read < to && (item = next_row (batch)) != NULL)
    g_ptr_array_add (batch->items, item);

  read_error = vetter_csv_reader_get_read_error (rows->reader);
  if (read_error)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT, "%s: cannot be read past row %u: %s", rows->name,
                   rows->read, read_error->message);
      return FALSE;
    }
  /* Fewer rows than counted: the file was cut short since. */
  if (rows->read < to && item == NULL)
    batch->total = rows->read;
  return TRUE;
}

VetterIntakeBatch *
vetter_intake_parse_csv (const char  *display_name,
                         const char  *raw,
                         gsize        raw_length,
                         GError     **error)
{
  g_autoptr(VetterIntakeBatch) batch = NULL;
  const char *encoding = NULL;
  gsize length = 0;
  char *text;

  text = text_of (display_name, raw, raw_length, &length, &encoding, error);
  if (text == NULL)
    return NULL;
  batch = start_csv (display_name, vetter_csv_reader_new (text, length), text, encoding, error);
  if (batch == NULL)
    return NULL;
  if (!vetter_intake_batch_load (batch, 0, G_MAXUINT, error))
    return NULL;
  batch->total = batch->items->len;
  g_clear_pointer (&batch->rest, rows_free);
  return g_steal_pointer (&batch);
}

/* What one pass over a CSV file finds before any row is read: its hash
 * (for the batch's key), whether it is UTF-8 throughout (NUL bytes aside,
 * reported row by row) and how many records it holds. */
typedef struct
{
  char    *sha256;
  gboolean utf8;
  guint64  records;
} FileSurvey;

#define SURVEY_CHUNK (1024 * 1024)

static gboolean
survey_file (GFile       *file,
             FileSurvey  *survey,
             GError     **error)
{
  g_autoptr(GFileInputStream) stream = g_file_read (file, NULL, error);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *buffer = NULL;
  VetterCsvCounter counter = { 0 };
  gsize carried = 0;   /* the start of a character cut by the last read */

  if (stream == NULL)
    return FALSE;
  buffer = g_malloc (SURVEY_CHUNK + 4);
  survey->utf8 = TRUE;
  for (;;)
    {
      gssize got = g_input_stream_read (G_INPUT_STREAM (stream), buffer + carried, SURVEY_CHUNK, NULL, error);
      const char *p = buffer, *end;

      if (got < 0)
        return FALSE;
      g_checksum_update (checksum, (const guchar *) buffer + carried, got);
      vetter_csv_counter_feed (&counter, buffer + carried, (gsize) got);
      end = buffer + carried + got;
      carried = 0;
      while (survey->utf8 && p < end)
        {
          const char *stop;

          if (g_utf8_validate_len (p, (gsize) (end - p), &stop))
            break;
          if (*stop == '\0')
            p = stop + 1;
          else if (got > 0 && end - stop < 4 &&
                   g_utf8_get_char_validated (stop, end - stop) == (gunichar) -2)
            {
              carried = (gsize) (end - stop);
              memmove (buffer, stop, carried);
              break;
            }
          else
            survey->utf8 = FALSE;
        }
      if (got == 0)
        break;
    }
  survey->sha256 = g_strdup (g_checksum_get_string (checksum));
  survey->records = vetter_csv_counter_finish (&counter);
  return TRUE;
}

/* UTF-8 files are read as they are added, a part at a time; other
 * encodings are converted whole first. */
static VetterIntakeBatch *
open_csv (const char  *path,
          GFile       *file,
          FileSurvey  *survey,
          GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  VetterIntakeBatch *batch;
  g_autofree char *contents = NULL;
  const char *encoding = NULL;
  VetterCsvCounter counter = { 0 };
  gsize length = 0;
  char *text;

  if (survey->utf8)
    {
      g_autoptr(GFileInputStream) stream = g_file_read (file, NULL, &local_error);

      if (stream == NULL)
        {
          g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT, "%s: cannot be read: %s", path,
                       local_error->message);
          return NULL;
        }
      batch = start_csv (path, vetter_csv_reader_new_for_stream (G_INPUT_STREAM (stream), 256 * 1024), NULL, NULL,
                         error);
      if (batch)
        batch->total = survey->records > 0 ? (guint) MIN (survey->records - 1, G_MAXUINT) : 0;
      return batch;
    }

  if (!g_file_load_contents (file, NULL, &contents, &length, NULL, &local_error))
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT, "%s: cannot be read: %s", path,
                   local_error->message);
      return NULL;
    }
  text = text_of (path, contents, length, &length, &encoding, error);
  if (text == NULL)
    return NULL;
  vetter_csv_counter_feed (&counter, text, length);
  batch = start_csv (path, vetter_csv_reader_new (text, length), text, encoding, error);
  if (batch)
    batch->total = (guint) MIN (vetter_csv_counter_finish (&counter) - 1, G_MAXUINT);
  return batch;
}

VetterIntakeBatch *
vetter_intake_read_csv (const char  *path,
                        GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *absolute = g_file_get_path (file);
  g_autofree char *basename = g_file_get_basename (file);
  g_autofree char *key_text = NULL;
  g_autoptr(GError) local_error = NULL;
  FileSurvey survey = { 0 };
  VetterIntakeBatch *batch;

  if (!survey_file (file, &survey, &local_error))
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT,
                   "%s: cannot be read: %s", path, local_error->message);
      return NULL;
    }
  batch = open_csv (path, file, &survey, error);
  if (batch == NULL)
    {
      g_free (survey.sha256);
      return NULL;
    }

  key_text = g_strdup_printf ("csv\n%s\n%s", absolute, survey.sha256);
  g_free (survey.sha256);
  batch->key = sha256_of (key_text, strlen (key_text));
  batch->base_dir = g_path_get_dirname (absolute);
  batch->source = g_steal_pointer (&absolute);
  if (g_str_has_suffix (basename, ".csv") || g_str_has_suffix (basename, ".CSV"))
    basename[strlen (basename) - 4] = '\0';
  batch->stem = g_steal_pointer (&basename);
  return batch;
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* A file's identity: what two names (a link, a folder reached twice) of
 * the same file share. */
static char *
identity_of (GFileInfo *info)
{
  return g_strdup_printf ("%" G_GUINT32_FORMAT ":%" G_GUINT64_FORMAT,
                          g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_DEVICE),
                          g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_UNIX_INODE));
}

#define WALK_ATTRIBUTES G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE "," \
                        G_FILE_ATTRIBUTE_UNIX_DEVICE "," G_FILE_ATTRIBUTE_UNIX_INODE

/* Found files are named as the user named the folder, joined with their
 * path inside it, so that summaries speak the user's words. Links are
 * followed, but every folder and file is taken once, by its identity:
 * a link to a parent folder is a loop, not more files. */
static gboolean
collect_folder (GFile      *top,
                const char *top_as_given,
                GFile      *folder,
                GHashTable *seen,
                GPtrArray  *out,
                GError    **error)
{
  g_autoptr(GFileEnumerator) children = NULL;
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);

  children = g_file_enumerate_children (folder, WALK_ATTRIBUTES, G_FILE_QUERY_INFO_NONE, NULL, error);
  if (children == NULL)
    return FALSE;

  for (;;)
    {
      GFileInfo *info = NULL;
      GFile *child = NULL;
      gboolean is_folder, is_image;
      char *identity;

      if (!g_file_enumerator_iterate (children, &info, &child, NULL, error))
        return FALSE;
      if (info == NULL)
        break;
      is_folder = g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY;
      is_image = !is_folder && vetter_intake_is_image_path (g_file_info_get_name (info));
      if (!is_folder && !is_image)
        continue;
      identity = identity_of (info);
      if (!g_hash_table_add (seen, identity))
        continue;
      if (is_folder)
        {
          if (!collect_folder (top, top_as_given, child, seen, found, error))
            return FALSE;
        }
      else
        {
          g_autofree char *relative = g_file_get_relative_path (top, child);

          g_ptr_array_add (found, g_build_filename (top_as_given, relative, NULL));
        }
    }

  g_ptr_array_sort (found, compare_paths);
  g_ptr_array_extend_and_steal (out, g_steal_pointer (&found));
  return TRUE;
}

VetterIntakeBatch *
vetter_intake_from_images (const char * const  *paths,
                           guint                n_paths,
                           GError             **error)
{
  g_autoptr(VetterIntakeBatch) batch = batch_new (VETTER_BATCH_KIND_IMAGES);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GString) key_text = g_string_new ("images\n");

  for (guint i = 0; i < n_paths; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_path (paths[i]);
      g_autoptr(GError) local_error = NULL;

      if (g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, NULL) == G_FILE_TYPE_DIRECTORY)
        {
          g_autoptr(GFileInfo) info = g_file_query_info (file, WALK_ATTRIBUTES, G_FILE_QUERY_INFO_NONE, NULL, NULL);

          if (info)
            g_hash_table_add (seen, identity_of (info));
          if (!collect_folder (file, paths[i], file, seen, files, &local_error))
            {
              g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT,
                           "%s: the folder cannot be read: %s", paths[i], local_error->message);
              return NULL;
            }
        }
      else
        g_ptr_array_add (files, g_strdup (paths[i]));
    }

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      VetterIntakeItem *item = item_new ();

      item->row = i + 1;
      item->title = g_path_get_basename (path);
      g_ptr_array_add (item->sources, g_strdup (path));
      g_ptr_array_add (batch->items, item);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autofree char *absolute = g_file_get_path (file);

      g_string_append_printf (key_text, "%s\n", absolute);
    }

  batch->total = batch->items->len;
  batch->key = sha256_of (key_text->str, key_text->len);
  batch->source = n_paths == 1 ? g_strdup (paths[0])
                               : g_strdup_printf ("%u images", files->len);
  batch->stem = g_strdup ("images");
  batch->base_dir = g_get_current_dir ();
  return g_steal_pointer (&batch);
}

typedef struct
{
  GPtrArray *paths;    /* char* */
  GPtrArray *batches;  /* VetterIntakeBatch* */
  GPtrArray *errors;   /* char* */
} FilesJob;

static void
files_job_free (FilesJob *job)
{
  g_clear_pointer (&job->paths, g_ptr_array_unref);
  g_clear_pointer (&job->batches, g_ptr_array_unref);
  g_clear_pointer (&job->errors, g_ptr_array_unref);
  g_free (job);
}

static void
intake_files_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  FilesJob *job = task_data;
  g_autoptr(GPtrArray) images = g_ptr_array_new ();

  for (guint i = 0; i < job->paths->len; i++)
    {
      const char *path = g_ptr_array_index (job->paths, i);
      g_autoptr(GError) error = NULL;
      GFileType type = g_file_test (path, G_FILE_TEST_IS_DIR) ? G_FILE_TYPE_DIRECTORY : G_FILE_TYPE_REGULAR;

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        g_ptr_array_add (job->errors, g_strdup_printf ("%s: no such file or folder", path));
      else if (type != G_FILE_TYPE_DIRECTORY && vetter_intake_is_csv_path (path))
        {
          VetterIntakeBatch *batch = vetter_intake_read_csv (path, &error);

          if (batch)
            g_ptr_array_add (job->batches, batch);
          else
            g_ptr_array_add (job->errors, g_strdup (error->message));
        }
      else if (type == G_FILE_TYPE_DIRECTORY || vetter_intake_is_image_path (path))
        g_ptr_array_add (images, (gpointer) path);
      else
        g_ptr_array_add (job->errors,
                         g_strdup_printf ("%s: not an image or a CSV file (Vetter takes JPEG, PNG, WebP, GIF, TIFF, BMP and CSV)",
                                          path));
    }

  if (images->len > 0)
    {
      g_autoptr(GError) error = NULL;
      VetterIntakeBatch *batch = vetter_intake_from_images ((const char * const *) images->pdata, images->len, &error);

      if (batch == NULL)
        g_ptr_array_add (job->errors, g_strdup (error->message));
      else if (batch->items->len == 0)
        {
          g_ptr_array_add (job->errors, g_strdup_printf ("%s: no images in it", (const char *) images->pdata[0]));
          vetter_intake_batch_free (batch);
        }
      else
        g_ptr_array_add (job->batches, batch);
    }

  g_task_return_boolean (task, TRUE);
}

void
vetter_intake_files_async (GFile               **files,
                           guint                 n_files,
                           GCancellable         *cancellable,
                           GAsyncReadyCallback   callback,
                           gpointer              user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  FilesJob *job = g_new0 (FilesJob, 1);

  job->paths = g_ptr_array_new_with_free_func (g_free);
  job->batches = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_intake_batch_free);
  job->errors = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < n_files; i++)
    {
      char *path = g_file_get_path (files[i]);

      if (path)
        g_ptr_array_add (job->paths, path);
      else
        {
          g_autofree char *uri = g_file_get_uri (files[i]);
          g_ptr_array_add (job->errors, g_strdup_printf ("%s: only local files can be added", uri));
        }
    }
  g_task_set_source_tag (task, vetter_intake_files_async);
  g_task_set_task_data (task, job, (GDestroyNotify) files_job_free);
  g_task_run_in_thread (task, intake_files_thread);
}

GPtrArray *
vetter_intake_files_finish (GAsyncResult  *result,
                            GPtrArray    **errors,
                            GError       **error)
{
  FilesJob *job;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  job = g_task_get_task_data (G_TASK (result));
  if (errors)
    *errors = g_ptr_array_ref (job->errors);
  return g_ptr_array_ref (job->batches);
}
