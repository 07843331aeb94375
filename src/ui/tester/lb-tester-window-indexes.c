/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The tester window's index advice, apply and compare: after an explain the
 * LbIndexAdvisor reads the plans; tester.apply-indexes asks for
 * confirmation, then (with a run before, if there is none yet) creates the
 * ticked indexes with an LbIndexApplier, explains again, runs the script
 * again with the same settings and shows the two runs compared and the
 * plans before and after. tester.undo-indexes drops what was created;
 * tester.cancel-indexes stops whatever step is under way. */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-compat.h"
#include "lb-index-applier.h"
#include "lb-tester-window-private.h"

#define PROGRESS_INTERVAL_MS 200

typedef enum
{
  STAGE_IDLE,
  STAGE_RUN_BEFORE,
  STAGE_APPLY,
  STAGE_EXPLAIN_AFTER,
  STAGE_RUN_AFTER,
  STAGE_UNDO,
} Stage;

struct _LbTesterIndexes
{
  char             *conninfo;        /* the explain's target: a secret may be in it */
  GPtrArray        *plans_before;    /* LbQueryPlans: the explain's */
  GCancellable     *advise_cancellable;
  LbIndexApplier   *applier;         /* kept for Undo */
  GCancellable     *cancellable;     /* of the stage under way */
  Stage             stage;
  GPtrArray        *chosen;          /* LbIndexAdvice, borrowed from advice */
  GPtrArray        *advice;
  GStrv             queries;         /* the names of the queries the chosen advice serves */
  LbRunRecord      *before;
  LbRunSettings    *settings;        /* of the run before: the run after's */
  GPtrArray        *plans_after;
  LbPlanExplainer  *explainer;
  guint             progress_id;
  AdwMessageDialog *dialog;          /* the confirmation, while open */
  AdwToast         *toast;
};

static void advise (LbTesterWindow *self,
                    GPtrArray      *plans);

static LbTesterIndexes *
indexes (LbTesterWindow *self)
{
  if (self->indexes == NULL)
    self->indexes = g_new0 (LbTesterIndexes, 1);
  return self->indexes;
}

void
lb_tester_window_indexes_free (LbTesterWindow *self)
{
  LbTesterIndexes *ix = self->indexes;

  if (ix == NULL)
    return;
  lb_tester_window_cancel_indexes (self);
  g_clear_handle_id (&ix->progress_id, g_source_remove);
  g_clear_pointer (&ix->conninfo, g_free);
  g_clear_pointer (&ix->plans_before, g_ptr_array_unref);
  g_clear_object (&ix->advise_cancellable);
  g_clear_object (&ix->applier);
  g_clear_object (&ix->cancellable);
  g_clear_pointer (&ix->chosen, g_ptr_array_unref);
  g_clear_pointer (&ix->advice, g_ptr_array_unref);
  g_clear_pointer (&ix->queries, g_strfreev);
  g_clear_object (&ix->before);
  g_clear_pointer (&ix->settings, lb_run_settings_free);
  g_clear_pointer (&ix->plans_after, g_ptr_array_unref);
  g_clear_object (&ix->explainer);
  if (ix->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (ix->dialog));
  g_clear_object (&ix->toast);
  g_clear_pointer (&self->indexes, g_free);
}

gboolean
lb_tester_window_get_applying_indexes (LbTesterWindow *self)
{
  return self->indexes != NULL && self->indexes->stage != STAGE_IDLE;
}

void
lb_tester_window_update_index_actions (LbTesterWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  LbTesterIndexes *ix = self->indexes;
  gboolean idle = ix == NULL || ix->stage == STAGE_IDLE;
  gboolean created = ix != NULL && ix->applier != NULL && lb_index_applier_get_created (ix->applier)[0] != NULL;

  g_assert (LB_IS_TESTER_WINDOW (self));

  gtk_widget_action_set_enabled (widget, "tester.apply-indexes",
                                 idle && ix != NULL && ix->conninfo != NULL && !self->explaining && !self->busy
                                 && !lb_test_run_get_running (self->run)
                                 && lb_index_advice_view_get_n_checked (self->advice_view) > 0);
  gtk_widget_action_set_enabled (widget, "tester.undo-indexes",
                                 idle && created && !lb_test_run_get_running (self->run));
  gtk_widget_action_set_enabled (widget, "tester.cancel-indexes", !idle);
}

