/* vetter-variant-fetch.c: variants another machine made, fetched here
 *
 * An ad the team processed elsewhere arrives with its variants' URLs and
 * no files. Its thumbnail is fetched as soon as it arrives (lists show
 * it); the other variants when the ad is shown. Each download runs on a
 * thread of GIO's pool, through the pipeline's own fetch (its limits and
 * time-outs), and is written beside the ads processed here; the store then
 * names the file, which the window hears of as a change of the item.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-engine"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "vetter-fetch.h"
#include "vetter-store.h"
#include "vetter-variant-fetch.h"

#define BATCH_LIMIT 64

struct _VetterVariantFetch
{
  GObject         parent_instance;

  VetterEngine   *engine;       /* not owned: the engine owns this */
  GCancellable   *cancellable;
  GHashTable     *in_flight;    /* variant id (gint64*) */
  GHashTable     *failed;       /* variant id (gint64*): not tried again this session */
  gboolean        thumbs_running;
};

G_DEFINE_FINAL_TYPE (VetterVariantFetch, vetter_variant_fetch, G_TYPE_OBJECT)

typedef struct
{
  VetterVariantFetch   *self;
  VetterMissingVariant *variant;
  VetterConfig         *config;
  gboolean              thumbs_pass;  /* part of the thumbnails' run */
} Download;

static void
download_free (Download *download)
{
  g_clear_object (&download->self);
  vetter_missing_variant_free (download->variant);
  vetter_config_free (download->config);
  g_free (download);
}

static void fetch_thumbnails (VetterVariantFetch *self);

