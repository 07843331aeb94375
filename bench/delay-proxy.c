/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A unix-socket proxy that delays every byte by a fixed time each way: a
 * network's latency in front of a local server, for bench/engine-vs-pgbench
 * LATENCY_MS=N where the kernel has no netem (this machine's has none).
 *
 *   delay-proxy LISTEN-PATH TARGET-PATH ONE-WAY-MS
 *
 * Each connection to LISTEN-PATH gets its own connection to TARGET-PATH;
 * what one side sends reaches the other ONE-WAY-MS later (a round trip is
 * twice that), in order; an end of stream is delayed the same way. As the
 * delay is the same for everything, one queue in arrival order is also in
 * delivery order. One thread, epoll; it prints "ready" once listening and
 * runs until killed. A benchmark helper: writes block, nothing is tuned. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

typedef struct Pair Pair;
struct Pair
{
  int   fd[2];      /* 0: the client's side, 1: the server's */
  int   closed;     /* delivered an end of stream: both closed */
};

typedef struct Chunk Chunk;
struct Chunk
{
  Chunk  *next;
  long long due_ns;
  Pair   *pair;
  int     to;       /* side index it goes to */
  size_t  len;      /* 0: end of stream */
  char    data[];
};

/* An epoll tag: the pair and which side it is. */
typedef struct
{
  Pair *pair;
  int   side;
} Side;

static Chunk *head, *tail;

static long long
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int
unix_socket (const char *path,
             struct sockaddr_un *addr)
{
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  memset (addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  if (fd < 0 || strlen (path) >= sizeof addr->sun_path)
    {
      fprintf (stderr, "delay-proxy: bad socket path %s\n", path);
      exit (2);
    }
  strcpy (addr->sun_path, path);
  return fd;
}

static void
enqueue (Pair *pair, int to, const char *data, size_t len, long long delay_ns)
{
  Chunk *c = malloc (sizeof *c + len);

  if (c == NULL)
    {
      perror ("delay-proxy: malloc");
      exit (2);
    }
  c->next = NULL;
  c->due_ns = now_ns () + delay_ns;
  c->pair = pair;
  c->to = to;
  c->len = len;
  memcpy (c->data, data, len);
  if (tail != NULL)
    tail->next = c;
  else
    head = c;
  tail = c;
}

static void
pair_close (Pair *pair)
{
  if (pair->closed)
    return;
  pair->closed = 1;
  close (pair->fd[0]);
  close (pair->fd[1]);
}

static void
deliver (Chunk *c)
{
  Pair *pair = c->pair;
  size_t off = 0;

  if (pair->closed)
    return;
  if (c->len == 0)
    {
      pair_close (pair);
      return;
    }
  while (off < c->len)
    {
      ssize_t n = write (pair->fd[c->to], c->data + off, c->len - off);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          pair_close (pair);
          return;
        }
      off += (size_t) n;
    }
}

int
main (int argc, char *argv[])
{
  struct sockaddr_un listen_addr, target_addr;
  struct epoll_event ev, events[256];
  int listen_fd, ep;
  long long delay_ns;
  static char buf[65536];

  if (argc != 4)
    {
      fprintf (stderr, "usage: %s LISTEN-PATH TARGET-PATH ONE-WAY-MS\n", argv[0]);
      return 2;
    }
  delay_ns = (long long) (atof (argv[3]) * 1e6);
  listen_fd = unix_socket (argv[1], &listen_addr);
  unix_socket (argv[2], &target_addr);
  unlink (argv[1]);
  if (bind (listen_fd, (struct sockaddr *) &listen_addr, sizeof listen_addr) < 0 ||
      listen (listen_fd, 4096) < 0)
    {
      perror ("delay-proxy: listen");
      return 2;
    }
  ep = epoll_create1 (EPOLL_CLOEXEC);
  ev.events = EPOLLIN;
  ev.data.ptr = NULL;
  epoll_ctl (ep, EPOLL_CTL_ADD, listen_fd, &ev);
  printf ("ready\n");
  fflush (stdout);

  for (;;)
    {
      long long now = now_ns ();
      int n;

      while (head != NULL && head->due_ns <= now)
        {
          Chunk *c = head;

          head = c->next;
          if (head == NULL)
            tail = NULL;
          deliver (c);
          free (c);
        }
      if (head != NULL)
        {
          struct timespec timeout = { 0, head->due_ns - now };

          timeout.tv_sec = timeout.tv_nsec / 1000000000LL;
          timeout.tv_nsec %= 1000000000LL;
          n = epoll_pwait2 (ep, events, 256, &timeout, NULL);
        }
      else
        n = epoll_wait (ep, events, 256, -1);
      if (n < 0 && errno != EINTR)
        {
          perror ("delay-proxy: epoll");
          return 2;
        }

      for (int i = 0; i < n; i++)
        {
          Side *side = events[i].data.ptr;

          if (side == NULL)
            {
              int client = accept4 (listen_fd, NULL, NULL, SOCK_CLOEXEC);
              int server;
              Pair *pair;
              Side *sides;

              if (client < 0)
                continue;
              server = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
              if (server < 0 ||
                  connect (server, (struct sockaddr *) &target_addr, sizeof target_addr) < 0)
                {
                  close (client);
                  if (server >= 0)
                    close (server);
                  continue;
                }
              /* never freed: chunks may still point at a closed pair */
              pair = calloc (1, sizeof *pair);
              sides = calloc (2, sizeof *sides);
              pair->fd[0] = client;
              pair->fd[1] = server;
              for (int s = 0; s < 2; s++)
                {
                  sides[s].pair = pair;
                  sides[s].side = s;
                  ev.events = EPOLLIN;
                  ev.data.ptr = &sides[s];
                  epoll_ctl (ep, EPOLL_CTL_ADD, pair->fd[s], &ev);
                }
              continue;
            }

          if (side->pair->closed)
            continue;
          {
            ssize_t got = read (side->pair->fd[side->side], buf, sizeof buf);

            if (got < 0 && (errno == EINTR || errno == EAGAIN))
              continue;
            if (got <= 0)
              {
                /* no more from this side: the other hears of it later */
                epoll_ctl (ep, EPOLL_CTL_DEL, side->pair->fd[side->side], NULL);
                enqueue (side->pair, 1 - side->side, NULL, 0, delay_ns);
                continue;
              }
            enqueue (side->pair, 1 - side->side, buf, (size_t) got, delay_ns);
          }
        }
    }
}
