/* zid-card.h — libzid-card: the UZI-pas through PC/SC and PKCS#11
 *
 * Include this one header. The layers:
 *   zid-card-monitor.h  readers and cards as they come and go (GListModel)
 *   zid-pkcs11.h        PKCS#11 modules (p11-kit) and their tokens
 *   zid-token.h         one token: certificates, PIN, proof of possession
 *   zid-uzi.h           the UZI certificate profile and chain validation
 *   zid-pin.h           the PIN in a secure buffer
 *   zid-card-config.h   modules, trust anchors, environment
 *   zid-card-error.h    ZID_CARD_ERROR
 *
 * And the whole way in one call each:
 *   zid_card_read_identity   find the UZI-pas, read its identity (no PIN)
 *   zid_card_verify          ... and PIN, proof of possession, chain
 *
 * Everything that touches a card blocks (the monitor aside, which reports
 * on the main context): call it from a worker thread. The window never
 * calls it on its main loop; it goes through libzid-flow (zid-card-completion.h),
 * whose steps run in a GTask.
 */
#pragma once

#include <gio/gio.h>

#include "zid-card-config.h"
#include "zid-card-error.h"
#include "zid-card-monitor.h"
#include "zid-pin.h"
#include "zid-pkcs11.h"
#include "zid-reader.h"
#include "zid-token.h"
#include "zid-uzi.h"

G_BEGIN_DECLS

/* Loads the modules, finds the UZI token and parses its authentication
 * certificate. No PIN is asked. out_token (nullable) receives the token, for
 * a following zid_token_verify without loading the modules again. */
ZidUziIdentity  *zid_card_read_identity        (const ZidCardConfig  *config,
                                                GCancellable         *cancellable,
                                                ZidToken            **out_token,
                                                GError              **error);
/* Loads the modules, finds the UZI token and runs zid_token_verify: the
 * verified identity, out_chain (nullable) the DER certificates leaf first. */
ZidUziIdentity  *zid_card_verify               (const ZidCardConfig  *config,
                                                ZidPin               *pin,
                                                GCancellable         *cancellable,
                                                GPtrArray           **out_chain,
                                                GError              **error);

G_END_DECLS
