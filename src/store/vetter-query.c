/* vetter-query.c: a question asked of one table: filters, a search, a sort
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "vetter-error.h"
#include "vetter-json.h"
#include "vetter-query.h"

typedef struct
{
  const VetterTableColumn *column;
  VetterFilterOp           op;
  GVariant                *value;   /* typed as the column is */
  char                    *text;    /* as given, for messages */
} Filter;

struct _VetterQuery
{
  const VetterTable       *table;
  GPtrArray               *filters;   /* Filter* */
  char                    *search;
  const VetterTableColumn *sort;
  gboolean                 descending;
};

static const struct
{
  const char     *token;
  VetterFilterOp  op;
  const char     *sql;
} operators[] = {
  /* Two-character tokens first, so that ">=" is not read as ">". */
  { "!=", VETTER_FILTER_NOT_EQUAL, "<>" },
  { "<=", VETTER_FILTER_AT_MOST, "<=" },
  { ">=", VETTER_FILTER_AT_LEAST, ">=" },
  { "=", VETTER_FILTER_EQUAL, "=" },
  { "<", VETTER_FILTER_LESS, "<" },
  { ">", VETTER_FILTER_MORE, ">" },
  { "~", VETTER_FILTER_CONTAINS, "LIKE" },
};

static void
filter_free (gpointer data)
{
  Filter *filter = data;

  g_variant_unref (filter->value);
  g_free (filter->text);
  g_free (filter);
}

VetterQuery *
vetter_query_new (const VetterTable *table)
{
  VetterQuery *self = g_new0 (VetterQuery, 1);

  self->table = table;
  self->filters = g_ptr_array_new_with_free_func (filter_free);
  self->sort = vetter_table_find_column (table, table->default_sort);
  self->descending = table->default_descending;
  return self;
}

VetterQuery *
vetter_query_copy (const VetterQuery *self)
{
  VetterQuery *copy = vetter_query_new (self->table);

  for (guint i = 0; i < self->filters->len; i++)
    {
      const Filter *filter = g_ptr_array_index (self->filters, i);
      Filter *twin = g_new0 (Filter, 1);

      twin->column = filter->column;
      twin->op = filter->op;
      twin->value = g_variant_ref (filter->value);
      twin->text = g_strdup (filter->text);
      g_ptr_array_add (copy->filters, twin);
    }
  copy->search = g_strdup (self->search);
  copy->sort = self->sort;
  copy->descending = self->descending;
  return copy;
}

void
vetter_query_free (VetterQuery *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->filters);
  g_free (self->search);
  g_free (self);
}

const VetterTable *
vetter_query_get_table (const VetterQuery *self)
{
  return self->table;
}

gboolean
vetter_query_parse_time (const char *text,
                         gint64     *microseconds,
                         gboolean   *date_only)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) when = NULL;
  int year, month, day;
  char end;

  *date_only = FALSE;
  if (sscanf (text, "%4d-%2d-%2d%c", &year, &month, &day, &end) == 3 && strlen (text) == 10)
    {
      when = g_date_time_new (utc, year, month, day, 0, 0, 0);
      *date_only = TRUE;
    }
  else
    when = g_date_time_new_from_iso8601 (text, utc);
  if (when == NULL)
    return FALSE;
  *microseconds = g_date_time_to_unix (when) * G_USEC_PER_SEC + g_date_time_get_microsecond (when);
  return TRUE;
}

/* @text as a value of @column's type, or NULL. A date alone given as the
 * end of a range means up to the end of that day. */
static GVariant *
typed_value (const VetterTableColumn *column,
             VetterFilterOp           op,
             const char              *text)
{
  char *end = NULL;

  if (op == VETTER_FILTER_CONTAINS)
    return g_variant_new_string (text);
  switch (column->type)
    {
    case VETTER_COLUMN_INTEGER:
      {
        gint64 value = g_ascii_strtoll (text, &end, 10);

        return *text && *end == '\0' ? g_variant_new_int64 (value) : NULL;
      }
    case VETTER_COLUMN_REAL:
      {
        double value = g_ascii_strtod (text, &end);

        return *text && *end == '\0' && isfinite (value) ? g_variant_new_double (value) : NULL;
      }
    case VETTER_COLUMN_TIME:
      {
        gint64 value;
        gboolean date_only;

        if (!vetter_query_parse_time (text, &value, &date_only))
          return NULL;
        if (date_only && (op == VETTER_FILTER_AT_MOST || op == VETTER_FILTER_MORE))
          value += (gint64) 24 * 3600 * G_USEC_PER_SEC - 1;
        return g_variant_new_int64 (value);
      }
    case VETTER_COLUMN_TEXT:
    default:
      return g_variant_new_string (text);
    }
}

