/* zid-portal-audit.c — the audit trail as CSV, for the window and the
 * command line alike
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "zid-csv.h"
#include "zid-db.h"
#include "zid-portal-private.h"
#include "zid-search.h"
#include "zid-user.h"

#define EXPORT_PAGE 1000

gboolean
zid_portal_export_audit_csv (ZidPortal             *self,
                             const ZidAuditFilter  *filter,
                             char                   separator,
                             GOutputStream         *out,
                             GCancellable          *cancellable,
                             guint64               *n_events,
                             GError               **error)
{
  g_autoptr(ZidCsv) csv = NULL;
  gint64 before = 0;
  guint64 n = 0;

  g_return_val_if_fail (ZID_IS_PORTAL (self), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (separator == ZID_CSV_SEMICOLON || separator == ZID_CSV_COMMA, FALSE);

  csv = zid_csv_new (separator);
  /* Translators: the column headers of the audit trail's CSV export */
  zid_csv_add_row (csv, _("Number"), _("Time"), _("Actor"), _("Action"), _("Subject"),
                   _("Details"), _("Hash"), NULL);
  for (;;)
    {
      g_autoptr(GPtrArray) page = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      page = zid_portal_list_audit_page (self, filter, before, EXPORT_PAGE, error);
      if (page == NULL)
        return FALSE;
      for (guint i = 0; i < page->len; i++)
        {
          ZidAuditEvent *e = g_ptr_array_index (page, i);

          zid_csv_add_int (csv, e->id);
          zid_csv_add_time (csv, e->time);
          zid_csv_add (csv, e->actor);
          zid_csv_add (csv, e->action);
          zid_csv_add (csv, e->subject);
          zid_csv_add (csv, e->details);
          zid_csv_add (csv, e->hash);
          zid_csv_end_row (csv);
          before = e->id;
        }
      n += page->len;
      if (!zid_csv_flush (csv, out, cancellable, error))
        return FALSE;
      if (page->len < EXPORT_PAGE)
        break;
    }
  if (n_events != NULL)
    *n_events = n;
  return TRUE;
}

/* The operator sees every user: the users table read through, each
 * matched as the list's search matches a member */
static GPtrArray *
find_any_user (ZidPortal             *self,
               const ZidSearchQuery  *query,
               guint                  limit,
               GError               **error)
{
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func (g_object_unref);
  ZidDbStmt *stmt;
  ZidDbStep step = ZID_DB_DONE;

  if (!zid_store_begin (self->store, FALSE, error))
    return NULL;
  stmt = zid_db_query (self->store, error,
                       "SELECT id, first_name, last_name, birth_date FROM users ORDER BY id", "");
  while ((limit == 0 || users->len < limit) &&
         (step = zid_db_step (stmt, error)) == ZID_DB_ROW)
    {
      const char *first = zid_db_column_text (stmt, 1);
      const char *last = zid_db_column_text (stmt, 2);
      const char *born = zid_db_column_text (stmt, 3);
      g_autofree char *keys = zid_search_member_keys (first, last, born);

      if (zid_search_query_matches (query, keys))
        g_ptr_array_add (users, zid_user_new (zid_db_column_int64 (stmt, 0), first, last, born,
                                              FALSE, ZID_BLOCK_REASON_NONE, 0, 0,
                                              ZID_MOBILE_ID_NONE, NULL));
    }
  zid_db_reset (stmt);
  zid_store_commit (self->store, NULL);
  if (step == ZID_DB_ERROR)
    return NULL;
  return g_steal_pointer (&users);
}

GPtrArray *
zid_portal_find_audit_users (ZidPortal   *self,
                             gint64       actor,
                             const char  *name,
                             guint        limit,
                             GError     **error)
{
  g_autoptr(ZidSearchQuery) query = zid_search_query_new (name);
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *whole = NULL;
  GPtrArray *named;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);

  if (query == NULL)
    return g_ptr_array_new_with_free_func (g_object_unref);
  found = actor != 0 ? zid_portal_search_users (self, actor, 0, name, limit, NULL, error)
                     : find_any_user (self, query, limit, error);
  if (found == NULL || query->birth_date)
    return g_steal_pointer (&found);

  /* a whole name ("Jan Jansen") picks its owners out of the names that
   * start so ("Jan Jansen-de Vries") */
  whole = zid_name_key (name);
  named = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < found->len; i++)
    {
      ZidUser *user = g_ptr_array_index (found, i);
      g_autofree char *full = g_strdup_printf ("%s %s", zid_user_get_first_name (user),
                                               zid_user_get_last_name (user));
      g_autofree char *key = zid_name_key (full);

      if (g_str_equal (key, whole))
        g_ptr_array_add (named, g_object_ref (user));
    }
  if (named->len > 0)
    return named;
  g_ptr_array_unref (named);
  return g_steal_pointer (&found);
}

/* The readable form of the trail */

