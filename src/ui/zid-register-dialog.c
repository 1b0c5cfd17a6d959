/* zid-register-dialog.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <glib/gi18n.h>

#include "zid-organisation-choice.h"
#include "zid-register-dialog.h"
#include "zid-work.h"

struct _ZidRegisterDialog
{
  AdwWindow      parent_instance;

  /* template */
  GtkDropDown   *organisation_dropdown;
  GtkEntry      *first_name_entry;
  GtkEntry      *last_name_entry;
  GtkEntry      *birth_date_entry;
  GtkLabel      *error_label;

  /* owned */
  ZidPortal     *portal;
  GCancellable  *cancellable;
  GPtrArray     *organisations;   /* ZidOrganisation, where the actor may register */
  gint64         actor;
  gboolean       saving;
};

G_DEFINE_FINAL_TYPE (ZidRegisterDialog, zid_register_dialog, ADW_TYPE_WINDOW)

enum { REGISTERED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
show_error (ZidRegisterDialog *self,
            const char        *message)
{
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
update_actions (ZidRegisterDialog *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "register.save",
                                 !self->saving && self->organisations != NULL &&
                                 self->organisations->len > 0);
}

static void
organisations_done (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *orgs = zid_work_finish (result, &error);
  ZidRegisterDialog *self;
  const char *message;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ZID_REGISTER_DIALOG (source);
  message = zid_organisation_choice_set (self->organisation_dropdown, &self->organisations, orgs, error,
                                         _("You may not register users in any organisation."));
  if (message != NULL)
    show_error (self, message);
  if (self->organisations != NULL)
    update_actions (self);
}

typedef struct
{
  gint64  actor;
  gint64  organisation;
  char   *first_name;
  char   *last_name;
  char   *birth_date;
} Register;

static void
register_free (gpointer p)
{
  Register *r = p;

  g_free (r->first_name);
  g_free (r->last_name);
  g_free (r->birth_date);
  g_free (r);
}

static gpointer
register_worker (ZidPortal *portal,
                 gpointer   data,
                 GError   **error)
{
  Register *r = data;

  return zid_portal_register_user (portal, r->actor, r->organisation,
                                   r->first_name, r->last_name, r->birth_date, error);
}

static void
register_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOneTimeCode) enrolment = zid_work_finish (result, &error);
  ZidRegisterDialog *self;
  g_autofree char *person = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ZID_REGISTER_DIALOG (source);
  self->saving = FALSE;
  update_actions (self);
  if (enrolment == NULL)
    {
      show_error (self, error->message);
      return;
    }
  person = g_strdup_printf ("%s %s",
                            g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->first_name_entry)))),
                            gtk_editable_get_text (GTK_EDITABLE (self->last_name_entry)));
  g_object_ref (self);
  gtk_window_destroy (GTK_WINDOW (self));
  g_signal_emit (self, signals[REGISTERED], 0, enrolment, person);
  g_object_unref (self);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  ZidRegisterDialog *self = ZID_REGISTER_DIALOG (widget);
  guint selected = gtk_drop_down_get_selected (self->organisation_dropdown);
  Register *r;

  if (self->saving || self->organisations == NULL || selected >= self->organisations->len)
    return;
  show_error (self, NULL);
  r = g_new0 (Register, 1);
  r->actor = self->actor;
  r->organisation = ((ZidOrganisation *) g_ptr_array_index (self->organisations, selected))->id;
  r->first_name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->first_name_entry))));
  r->last_name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->last_name_entry))));
  r->birth_date = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->birth_date_entry))));
  self->saving = TRUE;
  update_actions (self);
  zid_work_run (self, self->portal, register_worker, r, register_free,
                (GDestroyNotify) zid_one_time_code_free, self->cancellable, register_done, NULL);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  gtk_window_destroy (GTK_WINDOW (widget));
}

static void
zid_register_dialog_dispose (GObject *object)
{
  ZidRegisterDialog *self = ZID_REGISTER_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), ZID_TYPE_REGISTER_DIALOG);
  G_OBJECT_CLASS (zid_register_dialog_parent_class)->dispose (object);
}

static void
zid_register_dialog_finalize (GObject *object)
{
  ZidRegisterDialog *self = ZID_REGISTER_DIALOG (object);

  g_clear_object (&self->portal);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->organisations, g_ptr_array_unref);
  G_OBJECT_CLASS (zid_register_dialog_parent_class)->finalize (object);
}

/* Typing starts with the first name, not in the organisation choice. Once
 * shown: focused while being built, the dialog lost its window role to
 * assistive technologies */
static void
zid_register_dialog_show (GtkWidget *widget)
{
  ZidRegisterDialog *self = ZID_REGISTER_DIALOG (widget);

  GTK_WIDGET_CLASS (zid_register_dialog_parent_class)->show (widget);
  gtk_widget_grab_focus (GTK_WIDGET (self->first_name_entry));
}

static void
zid_register_dialog_class_init (ZidRegisterDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->show = zid_register_dialog_show;

  object_class->dispose = zid_register_dialog_dispose;
  object_class->finalize = zid_register_dialog_finalize;

  signals[REGISTERED] = g_signal_new ("registered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                      G_TYPE_POINTER, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/nl/zorgid/Portaal/ui/zid-register-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ZidRegisterDialog, organisation_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ZidRegisterDialog, first_name_entry);
  gtk_widget_class_bind_template_child (widget_class, ZidRegisterDialog, last_name_entry);
  gtk_widget_class_bind_template_child (widget_class, ZidRegisterDialog, birth_date_entry);
  gtk_widget_class_bind_template_child (widget_class, ZidRegisterDialog, error_label);

  gtk_widget_class_install_action (widget_class, "register.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "register.cancel", NULL, cancel_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "register.cancel", NULL);
}

static void
zid_register_dialog_init (ZidRegisterDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

ZidRegisterDialog *
zid_register_dialog_new (GtkWindow *parent,
                         ZidPortal *portal,
                         gint64     actor)
{
  ZidRegisterDialog *self;

  self = g_object_new (ZID_TYPE_REGISTER_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       NULL);
  self->portal = g_object_ref (portal);
  self->actor = actor;
  update_actions (self);
  zid_organisation_choice_load (self, portal, actor, ZID_ACTION_REGISTER_USER, self->cancellable,
                                organisations_done);
  return self;
}
