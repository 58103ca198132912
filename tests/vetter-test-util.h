/* vetter-test-util.h: synthetic images and helpers shared by the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "vetter-application.h"
#include "vetter-engine.h"
#include "vetter-pixels.h"
#include "vetter-window.h"

G_BEGIN_DECLS

VetterPixels *test_textured       (int                 width,
                                   int                 height,
                                   guint32             seed);
VetterPixels *test_flat           (int                 width,
                                   int                 height,
                                   guint8              r,
                                   guint8              g,
                                   guint8              b);
void          test_fill           (VetterPixels       *pixels,
                                   int                 x,
                                   int                 y,
                                   int                 width,
                                   int                 height,
                                   guint8              r,
                                   guint8              g,
                                   guint8              b);
void          test_paste_texture  (VetterPixels       *pixels,
                                   int                 x,
                                   int                 y,
                                   int                 width,
                                   int                 height,
                                   guint32             seed);
void          test_box_blur       (VetterPixels       *pixels,
                                   int                 x,
                                   int                 y,
                                   int                 width,
                                   int                 height,
                                   int                 radius);
char         *test_tmpdir         (void);
void          test_remove_tree    (const char         *path);
/* Writes twelve ads into the database at @db_path (made by a store):
 * titles with quotes, percent signs, an underscore and SQL words; statuses
 * approved, rejected, to review in turn; two batches (ads 1–8, 9–12); two
 * advertisers; tags and defects; created on 2026-12-01, -02, -03 in turn. */
void          test_fill_twelve_ads (const char        *db_path);
/* Runs @sql on the database at @db_path through a connection of its own. */
void          test_exec_sql       (const char         *db_path,
                                   const char         *sql);
/* The message dialog on screen, if any; test_dialog_shown() is for
 * test_wait_until(). */
AdwMessageDialog *test_find_dialog  (void);
gboolean      test_dialog_shown   (gpointer            data);
/* Answers the dialog on screen with @response and closes it, as its
 * button would. */
void          test_answer_dialog  (const char         *response);
/* The first column of the first row @sql answers (a count). */
gint64        test_count_sql      (const char         *db_path,
                                   const char         *sql);
char         *test_write_jpeg     (const VetterPixels *pixels,
                                   const char         *dir,
                                   const char         *name,
                                   int                 quality);
double        test_box_overlap    (int ax, int ay, int aw, int ah,
                                   int bx, int by, int bw, int bh);

void          test_wait_until     (gboolean          (*done) (gpointer),
                                   gpointer            data);
/* The same, for work that takes long under the sanitizers while other
 * tests share the cores (a team of worker processes). */
void          test_wait_until_within (gboolean       (*done) (gpointer),
                                      gpointer         data,
                                      guint            seconds);
void          test_spin           (guint               ms);
/* For test_wait_until: the gboolean @data points to is TRUE. */
gboolean      test_flag_set       (gpointer            data);
VetterApplication *test_start_application (char      **db_dir);
int           test_free_port      (void);
GSubprocess  *test_start_s3rver   (const char         *dir,
                                   int                 port);
GSubprocess  *test_start_pouchdb  (const char         *dir,
                                   int                 port);
VetterEngine *test_open_engine    (const char         *db_path,
                                   const VetterConfig *config);
gpointer      test_run_in_database (VetterDatabase    *database,
                                    gpointer          (*func) (VetterStore *, gpointer, GError **),
                                    gpointer            data);
gpointer      test_run_in_store   (VetterEngine       *engine,
                                   gpointer          (*func) (VetterStore *, gpointer, GError **),
                                   gpointer            data);
gboolean      test_batch_done     (gpointer            window);
gboolean      test_item_shown     (gpointer            review_page);
/* Drops @file on @window, and waits until the batch it becomes is done.
 * Returns: the batch's id. */
gint64        test_add_and_finish (VetterWindow       *window,
                                   GFile              *file);
/* Every label's text under @widget, a line each, in order. */
char         *test_widget_text    (GtkWidget          *widget);

G_END_DECLS
