/* zid-uzi.h — the UZI-pas certificate profile
 *
 * A ZidUziIdentity is what an UZI-pas certificate says about its holder:
 * the subject names and, from the subjectAltName otherName 2.5.5.5
 * (IA5String), "<OID CA>-<version>-<UZI number>-<card type>-<subscriber
 * number>-<role>-<AGB code>" (subscriber number = the organisation's URA).
 *
 * Parsing refuses, with a precise ZID_CARD_ERROR code, everything that is
 * not an UZI certificate of the environment: no subjectAltName, no 2.5.5.5
 * otherName, not an IA5String, not 7 fields, version not 1, card type not
 * Z/N/M/S, UZI or subscriber number not numeric, OID CA not allowed.
 * Validity (zid_uzi_identity_check_validity: "UZI-pas verlopen"), key usage
 * (zid_uzi_identity_check_purpose) and the chain to a trust anchor
 * (zid_uzi_identity_validate_chain) are separate checks.
 *
 * Allowed OID CAs: productie accepts the UZI-register CAs
 * 2.16.528.1.1003.1.3.5.5.2 … .5; acceptatie also accepts the UZI-register
 * test CAs under 2.16.528.1.1007.99 (e.g. .217 on real test cards); both
 * accept any extra OIDs the caller passes (configuration).
 *
 * The object is immutable after parsing; its properties are read-only and can
 * be bound to labels.
 */
#pragma once

#include <glib-object.h>
#include <openssl/x509.h>

G_BEGIN_DECLS

typedef enum
{
  ZID_UZI_ENVIRONMENT_ACCEPTATIE,
  ZID_UZI_ENVIRONMENT_PRODUCTIE,
} ZidUziEnvironment;

/* What the certificate is for, from keyUsage (flags) */
typedef enum /*< flags >*/
{
  ZID_UZI_PURPOSE_NONE           = 0,
  ZID_UZI_PURPOSE_AUTHENTICATION = 1 << 0, /* digitalSignature */
  ZID_UZI_PURPOSE_SIGNATURE      = 1 << 1, /* nonRepudiation */
  ZID_UZI_PURPOSE_ENCRYPTION     = 1 << 2, /* keyEncipherment / dataEncipherment */
} ZidUziPurpose;

#define ZID_UZI_OID_NAME "2.5.5.5"
#define ZID_UZI_OID_UPN  "1.3.6.1.4.1.311.20.2.3"
#define ZID_UZI_OID_TEST_ARC "2.16.528.1.1007.99"

#define ZID_TYPE_UZI_IDENTITY (zid_uzi_identity_get_type ())
G_DECLARE_FINAL_TYPE (ZidUziIdentity, zid_uzi_identity, ZID, UZI_IDENTITY, GObject)

gboolean         zid_uzi_environment_from_string (const char         *name,
                                                  ZidUziEnvironment  *environment);
const char      *zid_uzi_environment_to_string   (ZidUziEnvironment   environment);

/* Is oid an allowed OID CA in environment (extra_oid_cas: NULL-terminated, nullable)? */
gboolean         zid_uzi_oid_ca_allowed          (const char         *oid,
                                                  ZidUziEnvironment   environment,
                                                  const char * const *extra_oid_cas);

char            *zid_uzi_purpose_to_string       (ZidUziPurpose       purpose);

/* Parse: takes its own reference on cert */
ZidUziIdentity  *zid_uzi_identity_new_from_x509  (X509               *cert,
                                                  ZidUziEnvironment   environment,
                                                  const char * const *extra_oid_cas,
                                                  GError            **error);
/* DER or PEM; ZID_CARD_ERROR_NOT_A_CERTIFICATE when it is neither */
ZidUziIdentity  *zid_uzi_identity_new_from_data  (const guint8       *data,
                                                  gsize               len,
                                                  ZidUziEnvironment   environment,
                                                  const char * const *extra_oid_cas,
                                                  GError            **error);
