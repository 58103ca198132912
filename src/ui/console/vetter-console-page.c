/* vetter-console-page.c: the team's console, every record type in a list
 *
 * The record types on the left; on the right a search, the values of the
 * few-valued fields with how many rows have each (ticking several of one
 * field keeps rows with any of them; fields hold together), and the rows
 * in a column view. Everything is asked of the database thread: the list
 * holds the rows' keys, and a row's values come when it is drawn.
 *
 * GTK 4.8 does not say which column the user sorted by (its column view
 * sorter is private until 4.10), so each sortable column carries a sorter
 * that the page asks: with two probe objects, the view's sorter calls the
 * column sorters in sort order and turns a descending column's answer
 * around, which tells the first column and its direction. The rows are
 * then sorted in SQL.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-console"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "vetter-console-page.h"
#include "vetter-item-detail-view.h"
#include "vetter-json.h"
#include "vetter-labels.h"
#include "vetter-reasons.h"
#include "vetter-texture-loader.h"
#include "vetter-resources.h"
#include "vetter-store-query.h"

/* Clicks on the filters that come in quick succession make one query. */
#define FILTER_DELAY_MS 300
#define FACET_VALUES 30
#define FACET_TIME_LIMIT_MS 200

struct _VetterConsolePage
{
  GtkWidget          parent_instance;

  GtkWidget         *paned;
  GtkListBox        *table_list;
  GtkSearchEntry    *search_entry;
  GtkLabel          *count_label;
  GtkLabel          *message_label;
  GtkBox            *facet_box;
  GtkColumnView     *column_view;
  GtkActionBar      *action_bar;
  GtkLabel          *selection_label;
  GtkCheckButton    *all_matching;
  GtkLabel          *result_label;
  GtkWidget         *undo_button;
  GtkMenuButton     *reject_button;
  GtkWidget         *approve_button;
  GtkWidget         *review_button;
  GtkWidget         *edit_button;
  GtkWidget         *retry_button;
  GtkWidget         *try_again_button;
  GtkWidget         *revert_button;
  GtkMenuButton     *export_button;
  GtkMenuButton     *views_button;
  GtkLabel          *view_label;
  GtkStack          *stack;
  GtkLabel          *detail_title;
  VetterItemDetailView *detail_view;
  GCancellable      *detail_cancellable;

  VetterEngine      *engine;
  GSettings         *settings;      /* NULL without the schema */
  VetterDatabase    *database;
  GtkMultiSelection *selection;
  VetterBulkUndo    *last_undo;     /* the last action on many rows, to take back: */
  VetterEditUndo    *last_edit;     /* a decision, or an edit */
  gboolean           acting;        /* one runs */
  gboolean           exporting;
  GCancellable      *count_cancellable;
  gint64             quick_count;   /* the capped count of the running query; -1: not yet */
  gboolean           quick_capped;
  const VetterTable *table;
  VetterTableModel  *model;
  GHashTable        *chosen;        /* field → GPtrArray of values ticked */
  VetterQuery       *base;          /* the applied view's filters, under the ticked ones */
  GHashTable        *periods;       /* field → GUINT_TO_POINTER (Period) chosen */
  GPtrArray         *views;         /* VetterSavedView: the list's */
  char              *sort;          /* "[-]field" */
  GCancellable      *facets_cancellable;
  guint              filter_id;
  gboolean           building;      /* facets being rebuilt: their toggles are ours */

  /* The sort probe. */
  GObject           *probe_a;
  GObject           *probe_b;
  GPtrArray         *probe_order;   /* field names, as the view's sorter asked them */
  const char        *probe_answer;  /* the one column that answers "smaller" */
};

G_DEFINE_FINAL_TYPE (VetterConsolePage, vetter_console_page, GTK_TYPE_WIDGET)

/* ---- Cells ---------------------------------------------------------------- */

typedef struct
{
  guint                    index;   /* among the table's value columns */
  const VetterTableColumn *column;
} CellSpec;

static void fill_picture (GtkListItem *item);

/* The cell's content from its row's values: text, or a picture. */
static void fill_cell (GtkListItem *item);

static void
fill (GtkListItem *item)
{
  const CellSpec *spec = g_object_get_data (G_OBJECT (item), "vetter-cell-spec");

  if (spec->column->flags & VETTER_COLUMN_PICTURE)
    fill_picture (item);
  else
    fill_cell (item);
}

/* A stored value in the words the rest of the window uses for it. */
static const char *
value_words (const VetterTableColumn *column,
             const char              *value)
{
  VetterOutboxKind kind;

  switch (column->words)
    {
    case VETTER_WORDS_STATUS:
      return vetter_label_for_status (vetter_status_from_string (value));
    case VETTER_WORDS_REASON:
      return vetter_label_for_reason (value);
    case VETTER_WORDS_DEFECT:
      return vetter_label_for_defect (value);
    case VETTER_WORDS_SEVERITY:
      return vetter_label_for_severity (vetter_severity_from_string (value));
    case VETTER_WORDS_OUTBOX_KIND:
      return vetter_outbox_kind_from_string (value, &kind) ? vetter_label_for_outbox_kind (kind) : value;
    case VETTER_WORDS_AS_IS:
    default:
      return value;
    }
}

static char *
cell_text (const char              *value,
           const VetterTableColumn *column)
{
  VetterColumnType type = column->type;

  if (value == NULL)
    return g_strdup ("");
  if (column->words != VETTER_WORDS_AS_IS)
    return g_strdup (value_words (column, value));
  if (type == VETTER_COLUMN_TIME)
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_iso8601 (value, NULL);
      g_autoptr(GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;

      if (local)
        return g_date_time_format (local, "%Y-%m-%d %H:%M");
    }
  return g_strdup (value);
}

static void
fill_cell (GtkListItem *item)
{
  const CellSpec *spec = g_object_get_data (G_OBJECT (item), "vetter-cell-spec");
  VetterRecord *record = gtk_list_item_get_item (item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  g_autofree char *text = record ? cell_text (vetter_record_get_value (record, spec->index), spec->column) : NULL;

  gtk_label_set_label (label, text ? text : "");
}

static void
on_record_loaded (VetterRecord *record,
                  GParamSpec   *pspec,
                  GtkListItem  *item)
{
  fill (item);
}

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            const CellSpec           *spec)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), spec->column->type == VETTER_COLUMN_INTEGER ||
                                           spec->column->type == VETTER_COLUMN_REAL ? 1 : 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  if (spec->column->type != VETTER_COLUMN_TEXT)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
  g_object_set_data (G_OBJECT (item), "vetter-cell-spec", (gpointer) spec);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           const CellSpec           *spec)
{
  VetterRecord *record = gtk_list_item_get_item (item);

  fill (item);
  if (!vetter_record_get_loaded (record))
    g_signal_connect_object (record, "notify::loaded", G_CALLBACK (on_record_loaded), item, 0);
}

static void
unbind_cell (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             const CellSpec           *spec)
{
  VetterRecord *record = gtk_list_item_get_item (item);
  GCancellable *cancellable = g_object_get_data (G_OBJECT (item), "vetter-picture-cancellable");

  /* A picture still loading for the row is not wanted any more. */
  if (cancellable)
    g_cancellable_cancel (cancellable);
  g_object_set_data (G_OBJECT (item), "vetter-picture-path", NULL);
  if (record)
    g_signal_handlers_disconnect_by_func (record, on_record_loaded, item);
}

/* Pictures: loaded off the UI thread at the size they are drawn. */
#define PICTURE_SIZE 32

static void
on_picture_loaded (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GtkListItem) item = user_data;
  g_autoptr(GdkTexture) texture = vetter_texture_load_finish (result, NULL);
  const char *wanted = g_object_get_data (G_OBJECT (item), "vetter-picture-path");
  GtkWidget *picture = gtk_list_item_get_child (item);

  /* A load for a row since rebound was cancelled, and gives no texture. */
  if (texture && wanted && picture && GTK_IS_PICTURE (picture))
    gtk_picture_set_paintable (GTK_PICTURE (picture), GDK_PAINTABLE (texture));
}

