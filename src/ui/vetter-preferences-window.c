/* vetter-preferences-window.c: the settings, bound to GSettings
 *
 * Every control writes its key as it changes; the application applies
 * the keys (vetter-application.c), so a setting changed elsewhere (another
 * window, dconf) shows here too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "vetter-config.h"
#include "vetter-preferences-window.h"
#include "vetter-resources.h"

struct _VetterPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  GSettings      *settings;

  AdwComboRow    *style_row;
  GtkSwitch      *blur_switch;
  GtkSpinButton  *workers_spin;
  GtkSpinButton  *compressed_quality_spin;
  GtkSpinButton  *square_width;
  GtkSpinButton  *square_height;
  GtkSpinButton  *portrait_width;
  GtkSpinButton  *portrait_height;
  GtkSpinButton  *landscape_width;
  GtkSpinButton  *landscape_height;
  GtkSpinButton  *crop_quality_spin;
  GtkSpinButton  *thumb_size_spin;
  GtkSpinButton  *thumb_quality_spin;
  AdwEntryRow    *approve_tags_row;
  GtkSpinButton  *confidence_spin;
  GtkSwitch      *block_low_switch;
  GtkSwitch      *block_medium_switch;
  GtkSwitch      *block_high_switch;
};

G_DEFINE_FINAL_TYPE (VetterPreferencesWindow, vetter_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* ---- Mappings between keys and controls ------------------------------------ */

static const char *color_schemes[] = { "default", "light", "dark" };

static gboolean
get_color_scheme (GValue   *value,
                  GVariant *variant,
                  gpointer  user_data)
{
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (color_schemes); i++)
    if (g_str_equal (nick, color_schemes[i]))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
set_color_scheme (const GValue       *value,
                  const GVariantType *type,
                  gpointer            user_data)
{
  guint index = g_value_get_uint (value);

  return index < G_N_ELEMENTS (color_schemes) ? g_variant_new_string (color_schemes[index]) : NULL;
}

/* One number of a (width, height) key, the other kept as it is. */
typedef struct
{
  GSettings *settings;
  char      *key;
  guint      index;
} PairPart;

static void
pair_part_free (gpointer data)
{
  PairPart *part = data;

  g_free (part->key);
  g_free (part);
}

static gboolean
get_pair_part (GValue   *value,
               GVariant *variant,
               gpointer  user_data)
{
  PairPart *part = user_data;
  int w, h;

  g_variant_get (variant, "(ii)", &w, &h);
  g_value_set_double (value, part->index == 0 ? w : h);
  return TRUE;
}

static GVariant *
set_pair_part (const GValue       *value,
               const GVariantType *type,
               gpointer            user_data)
{
  PairPart *part = user_data;
  int w, h;

  g_settings_get (part->settings, part->key, "(ii)", &w, &h);
  if (part->index == 0)
    w = (int) g_value_get_double (value);
  else
    h = (int) g_value_get_double (value);
  return g_variant_new ("(ii)", w, h);
}

static void
bind_pair (VetterPreferencesWindow *self,
           const char              *key,
           GtkSpinButton           *width,
           GtkSpinButton           *height)
{
  GtkSpinButton *spins[2] = { width, height };

  for (guint i = 0; i < 2; i++)
    {
      PairPart *part = g_new0 (PairPart, 1);

      part->settings = self->settings;
      part->key = g_strdup (key);
      part->index = i;
      g_settings_bind_with_mapping (self->settings, key, gtk_spin_button_get_adjustment (spins[i]), "value",
                                    G_SETTINGS_BIND_DEFAULT, get_pair_part, set_pair_part, part, pair_part_free);
    }
}

/* A switch per severity, each adding or removing its name in one list. */
typedef struct
{
  GSettings  *settings;
  const char *severity;
} SeverityPart;

static gboolean
get_severity (GValue   *value,
              GVariant *variant,
              gpointer  user_data)
{
  SeverityPart *part = user_data;
  g_autofree const char **severities = g_variant_get_strv (variant, NULL);

  g_value_set_boolean (value, g_strv_contains (severities, part->severity));
  return TRUE;
}

static GVariant *
set_severity (const GValue       *value,
              const GVariantType *type,
              gpointer            user_data)
{
  static const char *order[] = { "low", "medium", "high" };
  SeverityPart *part = user_data;
  g_auto(GStrv) current = g_settings_get_strv (part->settings, "blocking-severities");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) result = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      gboolean on = g_str_equal (order[i], part->severity)
                    ? g_value_get_boolean (value)
                    : g_strv_contains ((const char * const *) current, order[i]);
      if (on)
        g_strv_builder_add (builder, order[i]);
    }
  result = g_strv_builder_end (builder);
  return g_variant_new_strv ((const char * const *) result, -1);
}

