/* test-csv.c: the RFC 4180 reader and writer, and the header recogniser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <unistd.h>

#include <glib/gstdio.h>
#include <string.h>

#include "vetter-csv.h"
#include "vetter-error.h"
#include "vetter-intake.h"
#include "vetter-test-util.h"

/* Reads all records of @text; each record joined with '|', records with
 * '\n'. @buffer_size: read as a stream through a buffer that small, or 0
 * for the text in memory. */
static char *
read_all_through (const char *text,
                  gsize       length,
                  GString    *lines,
                  gsize       buffer_size)
{
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (text, (gssize) length, NULL);
  g_autoptr(VetterCsvReader) reader = buffer_size ? vetter_csv_reader_new_for_stream (stream, buffer_size)
                                                  : vetter_csv_reader_new (text, length);
  GString *out = g_string_new (NULL);

  for (;;)
    {
      g_autoptr(GPtrArray) fields = NULL;
      g_autoptr(GError) error = NULL;
      guint line = 0;

      if (!vetter_csv_reader_next (reader, &fields, &line, &error))
        break;
      if (lines)
        g_string_append_printf (lines, "%u;", line);
      if (error)
        {
          g_string_append_printf (out, "ERROR(%s)\n", error->message);
          continue;
        }
      for (guint i = 0; i < fields->len; i++)
        g_string_append_printf (out, "%s%s", i ? "|" : "", (const char *) g_ptr_array_index (fields, i));
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

/* How many records the counter finds in @text, fed @piece bytes at a time. */
static guint64
count_in_pieces (const char *text,
                 gsize       length,
                 gsize       piece)
{
  VetterCsvCounter counter = { 0 };

  for (gsize at = 0; at < length; at += piece)
    vetter_csv_counter_feed (&counter, text + at, MIN (piece, length - at));
  return vetter_csv_counter_finish (&counter);
}

/* Reads @text in memory, and as a stream through buffers of a few sizes
 * (records and line numbers cut at every place), and counts it in pieces:
 * all must agree. */
static char *
read_all (const char *text,
          gsize       length,
          GString    *lines)
{
  static const gsize buffer_sizes[] = { 4, 5, 7, 64 };
  g_autoptr(GString) memory_lines = g_string_new (NULL);
  char *got = read_all_through (text, length, memory_lines, 0);
  guint64 records = 0;

  for (const char *p = memory_lines->str; *p; p++)
    records += *p == ';';
  for (guint i = 0; i < G_N_ELEMENTS (buffer_sizes); i++)
    {
      g_autoptr(GString) stream_lines = g_string_new (NULL);
      g_autofree char *streamed = read_all_through (text, length, stream_lines, buffer_sizes[i]);

      g_assert_cmpstr (streamed, ==, got);
      g_assert_cmpstr (stream_lines->str, ==, memory_lines->str);
      g_assert_cmpuint (count_in_pieces (text, length, buffer_sizes[i] - 3), ==, records);
    }
  g_assert_cmpuint (count_in_pieces (text, length, MAX (length, 1)), ==, records);
  if (lines)
    g_string_append (lines, memory_lines->str);
  return got;
}

static void
check (const char *input,
       const char *expected)
{
  g_autofree char *got = read_all (input, strlen (input), NULL);

  g_assert_cmpstr (got, ==, expected);
}

static void
test_plain (void)
{
  check ("a,b,c\n1,2,3\n", "a|b|c\n1|2|3\n");
  check ("a,b,c", "a|b|c\n");
  check ("a,,c\n,,\n", "a||c\n||\n");
}

static void
test_quoting (void)
{
  check ("\"a,b\",c\n", "a,b|c\n");
  check ("\"say \"\"hi\"\"\",x\n", "say \"hi\"|x\n");
  check ("\"line one\nline two\",x\n", "line one\nline two|x\n");
  check ("\"\",x\n", "|x\n");
  check ("\"http://a/1.jpg, http://a/2.jpg\",last\n", "http://a/1.jpg, http://a/2.jpg|last\n");
}

static void
test_line_endings_and_bom (void)
{
  check ("a,b\r\n1,2\r\n", "a|b\n1|2\n");
  check ("\xEF\xBB\xBF" "a,b\n1,2", "a|b\n1|2\n");
  check ("a,b\r1,2\r", "a|b\n1|2\n");
  check ("\"x\r\ny\",z\r\n", "x\r\ny|z\n");
}

static void
test_empty_lines_and_ragged_rows (void)
{
  g_autoptr(GString) lines = g_string_new (NULL);
  g_autofree char *got = NULL;
  const char *input = "a,b,c\n\n1,2\n\r\n1,2,3,4\n";

  got = read_all (input, strlen (input), lines);
  g_assert_cmpstr (got, ==, "a|b|c\n1|2\n1|2|3|4\n");
  /* Each record says the line it starts on, blank lines counted. */
  g_assert_cmpstr (lines->str, ==, "1;3;5;");
}

static void
test_line_numbers_across_quoted_newlines (void)
{
  g_autoptr(GString) lines = g_string_new (NULL);
  g_autofree char *got = NULL;
  const char *input = "h1,h2\n\"multi\nline\nfield\",x\nnext,y\n";

  got = read_all (input, strlen (input), lines);
  g_assert_cmpstr (lines->str, ==, "1;2;5;");
}

static void
test_unclosed_quote (void)
{
  check ("a,b\n\"never closed,x\n", "a|b\nERROR(line 2: a quoted field is never closed)\n");
}

static void
test_huge_field (void)
{
  gsize n = 4 * 1024 * 1024;
  g_autoptr(GString) input = g_string_new ("h\n\"");
  g_autofree char *got = NULL;

  for (gsize i = 0; i < n; i++)
    g_string_append_c (input, i % 1000 == 999 ? ',' : 'x');
  g_string_append (input, "\"\nend\n");
  got = read_all (input->str, input->len, NULL);
  g_assert_cmpuint (strlen (got), ==, 2 + n + 1 + 4);
  g_assert_true (g_str_has_suffix (got, "\nend\n"));
}

static void
test_writer_round_trip (void)
{
  const char *fields[] = { "plain", "with,comma", "with \"quote\"", "two\nlines", "", " lead" };
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(VetterCsvReader) reader = NULL;
  g_autoptr(GPtrArray) back = NULL;
  g_autoptr(GError) error = NULL;
  guint line;

  vetter_csv_append_row (out, fields, G_N_ELEMENTS (fields));
  g_assert_cmpstr (out->str, ==, "plain,\"with,comma\",\"with \"\"quote\"\"\",\"two\nlines\",,\" lead\"\r\n");
  reader = vetter_csv_reader_new (out->str, out->len);
  g_assert_true (vetter_csv_reader_next (reader, &back, &line, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (back->len, ==, G_N_ELEMENTS (fields));
  for (guint i = 0; i < back->len; i++)
    g_assert_cmpstr (g_ptr_array_index (back, i), ==, fields[i]);
}

/* A first field that begins with a byte order mark (a header cell from a
 * file whose mark came after blank lines) is quoted, or it would read
 * back as the written file's own mark and be dropped. */
static void
test_writer_keeps_leading_mark (void)
{
  const char *fields[] = { "\xEF\xBB\xBF" "Email Address", "Title" };
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(VetterCsvReader) reader = NULL;
  g_autoptr(GPtrArray) back = NULL;
  g_autoptr(GError) error = NULL;
  guint line;

  vetter_csv_append_row (out, fields, G_N_ELEMENTS (fields));
  g_assert_true (g_str_has_prefix (out->str, "\""));
  reader = vetter_csv_reader_new (out->str, out->len);
  g_assert_true (vetter_csv_reader_next (reader, &back, &line, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (g_ptr_array_index (back, 0), ==, fields[0]);
}

/* ---- Header recognition --------------------------------------------------- */

static VetterIntakeBatch *
parse (const char  *text,
       GError     **error)
{
  return vetter_intake_parse_csv ("test.csv", text, strlen (text), error);
}

static void
test_normalise_header (void)
{
  g_autofree char *a = vetter_intake_normalise_header ("S. No.");
  g_autofree char *b = vetter_intake_normalise_header ("  Input_Image-URLS ");
  g_autofree char *c = vetter_intake_normalise_header ("E-Mail Address");

  g_assert_cmpstr (a, ==, "sno");
  g_assert_cmpstr (b, ==, "inputimageurls");
  g_assert_cmpstr (c, ==, "emailaddress");
}

static void
test_products (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterIntakeBatch) batch =
    parse ("s_no,PRODUCT name,Input Image Urls\r\n"
           "1,SKU1,\"https://a/1.jpg, https://a/2.jpg,https://a/3.jpg\"\r\n"
           "2,SKU2,https://a/4.jpg\r\n", &error);
  VetterIntakeItem *item;

  g_assert_no_error (error);
  g_assert_cmpint (batch->kind, ==, VETTER_BATCH_KIND_PRODUCTS);
  g_assert_cmpuint (batch->items->len, ==, 2);
  item = g_ptr_array_index (batch->items, 0);
  g_assert_null (item->error);
  g_assert_cmpstr (item->serial, ==, "1");
  g_assert_cmpstr (item->title, ==, "SKU1");
  g_assert_cmpuint (item->sources->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (item->sources, 1), ==, "https://a/2.jpg");
  g_assert_cmpuint (item->line, ==, 2);
  g_assert_cmpstr (batch->header[0], ==, "s_no");
}

static void
test_ads (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterIntakeBatch) batch =
    parse ("Email,Image,Title,Category\n"
           "ann@example.com,cars/red.jpg,Red car,cars\n"
           "not-an-address,cars/blue.jpg,Blue car,cars\n"
           "bob@example.org,,Nothing,cars\n"
           "carl@example.net,x.jpg,Too,many,fields,here\n", &error);
  VetterIntakeItem *item;

  g_assert_no_error (error);
  g_assert_cmpint (batch->kind, ==, VETTER_BATCH_KIND_ADS);
  g_assert_cmpuint (batch->items->len, ==, 4);

  item = g_ptr_array_index (batch->items, 0);
  g_assert_null (item->error);
  g_assert_cmpstr (item->email, ==, "ann@example.com");
  g_assert_cmpstr (item->title, ==, "Red car");
  g_assert_cmpstr (item->category, ==, "cars");

  item = g_ptr_array_index (batch->items, 1);
  g_assert_cmpstr (item->error, ==, "line 3: “not-an-address” is not a valid email address");
  item = g_ptr_array_index (batch->items, 2);
  g_assert_cmpstr (item->error, ==, "line 4: “image” is empty");
  item = g_ptr_array_index (batch->items, 3);
  g_assert_nonnull (strstr (item->error, "line 5: 6 fields where the header has 4"));
}

static void
test_missing_column (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterIntakeBatch) batch = parse ("S. No.,Product Name\n1,x\n", &error);

  g_assert_null (batch);
  g_assert_error (error, VETTER_ERROR, VETTER_ERROR_UNRECOGNISED);
  g_assert_nonnull (strstr (error->message, "the column “Input Image Urls” is missing"));
  g_assert_nonnull (strstr (error->message, "found “S. No.”, “Product Name”"));
}

static void
test_unrecognised (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterIntakeBatch) batch = parse ("name,price\nshoe,10\n", &error);

  g_assert_null (batch);
  g_assert_error (error, VETTER_ERROR, VETTER_ERROR_UNRECOGNISED);
  g_assert_nonnull (strstr (error->message, "“S. No.”, “Product Name” and “Input Image Urls”"));
  g_assert_nonnull (strstr (error->message, "“email” and “image”"));
}

static void
test_empty_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterIntakeBatch) batch = parse ("", &error);

  g_assert_null (batch);
  g_assert_error (error, VETTER_ERROR, VETTER_ERROR_UNRECOGNISED);
  g_assert_nonnull (strstr (error->message, "the file is empty"));
}

