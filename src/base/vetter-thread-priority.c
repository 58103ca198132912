/* vetter-thread-priority.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _GNU_SOURCE   /* SCHED_IDLE */

#include "config.h"

#include <pthread.h>
#include <sched.h>
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
      struct sched_param idle = { 0 };

      /* Linux schedules each thread on its own: this one runs only when
       * no other thread wants the core, so the UI thread (and the rest
       * of the desktop) never waits out its time slice. Where that policy
       * is refused, nice 10. */
      if (pthread_setschedparam (pthread_self (), SCHED_IDLE, &idle) != 0)
        setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), 10);
      g_private_set (&lowered, GINT_TO_POINTER (1));
    }
#endif
}
