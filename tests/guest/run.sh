#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
#
# Real guests: Linux's own virtio_rtc and virtio-rng drivers, under QEMU
# (TCG), against dpdk-rtcd. See doc/guests.md.
#
#   tests/guest/run.sh [--build DIR] [--poll busy|adaptive] [--no-setup]
#                      [--debug] [--boot-timeout S] [--bench]
#
#   --build DIR     build directory holding app/rtcd/dpdk-rtcd (default: build)
#   --poll MODE     the daemon's poll mode (default busy)
#   --no-setup      do not run tests/guest/setup.sh first (it is idempotent
#                   and takes a few seconds when everything is cached)
#   --debug         daemon log levels vrtc.*:debug and vhost.*:debug
#   --boot-timeout  seconds before a QEMU run is killed (default 300)
#   --bench         only measure: one boot with the rtc device alone and one
#                   with QEMU's virtio-rtc-pci, 50000 reads per clock each
#
# Runs setup.sh (Debian sid chroot with QEMU, the sid cloud kernel, an
# out-of-tree virtio_rtc.ko, a busybox initramfs), starts dpdk-rtcd with a
# virtio-rtc device (clocks utc+tai+mono) and a virtio-rng device on sockets
# in a temporary directory, then boots the guest five times:
#   main       rtc + rng + a marker disk: every check, then "reboot -f"
#              (device reset) and every check again on the second boot
#   kill       rtc + rng: the guest keeps reading, QEMU is killed (SIGKILL);
#              the daemon must survive
#   afterkill  rtc + rng on the same daemon: the checks again
#   rtcpci     the rtc device through QEMU's dedicated vhost-user-rtc-pci
#   builtin    QEMU's in-process virtio-rtc-pci (no daemon): the reference
#              PTP read time
# Prints "PASS|FAIL name detail" per check, the time of each step and the
# PTP read-time table. Exit status 0 only when every check passed. Logs stay
# in $DPDK_RTCD_GUEST_DIR/logs/<time>/ (default /var/tmp/dpdk-rtcd-guest).
# Run as root.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
. "$HERE/lib.sh"

BUILD=$TOP/build
POLL=busy
SETUP=1
DEBUG=0
BOOT_TIMEOUT=300
BENCH=0
BENCH_READS=20000
while [ $# -gt 0 ]; do
	case $1 in
	--build) BUILD=${2:?--build needs a directory}; shift ;;
	--build=*) BUILD=${1#--build=} ;;
	--poll) POLL=${2:?--poll needs busy or adaptive}; shift ;;
	--no-setup) SETUP=0 ;;
	--debug) DEBUG=1 ;;
	--boot-timeout) BOOT_TIMEOUT=${2:?}; shift ;;
	--bench) BENCH=1; BENCH_READS=50000 ;;
	-h|--help) awk 'NR >= 5 && /^#/ { sub(/^# ?/, ""); print; next } NR >= 5 { exit }' "$0"; exit 0 ;;
	*) die "run.sh: unknown argument '$1' (try --help)" ;;
	esac
	shift
done
case $POLL in busy|adaptive) ;; *) die "--poll: '$POLL' is not busy or adaptive" ;; esac
[ "$(id -u)" = 0 ] || die "run.sh must run as root (chroot, QEMU in a mount namespace)"
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
DAEMON=$BUILD/app/rtcd/dpdk-rtcd
[ -x "$DAEMON" ] || die "no daemon at $DAEMON: build it first (meson setup $BUILD && ninja -C $BUILD) or pass --build DIR"

T_START=$(date +%s.%N)
RESULTS=()   # "PASS|FAIL name detail"
NFAIL=0
result() { # result PASS|FAIL name detail
	local line="$1 $2 ${3:-}"
	RESULTS+=("$line")
	[ "$1" = PASS ] || NFAIL=$((NFAIL + 1))
	echo "$line"
}

# --- setup ---------------------------------------------------------------
if [ $SETUP = 1 ]; then
	step "setup (tests/guest/setup.sh)" timeout -k 10 1200 "$HERE/setup.sh" ||
		{ result FAIL setup "tests/guest/setup.sh failed: the guest tests cannot run (see above)"; echo "guest: 0 passed, 1 failed"; exit 1; }
fi
for f in "$OUT/vmlinuz" "$OUT/initrd.cpio.gz" "$OUT/vrtc-probe" "$CH/usr/bin/qemu-system-x86_64"; do
	[ -e "$f" ] || die "missing $f: run tests/guest/setup.sh"
