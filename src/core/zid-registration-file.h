/* zid-registration-file.h — the operator's signed registration file
 *
 * A pending organisation registration as the national operator delivers
 * it: a strict JSON document inside a CMS (PKCS #7) SignedData, signed by
 * the operator's signing certificate, verified against the operator trust
 * anchors in a folder. The format is defined in docs/registration-file.md.
 *
 * Refusals are ZID_ERROR: INVALID_INPUT for malformed input (not CMS, bad
 * JSON, unknown member, bad URA, ...), SIGNATURE_INVALID (not signed,
 * altered, weak digest), CERTIFICATE_INVALID (signer expired, untrusted,
 * not made for signing registrations), IO (file or trust folder unreadable).
 * The messages are Dutch and name the reason.
 */
#pragma once

#include <gio/gio.h>

#include "zid-portal.h"
#include "zid-types.h"

G_BEGIN_DECLS

/* zid-backend.h includes this header */
typedef struct _ZidBackend ZidBackend;

#define ZID_REGISTRATION_FILE_VERSION   1
#define ZID_REGISTRATION_FILE_MAX_SIZE  (1024 * 1024)
#define ZID_REGISTRATION_JSON_MAX_SIZE  (16 * 1024)

/* The operator trust folder that overrides the environment's trust store:
 * $ZID_OPERATOR_TRUST_DIR, else NULL (the store: zid-trust-store.h) */
char            *zid_registration_file_default_trust_dir (const char    *data_dir);

/* The JSON document alone (strict, version 1). @now: created may not lie
 * more than a day after it. Returns a ZidRegistration with id 0, created =
 * the document's created, completed 0. */
ZidRegistration *zid_registration_parse_json   (const char          *json,
                                                gsize                len,
                                                gint64               now,
                                                GError             **error);

/* Verifies a signed registration file (DER or PEM) against the anchors in
 * @trust_dir at time @now (unix seconds, the portal's clock). On success
 * @out (nullable) receives the registration (id 0) and @signer_subject
 * (nullable) the signer's subject (RFC 2253, UTF-8). */
gboolean         zid_registration_file_verify  (const guint8        *data,
                                                gsize                len,
                                                const char          *trust_dir,
                                                gint64               now,
                                                ZidRegistration    **out,
                                                char               **signer_subject,
                                                GError             **error);

/* Operator side: checks @json as zid_registration_parse_json does, then
 * signs it (CMS SignedData, content attached, SHA-256) with @key (PEM or
 * DER private key) and @cert (PEM or DER); @chain (nullable, PEM) adds
 * intermediates. @pem: PEM output ("-----BEGIN CMS-----"), else DER. */
GBytes          *zid_registration_file_sign    (GBytes              *json,
                                                GBytes              *cert,
                                                GBytes              *key,
                                                GBytes              *chain,
                                                gboolean             pem,
                                                gint64               now,
                                                GError             **error);

/* What a registration file says before it is imported (the window's
 * first import): its registration, its signer and, when the signature is
 * good but the chain ends at a root the operator trust does not hold,
 * that root, so the administrator can compare its fingerprint with the
 * one the operator gave and add it (zid_portal_add_trust with
 * ZID_TRUST_KIND_OPERATOR and @root_certificate). */
typedef enum
{
  ZID_REGISTRATION_FILE_TRUSTED,      /* verifies: importing it will be accepted */
  ZID_REGISTRATION_FILE_UNKNOWN_ROOT, /* signature good, chain ends at an untrusted root */
} ZidRegistrationFileTrust;

typedef struct
{
  ZidRegistrationFileTrust  trust;
  ZidRegistration          *registration;        /* in the file (id 0) */
  char                     *signer_subject;      /* RFC 2253 */
  char                     *signer_organisation; /* the signer's O (else CN), as a person reads it */
  char                     *root_subject;        /* "CN (O)" of the root */
  char                     *root_fingerprint;    /* SHA-256 of the root's DER, "AB:CD:…" */
  GBytes                   *root_certificate;    /* the root's DER */
} ZidRegistrationFileInfo;

#define ZID_TYPE_REGISTRATION_FILE_INFO (zid_registration_file_info_get_type ())
GType            zid_registration_file_info_get_type (void) G_GNUC_CONST;
ZidRegistrationFileInfo *zid_registration_file_info_copy (const ZidRegistrationFileInfo *info);
void             zid_registration_file_info_free (ZidRegistrationFileInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidRegistrationFileInfo, zid_registration_file_info_free)

/* Inspects the file at @path against the operator trust (@trust_dir
 * nullable: the override, else the environment's trust store) without
 * importing or trusting anything. Refuses (as import does) a file that is
 * malformed, not signed, altered, signed with an unfit certificate, or
 * whose chain fails for another reason than an unknown root; an unknown
 * root the file does not carry is CERTIFICATE_INVALID. Blocking: the
 * window uses the _async form. */
ZidRegistrationFileInfo *zid_registration_file_inspect (ZidPortal           *portal,
                                                        const char          *path,
                                                        const char          *trust_dir,
                                                        GError             **error);
void             zid_registration_file_inspect_async  (ZidBackend           *portal,
                                                       const char          *path,
                                                       const char          *trust_dir,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
ZidRegistrationFileInfo *zid_registration_file_inspect_finish (ZidBackend    *portal,
                                                               GAsyncResult  *result,
                                                               GError       **error);

/* Reads, verifies and stores the registration of the file at @path as a
 * pending registration (zid_portal_add_registration): nothing is stored
 * when it is refused. @trust_dir nullable: $ZID_OPERATOR_TRUST_DIR, else
 * the environment's operator trust store. Importing the same registration again is harmless
 * (@already_present, nullable, says so). Accepted and refused imports are
 * audited. Returns the stored registration. Blocking (file, crypto,
 * SQLite): the window uses the _async form. */
ZidRegistration *zid_registration_file_import  (ZidPortal           *portal,
                                                const char          *path,
                                                const char          *trust_dir,
                                                char               **signer_subject,
                                                gboolean            *already_present,
                                                GError             **error);
void             zid_registration_file_import_async  (ZidBackend           *portal,
                                                      const char          *path,
                                                      const char          *trust_dir,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
ZidRegistration *zid_registration_file_import_finish (ZidBackend    *portal,
                                                      GAsyncResult  *result,
                                                      char         **signer_subject,
                                                      gboolean      *already_present,
                                                      GError       **error);

G_END_DECLS
