/* test-couch.c: desktops sharing one CouchDB, against pouchdb-server
 *
 * The database, the desktops around it and the proxy that makes faults
 * are in couch-fixture.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "couch-fixture.h"
#include "vetter-couch-client.h"
#include "vetter-couch-staff.h"
#include "vetter-engine.h"
#include "vetter-error.h"
#include "vetter-sync.h"
#include "vetter-test-util.h"

/* ---- Tests ---------------------------------------------------------------- */

static gboolean
has_problem (gpointer data)
{
  const char *problem = vetter_sync_get_couch_problem (data);

  return problem && strstr (problem, "an administrator must connect") != NULL;
}

/* A moderator's desktop cannot create the database and says who can; an
 * admin's creates it with its security and validation, which then refuse
 * a malformed decision and a writer without the moderator role; a
 * decision or claim in another's name, the team's settings changed by a
 * moderator, a moderator's deletion and a deactivated user. */
static void
test_provision_and_validate (Fixture       *f,
                             gconstpointer  data)
{
  Desktop *ben = desktop_new (f, "ben", "ben", BEN_PASSWORD, TRUE, FALSE);
  Desktop *admin = NULL;
  g_autoptr(JsonObject) design = NULL;
  g_autoptr(JsonObject) security = NULL;
  g_autoptr(JsonObject) refused = NULL;
  g_autoptr(JsonObject) answer = NULL;
  JsonArray *roles;
  guint status;

  test_wait_until (has_problem, ben->sync);
  g_assert_false (couch_ready (ben->sync));

  admin = desktop_new (f, "admin", "admin", ADMIN_PASSWORD, FALSE, FALSE);
  design = as_admin (f, "GET", "vetter/_design/vetter", NULL, 200);
  g_assert_nonnull (strstr (json_object_get_string_member (design, "validate_doc_update"), "forbidden"));
  security = as_admin (f, "GET", "vetter/_security", NULL, 200);
  roles = json_object_get_array_member (json_object_get_object_member (security, "members"), "roles");
  g_assert_cmpstr (json_array_get_string_element (roles, 0), ==, VETTER_COUCH_ROLE);
  /* Ben's desktop finds it on its next look. */
  test_wait_until (couch_ready, ben->sync);
  /* Each desktop knows its person's role from the database's session. */
  g_assert_cmpint (vetter_couch_setup_get_role (vetter_sync_get_couch_setup (ben->sync)), ==, VETTER_ROLE_MODERATOR);
  g_assert_cmpint (vetter_couch_setup_get_role (vetter_sync_get_couch_setup (admin->sync)), ==, VETTER_ROLE_ADMIN);
  {
    Desktop *vic = desktop_new (f, "vic", "vic", VIC_PASSWORD, FALSE, FALSE);

    test_wait_until (couch_ready, vic->sync);
    g_assert_cmpint (vetter_couch_setup_get_role (vetter_sync_get_couch_setup (vic->sync)), ==, VETTER_ROLE_VIEWER);
    desktop_free (vic);
  }

  refused = couch_request (f, "PUT", "vetter/decision:abc", "ben", BEN_PASSWORD,
                           "{\"type\":\"decision\",\"ad\":\"abc\",\"status\":\"maybe\",\"decided_by\":\"ben\","
                           "\"decided_at\":1,\"auto\":false}", &status);
  g_assert_cmpuint (status, ==, 403);
  g_assert_nonnull (strstr (json_object_get_string_member (refused, "reason"), "status must be"));
  g_clear_pointer (&refused, json_object_unref);
  refused = couch_request (f, "PUT", "vetter/decision:abc", "ben", BEN_PASSWORD,
                           "{\"type\":\"decision\",\"ad\":\"abc\",\"status\":\"rejected\",\"decided_by\":\"ben\","
                           "\"decided_at\":1,\"auto\":false}", &status);
  g_assert_cmpuint (status, ==, 403);
  g_assert_nonnull (strstr (json_object_get_string_member (refused, "reason"), "reason_code"));
  g_clear_pointer (&refused, json_object_unref);
  refused = couch_request (f, "PUT", "vetter/decision:abc", "vic", VIC_PASSWORD,
                           "{\"type\":\"decision\",\"ad\":\"abc\",\"status\":\"approved\",\"decided_by\":\"vic\","
                           "\"decided_at\":1,\"auto\":false}", &status);
  g_assert_true (status == 401 || status == 403);
  g_assert_nonnull (strstr (json_object_get_string_member (refused, "reason"), "vic may only read"));
  answer = couch_request (f, "PUT", "vetter/decision:abc", "ben", BEN_PASSWORD,
                          "{\"type\":\"decision\",\"ad\":\"abc\",\"status\":\"approved\",\"decided_by\":\"ben\","
                          "\"decided_at\":1,\"auto\":false}", &status);
  g_assert_cmpuint (status, ==, 201);

  /* Whatever a desktop sends, the server holds each role to its own:
   * a decision or a claim in someone else's name, ... */
  g_clear_pointer (&refused, json_object_unref);
  refused = couch_request (f, "PUT", "vetter/decision:def", "ben", BEN_PASSWORD,
                           "{\"type\":\"decision\",\"ad\":\"def\",\"status\":\"approved\",\"decided_by\":\"ana\","
                           "\"decided_at\":1,\"auto\":false}", &status);
  g_assert_true (status == 401 || status == 403);
  g_assert_nonnull (strstr (json_object_get_string_member (refused, "reason"),
                            "ben may not write a decision by ana"));
  g_clear_pointer (&refused, json_object_unref);
  refused = couch_request (f, "PUT", "vetter/claim:def", "ben", BEN_PASSWORD,
                           "{\"type\":\"claim\",\"holder\":\"desk\",\"moderator\":\"ana\",\"expires\":1}",
                           &status);
  g_assert_true (status == 401 || status == 403);
  g_assert_nonnull (strstr (json_object_get_string_member (refused, "reason"), "ben may not claim for ana"));
  /* ... the team's settings changed by anyone but an admin, ... */
  g_clear_pointer (&refused, json_object_unref);
  refused = couch_request (f, "PUT", "vetter/config:rules", "ben", BEN_PASSWORD, "{\"type\":\"config\"}", &status);
  g_assert_true (status == 401 || status == 403);
  g_assert_nonnull (strstr (json_object_get_string_member (refused, "reason"), "only an admin may change"));
  g_clear_pointer (&answer, json_object_unref);
  answer = as_admin (f, "PUT", "vetter/config:rules", "{\"type\":\"config\"}", 201);
  /* ... a deletion by a moderator, ... */
  g_clear_pointer (&refused, json_object_unref);
  {
    g_autoptr(JsonObject) doc = database_doc (f, "decision:abc");
    g_autofree char *path = g_strdup_printf ("vetter/decision:abc?rev=%s", json_object_get_string_member (doc, "_rev"));

    refused = couch_request (f, "DELETE", path, "ben", BEN_PASSWORD, NULL, &status);
  }
  g_assert_true (status == 401 || status == 403);
  g_assert_nonnull (strstr (json_object_get_string_member (refused, "reason"), "only an admin may delete"));
  /* ... and anything by a user whose Vetter role was taken away. */
  g_clear_pointer (&answer, json_object_unref);
  answer = as_admin (f, "PUT", "_users/org.couchdb.user:dee",
                     "{\"name\":\"dee\",\"password\":\"dee-secret-3c1a\",\"roles\":[],\"type\":\"user\"}", 201);
  g_clear_pointer (&refused, json_object_unref);
  refused = couch_request (f, "PUT", "vetter/decision:ghi", "dee", "dee-secret-3c1a",
                           "{\"type\":\"decision\",\"ad\":\"ghi\",\"status\":\"approved\",\"decided_by\":\"dee\","
                           "\"decided_at\":1,\"auto\":false}", &status);
  g_assert_true (status == 401 || status == 403);

  desktop_free (ben);
  desktop_free (admin);
}

