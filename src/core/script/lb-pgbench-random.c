/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The random numbers behind the expression functions: the per-client
 * generator (LbRandom, xoshiro256** seeded by SplitMix64), the exponential,
 * Gaussian and Zipfian draws, and the hash and permute functions. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-pgbench-expr-private.h"

/* ------------------------------------------------------------------------ */
/* Random numbers                                                           */

guint64
_lb_random_splitmix64 (guint64 *state)
{
  guint64 z;

  *state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  z = *state;
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static inline guint64
rotl (guint64 x,
      int     k)
{
  return (x << k) | (x >> (64 - k));
}

void
lb_random_seed (LbRandom *rng,
                guint64   seed)
{
  guint64 state = seed;

  g_return_if_fail (rng != NULL);

  for (guint i = 0; i < 4; i++)
    rng->s[i] = _lb_random_splitmix64 (&state);
}

guint64
lb_random_next (LbRandom *rng)
{
  guint64 *s = rng->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

gint64
lb_random_uniform (LbRandom *rng,
                   gint64    min,
                   gint64    max)
{
  guint64 span;
  guint64 n;
  guint64 threshold;
  guint64 r;

  if (min > max)
    {
      gint64 tmp = min;

      min = max;
      max = tmp;
    }

  span = (guint64) max - (guint64) min;
  if (span == G_MAXUINT64)
    return (gint64) lb_random_next (rng);

  /* Rejecting the low (2^64 mod n) draws removes the modulo bias. */
  n = span + 1;
  threshold = (0 - n) % n;
  do
    r = lb_random_next (rng);
  while (r < threshold);

  return (gint64) ((guint64) min + r % n);
}

double
lb_random_double (LbRandom *rng)
{
  return (double) (lb_random_next (rng) >> 11) * 0x1.0p-53;
}

gint64
_lb_random_exponential (LbRandom *rng,
                        gint64    min,
                        gint64    max,
                        double    parameter)
{
  double cut = exp (-parameter);
  double uniform = 1.0 - lb_random_double (rng);   /* (0, 1] */
  double rand = -log (cut + (1.0 - cut) * uniform) / parameter;   /* [0, 1) */

  return min + (gint64) ((double) ((guint64) max - (guint64) min + 1) * rand);
}

gint64
_lb_random_gaussian (LbRandom *rng,
                     gint64    min,
                     gint64    max,
                     double    parameter)
{
  double stdev;
  double rand;

  /* Box-Muller, redrawn until inside [-parameter, parameter). */
  do
    {
      double u1 = 1.0 - lb_random_double (rng);
      double u2 = lb_random_double (rng);

      stdev = sqrt (-2.0 * log (u1)) * sin (2.0 * G_PI * u2);
    }
  while (stdev < -parameter || stdev >= parameter);

  rand = (stdev + parameter) / (parameter * 2.0);
  return min + (gint64) ((double) ((guint64) max - (guint64) min + 1) * rand);
}

gint64
_lb_random_zipfian (LbRandom *rng,
                    gint64    min,
                    gint64    max,
                    double    s)
{
  /* Devroye's rejection method ("Non-Uniform Random Variate Generation",
   * p. 550): draw from the unbounded distribution, keep draws <= n. */
  double n = (double) ((guint64) max - (guint64) min + 1);
  double b = pow (2.0, s - 1.0);
  double x;

  for (;;)
    {
      double u = 1.0 - lb_random_double (rng);
      double v = lb_random_double (rng);
      double t;

      x = floor (pow (u, -1.0 / (s - 1.0)));
      t = pow (1.0 + 1.0 / x, s - 1.0);
      if (v * x * (t - 1.0) / (b - 1.0) <= t / b && x <= n)
        break;
    }

  return min + (gint64) x - 1;
}

/* ------------------------------------------------------------------------ */
/* Hashes and permutation                                                   */

#define FNV_OFFSET G_GUINT64_CONSTANT (0xcbf29ce484222325)
#define FNV_PRIME  G_GUINT64_CONSTANT (0x100000001b3)
#define MM2_MUL    G_GUINT64_CONSTANT (0xc6a4a7935bd1e995)
#define MM2_SHIFT  47

gint64
_lb_expr_hash_fnv1a (gint64  value,
                     guint64 seed)
{
  guint64 h = FNV_OFFSET ^ seed;
  guint64 v = (guint64) value;

  /* The eight bytes of the value, least significant first. */
  for (guint i = 0; i < 8; i++)
    {
      h ^= v & 0xff;
      h *= FNV_PRIME;
      v >>= 8;
    }
  return (gint64) h;
}

gint64
_lb_expr_hash_murmur2 (gint64  value,
                       guint64 seed)
{
  /* MurmurHash64A over one 8-byte block. */
  guint64 h = seed ^ (8 * MM2_MUL);
  guint64 k = (guint64) value;

  k *= MM2_MUL;
  k ^= k >> MM2_SHIFT;
  k *= MM2_MUL;
  h ^= k;
  h *= MM2_MUL;

  h ^= h >> MM2_SHIFT;
  h *= MM2_MUL;
  h ^= h >> MM2_SHIFT;
  return (gint64) h;
}

/* permute() must give pgbench's values for a given seed (scripts and tests
 * rely on them), so this follows pgbench 15's construction: a
 * xoroshiro128** stream seeded with SplitMix64, then six rounds of an odd
 * multiply, xor and one-bit rotation on the low power-of-two part of the
 * range, the same on the range mirrored (so every value is reached), and
 * a random offset modulo the size. */
typedef struct
{
  guint64 s0, s1;
} PermuteRng;

static inline guint64
rotl64 (guint64 x,
        int     bits)
{
  return (x << bits) | (x >> (64 - bits));
}

static guint64
permute_next (PermuteRng *r)
{
  guint64 s0 = r->s0;
  guint64 sx = r->s1 ^ s0;
  guint64 value = rotl64 (s0 * 5, 7) * 9;

  r->s0 = rotl64 (s0, 24) ^ sx ^ (sx << 16);
  r->s1 = rotl64 (sx, 37);
  return value;
}

/* Uniform in [0, range] by rejection on the top bits. */
static guint64
permute_below_or_equal (PermuteRng *r,
                        guint64     range)
{
  guint shift;
  guint64 value;

  if (range == 0)
    return 0;
  shift = (guint) __builtin_clzll (range);
  do
    value = permute_next (r) >> shift;
  while (value > range);
  return value;
}

gint64
_lb_expr_permute (gint64  value,
                  gint64  size,
                  guint64 seed)
{
  PermuteRng r;
  guint64 n, v, mask;
  guint bits;
  guint64 state = seed;

  if (size < 2)
    return 0;

  r.s0 = _lb_random_splitmix64 (&state);
  r.s1 = _lb_random_splitmix64 (&state);
  if (r.s0 == 0 && r.s1 == 0)
    {
      /* Never the all-zero state (a fixed point); pgbench picks these. */
      r.s0 = G_GUINT64_CONSTANT (0x5851F42D4C957F2D);
      r.s1 = G_GUINT64_CONSTANT (0x14057B7EF767814F);
    }

  n = (guint64) size;
  /* The value is taken modulo the size as an unsigned number, as pgbench. */
  v = (guint64) value % n;
  bits = 63 - (guint) __builtin_clzll (n);    /* largest 2^bits <= n */
  mask = (G_GUINT64_CONSTANT (1) << bits) - 1;

  for (guint round = 0; round < 6; round++)
    {
      guint64 m, x, t;

      m = (permute_next (&r) & mask) | 1;
      x = permute_next (&r) & mask;
      if (v <= mask)
        {
          v = ((v * m) ^ x) & mask;
          v = ((v << 1) & mask) | (v >> (bits - 1));
        }

      m = (permute_next (&r) & mask) | 1;
      x = permute_next (&r) & mask;
      t = n - 1 - v;
      if (t <= mask)
        {
          t = ((t * m) ^ x) & mask;
          t = ((t << 1) & mask) | (t >> (bits - 1));
          v = n - 1 - t;
        }

      v = (v + permute_below_or_equal (&r, n - 1)) % n;
    }
  return (gint64) v;
}
