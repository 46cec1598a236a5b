#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
#
# Build (gcc, -Werror) and run the unit and integration tests against the
# DPDK of another Debian release, in a debootstrap chroot of that release:
#   scripts/ci-dpdk-release.sh trixie      DPDK 24.11 (Debian 13)
#   scripts/ci-dpdk-release.sh sid         DPDK 25.11 (today's sid)
#   scripts/ci-dpdk-release.sh --remove RELEASE   unmount and delete its chroot
# As root. The chroot is $VRTC_CI_DIR/dpdk-rtcd-ci-RELEASE (VRTC_CI_DIR
# default /var/tmp): created when missing, reused when a previous call of
# the same CI run left it complete. .ci/run gives every run a fresh
# VRTC_CI_DIR and removes it at the end, so nothing is cached across runs.
#
# The archive is the one of this machine's apt configuration. Inside the
# chroot: scripts/fetch-dpdk-driver-sdk.sh (the archive serves the dpdk
# source of bookworm only, so on trixie and sid it says the vdev drivers will
# not be built), meson setup with gcc and -Werror into a build directory
# outside the source (the source is bind-mounted read-only), ninja, and
# meson test without the guest and fuzz suites, with test timeouts times
# VRTC_CI_TIMEOUT_MULTIPLIER (default 3: CI machines are small and shared).
# Prints the time of each phase.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
remove=0
if [ "${1:-}" = "--remove" ]; then
	remove=1
	shift
