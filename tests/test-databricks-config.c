/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ~/.databrickscfg read as the Databricks CLI and SDKs read it: profiles,
 * precedence of the environment, host rules, auth method, bad input. */
#include "config.h"

#include <glib/gstdio.h>

#include "lb-databricks-config.h"

static const char *sample_config =
  "# A config as the CLI writes it\n"
  "[DEFAULT]\n"
  "host  = https://dbc-default.cloud.databricks.com/\n"
  "token = dapi-default-not-a-real-token\n"
  "\n"
  "[dev]\n"
  "host = dbc-dev.cloud.databricks.com   # without a scheme\n"
  "token = pass#word ; kept: no space before the marks\n"
  "warehouse_id = abc123\n"
  "\n"
  "[sp]\n"
  "host = https://dbc-sp.cloud.databricks.com?o=4242\n"
  "client_id = 11111111-2222-3333-4444-555555555555\n"
  "client_secret = \"se cret # quoted\"\n"
  "\n"
  "[u2m]\n"
  "host = https://dbc-u2m.cloud.databricks.com\n"
  "auth_type = databricks-cli\n"
  "\n"
  "[mixed]\n"
  "host = https://dbc-mixed.cloud.databricks.com\n"
  "token = t\n"
  "client_id = c\n"
  "client_secret = s\n"
  "\n"
  "[__settings__]\n"
  "default_profile = dev\n";

static LbDatabricksConfig *
load (const char         *data,
      const char * const *environ)
{
  g_autoptr(GError) error = NULL;
  LbDatabricksConfig *config = lb_databricks_config_new_from_data (data, ".databrickscfg", environ, &error);

  g_assert_no_error (error);
  g_assert_nonnull (config);
  return config;
}

static void
test_profiles_listed (void)
{
  const char *environ[] = { "HOME=/nonexistent", NULL };
  g_autoptr(LbDatabricksConfig) config = load (sample_config, environ);
  g_auto(GStrv) names = lb_databricks_config_list_profiles (config);
  const char *expected[] = { "DEFAULT", "dev", "sp", "u2m", "mixed", NULL };

  g_assert_cmpstrv (names, expected);
  g_assert_cmpstr (lb_databricks_config_get_default_profile (config), ==, "dev");
}

static void
test_values_and_kinds (void)
{
  const char *environ[] = { "HOME=/nonexistent", NULL };
  g_autoptr(LbDatabricksConfig) config = load (sample_config, environ);
  g_autoptr(GError) error = NULL;
  g_autoptr(LbDatabricksProfile) dev = NULL;
  g_autoptr(LbDatabricksProfile) sp = NULL;
  g_autoptr(LbDatabricksProfile) u2m = NULL;
  g_autoptr(LbDatabricksProfile) fallback = NULL;

  dev = lb_databricks_config_resolve (config, "dev", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dev->name, ==, "dev");
  g_assert_cmpstr (dev->host, ==, "https://dbc-dev.cloud.databricks.com");
  g_assert_cmpstr (dev->token, ==, "pass#word");
  g_assert_cmpstr (dev->warehouse_id, ==, "abc123");
  g_assert_cmpint (dev->auth_kind, ==, LB_DATABRICKS_AUTH_PAT);

  sp = lb_databricks_config_resolve (config, "sp", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sp->host, ==, "https://dbc-sp.cloud.databricks.com");
  g_assert_cmpstr (sp->workspace_id, ==, "4242");
  g_assert_cmpstr (sp->client_secret, ==, "se cret # quoted");
  g_assert_cmpint (sp->auth_kind, ==, LB_DATABRICKS_AUTH_OAUTH_M2M);
  /* [DEFAULT] is never merged into other profiles. */
  g_assert_null (sp->token);

  u2m = lb_databricks_config_resolve (config, "u2m", &error);
  g_assert_no_error (error);
  g_assert_cmpint (u2m->auth_kind, ==, LB_DATABRICKS_AUTH_OAUTH_U2M);

  /* No profile asked for: [__settings__] default_profile. */
  fallback = lb_databricks_config_resolve (config, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fallback->name, ==, "dev");
}

