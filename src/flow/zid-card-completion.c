/* zid-card-completion.c — completing a registration with a UZI-pas
 *
 * Each step copies what it needs from the object (Step), runs without
 * touching the object (in the caller's thread or a worker), and its
 * results are stored in the object only when it succeeded (step_apply, in
 * the caller's thread).
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-flow"

#include "zid-card-completion.h"
#include "zid-flow-config.h"
#include "zid-i18n.h"

struct _ZidCardCompletion
{
  GObject          parent_instance;

  /* owned */
  ZidBackend      *portal;
  ZidCardConfig   *config;
  char            *ura;            /* expected, nullable */
  gint64           actor;          /* > 0: an attribute via the UZI-pas */
  gint64           organisation;

  /* what the steps found */
  ZidToken        *token;
  ZidUziIdentity  *identity;       /* read without a PIN */
  ZidUziIdentity  *verified;       /* after PIN, proof of possession, chain */
  ZidCardHolder    holder;         /* of the newest of the two */
  ZidRegistration *registration;
  gint64           existing_user;
  ZidPinState      pin_state;
  int              tries_left;
};

G_DEFINE_FINAL_TYPE (ZidCardCompletion, zid_card_completion, G_TYPE_OBJECT)

void
zid_card_holder_init_from_identity (ZidCardHolder  *holder,
                                    ZidUziIdentity *identity)
{
  g_return_if_fail (holder != NULL);
  g_return_if_fail (ZID_IS_UZI_IDENTITY (identity));

  holder->uzi_number = g_strdup (zid_uzi_identity_get_uzi_number (identity));
  holder->given_name = g_strdup (zid_uzi_identity_get_given_name (identity));
  holder->surname = g_strdup (zid_uzi_identity_get_surname (identity));
  holder->subscriber_number = g_strdup (zid_uzi_identity_get_subscriber_number (identity));
  holder->role = g_strdup (zid_uzi_identity_get_role (identity));
  holder->card_type = zid_uzi_identity_get_card_type (identity);
}

/* ---- Audit ---------------------------------------------------------------- */

static void
audit (ZidBackend   *portal,
       const char   *uzi_number,
       const char   *action,
       const char   *subject,
       const char   *code,
       const GError *error)
{
  g_autofree char *actor = g_strdup_printf ("card:%s", uzi_number ? uzi_number : "?");
  g_autofree char *details = g_strdup_printf ("%s: %s", code, error->message);
  g_autoptr(GError) audit_error = NULL;

  if (!zid_backend_audit (portal, actor, action, subject, details, &audit_error))
    g_warning ("Could not record a refused card in the audit trail: %s", audit_error->message);
}

/* The card's refusals: what it is, what it holds, who holds it. Not the
 * card's absence, a reader or module problem, or a PIN of the wrong length
 * (no try is spent). @actor > 0: for an attribute of that user. */
static void
audit_card_refusal (ZidBackend     *portal,
                    gint64          actor,
                    const GError   *error,
                    ZidUziIdentity *identity,
                    const char     *ura)
{
  if (error->domain != ZID_CARD_ERROR ||
      !(zid_card_error_is_refusal (error) ||
        error->code == ZID_CARD_ERROR_NO_UZI_CERTIFICATE ||
        error->code == ZID_CARD_ERROR_PIN_INCORRECT ||
        error->code == ZID_CARD_ERROR_PIN_LOCKED ||
        error->code == ZID_CARD_ERROR_SIGNATURE_INVALID ||
        error->code == ZID_CARD_ERROR_CRL))
    return;
  if (actor > 0)
    {
      g_autofree char *user = g_strdup_printf ("user:%" G_GINT64_FORMAT, actor);

      audit (portal, identity ? zid_uzi_identity_get_uzi_number (identity) : NULL,
             "attribute.card.refused", user, zid_card_error_code_name (error->code), error);
      return;
    }
  if (ura == NULL && identity != NULL)
    ura = zid_uzi_identity_get_subscriber_number (identity);
  audit (portal, identity ? zid_uzi_identity_get_uzi_number (identity) : NULL,
         "registration.card.refused", ura, zid_card_error_code_name (error->code), error);
}

static void
audit_check_refusal (ZidBackend   *portal,
                     const char   *uzi_number,
                     const char   *ura,
                     const GError *error)
{
  audit (portal, uzi_number, "registration.check.refused", ura,
         zid_error_code_name (error->code), error);
}

