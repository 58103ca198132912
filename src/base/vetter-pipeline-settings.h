/* vetter-pipeline-settings.h: the settings that make a result, as a team shares them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "vetter-config.h"

G_BEGIN_DECLS

/* The variants' sizes and qualities, the limits and the rules of @config,
 * as the team's `config:pipeline` document holds them. Returns: (transfer full). */
JsonObject *vetter_pipeline_settings_to_json   (const VetterConfig *config);
/* Takes the settings @settings holds into @config; FALSE (and @config
 * unchanged) when it holds none that can be used. */
gboolean    vetter_pipeline_settings_from_json (VetterConfig       *config,
                                                JsonObject         *settings);
/* Those settings as 16 hex digits: a result made under others differs.
 * Returns: (transfer full). */
char       *vetter_pipeline_settings_hash      (const VetterConfig *config);

G_END_DECLS
