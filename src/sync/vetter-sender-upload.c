/* vetter-sender-upload.c: a variant to S3
 *
 * The file is opened off the main context and streamed, its length known
 * (S3 wants one), to the variant's fixed key; what it can be fetched from
 * then is reported with the row, beside the variant.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-sync"

#include "config.h"

#include "vetter-sync-private.h"

typedef struct
{
  GInputStream *stream;
  goffset       size;
} OpenedFile;

static void
opened_file_free (OpenedFile *file)
{
  g_clear_object (&file->stream);
  g_free (file);
}

static void
open_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  g_autoptr(GFile) file = g_file_new_for_path (task_data);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GFileInfo) info = NULL;
  GError *error = NULL;
  OpenedFile *opened;

  if ((stream = g_file_read (file, cancellable, &error)) == NULL ||
      (info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE, cancellable, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  opened = g_new0 (OpenedFile, 1);
  opened->stream = G_INPUT_STREAM (g_steal_pointer (&stream));
  opened->size = g_file_info_get_size (info);
  g_task_return_pointer (task, opened, (GDestroyNotify) opened_file_free);
}

static void
on_upload_restarted (SoupMessage  *message,
                     GInputStream *stream)
{
  SoupMessageHeaders *headers = soup_message_get_request_headers (message);
  goffset size = soup_message_headers_get_content_length (headers);
  /* A copy: setting the body replaces the header it points into. */
  g_autofree char *type = g_strdup (soup_message_headers_get_content_type (headers, NULL));

  if (G_IS_SEEKABLE (stream) && g_seekable_seek (G_SEEKABLE (stream), 0, G_SEEK_SET, NULL, NULL))
    soup_message_set_request_body (message, type, stream, size);
}

static void
on_file_opened (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  VetterSyncJob *job = user_data;
  g_autoptr(GError) error = NULL;
  OpenedFile *file = g_task_propagate_pointer (G_TASK (result), &error);
  const char *key = json_object_get_string_member (job->payload, "key");
  const char *type = json_object_get_string_member (job->payload, "content_type");
  SoupMessage *message;

  if (file == NULL)
    {
      g_autofree char *text = g_strdup_printf ("cannot read %s: %s", job->local_path, error->message);

      /* The file is gone: no retry will find it. */
      vetter_sync_job_finish (job, VETTER_OUTBOX_PARK, -1, text);
      return;
    }
  message = vetter_s3_message (job->sync->s3, "PUT", key, NULL, type);
  soup_message_set_request_body (message, type, file->stream, file->size);
  /* Sent again by libsoup itself after a dropped kept-alive connection:
   * from the file's start, not from where the first attempt stopped. */
  g_signal_connect_data (message, "restarted", G_CALLBACK (on_upload_restarted), g_object_ref (file->stream),
                         (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  job->remote_url = vetter_s3_object_url (job->sync->s3, key);
  opened_file_free (file);
  vetter_sync_job_send (job, message);
}

void
vetter_sender_upload (VetterSyncJob *job)
{
  g_autoptr(GTask) task = NULL;

  if (job->sync->s3 == NULL)
    {
      vetter_sync_job_finish (job, VETTER_OUTBOX_PARK, -1, "S3 is not configured");
      return;
    }
  job->local_path = g_strdup (json_object_get_string_member (job->payload, "path"));
  task = g_task_new (NULL, job->sync->cancellable, on_file_opened, job);
  g_task_set_task_data (task, g_strdup (job->local_path), g_free);
  g_task_run_in_thread (task, open_in_thread);
}
