/* zid-validate-page.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "zid-card-completion.h"
#include "zid-qr-window.h"
#include "zid-readiness-page.h"
#include "zid-readiness.h"
#include "zid-registration-file.h"
#include "zid-service.h"
#include "zid-signer-dialog.h"
#include "zid-uzi-roles.h"
#include "zid-work.h"
#include "zid-ui-util.h"
#include "zid-validate-page.h"

struct _ZidValidatePage
{
  GtkBox           parent_instance;

  /* template */
  GtkStack        *stack;
  GtkLabel        *start_message;
  AdwStatusPage   *card_status;
  GtkSpinner      *card_spinner;
  GtkLabel        *card_progress;
  GtkLabel        *card_message;
  GtkWidget       *pin_group;
  GtkLabel        *pin_holder;
  GtkPasswordEntry *pin_entry;
  GtkLabel        *pin_message;
  GtkButton       *pin_button;
  AdwStatusPage   *refused_status;
  GtkWidget       *refused_import;
  GtkWidget       *refused_retry;
  GtkWidget       *refused_fix;
  GtkListBox      *registration_list;
  GtkListBox      *card_list;
  GtkListBox      *holder_list;
  GtkEntry        *birth_entry;
  GtkLabel        *birth_error;
  AdwStatusPage   *waiting_status;
  AdwStatusPage   *done_status;

  /* borrowed: nothing */

  /* owned */
  ZidBackend      *portal;
  ZidService      *service;
  ZidCardConfig   *config;
  ZidCardMonitor  *monitor;
  GCancellable    *cancellable;    /* the card or portal call running now */
  ZidCardCompletion *flow;         /* the card in the reader: read, verified */
  ZidCompletion   *completion;
  GtkWindow       *qr_window;      /* weak */
  gboolean         busy;
  gboolean         confirmed;      /* completed: the card may leave */
  char            *import_path;    /* the registration file being imported */
  char            *signer_organisation;
};

G_DEFINE_FINAL_TYPE (ZidValidatePage, zid_validate_page, GTK_TYPE_BOX)

enum { FINISHED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void begin_read (ZidValidatePage *self);

/* What the page finds missing before a card can be checked (not a
 * refusal of the card) */
typedef enum
{
  MISSING_CHECK,   /* a readiness check failed; the message is its meaning */
} Missing;

static G_DEFINE_QUARK (zid-validate-missing, missing)
#define MISSING (missing_quark ())

static void show_refused_with (ZidValidatePage *self, const GError *error, const char *fix_action);

/* ---- Helpers ------------------------------------------------------------ */

static char *
holder_name (ZidUziIdentity *identity)
{
  return g_strdup_printf ("%s %s", zid_uzi_identity_get_given_name (identity),
                          zid_uzi_identity_get_surname (identity));
}

/* The card has been read (and maybe verified) */
static gboolean
has_card (ZidValidatePage *self)
{
  return self->flow != NULL && zid_card_completion_get_identity (self->flow) != NULL;
}

static const char *
organisation_name (ZidValidatePage *self)
{
  const ZidRegistration *r = self->flow ? zid_card_completion_get_registration (self->flow) : NULL;

  return r != NULL ? r->name : "";
}

static const char *
card_type_label (char type)
{
  switch (type)
    {
    case 'Z': return _("Z — care provider card");
    case 'N': return _("N — named employee card");
    case 'M': return _("M — unnamed employee card");
    case 'S': return _("S — server certificate");
    default:  return "?";
    }
}

static void
add_row (GtkListBox *box,
         const char *title,
         const char *value)
{
  GtkWidget *row = zid_ui_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value && *value ? value : "–");
  gtk_widget_add_css_class (row, "property");
  gtk_list_box_append (box, row);
}

static void
new_operation (ZidValidatePage *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
}

static void
set_busy (ZidValidatePage *self,
          const char      *progress)
{
  self->busy = progress != NULL;
  gtk_spinner_set_spinning (self->card_spinner, self->busy);
  gtk_widget_set_visible (GTK_WIDGET (self->card_spinner), self->busy);
  gtk_label_set_text (self->card_progress, progress ? progress : "");
  gtk_widget_set_visible (GTK_WIDGET (self->card_progress), self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->pin_entry), !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "validate.pin", !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "validate.confirm", !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "validate.birth-date", !self->busy);
}

static void
clear_pin_entry (ZidValidatePage *self)
{
  zid_ui_clear_pin_entry (GTK_EDITABLE (self->pin_entry));
}

static void
forget_card (ZidValidatePage *self)
{
  g_clear_object (&self->flow);
  clear_pin_entry (self);
  gtk_editable_set_text (GTK_EDITABLE (self->birth_entry), "");
  gtk_widget_set_visible (GTK_WIDGET (self->birth_error), FALSE);
}

