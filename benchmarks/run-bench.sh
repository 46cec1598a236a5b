#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
#
# One short benchmark for `meson test --benchmark`: start dpdk-rtcd (busy or
# adaptive polling, --no-huge, worker on CPU 1) with a virtio-rtc and a
# virtio-rng device, run dpdk-test-rtc against it (front-end on CPU 0),
# print its report, stop the daemon. The rtc device's UTC clock has the alarm
# (alarm=utc: the default set leaves the smeared clock out on a host without
# a leap-second table; the alarm path is the same).
#
#   run-bench.sh DPDK-RTCD DPDK-TEST-RTC busy|adaptive rtc|rng [dpdk-test-rtc options...]
#
# RNG_SOURCE=SPEC (environment) gives the rng device's source= (default
# drbg), e.g. RNG_SOURCE=file:/dev/urandom.
#
# Exit status: dpdk-test-rtc's (0: every response passed its checks), 77
# (skipped) on a machine with fewer than two CPUs.
set -u
[ $# -ge 4 ] || { echo "usage: $0 DPDK-RTCD DPDK-TEST-RTC busy|adaptive rtc|rng [options...]" >&2; exit 2; }
RTCD=$1 TOOL=$2 POLL=$3 DEV=$4
shift 4
[ "$(nproc)" -ge 2 ] || { echo "needs two CPUs"; exit 77; }

DIR=$(mktemp -d /tmp/vrtc-bench.XXXXXX)
DPID=
cleanup() {
	local d

	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	rm -rf "$DIR"
	# EAL leaves a runtime directory per --file-prefix behind.
	for d in /var/run/dpdk "${XDG_RUNTIME_DIR:-/nonexistent}/dpdk"; do
		rm -rf "$d/vrtcbd$$" "$d/vrtcbt$$"
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$RTCD" -l 0,1 --no-huge -m 64 --no-pci --no-shconf --file-prefix="vrtcbd$$" \
	-- --device "rtc_vhost0,iface=$DIR/rtc.sock,unsealed=1,alarm=utc" --device "rng_vhost0,iface=$DIR/rng.sock,unsealed=1,source=${RNG_SOURCE:-drbg}" \
	-s 0 --poll "$POLL" >"$DIR/rtcd.log" 2>&1 &
DPID=$!
for _ in $(seq 100); do
	[ -S "$DIR/rtc.sock" ] && [ -S "$DIR/rng.sock" ] && break
	sleep 0.1
done
[ -S "$DIR/$DEV.sock" ] || { echo "dpdk-rtcd did not start:"; cat "$DIR/rtcd.log"; exit 1; }

timeout 120 "$TOOL" -l 0 --no-huge -m 512 --no-pci --no-shconf --file-prefix="vrtcbt$$" \
	-- -s "$DIR/$DEV.sock" -p "$DPID" "$@"
