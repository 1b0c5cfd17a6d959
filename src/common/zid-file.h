/* zid-file.h — reading a file given from outside, within limits
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ZID_FILE_ERROR (zid_file_error_quark ())

typedef enum
{
  ZID_FILE_ERROR_NOT_REGULAR, /* a link, folder, FIFO, device or socket */
  ZID_FILE_ERROR_TOO_LARGE,
} ZidFileError;

GQuark  zid_file_error_quark  (void);

/* The contents of the regular file @path, at most @max_size bytes. A FIFO,
 * a device or a folder is refused without being read (opened with
 * O_NONBLOCK, checked with fstat), and so is a larger file; unless
 * @follow_link, a symbolic link too (O_NOFOLLOW). Errors: ZID_FILE_ERROR
 * for a file that is not regular or too large, G_FILE_ERROR else. */
guint8 *zid_file_read_regular (const char  *path,
                               gsize        max_size,
                               gboolean     follow_link,
                               gsize       *len,
                               GError     **error);

/* All that can be read from @fd (a pipe, the standard input) until its
 * end, at most @max_size bytes (ZID_FILE_ERROR_TOO_LARGE beyond); @name
 * names it in errors. */
guint8 *zid_file_read_fd      (int          fd,
                               const char  *name,
                               gsize        max_size,
                               gsize       *len,
                               GError     **error);

G_END_DECLS
