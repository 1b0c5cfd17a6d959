/* zid-user-list.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <string.h>

#include "zid-search.h"
#include "zid-user-list.h"
#include "zid-user-item.h"

#define SEARCH_KEYS "zid-search-keys"

/* The result for one query; each level of the history is narrower than
 * the one before it */
typedef struct
{
  ZidSearchQuery *query;
  GArray         *matches;        /* guint indices into the users, in order */
} Level;

struct _ZidUserList
{
  GObject      parent_instance;

  /* owned */
  GPtrArray   *users;     /* ZidUser */
  const char **keys;      /* per user: zid_search_member_keys(), borrowed from the user */
  GPtrArray   *levels;    /* Level: the current query and the prefixes typed before it */
  GArray      *shown;     /* the items: the current matches, or the last
                           * non-empty ones while nothing matches; NULL: everyone */
  GPtrArray   *items;     /* ZidUserItem per position handed out (NULL: none yet) */

  /* the filter row: the users it lets through (NULL: everyone), what the
   * queries scan */
  GArray      *base;
  gint64       organisation;
  ZidUserStatusFilter status;
  ZidUserMobileFilter mobile_id;

  ZidUserSort  sort;
  gboolean     descending;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ZidUserList, zid_user_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

void
zid_user_list_prepare_user (ZidUser *user)
{
  g_object_set_data_full (G_OBJECT (user), SEARCH_KEYS,
                          zid_search_member_keys (zid_user_get_first_name (user),
                                                  zid_user_get_last_name (user),
                                                  zid_user_get_birth_date (user)),
                          g_free);
}

static void
level_free (Level *level)
{
  zid_search_query_free (level->query);
  g_array_unref (level->matches);
  g_free (level);
}

static Level *
current_level (ZidUserList *self)
{
  return self->levels->len > 0 ? g_ptr_array_index (self->levels, self->levels->len - 1) : NULL;
}

/* The users of @within (NULL: all the filter lets through) that @query
 * matches, in order */
static GArray *
scan (ZidUserList          *self,
      GArray               *within,
      const ZidSearchQuery *query)
{
  guint n;
  GArray *result;

  within = within ? within : self->base;
  n = within ? within->len : self->users->len;
  result = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < n; i++)
    {
      guint u = within ? g_array_index (within, guint, i) : i;

      if (zid_search_query_matches (query, self->keys[u]))
        g_array_append_val (result, u);
    }
  return result;
}

static guint
n_shown (ZidUserList *self)
{
  return self->shown ? self->shown->len : self->users->len;
}

static ZidUser *
shown_user (ZidUserList *self,
            guint        position)
{
  if (self->shown != NULL)
    position = g_array_index (self->shown, guint, position);
  return g_ptr_array_index (self->users, position);
}

static GType
get_item_type (GListModel *model)
{
  return ZID_TYPE_USER_ITEM;
}

