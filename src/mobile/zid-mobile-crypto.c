/* zid-mobile-crypto.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "zid-mobile.h"
#include "zid-mobile-crypto.h"

/* scrypt cost: 16 MiB (OpenSSL refuses more than 32 MiB by default) */
#define SCRYPT_N (1 << 14)
#define SCRYPT_R 8
#define SCRYPT_P 1

static gboolean
crypto_error (GError     **error,
              const char  *what)
{
  char buf[256];
  unsigned long e = ERR_get_error ();

  ERR_error_string_n (e, buf, sizeof buf);
  ERR_clear_error ();
  g_set_error (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_FAILED, "%s (%s)", what, buf);
  return FALSE;
}

static char *
bio_to_string (BIO *bio)
{
  char *data = NULL;
  long len = BIO_get_mem_data (bio, &data);

  return g_strndup (data, len);
}

EVP_PKEY *
zid_mobile_key_generate (GError **error)
{
  EVP_PKEY *key = EVP_EC_gen ("P-256");

  if (key == NULL)
    crypto_error (error, _("Cannot make a key"));
  return key;
}

char *
zid_mobile_key_encrypt (EVP_PKEY    *key,
                        const char  *pin,
                        GError     **error)
{
  PKCS8_PRIV_KEY_INFO *p8 = NULL;
  X509_ALGOR *pbe = NULL;
  X509_SIG *sig = NULL;
  BIO *bio = NULL;
  char *result = NULL;

  p8 = EVP_PKEY2PKCS8 (key);
  if (p8 != NULL)
    pbe = PKCS5_pbe2_set_scrypt (EVP_aes_256_cbc (), NULL, 0, NULL, SCRYPT_N, SCRYPT_R, SCRYPT_P);
  if (pbe != NULL)
    {
      sig = PKCS8_set0_pbe (pin, strlen (pin), p8, pbe);
      if (sig != NULL)
        pbe = NULL;  /* owned by @sig now */
    }
  if (sig != NULL && (bio = BIO_new (BIO_s_mem ())) != NULL && PEM_write_bio_PKCS8 (bio, sig))
    result = bio_to_string (bio);
  else
    crypto_error (error, _("Cannot encrypt the key"));

  BIO_free (bio);
  X509_SIG_free (sig);
  X509_ALGOR_free (pbe);
  PKCS8_PRIV_KEY_INFO_free (p8);
  return result;
}

