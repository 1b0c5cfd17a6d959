#!/usr/bin/env bash
# The remote command line: administrators log in at one organisation
# server with the ZORG-ID app and act through another on the same
# PostgreSQL database (run under tests/fixtures/zid-pg-fixture.sh, which
# exports ZID_TEST_PG_URI). Both `zorgid-admin server run` processes use one
# data dir (one TLS identity, so one connection code's pin holds for both).
#
# The clients are zorgid-admin without a store of their own: a config dir
# each (their session file) and no ZID_DATABASE. Shown here:
# - without a session nothing runs; a request to the admin API without a
#   token is refused;
# - login through server 1 with the phone's answer; the session file is
#   0600 and the server keeps only the token's hash;
# - through server 2 the same answers as the local command line gives: the
#   same JSON (byte for byte for the read commands) and exit statuses, and
#   every refusal of tests/core/test-cli.sh that a remote administrator can
#   meet has its twin here;
# - a Beheerder's session is held to a Beheerder's rules, and refused once
#   the Beheerder is a Gebruiker; a Gebruiker cannot log in;
# - a token after logout (revoked) and after 15 minutes without use
#   (expired) is refused and the client forgets it;
# - commands that read or write files of the server's, and --as, are
#   refused; `audit verify` is intact at the end. TAP output.
set -u

server_command="server run"
. "${ZID_SOURCE_ROOT:?}/tests/service/servers.sh"

# expect STATUS DESCRIPTION -- COMMAND...: runs it, stdout in $out, stderr in $err
expect() {
  local want=$1 what=$2 got
  shift 3
  out=$("$@" 2>"$dir/stderr")
  got=$?
  err=$(cat "$dir/stderr")
  ok "$([ "$got" = "$want" ]; echo $?)" "$what" "exit $got, wanted $want: $err $out"
}
check() { eval "$2"; ok $? "$1" "$out"; }

# the server's side: its data dir, the database
A() { ZID_DATABASE="$uri" "$admin" --data-dir "$dir/data" "$@"; }
# the clients: WHO's own config and data dirs, no database of their own
client() { local who=$1; shift; env -u ZID_DATABASE XDG_CONFIG_HOME="$dir/$who/config" XDG_DATA_HOME="$dir/$who/data" "$admin" "$@"; }
R() { client anna "$@"; }
session_file() { echo "$dir/$1/config/zorgid-portaal/acceptatie/server-session.json"; }
json_field() { /usr/bin/python3 -c 'import json, sys; print(json.loads(sys.stdin.readline())[sys.argv[1]])' "$1"; }
# enrol WHO PAYLOAD: WHO's phone redeems an enrolment code
enrol() { "$mobile" --data-dir "$dir/$1/phone" --pin-file "$dir/pin" --json enrol "$2" >"$dir/$1/enrol.json" 2>&1; }

# login WHO: WHO's zorgid-admin logs in through server 1 and WHO's phone
# answers the login QR it shows; the exit status of login, its output in
# $dir/WHO/login.out
login() {
  local who=$1 lp payload
  client "$who" --json --server "$code1" login >"$dir/$who/login.out" 2>"$dir/$who/login.err" &
  lp=$!
  for _ in $(seq 1 200); do
    grep -q login_payload "$dir/$who/login.out" 2>/dev/null && break
    kill -0 "$lp" 2>/dev/null || break
    sleep 0.05
  done
  payload=$(head -n 1 "$dir/$who/login.out" | json_field login_payload 2>/dev/null)
  [ -n "$payload" ] &&
    "$mobile" --data-dir "$dir/$who/phone" --pin-file "$dir/pin" --json login "$payload" >"$dir/$who/phone-login.json" 2>&1
  wait "$lp"
}

port1=$(free_port)
port2=$(free_port)
mkdir -p "$dir/anna" "$dir/bert" "$dir/gijs"
A config set service-address "127.0.0.1:$port1" >/dev/null &&
  A registration add --ura 12345678 --name "Zorggroep Noord" >/dev/null &&
  A --json organisation bootstrap --ura 12345678 --first-name Anna --last-name Admin \
    --birth-date 1980-01-01 >"$dir/boot.json"
