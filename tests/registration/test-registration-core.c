/* test-registration-core.c — the signed registration file in the core, and
 * two completions of one registration at the same time
 *
 * The operator PKI comes from make-operator-pki.sh ($ZID_OPERATOR_PKI).
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <locale.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <openssl/pem.h>
#include <openssl/cms.h>
#include <openssl/x509.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zid-core.h"
#include "zid-registration-file.h"

#define NOW   1767225600   /* 2026-01-01T00:00:00Z */

static const char *good_json =
  "{\"version\": 1, \"ura\": \"12345678\", \"name\": \"Huisartsenpraktijk De Linde\","
  " \"agb\": \"01234567\", \"address\": \"Lindelaan 1, 3512 AB Utrecht\","
  " \"reference\": \"VZVZ-2025-000123\", \"created\": \"2025-03-01T09:30:00Z\"}";

static char *
pki_path (const char *name)
{
  const char *pki = g_getenv ("ZID_OPERATOR_PKI");

  g_assert_nonnull (pki);
  return g_build_filename (pki, name, NULL);
}

static GBytes *
pki_bytes (const char *name)
{
  g_autofree char *path = pki_path (name);
  g_autoptr(GError) error = NULL;
  char *contents;
  gsize len;

  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  return g_bytes_new_take (contents, len);
}

/* notBefore / notAfter of a PKI certificate, as unix time */
static void
cert_validity (const char *name,
               gint64     *not_before,
               gint64     *not_after)
{
  g_autoptr(GBytes) pem = pki_bytes (name);
  BIO *bio = BIO_new_mem_buf (g_bytes_get_data (pem, NULL), (int) g_bytes_get_size (pem));
  X509 *x = PEM_read_bio_X509 (bio, NULL, NULL, NULL);
  struct tm tm;

  g_assert_nonnull (x);
  g_assert_true (ASN1_TIME_to_tm (X509_get0_notBefore (x), &tm));
  *not_before = timegm (&tm);
  g_assert_true (ASN1_TIME_to_tm (X509_get0_notAfter (x), &tm));
  *not_after = timegm (&tm);
  X509_free (x);
  BIO_free (bio);
}

static GBytes *
sign_as (const char *who,
         const char *json,
         gint64      now)
{
  g_autofree char *cert_name = g_strconcat (who, ".pem", NULL);
  g_autofree char *key_name = g_strconcat (who, ".key", NULL);
  g_autoptr(GBytes) content = g_bytes_new (json, strlen (json));
  g_autoptr(GBytes) cert = pki_bytes (cert_name);
  g_autoptr(GBytes) key = pki_bytes (key_name);
  g_autoptr(GBytes) chain = pki_bytes ("chain.pem");
  g_autoptr(GError) error = NULL;
  GBytes *out;

  out = zid_registration_file_sign (content, cert, key, chain, FALSE, now, &error);
  g_assert_no_error (error);
  g_assert_nonnull (out);
  return out;
}

/* --- the JSON document ------------------------------------------------------- */

typedef struct
{
  const char *json;
  const char *fragment;   /* NULL: accepted */
} JsonCase;

