/* test-uzi.c — the UZI certificate profile on the generated corpus */
#include <locale.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "zid-card.h"

static const char *pki;

static char *
corpus (const char *name)
{
  return g_build_filename (pki, "corpus", name, NULL);
}

static ZidUziIdentity *
parse (const char        *file,
       ZidUziEnvironment  env,
       GError           **error)
{
  g_autofree char *path = corpus (file);
  return zid_uzi_identity_new_from_file (path, env, NULL, error);
}

/* Every line of corpus/EXPECT: NAME ok|acceptatie-only|<error code> */
static void
test_corpus_expectations (void)
{
  g_autofree char *path = corpus ("EXPECT");
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint checked = 0;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], " ", 2);
      g_autofree char *file = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(ZidUziIdentity) id = NULL;

      if (g_strv_length (f) != 2)
        continue;
      file = g_strconcat (f[0], ".pem", NULL);
      id = parse (file, ZID_UZI_ENVIRONMENT_PRODUCTIE, &error);
      if (g_str_equal (f[1], "ok"))
        {
          g_assert_no_error (error);
          g_assert_nonnull (id);
        }
      else if (g_str_equal (f[1], "acceptatie-only"))
        {
          g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_OID_CA_NOT_ALLOWED);
          g_clear_error (&error);
          g_clear_object (&id);
          id = parse (file, ZID_UZI_ENVIRONMENT_ACCEPTATIE, &error);
          g_assert_no_error (error);
        }
      else if (g_str_equal (f[1], "expired"))
        {
          g_assert_no_error (error);
          g_assert_false (zid_uzi_identity_check_validity (id, NULL, &error));
          g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_EXPIRED);
          g_assert_true (strstr (error->message, "UZI-pas verlopen") != NULL);
        }
      else if (g_str_equal (f[1], "untrusted"))
        g_assert_no_error (error); /* parses; the chain is refused (below) */
      else
        {
          g_test_message ("%s: expect %s, got %s", f[0], f[1],
                          error != NULL ? zid_card_error_code_name (error->code) : "ok");
          g_assert_nonnull (error);
          g_assert_cmpstr (zid_card_error_code_name (error->code), ==, f[1]);
          g_assert_true (zid_card_error_is_refusal (error));
          g_assert_null (id);
        }
      checked++;
    }
  g_assert_cmpuint (checked, >=, 20);
}

static void
test_card_types (void)
{
  const char types[] = "ZNMS";

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *file = g_strdup_printf ("valid-%c.pem", types[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(ZidUziIdentity) id = parse (file, ZID_UZI_ENVIRONMENT_PRODUCTIE, &error);

      g_assert_no_error (error);
      g_assert_cmpint (zid_uzi_identity_get_card_type (id), ==, types[i]);
      g_assert_cmpstr (zid_uzi_identity_get_uzi_number (id), ==, "123456789");
      g_assert_cmpstr (zid_uzi_identity_get_subscriber_number (id), ==, "12345678");
      g_assert_cmpstr (zid_uzi_identity_get_role (id), ==, "01.015");
      g_assert_cmpstr (zid_uzi_identity_get_agb_code (id), ==, "12345678");
      g_assert_cmpuint (zid_uzi_identity_get_uzi_version (id), ==, 1);
      g_assert_true (g_str_has_prefix (zid_uzi_identity_get_oid_ca (id), "2.16.528.1.1003.1.3.5.5."));
      g_assert_true (zid_uzi_identity_check_validity (id, NULL, &error));
      g_assert_true (zid_uzi_identity_check_purpose (id, ZID_UZI_PURPOSE_AUTHENTICATION, &error));
      g_assert_no_error (error);
      g_assert_finalize_object (g_steal_pointer (&id));
    }
}

static void
test_fields_and_utf8 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidUziIdentity) id = parse ("valid-utf8.pem", ZID_UZI_ENVIRONMENT_PRODUCTIE, &error);
  g_autofree char *given = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (zid_uzi_identity_get_given_name (id), ==, "Renée");
  g_assert_cmpstr (zid_uzi_identity_get_surname (id), ==, "Müller");
  g_assert_cmpstr (zid_uzi_identity_get_common_name (id), ==, "Renée Müller");
  g_assert_cmpstr (zid_uzi_identity_get_organisation (id), ==, "Zorggroep Café Müller");
  g_assert_cmpstr (zid_uzi_identity_get_title (id), ==, "Verpleegkundige");
  g_assert_cmpstr (zid_uzi_identity_get_serial_number (id), ==, "987654321");
  g_assert_cmpstr (zid_uzi_identity_get_uzi_number (id), ==, "987654321");
  g_assert_cmpstr (zid_uzi_identity_get_subscriber_number (id), ==, "87654321");
  g_assert_cmpstr (zid_uzi_identity_get_agb_code (id), ==, "01234567");
  g_assert_cmpstr (zid_uzi_identity_get_role (id), ==, "30.000");
  g_assert_cmpstr (zid_uzi_identity_get_upn (id), ==, "987654321@uzi.test");
  g_assert_cmpint (zid_uzi_identity_get_purpose (id), ==, ZID_UZI_PURPOSE_AUTHENTICATION);
  g_assert_nonnull (zid_uzi_identity_get_not_before (id));
  g_assert_cmpint (g_date_time_compare (zid_uzi_identity_get_not_before (id),
                                        zid_uzi_identity_get_not_after (id)), <, 0);
  /* Properties, for binding in the window */
  g_object_get (id, "given-name", &given, NULL);
  g_assert_cmpstr (given, ==, "Renée");
}

