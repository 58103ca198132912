/* vetter-thread-priority.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vetter-thread-priority.h"

void
vetter_thread_lower_priority (void)
{
#if defined(__linux__) && defined(SYS_gettid)
  static GPrivate lowered;

  if (g_private_get (&lowered) == NULL)
    {
      /* Linux keeps a nice value per thread: this one only. */
      setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), 10);
      g_private_set (&lowered, GINT_TO_POINTER (1));
    }
#endif
}