static void
test_describe_hides_secrets (void)
{
  const char *environ[] = { "HOME=/nonexistent", NULL };
  g_autoptr(LbDatabricksConfig) config = load (sample_config, environ);
  g_autoptr(LbDatabricksProfile) sp = lb_databricks_config_resolve (config, "sp", NULL);
  g_autoptr(LbDatabricksProfile) copy = lb_databricks_profile_copy (sp);
  g_autofree char *text = lb_databricks_profile_describe (sp);

  g_assert_cmpstr (text, ==, "sp: https://dbc-sp.cloud.databricks.com (oauth-m2m)");
  g_assert_null (strstr (text, "se cret"));
  g_assert_cmpstr (copy->client_secret, ==, sp->client_secret);
}

static void
test_environment_precedence (void)
{
  /* Host + token in the environment and no profile asked for: the file is not read. */
  const char *env_only[] = { "HOME=/nonexistent", "DATABRICKS_HOST=https://env.cloud.databricks.com",
                             "DATABRICKS_TOKEN=env-token", NULL };
  /* A profile asked for in the environment: the environment still wins per key. */
  const char *env_profile[] = { "HOME=/nonexistent", "DATABRICKS_CONFIG_PROFILE=sp",
                                "DATABRICKS_HOST=https://override.cloud.databricks.com", NULL };
  g_autoptr(LbDatabricksConfig) config1 = load (sample_config, env_only);
  g_autoptr(LbDatabricksConfig) config2 = load (sample_config, env_profile);
  g_autoptr(LbDatabricksProfile) a = lb_databricks_config_resolve (config1, NULL, NULL);
  g_autoptr(LbDatabricksProfile) b = lb_databricks_config_resolve (config2, NULL, NULL);
  g_autoptr(LbDatabricksProfile) c = lb_databricks_config_resolve (config1, "dev", NULL);

  g_assert_nonnull (a);
  g_assert_null (a->name);
  g_assert_cmpstr (a->host, ==, "https://env.cloud.databricks.com");
  g_assert_cmpstr (a->token, ==, "env-token");
  g_assert_null (a->warehouse_id);

  g_assert_nonnull (b);
  g_assert_cmpstr (b->name, ==, "sp");
  g_assert_cmpstr (b->host, ==, "https://override.cloud.databricks.com");
  g_assert_cmpstr (b->client_id, ==, "11111111-2222-3333-4444-555555555555");

  /* Asked for by name: the file fills what the environment lacks. */
  g_assert_nonnull (c);
  g_assert_cmpstr (c->token, ==, "env-token");
  g_assert_cmpstr (c->warehouse_id, ==, "abc123");
}