/* Advice ------------------------------------------------------------------- */

static void
advised_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(LbTesterWindow) self = user_data;
  LbIndexAdvisor *advisor = LB_INDEX_ADVISOR (object);
  g_autoptr(GPtrArray) advice = NULL;
  g_autoptr(GError) error = NULL;

  advice = lb_index_advisor_advise_finish (advisor, result, &error);
  if (gtk_widget_in_destruction (GTK_WIDGET (self)) || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (advice == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("No index advice: %s"), error->message);

      lb_index_advice_view_set_error (self->advice_view, message);
    }
  else
    lb_index_advice_view_set_advice (self->advice_view, advice, lb_index_advisor_get_hypopg_message (advisor));
  lb_tester_window_update_actions (self);
}

static void
advise (LbTesterWindow *self,
        GPtrArray      *plans)
{
  LbTesterIndexes *ix = indexes (self);
  g_autoptr(LbIndexAdvisor) advisor = lb_index_advisor_new (ix->conninfo);

  g_cancellable_cancel (ix->advise_cancellable);
  g_clear_object (&ix->advise_cancellable);
  ix->advise_cancellable = g_cancellable_new ();
  for (guint i = 0; i < plans->len; i++)
    lb_index_advisor_add_plans (advisor, g_ptr_array_index (plans, i));
  lb_index_advice_view_set_loading (self->advice_view, TRUE);
  lb_index_advisor_advise_async (advisor, ix->advise_cancellable, advised_cb, g_object_ref (self));
}

void
lb_tester_window_indexes_explained (LbTesterWindow *self,
                                    const char     *conninfo,
                                    GPtrArray      *plans)
{
  LbTesterIndexes *ix = indexes (self);

  g_return_if_fail (LB_IS_TESTER_WINDOW (self));

  if (ix->stage != STAGE_IDLE)
    return;
  g_free (ix->conninfo);
  ix->conninfo = g_strdup (conninfo);
  g_clear_pointer (&ix->plans_before, g_ptr_array_unref);
  ix->plans_before = g_ptr_array_ref (plans);
  advise (self, plans);
  lb_tester_window_update_actions (self);
}

void
lb_tester_window_clear_advice (LbTesterWindow *self)
{
  LbTesterIndexes *ix = self->indexes;

  if (ix != NULL && ix->stage == STAGE_IDLE)
    {
      g_cancellable_cancel (ix->advise_cancellable);
      g_clear_pointer (&ix->plans_before, g_ptr_array_unref);
      g_clear_pointer (&ix->conninfo, g_free);
    }
  if (ix == NULL || ix->stage == STAGE_IDLE)
    lb_index_advice_view_set_advice (self->advice_view, NULL, NULL);
}

/* The steps ---------------------------------------------------------------- */

/* Closing the window cancels the work on the server; the application
 * waits for its clean-up (a cancelled build's index dropped) before it
 * quits. Held when a step that changes the server starts, released in its
 * callback whatever became of the window. */
static void
hold (gboolean held)
{
  GApplication *app = g_application_get_default ();

  if (app == NULL)
    return;
  if (held)
    g_application_hold (app);
  else
    g_application_release (app);
}

static void
stage_ended (LbTesterWindow *self)
{
  LbTesterIndexes *ix = indexes (self);

  ix->stage = STAGE_IDLE;
  g_clear_handle_id (&ix->progress_id, g_source_remove);
  g_clear_object (&ix->cancellable);
  g_clear_object (&ix->explainer);
  lb_index_advice_view_clear_progress (self->advice_view);
  lb_index_advice_view_set_created (self->advice_view,
                                    ix->applier != NULL ? lb_index_applier_get_created (ix->applier) : NULL);
  lb_tester_window_update_actions (self);
}

