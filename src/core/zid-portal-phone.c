/* zid-portal-phone.c — the phone's side: enrolment and login
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-core"

#include "config.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <string.h>

#include "zid-db.h"
#include "zid-openssl.h"
#include "zid-portal-private.h"

#define SESSION_BYTES    16
#define CHALLENGE_BYTES  32
#define LOGIN_CONTEXT    "zorgid-login-v2\n"
#define UNKNOWN_CODE     _("This QR code is unknown or replaced by a newer one; scan the QR " \
                           "code again or ask the administrator for a new one")

/* The phone's side: enrolment */

typedef struct
{
  gint64          user;
  ZidCodePurpose  purpose;
  gint64          expires;
  gint64          used;
  gboolean        blocked;
  char           *first_name;
  char           *last_name;
  char           *organisation_name;
} CodeRow;

static void
code_row_clear (CodeRow *row)
{
  g_clear_pointer (&row->first_name, g_free);
  g_clear_pointer (&row->last_name, g_free);
  g_clear_pointer (&row->organisation_name, g_free);
}

/* Finds the code and says why it cannot be used, if it cannot */
static gboolean
lookup_code (ZidPortal   *self,
             const char  *code,
             CodeRow     *out,
             GError     **error)
{
  ZidDbStmt *stmt;
  ZidDbStep step;
  guint8 hash[32];

  if (code == NULL || strlen (code) < 16 || strlen (code) > 64)
    return _zid_refuse (error, ZID_ERROR_CODE_INVALID, UNKNOWN_CODE);

  _zid_code_hash (code, hash);
  stmt = zid_db_query (self->store, error,
                       "SELECT c.user_id, c.purpose, c.expires, c.used, u.blocked,"
                       " u.first_name, u.last_name,"
                       " (SELECT o.name FROM memberships m JOIN organisations o"
                       "   ON o.id = m.organisation_id WHERE m.user_id = u.id"
                       "   ORDER BY m.role DESC, o.name LIMIT 1)"
                       " FROM codes c JOIN users u ON u.id = c.user_id WHERE c.hash = ?",
                       "b", hash, (gsize) 32);
  if ((step = zid_db_step (stmt, error)) == ZID_DB_ERROR)
    return FALSE;
  if (step == ZID_DB_DONE)
    return _zid_refuse (error, ZID_ERROR_CODE_INVALID, UNKNOWN_CODE);

  out->user = zid_db_column_int64 (stmt, 0);
  out->purpose = (ZidCodePurpose) zid_db_column_int (stmt, 1);
  out->expires = zid_db_column_int64 (stmt, 2);
  out->used = zid_db_column_int64 (stmt, 3);
  out->blocked = zid_db_column_int (stmt, 4) != 0;
  out->first_name = zid_db_column_dup (stmt, 5);
  out->last_name = zid_db_column_dup (stmt, 6);
  out->organisation_name = zid_db_column_dup (stmt, 7);
  zid_db_reset (stmt);

  if (out->used != 0)
    return _zid_refuse (error, ZID_ERROR_CODE_USED, _("This QR code has been used already"));
  if (_zid_portal_now (self) >= out->expires)
    return _zid_refuse (error, ZID_ERROR_CODE_EXPIRED,
                        _("This QR code has expired (valid for 10 days); ask for a new one"));
  if (out->purpose != ZID_CODE_ENROLMENT && out->purpose != ZID_CODE_NEW_CERTIFICATE)
    return _zid_refuse (error, ZID_ERROR_CODE_INVALID, _("This code is not meant for adding an ID"));
  if (out->blocked)
    return _zid_refuse (error, ZID_ERROR_USER_BLOCKED,
                        _("This ZORG-ID is blocked; an ID can be added only after unblocking"));
  return TRUE;
}

ZidEnrolmentInfo *
zid_portal_enrolment_preview (ZidPortal   *self,
                              const char  *code,
                              const char  *origin,
                              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  CodeRow row = { 0 };
  ZidEnrolmentInfo *info = NULL;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!zid_store_begin (self->store, FALSE, error))
    return NULL;
  if (lookup_code (self, code, &row, &local_error))
    {
      info = g_new0 (ZidEnrolmentInfo, 1);
      info->user_id = row.user;
      info->purpose = row.purpose;
      info->first_name = g_steal_pointer (&row.first_name);
      info->last_name = g_steal_pointer (&row.last_name);
      info->organisation_name = g_steal_pointer (&row.organisation_name);
      info->expires = row.expires;
    }
  code_row_clear (&row);
  zid_store_commit (self->store, NULL);
  if (info == NULL)
    {
      if (_zid_is_refusal (local_error))
        {
          g_autofree char *actor = _zid_portal_origin_actor ("phone", origin);

          _zid_portal_audit_refusal (self, actor, "enrolment.preview", NULL, local_error);
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
    }
  return info;
}

