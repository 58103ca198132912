/* vetter-picture-cache.c: the images of the ads around the one on screen
 *
 * A decision swaps the ad on screen within a frame only if its picture is
 * already a texture the size it is drawn at: the review page asks for the
 * pictures of the ads its cursor reads ahead, and this makes them in the
 * background, each once, sized to fit the view (a JPEG decoded at 1/2,
 * 1/4 or 1/8 scale where that is enough). A closer look (zoom) asks for
 * the full size of the one picture on screen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-picture-cache"

#include "config.h"

#include <string.h>

#include "vetter-picture-cache.h"
#include "vetter-texture-loader.h"

/* Before the view has a size: a common laptop's image area. */
#define DEFAULT_FIT_WIDTH  1600
#define DEFAULT_FIT_HEIGHT 1200
/* Images per ad a key can tell apart (see picture_key). */
#define MAX_INDEX 1024

typedef struct
{
  GdkTexture         *texture;
  GError             *error;
  gboolean            done;
  int                 fit_width;   /* what it was made for; 0 for full size */
  int                 fit_height;
  GCancellable       *cancellable;
} Picture;

struct _VetterPictureCache
{
  GObject     parent_instance;

  GHashTable *pictures;    /* key → Picture* */
  int         fit_width;
  int         fit_height;
};

G_DEFINE_FINAL_TYPE (VetterPictureCache, vetter_picture_cache, G_TYPE_OBJECT)

enum {
  READY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gint64
picture_key (gint64   item_id,
             guint    index,
             gboolean full)
{
  return (item_id * MAX_INDEX + MIN (index, MAX_INDEX - 1)) * 2 + (full ? 1 : 0);
}

static gint64
key_item (gint64 key)
{
  return key / 2 / MAX_INDEX;
}

static void
picture_free (Picture *picture)
{
  g_cancellable_cancel (picture->cancellable);
  g_clear_object (&picture->cancellable);
  g_clear_object (&picture->texture);
  g_clear_error (&picture->error);
  g_free (picture);
}

GPtrArray *
vetter_image_display_paths (VetterImageInfo *image)
{
  GPtrArray *paths = g_ptr_array_new ();

  if (image && image->location && strstr (image->location, "://") == NULL)
    g_ptr_array_add (paths, image->location);
  for (guint i = 0; image && i < image->variants->len; i++)
    {
      VetterVariantInfo *variant = g_ptr_array_index (image->variants, i);

      if (variant->kind == VETTER_VARIANT_COMPRESSED)
        g_ptr_array_add (paths, variant->path);
    }
  g_ptr_array_add (paths, NULL);
  return paths;
}

typedef struct
{
  VetterPictureCache *self;
  gint64              key;
  GCancellable       *cancellable;
} Load;

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Load *load = user_data;
  g_autoptr(VetterPictureCache) self = load->self;
  g_autoptr(GCancellable) cancellable = load->cancellable;
  g_autoptr(GError) error = NULL;
  GdkTexture *texture = vetter_texture_load_finish (result, &error);
  Picture *picture;
  gint64 key = load->key;

  g_free (load);
  picture = g_hash_table_lookup (self->pictures, &key);
  /* Let go of, or made again for a bigger view, in the meantime. */
  if (picture == NULL || picture->cancellable != cancellable)
    {
      g_clear_object (&texture);
      return;
    }
  /* A bigger one that could not be made leaves the smaller one in place. */
  if (texture == NULL && picture->texture)
    {
      picture->cancellable = NULL;
      g_object_unref (cancellable);
      return;
    }
  g_clear_object (&picture->texture);
  picture->done = TRUE;
  picture->texture = texture;
  picture->error = g_steal_pointer (&error);
  g_signal_emit (self, signals[READY], 0, key_item (key), (guint) (key / 2 % MAX_INDEX), (gboolean) (key % 2));
}

static void
vetter_picture_cache_finalize (GObject *object)
{
  VetterPictureCache *self = VETTER_PICTURE_CACHE (object);

  g_clear_pointer (&self->pictures, g_hash_table_unref);

  G_OBJECT_CLASS (vetter_picture_cache_parent_class)->finalize (object);
}