static guint
get_n_items (GListModel *model)
{
  return n_shown (ZID_USER_LIST (model));
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  ZidUserList *self = ZID_USER_LIST (model);

  ZidUserItem *item;

  if (position >= n_shown (self))
    return NULL;
  if (position >= self->items->len)
    g_ptr_array_set_size (self->items, position + 1);
  item = g_ptr_array_index (self->items, position);
  if (item == NULL)
    item = g_ptr_array_index (self->items, position) = zid_user_item_new ();
  zid_user_item_set_user (item, shown_user (self, position));
  return g_object_ref (item);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

/* Makes @items (NULL: everyone) the items, from @before of them. The items
 * handed out keep their identity: the users at their positions change
 * (notify::user), and only the tail of the list is added or removed */
static void
show (ZidUserList *self,
      GArray      *items,
      guint        before)
{
  guint after;

  if (items != NULL)
    g_array_ref (items);
  g_clear_pointer (&self->shown, g_array_unref);
  self->shown = items;

  after = n_shown (self);
  for (guint i = 0; i < MIN (after, self->items->len); i++)
    {
      ZidUserItem *item = g_ptr_array_index (self->items, i);

      if (item != NULL)
        zid_user_item_set_user (item, shown_user (self, i));
    }
  if (after < before)
    g_list_model_items_changed (G_LIST_MODEL (self), after, before - after, 0);
  else if (after > before)
    g_list_model_items_changed (G_LIST_MODEL (self), before, 0, after - before);
}

/* ---- Order ---------------------------------------------------------- */

static int
compare_memberships (ZidUser *a,
                     ZidUser *b)
{
  GPtrArray *ma = zid_user_get_memberships (a);
  GPtrArray *mb = zid_user_get_memberships (b);
  ZidMembership *first_a = ma && ma->len > 0 ? g_ptr_array_index (ma, 0) : NULL;
  ZidMembership *first_b = mb && mb->len > 0 ? g_ptr_array_index (mb, 0) : NULL;
  int r;

  if (first_a == NULL || first_b == NULL)
    return (first_a != NULL) - (first_b != NULL);
  if ((r = g_strcmp0 (first_a->organisation_name, first_b->organisation_name)) != 0)
    return r;
  return (int) first_a->role - (int) first_b->role;
}

static int
compare_sorted (gconstpointer pa,
                gconstpointer pb,
                gpointer      data)
{
  ZidUserList *self = data;
  ZidUser *a = *(ZidUser **) pa;
  ZidUser *b = *(ZidUser **) pb;
  int r = 0;

  switch (self->sort)
    {
    case ZID_USER_SORT_NAME:
      break;
    case ZID_USER_SORT_BIRTH_DATE:
      r = g_strcmp0 (zid_user_get_birth_date (a), zid_user_get_birth_date (b));
      break;
    case ZID_USER_SORT_ORGANISATIONS:
      r = compare_memberships (a, b);
      break;
    case ZID_USER_SORT_STATUS:
      r = (int) zid_user_get_blocked (a) - (int) zid_user_get_blocked (b);
      break;
    case ZID_USER_SORT_MOBILE_ID:
      r = (int) zid_user_get_mobile_id (a) - (int) zid_user_get_mobile_id (b);
      break;
    case ZID_USER_SORT_LAST_USE:
      r = (zid_user_get_last_use (a) > zid_user_get_last_use (b)) -
          (zid_user_get_last_use (a) < zid_user_get_last_use (b));
      break;
    default:
      g_assert_not_reached ();
    }
  if (r == 0)
    r = zid_user_compare (a, b);
  return self->descending ? -r : r;
}

/* ---- Filter ----------------------------------------------------------- */

static gboolean
filtering (ZidUserList *self)
{
  return self->organisation != 0 || self->status != ZID_USER_STATUS_ANY ||
         self->mobile_id != ZID_USER_MOBILE_ANY;
}

static gboolean
in_organisation (ZidUser *user,
                 gint64   organisation)
{
  GPtrArray *memberships = zid_user_get_memberships (user);

  for (guint i = 0; memberships != NULL && i < memberships->len; i++)
    if (((ZidMembership *) g_ptr_array_index (memberships, i))->organisation_id == organisation)
      return TRUE;
  return FALSE;
}

static gboolean
passes_filter (ZidUserList *self,
               ZidUser     *user)
{
  ZidMobileIdState state = zid_user_get_mobile_id (user);

  switch (self->status)
    {
    case ZID_USER_STATUS_ACTIVE:  if (zid_user_get_blocked (user)) return FALSE; break;
    case ZID_USER_STATUS_BLOCKED: if (!zid_user_get_blocked (user)) return FALSE; break;
    case ZID_USER_STATUS_ANY:
    default: break;
    }
  switch (self->mobile_id)
    {
    case ZID_USER_MOBILE_ACTIVE:       if (state != ZID_MOBILE_ID_ACTIVE) return FALSE; break;
    case ZID_USER_MOBILE_NOT_ENROLLED: if (state != ZID_MOBILE_ID_NONE) return FALSE; break;
    case ZID_USER_MOBILE_REVOKED:      if (state != ZID_MOBILE_ID_REVOKED) return FALSE; break;
    case ZID_USER_MOBILE_ANY:
    default: break;
    }
  return self->organisation == 0 || in_organisation (user, self->organisation);
}

/* The users the filter lets through, NULL when it lets everyone */
static void
compute_base (ZidUserList *self)
{
  g_clear_pointer (&self->base, g_array_unref);
  if (!filtering (self))
    return;
  self->base = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < self->users->len; i++)
    if (passes_filter (self, g_ptr_array_index (self->users, i)))
      g_array_append_val (self->base, i);
}

