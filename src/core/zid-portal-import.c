/* zid-portal-import.c — registering the people of a spreadsheet at once
 *
 * A row is the same person as a user the actor manages when the folded
 * first and last name ("Zoë" = "Zoe") and the birth date are the same:
 * in this organisation the row is skipped, in another of the actor's
 * organisations the user is added to this one (no new code: they have
 * one). Users the actor does not manage are never looked at, so the
 * outcome reveals nothing about other organisations.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include "zid-db.h"
#include "zid-import.h"
#include "zid-portal-private.h"
#include "zid-search.h"

/* The users the actor manages (in any of their organisations) that are
 * this row's person: each row's user and whether it is in @organisation */
#define SAME_PERSON \
  "SELECT n.user_id, n.organisation_id FROM memberships a" \
  " JOIN name_keys n ON n.organisation_id = a.organisation_id AND n.key = ?2" \
  " JOIN users u ON u.id = n.user_id AND u.birth_date = ?3" \
  " WHERE a.user_id = ?1 AND a.role >= 2"

static void
set_outcome (ZidImportRow     *row,
             ZidImportOutcome  outcome,
             gint64            user,
             char             *reason)
{
  row->outcome = outcome;
  row->user = user;
  g_free (row->reason);
  row->reason = reason;
}

/* What @row will do, as of this transaction */
static gboolean
classify (ZidPortal     *self,
          gint64         actor,
          gint64         organisation,
          ZidRole        role,
          ZidImportRow  *row,
          GError       **error)
{
  g_autofree char *first = zid_name_key (row->first_name);
  g_autofree char *last = zid_name_key (row->last_name);
  g_autofree char *key = g_strconcat (first, " ", last, NULL);
  g_autoptr(GError) refusal = NULL;
  ZidDbStmt *stmt;
  ZidDbStep step;
  gint64 other = 0, here = 0;
  gboolean several = FALSE;

  stmt = zid_db_query (self->store, error, SAME_PERSON, "itt", actor, key, row->birth_date);
  while ((step = zid_db_step (stmt, error)) == ZID_DB_ROW)
    {
      gint64 user = zid_db_column_int64 (stmt, 0);

      if (zid_db_column_int64 (stmt, 1) == organisation)
        here = user;
      else if (other != 0 && other != user)
        several = TRUE;
      else
        other = user;
    }
  if (step == ZID_DB_ERROR)
    return FALSE;
  zid_db_reset (stmt);

  if (here != 0)
    set_outcome (row, ZID_IMPORT_SKIPPED, here,
                 g_strdup (_("Registered in this organisation already")));
  else if (several)
    set_outcome (row, ZID_IMPORT_REFUSED, 0,
                 g_strdup (_("Your other organisations have several users with this name and birth "
                             "date; add this person by hand.")));
  else if (other != 0 &&
           !_zid_portal_check_role_change (self, actor, other, organisation, role, &refusal))
    set_outcome (row, ZID_IMPORT_REFUSED, 0, g_strdup (refusal->message));
  else if (other != 0)
    set_outcome (row, ZID_IMPORT_MEMBERSHIP, other,
                 g_strdup (_("User of another organisation: will be added to this organisation")));
  else if (!_zid_portal_may_assign_role (self, actor, organisation, role))
    set_outcome (row, ZID_IMPORT_REFUSED, 0,
                 g_strdup_printf (_("You may not grant the role %s."), zid_role_to_string (role)));
  else
    set_outcome (row, ZID_IMPORT_NEW, 0, NULL);
  return TRUE;
}

/* Classifies every row the file did not refuse; inside a transaction */
static gboolean
classify_all (ZidPortal     *self,
              gint64         actor,
              gint64         organisation,
              ZidRole        role,
              ZidImport     *import,
              GError       **error)
{
  if (role < ZID_ROLE_GEBRUIKER || role > ZID_ROLE_ADMINISTRATOR)
    return _zid_refuse (error, ZID_ERROR_INVALID_INPUT,
                        _("Unknown role: choose Administrator, Beheerder or Gebruiker"));
  if (!_zid_portal_check_action (self, actor, ZID_ACTION_REGISTER_USER, 0, organisation, error))
    return FALSE;

  for (guint i = 0; i < import->rows->len; i++)
    {
      ZidImportRow *row = g_ptr_array_index (import->rows, i);

      if (row->invalid)
        continue;
      if (!classify (self, actor, organisation, row->role ? row->role : role, row, error))
        return FALSE;
    }
  zid_import_count (import);
  return TRUE;
}

