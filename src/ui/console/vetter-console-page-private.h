/* vetter-console-page-private.h: the console page, over several files
 *
 * The page is one widget whose jobs live in their own files:
 * vetter-console-page.c shows a table and runs its query; -facets.c the
 * filters with their counts and periods; -columns.c which columns show
 * and which one sorts; -actions.c acting on the selected or every
 * matching row; -delete.c deleting ads; -staff.c the desktop's staff; -export.c writing the rows to a file; -views.c saved
 * views; -detail.c what Enter opens. They share the page's fields and the
 * few functions below.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "vetter-console-page.h"
#include "vetter-couch-client.h"
#include "vetter-item-detail-view.h"
#include "vetter-store-query.h"

G_BEGIN_DECLS

struct _VetterConsolePage
{
  GtkWidget          parent_instance;

  GtkWidget         *paned;
  GtkListBox        *table_list;
  GtkSearchEntry    *search_entry;
  GtkLabel          *count_label;
  GtkWidget         *count_all_button;
  GtkLabel          *message_label;
  GtkBox            *facet_box;
  GtkColumnView     *column_view;
  GtkActionBar      *action_bar;
  GtkLabel          *selection_label;
  GtkCheckButton    *all_matching;
  GtkLabel          *result_label;
  GtkWidget         *undo_button;
  GtkMenuButton     *reject_button;
  GtkWidget         *approve_button;
  GtkWidget         *review_button;
  GtkWidget         *edit_button;
  GtkWidget         *retry_button;
  GtkWidget         *delete_button;
  GtkMenuButton     *staff_button;
  GtkWidget         *try_again_button;
  GtkWidget         *revert_button;
  GtkMenuButton     *export_button;
  GtkProgressBar    *export_progress;
  gint64             export_total;  /* rows to export, when known; 0: not */
  GtkMenuButton     *views_button;
  GtkLabel          *view_label;
  GtkStack          *stack;
  GtkLabel          *detail_title;
  GtkWidget         *batch_box;      /* a batch's page, above its ads */
  GtkLabel          *batch_heading;
  GtkProgressBar    *batch_progress;
  GtkLabel          *batch_counts;
  GtkLabel          *batch_output;
  GtkWidget         *batch_open_button;
  GtkLabel          *batch_callback;
  gint64             batch_id;       /* the batch whose ads are shown; 0: none */
  char              *output_csv;     /* its output CSV, as last read */
  GCancellable      *batch_cancellable;
  VetterItemDetailView *detail_view;
  GCancellable      *detail_cancellable;

  VetterEngine      *engine;
  VetterCouchClient *couch;         /* the shared database, or NULL */
  GCancellable      *staff_cancellable;
  GSettings         *settings;      /* NULL without the schema */
  VetterDatabase    *database;
  GtkMultiSelection *selection;
  VetterBulkUndo    *last_undo;     /* the last action on many rows, to take back: */
  VetterEditUndo    *last_edit;     /* a decision, or an edit */
  gboolean           acting;        /* one runs */
  gboolean           exporting;
  GCancellable      *count_cancellable;
  gint64             quick_count;   /* the capped count of the running query; -1: not yet */
  gboolean           quick_capped;
  gboolean           partial;       /* reading every key was cut short */
  const VetterTable *table;
  VetterTableModel  *model;
  GHashTable        *chosen;        /* field → GPtrArray of values ticked */
  VetterQuery       *base;          /* the applied view's filters, under the ticked ones */
  GHashTable        *periods;       /* field → GUINT_TO_POINTER (Period) chosen */
  GHashTable        *ranges;        /* field → GStrv { from, to }: a custom period's days */
  GPtrArray         *views;         /* VetterSavedView: the list's */
  char              *sort;          /* "[-]field" */
  GCancellable      *facets_cancellable;
  guint              filter_id;
  gboolean           building;      /* facets being rebuilt: their toggles are ours */
  gboolean           placing_columns; /* columns being put in place: not the person's moves */
  guint              save_layout_id;

  /* The sort probe. */
  GObject           *probe_a;
  GObject           *probe_b;
  GPtrArray         *probe_order;   /* field names, as the view's sorter asked them */
  const char        *probe_answer;  /* the one column that answers "smaller" */
};

