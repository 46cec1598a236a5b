#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
#
# Our data path next to the references a user would compare it with, one
# after the other on this machine (dpdk-rtcd's worker on CPU 1, the
# front-end on CPU 0, as in the testpmd loopback):
#
#   ours        rtc READ throughput, rng 4 KiB throughput, READ latency at
#               depth 1 (busy polling), each on a split and on a packed ring
#               (dpdk-test-rtc --packed; the devices offer both, packed=1),
#               one right after the other; adaptive polling: idle worker CPU
#               and the latency of the first request after 5 ms idle; alarm
#               fire lateness (dpdk-test-rtc -t rtc-alarm, 3 s) in both modes,
#               on the UTC clock (alarm=utc: there on every host, the smeared
#               clock needs a leap-second table)
#   testpmd     DPDK's vhost-user / virtio-user loopback (benchmarks/testpmd-loopback.sh)
#   openssl     openssl speed -evp aes-256-ctr, 8 KiB blocks (the DRBG's ceiling)
#   urandom     reading /dev/urandom, 64 B and 4 KiB per read (what an
#               epoll-driven peer back-end pays per request)
#
#   [BUILD=build] [DUR=5] [QUIET_WAIT=SECONDS] [OUT=DIR] benchmarks/compare.sh
#
# Prints a table; the last line is exactly
#   rtc_read_vs_testpmd=R rng_vs_aesctr=S read_p99_us=L packed_read64=P packed_read1=Q packed_rng=G
# where the packed_ keys are packed / split in requests (bytes) per second:
# READ at depth 64, READ at depth 1, rng 4 KiB at depth 64 (above 1: packed
# is faster). Needs root (hugepages for testpmd), dpdk-testpmd (Debian
# package dpdk), openssl, and a build of this tree in $BUILD. Takes about
# DUR * 13 + 40 s.
# Figures are only comparable within one run, on an otherwise idle machine:
# the load average and any QEMU process are printed first. With QUIET_WAIT,
# each measurement first waits (up to that many seconds) until no QEMU or
# other testpmd runs and both CPUs are at least 90 % idle; a measurement
# taken without that is marked "(busy)". With OUT, the JSON reports and logs
# of the run are kept in DIR.
set -u
export LC_ALL=C
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) B=$BUILD ;; *) B=$ROOT/$BUILD ;; esac
DUR=${DUR:-5}
RTCD=$B/app/rtcd/dpdk-rtcd
TOOL=$B/app/test-rtc/dpdk-test-rtc
for f in "$RTCD" "$TOOL"; do
	[ -x "$f" ] || { echo "compare.sh: $f missing: meson setup $BUILD && ninja -C $BUILD" >&2; exit 2; }
done
[ "$(nproc)" -ge 2 ] || { echo "compare.sh: needs 2 CPUs" >&2; exit 2; }

TMP=$(mktemp -d /tmp/vrtc-compare.XXXXXX)
DPID=
stop_daemon() {
	[ -n "$DPID" ] || return 0
	kill "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	DPID=
}
keep() { [ -n "${OUT:-}" ] && mkdir -p "$OUT" && cp "$TMP"/*.json "$TMP"/*.out "$TMP"/*.log "$OUT"/ 2>/dev/null; return 0; }
# EAL leaves a runtime directory per --file-prefix behind.
rm_runtime() { local d; for d in /var/run/dpdk "${XDG_RUNTIME_DIR:-/nonexistent}/dpdk"; do rm -rf "$d/vrtccd$$" "$d/vrtcct$$"; done; }
trap 'stop_daemon; keep; rm_runtime; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

start_daemon() { # poll mode
	rm -f "$TMP"/*.sock
	"$RTCD" -l 0,1 --no-huge -m 64 --no-pci --no-shconf --file-prefix=vrtccd$$ \
		-- --device "rtc_vhost0,iface=$TMP/rtc.sock,unsealed=1,alarm=utc,packed=1" \
		--device "rng_vhost0,iface=$TMP/rng.sock,unsealed=1,packed=1" \
		-s 0 --poll "$1" >"$TMP/rtcd-$1.log" 2>&1 &
	DPID=$!
	for _ in $(seq 100); do
		[ -S "$TMP/rtc.sock" ] && [ -S "$TMP/rng.sock" ] && return 0
		sleep 0.1
	done
	echo "compare.sh: dpdk-rtcd did not start:" >&2
	cat "$TMP/rtcd-$1.log" >&2
	exit 1
}

# run NAME dpdk-test-rtc-options...: results in $TMP/NAME.json
run() {
	local name=$1
	shift
	if ! timeout $((DUR + 60)) "$TOOL" -l 0 --no-huge -m 512 --no-pci --no-shconf \
		--file-prefix=vrtcct$$ -- -q -j "$TMP/$name.json" "$@" >"$TMP/$name.out" 2>&1; then
		echo "compare.sh: $name failed:" >&2
		cat "$TMP/$name.out" >&2
	fi
}

# jget NAME KEY: a number from the JSON of run NAME (first match of "KEY": N)
jget() {
	sed -n "s/.*\"$2\": \([0-9.e+-]*\).*/\1/p" "$TMP/$1.json" 2>/dev/null | head -1
}

