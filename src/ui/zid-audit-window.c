/* zid-audit-window.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "zid-audit-model.h"
#include "zid-audit-window.h"
#include "zid-csv.h"
#include "zid-ui-util.h"
#include "zid-work.h"

#define PAGE_SIZE     200
#define FILTER_DELAY  300   /* ms after the last keystroke */
#define MAX_MATCHES   10    /* users offered for a name */

struct _ZidAuditWindow
{
  AdwWindow        parent_instance;

  /* template */
  AdwToastOverlay *toasts;
  GtkImage        *verify_icon;
  GtkLabel        *verify_label;
  GtkEntry        *user_entry;
  GtkDropDown     *organisation_dropdown;
  GtkDropDown     *action_dropdown;
  GtkEntry        *since_entry;
  GtkEntry        *until_entry;
  GtkLabel        *status_label;
  GtkColumnView   *column_view;

  /* the user filter's choices, under its entry */
  GtkPopover      *user_popover;
  GtkListBox      *user_matches;

  /* owned */
  ZidBackend      *portal;
  ZidAuditModel   *model;
  GCancellable    *cancellable;
  GArray          *organisations;   /* gint64: the dropdown's ids after "all" */
  gint64           actor;
  guint            filter_timeout;
  GCancellable    *user_lookup;     /* the name being looked up */
  gint64           user_id;         /* the user filter: chosen or typed (0: none) */
  gboolean         user_pending;    /* a name typed, no user chosen yet */
  gboolean         user_setting;    /* the entry's text set by a choice */
};

G_DEFINE_FINAL_TYPE (ZidAuditWindow, zid_audit_window, ADW_TYPE_WINDOW)

/* The action families of the trail, in the order of the dropdown */
static const struct { const char *family; const char *label; } families[] = {
  { NULL, N_("All actions") },
  { "user", N_("Users") },
  { "certificate", N_("Certificates") },
  { "attribute", N_("Attributes") },
  { "membership", N_("Roles") },
  { "login", N_("Logins") },
  { "organisation", N_("Organisations") },
  { "registration", N_("Registrations") },
  { "trust", N_("Trust") },
  { "service", N_("Enrolment service") },
};

enum { COL_ID, COL_TIME, COL_ACTOR, COL_ACTION, COL_SUBJECT, COL_DETAILS };

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  column)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  /* the details may run long: two lines, then cut off (the tooltip has all) */
  if (GPOINTER_TO_INT (column) == COL_DETAILS)
    {
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_lines (GTK_LABEL (label), 2);
      gtk_label_set_width_chars (GTK_LABEL (label), 20);
    }
  gtk_list_item_set_child (item, label);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  column)
{
  ZidAuditItem *audit_item = gtk_list_item_get_item (item);
  const ZidAuditEvent *e = zid_audit_item_get_event (audit_item);
  const ZidAuditReading *r = zid_audit_item_get_reading (audit_item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  g_autofree char *owned = NULL;
  const char *text = NULL;
  const char *raw = NULL;   /* as stored, for the tooltip */

  switch (GPOINTER_TO_INT (column))
    {
    case COL_ID: text = owned = g_strdup_printf ("%" G_GINT64_FORMAT, e->id); break;
    case COL_TIME: text = owned = zid_ui_format_time (e->time); break;
    case COL_ACTOR: text = r->actor; raw = e->actor; break;
    case COL_ACTION: text = r->action; raw = e->action; break;
    case COL_SUBJECT: text = r->subject; raw = e->subject; break;
    case COL_DETAILS: text = r->details; raw = e->details; break;
    default: g_assert_not_reached ();
    }
  gtk_label_set_text (label, text ? text : "");
  if (raw != NULL && *raw != '\0' && g_strcmp0 (raw, text) != 0)
    {
      g_autofree char *tip = g_strdup_printf ("%s\n%s", text, raw);

      gtk_widget_set_tooltip_text (GTK_WIDGET (label), tip);
    }
  else
    gtk_widget_set_tooltip_text (GTK_WIDGET (label), text && *text ? text : NULL);
}

static void
add_column (ZidAuditWindow *self,
            const char     *title,
            int             column)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) col = NULL;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GINT_TO_POINTER (column));
  col = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_resizable (col, TRUE);
  gtk_column_view_column_set_expand (col, column == COL_DETAILS);
  gtk_column_view_append_column (self->column_view, col);
}

