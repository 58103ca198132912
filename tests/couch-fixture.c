/* couch-fixture.c: a shared CouchDB and desktops around it, for the tests
 *
 * pouchdb-server (npm, started here on a loopback port, in memory) holds
 * the shared database. Each "desktop" is its own engine with its own
 * SQLite file and its own sender, as two Vetter windows on two machines
 * would be. Ads name their images by URL, served from a loopback server
 * with photographs from a Debian package, so another desktop can fetch
 * them. A proxy in front of the database loses answers, holds decisions
 * and goes down on demand, for the fault and conflict tests
 * (pouchdb-server in memory forgets its data when stopped, so the outage
 * is made between the two).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "couch-fixture.h"
#include "vetter-couch-client.h"
#include "vetter-http.h"
#include "vetter-json.h"
#include "vetter-store.h"
#include "vetter-test-util.h"

static const char *photos[] = { "Aqua.jpg", "Dune.jpg", "Garden.jpg", "Blinds.jpg" };

/* ---- The database, as an admin sees it ------------------------------------ */

JsonObject *
couch_request (Fixture    *f,
               const char *method,
               const char *path,
               const char *user,
               const char *password,
               const char *body,
               guint      *status)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%d/%s", f->couch_port, path);
  g_autoptr(SoupMessage) message = soup_message_new (method, url);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (message), "Accept", "application/json");
  if (user)
    vetter_http_set_basic_auth (message, user, password);
  if (body)
    soup_message_set_request_body_from_bytes (message, "application/json", g_bytes_new (body, strlen (body)));
  answer = soup_session_send_and_read (f->session, message, NULL, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (message);
  return vetter_couch_parse (answer, NULL);
}

JsonObject *
as_admin (Fixture    *f,
          const char *method,
          const char *path,
          const char *body,
          guint       expect)
{
  guint status;
  JsonObject *answer = couch_request (f, method, path, "admin", ADMIN_PASSWORD, body, &status);

  g_assert_cmpuint (status, ==, expect);
  return answer;
}

static void
add_user (Fixture    *f,
          const char *name,
          const char *password,
          const char *role)
{
  g_autofree char *path = g_strdup_printf ("_users/org.couchdb.user:%s", name);
  g_autofree char *body = g_strdup_printf ("{\"name\":\"%s\",\"password\":\"%s\",\"roles\":[\"%s\"],\"type\":\"user\"}",
                                           name, password, role);
  g_autoptr(JsonObject) answer = as_admin (f, "PUT", path, body, 201);
}

/* ---- Photographs and a proxy ---------------------------------------------- */

typedef struct
{
  Fixture           *f;
  SoupServerMessage *msg;
  SoupMessage       *upstream;
  gboolean           lose;
  JsonObject        *lease;    /* a lease written, to make a conflict of */
} Forward;

/* What a cluster can do: a second lease, written on the same revision on
 * another node, kept beside the one that was answered 201, and winning
 * (CouchDB picks the higher revision id of one length). */