/* ---- The steps ------------------------------------------------------------ */

typedef enum
{
  STEP_READ,
  STEP_VERIFY,
  STEP_COMPLETE,
  STEP_ADD_ATTRIBUTE,
} StepKind;

typedef struct
{
  StepKind         kind;

  /* in */
  ZidBackend      *portal;
  ZidCardConfig   *config;
  char            *ura;
  gint64           actor;
  gint64           organisation;
  ZidPin          *pin;
  char            *birth_date;

  /* in and out */
  ZidToken        *token;
  ZidUziIdentity  *identity;
  ZidCardHolder    holder;
  gint64           existing_user;

  /* out */
  ZidUziIdentity  *verified;
  ZidRegistration *registration;
  ZidPinState      pin_state;
  int              tries_left;
  gboolean         pin_tried;  /* STEP_VERIFY: the card judged a PIN */
  ZidCompletion   *completion;
  gint64           attribute;
} Step;

static void
step_free (Step *step)
{
  g_clear_object (&step->portal);
  g_clear_pointer (&step->config, zid_card_config_free);
  g_free (step->ura);
  g_clear_pointer (&step->pin, zid_pin_unref);
  g_free (step->birth_date);
  g_clear_object (&step->token);
  g_clear_object (&step->identity);
  zid_card_holder_clear (&step->holder);
  g_clear_object (&step->verified);
  g_clear_pointer (&step->registration, zid_registration_free);
  g_clear_pointer (&step->completion, zid_completion_free);
  g_free (step);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Step, step_free)

static Step *
step_new (ZidCardCompletion *self,
          StepKind           kind)
{
  Step *step = g_new0 (Step, 1);

  step->kind = kind;
  step->portal = g_object_ref (self->portal);
  step->config = zid_card_config_copy (self->config);
  step->ura = g_strdup (self->ura);
  step->actor = self->actor;
  step->organisation = self->organisation;
  step->existing_user = self->existing_user;
  if (kind == STEP_READ)
    return step;
  step->token = g_object_ref (self->token);
  step->identity = g_object_ref (self->identity);
  if (kind == STEP_COMPLETE || kind == STEP_ADD_ATTRIBUTE)
    zid_card_holder_init_from_identity (&step->holder, self->verified);
  return step;
}

/* The expected registration is there and still open: no card is touched
 * (and no PIN try spent) when there is nothing to complete */
static gboolean
check_pending (Step    *step,
               GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ZidRegistration) pending = NULL;

  pending = zid_backend_find_registration (step->portal, step->ura, &local_error);
  if (pending != NULL && pending->completed == 0)
    return TRUE;
  if (pending != NULL)
    g_set_error (&local_error, ZID_ERROR, ZID_ERROR_REGISTRATION_COMPLETED,
                 _("The registration of %s (URA %s) is already completed"),
                 pending->name, step->ura);
  if (local_error->domain == ZID_ERROR &&
      local_error->code != ZID_ERROR_STORE && local_error->code != ZID_ERROR_BUSY)
    audit_check_refusal (step->portal, NULL, step->ura, local_error);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* The card's organisation is the expected one, and the core would
 * complete its registration */
