#!/usr/bin/env bash
# The first import of a registration file: an operator root nobody trusts
# yet is shown (registration inspect), trusted only by adding it (trust
# add --kind operator), per environment. TAP.
set -u
. "$(dirname "$0")/test-lib.sh"
pki=${ZID_OPERATOR_PKI:?ZID_OPERATOR_PKI not set}
unset ZID_OPERATOR_TRUST_DIR
data=$tmp/acc
root_fp=$(openssl x509 -in "$pki/trust/root.pem" -noout -fingerprint -sha256 | cut -d= -f2)
rogue_fp=$(openssl x509 -in "$pki/rogue/root.pem" -noout -fingerprint -sha256 | cut -d= -f2)
count_trust () { ls "$data/operator-trust" 2>/dev/null | wc -l; }

cat >"$tmp/reg.json" <<'JSON'
{"version": 1, "ura": "12345678", "name": "Huisartsenpraktijk De Linde", "agb": "01234567",
 "address": "Lindelaan 1, 3512 AB Utrecht", "reference": "VZVZ-2025-000123",
 "created": "2025-03-01T09:30:00Z"}
JSON
cat "$pki/chain.pem" "$pki/trust/root.pem" >"$tmp/chain-and-root.pem"
run_admin registration sign --in "$tmp/reg.json" --key "$pki/operator.key" --cert "$pki/operator.pem" \
  --chain "$tmp/chain-and-root.pem" --out "$tmp/reg.p7m"
check "a file that carries its root: signed" [ "$rc" = 0 ]
run_admin registration sign --in "$tmp/reg.json" --key "$pki/operator.key" --cert "$pki/operator.pem" \
  --chain "$pki/chain.pem" --out "$tmp/noroot.p7m"
openssl cms -sign -binary -nodetach -md sha256 -in "$tmp/reg.json" -signer "$pki/rogue/operator.pem" \
  -inkey "$pki/rogue/operator.key" -certfile "$pki/rogue/root.pem" -outform DER -out "$tmp/rogue.p7m" 2>/dev/null

# --- a fresh data dir: nothing trusted -----------------------------------------------
run_admin --json registration import "$tmp/reg.p7m"
refused "first import, unknown root" certificate-invalid 1 "trust add --kind operator"
check "first import: nothing stored" [ "$(sql 'SELECT count(*) FROM registrations')" = 0 ]

run_admin --json registration inspect "$tmp/reg.p7m"
check "inspect: exit 0, unknown root" [ "$rc" = 0 ] && [ "$(json_get "$out" 'j["trust"]')" = unknown-root ]
check "inspect: the root's SHA-256" [ "$(json_get "$out" 'j["root_fingerprint"]')" = "$root_fp" ]
check "inspect: the signer's organisation, not a DN" [ "$(json_get "$out" 'j["signer_organisation"]')" = "ZID Test VZVZ" ]
check "inspect: the registration" [ "$(json_get "$out" 'j["ura"] + " " + j["reference"]')" = "12345678 VZVZ-2025-000123" ]
check "inspect: nothing imported" [ "$(sql 'SELECT count(*) FROM registrations')" = 0 ]
check "inspect: nothing trusted" [ "$(count_trust)" = 0 ]

run_admin --json registration inspect "$tmp/noroot.p7m"
refused "inspect, the root neither trusted nor in the file" certificate-invalid 1 "niet vertrouwd"
"$py" - "$tmp/reg.p7m" "$tmp/altered.p7m" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
i = d.index(b"De Linde")
open(sys.argv[2], "wb").write(d[:i] + b"De Lindf" + d[i + 8:])
PY
run_admin --json registration inspect "$tmp/altered.p7m"
refused "inspect, altered" signature-invalid 1 "gewijzigd"

# --- trusted after the fingerprint was compared ----------------------------------------
run_admin --json trust add --kind operator "$pki/trust/root.pem"
check "trust add --kind operator: the fingerprint inspect showed" [ "$rc" = 0 ] && [ "$(json_get "$out" 'j["added"][0]["fingerprint"]')" = "$root_fp" ]
run_admin --json registration inspect "$tmp/reg.p7m"
check "inspect after trusting: trusted" [ "$(json_get "$out" 'j["trust"]')" = trusted ]
run_admin --json registration import "$tmp/reg.p7m"
check "import after trusting: exit 0" [ "$rc" = 0 ]
run_admin --json registration import "$tmp/noroot.p7m"
check "a file without the root: accepted too" [ "$rc" = 0 ]
run_admin --json registration inspect "$tmp/rogue.p7m"
check "another root: shown as unknown, with its own fingerprint" [ "$(json_get "$out" 'j["trust"] + " " + j["root_fingerprint"]')" = "unknown-root $rogue_fp" ]
run_admin --json registration import "$tmp/rogue.p7m"
refused "another root: import refused" certificate-invalid 1 "niet vertrouwd"

# --- the operator trust of acceptatie is not productie's ------------------------------------
data=$tmp/prod
run_admin --environment productie --json registration inspect "$tmp/reg.p7m"
check "productie: the root trusted in acceptatie is unknown" [ "$(json_get "$out" 'j["trust"]')" = unknown-root ]
run_admin --environment productie --json registration import "$tmp/reg.p7m"
check "productie: import refused" [ "$rc" = 1 ]

# --- ZID_OPERATOR_TRUST_DIR still overrides ------------------------------------------------------
ZID_OPERATOR_TRUST_DIR=$pki/trust run_admin --environment productie --json registration inspect "$tmp/reg.p7m"
check "ZID_OPERATOR_TRUST_DIR: trusted" [ "$(json_get "$out" 'j["trust"]')" = trusted ]
finish
