/* zid-portal.h — the portal's rules, in one place
 *
 * Every operation that acts for a person takes the acting user's id
 * (@actor) and refuses what that person may not do with a ZID_ERROR naming
 * the rule. Every change of state is one SQLite transaction that also
 * appends an audit event. The UI and the command line call these; they
 * never re-implement a rule.
 *
 * Thread safety: one ZidPortal may be used from several threads (calls are
 * serialised on its connection); several processes may open the same data
 * dir (SQLite WAL, immediate transactions, busy timeout).
 */
#pragma once

#include <gio/gio.h>

#include "zid-clock.h"
#include "zid-import.h"
#include "zid-types.h"
#include "zid-user.h"

G_BEGIN_DECLS

#define ZID_TYPE_PORTAL (zid_portal_get_type ())
G_DECLARE_FINAL_TYPE (ZidPortal, zid_portal, ZID, PORTAL, GObject)

typedef enum
{
  ZID_ACTION_VIEW_USERS,
  ZID_ACTION_REGISTER_USER,
  ZID_ACTION_SET_MEMBERSHIP,
  ZID_ACTION_ADD_ATTRIBUTE,
  ZID_ACTION_VIEW_INACTIVE,
  ZID_ACTION_BLOCK,
  ZID_ACTION_UNBLOCK,
  ZID_ACTION_REVOKE_CERTIFICATE,
  ZID_ACTION_NEW_CERTIFICATE,
} ZidAction;

/* The default data dir: $XDG_DATA_HOME/zorgid-portaal/<environment> */
char       *zid_portal_default_data_dir    (ZidEnvironment   environment);

/* The enrolment service's default port, when the service address names
 * none: each environment its own, so that both can serve phones from one
 * computer at the same time. Productie keeps the port it always had. */
#define ZID_DEFAULT_SERVICE_PORT_PRODUCTIE  8443
#define ZID_DEFAULT_SERVICE_PORT_ACCEPTATIE 8444
guint16     zid_portal_default_service_port (ZidEnvironment  environment);

/* Opens (creating, mode 0700) the data dir and its store. @clock may be
 * NULL for the system clock. The store is the database @database names (a
 * file, or a postgresql:// URI), or when it is NULL, the first of:
 * ZID_DATABASE, the data dir's database setting (below), the data dir's
 * database file. zid_portal_open is zid_portal_open_database with NULL. */
ZidPortal  *zid_portal_open                (const char      *data_dir,
                                            ZidEnvironment   environment,
                                            ZidClock        *clock,
                                            GError         **error);
ZidPortal  *zid_portal_open_database       (const char      *data_dir,
                                            const char      *database,
                                            ZidEnvironment   environment,
                                            ZidClock        *clock,
                                            GError         **error);

/* The data dir's database setting: the database the programs open on
 * this data dir when neither --database nor ZID_DATABASE names one, kept
 * in DATA-DIR/store.conf (0600; it may hold a password). NULL (and no
 * error) when there is none. Setting NULL removes it; a setting is a
 * postgresql:// URI or an absolute file name. A store.conf that does not
 * read is an error, never passed over. */
char       *zid_portal_dup_database_setting (const char     *data_dir,
                                             GError        **error);
gboolean    zid_portal_set_database_setting (const char     *data_dir,
                                             const char     *database,
                                             GError        **error);
/* The database the portal of @data_dir opens when none is named */
char       *zid_portal_dup_database_location (const char    *data_dir,
                                              GError       **error);
const char *zid_portal_get_data_dir        (ZidPortal       *self);
/* The database it opened: a file name or a postgresql:// URI */
const char *zid_portal_get_database        (ZidPortal       *self);
ZidEnvironment zid_portal_get_environment  (ZidPortal       *self);
ZidClock   *zid_portal_get_clock           (ZidPortal       *self);

/* Settings kept in the data dir, shared by window, CLI and service. The
 * service address defaults to this computer's host name and the
 * environment's default port. */
char       *zid_portal_dup_service_address (ZidPortal       *self);
gboolean    zid_portal_set_service_address (ZidPortal       *self,
                                            const char      *address,
                                            GError         **error);

/* The enrolment service's TLS identity (issued by the local CA on first
 * use) and its pin: base64url (no padding) of SHA-256 over the DER
 * certificate. */
