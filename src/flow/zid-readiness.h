/* zid-readiness.h — is this machine ready to complete a registration?
 *
 * The readiness check ("Controle"; `zorgid-admin doctor`): each check says
 * its state, what it means and the one action that fixes it — a window
 * action where the window can do it, else the exact command. The window's
 * §7 page uses the same checks to say what is missing.
 *
 * The checks, in order, by their stable id:
 *   environment     the environment and its data dir (a warning in productie
 *                   without added UZI trust is the uzi-trust check's)
 *   pcscd           the card service (pcscd) answers
 *   readers         at least one card reader
 *   pkcs11          a PKCS#11 module shows a token with a UZI certificate
 *                   (SafeSign through p11-kit, or OpenSC)
 *   uzi-trust       the environment's UZI trust holds anchors
 *   operator-trust  the operator trust holds anchors
 *   registration    an imported registration waits to be completed
 *   service         the service address is set and its port can be opened
 *                   (or is held by this process's own service)
 *   keys            the data dir's private keys are encrypted with a secret
 *                   in the Secret Service (a warning: only file mode)
 *
 * Blocking (PC/SC, PKCS#11, files, SQLite): the window uses the _async
 * form.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <gio/gio.h>

#include "zid-card.h"
#include "zid-core.h"

G_BEGIN_DECLS

typedef enum
{
  ZID_READINESS_OK,
  ZID_READINESS_WARNING,
  ZID_READINESS_FAILED,
} ZidReadinessState;

/* The window's actions the checks point to (the window installs them) */
#define ZID_READINESS_ACTION_UZI_TRUST           "app.trust-uzi"
#define ZID_READINESS_ACTION_OPERATOR_TRUST      "app.trust-operator"
#define ZID_READINESS_ACTION_IMPORT_REGISTRATION "win.import-registration"
#define ZID_READINESS_ACTION_VALIDATE            "win.validate-organisation"
#define ZID_READINESS_ACTION_PREFERENCES         "app.preferences"

typedef struct
{
  char              *id;          /* stable, see above */
  ZidReadinessState  state;
  char              *title;       /* "Kaartdienst (pcscd)" */
  char              *description; /* what the state means, one or two sentences */
  char              *action;      /* nullable: the window's action that fixes it */
  char              *command;     /* nullable: the exact command when the window cannot */
} ZidReadinessCheck;

#define ZID_TYPE_READINESS_CHECK (zid_readiness_check_get_type ())
GType              zid_readiness_check_get_type (void) G_GNUC_CONST;
ZidReadinessCheck *zid_readiness_check_copy     (const ZidReadinessCheck *check);
void               zid_readiness_check_free     (ZidReadinessCheck       *check);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidReadinessCheck, zid_readiness_check_free)

const char        *zid_readiness_state_to_string (ZidReadinessState state); /* "ok", "warning", "failed" */

typedef enum
{
  ZID_READINESS_NONE        = 0,
  ZID_READINESS_OWN_SERVICE = 1 << 0, /* this process's service holds @port: that counts as ok */
  ZID_READINESS_NO_CARD     = 1 << 1, /* skip pcscd, readers, pkcs11 (their state: warning) */
} ZidReadinessFlags;

/* Runs every check for @portal's environment and data dir. @config: the
 * card layer's configuration (modules, the trust override); @port: the
 * enrolment service's port. Returns ZidReadinessCheck, in the order
 * above. Never NULL. */
GPtrArray *zid_readiness_run        (ZidBackend            *portal,
                                     const ZidCardConfig  *config,
                                     guint16               port,
                                     ZidReadinessFlags     flags,
                                     GCancellable         *cancellable);
void       zid_readiness_run_async  (ZidBackend            *portal,
                                     const ZidCardConfig  *config,
                                     guint16               port,
                                     ZidReadinessFlags     flags,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data);
GPtrArray *zid_readiness_run_finish (ZidBackend    *portal,
                                     GAsyncResult  *result,
                                     GError       **error);

/* The check of @id in @checks, NULL if absent */
const ZidReadinessCheck *zid_readiness_find  (GPtrArray   *checks,
                                              const char  *id);
/* Did any check fail? */
gboolean   zid_readiness_any_failed (GPtrArray            *checks);

/* The one-time command that makes a UZI-capable PKCS#11 module visible
 * for this installation (the Flatpak's forwarding helper, or SafeSign
 * registered with p11-kit on the host), with what to do after it */
const char *zid_readiness_pkcs11_command (void);

G_END_DECLS
