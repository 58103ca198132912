/* vetter-worker.c: `vetter worker`, a headless machine of the team
 *
 * Follows the shared database and takes the team's work (see
 * vetter-couch-work.c) until stopped, or with --once until nothing is left
 * to take; each ad finished is one line on standard error. SIGTERM and
 * SIGINT stop it cleanly: the leases of ads not finished are given back,
 * and the results already made are sent before it exits.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-worker"

#include "config.h"

#include <glib-unix.h>
#include <string.h>
#include <glib/gi18n.h>
#include <unistd.h>

#include "vetter-config.h"
#include "vetter-couch-work.h"
#include "vetter-database.h"
#include "vetter-engine.h"
#include "vetter-s3.h"
#include "vetter-services.h"
#include "vetter-sync.h"
#include "vetter-worker.h"

/* How long the database may stay unusable at the start. */
#define READY_SECONDS 30
/* How long the last results may take to send when stopping. */
#define DRAIN_SECONDS 120

typedef struct
{
  GMainLoop       *loop;
  VetterEngine    *engine;
  VetterSync      *sync;
  VetterCouchWork *work;
  VetterServices  *services;
  SoupSession     *session;
  gboolean         once;
  gboolean         stopping;
  guint            ready_source;
  int              status;
  guint            done;
  guint            failed;
} Worker;

static gint64 clock_offset;   /* test only: this machine's clock, wrong */

static gint64
offset_clock (void)
{
  return g_get_real_time () + clock_offset;
}

static void
quit (Worker *worker,
      int     status)
{
  worker->status = status;
  g_main_loop_quit (worker->loop);
}

static void
on_drained (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Worker *worker = user_data;
  g_autoptr(GError) error = NULL;
  VetterOutboxCounts left = { 0 };

  if (!vetter_sync_drain_finish (VETTER_SYNC (source), result, &left, &error))
    g_printerr ("vetter worker: %s\n", error->message);
  if (left.pending > 0 || left.parked > 0)
    g_printerr ("vetter worker: %" G_GINT64_FORMAT " results not sent (%" G_GINT64_FORMAT " refused): they wait "
                "in this machine's outbox for its next run\n", left.pending, left.parked);
  g_printerr ("vetter worker: stopped after %u ads (%u failed)\n", worker->done, worker->failed);
  quit (worker, left.pending > 0 || left.parked > 0 ? 1 : 0);
}

static void
on_stopped (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Worker *worker = user_data;

  vetter_couch_work_stop_finish (VETTER_COUCH_WORK (source), result, NULL);
  vetter_sync_drain_async (worker->sync, DRAIN_SECONDS, NULL, on_drained, worker);
}

static void
stop (Worker *worker)
{
  if (worker->stopping)
    return;
  worker->stopping = TRUE;
  if (worker->work == NULL)
    {
      quit (worker, worker->status);
      return;
    }
  vetter_couch_work_stop_async (worker->work, on_stopped, worker);
}

static gboolean
on_signal (gpointer user_data)
{
  Worker *worker = user_data;

  g_printerr ("vetter worker: stopping: giving back the leases of unfinished ads\n");
  stop (worker);
  return G_SOURCE_CONTINUE;
}

static void
on_finished (VetterCouchWork *work,
             const char      *uid,
             const char      *status,
             const char      *error,
             Worker          *worker)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *time = g_date_time_format (now, "%H:%M:%S");

  worker->done++;
  if (g_strcmp0 (status, "failed") == 0)
    worker->failed++;
  g_printerr ("%s ad %s: %s%s%s\n", time, uid, status, error ? ": " : "", error ? error : "");
}

static void
on_idle (VetterCouchWork *work,
         Worker          *worker)
{
  if (worker->once)
    {
      g_printerr ("vetter worker: nothing left to take\n");
      stop (worker);
    }
}

