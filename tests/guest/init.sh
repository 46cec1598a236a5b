#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
#
# /init of the real-guest test initramfs (busybox sh). Loads the modules,
# runs the checks and prints one line per check:
#   CHECK PASS|FAIL name detail
# plus SAMPLE lines (PTP readings the host compares with its own clocks on
# arrival), TIMING lines and DMESG lines, then "GUEST-END ...", and powers
# off (or reboots once, see vt_reboot).
#
# Parameters come from the kernel command line (the kernel hands unknown
# name=value words to init as environment variables):
#   vt_label     name of this boot for the logs
#   vt_clocks    virtio-rtc clock types expected, e.g. 0,1,2 (empty: no rtc)
#   vt_rng_bytes bytes to read from /dev/hwrng (0: no rng checks)
#   vt_reads     PTP reads per clock for the monotonicity/timing loop
#   vt_ref_utc, vt_ref_mono  host CLOCK_REALTIME and CLOCK_MONOTONIC at one
#                instant just before QEMU started (S.N seconds)
#   vt_tai       TAI - UTC in seconds (the host's view)
#   vt_wait      seconds to wait for insmod virtio_rtc (it blocks until the
#                device answers)
#   vt_reboot    1: a marker disk (/dev/vda) counts boots; the first boot
#                ends with "reboot -f" (a device reset for every virtio
#                device), the second powers off
#   vt_hold      1: after the checks, keep reading the clocks and the rng
#                until QEMU is killed (the SIGKILL test)
#   vt_rtc       1: the device has a UTC_SMEARED clock with alarms: its RTC
#                class device /dev/rtcN exists (found by its sysfs name; the
#                CMOS RTC is usually rtc0), RTC_RD_TIME is host UTC, and:
#                alarm state at start: none on a new connection, or (second
#                boot of vt_reboot) the one the first boot left (kept across
#                the device reset); every boot leaves an alarm 10 min ahead
#                (the next boot, or the next connection, looks for it)
#   vt_alarms    N alarms 2 s ahead through /dev/rtcN, one after the other
#                (lateness figures)
#   vt_stopcont  1 (first boot, after the other checks): one alarm 4 s ahead
#                while the host stops QEMU (monitor "stop") past the alarm
#                time, then "cont"
#   vt_alarm_at, vt_alarm_until  the two-guest test: an alarm at that host
#                UTC second, armed early and waited for in the background
#                while the other checks run; interrupts are counted until
#                vt_alarm_until
#   vt_ring      split or packed: the ring layout every virtio-rtc and
#                virtio-rng device must have negotiated (feature bit 34,
#                VIRTIO_F_RING_PACKED, in /sys/bus/virtio/devices/*/features);
#                unset: not checked
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
exec < /dev/console > /dev/console 2>&1

FAILS=0
up() { read -r u _ < /proc/uptime; echo "$u"; }
stepmsg() { echo "STEP $* t=$(up)s"; }
check() { # check PASS|FAIL name detail...
	local res=$1 name=$2
	shift 2
	echo "CHECK $res $name $*"
	[ "$res" = PASS ] || FAILS=$((FAILS + 1))
	return 0
}
finish() {
	echo "GUEST-END label=${vt_label:-?} boot=$BOOT fails=$FAILS t=$(up)s"
	sync
	if [ "$1" = reboot ]; then reboot -f; else poweroff -f; fi
	sleep 30
}

BOOT=1
stepmsg "boot label=${vt_label:-?} kernel=$(uname -r)"

# the clock an alarm is on (the smeared one), as NAME:DEV for vrtc-probe
alarm_clock() { echo "$map" | tr ' ' '\n' | grep '^smeared:' | head -1; }

