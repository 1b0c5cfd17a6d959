/* zid-cli-user.c — `zorgid-admin user register|list|show|block|unblock`,
 * `membership set` and `attribute add`: the commands about one user
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-admin"

#include "config.h"

#include <unistd.h>

#include <gio/gunixoutputstream.h>

#include "zid-cli.h"
#include "zid-card-completion.h"
#include "zid-csv.h"
#include "zid-letters.h"

static void
json_membership (JsonBuilder *json,
                 gpointer     item)
{
  ZidMembership *m = item;

  zid_cli_json_string (json, "organisation", m->ura);
  zid_cli_json_string (json, "organisation_name", m->organisation_name);
  zid_cli_json_string (json, "role", zid_role_to_string (m->role));
}

/* USER objects (docs/cli.md) */
static void
json_user (JsonBuilder *json,
           gpointer     item)
{
  ZidUser *user = item;

  zid_cli_json_int (json, "id", zid_user_get_id (user));
  zid_cli_json_string (json, "first_name", zid_user_get_first_name (user));
  zid_cli_json_string (json, "last_name", zid_user_get_last_name (user));
  zid_cli_json_string (json, "birth_date", zid_user_get_birth_date (user));
  zid_cli_json_string (json, "status", zid_user_get_blocked (user) ? "blocked" : "active");
  zid_cli_json_string (json, "block_reason",
                       zid_user_get_blocked (user)
                         ? zid_block_reason_to_string (zid_user_get_block_reason (user)) : NULL);
  zid_cli_json_string (json, "mobile_id", zid_mobile_id_state_to_string (zid_user_get_mobile_id (user)));
  zid_cli_json_time (json, "registered", zid_user_get_registered (user));
  zid_cli_json_time (json, "last_use", zid_user_get_last_use (user));
  zid_cli_json_array (json, "memberships", zid_user_get_memberships (user), json_membership);
}

static void
print_user_line (ZidUser *user)
{
  GPtrArray *memberships = zid_user_get_memberships (user);
  g_autoptr(GString) roles = g_string_new (NULL);
  g_autofree char *last_use = zid_cli_format_time_local (zid_user_get_last_use (user));

  for (guint i = 0; i < memberships->len; i++)
    {
      ZidMembership *m = g_ptr_array_index (memberships, i);

      g_string_append_printf (roles, "%s%s (%s)", i ? ", " : "", m->organisation_name,
                              zid_role_to_string (m->role));
    }
  g_print ("%6" G_GINT64_FORMAT "  %-30s %s  %-11s %-8s %-16s %s\n",
           zid_user_get_id (user), zid_user_get_display_name (user),
           zid_user_get_birth_date (user),
           zid_user_get_blocked (user) ? _("blocked") : _("active"),
           zid_mobile_id_state_to_string (zid_user_get_mobile_id (user)),
           last_use, roles->str);
}

int
zid_cli_print_users (ZidCli    *cli,
                     GPtrArray *users)
{
  if (cli->json)
    return zid_cli_json_print_array ("users", users, json_user);
  for (guint i = 0; i < users->len; i++)
    print_user_line (g_ptr_array_index (users, i));
  return ZID_CLI_DONE;
}

/* user */

static int
cmd_register (ZidCli  *cli,
              int      argc,
              char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *org_ura = NULL, *first = NULL, *last = NULL, *birth = NULL;
  g_autofree char *qr_png = NULL;
  GOptionEntry entries[] = {
    { "organisation", 0, 0, G_OPTION_ARG_STRING, &org_ura, N_("Organisation (URA)"), N_("ORG") },
    { "first-name", 0, 0, G_OPTION_ARG_STRING, &first, N_("First name as in the identity document"), N_("X") },
    { "last-name", 0, 0, G_OPTION_ARG_STRING, &last, N_("Last name as in the identity document"), N_("Y") },
    { "birth-date", 0, 0, G_OPTION_ARG_STRING, &birth, N_("Birth date as in the identity document: DD-MM-YYYY or YYYY-MM-DD"), N_("DATE") },
    { "qr-png", 0, 0, G_OPTION_ARG_FILENAME, &qr_png, N_("Also write the enrolment QR as PNG"), N_("FILE") },
    { NULL }
  };
  g_autoptr(ZidOneTimeCode) enrolment = NULL;
  g_autoptr(ZidQrPng) png = NULL;
  gint64 org;

  if (!zid_cli_parse_args (cli, "user register", entries, &argc, &argv, 0, 0) ||
      !zid_cli_resolve_organisation (cli, org_ura, &org))
    return ZID_CLI_USAGE;
  if (!zid_qr_png_begin (qr_png, &png, &error))
    return zid_cli_fail (cli, error);
  enrolment = zid_portal_register_user (cli->portal, cli->actor, org, first, last, birth, &error);
  return zid_cli_print_enrolment (cli, enrolment, png, error);
}

