/* zid-user-page.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "zid-attribute-dialog.h"
#include "zid-block-dialog.h"
#include "zid-card-completion.h"
#include "zid-form-dialog.h"
#include "zid-membership-dialog.h"
#include "zid-ui-util.h"
#include "zid-user-page.h"
#include "zid-work.h"

typedef struct
{
  ZidUser         *user;
  GPtrArray       *attributes;    /* ZidAttribute */
  GPtrArray       *certificates;  /* ZidCertificate */
  GPtrArray       *organisations; /* ZidOrganisation: the actor's */
  ZidCapabilities *caps;          /* what the actor may do here, and why not */
} UserData;

struct _ZidUserPage
{
  GtkBox               parent_instance;

  /* template */
  GtkStack            *stack;
  GtkScrolledWindow   *scroller;
  GtkLabel            *name_label;         /* with status_label: above the scroller, always in view */
  GtkLabel            *status_label;
  GtkLabel            *notice_label;       /* what cannot complete yet, a refusal without a dialog */
  GtkListBox          *personal_list;
  AdwPreferencesGroup *memberships_group;  /* its description: why no role can be given */
  GtkListBox          *memberships_list;
  AdwPreferencesGroup *attributes_group;
  GtkListBox          *attributes_list;
  GtkListBox          *status_list;
  GtkLabel            *status_note;        /* §8.2: why Blokkeren is not offered */
  AdwPreferencesGroup *certificates_group;
  GtkListBox          *certificates_list;
  GtkLabel            *error_label;

  /* owned */
  ZidBackend          *portal;
  GCancellable        *cancellable;        /* the load; a reload cancels it */
  GCancellable        *op_cancellable;     /* a change (a card read among them) in progress;
                                            * cancelled on logout and dispose, not by a reload */
  AdwMessageDialog    *dialog;             /* the form dialog whose change runs: its refusal shows there */
  UserData            *data;
  ZidCardConfig       *card;               /* the UZI card settings of the window */
  gint64               actor;
  gint64               user;
  char                *title;              /* the user's name once loaded */
};

G_DEFINE_FINAL_TYPE (ZidUserPage, zid_user_page, GTK_TYPE_BOX)

enum { PROP_0, PROP_TITLE, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
set_title (ZidUserPage *self,
           const char  *title)
{
  if (g_strcmp0 (self->title, title) == 0)
    return;
  g_free (self->title);
  self->title = g_strdup (title);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

const char *
zid_user_page_get_title (ZidUserPage *self)
{
  g_return_val_if_fail (ZID_IS_USER_PAGE (self), NULL);
  return self->title;
}

static void
user_data_free (gpointer p)
{
  UserData *d = p;

  if (d == NULL)
    return;
  g_clear_object (&d->user);
  g_clear_pointer (&d->attributes, g_ptr_array_unref);
  g_clear_pointer (&d->certificates, g_ptr_array_unref);
  g_clear_pointer (&d->organisations, g_ptr_array_unref);
  g_clear_pointer (&d->caps, zid_capabilities_unref);
  g_free (d);
}

static void
toast (ZidUserPage *self,
       const char  *message)
{
  if (message != NULL)
    zid_ui_show_toast (GTK_WIDGET (self), message);
}

/* Under the name and status, where the eye is: not a toast that goes */
static void
show_notice (ZidUserPage *self,
             const char  *message)
{
  gtk_label_set_text (self->notice_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->notice_label), message != NULL);
}

/* The dialog of a change that will not report back */
static void
drop_dialog (ZidUserPage *self)
{
  g_autoptr(AdwMessageDialog) dialog = g_steal_pointer (&self->dialog);

  if (dialog != NULL)
    zid_form_dialog_close (dialog);
}

static const char *
person (ZidUserPage *self)
{
  return self->data ? zid_user_get_display_name (self->data->user) : "";
}

/* ---- Loading ---------------------------------------------------------- */

typedef struct
{
  gint64 actor;
  gint64 user;
} Ids;

static gpointer
load_worker (ZidBackend  *portal,
             gpointer     p,
             GError     **error)
{
  Ids *ids = p;
  UserData *d = g_new0 (UserData, 1);

  if ((d->user = zid_backend_get_user (portal, ids->actor, ids->user, error)) == NULL ||
      (d->attributes = zid_backend_list_attributes (portal, ids->actor, ids->user, error)) == NULL ||
      (d->certificates = zid_backend_list_certificates (portal, ids->actor, ids->user, error)) == NULL ||
      (d->organisations = zid_backend_list_organisations (portal, ids->actor, error)) == NULL ||
      /* every button of the page and every refusal: one call, one transaction */
      (d->caps = zid_backend_get_capabilities (portal, ids->actor, ids->user, error)) == NULL)
    {
      user_data_free (d);
      return NULL;
    }
  return d;
}

static GtkWidget *
add_row (GtkListBox *box,
         const char *title,
         const char *subtitle)
{
  GtkWidget *row = zid_ui_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_append (box, row);
  return row;
}

static void
add_empty_row (GtkListBox *box,
               const char *text)
{
  GtkWidget *row = add_row (box, text, NULL);

  gtk_widget_add_css_class (row, "dim-label");
}

static GtkWidget *
row_button (GtkWidget  *row,
            const char *label,
            const char *accessible,
            const char *action,
            GVariant   *target)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  if (target != NULL)
    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), target);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  return button;
}