gboolean    zid_portal_get_service_tls     (ZidPortal       *self,
                                            char           **cert_pem,
                                            char           **key_pem,
                                            char           **pin,
                                            GError         **error);
char       *zid_portal_dup_ca_pem          (ZidPortal       *self,
                                            GError         **error);
char       *zid_portal_dup_crl_pem         (ZidPortal       *self,
                                            GError         **error);

/* Operator side: pending registrations */
gint64      zid_portal_add_registration    (ZidPortal       *self,
                                            const char      *ura,
                                            const char      *name,
                                            const char      *agb,
                                            const char      *address,
                                            const char      *reference,
                                            GError         **error);
GPtrArray  *zid_portal_list_registrations  (ZidPortal       *self,
                                            gboolean         include_completed,
                                            GError         **error);
ZidRegistration *zid_portal_find_registration (ZidPortal    *self,
                                            const char      *ura,
                                            GError         **error);

/* acceptatie only: completes a pending registration without a card */
ZidOneTimeCode *zid_portal_bootstrap       (ZidPortal   *self,
                                            const char  *ura,
                                            const char  *first_name,
                                            const char  *last_name,
                                            const char  *birth_date,
                                            GError     **error);

/* Organisation registration with a UZI-pas (manual §7). check: would the
 * card holder complete the pending registration, and is a mobile ID
 * already linked to the UZI number (@existing_user, 0 if none)?
 * complete: creates the organisation and its Administrator; @birth_date is
 * needed only when no mobile ID is linked yet. */
ZidRegistration *zid_portal_check_registration (ZidPortal          *self,
                                                const ZidCardHolder *holder,
                                                gint64             *existing_user,
                                                GError            **error);
ZidCompletion   *zid_portal_complete_registration (ZidPortal          *self,
                                                   const ZidCardHolder *holder,
                                                   const char         *birth_date,
                                                   GError            **error);

/* Who may do what; the operations check this themselves, with the same
 * rules (for a user's page, zid_portal_get_capabilities() answers every
 * question at once). Over the actor and the tenant isolation, _BLOCK
 * refuses a user who is blocked already, has no mobile ID or is the only
 * active Administrator of an organisation; _UNBLOCK and
 * _REVOKE_CERTIFICATE a user who is not blocked. */
gboolean    zid_portal_check_action        (ZidPortal       *self,
                                            gint64           actor,
                                            ZidAction        action,
                                            gint64           user,
                                            gint64           organisation,
                                            GError         **error);
gboolean    zid_portal_may_assign_role     (ZidPortal       *self,
                                            gint64           actor,
                                            gint64           organisation,
                                            ZidRole          role);

/* What @actor may do on @user's page, in one read transaction, from the
 * very rule functions the acting calls run: the window can never offer
 * what the core refuses. An immutable, reference-counted boxed type;
 * read it from any thread.
 *
 *   g_autoptr(ZidCapabilities) caps = zid_portal_get_capabilities (portal, actor, user, &error);
 *   const GError *why = NULL;
 *
 *   gtk_widget_set_sensitive (block_button,
 *                             zid_capabilities_allows (caps, ZID_ACTION_BLOCK, &why));
 *   if (why != NULL)   // the §8.2 note, e.g. "... kan niet geblokkeerd worden"
 *     adw_action_row_set_subtitle (block_row, why->message);
 *
 * A refusal is a ZID_ERROR GError: its code names the rule (zid-error.h),
 * its message is the Dutch text the acting call would give. The
 * capabilities describe the moment they were read; the acting calls check
 * again. NULL with @error only when the question cannot be answered (no
 * such user: ZID_ERROR_NOT_FOUND; the store failed); a refused actor
 * (blocked, no portal access) gets capabilities that refuse everything. */
typedef struct _ZidCapabilities ZidCapabilities;

#define ZID_TYPE_CAPABILITIES (zid_capabilities_get_type ())
GType             zid_capabilities_get_type  (void) G_GNUC_CONST;
ZidCapabilities  *zid_capabilities_ref       (ZidCapabilities  *self);
void              zid_capabilities_unref     (ZidCapabilities  *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidCapabilities, zid_capabilities_unref)

