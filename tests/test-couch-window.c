/* test-couch-window.c: the window of a desktop sharing one CouchDB
 *
 * The application is ana's desktop, reaching pouchdb-server through the
 * fixture's proxy (couch-fixture.c); ben's desktop is an engine and a
 * sender in this process, talking to the database directly. What a
 * moderator sees: the indicator saying the database is not there yet;
 * ben's ads arriving as a batch in the Queue list and in the review
 * queue; the ad on screen claimed, and released when she moves on; an
 * ad ben holds left to him with a word; a conflict between their
 * decisions shown beside each other and settled with Keep Mine.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "couch-fixture.h"
#include "vetter-application.h"
#include "vetter-batch-object.h"
#include "vetter-conflict-card.h"
#include "vetter-console-page.h"
#include "vetter-context.h"
#include "vetter-item-detail-view.h"
#include "vetter-test-util.h"
#include "vetter-window.h"

static Fixture fixture;
static VetterApplication *app;
static VetterWindow *window;
static Desktop *ben;
static GPtrArray *messages;   /* what the review page said */
static GArray *shared;        /* ana's item ids of ben's ads, in queue order */

static void
on_message (VetterReviewPage *page,
            const char       *message)
{
  g_ptr_array_add (messages, g_strdup (message));
}

static GtkWidget *
window_child (const char *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), VETTER_TYPE_WINDOW, name));
}

static GtkWidget *
page_child (VetterReviewPage *page,
            const char       *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (page), VETTER_TYPE_REVIEW_PAGE, name);
  VetterItemDetailView *detail_view = vetter_review_page_get_detail_view (page);

  /* The item's panels are the detail view's. */
  if (child == NULL)
    child = gtk_widget_get_template_child (GTK_WIDGET (detail_view), VETTER_TYPE_ITEM_DETAIL_VIEW, name);
  return GTK_WIDGET (child);
}

static gpointer
store_uid (VetterStore  *store,
           gpointer      data,
           GError      **error)
{
  g_autoptr(VetterItemDetail) item = vetter_store_item_detail (store, *(gint64 *) data, error);

  return item ? g_strdup (item->uid) : NULL;
}

/* The shared id of ana's item @id. */
static char *
uid_of (gint64 id)
{
  return test_run_in_store (vetter_context_get_engine (vetter_application_get_context (app)), store_uid, &id);
}

static gboolean
says_missing (gpointer data)
{
  const char *tooltip = gtk_widget_get_tooltip_text (window_child ("sync_button"));

  return tooltip && strstr (tooltip, "Shared database:") && strstr (tooltip, "administrator");
}

static gboolean
says_all_sent (gpointer data)
{
  return g_str_has_prefix (gtk_widget_get_tooltip_text (window_child ("sync_button")), "Everything is sent");
}

/* Before an administrator has connected, the indicator says so; once one
 * has, it is quiet. */
static gboolean
moderator_named (gpointer data)
{
  const char *tooltip = gtk_widget_get_tooltip_text (window_child ("person_button"));

  return tooltip && strstr (tooltip, "as ana, a moderator") != NULL;
}

static void
test_indicator (void)
{
  Desktop *admin;

  test_wait_until (says_missing, NULL);
  g_assert_cmpstr (gtk_menu_button_get_icon_name (GTK_MENU_BUTTON (window_child ("sync_button"))), ==,
                   "dialog-warning-symbolic");
  admin = desktop_new (&fixture, "admin", "admin", ADMIN_PASSWORD, FALSE, FALSE);
  desktop_free (admin);
  /* As changing a setting would: the database is looked at again now. */
  vetter_context_reload_services (vetter_application_get_context (app));
  test_wait_until (says_all_sent, NULL);
  /* Without the team's bucket it says it processes the shared ads itself. */
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (window_child ("sync_button")),
                            "this desktop processes the shared ads itself"));
  /* The header names the person as the database knows them, and their role. */
  test_wait_until (moderator_named, NULL);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (window_child ("person_label"))), ==, "ana");
}

static gboolean
shared_batch_listed (gpointer data)
{
  GListModel *batches = vetter_window_get_batches (window);

  return g_list_model_get_n_items (batches) == 1 && vetter_review_page_get_queue_length (data) == 3;
}

