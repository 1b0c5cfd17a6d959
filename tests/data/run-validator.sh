#!/bin/sh
# run-validator.sh PACKAGE TOOL [ARGS...]: run a validation tool; skip (77)
# only when the tool itself is not installed, and say which package has it.
set -eu
package="$1"
tool="$2"
shift 2
if ! command -v "$tool" >/dev/null 2>&1; then
  echo "SKIP: $tool is not installed (Debian package $package)" >&2
  exit 77
fi
exec "$tool" "$@"
