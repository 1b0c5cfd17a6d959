/* zid-portal-export.c — the users of an organisation and its open
 * enrolments as CSV, for the window and the command line alike
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "zid-csv.h"
#include "zid-portal.h"

static const char *
status_label (ZidUser *user)
{
  return zid_user_get_blocked (user) ? _("Blocked") : _("Active");
}

static const char *
mobile_id_label (ZidMobileIdState state)
{
  switch (state)
    {
    case ZID_MOBILE_ID_ACTIVE:  return _("Active");
    case ZID_MOBILE_ID_REVOKED: return _("Revoked");
    case ZID_MOBILE_ID_NONE:
    default:                    return _("Not enrolled");
    }
}

/* The cells that name a user, as in the users overview */
static void
add_person (ZidCsv  *csv,
            ZidUser *user)
{
  zid_csv_add_int (csv, zid_user_get_id (user));
  zid_csv_add (csv, zid_user_get_first_name (user));
  zid_csv_add (csv, zid_user_get_last_name (user));
  zid_csv_add (csv, zid_user_get_birth_date (user));
}

gboolean
zid_portal_export_users_csv (ZidPortal      *self,
                             gint64          actor,
                             gint64          organisation,
                             char            separator,
                             GOutputStream  *out,
                             GCancellable   *cancellable,
                             guint          *n_users,
                             GError        **error)
{
  g_autoptr(ZidCsv) csv = NULL;
  g_autoptr(GPtrArray) users = NULL;

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (separator == ZID_CSV_SEMICOLON || separator == ZID_CSV_COMMA, FALSE);

  if ((users = zid_portal_list_users (self, actor, organisation, NULL, error)) == NULL)
    return FALSE;
  csv = zid_csv_new (separator);
  /* Translators: the column headers of the users' CSV export */
  zid_csv_add_row (csv, _("Number"), _("First name"), _("Last name"), _("Birth date"),
                   _("Role"), _("Organisations and roles"), _("Status"), _("Block reason"),
                   _("Mobile ID"), _("Last use"), _("Registered"), NULL);
  for (guint i = 0; i < users->len; i++)
    {
      ZidUser *user = g_ptr_array_index (users, i);
      GPtrArray *memberships = zid_user_get_memberships (user);
      g_autoptr(GString) roles = g_string_new (NULL);

      for (guint j = 0; j < memberships->len; j++)
        {
          ZidMembership *m = g_ptr_array_index (memberships, j);

          g_string_append_printf (roles, "%s%s (%s)", j ? ", " : "", m->organisation_name,
                                  zid_role_to_string (m->role));
        }
      add_person (csv, user);
      zid_csv_add (csv, organisation > 0 ? zid_role_to_string (zid_user_get_role_in (user, organisation)) : NULL);
      zid_csv_add (csv, roles->str);
      zid_csv_add (csv, status_label (user));
      zid_csv_add (csv, zid_user_get_blocked (user)
                          ? zid_block_reason_get_label (zid_user_get_block_reason (user)) : NULL);
      zid_csv_add (csv, mobile_id_label (zid_user_get_mobile_id (user)));
      zid_csv_add_time (csv, zid_user_get_last_use (user));
      zid_csv_add_time (csv, zid_user_get_registered (user));
      zid_csv_end_row (csv);
      if (i % 1000 == 999 && !zid_csv_flush (csv, out, cancellable, error))
        return FALSE;
    }
  if (n_users != NULL)
    *n_users = users->len;
  return zid_csv_flush (csv, out, cancellable, error);
}

gboolean
zid_portal_export_pending_csv (ZidPortal      *self,
                               gint64          actor,
                               gint64          organisation,
                               char            separator,
                               GOutputStream  *out,
                               GCancellable   *cancellable,
                               guint          *n_pending,
                               GError        **error)
{
  g_autoptr(ZidCsv) csv = NULL;
  g_autoptr(GPtrArray) pending = NULL;

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (separator == ZID_CSV_SEMICOLON || separator == ZID_CSV_COMMA, FALSE);

  if ((pending = zid_portal_list_pending (self, actor, organisation, error)) == NULL)
    return FALSE;
  csv = zid_csv_new (separator);
  /* Translators: the column headers of the open enrolments' CSV export */
  zid_csv_add_row (csv, _("Number"), _("First name"), _("Last name"), _("Birth date"),
                   _("Code for"), _("Issued"), _("Valid until"), _("Expired"), NULL);
  for (guint i = 0; i < pending->len; i++)
    {
      ZidPendingEnrolment *p = g_ptr_array_index (pending, i);

      add_person (csv, p->user);
      zid_csv_add (csv, p->purpose == ZID_CODE_ENROLMENT ? _("Registration") : _("New certificate"));
      zid_csv_add_time (csv, p->created);
      zid_csv_add_time (csv, p->expires);
      zid_csv_add (csv, p->expired ? _("Yes") : _("No"));
      zid_csv_end_row (csv);
    }
  if (n_pending != NULL)
    *n_pending = pending->len;
  return zid_csv_flush (csv, out, cancellable, error);
}
