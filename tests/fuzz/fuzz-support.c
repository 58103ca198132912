/* fuzz-support.c: what every fuzz target shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>

#include "fuzz-support.h"

static char *scratch_dir;

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
remove_scratch_dir (void)
{
  if (scratch_dir)
    remove_tree (scratch_dir);
}

/* A warning or a critical is a failure. It ends the run with abort(), not
 * the trap GLib's fatal logs raise: libFuzzer saves the input that made a
 * program abort, but not one that made it trap. */
static GLogWriterOutput
abort_on_warnings (GLogLevelFlags   level,
                   const GLogField *fields,
                   gsize            n_fields,
                   gpointer         data)
{
  GLogWriterOutput written;

  /* The targets log nothing worth reading a million times over. */
  if (level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO))
    return G_LOG_WRITER_HANDLED;
  written = g_log_writer_standard_streams (level, fields, n_fields, data);

  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    abort ();
  return written;
}

void
fuzz_support_init (void)
{
  g_log_set_writer_func (abort_on_warnings, NULL, NULL);
}

const char *
fuzz_support_scratch_dir (void)
{
  if (scratch_dir == NULL)
    {
      /* Memory-backed where there is one: the image target writes files. */
      const char *base = g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm" : g_get_tmp_dir ();
      g_autofree char *template = g_build_filename (base, "vetter-fuzz-XXXXXX", NULL);

      scratch_dir = g_mkdtemp (g_steal_pointer (&template));
      if (scratch_dir == NULL)
        g_error ("cannot make a scratch directory in %s", base);
      atexit (remove_scratch_dir);
    }
  return scratch_dir;
}

gboolean
fuzz_support_is_text (const char *text)
{
  return text == NULL || g_utf8_validate (text, -1, NULL);
}
