/* zid-preferences-window.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <glib/gi18n.h>

#include "zid-preferences-window.h"
#include "zid-trust-group.h"
#include "zid-work.h"

struct _ZidPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  /* template */
  AdwComboRow          *environment_row;
  AdwEntryRow          *pkcs11_row;
  AdwPreferencesPage   *trust_page;
  ZidTrustGroup        *uzi_trust_group;
  ZidTrustGroup        *operator_trust_group;
  AdwEntryRow          *service_address_row;

  /* owned */
  ZidBackend           *portal;
  GSettings            *settings;
  GCancellable         *cancellable;
};

G_DEFINE_FINAL_TYPE (ZidPreferencesWindow, zid_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static gpointer
get_address_worker (ZidBackend  *portal,
                    gpointer     data,
                    GError     **error)
{
  return zid_backend_dup_service_address (portal);
}

static void
get_address_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autofree char *address = zid_work_finish (result, NULL);

  if (address != NULL && !g_cancellable_is_cancelled (G_CANCELLABLE (user_data)))
    gtk_editable_set_text (GTK_EDITABLE (ZID_PREFERENCES_WINDOW (source)->service_address_row), address);
}

static gpointer
set_address_worker (ZidBackend  *portal,
                    gpointer     data,
                    GError     **error)
{
  return zid_backend_set_service_address (portal, data, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

static void
set_address_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  ZidPreferencesWindow *self;

  if (zid_work_finish (result, &error) == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ZID_PREFERENCES_WINDOW (source);
  if (error != NULL)
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (error->message));
  else
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
      adw_toast_new (_("Saved. New QR codes use this address; restart the portal to listen on a new port.")));
}

static void
on_service_address_apply (ZidPreferencesWindow *self)
{
  zid_work_run (self, self->portal, set_address_worker,
                g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->service_address_row))), g_free, NULL,
                self->cancellable, set_address_done, NULL);
}

/* Switching in place: the chosen environment's window opens in this
 * process (or comes to the front) with its own data and service, and the
 * portal starts in it next time; this window stays as it is */
static void
on_environment_selected (ZidPreferencesWindow *self)
{
  ZidEnvironment environment = adw_combo_row_get_selected (self->environment_row);

  if (self->settings != NULL)
    g_settings_set_enum (self->settings, "environment", environment);
  if (self->portal != NULL && environment == zid_backend_get_environment (self->portal))
    return;
  gtk_widget_activate_action (GTK_WIDGET (self), "app.open-environment", "s",
                              zid_environment_to_string (environment));
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
zid_preferences_window_dispose (GObject *object)
{
  ZidPreferencesWindow *self = ZID_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), ZID_TYPE_PREFERENCES_WINDOW);
  G_OBJECT_CLASS (zid_preferences_window_parent_class)->dispose (object);
}

static void
zid_preferences_window_finalize (GObject *object)
{
  ZidPreferencesWindow *self = ZID_PREFERENCES_WINDOW (object);

  g_clear_object (&self->portal);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (zid_preferences_window_parent_class)->finalize (object);
}

static void
zid_preferences_window_class_init (ZidPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = zid_preferences_window_dispose;
  object_class->finalize = zid_preferences_window_finalize;

  g_type_ensure (ZID_TYPE_TRUST_GROUP);

  gtk_widget_class_set_template_from_resource (widget_class, "/nl/zorgid/Portaal/ui/zid-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ZidPreferencesWindow, environment_row);
  gtk_widget_class_bind_template_child (widget_class, ZidPreferencesWindow, pkcs11_row);
  gtk_widget_class_bind_template_child (widget_class, ZidPreferencesWindow, trust_page);
  gtk_widget_class_bind_template_child (widget_class, ZidPreferencesWindow, uzi_trust_group);
  gtk_widget_class_bind_template_child (widget_class, ZidPreferencesWindow, operator_trust_group);
  gtk_widget_class_bind_template_child (widget_class, ZidPreferencesWindow, service_address_row);
  gtk_widget_class_bind_template_callback (widget_class, on_service_address_apply);
}

static void
zid_preferences_window_init (ZidPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

ZidPreferencesWindow *
zid_preferences_window_new (GtkWindow  *parent,
                            ZidBackend *portal,
                            GSettings  *settings)
{
  ZidPreferencesWindow *self = g_object_new (ZID_TYPE_PREFERENCES_WINDOW,
                                             "application", parent ? gtk_window_get_application (parent) : NULL,
                                             "transient-for", parent,
                                             "modal", TRUE,
                                             NULL);

  self->portal = portal ? g_object_ref (portal) : NULL;
  if (settings != NULL)
    {
      self->settings = g_object_ref (settings);
      g_settings_bind (settings, "pkcs11-module-path", self->pkcs11_row, "text", G_SETTINGS_BIND_DEFAULT);
      adw_combo_row_set_selected (self->environment_row, g_settings_get_enum (settings, "environment"));
    }
  /* The environment of the window these preferences belong to */
  if (self->portal != NULL)
    adw_combo_row_set_selected (self->environment_row, zid_backend_get_environment (self->portal));
  g_signal_connect_swapped (self->environment_row, "notify::selected", G_CALLBACK (on_environment_selected), self);
  if (self->portal != NULL)
    {
      zid_work_run (self, self->portal, get_address_worker, NULL, NULL, g_free,
                    self->cancellable, get_address_done, self->cancellable);
      zid_trust_group_load (self->uzi_trust_group, self->portal, ZID_TRUST_KIND_UZI);
      zid_trust_group_load (self->operator_trust_group, self->portal, ZID_TRUST_KIND_OPERATOR);
    }
  return self;
}

void
zid_preferences_window_show_trust (ZidPreferencesWindow *self)
{
  g_return_if_fail (ZID_IS_PREFERENCES_WINDOW (self));
  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (self), ADW_PREFERENCES_PAGE (self->trust_page));
}
