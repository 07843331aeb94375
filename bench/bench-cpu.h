/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The process's own CPU, for the benchmark programs. */
#pragma once

#include <sys/resource.h>

/* User + system seconds of the whole process, all threads. */
static inline double
bench_process_cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}
