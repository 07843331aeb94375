/* SPDX-License-Identifier: GPL-3.0-or-later */
/* "Sign In with Browser" in the real main window under Xvfb: the action
 * beside the profile picker opens the dialog, the fake workspace's URL is
 * typed, the test plays the browser (authorize page, consent, redirect to
 * the app's loopback listener), and the new profile ends up picked and
 * checked. Also: saving it to the profiles file, a profiles file that may
 * only be read, Cancel while waiting, and a host without OAuth. The tokens
 * land in a real keyring (gnome-keyring on a private bus). Screenshots;
 * no secret in a label or the log. */
#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "lb-compat.h"
#include "lb-deploy-page.h"
#include "lb-fake-workspace.h"
#include "lb-oauth-sign-in-dialog.h"
#include "lb-oauth-token-store.h"
#include "lb-test-gtk-utils.h"
#include "lb-test-keyring.h"
#include "lb-window.h"
#include "lb-workspace-group.h"

static LbFakeWorkspace *fake;
static char *tmpdir;
static char *config_path;

/* The browser the test plays. */
static char *opened_uri;
static gboolean browse_at_once;
static LbFakeBrowser *browser;

typedef struct
{
  LbApplication    *app;
  LbWindow         *window;
  LbDeployPage     *page;
  LbWorkspaceGroup *group;
} Fixture;

static void
uri_responder (const char *uri,
               gpointer    user_data)
{
  g_free (opened_uri);
  opened_uri = g_strdup (uri);
  if (browse_at_once)
    browser = lb_fake_browser_start (uri, LB_FAKE_BROWSER_ALLOW);
}

static guint
assert_no_secret_in_labels (GtkWidget          *widget,
                            const char * const *secrets)
{
  guint n = 0;

  if (GTK_IS_LABEL (widget))
    {
      for (guint i = 0; secrets[i] != NULL; i++)
        g_assert_null (strstr (gtk_label_get_label (GTK_LABEL (widget)), secrets[i]));
      n++;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    n += assert_no_secret_in_labels (child, secrets);
  return n;
}

static LbOAuthSignInDialog *
find_dialog (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (LB_IS_OAUTH_SIGN_IN_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  return find_dialog () != NULL;
}

static gboolean
dialog_gone (gpointer data)
{
  return find_dialog () == NULL;
}

static gboolean
uri_opened (gpointer data)
{
  return opened_uri != NULL;
}

static gboolean
profile_selected (gpointer data)
{
  void **pair = data;

  return lb_deploy_page_select_profile (pair[0], pair[1]);
}

static void
select_profile (LbDeployPage *page,
                const char   *name)
{
  void *pair[2] = { page, (void *) name };

  lb_test_spin_until_func (profile_selected, pair, 10);
  g_assert_true (lb_deploy_page_select_profile (page, name));
  lb_test_spin_briefly ();
}

static char **
all_secrets (void)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) issued = lb_fake_workspace_dup_secrets (fake);

  g_strv_builder_addv (builder, (const char **) issued);
  g_strv_builder_add (builder, "oauth-access-expired-ui");
  g_strv_builder_add (builder, "oauth-refresh-revoked-ui");
  return g_strv_builder_end (builder);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  lb_test_reset_settings ();
  g_clear_pointer (&opened_uri, g_free);
  browse_at_once = TRUE;

  fixture->app = lb_test_new_application ();
  fixture->window = lb_window_new (fixture->app);
  lb_test_present_window (GTK_WINDOW (fixture->window), 1000, 800);
  lb_window_show_page (fixture->window, "deploy");
  fixture->page = LB_DEPLOY_PAGE (lb_test_find_widget_of_type (GTK_WIDGET (fixture->window), LB_TYPE_DEPLOY_PAGE));
  fixture->group = LB_WORKSPACE_GROUP (lb_test_find_widget_of_type (GTK_WIDGET (fixture->window), LB_TYPE_WORKSPACE_GROUP));
  g_assert_nonnull (fixture->page);
  g_assert_nonnull (fixture->group);
  select_profile (fixture->page, "DEFAULT");
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();
  g_auto(GStrv) secrets = all_secrets ();

  g_assert_null (browser);
  assert_no_secret_in_labels (GTK_WIDGET (fixture->window), (const char * const *) secrets);
  for (GList *l = toplevels; l != NULL; l = l->next)
    if (GTK_WIDGET (l->data) != GTK_WIDGET (fixture->window))
      gtk_window_destroy (GTK_WINDOW (l->data));
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  lb_test_spin_briefly ();
  g_clear_object (&fixture->app);
}

