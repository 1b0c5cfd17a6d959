#!/bin/sh
# install-html.sh YELP_BUILD DIR PAGES_DIR: the help pages as HTML in
# <prefix>/DIR, for desktops without Yelp (meson install script).
set -eu
out="${MESON_INSTALL_DESTDIR_PREFIX:?run by meson install}/$2"
mkdir -p "$out"
"$1" html -o "$out/" "$3"/*.page
if [ -z "${MESON_INSTALL_QUIET:-}" ]; then
  echo "Installing the help as HTML to $out"
fi