static void
show_toast (LbTesterWindow *self,
            AdwToast       *toast)
{
  LbTesterIndexes *ix = indexes (self);

  if (ix->toast != NULL)
    adw_toast_dismiss (ix->toast);
  g_set_object (&ix->toast, toast);
  adw_toast_overlay_add_toast (self->toast_overlay, g_object_ref (toast));
}

static void
show_created_toast (LbTesterWindow *self,
                    const char     *message)
{
  g_autoptr(AdwToast) toast = adw_toast_new (message);

  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "tester.undo-indexes");
  adw_toast_set_timeout (toast, 10);
  /* Before the "Run finished" toast the re-run left in the queue. */
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  show_toast (self, toast);
}

static gboolean
run_progress_cb (gpointer user_data)
{
  LbTesterWindow *self = user_data;
  LbTesterIndexes *ix = indexes (self);
  const char *title = ix->stage == STAGE_RUN_BEFORE ? _("Running the script before the change")
                                                    : _("Running the script again with the same settings");
  double progress = lb_test_run_get_progress (self->run);
  g_autofree char *detail = NULL;

  if (lb_test_run_get_state (self->run) == LB_TEST_RUN_STATE_MEASURING)
    detail = g_strdup_printf (_("%.1f s measured; the Results page shows the run live"),
                              MAX (lb_test_run_get_elapsed (self->run), 0));
  else
    detail = g_strdup (_("Connecting and warming up"));
  lb_index_advice_view_set_progress (self->advice_view, title, detail, progress > 0 ? progress : -1);
  return G_SOURCE_CONTINUE;
}

static gboolean
explain_progress_cb (gpointer user_data)
{
  LbTesterWindow *self = user_data;
  LbTesterIndexes *ix = indexes (self);
  guint query = 0, n = 0;
  g_autofree char *detail = NULL;

  if (ix->explainer != NULL)
    lb_plan_explainer_get_progress (ix->explainer, &query, &n);
  if (n > 0)
    detail = g_strdup_printf (_("Query %u of %u"), MIN (query + 1, n), n);
  lb_index_advice_view_set_progress (self->advice_view, _("Explaining the queries with the indexes in place"),
                                     detail, n > 0 ? (double) query / n : -1);
  return G_SOURCE_CONTINUE;
}

static void
start_progress (LbTesterWindow *self,
                GSourceFunc     func)
{
  LbTesterIndexes *ix = indexes (self);

  g_clear_handle_id (&ix->progress_id, g_source_remove);
  func (self);
  ix->progress_id = g_timeout_add (PROGRESS_INTERVAL_MS, func, self);
}

static void
finish_compare (LbTesterWindow *self,
                LbRunRecord    *after)
{
  LbTesterIndexes *ix = indexes (self);
  guint n = g_strv_length ((char **) lb_index_applier_get_created (ix->applier));
  g_autofree char *message = NULL;

  stage_ended (self);
  lb_tester_window_compare_runs (self, after, ix->before);
  lb_plan_compare_view_set_plans (self->plan_compare_view, ix->plans_before, ix->plans_after,
                                  (const char * const *) ix->queries);
  adw_view_stack_page_set_visible (self->plan_compare_page, TRUE);
  adw_view_stack_page_set_needs_attention (self->plan_compare_page, TRUE);
  adw_view_stack_set_visible_child_name (self->view_stack, "results");

  /* The plans page shows the server as it is now. */
  g_clear_pointer (&ix->plans_before, g_ptr_array_unref);
  ix->plans_before = g_ptr_array_ref (ix->plans_after);
  lb_query_plans_view_set_plans (self->plans_view, ix->plans_after);
  advise (self, ix->plans_after);

  if (n > 0)
    {
      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u index created", "%u indexes created", n), n);
      show_created_toast (self, message);
    }
  else
    lb_tester_window_add_toast (self, _("The indexes were there already: nothing was created"));
}

