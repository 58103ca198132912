/* vetter-console-cells.c: how the console draws a cell
 *
 * A cell is a line of text, or a picture loaded off the UI thread at the
 * size it is drawn. Its row's values arrive a page at a time from the database
 * thread, so a cell bound before them fills in when they come.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "vetter-console-cells.h"
#include "vetter-labels.h"
#include "vetter-table-model.h"
#include "vetter-texture-loader.h"

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
const char *
vetter_console_value_words (const VetterTableColumn *column,
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
    return g_strdup (vetter_console_value_words (column, value));
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
  GtkInscription *inscription = GTK_INSCRIPTION (gtk_list_item_get_child (item));
  g_autofree char *text = record ? cell_text (vetter_record_get_value (record, spec->index), spec->column) : NULL;

  if (g_strcmp0 (gtk_inscription_get_text (inscription), text ? text : "") == 0)
    return;
  gtk_inscription_set_text (inscription, text ? text : "");
  /* An inscription tells screen readers nothing of itself in GTK 4.8. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (inscription), GTK_ACCESSIBLE_PROPERTY_LABEL, text ? text : "", -1);
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
  /* An inscription, not a label: its size does not depend on its text,
   * so the ~200 rows GTK keeps laid out are not measured again whenever
   * their text changes (a search: 65 ms of layout for a wide list, 25). */
  GtkWidget *label = gtk_inscription_new (NULL);

  gtk_inscription_set_xalign (GTK_INSCRIPTION (label), spec->column->type == VETTER_COLUMN_INTEGER ||
                                                       spec->column->type == VETTER_COLUMN_REAL ? 1 : 0);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (label), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_inscription_set_min_chars (GTK_INSCRIPTION (label), 3);
  gtk_inscription_set_nat_chars (GTK_INSCRIPTION (label), 12);
  if (spec->column->type != VETTER_COLUMN_TEXT)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
  g_object_set_data (G_OBJECT (item), "vetter-cell-spec", (gpointer) spec);
  g_object_set_data (G_OBJECT (label), "vetter-list-item", item);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           const CellSpec           *spec)
{
  VetterRecord *record = gtk_list_item_get_item (item);

  fill (item);
  /* A record can also stand for another row later, or be read again: its
   * values come with this. */
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

  /* Its row read again, with the same picture: nothing to do. */
  if (path && g_strcmp0 (path, g_object_get_data (G_OBJECT (item), "vetter-picture-path")) == 0 &&
      gtk_picture_get_paintable (GTK_PICTURE (gtk_list_item_get_child (item))))
    return;
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
  g_object_set_data (G_OBJECT (picture), "vetter-list-item", item);
}

GtkListItemFactory *
vetter_console_cell_factory_new (const VetterTableColumn *column,
                                 guint                    index)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  CellSpec *spec = g_new0 (CellSpec, 1);

  spec->index = index;
  spec->column = column;
  if (column->flags & VETTER_COLUMN_PICTURE)
    g_signal_connect (factory, "setup", G_CALLBACK (setup_picture), spec);
  else
    g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), spec);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), spec);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell), spec);
  g_object_set_data_full (G_OBJECT (factory), "vetter-cell-spec", spec, g_free);
  return factory;
}

/* The item owns its child, so the pointer lives as long as the widget. */
GtkListItem *
vetter_console_cell_find_item (GtkWidget *widget)
{
  GtkListItem *item = g_object_get_data (G_OBJECT (widget), "vetter-list-item");

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child && item == NULL;
       child = gtk_widget_get_next_sibling (child))
    item = vetter_console_cell_find_item (child);
  return item;
}
