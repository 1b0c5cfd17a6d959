/* zid-cli-card.c — `zorgid-admin card inspect|status|verify`
 *
 * The same code as the window: libzid-card. PINs come from --pin-file or the
 * terminal without echo, never from the command line.
 */
#include "zid-cli-card.h"

#include <stdio.h>
#include <string.h>

#include "zid-card.h"

enum { CARD_DONE = 0, CARD_REFUSED = 1, CARD_USAGE = 2 };

typedef struct
{
  gboolean json;
  ZidUziEnvironment environment;
  /* options */
  char *trust_dir;
  char *module_path;
  char *pin_file;
  char **extra_oids;
  gboolean no_registered;
  gboolean json_option;
} CardCli;

/* --- JSON (RFC 8259) ------------------------------------------------------ */

static void
json_escape (GString    *out,
             const char *text)
{
  g_autofree char *valid = NULL;

  if (text == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  valid = g_utf8_make_valid (text, -1);
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) valid; *p; p++)
    {
      switch (*p)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (*p < 0x20 || *p == 0x7f)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (char) *p);
        }
    }
  g_string_append_c (out, '"');
}

/* "key": — with a comma before it unless it is the first member */
static void
json_key (GString    *out,
          const char *key)
{
  char last = out->len > 0 ? out->str[out->len - 1] : '\0';

  if (last != '{' && last != '[' && last != '\0')
    g_string_append_c (out, ',');
  if (key != NULL)
    {
      json_escape (out, key);
      g_string_append_c (out, ':');
    }
}

static void
json_str (GString    *out,
          const char *key,
          const char *value)
{
  json_key (out, key);
  json_escape (out, value);
}

static void
json_raw (GString    *out,
          const char *key,
          const char *raw)
{
  json_key (out, key);
  g_string_append (out, raw);
}

