/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The log-linear latency histogram (lb-latency-histogram.h): bucket
 * arithmetic with bit operations only, exact mean and deviation,
 * nearest-rank percentiles, merging, and the sparse JSON the run history
 * stores. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lb-latency-histogram.h"

/* Values below 2^SUB_BITS are their own bucket; above, each power of two is
 * split into 2^SUB_BITS equal sub-buckets, so a bucket is never wider than
 * 1/64 of its lower bound. */
#define SUB_BITS   6
#define SUB_COUNT  (1 << SUB_BITS)
#define MAX_BITS   26                         /* last tracked value: 2^26 - 1 µs */
#define LIMIT      (G_GUINT64_CONSTANT (1) << MAX_BITS)
#define N_BUCKETS  ((MAX_BITS - SUB_BITS + 1) * SUB_COUNT)

#if defined(__SIZEOF_INT128__)
/* Exact, so the variance does not lose digits to cancellation when the
 * spread is tiny compared with the mean. */
typedef unsigned __int128 SumSquares;
#else
typedef long double SumSquares;
#endif

/* A workload of many statements keeps a histogram per query per worker,
 * most with few samples: a histogram keeps (index, count) pairs, sorted by
 * index, until it has DENSE_AFTER samples, and only then the ~11 KB dense
 * array. So the dense arrays of a run number at most its transactions /
 * DENSE_AFTER, and a query that ran a few times costs a few pairs. */
#define DENSE_AFTER 4096

typedef struct
{
  guint32    index;
  guint32    count;
} SparseBucket;

struct _LbLatencyHistogram
{
  guint64       count;
  guint64       sum;
  SumSquares    sum_squares;
  gint64        min;
  gint64        max;
  guint64      *buckets;          /* N_BUCKETS once dense; NULL while sparse */
  SparseBucket *sparse;           /* n_sparse pairs while sparse */
  guint         n_sparse;
  guint         sparse_capacity;
};

static inline guint
bucket_index (guint64 value)
{
  guint shift;

  if (value < SUB_COUNT)
    return (guint) value;
  if (value >= LIMIT)
    return N_BUCKETS - 1;

  /* g_bit_storage() is the position of the highest set bit + 1, from a
   * single instruction on the compilers we build with. */
  shift = g_bit_storage (value) - 1 - SUB_BITS;
  return (shift + 1) * SUB_COUNT + (guint) ((value >> shift) & (SUB_COUNT - 1));
}

static void
bucket_bounds (guint    index,
               guint64 *lower,
               guint64 *width)
{
  guint shift;

  if (index < SUB_COUNT)
    {
      *lower = index;
      *width = 1;
      return;
    }

  shift = index / SUB_COUNT - 1;
  *lower = ((guint64) SUB_COUNT + index % SUB_COUNT) << shift;
  *width = G_GUINT64_CONSTANT (1) << shift;
}

LbLatencyHistogram *
lb_latency_histogram_new (void)
{
  LbLatencyHistogram *self = g_new0 (LbLatencyHistogram, 1);

  return self;
}

LbLatencyHistogram *
lb_latency_histogram_copy (const LbLatencyHistogram *self)
{
  LbLatencyHistogram *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  if (self->buckets != NULL)
    copy->buckets = g_memdup2 (self->buckets, N_BUCKETS * sizeof *self->buckets);
  copy->sparse = self->n_sparse > 0 ? g_memdup2 (self->sparse, self->n_sparse * sizeof *self->sparse) : NULL;
  copy->sparse_capacity = copy->n_sparse;
  return copy;
}

void
lb_latency_histogram_free (LbLatencyHistogram *self)
{
  if (self == NULL)
    return;
  g_free (self->buckets);
  g_free (self->sparse);
  g_free (self);
}

/* Moves the sparse pairs into the dense array, for good. */
static void
make_dense (LbLatencyHistogram *self)
{
  self->buckets = g_new0 (guint64, N_BUCKETS);
  for (guint i = 0; i < self->n_sparse; i++)
    self->buckets[self->sparse[i].index] = self->sparse[i].count;
  g_clear_pointer (&self->sparse, g_free);
  self->n_sparse = 0;
  self->sparse_capacity = 0;
}