/* A CSV as spreadsheets on Windows still write it (Windows-1252): every
 * row read right, accents and all, and the encoding named. */
static void
test_windows_1252 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterIntakeBatch) batch =
    parse ("email,image,title\na@b.co,1.jpg,ok\nc@d.co,2.jpg,caf\xE9 cr\xE8me \x80 5\ne@f.co,3.jpg,fine\n", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (batch->encoding, ==, "Windows-1252");
  g_assert_cmpuint (batch->items->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_null (((VetterIntakeItem *) g_ptr_array_index (batch->items, i))->error);
  g_assert_cmpstr (((VetterIntakeItem *) g_ptr_array_index (batch->items, 1))->title, ==, "café crème € 5");
}

static GByteArray *
utf16 (const char *text,
       gboolean    big_endian,
       gboolean    with_bom)
{
  GByteArray *out = g_byte_array_new ();
  g_autofree gunichar2 *units = g_utf8_to_utf16 (text, -1, NULL, NULL, NULL);

  if (with_bom)
    g_byte_array_append (out, (const guint8 *) (big_endian ? "\xFE\xFF" : "\xFF\xFE"), 2);
  for (gunichar2 *u = units; *u; u++)
    {
      guint8 pair[2] = { big_endian ? *u >> 8 : *u & 0xff, big_endian ? *u & 0xff : *u >> 8 };

      g_byte_array_append (out, pair, 2);
    }
  return out;
}

/* "Unicode text", as spreadsheets call UTF-16, with or without its byte
 * order mark, either byte order: read whole. */
static void
test_utf16 (void)
{
  const char *text = "email,image,title\r\nzoë@example.com,ä.jpg,Größe 42\r\nb@example.com,b.jpg,Ünïcödé\r\n";
  const gboolean cases[][2] = { { FALSE, TRUE }, { TRUE, TRUE }, { FALSE, FALSE } };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GByteArray) bytes = utf16 (text, cases[i][0], cases[i][1]);
      g_autoptr(GError) error = NULL;
      g_autoptr(VetterIntakeBatch) batch = vetter_intake_parse_csv ("u.csv", (const char *) bytes->data, bytes->len, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (batch->encoding, ==, "UTF-16");
      g_assert_cmpuint (batch->items->len, ==, 2);
      g_assert_cmpstr (((VetterIntakeItem *) g_ptr_array_index (batch->items, 0))->title, ==, "Größe 42");
      g_assert_cmpstr (((VetterIntakeItem *) g_ptr_array_index (batch->items, 1))->title, ==, "Ünïcödé");
      g_assert_null (((VetterIntakeItem *) g_ptr_array_index (batch->items, 0))->error);
    }
}