static void
vetter_picture_cache_class_init (VetterPictureCacheClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vetter_picture_cache_finalize;

  /**
   * VetterPictureCache::ready:
   * A picture asked for is made (or known not to be makeable).
   */
  signals[READY] = g_signal_new ("ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                 G_TYPE_NONE, 3, G_TYPE_INT64, G_TYPE_UINT, G_TYPE_BOOLEAN);
}

static void
vetter_picture_cache_init (VetterPictureCache *self)
{
  self->pictures = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) picture_free);
  self->fit_width = DEFAULT_FIT_WIDTH;
  self->fit_height = DEFAULT_FIT_HEIGHT;
}

VetterPictureCache *
vetter_picture_cache_new (void)
{
  return g_object_new (VETTER_TYPE_PICTURE_CACHE, NULL);
}

void
vetter_picture_cache_set_fit (VetterPictureCache *self,
                              int                 width,
                              int                 height)
{
  g_return_if_fail (VETTER_IS_PICTURE_CACHE (self));

  if (width > 0 && height > 0)
    {
      self->fit_width = width;
      self->fit_height = height;
    }
}

void
vetter_picture_cache_prepare (VetterPictureCache *self,
                              VetterItemDetail   *item,
                              guint               index,
                              gboolean            full)
{
  gint64 key;
  Picture *picture;
  g_autoptr(GPtrArray) paths = NULL;
  g_autoptr(GdkTexture) old = NULL;
  Load *load;

  g_return_if_fail (VETTER_IS_PICTURE_CACHE (self));
  g_return_if_fail (item != NULL);

  key = picture_key (item->id, index, full);
  picture = g_hash_table_lookup (self->pictures, &key);
  /* Made for a view as big, or within a few pixels of it (the layout
   * moves a little as panels fill): good enough. */
  if (picture && (full || (picture->fit_width * 21 / 20 >= self->fit_width &&
                           picture->fit_height * 21 / 20 >= self->fit_height)))
    return;
  old = picture && picture->done && picture->texture ? g_object_ref (picture->texture) : NULL;

  picture = g_new0 (Picture, 1);
  picture->fit_width = full ? 0 : self->fit_width;
  picture->fit_height = full ? 0 : self->fit_height;
  picture->cancellable = g_cancellable_new ();
  /* The smaller one made before is shown until the bigger one is in: an
   * ad made ahead stays ready to show when the view grows. */
  if (old)
    {
      picture->texture = g_steal_pointer (&old);
      picture->done = TRUE;
    }
  g_hash_table_replace (self->pictures, g_memdup2 (&key, sizeof key), picture);

  load = g_new0 (Load, 1);
  load->self = g_object_ref (self);
  load->key = key;
  load->cancellable = g_object_ref (picture->cancellable);
  paths = vetter_image_display_paths (index < item->images->len ? g_ptr_array_index (item->images, index) : NULL);
  vetter_texture_load_async ((const char * const *) paths->pdata, picture->fit_width, picture->fit_height,
                             picture->cancellable, on_loaded, load);
}

gboolean
vetter_picture_cache_lookup (VetterPictureCache  *self,
                             gint64               item_id,
                             guint                index,
                             gboolean             full,
                             GdkTexture         **texture,
                             const GError       **error)
{
  gint64 key = picture_key (item_id, index, full);
  Picture *picture;

  g_return_val_if_fail (VETTER_IS_PICTURE_CACHE (self), FALSE);

  picture = g_hash_table_lookup (self->pictures, &key);
  if (texture)
    *texture = picture ? picture->texture : NULL;
  if (error)
    *error = picture ? picture->error : NULL;
  return picture && picture->done;
}

void
vetter_picture_cache_keep (VetterPictureCache *self,
                           const gint64       *item_ids,
                           guint               n_ids)
{
  GHashTableIter iter;
  gpointer key;

  g_return_if_fail (VETTER_IS_PICTURE_CACHE (self));

  g_hash_table_iter_init (&iter, self->pictures);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      gint64 item = key_item (*(gint64 *) key);
      gboolean kept = FALSE;

      for (guint i = 0; i < n_ids && !kept; i++)
        kept = item_ids[i] == item;
      if (!kept)
        g_hash_table_iter_remove (&iter);
    }
}
