/* test-team.c: the team's work shared through the database
 *
 * pouchdb-server holds the shared database and s3rver the bucket, both on
 * loopback (couch-fixture.c); the workers are `vetter worker` processes of
 * the binary under test, each with its own SQLite file, as machines of a
 * team would be; the desktops are engines in this process that pull.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>

#include "couch-fixture.h"
#include "vetter-couch-client.h"
#include "vetter-engine.h"
#include "vetter-store.h"
#include "vetter-sync.h"
#include "vetter-test-util.h"

#define WORKER_PASSWORD "wendy-secret-8e1f"

/* Set by a test: the workers it starts use these instead. */
static const char *worker_user = "wendy";
static const char *worker_password = WORKER_PASSWORD;
static const char *worker_access_key = "S3RVER";

static const char *photos[] = { "Aqua.jpg", "FreshFlower.jpg", "GreenMeadow.jpg", "Garden.jpg" };

typedef struct
{
  GSubprocess *process;
  char        *db;
  char        *log;       /* what it wrote on standard error, once it exited */
  gboolean     exited;
} Worker;

static void
on_worker_output (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Worker *worker = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, NULL, &worker->log, &error);
  g_assert_no_error (error);
  worker->exited = TRUE;
}

/* `vetter worker -j 1` as the worker user, with its own database. */
static Worker *
start_worker (Fixture    *f,
              const char *name,
              gboolean    once,
              const char *lease_seconds,
              const char *clock_offset)
{
  Worker *worker = g_new0 (Worker, 1);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autofree char *couch = g_strdup_printf ("http://127.0.0.1:%d", f->conflict_leases ? f->web_port : f->couch_port);
  g_autofree char *couch_url = f->conflict_leases ? g_strconcat (couch, "/couch", NULL) : g_strdup (couch);
  g_autofree char *s3 = g_strdup_printf ("http://127.0.0.1:%d", f->s3_port);
  g_autoptr(GError) error = NULL;

  worker->db = g_strdup_printf ("%s/%s.db", f->dir, name);
  g_subprocess_launcher_setenv (launcher, "VETTER_COUCHDB_URL", couch_url, TRUE);
  g_subprocess_launcher_setenv (launcher, "VETTER_COUCHDB_DB", "vetter", TRUE);
  g_subprocess_launcher_setenv (launcher, "VETTER_COUCHDB_USER", worker_user, TRUE);
  g_subprocess_launcher_setenv (launcher, "VETTER_COUCHDB_PASSWORD", worker_password, TRUE);
  g_subprocess_launcher_setenv (launcher, "VETTER_S3_ENDPOINT", s3, TRUE);
  g_subprocess_launcher_setenv (launcher, "VETTER_S3_REGION", "us-east-1", TRUE);
  g_subprocess_launcher_setenv (launcher, "VETTER_S3_BUCKET", "vetter", TRUE);
  g_subprocess_launcher_setenv (launcher, "VETTER_S3_ACCESS_KEY", worker_access_key, TRUE);
  g_subprocess_launcher_setenv (launcher, "VETTER_S3_SECRET_KEY", "S3RVER", TRUE);
  g_subprocess_launcher_setenv (launcher, "VETTER_LEASE_SECONDS", lease_seconds ? lease_seconds : "60", TRUE);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "", TRUE);
  if (clock_offset)
    g_subprocess_launcher_setenv (launcher, "VETTER_TEST_CLOCK_OFFSET", clock_offset, TRUE);
  {
    const char *argv[] = { g_getenv ("VETTER_BINARY"), "worker", "-j", "1", "--db", worker->db,
                           once ? "--once" : NULL, NULL };

    worker->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  }
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (worker->process, NULL, NULL, on_worker_output, worker);
  return worker;
}

static gboolean
worker_exited (gpointer data)
{
  return ((Worker *) data)->exited;
}

/* Workers process hundreds of ads under the sanitizers while other tests
 * share the two cores: minutes, not seconds. */
#define TEAM_SECONDS 600

static void
wait_worker (Worker *worker)
{
  test_wait_until_within (worker_exited, worker, TEAM_SECONDS);
}

static void
worker_free (Worker *worker)
{
  g_clear_object (&worker->process);
  g_free (worker->db);
  g_free (worker->log);
  g_free (worker);
}

