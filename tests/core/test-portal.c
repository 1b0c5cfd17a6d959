/* test-portal.c — every rule of the portal, through the real SQLite store
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <locale.h>
#include <glib/gstdio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include "zid-core.h"
#include "zid-openssl.h"
#include "zid-test-portal.h"

#define T0        ZID_TEST_T0
#define DAY       (24 * 60 * 60)
#define URA_A     ZID_TEST_URA_A
#define URA_B     "87654321"

typedef struct
{
  ZidTestPortal t;        /* its Administrator of A enrolled */
  EVP_PKEY     *admin_key;
  char         *admin_cert;
} Fixture;

/* A PKCS#10 request for @key, signed by @signer with @md, as PEM */
static char *
request_pem (EVP_PKEY     *key,
             EVP_PKEY     *signer,
             const EVP_MD *md)
{
  X509_REQ *req = X509_REQ_new ();
  BIO *bio = BIO_new (BIO_s_mem ());
  char *data;
  long len;
  char *pem;

  X509_REQ_set_version (req, 0);
  X509_NAME_add_entry_by_txt (X509_REQ_get_subject_name (req), "CN", MBSTRING_UTF8,
                              (const unsigned char *) "phone", -1, -1, 0);
  X509_REQ_set_pubkey (req, key);
  g_assert_true (X509_REQ_sign (req, signer, md) > 0);
  PEM_write_bio_X509_REQ (bio, req);
  len = BIO_get_mem_data (bio, &data);
  pem = g_strndup (data, len);
  BIO_free (bio);
  X509_REQ_free (req);
  return pem;
}

/* A phone: an EC P-256 key and its PKCS#10 request */
static char *
make_csr (EVP_PKEY **key_out)
{
  *key_out = EVP_EC_gen ("P-256");
  return request_pem (*key_out, *key_out, EVP_sha256 ());
}

static char *
payload_param (const char *payload,
               const char *name)
{
  g_autofree char *needle = g_strconcat (name, "=", NULL);
  const char *p = strstr (payload, needle);
  const char *end;

  g_assert_nonnull (p);
  p += strlen (needle);
  end = strchr (p, '&');
  return end ? g_strndup (p, end - p) : g_strdup (p);
}

static char *
enrol (Fixture         *f,
       ZidOneTimeCode  *enrolment,
       EVP_PKEY       **key)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = payload_param (enrolment->payload, "code");
  g_autofree char *csr = make_csr (key);
  g_autoptr(ZidEnrolResult) result = zid_portal_enrol (f->t.portal, code, NULL, csr, &error);
  g_autofree char *serial = NULL;
  BIO *bio;
  X509 *x509;
  BIGNUM *bn;
  char *hex;

  g_assert_no_error (error);
  g_assert_nonnull (result);
  g_assert_nonnull (result->cert_pem);
  g_assert_true (g_str_has_prefix (result->chain_pem, "-----BEGIN CERTIFICATE-----"));
  g_assert_cmpint (result->info->user_id, ==, enrolment->user_id);

  /* the serial handed on is the certificate's, spelt as stored */
  bio = BIO_new_mem_buf (result->cert_pem, -1);
  x509 = PEM_read_bio_X509 (bio, NULL, NULL, NULL);
  BIO_free (bio);
  g_assert_nonnull (x509);
  bn = ASN1_INTEGER_to_BN (X509_get0_serialNumber (x509), NULL);
  hex = BN_bn2hex (bn);
  serial = g_ascii_strdown (hex, -1);
  g_assert_cmpstr (result->serial, ==, serial);
  OPENSSL_free (hex);
  BN_free (bn);
  X509_free (x509);
  return g_steal_pointer (&result->cert_pem);
}

static guint8 *
sign (EVP_PKEY   *key,
      const char *message,
      gsize      *len)
{
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
  size_t siglen = 0;
  guint8 *sig;

  g_assert_cmpint (EVP_DigestSignInit (ctx, NULL, EVP_sha256 (), NULL, key), ==, 1);
  EVP_DigestSign (ctx, NULL, &siglen, (const guint8 *) message, strlen (message));
  sig = g_malloc (siglen);
  g_assert_cmpint (EVP_DigestSign (ctx, sig, &siglen, (const guint8 *) message, strlen (message)), ==, 1);
  EVP_MD_CTX_free (ctx);
  *len = siglen;
  return sig;
}

/* What the phone signs to log in: bound to this service by its pin */
static char *
login_message (Fixture    *f,
               const char *session,
               const char *challenge)
{
  g_autofree char *pin = NULL;

  g_assert_true (zid_portal_get_service_tls (f->t.portal, NULL, NULL, &pin, NULL));
  return g_strdup_printf ("zorgid-login-v2\n%s\n%s\n%s", pin, session, challenge);
}

/* A login as the phone would: answer the session in the login QR */
static gint64
login (Fixture     *f,
       EVP_PKEY    *key,
       const char  *cert,
       GError     **error)
{
  g_autoptr(ZidOneTimeCode) session = NULL;
  g_autofree char *id = NULL;
  g_autofree char *challenge = NULL;
  g_autofree char *message = NULL;
  g_autofree guint8 *sig = NULL;
  gsize len;

  session = zid_portal_login_begin (f->t.portal, &id, NULL);
  g_assert_nonnull (session);
  g_assert_true (g_str_has_prefix (session->payload, "zorgid://login?v=1&env=acceptatie&"));
  challenge = payload_param (session->payload, "challenge");
  g_assert_cmpstr (challenge, ==, session->code);
  message = login_message (f, id, challenge);
  sig = sign (key, message, &len);
  return zid_portal_login_answer (f->t.portal, NULL, id, cert, sig, len, error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(ZidOneTimeCode) enrolment = zid_test_portal_set_up (&f->t);

  f->admin_cert = enrol (f, enrolment, &f->admin_key);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  EVP_PKEY_free (f->admin_key);
  g_free (f->admin_cert);
  zid_test_portal_tear_down (&f->t);
}

static gint64
org_id (Fixture    *f,
        const char *ura)
{
  return zid_test_portal_org_id (&f->t, ura);
}

static gint64
register_user (Fixture    *f,
               gint64      actor,
               const char *ura,
               const char *first,
               const char *last)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOneTimeCode) e = zid_portal_register_user (f->t.portal, actor, org_id (f, ura),
                                                        first, last, "1990-05-17", &error);
  g_assert_no_error (error);
  return e->user_id;
}

static gint64
count (Fixture    *f,
       const char *sql)
{
  return zid_test_portal_count (&f->t, sql);
}

static void
exec_sql (Fixture    *f,
          const char *sql,
          int         expected)
{
  /* behind the portal's back, on either engine: taken, or refused */
  g_assert_cmpint (zid_test_portal_exec (&f->t, sql), ==, expected == SQLITE_OK);
}

/* A second organisation with its own Administrator */
static gint64
second_organisation (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOneTimeCode) e = NULL;

  zid_portal_add_registration (f->t.portal, URA_B, "Thuiszorg Zuid", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  e = zid_portal_bootstrap (f->t.portal, URA_B, "Bram", "Bakker", "1975-03-03", &error);
  g_assert_no_error (error);
  return e->user_id;
}

/* §4: registering needs organisation, names and a real birth date; bad input writes nothing */
static void
test_register_validates_input (Fixture *f, gconstpointer data)
{
  const char *bad[][3] = {
    { "", "Jansen", "1990-01-01" },
    { "Jan", "  ", "1990-01-01" },
    { "Jan", "Jansen", "1990-02-30" },
    { "Jan", "Jansen", "01/01/1990" },   /* DD-MM-JJJJ and JJJJ-MM-DD only */
    { "Jan", "Jansen", "30-02-1990" },
    { "Jan", "Jansen", "2026-01-02" },   /* tomorrow */
    { "Jan", "Jansen", "02-01-2026" },   /* tomorrow, typed the other way */
    { "Jan", "Jansen", "" },
  };
  gint64 users = count (f, "SELECT count(*) FROM users");
  gint64 events = count (f, "SELECT count(*) FROM audit");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ZidOneTimeCode) e = zid_portal_register_user (f->t.portal, f->t.admin, org_id (f, URA_A),
                                                            bad[i][0], bad[i][1], bad[i][2], &error);
      g_assert_null (e);
      g_assert_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT);
    }
  g_assert_cmpint (count (f, "SELECT count(*) FROM users"), ==, users);
  g_assert_cmpint (count (f, "SELECT count(*) FROM audit"), ==, events);
}

/* A birth date typed as DD-MM-JJJJ is stored as JJJJ-MM-DD */
static void
test_register_birth_date_forms (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOneTimeCode) e = zid_portal_register_user (f->t.portal, f->t.admin, org_id (f, URA_A),
                                                        "Jan", "Jansen", "03-04-1975", &error);
  g_autoptr(ZidUser) user = NULL;

  g_assert_no_error (error);
  user = zid_portal_get_user (f->t.portal, f->t.admin, e->user_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (zid_user_get_birth_date (user), ==, "1975-04-03");
}

/* §4: a registered user is a Gebruiker in that organisation, with a 10-day code */
static void
test_register_gives_gebruiker (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOneTimeCode) e = zid_portal_register_user (f->t.portal, f->t.admin, org_id (f, URA_A),
                                                        "Jan", "Jansen", "1990-01-01", &error);
  g_autoptr(ZidUser) user = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (e->expires, ==, T0 + 10 * DAY);
  user = zid_portal_get_user (f->t.portal, f->t.admin, e->user_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (zid_user_get_role_in (user, org_id (f, URA_A)), ==, ZID_ROLE_GEBRUIKER);
  g_assert_cmpint (zid_user_get_mobile_id (user), ==, ZID_MOBILE_ID_NONE);
  g_assert_cmpint (count (f, "SELECT count(*) FROM audit WHERE action = 'user.register'"), ==, 1);
}

