/* zid-store-internal.h — what zid-store.c, zid-store-seal.c and zid-db.c share
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include "zid-db.h"
#include "zid-store-private.h"

G_BEGIN_DECLS

struct _ZidStore
{
  sqlite3    *db;
  GHashTable *statements;  /* const char *sql (static) -> sqlite3_stmt */
  GRecMutex   lock;        /* held for the length of a transaction */
  guint       depth;       /* nested begin() calls of the holding thread */

  /* the seal (see "Seal" below) */
  gboolean    sealing;     /* key loaded, triggers in place */
  guint8      seal_key[ZID_STORE_SEAL_KEY_BYTES];
  GHashTable *touched;     /* user ids changed by the open transaction; 0: the environment */
};

/* The store's GError for the last error of @db (zid-db.c maps with it) */
gboolean _zid_store_fail_db (sqlite3  *db,
                             GError  **error);

/* The cached statement of @sql (static text: its pointer is the key),
 * reset and with no bindings (zid-db.c prepares through it) */
sqlite3_stmt *_zid_store_prepare (ZidStore    *self,
                                  const char  *sql,
                                  GError     **error);

/* zid_db_query() with its arguments in @args: zid_store_query() and
 * zid_store_run() bind through it too */
ZidDbStmt    *_zid_db_query_valist (ZidStore    *store,
                                    GError     **error,
                                    const char  *sql,
                                    const char  *types,
                                    va_list      args);

/* The seal (zid-store-seal.c): loaded (or made) when the store opens, and
 * renewed for the users a transaction changed when it commits */
/* Before the database is opened: a seal key stored encrypted can be read
 * (its secret is there and opens it), so that a refusal touches nothing */
gboolean _zid_store_seal_key_readable (const char  *db_path,
                                       GError     **error);
gboolean _zid_store_seal_open    (ZidStore    *self,
                                  const char  *db_path,
                                  GError     **error);
gboolean _zid_store_seal_touched (ZidStore    *self,
                                  GError     **error);

G_END_DECLS
