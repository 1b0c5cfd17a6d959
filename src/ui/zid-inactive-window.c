/* zid-inactive-window.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "zid-csv.h"
#include "zid-inactive-window.h"
#include "zid-search.h"
#include "zid-ui-util.h"
#include "zid-user-update.h"
#include "zid-work.h"

struct _ZidInactiveWindow
{
  AdwWindow        parent_instance;

  /* template */
  AdwToastOverlay *toasts;
  AdwWindowTitle  *title;
  GtkColumnView   *column_view;
  GtkLabel        *count_label;
  GtkSearchEntry  *search_entry;
  GtkStack        *stack;

  /* owned */
  ZidBackend      *portal;
  GCancellable    *cancellable;
  GListStore      *store;
  GtkFilterListModel *filtered;    /* of the store, by the search */
  ZidSearchQuery  *query;          /* NULL: everyone */
  char            *organisation_name;
  gint64           actor;
  gint64           organisation;
  ZidWatch        *watch;
};

G_DEFINE_FINAL_TYPE (ZidInactiveWindow, zid_inactive_window, ADW_TYPE_WINDOW)

enum { COL_NAME, COL_BIRTH_DATE, COL_LAST_USE, COL_REGISTERED };

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  column)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_list_item_set_child (item, label);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  column)
{
  ZidUser *user = gtk_list_item_get_item (item);
  g_autofree char *owned = NULL;
  const char *text = NULL;

  switch (GPOINTER_TO_INT (column))
    {
    case COL_NAME: text = zid_user_get_display_name (user); break;
    case COL_BIRTH_DATE: text = owned = zid_ui_format_date (zid_user_get_birth_date (user)); break;
    case COL_LAST_USE: text = owned = zid_ui_format_time (zid_user_get_last_use (user)); break;
    case COL_REGISTERED: text = owned = zid_ui_format_time (zid_user_get_registered (user)); break;
    default: g_assert_not_reached ();
    }
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text ? text : "");
}

static void
add_column (ZidInactiveWindow *self,
            const char        *title,
            int                column)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) col = NULL;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GINT_TO_POINTER (column));
  col = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (col, column == COL_NAME);
  gtk_column_view_append_column (self->column_view, col);
}

typedef struct
{
  gint64 actor;
  gint64 organisation;
} Ids;

static gpointer
load_worker (ZidBackend  *portal,
             gpointer     data,
             GError     **error)
{
  Ids *ids = data;

  return zid_backend_list_inactive (portal, ids->actor, ids->organisation, error);
}

/* The count, and a status page instead of an empty list */
static void
update_count (ZidInactiveWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  g_autofree char *text = NULL;

  if (shown == n)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u inactive user", "%u inactive users", n), n);
  else
    /* Translators: "3 of 12 inactive users" */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u inactive user",
                                         "%u of %u inactive users", n), shown, n);
  gtk_label_set_text (self->count_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->count_label), n > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->search_entry), n > 0);
  gtk_stack_set_visible_child_name (self->stack, n == 0 ? "empty" : shown == 0 ? "no-matches" : "list");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inactive.export", n > 0);
}

static gboolean
matches_search (gpointer item,
                gpointer user_data)
{
  ZidInactiveWindow *self = user_data;
  ZidUser *user = item;
  g_autofree char *keys = NULL;

  if (self->query == NULL)
    return TRUE;
  keys = zid_search_member_keys (zid_user_get_first_name (user), zid_user_get_last_name (user),
                                 zid_user_get_birth_date (user));
  return zid_search_query_matches (self->query, keys);
}

