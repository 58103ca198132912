/* vetter-pixel-loop.h: how the pixel loops are built
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

/* Built twice, for AVX2 and for any x86-64, and picked at load time: the
 * binary runs everywhere and uses wide vectors where the CPU has them. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define PIXEL_LOOP __attribute__ ((target_clones ("avx2", "default")))
#else
#define PIXEL_LOOP
#endif
