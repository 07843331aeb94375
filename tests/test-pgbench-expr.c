/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lb-pgbench-expr.h"

static const char * const var_names[] = { "a", "b", "d", "s", NULL };

static gboolean
resolve (const char *name,
         guint      *var,
         gpointer    user_data)
{
  for (guint i = 0; var_names[i] != NULL; i++)
    {
      if (g_str_equal (name, var_names[i]))
        {
          *var = i;
          return TRUE;
        }
    }
  return FALSE;
}

typedef struct
{
  LbValue       vars[4];
  LbRandom      rng;
  LbExprContext ctx;
} Fixture;

static void
fixture_init (Fixture *f,
              guint64  seed)
{
  memset (f, 0, sizeof *f);
  f->vars[0].type = LB_VALUE_INT;
  f->vars[0].u.integer = 7;
  f->vars[1].type = LB_VALUE_INT;
  f->vars[1].u.integer = -3;
  f->vars[2].type = LB_VALUE_DOUBLE;
  f->vars[2].u.number = 2.5;
  f->vars[3].type = LB_VALUE_STRING;
  f->vars[3].u.string = "CA";
  lb_random_seed (&f->rng, seed);
  f->ctx.variables = f->vars;
  f->ctx.rng = &f->rng;
  f->ctx.client_id = 3;
  f->ctx.scale = 10;
  f->ctx.random_seed = 12345;
}

static LbValue
eval_ok (Fixture    *f,
         const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbExpr) expr = lb_expr_parse (text, resolve, NULL, &error);
  LbValue v = { 0 };

  g_assert_no_error (error);
  g_assert_nonnull (expr);
  lb_expr_eval (expr, &f->ctx, &v, &error);
  g_assert_no_error (error);
  return v;
}

static void
assert_int (const char *text,
            gint64      expected)
{
  Fixture f;
  LbValue v;

  fixture_init (&f, 1);
  v = eval_ok (&f, text);
  if (v.type != LB_VALUE_INT || v.u.integer != expected)
    g_error ("%s: expected int %" G_GINT64_FORMAT ", got type %d value %" G_GINT64_FORMAT,
             text, expected, v.type, v.u.integer);
}

static void
assert_double (const char *text,
               double      expected)
{
  Fixture f;
  LbValue v;

  fixture_init (&f, 1);
  v = eval_ok (&f, text);
  if (v.type != LB_VALUE_DOUBLE || fabs (v.u.number - expected) > 1e-12 * MAX (1.0, fabs (expected)))
    g_error ("%s: expected double %.17g, got type %d value %.17g", text, expected, v.type, v.u.number);
}

static void
assert_bool (const char *text,
             gboolean    expected)
{
  Fixture f;
  LbValue v;

  fixture_init (&f, 1);
  v = eval_ok (&f, text);
  if (v.type != LB_VALUE_BOOLEAN || v.u.boolean != expected)
    g_error ("%s: expected %s, got type %d", text, expected ? "true" : "false", v.type);
}

/* A double result (any value, NaN and ±Infinity included). */
static double
eval_ok_text (const char *text)
{
  Fixture f;
  LbValue v;

  fixture_init (&f, 1);
  v = eval_ok (&f, text);
  g_assert_cmpint (v.type, ==, LB_VALUE_DOUBLE);
  return v.u.number;
}

static void
assert_null (const char *text)
{
  Fixture f;
  LbValue v;

  fixture_init (&f, 1);
  v = eval_ok (&f, text);
  g_assert_cmpint (v.type, ==, LB_VALUE_NULL);
}

static void
assert_eval_error (const char *text,
                   const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbExpr) expr = lb_expr_parse (text, resolve, NULL, &error);
  Fixture f;
  LbValue v;

  g_assert_no_error (error);
  fixture_init (&f, 1);
  g_assert_false (lb_expr_eval (expr, &f.ctx, &v, &error));
  g_assert_error (error, LB_EXPR_ERROR, LB_EXPR_ERROR_EVAL);
  if (strstr (error->message, fragment) == NULL)
    g_error ("%s: message “%s” lacks “%s”", text, error->message, fragment);
  /* A plain sentence: the engine adds the script, line and command. */
  g_assert_false (g_str_has_prefix (error->message, "column "));
}

