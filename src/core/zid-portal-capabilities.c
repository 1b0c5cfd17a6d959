/* zid-portal-capabilities.c — what an actor may do on a user's page
 *
 * Every answer comes from the rule functions of zid-portal-authority.c that
 * the acting calls run, inside one read transaction.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-core"

#include "config.h"

#include "zid-db.h"
#include "zid-portal-private.h"
#include "zid-wire.h"

#define N_ATTRIBUTE_TYPES (ZID_ATTRIBUTE_TYPE_TAAK + 1)
#define N_ASSIGNABLE      (ZID_ROLE_ADMINISTRATOR + 1)

typedef struct
{
  gint64   id;
  GError  *attribute;             /* NULL: may add attributes there */
  GError  *roles[N_ASSIGNABLE];   /* per role; [ZID_ROLE_NONE] unused */
} OrganisationRules;

struct _ZidCapabilities
{
  gint64      actor;
  gint64      user;
  GError     *unmanaged;                        /* for an organisation not listed */
  GError     *actions[ZID_ACTION_NEW_CERTIFICATE + 1];
  GError     *attribute_types[N_ATTRIBUTE_TYPES];
  gboolean    enrolment_waits;
  GArray     *organisations;                    /* of OrganisationRules */
  GArray     *last_beheerder;                   /* of LastBeheerder, by name */
};

/* An organisation whose last active Beheerder the user is */
typedef struct
{
  gint64  id;
  char   *name;
} LastBeheerder;

static void
last_beheerder_clear (gpointer data)
{
  g_free (((LastBeheerder *) data)->name);
}

static void
organisation_rules_clear (gpointer data)
{
  OrganisationRules *o = data;

  g_clear_error (&o->attribute);
  for (guint i = 0; i < N_ASSIGNABLE; i++)
    g_clear_error (&o->roles[i]);
}

static void
capabilities_clear (gpointer data)
{
  ZidCapabilities *self = data;

  g_clear_error (&self->unmanaged);
  for (guint i = 0; i < G_N_ELEMENTS (self->actions); i++)
    g_clear_error (&self->actions[i]);
  for (guint i = 0; i < G_N_ELEMENTS (self->attribute_types); i++)
    g_clear_error (&self->attribute_types[i]);
  g_clear_pointer (&self->organisations, g_array_unref);
  g_clear_pointer (&self->last_beheerder, g_array_unref);
}

ZidCapabilities *
zid_capabilities_ref (ZidCapabilities *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_atomic_rc_box_acquire (self);
}

void
zid_capabilities_unref (ZidCapabilities *self)
{
  if (self != NULL)
    g_atomic_rc_box_release_full (self, capabilities_clear);
}

G_DEFINE_BOXED_TYPE (ZidCapabilities, zid_capabilities, zid_capabilities_ref, zid_capabilities_unref)

/* Runs a rule: a refusal is kept in @slot, any other failure (the store,
 * no such user) in @failure, which ends the reading */
static void
keep (gboolean    ok,
      GError     *error,
      GError    **slot,
      GError    **failure)
{
  if (ok)
    return;
  if (_zid_is_refusal (error))
    *slot = error;
  else if (*failure == NULL)
    *failure = error;
  else
    g_error_free (error);
}

/* RULE (&slot, rule (..., &e_)) */
#define RULE(slot, call) \
  G_STMT_START { GError *e_ = NULL; gboolean ok_ = call; keep (ok_, e_, (slot), &failure); } G_STMT_END

