/* zid-backend.c — the dispatch of ZidBackend to its implementation
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include "zid-backend.h"
#include "zid-i18n.h"

G_DEFINE_INTERFACE (ZidBackend, zid_backend, G_TYPE_OBJECT)

static void
zid_backend_default_init (ZidBackendInterface *iface)
{
  g_signal_new ("status-changed", ZID_TYPE_BACKEND, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                G_TYPE_NONE, 0);
  g_signal_new ("session-ended", ZID_TYPE_BACKEND, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
not_available (GError     **error,
               const char  *method)
{
  g_debug ("Backend method %s is not implemented", method);
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       _("This cannot be done through the portal server yet. "
                         "Work on the portal's own database for it."));
}

/* The body of a method with a GError: the implementation's, or refused
 * when it has none */
#define DISPATCH(method, failed, ...) \
  G_STMT_START { \
    ZidBackendInterface *iface_; \
    g_return_val_if_fail (ZID_IS_BACKEND (self), failed); \
    iface_ = ZID_BACKEND_GET_IFACE (self); \
    if (iface_->method == NULL) \
      { \
        not_available (error, #method); \
        return failed; \
      } \
    return iface_->method (self, __VA_ARGS__); \
  } G_STMT_END

/* The body of a method every implementation has */
#define DISPATCH_ALWAYS(method, failed, ...) \
  G_STMT_START { \
    g_return_val_if_fail (ZID_IS_BACKEND (self), failed); \
    return ZID_BACKEND_GET_IFACE (self)->method (self, ##__VA_ARGS__); \
  } G_STMT_END

gint64
zid_backend_add_attribute (ZidBackend  *self,
                           gint64       actor,
                           gint64       user,
                           const char  *type,
                           gint64       organisation,
                           const char  *task_code,
                           GError     **error)
{
  DISPATCH (add_attribute, 0, actor, user, type, organisation, task_code, error);
}

GPtrArray *
zid_backend_add_trust (ZidBackend    *self,
                       ZidTrustKind   kind,
                       GBytes        *data,
                       GError       **error)
{
  DISPATCH (add_trust, NULL, kind, data, error);
}

gint64
zid_backend_add_uzi_attribute (ZidBackend           *self,
                               gint64                actor,
                               gint64                organisation,
                               const ZidCardHolder  *verified_holder,
                               GError              **error)
{
  DISPATCH (add_uzi_attribute, 0, actor, organisation, verified_holder, error);
}

gboolean
zid_backend_audit (ZidBackend  *self,
                   const char  *actor,
                   const char  *action,
                   const char  *subject,
                   const char  *details,
                   GError     **error)
{
  DISPATCH (audit, FALSE, actor, action, subject, details, error);
}

gboolean
zid_backend_block_user (ZidBackend      *self,
                        gint64           actor,
                        gint64           user,
                        ZidBlockReason   reason,
                        GError         **error)
{
  DISPATCH (block_user, FALSE, actor, user, reason, error);
}

gboolean
zid_backend_check_action (ZidBackend  *self,
                          gint64       actor,
                          ZidAction    action,
                          gint64       user,
                          gint64       organisation,
                          GError     **error)
{
  DISPATCH (check_action, FALSE, actor, action, user, organisation, error);
}

gboolean
zid_backend_check_import (ZidBackend  *self,
                          gint64       actor,
                          gint64       organisation,
                          ZidRole      role,
                          ZidImport   *import,
                          GError     **error)
{
  DISPATCH (check_import, FALSE, actor, organisation, role, import, error);
}

ZidRegistration *
zid_backend_check_registration (ZidBackend           *self,
                                const ZidCardHolder  *holder,
                                gint64               *existing_user,
                                GError              **error)
{
  DISPATCH (check_registration, NULL, holder, existing_user, error);
}

ZidCompletion *
zid_backend_complete_registration (ZidBackend           *self,
                                   const ZidCardHolder  *holder,
                                   const char           *birth_date,
                                   GError              **error)
{
  DISPATCH (complete_registration, NULL, holder, birth_date, error);
}

GPtrArray *
zid_backend_describe_audit (ZidBackend  *self,
                            gint64       actor,
                            GPtrArray   *events,
                            GError     **error)
{
  DISPATCH (describe_audit, NULL, actor, events, error);
}

char *
zid_backend_dup_service_address (ZidBackend *self)
{
  DISPATCH_ALWAYS (dup_service_address, NULL);
}

gboolean
zid_backend_export_audit_csv (ZidBackend            *self,
                              const ZidAuditFilter  *filter,
                              char                   separator,
                              GOutputStream         *out,
                              GCancellable          *cancellable,
                              guint64               *n_events,
                              GError               **error)
{
  DISPATCH (export_audit_csv, FALSE, filter, separator, out, cancellable, n_events, error);
}

gboolean
zid_backend_export_pending_csv (ZidBackend     *self,
                                gint64          actor,
                                gint64          organisation,
                                char            separator,
                                GOutputStream  *out,
                                GCancellable   *cancellable,
                                guint          *n_pending,
                                GError        **error)
{
  DISPATCH (export_pending_csv, FALSE, actor, organisation, separator, out, cancellable, n_pending, error);
}

gboolean
zid_backend_export_users_csv (ZidBackend     *self,
                              gint64          actor,
                              gint64          organisation,
                              char            separator,
                              GOutputStream  *out,
                              GCancellable   *cancellable,
                              guint          *n_users,
                              GError        **error)
{
  DISPATCH (export_users_csv, FALSE, actor, organisation, separator, out, cancellable, n_users, error);
}

GPtrArray *
zid_backend_find_audit_users (ZidBackend  *self,
                              gint64       actor,
                              const char  *name,
                              guint        limit,
                              GError     **error)
{
  DISPATCH (find_audit_users, NULL, actor, name, limit, error);
}

ZidRegistration *
zid_backend_find_registration (ZidBackend  *self,
                               const char  *ura,
                               GError     **error)
{
  DISPATCH (find_registration, NULL, ura, error);
}

GPtrArray *
zid_backend_find_same_person (ZidBackend  *self,
                              gint64       actor,
                              const char  *first_name,
                              const char  *last_name,
                              const char  *birth_date,
                              GError     **error)
{
  DISPATCH (find_same_person, NULL, actor, first_name, last_name, birth_date, error);
}

ZidCapabilities *
zid_backend_get_capabilities (ZidBackend  *self,
                              gint64       actor,
                              gint64       user,
                              GError     **error)
{
  DISPATCH (get_capabilities, NULL, actor, user, error);
}

ZidClock *
zid_backend_get_clock (ZidBackend *self)
{
  DISPATCH_ALWAYS (get_clock, NULL);
}

const char *
zid_backend_get_data_dir (ZidBackend *self)
{
  DISPATCH_ALWAYS (get_data_dir, NULL);
}

ZidEnvironment
zid_backend_get_environment (ZidBackend *self)
{
  DISPATCH_ALWAYS (get_environment, ZID_ENVIRONMENT_ACCEPTATIE);
}

gboolean
zid_backend_get_inactive_user (ZidBackend  *self,
                               gint64       actor,
                               gint64       organisation,
                               gint64       user,
                               ZidUser    **inactive,
                               GError     **error)
{
  DISPATCH (get_inactive_user, FALSE, actor, organisation, user, inactive, error);
}

ZidUser *
zid_backend_get_user (ZidBackend  *self,
                      gint64       actor,
                      gint64       user,
                      GError     **error)
{
  DISPATCH (get_user, NULL, actor, user, error);
}

gboolean
zid_backend_import_users (ZidBackend            *self,
                          gint64                 actor,
                          gint64                 organisation,
                          ZidRole                role,
                          ZidImport             *import,
                          ZidImportLettersFunc   letters,
                          gpointer               user_data,
                          GError               **error)
{
  DISPATCH (import_users, FALSE, actor, organisation, role, import, letters, user_data, error);
}

GPtrArray *
zid_backend_list_attributes (ZidBackend  *self,
                             gint64       actor,
                             gint64       user,
                             GError     **error)
{
  DISPATCH (list_attributes, NULL, actor, user, error);
}

GPtrArray *
zid_backend_list_audit_page (ZidBackend            *self,
                             const ZidAuditFilter  *filter,
                             gint64                 before,
                             guint                  limit,
                             GError               **error)
{
  DISPATCH (list_audit_page, NULL, filter, before, limit, error);
}

GPtrArray *
zid_backend_list_certificates (ZidBackend  *self,
                               gint64       actor,
                               gint64       user,
                               GError     **error)
{
  DISPATCH (list_certificates, NULL, actor, user, error);
}

gboolean
zid_backend_list_changes (ZidBackend  *self,
                          gint64       since,
                          gint64      *latest,
                          GArray      *users,
                          GArray      *organisations,
                          GError     **error)
{
  DISPATCH (list_changes, FALSE, since, latest, users, organisations, error);
}

GPtrArray *
zid_backend_list_inactive (ZidBackend  *self,
                           gint64       actor,
                           gint64       organisation,
                           GError     **error)
{
  DISPATCH (list_inactive, NULL, actor, organisation, error);
}

GPtrArray *
zid_backend_list_organisations (ZidBackend  *self,
                                gint64       actor,
                                GError     **error)
{
  DISPATCH (list_organisations, NULL, actor, error);
}

GPtrArray *
zid_backend_list_pending (ZidBackend  *self,
                          gint64       actor,
                          gint64       organisation,
                          GError     **error)
{
  DISPATCH (list_pending, NULL, actor, organisation, error);
}

GPtrArray *
zid_backend_list_registrations (ZidBackend  *self,
                                gboolean     include_completed,
                                GError     **error)
{
  DISPATCH (list_registrations, NULL, include_completed, error);
}

GPtrArray *
zid_backend_list_trust (ZidBackend   *self,
                        ZidTrustKind  kind)
{
  DISPATCH_ALWAYS (list_trust, NULL, kind);
}

GPtrArray *
zid_backend_list_users (ZidBackend  *self,
                        gint64       actor,
                        gint64       organisation,
                        const char  *search,
                        GError     **error)
{
  DISPATCH (list_users, NULL, actor, organisation, search, error);
}

ZidOneTimeCode *
zid_backend_login_begin (ZidBackend  *self,
                         char       **session_id,
                         GError     **error)
{
  DISPATCH (login_begin, NULL, session_id, error);
}

ZidLoginState
zid_backend_login_poll (ZidBackend  *self,
                        const char  *session_id,
                        gint64      *user,
                        GError     **refusal,
                        GError     **error)
{
  DISPATCH (login_poll, ZID_LOGIN_PENDING, session_id, user, refusal, error);
}

ZidOneTimeCode *
zid_backend_new_certificate (ZidBackend  *self,
                             gint64       actor,
                             gint64       user,
                             GError     **error)
{
  DISPATCH (new_certificate, NULL, actor, user, error);
}

GPtrArray *
zid_backend_new_certificates (ZidBackend           *self,
                              gint64                actor,
                              const gint64         *users,
                              guint                 n,
                              ZidCodesLettersFunc   letters,
                              gpointer              user_data,
                              GError              **error)
{
  DISPATCH (new_certificates, NULL, actor, users, n, letters, user_data, error);
}

gboolean
zid_backend_poll_changes (ZidBackend       *self,
                          ZidChangeVersion *version)
{
  DISPATCH_ALWAYS (poll_changes, FALSE, version);
}

ZidOneTimeCode *
zid_backend_register_user (ZidBackend  *self,
                           gint64       actor,
                           gint64       organisation,
                           const char  *first_name,
                           const char  *last_name,
                           const char  *birth_date,
                           GError     **error)
{
  DISPATCH (register_user, NULL, actor, organisation, first_name, last_name, birth_date, error);
}

gboolean
zid_backend_remove_trust (ZidBackend    *self,
                          ZidTrustKind   kind,
                          const char    *fingerprint,
                          GError       **error)
{
  DISPATCH (remove_trust, FALSE, kind, fingerprint, error);
}

gboolean
zid_backend_revoke_certificate (ZidBackend  *self,
                                gint64       actor,
                                gint64       user,
                                const char  *serial,
                                GError     **error)
{
  DISPATCH (revoke_certificate, FALSE, actor, user, serial, error);
}

gboolean
zid_backend_set_membership (ZidBackend      *self,
                            gint64           actor,
                            gint64           user,
                            gint64           organisation,
                            ZidRole          role,
                            ZidOneTimeCode **enrolment,
                            GError         **error)
{
  DISPATCH (set_membership, FALSE, actor, user, organisation, role, enrolment, error);
}

gboolean
zid_backend_set_service_address (ZidBackend  *self,
                                 const char  *address,
                                 GError     **error)
{
  DISPATCH (set_service_address, FALSE, address, error);
}

gboolean
zid_backend_unblock_user (ZidBackend  *self,
                          gint64       actor,
                          gint64       user,
                          GError     **error)
{
  DISPATCH (unblock_user, FALSE, actor, user, error);
}

gboolean
zid_backend_verify_audit (ZidBackend  *self,
                          gint64      *bad_event,
                          GError     **error)
{
  DISPATCH (verify_audit, FALSE, bad_event, error);
}

ZidRegistrationFileInfo *
zid_backend_registration_file_inspect (ZidBackend  *self,
                                       const char  *path,
                                       const char  *trust_dir,
                                       GError     **error)
{
  DISPATCH (registration_file_inspect, NULL, path, trust_dir, error);
}

ZidRegistration *
zid_backend_registration_file_import (ZidBackend   *self,
                                      const char   *path,
                                      const char   *trust_dir,
                                      char        **signer_subject,
                                      gboolean     *already_present,
                                      GError      **error)
{
  DISPATCH (registration_file_import, NULL, path, trust_dir, signer_subject, already_present, error);
}

char *
zid_backend_dup_location (ZidBackend *self)
{
  ZidBackendInterface *iface;

  g_return_val_if_fail (ZID_IS_BACKEND (self), NULL);

  iface = ZID_BACKEND_GET_IFACE (self);
  return iface->dup_location ? iface->dup_location (self) : NULL;
}

char *
zid_backend_dup_status_message (ZidBackend *self)
{
  ZidBackendInterface *iface;

  g_return_val_if_fail (ZID_IS_BACKEND (self), NULL);

  iface = ZID_BACKEND_GET_IFACE (self);
  return iface->dup_status_message ? iface->dup_status_message (self) : NULL;
}

void
zid_backend_end_session (ZidBackend *self)
{
  ZidBackendInterface *iface;

  g_return_if_fail (ZID_IS_BACKEND (self));

  iface = ZID_BACKEND_GET_IFACE (self);
  if (iface->end_session != NULL)
    iface->end_session (self);
}