void
zid_audit_reading_free (ZidAuditReading *self)
{
  if (self == NULL)
    return;
  g_free (self->actor);
  g_free (self->action);
  g_free (self->subject);
  g_free (self->details);
  g_free (self);
}

/* One label per action the core writes; "ACTION.refused" reads as the
 * action's label refused */
static const struct { const char *action; const char *label; } action_labels[] = {
  { "user.register", N_("User registered") },
  { "user.import", N_("Users imported") },
  { "user.block", N_("Blocked") },
  { "user.unblock", N_("Unblocked") },
  { "membership.set", N_("Role changed") },
  { "attribute.add", N_("Attribute added") },
  { "certificate.new", N_("Certificate issued") },
  { "certificate.revoke", N_("Certificate revoked") },
  { "mobile.enrol", N_("Mobile ID installed") },
  { "enrolment.preview", N_("Enrolment code checked") },
  { "login", N_("Logged in") },
  { "login.begin", N_("Login started") },
  { "login.accepted", N_("Login accepted") },
  { "registration.add", N_("Organisation registration added") },
  { "registration.check", N_("Organisation registration checked") },
  { "registration.complete", N_("Organisation registration completed") },
  { "registration.import", N_("Organisation registrations imported") },
  { "organisation.bootstrap", N_("Organisation set up") },
  { "trust.add", N_("Trusted certificate added") },
  { "trust.remove", N_("Trusted certificate removed") },
  { "keys.protected", N_("Keys protected") },
  { "store.sealed", N_("Store sealed") },
  { "store.backup", N_("Backup made") },
  { "store.restore", N_("Restored from a backup") },
  { "config.service-address", N_("Enrolment service address changed") },
};

char *
zid_audit_action_describe (const char *action)
{
  g_autofree char *base = NULL;

  if (action == NULL)
    return g_strdup ("");
  if (g_str_has_suffix (action, ".refused"))
    base = g_strndup (action, strlen (action) - strlen (".refused"));
  for (guint i = 0; i < G_N_ELEMENTS (action_labels); i++)
    if (g_str_equal (action_labels[i].action, base ? base : action))
      /* Translators: an action of the audit trail that a rule refused */
      return base ? g_strdup_printf (_("Refused: %s"), _(action_labels[i].label))
                  : g_strdup (_(action_labels[i].label));
  return g_strdup (action);
}

/* An organisation's URA register number: eight digits */
static gboolean
is_ura (const char *text)
{
  guint n = 0;

  while (g_ascii_isdigit (text[n]))
    n++;
  return n == 8 && text[n] == '\0';
}

/* "user:N" to a name, when the actor may see that user */
static char *
describe_party (const char  *party,
                GHashTable  *names)
{
  const char *name;

  if (party == NULL || *party == '\0')
    return g_strdup ("");
  if ((name = g_hash_table_lookup (names, party)) != NULL)
    return g_strdup (name);
  if (g_str_equal (party, "phone") || g_str_has_prefix (party, "phone@"))
    return g_strdup (_("the phone"));
  if (g_str_equal (party, "operator") || g_str_equal (party, "local") ||
      g_str_equal (party, "portal"))
    return g_strdup (_("the system"));
  if (g_str_has_prefix (party, "card:"))
    /* Translators: the holder of the UZI card with this number */
    return g_strdup_printf (_("UZI card %s"), party + 5);
  return g_strdup (party);
}

/* "key=value ..." in words where the key is known; NULL when one is not */
static char *
describe_details (const char  *details,
                  const char  *action,
                  GHashTable  *names)
{
  g_auto(GStrv) words = NULL;
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (details == NULL || *details == '\0')
    return g_strdup ("");
  /* a block's details are its reason alone */
  if (g_strcmp0 (action, "user.block") == 0)
    {
      ZidBlockReason reason;

      if (zid_block_reason_from_cli_name (details, &reason))
        return g_strdup_printf (_("Reason: %s"), zid_block_reason_get_label (reason));
      return NULL;
    }
  words = g_strsplit (details, " ", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *eq = strchr (words[i], '=');
      g_autofree char *key = NULL;
      const char *value;

      if (eq == NULL)
        return NULL;
      key = g_strndup (words[i], eq - words[i]);
      value = eq + 1;
      if (g_str_equal (key, "organisation"))
        {
          g_autofree char *lookup = is_ura (value) ? g_strdup (value)
                                                   : g_strconcat ("organisation:", value, NULL);
          const char *name = g_hash_table_lookup (names, lookup);

          g_ptr_array_add (parts, g_strdup_printf (_("Organisation: %s"), name ? name : value));
        }
      else if (g_str_equal (key, "administrator"))
        {
          const char *name = g_hash_table_lookup (names, value);

          g_ptr_array_add (parts, g_strdup_printf (_("Administrator: %s"), name ? name : value));
        }
      else if (g_str_equal (key, "role"))
        g_ptr_array_add (parts, g_strdup_printf (_("Role: %s"), value));
      else if (g_str_equal (key, "reason"))
        {
          ZidBlockReason reason;

          g_ptr_array_add (parts, g_strdup_printf (_("Reason: %s"),
                                                   zid_block_reason_from_cli_name (value, &reason)
                                                   ? zid_block_reason_get_label (reason) : value));
        }
      else if (g_str_equal (key, "serial"))
        g_ptr_array_add (parts, g_strdup_printf (_("Certificate %s"), value));
      else if (g_str_equal (key, "import"))
        /* Translators: the row of an import file, "line-6" */
        g_ptr_array_add (parts, g_strdup_printf (_("Import row %s"),
                                                 g_str_has_prefix (value, "line-") ? value + 5 : value));
      else
        return NULL;
    }
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (", ", (char **) parts->pdata);
}

