/* zid-strict-json.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include "zid-i18n.h"
#include "zid-strict-json.h"

#define INVALID_JSON _("The request is not valid JSON. Update the app and try again.")

typedef struct
{
  const char *p;
  const char *end;
} Reader;

static void
skip_space (Reader *r)
{
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
    r->p++;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
read_hex4 (Reader   *r,
           gunichar *out)
{
  gunichar value = 0;

  if (r->end - r->p < 4)
    return FALSE;
  for (int i = 0; i < 4; i++)
    {
      int v = hex_value (r->p[i]);

      if (v < 0)
        return FALSE;
      value = value << 4 | (gunichar) v;
    }
  r->p += 4;
  *out = value;
  return TRUE;
}

/* A string, the opening quote next; NULL when it is not a valid one */
static char *
read_string (Reader *r)
{
  g_autoptr(GString) out = g_string_new (NULL);

  if (r->p >= r->end || *r->p != '"')
    return NULL;
  r->p++;

  while (r->p < r->end)
    {
      guchar c = (guchar) *r->p;

      if (c == '"')
        {
          r->p++;
          return g_string_free (g_steal_pointer (&out), FALSE);
        }
      if (c < 0x20)
        return NULL;
      if (c != '\\')
        {
          /* the whole body was checked to be UTF-8 */
          g_string_append_c (out, (char) c);
          r->p++;
          continue;
        }

      r->p++;
      if (r->p >= r->end)
        return NULL;
      c = (guchar) *r->p++;
      switch (c)
        {
        case '"': g_string_append_c (out, '"'); break;
        case '\\': g_string_append_c (out, '\\'); break;
        case '/': g_string_append_c (out, '/'); break;
        case 'b': g_string_append_c (out, '\b'); break;
        case 'f': g_string_append_c (out, '\f'); break;
        case 'n': g_string_append_c (out, '\n'); break;
        case 'r': g_string_append_c (out, '\r'); break;
        case 't': g_string_append_c (out, '\t'); break;
        case 'u':
          {
            gunichar u, low;

            if (!read_hex4 (r, &u) || u == 0 || (u >= 0xdc00 && u <= 0xdfff))
              return NULL;
            if (u >= 0xd800 && u <= 0xdbff)
              {
                if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u')
                  return NULL;
                r->p += 2;
                if (!read_hex4 (r, &low) || low < 0xdc00 || low > 0xdfff)
                  return NULL;
                u = 0x10000 + ((u - 0xd800) << 10) + (low - 0xdc00);
              }
            g_string_append_unichar (out, u);
          }
          break;
        default:
          return NULL;
        }
    }
  return NULL;
}

char *
zid_strict_json_shorten (const char *text)
{
  return g_utf8_substring (text, 0, MIN (g_utf8_strlen (text, -1), 40));
}

gboolean
zid_strict_json_read_object (const char  *data,
                             gsize        length,
                             GHashTable  *values,
                             char       **message)
{
  Reader r = { data, data + length };

  /* UTF-8 throughout, and no NUL byte (g_utf8_validate stops at one) */
  if (!g_utf8_validate_len (data, length, NULL))
    {
      *message = g_strdup (INVALID_JSON);
      return FALSE;
    }

  skip_space (&r);
  if (r.p >= r.end || *r.p != '{')
    {
      *message = g_strdup (_("The request must be one JSON object. Update the app."));
      return FALSE;
    }
  r.p++;
  skip_space (&r);

  if (r.p < r.end && *r.p == '}')
    r.p++;
  else
    for (;;)
      {
        g_autofree char *name = NULL;
        g_autofree char *value = NULL;

        skip_space (&r);
        if ((name = read_string (&r)) == NULL)
          {
            *message = g_strdup (INVALID_JSON);
            return FALSE;
          }
        skip_space (&r);
        if (r.p >= r.end || *r.p != ':')
          {
            *message = g_strdup (INVALID_JSON);
            return FALSE;
          }
        r.p++;
        skip_space (&r);
        if (r.p < r.end && *r.p != '"')
          {
            g_autofree char *shown = zid_strict_json_shorten (name);

            *message = g_strdup_printf (_("The field “%s” must be text. Update the app."), shown);
            return FALSE;
          }
        if ((value = read_string (&r)) == NULL)
          {
            *message = g_strdup (INVALID_JSON);
            return FALSE;
          }
        if (g_hash_table_contains (values, name))
          {
            g_autofree char *shown = zid_strict_json_shorten (name);

            *message = g_strdup_printf (_("The field “%s” is in the request twice. Update the app."),
                                        shown);
            return FALSE;
          }
        g_hash_table_insert (values, g_steal_pointer (&name), g_steal_pointer (&value));

        skip_space (&r);
        if (r.p < r.end && *r.p == ',')
          {
            r.p++;
            continue;
          }
        if (r.p < r.end && *r.p == '}')
          {
            r.p++;
            break;
          }
        *message = g_strdup (INVALID_JSON);
        return FALSE;
      }

  skip_space (&r);
  if (r.p != r.end)
    {
      *message = g_strdup (_("The request goes on after the JSON object. Update the app."));
      return FALSE;
    }
  return TRUE;
}
