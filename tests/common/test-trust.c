/* test-trust.c — the trust-folder loader (zid-trust.h)
 *
 * Folders made from the card test PKI ($ZID_TEST_PKI: trust/root.pem,
 * trust/sub.pem, the CRLs in crl/ as PEM and DER): PEM, DER, bundles, CRLs,
 * and what must fail closed.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include <glib/gstdio.h>
#include <openssl/x509_vfy.h>
#include <string.h>
#include <unistd.h>

#include "zid-trust.h"

static const char *pki;

typedef struct
{
  char *dir;
} Folder;

static GBytes *
pki_bytes (const char *name)
{
  g_autofree char *path = g_build_filename (pki, name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static void
put (Folder     *f,
     const char *name,
     const void *data,
     gsize       len)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, (gssize) len, &error);
  g_assert_no_error (error);
}

static void
put_pki (Folder     *f,
         const char *name,
         const char *from)
{
  g_autoptr(GBytes) data = pki_bytes (from);

  put (f, name, g_bytes_get_data (data, NULL), g_bytes_get_size (data));
}

/* The first certificate of a PEM file of the PKI, as DER */
static void
put_der (Folder     *f,
         const char *name,
         const char *from)
{
  g_autoptr(GBytes) pem = pki_bytes (from);
  g_autoptr(ZidX509Stack) certs = sk_X509_new_null ();
  unsigned char *der = NULL;
  int len;

  g_assert_true (zid_x509_read_certificates (g_bytes_get_data (pem, NULL), g_bytes_get_size (pem), certs));
  len = i2d_X509 (sk_X509_value (certs, 0), &der);
  g_assert_cmpint (len, >, 0);
  put (f, name, der, (gsize) len);
  OPENSSL_free (der);
}

