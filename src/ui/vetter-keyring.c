/* vetter-keyring.c: the services' secrets, in the user's keyring
 *
 * libsecret's asynchronous calls throughout: a locked keyring asks the
 * user, and the window must not wait on that. Inside Flatpak libsecret
 * keeps them itself, through the Secret portal.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-keyring"

#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "vetter-keyring.h"

static const SecretSchema *
schema (void)
{
  static const SecretSchema vetter_schema = {
    APP_ID ".Secret", SECRET_SCHEMA_NONE,
    { { "name", SECRET_SCHEMA_ATTRIBUTE_STRING }, { NULL, 0 } },
  };
  return &vetter_schema;
}

typedef struct
{
  VetterServices *services;   /* borrowed: the caller keeps it until the callback */
  guint           next;
} Fill;

static char **
field_for (VetterServices *services,
           guint           index,
           const char    **name)
{
  switch (index)
    {
    case 0: *name = VETTER_SECRET_S3; return &services->s3_secret_key;
    case 1: *name = VETTER_SECRET_MAILGUN; return &services->mailgun_key;
    case 2: *name = VETTER_SECRET_WEBHOOK; return &services->webhook_secret;
    default: return NULL;
    }
}

static void lookup_next (GTask *task);

static void
on_looked_up (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Fill *fill = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  char *secret = secret_password_lookup_finish (result, &error);
  const char *name = NULL;
  char **field = field_for (fill->services, fill->next, &name);

  /* No keyring at all is no secret, not a failure: the environment may
   * hold them, or the services are simply not set up. */
  if (error)
    g_debug ("No %s from the keyring: %s", name, error->message);
  if (secret && *secret && *field == NULL)
    *field = g_strdup (secret);
  secret_password_free (secret);
  fill->next++;
  lookup_next (g_steal_pointer (&task));
}

static void
lookup_next (GTask *task)
{
  Fill *fill = g_task_get_task_data (task);
  const char *name = NULL;
  char **field;

  while ((field = field_for (fill->services, fill->next, &name)) != NULL && *field != NULL)
    fill->next++;
  if (field == NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  secret_password_lookup (schema (), g_task_get_cancellable (task), on_looked_up, task, "name", name, NULL);
}

void
vetter_keyring_fill_async (VetterServices      *services,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Fill *fill = g_new0 (Fill, 1);

  fill->services = services;
  g_task_set_task_data (task, fill, g_free);
  lookup_next (task);
}

gboolean
vetter_keyring_fill_finish (GAsyncResult  *result,
                            GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  gboolean cleared = GPOINTER_TO_INT (g_task_get_task_data (task));

  if (cleared)
    {
      secret_password_clear_finish (result, &error);
      /* Nothing there to clear is not an error. */
      if (error == NULL)
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, error);
      return;
    }
  if (secret_password_store_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
vetter_keyring_store_async (const char          *name,
                            const char          *value,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  g_autofree char *label = g_strdup_printf (_("Vetter: %s"), name);

  if (value == NULL || *value == '\0')
    {
      g_task_set_task_data (task, GINT_TO_POINTER (TRUE), NULL);
      secret_password_clear (schema (), cancellable, on_stored, task, "name", name, NULL);
      return;
    }
  secret_password_store (schema (), SECRET_COLLECTION_DEFAULT, label, value, cancellable, on_stored, task,
                         "name", name, NULL);
}

gboolean
vetter_keyring_store_finish (GAsyncResult  *result,
                             GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