/* Enables @action_name as the capabilities allow @action; the refusal's
 * text (the core's, naming the rule) or NULL */
static const char *
offer (ZidUserPage *self,
       const char  *action_name,
       ZidAction    action)
{
  const GError *why = NULL;
  gboolean allowed = zid_capabilities_allows (self->data->caps, action, &why);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), action_name, allowed);
  return allowed ? NULL : why->message;
}

/* A line of @note, once */
static void
add_note (GString    *note,
          const char *line)
{
  if (line == NULL || strstr (note->str, line) != NULL)
    return;
  if (note->len > 0)
    g_string_append_c (note, '\n');
  g_string_append (note, line);
}

static void
fill (ZidUserPage *self)
{
  UserData *d = self->data;
  ZidUser *user = d->user;
  GPtrArray *memberships = zid_user_get_memberships (user);
  g_autofree char *last_use = zid_ui_format_time (zid_user_get_last_use (user));
  g_autofree char *registered = zid_ui_format_time (zid_user_get_registered (user));
  g_autofree char *born = zid_ui_format_date (zid_user_get_birth_date (user));
  gboolean blocked = zid_user_get_blocked (user);
  const char *block_refusal = offer (self, "user.block", ZID_ACTION_BLOCK);
  const char *unblock_refusal = offer (self, "user.unblock", ZID_ACTION_UNBLOCK);
  const char *revoke_refusal = offer (self, "user.revoke", ZID_ACTION_REVOKE_CERTIFICATE);
  const char *status_refusal = blocked ? unblock_refusal : block_refusal;
  g_autoptr(GString) certificates_note = g_string_new (NULL);
  guint n_active = 0;
  GtkWidget *row;

  /* Each refusal in place, before any click: the rule and its reason */
  adw_preferences_group_set_description (self->memberships_group,
                                         offer (self, "user.add-membership", ZID_ACTION_SET_MEMBERSHIP));
  adw_preferences_group_set_description (self->attributes_group,
                                         offer (self, "user.add-attribute", ZID_ACTION_ADD_ATTRIBUTE));
  add_note (certificates_note, offer (self, "user.new-certificate", ZID_ACTION_NEW_CERTIFICATE));
  if (zid_capabilities_get_enrolment_waits (d->caps))
    add_note (certificates_note, _("The phone can add a new certificate only once the user is activated again."));

  gtk_label_set_text (self->name_label, zid_user_get_display_name (user));
  set_title (self, zid_user_get_display_name (user));
  if (blocked)
    {
      g_autofree char *status = g_strdup_printf (_("Status: Blocked (%s)"),
                                                 zid_ui_block_reason_label (zid_user_get_block_reason (user)));

      gtk_label_set_text (self->status_label, status);
      gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "success");
      gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
    }
  else
    {
      gtk_label_set_text (self->status_label, _("Status: Active"));
      gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "success");
    }

  zid_ui_clear_list_box (self->personal_list);
  add_row (self->personal_list, _("First name"), zid_user_get_first_name (user));
  add_row (self->personal_list, _("Last name"), zid_user_get_last_name (user));
  add_row (self->personal_list, _("Birth date"), born);
  add_row (self->personal_list, _("Mobile ID"), zid_ui_mobile_id_label (zid_user_get_mobile_id (user)));
  add_row (self->personal_list, _("Last use"), last_use);
  add_row (self->personal_list, _("Registered"), registered);

  zid_ui_clear_list_box (self->memberships_list);
  for (guint i = 0; memberships != NULL && i < memberships->len; i++)
    {
      ZidMembership *m = g_ptr_array_index (memberships, i);
      g_autofree char *sub = g_strdup_printf (_("URA %s · Role: %s"), m->ura, zid_ui_role_label (m->role));

      add_row (self->memberships_list, m->organisation_name, sub);
    }
  if (memberships == NULL || memberships->len == 0)
    add_empty_row (self->memberships_list, _("No organisations"));

  zid_ui_clear_list_box (self->attributes_list);
  for (guint i = 0; i < d->attributes->len; i++)
    {
      ZidAttribute *a = g_ptr_array_index (d->attributes, i);
      g_autofree char *sub = g_strdup_printf (_("Organisation URA %s · Task code %s"),
                                              a->ura ? a->ura : "–", a->task_code ? a->task_code : "–");

      add_row (self->attributes_list, zid_ui_attribute_type_label (a->type), sub);
    }
  if (d->attributes->len == 0)
    add_empty_row (self->attributes_list, _("No attributes"));

  zid_ui_clear_list_box (self->status_list);
  if (blocked)
    {
      g_autofree char *sub = g_strdup_printf (_("Reason: %s"),
                                              zid_ui_block_reason_label (zid_user_get_block_reason (user)));

      row = add_row (self->status_list, _("Blocked"), sub);
      if (unblock_refusal == NULL)
        row_button (row, _("Activate"), _("Activate"), "user.unblock", NULL);
    }
  else
    {
      row = add_row (self->status_list, _("Active"), NULL);
      if (block_refusal == NULL)
        row_button (row, _("Block"), _("Block"), "user.block", NULL);
    }
  /* §8.2: why this user cannot be blocked (or activated) */
  gtk_label_set_text (self->status_note, status_refusal ? status_refusal : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_note), status_refusal != NULL);

  zid_ui_clear_list_box (self->certificates_list);
  for (guint i = 0; i < d->certificates->len; i++)
    {
      ZidCertificate *c = g_ptr_array_index (d->certificates, i);
      g_autofree char *from = zid_ui_format_time (c->not_before);
      g_autofree char *until = zid_ui_format_time (c->not_after);
      g_autofree char *title = g_strdup_printf (_("Certificate %s"), c->serial);
      g_autofree char *sub = g_strdup_printf ("%s · %s – %s",
                                              c->revoked ? _("Revoked") : _("Active"), from, until);

      row = add_row (self->certificates_list, title, sub);
      n_active += !c->revoked;
      if (!c->revoked && revoke_refusal == NULL)
        {
          g_autofree char *acc = g_strdup_printf (_("Revoke certificate %s"), c->serial);

          row_button (row, _("Revoke"), acc, "user.revoke", g_variant_new_string (c->serial));
        }
    }
  if (d->certificates->len == 0)
    add_empty_row (self->certificates_list, _("No certificates"));
  /* §8.3: only a blocked user's certificates can be revoked */
  if (n_active > 0)
    add_note (certificates_note, revoke_refusal);
  adw_preferences_group_set_description (self->certificates_group,
                                         certificates_note->len > 0 ? certificates_note->str : NULL);
}

