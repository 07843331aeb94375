/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Deploy page's "Plan" group: one row per resource the plan creates (with
 * what it will be: capacity, autoscaling range, source table and key), the
 * pipeline storage, or why the workload cannot be deployed yet with a button
 * to edit the target. Shows state only; the page owns the plan. */
#include "config.h"

#include <glib/gi18n.h>

#include "lb-deploy-plan-group.h"

struct _LbDeployPlanGroup
{
  GtkWidget         parent_instance;

  /* Template Widgets */
  GtkWidget        *group;
  GtkListBox       *plan_list;

  /* Owned References */
  LbDeploymentPlan *plan;
  char             *problem;
  GStrv             branches;   /* the project's branch ids, or NULL: not known to exist */
  GtkWidget        *branch_chooser;  /* in the branch row (the list owns it), or NULL */
  GtkWidget        *branch_row;      /* the row that holds it, or NULL */
  gboolean          locked;          /* a deployment runs: no other branch now */
};

G_DEFINE_FINAL_TYPE (LbDeployPlanGroup, lb_deploy_plan_group, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PLAN,
  PROP_PROBLEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_BRANCH_CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GtkWidget *
plan_row_new (const char *icon,
              const char *title,
              const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *image = gtk_image_new_from_icon_name (icon);

  gtk_widget_set_valign (image, GTK_ALIGN_CENTER);
  if (g_str_equal (icon, "dialog-error-symbolic"))
    gtk_widget_add_css_class (image, "error");

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), image);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);

  return row;
}

static char *
format_cu (double cu)
{
  if (cu == (double) (gint64) cu)
    return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) cu);
  return g_strdup_printf ("%.1f", cu);
}

static char *
synced_table_subtitle (LbDeploymentResource *resource)
{
  JsonNode *body = lb_deployment_resource_get_body (resource);
  JsonObject *spec = NULL;
  g_autoptr(GString) keys = g_string_new (NULL);
  const char *policy = NULL;
  LbSyncMode mode;

  if (body != NULL && JSON_NODE_HOLDS_OBJECT (body))
    {
      JsonObject *object = json_node_get_object (body);

      spec = json_object_has_member (object, "spec") ? json_object_get_object_member (object, "spec") : object;
    }
  if (spec != NULL)
    {
      JsonArray *columns = json_object_has_member (spec, "primary_key_columns")
                           ? json_object_get_array_member (spec, "primary_key_columns") : NULL;

      for (guint i = 0; columns != NULL && i < json_array_get_length (columns); i++)
        g_string_append_printf (keys, "%s%s", i > 0 ? ", " : "", json_array_get_string_element (columns, i));
      policy = json_object_get_string_member_with_default (spec, "scheduling_policy", NULL);
    }
  if (policy != NULL && lb_sync_mode_from_string (policy, &mode))
    policy = lb_sync_mode_get_label (mode);

  /* Translators: a synced table in the plan: "from retail.serving.orders · key order_id · Continuous" */
  return g_strdup_printf (_("from %s · key %s · %s"),
                          lb_deployment_resource_get_source_table (resource),
                          keys->len > 0 ? keys->str : _("none"),
                          policy != NULL ? policy : _("default policy"));
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

/* Branch picker -------------------------------------------------------------- */

#define ENTRY_TOOLTIP N_("Branch that receives the synced tables; another one than production is made " \
                         "from it. Press Enter to apply.")

static void
branch_dropdown_selected_cb (GtkDropDown       *dropdown,
                             GParamSpec        *pspec,
                             LbDeployPlanGroup *self)
{
  GtkStringObject *item = gtk_drop_down_get_selected_item (dropdown);

  g_assert (LB_IS_DEPLOY_PLAN_GROUP (self));

  if (item != NULL && self->plan != NULL &&
      g_strcmp0 (gtk_string_object_get_string (item), lb_deployment_plan_get_branch (self->plan)) != 0)
    g_signal_emit (self, signals[SIGNAL_BRANCH_CHOSEN], 0, gtk_string_object_get_string (item));
}