row() { printf '%-44s %16s  %s\n' "$1" "$2" "$3"; }

# Percent of CPU time not idle over 2 s, all CPUs.
cpu_busy() {
	local a b c d e f g h t1 i1 t2 i2
	read -r _ a b c d e f g h _ </proc/stat
	t1=$((a + b + c + d + e + f + g + h)) i1=$((d + e))
	sleep 2
	read -r _ a b c d e f g h _ </proc/stat
	t2=$((a + b + c + d + e + f + g + h)) i2=$((d + e))
	echo $((100 - 100 * (i2 - i1) / (t2 - t1)))
}

# wait_quiet NAME: wait for an idle machine (QUIET_WAIT); note when it is not.
BUSY=""
wait_quiet() {
	local deadline=$(($(date +%s) + ${QUIET_WAIT:-0}))
	while :; do
		if ! pgrep -f qemu-system >/dev/null && ! pgrep -x dpdk-testpmd >/dev/null &&
			[ "$(cpu_busy)" -lt 10 ]; then
			return 0
		fi
		[ "$(date +%s)" -ge "$deadline" ] && break
		sleep 3
	done
	BUSY="$BUSY $1"
	[ "${QUIET_WAIT:-0}" -gt 0 ] && echo "compare.sh: machine still busy before $1" >&2
	return 0
}
mark() { case " $BUSY " in *" $1 "*) echo " (busy)" ;; esac; }

echo "compare.sh: $(date -u +%FT%TZ), $(uname -r), $(nproc) CPUs, build $B"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)$(pgrep -f qemu-system >/dev/null && echo ' (a QEMU process is running: figures are not comparable)')"

# ---- ours, busy polling -------------------------------------------------------
wait_quiet busy
start_daemon busy
# Each split run is followed by the same on a packed ring (--packed): the
# packed_ rows and ratios compare neighbours of one run.
run rtc_read -s "$TMP/rtc.sock" -t rtc-read -d 64 -b 32 -T "$DUR"
run rtc_read_packed -s "$TMP/rtc.sock" -t rtc-read -d 64 -b 32 -T "$DUR" --packed
run rng_4k -s "$TMP/rng.sock" -t rng -S 4096 -d 64 -b 32 -T "$DUR"
run rng_4k_packed -s "$TMP/rng.sock" -t rng -S 4096 -d 64 -b 32 -T "$DUR" --packed
run read_lat -s "$TMP/rtc.sock" -t rtc-read -d 1 -b 1 -T "$DUR"
run read_lat_packed -s "$TMP/rtc.sock" -t rtc-read -d 1 -b 1 -T "$DUR" --packed
run alarm_busy -s "$TMP/rtc.sock" -t rtc-alarm -T 3
stop_daemon

# ---- ours, adaptive polling ------------------------------------------------------
wait_quiet adaptive
start_daemon adaptive
sleep 1
run idle -s "$TMP/rtc.sock" -t idle -T "$DUR" -p "$DPID"
run wake_lat -s "$TMP/rtc.sock" -t rtc-read --idle-gap-ms 5 -r 400 -w 0
run rtc_read_adaptive -s "$TMP/rtc.sock" -t rtc-read -d 64 -b 32 -T "$DUR"
run alarm_adaptive -s "$TMP/rtc.sock" -t rtc-alarm -T 3
stop_daemon
# The platform's own wake-up latency (no DPDK): the floor under the figure above.
WAKE_PLATFORM=$([ -x "$B/benchmarks/wake_latency" ] && "$B/benchmarks/wake_latency" 400 5000 |
	sed -n 's/.*p50 \([0-9.]*\) us .*p99 \([0-9.]*\) us .*/\1 \2/p')