static const char *
environment_name (ZidValidatePage *self)
{
  return zid_environment_to_string (zid_backend_get_environment (self->portal));
}

static gboolean
is_missing (const GError *error)
{
  return error->domain == MISSING;
}

/* What a refusal means for the person: one reason, the one that is true,
 * and where to go from there */
static char *
describe_refusal (ZidValidatePage *self,
                  const GError    *error)
{
  ZidUziIdentity *id = has_card (self) ? zid_card_completion_get_identity (self->flow) : NULL;

  if (error->domain == ZID_CARD_ERROR)
    switch (error->code)
      {
      case ZID_CARD_ERROR_EXPIRED:
      case ZID_CARD_ERROR_NOT_YET_VALID:
        return g_strdup_printf ("%s\n\n%s", error->message,
                                _("Use a valid UZI card; request a new card from the UZI register."));
      case ZID_CARD_ERROR_UNTRUSTED:
      case ZID_CARD_ERROR_OID_CA_NOT_ALLOWED:
        return g_strdup_printf (_("This card was not issued by a UZI register that is trusted for the %s "
                                  "environment. Use a card of that register, or add the register's "
                                  "certificates under Trusted UZI Certificates in Preferences."),
                                environment_name (self));
      case ZID_CARD_ERROR_PIN_LOCKED:
        return g_strdup_printf ("%s\n\n%s", error->message,
                                _("Have the PIN of your UZI card unblocked with the PUK code from the UZI register."));
      default:
        if (zid_card_error_is_refusal (error))
          return g_strdup_printf ("%s\n\n%s", error->message,
                                  _("This card is not a UZI card that can complete a registration."));
        break;
      }
  else if (g_error_matches (error, ZID_ERROR, ZID_ERROR_NO_REGISTRATION))
    /* Never the operator's fault before the file has been imported */
    return g_strdup_printf (_("No registration for URA %s has been imported in this portal yet. Import the "
                              "registration file you received from VZVZ for this organisation, then try again."),
                            id ? zid_uzi_identity_get_subscriber_number (id) : "?");
  else if (g_error_matches (error, ZID_ERROR, ZID_ERROR_NOT_PERMITTED))
    return g_strdup_printf ("%s\n\n%s", error->message,
                            _("Only a personal UZI card (type Z or N) of the organisation completes its registration."));
  else if (g_error_matches (error, ZID_ERROR, ZID_ERROR_REGISTRATION_COMPLETED))
    return g_strdup_printf ("%s\n\n%s", error->message,
                            _("An administrator of the organisation can register you; log in with your ZORG-ID."));
  return g_strdup (error->message);
}

/* Retrying helps where something can change by itself or by the person's
 * hand: not for a blocked PIN, a completed registration, missing trust */
static gboolean
retry_helps (const GError *error)
{
  return !g_error_matches (error, ZID_CARD_ERROR, ZID_CARD_ERROR_PIN_LOCKED) &&
         !g_error_matches (error, ZID_ERROR, ZID_ERROR_REGISTRATION_COMPLETED) &&
         !is_missing (error);
}

static void
show_refused (ZidValidatePage *self,
              const GError    *error)
{
  gboolean untrusted = g_error_matches (error, ZID_CARD_ERROR, ZID_CARD_ERROR_UNTRUSTED) ||
                       g_error_matches (error, ZID_CARD_ERROR, ZID_CARD_ERROR_OID_CA_NOT_ALLOWED);

  show_refused_with (self, error, untrusted ? ZID_READINESS_ACTION_UZI_TRUST : NULL);
}

/* @fix_action (nullable): the window's action that removes the reason */
static void
show_refused_with (ZidValidatePage *self,
                   const GError    *error,
                   const char      *fix_action)
{
  g_autofree char *text = describe_refusal (self, error);

  set_busy (self, NULL);
  forget_card (self);
  /* Something to do first is not a refusal */
  adw_status_page_set_title (self->refused_status, is_missing (error) ? _("First Something Else Is Needed")
                                                                      : _("The Registration Cannot Be Completed"));
  adw_status_page_set_icon_name (self->refused_status, is_missing (error) ? "dialog-information-symbolic"
                                                                          : "dialog-error-symbolic");
  adw_status_page_set_description (self->refused_status, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->refused_status),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
  gtk_widget_set_visible (self->refused_import, g_error_matches (error, ZID_ERROR, ZID_ERROR_NO_REGISTRATION));
  gtk_widget_set_visible (self->refused_fix, fix_action != NULL);
  if (fix_action != NULL)
    {
      /* Translators: the accessible name of the button that removes the
       * reason of a refusal, e.g. "Oplossen: Registratiebestand importeren…" */
      g_autofree char *name = g_strdup_printf (_("Fix: %s"), zid_readiness_action_label (fix_action));

      gtk_button_set_label (GTK_BUTTON (self->refused_fix), zid_readiness_action_label (fix_action));
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->refused_fix), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->refused_fix), fix_action);
    }
  gtk_widget_set_visible (self->refused_retry, retry_helps (error));
  gtk_stack_set_visible_child_name (self->stack, "refused");
}

