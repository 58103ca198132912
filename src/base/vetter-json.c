/* vetter-json.c: reading JSON that came from elsewhere
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "vetter-json.h"

static JsonNode *
member (JsonObject *object,
        const char *name)
{
  return object ? json_object_get_member (object, name) : NULL;
}

static JsonNode *
element (JsonArray *array,
         guint      index)
{
  return array && index < json_array_get_length (array) ? json_array_get_element (array, index) : NULL;
}

static const char *
node_string (JsonNode *node)
{
  return node && json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
}

static JsonObject *
node_object (JsonNode *node)
{
  return node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

const char *
vetter_json_string (JsonObject *object,
                    const char *name)
{
  return node_string (member (object, name));
}

gint64
vetter_json_int (JsonObject *object,
                 const char *name,
                 gint64      fallback)
{
  JsonNode *node = member (object, name);
  GType type = node ? json_node_get_value_type (node) : G_TYPE_INVALID;
  double value;

  if (type == G_TYPE_INT64)
    return json_node_get_int (node);
  if (type != G_TYPE_DOUBLE)
    return fallback;
  /* 1e300 is a number too: only a whole one in range converts. */
  value = json_node_get_double (node);
  if (!(value >= -9.2e18 && value <= 9.2e18) || value != (double) (gint64) value)
    return fallback;
  return (gint64) value;
}

double
vetter_json_double (JsonObject *object,
                    const char *name,
                    double      fallback)
{
  JsonNode *node = member (object, name);
  GType type = node ? json_node_get_value_type (node) : G_TYPE_INVALID;

  if (type == G_TYPE_DOUBLE)
    return json_node_get_double (node);
  if (type == G_TYPE_INT64)
    return (double) json_node_get_int (node);
  return fallback;
}

gboolean
vetter_json_boolean (JsonObject *object,
                     const char *name,
                     gboolean    fallback)
{
  JsonNode *node = member (object, name);

  return node && json_node_get_value_type (node) == G_TYPE_BOOLEAN ? json_node_get_boolean (node) : fallback;
}

JsonObject *
vetter_json_object (JsonObject *object,
                    const char *name)
{
  return node_object (member (object, name));
}

JsonArray *
vetter_json_array (JsonObject *object,
                   const char *name)
{
  JsonNode *node = member (object, name);

  return node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

const char *
vetter_json_element_string (JsonArray *array,
                            guint      index)
{
  return node_string (element (array, index));
}

JsonObject *
vetter_json_element_object (JsonArray *array,
                            guint      index)
{
  return node_object (element (array, index));
}

JsonObject *
vetter_json_object_copy (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonNode) copy = NULL;
  g_autofree char *text = NULL;

  /* json_node_copy () shares the object: a copy is written and read. */
  json_node_set_object (node, object);
  text = json_to_string (node, FALSE);
  copy = json_from_string (text, NULL);
  return json_node_dup_object (copy);
}
