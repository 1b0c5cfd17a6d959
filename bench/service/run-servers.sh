#!/bin/bash
# run-servers.sh — enrolments per second through `zorgid-admin service run`
# processes: (a) one on SQLite, (b) one on PostgreSQL, (c) two on the same
# PostgreSQL database with the enrolments spread over both, in one run
# (bench-service --servers 1,2 on a private PostgreSQL started by
# tests/fixtures/zid-pg-fixture.sh and removed afterwards). Not a test.
#
#   bench/service/run-servers.sh BUILD_DIR [bench-service options…]
#   e.g. bench/service/run-servers.sh _build --enrolments 2000 --clients 32
#
# SPDX-License-Identifier: EUPL-1.2
set -euo pipefail

build=$(cd "${1:?usage: $0 BUILD_DIR [bench-service options…]}" && pwd)
shift
source=$(cd "$(dirname "$0")/../.." && pwd)
# the tables' characters; the server processes' keys in files, as the
# test suites keep them
export LC_ALL=C.UTF-8
export ZID_KEY_PROTECTION="${ZID_KEY_PROTECTION:-file}"
# shellcheck disable=SC2016
exec "$source/tests/fixtures/zid-pg-fixture.sh" run bash -c \
  'exec "$0" --servers 1,2 --database "$ZID_TEST_PG_URI" "$@"' \
  "$build/bench/service/bench-service" "$@"
