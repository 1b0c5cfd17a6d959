/* zid-admin.c — zorgid-admin, the portal's command line
 *
 * For scripting, operators and tests. Exit status: 0 done; 1 refused by a
 * rule (the message names the rule); 2 bad usage or bad input. With --json
 * the answer (or {"error": CODE, "message": TEXT}) goes to stdout.
 *
 * main and the top-level table; the commands live in zid-cli-GROUP.c, what
 * they share in zid-cli.c.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-admin"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "zid-cli.h"

/* ZID_CLI_REMOTE: what a remote client may run at the organisation
 * server (docs/server.md), as the administrator who logged in */
const ZidCliCommand zid_cli_commands[] = {
  { "overview", zid_cli_overview, N_("environment, data dir and state") },
  { "registration", NULL, N_("add|list|sign|import|complete organisation registrations"),
    zid_cli_registration_commands },
  { "organisation", NULL, N_("bootstrap|list|inactive"), zid_cli_organisation_commands },
  { "user", NULL, N_("register|list|show|block|unblock"), zid_cli_user_commands,
    ZID_CLI_ACTS_AS },
  { "membership", NULL, N_("set a user's role in an organisation"), zid_cli_membership_commands,
    ZID_CLI_ACTS_AS | ZID_CLI_REMOTE },
  { "attribute", NULL, N_("add an attribute"), zid_cli_attribute_commands,
    ZID_CLI_ACTS_AS | ZID_CLI_REMOTE },
  { "certificate", NULL, N_("list|revoke|new|crl|ca"), zid_cli_certificate_commands },
  { "audit", NULL, N_("list|verify the audit trail"), zid_cli_audit_commands },
  { "config", NULL, N_("get|set service-address|database"), zid_cli_config_commands },
  { "card", NULL, N_("inspect|status|verify the UZI-pas"), zid_cli_card_commands, ZID_CLI_NO_PORTAL },
  { "service", NULL, N_("run the enrolment service without a window"), zid_cli_service_commands },
  { "server", NULL, N_("run|connection-code: the organisation server (phones and remote "
                       "administrators)"), zid_cli_server_commands },
  { "login", zid_cli_login, N_("with --server: log in to the organisation server with the ZORG-ID "
                               "app"), NULL, ZID_CLI_NO_PORTAL },
  { "logout", zid_cli_logout, N_("end the session at the organisation server"), NULL,
    ZID_CLI_NO_PORTAL },
  { "trust", NULL, N_("list|add|remove trusted UZI and operator certificates"), zid_cli_trust_commands },
  { "backup", zid_cli_backup, N_("copy the environment (database, keys, trust) into a new folder") },
  { "restore", zid_cli_restore, N_("restore a backup into a data folder without a store"), NULL,
    ZID_CLI_NO_PORTAL },
  { "doctor", zid_cli_doctor, N_("is this computer ready? card service, readers, card, trust, registration, service") },
  { NULL }
};

static void
print_help (void)
{
  g_print (_("Usage: zorgid-admin [--data-dir DIR] [--database URI] [--environment "
             "acceptatie|productie] [--server CONNECTION-CODE] [--json] COMMAND …\n"));
  g_print ("\n%s\n\n", _("The command line of ZORG-ID Portaal, for scripting and operators."));
  zid_cli_print_table (zid_cli_commands);
  g_print ("\n");
  g_print (_("“zorgid-admin COMMAND --help” lists a command’s own commands or options.\n"
             "--version prints the version. With --json the answers are JSON (docs/cli.md).\n"
             "Exit status: 0 done, 1 refused by a rule, 2 bad usage or input.\n"));
  g_print (_("ZID_DATA_DIR, ZID_DATABASE and ZID_ENVIRONMENT stand for --data-dir, --database and "
             "--environment, ZID_LISTEN for --listen; the option wins.\n"));
}

/* Arguments and text are UTF-8 whatever the locale: in the plain C locale
 * (ASCII) “Zoë” would neither parse as an option's value nor print, so
 * there the character type becomes C.UTF-8's (as Python does, PEP 538);
 * the messages stay the C locale's */
static void
coerce_c_locale (void)
{
  const char *ctype = setlocale (LC_CTYPE, NULL);

  if (ctype != NULL && (g_str_equal (ctype, "C") || g_str_equal (ctype, "POSIX")))
    setlocale (LC_CTYPE, "C.UTF-8");
}

static void
take_value (char       **target,
            const char  *value)
{
  g_free (*target);
  *target = g_strdup (value);
}

