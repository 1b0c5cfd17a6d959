# servers.sh — sourced by the tests of several server processes on one
# PostgreSQL database (run under tests/fixtures/zid-pg-fixture.sh, which
# exports ZID_TEST_PG_URI): the build's programs, the database ($uri, Q
# 'SQL' through psql), a temporary folder $dir (kept when ZID_TEST_KEEP is
# set), TAP lines (`ok STATUS DESCRIPTION [DIAGNOSTIC]`; end with
# `echo "1..$n"`), and
#   start_server N PORT [NAME=VALUE…]   `zorgid-admin $server_command` (default
#                                       "service run") on the data dir
#                                       $dir/data and the database, listening
#                                       on PORT, its pid in server_pid[N]; back
#                                       once it listens
# Every process in $pids is killed on exit.

admin="${ZID_BUILD_ROOT:?}/src/cli/zorgid-admin"
mobile="$ZID_BUILD_ROOT/src/mobile/zorgid-mobile"
uri="${ZID_TEST_PG_URI:?run under tests/fixtures/zid-pg-fixture.sh}"
psql=$(ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n 1)
[ -x "$psql" ] || psql=psql
server_command=${server_command:-service run}

dir=$(mktemp -d)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  wait 2>/dev/null
  [ -n "${ZID_TEST_KEEP:-}" ] && echo "# kept $dir" || rm -rf "$dir"
}
trap cleanup EXIT
n=0
ok() {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
  [ "$1" = 0 ] || [ -z "${3:-}" ] || printf '%s\n' "$3" | head -n 20 | sed 's/^/# /'
  return 0
}
Q() { "$psql" -d "$uri" -XAtqc "$1"; }
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
printf '24680\n' >"$dir/pin"

declare -A server_pid port_of
start_server() {
  local i=$1 port=$2
  shift 2
  # shellcheck disable=SC2086 # $server_command is two words
  env "$@" ZID_DATABASE="$uri" "$admin" --data-dir "$dir/data" $server_command --listen "127.0.0.1:$port" \
    >"$dir/server$i.out" 2>>"$dir/server$i.log" &
  server_pid[$i]=$!
  port_of[$i]=$port
  pids+=("$!")
  for _ in $(seq 1 250); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.02
  done
  return 1
}