static GArray *
actor_organisations (ZidPortal  *self,
                     gint64      actor,
                     GError    **error)
{
  g_autoptr(GArray) orgs = g_array_new (FALSE, TRUE, sizeof (OrganisationRules));
  ZidDbStmt *stmt;
  ZidDbStep step;

  g_array_set_clear_func (orgs, organisation_rules_clear);
  stmt = zid_db_query (self->store, error,
                       "SELECT o.id FROM memberships m JOIN organisations o ON o.id = m.organisation_id"
                       " WHERE m.user_id = ? AND m.role >= 2 ORDER BY o.name",
                       "i", actor);
  while ((step = zid_db_step (stmt, error)) == ZID_DB_ROW)
    {
      OrganisationRules o = { zid_db_column_int64 (stmt, 0), NULL, { NULL } };

      g_array_append_val (orgs, o);
    }
  if (step == ZID_DB_ERROR)
    return NULL;
  return g_steal_pointer (&orgs);
}

/* The organisations where @user is a Beheerder and no one else is an
 * active one (not blocked, with a mobile ID to log in with): lowering
 * that role, or blocking the user, leaves the organisation without a
 * Beheerder. The rules allow it (an Administrator stays: the only active
 * one cannot be demoted or blocked); the window asks first. */
static GArray *
last_beheerder_of (ZidPortal  *self,
                   gint64      user,
                   GError    **error)
{
  g_autoptr(GArray) orgs = g_array_new (FALSE, TRUE, sizeof (LastBeheerder));
  ZidDbStmt *stmt;
  ZidDbStep step;

  g_array_set_clear_func (orgs, last_beheerder_clear);
  stmt = zid_db_query (self->store, error,
                       "SELECT o.id, o.name FROM memberships m"
                       " JOIN organisations o ON o.id = m.organisation_id"
                       " WHERE m.user_id = ?1 AND m.role = 2"
                       "   AND NOT EXISTS (SELECT 1 FROM memberships x"
                       "     JOIN users xu ON xu.id = x.user_id"
                       "     WHERE x.organisation_id = m.organisation_id AND x.role = 2"
                       "       AND x.user_id != m.user_id AND xu.blocked = 0"
                       "       AND xu.mobile_id = 1)"
                       " ORDER BY o.name",
                       "i", user);
  while ((step = zid_db_step (stmt, error)) == ZID_DB_ROW)
    {
      LastBeheerder o = { zid_db_column_int64 (stmt, 0), zid_db_column_dup (stmt, 1) };

      g_array_append_val (orgs, o);
    }
  if (step == ZID_DB_ERROR)
    return NULL;
  return g_steal_pointer (&orgs);
}

static ZidCapabilities *
get_capabilities_locked (ZidPortal  *self,
                         gint64      actor,
                         gint64      user,
                         GError    **error)
{
  g_autoptr(ZidCapabilities) caps = g_atomic_rc_box_new0 (ZidCapabilities);
  static const ZidAction user_actions[] = {
    ZID_ACTION_VIEW_USERS, ZID_ACTION_BLOCK, ZID_ACTION_UNBLOCK,
    ZID_ACTION_REVOKE_CERTIFICATE, ZID_ACTION_NEW_CERTIFICATE,
  };
  GError *failure = NULL;
  GError *actor_refusal = NULL;
  gboolean blocked = FALSE;

  caps->actor = actor;
  caps->user = user;

  /* a user who does not exist gets the answer of a user the actor does
   * not manage: every rule refuses (refusals do not tell which ids exist) */
  if (!_zid_portal_load_user (self, user, &blocked, NULL, &failure))
    {
      if (!g_error_matches (failure, ZID_ERROR, ZID_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, failure);
          return NULL;
        }
      g_clear_error (&failure);
    }
  if ((caps->organisations = actor_organisations (self, actor, error)) == NULL ||
      (caps->last_beheerder = last_beheerder_of (self, user, error)) == NULL)
    return NULL;

  RULE (&actor_refusal, _zid_portal_check_actor (self, actor, &e_));
  caps->unmanaged = actor_refusal != NULL
    ? actor_refusal
    : g_error_new_literal (ZID_ERROR, ZID_ERROR_NOT_PERMITTED,
                           _("You do not administer this organisation (separation between "
                             "organisations)"));
  for (guint i = 0; i < G_N_ELEMENTS (user_actions); i++)
    RULE (&caps->actions[user_actions[i]],
          _zid_portal_check_action (self, actor, user_actions[i], user, 0, &e_));
  caps->enrolment_waits = caps->actions[ZID_ACTION_NEW_CERTIFICATE] == NULL && blocked;

  for (guint t = 0; t < N_ATTRIBUTE_TYPES; t++)
    RULE (&caps->attribute_types[t],
          _zid_portal_check_attribute_type (actor, user, (ZidAttributeType) t, &e_));

  for (guint i = 0; i < caps->organisations->len; i++)
    {
      OrganisationRules *o = &g_array_index (caps->organisations, OrganisationRules, i);
      GError *membership = NULL;

      RULE (&o->attribute,
            _zid_portal_check_action (self, actor, ZID_ACTION_ADD_ATTRIBUTE, user, o->id, &e_));
      RULE (&membership,
            _zid_portal_check_action (self, actor, ZID_ACTION_SET_MEMBERSHIP, user, o->id, &e_));
      for (ZidRole role = ZID_ROLE_GEBRUIKER; role <= ZID_ROLE_ADMINISTRATOR; role++)
        {
          if (membership != NULL)
            o->roles[role] = g_error_copy (membership);
          else
            RULE (&o->roles[role],
                  _zid_portal_check_role_change (self, actor, user, o->id, role, &e_));
        }
      g_clear_error (&membership);
    }

  if (failure != NULL)
    {
      g_propagate_error (error, failure);
      return NULL;
    }
  return g_steal_pointer (&caps);
}