static const char *
outcome_label (ZidImportOutcome outcome)
{
  static const char * const labels[] = { N_("new"), N_("membership"), N_("skipped"), N_("refused") };

  return _(labels[outcome]);
}

static void
json_import_row (JsonBuilder *json,
                 gpointer     item)
{
  ZidImportRow *row = item;

  zid_cli_json_int (json, "line", row->line);
  zid_cli_json_string (json, "first_name", row->first_name);
  zid_cli_json_string (json, "last_name", row->last_name);
  zid_cli_json_string (json, "birth_date", row->birth_date[0] ? row->birth_date : NULL);
  zid_cli_json_string (json, "outcome", zid_import_outcome_to_string (row->outcome));
  zid_cli_json_string (json, "reason", row->reason);
  if (row->user > 0)
    zid_cli_json_int (json, "user", row->user);
  if (row->code != NULL)
    {
      g_autofree char *expires = zid_format_time (row->code->expires);

      zid_cli_json_string (json, "enrolment_payload", row->code->payload);
      zid_cli_json_string (json, "expires", expires);
    }
}

static int
print_import (ZidCli    *cli,
              ZidImport *import,
              gboolean   dry_run)
{
  if (cli->json)
    {
      g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

      zid_cli_json_bool (json, "dry_run", dry_run);
      zid_cli_json_begin_object (json, "counts");
      zid_cli_json_int (json, "new", import->n_new);
      zid_cli_json_int (json, "membership", import->n_membership);
      zid_cli_json_int (json, "skipped", import->n_skipped);
      zid_cli_json_int (json, "refused", import->n_refused);
      zid_cli_json_end_object (json);
      zid_cli_json_array (json, "rows", import->rows, json_import_row);
      return zid_cli_json_end (json);
    }

  g_print (_("%s: %u new, %u added to the organisation, %u skipped, %u refused\n"),
           dry_run ? _("Trial (nobody is registered)") : _("Registered"),
           import->n_new, import->n_membership, import->n_skipped, import->n_refused);
  for (guint i = 0; i < import->rows->len; i++)
    {
      ZidImportRow *row = g_ptr_array_index (import->rows, i);

      g_print (_("line %u\t%s\t%s %s\t%s"), row->line, outcome_label (row->outcome),
               row->first_name, row->last_name, row->birth_date);
      if (row->reason != NULL)
        g_print ("\t%s", row->reason);
      if (row->code != NULL)
        g_print ("\t%s", row->code->payload);
      g_print ("\n");
    }
  return ZID_CLI_DONE;
}

/* The file of `user import`: FILE, or "-" for the standard input; at the
 * server, "-" is what the client sent, and nothing of the server's own is
 * read */
static ZidImport *
read_import (ZidCli      *cli,
             const char  *path,
             GError     **error)
{
  if (!g_str_equal (path, "-") && !cli->remote)
    return zid_import_read_file (path, error);
  if (!g_str_equal (path, "-") || (cli->remote && cli->input == NULL))
    return g_set_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT,
                        _("“%s” is not a file on your computer: name the file to import"), path), NULL;
  if (cli->remote)
    return zid_import_parse (g_bytes_get_data (cli->input, NULL), g_bytes_get_size (cli->input), error);
  return zid_import_read_fd (STDIN_FILENO, _("the standard input"), error);
}