static void
fill_picture (GtkListItem *item)
{
  const CellSpec *spec = g_object_get_data (G_OBJECT (item), "vetter-cell-spec");
  VetterRecord *record = gtk_list_item_get_item (item);
  const char *path = record ? vetter_record_get_value (record, spec->index) : NULL;
  GCancellable *cancellable = g_object_get_data (G_OBJECT (item), "vetter-picture-cancellable");
  const char *paths[] = { path, NULL };

  if (cancellable)
    g_cancellable_cancel (cancellable);
  gtk_picture_set_paintable (GTK_PICTURE (gtk_list_item_get_child (item)), NULL);
  g_object_set_data_full (G_OBJECT (item), "vetter-picture-path", g_strdup (path), g_free);
  if (path == NULL)
    return;
  cancellable = g_cancellable_new ();
  g_object_set_data_full (G_OBJECT (item), "vetter-picture-cancellable", cancellable, g_object_unref);
  vetter_texture_load_async (paths, PICTURE_SIZE, PICTURE_SIZE, cancellable, on_picture_loaded, g_object_ref (item));
}

static void
setup_picture (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               const CellSpec           *spec)
{
  GtkWidget *picture = gtk_picture_new ();

  gtk_widget_set_size_request (picture, PICTURE_SIZE, PICTURE_SIZE);
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
  gtk_list_item_set_child (item, picture);
  g_object_set_data (G_OBJECT (item), "vetter-cell-spec", (gpointer) spec);
}

/* ---- The query ------------------------------------------------------------ */

static void refresh_facets (VetterConsolePage *self);

/* ---- Periods -------------------------------------------------------------- */

typedef enum
{
  PERIOD_ANY,
  PERIOD_TODAY,
  PERIOD_WEEK,
  PERIOD_MONTH,
} Period;

static const char * const period_words[] = { N_("Any time"), N_("Today"), N_("Last 7 days"), N_("Last 30 days"), NULL };

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

static void add_periods (VetterConsolePage *self, VetterQuery *query);

static VetterQuery *
build_query (VetterConsolePage *self)
{
  VetterQuery *query = self->base ? vetter_query_copy (self->base) : vetter_query_new (self->table);
  GHashTableIter iter;
  gpointer field, values;

  g_hash_table_iter_init (&iter, self->chosen);
  while (g_hash_table_iter_next (&iter, &field, &values))
    for (guint i = 0; i < ((GPtrArray *) values)->len; i++)
      vetter_query_add_filter (query, field, VETTER_FILTER_EQUAL, g_ptr_array_index ((GPtrArray *) values, i), NULL);
  add_periods (self, query);
  vetter_query_set_search (query, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  if (self->sort)
    vetter_query_set_sort (query, self->sort, NULL);
  return query;
}

/* Counts stay cheap: a count that stops past 10,000 answers at once, while
 * every key is read; it stands in when reading them runs out of time. */
#define QUICK_COUNT_CAP 10000

static void
show_count (VetterConsolePage *self,
            gint64             count,
            gboolean           capped)
{
  g_autofree char *text = NULL;

  if (capped)
    text = g_strdup_printf (_("more than %d rows"), QUICK_COUNT_CAP);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" G_GINT64_FORMAT " row", "%" G_GINT64_FORMAT " rows",
                                         (gulong) count), count);
  gtk_label_set_label (self->count_label, text);
}

typedef struct
{
  gint64   count;
  gboolean capped;
} QuickCount;

static gpointer
store_quick_count (VetterStore  *store,
                   gpointer      data,
                   GError      **error)
{
  QuickCount *result = g_new0 (QuickCount, 1);

  vetter_store_set_query_time_limit (store, 200);
  result->count = vetter_store_query_count (store, data, QUICK_COUNT_CAP, &result->capped, error);
  vetter_store_set_query_time_limit (store, 0);
  if (result->count < 0)
    g_clear_pointer (&result, g_free);
  return result;
}

static void
on_quick_count (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  g_autofree QuickCount *count = vetter_database_run_finish (VETTER_DATABASE (source), result, NULL);

  if (count == NULL)
    return;
  self->quick_count = count->count;
  self->quick_capped = count->capped;
  if (self->model && !vetter_table_model_is_ready (self->model))
    show_count (self, count->count, count->capped);
}

static void
run_query (VetterConsolePage *self)
{
  g_autoptr(VetterQuery) query = NULL;

  if (self->model == NULL)
    return;
  g_clear_handle_id (&self->filter_id, g_source_remove);
  query = build_query (self);
  gtk_label_set_label (self->count_label, _("Counting…"));
  g_cancellable_cancel (self->count_cancellable);
  g_clear_object (&self->count_cancellable);
  self->count_cancellable = g_cancellable_new ();
  self->quick_count = -1;
  vetter_database_run_async (self->database, store_quick_count, vetter_query_copy (query),
                             (GDestroyNotify) vetter_query_free, g_free, self->count_cancellable, on_quick_count,
                             g_object_ref (self));
  vetter_table_model_set_query (self->model, query);
}

static gboolean
run_query_later (gpointer data)
{
  VetterConsolePage *self = data;

  self->filter_id = 0;
  run_query (self);
  return G_SOURCE_REMOVE;
}

static void
on_model_loaded (VetterConsolePage *self,
                 GError            *error)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->model));

  gtk_widget_set_visible (GTK_WIDGET (self->message_label), error != NULL);
  if (error)
    {
      /* The first rows are there; the count is the quick one, if any. */
      gtk_label_set_label (self->message_label, error->message);
      if (self->quick_count >= 0)
        show_count (self, self->quick_count, self->quick_capped);
      else
        gtk_label_set_label (self->count_label, _("Not counted"));
    }
  else
    show_count (self, n, FALSE);
  refresh_facets (self);
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
  g_clear_handle_id (&self->filter_id, g_source_remove);
  self->filter_id = g_timeout_add (FILTER_DELAY_MS, run_query_later, self);
}

static void
add_periods (VetterConsolePage *self,
             VetterQuery       *query)
{
  GHashTableIter iter;
  gpointer field, period;

  g_hash_table_iter_init (&iter, self->periods);
  while (g_hash_table_iter_next (&iter, &field, &period))
    {
      g_autofree char *start = period_start (GPOINTER_TO_UINT (period));

      if (start)
        vetter_query_add_filter (query, field, VETTER_FILTER_AT_LEAST, start, NULL);
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
  g_clear_handle_id (&self->filter_id, g_source_remove);
  self->filter_id = g_timeout_add (FILTER_DELAY_MS, run_query_later, self);
}

/* A time field's group: a choice of periods. */
static GtkWidget *
period_group (VetterConsolePage       *self,
              const VetterTableColumn *column)
{
  GtkWidget *group = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *heading = gtk_label_new (_(column->label));
  g_autoptr(GtkStringList) words = gtk_string_list_new (NULL);
  GtkWidget *dropdown;

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
          label = g_strdup_printf ("%s (%" G_GINT64_FORMAT ")", value_words (column, value->value), value->count);
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

static void
refresh_facets (VetterConsolePage *self)
{
  g_cancellable_cancel (self->facets_cancellable);
  g_clear_object (&self->facets_cancellable);
  self->facets_cancellable = g_cancellable_new ();
  vetter_database_run_async (self->database, store_facets, build_query (self), (GDestroyNotify) vetter_query_free,
                             (GDestroyNotify) g_ptr_array_unref, self->facets_cancellable, on_facets,
                             g_object_ref (self));
}

/* ---- Sorting -------------------------------------------------------------- */

static int
probe_compare (gconstpointer a,
               gconstpointer b,
               gpointer      data)
{
  const char *field = data;
  VetterConsolePage *self = g_object_get_data (G_OBJECT (a), "vetter-page");

  if (self->probe_answer == NULL)
    {
      g_ptr_array_add (self->probe_order, (gpointer) field);
      return GTK_ORDERING_EQUAL;
    }
  return g_str_equal (field, self->probe_answer) ? GTK_ORDERING_SMALLER : GTK_ORDERING_EQUAL;
}

static void
on_sort_changed (GtkSorter         *sorter,
                 GtkSorterChange    change,
                 VetterConsolePage *self)
{
  GtkOrdering order;

  g_ptr_array_set_size (self->probe_order, 0);
  self->probe_answer = NULL;
  gtk_sorter_compare (sorter, self->probe_a, self->probe_b);
  g_clear_pointer (&self->sort, g_free);
  if (self->probe_order->len > 0)
    {
      self->probe_answer = g_ptr_array_index (self->probe_order, 0);
      order = gtk_sorter_compare (sorter, self->probe_a, self->probe_b);
      self->sort = g_strconcat (order == GTK_ORDERING_LARGER ? "-" : "", self->probe_answer, NULL);
      self->probe_answer = NULL;
    }
  run_query (self);
}

/* ---- Acting on many rows -------------------------------------------------- */

static gboolean
acts_on_ads (VetterConsolePage *self)
{
  return self->table && (g_str_equal (self->table->name, "ads") || g_str_equal (self->table->name, "conflicts"));
}

static void
update_selection_label (VetterConsolePage *self)
{
  g_autofree char *text = NULL;

  if (self->model == NULL || self->selection == NULL)
    return;
  if (gtk_check_button_get_active (self->all_matching))
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->model));

      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "All %u matching row", "All %u matching rows", n), n);
    }
  else
    {
      g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
      guint64 n = gtk_bitset_get_size (selected);

      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" G_GUINT64_FORMAT " selected",
                                           "%" G_GUINT64_FORMAT " selected", (gulong) n), n);
    }
  gtk_label_set_label (self->selection_label, text);
}

