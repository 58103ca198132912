/* vetter-csv.h: an RFC 4180 reader and writer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _VetterCsvReader VetterCsvReader;

/* How many records a text holds, fed in pieces of any size. */
typedef struct
{
  guint64 records;
  int     state;
  guint   seen;      /* of the first three bytes, which may be a byte order mark */
  char    head[3];
} VetterCsvCounter;

VetterCsvReader *vetter_csv_reader_new       (const char       *data,
                                              gsize             length);
VetterCsvReader *vetter_csv_reader_new_for_stream (GInputStream *stream,
                                              gsize             buffer_size);
const GError    *vetter_csv_reader_get_read_error (VetterCsvReader *reader);
void             vetter_csv_reader_free      (VetterCsvReader  *reader);
gboolean         vetter_csv_reader_next      (VetterCsvReader  *reader,
                                              GPtrArray       **fields,
                                              guint            *line,
                                              GError          **error);

void             vetter_csv_counter_feed     (VetterCsvCounter *counter,
                                              const char       *data,
                                              gsize             length);
guint64          vetter_csv_counter_finish   (VetterCsvCounter *counter);

char            *vetter_csv_quote            (const char       *field);
void             vetter_csv_append_row       (GString          *out,
                                              const char * const *fields,
                                              guint             n_fields);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterCsvReader, vetter_csv_reader_free)

G_END_DECLS
