/* zid-portal-users.c — users, memberships, attributes, blocking and organisations
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-core"

#include "config.h"

#include <string.h>

#include "zid-db.h"
#include "zid-portal-private.h"

/* Name search keys: every word of the first and last name, the whole last
 * name and "first last", case folded without accents. */
static gboolean
index_names (ZidPortal   *self,
             gint64       organisation,
             gint64       user,
             const char  *first_name,
             const char  *last_name,
             GError     **error)
{
  g_auto(GStrv) keys = zid_name_keys (first_name, last_name);

  for (guint i = 0; keys[i]; i++)
    if (!zid_db_run (self->store, error,
                     "INSERT INTO name_keys (organisation_id, key, user_id)"
                     " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                     "iti", organisation, keys[i], user))
      return FALSE;
  return TRUE;
}

gboolean
_zid_portal_add_member (ZidPortal   *self,
                        gint64       user,
                        gint64       organisation,
                        ZidRole      role,
                        const char  *first_name,
                        const char  *last_name,
                        GError     **error)
{
  return zid_db_run (self->store, error,
                     "INSERT INTO memberships (organisation_id, user_id, role) VALUES (?, ?, ?)"
                     " ON CONFLICT (organisation_id, user_id) DO UPDATE SET role = excluded.role",
                     "iii", organisation, user, (gint64) role) &&
         index_names (self, organisation, user, first_name, last_name, error);
}

gboolean
_zid_portal_set_membership_row (ZidPortal  *self,
                                gint64      user,
                                gint64      organisation,
                                ZidRole     role,
                                GError    **error)
{
  ZidDbStmt *stmt;
  ZidDbStep step;
  g_autofree char *first = NULL;
  g_autofree char *last = NULL;

  stmt = zid_db_query (self->store, error,
                       "SELECT first_name, last_name FROM users WHERE id = ?", "i", user);
  if ((step = zid_db_step (stmt, error)) == ZID_DB_ERROR)
    return FALSE;
  if (step == ZID_DB_ROW)
    {
      first = zid_db_column_dup (stmt, 0);
      last = zid_db_column_dup (stmt, 1);
    }
  zid_db_reset (stmt);

  return _zid_portal_add_member (self, user, organisation, role, first, last, error);
}

gint64
_zid_portal_insert_user (ZidPortal   *self,
                         const char  *first_name,
                         const char  *last_name,
                         const char  *birth_date,
                         const char  *uzi_number,
                         GError     **error)
{
  g_autofree char *first = g_strstrip (g_strdup (first_name));
  g_autofree char *last = g_strstrip (g_strdup (last_name));
  char iso[11];
  gint64 id;

  /* Stored as JJJJ-MM-DD, however it was typed */
  if (!zid_normalise_birth_date (birth_date, _zid_portal_now (self), iso, error))
    return 0;
  if (!zid_db_insert (self->store, &id, error,
                      "INSERT INTO users (first_name, last_name, birth_date, registered, uzi_number)"
                      " VALUES (?, ?, ?, ?, ?) RETURNING id",
                      "tttit", first, last, iso, _zid_portal_now (self), uzi_number))
    return 0;
  return id;
}

gboolean
_zid_portal_validate_person (ZidPortal   *self,
                             const char  *first_name,
                             const char  *last_name,
                             const char  *birth_date,
                             GError     **error)
{
  return zid_validate_name (_("The first name"), first_name, error) &&
         zid_validate_name (_("The last name"), last_name, error) &&
         zid_validate_birth_date (birth_date, _zid_portal_now (self), error);
}

/* Users */

#define USER_COLUMNS \
  "u.id, u.first_name, u.last_name, u.birth_date, u.blocked, u.block_reason," \
  " u.registered, u.last_use, u.mobile_id, u.uzi_number"
#define N_USER_COLUMNS 10
/* The URA and name of organisation ?1, for the rows of its members: read
 * once per statement, not joined to every row (a list of 100,000) */
#define ORGANISATION_1 \
  "(SELECT o.ura FROM organisations o WHERE o.id = ?1)," \
  " (SELECT o.name FROM organisations o WHERE o.id = ?1)"

static ZidUser *
user_from_row (ZidDbStmt *stmt)
{
  return zid_user_new (zid_db_column_int64 (stmt, 0),
                       zid_db_column_text (stmt, 1),
                       zid_db_column_text (stmt, 2),
                       zid_db_column_text (stmt, 3),
                       zid_db_column_int (stmt, 4) != 0,
                       (ZidBlockReason) zid_db_column_int (stmt, 5),
                       zid_db_column_int64 (stmt, 6),
                       zid_db_column_int64 (stmt, 7),
                       (ZidMobileIdState) zid_db_column_int (stmt, 8),
                       zid_db_column_text (stmt, 9));
}

/* A list of 100,000 users names a handful of organisations: consecutive
 * rows of one organisation share its strings (GRefStrings) */
static ZidMembership *
membership_from_row (ZidDbStmt            *stmt,
                     int                   col,
                     const ZidMembership  *previous)
{
  ZidMembership *m = g_new0 (ZidMembership, 1);

  m->organisation_id = zid_db_column_int64 (stmt, col);
  if (previous != NULL && previous->organisation_id == m->organisation_id)
    {
      m->ura = g_ref_string_acquire (previous->ura);
      m->organisation_name = g_ref_string_acquire (previous->organisation_name);
    }
  else
    {
      m->ura = g_ref_string_new (zid_db_column_text (stmt, col + 1));
      m->organisation_name = g_ref_string_new (zid_db_column_text (stmt, col + 2));
    }
  m->role = (ZidRole) zid_db_column_int (stmt, col + 3);
  return m;
}

static int
compare_users (gconstpointer a,
               gconstpointer b)
{
  return zid_user_compare (*(ZidUser **) a, *(ZidUser **) b);
}

typedef enum
{
  COLLECT_MERGE            = 0,       /* rows of one user may repeat: merge them */
  COLLECT_ONE_ROW_PER_USER = 1 << 0,
  COLLECT_SQL_ORDER        = 1 << 1,  /* the query sorted by name already */
} CollectFlags;

/* Collects rows of USER_COLUMNS + membership columns into users, one per
 * id, each with the memberships the rows carry, sorted by name. */
static GPtrArray *
collect_users (ZidDbStmt     *stmt,
               CollectFlags   flags,
               GError       **error)
{
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) by_id = (flags & COLLECT_ONE_ROW_PER_USER)
    ? NULL : g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  const ZidMembership *previous = NULL;
  ZidDbStep step;

  while ((step = zid_db_step (stmt, error)) != ZID_DB_ERROR)
    {
      gint64 id;
      ZidUser *user;

      if (step == ZID_DB_DONE)
        {
          zid_db_reset (stmt);
          if (!(flags & COLLECT_SQL_ORDER))
            g_ptr_array_sort (users, compare_users);
          return g_steal_pointer (&users);
        }

      id = zid_db_column_int64 (stmt, 0);
      user = by_id ? g_hash_table_lookup (by_id, &id) : NULL;
      if (user == NULL)
        {
          user = user_from_row (stmt);
          g_ptr_array_add (users, user);
          if (by_id)
            g_hash_table_insert (by_id, g_memdup2 (&id, sizeof id), user);
        }
      if (!zid_db_column_is_null (stmt, N_USER_COLUMNS))
        {
          gint64 org = zid_db_column_int64 (stmt, N_USER_COLUMNS);

          if (zid_user_get_role_in (user, org) == ZID_ROLE_NONE)
            {
              ZidMembership *m = membership_from_row (stmt, N_USER_COLUMNS, previous);

              zid_user_add_membership (user, m);
              previous = m;
            }
        }
    }

  return NULL;
}

ZidOneTimeCode *
zid_portal_register_user (ZidPortal   *self,
                          gint64       actor,
                          gint64       organisation,
                          const char  *first_name,
                          const char  *last_name,
                          const char  *birth_date,
                          GError     **error)
{
  g_autoptr(ZidOneTimeCode) enrolment = NULL;
  g_autofree char *details = NULL;
  gint64 user = 0;
  gboolean ok;
  ZidWrite w;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!_zid_portal_validate_person (self, first_name, last_name, birth_date, error) ||
      !_zid_write_begin (&w, self, _zid_portal_user_label (actor), "user.register", NULL, error))
    return NULL;

  ok = _zid_portal_check_action (self, actor, ZID_ACTION_REGISTER_USER, 0, organisation, &w.error) &&
       (user = _zid_portal_insert_user (self, first_name, last_name, birth_date, NULL, &w.error)) != 0 &&
       _zid_portal_set_membership_row (self, user, organisation, ZID_ROLE_GEBRUIKER, &w.error) &&
       (enrolment = _zid_portal_new_code (self, user, ZID_CODE_ENROLMENT, &w.error)) != NULL;
  if (ok)
    _zid_write_set_subject (&w, _zid_portal_user_label (user));
  details = g_strdup_printf ("organisation=%" G_GINT64_FORMAT " role=Gebruiker", organisation);
  if (!_zid_write_end_audited (&w, ok, details, error))
    return NULL;
  return g_steal_pointer (&enrolment);
}

