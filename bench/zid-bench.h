/* zid-bench.h — what the benchmarks share: timing, statistics, and filling
 * a store in bulk on a connection of their own */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

double        now_ms           (void);
/* the @p-th percentile (nearest rank) of @samples (doubles); NAN if empty */
double        percentile       (GArray       *samples,
                                double        p);

/* sqlite3 on the bulk connection: on failure print and exit (1) */
G_NORETURN
void          die_sqlite       (sqlite3      *db,
                                const char   *what);
void          exec_or_die      (sqlite3      *db,
                                const char   *sql);
sqlite3_stmt *prepare_or_die   (sqlite3      *db,
                                const char   *sql);
void          step_done_or_die (sqlite3      *db,
                                sqlite3_stmt *stmt);
/* The name keys the core writes for a member (zid_name_keys), through
 * @insert_key: INSERT ... name_keys (organisation_id, key, user_id) VALUES (?, ?, ?) */
void          index_names      (sqlite3      *db,
                                sqlite3_stmt *insert_key,
                                gint64        organisation,
                                gint64        user,
                                const char   *first_name,
                                const char   *last_name);

G_END_DECLS