/* JSON is UTF-8 whatever the locale (g_print would convert it) */
static void
print_json (GString *out)
{
  fwrite (out->str, 1, out->len, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

static char *
iso8601 (GDateTime *t)
{
  return t != NULL ? g_date_time_format (t, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

static void
json_identity (GString        *out,
               const char     *key,
               ZidUziIdentity *id)
{
  g_autofree char *purpose = zid_uzi_identity_get_purpose (id) ? zid_uzi_purpose_to_string (zid_uzi_identity_get_purpose (id)) : g_strdup ("none");
  g_autofree char *nb = iso8601 (zid_uzi_identity_get_not_before (id));
  g_autofree char *na = iso8601 (zid_uzi_identity_get_not_after (id));
  g_autofree char *version = g_strdup_printf ("%u", zid_uzi_identity_get_uzi_version (id));
  char type[2] = { zid_uzi_identity_get_card_type (id), '\0' };

  json_key (out, key);
  g_string_append_c (out, '{');
  json_str (out, "given_name", zid_uzi_identity_get_given_name (id));
  json_str (out, "surname", zid_uzi_identity_get_surname (id));
  json_str (out, "common_name", zid_uzi_identity_get_common_name (id));
  json_str (out, "organisation", zid_uzi_identity_get_organisation (id));
  json_str (out, "title", zid_uzi_identity_get_title (id));
  json_str (out, "serial_number", zid_uzi_identity_get_serial_number (id));
  json_str (out, "oid_ca", zid_uzi_identity_get_oid_ca (id));
  json_raw (out, "uzi_version", version);
  json_str (out, "uzi_number", zid_uzi_identity_get_uzi_number (id));
  json_str (out, "card_type", type);
  json_str (out, "subscriber_number", zid_uzi_identity_get_subscriber_number (id));
  json_str (out, "role", zid_uzi_identity_get_role (id));
  json_str (out, "agb_code", zid_uzi_identity_get_agb_code (id));
  json_str (out, "upn", zid_uzi_identity_get_upn (id));
  json_str (out, "purpose", purpose);
  json_str (out, "not_before", nb);
  json_str (out, "not_after", na);
  g_string_append_c (out, '}');
}

static void
json_error (GString      *out,
            const char   *key,
            const GError *error)
{
  json_key (out, key);
  g_string_append_c (out, '{');
  json_str (out, "error", error->domain == ZID_CARD_ERROR
                           ? zid_card_error_code_name (error->code) : "failed");
  json_str (out, "message", error->message);
  g_string_append_c (out, '}');
}

static void
print_text_identity (ZidUziIdentity *id)
{
  g_autofree char *purpose = zid_uzi_purpose_to_string (zid_uzi_identity_get_purpose (id));
  g_autofree char *nb = iso8601 (zid_uzi_identity_get_not_before (id));
  g_autofree char *na = iso8601 (zid_uzi_identity_get_not_after (id));

#define LINE(label, value) g_print ("  %-20s %s\n", label, (value) != NULL ? (value) : "-")
  LINE ("Naam:", zid_uzi_identity_get_common_name (id));
  LINE ("Voornaam:", zid_uzi_identity_get_given_name (id));
  LINE ("Achternaam:", zid_uzi_identity_get_surname (id));
  LINE ("Titel:", zid_uzi_identity_get_title (id));
  LINE ("Organisatie:", zid_uzi_identity_get_organisation (id));
  LINE ("UZI-nummer:", zid_uzi_identity_get_uzi_number (id));
  g_print ("  %-20s %c\n", "Pastype:", zid_uzi_identity_get_card_type (id));
  LINE ("Abonneenummer (URA):", zid_uzi_identity_get_subscriber_number (id));
  LINE ("Rol:", zid_uzi_identity_get_role (id));
  LINE ("AGB-code:", zid_uzi_identity_get_agb_code (id));
  LINE ("OID CA:", zid_uzi_identity_get_oid_ca (id));
  LINE ("Gebruik:", purpose);
  LINE ("Geldig vanaf:", nb);
  LINE ("Geldig tot:", na);
#undef LINE
}

static int
fail (CardCli      *cli,
      const GError *error)
{
  int status = CARD_REFUSED;

  if (error->domain == ZID_CARD_ERROR && error->code == ZID_CARD_ERROR_NOT_A_CERTIFICATE)
    status = CARD_USAGE;
  if (cli->json)
    {
      g_autoptr(GString) out = g_string_new (NULL);
      json_error (out, NULL, error);
      print_json (out);
    }
  else
    g_printerr ("zorgid-admin card: %s\n", error->message);
  return status;
}

static int
usage (CardCli    *cli,
       const char *message)
{
  g_autoptr(GError) error = g_error_new_literal (ZID_CARD_ERROR, ZID_CARD_ERROR_FAILED, message);

  if (cli->json)
    {
      g_autoptr(GString) out = g_string_new ("{\"error\":\"usage\",\"message\":");
      json_escape (out, message);
      g_string_append_c (out, '}');
      print_json (out);
    }
  else
    g_printerr ("zorgid-admin card: %s\n", message);
  return CARD_USAGE;
}

static ZidCardConfig *
make_config (CardCli *cli)
{
  ZidCardConfig *config = zid_card_config_new_from_environment (cli->environment);

  if (cli->module_path != NULL)
    {
      g_free (config->module_path);
      config->module_path = g_strdup (cli->module_path);
    }
  if (cli->no_registered)
    config->load_registered = FALSE;
  if (cli->trust_dir != NULL)
    {
      g_free (config->trust_dir);
      config->trust_dir = g_strdup (cli->trust_dir);
    }
  if (cli->extra_oids != NULL)
    {
      g_auto(GStrv) old = config->extra_oid_cas;
      g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
      if (old != NULL)
        g_strv_builder_addv (b, (const char **) old);
      g_strv_builder_addv (b, (const char **) cli->extra_oids);
      config->extra_oid_cas = g_strv_builder_end (b);
    }
  return config;
}

/* --- card inspect --------------------------------------------------------- */

static int
card_inspect (CardCli  *cli,
              int       argc,
              char    **argv)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidUziIdentity) id = NULL;
  g_autoptr(ZidCardConfig) config = make_config (cli);
  X509 *x509;
  gsize len;

  if (argc != 2)
    return usage (cli, "gebruik: card inspect BESTAND [--json] [--trust MAP]");
  if (!g_file_get_contents (argv[1], &contents, &len, &error))
    {
      g_autoptr(GError) e = g_error_new (ZID_CARD_ERROR, ZID_CARD_ERROR_NOT_A_CERTIFICATE,
                                         "%s", error->message);
      return fail (cli, e);
    }
  x509 = zid_uzi_load_x509 ((const guint8 *) contents, len, &error);
  if (x509 == NULL)
    return fail (cli, error);
  id = zid_uzi_identity_new_from_x509 (x509, cli->environment,
                                       (const char * const *) config->extra_oid_cas, &error);
  X509_free (x509);
  if (id == NULL)
    return fail (cli, error);
  if (!zid_uzi_identity_check_validity (id, NULL, &error))
    return fail (cli, error);
  /* Only an explicit --trust validates the chain here */
  if (cli->trust_dir != NULL &&
      !zid_uzi_identity_validate_chain (id, cli->trust_dir, NULL, NULL, NULL, &error))
    return fail (cli, error);

  if (cli->json)
    {
      g_autoptr(GString) out = g_string_new (NULL);
      json_identity (out, NULL, id);
      print_json (out);
    }
  else
    {
      g_print ("UZI-certificaat %s%s:\n", argv[1], cli->trust_dir != NULL ? " (keten vertrouwd)" : "");
      print_text_identity (id);
    }
  return CARD_DONE;
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

static int
card_status (CardCli  *cli,
             int       argc,
             char    **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) readers = NULL;
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(ZidPkcs11) pkcs11 = NULL;
  g_autoptr(ZidCardConfig) config = make_config (cli);
  g_autoptr(GString) out = g_string_new (NULL);

  if (argc != 1)
    return usage (cli, "gebruik: card status [--json] [--module PAD]");

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
      if (readers->len == 0)
        g_print ("Geen kaartlezer aangesloten\n");
      for (guint i = 0; i < readers->len; i++)
        {
          ZidReader *r = g_ptr_array_index (readers, i);
          g_autofree char *atr = zid_reader_dup_atr_hex (r);
          g_print ("Kaartlezer %s: %s%s%s\n", zid_reader_get_name (r),
                   zid_reader_get_card_present (r) ? "kaart aanwezig" : "geen kaart",
                   zid_reader_get_card_present (r) ? ", ATR " : "", atr);
        }
      for (guint i = 0; i < tokens->len; i++)
        {
          ZidToken *t = g_ptr_array_index (tokens, i);
          GPtrArray *certs = zid_token_get_certificates (t);
          ZidPinState pin = zid_token_get_pin_state (t, NULL, NULL);
          g_print ("Token \"%s\" in %s (%s), PIN: %s\n", zid_token_get_label (t),
                   zid_token_get_reader_name (t), zid_token_get_module_name (t), pin_state_name (pin));
          for (guint j = 0; j < certs->len; j++)
            {
              ZidTokenCertificate *c = g_ptr_array_index (certs, j);
              g_print (" Certificaat \"%s\":\n", c->label);
              if (c->identity != NULL)
                print_text_identity (c->identity);
              else
                g_print ("  geen UZI-certificaat: %s\n", c->error->message);
            }
        }
      return CARD_DONE;
    }

  g_string_append_c (out, '{');
  json_raw (out, "service", "true");
  json_key (out, "readers");
  g_string_append_c (out, '[');
  for (guint i = 0; i < readers->len; i++)
    {
      ZidReader *r = g_ptr_array_index (readers, i);
      g_autofree char *atr = zid_reader_dup_atr_hex (r);
      json_key (out, NULL);
      g_string_append_c (out, '{');
      json_str (out, "name", zid_reader_get_name (r));
      json_raw (out, "card_present", zid_reader_get_card_present (r) ? "true" : "false");
      json_str (out, "atr", zid_reader_get_card_present (r) ? atr : NULL);
      g_string_append_c (out, '}');
    }
  g_string_append_c (out, ']');
  json_key (out, "tokens");
  g_string_append_c (out, '[');
  for (guint i = 0; i < tokens->len; i++)
    {
      ZidToken *t = g_ptr_array_index (tokens, i);
      GPtrArray *certs = zid_token_get_certificates (t);
      ZidPinState pin = zid_token_get_pin_state (t, NULL, NULL);

      json_key (out, NULL);
      g_string_append_c (out, '{');
      json_str (out, "label", zid_token_get_label (t));
      json_str (out, "reader", zid_token_get_reader_name (t));
      json_str (out, "module", zid_token_get_module_name (t));
      json_str (out, "serial", zid_token_get_serial (t));
      json_str (out, "pin_state", pin_state_name (pin));
      json_key (out, "certificates");
      g_string_append_c (out, '[');
      for (guint j = 0; j < certs->len; j++)
        {
          ZidTokenCertificate *c = g_ptr_array_index (certs, j);
          g_autofree char *id_hex = NULL;
          GString *hex = g_string_new (NULL);
          gsize len;
          const guint8 *p = g_bytes_get_data (c->id, &len);

          for (gsize k = 0; k < len; k++)
            g_string_append_printf (hex, "%02x", p[k]);
          id_hex = g_string_free (hex, FALSE);
          json_key (out, NULL);
          g_string_append_c (out, '{');
          json_str (out, "label", c->label);
          json_str (out, "id", id_hex);
          if (c->identity != NULL)
            json_identity (out, "identity", c->identity);
          else
            json_error (out, "refusal", c->error);
          g_string_append_c (out, '}');
        }
      g_string_append (out, "]}");
    }
  g_string_append (out, "]}");
  print_json (out);
  return CARD_DONE;
}

/* --- card verify ---------------------------------------------------------- */

static int
card_verify (CardCli  *cli,
             int       argc,
             char    **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidCardConfig) config = make_config (cli);
  g_autoptr(ZidPkcs11) pkcs11 = NULL;
  g_autoptr(ZidToken) token = NULL;
  g_autoptr(ZidPin) pin = NULL;
  g_autoptr(ZidUziIdentity) id = NULL;
  g_autoptr(GPtrArray) chain = NULL;

  if (argc != 1)
    return usage (cli, "gebruik: card verify [--pin-file BESTAND] [--json]; "
                       "de PIN staat nooit op de opdrachtregel");

  pkcs11 = zid_pkcs11_new (config, &error);
  if (pkcs11 == NULL)
    return fail (cli, error);
  token = zid_pkcs11_find_uzi_token (pkcs11, NULL, &error);
  if (token == NULL)
    return fail (cli, error);

  if (cli->pin_file != NULL)
    pin = zid_pin_new_from_file (cli->pin_file, &error);
  else
    pin = zid_pin_new_from_terminal ("PIN van de UZI-pas: ", &error);
  if (pin == NULL)
    {
      int status = fail (cli, error);
      return status == CARD_REFUSED ? CARD_USAGE : status;
    }

  id = zid_token_verify (token, pin, NULL, &chain, &error);
  g_clear_pointer (&pin, zid_pin_unref);
  if (id == NULL)
    return fail (cli, error);

  if (cli->json)
    {
      g_autoptr(GString) out = g_string_new ("{");
      g_autofree char *n = g_strdup_printf ("%u", chain->len);
      json_raw (out, "verified", "true");
      json_raw (out, "chain_validated", config->trust_dir != NULL ? "true" : "false");
      json_raw (out, "chain_length", n);
      json_str (out, "reader", zid_token_get_reader_name (token));
      json_str (out, "token", zid_token_get_label (token));
      json_identity (out, "identity", id);
      g_string_append_c (out, '}');
      print_json (out);
    }
  else
    {
      g_print ("UZI-pas geverifieerd (PIN, handtekening%s) in %s:\n",
               config->trust_dir != NULL ? ", keten" : "; keten niet gecontroleerd: geen --trust",
               zid_token_get_reader_name (token));
      print_text_identity (id);
    }
  return CARD_DONE;
}