/* Upper bound of the keys that start with @prefix */
static char *
prefix_end (const char *prefix)
{
  return g_strconcat (prefix, "\xf4\x8f\xbf\xbf", NULL);
}

GPtrArray *
zid_portal_list_users (ZidPortal   *self,
                       gint64       actor,
                       gint64       organisation,
                       const char  *search,
                       GError     **error)
{
  return zid_portal_search_users (self, actor, organisation, search, 0, NULL, error);
}

/* The members of the actor's organisations (?1 the actor, ?2 one of them
 * or 0 for all) born on ?3 */
#define BORN_ON \
  " FROM memberships a" \
  " JOIN memberships m ON m.organisation_id = a.organisation_id" \
  " JOIN users u ON u.id = m.user_id AND u.birth_date = ?3" \
  " JOIN organisations o ON o.id = m.organisation_id" \
  " WHERE a.user_id = ?1 AND a.role >= 2 AND ?2 IN (0, a.organisation_id)"

/* The users an actor manages, in name-key order when searching; @limit
 * bounds the rows read (a first page: a common prefix in an organisation of
 * 100,000 matches thousands), @n_matches counts them all from the index. */
GPtrArray *
zid_portal_search_users (ZidPortal   *self,
                         gint64       actor,
                         gint64       organisation,
                         const char  *search,
                         guint        limit,
                         guint       *n_matches,
                         GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ZidSearchQuery) query = zid_search_query_new (search);
  const char *key = query && !query->birth_date ? query->text : NULL;
  const char *birth_date = query && query->birth_date ? query->text : NULL;
  g_autofree char *key_end = key ? prefix_end (key) : NULL;
  GPtrArray *users = NULL;
  ZidDbStmt *stmt;
  /* no page: a bound no store reaches (a negative LIMIT is SQLite's alone) */
  gint64 rows = limit > 0 ? (gint64) limit : G_MAXINT64;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!zid_store_begin (self->store, FALSE, error))
    return NULL;

  if (!_zid_portal_check_action (self, actor, ZID_ACTION_VIEW_USERS, 0, organisation, &local_error))
    goto out;

  if (n_matches != NULL)
    {
      ZidDbStep step;

      /* _zid_portal_check_action() made sure the actor manages @organisation */
      if (birth_date != NULL)
        stmt = zid_db_query (self->store, &local_error,
                             "SELECT count (DISTINCT m.user_id)" BORN_ON,
                                "iit", actor, organisation, birth_date);
      else if (key == NULL && organisation != 0)
        stmt = zid_db_query (self->store, &local_error,
                             "SELECT count (*) FROM memberships WHERE organisation_id = ?",
                                "i", organisation);
      else if (key == NULL)
        stmt = zid_db_query (self->store, &local_error,
                             "SELECT count (DISTINCT m.user_id) FROM memberships a"
                                " JOIN memberships m ON m.organisation_id = a.organisation_id"
                                " WHERE a.user_id = ? AND a.role >= 2",
                                "i", actor);
      else if (organisation != 0)
        stmt = zid_db_query (self->store, &local_error,
                             "SELECT count (DISTINCT user_id) FROM name_keys"
                                " WHERE organisation_id = ? AND key >= ? AND key < ?",
                                "itt", organisation, key, key_end);
      else
        stmt = zid_db_query (self->store, &local_error,
                             "SELECT count (DISTINCT k.user_id) FROM memberships a"
                                " JOIN name_keys k ON k.organisation_id = a.organisation_id"
                                "   AND k.key >= ?2 AND k.key < ?3"
                                " WHERE a.user_id = ?1 AND a.role >= 2",
                                "itt", actor, key, key_end);
      if ((step = zid_db_step (stmt, &local_error)) == ZID_DB_ERROR)
        goto out;
      *n_matches = step == ZID_DB_ROW ? (guint) zid_db_column_int64 (stmt, 0) : 0;
      zid_db_reset (stmt);
    }

  /* One organisation: its rows in index order (a page stops early); all
   * the actor's organisations: through the actor's memberships. A birth
   * date: the actor's members born that day. */
  if (birth_date != NULL)
    stmt = zid_db_query (self->store, &local_error,
                         "SELECT " USER_COLUMNS ", m.organisation_id, o.ura, o.name, m.role"
                         BORN_ON " ORDER BY m.user_id"
                         " LIMIT ?4",
                         "iiti", actor, organisation, birth_date, rows);
  else if (key == NULL && organisation != 0)
    stmt = zid_db_query (self->store, &local_error,
                         "SELECT " USER_COLUMNS ", m.organisation_id, " ORGANISATION_1 ", m.role"
                         " FROM memberships m"
                         " JOIN users u ON u.id = m.user_id"
                         " WHERE m.organisation_id = ?1"
                         " LIMIT ?2",
                         "ii", organisation, rows);
  else if (key == NULL)
    stmt = zid_db_query (self->store, &local_error,
                         "SELECT " USER_COLUMNS ", m.organisation_id, o.ura, o.name, m.role"
                         " FROM memberships a"
                         " JOIN memberships m ON m.organisation_id = a.organisation_id"
                         " JOIN users u ON u.id = m.user_id"
                         " JOIN organisations o ON o.id = m.organisation_id"
                         " WHERE a.user_id = ?1 AND a.role >= 2"
                         " LIMIT ?2",
                         "ii", actor, rows);
  else if (organisation != 0)
    stmt = zid_db_query (self->store, &local_error,
                         "SELECT " USER_COLUMNS ", m.organisation_id, " ORGANISATION_1 ", m.role"
                         " FROM name_keys k"
                         " JOIN memberships m ON m.organisation_id = k.organisation_id"
                         "   AND m.user_id = k.user_id"
                         " JOIN users u ON u.id = k.user_id"
                         " WHERE k.organisation_id = ?1 AND k.key >= ?2 AND k.key < ?3"
                         " ORDER BY k.key, k.user_id"
                         " LIMIT ?4",
                         "itti", organisation, key, key_end, rows);
  else
    stmt = zid_db_query (self->store, &local_error,
                         "SELECT " USER_COLUMNS ", m.organisation_id, o.ura, o.name, m.role"
                         " FROM memberships a"
                         " JOIN name_keys k ON k.organisation_id = a.organisation_id"
                         "   AND k.key >= ?2 AND k.key < ?3"
                         " JOIN memberships m ON m.organisation_id = k.organisation_id"
                         "   AND m.user_id = k.user_id"
                         " JOIN users u ON u.id = k.user_id"
                         " JOIN organisations o ON o.id = m.organisation_id"
                         " WHERE a.user_id = ?1 AND a.role >= 2"
                         " ORDER BY k.key, k.user_id"
                         " LIMIT ?4",
                         "itti", actor, key, key_end, rows);
  if (stmt != NULL)
    users = collect_users (stmt, COLLECT_MERGE, &local_error);