static void
assert_parse_error (const char *text,
                    int         code,
                    guint       column)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LbExpr) expr = NULL;
  guint got = 0;

  expr = lb_expr_parse_at (text, resolve, NULL, &got, &error);
  g_assert_null (expr);
  g_assert_error (error, LB_EXPR_ERROR, code);
  if (got != column)
    g_error ("%s: error at column %u, expected %u (%s)", text, got, column, error->message);
  g_clear_error (&error);

  expr = lb_expr_parse (text, resolve, NULL, &error);
  g_assert_null (expr);
  g_assert_true (g_str_has_prefix (error->message, "column "));
}

static void
test_arithmetic (void)
{
  assert_int ("1 + 2 * 3", 7);
  assert_int ("(1 + 2) * 3", 9);
  assert_int ("7 / 2", 3);
  assert_int ("-7 / 2", -3);        /* truncates toward zero */
  assert_int ("7 % 3", 1);
  assert_int ("-7 % 3", -1);
  assert_int ("mod(-7, 3)", -1);
  assert_int ("-9223372036854775808 % -1", 0);
  assert_int (":a * :b", -21);
  assert_int ("- :a", -7);
  assert_int ("-9223372036854775808", G_MININT64);
  assert_int ("9223372036854775807", G_MAXINT64);
  assert_double ("7 / 2.0", 3.5);
  assert_double (":a + :d", 9.5);
  assert_double ("1e3 + .5", 1000.5);
  assert_double ("2.5E-1", 0.25);
  assert_int ("5 & 3", 1);
  assert_int ("5 | 3", 7);
  assert_int ("5 # 3", 6);
  assert_int ("~0", -1);
  assert_int ("1 << 10", 1024);
  assert_int ("-16 >> 2", -4);
  assert_int ("1 + 2 << 1", 6);     /* bit operators bind looser than + */
  assert_int ("int(2.5)", 2);       /* rint: to even */
  assert_int ("int(3.5)", 4);
  assert_int ("int(-2.7)", -3);
  assert_double ("double(3)", 3.0);
  assert_int ("abs(-4)", 4);
  assert_double ("abs(-4.5)", 4.5);
  assert_int ("greatest(3, 9, -1)", 9);
  assert_double ("greatest(3, 9.5, -1)", 9.5);
  assert_int ("least(3, 9, -1)", -1);
  assert_double ("least(3, 2.5)", 2.5);
  assert_double ("sqrt(16)", 4.0);
  assert_double ("pow(2, 10)", 1024.0);
  assert_double ("power(2, 0.5)", sqrt (2.0));
  assert_double ("exp(0)", 1.0);
  assert_double ("ln(exp(2))", 2.0);
  assert_double ("pi()", G_PI);
  assert_int ("ABS(-2)", 2);        /* function names ignore case */
  assert_int ("debug(5)", 5);
}

static void
test_logic (void)
{
  assert_bool ("1 < 2", TRUE);
  assert_bool ("1 = 1.0", TRUE);
  assert_bool ("2 <> 2", FALSE);
  assert_bool ("2 != 3", TRUE);
  assert_bool ("3 >= 3 AND 2 <= 1", FALSE);
  assert_bool ("false OR 1 > 0", TRUE);
  assert_bool ("NOT 1 = 2", TRUE);
  assert_bool ("not true", FALSE);
  assert_bool ("NULL IS NULL", TRUE);
  assert_bool ("1 IS NULL", FALSE);
  assert_bool ("1 IS NOT NULL", TRUE);
  assert_bool ("NULL ISNULL", TRUE);
  assert_bool ("3 NOTNULL", TRUE);
  assert_bool ("(1 < 2) IS TRUE", TRUE);
  assert_bool ("(1 < 2) IS NOT FALSE", TRUE);
  /* pgbench: NULL first gives NULL; false AND … and true OR … stop early. */
  assert_null ("NULL AND false");
  assert_null ("NULL OR true");
  assert_bool ("false AND NULL", FALSE);
  assert_bool ("true OR NULL", TRUE);
  assert_null ("NULL AND true");
  assert_null ("NULL OR false");
  assert_null ("1 + NULL");
  assert_null ("NOT NULL");
  assert_int ("CASE WHEN :a > 5 THEN 1 ELSE 2 END", 1);
  assert_int ("CASE WHEN :a > 50 THEN 1 WHEN :a > 6 THEN 10 ELSE 2 END", 10);
  assert_null ("CASE WHEN false THEN 1 END");
  assert_int ("case when null then 1 else 3 end", 3);
  /* Lazy: the division by zero is not evaluated. */
  assert_bool ("false AND 1 / 0 = 1", FALSE);
  assert_int ("CASE WHEN true THEN 1 ELSE 1 / 0 END", 1);
}

