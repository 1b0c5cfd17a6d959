/* zid-register-dialog.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "zid-organisation-choice.h"
#include "zid-register-dialog.h"
#include "zid-search.h"
#include "zid-ui-util.h"
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
  ZidBackend    *portal;
  GCancellable  *cancellable;
  GPtrArray     *organisations;   /* ZidOrganisation, where the actor may register */
  gint64         actor;
  gboolean       saving;
  gboolean       confirmed;       /* "Toch registreren": no second look-up */
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
  char   *birth_date;   /* JJJJ-MM-DD when typed as a date */
  gboolean look_up;     /* first look for the same person */
} Register;

/* What the worker found: the person already there, or the enrolment of
 * the one just registered */
typedef struct
{
  ZidUser        *existing;
  ZidOneTimeCode *enrolment;
} Outcome;

static void
outcome_free (Outcome *o)
{
  g_clear_object (&o->existing);
  g_clear_pointer (&o->enrolment, zid_one_time_code_free);
  g_free (o);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Outcome, outcome_free)

/* A user the actor manages who is @r's person (the core decides it as the
 * import does); NULL when none */
static ZidUser *
find_same_person (ZidBackend      *portal,
                  const Register  *r,
                  GError         **error)
{
  g_autoptr(GPtrArray) users = zid_backend_find_same_person (portal, r->actor, r->first_name,
                                                            r->last_name, r->birth_date, error);

  return users != NULL && users->len > 0 ? g_object_ref (g_ptr_array_index (users, 0)) : NULL;
}

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
register_worker (ZidBackend  *portal,
                 gpointer     data,
                 GError     **error)
{
  Register *r = data;
  g_autofree Outcome *outcome = g_new0 (Outcome, 1);

  if (r->look_up)
    {
      GError *local = NULL;

      outcome->existing = find_same_person (portal, r, &local);
      if (local != NULL)
        {
          g_propagate_error (error, local);
          return NULL;
        }
      if (outcome->existing != NULL)
        return g_steal_pointer (&outcome);
    }
  outcome->enrolment = zid_backend_register_user (portal, r->actor, r->organisation,
                                                 r->first_name, r->last_name, r->birth_date, error);
  return outcome->enrolment != NULL ? g_steal_pointer (&outcome) : NULL;
}

static void save_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param);

static gboolean
destroy_later (gpointer window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  return G_SOURCE_REMOVE;
}

static void
on_duplicate_response (AdwMessageDialog  *message,
                       const char        *response,
                       ZidRegisterDialog *self)
{
  gint64 user = *(gint64 *) g_object_get_data (G_OBJECT (message), "user");
  if (g_strcmp0 (response, "register") == 0)
    {
      self->confirmed = TRUE;
      save_action (GTK_WIDGET (self), NULL, NULL);
    }
  else if (g_strcmp0 (response, "open") == 0)
    {
      GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

      if (parent != NULL)
        gtk_widget_activate_action (GTK_WIDGET (parent), "win.manage-user", "x", user);
      /* Once the question has closed itself: it goes with this dialog */
      g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, destroy_later, g_object_ref (self), g_object_unref);
    }
}

/* "Jan de Vries (geboren 12-03-1980) is al geregistreerd bij Zorg Oost." */
static void
ask_about_duplicate (ZidRegisterDialog *self,
                     ZidUser           *existing)
{
  GPtrArray *memberships = zid_user_get_memberships (existing);
  g_autoptr(GString) organisations = g_string_new (NULL);
  g_autofree char *born = zid_ui_format_date (zid_user_get_birth_date (existing));
  g_autofree char *body = NULL;
  AdwMessageDialog *message;
  gint64 *user = g_new (gint64, 1);

  for (guint i = 0; memberships != NULL && i < memberships->len; i++)
    {
      ZidMembership *m = g_ptr_array_index (memberships, i);

      if (organisations->len > 0)
        g_string_append (organisations, ", ");
      g_string_append (organisations, m->organisation_name);
    }
  body = g_strdup_printf (_("%s (born %s) is already registered with %s."),
                          zid_user_get_display_name (existing), born, organisations->str);
  message = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Already Registered"), body));
  adw_message_dialog_add_responses (message,
                                    "cancel", _("_Cancel"),
                                    "register", _("_Register Anyway"),
                                    "open", _("_Go to User"),
                                    NULL);
  adw_message_dialog_set_response_appearance (message, "open", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (message, "open");
  adw_message_dialog_set_close_response (message, "cancel");
  *user = zid_user_get_id (existing);
  g_object_set_data_full (G_OBJECT (message), "user", user, g_free);
  g_signal_connect_object (message, "response", G_CALLBACK (on_duplicate_response), self, 0);
  gtk_window_present (GTK_WINDOW (message));
}

static void
register_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Outcome) outcome = zid_work_finish (result, &error);
  ZidRegisterDialog *self;
  g_autofree char *person = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ZID_REGISTER_DIALOG (source);
  self->saving = FALSE;
  update_actions (self);
  if (outcome == NULL)
    {
      show_error (self, error->message);
      return;
    }
  if (outcome->existing != NULL)
    {
      ask_about_duplicate (self, outcome->existing);
      return;
    }
  person = g_strdup_printf ("%s %s",
                            g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->first_name_entry)))),
                            gtk_editable_get_text (GTK_EDITABLE (self->last_name_entry)));
  g_object_ref (self);
  gtk_window_destroy (GTK_WINDOW (self));
  g_signal_emit (self, signals[REGISTERED], 0, outcome->enrolment, person);
  g_object_unref (self);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  ZidRegisterDialog *self = ZID_REGISTER_DIALOG (widget);
  guint selected = gtk_drop_down_get_selected (self->organisation_dropdown);
  g_autofree char *birth_date = NULL;
  char iso[11];
  Register *r;

  if (self->saving || self->organisations == NULL || selected >= self->organisations->len)
    return;
  birth_date = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->birth_date_entry))));
  if (*birth_date == '\0')
    {
      show_error (self, _("Fill in the birth date."));
      gtk_widget_grab_focus (GTK_WIDGET (self->birth_date_entry));
      return;
    }
  show_error (self, NULL);
  r = g_new0 (Register, 1);
  r->actor = self->actor;
  r->organisation = ((ZidOrganisation *) g_ptr_array_index (self->organisations, selected))->id;
  r->first_name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->first_name_entry))));
  r->last_name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->last_name_entry))));
  /* Typed as DD-MM-JJJJ or JJJJ-MM-DD; anything else goes to the core as
   * typed, which says what is wrong with it */
  r->birth_date = zid_search_parse_birth_date (birth_date, iso) ? g_strdup (iso) : g_steal_pointer (&birth_date);
  r->look_up = !self->confirmed;
  self->confirmed = FALSE;
  self->saving = TRUE;
  update_actions (self);
  zid_work_run (self, self->portal, register_worker, r, register_free,
                (GDestroyNotify) outcome_free, self->cancellable, register_done, NULL);
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
zid_register_dialog_new (GtkWindow  *parent,
                         ZidBackend *portal,
                         gint64      actor)
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
