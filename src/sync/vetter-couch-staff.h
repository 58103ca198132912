/* vetter-couch-staff.h: the shared database's accounts, as its staff
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vetter-couch-client.h"
#include "vetter-types.h"

G_BEGIN_DECLS

/* The users of the server's `_users` database that have a Vetter role, or
 * had one and were deactivated (#VetterStaffAccount), by name. Reading
 * and changing accounts needs the server's admin rights or the admin role
 * among `_users`' admins (an admin's desktop sets that when it provisions).
 * Returns: (transfer full) (element-type VetterStaffAccount). */
void                vetter_couch_staff_list_async    (VetterCouchClient    *client,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
GPtrArray          *vetter_couch_staff_list_finish   (VetterCouchClient    *client,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/* Opens an account for @username with @role and @password; refused for a
 * name that has one already, or that CouchDB does not take. */
void                vetter_couch_staff_add_async     (VetterCouchClient    *client,
                                                      const char           *username,
                                                      const char           *role,
                                                      const char           *password,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean            vetter_couch_staff_add_finish    (VetterCouchClient    *client,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/* Gives @username's account @role (NULL: kept) and makes it active or
 * not (@active 1 or 0; -1: kept). A deactivated account keeps its other
 * roles and the Vetter role it gets back when reactivated; CouchDB still
 * lets it sign in, and the database's validation refuses all it writes.
 * Returns: (transfer full): the account as it is now, and in @before as
 * it was. */
void                vetter_couch_staff_change_async  (VetterCouchClient    *client,
                                                      const char           *username,
                                                      const char           *role,
                                                      int                   active,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
VetterStaffAccount *vetter_couch_staff_change_finish (VetterCouchClient    *client,
                                                      GAsyncResult         *result,
                                                      VetterStaffAccount  **before,
                                                      GError              **error);

/* A password for a new account: 20 random letters and digits that are
 * hard to mistake for each other, in groups of five. Returns: (transfer full). */
char               *vetter_couch_staff_new_password  (void);

G_END_DECLS