ok $? "an organisation on the PostgreSQL database, its Administrator registered"
start_server 1 "$port1" && start_server 2 "$port2"
ok $? "two servers on one database" "$(cat "$dir"/server*.log)"
enrol anna "$(json_field enrolment_payload <"$dir/boot.json")"
ok $? "the Administrator's phone enrols" "$(cat "$dir/anna/enrol.json")"

code1=$(A --json server connection-code | json_field connection_code)
[[ "$code1" == "zorgid://server?v=1&env=acceptatie&host=127.0.0.1:$port1&pin="* ]]
ok $? "server connection-code: environment, address and pin in one string" "$code1"
grep -qF "$code1" "$dir/server1.out" && grep -qF -- "--server '$code1' login" "$dir/server1.out"
ok $? "the server prints the same connection code at start, quoted for a shell in its hint" "$(cat "$dir/server1.out")"
code2=${code1/host=127.0.0.1:$port1/host=127.0.0.1:$port2}

# Without a session
expect 1 "without a session a command is refused" -- R --json --server "$code2" user list
check "as session-invalid" '[[ "$out" == *"\"error\":\"session-invalid\""* ]]'
expect 2 "login without --server says which server is needed" -- R login
expect 1 "a connection code of another environment is refused" -- \
  R --json --server "${code1/env=acceptatie/env=productie}" login
check "as wrong-environment" '[[ "$out" == *"\"error\":\"wrong-environment\""* ]]'
expect 1 "a connection code with another pin is refused before anything is sent" -- \
  R --json --server "${code1%pin=*}pin=$(printf 'A%.0s' $(seq 1 43))" login
check "as pin-mismatch" '[[ "$out" == *"\"error\":\"pin-mismatch\""* ]]'
answer=$(curl -sk -o - -w ' %{http_code}' -H 'Content-Type: application/json' \
  -d '{"command":"user list","json":"true"}' "https://127.0.0.1:$port2/v1/admin/command")
[[ "$answer" == *'"error":"invalid-input"'*' 400' ]]
ok $? "the admin API refuses a command without a token" "$answer"
answer=$(curl -sk -o - -w ' %{http_code}' -H 'Content-Type: application/json' \
  -d '{"token":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","command":"user list","json":"true"}' \
  "https://127.0.0.1:$port2/v1/admin/command")
[[ "$answer" == *'"error":"session-invalid"'*' 403' ]]
ok $? "and one with a token it never gave" "$answer"
/usr/bin/python3 -c 'import sys; sys.stdout.write("{\"token\":\"x\",\"command\":\"user import -\",\"json\":\"true\",\"input\":\"" + "A" * (17 * 1024 * 1024) + "\"}")' >"$dir/huge.json"
answer=$(curl -sk -o - -w ' %{http_code}' -H 'Content-Type: application/json' --data-binary @"$dir/huge.json" \
  "https://127.0.0.1:$port2/v1/admin/command")
[[ "$answer" == *'"error":"too-large"'*' 413' ]]
ok $? "a command with more than 16 MiB is refused" "$answer"
rm -f "$dir/huge.json"

# Login through server 1
login anna
ok $? "login: the Administrator's phone answers the QR in the terminal" \
  "$(cat "$dir/anna/login.out" "$dir/anna/login.err" "$dir/anna/phone-login.json")"
[ "$(tail -n 1 "$dir/anna/login.out" | json_field user)" = 1 ]
ok $? "logged in as user 1" "$(cat "$dir/anna/login.out")"
[ "$(stat -c %a "$(session_file anna)")" = 600 ]
ok $? "the session file is 0600"
token=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["token"])' "$(session_file anna)")
hash=$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)
[ "$(Q "SELECT count(*) FROM admin_sessions WHERE encode(token_hash, 'hex') = '$hash' AND user_id = 1")" = 1 ] &&
  [ "$(Q "SELECT count(*) FROM admin_sessions WHERE position('$token' IN encode(token_hash, 'escape')) > 0")" = 0 ]