typedef struct
{
  Desktop    *desktop;
  const char *uid;
  const char *status;
} StatusWait;

static gboolean
item_has_status (gpointer data)
{
  StatusWait *wait = data;
  g_autoptr(VetterItemDetail) item = detail (wait->desktop, wait->uid);

  return item->id != 0 && g_strcmp0 (vetter_status_to_string (item->status), wait->status) == 0;
}

static void
on_item_changed (VetterEngine *engine,
                 gint64        item_id,
                 gint64        batch_id,
                 VetterStatus  status,
                 GPtrArray    *reports)
{
  g_ptr_array_add (reports, g_strdup_printf ("%" G_GINT64_FORMAT " %s", item_id, vetter_status_to_string (status)));
}

typedef struct
{
  GPtrArray  *reports;
  const char *report;
} ReportWait;

static gboolean
has_report (gpointer data)
{
  ReportWait *wait = data;

  return g_ptr_array_find_with_equal_func (wait->reports, wait->report, g_str_equal, NULL);
}

static gboolean
claims_pulled (gpointer data)
{
  return queue_length (data, "needs_review") == 3;
}

/* Ads one desktop adds reach the other's queue; a claim keeps the other
 * from reviewing the same ad; decisions are seen on both; a decision
 * made against a revision it did not know is a conflict the moderator
 * settles, never an overwrite. */
