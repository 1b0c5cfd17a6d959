/* zid-pg.c — the statement API over PostgreSQL (see zid-pg.h)
 *
 * SPDX-License-Identifier: EUPL-1.2
 *
 * A statement is prepared on the server at its first run, with the types
 * of its first bindings (int8, text, bytea; a NULL lets the server infer
 * it), so that `SELECT ?` of an int64 gives an int64 back and `? IS NULL`
 * has a type. Its whole result is fetched by that run; the steps walk its
 * rows. Nothing here is shared between connections: one connection serves
 * one thread at a time (the store holds its lock from begin to commit).
 */
#define G_LOG_DOMAIN "zid-core"

#include "config.h"

#include <string.h>

#include <libpq-fe.h>

#include "zid-error.h"
#include "zid-i18n.h"
#include "zid-pg.h"
#include "zid-store-internal.h"

/* Type OIDs of pg_type.h (server headers are not installed with libpq) */
#define OID_BOOL    16
#define OID_BYTEA   17
#define OID_INT8    20
#define OID_INT2    21
#define OID_INT4    23
#define OID_TEXT    25
#define OID_FLOAT4  700
#define OID_FLOAT8  701
#define OID_NUMERIC 1700

struct _ZidPg
{
  PGconn     *conn;
  GHashTable *statements;  /* static SQL text (by pointer) -> ZidPgStmt */
  GRecMutex   lock;        /* held from zid_pg_begin() to the last commit */
  int         depth;       /* nested begins */
  int         savepoints;  /* open savepoints */
  gboolean    begin_pending;  /* a read transaction begun, its BEGIN not sent yet */
  gboolean    reading;     /* the open transaction is a read */
  gboolean    commit_pending;  /* a read's COMMIT sent, its answer not read yet */
  guint       next_name;
  gint64      changes;     /* rows changed by the last INSERT/UPDATE/DELETE */
  gint64      total_changes;  /* rows changed by every statement since connecting */
  guint       notified;
};

struct _ZidPgStmt
{
  ZidPg      *pg;
  char        name[24];
  char       *text;        /* the SQL with $n placeholders */
  int         n_params;
  gboolean    prepared;
  char      **values;      /* owned, per parameter (NULL: SQL NULL) */
  int        *lengths;
  int        *formats;
  Oid        *types;
  PGresult   *result;      /* of the run being stepped, or NULL */
  int         row;         /* the current row of result */
  GPtrArray  *blobs;       /* bytea decoded for the current row */
};

/* One error for a failed libpq call: @sqlstate decides the code */
static gboolean
set_error (GError     **error,
           const char  *sqlstate,
           const char  *message)
{
  g_autofree char *text = g_strchomp (g_strdup (message ? message : ""));

  if (g_strcmp0 (sqlstate, "40001") == 0 ||  /* serialization_failure */
      g_strcmp0 (sqlstate, "40P01") == 0 ||  /* deadlock_detected */
      g_strcmp0 (sqlstate, "55P03") == 0)    /* lock_not_available (lock_timeout) */
    g_set_error (error, ZID_ERROR, ZID_ERROR_BUSY,
                 _("The database has been busy for %d seconds with another program of the "
                   "portal; nothing was changed. Try again in a moment."),
                 ZID_STORE_BUSY_MS / 1000);
  else
    g_set_error (error, ZID_ERROR, ZID_ERROR_STORE, _("Database error: %s"), text);
  g_debug ("postgresql: %s %s", sqlstate ? sqlstate : "-", text);
  return FALSE;
}

/* The error of @result (or of the connection, without one); @result is cleared */
static gboolean
fail_result (ZidPg      *self,
             PGresult   *result,
             GError    **error)
{
  if (result == NULL)
    return set_error (error, NULL, PQerrorMessage (self->conn));
  set_error (error, PQresultErrorField (result, PG_DIAG_SQLSTATE),
             PQresultErrorField (result, PG_DIAG_MESSAGE_PRIMARY)
               ? PQresultErrorField (result, PG_DIAG_MESSAGE_PRIMARY)
               : PQerrorMessage (self->conn));
  PQclear (result);
  return FALSE;
}

