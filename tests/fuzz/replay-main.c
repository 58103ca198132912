/* replay-main.c: runs a fuzz target over saved inputs, without libFuzzer
 *
 * Each argument is a file or a directory of files. Every input is copied
 * into a buffer of exactly its size, as libFuzzer gives it, so that a read
 * past its end shows under AddressSanitizer in the ordinary build too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fuzz-support.h"

static guint
replay_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree guint8 *exact = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &error))
    g_error ("%s", error->message);
  exact = g_malloc (MAX (length, 1));
  memcpy (exact, contents, length);
  fprintf (stderr, "%s\n", path);
  LLVMFuzzerTestOneInput (exact, length);
  return 1;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static guint
replay (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = NULL;
  const char *name;
  guint n = 0;

  /* Git keeps no empty directory: a target with no past failures has none. */
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return 0;
  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    return replay_file (path);
  dir = g_dir_open (path, 0, NULL);
  names = g_ptr_array_new_with_free_func (g_free);
  while (dir && (name = g_dir_read_name (dir)))
    if (name[0] != '.')
      g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    n += replay (g_ptr_array_index (names, i));
  return n;
}

int
main (int    argc,
      char **argv)
{
  guint n = 0;

  LLVMFuzzerInitialize (&argc, &argv);
  for (int i = 1; i < argc; i++)
    n += replay (argv[i]);
  if (n == 0)
    g_error ("no inputs to replay");
  printf ("%u inputs replayed, none failed\n", n);
  return 0;
}
