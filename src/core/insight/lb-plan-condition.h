/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The conditions of a plan node, in the form PostgreSQL deparses them
 * ("((ss.ss_sold_date_sk >= 2451000) AND (ss.ss_item_sk = 7))"), cut into
 * terms an index can serve: which column (or expression) is compared how.
 * A small tokenizer and a recursive cut over AND; OR, NOT and what is not
 * "column OP value" are left out, since no single index serves them. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  LB_CONDITION_EQUALITY,     /* =, = ANY (…) (IN), IS NULL */
  LB_CONDITION_RANGE,        /* <, <=, >, >=, LIKE 'prefix%' */
  LB_CONDITION_CONTAINMENT,  /* @>, <@, ?, ?|, ?&, && : a GIN index's operators */
} LbConditionKind;

typedef struct
{
  LbConditionKind  kind;
  char            *op;          /* as written: "=", ">=", "@>", "~~" */
  char            *qualifier;   /* the alias before the column, or NULL */
  char            *column;      /* the column, or the expression without qualifiers
                                 * ("lower(c_email_address)") */
  gboolean         expression;  /* @column is an expression, not a plain column */
  /* A join term (column = column): the other side; NULL for a value. */
  char            *other_qualifier;
  char            *other_column;
} LbConditionTerm;

void          lb_condition_term_free   (LbConditionTerm *term);

/* The terms of @text (never NULL; empty for NULL, unparsable or OR-only
 * conditions). */
GPtrArray    *lb_plan_condition_parse  (const char      *text);

/* A sort key ("c.c_last_name", "c_birth_year DESC") as a term-like column:
 * qualifier and column (the direction is dropped); FALSE for expressions
 * that are not a plain column. */
gboolean      lb_plan_condition_parse_column (const char  *text,
                                              char       **qualifier,
                                              char       **column);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbConditionTerm, lb_condition_term_free)

G_END_DECLS
