/* vetter-couch-feed.c: other desktops' work, pulled into the local queue
 *
 * The _changes feed is read a page at a time from the position stored with
 * the last page taken in, so a restart neither misses nor repeats a change.
 * Pages are polled: pouchdb-server's longpoll ignores its timeout, and a
 * poll is what a desktop behind any proxy can do. What a page brings is
 * taken in by the store in one transaction with its position; the window
 * hears of it through the database like of any other change.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-couch"

#include "config.h"

#include "vetter-couch-feed.h"
#include "vetter-error.h"
#include "vetter-json.h"
#include "vetter-store.h"

#define PAGE_SIZE        200
#define RETRY_SECONDS    5

struct _VetterCouchFeed
{
  GObject            parent_instance;

  VetterEngine      *engine;
  VetterCouchClient *client;
  VetterCouchSetup  *setup;
  GCancellable      *cancellable;
  gboolean           pulling;
  gboolean           started;      /* the stored position has been read */
  guint              interval_ms;
  guint              poll_source;
  gboolean           polling;      /* a page is on its way or being taken in */
  char              *since;        /* JSON, as the server wrote it; NULL: from the start */
};

G_DEFINE_FINAL_TYPE (VetterCouchFeed, vetter_couch_feed, G_TYPE_OBJECT)

enum {
  PULLED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void schedule_poll (VetterCouchFeed *self, guint delay_ms);

/* Shared by the database thread, which fills it, and the answer, which
 * acts on what it found. */
typedef struct
{
  JsonArray *results;
  char      *last_seq;
  GArray    *batches;   /* with new ads to process */
} Page;

static void
page_free (Page *page)
{
  g_clear_pointer (&page->results, json_array_unref);
  g_free (page->last_seq);
  g_clear_pointer (&page->batches, g_array_unref);
  g_free (page);
}

static gpointer
store_take_page (VetterStore  *store,
                 gpointer      data,
                 GError      **error)
{
  Page *page = data;
  GArray *batches = g_array_new (FALSE, FALSE, sizeof (gint64));

  if (!vetter_store_couch_take_changes (store, page->results, page->last_seq, batches, error))
    {
      g_array_unref (batches);
      return NULL;
    }
  return batches;
}

typedef struct
{
  VetterCouchFeed *self;
  char            *last_seq;
  gboolean         full;
} PageTaken;

static void
on_page_taken (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  PageTaken *taken = user_data;
  g_autoptr(VetterCouchFeed) self = taken->self;
  g_autofree char *last_seq = taken->last_seq;
  gboolean full = taken->full;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) batches = vetter_database_run_finish (VETTER_DATABASE (source), result, &error);

  g_free (taken);
  self->polling = FALSE;
  if (batches == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_warning ("Cannot take in the shared database's changes: %s", error->message);
          schedule_poll (self, RETRY_SECONDS * 1000);
        }
      return;
    }
  g_free (self->since);
  self->since = g_steal_pointer (&last_seq);
  /* New ads are processed here like any batch's. */
  for (guint i = 0; i < batches->len; i++)
    vetter_engine_resume_batch (self->engine, g_array_index (batches, gint64, i));
  /* Ads processed elsewhere show with their thumbnails. */
  vetter_engine_fetch_thumbnails (self->engine);
  g_signal_emit (self, signals[PULLED], 0);
  schedule_poll (self, full ? 0 : self->interval_ms);
}

static void
on_page (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(VetterCouchFeed) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterCouchAnswer) answer = vetter_couch_client_request_finish (VETTER_COUCH_CLIENT (source), result, &error);
  JsonArray *results = NULL;
  g_autofree char *last_seq = NULL;
  PageTaken *taken;
  Page *page;

  if (answer == NULL || answer->status != 200 || !vetter_couch_feed_read_page (answer->body, &results, &last_seq))
    {
      self->polling = FALSE;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Offline or refused: the next poll tries again; a refusal also
       * sends the readiness check round again, to say why. */
      if (answer && (answer->status == 401 || answer->status == 403 || answer->status == 404))
        {
          g_autofree char *why = vetter_couch_answer_describe (answer);
          g_autofree char *problem = g_strdup_printf ("the database refused its changes feed (%s); checking it again",
                                                      why);

          vetter_couch_setup_refused (self->setup, problem);
        }
      schedule_poll (self, MAX (self->interval_ms, RETRY_SECONDS * 1000));
      return;
    }

  page = g_new0 (Page, 1);
  page->results = json_array_ref (results);
  page->last_seq = g_steal_pointer (&last_seq);
  taken = g_new0 (PageTaken, 1);
  taken->self = g_object_ref (self);
  taken->last_seq = g_strdup (page->last_seq);
  taken->full = json_array_get_length (page->results) >= PAGE_SIZE;
  vetter_database_run_async (vetter_engine_get_database (self->engine), store_take_page, page,
                             (GDestroyNotify) page_free, (GDestroyNotify) g_array_unref, self->cancellable,
                             on_page_taken, taken);
}