static int
cmd_import (ZidCli  *cli,
            int      argc,
            char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *org_ura = NULL, *role_name = NULL, *letters_path = NULL;
  gboolean dry_run = FALSE;
  GOptionEntry entries[] = {
    { "organisation", 0, 0, G_OPTION_ARG_STRING, &org_ura, N_("Organisation (URA)"), N_("ORG") },
    { "role", 0, 0, G_OPTION_ARG_STRING, &role_name,
      N_("Role for rows without one: Gebruiker (default), Beheerder or Administrator"), N_("ROLE") },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, N_("Show what each row would do; register nobody"), NULL },
    { "letters", 0, 0, G_OPTION_ARG_FILENAME, &letters_path,
      N_("Write the new users' enrolment letters to this PDF (0600); if it cannot be written, nobody is registered"), N_("FILE") },
    { NULL }
  };
  g_autoptr(ZidImport) import = NULL;
  g_autoptr(ZidOrganisation) organisation = NULL;
  ZidImportLetters letters = { NULL, NULL };
  ZidRole role = ZID_ROLE_GEBRUIKER;
  gint64 org;

  if (!zid_cli_parse_args (cli, "user import FILE", entries, &argc, &argv, 1, 1) ||
      !zid_cli_resolve_organisation (cli, org_ura, &org))
    return ZID_CLI_USAGE;
  if (role_name != NULL && (role = zid_role_from_string (role_name)) == ZID_ROLE_NONE)
    return zid_cli_usage_error (cli, _("Unknown role “%s”: Gebruiker, Beheerder or Administrator"), role_name);

  if ((import = read_import (cli, argv[1], &error)) == NULL)
    return zid_cli_fail_with_status (cli, error, ZID_CLI_USAGE);
  organisation = zid_portal_find_organisation (cli->portal, org_ura, NULL);
  letters = (ZidImportLetters) { letters_path, organisation ? organisation->name : org_ura };
  if (dry_run ? !zid_portal_check_import (cli->portal, cli->actor, org, role, import, &error)
              : !zid_portal_import_users (cli->portal, cli->actor, org, role, import,
                                          letters_path ? zid_letters_write_import : NULL, &letters,
                                          &error))
    return zid_cli_fail (cli, error);
  return print_import (cli, import, dry_run);
}

/* `--csv`: what @export writes, on standard output */
typedef gboolean (*ExportCsvFunc) (ZidPortal      *portal,
                                   gint64          actor,
                                   gint64          organisation,
                                   char            separator,
                                   GOutputStream  *out,
                                   GCancellable   *cancellable,
                                   guint          *n_rows,
                                   GError        **error);

static int
print_csv (ZidCli        *cli,
           ExportCsvFunc  export,
           gint64         organisation,
           char           separator)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);

  fflush (stdout);
  if (!export (cli->portal, cli->actor, organisation, separator, out, NULL, NULL, &error))
    return zid_cli_fail (cli, error);
  return ZID_CLI_DONE;
}

static int
cmd_list (ZidCli  *cli,
          int      argc,
          char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *org_ura = NULL, *search = NULL, *separator = NULL;
  gboolean csv = FALSE;
  GOptionEntry entries[] = {
    { "organisation", 0, 0, G_OPTION_ARG_STRING, &org_ura, N_("Only this organisation (URA)"), N_("ORG") },
    { "search", 0, 0, G_OPTION_ARG_STRING, &search, N_("Name prefix"), N_("TEXT") },
    { "csv", 0, 0, G_OPTION_ARG_NONE, &csv,
      N_("Print CSV (UTF-8 with BOM, local times), every column of the overview"), NULL },
    { "separator", 0, 0, G_OPTION_ARG_STRING, &separator,
      N_("The CSV separator: ; (the default) or ,"), N_("SEP") },
    { NULL }
  };
  g_autoptr(GPtrArray) users = NULL;
  gint64 org = 0;
  char sep = ZID_CSV_SEMICOLON;

  if (!zid_cli_parse_args (cli, "user list", entries, &argc, &argv, 0, 0) ||
      (org_ura != NULL && !zid_cli_resolve_organisation (cli, org_ura, &org)) ||
      !zid_cli_csv_separator (cli, separator, &sep))
    return ZID_CLI_USAGE;
  if (csv && search != NULL)
    return zid_cli_usage_error (cli, _("--csv exports every user of the organisation: leave out --search"));
  if (csv && !cli->json)
    return print_csv (cli, zid_portal_export_users_csv, org, sep);
  if ((users = zid_portal_list_users (cli->portal, cli->actor, org, search, &error)) == NULL)
    return zid_cli_fail (cli, error);
  return zid_cli_print_users (cli, users);
}

static void
json_pending (JsonBuilder *json,
              gpointer     item)
{
  ZidPendingEnrolment *p = item;

  zid_cli_json_begin_object (json, "user");
  json_user (json, p->user);
  zid_cli_json_end_object (json);
  zid_cli_json_string (json, "purpose", p->purpose == ZID_CODE_ENROLMENT ? "registration" : "new-certificate");
  zid_cli_json_time (json, "created", p->created);
  zid_cli_json_time (json, "expires", p->expires);
  zid_cli_json_bool (json, "expired", p->expired);
}

