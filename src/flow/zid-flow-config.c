/* zid-flow-config.c — the card layer's configuration for a portal
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-flow"

#include "zid-flow-config.h"
#include "zid-i18n.h"

ZidCardConfig *
zid_card_config_new_for_data_dir (const char     *data_dir,
                                  ZidEnvironment  environment)
{
  ZidCardConfig *config;
  g_auto(GStrv) dirs = NULL;

  g_return_val_if_fail (data_dir != NULL, NULL);

  config = zid_card_config_new_from_environment (environment == ZID_ENVIRONMENT_PRODUCTIE
                                                   ? ZID_UZI_ENVIRONMENT_PRODUCTIE
                                                   : ZID_UZI_ENVIRONMENT_ACCEPTATIE);
  dirs = zid_trust_store_dirs (data_dir, environment, ZID_TRUST_KIND_UZI);
  for (guint i = 0; dirs[i] != NULL; i++)
    zid_card_config_add_trust_dir (config, dirs[i]);
  return config;
}

ZidCardConfig *
zid_card_config_new_for_portal (ZidBackend *portal)
{
  g_return_val_if_fail (ZID_IS_BACKEND (portal), NULL);

  return zid_card_config_new_for_data_dir (zid_backend_get_data_dir (portal),
                                           zid_backend_get_environment (portal));
}

gboolean
zid_card_config_check_trust (const ZidCardConfig  *config,
                             GError              **error)
{
  g_return_val_if_fail (config != NULL, FALSE);

  if (zid_card_config_has_trust (config))
    return TRUE;
  g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_UNTRUSTED,
               _("No UZI root certificates are trusted yet for %s, so the UZI-pas cannot be "
                 "checked. Add the CA certificates of the UZI register (Preferences, or "
                 "zorgid-admin trust add --kind uzi FILE; for scripts: --trust or "
                 "ZID_UZI_TRUST_DIR)"),
               zid_uzi_environment_to_string (config->environment));
  return FALSE;
}
