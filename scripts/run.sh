#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
#
# One command to try dpdk-rtcd on this machine (Debian 12, as root): install
# what is missing, build, reserve hugepages when possible (else --no-huge),
# start the daemon in the foreground with one virtio-rtc and one virtio-rng
# device, and print the QEMU options that attach a VM to them.
#   scripts/run.sh [-- extra dpdk-rtcd options]
# Environment: SOCKDIR (default /run/dpdk-rtcd), LCORES (default 0,1),
# BUILD (default build).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
sockdir=${SOCKDIR:-/run/dpdk-rtcd}
lcores=${LCORES:-0,1}
build=${BUILD:-build}
[ "${1:-}" = "--" ] && shift
cd "$top"

"$top/scripts/install-deps.sh"
"$top/scripts/fetch-dpdk-driver-sdk.sh" >/dev/null
[ -f "$build/build.ninja" ] || meson setup "$build" >/dev/null
ninja -C "$build" >/dev/null

if "$top/scripts/hugepages.sh" 256 >/dev/null 2>&1; then
	mem="--in-memory"
else
	echo "run.sh: WARNING: no hugepages could be reserved; running with --no-huge" \
		"(the daemon maps guest memory from the VMM, so this only affects its own heap)" >&2
	mem="--no-huge -m 256"
fi
mkdir -p "$sockdir"
chmod 0755 "$sockdir"

cat <<EOT
dpdk-rtcd: virtio-rtc on $sockdir/rtc0.sock, virtio-rng on $sockdir/rng0.sock

Attach a QEMU VM (guest RAM must be shareable; SIZE = the -m value):
  -object memory-backend-memfd,id=mem,size=SIZE,share=on -numa node,memdev=mem
  -chardev socket,id=rtc0,path=$sockdir/rtc0.sock
  -device vhost-user-test-device-pci,chardev=rtc0,virtio-id=17,num_vqs=2,vq_size=256
  -chardev socket,id=rng0,path=$sockdir/rng0.sock
  -device vhost-user-rng-pci,chardev=rng0
(vhost-user-test-device-pci needs QEMU 10.1 or later; vhost-user-rng-pci 6.2 or later.
The sockets are mode 0600: run QEMU as root, or add owner=/group=/mode= to the --device
arguments. A Linux 6.16+ guest with CONFIG_VIRTIO_RTC gets /dev/ptpN per clock.)

Stop with Ctrl-C (or SIGTERM).
EOT
# shellcheck disable=SC2086
exec "$build/app/rtcd/dpdk-rtcd" -l "$lcores" $mem --no-pci --file-prefix=dpdk-rtcd \
	-- --device "rtc_vhost0,iface=$sockdir/rtc0.sock,clocks=utc+tai+mono" \
	--device "rng_vhost0,iface=$sockdir/rng0.sock,source=drbg" \
	"$@"
