/* vetter-console-page.h: the team's console, every record type in a list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "vetter-couch-client.h"
#include "vetter-engine.h"
#include "vetter-table-model.h"

G_BEGIN_DECLS

#define VETTER_TYPE_CONSOLE_PAGE (vetter_console_page_get_type ())

G_DECLARE_FINAL_TYPE (VetterConsolePage, vetter_console_page, VETTER, CONSOLE_PAGE, GtkWidget)

void              vetter_console_page_setup      (VetterConsolePage *self,
                                                  VetterEngine      *engine);
/* The shared database whose accounts the Staff list manages, or NULL:
 * the desktop's own staff. */
void              vetter_console_page_set_couch  (VetterConsolePage *self,
                                                  VetterCouchClient *couch);
/* Shows the list of @table_name ("ads", "outbox", …). */
void              vetter_console_page_show_table (VetterConsolePage *self,
                                                  const char        *table_name);
VetterTableModel *vetter_console_page_get_model  (VetterConsolePage *self);
/* The position of the row with the keyboard focus, or
 * GTK_INVALID_LIST_POSITION when the focus is not on a row. */
guint             vetter_console_page_focused_position (VetterConsolePage *self);
/* Puts the keyboard focus on the list. */
void              vetter_console_page_focus      (VetterConsolePage *self);
/* Saves every row the list's query keeps into @path, as "csv", "json"
 * (lines) or "xlsx"; the page says how it went. */
void              vetter_console_page_export     (VetterConsolePage *self,
                                                  const char        *format,
                                                  const char        *path);

/* Saves what the list shows (filters, search, sort, columns) as @name. */
void              vetter_console_page_save_view  (VetterConsolePage *self,
                                                  const char        *name);
/* Shows the list as the view @name saved it. */
void              vetter_console_page_apply_view (VetterConsolePage *self,
                                                  const char        *name);

/* Sets @field ("title" or "category") to @value on the ads acted on (the
 * selected ones, or every matching one). */
void              vetter_console_page_edit       (VetterConsolePage *self,
                                                  const char        *field,
                                                  const char        *value);

/* Processes the ads acted on again: the failed ones, or with @decided_too
 * also those decided or waiting for a person (the rules decide anew). */
void              vetter_console_page_retry      (VetterConsolePage *self,
                                                  gboolean           decided_too);

/* Keeps the rows whose time @field falls from the day @from to the day
 * @to ("2026-12-01", local days; either "" for no limit). FALSE with
 * @error, and nothing changed, for a date that is not one or a range
 * that ends before it starts. */
gboolean          vetter_console_page_set_range  (VetterConsolePage *self,
                                                  const char        *field,
                                                  const char        *from,
                                                  const char        *to,
                                                  GError           **error);

/* On the Staff list (admins only): adds @username as @role ("admin" or
 * "moderator"); sets the selected member's @role (NULL: kept) and whether
 * they are on the staff (@active: -1 kept, 0 off, 1 back). */
void              vetter_console_page_add_staff    (VetterConsolePage *self,
                                                    const char        *username,
                                                    const char        *role);
void              vetter_console_page_change_staff (VetterConsolePage *self,
                                                    const char        *role,
                                                    int                active);

G_END_DECLS
