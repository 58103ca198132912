/* vetter-whole-file.c: a file written beside its name, then renamed over it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vetter-whole-file.h"

struct _VetterWholeFile
{
  char *path;
  char *beside;   /* where it is written until renamed */
  FILE *stream;
};

static void
set_error (GError     **error,
           int          saved_errno,
           const char  *path)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno), "cannot write %s: %s", path,
               g_strerror (saved_errno));
}

VetterWholeFile *
vetter_whole_file_open (const char  *path,
                        GError     **error)
{
  VetterWholeFile *file = g_new0 (VetterWholeFile, 1);
  int fd;

  file->path = g_strdup (path);
  file->beside = g_strconcat (path, VETTER_WHOLE_FILE_SUFFIX, NULL);
  fd = g_mkstemp (file->beside);
  if (fd < 0 || (file->stream = fdopen (fd, "wb")) == NULL)
    {
      int saved = errno;

      if (fd >= 0)
        {
          close (fd);
          g_unlink (file->beside);
        }
      set_error (error, saved, path);
      g_free (file->beside);
      g_free (file->path);
      g_free (file);
      return NULL;
    }
  return file;
}

FILE *
vetter_whole_file_get_stream (VetterWholeFile *file)
{
  return file->stream;
}

gboolean
vetter_whole_file_commit (VetterWholeFile  *file,
                          gboolean          sync,
                          GError          **error)
{
  int fd = fileno (file->stream);
  gboolean written;
  int saved;

  errno = 0;
  written = !ferror (file->stream) && fflush (file->stream) == 0 && (!sync || fsync (fd) == 0) &&
            fchmod (fd, 0644) == 0;
  /* A write that failed earlier left its mark on the stream, not errno. */
  saved = errno ? errno : EIO;

  /* Closing flushes nothing more: whether it fails says nothing new. */
  fclose (g_steal_pointer (&file->stream));
  if (written && g_rename (file->beside, file->path) == 0)
    {
      g_clear_pointer (&file->beside, g_free);
      vetter_whole_file_abort (file);
      return TRUE;
    }
  if (written)
    saved = errno;
  set_error (error, saved, file->path);
  vetter_whole_file_abort (file);
  return FALSE;
}

void
vetter_whole_file_abort (VetterWholeFile *file)
{
  if (file == NULL)
    return;
  if (file->stream)
    fclose (file->stream);
  if (file->beside)
    g_unlink (file->beside);
  g_free (file->beside);
  g_free (file->path);
  g_free (file);
}
