# libfuzzer.sh — sourced by run-*-fuzz.sh after setting $fuzz_name, with
# their arguments SECONDS [BUILD_DIR]: sets seconds, src, out (made, with
# out/corpus), cc, a clang with the libFuzzer runtime, and fuzz_flags;
# without a runtime it says what is missing and exits 77 (skipped).
seconds=${1:-60}
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${2:-${ZID_BUILD_ROOT:-/tmp}/fuzz-$fuzz_name-libfuzzer}
mkdir -p "$out/corpus"

cc=$(command -v clang || command -v clang-14 || true)
[ -n "$cc" ] || { echo "SKIP: clang not installed" >&2; exit 77; }
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){(void)d;(void)n;return 0;}' >"$out/probe.c"
"$cc" -fsanitize=fuzzer "$out/probe.c" -o "$out/probe" 2>/dev/null ||
  { echo "SKIP: no libFuzzer runtime (libclang-rt-14-dev)" >&2; exit 77; }
fuzz_flags=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
            -DGLIB_VERSION_MIN_REQUIRED=GLIB_VERSION_2_74 -DOPENSSL_API_COMPAT=30000 -D_GNU_SOURCE)

# The config.h the sources include, as meson would write it for a fuzz build
fuzz_config_h() {
  printf '%s\n' '#define ZID_ENABLE_TEST_CLOCK 0' '#define ZID_ENABLE_POSTGRESQL 0' '#define PACKAGE_VERSION "fuzz"' \
    '#define GETTEXT_PACKAGE "zorgid-portaal"' '#define LOCALEDIR "/usr/share/locale"' \
    '#define DATADIR "/usr/share"' '#define APP_ID "nl.zorgid.Portaal"' >"$out/config.h"
}
