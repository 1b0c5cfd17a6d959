/* zid-csv-export.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <glib/gi18n.h>

#include "zid-csv-export.h"
#include "zid-csv.h"
#include "zid-file-choice.h"
#include "zid-ui-util.h"
#include "zid-work.h"

typedef struct
{
  ZidBackend       *portal;
  gint64            actor;
  gint64            organisation;
  ZidCsvExportFunc  export;
  AdwToastOverlay  *toasts;   /* nullable */
  char             *path;
} Export;

#define EXPORT_KEY "zid-csv-export"

static void
export_free (gpointer data)
{
  Export *e = data;

  g_clear_object (&e->portal);
  g_clear_object (&e->toasts);
  g_free (e->path);
  g_free (e);
}

static gpointer
export_worker (ZidBackend  *portal,
               gpointer     data,
               GError     **error)
{
  Export *e = data;
  g_autoptr(GFile) file = g_file_new_for_path (e->path);
  g_autoptr(GFileOutputStream) out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, error);
  guint n = 0;

  if (out == NULL ||
      !e->export (portal, e->actor, e->organisation, ZID_CSV_SEMICOLON, G_OUTPUT_STREAM (out), NULL, &n, error) ||
      !g_output_stream_close (G_OUTPUT_STREAM (out), NULL, error))
    return NULL;
  return GUINT_TO_POINTER (n + 1);
}

static void
export_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdwToastOverlay) toasts = user_data;
  gpointer rows = zid_work_finish (result, &error);
  g_autofree char *message = NULL;

  if (rows == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (rows == NULL)
    message = g_strdup_printf (_("Could not export: %s"), error->message);
  else
    message = g_strdup_printf (ngettext ("Exported: %u row", "Exported: %u rows", GPOINTER_TO_UINT (rows) - 1),
                               GPOINTER_TO_UINT (rows) - 1);
  if (toasts != NULL)
    adw_toast_overlay_add_toast (toasts, adw_toast_new (message));
  else
    zid_ui_show_toast (GTK_WIDGET (source), message);
}

static void
on_path (GtkWidget  *owner,
         const char *path)
{
  Export *e = g_object_steal_data (G_OBJECT (owner), EXPORT_KEY);
  AdwToastOverlay *toasts;

  if (e == NULL)
    return;
  e->path = g_strdup (path);
  toasts = e->toasts ? g_object_ref (e->toasts) : NULL;
  zid_work_run (owner, e->portal, export_worker, e, export_free, NULL, NULL, export_done, toasts);
}

void
zid_csv_export_ask (GtkWidget        *owner,
                    ZidBackend       *portal,
                    gint64            actor,
                    gint64            organisation,
                    ZidCsvExportFunc  export,
                    const char       *name,
                    AdwToastOverlay  *toasts)
{
  Export *e;

  g_return_if_fail (GTK_IS_WIDGET (owner));
  g_return_if_fail (ZID_IS_BACKEND (portal));

  e = g_new0 (Export, 1);
  e->portal = g_object_ref (portal);
  e->actor = actor;
  e->organisation = organisation;
  e->export = export;
  e->toasts = toasts ? g_object_ref (toasts) : NULL;
  /* a second ask before the first chose replaces it */
  g_object_set_data_full (G_OBJECT (owner), EXPORT_KEY, e, export_free);
  zid_file_choice_ask (owner, TRUE, _("Export as CSV"), name, ZID_FILE_CSV, on_path);
}
