#!/usr/bin/env bash
# The headless service and another process on one data dir, side by side:
# `zorgid-admin service run` redeems codes for phones (zorgid-mobile) while
# a second process registers users and changes roles, as the window does.
# Nothing may be lost: every registration and every enrolment is there
# afterwards, each with its audit event, and the chain verifies. TAP.
set -u
admin="${ZID_BUILD_ROOT:?}/src/cli/zorgid-admin"
mobile="$ZID_BUILD_ROOT/src/mobile/zorgid-mobile"
dir=$(mktemp -d)
service_pid=
cleanup() {
  [ -n "$service_pid" ] && kill "$service_pid" 2>/dev/null && wait "$service_pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
n=0
failed=0
check() {
  n=$((n + 1))
  if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; failed=1; fi
}

A() { "$admin" --data-dir "$dir/data" "$@"; }
. "${ZID_SOURCE_ROOT:?}/tests/service/fixture.sh"
service_fixture "$dir/data"

# codes for the phones, made before the service starts
phones=12
for i in $(seq 1 $phones); do
  A --json user register --as 1 --organisation 12345678 --first-name "Telefoon$i" \
    --last-name Gebruiker --birth-date 1990-01-01 >"$dir/code$i.json"
done

"$admin" --data-dir "$dir/data" service run --listen "127.0.0.1:$port" >"$dir/service.out" 2>"$dir/service.log" &
service_pid=$!
wait_for_port || { echo "not ok 1 - the service did not listen within 60 s"; cat "$dir/service.log"; exit 1; }

# the phones enrol while another process writes
for i in $(seq 1 $phones); do
  payload=$(sed 's/.*"enrolment_payload":"\([^"]*\)".*/\1/' "$dir/code$i.json")
  # as a person would, a phone whose request found the service too busy
  # or too slow to answer (a loaded machine, AddressSanitizer) scans the
  # same QR again; a code once redeemed is refused then, so a retry can
  # only ever enrol once
  (for try in 1 2 3 4 5; do
     "$mobile" --data-dir "$dir/phone$i" --pin-file "$dir/pin" --json enrol "$payload" \
       >"$dir/phone$i.out" 2>"$dir/phone$i.err"
     rc=$?
     [ "$rc" = 0 ] && break
     grep -qE '"error" : "(failed|busy|throttled)"' "$dir/phone$i.out" || break
     cat "$dir/phone$i.out" >>"$dir/phone$i.retried"
     sleep 1
   done
   echo $rc >"$dir/phone$i.rc") &
done
writers=30
for i in $(seq 1 $writers); do
  (A user register --as 1 --organisation 12345678 --first-name "Schrijver$i" \
     --last-name Gebruiker --birth-date 1991-02-03 >/dev/null 2>"$dir/writer$i.err";
   echo $? >"$dir/writer$i.rc") &
done
wait $(jobs -p | grep -v "^$service_pid$") 2>/dev/null
for i in $(seq 1 $phones) ; do while [ ! -f "$dir/phone$i.rc" ]; do sleep 0.1; done; done
for i in $(seq 1 $writers); do while [ ! -f "$dir/writer$i.rc" ]; do sleep 0.1; done; done

ok_phones=$(cat "$dir"/phone*.rc | grep -c '^0$')
ok_writers=$(cat "$dir"/writer*.rc | grep -c '^0$')
check "every phone enrolled ($ok_phones of $phones)" '[ "$ok_phones" = "$phones" ]'
for i in $(seq 1 $phones); do
  [ "$(cat "$dir/phone$i.rc")" = 0 ] || sed 's/^/# phone '"$i"': /' "$dir/phone$i.out" "$dir/phone$i.err"
done
retried=$(cat "$dir"/phone*.retried 2>/dev/null | grep -c '"error"')
echo "# tries again after a busy or unanswered request: $retried"
check "every registration by the other process succeeded ($ok_writers of $writers)" '[ "$ok_writers" = "$writers" ]'

kill "$service_pid"; wait "$service_pid"; rc=$?; service_pid=
check "the service stops cleanly on SIGTERM" '[ "$rc" = 0 ]'

db="$dir/data/zorgid.db"
users=$(sqlite3 "$db" 'SELECT count(*) FROM users')
certs=$(sqlite3 "$db" 'SELECT count(*) FROM certificates')
enrol_events=$(sqlite3 "$db" "SELECT count(*) FROM audit WHERE action = 'mobile.enrol'")
register_events=$(sqlite3 "$db" "SELECT count(*) FROM audit WHERE action = 'user.register'")
check "all users are there (1 + $phones + $writers = $users)" '[ "$users" = $((1 + phones + writers)) ]'
check "every enrolment left a certificate ($certs)" '[ "$certs" = "$phones" ]'
check "every enrolment and registration is audited" '[ "$enrol_events" = "$phones" ] && [ "$register_events" = $((phones + writers)) ]'
check "the audit chain verifies" 'A audit verify >/dev/null'

echo "1..$n"
exit $failed
