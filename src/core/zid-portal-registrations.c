/* zid-portal-registrations.c — pending registrations and their completion (manual §7)
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-core"

#include "config.h"

#include <string.h>

#include "zid-db.h"
#include "zid-portal-private.h"

/* Registrations */

static ZidRegistration *
registration_from_row (ZidDbStmt *stmt)
{
  ZidRegistration *r = g_new0 (ZidRegistration, 1);

  r->id = zid_db_column_int64 (stmt, 0);
  r->ura = zid_db_column_dup (stmt, 1);
  r->name = zid_db_column_dup (stmt, 2);
  r->agb = zid_db_column_dup (stmt, 3);
  r->address = zid_db_column_dup (stmt, 4);
  r->reference = zid_db_column_dup (stmt, 5);
  r->created = zid_db_column_int64 (stmt, 6);
  r->completed = zid_db_column_int64 (stmt, 7);
  r->organisation_id = zid_db_column_int64 (stmt, 8);
  return r;
}

#define REGISTRATION_COLUMNS \
  "id, ura, name, agb, address, reference, created, completed, organisation_id"

static ZidRegistration *
find_registration_locked (ZidPortal   *self,
                          const char  *ura,
                          GError     **error)
{
  ZidDbStmt *stmt;
  ZidDbStep step;
  ZidRegistration *r = NULL;

  stmt = zid_db_query (self->store, error,
                       "SELECT " REGISTRATION_COLUMNS " FROM registrations WHERE ura = ?",
                       "t", ura);
  if ((step = zid_db_step (stmt, error)) == ZID_DB_ERROR)
    return NULL;
  if (step == ZID_DB_ROW)
    r = registration_from_row (stmt);
  zid_db_reset (stmt);
  if (r == NULL)
    g_set_error (error, ZID_ERROR, ZID_ERROR_NO_REGISTRATION,
                 _("No organisation registration has been prepared for URA %s; contact VZVZ"),
                 ura);
  return r;
}

ZidRegistration *
zid_portal_find_registration (ZidPortal   *self,
                              const char  *ura,
                              GError     **error)
{
  ZidRegistration *r;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!zid_validate_ura (ura, error) || !zid_store_begin (self->store, FALSE, error))
    return NULL;
  r = find_registration_locked (self, ura, error);
  zid_store_commit (self->store, NULL);
  return r;
}

gint64
zid_portal_add_registration (ZidPortal   *self,
                             const char  *ura,
                             const char  *name,
                             const char  *agb,
                             const char  *address,
                             const char  *reference,
                             GError     **error)
{
  g_autoptr(ZidRegistration) existing = NULL;
  g_autofree char *details = NULL;
  gint64 id = 0;
  gboolean ok;
  ZidWrite w;

  g_return_val_if_fail (ZID_IS_PORTAL (self), 0);

  if (!zid_validate_ura (ura, error) ||
      !zid_validate_name (_("The name of the organisation"), name, error) ||
      !zid_validate_agb (agb, error))
    return 0;
  if (address != NULL && !zid_validate_name ("Het adres", address, error))
    return 0;
  if (reference != NULL && !zid_validate_name ("De referentie", reference, error))
    return 0;
  if (agb != NULL && *agb == '\0')
    agb = NULL;

  if (!_zid_write_begin (&w, self, g_strdup ("operator"), "registration.add", g_strdup (ura), error))
    return 0;

  existing = find_registration_locked (self, ura, NULL);
  if (existing != NULL)
    {
      /* The same registration again is harmless; a different one for the
       * same URA is refused rather than silently overwriting it. */
      if (g_strcmp0 (existing->name, name) == 0 &&
          g_strcmp0 (existing->agb, agb) == 0 &&
          g_strcmp0 (existing->address, address) == 0 &&
          g_strcmp0 (existing->reference, reference) == 0)
        return _zid_write_end (&w, TRUE, error) ? existing->id : 0;
      if (existing->completed)
        _zid_refuse (&w.error, ZID_ERROR_INVALID_INPUT,
                     _("Another registration for URA %s exists already (%s), and it is completed"),
                     ura, existing->name);
      else
        _zid_refuse (&w.error, ZID_ERROR_INVALID_INPUT,
                     _("Another registration for URA %s exists already (%s)"),
                     ura, existing->name);
      return _zid_write_end (&w, FALSE, error);
    }

  details = g_strdup_printf ("name=%s agb=%s reference=%s", name, agb ? agb : "",
                             reference ? reference : "");
  ok = zid_db_insert (self->store, &id, &w.error,
                      "INSERT INTO registrations (ura, name, agb, address, reference, created)"
                      " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                      "ttttti", ura, name, agb, address, reference, _zid_portal_now (self));
  if (!_zid_write_end_audited (&w, ok, details, error))
    return 0;
  return id;
}

GPtrArray *
zid_portal_list_registrations (ZidPortal  *self,
                               gboolean    include_completed,
                               GError    **error)
{
  GPtrArray *list;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!zid_store_begin (self->store, FALSE, error))
    return NULL;
  list = zid_db_read_rows (zid_db_query (self->store, error,
                                         "SELECT " REGISTRATION_COLUMNS " FROM registrations"
                                         " WHERE ? <> 0 OR completed IS NULL ORDER BY ura",
                                         "i", (gint64) include_completed),
                           (ZidDbRowReader) registration_from_row,
                           (GDestroyNotify) zid_registration_free, error);
  zid_store_commit (self->store, NULL);
  return list;
}

