/* bench-ui-fill.h — one organisation of N users for the window's benchmarks
 *
 * The organisation and its Administrator through the portal API
 * (registration + bootstrap), then N - 1 users with Dutch names, their
 * memberships and name search keys in one transaction on a separate
 * sqlite3 connection (the rows the core writes, as bench/core does).
 * Returns the Administrator's id (the actor).
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include "zid-core.h"

gint64 bench_ui_fill (ZidPortal  *portal,
                      const char *db_path,
                      int         n_users);
