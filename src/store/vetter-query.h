/* vetter-query.h: a question asked of one table: filters, a search, a sort
 *
 * Built from what a person typed (`status=approved`, `-created`, a search
 * text), checked against the table's description, and turned into SQL
 * whose every value is bound. The store runs it (vetter-store.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "vetter-tables.h"

G_BEGIN_DECLS

typedef enum
{
  VETTER_FILTER_EQUAL,       /* field=value; several of one field: any of them */
  VETTER_FILTER_NOT_EQUAL,   /* field!=value */
  VETTER_FILTER_LESS,        /* field<value */
  VETTER_FILTER_AT_MOST,     /* field<=value (a date: up to the end of that day) */
  VETTER_FILTER_MORE,        /* field>value (a date: from the day after) */
  VETTER_FILTER_AT_LEAST,    /* field>=value */
  VETTER_FILTER_CONTAINS,    /* field~text */
} VetterFilterOp;

typedef struct _VetterQuery VetterQuery;

VetterQuery       *vetter_query_new          (const VetterTable  *table);
VetterQuery       *vetter_query_copy         (const VetterQuery  *self);
void               vetter_query_free         (VetterQuery        *self);
const VetterTable *vetter_query_get_table    (const VetterQuery  *self);

/* "field=value", "field>=2026-12-01", "title~corolla": refused with a
 * message naming the field when the field is not the table's, the value
 * is not of its type, or a range ends before it starts. */
gboolean           vetter_query_parse_filter (VetterQuery        *self,
                                              const char         *expression,
                                              GError            **error);
gboolean           vetter_query_add_filter   (VetterQuery        *self,
                                              const char         *field,
                                              VetterFilterOp      op,
                                              const char         *value,
                                              GError            **error);
/* Drops every filter on @field. */
void               vetter_query_clear_field  (VetterQuery        *self,
                                              const char         *field);
/* "field" or "-field" (descending). */
gboolean           vetter_query_set_sort     (VetterQuery        *self,
                                              const char         *spec,
                                              GError            **error);
void               vetter_query_set_search   (VetterQuery        *self,
                                              const char         *text);

/* The SQL for the rows' keys, in order, and the values to bind to it
 * (GVariant*: int64 "x", double "d" or string "s", in order). @skip_field leaves that field's filters out (a facet
 * counts its values among the rows every other filter keeps). */
char              *vetter_query_build_where  (const VetterQuery  *self,
                                              const char         *skip_field,
                                              GPtrArray          *binds);
char              *vetter_query_build_order  (const VetterQuery  *self);
gboolean           vetter_query_sorts_by_key (const VetterQuery  *self);
/* With a search alone, sorted by the key: SQL for the keys in order
 * straight from the search index, which can stop at the first found
 * (with LIMIT) instead of finding every one and sorting; NULL for any
 * other query. */
char              *vetter_query_build_search_keys (const VetterQuery *self,
                                                   GPtrArray         *binds);

/* The query as the words a person would type: its filters ("field>=value"),
 * search and sort, as a JSON object; read back (the fields checked again,
 * for a table that changed since). */
char              *vetter_query_to_json      (const VetterQuery  *self);
VetterQuery       *vetter_query_from_json    (const VetterTable  *table,
                                              const char         *json,
                                              GError            **error);

/* Microseconds since 1970 for a date or a date and time in ISO 8601 (UTC
 * unless the text says otherwise); FALSE if it is neither. */
gboolean           vetter_query_parse_time   (const char         *text,
                                              gint64             *microseconds,
                                              gboolean           *date_only);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterQuery, vetter_query_free)

G_END_DECLS