static void
load_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  UserData *d = zid_work_finish (result, &error);
  ZidUserPage *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ZID_USER_PAGE (source);
  if (d == NULL)
    {
      gtk_label_set_text (self->error_label, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }
  user_data_free (self->data);
  self->data = d;
  fill (self);
  gtk_stack_set_visible_child_name (self->stack, "page");
}

void
zid_user_page_reload (ZidUserPage *self)
{
  Ids *ids;

  g_return_if_fail (ZID_IS_USER_PAGE (self));
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  ids = g_new (Ids, 1);
  ids->actor = self->actor;
  ids->user = self->user;
  zid_work_run (self, self->portal, load_worker, ids, g_free, user_data_free,
                self->cancellable, load_done, NULL);
}

/* ---- Staying current ---------------------------------------------------
 * The page follows the changes of its user (and of the actor's own roles)
 * by anyone: the portal's watch names them, the page reads them again.
 * A Beheerder's page also follows every other user: whether they are the
 * last Beheerder of an organisation turns on the others' roles. */

#define USER_PAGE_WATCH "zid-user-page-watch"

static gboolean
is_beheerder (ZidUser *user)
{
  GPtrArray *memberships = user ? zid_user_get_memberships (user) : NULL;

  for (guint i = 0; memberships != NULL && i < memberships->len; i++)
    if (((ZidMembership *) g_ptr_array_index (memberships, i))->role == ZID_ROLE_BEHEERDER)
      return TRUE;
  return FALSE;
}

static void
on_watch_changed (ZidWatch    *watch,
                  GArray      *users,
                  GArray      *organisations,
                  ZidUserPage *self)
{
  if (self->user == 0 || self->portal == NULL || g_object_get_data (G_OBJECT (self), USER_PAGE_WATCH) != watch)
    return;
  if (users->len > 0 && self->data != NULL && is_beheerder (self->data->user))
    {
      zid_user_page_reload (self);
      return;
    }
  for (guint i = 0; i < users->len; i++)
    {
      gint64 id = g_array_index (users, gint64, i);

      if (id == self->user || id == self->actor)
        {
          zid_user_page_reload (self);
          return;
        }
    }
}

/* @portal NULL: stops */
static void
user_page_watch (ZidUserPage *self,
                 ZidBackend  *portal)
{
  ZidWatch *watch = g_object_get_data (G_OBJECT (self), USER_PAGE_WATCH);

  if (watch != NULL && portal != NULL && zid_watch_get_portal (watch) == portal)
    return;
  if (watch != NULL)
    g_signal_handlers_disconnect_by_func (watch, on_watch_changed, self);
  g_object_set_data (G_OBJECT (self), USER_PAGE_WATCH, NULL);
  if (portal == NULL)
    return;
  watch = zid_watch_get (portal);
  g_object_set_data_full (G_OBJECT (self), USER_PAGE_WATCH, watch, g_object_unref);
  g_signal_connect (watch, "changed", G_CALLBACK (on_watch_changed), self);
}

/* ---- end of staying current --------------------------------------------- */

/* Logged out: whatever is under way is dropped, so its result (a new
 * certificate's QR among them) never shows for whoever comes next, and
 * nothing of the user stays */
