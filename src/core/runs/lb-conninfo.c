/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libpq connection strings: validation, labels and stripping of secrets,
 * for the run record, the tester window and the CLI. libpq parses; the
 * stripping keeps the rest of the string as the user wrote it. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>
#include <libpq-fe.h>

#include "lb-conninfo.h"

/* The keywords whose values must never be saved or shown. */
static const char * const secret_keywords[] = { "password", "sslpassword" };

static const char *
find_value (const PQconninfoOption *options,
            const char             *keyword)
{
  for (const PQconninfoOption *option = options;
       option != NULL && option->keyword != NULL;
       option++)
    {
      if (g_str_equal (option->keyword, keyword) && option->val != NULL && option->val[0] != '\0')
        return option->val;
    }

  return NULL;
}

static gboolean
is_secret_keyword (const char *key,
                   gsize       length)
{
  for (guint i = 0; i < G_N_ELEMENTS (secret_keywords); i++)
    if (strlen (secret_keywords[i]) == length && g_ascii_strncasecmp (key, secret_keywords[i], length) == 0)
      return TRUE;

  return FALSE;
}

/* "%70assword=x" in a URI's query is password=x to libpq: decode the key first. */
static gboolean
is_secret_uri_param (const char *param)
{
  gsize key_length = strcspn (param, "=");
  g_autofree char *encoded = g_strndup (param, key_length);
  g_autofree char *key = g_uri_unescape_string (encoded, NULL);

  /* A key that does not decode is one libpq refuses: drop it to be safe. */
  if (key == NULL)
    return TRUE;

  return is_secret_keyword (key, strlen (key));
}

/* Stripping ----------------------------------------------------------------- */

static gboolean
is_uri (const char *conninfo)
{
  return g_str_has_prefix (conninfo, "postgresql://") || g_str_has_prefix (conninfo, "postgres://");
}

static char *
strip_uri_password (const char *uri)
{
  const char *authority = strstr (uri, "://") + 3;
  const char *authority_end = authority + strcspn (authority, "/?");
  const char *query = strchr (authority_end, '?');
  const char *at = NULL;
  GString *out = g_string_new_len (uri, authority - uri);

  /* user:password@host — the last '@' ends the user info. */
  for (const char *p = authority; p < authority_end; p++)
    if (*p == '@')
      at = p;

  if (at != NULL)
    {
      const char *colon = memchr (authority, ':', at - authority);

      g_string_append_len (out, authority, (colon != NULL ? colon : at) - authority);
      g_string_append_len (out, at, authority_end - at);
    }
  else
    {
      g_string_append_len (out, authority, authority_end - authority);
    }

  if (query == NULL)
    {
      g_string_append (out, authority_end);
    }
  else
    {
      g_auto(GStrv) params = g_strsplit (query + 1, "&", -1);
      gboolean first = TRUE;

      g_string_append_len (out, authority_end, query - authority_end);
      for (guint i = 0; params[i] != NULL; i++)
        {
          if (params[i][0] == '\0' || is_secret_uri_param (params[i]))
            continue;
          g_string_append_c (out, first ? '?' : '&');
          g_string_append (out, params[i]);
          first = FALSE;
        }
    }

  return g_string_free (out, FALSE);
}

/* key = value pairs as libpq reads them: values may be 'quoted' with
 * backslash escapes. Everything but the password is kept as written. */