/* ---- Users ------------------------------------------------------------ */

/* The query's matches computed anew (over what the filter lets through);
 * the earlier queries are forgotten */
static Level *
rescan (ZidUserList *self)
{
  Level *level = current_level (self);
  g_autoptr(ZidSearchQuery) query = level ? g_steal_pointer (&level->query) : NULL;

  g_ptr_array_set_size (self->levels, 0);
  if (query == NULL)
    return NULL;
  level = g_new0 (Level, 1);
  level->query = g_steal_pointer (&query);
  level->matches = scan (self, NULL, level->query);
  g_ptr_array_add (self->levels, level);
  return level;
}

void
zid_user_list_set_users (ZidUserList *self,
                         GPtrArray   *users)
{
  g_autoptr(GPtrArray) old = NULL;
  Level *level;
  guint before, n;

  g_return_if_fail (ZID_IS_USER_LIST (self));

  before = n_shown (self);
  n = users ? users->len : 0;
  /* the new users before the old go: @users may hold the same ones */
  old = g_steal_pointer (&self->users);
  self->users = g_ptr_array_new_full (n, g_object_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (self->users, g_object_ref (g_ptr_array_index (users, i)));
  for (guint i = 1; i < n; i++)
    if (compare_sorted (&g_ptr_array_index (self->users, i - 1),
                        &g_ptr_array_index (self->users, i), self) > 0)
      {
        g_ptr_array_sort_with_data (self->users, compare_sorted, self);
        break;
      }

  g_free (self->keys);
  self->keys = g_new (const char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      ZidUser *user = g_ptr_array_index (self->users, i);
      const char *keys = g_object_get_data (G_OBJECT (user), SEARCH_KEYS);

      if (keys == NULL)
        {
          zid_user_list_prepare_user (user);
          keys = g_object_get_data (G_OBJECT (user), SEARCH_KEYS);
        }
      self->keys[i] = keys;
    }
  self->keys[n] = NULL;
  compute_base (self);
  /* the query stays, its matches are computed anew */
  level = rescan (self);
  show (self, level ? level->matches : self->base, before);
}

/* After the filter changed: the users on screen are those the query
 * matches now, or stay as they were while nobody matches */
static void
show_matches (ZidUserList *self,
              Level       *level)
{
  GArray *wanted = level ? level->matches : self->base;

  if (wanted != NULL && wanted->len == 0 && n_shown (self) > 0)
    return;
  show (self, wanted, n_shown (self));
}

void
zid_user_list_set_sort (ZidUserList *self,
                        ZidUserSort  sort,
                        gboolean     descending)
{
  g_autoptr(GPtrArray) users = NULL;

  g_return_if_fail (ZID_IS_USER_LIST (self));
  if (self->sort == sort && self->descending == descending)
    return;
  self->sort = sort;
  self->descending = descending;
  users = g_ptr_array_ref (self->users);
  zid_user_list_set_users (self, users);
}

void
zid_user_list_set_filter (ZidUserList         *self,
                          gint64               organisation,
                          ZidUserStatusFilter  status,
                          ZidUserMobileFilter  mobile_id)
{
  g_return_if_fail (ZID_IS_USER_LIST (self));
  if (self->organisation == organisation && self->status == status && self->mobile_id == mobile_id)
    return;
  self->organisation = organisation;
  self->status = status;
  self->mobile_id = mobile_id;
  compute_base (self);
  show_matches (self, rescan (self));
}

static int
compare_organisations (gconstpointer a,
                       gconstpointer b)
{
  const ZidMembership *ma = *(ZidMembership **) a;
  const ZidMembership *mb = *(ZidMembership **) b;

  return g_strcmp0 (ma->organisation_name, mb->organisation_name);
}

GPtrArray *
zid_user_list_dup_organisations (ZidUserList *self)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  GPtrArray *result = g_ptr_array_new ();

  g_return_val_if_fail (ZID_IS_USER_LIST (self), result);
  for (guint i = 0; i < self->users->len; i++)
    {
      GPtrArray *memberships = zid_user_get_memberships (g_ptr_array_index (self->users, i));

      for (guint m = 0; memberships != NULL && m < memberships->len; m++)
        {
          ZidMembership *membership = g_ptr_array_index (memberships, m);

          if (g_hash_table_add (seen, &membership->organisation_id))
            g_ptr_array_add (result, membership);
        }
    }
  g_ptr_array_sort (result, compare_organisations);
  return result;
}

