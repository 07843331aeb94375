/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbCredentialSource: the interface, dispatching to its implementations. */
#include "config.h"

#include "lb-credential-source.h"

G_DEFINE_INTERFACE (LbCredentialSource, lb_credential_source, G_TYPE_OBJECT)

static void
lb_credential_source_default_init (LbCredentialSourceInterface *iface)
{
}

void
lb_credential_source_dup_conninfo_async (LbCredentialSource  *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_return_if_fail (LB_IS_CREDENTIAL_SOURCE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  LB_CREDENTIAL_SOURCE_GET_IFACE (self)->dup_conninfo_async (self, cancellable, callback, user_data);
}

char *
lb_credential_source_dup_conninfo_finish (LbCredentialSource  *self,
                                          GAsyncResult        *result,
                                          GDateTime          **expires_at,
                                          GError             **error)
{
  g_return_val_if_fail (LB_IS_CREDENTIAL_SOURCE (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (expires_at != NULL)
    *expires_at = NULL;

  return LB_CREDENTIAL_SOURCE_GET_IFACE (self)->dup_conninfo_finish (self, result, expires_at, error);
}
