/* zid-types.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include "zid-i18n.h"
#include <stdio.h>
#include <string.h>

#include "zid-error.h"
#include "zid-search.h"
#include "zid-types.h"

static const char * const environment_names[] = { "acceptatie", "productie" };
static const char * const role_names[] = { "", "Gebruiker", "Beheerder", "Administrator" };

/* Stored, append only (users.block_reason); cli_name is also stored (the
 * audit trail, certificates.revoke_reason) and never changes. Labels are
 * the manual's reasons (§8.2); po/nl.po holds their Dutch. */
static const ZidEnumInfo block_reasons[] = {
  { ZID_BLOCK_REASON_SECURITY_INCIDENT,       "security-incident",       N_("Security incident") },
  { ZID_BLOCK_REASON_LOST_SMARTPHONE,         "lost-smartphone",         N_("Lost smartphone") },
  { ZID_BLOCK_REASON_COMPROMISED_CREDENTIALS, "compromised-credentials", N_("Compromised credentials") },
  { ZID_BLOCK_REASON_BREACH_OF_TRUST,         "breach-of-trust",         N_("Breach of trust") },
  { ZID_BLOCK_REASON_SUSPICIOUS_ACTIVITY,     "suspicious-activity",     N_("Suspicious activity") },
};

/* The name is stored (attributes.type) and is the JSON and CLI spelling:
 * it never changes */
static const ZidEnumInfo attribute_types[] = {
  { ZID_ATTRIBUTE_TYPE_UZI,  "uzi",  N_("UZI card") },
  { ZID_ATTRIBUTE_TYPE_AGB,  "agb",  N_("AGB code") },
  { ZID_ATTRIBUTE_TYPE_BIG,  "big",  N_("BIG registration") },
  { ZID_ATTRIBUTE_TYPE_TAAK, "taak", N_("Task") },
};
static const char * const mobile_id_names[] = { "none", "active", "revoked" };

const char *
zid_environment_to_string (ZidEnvironment env)
{
  g_return_val_if_fail (env <= ZID_ENVIRONMENT_PRODUCTIE, NULL);
  return environment_names[env];
}

gboolean
zid_environment_from_string (const char     *str,
                             ZidEnvironment *env)
{
  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (environment_names); i++)
    {
      if (g_str_equal (str, environment_names[i]))
        {
          *env = (ZidEnvironment) i;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
zid_role_to_string (ZidRole role)
{
  g_return_val_if_fail (role <= ZID_ROLE_ADMINISTRATOR, NULL);
  return role_names[role];
}

ZidRole
zid_role_from_string (const char *str)
{
  for (guint i = ZID_ROLE_GEBRUIKER; str != NULL && i < G_N_ELEMENTS (role_names); i++)
    if (g_ascii_strcasecmp (str, role_names[i]) == 0)
      return (ZidRole) i;
  return ZID_ROLE_NONE;
}

/* Lookups in a table of ZidEnumInfo */

static const ZidEnumInfo *
enum_info (const ZidEnumInfo *table,
           guint              n,
           int                value)
{
  for (guint i = 0; i < n; i++)
    if (table[i].value == value)
      return &table[i];
  return NULL;
}

static const char *
enum_label (const ZidEnumInfo *info)
{
  return info ? g_dgettext (GETTEXT_PACKAGE, info->label) : NULL;
}

static gboolean
enum_from_name (const ZidEnumInfo *table,
                guint              n,
                const char        *name,
                int               *value)
{
  for (guint i = 0; name != NULL && i < n; i++)
    if (g_str_equal (name, table[i].name))
      {
        *value = table[i].value;
        return TRUE;
      }
  return FALSE;
}

/* "a, b, c of d" */
static char *
enum_names (const ZidEnumInfo *table,
            guint              n)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append (s, i + 1 == n ? _(" or ") : ", ");
      g_string_append (s, table[i].name);
    }
  return g_string_free (s, FALSE);
}

#define BLOCK_REASONS block_reasons, G_N_ELEMENTS (block_reasons)
#define ATTRIBUTE_TYPES attribute_types, G_N_ELEMENTS (attribute_types)

guint
zid_block_reason_get_n_values (void)
{
  return G_N_ELEMENTS (block_reasons);
}

const ZidEnumInfo *
zid_block_reason_nth (guint n)
{
  return n < G_N_ELEMENTS (block_reasons) ? &block_reasons[n] : NULL;
}

gboolean
zid_block_reason_is_valid (ZidBlockReason reason)
{
  return enum_info (BLOCK_REASONS, reason) != NULL;
}

const char *
zid_block_reason_get_cli_name (ZidBlockReason reason)
{
  const ZidEnumInfo *info = enum_info (BLOCK_REASONS, reason);

  return info ? info->name : NULL;
}