static const JsonCase json_cases[] = {
  { "{\"version\": 1, \"ura\": \"12345678\", \"name\": \"A\", \"address\": \"B\", \"reference\": \"C\", \"created\": \"2025-03-01T09:30:00+01:00\"}", NULL },
  { "  {\"version\":1,\"ura\":\"12345678\",\"name\":\"Caf\\u00e9\",\"address\":\"B\",\"reference\":\"C\",\"created\":\"2025-03-01T09:30:00.5Z\"}\n", NULL },
  { "", "leeg" },
  { "{", "geen geldige JSON" },
  { "{\"version\": 1,}", "geen geldige JSON" },
  { "{\"version\": 01}", "geen geldige JSON" },
  { "{'version': 1}", "geen geldige JSON" },
  { "{\"version\": 1} {\"version\": 1}", "geen geldige JSON" },
  { "{\"version\": 1} // x", "geen geldige JSON" },
  { "/* x */ {\"version\": 1}", "geen JSON-object" },
  { "\xef\xbb\xbf{\"version\": 1}", "byte-order mark" },
  { "{\"name\": \"a\xff\"}", "UTF-8" },
  { "{\"name\": \"a\nb\"}", "geen geldige JSON" },
  { "{\"name\": \"a\\u0000b\"}", "geen geldige JSON" },
  { "{\"name\": \"a\\qb\"}", "geen geldige JSON" },
  { "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "geen JSON-object" },
  { "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", "geen geldige JSON" },
  { "{\"version\": 1, \"version\": 1}", "“version” staat twee keer" },
  { "{\"version\": 1, \"extra\": true}", "Onbekend veld “extra”" },
  { "{\"ura\": \"12345678\"}", "“version” ontbreekt" },
  { "{\"version\": 1.0}", "geheel getal" },
  { "{\"version\": \"1\"}", "geheel getal" },
  { "{\"version\": 2}", "Versie 2" },
  { "{\"version\": 1, \"ura\": null}", "niet null" },
  { "{\"version\": 1, \"ura\": \"1234567X\", \"name\": \"A\", \"address\": \"B\", \"reference\": \"C\", \"created\": \"2025-03-01T09:30:00Z\"}", "8 cijfers" },
  { "{\"version\": 1, \"ura\": \"12345678\", \"name\": \"  \", \"address\": \"B\", \"reference\": \"C\", \"created\": \"2025-03-01T09:30:00Z\"}", "leeg" },
  { "{\"version\": 1, \"ura\": \"12345678\", \"name\": \"A\", \"agb\": \"\", \"address\": \"B\", \"reference\": \"C\", \"created\": \"2025-03-01T09:30:00Z\"}", "“agb” is leeg" },
  { "{\"version\": 1, \"ura\": \"12345678\", \"name\": \"A\", \"agb\": \"123\", \"address\": \"B\", \"reference\": \"C\", \"created\": \"2025-03-01T09:30:00Z\"}", "AGB" },
  { "{\"version\": 1, \"ura\": \"12345678\", \"name\": \"A\", \"address\": \"B\", \"created\": \"2025-03-01T09:30:00Z\"}", "“reference” ontbreekt" },
  { "{\"version\": 1, \"ura\": \"12345678\", \"name\": \"A\", \"address\": \"B\", \"reference\": \"C\", \"created\": \"2025-03-01\"}", "RFC 3339" },
  { "{\"version\": 1, \"ura\": \"12345678\", \"name\": \"A\", \"address\": \"B\", \"reference\": \"C\", \"created\": \"2025-02-30T09:30:00Z\"}", "RFC 3339" },
  { "{\"version\": 1, \"ura\": \"12345678\", \"name\": \"A\", \"address\": \"B\", \"reference\": \"C\", \"created\": \"2026-01-03T00:00:00Z\"}", "toekomst" },
};

static void
test_json (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (json_cases); i++)
    {
      const JsonCase *c = &json_cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(ZidRegistration) r = NULL;
      /* some cases are not UTF-8 on purpose; the TAP log must be */
      g_autofree char *shown = g_strescape (c->json, NULL);

      g_test_message ("case %u: %s", i, shown);
      r = zid_registration_parse_json (c->json, strlen (c->json), NOW, &error);
      if (c->fragment == NULL)
        {
          g_assert_no_error (error);
          g_assert_nonnull (r);
          g_assert_cmpstr (r->ura, ==, "12345678");
          g_assert_null (r->agb);
          continue;
        }
      g_assert_null (r);
      g_assert_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT);
      if (strstr (error->message, c->fragment) == NULL)
        g_error ("case %u: “%s” does not say “%s”", i, error->message, c->fragment);
    }
}

static void
test_json_fields (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidRegistration) r = zid_registration_parse_json (good_json, strlen (good_json), NOW, &error);

  g_assert_no_error (error);
  g_assert_cmpint (r->id, ==, 0);
  g_assert_cmpstr (r->ura, ==, "12345678");
  g_assert_cmpstr (r->name, ==, "Huisartsenpraktijk De Linde");
  g_assert_cmpstr (r->agb, ==, "01234567");
  g_assert_cmpstr (r->address, ==, "Lindelaan 1, 3512 AB Utrecht");
  g_assert_cmpstr (r->reference, ==, "VZVZ-2025-000123");
  g_assert_cmpint (r->created, ==, 1740821400);
  g_assert_cmpint (r->completed, ==, 0);
}

/* --- the signature, at the verifying clock ------------------------------------- */

static void
test_verify_clock (void)
{
  g_autofree char *trust = pki_path ("trust");
  gint64 not_before, not_after;
  g_autoptr(GBytes) file = NULL;
  const guint8 *data;
  gsize len;

  cert_validity ("operator.pem", &not_before, &not_after);
  file = sign_as ("operator", good_json, not_before + 60);
  data = g_bytes_get_data (file, &len);

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ZidRegistration) r = NULL;
    g_autofree char *signer = NULL;

    g_assert_true (zid_registration_file_verify (data, len, trust, not_before + 60, &r, &signer, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (r->reference, ==, "VZVZ-2025-000123");
    g_assert_cmpstr (signer, ==, "CN=ZID Test VZVZ Registraties,O=ZID Test VZVZ,C=NL");
  }
  {
    g_autoptr(GError) error = NULL;

    /* A second before notAfter still counts; after it, expired */
    g_assert_true (zid_registration_file_verify (data, len, trust, not_after - 1, NULL, NULL, &error));
    g_assert_false (zid_registration_file_verify (data, len, trust, not_after + 1, NULL, NULL, &error));
    g_assert_error (error, ZID_ERROR, ZID_ERROR_CERTIFICATE_INVALID);
    g_assert_nonnull (strstr (error->message, "verlopen op"));
  }
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (zid_registration_file_verify (data, len, trust, not_before - 1, NULL, NULL, &error));
    g_assert_error (error, ZID_ERROR, ZID_ERROR_CERTIFICATE_INVALID);
    g_assert_nonnull (strstr (error->message, "nog niet geldig"));
  }
}

