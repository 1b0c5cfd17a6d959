#!/usr/bin/env bash
# zorgid-admin on a PostgreSQL database (run under
# tests/fixtures/zid-pg-fixture.sh, which exports ZID_TEST_PG_URI):
# ZID_DATABASE, --database and the data dir's database setting select it
# (in that order), the data dir keeps only the keys,
# the environment stamp holds, and a URI that does not connect is a clear
# `store` refusal; backup and restore, which copy a database file, refuse
# it. TAP output.
set -u

admin="${ZID_BUILD_ROOT:?}/src/cli/zorgid-admin"
uri="${ZID_TEST_PG_URI:?run under tests/fixtures/zid-pg-fixture.sh}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
n=0

ok() {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
  [ "$1" = 0 ] || [ -z "${3:-}" ] || printf '%s\n' "$3" | sed 's/^/# /'
  return 0
}

# P ARGS…: zorgid-admin on the fixture's database through ZID_DATABASE
P() { ZID_DATABASE=$uri "$admin" --data-dir "$dir/acc" "$@"; }

out=$(P --json registration add --ura 12345678 --name "Zorggroep Noord" 2>&1)
ok $? "registration add" "$out"
out=$(P --json organisation bootstrap --ura 12345678 --first-name Anna --last-name "de Vries" \
        --birth-date 1980-01-01 2>&1)
ok $? "organisation bootstrap" "$out"
out=$(P --json user register --as 1 --organisation 12345678 --first-name Jörg --last-name Müller \
        --birth-date 1990-01-01 2>&1)
ok $? "user register" "$out"
out=$(P --json user list --as 1 --organisation 12345678 2>&1)
ok $? "user list" "$out"
[[ $out == *Müller* && $out == *"de Vries"* ]]; ok $? "user list shows both users" "$out"
out=$(P --json audit verify 2>&1)
[ "$out" = '{"intact":true}' ]; ok $? "audit verify: the chain and the seal are intact" "$out"

[ ! -e "$dir/acc/zorgid.db" ]; ok $? "no database file in the data dir"
[ -f "$dir/acc/seal.key" ]; ok $? "the seal key is in the data dir"

# the option names the same database, and wins over ZID_DATABASE
out=$(ZID_DATABASE="postgresql:///nothing?host=/nonexistent" "$admin" --data-dir "$dir/acc" \
        --database "$uri" --json user list --as 1 --organisation 12345678 2>&1)
[[ $out == *Müller* ]]; ok $? "--database wins over ZID_DATABASE" "$out"

# the database belongs to acceptatie
out=$(ZID_DATABASE=$uri "$admin" --data-dir "$dir/acc" --environment productie --json \
        user list --as 1 --organisation 12345678 2>/dev/null)
status=$?
[ "$status" = 1 ] && [[ $out == *'"error":"wrong-environment"'* ]]
ok $? "an acceptatie database opened as productie: wrong-environment, exit 1" "$status $out"

# a URI that does not connect: store, exit 1, the server's answer, nothing made
out=$("$admin" --data-dir "$dir/bad" --database "postgresql:///zid?host=$dir/nowhere" --json \
        user list --as 1 --organisation 12345678 2>/dev/null)
status=$?
[ "$status" = 1 ] && [[ $out == *'"error":"store"'* && $out == *PostgreSQL* ]]
ok $? "a bad --database URI: store, exit 1, a clear message" "$status $out"
out=$("$admin" --data-dir "$dir/bad" --database "postgresql://u:geheim@/zid?host=$dir/nowhere" \
        --json user list --as 1 --organisation 12345678 2>&1)
[[ $out != *geheim* ]]; ok $? "the refusal does not show the URI's password" "$out"
"$admin" --data-dir "$dir/bad" --database "" user list --as 1 >/dev/null 2>&1
[ $? = 2 ]; ok $? "--database with an empty value is bad usage (exit 2)"

# the data dir's database setting: without --database and ZID_DATABASE
# every command of that data dir opens the database it names
S() { env -u ZID_DATABASE "$admin" --data-dir "$dir/acc" "$@"; }
out=$(S --json config set database "$uri" 2>&1)
ok $? "config set database URI" "$out"
[ "$(stat -c %a "$dir/acc/store.conf")" = 600 ]; ok $? "store.conf is 0600 (a URI may hold a password)"
out=$(S --json user list --as 1 --organisation 12345678 2>&1)
[[ $out == *Müller* ]] && [ ! -e "$dir/acc/zorgid.db" ]
ok $? "the data dir's commands now open that database" "$out"
out=$(S --database "$dir/other.db" --json user list --as 1 2>&1)
[[ $out == *'"error":"not-found"'* ]] && [ -e "$dir/other.db" ]
ok $? "--database wins over the setting" "$out"
out=$(S --json config set database 'postgresql://zid:geheim@/zid?host=/run/postgresql' 2>&1)
[[ $out != *geheim* ]] && grep -q geheim "$dir/acc/store.conf"
ok $? "config set/get database never shows the URI's password" "$out"
out=$(S --json config set database relative.db 2>/dev/null); status=$?
[ "$status" = 2 ] && [[ $out == *'"error":"invalid-input"'* ]] && grep -q geheim "$dir/acc/store.conf"
ok $? "a setting that names no database is refused, the old one kept" "$status $out"
printf '[store\n' >"$dir/acc/store.conf"
out=$(S --json user list --as 1 2>/dev/null); status=$?
[ "$status" = 1 ] && [[ $out == *'"error":"store"'* && $out == *store.conf* ]] && [ ! -e "$dir/acc/zorgid.db" ]
ok $? "a store.conf that does not read is refused, never passed over" "$status $out"
out=$(S --json config set database default 2>&1)
[[ $out == *'"setting":null'* ]] && [ ! -e "$dir/acc/store.conf" ]
ok $? "config set database default removes the setting" "$out"

# backup copies a database file: on PostgreSQL it is refused, nothing made;
# a restore into a data dir whose database is elsewhere is refused too
out=$(P --json backup "$dir/backup" 2>/dev/null)
status=$?
[ "$status" = 1 ] && [[ $out == *'"error":"store"'* && $out == *pg_dump* ]] && [ ! -e "$dir/backup" ]
ok $? "backup of a PostgreSQL database: store, exit 1, pg_dump named, nothing made" "$status $out"
"$admin" --data-dir "$dir/file" --json registration add --ura 12345678 --name "Zorggroep Noord" >/dev/null 2>&1
out=$("$admin" --data-dir "$dir/file" --json backup "$dir/file-backup" 2>&1)
ok $? "backup of a database file" "$out"
out=$(ZID_DATABASE=$uri "$admin" --data-dir "$dir/fresh" --json restore "$dir/file-backup" 2>/dev/null)
status=$?
[ "$status" = 1 ] && [[ $out == *'"error":"store"'* && $out == *pg_restore* ]] && [ ! -e "$dir/fresh/zorgid.db" ]
ok $? "restore with ZID_DATABASE set: store, exit 1, nothing restored" "$status $out"

echo "1..$n"