ZidEnrolResult *
zid_portal_enrol (ZidPortal   *self,
                  const char  *code,
                  const char  *origin,
                  const char  *csr_pem,
                  GError     **error)
{
  return zid_portal_enrol_checked (self, code, origin, csr_pem, NULL, NULL, error);
}

ZidEnrolResult *
zid_portal_enrol_checked (ZidPortal          *self,
                          const char         *code,
                          const char         *origin,
                          const char         *csr_pem,
                          ZidStillWantedFunc  still_wanted,
                          gpointer            user_data,
                          GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ZidEnrolResult) result = g_new0 (ZidEnrolResult, 1);
  g_autofree char *details = NULL;
  g_autofree char *common_name = NULL;
  gint64 not_before = 0, not_after = 0;
  g_autoptr(ZidCaRequest) request = NULL;
  CodeRow row = { 0 };
  guint8 hash[32];
  gboolean ok;
  ZidWrite w;
  ZidCa *ca;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if ((ca = _zid_portal_ensure_ca (self, error)) == NULL)
    return NULL;

  /* Checking the request and issuing the certificate are nearly all of an
   * enrolment's work and need no lock: the request is checked, the code
   * looked up and the certificate made outside the write transaction,
   * which then looks the code up again and takes it only if it is still
   * good. A certificate made for a code taken meanwhile is dropped unseen. */
  request = zid_ca_check_request (csr_pem, &local_error);
  if (request == NULL)
    {
      g_autofree char *actor = _zid_portal_origin_actor ("phone", origin);

      _zid_portal_audit_refusal (self, actor, "mobile.enrol", NULL, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (!zid_store_begin (self->store, FALSE, error))
    return NULL;
  ok = lookup_code (self, code, &row, &local_error);
  zid_store_commit (self->store, NULL);
  if (ok)
    {
      common_name = g_strdup_printf ("%s %s", row.first_name, row.last_name);
      ok = (result->cert_pem = zid_ca_issue_mobile (ca, request, common_name, row.user,
                                                    _zid_portal_now (self), &result->serial,
                                                    &not_before, &not_after, &local_error)) != NULL;
    }
  code_row_clear (&row);

  if (!_zid_write_begin (&w, self, _zid_portal_origin_actor ("phone", origin), "mobile.enrol", NULL, error))
    return NULL;
  w.error = g_steal_pointer (&local_error);
  /* again under the lock: used, blocked or expired since */
  ok = ok && lookup_code (self, code, &row, &w.error);
  if (ok)
    {
      _zid_write_set_subject (&w, _zid_portal_user_label (row.user));
      ok = _zid_portal_bind_ca (self, &w.error);
    }
  if (ok)
    {
      /* single use: only the transaction that marks the code used may go on */
      _zid_code_hash (code, hash);
      ok = zid_db_run (self->store, &w.error,
                       "UPDATE codes SET used = ? WHERE hash = ? AND used IS NULL",
                       "ib", _zid_portal_now (self), hash, (gsize) 32);
      if (ok && zid_db_changes (self->store) != 1)
        ok = _zid_refuse (&w.error, ZID_ERROR_CODE_USED, _("This QR code has been used already"));
    }
  ok = ok &&
       zid_db_run (self->store, &w.error,
                   "INSERT INTO certificates (serial, user_id, not_before, not_after, pem)"
                   " VALUES (?, ?, ?, ?, ?)",
                   "tiiit", result->serial, row.user, not_before, not_after, result->cert_pem) &&
       zid_db_run (self->store, &w.error,
                   "UPDATE users SET mobile_id = 1 WHERE id = ?", "i", row.user);
  /* the phone that asked may have given up waiting: then it would never
   * hold the key of a certificate we record, and its code would be gone */
  if (ok && still_wanted != NULL && !still_wanted (user_data))
    {
      g_set_error_literal (&w.error, ZID_ERROR, ZID_ERROR_BUSY,
                           _("The phone no longer waited for the answer; the QR code has not been "
                             "used and stays valid. Scan the QR code again."));
      ok = FALSE;
    }
  details = g_strdup_printf ("serial=%s purpose=%s", result->serial,
                             row.purpose == ZID_CODE_NEW_CERTIFICATE ? "new-certificate" : "enrolment");
  result->info = g_new0 (ZidEnrolmentInfo, 1);
  result->info->user_id = row.user;
  result->info->purpose = row.purpose;
  result->info->first_name = g_steal_pointer (&row.first_name);
  result->info->last_name = g_steal_pointer (&row.last_name);
  result->info->organisation_name = g_steal_pointer (&row.organisation_name);
  result->info->expires = row.expires;
  code_row_clear (&row);
  if (!_zid_write_end_audited (&w, ok, details, error))
    return NULL;

  result->chain_pem = zid_ca_dup_pem (ca);
  return g_steal_pointer (&result);
}

/* Login with the mobile ID */

/* @cert is, byte for byte, the certificate @pem holds */
static gboolean
same_certificate (X509        *cert,
                  const char  *pem)
{
  g_autoptr(BIO) bio = pem ? BIO_new_mem_buf (pem, -1) : NULL;
  g_autoptr(X509) enrolled = bio ? PEM_read_bio_X509 (bio, NULL, NULL, NULL) : NULL;
  unsigned char *a = NULL, *b = NULL;
  int a_len, b_len;
  gboolean same;

  ERR_clear_error ();
  if (enrolled == NULL)
    return FALSE;
  a_len = i2d_X509 (cert, &a);
  b_len = i2d_X509 (enrolled, &b);
  same = a_len > 0 && a_len == b_len && CRYPTO_memcmp (a, b, (gsize) a_len) == 0;
  OPENSSL_free (a);
  OPENSSL_free (b);
  return same;
}

/* Inside a write transaction: a new login session and its QR code */
ZidOneTimeCode *
_zid_portal_new_login (ZidPortal   *self,
                       char       **session_id,
                       GError     **error)
{
  g_autoptr(ZidOneTimeCode) login = g_new0 (ZidOneTimeCode, 1);
  g_autofree char *session = zid_random_token (SESSION_BYTES);
  g_autofree char *challenge = zid_random_token (CHALLENGE_BYTES);
  g_autofree char *params = NULL;

  login->purpose = ZID_CODE_LOGIN;
  login->expires = _zid_portal_now (self) + ZID_LOGIN_SESSION_LIFETIME;
  login->code = g_strdup (challenge);
  params = g_strdup_printf ("session=%s&challenge=%s", session, challenge);
  if ((login->payload = _zid_portal_make_payload (self, "login", params, error)) == NULL ||
      !zid_db_run (self->store, error,
                   "DELETE FROM login_sessions WHERE expires < ?", "i",
                   _zid_portal_now (self) - ZID_LOGIN_SESSION_LIFETIME) ||
      !zid_db_run (self->store, error,
                   "INSERT INTO login_sessions (id, challenge, created, expires) VALUES (?, ?, ?, ?)",
                   "ttii", session, challenge, _zid_portal_now (self), login->expires))
    return NULL;

  if (session_id)
    *session_id = g_steal_pointer (&session);
  return g_steal_pointer (&login);
}

ZidOneTimeCode *
zid_portal_login_begin (ZidPortal   *self,
                        char       **session_id,
                        GError     **error)
{
  g_autoptr(ZidOneTimeCode) login = NULL;
  ZidWrite w;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!_zid_write_begin (&w, self, g_strdup ("portal"), "login.begin", NULL, error))
    return NULL;
  login = _zid_portal_new_login (self, session_id, &w.error);
  if (!_zid_write_end (&w, login != NULL, error))
    return NULL;
  return g_steal_pointer (&login);
}

