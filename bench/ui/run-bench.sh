#!/usr/bin/env bash
# run-bench.sh BUILD_DIR [RUNS] — the window's benchmarks (not tests):
#   1. start to first frame of zorgid-portaal against
#      `gnome-text-editor --standalone`, alternating, in one Xvfb
#      (TESTING.md §D; needs the gnome-text-editor package);
#   2. search in 100,000 users: each keystroke's filter time;
#   3. change to screen: a change by another connection to the painted row.
# Both apps get fresh config/data/state dirs per run, one fixed cache dir
# (Mesa's shader cache), the default GSK renderer (GL on llvmpipe here),
# and one D-Bus session. zorgid-portaal opens a data dir made beforehand
# (the common start: an installed portal), on a free local port.
set -euo pipefail
build=${1:?usage: run-bench.sh BUILD_DIR [RUNS]}
runs=${2:-10}
for tool in xvfb-run dbus-run-session; do
  command -v $tool >/dev/null || { echo "run-bench.sh: $tool missing" >&2; exit 1; }
done
if [ -z "${BENCH_INSIDE:-}" ]; then
  command -v gnome-text-editor >/dev/null ||
    { echo "run-bench.sh: gnome-text-editor missing (apt-get install gnome-text-editor)" >&2; exit 1; }
  work=$(mktemp -d /tmp/zid-bench-ui.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work"/{cache,runtime,home}
  chmod 0700 "$work/runtime"
  export BENCH_INSIDE=1 BENCH_WORK=$work
  export HOME=$work/home XDG_CACHE_HOME=$work/cache XDG_RUNTIME_DIR=$work/runtime
  export GSETTINGS_SCHEMA_DIR=$build/data
  unset G_DEBUG MALLOC_CHECK_ GSK_RENDERER
  xvfb-run -a -s '-screen 0 1280x800x24 -nolisten tcp' dbus-run-session -- "$0" "$@"
  exit $?
fi

work=$BENCH_WORK
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$build/src/cli/zorgid-admin" --data-dir "$work/portal" config set service-address "127.0.0.1:$port" >/dev/null
"$build/src/cli/zorgid-admin" --data-dir "$work/portal" registration add --ura 12345678 --name "Zorggroep Noord" >/dev/null
"$build/src/cli/zorgid-admin" --data-dir "$work/portal" organisation bootstrap --ura 12345678 \
  --first-name Anna --last-name Admin --birth-date 1980-01-01 >/dev/null

fresh='d=$BENCH_WORK/run-$BENCH_RUN-$$; mkdir -p $d/config $d/data $d/state;
  export XDG_CONFIG_HOME=$d/config XDG_DATA_HOME=$d/data XDG_STATE_HOME=$d/state;'
echo "== Start to first frame ($runs runs each, alternating; GSK renderer: default)"
"$build/bench/ui/bench-first-frame" --runs "$runs" \
  "zorgid-portaal=$fresh GSETTINGS_BACKEND=memory exec $build/src/ui/zorgid-portaal --data-dir $work/portal --environment acceptatie" \
  "gnome-text-editor=$fresh exec gnome-text-editor --standalone"

echo
echo "== Search in 100,000 users"
"$build/bench/ui/bench-search" --users 100000 --rounds 5

echo
echo "== Change to screen at 100,000 users"
"$build/bench/ui/bench-live" --users 100000 --changes 100 --idle 10