static void
test_errors (void)
{
  assert_eval_error ("1 / 0", "division by zero");
  assert_eval_error ("1 % 0", "division by zero");
  assert_eval_error ("9223372036854775807 + 1", "bigint add out of range");
  assert_eval_error ("-9223372036854775808 - 1", "bigint sub out of range");
  assert_eval_error ("2 * (1 << 62)", "bigint mul out of range");
  assert_eval_error ("-9223372036854775808 / -1", "bigint div out of range");
  assert_eval_error ("-(-9223372036854775808)", "bigint sub out of range");
  assert_eval_error ("int(1e300)", "double to int overflow");
  assert_eval_error ("random_gaussian(1, 10, 1.5)", "gaussian parameter must be at least 2");
  assert_eval_error ("random_exponential(1, 10, 0)", "exponential parameter must be greater than zero");
  assert_eval_error ("random_zipfian(1, 10, 0.5)", "zipfian parameter must be in range [1.001, 1000]");
  assert_eval_error ("random_zipfian(1, 10, 1.0)", "1.001");
  assert_eval_error ("random(5, 3)", "empty range given to random");
  assert_eval_error ("random_exponential(5, 3, 1.0)", "empty range given to random");
  assert_eval_error ("random(-9223372036854775808, 9223372036854775807)", "random range is too large");
  assert_eval_error ("random(0, 9223372036854775807)", "random range is too large");
  assert_eval_error ("least(0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16)",
                     "too many function arguments, maximum is 16");
  assert_eval_error ("permute(1, 0)", "permute size parameter must be greater than zero");
  assert_eval_error ("true + 1", "cannot coerce boolean to int");
  assert_eval_error ("ln(true)", "cannot coerce boolean to double");
  assert_eval_error ("true = true", "cannot coerce boolean to int");
  assert_eval_error ("NOT 0.0", "cannot coerce double to boolean");
  assert_eval_error ("NOT 1", "cannot coerce int to boolean");
  assert_eval_error ("1 AND true", "cannot coerce int to boolean");
  assert_eval_error (":s + 1", "malformed variable “s” value: “CA”");

  /* What pgbench gives instead of an error. */
  assert_double ("least(-5.18, .0E0, 1.0/0) * -3.3", 17.094);
  g_assert_true (isinf (eval_ok_text ("1.0 / 0")) && eval_ok_text ("1.0 / 0") > 0);
  g_assert_true (isinf (eval_ok_text ("-1.0 / 0")) && eval_ok_text ("-1.0 / 0") < 0);
  g_assert_true (isnan (eval_ok_text ("0.0 / 0")));
  g_assert_true (isnan (eval_ok_text ("sqrt(-1)")));
  g_assert_true (isinf (eval_ok_text ("ln(0)")));
  assert_bool ("0.0 / 0 = 0.0 / 0", FALSE);     /* NaN equals nothing */
  assert_int ("abs(-9223372036854775808)", G_MININT64);
  assert_int ("1 << 64", 1);                    /* the count modulo 64, as x86-64 */
  assert_int ("1 << -1", G_MININT64);
  assert_int ("5.5 % 2", 0);                    /* both rounded to integers */

  assert_parse_error ("1 +", LB_EXPR_ERROR_SYNTAX, 4);
  assert_parse_error ("1 + 1.0E309", LB_EXPR_ERROR_SYNTAX, 5);
  assert_parse_error (".1E310", LB_EXPR_ERROR_SYNTAX, 1);
  assert_parse_error ("100000000000000000000", LB_EXPR_ERROR_SYNTAX, 1);
  assert_parse_error ("1 + * 2", LB_EXPR_ERROR_SYNTAX, 5);
  assert_parse_error ("(1 + 2", LB_EXPR_ERROR_SYNTAX, 7);
  assert_parse_error ("1 + :nope", LB_EXPR_ERROR_UNDEFINED, 5);
  assert_parse_error ("frobnicate(1)", LB_EXPR_ERROR_UNDEFINED, 1);
  assert_parse_error ("random(1)", LB_EXPR_ERROR_SYNTAX, 1);
  assert_parse_error ("random(1, 2, 3)", LB_EXPR_ERROR_SYNTAX, 1);
  assert_parse_error ("1 < 2 < 3", LB_EXPR_ERROR_SYNTAX, 7);
  assert_parse_error ("CASE 1 END", LB_EXPR_ERROR_SYNTAX, 6);
  assert_parse_error ("CASE WHEN 1 THEN 2", LB_EXPR_ERROR_SYNTAX, 19);
  assert_parse_error ("'CA'", LB_EXPR_ERROR_SYNTAX, 1);
  assert_parse_error ("values('CA", LB_EXPR_ERROR_SYNTAX, 8);
  assert_parse_error ("9223372036854775808", LB_EXPR_ERROR_SYNTAX, 1);
  assert_parse_error ("", LB_EXPR_ERROR_SYNTAX, 1);
  assert_parse_error ("1 2", LB_EXPR_ERROR_SYNTAX, 3);
  assert_parse_error ("12abc", LB_EXPR_ERROR_SYNTAX, 3);
  assert_parse_error ("é + @", LB_EXPR_ERROR_SYNTAX, 1);
  assert_parse_error ("1 + @", LB_EXPR_ERROR_SYNTAX, 5);
}

