/* zid-user.h — a user as the portal shows them
 *
 * Immutable snapshot: an operation that changes a user hands out a new one.
 */
#pragma once

#include <glib-object.h>

#include "zid-types.h"

G_BEGIN_DECLS

#define ZID_TYPE_USER (zid_user_get_type ())
G_DECLARE_FINAL_TYPE (ZidUser, zid_user, ZID, USER, GObject)

gint64            zid_user_get_id            (ZidUser *self);
const char       *zid_user_get_first_name    (ZidUser *self);
const char       *zid_user_get_last_name     (ZidUser *self);
const char       *zid_user_get_display_name  (ZidUser *self);
const char       *zid_user_get_birth_date    (ZidUser *self);
gboolean          zid_user_get_blocked       (ZidUser *self);
ZidBlockReason    zid_user_get_block_reason  (ZidUser *self);
gint64            zid_user_get_registered    (ZidUser *self);
gint64            zid_user_get_last_use      (ZidUser *self);
ZidMobileIdState  zid_user_get_mobile_id     (ZidUser *self);
const char       *zid_user_get_uzi_number    (ZidUser *self);
/* Memberships visible to the actor who asked (element type ZidMembership) */
GPtrArray        *zid_user_get_memberships   (ZidUser *self);
ZidRole           zid_user_get_role_in       (ZidUser *self,
                                              gint64   organisation_id);
/* The order of the users overview, as Dutch lists sort people: by surname
 * without its tussenvoegsel ("van Dijk" under D), then first name, accents
 * and case ignored; then id */
int               zid_user_compare           (ZidUser *a,
                                              ZidUser *b);

/* For the core only */
ZidUser          *zid_user_new               (gint64            id,
                                              const char       *first_name,
                                              const char       *last_name,
                                              const char       *birth_date,
                                              gboolean          blocked,
                                              ZidBlockReason    block_reason,
                                              gint64            registered,
                                              gint64            last_use,
                                              ZidMobileIdState  mobile_id,
                                              const char       *uzi_number);
void              zid_user_add_membership    (ZidUser          *self,
                                              ZidMembership    *membership);

/* An enrolment still open: a user whose one-time code (registration or new
 * certificate) is not used yet */
typedef struct
{
  ZidUser        *user;      /* owned; with the membership of the listed organisation */
  ZidCodePurpose  purpose;
  gint64          created;
  gint64          expires;
  gboolean        expired;   /* at the time of listing */
} ZidPendingEnrolment;

void zid_pending_enrolment_free (ZidPendingEnrolment *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZidPendingEnrolment, zid_pending_enrolment_free)

G_END_DECLS
