/* zid-qr-window.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <glib/gi18n.h>

#include "zid-file-choice.h"
#include "zid-letters-job.h"
#include "zid-qr-view.h"
#include "zid-qr-window.h"
#include "zid-ui-util.h"
#include "zid-work.h"

struct _ZidQrWindow
{
  AdwWindow        parent_instance;

  /* template */
  AdwToastOverlay *toasts;
  ZidQrView       *view;
  GtkLabel        *once_label;

  /* owned */
  ZidBackend      *portal;
  ZidService      *service;
  GCancellable    *cancellable;
  char            *payload;
  char            *person;
  ZidUser         *user;             /* for the letter: names, birth date, organisation */
  gint64           expires;
  gint64           user_id;
  gint64           actor;
  ZidCodePurpose   purpose;
  guint            initial_certificates;
  gboolean         initial_known;
  gboolean         redeemed;
  gboolean         confirmed_close;
  GSourceFunc      then;             /* after a confirmed close: quitting (with its data) */
  GObject         *then_data;
  gboolean         polling;
  gboolean         poll_again;
  gboolean         shows_blocked;
  char            *once_text;        /* the label's text while waiting for a scan */
  ZidWatch        *watch;            /* the user's changes, by any process */
};

G_DEFINE_FINAL_TYPE (ZidQrWindow, zid_qr_window, ADW_TYPE_WINDOW)

static void
mark_redeemed (ZidQrWindow *self)
{
  if (self->redeemed)
    return;
  self->redeemed = TRUE;
  zid_qr_view_set_status (self->view, _("ID added"));
  zid_qr_view_set_used (self->view, _("Used — the ZORG-ID has been added to the phone"));
  /* A used code is worth nothing on paper or on disk */
  gtk_label_set_text (self->once_label, _("The QR code has been used: the ZORG-ID has been added to the phone. "
                                          "It cannot be used again, so it can no longer be saved or printed."));
  gtk_widget_remove_css_class (GTK_WIDGET (self->once_label), "warning");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "qr.save", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "qr.print", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "qr.letter", FALSE);
  if (self->watch != NULL)
    g_signal_handlers_disconnect_by_data (self->watch, self);
}

static void
on_enrolled (ZidService  *service,
             gint64       user_id,
             int          purpose,
             const char  *serial,
             ZidQrWindow *self)
{
  if (user_id == self->user_id && (ZidCodePurpose) purpose == self->purpose)
    mark_redeemed (self);
}

/* The phone enrolled when the user has a certificate more than when the
 * code was shown: seen through the portal's watch, whichever process
 * (this window's service, another) took the phone's request */
static gpointer
poll_worker (ZidBackend  *portal,
             gpointer     data,
             GError     **error)
{
  gint64 *ids = data;

  return zid_backend_list_certificates (portal, ids[0], ids[1], error);
}

static void poll_certificates (ZidQrWindow *self);

static void
poll_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GPtrArray) certificates = zid_work_finish (result, NULL);
  ZidQrWindow *self;

  if (certificates == NULL && g_cancellable_is_cancelled (G_CANCELLABLE (user_data)))
    return;
  self = ZID_QR_WINDOW (source);
  self->polling = FALSE;
  if (certificates != NULL && !self->initial_known)
    {
      self->initial_known = TRUE;
      self->initial_certificates = certificates->len;
    }
  else if (certificates != NULL && certificates->len > self->initial_certificates)
    mark_redeemed (self);
  if (self->poll_again && !self->redeemed)
    poll_certificates (self);
}

static gpointer
user_worker (ZidBackend  *portal,
             gpointer     data,
             GError     **error)
{
  gint64 *ids = data;

  return zid_backend_get_user (portal, ids[0], ids[1], error);
}

/* The user as now: named in the letter, and a blocked user's phone is
 * refused (user-blocked) until the block is lifted: the window says so
 * instead of waiting for a scan that cannot succeed */
static void
user_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidUser) user = zid_work_finish (result, &error);
  ZidQrWindow *self;
  g_autofree char *text = NULL;
  g_autofree char *until = NULL;

  if (g_cancellable_is_cancelled (G_CANCELLABLE (user_data)))
    return;
  if (user == NULL)
    {
      g_debug ("The letter names only the person: %s", error->message);
      return;
    }
  self = ZID_QR_WINDOW (source);
  g_set_object (&self->user, user);
  if (self->redeemed || zid_user_get_blocked (user) == self->shows_blocked)
    return;
  /* unblocked meanwhile (by anyone): the scan can succeed again */
  self->shows_blocked = zid_user_get_blocked (user);
  if (!self->shows_blocked)
    {
      zid_qr_view_set_status (self->view, _("Waiting for scan…"));
      gtk_label_set_text (self->once_label, self->once_text);
      return;
    }
  zid_qr_view_set_status (self->view, _("Waiting for Activate: the user is blocked"));
  until = zid_ui_format_time (self->expires);
  text = g_strdup_printf (_("%s is blocked. The phone can add the ID only after %s has been unblocked "
                            "(Activate); until then it is refused. The QR code stays valid until %s: "
                            "save or print it first."),
                          zid_user_get_display_name (user), zid_user_get_display_name (user), until);
  gtk_label_set_text (self->once_label, text);
}

