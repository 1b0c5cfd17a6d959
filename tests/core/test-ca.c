/* The local CA: a mobile-ID certificate for any name the portal accepts */
#include <locale.h>
#include <glib.h>
#include <string.h>
#include <time.h>
#include <utime.h>
#include <glib/gstdio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "zid-ca-private.h"

/* A phone's request: a fresh P-256 key, signed with it */
static char *
make_csr (void)
{
  EVP_PKEY *key = EVP_EC_gen ("P-256");
  X509_REQ *req = X509_REQ_new ();
  BIO *bio = BIO_new (BIO_s_mem ());
  char *data;
  long len;
  char *pem;

  g_assert_nonnull (key);
  X509_REQ_set_pubkey (req, key);
  g_assert_cmpint (X509_REQ_sign (req, key, EVP_sha256 ()), >, 0);
  PEM_write_bio_X509_REQ (bio, req);
  len = BIO_get_mem_data (bio, &data);
  pem = g_strndup (data, len);
  BIO_free (bio);
  X509_REQ_free (req);
  EVP_PKEY_free (key);
  return pem;
}

static char *
issued_common_name (ZidCa      *ca,
                    const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *csr = make_csr ();
  g_autoptr(ZidCaRequest) request = zid_ca_check_request (csr, &error);
  g_autofree char *serial = NULL;
  g_autofree char *pem = NULL;
  gint64 not_before, not_after;
  unsigned char *utf8 = NULL;
  X509 *cert;
  BIO *bio;
  char *cn;
  int index;

  g_assert_no_error (error);
  pem = zid_ca_issue_mobile (ca, request, name, 42, g_get_real_time () / G_USEC_PER_SEC,
                             &serial, &not_before, &not_after, &error);
  g_assert_no_error (error);
  g_assert_nonnull (pem);

  bio = BIO_new_mem_buf (pem, -1);
  cert = PEM_read_bio_X509 (bio, NULL, NULL, NULL);
  g_assert_nonnull (cert);
  index = X509_NAME_get_index_by_NID (X509_get_subject_name (cert), NID_commonName, -1);
  g_assert_cmpint (index, >=, 0);
  g_assert_cmpint (ASN1_STRING_to_UTF8 (&utf8, X509_NAME_ENTRY_get_data (
    X509_NAME_get_entry (X509_get_subject_name (cert), index))), >, 0);
  cn = g_strdup ((char *) utf8);
  OPENSSL_free (utf8);
  X509_free (cert);
  BIO_free (bio);
  return cn;
}

static void
test_common_name (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("zid-ca-XXXXXX", &error);
  g_autofree char *ca_dir = g_build_filename (dir, "ca", NULL);
  g_autoptr(ZidCa) ca = NULL;
  g_autoptr(GString) longest = g_string_new (NULL);
  g_autoptr(GString) accented = g_string_new (NULL);
  g_autofree char *cn = NULL;
  g_autofree char *rm = NULL;

  ca = zid_ca_open (ca_dir, "acceptatie", g_get_real_time () / G_USEC_PER_SEC, NULL, &error);
  g_assert_no_error (error);

  cn = issued_common_name (ca, "Anna de Vries");
  g_assert_cmpstr (cn, ==, "Anna de Vries");
  g_clear_pointer (&cn, g_free);

  /* the longest names the portal accepts: 200 characters each */
  for (int i = 0; i < 200; i++)
    g_string_append_c (longest, 'a' + i % 26);
  g_string_append_c (longest, ' ');
  for (int i = 0; i < 200; i++)
    g_string_append_c (longest, 'A' + i % 26);
  cn = issued_common_name (ca, longest->str);
  g_assert_cmpint (g_utf8_strlen (cn, -1), ==, CN_MAX_CHARS);
  g_assert_true (g_str_has_suffix (cn, "…"));
  g_assert_true (strncmp (cn, longest->str, CN_MAX_CHARS - 1) == 0);
  g_clear_pointer (&cn, g_free);

  /* cut between characters, never inside one */
  for (int i = 0; i < 40; i++)
    g_string_append (accented, "Zoë ");
  cn = issued_common_name (ca, accented->str);
  g_assert_true (g_utf8_validate (cn, -1, NULL));
  g_assert_cmpint (g_utf8_strlen (cn, -1), <=, CN_MAX_CHARS);
  g_assert_true (g_str_has_suffix (cn, "Zoë…"));

  zid_ca_free (g_steal_pointer (&ca));
  rm = g_strdup_printf ("rm -rf '%s'", dir);
  g_assert_true (g_spawn_command_line_sync (rm, NULL, NULL, NULL, NULL));
}

static int
file_mode (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_lstat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

/* The CA key made private again, and what a process killed while making
 * the CA left behind cleared away, when the CA is opened */
static void
test_open_repairs (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("zid-ca-XXXXXX", &error);
  g_autofree char *ca_dir = g_build_filename (dir, "ca", NULL);
  g_autofree char *key = g_build_filename (ca_dir, "key.pem", NULL);
  g_autofree char *stale = g_build_filename (dir, "ca.tmp-AbC123", NULL);
  g_autofree char *stale_key = g_build_filename (stale, "key.pem", NULL);
  g_autofree char *fresh = g_build_filename (dir, "ca.tmp-XyZ789", NULL);
  g_autofree char *other = g_build_filename (dir, "cab.tmp-AbC123", NULL);
  g_autofree char *rm = NULL;
  struct utimbuf old = { .actime = time (NULL) - 120, .modtime = time (NULL) - 120 };
  ZidCa *ca;

  ca = zid_ca_open (ca_dir, "acceptatie", g_get_real_time () / G_USEC_PER_SEC, NULL, &error);
  g_assert_no_error (error);
  zid_ca_free (ca);
  g_assert_cmpint (file_mode (key), ==, 0600);

  g_assert_cmpint (g_chmod (key, 0644), ==, 0);
  g_assert_cmpint (g_mkdir (stale, 0700), ==, 0);
  g_assert_true (g_file_set_contents (stale_key, "secret", -1, NULL));
  g_assert_cmpint (utime (stale, &old), ==, 0);
  g_assert_cmpint (g_mkdir (fresh, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (other, 0700), ==, 0);
  g_assert_cmpint (utime (other, &old), ==, 0);

  ca = zid_ca_open (ca_dir, "acceptatie", g_get_real_time () / G_USEC_PER_SEC, NULL, &error);
  g_assert_no_error (error);
  zid_ca_free (ca);
  g_assert_cmpint (file_mode (key), ==, 0600);
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  /* one being made right now, and what is not ours, stay */
  g_assert_true (g_file_test (fresh, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (other, G_FILE_TEST_IS_DIR));

  rm = g_strdup_printf ("rm -rf '%s'", dir);
  g_assert_true (g_spawn_command_line_sync (rm, NULL, NULL, NULL, NULL));
}

int
main (int argc, char **argv)
{
  /* messages in the language of the environment (LANGUAGE=nl) */
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ca/common-name", test_common_name);
  g_test_add_func ("/ca/open-repairs", test_open_repairs);
  return g_test_run ();
}
