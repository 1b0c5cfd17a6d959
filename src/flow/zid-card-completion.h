/* zid-card-completion.h — completing an organisation registration with a
 * UZI-pas (manual §7), for the window and `zorgid-admin registration complete`
 *
 * Three steps, each blocking (command line, worker threads) or _async (a
 * GTask in a worker thread, for the window: card I/O never runs on its main
 * loop). The object keeps what a step found; the next step goes on from it.
 *
 *   read      the card's identity without a PIN, its validity, the PIN state
 *             (a blocked PIN stops here, before anything else is asked), the
 *             pending registration of the card's URA (with an expected URA:
 *             that one) and whether a mobile ID is linked to the UZI number
 *   verify    PIN, proof of possession, chain and CRL (zid_token_verify);
 *             the registration is checked again with the verified card
 *   complete  the organisation and its Administrator from the verified card
 *             (zid_backend_complete_registration)
 *
 * Every refusal of the card (not an UZI-pas, expired, PIN wrong or blocked,
 * proof of possession, chain, CRL) goes to the audit trail here, once, as
 * "registration.card.refused"; a card of another organisation than the
 * expected one as "registration.check.refused" (the core audits its own
 * checks the same way).
 *
 * The same read and verify steps register an attribute via the UZI-pas
 * (manual §8.1): made with zid_card_completion_new_for_attribute(), read
 * and verify check no registration, and add_attribute (after a verify)
 * gives the actor's own mobile ID the attribute with the verified card's
 * UZI number (zid_backend_add_uzi_attribute). Its card refusals are audited
 * as "attribute.card.refused".
 *
 * One step at a time: the object is not meant for two threads at once.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <gio/gio.h>

#include "zid-card.h"
#include "zid-core.h"

G_BEGIN_DECLS

#define ZID_TYPE_CARD_COMPLETION (zid_card_completion_get_type ())
G_DECLARE_FINAL_TYPE (ZidCardCompletion, zid_card_completion, ZID, CARD_COMPLETION, GObject)

/* The card holder as the core sees it: the one mapping of an UZI
 * certificate to a ZidCardHolder (clear it with zid_card_holder_clear) */
void               zid_card_holder_init_from_identity (ZidCardHolder       *holder,
                                                       ZidUziIdentity      *identity);

/* ura (nullable): the pending registration the caller means; a card of
 * another organisation is then refused */
ZidCardCompletion *zid_card_completion_new            (ZidBackend           *portal,
                                                       const ZidCardConfig *config,
                                                       const char          *ura);

/* §8.1: an attribute via the UZI-pas for @actor's own mobile ID, in
 * @organisation */
ZidCardCompletion *zid_card_completion_new_for_attribute (ZidBackend          *portal,
                                                          const ZidCardConfig *config,
                                                          gint64               actor,
                                                          gint64               organisation);

gboolean           zid_card_completion_read           (ZidCardCompletion   *self,
                                                       GCancellable        *cancellable,
                                                       GError             **error);
void               zid_card_completion_read_async     (ZidCardCompletion   *self,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean           zid_card_completion_read_finish    (ZidCardCompletion   *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

/* After a read. pin may be NULL only for a PIN pad. */
gboolean           zid_card_completion_verify         (ZidCardCompletion   *self,
                                                       ZidPin              *pin,
                                                       GCancellable        *cancellable,
                                                       GError             **error);
void               zid_card_completion_verify_async   (ZidCardCompletion   *self,
                                                       ZidPin              *pin,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean           zid_card_completion_verify_finish  (ZidCardCompletion   *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

/* After a verify, not for an attribute. birth_date: needed (and used) only when no mobile ID is
 * linked yet (zid_card_completion_get_existing_user () == 0) */
ZidCompletion     *zid_card_completion_complete       (ZidCardCompletion   *self,
                                                       const char          *birth_date,
                                                       GCancellable        *cancellable,
                                                       GError             **error);
void               zid_card_completion_complete_async (ZidCardCompletion   *self,
                                                       const char          *birth_date,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
ZidCompletion     *zid_card_completion_complete_finish (ZidCardCompletion  *self,
                                                        GAsyncResult       *result,
                                                        GError            **error);

/* After a verify, for an attribute: its id, 0 on error */
gint64             zid_card_completion_add_attribute  (ZidCardCompletion   *self,
                                                       GCancellable        *cancellable,
                                                       GError             **error);
void               zid_card_completion_add_attribute_async (ZidCardCompletion   *self,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
gint64             zid_card_completion_add_attribute_finish (ZidCardCompletion  *self,
                                                             GAsyncResult       *result,
                                                             GError            **error);

/* What the steps found (NULL / 0 before) */
/* The card's identity: the verified one after verify */
ZidUziIdentity        *zid_card_completion_get_identity       (ZidCardCompletion *self);
gboolean               zid_card_completion_get_verified       (ZidCardCompletion *self);
const ZidCardHolder   *zid_card_completion_get_holder         (ZidCardCompletion *self);
const ZidRegistration *zid_card_completion_get_registration   (ZidCardCompletion *self);
/* The user whose mobile ID is linked to the card's UZI number, 0 if none */
gint64                 zid_card_completion_get_existing_user  (ZidCardCompletion *self);
/* As the card said at the read and after the last PIN try, also a refused
 * one (so a wrong PIN is retyped with the tries left in view) */
ZidPinState            zid_card_completion_get_pin_state      (ZidCardCompletion *self);
/* As far as the card says, -1 when unknown */
int                    zid_card_completion_get_pin_tries_left (ZidCardCompletion *self);

G_END_DECLS
