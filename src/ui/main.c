/* main.c — zorgid-portaal
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "zid-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(ZidApplication) app = NULL;
  const char *localedir = g_getenv ("ZORGID_LOCALEDIR");
  int status;

  /* ZORGID_LOCALEDIR: the build tree's translations, for running uninstalled */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir && *localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = zid_application_new ();
  status = g_application_run (G_APPLICATION (app), argc, argv);
  /* a window that could not open ended the first start with its reason
   * in a dialog; the status says so too */
  return status != 0 ? status : zid_application_get_exit_status (app);
}
