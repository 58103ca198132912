/* fuzz-s3-listing.c: a bucket's ListObjectsV2 answer, read
 *
 * Beyond not crashing: an answer is read into keys or refused with a
 * message, and every key read and the continuation token are text.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fuzz-support.h"
#include "vetter-s3.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_support_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autoptr(GPtrArray) keys = vetter_s3_parse_listing (bytes, &token, &error);

  if (keys == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (fuzz_support_is_text (error->message));
      return 0;
    }
  g_assert_no_error (error);
  g_assert_true (fuzz_support_is_text (token));
  for (guint i = 0; i < keys->len; i++)
    {
      g_assert_nonnull (g_ptr_array_index (keys, i));
      g_assert_true (fuzz_support_is_text (g_ptr_array_index (keys, i)));
    }
  return 0;
}
