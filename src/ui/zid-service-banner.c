/* zid-service-banner.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include "zid-service-banner.h"

struct _ZidServiceBanner
{
  GtkWidget    parent_instance;

  GtkWidget   *box;
  GtkLabel    *label;
  ZidService  *service;   /* owned; NULL when none */
  ZidBackend  *backend;   /* owned; NULL when none */
  char        *message;   /* NULL while hidden */
};

G_DEFINE_FINAL_TYPE (ZidServiceBanner, zid_service_banner, GTK_TYPE_WIDGET)

static void
update (ZidServiceBanner *self)
{
  g_free (self->message);
  self->message = self->service != NULL ? zid_service_dup_status_message (self->service) : NULL;
  if (self->message == NULL && self->backend != NULL)
    self->message = zid_backend_dup_status_message (self->backend);
  if (self->message != NULL)
    gtk_label_set_text (self->label, self->message);
  gtk_widget_set_visible (self->box, self->message != NULL);
}

void
zid_service_banner_set_service (ZidServiceBanner *self,
                                ZidService       *service)
{
  g_return_if_fail (ZID_IS_SERVICE_BANNER (self));
  g_return_if_fail (service == NULL || ZID_IS_SERVICE (service));

  if (self->service == service)
    return;
  if (self->service != NULL)
    g_signal_handlers_disconnect_by_data (self->service, self);
  g_set_object (&self->service, service);
  if (service != NULL)
    g_signal_connect_object (service, "status-changed", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  update (self);
}

void
zid_service_banner_set_backend (ZidServiceBanner *self,
                                ZidBackend       *backend)
{
  g_return_if_fail (ZID_IS_SERVICE_BANNER (self));
  g_return_if_fail (backend == NULL || ZID_IS_BACKEND (backend));

  if (self->backend == backend)
    return;
  if (self->backend != NULL)
    g_signal_handlers_disconnect_by_data (self->backend, self);
  g_set_object (&self->backend, backend);
  if (backend != NULL)
    g_signal_connect_object (backend, "status-changed", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  update (self);
}

const char *
zid_service_banner_get_message (ZidServiceBanner *self)
{
  g_return_val_if_fail (ZID_IS_SERVICE_BANNER (self), NULL);
  return self->message;
}

ZidServiceBanner *
zid_service_banner_new (void)
{
  return g_object_new (ZID_TYPE_SERVICE_BANNER, NULL);
}

static void
zid_service_banner_dispose (GObject *object)
{
  ZidServiceBanner *self = ZID_SERVICE_BANNER (object);

  zid_service_banner_set_service (self, NULL);
  zid_service_banner_set_backend (self, NULL);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  G_OBJECT_CLASS (zid_service_banner_parent_class)->dispose (object);
}

static void
zid_service_banner_finalize (GObject *object)
{
  g_free (ZID_SERVICE_BANNER (object)->message);
  G_OBJECT_CLASS (zid_service_banner_parent_class)->finalize (object);
}

static void
zid_service_banner_class_init (ZidServiceBannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = zid_service_banner_dispose;
  object_class->finalize = zid_service_banner_finalize;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "zid-service-banner");
}

static void
zid_service_banner_init (ZidServiceBanner *self)
{
  /* Shown and hidden at once: GTK 4.8's revealer mis-measures a wrapping
   * label while it slides */
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_visible (self->box, FALSE);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  self->label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->label, TRUE);
  gtk_label_set_xalign (self->label, 0);
  gtk_widget_set_hexpand (GTK_WIDGET (self->label), TRUE);

  gtk_widget_add_css_class (self->box, "zid-service-banner");
  gtk_widget_add_css_class (self->box, "warning");
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->label));
}