void
zid_user_list_update (ZidUserList *self,
                      GPtrArray   *changed,
                      GArray      *gone)
{
  g_autoptr(GHashTable) replaced = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GPtrArray) added = g_ptr_array_new ();
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(GArray) ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), changed ? changed->len : 0);
  guint a = 0;

  g_return_if_fail (ZID_IS_USER_LIST (self));

  /* the keys point into @ids: sized once, never moved */
  for (guint i = 0; changed != NULL && i < changed->len; i++)
    {
      ZidUser *user = g_ptr_array_index (changed, i);
      gint64 id = zid_user_get_id (user);

      if (g_hash_table_contains (replaced, &id))
        continue;
      g_array_append_val (ids, id);
      g_hash_table_add (replaced, &g_array_index (ids, gint64, ids->len - 1));
      g_ptr_array_add (added, user);
    }
  for (guint i = 0; gone != NULL && i < gone->len; i++)
    g_hash_table_add (replaced, &g_array_index (gone, gint64, i));
  if (g_hash_table_size (replaced) == 0)
    return;
  g_ptr_array_sort_with_data (added, compare_sorted, self);

  /* one merge of the users that stay and the changed ones, in order
   * (a reference each: setting the list lets go of the old array's) */
  users = g_ptr_array_new_full (self->users->len + added->len, g_object_unref);
  for (guint i = 0; i < self->users->len; i++)
    {
      ZidUser *user = g_ptr_array_index (self->users, i);
      gint64 id = zid_user_get_id (user);

      if (g_hash_table_contains (replaced, &id))
        continue;
      while (a < added->len &&
             compare_sorted (&g_ptr_array_index (added, a), &g_ptr_array_index (self->users, i), self) < 0)
        g_ptr_array_add (users, g_object_ref (g_ptr_array_index (added, a++)));
      g_ptr_array_add (users, g_object_ref (user));
    }
  while (a < added->len)
    g_ptr_array_add (users, g_object_ref (g_ptr_array_index (added, a++)));
  zid_user_list_set_users (self, users);
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
  g_autoptr(ZidSearchQuery) wanted = NULL;
  Level *level;

  g_return_if_fail (ZID_IS_USER_LIST (self));

  wanted = zid_search_query_new (query);

  /* back to the longest earlier query this one narrows (Backspace: that
   * query itself), then narrow its matches; a birth date narrows nothing */
  while ((level = current_level (self)) != NULL &&
         (wanted == NULL || !zid_search_query_narrows (level->query, wanted)))
    g_ptr_array_set_size (self->levels, self->levels->len - 1);
  if (wanted != NULL && (level == NULL || !zid_search_query_narrows (wanted, level->query)))
    {
      GArray *within = level ? level->matches : NULL;

      level = g_new0 (Level, 1);
      level->matches = scan (self, within, wanted);
      level->query = g_steal_pointer (&wanted);
      g_ptr_array_add (self->levels, level);
    }

  /* no matches: the items stay (the view shows no list then) */
  if (level != NULL && level->matches->len == 0 && n_shown (self) > 0)
    return;
  if (self->shown != (level ? level->matches : self->base))
    show (self, level ? level->matches : self->base, n_shown (self));
}

guint
zid_user_list_get_n_matches (ZidUserList *self)
{
  Level *level;

  g_return_val_if_fail (ZID_IS_USER_LIST (self), 0);
  level = current_level (self);
  if (level != NULL)
    return level->matches->len;
  return self->base ? self->base->len : self->users->len;
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
  g_ptr_array_unref (self->levels);
  g_clear_pointer (&self->shown, g_array_unref);
  g_clear_pointer (&self->base, g_array_unref);
  g_ptr_array_unref (self->items);
  g_free (self->keys);
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
  self->levels = g_ptr_array_new_with_free_func ((GDestroyNotify) level_free);
  self->items = g_ptr_array_new_with_free_func ((GDestroyNotify) g_object_unref);
}

ZidUserList *
zid_user_list_new (void)
{
  return g_object_new (ZID_TYPE_USER_LIST, NULL);
}