static void
test_automatic (void)
{
  assert_int (":client_id", 3);
  assert_int (":scale * 2", 20);
  assert_int (":random_seed", 12345);
  /* hash() defaults its seed to :default_seed. */
  {
    Fixture f;
    LbValue one, two;

    fixture_init (&f, 1);
    one = eval_ok (&f, "hash(42)");
    two = eval_ok (&f, "hash_murmur2(42, :default_seed)");
    g_assert_cmpint (one.type, ==, LB_VALUE_INT);
    g_assert_cmpint (one.u.integer, ==, two.u.integer);
  }
}

static void
test_hashes (void)
{
  /* FNV-1a 64 of the eight little-endian bytes of 0 with seed 0: the
   * standard offset basis, then eight rounds of "xor 0, multiply". */
  guint64 h = G_GUINT64_CONSTANT (0xcbf29ce484222325);
  g_autofree char *text = NULL;

  for (guint i = 0; i < 8; i++)
    h *= G_GUINT64_CONSTANT (0x100000001b3);
  assert_int ("hash_fnv1a(0, 0)", (gint64) h);

  /* Different seeds and values give different hashes; the same ones agree. */
  {
    Fixture f;
    LbValue a, b, c;

    fixture_init (&f, 1);
    a = eval_ok (&f, "hash_murmur2(1, 5)");
    b = eval_ok (&f, "hash_murmur2(1, 6)");
    c = eval_ok (&f, "hash_murmur2(1, 5)");
    g_assert_cmpint (a.u.integer, !=, b.u.integer);
    g_assert_cmpint (a.u.integer, ==, c.u.integer);
    a = eval_ok (&f, "hash_fnv1a(1, 5)");
    b = eval_ok (&f, "hash_fnv1a(2, 5)");
    g_assert_cmpint (a.u.integer, !=, b.u.integer);
  }
  (void) text;
}

