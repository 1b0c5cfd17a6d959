/* zid-portal-sessions.c — the organisation server's admin sessions
 *
 * A remote client (zorgid-admin --server, later the window) begins a
 * session: it gets the QR code of an ordinary login session and a random
 * token. The administrator's phone answers the QR as for the window
 * (zid_portal_login_answer: only an Administrator or Beheerder whose
 * mobile ID is valid gets in); the first look at the session after that
 * binds it to the user. From then on the token stands for that user until
 * logout, ZID_ADMIN_SESSION_IDLE seconds without use, or
 * ZID_ADMIN_SESSION_LIFETIME seconds in all; each look also asks the
 * actor's rule again, so a user who is blocked or loses the role loses the
 * session at the next request. The store keeps the token's SHA-256 only,
 * in the database, so every server process on it knows every session.
 *
 * Audit: session.begin (bound), session.end (logout, idle, lifetime, or the
 * actor's refusal). Unknown tokens are not audited here: they are
 * refusals of the service, which counts and summarises them per address.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-core"

#include "config.h"

#include <string.h>

#include "zid-db.h"
#include "zid-portal-private.h"

#define TOKEN_BYTES  32
/* last_used is written at most this often: a session's idle time is
 * counted in whole minutes, and a busy session does not write per request */
#define RENEW_STEP   60

typedef struct
{
  gboolean found;
  gint64   user;
  gint64   created;
  gint64   last_used;
  gint64   ended;
  gint64   answered;      /* of its login session; 0 while unanswered */
  gint64   login_user;
  gint64   login_expires; /* 0: the login session is gone */
  char    *refused;       /* its last phone's refusal, while unanswered */
} SessionRow;

static void
session_row_clear (SessionRow *row)
{
  g_clear_pointer (&row->refused, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SessionRow, session_row_clear)

static void
token_hash (const char *token,
            guint8      hash[32])
{
  zid_sha256 (token, strlen (token), hash);
}

static gboolean
read_session (ZidPortal     *self,
              const guint8   hash[32],
              SessionRow    *row,
              GError       **error)
{
  ZidDbStmt *stmt;
  ZidDbStep step;

  *row = (SessionRow) { 0 };
  stmt = zid_db_query (self->store, error,
                       "SELECT s.user_id, s.created, s.last_used, s.ended,"
                       " l.answered, l.user_id, l.expires, r.refusal"
                       " FROM admin_sessions s LEFT JOIN login_sessions l ON l.id = s.login_id"
                       " LEFT JOIN login_refusals r ON r.session_id = l.id"
                       " WHERE s.token_hash = ?", "b", hash, (gsize) 32);
  if ((step = zid_db_step (stmt, error)) == ZID_DB_ERROR)
    return FALSE;
  if (step == ZID_DB_ROW)
    {
      row->found = TRUE;
      row->user = zid_db_column_int64 (stmt, 0);
      row->created = zid_db_column_int64 (stmt, 1);
      row->last_used = zid_db_column_int64 (stmt, 2);
      row->ended = zid_db_column_int64 (stmt, 3);
      row->answered = zid_db_column_int64 (stmt, 4);
      row->login_user = zid_db_column_int64 (stmt, 5);
      row->login_expires = zid_db_column_int64 (stmt, 6);
      row->refused = zid_db_column_dup (stmt, 7);
    }
  zid_db_reset (stmt);
  return TRUE;
}

static char *
session_actor (gint64      user,
               const char *origin)
{
  g_autofree char *label = user > 0 ? _zid_portal_user_label (user) : g_strdup ("client");

  return _zid_portal_origin_actor (label, origin);
}

char *
zid_portal_dup_connection_code (ZidPortal  *self,
                                GError    **error)
{
  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  return _zid_portal_make_payload (self, "server", NULL, error);
}

ZidOneTimeCode *
zid_portal_admin_session_begin (ZidPortal   *self,
                                const char  *origin,
                                char       **token,
                                GError     **error)
{
  g_autoptr(ZidOneTimeCode) login = NULL;
  g_autofree char *session = NULL;
  g_autofree char *secret = zid_random_token (TOKEN_BYTES);
  guint8 hash[32];
  gboolean ok;
  ZidWrite w;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);
  g_return_val_if_fail (token != NULL, NULL);

  token_hash (secret, hash);
  if (!_zid_write_begin (&w, self, _zid_portal_origin_actor ("client", origin), "session.begin",
                         NULL, error))
    return NULL;
  login = _zid_portal_new_login (self, &session, &w.error);
  ok = login != NULL &&
       zid_db_run (self->store, &w.error,
                   "DELETE FROM admin_sessions WHERE last_used < ?", "i",
                   _zid_portal_now (self) - ZID_ADMIN_SESSION_LIFETIME) &&
       zid_db_run (self->store, &w.error,
                   "INSERT INTO admin_sessions (token_hash, login_id, client, created, last_used)"
                   " VALUES (?, ?, ?, ?, ?)",
                   "bttii", hash, (gsize) 32, session, origin ? origin : "",
                   _zid_portal_now (self), _zid_portal_now (self));
  if (!_zid_write_end (&w, ok, error))
    return NULL;
  *token = g_steal_pointer (&secret);
  return g_steal_pointer (&login);
}

static void
refuse_session (GError    **error,
                const char *message)
{
  g_set_error_literal (error, ZID_ERROR, ZID_ERROR_SESSION_INVALID, message);
}