/* A NUL byte in a cell would cut it short in silence: its row fails,
 * saying where; the rows around it stand. */
static void
test_nul_byte (void)
{
  const char data[] = "email,image,title\na@b.co,1.jpg,ok\nc@d.co,2.jpg,cut\0here\ne@f.co,3.jpg,fine\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterIntakeBatch) batch = vetter_intake_parse_csv ("nul.csv", data, sizeof data - 1, &error);
  VetterIntakeItem *bad;

  g_assert_no_error (error);
  g_assert_null (batch->encoding);
  g_assert_cmpuint (batch->items->len, ==, 3);
  bad = g_ptr_array_index (batch->items, 1);
  g_assert_nonnull (bad->error);
  g_assert_nonnull (strstr (bad->error, "line 3: field 3 holds a NUL byte"));
  g_assert_null (((VetterIntakeItem *) g_ptr_array_index (batch->items, 0))->error);
  g_assert_null (((VetterIntakeItem *) g_ptr_array_index (batch->items, 2))->error);
}

static void
test_resolve (void)
{
  g_autofree char *a = vetter_intake_resolve ("/data/csv", "img/1.jpg");
  g_autofree char *b = vetter_intake_resolve ("/data/csv", "/abs/2.jpg");
  g_autofree char *c = vetter_intake_resolve ("/data/csv", "https://x.test/3.jpg");
  g_autofree char *d = vetter_intake_resolve ("/data/csv", "file:///srv/4%20b.jpg");
  g_autofree char *e = vetter_intake_resolve ("/data/csv", "ftp://x.test/5.jpg");

  g_assert_cmpstr (a, ==, "/data/csv/img/1.jpg");
  g_assert_cmpstr (b, ==, "/abs/2.jpg");
  g_assert_cmpstr (c, ==, "https://x.test/3.jpg");
  g_assert_cmpstr (d, ==, "/srv/4 b.jpg");
  g_assert_cmpstr (e, ==, "ftp://x.test/5.jpg");
}

