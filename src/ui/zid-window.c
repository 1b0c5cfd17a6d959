/* zid-window.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "zid-audit-window.h"
#include "zid-import-dialog.h"
#include "zid-pending-window.h"
#include "zid-organisations-view.h"
#include "zid-qr-view.h"
#include "zid-qr-window.h"
#include "zid-readiness-page.h"
#include "zid-register-dialog.h"
#include "zid-service.h"
#include "zid-service-banner.h"
#include "zid-ui-util.h"
#include "zid-user-page.h"
#include "zid-users-view.h"
#include "zid-validate-page.h"
#include "zid-window.h"
#include "zid-work.h"

struct _ZidWindow
{
  AdwApplicationWindow  parent_instance;

  /* template */
  AdwToastOverlay      *toasts;
  GtkLabel             *environment_badge;
  GtkButton            *back_button;
  GtkStack             *title_stack;
  AdwWindowTitle       *page_title;
  AdwViewSwitcherTitle *switcher_title;
  GtkLabel             *location_label;
  GtkLabel             *person_label;
  GtkButton            *logout_button;
  GtkStack             *main_stack;
  ZidQrView            *login_view;
  GtkLabel             *login_message;
  GtkLabel             *landing_note;
  GtkLabel             *service_message;
  GtkButton            *service_retry;
  ZidServiceBanner     *service_banner;
  AdwViewStack         *view_stack;
  ZidUsersView         *users_view;
  ZidOrganisationsView *organisations_view;
  ZidUserPage          *user_page;
  ZidValidatePage      *validate_page;
  ZidReadinessPage     *readiness_page;

  /* owned */
  ZidBackend           *portal;
  ZidService           *service;          /* NULL when it could not start */
  GCancellable         *cancellable;      /* cancelled on close */
  GPtrArray            *toast_list;       /* AdwToast shown and not dismissed yet */
  char                 *session_id;       /* the login QR's session */
  ZidUser              *actor;            /* NULL until logged in */
  guint                 poll_id;
  gboolean              polling;
  gboolean              beginning;
  char                 *app_title;        /* the window's title off a user's page */
};

/* How each environment shows itself: the badge in the header bar and the
 * name in the window's title (the task switcher tells the windows apart) */
typedef struct
{
  const char *badge;
  const char *tooltip;
  const char *accessible;
  const char *style;
  const char *name;
} EnvironmentLook;

static const EnvironmentLook environment_looks[] = {
  [ZID_ENVIRONMENT_ACCEPTATIE] = {
    N_("ACCEPTATIE"), N_("Acceptance environment: not for real care data"),
    N_("Environment: ACCEPTATIE"), "zid-environment-acceptatie",
    /* Translators: the environment's name in the window title */
    N_("Acceptatie"),
  },
  [ZID_ENVIRONMENT_PRODUCTIE] = {
    N_("PRODUCTIE"), N_("Production environment: real users and real care data"),
    N_("Environment: PRODUCTIE"), "zid-environment-productie",
    /* Translators: the environment's name in the window title */
    N_("Productie"),
  },
};

G_DEFINE_FINAL_TYPE (ZidWindow, zid_window, ADW_TYPE_APPLICATION_WINDOW)

static void begin_login (ZidWindow *self);

static void
on_toast_dismissed (AdwToast  *toast,
                    ZidWindow *self)
{
  g_ptr_array_remove (self->toast_list, toast);
}

static void
add_toast (ZidWindow  *self,
           const char *message)
{
  AdwToast *toast = adw_toast_new (message);

  adw_toast_set_timeout (toast, 6);
  g_ptr_array_add (self->toast_list, g_object_ref (toast));
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (on_toast_dismissed), self, 0);
  adw_toast_overlay_add_toast (self->toasts, toast);
}

/* Toasts belong to the page they were about: none survives a log in or
 * out (libadwaita 1.2 has no call for this; the window keeps the list).
 * Newest first: libadwaita 1.2 crashes when the shown toast is dismissed
 * before the ones queued behind it. */
