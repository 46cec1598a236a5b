#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
#
# Build everything the real-guest tests need, from Debian packages only, under
# $DPDK_RTCD_GUEST_DIR (default /var/tmp/dpdk-rtcd-guest; never in git):
#
#   chroot/   a Debian sid chroot (debootstrap) with QEMU >= 10.1, gcc, make,
#             busybox-static and linux-headers for the guest kernel
#   chroot/opt/guest-kernel/  the sid cloud kernel image + modules, unpacked
#   out/      vmlinuz, virtio_rtc.ko (built out of tree from Debian's
#             linux-source-X.Y: Debian never enables CONFIG_VIRTIO_RTC),
#             vrtc-probe (static guest probe + host line stamper),
#             initrd.cpio.gz (busybox + modules + tests/guest/init.sh)
#
# Idempotent: a step whose output exists and whose inputs did not change is
# skipped, so a second run takes seconds; a fresh machine builds everything
# (a few minutes). A package missing from the archive fails the setup with the
# reason. Run as root on Debian 12 (or later); installs the few host tools it
# needs (debootstrap, cpio, ...) with the machine's own apt sources, and never
# changes those sources.
#
#   tests/guest/setup.sh [--force]    --force: rebuild the chroot and products
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

FORCE=0
for a in "$@"; do
	case $a in
	--force) FORCE=1 ;;
	-h|--help) awk 'NR >= 5 && /^#/ { sub(/^# ?/, ""); print; next } NR >= 5 { exit }' "$0"; exit 0 ;;
	*) die "setup.sh: unknown argument '$a' (try --help)" ;;
	esac
done
[ "$(id -u)" = 0 ] || die "setup.sh must run as root (debootstrap, chroot)"
T_START=$(date +%s.%N)

HOST_PKGS="debootstrap cpio gzip xz-utils zstd wget ca-certificates util-linux"
# In the chroot: QEMU and what builds an out-of-tree module and a static
# program. The headers package pulls in the compiler the kernel was built with.
CHROOT_PKGS="qemu-system-x86 gcc make libc6-dev busybox-static kmod xz-utils zstd"
# Guest modules as NAME:CONFIG_SYMBOL: built in (=y) is fine, a module (=m)
# goes into the initramfs with its modules.dep closure, anything else fails.
GUEST_MODS="virtio_pci:VIRTIO_PCI virtio-rng:HW_RANDOM_VIRTIO virtio_blk:VIRTIO_BLK
	ptp:PTP_1588_CLOCK rtc-cmos:RTC_DRV_CMOS serial-8250:SERIAL_8250 devtmpfs:DEVTMPFS"

host_packages() {
	local missing="" p
	for p in $HOST_PKGS; do
		dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	log "installing host packages:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get -q -y install --no-install-recommends $missing ||
		{ apt-get -q update && apt-get -q -y install --no-install-recommends $missing; } ||
		die "cannot install host packages$missing with the machine's apt sources"
}

