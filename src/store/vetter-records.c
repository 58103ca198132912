/* vetter-records.c: what the store hands out, as typed records
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "vetter-reasons.h"
#include "vetter-records.h"
#include "vetter-store-private.h"

void
vetter_batch_info_free (VetterBatchInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->source);
  g_free (info);
}

void
vetter_batch_detail_free (VetterBatchDetail *detail)
{
  if (detail == NULL)
    return;
  g_free (detail->info.source);
  g_free (detail->output_csv);
  g_free (detail->callback_url);
  g_free (detail->callback_state);
  g_free (detail->callback_error);
  g_free (detail);
}

static void
failure_free (VetterFailure *failure)
{
  g_free (failure->error);
  g_free (failure);
}

void
vetter_summary_free (VetterSummary *summary)
{
  if (summary == NULL)
    return;
  g_clear_pointer (&summary->failures, g_ptr_array_unref);
  g_clear_pointer (&summary->output_csv, g_ptr_array_unref);
  g_free (summary);
}

void
vetter_item_row_free (VetterItemRow *row)
{
  if (row == NULL)
    return;
  g_free (row->title);
  g_free (row->error);
  g_free (row->thumb);
  g_free (row);
}

/* ---- Review ------------------------------------------------------------- */

VetterReviewFilter *
vetter_review_filter_new (void)
{
  VetterReviewFilter *filter = g_new0 (VetterReviewFilter, 1);

  filter->scope = VETTER_REVIEW_NEEDS_REVIEW;
  return filter;
}

VetterReviewFilter *
vetter_review_filter_copy (const VetterReviewFilter *filter)
{
  VetterReviewFilter *copy = g_memdup2 (filter, sizeof *filter);

  copy->defect_kind = g_strdup (filter->defect_kind);
  return copy;
}

gboolean
vetter_review_filter_equal (const VetterReviewFilter *a,
                            const VetterReviewFilter *b)
{
  return a->batch_id == b->batch_id && a->scope == b->scope && g_strcmp0 (a->defect_kind, b->defect_kind) == 0 &&
         a->has_auto_status == b->has_auto_status && (!a->has_auto_status || a->auto_status == b->auto_status);
}

void
vetter_review_filter_free (VetterReviewFilter *filter)
{
  if (filter == NULL)
    return;
  g_free (filter->defect_kind);
  g_free (filter);
}

G_DEFINE_BOXED_TYPE (VetterItemDecision, vetter_item_decision, vetter_item_decision_copy, vetter_item_decision_free)

VetterItemDecision *
vetter_item_decision_new_manual (VetterStatus  status,
                                 const char   *reason_code,
                                 const char   *note,
                                 const char   *actor)
{
  VetterItemDecision *decision = g_new0 (VetterItemDecision, 1);
  const VetterReason *reason = vetter_reason_lookup (reason_code);

  decision->status = status;
  decision->reason_code = g_strdup (reason_code);
  /* Stored in English words: the log and the sync are read by the whole
   * team; each window translates the code for its own moderator. */
  decision->reason = g_strdup (reason ? reason->label : NULL);
  decision->note = note && *note ? g_strdup (note) : NULL;
  decision->rule = g_strdup ("manual");
  decision->is_auto = FALSE;
  decision->decided_by = g_strdup (actor);
  decision->decided_at = g_get_real_time ();
  return decision;
}

VetterItemDecision *
vetter_item_decision_copy (const VetterItemDecision *decision)
{
  VetterItemDecision *copy = g_memdup2 (decision, sizeof *decision);

  copy->reason_code = g_strdup (decision->reason_code);
  copy->reason = g_strdup (decision->reason);
  copy->note = g_strdup (decision->note);
  copy->rule = g_strdup (decision->rule);
  copy->decided_by = g_strdup (decision->decided_by);
  return copy;
}

void
vetter_item_decision_free (VetterItemDecision *decision)
{
  if (decision == NULL)
    return;
  g_free (decision->reason_code);
  g_free (decision->reason);
  g_free (decision->note);
  g_free (decision->rule);
  g_free (decision->decided_by);
  g_free (decision);
}

/* ---- One item in full ----------------------------------------------------- */

static void
tag_info_free (VetterTagInfo *tag)
{
  g_free (tag->label);
  g_free (tag->source);
  g_free (tag->rgb);
  g_free (tag);
}

static void
defect_info_free (VetterDefectInfo *defect)
{
  g_free (defect->kind);
  g_free (defect->message);
  g_free (defect);
}

static void
variant_info_free (VetterVariantInfo *variant)
{
  g_free (variant->path);
  g_free (variant->remote_url);
  g_free (variant);
}

static void
step_info_free (VetterStepInfo *step)
{
  g_free (step->name);
  g_free (step->error);
  g_free (step);
}

void
vetter_image_info_free (VetterImageInfo *image)
{
  if (image == NULL)
    return;
  g_free (image->source);
  g_free (image->location);
  g_free (image->status);
  g_free (image->error);
  g_free (image->phash);
  g_clear_pointer (&image->tags, g_ptr_array_unref);
  g_clear_pointer (&image->defects, g_ptr_array_unref);
  g_clear_pointer (&image->variants, g_ptr_array_unref);
  g_clear_pointer (&image->steps, g_ptr_array_unref);
  g_free (image);
}