static void
dismiss_toasts (ZidWindow *self)
{
  g_autoptr(GPtrArray) toasts = g_ptr_array_copy (self->toast_list, (GCopyFunc) g_object_ref, NULL);

  g_ptr_array_set_free_func (toasts, g_object_unref);
  for (guint i = toasts->len; i > 0; i--)
    adw_toast_dismiss (g_ptr_array_index (toasts, i - 1));
  g_ptr_array_set_size (self->toast_list, 0);
}

static gint64
actor_id (ZidWindow *self)
{
  return self->actor ? zid_user_get_id (self->actor) : 0;
}

/* What the phone did while the code was shown: a new certificate, a
 * mobile ID */
static void
on_qr_closed (ZidWindow *self)
{
  if (self->actor == NULL)
    return;
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "user") == 0)
    zid_user_page_reload (self->user_page);
  zid_users_view_reload (self->users_view);
}

static void
show_enrolment (ZidWindow            *self,
                const ZidOneTimeCode *enrolment,
                const char           *person)
{
  ZidQrWindow *qr = zid_qr_window_new (GTK_WINDOW (self), enrolment, person, self->portal,
                                       self->service, actor_id (self));

  g_signal_connect_object (qr, "destroy", G_CALLBACK (on_qr_closed), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (qr));
}

static void
update_actions (ZidWindow *self)
{
  gboolean logged_in = self->actor != NULL;
  const char *page = gtk_stack_get_visible_child_name (self->main_stack);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.logout", logged_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.register-user", logged_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.manage-user", logged_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", logged_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.audit", logged_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.import-users", logged_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.pending", logged_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back",
                                 g_strcmp0 (page, "main") != 0 && g_strcmp0 (page, "landing") != 0);
  gtk_widget_set_visible (GTK_WIDGET (self->logout_button), logged_in);
  gtk_widget_set_visible (GTK_WIDGET (self->person_label), logged_in);
  gtk_widget_set_visible (GTK_WIDGET (self->back_button),
                          g_strcmp0 (page, "main") != 0 && g_strcmp0 (page, "landing") != 0);
  gtk_stack_set_visible_child_name (self->title_stack,
                                    g_strcmp0 (page, "main") == 0 ? "switcher" : "title");
}

/* On a user's page the title says whose it is; the window's title also
 * names the environment */
static void
update_title (ZidWindow *self)
{
  const char *user = zid_user_page_get_title (self->user_page);
  const char *title = self->app_title;
  const EnvironmentLook *look;
  g_autofree char *window_title = NULL;
  g_autofree char *location = NULL;

  if (self->portal == NULL)
    return;
  look = &environment_looks[zid_backend_get_environment (self->portal)];
  location = zid_backend_dup_location (self->portal);
  if (user != NULL && g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "user") == 0)
    title = user;
  adw_window_title_set_title (self->page_title, title);
  /* a window on a portal server says which, in the header */
  gtk_label_set_label (self->location_label, location);
  gtk_widget_set_visible (GTK_WIDGET (self->location_label), location != NULL);
  if (location != NULL)
    window_title = g_strdup_printf ("%s — %s — %s", title, _(look->name), location);
  else
    window_title = g_strdup_printf ("%s — %s", title, _(look->name));
  gtk_window_set_title (GTK_WINDOW (self), window_title);
}

static void
show_page (ZidWindow  *self,
           const char *name)
{
  gtk_stack_set_visible_child_name (self->main_stack, name);
  update_actions (self);
  update_title (self);
}

/* ---- Login ------------------------------------------------------------ */

typedef struct
{
  ZidOneTimeCode *enrolment;
  char         *session_id;
} LoginBegin;

static void
login_begin_free (gpointer p)
{
  LoginBegin *b = p;

  g_clear_pointer (&b->enrolment, zid_one_time_code_free);
  g_free (b->session_id);
  g_free (b);
}