out:
  zid_store_commit (self->store, NULL);
  if (users == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return users;
}

ZidUser *
zid_portal_get_user (ZidPortal   *self,
                     gint64       actor,
                     gint64       user,
                     GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) users = NULL;
  ZidUser *result = NULL;
  ZidDbStmt *stmt;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!zid_store_begin (self->store, FALSE, error))
    return NULL;

  /* the user, with the memberships in organisations the actor manages */
  if (_zid_portal_check_action (self, actor, ZID_ACTION_VIEW_USERS, user, 0, &local_error) &&
      (stmt = zid_db_query (self->store, &local_error,
                            "SELECT " USER_COLUMNS ", m.organisation_id, o.ura, o.name, m.role"
                            " FROM users u"
                            " LEFT JOIN memberships m ON m.user_id = u.id"
                            "   AND (u.id = ?2 OR EXISTS (SELECT 1 FROM memberships a"
                            "     WHERE a.user_id = ?2 AND a.organisation_id = m.organisation_id"
                            "       AND a.role >= 2))"
                            " LEFT JOIN organisations o ON o.id = m.organisation_id"
                            " WHERE u.id = ?1",
                            "ii", user, actor)) != NULL &&
      (users = collect_users (stmt, COLLECT_MERGE, &local_error)) != NULL &&
      users->len == 1)
    result = g_object_ref (g_ptr_array_index (users, 0));

  zid_store_commit (self->store, NULL);
  if (result == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return result;
}