# /dev/rtcN of virtio_rtc: exists, reads host UTC, alarm state at start,
# alarms through the RTC interface (sets RTCDEV, RTCSYS)
rtc_class() {
	local r nm all="" ac u k want got
	RTCDEV="" RTCSYS=""
	for r in /sys/class/rtc/rtc*; do
		[ -e "$r/name" ] || continue
		nm=$(cat "$r/name")
		all="$all ${r##*/}='$nm'"
		case $nm in virtio_rtc*) [ -z "$RTCDEV" ] && RTCDEV=/dev/${r##*/} RTCSYS=$r ;; esac
	done
	if [ -n "$RTCDEV" ] && [ -c "$RTCDEV" ]; then
		check PASS rtc.class "$RTCDEV is virtio_rtc's RTC class device (RTC devices:$all; alarm feature: $( [ -e "$RTCSYS/wakealarm" ] && echo wakealarm || echo none))"
	else
		check FAIL rtc.class "no RTC class device of virtio_rtc (RTC devices:${all:- none}; /dev: $(ls /dev | grep rtc | tr '\n' ' '))"
		return 0
	fi
	ac=$(alarm_clock)
	u=$(echo "$map" | tr ' ' '\n' | grep '^utc:' | head -1)
	if [ -n "$u" ]; then
		vrtc-probe rtcread "$RTCDEV" "$u" > /tmp/p.out 2>&1
		cat /tmp/p.out
		FAILS=$((FAILS + $(grep -c '^CHECK FAIL' /tmp/p.out)))
	fi
	# alarm state the device had when the driver probed (READ_ALARM at
	# registration: an enabled future alarm shows in wakealarm)
	got=$(cat "$RTCSYS/wakealarm" 2>/dev/null)
	if [ "$REBOOT" = 1 ] && [ "$BOOT" = 2 ]; then
		want=$(dd if=/dev/vda bs=32 skip=1 count=1 2>/dev/null | tr -dc 'A-Z0-9 ' | sed -n 's/^VTKEEP \([0-9]*\).*/\1/p')
		[ -n "$want" ] && [ "$got" = "$want" ] &&
			check PASS rtc.alarm.kept "wakealarm '$got': the alarm the first boot set (enabled, $want) survived the device reset" ||
			check FAIL rtc.alarm.kept "wakealarm '$got', expected '$want' (the first boot's alarm, kept across the device reset)"
	else
		[ -z "$got" ] &&
			check PASS rtc.alarm.initial "no alarm set on a new connection (wakealarm empty)" ||
			check FAIL rtc.alarm.initial "wakealarm '$got' on a new connection: a previous guest's alarm (alarms are cleared on disconnect)"
	fi
	[ -n "$ac" ] || { check FAIL rtc.alarm "no smeared PTP clock to time the alarm with (map:$map)"; return 0; }
	# the two-guest test: armed now, waited for in the background
	if [ -n "${vt_alarm_at:-}" ]; then
		stepmsg "alarm pair at=$vt_alarm_at until=$vt_alarm_until"
		vrtc-probe alarm "$RTCDEV" "$ac" --at "$vt_alarm_at" --until "$vt_alarm_until" \
			--check rtc.alarm.pair 2>&1 | tee /tmp/pair.out &
		PAIR_PID=$!
	fi
	k=0
	while [ $k -lt "${vt_alarms:-0}" ]; do
		k=$((k + 1))
		vrtc-probe alarm "$RTCDEV" "$ac" --in 2 --check "rtc.alarm.$k" > /tmp/p.out 2>&1
		cat /tmp/p.out
		FAILS=$((FAILS + $(grep -c '^CHECK FAIL' /tmp/p.out)))
	done
	return 0
}

