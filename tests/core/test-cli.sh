#!/usr/bin/env bash
# zorgid-admin: exit statuses (0 done, 1 refused by a rule, 2 bad input),
# --json answers, and nothing written on bad input. TAP output.
set -u

admin="${ZID_BUILD_ROOT:?}/src/cli/zorgid-admin"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
n=0
failed=0

A() { "$admin" --data-dir "$dir/acc" "$@"; }

# expect STATUS DESCRIPTION -- COMMAND...: runs it, keeps stdout in $out
expect() {
  local want=$1 what=$2
  shift 3
  n=$((n + 1))
  out=$("$@" 2>"$dir/stderr")
  local got=$?
  if [ "$got" = "$want" ]; then
    echo "ok $n - $what"
  else
    echo "not ok $n - $what (exit $got, wanted $want)"
    sed 's/^/# /' "$dir/stderr"
    failed=1
  fi
}

check() {
  n=$((n + 1))
  if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; echo "# $out"; failed=1; fi
}

expect 2 "no command is bad usage" -- "$admin"
expect 2 "unknown command" -- A frobnicate
expect 2 "unknown environment" -- "$admin" --environment test overview
expect 0 "registration add" -- A registration add --ura 12345678 --name "Zorggroep Noord" --agb 01234567
expect 0 "the same registration again is harmless" -- A registration add --ura 12345678 --name "Zorggroep Noord" --agb 01234567
expect 2 "malformed URA" -- A registration add --ura 1234 --name X
expect 2 "a different registration for the same URA" -- A registration add --ura 12345678 --name Other

expect 1 "bootstrap refused in productie" -- "$admin" --data-dir "$dir/prod" --environment productie --json organisation bootstrap --ura 12345678 --first-name A --last-name B --birth-date 1980-01-01
check "refusal names the rule in JSON" '[[ "$out" == *"\"error\":\"wrong-environment\""* ]]'

expect 2 "bootstrap with a future birth date" -- A organisation bootstrap --ura 12345678 --first-name A --last-name B --birth-date 2999-01-01
expect 2 "bootstrap with an invalid date" -- A --json organisation bootstrap --ura 12345678 --first-name A --last-name B --birth-date 1980-02-30
check "bad input in JSON" '[[ "$out" == *"\"error\":\"invalid-input\""* ]]'
expect 0 "bootstrap in acceptatie" -- A --json organisation bootstrap --ura 12345678 --first-name Anna --last-name "de Vries" --birth-date 1980-01-01
check "bootstrap answers user, payload and expiry" '[[ "$out" =~ \"user\":1, ]] && [[ "$out" == *"\"enrolment_payload\":\"zorgid://enrol?v=1&env=acceptatie"* ]] && [[ "$out" =~ \"expires\":\"[0-9]{4}-[0-9]{2}-[0-9]{2}T ]]'
expect 1 "bootstrap twice" -- A organisation bootstrap --ura 12345678 --first-name Anna --last-name "de Vries" --birth-date 1980-01-01

users_before=$(sqlite3 "$dir/acc/zorgid.db" 'SELECT count(*) FROM users')
expect 2 "register with an empty first name" -- A user register --as 1 --organisation 12345678 --first-name "" --last-name X --birth-date 1990-01-01
expect 2 "register into an unknown organisation" -- A user register --as 1 --organisation 99999999 --first-name X --last-name Y --birth-date 1990-01-01
expect 2 "register without --as" -- A user register --organisation 12345678 --first-name X --last-name Y --birth-date 1990-01-01
expect 2 "register as an unknown user" -- A user register --as 42 --organisation 12345678 --first-name X --last-name Y --birth-date 1990-01-01
check "nothing written on bad input" '[ "$(sqlite3 "$dir/acc/zorgid.db" "SELECT count(*) FROM users")" = "$users_before" ]'

expect 0 "register a user, with a QR PNG" -- A --json user register --as 1 --organisation 12345678 --first-name Jörg --last-name Müller --birth-date 1990-01-01 --qr-png "$dir/qr.png"
check "JSON keys of user register" '[[ "$out" =~ \"user\":2, ]] && [[ "$out" == *enrolment_payload* ]]'
if command -v zbarimg >/dev/null; then
  payload=$(echo "$out" | sed 's/.*"enrolment_payload":"\([^"]*\)".*/\1/')
  check "the PNG decodes to the payload" '[ "$(zbarimg -q --raw --nodbus "$dir/qr.png" 2>/dev/null)" = "$payload" ]'
fi
check "the PNG, which enrols whoever reads it, is private (0600)" '[ "$(stat -c %a "$dir/qr.png")" = 600 ]'
users_before=$(sqlite3 "$dir/acc/zorgid.db" 'SELECT count(*) FROM users')
codes_before=$(sqlite3 "$dir/acc/zorgid.db" 'SELECT count(*) FROM codes')
expect 1 "a --qr-png that cannot be written is refused" -- A --json user register --as 1 --organisation 12345678 --first-name Piet --last-name Png --birth-date 1990-01-01 --qr-png "$dir/no-such-dir/qr.png"
check "it is refused before anything is done" '[ "$(sqlite3 "$dir/acc/zorgid.db" "SELECT count(*) FROM users")" = "$users_before" ] && [ "$(sqlite3 "$dir/acc/zorgid.db" "SELECT count(*) FROM codes")" = "$codes_before" ]'
cp "$dir/qr.png" "$dir/kept.png"
expect 1 "a refused command with --qr-png (a Gebruiker registering)" -- A user register --as 2 --organisation 12345678 --first-name Jörg --last-name Müller --birth-date 1990-01-01 --qr-png "$dir/qr.png"
check "leaves the file of that name as it was, and no temporary file" 'cmp -s "$dir/qr.png" "$dir/kept.png" && [ -z "$(find "$dir" -maxdepth 1 -name ".qr.png.*")" ]'