static int
cmd_pending (ZidCli  *cli,
             int      argc,
             char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *org_ura = NULL, *separator = NULL;
  gboolean csv = FALSE;
  GOptionEntry entries[] = {
    { "organisation", 0, 0, G_OPTION_ARG_STRING, &org_ura, N_("Organisation (URA)"), N_("ORG") },
    { "csv", 0, 0, G_OPTION_ARG_NONE, &csv, N_("Print CSV (UTF-8 with BOM, local times)"), NULL },
    { "separator", 0, 0, G_OPTION_ARG_STRING, &separator,
      N_("The CSV separator: ; (the default) or ,"), N_("SEP") },
    { NULL }
  };
  g_autoptr(GPtrArray) pending = NULL;
  gint64 org;
  char sep = ZID_CSV_SEMICOLON;

  if (!zid_cli_parse_args (cli, "user pending", entries, &argc, &argv, 0, 0) ||
      !zid_cli_resolve_organisation (cli, org_ura, &org) ||
      !zid_cli_csv_separator (cli, separator, &sep))
    return ZID_CLI_USAGE;
  if (csv && !cli->json)
    return print_csv (cli, zid_portal_export_pending_csv, org, sep);
  if ((pending = zid_portal_list_pending (cli->portal, cli->actor, org, &error)) == NULL)
    return zid_cli_fail (cli, error);
  if (cli->json)
    return zid_cli_json_print_array ("pending", pending, json_pending);

  for (guint i = 0; i < pending->len; i++)
    {
      ZidPendingEnrolment *p = g_ptr_array_index (pending, i);
      g_autofree char *expires = zid_cli_format_time_local (p->expires);
      g_autofree char *name = g_strdup_printf ("%s %s", zid_user_get_first_name (p->user),
                                               zid_user_get_last_name (p->user));

      g_print ("%6" G_GINT64_FORMAT "  %-30s %s  %-18s %s%s\n", zid_user_get_id (p->user), name,
               zid_user_get_birth_date (p->user),
               p->purpose == ZID_CODE_ENROLMENT ? _("registration") : _("new certificate"),
               expires, p->expired ? _("  expired") : "");
    }
  return ZID_CLI_DONE;
}

static void
json_attribute (JsonBuilder *json,
                gpointer     item)
{
  ZidAttribute *a = item;

  zid_cli_json_string (json, "type", a->type);
  zid_cli_json_string (json, "organisation", a->ura);
  zid_cli_json_string (json, "task_code", a->task_code);
}

static int
cmd_show (ZidCli  *cli,
          int      argc,
          char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidUser) u = NULL;
  g_autoptr(GPtrArray) attributes = NULL;
  g_autoptr(GPtrArray) certificates = NULL;
  gint64 user;

  if (!zid_cli_parse_args (cli, "user show USER", NULL, &argc, &argv, 1, 1) ||
      !zid_cli_parse_id (cli, argv[1], _("user"), &user))
    return ZID_CLI_USAGE;
  if ((u = zid_portal_get_user (cli->portal, cli->actor, user, &error)) == NULL ||
      (attributes = zid_portal_list_attributes (cli->portal, cli->actor, user, &error)) == NULL ||
      (certificates = zid_portal_list_certificates (cli->portal, cli->actor, user, &error)) == NULL)
    return zid_cli_fail (cli, error);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

      zid_cli_json_begin_object (json, "user");
      json_user (json, u);
      zid_cli_json_end_object (json);
      zid_cli_json_array (json, "attributes", attributes, json_attribute);
      zid_cli_json_int (json, "certificates", certificates->len);
      return zid_cli_json_end (json);
    }
  print_user_line (u);
  for (guint i = 0; i < attributes->len; i++)
    {
      ZidAttribute *a = g_ptr_array_index (attributes, i);
      g_print (_("  attribute %s  organisation %s  task code %s\n"), a->type, a->ura, a->task_code);
    }
  g_print (ngettext ("  %u certificate\n", "  %u certificates\n", certificates->len), certificates->len);
  return ZID_CLI_DONE;
}

