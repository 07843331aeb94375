/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Run records (the history's JSON files): load, save, load again; the two
 * saves must be the same text, and the text, CSV and title exports must not
 * crash on anything that loaded. */
#include "config.h"

#include <json-glib/json-glib.h>

#include "lb-fuzz.h"
#include "lb-run-record.h"
#include "lb-server-report.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) reparser = json_parser_new ();
  g_autoptr(LbRunRecord) record = NULL;
  g_autoptr(LbRunRecord) reloaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *resaved = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *text = NULL;
  g_autofree char *title = NULL;

  lb_fuzz_init ();

  if (!json_parser_load_from_data (parser, (const char *) data, size, NULL))
    return 0;
  record = lb_run_record_new_from_json (json_parser_get_root (parser), &error);
  if (record == NULL)
    {
      g_assert_nonnull (error);
      return 0;
    }

  saved = lb_run_record_to_json_string (record);
  if (!json_parser_load_from_data (reparser, saved, -1, &error))
    g_error ("a saved run record is not JSON: %s", error->message);
  reloaded = lb_run_record_new_from_json (json_parser_get_root (reparser), &error);
  if (reloaded == NULL)
    g_error ("a saved run record does not load again: %s\n---\n%s", error->message, saved);

  resaved = lb_run_record_to_json_string (reloaded);
  if (g_strcmp0 (saved, resaved) != 0)
    g_error ("a run record changed between two saves:\n---\n%s\n---\n%s", saved, resaved);

  csv = lb_run_record_to_csv (record);
  text = lb_run_record_to_text (record);
  title = lb_run_record_dup_title (record);
  /* The server's part: deltas, findings and bands on whatever loaded. */
  {
    static LbPriceSheet *prices;
    g_autofree char *server = NULL;
    g_autoptr(JsonNode) summary = NULL;

    if (prices == NULL)
      prices = lb_price_sheet_new_default ();
    server = lb_server_report_to_text (record, prices);
    summary = lb_server_report_to_json (record, prices);
  }
  return 0;
}