static void
make_conflict (Fixture    *f,
               JsonObject *lease,
               const char *rev)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) theirs = NULL;
  g_autofree char *body = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonObject) answer = NULL;
  const char *parent = json_object_get_string_member (lease, "_rev");
  JsonObject *revisions = json_object_new ();
  guint status;
  JsonArray *ids = json_array_new ();
  JsonArray *docs = json_array_new ();
  g_autoptr(JsonObject) request = json_object_new ();
  guint generation = (guint) g_ascii_strtoull (rev, NULL, 10);

  theirs = vetter_json_object_copy (lease);
  json_object_set_string_member (theirs, "holder", "another-machine");
  json_object_set_string_member (theirs, "holder_name", "vetter-worker@elsewhere");
  {
    g_autofree char *their_rev = g_strdup_printf ("%u-ffffffffffffffffffffffffffffffff", generation);

    json_object_set_string_member (theirs, "_rev", their_rev);
  }
  json_array_add_string_element (ids, "ffffffffffffffffffffffffffffffff");
  json_array_add_string_element (ids, strchr (parent, '-') + 1);
  json_object_set_int_member (revisions, "start", generation);
  json_object_set_array_member (revisions, "ids", ids);
  json_object_set_object_member (theirs, "_revisions", revisions);
  json_array_add_object_element (docs, json_object_ref (theirs));
  json_object_set_boolean_member (request, "new_edits", FALSE);
  json_object_set_array_member (request, "docs", docs);
  json_node_set_object (node, request);
  text = json_to_string (node, FALSE);
  /* Between a cluster's nodes no validation runs, and pouchdb-server
   * drops a revision written with new_edits false that a validation
   * sees: the design document steps aside for it. */
  {
    g_autoptr(JsonObject) design = as_admin (f, "GET", "vetter/_design/vetter", NULL, 200);
    g_autofree char *path = g_strdup_printf ("vetter/_design/vetter?rev=%s", json_object_get_string_member (design, "_rev"));
    g_autoptr(JsonObject) removed = as_admin (f, "DELETE", path, NULL, 200);
    g_autoptr(JsonNode) again = json_node_new (JSON_NODE_OBJECT);
    g_autofree char *design_text = NULL;
    g_autoptr(JsonObject) restored = NULL;

    answer = couch_request (f, "POST", "vetter/_bulk_docs", "admin", ADMIN_PASSWORD, text, &status);
    g_assert_cmpuint (status, ==, 201);
    json_object_remove_member (design, "_rev");
    json_node_set_object (again, design);
    design_text = json_to_string (again, FALSE);
    restored = as_admin (f, "PUT", "vetter/_design/vetter", design_text, 201);
  }
  f->conflicts_made++;
}

static void
copy_header (const char *name,
             const char *value,
             gpointer    user_data)
{
  soup_message_headers_append (user_data, name, value);
}

static void
drop_connection (SoupServerMessage *msg)
{
  GIOStream *stream = soup_server_message_steal_connection (msg);

  g_io_stream_close (stream, NULL, NULL);
  g_object_unref (stream);
}

static void
on_forwarded (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autofree Forward *forward = user_data;
  g_autoptr(SoupMessage) upstream = forward->upstream;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  if (forward->lose)
    {
      /* The database acted; its answer never arrives. */
      forward->f->lost++;
      drop_connection (forward->msg);
      return;
    }
  if (forward->lease && body && soup_message_get_status (upstream) == 201)
    {
      g_autoptr(JsonObject) answer = vetter_couch_parse (body, NULL);

      make_conflict (forward->f, forward->lease, json_object_get_string_member (answer, "rev"));
    }
  g_clear_pointer (&forward->lease, json_object_unref);
  soup_server_message_set_status (forward->msg, body ? soup_message_get_status (upstream) : 502, NULL);
  if (body)
    soup_server_message_set_response (forward->msg, "application/json", SOUP_MEMORY_COPY,
                                      g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  soup_server_message_unpause (forward->msg);
}

static void
handle_proxy (Fixture           *f,
              SoupServerMessage *msg,
              const char        *path)
{
  GUri *uri = soup_server_message_get_uri (msg);
  const char *query = g_uri_get_query (uri);
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%d%s%s%s", f->couch_port, path + strlen ("/couch"),
                                          query ? "?" : "", query ? query : "");
  SoupMessage *upstream = soup_message_new (soup_server_message_get_method (msg), url);
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  Forward *forward;
  gboolean is_decision;

  if (f->proxy_down)
    {
      g_object_unref (upstream);
      drop_connection (msg);
      return;
    }
  soup_message_headers_foreach (soup_server_message_get_request_headers (msg), copy_header,
                                soup_message_get_request_headers (upstream));
  soup_message_headers_remove (soup_message_get_request_headers (upstream), "Host");
  if (g_bytes_get_size (body) > 0)
    soup_message_set_request_body_from_bytes (upstream, "application/json", body);
  forward = g_new0 (Forward, 1);
  forward->f = f;
  forward->msg = msg;
  forward->upstream = upstream;
  is_decision = g_str_equal (soup_server_message_get_method (msg), "PUT") && strstr (path, "/decision") != NULL;
  forward->lose = f->lose_puts > 0 && is_decision;
  if (f->conflict_leases && g_str_equal (soup_server_message_get_method (msg), "PUT") && strstr (path, "/work") &&
      g_bytes_get_size (body) > 0)
    {
      g_autoptr(JsonObject) doc = vetter_couch_parse (body, NULL);

      if (doc && g_strcmp0 (json_object_get_string_member_with_default (doc, "state", ""), "leased") == 0 &&
          json_object_has_member (doc, "_rev") && json_object_get_int_member_with_default (doc, "attempt", 0) == 1)
        forward->lease = json_object_ref (doc);
    }
  if (forward->lose)
    f->lose_puts--;
  soup_server_message_pause (msg);
  if (f->hold_puts && is_decision)
    g_ptr_array_add (f->held, forward);
  else
    soup_session_send_and_read_async (f->proxy_session, upstream, G_PRIORITY_DEFAULT, NULL, on_forwarded, forward);
}