static void
test_der_and_garbage (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidUziIdentity) id = parse ("valid-Z.der", ZID_UZI_ENVIRONMENT_PRODUCTIE, &error);
  g_autoptr(ZidUziIdentity) utf8 = NULL;
  g_autoptr(ZidUziIdentity) none = NULL;
  g_autoptr(GBytes) der = NULL;
  g_autofree char *path = corpus ("valid-Z.der");
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_no_error (error);
  g_assert_cmpint (zid_uzi_identity_get_card_type (id), ==, 'Z');
  /* DER out is DER in */
  der = zid_uzi_identity_get_der (id);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpmem (g_bytes_get_data (der, NULL), g_bytes_get_size (der), contents, len);

  utf8 = parse ("valid-utf8.der", ZID_UZI_ENVIRONMENT_PRODUCTIE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (zid_uzi_identity_get_surname (utf8), ==, "Müller");

  none = parse ("garbage.pem", ZID_UZI_ENVIRONMENT_PRODUCTIE, &error);
  g_assert_null (none);
  g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NOT_A_CERTIFICATE);
  g_clear_error (&error);

  g_assert_null (zid_uzi_identity_new_from_data ((const guint8 *) "\x30\x82\x01", 3,
                                                 ZID_UZI_ENVIRONMENT_PRODUCTIE, NULL, &error));
  g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NOT_A_CERTIFICATE);
  g_clear_error (&error);
  g_assert_null (zid_uzi_identity_new_from_file ("/nonexistent/x.pem",
                                                 ZID_UZI_ENVIRONMENT_PRODUCTIE, NULL, &error));
  g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NOT_A_CERTIFICATE);
}

