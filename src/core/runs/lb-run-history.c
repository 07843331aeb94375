/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LbRunHistory: the run records on disk as a GListModel, newest first; the
 * directory is read in a thread and each record written atomically to a JSON
 * file of its own. */
#include "config.h"

#include <errno.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lb-run-history.h"

struct _LbRunHistory
{
  GObject    parent_instance;

  GFile     *directory;
  GPtrArray *records;     /* LbRunRecord*, newest first */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LbRunHistory, lb_run_history, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_DIRECTORY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Helpers */

/* Newest first; the id breaks ties so the order is stable. */
static int
compare_records (LbRunRecord *a,
                 LbRunRecord *b)
{
  int order = g_date_time_compare (lb_run_record_get_started (b), lb_run_record_get_started (a));

  if (order != 0)
    return order;

  return -g_strcmp0 (lb_run_record_get_id (a), lb_run_record_get_id (b));
}

static int
compare_records_indirect (gconstpointer a,
                          gconstpointer b)
{
  return compare_records (*(LbRunRecord * const *) a, *(LbRunRecord * const *) b);
}

static gboolean
find_id (LbRunHistory *self,
         const char   *id,
         guint        *position)
{
  g_assert (LB_IS_RUN_HISTORY (self));

  for (guint i = 0; i < self->records->len; i++)
    if (g_strcmp0 (lb_run_record_get_id (g_ptr_array_index (self->records, i)), id) == 0)
      {
        *position = i;
        return TRUE;
      }

  return FALSE;
}

static GFile *
get_record_file (LbRunHistory *self,
                 LbRunRecord  *record)
{
  g_autofree char *name = g_strconcat (lb_run_record_get_id (record), ".json", NULL);

  return g_file_get_child (self->directory, name);
}

/* Runs in a worker thread: reads every record file it can. */
static void
load_thread_cb (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GFile *directory = task_data;
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GFileEnumerator) enumerator = NULL;
  g_autoptr(GError) error = NULL;

  enumerator = g_file_enumerate_children (directory, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                          G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                          G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, cancellable, &error);
  if (enumerator == NULL)
    {
      /* No runs yet is not an error. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_task_return_pointer (task, g_steal_pointer (&records), (GDestroyNotify) g_ptr_array_unref);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  while (TRUE)
    {
      GFileInfo *info;
      GFile *child;
      g_autofree char *contents = NULL;
      g_autoptr(JsonParser) parser = NULL;
      g_autoptr(GError) file_error = NULL;
      g_autoptr(LbRunRecord) record = NULL;
      g_autofree char *expected = NULL;
      gsize length;

      if (!g_file_enumerator_iterate (enumerator, &info, &child, cancellable, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      if (info == NULL)
        break;

      if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR
          || !g_str_has_suffix (g_file_info_get_name (info), ".json"))
        continue;

      parser = json_parser_new ();
      if (!g_file_load_contents (child, cancellable, &contents, &length, NULL, &file_error)
          || !json_parser_load_from_data (parser, contents, (gssize) length, &file_error)
          || (record = lb_run_record_new_from_json (json_parser_get_root (parser), &file_error)) == NULL)
        {
          if (g_error_matches (file_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_task_return_error (task, g_steal_pointer (&file_error));
              return;
            }
          g_message ("Skipping the run “%s”: %s", g_file_info_get_name (info), file_error->message);
          continue;
        }

      /* remove() deletes <id>.json: a file under another name would come back. */
      expected = g_strconcat (lb_run_record_get_id (record), ".json", NULL);
      if (g_strcmp0 (expected, g_file_info_get_name (info)) != 0)
        {
          g_message ("Skipping the run “%s”: its id is “%s”",
                     g_file_info_get_name (info), lb_run_record_get_id (record));
          continue;
        }

      g_ptr_array_add (records, g_steal_pointer (&record));
    }

  g_task_return_pointer (task, g_steal_pointer (&records), (GDestroyNotify) g_ptr_array_unref);
}

/* Back in the caller's context: the model only changes there. */
static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  LbRunHistory *self = LB_RUN_HISTORY (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GPtrArray) merged = NULL;
  g_autoptr(GHashTable) ids = NULL;
  GError *error = NULL;
  guint removed;

  loaded = g_task_propagate_pointer (G_TASK (result), &error);
  if (loaded == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* Runs added while loading stay; the file's copy of one wins otherwise. */
  ids = g_hash_table_new (g_str_hash, g_str_equal);
  merged = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < loaded->len; i++)
    {
      LbRunRecord *record = g_ptr_array_index (loaded, i);

      if (g_hash_table_add (ids, (gpointer) lb_run_record_get_id (record)))
        g_ptr_array_add (merged, g_object_ref (record));
    }
  for (guint i = 0; i < self->records->len; i++)
    {
      LbRunRecord *record = g_ptr_array_index (self->records, i);

      if (g_hash_table_add (ids, (gpointer) lb_run_record_get_id (record)))
        g_ptr_array_add (merged, g_object_ref (record));
    }
  g_ptr_array_sort (merged, compare_records_indirect);

  removed = self->records->len;
  g_ptr_array_unref (self->records);
  self->records = g_steal_pointer (&merged);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, self->records->len);

  g_task_return_boolean (task, TRUE);
}

