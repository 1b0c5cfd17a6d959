/* zid-mobile-main.c — zorgid-mobile, the reference phone
 *
 * Plays the ZORG-ID app: enrols a mobile ID from an enrolment QR code and
 * answers login QR codes, speaking only docs/mobile-protocol.md. It does
 * not link our core: what it knows of the portal is what the protocol says.
 *
 *   zorgid-mobile [--data-dir DIR] [--pin-file F] [--json] enrol PAYLOAD|--qr-image FILE
 *   zorgid-mobile [...] login PAYLOAD|--qr-image FILE [--id ID]
 *   zorgid-mobile [...] ids
 *
 * Exit status: 0 done, 1 refused (by the service, or a pin mismatch) or
 * failed, 2 bad usage or input.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <openssl/crypto.h>

#include "zid-mobile.h"
#include "zid-mobile-client.h"
#include "zid-mobile-crypto.h"
#include "zid-mobile-payload.h"
#include "zid-mobile-qr.h"

G_DEFINE_QUARK (zid-mobile-error-quark, zid_mobile_error)

typedef struct
{
  char     *data_dir;
  char     *pin_file;
  char     *qr_image;
  char     *id;
  gboolean  json;
  gboolean  version;
} Options;

static Options opts;

static GOptionEntry entries[] = {
  { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &opts.data_dir, N_("The phone's storage (default $XDG_DATA_HOME/zorgid-mobile)"), N_("DIR") },
  { "pin-file", 0, 0, G_OPTION_ARG_FILENAME, &opts.pin_file, N_("File whose first line is the phone PIN"), N_("FILE") },
  { "qr-image", 0, 0, G_OPTION_ARG_FILENAME, &opts.qr_image, N_("Read the QR code from a picture (PNG, screenshot)"), N_("FILE") },
  { "id", 0, 0, G_OPTION_ARG_STRING, &opts.id, N_("Which ID answers a login (see ids)"), N_("ID") },
  { "json", 0, 0, G_OPTION_ARG_NONE, &opts.json, N_("Print JSON"), NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, &opts.version, N_("Print the version and exit"), NULL },
  { NULL }
};

static int
exit_status (const GError *error)
{
  if (error == NULL)
    return 0;
  if (error->domain == ZID_MOBILE_ERROR && error->code == ZID_MOBILE_ERROR_INPUT)
    return 2;
  if (error->domain == G_OPTION_ERROR || error->domain == G_URI_ERROR)
    return 2;
  return 1;
}

static void
print_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

static int
report_error (const GError *error,
              const char   *code)
{
  if (opts.json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "error");
      json_builder_add_string_value (builder,
                                     code ? code :
                                     error->domain != ZID_MOBILE_ERROR ? "invalid-input" :
                                     error->code == ZID_MOBILE_ERROR_PIN ? "pin-mismatch" :
                                     error->code == ZID_MOBILE_ERROR_INPUT ? "invalid-input" :
                                     error->code == ZID_MOBILE_ERROR_REFUSED ? "refused" : "failed");
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, error->message);
      json_builder_end_object (builder);
      print_json (builder);
    }
  g_printerr ("zorgid-mobile: %s\n", error->message);
  return exit_status (error);
}

/* The phone PIN, wiped when let go */
typedef char PhonePin;

static void
phone_pin_free (PhonePin *pin)
{
  if (pin == NULL)
    return;
  OPENSSL_cleanse (pin, strlen (pin));
  g_free (pin);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PhonePin, phone_pin_free)

static PhonePin *
read_pin (GError **error)
{
  g_autoptr(PhonePin) contents = NULL;
  char *newline;

  if (opts.pin_file == NULL)
    {
      g_set_error_literal (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_INPUT,
                           _("The phone PIN is needed: --pin-file FILE"));
      return NULL;
    }
  if (!g_file_get_contents (opts.pin_file, &contents, NULL, error))
    {
      (*error)->domain = ZID_MOBILE_ERROR;
      (*error)->code = ZID_MOBILE_ERROR_INPUT;
      return NULL;
    }
  newline = strpbrk (contents, "\r\n");
  if (newline)
    *newline = '\0';
  if (strlen (contents) < 4)
    {
      g_set_error_literal (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_INPUT,
                           _("The phone PIN must have at least 4 characters"));
      return NULL;
    }
  return g_steal_pointer (&contents);
}

