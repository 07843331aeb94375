/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the subcommands share: writing results to stdout, checking for the
 * one workload file, loading it. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "lb-cli.h"
#include "lb-core.h"

gboolean
lb_cli_write_stdout (const char  *text,
                     GError     **error)
{
  gsize length;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  length = strlen (text);

  /* Bytes as they are: JSON and CSV are UTF-8 whatever the locale, where
   * g_print() would convert them to the locale's charset. */
  if (fwrite (text, 1, length, stdout) != length ||
      (length > 0 && text[length - 1] != '\n' && fputc ('\n', stdout) == EOF) ||
      fflush (stdout) != 0)
    {
      int saved_errno = errno;

      g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                           g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

gboolean
lb_cli_need_one_file (const char * const *files,
                      const char         *command)
{
  g_return_val_if_fail (command != NULL, FALSE);

  if (files == NULL || files[0] == NULL || files[1] != NULL)
    {
      lb_cli_print_error (_("%s needs exactly one workload file"), command);
      /* TRANSLATORS: %s is "deploy", "estimate", … */
      g_printerr (_("Try “lakebase-cli %s --help”.\n"), command);
      return FALSE;
    }

  return TRUE;
}

LbWorkload *
lb_cli_load_workload (const char *path)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  LbWorkload *workload;

  g_return_val_if_fail (path != NULL, NULL);

  file = g_file_new_for_commandline_arg (path);
  workload = lb_workload_new_from_file (file, &error);
  if (workload == NULL)
    lb_cli_print_error ("%s", error->message);

  return workload;
}
