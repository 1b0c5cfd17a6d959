#!/usr/bin/env bash
# zorgid-admin doctor on the software card chain: the card checks red and
# green, and everything green at once (TAP; runs inside `softcard.sh run`)
set -u
. "$(dirname "$0")/test-cli-lib.sh"
pki=${ZID_TEST_PKI:?}
sc=${ZID_SOFTCARD:?run inside softcard.sh run}
state () { json_get "$out" '[c["state"] for c in j["checks"] if c["id"] == "'"$1"'"][0]'; }
port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("", 0)); print(s.getsockname()[1])')
doctor () { run_admin --data-dir "$tmp/acc" --json doctor --port "$port"; }

doctor
check "pcscd running: ok" [ "$(state pcscd)" = ok ]
check "two virtual readers: ok" [ "$(state readers)" = ok ]
check "no card: pkcs11 warning" [ "$(state pkcs11)" = warning ]

"$sc" insert "$pki/cards/jan" >/dev/null
doctor
check "a UZI card through OpenSC: pkcs11 ok" [ "$(state pkcs11)" = ok ]

export ZID_UZI_TRUST_DIR=$pki/trust ZID_OPERATOR_TRUST_DIR=$pki/trust
run_admin --data-dir "$tmp/acc" registration add --ura 12345678 --name "Huisartsenpraktijk De Linde"
run_admin --data-dir "$tmp/acc" config set service-address "192.0.2.10:$port"
doctor
check "everything green: exit 0, ready" [ "$rc" = 0 ] && [ "$(json_get "$out" 'j["ready"]')" = true ] && [ "$(json_get "$out" '" ".join(sorted(set(c["state"] for c in j["checks"])))')" = ok ]

"$sc" stop-pcscd >/dev/null
doctor
check "pcscd stopped: failed, exit 1" [ "$rc" = 1 ] && [ "$(state pcscd)" = failed ] && [ "$(state readers)" = failed ]
"$sc" start-pcscd >/dev/null
finish
