/* peer-workers.h: the worker pool both C peers use, one image a worker,
 * one worker per core, as Vetter runs. Header-only: each peer is built
 * from one .c file by bench/run.sh.
 */
#pragma once

#include <glib.h>
#include <pthread.h>

typedef void (*PeerProcess) (int index);

static int peer_n_images;
static int peer_next_index;
static PeerProcess peer_process;
static pthread_mutex_t peer_lock = PTHREAD_MUTEX_INITIALIZER;

static void *
peer_worker (void *data)
{
  for (;;)
    {
      int index;

      pthread_mutex_lock (&peer_lock);
      index = peer_next_index++;
      pthread_mutex_unlock (&peer_lock);
      if (index >= peer_n_images)
        return NULL;
      peer_process (index);
    }
}

/* Runs @process on images 0 … @n_images - 1 and returns when all are done. */
static void
peer_run_workers (int         n_images,
                  PeerProcess process)
{
  int n_workers = MIN ((int) g_get_num_processors (), 64);
  pthread_t threads[64];

  peer_n_images = n_images;
  peer_process = process;
  for (int i = 0; i < n_workers; i++)
    pthread_create (&threads[i], NULL, peer_worker, NULL);
  for (int i = 0; i < n_workers; i++)
    pthread_join (threads[i], NULL);
}
