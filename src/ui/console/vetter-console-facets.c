/* vetter-console-facets.c: the console's filters, with their counts
 *
 * Each few-valued field of the table lists its values among the rows the
 * other filters keep, with how many rows have each; ticking several
 * values of one field keeps rows with any of them. A time field offers
 * periods (today, the last 7 or 30 days, or a range of days). Counting runs on the database
 * thread, each field given a time limit: one that does not finish is
 * left out and the list still shows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-console"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "vetter-console-cells.h"
#include "vetter-console-page-private.h"
#include "vetter-error.h"

#define FACET_VALUES 30
#define FACET_TIME_LIMIT_MS 200

/* ---- Periods -------------------------------------------------------------- */

typedef enum
{
  PERIOD_ANY,
  PERIOD_TODAY,
  PERIOD_WEEK,
  PERIOD_MONTH,
  PERIOD_CUSTOM,
} Period;

static const char * const period_words[] = { N_("Any time"), N_("Today"), N_("Last 7 days"), N_("Last 30 days"),
                                             N_("Custom range"), NULL };

/* The start of the local day @text names ("2026-12-01"), @days_after
 * it, in ISO 8601 (UTC) as a filter takes it; NULL if @text is no date. */
static char *
local_day_start (const char *text,
                 int         days_after)
{
  g_autoptr(GDateTime) day = NULL;
  g_autoptr(GDateTime) later = NULL;
  g_autoptr(GDateTime) utc = NULL;
  int year, month, mday;
  char end;

  if (sscanf (text, "%4d-%2d-%2d%c", &year, &month, &mday, &end) != 3 || strlen (text) != 10 ||
      !g_date_valid_dmy (mday, month, year))
    return NULL;
  day = g_date_time_new_local (year, month, mday, 0, 0, 0);
  later = day ? g_date_time_add_days (day, days_after) : NULL;
  utc = later ? g_date_time_to_utc (later) : NULL;
  return utc ? g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

/* Adds the custom range of @field (from: a day, to: a day, either empty
 * for no end) to @query; FALSE with @error for a date that is not one or
 * a range that ends before it starts. */
static gboolean
add_range (VetterQuery  *query,
           const char   *field,
           const char   *from,
           const char   *to,
           GError      **error)
{
  g_autofree char *start = *from ? local_day_start (from, 0) : NULL;
  /* Up to the end of the last day: before the next one starts. */
  g_autofree char *end = *to ? local_day_start (to, 1) : NULL;

  if ((*from && start == NULL) || (*to && end == NULL))
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT, _("“%s” is not a date: write it as 2026-12-01"),
                   *from && start == NULL ? from : to);
      return FALSE;
    }
  /* Said in the days the person wrote (days in this form sort as text). */
  if (start && end && strcmp (from, to) > 0)
    {
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT, _("The range ends (%s) before it starts (%s)"), to,
                   from);
      return FALSE;
    }
  if (start && !vetter_query_add_filter (query, field, VETTER_FILTER_AT_LEAST, start, error))
    return FALSE;
  if (end && !vetter_query_add_filter (query, field, VETTER_FILTER_LESS, end, error))
    return FALSE;
  return TRUE;
}

/* The start of @period, in ISO 8601 (UTC), as a filter takes it. */
static char *
period_start (Period period)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) midnight = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                                                         g_date_time_get_day_of_month (now), 0, 0, 0);
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) utc = NULL;

  switch (period)
    {
    case PERIOD_TODAY:
      start = g_date_time_ref (midnight);
      break;
    case PERIOD_WEEK:
      start = g_date_time_add_days (midnight, -6);
      break;
    case PERIOD_MONTH:
      start = g_date_time_add_days (midnight, -29);
      break;
    case PERIOD_ANY:
    default:
      return NULL;
    }
  utc = g_date_time_to_utc (start);
  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

/* ---- Facets --------------------------------------------------------------- */

typedef struct
{
  const char *field;
  GPtrArray  *values;   /* VetterFacetValue* */
} Facet;

static void
facet_free (gpointer data)
{
  Facet *facet = data;

  g_ptr_array_unref (facet->values);
  g_free (facet);
}

static gpointer
store_facets (VetterStore  *store,
              gpointer      data,
              GError      **error)
{
  VetterQuery *query = data;
  const VetterTable *table = vetter_query_get_table (query);
  GPtrArray *facets = g_ptr_array_new_with_free_func (facet_free);

  vetter_store_set_query_time_limit (store, FACET_TIME_LIMIT_MS);
  for (guint i = 0; i < table->n_columns; i++)
    {
      const VetterTableColumn *column = &table->columns[i];
      g_autoptr(GError) local_error = NULL;
      GPtrArray *values;
      Facet *facet;

      if (!(column->flags & VETTER_COLUMN_FACET) || (column->sql == NULL && column->facet_value == NULL))
        continue;
      /* A facet past its time limit is left out; the list still shows. */
      values = vetter_store_query_facet (store, query, column->name, FACET_VALUES, &local_error);
      if (values == NULL)
        continue;
      facet = g_new0 (Facet, 1);
      facet->field = column->name;
      facet->values = values;
      g_ptr_array_add (facets, facet);
    }
  vetter_store_set_query_time_limit (store, 0);
  return facets;
}