static void
run_after_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(LbTesterWindow) self = user_data;
  g_autoptr(LbRunRecord) record = NULL;
  g_autoptr(GError) error = NULL;

  record = lb_tester_window_run_finish (self, result, &error);
  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;
  if (record == NULL || lb_run_record_get_result (record)->cancelled)
    {
      /* The window said why; the indexes stay until Undo. */
      stage_ended (self);
      show_created_toast (self, _("The run after was not made: the indexes stay until Undo"));
      return;
    }
  finish_compare (self, record);
}

static void
explained_after_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(LbTesterWindow) self = user_data;
  LbTesterIndexes *ix;
  g_autoptr(GPtrArray) plans = NULL;
  g_autoptr(GError) error = NULL;

  plans = lb_plan_explainer_explain_finish (LB_PLAN_EXPLAINER (object), result, &error);
  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;
  ix = indexes (self);
  if (plans == NULL)
    {
      stage_ended (self);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        lb_compat_show_error (GTK_WINDOW (self), _("Could Not Explain the Queries Again"), error->message);
      show_created_toast (self, _("Stopped after the indexes were created: they stay until Undo"));
      return;
    }
  g_clear_pointer (&ix->plans_after, g_ptr_array_unref);
  ix->plans_after = g_steal_pointer (&plans);
  g_clear_object (&ix->explainer);

  ix->stage = STAGE_RUN_AFTER;
  start_progress (self, run_progress_cb);
  lb_tester_window_run_async (self, ix->settings, run_after_cb, g_object_ref (self));
}

static void
explain_after (LbTesterWindow *self)
{
  LbTesterIndexes *ix = indexes (self);

  ix->stage = STAGE_EXPLAIN_AFTER;
  ix->explainer = lb_plan_explainer_new (ix->conninfo, lb_test_run_get_script (self->run));
  lb_plan_explainer_set_analyze (ix->explainer, lb_query_plans_view_get_analyze (self->plans_view));
  lb_plan_explainer_set_seed (ix->explainer, ix->settings->seed);
  start_progress (self, explain_progress_cb);
  lb_plan_explainer_explain_async (ix->explainer, ix->cancellable, explained_after_cb, g_object_ref (self));
}

static void
applier_progress_cb (LbTesterWindow *self,
                     LbIndexApplier *applier)
{
  guint current = lb_index_applier_get_current (applier);
  g_autofree char *title = NULL;

  if (indexes (self)->stage == STAGE_UNDO)
    title = current > 0 ? g_strdup_printf (_("Dropping index %u of %u: %s"), current,
                                           lb_index_applier_get_n_indexes (applier),
                                           lb_index_applier_get_current_name (applier))
                        : g_strdup (_("Dropping the indexes"));
  else if (current > 0)
    /* Translators: "Creating index 1 of 2: customer_c_email_address_idx" */
    title = g_strdup_printf (_("Creating index %u of %u: %s"), current, lb_index_applier_get_n_indexes (applier),
                             lb_index_applier_get_current_name (applier));
  else
    title = g_strdup (_("Creating the indexes"));
  lb_index_advice_view_set_progress (self->advice_view, title, lb_index_applier_get_phase (applier),
                                     lb_index_applier_get_fraction (applier));
}

static void
applied_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(LbTesterWindow) self = user_data;
  LbIndexApplier *applier = LB_INDEX_APPLIER (object);
  g_autoptr(GError) error = NULL;
  gboolean ok = lb_index_applier_apply_finish (applier, result, &error);
  guint created;

  hold (FALSE);
  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;
  created = g_strv_length ((char **) lb_index_applier_get_created (applier));
  if (!ok)
    {
      stage_ended (self);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          if (created > 0)
            show_created_toast (self, _("Cancelled: the indexes built before stay until Undo"));
          else
            lb_tester_window_add_toast (self, _("Cancelled: no index was left half-built"));
        }
      else
        lb_compat_show_error (GTK_WINDOW (self), _("Could Not Create the Indexes"), error->message);
      return;
    }
  for (guint i = 0; lb_index_applier_get_notes (applier)[i] != NULL; i++)
    lb_tester_window_add_toast (self, lb_index_applier_get_notes (applier)[i]);
  explain_after (self);
}