gboolean
zid_portal_admin_session_check (ZidPortal             *self,
                                const char            *origin,
                                const char            *token,
                                ZidAdminSessionState  *state,
                                gint64                *user,
                                gint64                *expires,
                                GError               **error)
{
  g_autoptr(GError) refusal = NULL;
  g_autofree char *actor = NULL;
  g_autofree char *subject = NULL;
  const char *ended_why = NULL;
  gboolean bind = FALSE;
  gboolean ok = TRUE;
  g_auto(SessionRow) row = { 0 };
  guint8 hash[32];
  gint64 now;

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);

  token_hash (token ? token : "", hash);
  if (!zid_store_begin (self->store, TRUE, error))
    return FALSE;
  now = _zid_portal_now (self);
  if (!read_session (self, hash, &row, error))
    {
      zid_store_rollback (self->store);
      return FALSE;
    }

  if (!row.found || row.ended != 0)
    refuse_session (&refusal, _("You are not logged in to the server, or your session has "
                                "ended: log in again"));
  else if (row.user == 0 && row.answered != 0 && row.login_user > 0)
    {
      bind = TRUE;
      row.user = row.login_user;
    }
  else if (row.user == 0 && now >= row.login_expires)
    refuse_session (&refusal, _("The login QR code expired before it was scanned: log in again"));
  /* the phone that answered may not log in: the client is told at once */
  else if (row.user == 0 && row.refused != NULL)
    _zid_login_refusal_error (row.refused, &refusal);

  if (refusal == NULL && row.user > 0)
    {
      if (!bind && now - row.last_used >= ZID_ADMIN_SESSION_IDLE)
        {
          ended_why = "idle";
          g_set_error (&refusal, ZID_ERROR, ZID_ERROR_SESSION_INVALID,
                       _("Your session ended after %d minutes without use: log in again"),
                       ZID_ADMIN_SESSION_IDLE / 60);
        }
      else if (now - row.created >= ZID_ADMIN_SESSION_LIFETIME)
        {
          ended_why = "lifetime";
          g_set_error (&refusal, ZID_ERROR, ZID_ERROR_SESSION_INVALID,
                       _("Your session ended after %d hours: log in again"),
                       ZID_ADMIN_SESSION_LIFETIME / 3600);
        }
      else if (!_zid_portal_check_actor (self, row.user, &refusal))
        {
          if (!_zid_is_refusal (refusal))
            {
              zid_store_rollback (self->store);
              g_propagate_error (error, g_steal_pointer (&refusal));
              return FALSE;
            }
          ended_why = zid_error_code_name (refusal->code);
        }
    }

  if (refusal != NULL && ended_why == NULL)
    {
      zid_store_rollback (self->store);
      g_propagate_error (error, g_steal_pointer (&refusal));
      return FALSE;
    }

  actor = session_actor (row.user, origin);
  subject = row.user > 0 ? _zid_portal_user_label (row.user) : NULL;
  if (ended_why != NULL)
    ok = zid_db_run (self->store, error,
                     "UPDATE admin_sessions SET ended = ? WHERE token_hash = ?", "ib",
                     now, hash, (gsize) 32) &&
         _zid_portal_audit_append (self, actor, "session.end", subject, ended_why, error);
  else if (bind)
    ok = zid_db_run (self->store, error,
                     "UPDATE admin_sessions SET user_id = ?, last_used = ? WHERE token_hash = ?",
                     "iib", row.user, now, hash, (gsize) 32) &&
         _zid_portal_audit_append (self, actor, "session.begin", subject, NULL, error);
  else if (row.user > 0 && now - row.last_used >= RENEW_STEP)
    ok = zid_db_run (self->store, error,
                     "UPDATE admin_sessions SET last_used = ? WHERE token_hash = ?", "ib",
                     now, hash, (gsize) 32);
  if (!ok)
    {
      zid_store_rollback (self->store);
      return FALSE;
    }
  if (!zid_store_commit (self->store, error))
    return FALSE;
  if (refusal != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&refusal));
      return FALSE;
    }

  if (bind || now - row.last_used >= RENEW_STEP)
    row.last_used = now;
  if (state)
    *state = row.user > 0 ? ZID_ADMIN_SESSION_ACTIVE : ZID_ADMIN_SESSION_PENDING;
  if (user)
    *user = row.user;
  if (expires)
    *expires = row.user > 0 ? MIN (row.last_used + ZID_ADMIN_SESSION_IDLE,
                                   row.created + ZID_ADMIN_SESSION_LIFETIME)
                            : row.login_expires;
  return TRUE;
}

gboolean
zid_portal_admin_session_end (ZidPortal   *self,
                              const char  *origin,
                              const char  *token,
                              GError     **error)
{
  g_autofree char *actor = NULL;
  g_autofree char *subject = NULL;
  g_auto(SessionRow) row = { 0 };
  guint8 hash[32];
  gboolean ok;

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);

  token_hash (token ? token : "", hash);
  if (!zid_store_begin (self->store, TRUE, error))
    return FALSE;
  if (!read_session (self, hash, &row, error))
    {
      zid_store_rollback (self->store);
      return FALSE;
    }
  if (!row.found || row.ended != 0)
    {
      zid_store_rollback (self->store);
      refuse_session (error, _("You are not logged in to the server, or your session has "
                               "ended: log in again"));
      return FALSE;
    }

  actor = session_actor (row.user, origin);
  subject = row.user > 0 ? _zid_portal_user_label (row.user) : NULL;
  ok = zid_db_run (self->store, error,
                   "UPDATE admin_sessions SET ended = ? WHERE token_hash = ?", "ib",
                   _zid_portal_now (self), hash, (gsize) 32) &&
       _zid_portal_audit_append (self, actor, "session.end", subject, "logout", error);
  if (!ok)
    {
      zid_store_rollback (self->store);
      return FALSE;
    }
  return zid_store_commit (self->store, error);
}
