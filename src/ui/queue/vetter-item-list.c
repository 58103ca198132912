/* vetter-item-list.c: a batch's items as a list model, read a page at a time
 *
 * The model knows its length from the batch's count and creates an item
 * object only when a row asks for it, reading its page from the store in
 * the background; a list of a hundred thousand items costs the rows on
 * screen. Progress from the workers updates the objects already made, and
 * a finished item's page is read again (coalesced) for its thumbnail and
 * error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-item-list"

#include "config.h"

#include "vetter-item-list.h"
#include "vetter-item-object.h"

#define PAGE_SIZE 100
#define REREAD_DELAY_MS 400

struct _VetterItemList
{
  GObject       parent_instance;

  VetterEngine *engine;
  gint64        batch_id;
  GPtrArray    *objects;      /* VetterItemObject* or NULL, one per row */
  GHashTable   *by_id;        /* item id → VetterItemObject (borrowed) */
  GHashTable   *pages;        /* page → PageState */
  guint         pages_read;
  guint         reread_source;
  GCancellable *cancellable;
};

typedef enum
{
  PAGE_READING = 1,
  PAGE_READ,
  PAGE_STALE,     /* read, and something on it has changed since */
} PageState;

static void vetter_item_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VetterItemList, vetter_item_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, vetter_item_list_model_init))

static void read_page (VetterItemList *self,
                       guint           page);

typedef struct
{
  VetterItemList *self;
  guint           page;
} PageRead;

static void
on_page_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  PageRead *read = user_data;
  g_autoptr(VetterItemList) self = read->self;
  guint page = read->page;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = vetter_engine_list_items_finish (VETTER_ENGINE (source), result, &error);

  g_free (read);
  if (rows == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_warning ("Cannot read items of batch %" G_GINT64_FORMAT ": %s", self->batch_id, error->message);
          g_hash_table_remove (self->pages, GUINT_TO_POINTER (page));
        }
      return;
    }

  self->pages_read++;
  g_hash_table_insert (self->pages, GUINT_TO_POINTER (page), GINT_TO_POINTER (PAGE_READ));
  for (guint i = 0; i < rows->len; i++)
    {
      guint position = page * PAGE_SIZE + i;
      VetterItemRow *row = g_ptr_array_index (rows, i);
      VetterItemObject *object;

      if (position >= self->objects->len)
        break;
      object = g_ptr_array_index (self->objects, position);
      if (object == NULL)
        {
          object = vetter_item_object_new_placeholder (position);
          g_ptr_array_index (self->objects, position) = object;
        }
      vetter_item_object_fill (object, row);
      g_hash_table_insert (self->by_id, g_memdup2 (&row->id, sizeof row->id), object);
    }
}

static void
read_page (VetterItemList *self,
           guint           page)
{
  PageRead *read = g_new0 (PageRead, 1);

  g_hash_table_insert (self->pages, GUINT_TO_POINTER (page), GINT_TO_POINTER (PAGE_READING));
  read->self = g_object_ref (self);
  read->page = page;
  vetter_engine_list_items_async (self->engine, self->batch_id, page * PAGE_SIZE, PAGE_SIZE,
                                  self->cancellable, on_page_read, read);
}

static gboolean
reread_stale_pages (gpointer user_data)
{
  VetterItemList *self = user_data;
  g_autoptr(GList) pages = g_hash_table_get_keys (self->pages);

  self->reread_source = 0;
  for (GList *l = pages; l; l = l->next)
    if (GPOINTER_TO_INT (g_hash_table_lookup (self->pages, l->data)) == PAGE_STALE)
      read_page (self, GPOINTER_TO_UINT (l->data));
  return G_SOURCE_REMOVE;
}

static void
on_item_step (VetterItemList *self,
              gint64          item_id,
              gint64          batch_id,
              const char     *step,
              VetterEngine   *engine)
{
  VetterItemObject *object;

  if (batch_id == self->batch_id && (object = g_hash_table_lookup (self->by_id, &item_id)))
    vetter_item_object_set_step (object, step);
}

