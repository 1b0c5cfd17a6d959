/* zid-pkcs11-private.h — shared between zid-pkcs11.c and zid-token.c */
#pragma once

#include <p11-kit/p11-kit.h>
#include <p11-kit/pkcs11.h>

#include "zid-pkcs11.h"

G_BEGIN_DECLS

void         zid_pkcs11_lock    (ZidPkcs11 *self);
void         zid_pkcs11_unlock  (ZidPkcs11 *self);

const char  *zid_pkcs11_rv_name (CK_RV rv);

/* Maps rv to a ZID_CARD_ERROR; doing: "lezen", "inloggen", "ondertekenen" */
void         zid_pkcs11_set_error (GError     **error,
                                   CK_RV        rv,
                                   gboolean     card_gone,
                                   const char  *doing);

ZidToken    *zid_token_new      (ZidPkcs11          *owner,
                                 CK_FUNCTION_LIST   *module,
                                 const char         *module_name,
                                 CK_SLOT_ID          slot,
                                 const CK_SLOT_INFO *slot_info,
                                 const CK_TOKEN_INFO *token_info);
gboolean     zid_token_load_certificates (ZidToken      *self,
                                          GCancellable  *cancellable,
                                          GError       **error);

/* A PKCS#11 blank-padded string as a trimmed UTF-8 string */
char        *zid_pkcs11_string  (const CK_UTF8CHAR *s,
                                 gsize              len);

G_END_DECLS