/* The refusals a login keeps for whoever waits for it, by their
 * zid_error_code_name () */
static const ZidError login_refusals[] = {
  ZID_ERROR_CERTIFICATE_REVOKED, ZID_ERROR_USER_BLOCKED, ZID_ERROR_ACTOR_BLOCKED,
  ZID_ERROR_NO_PORTAL_ACCESS,
};

const char *
_zid_login_refusal_name (int code)
{
  for (gsize i = 0; i < G_N_ELEMENTS (login_refusals); i++)
    if ((int) login_refusals[i] == code)
      return zid_error_code_name (code);
  return NULL;
}

gboolean
_zid_login_refusal_error (const char  *name,
                          GError     **error)
{
  for (gsize i = 0; name != NULL && i < G_N_ELEMENTS (login_refusals); i++)
    if (g_str_equal (zid_error_code_name (login_refusals[i]), name))
      return _zid_refuse_login (error, login_refusals[i]);
  return TRUE;
}

/* The refusal is told, not kept as a state: a failed write of it leaves
 * the waiting side waiting, as before */
static void
record_refusal (ZidPortal  *self,
                const char *session_id,
                int         code)
{
  g_autoptr(GError) error = NULL;

  if (!zid_store_begin (self->store, TRUE, &error) ||
      !zid_db_run (self->store, &error,
                   "INSERT INTO login_refusals (session_id, refusal)"
                   " SELECT id, ? FROM login_sessions WHERE id = ? AND answered IS NULL"
                   " ON CONFLICT (session_id) DO UPDATE SET refusal = excluded.refusal", "tt",
                   _zid_login_refusal_name (code), session_id) ||
      !zid_store_commit (self->store, &error))
    {
      zid_store_rollback (self->store);
      g_warning ("A refused login is not recorded: %s", error ? error->message : "");
    }
}

