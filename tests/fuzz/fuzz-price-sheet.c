/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Price sheets (the user's own prices file): load, then read every value the
 * cost model reads. */
#include "config.h"

#include "lb-fuzz.h"
#include "lb-price-sheet.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(LbPriceSheet) sheet = NULL;
  g_autoptr(GError) error = NULL;

  lb_fuzz_init ();

  sheet = lb_price_sheet_new_from_data ((const char *) data, size, &error);
  if (sheet == NULL)
    {
      g_assert_nonnull (error);
      return 0;
    }

  g_assert_nonnull (lb_price_sheet_get_prices (sheet));
  g_assert_nonnull (lb_price_sheet_get_name (sheet));
  g_assert_nonnull (lb_price_sheet_get_currency (sheet));
  return 0;
}