static void
stmt_clear_bindings (ZidPgStmt *stmt)
{
  for (int i = 0; i < stmt->n_params; i++)
    {
      g_clear_pointer (&stmt->values[i], g_free);
      stmt->lengths[i] = 0;
      stmt->formats[i] = 0;
    }
}

static void
stmt_clear_result (ZidPgStmt *stmt)
{
  g_clear_pointer (&stmt->result, PQclear);
  g_ptr_array_set_size (stmt->blobs, 0);
  stmt->row = -1;
}

static void
stmt_free (ZidPgStmt *stmt)
{
  stmt_clear_result (stmt);
  stmt_clear_bindings (stmt);
  g_ptr_array_unref (stmt->blobs);
  g_free (stmt->values);
  g_free (stmt->lengths);
  g_free (stmt->formats);
  g_free (stmt->types);
  g_free (stmt->text);
  g_free (stmt);
}

/* The server's notices ("… already exists, skipping") are for debugging */
static void
log_notice (void       *data,
            const char *message)
{
  g_debug ("postgresql: %s", message);
}

ZidPg *
zid_pg_open (const char  *uri,
             GError     **error)
{
  g_autoptr(ZidPg) self = g_new0 (ZidPg, 1);

  g_return_val_if_fail (uri != NULL, NULL);

  g_rec_mutex_init (&self->lock);
  self->statements = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) stmt_free);
  self->conn = PQconnectdb (uri);
  if (PQstatus (self->conn) != CONNECTION_OK)
    {
      /* libpq's answer names the server, never the password */
      g_autofree char *text = g_strchomp (g_strdup (PQerrorMessage (self->conn)));

      g_set_error (error, ZID_ERROR, ZID_ERROR_STORE,
                   _("Cannot connect to the PostgreSQL database: %s"), text);
      return NULL;
    }
  PQsetNoticeProcessor (self->conn, log_notice, NULL);
  if (PQsetClientEncoding (self->conn, "UTF8") != 0 ||
      /* the planner's cost of a random page read: the store's tables and
       * indexes are small enough to stay in memory, where an index lookup
       * costs about what a sequential read does; with the default (4) a
       * search joined the whole organisation's members in a hash instead
       * of looking up the few that match, in index order */
      !zid_pg_exec (self, "SET TIME ZONE 'UTC'; SET random_page_cost = 1.1;"
                    /* no parallel workers: the store's statements are short,
                     * and starting workers for one (a whole organisation's
                     * list, on a server with few CPUs) cost more than it
                     * gained: "jan" at 1,000,000 users 450 ms, without 110 */
                    " SET max_parallel_workers_per_gather = 0;"
                    /* nor compiling a statement whose estimate runs high: it
                     * took longer than running the statement */
                    " SET jit = off", error) ||
      !zid_pg_set_busy_timeout (self, ZID_STORE_BUSY_MS, error))
    {
      if (error && *error == NULL)
        set_error (error, NULL, PQerrorMessage (self->conn));
      return NULL;
    }
  return g_steal_pointer (&self);
}

void
zid_pg_free (ZidPg *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_pointer (&self->conn, PQfinish);
  g_rec_mutex_clear (&self->lock);
  g_free (self);
}

#define BEGIN_READ "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"

/* The rest of a query's results, up to the NULL that ends them */
static void
discard_results (PGconn *conn)
{
  PGresult *result;

  while ((result = PQgetResult (conn)) != NULL)
    PQclear (result);
}

/* The answer to a read's COMMIT (zid_pg_commit()), read before the
 * connection is used again. A read has nothing to lose: a failure is
 * only noted */
static void
settle (ZidPg *self)
{
  PGresult *result;

  if (!self->commit_pending)
    return;
  self->commit_pending = FALSE;
  while ((result = PQgetResult (self->conn)) != NULL)
    {
      if (PQresultStatus (result) != PGRES_COMMAND_OK)
        g_debug ("postgresql: COMMIT of a read: %s", PQresultErrorMessage (result));
      PQclear (result);
    }
}