static void
on_item_changed (VetterItemList *self,
                 gint64          item_id,
                 gint64          batch_id,
                 VetterStatus    status,
                 VetterEngine   *engine)
{
  VetterItemObject *object;
  guint position;

  if (batch_id != self->batch_id || (object = g_hash_table_lookup (self->by_id, &item_id)) == NULL)
    return;
  vetter_item_object_set_status (object, status);
  if (status == VETTER_STATUS_PROCESSING || status == VETTER_STATUS_QUEUED)
    return;

  /* Finished: its thumbnail and error are in the store now. */
  g_ptr_array_find (self->objects, object, &position);
  g_hash_table_insert (self->pages, GUINT_TO_POINTER (position / PAGE_SIZE), GINT_TO_POINTER (PAGE_STALE));
  if (self->reread_source == 0)
    self->reread_source = g_timeout_add (REREAD_DELAY_MS, reread_stale_pages, self);
}

/* ---- GListModel ----------------------------------------------------------- */

static GType
vetter_item_list_get_item_type (GListModel *model)
{
  return VETTER_TYPE_ITEM_OBJECT;
}

static guint
vetter_item_list_get_n_items (GListModel *model)
{
  return VETTER_ITEM_LIST (model)->objects->len;
}

static gpointer
vetter_item_list_get_item (GListModel *model,
                           guint       position)
{
  VetterItemList *self = VETTER_ITEM_LIST (model);
  VetterItemObject *object;
  guint page = position / PAGE_SIZE;

  if (position >= self->objects->len)
    return NULL;
  object = g_ptr_array_index (self->objects, position);
  if (object == NULL)
    {
      object = vetter_item_object_new_placeholder (position);
      g_ptr_array_index (self->objects, position) = object;
    }
  if (!g_hash_table_contains (self->pages, GUINT_TO_POINTER (page)))
    read_page (self, page);
  return g_object_ref (object);
}

static void
vetter_item_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = vetter_item_list_get_item_type;
  iface->get_n_items = vetter_item_list_get_n_items;
  iface->get_item = vetter_item_list_get_item;
}

/* ---- GObject -------------------------------------------------------------- */

static void
vetter_item_list_dispose (GObject *object)
{
  VetterItemList *self = VETTER_ITEM_LIST (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->reread_source, g_source_remove);
  if (self->engine)
    {
      g_signal_handlers_disconnect_by_func (self->engine, on_item_changed, self);
      g_signal_handlers_disconnect_by_func (self->engine, on_item_step, self);
    }
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (vetter_item_list_parent_class)->dispose (object);
}

static void
vetter_item_list_finalize (GObject *object)
{
  VetterItemList *self = VETTER_ITEM_LIST (object);

  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->objects, g_ptr_array_unref);
  g_clear_pointer (&self->pages, g_hash_table_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (vetter_item_list_parent_class)->finalize (object);
}

static void
vetter_item_list_class_init (VetterItemListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vetter_item_list_dispose;
  object_class->finalize = vetter_item_list_finalize;
}

static void
unref_if_made (gpointer object)
{
  if (object)
    g_object_unref (object);
}

static void
vetter_item_list_init (VetterItemList *self)
{
  self->objects = g_ptr_array_new_with_free_func (unref_if_made);
  /* Keys are owned; the objects belong to self->objects. */
  self->by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->pages = g_hash_table_new (NULL, NULL);
  self->cancellable = g_cancellable_new ();
}

VetterItemList *
vetter_item_list_new (VetterEngine *engine,
                      gint64        batch_id,
                      guint         n_items)
{
  VetterItemList *self = g_object_new (VETTER_TYPE_ITEM_LIST, NULL);

  self->engine = g_object_ref (engine);
  self->batch_id = batch_id;
  g_ptr_array_set_size (self->objects, n_items);
  g_signal_connect_object (engine, "item-changed", G_CALLBACK (on_item_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (engine, "item-step", G_CALLBACK (on_item_step), self, G_CONNECT_SWAPPED);
  return self;
}

gint64
vetter_item_list_get_batch_id (VetterItemList *self)
{
  g_return_val_if_fail (VETTER_IS_ITEM_LIST (self), 0);
  return self->batch_id;
}

guint
vetter_item_list_get_pages_read (VetterItemList *self)
{
  g_return_val_if_fail (VETTER_IS_ITEM_LIST (self), 0);
  return self->pages_read;
}