expect 0 "give the user the Beheerder role" -- A membership set --as 1 2 --organisation 12345678 --role Beheerder
expect 2 "unknown role" -- A membership set --as 1 2 --organisation 12345678 --role Koning
expect 0 "the Beheerder registers a Gebruiker" -- A --json user register --as 2 --organisation 12345678 --first-name Gijs --last-name Gebruiker --birth-date 1991-01-01
expect 1 "the Beheerder may not give the Administrator role" -- A --json membership set --as 2 3 --organisation 12345678 --role Administrator
check "role-not-allowed named" '[[ "$out" == *"\"error\":\"role-not-allowed\""* ]]'
expect 1 "a Gebruiker has no portal access" -- A --json user list --as 3
check "no-portal-access named" '[[ "$out" == *"\"error\":\"no-portal-access\""* ]]'

expect 2 "block with an unknown reason" -- A user block --as 1 3 --reason bored
expect 1 "a user without a mobile ID cannot be blocked" -- A --json user block --as 1 3 --reason lost-smartphone
check "no-mobile-id named" '[[ "$out" == *"\"error\":\"no-mobile-id\""* ]]'
expect 1 "the only administrator cannot be blocked" -- A --json user block --as 1 1 --reason security-incident
expect 2 "revoke for an unknown user" -- A certificate revoke --as 1 77 abcdef
expect 0 "new certificate code" -- A --json certificate new --as 1 3
check "certificate new answers the payload" '[[ "$out" == *"\"enrolment_payload\":\"zorgid://enrol?"* ]]'

expect 0 "user list" -- A --json user list --as 1 --search mül
check "search finds Müller only" '[[ "$out" == *Müller* ]] && [[ "$out" != *Gijs* ]]'
expect 0 "user show" -- A --json user show --as 1 2
expect 0 "attribute add" -- A attribute add --as 1 3 --type big --organisation 12345678 --task-code 19012345601
expect 0 "organisation list" -- A --json organisation list --as 1
check "organisation listed with role" '[[ "$out" == *"\"role\":\"Administrator\""* ]]'
expect 0 "inactive users now (none)" -- A organisation inactive --as 1 12345678 --csv
check "CSV header only" '[ "$(echo "$out" | wc -l)" = 1 ]'
ZID_TEST_CLOCK_OFFSET=$((29 * 86400)) expect 0 "inactive users after 29 days (test clock, acceptatie)" -- A organisation inactive --as 1 12345678 --csv
check "all three inactive" '[ "$(echo "$out" | wc -l)" = 4 ]'
ZID_TEST_CLOCK_OFFSET=$((29 * 86400)) expect 0 "productie ignores the test clock" -- "$admin" --data-dir "$dir/prod" --environment productie config get service-address

expect 0 "config set service-address" -- A config set service-address 127.0.0.1:9443
expect 2 "config set a bad address" -- A config set service-address nonsense

expect 0 "audit verify" -- A audit verify
expect 0 "audit list" -- A --json audit list
check "audit lists the refusals too" '[[ "$out" == *"membership.set.refused"* ]]'
sqlite3 "$dir/acc/zorgid.db" "UPDATE audit SET actor = 'user:2' WHERE id = 3"
expect 1 "audit verify catches an event edited in the database file" -- A --json audit verify
check "the first bad event is named" '[[ "$out" == *"\"event\":3"* ]]'

# Birth dates as a person types them: DD-MM-JJJJ or JJJJ-MM-DD, stored as JJJJ-MM-DD
B() { "$admin" --data-dir "$dir/dates" "$@"; }
B registration add --ura 23456789 --name "Praktijk Datum" >/dev/null
expect 0 "bootstrap with DD-MM-JJJJ" -- B --json organisation bootstrap --ura 23456789 --first-name Dina --last-name Datum --birth-date 03-04-1975
expect 0 "register with DD-MM-JJJJ" -- B --json user register --as 1 --organisation 23456789 --first-name Els --last-name Datum --birth-date 31-12-1980
expect 2 "DD-MM-JJJJ that does not exist" -- B user register --as 1 --organisation 23456789 --first-name X --last-name Y --birth-date 31-02-1980
expect 2 "DD/MM/JJJJ is not a form we take" -- B user register --as 1 --organisation 23456789 --first-name X --last-name Y --birth-date 03/04/1975
check "stored as JJJJ-MM-DD" '[ "$(sqlite3 "$dir/dates/zorgid.db" "SELECT group_concat(birth_date, \" \") FROM (SELECT birth_date FROM users ORDER BY id)")" = "1975-04-03 1980-12-31" ]'

echo "1..$n"
exit $failed
