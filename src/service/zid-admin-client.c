/* zid-admin-client.c — a client of the organisation server's admin API
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-service"

#include "config.h"

#include <libsoup/soup.h>
#include <openssl/crypto.h>
#include <string.h>

#include "zid-admin-client.h"
#include "zid-i18n.h"

/* The server answers an admin command within this (a command that waits
 * for the store's lock longer is refused as busy well before) */
#define CALL_TIMEOUT 60

struct _ZidAdminClient
{
  SoupSession    *session;
  ZidEnvironment  environment;
  char           *address;
  char           *pin;
  gboolean        pin_mismatch;
};

G_DEFINE_QUARK (zid-admin-client-error-quark, zid_admin_client_error)

static gboolean
is_pin (const char *pin)
{
  /* base64url of a SHA-256, without padding */
  if (pin == NULL || strlen (pin) != 43)
    return FALSE;
  for (const char *p = pin; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

ZidAdminClient *
zid_admin_client_new (const char  *connection_code,
                      GError     **error)
{
  g_autoptr(ZidAdminClient) self = g_new0 (ZidAdminClient, 1);
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GSocketConnectable) named = NULL;
  const char *env = NULL, *host = NULL;

  g_return_val_if_fail (connection_code != NULL, NULL);

  uri = g_uri_parse (connection_code, G_URI_FLAGS_NONE, NULL);
  if (uri != NULL && g_strcmp0 (g_uri_get_scheme (uri), "zorgid") == 0 &&
      g_strcmp0 (g_uri_get_host (uri), "server") == 0 && g_uri_get_query (uri) != NULL)
    params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
  if (params != NULL)
    {
      env = g_hash_table_lookup (params, "env");
      host = g_hash_table_lookup (params, "host");
    }
  /* HOST:PORT, [V6]:PORT or NAME:PORT */
  if (host != NULL)
    named = g_network_address_parse (host, 0, NULL);
  if (params == NULL || g_strcmp0 (g_hash_table_lookup (params, "v"), "1") != 0 ||
      env == NULL || !zid_environment_from_string (env, &self->environment) ||
      named == NULL || g_network_address_get_port (G_NETWORK_ADDRESS (named)) == 0 ||
      !is_pin (g_hash_table_lookup (params, "pin")))
    {
      g_set_error (error, ZID_ADMIN_CLIENT_ERROR, ZID_ADMIN_CLIENT_ERROR_CODE,
                   _("“%s” is not a server connection code (zorgid://server?v=1&env=…&host=…&pin=…); "
                     "ask the server's administrator for it (zorgid-admin server connection-code), "
                     "and put it between single quotes on a command line: it holds “&”"),
                   connection_code);
      return NULL;
    }
  self->address = g_strdup (host);
  self->pin = g_strdup (g_hash_table_lookup (params, "pin"));
  self->session = soup_session_new_with_options ("timeout", CALL_TIMEOUT,
                                                 "user-agent", "zorgid-admin/" PACKAGE_VERSION,
                                                 NULL);
  /* No CA is trusted: the pin decides */
  soup_session_set_tls_database (self->session, NULL);
  return g_steal_pointer (&self);
}

void
zid_admin_client_free (ZidAdminClient *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->session);
  g_free (self->address);
  g_free (self->pin);
  g_free (self);
}

ZidEnvironment
zid_admin_client_get_environment (ZidAdminClient *self)
{
  return self->environment;
}

const char *
zid_admin_client_get_address (ZidAdminClient *self)
{
  return self->address;
}

const char *
zid_admin_client_get_pin (ZidAdminClient *self)
{
  return self->pin;
}

static gboolean
pin_matches (ZidAdminClient  *self,
             GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;
  guint8 digest[32];
  g_autofree char *b64 = NULL;
  char *end;

  if (certificate == NULL)
    return FALSE;
  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return FALSE;
  {
    g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
    gsize len = sizeof digest;

    g_checksum_update (sum, der->data, der->len);
    g_checksum_get_digest (sum, digest, &len);
  }
  b64 = g_base64_encode (digest, sizeof digest);
  for (char *p = b64; *p; p++)
    *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
  if ((end = strchr (b64, '=')) != NULL)
    *end = '\0';
  return strlen (b64) == strlen (self->pin) && CRYPTO_memcmp (b64, self->pin, strlen (b64)) == 0;
}

static gboolean
accept_certificate_cb (SoupMessage          *msg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  ZidAdminClient *self = user_data;

  if (pin_matches (self, certificate))
    return TRUE;
  self->pin_mismatch = TRUE;
  return FALSE;
}

JsonObject *
zid_admin_client_call (ZidAdminClient  *self,
                       const char      *path,
                       const char      *language,
                       guint           *status,
                       GError         **error,
                       const char      *first_name,
                       ...)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *url = g_strdup_printf ("https://%s%s", self->address, path);
  g_autofree char *body = NULL;
  JsonNode *answer_root;
  va_list args;
  gsize len;

  json_builder_begin_object (builder);
  va_start (args, first_name);
  for (const char *name = first_name; name != NULL; name = va_arg (args, const char *))
    {
      json_builder_set_member_name (builder, name);
      json_builder_add_string_value (builder, va_arg (args, const char *));
    }
  va_end (args);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  body = json_generator_to_data (generator, &len);
  request = g_bytes_new_take (g_steal_pointer (&body), len);

  msg = soup_message_new (SOUP_METHOD_POST, url);
  if (msg == NULL)
    {
      g_set_error (error, ZID_ADMIN_CLIENT_ERROR, ZID_ADMIN_CLIENT_ERROR_CODE,
                   _("“%s” is not a server address"), self->address);
      return NULL;
    }
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_certificate_cb), self);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_set_request_body_from_bytes (msg, "application/json", request);
  if (language != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept-Language", language);

  self->pin_mismatch = FALSE;
  answer = soup_session_send_and_read (self->session, msg, NULL, &local_error);
  if (self->pin_mismatch)
    {
      g_set_error (error, ZID_ADMIN_CLIENT_ERROR, ZID_ADMIN_CLIENT_ERROR_PIN,
                   _("The server at %s is not the one in the connection code (certificate pin "
                     "mismatch); nothing was sent. Ask the server's administrator for the current "
                     "connection code"), self->address);
      return NULL;
    }
  if (answer == NULL)
    {
      g_set_error (error, ZID_ADMIN_CLIENT_ERROR, ZID_ADMIN_CLIENT_ERROR_UNREACHABLE,
                   _("The server at %s does not answer (%s): check the address and the network, "
                     "then try again"), self->address, local_error->message);
      return NULL;
    }

  *status = soup_message_get_status (msg);
  if (!json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), NULL) ||
      (answer_root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (answer_root))
    {
      g_set_error (error, ZID_ADMIN_CLIENT_ERROR, ZID_ADMIN_CLIENT_ERROR_ANSWER,
                   _("The server at %s gave an answer that is not the admin API's (HTTP %u)"),
                   self->address, *status);
      return NULL;
    }
  return json_object_ref (json_node_get_object (answer_root));
}
