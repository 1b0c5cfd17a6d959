/* zid-audit-model.h — the audit trail as a paged GListModel
 *
 * Newest first. Pages are fetched in a worker by keyset on the event id
 * (zid_backend_list_audit_page), never the whole trail: the model starts
 * with the first page and grows by a page whenever a row near its end is
 * asked for, so scrolling through a million events costs a page at a
 * time.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <gio/gio.h>

#include "zid-core.h"

G_BEGIN_DECLS

#define ZID_TYPE_AUDIT_ITEM (zid_audit_item_get_type ())
G_DECLARE_FINAL_TYPE (ZidAuditItem, zid_audit_item, ZID, AUDIT_ITEM, GObject)

/* The event (borrowed from @self) */
const ZidAuditEvent *zid_audit_item_get_event (ZidAuditItem *self);
/* Its readable form, the names looked up with the page (borrowed) */
const ZidAuditReading *zid_audit_item_get_reading (ZidAuditItem *self);

#define ZID_TYPE_AUDIT_MODEL (zid_audit_model_get_type ())
G_DECLARE_FINAL_TYPE (ZidAuditModel, zid_audit_model, ZID, AUDIT_MODEL, GObject)

ZidAuditModel *zid_audit_model_new        (ZidBackend            *portal,
                                           guint                 page_size);
/* Starts over with @filter (copied): empties the model and fetches the
 * first page */
void           zid_audit_model_set_filter (ZidAuditModel        *self,
                                           const ZidAuditFilter *filter);
/* The filter in use (borrowed) */
const ZidAuditFilter *zid_audit_model_get_filter (ZidAuditModel *self);
/* TRUE while a page is being fetched ("notify::loading") */
gboolean       zid_audit_model_get_loading  (ZidAuditModel        *self);
/* TRUE once the last page arrived ("notify::complete") */
gboolean       zid_audit_model_get_complete (ZidAuditModel        *self);
/* The refusal or failure of the last fetch, or NULL ("notify::error") */
const GError  *zid_audit_model_get_error    (ZidAuditModel        *self);

G_END_DECLS