ok $? "the server keeps the token's SHA-256, not the token"

# While a session is kept every command that needs a store goes to the
# server: one that does not run there is refused, never answered from a
# store of this computer; help is local
expect 2 "config set with a session kept (no --server) is refused, not run here" -- \
  R config set service-address 127.0.0.1:1
check "and says how to work on a local store" '[[ "$err" == *"--data-dir"* ]] && [ ! -e "$dir/anna/data/zorgid-portaal" ]'
expect 0 "user list --help is this program's own" -- R user list --help
check "its options, without the server" '[[ "$out" == *"--search"* ]]'

# Acting through server 2
S() { R --server "$code2" "$@"; }
expect 0 "register a user through the other server" -- \
  S --json user register --organisation 12345678 --first-name Bert --last-name Beheer --birth-date 1985-05-05
check "the same answer as locally: user, payload, expiry" \
  '[[ "$out" =~ \"user\":2, ]] && [[ "$out" == *"\"enrolment_payload\":\"zorgid://enrol?v=1&env=acceptatie"* ]]'
enrol bert "$(printf '%s\n' "$out" | json_field enrolment_payload)"
ok $? "Bert's phone enrols with that code" "$(cat "$dir/bert/enrol.json")"
[ "$(Q "SELECT actor FROM audit WHERE action = 'user.register' ORDER BY id DESC LIMIT 1")" = user:1 ]
ok $? "the audit trail names the administrator who logged in as actor"
expect 0 "give Bert the Beheerder role" -- S membership set 2 --organisation 12345678 --role Beheerder
expect 0 "register a Gebruiker" -- \
  S --json user register --organisation 12345678 --first-name Gijs --last-name Gebruiker --birth-date 1991-01-01
enrol gijs "$(printf '%s\n' "$out" | json_field enrolment_payload)"
ok $? "Gijs's phone enrols" "$(cat "$dir/gijs/enrol.json")"
expect 0 "attribute add" -- S attribute add 3 --type big --organisation 12345678 --task-code 19012345601

# user import: the client sends the file (or its standard input) along
{
  echo "voornaam;achternaam;geboortedatum;rol"
  echo "Ilse;Import;02-03-1970;Gebruiker"
  echo "Ivo;Import;04-05-1971;Beheerder"
  echo "Iris;Fout;31-02-1972;Gebruiker"
} >"$dir/people.csv"
users_before=$(Q "SELECT count(*) FROM users")
here=$(A --json user import --as 1 --organisation 12345678 --dry-run "$dir/people.csv" 2>&1; echo "exit $?")
there=$(S --json user import --organisation 12345678 --dry-run "$dir/people.csv" 2>&1; echo "exit $?")
[ "$here" = "$there" ] && [ "$(Q "SELECT count(*) FROM users")" = "$users_before" ]
ok $? "user import --dry-run of a file: the same as locally, nobody registered" "$(diff <(echo "$here") <(echo "$there"))"
expect 0 "user import of the file through the server" -- S --json user import --organisation 12345678 "$dir/people.csv"
check "two registered, the impossible date refused" \
  '[ "$(Q "SELECT count(*) FROM users WHERE last_name = '"'Import'"'")" = 2 ] && [[ "$out" == *"\"outcome\":\"refused\""* ]]'
[ "$(Q "SELECT count(*) FROM audit WHERE action = 'user.register' AND actor = 'user:1'")" -ge 4 ]
ok $? "registered as the administrator who logged in"
printf 'voornaam;achternaam;geboortedatum\nStijn;Standaardinvoer;05-06-1973\n' |
  S --json user import --organisation 12345678 - >"$dir/stdin-import.json" 2>&1
[ "$(Q "SELECT count(*) FROM users WHERE last_name = 'Standaardinvoer'")" = 1 ]
ok $? "user import - sends the standard input" "$(cat "$dir/stdin-import.json")"
expect 2 "an empty standard input is refused as an empty file" -- S user import --organisation 12345678 - </dev/null