static void
test_email_validation (void)
{
  g_assert_true (vetter_intake_is_valid_email ("a@b.co"));
  g_assert_true (vetter_intake_is_valid_email ("first.last+tag@sub.example.org"));
  g_assert_false (vetter_intake_is_valid_email ("a@b"));
  g_assert_false (vetter_intake_is_valid_email ("@b.co"));
  g_assert_false (vetter_intake_is_valid_email ("a b@c.de"));
  g_assert_false (vetter_intake_is_valid_email ("a@@b.co"));
  g_assert_false (vetter_intake_is_valid_email ("a@b."));
  g_assert_false (vetter_intake_is_valid_email (""));
}

static void
on_files_read (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* What a drop does first: each file read off the UI thread, the bad ones
 * named with their reason, the rest made into batches. */
static void
test_intake_files (void)
{
  g_autofree char *dir = g_dir_make_tmp ("vetter-intake-XXXXXX", NULL);
  const char *names[] = { "good.csv", "bad.csv", "notes.txt", "photo.jpg", "missing.png" };
  const char *contents[] = { "email,image\na@b.co,x.jpg\n", "name,price\n", "hi", "not really a jpeg", NULL };
  GFile *files[G_N_ELEMENTS (names)];
  GAsyncResult *result = NULL;
  g_autoptr(GPtrArray) batches = NULL;
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      if (contents[i])
        g_assert_true (g_file_set_contents (path, contents[i], -1, NULL));
      files[i] = g_file_new_for_path (path);
    }

  vetter_intake_files_async (files, G_N_ELEMENTS (names), NULL, on_files_read, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  batches = vetter_intake_files_finish (result, &errors, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (batches->len, ==, 2);
  g_assert_cmpint (((VetterIntakeBatch *) batches->pdata[0])->kind, ==, VETTER_BATCH_KIND_ADS);
  g_assert_cmpint (((VetterIntakeBatch *) batches->pdata[1])->kind, ==, VETTER_BATCH_KIND_IMAGES);
  g_assert_cmpuint (errors->len, ==, 3);
  g_assert_nonnull (strstr (errors->pdata[0], "bad.csv: the header is not one Vetter recognises"));
  g_assert_nonnull (strstr (errors->pdata[1], "notes.txt: not an image or a CSV file"));
  g_assert_nonnull (strstr (errors->pdata[2], "missing.png: no such file or folder"));

  g_object_unref (result);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_file_get_path (files[i]);
      g_remove (path);
      g_object_unref (files[i]);
    }
  g_rmdir (dir);
}

/* A folder of five images with links back to itself: one link to the
 * parent makes a loop, two make it branch; each image is taken once, and
 * the walk ends. A second link to the same image is the same image. */
static void
test_folder_links_taken_once (void)
{
  g_autofree char *dir = g_dir_make_tmp ("vetter-links-XXXXXX", NULL);
  g_autofree char *sub = g_build_filename (dir, "more", NULL);
  g_autofree char *up = g_build_filename (sub, "up", NULL);
  g_autofree char *up_again = g_build_filename (sub, "up-again", NULL);
  g_autofree char *alias = g_build_filename (dir, "alias.jpg", NULL);
  const char *paths[1] = { dir };
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterIntakeBatch) batch = NULL;

  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s/photo-%u.jpg", i < 3 ? dir : sub, i);

      g_assert_true (g_file_set_contents (name, "jpeg", -1, NULL));
    }
  g_assert_cmpint (symlink ("..", up), ==, 0);
  g_assert_cmpint (symlink ("..", up_again), ==, 0);
  g_assert_cmpint (symlink ("photo-0.jpg", alias), ==, 0);

  batch = vetter_intake_from_images (paths, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (batch->items->len, ==, 5);

  test_remove_tree (dir);
}

