/* zid-form-dialog.h — a message dialog that closes only once its work is done
 *
 * AdwMessageDialog closes on every response. A form dialog closes on the
 * close response (Cancel, Escape) but stays open on its work response: the
 * caller runs the work and either closes the dialog (success) or shows the
 * core's refusal in it, under the fields, with everything typed kept, so the
 * person corrects it and saves again. Enter answers the default response:
 * from entries (activates-default), from a closed drop-down, and a dialog
 * without an entry starts with the focus on the default button.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* @response: the response that does the work ("save") */
void     zid_form_dialog_setup      (AdwMessageDialog *dialog,
                                     const char       *response);
/* While the work runs: the work response and the fields insensitive;
 * @message (or NULL) says what happens */
void     zid_form_dialog_set_busy   (AdwMessageDialog *dialog,
                                     const char       *message);
/* The work was refused: @message under the fields, the dialog usable again */
void     zid_form_dialog_show_error (AdwMessageDialog *dialog,
                                     const char       *message);
/* The text shown under the fields, NULL when none */
const char *zid_form_dialog_get_error (AdwMessageDialog *dialog);
/* FALSE once closed (or closing) */
gboolean zid_form_dialog_is_open    (AdwMessageDialog *dialog);
/* Done: closes it */
void     zid_form_dialog_close      (AdwMessageDialog *dialog);

G_END_DECLS