static void
load_user (ZidQrWindow *self)
{
  gint64 *ids = g_new (gint64, 2);

  ids[0] = self->actor;
  ids[1] = self->user_id;
  zid_work_run (self, self->portal, user_worker, ids, g_free, g_object_unref,
                self->cancellable, user_done, self->cancellable);
}

static void
poll_certificates (ZidQrWindow *self)
{
  gint64 *ids;

  self->poll_again = self->polling;
  if (self->polling)
    return;
  self->polling = TRUE;
  ids = g_new (gint64, 2);
  ids[0] = self->actor;
  ids[1] = self->user_id;
  zid_work_run (self, self->portal, poll_worker, ids, g_free, (GDestroyNotify) g_ptr_array_unref,
                self->cancellable, poll_done, self->cancellable);
}

static void
on_watch_changed (ZidWatch    *watch,
                  GArray      *users,
                  GArray      *organisations,
                  ZidQrWindow *self)
{
  for (guint i = 0; i < users->len && !self->redeemed; i++)
    if (g_array_index (users, gint64, i) == self->user_id)
      {
        poll_certificates (self);
        load_user (self);
        return;
      }
}

/* The letter of this code (zid-letters.h): the user's names, birth date
 * and organisation once read, else the name shown */
static ZidLetter
window_letter (ZidQrWindow *self)
{
  GPtrArray *memberships = self->user ? zid_user_get_memberships (self->user) : NULL;
  ZidMembership *m = memberships && memberships->len ? g_ptr_array_index (memberships, 0) : NULL;

  return (ZidLetter) {
    .organisation = m ? m->organisation_name : "",
    .first_name = self->user ? zid_user_get_first_name (self->user) : (self->person ? self->person : ""),
    .last_name = self->user ? zid_user_get_last_name (self->user) : "",
    .birth_date = self->user ? zid_user_get_birth_date (self->user) : "",
    .payload = self->payload,
    .expires = self->expires,
  };
}

static void
show_saved (ZidQrWindow  *self,
            const char   *path,
            const GError *error,
            const char   *done)
{
  g_autofree char *msg = NULL;

  if (error != NULL)
    msg = g_strdup_printf (_("Could not save to %s: %s"), path, error->message);
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (msg ? msg : done));
}

/* Save as PNG: the letter's page, large enough for a sharp QR */
#define IMAGE_SCALE 2.0

static cairo_status_t
append_png (void                *closure,
            const unsigned char *data,
            unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static void
on_image_path (GtkWidget  *widget,
               const char *path)
{
  ZidQrWindow *self = ZID_QR_WINDOW (widget);
  ZidLetter letter = window_letter (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) png = g_byte_array_new ();
  cairo_surface_t *surface;
  cairo_t *cr;

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) (ZID_LETTER_WIDTH * IMAGE_SCALE),
                                        (int) (ZID_LETTER_HEIGHT * IMAGE_SCALE));
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_scale (cr, IMAGE_SCALE, IMAGE_SCALE);
  zid_letter_draw (cr, &letter, ZID_LETTER_WIDTH, ZID_LETTER_HEIGHT);
  cairo_destroy (cr);
  if (cairo_surface_write_to_png_stream (surface, append_png, png) != CAIRO_STATUS_SUCCESS)
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The image could not be made"));
  cairo_surface_destroy (surface);
  /* whoever can read the image can enrol with its code: private (0600),
   * also when it replaces a file */
  if (error == NULL)
    g_file_set_contents_full (path, (const char *) png->data, png->len,
                              G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error);
  show_saved (self, path, error, _("Image saved"));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  ZidQrWindow *self = ZID_QR_WINDOW (widget);
  g_autofree char *name = g_strdup_printf ("%s.png", self->person ? self->person : "zorg-id-qr");

  zid_file_choice_ask (widget, TRUE, _("Save as Image"), name, ZID_FILE_PNG, on_image_path);
}

/* Save the letter as PDF (0600, whole or not at all) */
static void
on_letter_path (GtkWidget  *widget,
                const char *path)
{
  ZidQrWindow *self = ZID_QR_WINDOW (widget);
  ZidLetter letter = window_letter (self);
  g_autoptr(GError) error = NULL;

  zid_letters_write_pdf (path, &letter, 1, &error);
  show_saved (self, path, error, _("Letter saved"));
}

