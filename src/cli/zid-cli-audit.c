/* zid-cli-audit.c — `zorgid-admin audit list|verify`, `config get|set` and
 * `overview`: the audit trail and the settings
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-admin"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <gio/gunixoutputstream.h>

#include "zid-cli.h"
#include "zid-csv.h"

static void
json_event (JsonBuilder *json,
            gpointer     item)
{
  ZidAuditEvent *e = item;

  zid_cli_json_int (json, "id", e->id);
  zid_cli_json_time (json, "time", e->time);
  zid_cli_json_string (json, "actor", e->actor);
  zid_cli_json_string (json, "action", e->action);
  zid_cli_json_string (json, "subject", e->subject);
  zid_cli_json_string (json, "details", e->details);
  zid_cli_json_string (json, "hash", e->hash);
}

/* --since/--until: an ISO 8601 time (UTC unless it says otherwise) or a
 * date (its start, or with @end_of_day its last second) */
static gboolean
parse_time (ZidCli      *cli,
            const char  *text,
            const char  *option,
            gboolean     end_of_day,
            gint64      *out)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) when = NULL;
  gboolean date_only = text != NULL && strlen (text) == 10;

  if (text == NULL)
    return TRUE;
  if (date_only)
    {
      g_autofree char *midnight = g_strconcat (text, "T00:00:00Z", NULL);

      when = g_date_time_new_from_iso8601 (midnight, utc);
    }
  else
    when = g_date_time_new_from_iso8601 (text, utc);
  if (when == NULL)
    {
      zid_cli_usage_error (cli, _("Invalid time for %s “%s”: use 2026-12-08 or "
                             "2026-12-08T12:55:07Z"), option, text);
      return FALSE;
    }
  *out = g_date_time_to_unix (when) + (date_only && end_of_day ? 24 * 60 * 60 - 1 : 0);
  return TRUE;
}

/* --user: a number, or a name among the users the actor (--as; else the
 * operator) may see, which must name one of them */
static gboolean
resolve_user (ZidCli      *cli,
              const char  *text,
              gint64       actor,
              gint64      *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GString) matches = NULL;

  if (g_ascii_isdigit (*text))
    return zid_cli_parse_id (cli, text, _("user of --user"), id);
  found = zid_portal_find_audit_users (cli->portal, actor, text, 0, &error);
  if (found == NULL)
    {
      zid_cli_fail (cli, error);
      return FALSE;
    }
  if (found->len == 1)
    {
      *id = zid_user_get_id (g_ptr_array_index (found, 0));
      return TRUE;
    }
  if (found->len == 0)
    {
      g_set_error (&error, ZID_ERROR, ZID_ERROR_NOT_FOUND,
                   _("No user is named “%s” (--user takes a name or a number)"), text);
      zid_cli_fail (cli, error);
      return FALSE;
    }
  matches = g_string_new (NULL);
  for (guint i = 0; i < found->len; i++)
    {
      ZidUser *user = g_ptr_array_index (found, i);

      g_string_append_printf (matches, "\n  %" G_GINT64_FORMAT "  %s %s (%s)", zid_user_get_id (user),
                              zid_user_get_first_name (user), zid_user_get_last_name (user),
                              zid_user_get_birth_date (user));
    }
  zid_cli_usage_error (cli, _("“%s” names %u users; give --user one of these numbers:%s"),
                       text, found->len, matches->str);
  return FALSE;
}