static char *
ids_dir (void)
{
  return g_build_filename (opts.data_dir, "ids", NULL);
}

static gboolean
ensure_dir (const char  *path,
            GError     **error)
{
  if (g_mkdir_with_parents (path, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_FAILED,
                   _("Cannot create %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  g_chmod (path, 0700);
  return TRUE;
}

static gboolean
write_file (const char  *dir,
            const char  *name,
            const char  *contents,
            GError     **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  if (!g_file_set_contents_full (path, contents, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    {
      (*error)->domain = ZID_MOBILE_ERROR;
      (*error)->code = ZID_MOBILE_ERROR_FAILED;
      return FALSE;
    }
  return TRUE;
}

static char *
format_time (gint64 t)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (t);

  return dt ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ") : g_strdup ("");
}

/* Every stored ID, newest first (element type JsonObject) */
static GPtrArray *
load_ids (void)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autofree char *dir_path = ids_dir ();
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, "id.json", NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonNode *root;

      if (json_parser_load_from_file (parser, path, NULL) &&
          (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root))
        g_ptr_array_add (ids, json_object_ref (json_node_get_object (root)));
    }

  /* newest first */
  for (guint i = 1; i < ids->len; i++)
    for (guint j = i; j > 0; j--)
      {
        JsonObject *a = g_ptr_array_index (ids, j - 1);
        JsonObject *b = g_ptr_array_index (ids, j);

        if (json_object_get_int_member_with_default (a, "number", 0) >=
            json_object_get_int_member_with_default (b, "number", 0))
          break;
        ids->pdata[j - 1] = b;
        ids->pdata[j] = a;
      }
  return ids;
}

static char *
get_payload (const char *argument,
             GError    **error)
{
  if (opts.qr_image != NULL && argument != NULL)
    {
      g_set_error_literal (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_INPUT,
                           _("Give either a payload or --qr-image, not both"));
      return NULL;
    }
  if (opts.qr_image != NULL)
    return zid_mobile_qr_decode_file (opts.qr_image, error);
  if (argument == NULL)
    {
      g_set_error_literal (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_INPUT,
                           _("Give the QR code's text or --qr-image FILE"));
      return NULL;
    }
  return g_strdup (argument);
}

static int
cmd_enrol (const char *argument)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(PhonePin) pin = NULL;
  g_autofree char *error_code = NULL;
  g_autoptr(ZidMobilePayload) payload = NULL;
  g_autoptr(ZidMobileClient) client = NULL;
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(JsonObject) preview = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(EVP_PKEY) key = NULL;
  g_autofree char *csr = NULL;
  g_autofree char *key_pem = NULL;
  g_autofree char *serial = NULL;
  g_autofree char *not_after_text = NULL;
  g_autofree char *now_text = NULL;
  g_autofree char *base = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *number_text = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *id_json = NULL;
  const char *certificate, *chain;
  gint64 not_after = 0;
  gint64 number = 1;

  if ((text = get_payload (argument, &error)) == NULL ||
      (payload = zid_mobile_payload_parse (text, &error)) == NULL)
    return report_error (error, NULL);
  if (payload->kind != ZID_MOBILE_PAYLOAD_ENROL)
    {
      g_set_error_literal (&error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_INPUT,
                           _("This is a login QR code; use zorgid-mobile login"));
      return report_error (error, NULL);
    }
  if ((pin = read_pin (&error)) == NULL)
    return report_error (error, NULL);

  client = zid_mobile_client_new (payload->host, payload->pin);

  /* What will be added */
  request = json_object_new ();
  json_object_set_string_member (request, "code", payload->code);
  preview = zid_mobile_client_call (client, "/v1/enrolment/preview", request, &error_code, &error);
  if (preview == NULL)
    return report_error (error, error_code);
  if (g_strcmp0 (json_object_get_string_member_with_default (preview, "environment", ""),
                 payload->environment) != 0)
    {
      g_set_error (&error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_REFUSED,
                   _("The service is of another environment than the QR code (%s)"),
                   payload->environment);
      return report_error (error, "wrong-environment");
    }
  if (!opts.json)
    g_print (_("Adding the ZORG-ID of %s %s (%s, %s)…\n"),
             json_object_get_string_member_with_default (preview, "first_name", ""),
             json_object_get_string_member_with_default (preview, "last_name", ""),
             json_object_get_string_member_with_default (preview, "organisation", ""),
             payload->environment);

  /* The key never leaves the phone */
  if ((key = zid_mobile_key_generate (&error)) == NULL ||
      (csr = zid_mobile_csr_new (key, &error)) == NULL ||
      (key_pem = zid_mobile_key_encrypt (key, pin, &error)) == NULL)
    return report_error (error, NULL);

  json_object_set_string_member (request, "csr", csr);
  answer = zid_mobile_client_call (client, "/v1/enrolment", request, &error_code, &error);
  if (answer == NULL)
    return report_error (error, error_code);

  certificate = json_object_get_string_member_with_default (answer, "certificate", NULL);
  chain = json_object_get_string_member_with_default (answer, "chain", NULL);
  if (certificate == NULL || chain == NULL ||
      !zid_mobile_check_certificate (certificate, chain, key, &serial, &not_after, &error))
    {
      if (error == NULL)
        g_set_error_literal (&error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_REFUSED,
                             _("The service sent no certificate"));
      return report_error (error, NULL);
    }

  /* Store it */
  ids = load_ids ();
  if (ids->len > 0)
    number = json_object_get_int_member_with_default (g_ptr_array_index (ids, 0), "number", 0) + 1;
  number_text = g_strdup_printf ("%" G_GINT64_FORMAT, number);
  base = ids_dir ();
  dir = g_build_filename (base, number_text, NULL);
  if (!ensure_dir (opts.data_dir, &error) || !ensure_dir (base, &error) || !ensure_dir (dir, &error))
    return report_error (error, NULL);

  not_after_text = format_time (not_after);
  now_text = format_time (g_get_real_time () / G_USEC_PER_SEC);
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, number_text);
  json_builder_set_member_name (builder, "number");
  json_builder_add_int_value (builder, number);
  json_builder_set_member_name (builder, "environment");
  json_builder_add_string_value (builder, payload->environment);
  json_builder_set_member_name (builder, "host");
  json_builder_add_string_value (builder, payload->host);
  json_builder_set_member_name (builder, "pin");
  json_builder_add_string_value (builder, payload->pin);
  json_builder_set_member_name (builder, "purpose");
  json_builder_add_string_value (builder, json_object_get_string_member_with_default (preview, "purpose", ""));
  json_builder_set_member_name (builder, "first_name");
  json_builder_add_string_value (builder, json_object_get_string_member_with_default (preview, "first_name", ""));
  json_builder_set_member_name (builder, "last_name");
  json_builder_add_string_value (builder, json_object_get_string_member_with_default (preview, "last_name", ""));
  json_builder_set_member_name (builder, "organisation");
  json_builder_add_string_value (builder, json_object_get_string_member_with_default (preview, "organisation", ""));
  json_builder_set_member_name (builder, "serial");
  json_builder_add_string_value (builder, serial);
  json_builder_set_member_name (builder, "not_after");
  json_builder_add_string_value (builder, not_after_text);
  json_builder_set_member_name (builder, "enrolled");
  json_builder_add_string_value (builder, now_text);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  id_json = json_generator_to_data (generator, NULL);

  if (!write_file (dir, "key.pem", key_pem, &error) ||
      !write_file (dir, "certificate.pem", certificate, &error) ||
      !write_file (dir, "chain.pem", chain, &error) ||
      !write_file (dir, "id.json", id_json, &error))
    return report_error (error, NULL);

  if (opts.json)
    g_print ("%s\n", id_json);
  else
    g_print (_("ID %s added: certificate %s, valid until %s\n"), number_text, serial, not_after_text);
  return 0;
}