static gpointer
login_begin_worker (ZidBackend  *portal,
                    gpointer     data,
                    GError     **error)
{
  LoginBegin *b = g_new0 (LoginBegin, 1);

  b->enrolment = zid_backend_login_begin (portal, &b->session_id, error);
  if (b->enrolment == NULL)
    {
      login_begin_free (b);
      return NULL;
    }
  return b;
}

static void
login_begin_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  LoginBegin *b = zid_work_finish (result, &error);
  ZidWindow *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ZID_WINDOW (source);
  self->beginning = FALSE;
  if (b == NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("Could not start a login: %s"), error->message);
      gtk_label_set_text (self->login_message, msg);
      gtk_widget_set_visible (GTK_WIDGET (self->login_message), TRUE);
      return;
    }
  g_free (self->session_id);
  self->session_id = g_strdup (b->session_id);
  zid_qr_view_set_code (self->login_view, b->enrolment->payload, b->enrolment->expires, TRUE);
  login_begin_free (b);
}

static void
begin_login (ZidWindow *self)
{
  if (self->beginning)
    return;
  self->beginning = TRUE;
  g_clear_pointer (&self->session_id, g_free);
  zid_qr_view_set_code (self->login_view, NULL, 0, TRUE);
  zid_work_run (self, self->portal, login_begin_worker, NULL, NULL, login_begin_free,
                self->cancellable, login_begin_done, NULL);
}

static void
on_login_renew (ZidWindow *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->login_message), FALSE);
  begin_login (self);
}

typedef struct
{
  gint64 user;
} LoggedIn;

static gpointer
load_actor_worker (ZidBackend  *portal,
                   gpointer     data,
                   GError     **error)
{
  gint64 id = *(gint64 *) data;

  return zid_backend_get_user (portal, id, id, error);
}

static void
load_actor_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidUser) user = zid_work_finish (result, &error);
  ZidWindow *self;
  g_autofree char *who = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ZID_WINDOW (source);
  if (user == NULL)
    {
      add_toast (self, error->message);
      begin_login (self);
      return;
    }

  g_set_object (&self->actor, user);
  dismiss_toasts (self);
  gtk_widget_set_visible (GTK_WIDGET (self->landing_note), FALSE);
  g_clear_handle_id (&self->poll_id, g_source_remove);
  g_clear_pointer (&self->session_id, g_free);
  gtk_label_set_text (self->person_label, zid_user_get_display_name (user));
  /* Translators: the accessible name of the header label with the logged-in person */
  who = g_strdup_printf (_("Logged in as %s"), zid_user_get_display_name (user));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->person_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, who, -1);
  zid_users_view_load (self->users_view, self->portal, zid_user_get_id (user));
  zid_organisations_view_load (self->organisations_view, self->portal, zid_user_get_id (user));
  adw_view_stack_set_visible_child_name (self->view_stack, "users");
  show_page (self, "main");
}

static void
logged_in (ZidWindow *self,
           gint64     user)
{
  gint64 *id;

  if (self->actor != NULL)
    return;
  g_clear_pointer (&self->session_id, g_free);
  id = g_new (gint64, 1);
  *id = user;
  zid_work_run (self, self->portal, load_actor_worker, id, g_free, g_object_unref,
                self->cancellable, load_actor_done, NULL);
}

static void
on_login_accepted (ZidService *service,
                   const char *session_id,
                   gint64      user_id,
                   ZidWindow  *self)
{
  if (self->session_id != NULL && g_strcmp0 (session_id, self->session_id) == 0)
    logged_in (self, user_id);
}

/* What a phone was refused at this window's login QR, in the window's
 * words, whichever service the phone reached */
static void
show_login_refusal (ZidWindow  *self,
                    const char *error_code)
{
  const char *message = NULL;

  if (g_strcmp0 (error_code, "user-blocked") == 0 || g_strcmp0 (error_code, "actor-blocked") == 0)
    message = _("Your ZORG-ID is blocked. Ask an administrator of your organisation to activate it.");
  else if (g_strcmp0 (error_code, "no-portal-access") == 0)
    message = _("Your ZORG-ID has no access to the portal: only administrators and managers can log in.");
  else if (g_strcmp0 (error_code, "certificate-revoked") == 0)
    message = _("The certificate of your ZORG-ID has been revoked.");
  if (message != NULL)
    {
      gtk_label_set_text (self->login_message, message);
      gtk_widget_set_visible (GTK_WIDGET (self->login_message), TRUE);
    }
}

