#!/usr/bin/env bash
# `zorgid-admin service run` tells a person when the enrolment service
# stops taking on work (the disk nearly full) and when it takes on work
# again: a line on stderr each way, and with --json a JSON line on stdout.
# The disk is a real one: a small tmpfs in a private mount namespace (as
# root, or in a user namespace), filled and emptied again. TAP.
set -u
mobile="${ZID_BUILD_ROOT:?}/src/mobile/zorgid-mobile"

if [ -z "${ZID_STATUS_INSIDE:-}" ]; then
  export ZID_STATUS_INSIDE=1
  if [ "$(id -u)" = 0 ]; then
    exec unshare -m --propagation private "$0" "$@"
  fi
  unshare -rm --propagation private true 2>/dev/null || { echo "1..0 # SKIP no mount namespace"; exit 77; }
  exec unshare -rm --propagation private "$0" "$@"
fi

. "${ZID_SOURCE_ROOT:?}/tests/core/tap.sh"
# the command line's English status lines are what it checks
unset LANGUAGE
. "$ZID_SOURCE_ROOT/tests/service/fixture.sh"
service_pid=
cleanup() {
  [ -n "$service_pid" ] && kill "$service_pid" 2>/dev/null && wait "$service_pid" 2>/dev/null
  umount "$dir/fs" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
check() { eval "$2"; ok $? "$1" "${3:-}"; }

mkdir -p "$dir/fs"
mount -t tmpfs -o size=24m tmpfs "$dir/fs" || { echo "1..0 # SKIP cannot mount a tmpfs"; exit 77; }
data="$dir/fs/data"
service_fixture "$data"

"$admin" --data-dir "$data" --json service run --listen "127.0.0.1:$port" --min-free-space 8 >"$dir/service.out" 2>"$dir/service.log" &
service_pid=$!
wait_for_port

poke() {
  curl -sk -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    --data '{}' "https://127.0.0.1:$port/v1/enrolment"
}
wait_for() {
  for _ in $(seq 1 50); do grep -q "$1" "$2" && return 0; sleep 0.1; done
  return 1
}

check "plenty of room: no status line" '! grep -q "takes on" "$dir/service.log"'

# leave 4 MiB free, under the 8 MiB asked for
free_kib=$(df -k --output=avail "$dir/fs" | tail -n 1)
dd if=/dev/zero of="$dir/fs/filler" bs=1K count=$((free_kib - 4096)) status=none
status=$(poke)
check "the disk nearly full: a phone is answered 503 ($status)" '[ "$status" = 503 ]'
check "stderr says the service takes on no work, and why" \
  'wait_for "takes on no work: .*schijfruimte" "$dir/service.log"'
check "--json: a status line, not taking work, with the message" \
  'wait_for "\"event\":\"status\",\"taking_work\":false,\"message\":\".*schijfruimte" "$dir/service.out"'
"$mobile" --data-dir "$dir/phone" --pin-file "$dir/pin" enrol "$payload" >"$dir/phone1.out" 2>&1
rc=$?
check "a phone cannot enrol meanwhile, and is told why" '[ "$rc" != 0 ] && grep -q schijfruimte "$dir/phone1.out"'

rm -f "$dir/fs/filler"
sleep 1.1   # the service looks at the disk at most once a second
status=$(poke)
check "room again: the request is taken on ($status)" '[ "$status" != 503 ]'
check "stderr says the service takes on work again" 'wait_for "takes on work again" "$dir/service.log"'
check "--json: a status line, taking work, no message" \
  'wait_for "\"event\":\"status\",\"taking_work\":true,\"message\":null" "$dir/service.out"'
"$mobile" --data-dir "$dir/phone" --pin-file "$dir/pin" enrol "$payload" >"$dir/phone2.out" 2>&1
rc=$?
check "the same code enrols now" '[ "$rc" = 0 ]'
check "each change told once" '[ "$(grep -c "^zorgid-admin: the enrolment service takes on" "$dir/service.log")" = 2 ] && [ "$(grep -c "\"event\":\"status\"" "$dir/service.out")" = 2 ]'
check "the first JSON line is still the listening one" 'head -n 1 "$dir/service.out" | grep -q "\"listening\""'

kill "$service_pid"; wait "$service_pid"; rc=$?; service_pid=
check "the service stops cleanly ($rc)" '[ "$rc" = 0 ]'

echo "# service log:"; sed 's/^/# /' "$dir/service.log"
echo "# service out:"; sed 's/^/# /' "$dir/service.out"
echo "1..$n"