EVP_PKEY *
zid_mobile_key_decrypt (const char  *pem,
                        const char  *pin,
                        GError     **error)
{
  BIO *bio;
  EVP_PKEY *key;
  EVP_PKEY_CTX *check;
  gboolean whole;

  /* a key stored in the clear would open with any PIN */
  if (pem == NULL || !g_str_has_prefix (pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----"))
    {
      g_set_error_literal (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_INPUT,
                           _("The key of this ID is not stored encrypted; enrol it again"));
      return NULL;
    }
  bio = BIO_new_mem_buf (pem, -1);
  key = PEM_read_bio_PrivateKey (bio, NULL, NULL, (void *) pin);
  BIO_free (bio);
  if (key == NULL)
    {
      ERR_clear_error ();
      g_set_error_literal (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_INPUT,
                           _("Wrong PIN: the key of this ID does not open with it"));
      return NULL;
    }
  /* CBC carries no MAC: a changed byte may still decrypt, to a broken key */
  check = EVP_PKEY_CTX_new_from_pkey (NULL, key, NULL);
  whole = check != NULL && EVP_PKEY_pairwise_check (check) == 1;
  EVP_PKEY_CTX_free (check);
  if (!whole)
    {
      ERR_clear_error ();
      EVP_PKEY_free (key);
      g_set_error_literal (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_INPUT,
                           _("The key of this ID is damaged; enrol it again"));
      return NULL;
    }
  return key;
}

char *
zid_mobile_csr_new (EVP_PKEY  *key,
                    GError   **error)
{
  X509_REQ *req = X509_REQ_new ();
  X509_NAME *name = X509_NAME_new ();
  BIO *bio = NULL;
  char *result = NULL;

  if (req != NULL && name != NULL &&
      X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_UTF8,
                                  (const unsigned char *) "zorgid-mobile", -1, -1, 0) &&
      X509_REQ_set_version (req, 0) &&
      X509_REQ_set_subject_name (req, name) &&
      X509_REQ_set_pubkey (req, key) &&
      X509_REQ_sign (req, key, EVP_sha256 ()) > 0 &&
      (bio = BIO_new (BIO_s_mem ())) != NULL &&
      PEM_write_bio_X509_REQ (bio, req))
    result = bio_to_string (bio);
  else
    crypto_error (error, _("Cannot make the certificate request"));

  BIO_free (bio);
  X509_NAME_free (name);
  X509_REQ_free (req);
  return result;
}

char *
zid_mobile_sign_login (EVP_PKEY    *key,
                       const char  *pin,
                       const char  *session,
                       const char  *challenge,
                       GError     **error)
{
  g_autofree char *message = g_strconcat ("zorgid-login-v2\n", pin, "\n", session, "\n", challenge, NULL);
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
  guchar sig[128];
  size_t sig_len = sizeof sig;
  char *result = NULL;

  if (ctx != NULL &&
      EVP_DigestSignInit (ctx, NULL, EVP_sha256 (), NULL, key) == 1 &&
      EVP_DigestSign (ctx, sig, &sig_len, (const guchar *) message, strlen (message)) == 1)
    result = g_base64_encode (sig, sig_len);
  else
    crypto_error (error, _("Cannot sign the login"));

  EVP_MD_CTX_free (ctx);
  return result;
}

static STACK_OF(X509) *
read_chain (const char *pem)
{
  STACK_OF(X509) *chain = sk_X509_new_null ();
  BIO *bio = BIO_new_mem_buf (pem, -1);
  X509 *cert;

  while ((cert = PEM_read_bio_X509 (bio, NULL, NULL, NULL)) != NULL)
    sk_X509_push (chain, cert);
  ERR_clear_error ();
  BIO_free (bio);
  return chain;
}

static gint64
asn1_time_to_unix (const ASN1_TIME *t)
{
  struct tm tm;

  if (ASN1_TIME_to_tm (t, &tm) != 1)
    return 0;
  return (gint64) timegm (&tm);
}

gboolean
zid_mobile_check_certificate (const char  *cert_pem,
                              const char  *chain_pem,
                              EVP_PKEY    *key,
                              char       **serial,
                              gint64      *not_after,
                              GError     **error)
{
  STACK_OF(X509) *chain = read_chain (chain_pem);
  STACK_OF(X509) *leaf_stack = read_chain (cert_pem);
  X509_STORE *store = X509_STORE_new ();
  X509_STORE_CTX *ctx = X509_STORE_CTX_new ();
  X509 *cert = sk_X509_num (leaf_stack) == 1 ? sk_X509_value (leaf_stack, 0) : NULL;
  STACK_OF(X509) *untrusted = sk_X509_new_null ();
  gboolean ok = FALSE;
  int root_index = sk_X509_num (chain) - 1;

  if (cert == NULL || root_index < 0)
    {
      g_set_error_literal (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_REFUSED,
                           _("The service sent no usable certificate or chain"));
      goto out;
    }
  if (EVP_PKEY_eq (X509_get0_pubkey (cert), key) != 1)
    {
      g_set_error_literal (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_REFUSED,
                           _("The certificate the service sent is not for this phone's key"));
      goto out;
    }

  /* The last certificate of the chain is the root: trust it for this check */
  X509_STORE_add_cert (store, sk_X509_value (chain, root_index));
  for (int i = 0; i < root_index; i++)
    sk_X509_push (untrusted, sk_X509_value (chain, i));
  if (!X509_STORE_CTX_init (ctx, store, cert, untrusted) || X509_verify_cert (ctx) != 1)
    {
      g_set_error (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_REFUSED,
                   _("The certificate does not chain to the service's CA: %s"),
                   X509_verify_cert_error_string (X509_STORE_CTX_get_error (ctx)));
      goto out;
    }

  if (serial != NULL)
    {
      BIGNUM *bn = ASN1_INTEGER_to_BN (X509_get0_serialNumber (cert), NULL);
      char *hex = bn ? BN_bn2hex (bn) : NULL;

      *serial = g_ascii_strdown (hex ? hex : "", -1);
      OPENSSL_free (hex);
      BN_free (bn);
    }
  if (not_after != NULL)
    *not_after = asn1_time_to_unix (X509_get0_notAfter (cert));
  ok = TRUE;

out:
  ERR_clear_error ();
  sk_X509_free (untrusted);
  X509_STORE_CTX_free (ctx);
  X509_STORE_free (store);
  sk_X509_pop_free (chain, X509_free);
  sk_X509_pop_free (leaf_stack, X509_free);
  return ok;
}

char *
zid_mobile_pin_for_der (const guint8 *der,
                        gsize         len)
{
  guint8 digest[SHA256_DIGEST_LENGTH];
  g_autofree char *b64 = NULL;
  char *p;

  SHA256 (der, len, digest);
  b64 = g_base64_encode (digest, sizeof digest);
  for (p = b64; *p; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        {
          *p = '\0';
          break;
        }
    }
  return g_steal_pointer (&b64);
}
