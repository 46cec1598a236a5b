#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
#
# The reference: DPDK's own vhost-user loopback on this machine. Two
# dpdk-testpmd processes, net_vhost (server, forwarding core on CPU 1) and
# net_virtio_user (client, on CPU 0), io forwarding, one forwarding core
# each: the same arrangement as our daemon (CPU 1) and dpdk-test-rtc (CPU 0).
# Each packet the vhost side receives is one dequeue and one enqueue of a
# descriptor chain by the vhost core, the work our worker does per request.
#
#   DUR=SECONDS benchmarks/testpmd-loopback.sh     (DUR >= 6: the first samples are ramp-up)
#
# Prints the vhost side's steady-state Rx packets/s (median of the samples
# after the first non-zero one) as its last line: `testpmd_pps=N max=M samples=K`.
# Needs root and 2 MiB hugepages (reserves 1024 if fewer are free; restores
# the previous count afterwards). Exit status 77 when it cannot run.
set -u
DUR=${DUR:-10}
TESTPMD=${TESTPMD:-dpdk-testpmd}
command -v "$TESTPMD" >/dev/null || { echo "testpmd-loopback: $TESTPMD not found (apt-get install dpdk)" >&2; exit 77; }
[ "$(id -u)" = 0 ] || { echo "testpmd-loopback: needs root (hugepages)" >&2; exit 77; }

TMP=$(mktemp -d /tmp/vrtc-testpmd.XXXXXX)
SOCK=$TMP/vhost.sock
NR=/proc/sys/vm/nr_hugepages
OLD_NR=$(cat $NR)
FREE=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ "$(cat $NR)" != "$OLD_NR" ] && echo "$OLD_NR" > $NR
	rm -rf "$TMP" "/var/run/dpdk/vrtcvh$$" "/var/run/dpdk/vrtcvu$$"
}
trap cleanup EXIT
if [ "$FREE" -lt 1024 ]; then
	echo $((OLD_NR + 1024 - FREE)) > $NR
fi
mountpoint -q /dev/hugepages || { mkdir -p /dev/hugepages; mount -t hugetlbfs nodev /dev/hugepages; }
[ "$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)" -ge 512 ] || {
	echo "testpmd-loopback: cannot reserve hugepages" >&2; exit 77; }

timeout $((DUR + 10)) "$TESTPMD" -l 0,1 --no-pci --in-memory --single-file-segments \
	--file-prefix=vrtcvh$$ --vdev "net_vhost0,iface=$SOCK,queues=1" -- \
	--nb-cores=1 --forward-mode=io --stats-period=1 --auto-start --total-num-mbufs=16384 \
	</dev/null >"$TMP/vhost.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.1; done
timeout "$DUR" "$TESTPMD" --lcores '0@0,1@0' --no-pci --in-memory --single-file-segments \
	--file-prefix=vrtcvu$$ --vdev "net_virtio_user0,path=$SOCK,queues=1" -- \
	--nb-cores=1 --forward-mode=io --tx-first --stats-period=1 --auto-start \
	--total-num-mbufs=16384 </dev/null >"$TMP/virtio.log" 2>&1
kill "${pids[@]}" 2>/dev/null
wait 2>/dev/null
pids=()
# Rx-pps lines of the vhost port: drop zeros and the first non-zero sample (ramp-up).
samples=$(grep -E "Rx-pps" "$TMP/vhost.log" | awk '$2>0{print $2}' | tail -n +2 | sort -n)
n=$(echo "$samples" | grep -c .)
med=$(echo "$samples" | awk -v n="$n" 'NR==int((n+1)/2){print}')
max=$(echo "$samples" | tail -1)
[ "$n" -gt 0 ] || { echo "testpmd-loopback: no samples (log: see below)" >&2; tail -20 "$TMP/vhost.log" >&2; exit 1; }
echo "testpmd_pps=${med} max=${max} samples=${n}"
