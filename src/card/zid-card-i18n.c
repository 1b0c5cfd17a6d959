/* zid-card-i18n.c — the card layer's messages in the user's language
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include "zid-card-i18n.h"

/* Libraries bind their domain but never call textdomain() */
static void
ensure_domain_bound (void)
{
  static gsize bound = 0;

  if (g_once_init_enter (&bound))
    {
      const char *dir = g_getenv ("ZORGID_LOCALEDIR");

      bindtextdomain (GETTEXT_PACKAGE, dir != NULL && *dir ? dir : LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&bound, 1);
    }
}

const char *
zid_card_gettext (const char *msgid)
{
  g_return_val_if_fail (msgid != NULL, NULL);

  ensure_domain_bound ();
  return g_dgettext (GETTEXT_PACKAGE, msgid);
}