static void
test_two_desktops (Fixture       *f,
                   gconstpointer  data)
{
  Desktop *admin = desktop_new (f, "admin", "admin", ADMIN_PASSWORD, FALSE, FALSE);
  Desktop *ana = desktop_new (f, "ana", "ana", ANA_PASSWORD, FALSE, TRUE);
  Desktop *ben = NULL;
  g_autoptr(GPtrArray) ads = NULL;
  g_autoptr(JsonObject) doc = NULL;
  g_autoptr(VetterItemDetail) item = NULL;
  g_autofree char *holder = NULL;
  g_autoptr(GPtrArray) announced = g_ptr_array_new_with_free_func (g_free);
  QueueWait pulled;
  StatusWait seen;
  VetterOutboxCounts left;

  /* Ana adds four ads; their documents reach the database once each. */
  add_ads (f, ana, 4);
  left = drain (ana);
  g_assert_cmpint (left.pending, ==, 0);
  g_assert_cmpint (left.parked, ==, 0);
  ads = ads_in_database (f);
  g_assert_cmpuint (ads->len, ==, 4);

  /* Another program wrote an ad whose image has no URL. */
  g_clear_pointer (&doc, json_object_unref);
  doc = as_admin (f, "PUT", "vetter/ad:broken", "{\"type\":\"ad\",\"email\":\"x@example.com\",\"images\":[null]}",
                  201);

  /* Ben's desktop, started later, pulls them and processes them itself,
   * downloading the images from the URLs the ads name; the broken ad
   * fails alone, saying why. */
  ben = desktop_new (f, "ben", "ben", BEN_PASSWORD, FALSE, TRUE);
  pulled = (QueueWait) { ben, 4, "needs_review" };
  test_wait_until (queue_has, &pulled);
  {
    g_autofree char *error = in_store (ben, store_error_by_uid, (gpointer) "broken");

    g_assert_nonnull (strstr (error, "image 1 of this ad names no URL"));
  }
  item = detail (ben, ads->pdata[0]);
  g_assert_cmpstr (item->email, !=, NULL);
  g_assert_cmpuint (item->images->len, ==, 1);
  g_clear_pointer (&item, vetter_item_detail_unref);

  /* Ana claims the first ad: Ben cannot, is told who has it, and his
   * queue leaves it out. */
  g_assert_cmpint (claim (ana, ads->pdata[0], NULL), ==, VETTER_CLAIM_TAKEN);
  g_assert_cmpint (claim (ben, ads->pdata[0], &holder), ==, VETTER_CLAIM_HELD);
  g_assert_cmpstr (holder, ==, "ana");
  g_assert_cmpuint (queue_length (ben, "needs_review"), ==, 3);
  /* Ana claiming it again renews her own claim. */
  g_assert_cmpint (claim (ana, ads->pdata[0], NULL), ==, VETTER_CLAIM_TAKEN);

  /* Ana approves it: Ben sees her decision, under her name, and his
   * engine says so (the window's counts follow its reports). */
  g_signal_connect (ben->engine, "item-changed", G_CALLBACK (on_item_changed), announced);
  decide (ana, ads->pdata[0], "approved", NULL);
  drain (ana);
  vetter_couch_claims_release (vetter_sync_get_couch_claims (ana->sync), ads->pdata[0]);
  seen = (StatusWait) { ben, ads->pdata[0], "approved" };
  test_wait_until (item_has_status, &seen);
  item = detail (ben, ads->pdata[0]);
  g_assert_cmpstr (item->decision->decided_by, ==, "ana");
  {
    g_autofree char *report = g_strdup_printf ("%" G_GINT64_FORMAT " approved", item->id);

    test_wait_until (has_report, &(ReportWait) { announced, report });
  }
  g_signal_handlers_disconnect_by_func (ben->engine, on_item_changed, announced);
  g_clear_pointer (&item, vetter_item_detail_unref);

  /* A released claim frees the ad for Ben's claim. */
  test_wait_until (claims_pulled, ben);

  /* Both decide the second ad while neither knows of the other's: Ben's
   * arrives first and stands; Ana's is a conflict on her desktop. (Ana
   * stops following the feed meanwhile, so that she decides without
   * knowing his, however fast his goes out.) */
  vetter_couch_feed_stop (vetter_sync_get_couch_feed (ana->sync));
  decide (ben, ads->pdata[1], "rejected", "duplicate");
  drain (ben);
  decide (ana, ads->pdata[1], "approved", NULL);
  drain (ana);
  vetter_couch_feed_start_pull (vetter_sync_get_couch_feed (ana->sync), 100);
  g_clear_pointer (&doc, json_object_unref);
  {
    g_autofree char *id = g_strconcat ("decision:", (char *) ads->pdata[1], NULL);

    doc = database_doc (f, id);
  }
  g_assert_cmpstr (json_object_get_string_member (doc, "status"), ==, "rejected");
  g_assert_cmpstr (json_object_get_string_member (doc, "decided_by"), ==, "ben");
  item = detail (ana, ads->pdata[1]);
  g_assert_nonnull (item->conflict);
  g_assert_cmpstr (vetter_status_to_string (item->conflict->status), ==, "rejected");
  g_clear_pointer (&item, vetter_item_detail_unref);
  /* Ben's decision reaching Ana through the changes feed too (it polls
   * every 100 ms) does not settle it for her. */
  test_spin (600);
  g_assert_cmpuint (queue_length (ana, "conflict"), ==, 1);
  item = detail (ana, ads->pdata[1]);
  g_assert_cmpstr (vetter_status_to_string (item->status), ==, "approved");
  g_clear_pointer (&item, vetter_item_detail_unref);

  /* Ana keeps hers: it is written over Ben's, now that it is known, and
   * Ben sees it. */
  resolve (ana, ads->pdata[1], FALSE);
  drain (ana);
  seen = (StatusWait) { ben, ads->pdata[1], "approved" };
  test_wait_until (item_has_status, &seen);
  g_assert_cmpuint (queue_length (ana, "conflict"), ==, 0);

  /* The third the other way: Ana approves, Ben's rejection was first;
   * Ana keeps Ben's, and nothing more is written. Ana's desktop stops
   * following the feed first, so that she decides without knowing his. */
  vetter_couch_feed_stop (vetter_sync_get_couch_feed (ana->sync));
  decide (ben, ads->pdata[2], "rejected", "prohibited");
  drain (ben);
  decide (ana, ads->pdata[2], "approved", NULL);
  drain (ana);
  {
    g_autoptr(VetterItemDetail) conflicted = detail (ana, ads->pdata[2]);
    g_autofree char *id = g_strconcat ("decision:", (char *) ads->pdata[2], NULL);
    g_autoptr(JsonObject) stored = NULL;

    g_assert_nonnull (conflicted->conflict);
    resolve (ana, ads->pdata[2], TRUE);
    drain (ana);
    stored = database_doc (f, id);
    g_assert_cmpstr (json_object_get_string_member (stored, "decided_by"), ==, "ben");
    g_assert_true (g_str_has_prefix (json_object_get_string_member (stored, "_rev"), "1-"));
  }
  item = detail (ana, ads->pdata[2]);
  g_assert_cmpstr (vetter_status_to_string (item->status), ==, "rejected");
  g_assert_null (item->conflict);

  desktop_free (ben);
  desktop_free (ana);
  desktop_free (admin);
}

