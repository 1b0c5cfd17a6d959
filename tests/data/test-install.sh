#!/bin/sh
# Install the build into a temporary DESTDIR, the way a package or the
# Flatpak does, and check the installed tree (check-install.py).
set -eu

build="${ZID_BUILD_ROOT:?ZID_BUILD_ROOT is set by tests/meson.build}"
here=$(cd "$(dirname "$0")" && pwd)

if ! command -v meson >/dev/null 2>&1; then
  echo "SKIP: meson is not on PATH, cannot run meson install" >&2
  exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/zid-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# Not --no-rebuild: `meson test` builds only what tests depend on, and this
# test depends on everything that is installed.  It runs alone (is_parallel
# false), so building here races with no other test.
meson install -C "$build" --destdir "$tmp/dest" --quiet
/usr/bin/python3 "$here/check-install.py" "$build" "$tmp/dest"