static int
block_or_unblock (ZidCli    *cli,
                  int        argc,
                  char     **argv,
                  gboolean   block)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *reason_name = NULL;
  g_autofree char *reasons = zid_cli_dup_choices (zid_block_reason_nth);
  GOptionEntry entries[] = {
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason_name, reasons, N_("REASON") },
    { NULL }
  };
  gint64 user;
  gboolean ok;

  if (!block)
    entries[0].long_name = NULL;
  if (!zid_cli_parse_args (cli, block ? "user block USER" : "user unblock USER", entries,
                           &argc, &argv, 1, 1) ||
      !zid_cli_parse_id (cli, argv[1], _("user"), &user))
    return ZID_CLI_USAGE;
  if (block)
    {
      ZidBlockReason reason;

      if (!zid_block_reason_from_cli_name (reason_name, &reason))
        {
          g_autofree char *names = zid_block_reason_dup_cli_names ();

          return zid_cli_usage_error (cli, _("Unknown or missing reason “%s”: choose %s"),
                                      reason_name ? reason_name : "", names);
        }
      ok = zid_portal_block_user (cli->portal, cli->actor, user, reason, &error);
    }
  else
    ok = zid_portal_unblock_user (cli->portal, cli->actor, user, &error);
  if (!ok)
    return zid_cli_fail (cli, error);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

      zid_cli_json_int (json, "user", user);
      zid_cli_json_string (json, "status", block ? "blocked" : "active");
      return zid_cli_json_end (json);
    }
  g_print (block ? _("User %lld is blocked\n") : _("User %lld is activated\n"), (long long) user);
  return ZID_CLI_DONE;
}

static int
cmd_block (ZidCli  *cli,
           int      argc,
           char   **argv)
{
  return block_or_unblock (cli, argc, argv, TRUE);
}

static int
cmd_unblock (ZidCli  *cli,
             int      argc,
             char   **argv)
{
  return block_or_unblock (cli, argc, argv, FALSE);
}

const ZidCliCommand zid_cli_user_commands[] = {
  { "register", cmd_register, N_("register a user in an organisation (an enrolment code)"), NULL, ZID_CLI_REMOTE },
  { "import", cmd_import, N_("register the people of a CSV file at once (--dry-run: a preview)"), NULL,
    ZID_CLI_REMOTE | ZID_CLI_UPLOAD },
  { "list", cmd_list, N_("the users the actor manages"), NULL, ZID_CLI_REMOTE },
  { "pending", cmd_pending, N_("enrolments still open (codes not used yet), the first to expire first"), NULL, ZID_CLI_REMOTE },
  { "show", cmd_show, N_("one user, their attributes and certificates"), NULL, ZID_CLI_REMOTE },
  { "block", cmd_block, N_("block a user (everywhere), with a reason"), NULL, ZID_CLI_REMOTE },
  { "unblock", cmd_unblock, N_("activate a blocked user again"), NULL, ZID_CLI_REMOTE },
  { NULL }
};

/* membership */

static int
cmd_membership_set (ZidCli  *cli,
                    int      argc,
                    char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOneTimeCode) enrolment = NULL;
  g_autofree char *org_ura = NULL, *role_name = NULL;
  GOptionEntry entries[] = {
    { "organisation", 0, 0, G_OPTION_ARG_STRING, &org_ura, N_("Organisation (URA)"), N_("ORG") },
    { "role", 0, 0, G_OPTION_ARG_STRING, &role_name, N_("Administrator|Beheerder|Gebruiker"), N_("ROLE") },
    { NULL }
  };
  gint64 user, org;
  ZidRole role;

  if (!zid_cli_parse_args (cli, "membership set USER", entries, &argc, &argv, 1, 1) ||
      !zid_cli_parse_id (cli, argv[1], _("user"), &user))
    return ZID_CLI_USAGE;
  role = zid_role_from_string (role_name);
  if (role == ZID_ROLE_NONE)
    return zid_cli_usage_error (cli, _("Unknown role “%s”: choose Administrator, Beheerder or Gebruiker"),
                                role_name ? role_name : "");
  if (!zid_cli_resolve_organisation (cli, org_ura, &org))
    return ZID_CLI_USAGE;
  if (!zid_portal_set_membership (cli->portal, cli->actor, user, org, role, &enrolment, &error))
    return zid_cli_fail (cli, error);
  if (enrolment != NULL)
    return zid_cli_print_enrolment (cli, enrolment, NULL, NULL);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

      zid_cli_json_int (json, "user", user);
      zid_cli_json_string (json, "organisation", org_ura);
      zid_cli_json_string (json, "role", zid_role_to_string (role));
      return zid_cli_json_end (json);
    }
  g_print (_("User %lld now has the role %s in %s\n"), (long long) user,
           zid_role_to_string (role), org_ura);
  return ZID_CLI_DONE;
}

