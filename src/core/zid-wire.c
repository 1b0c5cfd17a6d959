/* zid-wire.c — the core's values as JSON, for the admin API's calls
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include "zid-error.h"
#include "zid-i18n.h"
#include "zid-wire.h"

gboolean
zid_wire_bad_form (GError     **error,
                   const char  *name)
{
  g_set_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT,
               _("The server's answer cannot be read (at “%s”). Update the portal to the "
                 "server's version."),
               name);
  return FALSE;
}

static JsonNode *
member (JsonObject *object,
        const char *name,
        GType       type,
        gboolean    nullable)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  if (node == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_NULL (node))
    return nullable ? node : NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != type)
    return NULL;
  return node;
}

gboolean
zid_wire_get_int (JsonObject  *object,
                  const char  *name,
                  gint64      *value,
                  GError     **error)
{
  JsonNode *node = member (object, name, G_TYPE_INT64, FALSE);

  if (node == NULL)
    return zid_wire_bad_form (error, name);
  *value = json_node_get_int (node);
  return TRUE;
}

gboolean
zid_wire_get_string (JsonObject  *object,
                     const char  *name,
                     char       **value,
                     GError     **error)
{
  JsonNode *node = member (object, name, G_TYPE_STRING, TRUE);

  if (node == NULL)
    return zid_wire_bad_form (error, name);
  *value = JSON_NODE_HOLDS_NULL (node) ? NULL : json_node_dup_string (node);
  return TRUE;
}

gboolean
zid_wire_get_bool (JsonObject  *object,
                   const char  *name,
                   gboolean    *value,
                   GError     **error)
{
  JsonNode *node = member (object, name, G_TYPE_BOOLEAN, FALSE);

  if (node == NULL)
    return zid_wire_bad_form (error, name);
  *value = json_node_get_boolean (node);
  return TRUE;
}

JsonObject *
zid_wire_get_object (JsonNode  *node,
                     GError   **error)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      zid_wire_bad_form (error, "{}");
      return NULL;
    }
  return json_node_get_object (node);
}

void
zid_wire_add_int (JsonBuilder *builder,
                  const char  *name,
                  gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

void
zid_wire_add_string (JsonBuilder *builder,
                     const char  *name,
                     const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
zid_wire_add_bool (JsonBuilder *builder,
                   const char  *name,
                   gboolean     value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

/* ---- errors ------------------------------------------------------------ */

void
zid_wire_add_error (JsonBuilder  *builder,
                    const GError *error)
{
  json_builder_begin_object (builder);
  if (error->domain == ZID_ERROR)
    {
      zid_wire_add_string (builder, "domain", "zid");
      zid_wire_add_string (builder, "code", zid_error_code_name (error->code));
    }
  else
    {
      zid_wire_add_string (builder, "domain", error->domain == G_IO_ERROR ? "io" : "other");
      zid_wire_add_int (builder, "code", error->code);
    }
  zid_wire_add_string (builder, "message", error->message);
  json_builder_end_object (builder);
}

GError *
zid_wire_get_error (JsonNode *node)
{
  JsonObject *object = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  const char *domain = object ? json_object_get_string_member_with_default (object, "domain", "") : "";
  const char *message = object ? json_object_get_string_member_with_default (object, "message", NULL) : NULL;
  GError *error = NULL;

  if (message == NULL)
    {
      zid_wire_bad_form (&error, "error");
      return error;
    }
  if (g_str_equal (domain, "zid"))
    {
      int code = zid_error_code_from_name (json_object_get_string_member_with_default (object, "code", ""));

      return g_error_new_literal (ZID_ERROR, code >= 0 ? code : ZID_ERROR_STORE, message);
    }
  if (g_str_equal (domain, "io"))
    return g_error_new_literal (G_IO_ERROR, json_object_get_int_member_with_default (object, "code",
                                                                                      G_IO_ERROR_FAILED),
                                message);
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, message);
}

/* ---- arrays ------------------------------------------------------------ */

void
zid_wire_add_array (JsonBuilder    *builder,
                    GPtrArray      *array,
                    ZidWireAddFunc  add)
{
  json_builder_begin_array (builder);
  for (guint i = 0; array != NULL && i < array->len; i++)
    add (builder, g_ptr_array_index (array, i));
  json_builder_end_array (builder);
}

