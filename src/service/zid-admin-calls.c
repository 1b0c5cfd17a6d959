/* zid-admin-calls.c — the organisation server's side of a remote window
 *
 * One function per method, in the order of the table at the end. Each
 * reads its arguments (zid_wire_get_*: a missing one is refused), calls
 * the portal with the session's user as actor, and writes "result".
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include "zid-admin-calls.h"
#include "zid-error.h"
#include "zid-i18n.h"
#include "zid-wire.h"

typedef gboolean (*CallFunc) (ZidPortal    *portal,
                              gint64        actor,
                              JsonObject   *args,
                              JsonBuilder  *builder,
                              GError      **error);

/* The head of a method's function, a CallFunc */
#define CALL(method) \
  static gboolean call_##method (ZidPortal    *portal, \
                                 gint64        actor, \
                                 JsonObject   *args, \
                                 JsonBuilder  *builder, \
                                 GError      **error)

static void
result (JsonBuilder *builder)
{
  json_builder_set_member_name (builder, "result");
}

/* A list of users (zid_wire_add_users): NULL (the call failed) is FALSE */
static gboolean
result_users (JsonBuilder *builder,
              GPtrArray   *users)
{
  g_autoptr(GPtrArray) owned = users;

  if (owned == NULL)
    return FALSE;
  result (builder);
  zid_wire_add_users (builder, owned);
  return TRUE;
}

/* An array result: NULL (the call failed) is FALSE */
static gboolean
result_array (JsonBuilder    *builder,
              GPtrArray      *array,
              ZidWireAddFunc  add)
{
  g_autoptr(GPtrArray) owned = array;

  if (owned == NULL)
    return FALSE;
  result (builder);
  zid_wire_add_array (builder, owned, add);
  return TRUE;
}

static gboolean
result_true (JsonBuilder *builder,
             gboolean     ok)
{
  if (!ok)
    return FALSE;
  result (builder);
  json_builder_add_boolean_value (builder, TRUE);
  return TRUE;
}

static gboolean
result_code (JsonBuilder    *builder,
             ZidOneTimeCode *code)
{
  g_autoptr(ZidOneTimeCode) owned = code;

  if (owned == NULL)
    return FALSE;
  result (builder);
  zid_wire_add_code (builder, owned);
  return TRUE;
}

CALL (get_user)
{
  g_autoptr(ZidUser) user = NULL;
  gint64 id;

  if (!zid_wire_get_int (args, "user", &id, error) ||
      (user = zid_portal_get_user (portal, actor, id, error)) == NULL)
    return FALSE;
  result (builder);
  zid_wire_add_user (builder, user);
  return TRUE;
}

CALL (list_users)
{
  g_autofree char *search = NULL;
  gint64 organisation;

  if (!zid_wire_get_int (args, "organisation", &organisation, error) ||
      !zid_wire_get_string (args, "search", &search, error))
    return FALSE;
  return result_users (builder, zid_portal_list_users (portal, actor, organisation, search, error));
}

CALL (find_same_person)
{
  g_autofree char *first = NULL, *last = NULL, *birth = NULL;

  if (!zid_wire_get_string (args, "first_name", &first, error) ||
      !zid_wire_get_string (args, "last_name", &last, error) ||
      !zid_wire_get_string (args, "birth_date", &birth, error))
    return FALSE;
  return result_users (builder, zid_portal_find_same_person (portal, actor, first, last, birth, error));
}

CALL (list_organisations)
{
  return result_array (builder, zid_portal_list_organisations (portal, actor, error),
                       zid_wire_add_organisation);
}

CALL (get_capabilities)
{
  g_autoptr(ZidCapabilities) caps = NULL;
  gint64 user;

  if (!zid_wire_get_int (args, "user", &user, error) ||
      (caps = zid_portal_get_capabilities (portal, actor, user, error)) == NULL)
    return FALSE;
  result (builder);
  zid_wire_add_capabilities (builder, caps);
  return TRUE;
}

CALL (check_action)
{
  gint64 action, user, organisation;

  if (!zid_wire_get_int (args, "action", &action, error) ||
      !zid_wire_get_int (args, "user", &user, error) ||
      !zid_wire_get_int (args, "organisation", &organisation, error))
    return FALSE;
  if (action < ZID_ACTION_VIEW_USERS || action > ZID_ACTION_NEW_CERTIFICATE)
    {
      g_set_error_literal (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT, _("No such action"));
      return FALSE;
    }
  return result_true (builder, zid_portal_check_action (portal, actor, (ZidAction) action, user,
                                                        organisation, error));
}

CALL (list_certificates)
{
  gint64 user;

  if (!zid_wire_get_int (args, "user", &user, error))
    return FALSE;
  return result_array (builder, zid_portal_list_certificates (portal, actor, user, error),
                       zid_wire_add_certificate);
}

CALL (list_attributes)
{
  gint64 user;

  if (!zid_wire_get_int (args, "user", &user, error))
    return FALSE;
  return result_array (builder, zid_portal_list_attributes (portal, actor, user, error),
                       zid_wire_add_attribute);
}

CALL (block_user)
{
  gint64 user, reason;

  if (!zid_wire_get_int (args, "user", &user, error) ||
      !zid_wire_get_int (args, "reason", &reason, error))
    return FALSE;
  return result_true (builder, zid_portal_block_user (portal, actor, user, (ZidBlockReason) reason,
                                                      error));
}

CALL (unblock_user)
{
  gint64 user;

  if (!zid_wire_get_int (args, "user", &user, error))
    return FALSE;
  return result_true (builder, zid_portal_unblock_user (portal, actor, user, error));
}

