/* vetter-test-keys.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <X11/XKBlib.h>
#include <X11/extensions/XTest.h>
#include <gdk/x11/gdkx.h>

#include "vetter-test-keys.h"

static Display *
x_display (GtkWindow *window)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (window));

  g_assert_true (GDK_IS_X11_DISPLAY (display));
  return gdk_x11_display_get_xdisplay (display);
}

void
test_keys_focus (GtkWindow *window)
{
  Display *dpy = x_display (window);
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));

  g_assert_nonnull (surface);
  XSetInputFocus (dpy, gdk_x11_surface_get_xid (surface), RevertToParent, CurrentTime);
  XSync (dpy, False);
}

void
test_keys_press (GtkWindow *window,
                 guint      keyval)
{
  Display *dpy = x_display (window);
  KeyCode code = XKeysymToKeycode (dpy, keyval);
  KeyCode shift = XKeysymToKeycode (dpy, XK_Shift_L);
  gboolean shifted;

  g_assert_cmpuint (code, !=, 0);
  /* Level 0 of the key is what it gives unshifted. */
  shifted = XkbKeycodeToKeysym (dpy, code, 0, 0) != keyval;
  if (shifted)
    XTestFakeKeyEvent (dpy, shift, True, CurrentTime);
  XTestFakeKeyEvent (dpy, code, True, CurrentTime);
  XTestFakeKeyEvent (dpy, code, False, CurrentTime);
  if (shifted)
    XTestFakeKeyEvent (dpy, shift, False, CurrentTime);
  XFlush (dpy);
}

void
test_keys_names (GtkWindow  *window,
                 const char *names)
{
  g_auto(GStrv) keys = g_strsplit (names, " ", -1);

  for (guint i = 0; keys[i]; i++)
    {
      guint keyval;

      if (*keys[i] == '\0')
        continue;
      keyval = gdk_keyval_from_name (keys[i]);
      g_assert_cmpuint (keyval, !=, GDK_KEY_VoidSymbol);
      test_keys_press (window, keyval);
    }
}

void
test_keys_text (GtkWindow  *window,
                const char *text)
{
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    test_keys_press (window, gdk_unicode_to_keyval (g_utf8_get_char (p)));
}