GPtrArray *
zid_wire_get_array (JsonNode        *node,
                    ZidWireGetFunc   get,
                    GDestroyNotify   free_func,
                    GError         **error)
{
  g_autoptr(GPtrArray) array = g_ptr_array_new_with_free_func (free_func);
  JsonArray *elements;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      zid_wire_bad_form (error, "[]");
      return NULL;
    }
  elements = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (elements); i++)
    {
      gpointer value = get (json_array_get_element (elements, i), error);

      if (value == NULL)
        return NULL;
      g_ptr_array_add (array, value);
    }
  return g_steal_pointer (&array);
}

void
zid_wire_add_ids (JsonBuilder *builder,
                  GArray      *ids)
{
  json_builder_begin_array (builder);
  for (guint i = 0; ids != NULL && i < ids->len; i++)
    json_builder_add_int_value (builder, g_array_index (ids, gint64, i));
  json_builder_end_array (builder);
}

gboolean
zid_wire_get_ids (JsonNode  *node,
                  GArray    *ids,
                  GError   **error)
{
  JsonArray *elements;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return zid_wire_bad_form (error, "[]");
  elements = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (elements); i++)
    {
      JsonNode *element = json_array_get_element (elements, i);
      gint64 id;

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_INT64)
        return zid_wire_bad_form (error, "[]");
      id = json_node_get_int (element);
      if (ids != NULL)
        g_array_append_val (ids, id);
    }
  return TRUE;
}

/* ---- users ------------------------------------------------------------- */

static void
add_membership (JsonBuilder   *builder,
                gconstpointer  value)
{
  const ZidMembership *m = value;

  json_builder_begin_object (builder);
  zid_wire_add_int (builder, "organisation", m->organisation_id);
  zid_wire_add_string (builder, "ura", m->ura);
  zid_wire_add_string (builder, "organisation_name", m->organisation_name);
  zid_wire_add_int (builder, "role", m->role);
  json_builder_end_object (builder);
}

static gpointer
get_membership (JsonNode  *node,
                GError   **error)
{
  JsonObject *o = zid_wire_get_object (node, error);
  g_autofree char *ura = NULL;
  g_autofree char *name = NULL;
  gint64 organisation, role;
  ZidMembership *m;

  if (o == NULL ||
      !zid_wire_get_int (o, "organisation", &organisation, error) ||
      !zid_wire_get_string (o, "ura", &ura, error) ||
      !zid_wire_get_string (o, "organisation_name", &name, error) ||
      !zid_wire_get_int (o, "role", &role, error))
    return NULL;
  m = g_new0 (ZidMembership, 1);
  m->organisation_id = organisation;
  m->ura = g_ref_string_new (ura ? ura : "");
  m->organisation_name = g_ref_string_new (name ? name : "");
  m->role = (ZidRole) role;
  return m;
}

void
zid_wire_add_user (JsonBuilder   *builder,
                   gconstpointer  value)
{
  ZidUser *user = ZID_USER ((gpointer) value);

  json_builder_begin_object (builder);
  zid_wire_add_int (builder, "id", zid_user_get_id (user));
  zid_wire_add_string (builder, "first_name", zid_user_get_first_name (user));
  zid_wire_add_string (builder, "last_name", zid_user_get_last_name (user));
  zid_wire_add_string (builder, "birth_date", zid_user_get_birth_date (user));
  zid_wire_add_bool (builder, "blocked", zid_user_get_blocked (user));
  zid_wire_add_int (builder, "block_reason", zid_user_get_block_reason (user));
  zid_wire_add_int (builder, "registered", zid_user_get_registered (user));
  zid_wire_add_int (builder, "last_use", zid_user_get_last_use (user));
  zid_wire_add_int (builder, "mobile_id", zid_user_get_mobile_id (user));
  zid_wire_add_string (builder, "uzi_number", zid_user_get_uzi_number (user));
  json_builder_set_member_name (builder, "memberships");
  zid_wire_add_array (builder, zid_user_get_memberships (user), add_membership);
  json_builder_end_object (builder);
}

