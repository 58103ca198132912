/* vetter-pixel-loop.h: how the pixel loops are built
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <string.h>

/* Built twice, for AVX2 and for any x86-64, and picked at load time: the
 * binary runs everywhere and uses wide vectors where the CPU has them. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define PIXEL_LOOP __attribute__ ((target_clones ("avx2", "default")))
#else
#define PIXEL_LOOP
#endif

/* Loops written with AVX2 intrinsics, next to a portable version of each,
 * taken when the CPU has AVX2 and VETTER_NO_AVX2 is unset (the tests
 * compare the two). */
#if defined(__x86_64__) && defined(__GNUC__)
#define VETTER_HAVE_AVX2_PATH 1
gboolean vetter_cpu_has_avx2 (void);
#endif

/* Two neighbouring 16-bit weights as the one 32-bit lane a 16-bit
 * multiply-add pairs with two pixels: the first in the low half. */
static inline gint32
weight_pair (const gint16 *w)
{
  gint32 pair;

  memcpy (&pair, w, sizeof pair);
  return pair;
}