static void
start_taking (Worker *worker)
{
  const VetterConfig *config = vetter_engine_get_config (worker->engine);
  const char *lease_env = g_getenv ("VETTER_LEASE_SECONDS");
  g_autofree char *name = g_strdup_printf ("vetter-worker@%s:%d", g_get_host_name (), (int) getpid ());
  guint lease = lease_env ? (guint) g_ascii_strtoull (lease_env, NULL, 10) : VETTER_COUCH_LEASE_SECONDS;

  worker->work = vetter_couch_work_new (worker->engine, vetter_sync_get_couch_client (worker->sync),
                                        vetter_sync_get_couch_setup (worker->sync), name,
                                        (guint) vetter_config_worker_count (config), lease ? lease : VETTER_COUCH_LEASE_SECONDS);
  if (clock_offset != 0)
    vetter_couch_work_set_clock (worker->work, offset_clock);
  g_signal_connect (worker->work, "finished", G_CALLBACK (on_finished), worker);
  g_signal_connect (worker->work, "idle", G_CALLBACK (on_idle), worker);
  g_printerr ("vetter worker: %s takes the team's work, %d at a time\n", name, vetter_config_worker_count (config));
  vetter_couch_work_start (worker->work);
}

static void
on_ready (VetterCouchSetup *setup,
          GParamSpec       *pspec,
          Worker           *worker)
{
  if (!vetter_couch_setup_get_ready (setup) || worker->work || worker->stopping)
    return;
  g_clear_handle_id (&worker->ready_source, g_source_remove);
  /* A viewer's writes are all refused: said once, not tried ad after ad. */
  if (vetter_couch_setup_get_role (setup) == VETTER_ROLE_VIEWER)
    {
      g_printerr ("vetter worker: %s may only read the shared database: a worker needs the worker role\n",
                  worker->services->couch_user);
      quit (worker, 1);
      return;
    }
  start_taking (worker);
}

static gboolean
on_not_ready (gpointer user_data)
{
  Worker *worker = user_data;
  const char *problem = vetter_couch_setup_get_problem (vetter_sync_get_couch_setup (worker->sync));

  worker->ready_source = 0;
  g_printerr ("vetter worker: the shared database cannot be used: %s\n", problem ? problem : "no answer");
  quit (worker, 1);
  return G_SOURCE_REMOVE;
}

/* A refusal does not pass by waiting: said at once. */
static void
on_problem (VetterCouchSetup *setup,
            GParamSpec       *pspec,
            Worker           *worker)
{
  const char *problem = vetter_couch_setup_get_problem (setup);

  if (worker->work || worker->stopping || problem == NULL)
    return;
  if (strstr (problem, "refuses") || strstr (problem, "does not exist") || strstr (problem, "no validation"))
    {
      g_clear_handle_id (&worker->ready_source, g_source_remove);
      g_printerr ("vetter worker: the shared database cannot be used: %s\n", problem);
      quit (worker, 1);
    }
}

static void
on_bucket_checked (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Worker *worker = user_data;
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  VetterCouchSetup *setup;

  if (body == NULL || !SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (message)))
    {
      if (body == NULL)
        g_printerr ("vetter worker: the S3 bucket %s cannot be reached: %s\n", worker->services->s3_bucket,
                    error->message);
      else
        g_printerr ("vetter worker: the S3 bucket %s cannot be used: HTTP %u %s\n", worker->services->s3_bucket,
                    soup_message_get_status (message), soup_message_get_reason_phrase (message));
      quit (worker, 1);
      return;
    }
  setup = vetter_sync_get_couch_setup (worker->sync);
  g_signal_connect (setup, "notify::ready", G_CALLBACK (on_ready), worker);
  g_signal_connect (setup, "notify::problem", G_CALLBACK (on_problem), worker);
  worker->ready_source = g_timeout_add_seconds (READY_SECONDS, on_not_ready, worker);
  on_ready (setup, NULL, worker);
  on_problem (setup, NULL, worker);
}

static void
on_engine_open (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Worker *worker = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterS3) s3 = NULL;
  g_autoptr(SoupMessage) message = NULL;

  if (!vetter_engine_open_finish (VETTER_ENGINE (source), result, &error))
    {
      g_printerr ("vetter worker: %s\n", error->message);
      quit (worker, 1);
      return;
    }
  worker->sync = vetter_sync_new (worker->engine, worker->services);
  /* The bucket first: results nobody can fetch are no use to the team. */
  s3 = vetter_s3_new (worker->services);
  message = vetter_s3_message (s3, "HEAD", NULL, NULL, NULL);
  worker->session = soup_session_new_with_options ("timeout", 30, "user-agent", "Vetter/" PACKAGE_VERSION, NULL);
  soup_session_send_and_read_async (worker->session, message, G_PRIORITY_DEFAULT, NULL, on_bucket_checked, worker);
}

