/* test-card-completion.c — the card completion flow (zid-card-completion.h)
 * on a SoftHSM2 token made from the card test PKI's "jan" (UZI number
 * 123456789, URA 12345678), loaded through the PIN counter shim (3 tries,
 * like the UZI-pas), with a portal in a temporary data dir.
 *
 * The tests run in order and share the portal and the token.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include <locale.h>
#include <string.h>

#include "softhsm-fixture.h"
#include "zid-card-completion.h"

static ZidPortal *portal;
/* made by the completion: jan's user and organisation */
static gint64 jan;
static gint64 linde;

/* How many audit events of action by actor whose details start with prefix */
static guint
audited (const char *action,
         const char *actor,
         const char *prefix)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = zid_portal_list_audit (portal, &error);
  guint n = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    {
      ZidAuditEvent *e = g_ptr_array_index (events, i);

      if (g_strcmp0 (e->action, action) == 0 && g_strcmp0 (e->actor, actor) == 0 &&
          (prefix == NULL || g_str_has_prefix (e->details, prefix)))
        n++;
    }
  return n;
}

typedef struct
{
  GMainLoop     *loop;
  GAsyncResult  *result;
} Wait;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *w = user_data;

  w->result = g_object_ref (result);
  g_main_loop_quit (w->loop);
}

static GAsyncResult *
wait_for (Wait *w)
{
  g_main_loop_run (w->loop);
  return w->result;
}

/* --- before the PIN ------------------------------------------------------------ */

static void
test_no_trust_dir (void)
{
  g_autoptr(ZidCardConfig) config = zid_test_softhsm_config ();
  g_autoptr(ZidCardCompletion) flow = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&config->trust_dir, g_free);
  flow = zid_card_completion_new (ZID_BACKEND (portal), config, NULL);
  g_assert_false (zid_card_completion_read (flow, NULL, &error));
  g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_UNTRUSTED);
  g_assert_null (zid_card_completion_get_identity (flow));
}

