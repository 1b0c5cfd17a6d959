/* zid-json.h — small JSON writer for the command line's --json output */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  GString *out;
  guint    depth;
  gboolean first[32];
} ZidJson;

void  zid_json_init         (ZidJson    *json);
char *zid_json_finish       (ZidJson    *json);
void  zid_json_begin_object (ZidJson    *json,
                             const char *key);
void  zid_json_end_object   (ZidJson    *json);
void  zid_json_begin_array  (ZidJson    *json,
                             const char *key);
void  zid_json_end_array    (ZidJson    *json);
void  zid_json_string       (ZidJson    *json,
                             const char *key,
                             const char *value);
void  zid_json_int          (ZidJson    *json,
                             const char *key,
                             gint64      value);
void  zid_json_bool         (ZidJson    *json,
                             const char *key,
                             gboolean    value);
void  zid_json_time         (ZidJson    *json,
                             const char *key,
                             gint64      unix_seconds);
void  zid_json_escape       (GString    *out,
                             const char *text);

G_END_DECLS
