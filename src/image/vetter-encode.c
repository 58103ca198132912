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

#include <errno.h>
#include <glib/gstdio.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jpeglib.h>

#include "vetter-encode.h"
#include "vetter-error.h"

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

gboolean
vetter_encode_jpeg_file (const VetterPixels  *pixels,
                         int                  quality,
                         const char          *path,
                         gint64              *bytes_written,
                         GError             **error)
{
  struct jpeg_compress_struct cinfo;
  EncodeErrorManager err;
  g_autofree char *tmp_path = g_strdup_printf ("%s.XXXXXX", path);
  FILE * volatile fp = NULL;
  int fd;
  long size;

  fd = g_mkstemp (tmp_path);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "cannot write %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  fp = fdopen (fd, "wb");

  memset (&cinfo, 0, sizeof cinfo);
  cinfo.err = jpeg_std_error (&err.pub);
  err.pub.error_exit = encode_error_exit;
  if (setjmp (err.escape))
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_FAILED, "cannot encode %s: %s", path, err.message);
      jpeg_destroy_compress (&cinfo);
      fclose (fp);
      g_unlink (tmp_path);
      return FALSE;
    }

  jpeg_create_compress (&cinfo);
  jpeg_stdio_dest (&cinfo, fp);
  cinfo.image_width = (JDIMENSION) pixels->width;
  cinfo.image_height = (JDIMENSION) pixels->height;
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults (&cinfo);
  jpeg_set_quality (&cinfo, CLAMP (quality, 1, 100), TRUE);
  cinfo.dct_method = JDCT_ISLOW;
  jpeg_start_compress (&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height)
    {
      JSAMPROW row = vetter_pixels_row (pixels, (int) cinfo.next_scanline);
      jpeg_write_scanlines (&cinfo, &row, 1);
    }
  jpeg_finish_compress (&cinfo);
  jpeg_destroy_compress (&cinfo);

  size = ftell (fp);
  if (fflush (fp) != 0 || ferror (fp))
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "cannot write %s: %s", path, g_strerror (saved));
      fclose (fp);
      g_unlink (tmp_path);
      return FALSE;
    }
  fchmod (fd, 0644);
  fclose (fp);

  if (g_rename (tmp_path, path) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "cannot write %s: %s", path, g_strerror (saved));
      g_unlink (tmp_path);
      return FALSE;
    }

  if (bytes_written)
    *bytes_written = size;
  return TRUE;
}