same() {
  local what=$1 a here there
  local local_args=() remote_args=()
  shift
  for a in "$@"; do
    if [ "$a" = --as-actor ]; then local_args+=(--as 1); else local_args+=("$a"); remote_args+=("$a"); fi
  done
  here=$(A "${local_args[@]}" 2>&1; echo "exit $?")
  there=$(S "${remote_args[@]}" 2>&1; echo "exit $?")
  [ "$here" = "$there" ]
  ok $? "$what: the same as locally" "$(diff <(echo "$here") <(echo "$there"))"
}
same "user list --json" --json user list --as-actor
same "user list --search" user list --as-actor --search beh
same "user show --json" --json user show --as-actor 2
same "organisation list --json" --json organisation list --as-actor
same "organisation inactive --csv" organisation inactive --as-actor 12345678 --csv
same "certificate list --json" --json certificate list --as-actor 2
same "audit verify --json" --json audit verify

# The refusals of the local command line, remotely
users_before=$(Q "SELECT count(*) FROM users")
expect 2 "register with an empty first name" -- S user register --organisation 12345678 --first-name "" --last-name X --birth-date 1990-01-01
expect 2 "register into an unknown organisation" -- S user register --organisation 99999999 --first-name X --last-name Y --birth-date 1990-01-01
expect 2 "register with a future birth date" -- S user register --organisation 12345678 --first-name A --last-name B --birth-date 2999-01-01
expect 2 "an invalid date" -- S --json user register --organisation 12345678 --first-name A --last-name B --birth-date 1980-02-30
check "bad input in JSON" '[[ "$out" == *"\"error\":\"invalid-input\""* ]]'
expect 2 "--as is not taken remotely" -- S user register --as 1 --organisation 12345678 --first-name X --last-name Y --birth-date 1990-01-01
check "and says why" '[[ "$err" == *"--as"* ]]'
expect 2 "--qr-png, a file on the client's computer, is refused" -- \
  S user register --organisation 12345678 --first-name X --last-name Y --birth-date 1990-01-01 --qr-png "$dir/qr.png"
[ "$(Q "SELECT count(*) FROM users")" = "$users_before" ] && [ ! -e "$dir/qr.png" ]
ok $? "nothing written on bad input"
expect 2 "unknown role" -- S membership set 2 --organisation 12345678 --role Koning
expect 2 "block with an unknown reason" -- S user block 3 --reason bored
expect 1 "the only administrator cannot be blocked" -- S --json user block 1 --reason security-incident
check "last-administrator named" '[[ "$out" == *"\"error\":\""* ]] && [[ "$out" != *"\"error\":\"session-invalid\""* ]]'
expect 1 "revoke for an unknown user" -- S --json certificate revoke 77 abcdef
check "refused as not-permitted, not as not-found" '[[ "$out" == *"\"error\":\"not-permitted\""* ]]'
expect 2 "an unknown command" -- S frobnicate
expect 2 "a command that runs only on the server's computer (config set)" -- S config set service-address 127.0.0.1:1
check "and says so" '[[ "$err" == *"config set"* ]]'
expect 2 "user import of a file that is not on the client's computer" -- S user import --organisation 12345678 "$dir/none.csv"
check "says so" '[[ "$err" == *"none.csv"* ]]'
expect 2 "user import --letters (a file written on the client) is refused" -- \
  S user import --organisation 12345678 --letters "$dir/letters.pdf" "$dir/people.csv"
expect 2 "registration add is not taken remotely" -- S registration add --ura 23456789 --name Other
expect 2 "--database beside --server is refused" -- S --database "$uri" user list
expect 0 "audit list: the administrator's own events" -- S --json audit list
check "which include the registrations" '[[ "$out" == *"user.register"* ]]'
expect 2 "audit list --as another actor is refused" -- S audit list --as 2

# A Beheerder's session, and a Gebruiker's
login bert
ok $? "Bert (Beheerder) logs in" "$(cat "$dir/bert/login.out" "$dir/bert/login.err")"
expect 1 "the Beheerder may not give the Administrator role" -- \
  client bert --server "$code2" --json membership set 3 --organisation 12345678 --role Administrator