static gboolean
database_has_claim (gpointer data)
{
  g_autofree char *id = g_strconcat ("claim:", data, NULL);
  g_autoptr(JsonObject) doc = database_doc (&fixture, id);

  return doc != NULL;
}

static gboolean
claimed_here (gpointer data)
{
  g_autofree char *id = g_strconcat ("claim:", data, NULL);
  g_autoptr(JsonObject) doc = database_doc (&fixture, id);

  /* In the name of the database login, not of the system account. */
  return doc && g_strcmp0 (json_object_get_string_member (doc, "moderator"), "ana") == 0;
}

static gboolean
database_lacks_claim (gpointer data)
{
  return !database_has_claim (data);
}

/* Ben's ads reach ana's window without a reopen, and the one she looks
 * at is hers until she moves on. */
static void
test_shared_ads_and_claims (void)
{
  VetterReviewPage *page = vetter_window_get_review_page (window);
  g_autoptr(VetterBatchObject) batch = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  ben = desktop_new (&fixture, "ben", "ben", BEN_PASSWORD, FALSE, FALSE);
  add_ads (&fixture, ben, 3);
  g_assert_cmpuint (drain (ben).pending, ==, 0);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "review");
  test_wait_until (shared_batch_listed, page);
  batch = g_list_model_get_item (vetter_window_get_batches (window), 0);
  g_assert_cmpstr (vetter_batch_object_get_title (batch), ==, "ads.csv");
  test_wait_until (test_item_shown, page);
  g_assert_cmpuint (vetter_review_page_get_position (page), ==, 0);
  for (guint i = 0; i < 3; i++)
    {
      /* The queue's ids, read through the page as it moves. */
      gint64 id = vetter_review_page_get_current_item (page);

      g_array_append_val (shared, id);
      if (i < 2)
        {
          gtk_widget_activate_action (GTK_WIDGET (page), "review.next", NULL);
          test_wait_until (test_item_shown, page);
        }
    }
  for (guint i = 0; i < 2; i++)
    gtk_widget_activate_action (GTK_WIDGET (page), "review.previous", NULL);
  test_wait_until (test_item_shown, page);
  g_assert_cmpint (vetter_review_page_get_current_item (page), ==, g_array_index (shared, gint64, 0));

  /* On screen: claimed in the database, under this desktop's moderator
   * (passing it on the way may have let go of an earlier claim). */
  first = uid_of (g_array_index (shared, gint64, 0));
  second = uid_of (g_array_index (shared, gint64, 1));
  test_wait_until (claimed_here, first);
  /* The others it passed on the way are let go. */
  test_wait_until (database_lacks_claim, second);
}

typedef struct
{
  const char *uid;
  const char *status;
  const char *by;
} DocWait;

static gboolean
decision_in_database (gpointer data)
{
  DocWait *wait = data;
  g_autofree char *id = g_strconcat ("decision:", wait->uid, NULL);
  g_autoptr(JsonObject) doc = database_doc (&fixture, id);

  return doc && g_strcmp0 (json_object_get_string_member (doc, "status"), wait->status) == 0 &&
         g_strcmp0 (json_object_get_string_member (doc, "decided_by"), wait->by) == 0;
}

static gboolean
left_to_ben (gpointer data)
{
  return vetter_review_page_get_queue_length (data) == 2 && test_item_shown (data);
}

/* Ben has the next ad open: deciding this one moves past it, saying who
 * has it, and lets go of the decided one. */
static void
test_ad_held_elsewhere (void)
{
  VetterReviewPage *page = vetter_window_get_review_page (window);
  g_autofree char *first = uid_of (g_array_index (shared, gint64, 0));
  g_autofree char *second = uid_of (g_array_index (shared, gint64, 1));
  DocWait approved = { first, "approved", "ana" };

  g_assert_cmpint (claim (ben, second, NULL), ==, VETTER_CLAIM_TAKEN);

  g_ptr_array_set_size (messages, 0);
  gtk_widget_activate_action (GTK_WIDGET (page), "review.approve", NULL);
  test_wait_until (left_to_ben, page);
  g_assert_cmpint (vetter_review_page_get_current_item (page), ==, g_array_index (shared, gint64, 2));
  g_assert_cmpuint (messages->len, >=, 1);
  g_assert_cmpstr (messages->pdata[messages->len - 1], ==,
                   "ben is reviewing this ad on another desktop; it is left to them");
  test_wait_until (database_lacks_claim, first);
  test_wait_until (decision_in_database, &approved);
  /* Ben's claim is his still. */
  g_assert_true (database_has_claim (second));
}

