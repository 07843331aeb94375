/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <yaml.h>

#include "lb-workload.h"
#include "lb-yaml-node.h"

/* Aliases share nodes, so a tiny file can stand for a huge tree once written
 * out ("billion laughs"); refuse documents that expand beyond this. */
#define MAX_WEIGHT 1000000
/* The emitter and unref recurse; keep the depth well inside any stack. */
#define MAX_DEPTH  200

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

typedef struct
{
  const char  *display_name;
  const char  *data;
  gsize        length;
  GPtrArray   *stack;    /* LbYamlNode under construction */
  GPtrArray   *anchors;  /* parallel to stack: anchor name or NULL */
  GHashTable  *aliases;  /* anchor name → LbYamlNode */
  LbYamlNode  *root;
  guint        n_documents;
  /* libyaml marks count characters; byte offset of each, or NULL for ASCII. */
  gsize       *byte_offsets;
  gsize        n_chars;
  gboolean     has_aliases;
} ParseState;

static LbYamlNode *
node_new (LbYamlNodeKind kind)
{
  LbYamlNode *node = g_new0 (LbYamlNode, 1);

  g_ref_count_init (&node->ref_count);
  node->kind = kind;
  node->weight = 1;
  if (kind != LB_YAML_NODE_SCALAR)
    node->children = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_yaml_node_unref);

  return node;
}

LbYamlNode *
lb_yaml_node_new_scalar (const char        *value,
                         LbYamlScalarStyle  style)
{
  LbYamlNode *node = node_new (LB_YAML_NODE_SCALAR);

  node->value = g_strdup (value != NULL ? value : "");
  node->style = style;

  return node;
}

LbYamlNode *
lb_yaml_node_new_sequence (gboolean flow)
{
  LbYamlNode *node = node_new (LB_YAML_NODE_SEQUENCE);

  node->flow = !!flow;
  return node;
}

LbYamlNode *
lb_yaml_node_new_mapping (gboolean flow)
{
  LbYamlNode *node = node_new (LB_YAML_NODE_MAPPING);

  node->flow = !!flow;
  return node;
}

LbYamlNode *
lb_yaml_node_ref (LbYamlNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);

  g_ref_count_inc (&node->ref_count);
  return node;
}

void
lb_yaml_node_unref (LbYamlNode *node)
{
  g_return_if_fail (node != NULL);

  if (g_ref_count_dec (&node->ref_count))
    {
      g_clear_pointer (&node->children, g_ptr_array_unref);
      g_clear_pointer (&node->origin, lb_yaml_node_unref);
      g_free (node->source);
      g_free (node->tag);
      g_free (node->value);
      g_free (node);
    }
}

LbYamlNodeKind
lb_yaml_node_get_kind (const LbYamlNode *node)
{
  g_return_val_if_fail (node != NULL, LB_YAML_NODE_SCALAR);
  return node->kind;
}

const char *
lb_yaml_node_describe (const LbYamlNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);

  switch (node->kind)
    {
    case LB_YAML_NODE_MAPPING:
      return _("a map");
    case LB_YAML_NODE_SEQUENCE:
      return _("a list");
    case LB_YAML_NODE_SCALAR:
    default:
      return _("text");
    }
}

guint
lb_yaml_node_get_line (const LbYamlNode *node)
{
  g_return_val_if_fail (node != NULL, 0);
  return node->line;
}

guint
lb_yaml_node_get_column (const LbYamlNode *node)
{
  g_return_val_if_fail (node != NULL, 0);
  return node->column;
}

gboolean
lb_yaml_node_get_flow (const LbYamlNode *node)
{
  g_return_val_if_fail (node != NULL, FALSE);
  return node->flow;
}

const char *
lb_yaml_node_get_scalar (const LbYamlNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);

  if (node->kind != LB_YAML_NODE_SCALAR)
    return NULL;
  return node->value;
}

LbYamlScalarStyle
lb_yaml_node_get_style (const LbYamlNode *node)
{
  g_return_val_if_fail (node != NULL, LB_YAML_STYLE_ANY);
  return node->style;
}

gboolean
lb_yaml_node_is_null (const LbYamlNode *node)
{
  g_return_val_if_fail (node != NULL, FALSE);

  if (node->kind != LB_YAML_NODE_SCALAR || node->tag != NULL || node->style != LB_YAML_STYLE_PLAIN)
    return FALSE;

  return node->value[0] == '\0' ||
         g_str_equal (node->value, "~") ||
         g_str_equal (node->value, "null") ||
         g_str_equal (node->value, "Null") ||
         g_str_equal (node->value, "NULL");
}

guint
lb_yaml_node_get_n_children (const LbYamlNode *node)
{
  g_return_val_if_fail (node != NULL, 0);

  if (node->children == NULL)
    return 0;
  if (node->kind == LB_YAML_NODE_MAPPING)
    return node->children->len / 2;
  return node->children->len;
}

LbYamlNode *
lb_yaml_node_get_item (const LbYamlNode *node,
                       guint             index)
{
  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (node->kind == LB_YAML_NODE_SEQUENCE, NULL);
  g_return_val_if_fail (index < node->children->len, NULL);

  return g_ptr_array_index (node->children, index);
}

LbYamlNode *
lb_yaml_node_get_key (const LbYamlNode *node,
                      guint             index)
{
  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (node->kind == LB_YAML_NODE_MAPPING, NULL);
  g_return_val_if_fail (index * 2 + 1 < node->children->len, NULL);

  return g_ptr_array_index (node->children, index * 2);
}

LbYamlNode *
lb_yaml_node_get_value (const LbYamlNode *node,
                        guint             index)
{
  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (node->kind == LB_YAML_NODE_MAPPING, NULL);
  g_return_val_if_fail (index * 2 + 1 < node->children->len, NULL);

  return g_ptr_array_index (node->children, index * 2 + 1);
}

