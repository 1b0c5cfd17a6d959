#!/bin/sh
# The Mallard help: the pages the application promises exist, each one is
# valid Mallard (`yelp-check validate`, or well-formed XML where yelp-tools
# is missing), every link resolves, and yelp-build makes the HTML the
# application opens where there is no Yelp.
set -eu
pages="${ZID_SOURCE_ROOT:?ZID_SOURCE_ROOT is set by tests/meson.build}/help/C"
failed=0
say() { printf '%s\n' "$*"; }

for id in index eerste-start registratie gebruikers-rollen blokkeren-certificaten kaartproblemen \
          importeren brieven openstaande-registraties logboek voorkeuren; do
  if grep -q "id=\"$id\"" "$pages/$id.page" 2>/dev/null && grep -q 'xml:lang="nl"' "$pages/$id.page"; then
    say "ok: $id.page (Dutch)"
  else
    say "not ok: $id.page missing, without its id, or not Dutch"; failed=1
  fi
done

# every page is installed: help/meson.build lists it
for f in "$pages"/*.page; do
  name=$(basename "$f")
  if grep -q "'$name'" "$pages/../meson.build"; then
    say "ok: $name installed"
  else
    say "not ok: $name is not in help/meson.build"; failed=1
  fi
done

if command -v yelp-check >/dev/null 2>&1; then
  if yelp-check validate "$pages"/*.page; then
    say "ok: yelp-check validate"
  else
    say "not ok: yelp-check validate"; failed=1
  fi
  out=$(yelp-check links "$pages" 2>&1)
  if [ -z "$out" ]; then say "ok: yelp-check links"; else say "not ok: broken links: $out"; failed=1; fi
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/zid-help.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  yelp-build html -o "$tmp/" "$pages"/*.page
  for f in "$pages"/*.page; do
    h="$tmp/$(basename "$f" .page).html"
    [ -s "$h" ] || { say "not ok: yelp-build made no $(basename "$h")"; failed=1; }
  done
  grep -q 'Hulp bij ZORG-ID Portaal' "$tmp/index.html" && say "ok: yelp-build html" ||
    { say "not ok: index.html has no title"; failed=1; }
else
  say "# yelp-check not installed (Debian package yelp-tools): well-formedness only"
  for f in "$pages"/*.page; do
    if /usr/bin/python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$f"; then
      say "ok: $(basename "$f") is well-formed XML"
    else
      say "not ok: $(basename "$f") is not well-formed"; failed=1
    fi
  done
fi
exit "$failed"
