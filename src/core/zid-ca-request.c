/* zid-ca-request.c — a phone's certificate request, read strictly
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-core"

#include "config.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "zid-ca-internal.h"
#include "zid-error.h"
#include "zid-i18n.h"
#include "zid-openssl.h"

/* A phone's PKCS#10 request is read by hand, strictly: d2i_X509_REQ in
 * OpenSSL 3.0 decodes the key through its provider decoders, which costs
 * twice the signature check itself (bench/service). Only what we issue for
 * is accepted: an EC P-256 key, signed with ECDSA/SHA-256. The request's
 * point is kept in a ZidCaRequest (zid-ca-internal.h). */

void
zid_ca_request_free (ZidCaRequest *request)
{
  g_free (request);
}

typedef struct
{
  const guint8 *p;
  const guint8 *end;
} Der;

/* One DER element with a one-byte @tag at @d, definite minimal length;
 * @content gets its contents, @whole (optional) the element itself */
static gboolean
der_take (Der    *d,
          guint8  tag,
          Der    *content,
          Der    *whole)
{
  const guint8 *start = d->p;
  gsize len, avail;

  if (d->end - d->p < 2 || *d->p++ != tag)
    return FALSE;
  len = *d->p++;
  if (len & 0x80)
    {
      guint n = len & 0x7f;

      /* long form: 1 or 2 bytes (a request is at most a few KiB), minimal */
      if (n == 0 || n > 2 || (gsize) (d->end - d->p) < n || d->p[0] == 0)
        return FALSE;
      for (len = 0; n > 0; n--)
        len = (len << 8) | *d->p++;
      if (len < 0x80)
        return FALSE;
    }
  avail = d->end - d->p;
  if (len > avail)
    return FALSE;
  content->p = d->p;
  content->end = d->p + len;
  d->p += len;
  if (whole != NULL)
    {
      whole->p = start;
      whole->end = d->p;
    }
  return TRUE;
}

static gboolean
der_equal (const Der    *d,
           const guint8 *bytes,
           gsize         len)
{
  return (gsize) (d->end - d->p) == len && memcmp (d->p, bytes, len) == 0;
}

static const guint8 version_1[] = { 0x00 };

/* A copy of the curve with @point: a quarter of what EVP_PKEY_fromdata
 * costs, and it accepts the same points */
static EVP_PKEY *
p256_public_key (const guint8 *point,
                 gsize         len)
{
  g_autoptr(EVP_PKEY) key = EVP_PKEY_dup (_zid_ca_fetched ()->p256);

  /* the point is checked to be on the curve */
  if (key == NULL || EVP_PKEY_set1_encoded_public_key (key, point, len) != 1)
    return NULL;
  return g_steal_pointer (&key);
}

static gboolean
request_refused (GError     **error,
                 const char  *message)
{
  ERR_clear_error ();
  g_set_error_literal (error, ZID_ERROR, ZID_ERROR_CERTIFICATE_INVALID, message);
  return FALSE;
}

