#!/usr/bin/env bash
# Crash consistency of the enrolment service: 100 rounds in which
# `zorgid-admin service run` serves two phones (zorgid-mobile) enrolling at
# once and is killed with SIGKILL at a random moment. Afterwards the
# database passes `PRAGMA integrity_check`, `zorgid-admin audit verify` is
# intact, and every enrolment a phone saw acknowledged (its certificate
# came back) is there: the certificate with that serial, for that user,
# audited. TAP output.
set -u

rounds="${ZID_CRASH_ROUNDS:-100}"
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
mobile="$ZID_BUILD_ROOT/src/mobile/zorgid-mobile"
phones=2
service_pid=
trap '[ -n "$service_pid" ] && kill -9 "$service_pid" 2>/dev/null; [ -z "${ZID_TEST_DIR:-}" ] && rm -rf "$dir"' EXIT

A() { "$admin" --data-dir "$dir/data" "$@"; }
db="$dir/data/zorgid.db"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf '24680\n' >"$dir/pin"

A config set service-address "127.0.0.1:$port" >/dev/null &&
  A registration add --ura 12345678 --name "Zorggroep Noord" >/dev/null &&
  A organisation bootstrap --ura 12345678 --first-name Anna --last-name Admin --birth-date 1980-01-01 >/dev/null
ok $? "a data dir with an Administrator, the service address set"

# a code for the measurement (user 2) and for every phone of every round,
# made before the first round
A --json user register --as 1 --organisation 12345678 --first-name Meting \
  --last-name Gebruiker --birth-date 1990-01-01 >"$dir/code0.json"
made=0
for i in $(seq 1 $((rounds * phones))); do
  A --json user register --as 1 --organisation 12345678 --first-name Telefoon \
    --last-name Gebruiker --birth-date 1990-01-01 >"$dir/code$i.json" && made=$((made + 1))
done
[ "$made" = $((rounds * phones)) ]; ok $? "$made enrolment codes"

start_service() {
  "$admin" --data-dir "$dir/data" service run --listen "127.0.0.1:$port" \
    >"$dir/service.out" 2>"$dir/service.log" &
  service_pid=$!
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.02
  done
}

# how long an enrolment takes here (the phone's whole run), to spread the
# kills over it
start_service
start=$(date +%s%N)
"$mobile" --data-dir "$dir/phone0" --pin-file "$dir/pin" --json enrol \
  "$(sed 's/.*"enrolment_payload":"\([^"]*\)".*/\1/' "$dir/code0.json")" >/dev/null 2>&1
ok $? "one enrolment without a kill"
span=$(( ($(date +%s%N) - start) / 1000000 * 2 ))   # ms, two enrolments (a loaded machine is slower in the rounds)
kill -9 "$service_pid"; wait "$service_pid" 2>/dev/null; service_pid=
echo "# one enrolment: $((span / 2)) ms; kills spread over $span ms"

acknowledged=()   # "user serial"
killed_busy=0
for round in $(seq "$rounds"); do
  start_service
  pids=()
  for p in $(seq 1 $phones); do
    i=$(( (round - 1) * phones + p ))
    payload=$(sed 's/.*"enrolment_payload":"\([^"]*\)".*/\1/' "$dir/code$i.json")
    "$mobile" --data-dir "$dir/phone$i" --pin-file "$dir/pin" --json enrol "$payload" \
      >"$dir/phone$i.out" 2>"$dir/phone$i.err" &
    pids+=($!)
  done
  delay=$(( RANDOM % span ))
  sleep "$((delay / 1000)).$(printf '%03d' $((delay % 1000)))"
  busy=0
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && busy=1; done
  kill -9 "$service_pid" 2>/dev/null
  wait "$service_pid" 2>/dev/null
  service_pid=
  killed_busy=$((killed_busy + busy))
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  for p in $(seq 1 $phones); do
    i=$(( (round - 1) * phones + p ))
    user=$(sed -n 's/^{"user":\([0-9]*\),.*/\1/p' "$dir/code$i.json")
    serial=$(sed -n 's/^ *"serial" : "\([0-9a-f]*\)".*/\1/p' "$dir/phone$i.out")
    [ -n "$serial" ] && acknowledged+=("$user $serial")
  done
done
enrolled=$(sqlite3 "$db" "SELECT count(*) FROM certificates WHERE user_id > 2" 2>/dev/null)
echo "# $rounds rounds, $((rounds * phones)) phones: ${#acknowledged[@]} enrolments acknowledged," \
     "$enrolled certificates stored (the rest: answers lost with the service);" \
     "$killed_busy kills came while a phone was still enrolling"
[ "$killed_busy" -ge $((rounds / 20)) ]
ok $? "at least a twentieth of the kills came while a phone was enrolling ($killed_busy of $rounds)"
[ "${#acknowledged[@]}" -ge $((rounds / 20)) ]
ok $? "at least a twentieth of the rounds had an acknowledged enrolment (${#acknowledged[@]})"

store_intact "$dir/data"

missing=0
for ack in "${acknowledged[@]}"; do
  set -- $ack
  found=$(sqlite3 "$db" "SELECT count(*) FROM certificates WHERE serial = '$2' AND user_id = $1")
  audited=$(sqlite3 "$db" "SELECT count(*) FROM audit WHERE action = 'mobile.enrol'
                           AND subject = 'user:$1' AND details LIKE 'serial=$2 %'")
  [ "$found" = 1 ] && [ "$audited" = 1 ] || { missing=$((missing + 1)); echo "# user $1 serial $2 acknowledged but missing"; }
done
[ "$missing" = 0 ]; ok $? "every acknowledged enrolment is there, audited (${#acknowledged[@]})"

echo "1..$n"