/* The filter: empty fields select everything */

/* "DD-MM-JJJJ" or "JJJJ-MM-DD" as local time: the start of that day, or
 * with @end_of_day its last second; empty is 0. FALSE if it is no date. */
static gboolean
parse_date (const char *text,
            gboolean    end_of_day,
            gint64     *out)
{
  g_autoptr(GDateTime) day = NULL;
  int a, b, c;
  char rest;

  *out = 0;
  if (text == NULL || *text == '\0')
    return TRUE;
  if (sscanf (text, "%d-%d-%d%c", &a, &b, &c, &rest) != 3)
    return FALSE;
  if (a > 31)
    day = g_date_time_new_local (a, b, c, 0, 0, 0);
  else
    day = g_date_time_new_local (c, b, a, 0, 0, 0);
  if (day == NULL || (a > 31 ? a : c) < 1900)
    return FALSE;
  *out = g_date_time_to_unix (day) + (end_of_day ? 24 * 60 * 60 - 1 : 0);
  return TRUE;
}

static gboolean
entry_check (GtkEntry *entry,
             gboolean  valid)
{
  if (valid)
    gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
  return valid;
}

static void
apply_filter (ZidAuditWindow *self)
{
  ZidAuditFilter filter = { .as = self->actor };
  guint org = gtk_drop_down_get_selected (self->organisation_dropdown);
  guint action = gtk_drop_down_get_selected (self->action_dropdown);
  gboolean valid = !self->user_pending;

  valid &= entry_check (self->since_entry,
                        parse_date (gtk_editable_get_text (GTK_EDITABLE (self->since_entry)),
                                    FALSE, &filter.since));
  valid &= entry_check (self->until_entry,
                        parse_date (gtk_editable_get_text (GTK_EDITABLE (self->until_entry)),
                                    TRUE, &filter.until));
  if (!valid)
    return;
  filter.user = self->user_id;
  if (org != GTK_INVALID_LIST_POSITION && org > 0 && org <= self->organisations->len)
    filter.organisation = g_array_index (self->organisations, gint64, org - 1);
  if (action != GTK_INVALID_LIST_POSITION && action < G_N_ELEMENTS (families))
    filter.action = families[action].family;
  zid_audit_model_set_filter (self->model, &filter);
}

/* The user filter: a number (bare, or user:NUMBER as stored), or a name: the users the actor may see who are found by it
 * are offered under the entry; the one found, or the one chosen (a click,
 * or Enter for the first), filters */

static void
user_choose (ZidAuditWindow *self,
             ZidUser        *user)
{
  g_autofree char *name = g_strdup_printf ("%s %s", zid_user_get_first_name (user),
                                           zid_user_get_last_name (user));

  self->user_id = zid_user_get_id (user);
  self->user_pending = FALSE;
  entry_check (self->user_entry, TRUE);
  self->user_setting = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->user_entry), name);
  gtk_editable_set_position (GTK_EDITABLE (self->user_entry), -1);
  self->user_setting = FALSE;
  gtk_popover_popdown (self->user_popover);
  g_clear_handle_id (&self->filter_timeout, g_source_remove);
  apply_filter (self);
}

static void
on_user_match_activated (ZidAuditWindow *self,
                         GtkListBoxRow  *row)
{
  ZidUser *user = g_object_get_data (G_OBJECT (row), "user");

  if (user != NULL)
    user_choose (self, user);
}

static void
user_matches_clear (ZidAuditWindow *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->user_matches))) != NULL)
    gtk_list_box_remove (self->user_matches, child);
}

