/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbYamlNode's insides, shared by the tree and parser (lb-yaml-node.c) and
 * the splice (lb-yaml-splice.c), which reads the byte ranges a parse left
 * on each node. Not installed. */
#pragma once

#include "lb-yaml-node.h"

G_BEGIN_DECLS

struct _LbYamlNode
{
  grefcount          ref_count;
  LbYamlNodeKind     kind;
  LbYamlScalarStyle  style;
  gboolean           flow;
  guint              line;
  guint              column;
  gsize              weight;   /* nodes in the tree with aliases expanded */
  char              *tag;      /* explicit tag, or NULL */
  char              *value;    /* scalars */
  GPtrArray         *children; /* items, or alternating keys and values */

  /* Where a parsed node sits in its text, in bytes: from its first character
   * to the end of its last scalar or closing bracket (a block collection's
   * own end mark lies past trailing comments, too far for an insertion). */
  gsize              start;
  gsize              end;
  gboolean           has_properties; /* an anchor or an explicit tag */

  /* Parsed roots: the text, kept so a save can splice into it. */
  char              *source;
  gsize              source_length;

  /* Built nodes: the parsed node this one stands for, or NULL. */
  LbYamlNode        *origin;
};

/* A new node of @kind with one reference (collections get their array). */
LbYamlNode  *_lb_yaml_node_new              (LbYamlNodeKind   kind);
/* Appends @child (taking it) to a collection and adds up its weight. */
void         _lb_yaml_node_add_child        (LbYamlNode      *parent,
                                             LbYamlNode      *child);
/* @root as YAML text with block collections indented by @indent. */
char        *_lb_yaml_node_emit_with_indent (LbYamlNode      *root,
                                             int              indent,
                                             gsize           *length,
                                             GError         **error);

G_END_DECLS
