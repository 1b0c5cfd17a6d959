#!/usr/bin/env bash
# `zorgid-admin audit list`: without --as the operator's whole trail (as
# before); with --as USER only the events about users and organisations
# that person manages; the filters --user, --organisation, --action,
# --since and --until. TAP output.
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

echo "1..$n"
