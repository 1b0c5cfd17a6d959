# tap.sh — sourced by the command-line tests of tests/core: the build's
# zorgid-admin, a temporary folder removed on exit, and TAP lines.
# `ok STATUS DESCRIPTION [DIAGNOSTIC]`; end with `echo "1..$n"`.

admin="${ZID_BUILD_ROOT:?}/src/cli/zorgid-admin"
command -v sqlite3 >/dev/null || { echo "1..0 # SKIP no sqlite3 shell"; exit 0; }
dir=${ZID_TEST_DIR:-$(mktemp -d)}
# on exit: the service and the phones' loop a test started
# ($service_pid, $loop_pid) end, the temporary folder goes (one named
# by ZID_TEST_DIR stays)
service_pid=
loop_pid=
trap '[ -n "$service_pid" ] && kill -9 "$service_pid" 2>/dev/null;
      [ -n "$loop_pid" ] && kill "$loop_pid" 2>/dev/null;
      [ -n "${ZID_TEST_DIR:-}" ] || rm -rf "$dir"' EXIT
n=0

ok() {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
  [ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/# /'
  return 0
}

# The data dir $1 after crashes: the database passes integrity_check, and
# the audit chain and the seal over the data verify
store_intact() {
  local check out
  check=$(sqlite3 "$1/zorgid.db" "PRAGMA integrity_check" 2>&1)
  [ "$check" = ok ]; ok $? "PRAGMA integrity_check" "$check"
  out=$("$admin" --data-dir "$1" --json audit verify 2>&1)
  [ "$out" = '{"intact":true}' ]; ok $? "audit verify: the chain and the seal are intact" "$out"
}

# --- the enrolment service and the reference phones, for tests that run them

mobile="$ZID_BUILD_ROOT/src/mobile/zorgid-mobile"
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
payload() { sed 's/.*"enrolment_payload":"\([^"]*\)".*/\1/' "$1"; }

# start_service DATA_DIR PORT: `service run` on DATA_DIR (and on the
# database ZID_DATABASE names, if set) in the background ($service_pid),
# back once it listens
start_service() {
  "$admin" --data-dir "$1" service run --listen "127.0.0.1:$2" >"$1.service.out" 2>"$1.service.log" &
  service_pid=$!
  for _ in $(seq 1 250); do
    (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null && return 0
    sleep 0.02
  done
  return 1
}
stop_service() {
  kill "$service_pid" 2>/dev/null
  wait "$service_pid" 2>/dev/null
  service_pid=
}

# prepare_enrolments DATA_DIR COUNT: on DATA_DIR (and the database
# ZID_DATABASE names, if set) the service address 127.0.0.1:$port (a free
# port), an organisation (URA 12345678) with its Administrator (user 1) and
# COUNT users, the JSON of each one's `user register` in $dir/codeI.json;
# the phones' PIN in $dir/pin. Two TAP lines
prepare_enrolments() {
  local made=0 i
  printf '24680\n' >"$dir/pin"
  port=$(free_port)
  "$admin" --data-dir "$1" config set service-address "127.0.0.1:$port" >/dev/null &&
    "$admin" --data-dir "$1" registration add --ura 12345678 --name "Zorggroep Noord" >/dev/null &&
    "$admin" --data-dir "$1" organisation bootstrap --ura 12345678 --first-name Anna --last-name Admin \
      --birth-date 1980-01-01 >/dev/null
  ok $? "an Administrator, the service address set"
  for i in $(seq 1 "$2"); do
    "$admin" --data-dir "$1" --json user register --as 1 --organisation 12345678 --first-name "Telefoon$i" \
      --last-name Gebruiker --birth-date 1990-01-01 >"$dir/code$i.json" && made=$((made + 1))
  done
  [ "$made" = "$2" ]; ok $? "$made enrolment codes"
}

# enrol_phones COUNT: phone I redeems the code of $dir/codeI.json (the
# JSON of `user register`) with the PIN in $dir/pin, one after another; an
# acknowledged enrolment (its certificate came back) is added to
# $dir/acknowledged with the time it was seen: "NS USER SERIAL"
enrol_phones() {
  local i serial user
  for i in $(seq 1 "$1"); do
    "$mobile" --data-dir "$dir/phone$i" --pin-file "$dir/pin" --json enrol "$(payload "$dir/code$i.json")" \
      >"$dir/phone$i.out" 2>"$dir/phone$i.err"
    serial=$(sed -n 's/^ *"serial" : "\([0-9a-f]*\)".*/\1/p' "$dir/phone$i.out")
    user=$(sed -n 's/^{"user":\([0-9]*\),.*/\1/p' "$dir/code$i.json")
    [ -n "$serial" ] && echo "$(date +%s%N) $user $serial" >>"$dir/acknowledged"
  done
}

# acknowledged_kept START_NS QUERY_COMMAND…: of the enrolments in
# $dir/acknowledged seen before START_NS ($before of them), those whose
# certificate QUERY_COMMAND… 'SQL' (a store's shell) does not find
# ($missing, each named in a TAP comment)
acknowledged_kept() {
  local at user serial found start=$1
  shift
  before=0
  missing=0
  while read -r at user serial; do
    [ "$at" -lt "$start" ] || continue
    before=$((before + 1))
    found=$("$@" "SELECT count(*) FROM certificates WHERE serial = '$serial' AND user_id = $user")
    [ "$found" = 1 ] || { missing=$((missing + 1)); echo "# user $user serial $serial missing"; }
  done <"$dir/acknowledged"
}
