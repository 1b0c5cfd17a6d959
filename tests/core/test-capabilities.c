/* test-capabilities.c — zid_portal_get_capabilities() and the acting
 * calls agree, rule by rule
 *
 * One state is built once (two organisations, users in every state) and
 * copied afresh for every acting call: each row of the table (an actor
 * role × a target state) reads the capabilities, then tries every action
 * for real, and the two must agree on allowed or refused, on the rule
 * (the error code) and on the text.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <locale.h>
#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string.h>

#include "zid-core.h"
#include "zid-test-portal.h"

#define T0     1767225600   /* 2026-01-01T00:00:00Z */
#define URA_A  "12345678"
#define URA_B  "87654321"

/* The people of the built state */
typedef enum
{
  ADMIN,              /* the only active Administrator of A */
  NEW_ADMIN,          /* Administrator of A, no mobile ID yet */
  BEHEERDER,          /* Beheerder of A */
  GEBRUIKER,          /* Gebruiker of A only, enrolled: no portal access */
  BLOCKED_BEHEERDER,  /* Beheerder of A, blocked */
  OTHER_ADMIN,        /* the only Administrator of B */
  ACTIVE,             /* Gebruiker of A with a mobile ID */
  NO_MOBILE_ID,       /* Gebruiker of A, never enrolled */
  BLOCKED,            /* Gebruiker of A, blocked */
  N_PEOPLE,
  SELF = N_PEOPLE,    /* as target: the actor */
} Person;

static const char *person_names[] = {
  "administrator", "new-administrator", "beheerder", "gebruiker", "blocked-actor",
  "other-organisation", "active", "no-mobile-id", "blocked", "oneself",
};

static char *template_dir;
static char *template_database;  /* under the PostgreSQL fixture */
static gint64 people[N_PEOPLE];
static gint64 org_a;

/* The actions tried; the first four carry expected rules in the table */
typedef enum
{
  DO_BLOCK,
  DO_UNBLOCK,
  DO_REVOKE,
  DO_NEW_CERTIFICATE,
  DO_ATTRIBUTE_AGB,
  DO_ATTRIBUTE_UZI,
  DO_ROLE_GEBRUIKER,
  DO_ROLE_BEHEERDER,
  DO_ROLE_ADMINISTRATOR,
  N_DOINGS,
} Doing;

static const char *doing_names[] = {
  "block", "unblock", "revoke", "new certificate", "attribute agb", "attribute uzi",
  "role Gebruiker", "role Beheerder", "role Administrator",
};

#define OK   -1
#define NP   ZID_ERROR_NOT_PERMITTED
#define NPA  ZID_ERROR_NO_PORTAL_ACCESS
#define AB   ZID_ERROR_ACTOR_BLOCKED
#define OA   ZID_ERROR_ONLY_ADMINISTRATOR
#define NM   ZID_ERROR_NO_MOBILE_ID
#define ALB  ZID_ERROR_ALREADY_BLOCKED
#define NB   ZID_ERROR_NOT_BLOCKED

typedef struct
{
  Person  actor;
  Person  target;
  int     expect[DO_NEW_CERTIFICATE + 1];   /* block, unblock, revoke, new certificate */
  gboolean enrolment_waits;
} Row;

