/* vetter-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "vetter-error.h"

G_DEFINE_QUARK (vetter-error-quark, vetter_error)