done
PROBE=$OUT/vrtc-probe

LOGS=$GUEST_DIR/logs/$(date -u +%Y%m%d-%H%M%S)-$$
mkdir -p "$LOGS"
ln -sfn "$LOGS" "$GUEST_DIR/logs/latest"
# keep the logs of the last 10 runs
ls -1dt "$GUEST_DIR"/logs/2*-* 2>/dev/null | tail -n +11 | while IFS= read -r d; do rm -rf "$d"; done
SOCK=$(mktemp -d /tmp/dpdk-rtcd-guest.XXXXXX)
chmod 0755 "$SOCK"
DPID=
QEMU_PIDFILES=()

SUMMARY_DONE=0
cleanup() {
	local rc=$? f p
	if [ "$SUMMARY_DONE" = 0 ]; then
		[ $rc != 0 ] && [ $NFAIL = 0 ] && NFAIL=1
		echo "guest: $(( ${#RESULTS[@]} - NFAIL < 0 ? 0 : ${#RESULTS[@]} - NFAIL )) passed, $NFAIL failed (stopped early, rc=$rc)"
	fi
	for f in "${QEMU_PIDFILES[@]}"; do
		p=$(cat "$f" 2>/dev/null || true)
		# only a QEMU we started: the pid file is ours and the process is qemu
		if [ -n "$p" ] && [ "$(cat /proc/"$p"/comm 2>/dev/null)" = qemu-system-x86 ]; then
			kill -9 "$p" 2>/dev/null || true
		fi
	done
	if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
		kill -TERM "$DPID" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.2; done
		kill -9 "$DPID" 2>/dev/null || true
	fi
	rm -rf "$SOCK"
	rmdir "$CH$SOCK" 2>/dev/null || true
	return $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# TAI - UTC: the leap-second table's last entry (37 s since 2017)
TAI=$(awk '!/^#/ && NF >= 2 { o = $2 } END { print o }' /usr/share/zoneinfo/leap-seconds.list 2>/dev/null || true)
[ -n "$TAI" ] || { TAI=37; log "no /usr/share/zoneinfo/leap-seconds.list: assuming TAI - UTC = 37 s"; }

# --- the daemon ---------------------------------------------------------------
DLOG=$LOGS/daemon.log
start_daemon() {
	local lv=() i
	[ $DEBUG = 1 ] && lv=(--log-level='vrtc.*:debug' --log-level='vhost.*:debug')
	DAEMON_CMD=("$DAEMON" -l 0,1 --no-huge --no-pci --file-prefix="rtcd-guest-$$" "${lv[@]}"
		-- --device "rtc_vhost0,iface=$SOCK/rtc.sock,clocks=utc+tai+mono"
		--device "rng_vhost0,iface=$SOCK/rng.sock"
		-s 1 --poll "$POLL")
	echo "DAEMON: ${DAEMON_CMD[*]}" > "$DLOG"
	"${DAEMON_CMD[@]}" >> "$DLOG" 2>&1 &
	DPID=$!
	for i in $(seq 100); do
		[ -S "$SOCK/rtc.sock" ] && [ -S "$SOCK/rng.sock" ] && break
		kill -0 $DPID 2>/dev/null || break
		sleep 0.1
	done
	if [ -S "$SOCK/rtc.sock" ] && [ -S "$SOCK/rng.sock" ] && kill -0 $DPID 2>/dev/null; then
		result PASS daemon.start "pid $DPID, sockets $SOCK/rtc.sock $SOCK/rng.sock, --poll $POLL"
	else
		tail -n 20 "$DLOG" >&2
		result FAIL daemon.start "no sockets after 10 s (log $DLOG)"
		return 1
	fi
}

# last statistics line of a device (dpdk-rtcd(8), STATISTICS):
# "rtcd.stats: NAME: STATE ... total R req B B errors E ..."
daemon_stat() { # daemon_stat DEVICE FIELD(state|req|bytes|errors|bad_chains|broken_queues)
	{ grep -E "(^|rtcd\.stats: )$1: " "$DLOG" || true; } | tail -n 1 | awk -v d="$1:" -v f="$2" '{
		for (i = 1; i < NF; i++) {
			if ($i == d && f == "state") { print $(i + 1); exit }
			if ($i == "total" && f == "req") { print $(i + 1); exit }
			if ($i == "total" && f == "bytes") { print $(i + 3); exit }
			if ($i == f && f != "req") { print $(i + 1); exit }
		} }'
}