/* Every single flipped byte of a signed file is refused, never accepted */
static void
test_verify_every_byte (void)
{
  g_autofree char *trust = pki_path ("trust");
  g_autoptr(GBytes) file = sign_as ("operator", good_json, g_get_real_time () / G_USEC_PER_SEC);
  gsize len;
  const guint8 *orig = g_bytes_get_data (file, &len);
  g_autofree guint8 *copy = g_memdup2 (orig, len);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const guint8 *content = memmem (orig, len, good_json, strlen (good_json));
  gsize content_start, content_end;
  guint refused = 0;

  g_assert_nonnull (content);
  content_start = (gsize) (content - orig);
  content_end = content_start + strlen (good_json);

  for (gsize i = 0; i < len; i++)
    {
      g_autoptr(GError) error = NULL;

      copy[i] ^= 0x01;
      if (!zid_registration_file_verify (copy, len, trust, now, NULL, NULL, &error))
        refused++;
      else
        {
          /* Only unsigned bits of the envelope may change without notice
           * (e.g. SignedData's version or digestAlgorithms); never the
           * registration itself */
          g_test_message ("byte %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " flipped and accepted", i, len);
          g_assert_false (i >= content_start && i < content_end);
        }
      copy[i] = orig[i];
    }
  g_test_message ("%u of %" G_GSIZE_FORMAT " flipped bytes refused", refused, len);
  g_assert_cmpuint (refused, >=, len * 95 / 100);
}

/* --- the operator trust folder's CRLs: fail closed ------------------------------ */

static gint64
real_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
remove_dir (const char *dir)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);

  g_assert_cmpint (system (cmd), ==, 0);
}

/* A fresh trust folder with the operator root; the caller adds files */
static char *
make_trust_dir (void)
{
  g_autofree char *dir = g_dir_make_tmp ("zid-trust-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (dir, "root.pem", NULL);
  g_autoptr(GBytes) pem = pki_bytes ("trust/root.pem");

  g_assert_nonnull (dir);
  g_assert_true (g_file_set_contents (root, g_bytes_get_data (pem, NULL), g_bytes_get_size (pem), NULL));
  return g_steal_pointer (&dir);
}

static void
put_file (const char *dir,
          const char *name,
          const void *data,
          gsize       len)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, data, (gssize) len, NULL));
}

/* The signing CA's CRL (revoked.pem on it) as DER */
static GBytes *
sub_crl_der (void)
{
  g_autoptr(GBytes) pem = pki_bytes ("crl/sub.crl");
  BIO *bio = BIO_new_mem_buf (g_bytes_get_data (pem, NULL), (int) g_bytes_get_size (pem));
  X509_CRL *crl = PEM_read_bio_X509_CRL (bio, NULL, NULL, NULL);
  unsigned char *der = NULL;
  int len;

  g_assert_nonnull (crl);
  len = i2d_X509_CRL (crl, &der);
  g_assert_cmpint (len, >, 0);
  X509_CRL_free (crl);
  BIO_free (bio);
  return g_bytes_new_with_free_func (der, (gsize) len, (GDestroyNotify) CRYPTO_free, der);
}

typedef enum
{
  CRL_TRUNCATED_PEM,      /* a download cut off half-way (no END line) */
  CRL_TRUNCATED_DER,      /* the same, DER */
  CRL_HEADERLESS_BASE64,  /* base64 without the -----BEGIN/END----- lines */
  CRL_EMPTY,              /* an empty sub.crl */
  CRL_GOOD_AND_TRUNCATED, /* one .crl: the root's CRL whole, the signing CA's cut off */
  CRL_IN_PEM_BUNDLE,      /* a .pem with the root and a truncated CRL */
  CRL_DANGLING_LINK,      /* sub.crl a symlink to nothing: cannot be read */
} CrlCase;

