/* vetter-whole-file.h: a file that appears under its name only whole
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <stdio.h>

G_BEGIN_DECLS

/* What is written goes to "<name>.XXXXXX" beside the file (the X's made
 * unique), renamed over the name once complete: a reader, or a run that
 * starts after a crash, never finds half a file under the name. A run
 * killed before the rename leaves the one beside it; whoever sweeps for
 * those knows them by this suffix's length. */
#define VETTER_WHOLE_FILE_SUFFIX ".XXXXXX"

typedef struct _VetterWholeFile VetterWholeFile;

VetterWholeFile *vetter_whole_file_open      (const char       *path,
                                              GError          **error);
/* Where to write: buffered, owned by @file. */
FILE            *vetter_whole_file_get_stream (VetterWholeFile *file);
/* Flushes what was written, with @sync to the disk too, makes it readable
 * by all (0644), and renames it into place; on failure removes it and
 * says why. Frees @file either way. */
gboolean         vetter_whole_file_commit    (VetterWholeFile  *file,
                                              gboolean          sync,
                                              GError          **error);
/* Removes what was written; frees @file. NULL is ignored. */
void             vetter_whole_file_abort     (VetterWholeFile  *file);

G_END_DECLS