static void
on_refused (ZidService *service,
            const char *client,
            const char *path,
            const char *error_code,
            ZidWindow  *self)
{
  /* Only what the phone got while this window waits for a login */
  if (self->actor != NULL || self->session_id == NULL || path == NULL || strstr (path, "login") == NULL)
    return;
  show_login_refusal (self, error_code);
}

/* Fallback and second path: a headless service on the same data dir may
 * answer our session; ask the core once a second */
typedef struct
{
  char  *session_id;
  gint64 user;
  ZidLoginState state;
  char  *refusal;   /* ZID_LOGIN_REFUSED: why (an error code name) */
} LoginPoll;

static void
login_poll_free (gpointer p)
{
  LoginPoll *poll = p;

  g_free (poll->session_id);
  g_free (poll->refusal);
  g_free (poll);
}

static gpointer
login_poll_worker (ZidBackend  *portal,
                   gpointer     data,
                   GError     **error)
{
  LoginPoll *in = data;
  LoginPoll *out = g_new0 (LoginPoll, 1);
  g_autoptr(GError) refusal = NULL;
  GError *local = NULL;

  out->session_id = g_strdup (in->session_id);
  out->state = zid_backend_login_poll (portal, in->session_id, &out->user, &refusal, &local);
  if (refusal != NULL)
    out->refusal = g_strdup (zid_error_code_name (refusal->code));
  if (local != NULL)
    {
      g_propagate_error (error, local);
      login_poll_free (out);
      return NULL;
    }
  return out;
}

static void
login_poll_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  LoginPoll *poll = zid_work_finish (result, &error);
  ZidWindow *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ZID_WINDOW (source);
  self->polling = FALSE;
  if (poll == NULL)
    return;
  if (poll->state == ZID_LOGIN_ACCEPTED && g_strcmp0 (poll->session_id, self->session_id) == 0)
    logged_in (self, poll->user);
  /* someone whose ZORG-ID may not log in scanned the QR, maybe at
   * another service on the same database (the QR stays, for someone who
   * may) */
  else if (poll->state == ZID_LOGIN_REFUSED && g_strcmp0 (poll->session_id, self->session_id) == 0 &&
           self->actor == NULL)
    show_login_refusal (self, poll->refusal);
  login_poll_free (poll);
}

static gboolean
login_poll_tick (gpointer data)
{
  ZidWindow *self = data;
  LoginPoll *poll;

  if (self->polling || self->session_id == NULL || self->actor != NULL ||
      zid_qr_view_get_expired (self->login_view))
    return G_SOURCE_CONTINUE;
  self->polling = TRUE;
  poll = g_new0 (LoginPoll, 1);
  poll->session_id = g_strdup (self->session_id);
  zid_work_run (self, self->portal, login_poll_worker, poll, login_poll_free, login_poll_free,
                self->cancellable, login_poll_done, NULL);
  return G_SOURCE_CONTINUE;
}

/* Whether phones can redeem this window's QR codes: its own enrolment
 * service runs, or it has none (the backend's server serves the phones) */
static gboolean
service_running (ZidWindow *self)
{
  return self->service == NULL || zid_service_is_running (self->service);
}

/* Never a QR code that phones cannot redeem: without the service the
 * landing page says why and what to do instead of showing one */
static void
show_landing (ZidWindow *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->login_message), FALSE);
  show_page (self, "landing");
  gtk_widget_set_visible (GTK_WIDGET (self->login_view), service_running (self));
  if (!service_running (self))
    return;
  begin_login (self);
  if (self->poll_id == 0)
    self->poll_id = g_timeout_add_seconds (1, login_poll_tick, self);
}

