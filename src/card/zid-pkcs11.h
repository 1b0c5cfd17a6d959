/* zid-pkcs11.h — PKCS#11 modules through p11-kit, and the tokens they see
 *
 * ZidPkcs11 loads the modules the configuration names: those registered
 * with p11-kit (unless load_registered is FALSE) plus the configured module
 * path (the real UZI-pas needs the vendor's SafeSign libaetpkss.so.3; OpenSC
 * reads other cards). Nothing assumes OpenSC. A module that fails to load is
 * an error (ZID_CARD_ERROR_MODULE_LOAD_FAILED, with the path and p11-kit's
 * reason) when it is the configured one; a registered module that fails is
 * skipped and listed by zid_pkcs11_get_load_failures().
 *
 * The tokens are ZidToken (zid-token.h). Every function here blocks on the
 * modules: call them from a worker thread, never from a UI's main loop (the
 * window goes through libzid-flow, which runs them in a GTask). All PKCS#11
 * calls of one ZidPkcs11 are serialised.
 */
#pragma once

#include <gio/gio.h>

#include "zid-card-config.h"
#include "zid-token.h"

G_BEGIN_DECLS

#define ZID_TYPE_PKCS11 (zid_pkcs11_get_type ())
G_DECLARE_FINAL_TYPE (ZidPkcs11, zid_pkcs11, ZID, PKCS11, GObject)

ZidPkcs11           *zid_pkcs11_new               (const ZidCardConfig  *config,
                                                   GError              **error);
const ZidCardConfig *zid_pkcs11_get_config        (ZidPkcs11            *self);
/* zid_pkcs11_describe_module() of each loaded module */
GStrv                zid_pkcs11_get_module_names  (ZidPkcs11            *self);
/* "name (path)"; a module without a file (one forwarded from the host by
 * p11-kit's remote client) as "name (forwarded from the host via p11-kit)" */
char                *zid_pkcs11_describe_module   (const char           *name,
                                                   const char           *path);
/* "path: reason" of each registered module that failed to load */
const char * const  *zid_pkcs11_get_load_failures (ZidPkcs11            *self);

/* The tokens present now (ZidToken, certificates loaded); may be empty */
GPtrArray           *zid_pkcs11_list_tokens       (ZidPkcs11            *self,
                                                   GCancellable         *cancellable,
                                                   GError              **error);

/* The first token holding an UZI authentication certificate. NO_CARD when
 * there is no token at all, NO_UZI_CERTIFICATE (or the precise refusal of
 * the UZI profile) when there are tokens but none is an UZI-pas. */
ZidToken            *zid_pkcs11_find_uzi_token    (ZidPkcs11            *self,
                                                   GCancellable         *cancellable,
                                                   GError              **error);

G_END_DECLS
