/* zid-csv.c — the one CSV writer of the product
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-common"

#include "config.h"

#include <string.h>

#include "zid-csv.h"

struct _ZidCsv
{
  GString  *out;
  char      separator;
  gboolean  row_open;     /* a cell was written in the current row */
  gsize     row_start;    /* where the current row begins in @out */
};

ZidCsv *
zid_csv_new (char separator)
{
  ZidCsv *self;

  g_return_val_if_fail (separator == ZID_CSV_SEMICOLON || separator == ZID_CSV_COMMA, NULL);

  self = g_new0 (ZidCsv, 1);
  self->separator = separator;
  self->out = g_string_new ("\xEF\xBB\xBF");
  self->row_start = self->out->len;
  return self;
}

void
zid_csv_free (ZidCsv *self)
{
  if (self == NULL)
    return;
  g_string_free (self->out, TRUE);
  g_free (self);
}

/* a spreadsheet reads these first characters as the start of a formula */
static gboolean
needs_guard (const char *text)
{
  return text[0] != '\0' && strchr ("=+-@\t\r", text[0]) != NULL;
}

static void
append_cell (GString    *out,
             const char *text,
             char        separator,
             gboolean    guard)
{
  gboolean quote;

  if (text == NULL)
    text = "";
  guard = guard && needs_guard (text);
  quote = strchr (text, separator) != NULL || strpbrk (text, "\"\r\n") != NULL ||
          text[0] == ' ' || (text[0] != '\0' && text[strlen (text) - 1] == ' ');
  if (quote)
    g_string_append_c (out, '"');
  if (guard)
    g_string_append_c (out, '\'');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  if (quote)
    g_string_append_c (out, '"');
}

char *
zid_csv_escape (const char *text,
                char        separator)
{
  GString *out = g_string_new (NULL);

  append_cell (out, text, separator, TRUE);
  return g_string_free (out, FALSE);
}

static void
begin_cell (ZidCsv *self)
{
  if (self->row_open)
    g_string_append_c (self->out, self->separator);
  self->row_open = TRUE;
}

void
zid_csv_add (ZidCsv     *self,
             const char *text)
{
  g_return_if_fail (self != NULL);

  begin_cell (self);
  append_cell (self->out, text, self->separator, TRUE);
}

void
zid_csv_add_int (ZidCsv *self,
                 gint64  value)
{
  g_return_if_fail (self != NULL);

  begin_cell (self);
  g_string_append_printf (self->out, "%" G_GINT64_FORMAT, value);
}

void
zid_csv_add_time (ZidCsv *self,
                  gint64  unix_seconds)
{
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *text = NULL;

  g_return_if_fail (self != NULL);

  if (unix_seconds != 0)
    local = g_date_time_new_from_unix_local (unix_seconds);
  if (local != NULL)
    text = g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
  begin_cell (self);
  append_cell (self->out, text, self->separator, FALSE);
}

void
zid_csv_end_row (ZidCsv *self)
{
  g_return_if_fail (self != NULL);

  g_string_append (self->out, "\r\n");
  self->row_open = FALSE;
  self->row_start = self->out->len;
}

void
zid_csv_add_row (ZidCsv     *self,
                 const char *first,
                 ...)
{
  va_list args;

  g_return_if_fail (self != NULL);

  va_start (args, first);
  for (const char *cell = first; cell != NULL; cell = va_arg (args, const char *))
    zid_csv_add (self, cell);
  va_end (args);
  zid_csv_end_row (self);
}

gboolean
zid_csv_flush (ZidCsv         *self,
               GOutputStream  *out,
               GCancellable   *cancellable,
               GError        **error)
{
  gsize complete;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);

  /* only whole rows: a row still open stays for the next flush */
  complete = self->row_start;
  if (complete == 0)
    return TRUE;
  if (!g_output_stream_write_all (out, self->out->str, complete, NULL, cancellable, error))
    return FALSE;
  g_string_erase (self->out, 0, complete);
  self->row_start = 0;
  return TRUE;
}

char *
zid_csv_free_to_string (ZidCsv *self,
                        gsize  *length)
{
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);

  out = self->out;
  g_free (self);
  if (length != NULL)
    *length = out->len;
  return g_string_free (out, FALSE);
}
