#!/usr/bin/env bash
# run-uzi-fuzz.sh SECONDS [BUILD_DIR] — fuzz the UZI parser with libFuzzer
#
# Builds fuzz/fuzz-uzi.c and the parser (src/card/zid-uzi.c,
# zid-card-error.c) with clang -fsanitize=fuzzer,address,undefined outside
# meson, seeds the corpus with the test PKI's certificates (ZID_TEST_PKI, or
# made here) and runs for SECONDS. Exit 0: no finding. Exit 77: no clang or
# no libFuzzer runtime (clang, libclang-rt-14-dev).
set -euo pipefail
seconds=${1:-60}
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${2:-${ZID_BUILD_ROOT:-/tmp}/fuzz-uzi-libfuzzer}
mkdir -p "$out/corpus"

cc=$(command -v clang || command -v clang-14 || true)
[ -n "$cc" ] || { echo "SKIP: clang not installed" >&2; exit 77; }
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){(void)d;(void)n;return 0;}' >"$out/probe.c"
"$cc" -fsanitize=fuzzer "$out/probe.c" -o "$out/probe" 2>/dev/null ||
  { echo "SKIP: no libFuzzer runtime (libclang-rt-14-dev)" >&2; exit 77; }

flags=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -DGLIB_VERSION_MIN_REQUIRED=GLIB_VERSION_2_74 -DOPENSSL_API_COMPAT=30000 -D_GNU_SOURCE
       -I"$src/src/card" $(pkg-config --cflags gobject-2.0 openssl))
"$cc" "${flags[@]}" -o "$out/fuzz-uzi" "$src/fuzz/fuzz-uzi.c" \
  "$src/src/card/zid-uzi.c" "$src/src/card/zid-card-error.c" \
  $(pkg-config --libs gobject-2.0 openssl)

pki=${ZID_TEST_PKI:-$out/pki}
[ -d "$pki/corpus" ] || "$src/tests/card/make-pki.sh" corpus "$pki" >/dev/null
cp "$pki"/corpus/*.pem "$pki"/corpus/*.der "$out/corpus/" 2>/dev/null || true

# Leaks in GLib's type system are one-off; keep ASan on errors that matter
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
export G_DEBUG=
"$out/fuzz-uzi" -max_total_time="$seconds" -max_len=8192 -print_final_stats=1 \
  -artifact_prefix="$out/" "$out/corpus"
