/* zid-cli-service.c — zorgid-admin service run [--listen ADDRESS:PORT]
 *
 * Runs the enrolment service in the foreground, without a window, so that
 * 10-day codes can be redeemed when nobody has the application open. Logs
 * to stderr; SIGTERM or SIGINT stop it cleanly (requests in a worker are
 * finished first) with exit status 0.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "zid-cli-service.h"
#include "zid-service.h"

typedef struct
{
  GMainLoop *loop;
  gboolean   stopping;
} RunState;

static gboolean
on_signal (gpointer user_data)
{
  RunState *state = user_data;

  if (!state->stopping)
    g_printerr ("zorgid-admin: stopping the enrolment service\n");
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
  g_printerr ("zorgid-admin: user %" G_GINT64_FORMAT " enrolled a mobile ID (certificate %s)\n",
              user_id, serial ? serial : "?");
}

static void
on_login (ZidService *service,
          const char *session,
          gint64      user_id,
          gpointer    user_data)
{
  g_printerr ("zorgid-admin: user %" G_GINT64_FORMAT " logged in\n", user_id);
}

static void
on_refused (ZidService *service,
            const char *client,
            const char *path,
            const char *code,
            gpointer    user_data)
{
  g_printerr ("zorgid-admin: refused %s from %s: %s\n", path, client, code);
}

static int
usage (void)
{
  g_printerr ("Usage: zorgid-admin service run [--listen ADDRESS:PORT]\n"
              "  ADDRESS is an IP address, [IPv6] or * for every address; PORT 0 picks a free port.\n"
              "  Without --listen: as the service-address setting says: on its IP address only\n"
              "  when it names one, else on every address, on its port.\n");
  return 2;
}

int
zid_cli_service (int         argc,
                 char      **argv,
                 ZidPortal  *portal,
                 gboolean    json)
{
  g_autoptr(ZidService) service = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *listening = NULL;
  g_autofree char *advertised = NULL;
  const char *listen = NULL;
  RunState state = { 0 };
  guint sigterm, sigint;

  if (argc < 2 || !g_str_equal (argv[1], "run"))
    return usage ();
  for (int i = 2; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--listen") && i + 1 < argc)
        listen = argv[++i];
      else if (g_str_has_prefix (argv[i], "--listen="))
        listen = argv[i] + strlen ("--listen=");
      else
        return usage ();
    }

  if (listen != NULL)
    {
      g_autoptr(GInetAddress) address = NULL;
      guint16 port;

      if (!zid_service_parse_listen (listen, &address, &port, &error))
        {
          g_printerr ("zorgid-admin: %s\n", error->message);
          return 2;
        }
    }

  service = zid_service_new (portal);
  if (!zid_service_start (service, listen, &error))
    {
      g_printerr ("zorgid-admin: %s\n", error->message);
      return 1;
    }

  g_signal_connect (service, "enrolled", G_CALLBACK (on_enrolled), NULL);
  g_signal_connect (service, "login-accepted", G_CALLBACK (on_login), NULL);
  g_signal_connect (service, "refused", G_CALLBACK (on_refused), NULL);

  listening = zid_service_dup_listen_address (service);
  advertised = zid_portal_dup_service_address (portal);
  if (json)
    g_print ("{\"listening\": \"%s\", \"port\": %u, \"service_address\": \"%s\", \"pin\": \"%s\"}\n",
             listening, zid_service_get_port (service), advertised ? advertised : "",
             zid_service_get_pin (service));
  else
    g_print ("Enrolment service listening on %s (QR codes point to %s, pin %s)\n",
             listening, advertised ? advertised : "?", zid_service_get_pin (service));
  fflush (stdout);

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
  return 0;
}
