/* vetter-window.c: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-window"

#include "config.h"

#include <glib/gi18n.h>

#include "vetter-resources.h"
#include "vetter-window.h"

struct _VetterWindow
{
  AdwApplicationWindow parent_instance;

  AdwToastOverlay *toast_overlay;
  GtkStack        *main_stack;
  AdwStatusPage   *empty_page;
};

G_DEFINE_FINAL_TYPE (VetterWindow, vetter_window, ADW_TYPE_APPLICATION_WINDOW)

static void
vetter_window_class_init (VetterWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  vetter_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/vetter-window.ui");
  gtk_widget_class_bind_template_child (widget_class, VetterWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, VetterWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, VetterWindow, empty_page);
}

static void
vetter_window_init (VetterWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

VetterWindow *
vetter_window_new (GtkApplication *application)
{
  return g_object_new (VETTER_TYPE_WINDOW, "application", application, NULL);
}

void
vetter_window_add_files (VetterWindow  *self,
                         GFile        **files,
                         guint          n_files)
{
  g_autofree char *message = NULL;

  g_return_if_fail (VETTER_IS_WINDOW (self));

  message = g_strdup_printf (ngettext ("%u file received; processing is not built yet",
                                       "%u files received; processing is not built yet",
                                       n_files), n_files);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}
