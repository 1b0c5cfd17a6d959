/* zid-cli-service.c — zorgid-admin service run [--listen ADDRESS:PORT]
 *                                               [--min-free-space MIB]
 *
 * Without --listen it listens where ZID_LISTEN says, if set (a service's
 * settings come from the environment), else as the setting
 * service-address says.
 *
 * Runs the enrolment service in the foreground, without a window, so that
 * 10-day codes can be redeemed when nobody has the application open. Logs
 * to stderr; SIGTERM or SIGINT stop it cleanly (requests in a worker are
 * finished first) with exit status 0. The service's own status (it takes
 * on no work while the disk is nearly full) is told on stderr when it
 * changes, both ways, and with --json also as a JSON line on stdout:
 * {"event": "status", "taking_work": BOOL, "message": TEXT|null}.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-admin"

#include "config.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>

#include "zid-cli.h"
#include "zid-service.h"

typedef struct
{
  GMainLoop *loop;
  ZidCli    *cli;
  gboolean   stopping;
} RunState;

static gboolean
on_signal (gpointer user_data)
{
  RunState *state = user_data;

  if (!state->stopping)
    g_printerr (_("zorgid-admin: stopping the enrolment service\n"));
  state->stopping = TRUE;
  g_main_loop_quit (state->loop);
  return G_SOURCE_CONTINUE;
}

static void
on_enrolled (ZidService *service,
             gint64      user_id,
             int         purpose,
             const char *serial,
             gpointer    user_data)
{
  g_printerr (_("zorgid-admin: user %lld enrolled a mobile ID (certificate %s)\n"),
              (long long) user_id, serial ? serial : "?");
}

static void
on_login (ZidService *service,
          const char *session,
          gint64      user_id,
          gpointer    user_data)
{
  g_printerr (_("zorgid-admin: user %lld logged in\n"), (long long) user_id);
}

static void
on_refused (ZidService *service,
            const char *client,
            const char *path,
            const char *code,
            gpointer    user_data)
{
  g_printerr (_("zorgid-admin: refused %s from %s: %s\n"), path, client, code);
}

static void
on_status_changed (ZidService *service,
                   gpointer    user_data)
{
  RunState *state = user_data;
  g_autofree char *message = zid_service_dup_status_message (service);

  if (message != NULL)
    g_printerr (_("zorgid-admin: the enrolment service takes on no work: %s\n"), message);
  else
    g_printerr (_("zorgid-admin: the enrolment service takes on work again\n"));
  if (state->cli->json)
    {
      g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

      zid_cli_json_string (json, "event", "status");
      zid_cli_json_bool (json, "taking_work", message == NULL);
      zid_cli_json_string (json, "message", message);
      zid_cli_json_end (json);
    }
}

int
zid_cli_serve (ZidCli      *cli,
               const char  *command,
               gboolean     admin,
               int          argc,
               char       **argv)
{
  g_autoptr(ZidService) service = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *listening = NULL;
  g_autofree char *advertised = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *connection = NULL;
  gboolean listen_from_env = FALSE;
  gint64 min_free_mib = -1;
  GOptionEntry entries[] = {
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen,
      N_("Listen here: an IP address, [IPv6] or * for every address; PORT 0 picks a free port. "
      "Without: as ZID_LISTEN says, if set, else as the service-address setting says (on its "
      "IP address only when it names one, else on every address, on its port)"), N_("ADDRESS:PORT") },
    { "min-free-space", 0, 0, G_OPTION_ARG_INT64, &min_free_mib,
      N_("Take on no work while less than MIB mebibytes are free for the data dir (default 256)"),
      N_("MIB") },
    { NULL }
  };
  RunState state = { .cli = cli };
  guint sigterm, sigint;

  if (!zid_cli_parse_args (cli, command, entries, &argc, &argv, 0, 0))
    return ZID_CLI_USAGE;
  /* the option wins over the environment (a service's settings) */
  if (listen == NULL && zid_cli_getenv ("ZID_LISTEN") != NULL)
    {
      listen = g_strdup (zid_cli_getenv ("ZID_LISTEN"));
      listen_from_env = TRUE;
    }
  if (listen != NULL)
    {
      g_autoptr(GInetAddress) address = NULL;
      guint16 port;

      if (!zid_service_parse_listen (listen, &address, &port, &error))
        {
          if (listen_from_env)
            g_prefix_error (&error, "ZID_LISTEN: ");
          return zid_cli_fail_with_status (cli, error, ZID_CLI_USAGE);
        }
    }
  if (min_free_mib != -1 && (min_free_mib < 0 || (guint64) min_free_mib > G_MAXUINT64 / (1024 * 1024)))
    return zid_cli_usage_error (cli, _("--min-free-space: a number of MiB, 0 or more"));

  service = zid_service_new (cli->portal);
  if (admin)
    zid_service_set_admin (service, zid_cli_run_for_client, cli);
  if (min_free_mib >= 0)
    zid_service_set_min_free_space (service, (guint64) min_free_mib * 1024 * 1024);
  if (!zid_service_start (service, listen, &error))
    return zid_cli_fail_with_status (cli, error, ZID_CLI_REFUSED);

  g_signal_connect (service, "enrolled", G_CALLBACK (on_enrolled), NULL);
  g_signal_connect (service, "login-accepted", G_CALLBACK (on_login), NULL);
  g_signal_connect (service, "refused", G_CALLBACK (on_refused), NULL);
  g_signal_connect (service, "status-changed", G_CALLBACK (on_status_changed), &state);

  listening = zid_service_dup_listen_address (service);
  advertised = zid_portal_dup_service_address (cli->portal);
  if (admin && (connection = zid_portal_dup_connection_code (cli->portal, &error)) == NULL)
    return zid_cli_fail (cli, error);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

      zid_cli_json_string (json, "listening", listening);
      zid_cli_json_int (json, "port", zid_service_get_port (service));
      zid_cli_json_string (json, "service_address", advertised ? advertised : "");
      zid_cli_json_string (json, "pin", zid_service_get_pin (service));
      if (connection != NULL)
        zid_cli_json_string (json, "connection_code", connection);
      zid_cli_json_end (json);
    }
  else
    {
      g_print (_("Enrolment service listening on %s (QR codes point to %s, pin %s)\n"),
               listening, advertised ? advertised : "?", zid_service_get_pin (service));
      if (connection != NULL)
        zid_cli_print_connection_code (connection);
      fflush (stdout);
    }

  loop = g_main_loop_new (NULL, FALSE);
  state.loop = loop;
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &state);
  sigint = g_unix_signal_add (SIGINT, on_signal, &state);

  g_main_loop_run (loop);

  zid_service_stop (service);
  /* Let the workers finish what they took on */
  while (zid_service_get_busy (service) > 0)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (sigterm);
  g_source_remove (sigint);
  return ZID_CLI_DONE;
}

static int
cmd_run (ZidCli  *cli,
         int      argc,
         char   **argv)
{
  return zid_cli_serve (cli, "service run", FALSE, argc, argv);
}

const ZidCliCommand zid_cli_service_commands[] = {
  { "run", cmd_run, "run the enrolment service without a window" },
  { NULL }
};