gboolean
zid_portal_set_membership (ZidPortal       *self,
                           gint64           actor,
                           gint64           user,
                           gint64           organisation,
                           ZidRole          role,
                           ZidOneTimeCode **enrolment,
                           GError         **error)
{
  g_autoptr(ZidOneTimeCode) code = NULL;
  g_autofree char *details = NULL;
  g_autofree char *beyond = NULL;
  ZidRole beyond_role = ZID_ROLE_NONE;
  int mobile_id = 0;
  gboolean ok;
  ZidWrite w;

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);

  if (enrolment)
    *enrolment = NULL;
  if (role < ZID_ROLE_GEBRUIKER || role > ZID_ROLE_ADMINISTRATOR)
    return _zid_refuse (error, ZID_ERROR_INVALID_INPUT,
                        _("Unknown role: choose Administrator, Beheerder or Gebruiker"));

  if (!_zid_write_begin (&w, self, _zid_portal_user_label (actor), "membership.set",
                         _zid_portal_user_label (user), error))
    return FALSE;

  ok = _zid_portal_check_action (self, actor, ZID_ACTION_SET_MEMBERSHIP, user, organisation, &w.error) &&
       _zid_portal_load_user (self, user, NULL, &mobile_id, &w.error) &&
       _zid_portal_check_role_change (self, actor, user, organisation, role, &w.error) &&
       _zid_portal_set_membership_row (self, user, organisation, role, &w.error);
  /* the enrolment code makes the user's national ID: only for an actor
   * who administers every organisation where the user has portal rights
   * (as for a new certificate); the user's own code stays good otherwise */
  if (ok && mobile_id == ZID_MOBILE_ID_NONE && enrolment != NULL &&
      (user == actor || (beyond = _zid_portal_role_beyond_authority (self, actor, user, &beyond_role)) == NULL))
    ok = (code = _zid_portal_new_code (self, user, ZID_CODE_ENROLMENT, &w.error)) != NULL;
  details = g_strdup_printf ("organisation=%" G_GINT64_FORMAT " role=%s", organisation,
                             zid_role_to_string (role));
  if (!_zid_write_end_audited (&w, ok, details, error))
    return FALSE;
  if (enrolment)
    *enrolment = g_steal_pointer (&code);
  return TRUE;
}