/* The position of @index among the sparse pairs, or where it would go. */
static guint
sparse_find (const LbLatencyHistogram *self,
             guint                     index)
{
  guint low = 0, high = self->n_sparse;

  while (low < high)
    {
      guint mid = low + (high - low) / 2;

      if (self->sparse[mid].index < index)
        low = mid + 1;
      else
        high = mid;
    }
  return low;
}

static guint64
bucket_get (const LbLatencyHistogram *self,
            guint                     index)
{
  guint i;

  if (self->buckets != NULL)
    return self->buckets[index];
  i = sparse_find (self, index);
  return i < self->n_sparse && self->sparse[i].index == index ? self->sparse[i].count : 0;
}

/* Adds @n to bucket @index; self->count already includes it. Turns dense
 * past DENSE_AFTER samples, or when a pair's count would not fit. */
static void
bucket_add (LbLatencyHistogram *self,
            guint               index,
            guint64             n)
{
  if (self->buckets == NULL)
    {
      guint i = sparse_find (self, index);

      if (self->count > DENSE_AFTER || n > G_MAXUINT32)
        make_dense (self);
      else if (i < self->n_sparse && self->sparse[i].index == index)
        {
          self->sparse[i].count += (guint32) n;
          return;
        }
      else
        {
          if (self->n_sparse == self->sparse_capacity)
            {
              self->sparse_capacity = MAX (4, self->sparse_capacity * 2);
              self->sparse = g_renew (SparseBucket, self->sparse, self->sparse_capacity);
            }
          memmove (&self->sparse[i + 1], &self->sparse[i],
                   (self->n_sparse - i) * sizeof self->sparse[0]);
          self->sparse[i].index = index;
          self->sparse[i].count = (guint32) n;
          self->n_sparse++;
          return;
        }
    }

  self->buckets[index] += n;
}

/* The first non-empty bucket at or after @from (N_BUCKETS: none), with its
 * count in *@n: walks both forms in index order. */
static guint
bucket_next (const LbLatencyHistogram *self,
             guint                     from,
             guint64                  *n)
{
  if (self->buckets != NULL)
    {
      for (guint i = from; i < N_BUCKETS; i++)
        if (self->buckets[i] != 0)
          {
            *n = self->buckets[i];
            return i;
          }
      return N_BUCKETS;
    }

  for (guint i = 0; i < self->n_sparse; i++)
    if (self->sparse[i].index >= from)
      {
        *n = self->sparse[i].count;
        return self->sparse[i].index;
      }
  return N_BUCKETS;
}

void
lb_latency_histogram_reset (LbLatencyHistogram *self)
{
  g_return_if_fail (self != NULL);

  /* The storage stays: the live interval histograms are reset each tick
   * and would only allocate it again. */
  self->count = 0;
  self->sum = 0;
  self->sum_squares = 0;
  self->min = 0;
  self->max = 0;
  self->n_sparse = 0;
  if (self->buckets != NULL)
    memset (self->buckets, 0, N_BUCKETS * sizeof *self->buckets);
}

void
lb_latency_histogram_record (LbLatencyHistogram *self,
                             gint64              usec)
{
  guint64 value;

  g_return_if_fail (self != NULL);

  /* A clock that stepped back must not wrap into a huge value. */
  value = usec > 0 ? (guint64) usec : 0;

  if (self->count == 0 || (gint64) value < self->min)
    self->min = (gint64) value;
  if (self->count == 0 || (gint64) value > self->max)
    self->max = (gint64) value;

  self->count++;
  self->sum += value;
  self->sum_squares += (SumSquares) value * (SumSquares) value;
  if (G_LIKELY (self->buckets != NULL))
    self->buckets[bucket_index (value)]++;
  else
    bucket_add (self, bucket_index (value), 1);
}

