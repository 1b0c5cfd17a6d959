/* pcsc-probe.c — lists the readers, waits for a card, connects and reads its
 * ATR through whichever libpcsclite the dynamic linker gives it; prints the
 * library's file so the run shows which client talked to the pcscd */
#define _GNU_SOURCE
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <winscard.h>

static int
show_library (struct dl_phdr_info *info, size_t size, void *data)
{
  (void) size; (void) data;
  if (strstr (info->dlpi_name, "libpcsclite") != NULL)
    printf ("library: %s\n", info->dlpi_name);
  return 0;
}

int
main (void)
{
  SCARDCONTEXT ctx;
  SCARDHANDLE card;
  char readers[2048];
  DWORD len = sizeof readers, protocol, state, atr_len = MAX_ATR_SIZE, name_len = 0;
  BYTE atr[MAX_ATR_SIZE];
  SCARD_READERSTATE rs;
  LONG rv;

  rv = SCardEstablishContext (SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
  dl_iterate_phdr (show_library, NULL);
  if (rv != SCARD_S_SUCCESS)
    return printf ("establish: %s\n", pcsc_stringify_error (rv)), 1;
  if ((rv = SCardListReaders (ctx, NULL, readers, &len)) != SCARD_S_SUCCESS)
    return printf ("list: %s\n", pcsc_stringify_error (rv)), 1;
  printf ("reader: %s\n", readers);
  memset (&rs, 0, sizeof rs);
  rs.szReader = readers;
  rs.dwCurrentState = SCARD_STATE_UNAWARE;
  if ((rv = SCardGetStatusChange (ctx, 5000, &rs, 1)) != SCARD_S_SUCCESS)
    return printf ("status change: %s\n", pcsc_stringify_error (rv)), 1;
  printf ("state: %s\n", (rs.dwEventState & SCARD_STATE_PRESENT) ? "card present" : "no card");
  if ((rv = SCardConnect (ctx, readers, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
                          &card, &protocol)) != SCARD_S_SUCCESS)
    return printf ("connect: %s\n", pcsc_stringify_error (rv)), 1;
  if ((rv = SCardStatus (card, NULL, &name_len, &state, &protocol, atr, &atr_len)) != SCARD_S_SUCCESS)
    return printf ("card status: %s\n", pcsc_stringify_error (rv)), 1;
  printf ("atr:");
  for (DWORD i = 0; i < atr_len; i++)
    printf (" %02X", atr[i]);
  printf ("\n");
  SCardDisconnect (card, SCARD_LEAVE_CARD);
  SCardReleaseContext (ctx);
  return 0;
}
