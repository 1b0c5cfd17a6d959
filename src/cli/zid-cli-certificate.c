/* zid-cli-certificate.c — `zorgid-admin certificate list|revoke|new|crl|ca`:
 * the mobile IDs and the local CA
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-admin"

#include "config.h"

#include <stdio.h>

#include "zid-cli.h"

static void
json_certificate (JsonBuilder *json,
                  gpointer     item)
{
  ZidCertificate *c = item;

  zid_cli_json_string (json, "serial", c->serial);
  zid_cli_json_string (json, "status", c->revoked ? "revoked" : "active");
  zid_cli_json_time (json, "not_before", c->not_before);
  zid_cli_json_time (json, "not_after", c->not_after);
  zid_cli_json_time (json, "revoked_at", c->revoked_at);
  zid_cli_json_string (json, "revoke_reason", c->revoke_reason);
}

static int
cmd_list (ZidCli  *cli,
          int      argc,
          char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  gint64 user;

  if (!zid_cli_parse_args (cli, "certificate list USER", NULL, &argc, &argv, 1, 1) ||
      !zid_cli_parse_id (cli, argv[1], _("user"), &user))
    return ZID_CLI_USAGE;
  if ((list = zid_portal_list_certificates (cli->portal, cli->actor, user, &error)) == NULL)
    return zid_cli_fail (cli, error);
  if (cli->json)
    return zid_cli_json_print_array ("certificates", list, json_certificate);
  for (guint i = 0; i < list->len; i++)
    {
      ZidCertificate *c = g_ptr_array_index (list, i);
      g_autofree char *until = zid_cli_format_time_local (c->not_after);
      g_print (_("%s  %-12s valid until %s\n"), c->serial, c->revoked ? _("revoked") : _("active"), until);
    }
  return ZID_CLI_DONE;
}

static int
cmd_revoke (ZidCli  *cli,
            int      argc,
            char   **argv)
{
  g_autoptr(GError) error = NULL;
  gint64 user;

  if (!zid_cli_parse_args (cli, "certificate revoke USER SERIAL", NULL, &argc, &argv, 2, 2) ||
      !zid_cli_parse_id (cli, argv[1], _("user"), &user))
    return ZID_CLI_USAGE;
  if (!zid_portal_revoke_certificate (cli->portal, cli->actor, user, argv[2], &error))
    return zid_cli_fail (cli, error);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

      zid_cli_json_int (json, "user", user);
      zid_cli_json_string (json, "serial", argv[2]);
      zid_cli_json_string (json, "status", "revoked");
      return zid_cli_json_end (json);
    }
  g_print (_("Certificate %s is revoked\n"), argv[2]);
  return ZID_CLI_DONE;
}

static int
cmd_new (ZidCli  *cli,
         int      argc,
         char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOneTimeCode) enrolment = NULL;
  g_autoptr(ZidQrPng) png = NULL;
  g_autofree char *qr_png = NULL;
  GOptionEntry entries[] = {
    { "qr-png", 0, 0, G_OPTION_ARG_FILENAME, &qr_png, N_("Also write the QR as PNG"), N_("FILE") },
    { NULL }
  };
  gint64 user;

  if (!zid_cli_parse_args (cli, "certificate new USER", entries, &argc, &argv, 1, 1) ||
      !zid_cli_parse_id (cli, argv[1], _("user"), &user))
    return ZID_CLI_USAGE;
  if (!zid_qr_png_begin (qr_png, &png, &error))
    return zid_cli_fail (cli, error);
  enrolment = zid_portal_new_certificate (cli->portal, cli->actor, user, &error);
  return zid_cli_print_enrolment (cli, enrolment, png, error);
}

/* A PEM of the portal's: the CRL or the CA certificate */
static int
print_pem (ZidCli       *cli,
           const char   *command,
           int           argc,
           char        **argv,
           char       *(*dup_pem) (ZidPortal *portal, GError **error))
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pem = NULL;

  if (!zid_cli_parse_args (cli, command, NULL, &argc, &argv, 0, 0))
    return ZID_CLI_USAGE;
  pem = dup_pem (cli->portal, &error);
  if (pem == NULL)
    return zid_cli_fail (cli, error);
  g_print ("%s", pem);
  return ZID_CLI_DONE;
}

static int
cmd_crl (ZidCli  *cli,
         int      argc,
         char   **argv)
{
  return print_pem (cli, "certificate crl", argc, argv, zid_portal_dup_crl_pem);
}

static int
cmd_ca (ZidCli  *cli,
        int      argc,
        char   **argv)
{
  return print_pem (cli, "certificate ca", argc, argv, zid_portal_dup_ca_pem);
}

const ZidCliCommand zid_cli_certificate_commands[] = {
  { "list", cmd_list, N_("a user's certificates (mobile IDs)"), NULL, ZID_CLI_ACTS_AS | ZID_CLI_REMOTE },
  { "revoke", cmd_revoke, N_("revoke a blocked user's certificate (irreversible)"), NULL, ZID_CLI_ACTS_AS | ZID_CLI_REMOTE },
  { "new", cmd_new, N_("a code for a new certificate"), NULL, ZID_CLI_ACTS_AS | ZID_CLI_REMOTE },
  { "crl", cmd_crl, N_("the current CRL (PEM)"), NULL, ZID_CLI_REMOTE },
  { "ca", cmd_ca, N_("the local CA certificate (PEM)"), NULL, ZID_CLI_REMOTE },
  { NULL }
};
