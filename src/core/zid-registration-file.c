/* zid-registration-file.c — the operator's signed registration file
 *
 * Order of the checks (docs/registration-file.md §4): envelope, signature
 * over the content, trust folder (a CRL file that cannot be read is an
 * error, never skipped), the signer's chain at the portal's time (and the
 * CRL of its CA when the folder holds CRLs), the signer's profile
 * (end-entity, key type and size, key usages), then the JSON. Nothing is
 * parsed as a registration before its signature verified.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-core"

#include "config.h"

#include <errno.h>
/* pem.h first: cms.h declares PEM_read_bio_CMS only after it */
#include <openssl/pem.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "zid-backend.h"
#include "zid-error.h"
#include "zid-file.h"
#include "zid-i18n.h"
#include "zid-openssl.h"
#include "zid-registration-file.h"
#include "zid-trust-store.h"
#include "zid-trust.h"

#define OID_DOCUMENT_SIGNING "1.3.6.1.5.5.7.3.36"
#define MIN_RSA_BITS         2048
#define MIN_EC_BITS          256

static gboolean
refuse (GError     **error,
        int          code,
        const char  *format,
        ...) G_GNUC_PRINTF (3, 4);

static gboolean
refuse (GError     **error,
        int          code,
        const char  *format,
        ...)
{
  va_list args;

  /* OpenSSL's error queue is per thread: leave nothing behind for the next caller */
  ERR_clear_error ();
  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (ZID_ERROR, code, format, args));
  va_end (args);
  return FALSE;
}

char *
zid_registration_file_default_trust_dir (const char *data_dir)
{
  const char *env = g_getenv ("ZID_OPERATOR_TRUST_DIR");

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  return NULL;
}

/* Where the operator's anchors are: the one folder given (an override),
 * else the environment's trust store (built-in and added, missing folders
 * holding nothing). @where: how the refusals name it. */
typedef struct
{
  char     **dirs;
  gboolean   store;
  char      *where;
} TrustSource;

