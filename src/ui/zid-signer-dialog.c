/* zid-signer-dialog.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "zid-signer-dialog.h"
#include "zid-ui-util.h"

struct _ZidSignerDialog
{
  AdwWindow   parent_instance;

  /* template */
  GtkLabel   *intro;
  GtkListBox *details;
  GtkEntry   *fingerprint_entry;
  GtkLabel   *error_label;

  /* owned */
  char       *fingerprint;
  gboolean    answered;
};

G_DEFINE_FINAL_TYPE (ZidSignerDialog, zid_signer_dialog, ADW_TYPE_WINDOW)

enum { CONFIRMED, CANCELLED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* The hex digits of @text, upper case; NULL when anything but hex digits,
 * colons and white space is in it */
static char *
fingerprint_digits (const char *text)
{
  GString *hex = g_string_new (NULL);

  for (const char *p = text; p != NULL && *p != '\0'; p++)
    {
      if (g_ascii_isxdigit (*p))
        g_string_append_c (hex, g_ascii_toupper (*p));
      else if (*p != ':' && !g_ascii_isspace (*p))
        {
          g_string_free (hex, TRUE);
          return NULL;
        }
    }
  return g_string_free (hex, FALSE);
}

gboolean
zid_signer_fingerprint_matches (const char *typed,
                                const char *expected)
{
  g_autofree char *a = fingerprint_digits (typed);
  g_autofree char *b = fingerprint_digits (expected);

  return a != NULL && b != NULL && strlen (b) == 64 && strcmp (a, b) == 0;
}

static void
add_row (ZidSignerDialog *self,
         const char      *title,
         const char      *value,
         gboolean         monospace)
{
  GtkWidget *row = zid_ui_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value && *value ? value : "–");
  gtk_widget_add_css_class (row, "property");
  if (monospace)
    gtk_widget_add_css_class (row, "monospace");
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  value ? value : "", -1);
  gtk_list_box_append (self->details, row);
}

static void
confirm_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  ZidSignerDialog *self = ZID_SIGNER_DIALOG (widget);
  const char *typed = gtk_editable_get_text (GTK_EDITABLE (self->fingerprint_entry));

  if (!zid_signer_fingerprint_matches (typed, self->fingerprint))
    {
      gtk_label_set_text (self->error_label,
        *typed == '\0'
        ? _("Enter the fingerprint that VZVZ gave you.")
        : _("This is not the fingerprint of the file's root certificate. Nothing has been trusted or "
            "imported. Check the fingerprint with VZVZ; if it really differs, do not use this file."));
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      gtk_widget_add_css_class (GTK_WIDGET (self->fingerprint_entry), "error");
      gtk_widget_grab_focus (GTK_WIDGET (self->fingerprint_entry));
      return;
    }
  self->answered = TRUE;
  g_signal_emit (self, signals[CONFIRMED], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  gtk_window_close (GTK_WINDOW (widget));
}

static gboolean
zid_signer_dialog_close_request (GtkWindow *window)
{
  ZidSignerDialog *self = ZID_SIGNER_DIALOG (window);

  if (!self->answered)
    {
      self->answered = TRUE;
      g_signal_emit (self, signals[CANCELLED], 0);
    }
  return GTK_WINDOW_CLASS (zid_signer_dialog_parent_class)->close_request (window);
}

static void
on_entry_changed (ZidSignerDialog *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->fingerprint_entry), "error");
}

static void
on_entry_activate (ZidSignerDialog *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "signer.confirm", NULL);
}

static void
zid_signer_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), ZID_TYPE_SIGNER_DIALOG);
  G_OBJECT_CLASS (zid_signer_dialog_parent_class)->dispose (object);
}

static void
zid_signer_dialog_finalize (GObject *object)
{
  g_free (ZID_SIGNER_DIALOG (object)->fingerprint);
  G_OBJECT_CLASS (zid_signer_dialog_parent_class)->finalize (object);
}

static void
zid_signer_dialog_class_init (ZidSignerDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = zid_signer_dialog_dispose;
  object_class->finalize = zid_signer_dialog_finalize;
  window_class->close_request = zid_signer_dialog_close_request;

  signals[CONFIRMED] = g_signal_new ("confirmed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[CANCELLED] = g_signal_new ("cancelled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/nl/zorgid/Portaal/ui/zid-signer-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ZidSignerDialog, intro);
  gtk_widget_class_bind_template_child (widget_class, ZidSignerDialog, details);
  gtk_widget_class_bind_template_child (widget_class, ZidSignerDialog, fingerprint_entry);
  gtk_widget_class_bind_template_child (widget_class, ZidSignerDialog, error_label);

  gtk_widget_class_install_action (widget_class, "signer.confirm", NULL, confirm_action);
  gtk_widget_class_install_action (widget_class, "signer.cancel", NULL, cancel_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "signer.cancel", NULL);
}

static void
zid_signer_dialog_init (ZidSignerDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_swapped (self->fingerprint_entry, "changed", G_CALLBACK (on_entry_changed), self);
  g_signal_connect_swapped (self->fingerprint_entry, "activate", G_CALLBACK (on_entry_activate), self);
}

ZidSignerDialog *
zid_signer_dialog_new (GtkWindow                     *parent,
                       const ZidRegistrationFileInfo *info)
{
  ZidSignerDialog *self;
  g_autofree char *intro = NULL;
  g_autofree char *registration = NULL;

  g_return_val_if_fail (info != NULL && info->registration != NULL, NULL);

  self = g_object_new (ZID_TYPE_SIGNER_DIALOG, "transient-for", parent, NULL);
  self->fingerprint = g_strdup (info->root_fingerprint);
  intro = g_strdup_printf (_("This registration file is signed by %s, but this portal does not trust that "
                             "signer yet. Nothing has been imported."),
                           info->signer_organisation);
  gtk_label_set_text (self->intro, intro);
  /* Translators: "Huisartsenpraktijk De Linde (URA 12345678)" */
  registration = g_strdup_printf (_("%s (URA %s)"), info->registration->name, info->registration->ura);
  add_row (self, _("Registration"), registration, FALSE);
  add_row (self, _("Signed by"), info->signer_organisation, FALSE);
  add_row (self, _("Root certificate"), info->root_subject, FALSE);
  add_row (self, _("Fingerprint (SHA-256)"), info->root_fingerprint, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->fingerprint_entry));
  return self;
}
