#!/usr/bin/env bash
# Tamper evidence over the data, through the command line and the sqlite3
# shell: normal operations keep `audit verify` intact; making someone
# Administrator, unblocking someone or flipping the environment by direct
# SQL is reported (`"intact": false`), and a flipped environment stamp
# refuses the data dir. TAP output.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

# A fresh data dir with an Administrator (1) and two Gebruikers (2, 3).
# (Unblocking a blocked user by SQL is tried in test-portal's
# /portal/audit/tamper/unblock, with an enrolled user.)
setup() {
  local d="$dir/$1"
  A() { "$admin" --data-dir "$d" "$@"; }
  A registration add --ura 12345678 --name "Zorggroep Noord" >/dev/null &&
  A organisation bootstrap --ura 12345678 --first-name Anna --last-name Vries --birth-date 1980-01-01 >/dev/null &&
  A user register --as 1 --organisation 12345678 --first-name Gijs --last-name Gebruiker --birth-date 1990-01-01 >/dev/null &&
  A user register --as 1 --organisation 12345678 --first-name Bea --last-name Beheer --birth-date 1990-01-01 >/dev/null
}

verify() { "$admin" --data-dir "$dir/$1" --json audit verify 2>/dev/null; }

setup normal; ok $? "a data dir with three users"
out=$(verify normal); ok $? "normal operations: audit verify exits 0" "$out"
[ "$out" = '{"intact":true}' ]; ok $? "normal operations: intact true"

tamper() {
  local name=$1 sql=$2
  setup "$name" || { ok 1 "$name: set up"; return; }
  sqlite3 "$dir/$name/zorgid.db" "$sql"; ok $? "$name: direct SQL in the sqlite3 shell"
  out=$(verify "$name"); status=$?
  [ $status = 1 ]; ok $? "$name: audit verify exits 1" "$out"
  # (a flipped environment already refuses the data dir when it opens)
  [[ ( "$out" == *'"intact":false'* || $name == environment ) && "$out" == *'"error":"audit-broken"'* ]]
  ok $? "$name: intact false, audit-broken"
}

tamper make-administrator "UPDATE memberships SET role = 3 WHERE user_id = 2"
tamper block-state "UPDATE users SET blocked = 1, block_reason = 1 WHERE id = 3"
tamper environment "UPDATE settings SET value = 'productie' WHERE key = 'environment'"

out=$("$admin" --data-dir "$dir/environment" --environment productie --json user list --as 1 --organisation 12345678 2>&1)
status=$?
[ $status = 1 ] && [[ "$out" == *"buiten het portaal om gewijzigd"* ]]
ok $? "a flipped environment stamp refuses the data dir, also as productie" "$out"

# two processes opening a new data dir at once make one key between them
fails=0
for i in $(seq 10); do
  d="$dir/race$i"
  "$admin" --data-dir "$d" registration add --ura 12345678 --name "Zorggroep Noord" >/dev/null 2>&1 &
  "$admin" --data-dir "$d" registration add --ura 87654321 --name "Thuiszorg Zuid" >/dev/null 2>&1 &
  wait
  "$admin" --data-dir "$d" organisation bootstrap --ura 12345678 --first-name Anna --last-name Vries \
    --birth-date 1980-01-01 >/dev/null 2>&1
  [ "$("$admin" --data-dir "$d" --json audit verify 2>&1)" = '{"intact":true}' ] &&
    [ "$(ls "$d" | grep -c '^seal.key')" = 1 ] || fails=$((fails + 1))
done
[ $fails = 0 ]; ok $? "two processes on a new data dir at once: one key, intact (10 times; $fails failed)"

echo "1..$n"