static void
test_permute (void)
{
  Fixture f;
  const gint64 size = 1000;
  g_autofree gboolean *seen = g_new0 (gboolean, size);
  guint same = 0;

  fixture_init (&f, 1);
  for (gint64 i = 0; i < size; i++)
    {
      g_autofree char *text = g_strdup_printf ("permute(%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", 77)", i, size);
      LbValue v = eval_ok (&f, text);

      g_assert_cmpint (v.type, ==, LB_VALUE_INT);
      g_assert_cmpint (v.u.integer, >=, 0);
      g_assert_cmpint (v.u.integer, <, size);
      g_assert_false (seen[v.u.integer]);
      seen[v.u.integer] = TRUE;
      same += v.u.integer == i;
    }
  /* A permutation, and not the identity. */
  g_assert_cmpuint (same, <, 20);
  /* Out-of-range inputs wrap like pgbench: i mod size. */
  {
    LbValue a = eval_ok (&f, "permute(1005, 1000, 77)");
    LbValue b = eval_ok (&f, "permute(5, 1000, 77)");

    g_assert_cmpint (a.u.integer, ==, b.u.integer);
  }
  assert_int ("permute(0, 1)", 0);

  /* pgbench's own values: from its TAP test (001_pgbench_with_server.pl,
   * size = INT64_MAX - 10, seed 5432) and from pgbench 15 itself. */
  assert_int ("permute(0, 2, 5431)", 0);
  assert_int ("permute(1, 2, 5431)", 1);
  assert_int ("permute(0, 2, 5433)", 1);
  assert_int ("permute(1, 2, 5433)", 0);
  assert_int ("permute(9223372036854775796, 9223372036854775797, 5432)", 520382784483822430);
  assert_int ("permute(9223372036854775795, 9223372036854775797, 5432)", 1143715004660802862);
  assert_int ("permute(9223372036854775794, 9223372036854775797, 5432)", 447293596416496998);
  assert_int ("permute(9223372036854775793, 9223372036854775797, 5432)", 916527772266572956);
  assert_int ("permute(9223372036854775792, 9223372036854775797, 5432)", 2763809008686028849);
  assert_int ("permute(9223372036854775791, 9223372036854775797, 5432)", 8648551549198294572);
  assert_int ("permute(9223372036854775790, 9223372036854775797, 5432)", 4542876852200565125);
  assert_int ("permute(0, 1000, 77)", 642);
  assert_int ("permute(999, 1000, 77)", 815);
  assert_int ("permute(12345, 7, -5)", 5);
  assert_int ("permute(3, 3, 0)", 2);
  assert_int ("permute(-1, 10, 1)", 3);
}

static void
test_random_bounds (void)
{
  static const char * const exprs[] = {
    "random(5, 10)", "random_exponential(5, 10, 2.0)",
    "random_gaussian(5, 10, 2.5)", "random_zipfian(5, 10, 1.5)", "random(-3 + 8, 10)",
  };
  Fixture f;

  fixture_init (&f, 99);
  for (guint e = 0; e < G_N_ELEMENTS (exprs); e++)
    {
      g_autoptr(LbExpr) expr = lb_expr_parse (exprs[e], resolve, NULL, NULL);
      gboolean hit[6] = { FALSE };

      for (guint i = 0; i < 20000; i++)
        {
          LbValue v;

          g_assert_true (lb_expr_eval (expr, &f.ctx, &v, NULL));
          g_assert_cmpint (v.type, ==, LB_VALUE_INT);
          g_assert_cmpint (v.u.integer, >=, 5);
          g_assert_cmpint (v.u.integer, <=, 10);
          hit[v.u.integer - 5] = TRUE;
        }
      for (guint k = 0; k < 6; k++)
        g_assert_true (hit[k]);
    }

  /* Full range and single-value range. */
  assert_int ("random(4, 4)", 4);
  {
    LbRandom rng;

    lb_random_seed (&rng, 1);
    for (guint i = 0; i < 1000; i++)
      {
        double d = lb_random_double (&rng);

        g_assert_cmpfloat (d, >=, 0.0);
        g_assert_cmpfloat (d, <, 1.0);
      }
    (void) lb_random_uniform (&rng, G_MININT64, G_MAXINT64);
  }
}

static void
test_random_determinism (void)
{
  LbRandom a, b, c;
  guint differ = 0;

  lb_random_seed (&a, 42);
  lb_random_seed (&b, 42);
  lb_random_seed (&c, 43);
  for (guint i = 0; i < 100; i++)
    {
      guint64 x = lb_random_next (&a);

      g_assert_cmpuint (x, ==, lb_random_next (&b));
      differ += x != lb_random_next (&c);
    }
  g_assert_cmpuint (differ, >, 95);

  /* The same seed gives the same expression values. */
  {
    Fixture f1, f2;
    g_autoptr(LbExpr) expr = lb_expr_parse ("random_zipfian(1, 1000, 1.2) + random_gaussian(1, 100, 3)",
                                            resolve, NULL, NULL);

    fixture_init (&f1, 7);
    fixture_init (&f2, 7);
    for (guint i = 0; i < 100; i++)
      {
        LbValue v1, v2;

        g_assert_true (lb_expr_eval (expr, &f1.ctx, &v1, NULL));
        g_assert_true (lb_expr_eval (expr, &f2.ctx, &v2, NULL));
        g_assert_cmpint (v1.u.integer, ==, v2.u.integer);
      }
  }
}