/* §2: a Beheerder registers only Gebruikers */
static void
test_beheerder_only_gebruiker (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 org = org_id (f, URA_A);
  gint64 b = register_user (f, f->t.admin, URA_A, "Bea", "Beheer");
  gint64 u;

  g_assert_true (zid_portal_set_membership (f->t.portal, f->t.admin, b, org, ZID_ROLE_BEHEERDER, NULL, &error));
  g_assert_no_error (error);

  u = register_user (f, b, URA_A, "Gijs", "Gebruiker");
  g_assert_false (zid_portal_set_membership (f->t.portal, b, u, org, ZID_ROLE_ADMINISTRATOR, NULL, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_ROLE_NOT_ALLOWED);
  g_clear_error (&error);
  g_assert_false (zid_portal_set_membership (f->t.portal, b, u, org, ZID_ROLE_BEHEERDER, NULL, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_ROLE_NOT_ALLOWED);
  g_clear_error (&error);
  /* nor demote the Administrator */
  g_assert_false (zid_portal_set_membership (f->t.portal, b, f->t.admin, org, ZID_ROLE_GEBRUIKER, NULL, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_ROLE_NOT_ALLOWED);
  g_clear_error (&error);
  g_assert_true (zid_portal_set_membership (f->t.portal, b, u, org, ZID_ROLE_GEBRUIKER, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (zid_portal_may_assign_role (f->t.portal, b, org, ZID_ROLE_GEBRUIKER));
  g_assert_false (zid_portal_may_assign_role (f->t.portal, b, org, ZID_ROLE_BEHEERDER));
  g_assert_true (zid_portal_may_assign_role (f->t.portal, f->t.admin, org, ZID_ROLE_ADMINISTRATOR));
  g_assert_cmpint (count (f, "SELECT count(*) FROM audit WHERE action = 'membership.set.refused'"), ==, 3);

  /* a Beheerder may not block, add attributes or see inactive users */
  g_assert_false (zid_portal_check_action (f->t.portal, b, ZID_ACTION_BLOCK, u, 0, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  g_assert_false (zid_portal_check_action (f->t.portal, b, ZID_ACTION_VIEW_INACTIVE, 0, org, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  g_assert_cmpint (zid_portal_add_attribute (f->t.portal, b, u, "agb", org, "01", &error), ==, 0);
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  /* but may issue a new certificate for a Gebruiker, not for the Administrator */
  g_assert_true (zid_portal_check_action (f->t.portal, b, ZID_ACTION_NEW_CERTIFICATE, u, 0, NULL));
  g_assert_false (zid_portal_check_action (f->t.portal, b, ZID_ACTION_REVOKE_CERTIFICATE, f->t.admin, 0, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NOT_PERMITTED);
}

/* §2: a Gebruiker has no portal access */
static void
test_gebruiker_no_access (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 u = register_user (f, f->t.admin, URA_A, "Gijs", "Gebruiker");
  g_autoptr(GPtrArray) users = zid_portal_list_users (f->t.portal, u, 0, NULL, &error);

  g_assert_null (users);
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NO_PORTAL_ACCESS);
}

/* tenant isolation: an actor sees and changes only their organisations' users */
static void
test_tenant_isolation (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(ZidUser) user = NULL;
  g_autoptr(ZidOneTimeCode) e = NULL;
  gint64 other = second_organisation (f);
  gint64 u = register_user (f, f->t.admin, URA_A, "Gijs", "Gebruiker");

  users = zid_portal_list_users (f->t.portal, other, org_id (f, URA_A), NULL, &error);
  g_assert_null (users);
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NOT_PERMITTED);
  g_clear_error (&error);

  users = zid_portal_list_users (f->t.portal, other, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (users->len, ==, 1);   /* only themselves */
  g_assert_cmpint (zid_user_get_id (g_ptr_array_index (users, 0)), ==, other);

  user = zid_portal_get_user (f->t.portal, other, u, &error);
  g_assert_null (user);
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NOT_PERMITTED);
  g_clear_error (&error);

  e = zid_portal_register_user (f->t.portal, other, org_id (f, URA_A), "X", "Y", "1990-01-01", &error);
  g_assert_null (e);
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NOT_PERMITTED);
  g_clear_error (&error);

  g_assert_false (zid_portal_block_user (f->t.portal, other, f->t.admin, ZID_BLOCK_REASON_LOST_SMARTPHONE, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NOT_PERMITTED);
  g_clear_error (&error);

  g_assert_false (zid_portal_set_membership (f->t.portal, other, u, org_id (f, URA_B),
                                             ZID_ROLE_GEBRUIKER, NULL, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NOT_PERMITTED);
  g_clear_error (&error);

  g_assert_null (zid_portal_list_certificates (f->t.portal, other, f->t.admin, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NOT_PERMITTED);
}

/* Block, activate and certificates act on the national mobile ID, which
 * carries every role: over someone with portal rights in an organisation,
 * only that organisation's Administrator may act. Without this rule a
 * Beheerder of A issued a new certificate for a Gebruiker of A who is
 * Administrator of B, enrolled it and acted as B's Administrator. */
static void
test_identity_authority (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOneTimeCode) e = NULL;
  g_autoptr(ZidOneTimeCode) own = NULL;
  gint64 org_a = org_id (f, URA_A);
  gint64 admin_b = second_organisation (f);
  gint64 org_b = org_id (f, URA_B);
  gint64 beheerder = register_user (f, f->t.admin, URA_A, "Bea", "Beheer");
  gint64 both, fresh;
  EVP_PKEY *key = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *own_code = NULL;
  g_autofree char *csr = NULL;
  g_autofree char *sql = NULL;
  const ZidAction identity_actions[] = {
    ZID_ACTION_NEW_CERTIFICATE, ZID_ACTION_REVOKE_CERTIFICATE, ZID_ACTION_BLOCK, ZID_ACTION_UNBLOCK,
  };

  g_assert_true (zid_portal_set_membership (f->t.portal, f->t.admin, beheerder, org_a,
                                            ZID_ROLE_BEHEERDER, NULL, &error));
  g_assert_no_error (error);

  /* `both`: Gebruiker of A, enrolled, and Administrator of B (as an
   * Administrator of both would make them) */
  e = zid_portal_register_user (f->t.portal, f->t.admin, org_a, "Dirk", "Dubbel", "1985-06-06", &error);
  g_assert_no_error (error);
  both = e->user_id;
  cert = enrol (f, e, &key);
  EVP_PKEY_free (key);
  g_clear_pointer (&e, zid_one_time_code_free);
  sql = g_strdup_printf ("INSERT INTO memberships VALUES (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", 3)",
                         org_b, both);
  exec_sql (f, sql, SQLITE_OK);

  /* neither A's Beheerder nor A's Administrator may touch B's Administrator's ID */
  for (guint i = 0; i < G_N_ELEMENTS (identity_actions); i++)
    {
      g_assert_false (zid_portal_check_action (f->t.portal, beheerder, identity_actions[i], both, 0, &error));
      g_assert_error (error, ZID_ERROR, ZID_ERROR_NOT_PERMITTED);
      g_clear_error (&error);
      g_assert_false (zid_portal_check_action (f->t.portal, f->t.admin, identity_actions[i], both, 0, &error));
      g_assert_error (error, ZID_ERROR, ZID_ERROR_NOT_PERMITTED);
      /* the refusal names neither B nor the role there */
      g_assert_null (strstr (error->message, "Thuiszorg Zuid"));
      g_assert_null (strstr (error->message, "Administrator van"));
      g_clear_error (&error);
    }
  g_assert_null (zid_portal_new_certificate (f->t.portal, beheerder, both, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  g_assert_false (zid_portal_block_user (f->t.portal, f->t.admin, both, ZID_BLOCK_REASON_LOST_SMARTPHONE, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  g_assert_cmpint (count (f, "SELECT count(*) FROM codes WHERE purpose = 2"), ==, 0);
  g_assert_cmpint (count (f, "SELECT count(*) FROM users WHERE blocked = 1"), ==, 0);

  /* B's Administrator may, and so may someone who administers both */
  g_assert_true (zid_portal_check_action (f->t.portal, admin_b, ZID_ACTION_NEW_CERTIFICATE, both, 0, NULL));
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("INSERT INTO memberships VALUES (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", 3)",
                         org_b, f->t.admin);
  exec_sql (f, sql, SQLITE_OK);
  g_assert_true (zid_portal_check_action (f->t.portal, f->t.admin, ZID_ACTION_BLOCK, both, 0, NULL));
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("DELETE FROM memberships WHERE user_id = %" G_GINT64_FORMAT
                         " AND organisation_id = %" G_GINT64_FORMAT, f->t.admin, org_b);
  exec_sql (f, sql, SQLITE_OK);

  /* a Gebruiker everywhere stays A's to manage, also for the Beheerder */
  fresh = register_user (f, f->t.admin, URA_A, "Gijs", "Gebruiker");
  g_assert_true (zid_portal_check_action (f->t.portal, beheerder, ZID_ACTION_NEW_CERTIFICATE, fresh, 0, NULL));

  /* a role set in A for B's not yet enrolled Administrator hands A's
   * Beheerder no enrolment code, and the code the user has stays good */
  own = zid_portal_register_user (f->t.portal, f->t.admin, org_a, "Nina", "Nieuw", "1991-01-01", &error);
  g_assert_no_error (error);
  own_code = payload_param (own->payload, "code");
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("INSERT INTO memberships VALUES (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", 3)",
                         org_b, own->user_id);
  exec_sql (f, sql, SQLITE_OK);
  g_assert_true (zid_portal_set_membership (f->t.portal, beheerder, own->user_id, org_a,
                                            ZID_ROLE_GEBRUIKER, &e, &error));
  g_assert_no_error (error);
  g_assert_null (e);
  csr = make_csr (&key);
  {
    g_autoptr(ZidEnrolResult) r = zid_portal_enrol (f->t.portal, own_code, NULL, csr, &error);
    g_assert_nonnull (r);
  }
  g_assert_no_error (error);
  EVP_PKEY_free (key);

  /* nor does taking A's Administrator into an organisation one administers
   * give power over their ID */
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("INSERT INTO memberships VALUES (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", 3)",
                         org_b, beheerder);
  exec_sql (f, sql, SQLITE_OK);
  g_assert_true (zid_portal_set_membership (f->t.portal, beheerder, f->t.admin, org_b,
                                            ZID_ROLE_GEBRUIKER, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (zid_portal_check_action (f->t.portal, beheerder, ZID_ACTION_NEW_CERTIFICATE, f->t.admin, 0, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NOT_PERMITTED);
  g_assert_null (strstr (error->message, "Zorggroep Noord"));
}

/* f->t.admin is A's only active Administrator: can be neither blocked nor demoted */
static void
assert_only_administrator (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (zid_portal_block_user (f->t.portal, f->t.admin, f->t.admin,
                                         ZID_BLOCK_REASON_SECURITY_INCIDENT, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_ONLY_ADMINISTRATOR);
  g_clear_error (&error);
  g_assert_false (zid_portal_set_membership (f->t.portal, f->t.admin, f->t.admin, org_id (f, URA_A),
                                             ZID_ROLE_BEHEERDER, NULL, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_ONLY_ADMINISTRATOR);
}

/* §8.2: the only active Administrator cannot be blocked */
static void
test_only_administrator_not_blocked (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOneTimeCode) e = NULL;
  EVP_PKEY *key = NULL;
  g_autofree char *cert = NULL;
  gint64 second;

  /* neither blocked nor demoted */
  assert_only_administrator (f);

  second = register_user (f, f->t.admin, URA_A, "Tweede", "Admin");
  g_assert_true (zid_portal_set_membership (f->t.portal, f->t.admin, second, org_id (f, URA_A),
                                            ZID_ROLE_ADMINISTRATOR, &e, &error));
  g_assert_no_error (error);
  g_assert_nonnull (e);   /* not enrolled yet: a fresh enrolment code */

  /* an Administrator who cannot log in yet does not count */
  assert_only_administrator (f);

  cert = enrol (f, e, &key);
  EVP_PKEY_free (key);

  g_assert_true (zid_portal_block_user (f->t.portal, f->t.admin, f->t.admin,
                                        ZID_BLOCK_REASON_SECURITY_INCIDENT, &error));
  g_assert_no_error (error);

  /* now `second` is the only active one */
  g_assert_false (zid_portal_block_user (f->t.portal, second, second,
                                         ZID_BLOCK_REASON_SECURITY_INCIDENT, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_ONLY_ADMINISTRATOR);
}

/* §8.2: a user without a mobile ID cannot be blocked; blocking needs a reason */
static void
test_no_mobile_id_not_blocked (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 u = register_user (f, f->t.admin, URA_A, "Gijs", "Gebruiker");

  g_assert_false (zid_portal_block_user (f->t.portal, f->t.admin, u, ZID_BLOCK_REASON_LOST_SMARTPHONE, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NO_MOBILE_ID);
  g_clear_error (&error);
  g_assert_false (zid_portal_block_user (f->t.portal, f->t.admin, u, ZID_BLOCK_REASON_NONE, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT);
  g_assert_cmpint (count (f, "SELECT count(*) FROM users WHERE blocked = 1"), ==, 0);
}

/* @user made Beheerder of A by the Administrator, enrolled and logged in
 * once: the certificate, its key and serial */
static char *
enrolled_beheerder (Fixture    *f,
                    gint64      user,
                    EVP_PKEY  **key,
                    char      **serial)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOneTimeCode) e = NULL;
  g_autoptr(GPtrArray) certs = NULL;
  char *cert;

  g_assert_true (zid_portal_set_membership (f->t.portal, f->t.admin, user, org_id (f, URA_A),
                                            ZID_ROLE_BEHEERDER, &e, &error));
  g_assert_no_error (error);
  cert = enrol (f, e, key);
  g_assert_cmpint (login (f, *key, cert, &error), ==, user);
  g_assert_no_error (error);

  certs = zid_portal_list_certificates (f->t.portal, f->t.admin, user, &error);
  g_assert_cmpuint (certs->len, ==, 1);
  *serial = g_strdup (((ZidCertificate *) g_ptr_array_index (certs, 0))->serial);
  return cert;
}

/* §8.2/§8.3: blocking is national and reversible; a blocked user cannot log
 * in; only a blocked user's certificate can be revoked, and never restored */
static void
test_block_revoke (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidUser) user = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *crl = NULL;
  g_autofree char *serial = NULL;
  g_autofree char *sql = NULL;
  EVP_PKEY *key = NULL;
  gint64 b = register_user (f, f->t.admin, URA_A, "Bea", "Beheer");
  gint64 other = second_organisation (f);

  /* b becomes Beheerder in A and Gebruiker in B: blocking is national */
  cert = enrolled_beheerder (f, b, &key, &serial);

  g_assert_false (zid_portal_revoke_certificate (f->t.portal, f->t.admin, b, serial, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NOT_BLOCKED);
  g_clear_error (&error);

  g_assert_true (zid_portal_block_user (f->t.portal, f->t.admin, b, ZID_BLOCK_REASON_LOST_SMARTPHONE, &error));
  g_assert_no_error (error);
  g_assert_false (zid_portal_block_user (f->t.portal, f->t.admin, b, ZID_BLOCK_REASON_LOST_SMARTPHONE, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_ALREADY_BLOCKED);
  g_clear_error (&error);

  /* blocked: no login, no portal */
  g_assert_cmpint (login (f, key, cert, &error), ==, 0);
  g_assert_error (error, ZID_ERROR, ZID_ERROR_USER_BLOCKED);
  g_clear_error (&error);
  g_assert_null (zid_portal_list_users (f->t.portal, b, 0, NULL, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_ACTOR_BLOCKED);
  g_clear_error (&error);
  (void) other;

  g_assert_true (zid_portal_revoke_certificate (f->t.portal, f->t.admin, b, serial, &error));
  g_assert_no_error (error);
  g_assert_false (zid_portal_revoke_certificate (f->t.portal, f->t.admin, b, serial, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_ALREADY_REVOKED);
  g_clear_error (&error);

  /* the store itself refuses to undo a revocation */
  sql = g_strdup_printf ("UPDATE certificates SET revoked_at = NULL WHERE serial = '%s'", serial);
  exec_sql (f, sql, SQLITE_CONSTRAINT);

  crl = zid_portal_dup_crl_pem (f->t.portal, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (crl, "-----BEGIN X509 CRL-----"));

  g_assert_true (zid_portal_unblock_user (f->t.portal, f->t.admin, b, &error));
  g_assert_no_error (error);
  g_assert_false (zid_portal_unblock_user (f->t.portal, f->t.admin, b, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NOT_BLOCKED);
  g_clear_error (&error);

  /* unblocked, but the revoked certificate stays unusable */
  g_assert_cmpint (login (f, key, cert, &error), ==, 0);
  g_assert_error (error, ZID_ERROR, ZID_ERROR_CERTIFICATE_REVOKED);
  g_clear_error (&error);
  user = zid_portal_get_user (f->t.portal, f->t.admin, b, &error);
  g_assert_cmpint (zid_user_get_mobile_id (user), ==, ZID_MOBILE_ID_REVOKED);

  /* a new certificate brings the mobile ID back */
  {
    g_autoptr(ZidOneTimeCode) renewed = zid_portal_new_certificate (f->t.portal, f->t.admin, b, &error);
    g_autofree char *cert2 = NULL;
    EVP_PKEY *key2 = NULL;

    g_assert_no_error (error);
    g_assert_cmpint (renewed->purpose, ==, ZID_CODE_NEW_CERTIFICATE);
    cert2 = enrol (f, renewed, &key2);
    g_assert_cmpint (login (f, key2, cert2, &error), ==, b);
    g_assert_no_error (error);
    EVP_PKEY_free (key2);
  }
  EVP_PKEY_free (key);
}

/* §4/§5: codes are valid for exactly 10 days and only once */
static void
test_code_expiry_and_single_use (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOneTimeCode) e1 = zid_portal_register_user (f->t.portal, f->t.admin, org_id (f, URA_A),
                                                         "Een", "Gebruiker", "1990-01-01", NULL);
  g_autoptr(ZidOneTimeCode) e2 = zid_portal_register_user (f->t.portal, f->t.admin, org_id (f, URA_A),
                                                         "Twee", "Gebruiker", "1990-01-01", NULL);
  g_autofree char *code1 = payload_param (e1->payload, "code");
  g_autofree char *code2 = payload_param (e2->payload, "code");
  g_autoptr(ZidEnrolmentInfo) info = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *csr = NULL;
  EVP_PKEY *key = NULL;

  g_assert_cmpuint (strlen (code1), >=, 22);   /* 128 bits, base64url */
  g_assert_cmpstr (code1, !=, code2);

  zid_clock_set (f->t.clock, T0 + 10 * DAY - 1);
  info = zid_portal_enrolment_preview (f->t.portal, code1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->first_name, ==, "Een");
  g_assert_cmpstr (info->organisation_name, ==, "Zorggroep Noord");
  cert = enrol (f, e1, &key);
  EVP_PKEY_free (key);

  csr = make_csr (&key);
  g_assert_null (zid_portal_enrol (f->t.portal, code1, NULL, csr, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_CODE_USED);
  g_clear_error (&error);

  zid_clock_set (f->t.clock, T0 + 10 * DAY);
  g_assert_null (zid_portal_enrol (f->t.portal, code2, NULL, csr, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_CODE_EXPIRED);
  g_clear_error (&error);

  g_assert_null (zid_portal_enrol (f->t.portal, "AAAAAAAAAAAAAAAAAAAAAA", NULL, csr, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_CODE_INVALID);
  g_clear_error (&error);
  EVP_PKEY_free (key);

  /* a malformed request does not use up the code */
  zid_clock_set (f->t.clock, T0);
  {
    g_autoptr(ZidOneTimeCode) e3 = zid_portal_new_certificate (f->t.portal, f->t.admin, e2->user_id, &error);
    g_autofree char *code3 = payload_param (e3->payload, "code");

    g_assert_null (zid_portal_enrol (f->t.portal, code3, NULL, "-----BEGIN CERTIFICATE REQUEST-----\nxx\n",
                                     &error));
    g_assert_error (error, ZID_ERROR, ZID_ERROR_CERTIFICATE_INVALID);
    g_clear_error (&error);
    /* the earlier code of the same user stopped working */
    g_assert_null (zid_portal_enrolment_preview (f->t.portal, code2, NULL, &error));
    g_assert_error (error, ZID_ERROR, ZID_ERROR_CODE_INVALID);
    g_clear_error (&error);
    g_autofree char *cert3 = enrol (f, e3, &key);
    EVP_PKEY_free (key);
  }
}

/* DER as a PEM request, for requests OpenSSL would not make */
static char *
der_to_request_pem (const guint8 *der,
                    gsize         len)
{
  BIO *bio = BIO_new (BIO_s_mem ());
  char *data;
  char *pem;

  g_assert_true (PEM_write_bio (bio, "CERTIFICATE REQUEST", "", der, len) > 0);
  len = BIO_get_mem_data (bio, &data);
  pem = g_strndup (data, len);
  BIO_free (bio);
  return pem;
}

static guint8 *
request_der (const char *pem,
             long       *len)
{
  BIO *bio = BIO_new_mem_buf (pem, -1);
  unsigned char *der = NULL;
  char *name = NULL, *header = NULL;

  g_assert_true (PEM_read_bio (bio, &name, &header, &der, len));
  OPENSSL_free (name);
  OPENSSL_free (header);
  BIO_free (bio);
  return der;
}

/* A request whose key is the point at infinity (the single byte 0x00) with
 * a signature that verifies for that "key": with Q at infinity ECDSA
 * checks only r == x(e/s · G), so s = 1 and r = x(e · G) pass. x(e · G)
 * is ECDH between the scalar e and the generator. */
static char *
infinity_request_pem (void)
{
  static const guint8 info_der[] = {
    0x30, 0x22,
      0x02, 0x01, 0x00,                                     /* version 1 */
      0x30, 0x00,                                           /* empty subject */
      0x30, 0x19,
        0x30, 0x13,
          0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
          0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
        0x03, 0x02, 0x00, 0x00,                             /* the point 0x00 */
      0xa0, 0x00,
  };
  static const guint8 ecdsa_sha256[] = {
    0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
  };
  g_autoptr(EVP_PKEY) curve = EVP_EC_gen ("P-256");
  g_autoptr(EVP_PKEY) generator = EVP_PKEY_dup (curve);
  g_autoptr(EVP_PKEY) scalar = NULL;
  g_autoptr(EVP_PKEY_CTX) ctx = NULL;
  g_autoptr(GByteArray) der = g_byte_array_new ();
  guint8 digest[32], buf[96], g[65], r[32];
  BIGNUM *e = BN_new ();
  BIGNUM *order = NULL;
  BN_CTX *bn = BN_CTX_new ();
  OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new ();
  OSSL_PARAM *params;
  gsize len = 0, r_len = sizeof r;
  guint sig_len, seq_len;
  gboolean pad;

  g_assert_true (EVP_Digest (info_der, sizeof info_der, digest, NULL, EVP_sha256 (), NULL));
  g_assert_true (EVP_PKEY_get_bn_param (curve, OSSL_PKEY_PARAM_EC_ORDER, &order));
  g_assert_nonnull (BN_bin2bn (digest, sizeof digest, e));
  g_assert_true (BN_nnmod (e, e, order, bn));

  g_assert_true (EVP_PKEY_get_octet_string_param (curve, OSSL_PKEY_PARAM_EC_GENERATOR,
                                                  g, sizeof g, &len));
  g_assert_cmpuint (EVP_PKEY_set1_encoded_public_key (generator, g, len), ==, 1);
  g_assert_true (OSSL_PARAM_BLD_push_utf8_string (bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0));
  g_assert_true (OSSL_PARAM_BLD_push_BN (bld, OSSL_PKEY_PARAM_PRIV_KEY, e));
  params = OSSL_PARAM_BLD_to_param (bld);
  ctx = EVP_PKEY_CTX_new_from_name (NULL, "EC", NULL);
  g_assert_cmpint (EVP_PKEY_fromdata_init (ctx), ==, 1);
  g_assert_cmpint (EVP_PKEY_fromdata (ctx, &scalar, EVP_PKEY_KEYPAIR, params), ==, 1);
  g_clear_pointer (&ctx, EVP_PKEY_CTX_free);
  ctx = EVP_PKEY_CTX_new (scalar, NULL);
  g_assert_cmpint (EVP_PKEY_derive_init (ctx), ==, 1);
  g_assert_cmpint (EVP_PKEY_derive_set_peer (ctx, generator), ==, 1);
  g_assert_cmpint (EVP_PKEY_derive (ctx, r, &r_len), ==, 1);
  g_assert_cmpuint (r_len, ==, 32);

  /* Ecdsa-Sig-Value { r, s = 1 } in a BIT STRING */
  pad = (r[0] & 0x80) != 0;
  seq_len = 2 + pad + 32 + 3;
  sig_len = 1 + 2 + seq_len;
  g_byte_array_append (der, info_der, sizeof info_der);
  g_byte_array_append (der, ecdsa_sha256, sizeof ecdsa_sha256);
  len = 0;
  buf[len++] = 0x03; buf[len++] = sig_len; buf[len++] = 0x00;
  buf[len++] = 0x30; buf[len++] = seq_len;
  buf[len++] = 0x02; buf[len++] = 32 + pad;
  if (pad)
    buf[len++] = 0x00;
  memcpy (buf + len, r, 32);
  len += 32;
  buf[len++] = 0x02; buf[len++] = 0x01; buf[len++] = 0x01;
  g_byte_array_append (der, buf, len);
  {
    guint8 head[] = { 0x30, der->len };

    g_assert_cmpuint (der->len, <, 0x80);

    g_byte_array_prepend (der, head, sizeof head);
  }

  OSSL_PARAM_free (params);
  OSSL_PARAM_BLD_free (bld);
  BN_CTX_free (bn);
  BN_free (order);
  BN_free (e);
  return der_to_request_pem (der->data, der->len);
}

/* Only an EC P-256 key signed with ECDSA/SHA-256 by that key is issued
 * for; every other request is refused and leaves the code usable */
static void
test_enrol_request_checked (Fixture *f, gconstpointer data)
{
  g_autoptr(ZidOneTimeCode) e = zid_portal_register_user (f->t.portal, f->t.admin, org_id (f, URA_A),
                                                        "Een", "Gebruiker", "1990-01-01", NULL);
  g_autofree char *code = payload_param (e->payload, "code");
  g_autoptr(EVP_PKEY) p256 = EVP_EC_gen ("P-256");
  g_autoptr(EVP_PKEY) other = EVP_EC_gen ("P-256");
  g_autoptr(EVP_PKEY) p384 = EVP_EC_gen ("P-384");
  g_autoptr(EVP_PKEY) rsa = EVP_RSA_gen (2048);
  g_autoptr(EVP_PKEY) compressed = EVP_EC_gen ("P-256");
  g_autofree char *good = request_pem (p256, p256, EVP_sha256 ());
  g_autofree guint8 *good_der = NULL;
  g_autofree char *cert_pem = NULL;
  long der_len = 0;
  struct {
    char       *pem;
    const char *says;
  } refused[] = {
    { request_pem (p384, p384, EVP_sha256 ()), "P-256" },
    { request_pem (rsa, rsa, EVP_sha256 ()), "P-256" },
    { request_pem (p256, p256, EVP_sha384 ()), "SHA-256" },
    { request_pem (p256, other, EVP_sha256 ()), "Handtekening" },
    { g_strdup ("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"), "PKCS#10" },
    { NULL, "Handtekening" },    /* one bit of the subject changed */
    { NULL, "PKCS#10" },         /* a byte after the request */
    { NULL, "PKCS#10" },         /* cut short */
    { infinity_request_pem (), "P-256" },
  };
  g_autoptr(BIO) bio = NULL;
  g_autoptr(X509) cert = NULL;
  guint8 *tampered;

  good_der = (guint8 *) request_der (good, &der_len);
  tampered = g_memdup2 (good_der, der_len);
  g_assert_nonnull (memmem (tampered, der_len, "phone", 5));
  ((guint8 *) memmem (tampered, der_len, "phone", 5))[4] ^= 0x01;
  refused[5].pem = der_to_request_pem (tampered, der_len);
  g_free (tampered);
  tampered = g_malloc (der_len + 1);
  memcpy (tampered, good_der, der_len);
  tampered[der_len] = 0;
  refused[6].pem = der_to_request_pem (tampered, der_len + 1);
  refused[7].pem = der_to_request_pem (tampered, der_len - 1);
  g_free (tampered);

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (zid_portal_enrol (f->t.portal, code, NULL, refused[i].pem, &error));
      g_assert_error (error, ZID_ERROR, ZID_ERROR_CERTIFICATE_INVALID);
      g_assert_nonnull (strstr (error->message, refused[i].says));
      g_free (refused[i].pem);
    }

  /* a compressed point is a P-256 key too; the certificate holds that key */
  g_assert_true (EVP_PKEY_set_utf8_string_param (compressed, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                                 OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_COMPRESSED));
  {
    g_autofree char *pem = request_pem (compressed, compressed, EVP_sha256 ());
    g_autoptr(GError) error = NULL;
    g_autoptr(ZidEnrolResult) result = zid_portal_enrol (f->t.portal, code, NULL, pem, &error);

    g_assert_no_error (error);
    cert_pem = g_steal_pointer (&result->cert_pem);
  }
  bio = BIO_new_mem_buf (cert_pem, -1);
  cert = PEM_read_bio_X509 (bio, NULL, NULL, NULL);
  g_assert_nonnull (cert);
  g_assert_cmpint (EVP_PKEY_eq (X509_get0_pubkey (cert), compressed), ==, 1);
  g_assert_cmpint (EVP_PKEY_eq (X509_get0_pubkey (cert), p256), !=, 1);
}

/* codes are stored only as hashes */
static void
test_codes_stored_as_hash (Fixture *f, gconstpointer data)
{
  g_autoptr(ZidOneTimeCode) e = zid_portal_register_user (f->t.portal, f->t.admin, org_id (f, URA_A),
                                                        "Een", "Gebruiker", "1990-01-01", NULL);
  g_autofree char *code = payload_param (e->payload, "code");
  g_autofree char *db_path = g_build_filename (f->t.dir, "zorgid.db", NULL);
  g_autofree char *wal_path = g_build_filename (f->t.dir, "zorgid.db-wal", NULL);

  if (zid_test_on_postgresql ())
    {
      g_test_skip ("the bytes of the SQLite file");
      return;
    }
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (db_path, &contents, &len, NULL));
  g_assert_null (memmem (contents, len, code, strlen (code)));
  g_clear_pointer (&contents, g_free);
  if (g_file_get_contents (wal_path, &contents, &len, NULL))
    g_assert_null (memmem (contents, len, code, strlen (code)));
  g_assert_cmpint (count (f, "SELECT count(*) FROM codes WHERE length(hash) = 32"), ==,
                   count (f, "SELECT count(*) FROM codes"));
}

typedef struct
{
  const char *dir;
  const char *code;
  char       *csr;
  gboolean    won;
  GError     *error;
} Racer;

static gpointer
race (gpointer data)
{
  Racer *r = data;
  g_autoptr(ZidClock) clock = zid_clock_new_fixed (T0 + 60);
  g_autoptr(ZidPortal) portal = zid_portal_open (r->dir, ZID_ENVIRONMENT_ACCEPTATIE, clock, &r->error);

  if (portal != NULL)
    {
      g_autoptr(ZidEnrolResult) result = zid_portal_enrol (portal, r->code, NULL, r->csr, &r->error);

      r->won = result != NULL;
    }
  return NULL;
}

/* two (here: sixteen) concurrent redemptions of one code: exactly one wins */
static void
test_concurrent_redemption (Fixture *f, gconstpointer data)
{
  g_autoptr(ZidOneTimeCode) e = zid_portal_register_user (f->t.portal, f->t.admin, org_id (f, URA_A),
                                                        "Een", "Gebruiker", "1990-01-01", NULL);
  g_autofree char *code = payload_param (e->payload, "code");
  Racer racers[16];
  GThread *threads[16];
  guint won = 0;

  for (guint i = 0; i < G_N_ELEMENTS (racers); i++)
    {
      EVP_PKEY *key;

      racers[i] = (Racer) { f->t.dir, code, make_csr (&key), FALSE, NULL };
      EVP_PKEY_free (key);
    }
  for (guint i = 0; i < G_N_ELEMENTS (racers); i++)
    threads[i] = g_thread_new ("racer", race, &racers[i]);
  for (guint i = 0; i < G_N_ELEMENTS (racers); i++)
    {
      g_thread_join (threads[i]);
      if (racers[i].won)
        won++;
      else
        g_assert_error (racers[i].error, ZID_ERROR, ZID_ERROR_CODE_USED);
      g_clear_error (&racers[i].error);
      g_free (racers[i].csr);
    }
  g_assert_cmpuint (won, ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM certificates WHERE user_id = 2"), ==, 1);
}

/* The phone answers the login QR of an admin session */
static void
answer_admin_login (Fixture        *f,
                    ZidOneTimeCode *login,
                    EVP_PKEY       *key,
                    const char     *cert,
                    GError        **error)
{
  g_autofree char *id = payload_param (login->payload, "session");
  g_autofree char *message = login_message (f, id, login->code);
  g_autofree guint8 *sig = NULL;
  gsize len;

  sig = sign (key, message, &len);
  zid_portal_login_answer (f->t.portal, NULL, id, cert, sig, len, error);
}

static gboolean
check_session (Fixture               *f,
               const char            *token,
               ZidAdminSessionState  *state,
               gint64                *user,
               GError               **error)
{
  gint64 expires = 0;

  return zid_portal_admin_session_check (f->t.portal, "192.0.2.7", token, state, user, &expires, error);
}

static void
assert_session_refused (Fixture    *f,
                        const char *token,
                        ZidError    code)
{
  g_autoptr(GError) error = NULL;
  ZidAdminSessionState state;
  gint64 user;

  g_assert_false (check_session (f, token, &state, &user, &error));
  g_assert_error (error, ZID_ERROR, (int) code);
}

/* The organisation server's admin sessions: bound to the administrator
 * whose phone answered, only a hash stored, ended at logout, after idle
 * time, after their lifetime, and when the user may no longer use the
 * portal */
static void
test_admin_sessions (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOneTimeCode) login = NULL;
  g_autoptr(ZidOneTimeCode) e = NULL;
  g_autofree char *token = NULL;
  g_autofree char *ucert = NULL;
  ZidAdminSessionState state;
  EVP_PKEY *ukey = NULL;
  gint64 user = -1, expires = 0, beheerder;

  login = zid_portal_admin_session_begin (f->t.portal, "192.0.2.7", &token, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (login->payload, "zorgid://login?v=1&env=acceptatie&"));
  g_assert_cmpuint (strlen (token), >=, 40);
  /* only the token's SHA-256 is stored */
  g_assert_cmpint (count (f, "SELECT count(*) FROM admin_sessions"), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM admin_sessions WHERE user_id IS NULL"
                             " AND length (token_hash) = 32"), ==, 1);

  /* pending until the phone answers; no user yet */
  g_assert_true (zid_portal_admin_session_check (f->t.portal, NULL, token, &state, &user, &expires, &error));
  g_assert_no_error (error);
  g_assert_cmpint (state, ==, ZID_ADMIN_SESSION_PENDING);
  g_assert_cmpint (user, ==, 0);
  g_assert_cmpint (expires, ==, T0 + ZID_LOGIN_SESSION_LIFETIME);

  /* unknown tokens are refused */
  assert_session_refused (f, "not-a-token-of-this-server-at-all", ZID_ERROR_SESSION_INVALID);
  assert_session_refused (f, NULL, ZID_ERROR_SESSION_INVALID);

  /* the administrator's phone answers: the session is theirs */
  answer_admin_login (f, login, f->admin_key, f->admin_cert, &error);
  g_assert_no_error (error);
  g_assert_true (check_session (f, token, &state, &user, &error));
  g_assert_no_error (error);
  g_assert_cmpint (state, ==, ZID_ADMIN_SESSION_ACTIVE);
  g_assert_cmpint (user, ==, f->t.admin);
  g_assert_cmpint (count (f, "SELECT count(*) FROM audit WHERE action = 'session.begin'"), ==, 1);

  /* renewed while used: 14 minutes of silence at a time, for an hour */
  for (int i = 1; i <= 4; i++)
    {
      zid_clock_set (f->t.clock, T0 + i * (ZID_ADMIN_SESSION_IDLE - 60));
      g_assert_true (zid_portal_admin_session_check (f->t.portal, NULL, token, &state, &user, &expires,
                                                     &error));
      g_assert_no_error (error);
      g_assert_cmpint (expires, ==, T0 + i * (ZID_ADMIN_SESSION_IDLE - 60) + ZID_ADMIN_SESSION_IDLE);
    }
  /* then idle for 15 minutes: ended, and stays ended */
  zid_clock_set (f->t.clock, T0 + 4 * (ZID_ADMIN_SESSION_IDLE - 60) + ZID_ADMIN_SESSION_IDLE);
  assert_session_refused (f, token, ZID_ERROR_SESSION_INVALID);
  zid_clock_set (f->t.clock, T0 + 4 * (ZID_ADMIN_SESSION_IDLE - 60) + 1);
  assert_session_refused (f, token, ZID_ERROR_SESSION_INVALID);
  g_assert_cmpint (count (f, "SELECT count(*) FROM audit WHERE action = 'session.end'"
                             " AND details = 'idle'"), ==, 1);
  g_clear_pointer (&token, g_free);
  g_clear_pointer (&login, zid_one_time_code_free);

  /* the absolute lifetime ends even a session in constant use */
  zid_clock_set (f->t.clock, T0);
  login = zid_portal_admin_session_begin (f->t.portal, NULL, &token, &error);
  answer_admin_login (f, login, f->admin_key, f->admin_cert, &error);
  g_assert_no_error (error);
  for (gint64 t = T0; t < T0 + ZID_ADMIN_SESSION_LIFETIME; t += 600)
    {
      zid_clock_set (f->t.clock, t);
      g_assert_true (check_session (f, token, &state, &user, &error));
    }
  zid_clock_set (f->t.clock, T0 + ZID_ADMIN_SESSION_LIFETIME);
  assert_session_refused (f, token, ZID_ERROR_SESSION_INVALID);
  g_clear_pointer (&token, g_free);
  g_clear_pointer (&login, zid_one_time_code_free);

  /* a login QR nobody answers: the session never opens */
  zid_clock_set (f->t.clock, T0);
  login = zid_portal_admin_session_begin (f->t.portal, NULL, &token, &error);
  zid_clock_set (f->t.clock, T0 + ZID_LOGIN_SESSION_LIFETIME);
  assert_session_refused (f, token, ZID_ERROR_SESSION_INVALID);
  g_clear_pointer (&token, g_free);
  g_clear_pointer (&login, zid_one_time_code_free);

  /* logout ends it at once; a second logout is refused */
  zid_clock_set (f->t.clock, T0);
  login = zid_portal_admin_session_begin (f->t.portal, NULL, &token, &error);
  answer_admin_login (f, login, f->admin_key, f->admin_cert, &error);
  g_assert_true (check_session (f, token, &state, &user, &error));
  g_assert_true (zid_portal_admin_session_end (f->t.portal, "192.0.2.7", token, &error));
  g_assert_no_error (error);
  assert_session_refused (f, token, ZID_ERROR_SESSION_INVALID);
  g_assert_false (zid_portal_admin_session_end (f->t.portal, NULL, token, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_SESSION_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (count (f, "SELECT count(*) FROM audit WHERE action = 'session.end'"
                             " AND details = 'logout' AND actor LIKE '%@192.0.2.7'"), ==, 1);
  g_clear_pointer (&token, g_free);
  g_clear_pointer (&login, zid_one_time_code_free);

  /* a Beheerder's session ends when they become a Gebruiker */
  e = zid_portal_register_user (f->t.portal, f->t.admin, org_id (f, URA_A), "Bea", "Beheer",
                                "1980-02-02", &error);
  g_assert_no_error (error);
  beheerder = e->user_id;
  ucert = enrol (f, e, &ukey);
  g_assert_true (zid_portal_set_membership (f->t.portal, f->t.admin, beheerder, org_id (f, URA_A),
                                            ZID_ROLE_BEHEERDER, NULL, &error));
  g_assert_no_error (error);
  login = zid_portal_admin_session_begin (f->t.portal, NULL, &token, &error);
  answer_admin_login (f, login, ukey, ucert, &error);
  g_assert_no_error (error);
  g_assert_true (check_session (f, token, &state, &user, &error));
  g_assert_cmpint (user, ==, beheerder);
  g_assert_true (zid_portal_set_membership (f->t.portal, f->t.admin, beheerder, org_id (f, URA_A),
                                            ZID_ROLE_GEBRUIKER, NULL, &error));
  g_assert_no_error (error);
  assert_session_refused (f, token, ZID_ERROR_NO_PORTAL_ACCESS);
  /* and does not come back with the role */
  g_assert_true (zid_portal_set_membership (f->t.portal, f->t.admin, beheerder, org_id (f, URA_A),
                                            ZID_ROLE_BEHEERDER, NULL, &error));
  assert_session_refused (f, token, ZID_ERROR_SESSION_INVALID);
  g_clear_pointer (&token, g_free);
  g_clear_pointer (&login, zid_one_time_code_free);

  /* a blocked user's session ends at the next request */
  login = zid_portal_admin_session_begin (f->t.portal, NULL, &token, &error);
  answer_admin_login (f, login, ukey, ucert, &error);
  g_assert_no_error (error);
  g_assert_true (check_session (f, token, &state, &user, &error));
  g_assert_true (zid_portal_block_user (f->t.portal, f->t.admin, beheerder, ZID_BLOCK_REASON_LOST_SMARTPHONE, &error));
  g_assert_no_error (error);
  assert_session_refused (f, token, ZID_ERROR_ACTOR_BLOCKED);
  g_assert_cmpint (count (f, "SELECT count(*) FROM audit WHERE action = 'session.end'"), ==, 5);
  EVP_PKEY_free (ukey);
}

/* §3: the login QR is valid for exactly 5 minutes, once; Gebruikers may not log in */
static void
test_login_rules (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOneTimeCode) session = NULL;
  g_autoptr(ZidOneTimeCode) e = NULL;
  g_autofree char *id = NULL;
  g_autofree char *message = NULL;
  g_autofree guint8 *sig = NULL;
  g_autofree char *ucert = NULL;
  EVP_PKEY *ukey = NULL;
  gint64 user = 0;
  gsize len;

  session = zid_portal_login_begin (f->t.portal, &id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (session->expires, ==, T0 + 5 * 60);
  g_assert_cmpint (zid_portal_login_poll (f->t.portal, id, &user, NULL, NULL), ==, ZID_LOGIN_PENDING);

  message = login_message (f, id, session->code);
  sig = sign (f->admin_key, message, &len);

  /* a signature by another key is refused */
  {
    EVP_PKEY *other = EVP_EC_gen ("P-256");
    g_autofree guint8 *bad = NULL;
    gsize bad_len;

    bad = sign (other, message, &bad_len);
    g_assert_cmpint (zid_portal_login_answer (f->t.portal, NULL, id, f->admin_cert, bad, bad_len, &error), ==, 0);
    g_assert_error (error, ZID_ERROR, ZID_ERROR_SIGNATURE_INVALID);
    g_clear_error (&error);
    EVP_PKEY_free (other);
  }

  /* nor is the answer the phone gave a look-alike service (a QR with this
   * session and challenge but the look-alike's pin), relayed here; nor
   * one without a pin (the first version of the protocol) */
  {
    g_autofree char *pin = NULL;
    g_autofree char *relayed = g_strdup_printf ("zorgid-login-v2\n%s\n%s\n%s",
                                                "JiTUWoDvZ9f3mxq0Bq3sZ4kzq8y1pB7y6r0o1e2d3c4",
                                                id, session->code);
    g_autofree char *unbound = g_strdup_printf ("zorgid-login-v1\n%s\n%s", id, session->code);
    const char *refused[] = { relayed, unbound };

    for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
      {
        g_autofree guint8 *bad = NULL;
        gsize bad_len;

        bad = sign (f->admin_key, refused[i], &bad_len);
        g_assert_cmpint (zid_portal_login_answer (f->t.portal, NULL, id, f->admin_cert, bad, bad_len,
                                                  &error), ==, 0);
        g_assert_error (error, ZID_ERROR, ZID_ERROR_SIGNATURE_INVALID);
        g_clear_error (&error);
      }
    g_assert_true (zid_portal_get_service_tls (f->t.portal, NULL, NULL, &pin, NULL));
    g_assert_cmpstr (pin, !=, "JiTUWoDvZ9f3mxq0Bq3sZ4kzq8y1pB7y6r0o1e2d3c4");
  }

  zid_clock_set (f->t.clock, T0 + 5 * 60 - 1);
  g_assert_cmpint (zid_portal_login_answer (f->t.portal, NULL, id, f->admin_cert, sig, len, &error), ==, f->t.admin);
  g_assert_no_error (error);
  g_assert_cmpint (zid_portal_login_poll (f->t.portal, id, &user, NULL, NULL), ==, ZID_LOGIN_ACCEPTED);
  g_assert_cmpint (user, ==, f->t.admin);

  /* replay */
  g_assert_cmpint (zid_portal_login_answer (f->t.portal, NULL, id, f->admin_cert, sig, len, &error), ==, 0);
  g_assert_error (error, ZID_ERROR, ZID_ERROR_SESSION_INVALID);
  g_clear_error (&error);

  /* expired at exactly 5 minutes */
  {
    g_autoptr(ZidOneTimeCode) s2 = NULL;
    g_autofree char *id2 = NULL;
    g_autofree char *m2 = NULL;
    g_autofree guint8 *sig2 = NULL;
    gsize len2;

    zid_clock_set (f->t.clock, T0);
    s2 = zid_portal_login_begin (f->t.portal, &id2, NULL);
    m2 = login_message (f, id2, s2->code);
    sig2 = sign (f->admin_key, m2, &len2);
    zid_clock_set (f->t.clock, T0 + 5 * 60);
    g_assert_cmpint (zid_portal_login_poll (f->t.portal, id2, NULL, NULL, NULL), ==, ZID_LOGIN_EXPIRED);
    g_assert_cmpint (zid_portal_login_answer (f->t.portal, NULL, id2, f->admin_cert, sig2, len2, &error), ==, 0);
    g_assert_error (error, ZID_ERROR, ZID_ERROR_SESSION_INVALID);
    g_clear_error (&error);
  }

  /* a Gebruiker's mobile ID does not open the portal */
  zid_clock_set (f->t.clock, T0);
  e = zid_portal_register_user (f->t.portal, f->t.admin, org_id (f, URA_A), "Gijs", "Gebruiker",
                                "1990-01-01", NULL);
  ucert = enrol (f, e, &ukey);
  g_assert_cmpint (login (f, ukey, ucert, &error), ==, 0);
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NO_PORTAL_ACCESS);
  g_clear_error (&error);

  /* and whoever shows that login QR is told so at once; the QR stays good
   * for someone who may log in */
  {
    g_autoptr(ZidOneTimeCode) s3 = NULL;
    g_autoptr(GError) refusal = NULL;
    g_autofree char *id3 = NULL;
    g_autofree char *m3 = NULL;
    g_autofree guint8 *usig = NULL;
    g_autofree guint8 *asig = NULL;
    gsize ulen, alen;

    s3 = zid_portal_login_begin (f->t.portal, &id3, NULL);
    m3 = login_message (f, id3, s3->code);
    usig = sign (ukey, m3, &ulen);
    g_assert_cmpint (zid_portal_login_answer (f->t.portal, NULL, id3, ucert, usig, ulen, &error), ==, 0);
    g_assert_error (error, ZID_ERROR, ZID_ERROR_NO_PORTAL_ACCESS);
    g_clear_error (&error);
    g_assert_cmpint (zid_portal_login_poll (f->t.portal, id3, &user, &refusal, &error), ==, ZID_LOGIN_REFUSED);
    g_assert_no_error (error);
    g_assert_error (refusal, ZID_ERROR, ZID_ERROR_NO_PORTAL_ACCESS);
    g_assert_cmpint (user, ==, 0);

    /* the Administrator logs in with the same QR */
    asig = sign (f->admin_key, m3, &alen);
    g_assert_cmpint (zid_portal_login_answer (f->t.portal, NULL, id3, f->admin_cert, asig, alen, &error), ==,
                     f->t.admin);
    g_assert_no_error (error);
    g_clear_error (&refusal);
    g_assert_cmpint (zid_portal_login_poll (f->t.portal, id3, &user, &refusal, &error), ==, ZID_LOGIN_ACCEPTED);
    g_assert_no_error (refusal);
    g_assert_cmpint (user, ==, f->t.admin);
  }

  /* an answer whose key is not proven tells nothing: anyone may send one */
  {
    g_autoptr(ZidOneTimeCode) s4 = NULL;
    g_autoptr(GError) refusal = NULL;
    g_autofree char *id4 = NULL;
    g_autofree guint8 *usig = NULL;
    gsize ulen;

    s4 = zid_portal_login_begin (f->t.portal, &id4, NULL);
    usig = sign (ukey, "not the login message", &ulen);
    g_assert_cmpint (zid_portal_login_answer (f->t.portal, NULL, id4, ucert, usig, ulen, &error), ==, 0);
    g_assert_error (error, ZID_ERROR, ZID_ERROR_SIGNATURE_INVALID);
    g_clear_error (&error);
    g_assert_cmpint (zid_portal_login_poll (f->t.portal, id4, NULL, &refusal, &error), ==, ZID_LOGIN_PENDING);
    g_assert_no_error (refusal);
  }
  EVP_PKEY_free (ukey);

  /* a certificate from elsewhere is refused */
  g_assert_cmpint (login (f, f->admin_key, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                          &error), ==, 0);
  g_assert_error (error, ZID_ERROR, ZID_ERROR_CERTIFICATE_INVALID);
}

/* Login is bound to the certificate issued at enrolment, not to its
 * serial: a certificate for another key with the Administrator's serial,
 * signed with the CA's own key (as with a copy of ca/key.pem), is refused
 * and audited as a certificate mismatch */
static void
test_login_bound_to_enrolled_certificate (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key_path = g_build_filename (f->t.dir, "ca", "key.pem", NULL);
  g_autofree char *ca_key_pem = NULL;
  g_autoptr(BIO) key_bio = NULL;
  g_autoptr(BIO) cert_bio = NULL;
  g_autoptr(BIO) out = NULL;
  g_autoptr(EVP_PKEY) ca_key = NULL;
  g_autoptr(EVP_PKEY) attacker = EVP_EC_gen ("P-256");
  g_autoptr(X509) forged = NULL;
  g_autoptr(GPtrArray) events = NULL;
  ZidAuditEvent *last;
  g_autofree char *forged_pem = NULL;
  char *data_out;
  long len;
  gint64 bad = 0;

  g_assert_true (g_file_get_contents (key_path, &ca_key_pem, NULL, NULL));
  key_bio = BIO_new_mem_buf (ca_key_pem, -1);
  ca_key = PEM_read_bio_PrivateKey (key_bio, NULL, NULL, NULL);
  g_assert_nonnull (ca_key);

  /* the Administrator's certificate, with the attacker's key, re-signed by the CA */
  cert_bio = BIO_new_mem_buf (f->admin_cert, -1);
  forged = PEM_read_bio_X509 (cert_bio, NULL, NULL, NULL);
  g_assert_nonnull (forged);
  g_assert_cmpint (X509_set_pubkey (forged, attacker), ==, 1);
  g_assert_cmpint (X509_sign (forged, ca_key, EVP_sha256 ()), >, 0);
  out = BIO_new (BIO_s_mem ());
  PEM_write_bio_X509 (out, forged);
  len = BIO_get_mem_data (out, &data_out);
  forged_pem = g_strndup (data_out, len);

  g_assert_cmpint (login (f, attacker, forged_pem, &error), ==, 0);
  g_assert_error (error, ZID_ERROR, ZID_ERROR_CERTIFICATE_INVALID);
  g_clear_error (&error);

  events = zid_portal_list_audit (f->t.portal, &error);
  g_assert_no_error (error);
  last = g_ptr_array_index (events, events->len - 1);
  g_assert_cmpstr (last->action, ==, "login.refused");
  g_assert_true (g_str_has_prefix (last->details, "certificate-mismatch: "));
  g_assert_cmpstr (last->subject, ==, "user:1");
  g_assert_cmpint (count (f, "SELECT count(*) FROM audit WHERE action = 'login.accepted'"), ==, 0);

  /* the enrolled certificate still logs in */
  g_assert_cmpint (login (f, f->admin_key, f->admin_cert, &error), ==, f->t.admin);
  g_assert_no_error (error);
  g_assert_true (zid_portal_verify_audit (f->t.portal, &bad, &error));
  g_assert_no_error (error);
}

/* Tamper evidence over the data: a change behind the core's back (a
 * second connection, as the sqlite3 shell) to a role, a block, a
 * certificate, an attribute or the environment stamp is found by the audit
 * verification, while everything the core itself does keeps it intact; a
 * flipped environment stamp refuses the data dir */
typedef struct
{
  const char *name;
  const char *sql;
  gboolean    refuses_open;
} Tamper;

static const Tamper tampers[] = {
  { "make-administrator", "UPDATE memberships SET role = (SELECT role FROM memberships WHERE user_id = 1) WHERE user_id = 2", FALSE },
  { "add-membership", "INSERT INTO memberships VALUES (2, 2, 1)", FALSE },
  { "unblock", "UPDATE users SET blocked = 0, block_reason = 0 WHERE id = 3", FALSE },
  { "unrevoke-by-new-row", "UPDATE certificates SET serial = serial || '0' WHERE user_id = 3", FALSE },
  { "certificate-swap", "UPDATE certificates SET pem = (SELECT pem FROM certificates WHERE user_id = 1)"
                        " WHERE user_id = 3", FALSE },
  { "drop-user", "PRAGMA foreign_keys = OFF; DELETE FROM memberships WHERE user_id = 2;"
                 " DELETE FROM name_keys WHERE user_id = 2; DELETE FROM seals WHERE user_id = 2;"
                 " DELETE FROM users WHERE id = 2", FALSE },
  { "new-user", "INSERT INTO users (first_name, last_name, birth_date, registered)"
                " VALUES ('Mallory', 'X', '1990-01-01', 0)", FALSE },
  { "environment", "UPDATE settings SET value = 'productie' WHERE key = 'environment'", TRUE },
};

static void
test_tamper_evidence (Fixture *f, gconstpointer data)
{
  const Tamper *tamper = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *serial = NULL;
  EVP_PKEY *key = NULL;
  gint64 g = register_user (f, f->t.admin, URA_A, "Gijs", "Gebruiker");     /* user 2 */
  gint64 b = register_user (f, f->t.admin, URA_A, "Bea", "Beheer");         /* user 3 */
  gint64 bad = -1;

  g_assert_cmpint (g, ==, 2);
  g_assert_cmpint (b, ==, 3);
  /* what the core does keeps the seal intact: roles, enrolment, login,
   * attributes, block, revoke, unblock, a new certificate */
  cert = enrolled_beheerder (f, b, &key, &serial);
  g_assert_true (zid_portal_block_user (f->t.portal, f->t.admin, b, ZID_BLOCK_REASON_LOST_SMARTPHONE, &error));
  g_assert_true (zid_portal_revoke_certificate (f->t.portal, f->t.admin, b, serial, &error));
  g_assert_true (zid_portal_unblock_user (f->t.portal, f->t.admin, b, &error));
  g_assert_true (zid_portal_block_user (f->t.portal, f->t.admin, b, ZID_BLOCK_REASON_LOST_SMARTPHONE, &error));
  g_assert_no_error (error);
  EVP_PKEY_free (key);
  g_assert_true (zid_portal_verify_audit (f->t.portal, &bad, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (f, "SELECT count(*) FROM seals"), ==, 3);

  exec_sql (f, tamper->sql, SQLITE_OK);

  g_assert_false (zid_portal_verify_audit (f->t.portal, &bad, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_AUDIT_BROKEN);
  g_test_message ("%s: %s", tamper->name, error->message);
  g_assert_nonnull (strstr (error->message, "buiten het portaal om gewijzigd"));
  g_clear_error (&error);

  /* opened again: the flipped environment refuses, in either environment */
  g_clear_object (&f->t.portal);
  for (int env = 0; env < 2; env++)
    {
      g_autoptr(ZidPortal) again = zid_portal_open (f->t.dir, env ? ZID_ENVIRONMENT_PRODUCTIE
                                                                : ZID_ENVIRONMENT_ACCEPTATIE,
                                                    f->t.clock, &error);

      if (tamper->refuses_open || env == 1)
        {
          int expected = tamper->refuses_open ? ZID_ERROR_AUDIT_BROKEN : ZID_ERROR_WRONG_ENVIRONMENT;

          g_assert_null (again);
          g_assert_error (error, ZID_ERROR, expected);
          g_clear_error (&error);
        }
      else
        {
          g_assert_no_error (error);
          g_assert_false (zid_portal_verify_audit (again, &bad, &error));
          g_assert_error (error, ZID_ERROR, ZID_ERROR_AUDIT_BROKEN);
          g_clear_error (&error);
        }
    }
  /* put back, the stamp opens again */
  if (tamper->refuses_open)
    exec_sql (f, "UPDATE settings SET value = 'acceptatie' WHERE key = 'environment'", SQLITE_OK);
  f->t.portal = zid_portal_open (f->t.dir, ZID_ENVIRONMENT_ACCEPTATIE, f->t.clock, &error);
  g_assert_no_error (error);
}

/* The seal's key stays outside the database, private; without it sealed
 * data does not open */
static void
test_seal_key (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = g_build_filename (f->t.dir, "seal.key", NULL);
  g_autofree char *moved = g_build_filename (f->t.dir, "seal.key.moved", NULL);
  GStatBuf st;

  g_assert_cmpint (g_stat (key, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (st.st_size, ==, 32);

  g_clear_object (&f->t.portal);
  g_assert_cmpint (g_chmod (key, 0644), ==, 0);
  f->t.portal = zid_portal_open (f->t.dir, ZID_ENVIRONMENT_ACCEPTATIE, f->t.clock, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (key, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  g_clear_object (&f->t.portal);
  g_assert_cmpint (g_rename (key, moved), ==, 0);
  f->t.portal = zid_portal_open (f->t.dir, ZID_ENVIRONMENT_ACCEPTATIE, f->t.clock, &error);
  g_assert_null (f->t.portal);
  g_assert_error (error, ZID_ERROR, ZID_ERROR_AUDIT_BROKEN);
  g_assert_nonnull (strstr (error->message, "zegelsleutel"));
  g_clear_error (&error);
  g_assert_cmpint (g_rename (moved, key), ==, 0);
  f->t.portal = zid_portal_open (f->t.dir, ZID_ENVIRONMENT_ACCEPTATIE, f->t.clock, &error);
  g_assert_no_error (error);
}

/* A data dir of the version before the seal (schema 1, no key) is sealed as
 * found when opened, and the trail says so; a seal removed behind the
 * portal's back (key kept) is made again only with an event naming it */
static void
test_seal_upgrade (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *key = g_build_filename (f->t.dir, "seal.key", NULL);
  ZidAuditEvent *last;
  gint64 bad = 0;

  if (zid_test_on_postgresql ())
    {
      g_test_skip ("a schema-1 file is SQLite's (PostgreSQL stores began at schema 5)");
      return;
    }

  register_user (f, f->t.admin, URA_A, "Gijs", "Gebruiker");
  g_clear_object (&f->t.portal);
  exec_sql (f, "DROP TABLE seals; DELETE FROM settings WHERE key = 'seal'; PRAGMA user_version = 1",
            SQLITE_OK);
  g_assert_cmpint (g_unlink (key), ==, 0);

  f->t.portal = zid_portal_open (f->t.dir, ZID_ENVIRONMENT_ACCEPTATIE, f->t.clock, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_test (key, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (count (f, "SELECT count(*) FROM seals"), ==, 2);
  events = zid_portal_list_audit (f->t.portal, &error);
  last = g_ptr_array_index (events, events->len - 1);
  g_assert_cmpstr (last->action, ==, "store.sealed");
  g_assert_cmpstr (last->details, ==, "users=2 environment=acceptatie key=new");
  g_assert_true (zid_portal_verify_audit (f->t.portal, &bad, &error));
  g_assert_no_error (error);
  g_clear_pointer (&events, g_ptr_array_unref);

  /* the seal removed and the stamp flipped, the key kept */
  g_clear_object (&f->t.portal);
  exec_sql (f, "DELETE FROM settings WHERE key = 'seal';"
               " UPDATE settings SET value = 'productie' WHERE key = 'environment'", SQLITE_OK);
  f->t.portal = zid_portal_open (f->t.dir, ZID_ENVIRONMENT_PRODUCTIE, f->t.clock, &error);
  g_assert_no_error (error);
  events = zid_portal_list_audit (f->t.portal, &error);
  last = g_ptr_array_index (events, events->len - 1);
  g_assert_cmpstr (last->action, ==, "store.sealed");
  g_assert_cmpstr (last->details, ==, "users=2 environment=productie key=existing");
}

/* §6: inactive = no use for more than four weeks (or never, registered more than four weeks ago) */
static void
test_inactive (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  gint64 org = org_id (f, URA_A);
  gint64 never = register_user (f, f->t.admin, URA_A, "Nooit", "Gebruikt");

  /* the admin logs in at T0 + 1 day */
  zid_clock_set (f->t.clock, T0 + DAY);
  g_assert_cmpint (login (f, f->admin_key, f->admin_cert, &error), ==, f->t.admin);

  zid_clock_set (f->t.clock, T0 + 28 * DAY);
  list = zid_portal_list_inactive (f->t.portal, f->t.admin, org, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);

  zid_clock_set (f->t.clock, T0 + 28 * DAY + 1);
  list = zid_portal_list_inactive (f->t.portal, f->t.admin, org, &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpint (zid_user_get_id (g_ptr_array_index (list, 0)), ==, never);
  g_clear_pointer (&list, g_ptr_array_unref);

  zid_clock_set (f->t.clock, T0 + 29 * DAY + 1);
  list = zid_portal_list_inactive (f->t.portal, f->t.admin, org, &error);
  g_assert_cmpuint (list->len, ==, 2);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* using the mobile ID makes the admin active again */
  g_assert_cmpint (login (f, f->admin_key, f->admin_cert, &error), ==, f->t.admin);
  list = zid_portal_list_inactive (f->t.portal, f->t.admin, org, &error);
  g_assert_cmpuint (list->len, ==, 1);
}

/* §6: the inactive list by last name, then first name, case aside */
static void
test_inactive_order (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  gint64 expected[4], seen[4];
  guint n = 0;

  expected[3] = register_user (f, f->t.admin, URA_A, "Cor", "Zwart");
  expected[1] = register_user (f, f->t.admin, URA_A, "Bert", "bakker");
  expected[2] = register_user (f, f->t.admin, URA_A, "Piet", "de Wit");
  expected[0] = register_user (f, f->t.admin, URA_A, "Anna", "Bakker");

  zid_clock_set (f->t.clock, T0 + 60 * DAY);
  list = zid_portal_list_inactive (f->t.portal, f->t.admin, org_id (f, URA_A), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < list->len; i++)
    {
      gint64 id = zid_user_get_id (g_ptr_array_index (list, i));

      for (guint j = 0; j < G_N_ELEMENTS (expected); j++)
        if (id == expected[j])
          {
            g_assert_cmpuint (n, <, G_N_ELEMENTS (seen));
            seen[n++] = id;
          }
    }
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (expected));
  g_assert_cmpmem (seen, sizeof seen, expected, sizeof expected);
}

/* audit: every change is an event; editing, deleting or reordering one is caught */
static void
test_audit_chain (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  gint64 bad = -1;

  register_user (f, f->t.admin, URA_A, "Een", "Gebruiker");
  register_user (f, f->t.admin, URA_A, "Twee", "Gebruiker");
  events = zid_portal_list_audit (f->t.portal, &error);
  g_assert_cmpuint (events->len, >=, 5);
  g_assert_true (zid_portal_verify_audit (f->t.portal, &bad, &error));
  g_assert_no_error (error);

  exec_sql (f, "UPDATE audit SET details = 'organisation=9 role=Administrator' WHERE id = 4", SQLITE_OK);
  g_assert_false (zid_portal_verify_audit (f->t.portal, &bad, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_AUDIT_BROKEN);
  g_assert_cmpint (bad, ==, 4);
}

static void
test_audit_deletion (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 bad = -1;

  register_user (f, f->t.admin, URA_A, "Een", "Gebruiker");
  register_user (f, f->t.admin, URA_A, "Twee", "Gebruiker");

  /* the last event removed */
  exec_sql (f, "DELETE FROM audit WHERE id = (SELECT max(id) FROM audit)", SQLITE_OK);
  g_assert_false (zid_portal_verify_audit (f->t.portal, &bad, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_AUDIT_BROKEN);
  g_clear_error (&error);

  /* one in the middle */
  exec_sql (f, "DELETE FROM audit WHERE id = 2", SQLITE_OK);
  g_assert_false (zid_portal_verify_audit (f->t.portal, &bad, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_AUDIT_BROKEN);
  g_assert_cmpint (bad, ==, 3);
  g_clear_error (&error);

  /* all of them, and the head with them */
  exec_sql (f, "DELETE FROM audit; DELETE FROM settings WHERE key = 'audit-head'", SQLITE_OK);
  g_assert_false (zid_portal_verify_audit (f->t.portal, &bad, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_AUDIT_BROKEN);
  g_assert_cmpint (bad, ==, 1);
}

/* Text hidden behind a NUL byte is not in the hash, so it is a change */
static void
test_audit_hidden_text (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 bad = -1;

  register_user (f, f->t.admin, URA_A, "Een", "Gebruiker");
  g_assert_true (zid_portal_verify_audit (f->t.portal, &bad, &error));
  g_assert_no_error (error);
  exec_sql (f, "UPDATE audit SET details = details || X'00' || ' role=Administrator'"
               " WHERE id = (SELECT max(id) FROM audit)", SQLITE_OK);
  g_assert_false (zid_portal_verify_audit (f->t.portal, &bad, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_AUDIT_BROKEN);
  g_assert_cmpint (bad, ==, count (f, "SELECT max(id) FROM audit"));
}

static void
test_audit_reorder (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 bad = -1;

  register_user (f, f->t.admin, URA_A, "Een", "Gebruiker");
  exec_sql (f,
            "UPDATE audit SET id = -id WHERE id IN (2, 3);"
            "UPDATE audit SET id = 3 WHERE id = -2;"
            "UPDATE audit SET id = 2 WHERE id = -3;", SQLITE_OK);
  g_assert_false (zid_portal_verify_audit (f->t.portal, &bad, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_AUDIT_BROKEN);
  g_assert_cmpint (bad, ==, 2);
}

/* §1: bootstrap without a card is for acceptatie only */
static void
test_bootstrap_productie_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("zid-test-XXXXXX", NULL);
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
  g_autoptr(ZidClock) clock = zid_clock_new_fixed (T0);
  g_autoptr(ZidPortal) portal = NULL;
  g_autoptr(ZidOneTimeCode) e = NULL;
  g_autoptr(ZidRegistration) r = NULL;

  zid_test_portal_database ();
  portal = zid_portal_open (dir, ZID_ENVIRONMENT_PRODUCTIE, clock, &error);

  g_assert_no_error (error);
  zid_portal_add_registration (portal, URA_A, "Zorggroep Noord", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  e = zid_portal_bootstrap (portal, URA_A, "Anna", "de Vries", "1980-01-01", &error);
  g_assert_null (e);
  g_assert_error (error, ZID_ERROR, ZID_ERROR_WRONG_ENVIRONMENT);
  g_clear_error (&error);
  g_clear_object (&portal);

  /* §1: nor does the productie data dir open as acceptatie to get round it */
  portal = zid_portal_open (dir, ZID_ENVIRONMENT_ACCEPTATIE, clock, &error);
  g_assert_null (portal);
  g_assert_error (error, ZID_ERROR, ZID_ERROR_WRONG_ENVIRONMENT);
  g_assert_nonnull (strstr (error->message, "hoort bij de omgeving productie"));
  g_clear_error (&error);
  portal = zid_portal_open (dir, ZID_ENVIRONMENT_PRODUCTIE, clock, &error);
  g_assert_no_error (error);
  r = zid_portal_find_registration (portal, URA_A, NULL);
  g_assert_nonnull (r);
  g_clear_object (&portal);
  g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
}

/* §7: completing a registration with the UZI-pas */
static void
test_registration_completion (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidCompletion) done = NULL;
  g_autoptr(ZidCompletion) again = NULL;
  g_autoptr(ZidRegistration) r = NULL;
  g_autofree char *cert = NULL;
  EVP_PKEY *key = NULL;
  ZidCardHolder holder = { (char *) "900012345", (char *) "Chris", (char *) "Zorg", (char *) URA_B, (char *) "01.015", 'Z' };
  gint64 existing = -1;

  /* no registration yet */
  g_assert_null (zid_portal_check_registration (f->t.portal, &holder, &existing, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NO_REGISTRATION);
  g_clear_error (&error);

  zid_portal_add_registration (f->t.portal, URA_B, "Thuiszorg Zuid", NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  /* a server or organisation card does not complete a registration */
  holder.card_type = 'M';
  g_assert_null (zid_portal_check_registration (f->t.portal, &holder, &existing, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  holder.card_type = 'S';
  g_assert_null (zid_portal_complete_registration (f->t.portal, &holder, "1970-01-01", &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  holder.card_type = 'Z';

  r = zid_portal_check_registration (f->t.portal, &holder, &existing, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (r->name, ==, "Thuiszorg Zuid");
  g_assert_cmpint (existing, ==, 0);

  /* no mobile ID yet: birth date needed */
  g_assert_null (zid_portal_complete_registration (f->t.portal, &holder, NULL, &error));
  g_assert_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_cmpint (count (f, "SELECT count(*) FROM organisations"), ==, 1);

  done = zid_portal_complete_registration (f->t.portal, &holder, "1970-01-01", &error);
  g_assert_no_error (error);
  g_assert_false (done->existing_mobile_id);
  g_assert_nonnull (done->enrolment);
  g_assert_cmpint (done->enrolment->expires, ==, T0 + 10 * DAY);

  /* once only */
  again = zid_portal_complete_registration (f->t.portal, &holder, "1970-01-01", &error);
  g_assert_null (again);
  g_assert_error (error, ZID_ERROR, ZID_ERROR_REGISTRATION_COMPLETED);
  g_clear_error (&error);

  /* the new Administrator enrols; for the next organisation they are recognised */
  cert = enrol (f, done->enrolment, &key);
  EVP_PKEY_free (key);
  zid_portal_add_registration (f->t.portal, "11112222", "Kliniek Oost", NULL, NULL, NULL, &error);
  holder.subscriber_number = (char *) "11112222";
  g_clear_pointer (&r, zid_registration_free);
  r = zid_portal_check_registration (f->t.portal, &holder, &existing, &error);
  g_assert_no_error (error);
  g_assert_cmpint (existing, ==, done->user_id);
  again = zid_portal_complete_registration (f->t.portal, &holder, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (again->existing_mobile_id);
  g_assert_null (again->enrolment);
  g_assert_cmpint (again->user_id, ==, done->user_id);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM memberships WHERE role = 3"
                                            " AND user_id = %" G_GINT64_FORMAT, done->user_id);
    g_assert_cmpint (count (f, sql), ==, 2);
  }
}

/* §8.1: attributes; the UZI-pas type goes to the administrator's own ID */
static void
test_attributes (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  gint64 org = org_id (f, URA_A);
  gint64 u = register_user (f, f->t.admin, URA_A, "Gijs", "Gebruiker");
  ZidCardHolder card = { .uzi_number = (char *) "900012345", .card_type = 'Z' };

  g_assert_cmpint (zid_portal_add_attribute (f->t.portal, f->t.admin, u, "big", org, "19012345601", &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (zid_portal_add_attribute (f->t.portal, f->t.admin, u, "big", org, "19012345601", &error), ==, 0);
  g_assert_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_cmpint (zid_portal_add_attribute (f->t.portal, f->t.admin, u, "uzi", org, "900012345", &error), ==, 0);
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  /* typed in, even for one's own ID: only with the card (the card flow) */
  g_assert_cmpint (zid_portal_add_attribute (f->t.portal, f->t.admin, f->t.admin, "uzi", org, "900012345", &error), ==, 0);
  g_assert_error (error, ZID_ERROR, ZID_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  g_assert_cmpint (zid_portal_add_uzi_attribute (f->t.portal, f->t.admin, org, &card, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (zid_portal_add_attribute (f->t.portal, f->t.admin, u, "nonsense", org, "1", &error), ==, 0);
  g_assert_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  list = zid_portal_list_attributes (f->t.portal, f->t.admin, u, &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((ZidAttribute *) g_ptr_array_index (list, 0))->task_code, ==, "19012345601");
}

/* search by name prefix, case and accents ignored */
static void
test_search (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;

  register_user (f, f->t.admin, URA_A, "Jörg", "Müller");
  register_user (f, f->t.admin, URA_A, "Eva", "van Dijk");
  register_user (f, f->t.admin, URA_A, "Ümit", "Yılmaz");

  found = zid_portal_list_users (f->t.portal, f->t.admin, 0, "mul", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpstr (zid_user_get_last_name (g_ptr_array_index (found, 0)), ==, "Müller");
  g_clear_pointer (&found, g_ptr_array_unref);

  found = zid_portal_list_users (f->t.portal, f->t.admin, org_id (f, URA_A), "DIJK", NULL);
  g_assert_cmpuint (found->len, ==, 1);
  g_clear_pointer (&found, g_ptr_array_unref);
  found = zid_portal_list_users (f->t.portal, f->t.admin, 0, "eva van", NULL);
  g_assert_cmpuint (found->len, ==, 1);
  g_clear_pointer (&found, g_ptr_array_unref);
  found = zid_portal_list_users (f->t.portal, f->t.admin, 0, "umit", NULL);
  g_assert_cmpuint (found->len, ==, 1);
  g_clear_pointer (&found, g_ptr_array_unref);
  found = zid_portal_list_users (f->t.portal, f->t.admin, 0, NULL, NULL);
  g_assert_cmpuint (found->len, ==, 4);
  g_clear_pointer (&found, g_ptr_array_unref);

  /* a first page, in name-key order, and how many match in all */
  register_user (f, f->t.admin, URA_A, "Jan", "Jansen");
  register_user (f, f->t.admin, URA_A, "Janneke", "Bakker");
  register_user (f, f->t.admin, URA_A, "Jaap", "Janssen");
  {
    guint matches = 0;

    found = zid_portal_search_users (f->t.portal, f->t.admin, org_id (f, URA_A), "jan", 2, &matches, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (matches, ==, 3);
    g_assert_cmpuint (found->len, ==, 1);   /* rows "jan" and "jan jansen" are one user */
    g_clear_pointer (&found, g_ptr_array_unref);
    found = zid_portal_search_users (f->t.portal, f->t.admin, 0, "jan", 0, &matches, &error);
    g_assert_cmpuint (matches, ==, 3);
    g_assert_cmpuint (found->len, ==, 3);
    g_clear_pointer (&found, g_ptr_array_unref);
    found = zid_portal_search_users (f->t.portal, f->t.admin, org_id (f, URA_A), NULL, 3, &matches, &error);
    g_assert_cmpuint (matches, ==, 7);
    g_assert_cmpuint (found->len, ==, 3);
  }
}

/* data dir 0700, keys 0600, reopen keeps the CA; a newer schema is refused */
static void
test_store_files (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = g_build_filename (f->t.dir, "ca", "key.pem", NULL);
  g_autofree char *tls_key = g_build_filename (f->t.dir, "service-tls", "key.pem", NULL);
  g_autofree char *ca1 = zid_portal_dup_ca_pem (f->t.portal, NULL);
  g_autofree char *ca2 = NULL;

  if (zid_test_on_postgresql ())
    {
      g_test_skip ("the modes of the SQLite file and its companions");
      return;
    }
  g_autoptr(ZidPortal) again = NULL;
  g_autoptr(ZidPortal) newer = NULL;
  const char *db_files[] = { "zorgid.db", "zorgid.db-wal", "zorgid.db-shm" };
  struct stat st;

  g_assert_cmpint (g_stat (f->t.dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (key, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (tls_key, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  /* the database and the files SQLite keeps beside it while it is open */
  for (guint i = 0; i < G_N_ELEMENTS (db_files); i++)
    {
      g_autofree char *path = g_build_filename (f->t.dir, db_files[i], NULL);

      g_assert_cmpint (g_stat (path, &st), ==, 0);
      g_assert_cmpint (st.st_mode & 0777, ==, 0600);
    }

  again = zid_portal_open (f->t.dir, ZID_ENVIRONMENT_ACCEPTATIE, f->t.clock, &error);
  g_assert_no_error (error);
  ca2 = zid_portal_dup_ca_pem (again, NULL);
  g_assert_cmpstr (ca1, ==, ca2);
  g_clear_object (&again);

  exec_sql (f, "PRAGMA user_version = 99", SQLITE_OK);
  newer = zid_portal_open (f->t.dir, ZID_ENVIRONMENT_ACCEPTATIE, f->t.clock, &error);
  g_assert_null (newer);
  g_assert_error (error, ZID_ERROR, ZID_ERROR_STORE);
  exec_sql (f, "PRAGMA user_version = 1", SQLITE_OK);
}

static void
test_service_address (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autoptr(ZidOneTimeCode) e = NULL;
  g_autofree char *label64 = g_strnfill (64, 'a');
  g_autofree char *too_long_label = g_strdup_printf ("%s.example:8443", label64);
  g_autofree char *label50 = g_strnfill (50, 'b');
  g_autofree char *too_long_host = g_strdup_printf ("%s.%s.%s.%s.%s:8443", label50, label50,
                                                    label50, label50, label50);
  /* 4 × 50 + 3 dots + ".nl": 206 characters, past a CN's 64 */
  g_autofree char *long_address = g_strdup_printf ("%s.%s.%s.%s.nl:8443", label50, label50,
                                                   label50, label50);
  const char *bad[] = { "", "host", "host:0", "host:70000", ":8443", "a b:1", "[::1:80",
                        "[:]:8443", "[a:b]:8443", "[host]:8443", "a..b:8443", ".a:8443", "a.:8443",
                        too_long_label, too_long_host };

  /* Unset, the address is this computer's name with the environment's
   * port; the two environments' ports differ */
  address = zid_portal_dup_service_address (f->t.portal);
  g_assert_true (g_str_has_suffix (address, ":8444"));
  g_assert_cmpuint (zid_portal_default_service_port (ZID_ENVIRONMENT_ACCEPTATIE), ==, 8444);
  g_assert_cmpuint (zid_portal_default_service_port (ZID_ENVIRONMENT_PRODUCTIE), ==, 8443);
  g_clear_pointer (&address, g_free);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_test_message ("bad address %u: %s", i, bad[i]);
      g_assert_false (zid_portal_set_service_address (f->t.portal, bad[i], &error));
      g_assert_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT);
      g_clear_error (&error);
    }
  g_assert_true (zid_portal_set_service_address (f->t.portal, "192.168.1.10:9443", &error));
  g_assert_no_error (error);
  address = zid_portal_dup_service_address (f->t.portal);
  g_assert_cmpstr (address, ==, "192.168.1.10:9443");
  e = zid_portal_register_user (f->t.portal, f->t.admin, org_id (f, URA_A), "A", "B", "1990-01-01", NULL);
  g_assert_nonnull (strstr (e->payload, "&host=192.168.1.10:9443&"));

  /* set again: the new address replaces the old */
  g_assert_true (zid_portal_set_service_address (f->t.portal, "192.168.1.11:9443", &error));
  g_assert_no_error (error);
  g_clear_pointer (&address, g_free);
  address = zid_portal_dup_service_address (f->t.portal);
  g_assert_cmpstr (address, ==, "192.168.1.11:9443");

  /* a long name, as a fully qualified host name may be: the service's
   * certificate is made for it, and codes point to it */
  {
    g_autofree char *dir = g_dir_make_tmp ("zid-test-XXXXXX", NULL);
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
    g_autofree char *needle = g_strdup_printf ("&host=%s&", long_address);
    g_autofree char *database = g_strdup (g_getenv ("ZID_DATABASE"));
    g_autoptr(ZidPortal) other = NULL;
    g_autoptr(ZidOneTimeCode) boot = NULL;

    /* another data folder: another database too */
    zid_test_portal_database ();
    other = zid_portal_open (dir, ZID_ENVIRONMENT_ACCEPTATIE, f->t.clock, &error);
    if (database != NULL)
      g_setenv ("ZID_DATABASE", database, TRUE);
    g_assert_no_error (error);
    g_assert_true (zid_portal_set_service_address (other, long_address, &error));
    g_assert_no_error (error);
    zid_portal_add_registration (other, URA_A, "Zorggroep Noord", NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    boot = zid_portal_bootstrap (other, URA_A, "Anna", "de Vries", "1980-01-01", &error);
    g_assert_no_error (error);
    g_assert_nonnull (strstr (boot->payload, needle));
    g_clear_object (&other);
    g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
  }
}

int
main (int argc, char *argv[])
{
  /* messages in the language of the environment (LANGUAGE=nl) */
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/portal/register/validates-input", test_register_validates_input);
  ADD ("/portal/register/birth-date-forms", test_register_birth_date_forms);
  ADD ("/portal/register/gebruiker", test_register_gives_gebruiker);
  ADD ("/portal/roles/beheerder-only-gebruiker", test_beheerder_only_gebruiker);
  ADD ("/portal/roles/gebruiker-no-access", test_gebruiker_no_access);
  ADD ("/portal/tenant-isolation", test_tenant_isolation);
  ADD ("/portal/block/only-administrator", test_only_administrator_not_blocked);
  ADD ("/portal/block/no-mobile-id", test_no_mobile_id_not_blocked);
  ADD ("/portal/block/revoke", test_block_revoke);
  ADD ("/portal/codes/expiry-single-use", test_code_expiry_and_single_use);
  ADD ("/portal/codes/hashed", test_codes_stored_as_hash);
  ADD ("/portal/codes/request-checked", test_enrol_request_checked);
  ADD ("/portal/rules/identity-authority", test_identity_authority);
  ADD ("/portal/codes/concurrent", test_concurrent_redemption);
  ADD ("/portal/login", test_login_rules);
  ADD ("/portal/admin-sessions", test_admin_sessions);
  ADD ("/portal/login/enrolled-certificate", test_login_bound_to_enrolled_certificate);
  ADD ("/portal/inactive", test_inactive);
  ADD ("/portal/inactive/order", test_inactive_order);
  ADD ("/portal/audit/edit", test_audit_chain);
  ADD ("/portal/audit/delete", test_audit_deletion);
  ADD ("/portal/audit/hidden-text", test_audit_hidden_text);
  ADD ("/portal/audit/reorder", test_audit_reorder);
  ADD ("/portal/registration/completion", test_registration_completion);
  ADD ("/portal/attributes", test_attributes);
  ADD ("/portal/search", test_search);
  ADD ("/portal/store/files", test_store_files);
  ADD ("/portal/service-address", test_service_address);
#undef ADD
  for (guint i = 0; i < G_N_ELEMENTS (tampers); i++)
    {
      g_autofree char *path = g_strdup_printf ("/portal/audit/tamper/%s", tampers[i].name);

      g_test_add (path, Fixture, &tampers[i], fixture_set_up, test_tamper_evidence, fixture_tear_down);
    }
  g_test_add ("/portal/audit/seal-key", Fixture, NULL, fixture_set_up, test_seal_key, fixture_tear_down);
  g_test_add ("/portal/audit/seal-upgrade", Fixture, NULL, fixture_set_up, test_seal_upgrade,
              fixture_tear_down);
  g_test_add_func ("/portal/bootstrap/productie", test_bootstrap_productie_refused);

  return g_test_run ();
}
