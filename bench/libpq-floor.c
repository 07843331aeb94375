/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench/engine-vs-pgbench's floor: the least a libpq client can do per
 * transaction with one connection (prepared point lookup, one send, one
 * wait, one read; no statistics, no timing but the run's). Nothing can do
 * less through libpq, so at one client its tps bounds what any libpq tool,
 * pgbench and our engine included, can reach on this machine.
 *
 *   libpq-floor CONNINFO SECONDS "SQL with $1" MAX_KEY
 *
 * Prints "tps T cpu C" (C: user+sys seconds of the process). */
#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench-cpu.h"

static double
monotonic_seconds (void)
{
  struct timespec now;

  clock_gettime (CLOCK_MONOTONIC, &now);
  return now.tv_sec + now.tv_nsec / 1e9;
}

int
main (int   argc,
      char *argv[])
{
  PGconn *conn;
  PGresult *result;
  struct pollfd pfd;
  uint64_t state = 0x9e3779b97f4a7c15u;
  unsigned long transactions = 0;
  unsigned long max_key;
  double seconds, start, deadline, elapsed;
  char key[24];
  const char *values[1] = { key };

  if (argc != 5)
    {
      fprintf (stderr, "usage: %s CONNINFO SECONDS SQL MAX_KEY\n", argv[0]);
      return 2;
    }
  seconds = atof (argv[2]);
  max_key = strtoul (argv[4], NULL, 10);

  conn = PQconnectdb (argv[1]);
  if (PQstatus (conn) != CONNECTION_OK)
    {
      fprintf (stderr, "libpq-floor: %s", PQerrorMessage (conn));
      return 1;
    }
  result = PQprepare (conn, "floor", argv[3], 1, NULL);
  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    {
      fprintf (stderr, "libpq-floor: %s", PQresultErrorMessage (result));
      return 1;
    }
  PQclear (result);
  PQsetnonblocking (conn, 1);
  pfd.fd = PQsocket (conn);
  pfd.events = POLLIN;

  start = monotonic_seconds ();
  deadline = start + seconds;
  for (;;)
    {
      /* the clock every 256 transactions: the floor has no per-transaction timing */
      if ((transactions & 255) == 0 && monotonic_seconds () >= deadline)
        break;

      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      snprintf (key, sizeof key, "%lu", 1 + (unsigned long) (state % max_key));

      if (!PQsendQueryPrepared (conn, "floor", 1, values, NULL, NULL, 0))
        {
          fprintf (stderr, "libpq-floor: %s", PQerrorMessage (conn));
          return 1;
        }
      while (PQflush (conn) == 1)
        poll (&(struct pollfd) { pfd.fd, POLLOUT, 0 }, 1, -1);

      do
        {
          if (poll (&pfd, 1, -1) < 0 && errno != EINTR)
            return 1;
          if (!PQconsumeInput (conn))
            {
              fprintf (stderr, "libpq-floor: %s", PQerrorMessage (conn));
              return 1;
            }
        }
      while (PQisBusy (conn));

      while ((result = PQgetResult (conn)) != NULL)
        {
          if (PQresultStatus (result) != PGRES_TUPLES_OK)
            {
              fprintf (stderr, "libpq-floor: %s", PQresultErrorMessage (result));
              return 1;
            }
          PQclear (result);
        }
      transactions++;
    }
  elapsed = monotonic_seconds () - start;

  printf ("tps %.1f transactions %lu cpu %.3f\n", transactions / elapsed, transactions,
          bench_process_cpu_seconds ());
  PQfinish (conn);
  return 0;
}