/* The keys the next action is for: every matching row, or the selected. */
static GArray *
target_keys (VetterConsolePage *self)
{
  g_autoptr(GtkBitset) selected = NULL;
  GtkBitsetIter iter;
  GArray *keys;
  guint position;

  if (gtk_check_button_get_active (self->all_matching))
    return vetter_table_model_dup_keys (self->model);
  keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  for (gboolean more = gtk_bitset_iter_init_first (&iter, selected, &position); more;
       more = gtk_bitset_iter_next (&iter, &position))
    {
      gint64 key = vetter_table_model_get_key (self->model, position);

      g_array_append_val (keys, key);
    }
  return keys;
}

/* The keys to act on, or NULL when there are none, the person told why. */
static GArray *
acted_on (VetterConsolePage *self)
{
  GArray *keys = target_keys (self);

  if (keys->len > 0)
    return keys;
  g_array_unref (keys);
  gtk_widget_error_bell (GTK_WIDGET (self));
  gtk_label_set_label (self->result_label, _("Select rows first, or tick “Every Matching Row”"));
  return NULL;
}


/* ---- One field on many ads ------------------------------------------------ */

typedef struct
{
  GArray *item_ids;
  char   *field;
  char   *value;
  VetterEditUndo *undo;   /* borrowed, for an undo */
} EditJob;

static void
edit_job_free (gpointer data)
{
  EditJob *job = data;

  g_clear_pointer (&job->item_ids, g_array_unref);
  g_free (job->field);
  g_free (job->value);
  g_free (job);
}

static gpointer
store_edit (VetterStore  *store,
            gpointer      data,
            GError      **error)
{
  EditJob *job = data;

  return vetter_store_edit_many (store, (const gint64 *) (gpointer) job->item_ids->data, job->item_ids->len, job->field,
                                 job->value, g_get_user_name (), error);
}

static gpointer
store_undo_edit (VetterStore  *store,
                 gpointer      data,
                 GError      **error)
{
  EditJob *job = data;

  return vetter_store_undo_edit (store, job->undo, g_get_user_name (), error) ? GINT_TO_POINTER (TRUE) : NULL;
}

static void
on_edited (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  g_autoptr(GError) error = NULL;
  VetterEditUndo *undo = vetter_database_run_finish (VETTER_DATABASE (source), result, &error);
  g_autofree char *text = NULL;

  self->acting = FALSE;
  if (undo == NULL)
    {
      g_autofree char *why = g_strdup_printf (_("Nothing changed: %s"), error->message);

      gtk_label_set_label (self->result_label, why);
      return;
    }
  g_clear_pointer (&self->last_undo, vetter_bulk_undo_free);
  g_clear_pointer (&self->last_edit, vetter_edit_undo_free);
  self->last_edit = undo;
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u ad edited", "%u ads edited", undo->item_ids->len),
                          undo->item_ids->len);
  gtk_label_set_label (self->result_label, text);
  gtk_widget_set_visible (self->undo_button, undo->item_ids->len > 0);
}

void
vetter_console_page_edit (VetterConsolePage *self,
                          const char        *field,
                          const char        *value)
{
  EditJob *job;
  GArray *keys;

  if (!acts_on_ads (self) || self->acting)
    return;
  keys = acted_on (self);
  if (keys == NULL)
    return;
  job = g_new0 (EditJob, 1);
  job->item_ids = keys;
  job->field = g_strdup (field);
  job->value = g_strdup (value);
  self->acting = TRUE;
  vetter_database_run_async (self->database, store_edit, job, edit_job_free, (GDestroyNotify) vetter_edit_undo_free,
                             NULL, on_edited, g_object_ref (self));
}

static void
on_edit_answered (AdwMessageDialog  *dialog,
                  const char        *response,
                  VetterConsolePage *self)
{
  GtkDropDown *fields = g_object_get_data (G_OBJECT (dialog), "vetter-fields");
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "vetter-entry");

  if (g_str_equal (response, "edit"))
    vetter_console_page_edit (self, gtk_drop_down_get_selected (fields) == 0 ? "title" : "category",
                              gtk_editable_get_text (entry));
}

static void
edit_action (GtkWidget  *widget,
             const char *name,
             GVariant   *parameter)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  const char *choices[] = { _("Title"), _("Category"), NULL };
  GtkWidget *dialog, *box, *fields, *entry;

  if (!acts_on_ads (self))
    return;
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, _("Edit Ads"),
                                   gtk_label_get_label (self->selection_label));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  fields = gtk_drop_down_new_from_strings (choices);
  gtk_accessible_update_property (GTK_ACCESSIBLE (fields), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Field"), -1);
  entry = gtk_entry_new ();
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("New value"), -1);
  gtk_box_append (GTK_BOX (box), fields);
  gtk_box_append (GTK_BOX (box), entry);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "edit", _("_Set"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "edit", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "edit");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "vetter-fields", fields);
  g_object_set_data (G_OBJECT (dialog), "vetter-entry", entry);
  g_signal_connect (dialog, "response", G_CALLBACK (on_edit_answered), self);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static void
on_decided_many (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  g_autoptr(GError) error = NULL;
  VetterBulkUndo *undo = vetter_engine_decide_many_finish (VETTER_ENGINE (source), result, &error);
  g_autofree char *text = NULL;

  self->acting = FALSE;
  if (undo == NULL)
    {
      gtk_label_set_label (self->result_label, error->message);
      return;
    }
  g_clear_pointer (&self->last_undo, vetter_bulk_undo_free);
  g_clear_pointer (&self->last_edit, vetter_edit_undo_free);
  self->last_undo = undo;
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u ad decided", "%u ads decided", undo->item_ids->len),
                          undo->item_ids->len);
  if (undo->skipped > 0)
    {
      g_autofree char *left = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%u left alone (not processed yet, or failed)",
                                                            "%u left alone (not processed yet, or failed)",
                                                            undo->skipped), undo->skipped);
      g_autofree char *both = g_strconcat (text, " · ", left, NULL);

      g_free (text);
      text = g_steal_pointer (&both);
    }
  gtk_label_set_label (self->result_label, text);
  gtk_widget_set_visible (self->undo_button, undo->item_ids->len > 0);
}