static const Row rows[] = {
  { ADMIN, ACTIVE,                  { OK,  NB,  NB,  OK  }, FALSE },
  { ADMIN, NO_MOBILE_ID,            { NM,  NB,  NB,  OK  }, FALSE },
  { ADMIN, BLOCKED,                 { ALB, OK,  OK,  OK  }, TRUE },
  { ADMIN, ADMIN,                   { OA,  NB,  NB,  OK  }, FALSE },   /* the only Administrator */
  { ADMIN, NEW_ADMIN,               { NM,  NB,  NB,  OK  }, FALSE },
  { ADMIN, BEHEERDER,               { OK,  NB,  NB,  OK  }, FALSE },
  { ADMIN, SELF,                    { OA,  NB,  NB,  OK  }, FALSE },

  { NEW_ADMIN, ACTIVE,              { OK,  NB,  NB,  OK  }, FALSE },
  { NEW_ADMIN, NO_MOBILE_ID,        { NM,  NB,  NB,  OK  }, FALSE },
  { NEW_ADMIN, BLOCKED,             { ALB, OK,  OK,  OK  }, TRUE },
  { NEW_ADMIN, ADMIN,               { OA,  NB,  NB,  OK  }, FALSE },   /* the only active one */
  { NEW_ADMIN, SELF,                { NM,  NB,  NB,  OK  }, FALSE },

  { BEHEERDER, ACTIVE,              { NP,  NP,  NB,  OK  }, FALSE },   /* revoke while active */
  { BEHEERDER, NO_MOBILE_ID,        { NP,  NP,  NB,  OK  }, FALSE },
  { BEHEERDER, BLOCKED,             { NP,  NP,  OK,  OK  }, TRUE },
  { BEHEERDER, ADMIN,               { NP,  NP,  NP,  NP  }, FALSE },   /* a Beheerder on an Administrator */
  { BEHEERDER, NEW_ADMIN,           { NP,  NP,  NP,  NP  }, FALSE },
  { BEHEERDER, SELF,                { NP,  NP,  NP,  NP  }, FALSE },

  { GEBRUIKER, ACTIVE,              { NPA, NPA, NPA, NPA }, FALSE },
  { GEBRUIKER, NO_MOBILE_ID,        { NPA, NPA, NPA, NPA }, FALSE },
  { GEBRUIKER, BLOCKED,             { NPA, NPA, NPA, NPA }, FALSE },
  { GEBRUIKER, ADMIN,               { NPA, NPA, NPA, NPA }, FALSE },
  { GEBRUIKER, SELF,                { NPA, NPA, NPA, NPA }, FALSE },

  { BLOCKED_BEHEERDER, ACTIVE,      { AB,  AB,  AB,  AB  }, FALSE },
  { BLOCKED_BEHEERDER, NO_MOBILE_ID, { AB, AB,  AB,  AB  }, FALSE },
  { BLOCKED_BEHEERDER, BLOCKED,     { AB,  AB,  AB,  AB  }, FALSE },
  { BLOCKED_BEHEERDER, ADMIN,       { AB,  AB,  AB,  AB  }, FALSE },
  { BLOCKED_BEHEERDER, SELF,        { AB,  AB,  AB,  AB  }, FALSE },

  { OTHER_ADMIN, ACTIVE,            { NP,  NP,  NP,  NP  }, FALSE },
  { OTHER_ADMIN, NO_MOBILE_ID,      { NP,  NP,  NP,  NP  }, FALSE },
  { OTHER_ADMIN, BLOCKED,           { NP,  NP,  NP,  NP  }, FALSE },
  { OTHER_ADMIN, ADMIN,             { NP,  NP,  NP,  NP  }, FALSE },
  { OTHER_ADMIN, SELF,              { OA,  NB,  NB,  OK  }, FALSE },
};

/* Some of the other actions, checked against the rule as well */
static const struct
{
  Person  actor;
  Person  target;
  Doing   doing;
  int     expect;
} spots[] = {
  { ADMIN,     ACTIVE, DO_ATTRIBUTE_AGB,      OK },
  { ADMIN,     ACTIVE, DO_ATTRIBUTE_UZI,      NP },   /* §8.1: only to one's own ID */
  { ADMIN,     SELF,   DO_ATTRIBUTE_UZI,      OK },
  { ADMIN,     ACTIVE, DO_ROLE_ADMINISTRATOR, OK },
  { ADMIN,     SELF,   DO_ROLE_GEBRUIKER,     OA },   /* demoting the only Administrator */
  { BEHEERDER, ACTIVE, DO_ATTRIBUTE_AGB,      NP },
  { BEHEERDER, ACTIVE, DO_ROLE_GEBRUIKER,     OK },
  { BEHEERDER, ACTIVE, DO_ROLE_BEHEERDER,     ZID_ERROR_ROLE_NOT_ALLOWED },
  { BEHEERDER, ADMIN,  DO_ROLE_GEBRUIKER,     ZID_ERROR_ROLE_NOT_ALLOWED },
  { GEBRUIKER, ACTIVE, DO_ROLE_GEBRUIKER,     NPA },
};