/* Inside a write transaction: the organisation of a pending registration */
static gint64
create_organisation (ZidPortal        *self,
                     ZidRegistration  *r,
                     GError          **error)
{
  gint64 id;

  if (!zid_db_insert (self->store, &id, error,
                      "INSERT INTO organisations (ura, name, agb, address, created)"
                      " VALUES (?, ?, ?, ?, ?) RETURNING id",
                      "tttti",
                      r->ura, r->name, r->agb, r->address, _zid_portal_now (self)))
    return 0;
  if (!zid_db_run (self->store, error,
                   "UPDATE registrations SET completed = ?, organisation_id = ?"
                   " WHERE id = ? AND completed IS NULL",
                   "iii", _zid_portal_now (self), id, r->id))
    return 0;
  if (zid_db_changes (self->store) != 1)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_REGISTRATION_COMPLETED,
                   _("The registration of URA %s is completed already"), r->ura);
      return 0;
    }
  return id;
}

static ZidRegistration *
pending_registration (ZidPortal   *self,
                      const char  *ura,
                      GError     **error)
{
  g_autoptr(ZidRegistration) r = find_registration_locked (self, ura, error);

  if (r == NULL)
    return NULL;
  if (r->completed != 0)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_REGISTRATION_COMPLETED,
                   _("The registration of %s (URA %s) is completed already"), r->name, ura);
      return NULL;
    }
  return g_steal_pointer (&r);
}

ZidOneTimeCode *
zid_portal_bootstrap (ZidPortal   *self,
                      const char  *ura,
                      const char  *first_name,
                      const char  *last_name,
                      const char  *birth_date,
                      GError     **error)
{
  g_autoptr(ZidRegistration) r = NULL;
  g_autoptr(ZidOneTimeCode) enrolment = NULL;
  g_autofree char *details = NULL;
  g_autofree char *administrator = NULL;
  gint64 org = 0;
  gint64 user = 0;
  gboolean ok;
  ZidWrite w;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!zid_validate_ura (ura, error) ||
      !_zid_portal_validate_person (self, first_name, last_name, birth_date, error))
    return NULL;

  if (!_zid_write_begin (&w, self, g_strdup ("operator"), "organisation.bootstrap", g_strdup (ura), error))
    return NULL;

  if (self->environment != ZID_ENVIRONMENT_ACCEPTATIE)
    ok = _zid_refuse (&w.error, ZID_ERROR_WRONG_ENVIRONMENT,
                      _("Setting up an organisation without a UZI card is possible only in "
                        "acceptatie; in productie you complete the registration with your UZI card"));
  else
    ok = (r = pending_registration (self, ura, &w.error)) != NULL &&
         (org = create_organisation (self, r, &w.error)) != 0 &&
         (user = _zid_portal_insert_user (self, first_name, last_name, birth_date, NULL, &w.error)) != 0 &&
         _zid_portal_set_membership_row (self, user, org, ZID_ROLE_ADMINISTRATOR, &w.error) &&
         (enrolment = _zid_portal_new_code (self, user, ZID_CODE_ENROLMENT, &w.error)) != NULL;

  administrator = _zid_portal_user_label (user);
  details = g_strdup_printf ("organisation=%s administrator=%s", ura, administrator);
  if (!_zid_write_end_audited (&w, ok, details, error))
    return NULL;
  return g_steal_pointer (&enrolment);
}

/* Organisation registration with the UZI-pas (manual §7) */

static gboolean
check_holder (const ZidCardHolder  *holder,
              GError              **error)
{
  if (holder == NULL || holder->uzi_number == NULL || *holder->uzi_number == '\0' ||
      holder->subscriber_number == NULL)
    return _zid_refuse (error, ZID_ERROR_INVALID_INPUT, _("The data of the UZI card is missing"));
  if (holder->card_type != 'Z' && holder->card_type != 'N')
    return _zid_refuse (error, ZID_ERROR_NOT_PERMITTED,
                        _("An organisation registration can be completed only with a personal UZI "
                          "card (care provider card Z or employee card N); this card is of type %c"),
                        holder->card_type ? holder->card_type : '?');
  return zid_validate_ura (holder->subscriber_number, error);
}

