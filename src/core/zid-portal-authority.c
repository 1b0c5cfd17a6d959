/* zid-portal-authority.c — the portal's rules: who may do what
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-core"

#include "config.h"

#include <string.h>

#include "zid-db.h"
#include "zid-portal-private.h"

/* Lookups (inside a transaction) */

gboolean
_zid_portal_load_user (ZidPortal  *self,
                       gint64      user,
                       gboolean   *blocked,
                       int        *mobile_id,
                       GError    **error)
{
  ZidDbStmt *stmt;
  ZidDbStep step;

  stmt = zid_db_query (self->store, error,
                       "SELECT blocked, mobile_id FROM users WHERE id = ?", "i", user);
  if ((step = zid_db_step (stmt, error)) == ZID_DB_ERROR)
    return FALSE;
  if (step == ZID_DB_DONE)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_NOT_FOUND,
                   _("User %lld does not exist"), (long long) user);
      return FALSE;
    }
  if (blocked)
    *blocked = zid_db_column_int (stmt, 0) != 0;
  if (mobile_id)
    *mobile_id = zid_db_column_int (stmt, 1);
  zid_db_reset (stmt);
  return TRUE;
}

ZidRole
_zid_portal_role_in (ZidPortal *self,
                     gint64     user,
                     gint64     organisation)
{
  ZidDbStmt *stmt;
  ZidRole role = ZID_ROLE_NONE;

  stmt = zid_db_query (self->store, NULL,
                       "SELECT role FROM memberships WHERE organisation_id = ? AND user_id = ?",
                       "ii", organisation, user);
  if (zid_db_step (stmt, NULL) == ZID_DB_ROW)
    role = (ZidRole) zid_db_column_int (stmt, 0);
  zid_db_reset (stmt);
  return role;
}

/* What the actor's memberships allow over @user: in any organisation they
 * share, may the actor see the user, act as Administrator, or act as
 * Beheerder over a Gebruiker? */
typedef struct
{
  gboolean view;
  gboolean administrator;
  gboolean beheerder;
} Authority;

static Authority
authority_over (ZidPortal *self,
                gint64     actor,
                gint64     user)
{
  Authority a = { FALSE, FALSE, FALSE };
  ZidDbStmt *stmt;

  stmt = zid_db_query (self->store, NULL,
                       "SELECT a.role, t.role FROM memberships a"
                       " JOIN memberships t ON t.organisation_id = a.organisation_id"
                       " WHERE a.user_id = ? AND t.user_id = ?",
                       "ii", actor, user);
  while (zid_db_step (stmt, NULL) == ZID_DB_ROW)
    {
      ZidRole mine = (ZidRole) zid_db_column_int (stmt, 0);
      ZidRole theirs = (ZidRole) zid_db_column_int (stmt, 1);

      if (mine >= ZID_ROLE_BEHEERDER)
        a.view = TRUE;
      if (mine == ZID_ROLE_ADMINISTRATOR)
        a.administrator = TRUE;
      if (mine == ZID_ROLE_BEHEERDER && theirs == ZID_ROLE_GEBRUIKER)
        a.beheerder = TRUE;
    }
  zid_db_reset (stmt);
  return a;
}

/* Blocking, activating and certificates act on the user's one national
 * mobile ID, which carries every role they hold. So over a user who is
 * Beheerder or Administrator of an organisation only an Administrator of
 * that organisation may act: sharing another organisation where the user
 * is a Gebruiker is not enough. The first such organisation the actor
 * does not administer, with the user's role there, or NULL. */
char *
_zid_portal_role_beyond_authority (ZidPortal *self,
                                   gint64     actor,
                                   gint64     user,
                                   ZidRole   *role)
{
  ZidDbStmt *stmt;
  ZidDbStep step;
  char *name = NULL;

  stmt = zid_db_query (self->store, NULL,
                       "SELECT o.name, t.role FROM memberships t"
                       " JOIN organisations o ON o.id = t.organisation_id"
                       " WHERE t.user_id = ? AND t.role >= ? AND NOT EXISTS"
                       " (SELECT 1 FROM memberships a WHERE a.user_id = ?"
                       "  AND a.organisation_id = t.organisation_id AND a.role = ?)"
                       " ORDER BY o.name LIMIT 1",
                       "iiii", user, (gint64) ZID_ROLE_BEHEERDER, actor,
                       (gint64) ZID_ROLE_ADMINISTRATOR);
  /* a failed query counts as beyond: refuse rather than allow */
  if ((step = zid_db_step (stmt, NULL)) == ZID_DB_ERROR)
    name = g_strdup ("?");
  else if (step == ZID_DB_ROW)
    {
      name = zid_db_column_dup (stmt, 0);
      *role = (ZidRole) zid_db_column_int (stmt, 1);
    }
  zid_db_reset (stmt);
  return name;
}

