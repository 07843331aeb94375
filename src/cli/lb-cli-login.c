/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lakebase-cli login: the browser sign-in (lb-oauth-login.h) from a
 * terminal. Prints the page to open (and opens it when it can), waits for
 * the browser, keeps the tokens in the keyring and, with --save-config,
 * adds the profile to ~/.databrickscfg so --profile NAME finds it. */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <stdio.h>

#include "lb-cli.h"
#include "lb-databricks-config.h"
#include "lb-oauth-login.h"
#include "lb-oauth-profile.h"
#include "lb-oauth-token-store.h"

typedef struct
{
  GAsyncResult *result;
  gboolean      open_browser;
} Login;

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
}

static void
open_uri_cb (LbOAuthLogin *login,
             const char   *uri,
             Login        *state)
{
  g_autoptr(GError) error = NULL;

  /* The URL holds no secret (the challenge and the state only). */
  g_print (_("Open this page in your browser to sign in:\n\n  %s\n\n"), uri);
  fflush (stdout);
  if (state->open_browser && !g_app_info_launch_default_for_uri (uri, NULL, &error))
    g_printerr (_("(No browser could be opened: %s)\n"), error->message);
}

static gboolean
interrupted_cb (gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
  return G_SOURCE_CONTINUE;
}

static GFile *
config_file (void)
{
  const char *path = g_getenv ("DATABRICKS_CONFIG_FILE");
  g_autofree char *default_path = g_build_filename (g_get_home_dir (), ".databrickscfg", NULL);

  return g_file_new_for_path (path != NULL && path[0] != '\0' ? path : default_path);
}

int
lb_cli_login (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LbOAuthLogin) login = NULL;
  g_autoptr(LbOAuthTokens) tokens = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) saved = NULL;
  g_autofree char *host_option = NULL;
  g_autofree char *profile = NULL;
  g_autofree char *host = NULL;
  g_autofree char *account_id = NULL;
  g_autofree char *typed_workspace_id = NULL;
  g_auto(GStrv) rest = NULL;
  gboolean save_config = FALSE;
  gboolean no_browser = FALSE;
  int timeout_s = 300;
  int port = -1;
  Login state = { NULL, TRUE };
  guint sigint_id;
  const GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &host_option, N_("The workspace URL"), N_("URL") },
    { "profile", 'p', 0, G_OPTION_ARG_STRING, &profile,
      N_("The profile's name (default: the host's first label)"), N_("NAME") },
    { "account-id", 0, 0, G_OPTION_ARG_STRING, &account_id,
      N_("The account (a UUID) of an account console or a unified host"), N_("ID") },
    { "save-config", 0, 0, G_OPTION_ARG_NONE, &save_config,
      N_("Add the profile to ~/.databrickscfg (or DATABRICKS_CONFIG_FILE)"), NULL },
    { "no-browser", 0, 0, G_OPTION_ARG_NONE, &no_browser, N_("Only print the page to open"), NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout_s, N_("Give up after this many seconds (default 300)"), N_("S") },
    { "port", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &port, NULL, NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Sign in to a Databricks workspace in the browser (OAuth, as\n"
                                           "`databricks auth login` does) and keep the sign-in in the\n"
                                           "keyring. Tokens are never printed."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!lb_cli_parse_options (context, "login", &argc, &argv))
    return LB_CLI_EXIT_USAGE;
  if (rest != NULL && rest[0] != NULL)
    {
      lb_cli_print_error (_("unexpected argument “%s”"), rest[0]);
      return LB_CLI_EXIT_USAGE;
    }
  if (host_option == NULL)
    {
      lb_cli_print_error (_("--host is needed: the URL of the workspace to sign in to"));
      return LB_CLI_EXIT_USAGE;
    }
  if (timeout_s < 1)
    {
      lb_cli_print_error (_("--timeout must be at least 1 second"));
      return LB_CLI_EXIT_USAGE;
    }

  host = lb_databricks_normalize_host (host_option, &typed_workspace_id, &error);
  if (host == NULL)
    {
      lb_cli_print_error ("%s", error->message);
      return LB_CLI_EXIT_USAGE;
    }
  if (account_id != NULL && !lb_oauth_is_valid_account_id (account_id))
    {
      lb_cli_print_error (_("--account-id takes a UUID such as 0a1b2c3d-1234-5678-9abc-def012345678"));
      return LB_CLI_EXIT_USAGE;
    }
  if (profile == NULL || profile[0] == '\0')
    {
      g_free (profile);
      profile = lb_oauth_profile_suggest_name (host);
    }

  login = lb_oauth_login_new (host, account_id);
  lb_oauth_login_set_timeout (login, (guint) timeout_s);
  if (port >= 0)
    lb_oauth_login_set_port (login, port);
  state.open_browser = !no_browser;
  g_signal_connect (login, "open-uri", G_CALLBACK (open_uri_cb), &state);

  sigint_id = g_unix_signal_add (SIGINT, interrupted_cb, cancellable);
  lb_oauth_login_run_async (login, cancellable, done_cb, &state.result);
  wait_for (&state.result);
  g_source_remove (sigint_id);

  tokens = lb_oauth_login_run_finish (login, state.result, &error);
  g_clear_object (&state.result);
  if (tokens == NULL)
    {
      lb_cli_print_error ("%s", error->message);
      return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? LB_CLI_EXIT_SIGNAL + SIGINT
                                                                       : LB_CLI_EXIT_FAILURE;
    }

  lb_oauth_token_store_save_async (host, profile, tokens, NULL, done_cb, &saved);
  wait_for (&saved);
  if (!lb_oauth_token_store_save_finish (saved, &error))
    {
      lb_cli_print_error (_("signed in, but the keyring did not keep the sign-in (%s): unlock or set up a "
                            "keyring, then run this again"), error->message);
      return LB_CLI_EXIT_FAILURE;
    }

  g_print (_("Signed in to %s as profile “%s”; the sign-in is kept in the keyring.\n"), host, profile);
  if (save_config)
    {
      g_autoptr(GFile) file = config_file ();
      g_autofree char *display = g_file_get_parse_name (file);

      const LbOAuthEndpoints *found = lb_oauth_login_get_endpoints (login);
      const char *workspace_id = found != NULL && found->host_type == LB_OAUTH_HOST_UNIFIED
                                 ? (found->workspace_id != NULL ? found->workspace_id : typed_workspace_id)
                                 : NULL;
      const char *account = found != NULL && found->host_type != LB_OAUTH_HOST_WORKSPACE ? found->account_id : NULL;

      if (!lb_oauth_profile_write_to_config_full (file, profile, host, account, workspace_id, &error))
        {
          lb_cli_print_error ("%s", error->message);
          return LB_CLI_EXIT_FAILURE;
        }
      g_print (_("Profile “%s” added to %s: use it with --profile %s.\n"), profile, display, profile);
    }
  else
    g_print (_("Add --save-config to add the profile to ~/.databrickscfg, so that --profile %s finds it.\n"),
             profile);

  return LB_CLI_EXIT_OK;
}

