/* zid-cli-registration.c — `zorgid-admin registration sign|import|complete`
 *
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
#include "zid-cli-registration.h"
#include "zid-core.h"
#include "zid-json.h"
#include "zid-qr-png.h"
#include "zid-registration-file.h"

enum { EXIT_DONE = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2 };

typedef struct
{
  ZidPortal  *portal;
  const char *environment;
  gboolean    json;
} Cli;

/* --- output (the shapes of zid-admin.c) ----------------------------------- */

static int
print_json (ZidJson *json)
{
  g_autofree char *text = zid_json_finish (json);

  fwrite (text, 1, strlen (text), stdout);
  fflush (stdout);
  return EXIT_DONE;
}

/* Core errors by their code; card errors by the card layer's names (all
 * refusals, exit 1). */
static int
fail_with_status (Cli          *cli,
                  const GError *error,
                  int           status)
{
  const char *code = "error";

  if (error->domain == ZID_ERROR)
    code = zid_error_code_name (error->code);
  else if (error->domain == ZID_CARD_ERROR)
    code = zid_card_error_code_name (error->code);

  if (cli->json)
    {
      ZidJson json;

      zid_json_init (&json);
      zid_json_begin_object (&json, NULL);
      zid_json_string (&json, "error", code);
      zid_json_string (&json, "message", error->message);
      zid_json_end_object (&json);
      print_json (&json);
    }
  g_printerr ("zorgid-admin: %s\n", error->message);
  return status;
}

static int
fail (Cli          *cli,
      const GError *error)
{
  return fail_with_status (cli, error,
                           error->domain == ZID_ERROR ? zid_error_exit_status (error) : EXIT_REFUSED);
}

static int
usage_error (Cli        *cli,
             const char *format,
             ...) G_GNUC_PRINTF (2, 3);

static int
usage_error (Cli        *cli,
             const char *format,
             ...)
{
  g_autoptr(GError) error = NULL;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (ZID_ERROR, ZID_ERROR_INVALID_INPUT, format, args);
  va_end (args);
  return fail (cli, error);
}

static gboolean
parse_options (Cli           *cli,
               const char    *command,
               GOptionEntry  *entries,
               int           *argc,
               char        ***argv,
               int            positional)
{
  g_autoptr(GOptionContext) context = g_option_context_new (command);
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_help_enabled (context, TRUE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      usage_error (cli, "%s", error->message);
      return FALSE;
    }
  if (*argc - 1 != positional)
    {
      usage_error (cli, "Verkeerd aantal argumenten voor “registration %s”; zie --help", command);
      return FALSE;
    }
  return TRUE;
}

static GBytes *
read_file (Cli         *cli,
           const char  *what,
           const char  *path,
           int         *status)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len;

  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      *status = usage_error (cli, "%s %s kan niet worden gelezen: %s", what, path, error->message);
      return NULL;
    }
  return g_bytes_new_take (contents, len);
}

/* --- registration sign ------------------------------------------------------ */

static int
cmd_sign (Cli   *cli,
          int    argc,
          char **argv)
{
  g_autofree char *in = NULL, *key = NULL, *cert = NULL, *chain = NULL, *out = NULL;
  gboolean pem = FALSE;
  GOptionEntry entries[] = {
    { "in", 0, 0, G_OPTION_ARG_FILENAME, &in, "The registration (JSON)", "FILE" },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &key, "The operator's signing key (PEM or DER)", "FILE" },
    { "cert", 0, 0, G_OPTION_ARG_FILENAME, &cert, "The operator's signing certificate", "FILE" },
    { "chain", 0, 0, G_OPTION_ARG_FILENAME, &chain, "Intermediate CA certificates to add (PEM)", "FILE" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, "Where to write the signed file", "FILE" },
    { "pem", 0, 0, G_OPTION_ARG_NONE, &pem, "PEM instead of DER", NULL },
    { NULL }
  };
  g_autoptr(GBytes) json = NULL, cert_data = NULL, key_data = NULL, chain_data = NULL;
  g_autoptr(GBytes) signed_file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidRegistration) r = NULL;
  gint64 now = zid_clock_now (zid_portal_get_clock (cli->portal));
  int status = EXIT_USAGE;
  gsize len;
  const char *data;

  if (!parse_options (cli, "sign", entries, &argc, &argv, 0))
    return EXIT_USAGE;
  if (in == NULL || key == NULL || cert == NULL || out == NULL)
    return usage_error (cli, "Gebruik: registration sign --in JSON --key SLEUTEL --cert CERTIFICAAT "
                             "--out BESTAND [--chain PEM] [--pem]");

  if ((json = read_file (cli, "De registratie", in, &status)) == NULL ||
      (cert_data = read_file (cli, "Het certificaat", cert, &status)) == NULL ||
      (key_data = read_file (cli, "De sleutel", key, &status)) == NULL ||
      (chain != NULL && (chain_data = read_file (cli, "De keten", chain, &status)) == NULL))
    return status;

  signed_file = zid_registration_file_sign (json, cert_data, key_data, chain_data, pem, now, &error);
  if (signed_file == NULL)
    return fail (cli, error);

  data = g_bytes_get_data (signed_file, &len);
  if (!g_file_set_contents (out, data, (gssize) len, &error))
    {
      g_autoptr(GError) e = g_error_new (ZID_ERROR, ZID_ERROR_IO, "%s", error->message);
      return fail (cli, e);
    }

  /* What was signed, for the operator's log */
  data = g_bytes_get_data (json, &len);
  r = zid_registration_parse_json (data, len, now, NULL);
  if (cli->json)
    {
      ZidJson j;

      zid_json_init (&j);
      zid_json_begin_object (&j, NULL);
      zid_json_string (&j, "file", out);
      zid_json_string (&j, "ura", r ? r->ura : NULL);
      zid_json_string (&j, "reference", r ? r->reference : NULL);
      zid_json_string (&j, "format", pem ? "pem" : "der");
      zid_json_end_object (&j);
      return print_json (&j);
    }
  g_print ("Registratie voor URA %s (%s) ondertekend: %s\n", r ? r->ura : "?",
           r ? r->name : "?", out);
  return EXIT_DONE;
}