static gboolean
held_put (gpointer data)
{
  return couch_fixture_holds (&fixture, data);
}

static gboolean
conflict_shown (gpointer data)
{
  VetterReviewPage *page = data;
  GtkWidget *card = page_child (page, "conflict_card");

  return test_item_shown (page) && gtk_widget_get_visible (card);
}

static gboolean
queue_empty (gpointer data)
{
  return vetter_review_page_get_queue_length (data) == 0 && g_strcmp0 (vetter_review_page_get_state (data), "empty") == 0;
}

static char *
card_text (GtkWidget *card)
{
  GString *text = g_string_new ("");

  for (GtkWidget *child = gtk_widget_get_first_child (card); child; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LABEL (child))
      g_string_append_printf (text, "%s\n", gtk_label_get_label (GTK_LABEL (child)));
  return g_string_free (text, FALSE);
}

/* Ana approves the third ad while ben rejects it: neither overwrites the
 * other. The window shows both; Keep Mine writes hers over his. */
static void
test_conflict_kept_mine (void)
{
  VetterReviewPage *page = vetter_window_get_review_page (window);
  GtkDropDown *status_filter = GTK_DROP_DOWN (page_child (page, "status_filter"));
  GtkWidget *card;
  g_autofree char *third = uid_of (g_array_index (shared, gint64, 2));
  g_autofree char *text = NULL;
  DocWait bens = { third, "rejected", "ben" };
  DocWait anas = { third, "approved", "ana" };

  fixture.hold_puts = TRUE;
  gtk_widget_activate_action (GTK_WIDGET (page), "review.approve", NULL);
  test_wait_until (held_put, third);
  decide (ben, third, "rejected", "duplicate");
  g_assert_cmpuint (drain (ben).pending, ==, 0);
  test_wait_until (decision_in_database, &bens);
  couch_fixture_release_held (&fixture);

  /* The conflict filter finds it, with both decisions and the choice. */
  gtk_drop_down_set_selected (status_filter, 4);
  test_wait_until (conflict_shown, page);
  card = page_child (page, "conflict_card");
  g_assert_cmpint (vetter_review_page_get_current_item (page), ==, g_array_index (shared, gint64, 2));
  text = card_text (card);
  g_assert_nonnull (strstr (text, "Theirs: Rejected by ben: Duplicate"));
  g_assert_nonnull (strstr (text, "Yours: Approved by"));
  /* Nothing else is decided on it until one is kept. */
  gtk_widget_activate_action (GTK_WIDGET (page), "review.approve", NULL);
  g_assert_cmpint (vetter_review_page_get_current_item (page), ==, g_array_index (shared, gint64, 2));
  g_assert_cmpuint (vetter_review_page_get_position (page), ==, 0);
  /* His decision still stands in the database. */
  g_assert_true (decision_in_database (&bens));

  gtk_widget_activate_action (GTK_WIDGET (page), "review.keep-mine", NULL);
  test_wait_until (decision_in_database, &anas);
  g_ptr_array_set_size (messages, 0);
  vetter_review_page_reload (page);
  test_wait_until (queue_empty, page);
}

typedef struct
{
  VetterReviewPage *page;
  gint64            item_id;
} ShownWait;

static gboolean
item_on_screen (gpointer data)
{
  ShownWait *wait = data;

  return vetter_review_page_get_current_item (wait->page) == wait->item_id;
}

typedef struct
{
  VetterReviewPage *page;
  const char       *list;    /* a list of the panel on screen */
  const char       *line;
} TextWait;

static gboolean
list_says (gpointer data)
{
  TextWait *wait = data;
  g_autofree char *text = test_widget_text (page_child (wait->page, wait->list));

  return strstr (text, wait->line) != NULL;
}

