/* zid-error.h — the core's error domain
 *
 * Every refusal names the rule it enforces; codes are stable and have a
 * machine name (zid_error_code_name) used in JSON output.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ZID_ERROR (zid_error_quark ())

typedef enum
{
  /* Bad input: the caller can correct it (exit status 2) */
  ZID_ERROR_INVALID_INPUT,
  ZID_ERROR_NOT_FOUND,

  /* Refused by a rule (exit status 1) */
  ZID_ERROR_NO_PORTAL_ACCESS,
  ZID_ERROR_ACTOR_BLOCKED,
  ZID_ERROR_NOT_PERMITTED,
  ZID_ERROR_ROLE_NOT_ALLOWED,
  ZID_ERROR_ONLY_ADMINISTRATOR,
  ZID_ERROR_NO_MOBILE_ID,
  ZID_ERROR_ALREADY_BLOCKED,
  ZID_ERROR_NOT_BLOCKED,
  ZID_ERROR_ALREADY_REVOKED,
  ZID_ERROR_USER_BLOCKED,
  ZID_ERROR_CODE_INVALID,
  ZID_ERROR_CODE_EXPIRED,
  ZID_ERROR_CODE_USED,
  ZID_ERROR_NO_REGISTRATION,
  ZID_ERROR_REGISTRATION_COMPLETED,
  ZID_ERROR_WRONG_ENVIRONMENT,
  ZID_ERROR_CERTIFICATE_INVALID,
  ZID_ERROR_CERTIFICATE_REVOKED,
  ZID_ERROR_SIGNATURE_INVALID,
  ZID_ERROR_SESSION_INVALID,
  ZID_ERROR_AUDIT_BROKEN,

  /* Failures of the machine, not of the request */
  ZID_ERROR_STORE,
  ZID_ERROR_BUSY,
  ZID_ERROR_CRYPTO,
  ZID_ERROR_IO,
} ZidError;

GQuark       zid_error_quark          (void);
const char  *zid_error_code_name      (int code);
/* The code of @name (as zid_error_code_name gives it), or -1 */
int          zid_error_code_from_name (const char *name);
gboolean     zid_error_is_bad_input   (const GError *error);
int          zid_error_exit_status    (const GError *error);

G_END_DECLS