/* ---- The card step ---------------------------------------------------- */

static void
update_card_state (ZidValidatePage *self)
{
  ZidCardMonitorState state;

  if (self->monitor == NULL)
    return;
  state = zid_card_monitor_get_state (self->monitor);
  adw_status_page_set_description (self->card_status,
                                   zid_card_monitor_get_ready (self->monitor)
                                   ? zid_card_monitor_state_describe (state)
                                   : _("Looking for card readers…"));
}

static void
show_card_step (ZidValidatePage *self,
                const char      *message)
{
  new_operation (self);
  set_busy (self, NULL);
  forget_card (self);
  self->confirmed = FALSE;
  gtk_widget_set_visible (self->pin_group, FALSE);
  gtk_label_set_text (self->card_message, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->card_message), message != NULL);
  gtk_stack_set_visible_child_name (self->stack, "card");
  update_card_state (self);
  if (self->monitor != NULL && zid_card_monitor_get_reader_with_card (self->monitor) != NULL)
    begin_read (self);
}

/* Steps before the confirmation: a card taken out sends them back */
static gboolean
card_needed (ZidValidatePage *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);

  return !self->confirmed &&
         (g_strcmp0 (page, "card") == 0 || g_strcmp0 (page, "check") == 0 ||
          g_strcmp0 (page, "holder") == 0 || g_strcmp0 (page, "birth") == 0);
}

static void
on_card_state (ZidValidatePage *self)
{
  update_card_state (self);
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "card") == 0 &&
      !self->busy && !has_card (self) &&
      zid_card_monitor_get_reader_with_card (self->monitor) != NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->card_message), FALSE);
      begin_read (self);
    }
}

static void
on_card_removed (ZidValidatePage *self)
{
  if (card_needed (self) && (has_card (self) || self->busy))
    show_card_step (self, _("The UZI card was taken out of the card reader. Nothing has been stored. "
                            "Insert the card again to continue."));
}

/* Errors that mean "the card is not (or no longer) there": stay on the card step */
static gboolean
is_card_absence (const GError *error)
{
  return g_error_matches (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NO_CARD) ||
         g_error_matches (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NO_READER) ||
         g_error_matches (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NO_SERVICE) ||
         g_error_matches (error, ZID_CARD_ERROR, ZID_CARD_ERROR_CARD_REMOVED) ||
         g_error_matches (error, ZID_CARD_ERROR, ZID_CARD_ERROR_MODULE_LOAD_FAILED) ||
         g_error_matches (error, ZID_CARD_ERROR, ZID_CARD_ERROR_TOKEN);
}

/* What the card step says while no card can be read. No card, or a card
 * that no PKCS#11 module shows (SafeSign not registered with p11-kit, or
 * not forwarded into the Flatpak), look alike from here: the one-time
 * command that makes the card program visible comes with it */
static char *
card_absence_text (const GError *error)
{
  if (g_error_matches (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NO_CARD) ||
      g_error_matches (error, ZID_CARD_ERROR, ZID_CARD_ERROR_MODULE_LOAD_FAILED))
    return g_strdup_printf ("%s\n\n%s\n%s", error->message,
                            _("Is your UZI card in the reader already? Then no card program shows it "
                              "to the portal yet: run this command once, in a terminal:"),
                            zid_readiness_pkcs11_command ());
  return g_strdup (error->message);
}

static void
show_pin_state (ZidValidatePage *self,
                ZidPinState      state,
                int              tries_left)
{
  g_autofree char *text = zid_ui_pin_state_text (state, tries_left);

  gtk_label_set_text (self->pin_message, text);
}

/* Read: the identity without a PIN, its validity, the PIN state, and the
 * pending registration of its URA — before any PIN try is spent */