static JsonObject *
pick_id (ZidMobilePayload  *payload,
         GError           **error)
{
  g_autoptr(GPtrArray) ids = load_ids ();
  JsonObject *fallback = NULL;

  for (guint i = 0; i < ids->len; i++)
    {
      JsonObject *id = g_ptr_array_index (ids, i);

      if (opts.id != NULL)
        {
          if (g_strcmp0 (json_object_get_string_member_with_default (id, "id", ""), opts.id) == 0)
            return json_object_ref (id);
          continue;
        }
      if (g_strcmp0 (json_object_get_string_member_with_default (id, "environment", ""),
                     payload->environment) != 0)
        continue;
      if (g_strcmp0 (json_object_get_string_member_with_default (id, "pin", ""), payload->pin) == 0)
        return json_object_ref (id);
      if (fallback == NULL)
        fallback = id;
    }

  if (fallback != NULL)
    return json_object_ref (fallback);

  if (opts.id != NULL)
    g_set_error (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_INPUT, _("There is no ID %s on this phone"), opts.id);
  else
    g_set_error (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_INPUT,
                 _("This phone holds no ZORG-ID for %s"), payload->environment);
  return NULL;
}

static int
cmd_login (const char *argument)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(PhonePin) pin = NULL;
  g_autofree char *error_code = NULL;
  g_autoptr(ZidMobilePayload) payload = NULL;
  g_autoptr(ZidMobileClient) client = NULL;
  g_autoptr(JsonObject) id = NULL;
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(EVP_PKEY) key = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *key_path = NULL;
  g_autofree char *cert_path = NULL;
  g_autofree char *key_pem = NULL;
  g_autofree char *cert_pem = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *base = ids_dir ();

  if ((text = get_payload (argument, &error)) == NULL ||
      (payload = zid_mobile_payload_parse (text, &error)) == NULL)
    return report_error (error, NULL);
  if (payload->kind != ZID_MOBILE_PAYLOAD_LOGIN)
    {
      g_set_error_literal (&error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_INPUT,
                           _("This is an enrolment QR code; use zorgid-mobile enrol"));
      return report_error (error, NULL);
    }
  if ((pin = read_pin (&error)) == NULL || (id = pick_id (payload, &error)) == NULL)
    return report_error (error, NULL);
  if (g_strcmp0 (json_object_get_string_member_with_default (id, "environment", ""),
                 payload->environment) != 0)
    {
      g_set_error (&error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_INPUT,
                   _("ID %s is for %s, the QR code for %s"),
                   json_object_get_string_member (id, "id"),
                   json_object_get_string_member (id, "environment"), payload->environment);
      return report_error (error, NULL);
    }

  dir = g_build_filename (base, json_object_get_string_member (id, "id"), NULL);
  key_path = g_build_filename (dir, "key.pem", NULL);
  cert_path = g_build_filename (dir, "certificate.pem", NULL);
  if (!g_file_get_contents (key_path, &key_pem, NULL, &error) ||
      !g_file_get_contents (cert_path, &cert_pem, NULL, &error))
    return report_error (error, NULL);
  if ((key = zid_mobile_key_decrypt (key_pem, pin, &error)) == NULL ||
      (signature = zid_mobile_sign_login (key, payload->pin, payload->session, payload->challenge,
                                           &error)) == NULL)
    return report_error (error, NULL);

  client = zid_mobile_client_new (payload->host, payload->pin);
  request = json_object_new ();
  json_object_set_string_member (request, "session", payload->session);
  json_object_set_string_member (request, "certificate", cert_pem);
  json_object_set_string_member (request, "signature", signature);
  answer = zid_mobile_client_call (client, "/v1/login", request, &error_code, &error);
  if (answer == NULL)
    return report_error (error, error_code);

  if (opts.json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, "accepted");
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, json_object_get_string_member (id, "id"));
      json_builder_end_object (builder);
      print_json (builder);
    }
  else
    g_print (_("Logged in with ID %s (%s %s)\n"),
             json_object_get_string_member (id, "id"),
             json_object_get_string_member_with_default (id, "first_name", ""),
             json_object_get_string_member_with_default (id, "last_name", ""));
  return 0;
}

