/* zid-cli.c — what every zorgid-admin command shares: dispatch, refusals,
 * options, the JSON writer and the answers several groups give
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-admin"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "zid-admin-client.h"
#include "zid-backup.h"
#include "zid-card.h"
#include "zid-cli.h"
#include "zid-service.h"

/* Dispatch */

static const ZidCliCommand *
find_command (const ZidCliCommand *table,
              const char          *name)
{
  for (const ZidCliCommand *c = table; c->name != NULL; c++)
    if (g_str_equal (c->name, name))
      return c;
  return NULL;
}

gboolean
zid_cli_open_portal (ZidCli  *cli,
                     GError **error)
{
  if (cli->portal == NULL)
    cli->portal = zid_portal_open (cli->data_dir, cli->environment, NULL, error);
  return cli->portal != NULL;
}

const ZidCliCommand *
zid_cli_find (const ZidCliCommand *table,
              int                  argc,
              char               **argv,
              ZidCliFlags         *flags,
              int                 *n_words)
{
  const ZidCliCommand *command = NULL;

  *flags = 0;
  for (int i = 0; i < argc && table != NULL; i++)
    {
      if ((command = find_command (table, argv[i])) == NULL)
        return NULL;
      *flags |= command->flags;
      if (command->handler != NULL)
        {
          if (n_words)
            *n_words = i + 1;
          return command;
        }
      table = command->subcommands;
    }
  return NULL;
}

void
zid_cli_print_table (const ZidCliCommand *table)
{
  for (const ZidCliCommand *c = table; c->name != NULL; c++)
    g_print ("  %-14s %s\n", c->name, _(c->summary));
}

static char *
table_names (const ZidCliCommand *table)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (const ZidCliCommand *c = table; c->name != NULL; c++)
    g_string_append_printf (names, "%s%s", c == table ? "" : "|", c->name);
  return g_string_free (g_steal_pointer (&names), FALSE);
}

static gboolean
is_help (const char *arg)
{
  return g_str_equal (arg, "--help") || g_str_equal (arg, "-h") || g_str_equal (arg, "help");
}

/* A command's --help, wherever it stands among its options (GOption's
 * spellings; after "--" everything is an argument) */
static gboolean
wants_help (int    argc,
            char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--"))
        return FALSE;
      if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h") ||
          g_str_equal (argv[i], "--help-all") || g_str_equal (argv[i], "-?"))
        return TRUE;
    }
  return FALSE;
}

static int
run_handler (ZidCli              *cli,
             const char          *path,
             const ZidCliCommand *command,
             ZidCliFlags          flags,
             int                  argc,
             char               **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *prgname = g_strdup_printf ("zorgid-admin %s", path);
  int status;

  cli->flags = flags;
  cli->command = command;
  cli->path = g_strdup (path);
  cli->help = wants_help (argc, argv);
  if (cli->remote && !(flags & ZID_CLI_REMOTE))
    return zid_cli_usage_error (cli, _("“zorgid-admin %s” does not run through the server: run it on "
                                       "the server's own computer"), path);
  /* GOption's usage line: "zorgid-admin user register [OPTION…] …" (the
   * server's name stays its own) */
  if (!cli->remote)
    g_set_prgname (prgname);

  if (!cli->help && !(flags & (ZID_CLI_NO_PORTAL | ZID_CLI_OWN_PORTAL)) && !zid_cli_open_portal (cli, &error))
    return zid_cli_fail (cli, error);
  status = command->handler (cli, argc, argv);
  if (!cli->help)
    return status;
  if (!cli->help_shown)
    {
      g_critical ("zorgid-admin %s: the handler did not parse its options first", path);
      return ZID_CLI_REFUSED;
    }
  return ZID_CLI_DONE;
}

static int
run_command (ZidCli              *cli,
             const char          *path,
             const ZidCliCommand *command,
             ZidCliFlags          flags,
             int                  argc,
             char               **argv)
{
  g_autofree char *sub_path = g_strdup_printf ("%s%s%s", path, *path ? " " : "", command->name);
  const ZidCliCommand *sub;

  flags |= command->flags;
  if (command->handler != NULL)
    return run_handler (cli, sub_path, command, flags, argc, argv);

  /* A group: argv[1] names one of its commands */
  if (argc > 1 && (is_help (argv[1]) || g_str_equal (argv[1], "--help-all")))
    {
      g_print (_("Usage: zorgid-admin %s COMMAND [OPTION…]\n"), sub_path);
      g_print ("\n%s\n\n", _(command->summary));
      zid_cli_print_table (command->subcommands);
      g_print ("\n");
      g_print (_("See “zorgid-admin %s COMMAND --help” for a command’s options.\n"), sub_path);
      return ZID_CLI_DONE;
    }
  if (argc < 2 || (sub = find_command (command->subcommands, argv[1])) == NULL)
    {
      g_autofree char *names = table_names (command->subcommands);

      return zid_cli_usage_error (cli, _("Usage: zorgid-admin %s %s; see zorgid-admin %s --help"),
                                  sub_path, names, sub_path);
    }
  return run_command (cli, sub_path, sub, flags, argc - 1, argv + 1);
}

