/* zid-form-dialog.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include "zid-form-dialog.h"

typedef struct
{
  GtkLabel  *message;    /* borrowed: under the fields */
  GtkWidget *fields;     /* borrowed: the dialog's own extra child, or NULL */
  char      *response;
  gboolean   in_close;   /* inside a close request */
  gboolean   closing;
} Form;

static void
form_free (gpointer p)
{
  Form *form = p;

  g_free (form->response);
  g_free (form);
}

static Form *
get_form (AdwMessageDialog *dialog)
{
  Form *form = g_object_get_data (G_OBJECT (dialog), "zid-form");

  g_assert (form != NULL);
  return form;
}

/* Before AdwMessageDialog's own handler, which answers a close (Escape, the
 * window's close button) with the close response */
static gboolean
close_request_before (GtkWindow *window,
                      Form      *form)
{
  form->in_close = TRUE;
  return FALSE;
}

/* After it: only a closing form closes; a response button's close does not */
static gboolean
close_request_after (GtkWindow *window,
                     Form      *form)
{
  form->in_close = FALSE;
  return !form->closing;
}

static void
on_response (AdwMessageDialog *dialog,
             const char       *response,
             Form             *form)
{
  if (g_strcmp0 (response, form->response) != 0)
    zid_form_dialog_close (dialog);
}

/* Enter answers the default response: from an entry (activates-default),
 * otherwise from the default button itself, not from a drop-down. A
 * response that waits for a choice (insensitive): the focus on the fields */
static void
on_map (GtkWidget *widget)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (widget));
  GtkWidget *button = gtk_window_get_default_widget (GTK_WINDOW (widget));
  Form *form = get_form (ADW_MESSAGE_DIALOG (widget));

  if (button == NULL || (focus != NULL && GTK_IS_TEXT (focus)))
    return;
  if (gtk_widget_is_sensitive (button) || form->fields == NULL)
    gtk_widget_grab_focus (button);
  else
    gtk_widget_child_focus (form->fields, GTK_DIR_TAB_FORWARD);
}

/* Enter on a closed drop-down answers the default response too, rather
 * than opening the list again (its list, open, keeps Enter to choose) */
static gboolean
on_key (GtkEventControllerKey *controller,
        guint                  keyval,
        guint                  keycode,
        GdkModifierType        state,
        GtkWidget             *dialog)
{
  GtkWidget *focus;
  GtkWidget *button;

  if ((keyval != GDK_KEY_Return && keyval != GDK_KEY_KP_Enter && keyval != GDK_KEY_ISO_Enter) ||
      (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK)) != 0)
    return FALSE;
  focus = gtk_root_get_focus (GTK_ROOT (dialog));
  if (focus == NULL || gtk_widget_get_ancestor (focus, GTK_TYPE_POPOVER) != NULL ||
      gtk_widget_get_ancestor (focus, GTK_TYPE_DROP_DOWN) == NULL)
    return FALSE;
  /* Not "default.activate": it activates a focused button, the drop-down's */
  button = gtk_window_get_default_widget (GTK_WINDOW (dialog));
  return button != NULL && gtk_widget_is_sensitive (button) && gtk_widget_activate (button);
}

void
zid_form_dialog_setup (AdwMessageDialog *dialog,
                       const char       *response)
{
  Form *form;
  GtkWidget *box;
  GtkEventController *key;

  g_return_if_fail (ADW_IS_MESSAGE_DIALOG (dialog));
  g_return_if_fail (response != NULL);

  form = g_new0 (Form, 1);
  form->response = g_strdup (response);
  g_object_set_data_full (G_OBJECT (dialog), "zid-form", form, form_free);

  /* The message goes under the dialog's own fields */
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  form->fields = adw_message_dialog_get_extra_child (dialog);
  if (form->fields != NULL)
    {
      g_object_ref (form->fields);
      adw_message_dialog_set_extra_child (dialog, NULL);
      gtk_box_append (GTK_BOX (box), form->fields);
      g_object_unref (form->fields);
    }
  form->message = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (form->message, TRUE);
  gtk_label_set_max_width_chars (form->message, 40);
  gtk_label_set_xalign (form->message, 0);
  gtk_label_set_selectable (form->message, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (form->message), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (form->message));
  adw_message_dialog_set_extra_child (dialog, box);

  g_signal_connect (dialog, "close-request", G_CALLBACK (close_request_before), form);
  g_signal_connect_after (dialog, "close-request", G_CALLBACK (close_request_after), form);
  g_signal_connect (dialog, "response", G_CALLBACK (on_response), form);
  g_signal_connect_after (dialog, "map", G_CALLBACK (on_map), NULL);
  key = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (key, GTK_PHASE_CAPTURE);
  g_signal_connect (key, "key-pressed", G_CALLBACK (on_key), dialog);
  gtk_widget_add_controller (GTK_WIDGET (dialog), key);
}

static void
set_message (Form       *form,
             const char *message,
             gboolean    error)
{
  gtk_label_set_text (form->message, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (form->message), message != NULL);
  if (error)
    {
      gtk_widget_add_css_class (GTK_WIDGET (form->message), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (form->message), "dim-label");
    }
  else
    {
      gtk_widget_add_css_class (GTK_WIDGET (form->message), "dim-label");
      gtk_widget_remove_css_class (GTK_WIDGET (form->message), "error");
    }
}

/* Busy (the work runs) or usable again, with @message or none */
static void
set_state (AdwMessageDialog *dialog,
           const char       *message,
           gboolean          busy)
{
  Form *form;

  g_return_if_fail (ADW_IS_MESSAGE_DIALOG (dialog));
  form = get_form (dialog);
  adw_message_dialog_set_response_enabled (dialog, form->response, !busy);
  if (form->fields != NULL)
    gtk_widget_set_sensitive (form->fields, !busy);
  set_message (form, message, !busy);
}

void
zid_form_dialog_set_busy (AdwMessageDialog *dialog,
                          const char       *message)
{
  set_state (dialog, message, TRUE);
}

void
zid_form_dialog_show_error (AdwMessageDialog *dialog,
                            const char       *message)
{
  set_state (dialog, message, FALSE);
}

const char *
zid_form_dialog_get_error (AdwMessageDialog *dialog)
{
  Form *form;

  g_return_val_if_fail (ADW_IS_MESSAGE_DIALOG (dialog), NULL);
  form = get_form (dialog);
  return gtk_widget_get_visible (GTK_WIDGET (form->message)) &&
         gtk_widget_has_css_class (GTK_WIDGET (form->message), "error")
         ? gtk_label_get_text (form->message) : NULL;
}

gboolean
zid_form_dialog_is_open (AdwMessageDialog *dialog)
{
  g_return_val_if_fail (ADW_IS_MESSAGE_DIALOG (dialog), FALSE);
  return !get_form (dialog)->closing;
}

void
zid_form_dialog_close (AdwMessageDialog *dialog)
{
  Form *form;

  g_return_if_fail (ADW_IS_MESSAGE_DIALOG (dialog));
  form = get_form (dialog);
  if (form->closing)
    return;
  form->closing = TRUE;
  /* Inside a close request the request itself now closes it */
  if (!form->in_close)
    gtk_window_destroy (GTK_WINDOW (dialog));
}
