/* zid-pending-window.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <glib/gi18n.h>

#include "zid-csv.h"
#include "zid-csv-export.h"
#include "zid-file-choice.h"
#include "zid-letters-job.h"
#include "zid-organisation-choice.h"
#include "zid-pending-window.h"
#include "zid-ui-util.h"
#include "zid-work.h"

/* One open enrolment as a list item */
#define ZID_TYPE_PENDING_ITEM (zid_pending_item_get_type ())
G_DECLARE_FINAL_TYPE (ZidPendingItem, zid_pending_item, ZID, PENDING_ITEM, GObject)

struct _ZidPendingItem
{
  GObject              parent_instance;
  ZidPendingEnrolment *pending;   /* owned */
};

G_DEFINE_FINAL_TYPE (ZidPendingItem, zid_pending_item, G_TYPE_OBJECT)

static void
zid_pending_item_finalize (GObject *object)
{
  g_clear_pointer (&ZID_PENDING_ITEM (object)->pending, zid_pending_enrolment_free);
  G_OBJECT_CLASS (zid_pending_item_parent_class)->finalize (object);
}

static void
zid_pending_item_class_init (ZidPendingItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = zid_pending_item_finalize;
}

static void
zid_pending_item_init (ZidPendingItem *self)
{
}

struct _ZidPendingWindow
{
  AdwWindow          parent_instance;

  /* template */
  AdwToastOverlay   *toasts;
  GtkDropDown       *organisation_dropdown;
  GtkColumnView     *column_view;
  GtkLabel          *count_label;

  /* owned */
  ZidBackend        *portal;
  GCancellable      *cancellable;
  GListStore        *store;           /* ZidPendingItem */
  GtkMultiSelection *selection;
  GPtrArray         *organisations;   /* ZidOrganisation: where the actor may issue codes */
  ZidWatch          *watch;
  GArray            *chosen;          /* user ids (gint64) waiting for a letters path */
  gint64             actor;
  gboolean           busy;
};

G_DEFINE_FINAL_TYPE (ZidPendingWindow, zid_pending_window, ADW_TYPE_WINDOW)

enum { COL_NAME, COL_BIRTH_DATE, COL_PURPOSE, COL_EXPIRES, COL_STATE, COL_ACTION };

static ZidOrganisation *
current_organisation (ZidPendingWindow *self)
{
  return zid_organisation_choice_get (self->organisation_dropdown, self->organisations);
}

static void
update_actions (ZidPendingWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pending.export", current_organisation (self) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pending.new-code", !self->busy && n > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pending.new-codes",
                                 !self->busy && !gtk_bitset_is_empty (selected));
}

/* ---- The list ---- */

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  column)
{
  GtkWidget *child;

  if (GPOINTER_TO_INT (column) == COL_ACTION)
    {
      /* The action name follows in bind_cell, after its target: an action
       * with a parameter named without one is a type mismatch to GTK */
      child = gtk_button_new_with_label (_("New Code"));
    }
  else
    {
      child = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (child), 0);
    }
  gtk_list_item_set_child (item, child);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  column)
{
  ZidPendingEnrolment *p = ZID_PENDING_ITEM (gtk_list_item_get_item (item))->pending;
  GtkWidget *child = gtk_list_item_get_child (item);
  g_autofree char *owned = NULL;
  const char *text = NULL;

  switch (GPOINTER_TO_INT (column))
    {
    case COL_NAME: text = zid_user_get_display_name (p->user); break;
    case COL_BIRTH_DATE: text = owned = zid_ui_format_date (zid_user_get_birth_date (p->user)); break;
    case COL_PURPOSE: text = p->purpose == ZID_CODE_ENROLMENT ? _("Registration") : _("New certificate"); break;
    case COL_EXPIRES: text = owned = zid_ui_format_time (p->expires); break;
    case COL_STATE:
      text = p->expired ? _("Expired") : _("Open");
      if (p->expired)
        gtk_widget_add_css_class (child, "error");
      else
        gtk_widget_remove_css_class (child, "error");
      break;
    case COL_ACTION:
      {
        g_autofree char *name = g_strdup_printf (_("New code for %s"), zid_user_get_display_name (p->user));

        gtk_actionable_set_action_target (GTK_ACTIONABLE (child), "x", zid_user_get_id (p->user));
        gtk_actionable_set_action_name (GTK_ACTIONABLE (child), "pending.new-code");
        gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
        return;
      }
    default: g_assert_not_reached ();
    }
  gtk_label_set_text (GTK_LABEL (child), text);
}

static void
add_column (ZidPendingWindow *self,
            const char       *title,
            int               column)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) col = NULL;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GINT_TO_POINTER (column));
  col = gtk_column_view_column_new (title, g_steal_pointer (&factory));
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

  return zid_backend_list_pending (portal, ids->actor, ids->organisation, error);
}