const char *
lb_yaml_node_get_key_string (const LbYamlNode *node,
                             guint             index)
{
  LbYamlNode *key = lb_yaml_node_get_key (node, index);

  if (key == NULL)
    return NULL;
  return lb_yaml_node_get_scalar (key);
}

LbYamlNode *
lb_yaml_node_lookup (const LbYamlNode *node,
                     const char       *key)
{
  guint n;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (node->kind != LB_YAML_NODE_MAPPING)
    return NULL;

  n = lb_yaml_node_get_n_children (node);
  for (guint i = 0; i < n; i++)
    {
      if (g_strcmp0 (lb_yaml_node_get_key_string (node, i), key) == 0)
        return lb_yaml_node_get_value (node, i);
    }

  return NULL;
}

static void
add_child (LbYamlNode *parent,
           LbYamlNode *child)
{
  g_ptr_array_add (parent->children, child);
  /* Saturating: only compared against MAX_WEIGHT. */
  parent->weight = MIN (parent->weight + child->weight, (gsize) G_MAXSIZE / 2);
}

void
lb_yaml_node_append (LbYamlNode *sequence,
                     LbYamlNode *item)
{
  g_return_if_fail (sequence != NULL);
  g_return_if_fail (sequence->kind == LB_YAML_NODE_SEQUENCE);
  g_return_if_fail (item != NULL);

  add_child (sequence, item);
}

void
lb_yaml_node_insert (LbYamlNode *mapping,
                     LbYamlNode *key,
                     LbYamlNode *value)
{
  g_return_if_fail (mapping != NULL);
  g_return_if_fail (mapping->kind == LB_YAML_NODE_MAPPING);
  g_return_if_fail (key != NULL);
  g_return_if_fail (value != NULL);

  add_child (mapping, key);
  add_child (mapping, value);
}

/* Parsing */

static LbYamlScalarStyle
style_from_yaml (yaml_scalar_style_t style)
{
  switch (style)
    {
    case YAML_PLAIN_SCALAR_STYLE:
      return LB_YAML_STYLE_PLAIN;
    case YAML_SINGLE_QUOTED_SCALAR_STYLE:
      return LB_YAML_STYLE_SINGLE_QUOTED;
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
      return LB_YAML_STYLE_DOUBLE_QUOTED;
    case YAML_LITERAL_SCALAR_STYLE:
      return LB_YAML_STYLE_LITERAL;
    case YAML_FOLDED_SCALAR_STYLE:
      return LB_YAML_STYLE_FOLDED;
    case YAML_ANY_SCALAR_STYLE:
    default:
      return LB_YAML_STYLE_ANY;
    }
}

static yaml_scalar_style_t
style_to_yaml (LbYamlScalarStyle style)
{
  switch (style)
    {
    case LB_YAML_STYLE_PLAIN:
      return YAML_PLAIN_SCALAR_STYLE;
    case LB_YAML_STYLE_SINGLE_QUOTED:
      return YAML_SINGLE_QUOTED_SCALAR_STYLE;
    case LB_YAML_STYLE_DOUBLE_QUOTED:
      return YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    case LB_YAML_STYLE_LITERAL:
      return YAML_LITERAL_SCALAR_STYLE;
    case LB_YAML_STYLE_FOLDED:
      return YAML_FOLDED_SCALAR_STYLE;
    case LB_YAML_STYLE_ANY:
    default:
      return YAML_ANY_SCALAR_STYLE;
    }
}

static void
set_position_error (GError     **error,
                    const char  *display_name,
                    guint        line,
                    guint        column,
                    const char  *message)
{
  g_set_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_SYNTAX,
               "%s:%u:%u: %s", display_name, line, column, message);
}

/* libyaml reports reader errors (bad UTF-8, control characters) as a byte
 * offset only. */
static void
offset_to_position (const char *data,
                    gsize       length,
                    gsize       offset,
                    guint      *line,
                    guint      *column)
{
  *line = 1;
  *column = 1;

  for (gsize i = 0; i < MIN (offset, length); i++)
    {
      if (data[i] == '\n')
        {
          (*line)++;
          *column = 1;
        }
      else if (((guchar) data[i] & 0xC0) != 0x80)
        {
          (*column)++;
        }
    }
}

/* Offsets of every character, for non-ASCII text (NULL for ASCII, where
 * character and byte offsets agree). */
static gsize *
build_byte_offsets (const char *data,
                    gsize       length,
                    gsize      *n_chars)
{
  gsize *offsets;
  gsize n = 0;
  gboolean ascii = TRUE;

  for (gsize i = 0; i < length && ascii; i++)
    ascii = ((guchar) data[i] & 0x80) == 0;

  *n_chars = length;
  if (ascii)
    return NULL;

  offsets = g_new (gsize, length + 1);
  for (gsize i = 0; i < length; i++)
    {
      if (((guchar) data[i] & 0xC0) != 0x80)
        offsets[n++] = i;
    }
  offsets[n] = length;
  *n_chars = n;

  return offsets;
}

static void
set_parser_error (ParseState    *state,
                  yaml_parser_t *parser,
                  GError       **error)
{
  g_autofree char *message = NULL;
  guint line;
  guint column;

  if (parser->error == YAML_MEMORY_ERROR)
    {
      set_position_error (error, state->display_name, 1, 1, _("Out of memory"));
      return;
    }

  if (parser->error == YAML_READER_ERROR)
    {
      offset_to_position (state->data, state->length, parser->problem_offset, &line, &column);
      message = g_strdup (parser->problem != NULL ? parser->problem : _("Unreadable text"));
    }
  else
    {
      line = parser->problem_mark.line + 1;
      column = parser->problem_mark.column + 1;

      /* libyaml's own English words; the context tells where the broken
       * construct began, which is often where the mistake is. */
      if (parser->context != NULL)
        message = g_strdup_printf (_("%s (%s at line %u, column %u)"),
                                   parser->problem != NULL ? parser->problem : _("Invalid YAML"),
                                   parser->context,
                                   (guint) parser->context_mark.line + 1,
                                   (guint) parser->context_mark.column + 1);
      else
        message = g_strdup (parser->problem != NULL ? parser->problem : _("Invalid YAML"));
    }

  set_position_error (error, state->display_name, line, column, message);
}