ZidCapabilities *
zid_portal_get_capabilities (ZidPortal  *self,
                             gint64      actor,
                             gint64      user,
                             GError    **error)
{
  ZidCapabilities *caps;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (!zid_store_begin (self->store, FALSE, error))
    return NULL;
  caps = get_capabilities_locked (self, actor, user, error);
  zid_store_commit (self->store, NULL);
  return caps;
}

gint64
zid_capabilities_get_actor (ZidCapabilities *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->actor;
}

gint64
zid_capabilities_get_user (ZidCapabilities *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->user;
}

static gboolean
answer (const GError  *why,
        const GError **refusal)
{
  if (refusal != NULL)
    *refusal = why;
  return why == NULL;
}

/* The rules of @organisation, or NULL with the refusal for an
 * organisation the actor does not manage */
static const OrganisationRules *
organisation_rules (ZidCapabilities  *self,
                    gint64            organisation,
                    const GError    **refusal)
{
  for (guint i = 0; i < self->organisations->len; i++)
    {
      const OrganisationRules *o = &g_array_index (self->organisations, OrganisationRules, i);

      if (o->id == organisation)
        return o;
    }
  answer (self->unmanaged, refusal);
  return NULL;
}

gboolean
zid_capabilities_allows (ZidCapabilities  *self,
                         ZidAction         action,
                         const GError    **refusal)
{
  const GError *first = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (action != ZID_ACTION_REGISTER_USER && action != ZID_ACTION_VIEW_INACTIVE &&
                        action <= ZID_ACTION_NEW_CERTIFICATE, FALSE);

  if (action != ZID_ACTION_ADD_ATTRIBUTE && action != ZID_ACTION_SET_MEMBERSHIP)
    return answer (self->actions[action], refusal);

  /* in any of the actor's organisations; else the first one's refusal */
  for (guint i = 0; i < self->organisations->len; i++)
    {
      const OrganisationRules *o = &g_array_index (self->organisations, OrganisationRules, i);
      const GError *why = action == ZID_ACTION_ADD_ATTRIBUTE ? o->attribute : o->roles[ZID_ROLE_GEBRUIKER];

      if (why == NULL ||
          (action == ZID_ACTION_SET_MEMBERSHIP &&
           zid_capabilities_get_assignable_roles (self, o->id) != 0))
        return answer (NULL, refusal);
      if (first == NULL)
        first = why;
    }
  return answer (first ? first : self->unmanaged, refusal);
}

