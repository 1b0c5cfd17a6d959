/* zid-registration-json.c — the registration document: strict JSON
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-core"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "zid-i18n.h"
#include "zid-portal-private.h"
#include "zid-registration-file.h"

#define MAX_JSON_DEPTH       16
#define CREATED_TOLERANCE    (24 * 60 * 60)

/* --- strict JSON (RFC 8259) ------------------------------------------------
 *
 * json-glib 1.6 also accepts comments, single quotes, leading zeros, raw
 * control characters in strings and several documents in a row; the grammar
 * is checked here first, json-glib then builds the tree. */

typedef struct
{
  const char *p;
  const char *end;
  const char *start;
} Scan;

static void
skip_ws (Scan *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    s->p++;
}

static gboolean
scan_literal (Scan       *s,
              const char *word)
{
  gsize n = strlen (word);

  if ((gsize) (s->end - s->p) < n || memcmp (s->p, word, n) != 0)
    return FALSE;
  s->p += n;
  return TRUE;
}

static gboolean
scan_digits (Scan *s)
{
  const char *from = s->p;

  while (s->p < s->end && g_ascii_isdigit (*s->p))
    s->p++;
  return s->p > from;
}

static gboolean
scan_number (Scan *s)
{
  if (s->p < s->end && *s->p == '-')
    s->p++;
  if (s->p < s->end && *s->p == '0')
    s->p++;
  else if (!(s->p < s->end && *s->p >= '1' && *s->p <= '9') || !scan_digits (s))
    return FALSE;
  if (s->p < s->end && *s->p == '.')
    {
      s->p++;
      if (!scan_digits (s))
        return FALSE;
    }
  if (s->p < s->end && (*s->p == 'e' || *s->p == 'E'))
    {
      s->p++;
      if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
        s->p++;
      if (!scan_digits (s))
        return FALSE;
    }
  return TRUE;
}

static gboolean
scan_string (Scan *s)
{
  if (s->p >= s->end || *s->p != '"')
    return FALSE;
  s->p++;
  while (s->p < s->end)
    {
      guchar c = (guchar) *s->p++;

      if (c == '"')
        return TRUE;
      if (c < 0x20)
        return FALSE;
      if (c == '\\')
        {
          if (s->p >= s->end)
            return FALSE;
          c = (guchar) *s->p++;
          if (c == 'u')
            {
              if (s->end - s->p < 4)
                return FALSE;
              for (int i = 0; i < 4; i++)
                if (!g_ascii_isxdigit (s->p[i]))
                  return FALSE;
              /* no NUL inside a C string */
              if (memcmp (s->p, "0000", 4) == 0)
                return FALSE;
              s->p += 4;
            }
          else if (strchr ("\"\\/bfnrt", c) == NULL || c == '\0')
            return FALSE;
        }
    }
  return FALSE;
}

static gboolean scan_value (Scan *s, guint depth);

static gboolean
scan_container (Scan  *s,
                guint  depth,
                char   close)
{
  gboolean object = close == '}';

  if (depth > MAX_JSON_DEPTH)
    return FALSE;
  s->p++;
  skip_ws (s);
  if (s->p < s->end && *s->p == close)
    {
      s->p++;
      return TRUE;
    }
  for (;;)
    {
      if (object)
        {
          if (!scan_string (s))
            return FALSE;
          skip_ws (s);
          if (s->p >= s->end || *s->p != ':')
            return FALSE;
          s->p++;
          skip_ws (s);
        }
      if (!scan_value (s, depth + 1))
        return FALSE;
      skip_ws (s);
      if (s->p >= s->end)
        return FALSE;
      if (*s->p == close)
        {
          s->p++;
          return TRUE;
        }
      if (*s->p != ',')
        return FALSE;
      s->p++;
      skip_ws (s);
    }
}

static gboolean
scan_value (Scan  *s,
            guint  depth)
{
  if (s->p >= s->end)
    return FALSE;
  switch (*s->p)
    {
    case '{': return scan_container (s, depth, '}');
    case '[': return scan_container (s, depth, ']');
    case '"': return scan_string (s);
    case 't': return scan_literal (s, "true");
    case 'f': return scan_literal (s, "false");
    case 'n': return scan_literal (s, "null");
    default: return scan_number (s);
    }
}

