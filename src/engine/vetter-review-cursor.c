/* vetter-review-cursor.c: where a moderator is in the review queue
 *
 * The review loop without a widget: the queue as a snapshot of item ids
 * taken when the filter changes (new arrivals appended, decided items kept
 * so that going back shows what was decided), the position in it, the
 * item there and the next few read ahead, and the decisions made here,
 * newest first, for undo. A decision is bound to the item read at the
 * position when it is asked for, and the cursor moves on at once; what
 * the store answers comes later and changes nothing of where the
 * moderator is. The window draws what the cursor holds; a test drives it
 * without a display.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-review-cursor"

#include "config.h"

#include <glib/gi18n.h>

#include "vetter-enum-types.h"
#include "vetter-review-cursor.h"

/* New items reaching review are added to the queue this often. */
#define REFRESH_DELAY_MS 700

G_DEFINE_ENUM_TYPE (VetterReviewState, vetter_review_state,
                    G_DEFINE_ENUM_VALUE (VETTER_REVIEW_LOADING, "loading"),
                    G_DEFINE_ENUM_VALUE (VETTER_REVIEW_ITEM, "item"),
                    G_DEFINE_ENUM_VALUE (VETTER_REVIEW_ERROR, "error"),
                    G_DEFINE_ENUM_VALUE (VETTER_REVIEW_EMPTY, "empty"))

/* One item read, or being read. */
typedef struct
{
  gint64            item_id;
  VetterItemDetail *detail;
  GError           *error;
  GCancellable     *cancellable;
  gboolean          reading;
  gboolean          read_again;   /* it changed while being read */
  gboolean          settling;     /* shown as it was before a decision being taken back */
} Slot;

typedef struct
{
  gint64              item_id;
  VetterItemDetail   *before;          /* the item as it was decided */
  VetterItemDecision *previous;        /* NULL until the store has answered */
  gboolean            undo_requested;  /* undo was asked for before that */
  char               *undo_actor;
} UndoEntry;

struct _VetterReviewCursor
{
  GObject             parent_instance;

  VetterEngine       *engine;
  GCancellable       *cancellable;
  VetterReviewFilter *filter;
  GArray             *queue;        /* gint64 item ids */
  GHashTable         *in_queue;     /* item id → its index in queue + 1 */
  GHashTable         *done;         /* ids decided since the snapshot */
  guint               position;
  guint               preload;
  GHashTable         *slots;        /* item id → Slot* */
  GQueue             *undo;         /* UndoEntry*, newest first */
  guint               serial;       /* of the snapshot asked for last */
  gboolean            loaded;       /* a snapshot has arrived */
  guint               refresh_source;

  /* As last notified. */
  guint               notified_position;
  guint               notified_n_items;
  VetterReviewState   state;
  gint64              current_item;
  guint               n_left;
  gboolean            can_undo;
  gboolean            settling;
};

