/* take-screenshots.c: renders the main views to PNG for the README and metainfo
 *
 * usage: take-screenshots OUTPUT_DIR
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "vetter-application.h"
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

int
main (int   argc,
      char *argv[])
{
  g_autoptr(VetterApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  const char *schemes[] = { "light", "dark" };
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

  for (guint i = 0; i < G_N_ELEMENTS (schemes); i++)
    {
      VetterWindow *window = vetter_window_new (GTK_APPLICATION (app));
      g_autofree char *name = g_strdup_printf ("main-window%s.png", i == 0 ? "" : "-dark");
      g_autofree char *path = g_build_filename (outdir, name, NULL);

      adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                          i == 0 ? ADW_COLOR_SCHEME_FORCE_LIGHT : ADW_COLOR_SCHEME_FORCE_DARK);
      gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
      gtk_window_present (GTK_WINDOW (window));
      settle (GTK_WIDGET (window));
      save_window (GTK_WIDGET (window), path);
      gtk_window_destroy (GTK_WINDOW (window));
    }

  return 0;
}