gboolean
vetter_couch_feed_read_page (JsonObject  *body,
                             JsonArray  **results,
                             char       **last_seq)
{
  JsonNode *position = body ? json_object_get_member (body, "last_seq") : NULL;

  *results = vetter_json_array (body, "results");
  *last_seq = NULL;
  /* A position is a number (CouchDB 1) or a string (2 and later). */
  if (*results == NULL || position == NULL ||
      (json_node_get_value_type (position) != G_TYPE_STRING && json_node_get_value_type (position) != G_TYPE_INT64))
    return FALSE;
  *last_seq = json_to_string (position, FALSE);
  return TRUE;
}

/* "since" as a query value: a number as it is, a string's own text. */
static char *
since_param (const char *since)
{
  g_autoptr(JsonNode) node = since ? json_from_string (since, NULL) : NULL;

  if (node == NULL)
    return g_strdup ("0");
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_uri_escape_string (json_node_get_string (node), NULL, FALSE);
  return g_strdup (since);
}

static gboolean
on_poll (gpointer user_data)
{
  VetterCouchFeed *self = user_data;
  g_autofree char *since = since_param (self->since);
  g_autofree char *query = g_strdup_printf ("since=%s&include_docs=true&limit=%d", since, PAGE_SIZE);

  self->poll_source = 0;
  if (!self->started || !vetter_couch_setup_get_ready (self->setup) || self->polling ||
      g_cancellable_is_cancelled (self->cancellable))
    return G_SOURCE_REMOVE;
  self->polling = TRUE;
  vetter_couch_client_request_async (self->client, "GET", "_changes", query, NULL, FALSE, self->cancellable,
                                     on_page, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

static void
schedule_poll (VetterCouchFeed *self,
               guint            delay_ms)
{
  if (!self->pulling || g_cancellable_is_cancelled (self->cancellable))
    return;
  g_clear_handle_id (&self->poll_source, g_source_remove);
  self->poll_source = g_timeout_add (delay_ms, on_poll, self);
}

static void
on_ready_changed (VetterCouchFeed *self)
{
  if (vetter_couch_setup_get_ready (self->setup))
    schedule_poll (self, 0);
}

static gpointer
store_read_since (VetterStore  *store,
                  gpointer      data,
                  GError      **error)
{
  /* A position not stored yet reads as "from the start". */
  char *since = vetter_store_couch_since (store);

  return since ? since : g_strdup ("");
}

static void
on_since_read (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(VetterCouchFeed) self = user_data;
  g_autofree char *since = vetter_database_run_finish (VETTER_DATABASE (source), result, NULL);

  if (since == NULL)
    return;
  self->since = *since ? g_steal_pointer (&since) : NULL;
  self->started = TRUE;
  schedule_poll (self, 0);
}

/* ---- GObject -------------------------------------------------------------- */

static void
vetter_couch_feed_dispose (GObject *object)
{
  VetterCouchFeed *self = VETTER_COUCH_FEED (object);

  vetter_couch_feed_stop (self);
  if (self->setup)
    g_signal_handlers_disconnect_by_func (self->setup, on_ready_changed, self);
  g_clear_object (&self->setup);
  g_clear_object (&self->client);
  g_clear_object (&self->engine);
  G_OBJECT_CLASS (vetter_couch_feed_parent_class)->dispose (object);
}

static void
vetter_couch_feed_finalize (GObject *object)
{
  VetterCouchFeed *self = VETTER_COUCH_FEED (object);

  g_clear_object (&self->cancellable);
  g_free (self->since);
  G_OBJECT_CLASS (vetter_couch_feed_parent_class)->finalize (object);
}

static void
vetter_couch_feed_class_init (VetterCouchFeedClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vetter_couch_feed_dispose;
  object_class->finalize = vetter_couch_feed_finalize;

  /* A page of other desktops' changes was taken in. */
  signals[PULLED] = g_signal_new ("pulled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
vetter_couch_feed_init (VetterCouchFeed *self)
{
  self->cancellable = g_cancellable_new ();
  self->interval_ms = 2000;
}

VetterCouchFeed *
vetter_couch_feed_new (VetterEngine      *engine,
                       VetterCouchClient *client,
                       VetterCouchSetup  *setup)
{
  VetterCouchFeed *self = g_object_new (VETTER_TYPE_COUCH_FEED, NULL);

  self->engine = g_object_ref (engine);
  self->client = g_object_ref (client);
  self->setup = g_object_ref (setup);
  g_signal_connect_swapped (setup, "notify::ready", G_CALLBACK (on_ready_changed), self);
  return self;
}

void
vetter_couch_feed_start_pull (VetterCouchFeed *self,
                              guint            interval_ms)
{
  g_return_if_fail (VETTER_IS_COUCH_FEED (self));
  self->interval_ms = MAX (interval_ms, 50);
  if (self->pulling)
    return;
  self->pulling = TRUE;
  vetter_database_run_async (vetter_engine_get_database (self->engine), store_read_since, NULL, NULL, g_free,
                             self->cancellable, on_since_read, g_object_ref (self));
}

void
vetter_couch_feed_stop (VetterCouchFeed *self)
{
  g_return_if_fail (VETTER_IS_COUCH_FEED (self));
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->poll_source, g_source_remove);
  /* Pulling may start again, from where it stopped. */
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->pulling = FALSE;
}
