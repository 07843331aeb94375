/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Databricks REST client and its errors (LB_DATABRICKS_ERROR). The
 * deployment runner, the table sizer, the Deploy view and the CLI reach the
 * API only through it. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "lb-databricks-auth.h"

G_BEGIN_DECLS

#define LB_DATABRICKS_ERROR (lb_databricks_error_quark ())

/* By HTTP status class, refined by the body's error_code. The message is
 * "ERROR_CODE: what the server said" (lb_databricks_error_get_error_code()
 * gives the code back). */
typedef enum
{
  LB_DATABRICKS_ERROR_BAD_REQUEST,        /* 400 */
  LB_DATABRICKS_ERROR_UNAUTHENTICATED,    /* 401 */
  LB_DATABRICKS_ERROR_PERMISSION_DENIED,  /* 403 */
  LB_DATABRICKS_ERROR_NOT_FOUND,          /* 404, whatever the error_code */
  LB_DATABRICKS_ERROR_CONFLICT,           /* 409: already exists */
  LB_DATABRICKS_ERROR_TOO_MANY_REQUESTS,  /* 429 after the retries ran out */
  LB_DATABRICKS_ERROR_INTERNAL,           /* 500 and other 5xx */
  LB_DATABRICKS_ERROR_NOT_IMPLEMENTED,    /* 501 */
  LB_DATABRICKS_ERROR_UNAVAILABLE,        /* 503 after the retries ran out */
  LB_DATABRICKS_ERROR_TIMEOUT,            /* 504, or the retry budget ran out */
  LB_DATABRICKS_ERROR_MALFORMED,          /* a body that is not the JSON we expect */
  LB_DATABRICKS_ERROR_NETWORK,            /* no answer at all */
  LB_DATABRICKS_ERROR_INSECURE,           /* http:// to anything but this computer */
  LB_DATABRICKS_ERROR_OTHER,
  LB_DATABRICKS_ERROR_ABORTED,            /* ABORTED (409): a concurrent change; try again later, it does not mean "exists" */
} LbDatabricksErrorCode;

GQuark  lb_databricks_error_quark          (void);
/* "RESOURCE_DOES_NOT_EXIST" for an LB_DATABRICKS_ERROR, else NULL. */
char   *lb_databricks_error_get_error_code (const GError *error);
/* Translated: what an LB_DATABRICKS_ERROR means and what to do about it, as
 * sentences, with the error_code at the end ("… (error PERMISSION_DENIED)");
 * the server's message is quoted where it helps (it names the missing
 * permission or the bad field), and left out where it does not
 * (ENDPOINT_NOT_FOUND). @profile names the profile in sign-in advice (NULL:
 * "DEFAULT"). Other domains: the message as it is. */
char   *lb_databricks_error_explain        (const GError *error,
                                            const char   *profile);

typedef enum
{
  LB_CALL_DEFAULT    = 0,
  LB_CALL_IDEMPOTENT = 1 << 0,   /* safe to resend after a network error (GETs always are) */
} LbCallFlags;

#define LB_TYPE_DATABRICKS_CLIENT (lb_databricks_client_get_type ())

/* The Databricks REST API over libsoup 3: JSON in and out, errors as
 * GErrors, retries with exponential backoff and jitter on 429/503 (honouring
 * Retry-After) and on network errors for idempotent calls, inside an overall
 * budget; paging; cancellation. Properties: "retry-budget-ms" (default
 * 300000), "retry-base-ms" (default 1000), "request-count" (read-only: HTTP
 * requests sent, for the figures). */
G_DECLARE_FINAL_TYPE (LbDatabricksClient, lb_databricks_client, LB, DATABRICKS_CLIENT, GObject)

LbDatabricksClient *lb_databricks_client_new         (LbDatabricksAuth     *auth,
                                                      GError              **error);
LbDatabricksAuth   *lb_databricks_client_get_auth    (LbDatabricksClient   *self);
const char         *lb_databricks_client_get_user_agent (LbDatabricksClient *self);
guint               lb_databricks_client_get_request_count (LbDatabricksClient *self);

/* @path starts with "/api/"; @query is NULL or a NULL-terminated list of
 * key, value pairs (values escaped here); @body may be NULL. The result is
 * the response JSON (a JSON null node for an empty body). */
void                lb_databricks_client_call_async  (LbDatabricksClient   *self,
                                                      const char           *method,
                                                      const char           *path,
                                                      const char * const   *query,
                                                      JsonNode             *body,
                                                      LbCallFlags           flags,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
JsonNode           *lb_databricks_client_call_finish (LbDatabricksClient   *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/* Follows next_page_token until the last page; returns every element of
 * the @items_key arrays in one JSON array. */
void                lb_databricks_client_list_async  (LbDatabricksClient   *self,
                                                      const char           *path,
                                                      const char * const   *query,
                                                      const char           *items_key,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
JsonArray          *lb_databricks_client_list_finish (LbDatabricksClient   *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

G_END_DECLS