static void
test_crl_fail_closed (gconstpointer data)
{
  CrlCase c = GPOINTER_TO_INT (data);
  g_autofree char *trust = make_trust_dir ();
  g_autoptr(GBytes) pem = pki_bytes ("crl/sub.crl");
  g_autoptr(GBytes) root_crl = pki_bytes ("crl/root.crl");
  g_autoptr(GBytes) root = pki_bytes ("trust/root.pem");
  g_autoptr(GBytes) der = sub_crl_der ();
  const char *pem_text = g_bytes_get_data (pem, NULL);
  gsize pem_len = g_bytes_get_size (pem);
  const char *file = "sub.crl";
  int code = ZID_ERROR_CERTIFICATE_INVALID;
  const char *fragment = "geen leesbare CRL";
  gint64 now = real_now ();
  const char *signers[] = { "revoked", "operator" };

  switch (c)
    {
    case CRL_TRUNCATED_PEM:
      put_file (trust, file, pem_text, pem_len / 2);
      break;
    case CRL_TRUNCATED_DER:
      put_file (trust, file, g_bytes_get_data (der, NULL), g_bytes_get_size (der) - 16);
      break;
    case CRL_HEADERLESS_BASE64:
      {
        g_auto(GStrv) lines = g_strsplit (pem_text, "\n", -1);
        g_autoptr(GString) body = g_string_new (NULL);

        for (guint i = 0; lines[i] != NULL; i++)
          if (!g_str_has_prefix (lines[i], "-----") && *lines[i] != '\0')
            g_string_append_printf (body, "%s\n", lines[i]);
        g_assert_cmpuint (body->len, >, 100);
        put_file (trust, file, body->str, body->len);
      }
      break;
    case CRL_EMPTY:
      put_file (trust, file, "", 0);
      break;
    case CRL_GOOD_AND_TRUNCATED:
      {
        g_autoptr(GString) both = g_string_new_len (g_bytes_get_data (root_crl, NULL),
                                                    (gssize) g_bytes_get_size (root_crl));

        g_string_append_len (both, pem_text, (gssize) (pem_len - 40));
        file = "vzvz.crl";
        put_file (trust, file, both->str, both->len);
      }
      break;
    case CRL_IN_PEM_BUNDLE:
      {
        g_autoptr(GString) bundle = g_string_new_len (g_bytes_get_data (root, NULL),
                                                      (gssize) g_bytes_get_size (root));

        g_string_append_len (bundle, pem_text, (gssize) (pem_len - 40));
        file = "vzvz.pem";
        put_file (trust, file, bundle->str, bundle->len);
      }
      break;
    case CRL_DANGLING_LINK:
      {
        g_autofree char *link = g_build_filename (trust, file, NULL);

        g_assert_cmpint (symlink ("/nonexistent/sub.crl", link), ==, 0);
        code = ZID_ERROR_IO;
        fragment = "kan niet worden gelezen";
      }
      break;
    default:
      g_assert_not_reached ();
    }

  /* Neither a revoked signer nor a good one gets through: the folder is broken */
  for (guint i = 0; i < G_N_ELEMENTS (signers); i++)
    {
      g_autoptr(GBytes) signed_file = sign_as (signers[i], good_json, now);
      g_autoptr(GError) error = NULL;
      g_autofree char *quoted = g_strdup_printf ("“%s”", file);
      gsize len;
      const guint8 *bytes = g_bytes_get_data (signed_file, &len);

      g_assert_false (zid_registration_file_verify (bytes, len, trust, now, NULL, NULL, &error));
      g_assert_error (error, ZID_ERROR, code);
      g_test_message ("%s: %s", signers[i], error->message);
      g_assert_nonnull (strstr (error->message, fragment));
      g_assert_nonnull (strstr (error->message, quoted));
    }
  remove_dir (trust);
}

/* The good path still holds: a readable CRL, PEM, DER or in a bundle */
static void
test_crl_good (void)
{
  g_autoptr(GBytes) pem = pki_bytes ("crl/sub.crl");
  g_autoptr(GBytes) root = pki_bytes ("trust/root.pem");
  g_autoptr(GBytes) chain = pki_bytes ("chain.pem");
  g_autoptr(GBytes) der = sub_crl_der ();
  gint64 now = real_now ();
  g_autoptr(GBytes) good = sign_as ("operator", good_json, now);
  g_autoptr(GBytes) revoked = sign_as ("revoked", good_json, now);

  for (guint form = 0; form < 3; form++)
    {
      g_autofree char *trust = make_trust_dir ();
      g_autoptr(GError) error = NULL;
      gsize len;
      const guint8 *bytes;

      if (form == 0)
        put_file (trust, "sub.crl", g_bytes_get_data (pem, NULL), g_bytes_get_size (pem));
      else if (form == 1)
        put_file (trust, "sub.crl", g_bytes_get_data (der, NULL), g_bytes_get_size (der));
      else
        {
          g_autoptr(GString) bundle = g_string_new_len (g_bytes_get_data (root, NULL),
                                                        (gssize) g_bytes_get_size (root));

          g_string_append_len (bundle, g_bytes_get_data (chain, NULL), (gssize) g_bytes_get_size (chain));
          g_string_append_len (bundle, g_bytes_get_data (pem, NULL), (gssize) g_bytes_get_size (pem));
          put_file (trust, "vzvz.pem", bundle->str, bundle->len);
        }
      /* a file with no CRL and no certificate, not named .crl, is still ignored */
      put_file (trust, "readme.pem", "nothing here\n", 13);

      bytes = g_bytes_get_data (good, &len);
      g_assert_true (zid_registration_file_verify (bytes, len, trust, now, NULL, NULL, &error));
      g_assert_no_error (error);

      bytes = g_bytes_get_data (revoked, &len);
      g_assert_false (zid_registration_file_verify (bytes, len, trust, now, NULL, NULL, &error));
      g_assert_error (error, ZID_ERROR, ZID_ERROR_CERTIFICATE_INVALID);
      g_assert_nonnull (strstr (error->message, "ingetrokken certificaat"));
      remove_dir (trust);
    }
}