static void
apply_indexes (LbTesterWindow *self)
{
  LbTesterIndexes *ix = indexes (self);

  if (ix->applier == NULL || lb_index_applier_get_created (ix->applier)[0] == NULL)
    {
      g_clear_object (&ix->applier);
      ix->applier = lb_index_applier_new (ix->conninfo);
      g_signal_connect_object (ix->applier, "progress", G_CALLBACK (applier_progress_cb), self, G_CONNECT_SWAPPED);
    }
  lb_index_applier_clear_advice (ix->applier);
  for (guint i = 0; i < ix->chosen->len; i++)
    lb_index_applier_add_advice (ix->applier, g_ptr_array_index (ix->chosen, i));

  ix->stage = STAGE_APPLY;
  g_clear_handle_id (&ix->progress_id, g_source_remove);
  hold (TRUE);
  lb_index_advice_view_set_progress (self->advice_view, _("Creating the indexes"), _("Connecting"), 0);
  lb_index_applier_apply_async (ix->applier, ix->cancellable, applied_cb, g_object_ref (self));
}

static void
run_before_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(LbTesterWindow) self = user_data;
  g_autoptr(LbRunRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  LbTesterIndexes *ix;

  record = lb_tester_window_run_finish (self, result, &error);
  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;
  ix = indexes (self);
  if (record == NULL || lb_run_record_get_result (record)->cancelled ||
      g_cancellable_is_cancelled (ix->cancellable))
    {
      /* The window showed why; nothing was changed on the server. */
      stage_ended (self);
      lb_tester_window_add_toast (self, _("No run to compare with: the indexes were not created"));
      return;
    }
  g_set_object (&ix->before, record);
  g_clear_pointer (&ix->settings, lb_run_settings_free);
  ix->settings = lb_run_settings_copy (lb_run_record_get_settings (record));
  apply_indexes (self);
}

/* The run made last in this window, if it ran this script. */
static LbRunRecord *
last_run (LbTesterWindow *self)
{
  LbRunRecord *record = lb_test_run_get_record (self->run);
  LbSqlScript *script = lb_test_run_get_script (self->run);

  if (record == NULL || script == NULL || lb_run_record_get_result (record)->cancelled)
    return NULL;
  if (g_strcmp0 (lb_run_record_get_script_name (record), lb_sql_script_get_display_name (script)) != 0)
    return NULL;
  return record;
}

static void
start_flow (LbTesterWindow *self)
{
  LbTesterIndexes *ix = indexes (self);
  LbRunRecord *record = last_run (self);
  g_autoptr(GPtrArray) names = g_ptr_array_new_null_terminated (0, g_free, TRUE);

  g_clear_pointer (&ix->chosen, g_ptr_array_unref);
  ix->chosen = lb_index_advice_view_dup_checked (self->advice_view);
  g_clear_pointer (&ix->advice, g_ptr_array_unref);
  ix->advice = g_ptr_array_ref (lb_index_advice_view_get_advice (self->advice_view));
  for (guint i = 0; i < ix->chosen->len; i++)
    {
      LbIndexAdvice *a = g_ptr_array_index (ix->chosen, i);

      for (guint k = 0; a->queries != NULL && k < a->queries->len; k++)
        if (!g_ptr_array_find_with_equal_func (names, g_ptr_array_index (a->queries, k), g_str_equal, NULL))
          g_ptr_array_add (names, g_strdup (g_ptr_array_index (a->queries, k)));
    }
  g_clear_pointer (&ix->queries, g_strfreev);
  ix->queries = names->len > 0 ? (GStrv) g_ptr_array_steal (names, NULL) : NULL;
  g_clear_object (&ix->cancellable);
  ix->cancellable = g_cancellable_new ();
  g_clear_pointer (&ix->plans_after, g_ptr_array_unref);

  if (record == NULL)
    {
      ix->stage = STAGE_RUN_BEFORE;
      start_progress (self, run_progress_cb);
      lb_tester_window_run_async (self, NULL, run_before_cb, g_object_ref (self));
      lb_tester_window_update_actions (self);
      return;
    }
  g_set_object (&ix->before, record);
  g_clear_pointer (&ix->settings, lb_run_settings_free);
  ix->settings = lb_run_settings_copy (lb_run_record_get_settings (record));
  apply_indexes (self);
  lb_tester_window_update_actions (self);
}

