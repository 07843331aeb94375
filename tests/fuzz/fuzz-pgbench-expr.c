/* SPDX-License-Identifier: GPL-3.0-or-later */
/* pgbench expressions (\set lines): parse, evaluate with a fixed seed and
 * export back. Input is capped so the fuzzer explores the grammar instead
 * of timing out on megabyte-long sums. */
#include "config.h"

#include "lb-fuzz.h"
#include "lb-pgbench-expr.h"

#define MAX_EXPR_INPUT 4096
#define N_VARIABLES 3

static const char * const variable_names[] = { "aid", "bid", "delta", NULL };

static gboolean
resolve_variable (const char *name,
                  guint      *var,
                  gpointer    user_data)
{
  for (guint i = 0; i < N_VARIABLES; i++)
    if (g_str_equal (name, variable_names[i]))
      {
        *var = i;
        return TRUE;
      }
  return FALSE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;
  g_autoptr(LbExpr) expr = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) eval_error = NULL;
  g_autofree char *exported = NULL;
  g_autoptr(GString) set_line = g_string_new (NULL);
  LbValue variables[N_VARIABLES] = { 0 };
  LbValue result = { 0 };
  LbRandom rng;
  LbExprContext context = { 0 };
  char buffer[LB_VALUE_TEXT_MAX];
  const char *result_text;
  guint column = 0;

  lb_fuzz_init ();
  if (size > MAX_EXPR_INPUT)
    return 0;

  /* The parser takes a C string; a NUL ends the line as it would in a file. */
  text = g_strndup ((const char *) data, size);
  expr = lb_expr_parse_at (text, resolve_variable, NULL, &column, &error);
  if (expr == NULL)
    {
      g_assert_nonnull (error);
      return 0;
    }

  for (guint i = 0; i < N_VARIABLES; i++)
    {
      variables[i].type = LB_VALUE_INT;
      variables[i].u.integer = 1000 * (i + 1);
    }
  lb_random_seed (&rng, 42);
  context.variables = variables;
  context.rng = &rng;
  context.client_id = 3;
  context.scale = 10;
  context.random_seed = 42;

  if (lb_expr_eval (expr, &context, &result, &eval_error))
    lb_value_to_text (&result, buffer, &result_text);

  exported = lb_expr_to_pgbench (expr, variable_names);
  if (!lb_expr_export_pgbench_set (expr, variable_names, "x", set_line, &error))
    g_assert_nonnull (error);

  return 0;
}