int
zid_cli_run (ZidCli              *cli,
             const char          *path,
             const ZidCliCommand *table,
             int                  argc,
             char               **argv)
{
  const ZidCliCommand *command = find_command (table, argv[0]);

  if (command == NULL)
    return zid_cli_usage_error (cli, _("Unknown command “%s”; see zorgid-admin --help"), argv[0]);
  return run_command (cli, path, command, 0, argc, argv);
}

/* Output */

typedef struct
{
  GString *out;
  GString *err;
} Capture;

static GPrivate capture_key = G_PRIVATE_INIT (g_free);

/* Text is UTF-8 whatever the locale: g_print would convert it to the
 * locale's charset, turning “Zoë” into “Zo?” under LC_ALL=C */
static void
print_out (const char *text)
{
  Capture *capture = g_private_get (&capture_key);

  if (capture != NULL)
    g_string_append (capture->out, text);
  else
    fputs (text, stdout);
}

static void
print_err (const char *text)
{
  Capture *capture = g_private_get (&capture_key);

  if (capture != NULL)
    g_string_append (capture->err, text);
  else
    fputs (text, stderr);
}

void
zid_cli_install_print_handlers (void)
{
  g_set_print_handler (print_out);
  g_set_printerr_handler (print_err);
}

void
zid_cli_write (const char *text,
               gsize       length)
{
  Capture *capture = g_private_get (&capture_key);

  if (capture != NULL)
    g_string_append_len (capture->out, text, (gssize) length);
  else
    {
      fwrite (text, 1, length, stdout);
      fflush (stdout);
    }
}

void
zid_cli_capture_begin (GString *out,
                       GString *err)
{
  Capture *capture = g_new (Capture, 1);

  capture->out = out;
  capture->err = err;
  g_private_replace (&capture_key, capture);
}

void
zid_cli_capture_end (void)
{
  g_private_replace (&capture_key, NULL);
}

/* Refusals
 *
 * The error vocabulary of --json, one place for every command:
 *   ZID_ERROR (libzid-core)       its code names, zid_error_code_name ():
 *                                 invalid-input (also every bad usage), not-found, …
 *   ZID_CARD_ERROR (libzid-card)  its code names, zid_card_error_code_name ():
 *                                 no-service, no-reader, no-card, pin-incorrect, …
 *   ZID_SERVICE_ERROR             a listen address that does not parse: invalid-input
 *   anything else                 "failed"
 * docs/cli.md lists them all. */
const char *
zid_cli_error_code (const GError *error)
{
  if (error->domain == ZID_ERROR)
    return zid_error_code_name (error->code);
  if (error->domain == ZID_BACKUP_ERROR)
    return zid_backup_error_code_name (error->code);
  if (error->domain == ZID_CARD_ERROR)
    return zid_card_error_code_name (error->code);
  if (error->domain == ZID_ADMIN_CLIENT_ERROR)
    switch ((ZidAdminClientError) error->code)
      {
      case ZID_ADMIN_CLIENT_ERROR_CODE:
        return zid_error_code_name (ZID_ERROR_INVALID_INPUT);
      case ZID_ADMIN_CLIENT_ERROR_UNREACHABLE:
        return "unreachable";
      case ZID_ADMIN_CLIENT_ERROR_PIN:
        return "pin-mismatch";
      case ZID_ADMIN_CLIENT_ERROR_ANSWER:
      default:
        return "failed";
      }
  if (g_error_matches (error, ZID_SERVICE_ERROR, ZID_SERVICE_ERROR_ADDRESS))
    return zid_error_code_name (ZID_ERROR_INVALID_INPUT);
  return "failed";
}

int
zid_cli_fail_with_status (ZidCli       *cli,
                          const GError *error,
                          int           status)
{
  if (cli->json)
    {
      g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

      zid_cli_json_string (json, "error", zid_cli_error_code (error));
      zid_cli_json_string (json, "message", error->message);
      zid_cli_json_end (json);
    }
  g_printerr ("zorgid-admin: %s\n", error->message);
  return status;
}

int
zid_cli_fail (ZidCli       *cli,
              const GError *error)
{
  if (g_error_matches (error, ZID_ADMIN_CLIENT_ERROR, ZID_ADMIN_CLIENT_ERROR_CODE))
    return zid_cli_fail_with_status (cli, error, ZID_CLI_USAGE);
  return zid_cli_fail_with_status (cli, error,
                                   error->domain == ZID_ERROR ? zid_error_exit_status (error)
                                                              : ZID_CLI_REFUSED);
}

