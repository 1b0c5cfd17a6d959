/* zid-readiness-page.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "zid-readiness-page.h"
#include "zid-readiness.h"
#include "zid-ui-util.h"

struct _ZidReadinessPage
{
  GtkBox         parent_instance;

  /* template */
  GtkLabel      *summary;
  GtkSpinner    *spinner;
  GtkListBox    *list;

  /* owned */
  ZidBackend    *portal;
  ZidCardConfig *config;
  guint16        port;
  gboolean       own_service;
  GCancellable  *cancellable;
};

G_DEFINE_FINAL_TYPE (ZidReadinessPage, zid_readiness_page, GTK_TYPE_BOX)

const char *
zid_readiness_action_label (const char *action)
{
  if (g_strcmp0 (action, ZID_READINESS_ACTION_UZI_TRUST) == 0)
    return _("Add UZI Certificates…");
  if (g_strcmp0 (action, ZID_READINESS_ACTION_OPERATOR_TRUST) == 0)
    return _("Registration File Signer…");
  if (g_strcmp0 (action, ZID_READINESS_ACTION_IMPORT_REGISTRATION) == 0)
    return _("Import Registration File…");
  if (g_strcmp0 (action, ZID_READINESS_ACTION_VALIDATE) == 0)
    return _("Validate the Organisation");
  if (g_strcmp0 (action, ZID_READINESS_ACTION_PREFERENCES) == 0)
    return _("Preferences");
  return _("Fix");
}

static const char *
state_icon (ZidReadinessState state)
{
  switch (state)
    {
    case ZID_READINESS_OK:      return "emblem-ok-symbolic";
    case ZID_READINESS_WARNING: return "dialog-warning-symbolic";
    case ZID_READINESS_FAILED:
    default:                    return "dialog-error-symbolic";
    }
}

static const char *
state_label (ZidReadinessState state)
{
  switch (state)
    {
    case ZID_READINESS_OK:      return _("In order");
    case ZID_READINESS_WARNING: return _("Attention");
    case ZID_READINESS_FAILED:
    default:                    return _("Missing");
    }
}

static void
on_copy_clicked (GtkButton *button)
{
  const char *command = g_object_get_data (G_OBJECT (button), "zid-command");

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), command);
  zid_ui_show_toast (GTK_WIDGET (button), _("Command copied"));
}

static GtkWidget *
check_row (const ZidReadinessCheck *check)
{
  GtkWidget *row = zid_ui_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (state_icon (check->state));
  g_autofree char *subtitle = NULL;
  g_autofree char *name = NULL;

  /* Translators: "Kaartdienst (pcscd): In orde" — the row's accessible name */
  name = g_strdup_printf (_("%s: %s"), check->title, state_label (check->state));
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  state_label (check->state), -1);
  gtk_widget_set_tooltip_text (icon, state_label (check->state));
  gtk_widget_add_css_class (icon, check->state == ZID_READINESS_OK ? "success"
                                  : check->state == ZID_READINESS_WARNING ? "warning" : "error");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), check->title);
  if (check->state != ZID_READINESS_OK && check->command != NULL && check->action == NULL)
    /* Translators: the check's meaning, then the command that fixes it */
    subtitle = g_strdup_printf (_("%s\nCommand: %s"), check->description, check->command);
  else
    subtitle = g_strdup (check->description);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, subtitle, -1);

  if (check->action != NULL)
    {
      GtkWidget *button = gtk_button_new_with_label (zid_readiness_action_label (check->action));
      /* Translators: "Organisatieregistratie: Registratiebestand importeren…" */
      g_autofree char *fix = g_strdup_printf (_("%s: %s"), check->title, zid_readiness_action_label (check->action));

      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, fix, -1);

      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), check->action);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }
  else if (check->command != NULL && check->state != ZID_READINESS_OK)
    {
      GtkWidget *button = gtk_button_new_from_icon_name ("edit-copy-symbolic");
      g_autofree char *copy = g_strdup_printf (_("Copy the command: %s"), check->title);

      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (button, _("Copy the command"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, copy, -1);
      g_object_set_data_full (G_OBJECT (button), "zid-command", g_strdup (check->command), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (on_copy_clicked), NULL);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }
  return row;
}

static gboolean
any_warning (GPtrArray *checks)
{
  for (guint i = 0; i < checks->len; i++)
    if (((ZidReadinessCheck *) g_ptr_array_index (checks, i))->state != ZID_READINESS_OK)
      return TRUE;
  return FALSE;
}

static void
run_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(ZidReadinessPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) checks = zid_readiness_run_finish (ZID_BACKEND (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  gtk_spinner_set_spinning (self->spinner, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  zid_ui_clear_list_box (self->list);
  if (checks == NULL)
    {
      gtk_label_set_text (self->summary, error->message);
      return;
    }
  for (guint i = 0; i < checks->len; i++)
    gtk_list_box_append (self->list, check_row (g_ptr_array_index (checks, i)));
  gtk_label_set_text (self->summary, zid_readiness_any_failed (checks)
                      ? _("Something is still missing. Each line says what it means and how to fix it.")
                      : any_warning (checks)
                      ? _("Almost ready: the lines marked for attention say what is still to be done.")
                      : _("Everything is ready."));
}

static void
run (ZidReadinessPage *self)
{
  if (self->portal == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  gtk_label_set_text (self->summary, _("Checking…"));
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), TRUE);
  gtk_spinner_set_spinning (self->spinner, TRUE);
  zid_readiness_run_async (self->portal, self->config, self->port,
                           self->own_service ? ZID_READINESS_OWN_SERVICE : ZID_READINESS_NONE,
                           self->cancellable, run_done, g_object_ref (self));
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  run (ZID_READINESS_PAGE (widget));
}

void
zid_readiness_page_run (ZidReadinessPage    *self,
                        ZidBackend          *portal,
                        const ZidCardConfig *config,
                        guint16              port,
                        gboolean             own_service)
{
  g_return_if_fail (ZID_IS_READINESS_PAGE (self));
  g_return_if_fail (ZID_IS_BACKEND (portal));

  g_set_object (&self->portal, portal);
  g_clear_pointer (&self->config, zid_card_config_free);
  self->config = config ? zid_card_config_copy (config) : NULL;
  self->port = port;
  self->own_service = own_service;
  run (self);
}

static void
zid_readiness_page_dispose (GObject *object)
{
  ZidReadinessPage *self = ZID_READINESS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), ZID_TYPE_READINESS_PAGE);
  G_OBJECT_CLASS (zid_readiness_page_parent_class)->dispose (object);
}

static void
zid_readiness_page_finalize (GObject *object)
{
  ZidReadinessPage *self = ZID_READINESS_PAGE (object);

  g_clear_object (&self->portal);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->config, zid_card_config_free);
  G_OBJECT_CLASS (zid_readiness_page_parent_class)->finalize (object);
}

static void
zid_readiness_page_class_init (ZidReadinessPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = zid_readiness_page_dispose;
  object_class->finalize = zid_readiness_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/nl/zorgid/Portaal/ui/zid-readiness-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ZidReadinessPage, summary);
  gtk_widget_class_bind_template_child (widget_class, ZidReadinessPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, ZidReadinessPage, list);

  gtk_widget_class_install_action (widget_class, "readiness.refresh", NULL, refresh_action);
}

static void
zid_readiness_page_init (ZidReadinessPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}
