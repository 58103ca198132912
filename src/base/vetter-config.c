/* vetter-config.c: what the engine is told to do
 *
 * The defaults are the design's; GSettings overrides them where the schema
 * is installed, and the command line overrides both.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "vetter-config.h"

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
  copy->imagga_url = g_strdup (config->imagga_url);
  copy->imagga_key = g_strdup (config->imagga_key);
  copy->imagga_secret = g_strdup (config->imagga_secret);
  return copy;
}

void
vetter_config_free (VetterConfig *config)
{
  if (config == NULL)
    return;
  g_strfreev (config->approve_tags);
  g_free (config->imagga_url);
  g_free (config->imagga_key);
  g_free (config->imagga_secret);
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

/* "square=off", "square=1200x1200", "portrait=720x1280@80", "thumb=256",
 * "thumb=256@70", "compressed=@40": one variant's setting from the command
 * line. */
gboolean
vetter_config_parse_variant (VetterConfig  *config,
                             const char    *text,
                             GError       **error)
{
  g_auto(GStrv) parts = g_strsplit (text, "=", 2);
  VetterVariantKind kind;
  VetterVariantSpec spec;
  const char *value;
  char *end = NULL;

  if (g_strv_length (parts) != 2 || !vetter_variant_kind_from_string (parts[0], &kind))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "“%s”: expected KIND=SETTING, where KIND is compressed, square, portrait, landscape or thumb",
                   text);
      return FALSE;
    }
  spec = config->variants[kind];
  value = parts[1];

  if (g_str_equal (value, "off"))
    {
      config->variants[kind].enabled = FALSE;
      return TRUE;
    }

  spec.enabled = TRUE;
  if (*value != '@')
    {
      gint64 w = g_ascii_strtoll (value, &end, 10), h = w;

      if (kind == VETTER_VARIANT_COMPRESSED || end == value || w < 1 || w > 20000)
        goto bad;
      if (*end == 'x')
        {
          const char *start = end + 1;

          if (kind == VETTER_VARIANT_THUMB)
            goto bad;
          h = g_ascii_strtoll (start, &end, 10);
          if (end == start || h < 1 || h > 20000)
            goto bad;
        }
      else if (kind != VETTER_VARIANT_THUMB)
        goto bad;
      spec.width = (int) w;
      spec.height = (int) h;
      value = end;
    }
  if (*value == '@')
    {
      gint64 q = g_ascii_strtoll (value + 1, &end, 10);

      if (end == value + 1 || q < 1 || q > 100)
        goto bad;
      spec.quality = (int) q;
      value = end;
    }
  if (*value != '\0')
    goto bad;

  config->variants[kind] = spec;
  return TRUE;

bad:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "“%s”: expected %s (sizes in pixels, quality 1 to 100), or %s=off",
               text,
               kind == VETTER_VARIANT_COMPRESSED ? "compressed=@QUALITY"
               : kind == VETTER_VARIANT_THUMB ? "thumb=LONGSIDE[@QUALITY]"
               : "KIND=WIDTHxHEIGHT[@QUALITY]",
               parts[0]);
  return FALSE;
}

gboolean
vetter_config_has_tagger (const VetterConfig *config)
{
  return config->imagga_url && *config->imagga_url && config->imagga_key && *config->imagga_key &&
         config->imagga_secret && *config->imagga_secret;
}
