/* zid-cli-registration.c — `zorgid-admin registration add|list|sign|import|complete`
 *
 * add and list: the pending registrations as the operator prepared them.
 * sign and import: the operator's signed registration file
 * (zid-registration-file.h). complete: the organisation registration with
 * the inserted UZI-pas through the window's flow (zid-card-completion.h,
 * docs/registration-file.md §6): the card proves who holds it, the core decides.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-admin"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "zid-card-completion.h"
#include "zid-cli.h"
#include "zid-core.h"
#include "zid-flow-config.h"
#include "zid-registration-file.h"

/* --- registration add, list ------------------------------------------------- */

static int
cmd_add (ZidCli  *cli,
         int      argc,
         char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ura = NULL, *name = NULL, *agb = NULL, *address = NULL, *reference = NULL;
  GOptionEntry entries[] = {
    { "ura", 0, 0, G_OPTION_ARG_STRING, &ura, N_("URA of the organisation"), N_("N") },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Name of the organisation"), N_("TEXT") },
    { "agb", 0, 0, G_OPTION_ARG_STRING, &agb, N_("AGB code"), N_("N") },
    { "address", 0, 0, G_OPTION_ARG_STRING, &address, N_("Address"), N_("TEXT") },
    { "reference", 0, 0, G_OPTION_ARG_STRING, &reference, N_("Operator reference"), N_("TEXT") },
    { NULL }
  };
  gint64 id;

  if (!zid_cli_parse_args (cli, "registration add", entries, &argc, &argv, 0, 0))
    return ZID_CLI_USAGE;
  if (name == NULL)
    return zid_cli_usage_error (cli, _("Give the organisation’s name with --name"));
  id = zid_portal_add_registration (cli->portal, ura, name, agb, address, reference, &error);
  if (id == 0)
    return zid_cli_fail (cli, error);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

      zid_cli_json_int (json, "registration", id);
      zid_cli_json_string (json, "ura", ura);
      return zid_cli_json_end (json);
    }
  g_print (_("Registration %lld for URA %s prepared\n"), (long long) id, ura);
  return ZID_CLI_DONE;
}

static void
json_registration (JsonBuilder *json,
                   gpointer     item)
{
  ZidRegistration *r = item;

  zid_cli_json_string (json, "ura", r->ura);
  zid_cli_json_string (json, "name", r->name);
  zid_cli_json_string (json, "agb", r->agb);
  zid_cli_json_string (json, "address", r->address);
  zid_cli_json_string (json, "reference", r->reference);
  zid_cli_json_time (json, "created", r->created);
  zid_cli_json_time (json, "completed", r->completed);
}

static int
cmd_list (ZidCli  *cli,
          int      argc,
          char   **argv)
{
  g_autoptr(GError) error = NULL;
  gboolean all = FALSE;
  GOptionEntry entries[] = {
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("Include completed registrations"), NULL },
    { NULL }
  };
  g_autoptr(GPtrArray) list = NULL;

  if (!zid_cli_parse_args (cli, "registration list", entries, &argc, &argv, 0, 0))
    return ZID_CLI_USAGE;
  if ((list = zid_portal_list_registrations (cli->portal, all, &error)) == NULL)
    return zid_cli_fail (cli, error);
  if (cli->json)
    return zid_cli_json_print_array ("registrations", list, json_registration);
  for (guint i = 0; i < list->len; i++)
    {
      ZidRegistration *r = g_ptr_array_index (list, i);
      g_print ("%s  %-40s %s\n", r->ura, r->name, r->completed ? _("completed") : _("open"));
    }
  return ZID_CLI_DONE;
}

static GBytes *
read_file (ZidCli     *cli,
           const char *what,
           const char *path,
           int        *status)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len;

  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      *status = zid_cli_usage_error (cli, _("%s %s cannot be read: %s"), what, path, error->message);
      return NULL;
    }
  return g_bytes_new_take (contents, len);
}

/* --- registration sign ------------------------------------------------------ */

