/* vetter-store-query.h: running a VetterQuery against the store
 *
 * Every function runs on the store's thread and stops with
 * VETTER_ERROR_TIME_LIMIT past the store's query time limit.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "vetter-query.h"
#include "vetter-row-writer.h"
#include "vetter-store.h"

G_BEGIN_DECLS

typedef struct
{
  char   *value;     /* NULL: rows without one */
  gint64  count;
} VetterFacetValue;

void              vetter_facet_value_free           (VetterFacetValue *value);

/* How long one query may run, in milliseconds; 0: no limit. */
void              vetter_store_set_query_time_limit (VetterStore        *self,
                                                     guint               milliseconds);

/* The keys of the rows, in the query's order, appended to @keys (gint64);
 * the first @limit only (0: all). */
gboolean          vetter_store_query_keys           (VetterStore        *self,
                                                     const VetterQuery  *query,
                                                     gint64              limit,
                                                     GArray             *keys,
                                                     GError            **error);
/* How many rows, counting no further than @cap (0: all); @capped says
 * whether there are more. */
gint64            vetter_store_query_count          (VetterStore        *self,
                                                     const VetterQuery  *query,
                                                     gint64              cap,
                                                     gboolean           *capped,
                                                     GError            **error);

/* One row: the text of each of the table's value columns, NULL where the
 * row has none (times in ISO 8601, UTC). Return FALSE to stop. */
typedef gboolean (*VetterRowFunc) (const char * const *values,
                                   guint               n_values,
                                   gpointer            user_data);

/* The rows in order, from @offset, at most @limit (0: all), one at a time:
 * memory stays flat whatever their number. */
gboolean          vetter_store_query_rows           (VetterStore        *self,
                                                     const VetterQuery  *query,
                                                     gint64              offset,
                                                     gint64              limit,
                                                     VetterRowFunc       func,
                                                     gpointer            user_data,
                                                     GError            **error);
/* A row read by its key. Return FALSE to stop. */
typedef gboolean (*VetterKeyedRowFunc) (gint64              key,
                                        const char * const *values,
                                        guint               n_values,
                                        gpointer            user_data);

/* The rows whose keys are @keys, in that order (missing ones left out),
 * read with one statement. */
gboolean          vetter_store_query_rows_by_keys   (VetterStore        *self,
                                                     const VetterTable  *table,
                                                     const gint64       *keys,
                                                     guint               n_keys,
                                                     VetterKeyedRowFunc  func,
                                                     gpointer            user_data,
                                                     GError            **error);

/* The values of @field among the rows every other filter keeps, with how
 * many rows have each, most first; at most @max_values. */
GPtrArray        *vetter_store_query_facet          (VetterStore        *self,
                                                     const VetterQuery  *query,
                                                     const char         *field,
                                                     guint               max_values,
                                                     GError            **error);

/* Told how many rows are written so far, every few thousand. */
typedef void (*VetterExportProgress) (gint64   written,
                                      gpointer user_data);

/* Every row of @query into @path as @format, streamed (memory stays flat
 * whatever the number of rows): written beside it and renamed into place,
 * so that a file there is always whole. Returns how many rows, or -1. */
gint64            vetter_store_export_query         (VetterStore          *self,
                                                     const VetterQuery    *query,
                                                     VetterRowFormat       format,
                                                     const char           *path,
                                                     VetterExportProgress  progress,
                                                     gpointer              user_data,
                                                     GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterFacetValue, vetter_facet_value_free)

G_END_DECLS
