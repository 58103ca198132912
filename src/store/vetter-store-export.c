/* vetter-store-export.c: what a batch leaves behind in files
 *
 * Each CSV batch's output CSV (the input's own columns, in its order, and
 * the output image URLs: paths, or the uploaded copies' URLs once they are
 * in), and the design's JSON summary, streamed item by item so that a
 * million items cost no more memory than a hundred.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vetter-store"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "vetter-csv.h"
#include "vetter-error.h"
#include "vetter-store-private.h"
#include "vetter-whole-file.h"

/* How much of the output CSV is gathered before it is written. */
#define OUTPUT_PART (256 * 1024)

char *
vetter_store_write_output_csv (VetterStore  *self,
                               gint64        batch_id,
                               GError      **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_auto(GStrv) header = NULL;
  g_autofree char *stem = NULL;
  g_autofree char *output_dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GPtrArray) row = NULL;
  VetterWholeFile *file = NULL;
  FILE *fp;
  sqlite3_stmt *stmt;
  guint n_columns;

  stmt = vetter_store_prepare (self, "SELECT header, stem, output_dir FROM batch WHERE id = ? AND kind IN ('products', 'ads')", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, batch_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      return NULL;
    }
  header = vetter_store_strv_from_json (vetter_store_column_text (stmt, 0));
  stem = g_strdup (vetter_store_column_text (stmt, 1));
  output_dir = g_strdup (vetter_store_column_text (stmt, 2));
  sqlite3_reset (stmt);
  /* A batch that names no output (one made elsewhere) has no CSV to write. */
  if (output_dir == NULL || stem == NULL || header == NULL)
    return NULL;

  if (g_mkdir_with_parents (output_dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, VETTER_ERROR, VETTER_ERROR_FAILED, "cannot create %s: %s", output_dir, g_strerror (saved));
      return NULL;
    }
  name = g_strdup_printf ("%s-output.csv", stem);
  path = g_build_filename (output_dir, name, NULL);
  /* Put in place whole (what a run killed meanwhile leaves beside it, the
   * next start removes): a reader never sees half a file. A part at a
   * time: a million rows are not held. */
  file = vetter_whole_file_open (path, error);
  if (file == NULL)
    return NULL;
  fp = vetter_whole_file_get_stream (file);

  n_columns = g_strv_length (header);
  row = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < n_columns; i++)
    g_ptr_array_add (row, g_strdup (header[i]));
  g_ptr_array_add (row, g_strdup ("Output Image Urls"));
  vetter_csv_append_row (out, (const char * const *) row->pdata, row->len);

  /* One line per row of the input, in its order; each cell of output URLs
   * follows the order of the input URLs. */
  stmt = vetter_store_prepare (self,
                  "SELECT item.id, item.cells,"
                  " (SELECT group_concat(url, ',') FROM (SELECT coalesce(variant.remote_url, variant.path) AS url"
                  "   FROM image JOIN variant ON variant.image_id = image.id AND variant.kind = 'compressed'"
                  "   WHERE image.item_id = item.id ORDER BY image.position))"
                  " FROM item WHERE item.batch_id = ? ORDER BY item.row", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, batch_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_auto(GStrv) cells = vetter_store_strv_from_json (vetter_store_column_text (stmt, 1));
      const char *urls = vetter_store_column_text (stmt, 2);

      g_ptr_array_set_size (row, 0);
      for (guint i = 0; i < n_columns; i++)
        g_ptr_array_add (row, g_strdup (cells && i < g_strv_length (cells) ? cells[i] : ""));
      g_ptr_array_add (row, g_strdup (urls ? urls : ""));
      vetter_csv_append_row (out, (const char * const *) row->pdata, row->len);
      if (out->len >= OUTPUT_PART)
        {
          if (fwrite (out->str, 1, out->len, fp) != out->len)
            break;
          g_string_truncate (out, 0);
        }
    }
  sqlite3_reset (stmt);
  fwrite (out->str, 1, out->len, fp);
  /* What the advertiser's system reads next: on the disk before it is named. */
  if (!vetter_whole_file_commit (g_steal_pointer (&file), TRUE, error))
    return NULL;

  stmt = vetter_store_prepare (self, "UPDATE batch SET output_csv = ? WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  vetter_store_bind_text (stmt, 1, path);
  sqlite3_bind_int64 (stmt, 2, batch_id);
  if (!vetter_store_step_done (self, stmt, error))
    return NULL;
  return g_steal_pointer (&path);

fail:
  /* The half-written file is dropped, not put in place. */
  vetter_whole_file_abort (file);
  return NULL;
}