static gsize
mark_to_byte (ParseState        *state,
              const yaml_mark_t *mark)
{
  if (state->byte_offsets == NULL)
    return MIN (mark->index, state->length);
  return state->byte_offsets[MIN (mark->index, state->n_chars)];
}

static void
set_mark (ParseState        *state,
          LbYamlNode        *node,
          const yaml_mark_t *mark)
{
  node->line = mark->line + 1;
  node->column = mark->column + 1;
  node->start = node->end = mark_to_byte (state, mark);
}

static gboolean
add_node (ParseState  *state,
          LbYamlNode  *node,
          GError     **error)
{
  LbYamlNode *parent;

  if (state->stack->len == 0)
    {
      g_clear_pointer (&state->root, lb_yaml_node_unref);
      state->root = node;
      return TRUE;
    }

  parent = g_ptr_array_index (state->stack, state->stack->len - 1);

  /* A key given twice is almost always a mistake, and which value wins
   * depends on the reader; say so instead of guessing. */
  if (parent->kind == LB_YAML_NODE_MAPPING &&
      parent->children->len % 2 == 0 &&
      node->kind == LB_YAML_NODE_SCALAR)
    {
      for (guint i = 0; i < parent->children->len; i += 2)
        {
          LbYamlNode *key = g_ptr_array_index (parent->children, i);

          if (key->kind == LB_YAML_NODE_SCALAR && g_str_equal (key->value, node->value))
            {
              g_autofree char *message =
                g_strdup_printf (_("Duplicate key “%s” (first at line %u)"),
                                 node->value, key->line);

              set_position_error (error, state->display_name, node->line, node->column, message);
              lb_yaml_node_unref (node);
              return FALSE;
            }
        }
    }

  add_child (parent, node);

  if (parent->weight > MAX_WEIGHT)
    {
      set_position_error (error, state->display_name, parent->line, parent->column,
                          _("The document is too large once its aliases are expanded"));
      return FALSE;
    }

  return TRUE;
}

static void
register_anchor (ParseState *state,
                 const char *anchor,
                 LbYamlNode *node)
{
  if (anchor != NULL)
    g_hash_table_replace (state->aliases, g_strdup (anchor), lb_yaml_node_ref (node));
}

static char *
explicit_tag (const yaml_char_t *tag,
              gboolean           implicit)
{
  if (tag == NULL || implicit)
    return NULL;
  return g_strdup ((const char *) tag);
}

static gboolean
handle_event (ParseState   *state,
              yaml_event_t *event,
              GError      **error)
{
  LbYamlNode *node;

  switch (event->type)
    {
    case YAML_DOCUMENT_START_EVENT:
      if (++state->n_documents > 1)
        {
          set_position_error (error, state->display_name,
                              event->start_mark.line + 1, event->start_mark.column + 1,
                              _("A workload file holds a single YAML document"));
          return FALSE;
        }
      return TRUE;

    case YAML_SCALAR_EVENT:
      {
        const char *anchor = (const char *) event->data.scalar.anchor;
        gboolean implicit = event->data.scalar.style == YAML_PLAIN_SCALAR_STYLE
                              ? event->data.scalar.plain_implicit
                              : event->data.scalar.quoted_implicit;

        node = node_new (LB_YAML_NODE_SCALAR);
        node->value = g_strndup ((const char *) event->data.scalar.value,
                                 event->data.scalar.length);
        node->style = style_from_yaml (event->data.scalar.style);
        node->tag = explicit_tag (event->data.scalar.tag, implicit);
        node->has_properties = anchor != NULL || node->tag != NULL;
        set_mark (state, node, &event->start_mark);
        node->end = mark_to_byte (state, &event->end_mark);
        register_anchor (state, anchor, node);
        return add_node (state, node, error);
      }

    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
      if (state->stack->len >= MAX_DEPTH)
        {
          set_position_error (error, state->display_name,
                              event->start_mark.line + 1, event->start_mark.column + 1,
                              _("Nested too deeply"));
          return FALSE;
        }

      if (event->type == YAML_SEQUENCE_START_EVENT)
        {
          node = lb_yaml_node_new_sequence (event->data.sequence_start.style ==
                                            YAML_FLOW_SEQUENCE_STYLE);
          node->tag = explicit_tag (event->data.sequence_start.tag,
                                    event->data.sequence_start.implicit);
          g_ptr_array_add (state->anchors,
                           g_strdup ((const char *) event->data.sequence_start.anchor));
        }
      else
        {
          node = lb_yaml_node_new_mapping (event->data.mapping_start.style ==
                                           YAML_FLOW_MAPPING_STYLE);
          node->tag = explicit_tag (event->data.mapping_start.tag,
                                    event->data.mapping_start.implicit);
          g_ptr_array_add (state->anchors,
                           g_strdup ((const char *) event->data.mapping_start.anchor));
        }
      node->has_properties = node->tag != NULL ||
                             g_ptr_array_index (state->anchors, state->anchors->len - 1) != NULL;
      set_mark (state, node, &event->start_mark);
      g_ptr_array_add (state->stack, node);
      return TRUE;

    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
      {
        g_autofree char *anchor = g_ptr_array_steal_index (state->anchors,
                                                           state->anchors->len - 1);

        node = g_ptr_array_steal_index (state->stack, state->stack->len - 1);
        if (node->flow)
          node->end = mark_to_byte (state, &event->end_mark);
        else if (node->children->len > 0)
          node->end = ((LbYamlNode *) g_ptr_array_index (node->children,
                                                         node->children->len - 1))->end;
        /* Registered only now, so an alias can never point into a node
         * that contains it. */
        register_anchor (state, anchor, node);
        return add_node (state, node, error);
      }

    case YAML_ALIAS_EVENT:
      {
        const char *anchor = (const char *) event->data.alias.anchor;

        node = g_hash_table_lookup (state->aliases, anchor);
        if (node == NULL)
          {
            g_autofree char *message = g_strdup_printf (_("Unknown alias “%s”"), anchor);

            set_position_error (error, state->display_name,
                                event->start_mark.line + 1, event->start_mark.column + 1,
                                message);
            return FALSE;
          }
        /* A shared node has one place in the text: no splicing into it. */
        state->has_aliases = TRUE;
        return add_node (state, lb_yaml_node_ref (node), error);
      }

    case YAML_NO_EVENT:
    case YAML_STREAM_START_EVENT:
    case YAML_STREAM_END_EVENT:
    case YAML_DOCUMENT_END_EVENT:
    default:
      return TRUE;
    }
}

