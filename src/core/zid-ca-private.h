/* zid-ca-private.h — the local certificate authority (core only)
 *
 * One per environment: an EC P-256 key (file mode 0600, encrypted where a
 * Secret Service keeps its secret: zid-key-protection.h) and a self-signed
 * certificate, made on first use. It issues the phones' mobile-ID
 * certificates from PKCS#10 requests, the enrolment service's TLS
 * certificate, and the CRL.
 */
#pragma once

#include <glib.h>
#include <openssl/x509.h>

G_BEGIN_DECLS

typedef struct _ZidCa ZidCa;
typedef struct _ZidCaRequest ZidCaRequest;

typedef struct
{
  const char *serial;
  gint64      revoked_at;
} ZidCaRevoked;

/* *wrapped (may be NULL): a plain key was encrypted now (zid-key-protection.h) */
ZidCa    *zid_ca_open             (const char    *dir,
                                   const char    *environment,
                                   gint64         now,
                                   gboolean      *wrapped,
                                   GError       **error);
void      zid_ca_free             (ZidCa         *self);
char     *zid_ca_dup_pem          (ZidCa         *self);

/* A phone's PKCS#10 request, checked: an EC P-256 key, signed with
 * ECDSA/SHA-256 by that key */
ZidCaRequest *zid_ca_check_request (const char    *csr_pem,
                                    GError       **error);
void          zid_ca_request_free  (ZidCaRequest  *request);
/* @name as a certificate's CN holds it: at most CN_MAX_CHARS characters,
 * a longer one cut with "…" */
#define CN_MAX_CHARS 64
char     *zid_ca_fit_common_name  (const char    *name);
char     *zid_ca_issue_mobile     (ZidCa         *self,
                                   const ZidCaRequest *request,
                                   const char    *common_name,
                                   gint64         user_id,
                                   gint64         now,
                                   char         **serial,
                                   gint64        *not_before,
                                   gint64        *not_after,
                                   GError       **error);

gboolean  zid_ca_ensure_server    (ZidCa         *self,
                                   const char    *dir,
                                   const char    *host,
                                   gint64         now,
                                   char         **cert_pem,
                                   char         **key_pem,
                                   gboolean      *wrapped,
                                   GError       **error);

char     *zid_ca_make_crl         (ZidCa         *self,
                                   const ZidCaRevoked *revoked,
                                   guint          n_revoked,
                                   gint64         now,
                                   GError       **error);

/* Parses @cert_pem, checks that the local CA issued it and that it is
 * valid at @now; returns the certificate and its serial (hex). */
X509     *zid_ca_verify_client    (ZidCa         *self,
                                   const char    *cert_pem,
                                   gint64         now,
                                   char         **serial,
                                   GError       **error);

gboolean  zid_verify_signature    (X509          *cert,
                                   const guint8  *message,
                                   gsize          message_len,
                                   const guint8  *signature,
                                   gsize          signature_len,
                                   GError       **error);

/* @n_bytes from the CSPRNG, base64url without padding */
char     *zid_random_token        (gsize          n_bytes);
char     *zid_base64url           (const guint8  *data,
                                   gsize          len);
void      zid_sha256              (const void    *data,
                                   gsize          len,
                                   guint8         out[32]);
char     *zid_certificate_pin     (const char    *cert_pem,
                                   GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidCa, zid_ca_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidCaRequest, zid_ca_request_free)

G_END_DECLS