/* ---- Actions ---------------------------------------------------------- */

static gpointer
end_session_worker (ZidBackend  *portal,
                    gpointer     data,
                    GError     **error)
{
  zid_backend_end_session (portal);
  return GINT_TO_POINTER (TRUE);
}

/* Back to the landing page, logged out; @note (nullable) says why */
static void
show_logged_out (ZidWindow  *self,
                 const char *note)
{
  g_clear_object (&self->actor);
  zid_user_page_clear (self->user_page);
  zid_users_view_clear (self->users_view);
  zid_organisations_view_clear (self->organisations_view);
  gtk_label_set_text (self->person_label, "");
  dismiss_toasts (self);
  show_landing (self);
  /* On the page, not a toast: a toast would cover the landing page */
  gtk_label_set_text (self->landing_note, note ? note : _("You have logged out."));
  gtk_widget_set_visible (GTK_WIDGET (self->landing_note), TRUE);
}

static void
logout_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  ZidWindow *self = ZID_WINDOW (widget);

  zid_work_run (NULL, self->portal, end_session_worker, NULL, NULL, NULL, NULL, NULL, NULL);
  show_logged_out (self, NULL);
}

/* The session ended at the other end: a new QR login, and the reason */
static void
on_session_ended (ZidWindow  *self,
                  const char *message)
{
  if (self->actor != NULL)
    show_logged_out (self, message);
}

static void
validate_organisation_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *param)
{
  ZidWindow *self = ZID_WINDOW (widget);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  g_autoptr(ZidCardConfig) config = NULL;

  if (self->actor != NULL)
    return;
  config = ZID_IS_APPLICATION (app) ? zid_application_dup_card_config (ZID_APPLICATION (app), self->portal) : NULL;
  dismiss_toasts (self);
  zid_validate_page_start (self->validate_page, self->portal, self->service, config);
  show_page (self, "validate");
}

/* Where the readiness check points to import a registration file: the
 * validate page's first step, with its file chooser open */
static void
import_registration_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *param)
{
  ZidWindow *self = ZID_WINDOW (widget);

  if (self->actor != NULL)
    return;
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "validate") != 0)
    validate_organisation_action (widget, NULL, NULL);
  zid_validate_page_import (self->validate_page);
}

/* "Logboek": the audit trail as the logged-in actor may see it */
static void
audit_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  ZidWindow *self = ZID_WINDOW (widget);

  if (self->actor != NULL)
    gtk_window_present (GTK_WINDOW (zid_audit_window_new (GTK_WINDOW (self), self->portal,
                                                          zid_user_get_id (self->actor))));
}

/* "Gebruikers importeren…" and "Openstaande registraties" */
static void
import_users_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  ZidWindow *self = ZID_WINDOW (widget);

  if (self->actor != NULL)
    gtk_window_present (GTK_WINDOW (zid_import_dialog_new (GTK_WINDOW (self), self->portal,
                                                           zid_user_get_id (self->actor))));
}

static void
pending_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  ZidWindow *self = ZID_WINDOW (widget);

  if (self->actor != NULL)
    gtk_window_present (GTK_WINDOW (zid_pending_window_new (GTK_WINDOW (self), self->portal,
                                                            zid_user_get_id (self->actor))));
}

/* "Controle": the readiness checks, from the landing page and the menu */
static void
readiness_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  ZidWindow *self = ZID_WINDOW (widget);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  g_autoptr(ZidCardConfig) config = NULL;
  gboolean running = self->service != NULL && zid_service_is_running (self->service);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "validate") == 0)
    zid_validate_page_stop (self->validate_page);
  config = ZID_IS_APPLICATION (app) ? zid_application_dup_card_config (ZID_APPLICATION (app), self->portal) : NULL;
  zid_readiness_page_run (self->readiness_page, self->portal, config,
                          running ? zid_service_get_port (self->service) : 0, running);
  show_page (self, "readiness");
}