fi
release=${1:-}
case "$release" in
"" | -* | */* | .*)
	echo "usage: $0 [--remove] RELEASE   (a Debian suite: trixie, sid, ...)" >&2
	exit 2
	;;
esac
[ "$(id -u)" -eq 0 ] || { echo "ci-dpdk-release: needs root (debootstrap, chroot, mounts)" >&2; exit 2; }

root=${VRTC_CI_DIR:-/var/tmp}/dpdk-rtcd-ci-$release
marker=$root/.dpdk-rtcd-ci   # written first: this directory is ours
ready=$root/.dpdk-rtcd-ci-ready
pkgs="gcc libc6-dev meson ninja-build pkg-config libdpdk-dev dpdk libssl-dev openssl
tzdata python3 python3-pyelftools procps iproute2 util-linux"

log() { echo "ci-dpdk-release[$release]: $*"; }

# Unmount everything below $root, deepest first.
unmount_all() {
	local m
	[ -d "$root" ] || return 0
	for m in $(findmnt -rn -o TARGET | grep -E "^$root(/|\$)" | sort -r); do
		umount "$m" 2>/dev/null || umount -l "$m"
	done
}

remove_root() {
	[ -e "$root" ] || return 0
	[ -f "$marker" ] || { log "$root exists but was not made by this script: left alone"; return 1; }
	unmount_all
	if findmnt -rn -o TARGET | grep -qE "^$root(/|\$)"; then
		log "still mounted below $root: not removed"
		return 1
	fi
	rm -rf --one-file-system "$root"
}

if [ "$remove" -eq 1 ]; then
	remove_root
	exit $?
fi

# The archive this machine uses: first URI of a deb entry that is not the
# security archive (deb822 .sources first, then one-line .list files).
mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '
	/^[ \t]*$/ { if (t ~ /deb/ && u != "" && u !~ /security/) { print u; exit } t = u = ""; next }
	/^Types:/ { t = $0 } /^URIs:/ { u = $2 }
	END { if (t ~ /deb/ && u != "" && u !~ /security/) print u }' | head -n 1)
[ -n "$mirror" ] || mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
	awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($i !~ /security/) { print $i; exit } break } }')
[ -n "$mirror" ] || { log "no Debian archive in this machine's apt configuration"; exit 1; }

t_start=$SECONDS
trap unmount_all EXIT
# timeout(1) or Ctrl-C: leave through the EXIT trap, which unmounts.
trap 'exit 143' TERM
trap 'exit 130' INT

# 1. The chroot (debootstrap minbase + the build and test packages).
if [ -f "$ready" ]; then
	log "reusing $root"
else
	command -v debootstrap >/dev/null || {
		log "installing debootstrap"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null
	}
	remove_root
	mkdir -p "$root"
	touch "$marker"
	log "debootstrap --variant=minbase $release from $mirror"
	if ! debootstrap --variant=minbase "$release" "$root" "$mirror" >"$root.debootstrap.log" 2>&1; then
		tail -n 20 "$root.debootstrap.log"
		exit 1
	fi
	rm -f "$root.debootstrap.log"
	# The archive here may lag the clock: accept an expired Release.
	echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/99dpdk-rtcd-ci"
	mount -t proc proc "$root/proc"
	# shellcheck disable=SC2086
	if ! chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends $pkgs >"$root/apt.log" 2>&1; then
		tail -n 20 "$root/apt.log"
		exit 1
	fi
	chroot "$root" apt-get clean
	umount "$root/proc"
	touch "$ready"
fi
t_chroot=$SECONDS
log "chroot: $((t_chroot - t_start)) s; $(chroot "$root" gcc --version | head -n 1);" \
	"DPDK $(chroot "$root" pkg-config --modversion libdpdk)"

# 2. Mounts for EAL and the tests: /proc, /sys, /dev (+ a private /dev/shm
# and hugetlbfs when the host has huge pages), the source read-only.
mount -t proc proc "$root/proc"
# Bind mounts as slaves: nothing mounted below them propagates to the host.
mount --bind /sys "$root/sys"
mount --make-slave "$root/sys"
mount --bind /dev "$root/dev"
mount --make-slave "$root/dev"
mount -t tmpfs -o mode=1777,size=256m tmpfs "$root/dev/shm"
if [ "$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages 2>/dev/null || echo 0)" -gt 0 ]; then
	mkdir -p "$root/dev/hugepages"
	mount -t hugetlbfs nodev "$root/dev/hugepages" 2>/dev/null || true
fi
mkdir -p "$root/src"
mount --bind "$top" "$root/src"
mount --make-slave "$root/src"
mount -o remount,bind,ro "$root/src"

# 3. Build and test inside, with a clean environment.
rc=0
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
	CC=gcc TIMEOUT_MULTIPLIER="${VRTC_CI_TIMEOUT_MULTIPLIER:-3}" /bin/bash -c '
	set -eu
	/src/scripts/fetch-dpdk-driver-sdk.sh /var/tmp/dpdk-driver-sdk
	rm -rf /var/tmp/build
	t0=$SECONDS
	meson setup /var/tmp/build /src -Dwerror=true -Ddriver_sdk=/var/tmp/dpdk-driver-sdk \
		>/var/tmp/setup.log 2>&1 || { cat /var/tmp/setup.log; exit 1; }
	sed -n "/Configuration/,/^$/p" /var/tmp/setup.log
	ninja -C /var/tmp/build >/var/tmp/ninja.log 2>&1 || { grep -E -A5 "error|FAILED" /var/tmp/ninja.log | head -n 60; exit 1; }
	t1=$SECONDS
	echo "ci-dpdk-release: build: $((t1 - t0)) s"
	rc=0
	meson test -C /var/tmp/build --no-suite guest --no-suite fuzz --print-errorlogs \
		--timeout-multiplier "$TIMEOUT_MULTIPLIER" >/var/tmp/test.log 2>&1 || rc=$?
	if [ $rc -eq 0 ]; then
		grep -E "^ *[0-9]+/[0-9]+ " /var/tmp/test.log
	else
		tail -n 150 /var/tmp/test.log
	fi
	grep -E "^(Ok|Fail|Skipped|Timeout|Expected Fail|Unexpected Pass): " /var/tmp/build/meson-logs/testlog.txt
	echo "ci-dpdk-release: tests: $((SECONDS - t1)) s"
	exit $rc
' || rc=$?
log "total $((SECONDS - t_start)) s (chroot $((t_chroot - t_start)) s); $([ $rc -eq 0 ] && echo passed || echo FAILED)"
exit $rc
