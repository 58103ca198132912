/* vetter-json.h: reading JSON that came from elsewhere
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Each gives the member when it is there with the type asked for, and the
 * fallback (or NULL) otherwise. @object may be NULL. A server's answer may
 * lack a member or hold a number where text was meant: neither is a
 * reason to stop, and json-glib's own getters would complain of both. */
const char *vetter_json_string        (JsonObject *object,
                                       const char *name);
gint64      vetter_json_int           (JsonObject *object,
                                       const char *name,
                                       gint64      fallback);
double      vetter_json_double        (JsonObject *object,
                                       const char *name,
                                       double      fallback);
gboolean    vetter_json_boolean       (JsonObject *object,
                                       const char *name,
                                       gboolean    fallback);
/* A deep copy of @object, to change without touching it. Returns: (transfer full). */
JsonObject *vetter_json_object_copy   (JsonObject *object);
JsonObject *vetter_json_object        (JsonObject *object,
                                       const char *name);
JsonArray  *vetter_json_array         (JsonObject *object,
                                       const char *name);
/* An array's element @index, the same way; @array may be NULL. */
const char *vetter_json_element_string (JsonArray *array,
                                        guint      index);
JsonObject *vetter_json_element_object (JsonArray *array,
                                        guint      index);

G_END_DECLS
