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
#include <string.h>
#include <unistd.h>

#include "vetter-crash-mark.h"

#define MAX_ARMED 16
/* Items in a worker at once, at most (more go unmarked). */
#define MAX_IN_WORKER 64

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
/* The items workers are processing, 0 for a free place: what the process
 * was doing when it crashed. */
static gint64 in_worker[MAX_IN_WORKER];

/* "item <id>\n" into @out, with what is safe in a signal handler. */
static gsize
format_item (char   *out,
             gint64  id)
{
  char digits[24];
  gsize n = 0, len = 0;
  guint64 v = (guint64) id;

  do
    digits[n++] = (char) ('0' + v % 10);
  while ((v /= 10) > 0);
  memcpy (out, "item ", 5);
  len = 5;
  while (n > 0)
    out[len++] = digits[--n];
  out[len++] = '\n';
  return len;
}
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

      if (fd < 0 || write (fd, word, sizeof word - 1) < 0)
        continue;
      for (guint k = 0; k < MAX_IN_WORKER; k++)
        {
          gint64 id = __atomic_load_n (&in_worker[k], __ATOMIC_RELAXED);
          char line[32];

          if (id > 0 && write (fd, line, format_item (line, id)) < 0)
            break;
        }
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

/* The items the mark names as in a worker at the crash, each once (the
 * handler may run twice for one crash, when a sanitizer's hands the
 * signal back). */
static GArray *
read_items (const char *text)
{
  GArray *items = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    {
      guint64 id;
      gboolean seen = FALSE;

      if (!g_str_has_prefix (lines[i], "item ") ||
          !g_ascii_string_to_unsigned (lines[i] + 5, 10, 1, G_MAXINT64, &id, NULL))
        continue;
      for (guint k = 0; k < items->len && !seen; k++)
        seen = g_array_index (items, gint64, k) == (gint64) id;
      if (!seen)
        g_array_append_val (items, id);
    }
  return items;
}

/* The mark of the database at @db_path. */
static char *
mark_path (const char *db_path)
{
  return g_strconcat (db_path, "-crashed", NULL);
}

gboolean
vetter_crash_mark_left_armed (const char *db_path)
{
  g_autofree char *path = mark_path (db_path);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

VetterCrashMark *
vetter_crash_mark_arm (const char  *db_path,
                       gboolean    *crashed_before,
                       GArray     **crashed_items)
{
  static gsize installed;
  g_autofree char *path = mark_path (db_path);
  g_autofree char *text = NULL;
  VetterCrashMark *mark;
  int fd;

  *crashed_before = g_file_get_contents (path, &text, NULL, NULL) && text[0] != '\0';
  if (crashed_items)
    *crashed_items = read_items (text ? text : "");
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

int
vetter_crash_mark_enter_worker (gint64 item_id)
{
  for (int k = 0; k < MAX_IN_WORKER; k++)
    {
      gint64 free_place = 0;

      if (__atomic_compare_exchange_n (&in_worker[k], &free_place, item_id, FALSE, __ATOMIC_SEQ_CST,
                                       __ATOMIC_RELAXED))
        return k;
    }
  return -1;
}

void
vetter_crash_mark_leave_worker (int place)
{
  if (place >= 0 && place < MAX_IN_WORKER)
    __atomic_store_n (&in_worker[place], 0, __ATOMIC_SEQ_CST);
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
