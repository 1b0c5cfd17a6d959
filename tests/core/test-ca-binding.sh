#!/usr/bin/env bash
# One CA per database: the CA that issued the first certificate is named by
# the database (settings 'ca-pin'); a data folder that lacks it is refused
# without a CA of its own being made, and one holding another CA is
# refused, while the folder with the right CA serves on. What several
# processes on one database rely on (docs/server.md); shown here on a
# database file moved between data folders. TAP output.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

A() { "$admin" --data-dir "$dir/data" "$@"; }
prepare_enrolments "$dir/data" 2
pin_before=$(sqlite3 "$dir/data/zorgid.db" "SELECT count(*) FROM settings WHERE key = 'ca-pin'")
[ "$pin_before" = 0 ]; ok $? "no CA named before the first certificate" "$pin_before"

start_service "$dir/data" "$port"; ok $? "the service runs on the data dir"
: >"$dir/acknowledged"
enrol_phones 1
[ "$(wc -l <"$dir/acknowledged")" = 1 ]; ok $? "a phone enrolled" "$(cat "$dir/phone1.err")"
stop_service
named=$(sqlite3 "$dir/data/zorgid.db" "SELECT value FROM settings WHERE key = 'ca-pin'")
[ -n "$named" ]; ok $? "the database names the CA that issued it"

# the database in a data folder without the CA (the seal key beside it)
mkdir -m 0700 "$dir/bare"
cp "$dir/data/zorgid.db" "$dir/data/seal.key" "$dir/bare/"
out=$("$admin" --data-dir "$dir/bare" --json certificate ca 2>/dev/null)
status=$?
[ "$status" = 1 ] && [[ $out == *'"error":"crypto"'* && $out == *ca/* ]] && [ ! -e "$dir/bare/ca" ] &&
  [ ! -e "$dir/bare/service-tls" ]
ok $? "without its CA: refused (crypto, exit 1), no CA made" "$status $out $(ls "$dir/bare")"
out=$("$admin" --data-dir "$dir/bare" --json user register --as 1 --organisation 12345678 \
        --first-name Nieuw --last-name Gebruiker --birth-date 1990-01-01 2>/dev/null)
[ $? = 1 ] && [ ! -e "$dir/bare/ca" ]; ok $? "nor is a code made there" "$out"

# … and in one with another CA (made by another environment folder)
mkdir -m 0700 "$dir/other"
"$admin" --data-dir "$dir/other" certificate ca >/dev/null 2>&1
cp -a "$dir/other/ca" "$dir/bare/ca"
out=$("$admin" --data-dir "$dir/bare" --json certificate ca 2>/dev/null)
status=$?
[ "$status" = 1 ] && [[ $out == *'"error":"crypto"'* ]]
ok $? "with another CA: refused (crypto, exit 1)" "$status $out"

# the data folder with the right CA serves on: the second phone enrols
start_service "$dir/data" "$port"
"$mobile" --data-dir "$dir/phone2" --pin-file "$dir/pin" --json enrol "$(payload "$dir/code2.json")" \
  >"$dir/phone2.out" 2>"$dir/phone2.err"
ok $? "with its own CA the service enrols the next phone" "$(cat "$dir/phone2.err")"
stop_service
out=$(A --json audit verify 2>&1)
[ "$out" = '{"intact":true}' ]; ok $? "audit verify" "$out"

echo "1..$n"