static int
cmd_sign (ZidCli  *cli,
          int      argc,
          char   **argv)
{
  g_autofree char *in = NULL, *key = NULL, *cert = NULL, *chain = NULL, *out = NULL;
  gboolean pem = FALSE;
  GOptionEntry entries[] = {
    { "in", 0, 0, G_OPTION_ARG_FILENAME, &in, N_("The registration (JSON)"), N_("FILE") },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &key, N_("The operator's signing key (PEM or DER)"), N_("FILE") },
    { "cert", 0, 0, G_OPTION_ARG_FILENAME, &cert, N_("The operator's signing certificate"), N_("FILE") },
    { "chain", 0, 0, G_OPTION_ARG_FILENAME, &chain, N_("Intermediate CA certificates to add (PEM)"), N_("FILE") },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, N_("Where to write the signed file"), N_("FILE") },
    { "pem", 0, 0, G_OPTION_ARG_NONE, &pem, N_("PEM instead of DER"), NULL },
    { NULL }
  };
  g_autoptr(GBytes) json = NULL, cert_data = NULL, key_data = NULL, chain_data = NULL;
  g_autoptr(GBytes) signed_file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidRegistration) r = NULL;
  gint64 now;
  int status = ZID_CLI_USAGE;
  gsize len;
  const char *data;

  if (!zid_cli_parse_args (cli, "registration sign", entries, &argc, &argv, 0, 0))
    return ZID_CLI_USAGE;
  now = zid_clock_now (zid_portal_get_clock (cli->portal));
  if (in == NULL || key == NULL || cert == NULL || out == NULL)
    return zid_cli_usage_error (cli, _("Usage: registration sign --in JSON --key KEY --cert CERTIFICATE "
                                       "--out FILE [--chain PEM] [--pem]"));

  if ((json = read_file (cli, _("The registration"), in, &status)) == NULL ||
      (cert_data = read_file (cli, _("The certificate"), cert, &status)) == NULL ||
      (key_data = read_file (cli, _("The key"), key, &status)) == NULL ||
      (chain != NULL && (chain_data = read_file (cli, _("The chain"), chain, &status)) == NULL))
    return status;

  signed_file = zid_registration_file_sign (json, cert_data, key_data, chain_data, pem, now, &error);
  if (signed_file == NULL)
    return zid_cli_fail (cli, error);

  data = g_bytes_get_data (signed_file, &len);
  if (!g_file_set_contents (out, data, (gssize) len, &error))
    {
      g_autoptr(GError) e = g_error_new (ZID_ERROR, ZID_ERROR_IO, "%s", error->message);
      return zid_cli_fail (cli, e);
    }

  /* What was signed, for the operator's log */
  data = g_bytes_get_data (json, &len);
  r = zid_registration_parse_json (data, len, now, NULL);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) j = zid_cli_json_begin ();

      zid_cli_json_string (j, "file", out);
      zid_cli_json_string (j, "ura", r ? r->ura : NULL);
      zid_cli_json_string (j, "reference", r ? r->reference : NULL);
      zid_cli_json_string (j, "format", pem ? "pem" : "der");
      return zid_cli_json_end (j);
    }
  g_print (_("Registration for URA %s (%s) signed: %s\n"), r ? r->ura : "?",
           r ? r->name : "?", out);
  return ZID_CLI_DONE;
}

/* --- registration inspect | import ------------------------------------------- */

/* FILE and --trust DIR of inspect and import */
static gboolean
parse_file_args (ZidCli       *cli,
                 const char   *command,
                 int          *argc,
                 char       ***argv,
                 char        **trust)
{
  GOptionEntry entries[] = {
    { "trust", 0, 0, G_OPTION_ARG_FILENAME, trust,
      N_("Folder with the operator's trust anchors (default: $ZID_OPERATOR_TRUST_DIR, "
      "else the environment's operator trust: zorgid-admin trust list --kind operator)"), N_("DIR") },
    { NULL }
  };

  return zid_cli_parse_args (cli, command, entries, argc, argv, 1, 1);
}