static char *
strip_keyword_password (const char *conninfo)
{
  GString *out = g_string_new (NULL);
  const char *p = conninfo;

  while (TRUE)
    {
      const char *start, *key_end;
      gboolean is_secret;

      while (g_ascii_isspace (*p))
        p++;
      if (*p == '\0')
        break;

      start = p;
      while (*p != '\0' && *p != '=' && !g_ascii_isspace (*p))
        p++;
      key_end = p;
      while (g_ascii_isspace (*p))
        p++;
      if (*p != '=')
        goto malformed;
      p++;
      while (g_ascii_isspace (*p))
        p++;

      if (*p == '\'')
        {
          p++;
          while (*p != '\0' && *p != '\'')
            {
              if (*p == '\\' && p[1] != '\0')
                p++;
              p++;
            }
          if (*p != '\'')
            goto malformed;
          p++;
        }
      else
        {
          while (*p != '\0' && !g_ascii_isspace (*p))
            {
              if (*p == '\\' && p[1] != '\0')
                p++;
              p++;
            }
        }

      is_secret = is_secret_keyword (start, key_end - start);
      if (!is_secret)
        {
          if (out->len > 0)
            g_string_append_c (out, ' ');
          g_string_append_len (out, start, p - start);
        }
    }

  return g_string_free (out, FALSE);

malformed:
  /* libpq would refuse it too; keep nothing that might be a secret. */
  g_string_free (out, TRUE);
  return g_strdup ("");
}

char *
lb_conninfo_strip_password (const char *conninfo)
{
  g_autofree char *stripped = NULL;
  PQconninfoOption *reread;

  if (conninfo == NULL)
    return NULL;

  stripped = is_uri (conninfo) ? strip_uri_password (conninfo) : strip_keyword_password (conninfo);

  /* The text rules above are how the string stays as written; libpq has the
   * last word on whether a secret survived them (a string it refuses is one
   * it will never connect with, so it can keep what the rules left). */
  reread = PQconninfoParse (stripped, NULL);
  if (reread != NULL)
    {
      gboolean leaked = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (secret_keywords); i++)
        leaked |= find_value (reread, secret_keywords[i]) != NULL;
      PQconninfoFree (reread);
      if (leaked)
        {
          memset (stripped, 0, strlen (stripped));
          return g_strdup ("");
        }
    }

  return g_steal_pointer (&stripped);
}

/* Checking and describing -------------------------------------------------- */

/* libpq's reason why @conninfo does not parse, or NULL when it does. */
static PQconninfoOption *
parse (const char  *conninfo,
       GError     **error)
{
  char *reason = NULL;   /* libpq's memory */
  PQconninfoOption *options = PQconninfoParse (conninfo, &reason);

  if (options == NULL)
    {
      g_autofree char *message = g_strdup (reason != NULL ? reason : _("Not a libpq connection string"));

      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, g_strchomp (message));
      if (reason != NULL)
        PQfreemem (reason);
    }

  return options;
}

gboolean
lb_conninfo_validate (const char  *conninfo,
                      GError     **error)
{
  PQconninfoOption *options;

  g_return_val_if_fail (conninfo != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  options = parse (conninfo, error);
  if (options == NULL)
    return FALSE;

  PQconninfoFree (options);
  return TRUE;
}

char *
lb_conninfo_describe (const char *conninfo)
{
  PQconninfoOption *options;
  const char *host, *port, *user, *dbname;
  GString *text;

  g_return_val_if_fail (conninfo != NULL, NULL);

  options = parse (conninfo, NULL);
  if (options == NULL)
    return lb_conninfo_strip_password (conninfo);

  host = find_value (options, "host");
  if (host == NULL)
    host = find_value (options, "hostaddr");
  port = find_value (options, "port");
  user = find_value (options, "user");
  dbname = find_value (options, "dbname");

  text = g_string_new (NULL);
  if (user != NULL)
    g_string_append_printf (text, "%s@", user);
  g_string_append (text, host != NULL ? host : "localhost");
  if (port != NULL)
    g_string_append_printf (text, ":%s", port);
  if (dbname != NULL)
    g_string_append_printf (text, "/%s", dbname);
  PQconninfoFree (options);

  return g_string_free (text, FALSE);
}

char *
lb_conninfo_dup_target_label (const char *conninfo)
{
  PQconninfoOption *parsed = parse (conninfo != NULL ? conninfo : "", NULL);
  PQconninfoOption *defaults = PQconndefaults ();
  const char *keys[] = { "dbname", "host", "port" };
  const char *values[G_N_ELEMENTS (keys)];
  char *label;

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      values[i] = find_value (parsed, keys[i]);
      if (values[i] == NULL)
        values[i] = find_value (defaults, keys[i]);
    }

  /* TRANSLATORS: a PostgreSQL target: database, host (or socket directory), port */
  label = g_strdup_printf (_("%s on %s:%s"),
                           values[0] != NULL ? values[0] : "postgres",
                           values[1] != NULL ? values[1] : "localhost",
                           values[2] != NULL ? values[2] : "5432");
  if (defaults != NULL)
    PQconninfoFree (defaults);
  if (parsed != NULL)
    PQconninfoFree (parsed);

  return label;
}