static gboolean
validate_task_code (const char  *task_code,
                    GError     **error)
{
  gsize len = task_code ? strlen (task_code) : 0;

  if (len == 0 || len > 64)
    return _zid_refuse (error, ZID_ERROR_INVALID_INPUT,
                        _("The task code must be 1 to 64 characters long"));
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (task_code[i]) && task_code[i] != '.' && task_code[i] != '-' &&
        task_code[i] != '_')
      return _zid_refuse (error, ZID_ERROR_INVALID_INPUT,
                          _("The task code may contain only letters, digits, full stop, hyphen and "
                            "underscore"));
  return TRUE;
}

/* The actor's own linked UZI number (NULL if none) must be the card's */
static gboolean
check_own_card (ZidPortal            *self,
                gint64                actor,
                const ZidCardHolder  *holder,
                GError              **error)
{
  g_autofree char *own = NULL;
  ZidDbStmt *stmt;
  ZidDbStep step;

  if (holder == NULL || holder->uzi_number == NULL || *holder->uzi_number == '\0')
    return _zid_refuse (error, ZID_ERROR_INVALID_INPUT, _("The data of the UZI card is missing"));
  stmt = zid_db_query (self->store, error, "SELECT uzi_number FROM users WHERE id = ?",
                       "i", actor);
  if ((step = zid_db_step (stmt, error)) == ZID_DB_ERROR)
    return FALSE;
  if (step == ZID_DB_ROW)
    own = zid_db_column_dup (stmt, 0);
  zid_db_reset (stmt);
  if (own != NULL && *own != '\0' && g_strcmp0 (own, holder->uzi_number) != 0)
    return _zid_refuse (error, ZID_ERROR_NOT_PERMITTED,
                        _("This UZI card is not your own UZI card: use the UZI card your ZORG-ID "
                          "was registered with"));
  return TRUE;
}

