/* fuzz-support.h: what every fuzz target shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

G_BEGIN_DECLS

/* Each target defines both; libFuzzer calls them, and so does the replay
 * program the ordinary tests run the corpus and the regressions through. */
int   LLVMFuzzerInitialize   (int            *argc,
                              char         ***argv);
int   LLVMFuzzerTestOneInput (const uint8_t  *data,
                              size_t          size);

/* Makes GLib's criticals and warnings abort: a precondition that hostile
 * input can break is a bug, even where the program would go on. */
void  fuzz_support_init      (void);
/* A directory of this process's own, removed when it exits. */
const char *fuzz_support_scratch_dir (void);
/* Whether @text is valid UTF-8 (NULL counts as valid: no text). */
gboolean fuzz_support_is_text (const char *text);

G_END_DECLS
