#!/usr/bin/env bash
# softcard.sh — a software UZI-pas in a software card reader, for tests.
#
# The chain is the real one: a private pcscd loads the vsmartcard vpcd reader
# driver (readers "Virtual PCD 00 00" on port 35963 and "Virtual PCD 00 01"
# on 35964), our libcacard bridge (zid-vcard-bridge) plays the card, and
# OpenSC's PKCS#11 module reads it through PC/SC like any real card.
#
#   softcard.sh run -- CMD [ARGS...]
#       Runs CMD in a private mount+network namespace (unshare, as root) with
#       its own pcscd (tmpfs on /run/pcscd). CMD and its children use the
#       other verbs below; everything is stopped when CMD ends, and CMD's
#       exit status is returned. Exits 77 (skip) when a tool is absent:
#       unshare/root, pcscd, the vpcd driver, OpenSC or the bridge.
#       Inside, these variables are set: ZID_SOFTCARD (this script),
#       ZID_SOFTCARD_DIR (state dir), ZID_PKCS11_MODULE (OpenSC's module),
#       ZID_PKCS11_REGISTERED=0 (only that module is loaded).
#   softcard.sh insert CARD_DIR [--reader N] [--sign-delay-ms MS] [--pin-tries N]
#       Puts the card made by `make-pki.sh card PKI NAME` (CARD_DIR =
#       PKI/cards/NAME) into reader N (0 or 1, default 0) and waits until
#       PC/SC sees it. If that card was pulled out of reader N before, the
#       same card goes back (its PIN retry counter is kept); another card
#       replaces it (fresh counter). --sign-delay-ms holds each signature
#       back (see `marker`), --pin-tries sets the retry counter (default 3).
#   softcard.sh remove [--reader N]
#       Pulls the card out (the card keeps its PIN counter) and waits until
#       PC/SC sees it gone.
#   softcard.sh eject [--reader N]   Pulls the card out and forgets it.
#   softcard.sh marker [--reader N]  Prints the file that appears while a
#       held-back signature is in progress (remove it before the operation).
#   softcard.sh stop-pcscd | start-pcscd   Stops / starts the private pcscd.
#
# Example (a card with another URA and card type, then an identity read):
#   make-pki.sh card "$pki" admin --ura 87654321 --type M --given Renée
#   softcard.sh run -- sh -c '"$ZID_SOFTCARD" insert "$0"/cards/admin &&
#       zorgid-admin card status --json' "$pki"
set -euo pipefail

self=$(readlink -f "${BASH_SOURCE[0]}")
die () { echo "softcard.sh: $*" >&2; exit 1; }
skip () { echo "softcard.sh: SKIP: $*" >&2; exit 77; }

