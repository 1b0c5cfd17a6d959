/* zid-pkcs11.h — PKCS#11 modules through p11-kit, and their tokens
 *
 * ZidPkcs11 loads the modules the configuration names: those registered
 * with p11-kit (unless load_registered is FALSE) plus the configured module
 * path (the real UZI-pas needs the vendor's SafeSign libaetpkss.so.3; OpenSC
 * reads other cards). Nothing assumes OpenSC. A module that fails to load is
 * an error (ZID_CARD_ERROR_MODULE_LOAD_FAILED, with the path and p11-kit's
 * reason) when it is the configured one; a registered module that fails is
 * skipped and listed by zid_pkcs11_get_load_failures().
 *
 * ZidToken is one token (card) in one slot (reader): its label, its
 * certificates parsed with the UZI profile, PIN state, login and the proof of
 * possession. The blocking functions must not run on the main thread: use
 * the _async variants (GTask, in a worker thread) from a UI. Cancellation is
 * checked between PKCS#11 calls (a single PKCS#11 call cannot be
 * interrupted). All PKCS#11 calls of one ZidPkcs11 are serialised.
 */
#pragma once

#include <gio/gio.h>

#include "zid-card-config.h"
#include "zid-pin.h"
#include "zid-uzi.h"

G_BEGIN_DECLS

#define ZID_TYPE_PKCS11 (zid_pkcs11_get_type ())
G_DECLARE_FINAL_TYPE (ZidPkcs11, zid_pkcs11, ZID, PKCS11, GObject)

#define ZID_TYPE_TOKEN (zid_token_get_type ())
G_DECLARE_FINAL_TYPE (ZidToken, zid_token, ZID, TOKEN, GObject)

/* One certificate on a token; fields are read-only */
#define ZID_TYPE_TOKEN_CERTIFICATE (zid_token_certificate_get_type ())
typedef struct
{
  char           *label;    /* CKA_LABEL */
  GBytes         *id;       /* CKA_ID: finds the private key */
  GBytes         *der;      /* CKA_VALUE */
  ZidUziIdentity *identity; /* parsed UZI identity, or NULL ... */
  GError         *error;    /* ... and why not */
  /*< private >*/
  gatomicrefcount ref_count;
} ZidTokenCertificate;

GType                zid_token_certificate_get_type (void) G_GNUC_CONST;
ZidTokenCertificate *zid_token_certificate_ref      (ZidTokenCertificate *cert);
void                 zid_token_certificate_unref    (ZidTokenCertificate *cert);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidTokenCertificate, zid_token_certificate_unref)

typedef enum
{
  ZID_PIN_STATE_OK,
  ZID_PIN_STATE_COUNT_LOW,  /* CKF_USER_PIN_COUNT_LOW: a wrong PIN was entered */
  ZID_PIN_STATE_FINAL_TRY,  /* CKF_USER_PIN_FINAL_TRY: one try left */
  ZID_PIN_STATE_LOCKED,     /* CKF_USER_PIN_LOCKED */
} ZidPinState;

/* --- ZidPkcs11 ------------------------------------------------------------ */

ZidPkcs11           *zid_pkcs11_new               (const ZidCardConfig  *config,
                                                   GError              **error);
