/* zid-types.h — the portal's entities as the core hands them out
 *
 * Records are plain structs owned by the caller (free with the matching
 * _free function, or g_autoptr). The user is a GObject (zid-user.h) because
 * views list and bind it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  ZID_ENVIRONMENT_ACCEPTATIE,
  ZID_ENVIRONMENT_PRODUCTIE,
} ZidEnvironment;

typedef enum
{
  ZID_ROLE_NONE = 0,
  ZID_ROLE_GEBRUIKER,
  ZID_ROLE_BEHEERDER,
  ZID_ROLE_ADMINISTRATOR,
} ZidRole;

/* Why a user is blocked (§8.2). Stored (users.block_reason): append
 * only, never renumber. A new reason is a value here and a row in the
 * table of zid-types.c; every list, label and refusal text comes from
 * that table. */
typedef enum
{
  ZID_BLOCK_REASON_NONE = 0,
  ZID_BLOCK_REASON_SECURITY_INCIDENT,
  ZID_BLOCK_REASON_LOST_SMARTPHONE,
  ZID_BLOCK_REASON_COMPROMISED_CREDENTIALS,
  ZID_BLOCK_REASON_BREACH_OF_TRUST,
  ZID_BLOCK_REASON_SUSPICIOUS_ACTIVITY,
} ZidBlockReason;

/* Kinds of attribute (§8.1). Stored by their name (attributes.type, the
 * JSON and the CLI): the names never change; the integer is not stored,
 * but keep it append only all the same. One table in zid-types.c. */
typedef enum
{
  ZID_ATTRIBUTE_TYPE_UZI,   /* registered via the UZI-pas: the actor's own ID */
  ZID_ATTRIBUTE_TYPE_AGB,
  ZID_ATTRIBUTE_TYPE_BIG,
  ZID_ATTRIBUTE_TYPE_TAAK,
} ZidAttributeType;

typedef enum
{
  ZID_CODE_ENROLMENT = 1,
  ZID_CODE_NEW_CERTIFICATE,
  ZID_CODE_LOGIN,
} ZidCodePurpose;

typedef enum
{
  ZID_MOBILE_ID_NONE = 0,  /* never enrolled */
  ZID_MOBILE_ID_ACTIVE,    /* at least one certificate not revoked */
  ZID_MOBILE_ID_REVOKED,   /* enrolled once, every certificate revoked */
} ZidMobileIdState;

typedef enum
{
  ZID_LOGIN_PENDING,
  ZID_LOGIN_ACCEPTED,
  ZID_LOGIN_EXPIRED,
  ZID_LOGIN_REFUSED,   /* still open, but the last phone that answered was refused */
} ZidLoginState;

/* Validity periods of the one-time codes and the inactivity threshold */
#define ZID_ENROLMENT_CODE_LIFETIME   (10 * 24 * 60 * 60)
#define ZID_LOGIN_SESSION_LIFETIME    (5 * 60)
#define ZID_INACTIVE_AFTER            (28 * 24 * 60 * 60)

const char     *zid_environment_to_string  (ZidEnvironment  env);
gboolean        zid_environment_from_string (const char     *str,
                                             ZidEnvironment *env);
const char     *zid_role_to_string          (ZidRole         role);
ZidRole         zid_role_from_string        (const char     *str);
const char     *zid_mobile_id_state_to_string (ZidMobileIdState state);

/* The tables of the enumerations: one row per value, in table order.
 * @name is the spelling the CLI, the JSON, the audit trail and the store
 * use; @label is an English msgid (N_) whose Dutch is in po/nl.po: show it
 * through the _get_label accessors, which translate it. */
typedef struct
{
  int          value;
  const char  *name;
  const char  *label;
} ZidEnumInfo;

/* Block reasons: the real ones, not ZID_BLOCK_REASON_NONE */
guint           zid_block_reason_get_n_values  (void);
const ZidEnumInfo *zid_block_reason_nth       (guint            n);
gboolean        zid_block_reason_is_valid      (ZidBlockReason   reason);
const char     *zid_block_reason_get_cli_name  (ZidBlockReason   reason);
const char     *zid_block_reason_get_label     (ZidBlockReason   reason);
gboolean        zid_block_reason_from_cli_name (const char      *cli_name,
                                                ZidBlockReason  *reason);
/* "a, b, c of d": for refusal texts and help */
char           *zid_block_reason_dup_cli_names (void);
/* As zid_block_reason_get_cli_name / _from_cli_name, with "" and
 * ZID_BLOCK_REASON_NONE for no reason */
const char     *zid_block_reason_to_string  (ZidBlockReason  reason);
ZidBlockReason  zid_block_reason_from_string (const char    *str);

guint           zid_attribute_type_get_n_values (void);
const ZidEnumInfo *zid_attribute_type_nth      (guint            n);
const char     *zid_attribute_type_get_name   (ZidAttributeType  type);
const char     *zid_attribute_type_get_label  (ZidAttributeType  type);
gboolean        zid_attribute_type_from_name  (const char       *name,
                                               ZidAttributeType *type);
