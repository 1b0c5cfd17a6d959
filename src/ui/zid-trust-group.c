/* zid-trust-group.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <glib/gi18n.h>

#include "zid-trust-group.h"
#include "zid-ui-util.h"
#include "zid-work.h"

struct _ZidTrustGroup
{
  AdwPreferencesGroup  parent_instance;

  /* template */
  GtkButton           *add_button;
  GtkLabel            *error_label;
  GtkListBox          *list;

  /* owned */
  ZidBackend          *portal;
  ZidTrustKind         kind;
  GCancellable        *cancellable;
};

G_DEFINE_FINAL_TYPE (ZidTrustGroup, zid_trust_group, ADW_TYPE_PREFERENCES_GROUP)

/* What a worker gets: the kind and, to add, the chosen file or, to
 * remove, the fingerprint */
typedef struct
{
  ZidTrustKind  kind;
  GFile        *file;
  char         *fingerprint;
} TrustWork;

static void
trust_work_free (gpointer p)
{
  TrustWork *w = p;

  g_clear_object (&w->file);
  g_free (w->fingerprint);
  g_free (w);
}

static TrustWork *
trust_work_new (ZidTrustGroup *self)
{
  TrustWork *w = g_new0 (TrustWork, 1);

  w->kind = self->kind;
  return w;
}

static void
show_error (ZidTrustGroup *self,
            const char    *message)
{
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static char *
format_day (gint64 unix_seconds)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_local (unix_seconds);

  return t ? g_date_time_format (t, "%d-%m-%Y") : g_strdup ("?");
}

/* "valid until 31-12-2030"; a CRL: "next update 01-02-2026" */
static char *
entry_validity (ZidTrustEntry *entry)
{
  g_autofree char *until = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 not_after = zid_trust_entry_get_not_after (entry);

  if (not_after == 0)
    return g_strdup (_("no end date"));
  until = format_day (not_after);
  if (zid_trust_entry_get_is_crl (entry))
    return g_strdup_printf (_("next update %s"), until);
  if (not_after < now)
    return g_strdup_printf (_("expired on %s"), until);
  return g_strdup_printf (_("valid until %s"), until);
}

static GtkWidget *
entry_row (ZidTrustEntry *entry)
{
  GtkWidget *row = zid_ui_action_row_new ();
  g_autofree char *until = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *remove_name = NULL;
  const char *what;

  until = entry_validity (entry);
  if (zid_trust_entry_get_is_crl (entry))
    what = _("Revocation list");
  else if (zid_trust_entry_get_is_anchor (entry))
    what = _("Root certificate");
  else
    what = _("Intermediate certificate");
  /* Translators: "Root certificate · valid until 31-12-2030 · built in\nSHA-256 AB:CD:…" */
  subtitle = g_strdup_printf ("%s · %s%s\nSHA-256 %s", what, until,
                              zid_trust_entry_get_builtin (entry) ? _(" · built in") : "",
                              zid_trust_entry_get_fingerprint (entry));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), zid_trust_entry_get_subject (entry));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, subtitle, -1);

  if (!zid_trust_entry_get_builtin (entry))
    {
      GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");

      /* Translators: accessible name of the button removing a trusted certificate */
      remove_name = g_strdup_printf (_("Remove %s"), zid_trust_entry_get_subject (entry));
      gtk_widget_set_tooltip_text (remove, _("Remove"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, remove_name, -1);
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "trust.remove");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (remove), "s", zid_trust_entry_get_fingerprint (entry));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
    }
  return row;
}

/* ---- List ------------------------------------------------------------- */

static gpointer
list_worker (ZidBackend  *portal,
             gpointer     data,
             GError     **error)
{
  TrustWork *w = data;

  return zid_backend_list_trust (portal, w->kind);
}

static void
list_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = zid_work_finish (result, &error);
  ZidTrustGroup *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ZID_TRUST_GROUP (source);
  zid_ui_clear_list_box (self->list);
  if (entries == NULL)
    {
      show_error (self, error->message);
      return;
    }
  for (guint i = 0; i < entries->len; i++)
    gtk_list_box_append (self->list, entry_row (g_ptr_array_index (entries, i)));
}

static void
reload (ZidTrustGroup *self)
{
  if (self->portal == NULL)
    return;
  zid_work_run (self, self->portal, list_worker, trust_work_new (self), trust_work_free,
                (GDestroyNotify) g_ptr_array_unref, self->cancellable, list_done, NULL);
}

/* ---- Add -------------------------------------------------------------- */

static gpointer
add_worker (ZidBackend  *portal,
            gpointer     data,
            GError     **error)
{
  TrustWork *w = data;
  g_autoptr(GBytes) bytes = g_file_load_bytes (w->file, NULL, NULL, error);

  if (bytes == NULL)
    return NULL;
  return zid_backend_add_trust (portal, w->kind, bytes, error);
}

static void
add_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) added = zid_work_finish (result, &error);
  g_autofree char *message = NULL;
  ZidTrustGroup *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ZID_TRUST_GROUP (source);
  if (added == NULL)
    {
      /* Translators: %s is the reason, e.g. "het is geen CA-certificaat" */
      message = g_strdup_printf (_("Not added: %s. Nothing has been stored."), error->message);
      show_error (self, message);
      return;
    }
  show_error (self, NULL);
  reload (self);
}

