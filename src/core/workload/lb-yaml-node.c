/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The YAML node tree: building, reading, parsing with libyaml (positions
 * and byte ranges kept for the splice, aliases and depth bounded) and
 * emitting; plus number formatting and quoting rules. The splice that
 * rewrites only what changed is lb-yaml-splice.c. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <yaml.h>

#include "lb-workload.h"
#include "lb-yaml-node-private.h"

/* Aliases share nodes, so a tiny file can stand for a huge tree once written
 * out ("billion laughs"); refuse documents that expand beyond this. */
#define MAX_WEIGHT 1000000
/* The emitter and unref recurse; keep the depth well inside any stack. */
#define MAX_DEPTH  200

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

LbYamlNode *
_lb_yaml_node_new (LbYamlNodeKind kind)
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
  LbYamlNode *node = _lb_yaml_node_new (LB_YAML_NODE_SCALAR);

  node->value = g_strdup (value != NULL ? value : "");
  node->style = style;

  return node;
}

LbYamlNode *
lb_yaml_node_new_sequence (gboolean flow)
{
  LbYamlNode *node = _lb_yaml_node_new (LB_YAML_NODE_SEQUENCE);

  node->flow = !!flow;
  return node;
}

LbYamlNode *
lb_yaml_node_new_mapping (gboolean flow)
{
  LbYamlNode *node = _lb_yaml_node_new (LB_YAML_NODE_MAPPING);

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

void
_lb_yaml_node_add_child (LbYamlNode *parent,
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

  _lb_yaml_node_add_child (sequence, item);
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

  _lb_yaml_node_add_child (mapping, key);
  _lb_yaml_node_add_child (mapping, value);
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

  _lb_yaml_node_add_child (parent, node);

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

        node = _lb_yaml_node_new (LB_YAML_NODE_SCALAR);
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

char *
_lb_yaml_node_emit_with_indent (LbYamlNode *root,
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

  return _lb_yaml_node_emit_with_indent (root, 2, length, error);
}


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
