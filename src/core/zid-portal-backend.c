/* zid-portal-backend.c — ZidPortal as the local ZidBackend
 *
 * Each method is the zid_portal_ function of the same name: the store on
 * this computer, in this process.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include "zid-portal-private.h"

static gint64
portal_add_attribute (ZidBackend  *self,
                      gint64       actor,
                      gint64       user,
                      const char  *type,
                      gint64       organisation,
                      const char  *task_code,
                      GError     **error)
{
  return zid_portal_add_attribute (ZID_PORTAL (self), actor, user, type, organisation, task_code, error);
}

static GPtrArray *
portal_add_trust (ZidBackend    *self,
                  ZidTrustKind   kind,
                  GBytes        *data,
                  GError       **error)
{
  return zid_portal_add_trust (ZID_PORTAL (self), kind, data, error);
}

static gint64
portal_add_uzi_attribute (ZidBackend           *self,
                          gint64                actor,
                          gint64                organisation,
                          const ZidCardHolder  *verified_holder,
                          GError              **error)
{
  return zid_portal_add_uzi_attribute (ZID_PORTAL (self), actor, organisation, verified_holder, error);
}

static gboolean
portal_audit (ZidBackend  *self,
              const char  *actor,
              const char  *action,
              const char  *subject,
              const char  *details,
              GError     **error)
{
  return zid_portal_audit (ZID_PORTAL (self), actor, action, subject, details, error);
}

static gboolean
portal_block_user (ZidBackend      *self,
                   gint64           actor,
                   gint64           user,
                   ZidBlockReason   reason,
                   GError         **error)
{
  return zid_portal_block_user (ZID_PORTAL (self), actor, user, reason, error);
}

static gboolean
portal_check_action (ZidBackend  *self,
                     gint64       actor,
                     ZidAction    action,
                     gint64       user,
                     gint64       organisation,
                     GError     **error)
{
  return zid_portal_check_action (ZID_PORTAL (self), actor, action, user, organisation, error);
}

static gboolean
portal_check_import (ZidBackend  *self,
                     gint64       actor,
                     gint64       organisation,
                     ZidRole      role,
                     ZidImport   *import,
                     GError     **error)
{
  return zid_portal_check_import (ZID_PORTAL (self), actor, organisation, role, import, error);
}

static ZidRegistration *
portal_check_registration (ZidBackend           *self,
                           const ZidCardHolder  *holder,
                           gint64               *existing_user,
                           GError              **error)
{
  return zid_portal_check_registration (ZID_PORTAL (self), holder, existing_user, error);
}

static ZidCompletion *
portal_complete_registration (ZidBackend           *self,
                              const ZidCardHolder  *holder,
                              const char           *birth_date,
                              GError              **error)
{
  return zid_portal_complete_registration (ZID_PORTAL (self), holder, birth_date, error);
}

static GPtrArray *
portal_describe_audit (ZidBackend  *self,
                       gint64       actor,
                       GPtrArray   *events,
                       GError     **error)
{
  return zid_portal_describe_audit (ZID_PORTAL (self), actor, events, error);
}

static char *
portal_dup_service_address (ZidBackend *self)
{
  return zid_portal_dup_service_address (ZID_PORTAL (self));
}

static gboolean
portal_export_audit_csv (ZidBackend            *self,
                         const ZidAuditFilter  *filter,
                         char                   separator,
                         GOutputStream         *out,
                         GCancellable          *cancellable,
                         guint64               *n_events,
                         GError               **error)
{
  return zid_portal_export_audit_csv (ZID_PORTAL (self), filter, separator, out, cancellable, n_events, error);
}

static gboolean
portal_export_pending_csv (ZidBackend     *self,
                           gint64          actor,
                           gint64          organisation,
                           char            separator,
                           GOutputStream  *out,
                           GCancellable   *cancellable,
                           guint          *n_pending,
                           GError        **error)
{
  return zid_portal_export_pending_csv (ZID_PORTAL (self), actor, organisation, separator, out, cancellable, n_pending, error);
}

static gboolean
portal_export_users_csv (ZidBackend     *self,
                         gint64          actor,
                         gint64          organisation,
                         char            separator,
                         GOutputStream  *out,
                         GCancellable   *cancellable,
                         guint          *n_users,
                         GError        **error)
{
  return zid_portal_export_users_csv (ZID_PORTAL (self), actor, organisation, separator, out, cancellable, n_users, error);
}

static GPtrArray *
portal_find_audit_users (ZidBackend  *self,
                         gint64       actor,
                         const char  *name,
                         guint        limit,
                         GError     **error)
{
  return zid_portal_find_audit_users (ZID_PORTAL (self), actor, name, limit, error);
}

static ZidRegistration *
portal_find_registration (ZidBackend  *self,
                          const char  *ura,
                          GError     **error)
{
  return zid_portal_find_registration (ZID_PORTAL (self), ura, error);
}

static GPtrArray *
portal_find_same_person (ZidBackend  *self,
                         gint64       actor,
                         const char  *first_name,
                         const char  *last_name,
                         const char  *birth_date,
                         GError     **error)
{
  return zid_portal_find_same_person (ZID_PORTAL (self), actor, first_name, last_name, birth_date, error);
}

static ZidCapabilities *
portal_get_capabilities (ZidBackend  *self,
                         gint64       actor,
                         gint64       user,
                         GError     **error)
{
  return zid_portal_get_capabilities (ZID_PORTAL (self), actor, user, error);
}

static ZidClock *
portal_get_clock (ZidBackend *self)
{
  return zid_portal_get_clock (ZID_PORTAL (self));
}

static const char *
portal_get_data_dir (ZidBackend *self)
{
  return zid_portal_get_data_dir (ZID_PORTAL (self));
}

static ZidEnvironment
portal_get_environment (ZidBackend *self)
{
  return zid_portal_get_environment (ZID_PORTAL (self));
}

static gboolean
portal_get_inactive_user (ZidBackend  *self,
                          gint64       actor,
                          gint64       organisation,
                          gint64       user,
                          ZidUser    **inactive,
                          GError     **error)
{
  return zid_portal_get_inactive_user (ZID_PORTAL (self), actor, organisation, user, inactive, error);
}

static ZidUser *
portal_get_user (ZidBackend  *self,
                 gint64       actor,
                 gint64       user,
                 GError     **error)
{
  return zid_portal_get_user (ZID_PORTAL (self), actor, user, error);
}

static gboolean
portal_import_users (ZidBackend            *self,
                     gint64                 actor,
                     gint64                 organisation,
                     ZidRole                role,
                     ZidImport             *import,
                     ZidImportLettersFunc   letters,
                     gpointer               user_data,
                     GError               **error)
{
  return zid_portal_import_users (ZID_PORTAL (self), actor, organisation, role, import, letters, user_data, error);
}

static GPtrArray *
portal_list_attributes (ZidBackend  *self,
                        gint64       actor,
                        gint64       user,
                        GError     **error)
{
  return zid_portal_list_attributes (ZID_PORTAL (self), actor, user, error);
}

static GPtrArray *
portal_list_audit_page (ZidBackend            *self,
                        const ZidAuditFilter  *filter,
                        gint64                 before,
                        guint                  limit,
                        GError               **error)
{
  return zid_portal_list_audit_page (ZID_PORTAL (self), filter, before, limit, error);
}

static GPtrArray *
portal_list_certificates (ZidBackend  *self,
                          gint64       actor,
                          gint64       user,
                          GError     **error)
{
  return zid_portal_list_certificates (ZID_PORTAL (self), actor, user, error);
}

static gboolean
portal_list_changes (ZidBackend  *self,
                     gint64       since,
                     gint64      *latest,
                     GArray      *users,
                     GArray      *organisations,
                     GError     **error)
{
  return zid_portal_list_changes (ZID_PORTAL (self), since, latest, users, organisations, error);
}

static GPtrArray *
portal_list_inactive (ZidBackend  *self,
                      gint64       actor,
                      gint64       organisation,
                      GError     **error)
{
  return zid_portal_list_inactive (ZID_PORTAL (self), actor, organisation, error);
}

static GPtrArray *
portal_list_organisations (ZidBackend  *self,
                           gint64       actor,
                           GError     **error)
{
  return zid_portal_list_organisations (ZID_PORTAL (self), actor, error);
}

static GPtrArray *
portal_list_pending (ZidBackend  *self,
                     gint64       actor,
                     gint64       organisation,
                     GError     **error)
{
  return zid_portal_list_pending (ZID_PORTAL (self), actor, organisation, error);
}

static GPtrArray *
portal_list_registrations (ZidBackend  *self,
                           gboolean     include_completed,
                           GError     **error)
{
  return zid_portal_list_registrations (ZID_PORTAL (self), include_completed, error);
}

static GPtrArray *
portal_list_trust (ZidBackend   *self,
                   ZidTrustKind  kind)
{
  return zid_portal_list_trust (ZID_PORTAL (self), kind);
}

static GPtrArray *
portal_list_users (ZidBackend  *self,
                   gint64       actor,
                   gint64       organisation,
                   const char  *search,
                   GError     **error)
{
  return zid_portal_list_users (ZID_PORTAL (self), actor, organisation, search, error);
}

static ZidOneTimeCode *
portal_login_begin (ZidBackend  *self,
                    char       **session_id,
                    GError     **error)
{
  return zid_portal_login_begin (ZID_PORTAL (self), session_id, error);
}

static ZidLoginState
portal_login_poll (ZidBackend  *self,
                   const char  *session_id,
                   gint64      *user,
                   GError     **refusal,
                   GError     **error)
{
  return zid_portal_login_poll (ZID_PORTAL (self), session_id, user, refusal, error);
}

static ZidOneTimeCode *
portal_new_certificate (ZidBackend  *self,
                        gint64       actor,
                        gint64       user,
                        GError     **error)
{
  return zid_portal_new_certificate (ZID_PORTAL (self), actor, user, error);
}

static GPtrArray *
portal_new_certificates (ZidBackend           *self,
                         gint64                actor,
                         const gint64         *users,
                         guint                 n,
                         ZidCodesLettersFunc   letters,
                         gpointer              user_data,
                         GError              **error)
{
  return zid_portal_new_certificates (ZID_PORTAL (self), actor, users, n, letters, user_data, error);
}

static gboolean
portal_poll_changes (ZidBackend       *self,
                     ZidChangeVersion *version)
{
  return zid_portal_poll_changes (ZID_PORTAL (self), version);
}

static ZidRegistrationFileInfo *
portal_registration_file_inspect (ZidBackend  *self,
                                  const char  *path,
                                  const char  *trust_dir,
                                  GError     **error)
{
  return zid_registration_file_inspect (ZID_PORTAL (self), path, trust_dir, error);
}

static ZidRegistration *
portal_registration_file_import (ZidBackend   *self,
                                 const char   *path,
                                 const char   *trust_dir,
                                 char        **signer_subject,
                                 gboolean     *already_present,
                                 GError      **error)
{
  return zid_registration_file_import (ZID_PORTAL (self), path, trust_dir, signer_subject,
                                       already_present, error);
}

static ZidOneTimeCode *
portal_register_user (ZidBackend  *self,
                      gint64       actor,
                      gint64       organisation,
                      const char  *first_name,
                      const char  *last_name,
                      const char  *birth_date,
                      GError     **error)
{
  return zid_portal_register_user (ZID_PORTAL (self), actor, organisation, first_name, last_name, birth_date, error);
}

static gboolean
portal_remove_trust (ZidBackend    *self,
                     ZidTrustKind   kind,
                     const char    *fingerprint,
                     GError       **error)
{
  return zid_portal_remove_trust (ZID_PORTAL (self), kind, fingerprint, error);
}

static gboolean
portal_revoke_certificate (ZidBackend  *self,
                           gint64       actor,
                           gint64       user,
                           const char  *serial,
                           GError     **error)
{
  return zid_portal_revoke_certificate (ZID_PORTAL (self), actor, user, serial, error);
}

static gboolean
portal_set_membership (ZidBackend      *self,
                       gint64           actor,
                       gint64           user,
                       gint64           organisation,
                       ZidRole          role,
                       ZidOneTimeCode **enrolment,
                       GError         **error)
{
  return zid_portal_set_membership (ZID_PORTAL (self), actor, user, organisation, role, enrolment, error);
}

static gboolean
portal_set_service_address (ZidBackend  *self,
                            const char  *address,
                            GError     **error)
{
  return zid_portal_set_service_address (ZID_PORTAL (self), address, error);
}

static gboolean
portal_unblock_user (ZidBackend  *self,
                     gint64       actor,
                     gint64       user,
                     GError     **error)
{
  return zid_portal_unblock_user (ZID_PORTAL (self), actor, user, error);
}

static gboolean
portal_verify_audit (ZidBackend  *self,
                     gint64      *bad_event,
                     GError     **error)
{
  return zid_portal_verify_audit (ZID_PORTAL (self), bad_event, error);
}

void
_zid_portal_backend_init (ZidBackendInterface *iface)
{
  iface->add_attribute = portal_add_attribute;
  iface->add_trust = portal_add_trust;
  iface->add_uzi_attribute = portal_add_uzi_attribute;
  iface->audit = portal_audit;
  iface->block_user = portal_block_user;
  iface->check_action = portal_check_action;
  iface->check_import = portal_check_import;
  iface->check_registration = portal_check_registration;
  iface->complete_registration = portal_complete_registration;
  iface->describe_audit = portal_describe_audit;
  iface->dup_service_address = portal_dup_service_address;
  iface->export_audit_csv = portal_export_audit_csv;
  iface->export_pending_csv = portal_export_pending_csv;
  iface->export_users_csv = portal_export_users_csv;
  iface->find_audit_users = portal_find_audit_users;
  iface->find_registration = portal_find_registration;
  iface->find_same_person = portal_find_same_person;
  iface->get_capabilities = portal_get_capabilities;
  iface->get_clock = portal_get_clock;
  iface->get_data_dir = portal_get_data_dir;
  iface->get_environment = portal_get_environment;
  iface->get_inactive_user = portal_get_inactive_user;
  iface->get_user = portal_get_user;
  iface->import_users = portal_import_users;
  iface->list_attributes = portal_list_attributes;
  iface->list_audit_page = portal_list_audit_page;
  iface->list_certificates = portal_list_certificates;
  iface->list_changes = portal_list_changes;
  iface->list_inactive = portal_list_inactive;
  iface->list_organisations = portal_list_organisations;
  iface->list_pending = portal_list_pending;
  iface->list_registrations = portal_list_registrations;
  iface->list_trust = portal_list_trust;
  iface->list_users = portal_list_users;
  iface->login_begin = portal_login_begin;
  iface->login_poll = portal_login_poll;
  iface->new_certificate = portal_new_certificate;
  iface->new_certificates = portal_new_certificates;
  iface->poll_changes = portal_poll_changes;
  iface->registration_file_import = portal_registration_file_import;
  iface->registration_file_inspect = portal_registration_file_inspect;
  iface->register_user = portal_register_user;
  iface->remove_trust = portal_remove_trust;
  iface->revoke_certificate = portal_revoke_certificate;
  iface->set_membership = portal_set_membership;
  iface->set_service_address = portal_set_service_address;
  iface->unblock_user = portal_unblock_user;
  iface->verify_audit = portal_verify_audit;
}