/* Clicks "Sign In with Browser…" (its action) and fills in the dialog. */
static LbOAuthSignInDialog *
open_dialog (Fixture    *fixture,
             const char *host,
             const char *name)
{
  LbOAuthSignInDialog *dialog;
  GtkWidget *row;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->group), "workspace.sign-in", NULL));
  lb_test_spin_until_func (dialog_shown, NULL, 10);
  dialog = find_dialog ();
  g_assert_nonnull (dialog);

  /* The rows in order: URL, then profile name. */
  row = lb_test_find_widget_of_type (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW);
  g_assert_nonnull (row);
  gtk_editable_set_text (GTK_EDITABLE (row), host);
  if (name != NULL)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (row);

      g_assert_true (ADW_IS_ENTRY_ROW (next));
      gtk_editable_set_text (GTK_EDITABLE (next), name);
    }
  lb_test_spin_briefly ();
  return dialog;
}

/* "Also save to …": the last switch (the account one comes first). */
static GtkWidget *
last_switch (GtkWidget *widget)
{
  GtkWidget *found = GTK_IS_SWITCH (widget) ? widget : NULL;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *inner = last_switch (child);

      if (inner != NULL)
        found = inner;
    }
  return found;
}

static GtkWidget *
save_switch_of (LbOAuthSignInDialog *dialog)
{
  return last_switch (GTK_WIDGET (dialog));
}

static void
finish_browser (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *page = NULL;
  guint status = 0;

  g_assert_nonnull (browser);
  lb_test_spin_until_func (lb_fake_browser_is_done, browser, 20);
  page = lb_fake_browser_finish (g_steal_pointer (&browser), &status, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (strstr (page, "You can close this tab"));
}

static gboolean
user_known (gpointer data)
{
  return lb_deploy_page_get_user_name (data) != NULL;
}

static void
test_sign_in (Fixture       *fixture,
              gconstpointer  data)
{
  LbOAuthSignInDialog *dialog;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GVariant) kept = NULL;
  g_autofree char *host = NULL;
  g_autofree char *config = NULL;
  g_auto(GStrv) secrets = NULL;

  lb_test_spin_ms (200);
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "oauth-deploy-before");

  /* The browser waits, so the dialog is seen waiting. */
  browse_at_once = FALSE;
  dialog = open_dialog (fixture, lb_fake_workspace_get_url (fake), "browser-ws");
  lb_test_save_screenshot (GTK_WIDGET (dialog), "oauth-dialog-filled");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "sign-in.start", NULL));
  lb_test_spin_until_func (uri_opened, NULL, 10);
  g_assert_true (g_str_has_prefix (opened_uri, lb_fake_workspace_get_url (fake)));
  lb_test_wait_for_label_containing (dialog, "Waiting for the browser", 20);
  lb_test_wait_for_label_containing (dialog, "open the sign-in page", 20);
  lb_test_save_screenshot (GTK_WIDGET (dialog), "oauth-dialog-waiting");

  /* Now the person signs in, in the browser. */
  browser = lb_fake_browser_start (opened_uri, LB_FAKE_BROWSER_ALLOW);
  lb_test_spin_until_func (dialog_gone, NULL, 20);
  finish_browser ();
  g_assert_null (find_dialog ());

  /* The new profile is picked and checked. */
  lb_test_spin_until_func (user_known, fixture->page, 20);
  g_assert_cmpstr (lb_deploy_page_get_user_name (fixture->page), ==, "ana@example.com");
  lb_test_wait_for_label_containing (fixture->page, "browser-ws", 20);
  lb_test_wait_for_label_containing (fixture->page, "ana@example.com on", 20);
  lb_test_spin_briefly ();
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "oauth-deploy-signed-in");
  g_assert_cmpuint (lb_fake_workspace_count_oauth_grants (fake, "authorization_code"), >=, 1);

  /* Kept in our settings (name → host), not in the profiles file. */
  kept = g_settings_get_value (settings, "signed-in-profiles");
  g_assert_true (g_variant_lookup (kept, "browser-ws", "s", &host));
  g_assert_cmpstr (host, ==, lb_fake_workspace_get_url (fake));
  g_assert_true (g_file_get_contents (config_path, &config, NULL, NULL));
  g_assert_null (strstr (config, "browser-ws"));

  /* Read again (as at the next start) and picked again: a new client
   * signs in from the keyring, no browser. */
  g_clear_pointer (&opened_uri, g_free);
  select_profile (fixture->page, "DEFAULT");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "deploy.refresh", NULL));
  lb_test_spin_ms (300);
  select_profile (fixture->page, "browser-ws");
  g_assert_null (lb_deploy_page_get_user_name (fixture->page));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "deploy.check", NULL));
  lb_test_spin_until_func (user_known, fixture->page, 20);
  g_assert_cmpstr (lb_deploy_page_get_user_name (fixture->page), ==, "ana@example.com");
  g_assert_null (opened_uri);

  secrets = all_secrets ();
  g_assert_cmpuint (assert_no_secret_in_labels (GTK_WIDGET (fixture->window), (const char * const *) secrets), >, 10);
}

