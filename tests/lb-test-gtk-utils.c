/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "lb-application.h"
#include "lb-compat.h"
#include "lb-test-gtk-utils.h"
#include "lb-tester-window.h"

/* The answers queued for the next file choosers, and what the last one asked. */
static GQueue  chooser_answers = G_QUEUE_INIT;
static char   *last_chooser_title;
static char   *last_chooser_name;

/* A stand-in for "no file": the queue cannot hold NULL. */
static GFile  *dismissed_marker;

static GFile *
answer_chooser (LbFileChooseMode  mode,
                const char       *title,
                GFile            *initial_folder,
                const char       *initial_name,
                gpointer          user_data)
{
  GFile *answer;

  g_free (last_chooser_title);
  last_chooser_title = g_strdup (title);
  g_free (last_chooser_name);
  last_chooser_name = g_strdup (initial_name);

  if (g_queue_is_empty (&chooser_answers))
    g_error ("a file chooser \"%s\" opened, and the test queued no answer", title);

  answer = g_queue_pop_head (&chooser_answers);
  if (answer == dismissed_marker)
    return NULL;
  return answer;   /* the seam takes this reference */
}

void
lb_test_queue_chooser_answer (GFile *file)
{
  if (dismissed_marker == NULL)
    dismissed_marker = g_file_new_for_path ("/dev/null/dismissed");

  g_queue_push_tail (&chooser_answers, file != NULL ? g_object_ref (file) : dismissed_marker);
}

static gboolean
choosers_answered (gpointer data)
{
  return g_queue_is_empty (&chooser_answers);
}

void
lb_test_wait_for_choosers (void)
{
  lb_test_spin_until_func (choosers_answered, NULL, 10);
  /* The answer reaches the action's callback from an idle. */
  lb_test_spin_briefly ();
}

const char *
lb_test_last_chooser_title (void)
{
  return last_chooser_title;
}

const char *
lb_test_last_chooser_name (void)
{
  return last_chooser_name;
}

/* gtk_test_init() plus what the application would set up: libadwaita, the
 * UI types, and style.css (AdwApplication loads it only for the app; a
 * window created without one needs it too). */
void
lb_test_gtk_init (int    *argc,
                  char ***argv)
{
  g_autoptr(GtkCssProvider) css = NULL;

  gtk_test_init (argc, argv, NULL);
  adw_init ();
  lb_ui_init ();

  lb_compat_set_file_chooser_responder (answer_chooser, NULL);

  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, APP_RESOURCE_PATH "/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

/* Resets every key of the application's settings to its default: each test
 * starts from the same state whatever the one before it changed. */
void
lb_test_reset_settings (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
}

/* Shows @window at @width × @height and waits until it has been drawn, so
 * that a test starts on a mapped, allocated window. */
void
lb_test_present_window (GtkWindow *window,
                        int        width,
                        int        height)
{
  gtk_window_set_default_size (window, width, height);
  gtk_window_present (window);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
}

/* Whether a mapped label below @widget (or @widget itself) reads exactly
 * @text: what the user can see, not what is merely built. */
gboolean
lb_test_find_label (GtkWidget  *widget,
                    const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (lb_test_find_label (child, text))
      return TRUE;

  return FALSE;
}

GtkWidget *
lb_test_find_label_containing (gpointer    widget,
                               const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      strstr (gtk_label_get_label (GTK_LABEL (widget)), text) != NULL)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = lb_test_find_label_containing (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  gpointer    widget;
  const char *text;
} LabelWait;

static gboolean
label_is_shown (gpointer data)
{
  LabelWait *wait = data;

  return lb_test_find_label_containing (wait->widget, wait->text) != NULL;
}

GtkWidget *
lb_test_wait_for_label_containing (gpointer    widget,
                                   const char *text,
                                   guint       seconds)
{
  LabelWait wait = { widget, text };

  g_test_message ("waiting for “%s”", text);
  lb_test_spin_until_func (label_is_shown, &wait, seconds);
  return lb_test_find_label_containing (widget, text);
}

/* The first widget of @type in @widget's tree, depth first, or NULL: for
 * reaching a page or row the public API does not hand out. */
GtkWidget *
lb_test_find_widget_of_type (GtkWidget *widget,
                             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = lb_test_find_widget_of_type (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* Renders @widget to a render node. A widget paintable has no image between
 * an invalidation and the next frame (a spinner, a chart that just got a
 * sample, a toast sliding in): try a few frames, then snapshot the widget
 * directly. */
static GskRenderNode *
render_widget (GtkWidget *widget,
               int        width,
               int        height)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) direct = NULL;
  GskRenderNode *node = NULL;

  for (guint attempt = 0; node == NULL && attempt < 50; attempt++)
    {
      g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();

      gtk_test_widget_wait_for_draw (widget);
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }
  if (node != NULL)
    return node;

  direct = gtk_snapshot_new ();
  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, direct);
  return gtk_snapshot_free_to_node (g_steal_pointer (&direct));
}

