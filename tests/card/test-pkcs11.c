/* test-pkcs11.c — tokens, PIN and proof of possession on SoftHSM2
 *
 * Two SoftHSM2 tokens made by softhsm-token.sh from the test PKI: "UZI Jan"
 * (RSA) and "UZI EC" (ECDSA). SoftHSM2 has no PIN retry counter, so it is
 * loaded through zid-pin-counter-shim (3 tries, like the UZI-pas).
 */
#include <locale.h>
#include <string.h>

#include "softhsm-fixture.h"
#include "zid-card.h"


static ZidToken *
token_with_label (ZidPkcs11  *pkcs11,
                  const char *label)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tokens = zid_pkcs11_list_tokens (pkcs11, NULL, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < tokens->len; i++)
    if (g_str_equal (zid_token_get_label (g_ptr_array_index (tokens, i)), label))
      return g_object_ref (g_ptr_array_index (tokens, i));
  g_assert_not_reached ();
}

static void
test_read (void)
{
  g_autoptr(ZidCardConfig) config = zid_test_softhsm_config ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidPkcs11) pkcs11 = zid_pkcs11_new (config, &error);
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(ZidToken) jan = NULL;
  g_autoptr(ZidTokenCertificate) auth = NULL;
  g_auto(GStrv) modules = NULL;
  GPtrArray *certs;
  guint purposes = 0;

  g_assert_no_error (error);
  modules = zid_pkcs11_get_module_names (pkcs11);
  g_assert_cmpuint (g_strv_length (modules), ==, 1);

  tokens = zid_pkcs11_list_tokens (pkcs11, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tokens->len, ==, 2);

  jan = token_with_label (pkcs11, "UZI Jan");
  certs = zid_token_get_certificates (jan);
  g_assert_cmpuint (certs->len, ==, 3);
  for (guint i = 0; i < certs->len; i++)
    {
      ZidTokenCertificate *c = g_ptr_array_index (certs, i);
      g_assert_nonnull (c->identity);
      g_assert_cmpuint (g_bytes_get_size (c->id), ==, 1);
      purposes |= zid_uzi_identity_get_purpose (c->identity);
    }
  g_assert_cmpuint (purposes, ==, ZID_UZI_PURPOSE_AUTHENTICATION | ZID_UZI_PURPOSE_SIGNATURE | ZID_UZI_PURPOSE_ENCRYPTION);

  auth = zid_token_find_authentication_certificate (jan, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (auth->label, ==, "auth");
  g_assert_cmpstr (zid_uzi_identity_get_subscriber_number (auth->identity), ==, "12345678");
  g_assert_cmpstr (zid_uzi_identity_get_uzi_number (auth->identity), ==, "123456789");
  g_assert_cmpint (zid_token_get_pin_state (jan, NULL, &error), ==, ZID_PIN_STATE_OK);
  g_assert_no_error (error);
}

static void
test_sign_rsa_and_ec (void)
{
  const char *labels[] = { "UZI Jan", "UZI EC" };
  g_autoptr(ZidCardConfig) config = zid_test_softhsm_config ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidPkcs11) pkcs11 = zid_pkcs11_new (config, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      g_autoptr(ZidToken) token = token_with_label (pkcs11, labels[i]);
      g_autoptr(ZidTokenCertificate) auth = zid_token_find_authentication_certificate (token, &error);
      g_autoptr(ZidPin) pin = zid_pin_new ("1234", 4);

      g_assert_no_error (error);
      /* Not logged in: the key will not sign */
      g_assert_false (zid_token_prove_possession (token, auth, NULL, &error));
      g_assert_nonnull (error);
      g_clear_error (&error);

      g_assert_true (zid_token_login (token, pin, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (zid_token_prove_possession (token, auth, NULL, &error));
      g_assert_no_error (error);
      zid_token_logout (token);
    }
}

static void
test_verify_with_chain (void)
{
  g_autoptr(ZidCardConfig) config = zid_test_softhsm_config ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidPkcs11) pkcs11 = zid_pkcs11_new (config, &error);
  g_autoptr(ZidToken) token = token_with_label (pkcs11, "UZI Jan");
  g_autoptr(ZidPin) pin = zid_pin_new ("1234", 4);
  g_autoptr(GPtrArray) chain = NULL;
  g_autoptr(ZidUziIdentity) id = NULL;

  id = zid_token_verify (token, pin, NULL, &chain, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (zid_uzi_identity_get_common_name (id), ==, "Jan Vries");
  g_assert_cmpuint (chain->len, ==, 3);
}

static void
test_pin_length_costs_no_try (void)
{
  g_autoptr(ZidCardConfig) config = zid_test_softhsm_config ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidPkcs11) pkcs11 = zid_pkcs11_new (config, &error);
  g_autoptr(ZidToken) token = token_with_label (pkcs11, "UZI Jan");
  g_autoptr(ZidPin) shorter = zid_pin_new ("12", 2);

  g_assert_false (zid_token_login (token, shorter, NULL, &error));
  g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_PIN_LENGTH);
  g_clear_error (&error);
  g_assert_false (zid_token_login (token, NULL, NULL, &error));
  g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_PIN_LENGTH);
  g_clear_error (&error);
  g_assert_cmpint (zid_token_get_pin_state (token, NULL, &error), ==, ZID_PIN_STATE_OK);
}