gboolean
zid_portal_check_import (ZidPortal   *self,
                         gint64       actor,
                         gint64       organisation,
                         ZidRole      role,
                         ZidImport   *import,
                         GError     **error)
{
  gboolean ok;

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);
  g_return_val_if_fail (import != NULL, FALSE);

  if (!zid_store_begin (self->store, FALSE, error))
    return FALSE;
  ok = classify_all (self, actor, organisation, role, import, error);
  zid_store_rollback (self->store);
  return ok;
}

/* Writes @row; its audit event goes to @events, appended with the others
 * at once (the chain's head read and written once per import) */
static gboolean
import_row (ZidPortal     *self,
            const char    *actor_label,
            gint64         organisation,
            ZidRole        role,
            const char    *prefix,
            ZidImportRow  *row,
            GArray        *events,
            GError       **error)
{
  ZidAuditEntry event = { NULL, NULL, NULL, NULL };

  switch (row->outcome)
    {
    case ZID_IMPORT_NEW:
      if ((row->user = _zid_portal_insert_user (self, row->first_name, row->last_name,
                                                row->birth_date, NULL, error)) == 0 ||
          !_zid_portal_add_member (self, row->user, organisation, role,
                                   row->first_name, row->last_name, error) ||
          (row->code = _zid_portal_new_code_after (self, row->user, ZID_CODE_ENROLMENT,
                                                   prefix, TRUE, error)) == NULL)
        return FALSE;
      event.action = g_strdup ("user.register");
      break;

    case ZID_IMPORT_MEMBERSHIP:
      if (!_zid_portal_set_membership_row (self, row->user, organisation, role, error))
        return FALSE;
      event.action = g_strdup ("membership.set");
      break;

    case ZID_IMPORT_SKIPPED:
    case ZID_IMPORT_REFUSED:
      return TRUE;

    default:
      g_assert_not_reached ();
    }

  event.actor = g_strdup (actor_label);
  event.subject = _zid_portal_user_label (row->user);
  event.details = g_strdup_printf ("organisation=%" G_GINT64_FORMAT " role=%s import=line-%u",
                                   organisation, zid_role_to_string (role), row->line);
  g_array_append_val (events, event);
  return TRUE;
}

static char *
organisation_ura (ZidPortal *self,
                  gint64     organisation)
{
  ZidDbStmt *stmt = zid_db_query (self->store, NULL,
                                  "SELECT ura FROM organisations WHERE id = ?", "i", organisation);
  char *ura = NULL;

  if (zid_db_step (stmt, NULL) == ZID_DB_ROW)
    ura = zid_db_column_dup (stmt, 0);
  zid_db_reset (stmt);
  return ura;
}