static void
sample (const char *text,
        guint       n,
        double     *mean,
        double     *stddev,
        guint      *counts,
        gint64      lo,
        gint64      hi)
{
  g_autoptr(LbExpr) expr = lb_expr_parse (text, resolve, NULL, NULL);
  Fixture f;
  double sum = 0, sum2 = 0;

  fixture_init (&f, 2024);
  for (guint i = 0; i < n; i++)
    {
      LbValue v;

      g_assert_true (lb_expr_eval (expr, &f.ctx, &v, NULL));
      g_assert_cmpint (v.u.integer, >=, lo);
      g_assert_cmpint (v.u.integer, <=, hi);
      sum += (double) v.u.integer;
      sum2 += (double) v.u.integer * (double) v.u.integer;
      if (counts != NULL)
        counts[v.u.integer - lo]++;
    }
  *mean = sum / n;
  *stddev = sqrt (sum2 / n - *mean * *mean);
}

static void
test_random_distributions (void)
{
  const guint n = 200000;
  double mean, stddev;
  guint counts[100] = { 0 };

  /* Uniform on [1, 1000]: mean 500.5, stddev 288.7. */
  sample ("random(1, 1000)", n, &mean, &stddev, NULL, 1, 1000);
  g_assert_cmpfloat (fabs (mean - 500.5), <, 5.0);
  g_assert_cmpfloat (fabs (stddev - 288.7), <, 5.0);

  /* Gaussian on [1, 1001] with parameter 4: centred on 501, stddev about
   * (1001 / 8) = 125 (slightly less: the tails are cut at 4 sigma). */
  sample ("random_gaussian(1, 1001, 4.0)", n, &mean, &stddev, NULL, 1, 1001);
  g_assert_cmpfloat (fabs (mean - 501.0), <, 3.0);
  g_assert_cmpfloat (fabs (stddev - 125.0), <, 4.0);

  /* Exponential on [0, 999] with parameter 5: the mean of the truncated
   * exponential, 1000 × (1/5 − e^-5 / (1 − e^-5)) ≈ 193.2. */
  {
    double expected = 1000.0 * (1.0 / 5.0 - exp (-5.0) / (1.0 - exp (-5.0)));

    sample ("random_exponential(0, 999, 5.0)", n, &mean, &stddev, NULL, 0, 999);
    g_assert_cmpfloat (fabs (mean - expected), <, 4.0);
  }

  /* Zipfian with s = 2 on [1, 100]: 1 is the most frequent, and 1 comes out
   * about 2^2 = 4 times as often as 2. */
  sample ("random_zipfian(1, 100, 2.0)", n, &mean, &stddev, counts, 1, 100);
  for (guint k = 1; k < 100; k++)
    g_assert_cmpuint (counts[0], >, counts[k]);
  g_assert_cmpfloat (fabs ((double) counts[0] / counts[1] - 4.0), <, 0.3);
  g_assert_cmpuint (counts[1], >, counts[2]);

  /* values() picks each argument about equally often. */
  {
    g_autoptr(LbExpr) expr = lb_expr_parse ("values(10, 'CA', \"NY\", 2.5)", resolve, NULL, NULL);
    Fixture f;
    guint by_kind[4] = { 0 };

    fixture_init (&f, 5);
    for (guint i = 0; i < 40000; i++)
      {
        LbValue v;

        g_assert_true (lb_expr_eval (expr, &f.ctx, &v, NULL));
        if (v.type == LB_VALUE_INT)
          {
            g_assert_cmpint (v.u.integer, ==, 10);
            by_kind[0]++;
          }
        else if (v.type == LB_VALUE_STRING && g_str_equal (v.u.string, "CA"))
          by_kind[1]++;
        else if (v.type == LB_VALUE_STRING && g_str_equal (v.u.string, "NY"))
          by_kind[2]++;
        else
          {
            g_assert_cmpint (v.type, ==, LB_VALUE_DOUBLE);
            g_assert_cmpfloat (v.u.number, ==, 2.5);
            by_kind[3]++;
          }
      }
    for (guint k = 0; k < 4; k++)
      g_assert_cmpuint (by_kind[k], >, 9000);
  }
}