static void
test_oid_lists (void)
{
  const char *extra[] = { "1.2.3.4.5", NULL };
  g_autofree char *path = corpus ("oid-unknown.pem");
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidUziIdentity) id = NULL;

  for (int i = 2; i <= 5; i++)
    {
      g_autofree char *oid = g_strdup_printf ("2.16.528.1.1003.1.3.5.5.%d", i);
      g_assert_true (zid_uzi_oid_ca_allowed (oid, ZID_UZI_ENVIRONMENT_PRODUCTIE, NULL));
      g_assert_true (zid_uzi_oid_ca_allowed (oid, ZID_UZI_ENVIRONMENT_ACCEPTATIE, NULL));
    }
  g_assert_false (zid_uzi_oid_ca_allowed ("2.16.528.1.1003.1.3.5.5.6", ZID_UZI_ENVIRONMENT_PRODUCTIE, NULL));
  g_assert_false (zid_uzi_oid_ca_allowed ("2.16.528.1.1003.1.3.5.5.1", ZID_UZI_ENVIRONMENT_ACCEPTATIE, NULL));
  g_assert_true (zid_uzi_oid_ca_allowed ("2.16.528.1.1007.99.217", ZID_UZI_ENVIRONMENT_ACCEPTATIE, NULL));
  g_assert_true (zid_uzi_oid_ca_allowed ("2.16.528.1.1007.99.218", ZID_UZI_ENVIRONMENT_ACCEPTATIE, NULL));
  g_assert_false (zid_uzi_oid_ca_allowed ("2.16.528.1.1007.99.217", ZID_UZI_ENVIRONMENT_PRODUCTIE, NULL));
  g_assert_false (zid_uzi_oid_ca_allowed ("2.16.528.1.1007.99", ZID_UZI_ENVIRONMENT_ACCEPTATIE, NULL));
  g_assert_false (zid_uzi_oid_ca_allowed ("2.16.528.1.1007.990.1", ZID_UZI_ENVIRONMENT_ACCEPTATIE, NULL));
  g_assert_false (zid_uzi_oid_ca_allowed ("2.16.528.1.1007.99.", ZID_UZI_ENVIRONMENT_ACCEPTATIE, NULL));
  g_assert_true (zid_uzi_oid_ca_allowed ("1.2.3.4.5", ZID_UZI_ENVIRONMENT_PRODUCTIE, extra));
  g_assert_false (zid_uzi_oid_ca_allowed ("1.2.3.4", ZID_UZI_ENVIRONMENT_PRODUCTIE, extra));

  /* A configured extra OID CA admits the certificate */
  id = zid_uzi_identity_new_from_file (path, ZID_UZI_ENVIRONMENT_PRODUCTIE, extra, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (zid_uzi_identity_get_oid_ca (id), ==, "1.2.3.4.5");
}

static void
test_purposes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidUziIdentity) sign = parse ("valid-sign.pem", ZID_UZI_ENVIRONMENT_PRODUCTIE, &error);
  g_autoptr(ZidUziIdentity) enc = parse ("valid-enc.pem", ZID_UZI_ENVIRONMENT_PRODUCTIE, &error);
  g_autofree char *s = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (zid_uzi_identity_get_purpose (sign), ==, ZID_UZI_PURPOSE_SIGNATURE);
  g_assert_cmpint (zid_uzi_identity_get_purpose (enc), ==, ZID_UZI_PURPOSE_ENCRYPTION);
  g_assert_false (zid_uzi_identity_check_purpose (sign, ZID_UZI_PURPOSE_AUTHENTICATION, &error));
  g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_KEY_USAGE);
  s = zid_uzi_purpose_to_string (ZID_UZI_PURPOSE_AUTHENTICATION | ZID_UZI_PURPOSE_ENCRYPTION);
  g_assert_cmpstr (s, ==, "authentication,encryption");
}

static void
test_chain (void)
{
  g_autofree char *trust = g_build_filename (pki, "trust", NULL);
  g_autofree char *root_only = g_build_filename (pki, "ca", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidUziIdentity) ok = parse ("valid-Z.pem", ZID_UZI_ENVIRONMENT_PRODUCTIE, &error);
  g_autoptr(ZidUziIdentity) rogue = parse ("rogue.pem", ZID_UZI_ENVIRONMENT_PRODUCTIE, &error);
  g_autoptr(ZidUziIdentity) expired = parse ("expired.pem", ZID_UZI_ENVIRONMENT_PRODUCTIE, &error);
  g_autoptr(GPtrArray) chain = NULL;
  g_autoptr(GDateTime) in_2020 = g_date_time_new_utc (2020, 6, 1, 12, 0, 0);

  g_assert_no_error (error);
  g_assert_true (zid_uzi_identity_validate_chain (ok, trust, NULL, NULL, &chain, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (chain->len, ==, 3); /* leaf, sub CA, root */

  /* The intermediate may also come from elsewhere (the card) */
  {
    g_autoptr(GPtrArray) inter = g_ptr_array_new_with_free_func ((GDestroyNotify) X509_free);
    g_autofree char *sub_path = g_build_filename (pki, "ca", "sub.pem", NULL);
    g_autofree char *sub_pem = NULL;
    g_autofree char *only_root = g_build_filename (g_get_tmp_dir (), "zid-test-root-XXXXXX", NULL);
    g_autofree char *root_copy = NULL;
    g_autofree char *root_pem = NULL;
    g_autofree char *root_path = g_build_filename (pki, "ca", "root.pem", NULL);
    gsize len;

    g_assert_nonnull (g_mkdtemp (only_root));
    g_assert_true (g_file_get_contents (root_path, &root_pem, &len, NULL));
    root_copy = g_build_filename (only_root, "root.pem", NULL);
    g_assert_true (g_file_set_contents (root_copy, root_pem, (gssize) len, NULL));

    g_assert_false (zid_uzi_identity_validate_chain (ok, only_root, NULL, NULL, NULL, &error));
    g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_UNTRUSTED);
    g_clear_error (&error);

    g_assert_true (g_file_get_contents (sub_path, &sub_pem, &len, NULL));
    g_ptr_array_add (inter, zid_uzi_load_x509 ((const guint8 *) sub_pem, len, NULL));
    g_assert_true (zid_uzi_identity_validate_chain (ok, only_root, inter, NULL, NULL, &error));
    g_assert_no_error (error);
    g_unlink (root_copy);
    g_rmdir (only_root);
  }

  g_assert_false (zid_uzi_identity_validate_chain (rogue, trust, NULL, NULL, NULL, &error));
  g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_UNTRUSTED);
  g_clear_error (&error);

  g_assert_false (zid_uzi_identity_validate_chain (expired, trust, NULL, NULL, NULL, &error));
  g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_EXPIRED);
  g_clear_error (&error);
  /* In 2020 it was valid (the CAs were not: they were made today) */
  g_assert_true (zid_uzi_identity_check_validity (expired, in_2020, &error));
  g_assert_no_error (error);

  g_assert_false (zid_uzi_identity_validate_chain (ok, "/nonexistent", NULL, NULL, NULL, &error));
  g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_FAILED);
  g_clear_error (&error);
  (void) root_only;
}