/* The database unreachable for a whole batch, then back: everything
 * arrives, once. A decision's answer lost after the database stored it:
 * the retry finds its own decision there and writes nothing more. */
static void
test_faults (Fixture       *f,
             gconstpointer  data)
{
  Desktop *admin = desktop_new (f, "admin", "admin", ADMIN_PASSWORD, FALSE, FALSE);
  Desktop *ana = NULL;
  g_autoptr(GPtrArray) ads = NULL;
  VetterOutboxCounts left;

  f->proxy_down = TRUE;
  ana = desktop_new (f, "ana", "ana", ANA_PASSWORD, TRUE, FALSE);
  add_ads (f, ana, 3);
  test_spin (500);
  ads = ads_in_database (f);
  g_assert_cmpuint (ads->len, ==, 0);

  f->proxy_down = FALSE;
  test_wait_until (couch_ready, ana->sync);
  left = drain (ana);
  g_assert_cmpint (left.pending, ==, 0);
  g_assert_cmpint (left.parked, ==, 0);
  g_clear_pointer (&ads, g_ptr_array_unref);
  ads = ads_in_database (f);
  g_assert_cmpuint (ads->len, ==, 3);
  for (guint i = 0; i < ads->len; i++)
    {
      g_autofree char *id = g_strconcat ("ad:", (char *) ads->pdata[i], NULL);
      g_autoptr(JsonObject) doc = database_doc (f, id);

      g_assert_true (g_str_has_prefix (json_object_get_string_member (doc, "_rev"), "1-"));
    }

  f->lose_puts = 1;
  decide (ana, ads->pdata[0], "rejected", "contact_details");
  left = drain (ana);
  g_assert_cmpint (left.pending, ==, 0);
  g_assert_cmpint (left.parked, ==, 0);
  g_assert_cmpuint (f->lost, ==, 1);
  {
    g_autofree char *id = g_strconcat ("decision:", (char *) ads->pdata[0], NULL);
    g_autoptr(JsonObject) doc = database_doc (f, id);
    g_autoptr(VetterItemDetail) item = detail (ana, ads->pdata[0]);

    g_assert_cmpstr (json_object_get_string_member (doc, "status"), ==, "rejected");
    g_assert_true (g_str_has_prefix (json_object_get_string_member (doc, "_rev"), "1-"));
    /* Not mistaken for somebody else's decision. */
    g_assert_null (item->conflict);
  }

  desktop_free (ana);
  desktop_free (admin);
}

