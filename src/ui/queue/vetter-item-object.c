/* vetter-item-object.c: one item of a batch, as its list shows it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-item-object"

#include "config.h"

#include <glib/gi18n.h>

#include "vetter-item-object.h"
#include "vetter-labels.h"
#include "vetter-texture-loader.h"

#define THUMBNAIL_SIZE 96

struct _VetterItemObject
{
  GObject       parent_instance;

  gint64        id;
  int           row;
  char         *title;
  gboolean      known;     /* read from the store, or told by it */
  VetterStatus  status;
  char         *step;
  char         *error;
  char         *thumb_path;
  gboolean      by_team;      /* another machine of the team processes it */
  GdkTexture   *thumbnail;
  gboolean      thumbnail_requested;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (VetterItemObject, vetter_item_object, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_DESCRIPTION,
  PROP_THUMBNAIL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
on_thumbnail_loaded (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(VetterItemObject) self = user_data;
  g_autoptr(GdkTexture) texture = vetter_texture_load_finish (result, NULL);

  if (texture && g_set_object (&self->thumbnail, texture))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THUMBNAIL]);
}

static void
load_thumbnail (VetterItemObject *self)
{
  const char *paths[] = { self->thumb_path, NULL };

  if (self->thumb_path == NULL || self->thumbnail != NULL)
    return;
  vetter_texture_load_async (paths, THUMBNAIL_SIZE, THUMBNAIL_SIZE, self->cancellable, on_thumbnail_loaded, g_object_ref (self));
}

static void
vetter_item_object_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  VetterItemObject *self = VETTER_ITEM_OBJECT (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_DESCRIPTION:
      g_value_take_string (value, vetter_item_object_describe (self));
      break;
    case PROP_THUMBNAIL:
      /* Asked for by a row on screen: only then is it worth loading. */
      vetter_item_object_want_thumbnail (self);
      g_value_set_object (value, self->thumbnail);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vetter_item_object_dispose (GObject *object)
{
  VetterItemObject *self = VETTER_ITEM_OBJECT (object);

  g_cancellable_cancel (self->cancellable);
  G_OBJECT_CLASS (vetter_item_object_parent_class)->dispose (object);
}

static void
vetter_item_object_finalize (GObject *object)
{
  VetterItemObject *self = VETTER_ITEM_OBJECT (object);

  g_free (self->title);
  g_free (self->step);
  g_free (self->error);
  g_free (self->thumb_path);
  g_clear_object (&self->thumbnail);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (vetter_item_object_parent_class)->finalize (object);
}

static void
vetter_item_object_class_init (VetterItemObjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = vetter_item_object_get_property;
  object_class->dispose = vetter_item_object_dispose;
  object_class->finalize = vetter_item_object_finalize;

  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DESCRIPTION] = g_param_spec_string ("description", NULL, NULL, NULL,
                                                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_THUMBNAIL] = g_param_spec_object ("thumbnail", NULL, NULL, GDK_TYPE_TEXTURE,
                                                    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vetter_item_object_init (VetterItemObject *self)
{
  self->cancellable = g_cancellable_new ();
}

VetterItemObject *
vetter_item_object_new_placeholder (guint position)
{
  VetterItemObject *self = g_object_new (VETTER_TYPE_ITEM_OBJECT, NULL);

  self->row = (int) position + 1;
  return self;
}

void
vetter_item_object_fill (VetterItemObject    *self,
                         const VetterItemRow *row)
{
  g_return_if_fail (VETTER_IS_ITEM_OBJECT (self));

  self->id = row->id;
  self->row = row->row;
  g_free (self->title);
  self->title = g_strdup (row->title);
  self->known = TRUE;
  self->status = row->status;
  self->by_team = row->by_team;
  g_clear_pointer (&self->step, g_free);
  g_free (self->error);
  self->error = g_strdup (row->error);
  if (g_strcmp0 (self->thumb_path, row->thumb) != 0)
    {
      g_free (self->thumb_path);
      self->thumb_path = g_strdup (row->thumb);
      if (self->thumbnail_requested)
        load_thumbnail (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DESCRIPTION]);
}

void
vetter_item_object_set_status (VetterItemObject *self,
                               VetterStatus      status)
{
  g_return_if_fail (VETTER_IS_ITEM_OBJECT (self));
  if (self->known && self->status == status)
    return;
  self->known = TRUE;
  self->status = status;
  /* A step belongs to the processing it was part of. */
  if (status != VETTER_STATUS_PROCESSING)
    g_clear_pointer (&self->step, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DESCRIPTION]);
}

void
vetter_item_object_set_step (VetterItemObject *self,
                             const char       *step)
{
  g_return_if_fail (VETTER_IS_ITEM_OBJECT (self));
  if (self->known && self->status == VETTER_STATUS_PROCESSING && g_strcmp0 (self->step, step) == 0)
    return;
  self->known = TRUE;
  self->status = VETTER_STATUS_PROCESSING;
  g_free (self->step);
  self->step = g_strdup (step);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DESCRIPTION]);
}

void
vetter_item_object_want_thumbnail (VetterItemObject *self)
{
  g_return_if_fail (VETTER_IS_ITEM_OBJECT (self));

  if (self->thumbnail_requested)
    return;
  self->thumbnail_requested = TRUE;
  load_thumbnail (self);
}

gint64
vetter_item_object_get_id (VetterItemObject *self)
{
  g_return_val_if_fail (VETTER_IS_ITEM_OBJECT (self), 0);
  return self->id;
}

gboolean
vetter_item_object_get_loaded (VetterItemObject *self)
{
  g_return_val_if_fail (VETTER_IS_ITEM_OBJECT (self), FALSE);
  return self->id != 0;
}

const char *
vetter_item_object_get_title (VetterItemObject *self)
{
  g_return_val_if_fail (VETTER_IS_ITEM_OBJECT (self), NULL);
  return self->title;
}

VetterStatus
vetter_item_object_get_status (VetterItemObject *self)
{
  g_return_val_if_fail (VETTER_IS_ITEM_OBJECT (self), VETTER_STATUS_QUEUED);
  return self->status;
}

char *
vetter_item_object_describe (VetterItemObject *self)
{
  g_return_val_if_fail (VETTER_IS_ITEM_OBJECT (self), NULL);

  if (!self->known)
    /* Translators: a list row whose item is still being read */
    return g_strdup_printf (_("Row %d"), self->row);
  if (self->error && self->status == VETTER_STATUS_FAILED)
    /* Translators: "Row 4 · Failed: image 1: the server answered 404" */
    return g_strdup_printf (_("Row %d · %s: %s"), self->row, vetter_label_for_status (self->status), self->error);
  if (self->by_team && self->status == VETTER_STATUS_QUEUED)
    /* Translators: an ad another machine of the team processes */
    return g_strdup_printf (_("Row %d · Waiting for the team"), self->row);
  if (self->step)
    /* Translators: "Row 4 · Processing: decode" */
    return g_strdup_printf (_("Row %d · %s: %s"), self->row, vetter_label_for_status (self->status), self->step);
  return g_strdup_printf (_("Row %d · %s"), self->row, vetter_label_for_status (self->status));
}

GdkTexture *
vetter_item_object_get_thumbnail (VetterItemObject *self)
{
  g_return_val_if_fail (VETTER_IS_ITEM_OBJECT (self), NULL);
  return self->thumbnail;
}
