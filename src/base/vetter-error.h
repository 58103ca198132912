/* vetter-error.h: the errors the engine reports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VETTER_ERROR (vetter_error_quark ())

typedef enum
{
  VETTER_ERROR_FAILED,
  VETTER_ERROR_INVALID_INPUT,    /* a CSV row or a file that cannot be used */
  VETTER_ERROR_UNRECOGNISED,     /* a CSV whose header is none we know */
  VETTER_ERROR_FETCH,            /* the image could not be fetched */
  VETTER_ERROR_UNSUPPORTED,      /* a scheme or format we do not take */
  VETTER_ERROR_TOO_LARGE,        /* over a size or pixel limit */
  VETTER_ERROR_DECODE,           /* the bytes are not a usable image */
  VETTER_ERROR_STORE,            /* the database refused */
  VETTER_ERROR_CANCELLED,
  VETTER_ERROR_SYNC,             /* a service refused or could not be reached */
  VETTER_ERROR_TIME_LIMIT,       /* a query ran past its time limit */
} VetterError;

GQuark vetter_error_quark (void);

G_END_DECLS