# The suite's own debootstrap and keyring (they know the suite), unpacked
# privately; apt verified them with the machine's keyring.
resolve_and_tools() {
	aptp_init
	aptp_update
	local qv
	qv=$(aptp_version qemu-system-x86)
	[ -n "$qv" ] || die "qemu-system-x86 is not in '$GUEST_SUITE' ($MIRROR)"
	if dpkg --compare-versions "${qv#*:}" lt 10.1; then
		die "'$GUEST_SUITE' has qemu-system-x86 $qv; the tests need >= 10.1 (vhost-user-test-device-pci); try DPDK_RTCD_GUEST_SUITE=sid"
	fi
	if [ -n "${DPDK_RTCD_GUEST_KVER:-}" ]; then
		KVER=$DPDK_RTCD_GUEST_KVER
	else
		KVER=$(apt-cache "${APTO[@]}" depends linux-image-cloud-amd64 2>/dev/null |
			sed -n 's/^ *Depends: linux-image-\([0-9].*\)$/\1/p' | head -1)
		[ -n "$KVER" ] || die "cannot resolve the cloud kernel: linux-image-cloud-amd64 not in '$GUEST_SUITE' ($MIRROR)"
	fi
	KPKGVER=$(aptp_version "linux-image-$KVER")
	[ -n "$KPKGVER" ] || die "linux-image-$KVER is not in '$GUEST_SUITE' ($MIRROR)"
	[ -n "$(aptp_version "linux-headers-$KVER")" ] || die "linux-headers-$KVER is not in '$GUEST_SUITE' ($MIRROR)"
	# linux-source-X.Y of the same source version as the kernel image
	SRCPKG=linux-source-$(echo "$KVER" | cut -d. -f1,2)
	if ! apt-cache "${APTO[@]}" show "$SRCPKG=$KPKGVER" >/dev/null 2>&1; then
		die "$SRCPKG $KPKGVER (the source of kernel $KVER) is not in '$GUEST_SUITE' ($MIRROR); available: $(apt-cache "${APTO[@]}" madison "$SRCPKG" 2>/dev/null | awk '{print $3}' | tr '\n' ' ')"
	fi
	log "suite $GUEST_SUITE from $MIRROR: qemu-system-x86 $qv, kernel $KVER ($KPKGVER), $SRCPKG"

	local T=$GUEST_DIR/tools want have
	want="$(aptp_version debootstrap) $(aptp_version debian-archive-keyring)"
	have=$(cat "$T/versions" 2>/dev/null || true)
	if [ "$want" != "$have" ] || [ ! -x "$T/root/usr/sbin/debootstrap" ]; then
		rm -rf "$T"
		mkdir -p "$T/root"
		aptp_download "$T" debootstrap debian-archive-keyring
		local d
		for d in "$T"/*.deb; do dpkg-deb -x "$d" "$T/root"; done
		echo "$want" > "$T/versions"
	fi
}

# Run a command in the chroot inside a private mount namespace: /proc, /sys
# and /dev are mounted for it and vanish with it (nothing to clean up).
in_chroot() {
	unshare -m --propagation private -- /bin/sh -c '
		ch=$1; shift
		mount -t proc proc "$ch/proc" && mount -t sysfs sys "$ch/sys" &&
		mount --bind /dev "$ch/dev" && mount --bind /dev/pts "$ch/dev/pts" || exit 99
		exec chroot "$ch" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
			LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"' sh "$CH" "$@"
}

make_chroot() {
	local stamp="$GUEST_SUITE $MIRROR"
	if [ $FORCE = 1 ] || [ ! -x "$CH/usr/bin/apt-get" ] || [ "$(cat "$CH/.dpdk-rtcd-chroot" 2>/dev/null)" != "$stamp" ]; then
		[ -d "$CH" ] && log "removing the old chroot $CH"
		rm -rf --one-file-system "$CH"
		mkdir -p "$CH"
		local T=$GUEST_DIR/tools/root
		DEBOOTSTRAP_DIR=$T/usr/share/debootstrap "$T/usr/sbin/debootstrap" --variant=minbase \
			--keyring="$T/usr/share/keyrings/debian-archive-keyring.gpg" \
			"$GUEST_SUITE" "$CH" "$MIRROR" > "$GUEST_DIR/debootstrap.log" 2>&1 ||
			{ tail -n 30 "$GUEST_DIR/debootstrap.log" >&2; die "debootstrap $GUEST_SUITE from $MIRROR failed (log: $GUEST_DIR/debootstrap.log)"; }
		echo "$stamp" > "$CH/.dpdk-rtcd-chroot"
	fi
	echo "deb $MIRROR $GUEST_SUITE main" > "$CH/etc/apt/sources.list"
	{
		echo 'Acquire::Check-Valid-Until "false";'   # a lagging mirror's Release may be past Valid-Until
		echo 'APT::Install-Recommends "false";'
		# the machine's own proxy settings, if any
		apt-config dump 2>/dev/null | grep -i '^Acquire::[a-z]*::proxy' || true
	} > "$CH/etc/apt/apt.conf.d/90dpdk-rtcd"
	echo force-unsafe-io > "$CH/etc/dpkg/dpkg.cfg.d/90dpdk-rtcd"
	cp -L /etc/resolv.conf "$CH/etc/resolv.conf" 2>/dev/null || true
}

chroot_packages() {
	local pkgs="$CHROOT_PKGS linux-headers-$KVER" p missing=""
	for p in $pkgs; do
		in_chroot dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		log "chroot: installing$missing"
		in_chroot apt-get -q update > "$GUEST_DIR/chroot-apt.log" 2>&1 ||
			{ tail -n 20 "$GUEST_DIR/chroot-apt.log" >&2; die "apt-get update in the $GUEST_SUITE chroot failed"; }
		in_chroot apt-get -q -y install $pkgs >> "$GUEST_DIR/chroot-apt.log" 2>&1 ||
			{ tail -n 30 "$GUEST_DIR/chroot-apt.log" >&2; die "cannot install$missing in the $GUEST_SUITE chroot (a package may have left the archive or be uninstallable today; log: $GUEST_DIR/chroot-apt.log)"; }
		in_chroot apt-get clean
	fi
	local q
	q=$(in_chroot qemu-system-x86_64 -device help 2>&1)
	for p in vhost-user-test-device-pci vhost-user-rng-pci virtio-rtc-pci; do
		grep -q "\"$p\"" <<< "$q" || die "the chroot's QEMU ($(in_chroot qemu-system-x86_64 --version | head -1)) has no -device $p"
	done
}

# The guest kernel: image and modules unpacked (no initramfs-tools), then
# depmod, inside the chroot so that the suite's kmod reads the suite's modules.
guest_kernel() {
	local K=$CH/opt/guest-kernel stamp="$KVER $KPKGVER"
	if [ $FORCE = 0 ] && [ "$(cat "$K/.stamp" 2>/dev/null)" = "$stamp" ]; then return 0; fi
	rm -rf "$K" "$GUEST_DIR/debs/kernel"
	mkdir -p "$K"
	# linux-image-$KVER is a meta package on recent kernels: the files are in
	# linux-binary-* and linux-modules-*; take whatever of those exists.
	local pkgs="linux-image-$KVER" p d
	for p in "linux-binary-$KVER" "linux-modules-$KVER"; do
		[ -n "$(aptp_version "$p")" ] && pkgs="$pkgs $p"
	done
	aptp_download "$GUEST_DIR/debs/kernel" $pkgs
	for d in "$GUEST_DIR"/debs/kernel/*.deb; do dpkg-deb -x "$d" "$K"; done
	[ -e "$K/lib" ] || ln -s usr/lib "$K/lib"
	local vml=
	for p in "$K/boot/vmlinuz-$KVER" "$K/usr/lib/modules/$KVER/vmlinuz" "$K/lib/modules/$KVER/vmlinuz"; do
		[ -f "$p" ] && { vml=$p; break; }
	done
	[ -n "$vml" ] || die "no vmlinuz in $pkgs"
	[ -d "$K/lib/modules/$KVER/kernel" ] || die "no modules tree for $KVER in $pkgs"
	in_chroot depmod -b /opt/guest-kernel "$KVER" || die "depmod for $KVER failed"
	mkdir -p "$OUT"
	cp "$vml" "$OUT/vmlinuz"
	rm -rf "$GUEST_DIR/debs/kernel"
	echo "$stamp" > "$K/.stamp"
}

# virtio_rtc.ko, out of tree, from linux-source-X.Y of the kernel's own
# version, against linux-headers-$KVER. Only drivers/virtio/virtio_rtc* and
# the uapi header are extracted. CONFIG_VIRTIO_RTC_PTP and _CLASS are given
# as -D flags (the sources test them with IS_ENABLED()).
virtio_rtc_module() {
	local B=$CH/build/virtio_rtc stamp="$KVER $SRCPKG=$KPKGVER $(declare -f virtio_rtc_module | sha256sum | cut -c1-16)"
	if [ $FORCE = 0 ] && [ -f "$OUT/virtio_rtc.ko" ] && [ "$(cat "$OUT/virtio_rtc.stamp" 2>/dev/null)" = "$stamp" ]; then return 0; fi
	local S=$GUEST_DIR/debs/src
	rm -rf "$S" "$B"
	aptp_download "$S" "$SRCPKG=$KPKGVER"
	local deb tarball top z
	deb=$(ls "$S"/*.deb)
	tarball=$(dpkg-deb -c "$deb" | awk '{print $NF}' | grep -E '^\./usr/src/linux-source-.*\.tar\.(xz|zst|bz2|gz)$' | head -1)
	[ -n "$tarball" ] || die "$SRCPKG has no source tarball under /usr/src"
	top=$(basename "$tarball" | sed -E 's/\.tar\..*//')
	case $tarball in *.xz) z=-J ;; *.zst) z=--zstd ;; *.bz2) z=-j ;; *) z=-z ;; esac
	mkdir -p "$S/x" "$B/include/uapi/linux"
	# one pass over the (large) source tarball
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "$tarball" |
		tar -x $z -C "$S/x" --wildcards "$top/drivers/virtio/virtio_rtc*" \
			"$top/include/uapi/linux/virtio_rtc.h" ||
		die "no drivers/virtio/virtio_rtc* or include/uapi/linux/virtio_rtc.h in $SRCPKG $KPKGVER"
	cp "$S/x/$top"/drivers/virtio/virtio_rtc* "$B/"
	cp "$S/x/$top/include/uapi/linux/virtio_rtc.h" "$B/include/uapi/linux/"
	rm -rf "$S"
	local objs="" f
	for f in virtio_rtc_driver virtio_rtc_ptp virtio_rtc_class; do
		[ -f "$B/$f.c" ] || die "$SRCPKG $KPKGVER lacks drivers/virtio/$f.c"
		objs="$objs $f.o"
	done
	cat > "$B/Kbuild" <<-EOF
		# virtio_rtc from $SRCPKG $KPKGVER, built out of tree by tests/guest/setup.sh
		obj-m := virtio_rtc.o
		virtio_rtc-y :=$objs
		ccflags-y := -DCONFIG_VIRTIO_RTC_PTP=1 -DCONFIG_VIRTIO_RTC_CLASS=1 -I\$(src)/include
	EOF
	in_chroot make -C "/usr/src/linux-headers-$KVER" M=/build/virtio_rtc modules > "$GUEST_DIR/virtio_rtc-build.log" 2>&1 ||
		{ tail -n 30 "$GUEST_DIR/virtio_rtc-build.log" >&2; die "building virtio_rtc.ko failed (log: $GUEST_DIR/virtio_rtc-build.log)"; }
	in_chroot strip --strip-debug /build/virtio_rtc/virtio_rtc.ko
	mkdir -p "$OUT"
	cp "$B/virtio_rtc.ko" "$OUT/virtio_rtc.ko"
	in_chroot modinfo /build/virtio_rtc/virtio_rtc.ko | grep -E '^(vermagic|depends):' >&2
	echo "$stamp" > "$OUT/virtio_rtc.stamp"
}

