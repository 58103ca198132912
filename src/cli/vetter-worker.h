/* vetter-worker.h: `vetter worker`, a headless machine of the team
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

int vetter_worker_main (int    argc,
                        char **argv);

G_END_DECLS