static void
read_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ZidValidatePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;
  ZidUziIdentity *identity;

  if (!zid_card_completion_read_finish (ZID_CARD_COMPLETION (source), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (ZID_CARD_COMPLETION (source) != self->flow)
    return;
  set_busy (self, NULL);
  if (error != NULL)
    {
      if (is_card_absence (error))
        {
          g_autofree char *absence = card_absence_text (error);

          gtk_label_set_text (self->card_message, absence);
          gtk_widget_set_visible (GTK_WIDGET (self->card_message), TRUE);
        }
      else
        show_refused (self, error);
      return;
    }
  identity = zid_card_completion_get_identity (self->flow);
  name = holder_name (identity);
  /* Translators: "UZI card of Jan de Vries (UZI number 123456789)" */
  text = g_strdup_printf (_("UZI card of %s (UZI number %s)"), name,
                          zid_uzi_identity_get_uzi_number (identity));
  gtk_label_set_text (self->pin_holder, text);
  show_pin_state (self, zid_card_completion_get_pin_state (self->flow),
                  zid_card_completion_get_pin_tries_left (self->flow));
  gtk_widget_set_visible (self->pin_group, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->pin_entry));
}

static void
begin_read (ZidValidatePage *self)
{
  if (self->busy || self->portal == NULL || self->config == NULL)
    return;
  new_operation (self);
  g_clear_object (&self->flow);
  self->flow = zid_card_completion_new (self->portal, self->config, NULL);
  set_busy (self, _("Reading the UZI card…"));
  zid_card_completion_read_async (self->flow, self->cancellable, read_done, g_object_ref (self));
}

/* PIN: login, proof of possession, chain; then the check again with what
 * the verified card says */
static void
fill_check (ZidValidatePage *self)
{
  const ZidRegistration *r = zid_card_completion_get_registration (self->flow);
  ZidUziIdentity *id = zid_card_completion_get_identity (self->flow);
  g_autofree char *name = holder_name (id);
  g_autofree char *role = NULL;

  zid_ui_clear_list_box (self->registration_list);
  add_row (self->registration_list, _("URA"), r->ura);
  add_row (self->registration_list, _("Organisation name"), r->name);
  add_row (self->registration_list, _("AGB code"), r->agb);
  add_row (self->registration_list, _("Address"), r->address);
  add_row (self->registration_list, _("Reference"), r->reference);

  zid_ui_clear_list_box (self->card_list);
  add_row (self->card_list, _("URA (subscriber number)"), zid_uzi_identity_get_subscriber_number (id));
  add_row (self->card_list, _("Organisation on the card"), zid_uzi_identity_get_organisation (id));
  add_row (self->card_list, _("Card holder"), name);
  add_row (self->card_list, _("UZI number"), zid_uzi_identity_get_uzi_number (id));

  zid_ui_clear_list_box (self->holder_list);
  add_row (self->holder_list, _("Name"), name);
  add_row (self->holder_list, _("UZI number"), zid_uzi_identity_get_uzi_number (id));
  role = zid_uzi_role_describe (zid_uzi_identity_get_role (id));
  add_row (self->holder_list, _("Role"), role);
  add_row (self->holder_list, _("Card type"), card_type_label (zid_uzi_identity_get_card_type (id)));
}

static void
verify_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(ZidValidatePage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!zid_card_completion_verify_finish (ZID_CARD_COMPLETION (source), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (ZID_CARD_COMPLETION (source) != self->flow)
    return;
  set_busy (self, NULL);
  if (error != NULL)
    {
      if (g_error_matches (error, ZID_CARD_ERROR, ZID_CARD_ERROR_PIN_INCORRECT) ||
          g_error_matches (error, ZID_CARD_ERROR, ZID_CARD_ERROR_PIN_LENGTH))
        {
          gtk_label_set_text (self->pin_message, error->message);
          gtk_widget_grab_focus (GTK_WIDGET (self->pin_entry));
        }
      else if (is_card_absence (error))
        {
          g_autofree char *absence = card_absence_text (error);

          show_card_step (self, absence);
        }
      else
        show_refused (self, error);
      return;
    }
  fill_check (self);
  gtk_stack_set_visible_child_name (self->stack, "check");
}

static void
pin_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  ZidValidatePage *self = ZID_VALIDATE_PAGE (widget);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->pin_entry));
  g_autoptr(ZidPin) pin = NULL;

  if (self->busy || !has_card (self))
    return;
  if (*text == '\0')
    {
      gtk_label_set_text (self->pin_message, _("Enter the PIN of your UZI card"));
      return;
    }
  new_operation (self);
  pin = zid_pin_new (text, strlen (text));
  /* The PIN leaves the entry at once; the secure buffer holds it */
  clear_pin_entry (self);
  set_busy (self, _("Checking the PIN and signing with the UZI card…"));
  zid_card_completion_verify_async (self->flow, pin, self->cancellable, verify_done,
                                    g_object_ref (self));
}

/* ---- Completion --------------------------------------------------------- */