G_DEFINE_FINAL_TYPE (VetterReviewCursor, vetter_review_cursor, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_POSITION,
  PROP_N_ITEMS,
  PROP_N_LEFT,
  PROP_STATE,
  PROP_CURRENT_ITEM,
  PROP_CAN_UNDO,
  PROP_SETTLING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  LOADED,
  DECIDED,
  MESSAGE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void sync_window (VetterReviewCursor *self);

/* ---- Helpers -------------------------------------------------------------- */

static void
slot_free (Slot *slot)
{
  g_cancellable_cancel (slot->cancellable);
  g_clear_object (&slot->cancellable);
  g_clear_pointer (&slot->detail, vetter_item_detail_unref);
  g_clear_error (&slot->error);
  g_free (slot);
}

static void
undo_entry_free (UndoEntry *entry)
{
  vetter_item_decision_free (entry->previous);
  g_clear_pointer (&entry->before, vetter_item_detail_unref);
  g_free (entry->undo_actor);
  g_free (entry);
}

static void
say (VetterReviewCursor *self,
     const char         *message)
{
  g_signal_emit (self, signals[MESSAGE], 0, message);
}

static gint64
id_at (VetterReviewCursor *self,
       guint               position)
{
  return self->queue && position < self->queue->len ? g_array_index (self->queue, gint64, position) : 0;
}

static Slot *
current_slot (VetterReviewCursor *self)
{
  gint64 id = id_at (self, self->position);

  return id ? g_hash_table_lookup (self->slots, &id) : NULL;
}

static void
index_queue (VetterReviewCursor *self)
{
  g_hash_table_remove_all (self->in_queue);
  for (guint i = 0; i < self->queue->len; i++)
    g_hash_table_insert (self->in_queue, g_memdup2 (&g_array_index (self->queue, gint64, i), sizeof (gint64)),
                         GUINT_TO_POINTER (i + 1));
}

/* Notifies what changed since last time, all at once, so that whoever
 * listens sees the position, the item and the state agree. */
static void
update (VetterReviewCursor *self)
{
  Slot *slot = current_slot (self);
  VetterReviewState state;
  gint64 current = slot && slot->detail ? slot->item_id : 0;
  guint n_left = self->queue ? self->queue->len - g_hash_table_size (self->done) : 0;
  gboolean can_undo = !g_queue_is_empty (self->undo);
  gboolean settling = slot && slot->settling;

  if (!self->loaded)
    state = VETTER_REVIEW_LOADING;
  else if (self->position >= self->queue->len)
    state = VETTER_REVIEW_EMPTY;
  else if (slot && slot->detail)
    state = VETTER_REVIEW_ITEM;
  else if (slot && slot->error)
    state = VETTER_REVIEW_ERROR;
  else
    state = VETTER_REVIEW_LOADING;

  g_object_freeze_notify (G_OBJECT (self));
  if (self->position != self->notified_position)
    {
      self->notified_position = self->position;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
    }
  if (vetter_review_cursor_get_n_items (self) != self->notified_n_items)
    {
      self->notified_n_items = vetter_review_cursor_get_n_items (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
  if (state != self->state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  if (current != self->current_item)
    {
      self->current_item = current;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_ITEM]);
    }
  if (n_left != self->n_left)
    {
      self->n_left = n_left;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_LEFT]);
    }
  if (can_undo != self->can_undo)
    {
      self->can_undo = can_undo;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_UNDO]);
    }
  if (settling != self->settling)
    {
      self->settling = settling;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTLING]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/* ---- Reading items -------------------------------------------------------- */

static void read_slot (VetterReviewCursor *self, Slot *slot);

typedef struct
{
  VetterReviewCursor *self;
  Slot               *slot;   /* borrowed: alive while its cancellable is not cancelled */
} SlotRead;

static void
on_detail_read (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SlotRead *read = user_data;
  g_autoptr(VetterReviewCursor) self = read->self;
  Slot *slot = read->slot;
  g_autoptr(GError) error = NULL;
  VetterItemDetail *detail = vetter_engine_item_detail_finish (VETTER_ENGINE (source), result, &error);

  g_free (read);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  slot->reading = FALSE;
  /* What the store says between a decision and its undo is neither. */
  if (slot->settling)
    {
      g_clear_pointer (&detail, vetter_item_detail_unref);
      slot->read_again = FALSE;
      return;
    }
  if (detail)
    {
      g_clear_pointer (&slot->detail, vetter_item_detail_unref);
      g_clear_error (&slot->error);
      slot->detail = detail;
      /* Made elsewhere: its pictures come now, as it is about to show. */
      if (vetter_item_detail_lacks_files (detail))
        vetter_engine_fetch_variants (self->engine, slot->item_id);
    }
  else if (slot->detail == NULL)
    {
      g_clear_error (&slot->error);
      slot->error = g_steal_pointer (&error);
    }
  if (slot->read_again)
    {
      slot->read_again = FALSE;
      read_slot (self, slot);
    }
  if (slot->detail)
    g_signal_emit (self, signals[LOADED], 0, slot->detail);
  update (self);
}

static void
read_slot (VetterReviewCursor *self,
           Slot               *slot)
{
  SlotRead *read;

  if (slot->reading)
    {
      slot->read_again = TRUE;
      return;
    }
  read = g_new0 (SlotRead, 1);
  read->self = g_object_ref (self);
  read->slot = slot;
  slot->reading = TRUE;
  vetter_engine_item_detail_async (self->engine, slot->item_id, slot->cancellable, on_detail_read, read);
}

