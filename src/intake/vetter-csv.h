/* vetter-csv.h: an RFC 4180 reader and writer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _VetterCsvReader VetterCsvReader;

VetterCsvReader *vetter_csv_reader_new       (const char       *data,
                                              gsize             length);
void             vetter_csv_reader_free      (VetterCsvReader  *reader);
gboolean         vetter_csv_reader_next      (VetterCsvReader  *reader,
                                              GPtrArray       **fields,
                                              guint            *line,
                                              GError          **error);

char            *vetter_csv_quote            (const char       *field);
void             vetter_csv_append_row       (GString          *out,
                                              const char * const *fields,
                                              guint             n_fields);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterCsvReader, vetter_csv_reader_free)

G_END_DECLS