gboolean
_zid_refuse (GError     **error,
             ZidError     code,
             const char  *format,
             ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (ZID_ERROR, code, format, args));
  va_end (args);
  return FALSE;
}

gboolean
_zid_refuse_login (GError **error,
                   ZidError code)
{
  switch (code)
    {
    case ZID_ERROR_CERTIFICATE_REVOKED:
      return _zid_refuse (error, code, _("This certificate is revoked; ask your administrator for a "
                                         "new certificate"));
    case ZID_ERROR_USER_BLOCKED:
      return _zid_refuse (error, code, _("Your ZORG-ID is blocked"));
    case ZID_ERROR_ACTOR_BLOCKED:
      return _zid_refuse (error, code, _("Your ZORG-ID is blocked: you cannot use the portal"));
    case ZID_ERROR_NO_PORTAL_ACCESS:
      return _zid_refuse (error, code, _("No access to the portal: only an Administrator or Beheerder "
                                         "may use the portal"));
    default:
      g_return_val_if_reached (_zid_refuse (error, code, "%s", zid_error_code_name (code)));
    }
}

/* What the checks need to know of the actor, in one statement (one
 * round trip to a database server instead of four): the actor's row,
 * portal access (Administrator or Beheerder somewhere) and, for
 * @organisation (0: none), whether it exists and the actor's role there */
typedef struct
{
  gboolean blocked;
  gboolean access;
  gboolean organisation_exists;
  ZidRole  role;
} Standing;

static gboolean
load_standing (ZidPortal  *self,
               gint64      actor,
               gint64      organisation,
               Standing   *standing,
               GError    **error)
{
  ZidDbStmt *stmt;
  ZidDbStep step;

  stmt = zid_db_query (self->store, error,
                       "SELECT u.blocked,"
                       " CASE WHEN EXISTS (SELECT 1 FROM memberships a"
                       "   WHERE a.user_id = ?1 AND a.role >= 2) THEN 1 ELSE 0 END,"
                       " CASE WHEN EXISTS (SELECT 1 FROM organisations o"
                       "   WHERE o.id = ?2) THEN 1 ELSE 0 END,"
                       " coalesce ((SELECT m.role FROM memberships m"
                       "   WHERE m.organisation_id = ?2 AND m.user_id = ?1), 0)"
                       " FROM users u WHERE u.id = ?1",
                       "ii", actor, organisation);
  if ((step = zid_db_step (stmt, error)) == ZID_DB_ERROR)
    return FALSE;
  if (step == ZID_DB_DONE)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_NOT_FOUND,
                   _("User %lld does not exist"), (long long) actor);
      return FALSE;
    }
  standing->blocked = zid_db_column_int (stmt, 0) != 0;
  standing->access = zid_db_column_int (stmt, 1) != 0;
  standing->organisation_exists = zid_db_column_int (stmt, 2) != 0;
  standing->role = (ZidRole) zid_db_column_int (stmt, 3);
  zid_db_reset (stmt);
  return TRUE;
}

/* The actor exists, is not blocked and has portal access; with
 * @organisation (not 0) it exists, and @role is the actor's role there */
static gboolean
check_standing (ZidPortal  *self,
                gint64      actor,
                gint64      organisation,
                ZidRole    *role,
                GError    **error)
{
  Standing standing;

  if (!load_standing (self, actor, organisation, &standing, error))
    return FALSE;
  if (standing.blocked)
    return _zid_refuse_login (error, ZID_ERROR_ACTOR_BLOCKED);
  if (!standing.access)
    return _zid_refuse_login (error, ZID_ERROR_NO_PORTAL_ACCESS);
  if (organisation != 0 && !standing.organisation_exists)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_NOT_FOUND,
                   _("Organisation %lld does not exist"), (long long) organisation);
      return FALSE;
    }
  if (role != NULL)
    *role = standing.role;
  return TRUE;
}