/* --- the signer's profile: end-entity, key type and size ---------------------------- */

/* Signed with OpenSSL itself: our signing tool refuses these signers */
static GBytes *
openssl_sign_as (const char *who,
                 const char *json)
{
  g_autofree char *cert_name = g_strconcat (who, ".pem", NULL);
  g_autofree char *key_name = g_strconcat (who, ".key", NULL);
  g_autoptr(GBytes) cert_pem = pki_bytes (cert_name);
  g_autoptr(GBytes) key_pem = pki_bytes (key_name);
  g_autoptr(GBytes) chain_pem = pki_bytes ("chain.pem");
  BIO *bio;
  X509 *cert, *sub;
  EVP_PKEY *key;
  STACK_OF (X509) *extra = sk_X509_new_null ();
  BIO *content = BIO_new_mem_buf (json, -1);
  BIO *out = BIO_new (BIO_s_mem ());
  CMS_ContentInfo *cms;
  char *der;
  long der_len;
  GBytes *result;

  bio = BIO_new_mem_buf (g_bytes_get_data (cert_pem, NULL), (int) g_bytes_get_size (cert_pem));
  cert = PEM_read_bio_X509 (bio, NULL, NULL, NULL);
  BIO_free (bio);
  bio = BIO_new_mem_buf (g_bytes_get_data (key_pem, NULL), (int) g_bytes_get_size (key_pem));
  key = PEM_read_bio_PrivateKey (bio, NULL, NULL, NULL);
  BIO_free (bio);
  bio = BIO_new_mem_buf (g_bytes_get_data (chain_pem, NULL), (int) g_bytes_get_size (chain_pem));
  sub = PEM_read_bio_X509 (bio, NULL, NULL, NULL);
  BIO_free (bio);
  g_assert_true (cert != NULL && key != NULL && sub != NULL);
  sk_X509_push (extra, sub);

  cms = CMS_sign (cert, key, extra, content, CMS_BINARY);
  g_assert_nonnull (cms);
  g_assert_cmpint (i2d_CMS_bio (out, cms), ==, 1);
  der_len = BIO_get_mem_data (out, &der);
  result = g_bytes_new (der, (gsize) der_len);

  CMS_ContentInfo_free (cms);
  BIO_free (out);
  BIO_free (content);
  sk_X509_pop_free (extra, X509_free);
  X509_free (cert);
  EVP_PKEY_free (key);
  return result;
}

typedef struct
{
  const char *who;
  const char *fragment;   /* NULL: accepted */
} SignerCase;

static const SignerCase signer_cases[] = {
  { "operator", NULL },
  { "rsa2048", NULL },
  { "p224", "te zwak" },
  { "ca-signer", "CA-certificaat" },
  { "ca-nocertsign", "CA-certificaat" },
};

static void
test_signer_profile (gconstpointer data)
{
  const SignerCase *c = data;
  g_autofree char *trust = pki_path ("trust");
  g_autoptr(GBytes) file = openssl_sign_as (c->who, good_json);
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidRegistration) r = NULL;
  gsize len;
  const guint8 *bytes = g_bytes_get_data (file, &len);
  gboolean ok;

  ok = zid_registration_file_verify (bytes, len, trust, real_now (), &r, NULL, &error);
  if (c->fragment == NULL)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpstr (r->ura, ==, "12345678");
      return;
    }
  g_assert_false (ok);
  g_assert_null (r);
  g_assert_error (error, ZID_ERROR, ZID_ERROR_CERTIFICATE_INVALID);
  g_test_message ("%s: %s", c->who, error->message);
  g_assert_nonnull (strstr (error->message, c->fragment));
}

