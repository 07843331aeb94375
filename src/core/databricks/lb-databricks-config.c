/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reading ~/.databrickscfg and the DATABRICKS_* environment into resolved
 * LbDatabricksProfiles, and the host normalisation every API URL goes
 * through. Secrets are wiped when freed. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "lb-databricks-config.h"

#define SETTINGS_SECTION "__settings__"
#define DEFAULT_SECTION "DEFAULT"

typedef struct
{
  char       *name;
  GHashTable *values;   /* key → value, as written */
} Section;

struct _LbDatabricksConfig
{
  GObject     parent_instance;

  GFile      *file;
  GPtrArray  *sections;  /* of Section*, file order, names unique */
  GStrv       environ;
};

G_DEFINE_FINAL_TYPE (LbDatabricksConfig, lb_databricks_config, G_TYPE_OBJECT)
G_DEFINE_BOXED_TYPE (LbDatabricksProfile, lb_databricks_profile,
                     lb_databricks_profile_copy, lb_databricks_profile_free)
G_DEFINE_QUARK (lb-databricks-config-error-quark, lb_databricks_config_error)

/* Profile keys we use, with the environment variable that overrides each. */
static const struct {
  const char *key;
  const char *env;
  gsize       offset;
  gboolean    is_credential;   /* makes the environment alone enough (SDK rule) */
} known_keys[] = {
  { "host", "DATABRICKS_HOST", G_STRUCT_OFFSET (LbDatabricksProfile, host), TRUE },
  { "token", "DATABRICKS_TOKEN", G_STRUCT_OFFSET (LbDatabricksProfile, token), TRUE },
  { "username", "DATABRICKS_USERNAME", G_STRUCT_OFFSET (LbDatabricksProfile, username), TRUE },
  { "password", "DATABRICKS_PASSWORD", G_STRUCT_OFFSET (LbDatabricksProfile, password), TRUE },
  { "client_id", "DATABRICKS_CLIENT_ID", G_STRUCT_OFFSET (LbDatabricksProfile, client_id), TRUE },
  { "client_secret", "DATABRICKS_CLIENT_SECRET", G_STRUCT_OFFSET (LbDatabricksProfile, client_secret), TRUE },
  /* Not a credential: with only DATABRICKS_AUTH_TYPE set the SDKs still read the file. */
  { "auth_type", "DATABRICKS_AUTH_TYPE", G_STRUCT_OFFSET (LbDatabricksProfile, auth_type), FALSE },
  { "account_id", "DATABRICKS_ACCOUNT_ID", G_STRUCT_OFFSET (LbDatabricksProfile, account_id), FALSE },
  { "workspace_id", "DATABRICKS_WORKSPACE_ID", G_STRUCT_OFFSET (LbDatabricksProfile, workspace_id), FALSE },
  { "warehouse_id", "DATABRICKS_WAREHOUSE_ID", G_STRUCT_OFFSET (LbDatabricksProfile, warehouse_id), FALSE },
  { "cluster_id", "DATABRICKS_CLUSTER_ID", G_STRUCT_OFFSET (LbDatabricksProfile, cluster_id), FALSE },
  { "databricks_cli_path", "DATABRICKS_CLI_PATH", G_STRUCT_OFFSET (LbDatabricksProfile, databricks_cli_path), FALSE },
  { "scopes", NULL, G_STRUCT_OFFSET (LbDatabricksProfile, scopes), FALSE },
};

#define PROFILE_FIELD(profile, i) (*(char **) G_STRUCT_MEMBER_P ((profile), known_keys[i].offset))

static void
section_free (gpointer data)
{
  Section *section = data;

  g_free (section->name);
  g_hash_table_unref (section->values);
  g_free (section);
}

static Section *
find_section (LbDatabricksConfig *self,
              const char         *name)
{
  for (guint i = 0; i < self->sections->len; i++)
    {
      Section *section = g_ptr_array_index (self->sections, i);

      if (g_str_equal (section->name, name))
        return section;
    }

  return NULL;
}

