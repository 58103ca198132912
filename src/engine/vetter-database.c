/* vetter-database.c: the one door to the store, on a thread of its own
 *
 * The SQLite connection belongs to one thread, this object's: whoever
 * needs the store (the engine, the outbox's sender, the shared database's
 * feed, lists, the command line) sends it work, which runs there in the
 * order it was sent, and gets the result back on its own thread. Nothing
 * else touches the store.
 *
 * After each piece of work, the rows its committed transactions changed
 * are collected (SQLite's update hook, in the store) and announced on the
 * main context as "rows-changed" (table, ids), whoever wrote them: a
 * worker's result, a moderator's decision, the sender's report, another
 * desktop's change. Announcements that pile up while the main context is
 * busy are merged, so a fast batch costs the window one signal per table
 * per turn of its loop, not one per row.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-database"

#include "config.h"

#include "vetter-database.h"
#include "vetter-error.h"
#include "vetter-ordered-call.h"
#include "vetter-store.h"

struct _VetterDatabase
{
  GObject       parent_instance;

  char         *path;
  int           cache_kib;      /* 0: the store's own */
  GMainContext *main_context;   /* where rows-changed is emitted */
  GMainContext *context;        /* the database thread's */
  GMainLoop    *loop;
  GThread      *thread;
  gboolean      closed;

  /* Database thread only. */
  VetterStore  *store;
  GSource      *group_end;      /* commits the group when no message waits */
  guint         group_messages; /* delivered in the open group */
  gint64        group_started;  /* monotonic µs */
  gboolean      checkpoint;     /* wanted after the group's commit */

  /* Shared, under the lock: changes waiting to be announced. */
  GMutex        lock;
  GHashTable   *outgoing;       /* table (interned) → GArray of ids */
  gboolean      announcing;     /* an announcement is on its way to the main context */
};

G_DEFINE_FINAL_TYPE (VetterDatabase, vetter_database, G_TYPE_OBJECT)