LbYamlNode *
lb_yaml_node_parse (const char  *data,
                    gsize        length,
                    const char  *display_name,
                    GError     **error)
{
  yaml_parser_t parser;
  ParseState state = { 0 };
  gboolean initialized;
  gboolean done = FALSE;
  gboolean ok = TRUE;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (display_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  state.display_name = display_name;
  state.data = data;
  state.length = length;
  state.stack = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_yaml_node_unref);
  state.anchors = g_ptr_array_new_with_free_func (g_free);
  state.aliases = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) lb_yaml_node_unref);
  state.byte_offsets = build_byte_offsets (data, length, &state.n_chars);

  initialized = yaml_parser_initialize (&parser);
  if (!initialized)
    {
      set_position_error (error, display_name, 1, 1, _("Out of memory"));
      ok = FALSE;
      done = TRUE;
    }
  else
    {
      yaml_parser_set_input_string (&parser, (const unsigned char *) (data != NULL ? data : ""),
                                    length);
    }

  while (!done)
    {
      yaml_event_t event;

      if (!yaml_parser_parse (&parser, &event))
        {
          set_parser_error (&state, &parser, error);
          ok = FALSE;
          break;
        }

      done = event.type == YAML_STREAM_END_EVENT;
      ok = handle_event (&state, &event, error);
      yaml_event_delete (&event);

      if (!ok)
        break;
    }

  if (initialized)
    yaml_parser_delete (&parser);

  g_ptr_array_unref (state.stack);
  g_ptr_array_unref (state.anchors);
  g_hash_table_unref (state.aliases);
  g_free (state.byte_offsets);

  if (!ok)
    {
      g_clear_pointer (&state.root, lb_yaml_node_unref);
      return NULL;
    }

  /* A byte order mark shifts libyaml's marks; such files are re-emitted. */
  if (state.root != NULL && !state.has_aliases &&
      !(length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0))
    {
      state.root->source = g_strndup (data, length);
      state.root->source_length = length;
    }

  return state.root;
}

/* Emitting */

static int
write_to_string_cb (void          *data,
                    unsigned char *buffer,
                    size_t         size)
{
  g_string_append_len (data, (const char *) buffer, size);
  return 1;
}

static gboolean
emit_node (yaml_emitter_t *emitter,
           LbYamlNode     *node)
{
  yaml_event_t event;
  gboolean implicit = node->tag == NULL;

  switch (node->kind)
    {
    case LB_YAML_NODE_SCALAR:
      if (!yaml_scalar_event_initialize (&event, NULL, (const yaml_char_t *) node->tag,
                                         (const yaml_char_t *) node->value,
                                         (int) strlen (node->value),
                                         implicit, implicit, style_to_yaml (node->style)))
        return FALSE;
      return yaml_emitter_emit (emitter, &event);

    case LB_YAML_NODE_SEQUENCE:
      if (!yaml_sequence_start_event_initialize (&event, NULL, (const yaml_char_t *) node->tag,
                                                 implicit,
                                                 node->flow ? YAML_FLOW_SEQUENCE_STYLE
                                                            : YAML_BLOCK_SEQUENCE_STYLE) ||
          !yaml_emitter_emit (emitter, &event))
        return FALSE;
      for (guint i = 0; i < node->children->len; i++)
        {
          if (!emit_node (emitter, g_ptr_array_index (node->children, i)))
            return FALSE;
        }
      return yaml_sequence_end_event_initialize (&event) && yaml_emitter_emit (emitter, &event);

    case LB_YAML_NODE_MAPPING:
    default:
      if (!yaml_mapping_start_event_initialize (&event, NULL, (const yaml_char_t *) node->tag,
                                                implicit,
                                                node->flow ? YAML_FLOW_MAPPING_STYLE
                                                           : YAML_BLOCK_MAPPING_STYLE) ||
          !yaml_emitter_emit (emitter, &event))
        return FALSE;
      for (guint i = 0; i < node->children->len; i++)
        {
          if (!emit_node (emitter, g_ptr_array_index (node->children, i)))
            return FALSE;
        }
      return yaml_mapping_end_event_initialize (&event) && yaml_emitter_emit (emitter, &event);
    }
}