/* A CSV file is read a part at a time: its rows counted first, then
 * loaded as asked, forward only; a character cut between two of the
 * survey's reads is still UTF-8; a file in another encoding is converted
 * whole and given in parts the same way. */
static void
test_read_in_parts (void)
{
  g_autofree char *dir = g_dir_make_tmp ("vetter-parts-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "big.csv", NULL);
  g_autofree char *path16 = g_build_filename (dir, "small16.csv", NULL);
  g_autoptr(GString) text = g_string_new ("\xEF\xBB\xBF" "email,image,title\r\n\r\n");
  g_autoptr(VetterIntakeBatch) batch = NULL;
  g_autoptr(VetterIntakeBatch) again = NULL;
  g_autoptr(VetterIntakeBatch) batch16 = NULL;
  g_autoptr(GByteArray) bytes = NULL;
  g_autoptr(GError) error = NULL;
  const guint n = 60000;
  guint filler = 0;
  VetterIntakeItem *item;

  /* A three-byte character across the survey's first megabyte, a quoted
   * line break, a bad row and a blank line among them. */
  while (text->len < 1024 * 1024 - 64)
    g_string_append (text, "filler@example.com,f.jpg,x\r\n"), filler++;
  g_string_append (text, "filler@example.com,f.jpg,");
  while (text->len < 1024 * 1024 - 1)
    g_string_append_c (text, 'y');
  g_string_append (text, "\xE2\x82\xAC\r\n");
  filler++;
  for (guint i = filler; i < n; i++)
    {
      if (i == 40000)
        g_string_append (text, "m@example.com,m.jpg,\"two\nlines\"\r\n\r\n");
      else if (i == 50000)
        g_string_append (text, "not an address,b.jpg,bad\r\n");
      else
        g_string_append_printf (text, "ad%u@example.com,%u.jpg,Ad %u\r\n", i, i, i);
    }
  g_assert_true (g_file_set_contents (path, text->str, (gssize) text->len, NULL));

  batch = vetter_intake_read_csv (path, &error);
  g_assert_no_error (error);
  g_assert_null (batch->encoding);
  g_assert_cmpuint (batch->total, ==, n);
  g_assert_cmpuint (batch->items->len, ==, 0);

  g_assert_true (vetter_intake_batch_load (batch, 0, 5000, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (batch->first, ==, 0);
  g_assert_cmpuint (batch->items->len, ==, 5000);
  item = g_ptr_array_index (batch->items, 0);
  g_assert_cmpuint (item->row, ==, 1);
  g_assert_cmpuint (item->line, ==, 3);
  g_assert_null (item->error);

  /* Rows skipped (a run before added them), then read on. */
  g_assert_true (vetter_intake_batch_load (batch, 39999, 50001, &error));
  g_assert_cmpuint (batch->first, ==, 39999);
  g_assert_cmpuint (batch->items->len, ==, 10002);
  item = g_ptr_array_index (batch->items, 1);
  g_assert_cmpuint (item->row, ==, 40001);
  g_assert_cmpstr (item->title, ==, "two\nlines");
  g_assert_null (item->error);
  g_assert_cmpuint (((VetterIntakeItem *) g_ptr_array_index (batch->items, 2))->line, ==, item->line + 3);
  item = g_ptr_array_index (batch->items, 10001);
  g_assert_cmpuint (item->row, ==, 50001);
  g_assert_nonnull (strstr (item->error, "is not a valid email address"));
  g_assert_nonnull (strstr (item->error, "line "));

  /* Forward only. */
  g_assert_false (vetter_intake_batch_load (batch, 100, 200, &error));
  g_assert_error (error, VETTER_ERROR, VETTER_ERROR_FAILED);
  g_clear_error (&error);

  g_assert_true (vetter_intake_batch_load (batch, 50001, G_MAXUINT, &error));
  g_assert_cmpuint (batch->items->len, ==, n - 50001);
  item = g_ptr_array_index (batch->items, batch->items->len - 1);
  g_assert_cmpuint (item->row, ==, n);
  g_assert_cmpstr (item->title, ==, "Ad 59999");
  g_assert_cmpuint (batch->total, ==, n);

  /* The same file is the same batch. */
  again = vetter_intake_read_csv (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again->key, ==, batch->key);

  bytes = utf16 ("email,image,title\r\nzoë@example.com,ä.jpg,Größe 42\r\nb@example.com,b.jpg,Ünïcödé\r\n", TRUE, TRUE);
  g_assert_true (g_file_set_contents (path16, (const char *) bytes->data, bytes->len, NULL));
  batch16 = vetter_intake_read_csv (path16, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (batch16->encoding, ==, "UTF-16");
  g_assert_cmpuint (batch16->total, ==, 2);
  g_assert_true (vetter_intake_batch_load (batch16, 1, 2, &error));
  g_assert_cmpuint (batch16->items->len, ==, 1);
  g_assert_cmpstr (((VetterIntakeItem *) g_ptr_array_index (batch16->items, 0))->title, ==, "Ünïcödé");

  test_remove_tree (dir);
}

/* A file cut short after it was counted (written over while it was being
 * added): the batch ends where the file now ends, its total lowered to
 * the rows there are, not waiting for rows that will never come. */
static void
test_file_cut_short_while_read (void)
{
  g_autofree char *dir = g_dir_make_tmp ("vetter-cut-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "cut.csv", NULL);
  g_autoptr(GString) text = g_string_new ("email,image,title\n");
  g_autoptr(VetterIntakeBatch) batch = NULL;
  g_autoptr(GError) error = NULL;
  gsize half;

  for (guint i = 0; i < 20000; i++)
    g_string_append_printf (text, "ad%u@example.com,%u.jpg,Ad %u\n", i, i, i);
  g_assert_true (g_file_set_contents (path, text->str, (gssize) text->len, NULL));
  batch = vetter_intake_read_csv (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (batch->total, ==, 20000);
  g_assert_true (vetter_intake_batch_load (batch, 0, 1000, &error));

  half = text->len / 2;
  g_assert_cmpint (truncate (path, (off_t) half), ==, 0);
  g_assert_true (vetter_intake_batch_load (batch, 1000, G_MAXUINT, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (batch->total, <, 20000);
  g_assert_cmpuint (batch->total, ==, batch->first + batch->items->len);
  g_assert_cmpuint (batch->total, >, 5000);
  test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/csv/plain", test_plain);
  g_test_add_func ("/csv/quoting", test_quoting);
  g_test_add_func ("/csv/line-endings-and-bom", test_line_endings_and_bom);
  g_test_add_func ("/csv/empty-lines-and-ragged-rows", test_empty_lines_and_ragged_rows);
  g_test_add_func ("/csv/line-numbers-across-quoted-newlines", test_line_numbers_across_quoted_newlines);
  g_test_add_func ("/csv/unclosed-quote", test_unclosed_quote);
  g_test_add_func ("/csv/writer-keeps-leading-mark", test_writer_keeps_leading_mark);
  g_test_add_func ("/csv/huge-field", test_huge_field);
  g_test_add_func ("/csv/writer-round-trip", test_writer_round_trip);
  g_test_add_func ("/intake/normalise-header", test_normalise_header);
  g_test_add_func ("/intake/products", test_products);
  g_test_add_func ("/intake/ads", test_ads);
  g_test_add_func ("/intake/missing-column", test_missing_column);
  g_test_add_func ("/intake/unrecognised", test_unrecognised);
  g_test_add_func ("/intake/empty-file", test_empty_file);
  g_test_add_func ("/intake/windows-1252", test_windows_1252);
  g_test_add_func ("/intake/utf16", test_utf16);
  g_test_add_func ("/intake/nul-byte", test_nul_byte);
  g_test_add_func ("/intake/read-in-parts", test_read_in_parts);
  g_test_add_func ("/intake/file-cut-short-while-read", test_file_cut_short_while_read);
  g_test_add_func ("/intake/resolve", test_resolve);
  g_test_add_func ("/intake/email-validation", test_email_validation);
  g_test_add_func ("/intake/files", test_intake_files);
  g_test_add_func ("/intake/folder-links-taken-once", test_folder_links_taken_once);

  return g_test_run ();
}
