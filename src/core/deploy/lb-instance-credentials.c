/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbInstanceCredentials: the deployed instance's database credential, fetched
 * through the deployment runner, with the lifetime the tester plans its
 * renewals on. */
#include "config.h"

#include <string.h>

#include "lb-instance-credentials.h"

/* Database credentials last about an hour when the answer does not say. */
#define CREDENTIAL_LIFETIME_H 1

struct _LbInstanceCredentials
{
  GObject             parent_instance;

  LbDeploymentRunner *runner;
};

enum {
  PROP_0,
  PROP_RUNNER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  FETCH_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void credential_source_iface_init (LbCredentialSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LbInstanceCredentials, lb_instance_credentials, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LB_TYPE_CREDENTIAL_SOURCE, credential_source_iface_init))

typedef struct
{
  char      *conninfo;   /* a secret */
  GDateTime *expires_at;
} Credential;

static void
credential_free (gpointer data)
{
  Credential *credential = data;

  if (credential->conninfo != NULL)
    {
      /* Leave no copy of the secret in freed memory. */
      memset (credential->conninfo, 0, strlen (credential->conninfo));
      g_free (credential->conninfo);
    }
  g_clear_pointer (&credential->expires_at, g_date_time_unref);
  g_free (credential);
}

static void
connection_info_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  Credential *credential = g_new0 (Credential, 1);

  credential->conninfo = lb_deployment_runner_dup_connection_info_finish (LB_DEPLOYMENT_RUNNER (object), result,
                                                                          &credential->expires_at, &error);
  if (credential->conninfo == NULL)
    {
      credential_free (credential);
      /* The tester retries on its own; whoever opened it may say why. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_signal_emit (g_task_get_source_object (task), signals[FETCH_FAILED], 0, error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (credential->expires_at == NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      credential->expires_at = g_date_time_add_hours (now, CREDENTIAL_LIFETIME_H);
    }

  g_task_return_pointer (task, credential, credential_free);
}

static void
lb_instance_credentials_dup_conninfo_async (LbCredentialSource  *source,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  LbInstanceCredentials *self = LB_INSTANCE_CREDENTIALS (source);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, lb_instance_credentials_dup_conninfo_async);
  lb_deployment_runner_dup_connection_info_async (self->runner, cancellable, connection_info_cb,
                                                  g_steal_pointer (&task));
}

static char *
lb_instance_credentials_dup_conninfo_finish (LbCredentialSource  *source,
                                             GAsyncResult        *result,
                                             GDateTime          **expires_at,
                                             GError             **error)
{
  Credential *credential;
  char *conninfo;

  g_return_val_if_fail (g_task_is_valid (result, source), NULL);

  credential = g_task_propagate_pointer (G_TASK (result), error);
  if (credential == NULL)
    return NULL;

  conninfo = g_steal_pointer (&credential->conninfo);
  if (expires_at != NULL)
    *expires_at = g_steal_pointer (&credential->expires_at);
  credential_free (credential);

  return conninfo;
}

static void
credential_source_iface_init (LbCredentialSourceInterface *iface)
{
  iface->dup_conninfo_async = lb_instance_credentials_dup_conninfo_async;
  iface->dup_conninfo_finish = lb_instance_credentials_dup_conninfo_finish;
}

static void
lb_instance_credentials_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  LbInstanceCredentials *self = LB_INSTANCE_CREDENTIALS (object);

  switch (prop_id)
    {
    case PROP_RUNNER:
      g_value_set_object (value, self->runner);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_instance_credentials_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  LbInstanceCredentials *self = LB_INSTANCE_CREDENTIALS (object);

  switch (prop_id)
    {
    case PROP_RUNNER:
      self->runner = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_instance_credentials_dispose (GObject *object)
{
  LbInstanceCredentials *self = LB_INSTANCE_CREDENTIALS (object);

  g_clear_object (&self->runner);

  G_OBJECT_CLASS (lb_instance_credentials_parent_class)->dispose (object);
}

static void
lb_instance_credentials_class_init (LbInstanceCredentialsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = lb_instance_credentials_get_property;
  object_class->set_property = lb_instance_credentials_set_property;
  object_class->dispose = lb_instance_credentials_dispose;

  properties[PROP_RUNNER] = g_param_spec_object ("runner", NULL, NULL, LB_TYPE_DEPLOYMENT_RUNNER,
                                                 G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                                                 G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[FETCH_FAILED] = g_signal_new ("fetch-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                        G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
lb_instance_credentials_init (LbInstanceCredentials *self)
{
}

LbInstanceCredentials *
lb_instance_credentials_new (LbDeploymentRunner *runner)
{
  g_return_val_if_fail (LB_IS_DEPLOYMENT_RUNNER (runner), NULL);

  return g_object_new (LB_TYPE_INSTANCE_CREDENTIALS, "runner", runner, NULL);
}

LbDeploymentRunner *
lb_instance_credentials_get_runner (LbInstanceCredentials *self)
{
  g_return_val_if_fail (LB_IS_INSTANCE_CREDENTIALS (self), NULL);

  return self->runner;
}