static void
decide_many (VetterConsolePage *self,
             VetterStatus       status,
             const char        *reason_code)
{
  g_autoptr(GArray) keys = NULL;
  g_autoptr(VetterItemDecision) decision = NULL;

  if (!acts_on_ads (self) || self->acting)
    return;
  keys = acted_on (self);
  if (keys == NULL)
    return;
  self->acting = TRUE;
  decision = vetter_item_decision_new_manual (status, reason_code, NULL, g_get_user_name ());
  vetter_engine_decide_many_async (self->engine, keys, decision, g_get_user_name (), NULL, on_decided_many,
                                   g_object_ref (self));
}

static void
decide_action (GtkWidget  *widget,
               const char *name,
               GVariant   *parameter)
{
  decide_many (VETTER_CONSOLE_PAGE (widget), vetter_status_from_string (g_variant_get_string (parameter, NULL)), NULL);
}

static void
reject_action (GtkWidget  *widget,
               const char *name,
               GVariant   *parameter)
{
  decide_many (VETTER_CONSOLE_PAGE (widget), VETTER_STATUS_REJECTED, g_variant_get_string (parameter, NULL));
}

static void
pick_reason_action (GtkWidget  *widget,
                    const char *name,
                    GVariant   *parameter)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (widget);

  if (acts_on_ads (self))
    gtk_menu_button_popup (self->reject_button);
}

static void
on_undone_many (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  g_autoptr(GError) error = NULL;

  self->acting = FALSE;
  if (!vetter_engine_undo_many_finish (VETTER_ENGINE (source), result, &error))
    {
      gtk_label_set_label (self->result_label, error->message);
      return;
    }
  g_clear_pointer (&self->last_undo, vetter_bulk_undo_free);
  gtk_widget_set_visible (self->undo_button, FALSE);
  gtk_label_set_label (self->result_label, _("Undone: every ad has its decision back"));
}

static void
on_undone_edit (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  g_autoptr(GError) error = NULL;

  self->acting = FALSE;
  if (vetter_database_run_finish (VETTER_DATABASE (source), result, &error) == NULL)
    {
      gtk_label_set_label (self->result_label, error->message);
      return;
    }
  g_clear_pointer (&self->last_edit, vetter_edit_undo_free);
  gtk_widget_set_visible (self->undo_button, FALSE);
  gtk_label_set_label (self->result_label, _("Undone: every ad has its value back"));
}

static void
undo_action (GtkWidget  *widget,
             const char *name,
             GVariant   *parameter)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (widget);

  if ((self->last_undo == NULL && self->last_edit == NULL) || self->acting)
    {
      gtk_widget_error_bell (widget);
      return;
    }
  self->acting = TRUE;
  if (self->last_edit)
    {
      EditJob *job = g_new0 (EditJob, 1);

      job->undo = self->last_edit;
      vetter_database_run_async (self->database, store_undo_edit, job, edit_job_free, NULL, NULL, on_undone_edit,
                                 g_object_ref (self));
      return;
    }
  vetter_engine_undo_many_async (self->engine, self->last_undo, g_get_user_name (), NULL, on_undone_many,
                                 g_object_ref (self));
}

static gboolean
acts_on_outbox (VetterConsolePage *self)
{
  return self->table && g_str_equal (self->table->name, "outbox");
}

static gpointer
store_try_again (VetterStore  *store,
                 gpointer      data,
                 GError      **error)
{
  GArray *ids = data;
  gint64 changed = vetter_store_outbox_try_again (store, (const gint64 *) (gpointer) ids->data, ids->len, error);

  return changed < 0 ? NULL : g_memdup2 (&changed, sizeof changed);
}

static void
on_tried_again (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree gint64 *changed = vetter_database_run_finish (VETTER_DATABASE (source), result, &error);
  g_autofree char *text = NULL;

  self->acting = FALSE;
  if (changed == NULL)
    {
      gtk_label_set_label (self->result_label, error->message);
      return;
    }
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" G_GINT64_FORMAT " row is due again now",
                                       "%" G_GINT64_FORMAT " rows are due again now", (gulong) *changed), *changed);
  gtk_label_set_label (self->result_label, text);
}

static void
try_again_action (GtkWidget  *widget,
                  const char *name,
                  GVariant   *parameter)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (widget);
  GArray *keys;

  if (!acts_on_outbox (self) || self->acting)
    return;
  keys = acted_on (self);
  if (keys == NULL)
    return;
  self->acting = TRUE;
  vetter_database_run_async (self->database, store_try_again, keys, (GDestroyNotify) g_array_unref, g_free, NULL,
                             on_tried_again, g_object_ref (self));
}

static gboolean
acts_on_audit (VetterConsolePage *self)
{
  return self->table && g_str_equal (self->table->name, "audit");
}

static void
on_reverted (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 item_id = vetter_engine_revert_finish (VETTER_ENGINE (source), result, &error);
  g_autofree char *text = NULL;

  self->acting = FALSE;
  if (item_id == 0)
    text = g_strdup_printf (_("Not reverted: %s"), error->message);
  else
    text = g_strdup_printf (_("Ad %" G_GINT64_FORMAT " is back as it was before that change"), item_id);
  gtk_label_set_label (self->result_label, text);
}

static void
revert_action (GtkWidget  *widget,
               const char *name,
               GVariant   *parameter)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (widget);
  g_autoptr(GArray) keys = NULL;

  if (!acts_on_audit (self) || self->acting)
    return;
  gtk_check_button_set_active (self->all_matching, FALSE);
  keys = target_keys (self);
  if (keys->len != 1)
    {
      gtk_widget_error_bell (widget);
      gtk_label_set_label (self->result_label, _("Select the one change to go back before"));
      return;
    }
  self->acting = TRUE;
  vetter_engine_revert_async (self->engine, g_array_index (keys, gint64, 0), g_get_user_name (), NULL, on_reverted,
                              g_object_ref (self));
}

/* ---- Failed ads, again ----------------------------------------------------- */

typedef struct
{
  GArray *batches;
  guint   retried;
} RetryResult;

static void
retry_result_free (gpointer data)
{
  RetryResult *result = data;

  g_clear_pointer (&result->batches, g_array_unref);
  g_free (result);
}

static gpointer
store_retry (VetterStore  *store,
             gpointer      data,
             GError      **error)
{
  GArray *ids = data;
  RetryResult *result = g_new0 (RetryResult, 1);

  result->batches = vetter_store_retry_items (store, (const gint64 *) (gpointer) ids->data, ids->len, &result->retried,
                                              error);
  if (result->batches == NULL)
    g_clear_pointer (&result, retry_result_free);
  return result;
}

static void
on_retried (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  g_autoptr(GError) error = NULL;
  RetryResult *retry = vetter_database_run_finish (VETTER_DATABASE (source), result, &error);
  g_autofree char *text = NULL;

  self->acting = FALSE;
  if (retry == NULL)
    {
      gtk_label_set_label (self->result_label, error->message);
      return;
    }
  /* Their batches run again, here. */
  for (guint i = 0; i < retry->batches->len; i++)
    vetter_engine_resume_batch (self->engine, g_array_index (retry->batches, gint64, i));
  text = retry->retried > 0
           ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u failed ad is processed again",
                                           "%u failed ads are processed again", retry->retried), retry->retried)
           : g_strdup (_("None of them had failed"));
  gtk_label_set_label (self->result_label, text);
  retry_result_free (retry);
}

static void
retry_action (GtkWidget  *widget,
              const char *name,
              GVariant   *parameter)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (widget);
  GArray *keys;

  if (!acts_on_ads (self) || self->acting)
    return;
  keys = acted_on (self);
  if (keys == NULL)
    return;
  self->acting = TRUE;
  vetter_database_run_async (self->database, store_retry, keys, (GDestroyNotify) g_array_unref, retry_result_free,
                             NULL, on_retried, g_object_ref (self));
}

