/* fuzz-couch.c: what the shared database answers, taken in
 *
 * One input is one answer's body, read the ways Vetter reads answers: as
 * a page of the changes feed (ads, decisions, claims and batches of other
 * desktops, taken into a fresh local database), as a _session answer, as
 * a document read back after a conflict, and as an error to describe.
 * Beyond not crashing or breaking a GLib precondition: a page is taken in
 * whole or refused with a message, and the database stays usable.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "fuzz-support.h"
#include "vetter-couch-client.h"
#include "vetter-couch-feed.h"
#include "vetter-couch-setup.h"
#include "vetter-store-private.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_support_init ();
  return 0;
}

static void
remove_database (const char *path)
{
  static const char * const suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *name = g_strconcat (path, suffixes[i], NULL);
      g_unlink (name);
    }
}

/* The changes page into a database of its own, then a conflict with our
 * decision on the same ad as the page's first document. */
static void
take_in (JsonObject *body)
{
  g_autofree char *path = g_build_filename (fuzz_support_scratch_dir (), "vetter.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VetterStore) store = NULL;
  g_autoptr(GArray) batches = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(JsonObject) ours = json_object_new ();
  g_autoptr(JsonObject) payload = json_object_new ();
  g_autofree char *last_seq = NULL;
  g_autofree char *desktop = NULL;
  JsonArray *results = NULL;
  gboolean taken;

  remove_database (path);
  store = vetter_store_open (path, &error);
  g_assert_no_error (error);

  if (vetter_couch_feed_read_page (body, &results, &last_seq))
    {
      taken = vetter_store_couch_take_changes (store, results, last_seq, batches, &error);
      g_assert_true (taken == (error == NULL));
      g_assert_true (error == NULL || fuzz_support_is_text (error->message));
      g_clear_error (&error);
      for (guint i = 0; i < batches->len; i++)
        g_assert_cmpint (g_array_index (batches, gint64, i), >, 0);
    }

  json_object_set_string_member (ours, "_id", "decision:fuzz-ad");
  json_object_set_string_member (ours, "type", "decision");
  json_object_set_string_member (ours, "status", "approved");
  json_object_set_boolean_member (ours, "auto", TRUE);
  json_object_set_string_member (payload, "doc", "decision:fuzz-ad");
  json_object_set_int_member (payload, "item_id", 1);
  vetter_store_couch_refused (store, ours, body, payload, &error);
  g_assert_true (error == NULL || fuzz_support_is_text (error->message));
  g_clear_error (&error);

  /* Still a database that answers. */
  desktop = vetter_store_desktop_id (store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (desktop);
  g_clear_object (&store);
  remove_database (path);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = vetter_couch_parse (bytes, &error);
  VetterCouchAnswer answer = { 0 };
  g_autofree char *described = NULL;
  VetterItemDecision *decision;

  if (body == NULL)
    {
      g_assert_nonnull (error);
      return 0;
    }
  vetter_couch_session_has_role (body, "_admin");
  answer.status = 409;
  answer.body = body;
  described = vetter_couch_answer_describe (&answer);
  g_assert_true (fuzz_support_is_text (described));
  decision = vetter_store_decision_from_doc (body);
  if (decision)
    {
      g_assert_true (vetter_status_is_decidable (decision->status));
      vetter_item_decision_free (decision);
    }
  take_in (body);
  return 0;
}
