/* sigv4-oracle.c: signs requests read from stdin, for comparison with another signer
 *
 * Each input line is a JSON object: method, path (not encoded), query and
 * headers ([[name, value], …]), payload_hash, date, region, service,
 * access_key, secret_key. Each output line is the Authorization value.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <stdio.h>

#include "vetter-sigv4.h"

static const char **
pairs (JsonArray *array)
{
  guint n = json_array_get_length (array);
  const char **out = g_new0 (const char *, n * 2 + 1);

  for (guint i = 0; i < n; i++)
    {
      JsonArray *pair = json_array_get_array_element (array, i);

      out[i * 2] = json_array_get_string_element (pair, 0);
      out[i * 2 + 1] = json_array_get_string_element (pair, 1);
    }
  return out;
}

int
main (void)
{
  char line[65536];

  while (fgets (line, sizeof line, stdin))
    {
      g_autoptr(JsonNode) node = json_from_string (line, NULL);
      JsonObject *o;
      g_autofree const char **query = NULL;
      g_autofree const char **headers = NULL;
      g_autofree char *authorization = NULL;
      VetterSigV4Request request;
      VetterSigV4Credentials credentials;

      if (node == NULL)
        return 2;
      o = json_node_get_object (node);
      query = pairs (json_object_get_array_member (o, "query"));
      headers = pairs (json_object_get_array_member (o, "headers"));
      request = (VetterSigV4Request) {
        json_object_get_string_member (o, "method"), json_object_get_string_member (o, "path"),
        query, headers, json_object_get_string_member (o, "payload_hash"),
      };
      credentials = (VetterSigV4Credentials) {
        json_object_get_string_member (o, "access_key"), json_object_get_string_member (o, "secret_key"),
        json_object_get_string_member (o, "region"), json_object_get_string_member (o, "service"),
      };
      authorization = vetter_sigv4_authorization (&request, &credentials, json_object_get_string_member (o, "date"), NULL);
      printf ("%s\n", authorization);
    }
  return 0;
}