# --- QEMU -------------------------------------------------------------------------
QEMU_COMMON=(qemu-system-x86_64 -machine q35,accel=tcg -cpu max -smp 1 -m 256M
	-object memory-backend-memfd,id=mem,size=256M,share=on -numa node,memdev=mem
	-nodefaults -display none -serial stdio
	-kernel "$OUT/vmlinuz" -initrd "$OUT/initrd.cpio.gz")
DEV_RTC=(-chardev "socket,id=rtc0,path=$SOCK/rtc.sock"
	-device vhost-user-test-device-pci,chardev=rtc0,virtio-id=17,num_vqs=2,vq_size=256)
DEV_RNG=(-chardev "socket,id=rng0,path=$SOCK/rng.sock" -device vhost-user-rng-pci,chardev=rng0)
DEV_RTCPCI=(-chardev "socket,id=rtc0,path=$SOCK/rtc.sock" -device vhost-user-rtc-pci,chardev=rtc0)
DEV_BUILTIN=(-device virtio-rtc-pci)

# boot LABEL WAIT_FOR APPEND -- QEMU_ARGS...: start QEMU (chrooted, in a
# private mount namespace where only $OUT, $LOGS and $SOCK are bound) in the
# background with its console stamped by the host's clocks. WAIT_FOR "exit"
# waits for QEMU to end; any other word waits until the console shows it.
# Sets BOOT_RC (QEMU's exit status, or 0 when the word appeared), BOOT_LOG,
# BOOT_PIDFILE, BOOT_SECS.
boot() {
	local label=$1 waitfor=$2 append=$3 ref t0 i
	shift 4
	BOOT_LOG=$LOGS/console-$label.log
	BOOT_PIDFILE=$LOGS/qemu-$label.pid
	QEMU_PIDFILES+=("$BOOT_PIDFILE")
	ref=$("$PROBE" now)
	append="console=ttyS0 quiet panic=-1 vt_label=$label vt_ref_utc=$(echo "$ref" | sed 's/.*utc=\([^ ]*\).*/\1/') vt_ref_mono=$(echo "$ref" | sed 's/.*mono=\([^ ]*\).*/\1/') vt_tai=$TAI $append"
	local cmd=("${QEMU_COMMON[@]}" -pidfile "$BOOT_PIDFILE" -append "$append" "$@")
	printf 'QEMU %s:' "$label" > "$LOGS/qemu-$label.cmd"
	printf ' %q' "${cmd[@]}" >> "$LOGS/qemu-$label.cmd"
	echo >> "$LOGS/qemu-$label.cmd"
	t0=$(date +%s.%N)
	(
		timeout -k 5 "$BOOT_TIMEOUT" unshare -m --propagation private -- /bin/sh -c '
			ch=$1 binds=$2
			shift 2
			mount -t proc proc "$ch/proc" && mount --bind /dev "$ch/dev" || exit 99
			for d in $binds; do mkdir -p "$ch$d" && mount --bind "$d" "$ch$d" || exit 99; done
			exec chroot "$ch" "$@"' sh "$CH" "$OUT $LOGS $SOCK" "${cmd[@]}" 2>&1
		echo "QEMU-EXIT rc=$?"
	) 2>&1 | "$PROBE" stamp > "$BOOT_LOG" & # (bash's "Killed" notice goes to the log too)
	local bpid=$!
	BOOT_RC=
	if [ "$waitfor" = exit ]; then
		# a guest that boots more often than planned (a reboot loop) is stopped
		while kill -0 $bpid 2>/dev/null; do
			if [ "$(grep -c ' @ STEP boot label=' "$BOOT_LOG" 2>/dev/null)" -gt "${MAXBOOTS:-1}" ]; then
				echo "HOST: more than ${MAXBOOTS:-1} boot(s): killing QEMU" >> "$LOGS/host.log"
				kill -9 "$(cat "$BOOT_PIDFILE")" 2>/dev/null || true
				break
			fi
			sleep 0.5
		done
		wait $bpid || true
		BOOT_RC=$(sed -n 's/.*QEMU-EXIT rc=\([0-9]*\).*/\1/p' "$BOOT_LOG" | tail -n 1)
	else
		for i in $(seq $((BOOT_TIMEOUT * 5))); do
			grep -q "$waitfor" "$BOOT_LOG" 2>/dev/null && { BOOT_RC=0; break; }
			kill -0 $bpid 2>/dev/null || break
			sleep 0.2
		done
		[ -n "$BOOT_RC" ] || { wait $bpid || true; BOOT_RC=$(sed -n 's/.*QEMU-EXIT rc=\([0-9]*\).*/\1/p' "$BOOT_LOG" | tail -n 1); }
		BOOT_BG=$bpid
	fi
	BOOT_SECS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	: "${BOOT_RC:=none}"
}