static Section *
ensure_section (LbDatabricksConfig *self,
                const char         *name)
{
  Section *section = find_section (self, name);

  if (section == NULL)
    {
      section = g_new0 (Section, 1);
      section->name = g_strdup (name);
      section->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_ptr_array_add (self->sections, section);
    }

  return section;
}

/* A value: quoted as a whole, or cut at an inline comment that has a space
 * before it (so `#` inside a password stays). */
static char *
parse_value (const char *raw)
{
  g_autofree char *value = g_strstrip (g_strdup (raw));
  gsize length = strlen (value);

  if (length >= 2 && (value[0] == '"' || value[0] == '\'') && value[length - 1] == value[0])
    return g_strndup (value + 1, length - 2);

  for (gsize i = 1; i < length; i++)
    {
      if ((value[i] == '#' || value[i] == ';') && g_ascii_isspace (value[i - 1]))
        {
          value[i] = '\0';
          break;
        }
    }

  return g_strdup (g_strstrip (value));
}

static gboolean
parse_data (LbDatabricksConfig  *self,
            const char          *data,
            const char          *display_name,
            GError             **error)
{
  g_auto(GStrv) lines = NULL;
  Section *current = NULL;

  if (!g_utf8_validate (data, -1, NULL))
    {
      g_set_error (error, LB_DATABRICKS_CONFIG_ERROR, LB_DATABRICKS_CONFIG_ERROR_SYNTAX,
                   _("%s: the file is not UTF-8 text"), display_name);
      return FALSE;
    }

  lines = g_strsplit (data, "\n", -1);
  for (guint n = 0; lines[n] != NULL; n++)
    {
      char *line = g_strstrip (lines[n]);
      const char *delimiter;
      g_autofree char *key = NULL;

      if (line[0] == '\0' || line[0] == '#' || line[0] == ';')
        continue;

      if (line[0] == '[')
        {
          char *end = strchr (line, ']');
          g_autofree char *name = NULL;

          if (end == NULL)
            {
              g_set_error (error, LB_DATABRICKS_CONFIG_ERROR, LB_DATABRICKS_CONFIG_ERROR_SYNTAX,
                           _("%s:%u: a profile name needs a closing “]”"), display_name, n + 1);
              return FALSE;
            }
          name = g_strstrip (g_strndup (line + 1, end - line - 1));
          if (name[0] == '\0')
            {
              g_set_error (error, LB_DATABRICKS_CONFIG_ERROR, LB_DATABRICKS_CONFIG_ERROR_SYNTAX,
                           _("%s:%u: the profile has no name"), display_name, n + 1);
              return FALSE;
            }
          current = ensure_section (self, name);
          continue;
        }

      delimiter = strpbrk (line, "=:");
      if (delimiter == NULL || delimiter == line)
        {
          g_set_error (error, LB_DATABRICKS_CONFIG_ERROR, LB_DATABRICKS_CONFIG_ERROR_SYNTAX,
                       _("%s:%u: expected “key = value” or “[profile]”"), display_name, n + 1);
          return FALSE;
        }

      /* Keys before any section belong to [DEFAULT], as in the CLI's INI reader. */
      if (current == NULL)
        current = ensure_section (self, DEFAULT_SECTION);

      key = g_strstrip (g_strndup (line, delimiter - line));
      if (strpbrk (key, " \t") != NULL)
        {
          /* "host https://x": the `=` is missing, not a key with a space. */
          g_set_error (error, LB_DATABRICKS_CONFIG_ERROR, LB_DATABRICKS_CONFIG_ERROR_SYNTAX,
                       _("%s:%u: expected “key = value” or “[profile]”"), display_name, n + 1);
          return FALSE;
        }
      g_hash_table_replace (current->values, g_steal_pointer (&key), parse_value (delimiter + 1));
    }

  return TRUE;
}