static void
append_value (GString    *conninfo,
              const char *keyword,
              const char *value)
{
  if (conninfo->len > 0)
    g_string_append_c (conninfo, ' ');
  g_string_append_printf (conninfo, "%s='", keyword);
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '\'' || *p == '\\')
        g_string_append_c (conninfo, '\\');
      g_string_append_c (conninfo, *p);
    }
  g_string_append_c (conninfo, '\'');
}

char *
lb_conninfo_dup_from_environment (void)
{
  PQconninfoOption *defaults = PQconndefaults ();
  GString *conninfo = g_string_new (NULL);

  for (int pass = 0; pass < 2 && conninfo->len == 0; pass++)
    {
      for (const PQconninfoOption *option = defaults;
           option != NULL && option->keyword != NULL;
           option++)
        {
          if (option->val == NULL || option->val[0] == '\0' ||
              is_secret_keyword (option->keyword, strlen (option->keyword)) ||
              g_str_equal (option->keyword, "passfile"))
            continue;
          /* The second pass, with nothing in the environment, takes all. */
          if (pass == 0 && g_strcmp0 (option->val, option->compiled) == 0)
            continue;
          append_value (conninfo, option->keyword, option->val);
        }
    }
  if (defaults != NULL)
    PQconninfoFree (defaults);

  return g_string_free (conninfo, FALSE);
}

/* TLS ------------------------------------------------------------------------ */

static gboolean
is_readable_file (const char *path)
{
  return path != NULL && path[0] != '\0' &&
         g_file_test (path, G_FILE_TEST_IS_REGULAR) && g_access (path, R_OK) == 0;
}

char *
lb_conninfo_find_system_ca_bundle (void)
{
  /* Debian and the Flatpak (freedesktop) runtime first, then Fedora/RHEL,
   * openSUSE and Alpine. */
  static const char * const bundles[] = {
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
  };
  const char *variables[] = { "PGSSLROOTCERT", "SSL_CERT_FILE" };

  for (guint i = 0; i < G_N_ELEMENTS (variables); i++)
    {
      const char *path = g_getenv (variables[i]);

      if (is_readable_file (path))
        return g_strdup (path);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bundles); i++)
    if (is_readable_file (bundles[i]))
      return g_strdup (bundles[i]);

  return NULL;
}

static gboolean
is_local_host (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL || host[0] == '/' || host[0] == '@')
    return TRUE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* Every host of a multi-host string ("a,b") must be local. */
static gboolean
all_hosts_local (const PQconninfoOption *options)
{
  const char *hosts = find_value (options, "host");
  const char *hostaddr = find_value (options, "hostaddr");
  g_auto(GStrv) list = NULL;

  if (hostaddr != NULL)
    hosts = hostaddr;
  if (hosts == NULL)
    hosts = g_getenv ("PGHOSTADDR") != NULL ? g_getenv ("PGHOSTADDR") : g_getenv ("PGHOST");
  if (hosts == NULL || hosts[0] == '\0')
    return TRUE;   /* libpq's default: the local socket */

  list = g_strsplit (hosts, ",", -1);
  for (guint i = 0; list[i] != NULL; i++)
    if (!is_local_host (list[i][0] != '\0' ? list[i] : NULL))
      return FALSE;

  return TRUE;
}