/* Building the state */

static char *
make_csr (void)
{
  EVP_PKEY *key = EVP_EC_gen ("P-256");
  X509_REQ *req = X509_REQ_new ();
  BIO *bio = BIO_new (BIO_s_mem ());
  char *data;
  long len;
  char *pem;

  X509_REQ_set_version (req, 0);
  X509_REQ_set_pubkey (req, key);
  g_assert_true (X509_REQ_sign (req, key, EVP_sha256 ()) > 0);
  PEM_write_bio_X509_REQ (bio, req);
  len = BIO_get_mem_data (bio, &data);
  pem = g_strndup (data, len);
  BIO_free (bio);
  X509_REQ_free (req);
  EVP_PKEY_free (key);
  return pem;
}

static void
enrol (ZidPortal      *portal,
       ZidOneTimeCode *enrolment)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *csr = make_csr ();
  const char *code = strstr (enrolment->payload, "code=");
  g_autoptr(ZidEnrolResult) result = NULL;

  g_assert_nonnull (code);
  result = zid_portal_enrol (portal, code + 5, NULL, csr, &error);
  g_assert_no_error (error);
}

static gint64
add_person (ZidPortal *portal,
            gint64     admin,
            ZidRole    role,
            gboolean   enrolled,
            const char *first)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOneTimeCode) e = zid_portal_register_user (portal, admin, org_a, first, "Test",
                                                        "1990-05-17", &error);

  g_assert_no_error (error);
  if (role != ZID_ROLE_GEBRUIKER)
    g_assert_true (zid_portal_set_membership (portal, admin, e->user_id, org_a, role, NULL, &error));
  g_assert_no_error (error);
  if (enrolled)
    enrol (portal, e);
  return e->user_id;
}

