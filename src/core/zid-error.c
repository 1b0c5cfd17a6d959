/* zid-error.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include "zid-error.h"

G_DEFINE_QUARK (zid-error-quark, zid_error)

static const char * const code_names[] = {
  [ZID_ERROR_INVALID_INPUT] = "invalid-input",
  [ZID_ERROR_NOT_FOUND] = "not-found",
  [ZID_ERROR_NO_PORTAL_ACCESS] = "no-portal-access",
  [ZID_ERROR_ACTOR_BLOCKED] = "actor-blocked",
  [ZID_ERROR_NOT_PERMITTED] = "not-permitted",
  [ZID_ERROR_ROLE_NOT_ALLOWED] = "role-not-allowed",
  [ZID_ERROR_ONLY_ADMINISTRATOR] = "only-administrator",
  [ZID_ERROR_NO_MOBILE_ID] = "no-mobile-id",
  [ZID_ERROR_ALREADY_BLOCKED] = "already-blocked",
  [ZID_ERROR_NOT_BLOCKED] = "not-blocked",
  [ZID_ERROR_ALREADY_REVOKED] = "already-revoked",
  [ZID_ERROR_USER_BLOCKED] = "user-blocked",
  [ZID_ERROR_CODE_INVALID] = "code-invalid",
  [ZID_ERROR_CODE_EXPIRED] = "code-expired",
  [ZID_ERROR_CODE_USED] = "code-used",
  [ZID_ERROR_NO_REGISTRATION] = "no-registration",
  [ZID_ERROR_REGISTRATION_COMPLETED] = "registration-completed",
  [ZID_ERROR_WRONG_ENVIRONMENT] = "wrong-environment",
  [ZID_ERROR_CERTIFICATE_INVALID] = "certificate-invalid",
  [ZID_ERROR_CERTIFICATE_REVOKED] = "certificate-revoked",
  [ZID_ERROR_SIGNATURE_INVALID] = "signature-invalid",
  [ZID_ERROR_SESSION_INVALID] = "session-invalid",
  [ZID_ERROR_AUDIT_BROKEN] = "audit-broken",
  [ZID_ERROR_STORE] = "store",
  [ZID_ERROR_BUSY] = "busy",
  [ZID_ERROR_CRYPTO] = "crypto",
  [ZID_ERROR_IO] = "io",
};

const char *
zid_error_code_name (int code)
{
  if (code < 0 || code >= (int) G_N_ELEMENTS (code_names) || code_names[code] == NULL)
    return "unknown";
  return code_names[code];
}

int
zid_error_code_from_name (const char *name)
{
  for (int code = 0; code < (int) G_N_ELEMENTS (code_names); code++)
    if (code_names[code] != NULL && g_strcmp0 (code_names[code], name) == 0)
      return code;
  return -1;
}

gboolean
zid_error_is_bad_input (const GError *error)
{
  return error != NULL &&
         error->domain == ZID_ERROR &&
         (error->code == ZID_ERROR_INVALID_INPUT || error->code == ZID_ERROR_NOT_FOUND);
}

/* 0 done, 1 refused by a rule, 2 bad usage or bad input; failures of the
 * machine (store, I/O) are reported as 1 too: the request was not carried out. */
int
zid_error_exit_status (const GError *error)
{
  if (error == NULL)
    return 0;
  if (zid_error_is_bad_input (error))
    return 2;
  return 1;
}
