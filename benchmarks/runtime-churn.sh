#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
#
# The latency of a running device while other devices are added and
# removed at runtime (issue 13): dpdk-test-rtc drives rtc_vhost0 at depth 1
# (one request at a time) for SECONDS, once without churn and once while
# dpdk-rtcd-ctl adds 20 devices and removes them again, round after round,
# through the control socket. Prints p50/p99/max of both runs and the
# rounds of churn done. Two cores: the daemon's worker spins on lcore 1;
# the daemon's main thread (control socket), dpdk-test-rtc and the churn
# share core 0, so the figures are ratios within one run, not absolutes.
#
#   benchmarks/runtime-churn.sh BUILD_DIR [SECONDS] [DEVICES]   (as root)

set -eu
BUILD=$(cd "${1:?usage: $0 BUILD_DIR [SECONDS] [DEVICES]}" && pwd)
SECONDS_RUN=${2:-5}
N=${3:-20}
DIR=$(mktemp -d /tmp/rtcd-churn.XXXXXX)
PREFIX=churn$$
CTL="$BUILD/app/rtcd/dpdk-rtcd-ctl -s $DIR/control.sock"
DAEMON_PID=
CHURN_PID=

cleanup() {
	[ -n "$CHURN_PID" ] && kill "$CHURN_PID" 2>/dev/null || true
	[ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null || true
	rm -rf "$DIR" "/var/run/dpdk/$PREFIX" "/var/run/dpdk/${PREFIX}fe"
}
trap cleanup EXIT INT TERM

"$BUILD/app/rtcd/dpdk-rtcd" -l 0,1 --no-huge -m 128 --no-pci --no-shconf \
	--file-prefix=$PREFIX --log-level='*:warning' -- -s 0 \
	--device "rtc_vhost0,iface=$DIR/rtc0.sock,unsealed=1" \
	--control "$DIR/control.sock" --socket-dir "$DIR" >"$DIR/daemon.log" 2>&1 &
DAEMON_PID=$!
i=0
while [ ! -S "$DIR/control.sock" ]; do
	i=$((i + 1))
	[ $i -gt 150 ] && { cat "$DIR/daemon.log"; echo "daemon did not start" >&2; exit 1; }
	sleep 0.1
done

# One run of dpdk-test-rtc on lcore 0: READ at depth 1.
run() {
	"$BUILD/app/test-rtc/dpdk-test-rtc" -l 0 --no-huge -m 256 --no-shconf --no-pci \
		--file-prefix=${PREFIX}fe --log-level='*:warning' -- \
		-s "$DIR/rtc0.sock" -t rtc-read -d 1 -T "$SECONDS_RUN" -w 1 -q -j "$DIR/$1.json" \
		>"$DIR/$1.out" 2>&1 || { cat "$DIR/$1.out"; exit 1; }
}

# Add N devices, remove them, again and again; counts the rounds.
churn() {
	rounds=0
	while :; do
		j=1
		while [ $j -le "$N" ]; do
			$CTL add "rtc_vhost$j,iface=$DIR/c$j.sock" >/dev/null || exit 1
			j=$((j + 1))
		done
		j=1
		while [ $j -le "$N" ]; do
			$CTL remove "rtc_vhost$j" >/dev/null || exit 1
			j=$((j + 1))
		done
		rounds=$((rounds + 1))
		echo $rounds >"$DIR/rounds"
	done
}

lat() {
	python3 -c 'import json,sys; l=json.load(open(sys.argv[1]))["latency_ns"]; print("p50 %.1f us  p99 %.1f us  p99.9 %.1f us  max %.1f us  (%d requests)" % (l["p50"]/1e3, l["p99"]/1e3, l["p99_9"]/1e3, l["max"]/1e3, l["count"]))' "$1"
}

run quiet
churn &
CHURN_PID=$!
run churn
kill "$CHURN_PID" 2>/dev/null || true
wait "$CHURN_PID" 2>/dev/null || true
CHURN_PID=
echo "rtc_vhost0, READ at depth 1, ${SECONDS_RUN} s each:"
echo "  without churn:            $(lat "$DIR/quiet.json")"
echo "  with $N adds+removes/round: $(lat "$DIR/churn.json")"
echo "  churn rounds during the run: $(cat "$DIR/rounds" 2>/dev/null || echo 0) (each $N adds and $N removes)"
$CTL list | head -1
