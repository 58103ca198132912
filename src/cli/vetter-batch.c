/* vetter-batch.c: `vetter batch`, the headless runner
 *
 * Reads every input first, so that an unreadable file or an unrecognised
 * CSV stops the run (exit 2) before any work is done; then hands the
 * batches to the engine and follows them on a main loop, drawing progress
 * on stderr, until each has finished.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-batch"

#include "config.h"

#include <gio/gunixoutputstream.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <unistd.h>

#include "vetter-batch.h"
#include "vetter-config.h"
#include "vetter-database.h"
#include "vetter-engine.h"
#include "vetter-intake.h"
#include "vetter-services.h"
#include "vetter-sync.h"

typedef struct
{
  GMainLoop    *loop;
  VetterEngine *engine;
  GPtrArray    *batches;      /* VetterIntakeBatch*, until handed to the engine */
  GPtrArray    *names;        /* char*: each batch's name for progress lines */
  GArray       *batch_ids;
  guint         pending_adds;
  GHashTable   *unfinished;   /* gint64*: the batches still running, once all are in */
  char         *output_dir;
  char         *callback_url;
  gboolean      json;
  gboolean      interactive;  /* stderr is a terminal: a live bar */
  int           last_decile;
  gint64        last_draw;
  GError       *error;
  VetterSummary *summary;
  VetterServices *services;     /* with --sync or --callback */
  VetterSync   *sync;
  guint         sync_wait;      /* seconds to wait for the outbox to empty */
  VetterOutboxCounts left;      /* what the outbox kept */
  gboolean      synced;
  gboolean      shared;         /* the team processes the ads; results come through the feed */
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->loop, g_main_loop_unref);
  g_clear_object (&run->sync);
  g_clear_pointer (&run->services, vetter_services_free);
  g_clear_object (&run->engine);
  g_clear_pointer (&run->batches, g_ptr_array_unref);
  g_clear_pointer (&run->names, g_ptr_array_unref);
  g_clear_pointer (&run->batch_ids, g_array_unref);
  g_clear_pointer (&run->unfinished, g_hash_table_unref);
  g_clear_pointer (&run->output_dir, g_free);
  g_clear_pointer (&run->callback_url, g_free);
  g_clear_error (&run->error);
  g_clear_pointer (&run->summary, vetter_summary_free);
}

static void
fail (Run    *run,
      GError *error)
{
  if (run->error == NULL)
    run->error = error;
  else
    g_error_free (error);
  g_main_loop_quit (run->loop);
}

/* ---- Progress ------------------------------------------------------------- */

static void
totals (Run    *run,
        gint64 *done,
        gint64 *total,
        gint64 *failed,
        double *throughput)
{
  *done = *total = *failed = 0;
  *throughput = 0;
  for (guint i = 0; i < run->batch_ids->len; i++)
    {
      const VetterBatchProgress *p = vetter_engine_get_progress (run->engine, g_array_index (run->batch_ids, gint64, i));

      if (p == NULL)
        continue;
      *done += p->done;
      *total += p->total;
      *failed += p->failed;
      *throughput += p->throughput;
    }
}