static gboolean
is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

char *
lb_databricks_normalize_host (const char  *host,
                              char       **workspace_id,
                              GError     **error)
{
  g_autofree char *with_scheme = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *hostname;
  const char *query;

  g_return_val_if_fail (host != NULL, NULL);

  if (workspace_id != NULL)
    *workspace_id = NULL;

  with_scheme = strstr (host, "://") != NULL ? g_strdup (host) : g_strconcat ("https://", host, NULL);
  uri = g_uri_parse (with_scheme, G_URI_FLAGS_NONE, NULL);
  hostname = uri != NULL ? g_uri_get_host (uri) : NULL;
  if (hostname == NULL || hostname[0] == '\0')
    {
      g_set_error (error, LB_DATABRICKS_CONFIG_ERROR, LB_DATABRICKS_CONFIG_ERROR_INVALID,
                   _("“%s” is not a workspace address: use https://NAME.cloud.databricks.com"), host);
      return NULL;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") != 0 &&
      !(g_ascii_strcasecmp (scheme, "http") == 0 && is_loopback (hostname)))
    {
      g_set_error (error, LB_DATABRICKS_CONFIG_ERROR, LB_DATABRICKS_CONFIG_ERROR_INVALID,
                   _("“%s” must use https:// (http:// is only allowed for this computer)"), host);
      return NULL;
    }

  query = g_uri_get_query (uri);
  if (query != NULL && workspace_id != NULL)
    {
      g_autoptr(GHashTable) params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
      /* The SDKs read ?w= (unified hosts) before the older ?o=. */
      const char *id = params != NULL ? g_hash_table_lookup (params, "w") : NULL;

      if ((id == NULL || id[0] == '\0') && params != NULL)
        id = g_hash_table_lookup (params, "o");
      *workspace_id = id != NULL && id[0] != '\0' ? g_strdup (id) : NULL;
    }

  {
    g_autofree char *lower_scheme = g_ascii_strdown (scheme, -1);
    g_autofree char *lower_host = g_ascii_strdown (hostname, -1);

    return g_uri_join (G_URI_FLAGS_NONE, lower_scheme, NULL, lower_host, g_uri_get_port (uri), "", NULL, NULL);
  }
}

const char *
lb_databricks_auth_kind_to_string (LbDatabricksAuthKind kind)
{
  switch (kind)
    {
    case LB_DATABRICKS_AUTH_PAT:
      return "pat";
    case LB_DATABRICKS_AUTH_BASIC:
      return "basic";
    case LB_DATABRICKS_AUTH_OAUTH_M2M:
      return "oauth-m2m";
    case LB_DATABRICKS_AUTH_OAUTH_U2M:
      return "databricks-cli";
    case LB_DATABRICKS_AUTH_NONE:
    default:
      return "none";
    }
}

LbDatabricksProfile *
lb_databricks_profile_copy (const LbDatabricksProfile *self)
{
  LbDatabricksProfile *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (LbDatabricksProfile, 1);
  copy->name = g_strdup (self->name);
  copy->config_file = g_strdup (self->config_file);
  copy->auth_kind = self->auth_kind;
  for (guint i = 0; i < G_N_ELEMENTS (known_keys); i++)
    PROFILE_FIELD (copy, i) = g_strdup (PROFILE_FIELD (self, i));

  return copy;
}

void
lb_databricks_profile_free (LbDatabricksProfile *self)
{
  if (self == NULL)
    return;

  /* Secrets are wiped before the memory goes back to the allocator. */
  for (guint i = 0; i < G_N_ELEMENTS (known_keys); i++)
    {
      char *value = PROFILE_FIELD (self, i);

      if (value != NULL)
        memset (value, 0, strlen (value));
      g_free (value);
    }
  g_free (self->name);
  g_free (self->config_file);
  g_free (self);
}