gboolean
_zid_portal_check_actor (ZidPortal  *self,
                         gint64      actor,
                         GError    **error)
{
  return check_standing (self, actor, 0, NULL, error);
}

/* The rules on the user's state, §8.2 and §8.3. Each is written once:
 * _zid_portal_check_action() applies it for the acting calls,
 * zid_portal_check_action() and zid_portal_get_capabilities(). */

/* Blocking needs a user who is not blocked yet, has a mobile ID, and is
 * not the only active Administrator of an organisation */
static gboolean
rule_may_be_blocked (ZidPortal  *self,
                     gint64      user,
                     GError    **error)
{
  g_autofree char *only_of = NULL;
  gboolean blocked = FALSE;
  int mobile_id = 0;

  if (!_zid_portal_load_user (self, user, &blocked, &mobile_id, error))
    return FALSE;
  if (blocked)
    return _zid_refuse (error, ZID_ERROR_ALREADY_BLOCKED, _("This user is blocked already"));
  if (mobile_id == ZID_MOBILE_ID_NONE)
    return _zid_refuse (error, ZID_ERROR_NO_MOBILE_ID,
                        _("A user without a ZORG-ID mobile ID cannot be blocked"));
  if ((only_of = _zid_portal_only_administrator_of (self, user, 0)) != NULL)
    return _zid_refuse (error, ZID_ERROR_ONLY_ADMINISTRATOR,
                        _("This is the only active Administrator of %s and therefore cannot be "
                          "blocked; first make someone else Administrator and let them add a "
                          "ZORG-ID"), only_of);
  return TRUE;
}

/* Activating, and revoking a certificate, need a blocked user */
static gboolean
rule_is_blocked (ZidPortal   *self,
                 gint64       user,
                 const char  *refusal,
                 GError     **error)
{
  gboolean blocked = FALSE;

  if (!_zid_portal_load_user (self, user, &blocked, NULL, error))
    return FALSE;
  if (!blocked)
    return _zid_refuse (error, ZID_ERROR_NOT_BLOCKED, "%s", refusal);
  return TRUE;
}

/* The actor may use the portal, and has authority over @user and in
 * @organisation for @action (roles, tenant isolation: §2) */
