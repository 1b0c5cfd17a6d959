/* zid-card-config.c — what the card layer needs to know */
#include "zid-card-config.h"

#include "zid-trust.h"

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
  /* The environment's built-in UZI trust */
  {
    g_autofree char *builtin = zid_trust_builtin_dir (zid_uzi_environment_to_string (environment), "uzi");
    zid_card_config_add_trust_dir (config, builtin);
  }
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
  copy->trust_dirs = g_strdupv (config->trust_dirs);
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
  g_strfreev (config->trust_dirs);
  g_strfreev (config->extra_oid_cas);
  g_free (config);
}

void
zid_card_config_add_trust_dir (ZidCardConfig *config,
                               const char    *dir)
{
  guint n;

  g_return_if_fail (config != NULL && dir != NULL);

  n = config->trust_dirs != NULL ? g_strv_length (config->trust_dirs) : 0;
  for (guint i = 0; i < n; i++)
    if (g_str_equal (config->trust_dirs[i], dir))
      return;
  config->trust_dirs = g_renew (char *, config->trust_dirs, n + 2);
  config->trust_dirs[n] = g_strdup (dir);
  config->trust_dirs[n + 1] = NULL;
}

char **
zid_card_config_dup_trust_dirs (const ZidCardConfig *config)
{
  g_return_val_if_fail (config != NULL, NULL);

  if (config->trust_dir != NULL && *config->trust_dir != '\0')
    {
      char **one = g_new0 (char *, 2);
      one[0] = g_strdup (config->trust_dir);
      return one;
    }
  return config->trust_dirs != NULL ? g_strdupv (config->trust_dirs) : g_new0 (char *, 1);
}

gboolean
zid_card_config_has_trust (const ZidCardConfig *config)
{
  g_autoptr(ZidTrustFolder) folder = NULL;
  g_auto(GStrv) dirs = NULL;

  g_return_val_if_fail (config != NULL, FALSE);

  if (config->trust_dir != NULL && *config->trust_dir != '\0')
    return TRUE;
  dirs = zid_card_config_dup_trust_dirs (config);
  folder = zid_trust_folder_load_all ((const char * const *) dirs, ZID_TRUST_LOAD_SKIP_MISSING,
                                      NULL, NULL);
  /* a folder that cannot be read: the check itself will say why */
  return folder == NULL || folder->n_anchors > 0;
}
