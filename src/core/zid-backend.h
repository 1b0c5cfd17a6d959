/* zid-backend.h — what the window reaches the portal through
 *
 * One interface, two implementations: the local one is ZidPortal itself
 * (the store on this computer, in process), the remote one speaks to an
 * organisation server's admin API (docs/server.md). The window, its views
 * and the flows they run (src/ui, src/flow) hold a ZidBackend and never
 * learn which one it is.
 *
 * Every method is the zid_portal_ function of the same name, with the same
 * contract (zid-portal.h, zid-trust-store.h); registration_file_inspect and
 * _import are zid_registration_file_inspect and _import, whose @path is a
 * file on this computer: blocking, so a view calls it
 * from a worker (zid_work_run); @actor is the logged-in user, whom a remote
 * backend's server knows from its session and checks again. A method an
 * implementation does not offer fails with G_IO_ERROR_NOT_SUPPORTED and a
 * message that says what cannot be done here, never silently.
 *
 * Three methods have no zid_portal_ twin: dup_location (where the window's
 * data is, for its header: NULL for the store on this computer),
 * dup_status_message (why it cannot do its work now, for a banner: NULL
 * while it can) and end_session (the window's logout: the local store has
 * no session to end). An implementation may leave them out.
 *
 * Signals, emitted on the main context the backend was made on:
 * "status-changed" (): dup_status_message may say something else now;
 * "session-ended" (const char *message): the session ended at the other
 * end (it expired, its user was blocked); @message says why, for the
 * administrator, who must log in again.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <gio/gio.h>

#include "zid-portal.h"
#include "zid-registration-file.h"
#include "zid-trust-store.h"

G_BEGIN_DECLS

#define ZID_TYPE_BACKEND (zid_backend_get_type ())
G_DECLARE_INTERFACE (ZidBackend, zid_backend, ZID, BACKEND, GObject)

struct _ZidBackendInterface
{
  GTypeInterface parent_iface;

  char *(*dup_location)       (ZidBackend *self);
  char *(*dup_status_message) (ZidBackend *self);
  void  (*end_session)        (ZidBackend *self);

  gint64 (*add_attribute) (ZidBackend  *self,
                           gint64       actor,
                           gint64       user,
                           const char  *type,
                           gint64       organisation,
                           const char  *task_code,
                           GError     **error);
  GPtrArray *(*add_trust) (ZidBackend    *self,
                           ZidTrustKind   kind,
                           GBytes        *data,
                           GError       **error);
  gint64 (*add_uzi_attribute) (ZidBackend           *self,
                               gint64                actor,
                               gint64                organisation,
                               const ZidCardHolder  *verified_holder,
                               GError              **error);
  gboolean (*audit) (ZidBackend  *self,
                     const char  *actor,
                     const char  *action,
                     const char  *subject,
                     const char  *details,
                     GError     **error);
  gboolean (*block_user) (ZidBackend      *self,
                          gint64           actor,
                          gint64           user,
                          ZidBlockReason   reason,
                          GError         **error);
  gboolean (*check_action) (ZidBackend  *self,
                            gint64       actor,
                            ZidAction    action,
                            gint64       user,
                            gint64       organisation,
                            GError     **error);
  gboolean (*check_import) (ZidBackend  *self,
                            gint64       actor,
                            gint64       organisation,
                            ZidRole      role,
                            ZidImport   *import,
                            GError     **error);
  ZidRegistration *(*check_registration) (ZidBackend           *self,
                                          const ZidCardHolder  *holder,
                                          gint64               *existing_user,
                                          GError              **error);
  ZidCompletion *(*complete_registration) (ZidBackend           *self,
                                           const ZidCardHolder  *holder,
                                           const char           *birth_date,
                                           GError              **error);
  GPtrArray *(*describe_audit) (ZidBackend  *self,
                                gint64       actor,
                                GPtrArray   *events,
                                GError     **error);
  char *(*dup_service_address) (ZidBackend *self);
  gboolean (*export_audit_csv) (ZidBackend            *self,
                                const ZidAuditFilter  *filter,
                                char                   separator,
                                GOutputStream         *out,
                                GCancellable          *cancellable,
                                guint64               *n_events,
                                GError               **error);
  gboolean (*export_pending_csv) (ZidBackend     *self,
                                  gint64          actor,
                                  gint64          organisation,
                                  char            separator,
                                  GOutputStream  *out,
                                  GCancellable   *cancellable,
                                  guint          *n_pending,
                                  GError        **error);
  gboolean (*export_users_csv) (ZidBackend     *self,
                                gint64          actor,
                                gint64          organisation,
                                char            separator,
                                GOutputStream  *out,
                                GCancellable   *cancellable,
                                guint          *n_users,
                                GError        **error);
  GPtrArray *(*find_audit_users) (ZidBackend  *self,
                                  gint64       actor,
                                  const char  *name,
                                  guint        limit,
                                  GError     **error);
  ZidRegistration *(*find_registration) (ZidBackend  *self,
                                         const char  *ura,
                                         GError     **error);
  GPtrArray *(*find_same_person) (ZidBackend  *self,
                                  gint64       actor,
                                  const char  *first_name,
                                  const char  *last_name,
                                  const char  *birth_date,
                                  GError     **error);
  ZidCapabilities *(*get_capabilities) (ZidBackend  *self,
                                        gint64       actor,
                                        gint64       user,
                                        GError     **error);
  ZidClock *(*get_clock) (ZidBackend *self);
  const char *(*get_data_dir) (ZidBackend *self);
  ZidEnvironment (*get_environment) (ZidBackend *self);
  gboolean (*get_inactive_user) (ZidBackend  *self,
                                 gint64       actor,
                                 gint64       organisation,
                                 gint64       user,
                                 ZidUser    **inactive,
                                 GError     **error);
  ZidUser *(*get_user) (ZidBackend  *self,
                        gint64       actor,
                        gint64       user,
                        GError     **error);
  gboolean (*import_users) (ZidBackend            *self,
                            gint64                 actor,
                            gint64                 organisation,
                            ZidRole                role,
                            ZidImport             *import,
                            ZidImportLettersFunc   letters,
                            gpointer               user_data,
                            GError               **error);
  GPtrArray *(*list_attributes) (ZidBackend  *self,
                                 gint64       actor,
                                 gint64       user,
                                 GError     **error);
  GPtrArray *(*list_audit_page) (ZidBackend            *self,
                                 const ZidAuditFilter  *filter,
                                 gint64                 before,
                                 guint                  limit,
                                 GError               **error);
  GPtrArray *(*list_certificates) (ZidBackend  *self,
                                   gint64       actor,
                                   gint64       user,
                                   GError     **error);
  gboolean (*list_changes) (ZidBackend  *self,
                            gint64       since,
                            gint64      *latest,
                            GArray      *users,
                            GArray      *organisations,
                            GError     **error);
  GPtrArray *(*list_inactive) (ZidBackend  *self,
                               gint64       actor,
                               gint64       organisation,
                               GError     **error);
  GPtrArray *(*list_organisations) (ZidBackend  *self,
                                    gint64       actor,
                                    GError     **error);
  GPtrArray *(*list_pending) (ZidBackend  *self,
                              gint64       actor,
                              gint64       organisation,
                              GError     **error);
  GPtrArray *(*list_registrations) (ZidBackend  *self,
                                    gboolean     include_completed,
                                    GError     **error);
  GPtrArray *(*list_trust) (ZidBackend   *self,
                            ZidTrustKind  kind);
  GPtrArray *(*list_users) (ZidBackend  *self,
                            gint64       actor,
                            gint64       organisation,
                            const char  *search,
                            GError     **error);
  ZidOneTimeCode *(*login_begin) (ZidBackend  *self,
                                  char       **session_id,
                                  GError     **error);
  ZidLoginState (*login_poll) (ZidBackend  *self,
                               const char  *session_id,
                               gint64      *user,
                               GError     **refusal,
                               GError     **error);
  ZidOneTimeCode *(*new_certificate) (ZidBackend  *self,
                                      gint64       actor,
                                      gint64       user,
                                      GError     **error);
  GPtrArray *(*new_certificates) (ZidBackend           *self,
                                  gint64                actor,
                                  const gint64         *users,
                                  guint                 n,
                                  ZidCodesLettersFunc   letters,
                                  gpointer              user_data,
                                  GError              **error);
  gboolean (*poll_changes) (ZidBackend       *self,
                            ZidChangeVersion *version);
  ZidRegistrationFileInfo *(*registration_file_inspect) (ZidBackend  *self,
                                                        const char  *path,
                                                        const char  *trust_dir,
                                                        GError     **error);
  ZidRegistration *(*registration_file_import) (ZidBackend   *self,
                                                const char   *path,
                                                const char   *trust_dir,
                                                char        **signer_subject,
                                                gboolean     *already_present,
                                                GError      **error);
  ZidOneTimeCode *(*register_user) (ZidBackend  *self,
                                    gint64       actor,
                                    gint64       organisation,
                                    const char  *first_name,
                                    const char  *last_name,
                                    const char  *birth_date,
                                    GError     **error);
  gboolean (*remove_trust) (ZidBackend    *self,
                            ZidTrustKind   kind,
                            const char    *fingerprint,
                            GError       **error);
  gboolean (*revoke_certificate) (ZidBackend  *self,
                                  gint64       actor,
                                  gint64       user,
                                  const char  *serial,
                                  GError     **error);
  gboolean (*set_membership) (ZidBackend      *self,
                              gint64           actor,
                              gint64           user,
                              gint64           organisation,
                              ZidRole          role,
                              ZidOneTimeCode **enrolment,
                              GError         **error);
  gboolean (*set_service_address) (ZidBackend  *self,
                                   const char  *address,
                                   GError     **error);
  gboolean (*unblock_user) (ZidBackend  *self,
                            gint64       actor,
                            gint64       user,
                            GError     **error);
  gboolean (*verify_audit) (ZidBackend  *self,
                            gint64      *bad_event,
                            GError     **error);
};

gint64           zid_backend_add_attribute         (ZidBackend  *self,
                                                    gint64       actor,
                                                    gint64       user,
                                                    const char  *type,
                                                    gint64       organisation,
                                                    const char  *task_code,
                                                    GError     **error);
GPtrArray       *zid_backend_add_trust             (ZidBackend    *self,
                                                    ZidTrustKind   kind,
                                                    GBytes        *data,
                                                    GError       **error);
gint64           zid_backend_add_uzi_attribute     (ZidBackend           *self,
                                                    gint64                actor,
                                                    gint64                organisation,
                                                    const ZidCardHolder  *verified_holder,
                                                    GError              **error);
gboolean         zid_backend_audit                 (ZidBackend  *self,
                                                    const char  *actor,
                                                    const char  *action,
                                                    const char  *subject,
                                                    const char  *details,
                                                    GError     **error);
gboolean         zid_backend_block_user            (ZidBackend      *self,
                                                    gint64           actor,
                                                    gint64           user,
                                                    ZidBlockReason   reason,
                                                    GError         **error);
gboolean         zid_backend_check_action          (ZidBackend  *self,
                                                    gint64       actor,
                                                    ZidAction    action,
                                                    gint64       user,
                                                    gint64       organisation,
                                                    GError     **error);
gboolean         zid_backend_check_import          (ZidBackend  *self,
                                                    gint64       actor,
                                                    gint64       organisation,
                                                    ZidRole      role,
                                                    ZidImport   *import,
                                                    GError     **error);
ZidRegistration *zid_backend_check_registration    (ZidBackend           *self,
                                                    const ZidCardHolder  *holder,
                                                    gint64               *existing_user,
                                                    GError              **error);
ZidCompletion   *zid_backend_complete_registration (ZidBackend           *self,
                                                    const ZidCardHolder  *holder,
                                                    const char           *birth_date,
                                                    GError              **error);
GPtrArray       *zid_backend_describe_audit        (ZidBackend  *self,
                                                    gint64       actor,
                                                    GPtrArray   *events,
                                                    GError     **error);
char            *zid_backend_dup_service_address   (ZidBackend *self);
gboolean         zid_backend_export_audit_csv      (ZidBackend            *self,
                                                    const ZidAuditFilter  *filter,
                                                    char                   separator,
                                                    GOutputStream         *out,
                                                    GCancellable          *cancellable,
                                                    guint64               *n_events,
                                                    GError               **error);
gboolean         zid_backend_export_pending_csv    (ZidBackend     *self,
                                                    gint64          actor,
                                                    gint64          organisation,
                                                    char            separator,
                                                    GOutputStream  *out,
                                                    GCancellable   *cancellable,
                                                    guint          *n_pending,
                                                    GError        **error);
gboolean         zid_backend_export_users_csv      (ZidBackend     *self,
                                                    gint64          actor,
                                                    gint64          organisation,
                                                    char            separator,
                                                    GOutputStream  *out,
                                                    GCancellable   *cancellable,
                                                    guint          *n_users,
                                                    GError        **error);
GPtrArray       *zid_backend_find_audit_users      (ZidBackend  *self,
                                                    gint64       actor,
                                                    const char  *name,
                                                    guint        limit,
                                                    GError     **error);
ZidRegistration *zid_backend_find_registration     (ZidBackend  *self,
                                                    const char  *ura,
                                                    GError     **error);
GPtrArray       *zid_backend_find_same_person      (ZidBackend  *self,
                                                    gint64       actor,
                                                    const char  *first_name,
                                                    const char  *last_name,
                                                    const char  *birth_date,
                                                    GError     **error);
ZidCapabilities *zid_backend_get_capabilities      (ZidBackend  *self,
                                                    gint64       actor,
                                                    gint64       user,
                                                    GError     **error);
ZidClock        *zid_backend_get_clock             (ZidBackend *self);
const char      *zid_backend_get_data_dir          (ZidBackend *self);
ZidEnvironment   zid_backend_get_environment       (ZidBackend *self);
gboolean         zid_backend_get_inactive_user     (ZidBackend  *self,
                                                    gint64       actor,
                                                    gint64       organisation,
                                                    gint64       user,
                                                    ZidUser    **inactive,
                                                    GError     **error);
ZidUser         *zid_backend_get_user              (ZidBackend  *self,
                                                    gint64       actor,
                                                    gint64       user,
                                                    GError     **error);
gboolean         zid_backend_import_users          (ZidBackend            *self,
                                                    gint64                 actor,
                                                    gint64                 organisation,
                                                    ZidRole                role,
                                                    ZidImport             *import,
                                                    ZidImportLettersFunc   letters,
                                                    gpointer               user_data,
                                                    GError               **error);
GPtrArray       *zid_backend_list_attributes       (ZidBackend  *self,
                                                    gint64       actor,
                                                    gint64       user,
                                                    GError     **error);
GPtrArray       *zid_backend_list_audit_page       (ZidBackend            *self,
                                                    const ZidAuditFilter  *filter,
                                                    gint64                 before,
                                                    guint                  limit,
                                                    GError               **error);
GPtrArray       *zid_backend_list_certificates     (ZidBackend  *self,
                                                    gint64       actor,
                                                    gint64       user,
                                                    GError     **error);
gboolean         zid_backend_list_changes          (ZidBackend  *self,
                                                    gint64       since,
                                                    gint64      *latest,
                                                    GArray      *users,
                                                    GArray      *organisations,
                                                    GError     **error);
GPtrArray       *zid_backend_list_inactive         (ZidBackend  *self,
                                                    gint64       actor,
                                                    gint64       organisation,
                                                    GError     **error);
GPtrArray       *zid_backend_list_organisations    (ZidBackend  *self,
                                                    gint64       actor,
                                                    GError     **error);
GPtrArray       *zid_backend_list_pending          (ZidBackend  *self,
                                                    gint64       actor,
                                                    gint64       organisation,
                                                    GError     **error);
GPtrArray       *zid_backend_list_registrations    (ZidBackend  *self,
                                                    gboolean     include_completed,
                                                    GError     **error);
GPtrArray       *zid_backend_list_trust            (ZidBackend   *self,
                                                    ZidTrustKind  kind);
GPtrArray       *zid_backend_list_users            (ZidBackend  *self,
                                                    gint64       actor,
                                                    gint64       organisation,
                                                    const char  *search,
                                                    GError     **error);
ZidOneTimeCode  *zid_backend_login_begin           (ZidBackend  *self,
                                                    char       **session_id,
                                                    GError     **error);
ZidLoginState    zid_backend_login_poll            (ZidBackend  *self,
                                                    const char  *session_id,
                                                    gint64      *user,
                                                    GError     **refusal,
                                                    GError     **error);
ZidOneTimeCode  *zid_backend_new_certificate       (ZidBackend  *self,
                                                    gint64       actor,
                                                    gint64       user,
                                                    GError     **error);
GPtrArray       *zid_backend_new_certificates      (ZidBackend           *self,
                                                    gint64                actor,
                                                    const gint64         *users,
                                                    guint                 n,
                                                    ZidCodesLettersFunc   letters,
                                                    gpointer              user_data,
                                                    GError              **error);
gboolean         zid_backend_poll_changes          (ZidBackend       *self,
                                                    ZidChangeVersion *version);
ZidRegistrationFileInfo *zid_backend_registration_file_inspect (ZidBackend  *self,
                                                                const char  *path,
                                                                const char  *trust_dir,
                                                                GError     **error);
ZidRegistration *zid_backend_registration_file_import  (ZidBackend   *self,
                                                        const char   *path,
                                                        const char   *trust_dir,
                                                        char        **signer_subject,
                                                        gboolean     *already_present,
                                                        GError      **error);
ZidOneTimeCode  *zid_backend_register_user         (ZidBackend  *self,
                                                    gint64       actor,
                                                    gint64       organisation,
                                                    const char  *first_name,
                                                    const char  *last_name,
                                                    const char  *birth_date,
                                                    GError     **error);
gboolean         zid_backend_remove_trust          (ZidBackend    *self,
                                                    ZidTrustKind   kind,
                                                    const char    *fingerprint,
                                                    GError       **error);
gboolean         zid_backend_revoke_certificate    (ZidBackend  *self,
                                                    gint64       actor,
                                                    gint64       user,
                                                    const char  *serial,
                                                    GError     **error);
gboolean         zid_backend_set_membership        (ZidBackend      *self,
                                                    gint64           actor,
                                                    gint64           user,
                                                    gint64           organisation,
                                                    ZidRole          role,
                                                    ZidOneTimeCode **enrolment,
                                                    GError         **error);
gboolean         zid_backend_set_service_address   (ZidBackend  *self,
                                                    const char  *address,
                                                    GError     **error);
gboolean         zid_backend_unblock_user          (ZidBackend  *self,
                                                    gint64       actor,
                                                    gint64       user,
                                                    GError     **error);
gboolean         zid_backend_verify_audit          (ZidBackend  *self,
                                                    gint64      *bad_event,
                                                    GError     **error);

char            *zid_backend_dup_location          (ZidBackend  *self);
char            *zid_backend_dup_status_message    (ZidBackend  *self);
void             zid_backend_end_session           (ZidBackend  *self);

G_END_DECLS