/* The names the events call for, in one read: users the actor manages
 * (every user for the operator, @actor 0) and organisations, as
 * "user:N" and "organisation:N" to the name */
static gboolean
audit_names (ZidPortal   *self,
             gint64       actor,
             GPtrArray   *events,
             GHashTable  *names,
             GError     **error)
{
  g_autoptr(GHashTable) wanted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer key;
  gboolean ok = TRUE;

  for (guint i = 0; i < events->len; i++)
    {
      const ZidAuditEvent *e = g_ptr_array_index (events, i);
      const char *org;

      if (e->actor != NULL && g_str_has_prefix (e->actor, "user:"))
        g_hash_table_add (wanted, g_strdup (e->actor));
      if (e->subject != NULL && (g_str_has_prefix (e->subject, "user:") || is_ura (e->subject)))
        g_hash_table_add (wanted, g_strdup (e->subject));
      if (e->details != NULL && (org = strstr (e->details, "administrator=user:")) != NULL)
        g_hash_table_add (wanted, g_strndup (org + 14, strcspn (org + 14, " ")));
      if (e->details != NULL && (org = strstr (e->details, "organisation=")) != NULL &&
          g_ascii_isdigit (org[13]))
        {
          g_autofree char *value = g_strndup (org + 13, strcspn (org + 13, " "));

          g_hash_table_add (wanted, is_ura (value) ? g_steal_pointer (&value)
                                    : g_strdup_printf ("organisation:%" G_GINT64_FORMAT,
                                                       g_ascii_strtoll (value, NULL, 10)));
        }
    }
  if (g_hash_table_size (wanted) == 0)
    return TRUE;
  if (!zid_store_begin (self->store, FALSE, error))
    return FALSE;
  g_hash_table_iter_init (&iter, wanted);
  while (ok && g_hash_table_iter_next (&iter, &key, NULL))
    {
      gboolean user = g_str_has_prefix (key, "user:");
      gint64 id = is_ura (key) ? 0 : g_ascii_strtoll (strchr (key, ':') + 1, NULL, 10);
      ZidDbStmt *stmt;
      ZidDbStep step;

      if (is_ura (key))
        stmt = zid_db_query (self->store, error,
                             "SELECT name FROM organisations WHERE ura = ?1", "t", (const char *) key);
      else if (user)
        stmt = zid_db_query (self->store, error,
                             "SELECT first_name || ' ' || last_name FROM users u WHERE id = ?1"
                             " AND (?2 = 0 OR id = ?2 OR EXISTS (SELECT 1 FROM memberships a"
                             "   JOIN memberships t ON t.organisation_id = a.organisation_id"
                             "   WHERE a.user_id = ?2 AND a.role >= 2 AND t.user_id = u.id))",
                             "ii", id, actor);
      else
        stmt = zid_db_query (self->store, error,
                             "SELECT name FROM organisations WHERE id = ?1", "i", id);
      step = zid_db_step (stmt, error);
      if (step == ZID_DB_ROW)
        g_hash_table_insert (names, g_strdup (key), zid_db_column_dup (stmt, 0));
      ok = step != ZID_DB_ERROR;
      zid_db_reset (stmt);
    }
  zid_store_commit (self->store, NULL);
  return ok;
}

GPtrArray *
zid_portal_describe_audit (ZidPortal   *self,
                           gint64       actor,
                           GPtrArray   *events,
                           GError     **error)
{
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GPtrArray *readings;

  g_return_val_if_fail (ZID_IS_PORTAL (self), NULL);
  g_return_val_if_fail (events != NULL, NULL);

  if (!audit_names (self, actor, events, names, error))
    return NULL;
  readings = g_ptr_array_new_full (events->len, (GDestroyNotify) zid_audit_reading_free);
  for (guint i = 0; i < events->len; i++)
    {
      const ZidAuditEvent *e = g_ptr_array_index (events, i);
      ZidAuditReading *r = g_new0 (ZidAuditReading, 1);

      r->actor = describe_party (e->actor, names);
      r->action = zid_audit_action_describe (e->action);
      r->subject = describe_party (e->subject, names);
      r->details = describe_details (e->details, e->action, names);
      if (r->details == NULL)
        r->details = g_strdup (e->details);
      g_ptr_array_add (readings, r);
    }
  return readings;
}
