#!/usr/bin/env bash
# zorgid-admin doctor without a card service: each check red and green
# where this machine allows (the card checks green: tests/card, pcsc suite). TAP.
set -u
n=0; failed=0
ok () { n=$((n + 1)); echo "ok $n - $*"; }
not_ok () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
# check WHAT CONDITION ['&&' CONDITION]...: every condition is part of the check
check () {
  local what=$1 word part=() good=1; shift
  for word in "$@" '&&'; do
    if [ "$word" = '&&' ]; then "${part[@]}" || { good=0; break; }; part=()
    else part+=("$word"); fi
  done
  if [ "$good" = 1 ]; then ok "$what"; else not_ok "$what"; echo "# $out" | head -c 3000; echo; fi
}
# has PATTERN TEXT: TEXT contains PATTERN
has () { grep -q -- "$1" <<<"$2"; }
admin=${ZID_BUILD_ROOT:?}/src/cli/zorgid-admin
py=/usr/bin/python3
tmp=$(mktemp -d)
listener=
trap '[ -n "$listener" ] && kill "$listener" 2>/dev/null; rm -rf "$tmp"' EXIT
json_get () { printf '%s' "$1" | "$py" -c 'import json,sys; j=json.load(sys.stdin); v='"$2"'; print(v if not isinstance(v,bool) else str(v).lower())'; }
state () { json_get "$out" '[c["state"] for c in j["checks"] if c["id"] == "'"$1"'"][0]'; }
field () { json_get "$out" '[c["'"$2"'"] for c in j["checks"] if c["id"] == "'"$1"'"][0]'; }
run_admin () { rc=0; out=$("$admin" "$@" 2>"$tmp/stderr") || rc=$?; }

# no card service here: the client library's socket points nowhere
export PCSCLITE_CSOCK_NAME=$tmp/no-pcscd.comm
export ZID_BUILTIN_TRUST_DIR=${ZID_SOURCE_ROOT:?}/data/trust
export ZID_PKCS11_REGISTERED=0
unset ZID_UZI_TRUST_DIR ZID_OPERATOR_TRUST_DIR ZID_PKCS11_MODULE
port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("", 0)); print(s.getsockname()[1])')
acc () { run_admin --data-dir "$tmp/acc" "$@"; }
prod () { run_admin --data-dir "$tmp/prod" --environment productie "$@"; }

# Each environment its own default port, in the address and in doctor's help
acc --json config get service-address
check "acceptatie's default service address: port 8444" [ "$(json_get "$out" 'j["service_address"].rsplit(":", 1)[1]')" = 8444 ]
prod --json config get service-address
check "productie's default service address: port 8443" [ "$(json_get "$out" 'j["service_address"].rsplit(":", 1)[1]')" = 8443 ]
acc doctor --help
check "doctor --help names both default ports" grep -q "8444 in acceptatie, 8443 in productie" <<<"$out"

acc --json doctor --port "$port"
check "doctor --json: every check, in order" [ "$(json_get "$out" '" ".join(c["id"] for c in j["checks"])')" = "environment pcscd readers pkcs11 uzi-trust operator-trust registration service keys" ]
check "a failed check: exit 1, ready false" [ "$rc" = 1 ] '&&' [ "$(json_get "$out" 'j["ready"]')" = false ]
check "keys as plain files (ZID_KEY_PROTECTION=file): a warning that says so and what to do" [ "$(state keys)" = warning ] '&&' has "Sleutels alleen beschermd door bestandsrechten" "$(field keys description)" '&&' has "ZID_KEY_PROTECTION=file" "$(field keys description)" '&&' has "ontgrendel de sleutelbos" "$(field keys description)"
check "environment: ok, names acceptatie" [ "$(state environment)" = ok ] '&&' has Acceptatie "$(field environment description)"
check "pcscd absent: failed, with the command that starts it" [ "$(state pcscd)" = failed ] '&&' has "systemctl enable --now pcscd.socket" "$(field pcscd command)"
check "readers without pcscd: failed" [ "$(state readers)" = failed ]
check "pkcs11 without any module: failed, with the one-time command that registers SafeSign" [ "$(state pkcs11)" = failed ] '&&' has safesign-uzi.module "$(field pkcs11 command)"
check "uzi-trust in acceptatie: ok (built in)" [ "$(state uzi-trust)" = ok ]
check "operator-trust not yet: warning, the window's import is the fix" [ "$(state operator-trust)" = warning ] '&&' [ "$(field operator-trust action)" = win.import-registration ]
check "registration not imported: warning, import action and command" [ "$(state registration)" = warning ] '&&' [ "$(field registration action)" = win.import-registration ] '&&' has "registration import" "$(field registration command)"
check "an ok check has no action" [ "$(field uzi-trust action)" = None ] '&&' [ "$(field uzi-trust command)" = None ]