/* Saves @widget as G_TEST_BUILDDIR/screenshots/@name.png for a human to
 * look at, and fails if the image is blank or a single colour: nothing was
 * drawn. */
void
lb_test_save_screenshot (GtkWidget  *widget,
                         const char *name)
{
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ?: ".", "screenshots", NULL);
  g_autofree char *path = NULL;
  g_autofree guchar *pixels = NULL;
  GskRenderer *renderer;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  gsize stride;
  guint distinct = 0;
  guint32 first = 0;

  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  node = render_widget (widget, width, height);
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));

  g_mkdir_with_parents (dir, 0755);
  path = g_strdup_printf ("%s/%s.png", dir, name);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);

  stride = (gsize) width * 4;
  pixels = g_malloc (stride * height);
  gdk_texture_download (texture, pixels, stride);
  for (int y = 0; y < height && distinct < 16; y += 7)
    for (int x = 0; x < width && distinct < 16; x += 7)
      {
        guint32 pixel = *(guint32 *) (pixels + y * stride + x * 4);

        if (x == 0 && y == 0)
          first = pixel;
        else if (pixel != first)
          distinct++;
      }
  g_assert_cmpuint (distinct, >=, 16);
}

LbApplication *
lb_test_new_application (void)
{
  static guint n_apps;
  LbApplication *app = lb_application_new ();
  g_autofree char *app_id = g_strdup_printf ("%s.Test%u", APP_ID, ++n_apps);
  g_autoptr(GError) error = NULL;

  /* An id of its own: one that a test let go may still be exported. */
  g_application_set_application_id (G_APPLICATION (app), app_id);
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  return app;
}

char *
lb_test_isolate_workspace_env (const char *dir_template)
{
  g_autofree char *home = g_dir_make_tmp (dir_template, NULL);
  char *config_path;

  g_assert_nonnull (home);
  config_path = g_build_filename (home, "databrickscfg", NULL);
  g_setenv ("HOME", home, TRUE);
  g_setenv ("DATABRICKS_CONFIG_FILE", config_path, TRUE);
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_unsetenv ("DATABRICKS_HOST");
  g_unsetenv ("DATABRICKS_TOKEN");
  g_unsetenv ("DATABRICKS_CONFIG_PROFILE");
  return config_path;
}

struct _LbTestTokenSource
{
  GObject      parent_instance;
  LbPgSandbox *sandbox;
  char        *token;
  guint        lifetime_s;
  guint        n_asked;
};

static void lb_test_token_source_iface_init (LbCredentialSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LbTestTokenSource, lb_test_token_source, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LB_TYPE_CREDENTIAL_SOURCE, lb_test_token_source_iface_init))

static void
token_source_dup_async (LbCredentialSource  *source,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  LbTestTokenSource *self = LB_TEST_TOKEN_SOURCE (source);
  g_autoptr(GTask) task = g_task_new (source, cancellable, callback, user_data);

  self->n_asked++;
  g_task_return_pointer (task, g_strdup_printf ("%s password=%s", lb_pg_sandbox_get_conninfo (self->sandbox),
                                                self->token), g_free);
}

static char *
token_source_dup_finish (LbCredentialSource  *source,
                         GAsyncResult        *result,
                         GDateTime          **expires_at,
                         GError             **error)
{
  LbTestTokenSource *self = LB_TEST_TOKEN_SOURCE (source);

  if (expires_at != NULL)
    {
      *expires_at = NULL;
      if (self->lifetime_s > 0)
        {
          g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

          *expires_at = g_date_time_add_seconds (now, self->lifetime_s);
        }
    }

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
lb_test_token_source_iface_init (LbCredentialSourceInterface *iface)
{
  iface->dup_conninfo_async = token_source_dup_async;
  iface->dup_conninfo_finish = token_source_dup_finish;
}

static void
lb_test_token_source_finalize (GObject *object)
{
  LbTestTokenSource *self = LB_TEST_TOKEN_SOURCE (object);

  g_clear_object (&self->sandbox);
  g_free (self->token);

  G_OBJECT_CLASS (lb_test_token_source_parent_class)->finalize (object);
}

static void
lb_test_token_source_class_init (LbTestTokenSourceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lb_test_token_source_finalize;
}

static void
lb_test_token_source_init (LbTestTokenSource *self)
{
}

LbTestTokenSource *
lb_test_token_source_new (LbPgSandbox *sandbox,
                          const char  *token,
                          guint        lifetime_s)
{
  LbTestTokenSource *self = g_object_new (LB_TEST_TYPE_TOKEN_SOURCE, NULL);

  self->sandbox = g_object_ref (sandbox);
  self->token = g_strdup (token);
  self->lifetime_s = lifetime_s;
  return self;
}

guint
lb_test_token_source_get_n_asked (LbTestTokenSource *self)
{
  return self->n_asked;
}

void
lb_test_tester_load_done_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  gboolean *done = user_data;

  g_assert_true (lb_tester_window_load_file_finish (LB_TESTER_WINDOW (object), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}
