/* zid-card-error.h — the one error domain of libzid-card
 *
 * Every failure of the card layer is a GError in ZID_CARD_ERROR (or
 * G_IO_ERROR_CANCELLED when the caller cancelled). The codes are what a UI
 * acts on; the messages are in the user's language (zid-i18n.h) and
 * can be shown as they are. Each code has a stable machine name
 * (zid_card_error_code_name) for JSON output.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ZID_CARD_ERROR (zid_card_error_quark ())

typedef enum
{
  /* Readers and cards (PC/SC) */
  ZID_CARD_ERROR_NO_SERVICE,          /* pcscd not running: "Kaartlezerdienst niet actief" */
  ZID_CARD_ERROR_NO_READER,           /* no card reader connected */
  ZID_CARD_ERROR_NO_CARD,             /* no card (token) in any reader */
  ZID_CARD_ERROR_CARD_REMOVED,        /* pulled out, also in the middle of an operation */

  /* Tokens (PKCS#11) */
  ZID_CARD_ERROR_MODULE_LOAD_FAILED,  /* a PKCS#11 module could not be loaded (path + reason) */
  ZID_CARD_ERROR_NO_UZI_CERTIFICATE,  /* unknown card: no UZI authentication certificate */
  ZID_CARD_ERROR_PIN_INCORRECT,       /* wrong PIN; message names the tries left when known */
  ZID_CARD_ERROR_PIN_LOCKED,          /* PIN blocked (after 3 wrong PINs on a UZI-pas) */
  ZID_CARD_ERROR_PIN_LENGTH,          /* PIN shorter or longer than the token accepts */
  ZID_CARD_ERROR_SIGNATURE_INVALID,   /* proof of possession failed */
  ZID_CARD_ERROR_TOKEN,               /* any other PKCS#11 failure (message has the CKR_ name) */

  /* The UZI certificate profile (refusals of zid-uzi) */
  ZID_CARD_ERROR_NOT_A_CERTIFICATE,   /* input is no X.509 certificate (PEM or DER) */
  ZID_CARD_ERROR_NO_SUBJECT_ALT_NAME,
  ZID_CARD_ERROR_NO_UZI_NAME,         /* no otherName 2.5.5.5 */
  ZID_CARD_ERROR_UZI_NAME_MULTIPLE,   /* more than one otherName 2.5.5.5 */
  ZID_CARD_ERROR_UZI_NAME_NOT_IA5,
  ZID_CARD_ERROR_UZI_NAME_FIELDS,     /* not 7 fields */
  ZID_CARD_ERROR_UZI_VERSION,         /* version is not 1 */
  ZID_CARD_ERROR_CARD_TYPE,           /* not one of Z N M S */
  ZID_CARD_ERROR_UZI_NUMBER,          /* UZI number not numeric */
  ZID_CARD_ERROR_SUBSCRIBER_NUMBER,   /* subscriber number (URA) not numeric */
  ZID_CARD_ERROR_OID_CA_NOT_ALLOWED,  /* OID CA not allowed in this environment */
  ZID_CARD_ERROR_EXPIRED,             /* "UZI-pas verlopen" */
  ZID_CARD_ERROR_NOT_YET_VALID,
  ZID_CARD_ERROR_KEY_USAGE,           /* certificate not made for this use (also: a CA certificate) */
  ZID_CARD_ERROR_REVOKED,             /* on the UZI register's CRL: "Deze UZI-pas is ingetrokken" */
  ZID_CARD_ERROR_UNTRUSTED,           /* chain does not end in a trust anchor, or too weak */

  /* The UZI trust folder cannot decide (not a refusal of the card) */
  ZID_CARD_ERROR_CRL,                 /* a CRL there is unreadable, out of date, or not the card CA's */

  ZID_CARD_ERROR_FAILED,              /* anything else (I/O, out of memory, ...) */
} ZidCardError;

GQuark       zid_card_error_quark     (void);
const char  *zid_card_error_code_name (int code);

/* TRUE for the refusals of the UZI profile (a certificate we will not accept) */
gboolean     zid_card_error_is_refusal (const GError *error);

G_END_DECLS