# after the other checks: the background alarm, dmesg, the alarm left for
# the next boot or connection
rtc_class_end() {
	local t errs
	[ -n "${RTCDEV:-}" ] || return 0
	if [ -n "${PAIR_PID:-}" ]; then
		stepmsg "waiting for the pair alarm"
		wait "$PAIR_PID"
		FAILS=$((FAILS + $(grep -c '^CHECK FAIL' /tmp/pair.out)))
		grep -q '^CHECK .* rtc.alarm.pair ' /tmp/pair.out || check FAIL rtc.alarm.pair "the background alarm printed no result"
	fi
	# last: the guest's own clock stops with QEMU (the rtc.guest.* estimates
	# would be off by the stop's length)
	if [ "${vt_stopcont:-0}" = 1 ] && [ "$BOOT" = 1 ]; then
		stepmsg "alarm across stop/cont"
		vrtc-probe alarm "$RTCDEV" "$(alarm_clock)" --in 4 --max-late 60 --check rtc.alarm.stopcont 2>&1 | tee /tmp/p.out
		FAILS=$((FAILS + $(grep -c '^CHECK FAIL' /tmp/p.out)))
	fi
	errs=$(dmesg -r | grep -i -E 'rtc' | grep -v -E 'module verification failed|taints kernel|tainting kernel' |
		grep -i -E 'ignoring|fail|error|timed? ?out' || true)
	[ -z "$errs" ] && check PASS rtc.alarm.dmesg "no alarm warning or error in dmesg" ||
		check FAIL rtc.alarm.dmesg "$(echo "$errs" | tr '\n' '|')"
	dmesg -r | grep -i -E 'virtio_rtc|viortc|rtc[0-9]' | grep -v -E 'module verification|taint' | sed 's/^/DMESG-END /'
	# leave an enabled alarm 10 minutes ahead: the next boot (device reset)
	# must find it, the next connection must not
	t=$(( $(cat "$RTCSYS/since_epoch") + 600 ))
	if echo "$t" > "$RTCSYS/wakealarm" 2>/tmp/wk.err; then
		echo "ALARM-LEFT at=$t"
		[ "$REBOOT" = 1 ] && printf 'VTKEEP %d\n' "$t" | dd of=/dev/vda bs=32 seek=1 count=1 conv=sync,fsync 2>/dev/null
	else
		check FAIL rtc.alarm.leave "echo $t > $RTCSYS/wakealarm: $(cat /tmp/wk.err)"
	fi
	return 0
}

# 1. modules, in dependency order (file names are numbered); virtio_rtc last
for m in /mods/*.ko; do
	case $m in */90-virtio_rtc.ko) continue ;; esac
	out=$(insmod "$m" 2>&1) || check FAIL modules.insmod "$m: $out"
done

# 2. boot counter on the marker disk (the reboot test)
readmark() { dd if=/dev/vda bs=16 count=1 2>/dev/null | tr -dc 'A-Z0-9 ' | sed -n 's/^VTBOOT \([0-9]*\).*/\1/p'; }
REBOOT=0
if [ "${vt_reboot:-0}" = 1 ]; then
	i=0
	while [ ! -b /dev/vda ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	if [ -b /dev/vda ]; then
		prev=$(readmark)
		BOOT=$(( ${prev:-0} + 1 ))
		printf 'VTBOOT %d\n' "$BOOT" | dd of=/dev/vda bs=16 count=1 conv=sync,fsync 2>/dev/null
		# reboot only with a working counter: otherwise every boot would be
		# "boot 1" and reboot again
		if [ "$(readmark)" = "$BOOT" ]; then
			REBOOT=1
		else
			check FAIL boot.marker "cannot count boots on /dev/vda (wrote $BOOT, read '$(readmark)')"
		fi
	else
		check FAIL boot.marker "no /dev/vda (marker disk) after 5 s"
	fi
	if [ "$BOOT" -gt 2 ]; then
		check FAIL boot.count "boot $BOOT: the guest rebooted more often than planned (panic?)"
		finish poweroff
	fi
fi
stepmsg "boot $BOOT"

# 3. the ring layout the drivers negotiated: sysfs "features" is one '0' or
# '1' per feature bit, bit 0 first (after virtio-rng bound; virtio_rtc binds
# below and is checked after its insmod)
ring_check() { # ring_check DEVICE-ID NAME
	local d f bit n=0 bad="" all=""
	for d in /sys/bus/virtio/devices/*; do
		[ "$(cat "$d/device" 2>/dev/null)" = "$1" ] || continue
		n=$((n + 1))
		f=$(cat "$d/features")
		bit=$(echo "$f" | cut -c35)
		echo "FEATURES ${d##*/} device=$1 features=$f"
		all="$all ${d##*/}:bit34=$bit"
		case $vt_ring:$bit in split:0|packed:1) ;; *) bad="$bad ${d##*/}" ;; esac
	done
	if [ $n -gt 0 ] && [ -z "$bad" ]; then
		check PASS "$2.ring" "$vt_ring ring negotiated (VIRTIO_F_RING_PACKED, bit 34):$all"
	else
		check FAIL "$2.ring" "expected $vt_ring rings on every device $1 ($n found), wrong:${bad:- (none found)};$all"
	fi
}
if [ -n "${vt_ring:-}" ] && [ "${vt_rng_bytes:-0}" -gt 0 ]; then
	ring_check 0x0004 rng
