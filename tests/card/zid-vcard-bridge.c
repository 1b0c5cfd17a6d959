/* zid-vcard-bridge.c — a libcacard soft card in a vsmartcard vpcd reader
 *
 * Test fixture only (tests/card/softcard.sh starts it). Connects to the vpcd
 * reader driver inside pcscd on 127.0.0.1:PORT and answers its requests with
 * a libcacard CAC card whose keys and certificates sit in an NSS database
 * (nicknames auth, sign, enc; the database password is the card PIN).
 *
 *   zid-vcard-bridge --db DIR --port PORT --state FILE
 *                    [--pin-tries N] [--sign-delay-ms MS] [--marker FILE]
 *
 * Signals: SIGUSR1 pulls the card out (the socket is closed, the PIN retry
 * counter survives), SIGUSR2 puts it back, SIGTERM ends the bridge. After
 * each change FILE holds "inserted" or "removed".
 *
 * A real UZI-pas locks after 3 wrong PINs and reports the tries left
 * (SW 63 Cx, 69 83 when locked); libcacard has no counter and answers a
 * wrong PIN with 69 85, so the bridge counts and answers like a real card.
 * With --sign-delay-ms the answer to a signature (CAC INS 0x42) is held back
 * and MARKER is created when it starts, so a test can pull the card out in
 * the middle of signing.
 *
 * vpcd protocol: every message is a 2-byte big-endian length and a payload;
 * a 1-byte payload is a control (0 power off, 1 power on, 2 reset, 4 ATR),
 * anything longer a C-APDU answered by the R-APDU.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libcacard.h>

#define READER_NAME "ZID Soft Reader"

static const char *state_file;
static const char *marker_file;
static int sign_delay_ms;
static int max_tries = 3;
static int tries;

static VReader *reader;
static unsigned char atr[64];
static int atr_len;
static int powered;

static void
write_state (const char *state)
{
  char tmp[4096];
  FILE *f;

  snprintf (tmp, sizeof tmp, "%s.tmp", state_file);
  f = fopen (tmp, "w");
  if (f == NULL)
    return;
  fprintf (f, "%s\n", state);
  fclose (f);
  rename (tmp, state_file);
}

static void
drain_events (void)
{
  VEvent *ev;

  while ((ev = vevent_get_next_vevent ()) != NULL)
    vevent_delete (ev);
}

static int
connect_vpcd (int port)
{
  struct sockaddr_in sa = { 0 };
  int one = 1;
  int fd;

  fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  sa.sin_family = AF_INET;
  sa.sin_port = htons (port);
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (connect (fd, (struct sockaddr *) &sa, sizeof sa) < 0)
    {
      close (fd);
      return -1;
    }
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

static int
recv_all (int fd, unsigned char *buf, size_t len)
{
  size_t got = 0;

  while (got < len)
    {
      int one = 1;
      ssize_t n;

      /* Without this every APDU waits for the delayed ACK (~40 ms) */
      setsockopt (fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
      n = recv (fd, buf + got, len - got, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return -1;
      got += (size_t) n;
    }
  return 0;
}

static int
send_msg (int fd, const unsigned char *buf, size_t len)
{
  unsigned char out[2 + 4096];

  if (len > 4096)
    return -1;
  out[0] = (unsigned char) (len >> 8);
  out[1] = (unsigned char) len;
  memcpy (out + 2, buf, len);
  return send (fd, out, len + 2, MSG_NOSIGNAL) == (ssize_t) (len + 2) ? 0 : -1;
}

static void
power_on (void)
{
  atr_len = sizeof atr;
  vreader_power_on (reader, atr, &atr_len);
  powered = 1;
  drain_events ();
}