static const char *
type_words (VetterColumnType type)
{
  switch (type)
    {
    case VETTER_COLUMN_INTEGER: return "a whole number";
    case VETTER_COLUMN_REAL: return "a number";
    case VETTER_COLUMN_TIME: return "a date (2026-12-01) or a date and time (2026-12-01T09:30:00Z)";
    case VETTER_COLUMN_TEXT:
    default: return "text";
    }
}

static char *
field_names (const VetterTable *table)
{
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < table->n_columns; i++)
    g_string_append_printf (names, "%s%s", i ? ", " : "", table->columns[i].name);
  return g_string_free (names, FALSE);
}

static const VetterTableColumn *
find_field (const VetterTable  *table,
            const char         *field,
            GError            **error)
{
  const VetterTableColumn *column = vetter_table_find_column (table, field);

  if (column == NULL)
    {
      g_autofree char *names = field_names (table);

      g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT, "%s has no field “%s” (it has %s)",
                   table->name, field, names);
    }
  return column;
}

/* The lowest "at least"/"more" and highest "at most"/"less" of @column:
 * a range that ends before it starts is refused. */
static gboolean
check_range (VetterQuery              *self,
             const VetterTableColumn  *column,
             GError                  **error)
{
  const Filter *from = NULL, *to = NULL;

  for (guint i = 0; i < self->filters->len; i++)
    {
      const Filter *filter = g_ptr_array_index (self->filters, i);

      if (filter->column != column || g_variant_is_of_type (filter->value, G_VARIANT_TYPE_STRING))
        continue;
      if (filter->op == VETTER_FILTER_AT_LEAST || filter->op == VETTER_FILTER_MORE)
        from = filter;
      else if (filter->op == VETTER_FILTER_AT_MOST || filter->op == VETTER_FILTER_LESS)
        to = filter;
    }
  if (from && to)
    {
      double start = g_variant_is_of_type (from->value, G_VARIANT_TYPE_DOUBLE) ? g_variant_get_double (from->value)
                                                                               : (double) g_variant_get_int64 (from->value);
      double end = g_variant_is_of_type (to->value, G_VARIANT_TYPE_DOUBLE) ? g_variant_get_double (to->value)
                                                                           : (double) g_variant_get_int64 (to->value);

      if (end < start)
        {
          g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT,
                       "%s: the range ends (%s) before it starts (%s)", column->name, to->text, from->text);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
vetter_query_add_filter (VetterQuery     *self,
                         const char      *field,
                         VetterFilterOp   op,
                         const char      *value,
                         GError         **error)
{
  const VetterTableColumn *column = find_field (self->table, field, error);
  Filter *filter;
  GVariant *typed;

  if (column == NULL)
    return FALSE;
  if (column->sql == NULL && op != VETTER_FILTER_EQUAL)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT, "%s can only be matched exactly (%s=VALUE)",
                   column->name, column->name);
      return FALSE;
    }
  typed = typed_value (column, op, value);
  if (typed == NULL)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT, "%s: “%s” is not %s", column->name, value,
                   type_words (column->type));
      return FALSE;
    }
  filter = g_new0 (Filter, 1);
  filter->column = column;
  filter->op = op;
  filter->value = g_variant_ref_sink (typed);
  filter->text = g_strdup (value);
  g_ptr_array_add (self->filters, filter);
  if (!check_range (self, column, error))
    {
      g_ptr_array_remove_index (self->filters, self->filters->len - 1);
      return FALSE;
    }
  return TRUE;
}

gboolean
vetter_query_parse_filter (VetterQuery  *self,
                           const char   *expression,
                           GError      **error)
{
  gsize field_end = strcspn (expression, "!=<>~");

  for (guint i = 0; i < G_N_ELEMENTS (operators) && expression[field_end]; i++)
    if (g_str_has_prefix (expression + field_end, operators[i].token))
      {
        g_autofree char *field = g_strndup (expression, field_end);

        return vetter_query_add_filter (self, g_strstrip (field), operators[i].op,
                                        expression + field_end + strlen (operators[i].token), error);
      }
  g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT,
               "“%s” is no filter: write FIELD=VALUE (or !=, <, <=, >, >=, ~ for “contains”)", expression);
  return FALSE;
}

