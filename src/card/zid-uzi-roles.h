/* zid-uzi-roles.h — the names of the UZI role codes
 *
 * The role field of an UZI-pas ("PP.SSS": profession PP, specialism SSS,
 * SSS 000 = the profession itself) as a person reads it, from the
 * UZI-register's table (data/uzi-role-codes.tsv).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The name of @code ("Huisarts" for "01.015"); for a specialism missing
 * from the table, the profession's name; NULL for anything else. */
const char *zid_uzi_role_name    (const char *code);

/* "Huisarts (01.015)"; the bare code when it has no name */
char       *zid_uzi_role_describe (const char *code);

G_END_DECLS
