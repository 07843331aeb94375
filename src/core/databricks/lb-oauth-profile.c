/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Profiles of the browser sign-in, and adding one to the profiles file. The
 * file is only appended to, so the user's comments and layout stay. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-oauth-profile.h"

LbDatabricksProfile *
lb_oauth_profile_new (const char *name,
                      const char *host)
{
  LbDatabricksProfile *profile;

  g_return_val_if_fail (host != NULL, NULL);

  profile = g_new0 (LbDatabricksProfile, 1);
  profile->name = g_strdup (name);
  profile->host = g_strdup (host);
  profile->auth_type = g_strdup ("databricks-cli");
  profile->auth_kind = LB_DATABRICKS_AUTH_OAUTH_U2M;
  return profile;
}

LbDatabricksProfile *
lb_oauth_profile_new_full (const char *name,
                           const char *host,
                           const char *account_id,
                           const char *workspace_id)
{
  LbDatabricksProfile *profile = lb_oauth_profile_new (name, host);

  profile->account_id = account_id != NULL && account_id[0] != '\0' ? g_strdup (account_id) : NULL;
  profile->workspace_id = workspace_id != NULL && workspace_id[0] != '\0' ? g_strdup (workspace_id) : NULL;
  return profile;
}

char *
lb_oauth_profile_suggest_name (const char *host)
{
  g_autoptr(GUri) uri = NULL;
  const char *hostname;
  char *name;

  g_return_val_if_fail (host != NULL, NULL);

  uri = g_uri_parse (host, G_URI_FLAGS_NONE, NULL);
  hostname = uri != NULL ? g_uri_get_host (uri) : NULL;
  if (hostname == NULL || hostname[0] == '\0')
    return g_strdup ("workspace");

  if (g_hostname_is_ip_address (hostname))
    {
      name = g_strdup (hostname);
      g_strdelimit (name, ".:[]", '-');
      return name;
    }

  name = g_strndup (hostname, strcspn (hostname, "."));
  return name;
}

gboolean
lb_oauth_profile_write_to_config (GFile       *file,
                                  const char  *name,
                                  const char  *host,
                                  GError     **error)
{
  return lb_oauth_profile_write_to_config_full (file, name, host, NULL, NULL, error);
}

gboolean
lb_oauth_profile_write_to_config_full (GFile       *file,
                                       const char  *name,
                                       const char  *host,
                                       const char  *account_id,
                                       const char  *workspace_id,
                                       GError     **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(GString) section = g_string_new (NULL);
  g_autofree char *display = NULL;

  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (name != NULL && name[0] != '\0', FALSE);
  g_return_val_if_fail (host != NULL, FALSE);

  display = g_file_get_parse_name (file);

  if (strpbrk (name, "[]\n\r") != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” cannot be a profile name: leave out brackets and line breaks"), name);
      return FALSE;
    }

  if (g_file_load_contents (file, NULL, &contents, &length, NULL, &local_error))
    {
      g_autoptr(LbDatabricksConfig) config = lb_databricks_config_new_from_data (contents, display, NULL, NULL);
      g_auto(GStrv) names = config != NULL ? lb_databricks_config_list_profiles (config) : NULL;

      if (names != NULL && g_strv_contains ((const char * const *) names, name))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                       _("%s already has a profile named “%s”: pick another name"), display, name);
          return FALSE;
        }
    }
  else if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_set_error (error, G_IO_ERROR, local_error->code,
                   _("%s could not be read (%s): the profile is kept in Lakebase Accelerator's own settings instead"),
                   display, local_error->message);
      return FALSE;
    }
  g_clear_error (&local_error);

  if (length > 0 && contents[length - 1] != '\n')
    g_string_append_c (section, '\n');
  if (length > 0)
    g_string_append_c (section, '\n');
  g_string_append_printf (section, "[%s]\nhost      = %s\n", name, host);
  /* As the Databricks CLI writes them for account and unified hosts. */
  if (account_id != NULL && account_id[0] != '\0')
    g_string_append_printf (section, "account_id = %s\n", account_id);
  if (workspace_id != NULL && workspace_id[0] != '\0')
    g_string_append_printf (section, "workspace_id = %s\n", workspace_id);
  g_string_append (section, "auth_type = databricks-cli\n");

  stream = g_file_append_to (file, G_FILE_CREATE_PRIVATE, NULL, &local_error);
  if (stream == NULL ||
      !g_output_stream_write_all (G_OUTPUT_STREAM (stream), section->str, section->len, NULL, NULL, &local_error) ||
      !g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_READ_ONLY) ||
          g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
        g_set_error (error, G_IO_ERROR, local_error->code,
                     _("%s may only be read here (the app's sandbox allows no more): "
                       "the profile is kept in Lakebase Accelerator's own settings instead"),
                     display);
      else
        g_set_error (error, G_IO_ERROR, local_error->code,
                     _("%s could not be written (%s): the profile is kept in Lakebase Accelerator's own settings instead"),
                     display, local_error->message);
      return FALSE;
    }

  return TRUE;
}