void
vetter_query_clear_field (VetterQuery *self,
                          const char  *field)
{
  for (guint i = self->filters->len; i > 0; i--)
    {
      const Filter *filter = g_ptr_array_index (self->filters, i - 1);

      if (g_str_equal (filter->column->name, field))
        g_ptr_array_remove_index (self->filters, i - 1);
    }
}

gboolean
vetter_query_set_sort (VetterQuery  *self,
                       const char   *spec,
                       GError      **error)
{
  gboolean descending = spec[0] == '-';
  const VetterTableColumn *column = find_field (self->table, spec + (descending ? 1 : 0), error);

  if (column == NULL)
    return FALSE;
  if (!(column->flags & VETTER_COLUMN_SORTABLE))
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT, "%s cannot be sorted by %s", self->table->name,
                   column->name);
      return FALSE;
    }
  self->sort = column;
  self->descending = descending;
  return TRUE;
}

void
vetter_query_set_search (VetterQuery *self,
                         const char  *text)
{
  g_free (self->search);
  self->search = text && *text ? g_strdup (text) : NULL;
}

/* LIKE's pattern for "contains @text": its own wildcards taken literally. */
static char *
contains_pattern (const char *text)
{
  GString *pattern = g_string_new ("%");

  for (const char *p = text; *p; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (pattern, '\\');
      g_string_append_c (pattern, *p);
    }
  g_string_append_c (pattern, '%');
  return g_string_free (pattern, FALSE);
}

static const char *
operator_sql (VetterFilterOp op)
{
  for (guint i = 0; i < G_N_ELEMENTS (operators); i++)
    if (operators[i].op == op)
      return operators[i].sql;
  g_return_val_if_reached ("=");
}

static void
add_bind (GPtrArray *binds,
          GVariant  *value)
{
  g_ptr_array_add (binds, g_variant_ref_sink (value));
}

/* Filters of one field with "=" are any of their values; every other
 * filter, and every field, must hold together. */
/* The search as one FTS5 phrase, quoted as FTS5 quotes: the text is
 * never a query. */
static GVariant *
search_phrase (const char *text)
{
  g_autoptr(GString) phrase = g_string_new ("\"");

  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (phrase, '"');
      g_string_append_c (phrase, *p);
    }
  g_string_append_c (phrase, '"');
  return g_variant_new_string (phrase->str);
}

char *
vetter_query_build_where (const VetterQuery *self,
                          const char        *skip_field,
                          GPtrArray         *binds)
{
  g_autoptr(GString) where = g_string_new (NULL);
  g_autoptr(GHashTable) done = g_hash_table_new (NULL, NULL);

  if (self->table->where)
    g_string_append_printf (where, "(%s)", self->table->where);
  for (guint i = 0; i < self->filters->len; i++)
    {
      const Filter *filter = g_ptr_array_index (self->filters, i);
      const VetterTableColumn *column = filter->column;

      if (skip_field && g_str_equal (column->name, skip_field))
        continue;
      if (where->len)
        g_string_append (where, " AND ");
      if (filter->op == VETTER_FILTER_EQUAL)
        {
          guint n = 0;

          if (g_hash_table_contains (done, column))
            {
              /* Already written with the first of its values. */
              g_string_append (where, "1");
              continue;
            }
          g_hash_table_add (done, (gpointer) column);
          g_string_append_c (where, '(');
          for (guint j = i; j < self->filters->len; j++)
            {
              const Filter *same = g_ptr_array_index (self->filters, j);

              if (same->column != column || same->op != VETTER_FILTER_EQUAL)
                continue;
              if (n++)
                g_string_append (where, " OR ");
              if (column->sql)
                g_string_append_printf (where, "%s = ?", column->sql);
              else
                g_string_append (where, column->match);
              add_bind (binds, same->value);
            }
          g_string_append_c (where, ')');
        }
      else if (filter->op == VETTER_FILTER_CONTAINS)
        {
          g_autofree char *pattern = contains_pattern (g_variant_get_string (filter->value, NULL));

          g_string_append_printf (where, "%s LIKE ? ESCAPE '\\'", column->sql);
          add_bind (binds, g_variant_new_string (pattern));
        }
      else
        {
          g_string_append_printf (where, "%s %s ?", column->sql, operator_sql (filter->op));
          add_bind (binds, filter->value);
        }
    }
  if (self->search && self->table->search_index && g_utf8_strlen (self->search, -1) >= 3)
    {
      if (where->len)
        g_string_append (where, " AND ");
      g_string_append_printf (where, "(%s)", self->table->search_index);
      add_bind (binds, search_phrase (self->search));
    }
  else if (self->search)
    {
      g_autofree char *pattern = contains_pattern (self->search);
      guint n = 0;

      if (where->len)
        g_string_append (where, " AND ");
      g_string_append_c (where, '(');
      for (guint i = 0; i < self->table->n_columns; i++)
        {
          const VetterTableColumn *column = &self->table->columns[i];

          if (!(column->flags & VETTER_COLUMN_SEARCHED))
            continue;
          g_string_append_printf (where, "%s%s LIKE ? ESCAPE '\\'", n++ ? " OR " : "", column->sql);
          add_bind (binds, g_variant_new_string (pattern));
        }
      if (self->table->extra_search)
        {
          g_string_append_printf (where, "%s%s", n++ ? " OR " : "", self->table->extra_search);
          add_bind (binds, g_variant_new_string (pattern));
        }
      if (n == 0)
        g_string_append (where, "0");
      g_string_append_c (where, ')');
    }
  return where->len ? g_strdup (where->str) : g_strdup ("1");
}

