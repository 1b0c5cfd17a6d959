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

typedef struct
{
  ZidCardConfig *config;
  ZidPin *pin;
  ZidToken *token;
  GPtrArray *chain;
} OneShot;

static void
one_shot_free (OneShot *data)
{
  zid_card_config_free (data->config);
  g_clear_pointer (&data->pin, zid_pin_unref);
  g_clear_object (&data->token);
  g_clear_pointer (&data->chain, g_ptr_array_unref);
  g_free (data);
}

static void
read_identity_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  OneShot *data = task_data;
  GError *error = NULL;
  ZidUziIdentity *identity;

  identity = zid_card_read_identity (data->config, cancellable, &data->token, &error);
  if (identity == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, identity, g_object_unref);
}

void
zid_card_read_identity_async (const ZidCardConfig *config,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  OneShot *data;

  g_return_if_fail (config != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, zid_card_read_identity_async);
  data = g_new0 (OneShot, 1);
  data->config = zid_card_config_copy (config);
  g_task_set_task_data (task, data, (GDestroyNotify) one_shot_free);
  g_task_run_in_thread (task, read_identity_thread);
}

ZidUziIdentity *
zid_card_read_identity_finish (GAsyncResult  *result,
                               ZidToken     **out_token,
                               GError       **error)
{
  ZidUziIdentity *identity;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == zid_card_read_identity_async, NULL);

  identity = g_task_propagate_pointer (G_TASK (result), error);
  if (identity != NULL && out_token != NULL)
    {
      OneShot *data = g_task_get_task_data (G_TASK (result));
      *out_token = g_steal_pointer (&data->token);
    }
  return identity;
}

static void
verify_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  OneShot *data = task_data;
  GError *error = NULL;
  ZidUziIdentity *identity;

  identity = zid_card_verify (data->config, data->pin, cancellable, &data->chain, &error);
  if (identity == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, identity, g_object_unref);
}

void
zid_card_verify_async (const ZidCardConfig *config,
                       ZidPin              *pin,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  OneShot *data;

  g_return_if_fail (config != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, zid_card_verify_async);
  data = g_new0 (OneShot, 1);
  data->config = zid_card_config_copy (config);
  data->pin = pin != NULL ? zid_pin_ref (pin) : NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) one_shot_free);
  g_task_run_in_thread (task, verify_thread);
}

ZidUziIdentity *
zid_card_verify_finish (GAsyncResult  *result,
                        GPtrArray    **out_chain,
                        GError       **error)
{
  ZidUziIdentity *identity;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == zid_card_verify_async, NULL);

  identity = g_task_propagate_pointer (G_TASK (result), error);
  if (identity != NULL && out_chain != NULL)
    {
      OneShot *data = g_task_get_task_data (G_TASK (result));
      *out_chain = g_steal_pointer (&data->chain);
    }
  return identity;
}
