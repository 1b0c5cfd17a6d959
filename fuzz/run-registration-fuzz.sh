#!/usr/bin/env bash
# run-registration-fuzz.sh SECONDS [BUILD_DIR] — fuzz the registration file
# parsers (strict JSON and the CMS envelope) with libFuzzer + ASan + UBSan
#
# Builds fuzz/fuzz-registration.c with the core's sources outside meson,
# seeds the corpus with a valid document and signed file made from the
# operator test PKI (ZID_OPERATOR_PKI, or made here), runs SECONDS.
# Exit 0: no finding. Exit 77: no clang or no libFuzzer runtime.
set -euo pipefail
seconds=${1:-60}
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${2:-${ZID_BUILD_ROOT:-/tmp}/fuzz-registration-libfuzzer}
mkdir -p "$out/corpus"

cc=$(command -v clang || command -v clang-14 || true)
[ -n "$cc" ] || { echo "SKIP: clang not installed" >&2; exit 77; }
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){(void)d;(void)n;return 0;}' >"$out/probe.c"
"$cc" -fsanitize=fuzzer "$out/probe.c" -o "$out/probe" 2>/dev/null ||
  { echo "SKIP: no libFuzzer runtime (libclang-rt-14-dev)" >&2; exit 77; }

mods="gio-2.0 gobject-2.0 json-glib-1.0 openssl sqlite3"
printf '#define ZID_ENABLE_TEST_CLOCK 0\n#define PACKAGE_VERSION "fuzz"\n' >"$out/config.h"
flags=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -DGLIB_VERSION_MIN_REQUIRED=GLIB_VERSION_2_74 -DOPENSSL_API_COMPAT=30000 -D_GNU_SOURCE
       -I"$out" -I"$src/src/core" $(pkg-config --cflags $mods))
"$cc" "${flags[@]}" -o "$out/fuzz-registration" "$src/fuzz/fuzz-registration.c" \
  "$src"/src/core/*.c $(pkg-config --libs $mods)

pki=${ZID_OPERATOR_PKI:-$out/operator-pki}
[ -f "$pki/operator.pem" ] || "$src/tests/registration/make-operator-pki.sh" "$pki" >/dev/null
json='{"version":1,"ura":"12345678","name":"Zorggroep Noord","agb":"01234567","address":"Markt 1","reference":"VZVZ-1","created":"2025-12-01T10:00:00Z"}'
{ printf '\0'; printf '%s' "$json"; } >"$out/corpus/json"
printf '%s' "$json" >"$out/doc.json"
if openssl cms -sign -binary -nodetach -outform DER -in "$out/doc.json" -signer "$pki/operator.pem" \
     -inkey "$pki/operator.key" -certfile "$pki/chain.pem" -md sha256 -out "$out/doc.p7m" 2>/dev/null; then
  { printf '\1'; cat "$out/doc.p7m"; } >"$out/corpus/cms"
fi

export ZID_FUZZ_OPERATOR_TRUST="$pki/trust"
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
export G_DEBUG=
"$out/fuzz-registration" -max_total_time="$seconds" -max_len=16384 -print_final_stats=1 \
  -artifact_prefix="$out/" "$out/corpus"