static void
user_lookup_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = zid_work_finish (result, &error);
  ZidAuditWindow *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ZID_AUDIT_WINDOW (source);
  g_clear_object (&self->user_lookup);
  user_matches_clear (self);
  if (found == NULL || found->len == 0)
    {
      g_autofree char *text = found == NULL
        ? g_strdup (error->message)
        : g_strdup_printf (_("No user is named “%s”"),
                           gtk_editable_get_text (GTK_EDITABLE (self->user_entry)));

      entry_check (self->user_entry, FALSE);
      gtk_label_set_text (self->status_label, text);
      gtk_popover_popdown (self->user_popover);
      return;
    }
  for (guint i = 0; i < MIN (found->len, MAX_MATCHES); i++)
    {
      ZidUser *user = g_ptr_array_index (found, i);
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, zid_user_get_id (user));
      /* Translators: a user to choose for the audit filter: first and last
       * name, number, birth date */
      g_autofree char *born = zid_ui_format_date (zid_user_get_birth_date (user));
      g_autofree char *text = g_strdup_printf (_("%s %s (number %s, born %s)"),
                                               zid_user_get_first_name (user),
                                               zid_user_get_last_name (user),
                                               number, born);
      GtkWidget *label = gtk_label_new (text);
      GtkWidget *row = gtk_list_box_row_new ();

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_margin_start (label, 6);
      gtk_widget_set_margin_end (label, 6);
      gtk_widget_set_margin_top (label, 4);
      gtk_widget_set_margin_bottom (label, 4);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
      g_object_set_data_full (G_OBJECT (row), "user", g_object_ref (user), g_object_unref);
      gtk_list_box_append (self->user_matches, row);
    }
  gtk_popover_popup (self->user_popover);
  /* one found: the filter is theirs at once, the entry left as typed
   * (the person may still be typing); the list shows who it is */
  if (found->len == 1)
    {
      self->user_id = zid_user_get_id (g_ptr_array_index (found, 0));
      self->user_pending = FALSE;
      apply_filter (self);
    }
  else if (found->len > MAX_MATCHES)
    gtk_label_set_text (self->status_label, _("More users are found by this name: type more of it"));
  else
    gtk_label_set_text (self->status_label, _("Choose the user from the list"));
}

static gpointer
user_lookup_worker (ZidBackend  *portal,
                    gpointer     data,
                    GError     **error)
{
  const char *name = data;
  gint64 actor = *(gint64 *) (name + strlen (name) + 1);

  return zid_backend_find_audit_users (portal, actor, name, MAX_MATCHES + 1, error);
}

/* Reads the user entry: a number at once, a name looked up */
static void
user_filter_read (ZidAuditWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->user_entry));
  const char *number = g_str_has_prefix (text, "user:") ? text + 5 : text;
  guint64 id = 0;
  gsize len;
  char *data;

  if (!self->user_pending)
    return;
  g_cancellable_cancel (self->user_lookup);
  g_clear_object (&self->user_lookup);
  if (g_ascii_isdigit (*number))
    {
      self->user_pending = !g_ascii_string_to_unsigned (number, 10, 1, G_MAXINT64, &id, NULL);
      self->user_id = (gint64) id;
      entry_check (self->user_entry, !self->user_pending);
      return;
    }
  /* the name, its NUL, then the actor */
  len = strlen (text);
  data = g_malloc (len + 1 + sizeof (gint64));
  memcpy (data, text, len + 1);
  memcpy (data + len + 1, &self->actor, sizeof (gint64));
  self->user_lookup = g_cancellable_new ();
  zid_work_run (self, self->portal, user_lookup_worker, data, g_free,
                (GDestroyNotify) g_ptr_array_unref, self->user_lookup, user_lookup_done, NULL);
}

static void
on_user_changed (ZidAuditWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->user_entry));

  if (self->user_setting)
    return;
  g_cancellable_cancel (self->user_lookup);
  g_clear_object (&self->user_lookup);
  gtk_popover_popdown (self->user_popover);
  self->user_id = 0;
  self->user_pending = *text != '\0';
  if (!self->user_pending)
    entry_check (self->user_entry, TRUE);
}

static gboolean
filter_timeout_cb (gpointer user_data)
{
  ZidAuditWindow *self = user_data;

  self->filter_timeout = 0;
  user_filter_read (self);
  apply_filter (self);
  return G_SOURCE_REMOVE;
}

static void
on_filter_changed (ZidAuditWindow *self)
{
  g_clear_handle_id (&self->filter_timeout, g_source_remove);
  self->filter_timeout = g_timeout_add (FILTER_DELAY, filter_timeout_cb, self);
}