static gboolean
is_chosen (VetterConsolePage *self,
           const char        *field,
           const char        *value)
{
  GPtrArray *values = g_hash_table_lookup (self->chosen, field);

  return values && g_ptr_array_find_with_equal_func (values, value, g_str_equal, NULL);
}

static void
on_facet_toggled (GtkCheckButton    *button,
                  VetterConsolePage *self)
{
  const char *field = g_object_get_data (G_OBJECT (button), "vetter-field");
  const char *value = g_object_get_data (G_OBJECT (button), "vetter-value");
  GPtrArray *values;
  guint index;

  if (self->building)
    return;
  values = g_hash_table_lookup (self->chosen, field);
  if (values == NULL)
    {
      values = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (self->chosen, g_strdup (field), values);
    }
  if (gtk_check_button_get_active (button))
    g_ptr_array_add (values, g_strdup (value));
  else if (g_ptr_array_find_with_equal_func (values, value, g_str_equal, &index))
    g_ptr_array_remove_index (values, index);
  if (values->len == 0)
    g_hash_table_remove (self->chosen, field);
  vetter_console_page_run_query_soon (self);
}

void
vetter_console_page_add_periods (VetterConsolePage *self,
                                 VetterQuery       *query)
{
  GHashTableIter iter;
  gpointer field, period;

  g_hash_table_iter_init (&iter, self->periods);
  while (g_hash_table_iter_next (&iter, &field, &period))
    {
      g_autofree char *start = period_start (GPOINTER_TO_UINT (period));
      const char * const *range = g_hash_table_lookup (self->ranges, field);

      if (start)
        vetter_query_add_filter (query, field, VETTER_FILTER_AT_LEAST, start, NULL);
      /* Checked when entered: it goes in whole. */
      else if (GPOINTER_TO_UINT (period) == PERIOD_CUSTOM && range)
        add_range (query, field, range[0], range[1], NULL);
    }
}

static void
on_period_chosen (GtkDropDown       *dropdown,
                  GParamSpec        *pspec,
                  VetterConsolePage *self)
{
  const char *field = g_object_get_data (G_OBJECT (dropdown), "vetter-field");
  guint chosen = gtk_drop_down_get_selected (dropdown);

  if (self->building)
    return;
  if (chosen == PERIOD_ANY || chosen == GTK_INVALID_LIST_POSITION)
    g_hash_table_remove (self->periods, field);
  else
    g_hash_table_insert (self->periods, g_strdup (field), GUINT_TO_POINTER (chosen));
  /* A custom range waits for its dates; the rest applies at once. */
  if (chosen == PERIOD_CUSTOM)
    {
      gtk_widget_set_visible (g_object_get_data (G_OBJECT (dropdown), "vetter-range"), TRUE);
      return;
    }
  vetter_console_page_run_query_soon (self);
}

gboolean
vetter_console_page_set_range (VetterConsolePage  *self,
                               const char         *field,
                               const char         *from,
                               const char         *to,
                               GError            **error)
{
  g_autoptr(VetterQuery) trial = vetter_query_new (self->table);
  char **range;

  if (!add_range (trial, field, from, to, error))
    return FALSE;
  range = g_new0 (char *, 3);
  range[0] = g_strdup (from);
  range[1] = g_strdup (to);
  g_hash_table_insert (self->ranges, g_strdup (field), range);
  g_hash_table_insert (self->periods, g_strdup (field), GUINT_TO_POINTER (PERIOD_CUSTOM));
  vetter_console_page_run_query (self);
  return TRUE;
}

/* Enter in either date of a custom range: both apply, or the entry says
 * what is wrong. */
static void
on_range_entered (GtkEntry          *entry,
                  VetterConsolePage *self)
{
  GtkWidget *box = gtk_widget_get_parent (GTK_WIDGET (entry));
  const char *field = g_object_get_data (G_OBJECT (box), "vetter-field");
  GtkEditable *from = g_object_get_data (G_OBJECT (box), "vetter-from");
  GtkEditable *to = g_object_get_data (G_OBJECT (box), "vetter-to");
  g_autofree char *from_text = g_strstrip (g_strdup (gtk_editable_get_text (from)));
  g_autofree char *to_text = g_strstrip (g_strdup (gtk_editable_get_text (to)));
  g_autoptr(GError) error = NULL;

  if (vetter_console_page_set_range (self, field, from_text, to_text, &error))
    return;
  gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (entry), error->message);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, error->message, -1);
  gtk_widget_error_bell (GTK_WIDGET (entry));
}

static GtkWidget *
range_entry (VetterConsolePage *self,
             const char        *label,
             const char        *value)
{
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), label);
  gtk_editable_set_text (GTK_EDITABLE (entry), value ? value : "");
  gtk_editable_set_width_chars (GTK_EDITABLE (entry), 10);
  gtk_widget_set_tooltip_text (entry, _("A day, as 2026-12-01; empty for no limit. Enter applies."));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  g_signal_connect (entry, "activate", G_CALLBACK (on_range_entered), self);
  return entry;
}