ZidCapabilities  *zid_portal_get_capabilities (ZidPortal       *self,
                                              gint64           actor,
                                              gint64           user,
                                              GError         **error);
gint64            zid_capabilities_get_actor (ZidCapabilities  *self);
gint64            zid_capabilities_get_user  (ZidCapabilities  *self);

/* May the actor do @action on the user? (Not for _REGISTER_USER and
 * _VIEW_INACTIVE, which concern an organisation.) For _VIEW_USERS (see
 * the user), _BLOCK (includes: not blocked yet, has a mobile ID, not the
 * only active Administrator), _UNBLOCK, _REVOKE_CERTIFICATE (includes: the
 * user is blocked; which certificate is the call's own check) and
 * _NEW_CERTIFICATE; for _SET_MEMBERSHIP and _ADD_ATTRIBUTE: in at least
 * one of the actor's organisations. When refused, @refusal (nullable)
 * points at the reason, owned by @self. */
gboolean          zid_capabilities_allows    (ZidCapabilities  *self,
                                              ZidAction         action,
                                              const GError    **refusal);
/* A new certificate may be issued, but the phone can enrol it only once
 * the user is unblocked */
gboolean          zid_capabilities_get_enrolment_waits (ZidCapabilities *self);

/* Per organisation: the ones where the actor is Administrator or
 * Beheerder, by name, as zid_portal_list_organisations(). For an
 * organisation not in that list every answer is a refusal. */
guint             zid_capabilities_get_n_organisations (ZidCapabilities *self);
gint64            zid_capabilities_get_organisation    (ZidCapabilities *self,
                                                        guint            i);
/* The roles the actor may give the user there, as a mask of 1 << ZidRole */
guint             zid_capabilities_get_assignable_roles (ZidCapabilities *self,
                                                         gint64          organisation);
gboolean          zid_capabilities_may_assign_role  (ZidCapabilities   *self,
                                                     gint64             organisation,
                                                     ZidRole            role,
                                                     const GError     **refusal);
gboolean          zid_capabilities_may_add_attribute (ZidCapabilities  *self,
                                                      gint64            organisation,
                                                      ZidAttributeType  type,
                                                      const GError    **refusal);
/* "last-beheerder-of-organisation", a warning, not a refusal (the rules
 * allow it; the window asks first): the name of @organisation if the user
 * is its last active Beheerder, so that a role below Beheerder there
 * leaves it without one; with @organisation 0 the first organisation, by
 * name, that blocking the user leaves without a Beheerder. NULL if none.
 * An Administrator always stays (the only active one cannot be demoted
 * or blocked). Owned by @self. */
const char       *zid_capabilities_get_last_beheerder_of (ZidCapabilities *self,
                                                          gint64           organisation);

/* Users */
ZidOneTimeCode *zid_portal_register_user   (ZidPortal   *self,
                                            gint64       actor,
                                            gint64       organisation,
                                            const char  *first_name,
                                            const char  *last_name,
                                            const char  *birth_date,
                                            GError     **error);
/* A spreadsheet of people (zid-import.h): zid_portal_check_import() says
 * what each row would do, writing nothing; zid_portal_import_users()
 * registers every row that can be, in one transaction, audited per user
 * and once for the import, or nothing at all. @role is for rows without
 * their own. @letters (nullable) runs inside the transaction once every
 * row has its code: when it fails, nothing is registered. */
typedef gboolean (*ZidImportLettersFunc) (ZidImport  *import,
                                          gpointer    user_data,
                                          GError    **error);
gboolean    zid_portal_check_import        (ZidPortal       *self,
                                            gint64           actor,
                                            gint64           organisation,
                                            ZidRole          role,
                                            ZidImport       *import,
                                            GError         **error);
gboolean    zid_portal_import_users        (ZidPortal            *self,
                                            gint64                actor,
                                            gint64                organisation,
                                            ZidRole               role,
                                            ZidImport            *import,
                                            ZidImportLettersFunc  letters,
                                            gpointer              user_data,
                                            GError              **error);
/* @organisation 0: all organisations the actor manages. @search: name
 * prefix (case and accents ignored) or NULL. Element type ZidUser. */
