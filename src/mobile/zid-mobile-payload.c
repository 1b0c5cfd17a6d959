/* zid-mobile-payload.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "zid-mobile.h"
#include "zid-mobile-payload.h"

void
zid_mobile_payload_free (ZidMobilePayload *self)
{
  if (self == NULL)
    return;
  g_free (self->environment);
  g_free (self->host);
  g_free (self->pin);
  g_free (self->code);
  g_free (self->session);
  g_free (self->challenge);
  g_free (self);
}

gboolean
zid_mobile_is_token (const char *value,
                     gsize       min_len)
{
  gsize len;

  if (value == NULL)
    return FALSE;
  len = strlen (value);
  if (len < min_len || len > 256)
    return FALSE;
  for (const char *p = value; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

static gboolean
valid_host (const char *host)
{
  const char *colon = strrchr (host, ':');
  guint64 port;

  if (colon == NULL || colon == host ||
      !g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &port, NULL))
    return FALSE;
  if (host[0] == '[')
    {
      g_autofree char *inner = NULL;
      g_autoptr(GInetAddress) ip = NULL;

      if (colon[-1] != ']' || colon - host <= 2)
        return FALSE;
      inner = g_strndup (host + 1, colon - host - 2);
      ip = g_inet_address_new_from_string (inner);
      return ip != NULL && g_inet_address_get_family (ip) == G_SOCKET_FAMILY_IPV6;
    }
  for (const char *p = host; p < colon; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-')
      return FALSE;
  return TRUE;
}

/* Each parameter once: with two, which one counts would be up to the
 * reader ("env=productie&env=acceptatie") */
static gboolean
no_repeats (const char  *query,
            GError     **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GUriParamsIter iter;
  char *name = NULL;
  char *value = NULL;

  g_uri_params_iter_init (&iter, query, -1, "&", G_URI_PARAMS_NONE);
  while (g_uri_params_iter_next (&iter, &name, &value, NULL) && name != NULL)
    {
      g_free (value);
      if (!g_hash_table_add (seen, name))
        {
          g_set_error (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_INPUT,
                       _("The QR code names “%s” twice"), name);
          return FALSE;
        }
    }
  return TRUE;
}

static char *
take (GHashTable *params,
      const char *name)
{
  char *value = NULL;

  if (g_hash_table_steal_extended (params, name, NULL, (gpointer *) &value))
    return value;
  return NULL;
}

ZidMobilePayload *
zid_mobile_payload_parse (const char  *text,
                          GError     **error)
{
  g_autoptr(ZidMobilePayload) self = g_new0 (ZidMobilePayload, 1);
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *version = NULL;
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  const char *query;

  if (g_str_has_prefix (trimmed, "zorgid://enrol?"))
    self->kind = ZID_MOBILE_PAYLOAD_ENROL;
  else if (g_str_has_prefix (trimmed, "zorgid://login?"))
    self->kind = ZID_MOBILE_PAYLOAD_LOGIN;
  else
    {
      g_set_error (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_INPUT,
                   _("Not a ZORG-ID QR code (it must start with zorgid://enrol? or zorgid://login?)"));
      return NULL;
    }

  query = strchr (trimmed, '?') + 1;
  if (!no_repeats (query, error))
    return NULL;
  params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, error);
  if (params == NULL)
    return NULL;

  version = take (params, "v");
  if (g_strcmp0 (version, "1") != 0)
    {
      g_set_error (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_INPUT,
                   _("Unsupported QR code version “%s”; update the app"), version ? version : "");
      return NULL;
    }

  self->environment = take (params, "env");
  self->host = take (params, "host");
  self->pin = take (params, "pin");
  if (self->kind == ZID_MOBILE_PAYLOAD_ENROL)
    self->code = take (params, "code");
  else
    {
      self->session = take (params, "session");
      self->challenge = take (params, "challenge");
    }

  if (g_strcmp0 (self->environment, "acceptatie") != 0 &&
      g_strcmp0 (self->environment, "productie") != 0)
    {
      g_set_error (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_INPUT,
                   _("The QR code names no environment (acceptatie or productie)"));
      return NULL;
    }
  if (self->host == NULL || !valid_host (self->host))
    {
      g_set_error (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_INPUT,
                   _("The QR code has no valid service address (HOST:PORT)"));
      return NULL;
    }
  if (self->pin == NULL || strlen (self->pin) != 43 || !zid_mobile_is_token (self->pin, 43))
    {
      g_set_error (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_INPUT,
                   _("The QR code has no valid certificate pin"));
      return NULL;
    }
  if (self->kind == ZID_MOBILE_PAYLOAD_ENROL && !zid_mobile_is_token (self->code, 22))
    {
      g_set_error (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_INPUT,
                   _("The QR code has no valid enrolment code"));
      return NULL;
    }
  if (self->kind == ZID_MOBILE_PAYLOAD_LOGIN &&
      (!zid_mobile_is_token (self->session, 22) || !zid_mobile_is_token (self->challenge, 22)))
    {
      g_set_error (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_INPUT,
                   _("The QR code has no valid login session"));
      return NULL;
    }
  if (g_hash_table_size (params) != 0)
    {
      g_set_error (error, ZID_MOBILE_ERROR, ZID_MOBILE_ERROR_INPUT,
                   _("The QR code has parameters this app does not know"));
      return NULL;
    }

  return g_steal_pointer (&self);
}
