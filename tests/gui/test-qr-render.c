/* test-qr-render.c — the QR code as the window draws it
 *
 * Renders ZidQrView and the whole ZidQrWindow in-process (widget paintable →
 * snapshot → the window's GskRenderer → texture → PNG), decodes the PNG with
 * zbarimg and checks that the payload survives, and that the code is sharp:
 * every module is a square of an integer number of pixels, pure black or
 * pure white, exactly where libqrencode put it. A blurred or fractionally
 * scaled code fails here before a phone has trouble scanning it.
 *
 * Needs a display (meson runs it under xvfb-run) and zbarimg; skips without.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <qrencode.h>
#include <string.h>

#include "zid-qr-view.h"
#include "zid-qr-window.h"
#include "zid-ui-resources.h"
#include "gui-test-util.h"

typedef struct
{
  char       *dir;
  ZidPortal  *portal;
  char       *payload;   /* a real enrolment payload of the core */
  gint64      expires;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOneTimeCode) enrolment = NULL;

  f->dir = g_dir_make_tmp ("zid-qr-render.XXXXXX", &error);
  g_assert_no_error (error);
  f->portal = zid_portal_open (f->dir, ZID_ENVIRONMENT_ACCEPTATIE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (zid_portal_set_service_address (f->portal, "192.0.2.17:8443", &error));
  g_assert_no_error (error);
  g_assert_cmpint (zid_portal_add_registration (f->portal, "12345678", "Zorggroep Noord",
                                                NULL, NULL, NULL, &error), >, 0);
  g_assert_no_error (error);
  enrolment = zid_portal_bootstrap (f->portal, "12345678", "Anna", "Admin", "1980-01-01", &error);
  g_assert_no_error (error);
  g_assert_nonnull (enrolment);
  f->payload = g_strdup (enrolment->payload);
  f->expires = enrolment->expires;
  g_assert_true (g_str_has_prefix (f->payload, "zorgid://"));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->portal);
  zid_gui_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->payload);
}

/* Lets GTK lay out and draw the window */
static void
settle (GtkWidget *widget)
{
  gtk_test_widget_wait_for_draw (widget);
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
}

/* What the screen shows of @widget, as a texture of its size */
static GdkTexture *
render (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  /* The paintable's own size (a window's bounds include its frame), so
   * that nothing is scaled */
  int width = gdk_paintable_get_intrinsic_width (paintable);
  int height = gdk_paintable_get_intrinsic_height (paintable);

  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  g_assert_nonnull (renderer);
  return gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
}

/* zbarimg's reading of a PNG: the QR payload, or NULL */
static char *
decode_png (const char *png)
{
  const char *argv[] = { "zbarimg", "-q", "--raw", "--nodbus", png, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &out, &err, &status, &error))
    g_error ("zbarimg: %s", error->message);
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_test_message ("zbarimg found nothing in %s: %s", png, err ? err : "");
      return NULL;
    }
  return g_strdup (g_strchomp (out));
}

/* Checks that the texture holds @payload's QR code pixel-exact: returns the
 * module size in pixels */
static int
assert_sharp_qr (GdkTexture *texture,
                 const char *payload)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  gsize stride = width * 4;
  g_autofree guchar *pixels = g_malloc (stride * height);
  QRcode *qr;
  int x0 = width, y0 = height, x1 = -1, y1 = -1;
  int module, grey = 0;

  /* Cairo's ARGB32 in native order: B G R A on little endian */
  gdk_texture_download (texture, pixels, stride);

#define LUM(x, y) (pixels[(gsize) (y) * stride + (gsize) (x) * 4 + 1])
  /* The code's dark modules are the only pure-black pixels of the widget
   * (text is anti-aliased grey, never quite 0 over a large area): bound
   * the pure black ones. */
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      if (LUM (x, y) == 0 && pixels[(gsize) y * stride + (gsize) x * 4] == 0 &&
          pixels[(gsize) y * stride + (gsize) x * 4 + 3] == 255)
        {
          x0 = MIN (x0, x); y0 = MIN (y0, y);
          x1 = MAX (x1, x); y1 = MAX (y1, y);
        }
  g_assert_cmpint (x1, >, x0);

  qr = QRcode_encodeString (payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  g_assert_nonnull (qr);
  /* The finder patterns sit in three corners: the black bounding box is the
   * whole symbol */
  g_assert_cmpint ((x1 - x0 + 1) % qr->width, ==, 0);
  g_assert_cmpint ((y1 - y0 + 1) % qr->width, ==, 0);
  module = (x1 - x0 + 1) / qr->width;
  g_assert_cmpint ((y1 - y0 + 1) / qr->width, ==, module);
  g_assert_cmpint (module, >=, 2);

  for (int my = 0; my < qr->width; my++)
    for (int mx = 0; mx < qr->width; mx++)
      {
        guchar want = (qr->data[my * qr->width + mx] & 1) ? 0 : 255;

        for (int py = 0; py < module; py++)
          for (int px = 0; px < module; px++)
            {
              guchar got = LUM (x0 + mx * module + px, y0 + my * module + py);

              if (got != want)
                {
                  if (grey++ < 5)
                    g_test_message ("module (%d,%d) pixel (%d,%d): %u, want %u",
                                    mx, my, px, py, got, want);
                }
            }
      }
  /* The quiet zone: four light modules around the symbol */
  for (int y = MAX (0, y0 - 4 * module); y < MIN (height, y1 + 1 + 4 * module); y++)
    for (int x = MAX (0, x0 - 4 * module); x < MIN (width, x1 + 1 + 4 * module); x++)
      if ((x < x0 || x > x1 || y < y0 || y > y1) && LUM (x, y) != 255)
        grey++;
#undef LUM
  QRcode_free (qr);
  g_assert_cmpint (grey, ==, 0);
  return module;
}