static void
on_rows_changed (VetterDatabase *database,
                 const char     *table,
                 GArray         *ids,
                 GHashTable     *seen)
{
  g_hash_table_insert (seen, g_strdup (table),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (seen, table)) + ids->len));
}

static gboolean
items_announced (gpointer data)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (data, "item")) >= 2;
}

/* What the feed takes in from other desktops (new ads, their batch) is
 * announced by the database like any other change. */
static void
test_feed_changes_announced (Fixture       *f,
                             gconstpointer  data)
{
  Desktop *admin = desktop_new (f, "admin", "admin", ADMIN_PASSWORD, FALSE, FALSE);
  Desktop *ana = desktop_new (f, "ana", "ana", ANA_PASSWORD, FALSE, FALSE);
  Desktop *ben = desktop_new (f, "ben", "ben", BEN_PASSWORD, FALSE, FALSE);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  add_ads (f, ana, 2);
  g_assert_cmpint (drain (ana).pending, ==, 0);
  g_signal_connect (vetter_engine_get_database (ben->engine), "rows-changed", G_CALLBACK (on_rows_changed), seen);
  vetter_couch_feed_start_pull (vetter_sync_get_couch_feed (ben->sync), 100);
  test_wait_until (items_announced, seen);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (seen, "batch")), >=, 1);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (seen, "sync_state")), >=, 1);
  g_signal_handlers_disconnect_by_func (vetter_engine_get_database (ben->engine), on_rows_changed, seen);

  desktop_free (ben);
  desktop_free (ana);
  desktop_free (admin);
}

static gpointer
store_delete_uid (VetterStore  *store,
                  gpointer      data,
                  GError      **error)
{
  const char * const *args = data;
  g_autoptr(VetterItemDetail) item = store_detail_by_uid (store, (gpointer) args[0], error);
  g_autoptr(GPtrArray) files = NULL;

  g_assert_cmpint (item->id, >, 0);
  files = vetter_store_delete_items (store, &item->id, 1, args[1], error);
  g_assert_nonnull (files);
  vetter_store_remove_files (files);
  return GINT_TO_POINTER (TRUE);
}

typedef struct
{
  Desktop    *desktop;
  const char *uid;
} GoneWait;

static gboolean
ad_gone (gpointer data)
{
  GoneWait *wait = data;
  g_autoptr(VetterItemDetail) item = detail (wait->desktop, wait->uid);

  return item->id == 0;
}

/* An ad an admin deletes leaves the shared database (its ad and decision
 * documents) and, through the feed, the other desktop; a moderator's
 * deletion is refused by the server, its removal parked with the reason.
 * (Two desktops: each processes every ad it pulls, slow under ASan.) */
