/* zid-flow-config.h — the card layer's configuration for a portal
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include "zid-card.h"
#include "zid-core.h"

G_BEGIN_DECLS

/* zid_card_config_new_from_environment for the portal's environment, with
 * that environment's UZI trust: the built-in folder and the trust store in
 * the portal's data dir (ZID_UZI_TRUST_DIR still overrides both) */
ZidCardConfig *zid_card_config_new_for_portal (ZidBackend *portal);

/* The same from a data dir and an environment, without a portal */
ZidCardConfig *zid_card_config_new_for_data_dir (const char     *data_dir,
                                                 ZidEnvironment  environment);

/* Can the card's chain be checked with @config (zid_card_config_has_trust)?
 * Else ZID_CARD_ERROR_UNTRUSTED saying that this environment trusts no UZI
 * CA yet and how to add one: the one reason, not a refusal of the card. */
gboolean       zid_card_config_check_trust (const ZidCardConfig  *config,
                                            GError              **error);

G_END_DECLS
