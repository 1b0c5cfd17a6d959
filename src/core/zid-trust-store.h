/* zid-trust-store.h — the trust of one environment, kept in its data dir
 *
 * Two kinds of trust, each per environment:
 *   uzi       the UZI-register's CA certificates (and CRLs) a UZI-pas must
 *             chain to: the application's built-in ones (acceptatie: the
 *             UZI-Test CA G3 chain; productie: none) plus the ones added;
 *   operator  the national operator's anchors that sign registration files
 *             (no built-in ones).
 *
 * What the administrator adds is copied into the data dir
 * (<data_dir>/uzi-trust/, <data_dir>/operator-trust/), never referenced by
 * path: a file per certificate or CRL, named by the SHA-256 of its DER
 * (lowercase hex, ".pem" or ".crl"), mode 0600. Inside the Flatpak the data
 * dir is under ~/.var/app, so a host path is never needed.
 *
 * Adding refuses what cannot be trust (ZID_ERROR_CERTIFICATE_INVALID, the
 * message names the reason): not a certificate or CRL, not a CA, expired
 * or not yet valid; a CRL is accepted when it parses. Built-in entries
 * cannot be removed (ZID_ERROR_NOT_PERMITTED). Every add and remove is an
 * audit event of actor "local" (it happens before anyone logs in):
 * "trust.add" / "trust.remove", subject "uzi:FINGERPRINT".
 *
 * The folder overrides for scripts and tests keep working where the chain
 * is checked: $ZID_UZI_TRUST_DIR and --trust (card layer),
 * $ZID_OPERATOR_TRUST_DIR and --trust (registration files).
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <gio/gio.h>

#include "zid-portal.h"
#include "zid-types.h"

G_BEGIN_DECLS

typedef enum
{
  ZID_TRUST_KIND_UZI,
  ZID_TRUST_KIND_OPERATOR,
} ZidTrustKind;

/* "uzi", "operator" */
const char *zid_trust_kind_to_string   (ZidTrustKind    kind);
gboolean    zid_trust_kind_from_string (const char     *text,
                                        ZidTrustKind   *kind);

/* The folder of what was added: <data_dir>/uzi-trust or
 * <data_dir>/operator-trust (it may not exist yet) */
char       *zid_trust_store_dir        (const char     *data_dir,
                                        ZidTrustKind    kind);
/* The folders the chain is checked against when nothing overrides them:
 * the built-in folder (zid_trust_builtin_dir) and the store's folder,
 * NULL-terminated. Either may not exist: load them with
 * ZID_TRUST_LOAD_SKIP_MISSING. */
char      **zid_trust_store_dirs       (const char     *data_dir,
                                        ZidEnvironment  environment,
                                        ZidTrustKind    kind);

/* One certificate or CRL of an environment's trust. Immutable; its values
 * are also read-only properties (fingerprint, subject, subject-dn, issuer,
 * not-before, not-after, builtin, is-crl, is-anchor) to bind a list to. */
#define ZID_TYPE_TRUST_ENTRY (zid_trust_entry_get_type ())
G_DECLARE_FINAL_TYPE (ZidTrustEntry, zid_trust_entry, ZID, TRUST_ENTRY, GObject)

ZidTrustKind zid_trust_entry_get_kind        (ZidTrustEntry *self);
/* SHA-256 over the DER, "AB:CD:…"; the identity of the entry */
const char  *zid_trust_entry_get_fingerprint (ZidTrustEntry *self);
/* As a person reads it: "CN (O)" (zid_x509_name_display); for a CRL its
 * issuer */
const char  *zid_trust_entry_get_subject     (ZidTrustEntry *self);
/* RFC 2253 */
const char  *zid_trust_entry_get_subject_dn  (ZidTrustEntry *self);
const char  *zid_trust_entry_get_issuer      (ZidTrustEntry *self);
/* Unix seconds; a CRL: thisUpdate .. nextUpdate (0: none) */
gint64       zid_trust_entry_get_not_before  (ZidTrustEntry *self);
gint64       zid_trust_entry_get_not_after   (ZidTrustEntry *self);
/* Shipped with the application (cannot be removed), else added */
gboolean     zid_trust_entry_get_builtin     (ZidTrustEntry *self);
gboolean     zid_trust_entry_get_is_crl      (ZidTrustEntry *self);
/* A self-signed CA certificate (a root); else an intermediate or a CRL */
gboolean     zid_trust_entry_get_is_anchor   (ZidTrustEntry *self);
/* The file it was read from */
const char  *zid_trust_entry_get_path        (ZidTrustEntry *self);

/* Every certificate and CRL of @environment's @kind trust (built-in
 * first, then the added ones, each by subject), ZidTrustEntry. Files that do
 * not parse are skipped. Never NULL. */
GPtrArray  *zid_trust_store_list       (const char     *data_dir,
                                        ZidEnvironment  environment,
                                        ZidTrustKind    kind);
/* Does @environment's @kind trust hold at least one anchor? */
gboolean    zid_trust_store_has_anchors (const char     *data_dir,
                                        ZidEnvironment  environment,
                                        ZidTrustKind    kind);

/* The portal's environment and data dir, audited.
 *
 * add: every certificate and CRL in @data (PEM, several allowed, or one
 * DER certificate or CRL), all or nothing. Returns the entries (also the
 * ones that were present already: adding twice is harmless). */
GPtrArray  *zid_portal_list_trust      (ZidPortal      *self,
                                        ZidTrustKind    kind);
GPtrArray  *zid_portal_add_trust       (ZidPortal      *self,
                                        ZidTrustKind    kind,
                                        GBytes         *data,
                                        GError        **error);
/* @fingerprint: as zid_trust_entry_get_fingerprint, with or without
 * colons, any case. NOT_FOUND when nothing added has it. */
gboolean    zid_portal_remove_trust    (ZidPortal      *self,
                                        ZidTrustKind    kind,
                                        const char     *fingerprint,
                                        GError        **error);

G_END_DECLS
