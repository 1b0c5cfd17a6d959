/* zid-attribute-dialog.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <glib/gi18n.h>

#include "zid-attribute-dialog.h"
#include "zid-form-dialog.h"
#include "zid-ui-util.h"

struct _ZidAttributeDialog
{
  AdwMessageDialog  parent_instance;

  /* template */
  GtkDropDown      *types;       /* the rows of @type_ids */
  GtkDropDown      *organisations;
  GtkEntry         *task_code;
  GtkLabel         *note;
  GtkWidget        *pin_label;
  GtkPasswordEntry *pin_entry;

  /* owned */
  GtkStringList    *names;       /* the organisations' names */
  GArray           *ids;         /* gint64 per organisation */
  GArray           *type_ids;    /* ZidAttributeType per row of @types */
  gboolean          disposed;
};

G_DEFINE_FINAL_TYPE (ZidAttributeDialog, zid_attribute_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
type_changed (ZidAttributeDialog *self)
{
  ZidAttributeType type;
  gboolean uzi = zid_attribute_dialog_get_attribute_type (self, &type) && type == ZID_ATTRIBUTE_TYPE_UZI;

  gtk_widget_set_visible (GTK_WIDGET (self->note), uzi);
  gtk_widget_set_visible (self->pin_label, uzi);
  gtk_widget_set_visible (GTK_WIDGET (self->pin_entry), uzi);
  /* The card's UZI number is the task code */
  gtk_widget_set_sensitive (GTK_WIDGET (self->task_code), !uzi);
  gtk_entry_set_placeholder_text (self->task_code, uzi ? _("The UZI number of the card") : NULL);
  /* No card without its PIN */
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "save",
                                           !uzi || *gtk_editable_get_text (GTK_EDITABLE (self->pin_entry)) != '\0');
}

/* Typing starts at the task code (not before the map: set earlier, the
 * focus leaves the dialog without its accessible role) */
static void
focus_task_code (ZidAttributeDialog *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->task_code));
}

/* A PIN typed and not used goes with the dialog */
static void
zid_attribute_dialog_dispose (GObject *object)
{
  ZidAttributeDialog *self = ZID_ATTRIBUTE_DIALOG (object);

  if (!self->disposed)
    zid_ui_clear_pin_entry (GTK_EDITABLE (self->pin_entry));
  self->disposed = TRUE;
  G_OBJECT_CLASS (zid_attribute_dialog_parent_class)->dispose (object);
}

static void
zid_attribute_dialog_finalize (GObject *object)
{
  ZidAttributeDialog *self = ZID_ATTRIBUTE_DIALOG (object);

  g_clear_object (&self->names);
  g_array_unref (self->ids);
  g_array_unref (self->type_ids);
  G_OBJECT_CLASS (zid_attribute_dialog_parent_class)->finalize (object);
}

static void
zid_attribute_dialog_class_init (ZidAttributeDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = zid_attribute_dialog_dispose;
  G_OBJECT_CLASS (klass)->finalize = zid_attribute_dialog_finalize;
  gtk_widget_class_set_template_from_resource (widget_class, "/nl/zorgid/Portaal/ui/zid-attribute-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ZidAttributeDialog, types);
  gtk_widget_class_bind_template_child (widget_class, ZidAttributeDialog, organisations);
  gtk_widget_class_bind_template_child (widget_class, ZidAttributeDialog, task_code);
  gtk_widget_class_bind_template_child (widget_class, ZidAttributeDialog, note);
  gtk_widget_class_bind_template_child (widget_class, ZidAttributeDialog, pin_label);
  gtk_widget_class_bind_template_child (widget_class, ZidAttributeDialog, pin_entry);
}

static void
zid_attribute_dialog_init (ZidAttributeDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* Open until the attribute is registered: a refusal shows here */
  zid_form_dialog_setup (ADW_MESSAGE_DIALOG (self), "save");
  g_signal_connect_after (self, "map", G_CALLBACK (focus_task_code), NULL);
  self->names = gtk_string_list_new (NULL);
  self->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->type_ids = g_array_new (FALSE, FALSE, sizeof (ZidAttributeType));
  gtk_drop_down_set_model (self->organisations, G_LIST_MODEL (self->names));
  g_signal_connect_object (self->types, "notify::selected", G_CALLBACK (type_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->pin_entry, "notify::text", G_CALLBACK (type_changed), self, G_CONNECT_SWAPPED);
}

ZidAttributeDialog *
zid_attribute_dialog_new (GtkWindow *parent,
                          guint      types)
{
  ZidAttributeDialog *self;
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);

  self = g_object_new (ZID_TYPE_ATTRIBUTE_DIALOG, "transient-for", parent, "modal", TRUE, NULL);
  /* In the order of the core's table */
  for (guint i = 0; i < zid_attribute_type_get_n_values (); i++)
    {
      ZidAttributeType type = zid_attribute_type_nth (i)->value;

      if ((types & (1u << type)) == 0)
        continue;
      gtk_string_list_append (labels, zid_attribute_type_get_label (type));
      g_array_append_val (self->type_ids, type);
    }
  gtk_drop_down_set_model (self->types, G_LIST_MODEL (labels));
  /* The manual's own example is a task code for care staff: start there */
  for (guint i = 0; i < self->type_ids->len; i++)
    if (g_array_index (self->type_ids, ZidAttributeType, i) == ZID_ATTRIBUTE_TYPE_TAAK)
      gtk_drop_down_set_selected (self->types, i);
  type_changed (self);
  return self;
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

gboolean
zid_attribute_dialog_get_attribute_type (ZidAttributeDialog *self,
                                         ZidAttributeType   *type)
{
  guint i;

  g_return_val_if_fail (ZID_IS_ATTRIBUTE_DIALOG (self), FALSE);
  g_return_val_if_fail (type != NULL, FALSE);
  i = gtk_drop_down_get_selected (self->types);
  if (i >= self->type_ids->len)
    return FALSE;
  *type = g_array_index (self->type_ids, ZidAttributeType, i);
  return TRUE;
}

gint64
zid_attribute_dialog_get_organisation (ZidAttributeDialog *self)
{
  guint i;

  g_return_val_if_fail (ZID_IS_ATTRIBUTE_DIALOG (self), 0);
  i = gtk_drop_down_get_selected (self->organisations);
  return i < self->ids->len ? g_array_index (self->ids, gint64, i) : 0;
}

ZidPin *
zid_attribute_dialog_take_pin (ZidAttributeDialog *self)
{
  g_return_val_if_fail (ZID_IS_ATTRIBUTE_DIALOG (self), NULL);
  return zid_ui_take_pin (GTK_EDITABLE (self->pin_entry));
}

char *
zid_attribute_dialog_dup_task_code (ZidAttributeDialog *self)
{
  g_return_val_if_fail (ZID_IS_ATTRIBUTE_DIALOG (self), NULL);
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->task_code))));
}

void
zid_attribute_dialog_show_error (ZidAttributeDialog *self,
                                 const char         *message,
                                 gboolean            pin)
{
  g_return_if_fail (ZID_IS_ATTRIBUTE_DIALOG (self));

  zid_form_dialog_show_error (ADW_MESSAGE_DIALOG (self), message);
  /* Save again only with a PIN typed anew */
  type_changed (self);
  gtk_widget_grab_focus (pin && gtk_widget_get_visible (GTK_WIDGET (self->pin_entry))
                         ? GTK_WIDGET (self->pin_entry) : GTK_WIDGET (self->task_code));
}