WAKE_PLATFORM=${WAKE_PLATFORM:-"? ?"}

# ---- references ------------------------------------------------------------------------
wait_quiet testpmd
TESTPMD_PPS=$(DUR=$((DUR * 2)) bash "$ROOT/benchmarks/testpmd-loopback.sh" 2>"$TMP/testpmd.err" |
	sed -n 's/^testpmd_pps=\([0-9]*\).*/\1/p')
[ -n "$TESTPMD_PPS" ] || { cat "$TMP/testpmd.err" >&2; TESTPMD_PPS=0; }

wait_quiet openssl
AES_KBPS=$(taskset -c 1 openssl speed -evp aes-256-ctr -bytes 8192 -seconds 3 2>/dev/null |
	awk '/^AES-256-CTR/ {sub(/k$/, "", $2); print $2}')
AES_BPS=$(awk -v k="${AES_KBPS:-0}" 'BEGIN {printf "%.0f", k * 1000}')

# dd reports "N bytes ... copied, T s, ...": per read = T / count
urandom_us() { # block size, count
	taskset -c 1 dd if=/dev/urandom of=/dev/null bs="$1" count="$2" 2>&1 |
		awk -v n="$2" '/copied/ {for (i = 1; i <= NF; i++) if ($(i+1) ~ /^s,?$/) {printf "%.3f", $i / n * 1e6; exit}}'
}
wait_quiet urandom
UR64=$(urandom_us 64 300000)
UR4K=$(urandom_us 4096 100000)

# ---- table -------------------------------------------------------------------------------
RTC_RPS=$(jget rtc_read requests_per_s)
RNG_BPS=$(jget rng_4k bytes_per_s)
LAT_P50=$(jget read_lat p50)
LAT_P99=$(jget read_lat p99)
LAT_P999=$(jget read_lat p99_9)
# The worker thread's share (EAL names it rte-worker-1), and the whole daemon's.
IDLE_PCT=$(sed -n 's/.*"comm": "rte-worker[^"]*", "pct": \([0-9.]*\).*/\1/p' "$TMP/idle.json" 2>/dev/null | head -1)
IDLE_ALL=$(jget idle total_pct)
WAKE_P50=$(jget wake_lat p50)
WAKE_P99=$(jget wake_lat p99)
ADA_RPS=$(jget rtc_read_adaptive requests_per_s)
P_RTC_RPS=$(jget rtc_read_packed requests_per_s)
P_RNG_BPS=$(jget rng_4k_packed bytes_per_s)
LAT_RPS=$(jget read_lat requests_per_s)
P_LAT_RPS=$(jget read_lat_packed requests_per_s)
P_LAT_P50=$(jget read_lat_packed p50)
P_LAT_P99=$(jget read_lat_packed p99)
AL_BUSY_P99=$(jget alarm_busy p99)
AL_ADA_P50=$(jget alarm_adaptive p50)
AL_ADA_P99=$(jget alarm_adaptive p99)
AL_BAD=$(cat "$TMP"/alarm_*.json 2>/dev/null | sed -n 's/.*"\(missed\|duplicated\)": \([0-9]*\).*/\2/p' |
	awk '{s += $1} END {print s + 0}')
