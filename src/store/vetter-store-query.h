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

/* The keys of the rows, in the query's order, appended to @keys (gint64). */
gboolean          vetter_store_query_keys           (VetterStore        *self,
                                                     const VetterQuery  *query,
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
/* The rows whose keys are @keys, in that order (missing ones left out). */
gboolean          vetter_store_query_rows_by_keys   (VetterStore        *self,
                                                     const VetterTable  *table,
                                                     const gint64       *keys,
                                                     guint               n_keys,
                                                     VetterRowFunc       func,
                                                     gpointer            user_data,
                                                     GError            **error);

/* The values of @field among the rows every other filter keeps, with how
 * many rows have each, most first; at most @max_values. */
GPtrArray        *vetter_store_query_facet          (VetterStore        *self,
                                                     const VetterQuery  *query,
                                                     const char         *field,
                                                     guint               max_values,
                                                     GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterFacetValue, vetter_facet_value_free)

G_END_DECLS