static LbOAuthTokens *lookup_tokens (const char *host, const char *profile);
static AdwMessageDialog *find_message_dialog (void);
static gboolean message_dialog_shown (gpointer data);

static void
test_save_to_config (Fixture       *fixture,
                     gconstpointer  data)
{
  LbOAuthSignInDialog *dialog = open_dialog (fixture, lb_fake_workspace_get_url (fake), "in-file");
  GtkWidget *save = save_switch_of (dialog);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GVariant) kept = NULL;
  g_autofree char *config = NULL;
  g_autofree char *section = g_strdup_printf ("[in-file]\nhost      = %s\nauth_type = databricks-cli\n",
                                              lb_fake_workspace_get_url (fake));

  g_assert_true (gtk_widget_get_sensitive (save));
  gtk_switch_set_active (GTK_SWITCH (save), TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "sign-in.start", NULL));
  lb_test_spin_until_func (dialog_gone, NULL, 20);
  finish_browser ();

  lb_test_spin_until_func (user_known, fixture->page, 20);
  lb_test_wait_for_label_containing (fixture->page, "in-file", 20);
  g_assert_true (g_file_get_contents (config_path, &config, NULL, NULL));
  g_assert_nonnull (strstr (config, section));
  g_assert_true (g_str_has_prefix (config, "[DEFAULT]\n"));
  kept = g_settings_get_value (settings, "signed-in-profiles");
  g_assert_false (g_variant_lookup (kept, "in-file", "s", NULL));

  /* Forgotten: the tokens go, the profile stays in the file, and using it
   * needs a new sign-in. */
  {
    g_autoptr(LbOAuthTokens) tokens = lookup_tokens (lb_fake_workspace_get_url (fake), "in-file");
    g_autofree char *after = NULL;
    AdwMessageDialog *confirm;

    g_assert_nonnull (tokens);
    g_clear_pointer (&tokens, lb_oauth_tokens_free);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->group), "workspace.forget-sign-in", NULL));
    lb_test_spin_until_func (message_dialog_shown, NULL, 10);
    confirm = find_message_dialog ();
    g_assert_nonnull (strstr (adw_message_dialog_get_body (confirm), "The profile stays in"));
    adw_message_dialog_response (confirm, "forget");
    lb_test_wait_for_label_containing (fixture->window, "it needs a new sign-in", 20);
    tokens = lookup_tokens (lb_fake_workspace_get_url (fake), "in-file");
    g_assert_null (tokens);
    g_assert_true (g_file_get_contents (config_path, &after, NULL, NULL));
    g_assert_nonnull (strstr (after, section));
    select_profile (fixture->page, "in-file");
    g_assert_null (lb_deploy_page_get_user_name (fixture->page));
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "deploy.check", NULL));
    lb_test_wait_for_label_containing (fixture->page, "Sign In with Browser", 20);
    g_assert_null (lb_deploy_page_get_user_name (fixture->page));
    lb_test_spin_ms (200);
    lb_test_save_screenshot (GTK_WIDGET (fixture->window), "oauth-forgotten-file-profile");
  }
}

