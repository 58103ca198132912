/* vetter-config.h: what the engine is told to do
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "vetter-types.h"

G_BEGIN_DECLS

typedef struct
{
  gboolean enabled;
  int      width;    /* compressed: unused (the source's size); thumb: the long side */
  int      height;
  int      quality;
} VetterVariantSpec;

typedef struct
{
  int               workers;             /* 0: one per core */
  VetterVariantSpec variants[VETTER_N_VARIANTS];
  GStrv             approve_tags;
  int               approve_confidence;
  gboolean          blocking_severity[3]; /* indexed by VetterSeverity */
  gint64            max_image_bytes;
  gint64            max_image_pixels;
  guint             io_timeout;          /* seconds without progress before a fetch gives up */
  guint             total_timeout;       /* seconds for a whole fetch */
  guint             max_redirects;
  int               duplicate_distance;  /* perceptual-hash bits that may differ */
  gboolean          yield_to_ui;         /* workers run below the UI thread's priority */
  gboolean          sync_uploads;        /* variants go to the outbox for S3 */
  gboolean          sync_mail;           /* final decisions go to the outbox as mail */
  guint             mail_delay;          /* seconds a mail waits, so an undo can take it back */
  gboolean          sync_couch;          /* ads and decisions go to the shared database; mail
                                          * then waits until the database accepts a decision */
  char             *imagga_url;          /* object tags from Imagga when all three are set; */
  char             *imagga_key;          /* in memory only, never stored */
  char             *imagga_secret;
} VetterConfig;

VetterConfig *vetter_config_new               (void);
VetterConfig *vetter_config_copy              (const VetterConfig *config);
/* Whether an object tagger (Imagga) is set up: its URL, key and secret. */
gboolean      vetter_config_has_tagger        (const VetterConfig *config);
void          vetter_config_free              (VetterConfig      *config);
void          vetter_config_load_settings     (VetterConfig      *config,
                                               GSettings         *settings);
/* Returns: (transfer full) (nullable): Vetter's settings, or %NULL when
 * its schema is not installed (a headless run from the build tree). */
GSettings    *vetter_config_get_settings      (void);
int           vetter_config_worker_count      (const VetterConfig *config);

gboolean      vetter_config_parse_variant     (VetterConfig      *config,
                                               const char        *text,
                                               GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterConfig, vetter_config_free)

G_END_DECLS
