/* zid-users-view.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "zid-ui-util.h"
#include "zid-user-list.h"
#include "zid-user-row.h"
#include "zid-users-view.h"
#include "zid-work.h"

struct _ZidUsersView
{
  GtkBox               parent_instance;

  /* template */
  GtkSearchEntry      *search_entry;
  GtkLabel            *count_label;
  GtkColumnView       *column_view;
  GtkStack            *stack;

  /* owned */
  ZidPortal           *portal;
  GCancellable        *cancellable;
  ZidUserList         *list;
  gint64               actor;
};

G_DEFINE_FINAL_TYPE (ZidUsersView, zid_users_view, GTK_TYPE_BOX)

enum
{
  COL_NAME,
  COL_BIRTH_DATE,
  COL_ORGANISATIONS,
  COL_STATUS,
  COL_MOBILE_ID,
  COL_LAST_USE,
  COL_MANAGE,
};

void
zid_users_view_prepare_user (ZidUser *user)
{
  zid_user_list_prepare_user (user);
}

static void
update_count (ZidUsersView *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->list));
  guint total = zid_user_list_get_n_total (self->list);
  g_autofree char *text = NULL;

  if (n == total)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u user", "%u users", n), n);
  else
    /* Translators: "3 of 120 users" */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u user", "%u of %u users", total), n, total);
  gtk_label_set_text (self->count_label, text);
}

void
zid_users_view_set_search (ZidUsersView *self,
                           const char   *text)
{
  g_return_if_fail (ZID_IS_USERS_VIEW (self));
  zid_user_list_set_query (self->list, text);
  /* items-changed only comes when the number of matches changes */
  update_count (self);
}

static void
on_search_changed (ZidUsersView *self)
{
  zid_users_view_set_search (self, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

gboolean
zid_users_view_is_filtering (ZidUsersView *self)
{
  /* The filter is synchronous: a few milliseconds at 100,000 users */
  return FALSE;
}

/* ---- Columns ---------------------------------------------------------- */

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  column)
{
  if (GPOINTER_TO_INT (column) == COL_MANAGE)
    {
      GtkWidget *button = gtk_button_new_with_label (_("Manage"));

      gtk_widget_set_halign (button, GTK_ALIGN_START);
      gtk_list_item_set_child (item, button);
    }
  else
    {
      GtkWidget *label = gtk_label_new (NULL);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_list_item_set_child (item, label);
    }
}

static void
update_cell (GtkListItem *item)
{
  ZidUser *user = zid_user_row_get_user (gtk_list_item_get_item (item));
  GtkWidget *child = gtk_list_item_get_child (item);
  g_autofree char *owned = NULL;
  const char *text = NULL;

  if (user == NULL)
    return;
  switch (GPOINTER_TO_INT (g_object_get_data (G_OBJECT (item), "zid-column")))
    {
    case COL_NAME:
      text = zid_user_get_display_name (user);
      break;
    case COL_BIRTH_DATE:
      text = zid_user_get_birth_date (user);
      break;
    case COL_ORGANISATIONS:
      text = owned = zid_ui_format_memberships (user);
      break;
    case COL_STATUS:
      text = zid_user_get_blocked (user) ? _("blocked") : _("active");
      break;
    case COL_MOBILE_ID:
      text = zid_ui_mobile_id_label (zid_user_get_mobile_id (user));
      break;
    case COL_LAST_USE:
      text = owned = zid_ui_format_time (zid_user_get_last_use (user));
      break;
    case COL_MANAGE:
      {
        g_autofree char *name = g_strdup_printf (_("Manage %s"), zid_user_get_display_name (user));

        /* target first: the action takes an int64 */
        gtk_actionable_set_action_target (GTK_ACTIONABLE (child), "x", zid_user_get_id (user));
        gtk_actionable_set_action_name (GTK_ACTIONABLE (child), "win.manage-user");
        gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
        return;
      }
    default:
      g_assert_not_reached ();
    }
  gtk_label_set_text (GTK_LABEL (child), text ? text : "");
}

/* A row keeps its object while the search changes its user: follow it */
static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  column)
{
  GObject *row = gtk_list_item_get_item (item);
  gulong handler;

  g_object_set_data (G_OBJECT (item), "zid-column", column);
  handler = g_signal_connect_swapped (row, "notify::user", G_CALLBACK (update_cell), item);
  g_object_set_data (G_OBJECT (item), "zid-handler", GSIZE_TO_POINTER (handler));
  update_cell (item);
}

static void
unbind_cell (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  column)
{
  gulong handler = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (item), "zid-handler"));

  if (handler != 0)
    g_signal_handler_disconnect (gtk_list_item_get_item (item), handler);
  g_object_set_data (G_OBJECT (item), "zid-handler", NULL);
}

