#!/bin/bash
# Runs journey.py against the real zorgid-portaal window: Xvfb, a private
# D-Bus session (AT-SPI comes with it) and fresh XDG dirs. Exit 77 (skip)
# only when Xvfb or dogtail is missing.
set -euo pipefail

JOURNEY=${1:?usage: journey.sh journey.py}
: "${ZID_BUILD_ROOT:?ZID_BUILD_ROOT not set (run through meson test)}"

PY=/usr/bin/python3
if ! command -v xvfb-run >/dev/null || ! command -v dbus-run-session >/dev/null; then
  echo "SKIP: xvfb-run or dbus-run-session missing"; exit 77
fi
if ! "$PY" -c 'import dogtail' 2>/dev/null; then
  echo "SKIP: dogtail missing for $PY"; exit 77
fi
for tool in zbarimg import; do
  command -v $tool >/dev/null || { echo "missing $tool (zbar-tools, imagemagick)"; exit 1; }
done

WORK=$(mktemp -d /tmp/zid-gui.XXXXXX)
# The application's log goes with the screenshots (artifacts)
trap 'cp "$WORK/app.log" "$ZID_SCREENSHOTS/" 2>/dev/null; rm -rf "$WORK"' EXIT
mkdir -p "$WORK"/{config,data,cache,state,runtime,home}
chmod 0700 "$WORK/runtime"

# Before dbus-run-session: the accessibility bus inherits this environment
export HOME="$WORK/home"
export XDG_CONFIG_HOME="$WORK/config" XDG_DATA_HOME="$WORK/data"
export XDG_CACHE_HOME="$WORK/cache" XDG_STATE_HOME="$WORK/state"
export XDG_RUNTIME_DIR="$WORK/runtime"
export GSETTINGS_BACKEND=memory
export GSETTINGS_SCHEMA_DIR="$ZID_BUILD_ROOT/data"
export GSK_RENDERER=cairo
export NO_AT_BRIDGE=0
# The window in Dutch, from the build tree's translations
export ZORGID_LOCALEDIR="$ZID_BUILD_ROOT/po"
export LC_ALL=C.UTF-8 LANGUAGE=nl
export ZID_GUI_WORK="$WORK"
export ZID_SCREENSHOTS="$ZID_BUILD_ROOT/tests/gui/screenshots"
# GTK's fatal warnings are for the unit tests; a GUI journey checks behaviour
unset G_DEBUG MALLOC_CHECK_
# One folder of screenshots per journey
ZID_SCREENSHOTS="$ZID_SCREENSHOTS/$(basename "$JOURNEY" .py)"
rm -rf "$ZID_SCREENSHOTS"; mkdir -p "$ZID_SCREENSHOTS"

# Not exec: the trap removes the work dir afterwards
rc=0
# A journey may ask for another screen (the window at 1024x768)
xvfb-run -a -s "-screen 0 ${ZID_GUI_SCREEN:-1280x800}x24 -nolisten tcp" \
  dbus-run-session -- "$PY" "$JOURNEY" || rc=$?
exit $rc
