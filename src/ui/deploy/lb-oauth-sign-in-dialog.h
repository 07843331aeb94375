/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LB_TYPE_OAUTH_SIGN_IN_DIALOG (lb_oauth_sign_in_dialog_get_type ())

/* "Sign in with browser": asks for the workspace URL (an account id for
 * account and unified hosts, shown for accounts.… URLs or when ticked),
 * (and a profile name,
 * and whether to add the profile to the profiles file), opens the
 * workspace's sign-in page in the browser, waits for it with a Cancel, and
 * keeps the tokens in the keyring (lb-oauth-token-store.h).
 *
 * Signals: "signed-in" (const char *name, const char *host, gboolean
 * in_config_file, const char *note): the tokens are in the keyring; the
 * profile is in the profiles file when @in_config_file, else the caller
 * keeps it; @note (or NULL) says why the file was not written. The dialog
 * closes itself afterwards. */
G_DECLARE_FINAL_TYPE (LbOAuthSignInDialog, lb_oauth_sign_in_dialog, LB, OAUTH_SIGN_IN_DIALOG, AdwWindow)

/* @config_file: the profiles file (~/.databrickscfg or DATABRICKS_CONFIG_FILE);
 * @taken: the profile names already in use. */
LbOAuthSignInDialog *lb_oauth_sign_in_dialog_new      (GtkWindow           *parent,
                                                       GFile               *config_file,
                                                       const char * const  *taken);
/* Fills in the URL (e.g. the host typed in the Deploy view). */
void                 lb_oauth_sign_in_dialog_set_host (LbOAuthSignInDialog *self,
                                                       const char          *host);
/* After "signed-in": the account id (given, or the host's own) and the
 * workspace id of a unified host's workspace; NULL when none. */
const char          *lb_oauth_sign_in_dialog_get_account_id   (LbOAuthSignInDialog *self);
const char          *lb_oauth_sign_in_dialog_get_workspace_id (LbOAuthSignInDialog *self);

G_END_DECLS
