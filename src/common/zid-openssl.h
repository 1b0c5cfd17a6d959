/* zid-openssl.h — g_autoptr for the OpenSSL types we use
 *
 * Declared here once for every layer (a second G_DEFINE_AUTOPTR_CLEANUP_FUNC
 * for the same type does not compile).
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <glib.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
/* pem.h first: cms.h declares PEM_read_bio_CMS only after it */
#include <openssl/pem.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ASN1_TIME, ASN1_TIME_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIGNUM, BN_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIO, BIO_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CMS_ContentInfo, CMS_ContentInfo_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_CIPHER_CTX, EVP_CIPHER_CTX_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_MD_CTX, EVP_MD_CTX_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY_CTX, EVP_PKEY_CTX_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509_CRL, X509_CRL_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509_STORE, X509_STORE_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509_STORE_CTX, X509_STORE_CTX_free)

/* STACK_OF (X509) owning its certificates */
typedef STACK_OF (X509) ZidX509Stack;

static inline void
zid_x509_stack_free (ZidX509Stack *stack)
{
  sk_X509_pop_free (stack, X509_free);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidX509Stack, zid_x509_stack_free)

/* Every certificate of PEM data (several: a bundle) or the one DER
 * certificate, appended to out. FALSE when there is none. */
gboolean zid_x509_read_certificates (const guint8 *data,
                                     gsize         len,
                                     ZidX509Stack *out);

/* The SHA-256 fingerprint of @cert's DER as "AB:CD:…" (what
 * `openssl x509 -fingerprint -sha256` prints after the "=") */
char    *zid_x509_fingerprint_sha256 (X509         *cert);
/* Hex of a SHA-256 over @data, "AB:CD:…" with @colons, else "abcd…" */
char    *zid_sha256_hex              (const guint8 *data,
                                      gsize         len,
                                      gboolean      colons);

/* A name as a person reads it: the organisation (O) and the common name
 * (CN), "CN (O)", one of them when the other is absent or the same, the
 * RFC 2253 form when neither is there. UTF-8. */
char    *zid_x509_name_display       (const X509_NAME *name);
/* The organisation (O) of a name, else its CN; NULL when neither */
char    *zid_x509_name_organisation  (const X509_NAME *name);

G_END_DECLS
