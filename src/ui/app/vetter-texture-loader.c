/* vetter-texture-loader.c: images from disk to textures, off the UI thread
 *
 * The review view shows the advertiser's own file where it is on this
 * machine, and otherwise the compressed variant made from it (a download
 * is not kept); both have the source's size after orientation, which is
 * what defect boxes are measured in. Decoding goes through the pipeline's
 * own decoder, so a JPEG meant for a smaller view is decoded at 1/2, 1/4
 * or 1/8 of its size to begin with.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-texture-loader"

#include "config.h"

#include <glib/gi18n.h>

#include "vetter-decode.h"
#include "vetter-resample.h"
#include "vetter-texture-loader.h"
#include "vetter-thread-priority.h"

/* Files on screen were decoded once by the pipeline under the configured
 * limit; this only keeps a file replaced since from taking all memory. */
#define MAX_PIXELS ((gint64) 400 * 1000 * 1000)

typedef struct
{
  GStrv paths;
  int   fit_width;
  int   fit_height;
} LoadRequest;

static void
load_request_free (LoadRequest *request)
{
  g_strfreev (request->paths);
  g_free (request);
}

static GdkTexture *
texture_from_pixels (VetterPixels *pixels)
{
  g_autoptr(GBytes) bytes = g_bytes_new_with_free_func (pixels->data, (gsize) pixels->stride * pixels->height,
                                                        (GDestroyNotify) vetter_pixels_free, pixels);

  return gdk_memory_texture_new (pixels->width, pixels->height, GDK_MEMORY_R8G8B8, bytes, pixels->stride);
}

static GdkTexture *
load_one (const char  *path,
          int          fit_width,
          int          fit_height,
          GError     **error)
{
  g_autofree char *data = NULL;
  gsize length = 0;
  g_autoptr(VetterDecoded) decoded = NULL;
  VetterPixels *pixels;
  double scale = 1.0;
  int width, height;

  if (!g_file_get_contents (path, &data, &length, error))
    return NULL;
  /* The short side a fitted copy can need at most. */
  decoded = vetter_decode ((const guint8 *) data, length, MAX_PIXELS,
                           fit_width > 0 && fit_height > 0 ? MIN (fit_width, fit_height) : 0, error);
  if (decoded == NULL)
    {
      g_prefix_error (error, _("%s cannot be shown: "), path);
      return NULL;
    }
  pixels = g_steal_pointer (&decoded->pixels);
  if (fit_width > 0 && fit_height > 0)
    scale = MIN (1.0, MIN ((double) fit_width / pixels->width, (double) fit_height / pixels->height));
  width = MAX (1, (int) (pixels->width * scale + 0.5));
  height = MAX (1, (int) (pixels->height * scale + 0.5));
  if (width < pixels->width || height < pixels->height)
    {
      VetterPixels *fitted = vetter_resample (pixels, NULL, width, height);

      vetter_pixels_free (pixels);
      pixels = fitted;
    }
  return texture_from_pixels (pixels);
}

/* Decoding for the screen yields to the UI thread, like the workers:
 * its own threads, at a lower priority. */
static void
load_in_thread (gpointer data,
                gpointer user_data)
{
  g_autoptr(GTask) task = data;
  LoadRequest *request = g_task_get_task_data (task);
  g_autoptr(GError) first_error = NULL;

  vetter_thread_lower_priority ();
  for (guint i = 0; request->paths[i]; i++)
    {
      g_autoptr(GError) error = NULL;
      GdkTexture *texture;

      if (g_task_return_error_if_cancelled (task))
        return;
      texture = load_one (request->paths[i], request->fit_width, request->fit_height, &error);
      if (texture)
        {
          g_task_return_pointer (task, texture, g_object_unref);
          return;
        }
      if (first_error == NULL)
        first_error = g_steal_pointer (&error);
    }
  if (first_error == NULL)
    first_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is no image to show"));
  g_task_return_error (task, g_steal_pointer (&first_error));
}

void
vetter_texture_load_async (const char * const  *paths,
                           int                  fit_width,
                           int                  fit_height,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  static GThreadPool *pool;
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  LoadRequest *request = g_new0 (LoadRequest, 1);

  if (g_once_init_enter (&pool))
    g_once_init_leave (&pool, g_thread_pool_new (load_in_thread, NULL, 2, FALSE, NULL));

  request->paths = g_strdupv ((char **) paths);
  request->fit_width = fit_width;
  request->fit_height = fit_height;
  g_task_set_source_tag (task, vetter_texture_load_async);
  g_task_set_task_data (task, request, (GDestroyNotify) load_request_free);
  g_thread_pool_push (pool, task, NULL);
}

GdkTexture *
vetter_texture_load_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