static void
build_template (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidClock) clock = zid_clock_new_fixed (T0);
  g_autoptr(ZidOneTimeCode) a = NULL;
  g_autoptr(ZidOneTimeCode) b = NULL;
  g_autoptr(ZidOrganisation) o = NULL;
  ZidPortal *portal;

  template_dir = g_dir_make_tmp ("zid-caps-XXXXXX", &error);
  g_assert_no_error (error);
  if ((template_database = zid_test_fresh_database ()) != NULL)
    g_setenv ("ZID_DATABASE", template_database, TRUE);
  portal = zid_portal_open (template_dir, ZID_ENVIRONMENT_ACCEPTATIE, clock, &error);
  g_assert_no_error (error);

  zid_portal_add_registration (portal, URA_A, "Zorggroep Noord", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  a = zid_portal_bootstrap (portal, URA_A, "Anna", "Admin", "1980-02-29", &error);
  g_assert_no_error (error);
  enrol (portal, a);
  people[ADMIN] = a->user_id;
  o = zid_portal_find_organisation (portal, URA_A, &error);
  g_assert_no_error (error);
  org_a = o->id;

  zid_portal_add_registration (portal, URA_B, "Thuiszorg Zuid", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  b = zid_portal_bootstrap (portal, URA_B, "Bram", "Bakker", "1975-03-03", &error);
  g_assert_no_error (error);
  enrol (portal, b);
  people[OTHER_ADMIN] = b->user_id;

  people[NEW_ADMIN] = add_person (portal, people[ADMIN], ZID_ROLE_ADMINISTRATOR, FALSE, "Nieuw");
  people[BEHEERDER] = add_person (portal, people[ADMIN], ZID_ROLE_BEHEERDER, TRUE, "Bea");
  people[GEBRUIKER] = add_person (portal, people[ADMIN], ZID_ROLE_GEBRUIKER, TRUE, "Gijs");
  people[BLOCKED_BEHEERDER] = add_person (portal, people[ADMIN], ZID_ROLE_BEHEERDER, TRUE, "Bert");
  people[ACTIVE] = add_person (portal, people[ADMIN], ZID_ROLE_GEBRUIKER, TRUE, "Anton");
  people[NO_MOBILE_ID] = add_person (portal, people[ADMIN], ZID_ROLE_GEBRUIKER, FALSE, "Nina");
  people[BLOCKED] = add_person (portal, people[ADMIN], ZID_ROLE_GEBRUIKER, TRUE, "Bas");
  g_assert_true (zid_portal_block_user (portal, people[ADMIN], people[BLOCKED],
                                        ZID_BLOCK_REASON_LOST_SMARTPHONE, &error));
  g_assert_no_error (error);
  g_assert_true (zid_portal_block_user (portal, people[ADMIN], people[BLOCKED_BEHEERDER],
                                        ZID_BLOCK_REASON_BREACH_OF_TRUST, &error));
  g_assert_no_error (error);

  g_assert_finalize_object (portal);
}

static void
run (const char * const *argv)
{
  int status = 0;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* A fresh copy of the built state */
static ZidPortal *
fresh_portal (char **dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidClock) clock = zid_clock_new_fixed (T0 + 60);
  g_autofree char *copy = NULL;
  ZidPortal *portal;

  *dir = g_dir_make_tmp ("zid-caps-XXXXXX", &error);
  g_assert_no_error (error);
  copy = g_build_filename (*dir, "data", NULL);
  run ((const char * const[]) { "cp", "-a", template_dir, copy, NULL });
  if (template_database != NULL)
    {
      g_autofree char *database = zid_test_copy_database (template_database);

      g_setenv ("ZID_DATABASE", database, TRUE);
    }
  portal = zid_portal_open (copy, ZID_ENVIRONMENT_ACCEPTATIE, clock, &error);
  g_assert_no_error (error);
  return portal;
}

static void
drop_portal (ZidPortal *portal,
             char      *dir)
{
  g_assert_finalize_object (portal);
  run ((const char * const[]) { "rm", "-rf", dir, NULL });
  g_free (dir);
}

/* The capability's answer for @doing, and the acting call's */

static gboolean
capability (ZidCapabilities  *caps,
            Doing             doing,
            gint64            organisation,
            const GError    **refusal)
{
  switch (doing)
    {
    case DO_BLOCK:              return zid_capabilities_allows (caps, ZID_ACTION_BLOCK, refusal);
    case DO_UNBLOCK:            return zid_capabilities_allows (caps, ZID_ACTION_UNBLOCK, refusal);
    case DO_REVOKE:             return zid_capabilities_allows (caps, ZID_ACTION_REVOKE_CERTIFICATE, refusal);
    case DO_NEW_CERTIFICATE:    return zid_capabilities_allows (caps, ZID_ACTION_NEW_CERTIFICATE, refusal);
    case DO_ATTRIBUTE_AGB:      return zid_capabilities_may_add_attribute (caps, organisation, ZID_ATTRIBUTE_TYPE_AGB, refusal);
    case DO_ATTRIBUTE_UZI:      return zid_capabilities_may_add_attribute (caps, organisation, ZID_ATTRIBUTE_TYPE_UZI, refusal);
    case DO_ROLE_GEBRUIKER:     return zid_capabilities_may_assign_role (caps, organisation, ZID_ROLE_GEBRUIKER, refusal);
    case DO_ROLE_BEHEERDER:     return zid_capabilities_may_assign_role (caps, organisation, ZID_ROLE_BEHEERDER, refusal);
    case DO_ROLE_ADMINISTRATOR: return zid_capabilities_may_assign_role (caps, organisation, ZID_ROLE_ADMINISTRATOR, refusal);
    case N_DOINGS:
    default:
      g_assert_not_reached ();
    }
}

/* The serial of one of the user's certificates, or NULL */
static char *
a_serial (ZidPortal *portal,
          gint64     user)
{
  g_autoptr(GPtrArray) certs = zid_portal_list_certificates (portal, people[ADMIN], user, NULL);

  if (certs != NULL && certs->len > 0)
    return g_strdup (((ZidCertificate *) g_ptr_array_index (certs, 0))->serial);
  return NULL;
}

static gboolean
act (ZidPortal  *portal,
     gint64      actor,
     gint64      user,
     Doing       doing,
     gint64      organisation,
     GError    **error)
{
  g_autoptr(ZidOneTimeCode) enrolment = NULL;
  g_autofree char *serial = NULL;
  ZidCardHolder card = { .uzi_number = (char *) "900000001", .card_type = 'Z' };

  switch (doing)
    {
    case DO_BLOCK:
      return zid_portal_block_user (portal, actor, user, ZID_BLOCK_REASON_SECURITY_INCIDENT, error);
    case DO_UNBLOCK:
      return zid_portal_unblock_user (portal, actor, user, error);
    case DO_REVOKE:
      /* a user without a certificate has none to name: any serial is
       * refused, and not by the rule on the user (checked after the
       * certificate is found) */
      serial = a_serial (portal, user);
      return zid_portal_revoke_certificate (portal, actor, user, serial ? serial : "00", error);
    case DO_NEW_CERTIFICATE:
      enrolment = zid_portal_new_certificate (portal, actor, user, error);
      return enrolment != NULL;
    case DO_ATTRIBUTE_AGB:
      return zid_portal_add_attribute (portal, actor, user, "agb", organisation, "t-1", error) > 0;
    case DO_ATTRIBUTE_UZI:
      /* to another user: refused whatever the card; to oneself: with a
       * verified card (the card flow's call) */
      if (user != actor)
        return zid_portal_add_attribute (portal, actor, user, "uzi", organisation, "t-1", error) > 0;
      return zid_portal_add_uzi_attribute (portal, actor, organisation, &card, error) > 0;
    case DO_ROLE_GEBRUIKER:
      return zid_portal_set_membership (portal, actor, user, organisation, ZID_ROLE_GEBRUIKER, NULL, error);
    case DO_ROLE_BEHEERDER:
      return zid_portal_set_membership (portal, actor, user, organisation, ZID_ROLE_BEHEERDER, NULL, error);
    case DO_ROLE_ADMINISTRATOR:
      return zid_portal_set_membership (portal, actor, user, organisation, ZID_ROLE_ADMINISTRATOR, NULL, error);
    case N_DOINGS:
    default:
      g_assert_not_reached ();
    }
}

static int
expected (const Row *row,
          Doing      doing,
          gboolean  *known)
{
  *known = TRUE;
  if (doing <= DO_NEW_CERTIFICATE)
    return row->expect[doing];
  for (guint i = 0; i < G_N_ELEMENTS (spots); i++)
    if (spots[i].actor == row->actor && spots[i].target == row->target && spots[i].doing == doing)
      return spots[i].expect;
  *known = FALSE;
  return OK;
}

static void
test_row (gconstpointer data)
{
  const Row *row = data;
  gint64 actor = people[row->actor];
  gint64 user = row->target == SELF ? actor : people[row->target];

  for (Doing doing = 0; doing < N_DOINGS; doing++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ZidCapabilities) caps = NULL;
      const GError *refusal = NULL;
      char *dir = NULL;
      ZidPortal *portal = fresh_portal (&dir);
      gint64 organisation = org_a;
      gboolean allowed, acted, known;
      int rule = expected (row, doing, &known);

      caps = zid_portal_get_capabilities (portal, actor, user, &error);
      g_assert_no_error (error);
      g_assert_nonnull (caps);
      /* the organisation of the question: the actor's first, else A */
      if (zid_capabilities_get_n_organisations (caps) > 0)
        organisation = zid_capabilities_get_organisation (caps, 0);
      if (doing == DO_NEW_CERTIFICATE)
        g_assert_cmpint (zid_capabilities_get_enrolment_waits (caps), ==, row->enrolment_waits);

      allowed = capability (caps, doing, organisation, &refusal);
      acted = act (portal, actor, user, doing, organisation, &error);

      g_test_message ("%s: capabilities %s (%s), the call %s (%s)", doing_names[doing],
                      allowed ? "allow" : "refuse", refusal ? refusal->message : "",
                      acted ? "did it" : "refused", error ? error->message : "");
      g_assert_cmpint (allowed, ==, acted);
      g_assert_true (allowed == (refusal == NULL));
      if (!acted && doing == DO_REVOKE && g_error_matches (error, ZID_ERROR, ZID_ERROR_NOT_FOUND))
        {
          /* no certificate to name: refused either way; the capability's
           * rule is checked below */
          g_autofree char *serial = a_serial (portal, user);

          g_assert_null (serial);
        }
      else if (!acted)
        {
          g_assert_nonnull (error);
          g_assert_cmpint (refusal->domain, ==, error->domain);
          g_assert_cmpstr (zid_error_code_name (refusal->code), ==, zid_error_code_name (error->code));
          g_assert_cmpstr (refusal->message, ==, error->message);
        }
      if (known)
        g_assert_cmpint (allowed ? OK : refusal->code, ==, rule);

      g_clear_pointer (&caps, zid_capabilities_unref);
      drop_portal (portal, dir);
    }
}