/* The BEGIN of a read transaction goes with its first statement (run()),
 * in one round trip; anything else sent first sends it alone */
static gboolean
flush_begin (ZidPg   *self,
             GError **error)
{
  PGresult *result;

  if (!self->begin_pending)
    return TRUE;
  self->begin_pending = FALSE;
  result = PQexec (self->conn, BEGIN_READ);
  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    return fail_result (self, result, error);
  PQclear (result);
  return TRUE;
}

gboolean
zid_pg_exec (ZidPg       *self,
             const char  *sql,
             GError     **error)
{
  PGresult *result;
  ExecStatusType status;

  settle (self);
  if (!flush_begin (self, error))
    return FALSE;
  result = PQexec (self->conn, sql);
  status = PQresultStatus (result);

  if (result == NULL || (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK))
    return fail_result (self, result, error);
  PQclear (result);
  return TRUE;
}

gboolean
zid_pg_set_busy_timeout (ZidPg   *self,
                         int      ms,
                         GError **error)
{
  char sql[64];

  g_snprintf (sql, sizeof sql, "SET lock_timeout = %d", MAX (ms, 1));
  return zid_pg_exec (self, sql, error);
}

/* @sql with the n-th `?` as `$n` and `?N` as `$N`; NULL for text that
 * mixes both */
