/* zid-portal-private.h — what the files of ZidPortal share
 *
 * ZidPortal is one class over several files, one per concern:
 *   zid-portal.c                lifecycle, settings, the local CA, one-time
 *                               codes, transactions and the audit trail
 *   zid-portal-authority.c      who may do what: one function per rule,
 *                               used by the acting calls and by
 *                               zid_portal_get_capabilities() alike
 *   zid-portal-capabilities.c   zid_portal_get_capabilities()
 *   zid-portal-users.c          users, memberships, attributes, blocking,
 *                               organisations
 *   zid-portal-registrations.c  pending registrations and their completion
 *   zid-portal-certificates.c   the mobile ID's certificates
 *   zid-portal-phone.c          the phone's side: enrolment and login
 *
 * The helpers below begin no transaction of their own (except
 * _zid_write_begin() and _zid_portal_audit_refusal()): they run inside
 * the caller's.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include "zid-i18n.h"
#include "zid-ca-private.h"
#include "zid-error.h"
#include "zid-backend.h"
#include "zid-portal.h"
#include "zid-store-private.h"

G_BEGIN_DECLS

struct _ZidPortal
{
  GObject         parent_instance;

  /* owned, set once by zid_portal_open() */
  char           *data_dir;
  char           *database;         /* the location of the store opened */
  ZidEnvironment  environment;
  ZidClock       *clock;
  ZidStore       *store;

  /* owned, guarded by ca_lock: the CA and the service's TLS identity */
  GMutex          ca_lock;
  ZidCa          *ca;
  char           *ca_pin;    /* the CA certificate's pin */
  gboolean        ca_bound;  /* the database names this CA (settings 'ca-pin') */
  char           *pin;
  char           *tls_cert;
  char           *tls_key;

  /* guarded by the store's transaction: the last date range of the audit
   * trail turned into ids, and the newest event then (see audit_id_range) */
  struct { gint64 since, until, head, first, last; } audit_range;
};

gint64      _zid_portal_now                (ZidPortal       *self);
char       *_zid_portal_user_label         (gint64           user);
/* The audit's actor "WHO@ORIGIN" (a phone's or a client's address), or WHO */
char       *_zid_portal_origin_actor       (const char      *who,
                                            const char      *origin);
ZidCa      *_zid_portal_ensure_ca          (ZidPortal       *self,
                                            GError         **error);
/* In a write transaction that issues a certificate: the database names
 * this process's CA, the first CA to issue on it, or refuses */
gboolean    _zid_portal_bind_ca            (ZidPortal       *self,
                                            GError         **error);

/* Refusals */
gboolean    _zid_refuse                    (GError         **error,
                                            ZidError         code,
                                            const char      *format,
                                            ...) G_GNUC_PRINTF (3, 4);
gboolean    _zid_is_refusal                (const GError    *error);

/* The audit trail. Inside a write transaction: */
gboolean    _zid_portal_audit_append       (ZidPortal       *self,
                                            const char      *actor,
                                            const char      *action,
                                            const char      *subject,
                                            const char      *details,
                                            GError         **error);
void        _zid_portal_audit_refusal      (ZidPortal       *self,
                                            const char      *actor,
                                            const char      *action,
                                            const char      *subject,
                                            const GError    *error);

/* The skeleton of every change of state: one write transaction, the
 * rules checked inside it, one audit event when it commits, an audited
 * refusal when a rule refuses.
 *
 *   ZidWrite w;
 *
 *   if (!_zid_write_begin (&w, self, actor_label, "user.block", subject, error))
 *     return FALSE;
 *   ok = rule (..., &w.error) && change (..., &w.error);
 *   return _zid_write_end_audited (&w, ok, details, error);
 *
 * @actor and @subject (nullable) are taken over, also when begin fails.
 * The refusal or failure of the steps goes to w.error. */
typedef struct
{
  ZidPortal   *portal;
  char        *actor;
  const char  *action;
  char        *subject;
  GError      *error;
  /* the refusal's reason in the audit, when not the error code's name */
  const char  *reason;
} ZidWrite;

gboolean    _zid_write_begin               (ZidWrite        *w,
                                            ZidPortal       *self,
                                            char            *actor,
                                            const char      *action,
                                            char            *subject,
                                            GError         **error);
void        _zid_write_set_subject         (ZidWrite        *w,
                                            char            *subject);
void        _zid_write_set_actor           (ZidWrite        *w,
                                            char            *actor);
/* Commits if @ok (and nothing set w.error), else rolls back; no audit
 * event of its own */
gboolean    _zid_write_end                 (ZidWrite        *w,
                                            gboolean         ok,
                                            GError         **error);
/* As _zid_write_end, appending the audit event (w.action, @details) first */
gboolean    _zid_write_end_audited         (ZidWrite        *w,
                                            gboolean         ok,
                                            const char      *details,
                                            GError         **error);