static void
folder_setup (Folder        *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("zid-trust-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
folder_teardown (Folder        *f,
                 gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_remove (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static ZidTrustFolder *
load_ok (Folder *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *failed = NULL;
  ZidTrustFolder *trust = zid_trust_folder_load (f->dir, &failed, &error);

  g_assert_no_error (error);
  g_assert_nonnull (trust);
  g_assert_null (failed);
  return trust;
}

/* Fails closed: no folder, the file that failed named */
static void
assert_refused (Folder     *f,
                int         code,
                const char *file)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *failed = NULL;
  g_autofree char *expected = g_build_filename (f->dir, file, NULL);
  g_autoptr(ZidTrustFolder) trust = zid_trust_folder_load (f->dir, &failed, &error);

  g_assert_null (trust);
  g_assert_error (error, ZID_TRUST_ERROR, code);
  g_assert_cmpstr (failed, ==, expected);
}

static void
test_pem (Folder        *f,
          gconstpointer  data)
{
  g_autoptr(ZidTrustFolder) trust = NULL;
  g_autoptr(ZidX509Stack) sub = sk_X509_new_null ();
  g_autoptr(GBytes) pem = pki_bytes ("trust/sub.pem");
  g_autoptr(X509_STORE_CTX) ctx = X509_STORE_CTX_new ();

  put_pki (f, "root.pem", "trust/root.pem");
  put_pki (f, "sub.crt", "trust/sub.pem");
  put (f, "README", "Vertrouwde certificaten\n", 24);
  trust = load_ok (f);
  g_assert_cmpuint (trust->n_anchors, ==, 1);
  g_assert_cmpint (sk_X509_num (trust->intermediates), ==, 1);
  g_assert_cmpuint (trust->n_crls, ==, 0);

  /* The intermediate chains to the anchor */
  g_assert_true (zid_x509_read_certificates (g_bytes_get_data (pem, NULL), g_bytes_get_size (pem), sub));
  g_assert_true (zid_trust_folder_init_context (trust, ctx, sk_X509_value (sub, 0), NULL));
  g_assert_cmpint (X509_verify_cert (ctx), ==, 1);
}

static void
test_der (Folder        *f,
          gconstpointer  data)
{
  g_autoptr(ZidTrustFolder) trust = NULL;

  put_der (f, "root.der", "trust/root.pem");
  put_der (f, "sub", "trust/sub.pem");
  trust = load_ok (f);
  g_assert_cmpuint (trust->n_anchors, ==, 1);
  g_assert_cmpint (sk_X509_num (trust->intermediates), ==, 1);
}

static void
test_bundle (Folder        *f,
             gconstpointer  data)
{
  g_autoptr(ZidTrustFolder) trust = NULL;
  g_autoptr(GBytes) root = pki_bytes ("trust/root.pem");
  g_autoptr(GBytes) sub = pki_bytes ("trust/sub.pem");
  g_autoptr(GBytes) crl = pki_bytes ("crl/sub.crl.pem");
  g_autoptr(GString) bundle = g_string_new (NULL);

  g_string_append_len (bundle, g_bytes_get_data (root, NULL), (gssize) g_bytes_get_size (root));
  g_string_append_len (bundle, g_bytes_get_data (crl, NULL), (gssize) g_bytes_get_size (crl));
  g_string_append_len (bundle, g_bytes_get_data (sub, NULL), (gssize) g_bytes_get_size (sub));
  put (f, "register.pem", bundle->str, bundle->len);
  trust = load_ok (f);
  g_assert_cmpuint (trust->n_anchors, ==, 1);
  g_assert_cmpint (sk_X509_num (trust->intermediates), ==, 1);
  g_assert_cmpuint (trust->n_crls, ==, 1);
}

/* PEM and DER CRLs, a DER CRL under another name; CRLs switch the check on */
static void
test_crl (Folder        *f,
          gconstpointer  data)
{
  g_autoptr(ZidTrustFolder) trust = NULL;
  g_autoptr(X509_STORE_CTX) ctx = X509_STORE_CTX_new ();
  g_autoptr(ZidX509Stack) sub = sk_X509_new_null ();
  g_autoptr(GBytes) pem = pki_bytes ("trust/sub.pem");
  g_autofree char *sub_crl = g_build_filename (f->dir, "sub.crl", NULL);

  put_pki (f, "root.pem", "trust/root.pem");
  put_pki (f, "root.crl", "crl/root.crl.pem");
  put_pki (f, "sub.crl", "crl/sub.crl.der");
  trust = load_ok (f);
  g_assert_cmpuint (trust->n_crls, ==, 2);
  g_clear_pointer (&trust, zid_trust_folder_free);

  g_assert_cmpint (g_unlink (sub_crl), ==, 0);
  put_pki (f, "sub-crl.der", "crl/sub.crl.der");
  trust = load_ok (f);
  g_assert_cmpuint (trust->n_crls, ==, 2);

  g_assert_true (zid_x509_read_certificates (g_bytes_get_data (pem, NULL), g_bytes_get_size (pem), sub));
  g_assert_true (zid_trust_folder_init_context (trust, ctx, sk_X509_value (sub, 0), NULL));
  g_assert_true (X509_VERIFY_PARAM_get_flags (X509_STORE_CTX_get0_param (ctx)) & X509_V_FLAG_CRL_CHECK);
  g_assert_cmpint (X509_VERIFY_PARAM_get_auth_level (X509_STORE_CTX_get0_param (ctx)), ==, 2);
  g_assert_cmpint (X509_verify_cert (ctx), ==, 1);
}

typedef enum
{
  BAD_TRUNCATED_PEM,   /* a download cut off half-way */
  BAD_TRUNCATED_DER,
  BAD_GARBAGE,         /* not a CRL at all */
  BAD_EMPTY,
  BAD_CERT_AS_CRL,     /* a certificate under a CRL's name */
  BAD_BLOCK_IN_BUNDLE, /* a broken CRL block in a .pem */
  BAD_DANGLING_LINK,   /* cannot be read */
} Bad;

static void
test_malformed (Folder        *f,
                gconstpointer  data)
{
  Bad bad = GPOINTER_TO_INT (data);
  g_autoptr(GBytes) pem = pki_bytes ("crl/sub.crl.pem");
  g_autoptr(GBytes) der = pki_bytes ("crl/sub.crl.der");
  g_autoptr(GBytes) root = pki_bytes ("trust/root.pem");
  const char *file = "sub.crl";
  int code = ZID_TRUST_ERROR_CRL_INVALID;

  put_pki (f, "root.pem", "trust/root.pem");
  switch (bad)
    {
    case BAD_TRUNCATED_PEM:
      put (f, file, g_bytes_get_data (pem, NULL), g_bytes_get_size (pem) / 2);
      break;
    case BAD_TRUNCATED_DER:
      put (f, file, g_bytes_get_data (der, NULL), g_bytes_get_size (der) - 16);
      break;
    case BAD_GARBAGE:
      put (f, file, "no CRL here\n", 12);
      break;
    case BAD_EMPTY:
      put (f, file, "", 0);
      break;
    case BAD_CERT_AS_CRL:
      put_der (f, file, "trust/sub.pem");
      break;
    case BAD_BLOCK_IN_BUNDLE:
      {
        g_autoptr(GString) bundle = g_string_new_len (g_bytes_get_data (root, NULL),
                                                      (gssize) g_bytes_get_size (root));

        g_string_append_len (bundle, g_bytes_get_data (pem, NULL), (gssize) g_bytes_get_size (pem) - 40);
        file = "bundle.pem";
        put (f, file, bundle->str, bundle->len);
      }
      break;
    case BAD_DANGLING_LINK:
      {
        g_autofree char *link = g_build_filename (f->dir, file, NULL);

        g_assert_cmpint (symlink ("/nonexistent/sub.crl", link), ==, 0);
        code = ZID_TRUST_ERROR_CRL_UNREADABLE;
      }
      break;
    default:
      g_assert_not_reached ();
    }
  assert_refused (f, code, file);
}

static void
test_empty_and_missing (Folder        *f,
                        gconstpointer  data)
{
  g_autoptr(ZidTrustFolder) trust = load_ok (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = g_build_filename (f->dir, "missing", NULL);
  g_autofree char *failed = NULL;
  g_autoptr(ZidTrustFolder) none = NULL;
  g_autofree char *sub = g_build_filename (f->dir, "sub.crl.d", NULL);

  /* An empty folder loads, and trusts nothing */
  g_assert_cmpuint (trust->n_anchors, ==, 0);
  g_assert_cmpint (sk_X509_num (trust->intermediates), ==, 0);
  g_assert_cmpuint (trust->n_crls, ==, 0);

  none = zid_trust_folder_load (missing, &failed, &error);
  g_assert_null (none);
  g_assert_error (error, ZID_TRUST_ERROR, ZID_TRUST_ERROR_FOLDER);
  g_assert_cmpstr (failed, ==, missing);

  /* Subfolders are not read */
  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  g_clear_pointer (&trust, zid_trust_folder_free);
  trust = load_ok (f);
  g_rmdir (sub);
}

/* Several folders as one: the anchor of one validates with the
 * intermediate of another; a missing one is skipped only when asked */
static void
test_load_all (Folder        *f,
               gconstpointer  data)
{
  g_autofree char *a = g_build_filename (f->dir, "a", NULL);
  g_autofree char *b = g_build_filename (f->dir, "b", NULL);
  g_autofree char *missing = g_build_filename (f->dir, "missing", NULL);
  const char *dirs[] = { a, missing, b, NULL };
  g_autoptr(GBytes) root = pki_bytes ("trust/root.pem");
  g_autoptr(GBytes) sub = pki_bytes ("trust/sub.pem");
  g_autoptr(GError) error = NULL;
  g_autofree char *failed = NULL;
  g_autoptr(ZidTrustFolder) trust = NULL;
  g_autofree char *ra = g_build_filename (a, "root.pem", NULL);
  g_autofree char *sb = g_build_filename (b, "sub.pem", NULL);

  g_assert_cmpint (g_mkdir (a, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (b, 0700), ==, 0);
  g_assert_true (g_file_set_contents (ra, g_bytes_get_data (root, NULL), g_bytes_get_size (root), NULL));
  g_assert_true (g_file_set_contents (sb, g_bytes_get_data (sub, NULL), g_bytes_get_size (sub), NULL));

  trust = zid_trust_folder_load_all (dirs, ZID_TRUST_LOAD_NONE, &failed, &error);
  g_assert_null (trust);
  g_assert_error (error, ZID_TRUST_ERROR, ZID_TRUST_ERROR_FOLDER);
  g_assert_cmpstr (failed, ==, missing);
  g_clear_error (&error);

  trust = zid_trust_folder_load_all (dirs, ZID_TRUST_LOAD_SKIP_MISSING, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (trust->n_anchors, ==, 1);
  g_assert_cmpint (sk_X509_num (trust->intermediates), ==, 1);

  g_remove (ra);
  g_remove (sb);
  g_rmdir (a);
  g_rmdir (b);
}

static void
test_builtin_dir (void)
{
  g_autofree char *saved = g_strdup (g_getenv ("ZID_BUILTIN_TRUST_DIR"));
  g_autofree char *from_env = NULL;
  g_autofree char *installed = NULL;

  g_setenv ("ZID_BUILTIN_TRUST_DIR", "/src/data/trust", TRUE);
  from_env = zid_trust_builtin_dir ("acceptatie", "uzi");
  g_assert_cmpstr (from_env, ==, "/src/data/trust/acceptatie/uzi");
  g_unsetenv ("ZID_BUILTIN_TRUST_DIR");
  installed = zid_trust_builtin_dir ("productie", "operator");
  g_assert_true (g_str_has_suffix (installed, "/zorgid-portaal/trust/productie/operator"));
  if (saved != NULL)
    g_setenv ("ZID_BUILTIN_TRUST_DIR", saved, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  static const struct { const char *name; Bad bad; } bad[] = {
    { "truncated-pem", BAD_TRUNCATED_PEM },
    { "truncated-der", BAD_TRUNCATED_DER },
    { "garbage", BAD_GARBAGE },
    { "empty", BAD_EMPTY },
    { "certificate-as-crl", BAD_CERT_AS_CRL },
    { "broken-block-in-bundle", BAD_BLOCK_IN_BUNDLE },
    { "dangling-link", BAD_DANGLING_LINK },
  };

  g_test_init (&argc, &argv, NULL);

  pki = g_getenv ("ZID_TEST_PKI");
  if (pki == NULL)
    {
      g_printerr ("run through meson test\n");
      return 77;
    }

  g_test_add ("/trust/pem", Folder, NULL, folder_setup, test_pem, folder_teardown);
  g_test_add ("/trust/der", Folder, NULL, folder_setup, test_der, folder_teardown);
  g_test_add ("/trust/bundle", Folder, NULL, folder_setup, test_bundle, folder_teardown);
  g_test_add ("/trust/crl", Folder, NULL, folder_setup, test_crl, folder_teardown);
  g_test_add ("/trust/empty-and-missing", Folder, NULL, folder_setup, test_empty_and_missing,
              folder_teardown);
  g_test_add ("/trust/load-all", Folder, NULL, folder_setup, test_load_all, folder_teardown);
  g_test_add_func ("/trust/builtin-dir", test_builtin_dir);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *path = g_strdup_printf ("/trust/fail-closed/%s", bad[i].name);
      g_test_add (path, Folder, GINT_TO_POINTER (bad[i].bad), folder_setup, test_malformed,
                  folder_teardown);
    }
  return g_test_run ();
}