static void
load_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pending = zid_work_finish (result, &error);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  ZidPendingWindow *self;
  guint n_expired = 0;
  g_autofree char *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ZID_PENDING_WINDOW (source);
  if (pending == NULL)
    {
      gtk_label_set_text (self->count_label, error->message);
      return;
    }
  for (guint i = 0; i < pending->len; i++)
    {
      ZidPendingItem *item = g_object_new (ZID_TYPE_PENDING_ITEM, NULL);

      item->pending = g_ptr_array_index (pending, i);
      pending->pdata[i] = NULL;
      n_expired += item->pending->expired;
      g_ptr_array_add (items, item);
    }
  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       items->pdata, items->len);
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u open enrolment, %u expired",
                                       "%u open enrolments, %u expired", items->len),
                          items->len, n_expired);
  gtk_label_set_text (self->count_label, text);
  update_actions (self);
}

static void
reload (ZidPendingWindow *self)
{
  ZidOrganisation *org = current_organisation (self);
  Ids *ids;

  if (org == NULL)
    return;
  ids = g_new (Ids, 1);
  ids->actor = self->actor;
  ids->organisation = org->id;
  zid_work_run (self, self->portal, load_worker, ids, g_free, (GDestroyNotify) g_ptr_array_unref,
                self->cancellable, load_done, NULL);
}

static void
on_watch_changed (ZidWatch         *watch,
                  GArray           *users,
                  GArray           *organisations,
                  ZidPendingWindow *self)
{
  reload (self);
}

static void
organisations_done (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *orgs = zid_work_finish (result, &error);
  ZidPendingWindow *self;
  const char *message;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ZID_PENDING_WINDOW (source);
  message = zid_organisation_choice_set (self->organisation_dropdown, &self->organisations, orgs, error,
                                         _("You may not see the users of any organisation."));
  if (message != NULL)
    gtk_label_set_text (self->count_label, message);
  if (self->organisations != NULL)
    reload (self);
}

static void
on_organisation_selected (ZidPendingWindow *self)
{
  if (self->organisations != NULL)
    reload (self);
}

/* ---- New codes, with their letters ---- */

static void
new_codes_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  guint n = GPOINTER_TO_UINT (zid_work_finish (result, &error));
  ZidPendingWindow *self;
  g_autofree char *msg = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ZID_PENDING_WINDOW (source);
  self->busy = FALSE;
  if (n == 0)
    msg = g_strdup_printf (_("Could not issue new codes: %s"), error->message);
  else
    msg = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new code: its letter is saved",
                                        "%u new codes: their letters are saved", n), n);
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (msg));
  reload (self);
}

static void
on_letters_path (GtkWidget  *widget,
                 const char *path)
{
  ZidPendingWindow *self = ZID_PENDING_WINDOW (widget);
  ZidOrganisation *org = current_organisation (self);
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  ZidLettersJob *n;

  if (org == NULL || self->busy || self->chosen->len == 0)
    return;
  n = zid_letters_job_new (self->actor, org);
  n->letters = g_strdup (path);
  n->users = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(ZidPendingItem) item = g_list_model_get_item (G_LIST_MODEL (self->store), i);

      for (guint j = 0; j < self->chosen->len; j++)
        if (zid_user_get_id (item->pending->user) == g_array_index (self->chosen, gint64, j))
          g_ptr_array_add (n->users, g_object_ref (item->pending->user));
    }
  g_array_set_size (self->chosen, 0);
  if (n->users->len == 0)
    {
      zid_letters_job_free (n);
      return;
    }
  self->busy = TRUE;
  update_actions (self);
  zid_letters_job_new_codes (self, self->portal, n, self->cancellable, new_codes_done, NULL);
}

static void
ask_letters_path (ZidPendingWindow *self,
                  const char       *person)
{
  g_autofree char *name = person ? g_strdup_printf (_("letter %s.pdf"), person)
                                 : g_strdup (_("enrolment letters.pdf"));

  zid_file_choice_ask (GTK_WIDGET (self), TRUE, _("Save the Letters as PDF"), name, ZID_FILE_PDF,
                       on_letters_path);
}

static void
new_code_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  ZidPendingWindow *self = ZID_PENDING_WINDOW (widget);
  gint64 id = g_variant_get_int64 (param);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));

  g_array_set_size (self->chosen, 0);
  g_array_append_val (self->chosen, id);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ZidPendingItem) item = g_list_model_get_item (G_LIST_MODEL (self->store), i);

      if (zid_user_get_id (item->pending->user) == id)
        {
          ask_letters_path (self, zid_user_get_display_name (item->pending->user));
          return;
        }
    }
}