static void
on_validate_finished (ZidWindow *self)
{
  zid_validate_page_stop (self->validate_page);
  show_landing (self);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  ZidWindow *self = ZID_WINDOW (widget);
  const char *page = gtk_stack_get_visible_child_name (self->main_stack);

  if (g_strcmp0 (page, "user") == 0)
    {
      show_page (self, "main");
      zid_users_view_reload (self->users_view);
    }
  else if (g_strcmp0 (page, "validate") == 0)
    on_validate_finished (self);
  else if (g_strcmp0 (page, "readiness") == 0)
    show_page (self, self->actor != NULL ? "main" : "landing");
}

static void
manage_user_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  ZidWindow *self = ZID_WINDOW (widget);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  g_autoptr(ZidCardConfig) card = NULL;

  if (self->actor == NULL)
    return;
  card = ZID_IS_APPLICATION (app) ? zid_application_dup_card_config (ZID_APPLICATION (app), self->portal) : NULL;
  zid_user_page_load (self->user_page, self->portal, card, zid_user_get_id (self->actor),
                      g_variant_get_int64 (param));
  show_page (self, "user");
}

static void
on_registered (ZidRegisterDialog  *dialog,
               gpointer            enrolment,
               const char         *person,
               ZidWindow          *self)
{
  g_autofree char *msg = g_strdup_printf (_("%s has been registered"), person);

  add_toast (self, msg);
  show_enrolment (self, enrolment, person);
  zid_users_view_reload (self->users_view);
}

static void
register_user_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  ZidWindow *self = ZID_WINDOW (widget);
  ZidRegisterDialog *dialog;

  if (self->actor == NULL)
    return;
  dialog = zid_register_dialog_new (GTK_WINDOW (self), self->portal, zid_user_get_id (self->actor));
  g_signal_connect_object (dialog, "registered", G_CALLBACK (on_registered), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  ZidWindow *self = ZID_WINDOW (widget);

  show_page (self, "main");
  adw_view_stack_set_visible_child_name (self->view_stack, "users");
  zid_users_view_focus_search (self->users_view);
}

/* The routes up from the pages (zid-ui-util.h) */
static void
show_toast_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  add_toast (ZID_WINDOW (widget), g_variant_get_string (param, NULL));
}

static void
show_enrolment_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  const char *person = NULL;
  g_autoptr(ZidOneTimeCode) enrolment = zid_ui_enrolment_from_variant (param, &person);

  show_enrolment (ZID_WINDOW (widget), enrolment, person);
}

/* ---- Service ---------------------------------------------------------- */

/* Why the service does not run, in words that say what to do */
static char *
service_failure_message (ZidBackend   *portal,
                         const GError *error)
{
  g_autofree char *address = zid_backend_dup_service_address (portal);

  if (g_error_matches (error, ZID_SERVICE_ERROR, ZID_SERVICE_ERROR_IN_USE))
    return g_strdup_printf (_("The enrolment service cannot listen on %s: another program, or the "
                              "window of another environment, already uses that port. Phones cannot "
                              "use QR codes of this window, so none is shown. Choose another port for "
                              "this environment under Preferences (Service address and port) or stop "
                              "the other program, then choose Try Again."),
                            address);
  if (g_error_matches (error, ZID_SERVICE_ERROR, ZID_SERVICE_ERROR_LISTEN) ||
      g_error_matches (error, ZID_SERVICE_ERROR, ZID_SERVICE_ERROR_ADDRESS))
    return g_strdup_printf (_("The enrolment service cannot listen on %s: this computer does not have "
                              "that address. Phones cannot use QR codes of this window, so none is "
                              "shown. Correct the service address under Preferences, then choose Try "
                              "Again."),
                            address);
  return g_strdup (_("The enrolment service cannot start: its TLS certificate cannot be used. Phones "
                     "cannot use QR codes of this window, so none is shown. Run the Readiness Check, "
                     "then choose Try Again."));
}

/* A window of the local store starts its own enrolment service; one
 * without (a remote backend's server serves the phones) has nothing to start */
