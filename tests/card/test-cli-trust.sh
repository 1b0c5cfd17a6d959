#!/usr/bin/env bash
# zorgid-admin trust list|add|remove and the card chain check against the
# environment's trust: built in (data/trust), added, per environment (TAP)
set -u
. "$(dirname "$0")/test-cli-lib.sh"
pki=${ZID_TEST_PKI:?}
c=$pki/corpus
export ZID_BUILTIN_TRUST_DIR=${ZID_SOURCE_ROOT:?}/data/trust
unset ZID_UZI_TRUST_DIR ZID_OPERATOR_TRUST_DIR
uzi_test_root=66:31:1C:B1:0C:39:06:0B:92:B6:99:B3:88:87:FD:2B:EF:18:BA:9F:DA:F9:93:36:19:6D:A0:C3:8D:90:E7:9F
acc () { run_admin --data-dir "$tmp/acc" "$@"; }
prod () { run_admin --data-dir "$tmp/prod" --environment productie "$@"; }
fp () { openssl x509 -in "$1" -noout -fingerprint -sha256 | cut -d= -f2; }

# --- built-in trust ----------------------------------------------------------
acc --json trust list --kind uzi
check "acceptatie: built-in UZI-Test chain listed (3, one anchor)" [ "$rc" = 0 ] && [ "$(json_get "$out" '"%d %d %d" % (len(j["trust"]), sum(e["type"] == "anchor" for e in j["trust"]), sum(e["builtin"] for e in j["trust"]))')" = "3 1 3" ]
check "acceptatie: the root's SHA-256 as CIBG publishes it" [ "$(json_get "$out" '[e["fingerprint"] for e in j["trust"] if e["type"] == "anchor"][0]')" = "$uzi_test_root" ]
check "subject as a person reads it, not a DN" [ "$(json_get "$out" '[e["subject"] for e in j["trust"] if e["type"] == "anchor"][0]')" = "TEST Zorg CSP Root CA G3 (CIBG)" ]
prod --json trust list --kind uzi
check "productie: no built-in UZI trust" [ "$rc" = 0 ] && [ "$(json_get "$out" 'len(j["trust"])')" = 0 ]
acc --json trust list --kind operator
check "no built-in operator trust" [ "$(json_get "$out" 'len(j["trust"])')" = 0 ]
acc trust remove --kind uzi "$uzi_test_root" --json
check "a built-in anchor cannot be removed" [ "$rc" = 1 ] && [ "$(json_get "$out" 'j["error"]')" = not-permitted ]

# --- the chain is checked whenever the environment holds anchors ----------------
acc --json card inspect "$c/valid-Z.pem"
check "acceptatie (built-in only): a test-PKI card does not chain to UZI-Test: refused" [ "$rc" = 1 ] && [ "$(json_get "$out" 'j["error"]')" = untrusted ]
prod --json card inspect "$c/valid-Z.pem"
check "productie without anchors: chain not checked" [ "$rc" = 0 ] && [ "$(json_get "$out" 'j["chain_validated"]')" = false ]

# --- add ------------------------------------------------------------------------
acc --json trust add --kind uzi "$pki/trust/root.pem" "$pki/trust/sub.pem"
check "add the test root and its sub CA: exit 0" [ "$rc" = 0 ] && [ "$(json_get "$out" '" ".join(e["type"] for e in j["added"])')" = "anchor intermediate" ]
root_fp=$(fp "$pki/trust/root.pem")
root_file=$tmp/acc/uzi-trust/$(printf '%s' "$root_fp" | tr -d : | tr 'A-F' 'a-f').pem
check "copied into the data dir, named by its SHA-256" [ -f "$root_file" ]
check "mode 0600" [ "$(stat -c %a "$root_file")" = 600 ]
check "the same certificate, not a path" cmp -s <(openssl x509 -in "$root_file" -outform DER) <(openssl x509 -in "$pki/trust/root.pem" -outform DER)
acc --json trust add --kind uzi "$pki/trust/root.pem"
check "adding twice is harmless" [ "$rc" = 0 ] && [ "$(ls "$tmp/acc/uzi-trust" | wc -l)" = 2 ]
acc --json card inspect "$c/valid-Z.pem"
check "acceptatie: the card chains to the added root" [ "$rc" = 0 ] && [ "$(json_get "$out" 'j["chain_validated"]')" = true ]
acc --json card inspect "$c/rogue.pem"
check "acceptatie: a card of another CA is refused" [ "$rc" = 1 ] && [ "$(json_get "$out" 'j["error"]')" = untrusted ]
acc card inspect "$c/valid-Z.pem"
check "text: says the chain is trusted" [ "$rc" = 0 ] && grep -q "keten vertrouwd" <<<"$out"