/* The operator's signing tool holds the same profile */
static void
test_sign_profile (void)
{
  static const SignerCase cases[] = {
    { "rsa2048", NULL },
    { "p224", "te zwak" },
    { "rsa1024", "te zwak" },
    { "ca-signer", "CA-certificaat" },
    { "ca-nocertsign", "CA-certificaat" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *cert_name = g_strconcat (cases[i].who, ".pem", NULL);
      g_autofree char *key_name = g_strconcat (cases[i].who, ".key", NULL);
      g_autoptr(GBytes) content = g_bytes_new_static (good_json, strlen (good_json));
      g_autoptr(GBytes) cert = pki_bytes (cert_name);
      g_autoptr(GBytes) key = pki_bytes (key_name);
      g_autoptr(GBytes) out = NULL;
      g_autoptr(GError) error = NULL;

      out = zid_registration_file_sign (content, cert, key, NULL, FALSE, real_now (), &error);
      g_test_message ("%s: %s", cases[i].who, error != NULL ? error->message : "signed");
      if (cases[i].fragment == NULL)
        {
          g_assert_no_error (error);
          g_assert_nonnull (out);
          continue;
        }
      g_assert_null (out);
      g_assert_error (error, ZID_ERROR, ZID_ERROR_CERTIFICATE_INVALID);
      g_assert_nonnull (strstr (error->message, cases[i].fragment));
    }
}

/* --- import, async, into a portal ------------------------------------------------ */

typedef struct
{
  GMainLoop       *loop;
  ZidRegistration *r;
  char            *signer;
  gboolean         already;
  GError          *error;
} AsyncResult;

static void
on_imported (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  AsyncResult *a = user_data;

  a->r = zid_registration_file_import_finish (ZID_BACKEND (source), result, &a->signer,
                                              &a->already, &a->error);
  g_main_loop_quit (a->loop);
}

static void
test_import_async (void)
{
  g_autofree char *dir = g_dir_make_tmp ("zid-reg-XXXXXX", NULL);
  g_autofree char *trust = pki_path ("trust");
  g_autofree char *path = g_build_filename (dir, "reg.p7m", NULL);
  g_autoptr(GBytes) file = sign_as ("operator", good_json, g_get_real_time () / G_USEC_PER_SEC);
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidPortal) portal = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (file, NULL), g_bytes_get_size (file), NULL));
  portal = zid_portal_open (data_dir, ZID_ENVIRONMENT_ACCEPTATIE, NULL, &error);
  g_assert_no_error (error);

  for (int round = 0; round < 2; round++)
    {
      AsyncResult a = { loop, NULL, NULL, FALSE, NULL };

      zid_registration_file_import_async (ZID_BACKEND (portal), path, trust, NULL, on_imported, &a);
      g_main_loop_run (loop);
      g_assert_no_error (a.error);
      g_assert_nonnull (a.r);
      g_assert_cmpint (a.r->id, >, 0);
      g_assert_cmpstr (a.r->name, ==, "Huisartsenpraktijk De Linde");
      g_assert_cmpint (a.r->completed, ==, 0);
      g_assert_cmpstr (a.signer, ==, "CN=ZID Test VZVZ Registraties,O=ZID Test VZVZ,C=NL");
      g_assert_cmpint (a.already, ==, round == 1);
      zid_registration_free (a.r);
      g_free (a.signer);
    }

  {
    /* A refusal comes back through _finish too */
    AsyncResult a = { loop, NULL, NULL, FALSE, NULL };
    g_autofree char *rogue = pki_path ("rogue");

    zid_registration_file_import_async (ZID_BACKEND (portal), path, rogue, NULL, on_imported, &a);
    g_main_loop_run (loop);
    g_assert_null (a.r);
    g_assert_error (a.error, ZID_ERROR, ZID_ERROR_CERTIFICATE_INVALID);
    g_clear_error (&a.error);
  }

  g_clear_object (&portal);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
    g_assert_cmpint (system (cmd), ==, 0);
  }
}

/* --- the file itself: one CMS, nothing after it, a regular file ---------------- */

