/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sandbox's database and sample data: creates the database, then a
 * TPC-DS-shaped schema (customer, store_sales, item, …) that our samples
 * and the web tool's query files use, generated in SQL so every sandbox
 * holds the same rows. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libpq-fe.h>

#include "lb-pg-sandbox-private.h"

/* Set on the sample tables in the transaction that fills them, so a load
 * that was interrupted is never mistaken for a complete one. */
#define SAMPLE_MARKER     "lakebase-accelerator sample v2"
#define SAMPLE_RELATIONS  "'customer', 'store_sales', 'item', 'store', 'date_dim', " \
                          "'household_demographics', 'tpcds_all_sales'"
#define N_SAMPLE_RELATIONS "7"

/* Deterministic: every sandbox holds the same rows. TPC-DS's tables and
 * column types (the web tool's samples query them), smaller: 100,000
 * customers, 500,000 store sales, 18,000 items, 12 stores, the days of
 * 1990-2005. The multipliers are coprime with the moduli, so each customer
 * gets exactly five sales and the values spread evenly. The customer's
 * c_last_review_qty is ours, not TPC-DS: the pgbench sample updates it. */
static const char sample_sql[] =
  "BEGIN;\n"
  /* Created by the workload role, in its schema, so that it owns them. */
  "SET LOCAL ROLE " WORKLOAD_ROLE ";\n"
  "SET LOCAL search_path = " WORKLOAD_ROLE ";\n"
  "DROP VIEW IF EXISTS tpcds_all_sales;\n"
  "DROP TABLE IF EXISTS store_sales, customer, item, store, date_dim, household_demographics;\n"
  /* TPC-DS's business keys: sk 1 is AAAAAAAABAAAAAAA (the web tool's samples
   * look customers up by both), the low nibbles first, as letters. */
  "CREATE TABLE date_dim (\n"
  "  d_date_sk integer NOT NULL PRIMARY KEY,\n"
  "  d_date_id char(16) NOT NULL,\n"
  "  d_date date,\n"
  "  d_month_seq integer,\n"
  "  d_week_seq integer,\n"
  "  d_quarter_seq integer,\n"
  "  d_year integer,\n"
  "  d_dow integer,\n"
  "  d_moy integer,\n"
  "  d_dom integer,\n"
  "  d_qoy integer,\n"
  "  d_fy_year integer,\n"
  "  d_fy_quarter_seq integer,\n"
  "  d_fy_week_seq integer,\n"
  "  d_day_name char(9),\n"
  "  d_quarter_name char(6),\n"
  "  d_holiday char(1),\n"
  "  d_weekend char(1),\n"
  "  d_following_holiday char(1),\n"
  "  d_first_dom integer,\n"
  "  d_last_dom integer,\n"
  "  d_same_day_ly integer,\n"
  "  d_same_day_lq integer,\n"
  "  d_current_day char(1),\n"
  "  d_current_week char(1),\n"
  "  d_current_month char(1),\n"
  "  d_current_quarter char(1),\n"
  "  d_current_year char(1));\n"
  "INSERT INTO date_dim\n"
  "SELECT 2415022 + n, ('AAAAAAAA' || translate(reverse(lpad(to_hex(2415022 + n), 8, '0')), '0123456789abcdef', 'ABCDEFGHIJKLMNOP')), d,\n"
  "       (y - 1900) * 12 + m - 1, (n + 1) / 7 + 1, (y - 1900) * 4 + q,\n"
  "       y, dow, m, dom, q, y, (y - 1900) * 4 + q, (n + 1) / 7 + 1,\n"
  "       to_char(d, 'FMDay'), y || 'Q' || q,\n"
  "       CASE WHEN (m, dom) IN ((1, 1), (7, 4), (12, 25)) THEN 'Y' ELSE 'N' END,\n"
  "       CASE WHEN dow IN (0, 6) THEN 'Y' ELSE 'N' END,\n"
  "       CASE WHEN (m, dom) IN ((1, 2), (7, 5), (12, 26)) THEN 'Y' ELSE 'N' END,\n"
  "       2415022 + n - dom + 1,\n"
  "       2415022 + n - dom + extract(day FROM date_trunc('month', d) + interval '1 month - 1 day')::int,\n"
  "       2415022 + n - 365, 2415022 + n - 91, 'N', 'N', 'N', 'N', 'N'\n"
  "  FROM generate_series(32871, 38714) AS n,\n"
  "       LATERAL (SELECT date '1900-01-02' + n AS d) AS dd,\n"
  "       LATERAL (SELECT extract(year FROM d)::int AS y, extract(month FROM d)::int AS m,\n"
  "                       extract(day FROM d)::int AS dom, extract(quarter FROM d)::int AS q,\n"
  "                       extract(dow FROM d)::int AS dow) AS parts;\n"
  "CREATE TABLE household_demographics (\n"
  "  hd_demo_sk integer NOT NULL PRIMARY KEY,\n"
  "  hd_income_band_sk integer,\n"
  "  hd_buy_potential char(15),\n"
  "  hd_dep_count integer,\n"
  "  hd_vehicle_count integer);\n"
  "INSERT INTO household_demographics\n"
  "SELECT k, 1 + (k - 1) % 20,\n"
  "       (ARRAY['>10000', '5001-10000', '1001-5000', '501-1000', '0-500', 'Unknown'])[1 + ((k - 1) / 20) % 6],\n"
  "       ((k - 1) / 120) % 10, ((k - 1) / 1200) % 6 - 1\n"
  "  FROM generate_series(1, 7200) AS k;\n"
  "CREATE TABLE store (\n"
  "  s_store_sk integer NOT NULL PRIMARY KEY,\n"
  "  s_store_id char(16) NOT NULL,\n"
  "  s_rec_start_date date,\n"
  "  s_rec_end_date date,\n"
  "  s_closed_date_sk integer,\n"
  "  s_store_name varchar(50),\n"
  "  s_number_employees integer,\n"
  "  s_floor_space integer,\n"
  "  s_hours char(20),\n"
  "  s_manager varchar(40),\n"
  "  s_market_id integer,\n"
  "  s_city varchar(60),\n"
  "  s_county varchar(30),\n"
  "  s_state char(2),\n"
  "  s_zip char(10),\n"
  "  s_country varchar(20),\n"
  "  s_gmt_offset decimal(5,2),\n"
  "  s_tax_precentage decimal(5,2));\n"
  "INSERT INTO store\n"
  "SELECT k, ('AAAAAAAA' || translate(reverse(lpad(to_hex(k), 8, '0')), '0123456789abcdef', 'ABCDEFGHIJKLMNOP')), date '1997-03-13', NULL, NULL,\n"
  "       (ARRAY['ought', 'able', 'pri', 'ese', 'anti', 'cally', 'ation', 'eing', 'bar', 'n st'])[1 + (k * 3) % 10],\n"
  "       200 + (k * 37) % 100, 5000000 + (k * 104729) % 5000000,\n"
  "       (ARRAY['8AM-4PM', '8AM-8AM', '8AM-12AM'])[1 + k % 3],\n"
  "       (ARRAY['William Ward', 'Scott Smith', 'Edwin Adams', 'David Thomas', 'Larry Mccray', 'Robert Thompson'])[1 + k % 6],\n"
  "       1 + (k * 7) % 10,\n"
  "       (ARRAY['Midway', 'Fairview', 'Oak Grove', 'Five Points', 'Pleasant Hill', 'Riverside'])[1 + k % 6],\n"
  "       'Williamson County', 'TN', lpad((35000 + k * 17)::text, 5, '0'), 'United States', -5.00,\n"
  "       ((k * 11) % 12) / 100.0\n"
  "  FROM generate_series(1, 12) AS k;\n"
  "CREATE TABLE item (\n"
  "  i_item_sk integer NOT NULL PRIMARY KEY,\n"
  "  i_item_id char(16) NOT NULL,\n"
  "  i_rec_start_date date,\n"
  "  i_rec_end_date date,\n"
  "  i_item_desc varchar(200),\n"
  "  i_current_price decimal(7,2),\n"
  "  i_wholesale_cost decimal(7,2),\n"
  "  i_brand_id integer,\n"
  "  i_brand char(50),\n"
  "  i_class_id integer,\n"
  "  i_class char(50),\n"
  "  i_category_id integer,\n"
  "  i_category char(50),\n"
  "  i_manufact_id integer,\n"
  "  i_manufact char(50),\n"
  "  i_size char(20),\n"
  "  i_formulation char(20),\n"
  "  i_color char(20),\n"
  "  i_units char(10),\n"
  "  i_container char(10),\n"
  "  i_manager_id integer,\n"
  "  i_product_name char(50));\n"
  "INSERT INTO item\n"
  "SELECT k, ('AAAAAAAA' || translate(reverse(lpad(to_hex(k), 8, '0')), '0123456789abcdef', 'ABCDEFGHIJKLMNOP')), date '1997-10-27', NULL,\n"
  "       'Item ' || k || ' of the ' || lower(category) || ' department',\n"
  "       price, round(price * 0.6, 2),\n"
  "       cat * 1000000 + cls * 1000 + 1 + k % 10,\n"
  "       (ARRAY['amalg', 'edu pack', 'export', 'import', 'scholar', 'univ', 'brand', 'corp', 'maxi', 'nameless'])[cat]\n"
  "         || (ARRAY['amalg', 'brand', 'corp', 'maxi', 'importo', 'exporti', 'univ', 'scholar', 'edu pack', 'nameless'])[1 + k % 10]\n"
  "         || ' #' || 1 + (k / 10) % 10,\n"
  "       cls, 'class ' || cls, cat, category,\n"
  "       1 + (k * 37) % 1000, 'manufact #' || 1 + (k * 37) % 1000,\n"
  "       (ARRAY['petite', 'small', 'medium', 'large', 'extra large', 'economy', 'N/A'])[1 + k % 7],\n"
  "       substr(md5(k::text), 1, 20),\n"
  "       (ARRAY['almond', 'azure', 'beige', 'black', 'blue', 'brown', 'chartreuse', 'coral', 'cream', 'cyan',\n"
  "              'forest', 'ghost', 'green', 'honeydew', 'indian', 'khaki', 'lace', 'lime', 'navy', 'red'])[1 + (k * 7) % 20],\n"
  "       (ARRAY['Each', 'Dozen', 'Case', 'Pallet', 'Gross', 'Box', 'Bundle', 'Carton', 'Ounce', 'Pound'])[1 + (k * 3) % 10],\n"
  "       'Unknown', 1 + (k * 13) % 100, 'product ' || k\n"
  "  FROM generate_series(1, 18000) AS k,\n"
  "       LATERAL (SELECT 1 + k % 10 AS cat, 1 + (k / 10) % 16 AS cls,\n"
  "                       ((k * 7001) % 9900) / 100.0 + 0.99 AS price) AS v,\n"
  "       LATERAL (SELECT (ARRAY['Women', 'Men', 'Children', 'Shoes', 'Music', 'Jewelry', 'Home', 'Sports',\n"
  "                              'Books', 'Electronics'])[cat] AS category) AS c;\n"
  "CREATE TABLE customer (\n"
  "  c_customer_sk integer NOT NULL PRIMARY KEY,\n"
  "  c_customer_id char(16) NOT NULL,\n"
  "  c_current_cdemo_sk integer,\n"
  "  c_current_hdemo_sk integer,\n"
  "  c_current_addr_sk integer,\n"
  "  c_first_shipto_date_sk integer,\n"
  "  c_first_sales_date_sk integer,\n"
  "  c_salutation char(10),\n"
  "  c_first_name char(20),\n"
  "  c_last_name char(30),\n"
  "  c_preferred_cust_flag char(1),\n"
  "  c_birth_day integer,\n"
  "  c_birth_month integer,\n"
  "  c_birth_year integer,\n"
  "  c_birth_country varchar(20),\n"
  "  c_login char(13),\n"
  "  c_email_address char(50),\n"
  "  c_last_review_date_sk integer,\n"
  "  c_last_review_qty integer);\n"
  "INSERT INTO customer\n"
  "SELECT i, ('AAAAAAAA' || translate(reverse(lpad(to_hex(i), 8, '0')), '0123456789abcdef', 'ABCDEFGHIJKLMNOP')),\n"
  "       1 + (i * 31) % 1920800, 1 + (i * 17) % 7200, 1 + (i * 7) % 50000,\n"
  "       2449028 + (i * 23) % 3620, 2448998 + (i * 23) % 3620,\n"
  "       (ARRAY['Mr.', 'Mrs.', 'Ms.', 'Dr.', 'Miss', 'Sir'])[1 + (i * 3) % 6],\n"
  "       (ARRAY['James','Mary','Robert','Patricia','John','Jennifer','Michael','Linda',\n"
  "              'David','Elizabeth','William','Barbara','Richard','Susan','Joseph',\n"
  "              'Jessica','Thomas','Sarah','Charles','Karen'])[1 + (i * 7) % 20],\n"
  "       (ARRAY['Smith','Johnson','Williams','Brown','Jones','Garcia','Miller','Davis',\n"
  "              'Rodriguez','Martinez','Hernandez','Lopez','Gonzalez','Wilson','Anderson',\n"
  "              'Thomas','Taylor','Moore','Jackson','Martin','Lee','Perez','Thompson'])\n"
  "         [1 + (i * 13) % 23],\n"
  "       CASE WHEN i % 2 = 0 THEN 'Y' ELSE 'N' END,\n"
  "       1 + (i * 11) % 28, 1 + (i * 5) % 12,\n"
  "       1930 + (i * 37) % 70,\n"
  "       (ARRAY['UNITED STATES', 'CANADA', 'MEXICO', 'GERMANY', 'FRANCE', 'JAPAN', 'BRAZIL', 'INDIA',\n"
  "              'CHINA', 'ITALY'])[1 + (i * 3) % 10],\n"
  "       NULL,\n"
  "       'customer' || i || '@example.com',\n"
  "       2452283 + (i * 13) % 365,\n"
  "       (i * 11) % 10\n"
  "  FROM generate_series(1, 100000) AS i;\n"
  /* Money in integer cents, turned into decimal(7,2) once per column: the
   * numeric arithmetic is what costs here. ss_region is not TPC-DS: the web
   * tool's help example filters on it. */
  "CREATE TABLE store_sales (\n"
  "  ss_sold_date_sk integer,\n"
  "  ss_sold_time_sk integer,\n"
  "  ss_item_sk integer NOT NULL,\n"
  "  ss_customer_sk integer,\n"
  "  ss_cdemo_sk integer,\n"
  "  ss_hdemo_sk integer,\n"
  "  ss_addr_sk integer,\n"
  "  ss_store_sk integer,\n"
  "  ss_promo_sk integer,\n"
  "  ss_ticket_number integer NOT NULL,\n"
  "  ss_quantity integer,\n"
  "  ss_wholesale_cost decimal(7,2),\n"
  "  ss_list_price decimal(7,2),\n"
  "  ss_sales_price decimal(7,2),\n"
  "  ss_ext_discount_amt decimal(7,2),\n"
  "  ss_ext_sales_price decimal(7,2),\n"
  "  ss_ext_wholesale_cost decimal(7,2),\n"
  "  ss_ext_list_price decimal(7,2),\n"
  "  ss_ext_tax decimal(7,2),\n"
  "  ss_coupon_amt decimal(7,2),\n"
  "  ss_net_paid decimal(7,2),\n"
  "  ss_net_paid_inc_tax decimal(7,2),\n"
  "  ss_net_profit decimal(7,2),\n"
  "  ss_region text);\n"
  "INSERT INTO store_sales\n"
  "SELECT 2450815 + (j * 17) % 1826, 28800 + (j * 397) % 43200,\n"
  "       1 + (j * 7919) % 18000, 1 + (j * 48271) % 100000,\n"
  "       1 + (j * 31) % 1920800, 1 + (j * 13) % 7200, 1 + (j * 37) % 50000,\n"
  "       1 + (j * 7) % 12, 1 + (j * 3) % 300, j, qty,\n"
  "       wholesale * 0.01, list * 0.01, sales * 0.01,\n"
  "       (list - sales) * qty * 0.01, sales * qty * 0.01, wholesale * qty * 0.01, list * qty * 0.01,\n"
  "       tax * 0.01, coupon * 0.01, paid * 0.01, (paid + tax) * 0.01, (paid - wholesale * qty) * 0.01,\n"
  "       (ARRAY['east', 'west', 'north', 'south'])[1 + j % 4]\n"
  "  FROM generate_series(1::bigint, 500000) AS j,\n"
  "       LATERAL (SELECT 1 + (j * 31) % 100 AS qty, (j * 7717) % 20000 + 99 AS sales) AS a,\n"
  "       LATERAL (SELECT sales + (j * 89) % 5000 AS list, (sales * 6 + 5) / 10 AS wholesale,\n"
  "                       CASE WHEN j % 10 = 0 THEN (sales * qty + 5) / 10 ELSE 0 END AS coupon) AS b,\n"
  "       LATERAL (SELECT sales * qty - coupon AS paid) AS c,\n"
  "       LATERAL (SELECT (paid * 8 + 50) / 100 AS tax) AS d;\n"
  /* Keys and indexes after the rows: building them once is much faster.
   * These serve the web tool's samples: by ticket, by customer (and item),
   * by store and day. */
  "ALTER TABLE store_sales ADD PRIMARY KEY (ss_item_sk, ss_ticket_number);\n"
  "CREATE INDEX store_sales_customer_idx ON store_sales (ss_customer_sk);\n"
  "CREATE INDEX store_sales_ticket_idx ON store_sales (ss_ticket_number);\n"
  "CREATE INDEX store_sales_store_date_idx ON store_sales (ss_store_sk, ss_sold_date_sk);\n"
  /* The web tool's first samples read this view (its workspace has one over
   * all channels); here the store channel. */
  "CREATE VIEW tpcds_all_sales AS\n"
  "SELECT 'store'::text AS channel, ss_ticket_number AS order_number, ss_customer_sk AS customer_sk,\n"
  "       ss_item_sk AS item_sk, ss_store_sk AS store_sk, ss_sold_date_sk AS sold_date_sk, d_date AS sold_date,\n"
  "       ss_quantity AS quantity, ss_sales_price AS sales_price, ss_net_paid AS net_paid,\n"
  "       i_category AS category, i_brand AS brand\n"
  "  FROM store_sales\n"
  "  LEFT JOIN item ON i_item_sk = ss_item_sk\n"
  "  LEFT JOIN date_dim ON d_date_sk = ss_sold_date_sk;\n"
  "COMMENT ON TABLE customer IS '" SAMPLE_MARKER "';\n"
  "COMMENT ON TABLE store_sales IS '" SAMPLE_MARKER "';\n"
  "COMMENT ON TABLE item IS '" SAMPLE_MARKER "';\n"
  "COMMENT ON TABLE store IS '" SAMPLE_MARKER "';\n"
  "COMMENT ON TABLE date_dim IS '" SAMPLE_MARKER "';\n"
  "COMMENT ON TABLE household_demographics IS '" SAMPLE_MARKER "';\n"
  "COMMENT ON VIEW tpcds_all_sales IS '" SAMPLE_MARKER "';\n"
  "COMMIT;\n";