# The static guest probe (also the host's line stamper).
probe() {
	local stamp
	stamp=$(cat "$HERE/vrtc-probe.c" | sha256sum | cut -c1-16)
	if [ $FORCE = 0 ] && [ -x "$OUT/vrtc-probe" ] && [ "$(cat "$OUT/vrtc-probe.stamp" 2>/dev/null)" = "$stamp" ]; then return 0; fi
	mkdir -p "$CH/build/probe" "$OUT"
	cp "$HERE/vrtc-probe.c" "$CH/build/probe/"
	in_chroot gcc -O2 -Wall -Wextra -Werror -static -o /build/probe/vrtc-probe /build/probe/vrtc-probe.c ||
		die "building the guest probe failed"
	cp "$CH/build/probe/vrtc-probe" "$OUT/vrtc-probe"
	echo "$stamp" > "$OUT/vrtc-probe.stamp"
}

# busybox + modules (modules.dep closure, in load order) + probe + init.sh.
initramfs() {
	local MD=$CH/opt/guest-kernel/lib/modules/$KVER W n=10
	W=$(mktemp -d)
	mkdir -p "$W"/{bin,sbin,proc,sys,dev,tmp,mods,etc}
	cp "$CH/usr/bin/busybox" "$W/bin/busybox" 2>/dev/null || cp "$CH/bin/busybox" "$W/bin/busybox" ||
		{ rm -rf "$W"; die "no busybox in the chroot"; }
	local a
	for a in $("$W/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$W/bin/$a"; done
	declare -A seen=()
	add_ko() {   # $1: path relative to $MD, as in modules.dep
		local rel=$1 dep name
		[ -n "${seen[$rel]:-}" ] && return 0
		seen[$rel]=1
		for dep in $(awk -v m="$rel:" '$1 == m { for (i = 2; i <= NF; i++) print $i }' "$MD/modules.dep" | tac); do
			add_ko "$dep"
		done
		name=$(basename "$rel"); name=${name%%.ko*}
		case $rel in
		*.ko.xz) xz -dc "$MD/$rel" > "$W/mods/$n-$name.ko" ;;
		*.ko.zst) zstd -qdc "$MD/$rel" > "$W/mods/$n-$name.ko" ;;
		*.ko.gz) gzip -dc "$MD/$rel" > "$W/mods/$n-$name.ko" ;;
		*) cp "$MD/$rel" "$W/mods/$n-$name.ko" ;;
		esac
		n=$((n + 1))
	}
	add_mod() {   # $1: module name as in modules.dep (- and _ alike)
		local m=$1 re rel
		re="/(${m//[-_]/[-_]})\\.ko(\\.(xz|zst|gz))?\$"
		rel=$(cut -d: -f1 "$MD/modules.dep" | grep -E "$re" | head -1 || true)
		[ -n "$rel" ] || { rm -rf "$W"; die "module $m is not in the modules tree of $KVER"; }
		add_ko "$rel"
	}
	local cfg=$CH/usr/src/linux-headers-$KVER/.config spec m sym val deps
	[ -f "$cfg" ] || die "no $cfg"
	for spec in $GUEST_MODS; do
		m=${spec%%:*} sym=CONFIG_${spec#*:}
		val=$(sed -n "s/^$sym=//p" "$cfg")
		case $val in
		y) ;;
		m) add_mod "$m" ;;
		*) rm -rf "$W"; die "$KVER lacks $m ($sym is '${val:-not set}')" ;;
		esac
	done
	# what virtio_rtc.ko needs beyond built-ins, from its own modinfo
	deps=$(in_chroot modinfo -F depends /build/virtio_rtc/virtio_rtc.ko | tr ',' ' ')
	for m in $deps; do add_mod "$m"; done
	cp "$OUT/virtio_rtc.ko" "$W/mods/90-virtio_rtc.ko"
	cp "$OUT/vrtc-probe" "$W/bin/vrtc-probe"
	cp "$HERE/init.sh" "$W/init"
	chmod 0755 "$W/init"
	(cd "$W" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) > "$OUT/initrd.cpio.gz.new"
	mv "$OUT/initrd.cpio.gz.new" "$OUT/initrd.cpio.gz"
	log "initramfs: $(du -k "$OUT/initrd.cpio.gz" | cut -f1) KiB, modules: $(ls "$W/mods" | tr '\n' ' ')"
	rm -rf "$W"
}

