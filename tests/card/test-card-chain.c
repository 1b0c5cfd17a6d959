/* test-card-chain.c — the UZI-pas on the real chain (suite pcsc)
 *
 * Runs inside `softcard.sh run`: a private pcscd with the vpcd reader
 * driver (readers "Virtual PCD 00 00" and "... 00 01"), our libcacard bridge
 * playing the card, and OpenSC's PKCS#11 module (ZID_PKCS11_MODULE). The
 * cards come from the test PKI (ZID_TEST_PKI/cards/jan, .../renee).
 */
#include <locale.h>
#include <string.h>
#include <glib/gstdio.h>

#include "zid-card.h"

#define READER0 "Virtual PCD 00 00"
#define READER1 "Virtual PCD 00 01"

static const char *pki;

static void
softcard (const char *args)
{
  g_autofree char *cmd = g_strdup_printf ("\"$ZID_SOFTCARD\" %s", args);
  const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_test_message ("softcard.sh %s", args);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);
}

static char *
card (const char *name)
{
  return g_build_filename (pki, "cards", name, NULL);
}

static ZidCardConfig *
make_config (void)
{
  ZidCardConfig *config = zid_card_config_new_from_environment (ZID_UZI_ENVIRONMENT_ACCEPTATIE);

  g_assert_nonnull (config->module_path);
  g_assert_false (config->load_registered);
  g_free (config->trust_dir);
  config->trust_dir = g_build_filename (pki, "trust", NULL);
  return config;
}