static char *
emit_with_indent (LbYamlNode *root,
                  int         indent,
                  gsize      *length,
                  GError    **error)
{
  g_autoptr(GString) out = NULL;
  yaml_emitter_t emitter;
  yaml_event_t event;
  gboolean ok;

  if (!yaml_emitter_initialize (&emitter))
    {
      g_set_error_literal (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_IO, _("Out of memory"));
      return NULL;
    }

  out = g_string_new (NULL);
  yaml_emitter_set_output (&emitter, write_to_string_cb, out);
  yaml_emitter_set_unicode (&emitter, 1);
  yaml_emitter_set_indent (&emitter, indent);
  /* Long values stay on one line. */
  yaml_emitter_set_width (&emitter, -1);
  yaml_emitter_set_break (&emitter, YAML_LN_BREAK);

  ok = yaml_stream_start_event_initialize (&event, YAML_UTF8_ENCODING) &&
       yaml_emitter_emit (&emitter, &event) &&
       yaml_document_start_event_initialize (&event, NULL, NULL, NULL, 1) &&
       yaml_emitter_emit (&emitter, &event) &&
       emit_node (&emitter, root) &&
       yaml_document_end_event_initialize (&event, 1) &&
       yaml_emitter_emit (&emitter, &event) &&
       yaml_stream_end_event_initialize (&event) &&
       yaml_emitter_emit (&emitter, &event) &&
       yaml_emitter_flush (&emitter);

  if (!ok)
    {
      g_set_error (error, LB_WORKLOAD_ERROR, LB_WORKLOAD_ERROR_IO,
                   _("Could not write the workload as YAML: %s"),
                   emitter.problem != NULL ? emitter.problem : _("out of memory"));
      yaml_emitter_delete (&emitter);
      return NULL;
    }

  yaml_emitter_delete (&emitter);

  if (length != NULL)
    *length = out->len;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
lb_yaml_node_emit (LbYamlNode *root,
                   gsize      *length,
                   GError    **error)
{
  g_return_val_if_fail (root != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return emit_with_indent (root, 2, length, error);
}

/* Splicing: a save that rewrites only what changed in the loaded text, so
 * comments, blank lines, order and quoting survive. */

typedef struct
{
  gsize  start;
  gsize  end;
  guint  sequence;  /* keeps insertions at one place in the order they came */
  char  *text;
} Edit;

typedef struct
{
  const char *text;
  gsize       length;
  const char *eol;
  int         indent;
  GArray     *edits;
} Splice;

static gboolean splice_node (Splice     *splice,
                             LbYamlNode *source,
                             LbYamlNode *node,
                             gboolean    in_flow);

static void
clear_edit (gpointer data)
{
  g_free (((Edit *) data)->text);
}

static void
add_edit (Splice *splice,
          gsize   start,
          gsize   end,
          char   *text)
{
  Edit edit = { start, end, splice->edits->len, text };

  g_array_append_val (splice->edits, edit);
}

static int
compare_edits (gconstpointer a,
               gconstpointer b)
{
  const Edit *edit_a = a;
  const Edit *edit_b = b;

  if (edit_a->start != edit_b->start)
    return edit_a->start < edit_b->start ? -1 : 1;
  return edit_a->sequence < edit_b->sequence ? -1 : 1;
}

static gsize
line_start (Splice *splice,
            gsize   position)
{
  while (position > 0 && splice->text[position - 1] != '\n')
    position--;
  return position;
}

/* Where a line inserted after the node ending at @end goes: the start of the
 * next line (a block scalar already ends with its line break). */
static gsize
line_after (Splice *splice,
            gsize   end)
{
  if (end > 0 && splice->text[end - 1] == '\n')
    return end;
  while (end < splice->length && splice->text[end] != '\n')
    end++;
  return end < splice->length ? end + 1 : end;
}

/* Inserts whole lines (each ending in splice->eol) at @position, which is a
 * line start, or the end of a file without a final line break. */
static void
insert_lines (Splice  *splice,
              gsize    position,
              GString *lines)
{
  if (lines->len == 0)
    return;

  if (position == splice->length && position > 0 && splice->text[position - 1] != '\n')
    {
      /* Keep the file's missing final line break missing. */
      g_string_truncate (lines, lines->len - strlen (splice->eol));
      g_string_prepend (lines, splice->eol);
    }

  add_edit (splice, position, position, g_strdup (lines->str));
}

static gboolean
nodes_equal (const LbYamlNode *a,
             const LbYamlNode *b)
{
  if (a == b)
    return TRUE;

  /* "key:" and an empty list or map say the same to our loader. */
  if (a->kind == LB_YAML_NODE_SCALAR && b->kind != LB_YAML_NODE_SCALAR)
    return lb_yaml_node_is_null (a) && b->children->len == 0;
  if (b->kind == LB_YAML_NODE_SCALAR && a->kind != LB_YAML_NODE_SCALAR)
    return nodes_equal (b, a);

  if (a->kind != b->kind || g_strcmp0 (a->tag, b->tag) != 0)
    return FALSE;
  if (a->kind == LB_YAML_NODE_SCALAR)
    return g_str_equal (a->value, b->value);
  if (a->children->len != b->children->len)
    return FALSE;
  for (guint i = 0; i < a->children->len; i++)
    {
      if (!nodes_equal (g_ptr_array_index (a->children, i), g_ptr_array_index (b->children, i)))
        return FALSE;
    }
  return TRUE;
}

/* The node written on its own, without its final line break. */
static char *
emit_fragment (LbYamlNode *node,
               int         indent)
{
  g_autofree char *text = emit_with_indent (node, indent, NULL, NULL);
  gsize length;

  if (text == NULL)
    return NULL;

  length = strlen (text);
  if (length >= 4 && g_str_has_suffix (text, "...\n"))
    length -= 4;
  while (length > 0 && text[length - 1] == '\n')
    length--;

  return g_strndup (text, length);
}

/* Appends @fragment's lines, the first after @first_prefix, the others after
 * @prefix, each ending in the file's line break. */
static void
append_indented (Splice     *splice,
                 GString    *out,
                 const char *fragment,
                 const char *first_prefix,
                 const char *prefix)
{
  g_auto(GStrv) lines = g_strsplit (fragment, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] != '\0')
        g_string_append (out, i == 0 ? first_prefix : prefix);
      g_string_append (out, lines[i]);
      g_string_append (out, splice->eol);
    }
}

