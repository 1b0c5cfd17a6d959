#!/usr/bin/env bash
# zorgid-admin takes a service's settings from the environment:
# ZID_ENVIRONMENT, ZID_DATA_DIR and ZID_LISTEN stand for --environment,
# --data-dir and --listen (as ZID_DATABASE for --database); the option
# wins; an empty value counts as unset; a bad value is refused naming the
# variable; ZID_DATA_DIR names a local store as --data-dir does (a kept
# server session is not used then). TAP output.
set -u

. "${ZID_SOURCE_ROOT:?}/tests/core/tap.sh"

# English text, no data dir, database or server of the caller's
E() { env -u LANGUAGE -u ZID_DATABASE -u ZID_DATA_DIR -u ZID_ENVIRONMENT -u ZID_LISTEN \
        XDG_DATA_HOME="$dir/xdg" XDG_CONFIG_HOME="$dir/config" "$@"; }

# ZID_ENVIRONMENT and ZID_DATA_DIR
out=$(E ZID_ENVIRONMENT=productie ZID_DATA_DIR="$dir/prod" "$admin" overview 2>&1)
[[ $out == *"environment productie"* && $out == *"Data dir:        $dir/prod"* ]]
ok $? "ZID_ENVIRONMENT and ZID_DATA_DIR: productie in that folder" "$out"
[ -f "$dir/prod/seal.key" ] && [ ! -e "$dir/xdg/zorgid-portaal" ]
ok $? "the data dir is made there, none under XDG_DATA_HOME" "$(ls -R "$dir")"
out=$(E "$admin" --environment productie --data-dir "$dir/prod" overview 2>&1)
[[ $out == *"environment productie"* ]]; ok $? "the same folder through the options is productie's" "$out"

out=$(E ZID_ENVIRONMENT=productie ZID_DATA_DIR="$dir/prod" "$admin" --environment acceptatie overview 2>&1)
status=$?
[ "$status" = 1 ] && [[ $out == *"belongs to the environment productie, not to acceptatie"* ]]
ok $? "--environment wins over ZID_ENVIRONMENT (acceptatie on productie's folder is refused)" "$status $out"

out=$(E ZID_DATA_DIR="$dir/from-env" "$admin" --data-dir "$dir/from-option" overview 2>&1)
[ -f "$dir/from-option/seal.key" ] && [ ! -e "$dir/from-env" ] && [[ $out == *"environment acceptatie"* ]]
ok $? "--data-dir wins over ZID_DATA_DIR; acceptatie without either environment" "$out"

out=$(E ZID_ENVIRONMENT= ZID_DATA_DIR= "$admin" overview 2>&1)
[[ $out == *"environment acceptatie"* ]] && [ -f "$dir/xdg/zorgid-portaal/acceptatie/seal.key" ]
ok $? "empty ZID_ENVIRONMENT and ZID_DATA_DIR count as unset (the defaults)" "$out"

out=$(E ZID_ENVIRONMENT=prod ZID_DATA_DIR="$dir/bad" "$admin" --json overview 2>"$dir/stderr")
status=$?
[ "$status" = 2 ] && [[ $out == *'"error":"invalid-input"'* ]] &&
  grep -qF 'Unknown environment “prod” in ZID_ENVIRONMENT' "$dir/stderr" && [ ! -e "$dir/bad" ]
ok $? "a bad ZID_ENVIRONMENT: exit 2, invalid-input, the variable named, nothing made" "$status $out $(cat "$dir/stderr")"
out=$(E ZID_ENVIRONMENT=prod "$admin" --environment productie --data-dir "$dir/prod" overview 2>&1)
[[ $out == *"environment productie"* ]]; ok $? "a bad ZID_ENVIRONMENT is not read when --environment is given" "$out"

# ZID_DATA_DIR is a local store: a kept session at a server is not used
mkdir -p "$dir/config/zorgid-portaal/acceptatie"
printf '{"connection_code":"zorgid://server?v=1&env=acceptatie&host=127.0.0.1:1&pin=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","token":"x","user":1}\n' \
  >"$dir/config/zorgid-portaal/acceptatie/server-session.json"
out=$(E "$admin" --json audit verify 2>&1)
[ "$out" != '{"intact":true}' ]; ok $? "with a session kept, audit verify goes to its server (none here)" "$out"
out=$(E ZID_DATA_DIR="$dir/from-option" "$admin" --json audit verify 2>&1)
[ "$out" = '{"intact":true}' ]; ok $? "with ZID_DATA_DIR it runs on that local store" "$out"
out=$(E ZID_DATA_DIR="" "$admin" --json audit verify 2>&1)
[ "$out" != '{"intact":true}' ]; ok $? "an empty ZID_DATA_DIR names no local store" "$out"
rm -f "$dir/config/zorgid-portaal/acceptatie/server-session.json"

# ZID_LISTEN: service run and server run
# serve NAME ENV… -- ARGS…: `zorgid-admin --json ARGS` in the background;
# its first line (or its end) in $out
serve() {
  local name=$1 vars=() pid
  shift
  while [ "$1" != -- ]; do vars+=("$1"); shift; done
  shift
  E "${vars[@]}" "$admin" --data-dir "$dir/from-option" --json "$@" >"$dir/$name.out" 2>"$dir/$name.err" &
  pid=$!
  for _ in $(seq 1 250); do
    [ -s "$dir/$name.out" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.02
  done
  kill "$pid" 2>/dev/null
  wait "$pid"
  status=$?
  out=$(head -n 1 "$dir/$name.out")
}
p1=$(free_port)
p2=$(free_port)
p3=$(free_port)
E "$admin" --data-dir "$dir/from-option" config set service-address "127.0.0.1:$p3" >/dev/null
serve env ZID_LISTEN="127.0.0.1:$p1" -- service run
[[ $out == *"\"listening\":\"127.0.0.1:$p1\""* ]]; ok $? "service run listens where ZID_LISTEN says" "$out $(cat "$dir/env.err")"
serve both ZID_LISTEN="127.0.0.1:$p1" -- server run --listen "127.0.0.1:$p2"
[[ $out == *"\"listening\":\"127.0.0.1:$p2\""* && $out == *'"connection_code":"zorgid://server?'* ]]
ok $? "server run: --listen wins over ZID_LISTEN" "$out $(cat "$dir/both.err")"
serve empty ZID_LISTEN= -- service run
[[ $out == *"\"listening\":\"127.0.0.1:$p3\""* ]]
ok $? "an empty ZID_LISTEN counts as unset (the service-address setting)" "$out $(cat "$dir/empty.err")"
E ZID_LISTEN=nowhere timeout 10 "$admin" --data-dir "$dir/from-option" server run >/dev/null 2>"$dir/bad.err"
status=$?
[ "$status" = 2 ] && grep -qF 'zorgid-admin: ZID_LISTEN: “nowhere” is not ADDRESS:PORT' "$dir/bad.err"
ok $? "a bad ZID_LISTEN: exit 2, the variable named" "$status $(cat "$dir/bad.err")"

echo "1..$n"