CALL (revoke_certificate)
{
  g_autofree char *serial = NULL;
  gint64 user;

  if (!zid_wire_get_int (args, "user", &user, error) ||
      !zid_wire_get_string (args, "serial", &serial, error))
    return FALSE;
  return result_true (builder, zid_portal_revoke_certificate (portal, actor, user, serial, error));
}

CALL (new_certificate)
{
  gint64 user;

  if (!zid_wire_get_int (args, "user", &user, error))
    return FALSE;
  return result_code (builder, zid_portal_new_certificate (portal, actor, user, error));
}

CALL (register_user)
{
  g_autofree char *first = NULL, *last = NULL, *birth = NULL;
  gint64 organisation;

  if (!zid_wire_get_int (args, "organisation", &organisation, error) ||
      !zid_wire_get_string (args, "first_name", &first, error) ||
      !zid_wire_get_string (args, "last_name", &last, error) ||
      !zid_wire_get_string (args, "birth_date", &birth, error))
    return FALSE;
  return result_code (builder, zid_portal_register_user (portal, actor, organisation, first, last, birth,
                                                         error));
}

CALL (set_membership)
{
  g_autoptr(ZidOneTimeCode) enrolment = NULL;
  gint64 user, organisation, role;

  if (!zid_wire_get_int (args, "user", &user, error) ||
      !zid_wire_get_int (args, "organisation", &organisation, error) ||
      !zid_wire_get_int (args, "role", &role, error) ||
      !zid_portal_set_membership (portal, actor, user, organisation, (ZidRole) role, &enrolment, error))
    return FALSE;
  result (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "enrolment");
  if (enrolment != NULL)
    zid_wire_add_code (builder, enrolment);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  return TRUE;
}

CALL (add_attribute)
{
  g_autofree char *type = NULL, *task_code = NULL;
  gint64 user, organisation, id;

  if (!zid_wire_get_int (args, "user", &user, error) ||
      !zid_wire_get_string (args, "type", &type, error) ||
      !zid_wire_get_int (args, "organisation", &organisation, error) ||
      !zid_wire_get_string (args, "task_code", &task_code, error) ||
      (id = zid_portal_add_attribute (portal, actor, user, type, organisation, task_code, error)) == 0)
    return FALSE;
  result (builder);
  json_builder_add_int_value (builder, id);
  return TRUE;
}

CALL (list_inactive)
{
  gint64 organisation;

  if (!zid_wire_get_int (args, "organisation", &organisation, error))
    return FALSE;
  return result_users (builder, zid_portal_list_inactive (portal, actor, organisation, error));
}

CALL (get_inactive_user)
{
  g_autoptr(ZidUser) inactive = NULL;
  gint64 organisation, user;

  if (!zid_wire_get_int (args, "organisation", &organisation, error) ||
      !zid_wire_get_int (args, "user", &user, error) ||
      !zid_portal_get_inactive_user (portal, actor, organisation, user, &inactive, error))
    return FALSE;
  result (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "inactive");
  if (inactive != NULL)
    zid_wire_add_user (builder, inactive);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  return TRUE;
}

CALL (list_pending)
{
  gint64 organisation;

  if (!zid_wire_get_int (args, "organisation", &organisation, error))
    return FALSE;
  return result_array (builder, zid_portal_list_pending (portal, actor, organisation, error),
                       zid_wire_add_pending);
}

/* Any session may ask what changed: it names ids, no data */
CALL (list_changes)
{
  g_autoptr(GArray) users = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) organisations = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 since, latest = 0;

  if (!zid_wire_get_int (args, "since", &since, error) ||
      !zid_portal_list_changes (portal, since, &latest, users, organisations, error))
    return FALSE;
  result (builder);
  json_builder_begin_object (builder);
  zid_wire_add_int (builder, "latest", latest);
  json_builder_set_member_name (builder, "users");
  zid_wire_add_ids (builder, users);
  json_builder_set_member_name (builder, "organisations");
  zid_wire_add_ids (builder, organisations);
  json_builder_end_object (builder);
  return TRUE;
}

static const struct
{
  const char *method;
  CallFunc    func;
} calls[] = {
  { "get_user", call_get_user },
  { "list_users", call_list_users },
  { "find_same_person", call_find_same_person },
  { "list_organisations", call_list_organisations },
  { "get_capabilities", call_get_capabilities },
  { "check_action", call_check_action },
  { "list_certificates", call_list_certificates },
  { "list_attributes", call_list_attributes },
  { "block_user", call_block_user },
  { "unblock_user", call_unblock_user },
  { "revoke_certificate", call_revoke_certificate },
  { "new_certificate", call_new_certificate },
  { "register_user", call_register_user },
  { "set_membership", call_set_membership },
  { "add_attribute", call_add_attribute },
  { "list_inactive", call_list_inactive },
  { "get_inactive_user", call_get_inactive_user },
  { "list_pending", call_list_pending },
  { "list_changes", call_list_changes },
};

gboolean
zid_admin_call (ZidPortal    *portal,
                gint64        actor,
                const char   *method,
                JsonObject   *args,
                JsonBuilder  *builder,
                GError      **error)
{
  g_return_val_if_fail (ZID_IS_PORTAL (portal), FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    if (g_strcmp0 (calls[i].method, method) == 0)
      return calls[i].func (portal, actor, args, builder, error);
  g_set_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT,
               _("The server does not offer “%s”. Update the server to the portal's version."), method);
  return FALSE;
}