static GMenuModel *
reasons_menu (void)
{
  GMenu *menu = g_menu_new ();
  guint n;
  const VetterReason *reasons = vetter_reasons (&n);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (_(reasons[i].label), NULL);

      g_menu_item_set_action_and_target_value (item, "console.reject", g_variant_new_string (reasons[i].code));
      g_menu_append_item (menu, item);
    }
  return G_MENU_MODEL (menu);
}

/* ---- Export --------------------------------------------------------------- */

typedef struct
{
  VetterQuery     *query;
  VetterRowFormat  format;
  char            *path;
  GWeakRef         page;
} ExportJob;

typedef struct
{
  GWeakRef page;
  gint64   written;
} ExportProgress;

static void
export_job_free (gpointer data)
{
  ExportJob *job = data;

  vetter_query_free (job->query);
  g_free (job->path);
  g_weak_ref_clear (&job->page);
  g_free (job);
}

static gboolean
show_export_progress (gpointer data)
{
  ExportProgress *progress = data;
  g_autoptr(VetterConsolePage) self = g_weak_ref_get (&progress->page);

  if (self && self->exporting)
    {
      g_autofree char *text = g_strdup_printf (_("Exporting… %" G_GINT64_FORMAT " rows"), progress->written);

      gtk_label_set_label (self->result_label, text);
    }
  g_weak_ref_clear (&progress->page);
  g_free (progress);
  return G_SOURCE_REMOVE;
}

/* On the database thread: told to the main thread. */
static void
on_export_progress (gint64   written,
                    gpointer data)
{
  ExportJob *job = data;
  ExportProgress *progress = g_new0 (ExportProgress, 1);
  g_autoptr(GObject) page = g_weak_ref_get (&job->page);

  g_weak_ref_init (&progress->page, page);
  progress->written = written;
  g_idle_add (show_export_progress, progress);
}

static gpointer
store_export (VetterStore  *store,
              gpointer      data,
              GError      **error)
{
  ExportJob *job = data;
  gint64 written = vetter_store_export_query (store, job->query, job->format, job->path, on_export_progress, job, error);

  return written < 0 ? NULL : g_memdup2 (&written, sizeof written);
}

static void
on_exported (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree gint64 *written = vetter_database_run_finish (VETTER_DATABASE (source), result, &error);
  g_autofree char *text = NULL;

  self->exporting = FALSE;
  if (written == NULL)
    text = g_strdup_printf (_("Not exported: %s"), error->message);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Exported %" G_GINT64_FORMAT " row",
                                         "Exported %" G_GINT64_FORMAT " rows", (gulong) *written), *written);
  gtk_label_set_label (self->result_label, text);
  gtk_action_bar_set_revealed (self->action_bar, TRUE);
}

void
vetter_console_page_export (VetterConsolePage *self,
                            const char        *format,
                            const char        *path)
{
  ExportJob *job;
  VetterRowFormat row_format;

  g_return_if_fail (vetter_row_format_from_string (format, &row_format));
  if (self->table == NULL || self->exporting)
    return;
  job = g_new0 (ExportJob, 1);
  job->format = row_format;
  job->query = build_query (self);
  job->path = g_strdup (path);
  g_weak_ref_init (&job->page, self);
  self->exporting = TRUE;
  gtk_action_bar_set_revealed (self->action_bar, TRUE);
  gtk_label_set_label (self->result_label, _("Exporting…"));
  vetter_database_run_async (self->database, store_export, job, export_job_free, g_free, NULL, on_exported,
                             g_object_ref (self));
}

static void
on_export_chosen (GtkNativeDialog   *dialog,
                  int                response,
                  VetterConsolePage *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      const char *format = g_object_get_data (G_OBJECT (dialog), "vetter-format");

      if (path)
        vetter_console_page_export (self, format, path);
    }
  g_object_unref (dialog);
}

static void
export_action (GtkWidget  *widget,
               const char *name,
               GVariant   *parameter)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (widget);
  const char *format = g_variant_get_string (parameter, NULL);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *dialog;
  g_autofree char *suggested = NULL;

  if (self->table == NULL)
    return;
  dialog = gtk_file_chooser_native_new (_("Export"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  suggested = g_strdup_printf ("%s.%s", self->table->name, g_str_equal (format, "json") ? "jsonl" : "csv");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), suggested);
  g_object_set_data_full (G_OBJECT (dialog), "vetter-format", g_strdup (format), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static GMenuModel *
export_menu (void)
{
  GMenu *menu = g_menu_new ();

  g_menu_append (menu, _("CSV…"), "console.export::csv");
  g_menu_append (menu, _("JSON Lines…"), "console.export::json");
  return G_MENU_MODEL (menu);
}

/* ---- An ad in full -------------------------------------------------------- */

static void
on_detail (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterItemDetail) item = vetter_engine_item_detail_finish (VETTER_ENGINE (source), result, &error);
  g_autofree char *title = NULL;

  if (item == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_label_set_label (self->result_label, error->message);
      return;
    }
  title = g_strdup_printf (_("Ad %" G_GINT64_FORMAT ": %s"), item->id, item->title ? item->title : "");
  gtk_label_set_label (self->detail_title, title);
  vetter_item_detail_view_set_item (self->detail_view, item, 0);
  gtk_stack_set_visible_child_name (self->stack, "detail");
}

/* Enter or a double click on a row of ads: the ad in full, with its
 * images' findings, variants and history. */
static void
on_row_activated (GtkColumnView     *view,
                  guint              position,
                  VetterConsolePage *self)
{
  if (self->model == NULL || position >= g_list_model_get_n_items (G_LIST_MODEL (self->model)))
    return;
  /* A batch or an advertiser opens as the list of their ads. */
  if (g_str_equal (self->table->name, "batches") || g_str_equal (self->table->name, "advertisers"))
    {
      g_autoptr(VetterRecord) record = g_list_model_get_item (G_LIST_MODEL (self->model), position);
      gboolean batch = g_str_equal (self->table->name, "batches");
      g_autofree char *value = batch ? g_strdup_printf ("%" G_GINT64_FORMAT, vetter_record_get_key (record))
                                     : g_strdup (vetter_record_get_value (record, 0));
      g_autofree char *title = batch ? g_strdup_printf (_("Batch %s"), value) : g_strdup (value);

      /* An advertiser's row not drawn yet has no address to go by. */
      if (value == NULL)
        {
          gtk_widget_error_bell (GTK_WIDGET (self));
          return;
        }
      vetter_console_page_show_table (self, "ads");
      self->base = vetter_query_new (self->table);
      vetter_query_add_filter (self->base, batch ? "batch" : "email", VETTER_FILTER_EQUAL, value, NULL);
      gtk_label_set_label (self->view_label, title);
      gtk_widget_set_visible (GTK_WIDGET (self->view_label), TRUE);
      run_query (self);
      return;
    }
  if (!acts_on_ads (self))
    return;
  g_cancellable_cancel (self->detail_cancellable);
  g_clear_object (&self->detail_cancellable);
  self->detail_cancellable = g_cancellable_new ();
  vetter_engine_item_detail_async (self->engine, vetter_table_model_get_key (self->model, position),
                                   self->detail_cancellable, on_detail, g_object_ref (self));
}

static void
back_action (GtkWidget  *widget,
             const char *name,
             GVariant   *parameter)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (widget);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "detail") != 0)
    return;
  gtk_stack_set_visible_child_name (self->stack, "list");
  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

/* ---- Saved views ---------------------------------------------------------- */

static void refresh_views (VetterConsolePage *self);
static GtkColumnViewColumn *view_column_for (VetterConsolePage *self, const char *field);
static void on_search_changed (VetterConsolePage *self);

typedef struct
{
  char  *table_name;
  char  *name;
  char  *query;
  GStrv  columns;
} SaveJob;

static void
save_job_free (gpointer data)
{
  SaveJob *job = data;

  g_free (job->table_name);
  g_free (job->name);
  g_free (job->query);
  g_strfreev (job->columns);
  g_free (job);
}