static void
on_search_changed (ZidInactiveWindow *self)
{
  GtkFilter *filter = gtk_filter_list_model_get_filter (self->filtered);

  g_clear_pointer (&self->query, zid_search_query_free);
  self->query = zid_search_query_new (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  gtk_filter_changed (filter, GTK_FILTER_CHANGE_DIFFERENT);
  update_count (self);
}

/* Enter or a double click: the user's page in the main window, where the
 * user can be blocked */
static void
on_row_activated (ZidInactiveWindow *self,
                  guint              position)
{
  g_autoptr(ZidUser) user = g_list_model_get_item (G_LIST_MODEL (self->filtered), position);
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  if (user == NULL || parent == NULL)
    return;
  gtk_widget_activate_action (GTK_WIDGET (parent), "win.manage-user", "x", zid_user_get_id (user));
  gtk_window_close (GTK_WINDOW (self));
}

static void
load_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) users = zid_work_finish (result, &error);
  ZidInactiveWindow *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ZID_INACTIVE_WINDOW (source);
  if (users == NULL)
    {
      gtk_label_set_text (self->count_label, error->message);
      return;
    }
  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       users->pdata, users->len);
  update_count (self);
}

/* ---- Staying current: the users the watch names, each read again ---- */

static int
compare_users (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  return zid_user_compare ((ZidUser *) a, (ZidUser *) b);
}

static gboolean
same_id (gconstpointer item,
         gconstpointer id)
{
  return zid_user_get_id ((ZidUser *) item) == *(const gint64 *) id;
}

static void
update_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  ZidUserUpdate *u = zid_user_update_finish (result, &error);
  ZidInactiveWindow *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ZID_INACTIVE_WINDOW (source);
  if (u == NULL)
    {
      gtk_label_set_text (self->count_label, error->message);
      return;
    }
  /* in place where the user stays, else out of the list or into it */
  for (guint i = 0; i < u->ids->len; i++)
    {
      gint64 id = g_array_index (u->ids, gint64, i);
      ZidUser *now = zid_user_update_find (u, id);
      guint position;

      if (g_list_store_find_with_equal_func (self->store, &id, same_id, &position))
        {
          g_autoptr(ZidUser) was = g_list_model_get_item (G_LIST_MODEL (self->store), position);

          if (now != NULL && zid_user_compare (was, now) == 0)
            {
              g_list_store_splice (self->store, position, 1, (gpointer *) &now, 1);
              continue;
            }
          g_list_store_remove (self->store, position);
        }
      if (now != NULL)
        g_list_store_insert_sorted (self->store, now, compare_users, NULL);
    }
  zid_user_update_free (u);
  update_count (self);
}

static void
on_watch_changed (ZidWatch          *watch,
                  GArray            *users,
                  GArray            *organisations,
                  ZidInactiveWindow *self)
{
  if (users->len > 0)
    zid_user_update_run (self, self->portal, self->actor, self->organisation, users,
                         zid_backend_get_inactive_user, self->cancellable, update_done);
}

/* What the list shows (the search included), through the product's CSV
 * writer */
char *
zid_inactive_window_to_csv (ZidInactiveWindow *self)
{
  g_autoptr(ZidCsv) csv = zid_csv_new (ZID_CSV_SEMICOLON);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));

  zid_csv_add_row (csv, "first_name", "last_name", "birth_date", "last_use", "registered", "organisation", NULL);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ZidUser) user = g_list_model_get_item (G_LIST_MODEL (self->filtered), i);

      zid_csv_add (csv, zid_user_get_first_name (user));
      zid_csv_add (csv, zid_user_get_last_name (user));
      zid_csv_add (csv, zid_user_get_birth_date (user));
      zid_csv_add_time (csv, zid_user_get_last_use (user));
      zid_csv_add_time (csv, zid_user_get_registered (user));
      zid_csv_add (csv, self->organisation_name);
      zid_csv_end_row (csv);
    }
  return zid_csv_free_to_string (g_steal_pointer (&csv), NULL);
}

static void
save_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ZidInactiveWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      g_autofree char *msg = g_strdup_printf (_("Could not export: %s"), error->message);
      adw_toast_overlay_add_toast (self->toasts, adw_toast_new (msg));
    }
  else
    adw_toast_overlay_add_toast (self->toasts, adw_toast_new (_("Exported")));
}

