#!/usr/bin/env bash
# `zorgid-admin organisation inactive --csv`: the one CSV writer, read back
# with Python's csv module (';' by default, ',' on request) to the very
# names and times --json gives, accents, quotes and a guarded formula
# included. TAP output.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

A() { "$admin" --data-dir "$dir/data" "$@"; }
export TZ=Europe/Amsterdam

A registration add --ura 12345678 --name "Zorggroep Noord" >/dev/null &&
  A organisation bootstrap --ura 12345678 --first-name Anna --last-name Noord --birth-date 1980-01-01 >/dev/null &&
  A user register --as 1 --organisation 12345678 --first-name "Zoë" --last-name "de Vries-'t Hart" --birth-date 1990-01-01 >/dev/null &&
  A user register --as 1 --organisation 12345678 --first-name 'Bob "de Bouwer"' --last-name "Smit; Jansen, Jr" --birth-date 1991-02-03 >/dev/null &&
  A user register --as 1 --organisation 12345678 --first-name '=HYPERLINK("http://example.org";"klik")' --last-name "-Min" --birth-date 1992-03-04 >/dev/null
ok $? "an organisation with users named Zoë, with quotes and separators, and a formula"

export ZID_TEST_CLOCK_OFFSET=$((29 * 86400))
check() { # $1: separator ('' for the default)
  local opt=(); [ -n "$1" ] && opt=(--separator "$1")
  A organisation inactive --as 1 12345678 --csv "${opt[@]}" > "$dir/out.csv" &&
    A --json organisation inactive --as 1 12345678 > "$dir/out.json" &&
    /usr/bin/python3 - "$dir/out.csv" "$dir/out.json" "${1:-;}" <<'PY'
import csv, datetime, json, sys
raw = open(sys.argv[1], 'rb').read()
assert raw.startswith(b'\xef\xbb\xbf'), 'no BOM'
rows = list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8-sig'), delimiter=sys.argv[3], strict=True))
users = json.load(open(sys.argv[2]))['users']
assert rows[0] == ['id', 'voornaam', 'achternaam', 'geboortedatum', 'status', 'laatst_gebruikt', 'geregistreerd'], rows[0]
assert len(rows) == len(users) + 1 and len(users) == 4, (rows, users)
def local(t):
    return datetime.datetime.fromisoformat(t.replace('Z', '+00:00')).astimezone().strftime('%Y-%m-%d %H:%M:%S') if t else ''
def guard(s):
    return "'" + s if s[:1] in ('=', '+', '-', '@', '\t', '\r') else s
for row, u in zip(rows[1:], users):
    want = [str(u['id']), guard(u['first_name']), guard(u['last_name']), u['birth_date'],
            'geblokkeerd' if u['status'] == 'blocked' else 'actief', local(u.get('last_use')), local(u['registered'])]
    assert row == want, (row, want)
names = [r[1] for r in rows[1:]]
assert 'Zoë' in names and 'Bob "de Bouwer"' in names, names
assert '\'=HYPERLINK("http://example.org";"klik")' in names, names
PY
}
check ''; ok $? "--csv: ';' by default, read back to the names and local times of --json"
check ','; ok $? "--csv --separator ,: the same with commas"
! grep -q '\\303' "$dir/out.csv"; ok $? "no escaped UTF-8 bytes"
A organisation inactive --as 1 12345678 --csv --separator '|' >/dev/null 2>&1; [ $? = 2 ]
ok $? "another separator is bad usage"

echo "1..$n"