static void
test_wrong_pin_then_right (void)
{
  g_autoptr(ZidCardConfig) config = zid_test_softhsm_config ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidPkcs11) pkcs11 = zid_pkcs11_new (config, &error);
  g_autoptr(ZidToken) token = token_with_label (pkcs11, "UZI Jan");
  g_autoptr(ZidPin) wrong = zid_pin_new ("9999", 4);
  g_autoptr(ZidPin) right = zid_pin_new ("1234", 4);

  g_assert_false (zid_token_login (token, wrong, NULL, &error));
  g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_PIN_INCORRECT);
  g_assert_cmpstr (error->message, ==, "PIN onjuist, nog 2 pogingen");
  g_assert_cmpint (zid_token_get_pin_tries_left (token), ==, 2);
  g_clear_error (&error);
  g_assert_cmpint (zid_token_get_pin_state (token, NULL, NULL), ==, ZID_PIN_STATE_COUNT_LOW);

  g_assert_true (zid_token_login (token, right, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (zid_token_get_pin_state (token, NULL, NULL), ==, ZID_PIN_STATE_OK);

  /* Logged in already: a wrong PIN is still refused */
  g_assert_false (zid_token_login (token, wrong, NULL, &error));
  g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_PIN_INCORRECT);
  g_clear_error (&error);
  g_assert_true (zid_token_login (token, right, NULL, &error));
}

/* Cancelled before the card is looked at: no PIN try is spent */
static void
test_verify_cancelled (void)
{
  g_autoptr(ZidCardConfig) config = zid_test_softhsm_config ();
  g_autoptr(ZidPin) pin = zid_pin_new ("1234", 4);
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(ZidUziIdentity) id = NULL;
  g_autoptr(GPtrArray) chain = NULL;
  g_autoptr(GError) error = NULL;

  id = zid_card_verify (config, pin, NULL, &chain, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (chain->len, ==, 3);
  g_clear_object (&id);

  g_cancellable_cancel (cancelled);
  id = zid_card_verify (config, pin, cancelled, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (id);
}

static void
test_module_load_failure (void)
{
  g_autoptr(ZidCardConfig) config = zid_test_softhsm_config ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidPkcs11) pkcs11 = NULL;

  g_free (config->module_path);
  config->module_path = g_strdup ("/nonexistent/libaetpkss.so.3");
  pkcs11 = zid_pkcs11_new (config, &error);
  g_assert_null (pkcs11);
  g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_MODULE_LOAD_FAILED);
  g_assert_nonnull (strstr (error->message, "/nonexistent/libaetpkss.so.3"));
  g_clear_error (&error);

  g_clear_pointer (&config->module_path, g_free);
  pkcs11 = zid_pkcs11_new (config, &error);
  g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_MODULE_LOAD_FAILED);
}

/* Last: the counter of the shim stays locked for this process */
static void
test_pin_locks_after_three (void)
{
  g_autoptr(ZidCardConfig) config = zid_test_softhsm_config ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidPkcs11) pkcs11 = zid_pkcs11_new (config, &error);
  g_autoptr(ZidToken) token = token_with_label (pkcs11, "UZI Jan");
  g_autoptr(ZidPin) wrong = zid_pin_new ("0000", 4);
  g_autoptr(ZidPin) right = zid_pin_new ("1234", 4);
  g_autoptr(ZidUziIdentity) id = NULL;

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
  g_clear_error (&error);
  g_assert_cmpint (zid_token_get_pin_state (token, NULL, NULL), ==, ZID_PIN_STATE_LOCKED);
  id = zid_token_verify (token, right, NULL, NULL, &error);
  g_assert_null (id);
  g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_PIN_LOCKED);
}

int
main (int   argc,
      char *argv[])
{
  const char *cards[] = { "jan", "ec", NULL };
  const char *labels[] = { "UZI Jan", "UZI EC", NULL };
  g_autofree char *dir = NULL;
  int status;

  /* messages in the language of the environment (LANGUAGE=nl) */
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  dir = zid_test_softhsm_tokens (cards, labels, &status);
  if (dir == NULL)
    return status;

  g_test_add_func ("/pkcs11/read", test_read);
  g_test_add_func ("/pkcs11/sign-rsa-and-ec", test_sign_rsa_and_ec);
  g_test_add_func ("/pkcs11/verify-with-chain", test_verify_with_chain);
  g_test_add_func ("/pkcs11/verify-cancelled", test_verify_cancelled);
  g_test_add_func ("/pkcs11/pin-length", test_pin_length_costs_no_try);
  g_test_add_func ("/pkcs11/wrong-pin-then-right", test_wrong_pin_then_right);
  g_test_add_func ("/pkcs11/module-load-failure", test_module_load_failure);
  g_test_add_func ("/pkcs11/pin-locks-after-three", test_pin_locks_after_three);
  status = g_test_run ();

  if (!zid_test_softhsm_remove (dir))
    g_printerr ("could not remove %s\n", dir);
  return status;
}
