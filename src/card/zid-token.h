/* zid-token.h — one token (card) in one slot (reader)
 *
 * A ZidToken comes from ZidPkcs11 (zid_pkcs11_list_tokens,
 * zid_pkcs11_find_uzi_token): its label, its certificates parsed with the
 * UZI profile, the PIN state, login and the proof of possession, and
 * zid_token_verify, the whole check at once.
 *
 * Every call blocks on the card: call them from a worker thread, never
 * from a UI's main loop (the window goes through libzid-flow). Cancellation
 * is checked between PKCS#11 calls (a single PKCS#11 call cannot be
 * interrupted).
 */
#pragma once

#include <gio/gio.h>

#include "zid-pin.h"
#include "zid-uzi.h"

G_BEGIN_DECLS

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

/* The whole check on this token: authentication certificate → validity and
 * key usage → login with pin → proof of possession → chain to the trust
 * anchors (when the configuration has a trust_dir). out_chain (nullable):
 * DER GBytes, leaf first (only the leaf when there is no trust_dir). */
ZidUziIdentity      *zid_token_verify             (ZidToken             *self,
                                                   ZidPin               *pin,
                                                   GCancellable         *cancellable,
                                                   GPtrArray           **out_chain,
                                                   GError              **error);

G_END_DECLS
