/* vetter-crash-mark.c: whether the last run on a database crashed
 *
 * The signal handler may only do what is safe in one: it writes a word to
 * each armed file (opened beforehand, their descriptors in a fixed table)
 * and puts back the handler that was there before (the default, or a
 * sanitizer's, which then reports), which then takes the signal.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <unistd.h>

#include "vetter-crash-mark.h"

#define MAX_ARMED 16

struct _VetterCrashMark
{
  char *path;
  int   slot;
};

static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS };

/* Written under the lock, read by the handler: a descriptor, or -1. */
static volatile sig_atomic_t armed_fds[MAX_ARMED] = { -1, -1, -1, -1, -1, -1, -1, -1,
                                                      -1, -1, -1, -1, -1, -1, -1, -1 };
static struct sigaction previous[G_N_ELEMENTS (crash_signals)];
static GMutex lock;

static void
on_crash (int        signum,
          siginfo_t *info,
          void      *context)
{
  static const char word[] = "crashed\n";

  for (guint i = 0; i < MAX_ARMED; i++)
    {
      int fd = armed_fds[i];

      if (fd >= 0 && write (fd, word, sizeof word - 1) < 0)
        continue;
    }
  for (guint i = 0; i < G_N_ELEMENTS (crash_signals); i++)
    if (crash_signals[i] == signum)
      sigaction (signum, &previous[i], NULL);
  /* A signal sent (abort(), kill) is sent again, to the handler before. A
   * fault raised by an instruction is left to happen again when this
   * returns, so that the handler before sees the fault itself (a
   * sanitizer reports where it was). */
  if (info == NULL || info->si_code <= 0)
    raise (signum);
}

static void
install_handlers (void)
{
  struct sigaction action = { 0 };

  action.sa_sigaction = on_crash;
  sigemptyset (&action.sa_mask);
  action.sa_flags = SA_NODEFER | SA_SIGINFO;
  for (guint i = 0; i < G_N_ELEMENTS (crash_signals); i++)
    sigaction (crash_signals[i], &action, &previous[i]);
}

VetterCrashMark *
vetter_crash_mark_arm (const char *db_path,
                       gboolean   *crashed_before)
{
  static gsize installed;
  g_autofree char *path = g_strconcat (db_path, "-crashed", NULL);
  GStatBuf st;
  VetterCrashMark *mark;
  int fd;

  *crashed_before = g_stat (path, &st) == 0 && st.st_size > 0;
  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_APPEND, 0600);
  if (fd < 0)
    return NULL;
  if (g_once_init_enter (&installed))
    {
      install_handlers ();
      g_once_init_leave (&installed, 1);
    }

  mark = g_new0 (VetterCrashMark, 1);
  mark->path = g_steal_pointer (&path);
  mark->slot = -1;
  g_mutex_lock (&lock);
  for (int i = 0; i < MAX_ARMED && mark->slot < 0; i++)
    if (armed_fds[i] < 0)
      {
        armed_fds[i] = fd;
        mark->slot = i;
      }
  g_mutex_unlock (&lock);
  if (mark->slot < 0)
    {
      /* More databases open at once than the table holds (only tests do
       * that): this one's crashes go unmarked. */
      close (fd);
      g_unlink (mark->path);
    }
  return mark;
}

void
vetter_crash_mark_disarm (VetterCrashMark *mark)
{
  if (mark == NULL)
    return;
  if (mark->slot >= 0)
    {
      int fd;

      g_mutex_lock (&lock);
      fd = armed_fds[mark->slot];
      armed_fds[mark->slot] = -1;
      g_mutex_unlock (&lock);
      close (fd);
      g_unlink (mark->path);
    }
  g_free (mark->path);
  g_free (mark);
}