GPtrArray  *zid_portal_list_users          (ZidPortal       *self,
                                            gint64           actor,
                                            gint64           organisation,
                                            const char      *search,
                                            GError         **error);
/* As zid_portal_list_users, reading at most @limit rows (0: all) — a first
 * page, in order of the matching name key when searching — and counting
 * every matching user in @n_matches (nullable). */
GPtrArray  *zid_portal_search_users        (ZidPortal       *self,
                                            gint64           actor,
                                            gint64           organisation,
                                            const char      *search,
                                            guint            limit,
                                            guint           *n_matches,
                                            GError         **error);
/* The users the actor manages who are the same person as @first_name
 * @last_name born on @birth_date (ISO), as the import decides it: first and
 * last name folded (case and accents ignored), the same birth date. Element
 * type ZidUser; empty when there is none. */
GPtrArray  *zid_portal_find_same_person    (ZidPortal       *self,
                                            gint64           actor,
                                            const char      *first_name,
                                            const char      *last_name,
                                            const char      *birth_date,
                                            GError         **error);
ZidUser    *zid_portal_get_user            (ZidPortal       *self,
                                            gint64           actor,
                                            gint64           user,
                                            GError         **error);
/* Gives @user @role in @organisation. If the user has no mobile ID yet, a
 * fresh enrolment code is returned in @enrolment (else NULL). */
gboolean    zid_portal_set_membership      (ZidPortal       *self,
                                            gint64           actor,
                                            gint64           user,
                                            gint64           organisation,
                                            ZidRole          role,
                                            ZidOneTimeCode **enrolment,
                                            GError         **error);
/* @type: the name of a ZidAttributeType ("agb", "big", "taak"); "uzi" is
 * refused here: see zid_portal_add_uzi_attribute() */
gint64      zid_portal_add_attribute       (ZidPortal       *self,
                                            gint64           actor,
                                            gint64           user,
                                            const char      *type,
                                            gint64           organisation,
                                            const char      *task_code,
                                            GError         **error);
/* §8.1: an attribute via the UZI-pas, on the actor's own mobile ID, its
 * task code the card's UZI number. @verified_holder: a card whose PIN,
 * proof of possession and chain were checked (only the card flow,
 * zid_card_completion_new_for_attribute(), calls this). When the actor's
 * ID is linked to a UZI number, the card must carry that number. */
gint64      zid_portal_add_uzi_attribute   (ZidPortal            *self,
                                            gint64                actor,
                                            gint64                organisation,
                                            const ZidCardHolder  *verified_holder,
                                            GError              **error);
GPtrArray  *zid_portal_list_attributes     (ZidPortal       *self,
                                            gint64           actor,
                                            gint64           user,
                                            GError         **error);
gboolean    zid_portal_block_user          (ZidPortal       *self,
                                            gint64           actor,
                                            gint64           user,
                                            ZidBlockReason   reason,
                                            GError         **error);
gboolean    zid_portal_unblock_user        (ZidPortal       *self,
                                            gint64           actor,
                                            gint64           user,
                                            GError         **error);

/* Certificates (the mobile ID) */
GPtrArray  *zid_portal_list_certificates   (ZidPortal       *self,
                                            gint64           actor,
                                            gint64           user,
                                            GError         **error);
gboolean    zid_portal_revoke_certificate  (ZidPortal       *self,
                                            gint64           actor,
                                            gint64           user,
                                            const char      *serial,
                                            GError         **error);
ZidOneTimeCode *zid_portal_new_certificate (ZidPortal  *self,
                                            gint64      actor,
                                            gint64      user,
                                            GError    **error);
/* zid_portal_new_certificate() for @n users in one transaction (each
 * audited): @letters (nullable) runs once every code is made, with the
 * codes (ZidOneTimeCode, in the order of @users), before it commits; when
 * it fails, no code is issued and the old ones stay valid. Returns the
 * codes, NULL on failure. */
typedef gboolean (*ZidCodesLettersFunc) (GPtrArray  *codes,
                                         gpointer    user_data,
                                         GError    **error);
GPtrArray  *zid_portal_new_certificates    (ZidPortal            *self,
                                            gint64                actor,
                                            const gint64         *users,
                                            guint                 n,
                                            ZidCodesLettersFunc   letters,
                                            gpointer              user_data,
                                            GError              **error);

