/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lb-conninfo: what libpq reads as a secret never survives the stripping,
 * and the labels shown for a target never carry one. */
#include "config.h"

#include <glib.h>
#include <gio/gio.h>
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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/conninfo/strip-encoded-and-ssl-secrets", test_strip_encoded_and_ssl_secrets);
  g_test_add_func ("/conninfo/validate", test_validate);
  g_test_add_func ("/conninfo/describe", test_describe);
  g_test_add_func ("/conninfo/target-label", test_target_label);

  return g_test_run ();
}