static gboolean
start_service (ZidWindow *self)
{
  g_autoptr(GError) error = NULL;
  gboolean started = self->service == NULL || zid_service_start (self->service, NULL, &error);

  if (!started)
    {
      g_autofree char *msg = service_failure_message (self->portal, error);

      g_warning ("The enrolment service could not start: %s", error->message);
      gtk_label_set_text (self->service_message, msg);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->service_message), !started);
  gtk_widget_set_visible (GTK_WIDGET (self->service_retry), !started);
  return started;
}

static void
retry_service_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  ZidWindow *self = ZID_WINDOW (widget);

  if (service_running (self) || !start_service (self))
    return;
  if (self->actor == NULL && g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "landing") == 0)
    show_landing (self);
}

/* ---- Window ----------------------------------------------------------- */

/* Acceptatie: the red badge; productie: a calm one in the accent colour */
static void
show_environment (ZidWindow *self)
{
  const EnvironmentLook *look = &environment_looks[zid_backend_get_environment (self->portal)];

  gtk_label_set_label (self->environment_badge, _(look->badge));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->environment_badge), _(look->tooltip));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->environment_badge),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _(look->accessible), -1);
  gtk_widget_add_css_class (GTK_WIDGET (self->environment_badge), look->style);
  update_title (self);
}

static gboolean
zid_window_close_request (GtkWindow *window)
{
  ZidWindow *self = ZID_WINDOW (window);
  GSettings *settings = zid_application_get_settings (ZID_APPLICATION (gtk_window_get_application (window)));

  if (settings != NULL)
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (settings, "window-width", MAX (width, 360));
      g_settings_set_int (settings, "window-height", MAX (height, 294));
      g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (window));
    }
  g_cancellable_cancel (self->cancellable);
  if (self->service != NULL)
    zid_service_stop (self->service);
  return GTK_WINDOW_CLASS (zid_window_parent_class)->close_request (window);
}

static void
zid_window_dispose (GObject *object)
{
  ZidWindow *self = ZID_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->poll_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), ZID_TYPE_WINDOW);
  G_OBJECT_CLASS (zid_window_parent_class)->dispose (object);
}

static void
zid_window_finalize (GObject *object)
{
  ZidWindow *self = ZID_WINDOW (object);

  g_clear_object (&self->portal);
  g_clear_object (&self->service);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->actor);
  g_clear_pointer (&self->toast_list, g_ptr_array_unref);
  g_free (self->session_id);
  g_free (self->app_title);
  G_OBJECT_CLASS (zid_window_parent_class)->finalize (object);
}

