/* zid-cli-card.h — `zorgid-admin card ...`: the UZI-pas from the command line */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* argv[0] == "card"; returns the process exit status: 0 done, 1 refused
 * (message names the reason), 2 bad usage/input. environment is
 * "acceptatie" or "productie"; json: print machine-readable output on
 * stdout (refusal: {"error": CODE, "message": TEXT}).
 *
 *   card inspect FILE [--json] [--trust DIR] [--extra-oid-ca OID]...
 *   card status [--json] [--module PATH] [--no-registered]
 *   card verify [--pin-file F] [--json] [--module PATH] [--no-registered]
 *               [--trust DIR] [--extra-oid-ca OID]...
 *
 * Environment: ZID_PKCS11_MODULE, ZID_PKCS11_REGISTERED, ZID_UZI_TRUST_DIR,
 * ZID_UZI_EXTRA_OID_CAS (see src/card/zid-card-config.h); options win. */
int zid_cli_card (int          argc,
                  char       **argv,
                  const char  *data_dir,
                  const char  *environment,
                  gboolean     json);

G_END_DECLS