/* @holder: NULL for the types entered by hand; for "uzi" the verified card */
static gint64
add_attribute (ZidPortal            *self,
               gint64                actor,
               gint64                user,
               const char           *type,
               gint64                organisation,
               const char           *task_code,
               const ZidCardHolder  *holder,
               GError              **error)
{
  g_autofree char *details = NULL;
  ZidAttributeType kind;
  gint64 id = 0;
  gboolean ok;
  ZidWrite w;

  if (!zid_attribute_type_from_name (type, &kind))
    {
      g_autofree char *names = zid_attribute_type_dup_names ();

      _zid_refuse (error, ZID_ERROR_INVALID_INPUT,
                   _("Unknown attribute type “%s”: choose %s"), type ? type : "", names);
      return 0;
    }
  if (!validate_task_code (task_code, error) ||
      !_zid_write_begin (&w, self, _zid_portal_user_label (actor), "attribute.add",
                         _zid_portal_user_label (user), error))
    return 0;

  ok = _zid_portal_check_action (self, actor, ZID_ACTION_ADD_ATTRIBUTE, user, organisation, &w.error) &&
       _zid_portal_check_attribute_type (actor, user, kind, &w.error);
  /* §8.1: the UZI-pas itself, PIN and proof of possession checked, names
   * the task code; never a number typed in */
  if (ok && kind == ZID_ATTRIBUTE_TYPE_UZI && holder == NULL)
    ok = _zid_refuse (&w.error, ZID_ERROR_NOT_PERMITTED,
                      _("A UZI attribute is registered with the UZI card itself"));
  if (ok && holder != NULL)
    ok = check_own_card (self, actor, holder, &w.error);
  if (ok)
    {
      /* no row returned: the same attribute is there already */
      ok = zid_db_insert (self->store, &id, &w.error,
                          "INSERT INTO attributes (user_id, type, organisation_id, task_code, created)"
                          " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                          "ititi", user, type, organisation, task_code, _zid_portal_now (self));
      if (ok && id == 0)
        ok = _zid_refuse (&w.error, ZID_ERROR_INVALID_INPUT,
                          _("This user has this attribute already"));
    }
  details = g_strdup_printf ("type=%s organisation=%" G_GINT64_FORMAT " task-code=%s",
                             type, organisation, task_code);
  if (!_zid_write_end_audited (&w, ok, details, error))
    return 0;
  return id;
}

gint64
zid_portal_add_attribute (ZidPortal   *self,
                          gint64       actor,
                          gint64       user,
                          const char  *type,
                          gint64       organisation,
                          const char  *task_code,
                          GError     **error)
{
  g_return_val_if_fail (ZID_IS_PORTAL (self), 0);

  return add_attribute (self, actor, user, type, organisation, task_code, NULL, error);
}

gint64
zid_portal_add_uzi_attribute (ZidPortal            *self,
                              gint64                actor,
                              gint64                organisation,
                              const ZidCardHolder  *verified_holder,
                              GError              **error)
{
  g_return_val_if_fail (ZID_IS_PORTAL (self), 0);
  g_return_val_if_fail (verified_holder != NULL, 0);

  return add_attribute (self, actor, actor, zid_attribute_type_get_name (ZID_ATTRIBUTE_TYPE_UZI),
                        organisation, verified_holder->uzi_number, verified_holder, error);
}

static ZidAttribute *
attribute_from_row (ZidDbStmt *stmt)
{
  ZidAttribute *a = g_new0 (ZidAttribute, 1);

  a->id = zid_db_column_int64 (stmt, 0);
  a->user_id = zid_db_column_int64 (stmt, 1);
  a->type = zid_db_column_dup (stmt, 2);
  a->organisation_id = zid_db_column_int64 (stmt, 3);
  a->ura = zid_db_column_dup (stmt, 4);
  a->task_code = zid_db_column_dup (stmt, 5);
  a->created = zid_db_column_int64 (stmt, 6);
  return a;
}

GPtrArray *
zid_portal_list_attributes (ZidPortal   *self,
                            gint64       actor,
                            gint64       user,
                            GError     **error)
{
  ZidDbStmt *stmt = NULL;
  GPtrArray *list;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!zid_store_begin (self->store, FALSE, error))
    return NULL;
  if (_zid_portal_check_action (self, actor, ZID_ACTION_VIEW_USERS, user, 0, error))
    stmt = zid_db_query (self->store, error,
                         "SELECT t.id, t.user_id, t.type, t.organisation_id, o.ura,"
                         " t.task_code, t.created FROM attributes t"
                         " JOIN organisations o ON o.id = t.organisation_id"
                         " WHERE t.user_id = ?1 AND (?1 = ?2 OR EXISTS (SELECT 1"
                         "   FROM memberships a WHERE a.user_id = ?2"
                         "   AND a.organisation_id = t.organisation_id AND a.role >= 2))"
                         " ORDER BY t.id", "ii", user, actor);
  list = zid_db_read_rows (stmt, (ZidDbRowReader) attribute_from_row,
                           (GDestroyNotify) zid_attribute_free, error);
  zid_store_commit (self->store, NULL);
  return list;
}