# Collect a boot's results: every CHECK line (named LABEL.BOOT.check), every
# expected check present, GUEST-END per boot with fails=0, and the host-side
# comparison of the SAMPLE lines with the host's clocks at their arrival.
# collect LABEL "BOOTS" "EXPECTED CHECKS"
collect() {
	local label=$1 boots=$2 expected=$3 b line r n detail e got
	# per boot: lines between "STEP boot N" markers
	for b in $boots; do
		local seg
		seg=$(awk -v b="$b" '/ @ STEP boot label=/ { k++ } k == b' "$BOOT_LOG")
		got=" "
		while IFS= read -r line; do
			line=${line#*@ CHECK }
			r=${line%% *}; line=${line#* }
			n=${line%% *}; detail=${line#"$n"}; detail=${detail# }
			result "$r" "$label.$b.$n" "$detail"
			got="$got$n "
		done < <(grep ' @ CHECK ' <<< "$seg" || true)
		for e in $expected; do
			case $got in *" $e "*) ;; *) result FAIL "$label.$b.$e" "check did not run (see $BOOT_LOG)" ;; esac
		done
		if [ -z "${HOLD:-}" ] && ! grep -q "GUEST-END label=$label boot=$b " <<< "$seg"; then
			result FAIL "$label.$b.end" "the guest did not finish boot $b (log $BOOT_LOG)"
		fi
		# host side: readings vs the host's clocks when the line arrived
		while IFS= read -r line; do
			line=${line#CHECK }
			r=${line%% *}; line=${line#* }
			n=${line%% *}; detail=${line#"$n"}; detail=${detail# }
			result "$r" "$label.$b.$n" "$detail"
		done < <(grep ' @ SAMPLE ' <<< "$seg" | "$PROBE" hostcheck --tai-offset "$TAI" || true)
		# the guest's virtio_rtc messages, for the record
		grep -o 'DMESG .*' <<< "$seg" | sed "s/^/  [$label.$b] /" || true
	done
}

RTC_CHECKS="rtc.insmod rtc.bound rtc.dmesg rtc.clocks rtc.guest.utc rtc.guest.tai rtc.guest.mono
	rtc.tai_minus_utc rtc.nondecreasing.utc rtc.nondecreasing.tai rtc.nondecreasing.mono"
RNG_CHECKS="rng.current rng.read rng.random rng.incompressible"
TIMINGS=()   # "label.boot|device|clock|us"
timings() { # timings LABEL DEVICE-DESCRIPTION: the TIMING lines of every boot
	local l
	while IFS= read -r l; do
		TIMINGS+=("$1.${l%% *}|$2|${l#* }")
	done < <(awk '/ @ STEP boot label=/ { k++ }
		/ @ TIMING ptp / {
			for (i = 1; i <= NF; i++) if ($i ~ /^median_batch=/) us = substr($i, 14)
			for (i = 1; i <= NF; i++) if ($i ~ /^min_batch=/) us = us " (" substr($i, 11) ")"
			for (i = 1; i <= NF; i++) if ($i == "ptp") { print k, $(i + 1) "|" us; break }
		}' "$BOOT_LOG")
	awk '/ @ STEP boot label=/ { k++ } / @ TIMING rng / { sub(/.* @ TIMING rng /, ""); print "  rng (boot " k "): " $0 }' "$BOOT_LOG"
}
boot_done() { # boot_done LABEL: QEMU's status and time
	log "boot $1: QEMU rc=$BOOT_RC after ${BOOT_SECS}s (console $BOOT_LOG)"
}

rc_check() { # rc_check LABEL EXPECTED
	if [ "$BOOT_RC" = "$2" ]; then
		result PASS "$1.qemu" "QEMU exit status $BOOT_RC after ${BOOT_SECS} s"
	else
		result FAIL "$1.qemu" "QEMU exit status $BOOT_RC (expected $2) after ${BOOT_SECS} s; last console lines: $(tail -n 3 "$BOOT_LOG" | tr '\n' '|')"
	fi
}

step "daemon start" start_daemon || exit 1
sleep 1.2
RNG0=$(daemon_stat rng_vhost0 bytes)

if [ $BENCH = 0 ]; then
# 1. main: every check, reboot (device reset), every check again
truncate -s 0 "$LOGS/marker.img"
truncate -s 1M "$LOGS/marker.img"
MAXBOOTS=2 step "boot main (2 boots: checks, reboot -f, checks)" boot main exit \
	"vt_clocks=0,1,2 vt_rng_bytes=1048576 vt_reads=20000 vt_reboot=1" -- \
	"${DEV_RTC[@]}" "${DEV_RNG[@]}" \
	-drive "file=$LOGS/marker.img,format=raw,if=none,id=marker" -device virtio-blk-pci,drive=marker
boot_done main
rc_check main 0
collect main "1 2" "$RTC_CHECKS $RNG_CHECKS"
timings main "dpdk-rtcd via vhost-user-test-device-pci (--poll $POLL)"
sleep 1.2   # one more statistics period
RNG1=$(daemon_stat rng_vhost0 bytes)
GUESTB=$(sed -n 's/.* @ RNG-BYTES \([0-9]*\).*/\1/p' "$BOOT_LOG" | awk '{ s += $1 } END { print s + 0 }')
if [ -n "$RNG1" ] && [ "$((RNG1 - ${RNG0:-0}))" -ge "$GUESTB" ] && [ "$GUESTB" -ge 1048576 ]; then
	result PASS main.daemon.rng_bytes "the daemon served $((RNG1 - ${RNG0:-0})) bytes >= the $GUESTB bytes the guest read from /dev/hwrng"
else
	result FAIL main.daemon.rng_bytes "the daemon counted $((${RNG1:-0} - ${RNG0:-0})) bytes, the guest read $GUESTB (log $DLOG)"
fi

# 2. kill: QEMU dies by SIGKILL while the guest is reading; the daemon lives on
step "boot kill (SIGKILL QEMU while the guest reads)" boot kill GUEST-HOLD \
	"vt_clocks=0,1,2 vt_rng_bytes=65536 vt_reads=2000 vt_hold=1" -- "${DEV_RTC[@]}" "${DEV_RNG[@]}"
boot_done kill
HOLD=1 collect kill "1" "$RTC_CHECKS $RNG_CHECKS"
QPID=$(cat "$BOOT_PIDFILE" 2>/dev/null || true)
if [ "$BOOT_RC" = 0 ] && [ -n "$QPID" ] && [ "$(cat /proc/"$QPID"/comm 2>/dev/null)" = qemu-system-x86 ]; then
	sleep 1
	REQ0=$(daemon_stat rtc_vhost0 req)
	kill -9 "$QPID"
	wait "$BOOT_BG" 2>/dev/null || true
	result PASS kill.sigkill "QEMU pid $QPID killed with SIGKILL while the guest was reading ($(grep -c ' @ ' "$BOOT_LOG") console lines)"
	sleep 2.5
	st_rtc=$(daemon_stat rtc_vhost0 state) st_rng=$(daemon_stat rng_vhost0 state)
	if kill -0 "$DPID" 2>/dev/null && [ "$st_rtc" = waiting ] && [ "$st_rng" = waiting ]; then
		result PASS kill.daemon_alive "dpdk-rtcd (pid $DPID) still running, both devices back to 'waiting' for a front-end (rtc requests served before the kill: ${REQ0:-?})"
	elif kill -0 "$DPID" 2>/dev/null; then
		result FAIL kill.daemon_alive "dpdk-rtcd runs but did not notice the disconnect: rtc_vhost0 '$st_rtc', rng_vhost0 '$st_rng' 2.5 s after the kill (log $DLOG)"
	else
		result FAIL kill.daemon_alive "dpdk-rtcd died after QEMU was killed (log $DLOG)"
		exit 1
	fi
else
	result FAIL kill.sigkill "the guest never reached its read loop (QEMU rc=$BOOT_RC; log $BOOT_LOG)"
fi

# 3. afterkill: the same daemon serves the next QEMU
step "boot afterkill (next QEMU, same daemon)" boot afterkill exit \
	"vt_clocks=0,1,2 vt_rng_bytes=262144 vt_reads=20000" -- "${DEV_RTC[@]}" "${DEV_RNG[@]}"
boot_done afterkill
rc_check afterkill 0
collect afterkill "1" "$RTC_CHECKS $RNG_CHECKS"
timings afterkill "dpdk-rtcd via vhost-user-test-device-pci (--poll $POLL)"


	# 4. QEMU's dedicated vhost-user-rtc-pci front-end on the same socket
	step "boot rtcpci (vhost-user-rtc-pci)" boot rtcpci exit \
		"vt_clocks=0,1,2 vt_rng_bytes=0 vt_reads=5000" -- "${DEV_RTCPCI[@]}"
	boot_done rtcpci
	rc_check rtcpci 0
	collect rtcpci "1" "$RTC_CHECKS"
	timings rtcpci "dpdk-rtcd via vhost-user-rtc-pci (--poll $POLL)"
else
	# bench: PTP read time only (rtc device alone, no rng, more reads)
	step "boot bench (PTP read time)" boot bench exit \
		"vt_clocks=0,1,2 vt_rng_bytes=0 vt_reads=$BENCH_READS" -- "${DEV_RTC[@]}"
	boot_done bench
	rc_check bench 0
	collect bench "1" "$RTC_CHECKS"
	timings bench "dpdk-rtcd via vhost-user-test-device-pci (--poll $POLL)"
fi

# daemon health, then a clean stop
sleep 1.2
for d in rtc_vhost0 rng_vhost0; do
	e=$(daemon_stat $d errors) bc=$(daemon_stat $d bad_chains) bq=$(daemon_stat $d broken_queues)
	if [ "${e:-x}" = 0 ] && [ "${bc:-x}" = 0 ] && [ "${bq:-x}" = 0 ]; then
		result PASS "daemon.$d.errors" "$(grep "^$d: " "$DLOG" | tail -n 1)"
	else
		result FAIL "daemon.$d.errors" "errors=$e bad_chains=$bc broken_queues=$bq: $(grep "^$d: " "$DLOG" | tail -n 1)"
	fi
done
kill -TERM "$DPID"
drc=0
for _ in $(seq 50); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.2; done
if kill -0 "$DPID" 2>/dev/null; then
	result FAIL daemon.stop "still running 10 s after SIGTERM"
else
	wait "$DPID" || drc=$?
	if [ $drc = 0 ] && [ ! -e "$SOCK/rtc.sock" ] && [ ! -e "$SOCK/rng.sock" ]; then
		result PASS daemon.stop "exit 0 after SIGTERM, sockets removed"
	else
		result FAIL daemon.stop "exit status $drc after SIGTERM; sockets left: $(ls "$SOCK")"
	fi
fi
DPID=

# 5. builtin: QEMU's in-process virtio-rtc-pci, the reference read time
step "boot builtin (QEMU virtio-rtc-pci)" boot builtin exit \
	"vt_clocks=0 vt_rng_bytes=0 vt_reads=$BENCH_READS" -- "${DEV_BUILTIN[@]}"
boot_done builtin
rc_check builtin 0
collect builtin "1" "rtc.insmod rtc.bound rtc.dmesg rtc.clocks rtc.guest.utc rtc.nondecreasing.utc"
timings builtin "QEMU virtio-rtc-pci (in-process)"

# --- summary -------------------------------------------------------------------------
SUMMARY_DONE=1
echo
echo "=== PTP read time in the guest: clock_gettime() on /dev/ptpN, back to back, us per read"
echo "    median (fastest) of 20 batches of reads; the console logs also have the mean"
echo "    (TCG, 1 vCPU; daemon --poll $POLL on lcore 1; see doc/guests.md)"
printf '%s\n' "${TIMINGS[@]}" | awk -F'|' '
	{ k = $1 "|" $2; if (!(k in seen)) { seen[k] = 1; order[++n] = k } v[k, $3] = $4 }
	END {
		printf "%-12s %-58s %16s %16s %16s\n", "boot", "device", "utc", "tai", "mono"
		for (i = 1; i <= n; i++) {
			split(order[i], p, "|")
			printf "%-12s %-58s %16s %16s %16s\n", p[1], p[2], \
				((order[i], "utc") in v ? v[order[i], "utc"] : "-"), \
				((order[i], "tai") in v ? v[order[i], "tai"] : "-"), \
				((order[i], "mono") in v ? v[order[i], "mono"] : "-")
		}
	}'
echo
echo "=== step times"
for t in "${STEP_TIMES[@]}"; do echo "  $t"; done
TOTAL=$(awk -v a="$T_START" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
echo "  total ${TOTAL}s"
echo
echo "=== logs: $LOGS (qemu-*.cmd: QEMU command lines, console-*.log, daemon.log)"
NPASS=$(( ${#RESULTS[@]} - NFAIL ))
echo "guest: $NPASS passed, $NFAIL failed"
[ $NFAIL = 0 ]
