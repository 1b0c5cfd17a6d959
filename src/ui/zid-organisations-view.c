/* zid-organisations-view.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "zid-inactive-window.h"
#include "zid-organisations-view.h"
#include "zid-ui-util.h"
#include "zid-work.h"

struct _ZidOrganisationsView
{
  GtkBox        parent_instance;

  /* template */
  GtkListBox   *list;

  /* owned */
  ZidBackend   *portal;
  GCancellable *cancellable;
  GPtrArray    *organisations;  /* ZidOrganisation */
  gint64        actor;
  ZidWatch     *watch;
  gulong        watch_handler;
};

G_DEFINE_FINAL_TYPE (ZidOrganisationsView, zid_organisations_view, GTK_TYPE_BOX)

typedef struct
{
  GPtrArray *organisations;
  GArray    *may_view_inactive;  /* gboolean per organisation */
} Orgs;

static void
orgs_free (gpointer p)
{
  Orgs *o = p;

  g_clear_pointer (&o->organisations, g_ptr_array_unref);
  g_clear_pointer (&o->may_view_inactive, g_array_unref);
  g_free (o);
}

static gpointer
load_worker (ZidBackend  *portal,
             gpointer     data,
             GError     **error)
{
  gint64 actor = *(gint64 *) data;
  Orgs *o = g_new0 (Orgs, 1);

  o->organisations = zid_backend_list_organisations (portal, actor, error);
  if (o->organisations == NULL)
    {
      orgs_free (o);
      return NULL;
    }
  o->may_view_inactive = g_array_new (FALSE, FALSE, sizeof (gboolean));
  for (guint i = 0; i < o->organisations->len; i++)
    {
      ZidOrganisation *org = g_ptr_array_index (o->organisations, i);
      gboolean may = zid_backend_check_action (portal, actor, ZID_ACTION_VIEW_INACTIVE, 0, org->id, NULL);

      g_array_append_val (o->may_view_inactive, may);
    }
  return o;
}

static void
load_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  Orgs *o = zid_work_finish (result, &error);
  ZidOrganisationsView *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ZID_ORGANISATIONS_VIEW (source);
  zid_ui_clear_list_box (self->list);
  if (o == NULL)
    {
      GtkWidget *row = zid_ui_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), error->message);
      gtk_list_box_append (self->list, row);
      return;
    }
  g_clear_pointer (&self->organisations, g_ptr_array_unref);
  self->organisations = g_ptr_array_ref (o->organisations);
  for (guint i = 0; i < o->organisations->len; i++)
    {
      ZidOrganisation *org = g_ptr_array_index (o->organisations, i);
      GtkWidget *row = zid_ui_action_row_new ();
      g_autofree char *sub = g_strdup_printf (_("URA %s · AGB %s · Your role: %s"),
                                              org->ura, org->agb && *org->agb ? org->agb : "–",
                                              zid_ui_role_label (org->role));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), org->name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), sub);
      if (g_array_index (o->may_view_inactive, gboolean, i))
        {
          GtkWidget *button = gtk_button_new_with_label (_("Inactive Users"));
          g_autofree char *acc = g_strdup_printf (_("Inactive users of %s"), org->name);

          gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
          gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "organisations.inactive");
          gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "x", org->id);
          gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, acc, -1);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
        }
      gtk_list_box_append (self->list, row);
    }
  orgs_free (o);
}

static void
unwatch (ZidOrganisationsView *self)
{
  if (self->watch != NULL)
    g_clear_signal_handler (&self->watch_handler, self->watch);
  g_clear_object (&self->watch);
}

/* An organisation changed, or the actor's roles: the list (a handful of
 * rows) is read again */
static void
on_watch_changed (ZidWatch             *watch,
                  GArray               *users,
                  GArray               *organisations,
                  ZidOrganisationsView *self)
{
  gboolean mine = organisations->len > 0;

  for (guint i = 0; !mine && i < users->len; i++)
    mine = g_array_index (users, gint64, i) == self->actor;
  if (mine && self->portal != NULL && self->actor != 0)
    zid_organisations_view_load (self, self->portal, self->actor);
}

void
zid_organisations_view_load (ZidOrganisationsView *self,
                             ZidBackend           *portal,
                             gint64                actor)
{
  gint64 *id;

  g_return_if_fail (ZID_IS_ORGANISATIONS_VIEW (self));
  g_set_object (&self->portal, portal);
  self->actor = actor;
  if (self->watch == NULL || zid_watch_get_portal (self->watch) != portal)
    {
      unwatch (self);
      self->watch = zid_watch_get (portal);
      self->watch_handler = g_signal_connect (self->watch, "changed", G_CALLBACK (on_watch_changed), self);
    }
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  id = g_new (gint64, 1);
  *id = actor;
  zid_work_run (self, portal, load_worker, id, g_free, orgs_free, self->cancellable, load_done, NULL);
}

void
zid_organisations_view_clear (ZidOrganisationsView *self)
{
  g_return_if_fail (ZID_IS_ORGANISATIONS_VIEW (self));
  g_cancellable_cancel (self->cancellable);
  unwatch (self);
  zid_ui_clear_list_box (self->list);
  g_clear_pointer (&self->organisations, g_ptr_array_unref);
}

static void
inactive_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  ZidOrganisationsView *self = ZID_ORGANISATIONS_VIEW (widget);
  gint64 id = g_variant_get_int64 (param);
  const char *name = "";
  ZidInactiveWindow *window;

  for (guint i = 0; self->organisations != NULL && i < self->organisations->len; i++)
    {
      ZidOrganisation *org = g_ptr_array_index (self->organisations, i);

      if (org->id == id)
        name = org->name;
    }
  window = zid_inactive_window_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                    self->portal, self->actor, id, name);
  gtk_window_present (GTK_WINDOW (window));
}

static void
zid_organisations_view_dispose (GObject *object)
{
  ZidOrganisationsView *self = ZID_ORGANISATIONS_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  unwatch (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), ZID_TYPE_ORGANISATIONS_VIEW);
  G_OBJECT_CLASS (zid_organisations_view_parent_class)->dispose (object);
}

static void
zid_organisations_view_finalize (GObject *object)
{
  ZidOrganisationsView *self = ZID_ORGANISATIONS_VIEW (object);

  g_clear_object (&self->portal);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->organisations, g_ptr_array_unref);
  G_OBJECT_CLASS (zid_organisations_view_parent_class)->finalize (object);
}

static void
zid_organisations_view_class_init (ZidOrganisationsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = zid_organisations_view_dispose;
  object_class->finalize = zid_organisations_view_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/nl/zorgid/Portaal/ui/zid-organisations-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ZidOrganisationsView, list);
  gtk_widget_class_install_action (widget_class, "organisations.inactive", "x", inactive_action);
}

static void
zid_organisations_view_init (ZidOrganisationsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}