static void
round_trip (GdkTexture *texture,
            const char *payload,
            const char *name)
{
  g_autofree char *png = g_build_filename (g_get_tmp_dir (), name, NULL);
  g_autofree char *decoded = NULL;

  g_assert_true (gdk_texture_save_to_png (texture, png));
  decoded = decode_png (png);
  g_assert_cmpstr (decoded, ==, payload);
  if (g_getenv ("ZID_KEEP_RENDERS") == NULL)
    g_unlink (png);
  else
    g_test_message ("kept %s", png);
}

static void
test_qr_view (Fixture       *f,
              gconstpointer  data)
{
  GtkWidget *window = gtk_window_new ();
  ZidQrView *view = ZID_QR_VIEW (zid_qr_view_new ());
  g_autoptr(GdkTexture) texture = NULL;
  int module;

  zid_qr_view_set_clock (view, zid_portal_get_clock (f->portal));
  zid_qr_view_set_purpose (view, "Scan deze QR-code");
  zid_qr_view_set_code (view, f->payload, f->expires, FALSE);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  settle (GTK_WIDGET (view));

  g_assert_cmpstr (zid_qr_view_get_payload (view), ==, f->payload);
  /* What is on screen (the window: the view alone has no background), at
   * the natural size of 6 pixels per module */
  texture = render (window);
  module = assert_sharp_qr (texture, f->payload);
  g_assert_cmpint (module, ==, ZID_QR_CODE_MODULE_PIXELS);
  g_assert_cmpint (zid_qr_code_get_module_size (zid_qr_view_get_code (view)), ==, module);
  round_trip (texture, f->payload, "zid-qr-view.png");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_qr_window (Fixture       *f,
                gconstpointer  data)
{
  ZidOneTimeCode enrolment = {
    .user_id = 1,
    .purpose = ZID_CODE_ENROLMENT,
    .payload = f->payload,
    .expires = f->expires,
  };
  ZidQrWindow *window = zid_qr_window_new (NULL, &enrolment, "Anna Admin", ZID_BACKEND (f->portal), NULL, 0);
  g_autoptr(GdkTexture) texture = NULL;

  gtk_window_present (GTK_WINDOW (window));
  settle (GTK_WIDGET (window));
  texture = render (GTK_WIDGET (window));
  round_trip (texture, f->payload, "zid-qr-window.png");
  g_assert_cmpint (assert_sharp_qr (texture, f->payload), ==, ZID_QR_CODE_MODULE_PIXELS);
  g_assert_false (zid_qr_window_get_redeemed (window));

  /* Redeemed or not, destroying it must not ask (the test has no person) */
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A phone's certificate request (EC P-256), from the openssl command */
static char *
make_csr (void)
{
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_command_line_sync ("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256"
                                            " -nodes -keyout /dev/null -subj /CN=phone",
                                            &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  return g_steal_pointer (&out);
}

static void
redeem (ZidPortal  *portal,
        const char *payload)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *csr = make_csr ();
  const char *code = strstr (payload, "code=");
  ZidEnrolResult *result;

  g_assert_nonnull (code);
  result = zid_portal_enrol (portal, code + 5, NULL, csr, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  zid_enrol_result_free (result);
}

/* The QR window sees the phone's enrolment taken by another process (here
 * a second connection to the data dir) within a second, with no service
 * of its own to tell it */
static void
test_qr_window_enrolled_elsewhere (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidPortal) other = zid_portal_open (f->dir, ZID_ENVIRONMENT_ACCEPTATIE, NULL, &error);
  g_autoptr(ZidOneTimeCode) bob = NULL;
  ZidQrWindow *window;
  gint64 started;

  g_assert_no_error (error);
  redeem (f->portal, f->payload);     /* Anna, the Administrator */
  bob = zid_portal_register_user (f->portal, 1, 1, "Bob", "Bakker", "1990-01-01", &error);
  g_assert_no_error (error);
  window = zid_qr_window_new (NULL, bob, "Bob Bakker", ZID_BACKEND (f->portal), NULL, 1);
  gtk_window_present (GTK_WINDOW (window));
  settle (GTK_WIDGET (window));
  for (int i = 0; i < 100; i++)
    g_main_context_iteration (NULL, FALSE), g_usleep (2000);
  g_assert_false (zid_qr_window_get_redeemed (window));

  redeem (other, bob->payload);
  started = g_get_monotonic_time ();
  while (!zid_qr_window_get_redeemed (window) && g_get_monotonic_time () - started < G_TIME_SPAN_SECOND)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
  g_assert_true (zid_qr_window_get_redeemed (window));
  g_test_message ("redeemed seen after %" G_GINT64_FORMAT " ms", (g_get_monotonic_time () - started) / 1000);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
find_dialog (GtkWidget         *widget,
             AdwMessageDialog **dialog)
{
  if (ADW_IS_MESSAGE_DIALOG (widget))
    *dialog = ADW_MESSAGE_DIALOG (widget);
}

/* Closing a QR code nobody scanned asks first; "Sluiten" closes it, with
 * no GLib-CRITICAL on the way (the tests run with fatal warnings) */
static void
test_qr_window_close_unscanned (Fixture       *f,
                                gconstpointer  data)
{
  ZidOneTimeCode enrolment = {
    .user_id = 1,
    .purpose = ZID_CODE_ENROLMENT,
    .payload = f->payload,
    .expires = f->expires,
  };
  GtkWidget *parent = gtk_window_new ();
  ZidQrWindow *window;
  AdwMessageDialog *dialog = NULL;
  GListModel *toplevels = gtk_window_get_toplevels ();

  gtk_window_present (GTK_WINDOW (parent));
  window = zid_qr_window_new (GTK_WINDOW (parent), &enrolment, "Anna Admin", ZID_BACKEND (f->portal), NULL, 1);
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_present (GTK_WINDOW (window));
  settle (GTK_WIDGET (window));

  gtk_window_close (GTK_WINDOW (window));
  settle (GTK_WIDGET (parent));
  g_assert_nonnull (window);
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) toplevel = g_list_model_get_item (toplevels, i);

      find_dialog (toplevel, &dialog);
    }
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "close");
  for (int i = 0; i < 50 && window != NULL; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  g_assert_null (window);
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  gtk_window_destroy (GTK_WINDOW (parent));
}

/* Squeezed below its natural size the code gets smaller modules, still
 * whole pixels, and still decodes */
static void
test_qr_view_small (Fixture       *f,
                    gconstpointer  data)
{
  GtkWidget *window = gtk_window_new ();
  ZidQrView *view = ZID_QR_VIEW (zid_qr_view_new ());
  g_autoptr(GdkTexture) texture = NULL;
  int module;

  zid_qr_view_set_code (view, f->payload, f->expires, TRUE);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_set_default_size (GTK_WINDOW (window), 200, 200);
  gtk_window_present (GTK_WINDOW (window));
  settle (GTK_WIDGET (view));
  texture = render (GTK_WIDGET (window));
  module = assert_sharp_qr (texture, f->payload);
  g_assert_cmpint (module, <, ZID_QR_CODE_MODULE_PIXELS);
  g_assert_cmpint (module, ==, zid_qr_code_get_module_size (zid_qr_view_get_code (view)));
  round_trip (texture, f->payload, "zid-qr-view-small.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *zbarimg = g_find_program_in_path ("zbarimg");

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* Referencing it links the templates in (and registers them) */
  g_assert_nonnull (zid_ui_get_resource ());

  if (zbarimg == NULL)
    {
      g_test_skip ("zbarimg (zbar-tools) not installed");
      return 77;
    }

  g_test_add ("/qr/view-sharp-and-decodes", Fixture, NULL, fixture_setup, test_qr_view, fixture_teardown);
  g_test_add ("/qr/window-decodes", Fixture, NULL, fixture_setup, test_qr_window, fixture_teardown);
  g_test_add ("/qr/window-close-unscanned", Fixture, NULL, fixture_setup, test_qr_window_close_unscanned,
              fixture_teardown);
  g_test_add ("/qr/window-enrolled-elsewhere", Fixture, NULL, fixture_setup, test_qr_window_enrolled_elsewhere,
              fixture_teardown);
  g_test_add ("/qr/view-small-decodes", Fixture, NULL, fixture_setup, test_qr_view_small, fixture_teardown);
  return g_test_run ();
}
