/* zid-pin.c — a PIN in a secure buffer */
#include "zid-pin.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <termios.h>
#include <unistd.h>

#include "zid-card-error.h"
#include "zid-i18n.h"

#define ZID_PIN_MAX 64

struct _ZidPin
{
  gatomicrefcount ref_count;
  gsize len;
  char data[ZID_PIN_MAX + 1];
};

G_DEFINE_BOXED_TYPE (ZidPin, zid_pin, zid_pin_ref, zid_pin_unref)

ZidPin *
zid_pin_new (const char *pin,
             gsize       len)
{
  ZidPin *self;

  g_return_val_if_fail (pin != NULL || len == 0, NULL);

  self = g_new0 (ZidPin, 1);
  (void) mlock (self, sizeof *self);
  g_atomic_ref_count_init (&self->ref_count);
  self->len = MIN (len, ZID_PIN_MAX);
  if (self->len > 0)
    memcpy (self->data, pin, self->len);
  self->data[self->len] = '\0';
  return self;
}

ZidPin *
zid_pin_ref (ZidPin *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
zid_pin_unref (ZidPin *self)
{
  g_return_if_fail (self != NULL);
  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      explicit_bzero (self, sizeof *self);
      (void) munlock (self, sizeof *self);
      g_free (self);
    }
}

const char *
zid_pin_get_data (const ZidPin *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->data;
}

gsize
zid_pin_get_length (const ZidPin *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->len;
}

static gsize
first_line (const char *buf,
            gsize       len)
{
  gsize n = 0;

  while (n < len && buf[n] != '\n' && buf[n] != '\r' && buf[n] != '\0')
    n++;
  return n;
}

ZidPin *
zid_pin_new_from_file (const char  *path,
                       GError     **error)
{
  char buf[ZID_PIN_MAX + 2];
  ZidPin *pin;
  ssize_t n;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_FAILED,
                   _("Cannot read the PIN file %s: %s"), path, g_strerror (saved));
      return NULL;
    }
  n = read (fd, buf, sizeof buf);
  close (fd);
  if (n < 0)
    {
      int saved = errno;
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_FAILED,
                   _("Cannot read the PIN file %s: %s"), path, g_strerror (saved));
      return NULL;
    }
  pin = zid_pin_new (buf, first_line (buf, (gsize) n));
  explicit_bzero (buf, sizeof buf);
  return pin;
}

ZidPin *
zid_pin_new_from_terminal (const char  *prompt,
                           GError     **error)
{
  struct termios old, quiet;
  char buf[ZID_PIN_MAX + 2];
  ZidPin *pin;
  FILE *tty;
  gboolean echo_off = FALSE;

  tty = fopen ("/dev/tty", "r+e");
  if (tty == NULL)
    {
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_FAILED,
                   _("No terminal to ask for the PIN; use --pin-file"));
      return NULL;
    }
  setvbuf (tty, NULL, _IONBF, 0);
  if (tcgetattr (fileno (tty), &old) == 0)
    {
      quiet = old;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      quiet.c_lflag |= ECHONL;
      echo_off = tcsetattr (fileno (tty), TCSAFLUSH, &quiet) == 0;
    }
  fputs (prompt != NULL ? prompt : "PIN: ", tty);
  if (fgets (buf, sizeof buf, tty) == NULL)
    buf[0] = '\0';
  if (echo_off)
    tcsetattr (fileno (tty), TCSAFLUSH, &old);
  fclose (tty);
  pin = zid_pin_new (buf, first_line (buf, strlen (buf)));
  explicit_bzero (buf, sizeof buf);
  return pin;
}