/* The two days of a custom range, shown when it is chosen. */
static GtkWidget *
range_box (VetterConsolePage       *self,
           const VetterTableColumn *column)
{
  const char * const *range = g_hash_table_lookup (self->ranges, column->name);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *from = range_entry (self, _("From"), range ? range[0] : NULL);
  GtkWidget *to = range_entry (self, _("To"), range ? range[1] : NULL);

  g_object_set_data_full (G_OBJECT (box), "vetter-field", g_strdup (column->name), g_free);
  g_object_set_data (G_OBJECT (box), "vetter-from", from);
  g_object_set_data (G_OBJECT (box), "vetter-to", to);
  gtk_box_append (GTK_BOX (box), from);
  gtk_box_append (GTK_BOX (box), to);
  gtk_widget_set_visible (box, GPOINTER_TO_UINT (g_hash_table_lookup (self->periods, column->name)) == PERIOD_CUSTOM);
  return box;
}

/* A time field's group: a choice of periods. */
static GtkWidget *
period_group (VetterConsolePage       *self,
              const VetterTableColumn *column)
{
  GtkWidget *group = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *heading = gtk_label_new (_(column->label));
  g_autoptr(GtkStringList) words = gtk_string_list_new (NULL);
  GtkWidget *dropdown, *range;

  for (guint i = 0; period_words[i]; i++)
    gtk_string_list_append (words, _(period_words[i]));
  dropdown = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (words)), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (dropdown), GTK_ACCESSIBLE_PROPERTY_LABEL, _(column->label), -1);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown),
                              GPOINTER_TO_UINT (g_hash_table_lookup (self->periods, column->name)));
  g_object_set_data_full (G_OBJECT (dropdown), "vetter-field", g_strdup (column->name), g_free);
  g_signal_connect (dropdown, "notify::selected", G_CALLBACK (on_period_chosen), self);
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "heading");
  gtk_box_append (GTK_BOX (group), heading);
  gtk_box_append (GTK_BOX (group), dropdown);
  range = range_box (self, column);
  g_object_set_data (G_OBJECT (dropdown), "vetter-range", range);
  gtk_box_append (GTK_BOX (group), range);
  return group;
}

static void
on_facets (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) facets = vetter_database_run_finish (VETTER_DATABASE (source), result, &error);
  GtkWidget *child;

  if (facets == NULL)
    return;
  self->building = TRUE;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->facet_box))))
    gtk_box_remove (self->facet_box, child);
  for (guint i = 0; i < facets->len; i++)
    {
      Facet *facet = g_ptr_array_index (facets, i);
      const VetterTableColumn *column = vetter_table_find_column (self->table, facet->field);
      GtkWidget *group, *heading;
      guint shown = 0;

      /* Counted for a table no longer shown. */
      if (column == NULL)
        continue;
      group = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
      heading = gtk_label_new (_(column->label));

      gtk_label_set_xalign (GTK_LABEL (heading), 0);
      gtk_widget_add_css_class (heading, "heading");
      gtk_box_append (GTK_BOX (group), heading);
      for (guint j = 0; j < facet->values->len; j++)
        {
          VetterFacetValue *value = g_ptr_array_index (facet->values, j);
          g_autofree char *label = NULL;
          GtkWidget *check;

          if (value->value == NULL || *value->value == '\0')
            continue;
          label = g_strdup_printf ("%s (%" G_GINT64_FORMAT ")", vetter_console_value_words (column, value->value), value->count);
          check = gtk_check_button_new_with_label (label);
          g_object_set_data_full (G_OBJECT (check), "vetter-field", g_strdup (facet->field), g_free);
          g_object_set_data_full (G_OBJECT (check), "vetter-value", g_strdup (value->value), g_free);
          gtk_check_button_set_active (GTK_CHECK_BUTTON (check), is_chosen (self, facet->field, value->value));
          g_signal_connect (check, "toggled", G_CALLBACK (on_facet_toggled), self);
          gtk_box_append (GTK_BOX (group), check);
          shown++;
        }
      /* A field with no values among these rows says nothing. */
      if (shown > 0)
        gtk_box_append (self->facet_box, group);
      else
        {
          g_object_ref_sink (group);
          g_object_unref (group);
        }
    }
  for (guint i = 0; i < self->table->n_columns; i++)
    if (self->table->columns[i].flags & VETTER_COLUMN_PERIOD)
      gtk_box_append (self->facet_box, period_group (self, &self->table->columns[i]));
  self->building = FALSE;
}

void
vetter_console_page_refresh_facets (VetterConsolePage *self)
{
  g_cancellable_cancel (self->facets_cancellable);
  g_clear_object (&self->facets_cancellable);
  self->facets_cancellable = g_cancellable_new ();
  vetter_database_run_async (self->database, store_facets, vetter_console_page_build_query (self), (GDestroyNotify) vetter_query_free,
                             (GDestroyNotify) g_ptr_array_unref, self->facets_cancellable, on_facets,
                             g_object_ref (self));
}