static char *
pki_path (const char *name)
{
  return g_build_filename (pki, name, NULL);
}

/* validate_chain of corpus/@file against the trust folder @trust of the PKI */
static gboolean
validate (const char  *file,
          const char  *trust,
          GDateTime   *now,
          GPtrArray  **out_chain,
          GError     **error)
{
  g_autofree char *dir = pki_path (trust);
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(ZidUziIdentity) id = parse (file, ZID_UZI_ENVIRONMENT_PRODUCTIE, &parse_error);

  g_assert_no_error (parse_error);
  return zid_uzi_identity_validate_chain (id, dir, NULL, now, out_chain, error);
}

/* A card with two UZI names is refused, not read as the first one */
static void
test_two_names (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidUziIdentity) id = parse ("two-names.pem", ZID_UZI_ENVIRONMENT_PRODUCTIE, &error);

  g_assert_null (id);
  g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_UZI_NAME_MULTIPLE);
  g_assert_true (zid_card_error_is_refusal (error));
  g_assert_cmpstr (zid_card_error_code_name (error->code), ==, "uzi-name-multiple");
  g_assert_true (strstr (error->message, "meer dan één UZI-naam") != NULL);
}

/* A CA certificate (CA:true) is no card, even under the UZI register's CA */
static void
test_ca_leaf (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (validate ("ca-leaf.pem", "trust", NULL, NULL, &error));
  g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_KEY_USAGE);
  g_assert_true (zid_card_error_is_refusal (error));
  g_assert_true (strstr (error->message, "CA-certificaat") != NULL);
}

/* Security level 2 and RFC 5280 strictly: RSA-1024, SHA-1, no AKID */
static void
test_weak_and_strict (void)
{
  const char *files[] = { "weak-rsa1024.pem", "weak-sha1.pem", "no-akid.pem" };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", files[i]);
      g_assert_false (validate (files[i], "trust", NULL, NULL, &error));
      g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_UNTRUSTED);
    }
}

/* The UZI register's CRL in the trust folder, in every form it may take */
static void
test_crl_revoked (void)
{
  const char *folders[] = { "trust-crl", "trust-crl-der", "trust-crl-bundle" };
  g_autoptr(GError) error = NULL;

  /* Without a CRL the chain of the revoked card is fine: the CRL refuses it */
  g_assert_true (validate ("revoked.pem", "trust", NULL, NULL, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (folders); i++)
    {
      g_test_message ("%s", folders[i]);
      g_assert_false (validate ("revoked.pem", folders[i], NULL, NULL, &error));
      g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_REVOKED);
      g_assert_true (zid_card_error_is_refusal (error));
      g_assert_cmpstr (zid_card_error_code_name (error->code), ==, "revoked");
      g_assert_true (strstr (error->message, "Deze UZI-pas is ingetrokken door het UZI-register") != NULL);
      g_clear_error (&error);
    }
}