void
zid_user_page_clear (ZidUserPage *self)
{
  g_return_if_fail (ZID_IS_USER_PAGE (self));
  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->op_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->op_cancellable);
  self->cancellable = g_cancellable_new ();
  self->op_cancellable = g_cancellable_new ();
  drop_dialog (self);
  show_notice (self, NULL);
  g_clear_pointer (&self->data, user_data_free);
  self->actor = 0;
  self->user = 0;
  set_title (self, NULL);
  user_page_watch (self, NULL);
}

void
zid_user_page_load (ZidUserPage         *self,
                    ZidBackend          *portal,
                    const ZidCardConfig *card,
                    gint64               actor,
                    gint64               user)
{
  g_return_if_fail (ZID_IS_USER_PAGE (self));
  g_set_object (&self->portal, portal);
  g_clear_pointer (&self->card, zid_card_config_free);
  self->card = card ? zid_card_config_copy (card) : NULL;
  self->actor = actor;
  self->user = user;
  g_clear_pointer (&self->data, user_data_free);
  set_title (self, NULL);
  show_notice (self, NULL);
  /* Another user's page opens at its top, wherever the last one was left */
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);
  gtk_stack_set_visible_child_name (self->stack, "loading");
  user_page_watch (self, portal);
  zid_user_page_reload (self);
}

/* ---- Changes ---------------------------------------------------------- */

typedef enum
{
  OP_MEMBERSHIP,
  OP_ATTRIBUTE,
  OP_UZI_ATTRIBUTE,
  OP_BLOCK,
  OP_UNBLOCK,
  OP_REVOKE,
  OP_NEW_CERTIFICATE,
} OpKind;

typedef struct
{
  OpKind          kind;
  gint64          actor;
  gint64          user;
  gint64          organisation;
  ZidRole         role;
  ZidBlockReason  reason;
  ZidAttributeType type;
  char           *text;     /* task code or serial */
  ZidCardConfig  *card;     /* OP_UZI_ATTRIBUTE */
  ZidPin         *pin;      /* OP_UZI_ATTRIBUTE */
  GCancellable   *cancellable;
} Op;

typedef struct
{
  OpKind        kind;
  ZidOneTimeCode *enrolment;  /* membership of a user without a mobile ID; new certificate */
  char         *uzi_number; /* OP_UZI_ATTRIBUTE */
} OpResult;

static void
op_free (gpointer p)
{
  Op *op = p;

  g_free (op->text);
  g_clear_pointer (&op->card, zid_card_config_free);
  g_clear_pointer (&op->pin, zid_pin_unref);
  g_clear_object (&op->cancellable);
  g_free (op);
}

static void
op_result_free (gpointer p)
{
  OpResult *r = p;

  g_clear_pointer (&r->enrolment, zid_one_time_code_free);
  g_free (r->uzi_number);
  g_free (r);
}

/* A refused PIN is typed again: with the tries left as the card says
 * them; a blocked one says so, and how to get it unblocked */
static void
explain_pin_refusal (ZidCardCompletion *flow,
                     GError            *error)
{
  ZidPinState state = zid_card_completion_get_pin_state (flow);
  int tries = zid_card_completion_get_pin_tries_left (flow);
  gboolean incorrect = g_error_matches (error, ZID_CARD_ERROR, ZID_CARD_ERROR_PIN_INCORRECT);
  g_autofree char *text = NULL;

  if (g_error_matches (error, ZID_CARD_ERROR, ZID_CARD_ERROR_PIN_LOCKED) ||
      (incorrect && (state == ZID_PIN_STATE_LOCKED || tries == 0)))
    text = g_strdup_printf ("%s\n\n%s", _("The PIN of this UZI card is blocked."),
                            _("Have the PIN of your UZI card unblocked with the PUK code from the UZI register."));
  else if (incorrect)
    {
      g_autofree char *left = zid_ui_pin_state_text (state, tries);

      /* Translators: %s is "2 tries left before the PIN is blocked" */
      text = g_strdup_printf (_("Wrong PIN. %s."), left);
    }
  if (text != NULL)
    {
      g_free (error->message);
      error->message = g_steal_pointer (&text);
    }
}