static void
branch_entry_apply (LbDeployPlanGroup *self,
                    GtkEntry          *entry)
{
  g_autofree char *id = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
  g_autoptr(GError) error = NULL;

  g_assert (LB_IS_DEPLOY_PLAN_GROUP (self));

  /* A bad id stays in the entry, marked, with the reason: nothing changes. */
  if (!lb_deployment_plan_branch_id_is_valid (id, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (entry), error->message);
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (entry), _(ENTRY_TOOLTIP));
  if (self->plan == NULL || g_str_equal (id, lb_deployment_plan_get_branch (self->plan)))
    return;
  g_signal_emit (self, signals[SIGNAL_BRANCH_CHOSEN], 0, id);
}

static void
branch_entry_activate_cb (GtkEntry          *entry,
                          LbDeployPlanGroup *self)
{
  g_assert (LB_IS_DEPLOY_PLAN_GROUP (self));

  if (GTK_WIDGET (entry) == self->branch_chooser)
    branch_entry_apply (self, entry);
}

static void
branch_entry_leave_cb (GtkEventControllerFocus *focus,
                       LbDeployPlanGroup       *self)
{
  GtkWidget *entry = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (focus));

  g_assert (LB_IS_DEPLOY_PLAN_GROUP (self));

  /* Focus also leaves an entry the list is dropping: nothing to apply. */
  if (entry == NULL || entry != self->branch_chooser)
    return;
  branch_entry_apply (self, GTK_ENTRY (entry));
}

/* The project's branches when it exists (the chosen one added when it is
 * still to be made), else free entry: a new project has only production,
 * and another branch is made from it. */
static GtkWidget *
branch_chooser_new (LbDeployPlanGroup *self)
{
  const char *current = lb_deployment_plan_get_branch (self->plan);
  GtkWidget *widget;

  g_assert (LB_IS_DEPLOY_PLAN_GROUP (self));

  if (self->branches != NULL)
    {
      g_autoptr(GtkStringList) model = gtk_string_list_new ((const char * const *) self->branches);
      guint selected = 0;

      if (!g_strv_contains ((const char * const *) self->branches, current))
        gtk_string_list_append (model, current);
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (model)); i++)
        if (g_str_equal (gtk_string_list_get_string (model, i), current))
          selected = i;

      widget = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (model)), NULL);
      gtk_drop_down_set_selected (GTK_DROP_DOWN (widget), selected);
      gtk_widget_set_tooltip_text (widget, _("The project’s branch that receives the synced tables"));
      g_signal_connect_object (widget, "notify::selected", G_CALLBACK (branch_dropdown_selected_cb), self, 0);
    }
  else
    {
      GtkEventController *focus = gtk_event_controller_focus_new ();

      widget = gtk_entry_new ();
      gtk_editable_set_text (GTK_EDITABLE (widget), current);
      gtk_editable_set_width_chars (GTK_EDITABLE (widget), 14);
      gtk_entry_set_placeholder_text (GTK_ENTRY (widget), "production");
      gtk_widget_set_tooltip_text (widget, _(ENTRY_TOOLTIP));
      g_signal_connect_object (widget, "activate", G_CALLBACK (branch_entry_activate_cb), self, 0);
      g_signal_connect_object (focus, "leave", G_CALLBACK (branch_entry_leave_cb), self, 0);
      gtk_widget_add_controller (widget, focus);
    }

  gtk_widget_set_valign (widget, GTK_ALIGN_CENTER);
  gtk_widget_set_name (widget, "branch-chooser");
  gtk_widget_set_sensitive (widget, !self->locked);
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Branch"), -1);
  return widget;
}

