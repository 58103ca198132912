/* couch-fixture.h: a shared CouchDB and desktops around it, for the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "vetter-engine.h"
#include "vetter-store.h"
#include "vetter-sync.h"

G_BEGIN_DECLS

#define PHOTOS "/usr/share/backgrounds/mate/nature"
#define ADMIN_PASSWORD "admin-secret-7f3a"
#define ANA_PASSWORD "ana-secret-91c2"
#define BEN_PASSWORD "ben-secret-0d4e"
#define VIC_PASSWORD "vic-secret-5b8f"

typedef struct
{
  char        *dir;
  int          couch_port;
  GSubprocess *couch;
  SoupServer  *web;          /* the photographs, and the proxy */
  int          web_port;
  SoupSession *session;      /* the tests' own requests */
  SoupSession *proxy_session;
  gboolean     proxy_down;   /* the proxy drops every connection */
  guint        lose_puts;    /* answers to decision PUTs still to lose */
  guint        lost;
  gboolean     hold_puts;    /* decision PUTs wait for couch_fixture_release_held */
  GPtrArray   *held;         /* the requests waiting */
  guint        hold_photos;  /* photograph requests still to hold until couch_fixture_release_photos */
  GPtrArray   *held_photos;  /* SoupServerMessage, paused, each with its file as "vetter-file" */
  int          s3_port;      /* s3rver's, when a test started it; 0: none */
  gboolean     conflict_leases; /* the proxy makes every lease a cluster conflict the lease loses */
  guint        conflicts_made;
} Fixture;

typedef struct
{
  VetterEngine *engine;
  VetterSync   *sync;
  char         *user;
} Desktop;

/* pouchdb-server in memory on a loopback port, out of admin party: an
 * admin, moderators ana and ben, and vic, a viewer. Beside it a loopback
 * server gives photographs (/photos/NAME) and a proxy to the database
 * (/couch/...) that can go down, lose answers or hold decisions. */
void           fixture_set_up        (Fixture       *f,
                                      gconstpointer  data);
void           fixture_tear_down     (Fixture       *f,
                                      gconstpointer  data);
/* Whether the proxy holds a decision PUT for ad @uid. */
gboolean       couch_fixture_holds   (Fixture       *f,
                                      const char    *uid);
/* Sends the decision PUTs the proxy held. */
void           couch_fixture_release_held (Fixture *f);
/* Answers the photograph requests held (see hold_photos). */
void           couch_fixture_release_photos (Fixture *f);

JsonObject    *couch_request         (Fixture       *f,
                                      const char    *method,
                                      const char    *path,
                                      const char    *user,
                                      const char    *password,
                                      const char    *body,
                                      guint         *status);
JsonObject    *as_admin              (Fixture       *f,
                                      const char    *method,
                                      const char    *path,
                                      const char    *body,
                                      guint          expect);
/* The ids of the ads in the database, in order. */
GPtrArray     *ads_in_database       (Fixture       *f);
/* A document as it is in the database, or NULL. */
JsonObject    *database_doc          (Fixture       *f,
                                      const char    *id);
VetterServices *services_for         (Fixture       *f,
                                      const char    *user,
                                      const char    *password,
                                      gboolean       through_proxy);
gboolean       couch_ready           (gpointer       sync);

/* A desktop: its own engine, SQLite file and sender, as a Vetter on
 * another machine would have. */
Desktop       *desktop_new           (Fixture       *f,
                                      const char    *name,
                                      const char    *user,
                                      const char    *password,
                                      gboolean       through_proxy,
                                      gboolean       pull);
/* A desktop that shares the team's work: with the bucket (s3rver, which
 * the test started on f->s3_port), pulling. */
Desktop       *desktop_new_sharing   (Fixture       *f,
                                      const char    *name,
                                      const char    *user,
                                      const char    *password);
void           fixture_add_bucket    (Fixture       *f,
                                      VetterServices *services);
void           desktop_free          (Desktop       *desktop);
gpointer       in_store              (Desktop       *desktop,
                                      gpointer     (*func) (VetterStore *, gpointer, GError **),
                                      gpointer       data);
guint          queue_length          (Desktop       *desktop,
                                      const char    *status);
/* The item that is ad @uid on this desktop, in full (empty if none). */
VetterItemDetail *detail             (Desktop       *desktop,
                                      const char    *uid);
/* The item that is ad @uid in @store, in full (empty if none). */
gpointer       store_detail_by_uid   (VetterStore   *store,
                                      gpointer       uid,
                                      GError       **error);
/* "STATUS: ERROR" of ad @uid among the desktop's first batches. */
gpointer       store_error_by_uid    (VetterStore   *store,
                                      gpointer       uid,
                                      GError       **error);
void           decide                (Desktop       *desktop,
                                      const char    *uid,
                                      const char    *status,
                                      const char    *reason);
void           decide_with_note      (Desktop       *desktop,
                                      const char    *uid,
                                      const char    *status,
                                      const char    *reason,
                                      const char    *note);
void           resolve               (Desktop       *desktop,
                                      const char    *uid,
                                      gboolean       keep_theirs);
/* For test_wait_until: @n items of @status in the desktop's queue. */
typedef struct
{
  Desktop    *desktop;
  guint       n;
  const char *status;
} QueueWait;

gboolean       queue_has             (gpointer       queue_wait);
/* Waits until the desktop's outbox has sent all it can. */
VetterOutboxCounts drain             (Desktop       *desktop);
/* Claims ad @uid for the desktop's user and waits for the answer;
 * @holder receives the other moderator's name when HELD. */
VetterClaimResult claim              (Desktop       *desktop,
                                      const char    *uid,
                                      char         **holder);
/* @n ads, each naming one photograph by URL, processed on @desktop. */
void           add_ads               (Fixture       *f,
                                      Desktop       *desktop,
                                      guint          n);

G_END_DECLS