void
lb_latency_histogram_merge (LbLatencyHistogram       *self,
                            const LbLatencyHistogram *other)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (other != NULL);

  if (other->count == 0)
    return;

  if (self->count == 0 || other->min < self->min)
    self->min = other->min;
  if (self->count == 0 || other->max > self->max)
    self->max = other->max;

  self->count += other->count;
  self->sum += other->sum;
  self->sum_squares += other->sum_squares;
  if (self->buckets != NULL && other->buckets != NULL)
    {
      for (guint i = 0; i < N_BUCKETS; i++)
        self->buckets[i] += other->buckets[i];
      return;
    }
  for (guint64 n = 0, i = bucket_next (other, 0, &n); i < N_BUCKETS; i = bucket_next (other, (guint) i + 1, &n))
    bucket_add (self, (guint) i, n);
}

guint64
lb_latency_histogram_get_count (const LbLatencyHistogram *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->count;
}

double
lb_latency_histogram_get_mean (const LbLatencyHistogram *self)
{
  g_return_val_if_fail (self != NULL, 0);

  if (self->count == 0)
    return 0;

  return (double) self->sum / (double) self->count;
}

double
lb_latency_histogram_get_stddev (const LbLatencyHistogram *self)
{
  long double n, mean, variance;

  g_return_val_if_fail (self != NULL, 0);

  if (self->count < 2)
    return 0;

  /* The population deviation, as pgbench prints it. */
  n = (long double) self->count;
  mean = (long double) self->sum / n;
  variance = (long double) self->sum_squares / n - mean * mean;
  if (variance <= 0)
    return 0;

  return sqrt ((double) variance);
}

gint64
lb_latency_histogram_get_min (const LbLatencyHistogram *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->min;
}

gint64
lb_latency_histogram_get_max (const LbLatencyHistogram *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->max;
}

double
lb_latency_histogram_get_percentile (const LbLatencyHistogram *self,
                                     double                    percentile)
{
  guint64 rank;
  guint64 seen = 0;

  g_return_val_if_fail (self != NULL, 0);

  if (self->count == 0)
    return 0;
  if (!(percentile > 0))
    return (double) self->min;
  if (percentile >= 100)
    return (double) self->max;

  /* Nearest rank: the smallest value with at least p % of the samples at
   * or below it. */
  rank = (guint64) ceil (percentile / 100.0 * (double) self->count);
  rank = CLAMP (rank, 1, self->count);

  for (guint64 n = 0, i = bucket_next (self, 0, &n); i < N_BUCKETS; i = bucket_next (self, (guint) i + 1, &n))
    {
      guint64 lower, width;
      double value;

      seen += n;
      if (seen < rank)
        continue;

      /* Beyond the tracked range all we know is the true maximum. */
      if (i == N_BUCKETS - 1 && (guint64) self->max >= LIMIT)
        return (double) self->max;

      bucket_bounds ((guint) i, &lower, &width);
      value = (double) lower + (double) (width - 1) / 2.0;

      /* min and max are exact: never report beyond them. */
      return CLAMP (value, (double) self->min, (double) self->max);
    }

  return (double) self->max;
}

JsonNode *
lb_latency_histogram_to_json (const LbLatencyHistogram *self)
{
  g_autoptr(JsonBuilder) builder = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "count");
  json_builder_add_int_value (builder, (gint64) self->count);
  json_builder_set_member_name (builder, "sum");
  json_builder_add_int_value (builder, (gint64) self->sum);
  json_builder_set_member_name (builder, "sum_squares");
  json_builder_add_double_value (builder, (double) self->sum_squares);
  json_builder_set_member_name (builder, "min");
  json_builder_add_int_value (builder, self->min);
  json_builder_set_member_name (builder, "max");
  json_builder_add_int_value (builder, self->max);

  /* Keyed by each bucket's lower bound in µs rather than by index, so the
   * file says what it means without knowing the layout. */
  json_builder_set_member_name (builder, "buckets");
  json_builder_begin_array (builder);
  for (guint64 n = 0, i = bucket_next (self, 0, &n); i < N_BUCKETS; i = bucket_next (self, (guint) i + 1, &n))
    {
      guint64 lower, width;

      bucket_bounds ((guint) i, &lower, &width);
      json_builder_begin_array (builder);
      json_builder_add_int_value (builder, (gint64) lower);
      json_builder_add_int_value (builder, (gint64) n);
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static gboolean
read_int (JsonObject  *object,
          const char  *name,
          gint64      *value,
          GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64
      || json_node_get_int (node) < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The latency histogram’s “%s” is missing or not a non-negative integer"),
                   name);
      return FALSE;
    }

  *value = json_node_get_int (node);
  return TRUE;
}

