/* zid-pin.h — a PIN in a secure buffer
 *
 * The PIN is held in locked memory (mlock, best effort), wiped with
 * explicit_bzero when freed, and never logged. Make one as late as possible,
 * hand it to the operation (which takes its own reference) and unref it.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define ZID_TYPE_PIN (zid_pin_get_type ())

typedef struct _ZidPin ZidPin;

GType        zid_pin_get_type      (void) G_GNUC_CONST;

/* Copies len bytes of pin (need not be NUL-terminated) */
ZidPin      *zid_pin_new           (const char  *pin,
                                    gsize        len);
/* First line of a file (trailing \r\n stripped); the file's bytes are wiped */
ZidPin      *zid_pin_new_from_file (const char  *path,
                                    GError     **error);
/* Reads a line from the terminal without echo (prompt on stderr) */
ZidPin      *zid_pin_new_from_terminal (const char  *prompt,
                                        GError     **error);
ZidPin      *zid_pin_ref           (ZidPin      *pin);
void         zid_pin_unref         (ZidPin      *pin);
const char  *zid_pin_get_data      (const ZidPin *pin);
gsize        zid_pin_get_length    (const ZidPin *pin);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidPin, zid_pin_unref)

G_END_DECLS
