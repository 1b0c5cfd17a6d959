/* softhsm-fixture.h — SoftHSM2 tokens for the tests (TESTING.md §B)
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <glib.h>

#include "zid-card.h"

G_BEGIN_DECLS

/* One token per card of the test PKI ($ZID_TEST_PKI/cards/<card>, PIN
 * 1234, label labels[i]) made by $ZID_CARD_TESTS/softhsm-token.sh in a new
 * temporary folder, SOFTHSM2_CONF pointing at it. Returns the folder, or
 * NULL with the exit status to give up with in *status (77: not run through
 * meson test with the PIN counter shim, or SoftHSM2 not installed). */
char     *zid_test_softhsm_tokens (const char * const *cards,
                                   const char * const *labels,
                                   int                *status);
/* Those tokens through the shim alone, the test PKI's trust folder (acceptatie) */
ZidCardConfig *zid_test_softhsm_config (void);
/* Removes the folder; FALSE when that failed */
gboolean  zid_test_softhsm_remove (const char         *dir);

G_END_DECLS