static int
cmd_ids (void)
{
  g_autoptr(GPtrArray) ids = load_ids ();

  if (opts.json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; i < ids->len; i++)
        {
          g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), g_ptr_array_index (ids, i));

          json_builder_add_value (builder, g_steal_pointer (&node));
        }
      json_builder_end_array (builder);
      print_json (builder);
      return 0;
    }

  if (ids->len == 0)
    g_print (_("This phone holds no ZORG-ID.\n"));
  for (guint i = 0; i < ids->len; i++)
    {
      JsonObject *id = g_ptr_array_index (ids, i);

      g_print (_("%s\t%s %s\t%s\t%s\tcertificate %s, valid until %s\n"),
               json_object_get_string_member_with_default (id, "id", ""),
               json_object_get_string_member_with_default (id, "first_name", ""),
               json_object_get_string_member_with_default (id, "last_name", ""),
               json_object_get_string_member_with_default (id, "organisation", ""),
               json_object_get_string_member_with_default (id, "environment", ""),
               json_object_get_string_member_with_default (id, "serial", ""),
               json_object_get_string_member_with_default (id, "not_after", ""));
    }
  return 0;
}

/* Arguments and text are UTF-8 whatever the locale: in the plain C locale
 * (ASCII) “Zoë” would neither parse as an option's value nor print, so
 * there the character type becomes C.UTF-8's (as Python does, PEP 538);
 * the messages stay the C locale's */
