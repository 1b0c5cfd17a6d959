/* zid-user-update.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include "zid-user-update.h"
#include "zid-work.h"

typedef struct
{
  gint64            actor;
  gint64            organisation;
  GArray           *ids;
  ZidUserFetchFunc  fetch;
} Request;

static void
request_free (gpointer data)
{
  Request *r = data;

  g_array_unref (r->ids);
  g_free (r);
}

void
zid_user_update_free (gpointer data)
{
  ZidUserUpdate *u = data;

  if (u == NULL)
    return;
  g_array_unref (u->ids);
  g_ptr_array_unref (u->users);
  g_free (u);
}

static gpointer
update_worker (ZidBackend  *portal,
               gpointer     data,
               GError     **error)
{
  Request *r = data;
  ZidUserUpdate *u = g_new0 (ZidUserUpdate, 1);

  u->ids = g_array_ref (r->ids);
  u->users = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < r->ids->len; i++)
    {
      ZidUser *user = NULL;

      if (!r->fetch (portal, r->actor, r->organisation, g_array_index (r->ids, gint64, i), &user, error))
        {
          zid_user_update_free (u);
          return NULL;
        }
      if (user != NULL)
        g_ptr_array_add (u->users, user);
    }
  return u;
}

void
zid_user_update_run (gpointer             source_object,
                     ZidBackend          *portal,
                     gint64               actor,
                     gint64               organisation,
                     GArray              *ids,
                     ZidUserFetchFunc     fetch,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback)
{
  Request *r = g_new0 (Request, 1);

  r->actor = actor;
  r->organisation = organisation;
  r->ids = g_array_copy (ids);
  r->fetch = fetch;
  zid_work_run (source_object, portal, update_worker, r, request_free, zid_user_update_free,
                cancellable, callback, NULL);
}

ZidUserUpdate *
zid_user_update_finish (GAsyncResult  *result,
                        GError       **error)
{
  return zid_work_finish (result, error);
}

ZidUser *
zid_user_update_find (ZidUserUpdate *update,
                      gint64         id)
{
  for (guint i = 0; i < update->users->len; i++)
    if (zid_user_get_id (g_ptr_array_index (update->users, i)) == id)
      return g_ptr_array_index (update->users, i);
  return NULL;
}
