/* zid-ui-util.h — small helpers shared by the portal's widgets
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <gtk/gtk.h>

#include "zid-card.h"
#include "zid-core.h"

G_BEGIN_DECLS

/* Human, translated labels for the core's enums; those of block reasons
 * and attribute types are the core's tables' (an unknown type: its name) */
const char *zid_ui_role_label          (ZidRole           role);
const char *zid_ui_block_reason_label  (ZidBlockReason    reason);
const char *zid_ui_mobile_id_label     (ZidMobileIdState  state);
const char *zid_ui_attribute_type_label (const char      *type);
/* "12-03-2026 14:05", or "Nooit" for 0 */
char       *zid_ui_format_time         (gint64            unix_seconds);
/* A birth date stored as JJJJ-MM-DD in the locale's order: "12-03-1980"
 * in Dutch (ISO in C); anything else as it is */
char       *zid_ui_format_date         (const char       *iso_date);
/* "Nog 9 dagen en 23 uur geldig", "Nog 4:59 geldig", "Verlopen" */
char       *zid_ui_format_remaining    (gint64            seconds,
                                        gboolean          minutes_seconds);
/* "Organisatie A (Administrator), Organisatie B (Gebruiker)" */
char       *zid_ui_format_memberships  (ZidUser          *user);

/* An owned QR texture: @module_pixels per module, 4-module quiet zone */
GdkTexture *zid_ui_qr_texture          (const char       *payload,
                                        int               module_pixels,
                                        GError          **error);

void        zid_ui_clear_list_box      (GtkListBox       *box);

/* An AdwActionRow whose title and subtitle are plain text: names, URAs and
 * commands ("Zorg & Welzijn", "… && …") are shown as they are, never parsed
 * as Pango markup (libadwaita's default) */
GtkWidget  *zid_ui_action_row_new      (void);

/* The routes from a widget up to its window, which installs them:
 * "win.show-toast" (s: the message) and "win.show-enrolment"
 * (ZID_UI_ENROLMENT_TYPE: user, purpose, payload, expires, person) shows
 * an enrolment or new-certificate QR. Nothing happens outside a window. */
#define ZID_UI_ENROLMENT_TYPE "(xisxs)"
void        zid_ui_show_toast          (GtkWidget            *widget,
                                        const char           *message);
void        zid_ui_show_enrolment      (GtkWidget            *widget,
                                        const ZidOneTimeCode *enrolment,
                                        const char           *person);
/* The enrolment a "win.show-enrolment" parameter carries; @person borrowed
 * from @param */
ZidOneTimeCode *zid_ui_enrolment_from_variant (GVariant    *param,
                                               const char **person);

/* Blocking (worker threads): is there a card reader with a card? FALSE with
 * a ZID_CARD_ERROR in plain Dutch: no card service, no reader, no card */
gboolean    zid_ui_card_present        (GError          **error);
/* A PIN entry emptied: GTK's password buffer only moves its terminating
 * NUL to the front when emptied, leaving the digits behind it, so they are
 * written over first */
void        zid_ui_clear_pin_entry     (GtkEditable      *entry);
/* The PIN typed in @entry (NULL when empty), the entry emptied */
ZidPin     *zid_ui_take_pin            (GtkEditable      *entry);
/* What a person retyping a PIN must know: the tries left (from the card's
 * flags when it gives no count); newly allocated */
char       *zid_ui_pin_state_text      (ZidPinState       state,
                                        int               tries_left);

/* Two filters on @chooser: @name (the MIME types and patterns given,
 * the first one chosen) and "All Files" */
void        zid_ui_add_file_filters    (GtkFileChooser     *chooser,
                                        const char         *name,
                                        const char * const *mime_types,
                                        const char * const *patterns);

G_END_DECLS