static void
letter_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  ZidQrWindow *self = ZID_QR_WINDOW (widget);
  g_autofree char *name = g_strdup_printf (_("letter %s.pdf"), self->person ? self->person : "ZORG-ID");

  zid_file_choice_ask (widget, TRUE, _("Save the Letter as PDF"), name, ZID_FILE_PDF, on_letter_path);
}

/* Print: the same letter */
static void
print_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  ZidQrWindow *self = ZID_QR_WINDOW (widget);
  ZidLetter letter = window_letter (self);
  g_autoptr(GError) error = NULL;

  if (!zid_letters_print (GTK_WINDOW (self), &letter, 1, _("ZORG-ID QR code"), &error))
    {
      g_autofree char *msg = g_strdup_printf (_("Printing failed: %s"), error->message);
      adw_toast_overlay_add_toast (self->toasts, adw_toast_new (msg));
    }
}

/* Closing: the code cannot be shown again */
static gboolean
close_confirmed (gpointer data)
{
  gtk_window_close (GTK_WINDOW (data));
  return G_SOURCE_REMOVE;
}

static void
on_close_response (AdwMessageDialog *dialog,
                   const char       *response,
                   ZidQrWindow      *self)
{
  if (g_strcmp0 (response, "close") == 0)
    {
      self->confirmed_close = TRUE;
      /* once the dialog, transient for this window, has gone: closed
       * from its own "response", this window went first and the dialog
       * let go of a finalized parent (GLib-CRITICAL "invalid (NULL)
       * class pointer") */
      if (self->then != NULL)
        g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, self->then, g_object_ref (self->then_data), g_object_unref);
      else
        g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, close_confirmed, g_object_ref (self), g_object_unref);
    }
  self->then = NULL;
  g_clear_object (&self->then_data);
}

/* The question before the code goes: "close" answers yes */
static void
ask_close (ZidQrWindow *self,
           const char  *heading,
           const char  *body,
           const char  *close_label)
{
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("Cancel"),
                                    "close", close_label,
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "close", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_close_response), self);
  gtk_window_present (GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

static gboolean
zid_qr_window_close_request (GtkWindow *window)
{
  ZidQrWindow *self = ZID_QR_WINDOW (window);

  if (!zid_qr_window_get_unscanned (self))
    return GTK_WINDOW_CLASS (zid_qr_window_parent_class)->close_request (window);

  ask_close (self, _("Close the QR code?"),
             _("The QR code is shown only once. After closing it cannot be shown again; "
               "save or print it first if the user has not scanned it yet."),
             _("Close"));
  return TRUE;
}

static void
close_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  gtk_window_close (GTK_WINDOW (widget));
}

static void
zid_qr_window_dispose (GObject *object)
{
  ZidQrWindow *self = ZID_QR_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->watch != NULL)
    g_signal_handlers_disconnect_by_data (self->watch, self);
  g_clear_object (&self->watch);
  g_clear_object (&self->then_data);
  gtk_widget_dispose_template (GTK_WIDGET (self), ZID_TYPE_QR_WINDOW);
  G_OBJECT_CLASS (zid_qr_window_parent_class)->dispose (object);
}

static void
zid_qr_window_finalize (GObject *object)
{
  ZidQrWindow *self = ZID_QR_WINDOW (object);

  g_clear_object (&self->portal);
  g_clear_object (&self->service);
  g_clear_object (&self->cancellable);
  g_free (self->payload);
  g_clear_object (&self->user);
  g_free (self->person);
  g_free (self->once_text);
  G_OBJECT_CLASS (zid_qr_window_parent_class)->finalize (object);
}