ZidUziIdentity  *zid_uzi_identity_new_from_file  (const char         *path,
                                                  ZidUziEnvironment   environment,
                                                  const char * const *extra_oid_cas,
                                                  GError            **error);

/* A DER or PEM certificate (first one of a PEM file); NULL + NOT_A_CERTIFICATE */
X509            *zid_uzi_load_x509               (const guint8       *data,
                                                  gsize               len,
                                                  GError            **error);

/* now: nullable (the current time). EXPIRED "UZI-pas verlopen" / NOT_YET_VALID */
gboolean         zid_uzi_identity_check_validity (ZidUziIdentity     *self,
                                                  GDateTime          *now,
                                                  GError            **error);
/* KEY_USAGE unless the certificate's keyUsage allows every bit of purpose */
gboolean         zid_uzi_identity_check_purpose  (ZidUziIdentity     *self,
                                                  ZidUziPurpose       purpose,
                                                  GError            **error);
/* Chain to a self-signed anchor among the certificates (PEM/DER files) in
 * trust_dir; the other certificates there and intermediates (X509*, from the
 * card; nullable) serve as intermediates. now: nullable. out_chain
 * (nullable): the verified chain as DER GBytes, this certificate first, the
 * anchor last. UNTRUSTED, EXPIRED, or FAILED when trust_dir cannot be read. */
gboolean         zid_uzi_identity_validate_chain (ZidUziIdentity     *self,
                                                  const char         *trust_dir,
                                                  GPtrArray          *intermediates,
                                                  GDateTime          *now,
                                                  GPtrArray         **out_chain,
                                                  GError            **error);
/* The same against several folders together (NULL-terminated): an
 * environment's built-in trust and its store. @skip_missing: a folder that
 * does not exist holds nothing. UNTRUSTED when they hold no anchor. */
gboolean         zid_uzi_identity_validate_chain_dirs (ZidUziIdentity     *self,
                                                       const char * const *trust_dirs,
                                                       gboolean            skip_missing,
                                                       GPtrArray          *intermediates,
                                                       GDateTime          *now,
                                                       GPtrArray         **out_chain,
                                                       GError            **error);

X509            *zid_uzi_identity_get_x509              (ZidUziIdentity *self); /* borrowed */
GBytes          *zid_uzi_identity_get_der               (ZidUziIdentity *self);
const char      *zid_uzi_identity_get_given_name        (ZidUziIdentity *self);
const char      *zid_uzi_identity_get_surname           (ZidUziIdentity *self);
const char      *zid_uzi_identity_get_common_name       (ZidUziIdentity *self);
const char      *zid_uzi_identity_get_organisation      (ZidUziIdentity *self);
const char      *zid_uzi_identity_get_title             (ZidUziIdentity *self);
const char      *zid_uzi_identity_get_serial_number     (ZidUziIdentity *self);
const char      *zid_uzi_identity_get_oid_ca            (ZidUziIdentity *self);
guint            zid_uzi_identity_get_uzi_version       (ZidUziIdentity *self);
const char      *zid_uzi_identity_get_uzi_number        (ZidUziIdentity *self);
char             zid_uzi_identity_get_card_type         (ZidUziIdentity *self);
const char      *zid_uzi_identity_get_subscriber_number (ZidUziIdentity *self); /* URA */
const char      *zid_uzi_identity_get_role              (ZidUziIdentity *self);
const char      *zid_uzi_identity_get_agb_code          (ZidUziIdentity *self);
const char      *zid_uzi_identity_get_upn               (ZidUziIdentity *self); /* nullable */
ZidUziPurpose    zid_uzi_identity_get_purpose           (ZidUziIdentity *self);
GDateTime       *zid_uzi_identity_get_not_before        (ZidUziIdentity *self); /* UTC */
GDateTime       *zid_uzi_identity_get_not_after         (ZidUziIdentity *self); /* UTC */

G_END_DECLS
