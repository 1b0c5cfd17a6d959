#!/usr/bin/env bash
# `zorgid-admin user import`: a preview writes nothing, the import
# registers the rows that can be, a second import of the same file
# registers nobody twice, a file refused as a whole writes nothing, and
# the answer reads back as JSON. TAP output.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
mobile="$ZID_BUILD_ROOT/src/mobile/zorgid-mobile"
service_pid=
trap '[ -n "$service_pid" ] && kill -9 "$service_pid" 2>/dev/null; rm -rf "$dir"' EXIT
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

A() { "$admin" --data-dir "$dir/data" "$@"; }
count() { sqlite3 "$dir/data/zorgid.db" "SELECT count(*) FROM $1"; }
state() { sqlite3 "$dir/data/zorgid.db" "SELECT count(*) FROM users; SELECT count(*) FROM codes; SELECT count(*) FROM audit" | tr '\n' ' '; }
field() { /usr/bin/python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

A config set service-address "127.0.0.1:$port" >/dev/null &&
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

# "-": the file on the standard input (as a remote import sends it)
out=$(A --json user import --as 1 --organisation 12345678 --dry-run - <"$dir/people.csv"); status=$?
[ $status = 0 ] && [ "$(echo "$out" | field 'd["counts"]["skipped"]')" = 3 ]
ok $? "user import - reads the standard input" "$status $out"
out=$(A --json user import --as 1 --organisation 12345678 - </dev/null); status=$?
[ $status = 2 ] && [[ "$out" == *'"error":"invalid-input"'* ]] && [ "$(state)" = "$after" ]
ok $? "an empty standard input is refused, writing nothing" "$status $out"

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

# Letters: one page per new person, its QR that person's code, written
# before the registrations commit
printf 'voornaam;achternaam;geboortedatum\nKees;Kok;05-05-1990\nLies;van der Laan;1991-06-07\n' > "$dir/letters.csv"
before=$(state)
out=$(A --json user import --as 1 --organisation 12345678 --letters "$dir/no-such-dir/letters.pdf" "$dir/letters.csv"); status=$?
[ $status = 1 ] && [[ "$out" == *'"error":"io"'* ]] && [ "$(state)" = "$before" ]
ok $? "letters that cannot be written: nobody is registered" "$status $out"

out=$(A --json user import --as 1 --organisation 12345678 --letters "$dir/letters.pdf" "$dir/letters.csv"); status=$?
[ $status = 0 ] && [ "$(echo "$out" | field 'd["counts"]["new"]')" = 2 ]; ok $? "with letters, the two are registered" "$out"
[ "$(stat -c %a "$dir/letters.pdf")" = 600 ] && [ -z "$(find "$dir" -maxdepth 1 -name '.letters.pdf.*')" ]
ok $? "the letters are private (0600), no temporary file left"
if command -v pdftoppm >/dev/null && command -v zbarimg >/dev/null; then
  pdftoppm -r 100 -png "$dir/letters.pdf" "$dir/page"
  [ "$(ls "$dir"/page-*.png | wc -l)" = 2 ]; ok $? "one page per new person"
  for i in 1 2; do
    want=$(echo "$out" | field "[r for r in d['rows'] if r['outcome'] == 'new'][$i - 1]['enrolment_payload']")
    got=$(zbarimg -q --raw --nodbus "$dir/page-$i.png" 2>/dev/null)
    [ -n "$want" ] && [ "$got" = "$want" ]; ok $? "page $i's QR is that person's code" "$got"
  done

  # the reference phone redeems page 2: Lies gets her ID, Kees does not
  "$admin" --data-dir "$dir/data" service run --listen "127.0.0.1:$port" >"$dir/service.out" 2>"$dir/service.log" &
  service_pid=$!
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.02
  done
  printf '24680\n' >"$dir/pin"
  "$mobile" --data-dir "$dir/phone" --pin-file "$dir/pin" --json enrol "$(zbarimg -q --raw --nodbus "$dir/page-2.png" 2>/dev/null)" >"$dir/phone.out" 2>&1
  ok $? "the phone enrols with page 2" "$(cat "$dir/phone.out")"
  kill "$service_pid"; wait "$service_pid" 2>/dev/null; service_pid=
  lies=$(echo "$out" | field "[r['user'] for r in d['rows'] if r['first_name'] == 'Lies'][0]")
  kees=$(echo "$out" | field "[r['user'] for r in d['rows'] if r['first_name'] == 'Kees'][0]")
  [ "$(A --json user show --as 1 "$lies" | field 'd["user"]["mobile_id"]')" = active ] &&
    [ "$(A --json user show --as 1 "$kees" | field 'd["user"]["mobile_id"]')" = none ]
  ok $? "page 2 was Lies's: her mobile ID is active, Kees's not"
  pending=$(A --json user pending --as 1 --organisation 12345678 | field '[p["user"]["first_name"] for p in d["pending"]]')
  [[ "$pending" == *Kees* ]] && [[ "$pending" != *Lies* ]]; ok $? "the open enrolments list Kees, no longer Lies" "$pending"
else
  echo "# pdftoppm or zbarimg not installed: the letters' pages are not decoded"
fi

echo "1..$n"
