/* zid-csv-export.h — "Export as CSV…": ask where, write one of the core's
 * CSV exports there off the main thread, say how it went
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <adwaita.h>

#include "zid-core.h"

G_BEGIN_DECLS

/* The shape of zid_backend_export_users_csv and its siblings */
typedef gboolean (*ZidCsvExportFunc) (ZidBackend      *portal,
                                      gint64          actor,
                                      gint64          organisation,
                                      char            separator,
                                      GOutputStream  *out,
                                      GCancellable   *cancellable,
                                      guint          *n_rows,
                                      GError        **error);

/* Asks for a file (named @name at first), writes @export of @organisation
 * (0: all the actor manages) as @actor to it, and tells the outcome in
 * @toasts (nullable: the main window's win.show-toast). @owner is kept
 * until the file is written. */
void zid_csv_export_ask (GtkWidget        *owner,
                         ZidBackend       *portal,
                         gint64            actor,
                         gint64            organisation,
                         ZidCsvExportFunc  export,
                         const char       *name,
                         AdwToastOverlay  *toasts);

G_END_DECLS