/* How many lines of the worker's log say an ad was finished. */
static guint
ads_logged (const Worker *worker)
{
  g_auto(GStrv) lines = g_strsplit (worker->log ? worker->log : "", "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i]; i++)
    if (strstr (lines[i], " ad ") && (strstr (lines[i], ": approved") || strstr (lines[i], ": rejected") ||
                                      strstr (lines[i], ": needs_review") || strstr (lines[i], ": failed")))
      n++;
  return n;
}

static void
set_up (Fixture       *f,
        gconstpointer  data)
{
  g_autofree char *bucket = NULL;
  g_autoptr(JsonObject) answer = NULL;
  Desktop *admin;

  fixture_set_up (f, data);
  bucket = g_build_filename (f->dir, "bucket", NULL);
  g_mkdir_with_parents (bucket, 0700);
  f->s3_port = test_free_port ();
  g_object_set_data_full (G_OBJECT (f->session), "s3rver", test_start_s3rver (bucket, f->s3_port), g_object_unref);
  answer = as_admin (f, "PUT", "_users/org.couchdb.user:wendy",
                     "{\"name\":\"wendy\",\"password\":\"" WORKER_PASSWORD "\",\"roles\":[\"worker\"],"
                     "\"type\":\"user\"}", 201);
  /* An admin's desktop provisions the database. */
  admin = desktop_new (f, "admin", "admin", ADMIN_PASSWORD, FALSE, FALSE);
  desktop_free (admin);
}

static void
tear_down (Fixture       *f,
           gconstpointer  data)
{
  GSubprocess *s3rver = g_object_get_data (G_OBJECT (f->session), "s3rver");

  g_subprocess_force_exit (s3rver);
  g_subprocess_wait (s3rver, NULL, NULL);
  g_object_set_data (G_OBJECT (f->session), "s3rver", NULL);
  fixture_tear_down (f, data);
}

static char *
uid_of (guint i)
{
  return g_strdup_printf ("team%04u", i);
}

/* @n ads as `vetter batch --shared` queues them: an ad naming a
 * photograph by URL, and its work, queued. */
static void
queue_ads (Fixture *f,
           guint    n)
{
  g_autoptr(GString) body = g_string_new ("{\"docs\":[");
  g_autoptr(JsonObject) answer = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *uid = uid_of (i);

      g_string_append_printf (body,
                              "%s{\"_id\":\"ad:%s\",\"type\":\"ad\",\"title\":\"Team ad %u\",\"email\":\"shop%u@example.com\","
                              "\"images\":[\"http://127.0.0.1:%d/photos/%s\"],\"batch\":\"batch:team\","
                              "\"batch_name\":\"team.csv\",\"row\":%u,\"shared_work\":true},"
                              "{\"_id\":\"work:%s\",\"type\":\"work\",\"ad\":\"%s\",\"state\":\"queued\",\"attempt\":0}",
                              i ? "," : "", uid, i, i % 7, f->web_port, photos[i % G_N_ELEMENTS (photos)], i + 1, uid,
                              uid);
    }
  g_string_append (body, "]}");
  answer = as_admin (f, "POST", "vetter/_bulk_docs", body->str, 201);
}

static JsonObject *
work_doc (Fixture *f,
          guint    i)
{
  g_autofree char *uid = uid_of (i);
  g_autofree char *id = g_strconcat ("work:", uid, NULL);

  return database_doc (f, id);
}

static guint
count_in_state (Fixture    *f,
                guint       n,
                const char *state)
{
  guint count = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonObject) doc = work_doc (f, i);

      if (doc && g_strcmp0 (json_object_get_string_member_with_default (doc, "state", ""), state) == 0)
        count++;
    }
  return count;
}

static gint64
sql_count (const char *db,
           const char *sql)
{
  return g_file_test (db, G_FILE_TEST_EXISTS) ? test_count_sql (db, sql) : 0;
}

static gboolean
sql_says_zero (gpointer data)
{
  const char **pair = data;

  return sql_count (pair[0], pair[1]) == 0;
}

typedef struct
{
  const char *db;
  gint64      n;
} ImportWait;

/* Every ad decided (by the rules or a person), with its thumbnail's URL. */
static gboolean
imported (gpointer data)
{
  ImportWait *wait = data;

  return sql_count (wait->db, "SELECT count(*) FROM item WHERE status IN ('approved', 'rejected', 'needs_review')"
                              " AND EXISTS (SELECT 1 FROM image JOIN variant ON variant.image_id = image.id"
                              " WHERE image.item_id = item.id AND variant.kind = 'thumb'"
                              " AND variant.remote_url IS NOT NULL)") == wait->n;
}

