/* vetter-intake.h: turning dropped files into batches of items
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "vetter-types.h"

G_BEGIN_DECLS

typedef struct
{
  guint      row;          /* 1-based position among the data rows */
  guint      line;         /* the line of the file the row starts on, 0 for loose images */
  char      *serial;       /* products: the S. No. cell */
  char      *title;        /* product name, ad title, or file name */
  char      *email;
  char      *description;
  char      *category;
  GStrv      cells;        /* the row as read, for the output CSV */
  GPtrArray *sources;      /* char*: each image as the input named it */
  char      *error;        /* set when the row cannot be used; the item fails alone */
  char      *uid;          /* the ad's id on every desktop; NULL: made from the batch's key and the row */
} VetterIntakeItem;

typedef struct _VetterIntakeRows VetterIntakeRows;

typedef struct
{
  VetterBatchKind  kind;
  char            *source;   /* what was dropped: the CSV's path, or a description */
  char            *key;      /* the same input gives the same key, to resume a batch */
  char            *stem;     /* the CSV's name without extension, for <stem>-output.csv */
  char            *base_dir; /* relative image paths are resolved against it */
  GStrv            header;   /* the CSV's header cells */
  char            *encoding; /* the text encoding a CSV was read in; NULL for UTF-8 */
  guint            total;    /* rows (or images) in all */
  GPtrArray       *items;    /* VetterIntakeItem*: rows @first.. of them (all, unless read in parts) */
  guint            first;
  VetterIntakeRows *rest;    /* a CSV's rows not yet read, or NULL */
  gboolean         shared;   /* processed by the team, not here (vetter batch --shared) */
} VetterIntakeBatch;

void               vetter_intake_item_free       (VetterIntakeItem  *item);
void               vetter_intake_batch_free      (VetterIntakeBatch *batch);

char              *vetter_intake_resolve          (const char       *base_dir,
                                                   const char       *source);
char              *vetter_intake_normalise_header (const char       *cell);
gboolean           vetter_intake_is_csv_path      (const char       *path);
gboolean           vetter_intake_is_image_path    (const char       *path);
gboolean           vetter_intake_is_valid_email   (const char       *email);

VetterIntakeBatch *vetter_intake_parse_csv        (const char       *display_name,
                                                   const char       *data,
                                                   gsize             length,
                                                   GError          **error);
/* Reads a CSV a part at a time: its hash, encoding and number of rows
 * first, in one pass that keeps nothing; the rows as they are loaded. */
VetterIntakeBatch *vetter_intake_read_csv         (const char       *path,
                                                   GError          **error);
/* Makes @batch's items rows @from to @to (not included, or to the end) of
 * its input, dropping those it held: rows are read forward only. In-memory
 * batches hold all their items already. */
gboolean           vetter_intake_batch_load      (VetterIntakeBatch *batch,
                                                   guint             from,
                                                   guint             to,
                                                   GError          **error);
VetterIntakeBatch *vetter_intake_from_images      (const char * const *paths,
                                                   guint             n_paths,
                                                   GError          **error);

/* Reads dropped files off the calling thread: each CSV becomes a batch, the
 * images and folders together one more. What cannot be taken is reported
 * in @errors (one message a file) without stopping the rest. */
void               vetter_intake_files_async      (GFile           **files,
                                                   guint             n_files,
                                                   GCancellable     *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer          user_data);
GPtrArray         *vetter_intake_files_finish     (GAsyncResult     *result,
                                                   GPtrArray       **errors,
                                                   GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VetterIntakeBatch, vetter_intake_batch_free)

G_END_DECLS