static gboolean
timed_out (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Wakes the main context up, for conditions that are no events (files) */
static gboolean
tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterate the main context until cond (ms at most) */
#define WAIT_UNTIL(cond, ms) \
  G_STMT_START { \
    gboolean expired_ = FALSE; \
    guint id_ = g_timeout_add (ms, timed_out, &expired_); \
    guint tick_ = g_timeout_add (10, tick, NULL); \
    while (!(cond) && !expired_) \
      g_main_context_iteration (NULL, TRUE); \
    if (!expired_) \
      g_source_remove (id_); \
    g_source_remove (tick_); \
    g_assert_true (cond); \
  } G_STMT_END

typedef struct
{
  guint inserted;
  guint removed;
  guint state_changes;
  char *last_reader;
} Events;

static void
on_inserted (ZidCardMonitor *monitor, ZidReader *reader, Events *ev)
{
  ev->inserted++;
  g_free (ev->last_reader);
  ev->last_reader = g_strdup (zid_reader_get_name (reader));
}

static void
on_removed (ZidCardMonitor *monitor, ZidReader *reader, Events *ev)
{
  ev->removed++;
}

static void
on_state_changed (ZidCardMonitor *monitor, Events *ev)
{
  ev->state_changes++;
}

static ZidCardMonitor *
new_monitor (Events *ev)
{
  ZidCardMonitor *monitor = zid_card_monitor_new ();

  g_signal_connect (monitor, "card-inserted", G_CALLBACK (on_inserted), ev);
  g_signal_connect (monitor, "card-removed", G_CALLBACK (on_removed), ev);
  g_signal_connect (monitor, "state-changed", G_CALLBACK (on_state_changed), ev);
  WAIT_UNTIL (zid_card_monitor_get_ready (monitor), 5000);
  return monitor;
}

/* The proof of possession in a thread of its own: the card can be pulled
 * in the middle of it */
typedef struct
{
  ZidToken            *token;
  ZidTokenCertificate *cert;
  GError              *error;
  gboolean             ok;
  gint                 done;
} Proof;

static gpointer
prove_thread (gpointer data)
{
  Proof *p = data;

  p->ok = zid_token_prove_possession (p->token, p->cert, NULL, &p->error);
  g_atomic_int_set (&p->done, 1);
  return NULL;
}

static void
test_identity_after_insertion (void)
{
  Events ev = { 0 };
  g_autoptr(ZidCardMonitor) monitor = new_monitor (&ev);
  g_autoptr(ZidCardConfig) config = make_config ();
  g_autofree char *jan = card ("jan");
  g_autofree char *cmd = g_strdup_printf ("insert '%s'", jan);
  g_autoptr(ZidUziIdentity) id = NULL;
  g_autoptr(ZidUziIdentity) verified = NULL;
  g_autoptr(ZidToken) token = NULL;
  g_autoptr(GPtrArray) chain = NULL;
  g_autoptr(ZidPin) pin = zid_pin_new ("1234", 4);
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidReader) first = NULL;
  g_autofree char *atr = NULL;

  g_assert_cmpint (zid_card_monitor_get_state (monitor), ==, ZID_CARD_MONITOR_STATE_NO_CARD);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (monitor)), ==, 2);
  first = g_list_model_get_item (G_LIST_MODEL (monitor), 0);
  g_assert_cmpstr (zid_reader_get_name (first), ==, READER0);

  softcard (cmd);
  WAIT_UNTIL (ev.inserted == 1, 5000);
  g_assert_cmpstr (ev.last_reader, ==, READER0);
  g_assert_cmpint (zid_card_monitor_get_state (monitor), ==, ZID_CARD_MONITOR_STATE_CARD_PRESENT);
  g_assert_true (zid_reader_get_card_present (first));
  atr = zid_reader_dup_atr_hex (first);
  g_assert_cmpuint (strlen (atr), >, 4);

  /* Read → identity, no PIN */
  id = zid_card_read_identity (config, NULL, &token, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (zid_uzi_identity_get_subscriber_number (id), ==, "12345678");
  g_assert_cmpint (zid_uzi_identity_get_card_type (id), ==, 'Z');
  g_assert_true (zid_token_matches_reader (token, READER0));

  /* PIN → verified identity with its chain */
  verified = zid_token_verify (token, pin, NULL, &chain, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (zid_uzi_identity_get_uzi_number (verified), ==, "123456789");
  g_assert_cmpuint (chain->len, ==, 3);

  softcard ("remove");
  WAIT_UNTIL (ev.removed == 1, 5000);
  g_assert_cmpint (zid_card_monitor_get_state (monitor), ==, ZID_CARD_MONITOR_STATE_NO_CARD);
  g_assert_false (zid_reader_get_card_present (first));

  g_clear_object (&token);
  g_assert_finalize_object (g_steal_pointer (&monitor));
  g_free (ev.last_reader);
}

static void
test_pin_tries_and_lock (void)
{
  g_autoptr(ZidCardConfig) config = make_config ();
  g_autofree char *renee = card ("renee");
  g_autofree char *cmd = g_strdup_printf ("insert '%s'", renee);
  g_autoptr(ZidPkcs11) pkcs11 = NULL;
  g_autoptr(ZidToken) token = NULL;
  g_autoptr(ZidPin) wrong = zid_pin_new ("9999", 4);
  g_autoptr(ZidPin) right = zid_pin_new ("1234", 4);
  g_autoptr(GError) error = NULL;

  softcard (cmd);
  pkcs11 = zid_pkcs11_new (config, &error);
  g_assert_no_error (error);
  token = zid_pkcs11_find_uzi_token (pkcs11, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (zid_token_get_label (token), ==, "Renée Müller");

  g_assert_false (zid_token_login (token, wrong, NULL, &error));
  g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_PIN_INCORRECT);
  g_assert_cmpstr (error->message, ==, "PIN onjuist, nog 2 pogingen");
  g_clear_error (&error);

  g_assert_false (zid_token_login (token, wrong, NULL, &error));
  g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_PIN_INCORRECT);
  g_assert_true (g_str_has_prefix (error->message, "PIN onjuist, nog 1 poging"));
  g_assert_cmpint (zid_token_get_pin_tries_left (token), ==, 1);
  g_assert_cmpint (zid_token_get_pin_state (token, NULL, NULL), ==, ZID_PIN_STATE_FINAL_TRY);
  g_clear_error (&error);

  g_assert_false (zid_token_login (token, wrong, NULL, &error));
  g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_PIN_LOCKED);
  g_clear_error (&error);

  g_assert_false (zid_token_login (token, right, NULL, &error));
  g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_PIN_LOCKED);
  g_assert_cmpint (zid_token_get_pin_state (token, NULL, NULL), ==, ZID_PIN_STATE_LOCKED);

  softcard ("eject");
}