static void
add_column (ZidUsersView *self,
            const char   *title,
            int           column,
            gboolean      expand)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) col = NULL;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GINT_TO_POINTER (column));
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell), GINT_TO_POINTER (column));
  col = gtk_column_view_column_new (title, g_object_ref (factory));
  gtk_column_view_column_set_expand (col, expand);
  gtk_column_view_column_set_resizable (col, TRUE);
  gtk_column_view_append_column (self->column_view, col);
}

/* ---- Loading ---------------------------------------------------------- */

static gpointer
list_worker (ZidPortal *portal,
             gpointer   data,
             GError   **error)
{
  gint64 actor = *(gint64 *) data;
  GPtrArray *users = zid_portal_list_users (portal, actor, 0, NULL, error);

  for (guint i = 0; users != NULL && i < users->len; i++)
    zid_users_view_prepare_user (g_ptr_array_index (users, i));
  return users;
}

void
zid_users_view_set_users (ZidUsersView *self,
                          GPtrArray    *users)
{
  g_return_if_fail (ZID_IS_USERS_VIEW (self));
  zid_user_list_set_users (self->list, users);
  update_count (self);
  gtk_stack_set_visible_child_name (self->stack, "list");
}

static void
list_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) users = zid_work_finish (result, &error);
  ZidUsersView *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ZID_USERS_VIEW (source);
  if (users == NULL)
    {
      gtk_label_set_text (self->count_label, error->message);
      return;
    }
  zid_users_view_set_users (self, users);
}

void
zid_users_view_reload (ZidUsersView *self)
{
  gint64 *actor;

  g_return_if_fail (ZID_IS_USERS_VIEW (self));
  if (self->portal == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  actor = g_new (gint64, 1);
  *actor = self->actor;
  zid_work_run (self, self->portal, list_worker, actor, g_free, (GDestroyNotify) g_ptr_array_unref,
                self->cancellable, list_done, NULL);
}

void
zid_users_view_load (ZidUsersView *self,
                     ZidPortal    *portal,
                     gint64        actor)
{
  g_return_if_fail (ZID_IS_USERS_VIEW (self));
  g_set_object (&self->portal, portal);
  self->actor = actor;
  if (zid_user_list_get_n_total (self->list) == 0)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  zid_users_view_reload (self);
}

void
zid_users_view_clear (ZidUsersView *self)
{
  g_return_if_fail (ZID_IS_USERS_VIEW (self));
  g_cancellable_cancel (self->cancellable);
  zid_user_list_remove_all (self->list);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  self->actor = 0;
}

void
zid_users_view_focus_search (ZidUsersView *self)
{
  g_return_if_fail (ZID_IS_USERS_VIEW (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

GListModel *
zid_users_view_get_model (ZidUsersView *self)
{
  g_return_val_if_fail (ZID_IS_USERS_VIEW (self), NULL);
  return G_LIST_MODEL (self->list);
}

static void
zid_users_view_dispose (GObject *object)
{
  ZidUsersView *self = ZID_USERS_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), ZID_TYPE_USERS_VIEW);
  G_OBJECT_CLASS (zid_users_view_parent_class)->dispose (object);
}

static void
zid_users_view_finalize (GObject *object)
{
  ZidUsersView *self = ZID_USERS_VIEW (object);

  g_clear_object (&self->portal);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->list);
  G_OBJECT_CLASS (zid_users_view_parent_class)->finalize (object);
}

static void
zid_users_view_class_init (ZidUsersViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = zid_users_view_dispose;
  object_class->finalize = zid_users_view_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/nl/zorgid/Portaal/ui/zid-users-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ZidUsersView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ZidUsersView, count_label);
  gtk_widget_class_bind_template_child (widget_class, ZidUsersView, column_view);
  gtk_widget_class_bind_template_child (widget_class, ZidUsersView, stack);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
}

static void
zid_users_view_init (ZidUsersView *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();

  self->list = zid_user_list_new ();
  g_signal_connect_swapped (self->list, "items-changed", G_CALLBACK (update_count), self);
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->list)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));

  add_column (self, _("Name"), COL_NAME, TRUE);
  add_column (self, _("Birth date"), COL_BIRTH_DATE, FALSE);
  add_column (self, _("Organisations and roles"), COL_ORGANISATIONS, TRUE);
  add_column (self, _("Status"), COL_STATUS, FALSE);
  add_column (self, _("Mobile ID"), COL_MOBILE_ID, FALSE);
  add_column (self, _("Last use"), COL_LAST_USE, FALSE);
  add_column (self, "", COL_MANAGE, FALSE);
}
