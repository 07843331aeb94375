/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Deployment runner, the connection: the last deploy step fetches a database
 * credential and connects with libpq in a thread to measure the partitions;
 * the connection info for a tester window is made the same way. Part of
 * LbDeploymentRunner (lb-deployment-runner-private.h). */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "lb-conninfo.h"
#include "lb-deployment-runner-private.h"
#include "lb-partition-sizes.h"

/* ---- Credentials and the final connection ---- */

static const char *
no_ca_bundle_message (void)
{
  return _("No certificate bundle was found to check the Lakebase server with: "
           "install the ca-certificates package or set PGSSLROOTCERT to a CA bundle");
}

static JsonNode *
credential_body (LbDeploymentRunner  *self,
                 const char         **path)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  if (lb_deployment_plan_get_flavour (self->plan) == LB_FLAVOUR_PROVISIONED)
    {
      g_autofree char *request_id = g_uuid_string_random ();

      *path = "/api/2.0/database/credentials";
      json_builder_set_member_name (builder, "request_id");
      json_builder_add_string_value (builder, request_id);
      json_builder_set_member_name (builder, "instance_names");
      json_builder_begin_array (builder);
      json_builder_add_string_value (builder, lb_deployment_plan_get_instance_name (self->plan));
      json_builder_end_array (builder);
    }
  else
    {
      *path = "/api/2.0/postgres/credentials";
      json_builder_set_member_name (builder, "endpoint");
      json_builder_add_string_value (builder,
                                     lb_deployment_resource_get_api_name (lb_deployment_plan_get_endpoint (self->plan)));
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
append_conninfo (GString    *out,
                 const char *key,
                 const char *value)
{
  if (out->len > 0)
    g_string_append_c (out, ' ');
  g_string_append_printf (out, "%s='", key);
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '\'' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '\'');
}

/* What the test connection and the tester's connection info share: the
 * token is a password, sent only to a server whose certificate and name
 * check out against the system's CAs (@ca_bundle). */
static GString *
credential_conninfo_new (LbDeploymentRunner *self,
                         const char         *token,
                         const char         *ca_bundle)
{
  g_autofree char *port = g_strdup_printf ("%u", self->pg_port);
  GString *text = g_string_new (NULL);

  append_conninfo (text, "host", self->pg_host);
  append_conninfo (text, "port", port);
  append_conninfo (text, "dbname", lb_deployment_plan_get_database_name (self->plan));
  append_conninfo (text, "user", self->user_name);
  append_conninfo (text, "password", token);
  append_conninfo (text, "sslmode", "verify-full");
  append_conninfo (text, "sslrootcert", ca_bundle);
  return text;
}

/* The test connection's libpq string; NULL without a CA bundle. */
static char *
test_connection_conninfo (LbDeploymentRunner *self,
                          const char         *token)
{
  g_autofree char *ca_bundle = lb_conninfo_find_system_ca_bundle ();
  g_autofree char *timeout = NULL;
  GString *text;

  if (ca_bundle == NULL)
    return NULL;

  timeout = g_strdup_printf ("%u", MAX (self->connect_timeout_s, 2));
  text = credential_conninfo_new (self, token, ca_bundle);
  append_conninfo (text, "connect_timeout", timeout);
  append_conninfo (text, "application_name", "lakebase-accelerator");
  return g_string_free (text, FALSE);
}

static void
secret_free (char *text)
{
  if (text != NULL)
    memset (text, 0, strlen (text));
  g_free (text);
}

/* Why the test connection could not be made, in words to act on; the raw
 * libpq text stays in the step's log. */
static char *
explain_connect_error (LbDeploymentRunner *self,
                       const GError       *error)
{
  const char *message = error->message;

  if (strstr (message, "could not translate host name") != NULL ||
      strstr (message, "Name or service not known") != NULL ||
      strstr (message, "nodename nor servname") != NULL)
    return g_strdup_printf (_("Could not connect to %s: the name does not resolve (DNS). A new instance can take a "
                              "few minutes to appear in DNS; try the connection again later from the tester."),
                            self->pg_host);
  if (strstr (message, "timeout expired") != NULL)
    return g_strdup_printf (_("Could not connect to %s: no answer within %u s. A firewall or VPN may block port %u."),
                            self->pg_host, self->connect_timeout_s, self->pg_port);
  if (strstr (message, "password authentication failed") != NULL)
    return g_strdup_printf (_("Could not connect to %s: the database refused the credential for %s. Check that "
                              "this user has a role on the instance."),
                            self->pg_host, self->user_name);
  if (g_str_has_prefix (message, "Could not connect"))
    {
      /* libpq's first line ends with the cause ("…failed: Connection refused"). */
      g_autofree char *first_line = g_strndup (message, strcspn (message, "\n"));
      const char *cause = g_strrstr (first_line, ": ");

      return g_strdup_printf (_("Could not connect to %s: %s. Check that this computer can reach the instance "
                                "(network, VPN, firewall), then try again from the tester."),
                              self->pg_host, cause != NULL ? cause + 2 : first_line);
    }
  return g_strdup (message);
}