/* One-time codes (inside a write transaction) */
void        _zid_code_hash                 (const char      *code,
                                            guint8           hash[32]);
char       *_zid_portal_make_payload       (ZidPortal       *self,
                                            const char      *kind,
                                            const char      *params,
                                            GError         **error);
ZidOneTimeCode *_zid_portal_new_code       (ZidPortal       *self,
                                            gint64           user,
                                            ZidCodePurpose   purpose,
                                            GError         **error);
ZidOneTimeCode *_zid_portal_new_code_after (ZidPortal       *self,
                                            gint64           user,
                                            ZidCodePurpose   purpose,
                                            const char      *prefix,
                                            gboolean         new_user,
                                            GError         **error);

/* Inside a write transaction: a new login session (zid-portal-phone.c) */
ZidOneTimeCode *_zid_portal_new_login      (ZidPortal       *self,
                                            char           **session_id,
                                            GError         **error);

/* Lookups and rules (zid-portal-authority.c), inside a transaction */
gboolean    _zid_portal_load_user          (ZidPortal       *self,
                                            gint64           user,
                                            gboolean        *blocked,
                                            int             *mobile_id,
                                            GError         **error);
ZidRole     _zid_portal_role_in            (ZidPortal       *self,
                                            gint64           user,
                                            gint64           organisation);
char       *_zid_portal_role_beyond_authority (ZidPortal    *self,
                                            gint64           actor,
                                            gint64           user,
                                            ZidRole         *role);
char       *_zid_portal_only_administrator_of (ZidPortal    *self,
                                            gint64           user,
                                            gint64           organisation);
gboolean    _zid_portal_check_actor        (ZidPortal       *self,
                                            gint64           actor,
                                            GError         **error);
/* _zid_portal_check_action() is the two below in a row: the actor and
 * the authority over @user in @organisation, then the rules on the user's
 * state for @action (none for most actions) */
gboolean    _zid_portal_check_authority    (ZidPortal       *self,
                                            gint64           actor,
                                            ZidAction        action,
                                            gint64           user,
                                            gint64           organisation,
                                            GError         **error);
gboolean    _zid_portal_check_user_state   (ZidPortal       *self,
                                            ZidAction        action,
                                            gint64           user,
                                            GError         **error);
gboolean    _zid_portal_check_action       (ZidPortal       *self,
                                            gint64           actor,
                                            ZidAction        action,
                                            gint64           user,
                                            gint64           organisation,
                                            GError         **error);
gboolean    _zid_portal_may_assign_role    (ZidPortal       *self,
                                            gint64           actor,
                                            gint64           organisation,
                                            ZidRole          role);
gboolean    _zid_portal_check_role_change  (ZidPortal       *self,
                                            gint64           actor,
                                            gint64           user,
                                            gint64           organisation,
                                            ZidRole          role,
                                            GError         **error);
gboolean    _zid_portal_check_attribute_type (gint64         actor,
                                            gint64           user,
                                            ZidAttributeType type,
                                            GError         **error);

/* Users (zid-portal-users.c), inside a write transaction */
gint64      _zid_portal_insert_user        (ZidPortal       *self,
                                            const char      *first_name,
                                            const char      *last_name,
                                            const char      *birth_date,
                                            const char      *uzi_number,
                                            GError         **error);
/* A membership of @user (named so, the names as stored) and its search keys */
gboolean    _zid_portal_add_member         (ZidPortal       *self,
                                            gint64           user,
                                            gint64           organisation,
                                            ZidRole          role,
                                            const char      *first_name,
                                            const char      *last_name,
                                            GError         **error);
gboolean    _zid_portal_set_membership_row (ZidPortal       *self,
                                            gint64           user,
                                            gint64           organisation,
                                            ZidRole          role,
                                            GError         **error);
gboolean    _zid_portal_validate_person    (ZidPortal       *self,
                                            const char      *first_name,
                                            const char      *last_name,
                                            const char      *birth_date,
                                            GError         **error);

/* The name of the database file in the data folder */
#define ZID_PORTAL_DATABASE_FILE "zorgid.db"

/* The refusals of a phone's login (and of an actor who may not use the
 * portal), each with its one message */
gboolean    _zid_refuse_login        (GError     **error,
                                      ZidError     code);
/* A refusal a login session keeps for whoever waits for it
 * (zid_portal_login_poll): its name, NULL for a refusal it does not keep;
 * and back to the refusal (FALSE, @error set; TRUE for NULL) */
const char *_zid_login_refusal_name  (int          code);
gboolean    _zid_login_refusal_error (const char  *name,
                                      GError     **error);

/* The data dir's database setting (zid_portal_dup_database_setting) */
#define ZID_PORTAL_STORE_CONF "store.conf"

/* zid-portal-backend.c: ZidPortal as the local ZidBackend */
void        _zid_portal_backend_init       (ZidBackendInterface *iface);

G_END_DECLS
