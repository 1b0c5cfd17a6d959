/* zid-cli-service.h — zorgid-admin service run
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include "zid-portal.h"

G_BEGIN_DECLS

/* argv[0] is "service". Exit status 0 done, 1 refused or failed, 2 usage. */
int zid_cli_service (int         argc,
                     char      **argv,
                     ZidPortal  *portal,
                     gboolean    json);

G_END_DECLS