/* Another desktop's decision, taken in through the feed, reads in the
 * item's history as any decision does: who, what, why and their words. */
static void
test_history_of_remote_decision (void)
{
  VetterReviewPage *page = vetter_window_get_review_page (window);
  g_autofree char *second = uid_of (g_array_index (shared, gint64, 1));
  ShownWait shown = { page, g_array_index (shared, gint64, 1) };
  TextWait history = { page, "history_list", "ben: Rejected — Duplicate — “seen on Monday”" };

  vetter_couch_claims_release (vetter_sync_get_couch_claims (ben->sync), second);
  decide_with_note (ben, second, "rejected", "duplicate", "seen on Monday");
  g_assert_cmpuint (drain (ben).pending, ==, 0);

  gtk_drop_down_set_selected (GTK_DROP_DOWN (page_child (page, "status_filter")), 2);
  test_wait_until (item_on_screen, &shown);
  test_wait_until (list_says, &history);
}

/* ---- Staff, as the team's admin manages it -------------------------------- */

static gboolean
label_is (gpointer data)
{
  const char **pair = data;

  return g_strcmp0 (gtk_label_get_label (GTK_LABEL (pair[0])), pair[1]) == 0;
}

static gboolean
staff_shown (gpointer data)
{
  VetterTableModel *model = vetter_console_page_get_model (data);

  return model && g_str_equal (vetter_table_model_get_table (model)->name, "staff");
}

typedef struct
{
  VetterConsolePage *page;
  gint64             key;
} KeyWait;

static gboolean
lists_key (gpointer data)
{
  KeyWait *wait = data;
  VetterTableModel *model = vetter_console_page_get_model (wait->page);

  for (guint i = 0; model && vetter_table_model_is_ready (model) && i < g_list_model_get_n_items (G_LIST_MODEL (model)); i++)
    if (vetter_table_model_get_key (model, i) == wait->key)
      return TRUE;
  return FALSE;
}

static gboolean
role_is (gpointer data)
{
  VetterEngine *engine = vetter_context_get_engine (vetter_application_get_context (app));

  return (int) vetter_engine_get_role (engine) == GPOINTER_TO_INT (data);
}

static gboolean
sql_says (gpointer data)
{
  const char **pair = data;

  return test_count_sql (pair[0], pair[1]) > 0;
}

static GtkWidget *
console_child (VetterConsolePage *page,
               const char        *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), VETTER_TYPE_CONSOLE_PAGE, name));
}

static guint
position_of (VetterConsolePage *page,
             gint64             key)
{
  VetterTableModel *model = vetter_console_page_get_model (page);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (model)); i++)
    if (vetter_table_model_get_key (model, i) == key)
      return i;
  g_assert_not_reached ();
}

static void
on_decided (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(VetterItemDecision) before = vetter_engine_decide_finish (VETTER_ENGINE (source), result, NULL);

  *(gboolean *) user_data = TRUE;
}

static gboolean
outbox_pending (gpointer data)
{
  VetterSync *sync = vetter_context_get_sync (vetter_application_get_context (app));

  return sync && vetter_sync_get_counts (sync)->pending > 0;
}

/* The roles the server gives @user's session, comma-separated. */
static char *
session_roles (const char *user,
               const char *password)
{
  guint status;
  g_autoptr(JsonObject) session = couch_request (&fixture, "GET", "_session", user, password, NULL, &status);
  JsonArray *roles = json_object_get_array_member (json_object_get_object_member (session, "userCtx"), "roles");
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (roles); i++)
    g_string_append_printf (text, "%s%s", i ? "," : "", json_array_get_string_element (roles, i));
  return g_string_free (text, FALSE);
}

/* A moderator's console does not manage the team; the team's admin,
 * signed in as themselves, sees the database's accounts on the Staff
 * list, adds a person (the first password shown once, and it signs in),
 * deactivates them (the server then gives them no role), each audited
 * here; signing out leaves a desktop that only shows. */