/* Three workers and two desktops share the ads: each ad processed once
 * across the team (its steps recorded on one machine only, every work
 * document done once), and both desktops have every ad with its results,
 * its thumbnail's URL and its decision without processing any. A worker
 * with nothing left to take stops, with --once, saying so. */
static void
test_workers_share (Fixture       *f,
                    gconstpointer  data)
{
  const guint n = 300;
  Desktop *ana = desktop_new_sharing (f, "ana", "ana", ANA_PASSWORD);
  Desktop *ben = desktop_new_sharing (f, "ben", "ben", BEN_PASSWORD);
  Worker *workers[3];
  gint64 processed = 0;
  guint logged = 0;
  g_autofree char *ana_db = g_strdup_printf ("%s/ana.db", f->dir);
  g_autofree char *ben_db = g_strdup_printf ("%s/ben.db", f->dir);
  ImportWait wait_ana = { ana_db, n }, wait_ben = { ben_db, n };

  queue_ads (f, n);
  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    {
      g_autofree char *name = g_strdup_printf ("worker%u", i);

      workers[i] = start_worker (f, name, TRUE, NULL, NULL);
    }
  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    {
      wait_worker (workers[i]);
      g_assert_true (g_subprocess_get_if_exited (workers[i]->process));
      g_assert_cmpint (g_subprocess_get_exit_status (workers[i]->process), ==, 0);
      g_assert_nonnull (strstr (workers[i]->log, "nothing left to take"));
      logged += ads_logged (workers[i]);
      /* Each image processed here once, at most. */
      g_assert_cmpint (sql_count (workers[i]->db, "SELECT count(*) FROM (SELECT image_id FROM step"
                                                  " WHERE name = 'decode' GROUP BY image_id HAVING count(*) > 1)"), ==, 0);
      processed += sql_count (workers[i]->db, "SELECT count(DISTINCT image_id) FROM step");
    }
  if (logged != n)
    for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
      g_printerr ("WORKER %u:\n%s\n", i, workers[i]->log);
  g_assert_cmpuint (logged, ==, n);
  g_assert_cmpint (processed, ==, n);
  g_assert_cmpuint (count_in_state (f, n, "done"), ==, n);
  /* Work was shared: no worker did it all. */
  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    g_assert_cmpuint (ads_logged (workers[i]), <, n);

  /* The desktops took it all in, deciding nothing themselves. */
  test_wait_until_within (imported, &wait_ana, TEAM_SECONDS);
  test_wait_until_within (imported, &wait_ben, TEAM_SECONDS);
  g_assert_cmpint (test_count_sql (ana_db, "SELECT count(*) FROM step"), ==, 0);
  g_assert_cmpint (test_count_sql (ben_db, "SELECT count(*) FROM step"), ==, 0);
  g_assert_cmpint (test_count_sql (ana_db, "SELECT count(*) FROM variant WHERE remote_url IS NULL"),
                   ==, 0);
  g_assert_cmpint (test_count_sql (ana_db, "SELECT count(*) FROM image WHERE sha256 IS NULL"), ==, 0);

  /* Thumbnails come at once; the other variants only when an ad shows. */
  test_wait_until_within (sql_says_zero, (const char *[]) { ana_db, "SELECT count(*) FROM variant WHERE kind = 'thumb'"
                                                                    " AND path = ''" }, TEAM_SECONDS);
  g_assert_cmpint (test_count_sql (ana_db, "SELECT count(*) FROM variant WHERE kind <> 'thumb' AND path <> ''"), ==, 0);
  {
    gint64 shown = test_count_sql (ana_db, "SELECT min (id) FROM item");
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM variant JOIN image ON image.id = variant.image_id"
                                            " WHERE image.item_id = %" G_GINT64_FORMAT " AND path = ''", shown);
    g_autofree char *thumb = g_strdup_printf ("SELECT count(*) FROM variant JOIN image ON image.id = variant.image_id"
                                              " WHERE image.item_id = %" G_GINT64_FORMAT " AND kind = 'thumb'", shown);
    g_autofree char *one = NULL;

    vetter_engine_fetch_variants (ana->engine, shown);
    test_wait_until (sql_says_zero, (const char *[]) { ana_db, sql });
    g_assert_cmpint (test_count_sql (ana_db, thumb), ==, 1);
    one = g_strdup_printf ("SELECT count(*) FROM variant WHERE kind <> 'thumb' AND path <> ''");
    g_assert_cmpint (test_count_sql (ana_db, one), ==, 4);
  }

  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    worker_free (workers[i]);
  desktop_free (ana);
  desktop_free (ben);
}

