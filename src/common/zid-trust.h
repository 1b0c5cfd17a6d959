/* zid-trust.h — a folder of trust anchors, intermediates and CRLs
 *
 * The UZI-register folder of the card layer and the operator folder of the
 * registration files are read the same way, by zid_trust_folder_load:
 *
 *  - every regular file of the folder (not its subfolders) is read;
 *  - certificates: PEM (several in one file, a bundle) or one DER
 *    certificate; self-signed ones become anchors, the others intermediates;
 *  - CRLs: every "X509 CRL" PEM block in any file, or a DER CRL in a file
 *    that is not PEM;
 *  - fail closed: a file named *.crl that cannot be read or yields no CRL,
 *    and a PEM "X509 CRL" block that does not parse (truncated, altered), are
 *    errors. Ignoring them would switch the revocation check off unseen.
 *
 * Verification stays with the caller (its own reasons and texts);
 * zid_trust_folder_init_context prepares the X509_STORE_CTX the same way
 * for both: the folder's anchors and CRLs, at least 112 bits of security
 * (auth level 2), the CRL check when the folder holds CRLs.
 *
 * Several folders load as one (zid_trust_folder_load_all): an environment's
 * trust is the application's built-in folder (zid_trust_builtin_dir) plus
 * the folder of what the administrator added in the data dir.
 *
 * Errors: ZID_TRUST_ERROR, the message is the reason only (the file's
 * name comes back through failed_path); callers word the refusal.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <glib.h>
#include <openssl/x509.h>

#include "zid-openssl.h"

G_BEGIN_DECLS

#define ZID_TRUST_ERROR (zid_trust_error_quark ())

typedef enum
{
  ZID_TRUST_ERROR_FOLDER,         /* the folder cannot be opened */
  ZID_TRUST_ERROR_CRL_UNREADABLE, /* a *.crl file cannot be read */
  ZID_TRUST_ERROR_CRL_INVALID,    /* a CRL file or PEM block does not parse */
  ZID_TRUST_ERROR_FAILED,         /* out of memory */
} ZidTrustError;

typedef struct
{
  X509_STORE   *store;          /* the anchors and the CRLs */
  ZidX509Stack *intermediates;  /* the folder's other certificates (and added ones) */
  guint         n_anchors;
  guint         n_crls;
} ZidTrustFolder;

GQuark          zid_trust_error_quark         (void);

/* failed_path (nullable): on error, the folder or file that failed */
ZidTrustFolder *zid_trust_folder_load         (const char      *path,
                                               char           **failed_path,
                                               GError         **error);
void            zid_trust_folder_free         (ZidTrustFolder  *self);

typedef enum
{
  ZID_TRUST_LOAD_NONE         = 0,
  ZID_TRUST_LOAD_SKIP_MISSING = 1 << 0, /* a folder that does not exist holds nothing */
} ZidTrustLoadFlags;

/* The folders of @paths (NULL-terminated) as one: their anchors,
 * intermediates and CRLs together. Without SKIP_MISSING a folder that
 * cannot be opened is an error, as for zid_trust_folder_load. */
ZidTrustFolder *zid_trust_folder_load_all     (const char * const *paths,
                                               ZidTrustLoadFlags   flags,
                                               char              **failed_path,
                                               GError            **error);

/* The application's built-in trust for @environment ("acceptatie",
 * "productie") and @kind ("uzi", "operator"):
 * $ZID_BUILTIN_TRUST_DIR/ENVIRONMENT/KIND when that variable is set (an
 * uninstalled build, the tests), else DATADIR/zorgid-portaal/trust/
 * ENVIRONMENT/KIND. The folder need not exist (productie has none). */
char           *zid_trust_builtin_dir         (const char      *environment,
                                               const char      *kind);

/* Adds a certificate (its own reference) as a possible intermediate */
void            zid_trust_folder_add_untrusted (ZidTrustFolder *self,
                                                X509           *cert);

/* X509_STORE_CTX_init for cert with the folder; now (nullable): the time of
 * the check, else the current time. The folder must outlive ctx. */
gboolean        zid_trust_folder_init_context (ZidTrustFolder  *self,
                                               X509_STORE_CTX  *ctx,
                                               X509            *cert,
                                               GDateTime       *now);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidTrustFolder, zid_trust_folder_free)

G_END_DECLS