static void
draw_progress (Run      *run,
               gboolean  final)
{
  gint64 done, total, failed;
  double throughput;
  int percent;

  totals (run, &done, &total, &failed, &throughput);
  percent = total > 0 ? (int) (100 * done / total) : 100;

  if (run->interactive)
    {
      gint64 t = g_get_monotonic_time ();
      char bar[31];
      int filled = total > 0 ? (int) (30 * done / total) : 30;
      g_autofree char *eta = NULL;
      g_autofree char *failures = NULL;

      if (!final && t - run->last_draw < G_USEC_PER_SEC / 10)
        return;
      run->last_draw = t;
      for (int i = 0; i < 30; i++)
        bar[i] = i < filled ? '#' : '-';
      bar[30] = '\0';
      if (throughput > 0 && done < total)
        {
          int seconds = (int) ((total - done) / throughput);
          eta = g_strdup_printf (" · ETA %d:%02d", seconds / 60, seconds % 60);
        }
      if (failed > 0)
        failures = g_strdup_printf (" · %" G_GINT64_FORMAT " failed", failed);
      g_printerr ("\r[%s] %3d%% %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT " · %.1f items/s%s%s\033[K",
                  bar, percent, done, total, throughput, eta ? eta : "", failures ? failures : "");
      if (final)
        g_printerr ("\n");
      return;
    }

  /* Plain lines, one per tenth, for logs. */
  if (percent / 10 > run->last_decile)
    {
      run->last_decile = percent / 10;
      g_printerr ("vetter: %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT " items (%d%%), %" G_GINT64_FORMAT " failed\n",
                  done, total, percent, failed);
    }
}

/* ---- Completion ----------------------------------------------------------- */

static void
on_summary (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;

  run->summary = vetter_engine_summary_finish (VETTER_ENGINE (source), result, &error);
  if (run->summary == NULL)
    {
      fail (run, error);
      return;
    }
  g_main_loop_quit (run->loop);
}

static void
write_summary (Run *run)
{
  /* Streamed straight to stdout, item by item, from the store thread. */
  g_autoptr(GOutputStream) out = run->json ? g_unix_output_stream_new (STDOUT_FILENO, FALSE) : NULL;

  vetter_engine_summary_async (run->engine, (const gint64 *) run->batch_ids->data, run->batch_ids->len,
                               out, NULL, on_summary, run);
}

static void
on_drained (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;

  if (!vetter_sync_drain_finish (VETTER_SYNC (source), result, &run->left, &error))
    {
      fail (run, error);
      return;
    }
  run->synced = TRUE;
  /* The output CSVs were written again by the store as the last of their
   * batch's uploads went in: they name the uploaded copies. */
  write_summary (run);
}

static void
on_batch_finished (VetterEngine *engine,
                   gint64        batch_id,
                   gpointer      user_data)
{
  Run *run = user_data;

  /* Only the end of a batch counted as running ends the wait: a finished
   * batch given again may say again that it is finished. */
  if (run->unfinished == NULL || !g_hash_table_remove (run->unfinished, &batch_id) ||
      g_hash_table_size (run->unfinished) > 0)
    return;

  draw_progress (run, TRUE);
  if (run->sync)
    {
      g_printerr ("vetter: sending results; waiting up to %u s for the outbox to empty\n", run->sync_wait);
      vetter_sync_drain_async (run->sync, run->sync_wait, NULL, on_drained, run);
    }
  else
    write_summary (run);
}

static void
on_batch_progress (VetterEngine *engine,
                   gint64        batch_id,
                   gpointer      user_data)
{
  Run *run = user_data;

  if (run->unfinished && g_hash_table_size (run->unfinished) > 0)
    draw_progress (run, FALSE);
}

static void
on_batch_added (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;
  gboolean resumed = FALSE;
  g_autofree char *previous_callback = NULL;
  gint64 batch_id;

  batch_id = vetter_engine_add_batch_finish (VETTER_ENGINE (source), result, &resumed, &previous_callback, &error);
  if (batch_id == 0)
    {
      fail (run, error);
      return;
    }
  g_array_append_val (run->batch_ids, batch_id);
  if (resumed)
    g_printerr ("vetter: %s: resuming the batch started earlier; finished work is kept\n",
                (const char *) g_ptr_array_index (run->names, run->batch_ids->len - 1));
  if (previous_callback)
    g_printerr ("vetter: %s: the callback now goes to %s (it went to %s)\n",
                (const char *) g_ptr_array_index (run->names, run->batch_ids->len - 1), run->callback_url,
                previous_callback);

  if (--run->pending_adds > 0)
    return;

  /* Every batch is in: count those still running. Finished ones have
   * already announced it, before we listened, so ask each. */
  run->unfinished = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  for (guint i = 0; i < run->batch_ids->len; i++)
    {
      gint64 id = g_array_index (run->batch_ids, gint64, i);
      const VetterBatchProgress *p = vetter_engine_get_progress (run->engine, id);

      if (p == NULL || p->waiting > 0 || p->state != VETTER_BATCH_DONE)
        g_hash_table_add (run->unfinished, g_memdup2 (&id, sizeof id));
    }
  if (g_hash_table_size (run->unfinished) == 0)
    {
      g_hash_table_add (run->unfinished, g_memdup2 (&batch_id, sizeof batch_id));
      on_batch_finished (run->engine, batch_id, run);
    }
}

static void
on_engine_open (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;

  if (!vetter_engine_open_finish (VETTER_ENGINE (source), result, &error))
    {
      fail (run, error);
      return;
    }

  if (run->services)
    {
      const char *base = g_getenv ("VETTER_SYNC_RETRY_MS");

      run->sync = vetter_sync_new (run->engine, run->services);
      if (base)
        vetter_sync_set_base_delay (run->sync, (guint) g_ascii_strtoull (base, NULL, 10));
      /* The team's results arrive as its work documents. */
      if (run->shared)
        vetter_couch_feed_start_pull (vetter_sync_get_couch_feed (run->sync), 500);
    }
  for (guint i = 0; i < run->batches->len; i++)
    ((VetterIntakeBatch *) g_ptr_array_index (run->batches, i))->shared = run->shared;

  /* In input order, so batch ids and names stay in step. */
  run->pending_adds = run->batches->len;
  while (run->batches->len > 0)
    vetter_engine_add_batch_async (run->engine, g_ptr_array_steal_index (run->batches, 0),
                                   run->output_dir, run->callback_url, NULL, on_batch_added, run);
}

/* ---- Reporting ------------------------------------------------------------ */

static void
report_failures (Run *run)
{
  for (guint i = 0; i < run->summary->failures->len; i++)
    {
      const VetterFailure *failure = g_ptr_array_index (run->summary->failures, i);
      const char *error = failure->error ? failure->error : "failed";

      if (failure->line > 0 && !g_str_has_prefix (error, "line "))
        g_printerr ("vetter: item %" G_GINT64_FORMAT " (row %d, line %d): %s\n",
                    failure->item_id, failure->row, failure->line, error);
      else
        g_printerr ("vetter: item %" G_GINT64_FORMAT ": %s\n", failure->item_id, error);
    }
  if (run->summary->more_failures > 0)
    g_printerr ("vetter: and %" G_GINT64_FORMAT " more failed items (`vetter list ads -f status=failed` lists "
                "them all)\n", run->summary->more_failures);
}

/* ---- Entry point ---------------------------------------------------------- */

static gboolean
gather_inputs (Run          *run,
               char        **inputs,
               GError      **error)
{
  g_autoptr(GPtrArray) images = g_ptr_array_new ();

  for (guint i = 0; inputs[i]; i++)
    {
      const char *input = inputs[i];

      if (!g_file_test (input, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s: no such file or folder", input);
          return FALSE;
        }
      if (vetter_intake_is_csv_path (input) && g_file_test (input, G_FILE_TEST_IS_REGULAR))
        {
          VetterIntakeBatch *batch = vetter_intake_read_csv (input, error);

          if (batch == NULL)
            return FALSE;
          if (batch->encoding)
            g_printerr ("vetter: %s was read as %s text; saved as \"CSV UTF-8\", every letter is sure\n", input,
                        batch->encoding);
          g_ptr_array_add (run->batches, batch);
          g_ptr_array_add (run->names, g_strdup (input));
        }
      else
        {
          if (access (input, R_OK) != 0)
            {
              g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ACCES, "%s: cannot be read (permission denied)", input);
              return FALSE;
            }
          g_ptr_array_add (images, (gpointer) input);
        }
    }

  /* Loose images and folders make one batch, as one drop does. */
  if (images->len > 0)
    {
      VetterIntakeBatch *batch = vetter_intake_from_images ((const char * const *) images->pdata, images->len, error);

      if (batch == NULL)
        return FALSE;
      if (batch->items->len == 0)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s: no images in it", (const char *) images->pdata[0]);
          vetter_intake_batch_free (batch);
          return FALSE;
        }
      g_ptr_array_add (run->batches, batch);
      g_ptr_array_add (run->names, g_strdup (images->len == 1 ? images->pdata[0] : "images"));
    }
  return TRUE;
}