/* GListModel */

static GType
lb_run_history_get_item_type (GListModel *model)
{
  return LB_TYPE_RUN_RECORD;
}

static guint
lb_run_history_get_n_items (GListModel *model)
{
  return LB_RUN_HISTORY (model)->records->len;
}

static gpointer
lb_run_history_get_item (GListModel *model,
                         guint       position)
{
  LbRunHistory *self = LB_RUN_HISTORY (model);

  if (position >= self->records->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->records, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = lb_run_history_get_item_type;
  iface->get_n_items = lb_run_history_get_n_items;
  iface->get_item = lb_run_history_get_item;
}

/* GObject */

static void
lb_run_history_constructed (GObject *object)
{
  LbRunHistory *self = LB_RUN_HISTORY (object);

  G_OBJECT_CLASS (lb_run_history_parent_class)->constructed (object);

  if (self->directory == NULL)
    {
      g_autofree char *path = g_build_filename (g_get_user_data_dir (), "lakebase-accelerator",
                                                "runs", NULL);

      self->directory = g_file_new_for_path (path);
    }
}

static void
lb_run_history_finalize (GObject *object)
{
  LbRunHistory *self = LB_RUN_HISTORY (object);

  g_clear_object (&self->directory);
  g_clear_pointer (&self->records, g_ptr_array_unref);

  G_OBJECT_CLASS (lb_run_history_parent_class)->finalize (object);
}

static void
lb_run_history_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LbRunHistory *self = LB_RUN_HISTORY (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      g_value_set_object (value, lb_run_history_get_directory (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_run_history_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  LbRunHistory *self = LB_RUN_HISTORY (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      self->directory = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_run_history_class_init (LbRunHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = lb_run_history_constructed;
  object_class->finalize = lb_run_history_finalize;
  object_class->get_property = lb_run_history_get_property;
  object_class->set_property = lb_run_history_set_property;

  properties[PROP_DIRECTORY] =
    g_param_spec_object ("directory", NULL, NULL,
                         G_TYPE_FILE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lb_run_history_init (LbRunHistory *self)
{
  self->records = g_ptr_array_new_with_free_func (g_object_unref);
}

/* Public API */

LbRunHistory *
lb_run_history_new (GFile *directory)
{
  g_return_val_if_fail (directory == NULL || G_IS_FILE (directory), NULL);

  return g_object_new (LB_TYPE_RUN_HISTORY, "directory", directory, NULL);
}

GFile *
lb_run_history_get_directory (LbRunHistory *self)
{
  g_return_val_if_fail (LB_IS_RUN_HISTORY (self), NULL);

  return self->directory;
}

void
lb_run_history_load_async (LbRunHistory        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) thread_task = NULL;

  g_return_if_fail (LB_IS_RUN_HISTORY (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lb_run_history_load_async);

  /* The thread only reads files; loaded_cb updates the model. */
  thread_task = g_task_new (self, cancellable, loaded_cb, g_steal_pointer (&task));
  g_task_set_source_tag (thread_task, load_thread_cb);
  g_task_set_task_data (thread_task, g_object_ref (self->directory), g_object_unref);
  g_task_run_in_thread (thread_task, load_thread_cb);
}

gboolean
lb_run_history_load_finish (LbRunHistory  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (LB_IS_RUN_HISTORY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
lb_run_history_add (LbRunHistory  *self,
                    LbRunRecord   *record,
                    GError       **error)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *json = NULL;
  guint position;

  g_return_val_if_fail (LB_IS_RUN_HISTORY (self), FALSE);
  g_return_val_if_fail (LB_IS_RUN_RECORD (record), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  directory = g_file_get_path (self->directory);
  if (g_mkdir_with_parents (directory, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the run history folder “%s”: %s"),
                   directory, g_strerror (saved_errno));
      return FALSE;
    }

  /* Written to a temporary file and renamed: a crash never leaves half a run. */
  file = get_record_file (self, record);
  path = g_file_get_path (file);
  json = lb_run_record_to_json_string (record);
  if (!g_file_set_contents_full (path, json, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return FALSE;

  if (find_id (self, lb_run_record_get_id (record), &position))
    {
      g_ptr_array_remove_index (self->records, position);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
    }

  for (position = 0; position < self->records->len; position++)
    if (compare_records (record, g_ptr_array_index (self->records, position)) < 0)
      break;
  g_ptr_array_insert (self->records, (int) position, g_object_ref (record));
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);

  return TRUE;
}

gboolean
lb_run_history_remove (LbRunHistory  *self,
                       LbRunRecord   *record,
                       GError       **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) local_error = NULL;
  guint position;

  g_return_val_if_fail (LB_IS_RUN_HISTORY (self), FALSE);
  g_return_val_if_fail (LB_IS_RUN_RECORD (record), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  file = get_record_file (self, record);
  if (!g_file_delete (file, NULL, &local_error)
      && !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (find_id (self, lb_run_record_get_id (record), &position))
    {
      g_ptr_array_remove_index (self->records, position);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
    }

  return TRUE;
}
