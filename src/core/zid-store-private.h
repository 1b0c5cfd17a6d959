/* zid-store-private.h — the store under the portal (core only)
 *
 * One connection, schema version with forward migrations. Every operation
 * runs in one transaction; writers take the database lock up front so
 * that two processes on one database serialise instead of failing
 * half-way. The embedded backend is SQLite (zid-store-sqlite.c: WAL,
 * foreign keys on, BEGIN IMMEDIATE); statements go through zid-db.h.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "zid-search.h"

G_BEGIN_DECLS

/* How long a write waits for another process's transaction, in all */
#define ZID_STORE_BUSY_MS 10000

typedef struct _ZidStore ZidStore;

#define ZID_STORE_SCHEMA_VERSION 8

/* The seal's key: a file of its own next to the database, mode 0600 */
#define ZID_STORE_SEAL_KEY_FILE  "seal.key"
#define ZID_STORE_SEAL_KEY_BYTES 32

/* @location: a database file, or a `postgresql://` (`postgres://`) URI
 * (when built with PostgreSQL); the seal key is kept in @key_folder, NULL
 * for the database file's folder (a file only) */
ZidStore     *zid_store_open         (const char  *location,
                                      const char  *key_folder,
                                      GError     **error);
void          zid_store_free         (ZidStore    *self);
/* The database file (resolved), or NULL when the database is not a file
 * (PostgreSQL) */
const char   *zid_store_get_file     (ZidStore    *self);

gboolean      zid_store_begin        (ZidStore    *self,
                                      gboolean     write,
                                      GError     **error);
gboolean      zid_store_commit       (ZidStore    *self,
                                      GError     **error);
void          zid_store_rollback     (ZidStore    *self);

gboolean      zid_store_exec         (ZidStore    *self,
                                      const char  *sql,
                                      GError     **error);

/* Change detection (see "Changes" in zid-store.c): @data_version moves
 * when another connection commits, @own_changes when this one changes a
 * row. No disk reads. FALSE, and nothing set, while a transaction holds
 * the connection: ask again later (never waits for the lock). */
gboolean      zid_store_poll         (ZidStore    *self,
                                      gint64      *data_version,
                                      gint64      *own_changes);

/* Audit chain (inside a write transaction) */
gboolean      zid_store_audit_append (ZidStore    *self,
                                      gint64       time,
                                      const char  *actor,
                                      const char  *action,
                                      const char  *subject,
                                      const char  *details,
                                      GError     **error);
/* One event of zid_store_audit_append_many() */
typedef struct
{
  char *actor;
  char *action;
  char *subject;
  char *details;
} ZidAuditEntry;
void          zid_audit_entry_clear  (ZidAuditEntry *entry);
/* @n events in this order, the chain's head read and written once */
gboolean      zid_store_audit_append_many (ZidStore            *self,
                                           gint64               time,
                                           const ZidAuditEntry *entries,
                                           guint                n,
                                           GError             **error);
gboolean      zid_store_audit_verify (ZidStore    *self,
                                      gint64      *bad_event,
                                      GError     **error);
/* An event's hash in the chain, after @prev (32 bytes, zeros before the
 * first event) */
void          zid_store_audit_hash   (const guint8 *prev,
                                      gint64        id,
                                      gint64        time,
                                      const char   *actor,
                                      const char   *action,
                                      const char   *subject,
                                      const char   *details,
                                      guint8        out[32]);

/* The seal over the authoritative rows (inside a transaction): every
 * user's seal matches the user's rows, and the seal of the whole (all the
 * users' seals and the environment stamp) matches its key. FALSE with
 * ZID_ERROR_AUDIT_BROKEN naming what was changed behind the portal's back. */
gboolean      zid_store_seal_verify  (ZidStore    *self,
                                      GError     **error);

G_END_DECLS
