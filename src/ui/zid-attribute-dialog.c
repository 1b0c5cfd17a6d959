/* zid-attribute-dialog.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <glib/gi18n.h>

#include "zid-attribute-dialog.h"
#include "zid-ui-util.h"

static const char * const kinds[] = { "uzi", "agb", "big", "taak" };

struct _ZidAttributeDialog
{
  AdwMessageDialog  parent_instance;

  /* template */
  GtkDropDown      *types;       /* one of @kinds */
  GtkDropDown      *organisations;
  GtkEntry         *task_code;
  GtkLabel         *note;

  /* owned */
  GtkStringList    *names;       /* the organisations' names */
  GArray           *ids;         /* gint64 per organisation */
};

G_DEFINE_FINAL_TYPE (ZidAttributeDialog, zid_attribute_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
type_changed (ZidAttributeDialog *self)
{
  gboolean uzi = gtk_drop_down_get_selected (self->types) == 0;

  gtk_widget_set_visible (GTK_WIDGET (self->note), uzi);
  /* The card's UZI number is the task code */
  gtk_widget_set_sensitive (GTK_WIDGET (self->task_code), !uzi);
  gtk_entry_set_placeholder_text (self->task_code, uzi ? _("The UZI number of the card") : NULL);
}

static void
zid_attribute_dialog_finalize (GObject *object)
{
  ZidAttributeDialog *self = ZID_ATTRIBUTE_DIALOG (object);

  g_clear_object (&self->names);
  g_array_unref (self->ids);
  G_OBJECT_CLASS (zid_attribute_dialog_parent_class)->finalize (object);
}

static void
zid_attribute_dialog_class_init (ZidAttributeDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = zid_attribute_dialog_finalize;
  gtk_widget_class_set_template_from_resource (widget_class, "/nl/zorgid/Portaal/ui/zid-attribute-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ZidAttributeDialog, types);
  gtk_widget_class_bind_template_child (widget_class, ZidAttributeDialog, organisations);
  gtk_widget_class_bind_template_child (widget_class, ZidAttributeDialog, task_code);
  gtk_widget_class_bind_template_child (widget_class, ZidAttributeDialog, note);
}

static void
zid_attribute_dialog_init (ZidAttributeDialog *self)
{
  g_autoptr(GtkStringList) types = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  self->names = gtk_string_list_new (NULL);
  self->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    gtk_string_list_append (types, zid_ui_attribute_type_label (kinds[i]));
  gtk_drop_down_set_model (self->types, G_LIST_MODEL (types));
  gtk_drop_down_set_model (self->organisations, G_LIST_MODEL (self->names));
  /* The manual's own example is a task code for care staff: start there */
  gtk_drop_down_set_selected (self->types, 3);
  g_signal_connect_object (self->types, "notify::selected", G_CALLBACK (type_changed), self, G_CONNECT_SWAPPED);
  type_changed (self);
}

ZidAttributeDialog *
zid_attribute_dialog_new (GtkWindow *parent)
{
  return g_object_new (ZID_TYPE_ATTRIBUTE_DIALOG, "transient-for", parent, "modal", TRUE, NULL);
}

void
zid_attribute_dialog_add_organisation (ZidAttributeDialog    *self,
                                       const ZidOrganisation *organisation)
{
  g_return_if_fail (ZID_IS_ATTRIBUTE_DIALOG (self));
  g_return_if_fail (organisation != NULL);

  g_array_append_val (self->ids, organisation->id);
  gtk_string_list_append (self->names, organisation->name);
}

const char *
zid_attribute_dialog_get_kind (ZidAttributeDialog *self)
{
  guint i;

  g_return_val_if_fail (ZID_IS_ATTRIBUTE_DIALOG (self), NULL);
  i = gtk_drop_down_get_selected (self->types);
  return i < G_N_ELEMENTS (kinds) ? kinds[i] : NULL;
}

gint64
zid_attribute_dialog_get_organisation (ZidAttributeDialog *self)
{
  guint i;

  g_return_val_if_fail (ZID_IS_ATTRIBUTE_DIALOG (self), 0);
  i = gtk_drop_down_get_selected (self->organisations);
  return i < self->ids->len ? g_array_index (self->ids, gint64, i) : 0;
}

char *
zid_attribute_dialog_dup_task_code (ZidAttributeDialog *self)
{
  g_return_val_if_fail (ZID_IS_ATTRIBUTE_DIALOG (self), NULL);
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->task_code))));
}
