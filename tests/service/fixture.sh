# fixture.sh — sourced by the command-line tests of tests/service: a data
# dir with an organisation and its Administrator's enrolment code, a free
# loopback port for the service, and a PIN file for zorgid-mobile.
#   service_fixture DATA_DIR   sets $port, $payload; writes $dir/pin, $dir/boot.json
#   wait_for_port              until the service on $port answers (60 s at most)
# Needs $admin and $dir.

service_fixture() {
  local data=$1
  port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  printf '24680\n' >"$dir/pin"
  "$admin" --data-dir "$data" config set service-address "127.0.0.1:$port" >/dev/null
  "$admin" --data-dir "$data" registration add --ura 12345678 --name "Zorggroep Noord" >/dev/null
  "$admin" --data-dir "$data" --json organisation bootstrap --ura 12345678 --first-name Anna \
    --last-name Admin --birth-date 1980-01-01 >"$dir/boot.json"
  payload=$(sed 's/.*"enrolment_payload":"\([^"]*\)".*/\1/' "$dir/boot.json")
}

wait_for_port() {
  # 60 s: a service under AddressSanitizer on a loaded machine takes its
  # time to make its keys and listen
  for _ in $(seq 1 600); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