gint64
zid_portal_login_answer (ZidPortal     *self,
                         const char    *origin,
                         const char    *session_id,
                         const char    *cert_pem,
                         const guint8  *signature,
                         gsize          signature_len,
                         GError       **error)
{
  g_autofree char *challenge = NULL;
  g_autofree char *service_pin = NULL;
  g_autofree char *serial = NULL;
  g_autofree char *message = NULL;
  X509 *cert = NULL;
  ZidDbStmt *stmt;
  ZidDbStep step;
  g_autofree char *enrolled_pem = NULL;
  gint64 expires = 0, answered = 0, user = 0, revoked_at = 0;
  gboolean blocked = FALSE;
  gboolean ok;
  ZidWrite w;
  ZidCa *ca;

  g_return_val_if_fail (ZID_IS_PORTAL (self), 0);

  if ((ca = _zid_portal_ensure_ca (self, error)) == NULL ||
      !zid_portal_get_service_tls (self, NULL, NULL, &service_pin, error) ||
      !_zid_write_begin (&w, self, _zid_portal_origin_actor ("phone", origin), "login", NULL, error))
    return 0;

  stmt = zid_db_query (self->store, &w.error,
                       "SELECT challenge, expires, answered FROM login_sessions WHERE id = ?",
                       "t", session_id ? session_id : "");
  step = zid_db_step (stmt, &w.error);
  ok = step != ZID_DB_ERROR;
  if (step == ZID_DB_ROW)
    {
      challenge = zid_db_column_dup (stmt, 0);
      expires = zid_db_column_int64 (stmt, 1);
      answered = zid_db_column_int64 (stmt, 2);
    }
  zid_db_reset (stmt);

  if (ok && challenge == NULL)
    ok = _zid_refuse (&w.error, ZID_ERROR_SESSION_INVALID, "Onbekende inlogsessie");
  else if (ok && answered != 0)
    ok = _zid_refuse (&w.error, ZID_ERROR_SESSION_INVALID, _("This login QR code has been used already"));
  else if (ok && _zid_portal_now (self) >= expires)
    ok = _zid_refuse (&w.error, ZID_ERROR_SESSION_INVALID,
                      _("This login QR code has expired (valid for 5 minutes)"));

  /* possession of the key first, then what the certificate may do */
  ok = ok && (cert = zid_ca_verify_client (ca, cert_pem, _zid_portal_now (self), &serial, &w.error)) != NULL;
  if (ok)
    {
      /* bound to this service: an answer a phone gave a look-alike service
       * (another pin), relayed here, does not verify */
      message = g_strconcat (LOGIN_CONTEXT, service_pin, "\n", session_id, "\n", challenge, NULL);
      ok = zid_verify_signature (cert, (const guint8 *) message, strlen (message),
                                 signature, signature_len, &w.error);
    }
  if (ok)
    {
      stmt = zid_db_query (self->store, &w.error,
                           "SELECT c.user_id, c.revoked_at, u.blocked, c.pem FROM certificates c"
                           " JOIN users u ON u.id = c.user_id WHERE c.serial = ?", "t", serial);
      step = zid_db_step (stmt, &w.error);
      ok = step != ZID_DB_ERROR;
      if (step == ZID_DB_ROW)
        {
          user = zid_db_column_int64 (stmt, 0);
          revoked_at = zid_db_column_int64 (stmt, 1);
          blocked = zid_db_column_int (stmt, 2) != 0;
          enrolled_pem = zid_db_column_dup (stmt, 3);
        }
      zid_db_reset (stmt);
      if (ok && user == 0)
        ok = _zid_refuse (&w.error, ZID_ERROR_CERTIFICATE_INVALID, "Onbekend certificaat");
      /* the serial is not the mobile ID: only the very certificate issued
       * at enrolment is (another one with its serial was made with the CA's
       * key, not by the enrolment) */
      if (ok && !same_certificate (cert, enrolled_pem))
        {
          _zid_write_set_subject (&w, _zid_portal_user_label (user));
          w.reason = "certificate-mismatch";
          ok = _zid_refuse (&w.error, ZID_ERROR_CERTIFICATE_INVALID,
                            _("This certificate is not the one recorded when this mobile ID was "
                              "issued"));
        }
    }
  if (ok)
    {
      /* the mobile ID acted: the audit names it */
      _zid_write_set_subject (&w, _zid_portal_user_label (user));
      _zid_write_set_actor (&w, _zid_portal_origin_actor (w.subject, origin));
      if (revoked_at != 0)
        ok = _zid_refuse_login (&w.error, ZID_ERROR_CERTIFICATE_REVOKED);
      else if (blocked)
        ok = _zid_refuse_login (&w.error, ZID_ERROR_USER_BLOCKED);
      else
        ok = _zid_portal_check_actor (self, user, &w.error);
    }
  if (ok)
    {
      ok = zid_db_run (self->store, &w.error,
                       "UPDATE login_sessions SET answered = ?, user_id = ?"
                       " WHERE id = ? AND answered IS NULL",
                       "iit", _zid_portal_now (self), user, session_id);
      if (ok && zid_db_changes (self->store) != 1)
        ok = _zid_refuse (&w.error, ZID_ERROR_SESSION_INVALID, _("This login QR code has been used already"));
    }
  ok = ok &&
       zid_db_run (self->store, &w.error,
                   "UPDATE users SET last_use = ? WHERE id = ?", "ii", _zid_portal_now (self), user) &&
       _zid_portal_audit_append (self, w.actor, "login.accepted", w.subject, serial, &w.error);

  g_clear_pointer (&cert, X509_free);
  if (!_zid_write_end (&w, ok, error))
    {
      /* the phone proved its key and was refused: whoever waits for this
       * login is told so (the session stays open for another phone) */
      if (user != 0 && error != NULL && *error != NULL && (*error)->domain == ZID_ERROR &&
          _zid_login_refusal_name ((*error)->code) != NULL)
        record_refusal (self, session_id, (*error)->code);
      return 0;
    }
  return user;
}