static void
dialog_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    LbTesterWindow   *self)
{
  LbTesterIndexes *ix = indexes (self);

  ix->dialog = NULL;
  if (g_strcmp0 (response, "apply") != 0 || ix->stage != STAGE_IDLE)
    return;
  start_flow (self);
}

static char *
describe_settings (const LbRunSettings *settings)
{
  if (settings->mode == LB_RUN_MODE_DURATION)
    /* Translators: "4 clients for 10 s" */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u client for %.0f s", "%u clients for %.0f s",
                                         settings->clients), settings->clients, settings->duration);
  if (settings->mode == LB_RUN_MODE_COUNT)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u client", "%u clients", settings->clients),
                            settings->clients);
  return g_strdup (_("a concurrency ladder"));
}

static void
apply_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (widget);
  LbTesterIndexes *ix = indexes (self);
  g_autoptr(GPtrArray) chosen = lb_index_advice_view_dup_checked (self->advice_view);
  g_autoptr(GString) statements = g_string_new (NULL);
  LbRunRecord *record = last_run (self);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkWidget *label, *scroller;

  if (ix->stage != STAGE_IDLE || chosen->len == 0 || ix->conninfo == NULL || ix->dialog != NULL)
    return;

  for (guint i = 0; i < chosen->len; i++)
    g_string_append_printf (statements, "%s%s", i > 0 ? "\n" : "",
                            ((LbIndexAdvice *) g_ptr_array_index (chosen, i))->statement);
  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Create %u Index and Compare?",
                                          "Create %u Indexes and Compare?", chosen->len), chosen->len);
  if (record != NULL)
    {
      g_autofree char *settings = describe_settings (lb_run_record_get_settings (record));

      body = g_strdup_printf (_("The indexes are created concurrently on the target (reads and writes go on "
                                "meanwhile) and their tables analyzed. Then the queries are explained again and "
                                "the script runs again with the settings of the last run (%s), to compare the two "
                                "runs and the plans before and after. Undo drops the indexes that were created."),
                              settings);
    }
  else
    body = g_strdup (_("There is no run to compare with yet: first the script runs with the form’s settings. "
                       "Then the indexes are created concurrently on the target (reads and writes go on "
                       "meanwhile) and their tables analyzed, the queries are explained again and the script "
                       "runs again with the same settings, to compare the two runs and the plans before and "
                       "after. Undo drops the indexes that were created."));

  ix->dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));
  label = gtk_label_new (statements->str);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "monospace");
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 200);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), label);
  gtk_widget_add_css_class (scroller, "card");
  gtk_widget_set_margin_top (label, 8);
  gtk_widget_set_margin_bottom (label, 8);
  gtk_widget_set_margin_start (label, 10);
  gtk_widget_set_margin_end (label, 10);
  adw_message_dialog_set_extra_child (ix->dialog, scroller);
  adw_message_dialog_add_responses (ix->dialog, "cancel", _("_Cancel"), "apply", _("C_reate and Compare"), NULL);
  adw_message_dialog_set_response_appearance (ix->dialog, "apply", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ix->dialog, "apply");
  adw_message_dialog_set_close_response (ix->dialog, "cancel");
  gtk_window_set_default_size (GTK_WINDOW (ix->dialog), 560, -1);
  g_signal_connect_object (ix->dialog, "response", G_CALLBACK (dialog_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (ix->dialog));
}

/* Undo --------------------------------------------------------------------- */