static gpointer
store_save_view (VetterStore  *store,
                 gpointer      data,
                 GError      **error)
{
  SaveJob *job = data;

  if (!vetter_store_save_view (store, job->table_name, job->name, job->query, (const char * const *) job->columns,
                               g_get_user_name (), error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static void
on_view_saved (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (vetter_database_run_finish (VETTER_DATABASE (source), result, &error) == NULL)
    {
      gtk_label_set_label (self->result_label, error->message);
      gtk_action_bar_set_revealed (self->action_bar, TRUE);
      return;
    }
  refresh_views (self);
}

void
vetter_console_page_save_view (VetterConsolePage *self,
                               const char        *name)
{
  g_autoptr(VetterQuery) query = build_query (self);
  GListModel *columns = gtk_column_view_get_columns (self->column_view);
  g_autoptr(GStrvBuilder) shown = g_strv_builder_new ();
  SaveJob *job = g_new0 (SaveJob, 1);

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (gtk_column_view_column_get_visible (column))
        g_strv_builder_add (shown, g_object_get_data (G_OBJECT (column), "vetter-field"));
    }
  job->table_name = g_strdup (self->table->name);
  job->name = g_strdup (name);
  job->query = vetter_query_to_json (query);
  job->columns = g_strv_builder_end (shown);
  vetter_database_run_async (self->database, store_save_view, job, save_job_free, NULL, NULL, on_view_saved,
                             g_object_ref (self));
}

static void
show_sort (VetterConsolePage *self,
           const char        *sort)
{
  gboolean descending = sort && sort[0] == '-';
  GtkColumnViewColumn *column = sort ? view_column_for (self, sort + (descending ? 1 : 0)) : NULL;
  GtkSorter *view_sorter = gtk_column_view_get_sorter (self->column_view);

  g_signal_handlers_block_by_func (view_sorter, on_sort_changed, self);
  gtk_column_view_sort_by_column (self->column_view, column, descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
  g_signal_handlers_unblock_by_func (view_sorter, on_sort_changed, self);
}

void
vetter_console_page_apply_view (VetterConsolePage *self,
                                const char        *name)
{
  VetterSavedView *view = NULL;
  g_autoptr(VetterQuery) query = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *search, *sort;

  for (guint i = 0; self->views && i < self->views->len && view == NULL; i++)
    if (g_str_equal (((VetterSavedView *) self->views->pdata[i])->name, name))
      view = self->views->pdata[i];
  if (view == NULL)
    return;
  query = vetter_query_from_json (self->table, view->query, &error);
  if (query == NULL)
    {
      gtk_label_set_label (self->result_label, error->message);
      gtk_action_bar_set_revealed (self->action_bar, TRUE);
      return;
    }
  /* The view's search and sort go to their own controls; its filters
   * stay under the facets. */
  root = json_from_string (view->query, NULL);
  search = vetter_json_string (json_node_get_object (root), "search");
  sort = vetter_json_string (json_node_get_object (root), "sort");
  vetter_query_set_search (query, NULL);
  g_clear_pointer (&self->base, vetter_query_free);
  self->base = g_steal_pointer (&query);
  g_hash_table_remove_all (self->chosen);
  g_hash_table_remove_all (self->periods);
  g_free (self->sort);
  self->sort = g_strdup (sort);
  show_sort (self, sort);
  if (view->columns)
    {
      GListModel *columns = gtk_column_view_get_columns (self->column_view);

      for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
        {
          g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

          gtk_column_view_column_set_visible (column, g_strv_contains ((const char * const *) view->columns,
                                                                      g_object_get_data (G_OBJECT (column),
                                                                                         "vetter-field")));
        }
    }
  gtk_label_set_label (self->view_label, view->name);
  gtk_widget_set_visible (GTK_WIDGET (self->view_label), TRUE);
  g_signal_handlers_block_by_func (self->search_entry, on_search_changed, self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), search ? search : "");
  g_signal_handlers_unblock_by_func (self->search_entry, on_search_changed, self);
  run_query (self);
}

static void
apply_view_action (GtkWidget  *widget,
                   const char *name,
                   GVariant   *parameter)
{
  vetter_console_page_apply_view (VETTER_CONSOLE_PAGE (widget), g_variant_get_string (parameter, NULL));
}

static void
on_save_answered (AdwMessageDialog  *dialog,
                  const char        *response,
                  VetterConsolePage *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "vetter-entry");

  if (g_str_equal (response, "save"))
    vetter_console_page_save_view (self, gtk_editable_get_text (entry));
}

static void
save_view_action (GtkWidget  *widget,
                  const char *name,
                  GVariant   *parameter)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, _("Save View"),
                                              _("The search, the filters, the sort and the columns shown, under a "
                                                "name, one click away for everyone on this database."));
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Name of the view"), -1);
  if (gtk_widget_get_visible (GTK_WIDGET (self->view_label)))
    gtk_editable_set_text (GTK_EDITABLE (entry), gtk_label_get_label (self->view_label));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "save", _("_Save"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "vetter-entry", entry);
  g_signal_connect (dialog, "response", G_CALLBACK (on_save_answered), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static gpointer
store_list_views (VetterStore  *store,
                  gpointer      data,
                  GError      **error)
{
  return vetter_store_list_views (store, data, error);
}

static void
on_views (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(VetterConsolePage) self = user_data;
  g_autoptr(GPtrArray) views = vetter_database_run_finish (VETTER_DATABASE (source), result, NULL);
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) saved = g_menu_new ();

  if (views == NULL)
    return;
  for (guint i = 0; i < views->len; i++)
    {
      VetterSavedView *view = views->pdata[i];
      g_autoptr(GMenuItem) item = g_menu_item_new (view->name, NULL);

      g_menu_item_set_action_and_target_value (item, "console.apply-view", g_variant_new_string (view->name));
      g_menu_append_item (saved, item);
    }
  g_menu_append_section (menu, NULL, G_MENU_MODEL (saved));
  g_menu_append (menu, _("Save View…"), "console.save-view");
  gtk_menu_button_set_menu_model (self->views_button, G_MENU_MODEL (menu));
  g_clear_pointer (&self->views, g_ptr_array_unref);
  self->views = g_steal_pointer (&views);
}

static void
refresh_views (VetterConsolePage *self)
{
  vetter_database_run_async (self->database, store_list_views, g_strdup (self->table->name), g_free,
                             (GDestroyNotify) g_ptr_array_unref, NULL, on_views, g_object_ref (self));
}

/* ---- Tables --------------------------------------------------------------- */

static void
remove_columns (VetterConsolePage *self)
{
  GListModel *columns = gtk_column_view_get_columns (self->column_view);

  while (g_list_model_get_n_items (columns) > 0)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, 0);

      gtk_column_view_remove_column (self->column_view, column);
    }
}

/* Wide enough for what the column usually holds. */
static int
column_width (const VetterTableColumn *column)
{
  if (column->flags & VETTER_COLUMN_PICTURE)
    return 64;
  switch (column->type)
    {
    case VETTER_COLUMN_INTEGER:
    case VETTER_COLUMN_REAL:
      return 80;
    case VETTER_COLUMN_TIME:
      return 140;
    case VETTER_COLUMN_TEXT:
    default:
      return column->flags & VETTER_COLUMN_SEARCHED ? 220 : 130;
    }
}

/* ---- Which columns show ----------------------------------------------------- */

static gboolean
column_shown (VetterConsolePage       *self,
              const VetterTableColumn *column)
{
  g_autoptr(GVariant) chosen = self->settings ? g_settings_get_value (self->settings, "console-columns") : NULL;
  g_autofree char *key = g_strconcat (self->table->name, ".", column->name, NULL);
  gboolean shown;

  if (chosen && g_variant_lookup (chosen, key, "b", &shown))
    return shown;
  return !(column->flags & VETTER_COLUMN_HIDDEN);
}