static void
test_delete_everywhere (Fixture       *f,
                        gconstpointer  data)
{
  Desktop *admin = desktop_new (f, "admin", "admin", ADMIN_PASSWORD, FALSE, TRUE);
  Desktop *ana = desktop_new (f, "ana", "ana", ANA_PASSWORD, FALSE, TRUE);
  g_autoptr(GPtrArray) ads = NULL;
  g_autofree char *decision_id = NULL;
  g_autofree char *uid = NULL;
  g_autofree char *kept = NULL;
  g_autoptr(JsonObject) doc = NULL;
  StatusWait seen;
  VetterOutboxCounts left;

  add_ads (f, ana, 2);
  drain (ana);
  ads = ads_in_database (f);
  g_assert_cmpuint (ads->len, ==, 2);
  uid = g_strdup (ads->pdata[0]);
  kept = g_strdup (ads->pdata[1]);
  decide (ana, uid, "approved", NULL);
  drain (ana);
  seen = (StatusWait) { admin, uid, "approved" };
  test_wait_until (item_has_status, &seen);
  seen = (StatusWait) { admin, kept, "needs_review" };
  test_wait_until (item_has_status, &seen);
  decision_id = g_strconcat ("decision:", uid, NULL);
  doc = database_doc (f, decision_id);
  g_assert_nonnull (doc);
  g_clear_pointer (&doc, json_object_unref);

  /* Ana, a moderator, deletes the second ad on her desktop: the server
   * keeps it, and her outbox parks the removal saying why. */
  in_store (ana, store_delete_uid, (const char *[]) { kept, "ana" });
  left = drain (ana);
  g_assert_cmpint (left.parked, ==, 1);
  g_clear_pointer (&ads, g_ptr_array_unref);
  ads = ads_in_database (f);
  g_assert_cmpuint (ads->len, ==, 2);

  /* The admin deletes the first: gone from the database and from Ana's
   * desktop; the second is still the admin's to review. */
  in_store (admin, store_delete_uid, (const char *[]) { uid, "admin" });
  left = drain (admin);
  g_assert_cmpint (left.parked, ==, 0);
  g_clear_pointer (&ads, g_ptr_array_unref);
  ads = ads_in_database (f);
  g_assert_cmpuint (ads->len, ==, 1);
  doc = database_doc (f, decision_id);
  g_assert_null (doc);
  test_wait_until (ad_gone, &(GoneWait) { ana, uid });
  {
    g_autoptr(VetterItemDetail) still = detail (admin, kept);

    g_assert_cmpint (still->id, >, 0);
  }

  desktop_free (ana);
  desktop_free (admin);
}

static gint64
eleven_minutes_fast (void)
{
  return g_get_real_time () + (gint64) 11 * 60 * G_USEC_PER_SEC;
}

/* A desktop whose clock is eleven minutes fast does not take the claim
 * another moderator took a moment ago (by its own clock that claim had
 * lapsed): claims expire by the server's clock, read from its answers. */
static void
test_claims_by_server_clock (Fixture       *f,
                             gconstpointer  data)
{
  Desktop *admin = desktop_new (f, "admin", "admin", ADMIN_PASSWORD, FALSE, FALSE);
  Desktop *ana = desktop_new (f, "ana", "ana", ANA_PASSWORD, FALSE, FALSE);
  Desktop *ben = desktop_new (f, "ben", "ben", BEN_PASSWORD, FALSE, FALSE);
  g_autoptr(GPtrArray) ads = NULL;
  g_autofree char *holder = NULL;
  g_autoptr(JsonObject) claim_doc = NULL;

  add_ads (f, ana, 1);
  drain (ana);
  ads = ads_in_database (f);
  g_assert_cmpint (claim (ana, ads->pdata[0], NULL), ==, VETTER_CLAIM_TAKEN);
  vetter_couch_claims_set_clock (vetter_sync_get_couch_claims (ben->sync), eleven_minutes_fast);
  g_assert_cmpint (claim (ben, ads->pdata[0], &holder), ==, VETTER_CLAIM_HELD);
  g_assert_cmpstr (holder, ==, "ana");
  /* And a claim it takes expires by the server's clock too. */
  g_assert_cmpint (claim (ben, "another-ad", NULL), ==, VETTER_CLAIM_TAKEN);
  claim_doc = database_doc (f, "claim:another-ad");
  g_assert_cmpint (json_object_get_int_member (claim_doc, "expires"), <,
                   g_get_real_time () + (gint64) (VETTER_COUCH_CLAIM_SECONDS + 5) * G_USEC_PER_SEC);

  desktop_free (ben);
  desktop_free (ana);
  desktop_free (admin);
}

/* ---- The team's accounts -------------------------------------------------- */

typedef struct
{
  gboolean            done;
  GPtrArray          *accounts;
  gboolean            added;
  VetterStaffAccount *before;
  VetterStaffAccount *after;
  GError             *error;
} AccountCall;

static void
account_call_reset (AccountCall *call)
{
  g_clear_pointer (&call->accounts, g_ptr_array_unref);
  g_clear_pointer (&call->before, vetter_staff_account_free);
  g_clear_pointer (&call->after, vetter_staff_account_free);
  g_clear_error (&call->error);
  call->done = FALSE;
  call->added = FALSE;
}

static void
on_accounts (GObject *source, GAsyncResult *result, gpointer data)
{
  AccountCall *call = data;

  call->accounts = vetter_couch_staff_list_finish (VETTER_COUCH_CLIENT (source), result, &call->error);
  call->done = TRUE;
}