gpointer
zid_wire_get_user (JsonNode  *node,
                   GError   **error)
{
  JsonObject *o = zid_wire_get_object (node, error);
  g_autofree char *first = NULL, *last = NULL, *birth = NULL, *uzi = NULL;
  g_autoptr(GPtrArray) memberships = NULL;
  gint64 id, reason, registered, last_use, mobile_id;
  gboolean blocked;
  ZidUser *user;

  if (o == NULL ||
      !zid_wire_get_int (o, "id", &id, error) ||
      !zid_wire_get_string (o, "first_name", &first, error) ||
      !zid_wire_get_string (o, "last_name", &last, error) ||
      !zid_wire_get_string (o, "birth_date", &birth, error) ||
      !zid_wire_get_bool (o, "blocked", &blocked, error) ||
      !zid_wire_get_int (o, "block_reason", &reason, error) ||
      !zid_wire_get_int (o, "registered", &registered, error) ||
      !zid_wire_get_int (o, "last_use", &last_use, error) ||
      !zid_wire_get_int (o, "mobile_id", &mobile_id, error) ||
      !zid_wire_get_string (o, "uzi_number", &uzi, error) ||
      (memberships = zid_wire_get_array (json_object_get_member (o, "memberships"), get_membership,
                                         NULL, error)) == NULL)
    return NULL;
  user = zid_user_new (id, first, last, birth, blocked, (ZidBlockReason) reason, registered, last_use,
                       (ZidMobileIdState) mobile_id, uzi);
  for (guint i = 0; i < memberships->len; i++)
    zid_user_add_membership (user, g_ptr_array_index (memberships, i));
  return user;
}

/* ---- lists of users ------------------------------------------------------ */

static gpointer
bad_form_null (GError     **error,
               const char  *name)
{
  zid_wire_bad_form (error, name);
  return NULL;
}

enum
{
  ROW_ID,
  ROW_FIRST_NAME,
  ROW_LAST_NAME,
  ROW_BIRTH_DATE,
  ROW_BLOCKED,
  ROW_BLOCK_REASON,
  ROW_REGISTERED,
  ROW_LAST_USE,
  ROW_MOBILE_ID,
  ROW_UZI_NUMBER,
  ROW_MEMBERSHIPS,
  N_ROW,
};

void
zid_wire_add_users (JsonBuilder *builder,
                    GPtrArray   *users)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "organisations");
  json_builder_begin_array (builder);
  for (guint i = 0; i < users->len; i++)
    {
      GPtrArray *memberships = zid_user_get_memberships (g_ptr_array_index (users, i));

      for (guint k = 0; k < memberships->len; k++)
        {
          ZidMembership *m = g_ptr_array_index (memberships, k);

          if (g_hash_table_contains (seen, &m->organisation_id))
            continue;
          g_hash_table_add (seen, &m->organisation_id);
          json_builder_begin_array (builder);
          json_builder_add_int_value (builder, m->organisation_id);
          json_builder_add_string_value (builder, m->ura);
          json_builder_add_string_value (builder, m->organisation_name);
          json_builder_end_array (builder);
        }
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "users");
  json_builder_begin_array (builder);
  for (guint i = 0; i < users->len; i++)
    {
      ZidUser *user = g_ptr_array_index (users, i);
      GPtrArray *memberships = zid_user_get_memberships (user);

      json_builder_begin_array (builder);
      json_builder_add_int_value (builder, zid_user_get_id (user));
      json_builder_add_string_value (builder, zid_user_get_first_name (user));
      json_builder_add_string_value (builder, zid_user_get_last_name (user));
      json_builder_add_string_value (builder, zid_user_get_birth_date (user));
      json_builder_add_boolean_value (builder, zid_user_get_blocked (user));
      json_builder_add_int_value (builder, zid_user_get_block_reason (user));
      json_builder_add_int_value (builder, zid_user_get_registered (user));
      json_builder_add_int_value (builder, zid_user_get_last_use (user));
      json_builder_add_int_value (builder, zid_user_get_mobile_id (user));
      if (zid_user_get_uzi_number (user) != NULL)
        json_builder_add_string_value (builder, zid_user_get_uzi_number (user));
      else
        json_builder_add_null_value (builder);
      json_builder_begin_array (builder);
      for (guint k = 0; k < memberships->len; k++)
        {
          ZidMembership *m = g_ptr_array_index (memberships, k);

          json_builder_add_int_value (builder, m->organisation_id);
          json_builder_add_int_value (builder, m->role);
        }
      json_builder_end_array (builder);
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

/* Element @i of @row, of @type (G_TYPE_NONE: null allowed, a string) */
static JsonNode *
row_value (JsonArray *row,
           guint      i,
           GType      type)
{
  JsonNode *node = json_array_get_element (row, i);

  if (type == G_TYPE_NONE && JSON_NODE_HOLDS_NULL (node))
    return node;
  if (!JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != (type == G_TYPE_NONE ? G_TYPE_STRING : type))
    return NULL;
  return node;
}

typedef struct
{
  char *ura;    /* GRefString */
  char *name;   /* GRefString */
} SharedOrganisation;

static void
shared_organisation_free (gpointer data)
{
  SharedOrganisation *o = data;

  g_ref_string_release (o->ura);
  g_ref_string_release (o->name);
  g_free (o);
}

static GHashTable *
get_shared_organisations (JsonNode  *node,
                          GError   **error)
{
  g_autoptr(GHashTable) orgs = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                      shared_organisation_free);
  JsonArray *array = node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

  if (array == NULL)
    return bad_form_null (error, "organisations");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonArray *row = JSON_NODE_HOLDS_ARRAY (element) ? json_node_get_array (element) : NULL;
      SharedOrganisation *o;

      if (row == NULL || json_array_get_length (row) != 3 || row_value (row, 0, G_TYPE_INT64) == NULL ||
          row_value (row, 1, G_TYPE_STRING) == NULL || row_value (row, 2, G_TYPE_STRING) == NULL)
        return bad_form_null (error, "organisations");
      o = g_new0 (SharedOrganisation, 1);
      o->ura = g_ref_string_new (json_array_get_string_element (row, 1));
      o->name = g_ref_string_new (json_array_get_string_element (row, 2));
      g_hash_table_insert (orgs, g_memdup2 (&(gint64) { json_array_get_int_element (row, 0) }, sizeof (gint64)), o);
    }
  return g_steal_pointer (&orgs);
}

