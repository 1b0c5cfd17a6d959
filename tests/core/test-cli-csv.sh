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

# `user list --csv` and `user pending --csv`: the same writer, read back to
# what --json says (headers in the C locale: English)
unset ZID_TEST_CLOCK_OFFSET LANGUAGE
check_list() { # $1: separator ('' for the default)
  local opt=(); [ -n "$1" ] && opt=(--separator "$1")
  A user list --as 1 --organisation 12345678 --csv "${opt[@]}" > "$dir/users.csv" &&
    A --json user list --as 1 --organisation 12345678 > "$dir/users.json" &&
    A user pending --as 1 --organisation 12345678 --csv "${opt[@]}" > "$dir/pending.csv" &&
    A --json user pending --as 1 --organisation 12345678 > "$dir/pending.json" &&
    /usr/bin/python3 - "$dir" "${1:-;}" <<'PY'
import csv, datetime, json, os, sys
d, sep = sys.argv[1], sys.argv[2]
def read(name):
    raw = open(os.path.join(d, name), 'rb').read()
    assert raw.startswith(b'\xef\xbb\xbf'), 'no BOM in ' + name
    assert b'\\303' not in raw, 'escaped UTF-8 in ' + name
    return list(csv.reader(open(os.path.join(d, name), newline='', encoding='utf-8-sig'), delimiter=sep, strict=True))
def local(t):
    return datetime.datetime.fromisoformat(t.replace('Z', '+00:00')).astimezone().strftime('%Y-%m-%d %H:%M:%S') if t else ''
def guard(s):
    return "'" + s if s[:1] in ('=', '+', '-', '@', '\t', '\r') else s
mobile = {'none': 'Not enrolled', 'active': 'Active', 'revoked': 'Revoked'}

rows = read('users.csv')
users = json.load(open(os.path.join(d, 'users.json')))['users']
assert rows[0] == ['Number', 'First name', 'Last name', 'Birth date', 'Role', 'Organisations and roles',
                   'Status', 'Block reason', 'Mobile ID', 'Last use', 'Registered'], rows[0]
assert len(rows) == len(users) + 1 and len(users) == 4, (rows, users)
for row, u in zip(rows[1:], users):
    ms = u['memberships']
    want = [str(u['id']), guard(u['first_name']), guard(u['last_name']), u['birth_date'],
            [m['role'] for m in ms if m['organisation'] == '12345678'][0],
            ', '.join('%s (%s)' % (m['organisation_name'], m['role']) for m in ms),
            'Blocked' if u['status'] == 'blocked' else 'Active', '', mobile[u['mobile_id']],
            local(u.get('last_use')), local(u['registered'])]
    assert row == want, (row, want)
names = [r[1] for r in rows[1:]]
assert 'Zoë' in names and 'Bob "de Bouwer"' in names, names
assert '\'=HYPERLINK("http://example.org";"klik")' in names, names
assert "'-Min" in [r[2] for r in rows[1:]]
assert 'Smit; Jansen, Jr' in [r[2] for r in rows[1:]]

rows = read('pending.csv')
pending = json.load(open(os.path.join(d, 'pending.json')))['pending']
assert rows[0] == ['Number', 'First name', 'Last name', 'Birth date', 'Code for', 'Issued',
                   'Valid until', 'Expired'], rows[0]
assert len(rows) == len(pending) + 1 and len(pending) == 4, (rows, pending)
for row, p in zip(rows[1:], pending):
    u = p['user']
    want = [str(u['id']), guard(u['first_name']), guard(u['last_name']), u['birth_date'],
            'Registration' if p['purpose'] == 'registration' else 'New certificate',
            local(p['created']), local(p['expires']), 'Yes' if p['expired'] else 'No']
    assert row == want, (row, want)
assert 'Zoë' in [r[1] for r in rows[1:]]
PY
}
check_list ''; ok $? "user list --csv and user pending --csv: ';', read back to --json"
check_list ','; ok $? "user list --csv and user pending --csv --separator ,: the same with commas"
A user pending --as 1 --organisation 12345678 --csv --separator '|' >/dev/null 2>&1; [ $? = 2 ]
ok $? "user pending: another separator is bad usage"
A user list --as 1 --organisation 12345678 --csv --search Zo >/dev/null 2>&1; [ $? = 2 ]
ok $? "user list: --csv with --search is bad usage"

echo "1..$n"
