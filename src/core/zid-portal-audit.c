/* zid-portal-audit.c — the audit trail as CSV, for the window and the
 * command line alike
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "zid-csv.h"
#include "zid-portal.h"

#define EXPORT_PAGE 1000

gboolean
zid_portal_export_audit_csv (ZidPortal             *self,
                             const ZidAuditFilter  *filter,
                             char                   separator,
                             GOutputStream         *out,
                             GCancellable          *cancellable,
                             guint64               *n_events,
                             GError               **error)
{
  g_autoptr(ZidCsv) csv = NULL;
  gint64 before = 0;
  guint64 n = 0;

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (separator == ZID_CSV_SEMICOLON || separator == ZID_CSV_COMMA, FALSE);

  csv = zid_csv_new (separator);
  /* Translators: the column headers of the audit trail's CSV export */
  zid_csv_add_row (csv, _("Number"), _("Time"), _("Actor"), _("Action"), _("Subject"),
                   _("Details"), _("Hash"), NULL);
  for (;;)
    {
      g_autoptr(GPtrArray) page = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      page = zid_portal_list_audit_page (self, filter, before, EXPORT_PAGE, error);
      if (page == NULL)
        return FALSE;
      for (guint i = 0; i < page->len; i++)
        {
          ZidAuditEvent *e = g_ptr_array_index (page, i);

          zid_csv_add_int (csv, e->id);
          zid_csv_add_time (csv, e->time);
          zid_csv_add (csv, e->actor);
          zid_csv_add (csv, e->action);
          zid_csv_add (csv, e->subject);
          zid_csv_add (csv, e->details);
          zid_csv_add (csv, e->hash);
          zid_csv_end_row (csv);
          before = e->id;
        }
      n += page->len;
      if (!zid_csv_flush (csv, out, cancellable, error))
        return FALSE;
      if (page->len < EXPORT_PAGE)
        break;
    }
  if (n_events != NULL)
    *n_events = n;
  return TRUE;
}