/* Keeps the item at the position, the one before it (for going back) and
 * the next few read; lets the rest go. */
static void
sync_window (VetterReviewCursor *self)
{
  guint first = self->position > 0 ? self->position - 1 : 0;
  guint last = self->position + self->preload;
  g_autoptr(GHashTable) wanted = g_hash_table_new (g_int64_hash, g_int64_equal);
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = first; self->queue && i <= last && i < self->queue->len; i++)
    g_hash_table_add (wanted, &g_array_index (self->queue, gint64, i));
  g_hash_table_iter_init (&iter, self->slots);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (wanted, key))
      g_hash_table_iter_remove (&iter);
  /* The position first, then onwards, then behind. */
  for (guint k = 0; self->queue && k <= last - first; k++)
    {
      guint i = self->position + k <= last ? self->position + k : first;
      gint64 id = id_at (self, i);
      Slot *slot;

      if (id == 0 || g_hash_table_contains (self->slots, &id))
        continue;
      slot = g_new0 (Slot, 1);
      slot->item_id = id;
      slot->cancellable = g_cancellable_new ();
      g_hash_table_insert (self->slots, g_memdup2 (&id, sizeof id), slot);
      read_slot (self, slot);
    }
  update (self);
}

/* ---- The queue ------------------------------------------------------------ */

typedef struct
{
  VetterReviewCursor *self;
  guint               serial;
  gboolean            append;   /* keep the queue, add what is new */
} QueueRead;

static void
on_queue_read (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  QueueRead *read = user_data;
  g_autoptr(VetterReviewCursor) self = read->self;
  gboolean append = read->append;
  gboolean current = read->serial == self->serial;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = vetter_engine_review_queue_finish (VETTER_ENGINE (source), result, &error);

  g_free (read);
  if (!current)
    return;
  if (ids == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        say (self, error->message);
      return;
    }

  if (append && self->queue)
    {
      guint before = self->queue->len;

      for (guint i = 0; i < ids->len; i++)
        if (!g_hash_table_contains (self->in_queue, &g_array_index (ids, gint64, i)))
          g_array_append_val (self->queue, g_array_index (ids, gint64, i));
      if (self->queue->len == before)
        return;
      index_queue (self);
      sync_window (self);
      return;
    }

  g_clear_pointer (&self->queue, g_array_unref);
  self->queue = g_steal_pointer (&ids);
  index_queue (self);
  g_hash_table_remove_all (self->done);
  g_hash_table_remove_all (self->slots);
  self->loaded = TRUE;
  self->position = 0;
  sync_window (self);
}

static void
read_queue (VetterReviewCursor *self,
            gboolean            append)
{
  QueueRead *read = g_new0 (QueueRead, 1);

  if (!append)
    self->serial++;
  read->self = g_object_ref (self);
  read->serial = self->serial;
  read->append = append;
  vetter_engine_review_queue_async (self->engine, self->filter, self->cancellable, on_queue_read, read);
}

static gboolean
refresh_timeout (gpointer user_data)
{
  VetterReviewCursor *self = user_data;

  self->refresh_source = 0;
  if (self->loaded)
    read_queue (self, TRUE);
  return G_SOURCE_REMOVE;
}

/* Whoever changed an item: one read or kept here is read again, one
 * decided counts as done, and the rules' verdicts may bring new items. */
static void
on_item_changed (VetterReviewCursor *self,
                 gint64              item_id,
                 gint64              batch_id,
                 VetterStatus        status,
                 VetterEngine       *engine)
{
  Slot *slot = g_hash_table_lookup (self->slots, &item_id);

  if (slot)
    read_slot (self, slot);
  if (g_hash_table_contains (self->in_queue, &item_id))
    {
      if (status == VETTER_STATUS_NEEDS_REVIEW)
        g_hash_table_remove (self->done, &item_id);
      else if (vetter_status_is_final (status))
        g_hash_table_add (self->done, g_memdup2 (&item_id, sizeof item_id));
      update (self);
    }
  else if (vetter_status_is_decidable (status) && self->refresh_source == 0)
    self->refresh_source = g_timeout_add (REFRESH_DELAY_MS, refresh_timeout, self);
}