static ZidUser *
get_user_row (JsonNode    *node,
              GHashTable  *orgs,
              GError     **error)
{
  static const GType types[N_ROW] = {
    G_TYPE_INT64, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_BOOLEAN, G_TYPE_INT64,
    G_TYPE_INT64, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_NONE, G_TYPE_INVALID,
  };
  JsonArray *row = node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  JsonNode *memberships_node;
  JsonArray *memberships;
  ZidUser *user;

  if (row == NULL || json_array_get_length (row) != N_ROW)
    return bad_form_null (error, "users");
  for (guint i = 0; i < ROW_MEMBERSHIPS; i++)
    if (row_value (row, i, types[i]) == NULL)
      return bad_form_null (error, "users");
  memberships_node = json_array_get_element (row, ROW_MEMBERSHIPS);
  memberships = JSON_NODE_HOLDS_ARRAY (memberships_node) ? json_node_get_array (memberships_node) : NULL;
  if (memberships == NULL || json_array_get_length (memberships) % 2 != 0)
    return bad_form_null (error, "users");

  user = zid_user_new (json_array_get_int_element (row, ROW_ID),
                       json_array_get_string_element (row, ROW_FIRST_NAME),
                       json_array_get_string_element (row, ROW_LAST_NAME),
                       json_array_get_string_element (row, ROW_BIRTH_DATE),
                       json_array_get_boolean_element (row, ROW_BLOCKED),
                       (ZidBlockReason) json_array_get_int_element (row, ROW_BLOCK_REASON),
                       json_array_get_int_element (row, ROW_REGISTERED),
                       json_array_get_int_element (row, ROW_LAST_USE),
                       (ZidMobileIdState) json_array_get_int_element (row, ROW_MOBILE_ID),
                       json_array_get_null_element (row, ROW_UZI_NUMBER)
                         ? NULL : json_array_get_string_element (row, ROW_UZI_NUMBER));
  for (guint k = 0; k < json_array_get_length (memberships); k += 2)
    {
      gint64 id = json_array_get_int_element (memberships, k);
      SharedOrganisation *o = g_hash_table_lookup (orgs, &id);
      ZidMembership *m;

      if (o == NULL)
        {
          g_object_unref (user);
          return bad_form_null (error, "users");
        }
      m = g_new0 (ZidMembership, 1);
      m->organisation_id = id;
      m->ura = g_ref_string_acquire (o->ura);
      m->organisation_name = g_ref_string_acquire (o->name);
      m->role = (ZidRole) json_array_get_int_element (memberships, k + 1);
      zid_user_add_membership (user, m);
    }
  return user;
}