char *
lb_databricks_profile_describe (const LbDatabricksProfile *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_strdup_printf ("%s: %s (%s)",
                          self->name != NULL ? self->name : _("environment"),
                          self->host != NULL ? self->host : _("no host"),
                          lb_databricks_auth_kind_to_string (self->auth_kind));
}

static gboolean
decide_auth_kind (LbDatabricksProfile  *profile,
                  GError              **error)
{
  gboolean has_token = profile->token != NULL && profile->token[0] != '\0';
  gboolean has_basic = profile->username != NULL && profile->password != NULL;
  gboolean has_m2m = profile->client_id != NULL && profile->client_secret != NULL;

  if (profile->auth_type != NULL && profile->auth_type[0] != '\0')
    {
      static const struct { const char *name; LbDatabricksAuthKind kind; } types[] = {
        { "pat", LB_DATABRICKS_AUTH_PAT },
        { "basic", LB_DATABRICKS_AUTH_BASIC },
        { "oauth-m2m", LB_DATABRICKS_AUTH_OAUTH_M2M },
        { "databricks-cli", LB_DATABRICKS_AUTH_OAUTH_U2M },
        { "external-browser", LB_DATABRICKS_AUTH_OAUTH_U2M },
      };

      for (guint i = 0; i < G_N_ELEMENTS (types); i++)
        {
          if (g_str_equal (profile->auth_type, types[i].name))
            {
              profile->auth_kind = types[i].kind;
              return TRUE;
            }
        }

      g_set_error (error, LB_DATABRICKS_CONFIG_ERROR, LB_DATABRICKS_CONFIG_ERROR_INVALID,
                   _("Profile “%s”: auth_type “%s” is not supported here; use pat, oauth-m2m or databricks-cli"),
                   profile->name != NULL ? profile->name : _("environment"), profile->auth_type);
      return FALSE;
    }

  if (has_token + has_basic + has_m2m > 1)
    {
      g_set_error (error, LB_DATABRICKS_CONFIG_ERROR, LB_DATABRICKS_CONFIG_ERROR_INVALID,
                   _("Profile “%s” has more than one way to sign in (%s%s%s): set auth_type to pick one"),
                   profile->name != NULL ? profile->name : _("environment"),
                   has_token ? "token " : "", has_basic ? "username/password " : "",
                   has_m2m ? "client_id/client_secret" : "");
      return FALSE;
    }

  if (has_token)
    profile->auth_kind = LB_DATABRICKS_AUTH_PAT;
  else if (has_basic)
    profile->auth_kind = LB_DATABRICKS_AUTH_BASIC;
  else if (has_m2m)
    profile->auth_kind = LB_DATABRICKS_AUTH_OAUTH_M2M;
  else if (profile->host != NULL)
    /* With nothing else, the SDKs fall back to the CLI's OAuth login. */
    profile->auth_kind = LB_DATABRICKS_AUTH_OAUTH_U2M;
  else
    profile->auth_kind = LB_DATABRICKS_AUTH_NONE;

  return TRUE;
}

static GFile *
config_file_for_environment (const char * const *environ)
{
  const char *path = g_environ_getenv ((char **) environ, "DATABRICKS_CONFIG_FILE");
  const char *home = g_environ_getenv ((char **) environ, "HOME");

  if (home == NULL)
    home = g_get_home_dir ();

  if (path != NULL && path[0] != '\0')
    {
      if (g_str_has_prefix (path, "~/"))
        {
          g_autofree char *expanded = g_build_filename (home, path + 2, NULL);
          return g_file_new_for_path (expanded);
        }
      return g_file_new_for_path (path);
    }

  {
    g_autofree char *default_path = g_build_filename (home, ".databrickscfg", NULL);
    return g_file_new_for_path (default_path);
  }
}