static void
test_other_organisation (void)
{
  g_autoptr(ZidCardConfig) config = zid_test_softhsm_config ();
  g_autoptr(ZidCardCompletion) flow = zid_card_completion_new (ZID_BACKEND (portal), config, "23456789");
  g_autoptr(GError) error = NULL;

  g_assert_false (zid_card_completion_read (flow, NULL, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NO_REGISTRATION);
  g_assert_nonnull (strstr (error->message, "hoort bij URA 12345678"));
  g_assert_cmpuint (audited ("registration.check.refused", "card:123456789", "no-registration:"), ==, 1);
  g_assert_finalize_object (g_steal_pointer (&flow));
}

static void
test_read (void)
{
  g_autoptr(ZidCardConfig) config = zid_test_softhsm_config ();
  g_autoptr(ZidCardCompletion) flow = zid_card_completion_new (ZID_BACKEND (portal), config, NULL);
  g_autoptr(GError) error = NULL;
  const ZidCardHolder *holder;

  g_assert_true (zid_card_completion_read (flow, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (zid_card_completion_get_verified (flow));
  g_assert_cmpstr (zid_uzi_identity_get_uzi_number (zid_card_completion_get_identity (flow)), ==, "123456789");
  holder = zid_card_completion_get_holder (flow);
  g_assert_cmpstr (holder->uzi_number, ==, "123456789");
  g_assert_cmpstr (holder->subscriber_number, ==, "12345678");
  g_assert_cmpint (holder->card_type, ==, 'Z');
  g_assert_cmpstr (zid_card_completion_get_registration (flow)->name, ==, "Huisartsenpraktijk De Linde");
  g_assert_cmpint (zid_card_completion_get_existing_user (flow), ==, 0);
  g_assert_cmpint (zid_card_completion_get_pin_state (flow), ==, ZID_PIN_STATE_OK);
}

/* --- the window's way: _async, a wrong PIN, cancelled, then complete ------------ */

static void
test_async_completion (void)
{
  g_autoptr(ZidCardConfig) config = zid_test_softhsm_config ();
  g_autoptr(ZidCardCompletion) flow = zid_card_completion_new (ZID_BACKEND (portal), config, "12345678");
  g_autoptr(ZidPin) wrong = zid_pin_new ("9999", 4);
  g_autoptr(ZidPin) right = zid_pin_new ("1234", 4);
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(ZidCompletion) completion = NULL;
  g_autoptr(GError) error = NULL;
  Wait w = { g_main_loop_new (NULL, FALSE), NULL };

  zid_card_completion_read_async (flow, NULL, on_done, &w);
  g_assert_true (zid_card_completion_read_finish (flow, wait_for (&w), &error));
  g_clear_object (&w.result);
  g_assert_no_error (error);
  g_assert_nonnull (zid_card_completion_get_identity (flow));

  /* A wrong PIN: refused and audited, the flow stays at the PIN */
  zid_card_completion_verify_async (flow, wrong, NULL, on_done, &w);
  g_assert_false (zid_card_completion_verify_finish (flow, wait_for (&w), &error));
  g_clear_object (&w.result);
  g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_PIN_INCORRECT);
  g_clear_error (&error);
  g_assert_false (zid_card_completion_get_verified (flow));
  g_assert_cmpuint (audited ("registration.card.refused", "card:123456789", "pin-incorrect:"), ==, 1);
  /* The tries left after the refused PIN, for the person who retypes it */
  g_assert_cmpint (zid_card_completion_get_pin_tries_left (flow), ==, ZID_UZI_PIN_MAX_TRIES - 1);

  /* Cancelled: no PIN try, nothing changes */
  g_cancellable_cancel (cancelled);
  zid_card_completion_verify_async (flow, right, cancelled, on_done, &w);
  g_assert_false (zid_card_completion_verify_finish (flow, wait_for (&w), &error));
  g_clear_object (&w.result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (zid_card_completion_get_verified (flow));

  zid_card_completion_verify_async (flow, right, NULL, on_done, &w);
  g_assert_true (zid_card_completion_verify_finish (flow, wait_for (&w), &error));
  g_clear_object (&w.result);
  g_assert_no_error (error);
  g_assert_true (zid_card_completion_get_verified (flow));

  /* A new mobile ID needs the birth date */
  zid_card_completion_complete_async (flow, NULL, NULL, on_done, &w);
  completion = zid_card_completion_complete_finish (flow, wait_for (&w), &error);
  g_clear_object (&w.result);
  g_assert_null (completion);
  g_assert_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  zid_card_completion_complete_async (flow, "1970-01-01", NULL, on_done, &w);
  completion = zid_card_completion_complete_finish (flow, wait_for (&w), &error);
  g_clear_object (&w.result);
  g_assert_no_error (error);
  g_assert_nonnull (completion);
  g_assert_false (completion->existing_mobile_id);
  g_assert_nonnull (completion->enrolment);
  g_assert_cmpint (completion->user_id, >, 0);
  g_assert_cmpuint (audited ("registration.complete", "card:123456789", NULL), ==, 1);
  jan = completion->user_id;
  linde = completion->organisation_id;

  g_main_loop_unref (w.loop);
}

/* Nothing to complete: refused before the card is touched */
static void
test_completed_already (void)
{
  g_autoptr(ZidCardConfig) config = zid_test_softhsm_config ();
  g_autoptr(ZidCardCompletion) flow = zid_card_completion_new (ZID_BACKEND (portal), config, "12345678");
  g_autoptr(GError) error = NULL;

  g_assert_false (zid_card_completion_read (flow, NULL, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_REGISTRATION_COMPLETED);
  g_assert_null (zid_card_completion_get_identity (flow));
  g_assert_cmpuint (audited ("registration.check.refused", "card:?", "registration-completed:"), ==, 1);
}

/* --- §8.1: an attribute via the UZI-pas ---------------------------------------- */

/* A UZI number typed in is never an UZI attribute */
static void
test_attribute_typed_refused (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (jan, >, 0);
  g_assert_cmpint (zid_portal_add_attribute (portal, jan, jan, "uzi", linde, "123456789", &error), ==, 0);
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NOT_PERMITTED);
  g_assert_nonnull (strstr (error->message, "met de UZI-pas zelf"));
}

static guint
n_attributes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = zid_portal_list_attributes (portal, jan, jan, &error);

  g_assert_no_error (error);
  return list->len;
}

/* The command line's way: blocking; a wrong PIN, then the right one */
static void
test_attribute_card (void)
{
  g_autoptr(ZidCardConfig) config = zid_test_softhsm_config ();
  g_autoptr(ZidCardCompletion) flow = zid_card_completion_new_for_attribute (ZID_BACKEND (portal), config, jan, linde);
  g_autoptr(ZidPin) wrong = zid_pin_new ("9999", 4);
  g_autoptr(ZidPin) right = zid_pin_new ("1234", 4);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *actor = NULL;
  ZidAttribute *a;

  g_assert_true (zid_card_completion_read (flow, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (zid_card_completion_get_registration (flow));

  g_assert_false (zid_card_completion_verify (flow, wrong, NULL, &error));
  g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_PIN_INCORRECT);
  g_clear_error (&error);
  g_assert_false (zid_card_completion_get_verified (flow));
  g_assert_cmpuint (audited ("attribute.card.refused", "card:123456789", "pin-incorrect:"), ==, 1);
  g_assert_cmpuint (n_attributes (), ==, 0);
  g_assert_cmpint (zid_card_completion_get_pin_tries_left (flow), ==, ZID_UZI_PIN_MAX_TRIES - 1);

  g_assert_true (zid_card_completion_verify (flow, right, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (zid_card_completion_get_pin_state (flow), ==, ZID_PIN_STATE_OK);
  g_assert_cmpint (zid_card_completion_add_attribute (flow, NULL, &error), >, 0);
  g_assert_no_error (error);

  list = zid_portal_list_attributes (portal, jan, jan, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  a = g_ptr_array_index (list, 0);
  g_assert_cmpstr (a->type, ==, "uzi");
  g_assert_cmpstr (a->task_code, ==, "123456789");
  g_assert_cmpint (a->organisation_id, ==, linde);
  actor = g_strdup_printf ("user:%" G_GINT64_FORMAT, jan);
  g_assert_cmpuint (audited ("attribute.add", actor, "type=uzi "), ==, 1);
  g_assert_finalize_object (g_steal_pointer (&flow));
}

/* Another user's card: refused by the core, the card being jan's */
static void
test_attribute_other_users_card (void)
{
  g_autoptr(GError) error = NULL;
  ZidCardHolder holder = { .uzi_number = (char *) "987654321", .card_type = 'Z' };

  g_assert_cmpint (zid_portal_add_uzi_attribute (portal, jan, linde, &holder, &error), ==, 0);
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NOT_PERMITTED);
  g_assert_nonnull (strstr (error->message, "niet uw eigen UZI-pas"));
  g_assert_cmpuint (n_attributes (), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  const char *cards[] = { "jan", NULL };
  const char *labels[] = { "UZI Jan", NULL };
  g_autofree char *dir = NULL;
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  /* messages in the language of the environment (LANGUAGE=nl) */
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  dir = zid_test_softhsm_tokens (cards, labels, &status);
  if (dir == NULL)
    return status;

  data = g_build_filename (dir, "data", NULL);
  portal = zid_portal_open (data, ZID_ENVIRONMENT_ACCEPTATIE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (zid_portal_add_registration (portal, "12345678", "Huisartsenpraktijk De Linde", NULL,
                                                "Lindelaan 1, 3512 AB Utrecht", "VZVZ-2025-000123",
                                                &error), >, 0);
  g_assert_cmpint (zid_portal_add_registration (portal, "23456789", "Tweede Praktijk", NULL,
                                                "Dorpsstraat 2, 1234 AB Ergens", "VZVZ-2025-000124",
                                                &error), >, 0);

  g_test_add_func ("/card-completion/no-trust-dir", test_no_trust_dir);
  g_test_add_func ("/card-completion/other-organisation", test_other_organisation);
  g_test_add_func ("/card-completion/read", test_read);
  g_test_add_func ("/card-completion/async-completion", test_async_completion);
  g_test_add_func ("/card-completion/completed-already", test_completed_already);
  g_test_add_func ("/card-completion/attribute-typed-refused", test_attribute_typed_refused);
  g_test_add_func ("/card-completion/attribute-card", test_attribute_card);
  g_test_add_func ("/card-completion/attribute-other-users-card", test_attribute_other_users_card);
  status = g_test_run ();

  g_clear_object (&portal);
  if (!zid_test_softhsm_remove (dir))
    status = 1;
  return status;
}