static void
show_done (ZidValidatePage *self,
           gboolean         existing)
{
  g_autofree char *text = NULL;

  if (existing)
    text = g_strdup_printf (_("The organisation %s has been created and you are its administrator. "
                              "Your existing ZORG-ID has been linked: log in with the ZORG-ID Mobile App."),
                            organisation_name (self));
  else
    text = g_strdup_printf (_("The organisation %s has been created and your ZORG-ID has been added to "
                              "the ZORG-ID Mobile App. You are ready to log in."),
                            organisation_name (self));
  adw_status_page_set_description (self->done_status, text);
  gtk_stack_set_visible_child_name (self->stack, "done");
}

static void
on_enrolled (ZidService      *service,
             gint64           user_id,
             int              purpose,
             const char      *serial,
             ZidValidatePage *self)
{
  if (self->completion != NULL && user_id == self->completion->user_id &&
      g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "waiting") == 0)
    show_done (self, FALSE);
}

static void
on_qr_closed (ZidValidatePage *self)
{
  g_autofree char *text = NULL;

  self->qr_window = NULL;
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "waiting") != 0)
    return;
  text = g_strdup_printf (_("The organisation %s has been created and you are its administrator, but the "
                            "QR code was closed before your ZORG-ID was added. Ask another administrator "
                            "of the organisation for a new certificate, or contact VZVZ."),
                          organisation_name (self));
  adw_status_page_set_title (self->waiting_status, _("ZORG-ID Not Added Yet"));
  adw_status_page_set_description (self->waiting_status, text);
}

static void
complete_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(ZidValidatePage) self = user_data;
  g_autoptr(GError) error = NULL;
  ZidCompletion *completion;
  g_autofree char *person = NULL;
  ZidQrWindow *qr;
  GtkRoot *root;

  completion = zid_card_completion_complete_finish (ZID_CARD_COMPLETION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (ZID_CARD_COMPLETION (source) != self->flow)
    {
      g_clear_pointer (&completion, zid_completion_free);
      return;
    }
  set_busy (self, NULL);
  if (completion == NULL)
    {
      if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "birth") == 0 &&
          g_error_matches (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT))
        {
          gtk_label_set_text (self->birth_error, error->message);
          gtk_widget_set_visible (GTK_WIDGET (self->birth_error), TRUE);
        }
      else
        show_refused (self, error);
      return;
    }
  self->confirmed = TRUE;
  g_clear_pointer (&self->completion, zid_completion_free);
  self->completion = completion;
  if (completion->existing_mobile_id || completion->enrolment == NULL)
    {
      show_done (self, TRUE);
      return;
    }

  /* Fig. 19/20: the enrolment QR in its own window, shown once */
  adw_status_page_set_title (self->waiting_status, _("Scan the QR Code"));
  adw_status_page_set_description (self->waiting_status,
    _("Your organisation has been created and you are its administrator. Open the ZORG-ID Mobile App, "
      "set a PIN if this is the first time, and scan the QR code in the new window to add your ZORG-ID."));
  gtk_stack_set_visible_child_name (self->stack, "waiting");
  person = holder_name (zid_card_completion_get_identity (self->flow));
  root = gtk_widget_get_root (GTK_WIDGET (self));
  qr = zid_qr_window_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, completion->enrolment,
                          person, self->portal, self->service, 0);
  self->qr_window = GTK_WINDOW (qr);
  g_object_add_weak_pointer (G_OBJECT (qr), (gpointer *) &self->qr_window);
  g_signal_connect_object (qr, "destroy", G_CALLBACK (on_qr_closed), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (qr));
}

static void
run_complete (ZidValidatePage *self,
              const char      *birth_date)
{
  if (self->busy || self->flow == NULL || !zid_card_completion_get_verified (self->flow))
    return;
  new_operation (self);
  set_busy (self, _("Creating the organisation…"));
  zid_card_completion_complete_async (self->flow, birth_date, self->cancellable, complete_done,
                                      g_object_ref (self));
}

/* ---- Actions ---------------------------------------------------------- */

/* Before the card step: what the readiness check finds missing for §7
 * (the same checks as "Controle"), each with its one fix */
static void
readiness_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ZidValidatePage) self = user_data;
  g_autoptr(GPtrArray) checks = zid_readiness_run_finish (ZID_BACKEND (source), result, NULL);
  static const char * const needed[] = { "uzi-trust", "registration" };

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  set_busy (self, NULL);
  for (guint i = 0; checks != NULL && i < G_N_ELEMENTS (needed); i++)
    {
      const ZidReadinessCheck *check = zid_readiness_find (checks, needed[i]);

      if (check != NULL && check->state != ZID_READINESS_OK)
        {
          g_autoptr(GError) error = g_error_new (MISSING, MISSING_CHECK, "%s%s", check->description,
                                                 g_str_has_suffix (check->description, ".") ? "" : ".");

          show_refused_with (self, error, check->action);
          return;
        }
    }
  show_card_step (self, NULL);
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  ZidValidatePage *self = ZID_VALIDATE_PAGE (widget);

  if (self->busy || self->portal == NULL)
    return;
  new_operation (self);
  set_busy (self, _("Checking what is needed…"));
  zid_readiness_run_async (self->portal, self->config, 0, ZID_READINESS_NO_CARD | ZID_READINESS_OWN_SERVICE,
                           self->cancellable, readiness_done, g_object_ref (self));
}