static void
remember_shown (VetterConsolePage       *self,
                const VetterTableColumn *column,
                gboolean                 shown)
{
  g_autoptr(GVariant) chosen = NULL;
  g_autofree char *key = g_strconcat (self->table->name, ".", column->name, NULL);
  GVariantBuilder builder;
  GVariantIter iter;
  const char *name;
  gboolean value;

  if (self->settings == NULL)
    return;
  chosen = g_settings_get_value (self->settings, "console-columns");
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sb}"));
  g_variant_iter_init (&iter, chosen);
  while (g_variant_iter_next (&iter, "{&sb}", &name, &value))
    if (!g_str_equal (name, key))
      g_variant_builder_add (&builder, "{sb}", name, value);
  g_variant_builder_add (&builder, "{sb}", key, shown);
  g_settings_set_value (self->settings, "console-columns", g_variant_builder_end (&builder));
}

static GtkColumnViewColumn *
view_column_for (VetterConsolePage *self,
                 const char        *field)
{
  GListModel *columns = gtk_column_view_get_columns (self->column_view);

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (g_strcmp0 (g_object_get_data (G_OBJECT (column), "vetter-field"), field) == 0)
        return column;
    }
  return NULL;
}

static void
on_show_column (GSimpleAction     *action,
                GVariant          *state,
                VetterConsolePage *self)
{
  const char *field = g_action_get_name (G_ACTION (action));
  const VetterTableColumn *column = vetter_table_find_column (self->table, field);
  GtkColumnViewColumn *view_column = view_column_for (self, field);

  g_simple_action_set_state (action, state);
  if (column == NULL || view_column == NULL)
    return;
  gtk_column_view_column_set_visible (view_column, g_variant_get_boolean (state));
  remember_shown (self, column, g_variant_get_boolean (state));
}

/* Every column's header menu lists the table's columns to show or hide. */
static GMenuModel *
columns_menu (VetterConsolePage *self)
{
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  GMenu *menu = g_menu_new ();

  for (guint i = 0; i < self->table->n_columns; i++)
    {
      const VetterTableColumn *column = &self->table->columns[i];
      g_autoptr(GSimpleAction) action = NULL;
      g_autofree char *detailed = NULL;

      if (column->sql == NULL)
        continue;
      action = g_simple_action_new_stateful (column->name, NULL, g_variant_new_boolean (column_shown (self, column)));
      g_signal_connect (action, "change-state", G_CALLBACK (on_show_column), self);
      g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (action));
      detailed = g_strconcat ("columns.", column->name, NULL);
      g_menu_append (menu, _(column->label), detailed);
    }
  gtk_widget_insert_action_group (GTK_WIDGET (self), "columns", G_ACTION_GROUP (group));
  return G_MENU_MODEL (menu);
}

static void
add_columns (VetterConsolePage *self)
{
  g_autoptr(GMenuModel) menu = columns_menu (self);
  guint index = 0;

  for (guint i = 0; i < self->table->n_columns; i++)
    {
      const VetterTableColumn *column = &self->table->columns[i];
      GtkListItemFactory *factory;
      CellSpec *spec;
      GtkColumnViewColumn *view_column;

      if (column->sql == NULL)
        continue;
      spec = g_new0 (CellSpec, 1);
      spec->index = index++;
      spec->column = column;
      factory = gtk_signal_list_item_factory_new ();
      if (column->flags & VETTER_COLUMN_PICTURE)
        g_signal_connect (factory, "setup", G_CALLBACK (setup_picture), spec);
      else
        g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), spec);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), spec);
      g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell), spec);
      g_object_set_data_full (G_OBJECT (factory), "vetter-cell-spec", spec, g_free);
      view_column = gtk_column_view_column_new (_(column->label), factory);
      gtk_column_view_column_set_resizable (view_column, TRUE);
      gtk_column_view_column_set_visible (view_column, column_shown (self, column));
      gtk_column_view_column_set_header_menu (view_column, menu);
      gtk_column_view_column_set_expand (view_column, column->flags & VETTER_COLUMN_SEARCHED);
      gtk_column_view_column_set_fixed_width (view_column, column_width (column));
      g_object_set_data (G_OBJECT (view_column), "vetter-field", (gpointer) column->name);
      if (column->flags & VETTER_COLUMN_SORTABLE)
        {
          g_autoptr(GtkSorter) sorter = GTK_SORTER (gtk_custom_sorter_new (probe_compare, (gpointer) column->name, NULL));

          gtk_column_view_column_set_sorter (view_column, sorter);
        }
      /* A picture first, where the eye starts. */
      if (column->flags & VETTER_COLUMN_PICTURE)
        gtk_column_view_insert_column (self->column_view, 0, view_column);
      else
        gtk_column_view_append_column (self->column_view, view_column);
      g_object_unref (view_column);
    }
}

