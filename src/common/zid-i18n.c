/* zid-i18n.c — the libraries' messages in the user's language
 *
 * SPDX-License-Identifier: EUPL-1.2
 *
 * Two ways to a translation. The process's own: gettext with the text
 * domain bound to the build tree's translations (ZORGID_LOCALEDIR, for
 * running uninstalled) or the installed ones; libraries bind their domain
 * but never call textdomain(). And a thread's own (the service, per
 * request): the Dutch catalog read directly from its .mo file, so that it
 * works whatever the process's locale is and without the nl_NL locale
 * being generated on the machine. English is the source language.
 */
#include "config.h"

#include <string.h>

#include "zid-i18n.h"

#define MO_MAGIC         0x950412deU
#define MO_MAGIC_SWAPPED 0xde120495U

typedef struct
{
  GMappedFile *file;
  GHashTable  *messages;   /* msgid (first form) -> ZidMoEntry* */
} ZidMoCatalog;

typedef struct
{
  const char *text;        /* the forms, each ending in NUL */
  guint32     length;      /* of all forms */
} ZidMoEntry;

static _Thread_local const char *thread_language;

static const char *
locale_dir (void)
{
  const char *dir = g_getenv ("ZORGID_LOCALEDIR");

  return dir && *dir ? dir : LOCALEDIR;
}

static void
ensure_domain_bound (void)
{
  static gsize bound = 0;

  if (g_once_init_enter (&bound))
    {
      bindtextdomain (GETTEXT_PACKAGE, locale_dir ());
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&bound, 1);
    }
}

static guint32
mo_u32 (const guint8 *data,
        gsize         at,
        gboolean      swapped)
{
  guint32 v;

  memcpy (&v, data + at, sizeof v);
  return swapped ? GUINT32_SWAP_LE_BE (v) : v;
}

/* NULL when the file is missing or not a .mo file: then English */
static ZidMoCatalog *
mo_catalog_load (const char *language)
{
  g_autofree char *path = g_build_filename (locale_dir (), language, "LC_MESSAGES",
                                            GETTEXT_PACKAGE ".mo", NULL);
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, NULL);
  ZidMoCatalog *catalog;
  const guint8 *data;
  gsize size;
  gboolean swapped;
  guint32 n, originals, translations;

  if (file == NULL)
    return NULL;
  data = (const guint8 *) g_mapped_file_get_contents (file);
  size = g_mapped_file_get_length (file);
  if (size < 20)
    return NULL;
  swapped = mo_u32 (data, 0, FALSE) == MO_MAGIC_SWAPPED;
  if (!swapped && mo_u32 (data, 0, FALSE) != MO_MAGIC)
    return NULL;
  n = mo_u32 (data, 8, swapped);
  originals = mo_u32 (data, 12, swapped);
  translations = mo_u32 (data, 16, swapped);
  if (n > size / 16 || originals > size - (gsize) n * 8 || translations > size - (gsize) n * 8)
    return NULL;

  catalog = g_new0 (ZidMoCatalog, 1);
  catalog->messages = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  for (guint32 i = 0; i < n; i++)
    {
      guint32 olen = mo_u32 (data, originals + i * 8, swapped);
      guint32 ooff = mo_u32 (data, originals + i * 8 + 4, swapped);
      guint32 tlen = mo_u32 (data, translations + i * 8, swapped);
      guint32 toff = mo_u32 (data, translations + i * 8 + 4, swapped);
      ZidMoEntry *entry;

      /* each string is followed by a NUL the length does not count */
      if (ooff >= size || olen >= size - ooff || toff >= size || tlen >= size - toff ||
          data[ooff + olen] != '\0' || data[toff + tlen] != '\0' || olen == 0)
        continue;
      entry = g_new (ZidMoEntry, 1);
      entry->text = (const char *) data + toff;
      entry->length = tlen;
      g_hash_table_replace (catalog->messages, (gpointer) (data + ooff), entry);
    }
  catalog->file = g_steal_pointer (&file);
  return catalog;
}

static const ZidMoEntry *
lookup (const char *language,
        const char *msgid)
{
  static gsize loaded = 0;
  static ZidMoCatalog *dutch;

  if (g_strcmp0 (language, "nl") != 0)
    return NULL;
  if (g_once_init_enter (&loaded))
    {
      dutch = mo_catalog_load ("nl");
      g_once_init_leave (&loaded, 1);
    }
  return dutch ? g_hash_table_lookup (dutch->messages, msgid) : NULL;
}

const char *
zid_gettext (const char *msgid)
{
  const ZidMoEntry *entry;

  g_return_val_if_fail (msgid != NULL, NULL);

  if (thread_language == NULL)
    {
      ensure_domain_bound ();
      return g_dgettext (GETTEXT_PACKAGE, msgid);
    }
  entry = lookup (thread_language, msgid);
  return entry ? entry->text : msgid;
}

/* Dutch and English share their plural rule: one, and the rest */
const char *
zid_ngettext (const char *msgid,
              const char *msgid_plural,
              gulong      n)
{
  const ZidMoEntry *entry;

  g_return_val_if_fail (msgid != NULL && msgid_plural != NULL, NULL);

  if (thread_language == NULL)
    {
      ensure_domain_bound ();
      return g_dngettext (GETTEXT_PACKAGE, msgid, msgid_plural, n);
    }
  entry = lookup (thread_language, msgid);
  if (entry == NULL)
    return n == 1 ? msgid : msgid_plural;
  if (n != 1)
    {
      gsize first = strlen (entry->text);

      if (first < entry->length)
        return entry->text + first + 1;
    }
  return entry->text;
}

/**
 * zid_i18n_set_thread_language:
 * @language: (nullable): "nl", "en", or %NULL for the process's locale
 *
 * The language of the messages this thread makes from now on.
 *
 * Returns: the language it had, to restore.
 */
const char *
zid_i18n_set_thread_language (const char *language)
{
  const char *previous = thread_language;

  if (language == NULL)
    thread_language = NULL;
  else if (g_str_equal (language, "nl"))
    thread_language = "nl";
  else
    thread_language = "en";
  return previous;
}

/**
 * zid_i18n_negotiate:
 * @accept_language: (nullable): an HTTP Accept-Language value
 *
 * The language to answer in: the one of Dutch and English the value
 * prefers (by quality, then by order), Dutch when it names neither.
 *
 * Returns: "nl" or "en"
 */
const char *
zid_i18n_negotiate (const char *accept_language)
{
  g_auto(GStrv) ranges = NULL;
  const char *best = "nl";
  double best_q = 0.0;

  if (accept_language == NULL)
    return best;
  ranges = g_strsplit (accept_language, ",", 32);
  for (guint i = 0; ranges[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (ranges[i], ";", 8);
      g_autofree char *tag = g_ascii_strdown (g_strstrip (parts[0]), -1);
      char *dash = strchr (tag, '-');
      double q = 1.0;

      if (dash != NULL)
        *dash = '\0';
      for (guint j = 1; parts[j] != NULL; j++)
        {
          const char *param = g_strstrip (parts[j]);

          if (g_ascii_strncasecmp (param, "q=", 2) == 0)
            q = g_ascii_strtod (param + 2, NULL);
        }
      if (q > best_q && (g_str_equal (tag, "nl") || g_str_equal (tag, "en")))
        {
          best = g_str_equal (tag, "nl") ? "nl" : "en";
          best_q = q;
        }
    }
  return best;
}
