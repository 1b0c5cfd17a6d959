/* zid-card-config.c — what the card layer needs to know */
#include "zid-card-config.h"

G_DEFINE_BOXED_TYPE (ZidCardConfig, zid_card_config, zid_card_config_copy, zid_card_config_free)

ZidCardConfig *
zid_card_config_new (ZidUziEnvironment environment)
{
  ZidCardConfig *config = g_new0 (ZidCardConfig, 1);

  config->environment = environment;
  config->load_registered = TRUE;
  return config;
}

ZidCardConfig *
zid_card_config_new_from_environment (ZidUziEnvironment environment)
{
  ZidCardConfig *config = zid_card_config_new (environment);
  const char *s;

  s = g_getenv ("ZID_PKCS11_MODULE");
  if (s != NULL && *s != '\0')
    config->module_path = g_strdup (s);
  s = g_getenv ("ZID_PKCS11_REGISTERED");
  if (s != NULL && (g_strcmp0 (s, "0") == 0 || g_ascii_strcasecmp (s, "false") == 0 ||
                    g_ascii_strcasecmp (s, "no") == 0))
    config->load_registered = FALSE;
  s = g_getenv ("ZID_UZI_TRUST_DIR");
  if (s != NULL && *s != '\0')
    config->trust_dir = g_strdup (s);
  s = g_getenv ("ZID_UZI_EXTRA_OID_CAS");
  if (s != NULL && *s != '\0')
    {
      g_auto(GStrv) parts = g_strsplit_set (s, ":,", -1);
      GPtrArray *oids = g_ptr_array_new ();
      for (guint i = 0; parts[i] != NULL; i++)
        if (*g_strstrip (parts[i]) != '\0')
          g_ptr_array_add (oids, g_strdup (parts[i]));
      g_ptr_array_add (oids, NULL);
      config->extra_oid_cas = (char **) g_ptr_array_free (oids, FALSE);
    }
  return config;
}

ZidCardConfig *
zid_card_config_copy (const ZidCardConfig *config)
{
  ZidCardConfig *copy;

  g_return_val_if_fail (config != NULL, NULL);
  copy = g_new0 (ZidCardConfig, 1);
  copy->module_path = g_strdup (config->module_path);
  copy->load_registered = config->load_registered;
  copy->trust_dir = g_strdup (config->trust_dir);
  copy->environment = config->environment;
  copy->extra_oid_cas = g_strdupv (config->extra_oid_cas);
  return copy;
}

void
zid_card_config_free (ZidCardConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->module_path);
  g_free (config->trust_dir);
  g_strfreev (config->extra_oid_cas);
  g_free (config);
}