static void
new_codes_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  ZidPendingWindow *self = ZID_PENDING_WINDOW (widget);
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  GtkBitsetIter iter;
  guint position;

  g_array_set_size (self->chosen, 0);
  for (gboolean ok = gtk_bitset_iter_init_first (&iter, selected, &position); ok;
       ok = gtk_bitset_iter_next (&iter, &position))
    {
      g_autoptr(ZidPendingItem) item = g_list_model_get_item (G_LIST_MODEL (self->store), position);
      gint64 id = zid_user_get_id (item->pending->user);

      g_array_append_val (self->chosen, id);
    }
  if (self->chosen->len > 0)
    ask_letters_path (self, NULL);
}

/* ---- Export ---- */

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  ZidPendingWindow *self = ZID_PENDING_WINDOW (widget);
  ZidOrganisation *org = current_organisation (self);
  g_autofree char *name = g_strdup_printf (_("open enrolments %s.csv"), org ? org->name : "");

  if (org != NULL)
    zid_csv_export_ask (widget, self->portal, self->actor, org->id, zid_backend_export_pending_csv, name,
                        self->toasts);
}

static void
close_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  gtk_window_close (GTK_WINDOW (widget));
}

static void
zid_pending_window_dispose (GObject *object)
{
  ZidPendingWindow *self = ZID_PENDING_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->watch != NULL)
    g_signal_handlers_disconnect_by_data (self->watch, self);
  g_clear_object (&self->watch);
  gtk_widget_dispose_template (GTK_WIDGET (self), ZID_TYPE_PENDING_WINDOW);
  G_OBJECT_CLASS (zid_pending_window_parent_class)->dispose (object);
}

static void
zid_pending_window_finalize (GObject *object)
{
  ZidPendingWindow *self = ZID_PENDING_WINDOW (object);

  g_clear_object (&self->portal);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->selection);
  g_clear_object (&self->store);
  g_clear_pointer (&self->organisations, g_ptr_array_unref);
  g_clear_pointer (&self->chosen, g_array_unref);
  G_OBJECT_CLASS (zid_pending_window_parent_class)->finalize (object);
}

static void
zid_pending_window_class_init (ZidPendingWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = zid_pending_window_dispose;
  object_class->finalize = zid_pending_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/nl/zorgid/Portaal/ui/zid-pending-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ZidPendingWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, ZidPendingWindow, organisation_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ZidPendingWindow, column_view);
  gtk_widget_class_bind_template_child (widget_class, ZidPendingWindow, count_label);
  gtk_widget_class_install_action (widget_class, "pending.new-code", "x", new_code_action);
  gtk_widget_class_install_action (widget_class, "pending.new-codes", NULL, new_codes_action);
  gtk_widget_class_install_action (widget_class, "pending.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "pending.close", NULL, close_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "pending.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "pending.export", NULL);
}

static void
zid_pending_window_init (ZidPendingWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->chosen = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->store = g_list_store_new (ZID_TYPE_PENDING_ITEM);
  self->selection = gtk_multi_selection_new (G_LIST_MODEL (g_object_ref (self->store)));
  g_signal_connect_swapped (self->selection, "selection-changed", G_CALLBACK (update_actions), self);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  add_column (self, _("Name"), COL_NAME);
  add_column (self, _("Birth date"), COL_BIRTH_DATE);
  add_column (self, _("Code for"), COL_PURPOSE);
  add_column (self, _("Valid until"), COL_EXPIRES);
  add_column (self, _("Status"), COL_STATE);
  add_column (self, "", COL_ACTION);
  g_signal_connect_swapped (self->organisation_dropdown, "notify::selected",
                            G_CALLBACK (on_organisation_selected), self);
  update_actions (self);
}

ZidPendingWindow *
zid_pending_window_new (GtkWindow  *parent,
                        ZidBackend *portal,
                        gint64      actor)
{
  ZidPendingWindow *self;

  /* of the application: its shortcuts (F1, Ctrl+Q) work here too */
  self = g_object_new (ZID_TYPE_PENDING_WINDOW,
                       "application", parent ? gtk_window_get_application (parent) : NULL,
                       "transient-for", parent,
                       "modal", TRUE,
                       NULL);
  self->portal = g_object_ref (portal);
  self->actor = actor;
  /* watching before reading: a change is in what is read, or named after */
  self->watch = zid_watch_get (portal);
  g_signal_connect_object (self->watch, "changed", G_CALLBACK (on_watch_changed), self, 0);
  zid_organisation_choice_load (self, portal, actor, ZID_ACTION_VIEW_USERS, self->cancellable,
                                organisations_done);
  return self;
}
