/* zid-card.c — the UZI-pas in one call */
#define G_LOG_DOMAIN "zid-card"

#include "zid-card.h"

ZidUziIdentity *
zid_card_read_identity (const ZidCardConfig  *config,
                        GCancellable         *cancellable,
                        ZidToken            **out_token,
                        GError              **error)
{
  g_autoptr(ZidPkcs11) pkcs11 = NULL;
  g_autoptr(ZidToken) token = NULL;
  g_autoptr(ZidTokenCertificate) cert = NULL;

  g_return_val_if_fail (config != NULL, NULL);

  pkcs11 = zid_pkcs11_new (config, error);
  if (pkcs11 == NULL)
    return NULL;
  token = zid_pkcs11_find_uzi_token (pkcs11, cancellable, error);
  if (token == NULL)
    return NULL;
  cert = zid_token_find_authentication_certificate (token, error);
  if (cert == NULL)
    return NULL;
  if (out_token != NULL)
    *out_token = g_object_ref (token);
  return g_object_ref (cert->identity);
}

ZidUziIdentity *
zid_card_verify (const ZidCardConfig  *config,
                 ZidPin               *pin,
                 GCancellable         *cancellable,
                 GPtrArray           **out_chain,
                 GError              **error)
{
  g_autoptr(ZidToken) token = NULL;
  g_autoptr(ZidUziIdentity) identity = NULL;

  identity = zid_card_read_identity (config, cancellable, &token, error);
  if (identity == NULL)
    return NULL;
  return zid_token_verify (token, pin, cancellable, out_chain, error);
}
