#!/bin/bash
# Build and install the application exactly as the Flatpak manifest's
# zorgid-portaal module does (its config-opts, prefix /app, libdir lib, no
# subproject downloads), into a temporary DESTDIR, and check the result.
# The GNOME runtime itself cannot be downloaded here; this is the part of
# the Flatpak build that depends on our code.
set -euo pipefail

src="${ZID_SOURCE_ROOT:?ZID_SOURCE_ROOT is set by tests/meson.build}"
here=$(cd "$(dirname "$0")" && pwd)
manifest="$src/flatpak/nl.zorgid.Portaal.json"

if ! command -v meson >/dev/null 2>&1; then
  echo "SKIP: meson is not on PATH" >&2
  exit 77
fi

mapfile -t opts < <(/usr/bin/python3 "$here/check-flatpak-manifest.py" \
  --print-config-opts zorgid-portaal "$manifest")
[ "${#opts[@]}" -gt 0 ] || { echo "not ok: no config-opts read from $manifest"; exit 1; }
echo "# config-opts from the manifest: ${opts[*]}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/zid-flatpak.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# What flatpak-builder passes to meson for a module, then the module's own.
meson setup "$tmp/build" "$src" \
  --prefix=/app --libdir=lib --wrap-mode=nodownload "${opts[@]}"
meson compile -C "$tmp/build"
meson install -C "$tmp/build" --destdir "$tmp/dest" --no-rebuild --quiet

/usr/bin/python3 "$here/check-install.py" "$tmp/build" "$tmp/dest"

# The manifest's command must be what this build installed.
if [ -x "$tmp/dest/app/bin/zorgid-portaal" ]; then
  echo "ok: /app/bin/zorgid-portaal, the manifest's command, is installed"
else
  echo "not ok: /app/bin/zorgid-portaal (the manifest's command) was not built with ${opts[*]}"
  exit 1
fi

# Administrators get no reference phone (and so no zbar).
if [ -e "$tmp/dest/app/bin/zorgid-mobile" ]; then
  echo "not ok: /app/bin/zorgid-mobile is installed with ${opts[*]}"
  exit 1
fi
if find "$tmp/dest/app" -name 'libzbar*' | grep -q .; then
  echo "not ok: zbar is installed with ${opts[*]}"
  exit 1
fi
echo "ok: neither zorgid-mobile nor zbar is installed"