/* lakebase-cli logout: deletes the browser sign-in's tokens from the
 * keyring (the profile itself stays in ~/.databrickscfg, as with
 * `databricks auth logout`). */
int
lb_cli_logout (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *host_option = NULL;
  g_autofree char *profile = NULL;
  g_autofree char *host = NULL;
  g_auto(GStrv) rest = NULL;
  gboolean removed = FALSE;
  const GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &host_option, N_("Forget every sign-in to this workspace URL"), N_("URL") },
    { "profile", 'p', 0, G_OPTION_ARG_STRING, &profile, N_("Forget the sign-in of this profile"), N_("NAME") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Delete the tokens of a browser sign-in (lakebase-cli login or the\n"
                                           "app's Sign In with Browser) from the keyring. A profile in\n"
                                           "~/.databrickscfg stays there; using it needs a new sign-in."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!lb_cli_parse_options (context, "logout", &argc, &argv))
    return LB_CLI_EXIT_USAGE;
  if (rest != NULL && rest[0] != NULL)
    {
      lb_cli_print_error (_("unexpected argument “%s”"), rest[0]);
      return LB_CLI_EXIT_USAGE;
    }
  if (host_option == NULL && (profile == NULL || profile[0] == '\0'))
    {
      lb_cli_print_error (_("--profile NAME or --host URL is needed: the sign-in to forget"));
      return LB_CLI_EXIT_USAGE;
    }
  if (host_option != NULL)
    {
      host = lb_databricks_normalize_host (host_option, NULL, &error);
      if (host == NULL)
        {
          lb_cli_print_error ("%s", error->message);
          return LB_CLI_EXIT_USAGE;
        }
    }

  lb_oauth_token_store_forget_async (host, profile, NULL, done_cb, &result);
  wait_for (&result);
  if (!lb_oauth_token_store_forget_finish (result, &removed, &error))
    {
      lb_cli_print_error (_("the keyring did not let go of the sign-in (%s): unlock it and try again"),
                          error->message);
      return LB_CLI_EXIT_FAILURE;
    }

  if (!removed)
    {
      if (profile != NULL)
        g_print (_("No sign-in of profile “%s” was kept in the keyring.\n"), profile);
      else
        g_print (_("No sign-in to %s was kept in the keyring.\n"), host);
      return LB_CLI_EXIT_OK;
    }
  if (profile != NULL && host != NULL)
    g_print (_("Forgot the sign-in of profile “%s” to %s.\n"), profile, host);
  else if (profile != NULL)
    g_print (_("Forgot the sign-in of profile “%s”.\n"), profile);
  else
    g_print (_("Forgot every sign-in to %s.\n"), host);
  return LB_CLI_EXIT_OK;
}