/* --- dispatch ------------------------------------------------------------- */

int
zid_cli_card (int          argc,
              char       **argv,
              const char  *data_dir,
              const char  *environment,
              gboolean     json)
{
  CardCli cli = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli.json_option, "Machineleesbare uitvoer (JSON)", NULL },
    { "trust", 0, 0, G_OPTION_ARG_FILENAME, &cli.trust_dir, "Map met vertrouwde UZI-basiscertificaten", "MAP" },
    { "module", 0, 0, G_OPTION_ARG_FILENAME, &cli.module_path, "PKCS#11-module van de kaartsoftware", "PAD" },
    { "no-registered", 0, 0, G_OPTION_ARG_NONE, &cli.no_registered, "Alleen --module, niet de modules van p11-kit", NULL },
    { "pin-file", 0, 0, G_OPTION_ARG_FILENAME, &cli.pin_file, "Lees de PIN uit dit bestand", "BESTAND" },
    { "extra-oid-ca", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cli.extra_oids, "Sta ook deze OID CA toe", "OID" },
    { NULL }
  };
  const char *sub;
  int sub_argc;
  char **sub_argv;
  int status;

  cli.json = json;
  if (!zid_uzi_environment_from_string (environment, &cli.environment))
    return usage (&cli, "onbekende omgeving: kies acceptatie of productie");

  if (argc < 2)
    return usage (&cli, "gebruik: card inspect|status|verify");
  sub = argv[1];
  if (strcmp (sub, "inspect") != 0 && strcmp (sub, "status") != 0 && strcmp (sub, "verify") != 0)
    return usage (&cli, "onbekende opdracht; gebruik: card inspect|status|verify");

  /* GOptionContext wants its own argv: "card SUB args..." minus "card" */
  sub_argc = argc - 1;
  sub_argv = g_new0 (char *, argc + 1);
  for (int i = 1; i < argc; i++)
    sub_argv[i - 1] = argv[i];

  context = g_option_context_new (NULL);
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_help_enabled (context, TRUE);
  if (!g_option_context_parse (context, &sub_argc, &sub_argv, &error))
    {
      status = usage (&cli, error->message);
      goto out;
    }
  cli.json = cli.json || cli.json_option;

  if (strcmp (sub, "inspect") == 0)
    status = card_inspect (&cli, sub_argc, sub_argv);
  else if (strcmp (sub, "status") == 0)
    status = card_status (&cli, sub_argc, sub_argv);
  else
    status = card_verify (&cli, sub_argc, sub_argv);

out:
  g_free (sub_argv);
  g_free (cli.trust_dir);
  g_free (cli.module_path);
  g_free (cli.pin_file);
  g_strfreev (cli.extra_oids);
  return status;
}