/* Returns 1 when the card was pulled out while the answer was held back */
static int
hold_back (int sigfd, int *pending_signal)
{
  struct pollfd p = { .fd = sigfd, .events = POLLIN };
  struct timespec start, now;

  if (marker_file != NULL)
    {
      FILE *f = fopen (marker_file, "w");
      if (f != NULL)
        fclose (f);
    }
  clock_gettime (CLOCK_MONOTONIC, &start);
  for (;;)
    {
      long elapsed;
      int rc;

      clock_gettime (CLOCK_MONOTONIC, &now);
      elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
      if (elapsed >= sign_delay_ms)
        return 0;
      rc = poll (&p, 1, (int) (sign_delay_ms - elapsed));
      if (rc > 0)
        {
          struct signalfd_siginfo si;
          if (read (sigfd, &si, sizeof si) == sizeof si)
            {
              *pending_signal = (int) si.ssi_signo;
              if (si.ssi_signo != SIGUSR2)
                return 1;
            }
        }
    }
}

/* Answer one C-APDU; returns -1 when the connection is to be dropped */
static int
answer_apdu (int fd, unsigned char *apdu, int len, int sigfd, int *pending_signal)
{
  unsigned char rsp[4096];
  int rsp_len = sizeof rsp;
  int is_verify = len >= 4 && apdu[1] == 0x20;
  int has_pin = len > 5 && apdu[4] > 0;

  if (is_verify && tries == 0)
    {
      static const unsigned char locked[] = { 0x69, 0x83 };
      return send_msg (fd, locked, 2);
    }

  if (len >= 4 && apdu[1] == 0x42 && sign_delay_ms > 0)
    {
      if (hold_back (sigfd, pending_signal))
        return -1;
    }

  if (vreader_xfr_bytes (reader, apdu, len, rsp, &rsp_len) != VREADER_OK || rsp_len < 2)
    {
      rsp[0] = 0x6f;
      rsp[1] = 0x00;
      rsp_len = 2;
    }
  drain_events ();

  if (is_verify)
    {
      int ok = rsp[rsp_len - 2] == 0x90 && rsp[rsp_len - 1] == 0x00;

      if (ok && has_pin)
        tries = max_tries;
      else if (!ok)
        {
          if (has_pin)
            tries--;
          if (tries <= 0)
            {
              tries = 0;
              rsp[0] = 0x69;
              rsp[1] = 0x83;
            }
          else
            {
              rsp[0] = 0x63;
              rsp[1] = (unsigned char) (0xc0 | tries);
            }
          rsp_len = 2;
        }
    }
  return send_msg (fd, rsp, (size_t) rsp_len);
}

/* Handle one vpcd message; -1 when the connection is gone */
static int
handle_message (int fd, int sigfd, int *pending_signal)
{
  unsigned char hdr[2];
  unsigned char buf[4096];
  size_t len;

  if (recv_all (fd, hdr, 2) < 0)
    return -1;
  len = ((size_t) hdr[0] << 8) | hdr[1];
  if (len == 0 || len > sizeof buf || recv_all (fd, buf, len) < 0)
    return -1;

  if (len == 1)
    {
      switch (buf[0])
        {
        case 0:
          vreader_power_off (reader);
          powered = 0;
          drain_events ();
          return 0;
        case 1:
          if (!powered)
            power_on ();
          return 0;
        case 2:
          power_on ();
          return 0;
        case 4:
          /* From the cache: powering on here would reset (log out) the card */
          if (atr_len == 0)
            power_on ();
          return send_msg (fd, atr, (size_t) atr_len);
        default:
          return 0;
        }
    }
  return answer_apdu (fd, buf, (int) len, sigfd, pending_signal);
}