static void
undone_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(LbTesterWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = lb_index_applier_undo_finish (LB_INDEX_APPLIER (object), result, &error);

  hold (FALSE);
  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;
  stage_ended (self);
  if (ok)
    {
      lb_tester_window_add_toast (self, _("Index changes undone"));
      /* The plans of the server as it is again. */
      if (self->indexes->plans_before != NULL && !self->explaining)
        gtk_widget_activate_action (GTK_WIDGET (self), "tester.explain", NULL);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    lb_tester_window_add_toast (self, _("Undo cancelled: some indexes are still there"));
  else
    lb_compat_show_error (GTK_WINDOW (self), _("Could Not Drop the Indexes"), error->message);
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (widget);
  LbTesterIndexes *ix = indexes (self);

  if (ix->stage != STAGE_IDLE || ix->applier == NULL || lb_index_applier_get_created (ix->applier)[0] == NULL)
    return;
  if (ix->toast != NULL)
    adw_toast_dismiss (ix->toast);
  ix->stage = STAGE_UNDO;
  g_clear_object (&ix->cancellable);
  ix->cancellable = g_cancellable_new ();
  hold (TRUE);
  lb_index_advice_view_set_progress (self->advice_view, _("Dropping the indexes"), _("Connecting"), 0);
  lb_index_applier_undo_async (ix->applier, ix->cancellable, undone_cb, g_object_ref (self));
  lb_tester_window_update_actions (self);
}

void
lb_tester_window_cancel_indexes (LbTesterWindow *self)
{
  LbTesterIndexes *ix = self->indexes;

  if (ix == NULL)
    return;
  g_cancellable_cancel (ix->advise_cancellable);
  if (ix->stage == STAGE_IDLE)
    return;
  g_cancellable_cancel (ix->cancellable);
  if (ix->stage == STAGE_RUN_BEFORE || ix->stage == STAGE_RUN_AFTER)
    lb_test_run_cancel (self->run);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  LbTesterWindow *self = LB_TESTER_WINDOW (widget);
  LbTesterIndexes *ix = indexes (self);

  if (ix->stage == STAGE_APPLY || ix->stage == STAGE_UNDO)
    lb_index_advice_view_set_progress (self->advice_view, lb_index_advice_view_get_progress_title (self->advice_view),
                                       _("Cancelling: the server stops and an incomplete index is dropped"), -1);
  lb_tester_window_cancel_indexes (self);
}

static void
advice_checked_cb (LbTesterWindow *self)
{
  lb_tester_window_update_actions (self);
}

void
lb_tester_window_init_indexes (LbTesterWindow *self)
{
  g_signal_connect_object (self->advice_view, "notify::n-checked", G_CALLBACK (advice_checked_cb), self,
                           G_CONNECT_SWAPPED);
}

void
lb_tester_window_class_add_index_actions (GtkWidgetClass *widget_class)
{
  g_type_ensure (LB_TYPE_INDEX_ADVICE_VIEW);
  g_type_ensure (LB_TYPE_PLAN_COMPARE_VIEW);
  gtk_widget_class_install_action (widget_class, "tester.apply-indexes", NULL, apply_action);
  gtk_widget_class_install_action (widget_class, "tester.undo-indexes", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "tester.cancel-indexes", NULL, cancel_action);
}

/* Test hooks (lb-tester-window-private.h) --------------------------------- */

LbIndexAdviceView *
lb_tester_window_get_advice_view (LbTesterWindow *self)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);

  return self->advice_view;
}

LbPlanCompareView *
lb_tester_window_get_plan_compare_view (LbTesterWindow *self)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);

  return self->plan_compare_view;
}

AdwMessageDialog *
lb_tester_window_get_index_dialog (LbTesterWindow *self)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);

  return self->indexes != NULL ? self->indexes->dialog : NULL;
}

LbIndexApplier *
lb_tester_window_get_index_applier (LbTesterWindow *self)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);

  return self->indexes != NULL ? self->indexes->applier : NULL;
}

AdwToast *
lb_tester_window_get_index_toast (LbTesterWindow *self)
{
  g_return_val_if_fail (LB_IS_TESTER_WINDOW (self), NULL);

  return self->indexes != NULL ? self->indexes->toast : NULL;
}
