/* vetter-resources.c
 *
 * The bundle is registered by hand: it lives in a static library, where a
 * constructor in an object nobody references would be dropped by the linker.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "vetter-resources.h"

void vetter_register_resource (void);

void
vetter_ensure_resources (void)
{
  static gsize registered = 0;

  if (g_once_init_enter (&registered))
    {
      vetter_register_resource ();
      g_once_init_leave (&registered, 1);
    }
}