/* --- registration import ---------------------------------------------------- */

static int
cmd_import (Cli   *cli,
            int    argc,
            char **argv)
{
  g_autofree char *trust = NULL;
  GOptionEntry entries[] = {
    { "trust", 0, 0, G_OPTION_ARG_FILENAME, &trust,
      "Folder with the operator's trust anchors (default: $ZID_OPERATOR_TRUST_DIR, "
      "else DATA-DIR/operator-trust)", "DIR" },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidRegistration) r = NULL;
  g_autofree char *signer = NULL;
  gboolean already = FALSE;

  if (!parse_options (cli, "import FILE", entries, &argc, &argv, 1))
    return EXIT_USAGE;

  r = zid_registration_file_import (cli->portal, argv[1], trust, &signer, &already, &error);
  if (r == NULL)
    return fail (cli, error);

  if (cli->json)
    {
      ZidJson json;

      zid_json_init (&json);
      zid_json_begin_object (&json, NULL);
      zid_json_int (&json, "registration", r->id);
      zid_json_string (&json, "ura", r->ura);
      zid_json_string (&json, "name", r->name);
      zid_json_string (&json, "agb", r->agb);
      zid_json_string (&json, "address", r->address);
      zid_json_string (&json, "reference", r->reference);
      zid_json_string (&json, "signer", signer);
      zid_json_bool (&json, "already_present", already);
      zid_json_time (&json, "completed", r->completed);
      zid_json_end_object (&json);
      return print_json (&json);
    }
  g_print ("Registratie %" G_GINT64_FORMAT " voor URA %s (%s) %s\n", r->id, r->ura, r->name,
           already ? "was al ingelezen" : "ingelezen");
  g_print ("Ondertekend door: %s\n", signer);
  return EXIT_DONE;
}

/* --- registration complete ---------------------------------------------------- */

static ZidCardConfig *
card_config (Cli        *cli,
             const char *trust,
             const char *module)
{
  ZidUziEnvironment env = ZID_UZI_ENVIRONMENT_PRODUCTIE;
  ZidCardConfig *config;

  zid_uzi_environment_from_string (cli->environment, &env);
  config = zid_card_config_new_from_environment (env);
  if (trust != NULL)
    {
      g_free (config->trust_dir);
      config->trust_dir = g_strdup (trust);
    }
  if (module != NULL)
    {
      g_free (config->module_path);
      config->module_path = g_strdup (module);
    }
  return config;
}

static int
print_completion (Cli                   *cli,
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
      ZidJson json;

      zid_json_init (&json);
      zid_json_begin_object (&json, NULL);
      zid_json_string (&json, "organisation", r->ura);
      zid_json_int (&json, "organisation_id", c->organisation_id);
      zid_json_string (&json, "organisation_name", r->name);
      zid_json_int (&json, "user", c->user_id);
      zid_json_string (&json, "uzi_number", holder->uzi_number);
      zid_json_bool (&json, "existing_mobile_id", c->existing_mobile_id);
      zid_json_string (&json, "enrolment_payload", c->enrolment ? c->enrolment->payload : NULL);
      zid_json_string (&json, "expires", expires);
      zid_json_end_object (&json);
      return print_json (&json);
    }

  g_print ("Organisatie %s (URA %s) is aangemaakt.\n", r->name, r->ura);
  g_print ("Administrator: %s %s (gebruiker %" G_GINT64_FORMAT ", UZI-nummer %s)\n",
           holder->given_name, holder->surname, c->user_id, holder->uzi_number);
  if (c->existing_mobile_id)
    g_print ("Uw bestaande ZORG-ID is gekoppeld; u bent nu Administrator van deze organisatie.\n");
  else
    g_print ("Maak uw ZORG-ID aan met deze QR-code (eenmalig, geldig tot %s):\n%s\n",
             expires, c->enrolment->payload);
  return EXIT_DONE;
}