static gpointer
op_worker (ZidBackend  *portal,
           gpointer     p,
           GError     **error)
{
  Op *op = p;
  OpResult *r = g_new0 (OpResult, 1);
  gboolean ok = FALSE;

  r->kind = op->kind;
  switch (op->kind)
    {
    case OP_MEMBERSHIP:
      ok = zid_backend_set_membership (portal, op->actor, op->user, op->organisation, op->role,
                                      &r->enrolment, error);
      break;
    case OP_ATTRIBUTE:
      ok = zid_backend_add_attribute (portal, op->actor, op->user, zid_attribute_type_get_name (op->type),
                                     op->organisation, op->text, error) > 0;
      break;
    case OP_UZI_ATTRIBUTE:
      {
        /* §8.1: the card inserted now proves itself (PIN, proof of
         * possession, chain: zid-card-completion.h, card refusals audited
         * there); the attribute goes to the actor's own ID, the card's UZI
         * number is the task code */
        g_autoptr(ZidCardCompletion) flow = zid_card_completion_new_for_attribute (portal, op->card, op->actor,
                                                                                    op->organisation);

        ok = zid_ui_card_present (error) &&
             zid_card_completion_read (flow, op->cancellable, error) &&
             zid_card_completion_verify (flow, op->pin, op->cancellable, error) &&
             zid_card_completion_add_attribute (flow, op->cancellable, error) > 0;
        if (ok)
          r->uzi_number = g_strdup (zid_card_completion_get_holder (flow)->uzi_number);
        else
          explain_pin_refusal (flow, *error);
      }
      break;
    case OP_BLOCK:
      ok = zid_backend_block_user (portal, op->actor, op->user, op->reason, error);
      break;
    case OP_UNBLOCK:
      ok = zid_backend_unblock_user (portal, op->actor, op->user, error);
      break;
    case OP_REVOKE:
      ok = zid_backend_revoke_certificate (portal, op->actor, op->user, op->text, error);
      break;
    case OP_NEW_CERTIFICATE:
      r->enrolment = zid_backend_new_certificate (portal, op->actor, op->user, error);
      ok = r->enrolment != NULL;
      break;
    default:
      g_assert_not_reached ();
    }
  if (!ok)
    {
      op_result_free (r);
      return NULL;
    }
  return r;
}

/* The core's refusal where it was asked for: in the dialog, its input
 * kept, or under the name */
static void
show_refusal (ZidUserPage      *self,
              AdwMessageDialog *dialog,
              const GError     *error)
{
  if (dialog == NULL || !zid_form_dialog_is_open (dialog))
    show_notice (self, error->message);
  else if (ZID_IS_ATTRIBUTE_DIALOG (dialog))
    zid_attribute_dialog_show_error (ZID_ATTRIBUTE_DIALOG (dialog), error->message,
                                     error->domain == ZID_CARD_ERROR &&
                                     (error->code == ZID_CARD_ERROR_PIN_INCORRECT ||
                                      error->code == ZID_CARD_ERROR_PIN_LENGTH));
  else
    zid_form_dialog_show_error (dialog, error->message);
}

static void
op_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  OpResult *r = zid_work_finish (result, &error);
  g_autoptr(AdwMessageDialog) dialog = NULL;
  ZidUserPage *self;
  const char *message = NULL;
  g_autofree char *owned = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ZID_USER_PAGE (source);
  dialog = g_steal_pointer (&self->dialog);
  if (r == NULL)
    {
      show_refusal (self, dialog, error);
      zid_user_page_reload (self);
      return;
    }
  if (dialog != NULL)
    zid_form_dialog_close (dialog);
  switch (r->kind)
    {
    case OP_MEMBERSHIP:      message = _("The role has been saved"); break;
    case OP_ATTRIBUTE:       message = _("The attribute has been registered"); break;
    case OP_UZI_ATTRIBUTE:
      message = owned = g_strdup_printf (_("The UZI card attribute (UZI number %s) has been assigned to your own ZORG-ID"),
                                         r->uzi_number);
      break;
    case OP_BLOCK:           message = _("The user has been blocked"); break;
    case OP_UNBLOCK:         message = _("The user has been activated"); break;
    case OP_REVOKE:          message = _("The certificate has been revoked"); break;
    case OP_NEW_CERTIFICATE:
      /* Issued, but the phone is refused until the block is lifted: no
       * success to report, the wait to say */
      if (self->data != NULL && zid_capabilities_get_enrolment_waits (self->data->caps))
        show_notice (self, owned = g_strdup_printf (_("A new certificate for %s has been issued, but the phone "
                                                      "can add it only after %s has been unblocked (Activate)."),
                                                    person (self), person (self)));
      else
        message = _("A new certificate has been registered");
      break;
    default: break;
    }
  toast (self, message);
  if (r->enrolment != NULL)
    zid_ui_show_enrolment (GTK_WIDGET (self), r->enrolment, person (self));
  op_result_free (r);
  zid_user_page_reload (self);
}

/* Runs @op for this page's user; from @dialog (a form dialog, or NULL),
 * which stays open and busy until the core has answered */
static void
run_op (ZidUserPage      *self,
        Op               *op,
        AdwMessageDialog *dialog,
        const char       *busy)
{
  op->actor = self->actor;
  op->user = self->user;
  op->cancellable = g_object_ref (self->op_cancellable);
  show_notice (self, NULL);
  drop_dialog (self);
  if (dialog != NULL)
    {
      self->dialog = g_object_ref (dialog);
      zid_form_dialog_set_busy (dialog, busy);
    }
  zid_work_run (self, self->portal, op_worker, op, op_free, op_result_free,
                self->op_cancellable, op_done, NULL);
}

static Op *
op_new (OpKind kind)
{
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  return op;
}

