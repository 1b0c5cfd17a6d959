/* zid-portal-certificates.c — the mobile ID's certificates
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-core"

#include "config.h"

#include <string.h>

#include "zid-db.h"
#include "zid-portal-private.h"

/* Certificates */

static ZidCertificate *
certificate_from_row (ZidDbStmt *stmt)
{
  ZidCertificate *c = g_new0 (ZidCertificate, 1);

  c->serial = zid_db_column_dup (stmt, 0);
  c->user_id = zid_db_column_int64 (stmt, 1);
  c->not_before = zid_db_column_int64 (stmt, 2);
  c->not_after = zid_db_column_int64 (stmt, 3);
  c->revoked = !zid_db_column_is_null (stmt, 4);
  c->revoked_at = zid_db_column_int64 (stmt, 4);
  c->revoke_reason = zid_db_column_dup (stmt, 5);
  c->pem = zid_db_column_dup (stmt, 6);
  return c;
}

#define CERTIFICATE_COLUMNS "serial, user_id, not_before, not_after, revoked_at, revoke_reason, pem"

GPtrArray *
zid_portal_list_certificates (ZidPortal   *self,
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
                         "SELECT " CERTIFICATE_COLUMNS " FROM certificates"
                         " WHERE user_id = ? ORDER BY not_before, serial",
                         "i", user);
  list = zid_db_read_rows (stmt, (ZidDbRowReader) certificate_from_row,
                           (GDestroyNotify) zid_certificate_free, error);
  zid_store_commit (self->store, NULL);
  return list;
}

gboolean
zid_portal_revoke_certificate (ZidPortal   *self,
                               gint64       actor,
                               gint64       user,
                               const char  *serial,
                               GError     **error)
{
  g_autoptr(ZidCertificate) cert = NULL;
  g_autofree char *wanted = g_ascii_strdown (serial ? serial : "", -1);
  g_autofree char *details = NULL;
  ZidBlockReason reason = ZID_BLOCK_REASON_NONE;
  ZidDbStmt *stmt;
  ZidDbStep step;
  gboolean ok;
  ZidWrite w;

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);

  if (!_zid_write_begin (&w, self, _zid_portal_user_label (actor), "certificate.revoke",
                         _zid_portal_user_label (user), error))
    return FALSE;

  /* the authority, the certificate, then the rules on the user (§8.3) */
  ok = _zid_portal_check_authority (self, actor, ZID_ACTION_REVOKE_CERTIFICATE, user, 0, &w.error);
  if (ok)
    {
      stmt = zid_db_query (self->store, &w.error,
                           "SELECT " CERTIFICATE_COLUMNS ", u.block_reason FROM certificates"
                           " JOIN users u ON u.id = user_id"
                           " WHERE serial = ? AND user_id = ?", "ti", wanted, user);
      step = zid_db_step (stmt, &w.error);
      ok = step != ZID_DB_ERROR;
      if (step == ZID_DB_ROW)
        {
          cert = certificate_from_row (stmt);
          reason = (ZidBlockReason) zid_db_column_int (stmt, 7);
        }
      zid_db_reset (stmt);
    }
  if (ok && cert == NULL)
    ok = _zid_refuse (&w.error, ZID_ERROR_NOT_FOUND,
                      _("This user has no certificate with serial number %s"), wanted);
  else if (ok && !_zid_portal_check_user_state (self, ZID_ACTION_REVOKE_CERTIFICATE, user, &w.error))
    ok = FALSE;
  else if (ok && cert->revoked)
    ok = _zid_refuse (&w.error, ZID_ERROR_ALREADY_REVOKED,
                      _("This certificate is revoked already; a revocation cannot be undone"));
  ok = ok &&
       zid_db_run (self->store, &w.error,
                   "UPDATE certificates SET revoked_at = ?, revoke_reason = ?"
                   " WHERE serial = ? AND revoked_at IS NULL",
                   "itt", _zid_portal_now (self), zid_block_reason_to_string (reason), wanted) &&
       zid_db_run (self->store, &w.error,
                   "UPDATE users SET mobile_id = CASE WHEN EXISTS (SELECT 1 FROM certificates"
                   "   WHERE user_id = ?1 AND revoked_at IS NULL) THEN 1 ELSE 2 END"
                   " WHERE id = ?1", "i", user);
  details = g_strdup_printf ("serial=%s reason=%s", wanted, zid_block_reason_to_string (reason));
  return _zid_write_end_audited (&w, ok, details, error);
}

ZidOneTimeCode *
zid_portal_new_certificate (ZidPortal   *self,
                            gint64       actor,
                            gint64       user,
                            GError     **error)
{
  g_autoptr(ZidOneTimeCode) enrolment = NULL;
  gboolean ok;
  ZidWrite w;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!_zid_write_begin (&w, self, _zid_portal_user_label (actor), "certificate.new",
                         _zid_portal_user_label (user), error))
    return NULL;
  ok = _zid_portal_check_action (self, actor, ZID_ACTION_NEW_CERTIFICATE, user, 0, &w.error) &&
       (enrolment = _zid_portal_new_code (self, user, ZID_CODE_NEW_CERTIFICATE, &w.error)) != NULL;
  if (!_zid_write_end_audited (&w, ok, NULL, error))
    return NULL;
  return g_steal_pointer (&enrolment);
}