/* Organisations */
GPtrArray  *zid_portal_list_organisations  (ZidPortal       *self,
                                            gint64           actor,
                                            GError         **error);
ZidOrganisation *zid_portal_find_organisation (ZidPortal    *self,
                                            const char      *ura,
                                            GError         **error);
/* Users with no use of their mobile ID for more than four weeks (or never,
 * registered more than four weeks ago). Element type ZidUser. */
GPtrArray  *zid_portal_list_inactive       (ZidPortal       *self,
                                            gint64           actor,
                                            gint64           organisation,
                                            GError         **error);
/* Is @user one of them? @inactive: the user if so, else NULL. FALSE with
 * @error only when the question cannot be answered (refused, store). */
gboolean    zid_portal_get_inactive_user   (ZidPortal       *self,
                                            gint64           actor,
                                            gint64           organisation,
                                            gint64           user,
                                            ZidUser        **inactive,
                                            GError         **error);

/* The enrolments still open in @organisation (ZidPendingEnrolment), the
 * first to expire first; expired ones included and marked */
GPtrArray  *zid_portal_list_pending        (ZidPortal       *self,
                                            gint64           actor,
                                            gint64           organisation,
                                            GError         **error);

/* The phone's side. @origin (nullable) is where the request came from (the
 * phone's network address); the audit names it. */

/* Enrolment with a one-time code */
ZidEnrolmentInfo *zid_portal_enrolment_preview (ZidPortal   *self,
                                            const char      *code,
                                            const char      *origin,
                                            GError         **error);
/* Redeems @code (atomically, once) for a certificate issued from the
 * PKCS#10 request @csr_pem (EC P-256): the certificate, its serial, the
 * CA chain and what the code was for (user, purpose, names,
 * organisation). @origin (nullable) as above. */
ZidEnrolResult *zid_portal_enrol           (ZidPortal       *self,
                                            const char      *code,
                                            const char      *origin,
                                            const char      *csr_pem,
                                            GError         **error);
/* As zid_portal_enrol; @still_wanted (nullable) is asked in the write
 * transaction, just before its commit, whether the phone still waits for
 * the answer: if not, nothing is kept (the code stays unused) and the
 * result is ZID_ERROR_BUSY. Called in the calling thread. */
typedef gboolean (*ZidStillWantedFunc) (gpointer user_data);
ZidEnrolResult *zid_portal_enrol_checked   (ZidPortal          *self,
                                            const char         *code,
                                            const char         *origin,
                                            const char         *csr_pem,
                                            ZidStillWantedFunc  still_wanted,
                                            gpointer            user_data,
                                            GError            **error);

/* Login with the mobile ID: the window opens a session (5 minutes); the
 * phone signs "zorgid-login-v2\n" PIN "\n" SESSION "\n" CHALLENGE (ECDSA
 * SHA-256, DER) with its key, PIN being the service's certificate pin:
 * docs/mobile-protocol.md §3. */
ZidOneTimeCode *zid_portal_login_begin     (ZidPortal  *self,
                                            char      **session_id,
                                            GError    **error);
gint64      zid_portal_login_answer        (ZidPortal       *self,
                                            const char      *origin,
                                            const char      *session_id,
                                            const char      *cert_pem,
                                            const guint8    *signature,
                                            gsize            signature_len,
                                            GError         **error);
/* ZID_LOGIN_REFUSED: a phone whose signature verified was refused (its
 * certificate revoked, its user blocked or without portal access); the
 * session stays open for another phone, and @refusal (may be NULL) says
 * why, as the phone was told */
ZidLoginState zid_portal_login_poll        (ZidPortal       *self,
                                            const char      *session_id,
                                            gint64          *user,
                                            GError         **refusal,
                                            GError         **error);
/* The challenge a session's answer signs; NULL if unknown */
char       *zid_portal_login_challenge     (ZidPortal       *self,
                                            const char      *session_id,
                                            GError         **error);

