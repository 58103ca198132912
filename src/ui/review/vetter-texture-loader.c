/* vetter-texture-loader.c: images from disk to textures, off the UI thread
 *
 * The review view shows the advertiser's own file where it is on this
 * machine, and otherwise the compressed variant made from it (a download
 * is not kept); both have the source's size after orientation, which is
 * what defect boxes are measured in.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-texture-loader"

#include "config.h"

#include <glib/gi18n.h>

#include "vetter-texture-loader.h"

typedef struct
{
  GStrv paths;
  int   max_size;
} LoadRequest;

static void
load_request_free (LoadRequest *request)
{
  g_strfreev (request->paths);
  g_free (request);
}

static GdkPixbuf *
load_one (const char  *path,
          int          max_size,
          GError     **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  int width, height;

  if (gdk_pixbuf_get_file_info (path, &width, &height) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("%s is not a readable image"), path);
      return NULL;
    }
  if (width > max_size || height > max_size)
    pixbuf = gdk_pixbuf_new_from_file_at_size (path, max_size, max_size, error);
  else
    pixbuf = gdk_pixbuf_new_from_file (path, error);
  if (pixbuf == NULL)
    return NULL;
  return gdk_pixbuf_apply_embedded_orientation (pixbuf);
}

static void
load_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  LoadRequest *request = task_data;
  g_autoptr(GError) first_error = NULL;

  for (guint i = 0; request->paths[i]; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GdkPixbuf) pixbuf = NULL;

      if (g_task_return_error_if_cancelled (task))
        return;
      pixbuf = load_one (request->paths[i], request->max_size, &error);
      if (pixbuf)
        {
          g_task_return_pointer (task, gdk_texture_new_for_pixbuf (pixbuf), g_object_unref);
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
                           int                  max_size,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  LoadRequest *request = g_new0 (LoadRequest, 1);

  request->paths = g_strdupv ((char **) paths);
  request->max_size = max_size;
  g_task_set_source_tag (task, vetter_texture_load_async);
  g_task_set_task_data (task, request, (GDestroyNotify) load_request_free);
  g_task_run_in_thread (task, load_in_thread);
}

GdkTexture *
vetter_texture_load_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