const char *
zid_block_reason_get_label (ZidBlockReason reason)
{
  return enum_label (enum_info (BLOCK_REASONS, reason));
}

gboolean
zid_block_reason_from_cli_name (const char     *cli_name,
                                ZidBlockReason *reason)
{
  int value;

  if (!enum_from_name (BLOCK_REASONS, cli_name, &value))
    return FALSE;
  *reason = (ZidBlockReason) value;
  return TRUE;
}

char *
zid_block_reason_dup_cli_names (void)
{
  return enum_names (BLOCK_REASONS);
}

const char *
zid_block_reason_to_string (ZidBlockReason reason)
{
  const char *name = zid_block_reason_get_cli_name (reason);

  g_return_val_if_fail (name != NULL || reason == ZID_BLOCK_REASON_NONE, NULL);
  return name ? name : "";
}

ZidBlockReason
zid_block_reason_from_string (const char *str)
{
  ZidBlockReason reason = ZID_BLOCK_REASON_NONE;

  zid_block_reason_from_cli_name (str, &reason);
  return reason;
}

guint
zid_attribute_type_get_n_values (void)
{
  return G_N_ELEMENTS (attribute_types);
}

const ZidEnumInfo *
zid_attribute_type_nth (guint n)
{
  return n < G_N_ELEMENTS (attribute_types) ? &attribute_types[n] : NULL;
}

const char *
zid_attribute_type_get_name (ZidAttributeType type)
{
  const ZidEnumInfo *info = enum_info (ATTRIBUTE_TYPES, type);

  return info ? info->name : NULL;
}

const char *
zid_attribute_type_get_label (ZidAttributeType type)
{
  return enum_label (enum_info (ATTRIBUTE_TYPES, type));
}

gboolean
zid_attribute_type_from_name (const char       *name,
                              ZidAttributeType *type)
{
  int value;

  if (!enum_from_name (ATTRIBUTE_TYPES, name, &value))
    return FALSE;
  *type = (ZidAttributeType) value;
  return TRUE;
}

char *
zid_attribute_type_dup_names (void)
{
  return enum_names (ATTRIBUTE_TYPES);
}

const char *
zid_mobile_id_state_to_string (ZidMobileIdState state)
{
  g_return_val_if_fail (state <= ZID_MOBILE_ID_REVOKED, NULL);
  return mobile_id_names[state];
}

void
zid_organisation_free (ZidOrganisation *self)
{
  if (self == NULL)
    return;
  g_free (self->ura);
  g_free (self->name);
  g_free (self->agb);
  g_free (self->address);
  g_free (self);
}

void
zid_membership_free (ZidMembership *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->ura, g_ref_string_release);
  g_clear_pointer (&self->organisation_name, g_ref_string_release);
  g_free (self);
}

void
zid_attribute_free (ZidAttribute *self)
{
  if (self == NULL)
    return;
  g_free (self->type);
  g_free (self->ura);
  g_free (self->task_code);
  g_free (self);
}

void
zid_certificate_free (ZidCertificate *self)
{
  if (self == NULL)
    return;
  g_free (self->serial);
  g_free (self->revoke_reason);
  g_free (self->pem);
  g_free (self);
}

void
zid_registration_free (ZidRegistration *self)
{
  if (self == NULL)
    return;
  g_free (self->ura);
  g_free (self->name);
  g_free (self->agb);
  g_free (self->address);
  g_free (self->reference);
  g_free (self);
}

void
zid_audit_event_free (ZidAuditEvent *self)
{
  if (self == NULL)
    return;
  g_free (self->actor);
  g_free (self->action);
  g_free (self->subject);
  g_free (self->details);
  g_free (self->hash);
  g_free (self);
}

void
zid_one_time_code_free (ZidOneTimeCode *self)
{
  if (self == NULL)
    return;
  /* the code is a secret: do not leave it in freed memory */
  if (self->code != NULL)
    memset (self->code, 0, strlen (self->code));
  g_free (self->code);
  if (self->payload != NULL)
    memset (self->payload, 0, strlen (self->payload));
  g_free (self->payload);
  g_free (self);
}

void
zid_enrolment_info_free (ZidEnrolmentInfo *self)
{
  if (self == NULL)
    return;
  g_free (self->first_name);
  g_free (self->last_name);
  g_free (self->organisation_name);
  g_free (self);
}

void
zid_enrol_result_free (ZidEnrolResult *self)
{
  if (self == NULL)
    return;
  g_free (self->cert_pem);
  g_free (self->chain_pem);
  g_free (self->serial);
  zid_enrolment_info_free (self->info);
  g_free (self);
}