static void
test_read_only_config (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *blocker = g_build_filename (tmpdir, "not-a-folder", NULL);
  g_autofree char *unwritable = g_build_filename (blocker, "databrickscfg", NULL);
  LbOAuthSignInDialog *dialog;
  GtkWidget *save;

  /* A profiles file the app may not write (the Flatpak mounts it read-only). */
  g_assert_true (g_file_set_contents (blocker, "", -1, NULL));
  g_setenv ("DATABRICKS_CONFIG_FILE", unwritable, TRUE);
  lb_workspace_group_reload_profiles (fixture->group);
  lb_test_spin_ms (300);

  dialog = open_dialog (fixture, lb_fake_workspace_get_url (fake), NULL);
  save = save_switch_of (dialog);
  g_assert_false (gtk_widget_get_sensitive (save));
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (save)));
  lb_test_wait_for_label_containing (dialog, "may only be read here", 20);
  lb_test_wait_for_label_containing (dialog, "own settings", 20);
  /* No name typed: the row says which one is used. */
  lb_test_wait_for_label_containing (dialog, "default “127-0-0-1”", 20);
  lb_test_save_screenshot (GTK_WIDGET (dialog), "oauth-dialog-read-only");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "sign-in.start", NULL));
  lb_test_spin_until_func (dialog_gone, NULL, 20);
  finish_browser ();
  lb_test_spin_until_func (user_known, fixture->page, 20);
  lb_test_wait_for_label_containing (fixture->page, "127-0-0-1", 20);

  g_setenv ("DATABRICKS_CONFIG_FILE", config_path, TRUE);
}