ZidLoginState
zid_portal_login_poll (ZidPortal   *self,
                       const char  *session_id,
                       gint64      *user,
                       GError     **refusal,
                       GError     **error)
{
  ZidLoginState state = ZID_LOGIN_EXPIRED;
  ZidDbStmt *stmt;

  g_return_val_if_fail (ZID_IS_PORTAL (self), ZID_LOGIN_EXPIRED);

  if (user)
    *user = 0;
  if (!zid_store_begin (self->store, FALSE, error))
    return ZID_LOGIN_EXPIRED;
  stmt = zid_db_query (self->store, error,
                       "SELECT l.expires, l.answered, l.user_id, r.refusal FROM login_sessions l"
                       " LEFT JOIN login_refusals r ON r.session_id = l.id WHERE l.id = ?",
                       "t", session_id ? session_id : "");
  if (zid_db_step (stmt, error) == ZID_DB_ROW)
    {
      if (zid_db_column_int64 (stmt, 1) != 0)
        {
          state = ZID_LOGIN_ACCEPTED;
          if (user)
            *user = zid_db_column_int64 (stmt, 2);
        }
      else if (_zid_portal_now (self) < zid_db_column_int64 (stmt, 0))
        {
          const char *refused = zid_db_column_text (stmt, 3);

          state = refused != NULL ? ZID_LOGIN_REFUSED : ZID_LOGIN_PENDING;
          if (refused != NULL)
            _zid_login_refusal_error (refused, refusal);
        }
    }
  zid_db_reset (stmt);
  zid_store_commit (self->store, NULL);
  return state;
}

char *
zid_portal_login_challenge (ZidPortal   *self,
                            const char  *session_id,
                            GError     **error)
{
  ZidDbStmt *stmt;
  char *challenge = NULL;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!zid_store_begin (self->store, FALSE, error))
    return NULL;
  stmt = zid_db_query (self->store, error,
                       "SELECT challenge FROM login_sessions WHERE id = ?", "t",
                       session_id ? session_id : "");
  if (zid_db_step (stmt, error) == ZID_DB_ROW)
    challenge = zid_db_column_dup (stmt, 0);
  zid_db_reset (stmt);
  zid_store_commit (self->store, NULL);
  return challenge;
}