static void
assert_text (const LbValue *v,
             const char    *expected)
{
  char buf[LB_VALUE_TEXT_MAX];
  const char *text = NULL;
  gsize len = lb_value_to_text (v, buf, &text);

  g_assert_nonnull (text);
  g_assert_cmpuint (len, ==, strlen (expected));
  g_assert_cmpmem (text, len, expected, strlen (expected));
}

static void
test_value_text (void)
{
  LbValue v = { 0 };
  char buf[LB_VALUE_TEXT_MAX];
  const char *text = (const char *) 1;
  static const gint64 ints[] = { 0, 1, -1, 9, 10, 123456789, -987654321, G_MAXINT64, G_MININT64 + 1 };
  static const double doubles[] = { 0.1, 2.5, -3.75, 1e300, 1.0 / 3.0, 123456.789, -0.0, 5e-324 };

  g_assert_cmpuint (lb_value_to_text (&v, buf, &text), ==, 0);
  g_assert_null (text);

  v.type = LB_VALUE_INT;
  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    {
      g_autofree char *expected = g_strdup_printf ("%" G_GINT64_FORMAT, ints[i]);

      v.u.integer = ints[i];
      assert_text (&v, expected);
    }
  v.u.integer = G_MININT64;
  assert_text (&v, "-9223372036854775808");

  /* pgbench 15 sends doubles with %.15g (seen with log_statement = all):
   * 1.0 / 3 is '0.333333333333333', 0.1 + 0.2 is '0.3'. */
  v.type = LB_VALUE_DOUBLE;
  for (guint i = 0; i < G_N_ELEMENTS (doubles); i++)
    {
      char expected[64];

      v.u.number = doubles[i];
      g_assert_cmpuint (lb_value_to_text (&v, buf, &text), <, LB_VALUE_TEXT_MAX);
      g_snprintf (expected, sizeof expected, "%.15g", doubles[i]);
      g_assert_cmpstr (text, ==, expected);
    }
  v.u.number = 1.0 / 3.0;
  assert_text (&v, "0.333333333333333");
  v.u.number = 0.1 + 0.2;
  assert_text (&v, "0.3");
  v.u.number = 123456789012345678.0;
  assert_text (&v, "1.23456789012346e+17");
  v.u.number = 2.5;
  assert_text (&v, "2.5");
  v.u.number = -INFINITY;
  assert_text (&v, "-Infinity");
  v.u.number = NAN;
  assert_text (&v, "NaN");
  v.u.number = INFINITY;
  assert_text (&v, "Infinity");

  v.type = LB_VALUE_BOOLEAN;
  v.u.boolean = TRUE;
  assert_text (&v, "true");
  v.u.boolean = FALSE;
  assert_text (&v, "false");

  v.type = LB_VALUE_STRING;
  v.u.string = "héllo";
  assert_text (&v, "héllo");
}