static gboolean
not_waiting (gpointer data)
{
  return lb_test_find_label_containing (data, "Waiting for the browser") == NULL;
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  LbOAuthSignInDialog *dialog;
  GtkWidget *save;

  browse_at_once = FALSE;
  dialog = open_dialog (fixture, lb_fake_workspace_get_url (fake), "cancelled");
  save = save_switch_of (dialog);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "sign-in.start", NULL));
  lb_test_wait_for_label_containing (dialog, "Waiting for the browser", 20);
  g_assert_false (gtk_widget_is_sensitive (save));

  /* Cancel stops the wait and leaves the form to try again. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "sign-in.cancel", NULL));
  lb_test_spin_until_func (not_waiting, dialog, 10);
  g_assert_nonnull (find_dialog ());
  g_assert_true (gtk_widget_is_sensitive (save));

  /* The second Cancel closes. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "sign-in.cancel", NULL));
  lb_test_spin_until_func (dialog_gone, NULL, 10);
  g_assert_cmpstr (lb_deploy_page_get_user_name (fixture->page), ==, NULL);
}

static void
test_no_oauth (Fixture       *fixture,
               gconstpointer  data)
{
  LbOAuthSignInDialog *dialog;

  lb_fake_workspace_fail_next (fake, "GET", "/oidc/.well-known/", 404, NULL, 1);
  dialog = open_dialog (fixture, lb_fake_workspace_get_url (fake), "nothing");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "sign-in.start", NULL));
  lb_test_wait_for_label_containing (dialog, "does not offer browser sign-in", 20);
  lb_test_wait_for_label_containing (dialog, "personal access token", 20);
  g_assert_null (opened_uri);
  lb_test_spin_ms (200);
  lb_test_save_screenshot (GTK_WIDGET (dialog), "oauth-dialog-no-oauth");

  /* A name already in use is refused before anything is asked. */
  dialog = find_dialog ();
  {
    GtkWidget *row = lb_test_find_widget_of_type (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW);

    gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_next_sibling (row)), "DEFAULT");
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "sign-in.start", NULL));
  lb_test_wait_for_label_containing (dialog, "There is a profile named “DEFAULT” already", 20);
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lb_oauth_token_store_save_finish (result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
test_revoked (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *endpoint = g_strconcat (lb_fake_workspace_get_url (fake), "/oidc/v1/token", NULL);
  LbOAuthTokens stale = { 0, };
  gboolean saved = FALSE;

  /* A profile of an earlier sign-in whose refresh token was revoked since. */
  stale.access_token = (char *) "oauth-access-expired-ui";
  stale.refresh_token = (char *) "oauth-refresh-revoked-ui";
  stale.token_endpoint = endpoint;
  stale.expires_at = g_get_real_time () - G_USEC_PER_SEC;
  lb_oauth_token_store_save_async (lb_fake_workspace_get_url (fake), "stale", &stale, NULL, saved_cb, &saved);
  lb_test_spin_until (&saved, 20);
  g_settings_set_value (settings, "signed-in-profiles",
                        g_variant_new_parsed ("{%s: %s}", "stale", lb_fake_workspace_get_url (fake)));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "deploy.refresh", NULL));
  select_profile (fixture->page, "stale");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "deploy.check", NULL));
  lb_test_wait_for_label_containing (fixture->page, "has expired or was revoked", 20);
  lb_test_wait_for_label_containing (fixture->page, "Sign In with Browser", 20);
  g_assert_null (lb_deploy_page_get_user_name (fixture->page));
  lb_test_spin_ms (200);
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "oauth-deploy-revoked");
}

#define UI_ACCOUNT   "0a1b2c3d-1234-5678-9abc-def012345678"
#define UI_WORKSPACE "1234567890123456"

/* The dialog's @n-th entry row (0: URL, 1: profile name, 2: account id). */
static AdwEntryRow *
entry_row (LbOAuthSignInDialog *dialog,
           guint                n)
{
  GtkWidget *row = lb_test_find_widget_of_type (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW);

  for (; row != NULL; row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_ENTRY_ROW (row) && n-- == 0)
      return ADW_ENTRY_ROW (row);
  g_assert_not_reached ();
}