static void
test_removed_during_signing (void)
{
  g_autoptr(ZidCardConfig) config = make_config ();
  g_autofree char *jan = card ("jan");
  g_autofree char *cmd = g_strdup_printf ("insert '%s' --sign-delay-ms 1500", jan);
  g_autofree char *marker = g_build_filename (g_getenv ("ZID_SOFTCARD_DIR"), "bridge0.signing", NULL);
  g_autoptr(ZidPkcs11) pkcs11 = NULL;
  g_autoptr(ZidToken) token = NULL;
  g_autoptr(ZidToken) again = NULL;
  g_autoptr(ZidTokenCertificate) auth = NULL;
  g_autoptr(ZidPin) pin = zid_pin_new ("1234", 4);
  g_autoptr(ZidUziIdentity) id = NULL;
  g_autoptr(GError) error = NULL;
  Proof proof = { 0 };
  GThread *thread;

  softcard (cmd);
  pkcs11 = zid_pkcs11_new (config, &error);
  g_assert_no_error (error);
  token = zid_pkcs11_find_uzi_token (pkcs11, NULL, &error);
  g_assert_no_error (error);
  auth = zid_token_find_authentication_certificate (token, &error);
  g_assert_no_error (error);
  g_assert_true (zid_token_login (token, pin, NULL, &error));
  g_assert_no_error (error);

  g_unlink (marker);
  proof.token = token;
  proof.cert = auth;
  thread = g_thread_new ("prove", prove_thread, &proof);
  WAIT_UNTIL (g_file_test (marker, G_FILE_TEST_EXISTS), 10000);
  /* The card is in the middle of signing: pull it out */
  softcard ("remove");
  WAIT_UNTIL (g_atomic_int_get (&proof.done), 20000);
  g_thread_join (thread);
  g_assert_false (proof.ok);
  g_assert_error (proof.error, ZID_CARD_ERROR, ZID_CARD_ERROR_CARD_REMOVED);
  g_assert_cmpstr (proof.error->message, ==, "Kaart verwijderd tijdens het ondertekenen");
  g_clear_error (&proof.error);

  /* Put it back: the same process, the same modules, works again */
  softcard (cmd);
  again = zid_pkcs11_find_uzi_token (pkcs11, NULL, &error);
  g_assert_no_error (error);
  id = zid_token_verify (again, pin, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (zid_uzi_identity_get_common_name (id), ==, "Jan Vries");

  softcard ("eject");
}

static void
test_card_in_second_reader (void)
{
  Events ev = { 0 };
  g_autoptr(ZidCardMonitor) monitor = new_monitor (&ev);
  g_autoptr(ZidCardConfig) config = make_config ();
  g_autofree char *jan = card ("jan");
  g_autofree char *cmd = g_strdup_printf ("insert '%s' --reader 1", jan);
  g_autoptr(ZidUziIdentity) id = NULL;
  g_autoptr(ZidPin) pin = zid_pin_new ("1234", 4);
  g_autoptr(GError) error = NULL;
  ZidReader *with_card;

  softcard (cmd);
  WAIT_UNTIL (ev.inserted == 1, 5000);
  with_card = zid_card_monitor_get_reader_with_card (monitor);
  g_assert_nonnull (with_card);
  g_assert_cmpstr (zid_reader_get_name (with_card), ==, READER1);

  id = zid_card_verify (config, pin, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (zid_uzi_identity_get_subscriber_number (id), ==, "12345678");
  g_free (ev.last_reader);
}

static void
test_service_stops_and_returns (void)
{
  Events ev = { 0 };
  g_autoptr(ZidCardMonitor) monitor = new_monitor (&ev);
  g_autoptr(ZidCardConfig) config = make_config ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) readers = NULL;

  /* The card of the previous test is still in reader 1 */
  g_assert_cmpint (zid_card_monitor_get_state (monitor), ==, ZID_CARD_MONITOR_STATE_CARD_PRESENT);

  softcard ("stop-pcscd");
  WAIT_UNTIL (zid_card_monitor_get_state (monitor) == ZID_CARD_MONITOR_STATE_NO_SERVICE, 5000);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (monitor)), ==, 0);
  g_assert_cmpuint (ev.removed, ==, 1);
  g_assert_cmpstr (zid_card_monitor_state_describe (zid_card_monitor_get_state (monitor)), ==,
                   "Kaartlezerdienst niet actief");
  readers = zid_card_list_readers (&error);
  g_assert_null (readers);
  g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NO_SERVICE);
  g_clear_error (&error);

  softcard ("start-pcscd");
  WAIT_UNTIL (zid_card_monitor_get_state (monitor) == ZID_CARD_MONITOR_STATE_CARD_PRESENT, 10000);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (monitor)), ==, 2);
  g_assert_cmpuint (ev.inserted, >=, 1);

  g_assert_finalize_object (g_steal_pointer (&monitor));
  g_free (ev.last_reader);
  softcard ("eject --reader 1");
}

int
main (int   argc,
      char *argv[])
{
  /* messages in the language of the environment (LANGUAGE=nl) */
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  pki = g_getenv ("ZID_TEST_PKI");
  if (pki == NULL || g_getenv ("ZID_SOFTCARD") == NULL)
    {
      g_printerr ("run through softcard.sh run (meson test --suite pcsc)\n");
      return 77;
    }

  g_test_add_func ("/pcsc/identity-after-insertion", test_identity_after_insertion);
  g_test_add_func ("/pcsc/pin-tries-and-lock", test_pin_tries_and_lock);
  g_test_add_func ("/pcsc/removed-during-signing", test_removed_during_signing);
  g_test_add_func ("/pcsc/card-in-second-reader", test_card_in_second_reader);
  g_test_add_func ("/pcsc/service-stops-and-returns", test_service_stops_and_returns);
  return g_test_run ();
}