/* zid_portal_check_action agrees with the capabilities too: the user page
 * asks it for the §8.2 notes */
static void
test_check_action_agrees (void)
{
  static const ZidAction actions[] = {
    ZID_ACTION_BLOCK, ZID_ACTION_UNBLOCK, ZID_ACTION_REVOKE_CERTIFICATE, ZID_ACTION_NEW_CERTIFICATE,
  };
  char *dir = NULL;
  ZidPortal *portal = fresh_portal (&dir);

  for (guint r = 0; r < G_N_ELEMENTS (rows); r++)
    {
      gint64 actor = people[rows[r].actor];
      gint64 user = rows[r].target == SELF ? actor : people[rows[r].target];
      g_autoptr(ZidCapabilities) caps = zid_portal_get_capabilities (portal, actor, user, NULL);

      g_assert_nonnull (caps);
      for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
        {
          g_autoptr(GError) error = NULL;
          const GError *refusal = NULL;
          gboolean allowed = zid_capabilities_allows (caps, actions[i], &refusal);

          g_assert_cmpint (zid_portal_check_action (portal, actor, actions[i], user, 0, &error), ==, allowed);
          if (!allowed)
            g_assert_error (error, ZID_ERROR, refusal->code);
        }
    }
  drop_portal (portal, dir);
}

