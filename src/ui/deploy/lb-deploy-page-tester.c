/* SPDX-License-Identifier: GPL-3.0-or-later */
/* "Test This Instance": opens a tester window on the deployed instance and
 * keeps it supplied with a fresh database credential while it lives. Part of
 * LbDeployPage (lb-deploy-page-private.h). */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "lb-deploy-page-private.h"
#include "lb-tester-window.h"

/* Database credentials last about an hour: fetch a new one this long before. */
#define CREDENTIAL_MARGIN_S    (10 * 60)
#define CREDENTIAL_MIN_WAIT_S  30

/* A tester window opened on the deployed instance, kept supplied with a
 * fresh credential while it lives. */
typedef struct
{
  LbDeployPage       *page;       /* unowned: the page frees its links */
  GtkWidget          *window;     /* unowned: "destroy" drops the link */
  LbDeploymentRunner *runner;
  GCancellable       *cancellable;
  guint               refresh_source;
  gulong              destroy_id;
} TesterLink;

static void fetch_credential (TesterLink *link);

static gboolean
refresh_credential_cb (gpointer user_data)
{
  TesterLink *link = user_data;

  link->refresh_source = 0;
  fetch_credential (link);

  return G_SOURCE_REMOVE;
}

static void
credential_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  TesterLink *link = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) expires_at = NULL;
  char *conninfo;
  gint64 wait_s = 50 * 60;

  conninfo = lb_deployment_runner_dup_connection_info_finish (LB_DEPLOYMENT_RUNNER (object), result,
                                                              &expires_at, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (conninfo == NULL)
    {
      g_autofree char *explained = lb_workspace_group_explain_error (link->page->workspace_group, error);
      g_autofree char *message = g_strdup_printf (_("No database credential for the tester: %s"), explained);

      _lb_deploy_page_add_toast (link->page, message);
      wait_s = 60;
    }
  else
    {
      lb_tester_window_set_target_conninfo (LB_TESTER_WINDOW (link->window), conninfo);
      /* The conninfo holds the credential: leave no copy behind. */
      memset (conninfo, 0, strlen (conninfo));
      g_free (conninfo);
      if (!gtk_widget_get_visible (link->window))
        gtk_window_present (GTK_WINDOW (link->window));

      if (expires_at != NULL)
        {
          g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

          wait_s = g_date_time_difference (expires_at, now) / G_USEC_PER_SEC - CREDENTIAL_MARGIN_S;
        }
    }

  link->refresh_source = g_timeout_add_seconds ((guint) MAX (wait_s, CREDENTIAL_MIN_WAIT_S),
                                                refresh_credential_cb, link);
}

static void
fetch_credential (TesterLink *link)
{
  lb_deployment_runner_dup_connection_info_async (link->runner, link->cancellable, credential_cb, link);
}

static void
tester_destroyed_cb (GtkWidget  *window,
                     TesterLink *link)
{
  g_ptr_array_remove (link->page->testers, link);
}

void
_lb_deploy_page_tester_link_free (gpointer data)
{
  TesterLink *link = data;

  g_cancellable_cancel (link->cancellable);
  g_clear_object (&link->cancellable);
  g_clear_handle_id (&link->refresh_source, g_source_remove);
  g_clear_signal_handler (&link->destroy_id, link->window);
  g_clear_object (&link->runner);
  g_free (link);
}

void
_lb_deploy_page_test_instance_action (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *parameter)
{
  LbDeployPage *self = LB_DEPLOY_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkApplication *app = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root)) : NULL;
  TesterLink *link;

  if (!_lb_deploy_page_instance_is_ready (self))
    return;

  link = g_new0 (TesterLink, 1);
  link->page = self;
  link->window = GTK_WIDGET (lb_tester_window_new (app));
  link->runner = g_object_ref (self->runner);
  link->cancellable = g_cancellable_new ();
  link->destroy_id = g_signal_connect (link->window, "destroy", G_CALLBACK (tester_destroyed_cb), link);
  g_ptr_array_add (self->testers, link);

  /* The window shows once it has a credential to connect with. */
  fetch_credential (link);
}
