/* zid-search.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <string.h>

#include "zid-search.h"

char *
zid_name_key (const char *text)
{
  g_autofree char *decomposed = NULL;
  g_autofree char *folded = NULL;
  GString *plain;

  if (text == NULL)
    return g_strdup ("");
  /* ASCII (most names) has no marks to drop and folds as ASCII: the same
   * key without the Unicode work, for lists of 100,000 people */
  if (g_str_is_ascii (text))
    return g_strstrip (g_ascii_strdown (text, -1));
  if ((decomposed = g_utf8_normalize (text, -1, G_NORMALIZE_NFD)) == NULL)
    return g_strdup ("");
  plain = g_string_sized_new (strlen (decomposed));
  for (const char *p = decomposed; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_ismark (c))
        continue;
      g_string_append_unichar (plain, c);
    }
  folded = g_utf8_casefold (plain->str, -1);
  g_string_free (plain, TRUE);
  return g_strstrip (g_steal_pointer (&folded));
}

GStrv
zid_name_keys (const char *first_name,
               const char *last_name)
{
  g_autofree char *first = zid_name_key (first_name);
  g_autofree char *last = zid_name_key (last_name);
  g_auto(GStrv) first_words = g_strsplit_set (first, " -", -1);
  g_auto(GStrv) last_words = g_strsplit_set (last, " -", -1);
  g_autofree char *full = g_strconcat (first, " ", last, NULL);
  g_autoptr(GStrvBuilder) keys = g_strv_builder_new ();

  g_strv_builder_add (keys, full);
  if (*last != '\0')
    g_strv_builder_add (keys, last);
  for (guint i = 0; first_words[i]; i++)
    if (*first_words[i] != '\0')
      g_strv_builder_add (keys, first_words[i]);
  for (guint i = 0; last_words[i]; i++)
    if (*last_words[i] != '\0')
      g_strv_builder_add (keys, last_words[i]);
  return g_strv_builder_end (keys);
}

/* @n digits at @p */
static gboolean
read_number (const char *p,
             guint       n,
             guint      *value)
{
  *value = 0;
  for (guint i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (p[i]))
        return FALSE;
      *value = *value * 10 + (guint) (p[i] - '0');
    }
  return TRUE;
}

gboolean
zid_search_parse_birth_date (const char *text,
                             char        iso[11])
{
  guint day, month, year;
  gsize len;

  g_return_val_if_fail (iso != NULL, FALSE);

  if (text == NULL)
    return FALSE;
  while (g_ascii_isspace (*text))
    text++;
  len = strlen (text);
  while (len > 0 && g_ascii_isspace (text[len - 1]))
    len--;
  if (len != 10)
    return FALSE;

  if (text[4] == '-' && text[7] == '-')         /* JJJJ-MM-DD */
    {
      if (!read_number (text, 4, &year) || !read_number (text + 5, 2, &month) ||
          !read_number (text + 8, 2, &day))
        return FALSE;
    }
  else if (text[2] == '-' && text[5] == '-')    /* DD-MM-JJJJ */
    {
      if (!read_number (text, 2, &day) || !read_number (text + 3, 2, &month) ||
          !read_number (text + 6, 4, &year))
        return FALSE;
    }
  else
    return FALSE;

  if (year < 1 || !g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
    return FALSE;
  g_snprintf (iso, 11, "%04u-%02u-%02u", year, month, day);
  return TRUE;
}

ZidSearchQuery *
zid_search_query_new (const char *typed)
{
  g_autoptr(ZidSearchQuery) query = NULL;
  char iso[11];

  if (typed == NULL)
    return NULL;
  query = g_new0 (ZidSearchQuery, 1);
  if (zid_search_parse_birth_date (typed, iso))
    {
      query->text = g_strdup (iso);
      query->birth_date = TRUE;
    }
  else
    query->text = zid_name_key (typed);
  query->len = strlen (query->text);
  return query->len > 0 ? g_steal_pointer (&query) : NULL;
}

void
zid_search_query_free (ZidSearchQuery *query)
{
  if (query == NULL)
    return;
  g_free (query->text);
  g_free (query);
}

gboolean
zid_search_query_narrows (const ZidSearchQuery *query,
                          const ZidSearchQuery *narrower)
{
  g_return_val_if_fail (query != NULL && narrower != NULL, FALSE);

  if (query->birth_date || narrower->birth_date)
    return query->birth_date && narrower->birth_date && strcmp (query->text, narrower->text) == 0;
  return narrower->len >= query->len && memcmp (narrower->text, query->text, query->len) == 0;
}

/* Whether every prefix of keys[i] is a prefix of another key too: it is
 * the start of one (as the first name is of "first last"), or the same
 * as a later one */
static gboolean
key_is_covered (GStrv keys,
                guint i)
{
  for (guint j = 0; keys[j]; j++)
    if (j != i && g_str_has_prefix (keys[j], keys[i]) &&
        (strcmp (keys[j], keys[i]) != 0 || j > i))
      return TRUE;
  return FALSE;
}

/* The birth date on the first line, then one name key a line; keys that
 * match no query another key does not match are left out, which makes the
 * scan about half as long */
char *
zid_search_member_keys (const char *first_name,
                        const char *last_name,
                        const char *birth_date)
{
  g_auto(GStrv) keys = zid_name_keys (first_name, last_name);
  g_autoptr(GString) out = g_string_new (birth_date);

  for (guint i = 0; keys[i]; i++)
    {
      if (key_is_covered (keys, i))
        continue;
      g_string_append_c (out, '\n');
      g_string_append (out, keys[i]);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
zid_search_query_matches (const ZidSearchQuery *query,
                          const char           *member_keys)
{
  const char *k = strchr (member_keys, '\n');
  const char *text = query->text;

  if (query->birth_date)
    return (k ? (gsize) (k - member_keys) : strlen (member_keys)) == query->len &&
           memcmp (member_keys, text, query->len) == 0;
  while (k != NULL)
    {
      k++;
      if (*k == *text && strncmp (k, text, query->len) == 0)
        return TRUE;
      k = strchr (k, '\n');
    }
  return FALSE;
}