gboolean
couch_fixture_holds (Fixture    *f,
                     const char *uid)
{
  for (guint i = 0; i < f->held->len; i++)
    {
      Forward *forward = f->held->pdata[i];

      if (strstr (g_uri_get_path (soup_message_get_uri (forward->upstream)), uid))
        return TRUE;
    }
  return FALSE;
}

void
couch_fixture_release_held (Fixture *f)
{
  f->hold_puts = FALSE;
  while (f->held->len > 0)
    {
      Forward *forward = g_ptr_array_steal_index (f->held, 0);

      soup_session_send_and_read_async (f->proxy_session, forward->upstream, G_PRIORITY_DEFAULT, NULL, on_forwarded,
                                        forward);
    }
}

void
couch_fixture_release_photos (Fixture *f)
{
  while (f->held_photos->len > 0)
    {
      g_autoptr(SoupServerMessage) msg = g_ptr_array_steal_index (f->held_photos, 0);
      char *data;
      gsize len;

      g_assert_true (g_file_get_contents (g_object_get_data (G_OBJECT (msg), "vetter-file"), &data, &len, NULL));
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "image/jpeg", SOUP_MEMORY_TAKE, data, len);
      soup_server_message_unpause (msg);
    }
}

static void
handle (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  Fixture *f = user_data;
  g_autofree char *file = NULL;
  char *data;
  gsize len;

  if (g_str_has_prefix (path, "/couch/"))
    {
      handle_proxy (f, msg, path);
      return;
    }
  if (g_str_has_prefix (path, "/photos/"))
    file = g_build_filename (PHOTOS, path + strlen ("/photos/"), NULL);
  if (file && f->hold_photos > 0)
    {
      /* A download that takes as long as the test wants. */
      f->hold_photos--;
      soup_server_message_pause (msg);
      g_object_set_data_full (G_OBJECT (msg), "vetter-file", g_steal_pointer (&file), g_free);
      g_ptr_array_add (f->held_photos, g_object_ref (msg));
      return;
    }
  if (file == NULL || !g_file_get_contents (file, &data, &len, NULL))
    {
      soup_server_message_set_status (msg, 404, NULL);
      return;
    }
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "image/jpeg", SOUP_MEMORY_TAKE, data, len);
}

/* ---- Desktops ------------------------------------------------------------- */

VetterServices *
services_for (Fixture    *f,
              const char *user,
              const char *password,
              gboolean    through_proxy)
{
  VetterServices *s = g_new0 (VetterServices, 1);

  s->couch_url = through_proxy ? g_strdup_printf ("http://127.0.0.1:%d/couch", f->web_port)
                               : g_strdup_printf ("http://127.0.0.1:%d", f->couch_port);
  s->couch_db = g_strdup ("vetter");
  s->couch_user = g_strdup (user);
  s->couch_password = g_strdup (password);
  vetter_services_complete (s);
  return s;
}

gboolean
couch_ready (gpointer data)
{
  return vetter_couch_setup_get_ready (vetter_sync_get_couch_setup (data));
}

/* The bucket of the team's results, on s3rver. */
void
fixture_add_bucket (Fixture        *f,
                    VetterServices *services)
{
  g_assert_cmpint (f->s3_port, >, 0);
  services->s3_endpoint = g_strdup_printf ("http://127.0.0.1:%d", f->s3_port);
  services->s3_region = g_strdup ("us-east-1");
  services->s3_bucket = g_strdup ("vetter");
  services->s3_access_key = g_strdup ("S3RVER");
  services->s3_secret_key = g_strdup ("S3RVER");
  vetter_services_complete (services);
}

