/* vetter-database.h: the one door to the store, on a thread of its own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "vetter-records.h"

G_BEGIN_DECLS

#define VETTER_TYPE_DATABASE (vetter_database_get_type ())

G_DECLARE_FINAL_TYPE (VetterDatabase, vetter_database, VETTER, DATABASE, GObject)

typedef struct _VetterStore VetterStore;

/* Work for the database thread: returns a result (NULL with @error set). */
typedef gpointer (*VetterDatabaseFunc) (VetterStore  *store,
                                        gpointer      data,
                                        GError      **error);
/* Work for the database thread that returns nothing to anyone. */
typedef void     (*VetterDatabaseCall) (VetterStore  *store,
                                        gpointer      data);

/* The default database file, in the user data directory. Returns: (transfer full). */
char           *vetter_database_default_path (void);

/* Starts the database thread; the store opens with vetter_database_open_async().
 * Signals are emitted on the calling thread's default main context.
 * @path: (nullable): the SQLite file, or NULL for the default. */
VetterDatabase *vetter_database_new          (const char          *path);
const char     *vetter_database_get_path     (VetterDatabase      *self);
/* The store's page cache (see vetter_store_set_cache_size()), applied when
 * it opens; before vetter_database_open_async(). */
void            vetter_database_set_cache_size (VetterDatabase    *self,
                                                int                kib);
/* What `vetter batch` and `vetter worker` keep: they add and update rows
 * and never sweep a million of them at once as the console does, so the
 * operating system's file cache serves them as well (measured: a million
 * rows 5 % slower than with 64 MB), and a long batch stays at the memory
 * it starts with instead of growing by the cache. */
#define VETTER_DATABASE_HEADLESS_CACHE_KIB 4096

void            vetter_database_open_async   (VetterDatabase      *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean        vetter_database_open_finish  (VetterDatabase      *self,
                                              GAsyncResult        *result,
                                              GError             **error);

/* Runs @func on the database thread with @data (freed with @data_free);
 * its result comes back to the caller's thread, to be taken with
 * vetter_database_run_finish() (result_free frees it if nobody does). */
void            vetter_database_run_async    (VetterDatabase      *self,
                                              VetterDatabaseFunc   func,
                                              gpointer             data,
                                              GDestroyNotify       data_free,
                                              GDestroyNotify       result_free,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
/* Returns: (transfer full) (nullable): what the function returned. */
gpointer        vetter_database_run_finish   (VetterDatabase      *self,
                                              GAsyncResult        *result,
                                              GError             **error);

/* Queues @func on the database thread, in order with everything else sent
 * there; nothing comes back. Skipped (and @data freed) while the store is
 * not open. */
void            vetter_database_post         (VetterDatabase      *self,
                                              VetterDatabaseCall   func,
                                              gpointer             data,
                                              GDestroyNotify       destroy);

/* From the database thread: commits the writes of the posted calls so
 * far now, rather than with the rest of their run (see vetter-database.c). */
void            vetter_database_commit       (VetterDatabase      *self);

/* From the database thread: once the writes so far are committed, folds
 * the write-ahead log into the database (vetter_store_checkpoint()). For
 * a quiet moment: the queue has run dry while the last items finish. */
void            vetter_database_checkpoint_soon (VetterDatabase   *self);

/* Blocks until everything sent to the database thread before it has run
 * (whether the store is open or not). Not from the database thread. */
void            vetter_database_barrier      (VetterDatabase      *self);

/* Whether the caller is the database thread. */
gboolean        vetter_database_is_current   (VetterDatabase      *self);

/* Ends the thread, after what was sent to it; blocks until it has ended.
 * The store closes with it. */
void            vetter_database_close        (VetterDatabase      *self);

G_END_DECLS