static void
on_add_response (GtkNativeDialog *dialog,
                 int              response,
                 ZidTrustGroup   *self)
{
  if (response == GTK_RESPONSE_ACCEPT && self->portal != NULL)
    {
      TrustWork *w = trust_work_new (self);

      w->file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      zid_work_run (self, self->portal, add_worker, w, trust_work_free,
                    (GDestroyNotify) g_ptr_array_unref, self->cancellable, add_done, NULL);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  ZidTrustGroup *self = ZID_TRUST_GROUP (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *dialog;

  /* GTK 4.8: GtkFileChooserNative goes through the file chooser portal in
   * the Flatpak, so any file the person can see can be chosen */
  dialog = gtk_file_chooser_native_new (self->kind == ZID_TRUST_KIND_UZI ? _("Add Trusted UZI Certificate")
                                                                         : _("Add Registration File Signer"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Add"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  zid_ui_add_file_filters (GTK_FILE_CHOOSER (dialog), _("Certificates and Revocation Lists"),
                           (const char * const []) { "application/x-x509-ca-cert", "application/pkix-cert",
                                                     "application/pkix-crl", "application/x-pem-file", NULL },
                           (const char * const []) { "*.pem", "*.crt", "*.cer", "*.der", "*.crl", NULL });
  g_signal_connect (dialog, "response", G_CALLBACK (on_add_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* ---- Remove ----------------------------------------------------------- */

static gpointer
remove_worker (ZidBackend  *portal,
               gpointer     data,
               GError     **error)
{
  TrustWork *w = data;

  return zid_backend_remove_trust (portal, w->kind, w->fingerprint, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

static void
remove_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  ZidTrustGroup *self;

  if (zid_work_finish (result, &error) == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ZID_TRUST_GROUP (source);
  show_error (self, error ? error->message : NULL);
  reload (self);
}

static void
remove_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  ZidTrustGroup *self = ZID_TRUST_GROUP (widget);
  TrustWork *w;

  if (self->portal == NULL)
    return;
  w = trust_work_new (self);
  w->fingerprint = g_variant_dup_string (param, NULL);
  zid_work_run (self, self->portal, remove_worker, w, trust_work_free, NULL,
                self->cancellable, remove_done, NULL);
}

/* ---- Public ------------------------------------------------------------- */

void
zid_trust_group_load (ZidTrustGroup *self,
                      ZidBackend    *portal,
                      ZidTrustKind   kind)
{
  const char *environment;
  g_autofree char *title = NULL;

  g_return_if_fail (ZID_IS_TRUST_GROUP (self));
  g_return_if_fail (ZID_IS_BACKEND (portal));

  g_set_object (&self->portal, portal);
  self->kind = kind;
  environment = zid_environment_to_string (zid_backend_get_environment (portal));
  if (kind == ZID_TRUST_KIND_UZI)
    {
      /* Translators: %s is the environment, acceptatie or productie */
      title = g_strdup_printf (_("Trusted UZI Certificates (%s)"), environment);
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self),
        _("The certificates of the UZI register that a UZI card must be issued by. Get them from the UZI "
          "register (uziregister.nl) and add the root and the CA certificates of the cards."));
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->add_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Add Trusted UZI Certificate…"), -1);
    }
  else
    {
      title = g_strdup_printf (_("Registration File Signer (%s)"), environment);
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self),
        _("The root certificate of the operator (VZVZ) that signs registration files. It is also added "
          "when you import a registration file and confirm its fingerprint."));
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->add_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Add Registration File Signer…"), -1);
    }
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self), title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  show_error (self, NULL);
  reload (self);
}

static void
zid_trust_group_dispose (GObject *object)
{
  ZidTrustGroup *self = ZID_TRUST_GROUP (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), ZID_TYPE_TRUST_GROUP);
  G_OBJECT_CLASS (zid_trust_group_parent_class)->dispose (object);
}

static void
zid_trust_group_finalize (GObject *object)
{
  ZidTrustGroup *self = ZID_TRUST_GROUP (object);

  g_clear_object (&self->portal);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (zid_trust_group_parent_class)->finalize (object);
}

static void
zid_trust_group_class_init (ZidTrustGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = zid_trust_group_dispose;
  object_class->finalize = zid_trust_group_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/nl/zorgid/Portaal/ui/zid-trust-group.ui");
  gtk_widget_class_bind_template_child (widget_class, ZidTrustGroup, add_button);
  gtk_widget_class_bind_template_child (widget_class, ZidTrustGroup, error_label);
  gtk_widget_class_bind_template_child (widget_class, ZidTrustGroup, list);

  gtk_widget_class_install_action (widget_class, "trust.add", NULL, add_action);
  gtk_widget_class_install_action (widget_class, "trust.remove", "s", remove_action);
}

static void
zid_trust_group_init (ZidTrustGroup *self)
{
  GtkWidget *placeholder = gtk_label_new (_("Nothing trusted yet"));

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 12);
  gtk_widget_set_margin_bottom (placeholder, 12);
  gtk_list_box_set_placeholder (self->list, placeholder);
}