check "role-not-allowed named" '[[ "$out" == *"\"error\":\"role-not-allowed\""* ]]'
expect 0 "the Administrator makes Bert a Gebruiker" -- S membership set 2 --organisation 12345678 --role Gebruiker
expect 1 "Bert's session cannot act any more" -- client bert --server "$code2" --json user list
check "refused as no-portal-access" '[[ "$out" == *"\"error\":\"no-portal-access\""* ]]'
[ ! -e "$(session_file bert)" ]
ok $? "and the client forgets it"
login gijs
status=$?
grep -q '"error" : "no-portal-access"' "$dir/gijs/phone-login.json" && [ ! -e "$(session_file gijs)" ]
ok $? "a Gebruiker cannot log in: the phone is told no-portal-access, no session kept" \
  "$(cat "$dir/gijs/phone-login.json" "$dir/gijs/login.out")"
[ "$status" = 1 ] && grep -q '"error":"no-portal-access"' "$dir/gijs/login.out"
ok $? "and the waiting zorgid-admin login is told so at once (exit 1, no-portal-access)" \
  "$status $(cat "$dir/gijs/login.out" "$dir/gijs/login.err")"

# Logout; a revoked token
cp "$(session_file anna)" "$dir/anna/kept-session.json"
expect 0 "logout" -- R --json logout
check "says so" '[[ "$out" == *"\"logged_out\":true"* ]] && [ ! -e "$(session_file anna)" ]'
expect 1 "after logout a command through the server is refused" -- S --json user list
check "as session-invalid" '[[ "$out" == *"\"error\":\"session-invalid\""* ]]'
cp "$dir/anna/kept-session.json" "$(session_file anna)"
expect 1 "the token kept from before the logout is refused" -- S --json user list
check "as session-invalid, and forgotten" '[[ "$out" == *"\"error\":\"session-invalid\""* ]] && [ ! -e "$(session_file anna)" ]'
unset token

# An expired token: server 2 restarted 16 minutes later (the test clock)
login anna
ok $? "the Administrator logs in again" "$(cat "$dir/anna/login.out" "$dir/anna/login.err")"
expect 0 "and acts" -- S user list
kill "${server_pid[2]}" && wait "${server_pid[2]}" 2>/dev/null
start_server 2 "$port2" ZID_TEST_CLOCK_OFFSET=$((16 * 60))
ok $? "server 2 restarted, its clock 16 minutes on"
expect 1 "a session unused for 16 minutes is refused" -- S --json user list
check "as session-invalid, saying after how long" '[[ "$out" == *"\"error\":\"session-invalid\""* ]] && [[ "$out" == *15* ]]'
[ "$(Q "SELECT count(*) FROM audit WHERE action = 'session.end' AND details LIKE '%idle%'")" -ge 1 ]
ok $? "the end of the session is in the audit trail"

# Logging in again ends the session it replaces; logout with the server
# gone logs out here and says what happens there
login anna
first=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["token"])' "$(session_file anna)")
login anna
ok $? "logging in again" "$(cat "$dir/anna/login.out" "$dir/anna/login.err")"
answer=$(curl -sk -o - -w ' %{http_code}' -H 'Content-Type: application/json' \
  -d "{\"token\":\"$first\"}" "https://127.0.0.1:$port1/v1/admin/session")
[[ "$answer" == *'"error":"session-invalid"'*' 403' ]]
ok $? "ends the session it replaces at the server" "$answer"
kill "${server_pid[1]}" && wait "${server_pid[1]}" 2>/dev/null
expect 0 "logout with the server gone" -- R --json logout
check "logs out here, saying the server was not reached" \
  '[[ "$out" == *"\"logged_out\":true"* && "$out" == *"\"server_reached\":false"* ]] && [ ! -e "$(session_file anna)" ]'

expect 0 "audit verify: the chain is intact after all of it" -- A --json audit verify
check "intact" '[[ "$out" == *"\"intact\":true"* ]]'
[ ! -e "$dir/anna/data/zorgid-portaal" ]
ok $? "the clients made no store of their own" "$(find "$dir/anna/data" 2>/dev/null)"

echo "1..$n"