/* No such user: the same answer as for a user of an organisation the
 * actor does not manage (refusals do not tell which ids exist), from the
 * capabilities and from every acting call alike */
static void
test_unknown_user (void)
{
  static const ZidAction actions[] = {
    ZID_ACTION_VIEW_USERS, ZID_ACTION_SET_MEMBERSHIP, ZID_ACTION_ADD_ATTRIBUTE, ZID_ACTION_BLOCK,
    ZID_ACTION_UNBLOCK, ZID_ACTION_REVOKE_CERTIFICATE, ZID_ACTION_NEW_CERTIFICATE,
  };
  char *dir = NULL;
  ZidPortal *portal = fresh_portal (&dir);
  const gint64 users[] = { people[OTHER_ADMIN], 999999 };
  g_autofree char *answers[2] = { NULL, NULL };

  for (guint u = 0; u < G_N_ELEMENTS (users); u++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ZidCapabilities) caps = zid_portal_get_capabilities (portal, people[ADMIN], users[u], &error);
      g_autoptr(GString) answer = g_string_new (NULL);

      g_assert_no_error (error);
      for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
        {
          const GError *refusal = NULL;
          g_autoptr(GError) acted = NULL;

          g_assert_false (zid_capabilities_allows (caps, actions[i], &refusal));
          g_string_append_printf (answer, "%d:%s\n", refusal->code, refusal->message);
          g_assert_false (zid_portal_check_action (portal, people[ADMIN], actions[i], users[u],
                                                   actions[i] == ZID_ACTION_SET_MEMBERSHIP ||
                                                   actions[i] == ZID_ACTION_ADD_ATTRIBUTE
                                                     ? org_a : 0, &acted));
          g_string_append_printf (answer, "%d:%s\n", acted->code, acted->message);
        }
      {
        g_autoptr(GError) acted = NULL;

        g_assert_false (zid_portal_block_user (portal, people[ADMIN], users[u],
                                               ZID_BLOCK_REASON_LOST_SMARTPHONE, &acted));
        g_string_append_printf (answer, "%d:%s\n", acted->code, acted->message);
        g_clear_error (&acted);
        g_assert_null (zid_portal_list_certificates (portal, people[ADMIN], users[u], &acted));
        g_string_append_printf (answer, "%d:%s\n", acted->code, acted->message);
      }
      answers[u] = g_string_free (g_steal_pointer (&answer), FALSE);
    }
  g_test_message ("%s", answers[1]);
  g_assert_cmpstr (answers[0], ==, answers[1]);
  g_assert_null (strstr (answers[1], "bestaat niet"));
  drop_portal (portal, dir);
}

