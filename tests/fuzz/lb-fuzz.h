/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What every libFuzzer harness shares: the entry point's prototype and a
 * one-off set-up that turns GLib criticals into crashes, so a parser that
 * trips a g_return_if_fail() on hostile input is a finding, not a log line. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

void lb_fuzz_init (void);
