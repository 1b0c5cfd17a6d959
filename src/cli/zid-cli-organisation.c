/* zid-cli-organisation.c — `zorgid-admin organisation bootstrap|list|inactive`
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-admin"

#include "config.h"

#include "zid-cli.h"
#include "zid-csv.h"

static int
cmd_bootstrap (ZidCli  *cli,
               int      argc,
               char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ura = NULL, *first = NULL, *last = NULL, *birth = NULL, *qr_png = NULL;
  GOptionEntry entries[] = {
    { "ura", 0, 0, G_OPTION_ARG_STRING, &ura, N_("URA of the pending registration"), N_("N") },
    { "first-name", 0, 0, G_OPTION_ARG_STRING, &first, N_("First name as in the identity document"), N_("A") },
    { "last-name", 0, 0, G_OPTION_ARG_STRING, &last, N_("Last name as in the identity document"), N_("B") },
    { "birth-date", 0, 0, G_OPTION_ARG_STRING, &birth, N_("Birth date as in the identity document: DD-MM-YYYY or YYYY-MM-DD"), N_("DATE") },
    { "qr-png", 0, 0, G_OPTION_ARG_FILENAME, &qr_png, N_("Also write the enrolment QR as PNG"), N_("FILE") },
    { NULL }
  };
  g_autoptr(ZidOneTimeCode) enrolment = NULL;
  g_autoptr(ZidQrPng) png = NULL;

  if (!zid_cli_parse_args (cli, "organisation bootstrap", entries, &argc, &argv, 0, 0))
    return ZID_CLI_USAGE;
  if (!zid_qr_png_begin (qr_png, &png, &error))
    return zid_cli_fail (cli, error);
  enrolment = zid_portal_bootstrap (cli->portal, ura, first, last, birth, &error);
  return zid_cli_print_enrolment (cli, enrolment, png, error);
}

static void
json_organisation (JsonBuilder *json,
                   gpointer     item)
{
  ZidOrganisation *o = item;

  zid_cli_json_string (json, "ura", o->ura);
  zid_cli_json_string (json, "name", o->name);
  zid_cli_json_string (json, "agb", o->agb);
  zid_cli_json_string (json, "address", o->address);
  zid_cli_json_string (json, "role", zid_role_to_string (o->role));
}

static int
cmd_list (ZidCli  *cli,
          int      argc,
          char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;

  if (!zid_cli_parse_args (cli, "organisation list", NULL, &argc, &argv, 0, 0))
    return ZID_CLI_USAGE;
  if ((list = zid_portal_list_organisations (cli->portal, cli->actor, &error)) == NULL)
    return zid_cli_fail (cli, error);
  if (cli->json)
    return zid_cli_json_print_array ("organisations", list, json_organisation);
  for (guint i = 0; i < list->len; i++)
    {
      ZidOrganisation *o = g_ptr_array_index (list, i);
      g_print ("%s  %-40s %s\n", o->ura, o->name, zid_role_to_string (o->role));
    }
  return ZID_CLI_DONE;
}

static int
cmd_inactive (ZidCli  *cli,
              int      argc,
              char   **argv)
{
  g_autoptr(GError) error = NULL;
  gboolean csv = FALSE;
  g_autofree char *separator = NULL;
  GOptionEntry entries[] = {
    { "csv", 0, 0, G_OPTION_ARG_NONE, &csv,
      N_("Print CSV (UTF-8 with BOM, local times)"), NULL },
    { "separator", 0, 0, G_OPTION_ARG_STRING, &separator,
      N_("The CSV separator: ; (the default) or ,"), N_("SEP") },
    { NULL }
  };
  g_autoptr(GPtrArray) users = NULL;
  char sep = ZID_CSV_SEMICOLON;
  gint64 org;

  if (!zid_cli_parse_args (cli, "organisation inactive ORG", entries, &argc, &argv, 1, 1) ||
      !zid_cli_resolve_organisation (cli, argv[1], &org) ||
      !zid_cli_csv_separator (cli, separator, &sep))
    return ZID_CLI_USAGE;
  if ((users = zid_portal_list_inactive (cli->portal, cli->actor, org, &error)) == NULL)
    return zid_cli_fail (cli, error);
  if (csv && !cli->json)
    {
      g_autoptr(ZidCsv) out = zid_csv_new (sep);
      g_autofree char *text = NULL;
      gsize length;

      zid_csv_add_row (out, "id", "voornaam", "achternaam", "geboortedatum", "status",
                       "laatst_gebruikt", "geregistreerd", NULL);
      for (guint i = 0; i < users->len; i++)
        {
          ZidUser *u = g_ptr_array_index (users, i);

          zid_csv_add_int (out, zid_user_get_id (u));
          zid_csv_add (out, zid_user_get_first_name (u));
          zid_csv_add (out, zid_user_get_last_name (u));
          zid_csv_add (out, zid_user_get_birth_date (u));
          zid_csv_add (out, zid_user_get_blocked (u) ? "geblokkeerd" : "actief");
          zid_csv_add_time (out, zid_user_get_last_use (u));
          zid_csv_add_time (out, zid_user_get_registered (u));
          zid_csv_end_row (out);
        }
      text = zid_csv_free_to_string (g_steal_pointer (&out), &length);
      zid_cli_write (text, length);
      return ZID_CLI_DONE;
    }
  return zid_cli_print_users (cli, users);
}

const ZidCliCommand zid_cli_organisation_commands[] = {
  { "bootstrap", cmd_bootstrap, N_("create the first organisation and its Administrator (acceptatie only)") },
  { "list", cmd_list, N_("the organisations the actor manages"), NULL, ZID_CLI_ACTS_AS | ZID_CLI_REMOTE },
  { "inactive", cmd_inactive, N_("users without use of their mobile ID for more than four weeks"),
    NULL, ZID_CLI_ACTS_AS | ZID_CLI_REMOTE },
  { NULL }
};