/* ---- The JSON summary ----------------------------------------------------- */

static void
set_int_or_null (JsonObject *object,
                 const char *name,
                 gint64      value)
{
  if (value > 0)
    json_object_set_int_member (object, name, value);
  else
    json_object_set_null_member (object, name);
}

/* An image as the design's summary has it. */
static JsonObject *
image_to_json (const VetterImageInfo *image)
{
  JsonObject *object = json_object_new ();
  JsonArray *tags = json_array_new ();
  JsonArray *defects = json_array_new ();
  JsonArray *variants = json_array_new ();

  json_object_set_string_member (object, "source", image->source);
  json_object_set_string_member (object, "status", image->status);
  vetter_store_json_set_text (object, "error", image->error);
  set_int_or_null (object, "width", image->width);
  set_int_or_null (object, "height", image->height);
  vetter_store_json_set_text (object, "phash", image->phash);
  for (guint i = 0; i < image->tags->len; i++)
    {
      const VetterTagInfo *tag = g_ptr_array_index (image->tags, i);
      JsonObject *t = json_object_new ();

      json_object_set_string_member (t, "label", tag->label);
      json_object_set_int_member (t, "confidence", tag->confidence);
      json_object_set_string_member (t, "source", tag->source);
      json_array_add_object_element (tags, t);
    }
  for (guint i = 0; i < image->defects->len; i++)
    {
      const VetterDefectInfo *defect = g_ptr_array_index (image->defects, i);
      JsonObject *d = json_object_new ();

      json_object_set_string_member (d, "kind", defect->kind);
      json_object_set_string_member (d, "severity", vetter_severity_to_string (defect->severity));
      json_object_set_int_member (d, "confidence", defect->confidence);
      if (defect->has_box)
        {
          JsonObject *box = json_object_new ();

          json_object_set_int_member (box, "x", defect->x);
          json_object_set_int_member (box, "y", defect->y);
          json_object_set_int_member (box, "w", defect->width);
          json_object_set_int_member (box, "h", defect->height);
          json_object_set_object_member (d, "box", box);
        }
      else
        json_object_set_null_member (d, "box");
      vetter_store_json_set_text (d, "message", defect->message);
      json_array_add_object_element (defects, d);
    }
  for (guint i = 0; i < image->variants->len; i++)
    {
      const VetterVariantInfo *variant = g_ptr_array_index (image->variants, i);
      JsonObject *v = json_object_new ();

      json_object_set_string_member (v, "kind", vetter_variant_kind_to_string (variant->kind));
      json_object_set_string_member (v, "path", variant->path);
      json_object_set_int_member (v, "width", variant->width);
      json_object_set_int_member (v, "height", variant->height);
      json_object_set_int_member (v, "bytes", variant->bytes);
      json_array_add_object_element (variants, v);
    }
  json_object_set_array_member (object, "tags", tags);
  json_object_set_array_member (object, "defects", defects);
  json_object_set_array_member (object, "variants", variants);
  return object;
}

static JsonArray *
item_images_json (VetterStore  *self,
                  gint64        item_id,
                  GError      **error)
{
  g_autoptr(GPtrArray) images = vetter_store_read_images (self, item_id, error);
  JsonArray *array;

  if (images == NULL)
    return NULL;
  array = json_array_new ();
  for (guint i = 0; i < images->len; i++)
    json_array_add_object_element (array, image_to_json (g_ptr_array_index (images, i)));
  return array;
}

static gboolean
write_text (GOutputStream  *out,
            const char     *text,
            GError        **error)
{
  return g_output_stream_write_all (out, text, strlen (text), NULL, NULL, error);
}

