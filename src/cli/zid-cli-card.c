/* zid-cli-card.c — `zorgid-admin card inspect|status|verify`
 *
 * The same code as the window: libzid-card. PINs come from --pin-file or the
 * terminal without echo, never from the command line.
 *
 *   card inspect FILE [--trust DIR] [--extra-oid-ca OID]...
 *   card status [--module PATH] [--no-registered]
 *   card verify [--pin-file F] [--module PATH] [--no-registered]
 *               [--trust DIR] [--extra-oid-ca OID]...
 *
 * Environment: ZID_PKCS11_MODULE, ZID_PKCS11_REGISTERED, ZID_UZI_TRUST_DIR,
 * ZID_UZI_EXTRA_OID_CAS (see src/card/zid-card-config.h); options win.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-admin"

#include "config.h"

#include "zid-card.h"
#include "zid-cli.h"
#include "zid-flow-config.h"

/* The options every card command takes */
typedef struct
{
  char     *trust_dir;
  char     *module_path;
  char     *pin_file;
  char    **extra_oids;
  gboolean  no_registered;
} CardOptions;

static void
card_options_clear (CardOptions *o)
{
  g_clear_pointer (&o->trust_dir, g_free);
  g_clear_pointer (&o->module_path, g_free);
  g_clear_pointer (&o->pin_file, g_free);
  g_clear_pointer (&o->extra_oids, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CardOptions, card_options_clear)

static gboolean
card_options_parse (ZidCli        *cli,
                    CardOptions   *o,
                    const char    *command,
                    int           *argc,
                    char        ***argv,
                    int            positional)
{
  GOptionEntry entries[] = {
    { "trust", 0, 0, G_OPTION_ARG_FILENAME, &o->trust_dir, N_("Folder with trusted UZI root certificates"), N_("DIR") },
    { "module", 0, 0, G_OPTION_ARG_FILENAME, &o->module_path, N_("PKCS#11 module of the card middleware"), N_("PATH") },
    { "no-registered", 0, 0, G_OPTION_ARG_NONE, &o->no_registered, N_("Only --module, not p11-kit's modules"), NULL },
    { "pin-file", 0, 0, G_OPTION_ARG_FILENAME, &o->pin_file, N_("Read the PIN from this file (never on the command line; else the terminal asks)"), N_("FILE") },
    { "extra-oid-ca", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->extra_oids, N_("Also accept this OID CA"), N_("OID") },
    { NULL }
  };

  return zid_cli_parse_args (cli, command, entries, argc, argv, positional, positional);
}

ZidPin *
zid_cli_card_pin (const char  *pin_file,
                  GError     **error)
{
  if (pin_file != NULL)
    return zid_pin_new_from_file (pin_file, error);
  return zid_pin_new_from_terminal (_("PIN of the UZI-pas: "), error);
}

/* The card layer's configuration from the environment, options winning */
ZidCardConfig *
zid_cli_card_config (ZidCli             *cli,
                     const char         *trust_dir,
                     const char         *module_path,
                     gboolean            no_registered,
                     const char * const *extra_oids)
{
  ZidCardConfig *config;

  /* the environment's UZI trust: built in and added (zid-flow-config.h) */
  config = zid_card_config_new_for_data_dir (cli->data_dir, cli->environment);
  if (module_path != NULL)
    {
      g_free (config->module_path);
      config->module_path = g_strdup (module_path);
    }
  if (no_registered)
    config->load_registered = FALSE;
  if (trust_dir != NULL)
    {
      g_free (config->trust_dir);
      config->trust_dir = g_strdup (trust_dir);
    }
  if (extra_oids != NULL)
    {
      g_auto(GStrv) old = config->extra_oid_cas;
      g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
      if (old != NULL)
        g_strv_builder_addv (b, (const char **) old);
      g_strv_builder_addv (b, (const char **) extra_oids);
      config->extra_oid_cas = g_strv_builder_end (b);
    }
  return config;
}

static ZidCardConfig *
make_config (ZidCli      *cli,
             CardOptions *o)
{
  return zid_cli_card_config (cli, o->trust_dir, o->module_path, o->no_registered,
                              (const char * const *) o->extra_oids);
}

/* A file that is no certificate is bad input; the rest are refusals */
static int
fail (ZidCli       *cli,
      const GError *error)
{
  gboolean bad_input = g_error_matches (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NOT_A_CERTIFICATE);

  return zid_cli_fail_with_status (cli, error, bad_input ? ZID_CLI_USAGE : ZID_CLI_REFUSED);
}

/* --- JSON ------------------------------------------------------------------ */

static char *
iso8601 (GDateTime *t)
{
  return t != NULL ? g_date_time_format (t, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

static void
json_identity_members (JsonBuilder    *json,
                       ZidUziIdentity *id)
{
  g_autofree char *purpose = zid_uzi_identity_get_purpose (id) ? zid_uzi_purpose_to_string (zid_uzi_identity_get_purpose (id)) : g_strdup ("none");
  g_autofree char *nb = iso8601 (zid_uzi_identity_get_not_before (id));
  g_autofree char *na = iso8601 (zid_uzi_identity_get_not_after (id));
  char type[2] = { zid_uzi_identity_get_card_type (id), '\0' };

  zid_cli_json_string (json, "given_name", zid_uzi_identity_get_given_name (id));
  zid_cli_json_string (json, "surname", zid_uzi_identity_get_surname (id));
  zid_cli_json_string (json, "common_name", zid_uzi_identity_get_common_name (id));
  zid_cli_json_string (json, "organisation", zid_uzi_identity_get_organisation (id));
  zid_cli_json_string (json, "title", zid_uzi_identity_get_title (id));
  zid_cli_json_string (json, "serial_number", zid_uzi_identity_get_serial_number (id));
  zid_cli_json_string (json, "oid_ca", zid_uzi_identity_get_oid_ca (id));
  zid_cli_json_int (json, "uzi_version", zid_uzi_identity_get_uzi_version (id));
  zid_cli_json_string (json, "uzi_number", zid_uzi_identity_get_uzi_number (id));
  zid_cli_json_string (json, "card_type", type);
  zid_cli_json_string (json, "subscriber_number", zid_uzi_identity_get_subscriber_number (id));
  zid_cli_json_string (json, "role", zid_uzi_identity_get_role (id));
  zid_cli_json_string (json, "agb_code", zid_uzi_identity_get_agb_code (id));
  zid_cli_json_string (json, "upn", zid_uzi_identity_get_upn (id));
  zid_cli_json_string (json, "purpose", purpose);
  zid_cli_json_string (json, "not_before", nb);
  zid_cli_json_string (json, "not_after", na);
}

static void
json_identity (JsonBuilder    *json,
               const char     *key,
               ZidUziIdentity *id)
{
  zid_cli_json_begin_object (json, key);
  json_identity_members (json, id);
  zid_cli_json_end_object (json);
}

static void
print_text_identity (ZidUziIdentity *id)
{
  g_autofree char *purpose = zid_uzi_purpose_to_string (zid_uzi_identity_get_purpose (id));
  g_autofree char *nb = iso8601 (zid_uzi_identity_get_not_before (id));
  g_autofree char *na = iso8601 (zid_uzi_identity_get_not_after (id));

#define LINE(label, value) g_print ("  %-20s %s\n", label, (value) != NULL ? (value) : "-")
  LINE (_("Name:"), zid_uzi_identity_get_common_name (id));
  LINE (_("Given name:"), zid_uzi_identity_get_given_name (id));
  LINE (_("Surname:"), zid_uzi_identity_get_surname (id));
  LINE (_("Title:"), zid_uzi_identity_get_title (id));
  LINE (_("Organisation:"), zid_uzi_identity_get_organisation (id));
  LINE (_("UZI number:"), zid_uzi_identity_get_uzi_number (id));
  g_print ("  %-20s %c\n", _("Card type:"), zid_uzi_identity_get_card_type (id));
  LINE (_("Subscriber number (URA):"), zid_uzi_identity_get_subscriber_number (id));
  LINE (_("Role:"), zid_uzi_identity_get_role (id));
  LINE (_("AGB code:"), zid_uzi_identity_get_agb_code (id));
  LINE ("OID CA:", zid_uzi_identity_get_oid_ca (id));
  LINE (_("Purpose:"), purpose);
  LINE (_("Valid from:"), nb);
  LINE (_("Valid until:"), na);
#undef LINE
}

/* --- card inspect --------------------------------------------------------- */

static int
card_inspect (ZidCli  *cli,
              int      argc,
              char   **argv)
{
  g_auto(CardOptions) o = { 0 };
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidUziIdentity) id = NULL;
  g_autoptr(ZidCardConfig) config = NULL;
  ZidUziEnvironment environment = ZID_UZI_ENVIRONMENT_PRODUCTIE;
  gboolean chain_validated;
  X509 *x509;
  gsize len;

  if (!card_options_parse (cli, &o, "card inspect FILE", &argc, &argv, 1))
    return ZID_CLI_USAGE;
  config = make_config (cli, &o);
  if (!g_file_get_contents (argv[1], &contents, &len, &error))
    {
      g_autoptr(GError) e = g_error_new (ZID_CARD_ERROR, ZID_CARD_ERROR_NOT_A_CERTIFICATE,
                                         "%s", error->message);
      return fail (cli, e);
    }
  x509 = zid_uzi_load_x509 ((const guint8 *) contents, len, &error);
  if (x509 == NULL)
    return fail (cli, error);
  zid_uzi_environment_from_string (cli->environment_name, &environment);
  id = zid_uzi_identity_new_from_x509 (x509, environment,
                                       (const char * const *) config->extra_oid_cas, &error);
  X509_free (x509);
  if (id == NULL)
    return fail (cli, error);
  if (!zid_uzi_identity_check_validity (id, NULL, &error))
    return fail (cli, error);
  /* The chain whenever the environment's trust (or --trust) holds anchors */
  chain_validated = zid_card_config_has_trust (config);
  if (chain_validated)
    {
      g_auto(GStrv) dirs = zid_card_config_dup_trust_dirs (config);

      if (!zid_uzi_identity_validate_chain_dirs (id, (const char * const *) dirs,
                                                 config->trust_dir == NULL, NULL, NULL, NULL,
                                                 &error))
        return fail (cli, error);
    }

  if (cli->json)
    {
      g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

      json_identity_members (json, id);
      zid_cli_json_bool (json, "chain_validated", chain_validated);
      return zid_cli_json_end (json);
    }
  g_print (chain_validated ? _("UZI certificate %s (chain trusted):\n")
                           : _("UZI certificate %s (chain not checked: no trusted UZI certificates):\n"),
           argv[1]);
  print_text_identity (id);
  return ZID_CLI_DONE;
}

/* --- card status ---------------------------------------------------------- */

static const char *
pin_state_name (ZidPinState state)
{
  switch (state)
    {
    case ZID_PIN_STATE_OK: return "ok";
    case ZID_PIN_STATE_COUNT_LOW: return "count-low";
    case ZID_PIN_STATE_FINAL_TRY: return "final-try";
    case ZID_PIN_STATE_LOCKED: return "locked";
    default: return "unknown";
    }
}

static char *
hex (GBytes *bytes)
{
  gsize len;
  const guint8 *p = g_bytes_get_data (bytes, &len);
  GString *out = g_string_new (NULL);

  for (gsize k = 0; k < len; k++)
    g_string_append_printf (out, "%02x", p[k]);
  return g_string_free (out, FALSE);
}

static void
print_status_text (GPtrArray *readers,
                   GPtrArray *tokens)
{
  if (readers->len == 0)
    g_print (_("No card reader connected\n"));
  for (guint i = 0; i < readers->len; i++)
    {
      ZidReader *r = g_ptr_array_index (readers, i);
      g_autofree char *atr = zid_reader_dup_atr_hex (r);
      if (zid_reader_get_card_present (r))
        g_print (_("Card reader %s: card present, ATR %s\n"), zid_reader_get_name (r), atr);
      else
        g_print (_("Card reader %s: no card\n"), zid_reader_get_name (r));
    }
  for (guint i = 0; i < tokens->len; i++)
    {
      ZidToken *t = g_ptr_array_index (tokens, i);
      GPtrArray *certs = zid_token_get_certificates (t);
      ZidPinState pin = zid_token_get_pin_state (t, NULL, NULL);
      g_print (_("Token “%s” in %s (%s), PIN: %s\n"), zid_token_get_label (t),
               zid_token_get_reader_name (t), zid_token_get_module_name (t), pin_state_name (pin));
      for (guint j = 0; j < certs->len; j++)
        {
          ZidTokenCertificate *c = g_ptr_array_index (certs, j);
          g_print (_(" Certificate “%s”:\n"), c->label);
          if (c->identity != NULL)
            print_text_identity (c->identity);
          else
            g_print (_("  not a UZI certificate: %s\n"), c->error->message);
        }
    }
}

static void
json_reader (JsonBuilder *json,
             gpointer     item)
{
  ZidReader *r = item;
  g_autofree char *atr = zid_reader_dup_atr_hex (r);

  zid_cli_json_string (json, "name", zid_reader_get_name (r));
  zid_cli_json_bool (json, "card_present", zid_reader_get_card_present (r));
  zid_cli_json_string (json, "atr", zid_reader_get_card_present (r) ? atr : NULL);
}

/* A certificate on a token: its UZI identity, or why it is none */
static void
json_token_certificate (JsonBuilder *json,
                        gpointer     item)
{
  ZidTokenCertificate *c = item;
  g_autofree char *id_hex = hex (c->id);

  zid_cli_json_string (json, "label", c->label);
  zid_cli_json_string (json, "id", id_hex);
  if (c->identity != NULL)
    json_identity (json, "identity", c->identity);
  else
    {
      zid_cli_json_begin_object (json, "refusal");
      zid_cli_json_string (json, "error", zid_cli_error_code (c->error));
      zid_cli_json_string (json, "message", c->error->message);
      zid_cli_json_end_object (json);
    }
}

static void
json_token (JsonBuilder *json,
            gpointer     item)
{
  ZidToken *t = item;
  ZidPinState pin = zid_token_get_pin_state (t, NULL, NULL);

  zid_cli_json_string (json, "label", zid_token_get_label (t));
  zid_cli_json_string (json, "reader", zid_token_get_reader_name (t));
  zid_cli_json_string (json, "module", zid_token_get_module_name (t));
  zid_cli_json_string (json, "serial", zid_token_get_serial (t));
  zid_cli_json_string (json, "pin_state", pin_state_name (pin));
  zid_cli_json_array (json, "certificates", zid_token_get_certificates (t), json_token_certificate);
}

static int
card_status (ZidCli  *cli,
             int      argc,
             char   **argv)
{
  g_auto(CardOptions) o = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) readers = NULL;
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(ZidPkcs11) pkcs11 = NULL;
  g_autoptr(ZidCardConfig) config = NULL;
  g_autoptr(JsonBuilder) json = NULL;

  if (!card_options_parse (cli, &o, "card status", &argc, &argv, 0))
    return ZID_CLI_USAGE;
  config = make_config (cli, &o);

  readers = zid_card_list_readers (&error);
  if (readers == NULL)
    return fail (cli, error);

  pkcs11 = zid_pkcs11_new (config, &error);
  if (pkcs11 == NULL)
    return fail (cli, error);
  tokens = zid_pkcs11_list_tokens (pkcs11, NULL, &error);
  if (tokens == NULL)
    return fail (cli, error);

  if (!cli->json)
    {
      print_status_text (readers, tokens);
      return ZID_CLI_DONE;
    }

  json = zid_cli_json_begin ();
  zid_cli_json_bool (json, "service", TRUE);
  zid_cli_json_array (json, "readers", readers, json_reader);
  zid_cli_json_array (json, "tokens", tokens, json_token);
  return zid_cli_json_end (json);
}

/* --- card verify ---------------------------------------------------------- */

static int
card_verify (ZidCli  *cli,
             int      argc,
             char   **argv)
{
  g_auto(CardOptions) o = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidCardConfig) config = NULL;
  g_autoptr(ZidPkcs11) pkcs11 = NULL;
  g_autoptr(ZidToken) token = NULL;
  g_autoptr(ZidPin) pin = NULL;
  g_autoptr(ZidUziIdentity) id = NULL;
  g_autoptr(GPtrArray) chain = NULL;
  gboolean chain_validated;

  if (!card_options_parse (cli, &o, "card verify",
                           &argc, &argv, 0))
    return ZID_CLI_USAGE;
  config = make_config (cli, &o);

  pkcs11 = zid_pkcs11_new (config, &error);
  if (pkcs11 == NULL)
    return fail (cli, error);
  token = zid_pkcs11_find_uzi_token (pkcs11, NULL, &error);
  if (token == NULL)
    return fail (cli, error);

  pin = zid_cli_card_pin (o.pin_file, &error);
  if (pin == NULL)
    return zid_cli_fail_with_status (cli, error, ZID_CLI_USAGE);

  chain_validated = zid_card_config_has_trust (config);
  id = zid_token_verify (token, pin, NULL, &chain, &error);
  g_clear_pointer (&pin, zid_pin_unref);
  if (id == NULL)
    return fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

      zid_cli_json_bool (json, "verified", TRUE);
      zid_cli_json_bool (json, "chain_validated", chain_validated);
      zid_cli_json_int (json, "chain_length", chain->len);
      zid_cli_json_string (json, "reader", zid_token_get_reader_name (token));
      zid_cli_json_string (json, "token", zid_token_get_label (token));
      json_identity (json, "identity", id);
      return zid_cli_json_end (json);
    }
  g_print (chain_validated ? _("UZI-pas verified (PIN, signature, chain) in %s:\n")
                           : _("UZI-pas verified (PIN, signature; chain not checked: no trusted UZI certificates) in %s:\n"),
           zid_token_get_reader_name (token));
  print_text_identity (id);
  return ZID_CLI_DONE;
}

const ZidCliCommand zid_cli_card_commands[] = {
  { "inspect", card_inspect, N_("check a UZI certificate file against the UZI profile") },
  { "status", card_status, N_("card readers, tokens and their certificates") },
  { "verify", card_verify, N_("verify the inserted UZI-pas: PIN, signature, chain") },
  { NULL }
};