gboolean
zid_portal_block_user (ZidPortal       *self,
                       gint64           actor,
                       gint64           user,
                       ZidBlockReason   reason,
                       GError         **error)
{
  ZidWrite w;

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);

  if (!zid_block_reason_is_valid (reason))
    {
      g_autofree char *names = zid_block_reason_dup_cli_names ();

      return _zid_refuse (error, ZID_ERROR_INVALID_INPUT, _("Choose a reason to block: %s"), names);
    }
  if (!_zid_write_begin (&w, self, _zid_portal_user_label (actor), "user.block",
                         _zid_portal_user_label (user), error))
    return FALSE;
  return _zid_write_end_audited (&w,
                                 _zid_portal_check_action (self, actor, ZID_ACTION_BLOCK, user, 0, &w.error) &&
                                 zid_db_run (self->store, &w.error,
                                             "UPDATE users SET blocked = 1, block_reason = ? WHERE id = ?",
                                             "ii", (gint64) reason, user),
                                 zid_block_reason_get_cli_name (reason), error);
}

gboolean
zid_portal_unblock_user (ZidPortal   *self,
                         gint64       actor,
                         gint64       user,
                         GError     **error)
{
  ZidWrite w;

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);

  if (!_zid_write_begin (&w, self, _zid_portal_user_label (actor), "user.unblock",
                         _zid_portal_user_label (user), error))
    return FALSE;
  return _zid_write_end_audited (&w,
                                 _zid_portal_check_action (self, actor, ZID_ACTION_UNBLOCK, user, 0, &w.error) &&
                                 zid_db_run (self->store, &w.error,
                                             "UPDATE users SET blocked = 0, block_reason = 0 WHERE id = ?",
                                             "i", user),
                                 NULL, error);
}

/* Organisations */

static ZidOrganisation *
organisation_from_row (ZidDbStmt *stmt)
{
  ZidOrganisation *o = g_new0 (ZidOrganisation, 1);

  o->id = zid_db_column_int64 (stmt, 0);
  o->ura = zid_db_column_dup (stmt, 1);
  o->name = zid_db_column_dup (stmt, 2);
  o->agb = zid_db_column_dup (stmt, 3);
  o->address = zid_db_column_dup (stmt, 4);
  o->created = zid_db_column_int64 (stmt, 5);
  o->role = (ZidRole) zid_db_column_int (stmt, 6);
  return o;
}

GPtrArray *
zid_portal_list_organisations (ZidPortal   *self,
                               gint64       actor,
                               GError     **error)
{
  ZidDbStmt *stmt = NULL;
  GPtrArray *list;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!zid_store_begin (self->store, FALSE, error))
    return NULL;
  if (_zid_portal_check_actor (self, actor, error))
    stmt = zid_db_query (self->store, error,
                         "SELECT o.id, o.ura, o.name, o.agb, o.address, o.created, m.role"
                         " FROM memberships m JOIN organisations o ON o.id = m.organisation_id"
                         " WHERE m.user_id = ? AND m.role >= 2 ORDER BY o.name",
                         "i", actor);
  list = zid_db_read_rows (stmt, (ZidDbRowReader) organisation_from_row,
                           (GDestroyNotify) zid_organisation_free, error);
  zid_store_commit (self->store, NULL);
  return list;
}

ZidOrganisation *
zid_portal_find_organisation (ZidPortal   *self,
                              const char  *ura,
                              GError     **error)
{
  ZidOrganisation *o = NULL;
  ZidDbStmt *stmt;
  ZidDbStep step;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!zid_validate_ura (ura, error) || !zid_store_begin (self->store, FALSE, error))
    return NULL;
  stmt = zid_db_query (self->store, error,
                       "SELECT id, ura, name, agb, address, created, 0"
                       " FROM organisations WHERE ura = ?", "t", ura);
  if ((step = zid_db_step (stmt, error)) == ZID_DB_ROW)
    o = organisation_from_row (stmt);
  zid_db_reset (stmt);
  zid_store_commit (self->store, NULL);
  if (step == ZID_DB_DONE)
    g_set_error (error, ZID_ERROR, ZID_ERROR_NOT_FOUND,
                 _("There is no organisation with URA %s"), ura);
  return o;
}