static gboolean
check_json_syntax (const char  *json,
                   gsize        len,
                   GError     **error)
{
  Scan s = { json, json + len, json };

  if (len >= 3 && memcmp (json, "\xef\xbb\xbf", 3) == 0)
    return _zid_refuse (error, ZID_ERROR_INVALID_INPUT,
                        _("The registration starts with a byte order mark; expected is JSON in "
                          "UTF-8 without a BOM"));
  if (!g_utf8_validate_len (json, len, NULL))
    return _zid_refuse (error, ZID_ERROR_INVALID_INPUT, _("The registration is not valid UTF-8 "
                                                          "text"));
  skip_ws (&s);
  if (s.p >= s.end || *s.p != '{')
    return _zid_refuse (error, ZID_ERROR_INVALID_INPUT,
                        _("The registration is not a JSON object"));
  if (scan_value (&s, 0))
    {
      skip_ws (&s);
      if (s.p == s.end)
        return TRUE;
    }
  return _zid_refuse (error, ZID_ERROR_INVALID_INPUT,
                      _("The registration is not valid JSON (error at character %zu)"),
                      (gsize) (s.p - s.start) + 1);
}

/* json-glib keeps the last of two equal members: note them as they come */
typedef struct
{
  GHashTable *seen;       /* "<object>/<member>" */
  char       *duplicate;  /* the first member seen twice */
} MemberCheck;

static void
on_object_member (JsonParser *parser,
                  JsonObject *object,
                  const char *member,
                  gpointer    user_data)
{
  MemberCheck *check = user_data;
  char *key = g_strdup_printf ("%p/%s", (void *) object, member);

  if (!g_hash_table_add (check->seen, key) && check->duplicate == NULL)
    check->duplicate = g_strdup (member);
}

static const char * const known_members[] = {
  "version", "ura", "name", "agb", "address", "reference", "created",
};