static gboolean
leased_by_someone (gpointer data)
{
  Fixture *f = data;

  return count_in_state (f, 8, "leased") > 0;
}

/* A worker killed mid-lease: its ads are taken over once their leases
 * expire by the server's clock, and finished once; the attempt counts. */
static void
test_killed_worker (Fixture       *f,
                    gconstpointer  data)
{
  const guint n = 8;
  Worker *doomed, *survivor;
  g_autofree char *held = NULL;
  guint attempts_two = 0;

  queue_ads (f, n);
  doomed = start_worker (f, "doomed", FALSE, "3", NULL);
  test_wait_until (leased_by_someone, f);
  g_subprocess_send_signal (doomed->process, SIGKILL);
  wait_worker (doomed);
  survivor = start_worker (f, "survivor", TRUE, "3", NULL);
  wait_worker (survivor);
  g_assert_cmpint (g_subprocess_get_exit_status (survivor->process), ==, 0);
  g_assert_cmpuint (count_in_state (f, n, "done"), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonObject) doc = work_doc (f, i);

      if (json_object_get_int_member_with_default (doc, "attempt", 0) == 2)
        attempts_two++;
    }
  /* The one the killed worker held was tried twice; the rest once. */
  g_assert_cmpuint (attempts_two, >=, 1);
  g_assert_cmpuint (ads_logged (survivor) + 0, >=, attempts_two);
  worker_free (doomed);
  worker_free (survivor);
}

/* A worker whose clock is ten minutes fast does not take a lease another
 * machine holds for five more minutes: by the server's clock it is live. */
static void
test_fast_clock (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) after = NULL;
  g_autofree char *body = NULL;
  Worker *worker;

  queue_ads (f, 1);
  {
    g_autoptr(JsonObject) doc = work_doc (f, 0);

    body = g_strdup_printf ("{\"_rev\":\"%s\",\"type\":\"work\",\"ad\":\"team0000\",\"state\":\"leased\","
                            "\"holder\":\"elsewhere\",\"holder_user\":\"admin\",\"attempt\":1,"
                            "\"expires\":%" G_GINT64_FORMAT "}",
                            json_object_get_string_member (doc, "_rev"), g_get_real_time () + 5 * 60 * G_USEC_PER_SEC);
  }
  answer = as_admin (f, "PUT", "vetter/work:team0000", body, 201);
  worker = start_worker (f, "fast", FALSE, NULL, "600");
  /* Several looks for work, a second apart. */
  test_spin (4000);
  g_subprocess_send_signal (worker->process, SIGTERM);
  wait_worker (worker);
  g_assert_cmpint (g_subprocess_get_exit_status (worker->process), ==, 0);
  after = work_doc (f, 0);
  g_assert_cmpstr (json_object_get_string_member (after, "holder"), ==, "elsewhere");
  g_assert_cmpuint (ads_logged (worker), ==, 0);
  worker_free (worker);
}

static gboolean
photo_held (gpointer data)
{
  Fixture *f = data;

  return f->held_photos->len > 0;
}

static gboolean
sql_says_one (gpointer data)
{
  const char **pair = data;

  return sql_count (pair[0], pair[1]) == 1;
}

/* A worker loses its lease while it processes the ad (its download is
 * slow; the lease is taken over as an expired one, and another worker
 * finishes the ad): its renewal is refused and it says so, and when its
 * own result comes it does not go over the other machine's: theirs stand
 * (the work document as that machine left it, no conflict kept). */