/* A worker thread of GIO's: the bytes, to the file. */
static void
download_in_thread (GTask        *task,
                    gpointer      source,
                    gpointer      data,
                    GCancellable *cancellable)
{
  Download *download = data;
  g_autofree char *dir = g_path_get_dirname (download->variant->path);
  GError *error = NULL;
  g_autoptr(GBytes) bytes = vetter_fetch (download->variant->url, download->config, cancellable, &error);

  if (bytes == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_mkdir_with_parents (dir, 0755) != 0 ||
      !g_file_set_contents (download->variant->path, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes),
                            &error))
    {
      if (error == NULL)
        error = g_error_new (G_IO_ERROR, g_io_error_from_errno (errno), "cannot make %s", dir);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static gpointer
store_fetched (VetterStore  *store,
               gpointer      data,
               GError      **error)
{
  Download *download = data;

  return vetter_store_variant_fetched (store, download->variant->variant_id, download->variant->item_id,
                                       download->variant->path, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

static void
on_recorded (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!vetter_database_run_finish (VETTER_DATABASE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("A fetched variant was not recorded: %s", error->message);
}

static void
on_downloaded (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Download *download = user_data;
  VetterVariantFetch *self = download->self;
  g_autoptr(GError) error = NULL;
  gboolean thumbs_pass = download->thumbs_pass;

  g_hash_table_remove (self->in_flight, &download->variant->variant_id);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          download_free (download);
          return;
        }
      g_message ("Cannot fetch %s: %s", download->variant->url, error->message);
      g_hash_table_add (self->failed, g_memdup2 (&download->variant->variant_id, sizeof (gint64)));
      download_free (download);
      if (thumbs_pass)
        {
          self->thumbs_running = FALSE;
          fetch_thumbnails (self);
        }
      return;
    }
  vetter_database_run_async (vetter_engine_get_database (self->engine), store_fetched, download,
                             (GDestroyNotify) download_free, NULL, self->cancellable, on_recorded, NULL);
  /* The next of the thumbnails' run, one at a time. */
  if (thumbs_pass)
    {
      self->thumbs_running = FALSE;
      fetch_thumbnails (self);
    }
}

static void
start (VetterVariantFetch   *self,
       VetterMissingVariant *variant,
       gboolean              thumbs_pass)
{
  Download *download;
  g_autoptr(GTask) task = NULL;

  if (g_hash_table_contains (self->in_flight, &variant->variant_id))
    {
      vetter_missing_variant_free (variant);
      if (thumbs_pass)
        self->thumbs_running = FALSE;
      return;
    }
  g_hash_table_add (self->in_flight, g_memdup2 (&variant->variant_id, sizeof variant->variant_id));
  download = g_new0 (Download, 1);
  download->self = g_object_ref (self);
  download->variant = variant;
  download->config = vetter_config_copy (vetter_engine_get_config (self->engine));
  download->thumbs_pass = thumbs_pass;
  task = g_task_new (self, self->cancellable, on_downloaded, download);
  g_task_set_task_data (task, download, NULL);
  g_task_run_in_thread (task, download_in_thread);
}

typedef struct
{
  gint64   item_id;
  gboolean thumbs_only;
  guint    limit;
} Query;

static gpointer
store_missing (VetterStore  *store,
               gpointer      data,
               GError      **error)
{
  Query *query = data;

  return vetter_store_missing_variants (store, query->item_id, query->thumbs_only, query->limit, error);
}

static void
on_missing_for_item (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(VetterVariantFetch) self = user_data;
  g_autoptr(GPtrArray) missing = vetter_database_run_finish (VETTER_DATABASE (source), result, NULL);

  while (missing && missing->len > 0)
    start (self, g_ptr_array_steal_index (missing, 0), FALSE);
}

static void
on_missing_thumbnail (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(VetterVariantFetch) self = user_data;
  g_autoptr(GPtrArray) missing = vetter_database_run_finish (VETTER_DATABASE (source), result, NULL);

  for (guint i = 0; missing && i < missing->len; i++)
    {
      VetterMissingVariant *variant = g_ptr_array_index (missing, i);

      if (!g_hash_table_contains (self->failed, &variant->variant_id))
        {
          start (self, g_ptr_array_steal_index (missing, i), TRUE);
          return;
        }
    }
  self->thumbs_running = FALSE;
}

static void
fetch_thumbnails (VetterVariantFetch *self)
{
  Query *query;

  if (self->thumbs_running || g_cancellable_is_cancelled (self->cancellable))
    return;
  self->thumbs_running = TRUE;
  query = g_new0 (Query, 1);
  query->thumbs_only = TRUE;
  /* Past those that could not be fetched this session. */
  query->limit = 1 + g_hash_table_size (self->failed);
  vetter_database_run_async (vetter_engine_get_database (self->engine), store_missing, query, g_free,
                             (GDestroyNotify) g_ptr_array_unref, self->cancellable, on_missing_thumbnail,
                             g_object_ref (self));
}

static void
vetter_variant_fetch_dispose (GObject *object)
{
  VetterVariantFetch *self = VETTER_VARIANT_FETCH (object);

  g_cancellable_cancel (self->cancellable);
  G_OBJECT_CLASS (vetter_variant_fetch_parent_class)->dispose (object);
}

static void
vetter_variant_fetch_finalize (GObject *object)
{
  VetterVariantFetch *self = VETTER_VARIANT_FETCH (object);

  g_clear_object (&self->cancellable);
  g_hash_table_unref (self->in_flight);
  g_hash_table_unref (self->failed);
  G_OBJECT_CLASS (vetter_variant_fetch_parent_class)->finalize (object);
}

static void
vetter_variant_fetch_class_init (VetterVariantFetchClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = vetter_variant_fetch_dispose;
  G_OBJECT_CLASS (klass)->finalize = vetter_variant_fetch_finalize;
}

static void
vetter_variant_fetch_init (VetterVariantFetch *self)
{
  self->cancellable = g_cancellable_new ();
  self->in_flight = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->failed = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

VetterVariantFetch *
vetter_variant_fetch_new (VetterEngine *engine)
{
  VetterVariantFetch *self = g_object_new (VETTER_TYPE_VARIANT_FETCH, NULL);

  self->engine = engine;
  return self;
}

void
vetter_variant_fetch_item (VetterVariantFetch *self,
                           gint64              item_id)
{
  Query *query;

  g_return_if_fail (VETTER_IS_VARIANT_FETCH (self));
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  query = g_new0 (Query, 1);
  query->item_id = item_id;
  query->limit = BATCH_LIMIT;
  vetter_database_run_async (vetter_engine_get_database (self->engine), store_missing, query, g_free,
                             (GDestroyNotify) g_ptr_array_unref, self->cancellable, on_missing_for_item,
                             g_object_ref (self));
}

void
vetter_variant_fetch_thumbnails (VetterVariantFetch *self)
{
  g_return_if_fail (VETTER_IS_VARIANT_FETCH (self));
  fetch_thumbnails (self);
}

void
vetter_variant_fetch_stop (VetterVariantFetch *self)
{
  g_return_if_fail (VETTER_IS_VARIANT_FETCH (self));
  g_cancellable_cancel (self->cancellable);
}