/* The user already linked to the UZI number, if any */
static gint64
linked_user (ZidPortal   *self,
             const char  *uzi_number,
             gboolean    *enrolled,
             gboolean    *blocked)
{
  ZidDbStmt *stmt;
  gint64 user = 0;

  stmt = zid_db_query (self->store, NULL,
                       "SELECT id, mobile_id, blocked FROM users WHERE uzi_number = ?",
                       "t", uzi_number);
  if (zid_db_step (stmt, NULL) == ZID_DB_ROW)
    {
      user = zid_db_column_int64 (stmt, 0);
      *enrolled = zid_db_column_int (stmt, 1) == ZID_MOBILE_ID_ACTIVE;
      *blocked = zid_db_column_int (stmt, 2) != 0;
    }
  zid_db_reset (stmt);
  return user;
}

ZidRegistration *
zid_portal_check_registration (ZidPortal            *self,
                               const ZidCardHolder  *holder,
                               gint64               *existing_user,
                               GError              **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ZidRegistration) r = NULL;
  g_autofree char *actor = NULL;
  gboolean enrolled = FALSE;
  gboolean blocked = FALSE;
  gint64 user;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (existing_user)
    *existing_user = 0;
  if (!check_holder (holder, &local_error))
    goto refused;

  if (!zid_store_begin (self->store, FALSE, error))
    return NULL;
  r = pending_registration (self, holder->subscriber_number, &local_error);
  user = linked_user (self, holder->uzi_number, &enrolled, &blocked);
  zid_store_commit (self->store, NULL);
  if (r == NULL)
    goto refused;

  if (existing_user && enrolled && !blocked)
    *existing_user = user;
  return g_steal_pointer (&r);

refused:
  actor = g_strdup_printf ("card:%s", holder && holder->uzi_number ? holder->uzi_number : "?");
  if (_zid_is_refusal (local_error))
    _zid_portal_audit_refusal (self, actor, "registration.check",
                               holder ? holder->subscriber_number : NULL, local_error);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

ZidCompletion *
zid_portal_complete_registration (ZidPortal            *self,
                                  const ZidCardHolder  *holder,
                                  const char           *birth_date,
                                  GError              **error)
{
  g_autoptr(ZidRegistration) r = NULL;
  g_autoptr(ZidCompletion) completion = g_new0 (ZidCompletion, 1);
  g_autofree char *administrator = NULL;
  g_autofree char *details = NULL;
  gboolean enrolled = FALSE;
  gboolean blocked = FALSE;
  gboolean ok;
  gint64 user;
  ZidWrite w;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!check_holder (holder, error) ||
      !_zid_write_begin (&w, self, g_strdup_printf ("card:%s", holder->uzi_number),
                         "registration.complete", g_strdup (holder->subscriber_number), error))
    return NULL;

  user = linked_user (self, holder->uzi_number, &enrolled, &blocked);
  ok = (r = pending_registration (self, holder->subscriber_number, &w.error)) != NULL;
  if (ok && blocked)
    ok = _zid_refuse (&w.error, ZID_ERROR_USER_BLOCKED,
                      _("Your ZORG-ID is blocked; you cannot complete the registration"));
  if (ok && !enrolled)
    {
      /* A new mobile ID: the card holder's data and the birth date */
      ok = zid_validate_name (_("The first name on the UZI card"), holder->given_name, &w.error) &&
           zid_validate_name (_("The last name on the UZI card"), holder->surname, &w.error) &&
           zid_validate_birth_date (birth_date, _zid_portal_now (self), &w.error);
      if (ok && user == 0)
        ok = (user = _zid_portal_insert_user (self, holder->given_name, holder->surname, birth_date,
                                              holder->uzi_number, &w.error)) != 0;
    }
  ok = ok &&
       (completion->organisation_id = create_organisation (self, r, &w.error)) != 0 &&
       _zid_portal_set_membership_row (self, user, completion->organisation_id,
                                       ZID_ROLE_ADMINISTRATOR, &w.error);
  if (ok && !enrolled)
    ok = (completion->enrolment = _zid_portal_new_code (self, user, ZID_CODE_ENROLMENT, &w.error)) != NULL;

  completion->user_id = user;
  completion->existing_mobile_id = enrolled;
  administrator = _zid_portal_user_label (user);
  details = g_strdup_printf ("organisation=%s administrator=%s mobile-id=%s",
                             holder->subscriber_number, administrator,
                             enrolled ? "existing" : "new");
  if (!_zid_write_end_audited (&w, ok, details, error))
    return NULL;
  return g_steal_pointer (&completion);
}