static int
cmd_audit_list (ZidCli  *cli,
                int      argc,
                char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *as = NULL;
  g_autofree char *user = NULL;
  g_autofree char *organisation = NULL;
  g_autofree char *action = NULL;
  g_autofree char *since = NULL;
  g_autofree char *until = NULL;
  g_autofree char *separator = NULL;
  gboolean csv = FALSE;
  char sep = ZID_CSV_SEMICOLON;
  ZidAuditFilter filter = { 0 };
  GOptionEntry entries[] = {
    { "as", 0, 0, G_OPTION_ARG_STRING, &as,
      N_("Only what this user may see (events about users and organisations they manage)"), N_("USER") },
    { "user", 0, 0, G_OPTION_ARG_STRING, &user,
      N_("Events about this user: a number, or a name that names one user"), N_("USER") },
    { "organisation", 0, 0, G_OPTION_ARG_STRING, &organisation,
      N_("Events about this organisation or its members"), N_("URA") },
    { "action", 0, 0, G_OPTION_ARG_STRING, &action,
      N_("This action, or its family (user for user.block, ...)"), N_("ACTION") },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since, N_("From this time on"), N_("TIME") },
    { "until", 0, 0, G_OPTION_ARG_STRING, &until, N_("Up to this time"), N_("TIME") },
    { "csv", 0, 0, G_OPTION_ARG_NONE, &csv,
      N_("Print CSV, newest first (UTF-8 with BOM, local times)"), NULL },
    { "separator", 0, 0, G_OPTION_ARG_STRING, &separator,
      N_("The CSV separator: ; (the default) or ,"), N_("SEP") },
    { NULL }
  };

  if (!zid_cli_parse_args (cli, "audit list", entries, &argc, &argv, 0, 0))
    return ZID_CLI_USAGE;
  /* through the server: what the administrator who logged in may see */
  if (cli->remote && as != NULL)
    return zid_cli_usage_error (cli, _("--as is not given through the server: you act as the "
                                       "administrator who logged in"));
  if (cli->remote)
    filter.as = cli->actor;
  if ((as != NULL && !zid_cli_parse_id (cli, as, _("user of --as"), &filter.as)) ||
      (user != NULL && !resolve_user (cli, user, filter.as, &filter.user)) ||
      (organisation != NULL && !zid_cli_resolve_organisation (cli, organisation, &filter.organisation)) ||
      !parse_time (cli, since, "--since", FALSE, &filter.since) ||
      !parse_time (cli, until, "--until", TRUE, &filter.until) ||
      !zid_cli_csv_separator (cli, separator, &sep))
    return ZID_CLI_USAGE;
  filter.action = action;

  if (csv && !cli->json)
    {
      /* through the server: into the answer */
      g_autoptr(GOutputStream) out = cli->remote ? g_memory_output_stream_new_resizable ()
                                                 : g_unix_output_stream_new (STDOUT_FILENO, FALSE);

      fflush (stdout);
      if (!zid_portal_export_audit_csv (cli->portal, &filter, sep, out, NULL, NULL, &error))
        return zid_cli_fail (cli, error);
      if (cli->remote)
        zid_cli_write (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                       g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)));
      return ZID_CLI_DONE;
    }

  list = zid_portal_list_audit_filtered (cli->portal, &filter, &error);
  if (list == NULL)
    return zid_cli_fail (cli, error);
  if (cli->json)
    return zid_cli_json_print_array ("events", list, json_event);
  for (guint i = 0; i < list->len; i++)
    {
      ZidAuditEvent *e = g_ptr_array_index (list, i);
      g_autofree char *when = zid_format_time (e->time);

      g_print ("%5" G_GINT64_FORMAT "  %s  %-10s %-28s %-10s %s\n", e->id, when, e->actor,
               e->action, e->subject ? e->subject : "-", e->details ? e->details : "");
    }
  return ZID_CLI_DONE;
}

static int
cmd_audit_verify (ZidCli  *cli,
                  int      argc,
                  char   **argv)
{
  g_autoptr(GError) error = NULL;
  gint64 bad = 0;

  if (!zid_cli_parse_args (cli, "audit verify", NULL, &argc, &argv, 0, 0))
    return ZID_CLI_USAGE;
  if (!zid_portal_verify_audit (cli->portal, &bad, &error))
    {
      /* the refusal, naming the first bad event */
      if (cli->json)
        {
          g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

          zid_cli_json_bool (json, "intact", FALSE);
          zid_cli_json_string (json, "error", zid_cli_error_code (error));
          zid_cli_json_string (json, "message", error->message);
          zid_cli_json_int (json, "event", bad);
          zid_cli_json_end (json);
        }
      g_printerr ("zorgid-admin: %s\n", error->message);
      return ZID_CLI_REFUSED;
    }
  if (cli->json)
    {
      g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

      zid_cli_json_bool (json, "intact", TRUE);
      return zid_cli_json_end (json);
    }
  g_print (_("The audit trail is intact\n"));
  return ZID_CLI_DONE;
}

const ZidCliCommand zid_cli_audit_commands[] = {
  { "list", cmd_audit_list, N_("the audit trail [--as USER] [--user USER] [--organisation URA] [--action A] [--since T] [--until T] [--csv [--separator ,]]"), NULL,
    ZID_CLI_REMOTE },
  { "verify", cmd_audit_verify, N_("check the audit trail's hash chain"), NULL, ZID_CLI_REMOTE },
  { NULL }
};

/* config get|set service-address|database
 *
 * The database setting lives beside the store, not in it: it is read and
 * set without opening the store (which may be the one that does not open) */