LbConninfoTls
lb_conninfo_get_tls (const char *conninfo)
{
  PQconninfoOption *options = parse (conninfo != NULL ? conninfo : "", NULL);
  const char *mode;
  LbConninfoTls tls;

  if (options == NULL)
    return LB_CONNINFO_TLS_NONE;

  mode = find_value (options, "sslmode");
  if (mode == NULL)
    mode = g_getenv ("PGSSLMODE");
  if (mode == NULL || mode[0] == '\0')
    mode = "prefer";

  if (g_str_equal (mode, "verify-full"))
    tls = LB_CONNINFO_TLS_VERIFIED;
  else if (all_hosts_local (options))
    tls = LB_CONNINFO_TLS_LOCAL;
  else if (g_str_equal (mode, "require") || g_str_equal (mode, "verify-ca"))
    tls = LB_CONNINFO_TLS_UNVERIFIED;
  else if (g_str_equal (mode, "disable"))
    tls = LB_CONNINFO_TLS_NONE;
  else
    tls = LB_CONNINFO_TLS_OPTIONAL;

  PQconninfoFree (options);
  return tls;
}

const char *
lb_conninfo_describe_tls (const char *conninfo)
{
  switch (lb_conninfo_get_tls (conninfo))
    {
    case LB_CONNINFO_TLS_VERIFIED:
      return _("verified");
    case LB_CONNINFO_TLS_UNVERIFIED:
      return _("encrypted, server not verified");
    case LB_CONNINFO_TLS_OPTIONAL:
      return _("encrypted only if the server offers it, server not verified");
    case LB_CONNINFO_TLS_LOCAL:
      return _("on this computer");
    case LB_CONNINFO_TLS_NONE:
    default:
      return _("not encrypted");
    }
}

gboolean
lb_conninfo_has_password (const char *conninfo)
{
  PQconninfoOption *options;
  gboolean found;

  if (conninfo == NULL)
    return FALSE;

  options = parse (conninfo, NULL);
  if (options == NULL)
    {
      g_autofree char *stripped = lb_conninfo_strip_password (conninfo);

      /* Not libpq's to read; a secret is there if stripping took something. */
      return g_strcmp0 (stripped, conninfo) != 0;
    }

  found = find_value (options, "password") != NULL || find_value (options, "sslpassword") != NULL;
  PQconninfoFree (options);
  return found;
}

char *
lb_conninfo_dup_with_password (const char  *conninfo,
                               const char  *password,
                               GError     **error)
{
  PQconninfoOption *options;
  GString *text;

  g_return_val_if_fail (conninfo != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);

  options = parse (conninfo, error);
  if (options == NULL)
    return NULL;

  /* Rebuilt from libpq's reading, so a URI and key=value come out alike. */
  text = g_string_new (NULL);
  for (const PQconninfoOption *option = options; option->keyword != NULL; option++)
    if (option->val != NULL && !g_str_equal (option->keyword, "password"))
      append_value (text, option->keyword, option->val);
  append_value (text, "password", password);
  PQconninfoFree (options);

  return g_string_free (text, FALSE);
}

static gboolean
is_plain_identifier (const char *name)
{
  if (!(g_ascii_islower (name[0]) || name[0] == '_'))
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '_'))
      return FALSE;
  return TRUE;
}

char *
lb_conninfo_dup_search_path_options (const char *schema)
{
  g_autoptr(GString) value = NULL;
  GString *options;

  if (schema == NULL || schema[0] == '\0' || g_str_equal (schema, "public"))
    return NULL;

  /* The server reads the value as a list of identifiers: quote what it
   * would fold or split. */
  value = g_string_new (NULL);
  if (is_plain_identifier (schema))
    g_string_append (value, schema);
  else
    {
      g_string_append_c (value, '"');
      for (const char *p = schema; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (value, '"');
          g_string_append_c (value, *p);
        }
      g_string_append_c (value, '"');
    }
  g_string_append (value, ",public");

  /* libpq splits options at spaces; a backslash keeps the next character. */
  options = g_string_new ("-csearch_path=");
  for (const char *p = value->str; *p != '\0'; p++)
    {
      if (*p == ' ' || *p == '\\')
        g_string_append_c (options, '\\');
      g_string_append_c (options, *p);
    }

  return g_string_free (options, FALSE);
}
