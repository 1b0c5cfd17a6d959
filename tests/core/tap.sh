# tap.sh — sourced by the command-line tests of tests/core: the build's
# zorgid-admin, a temporary folder removed on exit, and TAP lines.
# `ok STATUS DESCRIPTION [DIAGNOSTIC]`; end with `echo "1..$n"`.

admin="${ZID_BUILD_ROOT:?}/src/cli/zorgid-admin"
command -v sqlite3 >/dev/null || { echo "1..0 # SKIP no sqlite3 shell"; exit 0; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
n=0

ok() {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
  [ -n "${3:-}" ] && echo "# $3"
  return 0
}