gboolean
zid_capabilities_get_enrolment_waits (ZidCapabilities *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->enrolment_waits;
}

guint
zid_capabilities_get_n_organisations (ZidCapabilities *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->organisations->len;
}

gint64
zid_capabilities_get_organisation (ZidCapabilities *self,
                                   guint            i)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (i < self->organisations->len, 0);
  return g_array_index (self->organisations, OrganisationRules, i).id;
}

gboolean
zid_capabilities_may_assign_role (ZidCapabilities  *self,
                                  gint64            organisation,
                                  ZidRole           role,
                                  const GError    **refusal)
{
  const OrganisationRules *o;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (role >= ZID_ROLE_GEBRUIKER && role <= ZID_ROLE_ADMINISTRATOR, FALSE);

  if ((o = organisation_rules (self, organisation, refusal)) == NULL)
    return FALSE;
  return answer (o->roles[role], refusal);
}

guint
zid_capabilities_get_assignable_roles (ZidCapabilities *self,
                                       gint64           organisation)
{
  guint roles = 0;

  for (ZidRole role = ZID_ROLE_GEBRUIKER; role <= ZID_ROLE_ADMINISTRATOR; role++)
    if (zid_capabilities_may_assign_role (self, organisation, role, NULL))
      roles |= 1u << role;
  return roles;
}

gboolean
zid_capabilities_may_add_attribute (ZidCapabilities   *self,
                                    gint64             organisation,
                                    ZidAttributeType   type,
                                    const GError     **refusal)
{
  const OrganisationRules *o;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (type < N_ATTRIBUTE_TYPES, FALSE);

  if ((o = organisation_rules (self, organisation, refusal)) == NULL)
    return FALSE;
  if (o->attribute != NULL)
    return answer (o->attribute, refusal);
  return answer (self->attribute_types[type], refusal);
}

const char *
zid_capabilities_get_last_beheerder_of (ZidCapabilities *self,
                                        gint64           organisation)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->last_beheerder->len; i++)
    {
      const LastBeheerder *o = &g_array_index (self->last_beheerder, LastBeheerder, i);

      if (organisation == 0 || o->id == organisation)
        return o->name;
    }
  return NULL;
}

/* ---- on the wire (zid-wire.h) ------------------------------------------- */

/* A slot: null when allowed, else the refusal */
static void
add_slot (JsonBuilder  *builder,
          const GError *refusal)
{
  if (refusal == NULL)
    json_builder_add_null_value (builder);
  else
    zid_wire_add_error (builder, refusal);
}

static void
add_slots (JsonBuilder  *builder,
           const char   *name,
           GError      **slots,
           guint         n)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    add_slot (builder, slots[i]);
  json_builder_end_array (builder);
}

void
zid_wire_add_capabilities (JsonBuilder   *builder,
                           gconstpointer  value)
{
  ZidCapabilities *self = (ZidCapabilities *) value;

  json_builder_begin_object (builder);
  zid_wire_add_int (builder, "actor", self->actor);
  zid_wire_add_int (builder, "user", self->user);
  json_builder_set_member_name (builder, "unmanaged");
  add_slot (builder, self->unmanaged);
  add_slots (builder, "actions", self->actions, G_N_ELEMENTS (self->actions));
  add_slots (builder, "attribute_types", self->attribute_types, G_N_ELEMENTS (self->attribute_types));
  zid_wire_add_bool (builder, "enrolment_waits", self->enrolment_waits);
  json_builder_set_member_name (builder, "organisations");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->organisations->len; i++)
    {
      OrganisationRules *o = &g_array_index (self->organisations, OrganisationRules, i);

      json_builder_begin_object (builder);
      zid_wire_add_int (builder, "id", o->id);
      json_builder_set_member_name (builder, "attribute");
      add_slot (builder, o->attribute);
      add_slots (builder, "roles", o->roles, N_ASSIGNABLE);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "last_beheerder");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->last_beheerder->len; i++)
    {
      LastBeheerder *b = &g_array_index (self->last_beheerder, LastBeheerder, i);

      json_builder_begin_object (builder);
      zid_wire_add_int (builder, "id", b->id);
      zid_wire_add_string (builder, "name", b->name);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

static gboolean
get_slot (JsonNode  *node,
          GError   **slot,
          GError   **error)
{
  if (node == NULL)
    return zid_wire_bad_form (error, "capabilities");
  *slot = JSON_NODE_HOLDS_NULL (node) ? NULL : zid_wire_get_error (node);
  return TRUE;
}

static gboolean
get_slots (JsonObject  *object,
           const char  *name,
           GError     **slots,
           guint        n,
           GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);
  JsonArray *array = node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

  for (guint i = 0; i < n; i++)
    if (!get_slot (array && i < json_array_get_length (array) ? json_array_get_element (array, i) : NULL,
                   &slots[i], error))
      return FALSE;
  return TRUE;
}