enum {
  ROWS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- Messages to the database thread ------------------------------------- */

typedef struct
{
  VetterDatabase     *self;
  VetterDatabaseCall  func;
  gpointer            data;
  GDestroyNotify      destroy;
} Message;

static void announce_changes (VetterDatabase *self);

/* Posted messages come in runs (a worker's result, the next item taken,
 * a batch's progress): each would pay for a commit of its own, and with
 * many small ones the commits were most of the database thread's time.
 * A run is one transaction, committed when no message waits any more, or
 * after GROUP_MESSAGES of them or GROUP_MS, so that a crash loses at most
 * that much recorded work (its items are done again). A call that needs
 * an answer commits the group first: the answer is never ahead of the
 * disk. */
#define GROUP_MESSAGES 500
#define GROUP_MS 50

static void
end_group (VetterDatabase *self)
{
  g_autoptr(GError) error = NULL;

  if (self->group_end)
    {
      g_source_destroy (self->group_end);
      g_clear_pointer (&self->group_end, g_source_unref);
    }
  if (self->store && !vetter_store_group_end (self->store, &error))
    g_warning ("The last %u changes could not be saved: %s", self->group_messages, error->message);
  self->group_messages = 0;
  if (self->store && self->checkpoint)
    vetter_store_checkpoint (self->store);
  self->checkpoint = FALSE;
  if (self->store)
    announce_changes (self);
}

static gboolean
on_group_end (gpointer user_data)
{
  end_group (user_data);
  return G_SOURCE_REMOVE;
}

static void
begin_group (VetterDatabase *self)
{
  if (self->group_end || !vetter_store_group_begin (self->store))
    return;
  self->group_started = g_get_monotonic_time ();
  /* Below the messages' priority: runs once none is waiting. */
  self->group_end = g_idle_source_new ();
  g_source_set_priority (self->group_end, G_PRIORITY_LOW);
  g_source_set_callback (self->group_end, on_group_end, self, NULL);
  g_source_attach (self->group_end, self->context);
}

static gboolean
deliver (gpointer user_data)
{
  Message *message = user_data;
  VetterDatabase *self = message->self;

  if (self->store)
    {
      begin_group (self);
      message->func (self->store, message->data);
      if (self->group_end == NULL)
        /* No run could begin (the database refused): committed alone. */
        announce_changes (self);
      else if (++self->group_messages >= GROUP_MESSAGES ||
               g_get_monotonic_time () - self->group_started >= GROUP_MS * 1000)
        end_group (self);
    }
  return G_SOURCE_REMOVE;
}

void
vetter_database_commit (VetterDatabase *self)
{
  g_return_if_fail (vetter_database_is_current (self));
  end_group (self);
}

void
vetter_database_checkpoint_soon (VetterDatabase *self)
{
  g_return_if_fail (vetter_database_is_current (self));
  self->checkpoint = TRUE;
}

static void
message_free (gpointer user_data)
{
  Message *message = user_data;

  if (message->destroy && message->data)
    message->destroy (message->data);
  g_object_unref (message->self);
  g_free (message);
}

/* Work for the database thread runs in the order it was sent. */
static void
send_message (VetterDatabase *self,
              GSourceFunc     func,
              Message        *message)
{
  vetter_call_in_order (self->context, G_PRIORITY_DEFAULT, func, message, message_free);
}

void
vetter_database_post (VetterDatabase     *self,
                      VetterDatabaseCall  func,
                      gpointer            data,
                      GDestroyNotify      destroy)
{
  Message *message;

  g_return_if_fail (VETTER_IS_DATABASE (self));
  message = g_new0 (Message, 1);
  message->self = g_object_ref (self);
  message->func = func;
  message->data = data;
  message->destroy = destroy;
  send_message (self, deliver, message);
}

/* ---- Announcing changes --------------------------------------------------- */

static gboolean
emit_changes (gpointer user_data)
{
  VetterDatabase *self = user_data;
  g_autoptr(GHashTable) changes = NULL;
  GHashTableIter iter;
  gpointer table, ids;

  g_mutex_lock (&self->lock);
  changes = g_steal_pointer (&self->outgoing);
  self->outgoing = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_array_unref);
  self->announcing = FALSE;
  g_mutex_unlock (&self->lock);

  g_hash_table_iter_init (&iter, changes);
  while (g_hash_table_iter_next (&iter, &table, &ids))
    g_signal_emit (self, signals[ROWS_CHANGED], g_quark_from_string (table), table, ids);
  return G_SOURCE_REMOVE;
}

/* On the database thread, after each piece of work. */
static void
announce_changes (VetterDatabase *self)
{
  g_autoptr(GHashTable) changes = vetter_store_take_changes (self->store);
  GHashTableIter iter;
  gpointer table, ids;
  gboolean send;

  if (changes == NULL)
    return;
  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, changes);
  while (g_hash_table_iter_next (&iter, &table, &ids))
    {
      GArray *waiting = g_hash_table_lookup (self->outgoing, table);

      if (waiting)
        g_array_append_vals (waiting, ((GArray *) ids)->data, ((GArray *) ids)->len);
      else
        g_hash_table_insert (self->outgoing, table, g_array_ref (ids));
    }
  send = !self->announcing;
  self->announcing = TRUE;
  g_mutex_unlock (&self->lock);

  if (send)
    vetter_call_in_order (self->main_context, G_PRIORITY_DEFAULT, emit_changes, g_object_ref (self),
                          g_object_unref);
}

/* ---- Running work for a task ----------------------------------------------- */

typedef struct
{
  VetterDatabaseFunc  func;
  gpointer            data;
  GDestroyNotify      data_free;
  GDestroyNotify      result_free;
} Work;

static void
work_free (Work *work)
{
  if (work->data_free && work->data)
    work->data_free (work->data);
  g_free (work);
}

