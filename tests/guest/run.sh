#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
#
# Real guests: Linux's own virtio_rtc and virtio-rng drivers, under QEMU
# (TCG), against dpdk-rtcd. See doc/guests.md.
#
#   tests/guest/run.sh [--build DIR] [--poll busy|adaptive] [--no-setup]
#                      [--debug] [--boot-timeout S] [--bench]
#                      [--boots LIST] [--pair-lead S]
#
#   --build DIR     build directory holding app/rtcd/dpdk-rtcd (default: build)
#   --poll MODE     the daemon's poll mode (default busy)
#   --no-setup      do not run tests/guest/setup.sh first (it is idempotent
#                   and takes a few seconds when everything is cached)
#   --debug         daemon log levels vrtc.*:debug and vhost.*:debug
#   --boot-timeout  seconds before a QEMU run is killed (default 300)
#   --bench         only measure: one boot with the rtc device alone and one
#                   with QEMU's virtio-rtc-pci, 50000 reads per clock each
#   --boots LIST    only these boots, comma-separated, of main, kill, pair,
#                   packed, builtin (default all; for development: every boot
#                   costs tens of seconds under TCG)
#   --pair-lead S   the two-guest alarm test: the first guest's alarm is S
#                   seconds after both QEMUs start (default 25; the guests
#                   arm theirs about 9 s in), the second's 3 s later; both
#                   guests must have armed theirs by then
#
# Runs setup.sh (Debian sid chroot with QEMU, the sid cloud kernel, an
# out-of-tree virtio_rtc.ko, a busybox initramfs), starts dpdk-rtcd with
# three virtio-rtc devices (the default clocks utc+tai+mono+smeared, alarms on
# the smeared clock) and two virtio-rng devices on sockets in a temporary
# directory (rtc_vhost2 and rng_vhost1 with packed=1), then boots the guest
# seven times:
#   main       rtc + rng + a marker disk + a QEMU monitor + QMP: a live
#              migration QEMU must refuse (the VM still runs and is
#              served), every check,
#              alarms through /dev/rtcN, one alarm across a QEMU stop/cont,
#              then "reboot -f" (device reset) and every check again on the
#              second boot (which must find the alarm the first one left)
#   kill       rtc + rng: the guest keeps reading, QEMU is killed (SIGKILL);
#              the daemon must survive
#   afterkill  rtc + rng on the same daemon: the checks again; at the same
#   rtcpci     time the second rtc device through QEMU's dedicated
#              vhost-user-rtc-pci: two guests on one daemon, each with its
#              own alarm at a different time (boot "pair"); rtcpci also
#              gets the refused migration
#   packed     rtc (vhost-user-rtc-pci) + rng, both packed=on, on the
#              packed=1 devices: the guest's drivers and the daemon must
#              have negotiated VIRTIO_F_RING_PACKED; the checks of main's
#              first boot (one alarm, stop/cont; no reboot, no migration)
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
BOOTS=main,kill,pair,packed,builtin
PAIR_LEAD=25
while [ $# -gt 0 ]; do
	case $1 in
	--build) BUILD=${2:?--build needs a directory}; shift ;;
	--build=*) BUILD=${1#--build=} ;;
	--poll) POLL=${2:?--poll needs busy or adaptive}; shift ;;
	--no-setup) SETUP=0 ;;
	--debug) DEBUG=1 ;;
	--boot-timeout) BOOT_TIMEOUT=${2:?}; shift ;;
	--bench) BENCH=1; BENCH_READS=50000 ;;
	--boots) BOOTS=${2:?--boots needs a list}; shift ;;
	--boots=*) BOOTS=${1#--boots=} ;;
	--pair-lead) PAIR_LEAD=${2:?}; shift ;;
	-h|--help) awk 'NR >= 5 && /^#/ { sub(/^# ?/, ""); print; next } NR >= 5 { exit }' "$0"; exit 0 ;;
	*) die "run.sh: unknown argument '$1' (try --help)" ;;
	esac
	shift
done
case $POLL in busy|adaptive) ;; *) die "--poll: '$POLL' is not busy or adaptive" ;; esac
for b in ${BOOTS//,/ }; do
	case $b in main|kill|pair|packed|builtin) ;; *) die "--boots: '$b' is not main, kill, pair, packed or builtin" ;; esac
done
want_boot() { case ",$BOOTS," in *",$1,"*) return 0 ;; esac; return 1; }
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
BG_PIDS=()   # helper processes of ours (monitor readers, stop/cont driver)

