/* vetter-config.c: what the engine is told to do
 *
 * The defaults are the design's; GSettings overrides them where the schema
 * is installed, and the command line overrides both.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "vetter-config.h"

static const char * const variant_names[VETTER_N_VARIANTS] = {
  "compressed", "square", "portrait", "landscape", "thumb"
};

const char *
vetter_variant_kind_to_string (VetterVariantKind kind)
{
  g_return_val_if_fail (kind < VETTER_N_VARIANTS, NULL);
  return variant_names[kind];
}

gboolean
vetter_variant_kind_from_string (const char        *str,
                                 VetterVariantKind *kind)
{
  for (guint i = 0; i < VETTER_N_VARIANTS; i++)
    if (g_strcmp0 (str, variant_names[i]) == 0)
      {
        *kind = (VetterVariantKind) i;
        return TRUE;
      }
  return FALSE;
}

VetterConfig *
vetter_config_new (void)
{
  VetterConfig *config = g_new0 (VetterConfig, 1);
  const char *tags[] = { "car", "motorcycle", "vehicle", NULL };

  config->variants[VETTER_VARIANT_COMPRESSED] = (VetterVariantSpec) { TRUE, 0, 0, 50 };
  config->variants[VETTER_VARIANT_SQUARE] = (VetterVariantSpec) { TRUE, 1080, 1080, 85 };
  config->variants[VETTER_VARIANT_PORTRAIT] = (VetterVariantSpec) { TRUE, 1080, 1920, 85 };
  config->variants[VETTER_VARIANT_LANDSCAPE] = (VetterVariantSpec) { TRUE, 1920, 1080, 85 };
  config->variants[VETTER_VARIANT_THUMB] = (VetterVariantSpec) { TRUE, 320, 320, 80 };
  config->approve_tags = g_strdupv ((char **) tags);
  config->approve_confidence = 30;
  config->blocking_severity[2] = TRUE;
  config->max_image_bytes = 50 * 1024 * 1024;
  config->max_image_pixels = 150 * 1000 * 1000;
  config->io_timeout = 30;
  config->total_timeout = 120;
  config->max_redirects = 5;
  config->duplicate_distance = 6;
  return config;
}

VetterConfig *
vetter_config_copy (const VetterConfig *config)
{
  VetterConfig *copy = g_memdup2 (config, sizeof *config);

  copy->approve_tags = g_strdupv (config->approve_tags);
  return copy;
}

void
vetter_config_free (VetterConfig *config)
{
  if (config == NULL)
    return;
  g_strfreev (config->approve_tags);
  g_free (config);
}

/* The schema is there when installed or under test; a bare build tree run
 * by hand has none, and then the defaults stand. */
GSettings *
vetter_config_get_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source == NULL)
    return NULL;
  schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    return NULL;
  return g_settings_new (APP_ID);
}

void
vetter_config_load_settings (VetterConfig *config,
                             GSettings    *settings)
{
  static const char * const size_keys[] = { NULL, "square-size", "portrait-size", "landscape-size", NULL };
  g_auto(GStrv) severities = NULL;

  config->workers = g_settings_get_int (settings, "workers");
  config->variants[VETTER_VARIANT_COMPRESSED].quality = g_settings_get_int (settings, "compressed-quality");
  for (guint i = VETTER_VARIANT_SQUARE; i <= VETTER_VARIANT_LANDSCAPE; i++)
    {
      g_settings_get (settings, size_keys[i], "(ii)", &config->variants[i].width, &config->variants[i].height);
      config->variants[i].quality = g_settings_get_int (settings, "crop-quality");
    }
  config->variants[VETTER_VARIANT_THUMB].width = g_settings_get_int (settings, "thumb-size");
  config->variants[VETTER_VARIANT_THUMB].height = config->variants[VETTER_VARIANT_THUMB].width;
  config->variants[VETTER_VARIANT_THUMB].quality = g_settings_get_int (settings, "thumb-quality");

  g_strfreev (config->approve_tags);
  config->approve_tags = g_settings_get_strv (settings, "approve-tags");
  config->approve_confidence = g_settings_get_int (settings, "approve-confidence");

  severities = g_settings_get_strv (settings, "blocking-severities");
  config->blocking_severity[0] = g_strv_contains ((const char * const *) severities, "low");
  config->blocking_severity[1] = g_strv_contains ((const char * const *) severities, "medium");
  config->blocking_severity[2] = g_strv_contains ((const char * const *) severities, "high");

  config->max_image_bytes = g_settings_get_int (settings, "max-image-bytes");
  config->max_image_pixels = g_settings_get_int (settings, "max-image-pixels");
}

int
vetter_config_worker_count (const VetterConfig *config)
{
  return config->workers > 0 ? config->workers : (int) MAX (1, g_get_num_processors ());
}
