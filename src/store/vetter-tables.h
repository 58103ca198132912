/* vetter-tables.h: the record types the console and `vetter list` show
 *
 * Each table is described once: where its rows come from, the key that
 * names a row, and its columns (a name for the command line and saved
 * views, a label for the window, the SQL that gives the value). Names and
 * SQL are strings in the binary; values from a user are always bound.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  VETTER_COLUMN_TEXT,
  VETTER_COLUMN_INTEGER,
  VETTER_COLUMN_REAL,
  VETTER_COLUMN_TIME,      /* microseconds since 1970; shown in ISO 8601, UTC */
} VetterColumnType;

typedef enum
{
  VETTER_COLUMN_SORTABLE = 1 << 0,
  VETTER_COLUMN_SEARCHED = 1 << 1,   /* the text search looks in it */
  VETTER_COLUMN_FACET    = 1 << 2,   /* few values: offered with counts */
  VETTER_COLUMN_HIDDEN   = 1 << 3,   /* not among the columns shown at first */
  VETTER_COLUMN_PERIOD   = 1 << 4,   /* a time: offered as today, this week, … */
  VETTER_COLUMN_PICTURE  = 1 << 5,   /* a path to an image, drawn as a small picture */
  VETTER_COLUMN_IN_FACETS_INDEX = 1 << 6,   /* counted under filters through the facets' index */
} VetterColumnFlags;

/* What a column's values are, for the words a person reads instead. */
typedef enum
{
  VETTER_WORDS_AS_IS,
  VETTER_WORDS_STATUS,
  VETTER_WORDS_REASON,
  VETTER_WORDS_DEFECT,
  VETTER_WORDS_SEVERITY,
  VETTER_WORDS_OUTBOX_KIND,
} VetterColumnWords;

typedef struct
{
  const char        *name;
  const char        *label;      /* to be translated */
  /* The value. NULL for a field that only filters (a tag, a defect kind):
   * then @match is SQL true for a row that has the bound value. */
  const char        *sql;
  const char        *match;
  VetterColumnType   type;
  VetterColumnFlags  flags;
  VetterColumnWords  words;
  /* For a field that only filters, its facet: the joins from the table to
   * its values, and the value's SQL. */
  const char        *facet_join;
  const char        *facet_value;
} VetterTableColumn;

typedef struct
{
  const char              *name;          /* as `vetter list` names it */
  const char              *label;         /* to be translated */
  const char              *from;
  const char              *where;         /* what every row satisfies, or NULL */
  const char              *key;           /* a row's integer key */
  const char              *watches;       /* the schema table whose changes change it */
  const char              *extra_search;  /* more SQL true when ? is found, or NULL */
  /* SQL true for a row where the bound full-text phrase is found (a
   * trigram index: three characters or more), or NULL. */
  const char              *search_index;
  /* The keys of the rows where the bound phrase is found, straight from
   * the index (which can give them in key order, as "rowid"), or NULL. */
  const char              *search_keys;
  const char              *default_sort;  /* a column name */
  gboolean                 default_descending;
  const VetterTableColumn *columns;
  guint                    n_columns;
} VetterTable;

const VetterTable        *vetter_table_lookup      (const char         *name);
/* Every table, in the order the console lists them; NULL-terminated. */
const VetterTable * const *vetter_tables           (void);
const VetterTableColumn  *vetter_table_find_column (const VetterTable  *table,
                                                    const char         *name);

G_END_DECLS
