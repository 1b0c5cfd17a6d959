/* zid-import.c — reading a spreadsheet of people to register
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <string.h>

#include "zid-error.h"
#include "zid-i18n.h"
#include "zid-file.h"
#include "zid-import.h"
#include "zid-search.h"

typedef enum
{
  COLUMN_FIRST,
  COLUMN_LAST,
  COLUMN_INFIX,
  COLUMN_BIRTH,
  COLUMN_ROLE,
  COLUMN_EMAIL,
  N_COLUMNS,
} Column;

/* The names a header may give each column, compared folded and without
 * spaces, '_' or '-' ("Geboorte datum", "birth_date", "E-mail") */
static const struct
{
  Column      column;
  const char *names[6];
} column_names[] = {
  { COLUMN_FIRST, { "voornaam", "voornamen", "firstname", "givenname", NULL } },
  { COLUMN_LAST,  { "achternaam", "lastname", "surname", "familyname", "geslachtsnaam", NULL } },
  { COLUMN_INFIX, { "tussenvoegsel", "tussenvoegsels", "infix", "prefix", NULL } },
  { COLUMN_BIRTH, { "geboortedatum", "birthdate", "dateofbirth", NULL } },
  { COLUMN_ROLE,  { "rol", "role", NULL } },
  { COLUMN_EMAIL, { "email", "emailadres", "emailaddress", NULL } },
};

static void
import_row_free (gpointer data)
{
  ZidImportRow *row = data;

  g_free (row->first_name);
  g_free (row->last_name);
  g_free (row->reason);
  g_clear_pointer (&row->code, zid_one_time_code_free);
  g_free (row);
}

void
zid_import_free (ZidImport *import)
{
  if (import == NULL)
    return;
  g_ptr_array_unref (import->rows);
  g_free (import);
}

void
zid_import_count (ZidImport *import)
{
  import->n_new = import->n_membership = import->n_skipped = import->n_refused = 0;
  for (guint i = 0; i < import->rows->len; i++)
    {
      ZidImportRow *row = g_ptr_array_index (import->rows, i);

      switch (row->outcome)
        {
        case ZID_IMPORT_NEW: import->n_new++; break;
        case ZID_IMPORT_MEMBERSHIP: import->n_membership++; break;
        case ZID_IMPORT_SKIPPED: import->n_skipped++; break;
        case ZID_IMPORT_REFUSED: import->n_refused++; break;
        default: g_assert_not_reached ();
        }
    }
}

const char *
zid_import_outcome_to_string (ZidImportOutcome outcome)
{
  static const char * const names[] = { "new", "membership", "skipped", "refused" };

  g_return_val_if_fail (outcome <= ZID_IMPORT_REFUSED, NULL);
  return names[outcome];
}

/* Records (RFC 4180) */

typedef struct
{
  const char *p;
  const char *end;
  char        separator;
  guint       line;       /* of the next character */
} Reader;

/* The next record's fields into @fields (cleared first); FALSE at the end
 * of the data or, with @error set, at a quote left open */
static gboolean
read_record (Reader     *r,
             GPtrArray  *fields,
             guint      *first_line,
             GError    **error)
{
  g_autoptr(GString) field = g_string_new (NULL);

  g_ptr_array_set_size (fields, 0);
  if (r->p >= r->end)
    return FALSE;
  *first_line = r->line;

  for (;;)
    {
      gboolean quoted = r->p < r->end && *r->p == '"';

      g_string_truncate (field, 0);
      if (quoted)
        {
          guint opened = r->line;

          for (r->p++;; r->p++)
            {
              if (r->p >= r->end)
                {
                  g_set_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT,
                               _("Line %u: a field starts with a quotation mark that is never "
                                 "closed"), opened);
                  return FALSE;
                }
              if (*r->p == '"' && r->p + 1 < r->end && r->p[1] == '"')
                g_string_append_c (field, *r->p++);
              else if (*r->p == '"')
                {
                  r->p++;
                  break;
                }
              else
                {
                  if (*r->p == '\n')
                    r->line++;
                  g_string_append_c (field, *r->p);
                }
            }
        }
      /* the rest of the field (after a closing quote: what an office
       * program would keep too) */
      while (r->p < r->end && *r->p != r->separator && *r->p != '\n' && *r->p != '\r')
        g_string_append_c (field, *r->p++);
      g_ptr_array_add (fields, g_strdup (field->str));

      if (r->p < r->end && *r->p == r->separator)
        {
          r->p++;
          continue;
        }
      if (r->p < r->end && *r->p == '\r')
        r->p++;
      if (r->p < r->end && *r->p == '\n')
        r->p++;
      r->line++;
      return TRUE;
    }
}