static void
test_lease_lost_while_processing (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(JsonObject) leased = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) done = NULL;
  g_autoptr(JsonObject) after = NULL;
  g_autoptr(JsonObject) with_conflicts = NULL;
  g_autofree char *body = NULL;
  g_autofree char *first_holder = NULL;
  const char *decided[2] = { NULL, "SELECT count(*) FROM item WHERE status IN ('approved', 'rejected', "
                                   "'needs_review', 'failed')" };
  Worker *slow, *other;
  guint status;

  queue_ads (f, 1);
  f->hold_photos = 1;
  slow = start_worker (f, "slow", FALSE, "3", NULL);
  test_wait_until_within (photo_held, f, TEAM_SECONDS);
  leased = work_doc (f, 0);
  g_assert_cmpstr (json_object_get_string_member (leased, "state"), ==, "leased");
  first_holder = g_strdup (json_object_get_string_member (leased, "holder"));

  /* As a machine that found the lease expired and took it would. */
  body = g_strdup_printf ("{\"_rev\":\"%s\",\"type\":\"work\",\"ad\":\"team0000\",\"state\":\"leased\","
                          "\"holder\":\"elsewhere\",\"holder_user\":\"admin\",\"attempt\":2,"
                          "\"expires\":%" G_GINT64_FORMAT "}",
                          json_object_get_string_member (leased, "_rev"), g_get_real_time () - G_USEC_PER_SEC);
  answer = as_admin (f, "PUT", "vetter/work:team0000", body, 201);
  /* That machine is gone too: another worker takes the ad and finishes it. */
  other = start_worker (f, "other", TRUE, "3", NULL);
  wait_worker (other);
  g_assert_cmpint (g_subprocess_get_exit_status (other->process), ==, 0);
  g_assert_cmpuint (ads_logged (other), ==, 1);
  done = work_doc (f, 0);
  g_assert_cmpstr (json_object_get_string_member (done, "state"), ==, "done");

  /* Now the slow download arrives, and the slow machine finishes too. */
  couch_fixture_release_photos (f);
  decided[0] = slow->db;
  test_wait_until_within (sql_says_one, decided, TEAM_SECONDS);
  test_spin (2000);   /* its result goes out, or does not */
  g_subprocess_send_signal (slow->process, SIGTERM);
  wait_worker (slow);
  g_assert_cmpint (g_subprocess_get_exit_status (slow->process), ==, 0);
  g_test_message ("the slow worker said:\n%s", slow->log);
  g_assert_nonnull (strstr (slow->log, "the lease was lost to another machine"));

  after = work_doc (f, 0);
  g_assert_cmpstr (json_object_get_string_member (after, "state"), ==, "done");
  g_assert_cmpstr (json_object_get_string_member (after, "holder"), ==, json_object_get_string_member (done, "holder"));
  g_assert_cmpstr (json_object_get_string_member (after, "_rev"), ==, json_object_get_string_member (done, "_rev"));
  g_assert_cmpstr (json_object_get_string_member (after, "holder"), !=, first_holder);
  with_conflicts = couch_request (f, "GET", "vetter/work:team0000?conflicts=true", "admin", ADMIN_PASSWORD, NULL,
                                  &status);
  g_assert_false (json_object_has_member (with_conflicts, "_conflicts"));
  worker_free (slow);
  worker_free (other);
}

/* On a cluster two leases written on one revision may both be kept: the
 * machine whose lease lost yields (deletes its revision, processes
 * nothing) and the ad is finished once all the same. */
static void
test_conflict_yields (Fixture       *f,
                      gconstpointer  data)
{
  Worker *worker;
  g_autoptr(JsonObject) doc = NULL;
  guint status;
  g_autoptr(JsonObject) with_conflicts = NULL;

  queue_ads (f, 2);
  f->conflict_leases = TRUE;
  worker = start_worker (f, "loser", TRUE, "3", NULL);
  wait_worker (worker);
  g_assert_cmpint (g_subprocess_get_exit_status (worker->process), ==, 0);
  g_assert_cmpuint (f->conflicts_made, >=, 1);
  g_assert_nonnull (strstr (worker->log, "another machine's lease won; this one yields"));
  /* The winner's leases lapsed (that machine is gone) and were taken
   * over: each ad done once, and no conflict left behind. */
  g_assert_cmpuint (count_in_state (f, 2, "done"), ==, 2);
  with_conflicts = couch_request (f, "GET", "vetter/work:team0000?conflicts=true", "admin", ADMIN_PASSWORD, NULL,
                                  &status);
  g_assert_false (json_object_has_member (with_conflicts, "_conflicts"));
  g_assert_cmpint (sql_count (worker->db, "SELECT count(DISTINCT image_id) FROM step"), ==, 2);
  g_assert_cmpuint (ads_logged (worker), ==, 2);
  worker_free (worker);
}

static gboolean
work_queued (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GPtrArray) ads = ads_in_database (f);
  guint works = 0;

  for (guint i = 0; i < ads->len; i++)
    {
      g_autofree char *id = g_strconcat ("work:", (const char *) ads->pdata[i], NULL);
      g_autoptr(JsonObject) doc = database_doc (f, id);

      if (doc)
        works++;
    }
  return ads->len == 3 && works == 3;
}

/* `vetter batch --shared`: a CSV's ads (two by URL, one a local file,
 * uploaded first so any machine can fetch it) go to the team's queue; a
 * worker processes them; the batch takes their results in, processing
 * nothing itself, and writes its output CSV as ever. */
