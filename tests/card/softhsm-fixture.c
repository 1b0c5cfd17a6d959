/* softhsm-fixture.c — SoftHSM2 tokens for the tests
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include <stdlib.h>

#include "softhsm-fixture.h"

char *
zid_test_softhsm_tokens (const char * const *cards,
                         const char * const *labels,
                         int                *status)
{
  const char *pki = g_getenv ("ZID_TEST_PKI");
  const char *tests = g_getenv ("ZID_CARD_TESTS");
  g_autofree char *dir = NULL;
  g_autofree char *conf = NULL;

  if (pki == NULL || tests == NULL || g_getenv ("ZID_PIN_COUNTER_SHIM") == NULL)
    {
      g_printerr ("run through meson test\n");
      *status = 77;
      return NULL;
    }
  if (!g_file_test ("/usr/bin/softhsm2-util", G_FILE_TEST_EXISTS))
    {
      g_printerr ("SKIP: softhsm2 not installed\n");
      *status = 77;
      return NULL;
    }

  dir = g_dir_make_tmp ("zid-softhsm-XXXXXX", NULL);
  for (guint i = 0; dir != NULL && cards[i] != NULL; i++)
    {
      g_autofree char *script = g_build_filename (tests, "softhsm-token.sh", NULL);
      g_autofree char *card = g_build_filename (pki, "cards", cards[i], NULL);
      const char *argv[] = { script, dir, labels[i], "1234", card, NULL };
      g_autoptr(GError) error = NULL;
      int wait_status = 0;

      if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
                         &wait_status, &error) ||
          !g_spawn_check_wait_status (wait_status, &error))
        {
          g_printerr ("softhsm-token.sh: %s\n", error->message);
          *status = 1;
          return NULL;
        }
    }
  if (dir == NULL)
    {
      *status = 1;
      return NULL;
    }
  conf = g_build_filename (dir, "softhsm2.conf", NULL);
  g_setenv ("SOFTHSM2_CONF", conf, TRUE);
  return g_steal_pointer (&dir);
}

ZidCardConfig *
zid_test_softhsm_config (void)
{
  ZidCardConfig *config = zid_card_config_new (ZID_UZI_ENVIRONMENT_ACCEPTATIE);

  config->module_path = g_strdup (g_getenv ("ZID_PIN_COUNTER_SHIM"));
  config->load_registered = FALSE;
  config->trust_dir = g_build_filename (g_getenv ("ZID_TEST_PKI"), "trust", NULL);
  return config;
}

gboolean
zid_test_softhsm_remove (const char *dir)
{
  g_autofree char *quoted = g_shell_quote (dir);
  g_autofree char *cmd = g_strdup_printf ("rm -rf %s", quoted);

  return system (cmd) == 0;
}