# --- per environment ------------------------------------------------------------
prod --json trust list --kind uzi
check "productie: the root trusted in acceptatie is not listed" [ "$(json_get "$out" 'len(j["trust"])')" = 0 ]
prod --json card inspect "$c/valid-Z.pem"
check "productie: the root trusted in acceptatie does not validate the card" [ "$(json_get "$out" 'j["chain_validated"]')" = false ]
prod --json trust add --kind uzi "$pki/rogue/root.pem"
check "productie: another root added" [ "$rc" = 0 ]
prod --json card inspect "$c/valid-Z.pem"
check "productie with another root: the acceptatie root still does not count" [ "$rc" = 1 ] && [ "$(json_get "$out" 'j["error"]')" = untrusted ]

# --- overrides keep working ------------------------------------------------------
acc --json card inspect "$c/valid-Z.pem" --trust "$pki/trust"
check "--trust DIR overrides" [ "$rc" = 0 ] && [ "$(json_get "$out" 'j["chain_validated"]')" = true ]
mkdir -p "$tmp/empty"
acc --json card inspect "$c/valid-Z.pem" --trust "$tmp/empty"
check "--trust with no anchor: refused, the environment's trust is not used" [ "$rc" = 1 ] && [ "$(json_get "$out" 'j["error"]')" = untrusted ]
ZID_UZI_TRUST_DIR=$pki/trust prod --json card inspect "$c/valid-Z.pem"
check "ZID_UZI_TRUST_DIR overrides" [ "$rc" = 0 ] && [ "$(json_get "$out" 'j["chain_validated"]')" = true ]

# --- refusals ---------------------------------------------------------------------
acc --json trust add --kind uzi "$c/valid-Z.pem"
check "a card certificate (not a CA) is refused with the reason" [ "$rc" = 1 ] && [ "$(json_get "$out" 'j["error"]')" = certificate-invalid ] && grep -q "geen CA-certificaat" <<<"$out"
# a self-signed CA whose validity ended in 2021
"$py" - "$tmp/old.pem" <<'PY'
import datetime, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
key = ec.generate_private_key(ec.SECP256R1())
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Verlopen CA")])
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(1).not_valid_before(datetime.datetime(2020, 1, 1))
        .not_valid_after(datetime.datetime(2021, 1, 1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256()))
open(sys.argv[1], "wb").write(cert.public_bytes(serialization.Encoding.PEM))
PY
acc --json trust add --kind uzi "$tmp/old.pem"
check "an expired CA is refused" [ "$rc" = 1 ] && grep -q "verlopen" <<<"$out"
printf 'geen certificaat\n' >"$tmp/garbage.pem"
acc --json trust add --kind uzi "$tmp/garbage.pem"
check "an unreadable file is refused" [ "$rc" = 1 ] && [ "$(json_get "$out" 'j["error"]')" = certificate-invalid ]
acc --json trust add --kind uzi "$tmp/missing.pem"
check "a missing file: exit 2" [ "$rc" = 2 ]
acc --json trust add --kind uzi "$c/valid-Z.pem" "$pki/trust/root.pem"
check "all or nothing per file: refused" [ "$rc" = 1 ]
acc --json trust list --kind frobnicate
check "unknown --kind: exit 2" [ "$rc" = 2 ]

# --- CRLs ---------------------------------------------------------------------------
acc --json trust add --kind uzi "$pki/crl/sub.crl.pem"
check "a CRL is accepted" [ "$rc" = 0 ] && [ "$(json_get "$out" 'j["added"][0]["type"]')" = crl ] && ls "$tmp/acc/uzi-trust/"*.crl >/dev/null
acc --json card inspect "$c/revoked.pem"
check "the added CRL is used: revoked card refused" [ "$rc" = 1 ] && [ "$(json_get "$out" 'j["error"]')" = revoked ]

# --- remove -------------------------------------------------------------------------
acc --json trust remove --kind uzi "$root_fp"
check "remove an added root: exit 0" [ "$rc" = 0 ] && [ ! -e "$root_file" ]
acc --json trust remove --kind uzi "$root_fp"
check "remove again: not found" [ "$rc" = 2 ] && [ "$(json_get "$out" 'j["error"]')" = not-found ]
acc --json trust remove --kind uzi nonsense
check "not a fingerprint: exit 2" [ "$rc" = 2 ]

# --- audited, actor "local" -------------------------------------------------------------
acc --json audit list
check "every add and remove audited by local" [ "$(json_get "$out" '" ".join(sorted(set(e["action"] + ":" + e["actor"] for e in j["events"] if e["action"].startswith("trust."))))')" = "trust.add:local trust.remove:local" ]
check "the audit names the fingerprint" [ "$(json_get "$out" 'sum(1 for e in j["events"] if e["action"] == "trust.remove" and e["subject"] == "uzi:'"$root_fp"'")')" = 1 ]
acc --json audit verify
check "audit trail intact" [ "$rc" = 0 ]

finish
