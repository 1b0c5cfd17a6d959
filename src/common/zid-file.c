/* zid-file.c — reading a file given from outside, within limits
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-common"

#include "zid-file.h"
#include "zid-i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

G_DEFINE_QUARK (zid-file-error-quark, zid_file_error)

static void
set_errno_error (GError     **error,
                 int          saved,
                 const char  *path)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
               "%s: %s", path, g_strerror (saved));
}

guint8 *
zid_file_read_regular (const char  *path,
                       gsize        max_size,
                       gboolean     follow_link,
                       gsize       *len,
                       GError     **error)
{
  g_autofree guint8 *data = NULL;
  struct stat st;
  gsize done = 0;
  int fd;

  g_return_val_if_fail (path != NULL && len != NULL, NULL);

  fd = g_open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | (follow_link ? 0 : O_NOFOLLOW), 0);
  if (fd < 0)
    {
      int saved = errno;

      if (saved == ELOOP)
        g_set_error (error, ZID_FILE_ERROR, ZID_FILE_ERROR_NOT_REGULAR,
                     _("%s is a symbolic link, not a regular file"), path);
      else
        set_errno_error (error, saved, path);
      return NULL;
    }
  if (fstat (fd, &st) != 0)
    {
      set_errno_error (error, errno, path);
      close (fd);
      return NULL;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, ZID_FILE_ERROR, ZID_FILE_ERROR_NOT_REGULAR,
                   _("%s is not a regular file (a folder, FIFO or device is not read)"), path);
      close (fd);
      return NULL;
    }
  if (st.st_size < 0 || (guint64) st.st_size > max_size)
    {
      g_set_error (error, ZID_FILE_ERROR, ZID_FILE_ERROR_TOO_LARGE,
                   _("%s is too large (%lld bytes; at most %zu)"),
                   path, (long long) st.st_size, max_size);
      close (fd);
      return NULL;
    }

  /* one byte more than the limit: a file that grows while it is read is
   * still caught */
  data = g_malloc ((gsize) st.st_size + 1);
  for (;;)
    {
      gssize n = read (fd, data + done, (gsize) st.st_size + 1 - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          set_errno_error (error, errno, path);
          close (fd);
          return NULL;
        }
      if (n == 0)
        break;
      done += (gsize) n;
      if (done > (gsize) st.st_size)
        {
          g_set_error (error, ZID_FILE_ERROR, ZID_FILE_ERROR_TOO_LARGE,
                       _("%s changed while it was read"), path);
          close (fd);
          return NULL;
        }
    }
  close (fd);
  *len = done;
  return g_steal_pointer (&data);
}

guint8 *
zid_file_read_fd (int          fd,
                  const char  *name,
                  gsize        max_size,
                  gsize       *len,
                  GError     **error)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  guint8 buffer[65536];

  g_return_val_if_fail (fd >= 0 && name != NULL && len != NULL, NULL);

  for (;;)
    {
      gssize n = read (fd, buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          set_errno_error (error, errno, name);
          return NULL;
        }
      if (n == 0)
        break;
      if (data->len + (gsize) n > max_size)
        {
          g_set_error (error, ZID_FILE_ERROR, ZID_FILE_ERROR_TOO_LARGE,
                       _("%s is too large (more than %zu bytes)"), name, max_size);
          return NULL;
        }
      g_byte_array_append (data, buffer, (guint) n);
    }
  *len = data->len;
  /* never NULL for an empty input: NULL is the error */
  if (data->len == 0)
    return g_malloc0 (1);
  return g_byte_array_free (g_steal_pointer (&data), FALSE);
}
