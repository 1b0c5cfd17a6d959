/* zid-ca-internal.h — what the local CA's files share (zid-ca.c, the
 * issuing; zid-ca-request.c, the phones' requests)
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <openssl/evp.h>

#include "zid-ca-private.h"

G_BEGIN_DECLS

struct _ZidCa
{
  EVP_PKEY   *key;
  X509       *cert;

  /* what every mobile-ID certificate shares, DER-encoded at open */
  GByteArray *issuer;                /* the CA's subject name */
  GByteArray *mobile_subject;        /* the phones' first names: C, O */
  GByteArray *mobile_extensions;     /* basicConstraints, keyUsage, extKeyUsage */
  GByteArray *authority_key_id;      /* the extension, or empty */

  /* idle signing contexts for @key, each used by one thread at a time */
  GMutex      lock;
  GPtrArray  *signers;
};

struct _ZidCaRequest
{
  guint8 point[65];     /* the public key: a P-256 point, uncompressed or compressed */
  gsize  point_len;
};

/* Fetched once for every thread: in OpenSSL 3.0 each implicit fetch
 * (EVP_sha256, a name) goes through the provider store's locks, and a key
 * made with EVP_PKEY_fromdata builds its curve again, about a quarter of a
 * signature check. A request's key is a copy of @p256 with its point. */
typedef struct
{
  EVP_MD   *sha256;
  EVP_MD   *sha1;
  EVP_PKEY *p256;      /* the curve alone, no point */
} Fetched;

const Fetched *_zid_ca_fetched (void);

/* The contents of SEQUENCE { id-ecPublicKey, prime256v1 } and of
 * SEQUENCE { ecdsa-with-SHA256 }: what a request holds, what we issue */
static const guint8 p256_algorithm[] = {
  0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
  0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
};
static const guint8 ecdsa_sha256_algorithm[] = {
  0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
};

G_END_DECLS