gboolean
_zid_portal_check_authority (ZidPortal  *self,
                             gint64      actor,
                             ZidAction   action,
                             gint64      user,
                             gint64      organisation,
                             GError    **error)
{
  ZidRole role = ZID_ROLE_NONE;
  Authority over = { FALSE, FALSE, FALSE };
  g_autofree char *beyond = NULL;
  ZidRole beyond_role = ZID_ROLE_NONE;

  if (!check_standing (self, actor, organisation, &role, error))
    return FALSE;
  /* A user who does not exist is one the actor has no authority over: the
   * refusal is the same as for a user of an organisation the actor does not
   * manage, so that refusals do not tell which user ids exist */
  if (user != 0)
    {
      over = authority_over (self, actor, user);
      if (user == actor)
        over.view = TRUE;
    }

  switch (action)
    {
    case ZID_ACTION_VIEW_USERS:
      if (organisation != 0 && role < ZID_ROLE_BEHEERDER)
        return _zid_refuse (error, ZID_ERROR_NOT_PERMITTED,
                            _("You do not administer this organisation (separation between "
                              "organisations)"));
      if (user != 0 && !over.view)
        return _zid_refuse (error, ZID_ERROR_NOT_PERMITTED,
                            _("This user does not belong to an organisation you administer "
                              "(separation between organisations)"));
      return TRUE;

    case ZID_ACTION_REGISTER_USER:
    case ZID_ACTION_SET_MEMBERSHIP:
      if (role < ZID_ROLE_BEHEERDER)
        return _zid_refuse (error, ZID_ERROR_NOT_PERMITTED,
                            _("You may not register users in this organisation: you are not its "
                              "Administrator or Beheerder (separation between organisations)"));
      if (user != 0 && !over.view)
        return _zid_refuse (error, ZID_ERROR_NOT_PERMITTED,
                            _("This user does not belong to an organisation you administer "
                              "(separation between organisations)"));
      return TRUE;

    case ZID_ACTION_ADD_ATTRIBUTE:
    case ZID_ACTION_VIEW_INACTIVE:
      if (role != ZID_ROLE_ADMINISTRATOR)
        return _zid_refuse (error, ZID_ERROR_NOT_PERMITTED,
                            action == ZID_ACTION_ADD_ATTRIBUTE
                         ? _("Only an Administrator of the organisation may register attributes")
                         : _("Only an Administrator of the organisation may view inactive users"));
      if (user != 0 && _zid_portal_role_in (self, user, organisation) == ZID_ROLE_NONE)
        return _zid_refuse (error, ZID_ERROR_NOT_PERMITTED,
                            _("The user does not belong to this organisation"));
      return TRUE;

    case ZID_ACTION_BLOCK:
    case ZID_ACTION_UNBLOCK:
      if (!over.administrator)
        return _zid_refuse (error, ZID_ERROR_NOT_PERMITTED,
                            _("Only an Administrator of one of this user's organisations may block "
                              "or activate"));
      break;

    case ZID_ACTION_REVOKE_CERTIFICATE:
    case ZID_ACTION_NEW_CERTIFICATE:
      if (!over.administrator && !over.beheerder)
        return _zid_refuse (error, ZID_ERROR_NOT_PERMITTED,
                            over.view
                         ? _("A Beheerder may only manage certificates of users with the role "
                             "Gebruiker")
                         : _("This user does not belong to an organisation you administer "
                             "(separation between organisations)"));
      break;

    default:
      g_return_val_if_reached (FALSE);
    }

  /* the rest act on the user's national mobile ID. The refusal names
   * neither the other organisation nor the user's role there: the actor
   * does not administer it */
  if (user != actor &&
      (beyond = _zid_portal_role_beyond_authority (self, actor, user, &beyond_role)) != NULL)
    return _zid_refuse (error, ZID_ERROR_NOT_PERMITTED,
                        _("This user also has administration rights in an organisation you do not "
                          "administer as Administrator: only an Administrator of that organisation "
                          "may block or activate the ZORG-ID or manage its certificates"));
  return TRUE;
}

/* The rules on the state of the user an action acts on */
gboolean
_zid_portal_check_user_state (ZidPortal  *self,
                              ZidAction   action,
                              gint64      user,
                              GError    **error)
{
  switch (action)
    {
    case ZID_ACTION_BLOCK:
      return rule_may_be_blocked (self, user, error);
    case ZID_ACTION_UNBLOCK:
      return rule_is_blocked (self, user, _("This user is not blocked"), error);
    case ZID_ACTION_REVOKE_CERTIFICATE:
      return rule_is_blocked (self, user,
                              _("Only certificates of blocked users can be revoked; block the user "
                                "first"), error);
    default:
      return TRUE;
    }
}

/* Over the checks of the actor and the authority over @user, the rules on
 * the user's state (§8.2, §8.3): a user who may be blocked, a blocked user
 * to activate or to revoke a certificate of. */
gboolean
_zid_portal_check_action (ZidPortal  *self,
                          gint64      actor,
                          ZidAction   action,
                          gint64      user,
                          gint64      organisation,
                          GError    **error)
{
  return _zid_portal_check_authority (self, actor, action, user, organisation, error) &&
         (user == 0 || _zid_portal_check_user_state (self, action, user, error));
}

gboolean
zid_portal_check_action (ZidPortal  *self,
                         gint64      actor,
                         ZidAction   action,
                         gint64      user,
                         gint64      organisation,
                         GError    **error)
{
  gboolean ok;

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);

  if (!zid_store_begin (self->store, FALSE, error))
    return FALSE;
  ok = _zid_portal_check_action (self, actor, action, user, organisation, error);
  zid_store_commit (self->store, NULL);
  return ok;
}