static void
test_staff_and_sign_out (void)
{
  VetterContext *context = vetter_application_get_context (app);
  VetterConsolePage *page = vetter_window_get_console_page (window);
  g_autofree char *db = g_build_filename (g_getenv ("VETTER_DB"), NULL);
  GtkWidget *result = console_child (page, "result_label");
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *password = NULL;
  g_autofree char *roles = NULL;
  GtkSelectionModel *selection;
  AdwMessageDialog *dialog;
  KeyWait cleo = { page, 0 };

  vetter_console_page_show_table (page, "staff");
  test_wait_until (staff_shown, page);
  vetter_console_page_add_staff (page, "cleo", "moderator");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (result)), ==, "Managing the staff needs the admin role");

  answer = as_admin (&fixture, "PUT", "_users/org.couchdb.user:boss",
                     "{\"name\":\"boss\",\"password\":\"boss-secret-6a2e\",\"roles\":[\"admin\"],\"type\":\"user\"}", 201);
  g_setenv ("VETTER_COUCHDB_USER", "boss", TRUE);
  g_setenv ("VETTER_COUCHDB_PASSWORD", "boss-secret-6a2e", TRUE);
  vetter_context_reload_services (context);
  test_wait_until (role_is, GINT_TO_POINTER (VETTER_ROLE_ADMIN));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (window_child ("person_label"))), ==, "boss");

  /* The accounts the server has, each with its role. */
  test_wait_until (sql_says, (const char *[]) { db, "SELECT count(*) FROM staff WHERE shared AND username = 'vic'"
                                                    " AND role = 'viewer'" });
  g_assert_cmpint (test_count_sql (db, "SELECT count(*) FROM staff WHERE shared AND username = 'ana'"
                                       " AND role = 'moderator'"), ==, 1);

  vetter_console_page_add_staff (page, "cleo", "moderator");
  test_wait_until (label_is, (const char *[]) { (const char *) result, "cleo has an account" });
  dialog = test_find_dialog ();
  password = g_strstrip (test_widget_text (adw_message_dialog_get_extra_child (dialog)));
  g_assert_cmpuint (strlen (password), ==, 23);
  roles = session_roles ("cleo", password);
  g_assert_cmpstr (roles, ==, "moderator");
  g_clear_pointer (&roles, g_free);
  test_answer_dialog ("close");
  g_assert_cmpint (test_count_sql (db, "SELECT count(*) FROM audit_log WHERE object_type = 'staff' AND actor = 'boss'"
                                       " AND action = 'add'"), ==, 1);

  /* Deactivated: the server gives cleo no role any more. */
  test_wait_until (sql_says, (const char *[]) { db, "SELECT count(*) FROM staff WHERE shared AND username = 'cleo'" });
  cleo.key = test_count_sql (db, "SELECT id FROM staff WHERE shared AND username = 'cleo'");
  test_wait_until (lists_key, &cleo);
  selection = gtk_column_view_get_model (GTK_COLUMN_VIEW (console_child (page, "column_view")));
  gtk_selection_model_select_item (selection, position_of (page, cleo.key), TRUE);
  vetter_console_page_change_staff (page, NULL, 0);
  test_wait_until (label_is, (const char *[]) { (const char *) result, "Taken off the staff: they may only look" });
  roles = session_roles ("cleo", password);
  g_assert_cmpstr (roles, ==, "");
  g_assert_cmpint (test_count_sql (db, "SELECT count(*) FROM audit_log WHERE object_type = 'staff' AND actor = 'boss'"
                                       " AND changes = '{\"active\":[\"true\",\"false\"]}'"), ==, 1);

  /* Back, then a viewer: the server's session says so. */
  vetter_console_page_change_staff (page, NULL, 1);
  test_wait_until (label_is, (const char *[]) { (const char *) result, "Back on the staff" });
  vetter_console_page_change_staff (page, "viewer", -1);
  test_wait_until (label_is, (const char *[]) { (const char *) result, "Role changed" });
  g_clear_pointer (&roles, g_free);
  roles = session_roles ("cleo", password);
  g_assert_cmpstr (roles, ==, "viewer");
  g_assert_cmpint (test_count_sql (db, "SELECT count(*) FROM audit_log WHERE object_type = 'staff' AND actor = 'boss'"
                                       " AND changes = '{\"role\":[\"moderator\",\"viewer\"]}'"), ==, 1);
  test_wait_until (sql_says, (const char *[]) { db, "SELECT count(*) FROM staff WHERE shared AND username = 'cleo'"
                                                    " AND role = 'viewer' AND active" });

  /* An admin does not lock themselves out. */
  gtk_selection_model_select_item (selection,
                                   position_of (page, test_count_sql (db, "SELECT id FROM staff WHERE shared"
                                                                          " AND username = 'boss'")), TRUE);
  vetter_console_page_change_staff (page, NULL, 0);
  test_wait_until (label_is, (const char *[]) { (const char *) result,
                                                "Not changed: you cannot take your own admin role away: another admin can" });

  /* A decision not sent yet (the database out of reach) is boss's alone:
   * signing out asks first, and staying keeps everyone as they were. */
  fixture.proxy_down = TRUE;
  {
    VetterEngine *engine = vetter_context_get_engine (context);
    g_autoptr(VetterItemDecision) decision = g_new0 (VetterItemDecision, 1);
    gboolean decided = FALSE;

    decision->status = VETTER_STATUS_APPROVED;
    decision->decided_by = g_strdup ("boss");
    vetter_engine_decide_async (engine, g_array_index (shared, gint64, 2), decision, "decide", "boss", NULL,
                                on_decided, &decided);
    test_wait_until (test_flag_set, &decided);
    test_wait_until (outbox_pending, NULL);
  }
  g_action_group_activate_action (G_ACTION_GROUP (app), "sign-out", NULL);
  dialog = test_find_dialog ();
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "made as boss"));
  test_answer_dialog ("cancel");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (window_child ("person_label"))), ==, "boss");
  fixture.proxy_down = FALSE;

  /* Signed out: the desktop only shows, and says so. */
  g_unsetenv ("VETTER_COUCHDB_USER");
  g_unsetenv ("VETTER_COUCHDB_PASSWORD");
  g_action_group_activate_action (G_ACTION_GROUP (app), "sign-out", NULL);
  if (vetter_sync_get_counts (vetter_context_get_sync (context))->pending > 0)
    test_answer_dialog ("sign-out");
  test_wait_until (role_is, GINT_TO_POINTER (VETTER_ROLE_VIEWER));
  test_wait_until (label_is, (const char *[]) { (const char *) window_child ("person_label"), "Signed Out" });
  g_assert_false (gtk_widget_get_sensitive (console_child (page, "staff_button")));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *db_dir = NULL;
  g_autofree char *url = NULL;
  int status;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  fixture_set_up (&fixture, NULL);
  messages = g_ptr_array_new_with_free_func (g_free);
  shared = g_array_new (FALSE, FALSE, sizeof (gint64));

  url = g_strdup_printf ("http://127.0.0.1:%d/couch", fixture.web_port);
  g_setenv ("VETTER_COUCHDB_URL", url, TRUE);
  g_setenv ("VETTER_COUCHDB_USER", "ana", TRUE);
  g_setenv ("VETTER_COUCHDB_PASSWORD", ANA_PASSWORD, TRUE);
  app = test_start_application (&db_dir);
  window = vetter_window_new (GTK_APPLICATION (app));
  g_signal_connect (vetter_window_get_review_page (window), "message", G_CALLBACK (on_message), NULL);
  gtk_window_present (GTK_WINDOW (window));

  g_test_add_func ("/couch-window/indicator", test_indicator);
  g_test_add_func ("/couch-window/shared-ads-and-claims", test_shared_ads_and_claims);
  g_test_add_func ("/couch-window/ad-held-elsewhere", test_ad_held_elsewhere);
  g_test_add_func ("/couch-window/conflict-kept-mine", test_conflict_kept_mine);
  g_test_add_func ("/couch-window/history-of-remote-decision", test_history_of_remote_decision);
  g_test_add_func ("/couch-window/staff-and-sign-out", test_staff_and_sign_out);

  status = g_test_run ();
  gtk_window_destroy (GTK_WINDOW (window));
  if (ben)
    desktop_free (ben);
  g_clear_object (&app);
  fixture_tear_down (&fixture, NULL);
  test_remove_tree (db_dir);
  g_ptr_array_unref (messages);
  g_array_unref (shared);
  return status;
}