/* CertificationRequest (RFC 2986) into its signed part, key and signature */
static gboolean
parse_request (const guint8  *der,
               gsize          len,
               Der           *info,
               Der           *point,
               Der           *signature,
               GError       **error)
{
  Der d = { der, der + len };
  Der request, version, name, spki, algorithm, key, attributes, sig_algorithm;

  if (!der_take (&d, 0x30, &request, NULL) || d.p != d.end ||
      !der_take (&request, 0x30, &d, info) ||
      !der_take (&d, 0x02, &version, NULL) || !der_equal (&version, version_1, 1) ||
      !der_take (&d, 0x30, &name, NULL) ||
      !der_take (&d, 0x30, &spki, NULL))
    return request_refused (error, _("The certificate request is not a valid PKCS#10 request"));
  /* attributes [0] may be left out by some makers */
  if (d.p != d.end &&
      (!der_take (&d, 0xa0, &attributes, NULL) || d.p != d.end))
    return request_refused (error, _("The certificate request is not a valid PKCS#10 request"));

  if (!der_take (&spki, 0x30, &algorithm, NULL) ||
      !der_equal (&algorithm, p256_algorithm, sizeof p256_algorithm) ||
      !der_take (&spki, 0x03, &key, NULL) || spki.p != spki.end ||
      key.end - key.p < 2 || key.p[0] != 0)
    return request_refused (error, _("The certificate request must hold an EC P-256 key"));
  point->p = key.p + 1;
  point->end = key.end;
  /* an uncompressed or a compressed point only: OpenSSL also takes the
   * single byte 0x00, the point at infinity, and any signature whose r is
   * x(e/s · G) verifies for that "key" */
  if (!((point->end - point->p == 65 && point->p[0] == 0x04) ||
        (point->end - point->p == 33 && (point->p[0] == 0x02 || point->p[0] == 0x03))))
    return request_refused (error, _("The certificate request must hold an EC P-256 key"));

  if (!der_take (&request, 0x30, &sig_algorithm, NULL) ||
      !der_equal (&sig_algorithm, ecdsa_sha256_algorithm, sizeof ecdsa_sha256_algorithm) ||
      !der_take (&request, 0x03, signature, NULL) || request.p != request.end ||
      signature->end - signature->p < 2 || signature->p[0] != 0)
    return request_refused (error, _("The certificate request must be signed with ECDSA and SHA-256"));
  signature->p++;
  return TRUE;
}

/* A phone's PKCS#10 request: an EC P-256 key, and signed by that key.
 * Needs no lock: the caller checks it before its transaction. */
ZidCaRequest *
zid_ca_check_request (const char  *csr_pem,
                      GError     **error)
{
  g_autoptr(BIO) bio = NULL;
  g_autoptr(EVP_PKEY) key = NULL;
  g_autoptr(EVP_PKEY_CTX) verify = NULL;
  g_autofree ZidCaRequest *request = NULL;
  guint8 digest[32];
  unsigned char *der = NULL;
  char *name = NULL;
  long der_len = 0;
  Der info, point, signature;
  gboolean ok;

  if (csr_pem == NULL || strlen (csr_pem) > 8192)
    {
      request_refused (error, _("The certificate request is missing or too large"));
      return NULL;
    }

  bio = BIO_new_mem_buf (csr_pem, -1);
  if (!PEM_bytes_read_bio (&der, &der_len, &name, PEM_STRING_X509_REQ, bio, NULL, NULL))
    {
      request_refused (error, _("The certificate request is not a valid PKCS#10 request"));
      return NULL;
    }
  ok = parse_request (der, der_len, &info, &point, &signature, error);
  if (ok)
    {
      request = g_new0 (ZidCaRequest, 1);
      request->point_len = point.end - point.p;
      ok = request->point_len <= sizeof request->point &&
           (key = p256_public_key (point.p, request->point_len)) != NULL;
      if (ok)
        memcpy (request->point, point.p, request->point_len);
      else
        request_refused (error, _("The certificate request must hold an EC P-256 key"));
    }
  /* the digest with the SHA-256 fetched once, then ECDSA on it: the same
   * check as EVP_DigestVerify without its fetches */
  if (ok &&
      (!EVP_Digest (info.p, info.end - info.p, digest, NULL, _zid_ca_fetched ()->sha256, NULL) ||
       (verify = EVP_PKEY_CTX_new_from_pkey (NULL, key, NULL)) == NULL ||
       EVP_PKEY_verify_init (verify) != 1 ||
       EVP_PKEY_verify (verify, signature.p, signature.end - signature.p,
                        digest, sizeof digest) != 1))
    ok = request_refused (error, _("The signature of the certificate request does not verify"));

  OPENSSL_free (der);
  OPENSSL_free (name);
  return ok ? g_steal_pointer (&request) : NULL;
}