/* "a, b, c of d" */
char           *zid_attribute_type_dup_names  (void);

/* An organisation; @role is the listing actor's role in it */
typedef struct
{
  gint64   id;
  char    *ura;
  char    *name;
  char    *agb;
  char    *address;
  gint64   created;
  ZidRole  role;
} ZidOrganisation;

/* ura and organisation_name are GRefStrings (shared between the users of
 * one list): copy them with g_ref_string_acquire, never g_free them */
typedef struct
{
  gint64   organisation_id;
  char    *ura;
  char    *organisation_name;
  ZidRole  role;
} ZidMembership;

typedef struct
{
  gint64  id;
  gint64  user_id;
  char   *type;
  gint64  organisation_id;
  char   *ura;
  char   *task_code;
  gint64  created;
} ZidAttribute;

typedef struct
{
  char    *serial;         /* hex */
  gint64   user_id;
  gint64   not_before;
  gint64   not_after;
  gboolean revoked;
  gint64   revoked_at;
  char    *revoke_reason;
  char    *pem;
} ZidCertificate;

typedef struct
{
  gint64  id;
  char   *ura;
  char   *name;
  char   *agb;
  char   *address;
  char   *reference;
  gint64  created;
  gint64  completed;      /* 0 while pending */
  gint64  organisation_id;
} ZidRegistration;

typedef struct
{
  gint64  id;
  gint64  time;
  char   *actor;
  char   *action;
  char   *subject;
  char   *details;
  char   *hash;           /* hex */
} ZidAuditEvent;

/* What a one-time code hands out: shown once, never stored in the clear */
typedef struct
{
  gint64          user_id;
  ZidCodePurpose  purpose;
  char           *code;
  char           *payload;  /* what the QR carries */
  gint64          expires;
} ZidOneTimeCode;

/* What a phone may see before it redeems a code: no secrets */
typedef struct
{
  gint64          user_id;
  ZidCodePurpose  purpose;
  char           *first_name;
  char           *last_name;
  char           *organisation_name;
  gint64          expires;
} ZidEnrolmentInfo;

/* What an enrolment hands out: the phone's new certificate */
typedef struct
{
  char              *cert_pem;
  char              *chain_pem;  /* the local CA */
  char              *serial;     /* hex, lower case, as stored and listed */
  ZidEnrolmentInfo  *info;       /* whom the redeemed code was for */
} ZidEnrolResult;

/* The card holder, as the card layer read and verified it */
typedef struct
{
  char *uzi_number;
  char *given_name;
  char *surname;
  char *subscriber_number;  /* the organisation's URA */
  char *role;
  char  card_type;          /* Z N M S */
} ZidCardHolder;

typedef struct
{
  gint64           organisation_id;
  gint64           user_id;
  gboolean         existing_mobile_id;
  ZidOneTimeCode  *enrolment;         /* NULL with an existing mobile ID */
} ZidCompletion;

void zid_organisation_free    (ZidOrganisation  *self);
void zid_membership_free      (ZidMembership    *self);
void zid_attribute_free       (ZidAttribute     *self);
void zid_certificate_free     (ZidCertificate   *self);
void zid_registration_free    (ZidRegistration  *self);
void zid_audit_event_free     (ZidAuditEvent    *self);
void zid_one_time_code_free   (ZidOneTimeCode   *self);
void zid_enrolment_info_free  (ZidEnrolmentInfo *self);
void zid_enrol_result_free    (ZidEnrolResult   *self);
void zid_card_holder_clear    (ZidCardHolder    *self);
void zid_completion_free      (ZidCompletion    *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidOrganisation, zid_organisation_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidMembership, zid_membership_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidAttribute, zid_attribute_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidCertificate, zid_certificate_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidRegistration, zid_registration_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidAuditEvent, zid_audit_event_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidOneTimeCode, zid_one_time_code_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidEnrolmentInfo, zid_enrolment_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidEnrolResult, zid_enrol_result_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ZidCardHolder, zid_card_holder_clear)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidCompletion, zid_completion_free)

/* Input checks shared by every front end */
gboolean zid_validate_ura        (const char  *ura,
                                  GError     **error);
gboolean zid_validate_agb        (const char  *agb,
                                  GError     **error);
gboolean zid_validate_name       (const char  *what,
                                  const char  *name,
                                  GError     **error);
/* Birth dates as a person types them: DD-MM-JJJJ or JJJJ-MM-DD (the
 * parser of zid-search.h); stored as JJJJ-MM-DD, which normalise writes to
 * @iso (nullable) */
gboolean zid_validate_birth_date (const char  *date,
                                  gint64       now,
                                  GError     **error);
gboolean zid_normalise_birth_date (const char  *date,
                                   gint64       now,
                                   char         iso[11],
                                   GError     **error);

char    *zid_format_time         (gint64       unix_seconds);

G_END_DECLS