/* @location as it may be shown: a URI's password hidden */
static char *
shown_location (const char *location)
{
  g_autoptr(GUri) uri = g_uri_parse (location, G_URI_FLAGS_HAS_PASSWORD, NULL);

  if (uri == NULL || g_uri_get_scheme (uri) == NULL || g_str_equal (g_uri_get_scheme (uri), "file"))
    return g_strdup (location);
  if (g_uri_get_query (uri) != NULL && strstr (g_uri_get_query (uri), "password=") != NULL)
    return g_strdup_printf ("%s://…", g_uri_get_scheme (uri));
  return g_uri_to_string_partial (uri, G_URI_HIDE_PASSWORD);
}

static int
config_database (ZidCli    *cli,
                 gboolean   set,
                 char     **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *setting = NULL, *location = NULL, *shown = NULL, *shown_setting = NULL;

  if (set && !zid_portal_set_database_setting (cli->data_dir,
                                               g_str_equal (argv[2], "default") ? NULL : argv[2],
                                               &error))
    return zid_cli_fail (cli, error);
  setting = zid_portal_dup_database_setting (cli->data_dir, &error);
  if (error != NULL)
    return zid_cli_fail (cli, error);
  if ((location = zid_portal_dup_database_location (cli->data_dir, &error)) == NULL)
    return zid_cli_fail (cli, error);
  shown = shown_location (location);
  shown_setting = setting ? shown_location (setting) : NULL;
  if (cli->json)
    {
      g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

      zid_cli_json_string (json, "database", shown);
      zid_cli_json_string (json, "setting", shown_setting);
      return zid_cli_json_end (json);
    }
  g_print ("%s\n", shown);
  return ZID_CLI_DONE;
}

static int
config_command (ZidCli    *cli,
                int        argc,
                char     **argv,
                gboolean   set)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;

  if (!zid_cli_parse_args (cli, set ? "config set service-address|database VALUE"
                                    : "config get service-address|database",
                           NULL, &argc, &argv, set ? 2 : 1, set ? 2 : 1))
    return ZID_CLI_USAGE;
  if (g_str_equal (argv[1], "database"))
    return config_database (cli, set, argv);
  if (!g_str_equal (argv[1], "service-address"))
    return zid_cli_usage_error (cli, _("Usage: config get|set service-address [HOST:PORT], config "
                                       "get|set database [URI|FILE|default]"));
  if (!zid_cli_open_portal (cli, &error))
    return zid_cli_fail (cli, error);
  if (set && !zid_portal_set_service_address (cli->portal, argv[2], &error))
    return zid_cli_fail (cli, error);

  address = zid_portal_dup_service_address (cli->portal);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

      zid_cli_json_string (json, "service_address", address);
      return zid_cli_json_end (json);
    }
  g_print ("%s\n", address);
  return ZID_CLI_DONE;
}

static int
cmd_config_get (ZidCli  *cli,
                int      argc,
                char   **argv)
{
  return config_command (cli, argc, argv, FALSE);
}

static int
cmd_config_set (ZidCli  *cli,
                int      argc,
                char   **argv)
{
  return config_command (cli, argc, argv, TRUE);
}

const ZidCliCommand zid_cli_config_commands[] = {
  { "get", cmd_config_get, N_("service-address: the address QR codes advertise; database: the "
                              "database this data dir opens"), NULL, ZID_CLI_OWN_PORTAL },
  { "set", cmd_config_set, N_("service-address HOST:PORT, database URI|FILE|default"), NULL,
    ZID_CLI_OWN_PORTAL },
  { NULL }
};

/* overview */

int
zid_cli_overview (ZidCli  *cli,
                  int      argc,
                  char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) registrations = NULL;
  g_autofree char *address = NULL;
  gint64 bad = 0;
  gboolean intact;

  if (!zid_cli_parse_args (cli, "overview", NULL, &argc, &argv, 0, 0))
    return ZID_CLI_USAGE;
  address = zid_portal_dup_service_address (cli->portal);
  registrations = zid_portal_list_registrations (cli->portal, TRUE, &error);
  if (registrations == NULL)
    return zid_cli_fail (cli, error);
  intact = zid_portal_verify_audit (cli->portal, &bad, NULL);

  g_print (_("ZORG-ID Portaal %s — environment %s\n"), PACKAGE_VERSION, cli->environment_name);
  g_print (_("Data dir:        %s\n"), zid_portal_get_data_dir (cli->portal));
  g_print (_("Service address: %s\n"), address);
  g_print (_("Registrations:   %u\n"), registrations->len);
  g_print (_("Audit trail:     %s\n"), intact ? _("intact") : _("BROKEN (zorgid-admin audit verify)"));
  g_print ("\n");
  g_print (_("See `zorgid-admin --help` for the commands.\n"));
  return ZID_CLI_DONE;
}