static void
zid_qr_window_class_init (ZidQrWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = zid_qr_window_dispose;
  object_class->finalize = zid_qr_window_finalize;
  window_class->close_request = zid_qr_window_close_request;

  g_type_ensure (ZID_TYPE_QR_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/nl/zorgid/Portaal/ui/zid-qr-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ZidQrWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, ZidQrWindow, view);
  gtk_widget_class_bind_template_child (widget_class, ZidQrWindow, once_label);

  gtk_widget_class_install_action (widget_class, "qr.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "qr.print", NULL, print_action);
  gtk_widget_class_install_action (widget_class, "qr.letter", NULL, letter_action);
  gtk_widget_class_install_action (widget_class, "qr.close", NULL, close_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "qr.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "qr.print", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "qr.close", NULL);
}

static void
zid_qr_window_init (ZidQrWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

ZidQrWindow *
zid_qr_window_new (GtkWindow            *parent,
                   const ZidOneTimeCode *enrolment,
                   const char           *person,
                   ZidBackend           *portal,
                   ZidService           *service,
                   gint64                actor)
{
  ZidQrWindow *self;
  g_autofree char *purpose = NULL;
  g_autofree char *until = NULL;

  g_return_val_if_fail (enrolment != NULL, NULL);

  /* the application's: its accelerators (Ctrl+Q) work here too */
  self = g_object_new (ZID_TYPE_QR_WINDOW,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       "application", parent ? gtk_window_get_application (parent) : NULL,
                       NULL);
  self->payload = g_strdup (enrolment->payload);
  self->person = g_strdup (person);
  self->expires = enrolment->expires;
  self->user_id = enrolment->user_id;
  self->purpose = enrolment->purpose;
  self->actor = actor;
  if (portal != NULL)
    {
      self->portal = g_object_ref (portal);
      zid_qr_view_set_clock (self->view, zid_backend_get_clock (portal));
    }

  if (enrolment->purpose == ZID_CODE_NEW_CERTIFICATE)
    purpose = person ? g_strdup_printf (_("New certificate for %s"), person)
                     : g_strdup (_("New certificate"));
  else
    purpose = person ? g_strdup_printf (_("Add the ZORG-ID of %s"), person)
                     : g_strdup (_("Add a ZORG-ID"));
  gtk_window_set_title (GTK_WINDOW (self), purpose);
  zid_qr_view_set_purpose (self->view, purpose);
  zid_qr_view_set_renewable (self->view, FALSE);
  zid_qr_view_set_code (self->view, enrolment->payload, enrolment->expires, FALSE);
  zid_qr_view_set_status (self->view, _("Waiting for scan…"));
  until = zid_ui_format_time (enrolment->expires);
  /* Translators: %s is the date and time the code expires, in the locale's format */
  self->once_text = g_strdup_printf (_("Note: the QR code is shown only once. It is valid until %s."), until);
  gtk_label_set_text (self->once_label, self->once_text);
  if (portal != NULL && actor > 0)
    load_user (self);

  if (service != NULL)
    {
      self->service = g_object_ref (service);
      g_signal_connect_object (service, "enrolled", G_CALLBACK (on_enrolled), self, 0);
    }
  if (portal != NULL && actor > 0)
    {
      /* watching before counting: an enrolment is in the count, or named after */
      self->watch = zid_watch_get (portal);
      g_signal_connect (self->watch, "changed", G_CALLBACK (on_watch_changed), self);
      poll_certificates (self);
    }
  return self;
}

gboolean
zid_qr_window_get_redeemed (ZidQrWindow *self)
{
  g_return_val_if_fail (ZID_IS_QR_WINDOW (self), FALSE);
  return self->redeemed;
}

/**
 * zid_qr_window_get_unscanned:
 *
 * Returns: whether the window shows a code that is still usable and would
 * be lost on closing: not used, not expired, its closing not confirmed
 */
gboolean
zid_qr_window_get_unscanned (ZidQrWindow *self)
{
  g_return_val_if_fail (ZID_IS_QR_WINDOW (self), FALSE);
  return !self->redeemed && !self->confirmed_close && !zid_qr_view_get_expired (self->view);
}

/**
 * zid_qr_window_ask_quit:
 * @n_unscanned: how many QR windows show an unscanned code, this one included
 * @quit: called (from an idle, with a reference to @quit_data) once quitting
 *   is confirmed; nothing happens when it is not
 *
 * Presents this window and asks whether its code (or all @n_unscanned) may
 * go with the application.
 */
void
zid_qr_window_ask_quit (ZidQrWindow *self,
                        guint        n_unscanned,
                        GSourceFunc  quit,
                        GObject     *quit_data)
{
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;

  g_return_if_fail (ZID_IS_QR_WINDOW (self));
  g_return_if_fail (n_unscanned > 0);

  self->then = quit;
  g_set_object (&self->then_data, quit_data);
  if (n_unscanned == 1)
    {
      ask_close (self, _("Close the QR code?"),
                 _("The QR code is shown only once. After quitting it cannot be shown again; "
                   "save or print it first if the user has not scanned it yet."),
                 _("Quit"));
      return;
    }
  heading = g_strdup_printf (ngettext ("Close %u QR code?", "Close %u QR codes?", n_unscanned), n_unscanned);
  body = g_strdup_printf (ngettext ("%u QR code has not been scanned yet. It is shown only once: "
                                    "after quitting it cannot be shown again; save or print it first "
                                    "if the user has not scanned it yet.",
                                    "%u QR codes have not been scanned yet. They are shown only once: "
                                    "after quitting they cannot be shown again; save or print them first "
                                    "if the users have not scanned them yet.",
                                    n_unscanned),
                          n_unscanned);
  ask_close (self, heading, body, _("Quit"));
}