static void
on_account_added (GObject *source, GAsyncResult *result, gpointer data)
{
  AccountCall *call = data;

  call->added = vetter_couch_staff_add_finish (VETTER_COUCH_CLIENT (source), result, &call->error);
  call->done = TRUE;
}

static void
on_account_changed (GObject *source, GAsyncResult *result, gpointer data)
{
  AccountCall *call = data;

  call->after = vetter_couch_staff_change_finish (VETTER_COUCH_CLIENT (source), result, &call->before, &call->error);
  call->done = TRUE;
}

static const VetterStaffAccount *
find_account (GPtrArray  *accounts,
              const char *name)
{
  for (guint i = 0; accounts && i < accounts->len; i++)
    if (g_str_equal (((VetterStaffAccount *) accounts->pdata[i])->username, name))
      return accounts->pdata[i];
  return NULL;
}

/* The roles the server gives @user's session (NULL: not signed in). */
static char *
session_roles (Fixture    *f,
               const char *user,
               const char *password)
{
  guint status;
  g_autoptr(JsonObject) session = couch_request (f, "GET", "_session", user, password, NULL, &status);
  JsonArray *roles;
  g_autoptr(GString) text = g_string_new (NULL);

  if (status != 200)
    return NULL;
  roles = json_object_get_array_member (json_object_get_object_member (session, "userCtx"), "roles");
  for (guint i = 0; i < json_array_get_length (roles); i++)
    g_string_append_printf (text, "%s%s", i ? "," : "", json_array_get_string_element (roles, i));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* A team admin (not the server's) manages the accounts once an admin's
 * desktop has provisioned: lists the Vetter users, adds one with a first
 * password that signs in, changes a role, deactivates (the server then
 * refuses all that user writes and reads, and the other application's
 * role they had stays) and reactivates. A moderator may do none of it. */
static void
test_staff_accounts (Fixture       *f,
                     gconstpointer  data)
{
  Desktop *admin = desktop_new (f, "admin", "admin", ADMIN_PASSWORD, FALSE, FALSE);
  g_autoptr(VetterServices) boss_services = services_for (f, "boss", "boss-secret-6a2e", FALSE);
  g_autoptr(VetterServices) ana_services = services_for (f, "ana", ANA_PASSWORD, FALSE);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(VetterCouchClient) boss = vetter_couch_client_new (boss_services, session);
  g_autoptr(VetterCouchClient) ana = vetter_couch_client_new (ana_services, session);
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *password = vetter_couch_staff_new_password ();
  g_autofree char *roles = NULL;
  AccountCall call = { 0 };
  guint status;

  test_wait_until (couch_ready, admin->sync);
  answer = as_admin (f, "PUT", "_users/org.couchdb.user:boss",
                     "{\"name\":\"boss\",\"password\":\"boss-secret-6a2e\",\"roles\":[\"admin\"],\"type\":\"user\"}", 201);
  g_clear_pointer (&answer, json_object_unref);
  answer = as_admin (f, "PUT", "_users/org.couchdb.user:dee",
                     "{\"name\":\"dee\",\"password\":\"dee-secret-3c1a\",\"roles\":[\"wiki-editor\",\"moderator\"],"
                     "\"type\":\"user\"}", 201);

  /* The first password: 20 letters and digits in groups of five. */
  g_assert_cmpuint (strlen (password), ==, 23);
  g_assert_true (password[5] == '-' && password[11] == '-' && password[17] == '-');

  vetter_couch_staff_list_async (boss, NULL, on_accounts, &call);
  test_wait_until (test_flag_set, &call.done);
  g_assert_no_error (call.error);
  g_assert_cmpstr (find_account (call.accounts, "ana")->role, ==, "moderator");
  g_assert_cmpstr (find_account (call.accounts, "vic")->role, ==, "viewer");
  g_assert_cmpstr (find_account (call.accounts, "boss")->role, ==, "admin");
  g_assert_true (find_account (call.accounts, "dee")->active);
  account_call_reset (&call);

  vetter_couch_staff_add_async (boss, "cleo", "moderator", password, NULL, on_account_added, &call);
  test_wait_until (test_flag_set, &call.done);
  g_assert_no_error (call.error);
  roles = session_roles (f, "cleo", password);
  g_assert_cmpstr (roles, ==, "moderator");
  g_clear_pointer (&roles, g_free);
  account_call_reset (&call);
  /* The same name again, and a name CouchDB would not take. */
  vetter_couch_staff_add_async (boss, "cleo", "viewer", password, NULL, on_account_added, &call);
  test_wait_until (test_flag_set, &call.done);
  g_assert_nonnull (strstr (call.error->message, "cleo has an account"));
  account_call_reset (&call);
  vetter_couch_staff_add_async (boss, "_cleo", "viewer", password, NULL, on_account_added, &call);
  test_wait_until (test_flag_set, &call.done);
  g_assert_error (call.error, VETTER_ERROR, VETTER_ERROR_INVALID_INPUT);
  account_call_reset (&call);

  /* A moderator manages no accounts: the server refuses, in words. */
  vetter_couch_staff_add_async (ana, "eve", "admin", password, NULL, on_account_added, &call);
  test_wait_until (test_flag_set, &call.done);
  g_assert_false (call.added);
  g_assert_nonnull (strstr (call.error->message, "does not let ana add accounts"));
  account_call_reset (&call);
  g_assert_null (session_roles (f, "eve", password));

  vetter_couch_staff_change_async (boss, "cleo", "admin", -1, NULL, on_account_changed, &call);
  test_wait_until (test_flag_set, &call.done);
  g_assert_no_error (call.error);
  g_assert_cmpstr (call.before->role, ==, "moderator");
  g_assert_cmpstr (call.after->role, ==, "admin");
  roles = session_roles (f, "cleo", password);
  g_assert_cmpstr (roles, ==, "admin");
  g_clear_pointer (&roles, g_free);
  account_call_reset (&call);

  /* Deactivated: no Vetter role, the other application's kept; the
   * server refuses what they write. */
  vetter_couch_staff_change_async (boss, "dee", NULL, 0, NULL, on_account_changed, &call);
  test_wait_until (test_flag_set, &call.done);
  g_assert_no_error (call.error);
  g_assert_true (call.before->active);
  g_assert_false (call.after->active);
  g_assert_cmpstr (call.after->role, ==, "moderator");
  account_call_reset (&call);
  roles = session_roles (f, "dee", "dee-secret-3c1a");
  g_assert_cmpstr (roles, ==, "wiki-editor");
  g_clear_pointer (&roles, g_free);
  g_clear_pointer (&answer, json_object_unref);
  answer = couch_request (f, "PUT", "vetter/decision:xyz", "dee", "dee-secret-3c1a",
                          "{\"type\":\"decision\",\"ad\":\"xyz\",\"status\":\"approved\",\"decided_by\":\"dee\","
                          "\"decided_at\":1,\"auto\":false}", &status);
  g_assert_true (status == 401 || status == 403);
  vetter_couch_staff_list_async (boss, NULL, on_accounts, &call);
  test_wait_until (test_flag_set, &call.done);
  g_assert_false (find_account (call.accounts, "dee")->active);
  account_call_reset (&call);

  /* Back, with the role they had. */
  vetter_couch_staff_change_async (boss, "dee", NULL, 1, NULL, on_account_changed, &call);
  test_wait_until (test_flag_set, &call.done);
  g_assert_no_error (call.error);
  account_call_reset (&call);
  roles = session_roles (f, "dee", "dee-secret-3c1a");
  g_assert_cmpstr (roles, ==, "wiki-editor,moderator");
  g_clear_pointer (&answer, json_object_unref);
  answer = couch_request (f, "PUT", "vetter/decision:xyz", "dee", "dee-secret-3c1a",
                          "{\"type\":\"decision\",\"ad\":\"xyz\",\"status\":\"approved\",\"decided_by\":\"dee\","
                          "\"decided_at\":1,\"auto\":false}", &status);
  g_assert_cmpuint (status, ==, 201);

  desktop_free (admin);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/couch/provision-and-validate", Fixture, NULL, fixture_set_up, test_provision_and_validate,
              fixture_tear_down);
  g_test_add ("/couch/two-desktops", Fixture, NULL, fixture_set_up, test_two_desktops, fixture_tear_down);
  g_test_add ("/couch/feed-changes-announced", Fixture, NULL, fixture_set_up, test_feed_changes_announced,
              fixture_tear_down);
  g_test_add ("/couch/delete-everywhere", Fixture, NULL, fixture_set_up, test_delete_everywhere, fixture_tear_down);
  g_test_add ("/couch/claims-by-server-clock", Fixture, NULL, fixture_set_up, test_claims_by_server_clock,
              fixture_tear_down);
  g_test_add ("/couch/staff-accounts", Fixture, NULL, fixture_set_up, test_staff_accounts, fixture_tear_down);
  g_test_add ("/couch/faults", Fixture, NULL, fixture_set_up, test_faults, fixture_tear_down);
  return g_test_run ();
}