static void
test_batch_shared (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *csv_path = g_build_filename (f->dir, "team.csv", NULL);
  g_autofree char *local = g_build_filename (PHOTOS, "GreenMeadow.jpg", NULL);
  g_autofree char *csv = g_strdup_printf ("S. No.,Product Name,Input Image Urls\n"
                                          "1,Aqua,http://127.0.0.1:%d/photos/Aqua.jpg\n"
                                          "2,Flower,http://127.0.0.1:%d/photos/FreshFlower.jpg\n"
                                          "3,Meadow,%s\n", f->web_port, f->web_port, local);
  g_autofree char *db = g_build_filename (f->dir, "batch.db", NULL);
  g_autofree char *out = g_build_filename (f->dir, "batch-out", NULL);
  g_autofree char *output_csv = g_build_filename (out, "team-output.csv", NULL);
  g_autofree char *couch = g_strdup_printf ("http://127.0.0.1:%d", f->couch_port);
  g_autofree char *s3 = g_strdup_printf ("http://127.0.0.1:%d", f->s3_port);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) batch = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  Worker batch_run = { 0 };
  Worker *worker;

  g_assert_true (g_file_set_contents (csv_path, csv, -1, NULL));
  g_subprocess_launcher_setenv (launcher, "VETTER_COUCHDB_URL", couch, TRUE);
  g_subprocess_launcher_setenv (launcher, "VETTER_COUCHDB_DB", "vetter", TRUE);
  g_subprocess_launcher_setenv (launcher, "VETTER_COUCHDB_USER", "wendy", TRUE);
  g_subprocess_launcher_setenv (launcher, "VETTER_COUCHDB_PASSWORD", WORKER_PASSWORD, TRUE);
  g_subprocess_launcher_setenv (launcher, "VETTER_S3_ENDPOINT", s3, TRUE);
  g_subprocess_launcher_setenv (launcher, "VETTER_S3_REGION", "us-east-1", TRUE);
  g_subprocess_launcher_setenv (launcher, "VETTER_S3_BUCKET", "vetter", TRUE);
  g_subprocess_launcher_setenv (launcher, "VETTER_S3_ACCESS_KEY", "S3RVER", TRUE);
  g_subprocess_launcher_setenv (launcher, "VETTER_S3_SECRET_KEY", "S3RVER", TRUE);
  g_subprocess_launcher_setenv (launcher, "VETTER_SYNC_RETRY_MS", "100", TRUE);
  batch = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("VETTER_BINARY"), "batch", "--shared", "--db", db,
                                       "-o", out, csv_path, NULL);
  g_assert_no_error (error);
  batch_run.process = batch;
  g_subprocess_communicate_utf8_async (batch, NULL, NULL, on_worker_output, &batch_run);

  /* Its work is queued (the local file's ad once its upload named a URL). */
  test_wait_until (work_queued, f);
  worker = start_worker (f, "taker", TRUE, NULL, NULL);
  wait_worker (worker);
  g_assert_cmpuint (ads_logged (worker), ==, 3);
  test_wait_until_within (worker_exited, &batch_run, TEAM_SECONDS);
  batch_run.process = NULL;
  if (g_subprocess_get_exit_status (batch) != 0)
    g_printerr ("%s", batch_run.log);
  g_assert_cmpint (g_subprocess_get_exit_status (batch), ==, 0);
  g_assert_cmpint (test_count_sql (db, "SELECT count(*) FROM step"), ==, 0);
  g_assert_cmpint (test_count_sql (db, "SELECT count(*) FROM item WHERE status IN ('approved', 'rejected',"
                                       " 'needs_review')"), ==, 3);
  g_assert_true (g_file_get_contents (output_csv, &output, NULL, NULL));
  g_assert_nonnull (strstr (output, "Meadow"));
  /* The local file went to the bucket for the worker to fetch. */
  g_assert_cmpint (sql_count (worker->db, "SELECT count(*) FROM image WHERE source LIKE 'http://127.0.0.1:%/vetter/originals/%'"),
                   ==, 1);
  g_free (batch_run.log);
  worker_free (worker);
}

static gint64
thumb_width (Fixture *f,
             guint    i)
{
  g_autoptr(JsonObject) doc = work_doc (f, i);
  JsonObject *result = json_object_get_object_member (doc, "result");
  JsonArray *images = json_object_get_array_member (result, "images");
  JsonArray *variants = json_object_get_array_member (json_array_get_object_element (images, 0), "variants");

  for (guint k = 0; k < json_array_get_length (variants); k++)
    {
      JsonObject *variant = json_array_get_object_element (variants, k);

      if (g_str_equal (json_object_get_string_member (variant, "kind"), "thumb"))
        return MAX (json_object_get_int_member (variant, "width"), json_object_get_int_member (variant, "height"));
    }
  return 0;
}