/* "last-beheerder-of-organisation": the rules allow leaving an
 * organisation without a Beheerder (its Administrator stays), so the
 * capabilities warn and the acting calls go ahead */
static void
test_last_beheerder (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = NULL;
  ZidPortal *portal = fresh_portal (&dir);
  g_autoptr(ZidCapabilities) last = NULL;
  g_autoptr(ZidCapabilities) blocked = NULL;
  g_autoptr(ZidCapabilities) gebruiker = NULL;
  g_autoptr(ZidCapabilities) one_of_two = NULL;
  g_autoptr(ZidCapabilities) demoted = NULL;

  /* the only active Beheerder of A (the other one is blocked) */
  last = zid_portal_get_capabilities (portal, people[ADMIN], people[BEHEERDER], &error);
  g_assert_no_error (error);
  g_assert_cmpstr (zid_capabilities_get_last_beheerder_of (last, org_a), ==, "Zorggroep Noord");
  g_assert_cmpstr (zid_capabilities_get_last_beheerder_of (last, 0), ==, "Zorggroep Noord");
  g_assert_null (zid_capabilities_get_last_beheerder_of (last, org_a + 1000));
  g_assert_true (zid_capabilities_may_assign_role (last, org_a, ZID_ROLE_GEBRUIKER, NULL));
  g_assert_true (zid_capabilities_allows (last, ZID_ACTION_BLOCK, NULL));

  blocked = zid_portal_get_capabilities (portal, people[ADMIN], people[BLOCKED_BEHEERDER], &error);
  g_assert_no_error (error);
  g_assert_null (zid_capabilities_get_last_beheerder_of (blocked, 0));
  gebruiker = zid_portal_get_capabilities (portal, people[ADMIN], people[ACTIVE], &error);
  g_assert_no_error (error);
  g_assert_null (zid_capabilities_get_last_beheerder_of (gebruiker, org_a));

  /* with a second active Beheerder neither is the last */
  g_assert_true (zid_portal_set_membership (portal, people[ADMIN], people[ACTIVE], org_a,
                                            ZID_ROLE_BEHEERDER, NULL, &error));
  g_assert_no_error (error);
  one_of_two = zid_portal_get_capabilities (portal, people[ADMIN], people[BEHEERDER], &error);
  g_assert_no_error (error);
  g_assert_null (zid_capabilities_get_last_beheerder_of (one_of_two, org_a));

  /* back to one: the warned change is carried out */
  g_assert_true (zid_portal_set_membership (portal, people[ADMIN], people[ACTIVE], org_a,
                                            ZID_ROLE_GEBRUIKER, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (zid_portal_set_membership (portal, people[ADMIN], people[BEHEERDER], org_a,
                                            ZID_ROLE_GEBRUIKER, NULL, &error));
  g_assert_no_error (error);
  demoted = zid_portal_get_capabilities (portal, people[ADMIN], people[BEHEERDER], &error);
  g_assert_no_error (error);
  g_assert_null (zid_capabilities_get_last_beheerder_of (demoted, 0));
  drop_portal (portal, dir);
}

/* The tables of the enumerations */
static void
test_enum_tables (void)
{
  g_autofree char *reasons = zid_block_reason_dup_cli_names ();
  g_autofree char *types = zid_attribute_type_dup_names ();
  ZidBlockReason reason = ZID_BLOCK_REASON_NONE;
  ZidAttributeType type = ZID_ATTRIBUTE_TYPE_UZI;

  guint n = zid_block_reason_get_n_values ();
  g_autofree char *last = NULL;

  /* the manual's five (§8.2) first, in their stored order; more may follow */
  g_assert_cmpuint (n, >=, 5);
  g_assert_true (g_str_has_prefix (reasons, "security-incident, lost-smartphone, compromised-credentials, "
                                            "breach-of-trust"));
  last = g_strconcat (" of ", zid_block_reason_nth (n - 1)->name, NULL);
  g_assert_true (g_str_has_suffix (reasons, last));
  g_assert_cmpint (zid_block_reason_nth (4)->value, ==, ZID_BLOCK_REASON_SUSPICIOUS_ACTIVITY);
  g_assert_cmpstr (types, ==, "uzi, agb, big of taak");
  for (guint i = 0; i < zid_block_reason_get_n_values (); i++)
    {
      const ZidEnumInfo *info = zid_block_reason_nth (i);

      g_assert_true (zid_block_reason_from_cli_name (info->name, &reason));
      g_assert_cmpint (reason, ==, info->value);
      g_assert_cmpstr (zid_block_reason_to_string (reason), ==, info->name);
      g_assert_nonnull (zid_block_reason_get_label (reason));
    }
  g_assert_null (zid_block_reason_nth (n));
  g_assert_false (zid_block_reason_is_valid (ZID_BLOCK_REASON_NONE));
  g_assert_cmpstr (zid_block_reason_to_string (ZID_BLOCK_REASON_NONE), ==, "");
  g_assert_false (zid_block_reason_from_cli_name ("stolen", &reason));

  g_assert_true (zid_attribute_type_from_name ("taak", &type));
  g_assert_cmpint (type, ==, ZID_ATTRIBUTE_TYPE_TAAK);
  g_assert_cmpstr (zid_attribute_type_get_name (ZID_ATTRIBUTE_TYPE_BIG), ==, "big");
  g_assert_false (zid_attribute_type_from_name ("UZI", &type));
  g_assert_null (zid_attribute_type_nth (zid_attribute_type_get_n_values ()));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* messages in the language of the environment (LANGUAGE=nl) */
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  build_template ();

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/capabilities/%s/%s", person_names[rows[i].actor],
                                               person_names[rows[i].target]);

      g_test_add_data_func (path, &rows[i], test_row);
    }
  g_test_add_func ("/capabilities/check-action-agrees", test_check_action_agrees);
  g_test_add_func ("/capabilities/unknown-user", test_unknown_user);
  g_test_add_func ("/capabilities/last-beheerder", test_last_beheerder);
  g_test_add_func ("/types/enum-tables", test_enum_tables);

  status = g_test_run ();
  run ((const char * const[]) { "rm", "-rf", template_dir, NULL });
  g_free (template_database);
  g_free (template_dir);
  return status;
}
