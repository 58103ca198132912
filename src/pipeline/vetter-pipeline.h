/* vetter-pipeline.h: everything done to one image, on a worker thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "vetter-analysis.h"
#include "vetter-config.h"
#include "vetter-error.h"

G_BEGIN_DECLS

typedef struct
{
  char   *name;        /* fetch, decode, analyse, variants */
  gboolean ok;
  gint64  started;     /* wall clock, microseconds since the epoch */
  gint64  duration;    /* microseconds */
  char   *error;
} VetterStepRecord;

typedef struct
{
  VetterVariantKind kind;
  char             *path;
  int               width;
  int               height;
  gint64            bytes;
  int               quality;
} VetterVariantRecord;

typedef struct
{
  gint64          image_id;
  int             position;
  gboolean        ok;
  int             error_code;  /* a VetterError when !ok */
  char           *error;
  char           *sha256;
  gint64          bytes;
  int             width;
  int             height;
  char           *format;
  VetterAnalysis *analysis;    /* NULL when decoding failed */
  GPtrArray      *variants;    /* VetterVariantRecord* */
  GPtrArray      *steps;       /* VetterStepRecord* */
  GPtrArray      *tags;        /* VetterTag* from the tagger, or NULL */
} VetterImageResult;

typedef struct
{
  gint64  image_id;
  gint64  item_id;
  int     position;
  char   *location;    /* a path or an http(s) URL */
  char   *output_dir;  /* the batch's output directory */
} VetterImageJob;

/* Called from the worker thread as each step begins. */
typedef void (*VetterStepFunc) (const VetterImageJob *job,
                                const char           *step,
                                gpointer              user_data);

void               vetter_image_job_free    (VetterImageJob    *job);
void               vetter_image_result_free (VetterImageResult *result);

char              *vetter_variant_path      (const char        *output_dir,
                                             gint64             item_id,
                                             int                position,
                                             VetterVariantKind  kind);

VetterImageResult *vetter_pipeline_run      (const VetterImageJob *job,
                                             const VetterConfig   *config,
                                             VetterStepFunc        on_step,
                                             gpointer              user_data,
                                             GCancellable         *cancellable);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterImageResult, vetter_image_result_free)

G_END_DECLS