static void
coerce_c_locale (void)
{
  const char *ctype = setlocale (LC_CTYPE, NULL);

  if (ctype != NULL && (g_str_equal (ctype, "C") || g_str_equal (ctype, "POSIX")))
    setlocale (LC_CTYPE, "C.UTF-8");
}

/* Text is UTF-8 whatever the locale (g_print would convert it to the
 * locale's charset: "Zoë" would become "Zo?" under LC_ALL=C) */
static void
print_utf8 (const char *text)
{
  fputs (text, stdout);
}

static void
printerr_utf8 (const char *text)
{
  fputs (text, stderr);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  const char *command;
  const char *localedir;
  int status;

  localedir = g_getenv ("ZORGID_LOCALEDIR");
  setlocale (LC_ALL, "");
  coerce_c_locale ();
  /* ZORGID_LOCALEDIR: the build tree's translations, for running uninstalled */
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  umask (077);
  g_set_print_handler (print_utf8);
  g_set_printerr_handler (printerr_utf8);

  context = g_option_context_new ("enrol PAYLOAD|--qr-image FILE | login PAYLOAD|--qr-image FILE | ids");
  g_option_context_set_summary (context, _("The reference ZORG-ID phone: enrols a mobile ID and answers logins."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("zorgid-mobile: %s\n", error->message);
      return 2;
    }
  if (opts.version)
    {
      g_print ("zorgid-mobile (ZORG-ID Portaal) %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (opts.data_dir == NULL)
    opts.data_dir = g_build_filename (g_get_user_data_dir (), "zorgid-mobile", NULL);

  command = argc > 1 ? argv[1] : NULL;
  if (g_strcmp0 (command, "enrol") == 0 && argc <= 3)
    status = cmd_enrol (argc == 3 ? argv[2] : NULL);
  else if (g_strcmp0 (command, "login") == 0 && argc <= 3)
    status = cmd_login (argc == 3 ? argv[2] : NULL);
  else if (g_strcmp0 (command, "ids") == 0 && argc == 2)
    status = cmd_ids ();
  else
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_printerr ("%s", help);
      status = 2;
    }

  g_free (opts.data_dir);
  g_free (opts.pin_file);
  g_free (opts.qr_image);
  g_free (opts.id);
  return status;
}
