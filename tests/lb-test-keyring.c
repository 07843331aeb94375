/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libsecret/secret.h>

#include "lb-test-keyring.h"
#include "lb-test-utils.h"

struct _LbTestKeyring
{
  GTestDBus   *bus;
  GSubprocess *daemon;
  char        *dir;
};

LbTestKeyring *
lb_test_keyring_start (char **why)
{
  g_autofree char *daemon_path = g_find_program_in_path ("gnome-keyring-daemon");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *runtime_dir = NULL;
  LbTestKeyring *keyring;
  GOutputStream *input;

  if (daemon_path == NULL)
    {
      *why = g_strdup ("gnome-keyring-daemon is not installed (Debian package gnome-keyring)");
      return NULL;
    }

  keyring = g_new0 (LbTestKeyring, 1);
  keyring->dir = g_dir_make_tmp ("lb-test-keyring-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (keyring->dir, "data", NULL);
  runtime_dir = g_build_filename (keyring->dir, "run", NULL);
  g_assert_cmpint (g_mkdir_with_parents (data_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (runtime_dir, 0700), ==, 0);

  keyring->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  {
    /* GTestDBus unsets DISPLAY (against X11 bus autolaunch); UI tests need it. */
    g_autofree char *display = g_strdup (g_getenv ("DISPLAY"));

    g_test_dbus_up (keyring->bus);
    if (display != NULL)
      g_setenv ("DISPLAY", display, TRUE);
  }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", g_test_dbus_get_bus_address (keyring->bus), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", runtime_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", keyring->dir, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  /* The tests' strictness is for our code: the daemon would abort on its
   * own warnings (fatal-warnings) and took down the keyring mid-test. */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  g_subprocess_launcher_unsetenv (launcher, "G_ENABLE_DIAGNOSTIC");
  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  g_subprocess_launcher_unsetenv (launcher, "MALLOC_CHECK_");
  keyring->daemon = g_subprocess_launcher_spawn (launcher, &error, daemon_path,
                                                 "--foreground", "--unlock", "--components=secrets", NULL);
  g_assert_no_error (error);

  /* --unlock reads the new login keyring's password from stdin. */
  input = g_subprocess_get_stdin_pipe (keyring->daemon);
  g_output_stream_write_all (input, "lb-test", 7, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (input, NULL, NULL);

  connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(GVariant) reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                               "org.freedesktop.DBus", "NameHasOwner",
                                                               g_variant_new ("(s)", "org.freedesktop.secrets"),
                                                               G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                                               NULL, NULL);
      gboolean owned = FALSE;

      if (reply != NULL)
        g_variant_get (reply, "(b)", &owned);
      if (owned)
        return keyring;
      g_usleep (50 * 1000);
    }

  g_error ("gnome-keyring-daemon did not take org.freedesktop.secrets within 10 s");
  return NULL;
}

void
lb_test_keyring_stop (LbTestKeyring *keyring)
{
  if (keyring == NULL)
    return;

  g_subprocess_force_exit (keyring->daemon);
  g_subprocess_wait (keyring->daemon, NULL, NULL);
  g_clear_object (&keyring->daemon);
  /* libsecret keeps the bus connection for the process's lifetime, so the
   * GTestDBus is not finalized (that would wait for the connection to go);
   * stopping its daemon is enough at the end of a test program. */
  secret_service_disconnect ();
  g_test_dbus_stop (keyring->bus);
  keyring->bus = NULL;
  lb_test_remove_tree (keyring->dir);
  g_free (keyring->dir);
  g_free (keyring);
}