static void
test_import_file_kinds (void)
{
  g_autofree char *dir = g_dir_make_tmp ("zid-reg-XXXXXX", NULL);
  g_autofree char *trust = pki_path ("trust");
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *fifo = g_build_filename (dir, "reg.fifo", NULL);
  g_autofree char *link = g_build_filename (dir, "reg.link", NULL);
  g_autofree char *good = g_build_filename (dir, "reg.p7m", NULL);
  g_autoptr(GBytes) file = sign_as ("operator", good_json, g_get_real_time () / G_USEC_PER_SEC);
  g_autoptr(ZidPortal) portal = NULL;
  g_autoptr(GError) error = NULL;
  const char *tails[] = { "x", "\0", "\n-----BEGIN CMS-----\n" };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  portal = zid_portal_open (data_dir, ZID_ENVIRONMENT_ACCEPTATIE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (good, g_bytes_get_data (file, NULL), g_bytes_get_size (file), NULL));

  /* trailing data after the DER, or after the PEM block, is refused */
  for (guint pem = 0; pem < 2; pem++)
    {
      g_autoptr(GBytes) signed_file = NULL;
      g_autoptr(GBytes) content = g_bytes_new_static (good_json, strlen (good_json));
      g_autoptr(GBytes) cert = pki_bytes ("operator.pem");
      g_autoptr(GBytes) key = pki_bytes ("operator.key");
      g_autoptr(GBytes) chain = pki_bytes ("chain.pem");

      signed_file = zid_registration_file_sign (content, cert, key, chain, pem, now, &error);
      g_assert_no_error (error);
      /* as made, and with white space after a PEM block, it verifies */
      g_assert_true (zid_registration_file_verify (g_bytes_get_data (signed_file, NULL),
                                                   g_bytes_get_size (signed_file), trust, now,
                                                   NULL, NULL, &error));
      g_assert_no_error (error);
      for (guint i = 0; i < G_N_ELEMENTS (tails); i++)
        {
          g_autoptr(GByteArray) bad = g_byte_array_new ();
          gsize tail_len = i == 1 ? 1 : strlen (tails[i]);

          g_byte_array_append (bad, g_bytes_get_data (signed_file, NULL), g_bytes_get_size (signed_file));
          g_byte_array_append (bad, (const guint8 *) (i == 1 ? "" : tails[i]), tail_len);
          g_assert_false (zid_registration_file_verify (bad->data, bad->len, trust, now, NULL, NULL, &error));
          g_assert_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT);
          /* (a PEM header after DER makes the whole no CMS at all) */
          if (strstr (error->message, pem || i < 2 ? "na de ondertekende registratie"
                                                   : "geen ondertekend registratiebestand") == NULL)
            g_error ("pem %u tail %u: %s", pem, i, error->message);
          g_clear_error (&error);
        }
    }

  /* a FIFO is refused at once (no writer needed), and so is a link or a folder */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_cmpint (symlink (good, link), ==, 0);
  {
    const char *refused[] = { fifo, link, dir };

    for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
      {
        g_autoptr(ZidRegistration) r = zid_registration_file_import (portal, refused[i], trust,
                                                                     NULL, NULL, &error);

        g_assert_null (r);
        g_assert_error (error, ZID_ERROR, ZID_ERROR_IO);
        g_assert_nonnull (strstr (error->message, "gewoon bestand"));
        g_clear_error (&error);
      }
  }

  /* a file larger than the cap is refused unread */
  {
    g_autofree char *big = g_build_filename (dir, "big.p7m", NULL);
    g_autoptr(ZidRegistration) r = NULL;
    int fd = open (big, O_WRONLY | O_CREAT, 0600);

    g_assert_cmpint (fd, >=, 0);
    g_assert_cmpint (ftruncate (fd, ZID_REGISTRATION_FILE_MAX_SIZE + 1), ==, 0);
    close (fd);
    r = zid_registration_file_import (portal, big, trust, NULL, NULL, &error);
    g_assert_null (r);
    g_assert_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT);
    g_assert_nonnull (strstr (error->message, "te groot"));
    g_clear_error (&error);
  }

  /* the regular file itself imports */
  {
    g_autoptr(ZidRegistration) r = zid_registration_file_import (portal, good, trust, NULL, NULL, &error);

    g_assert_no_error (error);
    g_assert_nonnull (r);
  }

  g_clear_object (&portal);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
    g_assert_cmpint (system (cmd), ==, 0);
  }
}

/* --- two completions at the same time ------------------------------------------------ */

typedef struct
{
  ZidPortal      *portal;
  ZidCardHolder  *holder;
  gint           *ready;
  ZidCompletion  *completion;
  GError         *error;
} Racer;

static gpointer
race (gpointer user_data)
{
  Racer *r = user_data;

  /* Both start together */
  g_atomic_int_inc (r->ready);
  while (g_atomic_int_get (r->ready) < 2)
    ;
  r->completion = zid_portal_complete_registration (r->portal, r->holder, "1980-01-01", &r->error);
  return NULL;
}