/* vetter-console-page.c */
/* The list's query: the applied view's, the ticked facets and periods, the
 * search and the sort. */
VetterQuery *vetter_console_page_build_query     (VetterConsolePage *self);
/* Runs it now, or after a short pause (several clicks make one query). */
void         vetter_console_page_run_query       (VetterConsolePage *self);
void         vetter_console_page_run_query_soon  (VetterConsolePage *self);
/* Puts @text in the search entry without running the query. */
void         vetter_console_page_set_search_text (VetterConsolePage *self,
                                                  const char        *text);

/* vetter-console-facets.c */
void         vetter_console_page_add_periods     (VetterConsolePage *self,
                                                  VetterQuery       *query);
void         vetter_console_page_refresh_facets  (VetterConsolePage *self);

/* vetter-console-columns.c */
/* The shown table's columns in place of the last's, sorted its own way. */
void         vetter_console_page_replace_columns (VetterConsolePage *self);
GtkColumnViewColumn *
             vetter_console_page_column_for      (VetterConsolePage *self,
                                                  const char        *field);
/* Shows @sort ("[-]field", or NULL) in the header without a query. */
void         vetter_console_page_show_sort       (VetterConsolePage *self,
                                                  const char        *sort);
void         vetter_console_page_columns_init    (VetterConsolePage *self);
/* Remembers the columns' order and widths now, if they changed. */
void         vetter_console_page_flush_layout    (VetterConsolePage *self);

/* vetter-console-actions.c */
gboolean     vetter_console_page_acts_on_ads     (VetterConsolePage *self);
/* The keys the next action is for (the selected rows, or every matching
 * one), or NULL when there are none, the person told why. */
GArray      *vetter_console_page_acted_on        (VetterConsolePage *self);
/* The keys an action on ads is for, the page acting from then on; NULL
 * when it cannot act now (not a list of ads, another action running,
 * nothing selected: the person told why). */
GArray      *vetter_console_page_start_on_ads    (VetterConsolePage *self);
/* The answer of an action run on the database thread, or NULL when it
 * failed, the person told why (after @failed, when given); either way
 * the page may act again. */
gpointer     vetter_console_page_action_answer   (VetterConsolePage *self,
                                                  GAsyncResult      *result,
                                                  const char        *failed);
/* What the person's role allows: actions enabled, buttons saying why not. */
void         vetter_console_page_show_role       (VetterConsolePage *self);
/* The action bar as a newly shown table wants it. */
void         vetter_console_page_reset_actions   (VetterConsolePage *self);
void         vetter_console_page_update_selection_label (VetterConsolePage *self);
void         vetter_console_actions_class_init   (GtkWidgetClass    *widget_class);
void         vetter_console_actions_init         (VetterConsolePage *self);

/* vetter-console-staff.c */
gboolean     vetter_console_page_acts_on_staff   (VetterConsolePage *self);
/* An admin's Staff list with a shared database: its accounts read again. */
void         vetter_console_page_read_accounts   (VetterConsolePage *self);
void         vetter_console_staff_class_init     (GtkWidgetClass    *widget_class);
void         vetter_console_staff_init           (VetterConsolePage *self);

/* vetter-console-delete.c */
void         vetter_console_delete_class_init    (GtkWidgetClass    *widget_class);

/* vetter-console-export.c */
void         vetter_console_export_class_init    (GtkWidgetClass    *widget_class);
void         vetter_console_export_init          (VetterConsolePage *self);

/* vetter-console-views.c */
void         vetter_console_page_refresh_views   (VetterConsolePage *self);
void         vetter_console_views_class_init     (GtkWidgetClass    *widget_class);

/* vetter-console-detail.c */
/* Reads the batch shown above its ads again (its counts move). */
void         vetter_console_page_refresh_batch   (VetterConsolePage *self);
void         vetter_console_detail_class_init    (GtkWidgetClass    *widget_class);
void         vetter_console_detail_init          (VetterConsolePage *self);

G_END_DECLS