/* Admin sessions of the organisation server (docs/server.md, "Admin
 * sessions"): a client (a remote zorgid-admin or window) begins one and
 * gets a login QR code and a random token it keeps; only the token's
 * SHA-256 is stored. Once the administrator's phone has answered the QR
 * (zid_portal_login_answer, which lets in Administrators and Beheerders
 * only), the first look binds the session to that user. A session ends at
 * logout, after ZID_ADMIN_SESSION_IDLE seconds unused, after
 * ZID_ADMIN_SESSION_LIFETIME seconds in all, and as soon as its user may
 * no longer use the portal (blocked, or no longer Administrator or
 * Beheerder anywhere). @origin: the client's address, for the audit. */
#define ZID_ADMIN_SESSION_IDLE      (15 * 60)
#define ZID_ADMIN_SESSION_LIFETIME  (12 * 60 * 60)

typedef enum
{
  ZID_ADMIN_SESSION_PENDING,   /* the login QR waits for the phone */
  ZID_ADMIN_SESSION_ACTIVE,    /* bound to *user; renewed by this look */
} ZidAdminSessionState;

/* The server's connection code: "zorgid://server?v=1&env=ENV&host=HOST:PORT&pin=PIN",
 * HOST:PORT the service-address setting and PIN the service certificate's
 * (docs/server.md, "The connection code") */
char       *zid_portal_dup_connection_code (ZidPortal            *self,
                                            GError              **error);
ZidOneTimeCode *zid_portal_admin_session_begin (ZidPortal           *self,
                                                const char          *origin,
                                                char               **token,
                                                GError             **error);
/* FALSE with ZID_ERROR_SESSION_INVALID for a token that is unknown, ended,
 * expired or whose login QR expired unanswered; with the actor's refusal
 * (ZID_ERROR_ACTOR_BLOCKED, ZID_ERROR_NO_PORTAL_ACCESS) when its user may
 * no longer use the portal, which ends it. @expires (nullable): when it
 * ends if unused. */
gboolean    zid_portal_admin_session_check (ZidPortal            *self,
                                            const char           *origin,
                                            const char           *token,
                                            ZidAdminSessionState *state,
                                            gint64               *user,
                                            gint64               *expires,
                                            GError              **error);
/* Logout: the session ends (audited); an unknown or ended token is
 * ZID_ERROR_SESSION_INVALID */
gboolean    zid_portal_admin_session_end   (ZidPortal            *self,
                                            const char           *origin,
                                            const char           *token,
                                            GError              **error);

/* Changes, for views that stay current (ZidWatch does this for them).
 * Every write to a user's rows (the user, memberships, certificates,
 * attributes) or to an organisation, by any process, notes the user or
 * organisation with the next number of a change sequence.
 *
 * zid_portal_poll_changes(): a cheap look (no disk reads) at whether
 * anything may have been committed since @version was read: it differs
 * then. FALSE while another thread's transaction holds the store (it
 * never waits): ask again later. */
typedef struct
{
  gint64 data_version;   /* moves with other connections' commits */
  gint64 own_changes;    /* moves with this connection's writes */
} ZidChangeVersion;

gboolean    zid_portal_poll_changes        (ZidPortal        *self,
                                            ZidChangeVersion *version);
/* The ids (gint64) of the users and of the organisations changed after
 * @since (a sequence number; 0: all), appended to @users and
 * @organisations (either nullable), and the newest sequence number in
 * @latest. @since < 0: only @latest. */
gboolean    zid_portal_list_changes        (ZidPortal       *self,
                                            gint64           since,
                                            gint64          *latest,
                                            GArray          *users,
                                            GArray          *organisations,
                                            GError         **error);

/* Audit */
gboolean    zid_portal_audit               (ZidPortal       *self,
                                            const char      *actor,
                                            const char      *action,
                                            const char      *subject,
                                            const char      *details,
                                            GError         **error);
GPtrArray  *zid_portal_list_audit          (ZidPortal       *self,
                                            GError         **error);

/* Which events: every field 0 (NULL) for any */
typedef struct
{
  gint64      as;             /* only what this actor may see (users and
                               * organisations they manage); 0: the operator, all */
  gint64      user;           /* events about this user */
  gint64      organisation;   /* about this organisation or one of its members */
  const char *action;         /* this action, or its family ("user" for "user.block") */
  gint64      since;          /* time >= since */
  gint64      until;          /* time <= until */
} ZidAuditFilter;