VetterImageInfo *
vetter_image_info_new (void)
{
  VetterImageInfo *image = g_new0 (VetterImageInfo, 1);

  image->tags = g_ptr_array_new_with_free_func ((GDestroyNotify) tag_info_free);
  image->defects = g_ptr_array_new_with_free_func ((GDestroyNotify) defect_info_free);
  image->variants = g_ptr_array_new_with_free_func ((GDestroyNotify) variant_info_free);
  image->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) step_info_free);
  return image;
}

static void
field_free (VetterField *field)
{
  g_free (field->name);
  g_free (field->value);
  g_free (field);
}

static void
field_change_free (VetterFieldChange *change)
{
  g_free (change->field);
  g_free (change->before);
  g_free (change->after);
  g_free (change);
}

void
vetter_history_entry_free (VetterHistoryEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->actor);
  g_free (entry->action);
  g_clear_pointer (&entry->changes, g_ptr_array_unref);
  g_free (entry);
}

VetterHistoryEntry *
vetter_history_entry_new (void)
{
  VetterHistoryEntry *entry = g_new0 (VetterHistoryEntry, 1);

  entry->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) field_change_free);
  return entry;
}

const VetterFieldChange *
vetter_history_entry_change (const VetterHistoryEntry *entry,
                             const char               *field)
{
  for (guint i = 0; i < entry->changes->len; i++)
    {
      const VetterFieldChange *change = g_ptr_array_index (entry->changes, i);

      if (g_strcmp0 (change->field, field) == 0)
        return change;
    }
  return NULL;
}

static void
item_detail_clear (VetterItemDetail *detail)
{
  g_free (detail->batch_source);
  g_free (detail->uid);
  g_free (detail->serial);
  g_free (detail->title);
  g_free (detail->email);
  g_free (detail->description);
  g_free (detail->category);
  g_free (detail->error);
  g_clear_pointer (&detail->decision, vetter_item_decision_free);
  g_clear_pointer (&detail->auto_decision, vetter_item_decision_free);
  g_clear_pointer (&detail->conflict, vetter_item_decision_free);
  g_free (detail->claimed_by);
  g_clear_pointer (&detail->fields, g_ptr_array_unref);
  g_clear_pointer (&detail->images, g_ptr_array_unref);
  g_clear_pointer (&detail->history, g_ptr_array_unref);
}

G_DEFINE_BOXED_TYPE (VetterItemDetail, vetter_item_detail, vetter_item_detail_ref, vetter_item_detail_unref)

VetterItemDetail *
vetter_item_detail_new (void)
{
  VetterItemDetail *detail = g_atomic_rc_box_new0 (VetterItemDetail);

  detail->fields = g_ptr_array_new_with_free_func ((GDestroyNotify) field_free);
  detail->images = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_image_info_free);
  detail->history = g_ptr_array_new_with_free_func ((GDestroyNotify) vetter_history_entry_free);
  return detail;
}

VetterItemDetail *
vetter_item_detail_ref (VetterItemDetail *detail)
{
  return g_atomic_rc_box_acquire (detail);
}

void
vetter_item_detail_unref (VetterItemDetail *detail)
{
  g_atomic_rc_box_release_full (detail, (GDestroyNotify) item_detail_clear);
}

gboolean
vetter_item_detail_in_conflict (const VetterItemDetail *detail)
{
  return detail && detail->conflict != NULL;
}

/* ---- The outbox ---------------------------------------------------------- */

void
vetter_outbox_row_free (VetterOutboxRow *row)
{
  if (row == NULL)
    return;
  g_free (row->dedupe_key);
  g_free (row->payload);
  g_free (row->state);
  g_free (row->last_error);
  g_free (row);
}

GPtrArray *
vetter_failures_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) failure_free);
}

void
vetter_bulk_undo_free (VetterBulkUndo *undo)
{
  if (undo == NULL)
    return;
  g_clear_pointer (&undo->item_ids, g_array_unref);
  g_clear_pointer (&undo->previous, g_ptr_array_unref);
  g_free (undo->action);
  g_free (undo);
}

void
vetter_saved_view_free (VetterSavedView *view)
{
  if (view == NULL)
    return;
  g_free (view->name);
  g_free (view->query);
  g_strfreev (view->columns);
  g_free (view);
}

void
vetter_edit_undo_free (VetterEditUndo *undo)
{
  if (undo == NULL)
    return;
  g_free (undo->field);
  g_clear_pointer (&undo->item_ids, g_array_unref);
  g_clear_pointer (&undo->previous, g_ptr_array_unref);
  g_free (undo);
}

gboolean
vetter_item_detail_lacks_files (const VetterItemDetail *detail)
{
  for (guint i = 0; detail->images && i < detail->images->len; i++)
    {
      VetterImageInfo *image = g_ptr_array_index (detail->images, i);

      for (guint k = 0; image->variants && k < image->variants->len; k++)
        {
          VetterVariantInfo *variant = g_ptr_array_index (image->variants, k);

          if (variant->path == NULL || *variant->path == '\0')
            return TRUE;
        }
    }
  return FALSE;
}