/* Run by the superuser in the sandbox database, every start (a cluster made
 * by an older version gets them too). The workload role may log in, use the
 * sandbox database and create objects only in its own schema: PUBLIC loses
 * CREATE on "public" (granted by PostgreSQL 14 and older) and CONNECT to
 * the other databases, and it is granted none of the pg_*_server_* roles, so
 * COPY … PROGRAM, COPY to or from a server file and the like are refused. */
static const char workload_role_sql[] =
  "DO $$BEGIN\n"
  "  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" WORKLOAD_ROLE "') THEN\n"
  "    CREATE ROLE " WORKLOAD_ROLE " LOGIN;\n"
  "  END IF;\n"
  "END$$;\n"
  "ALTER ROLE " WORKLOAD_ROLE " NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;\n"
  "REVOKE ALL ON DATABASE " DATABASE_NAME " FROM PUBLIC;\n"
  "REVOKE CONNECT, TEMPORARY ON DATABASE postgres, template1 FROM PUBLIC;\n"
  "GRANT CONNECT, TEMPORARY ON DATABASE " DATABASE_NAME " TO " WORKLOAD_ROLE ";\n"
  "REVOKE CREATE ON SCHEMA public FROM PUBLIC;\n"
  "CREATE SCHEMA IF NOT EXISTS " WORKLOAD_ROLE " AUTHORIZATION " WORKLOAD_ROLE ";\n"
  "ALTER ROLE " WORKLOAD_ROLE " IN DATABASE " DATABASE_NAME
  "  SET search_path = " WORKLOAD_ROLE ";\n"
  /* The run's top statements; where contrib is not installed, runs say so. */
  "DO $$BEGIN\n"
  "  IF EXISTS (SELECT FROM pg_available_extensions WHERE name = 'pg_stat_statements') THEN\n"
  "    CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA public;\n"
  "  END IF;\n"
  "END$$;\n";