/* Fig. 14 → with a linked mobile ID done (Fig. 15), else Fig. 17 */
static void
confirm_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  ZidValidatePage *self = ZID_VALIDATE_PAGE (widget);

  if (self->flow != NULL && zid_card_completion_get_existing_user (self->flow) != 0)
    run_complete (self, NULL);
  else
    gtk_stack_set_visible_child_name (self->stack, "holder");
}

static void
holder_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  ZidValidatePage *self = ZID_VALIDATE_PAGE (widget);

  gtk_stack_set_visible_child_name (self->stack, "birth");
  gtk_widget_grab_focus (GTK_WIDGET (self->birth_entry));
}

static void
birth_date_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  ZidValidatePage *self = ZID_VALIDATE_PAGE (widget);
  /* DD-MM-JJJJ as on the identity document, or JJJJ-MM-DD: the core reads both */
  g_autofree char *date = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->birth_entry))));
  g_autoptr(GError) error = NULL;
  if (!zid_validate_birth_date (date, zid_clock_now (zid_backend_get_clock (self->portal)), &error))
    {
      gtk_label_set_text (self->birth_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->birth_error), TRUE);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->birth_error), FALSE);
  run_complete (self, date);
}

static void
retry_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  show_card_step (ZID_VALIDATE_PAGE (widget), NULL);
}

static void
finish_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  g_signal_emit (widget, signals[FINISHED], 0);
}

/* Import a signed registration file (docs/registration-file.md): first
 * inspected; a good signature whose root is not trusted yet goes through
 * the signer dialog; nothing is imported or trusted before it is confirmed */

static void
show_start_message (ZidValidatePage *self,
                    const char      *text)
{
  gtk_label_set_text (self->start_message, text);
  gtk_widget_set_visible (GTK_WIDGET (self->start_message), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->start_message),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  gtk_stack_set_visible_child_name (self->stack, "start");
}

static void
show_imported (ZidValidatePage       *self,
               const ZidRegistration *r,
               const char            *signer,
               gboolean               already,
               const GError          *error)
{
  g_autofree char *text = NULL;

  if (r == NULL)
    text = g_strdup_printf (_("The registration file was refused: %s. Nothing has been stored."), error->message);
  else if (already)
    text = g_strdup_printf (_("The registration of %s (URA %s) had been imported already."), r->name, r->ura);
  else
    text = g_strdup_printf (_("The registration of %s (URA %s) has been imported. Signed by: %s"),
                            r->name, r->ura, signer ? signer : "?");
  show_start_message (self, text);
}