static void
fill_plan_list (LbDeployPlanGroup *self)
{
  GListModel *resources;

  self->branch_chooser = NULL;
  self->branch_row = NULL;
  clear_list (self->plan_list);

  if (self->plan == NULL)
    {
      GtkWidget *row;
      GtkWidget *button;

      row = plan_row_new ("dialog-error-symbolic", _("This workload cannot be deployed yet"),
                          self->problem != NULL ? self->problem : _("No workload is open."));
      button = gtk_button_new_with_mnemonic (_("_Edit Deployment Target"));
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "deploy.edit-target");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      gtk_list_box_append (self->plan_list, row);
      return;
    }

  resources = lb_deployment_plan_get_resources (self->plan);
  for (guint i = 0; i < g_list_model_get_n_items (resources); i++)
    {
      g_autoptr(LbDeploymentResource) resource = g_list_model_get_item (resources, i);
      g_autofree char *subtitle = NULL;
      const char *icon = "network-server-symbolic";

      switch (lb_deployment_resource_get_kind (resource))
        {
        case LB_DEPLOYMENT_RESOURCE_INSTANCE:
          subtitle = g_strdup_printf (_("Provisioned · capacity %s (the Calculator recommends %u CU)"),
                                      lb_deployment_plan_get_capacity (self->plan),
                                      lb_deployment_plan_get_recommended_cu (self->plan));
          break;
        case LB_DEPLOYMENT_RESOURCE_PROJECT:
          {
            g_autofree char *min_cu = format_cu (lb_deployment_plan_get_min_cu (self->plan));
            g_autofree char *max_cu = format_cu (lb_deployment_plan_get_max_cu (self->plan));

            subtitle = g_strdup_printf (_("Autoscaling · %s – %s CU"), min_cu, max_cu);
          }
          break;
        case LB_DEPLOYMENT_RESOURCE_BRANCH:
        case LB_DEPLOYMENT_RESOURCE_ENDPOINT:
          icon = "emblem-shared-symbolic";
          if (lb_deployment_resource_get_create_path (resource) == NULL)
            subtitle = g_strdup (_("Created with the project; the deployment waits until it is ready"));
          else if (lb_deployment_resource_get_kind (resource) == LB_DEPLOYMENT_RESOURCE_BRANCH)
            subtitle = g_strdup (_("Made from production if it is missing; the catalog and the synced tables go on it"));
          else
            subtitle = g_strdup (_("Made on the branch if it is missing, with the project’s autoscaling range"));
          break;
        case LB_DEPLOYMENT_RESOURCE_CATALOG:
          icon = "folder-symbolic";
          subtitle = g_strdup_printf (_("Unity Catalog catalog on PostgreSQL database “%s”"),
                                      lb_deployment_plan_get_database_name (self->plan));
          break;
        case LB_DEPLOYMENT_RESOURCE_SYNCED_TABLE:
          icon = "view-list-symbolic";
          subtitle = synced_table_subtitle (resource);
          break;
        default:
          g_assert_not_reached ();
        }

      {
        GtkWidget *row = plan_row_new (icon, lb_deployment_resource_get_title (resource), subtitle);

        if (lb_deployment_resource_get_kind (resource) == LB_DEPLOYMENT_RESOURCE_BRANCH)
          {
            self->branch_chooser = branch_chooser_new (self);
            self->branch_row = row;
            adw_action_row_add_suffix (ADW_ACTION_ROW (row), self->branch_chooser);
          }
        gtk_list_box_append (self->plan_list, row);
      }
    }

  {
    g_autofree char *storage = g_strdup_printf (_("Pipelines keep their state in %s.%s"),
                                                lb_deployment_plan_get_storage_catalog (self->plan),
                                                lb_deployment_plan_get_storage_schema (self->plan));
    gtk_list_box_append (self->plan_list,
                         plan_row_new ("drive-harddisk-symbolic", _("Pipeline storage"), storage));
  }
}

static void
lb_deploy_plan_group_dispose (GObject *object)
{
  LbDeployPlanGroup *self = LB_DEPLOY_PLAN_GROUP (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_DEPLOY_PLAN_GROUP);
  self->branch_chooser = NULL;
  self->branch_row = NULL;
  g_clear_object (&self->plan);
  g_clear_pointer (&self->problem, g_free);
  g_clear_pointer (&self->branches, g_strfreev);

  G_OBJECT_CLASS (lb_deploy_plan_group_parent_class)->dispose (object);
}