/* hypopg (hypothetical indexes) where the server has it: the index advisor
 * predicts plans with it. In "public", whose functions the workload role may
 * call; a server without the package simply has no extension. */
static const char hypopg_sql[] =
  "DO $$BEGIN\n"
  "  IF EXISTS (SELECT FROM pg_available_extensions WHERE name = 'hypopg') THEN\n"
  "    CREATE EXTENSION IF NOT EXISTS hypopg SCHEMA public;\n"
  "  END IF;\n"
  "END$$;\n";

static gboolean
exec_sql (PGconn      *conn,
          const char  *sql,
          PGresult   **result_out,
          GError     **error)
{
  PGresult *result = PQexec (conn, sql);
  ExecStatusType status = PQresultStatus (result);

  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    {
      g_set_error (error, LB_PG_SANDBOX_ERROR, LB_PG_SANDBOX_ERROR_SQL,
                   _("Preparing the sandbox database failed: %s"),
                   PQresultErrorMessage (result));
      PQclear (result);
      return FALSE;
    }

  if (result_out != NULL)
    *result_out = result;
  else
    PQclear (result);

  return TRUE;
}

static void
ignore_notice_cb (void       *user_data,
                  const char *message)
{
}

static PGconn *
connect_to (LbPgSandbox  *self,
            const char   *dbname,
            GError      **error)
{
  g_autofree char *socket_dir = _lb_pg_sandbox_get_socket_dir (self);
  /* The superuser: only the sandbox's own set-up connects as it. */
  g_autofree char *conninfo = _lb_pg_sandbox_build_conninfo (socket_dir, self->port, dbname,
                                                              g_get_user_name ());
  PGconn *conn = PQconnectdb (conninfo);

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_set_error (error, LB_PG_SANDBOX_ERROR, LB_PG_SANDBOX_ERROR_SQL,
                   _("Could not connect to the sandbox server (%s): %s"),
                   conninfo, PQerrorMessage (conn));
      PQfinish (conn);
      return NULL;
    }

  /* "table does not exist, skipping" and friends are expected here. */
  PQsetNoticeProcessor (conn, ignore_notice_cb, NULL);

  return conn;
}