/* Global options may stand anywhere; they are taken out of argv */
static gboolean
take_globals (ZidCli  *cli,
              int     *argc,
              char   **argv)
{
  int out = 1;

  for (int i = 1; i < *argc; i++)
    {
      const char *arg = argv[i];
      char **target = NULL;

      if (g_str_equal (arg, "--json"))
        {
          cli->json = TRUE;
          continue;
        }
      if (g_str_equal (arg, "--data-dir") || g_str_has_prefix (arg, "--data-dir="))
        cli->data_dir_given = TRUE;
      if (g_str_equal (arg, "--data-dir"))
        target = &cli->data_dir;
      else if (g_str_equal (arg, "--environment"))
        target = &cli->environment_name;
      else if (g_str_equal (arg, "--database"))
        target = &cli->database;
      else if (g_str_equal (arg, "--server"))
        target = &cli->server;
      else if (g_str_has_prefix (arg, "--data-dir="))
        {
          take_value (&cli->data_dir, arg + strlen ("--data-dir="));
          continue;
        }
      else if (g_str_has_prefix (arg, "--environment="))
        {
          take_value (&cli->environment_name, arg + strlen ("--environment="));
          continue;
        }
      else if (g_str_has_prefix (arg, "--database="))
        {
          take_value (&cli->database, arg + strlen ("--database="));
          continue;
        }
      else if (g_str_has_prefix (arg, "--server="))
        {
          take_value (&cli->server, arg + strlen ("--server="));
          continue;
        }

      if (target != NULL)
        {
          if (i + 1 >= *argc)
            return FALSE;
          take_value (target, argv[++i]);
          continue;
        }
      argv[out++] = argv[i];
    }
  *argc = out;
  argv[out] = NULL;
  return TRUE;
}

static int
run (ZidCli  *cli,
     int      argc,
     char   **argv)
{
  if (!take_globals (cli, &argc, argv))
    return zid_cli_usage_error (cli, _("A global option lacks its value"));

  if (argc >= 2 && g_str_equal (argv[1], "--version"))
    {
      g_print ("zorgid-admin (ZORG-ID Portaal) %s\n", PACKAGE_VERSION);
      return ZID_CLI_DONE;
    }
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      print_help ();
      return argc < 2 ? ZID_CLI_USAGE : ZID_CLI_DONE;
    }

  /* the options win over the environment (a service's settings) */
  if (cli->environment_name == NULL && zid_cli_getenv ("ZID_ENVIRONMENT") != NULL)
    {
      cli->environment_name = g_strdup (zid_cli_getenv ("ZID_ENVIRONMENT"));
      if (!zid_environment_from_string (cli->environment_name, &cli->environment))
        return zid_cli_usage_error (cli, _("Unknown environment “%s” in ZID_ENVIRONMENT: choose "
                                           "acceptatie or productie"), cli->environment_name);
    }
  if (cli->environment_name == NULL)
    cli->environment_name = g_strdup ("acceptatie");
  if (!zid_environment_from_string (cli->environment_name, &cli->environment))
    return zid_cli_usage_error (cli, _("Unknown environment “%s”: choose acceptatie or productie"),
                                cli->environment_name);
  if (cli->data_dir == NULL && zid_cli_getenv ("ZID_DATA_DIR") != NULL)
    {
      cli->data_dir = g_strdup (zid_cli_getenv ("ZID_DATA_DIR"));
      cli->data_dir_given = TRUE;
    }
  if (cli->data_dir == NULL)
    cli->data_dir = zid_portal_default_data_dir (cli->environment);
  /* the portal reads its database from ZID_DATABASE: the option wins */
  if (cli->database != NULL)
    {
      if (*cli->database == '\0')
        return zid_cli_usage_error (cli, _("--database needs a database file or a "
                                           "postgresql:// URI"));
      g_setenv ("ZID_DATABASE", cli->database, TRUE);
    }

  if (zid_cli_remote_wanted (cli, argc - 1, argv + 1))
    return zid_cli_remote_run (cli, argc - 1, argv + 1);
  return zid_cli_run (cli, "", zid_cli_commands, argc - 1, argv + 1);
}

int
main (int   argc,
      char *argv[])
{
  ZidCli cli = { 0 };
  int status;

  const char *localedir = g_getenv ("ZORGID_LOCALEDIR");

  setlocale (LC_ALL, "");
  coerce_c_locale ();
  /* ZORGID_LOCALEDIR: the build tree's translations, for running uninstalled */
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("zorgid-admin");
  zid_cli_install_print_handlers ();

  status = run (&cli, argc, argv);

  g_clear_object (&cli.portal);
  g_free (cli.path);
  g_free (cli.data_dir);
  g_free (cli.database);
  g_free (cli.server);
  g_free (cli.environment_name);
  return status;
}
