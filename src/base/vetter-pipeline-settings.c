/* vetter-pipeline-settings.c: the settings that make a result, as a team shares them
 *
 * Machines that share processing must make the same results: the team's
 * admin keeps these settings in one document of the shared database, every
 * machine that processes takes them, and each result records their hash,
 * so that one made under older settings is known and made again. Machine
 * settings (workers, time-outs, the tagger's keys) are not among them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "vetter-enum-types.h"
#include "vetter-json.h"
#include "vetter-pipeline-settings.h"

static const char * const severities[] = { "low", "medium", "high" };

JsonObject *
vetter_pipeline_settings_to_json (const VetterConfig *config)
{
  JsonObject *settings = json_object_new ();
  JsonObject *variants = json_object_new ();
  JsonArray *tags = json_array_new ();
  JsonArray *blocking = json_array_new ();

  /* In a fixed order: the hash is of this text. */
  for (int i = 0; i < VETTER_N_VARIANTS; i++)
    {
      JsonObject *variant = json_object_new ();

      json_object_set_boolean_member (variant, "enabled", config->variants[i].enabled);
      json_object_set_int_member (variant, "width", config->variants[i].width);
      json_object_set_int_member (variant, "height", config->variants[i].height);
      json_object_set_int_member (variant, "quality", config->variants[i].quality);
      json_object_set_object_member (variants, vetter_enum_to_string (VETTER_TYPE_VARIANT_KIND, i), variant);
    }
  for (guint i = 0; config->approve_tags && config->approve_tags[i]; i++)
    json_array_add_string_element (tags, config->approve_tags[i]);
  for (guint i = 0; i < G_N_ELEMENTS (severities); i++)
    if (config->blocking_severity[i])
      json_array_add_string_element (blocking, severities[i]);
  json_object_set_object_member (settings, "variants", variants);
  json_object_set_array_member (settings, "approve_tags", tags);
  json_object_set_int_member (settings, "approve_confidence", config->approve_confidence);
  json_object_set_array_member (settings, "blocking_severity", blocking);
  json_object_set_int_member (settings, "duplicate_distance", config->duplicate_distance);
  json_object_set_int_member (settings, "max_image_bytes", config->max_image_bytes);
  json_object_set_int_member (settings, "max_image_pixels", config->max_image_pixels);
  return settings;
}

gboolean
vetter_pipeline_settings_from_json (VetterConfig *config,
                                    JsonObject   *settings)
{
  JsonObject *variants = vetter_json_object (settings, "variants");
  JsonArray *tags = vetter_json_array (settings, "approve_tags");
  JsonArray *blocking = vetter_json_array (settings, "blocking_severity");
  g_autoptr(GPtrArray) approve = g_ptr_array_new ();

  if (variants == NULL || tags == NULL || blocking == NULL)
    return FALSE;
  for (int i = 0; i < VETTER_N_VARIANTS; i++)
    {
      JsonObject *variant = vetter_json_object (variants, vetter_enum_to_string (VETTER_TYPE_VARIANT_KIND, i));
      gint64 width = vetter_json_int (variant, "width", config->variants[i].width);
      gint64 height = vetter_json_int (variant, "height", config->variants[i].height);
      gint64 quality = vetter_json_int (variant, "quality", config->variants[i].quality);

      if (variant == NULL)
        continue;
      /* Sizes a machine can make; anything else keeps its own. */
      if (width < 0 || width > 20000 || height < 0 || height > 20000 || quality < 1 || quality > 100)
        continue;
      config->variants[i].enabled = vetter_json_boolean (variant, "enabled", config->variants[i].enabled);
      config->variants[i].width = (int) width;
      config->variants[i].height = (int) height;
      config->variants[i].quality = (int) quality;
    }
  for (guint i = 0; i < json_array_get_length (tags); i++)
    if (vetter_json_element_string (tags, i))
      g_ptr_array_add (approve, (gpointer) vetter_json_element_string (tags, i));
  g_ptr_array_add (approve, NULL);
  g_strfreev (config->approve_tags);
  config->approve_tags = g_strdupv ((char **) approve->pdata);
  for (guint i = 0; i < G_N_ELEMENTS (severities); i++)
    {
      config->blocking_severity[i] = FALSE;
      for (guint k = 0; k < json_array_get_length (blocking); k++)
        if (g_strcmp0 (vetter_json_element_string (blocking, k), severities[i]) == 0)
          config->blocking_severity[i] = TRUE;
    }
  config->approve_confidence = (int) CLAMP (vetter_json_int (settings, "approve_confidence",
                                                             config->approve_confidence), 0, 100);
  config->duplicate_distance = (int) CLAMP (vetter_json_int (settings, "duplicate_distance",
                                                             config->duplicate_distance), 0, 64);
  config->max_image_bytes = MAX (1, vetter_json_int (settings, "max_image_bytes", config->max_image_bytes));
  config->max_image_pixels = MAX (1, vetter_json_int (settings, "max_image_pixels", config->max_image_pixels));
  return TRUE;
}

char *
vetter_pipeline_settings_hash (const VetterConfig *config)
{
  g_autoptr(JsonObject) settings = vetter_pipeline_settings_to_json (config);
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;
  g_autofree char *digest = NULL;

  json_node_set_object (node, settings);
  text = json_to_string (node, FALSE);
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
  return g_strndup (digest, 16);
}