static Desktop *
new_desktop (Fixture    *f,
             const char *name,
             const char *user,
             const char *password,
             gboolean    through_proxy,
             gboolean    pull,
             gboolean    sharing)
{
  Desktop *desktop = g_new0 (Desktop, 1);
  g_autofree char *db = g_strdup_printf ("%s/%s.db", f->dir, name);
  g_autoptr(VetterConfig) config = vetter_config_new ();
  g_autoptr(VetterServices) services = services_for (f, user, password, through_proxy);

  if (sharing)
    {
      fixture_add_bucket (f, services);
      config->sync_uploads = TRUE;
    }
  config->sync_couch = TRUE;
  config->workers = 2;
  desktop->engine = test_open_engine (db, config);
  desktop->user = g_strdup (user);
  desktop->sync = vetter_sync_new (desktop->engine, services);
  vetter_sync_set_base_delay (desktop->sync, 50);
  if (pull)
    vetter_couch_feed_start_pull (vetter_sync_get_couch_feed (desktop->sync), 100);
  if (!through_proxy)
    test_wait_until (couch_ready, desktop->sync);
  return desktop;
}

Desktop *
desktop_new (Fixture    *f,
             const char *name,
             const char *user,
             const char *password,
             gboolean    through_proxy,
             gboolean    pull)
{
  return new_desktop (f, name, user, password, through_proxy, pull, FALSE);
}

Desktop *
desktop_new_sharing (Fixture    *f,
                     const char *name,
                     const char *user,
                     const char *password)
{
  return new_desktop (f, name, user, password, FALSE, TRUE, TRUE);
}

void
desktop_free (Desktop *desktop)
{
  vetter_sync_stop (desktop->sync);
  g_clear_object (&desktop->sync);
  vetter_engine_close (desktop->engine);
  g_clear_object (&desktop->engine);
  g_free (desktop->user);
  g_free (desktop);
}

/* Runs @func on the desktop's store thread and waits for its result. */
gpointer
in_store (Desktop  *desktop,
          gpointer (*func) (VetterStore *, gpointer, GError **),
          gpointer  data)
{
  return test_run_in_store (desktop->engine, func, data);
}

/* The review scope a test names as the review page's filter would. */
static VetterReviewScope
scope_named (const char *status)
{
  if (g_strcmp0 (status, "approved") == 0)
    return VETTER_REVIEW_APPROVED;
  if (g_strcmp0 (status, "rejected") == 0)
    return VETTER_REVIEW_REJECTED;
  if (g_strcmp0 (status, "any") == 0)
    return VETTER_REVIEW_DECIDED;
  if (g_strcmp0 (status, "conflict") == 0)
    return VETTER_REVIEW_CONFLICT;
  return VETTER_REVIEW_NEEDS_REVIEW;
}

static gpointer
store_queue (VetterStore  *store,
             gpointer      data,
             GError      **error)
{
  g_autoptr(VetterReviewFilter) filter = vetter_review_filter_new ();

  filter->scope = scope_named (data);
  return vetter_store_review_queue (store, filter, error);
}

guint
queue_length (Desktop    *desktop,
              const char *status)
{
  g_autoptr(GArray) ids = in_store (desktop, store_queue, (gpointer) status);

  return ids->len;
}

typedef struct
{
  const char *uid;
  gint64      id;
} UidLookup;

gpointer
store_detail_by_uid (VetterStore  *store,
                     gpointer      data,
                     GError      **error)
{
  g_autoptr(VetterReviewFilter) filter = vetter_review_filter_new ();
  g_autoptr(GArray) ids = NULL;

  filter->scope = VETTER_REVIEW_DECIDED;
  ids = vetter_store_review_queue (store, filter, error);
  for (guint i = 0; ids && i < ids->len; i++)
    {
      g_autoptr(VetterItemDetail) item = vetter_store_item_detail (store, g_array_index (ids, gint64, i), error);

      if (item && g_strcmp0 (item->uid, data) == 0)
        return g_steal_pointer (&item);
    }
  return vetter_item_detail_new ();
}

gpointer
store_error_by_uid (VetterStore  *store,
                    gpointer      data,
                    GError      **error)
{
  /* Ben's desktop has only pulled batches, the first few ids. */
  for (gint64 batch = 1; batch <= 3; batch++)
    {
      g_autoptr(GPtrArray) rows = vetter_store_list_items (store, batch, 0, 100, error);

      for (guint i = 0; rows && i < rows->len; i++)
        {
          VetterItemRow *row = rows->pdata[i];
          g_autoptr(VetterItemDetail) item = vetter_store_item_detail (store, row->id, error);

          if (item && g_strcmp0 (item->uid, data) == 0)
            return g_strdup_printf ("%s: %s", vetter_status_to_string (row->status), row->error);
        }
    }
  return g_strdup ("no such ad");
}

