#!/usr/bin/env bash
# check-pcsc-client.sh — does a newer pcsc-lite client talk to this host's pcscd?
#
#   flatpak/pcsc-check/check-pcsc-client.sh [SUITE]      (as root; default SUITE: sid)
#
# The Flatpak bundles a pcsc-lite client library that must talk to whatever
# pcscd the host runs (Debian 12: 1.9.9, protocol 4:4). This fetches the
# client library (libpcsclite1) of Debian SUITE, with that suite's C library
# (a newer client is built against a newer glibc), checking every file
# against the suite's signed InRelease with Debian's archive keyring. Then,
# in the software card chain of tests/card/softcard.sh (this host's own
# pcscd, the vpcd reader and a software UZI-pas), it runs through that
# client and that glibc's loader:
#   1. pcsc-probe: list readers, wait for the card, connect, read the ATR;
#   2. zorgid-admin card status: the product's own path, OpenSC's PKCS#11
#      module reading the card's certificates.
# Each run prints the client library it loaded. Needs a built tree
# (ZID_BUILD_ROOT, default ./_build), gcc, gpgv, curl, root (softcard).
set -euo pipefail

suite=${1:-sid}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_root=$(cd "$here/../.." && pwd)
export ZID_BUILD_ROOT=${ZID_BUILD_ROOT:-$source_root/_build}
mirror=http://deb.debian.org/debian
work=$(mktemp -d /tmp/zid-pcsc-check.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

fetch () { curl -fsS --retry 2 -o "$2" "$mirror/$1"; }

# The suite's signed index, then Packages by the hash InRelease gives
fetch "dists/$suite/InRelease" InRelease
gpgv --keyring /usr/share/keyrings/debian-archive-keyring.gpg InRelease 2>/dev/null ||
  { echo "InRelease of $suite: bad signature" >&2; exit 1; }
want=$(awk '/^SHA256:/{s=1;next} /^[A-Za-z]/{s=0} s && $3=="main/binary-amd64/Packages.xz"{print $1}' InRelease)
fetch "dists/$suite/main/binary-amd64/Packages.xz" Packages.xz
echo "$want  Packages.xz" | sha256sum -c --quiet
xz -d Packages.xz

package () {
  local file sum
  file=$(awk -v p="$1" '$1=="Package:"{x=($2==p)} x && $1=="Filename:"{print $2}' Packages)
  sum=$(awk -v p="$1" '$1=="Package:"{x=($2==p)} x && $1=="SHA256:"{print $2}' Packages)
  [ -n "$file" ] || { echo "no package $1 in $suite" >&2; exit 1; }
  fetch "$file" "$1.deb"
  echo "$sum  $1.deb" | sha256sum -c --quiet
  dpkg-deb -x "$1.deb" root
  echo "$1 $(dpkg-deb -f "$1.deb" Version)"
}
package libpcsclite1
package libc6
package libgcc-s1

gcc -O2 -Wall $(pkg-config --cflags libpcsclite) "$here/pcsc-probe.c" -o pcsc-probe \
    $(pkg-config --libs libpcsclite)
"$source_root/tests/card/make-pki.sh" corpus pki >/dev/null
"$source_root/tests/card/make-pki.sh" card pki probe >/dev/null

newer="$work/root/usr/lib64/ld-linux-x86-64.so.2 --library-path $work/root/usr/lib/x86_64-linux-gnu"
"$source_root/tests/card/softcard.sh" run -- bash -c '
  set -e
  "$ZID_SOFTCARD" insert pki/cards/probe
  echo "host: $(pcscd --version | head -1)"
  echo "--- $1 client: pcsc-probe"
  $1 ./pcsc-probe
  echo "--- $1 client: zorgid-admin card status"
  $1 "$ZID_BUILD_ROOT/src/cli/zorgid-admin" --data-dir "$PWD/data" card status > status.txt
  cat status.txt
  LD_DEBUG=libs $1 "$ZID_BUILD_ROOT/src/cli/zorgid-admin" --data-dir "$PWD/data" card status 2>&1 >/dev/null |
    grep -o "calling init: [^ ]*libpcsclite[^ ]*" | sort -u
' check "$newer"
echo "ok: the $suite pcsc-lite client read the card through this host's pcscd"
