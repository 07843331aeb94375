/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The client's reply parsing, callable without HTTP so the reply fuzzer
 * (tests/fuzz/fuzz-databricks-replies.c) can reach it. Not installed. */
#pragma once

#include "lb-databricks-client.h"

G_BEGIN_DECLS

/* The LB_DATABRICKS_ERROR for an HTTP @status and its body, in any of the
 * API's error shapes or as plain text. */
GError *_lb_databricks_client_error_from_response (guint   status,
                                                   GBytes *bytes);

G_END_DECLS