static gboolean
read_number (JsonNode *node,
             double   *value)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    *value = (double) json_node_get_int (node);
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    *value = json_node_get_double (node);
  else
    return FALSE;

  return isfinite (*value) && *value >= 0;
}

LbLatencyHistogram *
lb_latency_histogram_new_from_json (JsonNode  *node,
                                    GError   **error)
{
  g_autoptr(LbLatencyHistogram) self = NULL;
  JsonObject *object;
  JsonArray *buckets;
  gint64 count, sum, min, max;
  double sum_squares;
  guint64 total = 0;
  guint n;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The latency histogram is not a JSON object"));
      return NULL;
    }
  object = json_node_get_object (node);

  if (!read_int (object, "count", &count, error)
      || !read_int (object, "sum", &sum, error)
      || !read_int (object, "min", &min, error)
      || !read_int (object, "max", &max, error))
    return NULL;

  if (!read_number (json_object_get_member (object, "sum_squares"), &sum_squares))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The latency histogram’s “%s” is missing or not a non-negative number"),
                   "sum_squares");
      return NULL;
    }

  if (!json_object_has_member (object, "buckets")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "buckets")))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The latency histogram’s “%s” is missing or not an array"), "buckets");
      return NULL;
    }
  buckets = json_object_get_array_member (object, "buckets");

  self = lb_latency_histogram_new ();
  n = json_array_get_length (buckets);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (buckets, i);
      JsonArray *pair;
      JsonNode *lower_node, *count_node;
      guint64 lower, expected_lower, width, bucket_count;
      guint index;

      if (!JSON_NODE_HOLDS_ARRAY (element)
          || json_array_get_length (pair = json_node_get_array (element)) != 2
          || !JSON_NODE_HOLDS_VALUE (lower_node = json_array_get_element (pair, 0))
          || !JSON_NODE_HOLDS_VALUE (count_node = json_array_get_element (pair, 1))
          || json_node_get_value_type (lower_node) != G_TYPE_INT64
          || json_node_get_value_type (count_node) != G_TYPE_INT64
          || json_node_get_int (lower_node) < 0
          || json_node_get_int (count_node) <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("Bucket %u of the latency histogram is not a pair of a lower bound and a positive count"),
                       i + 1);
          return NULL;
        }

      lower = (guint64) json_node_get_int (lower_node);
      bucket_count = (guint64) json_node_get_int (count_node);
      index = bucket_index (lower);
      bucket_bounds (index, &expected_lower, &width);
      if (expected_lower != lower || bucket_get (self, index) != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("Bucket %u of the latency histogram does not start at a bucket boundary or repeats one"),
                       i + 1);
          return NULL;
        }

      if (bucket_count > G_MAXUINT64 - total)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("The latency histogram’s bucket counts overflow"));
          return NULL;
        }
      total += bucket_count;
      bucket_add (self, index, bucket_count);
    }

  if (total != (guint64) count)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The latency histogram’s buckets hold %" G_GUINT64_FORMAT " values but its count is %" G_GINT64_FORMAT),
                   total, count);
      return NULL;
    }

  if (count > 0
      && (min > max
          || bucket_get (self, bucket_index ((guint64) min)) == 0
          || bucket_get (self, bucket_index ((guint64) max)) == 0))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The latency histogram’s minimum and maximum do not match its buckets"));
      return NULL;
    }

  self->count = (guint64) count;
  self->sum = (guint64) sum;
  self->sum_squares = (SumSquares) sum_squares;
  self->min = count > 0 ? min : 0;
  self->max = count > 0 ? max : 0;

  return g_steal_pointer (&self);
}