static void
zid_window_class_init (ZidWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = zid_window_dispose;
  object_class->finalize = zid_window_finalize;
  window_class->close_request = zid_window_close_request;

  g_type_ensure (ZID_TYPE_QR_VIEW);
  g_type_ensure (ZID_TYPE_USERS_VIEW);
  g_type_ensure (ZID_TYPE_USER_PAGE);
  g_type_ensure (ZID_TYPE_ORGANISATIONS_VIEW);
  g_type_ensure (ZID_TYPE_VALIDATE_PAGE);
  g_type_ensure (ZID_TYPE_READINESS_PAGE);
  g_type_ensure (ZID_TYPE_SERVICE_BANNER);

  gtk_widget_class_set_template_from_resource (widget_class, "/nl/zorgid/Portaal/ui/zid-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ZidWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, ZidWindow, environment_badge);
  gtk_widget_class_bind_template_child (widget_class, ZidWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, ZidWindow, title_stack);
  gtk_widget_class_bind_template_child (widget_class, ZidWindow, page_title);
  gtk_widget_class_bind_template_child (widget_class, ZidWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, ZidWindow, location_label);
  gtk_widget_class_bind_template_child (widget_class, ZidWindow, person_label);
  gtk_widget_class_bind_template_child (widget_class, ZidWindow, logout_button);
  gtk_widget_class_bind_template_child (widget_class, ZidWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, ZidWindow, login_view);
  gtk_widget_class_bind_template_child (widget_class, ZidWindow, login_message);
  gtk_widget_class_bind_template_child (widget_class, ZidWindow, landing_note);
  gtk_widget_class_bind_template_child (widget_class, ZidWindow, service_message);
  gtk_widget_class_bind_template_child (widget_class, ZidWindow, service_retry);
  gtk_widget_class_bind_template_child (widget_class, ZidWindow, service_banner);
  gtk_widget_class_bind_template_child (widget_class, ZidWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, ZidWindow, users_view);
  gtk_widget_class_bind_template_child (widget_class, ZidWindow, organisations_view);
  gtk_widget_class_bind_template_child (widget_class, ZidWindow, user_page);
  gtk_widget_class_bind_template_child (widget_class, ZidWindow, validate_page);
  gtk_widget_class_bind_template_child (widget_class, ZidWindow, readiness_page);
  gtk_widget_class_bind_template_callback (widget_class, on_login_renew);
  gtk_widget_class_bind_template_callback (widget_class, on_validate_finished);

  gtk_widget_class_install_action (widget_class, "win.logout", NULL, logout_action);
  gtk_widget_class_install_action (widget_class, "win.validate-organisation", NULL, validate_organisation_action);
  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "win.readiness", NULL, readiness_action);
  gtk_widget_class_install_action (widget_class, "win.audit", NULL, audit_action);
  gtk_widget_class_install_action (widget_class, "win.import-registration", NULL, import_registration_action);
  gtk_widget_class_install_action (widget_class, "win.manage-user", "x", manage_user_action);
  gtk_widget_class_install_action (widget_class, "win.register-user", NULL, register_user_action);
  gtk_widget_class_install_action (widget_class, "win.import-users", NULL, import_users_action);
  gtk_widget_class_install_action (widget_class, "win.pending", NULL, pending_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.retry-service", NULL, retry_service_action);
  gtk_widget_class_install_action (widget_class, "win.show-toast", "s", show_toast_action);
  gtk_widget_class_install_action (widget_class, "win.show-enrolment", ZID_UI_ENROLMENT_TYPE,
                                   show_enrolment_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.back", NULL);
}

static void
zid_window_init (ZidWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->toast_list = g_ptr_array_new_with_free_func (g_object_unref);
  self->app_title = g_strdup (gtk_window_get_title (GTK_WINDOW (self)));
  g_signal_connect_object (self->user_page, "notify::title", G_CALLBACK (update_title), self,
                           G_CONNECT_SWAPPED);
}

ZidBackend *
zid_window_get_portal (ZidWindow *self)
{
  g_return_val_if_fail (ZID_IS_WINDOW (self), NULL);
  return self->portal;
}

ZidWindow *
zid_window_new (ZidApplication *app,
                ZidBackend     *portal,
                ZidService     *service)
{
  ZidWindow *self;
  GSettings *settings = zid_application_get_settings (app);

  self = g_object_new (ZID_TYPE_WINDOW, "application", app, NULL);
  self->portal = g_object_ref (portal);
  g_signal_connect_object (portal, "session-ended", G_CALLBACK (on_session_ended), self, G_CONNECT_SWAPPED);
  zid_service_banner_set_backend (self->service_banner, portal);
  if (service != NULL)
    {
      self->service = g_object_ref (service);
      g_signal_connect_object (service, "login-accepted", G_CALLBACK (on_login_accepted), self, 0);
      g_signal_connect_object (service, "refused", G_CALLBACK (on_refused), self, 0);
      zid_service_banner_set_service (self->service_banner, service);
    }
  if (settings != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (settings, "window-width"),
                                   g_settings_get_int (settings, "window-height"));
      if (g_settings_get_boolean (settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }

  show_environment (self);
  zid_qr_view_set_clock (self->login_view, zid_backend_get_clock (portal));
  zid_qr_view_set_renewable (self->login_view, TRUE);
  zid_qr_view_set_purpose (self->login_view, _("Scan this QR code with the ZORG-ID Mobile App to log in"));

  start_service (self);
  show_landing (self);
  return self;
}
