/* gui-test-util.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "gui-test-util.h"
#include "zid-ui-resources.h"

void
zid_gui_test_init (int    *argc,
                   char ***argv)
{
  g_autoptr(GtkCssProvider) css = NULL;

  gtk_test_init (argc, argv, NULL);
  adw_init ();
  g_assert_nonnull (zid_ui_get_resource ());
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/nl/zorgid/Portaal/ui/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

void
zid_gui_test_rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        zid_gui_test_rm_rf (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}