gboolean
zid_portal_import_users (ZidPortal            *self,
                         gint64                actor,
                         gint64                organisation,
                         ZidRole               role,
                         ZidImport            *import,
                         ZidImportLettersFunc  letters,
                         gpointer              user_data,
                         GError              **error)
{
  g_autofree char *details = NULL;
  g_autofree char *prefix = NULL;
  g_autoptr(GArray) events = g_array_new (FALSE, TRUE, sizeof (ZidAuditEntry));
  gboolean ok;
  ZidWrite w;

  g_array_set_clear_func (events, (GDestroyNotify) zid_audit_entry_clear);

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);
  g_return_val_if_fail (import != NULL, FALSE);

  if (!_zid_write_begin (&w, self, _zid_portal_user_label (actor), "user.import", NULL, error))
    return FALSE;

  ok = classify_all (self, actor, organisation, role, import, &w.error);
  /* the event is about the organisation: its URA, as registration.add's */
  if (ok)
    _zid_write_set_subject (&w, organisation_ura (self, organisation));
  /* every code's QR text starts the same */
  if (ok)
    ok = (prefix = _zid_portal_make_payload (self, "enrol", "code=", &w.error)) != NULL;
  for (guint i = 0; ok && i < import->rows->len; i++)
    {
      ZidImportRow *row = g_ptr_array_index (import->rows, i);

      ok = import_row (self, w.actor, organisation, row->role ? row->role : role, prefix, row,
                       events, &w.error);
    }
  if (ok)
    ok = zid_store_audit_append_many (self->store, _zid_portal_now (self),
                                      (const ZidAuditEntry *) (gpointer) events->data, events->len,
                                      &w.error);
  /* nothing to register (a file imported before): nothing written */
  if (ok && import->n_new + import->n_membership == 0)
    {
      zid_store_rollback (self->store);
      g_free (w.actor);
      g_free (w.subject);
      return TRUE;
    }
  /* the codes exist only in the letters: they are on disk before the
   * registrations commit, or nothing is registered */
  if (ok && letters != NULL)
    ok = letters (import, user_data, &w.error);

  details = g_strdup_printf ("organisation=%" G_GINT64_FORMAT " rows=%u new=%u membership=%u skipped=%u refused=%u",
                             organisation, import->rows->len, import->n_new, import->n_membership,
                             import->n_skipped, import->n_refused);
  if (_zid_write_end_audited (&w, ok, details, error))
    return TRUE;

  /* nothing was registered: no row holds a user or code of it */
  for (guint i = 0; i < import->rows->len; i++)
    {
      ZidImportRow *row = g_ptr_array_index (import->rows, i);

      g_clear_pointer (&row->code, zid_one_time_code_free);
      if (row->outcome == ZID_IMPORT_NEW)
        row->user = 0;
    }
  return FALSE;
}

GPtrArray *
zid_portal_new_certificates (ZidPortal            *self,
                             gint64                actor,
                             const gint64         *users,
                             guint                 n,
                             ZidCodesLettersFunc   letters,
                             gpointer              user_data,
                             GError              **error)
{
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func ((GDestroyNotify) zid_one_time_code_free);
  g_autoptr(GArray) events = g_array_new (FALSE, TRUE, sizeof (ZidAuditEntry));
  g_autofree char *prefix = NULL;
  gboolean ok;
  ZidWrite w;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);
  g_return_val_if_fail (users != NULL || n == 0, NULL);

  g_array_set_clear_func (events, (GDestroyNotify) zid_audit_entry_clear);
  if (!_zid_write_begin (&w, self, _zid_portal_user_label (actor), "certificate.new", NULL, error))
    return NULL;

  ok = (prefix = _zid_portal_make_payload (self, "enrol", "code=", &w.error)) != NULL;
  for (guint i = 0; ok && i < n; i++)
    {
      ZidAuditEntry event = { g_strdup (w.actor), g_strdup ("certificate.new"),
                              _zid_portal_user_label (users[i]), NULL };
      ZidOneTimeCode *code = NULL;

      /* a refusal names the user it is about */
      _zid_write_set_subject (&w, g_strdup (event.subject));
      g_array_append_val (events, event);
      ok = _zid_portal_check_action (self, actor, ZID_ACTION_NEW_CERTIFICATE, users[i], 0, &w.error) &&
           (code = _zid_portal_new_code_after (self, users[i], ZID_CODE_NEW_CERTIFICATE, prefix,
                                               FALSE, &w.error)) != NULL;
      if (code != NULL)
        g_ptr_array_add (codes, code);
    }
  ok = ok &&
       zid_store_audit_append_many (self->store, _zid_portal_now (self),
                                    (const ZidAuditEntry *) (gpointer) events->data, events->len,
                                    &w.error);
  /* the codes exist only in the letters: on disk before they commit */
  if (ok && letters != NULL)
    ok = letters (codes, user_data, &w.error);
  if (!_zid_write_end (&w, ok, error))
    return NULL;
  return g_steal_pointer (&codes);
}