static int
cmd_inspect (ZidCli  *cli,
             int      argc,
             char   **argv)
{
  g_autofree char *trust = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidRegistrationFileInfo) info = NULL;
  gboolean unknown;

  if (!parse_file_args (cli, "registration inspect FILE", &argc, &argv, &trust))
    return ZID_CLI_USAGE;
  info = zid_registration_file_inspect (cli->portal, argv[1], trust, &error);
  if (info == NULL)
    return zid_cli_fail (cli, error);
  unknown = info->trust == ZID_REGISTRATION_FILE_UNKNOWN_ROOT;

  if (cli->json)
    {
      g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

      zid_cli_json_string (json, "trust", unknown ? "unknown-root" : "trusted");
      zid_cli_json_string (json, "ura", info->registration->ura);
      zid_cli_json_string (json, "name", info->registration->name);
      zid_cli_json_string (json, "reference", info->registration->reference);
      zid_cli_json_string (json, "signer", info->signer_subject);
      zid_cli_json_string (json, "signer_organisation", info->signer_organisation);
      zid_cli_json_string (json, "root", info->root_subject);
      zid_cli_json_string (json, "root_fingerprint", info->root_fingerprint);
      return zid_cli_json_end (json);
    }
  g_print (_("Registration for URA %s (%s), signed by %s\n"), info->registration->ura,
           info->registration->name, info->signer_organisation);
  if (unknown)
    g_print (_("The root certificate %s is not trusted yet.\nSHA-256: %s\n"
               "Compare this fingerprint with what VZVZ gave you; then add it with "
               "zorgid-admin trust add --kind operator\n"), info->root_subject, info->root_fingerprint);
  else
    g_print (_("The signer is trusted: the file can be imported\n"));
  return ZID_CLI_DONE;
}

static int
cmd_import (ZidCli  *cli,
            int      argc,
            char   **argv)
{
  g_autofree char *trust = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidRegistration) r = NULL;
  g_autofree char *signer = NULL;
  gboolean already = FALSE;

  if (!parse_file_args (cli, "registration import FILE", &argc, &argv, &trust))
    return ZID_CLI_USAGE;

  r = zid_registration_file_import (cli->portal, argv[1], trust, &signer, &already, &error);
  if (r == NULL)
    return zid_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

      zid_cli_json_int (json, "registration", r->id);
      zid_cli_json_string (json, "ura", r->ura);
      zid_cli_json_string (json, "name", r->name);
      zid_cli_json_string (json, "agb", r->agb);
      zid_cli_json_string (json, "address", r->address);
      zid_cli_json_string (json, "reference", r->reference);
      zid_cli_json_string (json, "signer", signer);
      zid_cli_json_bool (json, "already_present", already);
      zid_cli_json_time (json, "completed", r->completed);
      return zid_cli_json_end (json);
    }
  g_print (already ? _("Registration %lld for URA %s (%s) was imported already\n")
                   : _("Registration %lld for URA %s (%s) imported\n"),
           (long long) r->id, r->ura, r->name);
  g_print (_("Signed by: %s\n"), signer);
  return ZID_CLI_DONE;
}

/* --- registration complete ---------------------------------------------------- */

static int
print_completion (ZidCli                *cli,
                  ZidCompletion         *c,
                  const ZidRegistration *r,
                  const ZidCardHolder   *holder,
                  ZidQrPng              *png)
{
  g_autofree char *expires = c->enrolment ? zid_format_time (c->enrolment->expires) : NULL;

  if (c->enrolment != NULL)
    zid_qr_png_finish (png, c->enrolment->payload);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

      zid_cli_json_string (json, "organisation", r->ura);
      zid_cli_json_int (json, "organisation_id", c->organisation_id);
      zid_cli_json_string (json, "organisation_name", r->name);
      zid_cli_json_int (json, "user", c->user_id);
      zid_cli_json_string (json, "uzi_number", holder->uzi_number);
      zid_cli_json_bool (json, "existing_mobile_id", c->existing_mobile_id);
      zid_cli_json_string (json, "enrolment_payload", c->enrolment ? c->enrolment->payload : NULL);
      zid_cli_json_string (json, "expires", expires);
      return zid_cli_json_end (json);
    }

  g_print (_("Organisation %s (URA %s) has been created.\n"), r->name, r->ura);
  g_print ("Administrator: %s %s (gebruiker %" G_GINT64_FORMAT ", UZI-nummer %s)\n",
           holder->given_name, holder->surname, c->user_id, holder->uzi_number);
  if (c->existing_mobile_id)
    g_print (_("Your existing ZORG-ID is linked; you are now Administrator of this organisation.\n"));
  else
    g_print (_("Create your ZORG-ID with this QR code (once, valid until %s):\n%s\n"),
             expires, c->enrolment->payload);
  return ZID_CLI_DONE;
}

