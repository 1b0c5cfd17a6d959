#!/usr/bin/env bash
# The Containerfile's build stage, its own meson commands word for word
# (/src, /build, /install made temporary folders), on this machine (Debian
# 12, as the image); then the built tree's zorgid-admin started with the
# image's ENTRYPOINT, CMD and ENV and the sample settings file
# (tests/service/test-server-ops.sh container, on a private PostgreSQL).
# Not done here: pulling debian:12, the apt-get lines, the image itself
# (no registry can be reached). TAP output.
set -u

src="${ZID_SOURCE_ROOT:?}"
containerfile="$src/data/server/Containerfile"
command -v meson >/dev/null || { echo "1..0 # SKIP meson is not on PATH"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zid-container.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

build=$(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$containerfile" | grep '^RUN meson setup' | sed 's/^RUN //')
build=${build//\/src/$src}
build=${build//\/build/$tmp/build}
build=${build//\/install/$tmp/install}
echo "# $build"
if ! bash -ec "$build" >"$tmp/build.log" 2>&1; then
  echo "not ok 1 - the Containerfile's build stage builds and installs"
  tail -n 30 "$tmp/build.log" | sed 's/^/# /'
  echo "1..1"
  exit 1
fi
echo "ok 1 - the Containerfile's build stage builds and installs"
[ -x "$tmp/install/usr/bin/zorgid-admin" ] && [ ! -e "$tmp/install/usr/bin/zorgid-portaal" ]
if [ $? = 0 ]; then echo "ok 2 - the image gets /usr/bin/zorgid-admin, not the window"; else echo "not ok 2 - the image gets /usr/bin/zorgid-admin, not the window"; fi

"$src/tests/fixtures/zid-pg-fixture.sh" run "$src/tests/service/test-server-ops.sh" container \
  "$containerfile" "$tmp/install" | awk '/^1\.\./ { next } /^(not )?ok / { sub(/ok [0-9]+/, "ok " (++n + 2)) } { print } END { print "1.." n + 2 }'
exit "${PIPESTATUS[0]}"