static char *
translate (const char *sql,
           int        *n_params)
{
  GString *out = g_string_sized_new (strlen (sql) + 16);
  int bare = 0;
  int numbered = 0;

  for (const char *p = sql; *p; p++)
    {
      if (*p != '?')
        {
          g_string_append_c (out, *p);
          continue;
        }
      if (g_ascii_isdigit (p[1]))
        {
          int n = 0;

          while (g_ascii_isdigit (p[1]) && n < 10000)
            n = n * 10 + (*++p - '0');
          numbered = MAX (numbered, MAX (n, 1));
          g_string_append_printf (out, "$%d", n);
        }
      else
        g_string_append_printf (out, "$%d", ++bare);
    }
  if (bare > 0 && numbered > 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  *n_params = MAX (bare, numbered);
  return g_string_free (out, FALSE);
}

/* PQprepare with the types of the parameters bound so far */
static gboolean
server_prepare (ZidPgStmt  *stmt,
                GError    **error)
{
  PGresult *result;

  settle (stmt->pg);
  result = PQprepare (stmt->pg->conn, stmt->name, stmt->text, stmt->n_params, stmt->types);

  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    return fail_result (stmt->pg, result, error);
  PQclear (result);
  stmt->prepared = TRUE;
  return TRUE;
}

ZidPgStmt *
zid_pg_prepare (ZidPg       *self,
                const char  *sql,
                GError     **error)
{
  ZidPgStmt *stmt = g_hash_table_lookup (self->statements, sql);
  g_autofree char *text = NULL;
  int n_params = 0;

  if (stmt != NULL)
    {
      stmt_clear_result (stmt);
      stmt_clear_bindings (stmt);
      return stmt;
    }

  if ((text = translate (sql, &n_params)) == NULL)
    {
      set_error (error, NULL, "placeholders ? and ?N mixed in one statement");
      return NULL;
    }
  stmt = g_new0 (ZidPgStmt, 1);
  stmt->pg = self;
  g_snprintf (stmt->name, sizeof stmt->name, "zid_%u", ++self->next_name);
  stmt->text = g_steal_pointer (&text);
  stmt->n_params = n_params;
  stmt->values = g_new0 (char *, MAX (n_params, 1));
  stmt->lengths = g_new0 (int, MAX (n_params, 1));
  stmt->formats = g_new0 (int, MAX (n_params, 1));
  stmt->types = g_new0 (Oid, MAX (n_params, 1));
  stmt->blobs = g_ptr_array_new_with_free_func (PQfreemem);
  stmt->row = -1;
  /* without parameters there are no types to wait for: text that does
   * not prepare fails here, as SQLite's does */
  if (n_params == 0 && !server_prepare (stmt, error))
    {
      stmt_free (stmt);
      return NULL;
    }
  g_hash_table_insert (self->statements, (gpointer) sql, stmt);
  return stmt;
}

/* Takes @value (g_free) as parameter @pos */
static gboolean
bind (ZidPgStmt  *stmt,
      int         pos,
      char       *value,
      int         length,
      int         format,
      Oid         type,
      GError    **error)
{
  if (pos < 1 || pos > stmt->n_params)
    {
      g_free (value);
      return set_error (error, NULL, "bind position out of range");
    }
  stmt_clear_result (stmt);
  g_free (stmt->values[pos - 1]);
  stmt->values[pos - 1] = value;
  stmt->lengths[pos - 1] = length;
  stmt->formats[pos - 1] = format;
  if (!stmt->prepared)
    stmt->types[pos - 1] = type;
  return TRUE;
}

gboolean
zid_pg_bind_int64 (ZidPgStmt  *stmt,
                   int         pos,
                   gint64      value,
                   GError    **error)
{
  return bind (stmt, pos, g_strdup_printf ("%" G_GINT64_FORMAT, value), 0, 0, OID_INT8, error);
}

gboolean
zid_pg_bind_text (ZidPgStmt   *stmt,
                  int          pos,
                  const char  *text,
                  GError     **error)
{
  return bind (stmt, pos, g_strdup (text), 0, 0, OID_TEXT, error);
}

gboolean
zid_pg_bind_null (ZidPgStmt  *stmt,
                  int         pos,
                  GError    **error)
{
  return bind (stmt, pos, NULL, 0, 0, 0, error);
}

gboolean
zid_pg_bind_blob (ZidPgStmt   *stmt,
                  int          pos,
                  const void  *data,
                  gsize        len,
                  GError     **error)
{
  if (len > G_MAXINT)
    return set_error (error, NULL, "blob too large");
  /* binary format: the bytes as they are, no escaping either way; a
   * zero-length blob is still a value, not NULL */
  return bind (stmt, pos, len ? g_memdup2 (data, len) : g_strdup (""), (int) len, 1, OID_BYTEA,
               error);
}

ZidPgStmt *
zid_pg_query_valist (ZidPg       *self,
                     GError     **error,
                     const char  *sql,
                     const char  *types,
                     va_list      args)
{
  ZidPgStmt *stmt = zid_pg_prepare (self, sql, error);
  /* the store's statement around it: zid-db.c's binds by type letter */
  ZidDbStmt wrapped = { &_zid_store_pg_backend, stmt };

  if (stmt == NULL || !_zid_db_bind_valist (&wrapped, error, types, args))
    return NULL;
  return stmt;
}

ZidPgStmt *
zid_pg_query (ZidPg       *self,
              GError     **error,
              const char  *sql,
              const char  *types,
              ...)
{
  ZidPgStmt *stmt;
  va_list args;

  va_start (args, types);
  stmt = zid_pg_query_valist (self, error, sql, types, args);
  va_end (args);
  return stmt;
}

/* Rows changed, from a command tag such as "UPDATE 3" or "INSERT 0 1" */
static void
note_changes (ZidPg    *self,
              PGresult *result)
{
  const char *tag = PQcmdStatus (result);

  if (g_str_has_prefix (tag, "INSERT") || g_str_has_prefix (tag, "UPDATE") ||
      g_str_has_prefix (tag, "DELETE") || g_str_has_prefix (tag, "MERGE"))
    {
      self->changes = g_ascii_strtoll (PQcmdTuples (result), NULL, 10);
      self->total_changes += self->changes;
    }
}

/* The pending BEGIN and @stmt in one pipeline: one round trip for both.
 * The statement's result, or NULL with @error */
static PGresult *
exec_after_begin (ZidPgStmt  *stmt,
                  GError    **error)
{
  ZidPg *self = stmt->pg;
  PGconn *conn = self->conn;
  PGresult *begun = NULL;
  PGresult *result = NULL;
  PGresult *sync;
  gboolean sent;

  self->begin_pending = FALSE;
  if (!PQenterPipelineMode (conn))
    {
      set_error (error, NULL, PQerrorMessage (conn));
      return NULL;
    }
  sent = PQsendQueryParams (conn, BEGIN_READ, 0, NULL, NULL, NULL, NULL, 0) &&
         PQsendQueryPrepared (conn, stmt->name, stmt->n_params,
                              (const char * const *) stmt->values, stmt->lengths,
                              stmt->formats, 0) &&
         PQpipelineSync (conn);
  if (sent)
    {
      /* each query's result, then NULL; then the sync's */
      if ((begun = PQgetResult (conn)) != NULL)
        {
          discard_results (conn);
          if ((result = PQgetResult (conn)) != NULL)
            discard_results (conn);
        }
      if ((sync = PQgetResult (conn)) != NULL)
        PQclear (sync);
    }
  if (!PQexitPipelineMode (conn) || !sent || begun == NULL || result == NULL)
    {
      set_error (error, NULL, PQerrorMessage (conn));
      g_clear_pointer (&begun, PQclear);
      g_clear_pointer (&result, PQclear);
      return NULL;
    }
  if (PQresultStatus (begun) != PGRES_COMMAND_OK)
    {
      /* the statement was skipped: BEGIN's error is the one to give */
      PQclear (result);
      fail_result (self, begun, error);
      return NULL;
    }
  PQclear (begun);
  return result;
}

static gboolean
run (ZidPgStmt  *stmt,
     GError    **error)
{
  ZidPg *self = stmt->pg;
  PGresult *result;
  ExecStatusType status;

  if (!stmt->prepared && !server_prepare (stmt, error))
    return FALSE;
  settle (self);
  if (self->begin_pending)
    {
      if ((result = exec_after_begin (stmt, error)) == NULL)
        return FALSE;
    }
  else
    result = PQexecPrepared (self->conn, stmt->name, stmt->n_params,
                             (const char * const *) stmt->values, stmt->lengths, stmt->formats, 0);
  status = PQresultStatus (result);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
    return fail_result (self, result, error);
  note_changes (self, result);
  stmt->result = result;
  stmt->row = -1;
  return TRUE;
}

ZidPgStep
zid_pg_step (ZidPgStmt  *stmt,
             GError    **error)
{
  if (stmt == NULL)
    return ZID_PG_ERROR;
  g_ptr_array_set_size (stmt->blobs, 0);
  if (stmt->result == NULL && !run (stmt, error))
    {
      stmt_clear_result (stmt);
      return ZID_PG_ERROR;
    }
  if (stmt->row + 1 < PQntuples (stmt->result))
    {
      stmt->row++;
      return ZID_PG_ROW;
    }
  /* SQLite runs a statement again when stepped after its end: so here */
  stmt_clear_result (stmt);
  return ZID_PG_DONE;
}

void
zid_pg_reset (ZidPgStmt *stmt)
{
  if (stmt != NULL)
    stmt_clear_result (stmt);
}

static gboolean
has_value (ZidPgStmt *stmt,
           int        col)
{
  return stmt->result != NULL && stmt->row >= 0 && col >= 0 && col < PQnfields (stmt->result) &&
         !PQgetisnull (stmt->result, stmt->row, col);
}

gint64
zid_pg_column_int64 (ZidPgStmt *stmt,
                     int        col)
{
  const char *value;

  if (!has_value (stmt, col))
    return 0;
  value = PQgetvalue (stmt->result, stmt->row, col);
  /* a boolean (EXISTS, a comparison) reads as SQLite's 0/1 */
  if (value[0] == 't' || value[0] == 'f')
    return value[0] == 't';
  return g_ascii_strtoll (value, NULL, 10);
}

int
zid_pg_column_int (ZidPgStmt *stmt,
                   int        col)
{
  return (int) zid_pg_column_int64 (stmt, col);
}

gboolean
zid_pg_column_is_null (ZidPgStmt *stmt,
                       int        col)
{
  return !has_value (stmt, col);
}

const char *
zid_pg_column_text (ZidPgStmt *stmt,
                    int        col)
{
  return has_value (stmt, col) ? PQgetvalue (stmt->result, stmt->row, col) : NULL;
}

char *
zid_pg_column_dup (ZidPgStmt *stmt,
                   int        col)
{
  return g_strdup (zid_pg_column_text (stmt, col));
}

const void *
zid_pg_column_blob (ZidPgStmt *stmt,
                    int        col,
                    gsize     *len)
{
  const char *value;
  guchar *data;
  size_t n = 0;

  *len = 0;
  if (!has_value (stmt, col))
    return NULL;
  value = PQgetvalue (stmt->result, stmt->row, col);
  if (PQftype (stmt->result, col) != OID_BYTEA)
    {
      *len = (gsize) PQgetlength (stmt->result, stmt->row, col);
      return value;
    }
  /* bytea in text form ("\x…"): decoded once per step, kept until the next */
  if ((data = PQunescapeBytea ((const guchar *) value, &n)) == NULL)
    return NULL;
  g_ptr_array_add (stmt->blobs, data);
  *len = n;
  return data;
}

gsize
zid_pg_column_bytes (ZidPgStmt *stmt,
                     int        col)
{
  gsize len = 0;

  if (zid_pg_column_type (stmt, col) == ZID_PG_BLOB)
    zid_pg_column_blob (stmt, col, &len);
  else if (has_value (stmt, col))
    len = (gsize) PQgetlength (stmt->result, stmt->row, col);
  return len;
}

int
zid_pg_column_count (ZidPgStmt *stmt)
{
  return stmt->result ? PQnfields (stmt->result) : 0;
}

ZidPgType
zid_pg_column_type (ZidPgStmt *stmt,
                    int        col)
{
  if (!has_value (stmt, col))
    return ZID_PG_NULL;
  switch (PQftype (stmt->result, col))
    {
    case OID_BOOL:
    case OID_INT2:
    case OID_INT4:
    case OID_INT8:
      return ZID_PG_INTEGER;
    case OID_FLOAT4:
    case OID_FLOAT8:
    case OID_NUMERIC:
      return ZID_PG_FLOAT;
    case OID_BYTEA:
      return ZID_PG_BLOB;
    default:
      return ZID_PG_TEXT;
    }
}

gboolean
zid_pg_finish (ZidPgStmt  *stmt,
               gint64     *id,
               GError    **error)
{
  ZidPgStep step = zid_pg_step (stmt, error);

  if (id)
    *id = step == ZID_PG_ROW ? zid_pg_column_int64 (stmt, 0) : 0;
  if (step == ZID_PG_ERROR)
    return FALSE;
  zid_pg_reset (stmt);
  return TRUE;
}

gint64
zid_pg_changes (ZidPg *self)
{
  return self->changes;
}

gint64
zid_pg_total_changes (ZidPg *self)
{
  return self->total_changes;
}

/* Transactions */

static void
abandon (ZidPg *self)
{
  settle (self);
  self->begin_pending = FALSE;
  self->reading = FALSE;
  if (PQtransactionStatus (self->conn) != PQTRANS_IDLE)
    zid_pg_exec (self, "ROLLBACK", NULL);
  self->savepoints = 0;
}

gboolean
zid_pg_begin (ZidPg     *self,
              gboolean   write,
              GError   **error)
{
  g_rec_mutex_lock (&self->lock);
  /* a nested begin (a read inside an operation) joins the open transaction */
  if (self->depth++ > 0)
    return TRUE;
  /* writers take turns (the lock is released by COMMIT or ROLLBACK);
   * a reader reads one snapshot and cannot write by mistake */
  if (!write)
    {
      /* sent with the first statement (run()): one round trip less */
      self->begin_pending = TRUE;
      self->reading = TRUE;
      return TRUE;
    }
  if (!zid_pg_exec (self,
                    "BEGIN ISOLATION LEVEL READ COMMITTED;"
                    "SELECT pg_advisory_xact_lock (8820691491622119796)",
                    error))
    {
      abandon (self);
      self->depth--;
      g_rec_mutex_unlock (&self->lock);
      return FALSE;
    }
  return TRUE;
}
G_STATIC_ASSERT (ZID_PG_WRITER_LOCK == G_GINT64_CONSTANT (8820691491622119796));

gboolean
zid_pg_commit (ZidPg   *self,
               GError **error)
{
  gboolean ok = TRUE;

  g_assert (self->depth > 0);
  if (--self->depth > 0)
    {
      g_rec_mutex_unlock (&self->lock);
      return TRUE;
    }
  /* COMMIT of a transaction a failed statement aborted answers ROLLBACK,
   * without an error: say so here. A read that sent nothing has nothing
   * to end. */
  if (self->begin_pending)
    self->begin_pending = FALSE;
  else if (PQtransactionStatus (self->conn) == PQTRANS_INERROR)
    ok = set_error (error, NULL, "the transaction was aborted by an earlier error");
  else if (self->reading)
    {
      /* a read's COMMIT cannot lose anything: its answer is read when
       * the connection is used next (settle()), one round trip less */
      if (PQsendQuery (self->conn, "COMMIT"))
        self->commit_pending = TRUE;
      else
        ok = set_error (error, NULL, PQerrorMessage (self->conn));
    }
  else
    ok = zid_pg_exec (self, "COMMIT", error);
  self->reading = FALSE;
  if (!ok)
    abandon (self);
  self->savepoints = 0;
  g_rec_mutex_unlock (&self->lock);
  return ok;
}

void
zid_pg_rollback (ZidPg *self)
{
  g_assert (self->depth > 0);
  if (--self->depth == 0)
    abandon (self);
  g_rec_mutex_unlock (&self->lock);
}

int
zid_pg_depth (ZidPg *self)
{
  return self->depth;
}

static gboolean
savepoint_command (ZidPg       *self,
                   const char  *command,
                   int          level,
                   GError     **error)
{
  char sql[64];

  g_snprintf (sql, sizeof sql, "%s zid_savepoint_%d", command, level);
  return zid_pg_exec (self, sql, error);
}

gboolean
zid_pg_savepoint (ZidPg   *self,
                  GError **error)
{
  g_return_val_if_fail (self->depth > 0, FALSE);
  if (!savepoint_command (self, "SAVEPOINT", self->savepoints + 1, error))
    return FALSE;
  self->savepoints++;
  return TRUE;
}

gboolean
zid_pg_release (ZidPg   *self,
                GError **error)
{
  g_return_val_if_fail (self->savepoints > 0, FALSE);
  return savepoint_command (self, "RELEASE SAVEPOINT", self->savepoints--, error);
}

gboolean
zid_pg_rollback_to (ZidPg   *self,
                    GError **error)
{
  g_return_val_if_fail (self->savepoints > 0, FALSE);
  /* back to the savepoint, and out of it: the transaction goes on */
  if (!savepoint_command (self, "ROLLBACK TO SAVEPOINT", self->savepoints, error))
    return FALSE;
  return savepoint_command (self, "RELEASE SAVEPOINT", self->savepoints--, error);
}

/* Change notifications */

gboolean
zid_pg_listen (ZidPg   *self,
               GError **error)
{
  return zid_pg_exec (self, "LISTEN zid_changes", error);
}

guint
zid_pg_notified (ZidPg *self)
{
  PGnotify *notify;
  int mine = PQbackendPID (self->conn);
  guint n;

  settle (self);
  PQconsumeInput (self->conn);
  while ((notify = PQnotifies (self->conn)) != NULL)
    {
      /* this connection's own commits are not news to it */
      if (notify->be_pid != mine)
        self->notified++;
      PQfreemem (notify);
    }
  n = self->notified;
  self->notified = 0;
  return n;
}

int
zid_pg_socket (ZidPg *self)
{
  return PQsocket (self->conn);
}
