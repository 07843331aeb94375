/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ~/.databrickscfg text: load, list the profiles, resolve each one and the
 * default, describe what resolved (the describe path never prints secrets). */
#include "config.h"

#include "lb-fuzz.h"
#include "lb-databricks-config.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const char * const no_environment[] = { NULL };
  g_autofree char *text = NULL;
  g_autoptr(LbDatabricksConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) profiles = NULL;

  lb_fuzz_init ();

  /* The loader reads a C string, as it does for a file's contents. */
  text = g_strndup ((const char *) data, size);
  config = lb_databricks_config_new_from_data (text, "fuzz.databrickscfg", no_environment, &error);
  if (config == NULL)
    {
      g_assert_nonnull (error);
      return 0;
    }

  profiles = lb_databricks_config_list_profiles (config);
  for (guint i = 0; profiles != NULL && profiles[i] != NULL; i++)
    {
      g_autoptr(LbDatabricksProfile) profile = NULL;
      g_autoptr(GError) resolve_error = NULL;

      profile = lb_databricks_config_resolve (config, profiles[i], &resolve_error);
      g_assert_true ((profile == NULL) == (resolve_error != NULL));
      if (profile != NULL)
        {
          g_autofree char *description = lb_databricks_profile_describe (profile);
          g_autoptr(LbDatabricksProfile) copy = lb_databricks_profile_copy (profile);

          g_assert_nonnull (description);
          g_assert_nonnull (copy);
        }
    }

  {
    g_autoptr(LbDatabricksProfile) fallback = NULL;
    g_autoptr(GError) resolve_error = NULL;

    fallback = lb_databricks_config_resolve (config, NULL, &resolve_error);
    g_assert_true ((fallback == NULL) == (resolve_error != NULL));
  }

  return 0;
}
