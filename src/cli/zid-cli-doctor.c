/* zid-cli-doctor.c — `zorgid-admin doctor`: the readiness check
 *
 * The same checks as the window's "Controle" (src/flow/zid-readiness.h).
 * Exit status 0 when no check failed (warnings allowed), else 1.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-admin"

#include "config.h"

#include <string.h>

#include "zid-cli.h"
#include "zid-readiness.h"
#include "zid-service.h"

static void
json_check (JsonBuilder *json,
            gpointer     item)
{
  ZidReadinessCheck *c = item;

  zid_cli_json_string (json, "id", c->id);
  zid_cli_json_string (json, "state", zid_readiness_state_to_string (c->state));
  zid_cli_json_string (json, "title", c->title);
  zid_cli_json_string (json, "description", c->description);
  zid_cli_json_string (json, "action", c->action);
  zid_cli_json_string (json, "command", c->command);
}

/* The port of the service address, else the environment's default (the
 * same as the service's) */
static guint16
service_port (ZidCli *cli)
{
  g_autofree char *address = zid_portal_dup_service_address (cli->portal);
  const char *colon = address != NULL ? strrchr (address, ':') : NULL;
  guint64 port;

  if (colon != NULL && g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &port, NULL))
    return (guint16) port;
  return zid_portal_default_service_port (zid_portal_get_environment (cli->portal));
}

int
zid_cli_doctor (ZidCli  *cli,
                int      argc,
                char   **argv)
{
  g_autoptr(ZidCardConfig) config = NULL;
  g_autoptr(GPtrArray) checks = NULL;
  gboolean no_card = FALSE;
  int port = 0;
  g_autofree char *port_help =
    g_strdup_printf (_("The enrolment service's port (default: the service address's, else the "
                       "environment's: %d in acceptatie, %d in productie)"),
                     ZID_DEFAULT_SERVICE_PORT_ACCEPTATIE, ZID_DEFAULT_SERVICE_PORT_PRODUCTIE);
  GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, port_help, N_("PORT") },
    { "no-card", 0, 0, G_OPTION_ARG_NONE, &no_card, N_("Skip card service, readers and PKCS#11"), NULL },
    { NULL }
  };

  if (!zid_cli_parse_args (cli, "doctor", entries, &argc, &argv, 0, 0))
    return ZID_CLI_USAGE;
  if (port < 0 || port > 65535)
    return zid_cli_usage_error (cli, _("--port: 1..65535"));
  config = zid_cli_card_config (cli, NULL, NULL, FALSE, NULL);
  checks = zid_readiness_run (ZID_BACKEND (cli->portal), config, port > 0 ? (guint16) port : service_port (cli),
                              no_card ? ZID_READINESS_NO_CARD : ZID_READINESS_NONE, NULL);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

      zid_cli_json_bool (json, "ready", !zid_readiness_any_failed (checks));
      zid_cli_json_array (json, "checks", checks, json_check);
      zid_cli_json_end (json);
    }
  else
    for (guint i = 0; i < checks->len; i++)
      {
        ZidReadinessCheck *c = g_ptr_array_index (checks, i);
        const char * const marks[] = { _("ok  "), _("warn"), _("FAIL") };

        g_print ("[%s] %s: %s\n", marks[c->state], c->title, c->description);
        if (c->command != NULL)
          g_print (_("       fix: %s\n"), c->command);
      }
  return zid_readiness_any_failed (checks) ? ZID_CLI_REFUSED : ZID_CLI_DONE;
}