static gboolean
check_registration (Step    *step,
                    GError **error)
{
  g_autoptr(GError) local_error = NULL;

  /* an attribute: no registration involved */
  if (step->actor > 0)
    return TRUE;
  if (step->ura != NULL && g_strcmp0 (step->holder.subscriber_number, step->ura) != 0)
    {
      g_set_error (&local_error, ZID_ERROR, ZID_ERROR_NO_REGISTRATION,
                   _("The UZI-pas belongs to URA %s, not to URA %s of this registration; use a "
                     "UZI-pas of the organisation, or contact VZVZ if the data are wrong"),
                   step->holder.subscriber_number, step->ura);
      audit_check_refusal (step->portal, step->holder.uzi_number, step->ura, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_clear_pointer (&step->registration, zid_registration_free);
  step->registration = zid_backend_check_registration (step->portal, &step->holder,
                                                      &step->existing_user, error);
  return step->registration != NULL;
}

static gboolean
run_read (Step          *step,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  if (step->ura != NULL && !check_pending (step, error))
    return FALSE;

  /* Without trust anchors the card's chain cannot be checked: no completion */
  if (!zid_card_config_check_trust (step->config, error))
    return FALSE;

  step->identity = zid_card_read_identity (step->config, cancellable, &step->token, &local_error);
  if (step->identity != NULL &&
      zid_uzi_identity_check_validity (step->identity, NULL, &local_error))
    {
      step->pin_state = zid_token_get_pin_state (step->token, cancellable, &local_error);
      step->tries_left = zid_token_get_pin_tries_left (step->token);
      if (local_error == NULL && step->pin_state == ZID_PIN_STATE_LOCKED)
        g_set_error_literal (&local_error, ZID_CARD_ERROR, ZID_CARD_ERROR_PIN_LOCKED,
                             _("PIN blocked; the UZI-pas must be unblocked"));
    }
  if (local_error != NULL)
    {
      audit_card_refusal (step->portal, step->actor, local_error, step->identity, step->ura);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  zid_card_holder_init_from_identity (&step->holder, step->identity);
  return check_registration (step, error);
}

static gboolean
run_verify (Step          *step,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  step->verified = zid_token_verify (step->token, step->pin, cancellable, NULL, &local_error);
  g_clear_pointer (&step->pin, zid_pin_unref);
  /* What the card says of its tries after this one: a refused PIN is
   * retyped with the tries left in view */
  step->pin_state = zid_token_get_pin_state (step->token, cancellable, NULL);
  step->tries_left = zid_token_get_pin_tries_left (step->token);
  step->pin_tried = TRUE;
  if (step->verified == NULL)
    {
      audit_card_refusal (step->portal, step->actor, local_error, step->identity, step->ura);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  zid_card_holder_clear (&step->holder);
  zid_card_holder_init_from_identity (&step->holder, step->verified);
  return check_registration (step, error);
}

static gboolean
run_step (Step          *step,
          GCancellable  *cancellable,
          GError       **error)
{
  switch (step->kind)
    {
    case STEP_READ:
      return run_read (step, cancellable, error);
    case STEP_VERIFY:
      return run_verify (step, cancellable, error);
    case STEP_COMPLETE:
      step->completion = zid_backend_complete_registration (step->portal, &step->holder,
                                                           step->existing_user ? NULL : step->birth_date,
                                                           error);
      return step->completion != NULL;
    case STEP_ADD_ATTRIBUTE:
      step->attribute = zid_backend_add_uzi_attribute (step->portal, step->actor, step->organisation,
                                                      &step->holder, error);
      return step->attribute > 0;
    default:
      g_assert_not_reached ();
    }
}

/* In the caller's thread, after a PIN try, also a refused one */
static void
step_apply_pin (ZidCardCompletion *self,
                Step              *step)
{
  if (!step->pin_tried)
    return;
  self->pin_state = step->pin_state;
  self->tries_left = step->tries_left;
}

/* In the caller's thread, after a step succeeded */
static void
step_apply (ZidCardCompletion *self,
            Step              *step)
{
  switch (step->kind)
    {
    case STEP_READ:
      g_set_object (&self->token, step->token);
      g_set_object (&self->identity, step->identity);
      g_clear_object (&self->verified);
      self->pin_state = step->pin_state;
      self->tries_left = step->tries_left;
      break;
    case STEP_VERIFY:
      g_set_object (&self->verified, step->verified);
      step_apply_pin (self, step);
      break;
    case STEP_COMPLETE:
    case STEP_ADD_ATTRIBUTE:
      return;
    default:
      g_assert_not_reached ();
    }
  zid_card_holder_clear (&self->holder);
  self->holder = step->holder;
  step->holder = (ZidCardHolder) { 0 };
  g_clear_pointer (&self->registration, zid_registration_free);
  self->registration = g_steal_pointer (&step->registration);
  self->existing_user = step->existing_user;
}

static gboolean
step_run_sync (ZidCardCompletion  *self,
               Step               *step,
               GCancellable       *cancellable,
               GError            **error)
{
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (!run_step (step, cancellable, error))
    {
      step_apply_pin (self, step);
      return FALSE;
    }
  step_apply (self, step);
  return TRUE;
}

static void
step_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (run_step (task_data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
step_run_async (ZidCardCompletion   *self,
                Step                *step,
                gpointer             source_tag,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, step, (GDestroyNotify) step_free);
  g_task_run_in_thread (task, step_thread);
}

static Step *
step_finish (ZidCardCompletion  *self,
             GAsyncResult       *result,
             gpointer            source_tag,
             GError            **error)
{
  Step *step;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  step = g_task_get_task_data (G_TASK (result));
  if (!g_task_propagate_boolean (G_TASK (result), error))
    {
      step_apply_pin (self, step);
      return NULL;
    }
  step_apply (self, step);
  return step;
}

/* ---- Public ---------------------------------------------------------------- */

ZidCardCompletion *
zid_card_completion_new (ZidBackend          *portal,
                         const ZidCardConfig *config,
                         const char          *ura)
{
  ZidCardCompletion *self;

  g_return_val_if_fail (ZID_IS_BACKEND (portal), NULL);
  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (ZID_TYPE_CARD_COMPLETION, NULL);
  self->portal = g_object_ref (portal);
  self->config = zid_card_config_copy (config);
  self->ura = g_strdup (ura);
  return self;
}

ZidCardCompletion *
zid_card_completion_new_for_attribute (ZidBackend          *portal,
                                       const ZidCardConfig *config,
                                       gint64               actor,
                                       gint64               organisation)
{
  ZidCardCompletion *self;

  g_return_val_if_fail (actor > 0, NULL);

  self = zid_card_completion_new (portal, config, NULL);
  if (self != NULL)
    {
      self->actor = actor;
      self->organisation = organisation;
    }
  return self;
}

gboolean
zid_card_completion_read (ZidCardCompletion  *self,
                          GCancellable       *cancellable,
                          GError            **error)
{
  g_autoptr(Step) step = NULL;

  g_return_val_if_fail (ZID_IS_CARD_COMPLETION (self), FALSE);

  step = step_new (self, STEP_READ);
  return step_run_sync (self, step, cancellable, error);
}

void
zid_card_completion_read_async (ZidCardCompletion   *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (ZID_IS_CARD_COMPLETION (self));

  step_run_async (self, step_new (self, STEP_READ), zid_card_completion_read_async,
                  cancellable, callback, user_data);
}

gboolean
zid_card_completion_read_finish (ZidCardCompletion  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  return step_finish (self, result, zid_card_completion_read_async, error) != NULL;
}

static Step *
verify_step_new (ZidCardCompletion *self,
                 ZidPin            *pin)
{
  Step *step = step_new (self, STEP_VERIFY);

  step->pin = pin ? zid_pin_ref (pin) : NULL;
  return step;
}

gboolean
zid_card_completion_verify (ZidCardCompletion  *self,
                            ZidPin             *pin,
                            GCancellable       *cancellable,
                            GError            **error)
{
  g_autoptr(Step) step = NULL;

  g_return_val_if_fail (ZID_IS_CARD_COMPLETION (self), FALSE);
  g_return_val_if_fail (self->token != NULL, FALSE);

  step = verify_step_new (self, pin);
  return step_run_sync (self, step, cancellable, error);
}

void
zid_card_completion_verify_async (ZidCardCompletion   *self,
                                  ZidPin              *pin,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (ZID_IS_CARD_COMPLETION (self));
  g_return_if_fail (self->token != NULL);

  step_run_async (self, verify_step_new (self, pin), zid_card_completion_verify_async,
                  cancellable, callback, user_data);
}

gboolean
zid_card_completion_verify_finish (ZidCardCompletion  *self,
                                   GAsyncResult       *result,
                                   GError            **error)
{
  return step_finish (self, result, zid_card_completion_verify_async, error) != NULL;
}

static Step *
complete_step_new (ZidCardCompletion *self,
                   const char        *birth_date)
{
  Step *step = step_new (self, STEP_COMPLETE);

  step->birth_date = g_strdup (birth_date);
  return step;
}

ZidCompletion *
zid_card_completion_complete (ZidCardCompletion  *self,
                              const char         *birth_date,
                              GCancellable       *cancellable,
                              GError            **error)
{
  g_autoptr(Step) step = NULL;

  g_return_val_if_fail (ZID_IS_CARD_COMPLETION (self), NULL);
  g_return_val_if_fail (self->verified != NULL && self->actor == 0, NULL);

  step = complete_step_new (self, birth_date);
  if (!step_run_sync (self, step, cancellable, error))
    return NULL;
  return g_steal_pointer (&step->completion);
}

void
zid_card_completion_complete_async (ZidCardCompletion   *self,
                                    const char          *birth_date,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (ZID_IS_CARD_COMPLETION (self));
  g_return_if_fail (self->verified != NULL && self->actor == 0);

  step_run_async (self, complete_step_new (self, birth_date), zid_card_completion_complete_async,
                  cancellable, callback, user_data);
}

ZidCompletion *
zid_card_completion_complete_finish (ZidCardCompletion  *self,
                                     GAsyncResult       *result,
                                     GError            **error)
{
  Step *step = step_finish (self, result, zid_card_completion_complete_async, error);

  return step ? g_steal_pointer (&step->completion) : NULL;
}

gint64
zid_card_completion_add_attribute (ZidCardCompletion  *self,
                                   GCancellable       *cancellable,
                                   GError            **error)
{
  g_autoptr(Step) step = NULL;

  g_return_val_if_fail (ZID_IS_CARD_COMPLETION (self), 0);
  g_return_val_if_fail (self->actor > 0 && self->verified != NULL, 0);

  step = step_new (self, STEP_ADD_ATTRIBUTE);
  if (!step_run_sync (self, step, cancellable, error))
    return 0;
  return step->attribute;
}

void
zid_card_completion_add_attribute_async (ZidCardCompletion   *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_return_if_fail (ZID_IS_CARD_COMPLETION (self));
  g_return_if_fail (self->actor > 0 && self->verified != NULL);

  step_run_async (self, step_new (self, STEP_ADD_ATTRIBUTE), zid_card_completion_add_attribute_async,
                  cancellable, callback, user_data);
}

gint64
zid_card_completion_add_attribute_finish (ZidCardCompletion  *self,
                                          GAsyncResult       *result,
                                          GError            **error)
{
  Step *step = step_finish (self, result, zid_card_completion_add_attribute_async, error);

  return step ? step->attribute : 0;
}

ZidUziIdentity *
zid_card_completion_get_identity (ZidCardCompletion *self)
{
  g_return_val_if_fail (ZID_IS_CARD_COMPLETION (self), NULL);
  return self->verified ? self->verified : self->identity;
}

gboolean
zid_card_completion_get_verified (ZidCardCompletion *self)
{
  g_return_val_if_fail (ZID_IS_CARD_COMPLETION (self), FALSE);
  return self->verified != NULL;
}

const ZidCardHolder *
zid_card_completion_get_holder (ZidCardCompletion *self)
{
  g_return_val_if_fail (ZID_IS_CARD_COMPLETION (self), NULL);
  return self->identity ? &self->holder : NULL;
}

const ZidRegistration *
zid_card_completion_get_registration (ZidCardCompletion *self)
{
  g_return_val_if_fail (ZID_IS_CARD_COMPLETION (self), NULL);
  return self->registration;
}

gint64
zid_card_completion_get_existing_user (ZidCardCompletion *self)
{
  g_return_val_if_fail (ZID_IS_CARD_COMPLETION (self), 0);
  return self->existing_user;
}

ZidPinState
zid_card_completion_get_pin_state (ZidCardCompletion *self)
{
  g_return_val_if_fail (ZID_IS_CARD_COMPLETION (self), ZID_PIN_STATE_OK);
  return self->pin_state;
}

int
zid_card_completion_get_pin_tries_left (ZidCardCompletion *self)
{
  g_return_val_if_fail (ZID_IS_CARD_COMPLETION (self), -1);
  return self->tries_left;
}

static void
zid_card_completion_finalize (GObject *object)
{
  ZidCardCompletion *self = ZID_CARD_COMPLETION (object);

  g_clear_object (&self->portal);
  g_clear_pointer (&self->config, zid_card_config_free);
  g_free (self->ura);
  g_clear_object (&self->token);
  g_clear_object (&self->identity);
  g_clear_object (&self->verified);
  zid_card_holder_clear (&self->holder);
  g_clear_pointer (&self->registration, zid_registration_free);

  G_OBJECT_CLASS (zid_card_completion_parent_class)->finalize (object);
}

static void
zid_card_completion_class_init (ZidCardCompletionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = zid_card_completion_finalize;
}

static void
zid_card_completion_init (ZidCardCompletion *self)
{
  self->tries_left = -1;
}