typedef struct
{
  Fixture    *f;
  const char *hash;    /* NULL: any */
} SettingsWait;

static gboolean
settings_shared (gpointer data)
{
  SettingsWait *wait = data;
  g_autoptr(JsonObject) doc = database_doc (wait->f, "config:pipeline");

  return doc && (wait->hash == NULL || g_strcmp0 (json_object_get_string_member (doc, "hash"), wait->hash) != 0);
}

static char *
share_thumb_size (Fixture *f,
                  Desktop *admin,
                  int      size,
                  char    *before)
{
  g_autoptr(VetterConfig) config = vetter_config_copy (vetter_engine_get_config (admin->engine));
  g_autoptr(JsonObject) doc = NULL;
  SettingsWait wait = { f, before };

  config->variants[VETTER_VARIANT_THUMB].width = size;
  config->variants[VETTER_VARIANT_THUMB].height = size;
  vetter_engine_set_config (admin->engine, config);
  vetter_engine_share_settings (admin->engine);
  test_wait_until (settings_shared, &wait);
  g_free (before);
  doc = database_doc (f, "config:pipeline");
  return g_strdup (json_object_get_string_member (doc, "hash"));
}

typedef struct
{
  const char *db;
  int         size;
} ThumbWait;

static gboolean
thumbs_at_most (gpointer data)
{
  ThumbWait *wait = data;
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM variant WHERE kind = 'thumb' AND max (width, height) <= %d",
                                          wait->size);

  return sql_count (wait->db, sql) == 3;
}

/* The team's settings are the admin's: results are made under them, each
 * recording which; when they change, the results made under the old ones
 * are made again, and a desktop that had taken them in takes the new. */
static void
test_settings_redo (Fixture       *f,
                    gconstpointer  data)
{
  Desktop *admin = desktop_new_sharing (f, "boss", "admin", ADMIN_PASSWORD);
  Desktop *ana = desktop_new_sharing (f, "ana", "ana", ANA_PASSWORD);
  g_autofree char *ana_db = g_strdup_printf ("%s/ana.db", f->dir);
  g_autofree char *hash = share_thumb_size (f, admin, 200, NULL);
  ImportWait imported_ana = { ana_db, 3 };
  ThumbWait small = { ana_db, 120 };
  Worker *worker;

  queue_ads (f, 3);
  worker = start_worker (f, "settings", TRUE, NULL, NULL);
  wait_worker (worker);
  if (ads_logged (worker) != 3)
    g_printerr ("EXIT %d LOG [%s]\n", g_subprocess_get_exit_status (worker->process), worker->log);
  g_assert_cmpuint (ads_logged (worker), ==, 3);
  worker_free (worker);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(JsonObject) doc = work_doc (f, i);

      g_assert_cmpstr (json_object_get_string_member (doc, "config"), ==, hash);
      g_assert_cmpint (thumb_width (f, i), >, 120);
      g_assert_cmpint (thumb_width (f, i), <=, 200);
    }
  test_wait_until_within (imported, &imported_ana, TEAM_SECONDS);

  hash = share_thumb_size (f, admin, 120, hash);
  worker = start_worker (f, "settings", TRUE, NULL, NULL);
  wait_worker (worker);
  if (ads_logged (worker) != 3)
    g_printerr ("EXIT %d LOG [%s]\n", g_subprocess_get_exit_status (worker->process), worker->log);
  g_assert_cmpuint (ads_logged (worker), ==, 3);
  g_assert_nonnull (strstr (worker->log, "results made under others are made again"));
  worker_free (worker);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(JsonObject) doc = work_doc (f, i);

      g_assert_cmpstr (json_object_get_string_member (doc, "config"), ==, hash);
      g_assert_cmpint (thumb_width (f, i), <=, 120);
    }
  /* Ana's desktop took the new ones in. */
  test_wait_until_within (thumbs_at_most, &small, TEAM_SECONDS);

  desktop_free (ana);
  desktop_free (admin);
}

/* An ad that fails wherever it is tried: each lease an attempt, given
 * back for another try, and after the third failed for good with its
 * reason, for a person to see. */