/* The "Sign in through a Databricks account" row: after the name row. */
static AdwActionRow *
account_switch_row (LbOAuthSignInDialog *dialog)
{
  GtkWidget *row = gtk_widget_get_next_sibling (GTK_WIDGET (entry_row (dialog, 1)));

  g_assert_true (ADW_IS_ACTION_ROW (row));
  return ADW_ACTION_ROW (row);
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
has_result (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static LbOAuthTokens *
lookup_tokens (const char *host,
               const char *profile)
{
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  LbOAuthTokens *tokens;

  lb_oauth_token_store_lookup_async (host, profile, NULL, store_result_cb, &result);
  lb_test_spin_until_func (has_result, &result, 20);
  g_assert_nonnull (result);
  tokens = lb_oauth_token_store_lookup_finish (result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  return tokens;
}

/* The account id field: shown for accounts.… URLs or when ticked, checked
 * to be a UUID, passed to discovery; a unified host then signs in through
 * the account's OIDC, and its workspace id goes with the profile. */
static void
test_account_id (Fixture       *fixture,
                 gconstpointer  data)
{
  LbOAuthSignInDialog *dialog;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GVariant) ids = NULL;
  g_autoptr(GVariant) entry = NULL;
  AdwEntryRow *account;
  GtkWidget *account_switch;
  const char *value = NULL;
  g_autofree char *prefix = NULL;

  lb_fake_workspace_set_oauth_unified (fake, UI_ACCOUNT, NULL);
  browse_at_once = TRUE;
  dialog = open_dialog (fixture, lb_fake_workspace_get_url (fake), "unified-acct");
  account = entry_row (dialog, 2);
  account_switch = adw_action_row_get_activatable_widget (account_switch_row (dialog));
  g_assert_true (GTK_IS_SWITCH (account_switch));

  /* A workspace-looking URL: no field until ticked. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (account)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (account_switch_row (dialog))));

  /* An account console: the field, and nothing to tick. */
  gtk_editable_set_text (GTK_EDITABLE (entry_row (dialog, 0)), "https://accounts.cloud.databricks.com");
  lb_test_spin_briefly ();
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (account)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (account_switch_row (dialog))));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "sign-in.start", NULL));
  lb_test_wait_for_label_containing (dialog, "Type the account ID", 20);
  g_assert_null (opened_uri);

  /* The unified host without the id: it asks for one, and the field shows. */
  gtk_editable_set_text (GTK_EDITABLE (entry_row (dialog, 0)), lb_fake_workspace_get_url (fake));
  lb_test_spin_briefly ();
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (account)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "sign-in.start", NULL));
  lb_test_wait_for_label_containing (dialog, "give the account id", 20);
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (account_switch)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (account)));
  g_assert_null (opened_uri);

  /* Not a UUID: said so, no browser. */
  gtk_editable_set_text (GTK_EDITABLE (account), "my-account");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "sign-in.start", NULL));
  lb_test_wait_for_label_containing (dialog, "The account ID is a UUID", 20);
  g_assert_null (opened_uri);
  lb_test_spin_ms (200);
  lb_test_save_screenshot (GTK_WIDGET (dialog), "oauth-dialog-account-id-invalid");

  /* The right one: the browser goes to the account's OIDC; the URL was
   * copied from a workspace of the host (?o=). */
  {
    g_autofree char *with_workspace = g_strconcat (lb_fake_workspace_get_url (fake), "/?o=777", NULL);

    gtk_editable_set_text (GTK_EDITABLE (entry_row (dialog, 0)), with_workspace);
  }
  gtk_editable_set_text (GTK_EDITABLE (account), UI_ACCOUNT);
  lb_test_spin_briefly ();
  lb_test_save_screenshot (GTK_WIDGET (dialog), "oauth-dialog-account-id");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "sign-in.start", NULL));
  lb_test_spin_until_func (dialog_gone, NULL, 20);
  finish_browser ();
  prefix = g_strconcat (lb_fake_workspace_get_url (fake), "/oidc/accounts/" UI_ACCOUNT "/v1/authorize?", NULL);
  g_assert_true (g_str_has_prefix (opened_uri, prefix));
  lb_test_spin_until_func (user_known, fixture->page, 20);
  g_assert_cmpstr (lb_deploy_page_get_user_name (fixture->page), ==, "ana@example.com");

  /* Kept with the profile: name → host as before, and its ids beside. */
  ids = g_settings_get_value (settings, "signed-in-profile-ids");
  entry = g_variant_lookup_value (ids, "unified-acct", G_VARIANT_TYPE ("a{ss}"));
  g_assert_nonnull (entry);
  g_assert_true (g_variant_lookup (entry, "account_id", "&s", &value));
  g_assert_cmpstr (value, ==, UI_ACCOUNT);
  g_assert_true (g_variant_lookup (entry, "workspace_id", "&s", &value));
  g_assert_cmpstr (value, ==, "777");
  /* … and the checks named that workspace. */
  g_assert_cmpuint (lb_fake_workspace_count_workspace_id (fake, "777"), >=, 1);
  lb_fake_workspace_set_oauth_unified (fake, NULL, NULL);
}

/* A unified host's workspace URL: no account id to type; the workspace id
 * from the host names the workspace in X-Databricks-Workspace-Id. */
