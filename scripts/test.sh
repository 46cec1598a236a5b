#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
#
# The project's test command: install what is missing, build with gcc into
# ./build and run every test suite (unit, integration, and the real-guest
# tests unless --no-guest). Run from anywhere, as root on a fresh Debian 12
# machine (root: apt, hugepages, and the guest chroot).
#   scripts/test.sh [--no-guest] [BUILD_DIR]
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
guest=1
build=build
for arg in "$@"; do
	case "$arg" in
	--no-guest) guest=0 ;;
	-h|--help) sed -n '4,9p' "$0"; exit 0 ;;
	-*) echo "test.sh: unknown option $arg" >&2; exit 2 ;;
	*) build=$arg ;;
	esac
done
cd "$top"

"$top/scripts/install-deps.sh"
"$top/scripts/fetch-dpdk-driver-sdk.sh"
"$top/scripts/hugepages.sh" 512 || echo "test.sh: no hugepages; tests that need them run with --no-huge or are skipped"

if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" >/dev/null
fi
ninja -C "$build"
rc=0
meson test -C "$build" --print-errorlogs --no-suite guest || rc=$?
if [ "$guest" = 1 ] && [ -x "$top/tests/guest/run.sh" ]; then
	"$top/tests/guest/run.sh" --build "$top/$build" || rc=$?
fi
exit $rc