gboolean
vetter_query_sorts_by_key (const VetterQuery *self)
{
  return self->sort == NULL || g_str_equal (self->sort->sql, self->table->key);
}

char *
vetter_query_build_search_keys (const VetterQuery *self,
                                GPtrArray         *binds)
{
  if (self->table->search_keys == NULL || self->table->where != NULL || self->filters->len > 0 ||
      self->search == NULL || g_utf8_strlen (self->search, -1) < 3 || !vetter_query_sorts_by_key (self))
    return NULL;
  add_bind (binds, search_phrase (self->search));
  return g_strdup_printf ("%s ORDER BY rowid %s", self->table->search_keys, self->descending ? "DESC" : "ASC");
}

char *
vetter_query_build_order (const VetterQuery *self)
{
  const char *direction = self->descending ? "DESC" : "ASC";

  /* The key last, so that rows with equal values keep one order. */
  if (vetter_query_sorts_by_key (self))
    return g_strdup_printf ("%s %s", self->table->key, direction);
  return g_strdup_printf ("%s %s, %s %s", self->sort->sql, direction, self->table->key, direction);
}

static const char *
operator_token (VetterFilterOp op)
{
  for (guint i = 0; i < G_N_ELEMENTS (operators); i++)
    if (operators[i].op == op)
      return operators[i].token;
  g_return_val_if_reached ("=");
}

char *
vetter_query_to_json (const VetterQuery *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "filters");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->filters->len; i++)
    {
      const Filter *filter = g_ptr_array_index (self->filters, i);
      g_autofree char *text = g_strconcat (filter->column->name, operator_token (filter->op), filter->text, NULL);

      json_builder_add_string_value (builder, text);
    }
  json_builder_end_array (builder);
  if (self->search)
    {
      json_builder_set_member_name (builder, "search");
      json_builder_add_string_value (builder, self->search);
    }
  if (self->sort)
    {
      g_autofree char *sort = g_strconcat (self->descending ? "-" : "", self->sort->name, NULL);

      json_builder_set_member_name (builder, "sort");
      json_builder_add_string_value (builder, sort);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

VetterQuery *
vetter_query_from_json (const VetterTable  *table,
                        const char         *json,
                        GError            **error)
{
  g_autoptr(JsonNode) root = json ? json_from_string (json, NULL) : NULL;
  g_autoptr(VetterQuery) query = vetter_query_new (table);
  JsonObject *object = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  JsonArray *filters = vetter_json_array (object, "filters");
  const char *sort = vetter_json_string (object, "sort");

  if (object == NULL)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT, "a saved view is not a JSON object");
      return NULL;
    }
  for (guint i = 0; filters && i < json_array_get_length (filters); i++)
    {
      const char *text = vetter_json_element_string (filters, i);

      if (text == NULL || !vetter_query_parse_filter (query, text, error))
        {
          if (error && *error == NULL)
            g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT, "filter %u of the saved view is not text", i + 1);
          return NULL;
        }
    }
  vetter_query_set_search (query, vetter_json_string (object, "search"));
  if (sort && !vetter_query_set_sort (query, sort, error))
    return NULL;
  return g_steal_pointer (&query);
}