/* ---- Deciding ------------------------------------------------------------- */

typedef struct
{
  VetterReviewCursor *self;
  UndoEntry          *entry;      /* NULL for an undo */
  gint64              item_id;
} Decided;

static void perform_undo (VetterReviewCursor *self, UndoEntry *entry, const char *actor);

static void
on_decided (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Decided *decided = user_data;
  g_autoptr(VetterReviewCursor) self = decided->self;
  g_autoptr(GError) error = NULL;
  VetterItemDecision *previous = vetter_engine_decide_finish (VETTER_ENGINE (source), result, &error);

  if (previous == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The decision was not saved: %s"), error->message);
      Slot *slot = g_hash_table_lookup (self->slots, &decided->item_id);

      if (decided->entry)
        {
          g_queue_remove (self->undo, decided->entry);
          g_hash_table_remove (self->done, &decided->item_id);
          undo_entry_free (decided->entry);
        }
      /* Whatever was taken back or not, the item is read as it is. */
      if (slot && slot->settling)
        {
          slot->settling = FALSE;
          read_slot (self, slot);
        }
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        say (self, message);
    }
  else if (decided->entry)
    {
      decided->entry->previous = previous;
      if (decided->entry->undo_requested)
        perform_undo (self, decided->entry, decided->entry->undo_actor);
    }
  else
    {
      /* An undo, written: the item is read again, as it now is. */
      Slot *slot = g_hash_table_lookup (self->slots, &decided->item_id);

      vetter_item_decision_free (previous);
      if (slot)
        {
          slot->settling = FALSE;
          read_slot (self, slot);
        }
    }
  update (self);
  g_free (decided);
}

static gboolean
is_decidable (VetterItemDetail *detail)
{
  return detail && vetter_status_is_decidable (detail->status) && !vetter_item_detail_in_conflict (detail);
}

static void
perform_undo (VetterReviewCursor *self,
              UndoEntry          *entry,
              const char         *actor)
{
  Decided *decided = g_new0 (Decided, 1);

  decided->self = g_object_ref (self);
  decided->item_id = entry->item_id;
  vetter_engine_decide_async (self->engine, entry->item_id, entry->previous, "undo", actor, self->cancellable,
                              on_decided, decided);
  undo_entry_free (entry);
  update (self);
}

/* Shows the item taken back at once, as it was when decided; it settles
 * (can be decided again) once the undo is written. */
static void
show_taken_back (VetterReviewCursor *self,
                 UndoEntry          *entry)
{
  guint index = GPOINTER_TO_UINT (g_hash_table_lookup (self->in_queue, &entry->item_id));
  Slot *slot;

  g_hash_table_remove (self->done, &entry->item_id);
  if (index == 0)
    return;
  self->position = index - 1;
  slot = g_hash_table_lookup (self->slots, &entry->item_id);
  if (slot == NULL)
    {
      slot = g_new0 (Slot, 1);
      slot->item_id = entry->item_id;
      slot->cancellable = g_cancellable_new ();
      g_hash_table_insert (self->slots, g_memdup2 (&entry->item_id, sizeof entry->item_id), slot);
    }
  g_clear_pointer (&slot->detail, vetter_item_detail_unref);
  g_clear_error (&slot->error);
  slot->detail = vetter_item_detail_ref (entry->before);
  slot->settling = TRUE;
  sync_window (self);
}

/* ---- GObject -------------------------------------------------------------- */