static LbDatabricksConfig *
config_new (GFile              *file,
            const char * const *environ)
{
  LbDatabricksConfig *self = g_object_new (LB_TYPE_DATABRICKS_CONFIG, NULL);

  self->file = file != NULL ? g_object_ref (file) : NULL;
  self->environ = environ != NULL ? g_strdupv ((char **) environ) : g_get_environ ();

  return self;
}

LbDatabricksConfig *
lb_databricks_config_new_from_data (const char          *data,
                                    const char          *display_name,
                                    const char * const  *environ,
                                    GError             **error)
{
  g_autoptr(LbDatabricksConfig) self = config_new (NULL, environ);

  g_return_val_if_fail (data != NULL, NULL);

  if (!parse_data (self, data, display_name != NULL ? display_name : ".databrickscfg", error))
    return NULL;

  return g_steal_pointer (&self);
}

LbDatabricksConfig *
lb_databricks_config_new_from_file (GFile               *file,
                                    const char * const  *environ,
                                    GError             **error)
{
  g_autoptr(LbDatabricksConfig) self = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  self = config_new (file, environ);
  name = g_file_get_basename (file);

  /* Re-read on every call: the CLI may have rewritten it (and inside Flatpak a
   * single-file grant can only be read, never replaced). */
  if (!g_file_load_contents (file, NULL, &contents, NULL, NULL, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return g_steal_pointer (&self);

      g_set_error (error, LB_DATABRICKS_CONFIG_ERROR, LB_DATABRICKS_CONFIG_ERROR_IO,
                   _("Could not read %s: %s"), name, local_error->message);
      return NULL;
    }

  if (!parse_data (self, contents, name, error))
    return NULL;

  return g_steal_pointer (&self);
}

LbDatabricksConfig *
lb_databricks_config_new_from_environment (const char * const  *environ,
                                           GError             **error)
{
  g_auto(GStrv) own_environ = environ == NULL ? g_get_environ () : NULL;
  g_autoptr(GFile) file = config_file_for_environment (environ != NULL ? environ
                                                                       : (const char * const *) own_environ);

  return lb_databricks_config_new_from_file (file, environ, error);
}

GFile *
lb_databricks_config_get_file (LbDatabricksConfig *self)
{
  g_return_val_if_fail (LB_IS_DATABRICKS_CONFIG (self), NULL);

  return self->file;
}

GStrv
lb_databricks_config_list_profiles (LbDatabricksConfig *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (LB_IS_DATABRICKS_CONFIG (self), NULL);

  for (guint i = 0; i < self->sections->len; i++)
    {
      Section *section = g_ptr_array_index (self->sections, i);

      if (!g_str_equal (section->name, SETTINGS_SECTION))
        g_strv_builder_add (builder, section->name);
    }

  return g_strv_builder_end (builder);
}

const char *
lb_databricks_config_get_default_profile (LbDatabricksConfig *self)
{
  Section *settings;
  const char *name;

  g_return_val_if_fail (LB_IS_DATABRICKS_CONFIG (self), NULL);

  settings = find_section (self, SETTINGS_SECTION);
  name = settings != NULL ? g_hash_table_lookup (settings->values, "default_profile") : NULL;

  return name != NULL && name[0] != '\0' ? name : DEFAULT_SECTION;
}

LbDatabricksProfile *
lb_databricks_config_resolve (LbDatabricksConfig  *self,
                              const char          *profile,
                              GError             **error)
{
  g_autoptr(LbDatabricksProfile) resolved = NULL;
  gboolean environment_suffices = FALSE;
  gboolean explicit;
  const char *name;

  g_return_val_if_fail (LB_IS_DATABRICKS_CONFIG (self), NULL);

  resolved = g_new0 (LbDatabricksProfile, 1);

  for (guint i = 0; i < G_N_ELEMENTS (known_keys); i++)
    {
      const char *value = known_keys[i].env != NULL ? g_environ_getenv (self->environ, known_keys[i].env) : NULL;

      if (value != NULL && value[0] != '\0')
        {
          PROFILE_FIELD (resolved, i) = g_strdup (value);
          environment_suffices |= known_keys[i].is_credential;
        }
    }

  name = profile;
  if (name == NULL || name[0] == '\0')
    name = g_environ_getenv (self->environ, "DATABRICKS_CONFIG_PROFILE");
  explicit = name != NULL && name[0] != '\0';

  if (explicit && g_str_equal (name, SETTINGS_SECTION))
    {
      g_set_error (error, LB_DATABRICKS_CONFIG_ERROR, LB_DATABRICKS_CONFIG_ERROR_NO_PROFILE,
                   _("“%s” holds settings, not a profile"), SETTINGS_SECTION);
      return NULL;
    }

  /* The SDKs' rule: with no profile asked for, a host or a credential in the
   * environment means the file is not read at all. */
  if (explicit || !environment_suffices)
    {
      Section *section;
      gboolean from_settings = FALSE;

      if (!explicit)
        {
          name = lb_databricks_config_get_default_profile (self);
          from_settings = !g_str_equal (name, DEFAULT_SECTION);
        }

      section = find_section (self, name);
      if (section == NULL && from_settings)
        {
          g_autofree char *path = self->file != NULL ? g_file_get_path (self->file) : g_strdup (".databrickscfg");

          /* A default that names nothing is a mistake to show, not a reason
           * to sign in somewhere else. */
          g_set_error (error, LB_DATABRICKS_CONFIG_ERROR, LB_DATABRICKS_CONFIG_ERROR_NO_PROFILE,
                       _("The default profile “%s” (set by “databricks auth switch” in [%s] of %s) does not exist: "
                         "run “databricks auth switch” or pick a profile"),
                       name, SETTINGS_SECTION, path);
          return NULL;
        }
      if (section == NULL && explicit)
        {
          g_autofree char *path = self->file != NULL ? g_file_get_path (self->file) : g_strdup (".databrickscfg");

          g_set_error (error, LB_DATABRICKS_CONFIG_ERROR, LB_DATABRICKS_CONFIG_ERROR_NO_PROFILE,
                       _("There is no profile “%s” in %s: run “databricks auth login --profile %s” or pick another one"),
                       name, path, name);
          return NULL;
        }

      if (section != NULL)
        {
          resolved->name = g_strdup (name);
          resolved->config_file = self->file != NULL ? g_file_get_path (self->file) : NULL;
          for (guint i = 0; i < G_N_ELEMENTS (known_keys); i++)
            {
              const char *value = g_hash_table_lookup (section->values, known_keys[i].key);

              if (PROFILE_FIELD (resolved, i) == NULL && value != NULL && value[0] != '\0')
                PROFILE_FIELD (resolved, i) = g_strdup (value);
            }
        }
    }

  if (resolved->host != NULL)
    {
      g_autofree char *workspace_id = NULL;
      char *host = lb_databricks_normalize_host (resolved->host, &workspace_id, error);

      if (host == NULL)
        return NULL;
      g_free (resolved->host);
      resolved->host = host;
      if (resolved->workspace_id == NULL)
        resolved->workspace_id = g_steal_pointer (&workspace_id);
    }

  if (!decide_auth_kind (resolved, error))
    return NULL;

  return g_steal_pointer (&resolved);
}

static void
lb_databricks_config_finalize (GObject *object)
{
  LbDatabricksConfig *self = LB_DATABRICKS_CONFIG (object);

  g_clear_object (&self->file);
  g_clear_pointer (&self->sections, g_ptr_array_unref);
  g_clear_pointer (&self->environ, g_strfreev);

  G_OBJECT_CLASS (lb_databricks_config_parent_class)->finalize (object);
}

static void
lb_databricks_config_class_init (LbDatabricksConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lb_databricks_config_finalize;
}

static void
lb_databricks_config_init (LbDatabricksConfig *self)
{
  self->sections = g_ptr_array_new_with_free_func (section_free);
}
