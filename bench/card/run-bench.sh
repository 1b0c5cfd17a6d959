#!/usr/bin/env bash
# run-bench.sh BUILD_DIR [ROUNDS] — the card benchmark on the software card
# (as root: a private pcscd through tests/card/softcard.sh)
set -euo pipefail
build=${1:?usage: run-bench.sh BUILD_DIR [ROUNDS]}
rounds=${2:-10}
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export ZID_BUILD_ROOT=$build
export ZID_VCARD_BRIDGE=$build/tests/card/zid-vcard-bridge
pki=$build/tests/card/pki
"$src/tests/card/make-pki.sh" card "$pki" jan >/dev/null
exec "$src/tests/card/softcard.sh" run -- sh -c \
  '"$ZID_SOFTCARD" insert "$1" && "$2" "$3"' sh "$pki/cards/jan" "$build/bench/card/bench-card" "$rounds"