opensc_module () {
  local m
  for m in /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so /usr/lib/*/opensc-pkcs11.so /usr/lib/opensc-pkcs11.so; do
    [ -e "$m" ] && { echo "$m"; return 0; }
  done
  return 1
}

bridge_bin () {
  local b=${ZID_VCARD_BRIDGE:-}
  [ -n "$b" ] || b=${ZID_BUILD_ROOT:-}/tests/card/zid-vcard-bridge
  [ -x "$b" ] && echo "$b"
}

reader_of () {
  local r=0
  while [ $# -gt 0 ]; do
    case $1 in --reader) r=$2; shift 2;; *) shift;; esac
  done
  case $r in 0|1) echo "$r";; *) die "reader must be 0 or 1";; esac
}

# pcsc_sees N yes|no: wait until PC/SC reports a card in reader N (or none)
pcsc_sees () {
  local n=$1 want=$2 i
  for i in $(seq 1 100); do
    local line
    line=$(opensc-tool --list-readers 2>/dev/null | grep -E "Virtual PCD 00 0$n\$" || true)
    if [ "$want" = yes ] && [[ $line == *" Yes "* ]]; then return 0; fi
    if [ "$want" = no ] && [ -n "$line" ] && [[ $line != *" Yes "* ]]; then return 0; fi
    sleep 0.05
  done
  die "reader $n: PC/SC did not see the card $( [ "$want" = yes ] && echo arrive || echo leave)"
}

wait_state () {
  local f=$1 want=$2 i
  for i in $(seq 1 200); do
    [ -f "$f" ] && [ "$(cat "$f")" = "$want" ] && return 0
    sleep 0.025
  done
  die "bridge did not report $want"
}

start_pcscd () {
  local d=$ZID_SOFTCARD_DIR i
  pcscd -f >>"$d/pcscd.log" 2>&1 &
  echo $! >"$d/pcscd.pid"
  for i in $(seq 1 200); do
    [ -S /run/pcscd/pcscd.comm ] && return 0
    sleep 0.025
  done
  die "pcscd did not start (see $d/pcscd.log)"
}

stop_pcscd () {
  local d=$ZID_SOFTCARD_DIR pid
  [ -f "$d/pcscd.pid" ] || return 0
  pid=$(cat "$d/pcscd.pid")
  kill "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.02; done
  rm -f "$d/pcscd.pid"
}

kill_bridge () {
  local d=$ZID_SOFTCARD_DIR n=$1 pid
  [ -f "$d/bridge$n.pid" ] || return 0
  pid=$(cat "$d/bridge$n.pid")
  kill "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.02; done
  rm -f "$d/bridge$n.pid" "$d/bridge$n.card" "$d/bridge$n.state"
}

inside () {
  # Runs in the private namespace
  local d
  d=$(mktemp -d /tmp/zid-softcard.XXXXXX)
  export ZID_SOFTCARD_DIR=$d ZID_SOFTCARD=$self
  export ZID_PKCS11_MODULE=${ZID_PKCS11_MODULE:-$(opensc_module)}
  export ZID_PKCS11_REGISTERED=0
  ip link set lo up
  mkdir -p /run/pcscd
  mount -t tmpfs -o mode=0755 tmpfs /run/pcscd
  cleanup () {
    kill_bridge 0; kill_bridge 1; stop_pcscd
    umount /run/pcscd 2>/dev/null || true
    [ -n "${ZID_SOFTCARD_KEEP:-}" ] || rm -rf "$d"
  }
  trap cleanup EXIT
  start_pcscd
  local rc=0
  "$@" || rc=$?
  exit "$rc"
}

cmd=${1:-}; [ $# -gt 0 ] && shift
case $cmd in
  run)
    [ "${1:-}" = -- ] && shift
    [ $# -gt 0 ] || die "usage: softcard.sh run -- CMD [ARGS...]"
    [ "$(id -u)" = 0 ] || skip "needs root for unshare and a private pcscd"
    command -v unshare >/dev/null || skip "unshare (util-linux) not installed"
    command -v pcscd >/dev/null || skip "pcscd not installed"
    command -v ip >/dev/null || skip "ip (iproute2) not installed"
    command -v opensc-tool >/dev/null || skip "opensc not installed"
    ls /usr/lib/pcsc/drivers/serial/libifdvpcd.so >/dev/null 2>&1 || skip "vsmartcard-vpcd not installed"
    opensc_module >/dev/null || skip "opensc-pkcs11 not installed"
    [ -n "$(bridge_bin)" ] || skip "zid-vcard-bridge not built (libcacard-dev missing?)"
    export ZID_VCARD_BRIDGE
    ZID_VCARD_BRIDGE=$(bridge_bin)
    exec unshare -mn --propagation private -- "$self" __inside "$@"
    ;;
  __inside)
    inside "$@"
    ;;
  insert)
    [ -n "${ZID_SOFTCARD_DIR:-}" ] || die "insert: not inside 'softcard.sh run'"
    card=$(readlink -f "${1:?usage: softcard.sh insert CARD_DIR [--reader N]}"); shift
    [ -d "$card/nssdb" ] || die "insert: $card has no nssdb (made by make-pki.sh card?)"
    n=$(reader_of "$@")
    delay=0; ptries=3
    while [ $# -gt 0 ]; do
      case $1 in
        --sign-delay-ms) delay=$2; shift 2;; --pin-tries) ptries=$2; shift 2;;
        --reader) shift 2;; *) die "insert: unknown option $1";;
      esac
    done
    d=$ZID_SOFTCARD_DIR
    if [ -f "$d/bridge$n.pid" ] && [ "$(cat "$d/bridge$n.card")" = "$card $delay $ptries" ] &&
       [ "$(cat "$d/bridge$n.state" 2>/dev/null)" = removed ]; then
      kill -USR2 "$(cat "$d/bridge$n.pid")"
    else
      kill_bridge "$n"
      echo "$card $delay $ptries" >"$d/bridge$n.card"
      "$ZID_VCARD_BRIDGE" --db "$card/nssdb" --port $((35963 + n)) --state "$d/bridge$n.state" \
        --sign-delay-ms "$delay" --pin-tries "$ptries" --marker "$d/bridge$n.signing" \
        >>"$d/bridge$n.log" 2>&1 &
      echo $! >"$d/bridge$n.pid"
    fi
    wait_state "$d/bridge$n.state" inserted
    pcsc_sees "$n" yes
    ;;
  remove|eject)
    [ -n "${ZID_SOFTCARD_DIR:-}" ] || die "$cmd: not inside 'softcard.sh run'"
    n=$(reader_of "$@"); d=$ZID_SOFTCARD_DIR
    if [ -f "$d/bridge$n.pid" ]; then
      if [ "$cmd" = eject ]; then
        kill_bridge "$n"
      else
        kill -USR1 "$(cat "$d/bridge$n.pid")"
        wait_state "$d/bridge$n.state" removed
      fi
      pcsc_sees "$n" no
    fi
    ;;
  marker)
    [ -n "${ZID_SOFTCARD_DIR:-}" ] || die "marker: not inside 'softcard.sh run'"
    n=$(reader_of "$@")
    echo "$ZID_SOFTCARD_DIR/bridge$n.signing"
    ;;
  stop-pcscd) stop_pcscd ;;
  start-pcscd) start_pcscd ;;
  *) die "usage: softcard.sh run -- CMD | insert CARD_DIR [--reader N] | remove | eject | marker | stop-pcscd | start-pcscd" ;;
esac
