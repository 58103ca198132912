/* vetter-sync-private.h: the outbox's scheduler and its senders
 *
 * The sender is one object over several files: vetter-sync.c takes due
 * rows, hands each to the sender of its kind and records the outcome
 * (done, again later, parked); each vetter-sender-*.c sends one kind and
 * ends the job through the functions below, whatever happened.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vetter-s3.h"
#include "vetter-sync.h"

G_BEGIN_DECLS

struct _VetterSync
{
  GObject            parent_instance;

  VetterEngine      *engine;
  VetterDatabase    *database;
  VetterServices    *services;
  VetterS3          *s3;
  SoupSession       *session;
  VetterCouchClient *couch_client;   /* with a shared database */
  VetterCouchSetup  *couch_setup;
  VetterCouchFeed   *couch_feed;
  VetterCouchClaims *couch_claims;
  GCancellable      *cancellable;
  GArray            *busy;           /* ids of rows in flight */
  gboolean           fetching;       /* due rows are being read */
  gboolean           fetch_again;    /* ... and the outbox changed meanwhile */
  guint              wake_source;    /* when the next row not yet due is */
  gboolean           counting;
  gboolean           count_again;
  guint              base_delay_ms;
  GPtrArray         *drains;         /* GTask* waiting for an empty outbox */
  VetterOutboxCounts counts;         /* as last read, for the window's indicator */
  gboolean           offline;        /* the last attempt reached no server */
};

/* One row being sent. */
typedef struct
{
  VetterSync      *sync;
  VetterOutboxRow *row;
  JsonObject      *payload;
  JsonObject      *doc;          /* a database document as sent */
  guint            sends;        /* of it, within this attempt */
  char            *local_path;   /* an upload's file … */
  char            *remote_url;   /* … and where it can be fetched once sent */
} VetterSyncJob;

typedef void (*VetterSender) (VetterSyncJob *job);

/* vetter-sender-*.c: one per kind of row. */
void vetter_sender_upload             (VetterSyncJob *job);
void vetter_sender_mail               (VetterSyncJob *job);
void vetter_sender_webhook            (VetterSyncJob *job);
void vetter_sender_couch              (VetterSyncJob *job);
void vetter_sender_remove             (VetterSyncJob *job);

/* vetter-sync.c: how a job ends. Each frees the job. */
void vetter_sync_job_finish           (VetterSyncJob      *job,
                                       VetterOutboxResult  outcome,
                                       gint64              retry_after_us,
                                       const char         *text);
/* The sender is stopping: the row stays pending for the next one. */
void vetter_sync_job_abandon          (VetterSyncJob      *job);
/* No server answered: again later, unless it was cancelled. */
void vetter_sync_job_fail_transport   (VetterSyncJob      *job,
                                       GError             *error);
/* The server said no: again later if it may say yes then, else parked. */
void vetter_sync_job_fail_status      (VetterSyncJob      *job,
                                       guint               status,
                                       const char         *text,
                                       gint64              retry_after_us);
/* Sends @message (taken) and finishes the job by its answer: done on 2xx. */
void vetter_sync_job_send             (VetterSyncJob      *job,
                                       SoupMessage        *message);

G_END_DECLS
