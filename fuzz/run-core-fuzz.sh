#!/usr/bin/env bash
# run-core-fuzz.sh SECONDS [BUILD_DIR] — fuzz the core's parsers of outside
# input (registration files: strict JSON and the CMS envelope; phones'
# PKCS#10 requests) with libFuzzer + ASan + UBSan
#
# Builds fuzz/fuzz-core.c with the core's sources outside meson, seeds the
# corpus with a valid document and signed file made from the operator test
# PKI (ZID_OPERATOR_PKI, or made here) and a P-256 request, runs SECONDS.
# Exit 0: no finding. Exit 77: no clang or no libFuzzer runtime.
set -euo pipefail
fuzz_name=core
. "$(dirname "${BASH_SOURCE[0]}")/libfuzzer.sh"

mods="gio-2.0 gobject-2.0 json-glib-1.0 libsecret-1 openssl sqlite3"
fuzz_config_h
flags=("${fuzz_flags[@]}" -I"$out" -I"$src/src/common" -I"$src/src/core" $(pkg-config --cflags $mods))
# the core as a build without PostgreSQL has it: the parsers fuzzed here
# do not reach the store's backends
core=()
for f in "$src"/src/core/*.c; do
  case "$f" in */zid-pg.c|*/zid-store-pg.c|*/zid-schema-pg.c) ;; *) core+=("$f") ;; esac
done
"$cc" "${flags[@]}" -o "$out/fuzz-core" "$src/fuzz/fuzz-core.c" \
  "$src"/src/common/*.c "${core[@]}" $(pkg-config --libs $mods)

pki=${ZID_OPERATOR_PKI:-$out/operator-pki}
[ -f "$pki/operator.pem" ] || "$src/tests/registration/make-operator-pki.sh" "$pki" >/dev/null
json='{"version":1,"ura":"12345678","name":"Zorggroep Noord","agb":"01234567","address":"Markt 1","reference":"VZVZ-1","created":"2025-12-01T10:00:00Z"}'
{ printf '\0'; printf '%s' "$json"; } >"$out/corpus/json"
printf '%s' "$json" >"$out/doc.json"
if openssl cms -sign -binary -nodetach -outform DER -in "$out/doc.json" -signer "$pki/operator.pem" \
     -inkey "$pki/operator.key" -certfile "$pki/chain.pem" -md sha256 -out "$out/doc.p7m" 2>/dev/null; then
  { printf '\1'; cat "$out/doc.p7m"; } >"$out/corpus/cms"
fi
openssl ecparam -name prime256v1 -genkey -noout -out "$out/phone.key" 2>/dev/null
if openssl req -new -key "$out/phone.key" -subj /CN=phone -outform DER -out "$out/phone.csr" 2>/dev/null; then
  { printf '\2'; cat "$out/phone.csr"; } >"$out/corpus/request"
fi

export ZID_FUZZ_OPERATOR_TRUST="$pki/trust"
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
export G_DEBUG=
"$out/fuzz-core" -max_total_time="$seconds" -max_len=16384 -print_final_stats=1 \
  -artifact_prefix="$out/" "$out/corpus"