static void
on_filter_activate (ZidAuditWindow *self)
{
  GtkListBoxRow *first = gtk_list_box_get_row_at_index (self->user_matches, 0);

  g_clear_handle_id (&self->filter_timeout, g_source_remove);
  /* Enter on a name with users offered: the first of them */
  if (first != NULL && gtk_widget_get_visible (GTK_WIDGET (self->user_popover)))
    {
      on_user_match_activated (self, first);
      return;
    }
  user_filter_read (self);
  apply_filter (self);
}

/* What the list shows: loading, how many, nothing, or the refusal */
static void
update_status (ZidAuditWindow *self)
{
  const GError *error = zid_audit_model_get_error (self->model);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  g_autofree char *text = NULL;

  if (error != NULL)
    text = g_strdup (error->message);
  else if (n == 0 && zid_audit_model_get_complete (self->model))
    text = g_strdup (_("No events for this filter"));
  else if (n == 0)
    text = g_strdup (_("Loading…"));
  else if (zid_audit_model_get_complete (self->model))
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u event, newest first",
                                         "%u events, newest first", n), n);
  else
    /* Translators: more events are loaded as the list is scrolled */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Newest %u event shown; scroll for more",
                                         "Newest %u events shown; scroll for more", n), n);
  gtk_label_set_text (self->status_label, text);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "audit.export", error == NULL && n > 0);
}

/* The chain's verification, in a worker: the whole trail is read */

typedef struct
{
  gboolean  intact;
  gint64    bad;
  char     *message;
} Verification;

static void
verification_free (Verification *v)
{
  g_free (v->message);
  g_free (v);
}

static gpointer
verify_worker (ZidBackend  *portal,
               gpointer     data,
               GError     **error)
{
  Verification *v = g_new0 (Verification, 1);
  g_autoptr(GError) local_error = NULL;

  v->intact = zid_backend_verify_audit (portal, &v->bad, &local_error);
  if (!v->intact)
    v->message = g_strdup (local_error ? local_error->message : "");
  return v;
}

static void
verify_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  Verification *v = zid_work_finish (result, &error);
  ZidAuditWindow *self;
  g_autofree char *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ZID_AUDIT_WINDOW (source);
  if (v != NULL && v->intact)
    text = g_strdup (_("Audit trail intact: every event is unchanged and in its place in the hash chain"));
  else if (v != NULL)
    {
      g_autofree char *bad = g_strdup_printf ("%" G_GINT64_FORMAT, v->bad);

      text = g_strdup_printf (_("Audit trail BROKEN at event %s: %s"), bad, v->message);
    }
  else
    text = g_strdup_printf (_("The audit trail could not be checked: %s"), error->message);
  gtk_label_set_text (self->verify_label, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->verify_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  gtk_image_set_from_icon_name (self->verify_icon, v != NULL && v->intact
                                ? "emblem-ok-symbolic" : "dialog-warning-symbolic");
  gtk_widget_add_css_class (GTK_WIDGET (self->verify_label),
                            v != NULL && v->intact ? "success" : "error");
  gtk_widget_add_css_class (GTK_WIDGET (self->verify_icon),
                            v != NULL && v->intact ? "success" : "error");
  if (v != NULL)
    verification_free (v);
}

/* The organisations the actor manages, for the dropdown */

static gpointer
organisations_worker (ZidBackend  *portal,
                      gpointer     data,
                      GError     **error)
{
  return zid_backend_list_organisations (portal, *(gint64 *) data, error);
}

static void
organisations_done (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = zid_work_finish (result, &error);
  ZidAuditWindow *self;
  GtkStringList *names;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ZID_AUDIT_WINDOW (source);
  if (list == NULL)
    return;
  names = GTK_STRING_LIST (gtk_drop_down_get_model (self->organisation_dropdown));
  for (guint i = 0; i < list->len; i++)
    {
      ZidOrganisation *o = g_ptr_array_index (list, i);

      g_array_append_val (self->organisations, o->id);
      gtk_string_list_append (names, o->name);
    }
}

/* Export: the filtered trail, page by page, in a worker */

typedef struct
{
  ZidAuditFilter  filter;
  char           *action;
  GFile          *file;
} ExportArgs;

