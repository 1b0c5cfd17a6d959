/* zid-card-config.h — what the card layer needs to know
 *
 * Which PKCS#11 modules to load, where the UZI trust anchors are, which
 * environment's OID CAs are accepted. A plain boxed struct: fill it, hand it
 * to zid_pkcs11_new() / zid_card_verify_async(), which copy it.
 *
 * zid_card_config_new_from_environment() reads:
 *   ZID_PKCS11_MODULE      a PKCS#11 module path to load (the UZI-pas needs
 *                          the vendor's SafeSign libaetpkss.so.3)
 *   ZID_PKCS11_REGISTERED  "0": do not load the modules registered with
 *                          p11-kit (default: load them too)
 *   ZID_UZI_TRUST_DIR      directory with the UZI-register trust anchors
 *                          (PEM/DER; self-signed ones are anchors, the
 *                          others intermediates); it overrides the
 *                          environment's trust below
 *   ZID_BUILTIN_TRUST_DIR  where the built-in trust is when not installed
 *                          (zid_trust_builtin_dir)
 *
 * The chain of a card is checked against trust_dir when it is set (an
 * override: --trust, ZID_UZI_TRUST_DIR), else against the folders of
 * trust_dirs together: the environment's built-in UZI trust (acceptatie:
 * the UZI-Test CA G3 chain) and, added by the caller who knows the data
 * dir, the environment's trust store (src/core/zid-trust-store.h;
 * src/flow/zid-flow-config.h does both). Folders that do not exist hold
 * nothing (the override must exist). The chain is checked whenever these hold an anchor.
 *   ZID_UZI_EXTRA_OID_CAS  extra allowed OID CAs, separated by ':' or ','
 */
#pragma once

#include <glib-object.h>

#include "zid-uzi.h"

G_BEGIN_DECLS

#define ZID_TYPE_CARD_CONFIG (zid_card_config_get_type ())

/* The UZI-pas blocks its PIN after this many wrong attempts */
#define ZID_UZI_PIN_MAX_TRIES 3

typedef struct
{
  char              *module_path;     /* nullable: extra module to load */
  gboolean           load_registered; /* the modules registered with p11-kit */
  char              *trust_dir;       /* nullable: the override */
  char             **trust_dirs;      /* nullable, NULL-terminated: the environment's folders */
  ZidUziEnvironment  environment;
  char             **extra_oid_cas;   /* nullable, NULL-terminated */
} ZidCardConfig;

GType           zid_card_config_get_type (void) G_GNUC_CONST;
ZidCardConfig  *zid_card_config_new      (ZidUziEnvironment    environment);
ZidCardConfig  *zid_card_config_new_from_environment (ZidUziEnvironment environment);
ZidCardConfig  *zid_card_config_copy     (const ZidCardConfig *config);
void            zid_card_config_free     (ZidCardConfig       *config);

/* Appends @dir to trust_dirs */
void            zid_card_config_add_trust_dir (ZidCardConfig   *config,
                                               const char      *dir);
/* The folders the chain is checked against: trust_dir alone when set,
 * else trust_dirs (a new NULL-terminated array; may be empty) */
char          **zid_card_config_dup_trust_dirs (const ZidCardConfig *config);
/* Is the chain to be checked? trust_dir is set, or trust_dirs hold at
 * least one anchor (this reads the folders) */
gboolean        zid_card_config_has_trust (const ZidCardConfig *config);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidCardConfig, zid_card_config_free)

G_END_DECLS
