/* test-service-banner.c — the enrolment service's status at the top of
 * the window
 *
 * A service on a data dir whose free space is below its threshold stops
 * taking on work: the banner shows its message, and hides it again once
 * there is space. Renders the banner in a window to
 * $ZID_SCREENSHOT_DIR/service-banner.png when that is set.
 *
 * Needs a display (meson runs it under xvfb-run).
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "zid-service-banner.h"
#include "zid-ui-resources.h"
#include "gui-test-util.h"

static void
settle (GtkWidget *widget)
{
  gtk_test_widget_wait_for_draw (widget);
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
}

static void
test_banner_follows_status (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = g_dir_make_tmp ("zid-service-banner.XXXXXX", &error);
  g_autoptr(ZidPortal) portal = NULL;
  g_autoptr(ZidService) service = NULL;
  g_autofree char *expected = NULL;
  GtkWidget *window, *box, *page;
  ZidServiceBanner *banner;

  g_assert_no_error (error);
  portal = zid_portal_open (data, ZID_ENVIRONMENT_ACCEPTATIE, NULL, &error);
  g_assert_no_error (error);
  service = zid_service_new (portal);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 240);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  banner = zid_service_banner_new ();
  page = gtk_label_new ("Log In");
  gtk_widget_add_css_class (page, "title-1");
  gtk_widget_set_vexpand (page, TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (banner));
  gtk_box_append (GTK_BOX (box), page);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));

  /* No service, then one with space: nothing shown */
  g_assert_null (zid_service_banner_get_message (banner));
  zid_service_banner_set_service (banner, service);
  settle (window);
  g_assert_null (zid_service_banner_get_message (banner));
  g_assert_null (zid_service_dup_status_message (service));

  /* No file system has this much free: the service stops taking work */
  zid_service_set_min_free_space (service, G_MAXUINT64);
  zid_service_flush_refusals (service);
  expected = zid_service_dup_status_message (service);
  g_assert_nonnull (expected);
  g_assert_cmpstr (zid_service_banner_get_message (banner), ==, expected);
  settle (window);
  g_assert_true (gtk_widget_get_visible (gtk_widget_get_first_child (GTK_WIDGET (banner))));
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (banner)), >, 0);
  zid_gui_test_save_screenshot (window, "service-banner.png");

  /* Space again: hidden */
  zid_service_set_min_free_space (service, 0);
  zid_service_flush_refusals (service);
  g_assert_null (zid_service_banner_get_message (banner));
  settle (window);
  g_assert_false (gtk_widget_get_visible (gtk_widget_get_first_child (GTK_WIDGET (banner))));
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (banner)), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&service);
  g_clear_object (&portal);
  zid_gui_test_rm_rf (data);
}

int
main (int    argc,
      char **argv)
{
  zid_gui_test_init (&argc, &argv);
  g_test_add_func ("/service-banner/follows-status", test_banner_follows_status);
  return g_test_run ();
}
