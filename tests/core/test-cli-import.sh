#!/usr/bin/env bash
# `zorgid-admin user import`: a preview writes nothing, the import
# registers the rows that can be, a second import of the same file
# registers nobody twice, a file refused as a whole writes nothing, and
# the answer reads back as JSON. TAP output.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

A() { "$admin" --data-dir "$dir/data" "$@"; }
count() { sqlite3 "$dir/data/zorgid.db" "SELECT count(*) FROM $1"; }
state() { sqlite3 "$dir/data/zorgid.db" "SELECT count(*) FROM users; SELECT count(*) FROM codes; SELECT count(*) FROM audit" | tr '\n' ' '; }
field() { /usr/bin/python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

A registration add --ura 12345678 --name "Zorggroep Noord" >/dev/null &&
  A organisation bootstrap --ura 12345678 --first-name Anna --last-name "de Vries" --birth-date 1980-01-01 >/dev/null
ok $? "an organisation and its Administrator"

printf '\xef\xbb\xbfVoornaam;Tussenvoegsel;Achternaam;Geboortedatum;E-mail\r\nZoë;;Müller;01-02-1985;z@example.nl\r\n"Jan ""Johnny""";van den;Berg;1970-12-31;\r\nPiet;;Bakker;31-02-1990;\r\nAnna;de;Vries;01-01-1980;\r\n' > "$dir/people.csv"

before=$(state)
out=$(A --json user import --as 1 --organisation 12345678 --dry-run "$dir/people.csv"); status=$?
[ $status = 0 ]; ok $? "a dry run answers" "$out"
[ "$(echo "$out" | field 'd["dry_run"], d["counts"]')" = "(True, {'new': 2, 'membership': 0, 'skipped': 1, 'refused': 1})" ]
ok $? "it counts two new, one already registered, one refused" "$out"
[ "$(echo "$out" | field '[r["outcome"] + ":" + str(r["line"]) for r in d["rows"]]')" = "['new:2', 'new:3', 'refused:4', 'skipped:5']" ]
ok $? "each row with its line and outcome" "$out"
[ "$(state)" = "$before" ]; ok $? "and writes nothing" "$(state) vs $before"

out=$(A --json user import --as 1 --organisation 12345678 "$dir/people.csv"); status=$?
[ $status = 0 ] && [ "$(count users)" = 3 ]; ok $? "the import registers the two" "$out"
[ "$(echo "$out" | field 'sum(1 for r in d["rows"] if r.get("enrolment_payload", "").startswith("zorgid://enrol?"))')" = 2 ]
ok $? "each with an enrolment code" "$out"
[ "$(A --json user list --as 1 | field 'sorted(u["last_name"] for u in d["users"])')" = "['Müller', 'de Vries', 'van den Berg']" ]
ok $? "with the tussenvoegsel in the surname" "$(A --json user list --as 1)"
[ "$(A --json audit list --action user.import | field 'len(d["events"])')" = 1 ]; ok $? "one import event in the audit"

after=$(state)
out=$(A --json user import --as 1 --organisation 12345678 "$dir/people.csv"); status=$?
[ $status = 0 ] && [ "$(echo "$out" | field 'd["counts"]["new"], d["counts"]["skipped"]')" = "(0, 3)" ]
ok $? "a second import of the same file registers nobody" "$out"
[ "$(state)" = "$after" ]; ok $? "and writes nothing" "$(state) vs $after"

printf 'voornaam;achternaam;geboortedatum;afdeling\nKees;Kok;1990-01-01;OK\n' > "$dir/unknown.csv"
printf 'voornaam;achternaam;geboortedatum\nZo\xeb;Kok;1990-01-01\n' > "$dir/latin1.csv"
mkfifo "$dir/fifo.csv"
for bad in unknown latin1 fifo; do
  out=$(timeout 10 "$admin" --data-dir "$dir/data" --json user import --as 1 --organisation 12345678 "$dir/$bad.csv" 2>/dev/null); status=$?
  [ $status = 2 ] && [[ "$out" == *'"error":"invalid-input"'* ]] && [ "$(state)" = "$after" ]
  ok $? "$bad.csv is refused as a whole, writing nothing" "$status $out"
done
out=$(A user import --as 1 --organisation 12345678 "$dir/unknown.csv" 2>&1)
[[ "$out" == *'Onbekende kolom “afdeling”'* ]]; ok $? "the refusal names the column" "$out"
out=$(A user import --as 1 --organisation 12345678 "$dir/latin1.csv" 2>&1)
[[ "$out" == *'UTF-8'* ]]; ok $? "and tells how to save the file" "$out"

echo "1..$n"