/* An environment variable's value; NULL when it is unset or empty (an
 * empty line in a service's environment file sets nothing) */
const char *
zid_cli_getenv (const char *name)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0' ? value : NULL;
}

int
zid_cli_usage_error (ZidCli     *cli,
                     const char *format,
                     ...)
{
  g_autoptr(GError) error = NULL;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (ZID_ERROR, ZID_ERROR_INVALID_INPUT, format, args);
  va_end (args);
  return zid_cli_fail_with_status (cli, error, ZID_CLI_USAGE);
}

/* Options */

/* "user show USER" of "user show": " USER" */
static const char *
positional_part (ZidCli     *cli,
                 const char *command)
{
  if (cli->path != NULL && g_str_has_prefix (command, cli->path))
    return command + strlen (cli->path);
  return "";
}

gboolean
zid_cli_parse_args (ZidCli         *cli,
                    const char     *command,
                    GOptionEntry   *entries,
                    int            *argc,
                    char         ***argv,
                    int             min_positional,
                    int             max_positional)
{
  g_autofree char *positional = g_strstrip (g_strdup (positional_part (cli, command)));
  g_autoptr(GOptionContext) context = g_option_context_new (positional);
  g_autoptr(GError) error = NULL;
  g_autofree char *as = NULL;
  GOptionEntry as_entries[] = {
    { "as", 0, 0, G_OPTION_ARG_STRING, &as, N_("Act as this user"), N_("USER") },
    { NULL }
  };

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (cli->command != NULL)
    g_option_context_set_summary (context, _(cli->command->summary));
  g_option_context_set_description (context,
                                    _("Global options (anywhere on the line): --data-dir DIR, "
                                      "--database URI, --environment acceptatie|productie, "
                                      "--json, --version.\n"
                                      "Exit status: 0 done, 1 refused by a rule, 2 bad usage or input."));
  if (cli->flags & ZID_CLI_ACTS_AS)
    g_option_context_add_main_entries (context, as_entries, GETTEXT_PACKAGE);
  if (entries)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (cli->help)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_print ("%s", help);
      cli->help_shown = TRUE;
      return FALSE;
    }
  g_option_context_set_help_enabled (context, FALSE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      zid_cli_usage_error (cli, "%s", error->message);
      return FALSE;
    }
  /* (*argv)[0] is the command itself */
  if (*argc - 1 < min_positional || *argc - 1 > max_positional)
    {
      zid_cli_usage_error (cli, _("Wrong number of arguments for “%s”; see --help"), command);
      return FALSE;
    }
  if (cli->remote)
    {
      /* the server reads and writes no file for a client */
      for (GOptionEntry *e = entries; e != NULL && e->long_name != NULL; e++)
        if (e->arg == G_OPTION_ARG_FILENAME && *(char **) e->arg_data != NULL)
          {
            zid_cli_usage_error (cli, _("--%s names a file on your computer: not available through "
                                        "the server"), e->long_name);
            return FALSE;
          }
      if (as != NULL)
        {
          zid_cli_usage_error (cli, _("--as is not given through the server: you act as the "
                                      "administrator who logged in"));
          return FALSE;
        }
      return TRUE;
    }
  if (!(cli->flags & ZID_CLI_ACTS_AS))
    return TRUE;
  if (as == NULL)
    {
      zid_cli_usage_error (cli, _("Say on whose behalf you act with --as USER"));
      return FALSE;
    }
  return zid_cli_parse_id (cli, as, _("user of --as"), &cli->actor);
}

gboolean
zid_cli_parse_id (ZidCli     *cli,
                  const char *text,
                  const char *what,
                  gint64     *id)
{
  guint64 value;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    {
      zid_cli_usage_error (cli, _("Invalid %s “%s”: a number expected"), what, text ? text : "");
      return FALSE;
    }
  *id = (gint64) value;
  return TRUE;
}

char *
zid_cli_dup_choices (const ZidEnumInfo *(*nth) (guint n))
{
  GString *choices = g_string_new (NULL);
  const ZidEnumInfo *info;

  for (guint i = 0; (info = nth (i)) != NULL; i++)
    g_string_append_printf (choices, "%s%s", i > 0 ? "|" : "", info->name);
  return g_string_free (choices, FALSE);
}

gboolean
zid_cli_resolve_organisation (ZidCli     *cli,
                              const char *ura,
                              gint64     *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOrganisation) o = NULL;

  if (ura == NULL)
    {
      zid_cli_usage_error (cli, _("Give the organisation with --organisation URA"));
      return FALSE;
    }
  o = zid_portal_find_organisation (cli->portal, ura, &error);
  if (o == NULL)
    {
      zid_cli_fail (cli, error);
      return FALSE;
    }
  *id = o->id;
  return TRUE;
}