versions() {
	{
		echo "suite=$GUEST_SUITE"
		echo "kver=$KVER"
		echo "kernel_pkg=$KPKGVER"
		echo "virtio_rtc_src=$SRCPKG $KPKGVER"
		echo "qemu=$(in_chroot qemu-system-x86_64 --version | head -1)"
		echo "gcc=$(in_chroot gcc --version | head -1)"
		echo "busybox=$("$CH/usr/bin/busybox" 2>/dev/null | head -1 || true)"
	} > "$OUT/versions"
	sed 's/^/  /' "$OUT/versions" >&2
}

trap step_trap EXIT
mkdir -p "$GUEST_DIR" "$OUT"
exec 9> "$GUEST_DIR/.setup.lock"
flock -w 1200 9 || die "another setup.sh holds $GUEST_DIR/.setup.lock"
step "host packages" host_packages
step "resolve suite + debootstrap" resolve_and_tools
step "chroot (debootstrap $GUEST_SUITE)" make_chroot
step "chroot packages" chroot_packages
step "guest kernel $KVER" guest_kernel
step "virtio_rtc.ko" virtio_rtc_module
step "guest probe" probe
step "initramfs" initramfs
versions
log "setup done in $(awk -v a="$T_START" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s: ${STEP_TIMES[*]}"
