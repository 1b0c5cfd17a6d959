#!/usr/bin/env bash
# The manual pages of zorgid-admin, zorgid-mobile and zorgid-portaal render
# with man(1) without a warning, and name what they document. TAP output;
# exit 77 (skip) only where man is not installed (package man-db).
set -u

command -v man >/dev/null || { echo "1..0 # SKIP man is not installed (man-db)"; exit 77; }
pages="${ZID_SOURCE_ROOT:?}/docs/man"
n=0
ok() {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
  [ "$1" = 0 ] || [ -z "${3:-}" ] || printf '%s\n' "$3" | sed 's/^/# /'
}

check_page() {
  local page="$pages/$1.1" out warnings
  shift
  out=$(MANWIDTH=80 LC_ALL=C.UTF-8 man -l "$page" 2>/dev/null)
  ok $? "man -l $(basename "$page") renders"
  warnings=$(MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$page" 2>&1 >/dev/null)
  [ -z "$warnings" ]; ok $? "$(basename "$page"): no warnings from groff" "$warnings"
  for want in "$@"; do
    grep -qF -- "$want" <<<"$out"; ok $? "$(basename "$page") names “$want”" "$(head -20 <<<"$out")"
  done
}

check_page zorgid-admin NAME SYNOPSIS "zorgid-admin - the command line" "--version" "--data-dir DIR" \
  "user register" "certificate list" "trust list" "backup OUT" "restore" "doctor" "lost-smartphone" "EXIT STATUS"
check_page zorgid-mobile NAME SYNOPSIS "enrol" "login" "--qr-image FILE" "--version" "EXIT STATUS"
check_page zorgid-portaal NAME SYNOPSIS "--data-dir" "--environment" "--version"

# the sections reach the install: every page is listed in the build
for p in zorgid-admin zorgid-mobile zorgid-portaal; do
  grep -q "'$p.1'" "$pages/meson.build"; ok $? "$p.1 installed by docs/man/meson.build"
done

echo "1..$n"