/* ';' unless the header row has more ',' (or only ',') outside quotes */
static char
detect_separator (const char *p,
                  const char *end)
{
  guint semicolons = 0, commas = 0;
  gboolean quoted = FALSE;

  for (; p < end && (quoted || (*p != '\n' && *p != '\r')); p++)
    {
      if (*p == '"')
        quoted = !quoted;
      else if (!quoted && *p == ';')
        semicolons++;
      else if (!quoted && *p == ',')
        commas++;
    }
  return commas > semicolons ? ',' : ';';
}

static gboolean
record_is_empty (GPtrArray *fields)
{
  for (guint i = 0; i < fields->len; i++)
    {
      const char *f = g_ptr_array_index (fields, i);

      for (; *f; f++)
        if (!g_ascii_isspace (*f))
          return FALSE;
    }
  return TRUE;
}

/* "Geboorte-datum " → "geboortedatum" */
static char *
header_key (const char *name)
{
  g_autofree char *folded = zid_name_key (name);
  GString *key = g_string_new (NULL);

  for (const char *p = folded; *p; p++)
    if (*p != ' ' && *p != '_' && *p != '-' && *p != '.')
      g_string_append_c (key, *p);
  return g_string_free (key, FALSE);
}

static gboolean
map_header (GPtrArray  *fields,
            int         columns[N_COLUMNS],
            GError    **error)
{
  for (guint c = 0; c < N_COLUMNS; c++)
    columns[c] = -1;

  for (guint i = 0; i < fields->len; i++)
    {
      const char *name = g_ptr_array_index (fields, i);
      g_autofree char *key = header_key (name);
      int found = -1;

      for (guint c = 0; c < G_N_ELEMENTS (column_names) && found < 0; c++)
        for (guint n = 0; column_names[c].names[n] != NULL; n++)
          if (g_str_equal (key, column_names[c].names[n]))
            found = column_names[c].column;

      if (found < 0)
        return g_set_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT,
                            _("Unknown column “%s” (column %u of the header). Known columns: "
                              "voornaam, achternaam, tussenvoegsel, geboortedatum, rol and "
                              "e-mail (or first_name, last_name, infix, birth_date, role and "
                              "email)."),
                            name, i + 1), FALSE;
      if (columns[found] >= 0)
        return g_set_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT,
                            _("The column “%s” appears twice in the header (columns %d and %u)."),
                            name, columns[found] + 1, i + 1), FALSE;
      columns[found] = (int) i;
    }

  if (columns[COLUMN_FIRST] < 0 || columns[COLUMN_LAST] < 0 || columns[COLUMN_BIRTH] < 0)
    return g_set_error_literal (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT,
                                _("The header lacks a required column: voornaam, achternaam and "
                                  "geboortedatum are needed (or first_name, last_name and "
                                  "birth_date).")),
           FALSE;
  return TRUE;
}

static const char *
field (GPtrArray *fields,
       int        column)
{
  return column >= 0 ? g_ptr_array_index (fields, column) : "";
}

static void
refuse_row (ZidImportRow *row,
            char         *reason)
{
  row->outcome = ZID_IMPORT_REFUSED;
  row->invalid = TRUE;
  g_free (row->reason);
  row->reason = reason;
}