int
vetter_worker_main (int    argc,
                    char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterConfig) config = vetter_config_new ();
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *db_path = NULL;
  Worker worker = { 0 };
  const char *offset_env = g_getenv ("VETTER_TEST_CLOCK_OFFSET");
  int jobs = -1;
  gboolean once = FALSE;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("The SQLite database (default: in the user data directory)"), N_("PATH") },
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, N_("Ads processed at a time (default: one per core)"), N_("N") },
    { "once", 0, 0, G_OPTION_ARG_NONE, &once, N_("Stop when nothing is left to take"), NULL },
    { NULL }
  };

  argv[0] = (char *) "vetter worker";
  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Takes the team's work from the shared database and processes it, each ad once\n"
                                  "across the team, until stopped. Needs the shared database (VETTER_COUCHDB_URL,\n"
                                  "VETTER_COUCHDB_USER, VETTER_COUCHDB_PASSWORD) and the S3 bucket (VETTER_S3_ENDPOINT,\n"
                                  "VETTER_S3_BUCKET, VETTER_S3_ACCESS_KEY, VETTER_S3_SECRET_KEY)."));
  g_option_context_set_description (context,
                                    _("Exit status: 0 when stopped cleanly with every result sent, 1 when the\n"
                                      "database or the bucket cannot be used or results are left unsent, 2 on a\n"
                                      "usage error."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("vetter worker: %s\n", error->message);
      return 2;
    }
  if (argc > 1)
    {
      g_printerr ("vetter worker: unexpected argument %s (try --help)\n", argv[1]);
      return 2;
    }
  if (jobs == 0 || jobs < -1 || jobs > 256)
    {
      g_printerr ("vetter worker: --jobs must be between 1 and 256\n");
      return 2;
    }
  worker.services = vetter_services_from_env ();
  if (!vetter_services_has_couch (worker.services))
    {
      g_printerr ("vetter worker: no shared database: set VETTER_COUCHDB_URL, VETTER_COUCHDB_USER and "
                  "VETTER_COUCHDB_PASSWORD\n");
      vetter_services_free (worker.services);
      return 2;
    }
  if (!vetter_services_has_s3 (worker.services))
    {
      g_printerr ("vetter worker: no S3 bucket for the results: set VETTER_S3_ENDPOINT, VETTER_S3_BUCKET, "
                  "VETTER_S3_ACCESS_KEY and VETTER_S3_SECRET_KEY\n");
      vetter_services_free (worker.services);
      return 2;
    }
  if (offset_env)
    clock_offset = g_ascii_strtoll (offset_env, NULL, 10) * G_USEC_PER_SEC;

  if ((settings = vetter_config_get_settings ()))
    vetter_config_load_settings (config, settings);
  if (jobs > 0)
    config->workers = jobs;
  vetter_services_apply_tagger (worker.services, config);
  config->sync_couch = TRUE;
  config->sync_uploads = TRUE;
  config->sync_mail = vetter_services_has_mail (worker.services);

  worker.loop = g_main_loop_new (NULL, FALSE);
  worker.once = once;
  worker.engine = vetter_engine_new (db_path, config);
  vetter_database_set_cache_size (vetter_engine_get_database (worker.engine), VETTER_DATABASE_HEADLESS_CACHE_KIB);
  vetter_engine_set_person (worker.engine, worker.services->couch_user);
  g_unix_signal_add (SIGTERM, on_signal, &worker);
  g_unix_signal_add (SIGINT, on_signal, &worker);
  vetter_engine_open_async (worker.engine, NULL, on_engine_open, &worker);
  g_main_loop_run (worker.loop);

  if (worker.sync)
    vetter_sync_stop (worker.sync);
  g_clear_object (&worker.work);
  g_clear_object (&worker.sync);
  g_clear_object (&worker.engine);
  g_clear_object (&worker.session);
  g_main_loop_unref (worker.loop);
  vetter_services_free (worker.services);
  return worker.status;
}