int
main (int argc, char **argv)
{
  const char *db = NULL;
  int port = 35963;
  char opts[8192];
  VCardEmulOptions *emul_opts;
  sigset_t mask;
  int sigfd;
  int fd = -1;
  int inserted = 1;
  int running = 1;

  for (int i = 1; i < argc; i++)
    {
      const char *a = argv[i];
      const char *v = i + 1 < argc ? argv[i + 1] : NULL;

      if (v == NULL)
        goto usage;
      if (strcmp (a, "--db") == 0)
        db = v;
      else if (strcmp (a, "--port") == 0)
        port = atoi (v);
      else if (strcmp (a, "--state") == 0)
        state_file = v;
      else if (strcmp (a, "--pin-tries") == 0)
        max_tries = atoi (v);
      else if (strcmp (a, "--sign-delay-ms") == 0)
        sign_delay_ms = atoi (v);
      else if (strcmp (a, "--marker") == 0)
        marker_file = v;
      else
        goto usage;
      i++;
    }
  if (db == NULL || state_file == NULL || max_tries < 1 || max_tries > 15)
    goto usage;
  tries = max_tries;

  sigemptyset (&mask);
  sigaddset (&mask, SIGUSR1);
  sigaddset (&mask, SIGUSR2);
  sigaddset (&mask, SIGTERM);
  sigaddset (&mask, SIGINT);
  sigprocmask (SIG_BLOCK, &mask, NULL);
  sigfd = signalfd (-1, &mask, SFD_CLOEXEC);
  if (sigfd < 0)
    {
      perror ("signalfd");
      return 1;
    }

  snprintf (opts, sizeof opts,
            "use_hw=no db=\"sql:%s\" soft=(," READER_NAME ",CAC,,auth,sign,enc)", db);
  emul_opts = vcard_emul_options (opts);
  if (emul_opts == NULL || vcard_emul_init (emul_opts) != VCARD_EMUL_OK)
    {
      fprintf (stderr, "zid-vcard-bridge: libcacard could not open %s\n", db);
      return 1;
    }
  reader = vreader_get_reader_by_name (READER_NAME);
  if (reader == NULL)
    {
      fprintf (stderr, "zid-vcard-bridge: no soft reader\n");
      return 1;
    }
  drain_events ();
  power_on ();

  while (running)
    {
      struct pollfd p[2];
      int nfds = 1;
      int pending_signal = 0;
      int rc;

      if (inserted && fd < 0)
        {
          fd = connect_vpcd (port);
          if (fd >= 0)
            write_state ("inserted");
        }

      p[0].fd = sigfd;
      p[0].events = POLLIN;
      if (fd >= 0)
        {
          p[1].fd = fd;
          p[1].events = POLLIN;
          nfds = 2;
        }
      /* Not connected while inserted: pcscd is away, try again shortly */
      rc = poll (p, (nfds_t) nfds, (inserted && fd < 0) ? 100 : -1);
      if (rc < 0 && errno != EINTR)
        break;
      if (rc <= 0)
        continue;

      if (nfds == 2 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
        {
          if (handle_message (fd, sigfd, &pending_signal) < 0)
            {
              close (fd);
              fd = -1;
              /* Reconnecting starts a new session: power cycle the card */
              power_on ();
            }
        }

      if (pending_signal == 0 && (p[0].revents & POLLIN))
        {
          struct signalfd_siginfo si;
          if (read (sigfd, &si, sizeof si) == sizeof si)
            pending_signal = (int) si.ssi_signo;
        }

      switch (pending_signal)
        {
        case SIGUSR1:
          if (fd >= 0)
            close (fd);
          fd = -1;
          if (inserted)
            {
              vcard_emul_force_card_remove (reader);
              drain_events ();
            }
          inserted = 0;
          write_state ("removed");
          break;
        case SIGUSR2:
          if (!inserted)
            {
              vcard_emul_force_card_insert (reader);
              drain_events ();
              power_on ();
              inserted = 1;
            }
          else if (fd >= 0)
            write_state ("inserted");
          break;
        case SIGTERM:
        case SIGINT:
          running = 0;
          break;
        default:
          break;
        }
    }

  if (fd >= 0)
    close (fd);
  return 0;

usage:
  fprintf (stderr, "usage: zid-vcard-bridge --db DIR --port PORT --state FILE "
                   "[--pin-tries N] [--sign-delay-ms MS] [--marker FILE]\n");
  return 2;
}