static void
run_work (VetterStore *store,
          gpointer     data)
{
  GTask *task = data;
  Work *work = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gpointer result;

  if (g_task_return_error_if_cancelled (task))
    return;
  end_group (g_task_get_source_object (task));
  result = work->func (store, work->data, &error);
  /* The changes are announced before the answer goes back, so a caller
   * that reacts to both sees them in that order. */
  announce_changes (g_task_get_source_object (task));
  if (result == NULL)
    g_task_return_error (task, error ? g_steal_pointer (&error)
                                     : g_error_new (VETTER_ERROR, VETTER_ERROR_STORE, "the database gave no answer"));
  else
    g_task_return_pointer (task, result, work->result_free);
}

static gboolean
deliver_task (gpointer user_data)
{
  Message *message = user_data;
  GTask *task = message->data;

  if (message->self->store == NULL)
    g_task_return_new_error (task, VETTER_ERROR, VETTER_ERROR_STORE, "the database is not open");
  else
    run_work (message->self->store, task);
  return G_SOURCE_REMOVE;
}

void
vetter_database_run_async (VetterDatabase      *self,
                           VetterDatabaseFunc   func,
                           gpointer             data,
                           GDestroyNotify       data_free,
                           GDestroyNotify       result_free,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;
  Work *work;
  Message *message;

  g_return_if_fail (VETTER_IS_DATABASE (self));
  task = g_task_new (self, cancellable, callback, user_data);
  work = g_new0 (Work, 1);
  work->func = func;
  work->data = data;
  work->data_free = data_free;
  work->result_free = result_free;
  g_task_set_source_tag (task, vetter_database_run_async);
  g_task_set_task_data (task, work, (GDestroyNotify) work_free);
  message = g_new0 (Message, 1);
  message->self = g_object_ref (self);
  message->data = task;
  message->destroy = g_object_unref;
  send_message (self, deliver_task, message);
}

