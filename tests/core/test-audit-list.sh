#!/usr/bin/env bash
# `zorgid-admin audit list`: without --as the operator's whole trail (as
# before); with --as USER only the events about users and organisations
# that person manages; the filters --user, --organisation, --action,
# --since and --until, and --csv. TAP output.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

A() { "$admin" --data-dir "$dir/data" "$@"; }
events() { A --json audit list "$@" 2>/dev/null | /usr/bin/python3 -c '
import json, sys
for e in json.load(sys.stdin)["events"]:
    print(e["action"], e["subject"] or "-", e["details"] or "-")'; }

A registration add --ura 12345678 --name "Zorggroep Noord" >/dev/null &&
  A registration add --ura 87654321 --name "Thuiszorg Zuid" >/dev/null &&
  A organisation bootstrap --ura 12345678 --first-name Anna --last-name Noord --birth-date 1980-01-01 >/dev/null &&
  A organisation bootstrap --ura 87654321 --first-name Bert --last-name Zuid --birth-date 1981-01-01 >/dev/null &&
  A user register --as 1 --organisation 12345678 --first-name Gijs --last-name Noord --birth-date 1990-01-01 >/dev/null &&
  A user register --as 2 --organisation 87654321 --first-name Hans --last-name Zuid --birth-date 1990-01-01 >/dev/null
ok $? "two organisations, an Administrator and a Gebruiker each (users 1, 3 in A; 2, 4 in B)"

all=$(events); total=$(echo "$all" | wc -l)
[ "$total" -ge 6 ]; ok $? "without --as: the whole trail ($total events)"
[ "$(A --json audit list | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["events"]))')" = "$total" ]
ok $? "the same answer as before for the operator"

for as in 1 2; do
  mine=$(events --as $as)
  if [ $as = 1 ]; then own="user:1|user:3|12345678"; other="user:2|user:4|87654321"
  else own="user:2|user:4|87654321"; other="user:1|user:3|12345678"; fi
  [ "$(echo "$mine" | grep -Ec "^(registration.add|organisation.bootstrap|user.register) ($own) ")" = 3 ]
  ok $? "--as $as sees the events about its own organisation and users" "$(echo $mine | tr '\n' ';')"
  ! echo "$mine" | grep -Eq " ($other)( |$)"; ok $? "--as $as sees nothing of the other organisation"
done

out=$(A --json audit list --as 1 --user 4 2>/dev/null); status=$?
out999=$(A --json audit list --as 1 --user 999 2>/dev/null); status999=$?
[ $status = 1 ] && [[ "$out" == *'"error":"not-permitted"'* ]]; ok $? "--as 1 --user 4 (another organisation's user) is refused" "$out"
[ $status999 = $status ] && [ "$out999" = "$out" ]; ok $? "an id that does not exist gets the very same answer" "$out999"

out=$(A --json audit list --as 3 2>/dev/null); status=$?
[ $status = 1 ] && [[ "$out" == *'"error":"no-portal-access"'* ]]; ok $? "a Gebruiker has no audit view" "$out"

sel=$(events --user 3)
[ -n "$sel" ] && ! echo "$sel" | grep -vq " user:3 "; ok $? "--user 3: only events about user 3" "$(echo $sel | tr '\n' ';')"
[ "$(events --user 'Gijs Noord')" = "$sel" ] && [ "$(events --user gijs)" = "$sel" ] &&
  [ "$(events --as 1 --user 'gijs noord')" = "$(events --as 1 --user 3)" ]
ok $? "--user by name (whole, a start, any case) is --user 3"
out=$(A --json audit list --user Noord 2>"$dir/err"); status=$?
[ $status = 2 ] && [[ "$out" == *'"error":"invalid-input"'* ]] && grep -q "  1  Anna Noord" "$dir/err" &&
  grep -q "  3  Gijs Noord" "$dir/err"
ok $? "--user naming two users is bad input, listing both with their numbers" "$out $(cat "$dir/err")"
out=$(A --json audit list --as 2 --user Noord 2>/dev/null); status=$?
[ $status = 2 ] && [[ "$out" == *'"error":"not-found"'* ]]
ok $? "--as 2 --user Noord: no one of the users Bert manages is named so" "$out"
A audit list --user Niemand >/dev/null 2>&1; [ $? = 2 ]; ok $? "a name that finds no one is bad input"
sel=$(events --organisation 87654321)
echo "$sel" | grep -q " 87654321 " && echo "$sel" | grep -q " user:4 " && ! echo "$sel" | grep -Eq " (user:1|user:3|12345678) "
ok $? "--organisation: events about B and its members only" "$(echo $sel | tr '\n' ';')"
sel=$(events --action user)
[ -n "$sel" ] && ! echo "$sel" | grep -vq "^user\."; ok $? "--action user: the user.* family" "$(echo $sel | tr '\n' ';')"
sel=$(events --action user.register --as 2)
[ "$(echo "$sel" | wc -l)" = 1 ] && echo "$sel" | grep -q "user.register user:4"; ok $? "--action with --as" "$sel"
[ -z "$(events --since 2999-01-01)" ] && [ -z "$(events --until 2000-01-01)" ] &&
  [ "$(events --since 2000-01-01 --until 2999-12-31 | wc -l)" = "$total" ]
ok $? "--since and --until bound the time"
A audit list --since yesterday >/dev/null 2>&1; [ $? = 2 ]; ok $? "a time that does not parse is bad usage"

# --csv: the same events as --json, newest first, read back by Python's
# csv module with either separator; times in local time (the Dutch
# headers are checked by the window's journey, which runs in Dutch)
csv_check() { # $1: separator option ('' or ','), the filter options after it
  local sep=$1; shift
  export TZ=Europe/Amsterdam
  local opt=(); [ -n "$sep" ] && opt=(--separator "$sep")
  A audit list --csv "${opt[@]}" "$@" > "$dir/out.csv" && A --json audit list "$@" > "$dir/out.json" &&
  /usr/bin/python3 - "$dir/out.csv" "$dir/out.json" "${sep:-;}" <<'PY'
import csv, datetime, json, sys
raw = open(sys.argv[1], 'rb').read()
assert raw.startswith(b'\xef\xbb\xbf'), 'no BOM'
rows = list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8-sig'), delimiter=sys.argv[3], strict=True))
events = json.load(open(sys.argv[2]))['events']
assert len(rows) == len(events) + 1, (len(rows), len(events))
assert len(rows[0]) == 7, rows[0]
for row, e in zip(rows[1:], reversed(events)):
    t = datetime.datetime.fromisoformat(e['time'].replace('Z', '+00:00')).astimezone()
    want = [str(e['id']), t.strftime('%Y-%m-%d %H:%M:%S'), e['actor'], e['action'],
            e['subject'] or '', e['details'] or '', e['hash']]
    assert row == want, (row, want)
PY
}
csv_check ''; ok $? "--csv: the events as --json has them, newest first, ';' by default"
csv_check ','; ok $? "--csv --separator ,: the same with commas"
csv_check '' --as 1 --action user --since 2000-01-01; ok $? "--csv with --as and filters"
head -c 3 "$dir/out.csv" | od -An -tx1 | grep -q "ef bb bf"; ok $? "the CSV begins with the UTF-8 byte order mark"
A audit list --csv --separator tab >/dev/null 2>&1; [ $? = 2 ]; ok $? "another separator is bad usage"

echo "1..$n"