static int
cmd_complete (ZidCli  *cli,
              int      argc,
              char   **argv)
{
  g_autofree char *ura = NULL, *pin_file = NULL, *birth_date = NULL, *trust = NULL;
  g_autofree char *module = NULL, *qr_png = NULL;
  GOptionEntry entries[] = {
    { "ura", 0, 0, G_OPTION_ARG_STRING, &ura, N_("URA of the pending registration"), N_("N") },
    { "pin-file", 0, 0, G_OPTION_ARG_FILENAME, &pin_file, N_("Read the card's PIN from this file (else the terminal)"), N_("FILE") },
    { "birth-date", 0, 0, G_OPTION_ARG_STRING, &birth_date, N_("Birth date, when a new mobile ID is made: DD-MM-YYYY or YYYY-MM-DD"), N_("DATE") },
    { "trust", 0, 0, G_OPTION_ARG_FILENAME, &trust, N_("Folder with the UZI-register trust anchors (default $ZID_UZI_TRUST_DIR, else the environment's UZI trust)"), N_("DIR") },
    { "module", 0, 0, G_OPTION_ARG_FILENAME, &module, N_("PKCS#11 module of the card middleware"), N_("PATH") },
    { "qr-png", 0, 0, G_OPTION_ARG_FILENAME, &qr_png, N_("Also write the enrolment QR as PNG"), N_("FILE") },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidCardConfig) config = NULL;
  g_autoptr(ZidCardCompletion) flow = NULL;
  g_autoptr(ZidPin) pin = NULL;
  g_autoptr(ZidCompletion) completion = NULL;
  g_autoptr(ZidQrPng) png = NULL;
  const ZidCardHolder *holder;

  if (!zid_cli_parse_args (cli, "registration complete", entries, &argc, &argv, 0, 0))
    return ZID_CLI_USAGE;
  if (ura == NULL)
    return zid_cli_usage_error (cli, _("Give the registration’s URA with --ura"));
  if (!zid_validate_ura (ura, &error) ||
      (birth_date != NULL &&
       !zid_validate_birth_date (birth_date, zid_clock_now (zid_portal_get_clock (cli->portal)),
                                 &error)))
    return zid_cli_fail (cli, error);
  /* the PNG's file before anything is done (zid-qr-png.h) */
  if (!zid_qr_png_begin (qr_png, &png, &error))
    return zid_cli_fail (cli, error);

  /* The chain of the card must be checked: no trust anchors, no completion */
  config = zid_cli_card_config (cli, trust, module, FALSE, NULL);
  if (!zid_card_config_check_trust (config, &error))
    return zid_cli_fail (cli, error);

  /* The registration of --ura, the card without a PIN (zid-card-completion.h) */
  flow = zid_card_completion_new (ZID_BACKEND (cli->portal), config, ura);
  if (!zid_card_completion_read (flow, NULL, &error))
    return zid_cli_fail (cli, error);

  /* A new mobile ID needs the birth date */
  holder = zid_card_completion_get_holder (flow);
  if (zid_card_completion_get_existing_user (flow) == 0 && birth_date == NULL)
    return zid_cli_usage_error (cli, _("No ZORG-ID is linked to UZI number %s yet: give your "
                                       "birth date (as in your identity document) with --birth-date DD-MM-YYYY"),
                                holder->uzi_number);

  /* PIN, proof of possession, chain to the UZI trust anchors */
  pin = zid_cli_card_pin (pin_file, &error);
  if (pin == NULL)
    return zid_cli_fail_with_status (cli, error, ZID_CLI_USAGE);
  if (!zid_card_completion_verify (flow, pin, NULL, &error))
    return zid_cli_fail (cli, error);

  completion = zid_card_completion_complete (flow, birth_date, NULL, &error);
  if (completion == NULL)
    return zid_cli_fail (cli, error);
  return print_completion (cli, completion, zid_card_completion_get_registration (flow),
                           zid_card_completion_get_holder (flow), png);
}

const ZidCliCommand zid_cli_registration_commands[] = {
  { "add", cmd_add, N_("prepare a pending registration (operator side)") },
  { "list", cmd_list, N_("list the pending (--all: also completed) registrations") },
  { "sign", cmd_sign, N_("sign a registration file (operator side)") },
  { "inspect", cmd_inspect, N_("check a signed registration file without importing it") },
  { "import", cmd_import, N_("import a signed registration file") },
  { "complete", cmd_complete, N_("complete a registration with the inserted UZI-pas") },
  { NULL }
};
