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

/* @path percent-encoded segment by segment, the slashes kept: for paths
 * that go into a URL's path ("/Volumes/c/s/v/a b" → "/Volumes/c/s/v/a%20b"). */
char   *_lb_databricks_escape_path                (const char *path);

/* A raw-bytes call (the Files API): like lb_databricks_client_call_async()
 * (same auth, retries, backoff and error mapping, 404 → NOT_FOUND), but
 * @body is sent as @content_type (NULL: application/octet-stream), @range
 * (NULL: none) becomes a Range header, and the answer is the response body
 * as bytes, whatever its type. @path is already escaped
 * (_lb_databricks_escape_path()). */
void    _lb_databricks_client_call_raw_async      (LbDatabricksClient  *self,
                                                   const char          *method,
                                                   const char          *path,
                                                   const char * const  *query,
                                                   GBytes              *body,
                                                   const char          *content_type,
                                                   const char          *range,
                                                   LbCallFlags          flags,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
/* The body (never NULL on success; empty for HEAD); @headers, when not
 * NULL, gets the response headers (lower-case name → value). */
GBytes *_lb_databricks_client_call_raw_finish     (LbDatabricksClient  *self,
                                                   GAsyncResult        *result,
                                                   GHashTable         **headers,
                                                   GError             **error);

G_END_DECLS