static void
test_unified_workspace (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GVariant) ids = NULL;
  g_autoptr(GVariant) entry = NULL;
  LbOAuthSignInDialog *dialog;
  const char *value = NULL;
  guint before;

  lb_fake_workspace_set_oauth_unified (fake, UI_ACCOUNT, UI_WORKSPACE);
  browse_at_once = TRUE;
  before = lb_fake_workspace_count_workspace_id (fake, UI_WORKSPACE);
  dialog = open_dialog (fixture, lb_fake_workspace_get_url (fake), "unified-ws");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "sign-in.start", NULL));
  lb_test_spin_until_func (dialog_gone, NULL, 20);
  finish_browser ();
  lb_test_spin_until_func (user_known, fixture->page, 20);
  g_assert_cmpstr (lb_deploy_page_get_user_name (fixture->page), ==, "ana@example.com");
  g_assert_cmpuint (lb_fake_workspace_count_workspace_id (fake, UI_WORKSPACE), >, before);

  ids = g_settings_get_value (settings, "signed-in-profile-ids");
  entry = g_variant_lookup_value (ids, "unified-ws", G_VARIANT_TYPE ("a{ss}"));
  g_assert_nonnull (entry);
  g_assert_true (g_variant_lookup (entry, "workspace_id", "&s", &value));
  g_assert_cmpstr (value, ==, UI_WORKSPACE);
  g_assert_true (g_variant_lookup (entry, "account_id", "&s", &value));
  g_assert_cmpstr (value, ==, UI_ACCOUNT);
  lb_fake_workspace_set_oauth_unified (fake, NULL, NULL);
}