static void
show_table (VetterConsolePage *self,
            const VetterTable *table)
{
  g_autoptr(GtkMultiSelection) selection = NULL;
  GtkSorter *view_sorter = gtk_column_view_get_sorter (self->column_view);

  gtk_stack_set_visible_child_name (self->stack, "list");
  if (self->table == table)
    return;
  self->selection = NULL;
  g_signal_handlers_block_by_func (view_sorter, on_sort_changed, self);
  if (self->facets_cancellable)
    g_cancellable_cancel (self->facets_cancellable);
  self->table = table;
  g_hash_table_remove_all (self->chosen);
  g_hash_table_remove_all (self->periods);
  g_clear_pointer (&self->base, vetter_query_free);
  g_clear_pointer (&self->views, g_ptr_array_unref);
  /* Each list starts whole: a search for ads means nothing in the outbox. */
  g_signal_handlers_block_by_func (self->search_entry, on_search_changed, self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  g_signal_handlers_unblock_by_func (self->search_entry, on_search_changed, self);
  gtk_widget_set_visible (GTK_WIDGET (self->view_label), FALSE);
  g_clear_pointer (&self->sort, g_free);
  if (self->model)
    {
      /* What the list no longer shown still had to read is not read. */
      vetter_table_model_stop (self->model);
      g_signal_handlers_disconnect_by_data (self->model, self);
    }
  g_clear_object (&self->model);
  gtk_column_view_set_model (self->column_view, NULL);
  remove_columns (self);

  self->model = vetter_table_model_new (self->database, table);
  g_signal_connect_swapped (self->model, "loaded", G_CALLBACK (on_model_loaded), self);
  selection = gtk_multi_selection_new (G_LIST_MODEL (g_object_ref (self->model)));
  g_signal_connect_swapped (selection, "selection-changed", G_CALLBACK (update_selection_label), self);
  g_signal_connect_swapped (selection, "items-changed", G_CALLBACK (update_selection_label), self);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
  self->selection = selection;
  gtk_check_button_set_active (self->all_matching, FALSE);
  gtk_label_set_label (self->result_label, "");
  gtk_widget_set_visible (self->undo_button, FALSE);
  g_clear_pointer (&self->last_undo, vetter_bulk_undo_free);
  g_clear_pointer (&self->last_edit, vetter_edit_undo_free);
  gtk_action_bar_set_revealed (self->action_bar, acts_on_ads (self) || acts_on_outbox (self) || acts_on_audit (self));
  gtk_widget_set_visible (self->revert_button, acts_on_audit (self));
  gtk_widget_set_visible (GTK_WIDGET (self->all_matching), !acts_on_audit (self));
  gtk_widget_set_visible (self->approve_button, acts_on_ads (self));
  gtk_widget_set_visible (GTK_WIDGET (self->reject_button), acts_on_ads (self));
  gtk_widget_set_visible (self->review_button, acts_on_ads (self));
  gtk_widget_set_visible (self->edit_button, acts_on_ads (self));
  gtk_widget_set_visible (self->retry_button, acts_on_ads (self));
  gtk_widget_set_visible (self->try_again_button, acts_on_outbox (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console.try-again", acts_on_outbox (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console.decide", acts_on_ads (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console.reject", acts_on_ads (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console.pick-reason", acts_on_ads (self));
  gtk_widget_set_sensitive (GTK_WIDGET (self->reject_button), acts_on_ads (self));
  update_selection_label (self);
  add_columns (self);
  /* The header shows the table's own order. */
  {
    GListModel *columns = gtk_column_view_get_columns (self->column_view);

    for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
      {
        g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

        if (g_strcmp0 (g_object_get_data (G_OBJECT (column), "vetter-field"), table->default_sort) == 0)
          gtk_column_view_sort_by_column (self->column_view, column,
                                          table->default_descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
      }
  }
  g_signal_handlers_unblock_by_func (view_sorter, on_sort_changed, self);
  refresh_views (self);
  run_query (self);
}

void
vetter_console_page_show_table (VetterConsolePage *self,
                                const char        *table_name)
{
  const VetterTable * const *tables = vetter_tables ();

  for (guint i = 0; tables[i]; i++)
    if (g_str_equal (tables[i]->name, table_name))
      gtk_list_box_select_row (self->table_list, gtk_list_box_get_row_at_index (self->table_list, (int) i));
}

static void
on_table_selected (GtkListBox        *list,
                   GtkListBoxRow     *row,
                   VetterConsolePage *self)
{
  if (row && self->database)
    show_table (self, vetter_tables ()[gtk_list_box_row_get_index (row)]);
}

static void
on_search_changed (VetterConsolePage *self)
{
  run_query (self);
}

static void
focus_search_action (GtkWidget  *widget,
                     const char *name,
                     GVariant   *parameter)
{
  gtk_widget_grab_focus (GTK_WIDGET (VETTER_CONSOLE_PAGE (widget)->search_entry));
}

/* ---- GObject -------------------------------------------------------------- */

/* The console works only while it is on screen: behind the Review page it
 * would read lists and count facets on the database thread for nobody. */
static void
on_map (VetterConsolePage *self)
{
  if (self->database == NULL)
    return;
  if (gtk_list_box_get_selected_row (self->table_list) == NULL)
    gtk_list_box_select_row (self->table_list, gtk_list_box_get_row_at_index (self->table_list, 0));
  else if (self->model)
    vetter_table_model_set_live (self->model, TRUE);
}

static void
on_unmap (VetterConsolePage *self)
{
  if (self->model)
    vetter_table_model_set_live (self->model, FALSE);
}

void
vetter_console_page_setup (VetterConsolePage *self,
                           VetterEngine      *engine)
{
  g_set_object (&self->engine, engine);
  if (self->settings == NULL)
    self->settings = vetter_config_get_settings ();
  g_set_object (&self->database, vetter_engine_get_database (engine));
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    on_map (self);
}

void
vetter_console_page_focus (VetterConsolePage *self)
{
  if (!gtk_widget_grab_focus (GTK_WIDGET (self->column_view)))
    gtk_widget_grab_focus (GTK_WIDGET (self->table_list));
}

VetterTableModel *
vetter_console_page_get_model (VetterConsolePage *self)
{
  return self->model;
}

static void
vetter_console_page_dispose (GObject *object)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (object);

  g_clear_handle_id (&self->filter_id, g_source_remove);
  if (self->count_cancellable)
    g_cancellable_cancel (self->count_cancellable);
  g_clear_object (&self->count_cancellable);
  if (self->detail_cancellable)
    g_cancellable_cancel (self->detail_cancellable);
  g_clear_object (&self->detail_cancellable);
  if (self->facets_cancellable)
    g_cancellable_cancel (self->facets_cancellable);
  g_clear_object (&self->facets_cancellable);
  if (self->model)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  g_clear_object (&self->database);
  g_clear_object (&self->engine);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->last_undo, vetter_bulk_undo_free);
  g_clear_pointer (&self->last_edit, vetter_edit_undo_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), VETTER_TYPE_CONSOLE_PAGE);
  G_OBJECT_CLASS (vetter_console_page_parent_class)->dispose (object);
}

static void
vetter_console_page_finalize (GObject *object)
{
  VetterConsolePage *self = VETTER_CONSOLE_PAGE (object);

  g_hash_table_unref (self->chosen);
  g_hash_table_unref (self->periods);
  g_clear_pointer (&self->base, vetter_query_free);
  g_clear_pointer (&self->views, g_ptr_array_unref);
  g_free (self->sort);
  g_ptr_array_unref (self->probe_order);
  g_object_unref (self->probe_a);
  g_object_unref (self->probe_b);
  G_OBJECT_CLASS (vetter_console_page_parent_class)->finalize (object);
}

static void
vetter_console_page_class_init (VetterConsolePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vetter_console_page_dispose;
  object_class->finalize = vetter_console_page_finalize;

  g_type_ensure (VETTER_TYPE_ITEM_DETAIL_VIEW);
  vetter_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/vetter-console-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, paned);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, table_list);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, count_label);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, message_label);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, facet_box);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, column_view);

  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, action_bar);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, selection_label);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, all_matching);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, result_label);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, undo_button);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, reject_button);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, approve_button);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, review_button);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, edit_button);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, retry_button);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, try_again_button);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, revert_button);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, export_button);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, views_button);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, view_label);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, stack);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, detail_title);
  gtk_widget_class_bind_template_child (widget_class, VetterConsolePage, detail_view);

  gtk_widget_class_install_action (widget_class, "console.decide", "s", decide_action);
  gtk_widget_class_install_action (widget_class, "console.reject", "s", reject_action);
  gtk_widget_class_install_action (widget_class, "console.pick-reason", NULL, pick_reason_action);
  gtk_widget_class_install_action (widget_class, "console.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "console.try-again", NULL, try_again_action);
  gtk_widget_class_install_action (widget_class, "console.edit", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "console.retry", NULL, retry_action);
  gtk_widget_class_install_action (widget_class, "console.revert", NULL, revert_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, 0, "console.edit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, 0, "console.try-again", NULL);
  gtk_widget_class_install_action (widget_class, "console.export", "s", export_action);
  gtk_widget_class_install_action (widget_class, "console.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "console.apply-view", "s", apply_view_action);
  gtk_widget_class_install_action (widget_class, "console.save-view", NULL, save_view_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "console.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, 0, "console.decide", "s", "approved");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_b, 0, "console.decide", "s", "needs_review");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, 0, "console.pick-reason", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "console.undo", NULL);
  gtk_widget_class_install_action (widget_class, "console.search", NULL, focus_search_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_slash, 0, "console.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "console.search", NULL);
}

static void
vetter_console_page_init (VetterConsolePage *self)
{
  const VetterTable * const *tables = vetter_tables ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->chosen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  self->periods = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->probe_order = g_ptr_array_new ();
  self->probe_a = g_object_new (G_TYPE_OBJECT, NULL);
  self->probe_b = g_object_new (G_TYPE_OBJECT, NULL);
  g_object_set_data (self->probe_a, "vetter-page", self);
  g_object_set_data (self->probe_b, "vetter-page", self);

  for (guint i = 0; tables[i]; i++)
    {
      GtkWidget *label = gtk_label_new (_(tables[i]->label));

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_list_box_append (self->table_list, label);
    }
  {
    g_autoptr(GMenuModel) menu = reasons_menu ();

    g_autoptr(GMenuModel) exports = export_menu ();

    gtk_menu_button_set_menu_model (self->reject_button, menu);
    gtk_menu_button_set_menu_model (self->export_button, exports);
  }
  g_signal_connect_swapped (self->all_matching, "toggled", G_CALLBACK (update_selection_label), self);
  g_signal_connect (self->column_view, "activate", G_CALLBACK (on_row_activated), self);
  g_signal_connect (self->table_list, "row-selected", G_CALLBACK (on_table_selected), self);
  g_signal_connect (self, "map", G_CALLBACK (on_map), NULL);
  g_signal_connect (self, "unmap", G_CALLBACK (on_unmap), NULL);
  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (on_search_changed), self);
  g_signal_connect (gtk_column_view_get_sorter (self->column_view), "changed", G_CALLBACK (on_sort_changed), self);
}