gpointer
vetter_database_run_finish (VetterDatabase  *self,
                            GAsyncResult    *result,
                            GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Opening and closing -------------------------------------------------- */

static gboolean
deliver_open (gpointer user_data)
{
  Message *message = user_data;
  VetterDatabase *self = message->self;
  GTask *task = message->data;
  g_autoptr(GError) error = NULL;

  if (self->store == NULL)
    {
      self->store = vetter_store_open (self->path, &error);
      if (self->store && self->cache_kib > 0)
        vetter_store_set_cache_size (self->store, self->cache_kib);
    }
  if (self->store == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

void
vetter_database_set_cache_size (VetterDatabase *self,
                                int             kib)
{
  g_return_if_fail (VETTER_IS_DATABASE (self));
  self->cache_kib = kib;
}

void
vetter_database_open_async (VetterDatabase      *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;
  Message *message;

  g_return_if_fail (VETTER_IS_DATABASE (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vetter_database_open_async);
  message = g_new0 (Message, 1);
  message->self = g_object_ref (self);
  message->data = task;
  message->destroy = g_object_unref;
  send_message (self, deliver_open, message);
}

gboolean
vetter_database_open_finish (VetterDatabase  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Uses only what it holds itself once the loop ends: the object may be
 * gone by then (see dispose). */
static gpointer
thread_main (gpointer data)
{
  VetterDatabase *self = data;
  g_autoptr(GMainContext) context = g_main_context_ref (self->context);
  g_autoptr(GMainLoop) loop = g_main_loop_ref (self->loop);

  g_main_context_push_thread_default (context);
  g_main_loop_run (loop);
  g_main_context_pop_thread_default (context);
  return NULL;
}

static void
stop_on_thread (VetterDatabase *self)
{
  end_group (self);
  g_clear_object (&self->store);
  g_main_loop_quit (self->loop);
}

static gboolean
deliver_barrier (gpointer user_data)
{
  Message *message = user_data;

  /* What was posted before is on disk when the caller goes on. */
  end_group (message->self);
  g_async_queue_push (message->data, GINT_TO_POINTER (1));
  return G_SOURCE_REMOVE;
}

void
vetter_database_barrier (VetterDatabase *self)
{
  g_autoptr(GAsyncQueue) done = g_async_queue_new ();
  Message *message;

  g_return_if_fail (VETTER_IS_DATABASE (self));
  g_return_if_fail (!vetter_database_is_current (self));
  if (self->closed)
    return;
  message = g_new0 (Message, 1);
  message->self = g_object_ref (self);
  message->data = g_async_queue_ref (done);
  message->destroy = (GDestroyNotify) g_async_queue_unref;
  send_message (self, deliver_barrier, message);
  g_async_queue_pop (done);
}

static gboolean
deliver_quit (gpointer user_data)
{
  Message *message = user_data;

  stop_on_thread (message->self);
  return G_SOURCE_REMOVE;
}

void
vetter_database_close (VetterDatabase *self)
{
  Message *message;

  g_return_if_fail (VETTER_IS_DATABASE (self));
  if (self->closed)
    return;
  self->closed = TRUE;
  message = g_new0 (Message, 1);
  message->self = g_object_ref (self);
  send_message (self, deliver_quit, message);
  g_thread_join (self->thread);
  self->thread = NULL;
}

gboolean
vetter_database_is_current (VetterDatabase *self)
{
  g_return_val_if_fail (VETTER_IS_DATABASE (self), FALSE);
  return g_main_context_is_owner (self->context);
}

const char *
vetter_database_get_path (VetterDatabase *self)
{
  g_return_val_if_fail (VETTER_IS_DATABASE (self), NULL);
  return self->path;
}

char *
vetter_database_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "vetter", "vetter.db", NULL);
}

/* ---- GObject -------------------------------------------------------------- */

static void
vetter_database_dispose (GObject *object)
{
  VetterDatabase *self = VETTER_DATABASE (object);

  /* The thread holds no reference of its own; messages do. The last one
   * to go can be the database thread's own, which cannot wait for itself:
   * it stops its loop and lets the thread end alone. */
  if (!self->closed && self->thread)
    {
      if (g_thread_self () == self->thread)
        {
          self->closed = TRUE;
          stop_on_thread (self);
          g_clear_pointer (&self->thread, g_thread_unref);
        }
      else
        vetter_database_close (self);
    }
  G_OBJECT_CLASS (vetter_database_parent_class)->dispose (object);
}

static void
vetter_database_finalize (GObject *object)
{
  VetterDatabase *self = VETTER_DATABASE (object);

  g_clear_pointer (&self->outgoing, g_hash_table_unref);
  g_mutex_clear (&self->lock);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->main_context, g_main_context_unref);
  g_free (self->path);

  G_OBJECT_CLASS (vetter_database_parent_class)->finalize (object);
}

static void
vetter_database_class_init (VetterDatabaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vetter_database_dispose;
  object_class->finalize = vetter_database_finalize;

  /**
   * VetterDatabase::rows-changed:
   * @table: the table, as named in the schema ("item", "outbox", …)
   * @ids: (element-type gint64): the rows, by id, in order, each once
   *
   * Transactions that changed rows of @table were committed, whoever
   * wrote them. Detailed by table: "rows-changed::outbox".
   */
  signals[ROWS_CHANGED] = g_signal_new ("rows-changed", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_ARRAY);
}

static void
vetter_database_init (VetterDatabase *self)
{
  g_mutex_init (&self->lock);
  self->outgoing = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_array_unref);
}

VetterDatabase *
vetter_database_new (const char *path)
{
  VetterDatabase *self = g_object_new (VETTER_TYPE_DATABASE, NULL);

  self->path = path ? g_strdup (path) : vetter_database_default_path ();
  self->main_context = g_main_context_ref_thread_default ();
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new ("vetter-database", thread_main, self);
  return self;
}
