#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
#
# Reserve 2 MiB hugepages and mount hugetlbfs at /dev/hugepages.
#   hugepages.sh [PAGES]   (default 512 = 1 GiB)
# Exit status 0 when at least PAGES pages are reserved and mounted, 1 when
# the machine would not give them (the caller then falls back to --no-huge).
set -u
want=${1:-512}
have=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
if [ "$have" -lt "$want" ]; then
	echo "$want" > /proc/sys/vm/nr_hugepages 2>/dev/null || true
	have=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
fi
if ! mountpoint -q /dev/hugepages 2>/dev/null; then
	mkdir -p /dev/hugepages 2>/dev/null && mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null || true
fi
if [ "$have" -ge "$want" ] && mountpoint -q /dev/hugepages 2>/dev/null; then
	echo "hugepages: $have x 2 MiB reserved, hugetlbfs on /dev/hugepages"
	exit 0
fi
echo "hugepages: only $have of $want pages (or no hugetlbfs mount)" >&2
exit 1
