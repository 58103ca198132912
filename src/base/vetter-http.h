/* vetter-http.h: what every request Vetter makes needs, whoever makes it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Sets @body as @message's request body (@type NULL: the Content-Type
 * header stays as it is), and again on each restart: libsoup 3.2 sends a
 * request again by itself when a kept-alive connection closes before the
 * answer, but with the body already read, an empty request. */
void vetter_http_set_body       (SoupMessage *message,
                                 const char  *type,
                                 GBytes      *body);
/* HTTP Basic authentication (Mailgun, Imagga, CouchDB). */
void vetter_http_set_basic_auth (SoupMessage *message,
                                 const char  *user,
                                 const char  *password);

G_END_DECLS
