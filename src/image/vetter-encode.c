/* vetter-encode.c: pixels to JPEG files
 *
 * Baseline, 4:2:0, the default DCT, straight from the rows: progressive or
 * optimised Huffman coding costs two to four times the time for a few per
 * cent of size. The file appears under its name only when complete (written
 * beside it, then renamed), so a crash never leaves half a variant that a
 * resumed run would take for a finished one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-encode"

#include "config.h"

#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>

#include "vetter-encode.h"
#include "vetter-error.h"
#include "vetter-whole-file.h"

typedef struct
{
  struct jpeg_error_mgr pub;
  jmp_buf               escape;
  char                  message[JMSG_LENGTH_MAX];
} EncodeErrorManager;

static void
encode_error_exit (j_common_ptr cinfo)
{
  EncodeErrorManager *err = (EncodeErrorManager *) cinfo->err;

  cinfo->err->format_message (cinfo, err->message);
  longjmp (err->escape, 1);
}

struct _VetterJpegWriter
{
  struct jpeg_compress_struct cinfo;
  EncodeErrorManager          err;
  char                       *path;
  VetterWholeFile            *file;
};

static void
writer_fail (VetterJpegWriter  *writer,
             GError           **error)
{
  g_set_error (error, VETTER_ERROR, VETTER_ERROR_FAILED, "cannot encode %s: %s", writer->path, writer->err.message);
}

VetterJpegWriter *
vetter_jpeg_writer_new (const char  *path,
                        int          width,
                        int          height,
                        int          quality,
                        GError     **error)
{
  VetterJpegWriter *writer = g_new0 (VetterJpegWriter, 1);

  writer->path = g_strdup (path);
  writer->file = vetter_whole_file_open (path, error);
  if (writer->file == NULL)
    {
      g_free (writer->path);
      g_free (writer);
      return NULL;
    }

  writer->cinfo.err = jpeg_std_error (&writer->err.pub);
  writer->err.pub.error_exit = encode_error_exit;
  if (setjmp (writer->err.escape))
    {
      writer_fail (writer, error);
      vetter_jpeg_writer_abort (writer);
      return NULL;
    }
  jpeg_create_compress (&writer->cinfo);
  jpeg_stdio_dest (&writer->cinfo, vetter_whole_file_get_stream (writer->file));
  writer->cinfo.image_width = (JDIMENSION) width;
  writer->cinfo.image_height = (JDIMENSION) height;
  writer->cinfo.input_components = 3;
  writer->cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults (&writer->cinfo);
  jpeg_set_quality (&writer->cinfo, CLAMP (quality, 1, 100), TRUE);
  writer->cinfo.dct_method = JDCT_ISLOW;
  jpeg_start_compress (&writer->cinfo, TRUE);
  return writer;
}

gboolean
vetter_jpeg_writer_write_row (VetterJpegWriter  *writer,
                              const guint8      *rgb,
                              GError           **error)
{
  JSAMPROW row = (JSAMPROW) rgb;

  /* Each call that may fail in libjpeg sets its own way back. */
  if (setjmp (writer->err.escape))
    {
      writer_fail (writer, error);
      return FALSE;
    }
  jpeg_write_scanlines (&writer->cinfo, &row, 1);
  return TRUE;
}

void
vetter_jpeg_writer_abort (VetterJpegWriter *writer)
{
  if (writer == NULL)
    return;
  jpeg_destroy_compress (&writer->cinfo);
  vetter_whole_file_abort (writer->file);
  g_free (writer->path);
  g_free (writer);
}

gboolean
vetter_jpeg_writer_finish (VetterJpegWriter  *writer,
                           gint64            *bytes_written,
                           GError           **error)
{
  gboolean ok;
  long size;

  if (writer->cinfo.next_scanline < writer->cinfo.image_height)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_FAILED, "cannot encode %s: %u of %u rows given", writer->path,
                   writer->cinfo.next_scanline, writer->cinfo.image_height);
      vetter_jpeg_writer_abort (writer);
      return FALSE;
    }
  if (setjmp (writer->err.escape))
    {
      writer_fail (writer, error);
      vetter_jpeg_writer_abort (writer);
      return FALSE;
    }
  jpeg_finish_compress (&writer->cinfo);

  size = ftell (vetter_whole_file_get_stream (writer->file));
  /* Variants can be made again: not worth a sync each. */
  ok = vetter_whole_file_commit (g_steal_pointer (&writer->file), FALSE, error);
  if (ok && bytes_written)
    *bytes_written = size;
  vetter_jpeg_writer_abort (writer);
  return ok;
}

gboolean
vetter_encode_jpeg_file (const VetterPixels  *pixels,
                         int                  quality,
                         const char          *path,
                         gint64              *bytes_written,
                         GError             **error)
{
  VetterJpegWriter *writer = vetter_jpeg_writer_new (path, pixels->width, pixels->height, quality, error);

  if (writer == NULL)
    return FALSE;
  for (int y = 0; y < pixels->height; y++)
    if (!vetter_jpeg_writer_write_row (writer, vetter_pixels_row (pixels, y), error))
      {
        vetter_jpeg_writer_abort (writer);
        return FALSE;
      }
  return vetter_jpeg_writer_finish (writer, bytes_written, error);
}