static JsonObject *
item_object (sqlite3_stmt *stmt)
{
  JsonObject *item = json_object_new ();
  const char *status = vetter_store_column_text (stmt, 3);

  json_object_set_int_member (item, "id", sqlite3_column_int64 (stmt, 0));
  json_object_set_int_member (item, "row", sqlite3_column_int (stmt, 1));
  json_object_set_int_member (item, "line", sqlite3_column_int (stmt, 2));
  vetter_store_json_set_text (item, "title", vetter_store_column_text (stmt, 8));
  vetter_store_json_set_text (item, "email", vetter_store_column_text (stmt, 9));
  json_object_set_string_member (item, "status", status);
  vetter_store_json_set_text (item, "error", vetter_store_column_text (stmt, 4));
  if (sqlite3_column_type (stmt, 6) == SQLITE_NULL)
    json_object_set_null_member (item, "decision");
  else
    {
      JsonObject *decision = json_object_new ();

      json_object_set_string_member (decision, "status", status);
      vetter_store_json_set_text (decision, "reason", vetter_store_column_text (stmt, 5));
      json_object_set_string_member (decision, "rule", vetter_store_column_text (stmt, 6));
      json_object_set_boolean_member (decision, "auto", sqlite3_column_int (stmt, 7) != 0);
      json_object_set_object_member (item, "decision", decision);
    }
  return item;
}

/* Items a page at a time, each written out and freed before the next: a
 * summary of a million items costs no more memory than one of a hundred. */
#define SUMMARY_PAGE 256

static gboolean
write_batch_items (VetterStore    *self,
                   gint64          batch_id,
                   GOutputStream  *json,
                   gboolean       *first,
                   VetterSummary  *summary,
                   GError        **error)
{
  int after_row = -1;

  for (;;)
    {
      g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
      guint n_rows = 0;
      sqlite3_stmt *stmt = vetter_store_prepare (self,
                                    "SELECT id, row, line, status, error, reason, rule, auto, title, email FROM item"
                                    " WHERE batch_id = ? AND row > ? ORDER BY row LIMIT ?", error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, batch_id);
      sqlite3_bind_int (stmt, 2, after_row);
      sqlite3_bind_int (stmt, 3, SUMMARY_PAGE);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          n_rows++;
          after_row = sqlite3_column_int (stmt, 1);
          if (g_strcmp0 (vetter_store_column_text (stmt, 3), "failed") == 0 &&
              summary->failures->len >= VETTER_SUMMARY_FAILURES)
            summary->more_failures++;
          else if (g_strcmp0 (vetter_store_column_text (stmt, 3), "failed") == 0)
            {
              VetterFailure *failure = g_new0 (VetterFailure, 1);

              failure->item_id = sqlite3_column_int64 (stmt, 0);
              failure->row = sqlite3_column_int (stmt, 1);
              failure->line = sqlite3_column_int (stmt, 2);
              failure->error = g_strdup (vetter_store_column_text (stmt, 4));
              g_ptr_array_add (summary->failures, failure);
            }
          if (json)
            g_ptr_array_add (page, item_object (stmt));
        }
      sqlite3_reset (stmt);
      if (n_rows == 0)
        return TRUE;

      /* The images' queries run after the page's cursor is done with. */
      for (guint i = 0; i < page->len; i++)
        {
          JsonObject *item = g_ptr_array_index (page, i);
          g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
          g_autofree char *text = NULL;
          JsonArray *images = item_images_json (self, json_object_get_int_member (item, "id"), error);

          if (images == NULL)
            return FALSE;
          json_object_set_array_member (item, "images", images);
          json_node_set_object (node, item);
          text = json_to_string (node, FALSE);
          if (!write_text (json, *first ? "\n" : ",\n", error) || !write_text (json, text, error))
            return FALSE;
          *first = FALSE;
        }
    }
}