static gboolean
plain_is_safe (const char *text,
               gboolean    in_flow)
{
  static const char flow_indicators[] = ",[]{}";
  gsize length = strlen (text);

  if (length == 0 || g_ascii_isspace (text[0]) || g_ascii_isspace (text[length - 1]))
    return FALSE;
  if (strchr ("?:-", text[0]) != NULL &&
      (text[1] == '\0' || g_ascii_isspace (text[1])))
    return FALSE;
  if (strchr ("#&*!|>'\"%@`", text[0]) != NULL || (strchr (flow_indicators, text[0]) != NULL))
    return FALSE;

  for (gsize i = 0; i < length; i++)
    {
      guchar c = text[i];

      if (c < 0x20 || c == 0x7f)
        return FALSE;
      if (c == ':' &&
          (text[i + 1] == '\0' || g_ascii_isspace (text[i + 1]) ||
           (in_flow && strchr (flow_indicators, text[i + 1]) != NULL)))
        return FALSE;
      if (c == '#' && i > 0 && g_ascii_isspace (text[i - 1]))
        return FALSE;
      if (in_flow && strchr (flow_indicators, c) != NULL)
        return FALSE;
    }

  return TRUE;
}

static gboolean
single_quote_can_hold (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7f)
        return FALSE;
    }
  return TRUE;
}

static char *
quote_single (const char *text)
{
  GString *out = g_string_new ("'");

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\'')
        g_string_append_c (out, '\'');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '\'');

  return g_string_free (out, FALSE);
}

static char *
quote_double (const char *text)
{
  GString *out = g_string_new ("\"");

  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = *p;

      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x%02x", c);
      else
        g_string_append_c (out, c);
    }
  g_string_append_c (out, '"');

  return g_string_free (out, FALSE);
}

/* @node's text in @source's quoting where that can hold it. A plain style
 * asked for by the builder (numbers, names of modes) wins over quotes. */
static char *
format_scalar (const LbYamlNode *source,
               const LbYamlNode *node,
               gboolean          in_flow)
{
  const char *text = node->value;
  gboolean wants_plain = node->style == LB_YAML_STYLE_PLAIN;
  gboolean plain_ok = plain_is_safe (text, in_flow) &&
                      (wants_plain || !lb_yaml_text_needs_quotes (text));

  if (wants_plain && plain_ok)
    return g_strdup (text);

  switch (source->style)
    {
    case LB_YAML_STYLE_PLAIN:
      if (plain_ok)
        return g_strdup (text);
      break;
    case LB_YAML_STYLE_SINGLE_QUOTED:
      if (single_quote_can_hold (text))
        return quote_single (text);
      break;
    case LB_YAML_STYLE_ANY:
    case LB_YAML_STYLE_DOUBLE_QUOTED:
    case LB_YAML_STYLE_LITERAL:
    case LB_YAML_STYLE_FOLDED:
    default:
      break;
    }

  return quote_double (text);
}

static gboolean
splice_scalar (Splice     *splice,
               LbYamlNode *source,
               LbYamlNode *node,
               gboolean    in_flow)
{
  g_autofree char *text = NULL;

  if (g_strcmp0 (source->tag, node->tag) == 0 && g_str_equal (source->value, node->value))
    return TRUE;

  if (node->tag != NULL ||
      (source->style != LB_YAML_STYLE_PLAIN &&
       source->style != LB_YAML_STYLE_SINGLE_QUOTED &&
       source->style != LB_YAML_STYLE_DOUBLE_QUOTED))
    return FALSE;

  text = format_scalar (source, node, in_flow);
  /* "key:" has its empty value right after the colon. */
  if (source->start == source->end)
    add_edit (splice, source->start, source->end, g_strconcat (" ", text, NULL));
  else
    add_edit (splice, source->start, source->end, g_steal_pointer (&text));

  return TRUE;
}

/* The same node, flow style at its top (libyaml writes everything inside a
 * flow collection as flow). */
static LbYamlNode *
copy_as_flow (LbYamlNode *node)
{
  LbYamlNode *copy = node_new (node->kind);

  copy->flow = TRUE;
  copy->tag = g_strdup (node->tag);
  for (guint i = 0; i < node->children->len; i++)
    add_child (copy, lb_yaml_node_ref (g_ptr_array_index (node->children, i)));

  return copy;
}

static gboolean
replace_with_flow (Splice     *splice,
                   LbYamlNode *source,
                   LbYamlNode *node)
{
  g_autoptr(LbYamlNode) flow = copy_as_flow (node);
  char *text = emit_fragment (flow, splice->indent);

  if (text == NULL || strchr (text, '\n') != NULL)
    {
      g_free (text);
      return FALSE;
    }

  if (source->start == source->end)
    {
      add_edit (splice, source->start, source->end, g_strconcat (" ", text, NULL));
      g_free (text);
    }
  else
    {
      add_edit (splice, source->start, source->end, text);
    }

  return TRUE;
}

static gboolean
same_shape (const LbYamlNode *source,
            const LbYamlNode *node)
{
  if (source->children->len != node->children->len)
    return FALSE;

  if (source->kind == LB_YAML_NODE_MAPPING)
    {
      for (guint i = 0; i < source->children->len; i += 2)
        {
          if (!nodes_equal (g_ptr_array_index (source->children, i),
                            g_ptr_array_index (node->children, i)))
            return FALSE;
        }
    }

  return TRUE;
}

static gboolean
splice_children (Splice     *splice,
                 LbYamlNode *source,
                 LbYamlNode *node,
                 gboolean    in_flow)
{
  for (guint i = 0; i < source->children->len; i++)
    {
      if (!splice_node (splice, g_ptr_array_index (source->children, i),
                        g_ptr_array_index (node->children, i), in_flow))
        return FALSE;
    }
  return TRUE;
}