static void
import_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(ZidValidatePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *signer = NULL;
  g_autoptr(ZidRegistration) r = NULL;
  gboolean already = FALSE;

  r = zid_registration_file_import_finish (ZID_BACKEND (source), result, &signer, &already, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  show_imported (self, r, self->signer_organisation ? self->signer_organisation : signer, already, error);
}

/* After the fingerprint was confirmed: trust the root, then import; when
 * the import is refused after all, the root goes again */
typedef struct
{
  char                    *path;
  ZidRegistrationFileInfo *info;
  ZidRegistration         *registration;
  gboolean                 already;
} TrustImport;

static void
trust_import_free (gpointer p)
{
  TrustImport *t = p;

  g_free (t->path);
  g_clear_pointer (&t->info, zid_registration_file_info_free);
  g_clear_pointer (&t->registration, zid_registration_free);
  g_free (t);
}

static gpointer
trust_import_worker (ZidBackend  *portal,
                     gpointer     data,
                     GError     **error)
{
  TrustImport *t = data;
  g_autoptr(GPtrArray) added = zid_backend_add_trust (portal, ZID_TRUST_KIND_OPERATOR,
                                                     t->info->root_certificate, error);

  if (added == NULL)
    return NULL;
  t->registration = zid_backend_registration_file_import (portal, t->path, NULL, NULL, &t->already, error);
  if (t->registration == NULL)
    {
      zid_backend_remove_trust (portal, ZID_TRUST_KIND_OPERATOR, t->info->root_fingerprint, NULL);
      return NULL;
    }
  return GINT_TO_POINTER (TRUE);
}

static void
trust_import_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  TrustImport *t = user_data;
  g_autoptr(GError) error = NULL;

  if (zid_work_finish (result, &error) != NULL || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_imported (ZID_VALIDATE_PAGE (source), t->registration, t->info->signer_organisation, t->already, error);
  trust_import_free (t);
}

static void
on_signer_confirmed (ZidValidatePage *self)
{
  TrustImport *t = g_object_steal_data (G_OBJECT (self), "zid-trust-import");

  if (t == NULL || self->portal == NULL)
    return;
  /* The worker's data is a copy; the result comes back through user_data */
  zid_work_run (self, self->portal, trust_import_worker, t, NULL, NULL, self->cancellable,
                trust_import_done, t);
}

static void
on_signer_cancelled (ZidValidatePage *self)
{
  g_object_set_data (G_OBJECT (self), "zid-trust-import", NULL);
  show_start_message (self, _("The signer was not trusted: nothing has been imported."));
}

static void
inspect_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ZidValidatePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidRegistrationFileInfo) info = NULL;
  TrustImport *t;
  ZidSignerDialog *dialog;
  GtkRoot *root;

  info = zid_registration_file_inspect_finish (ZID_BACKEND (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (info == NULL)
    {
      show_imported (self, NULL, NULL, FALSE, error);
      return;
    }
  g_free (self->signer_organisation);
  self->signer_organisation = g_strdup (info->signer_organisation);
  if (info->trust == ZID_REGISTRATION_FILE_TRUSTED)
    {
      zid_registration_file_import_async (self->portal, self->import_path, NULL, self->cancellable,
                                          import_done, g_object_ref (self));
      return;
    }

  /* An unknown root: the administrator compares its fingerprint first */
  t = g_new0 (TrustImport, 1);
  t->path = g_strdup (self->import_path);
  t->info = g_steal_pointer (&info);
  g_object_set_data_full (G_OBJECT (self), "zid-trust-import", t, trust_import_free);
  root = gtk_widget_get_root (GTK_WIDGET (self));
  dialog = zid_signer_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, t->info);
  g_signal_connect_object (dialog, "confirmed", G_CALLBACK (on_signer_confirmed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (dialog, "cancelled", G_CALLBACK (on_signer_cancelled), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_import_response (GtkNativeDialog *dialog,
                    int              response,
                    ZidValidatePage *self)
{
  if (response == GTK_RESPONSE_ACCEPT && self->portal != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      g_free (self->import_path);
      self->import_path = g_file_get_path (file);
      if (self->import_path != NULL)
        zid_registration_file_inspect_async (self->portal, self->import_path, NULL, self->cancellable,
                                             inspect_done, g_object_ref (self));
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  ZidValidatePage *self = ZID_VALIDATE_PAGE (widget);
  GtkFileChooserNative *dialog;
  GtkRoot *root = gtk_widget_get_root (widget);

  /* GTK 4.8 has no GtkFileDialog (4.10); the native chooser goes through
   * the Flatpak's file chooser portal */
  dialog = gtk_file_chooser_native_new (_("Import Registration File"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  zid_ui_add_file_filters (GTK_FILE_CHOOSER (dialog), _("Registration Files"),
                           (const char * const []) { "application/pkcs7-mime", NULL },
                           (const char * const []) { "*.p7m", "*.p7s", "*.pem", "*.cms", NULL });
  g_signal_connect (dialog, "response", G_CALLBACK (on_import_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* ---- Public ------------------------------------------------------------- */

void
zid_validate_page_start (ZidValidatePage     *self,
                         ZidBackend          *portal,
                         ZidService          *service,
                         const ZidCardConfig *config)
{
  g_return_if_fail (ZID_IS_VALIDATE_PAGE (self));
  g_return_if_fail (ZID_IS_BACKEND (portal));

  zid_validate_page_stop (self);
  g_set_object (&self->portal, portal);
  g_set_object (&self->service, service);
  g_clear_pointer (&self->config, zid_card_config_free);
  self->config = config ? zid_card_config_copy (config) : NULL;
  if (service != NULL)
    g_signal_connect_object (service, "enrolled", G_CALLBACK (on_enrolled), self, 0);
  self->monitor = zid_card_monitor_new ();
  g_signal_connect_object (self->monitor, "state-changed", G_CALLBACK (on_card_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->monitor, "card-inserted", G_CALLBACK (on_card_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->monitor, "card-removed", G_CALLBACK (on_card_removed), self, G_CONNECT_SWAPPED);
  gtk_widget_set_visible (GTK_WIDGET (self->start_message), FALSE);
  gtk_stack_set_visible_child_name (self->stack, "start");
}

void
zid_validate_page_import (ZidValidatePage *self)
{
  g_return_if_fail (ZID_IS_VALIDATE_PAGE (self));
  gtk_widget_activate_action (GTK_WIDGET (self), "validate.import", NULL);
}

void
zid_validate_page_stop (ZidValidatePage *self)
{
  g_return_if_fail (ZID_IS_VALIDATE_PAGE (self));

  new_operation (self);
  set_busy (self, NULL);
  forget_card (self);
  self->confirmed = FALSE;
  g_clear_pointer (&self->completion, zid_completion_free);
  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->monitor, self);
      zid_card_monitor_stop (self->monitor);
      g_clear_object (&self->monitor);
    }
  if (self->service != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->service, self);
      g_clear_object (&self->service);
    }
}

static void
zid_validate_page_dispose (GObject *object)
{
  ZidValidatePage *self = ZID_VALIDATE_PAGE (object);

  zid_validate_page_stop (self);
  if (self->qr_window != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->qr_window), (gpointer *) &self->qr_window);
  self->qr_window = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), ZID_TYPE_VALIDATE_PAGE);
  G_OBJECT_CLASS (zid_validate_page_parent_class)->dispose (object);
}

static void
zid_validate_page_finalize (GObject *object)
{
  ZidValidatePage *self = ZID_VALIDATE_PAGE (object);

  g_clear_object (&self->portal);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->config, zid_card_config_free);
  g_free (self->import_path);
  g_free (self->signer_organisation);
  G_OBJECT_CLASS (zid_validate_page_parent_class)->finalize (object);
}

static void
zid_validate_page_class_init (ZidValidatePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = zid_validate_page_dispose;
  object_class->finalize = zid_validate_page_finalize;

  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/nl/zorgid/Portaal/ui/zid-validate-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ZidValidatePage, stack);
  gtk_widget_class_bind_template_child (widget_class, ZidValidatePage, start_message);
  gtk_widget_class_bind_template_child (widget_class, ZidValidatePage, card_status);
  gtk_widget_class_bind_template_child (widget_class, ZidValidatePage, card_spinner);
  gtk_widget_class_bind_template_child (widget_class, ZidValidatePage, card_progress);
  gtk_widget_class_bind_template_child (widget_class, ZidValidatePage, card_message);
  gtk_widget_class_bind_template_child (widget_class, ZidValidatePage, pin_group);
  gtk_widget_class_bind_template_child (widget_class, ZidValidatePage, pin_holder);
  gtk_widget_class_bind_template_child (widget_class, ZidValidatePage, pin_entry);
  gtk_widget_class_bind_template_child (widget_class, ZidValidatePage, pin_message);
  gtk_widget_class_bind_template_child (widget_class, ZidValidatePage, pin_button);
  gtk_widget_class_bind_template_child (widget_class, ZidValidatePage, refused_status);
  gtk_widget_class_bind_template_child (widget_class, ZidValidatePage, refused_import);
  gtk_widget_class_bind_template_child (widget_class, ZidValidatePage, refused_retry);
  gtk_widget_class_bind_template_child (widget_class, ZidValidatePage, refused_fix);
  gtk_widget_class_bind_template_child (widget_class, ZidValidatePage, registration_list);
  gtk_widget_class_bind_template_child (widget_class, ZidValidatePage, card_list);
  gtk_widget_class_bind_template_child (widget_class, ZidValidatePage, holder_list);
  gtk_widget_class_bind_template_child (widget_class, ZidValidatePage, birth_entry);
  gtk_widget_class_bind_template_child (widget_class, ZidValidatePage, birth_error);
  gtk_widget_class_bind_template_child (widget_class, ZidValidatePage, waiting_status);
  gtk_widget_class_bind_template_child (widget_class, ZidValidatePage, done_status);

  gtk_widget_class_install_action (widget_class, "validate.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "validate.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "validate.pin", NULL, pin_action);
  gtk_widget_class_install_action (widget_class, "validate.confirm", NULL, confirm_action);
  gtk_widget_class_install_action (widget_class, "validate.holder", NULL, holder_action);
  gtk_widget_class_install_action (widget_class, "validate.birth-date", NULL, birth_date_action);
  gtk_widget_class_install_action (widget_class, "validate.retry", NULL, retry_action);
  gtk_widget_class_install_action (widget_class, "validate.finish", NULL, finish_action);
}

static void
on_pin_activate (ZidValidatePage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "validate.pin", NULL);
}

static void
on_birth_activate (ZidValidatePage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "validate.birth-date", NULL);
}

static void
zid_validate_page_init (ZidValidatePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  g_signal_connect_swapped (self->pin_entry, "activate", G_CALLBACK (on_pin_activate), self);
  g_signal_connect_swapped (self->birth_entry, "activate", G_CALLBACK (on_birth_activate), self);
}