VetterSummary *
vetter_store_write_summary (VetterStore    *self,
                            const gint64   *batch_ids,
                            guint           n_batch_ids,
                            GOutputStream  *json,
                            GError        **error)
{
  g_autoptr(VetterSummary) summary = g_new0 (VetterSummary, 1);
  g_autoptr(JsonObject) totals = json_object_new ();
  g_autoptr(JsonArray) output_csv = json_array_new ();
  gboolean first = TRUE;

  summary->failures = vetter_failures_new ();
  summary->output_csv = g_ptr_array_new_with_free_func (g_free);

  if (json && !write_text (json, "{\"items\":[", error))
    return NULL;

  for (guint b = 0; b < n_batch_ids; b++)
    {
      VetterBatchCounts counts;
      sqlite3_stmt *stmt;

      if (!write_batch_items (self, batch_ids[b], json, &first, summary, error) ||
          !vetter_store_batch_counts (self, batch_ids[b], &counts, error))
        return NULL;
      summary->totals.total += counts.total;
      summary->totals.queued += counts.queued + counts.processing;
      summary->totals.needs_review += counts.needs_review;
      summary->totals.approved += counts.approved;
      summary->totals.rejected += counts.rejected;
      summary->totals.failed += counts.failed;

      stmt = vetter_store_prepare (self, "SELECT output_csv FROM batch WHERE id = ? AND output_csv IS NOT NULL", error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_int64 (stmt, 1, batch_ids[b]);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          g_ptr_array_add (summary->output_csv, g_strdup (vetter_store_column_text (stmt, 0)));
          json_array_add_string_element (output_csv, vetter_store_column_text (stmt, 0));
        }
      sqlite3_reset (stmt);
    }

  if (json)
    {
      g_autoptr(JsonNode) totals_node = json_node_new (JSON_NODE_OBJECT);
      g_autoptr(JsonNode) csv_node = json_node_new (JSON_NODE_ARRAY);
      g_autofree char *totals_text = NULL;
      g_autofree char *csv_text = NULL;
      const VetterBatchCounts *t = &summary->totals;

      json_object_set_int_member (totals, "items", t->total);
      json_object_set_int_member (totals, "processed", t->total - t->queued);
      json_object_set_int_member (totals, "approved", t->approved);
      json_object_set_int_member (totals, "rejected", t->rejected);
      json_object_set_int_member (totals, "needs_review", t->needs_review);
      json_object_set_int_member (totals, "failed", t->failed);
      json_object_set_int_member (totals, "pending", t->queued);
      json_node_set_object (totals_node, totals);
      json_node_set_array (csv_node, output_csv);
      totals_text = json_to_string (totals_node, FALSE);
      csv_text = json_to_string (csv_node, FALSE);
      if (!write_text (json, "\n],\n\"totals\":", error) || !write_text (json, totals_text, error) ||
          !write_text (json, ",\n\"output_csv\":", error) || !write_text (json, csv_text, error) ||
          !write_text (json, "}\n", error) || !g_output_stream_flush (json, NULL, error))
        return NULL;
    }
  return g_steal_pointer (&summary);
}

/* What a run killed while writing an output CSV or summary left beside
 * it (see vetter-whole-file.h). */
static gboolean
is_leftover (const char *name)
{
  const char *dot = strrchr (name, '.');
  g_autofree char *base = NULL;

  if (dot == NULL || strlen (dot) != strlen (VETTER_WHOLE_FILE_SUFFIX) || dot == name)
    return FALSE;
  base = g_strndup (name, dot - name);
  return g_str_has_suffix (base, ".csv") || g_str_has_suffix (base, ".json");
}

guint
vetter_store_clean_leftovers (VetterStore *self)
{
  sqlite3_stmt *stmt = vetter_store_prepare (self, "SELECT DISTINCT output_dir FROM batch WHERE output_dir IS NOT NULL",
                                             NULL);
  guint removed = 0;

  if (stmt == NULL)
    return 0;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *dir_path = vetter_store_column_text (stmt, 0);
      g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
      const char *name;

      while (dir && (name = g_dir_read_name (dir)))
        if (is_leftover (name))
          {
            g_autofree char *path = g_build_filename (dir_path, name, NULL);

            if (g_file_test (path, G_FILE_TEST_IS_REGULAR) && g_unlink (path) == 0)
              removed++;
          }
    }
  sqlite3_reset (stmt);
  return removed;
}