static void
export_args_free (ExportArgs *args)
{
  g_free (args->action);
  g_clear_object (&args->file);
  g_free (args);
}

static gpointer
export_worker (ZidBackend  *portal,
               gpointer     data,
               GError     **error)
{
  ExportArgs *args = data;
  g_autoptr(GFileOutputStream) out = NULL;
  guint64 n = 0;

  out = g_file_replace (args->file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL, error);
  if (out == NULL ||
      !zid_backend_export_audit_csv (portal, &args->filter, ZID_CSV_SEMICOLON,
                                    G_OUTPUT_STREAM (out), NULL, &n, error) ||
      !g_output_stream_close (G_OUTPUT_STREAM (out), NULL, error))
    return NULL;
  return g_memdup2 (&n, sizeof n);
}

static void
export_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint64 *n = zid_work_finish (result, &error);
  ZidAuditWindow *self;
  g_autofree char *msg = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ZID_AUDIT_WINDOW (source);
  if (n == NULL)
    msg = g_strdup_printf (_("Could not export: %s"), error->message);
  else
    {
      guint count = (guint) MIN (*n, G_MAXUINT);

      msg = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u event exported", "%u events exported",
                                          count), count);
    }
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (msg));
}

static void
on_export_response (GtkNativeDialog *dialog,
                    int              response,
                    ZidAuditWindow  *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      const ZidAuditFilter *filter = zid_audit_model_get_filter (self->model);
      ExportArgs *args = g_new0 (ExportArgs, 1);

      args->filter = *filter;
      args->action = g_strdup (filter->action);
      args->filter.action = args->action;
      args->file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      zid_work_run (self, self->portal, export_worker, args, (GDestroyNotify) export_args_free,
                    g_free, self->cancellable, export_done, NULL);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  ZidAuditWindow *self = ZID_AUDIT_WINDOW (widget);
  GtkFileChooserNative *dialog;

  /* GTK 4.8 has no GtkFileDialog (4.10) */
  dialog = gtk_file_chooser_native_new (_("Export as CSV"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), _("audit log.csv"));
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
zid_audit_window_dispose (GObject *object)
{
  ZidAuditWindow *self = ZID_AUDIT_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->user_lookup);
  g_clear_handle_id (&self->filter_timeout, g_source_remove);
  if (self->user_popover != NULL)
    {
      gtk_widget_unparent (GTK_WIDGET (self->user_popover));
      self->user_popover = NULL;
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), ZID_TYPE_AUDIT_WINDOW);
  G_OBJECT_CLASS (zid_audit_window_parent_class)->dispose (object);
}

static void
zid_audit_window_finalize (GObject *object)
{
  ZidAuditWindow *self = ZID_AUDIT_WINDOW (object);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  g_clear_object (&self->portal);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->user_lookup);
  g_clear_pointer (&self->organisations, g_array_unref);
  G_OBJECT_CLASS (zid_audit_window_parent_class)->finalize (object);
}

static void
zid_audit_window_class_init (ZidAuditWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = zid_audit_window_dispose;
  object_class->finalize = zid_audit_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/nl/zorgid/Portaal/ui/zid-audit-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ZidAuditWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, ZidAuditWindow, verify_icon);
  gtk_widget_class_bind_template_child (widget_class, ZidAuditWindow, verify_label);
  gtk_widget_class_bind_template_child (widget_class, ZidAuditWindow, user_entry);
  gtk_widget_class_bind_template_child (widget_class, ZidAuditWindow, organisation_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ZidAuditWindow, action_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ZidAuditWindow, since_entry);
  gtk_widget_class_bind_template_child (widget_class, ZidAuditWindow, until_entry);
  gtk_widget_class_bind_template_child (widget_class, ZidAuditWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, ZidAuditWindow, column_view);
  gtk_widget_class_install_action (widget_class, "audit.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "audit.close", NULL, close_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "audit.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "audit.export", NULL);
}