static GtkWindow *
parent_window (ZidUserPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

/* A confirmation that names whom it is about: responses cancel / save; it
 * stays open until the core has answered, a refusal shown in it */
static AdwMessageDialog *
confirm_dialog (GtkWindow  *parent,
                const char *heading,
                const char *body,
                const char *save_label)
{
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, heading, body));
  adw_message_dialog_add_responses (dialog, "cancel", _("Cancel"), "save", save_label, NULL);
  adw_message_dialog_set_default_response (dialog, "save");
  adw_message_dialog_set_close_response (dialog, "cancel");
  adw_message_dialog_set_response_appearance (dialog, "save", ADW_RESPONSE_SUGGESTED);
  zid_form_dialog_setup (dialog, "save");
  return dialog;
}

/* The role @user holds in @organisation */
static ZidRole
role_in (ZidUser *user,
         gint64   organisation)
{
  GPtrArray *memberships = zid_user_get_memberships (user);

  for (guint i = 0; memberships != NULL && i < memberships->len; i++)
    {
      ZidMembership *m = g_ptr_array_index (memberships, i);

      if (m->organisation_id == organisation)
        return m->role;
    }
  return ZID_ROLE_NONE;
}

/* Whether @user keeps portal access (Beheerder or Administrator
 * somewhere) once their role in @organisation is @role */
static gboolean
keeps_portal_access (ZidUser *user,
                     gint64   organisation,
                     ZidRole  role)
{
  GPtrArray *memberships = zid_user_get_memberships (user);

  if (role >= ZID_ROLE_BEHEERDER)
    return TRUE;
  for (guint i = 0; memberships != NULL && i < memberships->len; i++)
    {
      ZidMembership *m = g_ptr_array_index (memberships, i);

      if (m->organisation_id != organisation && m->role >= ZID_ROLE_BEHEERDER)
        return TRUE;
    }
  return FALSE;
}

/* Granted after the confirmation: the refusal, if any, in the form */
static void
membership_confirmed (AdwMessageDialog *confirm,
                      const char       *response,
                      ZidUserPage      *self)
{
  AdwMessageDialog *form = g_object_get_data (G_OBJECT (confirm), "form");
  Op *op = g_object_steal_data (G_OBJECT (confirm), "op");

  zid_form_dialog_close (confirm);
  if (zid_form_dialog_is_open (form))
    run_op (self, op, form, NULL);
  else
    op_free (op);
}

/* Organisaties: + Registreren. Granting Administrator and taking away a
 * Beheerder's or Administrator's role are confirmed first, by name */
static void
membership_response (ZidMembershipDialog *dialog,
                     const char          *response,
                     ZidUserPage         *self)
{
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  AdwMessageDialog *confirm;
  const char *org_name = NULL;
  ZidRole current;
  Op *op;

  if (self->data == NULL || zid_membership_dialog_get_organisation (dialog) == 0)
    return;
  op = op_new (OP_MEMBERSHIP);
  op->organisation = zid_membership_dialog_get_organisation (dialog);
  op->role = zid_membership_dialog_get_role (dialog);
  current = role_in (self->data->user, op->organisation);
  for (guint i = 0; i < self->data->organisations->len; i++)
    {
      ZidOrganisation *org = g_ptr_array_index (self->data->organisations, i);

      if (org->id == op->organisation)
        org_name = org->name;
    }

  if (op->role == ZID_ROLE_ADMINISTRATOR && current != ZID_ROLE_ADMINISTRATOR)
    {
      heading = g_strdup_printf (_("Make %s an Administrator?"), person (self));
      body = g_strdup_printf (_("%s becomes an Administrator of %s: they can then register administrators, "
                                "block and activate users and complete organisation registrations."),
                              person (self), org_name);
    }
  else if (current >= ZID_ROLE_BEHEERDER && op->role < current)
    {
      const char *last_of = op->role < ZID_ROLE_BEHEERDER
        ? zid_capabilities_get_last_beheerder_of (self->data->caps, op->organisation) : NULL;

      heading = g_strdup_printf (_("Take the %s role away from %s?"), zid_ui_role_label (current), person (self));
      if (last_of != NULL)
        /* Translators: the person, the organisation, the new role */
        body = g_strdup_printf (_("%s is the last Beheerder of %s. They become %s there; after that only "
                                  "the organisation's Administrator can manage its users."),
                                person (self), last_of, zid_ui_role_label (op->role));
      else
        body = g_strdup_printf (_("%s becomes %s in %s."), person (self), zid_ui_role_label (op->role), org_name);
      if (!keeps_portal_access (self->data->user, op->organisation, op->role))
        {
          g_autofree char *more = g_strdup_printf ("%s %s", body,
                                                   _("It is their last Beheerder role: they can no longer log in to the portal."));

          g_free (body);
          body = g_steal_pointer (&more);
        }
    }
  if (heading == NULL)
    {
      run_op (self, op, ADW_MESSAGE_DIALOG (dialog), NULL);
      return;
    }
  confirm = confirm_dialog (GTK_WINDOW (dialog), heading, body, _("Save"));
  adw_message_dialog_set_response_appearance (confirm, "save", ADW_RESPONSE_DESTRUCTIVE);
  g_object_set_data_full (G_OBJECT (confirm), "op", op, op_free);
  g_object_set_data_full (G_OBJECT (confirm), "form", g_object_ref (dialog), g_object_unref);
  g_signal_connect_object (confirm, "response::save", G_CALLBACK (membership_confirmed), self, 0);
  gtk_window_present (GTK_WINDOW (confirm));
}