static void
bind_severity (VetterPreferencesWindow *self,
               GtkSwitch               *toggle,
               const char              *severity)
{
  SeverityPart *part = g_new0 (SeverityPart, 1);

  part->settings = self->settings;
  part->severity = severity;
  g_settings_bind_with_mapping (self->settings, "blocking-severities", toggle, "active",
                                G_SETTINGS_BIND_DEFAULT, get_severity, set_severity, part, g_free);
}

static void
bind_spin (VetterPreferencesWindow *self,
           const char              *key,
           GtkSpinButton           *spin)
{
  g_settings_bind (self->settings, key, gtk_spin_button_get_adjustment (spin), "value", G_SETTINGS_BIND_DEFAULT);
}

/* The tags are written when applied, not at each key press: a half-typed
 * list would otherwise approve ads by a tag nobody meant. */
static void
show_approve_tags (VetterPreferencesWindow *self)
{
  g_auto(GStrv) tags = g_settings_get_strv (self->settings, "approve-tags");
  g_autofree char *text = g_strjoinv (", ", tags);

  gtk_editable_set_text (GTK_EDITABLE (self->approve_tags_row), text);
}

static void
on_approve_tags_apply (VetterPreferencesWindow *self)
{
  g_auto(GStrv) parts = g_strsplit (gtk_editable_get_text (GTK_EDITABLE (self->approve_tags_row)), ",", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) tags = NULL;

  for (guint i = 0; parts[i]; i++)
    {
      g_autofree char *tag = g_utf8_strdown (g_strstrip (parts[i]), -1);

      if (*tag != '\0')
        g_strv_builder_add (builder, tag);
    }
  tags = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "approve-tags", (const char * const *) tags);
}

static void
on_approve_tags_changed (GSettings               *settings,
                         const char              *key,
                         VetterPreferencesWindow *self)
{
  show_approve_tags (self);
}

/* ---- GObject -------------------------------------------------------------- */

static void
vetter_preferences_window_dispose (GObject *object)
{
  VetterPreferencesWindow *self = VETTER_PREFERENCES_WINDOW (object);

  if (self->settings)
    g_signal_handlers_disconnect_by_func (self->settings, on_approve_tags_changed, self);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), VETTER_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (vetter_preferences_window_parent_class)->dispose (object);
}

static void
vetter_preferences_window_class_init (VetterPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vetter_preferences_window_dispose;

  vetter_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/vetter-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, style_row);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, blur_switch);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, workers_spin);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, compressed_quality_spin);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, square_width);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, square_height);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, portrait_width);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, portrait_height);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, landscape_width);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, landscape_height);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, crop_quality_spin);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, thumb_size_spin);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, thumb_quality_spin);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, approve_tags_row);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, confidence_spin);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, block_low_switch);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, block_medium_switch);
  gtk_widget_class_bind_template_child (widget_class, VetterPreferencesWindow, block_high_switch);
  gtk_widget_class_bind_template_callback (widget_class, on_approve_tags_apply);
}

static void
vetter_preferences_window_init (VetterPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = vetter_config_get_settings ();
  if (self->settings == NULL)
    {
      /* Without the schema nothing could be kept: say so instead of
       * showing controls that silently do nothing. */
      gtk_widget_set_sensitive (GTK_WIDGET (self), FALSE);
      g_warning ("The settings schema %s is not installed", APP_ID);
      return;
    }

  g_settings_bind_with_mapping (self->settings, "color-scheme", self->style_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, get_color_scheme, set_color_scheme, NULL, NULL);
  g_settings_bind (self->settings, "blur-images", self->blur_switch, "active", G_SETTINGS_BIND_DEFAULT);
  bind_spin (self, "workers", self->workers_spin);
  bind_spin (self, "compressed-quality", self->compressed_quality_spin);
  bind_pair (self, "square-size", self->square_width, self->square_height);
  bind_pair (self, "portrait-size", self->portrait_width, self->portrait_height);
  bind_pair (self, "landscape-size", self->landscape_width, self->landscape_height);
  bind_spin (self, "crop-quality", self->crop_quality_spin);
  bind_spin (self, "thumb-size", self->thumb_size_spin);
  bind_spin (self, "thumb-quality", self->thumb_quality_spin);
  bind_spin (self, "approve-confidence", self->confidence_spin);
  bind_severity (self, self->block_low_switch, "low");
  bind_severity (self, self->block_medium_switch, "medium");
  bind_severity (self, self->block_high_switch, "high");
  show_approve_tags (self);
  g_signal_connect (self->settings, "changed::approve-tags", G_CALLBACK (on_approve_tags_changed), self);
}

GtkWidget *
vetter_preferences_window_new (GtkWindow *parent)
{
  return g_object_new (VETTER_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       NULL);
}
