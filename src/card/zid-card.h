/* zid-card.h — libzid-card: the UZI-pas through PC/SC and PKCS#11
 *
 * Include this one header. The layers:
 *   zid-card-monitor.h  readers and cards as they come and go (GListModel)
 *   zid-pkcs11.h        PKCS#11 modules (p11-kit), tokens, PIN, signature
 *   zid-uzi.h           the UZI certificate profile and chain validation
 *   zid-pin.h           the PIN in a secure buffer
 *   zid-card-config.h   modules, trust anchors, environment
 *   zid-card-error.h    ZID_CARD_ERROR
 *
 * And the whole way in one call each, for the window and the command line:
 *   zid_card_read_identity_async   find the UZI-pas, read its identity (no PIN)
 *   zid_card_verify_async          ... and PIN, proof of possession, chain
 */
#pragma once

#include <gio/gio.h>

#include "zid-card-config.h"
#include "zid-card-error.h"
#include "zid-card-monitor.h"
#include "zid-pin.h"
#include "zid-pkcs11.h"
#include "zid-reader.h"
#include "zid-uzi.h"

G_BEGIN_DECLS

/* Loads the modules, finds the UZI token and parses its authentication
 * certificate. No PIN is asked. out_token (nullable) receives the token, for
 * a following zid_token_verify_async without loading the modules again. */
void             zid_card_read_identity_async  (const ZidCardConfig  *config,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
ZidUziIdentity  *zid_card_read_identity_finish (GAsyncResult         *result,
                                                ZidToken            **out_token,
                                                GError              **error);

/* Loads the modules, finds the UZI token and runs zid_token_verify: the
 * verified identity, out_chain (nullable) the DER certificates leaf first. */
void             zid_card_verify_async         (const ZidCardConfig  *config,
                                                ZidPin               *pin,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
ZidUziIdentity  *zid_card_verify_finish        (GAsyncResult         *result,
                                                GPtrArray           **out_chain,
                                                GError              **error);

/* Blocking forms of the two (for the command line and worker threads) */
ZidUziIdentity  *zid_card_read_identity        (const ZidCardConfig  *config,
                                                GCancellable         *cancellable,
                                                ZidToken            **out_token,
                                                GError              **error);
ZidUziIdentity  *zid_card_verify               (const ZidCardConfig  *config,
                                                ZidPin               *pin,
                                                GCancellable         *cancellable,
                                                GPtrArray           **out_chain,
                                                GError              **error);

G_END_DECLS