static ZidImportRow *
read_row (GPtrArray   *fields,
          guint        line,
          const int    columns[N_COLUMNS],
          guint        n_header,
          gint64       now,
          GHashTable  *seen)
{
  ZidImportRow *row = g_new0 (ZidImportRow, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *infix = g_strstrip (g_strdup (field (fields, columns[COLUMN_INFIX])));
  g_autofree char *last = g_strstrip (g_strdup (field (fields, columns[COLUMN_LAST])));
  const char *birth = field (fields, columns[COLUMN_BIRTH]);
  const char *role = field (fields, columns[COLUMN_ROLE]);

  row->line = line;
  row->outcome = ZID_IMPORT_NEW;
  row->first_name = g_strstrip (g_strdup (field (fields, columns[COLUMN_FIRST])));
  row->last_name = *infix ? g_strconcat (infix, " ", last, NULL) : g_steal_pointer (&last);

  if (fields->len != n_header)
    {
      refuse_row (row, g_strdup_printf (_("This line has %u fields, the header %u."),
                                        fields->len, n_header));
      return row;
    }
  if (!zid_validate_name (_("The first name"), row->first_name, &error) ||
      !zid_validate_name (_("The last name"), row->last_name, &error) ||
      !zid_normalise_birth_date (birth, now, row->birth_date, &error))
    {
      refuse_row (row, g_strdup (error->message));
      return row;
    }
  if (*g_strstrip (g_strdup (role)) != '\0')
    {
      g_autofree char *name = g_strstrip (g_strdup (role));

      row->role = zid_role_from_string (name);
      if (row->role == ZID_ROLE_NONE)
        {
          refuse_row (row, g_strdup_printf (_("Unknown role “%s”: choose Gebruiker, Beheerder or "
                                              "Administrator."), name));
          return row;
        }
    }

  {
    g_autofree char *first_key = zid_name_key (row->first_name);
    g_autofree char *last_key = zid_name_key (row->last_name);
    char *person = g_strdup_printf ("%s\n%s\n%s", first_key, last_key, row->birth_date);
    guint earlier = GPOINTER_TO_UINT (g_hash_table_lookup (seen, person));

    if (earlier != 0)
      {
        refuse_row (row, g_strdup_printf (_("This person is already on line %u of the file."),
                                          earlier));
        g_free (person);
      }
    else
      g_hash_table_insert (seen, person, GUINT_TO_POINTER (line));
  }
  return row;
}

/* UTF-8 without NUL; else @invalid points at the first byte that is not */
static gboolean
is_text (const char  *p,
         const char  *end,
         const char **invalid)
{
  const char *nul = memchr (p, '\0', end - p);
  gboolean valid = g_utf8_validate_len (p, end - p, invalid);

  if (nul != NULL && (valid || nul < *invalid))
    *invalid = nul;
  return valid && nul == NULL;
}

static guint
line_of (const char *start,
         const char *at)
{
  guint line = 1;

  for (const char *p = start; p < at; p++)
    line += *p == '\n';
  return line;
}

ZidImport *
zid_import_parse (const char  *data,
                  gsize        length,
                  GError     **error)
{
  g_autoptr(ZidImport) import = g_new0 (ZidImport, 1);
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  Reader r = { data, data + length, ';', 1 };
  const char *invalid = NULL;
  int columns[N_COLUMNS];
  guint n_header, line = 0;

  import->rows = g_ptr_array_new_with_free_func (import_row_free);

  if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    r.p += 3;
  if (!is_text (r.p, r.end, &invalid))
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT,
                   _("The file is not text in UTF-8 (line %u). Save it as “CSV UTF-8” or as CSV "
                     "with the character set UTF-8."), line_of (r.p, invalid));
      return NULL;
    }

  r.separator = import->separator = detect_separator (r.p, r.end);
  do
    {
      if (!read_record (&r, fields, &line, error))
        {
          if (error != NULL && *error != NULL)
            return NULL;
          return g_set_error_literal (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT,
                                      _("The file is empty: it has no header.")), NULL;
        }
    }
  while (record_is_empty (fields));
  if (!map_header (fields, columns, error))
    return NULL;
  n_header = fields->len;

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;

      if (!read_record (&r, fields, &line, &local_error))
        {
          if (local_error != NULL)
            return g_propagate_error (error, g_steal_pointer (&local_error)), NULL;
          break;
        }
      if (record_is_empty (fields))
        continue;
      if (import->rows->len == ZID_IMPORT_MAX_ROWS)
        return g_set_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT,
                            _("The file has more than %u people; split it into smaller files."),
                            ZID_IMPORT_MAX_ROWS), NULL;
      g_ptr_array_add (import->rows, read_row (fields, line, columns, n_header,
                                               g_date_time_to_unix (now), seen));
    }

  if (import->rows->len == 0)
    return g_set_error_literal (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT,
                                _("The file has a header but no people.")), NULL;
  zid_import_count (import);
  return g_steal_pointer (&import);
}

/* What was read of @name (@data, or NULL and @read_error), parsed */
static ZidImport *
parse_read (const char  *name,
            guint8      *data,
            gsize        length,
            GError      *read_error,
            GError     **error)
{
  g_autofree guint8 *owned = data;

  if (data == NULL && g_error_matches (read_error, ZID_FILE_ERROR, ZID_FILE_ERROR_TOO_LARGE))
    return g_set_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT,
                        _("%s is larger than a file of %u people can be; split it into smaller "
                          "files."), name, ZID_IMPORT_MAX_ROWS), NULL;
  if (data == NULL)
    return g_set_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT,
                        _("%s cannot be read: %s"), name, read_error->message), NULL;
  return zid_import_parse ((const char *) owned, length, error);
}

ZidImport *
zid_import_read_file (const char  *path,
                      GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;
  guint8 *data = zid_file_read_regular (path, ZID_IMPORT_MAX_BYTES, TRUE, &length, &local_error);

  return parse_read (path, data, length, local_error, error);
}

ZidImport *
zid_import_read_fd (int          fd,
                    const char  *name,
                    GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;
  guint8 *data = zid_file_read_fd (fd, name, ZID_IMPORT_MAX_BYTES, &length, &local_error);

  return parse_read (name, data, length, local_error, error);
}