static AdwMessageDialog *
find_message_dialog (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static gboolean
message_dialog_shown (gpointer data)
{
  return find_message_dialog () != NULL;
}

static gboolean
profile_gone (gpointer data)
{
  void **pair = data;

  return !lb_deploy_page_select_profile (pair[0], pair[1]);
}

/* Forget Sign-In: confirmed in a message dialog, the tokens leave the
 * keyring and a settings-only profile leaves the picker; Cancel keeps all. */
static void
test_forget (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GVariant) kept = NULL;
  g_autoptr(LbOAuthTokens) tokens = NULL;
  LbOAuthSignInDialog *dialog;
  AdwMessageDialog *confirm;
  const char *host = lb_fake_workspace_get_url (fake);
  void *pair[2] = { fixture->page, (void *) "forget-me" };

  /* A profile of the file that the app did not sign in: nothing to forget. */
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (fixture->group), "workspace.forget-sign-in", NULL) &&
                  find_message_dialog () != NULL);

  browse_at_once = TRUE;
  dialog = open_dialog (fixture, host, "forget-me");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "sign-in.start", NULL));
  lb_test_spin_until_func (dialog_gone, NULL, 20);
  finish_browser ();
  lb_test_spin_until_func (user_known, fixture->page, 20);
  tokens = lookup_tokens (host, "forget-me");
  g_assert_nonnull (tokens);
  g_clear_pointer (&tokens, lb_oauth_tokens_free);

  /* Cancel: nothing happens. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->group), "workspace.forget-sign-in", NULL));
  lb_test_spin_until_func (message_dialog_shown, NULL, 10);
  confirm = find_message_dialog ();
  g_assert_nonnull (confirm);
  adw_message_dialog_response (confirm, "cancel");
  lb_test_spin_briefly ();
  tokens = lookup_tokens (host, "forget-me");
  g_assert_nonnull (tokens);
  g_clear_pointer (&tokens, lb_oauth_tokens_free);

  /* Forget: the dialog says what happens. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->group), "workspace.forget-sign-in", NULL));
  lb_test_spin_until_func (message_dialog_shown, NULL, 10);
  confirm = find_message_dialog ();
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (confirm), "forget-me"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (confirm), "deleted from your keyring"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (confirm), host));
  lb_test_spin_ms (300);
  lb_test_save_screenshot (GTK_WIDGET (confirm), "oauth-forget-confirm");
  adw_message_dialog_response (confirm, "forget");

  lb_test_spin_until_func (profile_gone, pair, 20);
  g_assert_false (lb_deploy_page_select_profile (fixture->page, "forget-me"));
  tokens = lookup_tokens (host, "forget-me");
  g_assert_null (tokens);
  kept = g_settings_get_value (settings, "signed-in-profiles");
  g_assert_false (g_variant_lookup (kept, "forget-me", "&s", NULL));
  g_clear_pointer (&kept, g_variant_unref);
  kept = g_settings_get_value (settings, "signed-in-profile-ids");
  g_assert_false (g_variant_lookup_value (kept, "forget-me", NULL) != NULL);
  lb_test_spin_ms (300);
  lb_test_save_screenshot (GTK_WIDGET (fixture->window), "oauth-forgotten");
}

static void
test_no_secret_in_log (void)
{
  g_auto(GStrv) secrets = all_secrets ();
  g_autofree char *log = NULL;

  log = lb_test_dup_captured_log ();

  /* The PAT, then per sign-in a code, a verifier, an access and a refresh
   * token (three sign-ins when the keyring tests ran). */
  g_assert_cmpuint (g_strv_length (secrets), >=, 1);
  for (guint i = 0; secrets[i] != NULL; i++)
    g_assert_null (strstr (log, secrets[i]));
  g_test_message ("%u secrets checked against %u bytes of log: none found",
                  g_strv_length (secrets), (guint) strlen (log));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *config = NULL;
  g_autofree char *why = NULL;
  LbTestKeyring *keyring;
  int ret;

  config_path = lb_test_isolate_workspace_env ("lb-ui-oauth-XXXXXX");
  tmpdir = g_path_get_dirname (config_path);
  g_setenv ("DATABRICKS_CLI_PATH", "/nonexistent/databricks", TRUE);

  lb_test_capture_log ();

  /* A real keyring on a bus of our own, before anything connects. */
  keyring = lb_test_keyring_start (&why);

  fake = lb_fake_workspace_new ();
  config = g_strdup_printf ("[DEFAULT]\nhost = %s\ntoken = %s\n",
                            lb_fake_workspace_get_url (fake), lb_fake_workspace_get_token (fake));
  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));

  lb_test_gtk_init (&argc, &argv);
  lb_compat_set_uri_responder (uri_responder, NULL);

  if (keyring != NULL)
    {
      g_test_add ("/ui/oauth/sign-in", Fixture, NULL, fixture_setup, test_sign_in, fixture_teardown);
      g_test_add ("/ui/oauth/save-to-config", Fixture, NULL, fixture_setup, test_save_to_config, fixture_teardown);
      g_test_add ("/ui/oauth/revoked", Fixture, NULL, fixture_setup, test_revoked, fixture_teardown);
      g_test_add ("/ui/oauth/read-only-config", Fixture, NULL, fixture_setup, test_read_only_config,
                  fixture_teardown);
      g_test_add ("/ui/oauth/account-id", Fixture, NULL, fixture_setup, test_account_id, fixture_teardown);
      g_test_add ("/ui/oauth/unified-workspace", Fixture, NULL, fixture_setup, test_unified_workspace,
                  fixture_teardown);
      g_test_add ("/ui/oauth/forget", Fixture, NULL, fixture_setup, test_forget, fixture_teardown);
    }
  else
    g_test_message ("Sign-in tests left out: %s", why);
  g_test_add ("/ui/oauth/cancel", Fixture, NULL, fixture_setup, test_cancel, fixture_teardown);
  g_test_add ("/ui/oauth/no-oauth", Fixture, NULL, fixture_setup, test_no_oauth, fixture_teardown);
  g_test_add_func ("/ui/oauth/no-secret-in-log", test_no_secret_in_log);

  ret = g_test_run ();

  lb_fake_workspace_free (fake);
  lb_test_keyring_stop (keyring);
  lb_test_remove_tree (tmpdir);
  return ret;
}