static gboolean
get_string (JsonObject  *object,
            const char  *member,
            gboolean     required,
            const char **out,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = NULL;
  if (node == NULL)
    {
      if (!required)
        return TRUE;
      return _zid_refuse (error, ZID_ERROR_INVALID_INPUT,
                          _("The field “%s” is missing from the registration"), member);
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return _zid_refuse (error, ZID_ERROR_INVALID_INPUT,
                        _("The field “%s” of the registration must be text (a JSON string)%s"),
                        member, JSON_NODE_HOLDS_NULL (node) ? _(", not null") : "");
  *out = json_node_get_string (node);
  return TRUE;
}

static gboolean
parse_created (const char  *text,
               gint64       now,
               gint64      *created,
               GError     **error)
{
  static GRegex *rfc3339 = NULL;
  g_autoptr(GDateTime) dt = NULL;

  if (g_once_init_enter (&rfc3339))
    g_once_init_leave (&rfc3339,
                       g_regex_new ("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
                                    "(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$",
                                    G_REGEX_OPTIMIZE, 0, NULL));
  if (!g_regex_match (rfc3339, text, 0, NULL) ||
      (dt = g_date_time_new_from_iso8601 (text, NULL)) == NULL)
    return _zid_refuse (error, ZID_ERROR_INVALID_INPUT,
                        _("Invalid date “%s” in the field “created”: expected RFC 3339 with a "
                          "time zone, such as 2025-03-01T09:30:00Z"), text);
  *created = g_date_time_to_unix (dt);
  if (*created > now + CREATED_TOLERANCE)
    return _zid_refuse (error, ZID_ERROR_INVALID_INPUT,
                        _("The registration was made on %s, which is in the future; check the "
                          "clock of this computer or ask VZVZ for a new file"), text);
  return TRUE;
}

ZidRegistration *
zid_registration_parse_json (const char  *json,
                             gsize        len,
                             gint64       now,
                             GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GHashTable) seen = NULL;
  g_autofree char *duplicate = NULL;
  MemberCheck check;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ZidRegistration) r = NULL;
  JsonObject *object;
  JsonNode *version;
  GList *members;
  const char *ura, *name, *agb, *address, *reference, *created;

  g_return_val_if_fail (json != NULL || len == 0, NULL);

  if (len > ZID_REGISTRATION_JSON_MAX_SIZE)
    {
      _zid_refuse (error, ZID_ERROR_INVALID_INPUT,
                   _("The registration is too large (%zu bytes; at most %d)"),
                   len, ZID_REGISTRATION_JSON_MAX_SIZE);
      return NULL;
    }
  if (len == 0)
    {
      _zid_refuse (error, ZID_ERROR_INVALID_INPUT, _("The registration is empty"));
      return NULL;
    }
  if (!check_json_syntax (json, len, error))
    return NULL;

  parser = json_parser_new_immutable ();
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  check.seen = seen;
  check.duplicate = NULL;
  g_signal_connect (parser, "object-member", G_CALLBACK (on_object_member), &check);
  json_parser_load_from_data (parser, json, (gssize) len, &local_error);
  duplicate = check.duplicate;
  if (local_error != NULL)
    {
      _zid_refuse (error, ZID_ERROR_INVALID_INPUT, _("The registration is not valid JSON: %s"),
                   local_error->message);
      return NULL;
    }
  if (duplicate != NULL)
    {
      _zid_refuse (error, ZID_ERROR_INVALID_INPUT,
                   _("The field “%s” appears twice in the registration"), duplicate);
      return NULL;
    }

  object = json_node_get_object (json_parser_get_root (parser));

  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      gboolean known = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (known_members); i++)
        known = known || g_str_equal (l->data, known_members[i]);
      if (!known)
        {
          g_autofree char *member = g_strdup (l->data);

          g_list_free (members);
          _zid_refuse (error, ZID_ERROR_INVALID_INPUT,
                       _("Unknown field “%s” in the registration (version %d knows only version, "
                         "ura, name, agb, address, reference and created)"), member,
                       ZID_REGISTRATION_FILE_VERSION);
          return NULL;
        }
    }
  g_list_free (members);

  version = json_object_get_member (object, "version");
  if (version == NULL)
    {
      _zid_refuse (error, ZID_ERROR_INVALID_INPUT, _("The field “version” is missing from the "
                                                     "registration"));
      return NULL;
    }
  if (!JSON_NODE_HOLDS_VALUE (version) || json_node_get_value_type (version) != G_TYPE_INT64)
    {
      _zid_refuse (error, ZID_ERROR_INVALID_INPUT,
                   _("The field “version” of the registration must be a whole number"));
      return NULL;
    }
  if (json_node_get_int (version) != ZID_REGISTRATION_FILE_VERSION)
    {
      _zid_refuse (error, ZID_ERROR_INVALID_INPUT,
                   _("Version %lld of the registration file is not supported (this portal knows "
                     "version %d)"), (long long) json_node_get_int (version),
                   ZID_REGISTRATION_FILE_VERSION);
      return NULL;
    }

  if (!get_string (object, "ura", TRUE, &ura, error) ||
      !get_string (object, "name", TRUE, &name, error) ||
      !get_string (object, "agb", FALSE, &agb, error) ||
      !get_string (object, "address", TRUE, &address, error) ||
      !get_string (object, "reference", TRUE, &reference, error) ||
      !get_string (object, "created", TRUE, &created, error))
    return NULL;

  if (agb != NULL && *agb == '\0')
    {
      _zid_refuse (error, ZID_ERROR_INVALID_INPUT,
                   _("The field “agb” is empty; leave it out when the organisation has no AGB "
                     "code"));
      return NULL;
    }
  r = g_new0 (ZidRegistration, 1);
  if (!zid_validate_ura (ura, error) ||
      !zid_validate_name (_("The name of the organisation"), name, error) ||
      !zid_validate_agb (agb, error) ||
      !zid_validate_name (_("The address"), address, error) ||
      !zid_validate_name (_("The reference"), reference, error) ||
      !parse_created (created, now, &r->created, error))
    return NULL;

  r->ura = g_strdup (ura);
  r->name = g_strdup (name);
  r->agb = g_strdup (agb);
  r->address = g_strdup (address);
  r->reference = g_strdup (reference);
  return g_steal_pointer (&r);
}