/* The inactive members of ?1, ?2 the time of the last use that counts */
#define INACTIVE_MEMBERS \
  "SELECT " USER_COLUMNS ", m.organisation_id, " ORGANISATION_1 ", m.role" \
  " FROM memberships m" \
  " JOIN users u ON u.id = m.user_id" \
  " WHERE m.organisation_id = ?1" \
  "   AND coalesce (u.last_use, u.registered) < ?2"

GPtrArray *
zid_portal_list_inactive (ZidPortal   *self,
                          gint64       actor,
                          gint64       organisation,
                          GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  GPtrArray *users = NULL;
  ZidDbStmt *stmt;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!zid_store_begin (self->store, FALSE, error))
    return NULL;
  if (_zid_portal_check_action (self, actor, ZID_ACTION_VIEW_INACTIVE, 0, organisation, &local_error) &&
      (stmt = zid_db_query (self->store, &local_error,
                            INACTIVE_MEMBERS
                            " ORDER BY lower (u.last_name), lower (u.first_name), u.id",
                            "ii", organisation, _zid_portal_now (self) - ZID_INACTIVE_AFTER)) != NULL)
    users = collect_users (stmt, COLLECT_ONE_ROW_PER_USER | COLLECT_SQL_ORDER, &local_error);
  zid_store_commit (self->store, NULL);
  if (users == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return users;
}

GPtrArray *
zid_portal_list_pending (ZidPortal   *self,
                         gint64       actor,
                         gint64       organisation,
                         GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func ((GDestroyNotify) zid_pending_enrolment_free);
  gint64 now = _zid_portal_now (self);
  ZidDbStmt *stmt = NULL;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!zid_store_begin (self->store, FALSE, error))
    return NULL;
  if (_zid_portal_check_action (self, actor, ZID_ACTION_VIEW_USERS, 0, organisation, &local_error))
    stmt = zid_db_query (self->store, &local_error,
                         "SELECT " USER_COLUMNS ", m.organisation_id, o.ura, o.name, m.role,"
                         "       c.purpose, c.created, c.expires"
                         " FROM codes c"
                         " JOIN users u ON u.id = c.user_id"
                         " JOIN memberships m ON m.user_id = u.id AND m.organisation_id = ?1"
                         " JOIN organisations o ON o.id = m.organisation_id"
                         " WHERE c.used IS NULL AND c.purpose IN (?2, ?3)"
                         " ORDER BY c.expires, u.id",
                         "iii", organisation, (gint64) ZID_CODE_ENROLMENT,
                         (gint64) ZID_CODE_NEW_CERTIFICATE);
  while (zid_db_step (stmt, &local_error) == ZID_DB_ROW)
    {
      ZidPendingEnrolment *p = g_new0 (ZidPendingEnrolment, 1);
      int col = N_USER_COLUMNS + 4;

      p->user = user_from_row (stmt);
      zid_user_add_membership (p->user, membership_from_row (stmt, N_USER_COLUMNS, NULL));
      p->purpose = (ZidCodePurpose) zid_db_column_int (stmt, col);
      p->created = zid_db_column_int64 (stmt, col + 1);
      p->expires = zid_db_column_int64 (stmt, col + 2);
      p->expired = p->expires <= now;
      g_ptr_array_add (pending, p);
    }
  zid_db_reset (stmt);
  zid_store_commit (self->store, NULL);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return g_steal_pointer (&pending);
}

gboolean
zid_portal_get_inactive_user (ZidPortal  *self,
                              gint64      actor,
                              gint64      organisation,
                              gint64      user,
                              ZidUser   **inactive,
                              GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) users = NULL;
  ZidDbStmt *stmt;

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);
  g_return_val_if_fail (inactive != NULL, FALSE);

  *inactive = NULL;
  if (!zid_store_begin (self->store, FALSE, error))
    return FALSE;
  if (_zid_portal_check_action (self, actor, ZID_ACTION_VIEW_INACTIVE, 0, organisation, &local_error) &&
      (stmt = zid_db_query (self->store, &local_error,
                            INACTIVE_MEMBERS " AND m.user_id = ?3",
                            "iii", organisation, _zid_portal_now (self) - ZID_INACTIVE_AFTER,
                            user)) != NULL &&
      (users = collect_users (stmt, COLLECT_ONE_ROW_PER_USER | COLLECT_SQL_ORDER, &local_error)) != NULL &&
      users->len > 0)
    *inactive = g_object_ref (g_ptr_array_index (users, 0));
  zid_store_commit (self->store, NULL);
  if (users == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}