static gint64
count (const char *db_path,
       const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* Two connections (as two processes would have) on one data dir; the same
 * card holder, and two different holders of the same organisation */
static void
test_simultaneous_completion (gconstpointer data)
{
  gboolean same_person = GPOINTER_TO_INT (data);
  g_autofree char *dir = g_dir_make_tmp ("zid-race-XXXXXX", NULL);
  g_autofree char *db_path = g_build_filename (dir, "zorgid.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidPortal) a = zid_portal_open (dir, ZID_ENVIRONMENT_ACCEPTATIE, NULL, &error);
  g_autoptr(ZidPortal) b = zid_portal_open (dir, ZID_ENVIRONMENT_ACCEPTATIE, NULL, &error);
  const guint rounds = 20;

  g_assert_no_error (error);
  for (guint i = 0; i < rounds; i++)
    {
      g_autofree char *ura = g_strdup_printf ("1000%04u", i);
      g_autofree char *uzi_a = g_strdup_printf ("9000%05u", i);
      g_autofree char *uzi_b = g_strdup_printf ("9100%05u", i);
      ZidCardHolder ha = { uzi_a, (char *) "Jan", (char *) "Vries", ura, (char *) "01.015", 'Z' };
      ZidCardHolder hb = { same_person ? uzi_a : uzi_b, (char *) "Els", (char *) "Bos", ura, (char *) "01.015", 'N' };
      gint ready = 0;
      Racer ra = { a, &ha, &ready, NULL, NULL };
      Racer rb = { b, &hb, &ready, NULL, NULL };
      GThread *ta, *tb;
      Racer *winner, *loser;

      g_assert_cmpint (zid_portal_add_registration (a, ura, "Praktijk", NULL, NULL, NULL, &error), >, 0);
      g_assert_no_error (error);

      ta = g_thread_new ("a", race, &ra);
      tb = g_thread_new ("b", race, &rb);
      g_thread_join (ta);
      g_thread_join (tb);

      /* exactly one wins */
      g_assert_true ((ra.completion != NULL) != (rb.completion != NULL));
      winner = ra.completion ? &ra : &rb;
      loser = ra.completion ? &rb : &ra;
      g_assert_no_error (winner->error);
      g_assert_nonnull (winner->completion->enrolment);
      g_assert_error (loser->error, ZID_ERROR, ZID_ERROR_REGISTRATION_COMPLETED);
      zid_completion_free (winner->completion);
      g_clear_error (&loser->error);
    }

  /* one organisation and one Administrator per registration, nothing of the loser */
  g_assert_cmpint (count (db_path, "SELECT count(*) FROM organisations"), ==, rounds);
  g_assert_cmpint (count (db_path, "SELECT count(*) FROM users"), ==, rounds);
  g_assert_cmpint (count (db_path, "SELECT count(*) FROM memberships"), ==, rounds);
  g_assert_cmpint (count (db_path, "SELECT count(*) FROM registrations WHERE completed IS NULL OR completed = 0"), ==, 0);
  g_assert_cmpint (count (db_path, "SELECT count(*) FROM audit WHERE action = 'registration.complete'"), ==, rounds);
  g_assert_cmpint (count (db_path, "SELECT count(*) FROM audit WHERE action = 'registration.complete.refused'"), ==, rounds);

  g_clear_object (&a);
  g_clear_object (&b);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
    g_assert_cmpint (system (cmd), ==, 0);
  }
}

int
main (int argc, char **argv)
{
  /* messages in the language of the environment (LANGUAGE=nl) */
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/registration-file/json", test_json);
  g_test_add_func ("/registration-file/json-fields", test_json_fields);
  g_test_add_func ("/registration-file/verify-clock", test_verify_clock);
  g_test_add_func ("/registration-file/verify-every-byte", test_verify_every_byte);
  g_test_add_data_func ("/registration-file/crl/truncated-pem",
                        GINT_TO_POINTER (CRL_TRUNCATED_PEM), test_crl_fail_closed);
  g_test_add_data_func ("/registration-file/crl/truncated-der",
                        GINT_TO_POINTER (CRL_TRUNCATED_DER), test_crl_fail_closed);
  g_test_add_data_func ("/registration-file/crl/headerless-base64",
                        GINT_TO_POINTER (CRL_HEADERLESS_BASE64), test_crl_fail_closed);
  g_test_add_data_func ("/registration-file/crl/empty",
                        GINT_TO_POINTER (CRL_EMPTY), test_crl_fail_closed);
  g_test_add_data_func ("/registration-file/crl/good-and-truncated",
                        GINT_TO_POINTER (CRL_GOOD_AND_TRUNCATED), test_crl_fail_closed);
  g_test_add_data_func ("/registration-file/crl/truncated-in-pem-bundle",
                        GINT_TO_POINTER (CRL_IN_PEM_BUNDLE), test_crl_fail_closed);
  g_test_add_data_func ("/registration-file/crl/dangling-link",
                        GINT_TO_POINTER (CRL_DANGLING_LINK), test_crl_fail_closed);
  g_test_add_func ("/registration-file/crl/good", test_crl_good);
  for (guint i = 0; i < G_N_ELEMENTS (signer_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/registration-file/signer/%s", signer_cases[i].who);

      g_test_add_data_func (path, &signer_cases[i], test_signer_profile);
    }
  g_test_add_func ("/registration-file/sign-profile", test_sign_profile);
  g_test_add_func ("/registration-file/import-async", test_import_async);
  g_test_add_func ("/registration-file/file-kinds", test_import_file_kinds);
  g_test_add_data_func ("/registration/simultaneous/same-card", GINT_TO_POINTER (TRUE),
                        test_simultaneous_completion);
  g_test_add_data_func ("/registration/simultaneous/two-people", GINT_TO_POINTER (FALSE),
                        test_simultaneous_completion);
  return g_test_run ();
}