static void
test_config_file_location (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lb-dbcfg-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "custom.cfg", NULL);
  g_autofree char *home_env = g_strconcat ("HOME=", dir, NULL);
  g_autofree char *file_env = g_strdup ("DATABRICKS_CONFIG_FILE=~/custom.cfg");
  const char *environ[] = { home_env, file_env, NULL };
  const char *no_file[] = { home_env, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(LbDatabricksConfig) config = NULL;
  g_autoptr(LbDatabricksConfig) empty = NULL;
  g_autoptr(LbDatabricksProfile) profile = NULL;
  g_auto(GStrv) names = NULL;

  g_assert_true (g_file_set_contents (path, "[only]\nhost = https://only.cloud.databricks.com\ntoken = x\n", -1, NULL));

  config = lb_databricks_config_new_from_environment (environ, &error);
  g_assert_no_error (error);
  /* No [DEFAULT] and nothing in the environment: an empty profile, no error. */
  profile = lb_databricks_config_resolve (config, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (profile->host);
  g_assert_cmpint (profile->auth_kind, ==, LB_DATABRICKS_AUTH_NONE);
  g_clear_pointer (&profile, lb_databricks_profile_free);
  profile = lb_databricks_config_resolve (config, "only", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (profile->config_file, ==, path);

  /* No ~/.databrickscfg at all: an empty config, not an error. */
  empty = lb_databricks_config_new_from_environment (no_file, &error);
  g_assert_no_error (error);
  names = lb_databricks_config_list_profiles (empty);
  g_assert_cmpuint (g_strv_length (names), ==, 0);

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_bad_input (void)
{
  static const struct {
    const char *data;
    const char *message;
  } cases[] = {
    { "[dev\nhost = x\n", ".databrickscfg:1: a profile name needs a closing “]”" },
    { "[ ]\n", ".databrickscfg:1: the profile has no name" },
    { "[dev]\nhost https://x\n", ".databrickscfg:2: expected “key = value” or “[profile]”" },
    { "[dev]\n= value\n", ".databrickscfg:2: expected “key = value” or “[profile]”" },
    { "[dev]\nhost = x\n\xff\xfe\n", ".databrickscfg: the file is not UTF-8 text" },
  };
  const char *environ[] = { "HOME=/nonexistent", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LbDatabricksConfig) config = lb_databricks_config_new_from_data (cases[i].data, ".databrickscfg",
                                                                                environ, &error);

      g_test_message ("case %u", i);
      g_assert_null (config);
      g_assert_error (error, LB_DATABRICKS_CONFIG_ERROR, LB_DATABRICKS_CONFIG_ERROR_SYNTAX);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

static void
test_resolve_errors (void)
{
  const char *environ[] = { "HOME=/nonexistent", NULL };
  const char *bad_type[] = { "HOME=/nonexistent", "DATABRICKS_AUTH_TYPE=azure-msi", NULL };
  g_autoptr(LbDatabricksConfig) config = load (sample_config, environ);
  g_autoptr(LbDatabricksConfig) config2 = load (sample_config, bad_type);
  g_autoptr(LbDatabricksConfig) http = load ("[x]\nhost = http://dbc.example.com\ntoken = t\n", environ);
  g_autoptr(GError) error = NULL;
  LbDatabricksProfile *profile;

  profile = lb_databricks_config_resolve (config, "nope", &error);
  g_assert_null (profile);
  g_assert_error (error, LB_DATABRICKS_CONFIG_ERROR, LB_DATABRICKS_CONFIG_ERROR_NO_PROFILE);
  g_assert_nonnull (strstr (error->message, "databricks auth login --profile nope"));
  g_clear_error (&error);

  profile = lb_databricks_config_resolve (config, "mixed", &error);
  g_assert_null (profile);
  g_assert_error (error, LB_DATABRICKS_CONFIG_ERROR, LB_DATABRICKS_CONFIG_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "auth_type"));
  /* The message names the methods, never their values. */
  g_assert_null (strstr (error->message, "= t"));
  g_clear_error (&error);

  profile = lb_databricks_config_resolve (config, "__settings__", &error);
  g_assert_null (profile);
  g_assert_error (error, LB_DATABRICKS_CONFIG_ERROR, LB_DATABRICKS_CONFIG_ERROR_NO_PROFILE);
  g_clear_error (&error);

  profile = lb_databricks_config_resolve (config2, "dev", &error);
  g_assert_null (profile);
  g_assert_error (error, LB_DATABRICKS_CONFIG_ERROR, LB_DATABRICKS_CONFIG_ERROR_INVALID);
  g_clear_error (&error);

  profile = lb_databricks_config_resolve (http, "x", &error);
  g_assert_null (profile);
  g_assert_error (error, LB_DATABRICKS_CONFIG_ERROR, LB_DATABRICKS_CONFIG_ERROR_INVALID);
}

/* Where we used to differ from the SDKs (issue #14, item 3). */
static void
test_sdk_resolution_rules (void)
{
  const char *auth_type_only[] = { "HOME=/nonexistent", "DATABRICKS_AUTH_TYPE=databricks-cli", NULL };
  const char *environ[] = { "HOME=/nonexistent", NULL };
  const char *env_creds[] = { "HOME=/nonexistent", "DATABRICKS_HOST=https://env.cloud.databricks.com",
                              "DATABRICKS_TOKEN=env-token", NULL };
  const char *env_cli[] = { "HOME=/nonexistent", "DATABRICKS_CLI_PATH=/opt/env/databricks", NULL };
  const char *dangling =
    "[DEFAULT]\nhost = https://dbc-default.cloud.databricks.com\ntoken = t\n"
    "[tools]\nhost = https://dbc-tools.cloud.databricks.com\nclient_id = c\nclient_secret = s\n"
    "scopes = sql, all-apis\ndatabricks_cli_path = /opt/databricks/bin/databricks\n"
    "[__settings__]\ndefault_profile = gone\n";
  g_autoptr(LbDatabricksConfig) config = NULL;
  g_autoptr(LbDatabricksProfile) profile = NULL;
  g_autoptr(GError) error = NULL;

  /* DATABRICKS_AUTH_TYPE alone picks a method; the file still gives the host. */
  config = load (sample_config, auth_type_only);
  profile = lb_databricks_config_resolve (config, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (profile->name, ==, "dev");
  g_assert_cmpstr (profile->host, ==, "https://dbc-dev.cloud.databricks.com");
  g_assert_cmpstr (profile->auth_type, ==, "databricks-cli");
  g_assert_cmpint (profile->auth_kind, ==, LB_DATABRICKS_AUTH_OAUTH_U2M);
  g_clear_pointer (&profile, lb_databricks_profile_free);
  g_clear_object (&config);

  /* A default_profile that names a missing profile is an error, not DEFAULT… */
  config = load (dangling, environ);
  profile = lb_databricks_config_resolve (config, NULL, &error);
  g_assert_null (profile);
  g_assert_error (error, LB_DATABRICKS_CONFIG_ERROR, LB_DATABRICKS_CONFIG_ERROR_NO_PROFILE);
  g_assert_nonnull (strstr (error->message, "“gone”"));
  g_assert_null (strstr (error->message, "= t"));
  g_clear_error (&error);

  /* …but a profile asked for by name does not care. */
  profile = lb_databricks_config_resolve (config, "tools", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (profile->scopes, ==, "sql, all-apis");
  g_assert_cmpstr (profile->databricks_cli_path, ==, "/opt/databricks/bin/databricks");
  g_clear_pointer (&profile, lb_databricks_profile_free);
  g_clear_object (&config);

  /* Nor does the environment alone, which never reads the file. */
  config = load (dangling, env_creds);
  profile = lb_databricks_config_resolve (config, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (profile->name);
  g_assert_cmpstr (profile->host, ==, "https://env.cloud.databricks.com");
  g_clear_pointer (&profile, lb_databricks_profile_free);
  g_clear_object (&config);

  /* DATABRICKS_CLI_PATH wins over the profile's databricks_cli_path. */
  config = load (dangling, env_cli);
  profile = lb_databricks_config_resolve (config, "tools", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (profile->databricks_cli_path, ==, "/opt/env/databricks");
}

static void
test_normalize_host (void)
{
  static const struct {
    const char *in;
    const char *out;    /* NULL: refused */
    const char *workspace_id;
  } cases[] = {
    { "dbc-1.cloud.databricks.com", "https://dbc-1.cloud.databricks.com", NULL },
    { "https://DBC-1.cloud.databricks.com/sql/editor?o=77", "https://dbc-1.cloud.databricks.com", "77" },
    /* ?w= (unified hosts) is read before ?o=, as the SDKs do; an empty one is no id. */
    { "https://acme.databricks.com/?o=77&w=88", "https://acme.databricks.com", "88" },
    { "https://acme.databricks.com/?w=88&o=77", "https://acme.databricks.com", "88" },
    { "https://acme.databricks.com/?w=&o=77", "https://acme.databricks.com", "77" },
    { "https://acme.databricks.com/?w=", "https://acme.databricks.com", NULL },
    { "https://adb-1.azuredatabricks.net:443/", "https://adb-1.azuredatabricks.net:443", NULL },
    { "http://127.0.0.1:8080", "http://127.0.0.1:8080", NULL },
    { "http://localhost:9000/", "http://localhost:9000", NULL },
    { "http://[::1]:9000", "http://[::1]:9000", NULL },
    { "http://dbc-1.cloud.databricks.com", NULL, NULL },
    { "ftp://dbc-1.cloud.databricks.com", NULL, NULL },
    { "https://", NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *workspace_id = NULL;
      g_autofree char *host = lb_databricks_normalize_host (cases[i].in, &workspace_id, &error);

      g_test_message ("%s", cases[i].in);
      g_assert_cmpstr (host, ==, cases[i].out);
      g_assert_cmpstr (workspace_id, ==, cases[i].workspace_id);
      if (cases[i].out == NULL)
        g_assert_error (error, LB_DATABRICKS_CONFIG_ERROR, LB_DATABRICKS_CONFIG_ERROR_INVALID);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/databricks-config/profiles-listed", test_profiles_listed);
  g_test_add_func ("/databricks-config/values-and-kinds", test_values_and_kinds);
  g_test_add_func ("/databricks-config/describe-hides-secrets", test_describe_hides_secrets);
  g_test_add_func ("/databricks-config/environment-precedence", test_environment_precedence);
  g_test_add_func ("/databricks-config/file-location", test_config_file_location);
  g_test_add_func ("/databricks-config/bad-input", test_bad_input);
  g_test_add_func ("/databricks-config/resolve-errors", test_resolve_errors);
  g_test_add_func ("/databricks-config/normalize-host", test_normalize_host);
  g_test_add_func ("/databricks-config/sdk-resolution-rules", test_sdk_resolution_rules);

  return g_test_run ();
}