/* JSON */

JsonBuilder *
zid_cli_json_begin (void)
{
  JsonBuilder *json = json_builder_new ();

  json_builder_begin_object (json);
  return json;
}

/* JSON is UTF-8 whatever the locale (g_print would convert it) */
int
zid_cli_json_end (JsonBuilder *json)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  gsize len;

  json_builder_end_object (json);
  root = json_builder_get_root (json);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &len);
  zid_cli_write (text, len);
  zid_cli_write ("\n", 1);
  return ZID_CLI_DONE;
}

static void
member (JsonBuilder *json,
        const char  *key)
{
  if (key != NULL)
    json_builder_set_member_name (json, key);
}

void
zid_cli_json_begin_object (JsonBuilder *json,
                           const char  *key)
{
  member (json, key);
  json_builder_begin_object (json);
}

void
zid_cli_json_end_object (JsonBuilder *json)
{
  json_builder_end_object (json);
}

void
zid_cli_json_array (JsonBuilder    *json,
                    const char     *key,
                    GPtrArray      *items,
                    ZidCliJsonItem  item)
{
  member (json, key);
  json_builder_begin_array (json);
  for (guint i = 0; i < items->len; i++)
    {
      json_builder_begin_object (json);
      item (json, g_ptr_array_index (items, i));
      json_builder_end_object (json);
    }
  json_builder_end_array (json);
}

/* NULL: null; text that is not UTF-8 is made so (certificates carry any bytes) */
void
zid_cli_json_string (JsonBuilder *json,
                     const char  *key,
                     const char  *value)
{
  member (json, key);
  if (value == NULL)
    json_builder_add_null_value (json);
  else if (g_utf8_validate (value, -1, NULL))
    json_builder_add_string_value (json, value);
  else
    {
      g_autofree char *valid = g_utf8_make_valid (value, -1);

      json_builder_add_string_value (json, valid);
    }
}

void
zid_cli_json_int (JsonBuilder *json,
                  const char  *key,
                  gint64       value)
{
  member (json, key);
  json_builder_add_int_value (json, value);
}

void
zid_cli_json_bool (JsonBuilder *json,
                   const char  *key,
                   gboolean     value)
{
  member (json, key);
  json_builder_add_boolean_value (json, value);
}

/* ISO 8601 in UTC; 0 (unknown): null */
void
zid_cli_json_time (JsonBuilder *json,
                   const char  *key,
                   gint64       unix_seconds)
{
  g_autofree char *text = unix_seconds ? zid_format_time (unix_seconds) : NULL;

  zid_cli_json_string (json, key, text);
}

int
zid_cli_json_print_array (const char     *key,
                          GPtrArray      *items,
                          ZidCliJsonItem  item)
{
  g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

  zid_cli_json_array (json, key, items, item);
  return zid_cli_json_end (json);
}

/* Shared answers */

char *
zid_cli_format_time_local (gint64 t)
{
  g_autoptr(GDateTime) dt = NULL;

  if (t == 0)
    return g_strdup ("-");
  dt = g_date_time_new_from_unix_local (t);
  return g_date_time_format (dt, "%Y-%m-%d %H:%M");
}

/* The commands that hand out a one-time code */
int
zid_cli_print_enrolment (ZidCli         *cli,
                         ZidOneTimeCode *enrolment,
                         ZidQrPng       *png,
                         const GError   *error)
{
  g_autofree char *expires = NULL;

  if (enrolment == NULL)
    return zid_cli_fail (cli, error);
  expires = zid_format_time (enrolment->expires);
  zid_qr_png_finish (png, enrolment->payload);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

      zid_cli_json_int (json, "user", enrolment->user_id);
      zid_cli_json_string (json, "enrolment_payload", enrolment->payload);
      zid_cli_json_string (json, "expires", expires);
      return zid_cli_json_end (json);
    }

  g_print (_("User: %lld\n"), (long long) enrolment->user_id);
  g_print (_("QR code (once, valid until %s):\n%s\n"), expires, enrolment->payload);
  return ZID_CLI_DONE;
}

gboolean
zid_cli_csv_separator (ZidCli     *cli,
                       const char *text,
                       char       *separator)
{
  if (text == NULL || g_str_equal (text, ";"))
    *separator = ';';
  else if (g_str_equal (text, ","))
    *separator = ',';
  else
    {
      zid_cli_usage_error (cli, "Ongeldig scheidingsteken “%s”: gebruik ; of ,", text);
      return FALSE;
    }
  return TRUE;
}
