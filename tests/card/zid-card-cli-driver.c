/* zid-card-cli-driver.c — runs `card ...` without the rest of zorgid-admin
 *
 * For developing libzid-card alone; the tests use the real zorgid-admin when
 * it is built ($ZID_BUILD_ROOT/src/cli/zorgid-admin). Global options as
 * there: --json and --environment NAME, anywhere.
 */
#include <locale.h>
#include <string.h>

#include "zid-cli-card.h"

int
main (int   argc,
      char *argv[])
{
  const char *environment = "acceptatie";
  gboolean json = FALSE;
  int out = 1;

  setlocale (LC_ALL, "");

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--json") == 0)
        json = TRUE;
      else if (strcmp (argv[i], "--environment") == 0 && i + 1 < argc)
        environment = argv[++i];
      else
        argv[out++] = argv[i];
    }
  argv[out] = NULL;
  if (out < 2 || strcmp (argv[1], "card") != 0)
    {
      g_printerr ("usage: %s card inspect|status|verify ...\n", argv[0]);
      return 2;
    }
  return zid_cli_card (out - 1, argv + 1, NULL, environment, json);
}