fi

# 4. virtio_rtc: insmod blocks until the device answered REQ_CFG and
# REQ_CLOCK_CAP (no timeout in the driver): wait at most vt_wait seconds.
if [ -n "${vt_clocks:-}" ]; then
	stepmsg "insmod virtio_rtc"
	insmod /mods/90-virtio_rtc.ko > /tmp/insmod.out 2>&1 &
	p=$!
	i=0
	while kill -0 $p 2>/dev/null && [ $i -lt $(( ${vt_wait:-60} * 10 )) ]; do sleep 0.1; i=$((i + 1)); done
	if kill -0 $p 2>/dev/null; then
		check FAIL rtc.insmod "insmod virtio_rtc still blocked after ${vt_wait:-60} s (the device never answered REQ_CFG/REQ_CLOCK_CAP)"
	else
		wait $p
		rc=$?
		[ $rc = 0 ] && check PASS rtc.insmod "rc=0 after $((i / 10)).$((i % 10)) s" ||
			check FAIL rtc.insmod "rc=$rc: $(cat /tmp/insmod.out)"
	fi
	stepmsg "insmod done"
	# every virtio device with id 17 must be bound to virtio_rtc
	n=0 bad=""
	for d in /sys/bus/virtio/devices/*; do
		[ "$(cat "$d/device" 2>/dev/null)" = 0x0011 ] || continue
		n=$((n + 1))
		drv=$(readlink "$d/driver" 2>/dev/null)
		[ "${drv##*/}" = virtio_rtc ] || bad="$bad ${d##*/}(status=$(cat "$d/status"))"
	done
	if [ $n -gt 0 ] && [ -z "$bad" ]; then
		check PASS rtc.bound "$n virtio-rtc device(s) bound to virtio_rtc"
	else
		check FAIL rtc.bound "$n virtio-rtc device(s); not bound:${bad:- (none found)}"
	fi
	[ -n "${vt_ring:-}" ] && ring_check 0x0011 rtc
	# the driver's messages; errors (level <= 3) or failures are a FAIL
	dmesg -r | grep -i -E 'virtio_rtc|viortc|virtio.*rtc|ptp' | sed 's/^/DMESG /'
	errs=$(dmesg -r | grep -i -E 'virtio_rtc|viortc|virtio.*rtc' |
		grep -v -E 'module verification failed|taints kernel|tainting kernel' |
		grep -E '^<[0-3]>|fail|error|timed? ?out|-E[A-Z]+|\(-[0-9]+\)' || true)
	[ -z "$errs" ] && check PASS rtc.dmesg "no error from virtio_rtc" ||
		check FAIL rtc.dmesg "$(echo "$errs" | tr '\n' '|')"

	# PTP clocks: "Virtio PTP type T/variant V", one per device clock
	map=""
	for c in /sys/class/ptp/ptp*; do
		[ -e "$c/clock_name" ] || continue
		nm=$(cat "$c/clock_name")
		echo "PTP ${c##*/} clock_name='$nm'"
		case $nm in "Virtio PTP type "*) ;; *) continue ;; esac
		t=${nm#Virtio PTP type }
		t=${t%%/*}
		case $t in 0) name=utc ;; 1) name=tai ;; 2) name=mono ;; 3) name=smeared ;; *) name=type$t ;; esac
		map="$map $name:/dev/${c##*/}"
	done
	want="" missing=""
	for t in $(echo "$vt_clocks" | tr ',' ' '); do
		case $t in 0) name=utc ;; 1) name=tai ;; 2) name=mono ;; 3) name=smeared ;; *) name=type$t ;; esac
		want="$want $name"
		k=$(echo "$map" | tr ' ' '\n' | grep -c "^$name:")
		[ "$k" = 1 ] || missing="$missing $name(x$k)"
	done
	[ -z "$missing" ] && check PASS rtc.clocks "PTP clocks:$map" ||
		check FAIL rtc.clocks "expected one each of$want; got:${map:- none}; wrong:$missing"

	# the RTC class device of the UTC_SMEARED clock
	if [ "${vt_rtc:-0}" = 1 ]; then
		rtc_class
	fi

	if [ -n "$map" ]; then
		stepmsg "ptp sample"
		vrtc-probe sample --ref-utc "${vt_ref_utc:-0}" --ref-mono "${vt_ref_mono:-0}" \
			--tai-offset "${vt_tai:-37}" $map > /tmp/p.out 2>&1
		cat /tmp/p.out
		FAILS=$((FAILS + $(grep -c '^CHECK FAIL' /tmp/p.out)))
		u=$(echo "$map" | tr ' ' '\n' | grep '^utc:')
		ta=$(echo "$map" | tr ' ' '\n' | grep '^tai:')
		if [ -n "$u" ] && [ -n "$ta" ]; then
			vrtc-probe taiutc "$u" "$ta" "${vt_tai:-37}" > /tmp/p.out 2>&1
			cat /tmp/p.out
			FAILS=$((FAILS + $(grep -c '^CHECK FAIL' /tmp/p.out)))
		fi
		stepmsg "ptp reads x${vt_reads:-10000}"
		vrtc-probe reads -n "${vt_reads:-10000}" $map > /tmp/p.out 2>&1
		cat /tmp/p.out
		FAILS=$((FAILS + $(grep -c '^CHECK FAIL' /tmp/p.out)))
		# a second sample after the loop
		vrtc-probe sample $map 2>&1
	fi
