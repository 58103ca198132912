/* take-screenshots.c: renders the main views to PNG for the README and metainfo
 *
 * usage: take-screenshots OUTPUT_DIR
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include <glib/gstdio.h>

#include "vetter-application.h"
#include "vetter-batch-object.h"
#include "vetter-preferences-window.h"
#include "vetter-store.h"
#include "vetter-window.h"

static void
save_window (GtkWidget  *window,
             const char *path)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  int width = gtk_widget_get_width (window);
  int height = gtk_widget_get_height (window);

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    g_error ("Could not write %s", path);
  g_print ("%s\n", path);
}

static void
settle (GtkWidget *window)
{
  gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC / 2;

  gtk_test_widget_wait_for_draw (window);
  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

/* @stem.png in the light style and @stem-dark.png in the dark one. */
static void
save_light_and_dark (GtkWidget  *window,
                     const char *outdir,
                     const char *stem)
{
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s%s.png", stem, i == 0 ? "" : "-dark");
      g_autofree char *path = g_build_filename (outdir, name, NULL);

      adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                          i == 0 ? ADW_COLOR_SCHEME_FORCE_LIGHT : ADW_COLOR_SCHEME_FORCE_DARK);
      settle (window);
      save_window (window, path);
    }
}

/* A products CSV of packaged photos with two broken rows, and the photos
 * again as a folder: what a moderator's morning looks like. */
static void
fill_queue (VetterWindow *window,
            const char   *scratch)
{
  const char *photos = "/usr/share/backgrounds/mate/nature";
  g_autofree char *csv_path = g_build_filename (scratch, "spring-catalogue.csv", NULL);
  g_autoptr(GString) csv = g_string_new ("S. No.,Product Name,Input Image Urls\n");
  g_autoptr(GDir) dir = g_dir_open (photos, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  GFile *files[2];

  if (dir == NULL)
    g_error ("%s is missing: install mate-backgrounds", photos);
  while ((name = g_dir_read_name (dir)))
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  /* The first product is a soft photo between black bars, as advertisers'
   * screenshots of their own listings often are. */
  {
    g_autofree char *source = g_build_filename (photos, "GreenMeadow.jpg", NULL);
    g_autofree char *bad = g_build_filename (scratch, "listing-screenshot.jpg", NULL);
    g_autoptr(GdkPixbuf) photo = gdk_pixbuf_new_from_file_at_size (source, 1600, 10000, NULL);
    int w = gdk_pixbuf_get_width (photo), h = gdk_pixbuf_get_height (photo);
    g_autoptr(GdkPixbuf) small = gdk_pixbuf_scale_simple (photo, w / 12, h / 12, GDK_INTERP_BILINEAR);
    g_autoptr(GdkPixbuf) soft = gdk_pixbuf_scale_simple (small, w, h, GDK_INTERP_BILINEAR);
    g_autoptr(GdkPixbuf) canvas = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, w, h + 300);

    gdk_pixbuf_fill (canvas, 0x000000ff);
    gdk_pixbuf_copy_area (soft, 0, 0, w, h, canvas, 0, 150);
    gdk_pixbuf_save (canvas, bad, "jpeg", NULL, "quality", "80", NULL);
    g_string_append_printf (csv, "1,Mountain cabin weekend,%s\n", bad);
  }
  for (guint i = 1; i < 40; i++)
    g_string_append_printf (csv, "%u,Product %u,%s/%s\n", i + 1, i + 1, photos, (char *) names->pdata[i % names->len]);
  g_string_append (csv, "41,Broken link,https://127.0.0.1:1/missing.jpg\n42,No image,\n");
  g_file_set_contents (csv_path, csv->str, -1, NULL);

  files[0] = g_file_new_for_path (csv_path);
  files[1] = g_file_new_for_path (photos);
  vetter_window_add_files (window, files, 2);
  g_object_unref (files[0]);
  g_object_unref (files[1]);
}

/* The first item as another desktop's moderator decided it differently:
 * what the shared database's refusal leaves for a person. */