/* The item that is ad @uid on this desktop, in full (empty if none). */
VetterItemDetail *
detail (Desktop    *desktop,
        const char *uid)
{
  return in_store (desktop, store_detail_by_uid, (gpointer) uid);
}

typedef struct
{
  const char *uid;
  const char *status;
  const char *reason;
  const char *note;
  const char *actor;
} DecideArgs;

static gpointer
store_decide (VetterStore  *store,
              gpointer      data,
              GError      **error)
{
  DecideArgs *args = data;
  g_autoptr(VetterItemDetail) item = store_detail_by_uid (store, (gpointer) args->uid, error);
  g_autoptr(VetterItemDecision) decision = vetter_item_decision_new_manual (vetter_status_from_string (args->status),
                                                                            args->reason, args->note, args->actor);
  g_autoptr(VetterItemDecision) previous = NULL;
  g_autoptr(VetterConfig) config = vetter_config_new ();

  config->sync_couch = TRUE;
  if (!vetter_store_decide (store, item->id, decision, "decide", args->actor, config,
                            &previous, NULL, error))
    return NULL;
  return GINT_TO_POINTER (1);
}

void
decide (Desktop    *desktop,
        const char *uid,
        const char *status,
        const char *reason)
{
  decide_with_note (desktop, uid, status, reason, NULL);
}

void
decide_with_note (Desktop    *desktop,
                  const char *uid,
                  const char *status,
                  const char *reason,
                  const char *note)
{
  DecideArgs args = { uid, status, reason, note, desktop->user };

  in_store (desktop, store_decide, &args);
}

typedef struct
{
  const char *uid;
  gboolean    keep_theirs;
  const char *actor;
} ResolveArgs;

static gpointer
store_resolve (VetterStore  *store,
               gpointer      data,
               GError      **error)
{
  ResolveArgs *args = data;
  g_autoptr(VetterItemDetail) item = store_detail_by_uid (store, (gpointer) args->uid, error);
  g_autoptr(VetterConfig) config = vetter_config_new ();

  config->sync_couch = TRUE;
  if (!vetter_store_resolve_conflict (store, item->id, args->keep_theirs, args->actor,
                                      config, error))
    return NULL;
  return GINT_TO_POINTER (1);
}

/* The moderator keeps theirs, or hers. */
void
resolve (Desktop    *desktop,
         const char *uid,
         gboolean    keep_theirs)
{
  ResolveArgs args = { uid, keep_theirs, desktop->user };

  in_store (desktop, store_resolve, &args);
}

typedef struct
{
  gboolean           done;
  VetterOutboxCounts left;
} Drain;

static void
on_drained (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Drain *drain = user_data;

  g_assert_true (vetter_sync_drain_finish (VETTER_SYNC (source), result, &drain->left, NULL));
  drain->done = TRUE;
}

/* Waits until the desktop's outbox has sent all it can. */
VetterOutboxCounts
drain (Desktop *desktop)
{
  Drain wait = { 0 };

  vetter_sync_drain_async (desktop->sync, 60, NULL, on_drained, &wait);
  test_wait_until (test_flag_set, &wait.done);
  return wait.left;
}

static void
on_batch_added (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_assert_cmpint (vetter_engine_add_batch_finish (VETTER_ENGINE (source), result, NULL, NULL, NULL), >, 0);
}

gboolean
queue_has (gpointer data)
{
  QueueWait *wait = data;

  return queue_length (wait->desktop, wait->status) >= wait->n;
}