/* The events @filter selects, oldest first. With @filter->as the actor's
 * own checks apply (portal access; @user and @organisation must be ones the
 * actor manages, else ZID_ERROR_NOT_PERMITTED, the same for ids that do
 * not exist). */
GPtrArray  *zid_portal_list_audit_filtered (ZidPortal            *self,
                                            const ZidAuditFilter *filter,
                                            GError              **error);
/* One page of the events @filter selects, newest first: at most @limit
 * (0: all of them, oldest first, as zid_portal_list_audit_filtered) with
 * an id below @before (0: from the newest on). The next page starts
 * before the last id of this one; a page shorter than @limit is the
 * last. The same checks as zid_portal_list_audit_filtered. */
GPtrArray  *zid_portal_list_audit_page     (ZidPortal            *self,
                                            const ZidAuditFilter *filter,
                                            gint64                before,
                                            guint                 limit,
                                            GError              **error);
/* The users an audit filter may name: those @actor manages (0: the
 * operator, every user) found by @name as the users list's search finds
 * them (zid-search.h: a name's start, or a birth date), at most @limit
 * (0: all); when some of them bear @name as their whole name ("Jan
 * Jansen"), only those. Element type ZidUser. The same refusals as
 * zid_portal_search_users. */
GPtrArray  *zid_portal_find_audit_users    (ZidPortal            *self,
                                            gint64                actor,
                                            const char           *name,
                                            guint                 limit,
                                            GError              **error);
/* The events @filter selects, newest first, as CSV (zid-csv.h: one
 * header row in the locale's language, then number, local time, actor,
 * action, subject, details and hash of each) written to @out page by
 * page; @n_events, if not NULL, the number of events written */
gboolean    zid_portal_export_audit_csv    (ZidPortal            *self,
                                            const ZidAuditFilter *filter,
                                            char                  separator,
                                            GOutputStream        *out,
                                            GCancellable         *cancellable,
                                            guint64              *n_events,
                                            GError              **error);
/* The users of @organisation (0: of all the actor's organisations) as
 * @actor sees them, as CSV (zid-csv.h: one header row in the locale's
 * language, then the columns of the users overview: number, first name,
 * last name, birth date, role here, organisations and roles, status,
 * block reason, mobile ID, last use, registered) */
gboolean    zid_portal_export_users_csv    (ZidPortal            *self,
                                            gint64                actor,
                                            gint64                organisation,
                                            char                  separator,
                                            GOutputStream        *out,
                                            GCancellable         *cancellable,
                                            guint                *n_users,
                                            GError              **error);
/* The enrolments still open in @organisation (zid_portal_list_pending) as
 * CSV: number, first name, last name, birth date, what the code is for,
 * issued, valid until, expired */
gboolean    zid_portal_export_pending_csv  (ZidPortal            *self,
                                            gint64                actor,
                                            gint64                organisation,
                                            char                  separator,
                                            GOutputStream        *out,
                                            GCancellable         *cancellable,
                                            guint                *n_pending,
                                            GError              **error);
/* The readable form of an audit event, in the user's language: who and
 * on whom by name ("Eva Jansen"; "the phone", "the system" for the
 * others), the action as a phrase, the details in words where their
 * shape is known (else as stored). What is stored stays as it is. */
typedef struct
{
  char *actor;
  char *action;
  char *subject;
  char *details;
} ZidAuditReading;

void        zid_audit_reading_free         (ZidAuditReading *self);
/* The label of @action ("Blocked" for "user.block"), @action itself when
 * it has none */
char       *zid_audit_action_describe      (const char      *action);
/* The readings of @events (ZidAuditEvent), in their order, the names
 * looked up in one read: users only those @actor manages (0: the
 * operator, all); a user not to be seen keeps "user:N". Element type
 * ZidAuditReading. */
GPtrArray  *zid_portal_describe_audit      (ZidPortal       *self,
                                            gint64           actor,
                                            GPtrArray       *events,
                                            GError         **error);
/* FALSE with ZID_ERROR_AUDIT_BROKEN and @bad_event set to the first event
 * that does not verify */
gboolean    zid_portal_verify_audit        (ZidPortal       *self,
                                            gint64          *bad_event,
                                            GError         **error);

G_END_DECLS
