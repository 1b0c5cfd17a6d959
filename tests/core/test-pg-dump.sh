#!/usr/bin/env bash
# Backup of a PostgreSQL store with PostgreSQL's own tools (run under
# tests/fixtures/zid-pg-fixture.sh, which exports ZID_TEST_PG_URI,
# ZID_TEST_PG_HOST and ZID_TEST_PG_USER): `zorgid-admin service run` on the
# fixture's database serves phones (zorgid-mobile) enrolling one after
# another; `pg_dump -Fc` dumps the database while they enrol; `pg_restore`
# loads the dump into a fresh database of the same server. With the same
# data dir (its keys and seal key) every enrolment acknowledged before the
# dump began is there, `audit verify` is intact and the users are listed.
# With another data dir (another seal key) the restored data is refused:
# the dump alone is not a backup. TAP output.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
uri="${ZID_TEST_PG_URI:?run under tests/fixtures/zid-pg-fixture.sh}"
host="${ZID_TEST_PG_HOST:?}"
pg_user="${ZID_TEST_PG_USER:?}"
phones="${ZID_PG_DUMP_PHONES:-12}"

# PostgreSQL's client tools: those of the newest server's bin folder
# (where the fixture finds initdb), else on PATH
pg_tool() {
  local d found
  found=$(for d in /usr/lib/postgresql/*/bin; do
            [ -x "$d/$1" ] && echo "$d/$1"
          done | sort -V | tail -n 1)
  if [ -n "$found" ]; then echo "$found"; else command -v "$1"; fi
}
pg_dump=$(pg_tool pg_dump)
pg_restore=$(pg_tool pg_restore)
psql=$(pg_tool psql)
if [ -z "$pg_dump" ] || [ -z "$pg_restore" ] || [ -z "$psql" ]; then
  echo "1..0 # SKIP pg_dump, pg_restore or psql not installed (package postgresql-client)"
  exit 0
fi

# Q DB SQL: one value from a database of the fixture's server
Q() { "$psql" -h "$host" -U "$pg_user" -d "$1" -Atqc "$2"; }
# A ARGS…: zorgid-admin (and the service) on the fixture's database, the
# data dir's keys
export ZID_DATABASE=$uri
A() { "$admin" --data-dir "$dir/data" "$@"; }
prepare_enrolments "$dir/data" "$phones"

start_service "$dir/data" "$port"
ok $? "the service runs on the PostgreSQL database"
: >"$dir/acknowledged"

# the phones, one after another, noting each acknowledged enrolment
enrol_phones "$phones" &
loop_pid=$!

# the dump once a third of the phones are acknowledged, while the rest enrol
while [ "$(wc -l <"$dir/acknowledged")" -lt $((phones / 3)) ] && kill -0 "$loop_pid" 2>/dev/null; do
  sleep 0.05
done
kill -0 "$loop_pid" 2>/dev/null; during=$?
date +%s%N >"$dir/dump.start"
"$pg_dump" -Fc -h "$host" -U "$pg_user" -d zid -f "$dir/zid.dump" 2>"$dir/dump.err"
ok $? "pg_dump -Fc of the database" "$(cat "$dir/dump.err")"
ok $during "the dump was taken while phones were enrolling"
wait "$loop_pid"; loop_pid=
acks=$(wc -l <"$dir/acknowledged")
[ "$acks" -ge $((phones / 2)) ]; ok $? "$acks of $phones enrolments acknowledged"
stop_service
out=$(A --json audit verify 2>&1)
[ "$out" = '{"intact":true}' ]; ok $? "the original database: audit verify is intact" "$out"

# a fresh database on the same server, the dump restored into it
Q postgres "CREATE DATABASE zid_restored" >/dev/null 2>"$dir/create.err"
ok $? "a fresh database" "$(cat "$dir/create.err")"
"$pg_restore" --exit-on-error -h "$host" -U "$pg_user" -d zid_restored "$dir/zid.dump" 2>"$dir/restore.err"
ok $? "pg_restore into it" "$(cat "$dir/restore.err")"
restored="postgresql:///zid_restored?host=$host&user=$pg_user"
R() { ZID_DATABASE=$restored "$admin" --data-dir "$dir/data" "$@"; }

out=$(R --json audit verify 2>&1)
[ "$out" = '{"intact":true}' ]; ok $? "restored, same data dir: audit verify is intact" "$out"
acknowledged_kept "$(cat "$dir/dump.start")" Q zid_restored
[ "$before" -ge 1 ] && [ "$missing" = 0 ]
ok $? "all $before enrolments acknowledged before the dump began are there"
users=$(R --json user list --as 1 --organisation 12345678 2>&1 | grep -o '"id":' | wc -l)
[ "$users" = $((phones + 1)) ]; ok $? "restored: the users are listed ($users)"

# the dump alone is not a backup: the data dir's keys go with it. Another
# data dir is refused, exit 1, audit-broken, and writes nothing
events=$(Q zid_restored "SELECT count(*) FROM audit")
# refused DATA_DIR TEXT DESCRIPTION: audit verify and user list on the
# restored database with that data dir, TEXT in the message (which is in
# the tests' language)
refused() {
  local out status
  for cmd in "audit verify" "user list --as 1 --organisation 12345678"; do
    # shellcheck disable=SC2086
    out=$(ZID_DATABASE=$restored "$admin" --data-dir "$1" --json $cmd 2>/dev/null)
    status=$?
    [ "$status" = 1 ] && [[ $out == *'"error":"audit-broken"'* && $out == *"$2"* ]]
    ok $? "$3: ${cmd%% --*} refused (audit-broken, exit 1)" "$status $out"
  done
}
refused "$dir/fresh" "$dir/fresh/seal.key" "a fresh data dir (no seal key)"
[ ! -e "$dir/fresh/seal.key" ]; ok $? "no seal key was made for it"
cp -a "$dir/data" "$dir/other"
head -c 32 /dev/urandom >"$dir/other/seal.key"
refused "$dir/other" "" "a data dir with another seal key"
[ "$(Q zid_restored "SELECT count(*) FROM audit")" = "$events" ]; ok $? "the restored database is untouched"
out=$(R --json audit verify 2>&1)
[ "$out" = '{"intact":true}' ]; ok $? "with the data dir's own keys it is still intact" "$out"

echo "1..$n"
