/* zid-json.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include "zid-core.h"
#include "zid-json.h"

void
zid_json_escape (GString    *out,
                 const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; p && *p; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
        }
    }
  g_string_append_c (out, '"');
}

void
zid_json_init (ZidJson *json)
{
  json->out = g_string_new (NULL);
  json->depth = 0;
  json->first[0] = TRUE;
}

char *
zid_json_finish (ZidJson *json)
{
  g_string_append_c (json->out, '\n');
  return g_string_free (g_steal_pointer (&json->out), FALSE);
}

static void
member (ZidJson    *json,
        const char *key)
{
  if (!json->first[json->depth])
    g_string_append_c (json->out, ',');
  json->first[json->depth] = FALSE;
  if (key != NULL)
    {
      zid_json_escape (json->out, key);
      g_string_append_c (json->out, ':');
    }
}

static void
open (ZidJson    *json,
      const char *key,
      char        bracket)
{
  member (json, key);
  g_string_append_c (json->out, bracket);
  g_assert (json->depth + 1 < G_N_ELEMENTS (json->first));
  json->first[++json->depth] = TRUE;
}

void zid_json_begin_object (ZidJson *json, const char *key) { open (json, key, '{'); }
void zid_json_begin_array (ZidJson *json, const char *key) { open (json, key, '['); }

void
zid_json_end_object (ZidJson *json)
{
  json->depth--;
  g_string_append_c (json->out, '}');
}

void
zid_json_end_array (ZidJson *json)
{
  json->depth--;
  g_string_append_c (json->out, ']');
}

void
zid_json_string (ZidJson    *json,
                 const char *key,
                 const char *value)
{
  member (json, key);
  if (value == NULL)
    g_string_append (json->out, "null");
  else
    zid_json_escape (json->out, value);
}

void
zid_json_int (ZidJson    *json,
              const char *key,
              gint64      value)
{
  member (json, key);
  g_string_append_printf (json->out, "%" G_GINT64_FORMAT, value);
}

void
zid_json_bool (ZidJson    *json,
               const char *key,
               gboolean    value)
{
  member (json, key);
  g_string_append (json->out, value ? "true" : "false");
}

void
zid_json_time (ZidJson    *json,
               const char *key,
               gint64      unix_seconds)
{
  g_autofree char *text = unix_seconds ? zid_format_time (unix_seconds) : NULL;

  zid_json_string (json, key, text);
}
