/* zid-cli-registration.h — `zorgid-admin registration sign|import|complete`
 *
 *   registration sign --in JSON --key KEY --cert CERT [--chain PEM] --out FILE [--pem]
 *   registration import FILE [--trust DIR]
 *   registration complete --ura N [--pin-file F] [--birth-date D] [--trust DIR]
 *                         [--module PATH] [--qr-png FILE]
 *
 * The file format and the completion steps: docs/registration-file.md.
 */
#pragma once

#include <glib.h>

#include "zid-portal.h"

G_BEGIN_DECLS

/* argv[0] == "registration", argv[1] == "sign"|"import"|"complete".
 * Returns the exit status: 0 done, 1 refused by a rule, 2 bad usage or
 * input. json: the answer (or {"error": CODE, "message": TEXT}) on stdout. */
int zid_cli_registration (int          argc,
                          char       **argv,
                          ZidPortal   *portal,
                          const char  *environment,
                          gboolean     json);

G_END_DECLS
