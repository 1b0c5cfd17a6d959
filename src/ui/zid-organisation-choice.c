/* zid-organisation-choice.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include "zid-organisation-choice.h"
#include "zid-work.h"

typedef struct
{
  gint64    actor;
  ZidAction action;
} Choice;

static gpointer
load_worker (ZidBackend  *portal,
             gpointer     data,
             GError     **error)
{
  Choice *c = data;
  g_autoptr(GPtrArray) all = zid_backend_list_organisations (portal, c->actor, error);
  GPtrArray *allowed;

  if (all == NULL)
    return NULL;
  allowed = g_ptr_array_new_with_free_func ((GDestroyNotify) zid_organisation_free);
  for (guint i = 0; i < all->len; i++)
    {
      ZidOrganisation *org = g_ptr_array_index (all, i);

      if (zid_backend_check_action (portal, c->actor, c->action, 0, org->id, NULL))
        g_ptr_array_add (allowed, g_ptr_array_steal_index (all, i--));
    }
  return allowed;
}

void
zid_organisation_choice_load (gpointer             source_object,
                              ZidBackend          *portal,
                              gint64               actor,
                              ZidAction            action,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback)
{
  Choice *c = g_new (Choice, 1);

  c->actor = actor;
  c->action = action;
  zid_work_run (source_object, portal, load_worker, c, g_free, (GDestroyNotify) g_ptr_array_unref,
                cancellable, callback, NULL);
}

static void
fill (GtkDropDown *dropdown,
      GPtrArray   *organisations)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  for (guint i = 0; organisations != NULL && i < organisations->len; i++)
    gtk_string_list_append (names, ((ZidOrganisation *) g_ptr_array_index (organisations, i))->name);
  gtk_drop_down_set_model (dropdown, G_LIST_MODEL (names));
}

const char *
zid_organisation_choice_set (GtkDropDown   *dropdown,
                             GPtrArray    **organisations,
                             GPtrArray     *found,
                             const GError  *error,
                             const char    *none)
{
  if (found == NULL)
    return error->message;
  g_clear_pointer (organisations, g_ptr_array_unref);
  *organisations = found;
  fill (dropdown, found);
  return found->len == 0 ? none : NULL;
}

ZidOrganisation *
zid_organisation_choice_get (GtkDropDown *dropdown,
                             GPtrArray   *organisations)
{
  guint selected = gtk_drop_down_get_selected (dropdown);

  if (organisations == NULL || selected >= organisations->len)
    return NULL;
  return g_ptr_array_index (organisations, selected);
}