static void
on_export_response (GtkNativeDialog   *dialog,
                    int                response,
                    ZidInactiveWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      char *csv = zid_inactive_window_to_csv (self);
      g_autoptr(GBytes) bytes = g_bytes_new_take (csv, strlen (csv));

      g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_NONE,
                                           self->cancellable, save_done, g_object_ref (self));
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  ZidInactiveWindow *self = ZID_INACTIVE_WINDOW (widget);
  GtkFileChooserNative *dialog;
  g_autofree char *name = g_strdup_printf (_("inactive users %s.csv"), self->organisation_name);

  /* GTK 4.8 has no GtkFileDialog (4.10) */
  dialog = gtk_file_chooser_native_new (_("Export as CSV"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
close_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  gtk_window_close (GTK_WINDOW (widget));
}

static void
zid_inactive_window_dispose (GObject *object)
{
  ZidInactiveWindow *self = ZID_INACTIVE_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->watch != NULL)
    g_signal_handlers_disconnect_by_data (self->watch, self);
  g_clear_object (&self->watch);
  gtk_widget_dispose_template (GTK_WIDGET (self), ZID_TYPE_INACTIVE_WINDOW);
  G_OBJECT_CLASS (zid_inactive_window_parent_class)->dispose (object);
}

static void
zid_inactive_window_finalize (GObject *object)
{
  ZidInactiveWindow *self = ZID_INACTIVE_WINDOW (object);

  g_clear_object (&self->portal);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->filtered);
  g_clear_object (&self->store);
  g_clear_pointer (&self->query, zid_search_query_free);
  g_free (self->organisation_name);
  G_OBJECT_CLASS (zid_inactive_window_parent_class)->finalize (object);
}

static void
zid_inactive_window_class_init (ZidInactiveWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = zid_inactive_window_dispose;
  object_class->finalize = zid_inactive_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/nl/zorgid/Portaal/ui/zid-inactive-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ZidInactiveWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, ZidInactiveWindow, title);
  gtk_widget_class_bind_template_child (widget_class, ZidInactiveWindow, column_view);
  gtk_widget_class_bind_template_child (widget_class, ZidInactiveWindow, count_label);
  gtk_widget_class_bind_template_child (widget_class, ZidInactiveWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ZidInactiveWindow, stack);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_install_action (widget_class, "inactive.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "inactive.close", NULL, close_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "inactive.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "inactive.export", NULL);
}

static void
zid_inactive_window_init (ZidInactiveWindow *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->store = g_list_store_new (ZID_TYPE_USER);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->store)),
                                              GTK_FILTER (gtk_custom_filter_new (matches_search, self, NULL)));
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->filtered)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
  add_column (self, _("Name"), COL_NAME);
  add_column (self, _("Birth date"), COL_BIRTH_DATE);
  add_column (self, _("Last use"), COL_LAST_USE);
  add_column (self, _("Registered"), COL_REGISTERED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inactive.export", FALSE);
}

ZidInactiveWindow *
zid_inactive_window_new (GtkWindow  *parent,
                         ZidBackend *portal,
                         gint64      actor,
                         gint64      organisation,
                         const char *organisation_name)
{
  ZidInactiveWindow *self;
  Ids *ids;

  /* the application's shortcuts (Ctrl+Q) work here too */
  self = g_object_new (ZID_TYPE_INACTIVE_WINDOW,
                       "application", parent ? gtk_window_get_application (parent) : NULL,
                       "transient-for", parent,
                       "modal", TRUE,
                       NULL);
  self->portal = g_object_ref (portal);
  self->actor = actor;
  self->organisation = organisation;
  self->organisation_name = g_strdup (organisation_name);
  adw_window_title_set_subtitle (self->title, organisation_name);
  /* watching before reading: a change is in what is read, or named after */
  self->watch = zid_watch_get (portal);
  g_signal_connect_object (self->watch, "changed", G_CALLBACK (on_watch_changed), self, 0);
  ids = g_new (Ids, 1);
  ids->actor = actor;
  ids->organisation = organisation;
  zid_work_run (self, portal, load_worker, ids, g_free, (GDestroyNotify) g_ptr_array_unref,
                self->cancellable, load_done, NULL);
  return self;
}
