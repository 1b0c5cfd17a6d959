/* zid-portal-audit.c — the audit trail as CSV, for the window and the
 * command line alike
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "zid-csv.h"
#include "zid-db.h"
#include "zid-portal-private.h"
#include "zid-search.h"
#include "zid-user.h"

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

/* The operator sees every user: the users table read through, each
 * matched as the list's search matches a member */
static GPtrArray *
find_any_user (ZidPortal             *self,
               const ZidSearchQuery  *query,
               guint                  limit,
               GError               **error)
{
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func (g_object_unref);
  ZidDbStmt *stmt;
  ZidDbStep step = ZID_DB_DONE;

  if (!zid_store_begin (self->store, FALSE, error))
    return NULL;
  stmt = zid_db_query (self->store, error,
                       "SELECT id, first_name, last_name, birth_date FROM users ORDER BY id", "");
  while ((limit == 0 || users->len < limit) &&
         (step = zid_db_step (stmt, error)) == ZID_DB_ROW)
    {
      const char *first = zid_db_column_text (stmt, 1);
      const char *last = zid_db_column_text (stmt, 2);
      const char *born = zid_db_column_text (stmt, 3);
      g_autofree char *keys = zid_search_member_keys (first, last, born);

      if (zid_search_query_matches (query, keys))
        g_ptr_array_add (users, zid_user_new (zid_db_column_int64 (stmt, 0), first, last, born,
                                              FALSE, ZID_BLOCK_REASON_NONE, 0, 0,
                                              ZID_MOBILE_ID_NONE, NULL));
    }
  zid_db_reset (stmt);
  zid_store_commit (self->store, NULL);
  if (step == ZID_DB_ERROR)
    return NULL;
  return g_steal_pointer (&users);
}

GPtrArray *
zid_portal_find_audit_users (ZidPortal   *self,
                             gint64       actor,
                             const char  *name,
                             guint        limit,
                             GError     **error)
{
  g_autoptr(ZidSearchQuery) query = zid_search_query_new (name);
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *whole = NULL;
  GPtrArray *named;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (query == NULL)
    return g_ptr_array_new_with_free_func (g_object_unref);
  found = actor != 0 ? zid_portal_search_users (self, actor, 0, name, limit, NULL, error)
                     : find_any_user (self, query, limit, error);
  if (found == NULL || query->birth_date)
    return g_steal_pointer (&found);

  /* a whole name ("Jan Jansen") picks its owners out of the names that
   * start so ("Jan Jansen-de Vries") */
  whole = zid_name_key (name);
  named = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < found->len; i++)
    {
      ZidUser *user = g_ptr_array_index (found, i);
      g_autofree char *full = g_strdup_printf ("%s %s", zid_user_get_first_name (user),
                                               zid_user_get_last_name (user));
      g_autofree char *key = zid_name_key (full);

      if (g_str_equal (key, whole))
        g_ptr_array_add (named, g_object_ref (user));
    }
  if (named->len > 0)
    return named;
  g_ptr_array_unref (named);
  return g_steal_pointer (&found);
}