static void
test_third_failure_fails (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *body = g_strdup_printf ("{\"docs\":[{\"_id\":\"ad:gone\",\"type\":\"ad\",\"title\":\"Gone\","
                                           "\"images\":[\"http://127.0.0.1:%d/photos/no-such-photo.jpg\"],"
                                           "\"shared_work\":true},{\"_id\":\"work:gone\",\"type\":\"work\","
                                           "\"ad\":\"gone\",\"state\":\"queued\",\"attempt\":0}]}", f->web_port);
  g_autoptr(JsonObject) answer = as_admin (f, "POST", "vetter/_bulk_docs", body, 201);
  g_autoptr(JsonObject) doc = NULL;
  Worker *worker = start_worker (f, "failing", TRUE, NULL, NULL);

  wait_worker (worker);
  g_assert_cmpint (g_subprocess_get_exit_status (worker->process), ==, 0);
  doc = database_doc (f, "work:gone");
  g_assert_cmpstr (json_object_get_string_member (doc, "state"), ==, "failed");
  g_assert_cmpint (json_object_get_int_member (doc, "attempt"), ==, 3);
  g_assert_nonnull (strstr (json_object_get_string_member (doc, "error"), "404"));
  g_assert_cmpuint (ads_logged (worker), ==, 3);
  worker_free (worker);
}

/* Nothing to take: --once stops at once, cleanly; a bucket or a database
 * that refuses stops a worker at once, with a word why. */
static void
test_once_and_refusals (Fixture       *f,
                        gconstpointer  data)
{
  Worker *worker = start_worker (f, "idle", TRUE, NULL, NULL);

  wait_worker (worker);
  g_assert_cmpint (g_subprocess_get_exit_status (worker->process), ==, 0);
  g_assert_nonnull (strstr (worker->log, "nothing left to take"));
  worker_free (worker);

  /* A bucket that refuses its key. */
  worker_access_key = "NOT-A-KEY";
  worker = start_worker (f, "refused", TRUE, NULL, NULL);
  wait_worker (worker);
  worker_access_key = "S3RVER";
  g_assert_cmpint (g_subprocess_get_exit_status (worker->process), ==, 1);
  g_assert_nonnull (strstr (worker->log, "the S3 bucket vetter cannot be used: HTTP 403"));
  worker_free (worker);

  /* A user who may only read. */
  {
    g_autoptr(JsonObject) answer = as_admin (f, "PUT", "_users/org.couchdb.user:vera",
                                             "{\"name\":\"vera\",\"password\":\"vera-secret-2b7d\","
                                             "\"roles\":[\"viewer\"],\"type\":\"user\"}", 201);

    worker_user = "vera";
    worker_password = "vera-secret-2b7d";
    worker = start_worker (f, "viewer", TRUE, NULL, NULL);
    wait_worker (worker);
    worker_user = "wendy";
    worker_password = WORKER_PASSWORD;
    g_assert_cmpint (g_subprocess_get_exit_status (worker->process), ==, 1);
    g_assert_nonnull (strstr (worker->log, "vera may only read the shared database"));
    worker_free (worker);
  }

  /* A database that refuses its password. */
  worker_password = "not-the-password";
  worker = start_worker (f, "refused", TRUE, NULL, NULL);
  wait_worker (worker);
  worker_password = WORKER_PASSWORD;
  g_assert_cmpint (g_subprocess_get_exit_status (worker->process), ==, 1);
  g_assert_nonnull (strstr (worker->log, "the shared database cannot be used: the database refuses wendy"));
  worker_free (worker);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/team/workers-share", Fixture, NULL, set_up, test_workers_share, tear_down);
  g_test_add ("/team/killed-worker", Fixture, NULL, set_up, test_killed_worker, tear_down);
  g_test_add ("/team/fast-clock", Fixture, NULL, set_up, test_fast_clock, tear_down);
  g_test_add ("/team/conflict-yields", Fixture, NULL, set_up, test_conflict_yields, tear_down);
  g_test_add ("/team/lease-lost-while-processing", Fixture, NULL, set_up, test_lease_lost_while_processing,
              tear_down);
  g_test_add ("/team/batch-shared", Fixture, NULL, set_up, test_batch_shared, tear_down);
  g_test_add ("/team/settings-redo", Fixture, NULL, set_up, test_settings_redo, tear_down);
  g_test_add ("/team/third-failure-fails", Fixture, NULL, set_up, test_third_failure_fails, tear_down);
  g_test_add ("/team/once-and-refusals", Fixture, NULL, set_up, test_once_and_refusals, tear_down);
  return g_test_run ();
}