prod --json doctor --port "$port"
check "uzi-trust in productie without added anchors: failed, trust page and command" [ "$(state uzi-trust)" = failed ] '&&' [ "$(field uzi-trust action)" = app.trust-uzi ] '&&' has "trust add --kind uzi" "$(field uzi-trust command)"
prod trust add --kind uzi "$ZID_BUILTIN_TRUST_DIR/acceptatie/uzi/TEST-Zorg-CSP-Root-CA-G3.pem"
prod --json doctor --port "$port"
check "uzi-trust in productie after adding: ok" [ "$(state uzi-trust)" = ok ]
ZID_UZI_TRUST_DIR=$tmp/nowhere prod --json doctor --port "$port"
check "uzi-trust with a ZID_UZI_TRUST_DIR that does not exist: failed" [ "$(state uzi-trust)" = failed ]

# operator trust and registration: green
"$py" - "$tmp/op.pem" <<'PY'
import datetime, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
key = ec.generate_private_key(ec.SECP256R1())
name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "VZVZ Test"),
                  x509.NameAttribute(NameOID.COMMON_NAME, "Registraties Root")])
now = datetime.datetime.utcnow()
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(1).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256()))
open(sys.argv[1], "wb").write(cert.public_bytes(serialization.Encoding.PEM))
PY
acc trust add --kind operator "$tmp/op.pem"
acc registration add --ura 12345678 --name "Huisartsenpraktijk De Linde"
acc --json doctor --port "$port"
check "operator-trust after adding: ok" [ "$(state operator-trust)" = ok ]
check "registration waiting: ok, names it, points to the completion" [ "$(state registration)" = ok ] '&&' has "De Linde" "$(field registration description)" '&&' [ "$(field registration action)" = win.validate-organisation ]
ZID_OPERATOR_TRUST_DIR=$tmp/nowhere acc --json doctor --port "$port"
check "operator-trust with a ZID_OPERATOR_TRUST_DIR that does not exist: failed" [ "$(state operator-trust)" = failed ]

# the service port
check "service, free port: not failed" [ "$(state service)" != failed ]
acc config set service-address "192.0.2.10:$port"
acc --json doctor --port "$port"
check "service address set, port free: ok" [ "$(state service)" = ok ]
"$py" -c 'import socket,sys,time; s=socket.socket(); s.bind(("", int(sys.argv[1]))); s.listen(); print("up", flush=True); time.sleep(60)' "$port" >"$tmp/listener" &
listener=$!
for _ in $(seq 50); do grep -q up "$tmp/listener" 2>/dev/null && break; sleep 0.1; done
acc --json doctor --port "$port"
check "service, port held by another program: failed, with the command that shows which" [ "$(state service)" = failed ] '&&' has "sport = :$port" "$(field service command)"
acc --json doctor
check "doctor without --port takes the service address's port" [ "$(state service)" = failed ]
kill "$listener"; wait "$listener" 2>/dev/null; listener=

acc doctor --port "$port"
check "text output: one line per check" [ "$(grep -c '^\[' <<<"$out")" = 9 ]
acc --json doctor --no-card --port "$port"
check "--no-card: nothing failed, exit 0" [ "$rc" = 0 ] '&&' [ "$(json_get "$out" 'j["ready"]')" = true ] '&&' [ "$(state pcscd)" = warning ]
echo "1..$n"
[ "$failed" = 0 ]