gboolean
_lb_pg_sandbox_prepare_database (LbPgSandbox   *self,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  PGconn *conn;
  PGresult *result = NULL;
  gboolean exists, ok;

  conn = connect_to (self, "postgres", error);
  if (conn == NULL)
    return FALSE;

  ok = exec_sql (conn, "SELECT 1 FROM pg_database WHERE datname = '" DATABASE_NAME "'",
                 &result, error);
  exists = ok && PQntuples (result) > 0;
  g_clear_pointer (&result, PQclear);
  if (ok && !exists)
    ok = exec_sql (conn, "CREATE DATABASE " DATABASE_NAME, NULL, error);
  PQfinish (conn);
  if (!ok)
    return FALSE;

  conn = connect_to (self, DATABASE_NAME, error);
  if (conn == NULL)
    return FALSE;

  ok = exec_sql (conn, workload_role_sql, NULL, error)
       && exec_sql (conn, hypopg_sql, NULL, error);
  if (!ok || !self->sample_data)
    {
      PQfinish (conn);
      return ok;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      PQfinish (conn);
      return FALSE;
    }

  ok = exec_sql (conn,
                 "SELECT count(*) FROM pg_class c"
                 " WHERE c.relnamespace = '" WORKLOAD_ROLE "'::regnamespace"
                 "   AND c.relname IN (" SAMPLE_RELATIONS ")"
                 "   AND obj_description (c.oid, 'pg_class') = '" SAMPLE_MARKER "'",
                 &result, error);
  exists = ok && g_strcmp0 (PQgetvalue (result, 0, 0), N_SAMPLE_RELATIONS) == 0;
  g_clear_pointer (&result, PQclear);

  if (ok && !exists)
    ok = exec_sql (conn, sample_sql, NULL, error)
         && exec_sql (conn, "ANALYZE " WORKLOAD_ROLE ".customer, " WORKLOAD_ROLE ".store_sales, "
                     WORKLOAD_ROLE ".item, " WORKLOAD_ROLE ".store, " WORKLOAD_ROLE ".date_dim, "
                     WORKLOAD_ROLE ".household_demographics", NULL, error);

  PQfinish (conn);
  return ok;
}