int
vetter_batch_main (int    argc,
                   char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterConfig) config = vetter_config_new ();
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *output_dir = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *callback_url = NULL;
  g_autoptr(VetterServices) services = NULL;
  g_auto(GStrv) inputs = NULL;
  g_auto(GStrv) variants = NULL;
  Run run = { 0 };
  int jobs = -1;
  int quality = -1;
  int timeout = -1;
  gboolean json = FALSE;
  gboolean sync = FALSE;
  gboolean shared = FALSE;
  int status;
  const GOptionEntry entries[] = {
    { "output-dir", 'o', 0, G_OPTION_ARG_FILENAME, &output_dir, N_("Where the variants and output CSVs go (default: ./vetter-output)"), N_("DIR") },
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, N_("Worker threads (default: one per core)"), N_("N") },
    { "quality", 0, 0, G_OPTION_ARG_INT, &quality, N_("JPEG quality of the compressed variant (default: 50)"), N_("Q") },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("The SQLite database (default: in the user data directory)"), N_("PATH") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a machine-readable summary on standard output"), NULL },
    { "sync", 0, 0, G_OPTION_ARG_NONE, &sync, N_("Push results to the configured services and wait for the outbox"), NULL },
    { "shared", 0, 0, G_OPTION_ARG_NONE, &shared, N_("Put the ads in the team's queue of the shared database for its workers, and wait for their results"), NULL },
    { "callback", 0, 0, G_OPTION_ARG_STRING, &callback_url, N_("When the batch completes, POST its result to this URL (signed)"), N_("URL") },
    { "variant", 0, 0, G_OPTION_ARG_STRING_ARRAY, &variants, N_("Change a variant: square=1200x1200@90, thumb=256, portrait=off… (repeatable)"), N_("KIND=SETTING") },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, N_("Seconds without an answer before a download gives up (default: 30)"), N_("SECONDS") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &inputs, NULL, N_("INPUT…") },
    { NULL }
  };

  /* Usage lines name the whole command, not just the word after "vetter". */
  argv[0] = (char *) "vetter batch";
  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Processes images and CSV files without a display. Each INPUT is an image,\n"
                                  "a folder of images, or a CSV file of products or ads."));
  g_option_context_set_description (context,
                                    _("Exit status: 0 when every item was processed, 1 when some items failed,\n"
                                      "2 on a usage error, an unreadable input or an unrecognised CSV."));

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("vetter batch: %s\n", error->message);
      return 2;
    }
  if (inputs == NULL || inputs[0] == NULL)
    {
      g_printerr ("vetter batch: no INPUT given (try --help)\n");
      return 2;
    }
  if (jobs == 0 || jobs < -1 || jobs > 256)
    {
      g_printerr ("vetter batch: --jobs must be between 1 and 256\n");
      return 2;
    }
  if (quality != -1 && (quality < 1 || quality > 100))
    {
      g_printerr ("vetter batch: --quality must be between 1 and 100\n");
      return 2;
    }
  if (timeout != -1 && timeout < 1)
    {
      g_printerr ("vetter batch: --timeout must be at least 1 second\n");
      return 2;
    }
  services = vetter_services_from_env ();
  if (callback_url != NULL)
    {
      g_autoptr(GUri) uri = g_uri_parse (callback_url, G_URI_FLAGS_NONE, NULL);

      if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 && g_strcmp0 (g_uri_get_scheme (uri), "https") != 0))
        {
          g_printerr ("vetter batch: --callback %s: not an http or https URL\n", callback_url);
          return 2;
        }
      if (services->webhook_secret == NULL)
        {
          g_printerr ("vetter batch: --callback needs VETTER_WEBHOOK_SECRET to sign the callback\n");
          return 2;
        }
    }
  if (sync && !vetter_services_has_s3 (services) && !vetter_services_has_mail (services) &&
      !vetter_services_has_couch (services))
    {
      g_printerr ("vetter batch: --sync needs a service to send to: set VETTER_S3_ENDPOINT, VETTER_S3_BUCKET,"
                  " VETTER_S3_ACCESS_KEY and VETTER_S3_SECRET_KEY, or VETTER_COUCHDB_URL, VETTER_COUCHDB_USER and"
                  " VETTER_COUCHDB_PASSWORD, or VETTER_MAILGUN_DOMAIN, VETTER_MAILGUN_KEY and VETTER_MAIL_FROM\n");
      return 2;
    }

  if (shared && (!vetter_services_has_couch (services) || !vetter_services_has_s3 (services)))
    {
      g_printerr ("vetter batch: --shared needs the shared database (VETTER_COUCHDB_URL, VETTER_COUCHDB_USER,"
                  " VETTER_COUCHDB_PASSWORD) and the bucket its workers share results through (VETTER_S3_ENDPOINT,"
                  " VETTER_S3_BUCKET, VETTER_S3_ACCESS_KEY, VETTER_S3_SECRET_KEY)\n");
      return 2;
    }
  /* The team's work is sent, as --sync sends: the same waiting. */
  sync = sync || shared;

  if ((settings = vetter_config_get_settings ()))
    vetter_config_load_settings (config, settings);
  if (jobs > 0)
    config->workers = jobs;
  if (quality > 0)
    config->variants[VETTER_VARIANT_COMPRESSED].quality = quality;
  for (guint i = 0; variants && variants[i]; i++)
    if (!vetter_config_parse_variant (config, variants[i], &error))
      {
        g_printerr ("vetter batch: --variant %s\n", error->message);
        return 2;
      }
  /* Tagging is part of the processing, not of sending: on when configured. */
  vetter_services_apply_tagger (services, config);
  if (sync)
    {
      config->sync_uploads = vetter_services_has_s3 (services);
      config->sync_mail = vetter_services_has_mail (services);
      config->sync_couch = vetter_services_has_couch (services);
    }
  if (timeout > 0)
    {
      config->io_timeout = (guint) timeout;
      config->total_timeout = MAX (config->total_timeout, (guint) timeout);
    }

  run.batches = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_intake_batch_free);
  run.names = g_ptr_array_new_with_free_func (g_free);
  run.batch_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  run.json = json;
  run.interactive = isatty (STDERR_FILENO);
  run.callback_url = g_strdup (callback_url);
  run.shared = shared;
  if (sync || callback_url)
    {
      const char *wait = g_getenv ("VETTER_SYNC_WAIT");

      run.services = g_steal_pointer (&services);
      run.sync_wait = wait ? (guint) g_ascii_strtoull (wait, NULL, 10) : 300;
    }
  run.last_decile = -1;

  if (!gather_inputs (&run, inputs, &error))
    {
      g_printerr ("vetter batch: %s\n", error->message);
      run_clear (&run);
      return 2;
    }

  {
    g_autoptr(GFile) out = g_file_new_for_path (output_dir ? output_dir : "vetter-output");
    run.output_dir = g_file_get_path (out);
  }

  run.loop = g_main_loop_new (NULL, FALSE);
  run.engine = vetter_engine_new (db_path, config);
  vetter_database_set_cache_size (vetter_engine_get_database (run.engine), VETTER_DATABASE_HEADLESS_CACHE_KIB);
  g_signal_connect (run.engine, "batch-progress", G_CALLBACK (on_batch_progress), &run);
  g_signal_connect (run.engine, "batch-finished", G_CALLBACK (on_batch_finished), &run);
  vetter_engine_open_async (run.engine, NULL, on_engine_open, &run);
  g_main_loop_run (run.loop);
  vetter_engine_close (run.engine);

  if (run.error)
    {
      g_printerr ("vetter batch: %s\n", run.error->message);
      run_clear (&run);
      return 2;
    }

  report_failures (&run);
  {
    const VetterBatchCounts *t = &run.summary->totals;

    g_printerr ("vetter: %" G_GINT64_FORMAT " items: %" G_GINT64_FORMAT " approved, %" G_GINT64_FORMAT
                " rejected, %" G_GINT64_FORMAT " to review, %" G_GINT64_FORMAT " failed; output in %s\n",
                t->total, t->approved, t->rejected, t->needs_review, t->failed, run.output_dir);
    status = t->failed > 0 || t->queued > 0 ? 1 : 0;
  }
  if (run.synced)
    {
      if (run.left.pending == 0 && run.left.parked == 0)
        g_printerr ("vetter: sync: everything was sent\n");
      else
        {
          g_printerr ("vetter: sync: %" G_GINT64_FORMAT " still waiting to be sent, %" G_GINT64_FORMAT
                      " parked after errors; they stay in the outbox for the next run or the window\n",
                      run.left.pending, run.left.parked);
          status = 1;
        }
    }
  run_clear (&run);
  return status;
}