static void
add_membership_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  ZidUserPage *self = ZID_USER_PAGE (widget);
  ZidMembershipDialog *dialog;

  if (self->data == NULL)
    return;
  dialog = zid_membership_dialog_new (parent_window (self));
  for (guint i = 0; i < self->data->organisations->len; i++)
    {
      ZidOrganisation *org = g_ptr_array_index (self->data->organisations, i);
      guint roles = zid_capabilities_get_assignable_roles (self->data->caps, org->id);

      if (roles != 0)
        zid_membership_dialog_add_organisation (dialog, org, roles);
    }
  g_signal_connect_object (dialog, "response::save", G_CALLBACK (membership_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Attributen: + Registreren */
static void
attribute_response (ZidAttributeDialog *dialog,
                    const char         *response,
                    ZidUserPage        *self)
{
  g_autoptr(ZidPin) pin = zid_attribute_dialog_take_pin (dialog);
  ZidAttributeType type;
  Op *op;

  if (self->data == NULL ||
      !zid_attribute_dialog_get_attribute_type (dialog, &type) ||
      zid_attribute_dialog_get_organisation (dialog) == 0)
    return;
  op = op_new (OP_ATTRIBUTE);
  op->type = type;
  op->organisation = zid_attribute_dialog_get_organisation (dialog);
  op->text = zid_attribute_dialog_dup_task_code (dialog);
  if (type == ZID_ATTRIBUTE_TYPE_UZI)
    {
      if (pin == NULL)
        {
          op_free (op);
          return;
        }
      op->kind = OP_UZI_ATTRIBUTE;
      op->pin = g_steal_pointer (&pin);
      op->card = self->card ? zid_card_config_copy (self->card)
                            : zid_card_config_new_from_environment (ZID_UZI_ENVIRONMENT_ACCEPTATIE);
      run_op (self, op, ADW_MESSAGE_DIALOG (dialog), _("Checking the PIN and signing with the UZI card…"));
      return;
    }
  run_op (self, op, ADW_MESSAGE_DIALOG (dialog), NULL);
}

static void
add_attribute_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  ZidUserPage *self = ZID_USER_PAGE (widget);
  ZidAttributeDialog *dialog;
  g_autoptr(GPtrArray) organisations = g_ptr_array_new ();
  guint types = 0;

  if (self->data == NULL)
    return;
  /* The organisations where the actor may register an attribute of this
   * user, and the types allowed there */
  for (guint i = 0; i < self->data->organisations->len; i++)
    {
      ZidOrganisation *org = g_ptr_array_index (self->data->organisations, i);
      guint here = 0;

      for (guint t = 0; t < zid_attribute_type_get_n_values (); t++)
        {
          ZidAttributeType type = zid_attribute_type_nth (t)->value;

          if (zid_capabilities_may_add_attribute (self->data->caps, org->id, type, NULL))
            here |= 1u << type;
        }
      if (here != 0)
        g_ptr_array_add (organisations, org);
      types |= here;
    }
  /* §8.1: via a UZI card the attribute goes to the actor's own ZORG-ID,
   * whoever's page this is; the core judges that call when it is made */
  if (types != 0)
    types |= 1u << ZID_ATTRIBUTE_TYPE_UZI;
  dialog = zid_attribute_dialog_new (parent_window (self), types);
  for (guint i = 0; i < organisations->len; i++)
    zid_attribute_dialog_add_organisation (dialog, g_ptr_array_index (organisations, i));
  g_signal_connect_object (dialog, "response::save", G_CALLBACK (attribute_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Status: Blokkeren; the question names the person */
static void
block_response (ZidBlockDialog *dialog,
                const char     *response,
                ZidUserPage    *self)
{
  Op *op = op_new (OP_BLOCK);

  op->reason = zid_block_dialog_get_reason (dialog);
  run_op (self, op, ADW_MESSAGE_DIALOG (dialog), NULL);
}

static void
block_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  ZidUserPage *self = ZID_USER_PAGE (widget);
  ZidBlockDialog *dialog = zid_block_dialog_new (parent_window (self), person (self));
  const char *last_of = self->data != NULL
    ? zid_capabilities_get_last_beheerder_of (self->data->caps, 0) : NULL;

  /* blocking is national: an organisation whose last Beheerder this is
   * has none until the block is lifted */
  if (last_of != NULL)
    {
      g_autofree char *body = NULL;

      /* Translators: the first part is the question; then the person and the organisation */
      body = g_strdup_printf (_("%s\n\n%s is the last Beheerder of %s: until the block is lifted, only the "
                                "organisation's Administrator can manage its users."),
                              adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)),
                              person (self), last_of);
      adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog), body);
    }
  g_signal_connect_object (dialog, "response::block", G_CALLBACK (block_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Status: Activeren (Fig. 27/28) */
static void
unblock_response (AdwMessageDialog *dialog,
                  const char       *response,
                  ZidUserPage      *self)
{
  run_op (self, op_new (OP_UNBLOCK), dialog, NULL);
}

static void
unblock_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  ZidUserPage *self = ZID_USER_PAGE (widget);
  AdwMessageDialog *dialog;
  g_autofree char *body = g_strdup_printf (_("Activate %s? They can use their ZORG-ID again."), person (self));

  dialog = confirm_dialog (parent_window (self), _("Activate User"), body, _("Activate"));
  g_signal_connect_object (dialog, "response::save", G_CALLBACK (unblock_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Certificaten: Intrekken (Fig. 29–31) */
static void
revoke_response (AdwMessageDialog *dialog,
                 const char       *response,
                 ZidUserPage      *self)
{
  Op *op = op_new (OP_REVOKE);

  op->text = g_strdup (g_object_get_data (G_OBJECT (dialog), "serial"));
  run_op (self, op, dialog, NULL);
}

static void
revoke_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  ZidUserPage *self = ZID_USER_PAGE (widget);
  AdwMessageDialog *dialog;
  g_autofree char *heading = g_strdup_printf (_("Revoke the Certificate of %s?"), person (self));
  g_autofree char *body = g_strdup_printf (
    _("The ZORG-ID of %s in the ZORG-ID Mobile App stops working. This cannot be undone: "
      "the certificate cannot be restored. A new certificate can be issued afterwards."), person (self));

  dialog = confirm_dialog (parent_window (self), heading, body, _("Revoke"));
  adw_message_dialog_set_response_appearance (dialog, "save", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "serial", g_variant_dup_string (param, NULL), g_free);
  g_signal_connect_object (dialog, "response::save", G_CALLBACK (revoke_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Certificaten: + Registreren (Fig. 33/34) */
static void
new_certificate_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  run_op (ZID_USER_PAGE (widget), op_new (OP_NEW_CERTIFICATE), NULL, NULL);
}

/* ---- Object ----------------------------------------------------------- */

static void
zid_user_page_dispose (GObject *object)
{
  ZidUserPage *self = ZID_USER_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  user_page_watch (self, NULL);
  g_cancellable_cancel (self->op_cancellable);
  drop_dialog (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), ZID_TYPE_USER_PAGE);
  G_OBJECT_CLASS (zid_user_page_parent_class)->dispose (object);
}

static void
zid_user_page_finalize (GObject *object)
{
  ZidUserPage *self = ZID_USER_PAGE (object);

  g_clear_object (&self->portal);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->op_cancellable);
  g_clear_pointer (&self->data, user_data_free);
  g_clear_pointer (&self->card, zid_card_config_free);
  g_free (self->title);
  G_OBJECT_CLASS (zid_user_page_parent_class)->finalize (object);
}

static void
zid_user_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ZidUserPage *self = ZID_USER_PAGE (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
zid_user_page_class_init (ZidUserPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = zid_user_page_dispose;
  object_class->finalize = zid_user_page_finalize;
  object_class->get_property = zid_user_page_get_property;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/nl/zorgid/Portaal/ui/zid-user-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ZidUserPage, stack);
  gtk_widget_class_bind_template_child (widget_class, ZidUserPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, ZidUserPage, name_label);
  gtk_widget_class_bind_template_child (widget_class, ZidUserPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, ZidUserPage, notice_label);
  gtk_widget_class_bind_template_child (widget_class, ZidUserPage, personal_list);
  gtk_widget_class_bind_template_child (widget_class, ZidUserPage, memberships_group);
  gtk_widget_class_bind_template_child (widget_class, ZidUserPage, memberships_list);
  gtk_widget_class_bind_template_child (widget_class, ZidUserPage, attributes_group);
  gtk_widget_class_bind_template_child (widget_class, ZidUserPage, attributes_list);
  gtk_widget_class_bind_template_child (widget_class, ZidUserPage, status_list);
  gtk_widget_class_bind_template_child (widget_class, ZidUserPage, certificates_group);
  gtk_widget_class_bind_template_child (widget_class, ZidUserPage, certificates_list);
  gtk_widget_class_bind_template_child (widget_class, ZidUserPage, status_note);
  gtk_widget_class_bind_template_child (widget_class, ZidUserPage, error_label);

  gtk_widget_class_install_action (widget_class, "user.add-membership", NULL, add_membership_action);
  gtk_widget_class_install_action (widget_class, "user.add-attribute", NULL, add_attribute_action);
  gtk_widget_class_install_action (widget_class, "user.block", NULL, block_action);
  gtk_widget_class_install_action (widget_class, "user.unblock", NULL, unblock_action);
  gtk_widget_class_install_action (widget_class, "user.revoke", "s", revoke_action);
  gtk_widget_class_install_action (widget_class, "user.new-certificate", NULL, new_certificate_action);
}

static void
zid_user_page_init (ZidUserPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->op_cancellable = g_cancellable_new ();
}