static gboolean
splice_block_mapping (Splice     *splice,
                      LbYamlNode *source,
                      LbYamlNode *node)
{
  guint n_source = source->children->len;
  g_autofree char *key_indent = NULL;
  g_autofree char *value_indent = NULL;
  g_autoptr(GString) added = NULL;
  guint column;

  /* The builder keeps every key of the source, in order, then adds. */
  if (node->children->len < n_source || n_source == 0)
    return FALSE;

  column = ((LbYamlNode *) g_ptr_array_index (source->children, 0))->column - 1;
  key_indent = g_strnfill (column, ' ');
  value_indent = g_strnfill (column + splice->indent, ' ');

  for (guint i = 0; i < n_source; i += 2)
    {
      LbYamlNode *source_key = g_ptr_array_index (source->children, i);
      LbYamlNode *source_value = g_ptr_array_index (source->children, i + 1);
      LbYamlNode *value = g_ptr_array_index (node->children, i + 1);

      if (!nodes_equal (source_key, g_ptr_array_index (node->children, i)))
        return FALSE;

      /* "key:" that now holds a block list or map: its lines go under it. */
      if (source_value->kind == LB_YAML_NODE_SCALAR && value->kind != LB_YAML_NODE_SCALAR &&
          !value->flow && value->children->len > 0)
        {
          g_autoptr(GString) lines = g_string_new (NULL);
          g_autofree char *fragment = NULL;

          if (!lb_yaml_node_is_null (source_value) || source_value->has_properties ||
              source_value->start != source_value->end)
            return FALSE;

          fragment = emit_fragment (value, splice->indent);
          if (fragment == NULL)
            return FALSE;
          append_indented (splice, lines, fragment, value_indent, value_indent);
          insert_lines (splice, line_after (splice, source_value->end), lines);
          continue;
        }

      if (!splice_node (splice, source_value, value, FALSE))
        return FALSE;
    }

  added = g_string_new (NULL);
  for (guint i = n_source; i < node->children->len; i += 2)
    {
      g_autoptr(LbYamlNode) pair = lb_yaml_node_new_mapping (FALSE);
      g_autofree char *fragment = NULL;

      lb_yaml_node_insert (pair, lb_yaml_node_ref (g_ptr_array_index (node->children, i)),
                           lb_yaml_node_ref (g_ptr_array_index (node->children, i + 1)));
      fragment = emit_fragment (pair, splice->indent);
      if (fragment == NULL)
        return FALSE;
      append_indented (splice, added, fragment, key_indent, key_indent);
    }
  insert_lines (splice, line_after (splice, source->end), added);

  return TRUE;
}

static gboolean
splice_block_sequence (Splice     *splice,
                       LbYamlNode *source,
                       LbYamlNode *node)
{
  guint n_source = source->children->len;
  g_autofree gboolean *kept = g_new0 (gboolean, n_source + 1);
  g_autofree char *dash_prefix = NULL;
  g_autofree char *content_indent = NULL;
  g_autoptr(GString) added = NULL;
  guint dash_column = source->column - 1;
  guint content_column = dash_column + 2;
  gint last_match = -1;
  gboolean appending = FALSE;

  if (n_source == 0)
    return FALSE;

  /* Items are matched with the ones they were built from; anything but
   * edits in place, removals and additions at the end is re-emitted. */
  for (guint j = 0; j < node->children->len; j++)
    {
      LbYamlNode *item = g_ptr_array_index (node->children, j);
      gint match = -1;

      for (guint k = 0; k < n_source && match < 0; k++)
        {
          LbYamlNode *source_item = g_ptr_array_index (source->children, k);

          if (item == source_item || item->origin == source_item)
            match = k;
        }

      if (match < 0)
        {
          appending = TRUE;
          continue;
        }
      if (appending || match <= last_match)
        return FALSE;

      last_match = match;
      kept[match] = TRUE;
      if (!splice_node (splice, g_ptr_array_index (source->children, match), item, FALSE))
        return FALSE;
    }

  for (guint k = 0; k < n_source; k++)
    {
      LbYamlNode *source_item = g_ptr_array_index (source->children, k);
      gsize start;

      if (kept[k])
        continue;

      /* Only "   - item" lines are cut whole. */
      start = line_start (splice, source_item->start);
      for (gsize p = start; p < source_item->start; p++)
        {
          if (splice->text[p] != ' ' && splice->text[p] != '-')
            return FALSE;
        }
      add_edit (splice, start, line_after (splice, source_item->end), g_strdup (""));
    }

  {
    LbYamlNode *first = g_ptr_array_index (source->children, 0);

    if (first->line == source->line && first->column > source->column + 1)
      content_column = first->column - 1;
  }
  dash_prefix = g_strdup_printf ("%*s-%*s", (int) dash_column, "",
                                 (int) (content_column - dash_column - 1), "");
  content_indent = g_strnfill (content_column, ' ');

  added = g_string_new (NULL);
  for (guint j = 0; j < node->children->len; j++)
    {
      LbYamlNode *item = g_ptr_array_index (node->children, j);
      g_autofree char *fragment = NULL;
      gboolean matched = FALSE;

      for (guint k = 0; k < n_source && !matched; k++)
        matched = item == g_ptr_array_index (source->children, k) ||
                  item->origin == g_ptr_array_index (source->children, k);
      if (matched)
        continue;

      fragment = emit_fragment (item, splice->indent);
      if (fragment == NULL)
        return FALSE;
      append_indented (splice, added, fragment, dash_prefix, content_indent);
    }
  insert_lines (splice, line_after (splice, source->end), added);

  return TRUE;
}

static gboolean
splice_node (Splice     *splice,
             LbYamlNode *source,
             LbYamlNode *node,
             gboolean    in_flow)
{
  if (source == node)
    return TRUE;
  if (source->has_properties)
    return nodes_equal (source, node);

  if (node->kind == LB_YAML_NODE_SCALAR)
    return source->kind == LB_YAML_NODE_SCALAR && splice_scalar (splice, source, node, in_flow);

  if (source->kind == LB_YAML_NODE_SCALAR)
    {
      if (nodes_equal (source, node))
        return TRUE;
      /* "key:" or "key: x" replaced by a collection fits on its line as flow;
       * a block one is the mapping's business. */
      if (node->flow && lb_yaml_node_is_null (source))
        return replace_with_flow (splice, source, node);
      return FALSE;
    }

  if (source->kind != node->kind)
    return FALSE;

  if (source->flow || in_flow)
    {
      if (nodes_equal (source, node))
        return TRUE;
      if (same_shape (source, node))
        return splice_children (splice, source, node, TRUE);
      return replace_with_flow (splice, source, node);
    }

  if (source->kind == LB_YAML_NODE_MAPPING)
    return splice_block_mapping (splice, source, node);
  return splice_block_sequence (splice, source, node);
}

