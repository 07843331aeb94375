/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The core library's one-time set-up: its GResources (the built-in price
 * sheet) and its gettext domain, for the app, the CLI and the tests alike. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lb-core.h"
#include "lb-core-resources.h"

void
lb_core_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      lb_core_register_resource ();
      bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&initialized, 1);
    }
}
