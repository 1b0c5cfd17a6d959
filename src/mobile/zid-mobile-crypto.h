/* zid-mobile-crypto.h — the phone's key, its request, its signature
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <glib.h>
#include <openssl/evp.h>

G_BEGIN_DECLS

EVP_PKEY *zid_mobile_key_generate    (GError       **error);
/* Encrypted PKCS#8 PEM: AES-256-CBC, key from @pin by scrypt */
char     *zid_mobile_key_encrypt     (EVP_PKEY      *key,
                                      const char    *pin,
                                      GError       **error);
EVP_PKEY *zid_mobile_key_decrypt     (const char    *pem,
                                      const char    *pin,
                                      GError       **error);
char     *zid_mobile_csr_new         (EVP_PKEY      *key,
                                      GError       **error);
/* ECDSA SHA-256, DER, base64, over the login message of protocol §3:
 * @pin is the pin of the service this answer goes to (checked in its TLS
 * handshake), so an answer relayed to another service does not verify */
char     *zid_mobile_sign_login      (EVP_PKEY      *key,
                                      const char    *pin,
                                      const char    *session,
                                      const char    *challenge,
                                      GError       **error);
/* Checks that @cert_pem carries @key and chains to @chain_pem; returns
 * its serial (hex) and validity */
gboolean  zid_mobile_check_certificate (const char  *cert_pem,
                                        const char  *chain_pem,
                                        EVP_PKEY    *key,
                                        char       **serial,
                                        gint64      *not_after,
                                        GError     **error);
/* base64url (no padding) of SHA-256 over @der */
char     *zid_mobile_pin_for_der     (const guint8  *der,
                                      gsize          len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)

G_END_DECLS
