#!/usr/bin/env bash
# run-uzi-fuzz.sh SECONDS [BUILD_DIR] — fuzz the UZI parser with libFuzzer
#
# Builds fuzz/fuzz-uzi.c and the parser (src/card/zid-uzi.c,
# zid-card-error.c) with clang -fsanitize=fuzzer,address,undefined outside
# meson, seeds the corpus with the test PKI's certificates (ZID_TEST_PKI, or
# made here) and runs for SECONDS. Exit 0: no finding. Exit 77: no clang or
# no libFuzzer runtime (clang, libclang-rt-14-dev).
set -euo pipefail
fuzz_name=uzi
. "$(dirname "${BASH_SOURCE[0]}")/libfuzzer.sh"

fuzz_config_h
flags=("${fuzz_flags[@]}" -I"$out" -I"$src/src/common" -I"$src/src/card" $(pkg-config --cflags gio-2.0 openssl))
"$cc" "${flags[@]}" -o "$out/fuzz-uzi" "$src/fuzz/fuzz-uzi.c" \
  "$src/src/card/zid-uzi.c" "$src/src/card/zid-card-error.c" "$src"/src/common/*.c \
  $(pkg-config --libs gio-2.0 openssl)

pki=${ZID_TEST_PKI:-$out/pki}
[ -d "$pki/corpus" ] || "$src/tests/card/make-pki.sh" corpus "$pki" >/dev/null
cp "$pki"/corpus/*.pem "$pki"/corpus/*.der "$out/corpus/" 2>/dev/null || true

# Leaks in GLib's type system are one-off; keep ASan on errors that matter
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
export G_DEBUG=
"$out/fuzz-uzi" -max_total_time="$seconds" -max_len=8192 -print_final_stats=1 \
  -artifact_prefix="$out/" "$out/corpus"
