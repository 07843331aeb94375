/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sandbox's database and sample data: creates the database, then the
 * customer and store_sales tables the sample .sql files use, generated in
 * SQL so every sandbox holds the same rows. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libpq-fe.h>

#include "lb-pg-sandbox-private.h"

/* Set on the sample tables in the transaction that fills them, so a load
 * that was interrupted is never mistaken for a complete one. */
#define SAMPLE_MARKER     "lakebase-accelerator sample v1"

/* Deterministic: every sandbox holds the same rows. The multipliers are
 * coprime with the moduli, so each customer gets exactly five sales and the
 * values spread evenly. */
static const char sample_sql[] =
  "BEGIN;\n"
  /* Created by the workload role, in its schema, so that it owns them. */
  "SET LOCAL ROLE " WORKLOAD_ROLE ";\n"
  "SET LOCAL search_path = " WORKLOAD_ROLE ";\n"
  "DROP TABLE IF EXISTS store_sales, customer;\n"
  "CREATE TABLE customer (\n"
  "  c_customer_sk int PRIMARY KEY,\n"
  "  c_customer_id text,\n"
  "  c_first_name text,\n"
  "  c_last_name text,\n"
  "  c_email_address text,\n"
  "  c_birth_year int,\n"
  "  c_last_review_qty int);\n"
  "INSERT INTO customer\n"
  "SELECT i,\n"
  "       'AAAAAAAA' || lpad(upper(to_hex(i)), 8, '0'),\n"
  "       (ARRAY['James','Mary','Robert','Patricia','John','Jennifer','Michael','Linda',\n"
  "              'David','Elizabeth','William','Barbara','Richard','Susan','Joseph',\n"
  "              'Jessica','Thomas','Sarah','Charles','Karen'])[1 + (i * 7) % 20],\n"
  "       (ARRAY['Smith','Johnson','Williams','Brown','Jones','Garcia','Miller','Davis',\n"
  "              'Rodriguez','Martinez','Hernandez','Lopez','Gonzalez','Wilson','Anderson',\n"
  "              'Thomas','Taylor','Moore','Jackson','Martin','Lee','Perez','Thompson'])\n"
  "         [1 + (i * 13) % 23],\n"
  "       'customer' || i || '@example.com',\n"
  "       1930 + (i * 37) % 70,\n"
  "       (i * 11) % 10\n"
  "  FROM generate_series(1, 100000) AS i;\n"
  "CREATE TABLE store_sales (\n"
  "  ss_ticket_number bigint,\n"
  "  ss_item_sk int,\n"
  "  ss_customer_sk int,\n"
  "  ss_quantity int,\n"
  "  ss_sales_price numeric(7,2),\n"
  "  ss_sold_date_sk int);\n"
  "INSERT INTO store_sales\n"
  "SELECT j,\n"
  "       1 + (j * 7919) % 18000,\n"
  "       1 + (j * 48271) % 100000,\n"
  "       1 + (j * 31) % 100,\n"
  "       ((j * 7717) % 20000) / 100.0 + 0.99,\n"
  "       2450815 + (j * 17) % 1826\n"
  "  FROM generate_series(1::bigint, 500000) AS j;\n"
  /* Keys and indexes after the rows: building them once is much faster. */
  "ALTER TABLE store_sales ADD PRIMARY KEY (ss_item_sk, ss_ticket_number);\n"
  "CREATE INDEX store_sales_customer_idx ON store_sales (ss_customer_sk);\n"
  "COMMENT ON TABLE customer IS '" SAMPLE_MARKER "';\n"
  "COMMENT ON TABLE store_sales IS '" SAMPLE_MARKER "';\n"
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
  "  SET search_path = " WORKLOAD_ROLE ";\n";

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

  ok = exec_sql (conn, workload_role_sql, NULL, error);
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
                 "   AND c.relname IN ('customer', 'store_sales')"
                 "   AND obj_description (c.oid, 'pg_class') = '" SAMPLE_MARKER "'",
                 &result, error);
  exists = ok && g_strcmp0 (PQgetvalue (result, 0, 0), "2") == 0;
  g_clear_pointer (&result, PQclear);

  if (ok && !exists)
    ok = exec_sql (conn, sample_sql, NULL, error)
         && exec_sql (conn, "ANALYZE " WORKLOAD_ROLE ".customer, " WORKLOAD_ROLE ".store_sales",
                     NULL, error);

  PQfinish (conn);
  return ok;
}