gpointer
zid_wire_get_capabilities (JsonNode  *node,
                           GError   **error)
{
  g_autoptr(ZidCapabilities) caps = g_atomic_rc_box_new0 (ZidCapabilities);
  JsonObject *o = zid_wire_get_object (node, error);
  JsonNode *orgs, *last;

  if (o == NULL)
    return NULL;
  caps->organisations = g_array_new (FALSE, TRUE, sizeof (OrganisationRules));
  g_array_set_clear_func (caps->organisations, organisation_rules_clear);
  caps->last_beheerder = g_array_new (FALSE, TRUE, sizeof (LastBeheerder));
  g_array_set_clear_func (caps->last_beheerder, last_beheerder_clear);

  if (!zid_wire_get_int (o, "actor", &caps->actor, error) ||
      !zid_wire_get_int (o, "user", &caps->user, error) ||
      !get_slot (json_object_get_member (o, "unmanaged"), &caps->unmanaged, error) ||
      !get_slots (o, "actions", caps->actions, G_N_ELEMENTS (caps->actions), error) ||
      !get_slots (o, "attribute_types", caps->attribute_types, G_N_ELEMENTS (caps->attribute_types),
                  error) ||
      !zid_wire_get_bool (o, "enrolment_waits", &caps->enrolment_waits, error))
    return NULL;

  orgs = json_object_get_member (o, "organisations");
  last = json_object_get_member (o, "last_beheerder");
  if (orgs == NULL || !JSON_NODE_HOLDS_ARRAY (orgs) || last == NULL || !JSON_NODE_HOLDS_ARRAY (last))
    {
      zid_wire_bad_form (error, "organisations");
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (json_node_get_array (orgs)); i++)
    {
      JsonObject *r = zid_wire_get_object (json_array_get_element (json_node_get_array (orgs), i), error);
      OrganisationRules rules = { 0 };

      g_array_append_val (caps->organisations, rules);
      if (r == NULL ||
          !zid_wire_get_int (r, "id", &g_array_index (caps->organisations, OrganisationRules, i).id, error) ||
          !get_slot (json_object_get_member (r, "attribute"),
                     &g_array_index (caps->organisations, OrganisationRules, i).attribute, error) ||
          !get_slots (r, "roles", g_array_index (caps->organisations, OrganisationRules, i).roles,
                      N_ASSIGNABLE, error))
        return NULL;
    }
  for (guint i = 0; i < json_array_get_length (json_node_get_array (last)); i++)
    {
      JsonObject *r = zid_wire_get_object (json_array_get_element (json_node_get_array (last), i), error);
      LastBeheerder b = { 0 };

      g_array_append_val (caps->last_beheerder, b);
      if (r == NULL ||
          !zid_wire_get_int (r, "id", &g_array_index (caps->last_beheerder, LastBeheerder, i).id, error) ||
          !zid_wire_get_string (r, "name", &g_array_index (caps->last_beheerder, LastBeheerder, i).name,
                                error))
        return NULL;
    }
  return g_steal_pointer (&caps);
}