static void
test_to_pgbench (void)
{
  static const char * const exprs[] = {
    "1 + 2 * :a", "CASE WHEN :a > 5 THEN 1.5 ELSE -2 END", "NOT (:a = 1) AND :b <> 2 OR :a IS NULL",
    "random_zipfian(1, 100000, 1.1)", "hash(:a)", "-9223372036854775808 + 1", "~:a # 3 << 1",
    "greatest(1, 2.0, :b)", "2.0", "1e-5", "abs(-:b) % 4", "(:a > 1) IS NOT TRUE", ":client_id",
  };

  for (guint i = 0; i < G_N_ELEMENTS (exprs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LbExpr) expr = lb_expr_parse (exprs[i], resolve, NULL, &error);
      g_autoptr(LbExpr) again = NULL;
      g_autofree char *text = NULL;
      g_autofree char *text2 = NULL;
      Fixture f1, f2;
      LbValue v1, v2;

      g_assert_no_error (error);
      text = lb_expr_to_pgbench (expr, var_names);
      g_assert_nonnull (text);
      /* Our own parser reads it back to the same value and the same text. */
      again = lb_expr_parse (text, resolve, NULL, &error);
      g_assert_no_error (error);
      text2 = lb_expr_to_pgbench (again, var_names);
      /* The printed form is stable from the first print on (a literal like
       * -9223372036854775808 may be spelled differently once). */
      {
        g_autoptr(LbExpr) third = lb_expr_parse (text2, resolve, NULL, &error);
        g_autofree char *text3 = lb_expr_to_pgbench (third, var_names);

        g_assert_no_error (error);
        g_assert_cmpstr (text2, ==, text3);
      }
      fixture_init (&f1, 3);
      fixture_init (&f2, 3);
      g_assert_true (lb_expr_eval (expr, &f1.ctx, &v1, NULL));
      g_assert_true (lb_expr_eval (again, &f2.ctx, &v2, NULL));
      g_assert_cmpint (v1.type, ==, v2.type);
      g_assert_cmpmem (&v1.u, sizeof v1.u, &v2.u, sizeof v2.u);
    }

  /* Doubles stay doubles. */
  {
    g_autoptr(LbExpr) expr = lb_expr_parse ("2.0", resolve, NULL, NULL);
    g_autofree char *text = lb_expr_to_pgbench (expr, var_names);

    g_assert_cmpstr (text, ==, "2.0");
  }

  /* values(): no single expression, but \set lines. */
  {
    g_autoptr(LbExpr) expr = lb_expr_parse ("values(1950, 1975, 1990)", resolve, NULL, NULL);
    g_autoptr(GString) out = g_string_new (NULL);
    g_autofree char *text = lb_expr_to_pgbench (expr, var_names);

    g_assert_null (text);
    g_assert_true (lb_expr_export_pgbench_set (expr, var_names, "y", out, NULL));
    g_assert_cmpstr (out->str, ==,
                     "\\set y_pick1 random(1, 3)\n"
                     "\\set y CASE WHEN :y_pick1 = 1 THEN 1950 WHEN :y_pick1 = 2 THEN 1975 ELSE 1990 END\n");
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LbExpr) expr = lb_expr_parse ("values('CA', 'NY')", resolve, NULL, NULL);
    g_autoptr(GString) out = g_string_new (NULL);

    g_assert_false (lb_expr_export_pgbench_set (expr, var_names, "st", out, &error));
    g_assert_error (error, LB_EXPR_ERROR, LB_EXPR_ERROR_SYNTAX);
    g_assert_nonnull (strstr (error->message, "CA"));
  }
}

static void
test_strings (void)
{
  static const struct { const char *text; const char *expected; } cases[] = {
    { "values('it''s')", "it's" },
    { "values(\"NY\")", "NY" },
    { "values(\"say \"\"hi\"\"\")", "say \"hi\"" },
  };
  Fixture f;
  LbValue v;

  fixture_init (&f, 1);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      /* The string lives in the expression, which must outlive the value. */
      g_autoptr(LbExpr) expr = lb_expr_parse (cases[i].text, resolve, NULL, NULL);

      g_assert_true (lb_expr_eval (expr, &f.ctx, &v, NULL));
      g_assert_cmpint (v.type, ==, LB_VALUE_STRING);
      g_assert_cmpstr (v.u.string, ==, cases[i].expected);
    }
  v = eval_ok (&f, "values(:a + 1)");
  g_assert_cmpint (v.u.integer, ==, 8);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pgbench-expr/arithmetic", test_arithmetic);
  g_test_add_func ("/pgbench-expr/logic", test_logic);
  g_test_add_func ("/pgbench-expr/errors", test_errors);
  g_test_add_func ("/pgbench-expr/automatic", test_automatic);
  g_test_add_func ("/pgbench-expr/hashes", test_hashes);
  g_test_add_func ("/pgbench-expr/permute", test_permute);
  g_test_add_func ("/pgbench-expr/strings", test_strings);
  g_test_add_func ("/pgbench-expr/random/bounds", test_random_bounds);
  g_test_add_func ("/pgbench-expr/random/determinism", test_random_determinism);
  g_test_add_func ("/pgbench-expr/random/distributions", test_random_distributions);
  g_test_add_func ("/pgbench-expr/value-text", test_value_text);
  g_test_add_func ("/pgbench-expr/to-pgbench", test_to_pgbench);

  return g_test_run ();
}
