/* vetter-version.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "vetter-version.h"


const char *
vetter_user_agent (void)
{
  return "Vetter/" PACKAGE_VERSION;
}
