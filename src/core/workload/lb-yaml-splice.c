/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Splicing a save into the loaded text: compares the tree to save with the
 * parsed one and rewrites only the byte ranges that differ, so comments,
 * blank lines, order and quoting survive; gives up (NULL) when that is not
 * safe and the caller emits the whole document instead. */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <yaml.h>

#include "lb-yaml-node-private.h"

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
  g_autofree char *text = _lb_yaml_node_emit_with_indent (node, indent, NULL, NULL);
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
  LbYamlNode *copy = _lb_yaml_node_new (node->kind);

  copy->flow = TRUE;
  copy->tag = g_strdup (node->tag);
  for (guint i = 0; i < node->children->len; i++)
    _lb_yaml_node_add_child (copy, lb_yaml_node_ref (g_ptr_array_index (node->children, i)));

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