const ZidCliCommand zid_cli_membership_commands[] = {
  { "set", cmd_membership_set, "set a user's role in an organisation" },
  { NULL }
};

/* attribute */

/* §8.1: via the UZI-pas, for the actor's own ID: the card is read, its PIN,
 * proof of possession and chain checked (zid-card-completion.h), and its
 * UZI number is the task code */
static gint64
add_uzi_attribute (ZidCli      *cli,
                   gint64       org,
                   const char  *pin_file,
                   const char  *trust,
                   const char  *module,
                   GError     **error)
{
  g_autoptr(ZidCardConfig) config = zid_cli_card_config (cli, trust, module, FALSE, NULL);
  g_autoptr(ZidCardCompletion) flow = NULL;
  g_autoptr(ZidPin) pin = NULL;

  flow = zid_card_completion_new_for_attribute (ZID_BACKEND (cli->portal), config, cli->actor, org);
  if (!zid_card_completion_read (flow, NULL, error) ||
      (pin = zid_cli_card_pin (pin_file, error)) == NULL ||
      !zid_card_completion_verify (flow, pin, NULL, error))
    return 0;
  return zid_card_completion_add_attribute (flow, NULL, error);
}

static int
cmd_attribute_add (ZidCli  *cli,
                   int      argc,
                   char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *org_ura = NULL, *type = NULL, *task_code = NULL;
  g_autofree char *pin_file = NULL, *trust = NULL, *module = NULL;
  g_autofree char *types = zid_cli_dup_choices (zid_attribute_type_nth);
  GOptionEntry entries[] = {
    { "type", 0, 0, G_OPTION_ARG_STRING, &type, types, N_("T") },
    { "organisation", 0, 0, G_OPTION_ARG_STRING, &org_ura, N_("Organisation (URA)"), N_("ORG") },
    { "task-code", 0, 0, G_OPTION_ARG_STRING, &task_code, N_("Task code (not for uzi: the card's UZI number)"), N_("C") },
    { "pin-file", 0, 0, G_OPTION_ARG_FILENAME, &pin_file, N_("uzi: read the card's PIN from this file (else the terminal)"), N_("FILE") },
    { "trust", 0, 0, G_OPTION_ARG_FILENAME, &trust, N_("uzi: folder with the UZI-register trust anchors"), N_("DIR") },
    { "module", 0, 0, G_OPTION_ARG_FILENAME, &module, N_("uzi: PKCS#11 module of the card middleware"), N_("PATH") },
    { NULL }
  };
  gint64 user, org, id;

  if (!zid_cli_parse_args (cli, "attribute add USER", entries, &argc, &argv, 1, 1) ||
      !zid_cli_parse_id (cli, argv[1], _("user"), &user) ||
      !zid_cli_resolve_organisation (cli, org_ura, &org))
    return ZID_CLI_USAGE;
  if (g_strcmp0 (type, zid_attribute_type_get_name (ZID_ATTRIBUTE_TYPE_UZI)) == 0 && task_code != NULL)
    return zid_cli_usage_error (cli, _("A UZI attribute gets the card’s UZI number as its "
                                       "task code: leave out --task-code"));
  /* to another user the core refuses it, with the card or without */
  if (g_strcmp0 (type, zid_attribute_type_get_name (ZID_ATTRIBUTE_TYPE_UZI)) == 0 && user == cli->actor)
    id = add_uzi_attribute (cli, org, pin_file, trust, module, &error);
  else
    id = zid_portal_add_attribute (cli->portal, cli->actor, user, type, org, task_code, &error);
  if (id == 0)
    return zid_cli_fail (cli, error);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

      zid_cli_json_int (json, "attribute", id);
      zid_cli_json_int (json, "user", user);
      return zid_cli_json_end (json);
    }
  g_print (_("Attribute %s added to user %lld\n"), type, (long long) user);
  return ZID_CLI_DONE;
}

const ZidCliCommand zid_cli_attribute_commands[] = {
  { "add", cmd_attribute_add, N_("register an attribute of a user") },
  { NULL }
};