GPtrArray *
zid_wire_get_users (JsonNode  *node,
                    GError   **error)
{
  JsonObject *o = zid_wire_get_object (node, error);
  g_autoptr(GHashTable) orgs = NULL;
  g_autoptr(GPtrArray) users = NULL;
  JsonNode *rows_node;
  JsonArray *rows;

  if (o == NULL || (orgs = get_shared_organisations (json_object_get_member (o, "organisations"), error)) == NULL)
    return NULL;
  rows_node = json_object_get_member (o, "users");
  if (rows_node == NULL || !JSON_NODE_HOLDS_ARRAY (rows_node))
    return bad_form_null (error, "users");
  rows = json_node_get_array (rows_node);
  users = g_ptr_array_new_full (json_array_get_length (rows), g_object_unref);
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      ZidUser *user = get_user_row (json_array_get_element (rows, i), orgs, error);

      if (user == NULL)
        return NULL;
      g_ptr_array_add (users, user);
    }
  return g_steal_pointer (&users);
}

/* ---- organisations, attributes, certificates, codes -------------------- */

void
zid_wire_add_organisation (JsonBuilder   *builder,
                           gconstpointer  value)
{
  const ZidOrganisation *o = value;

  json_builder_begin_object (builder);
  zid_wire_add_int (builder, "id", o->id);
  zid_wire_add_string (builder, "ura", o->ura);
  zid_wire_add_string (builder, "name", o->name);
  zid_wire_add_string (builder, "agb", o->agb);
  zid_wire_add_string (builder, "address", o->address);
  zid_wire_add_int (builder, "created", o->created);
  zid_wire_add_int (builder, "role", o->role);
  json_builder_end_object (builder);
}

gpointer
zid_wire_get_organisation (JsonNode  *node,
                           GError   **error)
{
  JsonObject *o = zid_wire_get_object (node, error);
  g_autoptr(ZidOrganisation) org = g_new0 (ZidOrganisation, 1);
  gint64 role;

  if (o == NULL ||
      !zid_wire_get_int (o, "id", &org->id, error) ||
      !zid_wire_get_string (o, "ura", &org->ura, error) ||
      !zid_wire_get_string (o, "name", &org->name, error) ||
      !zid_wire_get_string (o, "agb", &org->agb, error) ||
      !zid_wire_get_string (o, "address", &org->address, error) ||
      !zid_wire_get_int (o, "created", &org->created, error) ||
      !zid_wire_get_int (o, "role", &role, error))
    return NULL;
  org->role = (ZidRole) role;
  return g_steal_pointer (&org);
}

void
zid_wire_add_attribute (JsonBuilder   *builder,
                        gconstpointer  value)
{
  const ZidAttribute *a = value;

  json_builder_begin_object (builder);
  zid_wire_add_int (builder, "id", a->id);
  zid_wire_add_int (builder, "user", a->user_id);
  zid_wire_add_string (builder, "type", a->type);
  zid_wire_add_int (builder, "organisation", a->organisation_id);
  zid_wire_add_string (builder, "ura", a->ura);
  zid_wire_add_string (builder, "task_code", a->task_code);
  zid_wire_add_int (builder, "created", a->created);
  json_builder_end_object (builder);
}

gpointer
zid_wire_get_attribute (JsonNode  *node,
                        GError   **error)
{
  JsonObject *o = zid_wire_get_object (node, error);
  g_autoptr(ZidAttribute) a = g_new0 (ZidAttribute, 1);

  if (o == NULL ||
      !zid_wire_get_int (o, "id", &a->id, error) ||
      !zid_wire_get_int (o, "user", &a->user_id, error) ||
      !zid_wire_get_string (o, "type", &a->type, error) ||
      !zid_wire_get_int (o, "organisation", &a->organisation_id, error) ||
      !zid_wire_get_string (o, "ura", &a->ura, error) ||
      !zid_wire_get_string (o, "task_code", &a->task_code, error) ||
      !zid_wire_get_int (o, "created", &a->created, error))
    return NULL;
  return g_steal_pointer (&a);
}