gboolean
_zid_portal_may_assign_role (ZidPortal *self,
                             gint64     actor,
                             gint64     organisation,
                             ZidRole    role)
{
  ZidRole mine = _zid_portal_role_in (self, actor, organisation);

  if (role == ZID_ROLE_NONE)
    return FALSE;
  if (mine == ZID_ROLE_ADMINISTRATOR)
    return TRUE;
  return mine == ZID_ROLE_BEHEERDER && role == ZID_ROLE_GEBRUIKER;
}

gboolean
zid_portal_may_assign_role (ZidPortal *self,
                            gint64     actor,
                            gint64     organisation,
                            ZidRole    role)
{
  gboolean ok;

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);

  if (!zid_store_begin (self->store, FALSE, NULL))
    return FALSE;
  ok = _zid_portal_check_actor (self, actor, NULL) && _zid_portal_may_assign_role (self, actor, organisation, role);
  zid_store_commit (self->store, NULL);
  return ok;
}

/* Would demoting or blocking @user leave an organisation without an
 * active Administrator: one not blocked and with a mobile ID to log in
 * with? Returns that organisation's name. */
char *
_zid_portal_only_administrator_of (ZidPortal *self,
                                   gint64     user,
                                   gint64     organisation)
{
  ZidDbStmt *stmt;
  char *name = NULL;

  stmt = zid_db_query (self->store, NULL,
                       "SELECT o.name FROM memberships m"
                       " JOIN organisations o ON o.id = m.organisation_id"
                       " WHERE m.user_id = ?1 AND m.role = 3"
                       "   AND (?2 = 0 OR m.organisation_id = ?2)"
                       "   AND NOT EXISTS (SELECT 1 FROM memberships x"
                       "     JOIN users xu ON xu.id = x.user_id"
                       "     WHERE x.organisation_id = m.organisation_id AND x.role = 3"
                       "       AND x.user_id != m.user_id AND xu.blocked = 0"
                       "       AND xu.mobile_id = 1)"
                       " LIMIT 1",
                       "ii", user, organisation);
  if (zid_db_step (stmt, NULL) == ZID_DB_ROW)
    name = zid_db_column_dup (stmt, 0);
  zid_db_reset (stmt);
  return name;
}

/* May @actor give @user @role in @organisation? Only roles the actor may
 * assign, not over a role the actor may not assign (a Beheerder does not
 * change a Beheerder's or an Administrator's role), and never demoting the
 * only active Administrator of the organisation. */
gboolean
_zid_portal_check_role_change (ZidPortal  *self,
                               gint64      actor,
                               gint64      user,
                               gint64      organisation,
                               ZidRole     role,
                               GError    **error)
{
  ZidRole current = _zid_portal_role_in (self, user, organisation);
  g_autofree char *only_of = NULL;

  if (!_zid_portal_may_assign_role (self, actor, organisation, role))
    return _zid_refuse (error, ZID_ERROR_ROLE_NOT_ALLOWED,
                        _("A Beheerder may only grant the role Gebruiker, not %s"),
                        zid_role_to_string (role));
  if (!_zid_portal_may_assign_role (self, actor, organisation,
                                    current == ZID_ROLE_NONE ? ZID_ROLE_GEBRUIKER : current))
    return _zid_refuse (error, ZID_ERROR_ROLE_NOT_ALLOWED,
                        _("A Beheerder may not change the role of a %s"),
                        zid_role_to_string (current));
  if (current == ZID_ROLE_ADMINISTRATOR && role != ZID_ROLE_ADMINISTRATOR &&
      (only_of = _zid_portal_only_administrator_of (self, user, organisation)) != NULL)
    return _zid_refuse (error, ZID_ERROR_ONLY_ADMINISTRATOR,
                        _("This is the only active Administrator of %s: first make someone else "
                          "Administrator and let them add a ZORG-ID"), only_of);
  return TRUE;
}

/* An attribute registered via the UZI-pas goes to the actor's own mobile
 * ID (§8.1) */
gboolean
_zid_portal_check_attribute_type (gint64             actor,
                                  gint64             user,
                                  ZidAttributeType   type,
                                  GError           **error)
{
  if (type == ZID_ATTRIBUTE_TYPE_UZI && user != actor)
    return _zid_refuse (error, ZID_ERROR_NOT_PERMITTED,
                        _("An attribute via the UZI card is granted to your own ZORG-ID, not to "
                          "another user"));
  return TRUE;
}
