/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The tokens of our own browser sign-in (lb-oauth-login.h), kept in the
 * user's keyring through libsecret (inside the Flatpak: the Secret portal),
 * one item per workspace host and profile. */
#pragma once

#include <gio/gio.h>

#include "lb-oauth-login.h"

G_BEGIN_DECLS

/* @profile: the profile's name, or NULL for a host signed in without one.
 * The secret is JSON holding the access and refresh tokens, their expiry
 * and the token endpoint; the item's label names the host, never a token. */
void           lb_oauth_token_store_save_async    (const char           *host,
                                                   const char           *profile,
                                                   const LbOAuthTokens  *tokens,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean       lb_oauth_token_store_save_finish   (GAsyncResult         *result,
                                                   GError              **error);
/* NULL without an error when nothing is kept for @host and @profile. */
void           lb_oauth_token_store_lookup_async  (const char           *host,
                                                   const char           *profile,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
LbOAuthTokens *lb_oauth_token_store_lookup_finish (GAsyncResult         *result,
                                                   GError              **error);
void           lb_oauth_token_store_delete_async  (const char           *host,
                                                   const char           *profile,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean       lb_oauth_token_store_delete_finish (GAsyncResult         *result,
                                                   GError              **error);
/* Deletes every sign-in kept for @host (any profile) when @profile is
 * NULL, for @profile (any host) when @host is NULL, else for both; at
 * least one is needed. @removed: whether there was any. */
void           lb_oauth_token_store_forget_async  (const char           *host,
                                                   const char           *profile,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean       lb_oauth_token_store_forget_finish (GAsyncResult         *result,
                                                   gboolean             *removed,
                                                   GError              **error);

G_END_DECLS