/* Cancelled: the step fails; any other error skips it, saying why. */
static void
connect_failed (Job    *job,
                GError *error)
{
  LbDeploymentRunner *self = _lb_runner_job_runner (job);
  g_autofree char *reason = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      _lb_runner_fail_step (job, error);
      return;
    }
  _lb_deployment_step_log (job->step, "%s", error->message);
  reason = explain_connect_error (self, error);
  _lb_runner_skip_step (job, reason, _("Skipped: the test connection failed"));
  g_error_free (error);
}

static void
partition_sizes_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  LbDeploymentRunner *self = _lb_runner_job_runner (job);
  g_autoptr(JsonNode) sizes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;
  JsonArray *array;

  sizes = lb_partition_sizes_query_finish (result, &error);
  if (sizes == NULL)
    {
      connect_failed (job, g_steal_pointer (&error));
      return;
    }

  g_clear_pointer (&self->partitions, json_node_unref);
  self->partitions = json_node_ref (sizes);
  array = json_node_get_array (sizes);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *row = json_array_get_object_element (array, i);
      g_autofree char *size = g_format_size (json_object_get_int_member (row, "size"));

      _lb_deployment_step_log (job->step, _("Partition %s: %s"),
                               json_object_get_string_member (row, "relname"), size);
    }
  status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Connected; %u partition measured",
                                         "Connected; %u partitions measured", json_array_get_length (array)),
                            json_array_get_length (array));
  _lb_runner_finish_step (job, LB_DEPLOYMENT_STEP_DONE, status);
}

static void
connect_credential_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  LbDeploymentRunner *self = _lb_runner_job_runner (job);
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  char *conninfo;
  const char *token;

  answer = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (source), result, &error);
  if (answer == NULL)
    {
      g_autofree char *reason = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          _lb_runner_fail_step (job, g_steal_pointer (&error));
          return;
        }
      _lb_deployment_step_log (job->step, "%s", error->message);
      reason = lb_databricks_error_explain (error, lb_deployment_plan_get_profile (self->plan));
      _lb_runner_skip_step (job, reason, _("Skipped: no database credential could be generated"));
      return;
    }

  token = _lb_runner_json_string_at (answer, "token", NULL);
  if (token == NULL || self->pg_host == NULL || self->user_name == NULL)
    {
      _lb_runner_skip_step (job,
                            token == NULL ? _("The credential answer held no token.")
                                          : _("The instance's host name is not known."),
                            _("Skipped: the test connection was not possible"));
      return;
    }

  _lb_deployment_step_set_fraction (job->step, 0.5);
  _lb_deployment_step_set_status (job->step, _("Connecting…"));
  _lb_deployment_step_log (job->step, _("Connecting to %s as %s (sslmode=verify-full)"), self->pg_host, self->user_name);

  conninfo = test_connection_conninfo (self, token);
  if (conninfo == NULL)
    {
      connect_failed (job, g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s", no_ca_bundle_message ()));
      return;
    }
  /* The job carries the runner: the query's task has no source object. */
  lb_partition_sizes_query_async (conninfo, _lb_runner_job_cancellable (job), partition_sizes_cb,
                                  _lb_runner_job_ref (job));
  secret_free (conninfo);
}

void
_lb_runner_connect_start (Job *job)
{
  LbDeploymentRunner *self = _lb_runner_job_runner (job);
  g_autoptr(JsonNode) body = NULL;
  const char *path = NULL;

  _lb_deployment_step_set_status (job->step, _("Generating a database credential…"));
  body = credential_body (self, &path);
  lb_databricks_client_call_async (self->client, "POST", path, NULL, body, LB_CALL_IDEMPOTENT,
                                   _lb_runner_job_cancellable (job), connect_credential_cb, _lb_runner_job_ref (job));
}

/* ---- Connection info: identity (if unknown), host (if unknown), credential ---- */

typedef struct
{
  char      *conninfo;
  GDateTime *expires_at;
} ConnectionInfo;

static void
connection_info_free (gpointer data)
{
  ConnectionInfo *info = data;

  if (info->conninfo != NULL)
    memset (info->conninfo, 0, strlen (info->conninfo));
  g_free (info->conninfo);
  g_clear_pointer (&info->expires_at, g_date_time_unref);
  g_free (info);
}

static void info_continue (GTask *task);