void
zid_wire_add_certificate (JsonBuilder   *builder,
                          gconstpointer  value)
{
  const ZidCertificate *c = value;

  json_builder_begin_object (builder);
  zid_wire_add_string (builder, "serial", c->serial);
  zid_wire_add_int (builder, "user", c->user_id);
  zid_wire_add_int (builder, "not_before", c->not_before);
  zid_wire_add_int (builder, "not_after", c->not_after);
  zid_wire_add_bool (builder, "revoked", c->revoked);
  zid_wire_add_int (builder, "revoked_at", c->revoked_at);
  zid_wire_add_string (builder, "revoke_reason", c->revoke_reason);
  zid_wire_add_string (builder, "pem", c->pem);
  json_builder_end_object (builder);
}

gpointer
zid_wire_get_certificate (JsonNode  *node,
                          GError   **error)
{
  JsonObject *o = zid_wire_get_object (node, error);
  g_autoptr(ZidCertificate) c = g_new0 (ZidCertificate, 1);

  if (o == NULL ||
      !zid_wire_get_string (o, "serial", &c->serial, error) ||
      !zid_wire_get_int (o, "user", &c->user_id, error) ||
      !zid_wire_get_int (o, "not_before", &c->not_before, error) ||
      !zid_wire_get_int (o, "not_after", &c->not_after, error) ||
      !zid_wire_get_bool (o, "revoked", &c->revoked, error) ||
      !zid_wire_get_int (o, "revoked_at", &c->revoked_at, error) ||
      !zid_wire_get_string (o, "revoke_reason", &c->revoke_reason, error) ||
      !zid_wire_get_string (o, "pem", &c->pem, error))
    return NULL;
  return g_steal_pointer (&c);
}

void
zid_wire_add_code (JsonBuilder   *builder,
                   gconstpointer  value)
{
  const ZidOneTimeCode *c = value;

  json_builder_begin_object (builder);
  zid_wire_add_int (builder, "user", c->user_id);
  zid_wire_add_int (builder, "purpose", c->purpose);
  zid_wire_add_string (builder, "code", c->code);
  zid_wire_add_string (builder, "payload", c->payload);
  zid_wire_add_int (builder, "expires", c->expires);
  json_builder_end_object (builder);
}

gpointer
zid_wire_get_code (JsonNode  *node,
                   GError   **error)
{
  JsonObject *o = zid_wire_get_object (node, error);
  g_autoptr(ZidOneTimeCode) c = g_new0 (ZidOneTimeCode, 1);
  gint64 purpose;

  if (o == NULL ||
      !zid_wire_get_int (o, "user", &c->user_id, error) ||
      !zid_wire_get_int (o, "purpose", &purpose, error) ||
      !zid_wire_get_string (o, "code", &c->code, error) ||
      !zid_wire_get_string (o, "payload", &c->payload, error) ||
      !zid_wire_get_int (o, "expires", &c->expires, error))
    return NULL;
  c->purpose = (ZidCodePurpose) purpose;
  return g_steal_pointer (&c);
}

void
zid_wire_add_pending (JsonBuilder   *builder,
                      gconstpointer  value)
{
  const ZidPendingEnrolment *p = value;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "user");
  zid_wire_add_user (builder, p->user);
  zid_wire_add_int (builder, "purpose", p->purpose);
  zid_wire_add_int (builder, "created", p->created);
  zid_wire_add_int (builder, "expires", p->expires);
  zid_wire_add_bool (builder, "expired", p->expired);
  json_builder_end_object (builder);
}

gpointer
zid_wire_get_pending (JsonNode  *node,
                      GError   **error)
{
  JsonObject *o = zid_wire_get_object (node, error);
  g_autoptr(ZidPendingEnrolment) p = g_new0 (ZidPendingEnrolment, 1);
  gint64 purpose;

  if (o == NULL ||
      (p->user = zid_wire_get_user (json_object_get_member (o, "user"), error)) == NULL ||
      !zid_wire_get_int (o, "purpose", &purpose, error) ||
      !zid_wire_get_int (o, "created", &p->created, error) ||
      !zid_wire_get_int (o, "expires", &p->expires, error) ||
      !zid_wire_get_bool (o, "expired", &p->expired, error))
    return NULL;
  p->purpose = (ZidCodePurpose) purpose;
  return g_steal_pointer (&p);
}