/* @n ads, each naming one photograph by URL, processed on @desktop. */
void
add_ads (Fixture *f,
         Desktop *desktop,
         guint    n)
{
  g_autoptr(GString) csv = g_string_new ("email,image,title\n");
  g_autofree char *path = g_build_filename (f->dir, "ads.csv", NULL);
  g_autoptr(GError) error = NULL;
  VetterIntakeBatch *batch;
  QueueWait wait = { desktop, n, "needs_review" };

  for (guint i = 0; i < n; i++)
    g_string_append_printf (csv, "seller%u@example.com,http://127.0.0.1:%d/photos/%s,Ad %u\n", i + 1, f->web_port,
                            photos[i % G_N_ELEMENTS (photos)], i + 1);
  g_assert_true (g_file_set_contents (path, csv->str, -1, NULL));
  batch = vetter_intake_read_csv (path, &error);
  g_assert_no_error (error);
  vetter_engine_add_batch_async (desktop->engine, batch, f->dir, NULL, NULL, on_batch_added, NULL);
  test_wait_until (queue_has, &wait);
}

/* The ids of the ads in the database, in order. */
GPtrArray *
ads_in_database (Fixture *f)
{
  g_autoptr(JsonObject) all = as_admin (f, "GET", "vetter/_all_docs?startkey=%22ad:%22&endkey=%22ad;%22", NULL, 200);
  JsonArray *rows = json_object_get_array_member (all, "rows");
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);

      g_ptr_array_add (ids, g_strdup (json_object_get_string_member (row, "id") + 3));
    }
  return ids;
}

JsonObject *
database_doc (Fixture    *f,
              const char *id)
{
  g_autofree char *path = g_strdup_printf ("vetter/%s", id);
  guint status;
  JsonObject *doc = couch_request (f, "GET", path, "admin", ADMIN_PASSWORD, NULL, &status);

  if (status != 200)
    g_clear_pointer (&doc, json_object_unref);
  return doc;
}

typedef struct
{
  gboolean          done;
  VetterClaimResult result;
  char             *holder;
} ClaimWait;

static void
on_claimed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  ClaimWait *wait = user_data;

  wait->result = vetter_couch_claims_claim_finish (VETTER_COUCH_CLAIMS (source), result, &wait->holder);
  wait->done = TRUE;
}

VetterClaimResult
claim (Desktop    *desktop,
       const char *uid,
       char      **holder)
{
  ClaimWait wait = { 0 };

  vetter_couch_claims_claim_async (vetter_sync_get_couch_claims (desktop->sync), uid, desktop->user, NULL, on_claimed,
                                   &wait);
  test_wait_until (test_flag_set, &wait.done);
  if (holder)
    *holder = wait.holder;
  else
    g_free (wait.holder);
  return wait.result;
}

/* ---- Fixture -------------------------------------------------------------- */

void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = NULL;
  GSList *uris;
  guint status;

  f->dir = test_tmpdir ();
  f->held = g_ptr_array_new ();
  f->held_photos = g_ptr_array_new ();
  f->session = soup_session_new ();
  /* The proxy's own: the tests' blocking requests on f->session would
   * otherwise wait for connections held by requests it forwards. */
  f->proxy_session = soup_session_new_with_options ("max-conns-per-host", 32, "max-conns", 64, NULL);
  f->couch_port = test_free_port ();
  f->couch = test_start_pouchdb (f->dir, f->couch_port);
  /* Out of admin party: an admin, two moderators and a viewer. */
  answer = couch_request (f, "PUT", "_config/admins/admin", NULL, NULL, "\"" ADMIN_PASSWORD "\"", &status);
  g_assert_cmpuint (status, ==, 200);
  add_user (f, "ana", ANA_PASSWORD, VETTER_COUCH_ROLE);
  add_user (f, "ben", BEN_PASSWORD, VETTER_COUCH_ROLE);
  add_user (f, "vic", VIC_PASSWORD, "viewer");

  f->web = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->web, NULL, handle, f, NULL);
  g_assert_true (soup_server_listen_local (f->web, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  uris = soup_server_get_uris (f->web);
  f->web_port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_cmpuint (f->held->len, ==, 0);
  g_assert_cmpuint (f->held_photos->len, ==, 0);
  g_clear_pointer (&f->held, g_ptr_array_unref);
  g_clear_pointer (&f->held_photos, g_ptr_array_unref);
  soup_server_disconnect (f->web);
  g_clear_object (&f->web);
  g_subprocess_force_exit (f->couch);
  g_subprocess_wait (f->couch, NULL, NULL);
  g_clear_object (&f->couch);
  g_clear_object (&f->session);
  g_clear_object (&f->proxy_session);
  test_remove_tree (f->dir);
  g_free (f->dir);
}
