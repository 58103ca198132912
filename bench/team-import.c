/* team-import.c: how fast a desktop joining a busy team is up to date
 *
 * usage: team-import DB N_ADS
 *
 * A desktop (an engine and its sync, as the window has them) that shares
 * the team's work pulls the shared database named by VETTER_COUCHDB_* (its
 * bucket by VETTER_S3_*), where N_ADS ads have been processed by workers:
 * it takes every result in, processing none. Prints one line: the ads
 * taken in, the seconds until the last was decided, the rate, the seconds
 * until their thumbnails were here too, and the peak resident memory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "vetter-engine.h"
#include "vetter-services.h"
#include "vetter-sync.h"

static gint64
count (const char *db_path,
       const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n = 0;

  if (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static long
peak_rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) || (line = strstr (status, "VmHWM:")) == NULL)
    return 0;
  return strtol (line + strlen ("VmHWM:"), NULL, 10);
}

static void
on_opened (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!vetter_engine_open_finish (VETTER_ENGINE (source), result, &error))
    g_error ("%s", error->message);
  *(gboolean *) user_data = TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(VetterServices) services = vetter_services_from_env ();
  g_autoptr(VetterConfig) config = vetter_config_new ();
  g_autoptr(VetterEngine) engine = NULL;
  g_autoptr(VetterSync) sync = NULL;
  gboolean opened = FALSE;
  gint64 n, start, decided_at = 0, thumbs_at = 0;
  const char *db;

  if (argc != 3)
    {
      fprintf (stderr, "usage: team-import DB N_ADS\n");
      return 2;
    }
  db = argv[1];
  n = g_ascii_strtoll (argv[2], NULL, 10);
  config->sync_couch = TRUE;
  config->sync_uploads = TRUE;
  engine = vetter_engine_new (db, config);
  vetter_engine_open_async (engine, NULL, on_opened, &opened);
  while (!opened)
    g_main_context_iteration (NULL, TRUE);

  start = g_get_monotonic_time ();
  sync = vetter_sync_new (engine, services);
  vetter_couch_feed_start_pull (vetter_sync_get_couch_feed (sync), 100);
  while (thumbs_at == 0 && g_get_monotonic_time () - start < 600 * G_USEC_PER_SEC)
    {
      gint64 until = g_get_monotonic_time () + 100 * 1000;

      while (g_get_monotonic_time () < until)
        g_main_context_iteration (NULL, FALSE);
      if (decided_at == 0 &&
          count (db, "SELECT count(*) FROM item WHERE status IN ('approved', 'rejected', 'needs_review')") >= n)
        decided_at = g_get_monotonic_time ();
      if (decided_at && count (db, "SELECT count(*) FROM variant WHERE kind = 'thumb' AND path <> ''") >= n)
        thumbs_at = g_get_monotonic_time ();
    }
  if (thumbs_at == 0)
    {
      fprintf (stderr, "team-import: not up to date after 10 minutes\n");
      return 1;
    }
  printf ("%" G_GINT64_FORMAT " ads taken in: decided after %.2f s (%.0f ads/s), thumbnails after %.2f s;"
          " steps recorded here: %" G_GINT64_FORMAT "; peak resident memory %ld MB\n",
          n, (decided_at - start) / 1e6, n / ((decided_at - start) / 1e6), (thumbs_at - start) / 1e6,
          count (db, "SELECT count(*) FROM step"), peak_rss_kb () / 1024);
  vetter_sync_stop (sync);
  vetter_engine_close (engine);
  return 0;
}
