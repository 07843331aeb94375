/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lb-conninfo: what libpq reads as a secret never survives the stripping,
 * and the labels shown for a target never carry one. */
#include "config.h"

#include <glib.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <string.h>

#include "lb-conninfo.h"

static void
test_strip_encoded_and_ssl_secrets (void)
{
  static const struct {
    const char *in;
    const char *out;
  } cases[] = {
    /* libpq decodes the key of a URI parameter: this is password=secret. */
    { "postgresql://db/shop?%70assword=secret&sslmode=require", "postgresql://db/shop?sslmode=require" },
    /* The passphrase of the client key is a secret too. */
    { "host=db sslpassword=keypass sslkey=/k.pem", "host=db sslkey=/k.pem" },
    { "postgresql://db/shop?sslpassword=keypass", "postgresql://db/shop" },
    { "postgresql://db/shop?ssl%70assword=keypass&application_name=x", "postgresql://db/shop?application_name=x" },
    /* What is not a secret stays as written. */
    { "host=db passfile=/tmp/p sslcert=/c.pem", "host=db passfile=/tmp/p sslcert=/c.pem" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = lb_conninfo_strip_password (cases[i].in);

      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

static void
test_validate (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lb_conninfo_validate ("host=db dbname=shop", NULL));
  g_assert_true (lb_conninfo_validate ("postgresql://app@db:5433/shop", NULL));
  g_assert_true (lb_conninfo_validate ("", NULL));

  g_assert_false (lb_conninfo_validate ("host=db nonsense", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  /* libpq's own reason, without its trailing newline. */
  g_assert_nonnull (strstr (error->message, "nonsense"));
  g_assert_false (g_str_has_suffix (error->message, "\n"));
  g_clear_error (&error);

  g_assert_false (lb_conninfo_validate ("host=db colour=blue", &error));
  g_assert_nonnull (strstr (error->message, "colour"));
}

static void
test_describe (void)
{
  static const struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "host=db.example.com port=5433 user=app password=secret dbname=shop", "app@db.example.com:5433/shop" },
    { "postgresql://app:secret@db/shop", "app@db/shop" },
    { "dbname=shop", "localhost/shop" },
    { "hostaddr=10.0.0.1", "10.0.0.1" },
    /* Not a connection string: shown, but never with its password. */
    { "host=db password=secret colour=blue", "host=db colour=blue" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = lb_conninfo_describe (cases[i].in);

      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

static void
test_target_label (void)
{
  g_autofree char *label = NULL;
  g_autofree char *from_env = NULL;

  g_setenv ("PGHOST", "envhost", TRUE);
  g_setenv ("PGPORT", "6543", TRUE);
  g_setenv ("PGPASSWORD", "envsecret", TRUE);

  label = lb_conninfo_dup_target_label ("dbname=shop password=secret");
  g_assert_cmpstr (label, ==, "shop on envhost:6543");

  from_env = lb_conninfo_dup_from_environment ();
  g_assert_nonnull (strstr (from_env, "host='envhost'"));
  g_assert_nonnull (strstr (from_env, "port='6543'"));
  g_assert_null (strstr (from_env, "envsecret"));

  g_unsetenv ("PGHOST");
  g_unsetenv ("PGPORT");
  g_unsetenv ("PGPASSWORD");
}

static void
test_system_ca_bundle (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lb-conninfo-XXXXXX", NULL);
  g_autofree char *bundle = g_build_filename (dir, "ca.pem", NULL);
  g_autofree char *found = NULL;
  g_autofree char *from_env = NULL;
  g_autofree char *missing = g_build_filename (dir, "absent.pem", NULL);

  g_unsetenv ("PGSSLROOTCERT");
  g_unsetenv ("SSL_CERT_FILE");

  /* The machine's own bundle, from the places distributions keep it. */
  found = lb_conninfo_find_system_ca_bundle ();
  if (found != NULL)
    g_assert_true (g_file_test (found, G_FILE_TEST_IS_REGULAR));
  if (g_file_test ("/etc/ssl/certs/ca-certificates.crt", G_FILE_TEST_IS_REGULAR))
    g_assert_cmpstr (found, ==, "/etc/ssl/certs/ca-certificates.crt");

  /* SSL_CERT_FILE, then PGSSLROOTCERT over it; a missing file is skipped. */
  g_assert_true (g_file_set_contents (bundle, "-----BEGIN CERTIFICATE-----\n", -1, NULL));
  g_setenv ("SSL_CERT_FILE", bundle, TRUE);
  from_env = lb_conninfo_find_system_ca_bundle ();
  g_assert_cmpstr (from_env, ==, bundle);
  g_clear_pointer (&from_env, g_free);
  g_setenv ("PGSSLROOTCERT", missing, TRUE);
  from_env = lb_conninfo_find_system_ca_bundle ();
  g_assert_cmpstr (from_env, ==, bundle);

  g_unsetenv ("PGSSLROOTCERT");
  g_unsetenv ("SSL_CERT_FILE");
  g_remove (bundle);
  g_rmdir (dir);
}

static void
test_tls (void)
{
  g_unsetenv ("PGSSLMODE");
  g_unsetenv ("PGHOST");
  g_unsetenv ("PGHOSTADDR");

  g_assert_cmpint (lb_conninfo_get_tls ("host=db.example.com sslmode=verify-full sslrootcert=/x"), ==, LB_CONNINFO_TLS_VERIFIED);
  g_assert_cmpstr (lb_conninfo_describe_tls ("host=db.example.com sslmode=verify-full"), ==, "verified");
  g_assert_cmpint (lb_conninfo_get_tls ("host=db.example.com sslmode=require"), ==, LB_CONNINFO_TLS_UNVERIFIED);
  g_assert_cmpstr (lb_conninfo_describe_tls ("postgresql://db.example.com/shop?sslmode=require"), ==,
                   "encrypted, server not verified");
  g_assert_cmpint (lb_conninfo_get_tls ("host=db.example.com sslmode=verify-ca"), ==, LB_CONNINFO_TLS_UNVERIFIED);
  g_assert_cmpstr (lb_conninfo_describe_tls ("host=db.example.com sslmode=disable"), ==, "not encrypted");
  g_assert_cmpint (lb_conninfo_get_tls ("host=db.example.com"), ==, LB_CONNINFO_TLS_OPTIONAL);
  /* Nothing on the network: a socket, loopback, libpq's default. */
  g_assert_cmpint (lb_conninfo_get_tls ("host=/tmp sslmode=disable"), ==, LB_CONNINFO_TLS_LOCAL);
  g_assert_cmpint (lb_conninfo_get_tls ("postgresql://127.0.0.1:5433/shop"), ==, LB_CONNINFO_TLS_LOCAL);
  g_assert_cmpint (lb_conninfo_get_tls ("dbname=shop"), ==, LB_CONNINFO_TLS_LOCAL);
  g_assert_cmpint (lb_conninfo_get_tls ("host=localhost,db.example.com sslmode=require"), ==, LB_CONNINFO_TLS_UNVERIFIED);
  /* As libpq reads it, PGSSLMODE counts when the string says nothing. */
  g_setenv ("PGSSLMODE", "verify-full", TRUE);
  g_assert_cmpint (lb_conninfo_get_tls ("host=db.example.com"), ==, LB_CONNINFO_TLS_VERIFIED);
  g_unsetenv ("PGSSLMODE");
}

static void
test_password (void)
{
  g_autofree char *with = NULL;
  g_autoptr(GError) error = NULL;
  PQconninfoOption *options;

  g_assert_true (lb_conninfo_has_password ("host=db password=x"));
  g_assert_true (lb_conninfo_has_password ("postgresql://app:x@db/shop"));
  g_assert_true (lb_conninfo_has_password ("postgresql://db/shop?%70assword=x"));
  g_assert_true (lb_conninfo_has_password ("host=db sslpassword=x"));
  g_assert_false (lb_conninfo_has_password ("host=db user=app"));
  g_assert_false (lb_conninfo_has_password ("postgresql://app@db/shop"));

  with = lb_conninfo_dup_with_password ("postgresql://app@db/shop?sslmode=require", "it's", &error);
  g_assert_no_error (error);
  options = PQconninfoParse (with, NULL);
  g_assert_nonnull (options);
  for (PQconninfoOption *option = options; option->keyword != NULL; option++)
    {
      if (g_str_equal (option->keyword, "password"))
        g_assert_cmpstr (option->val, ==, "it's");
      else if (g_str_equal (option->keyword, "host"))
        g_assert_cmpstr (option->val, ==, "db");
      else if (g_str_equal (option->keyword, "sslmode"))
        g_assert_cmpstr (option->val, ==, "require");
    }
  PQconninfoFree (options);

  g_assert_null (lb_conninfo_dup_with_password ("host=db port", "x", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

/* What the tester is handed for tables synced outside public; libpq must
 * still read the whole conninfo. */
static void
test_search_path_options (void)
{
  static const struct { const char *schema; const char *options; } cases[] = {
    { NULL, NULL },
    { "", NULL },
    { "public", NULL },
    { "serving", "-csearch_path=serving,public" },
    { "Serving-2", "-csearch_path=\"Serving-2\",public" },
    { "a b\\c", "-csearch_path=\"a\\ b\\\\c\",public" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *options = lb_conninfo_dup_search_path_options (cases[i].schema);

      g_assert_cmpstr (options, ==, cases[i].options);
      if (options != NULL)
        {
          g_autofree char *escaped = g_strescape (options, NULL);
          g_autoptr(GString) conninfo = g_string_new ("host=localhost options='");

          for (const char *p = options; *p != '\0'; p++)
            {
              if (*p == '\'' || *p == '\\')
                g_string_append_c (conninfo, '\\');
              g_string_append_c (conninfo, *p);
            }
          g_string_append_c (conninfo, '\'');
          g_test_message ("%s", escaped);
          g_assert_true (lb_conninfo_validate (conninfo->str, NULL));
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/conninfo/strip-encoded-and-ssl-secrets", test_strip_encoded_and_ssl_secrets);
  g_test_add_func ("/conninfo/validate", test_validate);
  g_test_add_func ("/conninfo/describe", test_describe);
  g_test_add_func ("/conninfo/target-label", test_target_label);
  g_test_add_func ("/conninfo/system-ca-bundle", test_system_ca_bundle);
  g_test_add_func ("/conninfo/tls", test_tls);
  g_test_add_func ("/conninfo/password", test_password);
  g_test_add_func ("/conninfo/search-path-options", test_search_path_options);

  return g_test_run ();
}