static void
lb_deploy_plan_group_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  LbDeployPlanGroup *self = LB_DEPLOY_PLAN_GROUP (object);

  switch (prop_id)
    {
    case PROP_PLAN:
      g_value_set_object (value, self->plan);
      break;
    case PROP_PROBLEM:
      g_value_set_string (value, self->problem);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lb_deploy_plan_group_class_init (LbDeployPlanGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_deploy_plan_group_dispose;
  object_class->get_property = lb_deploy_plan_group_get_property;

  properties[PROP_PLAN] =
    g_param_spec_object ("plan", NULL, NULL,
                         LB_TYPE_DEPLOYMENT_PLAN,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROBLEM] =
    g_param_spec_string ("problem", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The user picked or typed another branch (a valid id). */
  signals[SIGNAL_BRANCH_CHOSEN] =
    g_signal_new ("branch-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, APP_RESOURCE_PATH "/ui/lb-deploy-plan-group.ui");
  gtk_widget_class_bind_template_child (widget_class, LbDeployPlanGroup, group);
  gtk_widget_class_bind_template_child (widget_class, LbDeployPlanGroup, plan_list);
}

static void
lb_deploy_plan_group_init (LbDeployPlanGroup *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  fill_plan_list (self);
}

void
lb_deploy_plan_group_set_plan (LbDeployPlanGroup *self,
                               LbDeploymentPlan  *plan,
                               const char        *problem)
{
  g_return_if_fail (LB_IS_DEPLOY_PLAN_GROUP (self));
  g_return_if_fail (plan == NULL || LB_IS_DEPLOYMENT_PLAN (plan));

  /* The same plan may come again with other values: always refill. */
  g_set_object (&self->plan, plan);
  if (g_strcmp0 (self->problem, problem) != 0)
    {
      g_free (self->problem);
      self->problem = g_strdup (problem);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
    }
  fill_plan_list (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAN]);
}

LbDeploymentPlan *
lb_deploy_plan_group_get_plan (LbDeployPlanGroup *self)
{
  g_return_val_if_fail (LB_IS_DEPLOY_PLAN_GROUP (self), NULL);

  return self->plan;
}

void
lb_deploy_plan_group_set_branches (LbDeployPlanGroup  *self,
                                   const char * const *branches)
{
  g_return_if_fail (LB_IS_DEPLOY_PLAN_GROUP (self));

  if (branches == NULL && self->branches == NULL)
    return;
  if (branches != NULL && self->branches != NULL &&
      g_strv_equal ((const char * const *) self->branches, branches))
    return;

  g_strfreev (self->branches);
  self->branches = g_strdupv ((char **) branches);

  /* Only the picker changes: the rest of the list (and the page's scroll
   * position) stays as it is. */
  if (self->branch_row != NULL)
    {
      GtkWidget *old = self->branch_chooser;

      self->branch_chooser = NULL;
      adw_action_row_remove (ADW_ACTION_ROW (self->branch_row), old);
      self->branch_chooser = branch_chooser_new (self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (self->branch_row), self->branch_chooser);
    }
}

void
lb_deploy_plan_group_set_locked (LbDeployPlanGroup *self,
                                 gboolean           locked)
{
  g_return_if_fail (LB_IS_DEPLOY_PLAN_GROUP (self));

  self->locked = !!locked;
  if (self->branch_chooser != NULL)
    gtk_widget_set_sensitive (self->branch_chooser, !self->locked);
}

GtkWidget *
lb_deploy_plan_group_get_branch_chooser (LbDeployPlanGroup *self)
{
  g_return_val_if_fail (LB_IS_DEPLOY_PLAN_GROUP (self), NULL);

  return self->branch_chooser;
}
