/* zid-user.c
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include "zid-user.h"

#include <string.h>

#include "zid-search.h"

struct _ZidUser
{
  GObject           parent_instance;

  gint64            id;
  char             *first_name;
  char             *last_name;
  char             *display_name;
  char             *sort_key;      /* see make_sort_key () */
  char             *birth_date;
  char             *uzi_number;
  gboolean          blocked;
  ZidBlockReason    block_reason;
  gint64            registered;
  gint64            last_use;
  ZidMobileIdState  mobile_id;
  GPtrArray        *memberships;
};

G_DEFINE_FINAL_TYPE (ZidUser, zid_user, G_TYPE_OBJECT)

static char *make_sort_key (const char *first_name,
                            const char *last_name);

enum {
  PROP_0,
  PROP_ID,
  PROP_FIRST_NAME,
  PROP_LAST_NAME,
  PROP_DISPLAY_NAME,
  PROP_BIRTH_DATE,
  PROP_BLOCKED,
  PROP_LAST_USE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
zid_user_finalize (GObject *object)
{
  ZidUser *self = ZID_USER (object);

  g_free (self->first_name);
  g_free (self->last_name);
  g_free (self->display_name);
  g_free (self->sort_key);
  g_free (self->birth_date);
  g_free (self->uzi_number);
  g_ptr_array_unref (self->memberships);

  G_OBJECT_CLASS (zid_user_parent_class)->finalize (object);
}

static void
zid_user_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  ZidUser *self = ZID_USER (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_FIRST_NAME:
      g_value_set_string (value, self->first_name);
      break;
    case PROP_LAST_NAME:
      g_value_set_string (value, self->last_name);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;
    case PROP_BIRTH_DATE:
      g_value_set_string (value, self->birth_date);
      break;
    case PROP_BLOCKED:
      g_value_set_boolean (value, self->blocked);
      break;
    case PROP_LAST_USE:
      g_value_set_int64 (value, self->last_use);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
zid_user_class_init (ZidUserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = zid_user_finalize;
  object_class->get_property = zid_user_get_property;

  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FIRST_NAME] =
    g_param_spec_string ("first-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_NAME] =
    g_param_spec_string ("last-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_BIRTH_DATE] =
    g_param_spec_string ("birth-date", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_BLOCKED] =
    g_param_spec_boolean ("blocked", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_USE] =
    g_param_spec_int64 ("last-use", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
zid_user_init (ZidUser *self)
{
  self->memberships = g_ptr_array_new_with_free_func ((GDestroyNotify) zid_membership_free);
}

ZidUser *
zid_user_new (gint64            id,
              const char       *first_name,
              const char       *last_name,
              const char       *birth_date,
              gboolean          blocked,
              ZidBlockReason    block_reason,
              gint64            registered,
              gint64            last_use,
              ZidMobileIdState  mobile_id,
              const char       *uzi_number)
{
  ZidUser *self = g_object_new (ZID_TYPE_USER, NULL);

  self->id = id;
  self->first_name = g_strdup (first_name);
  self->last_name = g_strdup (last_name);
  self->display_name = g_strconcat (first_name, " ", last_name, NULL);
  self->sort_key = make_sort_key (first_name, last_name);
  self->birth_date = g_strdup (birth_date);
  self->blocked = blocked;
  self->block_reason = block_reason;
  self->registered = registered;
  self->last_use = last_use;
  self->mobile_id = mobile_id;
  self->uzi_number = g_strdup (uzi_number);

  return self;
}

void
zid_user_add_membership (ZidUser       *self,
                         ZidMembership *membership)
{
  g_return_if_fail (ZID_IS_USER (self));
  g_ptr_array_add (self->memberships, membership);
}

gint64
zid_user_get_id (ZidUser *self)
{
  g_return_val_if_fail (ZID_IS_USER (self), 0);
  return self->id;
}

const char *
zid_user_get_first_name (ZidUser *self)
{
  g_return_val_if_fail (ZID_IS_USER (self), NULL);
  return self->first_name;
}

const char *
zid_user_get_last_name (ZidUser *self)
{
  g_return_val_if_fail (ZID_IS_USER (self), NULL);
  return self->last_name;
}

const char *
zid_user_get_display_name (ZidUser *self)
{
  g_return_val_if_fail (ZID_IS_USER (self), NULL);
  return self->display_name;
}

const char *
zid_user_get_birth_date (ZidUser *self)
{
  g_return_val_if_fail (ZID_IS_USER (self), NULL);
  return self->birth_date;
}

gboolean
zid_user_get_blocked (ZidUser *self)
{
  g_return_val_if_fail (ZID_IS_USER (self), 0);
  return self->blocked;
}
ZidBlockReason
zid_user_get_block_reason (ZidUser *self)
{
  g_return_val_if_fail (ZID_IS_USER (self), 0);
  return self->block_reason;
}
gint64
zid_user_get_registered (ZidUser *self)
{
  g_return_val_if_fail (ZID_IS_USER (self), 0);
  return self->registered;
}

gint64
zid_user_get_last_use (ZidUser *self)
{
  g_return_val_if_fail (ZID_IS_USER (self), 0);
  return self->last_use;
}

ZidMobileIdState
zid_user_get_mobile_id (ZidUser *self)
{
  g_return_val_if_fail (ZID_IS_USER (self), 0);
  return self->mobile_id;
}
const char *
zid_user_get_uzi_number (ZidUser *self)
{
  g_return_val_if_fail (ZID_IS_USER (self), NULL);
  return self->uzi_number;
}

GPtrArray *
zid_user_get_memberships (ZidUser *self)
{
  g_return_val_if_fail (ZID_IS_USER (self), NULL);
  return self->memberships;
}

ZidRole
zid_user_get_role_in (ZidUser *self,
                      gint64   organisation_id)
{
  g_return_val_if_fail (ZID_IS_USER (self), ZID_ROLE_NONE);

  for (guint i = 0; i < self->memberships->len; i++)
    {
      ZidMembership *m = g_ptr_array_index (self->memberships, i);
      if (m->organisation_id == organisation_id)
        return m->role;
    }
  return ZID_ROLE_NONE;
}

/* The words a Dutch surname may start with that the order passes over:
 * "van Dijk" is sorted under D, "de Boer" under B, "van der Berg" under B.
 * Only as typed in lower case: a capitalised "De Vries" (as Belgians write
 * it) or "El Amrani" is sorted under its first word. */
static const char * const tussenvoegsels[] = {
  "van", "de", "der", "den", "het", "'t", "te", "ten", "ter", "in", "op",
  "uit", "aan", "bij", "onder", "over", "voor", "la", "le", "du", "des", NULL,
};

static gboolean
is_tussenvoegsel (const char *word,
                  gsize       len)
{
  for (guint i = 0; tussenvoegsels[i] != NULL; i++)
    if (strlen (tussenvoegsels[i]) == len && strncmp (word, tussenvoegsels[i], len) == 0)
      return TRUE;
  return FALSE;
}

/* "dijk\1pieter\1van ": the surname from its first word that is not a
 * tussenvoegsel, the first name, then the tussenvoegsels; accents and case
 * folded (zid_name_key), so "Özdemir" sorts with the O's */
static char *
make_sort_key (const char *first_name,
               const char *last_name)
{
  const char *last = last_name ? last_name : "";
  const char *rest = last;
  g_autofree char *surname = NULL;
  g_autofree char *first = NULL;
  g_autofree char *prefix = NULL;

  for (;;)
    {
      const char *space = strchr (rest, ' ');

      if (space == NULL || !is_tussenvoegsel (rest, (gsize) (space - rest)))
        break;
      rest = space + 1;
    }
  surname = zid_name_key (rest);
  first = zid_name_key (first_name);
  prefix = g_strndup (last, (gsize) (rest - last));
  return g_strconcat (surname, "\1", first, "\1", prefix, NULL);
}

int
zid_user_compare (ZidUser *a,
                  ZidUser *b)
{
  int c = strcmp (a->sort_key, b->sort_key);

  if (c == 0)
    c = a->id < b->id ? -1 : a->id > b->id ? 1 : 0;
  return c;
}

void
zid_pending_enrolment_free (ZidPendingEnrolment *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->user);
  g_free (self);
}
