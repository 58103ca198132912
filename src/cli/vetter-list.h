/* vetter-list.h: `vetter list`, the console's lists from a terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

int vetter_list_main (int    argc,
                      char **argv);
