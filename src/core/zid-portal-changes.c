/* zid-portal-changes.c — what changed since a view last looked
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-core"

#include "config.h"

#include "zid-db.h"
#include "zid-portal-private.h"

/* The kinds of the changes table (zid-store.c, schema 3) */
enum
{
  CHANGE_USER         = 1,
  CHANGE_ORGANISATION = 2,
};

gboolean
zid_portal_poll_changes (ZidPortal        *self,
                         ZidChangeVersion *version)
{
  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);
  g_return_val_if_fail (version != NULL, FALSE);

  return zid_store_poll (self->store, &version->data_version, &version->own_changes);
}

gboolean
zid_portal_list_changes (ZidPortal  *self,
                         gint64      since,
                         gint64     *latest,
                         GArray     *users,
                         GArray     *organisations,
                         GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  ZidDbStmt *stmt;
  gint64 newest = MAX (since, 0);

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);

  if (!zid_store_begin (self->store, FALSE, error))
    return FALSE;

  if (since < 0)
    {
      stmt = zid_db_query (self->store, &local_error, "SELECT coalesce (max (seq), 0) FROM changes", "");
      if (zid_db_step (stmt, &local_error) == ZID_DB_ROW)
        newest = zid_db_column_int64 (stmt, 0);
    }
  else
    {
      stmt = zid_db_query (self->store, &local_error,
                           "SELECT kind, id, seq FROM changes WHERE seq > ? ORDER BY seq",
                           "i", since);
      while (zid_db_step (stmt, &local_error) == ZID_DB_ROW)
        {
          int kind = zid_db_column_int (stmt, 0);
          gint64 id = zid_db_column_int64 (stmt, 1);
          GArray *ids = kind == CHANGE_USER ? users
                      : kind == CHANGE_ORGANISATION ? organisations : NULL;

          if (ids != NULL)
            g_array_append_val (ids, id);
          newest = zid_db_column_int64 (stmt, 2);
        }
    }
  zid_db_reset (stmt);
  zid_store_commit (self->store, NULL);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (latest != NULL)
    *latest = newest;
  return TRUE;
}