ERRS=$(cat "$TMP"/*.json 2>/dev/null | sed -n 's/.*"total": \([0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}')

us() { awk -v v="${1:-0}" 'BEGIN {printf "%.3f", v / 1000}'; }
mega() { awk -v v="${1:-0}" 'BEGIN {printf "%.3f", v / 1e6}'; }
# ratio A B: A / B, 0 when either is missing
ratio() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN {printf "%.3f", (a > 0 && b > 0) ? a / b : 0}'; }
echo
row "what" "figure" "unit"
row "ours: rtc READ, depth 64, burst 32" "$(mega "$RTC_RPS")" "M requests/s$(mark busy)"
row "ours: rng 4 KiB buffers, depth 64" "$(mega "$RNG_BPS")" "MB/s$(mark busy)"
row "ours: READ latency depth 1, busy: p50" "$(us "$LAT_P50")" "us$(mark busy)"
row "ours: READ latency depth 1, busy: p99" "$(us "$LAT_P99")" "us$(mark busy)"
row "ours: READ latency depth 1, busy: p99.9" "$(us "$LAT_P999")" "us$(mark busy)"
row "packed: rtc READ, depth 64, burst 32" "$(mega "$P_RTC_RPS")" "M requests/s, $(ratio "$P_RTC_RPS" "$RTC_RPS") x split$(mark busy)"
row "packed: rng 4 KiB buffers, depth 64" "$(mega "$P_RNG_BPS")" "MB/s, $(ratio "$P_RNG_BPS" "$RNG_BPS") x split$(mark busy)"
row "packed: READ depth 1, busy: requests" "$(mega "$P_LAT_RPS")" "M requests/s, $(ratio "$P_LAT_RPS" "$LAT_RPS") x split ($(mega "$LAT_RPS"))$(mark busy)"
row "packed: READ latency depth 1, busy: p50" "$(us "$P_LAT_P50")" "us$(mark busy)"
row "packed: READ latency depth 1, busy: p99" "$(us "$P_LAT_P99")" "us$(mark busy)"
row "ours: adaptive, idle worker CPU" "${IDLE_PCT:-?}" "% of a CPU (whole daemon ${IDLE_ALL:-?} %)$(mark adaptive)"
row "ours: adaptive, first READ after 5 ms: p50" "$(us "$WAKE_P50")" "us$(mark adaptive)"
row "ours: adaptive, first READ after 5 ms: p99" "$(us "$WAKE_P99")" "us$(mark adaptive)"
row "ours: adaptive, rtc READ, depth 64" "$(mega "$ADA_RPS")" "M requests/s$(mark adaptive)"
row "platform: eventfd wake after 5 ms: p50" "${WAKE_PLATFORM%% *}" "us (benchmarks/wake_latency)$(mark adaptive)"
row "platform: eventfd wake after 5 ms: p99" "${WAKE_PLATFORM##* }" "us$(mark adaptive)"
row "ours: alarm lateness, busy: p99" "$(us "$AL_BUSY_P99")" "us (rtc-alarm, 1..50 ms alarms)$(mark busy)"
row "ours: alarm lateness, adaptive: p50" "$(us "$AL_ADA_P50")" "us$(mark adaptive)"
row "ours: alarm lateness, adaptive: p99" "$(us "$AL_ADA_P99")" "us$(mark adaptive)"
row "ours: alarms missed or duplicated" "$AL_BAD" "(must be 0)"
row "ours: responses failing a check" "$ERRS" "(must be 0)"
row "testpmd vhost/virtio-user loopback" "$(mega "$TESTPMD_PPS")" "M packets/s$(mark testpmd)"
row "openssl speed -evp aes-256-ctr, 8 KiB" "$(mega "$AES_BPS")" "MB/s$(mark openssl)"
row "/dev/urandom read, 64 B" "${UR64:-?}" "us per read$(mark urandom)"
row "/dev/urandom read, 4 KiB" "${UR4K:-?}" "us per read$(mark urandom)"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
awk -v r="${RTC_RPS:-0}" -v t="$TESTPMD_PPS" -v b="${RNG_BPS:-0}" -v a="$AES_BPS" -v l="${LAT_P99:-0}" \
	-v p64="$(ratio "$P_RTC_RPS" "$RTC_RPS")" -v p1="$(ratio "$P_LAT_RPS" "$LAT_RPS")" \
	-v prng="$(ratio "$P_RNG_BPS" "$RNG_BPS")" \
	'BEGIN {printf "rtc_read_vs_testpmd=%.3f rng_vs_aesctr=%.3f read_p99_us=%.3f packed_read64=%s packed_read1=%s packed_rng=%s\n",
		(t > 0 ? r / t : 0), (a > 0 ? b / a : 0), l / 1000, p64, p1, prng}'