/* A card that is not on the current CRL still passes */
static void
test_crl_good_card (void)
{
  const char *folders[] = { "trust-crl", "trust-crl-der", "trust-crl-bundle" };

  for (guint i = 0; i < G_N_ELEMENTS (folders); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) chain = NULL;

      g_test_message ("%s", folders[i]);
      g_assert_true (validate ("valid-Z.pem", folders[i], NULL, &chain, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (chain->len, ==, 3);
    }
}

/* A CRL that cannot decide fails closed: out of date, unreadable, not the
 * card CA's. None of them is the card's fault: code "crl", no refusal. */
static void
test_crl_cannot_decide (void)
{
  const struct {
    const char *folder;
    const char *file;
    const char *message;
  } cases[] = {
    { "trust-crl-stale", "valid-Z.pem", "is verlopen" },
    { "trust-crl-stale", "revoked.pem", "is verlopen" },
    { "trust-crl-garbage", "valid-Z.pem", "onleesbaar" },
    { "trust-crl-badpem", "valid-Z.pem", "onleesbaar" },
    { "trust-crl-other", "valid-Z.pem", "maar niet die van" },
  };
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) in_60_days = g_date_time_add_days (now, 60);
  g_autoptr(GError) error = NULL;

  /* The current CRL (30 days) is stale 60 days from now; the card is not */
  g_assert_false (validate ("valid-Z.pem", "trust-crl", in_60_days, NULL, &error));
  g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_CRL);
  g_clear_error (&error);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s with %s", cases[i].file, cases[i].folder);
      g_assert_false (validate (cases[i].file, cases[i].folder, NULL, NULL, &error));
      g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_CRL);
      g_assert_false (zid_card_error_is_refusal (error));
      g_assert_true (strstr (error->message, cases[i].message) != NULL);
      g_clear_error (&error);
    }
}

static void
test_error_names (void)
{
  for (int code = ZID_CARD_ERROR_NO_SERVICE; code < ZID_CARD_ERROR_FAILED; code++)
    g_assert_cmpstr (zid_card_error_code_name (code), !=, "failed");
  g_assert_cmpstr (zid_card_error_code_name (-1), ==, "failed");
  g_assert_cmpstr (zid_card_error_code_name (ZID_CARD_ERROR_PIN_LOCKED), ==, "pin-locked");
}

static void
test_pin_buffer (void)
{
  g_autoptr(ZidPin) pin = zid_pin_new ("1234\n", 4);
  g_autofree char *path = NULL;
  g_autoptr(ZidPin) from_file = NULL;
  g_autoptr(GError) error = NULL;
  int fd;

  g_assert_cmpstr (zid_pin_get_data (pin), ==, "1234");
  g_assert_cmpuint (zid_pin_get_length (pin), ==, 4);

  fd = g_file_open_tmp ("zid-pin-XXXXXX", &path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (write (fd, "5678\r\nrest", 10), ==, 10);
  close (fd);
  from_file = zid_pin_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (zid_pin_get_data (from_file), ==, "5678");
  g_unlink (path);

  g_assert_null (zid_pin_new_from_file ("/nonexistent/pin", &error));
  g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_FAILED);
}

static void
test_config_from_environment (void)
{
  g_autoptr(ZidCardConfig) config = NULL;
  g_autoptr(ZidCardConfig) copy = NULL;

  g_setenv ("ZID_PKCS11_MODULE", "/x/libaetpkss.so.3", TRUE);
  g_setenv ("ZID_PKCS11_REGISTERED", "0", TRUE);
  g_setenv ("ZID_UZI_TRUST_DIR", "/trust", TRUE);
  g_setenv ("ZID_UZI_EXTRA_OID_CAS", "1.2.3:4.5.6", TRUE);
  config = zid_card_config_new_from_environment (ZID_UZI_ENVIRONMENT_PRODUCTIE);
  copy = zid_card_config_copy (config);
  g_assert_cmpstr (copy->module_path, ==, "/x/libaetpkss.so.3");
  g_assert_false (copy->load_registered);
  g_assert_cmpstr (copy->trust_dir, ==, "/trust");
  g_assert_cmpuint (g_strv_length (copy->extra_oid_cas), ==, 2);
  g_assert_cmpstr (copy->extra_oid_cas[1], ==, "4.5.6");
  g_assert_cmpint (copy->environment, ==, ZID_UZI_ENVIRONMENT_PRODUCTIE);
  g_unsetenv ("ZID_PKCS11_MODULE");
  g_unsetenv ("ZID_PKCS11_REGISTERED");
  g_unsetenv ("ZID_UZI_TRUST_DIR");
  g_unsetenv ("ZID_UZI_EXTRA_OID_CAS");
}

