/* vetter-keyring.c: the services' secrets, in the user's keyring
 *
 * libsecret's asynchronous calls throughout: a locked keyring asks the
 * user, and the window must not wait on that. Inside Flatpak libsecret
 * keeps them itself, through the Secret portal.
 *
 * One operation at a time, in the order asked: libsecret's file backend
 * (Flatpak's, and the tests') can load its file twice when operations
 * start together before it is ready, and then a secret just stored is
 * not found by the next lookup.
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

typedef void (*Operation) (GTask *task);

static GQueue pending = G_QUEUE_INIT;   /* GTask*, the first one running */

static void
start_first (void)
{
  GTask *task = g_queue_peek_head (&pending);

  if (task)
    ((Operation) g_object_get_data (G_OBJECT (task), "operation")) (task);
}

static void
enqueue (GTask     *task,
         Operation  operation)
{
  g_object_set_data (G_OBJECT (task), "operation", operation);
  g_queue_push_tail (&pending, task);
  if (g_queue_get_length (&pending) == 1)
    start_first ();
}

/* Ends the running operation (its result already set) and starts the next. */
static void
operation_done (GTask *task)
{
  g_queue_remove (&pending, task);
  g_object_unref (task);
  start_first ();
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
    case 3: *name = VETTER_SECRET_IMAGGA; return &services->imagga_secret;
    case 4: *name = VETTER_SECRET_COUCHDB; return &services->couch_password;
    default: return NULL;
    }
}

static void lookup_next (GTask *task);

static void
on_looked_up (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
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
  lookup_next (task);
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
      operation_done (task);
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
  enqueue (task, lookup_next);
}

gboolean
vetter_keyring_fill_finish (GAsyncResult  *result,
                            GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  char *name;
  char *value;   /* NULL or empty: remove */
} Store;

static void
store_free (Store *store)
{
  g_free (store->name);
  if (store->value)
    secret_password_free (store->value);
  g_free (store);
}

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  Store *store = g_task_get_task_data (task);
  GError *error = NULL;
  gboolean done;

  if (store->value == NULL)
    /* Nothing there to clear is not an error either. */
    done = secret_password_clear_finish (result, &error) || error == NULL;
  else
    done = secret_password_store_finish (result, &error);
  if (done)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
  operation_done (task);
}

static void
store_now (GTask *task)
{

  Store *store = g_task_get_task_data (task);
  g_autofree char *label = g_strdup_printf (_("Vetter: %s"), store->name);

  if (store->value == NULL)
    secret_password_clear (schema (), g_task_get_cancellable (task), on_stored, task, "name", store->name, NULL);
  else
    secret_password_store (schema (), NULL, label, store->value, g_task_get_cancellable (task), on_stored, task,
                           "name", store->name, NULL);
}

void
vetter_keyring_store_async (const char          *name,
                            const char          *value,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Store *store = g_new0 (Store, 1);

  store->name = g_strdup (name);
  store->value = value && *value ? g_strdup (value) : NULL;
  g_task_set_task_data (task, store, (GDestroyNotify) store_free);
  enqueue (task, store_now);
}

gboolean
vetter_keyring_store_finish (GAsyncResult  *result,
                             GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
