/* zid-user-list.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <string.h>

#include "zid-ui-util.h"
#include "zid-user-list.h"
#include "zid-user-row.h"

#define FOLD_KEY "zid-fold-keys"

struct _ZidUserList
{
  GObject      parent_instance;

  /* owned */
  GPtrArray   *users;     /* ZidUser */
  const char **keys;      /* per user: "first\nlast\nfull", borrowed from the user */
  GArray      *matches;   /* guint indices into @users, in order */
  GPtrArray   *rows;      /* ZidUserRow per position handed out (NULL: none yet) */
  char        *query;     /* folded; NULL: everyone */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ZidUserList, zid_user_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

void
zid_user_list_prepare_user (ZidUser *user)
{
  g_autofree char *first = zid_ui_fold (zid_user_get_first_name (user));
  g_autofree char *last = zid_ui_fold (zid_user_get_last_name (user));
  g_autofree char *full = zid_ui_fold (zid_user_get_display_name (user));

  g_object_set_data_full (G_OBJECT (user), FOLD_KEY,
                          g_strdup_printf ("%s\n%s\n%s", first, last, full), g_free);
}

static gboolean
matches (const char *keys,
         const char *query,
         gsize       qlen)
{
  for (const char *k = keys; k != NULL; )
    {
      if (strncmp (k, query, qlen) == 0)
        return TRUE;
      k = strchr (k, '\n');
      if (k != NULL)
        k++;
    }
  return FALSE;
}

static guint
n_visible (ZidUserList *self)
{
  return self->query ? self->matches->len : self->users->len;
}

static ZidUser *
visible_user (ZidUserList *self,
              guint        position)
{
  if (self->query != NULL)
    position = g_array_index (self->matches, guint, position);
  return g_ptr_array_index (self->users, position);
}

static GType
get_item_type (GListModel *model)
{
  return ZID_TYPE_USER_ROW;
}

static guint
get_n_items (GListModel *model)
{
  return n_visible (ZID_USER_LIST (model));
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  ZidUserList *self = ZID_USER_LIST (model);

  ZidUserRow *row;

  if (position >= n_visible (self))
    return NULL;
  if (position >= self->rows->len)
    g_ptr_array_set_size (self->rows, position + 1);
  row = g_ptr_array_index (self->rows, position);
  if (row == NULL)
    row = g_ptr_array_index (self->rows, position) = zid_user_row_new ();
  zid_user_row_set_user (row, visible_user (self, position));
  return g_object_ref (row);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

/* Recomputes the matches for the current query; @narrower: the previous
 * matches are a superset */
static void
refilter (ZidUserList *self,
          gboolean     narrower)
{
  gsize qlen;

  if (self->query == NULL)
    {
      g_array_set_size (self->matches, 0);
      return;
    }
  qlen = strlen (self->query);
  if (narrower)
    {
      guint out = 0;

      for (guint i = 0; i < self->matches->len; i++)
        {
          guint u = g_array_index (self->matches, guint, i);

          if (matches (self->keys[u], self->query, qlen))
            g_array_index (self->matches, guint, out++) = u;
        }
      g_array_set_size (self->matches, out);
    }
  else
    {
      g_array_set_size (self->matches, 0);
      for (guint u = 0; u < self->users->len; u++)
        if (matches (self->keys[u], self->query, qlen))
          g_array_append_val (self->matches, u);
    }
}

/* The rows handed out keep their identity: the users at their positions
 * change (notify::user), and only the tail of the list is added or removed */
static void
changed (ZidUserList *self,
         guint        before)
{
  guint after = n_visible (self);

  for (guint i = 0; i < MIN (after, self->rows->len); i++)
    {
      ZidUserRow *row = g_ptr_array_index (self->rows, i);

      if (row != NULL)
        zid_user_row_set_user (row, visible_user (self, i));
    }
  if (after < before)
    g_list_model_items_changed (G_LIST_MODEL (self), after, before - after, 0);
  else if (after > before)
    g_list_model_items_changed (G_LIST_MODEL (self), before, 0, after - before);
}

void
zid_user_list_set_users (ZidUserList *self,
                         GPtrArray   *users)
{
  guint before, n;

  g_return_if_fail (ZID_IS_USER_LIST (self));

  before = n_visible (self);
  g_ptr_array_set_size (self->users, 0);
  n = users ? users->len : 0;
  g_free (self->keys);
  self->keys = g_new (const char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      ZidUser *user = g_ptr_array_index (users, i);
      const char *keys = g_object_get_data (G_OBJECT (user), FOLD_KEY);

      if (keys == NULL)
        {
          zid_user_list_prepare_user (user);
          keys = g_object_get_data (G_OBJECT (user), FOLD_KEY);
        }
      g_ptr_array_add (self->users, g_object_ref (user));
      self->keys[i] = keys;
    }
  self->keys[n] = NULL;
  refilter (self, FALSE);
  changed (self, before);
}

void
zid_user_list_remove_all (ZidUserList *self)
{
  g_return_if_fail (ZID_IS_USER_LIST (self));
  zid_user_list_set_users (self, NULL);
}

void
zid_user_list_set_query (ZidUserList *self,
                         const char  *query)
{
  g_autofree char *folded = NULL;
  guint before;
  gboolean narrower;

  g_return_if_fail (ZID_IS_USER_LIST (self));

  if (query != NULL && *query != '\0')
    folded = zid_ui_fold (query);
  if (folded != NULL && *folded == '\0')
    g_clear_pointer (&folded, g_free);
  if (g_strcmp0 (folded, self->query) == 0)
    return;

  before = n_visible (self);
  narrower = self->query != NULL && folded != NULL && g_str_has_prefix (folded, self->query);
  g_free (self->query);
  self->query = g_steal_pointer (&folded);
  refilter (self, narrower);
  changed (self, before);
}

guint
zid_user_list_get_n_total (ZidUserList *self)
{
  g_return_val_if_fail (ZID_IS_USER_LIST (self), 0);
  return self->users->len;
}

static void
zid_user_list_finalize (GObject *object)
{
  ZidUserList *self = ZID_USER_LIST (object);

  g_ptr_array_unref (self->users);
  g_array_unref (self->matches);
  g_ptr_array_unref (self->rows);
  g_free (self->keys);
  g_free (self->query);
  G_OBJECT_CLASS (zid_user_list_parent_class)->finalize (object);
}

static void
zid_user_list_class_init (ZidUserListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = zid_user_list_finalize;
}

static void
zid_user_list_init (ZidUserList *self)
{
  self->users = g_ptr_array_new_with_free_func (g_object_unref);
  self->matches = g_array_new (FALSE, FALSE, sizeof (guint));
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_object_unref);
}

ZidUserList *
zid_user_list_new (void)
{
  return g_object_new (ZID_TYPE_USER_LIST, NULL);
}
