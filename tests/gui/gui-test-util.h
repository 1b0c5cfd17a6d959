/* gui-test-util.h — shared by the in-process widget tests
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* gtk_test_init and libadwaita, the application's resources and style
 * (as the window has them) */
void zid_gui_test_init (int    *argc,
                        char ***argv);

/* Removes @path and everything under it (a test's data dir) */
void zid_gui_test_rm_rf            (const char *path);
/* Renders @window to $ZID_SCREENSHOT_DIR/@name (nothing when unset) */
void zid_gui_test_save_screenshot  (GtkWidget  *window,
                                    const char *name);

G_END_DECLS