static void
info_credential_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LbDeploymentRunner *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) answer = NULL;
  GError *error = NULL;
  const char *token;
  const char *expiry;
  ConnectionInfo *info;
  GString *text;
  g_autofree char *ca_bundle = NULL;

  answer = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (source), result, &error);
  if (answer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  token = _lb_runner_json_string_at (answer, "token", NULL);
  expiry = _lb_runner_json_string_at (answer, "expiration_time", NULL);
  if (expiry == NULL)
    expiry = _lb_runner_json_string_at (answer, "expire_time", NULL);
  if (token == NULL)
    {
      g_task_return_new_error (task, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_MALFORMED,
                               _("The credential answer held no token."));
      return;
    }

  ca_bundle = lb_conninfo_find_system_ca_bundle ();
  if (ca_bundle == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s", no_ca_bundle_message ());
      return;
    }

  text = credential_conninfo_new (self, token, ca_bundle);
  /* Tables synced outside public: the tester's scripts find them unqualified. */
  {
    g_autofree char *options = lb_conninfo_dup_search_path_options (lb_deployment_plan_get_target_schema (self->plan));

    if (options != NULL)
      append_conninfo (text, "options", options);
  }

  info = g_new0 (ConnectionInfo, 1);
  info->conninfo = g_string_free (text, FALSE);
  info->expires_at = expiry != NULL ? g_date_time_new_from_iso8601 (expiry, NULL) : NULL;
  if (info->expires_at == NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      /* The documented lifetime, when the answer does not say. */
      info->expires_at = g_date_time_add_hours (now, 1);
    }
  g_task_return_pointer (task, info, connection_info_free);
}

static void
info_identity_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LbDeploymentRunner *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) me = NULL;
  GError *error = NULL;
  const char *user_name;

  me = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (source), result, &error);
  if (me == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  user_name = _lb_runner_json_string_at (me, "userName", NULL);
  if (user_name == NULL)
    {
      g_task_return_new_error (task, LB_DATABRICKS_ERROR, LB_DATABRICKS_ERROR_MALFORMED,
                               _("The workspace did not say who you are (no userName in SCIM Me)."));
      return;
    }
  _lb_runner_set_string_prop (self, &self->user_name, user_name, PROP_USER_NAME);
  info_continue (task);
}

static void
info_host_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LbDeploymentRunner *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) json = NULL;
  GError *error = NULL;
  const char *host;

  json = lb_databricks_client_call_finish (LB_DATABRICKS_CLIENT (source), result, &error);
  if (json == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  host = lb_deployment_plan_get_flavour (self->plan) == LB_FLAVOUR_PROVISIONED
    ? _lb_runner_json_string_at (json, "read_write_dns", NULL)
    : _lb_runner_json_string_at (json, "status", "hosts", "host", NULL);
  if (host == NULL)
    {
      g_task_return_new_error (task, LB_DEPLOYMENT_ERROR, LB_DEPLOYMENT_ERROR_TIMEOUT,
                               _("The instance has no host name yet: it is still starting."));
      return;
    }
  _lb_runner_set_string_prop (self, &self->pg_host, host, PROP_PG_HOST);
  info_continue (task);
}

static void
info_continue (GTask *task)
{
  LbDeploymentRunner *self = g_task_get_source_object (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (self->user_name == NULL)
    {
      lb_databricks_client_call_async (self->client, "GET", "/api/2.0/preview/scim/v2/Me", NULL, NULL,
                                       LB_CALL_IDEMPOTENT, cancellable, info_identity_cb, g_object_ref (task));
    }
  else if (self->pg_host == NULL)
    {
      LbDeploymentResource *resource = lb_deployment_plan_get_flavour (self->plan) == LB_FLAVOUR_PROVISIONED
        ? lb_deployment_plan_get_compute (self->plan)
        : lb_deployment_plan_get_endpoint (self->plan);

      lb_databricks_client_call_async (self->client, "GET", lb_deployment_resource_get_path (resource),
                                       NULL, NULL, LB_CALL_IDEMPOTENT, cancellable, info_host_cb,
                                       g_object_ref (task));
    }
  else
    {
      g_autoptr(JsonNode) body = NULL;
      const char *path = NULL;

      body = credential_body (self, &path);
      lb_databricks_client_call_async (self->client, "POST", path, NULL, body, LB_CALL_IDEMPOTENT,
                                       cancellable, info_credential_cb, g_object_ref (task));
    }
}

void
lb_deployment_runner_dup_connection_info_async (LbDeploymentRunner  *self,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LB_IS_DEPLOYMENT_RUNNER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_deployment_runner_dup_connection_info_async);
  info_continue (task);
}

char *
lb_deployment_runner_dup_connection_info_finish (LbDeploymentRunner  *self,
                                                 GAsyncResult        *result,
                                                 GDateTime          **expires_at,
                                                 GError             **error)
{
  ConnectionInfo *info;
  char *conninfo;

  g_return_val_if_fail (LB_IS_DEPLOYMENT_RUNNER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  info = g_task_propagate_pointer (G_TASK (result), error);
  if (info == NULL)
    return NULL;

  conninfo = g_steal_pointer (&info->conninfo);
  if (expires_at != NULL)
    *expires_at = g_steal_pointer (&info->expires_at);
  connection_info_free (info);

  return conninfo;
}
