/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Where a run gets a connection string whose password expires: a Lakebase
 * database credential is an OAuth token of about an hour. LbTestRun asks
 * again before it expires; the deployment code implements it. */

#include <gio/gio.h>

G_BEGIN_DECLS

#define LB_TYPE_CREDENTIAL_SOURCE (lb_credential_source_get_type ())

G_DECLARE_INTERFACE (LbCredentialSource, lb_credential_source, LB, CREDENTIAL_SOURCE, GObject)

struct _LbCredentialSourceInterface
{
  GTypeInterface parent_iface;

  void   (*dup_conninfo_async)  (LbCredentialSource   *self,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data);
  char * (*dup_conninfo_finish) (LbCredentialSource   *self,
                                 GAsyncResult         *result,
                                 GDateTime           **expires_at,
                                 GError              **error);
};

/* Fetches a fresh connection string with its credential in it. */
void   lb_credential_source_dup_conninfo_async  (LbCredentialSource   *self,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
/* The connection string (a secret: the caller clears it when done), and when
 * its credential stops working (NULL: it does not expire). */
char  *lb_credential_source_dup_conninfo_finish (LbCredentialSource   *self,
                                                 GAsyncResult         *result,
                                                 GDateTime           **expires_at,
                                                 GError              **error);

/* A process-local name for @self, so an action parameter (a GVariant, which
 * cannot carry an object) can say which source a window should target. The
 * registry holds only a weak reference: once @self is finalized, lookup finds
 * nothing. Registering the same source again gives a new name. Main thread. */
char               *lb_credential_source_register (LbCredentialSource *self);
/* The source registered under @id, with a new reference; NULL when there is
 * none or it is gone. */
LbCredentialSource *lb_credential_source_lookup   (const char         *id);

G_END_DECLS
