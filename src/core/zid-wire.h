/* zid-wire.h — the core's values as JSON, for the admin API's calls
 *
 * A window working against an organisation server calls the portal's
 * methods there (/v1/admin/call, docs/server.md); the server answers with
 * these forms and the window's remote backend reads them back: one
 * definition for both ends. A reader refuses what is not the form
 * (ZID_ERROR_INVALID_INPUT, "The server's answer …"), it never guesses.
 * Times are Unix seconds, ids numbers, enumerations their numbers.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <json-glib/json-glib.h>

#include "zid-portal.h"
#include "zid-user.h"

G_BEGIN_DECLS

typedef void     (*ZidWireAddFunc) (JsonBuilder  *builder,
                                    gconstpointer value);
typedef gpointer (*ZidWireGetFunc) (JsonNode     *node,
                                    GError      **error);

/* Always FALSE, with the error of an answer that does not read at @name */
gboolean         zid_wire_bad_form         (GError        **error,
                                            const char     *name);
/* Members of an object: a missing or mistyped one is an error */
gboolean         zid_wire_get_int          (JsonObject     *object,
                                            const char     *name,
                                            gint64         *value,
                                            GError        **error);
/* @value: NULL for a member that is null */
gboolean         zid_wire_get_string       (JsonObject     *object,
                                            const char     *name,
                                            char          **value,
                                            GError        **error);
gboolean         zid_wire_get_bool         (JsonObject     *object,
                                            const char     *name,
                                            gboolean       *value,
                                            GError        **error);
JsonObject      *zid_wire_get_object       (JsonNode       *node,
                                            GError        **error);
void             zid_wire_add_int          (JsonBuilder    *builder,
                                            const char     *name,
                                            gint64          value);
void             zid_wire_add_string       (JsonBuilder    *builder,
                                            const char     *name,
                                            const char     *value);
void             zid_wire_add_bool         (JsonBuilder    *builder,
                                            const char     *name,
                                            gboolean        value);

/* {"domain": "zid"|"io"|"other", "code": NAME|NUMBER, "message"}: a
 * refusal of the core comes back as the same ZID_ERROR, with the
 * server's text */
void             zid_wire_add_error        (JsonBuilder    *builder,
                                            const GError   *error);
GError          *zid_wire_get_error        (JsonNode       *node);

void             zid_wire_add_array        (JsonBuilder    *builder,
                                            GPtrArray      *array,
                                            ZidWireAddFunc  add);
GPtrArray       *zid_wire_get_array        (JsonNode       *node,
                                            ZidWireGetFunc  get,
                                            GDestroyNotify  free_func,
                                            GError        **error);
void             zid_wire_add_ids          (JsonBuilder    *builder,
                                            GArray         *ids);
gboolean         zid_wire_get_ids          (JsonNode       *node,
                                            GArray         *ids,
                                            GError        **error);

/* ZidUser with its memberships */
void             zid_wire_add_user         (JsonBuilder    *builder,
                                            gconstpointer   user);
gpointer         zid_wire_get_user         (JsonNode       *node,
                                            GError        **error);
/* A list of users, compactly (the window's lists reach 100,000 users):
 * {"organisations": [[id, ura, name], …], "users": [[id, first_name,
 * last_name, birth_date, blocked, block_reason, registered, last_use,
 * mobile_id, uzi_number, [organisation, role, …]], …]}; the users read
 * back share their organisations' strings */
void             zid_wire_add_users        (JsonBuilder    *builder,
                                            GPtrArray      *users);
GPtrArray       *zid_wire_get_users        (JsonNode       *node,
                                            GError        **error);
void             zid_wire_add_organisation (JsonBuilder    *builder,
                                            gconstpointer   organisation);
gpointer         zid_wire_get_organisation (JsonNode       *node,
                                            GError        **error);
void             zid_wire_add_attribute    (JsonBuilder    *builder,
                                            gconstpointer   attribute);
gpointer         zid_wire_get_attribute    (JsonNode       *node,
                                            GError        **error);
void             zid_wire_add_certificate  (JsonBuilder    *builder,
                                            gconstpointer   certificate);
gpointer         zid_wire_get_certificate  (JsonNode       *node,
                                            GError        **error);
void             zid_wire_add_code         (JsonBuilder    *builder,
                                            gconstpointer   code);
gpointer         zid_wire_get_code         (JsonNode       *node,
                                            GError        **error);
void             zid_wire_add_pending      (JsonBuilder    *builder,
                                            gconstpointer   pending);
gpointer         zid_wire_get_pending      (JsonNode       *node,
                                            GError        **error);

/* zid-portal-capabilities.c: every refusal with its text */
void             zid_wire_add_capabilities (JsonBuilder    *builder,
                                            gconstpointer   capabilities);
gpointer         zid_wire_get_capabilities (JsonNode       *node,
                                            GError        **error);

G_END_DECLS