void                 zid_pkcs11_new_async         (const ZidCardConfig  *config,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
ZidPkcs11           *zid_pkcs11_new_finish        (GAsyncResult         *result,
                                                   GError              **error);
const ZidCardConfig *zid_pkcs11_get_config        (ZidPkcs11            *self);
/* "name (path)" of each loaded module */
GStrv                zid_pkcs11_get_module_names  (ZidPkcs11            *self);
/* "path: reason" of each registered module that failed to load */
const char * const  *zid_pkcs11_get_load_failures (ZidPkcs11            *self);

/* The tokens present now (ZidToken, certificates loaded); may be empty */
GPtrArray           *zid_pkcs11_list_tokens       (ZidPkcs11            *self,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
void                 zid_pkcs11_list_tokens_async (ZidPkcs11            *self,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
GPtrArray           *zid_pkcs11_list_tokens_finish (ZidPkcs11           *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

/* The first token holding an UZI authentication certificate. NO_CARD when
 * there is no token at all, NO_UZI_CERTIFICATE (or the precise refusal of
 * the UZI profile) when there are tokens but none is an UZI-pas. */
ZidToken            *zid_pkcs11_find_uzi_token    (ZidPkcs11            *self,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
void                 zid_pkcs11_find_uzi_token_async  (ZidPkcs11        *self,
                                                       GCancellable     *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer          user_data);
ZidToken            *zid_pkcs11_find_uzi_token_finish (ZidPkcs11        *self,
                                                       GAsyncResult     *result,
                                                       GError          **error);

/* --- ZidToken ------------------------------------------------------------- */

/* The slot description: for PC/SC based modules the reader name */
const char          *zid_token_get_reader_name    (ZidToken             *self);
/* Does this token sit in the PC/SC reader of that name? */
gboolean             zid_token_matches_reader     (ZidToken             *self,
                                                   const char           *pcsc_reader_name);
const char          *zid_token_get_label          (ZidToken             *self);
const char          *zid_token_get_serial         (ZidToken             *self);
const char          *zid_token_get_module_name    (ZidToken             *self);
/* ZidTokenCertificate, in token order */
GPtrArray           *zid_token_get_certificates   (ZidToken             *self);
/* The UZI authentication certificate (keyUsage digitalSignature) */
ZidTokenCertificate *zid_token_find_authentication_certificate (ZidToken *self,
                                                                GError  **error);

/* Reads the token flags again (blocking) */
ZidPinState          zid_token_get_pin_state      (ZidToken             *self,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
/* Tries left as far as known (after a failed login), -1 when unknown */
int                  zid_token_get_pin_tries_left (ZidToken             *self);

/* Logs the user in. pin may be NULL only for a protected authentication
 * path (PIN pad). PIN_INCORRECT ("PIN onjuist, nog 2 pogingen"),
 * PIN_LOCKED, PIN_LENGTH (no try is spent), CARD_REMOVED. */
gboolean             zid_token_login              (ZidToken             *self,
                                                   ZidPin               *pin,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
void                 zid_token_login_async        (ZidToken             *self,
                                                   ZidPin               *pin,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean             zid_token_login_finish       (ZidToken             *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);
void                 zid_token_logout             (ZidToken             *self);

/* Signs a fresh random challenge with the private key of cert (found by
 * CKA_ID; RSA PKCS#1 v1.5 SHA-256 or ECDSA SHA-256 by key type) and
 * verifies the signature with the certificate's public key. Needs login.
 * SIGNATURE_INVALID, CARD_REMOVED ("Kaart verwijderd tijdens het
 * ondertekenen"), NO_UZI_CERTIFICATE when there is no private key. */
gboolean             zid_token_prove_possession   (ZidToken             *self,
                                                   ZidTokenCertificate  *cert,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
void                 zid_token_prove_possession_async  (ZidToken            *self,
                                                        ZidTokenCertificate *cert,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean             zid_token_prove_possession_finish (ZidToken            *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

/* The whole check on this token: authentication certificate → validity and
 * key usage → login with pin → proof of possession → chain to the trust
 * anchors (when the configuration has a trust_dir). out_chain (nullable):
 * DER GBytes, leaf first (only the leaf when there is no trust_dir). */
ZidUziIdentity      *zid_token_verify             (ZidToken             *self,
                                                   ZidPin               *pin,
                                                   GCancellable         *cancellable,
                                                   GPtrArray           **out_chain,
                                                   GError              **error);
void                 zid_token_verify_async       (ZidToken             *self,
                                                   ZidPin               *pin,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
ZidUziIdentity      *zid_token_verify_finish      (ZidToken             *self,
                                                   GAsyncResult         *result,
                                                   GPtrArray           **out_chain,
                                                   GError              **error);

G_END_DECLS