static void
vetter_review_cursor_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  VetterReviewCursor *self = VETTER_REVIEW_CURSOR (object);

  switch (prop_id)
    {
    case PROP_POSITION:
      g_value_set_uint (value, self->position);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, vetter_review_cursor_get_n_items (self));
      break;
    case PROP_SETTLING:
      g_value_set_boolean (value, self->settling);
      break;
    case PROP_N_LEFT:
      g_value_set_uint (value, self->n_left);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_CURRENT_ITEM:
      g_value_set_int64 (value, self->current_item);
      break;
    case PROP_CAN_UNDO:
      g_value_set_boolean (value, self->can_undo);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vetter_review_cursor_dispose (GObject *object)
{
  VetterReviewCursor *self = VETTER_REVIEW_CURSOR (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (self->engine)
    g_signal_handlers_disconnect_by_func (self->engine, on_item_changed, self);
  g_clear_object (&self->engine);
  g_hash_table_remove_all (self->slots);
  G_OBJECT_CLASS (vetter_review_cursor_parent_class)->dispose (object);
}

static void
vetter_review_cursor_finalize (GObject *object)
{
  VetterReviewCursor *self = VETTER_REVIEW_CURSOR (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->filter, vetter_review_filter_free);
  g_clear_pointer (&self->queue, g_array_unref);
  g_clear_pointer (&self->in_queue, g_hash_table_unref);
  g_clear_pointer (&self->done, g_hash_table_unref);
  g_clear_pointer (&self->slots, g_hash_table_unref);
  g_queue_free_full (self->undo, (GDestroyNotify) undo_entry_free);
  G_OBJECT_CLASS (vetter_review_cursor_parent_class)->finalize (object);
}

static void
vetter_review_cursor_class_init (VetterReviewCursorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = vetter_review_cursor_get_property;
  object_class->dispose = vetter_review_cursor_dispose;
  object_class->finalize = vetter_review_cursor_finalize;

  properties[PROP_POSITION] = g_param_spec_uint ("position", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_N_LEFT] = g_param_spec_uint ("n-left", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, VETTER_TYPE_REVIEW_STATE, VETTER_REVIEW_LOADING,
                                              flags);
  properties[PROP_CURRENT_ITEM] = g_param_spec_int64 ("current-item", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_CAN_UNDO] = g_param_spec_boolean ("can-undo", NULL, NULL, FALSE, flags);
  properties[PROP_SETTLING] = g_param_spec_boolean ("settling", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * VetterReviewCursor::loaded:
   * @detail: an item at or near the position, read (again)
   */
  signals[LOADED] = g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 1, VETTER_TYPE_ITEM_DETAIL);
  /**
   * VetterReviewCursor::decided:
   * @item_id: the item decided
   * @status: (type VetterStatus): the decision
   *
   * A decision was asked for here; it is being written.
   */
  signals[DECIDED] = g_signal_new ("decided", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 2, G_TYPE_INT64, VETTER_TYPE_STATUS);
  /* Something the moderator should read. */
  signals[MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
vetter_review_cursor_init (VetterReviewCursor *self)
{
  self->cancellable = g_cancellable_new ();
  self->filter = vetter_review_filter_new ();
  self->in_queue = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->done = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->slots = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) slot_free);
  self->undo = g_queue_new ();
  self->preload = 2;
}

/* ---- Public API ----------------------------------------------------------- */

VetterReviewCursor *
vetter_review_cursor_new (VetterEngine *engine)
{
  VetterReviewCursor *self = g_object_new (VETTER_TYPE_REVIEW_CURSOR, NULL);

  self->engine = g_object_ref (engine);
  g_signal_connect_object (engine, "item-changed", G_CALLBACK (on_item_changed), self, G_CONNECT_SWAPPED);
  return self;
}

void
vetter_review_cursor_set_filter (VetterReviewCursor       *self,
                                 const VetterReviewFilter *filter)
{
  VetterReviewFilter *copy;

  g_return_if_fail (VETTER_IS_REVIEW_CURSOR (self));
  /* Copied first: @filter may be the cursor's own. */
  copy = vetter_review_filter_copy (filter);
  vetter_review_filter_free (self->filter);
  self->filter = copy;
  read_queue (self, FALSE);
}

const VetterReviewFilter *
vetter_review_cursor_get_filter (VetterReviewCursor *self)
{
  g_return_val_if_fail (VETTER_IS_REVIEW_CURSOR (self), NULL);
  return self->filter;
}

void
vetter_review_cursor_reload (VetterReviewCursor *self)
{
  g_return_if_fail (VETTER_IS_REVIEW_CURSOR (self));
  read_queue (self, FALSE);
}

void
vetter_review_cursor_set_preload (VetterReviewCursor *self,
                                  guint               ahead)
{
  g_return_if_fail (VETTER_IS_REVIEW_CURSOR (self));
  self->preload = ahead;
  sync_window (self);
}

guint
vetter_review_cursor_get_position (VetterReviewCursor *self)
{
  g_return_val_if_fail (VETTER_IS_REVIEW_CURSOR (self), 0);
  return self->position;
}

guint
vetter_review_cursor_get_n_items (VetterReviewCursor *self)
{
  g_return_val_if_fail (VETTER_IS_REVIEW_CURSOR (self), 0);
  return self->queue ? self->queue->len : 0;
}

guint
vetter_review_cursor_get_n_left (VetterReviewCursor *self)
{
  g_return_val_if_fail (VETTER_IS_REVIEW_CURSOR (self), 0);
  return self->n_left;
}

VetterReviewState
vetter_review_cursor_get_state (VetterReviewCursor *self)
{
  g_return_val_if_fail (VETTER_IS_REVIEW_CURSOR (self), VETTER_REVIEW_LOADING);
  return self->state;
}

gboolean
vetter_review_cursor_get_can_undo (VetterReviewCursor *self)
{
  g_return_val_if_fail (VETTER_IS_REVIEW_CURSOR (self), FALSE);
  return self->can_undo;
}

gboolean
vetter_review_cursor_get_settling (VetterReviewCursor *self)
{
  g_return_val_if_fail (VETTER_IS_REVIEW_CURSOR (self), FALSE);
  return self->settling;
}

gint64
vetter_review_cursor_get_current_item (VetterReviewCursor *self)
{
  g_return_val_if_fail (VETTER_IS_REVIEW_CURSOR (self), 0);
  return self->current_item;
}

VetterItemDetail *
vetter_review_cursor_get_current (VetterReviewCursor *self)
{
  Slot *slot;

  g_return_val_if_fail (VETTER_IS_REVIEW_CURSOR (self), NULL);
  slot = current_slot (self);
  return slot ? slot->detail : NULL;
}

const GError *
vetter_review_cursor_get_error (VetterReviewCursor *self)
{
  Slot *slot;

  g_return_val_if_fail (VETTER_IS_REVIEW_CURSOR (self), NULL);
  slot = current_slot (self);
  return slot && slot->detail == NULL ? slot->error : NULL;
}

VetterItemDetail *
vetter_review_cursor_peek (VetterReviewCursor *self,
                           int                 offset)
{
  gint64 id;
  Slot *slot;

  g_return_val_if_fail (VETTER_IS_REVIEW_CURSOR (self), NULL);
  if (offset < 0 && (guint) -offset > self->position)
    return NULL;
  id = id_at (self, (guint) ((gint64) self->position + offset));
  slot = id ? g_hash_table_lookup (self->slots, &id) : NULL;
  return slot ? slot->detail : NULL;
}

gint64
vetter_review_cursor_get_item_id (VetterReviewCursor *self,
                                  guint               position)
{
  g_return_val_if_fail (VETTER_IS_REVIEW_CURSOR (self), 0);
  return id_at (self, position);
}

gboolean
vetter_review_cursor_next (VetterReviewCursor *self)
{
  g_return_val_if_fail (VETTER_IS_REVIEW_CURSOR (self), FALSE);
  if (self->queue == NULL || self->position >= self->queue->len)
    return FALSE;
  self->position++;
  sync_window (self);
  return TRUE;
}

gboolean
vetter_review_cursor_previous (VetterReviewCursor *self)
{
  Slot *slot;

  g_return_val_if_fail (VETTER_IS_REVIEW_CURSOR (self), FALSE);
  if (self->position == 0)
    return FALSE;
  self->position--;
  /* Going back reads the item again: it may have been decided since. */
  if ((slot = current_slot (self)))
    read_slot (self, slot);
  sync_window (self);
  return TRUE;
}

gboolean
vetter_review_cursor_decide (VetterReviewCursor *self,
                             VetterStatus        status,
                             const char         *reason_code,
                             const char         *note,
                             const char         *actor)
{
  g_autoptr(VetterItemDecision) decision = NULL;
  VetterItemDetail *current;
  UndoEntry *entry;
  Decided *decided;

  g_return_val_if_fail (VETTER_IS_REVIEW_CURSOR (self), FALSE);
  current = vetter_review_cursor_get_current (self);
  if (!is_decidable (current))
    return FALSE;

  decision = vetter_item_decision_new_manual (status, reason_code, note, actor);
  entry = g_new0 (UndoEntry, 1);
  entry->item_id = current->id;
  entry->before = vetter_item_detail_ref (current);
  g_queue_push_head (self->undo, entry);
  g_hash_table_add (self->done, g_memdup2 (&current->id, sizeof current->id));

  decided = g_new0 (Decided, 1);
  decided->self = g_object_ref (self);
  decided->entry = entry;
  decided->item_id = entry->item_id;
  vetter_engine_decide_async (self->engine, entry->item_id, decision, "decide", actor, self->cancellable,
                              on_decided, decided);
  g_signal_emit (self, signals[DECIDED], 0, entry->item_id, status);

  /* On to the next at once: it is already read. */
  self->position++;
  sync_window (self);
  return TRUE;
}

gboolean
vetter_review_cursor_undo (VetterReviewCursor *self,
                           const char         *actor)
{
  UndoEntry *entry;

  g_return_val_if_fail (VETTER_IS_REVIEW_CURSOR (self), FALSE);
  entry = g_queue_pop_head (self->undo);
  if (entry == NULL)
    return FALSE;
  show_taken_back (self, entry);
  if (entry->previous == NULL)
    {
      /* Still being written: taken back as soon as it is. */
      entry->undo_requested = TRUE;
      entry->undo_actor = g_strdup (actor);
      update (self);
      return TRUE;
    }
  perform_undo (self, entry, actor);
  return TRUE;
}

typedef struct
{
  VetterReviewCursor *self;
  gboolean            keep_theirs;
} Resolved;

static void
on_resolved (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Resolved *resolved = user_data;
  g_autoptr(VetterReviewCursor) self = resolved->self;
  g_autoptr(GError) error = NULL;

  if (!vetter_engine_resolve_conflict_finish (VETTER_ENGINE (source), result, &error))
    {
      g_autofree char *message = g_strdup_printf (_("The conflict is not settled: %s"), error->message);

      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        say (self, message);
    }
  else
    say (self, resolved->keep_theirs ? _("Their decision is kept")
                                     : _("Your decision is kept and goes to the shared database"));
  g_free (resolved);
}

gboolean
vetter_review_cursor_resolve (VetterReviewCursor *self,
                              gboolean            keep_theirs,
                              const char         *actor)
{
  VetterItemDetail *current;
  Resolved *resolved;

  g_return_val_if_fail (VETTER_IS_REVIEW_CURSOR (self), FALSE);
  current = vetter_review_cursor_get_current (self);
  if (!vetter_item_detail_in_conflict (current))
    return FALSE;
  resolved = g_new0 (Resolved, 1);
  resolved->self = g_object_ref (self);
  resolved->keep_theirs = keep_theirs;
  vetter_engine_resolve_conflict_async (self->engine, current->id, keep_theirs, actor, self->cancellable, on_resolved,
                                        resolved);
  g_hash_table_add (self->done, g_memdup2 (&current->id, sizeof current->id));
  self->position++;
  sync_window (self);
  return TRUE;
}

void
vetter_review_cursor_drop (VetterReviewCursor *self,
                           gint64              item_id)
{
  guint index;

  g_return_if_fail (VETTER_IS_REVIEW_CURSOR (self));
  index = GPOINTER_TO_UINT (g_hash_table_lookup (self->in_queue, &item_id));
  if (index == 0)
    return;
  g_hash_table_remove (self->done, &item_id);
  g_hash_table_remove (self->slots, &item_id);
  g_array_remove_index (self->queue, index - 1);
  index_queue (self);
  if (index - 1 < self->position)
    self->position--;
  sync_window (self);
}