SUMMARY_DONE=0
cleanup() {
	local rc=$? f p
	if [ "$SUMMARY_DONE" = 0 ]; then
		[ $rc != 0 ] && [ $NFAIL = 0 ] && NFAIL=1
		echo "guest: $(( ${#RESULTS[@]} - NFAIL < 0 ? 0 : ${#RESULTS[@]} - NFAIL )) passed, $NFAIL failed (stopped early, rc=$rc)"
	fi
	for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
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
# the daemon's devices: NAME=SOCKET-FILE[,more keys]; rtc_vhost2 and
# rng_vhost1 also offer VIRTIO_F_RING_PACKED (boot "packed")
DEVICES="rtc_vhost0=rtc.sock rtc_vhost1=rtc1.sock rng_vhost0=rng.sock
	rtc_vhost2=rtcp.sock,packed=1 rng_vhost1=rngp.sock,packed=1"
DEVNAMES=$(for d in $DEVICES; do printf '%s ' "${d%%=*}"; done)
sockets() { local d; for d in $DEVICES; do d=${d#*=}; printf '%s ' "$SOCK/${d%%,*}"; done; }
all_sockets() { local f; for f in $(sockets); do [ -S "$f" ] || return 1; done; }
start_daemon() {
	local lv=() devargs=() d f i
	[ $DEBUG = 1 ] && lv=(--log-level='vrtc.*:debug' --log-level='vhost.*:debug')
	for d in $DEVICES; do
		f=${d#*=}
		devargs+=(--device "${d%%=*},iface=$SOCK/${f%%,*}${f#"${f%%,*}"}")
	done
	DAEMON_CMD=("$DAEMON" -l 0,1 --no-huge --no-pci --file-prefix="rtcd-guest-$$" "${lv[@]}"
		-- "${devargs[@]}" -s 1 --poll "$POLL")
	echo "DAEMON: ${DAEMON_CMD[*]}" > "$DLOG"
	"${DAEMON_CMD[@]}" >> "$DLOG" 2>&1 &
	DPID=$!
	TELSOCK=/var/run/dpdk/rtcd-guest-$$/dpdk_telemetry.v2
	for i in $(seq 100); do
		all_sockets && break
		kill -0 $DPID 2>/dev/null || break
		sleep 0.1
	done
	if all_sockets && kill -0 $DPID 2>/dev/null; then
		result PASS daemon.start "pid $DPID, sockets $(sockets)--poll $POLL"
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

# one counter of a device from the daemon's telemetry (/vrtc/stats,NAME:
# the basic counters and the device's xstats, e.g. rtc_alarm_notifications);
# empty when it cannot be read
daemon_xstat() { # daemon_xstat DEVICE NAME
	timeout 5 python3 - "$TELSOCK" "$1" "$2" 2>/dev/null <<-'PYEOF' || true
		import json, socket, sys
		s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
		s.settimeout(3)
		s.connect(sys.argv[1])
		s.recv(4096)
		s.send(("/vrtc/stats," + sys.argv[2]).encode())
		d = json.loads(s.recv(1 << 16)).get("/vrtc/stats") or {}
		v = d.get(sys.argv[3])
		print("" if v is None else v)
	PYEOF
}

# --- QEMU -------------------------------------------------------------------------
QEMU_COMMON=(qemu-system-x86_64 -machine q35,accel=tcg -cpu max -smp 1 -m 256M
	-object memory-backend-memfd,id=mem,size=256M,share=on -numa node,memdev=mem
	-nodefaults -display none -serial stdio
	-kernel "$OUT/vmlinuz" -initrd "$OUT/initrd.cpio.gz")
DEV_RTC=(-chardev "socket,id=rtc0,path=$SOCK/rtc.sock"
	-device vhost-user-test-device-pci,chardev=rtc0,virtio-id=17,num_vqs=2,vq_size=256)
DEV_RNG=(-chardev "socket,id=rng0,path=$SOCK/rng.sock" -device vhost-user-rng-pci,chardev=rng0)
DEV_RTCPCI=(-chardev "socket,id=rtc0,path=$SOCK/rtc1.sock" -device vhost-user-rtc-pci,chardev=rtc0)
# packed rings: QEMU offers VIRTIO_F_RING_PACKED to the guest only with
# packed=on, and only if the back-end offers it (packed=1)
DEV_RTCPCI_PACKED=(-chardev "socket,id=rtc0,path=$SOCK/rtcp.sock" -device vhost-user-rtc-pci,chardev=rtc0,packed=on)
DEV_RNG_PACKED=(-chardev "socket,id=rng0,path=$SOCK/rngp.sock" -device vhost-user-rng-pci,chardev=rng0,packed=on)
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
	# (errexit is on in the subshell too: without "|| qrc=$?" a failing
	# QEMU would end it before the QEMU-EXIT line, which the stop/cont and
	# migration drivers wait for)
	(
		qrc=0
		timeout -k 5 "$BOOT_TIMEOUT" unshare -m --propagation private -- /bin/sh -c '
			ch=$1 binds=$2
			shift 2
			mount -t proc proc "$ch/proc" && mount --bind /dev "$ch/dev" || exit 99
			for d in $binds; do mkdir -p "$ch$d" && mount --bind "$d" "$ch$d" || exit 99; done
			exec chroot "$ch" "$@"' sh "$CH" "$OUT $LOGS $SOCK" "${cmd[@]}" 2>&1 || qrc=$?
		echo "QEMU-EXIT rc=$qrc"
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
			# "N:check": expected in boot N only
			case $e in *:*) [ "${e%%:*}" = "$b" ] || continue; e=${e#*:} ;; esac
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
	rtc.guest.smeared rtc.tai_minus_utc rtc.nondecreasing.utc rtc.nondecreasing.tai
	rtc.nondecreasing.mono rtc.nondecreasing.smeared"
# the RTC class device of the smeared clock (vt_rtc=1)
RTC_CLASS_CHECKS="rtc.class rtc.class.rd_time rtc.alarm.dmesg"
ALARMS_MAIN=3   # alarms 2 s ahead per main boot: the lateness figures
ALARM_CHECKS=$(seq -f 'rtc.alarm.%g' -s ' ' $ALARMS_MAIN)
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

# boot_bg LABEL APPEND -- QEMU_ARGS...: boot ... exit in the background (two
# guests at once); boot_wait LABEL waits for it, boot_restore LABEL sets
# BOOT_LOG, BOOT_PIDFILE, BOOT_RC, BOOT_SECS as boot does
declare -A BGBOOT=()
boot_bg() {
	local label=$1
	shift
	QEMU_PIDFILES+=("$LOGS/qemu-$label.pid")
	rm -f "$LOGS/boot-$label.env"
	( boot "$label" exit "$@"
	  printf 'BOOT_RC=%q BOOT_SECS=%q\n' "$BOOT_RC" "$BOOT_SECS" > "$LOGS/boot-$label.env" ) &
	BGBOOT[$label]=$!
}
boot_wait() { wait "${BGBOOT[$1]}" 2>/dev/null || true; }
boot_restore() {
	BOOT_LOG=$LOGS/console-$1.log BOOT_PIDFILE=$LOGS/qemu-$1.pid BOOT_RC=none BOOT_SECS=?
	[ -f "$LOGS/boot-$1.env" ] && . "$LOGS/boot-$1.env"
	return 0
}

# host UTC (S.N) of the first console line matching a pattern, empty if none
line_utc() { # line_utc CONSOLE_LOG ERE
	grep -m1 -E "$2" "$1" 2>/dev/null | sed -n 's/^@H utc=\([0-9.]*\) .*/\1/p'
}

# stopcont_driver CONSOLE MON OUT DEVICE: when the guest has armed its alarm
# (ALARM-SET check=rtc.alarm.stopcont), "stop" QEMU through its HMP
# monitor (pipe chardev MON.in/MON.out), keep it stopped until 2 s past the
# alarm time by the host's UTC, then "cont". Writes SET/STOP/CONT lines and
# the rtc DEVICE's state during the stop to OUT.
stopcont_driver() {
	local con=$1 mon=$2 out=$3 dev=$4 line="" at i
	for i in $(seq $((BOOT_TIMEOUT * 10))); do
		line=$(grep -m1 ' @ ALARM-SET check=rtc.alarm.stopcont ' "$con" 2>/dev/null || true)
		[ -n "$line" ] && break
		grep -q 'QEMU-EXIT' "$con" 2>/dev/null && break
		sleep 0.1
	done
	[ -n "$line" ] || { echo "NOSET the guest never armed the stop/cont alarm" >> "$out"; return 0; }
	at=$(sed -n 's/.* at=\([0-9]*\).*/\1/p' <<< "$line")
	echo "SET at=$at" >> "$out"
	exec 7<> "$mon.in"
	echo stop >&7
	echo "STOP $("$PROBE" now)" >> "$out"
	sleep 0.3
	echo "info status" >&7
	# the daemon's statistics line (every second) during the stop: the
	# device's rings are stopped (GET_VRING_BASE), it is "connected", not
	# "serving"
	sleep 1.5
	echo "STATE $(daemon_stat "$dev" state)" >> "$out"
	while [ "$(date +%s)" -lt $((at + 2)) ]; do sleep 0.1; done
	echo "CONT $("$PROBE" now)" >> "$out"
	echo cont >&7
	sleep 0.3
	echo "info status" >&7
	exec 7>&-
}

# the host's side of the stop/cont test: QEMU was stopped before the alarm
# time, resumed after it, and the interrupt reached the console after cont
stopcont_check() { # stopcont_check LABEL OUT DEVICE
	local label=$1 out=$2 dev=$3 at stop cont fired state
	if grep -q '^NOSET' "$out"; then
		result FAIL "$label.stopcont.host" "$(sed -n 's/^NOSET //p' "$out")"
		return 0
	fi
	at=$(sed -n 's/^SET at=//p' "$out")
	stop=$(sed -n 's/^STOP utc=\([0-9.]*\).*/\1/p' "$out")
	cont=$(sed -n 's/^CONT utc=\([0-9.]*\).*/\1/p' "$out")
	fired=$(line_utc "$BOOT_LOG" ' @ ALARM-FIRED check=rtc.alarm.stopcont ')
	state=$(sed -n 's/^STATE //p' "$out")
	if ! grep -q 'VM status: paused' "$LOGS/monitor-$label.log"; then
		result FAIL "$label.stopcont.host" "the monitor never reported 'VM status: paused' (log $LOGS/monitor-$label.log)"
		return 0
	fi
	if [ "$state" != connected ]; then
		result FAIL "$label.stopcont.host" "$dev was '$state' 1.5 s into the stop, expected 'connected' (its rings stopped by GET_VRING_BASE)"
		return 0
	fi
	if [ -n "$at" ] && [ -n "$stop" ] && [ -n "$cont" ] && [ -n "$fired" ] &&
		awk -v a="$at" -v s="$stop" -v c="$cont" -v f="$fired" 'BEGIN { exit !(s < a && c >= a && f >= c) }'; then
		result PASS "$label.stopcont.host" "$(awk -v a="$at" -v s="$stop" -v c="$cont" -v f="$fired" -v d="$dev" 'BEGIN {
			printf "QEMU stopped %.2f s before the alarm time %d (monitor: paused; %s: rings stopped, connected), resumed %.2f s after it; the alarm interrupt reached the console %.3f s after cont", a - s, a, d, c - a, f - c }')"
	else
		result FAIL "$label.stopcont.host" "alarm at=${at:-?} stop=${stop:-?} cont=${cont:-?} interrupt seen at ${fired:-never} (expected stop < alarm <= cont <= interrupt)"
	fi
}

# Live migration (doc/guests.md, "Live migration"): QEMU 11 refuses it for
# every vhost-user device the suite uses, and the refused attempt must leave
# the VM running and served. qmp SOCKET NAME=JSON...: one QMP session, each
# command's reply printed as "NAME REPLY-JSON" (events skipped); a line
# "QMP-ERROR ..." when the socket cannot be reached.
qmp() {
	timeout 20 python3 - "$@" 2>&1 <<-'PYEOF' || true
		import json, socket, sys, time
		s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
		s.settimeout(10)
		for _ in range(100):
		    try:
		        s.connect(sys.argv[1])
		        break
		    except OSError:
		        time.sleep(0.1)
		else:
		    print("QMP-ERROR cannot connect to " + sys.argv[1])
		    sys.exit(0)
		f = s.makefile("rw")
		json.loads(f.readline())
		def cmd(c):
		    f.write(json.dumps(c) + "\n")
		    f.flush()
		    while True:
		        r = json.loads(f.readline())
		        if "event" not in r:
		            return r
		cmd({"execute": "qmp_capabilities"})
		for a in sys.argv[2:]:
		    name, c = a.split("=", 1)
		    print(name, json.dumps(cmd(json.loads(c))))
	PYEOF
}

# qemu_dest LABEL: a destination QEMU for LABEL's migration attempt (the
# same machine and memory, no guest, no devices: the source refuses before
# it connects, and the destination's status shows that nothing arrived),
# chrooted like boot(); listens on $SOCK/mig-LABEL.sock, QMP on
# $SOCK/qmp-LABEL-dst.sock. The caller adds $LOGS/qemu-LABEL-dst.pid to
# QEMU_PIDFILES first (cleanup kills it).
qemu_dest() {
	local label=$1
	(timeout -k 5 "$BOOT_TIMEOUT" unshare -m --propagation private -- /bin/sh -c '
		ch=$1 binds=$2
		shift 2
		mount -t proc proc "$ch/proc" && mount --bind /dev "$ch/dev" || exit 99
		for d in $binds; do mkdir -p "$ch$d" && mount --bind "$d" "$ch$d" || exit 99; done
		exec chroot "$ch" "$@"' sh "$CH" "$LOGS $SOCK" \
		qemu-system-x86_64 -machine q35,accel=tcg -cpu max -smp 1 -m 256M \
		-object memory-backend-memfd,id=mem,size=256M,share=on -numa node,memdev=mem \
		-nodefaults -display none -serial none -pidfile "$LOGS/qemu-$label-dst.pid" \
		-qmp "unix:$SOCK/qmp-$label-dst.sock,server=on,wait=off" \
		-incoming "unix:$SOCK/mig-$label.sock" > "$LOGS/qemu-$label-dst.log" 2>&1) &
}

# migrate_driver LABEL CONSOLE OUT DEVICE...: once the guest has bound
# virtio_rtc (its clock, alarm and rng checks still to come), ask the source
# QEMU (QMP $SOCK/qmp-LABEL.sock) to migrate to the destination, record the
# answers and the daemon's counters of DEVICE... (telemetry) at that moment
# in OUT, then stop the destination
migrate_driver() {
	local label=$1 con=$2 out=$3 line="" i d p
	shift 3
	qemu_dest "$label"
	for i in $(seq $((BOOT_TIMEOUT * 10))); do
		line=$(grep -m1 ' @ CHECK [A-Z]* rtc\.bound ' "$con" 2>/dev/null || true)
		[ -n "$line" ] && break
		grep -q 'QEMU-EXIT' "$con" 2>/dev/null && break
		sleep 0.1
	done
	if [ -z "$line" ]; then
		echo "NOTREADY the guest never bound virtio_rtc" >> "$out"
	else
		for d in "$@"; do
			echo "BEFORE $d $(daemon_xstat "$d" requests) $(daemon_xstat "$d" bytes) $(daemon_xstat "$d" connections)" >> "$out"
		done
		echo "AT $("$PROBE" now)" >> "$out"
		qmp "$SOCK/qmp-$label.sock" \
			'status-before={"execute":"query-status"}' \
			"migrate={\"execute\":\"migrate\",\"arguments\":{\"uri\":\"unix:$SOCK/mig-$label.sock\"}}" \
			'query-migrate={"execute":"query-migrate"}' \
			'status-after={"execute":"query-status"}' >> "$out"
		echo "DONE $("$PROBE" now)" >> "$out"
		sleep 0.5
		qmp "$SOCK/qmp-$label-dst.sock" 'dst-status={"execute":"query-status"}' \
			'dst-query-migrate={"execute":"query-migrate"}' >> "$out"
		for d in "$@"; do
			echo "AFTER $d $(daemon_xstat "$d" requests) $(daemon_xstat "$d" bytes) $(daemon_xstat "$d" connections)" >> "$out"
		done
	fi
	p=$(cat "$LOGS/qemu-$label-dst.pid" 2>/dev/null || true)
	if [ -n "$p" ] && [ "$(cat /proc/"$p"/comm 2>/dev/null)" = qemu-system-x86 ]; then
		kill -9 "$p" 2>/dev/null || true
	fi
	return 0
}

# the host's side: QEMU refused with the exact error for one of DEVNAMES
# (QOM type names), query-migrate started nothing and names every device
# and the missing dirty-log feature, the source still runs, the destination
# got nothing; then, after the boot, the devices were still served: the
# daemon's counters grew on the same connection and the guest's checks
# after the attempt passed
# migrate_check LABEL OUT "DEVNAMES" DEVICE...
migrate_check() {
	local label=$1 out=$2 names=$3 err qm st0 st1 dst alt n reasons ok d done_t late nlate nfail
	local breq bbytes bconn areq abytes aconn
	shift 3
	if grep -q '^NOTREADY' "$out"; then
		result FAIL "$label.migrate.refused" "$(sed -n 's/^NOTREADY //p' "$out")"
		return 0
	fi
	# the error's text, or "no error: REPLY" when QEMU accepted the command
	err=$(sed -n 's/^migrate //p' "$out" | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["error"]["desc"] if "error" in d else "no error: " + json.dumps(d))' 2>/dev/null || true)
	qm=$(sed -n 's/^query-migrate //p' "$out")
	st0=$(sed -n 's/^status-before //p' "$out" | python3 -c 'import json, sys; print(json.load(sys.stdin)["return"]["status"])' 2>/dev/null || true)
	st1=$(sed -n 's/^status-after //p' "$out" | python3 -c 'import json, sys; print(json.load(sys.stdin)["return"]["status"])' 2>/dev/null || true)
	dst=$(sed -n 's/^dst-status //p' "$out" | python3 -c 'import json, sys; print(json.load(sys.stdin)["return"]["status"])' 2>/dev/null || true)
	ok=0
	alt=""
	for n in $names; do
		alt="$alt${alt:+|}$n"
	done
	if [[ $err =~ ^State\ blocked\ by\ non-migratable\ device\ \'[^\']*/($alt)\'$ ]]; then
		ok=1
	fi
	reasons=$(python3 -c 'import json, sys; print("|".join(json.loads(sys.argv[1])["return"].get("blocked-reasons", [])))' "$qm" 2>/dev/null || true)
	for n in $names; do
		case "|$reasons|" in *"|non-migratable device: "*"/$n|"*) ;; *) ok=0 ;; esac
	done
	case "|$reasons|" in *"|Migration disabled: vhost-user backend lacks VHOST_USER_PROTOCOL_F_LOG_SHMFD feature.|"*) ;; *) ok=0 ;; esac
	# nothing started: query-migrate has no "status" (the attempt ended in
	# QEMU's checks before the migration state machine)
	case $qm in *'"status"'*) ok=0 ;; esac
	if [ $ok = 1 ]; then
		result PASS "$label.migrate.refused" "QMP migrate: \"$err\"; query-migrate: no migration status, blocked-reasons: $reasons"
	else
		result FAIL "$label.migrate.refused" "QMP migrate answered '${err:-nothing}', expected \"State blocked by non-migratable device '<addr>/{$alt}'\"; query-migrate: ${qm:-nothing} (log $out)"
	fi
	if [ "$st0" = running ] && [ "$st1" = running ] && [ "$dst" = inmigrate ]; then
		result PASS "$label.migrate.running" "query-status: 'running' before and after the refused migrate; the destination (-incoming) still 'inmigrate': nothing was sent"
	else
		result FAIL "$label.migrate.running" "source query-status '${st0:-?}' before, '${st1:-?}' after (expected running); destination '${dst:-?}' (expected inmigrate) (log $out)"
	fi
	# served after the attempt: counters now vs at the attempt, same connection
	ok=1 d=""
	for n in "$@"; do
		read -r _ _ breq bbytes bconn < <(grep "^BEFORE $n " "$out" || echo "- - - - -")
		areq=$(daemon_xstat "$n" requests) abytes=$(daemon_xstat "$n" bytes) aconn=$(daemon_xstat "$n" connections)
		if [ -n "$breq" ] && [ "$breq" != - ] && [ -n "$areq" ] && [ "$areq" -gt "$breq" ] && [ "$aconn" = "$bconn" ]; then
			d="$d $n: +$((areq - breq)) requests, +$((abytes - bbytes)) bytes since the attempt, connections $aconn (unchanged);"
		else
			ok=0
			d="$d $n: requests ${breq:-?} -> ${areq:-?}, connections ${bconn:-?} -> ${aconn:-?};"
		fi
	done
	done_t=$(sed -n 's/^DONE utc=\([0-9.]*\).*/\1/p' "$out")
	# the guest's checks from the attempt to the end of that boot
	late=$(awk -v t="${done_t:-0}" '{ split($0, h, " "); u = substr(h[2], 5) + 0 }
		u > t && / @ STEP boot label=/ { exit }
		u > t && / @ CHECK / { print }' "$BOOT_LOG")
	nlate=$(grep -c ' @ CHECK PASS ' <<< "$late" || true)
	nfail=$(grep -c ' @ CHECK FAIL ' <<< "$late" || true)
	if [ -z "$done_t" ] || [ "$nlate" = 0 ] || [ "$nfail" != 0 ]; then
		ok=0
	fi
	if [ $ok = 1 ]; then
		result PASS "$label.migrate.served" "after the refused migrate the guest passed $nlate checks ($(sed 's/.* @ CHECK PASS \([^ ]*\).*/\1/' <<< "$late" | tr '\n' ' ' | sed 's/ $//')) and the daemon counted:$d"
	else
		result FAIL "$label.migrate.served" "after the refused migrate: $nlate guest checks passed, $nfail failed;$d (log $out)"
	fi
}

# two guests at once: both armed their alarm before the first one was due and
# counted interrupts past the second (the guests check exactly one each)
pair_check() { # pair_check AT_A AT_B UNTIL
	local l set end ok=1 d=""
	for l in afterkill rtcpci; do
		set=$(line_utc "$LOGS/console-$l.log" ' @ ALARM-SET check=rtc.alarm.pair ')
		end=$(line_utc "$LOGS/console-$l.log" ' @ ALARM-END check=rtc.alarm.pair ')
		if [ -n "$set" ] && [ -n "$end" ] && awk -v s="$set" -v e="$end" -v a="$1" -v b="$2" 'BEGIN { exit !(s < a && e >= b) }'; then
			d="$d $l armed $(awk -v s="$set" -v a="$1" 'BEGIN { printf "%.1f", a - s }') s before the first alarm, counted until $(awk -v e="$end" -v b="$2" 'BEGIN { printf "%.1f", e - b }') s after the second;"
		else
			ok=0
			d="$d $l armed at ${set:-never}, ended at ${end:-never};"
		fi
	done
	if [ $ok = 1 ]; then
		result PASS pair.overlap "alarms at $1 (afterkill, rtc_vhost0) and $2 (rtcpci, rtc_vhost1):$d"
	else
		result FAIL pair.overlap "both guests must arm before $1 and count past $2 (a guest that boots later than --pair-lead $PAIR_LEAD s makes the test prove nothing):$d"
	fi
}

# the device's own count of NOTIF_ALARM sent during a boot
alarm_count_check() { # alarm_count_check LABEL DEVICE BEFORE EXPECTED
	local after
	after=$(daemon_xstat "$2" rtc_alarm_notifications)
	if [ -z "$3" ] || [ -z "$after" ]; then
		result FAIL "$1.daemon.alarms" "no rtc_alarm_notifications for $2 in the daemon's telemetry ($TELSOCK)"
	elif [ $((after - $3)) = "$4" ]; then
		result PASS "$1.daemon.alarms" "$2 sent $((after - $3)) NOTIF_ALARM during the boot = the $4 alarm interrupt(s) the guest saw (expired $(daemon_xstat "$2" rtc_alarms_expired), coalesced $(daemon_xstat "$2" rtc_alarms_coalesced), cancelled $(daemon_xstat "$2" rtc_alarms_cancelled) in total)"
	else
		result FAIL "$1.daemon.alarms" "$2 sent $((after - $3)) NOTIF_ALARM during the boot, the guest saw $4 alarm interrupt(s)"
	fi
}

# the daemon's side of the ring layout: in its log since line FROM, every
# queue it started for DEVICE ("serving queue N (split|packed, ...)") has the
# layout RING, each of the queues QIDS was started, and the features the
# driver set ("driver ready, features 0x...") have bit 34
# (VIRTIO_F_RING_PACKED) set for packed, clear for split
daemon_ring_check() { # daemon_ring_check LABEL RING FROM DEVICE:QID,QID...
	local label=$1 ring=$2 from=$3 spec dev q lines starts feat bit want ok=1 d=""
	shift 3
	want=0
	[ "$ring" = packed ] && want=1
	for spec in "$@"; do
		dev=${spec%%:*}
		lines=$(tail -n +"$((from + 1))" "$DLOG" | grep -E "^vrtc\.transport: $dev: (serving queue|driver ready)" || true)
		starts=$(grep 'serving queue' <<< "$lines" || true)
		for q in $(tr ',' ' ' <<< "${spec#*:}"); do
			grep -q "serving queue $q ($ring, " <<< "$starts" || { ok=0; d="$d $dev: queue $q never started $ring;"; }
		done
		if [ -n "$starts" ] && grep -q -v "serving queue [0-9]* ($ring, " <<< "$starts"; then
			ok=0
			d="$d $dev: $(grep -v "serving queue [0-9]* ($ring, " <<< "$starts" | head -n 1 | sed 's/^[^:]*: //');"
		fi
		feat=$(sed -n 's/.* driver ready, features \(0x[0-9a-fA-F]*\).*/\1/p' <<< "$lines" | tail -n 1)
		if [ -z "$feat" ]; then
			ok=0
			d="$d $dev: no 'driver ready' line;"
			continue
		fi
		bit=$(( (feat >> 34) & 1 ))
		[ "$bit" = "$want" ] || ok=0
		d="$d $dev: driver features $feat (bit 34 = $bit), $(grep -c . <<< "$starts") queue start(s) [$(sed 's/.*serving queue \([0-9]*\) (\([^,]*\), size \([0-9]*\).*/q\1 \2 size \3/' <<< "$starts" | sort -u | tr '\n' ',' | sed 's/,$//')];"
	done
	if [ $ok = 1 ]; then
		result PASS "$label.daemon.ring" "$ring rings on the daemon's side:$d"
	else
		result FAIL "$label.daemon.ring" "expected $ring rings:$d (log $DLOG)"
	fi
}

# The functional section, for each ring layout (boots "main": split, and
# "packed"): the guest runs every clock check, the RTC class device, ALARMS
# alarms through /dev/rtcN and one across a QEMU stop/cont (HMP monitor),
# reads RNG_BYTES from /dev/hwrng and checks the ring layout its drivers
# negotiated (vt_ring); the host checks the stop/cont from its side, the
# daemon's log for the same layout, its rng byte count and its alarm
# notifications.
#   functional_boot LABEL RING RTC_DEV RNG_DEV ALARMS RNG_BYTES READS DESCRIPTION -- QEMU_DEVICE_ARGS...
# Environment: REBOOT=1  a marker disk; "reboot -f" (device reset) and every
#                        check again on a second boot
#              MIGRATE="QOM type names"  a QMP socket and the refused live
#                        migration right after rtc.bound (migrate_check)
functional_boot() {
	local label=$1 ring=$2 rtcdev=$3 rngdev=$4 alarms=$5 rngb=$6 reads=$7 desc=$8
	local mon moncat scpid migpid="" an0 rng0 rng1 guestb dl0 boots=1 what expected
	local append="vt_clocks=0,1,2,3 vt_rtc=1 vt_alarms=$alarms vt_stopcont=1 vt_rng_bytes=$rngb vt_reads=$reads vt_ring=$ring"
	local extra=()
	shift 9
	expected="$RTC_CHECKS $RTC_CLASS_CHECKS $RNG_CHECKS rtc.ring rng.ring 1:rtc.alarm.stopcont $(seq -f 'rtc.alarm.%g' -s ' ' "$alarms")"
	what="$ring rings, $rtcdev + $rngdev: checks, $alarms alarm(s), stop/cont"
	if [ "${REBOOT:-0}" = 1 ]; then
		truncate -s 0 "$LOGS/marker.img"
		truncate -s 1M "$LOGS/marker.img"
		extra+=(-drive "file=$LOGS/marker.img,format=raw,if=none,id=marker" -device virtio-blk-pci,drive=marker)
		append="$append vt_reboot=1"
		boots="1 2"
		expected="$expected 1:rtc.alarm.initial 2:rtc.alarm.kept"
		what="2 boots: $what, reboot -f, checks"
	else
		expected="$expected rtc.alarm.initial"
	fi
	mon=$SOCK/mon-$label
	rm -f "$mon.in" "$mon.out"
	mkfifo "$mon.in" "$mon.out"
	extra+=(-chardev "pipe,id=mon0,path=$mon" -mon chardev=mon0,mode=readline)
	# the monitor's output, for the record (opened read-write: never blocks)
	cat 0<> "$mon.out" > "$LOGS/monitor-$label.log" 2>&1 &
	moncat=$!
	BG_PIDS+=($moncat)
	: > "$LOGS/stopcont-$label.txt"
	stopcont_driver "$LOGS/console-$label.log" "$mon" "$LOGS/stopcont-$label.txt" "$rtcdev" &
	scpid=$!
	BG_PIDS+=($scpid)
	an0=$(daemon_xstat "$rtcdev" rtc_alarm_notifications)
	rng0=$(daemon_stat "$rngdev" bytes)
	dl0=$(wc -l < "$DLOG")
	if [ -n "${MIGRATE:-}" ]; then
		: > "$LOGS/migrate-$label.txt"
		QEMU_PIDFILES+=("$LOGS/qemu-$label-dst.pid")
		migrate_driver "$label" "$LOGS/console-$label.log" "$LOGS/migrate-$label.txt" "$rtcdev" "$rngdev" &
		migpid=$!
		BG_PIDS+=("$migpid")
		extra+=(-qmp "unix:$SOCK/qmp-$label.sock,server=on,wait=off")
	fi
	MAXBOOTS=${boots##* } step "boot $label ($what)" boot "$label" exit "$append" -- "$@" "${extra[@]}"
	wait "$scpid" 2>/dev/null || true
	[ -n "$migpid" ] && { wait "$migpid" 2>/dev/null || true; }
	kill "$moncat" 2>/dev/null || true
	boot_done "$label"
	rc_check "$label" 0
	collect "$label" "$boots" "$expected"
	timings "$label" "$desc"
	stopcont_check "$label" "$LOGS/stopcont-$label.txt" "$rtcdev"
	[ -n "${MIGRATE:-}" ] && migrate_check "$label" "$LOGS/migrate-$label.txt" "$MIGRATE" "$rtcdev" "$rngdev"
	daemon_ring_check "$label" "$ring" "$dl0" "$rtcdev:0,1" "$rngdev:0"
	sleep 1.2   # one more statistics period
	rng1=$(daemon_stat "$rngdev" bytes)
	guestb=$(sed -n 's/.* @ RNG-BYTES \([0-9]*\).*/\1/p' "$BOOT_LOG" | awk '{ s += $1 } END { print s + 0 }')
	if [ -n "$rng1" ] && [ "$((rng1 - ${rng0:-0}))" -ge "$guestb" ] && [ "$guestb" -ge "$rngb" ]; then
		result PASS "$label.daemon.rng_bytes" "$rngdev served $((rng1 - ${rng0:-0})) bytes >= the $guestb bytes the guest read from /dev/hwrng"
	else
		result FAIL "$label.daemon.rng_bytes" "$rngdev counted $((${rng1:-0} - ${rng0:-0})) bytes, the guest read $guestb (log $DLOG)"
	fi
	alarm_count_check "$label" "$rtcdev" "$an0" "$(grep -c ' @ ALARM-FIRED ' "$BOOT_LOG" || true)"
}

step "daemon start" start_daemon || exit 1
# the /dev/rtcN checks need the UTC_SMEARED clock in the default set: say so
# plainly when this daemon has none (they then fail as "no RTC class device")
if ! "$DAEMON" --help 2>&1 | grep -q 'smeared'; then
	result FAIL daemon.smeared "$DAEMON has no smeared clock (clocks= name 'smeared'): Linux creates /dev/rtcN only for a UTC_SMEARED clock, so the rtc.class and rtc.alarm checks cannot pass"
fi
sleep 1.2

if [ $BENCH = 0 ]; then
# 1. main: every check, alarms, an alarm across stop/cont, reboot (device
# reset), every check again
if want_boot main; then
	REBOOT=1 MIGRATE="vhost-user-test-device vhost-user-rng" functional_boot main split \
		rtc_vhost0 rng_vhost0 "$ALARMS_MAIN" 1048576 20000 \
		"dpdk-rtcd via vhost-user-test-device-pci (--poll $POLL)" -- "${DEV_RTC[@]}" "${DEV_RNG[@]}"
fi

# 2. kill: QEMU dies by SIGKILL while the guest is reading; the daemon lives on
if want_boot kill; then
	step "boot kill (SIGKILL QEMU while the guest reads)" boot kill GUEST-HOLD \
		"vt_clocks=0,1,2,3 vt_rtc=1 vt_rng_bytes=65536 vt_reads=2000 vt_hold=1" -- "${DEV_RTC[@]}" "${DEV_RNG[@]}"
	boot_done kill
	HOLD=1 collect kill "1" "$RTC_CHECKS $RTC_CLASS_CHECKS $RNG_CHECKS rtc.alarm.initial"
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
fi

# 3. pair: two guests at once on the same daemon, each on its own rtc
# device, each with its own alarm (3 s apart), both armed before the first
# fires; each counts its interrupts until after the second:
#   afterkill  rtc_vhost0 (after the SIGKILL: the same daemon serves the
#              next QEMU) + rng, through vhost-user-test-device-pci
#   rtcpci     rtc_vhost1 through QEMU's dedicated vhost-user-rtc-pci
if want_boot pair; then
	PAIR_T0=$(date +%s)
	PA=$((PAIR_T0 + PAIR_LEAD)) PB=$((PAIR_T0 + PAIR_LEAD + 3)) PU=$((PAIR_T0 + PAIR_LEAD + 6))
	AN0=$(daemon_xstat rtc_vhost0 rtc_alarm_notifications)
	AN1=$(daemon_xstat rtc_vhost1 rtc_alarm_notifications)
	: > "$LOGS/migrate-rtcpci.txt"
	QEMU_PIDFILES+=("$LOGS/qemu-rtcpci-dst.pid")
	migrate_driver rtcpci "$LOGS/console-rtcpci.log" "$LOGS/migrate-rtcpci.txt" rtc_vhost1 &
	MIGPID=$!
	BG_PIDS+=("$MIGPID")
	pair_boots() {
		boot_bg afterkill "vt_clocks=0,1,2,3 vt_rtc=1 vt_alarm_at=$PA vt_alarm_until=$PU vt_rng_bytes=262144 vt_reads=20000" \
			-- "${DEV_RTC[@]}" "${DEV_RNG[@]}"
		boot_bg rtcpci "vt_clocks=0,1,2,3 vt_rtc=1 vt_alarm_at=$PB vt_alarm_until=$PU vt_rng_bytes=0 vt_reads=5000" \
			-- "${DEV_RTCPCI[@]}" -qmp "unix:$SOCK/qmp-rtcpci.sock,server=on,wait=off"
		boot_wait afterkill
		boot_wait rtcpci
		wait "$MIGPID" 2>/dev/null || true
	}
	step "boots afterkill + rtcpci at once (alarms at +${PAIR_LEAD} s and +$((PAIR_LEAD + 3)) s)" pair_boots
	for l in afterkill rtcpci; do
		boot_restore $l
		boot_done $l
		rc_check $l 0
	done
	boot_restore afterkill
	collect afterkill "1" "$RTC_CHECKS $RTC_CLASS_CHECKS $RNG_CHECKS rtc.alarm.initial rtc.alarm.pair"
	timings afterkill "dpdk-rtcd via vhost-user-test-device-pci (--poll $POLL), pair"
	boot_restore rtcpci
	collect rtcpci "1" "$RTC_CHECKS $RTC_CLASS_CHECKS rtc.alarm.initial rtc.alarm.pair"
	timings rtcpci "dpdk-rtcd via vhost-user-rtc-pci (--poll $POLL), pair"
	migrate_check rtcpci "$LOGS/migrate-rtcpci.txt" "vhost-user-rtc" rtc_vhost1
	pair_check "$PA" "$PB" "$PU"
	sleep 1.2
	alarm_count_check afterkill rtc_vhost0 "$AN0" 1
	alarm_count_check rtcpci rtc_vhost1 "$AN1" 1
fi

# 4. packed: main's first boot on packed rings. QEMU packed=on on both
# devices, the daemon's rtc_vhost2 and rng_vhost1 offer VIRTIO_F_RING_PACKED
# (packed=1): the guest's virtio_rtc and virtio-rng, the daemon's log and
# every functional check say packed. One alarm (the lateness figures are
# main's), 256 KiB from /dev/hwrng (rng.random needs 64 KiB), 5000 reads per
# clock: the boot adds about 30 s to the suite.
if want_boot packed; then
	functional_boot packed packed rtc_vhost2 rng_vhost1 1 262144 5000 \
		"dpdk-rtcd via vhost-user-rtc-pci, packed=on (--poll $POLL)" -- \
		"${DEV_RTCPCI_PACKED[@]}" "${DEV_RNG_PACKED[@]}"
fi
else
	# bench: PTP read time only (rtc device alone, no rng, more reads)
	step "boot bench (PTP read time)" boot bench exit \
		"vt_clocks=0,1,2,3 vt_rng_bytes=0 vt_reads=$BENCH_READS" -- "${DEV_RTC[@]}"
	boot_done bench
	rc_check bench 0
	collect bench "1" "$RTC_CHECKS"
	timings bench "dpdk-rtcd via vhost-user-test-device-pci (--poll $POLL)"
fi

# daemon health, then a clean stop
sleep 1.2
for d in $DEVNAMES; do
	e=$(daemon_stat $d errors) bc=$(daemon_stat $d bad_chains) bq=$(daemon_stat $d broken_queues)
	if [ "${e:-x}" = 0 ] && [ "${bc:-x}" = 0 ] && [ "${bq:-x}" = 0 ]; then
		result PASS "daemon.$d.errors" "$(grep -E "(^|rtcd\.stats: )$d: " "$DLOG" | tail -n 1)"
	else
		result FAIL "daemon.$d.errors" "errors=$e bad_chains=$bc broken_queues=$bq: $(grep -E "(^|rtcd\.stats: )$d: " "$DLOG" | tail -n 1)"
	fi
done
kill -TERM "$DPID"
drc=0
for _ in $(seq 50); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.2; done
if kill -0 "$DPID" 2>/dev/null; then
	result FAIL daemon.stop "still running 10 s after SIGTERM"
else
	wait "$DPID" || drc=$?
	left=""
	for f in $(sockets); do [ -e "$f" ] && left="$left $f"; done
	if [ $drc = 0 ] && [ -z "$left" ]; then
		result PASS daemon.stop "exit 0 after SIGTERM, sockets removed"
	else
		result FAIL daemon.stop "exit status $drc after SIGTERM; sockets left: $(ls "$SOCK")"
	fi
fi
DPID=

# 5. builtin: QEMU's in-process virtio-rtc-pci, the reference read time
if want_boot builtin || [ $BENCH = 1 ]; then
	step "boot builtin (QEMU virtio-rtc-pci)" boot builtin exit \
		"vt_clocks=0 vt_rng_bytes=0 vt_reads=$BENCH_READS" -- "${DEV_BUILTIN[@]}"
	boot_done builtin
	rc_check builtin 0
	collect builtin "1" "rtc.insmod rtc.bound rtc.dmesg rtc.clocks rtc.guest.utc rtc.nondecreasing.utc"
	timings builtin "QEMU virtio-rtc-pci (in-process)"
fi

# --- summary -------------------------------------------------------------------------
SUMMARY_DONE=1
echo
echo "=== PTP read time in the guest: clock_gettime() on /dev/ptpN, back to back, us per read"
echo "    median (fastest) of 20 batches of reads; the console logs also have the mean"
echo "    (TCG, 1 vCPU; daemon --poll $POLL on lcore 1; see doc/guests.md)"
printf '%s\n' "${TIMINGS[@]}" | awk -F'|' '
	{ k = $1 "|" $2; if (!(k in seen)) { seen[k] = 1; order[++n] = k } v[k, $3] = $4 }
	END {
		printf "%-12s %-66s %16s %16s %16s %16s\n", "boot", "device", "utc", "tai", "mono", "smeared"
		for (i = 1; i <= n; i++) {
			split(order[i], p, "|")
			printf "%-12s %-66s %16s %16s %16s %16s\n", p[1], p[2], \
				((order[i], "utc") in v ? v[order[i], "utc"] : "-"), \
				((order[i], "tai") in v ? v[order[i], "tai"] : "-"), \
				((order[i], "mono") in v ? v[order[i], "mono"] : "-"), \
				((order[i], "smeared") in v ? v[order[i], "smeared"] : "-")
		}
	}'
echo
echo "=== alarms through /dev/rtcN (RTC_WKALM_SET + RTC_AIE_ON, read() for the interrupt)"
echo "    lateness = alarm clock (smeared PTP) read after the wake-up - alarm time;"
echo "    host = host UTC when the ALARM-FIRED line reached the console - alarm time"
ALOG=$LOGS/alarms.txt
for f in "$LOGS"/console-*.log; do
	[ -e "$f" ] || continue
	l=${f##*/console-}; l=${l%.log}
	awk -v l="$l" '/ @ STEP boot label=/ { k++ }
		/ @ ALARM-FIRED / {
			split($0, h, " "); hu = substr(h[2], 5)
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^check=/) c = substr($i, 7)
				if ($i ~ /^at=/) at = substr($i, 4)
				if ($i ~ /^late_ms=/) lm = substr($i, 9)
			}
			printf "%-10s %-6s %-22s %12.3f %12.3f\n", l, k, c, lm, (hu - at) * 1000
		}' "$f"
done > "$ALOG"
printf '%-10s %-6s %-22s %12s %12s\n' boot n check lateness_ms host_ms
cat "$ALOG"
awk '$3 ~ /^rtc\.alarm\.[0-9]+$|^rtc\.alarm\.pair$/ { print $4 }' "$ALOG" | sort -n | awk '{ v[++n] = $1; s += $1 }
	END { if (n) printf "  %d alarms (stop/cont not counted): lateness min %.1f ms, median %.1f ms, max %.1f ms, mean %.1f ms\n", n, v[1], v[int((n + 1) / 2)], v[n], s / n }'
if [ -f "$LOGS/console-main.log" ]; then
	echo
	echo "=== virtio_rtc in the guest's dmesg (main, boot 1, after the alarm tests)"
	awk '/ @ STEP boot label=/ { k++ } k == 1 && / @ DMESG-END / { sub(/.* @ DMESG-END /, ""); print }' \
		"$LOGS/console-main.log" | tee "$LOGS/dmesg-virtio_rtc.txt" | sed 's/^/  /'
fi
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