static void
trust_source_clear (TrustSource *t)
{
  g_clear_pointer (&t->dirs, g_strfreev);
  g_clear_pointer (&t->where, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TrustSource, trust_source_clear)

static void
trust_source_init (TrustSource *t,
                   ZidPortal   *portal,
                   const char  *trust_dir)
{
  g_autofree char *override = trust_dir != NULL ? g_strdup (trust_dir)
                                                : zid_registration_file_default_trust_dir (NULL);

  if (override != NULL || portal == NULL)
    {
      t->dirs = g_new0 (char *, 2);
      t->dirs[0] = g_strdup (override != NULL ? override : "");
      t->store = FALSE;
      t->where = g_steal_pointer (&override);
      return;
    }
  t->dirs = zid_trust_store_dirs (zid_portal_get_data_dir (portal),
                                  zid_portal_get_environment (portal), ZID_TRUST_KIND_OPERATOR);
  t->store = TRUE;
  t->where = g_strdup (_("the trusted signers of registration files for this environment"));
}

/* --- certificates ---------------------------------------------------------- */

static char *
name_to_string (const X509_NAME *name)
{
  g_autoptr(BIO) bio = BIO_new (BIO_s_mem ());
  char *data = NULL;
  long len;

  if (bio == NULL ||
      X509_NAME_print_ex (bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0)
    return g_strdup ("?");
  len = BIO_get_mem_data (bio, &data);
  return g_utf8_make_valid (data, len);
}

static char *
asn1_time_to_string (const ASN1_TIME *t)
{
  struct tm tm;
  g_autoptr(GDateTime) dt = NULL;

  if (t == NULL || !ASN1_TIME_to_tm (t, &tm))
    return g_strdup ("?");
  dt = g_date_time_new_utc (tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                            tm.tm_hour, tm.tm_min, tm.tm_sec);
  return dt ? g_date_time_format (dt, "%Y-%m-%d %H:%M UTC") : g_strdup ("?");
}

/* The operator trust folder (zid-trust.h), its failures in our words */
static ZidTrustFolder *
load_trust (const TrustSource  *source,
            GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *failed = NULL;
  g_autofree char *base = NULL;
  g_autofree char *dir = NULL;
  const char *trust_dir = source->where;
  ZidTrustFolder *folder;

  folder = zid_trust_folder_load_all ((const char * const *) source->dirs,
                                      source->store ? ZID_TRUST_LOAD_SKIP_MISSING : ZID_TRUST_LOAD_NONE,
                                      &failed, &local_error);
  if (folder != NULL)
    return folder;
  if (g_error_matches (local_error, ZID_TRUST_ERROR, ZID_TRUST_ERROR_FOLDER))
    refuse (error, ZID_ERROR_IO,
            _("The folder with the trusted certificates of the managing organisation (%s) cannot "
              "be read: %s. Give the folder with --trust or ZID_OPERATOR_TRUST_DIR"),
            trust_dir, local_error->message);
  else if (g_error_matches (local_error, ZID_TRUST_ERROR, ZID_TRUST_ERROR_CRL_UNREADABLE))
    {
      /* A CRL that cannot be read would switch revocation off */
      base = g_path_get_basename (failed);
      refuse (error, ZID_ERROR_IO,
              _("The file “%s” in the trust folder %s cannot be read: %s; put the current CRL of "
                "the register’s manager in that folder"),
              base, trust_dir, local_error->message);
    }
  else if (g_error_matches (local_error, ZID_TRUST_ERROR, ZID_TRUST_ERROR_CRL_INVALID))
    {
      base = g_path_get_basename (failed);
      dir = g_path_get_dirname (failed);
      refuse (error, ZID_ERROR_CERTIFICATE_INVALID,
              _("The file “%s” in the trust folder %s is not a readable CRL; fetch the CRL again "
                "from the register’s manager"), base, dir);
    }
  else
    refuse (error, ZID_ERROR_CRYPTO, "%s", local_error->message);
  return NULL;
}

static gboolean
check_signer_usage (X509    *signer,
                    GError **error)
{
  g_autofree char *subject = name_to_string (X509_get_subject_name (signer));
  uint32_t flags = X509_get_extension_flags (signer);
  EVP_PKEY *key = X509_get0_pubkey (signer);
  EXTENDED_KEY_USAGE *eku;
  gboolean ok = FALSE;

  /* An end-entity certificate: a CA (or a v1 root) signs certificates, not
   * files. X509_check_ca says 0 for CA:TRUE when keyUsage lacks keyCertSign;
   * the docs ask for CA:FALSE, so the flag itself counts as well */
  if (X509_check_ca (signer) != 0 || (flags & EXFLAG_CA))
    return refuse (error, ZID_ERROR_CERTIFICATE_INVALID,
                   _("The signer’s certificate (%s) is a CA certificate (basicConstraints "
                     "CA:TRUE); a registration is signed with the signing certificate of the "
                     "managing organisation, not with a CA"), subject);

  /* RSA of at least 2048 bits or ECDSA of at least 256 (§1); nothing else */
  if (key == NULL ||
      !((EVP_PKEY_is_a (key, "EC") && EVP_PKEY_get_bits (key) >= MIN_EC_BITS) ||
        ((EVP_PKEY_is_a (key, "RSA") || EVP_PKEY_is_a (key, "RSA-PSS")) &&
         EVP_PKEY_get_bits (key) >= MIN_RSA_BITS)))
    return refuse (error, ZID_ERROR_CERTIFICATE_INVALID,
                   _("The signer’s key (%s) is too weak or of an unknown type (%s, %d bits); "
                     "expected RSA of at least %d bits or ECDSA of at least %d bits (P-256 or "
                     "larger)"), subject,
                   key != NULL && EVP_PKEY_get0_type_name (key) != NULL
                     ? EVP_PKEY_get0_type_name (key) : _("unknown"),
                   key != NULL ? EVP_PKEY_get_bits (key) : 0, MIN_RSA_BITS, MIN_EC_BITS);

  if (!(flags & EXFLAG_KUSAGE) ||
      !(X509_get_key_usage (signer) & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)))
    return refuse (error, ZID_ERROR_CERTIFICATE_INVALID,
                   _("The signer’s certificate (%s) is not meant for signing: keyUsage lacks "
                     "digitalSignature or nonRepudiation"), subject);

  eku = X509_get_ext_d2i (signer, NID_ext_key_usage, NULL, NULL);
  for (int i = 0; eku != NULL && i < sk_ASN1_OBJECT_num (eku); i++)
    {
      ASN1_OBJECT *obj = sk_ASN1_OBJECT_value (eku, i);
      char oid[80];

      if (OBJ_obj2nid (obj) == NID_email_protect ||
          (OBJ_obj2txt (oid, sizeof oid, obj, 1) > 0 && g_str_equal (oid, OID_DOCUMENT_SIGNING)))
        ok = TRUE;
    }
  EXTENDED_KEY_USAGE_free (eku);
  if (!ok)
    return refuse (error, ZID_ERROR_CERTIFICATE_INVALID,
                   _("The signer’s certificate (%s) is not meant for signing registrations: "
                     "extendedKeyUsage lacks documentSigning or emailProtection"),
                   subject);
  return TRUE;
}

/* The root the file's own certificates chain @signer to, when that chain
 * verifies with it as anchor (signatures, validity at @now, strength);
 * NULL otherwise. Nothing is trusted by this. */
static X509 *
find_unknown_root (X509           *signer,
                   ZidX509Stack   *extra,
                   ZidTrustFolder *folder,
                   GDateTime      *at)
{
  g_autoptr(X509_STORE) store = X509_STORE_new ();
  g_autoptr(X509_STORE_CTX) ctx = X509_STORE_CTX_new ();
  g_autoptr(ZidX509Stack) untrusted = sk_X509_new_null ();
  X509_VERIFY_PARAM *param;
  STACK_OF (X509) *chain;
  X509 *root = NULL;
  guint n = 0;

  if (store == NULL || ctx == NULL || untrusted == NULL)
    return NULL;
  for (int i = 0; extra != NULL && i < sk_X509_num (extra); i++)
    {
      X509 *c = sk_X509_value (extra, i);

      X509_up_ref (c);
      sk_X509_push (untrusted, c);
      if (X509_self_signed (c, 1) == 1)
        n += X509_STORE_add_cert (store, c) == 1;
    }
  for (int i = 0; i < sk_X509_num (folder->intermediates); i++)
    {
      X509 *c = sk_X509_value (folder->intermediates, i);

      X509_up_ref (c);
      sk_X509_push (untrusted, c);
    }
  if (n > 0 && X509_STORE_CTX_init (ctx, store, signer, untrusted) == 1)
    {
      param = X509_STORE_CTX_get0_param (ctx);
      X509_VERIFY_PARAM_set_auth_level (param, 2);
      X509_VERIFY_PARAM_set_time (param, (time_t) g_date_time_to_unix (at));
      if (X509_verify_cert (ctx) == 1 && (chain = X509_STORE_CTX_get0_chain (ctx)) != NULL)
        {
          root = sk_X509_value (chain, sk_X509_num (chain) - 1);
          X509_up_ref (root);
        }
    }
  ERR_clear_error ();
  return root;
}

/* @unknown_root (nullable): when the chain ends at a root the trust does
 * not hold but the file carries, TRUE with that root instead of the
 * refusal */
static gboolean
verify_chain (X509               *signer,
              ZidX509Stack       *extra,
              const TrustSource  *source,
              gint64              now,
              X509              **unknown_root,
              GError            **error)
{
  g_autoptr(ZidTrustFolder) folder = NULL;
  g_autoptr(X509_STORE_CTX) ctx = X509_STORE_CTX_new ();
  g_autoptr(GDateTime) at = g_date_time_new_from_unix_utc (now);
  g_autofree char *subject = name_to_string (X509_get_subject_name (signer));
  const char *trust_dir = source->where;
  X509 *current;
  int err;

  if (ctx == NULL || at == NULL)
    return refuse (error, ZID_ERROR_CRYPTO, _("Out of memory for the certificate check"));
  if ((folder = load_trust (source, error)) == NULL)
    return FALSE;
  if (folder->n_anchors == 0)
    {
      if (unknown_root != NULL && (*unknown_root = find_unknown_root (signer, extra, folder, at)) != NULL)
        return TRUE;
      if (source->store)
        return refuse (error, ZID_ERROR_CERTIFICATE_INVALID,
                       _("The signer (%s) is not trusted: no root certificate of the managing "
                         "organisation is trusted for this environment yet. Add it (Preferences, "
                         "or zorgid-admin trust add --kind operator FILE) after comparing its "
                         "fingerprint with VZVZ"), subject);
      return refuse (error, ZID_ERROR_CERTIFICATE_INVALID,
                     _("The signer (%s) is not trusted: the folder %s holds no root certificate "
                       "of the managing organisation"), subject, trust_dir);
    }
  for (int i = 0; extra != NULL && i < sk_X509_num (extra); i++)
    zid_trust_folder_add_untrusted (folder, sk_X509_value (extra, i));

  if (!zid_trust_folder_init_context (folder, ctx, signer, at))
    return refuse (error, ZID_ERROR_CRYPTO, _("The certificate check cannot start"));

  if (X509_verify_cert (ctx) == 1)
    {
      ERR_clear_error ();
      return TRUE;
    }

  err = X509_STORE_CTX_get_error (ctx);
  current = X509_STORE_CTX_get_current_cert (ctx);
  {
    g_autofree char *issuer = current != NULL && X509_cmp (current, signer) != 0
      ? name_to_string (X509_get_subject_name (current)) : NULL;
    g_autofree char *who = issuer != NULL
      ? g_strdup_printf (_("the certificate of the issuer %s"), issuer)
      : g_strdup_printf (_("the signer’s certificate (%s)"), subject);
    g_autofree char *not_after = NULL;
    g_autofree char *not_before = NULL;

    switch (err)
      {
      case X509_V_ERR_CERT_HAS_EXPIRED:
        not_after = asn1_time_to_string (X509_get0_notAfter (current ? current : signer));
        return refuse (error, ZID_ERROR_CERTIFICATE_INVALID,
                       _("The registration file is signed with an expired certificate: %s "
                         "expired on %s. Ask VZVZ for a newly signed file"),
                       who, not_after);
      case X509_V_ERR_CERT_NOT_YET_VALID:
        not_before = asn1_time_to_string (X509_get0_notBefore (current ? current : signer));
        return refuse (error, ZID_ERROR_CERTIFICATE_INVALID,
                       _("The registration file is signed with a certificate that is not valid "
                         "yet: %s is valid from %s"), who, not_before);
      case X509_V_ERR_CERT_REVOKED:
        return refuse (error, ZID_ERROR_CERTIFICATE_INVALID,
                       _("The registration file is signed with a revoked certificate: %s is on "
                         "the revocation list (CRL) in %s. Ask VZVZ for a newly signed file"),
                       who, trust_dir);
      case X509_V_ERR_CRL_HAS_EXPIRED:
      case X509_V_ERR_CRL_NOT_YET_VALID:
        return refuse (error, ZID_ERROR_CERTIFICATE_INVALID,
                       _("The revocation list (CRL) of the managing organisation in %s is %s; "
                         "put the current CRL of VZVZ in that folder and try again"), trust_dir,
                       err == X509_V_ERR_CRL_HAS_EXPIRED ? _("expired") : _("not valid yet"));
      case X509_V_ERR_UNABLE_TO_GET_CRL:
        {
          g_autofree char *crl_issuer = name_to_string (X509_get_issuer_name (current ? current : signer));

          return refuse (error, ZID_ERROR_CERTIFICATE_INVALID,
                         _("%s holds a revocation list (CRL), but not the one of %s; put the "
                           "current CRL of VZVZ in that folder and try again"),
                         trust_dir, crl_issuer);
        }
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
      case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      case X509_V_ERR_CERT_UNTRUSTED:
        if (unknown_root != NULL &&
            (*unknown_root = find_unknown_root (signer, extra, folder, at)) != NULL)
          return TRUE;
        return refuse (error, ZID_ERROR_CERTIFICATE_INVALID,
                       _("The signer of the registration file (%s) is not trusted: its "
                         "certificate was not issued by a managing organisation from %s"),
                       subject, trust_dir);
      default:
        return refuse (error, ZID_ERROR_CERTIFICATE_INVALID,
                       _("%s is invalid: %s"), who, X509_verify_cert_error_string (err));
      }
  }
}

/* --- the envelope ---------------------------------------------------------- */

static gboolean
looks_like_json (const guint8 *data,
                 gsize         len)
{
  gsize i = 0;

  if (len >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    i = 3;
  while (i < len && g_ascii_isspace (data[i]))
    i++;
  return i < len && (data[i] == '{' || data[i] == '[');
}

static CMS_ContentInfo *
load_cms (const guint8  *data,
          gsize          len,
          GError       **error)
{
  g_autoptr(BIO) bio = NULL;
  CMS_ContentInfo *cms;
  gboolean pem;
  gsize rest;

  if (len > ZID_REGISTRATION_FILE_MAX_SIZE)
    {
      refuse (error, ZID_ERROR_INVALID_INPUT,
              _("The registration file is too large (%zu bytes; at most %d)"),
              len, ZID_REGISTRATION_FILE_MAX_SIZE);
      return NULL;
    }
  if (len == 0)
    {
      refuse (error, ZID_ERROR_INVALID_INPUT, _("The registration file is empty"));
      return NULL;
    }
  if (looks_like_json (data, len))
    {
      refuse (error, ZID_ERROR_SIGNATURE_INVALID,
              _("The registration file is not signed: it is a bare JSON document. Only "
                "registrations with the signature of VZVZ are imported"));
      return NULL;
    }

  bio = BIO_new_mem_buf (data, (int) len);
  if (bio == NULL)
    {
      refuse (error, ZID_ERROR_CRYPTO, _("Out of memory"));
      return NULL;
    }
  pem = memmem (data, len, "-----BEGIN", 10) != NULL;
  if (pem)
    cms = PEM_read_bio_CMS (bio, NULL, NULL, NULL);
  else
    cms = d2i_CMS_bio (bio, NULL);
  if (cms == NULL)
    {
      refuse (error, ZID_ERROR_INVALID_INPUT,
              _("This is not a signed registration file (expected CMS/PKCS#7, DER or PEM)"));
      return NULL;
    }
  /* one CMS and nothing after it (for PEM: white space only) */
  rest = (gsize) BIO_pending (bio);
  for (gsize i = len - MIN (rest, len); pem && i < len && g_ascii_isspace (data[i]); i++)
    rest--;
  if (rest > 0)
    {
      CMS_ContentInfo_free (cms);
      refuse (error, ZID_ERROR_INVALID_INPUT,
              _("The registration file holds %zu bytes after the signed registration; only the "
                "file as VZVZ signed it is imported"),
              rest);
      return NULL;
    }
  ERR_clear_error ();
  return cms;
}

/* @unknown_root, @signer_out (nullable): see verify_chain; the signer */
static gboolean
verify_file (const guint8       *data,
             gsize               len,
             const TrustSource  *source,
             gint64              now,
             ZidRegistration   **out,
             char              **signer_subject,
             X509              **unknown_root,
             X509              **signer_out,
             GError            **error)
{
  g_autoptr(CMS_ContentInfo) cms = NULL;
  g_autoptr(BIO) content = NULL;
  g_autoptr(ZidX509Stack) certs = NULL;
  g_autoptr(ZidRegistration) r = NULL;
  STACK_OF (CMS_SignerInfo) *signers;
  CMS_SignerInfo *si;
  ASN1_OCTET_STRING **econtent;
  X509_ALGOR *digest_alg = NULL;
  const ASN1_OBJECT *digest_obj = NULL;
  X509 *signer = NULL;
  char *json = NULL;
  long json_len;
  int digest_nid;

  if ((cms = load_cms (data, len, error)) == NULL)
    return FALSE;

  if (OBJ_obj2nid (CMS_get0_type (cms)) != NID_pkcs7_signed)
    return refuse (error, ZID_ERROR_SIGNATURE_INVALID,
                   _("The registration file is not signed (no CMS SignedData)"));
  if (OBJ_obj2nid (CMS_get0_eContentType (cms)) != NID_pkcs7_data)
    return refuse (error, ZID_ERROR_INVALID_INPUT,
                   _("The registration file holds no registration (the content type is not "
                     "id-data)"));
  econtent = CMS_get0_content (cms);
  if (econtent == NULL || *econtent == NULL)
    return refuse (error, ZID_ERROR_SIGNATURE_INVALID,
                   _("The registration file holds only a detached signature, not the "
                     "registration itself"));

  signers = CMS_get0_SignerInfos (cms);
  if (signers == NULL || sk_CMS_SignerInfo_num (signers) == 0)
    return refuse (error, ZID_ERROR_SIGNATURE_INVALID,
                   _("The registration file is not signed (no signer)"));
  if (sk_CMS_SignerInfo_num (signers) > 1)
    return refuse (error, ZID_ERROR_SIGNATURE_INVALID,
                   _("The registration file has %d signers; one is expected"),
                   sk_CMS_SignerInfo_num (signers));
  si = sk_CMS_SignerInfo_value (signers, 0);

  CMS_SignerInfo_get0_algs (si, NULL, NULL, &digest_alg, NULL);
  if (digest_alg != NULL)
    X509_ALGOR_get0 (&digest_obj, NULL, NULL, digest_alg);
  digest_nid = digest_obj ? OBJ_obj2nid (digest_obj) : NID_undef;
  if (digest_nid != NID_sha256 && digest_nid != NID_sha384 && digest_nid != NID_sha512)
    return refuse (error, ZID_ERROR_SIGNATURE_INVALID,
                   _("The registration file is signed with a hash function that is too weak "
                     "(%s); expected SHA-256, SHA-384 or SHA-512"),
                   digest_nid != NID_undef ? OBJ_nid2sn (digest_nid) : _("unknown"));

  /* The signer's certificate must come with the file */
  if (CMS_set1_signers_certs (cms, NULL, 0) < 0)
    ERR_clear_error ();
  CMS_SignerInfo_get0_algs (si, NULL, &signer, NULL, NULL);
  if (signer == NULL)
    return refuse (error, ZID_ERROR_CERTIFICATE_INVALID,
                   _("The signer’s certificate is missing from the registration file"));

  /* The signature over the content (and the signed attributes); the
   * signer's certificate is checked below, with our own reasons */
  content = BIO_new (BIO_s_mem ());
  if (content == NULL)
    return refuse (error, ZID_ERROR_CRYPTO, _("Out of memory"));
  if (CMS_verify (cms, NULL, NULL, NULL, content, CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) != 1)
    return refuse (error, ZID_ERROR_SIGNATURE_INVALID,
                   _("The signature of the registration file does not match: the file was "
                     "changed after signing. Ask VZVZ for a new file"));

  certs = CMS_get1_certs (cms);
  if (!verify_chain (signer, certs, source, now, unknown_root, error))
    return FALSE;
  if (!check_signer_usage (signer, error))
    return FALSE;

  json_len = BIO_get_mem_data (content, &json);
  if (json_len < 0)
    json_len = 0;
  r = zid_registration_parse_json (json, (gsize) json_len, now, error);
  /* OpenSSL's error queue is per thread: leave nothing behind */
  ERR_clear_error ();
  if (r == NULL)
    return FALSE;

  if (signer_subject != NULL)
    *signer_subject = name_to_string (X509_get_subject_name (signer));
  if (signer_out != NULL)
    {
      X509_up_ref (signer);
      *signer_out = signer;
    }
  if (out != NULL)
    *out = g_steal_pointer (&r);
  return TRUE;
}

gboolean
zid_registration_file_verify (const guint8      *data,
                              gsize              len,
                              const char        *trust_dir,
                              gint64             now,
                              ZidRegistration  **out,
                              char             **signer_subject,
                              GError           **error)
{
  g_auto(TrustSource) source = { 0 };

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (trust_dir != NULL, FALSE);

  trust_source_init (&source, NULL, trust_dir);
  return verify_file (data, len, &source, now, out, signer_subject, NULL, NULL, error);
}

/* --- signing (operator side) ---------------------------------------------- */

GBytes *
zid_registration_file_sign (GBytes    *json,
                            GBytes    *cert,
                            GBytes    *key,
                            GBytes    *chain,
                            gboolean   pem,
                            gint64     now,
                            GError   **error)
{
  g_autoptr(ZidRegistration) r = NULL;
  g_autoptr(ZidX509Stack) certs = sk_X509_new_null ();
  g_autoptr(ZidX509Stack) extra = sk_X509_new_null ();
  g_autoptr(EVP_PKEY) pkey = NULL;
  g_autoptr(BIO) in = NULL;
  g_autoptr(BIO) content = NULL;
  g_autoptr(BIO) out = NULL;
  g_autoptr(CMS_ContentInfo) cms = NULL;
  const guint8 *data;
  gsize len;
  X509 *signer;
  char *result;
  long result_len;
  const unsigned int flags = CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP;

  g_return_val_if_fail (json != NULL && cert != NULL && key != NULL, NULL);

  data = g_bytes_get_data (json, &len);
  if ((r = zid_registration_parse_json ((const char *) data, len, now, error)) == NULL)
    return NULL;

  data = g_bytes_get_data (cert, &len);
  if (!zid_x509_read_certificates (data, len, certs))
    {
      refuse (error, ZID_ERROR_INVALID_INPUT, _("The signing certificate is not an X.509 "
                                                "certificate"));
      return NULL;
    }
  signer = sk_X509_value (certs, 0);

  data = g_bytes_get_data (key, &len);
  if (len == 0 || len > G_MAXINT || (in = BIO_new_mem_buf (data, (int) len)) == NULL)
    {
      refuse (error, ZID_ERROR_INVALID_INPUT, _("The signing key is empty"));
      return NULL;
    }
  pkey = memmem (data, len, "-----BEGIN", 10) != NULL
           ? PEM_read_bio_PrivateKey (in, NULL, NULL, NULL)
           : d2i_PrivateKey_bio (in, NULL);
  if (pkey == NULL)
    {
      refuse (error, ZID_ERROR_INVALID_INPUT,
              _("The signing key is not an (unencrypted) private key in PEM or DER"));
      return NULL;
    }
  if (X509_check_private_key (signer, pkey) != 1)
    {
      refuse (error, ZID_ERROR_INVALID_INPUT,
              _("The signing key does not belong to the signing certificate"));
      return NULL;
    }
  if (X509_cmp_time (X509_get0_notAfter (signer), &(time_t) { (time_t) now }) < 0)
    {
      g_autofree char *until = asn1_time_to_string (X509_get0_notAfter (signer));
      refuse (error, ZID_ERROR_CERTIFICATE_INVALID,
              _("The signing certificate expired on %s"), until);
      return NULL;
    }
  if (!check_signer_usage (signer, error))
    return NULL;

  if (chain != NULL)
    {
      data = g_bytes_get_data (chain, &len);
      if (!zid_x509_read_certificates (data, len, extra))
        {
          refuse (error, ZID_ERROR_INVALID_INPUT, _("The chain holds no X.509 certificates"));
          return NULL;
        }
    }

  data = g_bytes_get_data (json, &len);
  content = BIO_new_mem_buf (data, (int) len);
  cms = CMS_sign (NULL, NULL, extra, NULL, flags);
  if (content == NULL || cms == NULL ||
      CMS_add1_signer (cms, signer, pkey, EVP_sha256 (), flags) == NULL ||
      CMS_final (cms, content, NULL, flags) != 1)
    {
      const char *reason = ERR_reason_error_string (ERR_peek_last_error ());

      refuse (error, ZID_ERROR_CRYPTO, _("Signing failed: %s"),
              reason != NULL ? reason : _("unknown error"));
      return NULL;
    }

  out = BIO_new (BIO_s_mem ());
  if (out == NULL ||
      (pem ? PEM_write_bio_CMS (out, cms) : i2d_CMS_bio (out, cms)) != 1)
    {
      refuse (error, ZID_ERROR_CRYPTO, _("The signed file cannot be written"));
      return NULL;
    }
  result_len = BIO_get_mem_data (out, &result);
  return g_bytes_new (result, (gsize) result_len);
}

/* --- import ---------------------------------------------------------------- */

/* A regular file of at most the size a registration may have, read
 * without following a link and without waiting on a FIFO */
static guint8 *
read_registration_file (const char  *path,
                        gsize       *len,
                        GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  guint8 *data = zid_file_read_regular (path, ZID_REGISTRATION_FILE_MAX_SIZE, FALSE, len,
                                        &local_error);

  if (data == NULL)
    {
      gboolean too_large = g_error_matches (local_error, ZID_FILE_ERROR, ZID_FILE_ERROR_TOO_LARGE);

      g_set_error (error, ZID_ERROR, too_large ? ZID_ERROR_INVALID_INPUT : ZID_ERROR_IO,
                   _("The registration file cannot be read: %s"), local_error->message);
    }
  return data;
}

/* The trail keeps a refusal in one language, Dutch, whatever the
 * operator reads: the checks that refused the file made again in Dutch
 * (@data: the file as read, or %NULL when reading it failed; @source:
 * %NULL when the checks passed and the registration itself was refused) */
static void
audit_import_refusal (ZidPortal         *portal,
                      const char        *path,
                      const char        *ura,
                      const guint8      *data,
                      gsize              len,
                      const TrustSource *source,
                      gint64             now,
                      const GError      *error)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *details = NULL;
  g_autoptr(GError) dutch = NULL;
  g_autoptr(GError) audit_error = NULL;
  g_autofree guint8 *again = NULL;
  const char *previous = zid_i18n_set_thread_language ("nl");

  if (source != NULL && data == NULL)
    again = read_registration_file (path, &len, &dutch);
  else if (source != NULL)
    verify_file (data, len, source, now, NULL, NULL, NULL, NULL, &dutch);
  zid_i18n_set_thread_language (previous);
  /* the same refusal, unless the file changed in between */
  if (dutch != NULL && dutch->domain == error->domain && dutch->code == error->code)
    error = dutch;

  details = g_strdup_printf ("%s: %s (file=%s)",
                             error->domain == ZID_ERROR ? zid_error_code_name (error->code) : "error",
                             error->message, base);
  if (!zid_portal_audit (portal, "operator", "registration.import.refused", ura, details,
                         &audit_error))
    g_warning ("Could not record a refused import in the audit trail: %s", audit_error->message);
}

ZidRegistration *
zid_registration_file_import (ZidPortal   *portal,
                              const char  *path,
                              const char  *trust_dir,
                              char       **signer_subject,
                              gboolean    *already_present,
                              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree guint8 *data = NULL;
  gsize len = 0;
  g_autoptr(ZidRegistration) r = NULL;
  g_autoptr(ZidRegistration) existing = NULL;
  g_auto(TrustSource) source = { 0 };
  g_autofree char *signer = NULL;
  g_autofree char *details = NULL;
  g_autofree char *created = NULL;
  g_autofree char *base = NULL;
  gint64 now;

  g_return_val_if_fail (ZID_IS_PORTAL (portal), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  trust_source_init (&source, portal, trust_dir);
  now = zid_clock_now (zid_portal_get_clock (portal));

  data = read_registration_file (path, &len, &local_error);
  if (data != NULL)
    verify_file (data, len, &source, now, &r, &signer, NULL, NULL, &local_error);
  if (local_error != NULL)
    {
      audit_import_refusal (portal, path, NULL, data, len, &source, now, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  existing = zid_portal_find_registration (portal, r->ura, NULL);
  if (zid_portal_add_registration (portal, r->ura, r->name, r->agb, r->address, r->reference,
                                   &local_error) == 0)
    {
      audit_import_refusal (portal, path, r->ura, NULL, 0, NULL, 0, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  base = g_path_get_basename (path);
  created = zid_format_time (r->created);
  details = g_strdup_printf ("reference=%s created=%s signer=%s file=%s%s", r->reference, created,
                             signer, base, existing ? " already-present" : "");
  if (!zid_portal_audit (portal, "operator", "registration.import", r->ura, details, &local_error))
    {
      /* stored, but the trail must say so: report it */
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (already_present != NULL)
    *already_present = existing != NULL;
  if (signer_subject != NULL)
    *signer_subject = g_steal_pointer (&signer);
  return zid_portal_find_registration (portal, r->ura, error);
}

typedef struct
{
  char     *path;
  char     *trust_dir;
  char     *signer;
  gboolean  already_present;
} ImportData;

static void
import_data_free (ImportData *data)
{
  g_free (data->path);
  g_free (data->trust_dir);
  g_free (data->signer);
  g_free (data);
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ImportData *data = task_data;
  GError *error = NULL;
  ZidRegistration *r;

  if (g_task_return_error_if_cancelled (task))
    return;
  r = zid_backend_registration_file_import (ZID_BACKEND (source_object), data->path, data->trust_dir,
                                    &data->signer, &data->already_present, &error);
  if (r == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, r, (GDestroyNotify) zid_registration_free);
}

/* Import and inspection in a worker, with an ImportData */
static void
run_file_task (ZidBackend          *portal,
               const char          *path,
               const char          *trust_dir,
               gpointer             source_tag,
               GTaskThreadFunc      thread,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (portal, cancellable, callback, user_data);
  ImportData *data = g_new0 (ImportData, 1);

  g_task_set_source_tag (task, source_tag);
  data->path = g_strdup (path);
  data->trust_dir = g_strdup (trust_dir);
  g_task_set_task_data (task, data, (GDestroyNotify) import_data_free);
  g_task_run_in_thread (task, thread);
}

void
zid_registration_file_import_async (ZidBackend          *portal,
                                    const char          *path,
                                    const char          *trust_dir,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (ZID_IS_BACKEND (portal));
  g_return_if_fail (path != NULL);

  run_file_task (portal, path, trust_dir, zid_registration_file_import_async, import_thread,
                 cancellable, callback, user_data);
}

ZidRegistration *
zid_registration_file_import_finish (ZidBackend    *portal,
                                     GAsyncResult  *result,
                                     char         **signer_subject,
                                     gboolean      *already_present,
                                     GError       **error)
{
  ImportData *data;
  ZidRegistration *r;

  g_return_val_if_fail (g_task_is_valid (result, portal), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == zid_registration_file_import_async, NULL);

  r = g_task_propagate_pointer (G_TASK (result), error);
  if (r == NULL)
    return NULL;
  data = g_task_get_task_data (G_TASK (result));
  if (signer_subject != NULL)
    *signer_subject = g_steal_pointer (&data->signer);
  if (already_present != NULL)
    *already_present = data->already_present;
  return r;
}

/* --- inspection before the first import ------------------------------------- */

static ZidRegistration *
registration_copy (const ZidRegistration *r)
{
  ZidRegistration *copy = g_new0 (ZidRegistration, 1);

  *copy = *r;
  copy->ura = g_strdup (r->ura);
  copy->name = g_strdup (r->name);
  copy->agb = g_strdup (r->agb);
  copy->address = g_strdup (r->address);
  copy->reference = g_strdup (r->reference);
  return copy;
}

G_DEFINE_BOXED_TYPE (ZidRegistrationFileInfo, zid_registration_file_info,
                     zid_registration_file_info_copy, zid_registration_file_info_free)

ZidRegistrationFileInfo *
zid_registration_file_info_copy (const ZidRegistrationFileInfo *info)
{
  ZidRegistrationFileInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);

  copy = g_new0 (ZidRegistrationFileInfo, 1);
  copy->trust = info->trust;
  copy->registration = info->registration ? registration_copy (info->registration) : NULL;
  copy->signer_subject = g_strdup (info->signer_subject);
  copy->signer_organisation = g_strdup (info->signer_organisation);
  copy->root_subject = g_strdup (info->root_subject);
  copy->root_fingerprint = g_strdup (info->root_fingerprint);
  copy->root_certificate = info->root_certificate ? g_bytes_ref (info->root_certificate) : NULL;
  return copy;
}

void
zid_registration_file_info_free (ZidRegistrationFileInfo *info)
{
  if (info == NULL)
    return;
  g_clear_pointer (&info->registration, zid_registration_free);
  g_free (info->signer_subject);
  g_free (info->signer_organisation);
  g_free (info->root_subject);
  g_free (info->root_fingerprint);
  g_clear_pointer (&info->root_certificate, g_bytes_unref);
  g_free (info);
}

ZidRegistrationFileInfo *
zid_registration_file_inspect (ZidPortal   *portal,
                               const char  *path,
                               const char  *trust_dir,
                               GError     **error)
{
  g_autoptr(ZidRegistrationFileInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree guint8 *data = NULL;
  gsize len = 0;
  g_autoptr(X509) root = NULL;
  g_autoptr(X509) signer = NULL;
  g_auto(TrustSource) source = { 0 };

  g_return_val_if_fail (ZID_IS_PORTAL (portal), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  /* read as an import reads it (zid_registration_file_import) */
  data = zid_file_read_regular (path, ZID_REGISTRATION_FILE_MAX_SIZE, FALSE, &len, &local_error);
  if (data == NULL)
    {
      gboolean too_large = g_error_matches (local_error, ZID_FILE_ERROR, ZID_FILE_ERROR_TOO_LARGE);

      g_set_error (error, ZID_ERROR, too_large ? ZID_ERROR_INVALID_INPUT : ZID_ERROR_IO,
                   _("The registration file cannot be read: %s"), local_error->message);
      return NULL;
    }
  trust_source_init (&source, portal, trust_dir);
  info = g_new0 (ZidRegistrationFileInfo, 1);
  if (!verify_file (data, len, &source,
                    zid_clock_now (zid_portal_get_clock (portal)), &info->registration,
                    &info->signer_subject, &root, &signer, error))
    return NULL;

  info->signer_organisation = zid_x509_name_organisation (X509_get_subject_name (signer));
  if (info->signer_organisation == NULL)
    info->signer_organisation = g_strdup (info->signer_subject);
  if (root == NULL)
    {
      info->trust = ZID_REGISTRATION_FILE_TRUSTED;
      return g_steal_pointer (&info);
    }

  info->trust = ZID_REGISTRATION_FILE_UNKNOWN_ROOT;
  info->root_subject = zid_x509_name_display (X509_get_subject_name (root));
  info->root_fingerprint = zid_x509_fingerprint_sha256 (root);
  {
    unsigned char *der = NULL;
    int der_len = i2d_X509 (root, &der);

    if (der_len <= 0 || info->root_fingerprint == NULL)
      {
        OPENSSL_free (der);
        ERR_clear_error ();
        g_set_error_literal (error, ZID_ERROR, ZID_ERROR_CRYPTO, _("Out of memory"));
        return NULL;
      }
    info->root_certificate = g_bytes_new (der, (gsize) der_len);
    OPENSSL_free (der);
  }
  return g_steal_pointer (&info);
}

static void
inspect_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ImportData *data = task_data;
  GError *error = NULL;
  ZidRegistrationFileInfo *info;

  if (g_task_return_error_if_cancelled (task))
    return;
  info = zid_backend_registration_file_inspect (ZID_BACKEND (source_object), data->path, data->trust_dir,
                                        &error);
  if (info == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, info, (GDestroyNotify) zid_registration_file_info_free);
}

void
zid_registration_file_inspect_async (ZidBackend          *portal,
                                     const char          *path,
                                     const char          *trust_dir,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (ZID_IS_BACKEND (portal));
  g_return_if_fail (path != NULL);

  run_file_task (portal, path, trust_dir, zid_registration_file_inspect_async, inspect_thread,
                 cancellable, callback, user_data);
}

ZidRegistrationFileInfo *
zid_registration_file_inspect_finish (ZidBackend    *portal,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, portal), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == zid_registration_file_inspect_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