fi

# 5. virtio-rng
if [ "${vt_rng_bytes:-0}" -gt 0 ]; then
	f=/sys/class/misc/hw_random
	cur=$(cat $f/rng_current 2>/dev/null)
	case $cur in
	virtio_rng*) check PASS rng.current "rng_current='$cur' (available: '$(cat $f/rng_available)')" ;;
	*) check FAIL rng.current "rng_current='$cur' (available: '$(cat $f/rng_available 2>/dev/null)')" ;;
	esac
	stepmsg "hwrng read ${vt_rng_bytes} bytes"
	t0=$(up)
	head -c "$vt_rng_bytes" /dev/hwrng > /tmp/rng.bin 2> /tmp/rng.err
	rc=$?
	t1=$(up)
	n=$(wc -c < /tmp/rng.bin)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	echo "TIMING rng bytes=$n seconds=$secs KiB_per_s=$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.0f", n / 1024 / (s > 0 ? s : 0.01) }')"
	if [ $rc = 0 ] && [ "$n" = "$vt_rng_bytes" ]; then
		check PASS rng.read "$n bytes from /dev/hwrng in $secs s"
	else
		check FAIL rng.read "rc=$rc, $n of $vt_rng_bytes bytes in $secs s: $(cat /tmp/rng.err)"
	fi
	echo "RNG-BYTES $n"
	if [ "$n" -ge 65536 ]; then
		vrtc-probe entropy /tmp/rng.bin > /tmp/p.out 2>&1
		cat /tmp/p.out
		FAILS=$((FAILS + $(grep -c '^CHECK FAIL' /tmp/p.out)))
		z=$(gzip -9 -c /tmp/rng.bin | wc -c)
		if [ $((z * 100)) -ge $((n * 99)) ]; then
			check PASS rng.incompressible "gzip -9: $n -> $z bytes"
		else
			check FAIL rng.incompressible "gzip -9: $n -> $z bytes (< 99%)"
		fi
	fi
	rm -f /tmp/rng.bin
fi

# 6. hold: keep the devices busy until the host kills QEMU
if [ "${vt_hold:-0}" = 1 ]; then
	rtc_class_end
	echo "GUEST-HOLD label=${vt_label:-?} fails=$FAILS t=$(up)s"
	while :; do
		[ -n "${map:-}" ] && vrtc-probe reads -n 1000 $map > /dev/null 2>&1
		[ "${vt_rng_bytes:-0}" -gt 0 ] && head -c 4096 /dev/hwrng > /dev/null
	done
fi

rtc_class_end
stepmsg "done"
if [ "$REBOOT" = 1 ] && [ "$BOOT" = 1 ]; then
	finish reboot
fi
finish poweroff