static int
cmd_complete (Cli   *cli,
              int    argc,
              char **argv)
{
  g_autofree char *ura = NULL, *pin_file = NULL, *birth_date = NULL, *trust = NULL;
  g_autofree char *module = NULL, *qr_png = NULL;
  GOptionEntry entries[] = {
    { "ura", 0, 0, G_OPTION_ARG_STRING, &ura, "URA of the pending registration", "N" },
    { "pin-file", 0, 0, G_OPTION_ARG_FILENAME, &pin_file, "Read the card's PIN from this file (else the terminal)", "FILE" },
    { "birth-date", 0, 0, G_OPTION_ARG_STRING, &birth_date, "Birth date, when a new mobile ID is made", "YYYY-MM-DD" },
    { "trust", 0, 0, G_OPTION_ARG_FILENAME, &trust, "Folder with the UZI-register trust anchors (default $ZID_UZI_TRUST_DIR)", "DIR" },
    { "module", 0, 0, G_OPTION_ARG_FILENAME, &module, "PKCS#11 module of the card middleware", "PATH" },
    { "qr-png", 0, 0, G_OPTION_ARG_FILENAME, &qr_png, "Also write the enrolment QR as PNG", "FILE" },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidCardConfig) config = NULL;
  g_autoptr(ZidCardCompletion) flow = NULL;
  g_autoptr(ZidPin) pin = NULL;
  g_autoptr(ZidCompletion) completion = NULL;
  g_autoptr(ZidQrPng) png = NULL;
  const ZidCardHolder *holder;

  if (!parse_options (cli, "complete", entries, &argc, &argv, 0))
    return EXIT_USAGE;
  if (ura == NULL)
    return usage_error (cli, "Geef de URA van de registratie met --ura");
  if (!zid_validate_ura (ura, &error) ||
      (birth_date != NULL &&
       !zid_validate_birth_date (birth_date, zid_clock_now (zid_portal_get_clock (cli->portal)),
                                 &error)))
    return fail (cli, error);
  /* the PNG's file before anything is done (zid-qr-png.h) */
  if (!zid_qr_png_begin (qr_png, &png, &error))
    return fail (cli, error);

  /* The chain of the card must be checked: no trust anchors, no completion */
  config = card_config (cli, trust, module);
  if (config->trust_dir == NULL || *config->trust_dir == '\0')
    {
      g_set_error (&error, ZID_CARD_ERROR, ZID_CARD_ERROR_UNTRUSTED,
                   "Geen map met vertrouwde UZI-basiscertificaten ingesteld (--trust of "
                   "ZID_UZI_TRUST_DIR); zonder kan de UZI-pas niet worden gecontroleerd");
      return fail (cli, error);
    }

  /* The registration of --ura, the card without a PIN (zid-card-completion.h) */
  flow = zid_card_completion_new (cli->portal, config, ura);
  if (!zid_card_completion_read (flow, NULL, &error))
    return fail (cli, error);

  /* A new mobile ID needs the birth date */
  holder = zid_card_completion_get_holder (flow);
  if (zid_card_completion_get_existing_user (flow) == 0 && birth_date == NULL)
    return usage_error (cli, "Er is nog geen ZORG-ID gekoppeld aan UZI-nummer %s: geef uw "
                             "geboortedatum (zoals in uw identiteitsbewijs) met --birth-date JJJJ-MM-DD",
                        holder->uzi_number);

  /* PIN, proof of possession, chain to the UZI trust anchors */
  if (pin_file != NULL)
    pin = zid_pin_new_from_file (pin_file, &error);
  else
    pin = zid_pin_new_from_terminal ("PIN van de UZI-pas: ", &error);
  if (pin == NULL)
    return fail_with_status (cli, error, EXIT_USAGE);
  if (!zid_card_completion_verify (flow, pin, NULL, &error))
    return fail (cli, error);

  completion = zid_card_completion_complete (flow, birth_date, NULL, &error);
  if (completion == NULL)
    return fail (cli, error);
  return print_completion (cli, completion, zid_card_completion_get_registration (flow),
                           zid_card_completion_get_holder (flow), png);
}

/* --- dispatch ------------------------------------------------------------- */

int
zid_cli_registration (int          argc,
                      char       **argv,
                      ZidPortal   *portal,
                      const char  *environment,
                      gboolean     json)
{
  Cli cli = { portal, environment, json };
  const char *sub = argc > 1 ? argv[1] : "";

  g_return_val_if_fail (ZID_IS_PORTAL (portal), EXIT_USAGE);

  /* GOptionContext sees "SUB args...", the subcommand as its program name */
  argc--, argv++;
  if (g_str_equal (sub, "sign"))
    return cmd_sign (&cli, argc, argv);
  if (g_str_equal (sub, "import"))
    return cmd_import (&cli, argc, argv);
  if (g_str_equal (sub, "complete"))
    return cmd_complete (&cli, argc, argv);
  return usage_error (&cli, "Gebruik: registration sign|import|complete");
}