static gpointer
make_conflict (VetterStore  *store,
               gpointer      data,
               GError      **error)
{
  gint64 id = *(gint64 *) data;
  g_autoptr(VetterItemDetail) item = vetter_store_item_detail (store, id, error);
  g_autoptr(VetterItemDecision) decision = vetter_item_decision_new_manual (VETTER_STATUS_APPROVED, NULL, NULL, "ana");
  g_autoptr(VetterItemDecision) previous = NULL;
  g_autoptr(VetterConfig) config = vetter_config_new ();
  g_autoptr(JsonObject) ours = json_object_new ();
  g_autoptr(JsonObject) theirs = json_object_new ();
  g_autoptr(JsonObject) payload = json_object_new ();
  g_autofree char *doc_id = NULL;

  if (item == NULL || !vetter_store_decide (store, id, decision, "decide", "ana", config, &previous, NULL, error))
    return NULL;
  doc_id = g_strconcat ("decision:", item->uid, NULL);
  json_object_set_string_member (ours, "_id", doc_id);
  json_object_set_string_member (ours, "status", "approved");
  json_object_set_boolean_member (ours, "auto", FALSE);
  json_object_set_string_member (theirs, "_id", doc_id);
  json_object_set_string_member (theirs, "_rev", "2-5d1c");
  json_object_set_string_member (theirs, "type", "decision");
  json_object_set_string_member (theirs, "status", "rejected");
  json_object_set_string_member (theirs, "reason_code", "duplicate");
  json_object_set_string_member (theirs, "decided_by", "ben");
  json_object_set_int_member (theirs, "decided_at", g_get_real_time () - 3 * G_TIME_SPAN_MINUTE);
  json_object_set_boolean_member (theirs, "auto", FALSE);
  json_object_set_string_member (theirs, "desktop", "ben-desktop");
  if (vetter_store_couch_refused (store, ours, theirs, payload, error) != VETTER_COUCH_CONFLICT)
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static void
on_conflict_made (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (vetter_database_run_finish (VETTER_DATABASE (source), result, &error) == NULL)
    g_error ("cannot make the conflict: %s", error ? error->message : "not a conflict");
  *(gboolean *) user_data = TRUE;
}

static gboolean
queue_is_interesting (VetterWindow *window)
{
  GListModel *batches = vetter_window_get_batches (window);
  g_autoptr(VetterBatchObject) newest = NULL;
  g_autoptr(VetterBatchObject) older = NULL;

  if (g_list_model_get_n_items (batches) < 2)
    return FALSE;
  newest = g_list_model_get_item (batches, 0);
  older = g_list_model_get_item (batches, 1);
  /* One finished with its failures, one half-way. */
  return vetter_batch_object_get_fraction (older) >= 1.0 && vetter_batch_object_get_fraction (newest) >= 0.4;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(VetterApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  const char *outdir;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  if (argc != 2)
    g_error ("usage: take-screenshots OUTPUT_DIR");
  outdir = argv[1];

  app = vetter_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("%s", error->message);

  {
    VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));

    gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
    gtk_window_present (GTK_WINDOW (window));
    save_light_and_dark (GTK_WIDGET (window), outdir, "main-window");
    gtk_window_destroy (GTK_WINDOW (window));
  }

  {
    VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
    g_autofree char *scratch = g_dir_make_tmp ("vetter-shots-XXXXXX", NULL);
    gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

    gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
    gtk_window_present (GTK_WINDOW (window));
    fill_queue (window, scratch);
    while (!queue_is_interesting (window) && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    {
      g_autoptr(VetterBatchObject) newest = g_list_model_get_item (vetter_window_get_batches (window), 0);
      vetter_engine_pause_batch (vetter_window_get_engine (window), vetter_batch_object_get_id (newest));
    }
    save_light_and_dark (GTK_WIDGET (window), outdir, "queue");

    /* The review view on the first item, with its defects drawn. */
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "review");
    {
      VetterReviewPage *review = vetter_window_get_review_page (window);

      deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
      while (vetter_review_page_get_current_item (review) == 0 && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
      vetter_image_view_set_highlighted (vetter_review_page_get_image_view (review), 0);
    }
    save_light_and_dark (GTK_WIDGET (window), outdir, "review");

    /* The same item in conflict with another desktop's decision. */
    {
      VetterReviewPage *review = vetter_window_get_review_page (window);
      gint64 id = vetter_review_page_get_current_item (review);
      gboolean made = FALSE;

      vetter_database_run_async (vetter_engine_get_database (vetter_window_get_engine (window)), make_conflict, &id,
                                 NULL, NULL, NULL, on_conflict_made, &made);
      while (!made)
        g_main_context_iteration (NULL, TRUE);
      gtk_drop_down_set_selected (GTK_DROP_DOWN (gtk_widget_get_template_child (GTK_WIDGET (review),
                                                                                VETTER_TYPE_REVIEW_PAGE,
                                                                                "status_filter")), 4);
      deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
      while ((vetter_review_page_get_current_item (review) != id ||
              g_strcmp0 (vetter_review_page_get_state (review), "item") != 0) && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
      save_light_and_dark (GTK_WIDGET (window), outdir, "conflict");
    }

    /* Preferences, over the window as a moderator sees it. */
    {
      GtkWidget *preferences = vetter_preferences_window_new (GTK_WINDOW (window), vetter_application_get_context (app));

      gtk_window_present (GTK_WINDOW (preferences));
      save_light_and_dark (preferences, outdir, "preferences");
      adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (preferences), "services");
      save_light_and_dark (preferences, outdir, "services");
      gtk_window_destroy (GTK_WINDOW (preferences));
    }

    /* The console over the ads, and over the audit log. */
    {
      VetterConsolePage *console = vetter_window_get_console_page (window);
      const char *tables[] = { "ads", "audit", "staff" };

      gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "console");
      for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
        {
          g_autofree char *name = g_strconcat ("console-", tables[t], NULL);
          VetterTableModel *model;
          gint64 until;

          vetter_console_page_show_table (console, tables[t]);
          model = vetter_console_page_get_model (console);
          if (g_str_equal (tables[t], "staff"))
            {
              /* The first person here is its admin; two more to manage. */
              const char *people[][2] = { { "ana", "moderator" }, { "vic", "viewer" } };

              for (guint p = 0; p < G_N_ELEMENTS (people); p++)
                {
                  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
                  while (g_list_model_get_n_items (G_LIST_MODEL (model)) < p + 1 && g_get_monotonic_time () < deadline)
                    g_main_context_iteration (NULL, TRUE);
                  vetter_console_page_add_staff (console, people[p][0], people[p][1]);
                }
              deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
              while (g_list_model_get_n_items (G_LIST_MODEL (model)) < 3 && g_get_monotonic_time () < deadline)
                g_main_context_iteration (NULL, TRUE);
            }
          deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
          while (!vetter_table_model_is_ready (model) && g_get_monotonic_time () < deadline)
            g_main_context_iteration (NULL, TRUE);
          /* The visible rows' values and the facets come in a moment. */
          until = g_get_monotonic_time () + G_USEC_PER_SEC;
          while (g_get_monotonic_time () < until)
            g_main_context_iteration (NULL, FALSE);
          save_light_and_dark (GTK_WIDGET (window), outdir, name);
          if (t == 0)
            {
              /* The first ad in full. */
              GtkStack *stack = GTK_STACK (gtk_widget_get_template_child (GTK_WIDGET (console),
                                                                          VETTER_TYPE_CONSOLE_PAGE, "stack"));

              g_signal_emit_by_name (gtk_widget_get_template_child (GTK_WIDGET (console), VETTER_TYPE_CONSOLE_PAGE,
                                                                    "column_view"), "activate", 0);
              deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
              while (g_strcmp0 (gtk_stack_get_visible_child_name (stack), "detail") != 0 &&
                     g_get_monotonic_time () < deadline)
                g_main_context_iteration (NULL, TRUE);
              until = g_get_monotonic_time () + G_USEC_PER_SEC / 2;
              while (g_get_monotonic_time () < until)
                g_main_context_iteration (NULL, FALSE);
              save_light_and_dark (GTK_WIDGET (window), outdir, "console-detail");
              gtk_widget_activate_action (GTK_WIDGET (console), "console.back", NULL);
            }
        }

      /* A batch's page: its progress, output and callback over its ads. */
      {
        GtkWidget *batch_box = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (console),
                                                                          VETTER_TYPE_CONSOLE_PAGE, "batch_box"));
        gint64 until;

        vetter_console_page_show_table (console, "batches");
        deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
        while (!vetter_table_model_is_ready (vetter_console_page_get_model (console)) &&
               g_get_monotonic_time () < deadline)
          g_main_context_iteration (NULL, TRUE);
        g_signal_emit_by_name (gtk_widget_get_template_child (GTK_WIDGET (console), VETTER_TYPE_CONSOLE_PAGE,
                                                              "column_view"), "activate", 0);
        while (!gtk_widget_get_visible (batch_box) && g_get_monotonic_time () < deadline)
          g_main_context_iteration (NULL, TRUE);
        until = g_get_monotonic_time () + G_USEC_PER_SEC;
        while (g_get_monotonic_time () < until)
          g_main_context_iteration (NULL, FALSE);
        save_light_and_dark (GTK_WIDGET (window), outdir, "console-batch");
      }
    }

    /* The items of the CSV batch, with their thumbnails and failures. */
    {
      g_autoptr(VetterBatchObject) csv_batch = g_list_model_get_item (vetter_window_get_batches (window), 1);

      gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "queue");
      vetter_window_show_items (window, vetter_batch_object_get_id (csv_batch));
      save_light_and_dark (GTK_WIDGET (window), outdir, "items");
    }
    gtk_window_destroy (GTK_WINDOW (window));
  }

  return 0;
}