static void
zid_audit_window_init (ZidAuditWindow *self)
{
  g_autoptr(GtkStringList) organisations = NULL;
  g_autoptr(GtkStringList) actions = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->organisations = g_array_new (FALSE, FALSE, sizeof (gint64));

  organisations = gtk_string_list_new ((const char *[]) { _("All organisations"), NULL });
  gtk_drop_down_set_model (self->organisation_dropdown, G_LIST_MODEL (organisations));
  for (guint i = 0; i < G_N_ELEMENTS (families); i++)
    gtk_string_list_append (actions, _(families[i].label));
  gtk_drop_down_set_model (self->action_dropdown, G_LIST_MODEL (actions));

  self->user_matches = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_activate_on_single_click (self->user_matches, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->user_matches), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Users found by this name"), -1);
  g_signal_connect_swapped (self->user_matches, "row-activated",
                            G_CALLBACK (on_user_match_activated), self);
  self->user_popover = GTK_POPOVER (gtk_popover_new ());
  gtk_popover_set_child (self->user_popover, GTK_WIDGET (self->user_matches));
  gtk_popover_set_autohide (self->user_popover, FALSE);
  gtk_popover_set_has_arrow (self->user_popover, FALSE);
  gtk_popover_set_position (self->user_popover, GTK_POS_BOTTOM);
  gtk_widget_set_parent (GTK_WIDGET (self->user_popover), GTK_WIDGET (self->user_entry));

  add_column (self, _("No."), COL_ID);
  add_column (self, _("Time"), COL_TIME);
  add_column (self, _("Actor"), COL_ACTOR);
  add_column (self, _("Action"), COL_ACTION);
  add_column (self, _("Subject"), COL_SUBJECT);
  add_column (self, _("Details"), COL_DETAILS);

  g_signal_connect_swapped (self->user_entry, "changed", G_CALLBACK (on_user_changed), self);
  g_signal_connect_swapped (self->user_entry, "changed", G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->since_entry, "changed", G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->until_entry, "changed", G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->user_entry, "activate", G_CALLBACK (on_filter_activate), self);
  g_signal_connect_swapped (self->since_entry, "activate", G_CALLBACK (on_filter_activate), self);
  g_signal_connect_swapped (self->until_entry, "activate", G_CALLBACK (on_filter_activate), self);
  g_signal_connect_swapped (self->organisation_dropdown, "notify::selected",
                            G_CALLBACK (on_filter_activate), self);
  g_signal_connect_swapped (self->action_dropdown, "notify::selected",
                            G_CALLBACK (on_filter_activate), self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "audit.export", FALSE);
}

ZidAuditWindow *
zid_audit_window_new (GtkWindow  *parent,
                      ZidBackend *portal,
                      gint64      actor)
{
  ZidAuditWindow *self;
  g_autoptr(GtkNoSelection) selection = NULL;
  gint64 *id;

  g_return_val_if_fail (ZID_IS_BACKEND (portal), NULL);

  self = g_object_new (ZID_TYPE_AUDIT_WINDOW,
                       "application", parent ? gtk_window_get_application (parent) : NULL,
                       "transient-for", parent,
                       "modal", TRUE,
                       NULL);
  self->portal = g_object_ref (portal);
  self->actor = actor;
  /* as wide as a wide main window allows: the details need the room */
  if (parent != NULL && gtk_widget_get_width (GTK_WIDGET (parent)) > 1100)
    gtk_window_set_default_size (GTK_WINDOW (self), gtk_widget_get_width (GTK_WIDGET (parent)) - 100,
                                 MAX (700, gtk_widget_get_height (GTK_WIDGET (parent)) - 100));
  self->model = zid_audit_model_new (portal, PAGE_SIZE);
  g_signal_connect_swapped (self->model, "items-changed", G_CALLBACK (update_status), self);
  g_signal_connect_swapped (self->model, "notify::complete", G_CALLBACK (update_status), self);
  g_signal_connect_swapped (self->model, "notify::error", G_CALLBACK (update_status), self);
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->model)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
  apply_filter (self);

  zid_work_run (self, portal, verify_worker, NULL, NULL, (GDestroyNotify) verification_free,
                self->cancellable, verify_done, NULL);
  id = g_new (gint64, 1);
  *id = actor;
  zid_work_run (self, portal, organisations_worker, id, g_free, (GDestroyNotify) g_ptr_array_unref,
                self->cancellable, organisations_done, NULL);
  return self;
}
