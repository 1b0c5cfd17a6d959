/* zid-card-error.c — the error domain of libzid-card */
#include "zid-card-error.h"

G_DEFINE_QUARK (zid-card-error-quark, zid_card_error)

static const char * const names[] = {
  [ZID_CARD_ERROR_NO_SERVICE] = "no-service",
  [ZID_CARD_ERROR_NO_READER] = "no-reader",
  [ZID_CARD_ERROR_NO_CARD] = "no-card",
  [ZID_CARD_ERROR_CARD_REMOVED] = "card-removed",
  [ZID_CARD_ERROR_MODULE_LOAD_FAILED] = "module-load-failed",
  [ZID_CARD_ERROR_NO_UZI_CERTIFICATE] = "no-uzi-certificate",
  [ZID_CARD_ERROR_PIN_INCORRECT] = "pin-incorrect",
  [ZID_CARD_ERROR_PIN_LOCKED] = "pin-locked",
  [ZID_CARD_ERROR_PIN_LENGTH] = "pin-length",
  [ZID_CARD_ERROR_SIGNATURE_INVALID] = "signature-invalid",
  [ZID_CARD_ERROR_TOKEN] = "token",
  [ZID_CARD_ERROR_NOT_A_CERTIFICATE] = "not-a-certificate",
  [ZID_CARD_ERROR_NO_SUBJECT_ALT_NAME] = "no-subject-alt-name",
  [ZID_CARD_ERROR_NO_UZI_NAME] = "no-uzi-name",
  [ZID_CARD_ERROR_UZI_NAME_MULTIPLE] = "uzi-name-multiple",
  [ZID_CARD_ERROR_UZI_NAME_NOT_IA5] = "uzi-name-not-ia5",
  [ZID_CARD_ERROR_UZI_NAME_FIELDS] = "uzi-name-fields",
  [ZID_CARD_ERROR_UZI_VERSION] = "uzi-version",
  [ZID_CARD_ERROR_CARD_TYPE] = "card-type",
  [ZID_CARD_ERROR_UZI_NUMBER] = "uzi-number",
  [ZID_CARD_ERROR_SUBSCRIBER_NUMBER] = "subscriber-number",
  [ZID_CARD_ERROR_OID_CA_NOT_ALLOWED] = "oid-ca-not-allowed",
  [ZID_CARD_ERROR_EXPIRED] = "expired",
  [ZID_CARD_ERROR_NOT_YET_VALID] = "not-yet-valid",
  [ZID_CARD_ERROR_KEY_USAGE] = "key-usage",
  [ZID_CARD_ERROR_REVOKED] = "revoked",
  [ZID_CARD_ERROR_UNTRUSTED] = "untrusted",
  [ZID_CARD_ERROR_CRL] = "crl",
  [ZID_CARD_ERROR_FAILED] = "failed",
};

const char *
zid_card_error_code_name (int code)
{
  if (code < 0 || code >= (int) G_N_ELEMENTS (names) || names[code] == NULL)
    return "failed";
  return names[code];
}

gboolean
zid_card_error_is_refusal (const GError *error)
{
  if (error == NULL || error->domain != ZID_CARD_ERROR)
    return FALSE;
  return error->code >= ZID_CARD_ERROR_NO_SUBJECT_ALT_NAME &&
         error->code <= ZID_CARD_ERROR_UNTRUSTED;
}
