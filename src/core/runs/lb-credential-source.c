/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbCredentialSource: the interface, dispatching to its implementations, and
 * the registry that names sources for action parameters. */
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

/* Registry ------------------------------------------------------------------- */

static GHashTable *registry;   /* id -> GWeakRef* */
static guint64     last_id;

static void
weak_ref_free (gpointer data)
{
  GWeakRef *ref = data;

  g_weak_ref_clear (ref);
  g_free (ref);
}

static gboolean
weak_ref_is_dead (gpointer key,
                  gpointer value,
                  gpointer user_data)
{
  g_autoptr(GObject) object = g_weak_ref_get (value);

  return object == NULL;
}

char *
lb_credential_source_register (LbCredentialSource *self)
{
  GWeakRef *ref;
  char *id;

  g_return_val_if_fail (LB_IS_CREDENTIAL_SOURCE (self), NULL);

  if (registry == NULL)
    registry = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, weak_ref_free);

  /* Names of sources that died are dropped as new ones come. */
  g_hash_table_foreach_remove (registry, weak_ref_is_dead, NULL);

  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  id = g_strdup_printf ("credential-source-%" G_GUINT64_FORMAT, ++last_id);
  g_hash_table_insert (registry, g_strdup (id), ref);

  return id;
}

LbCredentialSource *
lb_credential_source_lookup (const char *id)
{
  GWeakRef *ref;

  g_return_val_if_fail (id != NULL, NULL);

  ref = registry != NULL ? g_hash_table_lookup (registry, id) : NULL;
  if (ref == NULL)
    return NULL;

  return g_weak_ref_get (ref);
}
