#!/usr/bin/env bash
# The organisation server as its systemd unit or its Containerfile starts
# it (run under tests/fixtures/zid-pg-fixture.sh, which exports
# ZID_TEST_PG_URI):
#   test-server-ops.sh unit UNIT BINDIR
#       the unit's ExecStart, environment (Environment=, then the settings
#       file), UMask and working directory, as systemd would give them
#       (tests/data/server-exec.py); the build's zorgid-admin stands in for
#       BINDIR's
#   test-server-ops.sh container CONTAINERFILE ROOT
#       ENTRYPOINT + CMD with the image's ENV, then the settings file as
#       --env-file gives it; ROOT is the install tree of its build stage
# The settings file is the sample data/server/server.conf with its
# database, listen address and data dir pointed at this test's. Shown: the
# server answers GET /v1/service over TLS with the pin of the connection
# code it printed, in the sample's environment; the data is in PostgreSQL
# and the keys in the data dir (0700, files 0600); SIGTERM stops it with
# exit 0 within the unit's TimeoutStopSec; started again it has the same
# pin. TAP output.
set -u

mode=$1 file=$2 where=$3
src="${ZID_SOURCE_ROOT:?}"
exec_py="$src/tests/data/server-exec.py"
. "$src/tests/service/servers.sh"

port=$(free_port)
state="$dir/state"
case $mode in
  unit) data="$state/zorgid-portaal" ;;
  container) data="$dir/volume" ;;
esac

# the sample, pointed at this test's database, port and data dir
conf="$dir/server.conf"
missing=
declare -A setting=([ZID_DATABASE]=$uri [ZID_LISTEN]="127.0.0.1:$port" [ZID_DATA_DIR]=$data)
for key in "${!setting[@]}"; do
  grep -q "^$key=" "$src/data/server/server.conf" || missing+=" $key"
done
while IFS= read -r line; do
  key=${line%%=*}
  if [[ $line != \#* && -n ${setting[$key]+set} ]]; then
    printf '%s=%s\n' "$key" "${setting[$key]}"
  else
    printf '%s\n' "$line"
  fi
done <"$src/data/server/server.conf" >"$conf"
[ -z "$missing" ]; ok $? "the sample settings file sets ZID_DATABASE, ZID_LISTEN and ZID_DATA_DIR" "missing:$missing"
env_name=$(sed -n 's/^ZID_ENVIRONMENT=//p' "$conf")

start() {
  local name=$1
  local how=("$file" "$conf" "$where")
  [ "$mode" = unit ] && how=("$file" "$conf" "$state" "$where=$ZID_BUILD_ROOT/src/cli")
  /usr/bin/python3 "$exec_py" "$mode" "${how[@]}" >"$dir/$name.out" 2>"$dir/$name.log" &
  server=$!
  pids+=("$server")
  for _ in $(seq 1 1500); do
    grep -q '^zorgid://server?' "$dir/$name.out" 2>/dev/null && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.02
  done
  code=$(grep -m 1 '^zorgid://server?' "$dir/$name.out")
  pin=${code##*pin=}
}

# GET /v1/service over TLS: the certificate's pin (base64url SHA-256 of the
# DER certificate), then the answer
probe() {
  /usr/bin/python3 - "$port" <<'EOF'
import base64, hashlib, socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10) as raw:
    with ctx.wrap_socket(raw) as tls:
        der = tls.getpeercert(binary_form=True)
        print(base64.urlsafe_b64encode(hashlib.sha256(der).digest()).decode().rstrip("="))
        tls.sendall(b"GET /v1/service HTTP/1.1\r\nHost: zorgid\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := tls.recv(65536):
            answer += chunk
head, _, body = answer.decode().partition("\r\n\r\n")
print(head.splitlines()[0])
print(body.strip())
EOF
}

start first
[ -n "$code" ]; ok $? "$mode: the server starts and prints a connection code" "$(cat "$dir/first.out" "$dir/first.log")"
grep -q "^Enrolment service listening on 127.0.0.1:$port " "$dir/first.out"
ok $? "$mode: it listens where the settings file's ZID_LISTEN says" "$(head -n 1 "$dir/first.out")"
[[ $code == "zorgid://server?v=1&env=$env_name&"* ]]
ok $? "$mode: the connection code is for the sample's environment ($env_name)" "$code"

answer=$(probe 2>&1)
mapfile -t lines <<<"$answer"
[ "${lines[0]}" = "$pin" ]; ok $? "$mode: the TLS certificate has the connection code's pin" "$answer / $pin"
[ "${lines[1]:-}" = "HTTP/1.1 200 OK" ] && [ "${lines[2]:-}" = "{\"protocol\":1,\"environment\":\"$env_name\"}" ]
ok $? "$mode: GET /v1/service answers the protocol and the environment" "$answer"

tables=$(Q "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
[ "${tables:-0}" -gt 0 ] && [ ! -e "$data/zorgid.db" ] && [ -f "$data/seal.key" ] &&
  [ -f "$data/ca/key.pem" ] && [ -d "$data/service-tls" ]
ok $? "$mode: the data in PostgreSQL ($tables tables), the keys in the data dir" "$(ls -R "$data")"
# the unit's UMask=0077 makes every file 0600; in the container the
# program's own modes hold (the folders 0700, the keys 0600; the
# certificates are public)
if [ "$mode" = unit ]; then
  loose=$(find "$data" \( -type d ! -perm 0700 \) -o \( -type f ! -perm 0600 \))
  what="the data dir and its folders are 0700, its files 0600"
else
  loose=$(find "$data" \( -type d ! -perm 0700 \) -o \( -type f \( -name '*key*' -o -name 'zorgid.db' \) ! -perm 0600 \))
  what="the data dir and its folders are 0700, the keys 0600"
fi
[ -z "$loose" ]; ok $? "$mode: $what" "$loose $(ls -lR "$data")"

kill -TERM "$server"
stopped=1
for _ in $(seq 1 300); do
  kill -0 "$server" 2>/dev/null || { stopped=0; break; }
  sleep 0.1
done
wait "$server"
status=$?
[ "$stopped" = 0 ] && [ "$status" = 0 ]
ok $? "$mode: SIGTERM stops it with exit 0 within 30 s" "exit $status $(tail -n 3 "$dir/first.log")"

first_pin=$pin
start again
[ -n "$pin" ] && [ "$pin" = "$first_pin" ]
ok $? "$mode: started again, the same data dir and pin" "$pin / $first_pin $(cat "$dir/again.log")"

echo "1..$n"