void
zid_card_holder_clear (ZidCardHolder *self)
{
  g_clear_pointer (&self->uzi_number, g_free);
  g_clear_pointer (&self->given_name, g_free);
  g_clear_pointer (&self->surname, g_free);
  g_clear_pointer (&self->subscriber_number, g_free);
  g_clear_pointer (&self->role, g_free);
  self->card_type = 0;
}

void
zid_completion_free (ZidCompletion *self)
{
  if (self == NULL)
    return;
  zid_one_time_code_free (self->enrolment);
  g_free (self);
}

static gboolean
all_digits (const char *s,
            gsize       len)
{
  if (s == NULL || strlen (s) != len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (s[i]))
      return FALSE;
  return TRUE;
}

/* URA: the UZI-register subscriber number, eight digits */
gboolean
zid_validate_ura (const char  *ura,
                  GError     **error)
{
  if (!all_digits (ura, 8))
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT,
                   _("Invalid URA number “%s”: a URA has 8 digits"),
                   ura ? ura : "");
      return FALSE;
    }
  return TRUE;
}

gboolean
zid_validate_agb (const char  *agb,
                  GError     **error)
{
  if (agb != NULL && *agb != '\0' && !all_digits (agb, 8))
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT,
                   _("Invalid AGB code “%s”: an AGB code has 8 digits"), agb);
      return FALSE;
    }
  return TRUE;
}

gboolean
zid_validate_name (const char  *what,
                   const char  *name,
                   GError     **error)
{
  g_autofree char *stripped = NULL;
  gboolean visible = FALSE;

  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT,
                   _("%s is missing or is not valid text"), what);
      return FALSE;
    }
  stripped = g_strstrip (g_strdup (name));
  if (*stripped == '\0')
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT,
                   _("%s must not be empty"), what);
      return FALSE;
    }
  if (g_utf8_strlen (stripped, -1) > 200)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT,
                   _("%s is too long (200 characters at most)"), what);
      return FALSE;
    }
  for (const char *p = stripped; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      /* control and format characters (bidi overrides, zero-width, tags),
       * line and paragraph separators, unassigned and private-use code
       * points: invisible, or changing how the rest reads */
      switch (g_unichar_type (c))
        {
        case G_UNICODE_CONTROL:
        case G_UNICODE_FORMAT:
        case G_UNICODE_LINE_SEPARATOR:
        case G_UNICODE_PARAGRAPH_SEPARATOR:
        case G_UNICODE_UNASSIGNED:
        case G_UNICODE_PRIVATE_USE:
        case G_UNICODE_SURROGATE:
          g_set_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT,
                       _("%s contains an invisible or invalid character (U+%04X)"), what, c);
          return FALSE;
        default:
          break;
        }
      if (!g_unichar_isspace (c) && !g_unichar_ismark (c))
        visible = TRUE;
    }
  if (!visible)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT,
                   _("%s contains no visible character"), what);
      return FALSE;
    }
  return TRUE;
}

/* A real calendar date typed as JJJJ-MM-DD or DD-MM-JJJJ (one parser:
 * zid_search_parse_birth_date), not in the future, not before 1900 */
gboolean
zid_normalise_birth_date (const char  *date,
                          gint64       now,
                          char         iso[11],
                          GError     **error)
{
  g_autoptr(GDateTime) today = NULL;
  char parsed[11];
  int y, m, d;

  if (date == NULL || date[strspn (date, " \t")] == '\0')
    {
      g_set_error_literal (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT,
                           _("Fill in the birth date, as DD-MM-YYYY or YYYY-MM-DD"));
      return FALSE;
    }
  if (!zid_search_parse_birth_date (date, parsed) ||
      sscanf (parsed, "%4d-%2d-%2d", &y, &m, &d) != 3 || y < 1900)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT,
                   _("Invalid birth date “%s”: use DD-MM-YYYY or YYYY-MM-DD, a date that exists"),
                   date ? date : "");
      return FALSE;
    }

  today = g_date_time_new_from_unix_utc (now);
  if (y > g_date_time_get_year (today) ||
      (y == g_date_time_get_year (today) &&
       (m > g_date_time_get_month (today) ||
        (m == g_date_time_get_month (today) && d > g_date_time_get_day_of_month (today)))))
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT,
                   _("The birth date %s is in the future"), date);
      return FALSE;
    }
  if (iso != NULL)
    memcpy (iso, parsed, sizeof parsed);
  return TRUE;
}

gboolean
zid_validate_birth_date (const char  *date,
                         gint64       now,
                         GError     **error)
{
  return zid_normalise_birth_date (date, now, NULL, error);
}

char *
zid_format_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_seconds);

  return dt ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ") : g_strdup ("");
}