/* The step of the file's indentation: how far the first nested block map's
 * keys sit right of their parent's. */
static int
find_indent (LbYamlNode *root)
{
  if (root->kind != LB_YAML_NODE_MAPPING || root->flow)
    return 2;

  for (guint i = 1; i < root->children->len; i += 2)
    {
      LbYamlNode *key = g_ptr_array_index (root->children, i - 1);
      LbYamlNode *value = g_ptr_array_index (root->children, i);
      LbYamlNode *first;

      if (value->kind != LB_YAML_NODE_MAPPING || value->flow || value->children->len == 0)
        continue;

      first = g_ptr_array_index (value->children, 0);
      if (first->line > key->line && first->column > key->column &&
          first->column - key->column <= 9)
        return first->column - key->column;
    }

  return 2;
}

const char *
lb_yaml_node_get_source (const LbYamlNode *node,
                         gsize            *length)
{
  g_return_val_if_fail (node != NULL, NULL);

  if (length != NULL)
    *length = node->source_length;
  return node->source;
}

void
lb_yaml_node_set_origin (LbYamlNode *node,
                         LbYamlNode *origin)
{
  g_return_if_fail (node != NULL);

  if (origin != NULL)
    lb_yaml_node_ref (origin);
  g_clear_pointer (&node->origin, lb_yaml_node_unref);
  node->origin = origin;
}

char *
lb_yaml_node_splice (LbYamlNode *source,
                     LbYamlNode *root,
                     gsize      *length)
{
  g_autoptr(GArray) edits = NULL;
  g_autoptr(GString) out = NULL;
  g_autoptr(LbYamlNode) check = NULL;
  const char *newline;
  Splice splice;
  gsize position = 0;

  g_return_val_if_fail (source != NULL, NULL);
  g_return_val_if_fail (root != NULL, NULL);

  if (source->source == NULL)
    return NULL;

  edits = g_array_new (FALSE, FALSE, sizeof (Edit));
  g_array_set_clear_func (edits, clear_edit);

  newline = memchr (source->source, '\n', source->source_length);
  splice.text = source->source;
  splice.length = source->source_length;
  splice.eol = newline != NULL && newline > source->source && newline[-1] == '\r' ? "\r\n" : "\n";
  splice.indent = find_indent (source);
  splice.edits = edits;

  if (!splice_node (&splice, source, root, FALSE))
    return NULL;

  g_array_sort (edits, compare_edits);
  out = g_string_sized_new (splice.length + 256);
  for (guint i = 0; i < edits->len; i++)
    {
      const Edit *edit = &g_array_index (edits, Edit, i);

      if (edit->start < position)
        return NULL;
      g_string_append_len (out, splice.text + position, edit->start - position);
      g_string_append (out, edit->text);
      position = edit->end;
    }
  g_string_append_len (out, splice.text + position, splice.length - position);

  /* The splice must read back as exactly the tree a full write gives;
   * anything it got wrong is caught here and the caller re-emits. */
  check = lb_yaml_node_parse (out->str, out->len, "<splice>", NULL);
  if (check == NULL || !nodes_equal (check, root))
    return NULL;

  if (length != NULL)
    *length = out->len;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Numbers */

char *
lb_yaml_format_double (double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE + 2];
  char *e;

  g_return_val_if_fail (isfinite (value), g_strdup ("0"));

  /* Also turns -0 into 0. */
  if (value == 0)
    return g_strdup ("0");

  if (value == floor (value) && fabs (value) < 1e21)
    return g_strdup_printf ("%.0f", value);

  for (int precision = 1; precision <= 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buffer, G_ASCII_DTOSTR_BUF_SIZE, format, value);
      if (g_ascii_strtod (buffer, NULL) == value)
        break;
    }

  /* YAML 1.1 (PyYAML, the web tool) only reads "1e-05" as a float with a dot
   * in the mantissa. */
  e = strchr (buffer, 'e');
  if (e != NULL && memchr (buffer, '.', e - buffer) == NULL)
    {
      memmove (e + 2, e, strlen (e) + 1);
      e[0] = '.';
      e[1] = '0';
    }

  return g_strdup (buffer);
}

gboolean
lb_yaml_text_needs_quotes (const char *text)
{
  static const char * const words[] = {
    "~", "null", "true", "false", "yes", "no", "y", "n", "on", "off",
    ".inf", "-.inf", "+.inf", ".nan",
  };
  gboolean has_digit = FALSE;
  gboolean numeric_chars = TRUE;
  char *end = NULL;

  g_return_val_if_fail (text != NULL, TRUE);

  if (text[0] == '\0')
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      if (g_ascii_strcasecmp (text, words[i]) == 0)
        return TRUE;
    }

  /* Integers, floats, sexagesimal numbers and dates of YAML 1.1 only use
   * these characters. */
  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        has_digit = TRUE;
      else if (strchr ("_+-.:", *p) == NULL)
        numeric_chars = FALSE;
    }
  if (has_digit && numeric_chars)
    return TRUE;

  g_ascii_strtod (text, &end);
  if (end != text && *end == '\0')
    return TRUE;

  return g_ascii_strncasecmp (text, "0x", 2) == 0 ||
         g_ascii_strncasecmp (text, "0b", 2) == 0 ||
         g_ascii_strncasecmp (text, "0o", 2) == 0;
}
