/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A small generic YAML tree, private to the workload code. It exists so that
 * keys we do not understand survive a load and a save unchanged. Nodes are
 * reference counted and never change once built, so a tree can be shared
 * between a workload, its copies and the tree built for a save. */

typedef enum
{
  LB_YAML_NODE_SCALAR,
  LB_YAML_NODE_SEQUENCE,
  LB_YAML_NODE_MAPPING,
} LbYamlNodeKind;

typedef enum
{
  LB_YAML_STYLE_ANY,
  LB_YAML_STYLE_PLAIN,
  LB_YAML_STYLE_SINGLE_QUOTED,
  LB_YAML_STYLE_DOUBLE_QUOTED,
  LB_YAML_STYLE_LITERAL,
  LB_YAML_STYLE_FOLDED,
} LbYamlScalarStyle;

typedef struct _LbYamlNode LbYamlNode;

LbYamlNode        *lb_yaml_node_new_scalar      (const char         *value,
                                                 LbYamlScalarStyle   style);
LbYamlNode        *lb_yaml_node_new_sequence    (gboolean            flow);
LbYamlNode        *lb_yaml_node_new_mapping     (gboolean            flow);
LbYamlNode        *lb_yaml_node_ref             (LbYamlNode         *node);
void               lb_yaml_node_unref           (LbYamlNode         *node);

LbYamlNodeKind     lb_yaml_node_get_kind        (const LbYamlNode   *node);
/* Translated noun for messages: "a map", "a list", "text". */
const char        *lb_yaml_node_describe        (const LbYamlNode   *node);
guint              lb_yaml_node_get_line        (const LbYamlNode   *node);
guint              lb_yaml_node_get_column      (const LbYamlNode   *node);
gboolean           lb_yaml_node_get_flow        (const LbYamlNode   *node);

/* Scalars */
const char        *lb_yaml_node_get_scalar      (const LbYamlNode   *node);
LbYamlScalarStyle  lb_yaml_node_get_style       (const LbYamlNode   *node);
/* TRUE for an untagged plain "", "~" or "null": a key without a value. */
gboolean           lb_yaml_node_is_null         (const LbYamlNode   *node);

/* Sequences: items; mappings: key/value pairs. */
guint              lb_yaml_node_get_n_children  (const LbYamlNode   *node);
LbYamlNode        *lb_yaml_node_get_item        (const LbYamlNode   *node,
                                                 guint               index);
LbYamlNode        *lb_yaml_node_get_key         (const LbYamlNode   *node,
                                                 guint               index);
LbYamlNode        *lb_yaml_node_get_value       (const LbYamlNode   *node,
                                                 guint               index);
/* The key's text if it is a scalar, else NULL. */
const char        *lb_yaml_node_get_key_string  (const LbYamlNode   *node,
                                                 guint               index);
LbYamlNode        *lb_yaml_node_lookup          (const LbYamlNode   *node,
                                                 const char         *key);

/* Building (only before a node is shared); both take ownership. */
void               lb_yaml_node_append          (LbYamlNode         *sequence,
                                                 LbYamlNode         *item);
void               lb_yaml_node_insert          (LbYamlNode         *mapping,
                                                 LbYamlNode         *key,
                                                 LbYamlNode         *value);

/* Parses one YAML document. Returns NULL without an error for an empty
 * stream. Errors are LB_WORKLOAD_ERROR_SYNTAX, "NAME:LINE:COLUMN: problem". */
LbYamlNode        *lb_yaml_node_parse           (const char         *data,
                                                 gsize               length,
                                                 const char         *display_name,
                                                 GError            **error);
char              *lb_yaml_node_emit            (LbYamlNode         *root,
                                                 gsize              *length,
                                                 GError            **error);

/* The text a parsed root was read from, or NULL (built nodes, files with
 * aliases or a byte order mark, whose text cannot be spliced safely). */
const char        *lb_yaml_node_get_source      (const LbYamlNode   *node,
                                                 gsize              *length);
/* Marks @node, while it is being built, as standing for the parsed @origin
 * (a list item built from a loaded one), so a splice knows which is which. */
void               lb_yaml_node_set_origin      (LbYamlNode         *node,
                                                 LbYamlNode         *origin);
/* @source's text with only what differs in @root rewritten: changed scalars
 * in their quoting, new keys at the end of their block map in its own
 * indentation, list items cut or appended. NULL when that cannot be done
 * safely (flow documents reshaped, anchors, block scalars edited, …): the
 * caller then emits @root in full. */
char              *lb_yaml_node_splice          (LbYamlNode         *source,
                                                 LbYamlNode         *root,
                                                 gsize              *length);

/* Shortest text that reads back as the same double; whole numbers have no
 * decimals ("12000"), and a YAML 1.1 reader sees a number in every result. */
char              *lb_yaml_format_double        (double              value);
/* TRUE if @text, written plain, would read back as something other than a
 * string (a number, a boolean, null) in YAML 1.1. */
gboolean           lb_yaml_text_needs_quotes    (const char         *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbYamlNode, lb_yaml_node_unref)

G_END_DECLS