/* The About window's list of modules: a module forwarded from the host by
 * p11-kit's remote client has no file, and is not shown as "(null)" */
static void
test_describe_module (void)
{
  g_autofree char *file = zid_pkcs11_describe_module ("opensc", "/usr/lib/opensc-pkcs11.so");
  g_autofree char *forwarded = zid_pkcs11_describe_module ("zorgid-host", NULL);

  g_assert_cmpstr (file, ==, "opensc (/usr/lib/opensc-pkcs11.so)");
  g_assert_cmpstr (forwarded, ==, "zorgid-host (vanaf de host doorgegeven via p11-kit)");
}

/* The card's messages in the user's language, with no core to bind the
 * catalog: Dutch under the test environment's LANGUAGE=nl, English under
 * plain C.UTF-8; the error code the same in both */
static void
print_card_messages (void)
{
  static const guint8 garbage[] = "no certificate";
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidUziIdentity) id = zid_uzi_identity_new_from_data (garbage, sizeof garbage,
                                                                 ZID_UZI_ENVIRONMENT_PRODUCTIE,
                                                                 NULL, &error);

  g_assert_null (id);
  g_assert_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NOT_A_CERTIFICATE);
  g_print ("%s|%s|%s\n", zid_card_error_code_name (error->code), error->message,
           zid_card_monitor_state_describe (ZID_CARD_MONITOR_STATE_NO_CARD));
}

static void
test_messages_follow_locale (void)
{
  if (g_test_subprocess ())
    {
      print_card_messages ();
      return;
    }

  g_assert_cmpstr (g_getenv ("LANGUAGE"), ==, "nl");
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("not-a-certificate|Geen X.509-certificaat (PEM of DER)|"
                             "Geen kaart in de kaartlezer\n");

  g_unsetenv ("LANGUAGE");
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_setenv ("LANGUAGE", "nl", TRUE);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("not-a-certificate|Not an X.509 certificate (PEM or DER)|"
                             "No card in the card reader\n");
}

int
main (int   argc,
      char *argv[])
{
  /* messages in the language of the environment (LANGUAGE=nl) */
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  pki = g_getenv ("ZID_TEST_PKI");
  if (pki == NULL)
    {
      g_printerr ("ZID_TEST_PKI not set (run through meson test)\n");
      return 77;
    }

  g_test_add_func ("/uzi/corpus-expectations", test_corpus_expectations);
  g_test_add_func ("/uzi/describe-module", test_describe_module);
  g_test_add_func ("/uzi/card-types", test_card_types);
  g_test_add_func ("/uzi/fields-utf8", test_fields_and_utf8);
  g_test_add_func ("/uzi/der-and-garbage", test_der_and_garbage);
  g_test_add_func ("/uzi/oid-lists", test_oid_lists);
  g_test_add_func ("/uzi/purposes", test_purposes);
  g_test_add_func ("/uzi/chain", test_chain);
  g_test_add_func ("/uzi/two-names", test_two_names);
  g_test_add_func ("/uzi/chain/ca-leaf", test_ca_leaf);
  g_test_add_func ("/uzi/chain/weak-and-strict", test_weak_and_strict);
  g_test_add_func ("/uzi/crl/revoked", test_crl_revoked);
  g_test_add_func ("/uzi/crl/good-card", test_crl_good_card);
  g_test_add_func ("/uzi/crl/cannot-decide", test_crl_cannot_decide);
  g_test_add_func ("/card/error-names", test_error_names);
  g_test_add_func ("/card/messages-follow-locale", test_messages_follow_locale);
  g_test_add_func ("/card/pin-buffer", test_pin_buffer);
  g_test_add_func ("/card/config-from-environment", test_config_from_environment);
  return g_test_run ();
}
